"""Per-answer scoring: the parts of the metrics that need a judge or the source texts.

`score_answer` turns one Answer (its contract dict) into plain records that the metric
functions in `eval/metrics.py` aggregate without calling anything:

- citation validity: every `[n]` in the answer text resolves to a citation, and every
  citation's quote is exactly `source_text[start:end]`;
- per sentence, what it states and whether its citations support it (ALCE): the joint
  judgement of all its cited quotes, each quote alone, and each leave-one-out set when
  needed for precision; and whether it is supported by the answer's evidence as a whole
  (faithfulness).

What a sentence states: a sentence quoting a source (`Title: “quote” [n]`) states the quote;
a lead line of the extractive composer ("No — according to the sources…", "Supported — …")
states the verdict about the query's proposition, so it is faithful when its citations
refute (or support, or for "The sources disagree" do both) that proposition; the open-question
lead ("According to the sources:") states nothing and is not scored. Any other sentence (an
LLM's) is judged as written, without its `[n]` markers.
"""

from __future__ import annotations

import re
from typing import Any

from eval.judges import SupportScorer

MARKER = re.compile(r"\s?\[(\d+)\]")
QUOTED = re.compile(r"“(.+)”")
WANT = {"supported": ("supported",), "refuted": ("refuted",),
        "conflicting": ("supported", "refuted")}


def _leads() -> tuple[set[str], set[str]]:
    from rag.answer.compose import LEADS

    frames = set(LEADS[("open", "supported")].values())
    verdicts = {t for key, table in LEADS.items() for t in table.values()} - frames
    return verdicts, frames


def proposition(query: str) -> str:
    """The statement a verdict is about (the engine's own query analysis)."""
    from rag.query.analyse import analyse

    return analyse(query).proposition


def statement(text: str, verdict: str, query: str) -> tuple[str, str, tuple[str, ...]]:
    """(role, claim, wanted labels) for one answer sentence."""
    verdict_leads, frames = _leads()
    plain = MARKER.sub("", text).strip()
    if plain in frames:
        return "frame", "", ()
    if plain in verdict_leads:
        return "verdict", proposition(query), WANT.get(verdict, ())
    m = QUOTED.search(plain)
    return "content", (m.group(1) if m else plain), ("supported",)


def citation_validity(answer: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """Do all markers resolve and all quotes match their source offsets?"""
    cites = {c["n"]: c for c in answer.get("citations", [])}
    problems: list[str] = []
    for m in sorted({int(x) for x in MARKER.findall(answer.get("answer", ""))}):
        if m not in cites:
            problems.append(f"[{m}] resolves to no citation")
    for c in cites.values():
        src = texts.get(c["source"])
        if src is None:
            problems.append(f"[{c['n']}] cites unknown source {c['source']}")
        elif src[c["start"]:c["end"]] != c["quote"]:
            problems.append(f"[{c['n']}] quote != {c['source']}[{c['start']}:{c['end']}]")
    return {"n_citations": len(cites), "valid": not problems, "problems": problems}


def score_answer(answer: dict[str, Any], scorer: SupportScorer) -> list[dict[str, Any]]:
    """One record per answer sentence (see the module docstring)."""
    cites = {c["n"]: c for c in answer.get("citations", [])}
    context = "\n".join(c["quote"] for c in cites.values())
    out = []
    for s in answer.get("sentences", []):
        role, claim, want = statement(s["text"], answer["verdict"], answer["query"])
        ns = [n for n in s.get("citations", []) if n in cites]
        rec: dict[str, Any] = {"text": s["text"], "role": role, "claim": claim,
                               "want": list(want), "citations": ns}
        if role == "frame":
            out.append(rec)
            continue
        each = {n: scorer.score(claim, cites[n]["quote"]) for n in ns}
        rec["each"] = {str(n): j.label for n, j in each.items()}
        rec["reasons"] = {str(n): j.reason for n, j in each.items()}
        if role == "verdict":
            labels = {j.label for j in each.values()}
            rec["supported"] = bool(want) and all(w in labels for w in want)
            rec["precise"] = {str(n): each[n].label in want for n in ns}
            every = {scorer.score(claim, c["quote"]).label for c in cites.values()}
            rec["faithful"] = bool(want) and all(w in every for w in want)
        else:
            joint = scorer.score(claim, "\n".join(cites[n]["quote"] for n in ns)) if ns else None
            rec["joint"] = joint.label if joint else None
            rec["supported"] = joint is not None and joint.label == "supported"
            precise = {}
            for n in ns:
                if not rec["supported"]:
                    precise[str(n)] = False
                elif len(ns) == 1 or each[n].label == "supported":
                    precise[str(n)] = True
                else:  # ALCE: redundant if the others still support the sentence without it
                    rest = "\n".join(cites[m]["quote"] for m in ns if m != n)
                    precise[str(n)] = scorer.score(claim, rest).label != "supported"
            rec["precise"] = precise
            rec["faithful"] = rec["supported"] or (
                bool(context) and scorer.score(claim, context).label == "supported")
        out.append(rec)
    return out


def prefetch_items(answer: dict[str, Any]) -> list[tuple[str, str]]:
    """The (claim, passage) pairs `score_answer` will ask for first, for batch embedding."""
    cites = {c["n"]: c for c in answer.get("citations", [])}
    items = []
    for s in answer.get("sentences", []):
        role, claim, _ = statement(s["text"], answer["verdict"], answer["query"])
        if role == "frame":
            continue
        ns = [n for n in s.get("citations", []) if n in cites]
        items += [(claim, cites[n]["quote"]) for n in ns]
        if role == "content" and ns:
            items.append((claim, "\n".join(cites[n]["quote"] for n in ns)))
    return items
