"""Open "how many" questions: do the sources give the same number?

A claim with a number is checked sentence by sentence (`heuristic._quantity_conflict`):
a sentence with another count refutes it, and two sources that disagree make the verdict
`conflicting`. An open question has no number of its own, so each sentence that gives one
"supports" (answers) it, and a source saying 970 stood beside one saying 97 as if they
agreed. Here the answers are compared across sources: when one source's number of the
asked thing is not another's, the answers that disagree with the best-attested number
become `refutes` (objection `answers_differ`, naming both numbers, scored as a claim's
differing number is), so aggregation finds the conflict as it does for a claim. It runs
after any judge (`rag.pipeline`): the comparison is of the sources' numbers, not of one
sentence against the question.

What counts as an answer's number, to keep false conflicts out (a wrong "the sources
disagree" is as bad as a wrong "supported"):
- the sentence answers the question (the judge's `supports`) and its number is a count,
  amount or percentage, not a year, not a number of the question itself ("Article 5");
- it counts the asked thing: its unit words, when it has any, occur in the question;
- a sentence with several such numbers is ambiguous ("97 soldiers, 14 of them US") and
  takes no side; sentences naming different years are about different times;
- a source that also states the other number does not disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.judge.heuristic import REFUTE_BOOST, asks_quantity
from rag.nlp.align import sentence_keys, term_found
from rag.nlp.quantities import Quantity, comparable_units, consistent, extract
from rag.types import Evidence, Judgement, Objection, Query


@dataclass(frozen=True)
class _Answer:
    index: int  # into the evidence list
    source: str
    quantity: Quantity
    years: frozenset[float]


def _same(a: Quantity, b: Quantity) -> bool:
    return consistent(a, b) or consistent(b, a)


def _answer_quantity(query: Query, text: str) -> tuple[Quantity | None, frozenset[float]]:
    found = extract(text)
    asked = extract(query.proposition)
    keys = sentence_keys(query.proposition)
    years = frozenset(q.value for q in found if q.kind == "year")
    candidates = [q for q in found if q.kind != "year"
                  and not any(_same(q, a) for a in asked)
                  and (not q.unit or any(term_found(w, keys) for w in q.unit))]
    return (candidates[0] if len(candidates) == 1 else None), years


def _disagree(a: _Answer, b: _Answer) -> bool:
    if a.source == b.source or a.quantity.kind != b.quantity.kind:
        return False
    if a.years and b.years and not a.years & b.years:
        return False  # different times, not different answers
    return comparable_units(a.quantity, b.quantity) and not _same(a.quantity, b.quantity)


def reconcile(query: Query, evidence: list[Evidence],
              judgements: list[Judgement]) -> list[Judgement]:
    """`judgements` (one per evidence sentence), with the answers of an open quantity
    question that disagree with the best-attested number turned into refutations."""
    if query.form != "open" or not asks_quantity(query.proposition):
        return judgements
    answers: list[_Answer] = []
    for i, (e, j) in enumerate(zip(evidence, judgements, strict=True)):
        if j.stance != "supports":
            continue
        q, years = _answer_quantity(query, e.sentence.text)
        if q is not None:
            answers.append(_Answer(i, e.source, q, years))
    if len({a.source for a in answers}) < 2:
        return judgements

    def backing(a: _Answer) -> tuple[int, float, str]:
        agree = {b.source for b in answers if _same(a.quantity, b.quantity)}
        return len(agree), judgements[a.index].score, a.source

    best = max(answers, key=backing)
    states_best = {a.source for a in answers if _same(a.quantity, best.quantity)}
    out = list(judgements)
    for a in answers:
        if a.source in states_best or not _disagree(best, a):
            continue
        j = judgements[a.index]
        objection = Objection("answers_differ", best.quantity.text, a.quantity.text)
        # scored as a claim's differing number is (`heuristic`): the number is evidence
        out[a.index] = Judgement.of("refutes", min(1.0, j.score + REFUTE_BOOST),
                                    *j.objections, objection)
    return out
