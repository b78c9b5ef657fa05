"""Per-answer scoring: the parts of the metrics that need a judge or the source texts.

`score_answer` turns one Answer (the object, or its contract dict read back with
`Answer.from_dict`) into plain records that the metric functions in `eval/metrics.py`
aggregate without calling anything:

- citation validity: every `[n]` in the answer text resolves to a citation, and every
  citation's quote is exactly `source_text[start:end]`;
- per sentence, what it states and whether its citations support it (ALCE): the joint
  judgement of all its cited quotes, each quote alone, and each leave-one-out set when
  needed for precision; and whether it is supported by the answer's evidence as a whole
  (faithfulness).

What a sentence states, by its `role`: a quote (`Title: “quote” [n]`) states the quote; the
lead ("No — according to the sources…", "Supported — …") states the verdict about the
query's proposition, so it is faithful when its citations refute (or support, or for "The
sources disagree" do both) that proposition, except the open-question lead ("According to
the sources:", `compose.lead_states_verdict`), which states nothing and is not scored. A
generated sentence is judged as written, without its `[n]` markers.
"""

from __future__ import annotations

import re
from typing import Any

from eval.judges import SupportScorer
from rag.types import Answer, AnswerSentence

MARKER = re.compile(r"\s?\[(\d+)\]")
QUOTED = re.compile(r"“(.+)”")
WANT = {"supported": ("supported",), "refuted": ("refuted",),
        "conflicting": ("supported", "refuted")}


def as_answer(answer: Answer | dict[str, Any]) -> Answer:
    return answer if isinstance(answer, Answer) else Answer.from_dict(answer)


def proposition(query: str) -> str:
    """The statement a verdict is about (the engine's own query analysis)."""
    from rag.query.analyse import analyse

    return analyse(query).proposition


def statement(sentence: AnswerSentence, answer: Answer) -> tuple[str, str, tuple[str, ...]]:
    """(role, claim, wanted labels) for one answer sentence."""
    from rag.answer.compose import lead_states_verdict
    from rag.query.analyse import analyse

    if sentence.role == "lead":
        if not lead_states_verdict(analyse(answer.query).form, answer.verdict):
            return "frame", "", ()
        return "verdict", proposition(answer.query), WANT.get(answer.verdict, ())
    plain = MARKER.sub("", sentence.text).strip()
    m = QUOTED.search(plain)
    return "content", (m.group(1) if m else plain), ("supported",)


def citation_validity(answer: Answer | dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """Do all markers resolve and all quotes match their source offsets?"""
    answer = as_answer(answer)
    cites = {c.n: c for c in answer.citations}
    problems: list[str] = []
    for m in sorted({int(x) for x in MARKER.findall(answer.answer)}):
        if m not in cites:
            problems.append(f"[{m}] resolves to no citation")
    for c in cites.values():
        src = texts.get(c.source)
        if src is None:
            problems.append(f"[{c.n}] cites unknown source {c.source}")
        elif src[c.start:c.end] != c.quote:
            problems.append(f"[{c.n}] quote != {c.source}[{c.start}:{c.end}]")
    return {"n_citations": len(cites), "valid": not problems, "problems": problems}


def score_answer(answer: Answer | dict[str, Any], scorer: SupportScorer) -> list[dict[str, Any]]:
    """One record per answer sentence (see the module docstring)."""
    answer = as_answer(answer)
    cites = {c.n: c.quote for c in answer.citations}
    context = "\n".join(cites.values())
    out = []
    for s in answer.sentences:
        role, claim, want = statement(s, answer)
        ns = [n for n in s.citations if n in cites]
        rec: dict[str, Any] = {"text": s.text, "role": role, "claim": claim,
                               "want": list(want), "citations": ns}
        if role == "frame":
            out.append(rec)
            continue
        each = {n: scorer.score(claim, cites[n]) for n in ns}
        rec["each"] = {str(n): j.label for n, j in each.items()}
        rec["reasons"] = {str(n): j.reason for n, j in each.items()}
        if role == "verdict":
            labels = {j.label for j in each.values()}
            rec["supported"] = bool(want) and all(w in labels for w in want)
            rec["precise"] = {str(n): each[n].label in want for n in ns}
            every = {scorer.score(claim, q).label for q in cites.values()}
            rec["faithful"] = bool(want) and all(w in every for w in want)
        else:
            joint = scorer.score(claim, "\n".join(cites[n] for n in ns)) if ns else None
            rec["joint"] = joint.label if joint else None
            rec["supported"] = joint is not None and joint.label == "supported"
            precise = {}
            for n in ns:
                if not rec["supported"]:
                    precise[str(n)] = False
                elif len(ns) == 1 or each[n].label == "supported":
                    precise[str(n)] = True
                else:  # ALCE: redundant if the others still support the sentence without it
                    rest = "\n".join(cites[m] for m in ns if m != n)
                    precise[str(n)] = scorer.score(claim, rest).label != "supported"
            rec["precise"] = precise
            rec["faithful"] = rec["supported"] or (
                bool(context) and scorer.score(claim, context).label == "supported")
        out.append(rec)
    return out


def prefetch_items(answer: Answer | dict[str, Any]) -> list[tuple[str, str]]:
    """The (claim, passage) pairs `score_answer` will ask for first, for batch embedding."""
    answer = as_answer(answer)
    cites = {c.n: c.quote for c in answer.citations}
    items = []
    for s in answer.sentences:
        role, claim, _ = statement(s, answer)
        if role == "frame":
            continue
        ns = [n for n in s.citations if n in cites]
        items += [(claim, cites[n]) for n in ns]
        if role == "content" and ns:
            items.append((claim, "\n".join(cites[n] for n in ns)))
    return items
