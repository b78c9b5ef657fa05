"""The verdict engine's per-sentence step: the `Judge` Protocol and the offline default.

A Judge takes the analysed query and its evidence and returns one `Judgement` (stance,
score, reason) per evidence item, in order. An LLM judge plugs into the same Protocol.

`OfflineJudge` combines signals computable on a CPU without an NLI model:
- alignment: the evidence relevance (semantic similarity across languages + term coverage);
- polarity: negation and denial cues in the clauses that carry the proposition's terms,
  compared with the proposition's own polarity ("would not trigger" vs "triggers");
- quantities: numbers of the same kind that do not establish the claimed one
  ("3 billion" vs "over 4 billion");
- entities: a sentence that says the same thing about a different named entity;
- modality: a certain claim ("will", "automatically") against a hedged source ("could").
A sentence supports only when it is closely aligned and none of the checks object; it
refutes when it is aligned and one of them does. Everything else is neutral.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from rag.align import (
    clauses,
    content_terms,
    coverage,
    entity_found,
    sentence_keys,
    term_found,
)
from rag.analyse import entities
from rag.lexicon import CERTAINTY, DENIALS, HEDGES, MODALS, NEGATIONS
from rag.quantities import Quantity, consistent, extract
from rag.text import words
from rag.types import Evidence, Judgement, Query

# thresholds on the evidence's relevance (align), its lexical coverage of the claim's
# content terms (same language) and its scaled semantic similarity (across languages)
SUPPORT_ALIGN = 0.62
SUPPORT_COVERAGE = 0.6
SUPPORT_SIMILARITY = 0.6
REFUTE_ALIGN = 0.55
REFUTE_COVERAGE = 0.5
REFUTE_SIMILARITY = 0.45
SWAP_COVERAGE = 0.7
SLOT_SWAP_ALIGN = 0.45
OPEN_ANSWER_ALIGN = 0.45


@runtime_checkable
class Judge(Protocol):
    name: str

    def judge(self, query: Query, evidence: list[Evidence]) -> list[Judgement]: ...


def _cues(text: str, table: dict[str, set[str]]) -> list[str]:
    toks = words(text)
    found = [t for t in toks if t in table["en"] or t in table["sv"]]
    if table is NEGATIONS:
        found += [t for t in toks if t.endswith("n't")]
    low = " " + " ".join(toks) + " "
    found += [c for c in (table["en"] | table["sv"]) if " " in c and f" {c} " in low]
    return found


def polarity_negative(text: str, terms: list[str]) -> tuple[bool, list[str]]:
    """Is the part of `text` that carries `terms` negated? Counted per clause, so that
    "It doesn't work like that, not automatically" reads as negative about "automatically".
    Returns the verdict and the cues that decided it."""
    parts = clauses(text) or [text]
    carrying = [c for c in parts if any(term_found(t, sentence_keys(c)) for t in terms)]
    negative = False
    cues: list[str] = []
    for c in carrying or parts:
        found = _cues(c, NEGATIONS) + _cues(c, DENIALS)
        if len(found) % 2 == 1:
            negative = True
            cues.extend(found)
    return negative, cues


def _quantity_conflict(claim: list[Quantity], source: list[Quantity]) -> str | None:
    for q in claim:
        same_kind = [s for s in source if s.kind == q.kind]
        if same_kind and not any(consistent(q, s) for s in same_kind):
            return f"{q.kind if q.kind != 'count' else 'number'} differs: " \
                   f"{q.text} vs {', '.join(s.text for s in same_kind[:2])}"
    return None


_TOKEN = re.compile(r"\w+(?:['’]\w+)*")


def _slot_filler(claim: str, entity: str, text: str) -> str | None:
    """The name the source puts where the claim puts `entity`: the claim's neighbouring
    word is found in the source, and next to it, on the same side, stands a different
    capitalised name ("Lithuania's Prime Minister" vs "Estonian Prime Minister")."""
    ctoks = [m.group(0) for m in _TOKEN.finditer(claim)]
    stoks = [m.group(0) for m in _TOKEN.finditer(text)]
    base = [re.sub(r"['’]s$", "", t) for t in ctoks]
    if entity not in base:
        return None
    i = base.index(entity)
    # part of a longer name whose other parts the source does name ("Kaja" of "Kaja Kallas"):
    # an omitted first name or title is no swap. A possessive ends a name ("Lithuania's").
    run = [i]
    j = i - 1
    while j >= 0 and ctoks[j][:1].isupper() and base[j] == ctoks[j]:
        run.append(j)
        j -= 1
    j = i + 1
    while base[j - 1] == ctoks[j - 1] and j < len(ctoks) and ctoks[j][:1].isupper():
        run.append(j)
        j += 1
    keys = sentence_keys(text)
    if any(entity_found(base[k], keys) for k in run if k != i):
        return None
    claim_low = {t.lower() for t in base}
    for step in (1, -1):
        j = i + step
        if not 0 <= j < len(ctoks) or not ctoks[j][:1].isupper():
            continue  # anchor on a neighbouring name ("Prime", "Kallas"), not on any word
        anchor = ctoks[j].lower()
        for k, tok in enumerate(stoks):
            if tok.lower() != anchor:
                continue
            m = k - step
            if 0 <= m < len(stoks):
                cand = re.sub(r"['’]s$", "", stoks[m])
                if cand[:1].isupper() and cand.lower() not in claim_low \
                        and not entity_found(entity, sentence_keys(cand)):
                    return cand
    return None


def _placed(claim: str, entity: str, text: str) -> bool | None:
    """Does `text` name `entity` next to the name the claim binds it to? ("Lithuania's
    Prime Minister": is Lithuania within a few words of "Prime" in the text?) None when
    the entity is not bound to a neighbouring name or the text lacks that name."""
    ctoks = [m.group(0) for m in _TOKEN.finditer(claim)]
    base = [re.sub(r"['’]s$", "", t) for t in ctoks]
    if entity not in base:
        return None
    i = base.index(entity)
    anchors = [ctoks[j].lower() for j in (i - 1, i + 1)
               if 0 <= j < len(ctoks) and ctoks[j][:1].isupper()]
    if not anchors:
        return None
    stoks = [m.group(0) for m in _TOKEN.finditer(text)]
    hits = [k for k, t in enumerate(stoks) if t.lower() in anchors]
    if not hits:
        return None
    return any(entity_found(entity, sentence_keys(" ".join(stoks[max(0, k - 4):k + 5])))
               for k in hits)


def _entity_check(query: Query, ev: Evidence) -> tuple[str | None, list[str], list[str]]:
    """(swap reason or None, claim entities the article never mentions, claim entities the
    source does not place where the claim does).

    A claim entity the sentence does not name is looked up where the claim puts it: if the
    sentence, or else the article, puts a different name in that phrase, it is a swap
    ("Lithuania's Prime Minister Kallas" vs "Estonian Prime Minister Kallas"). If the
    article never mentions it, and the sentence says the rest of the claim about another
    name, it is a swap too."""
    text = ev.sentence.text
    context = ev.context or text
    claim = query.proposition
    sent_keys = sentence_keys(text)
    doc_keys = sentence_keys(context)
    not_here = [e for e in entities(claim) if not entity_found(e, sent_keys)]
    absent: list[str] = []
    unplaced: list[str] = []
    for e in not_here:
        other = _slot_filler(claim, e, text)
        if other:
            return f"names differ: claim says {e}, the source says {other}", [e], [e]
        placed = _placed(claim, e, context)
        if placed is False:
            other = _slot_filler(claim, e, context)
            if other:
                return f"names differ: claim says {e}, the article says {other}", [e], [e]
            unplaced.append(e)
        elif placed is None and not entity_found(e, doc_keys):
            absent.append(e)
    claim_keys = sentence_keys(claim)
    extra = [e for e in entities(text, skip_initial=True) if not entity_found(e, claim_keys)]
    if absent and extra:
        unplaced.extend(absent)
        lowered = {a.lower() for a in absent}
        rest = [t for t in content_terms(claim) if t not in lowered]
        cov, _ = coverage(rest, text)
        if cov >= SWAP_COVERAGE:
            return f"names differ: claim says {absent[0]}, the source says {extra[0]}", \
                absent, unplaced
    return None, absent, unplaced


class OfflineJudge:
    name = "offline-heuristic-v1"

    def judge(self, query: Query, evidence: list[Evidence]) -> list[Judgement]:
        return [self._one(query, e) for e in evidence]

    def _one(self, query: Query, ev: Evidence) -> Judgement:
        text = ev.sentence.text
        align = ev.relevance
        swap, absent, unplaced = _entity_check(query, ev)
        if query.form == "open":
            if absent:
                return Judgement("neutral", align, f"the article does not mention {absent[0]}")
            if align >= OPEN_ANSWER_ALIGN:
                return Judgement("supports", align, "addresses the question")
            return Judgement("neutral", align, "")
        terms = content_terms(query.proposition)
        same_lang = ev.sentence.lang == query.lang
        cov, _ = coverage(terms, text)
        ents = {e.lower() for e in entities(query.proposition)}
        predicate = [t for t in terms if t not in ents] or terms
        pred_cov, _ = coverage(predicate, text)
        # how closely the sentence says the same thing: its words within a language (names
        # alone are not enough), its meaning across languages (shared words are only names)
        close = min(cov, max(pred_cov, 0.0)) if same_lang else ev.similarity
        objections: list[str] = []
        claim_neg, claim_cues = polarity_negative(query.proposition, terms)
        src_neg, src_cues = polarity_negative(text, terms)
        if claim_neg != src_neg:
            objections.append(f"polarity differs: source says '{src_cues[0]}'" if src_neg else
                              f"polarity differs: claim says '{claim_cues[0]}', source does not")
        number = _quantity_conflict(extract(query.proposition), extract(text))
        if number:
            objections.append(number)
        if swap:
            objections.append(swap)
        refute_floor = REFUTE_COVERAGE if same_lang else REFUTE_SIMILARITY
        if objections and align >= REFUTE_ALIGN and close >= refute_floor:
            return Judgement("refutes", min(1.0, align + 0.15), "; ".join(objections))
        if swap and "names differ" in swap and align >= SLOT_SWAP_ALIGN:
            # the source names someone else in the very phrase the claim uses
            return Judgement("refutes", min(1.0, align + 0.15), swap)
        strong = _cues(query.proposition, CERTAINTY)
        modal = _cues(query.proposition, MODALS) + strong
        hedged = _cues(text, HEDGES)
        modal = [c for c in modal if c not in _cues(text, MODALS) + _cues(text, CERTAINTY)]
        if modal and hedged and not _cues(query.proposition, HEDGES) \
                and align >= REFUTE_ALIGN and close >= refute_floor:
            return Judgement("refutes", 0.6 * align,
                             f"certainty differs: claim says '{modal[0]}', "
                             f"source says '{hedged[0]}'")
        if objections:
            return Judgement("neutral", align, "")
        if absent or unplaced:
            who = (absent or unplaced)[0]
            return Judgement("neutral", align, f"the source does not say this of {who}")
        missing_strong = [c for c in strong if c not in _cues(text, CERTAINTY)
                          and (same_lang or ev.similarity < 0.8)]
        if missing_strong:
            return Judgement("neutral", align, f"the source does not say '{missing_strong[0]}'")
        support_floor = SUPPORT_COVERAGE if same_lang else SUPPORT_SIMILARITY
        if align >= SUPPORT_ALIGN and close >= support_floor:
            claim_q = extract(query.proposition)
            src_q = extract(text)
            if claim_q and not all(any(consistent(q, s) for s in src_q) for q in claim_q):
                return Judgement("neutral", align, "the source does not give the number")
            shown = [f"{s.text} establishes {q.text}" if s.text != q.text else f"{q.text} matches"
                     for q in claim_q for s in src_q[:1] if consistent(q, s)]
            return Judgement("supports", align, "; ".join(["same statement", *shown]))
        return Judgement("neutral", align, "")
