"""Claim mode: split a pasted paragraph into check-worthy claims.

Kept: declarative sentences with something checkable — a named entity or a number — and
at least four words. Skipped (with the reason, so the UI can show it): questions,
fragments, and opinions with nothing checkable in them ("I think we should act").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.nlp.entities import entities
from rag.nlp.quantities import extract
from rag.nlp.text import detect_lang, sentence_spans, words

_OPINION = re.compile(r"\b(?:i think|i believe|in my (?:view|opinion)|we should|should|"
                      r"jag tycker|jag tror|enligt mig|vi borde|borde|bör)\b", re.I)


@dataclass(frozen=True)
class ClaimSplit:
    text: str
    start: int
    end: int
    checkworthy: bool
    reason: str = ""


def split_claims(paragraph: str) -> list[ClaimSplit]:
    lang = detect_lang(paragraph)
    out: list[ClaimSplit] = []
    for a, b in sentence_spans(paragraph, 0, len(paragraph), lang):
        s = paragraph[a:b]
        n_words = len(words(s))
        has_fact = bool(extract(s)) or bool(entities(s[1:] if s else s))
        if s.rstrip().endswith("?"):
            out.append(ClaimSplit(s, a, b, False, "question"))
        elif n_words < 4:
            out.append(ClaimSplit(s, a, b, False, "fragment"))
        elif _OPINION.search(s) and not has_fact:
            out.append(ClaimSplit(s, a, b, False, "opinion without a checkable fact"))
        elif not has_fact:
            out.append(ClaimSplit(s, a, b, False, "nothing checkable (no name or number)"))
        else:
            out.append(ClaimSplit(s, a, b, True))
    return out
