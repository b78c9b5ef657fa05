"""Is a sentence a statement about the world? Only those may support or refute anything.

`statement_kind(text)` sorts a sentence by its form, whatever it is about and however
similar it is to a question:

- `question`: it asks (ends in "?");
- `instruction`: it tells its reader what to do (`rag.safety.directive` and the
  AI-addressed shapes of `rag.safety.hidden.instruction`), or proposes it ("Let's …",
  "Låt oss …");
- `heading`: a short line with no sentence punctuation, or a markdown heading;
- `table`: table scaffolding or a row (cells split by bars or tabs, separator rows);
- `reference`: a link or address with next to no words around it ("Source: bit.ly/x");
- `meta_verdict`: text about fact-checking or verdicts rather than the world ("all
  fact-checkers agree", "the correct verdict is supported", "the claim is false");
- `engine_format`: text in the engine's own answer format — its lead sentences (read from
  `rag.answer.compose.LEADS`, so a changed lead is still recognised), `[n]` citation
  markers, "verdict: …", "(confidence 0.99)";
- `statement`: everything else.

Evidence selection (`rag.query.evidence`) keeps only statements, so none of the others
reaches a judge, the NLI model or a prompt. Every check reads the visible, confusables-folded
text (`rag.safety.hidden.visible`).

What it does not do: decide whether a statement is true, or hide anything at ingest.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

from rag.safety.directive import directive
from rag.safety.hidden import instruction, visible


class StatementKind(Enum):
    STATEMENT = "statement"
    QUESTION = "question"
    INSTRUCTION = "instruction"
    HEADING = "heading"
    TABLE = "table"
    REFERENCE = "reference"
    META_VERDICT = "meta_verdict"
    ENGINE_FORMAT = "engine_format"


# two cell bars, a tab, a separator row, or two column gaps of 3+ spaces (raw text only)
_TABLE = re.compile(r"\|.*\||\t|^\s*[|:+=-]{3,}\s*$|\S {3,}\S.*\S {3,}\S")
_LABEL = (r"(?:supported|refuted|conflicting|not[ _]enough[ _]info|true|false|mostly true|"
          r"mostly false|misleading|correct|incorrect|confirmed|debunked|accurate|"
          r"inaccurate|stöds|motsägs|motsagd|sant|falskt|korrekt|felaktigt?|bekräftad|"
          r"bekräftat|vilseledande|går isär)")
_ENGINE = re.compile(
    r"\[\d{1,2}\]|\bverdict\s*[:=]|\butslag\s*[:=]|\bconfidence\s*[:=(]?\s*[01]?[.,]\d|"
    r"\b(?:säkerhet|konfidens)\s*[:=(]?\s*[01]?[.,]\d|\bnot_enough_info\b|"
    r"\baccording to the (?:indexed |cited )?(?:sources|articles)\b|"
    r"\benligt (?:de indexerade |de citerade )?(?:källorna|artiklarna)\b|"
    rf"^\W*{_LABEL}\s*[—–:-]", re.I)
_META = re.compile(
    r"\bfact[- ]?check\w*|\bfaktagransk\w*|\bfaktakoll\w*|"
    r"\b(?:the|a|this|that|its|our)\s+(?:correct|right|true|final|only|real|official)\s+"
    r"(?:verdict|answer|rating|label|conclusion|assessment)\b|"
    r"\b(?:rätt|korrekt|riktigt|rätta|korrekta|riktiga|slutliga|enda)\s+(?:svar(?:et)?|"
    r"utslag(?:et)?|bedömning(?:en)?|slutsats(?:en)?)\b|"
    rf"\b(?:verdicts?|ratings?|labels?|utslag(?:et)?|bedömning(?:en)?)\b.{{0,40}}\b{_LABEL}\b|"
    rf"\b(?:the |this |that )?(?:claims?|statements?|assertions?|påstående(?:t|n|na)?)\s+"
    rf"(?:is|are|was|were|has been|have been|är|var|har)\s+(?:\w+\s+)?{_LABEL}\b|"
    rf"\b(?:claims?|statements?|påstående(?:t|n|na)?)\s+(?:that|att)\b.{{0,200}}\s(?:is|are|was|"
    rf"were|är|var)\s+(?:\w+\s+)?{_LABEL}\W*$|"
    rf"\brated\s+(?:as\s+)?{_LABEL}\b|\b(?:klassad|bedömd|betygsatt)\s+som\s+{_LABEL}\b",
    re.I)
# a proposal to its hearers, not a statement ("Let's strike Russia", "Låt oss slå mot …")
_HORTATIVE = re.compile(r"^\W*(?:let['’]?s|let us|låt oss)\b", re.I)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}(?:/\S*)?\b",
                  re.I)
_WORDS = re.compile(r"[^\W\d_]{2,}")
_ENDINGS = set(".!?…:;,\"'”’»)")
HEADING_WORDS = 12  # a heading is short: longer unpunctuated lines are run-on sentences


@lru_cache(maxsize=1)
def _leads() -> tuple[str, ...]:
    """The engine's own lead sentences, lower-cased, without their final punctuation."""
    from rag.answer.compose import LEADS

    return tuple(sorted({visible(t).lower().rstrip(".:!") for by_lang in LEADS.values()
                         for t in by_lang.values()}, key=len, reverse=True))


@lru_cache(maxsize=4096)
def statement_kind(text: str) -> StatementKind:
    """What kind of sentence `text` is (see the module docstring)."""
    seen = visible(text)
    bare = seen.strip().rstrip("\"'”’»)")
    if _TABLE.search(text) or _TABLE.search(seen):
        return StatementKind.TABLE
    low = seen.lower()
    if _ENGINE.search(seen) or any(low.startswith(lead) for lead in _leads()):
        return StatementKind.ENGINE_FORMAT
    if _META.search(seen):
        return StatementKind.META_VERDICT
    if bare.endswith("?"):
        return StatementKind.QUESTION
    if instruction(seen, seen) or directive(seen) or _HORTATIVE.search(seen):
        return StatementKind.INSTRUCTION
    if _URL.search(seen) and len(_WORDS.findall(_URL.sub(" ", seen))) < 4:
        return StatementKind.REFERENCE
    if seen.lstrip().startswith("#") or (
            seen.rstrip()[-1:] not in _ENDINGS and len(seen.split()) <= HEADING_WORDS):
        return StatementKind.HEADING
    return StatementKind.STATEMENT


def is_statement(text: str) -> bool:
    return statement_kind(text) is StatementKind.STATEMENT
