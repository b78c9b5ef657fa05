"""What a sentence asserts, as opposed to what it only mentions.

"Whether a Russian attack … would trigger Article 5 was discussed in Tallinn" has every
word of the claim and asserts none of it; nor does "Reporters asked whether …", "Frågan om
Sverige ska skicka instruktörer togs upp" or the condition of "if X, Y". The offline judge
read such sentences as "same statement" and quoted them as support. `asserted` removes the
clauses a sentence does not assert, so that support is measured on the rest:

- an embedded question: from "whether" / "huruvida", or "if" / "om" after a word that
  takes a question ("asked if", "frågan om", "undrade om"), to the end of its clause;
- a condition: from "if" / "unless" / "ifall" / "såvida" (Swedish "om" first in the
  sentence or after "även", "men" …: elsewhere it is "about") to the end of its clause.
  A hypothetical claim ("would X trigger Y?") may be said by "if X, it would Y", but only
  when the asserted part carries some of it: "if Russia attacked NATO trainers, it would
  not trigger Article 5" does not say "Russia would attack NATO" (the judge decides,
  `heuristic._only_mentioned`).

A clause ends at a comma, semicolon, colon, dash or the sentence's end: "Whether X was
discussed" is wholly a mention; in "Kallas said that if Russia attacked, it would not
trigger Article 5" only the condition is. This withholds support; it never refutes (the
clauses are not denied either). No parser installs offline; clause ends are punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.nlp.align import coverage
from rag.nlp.lexicon import (
    CONDITION_OPENERS,
    HYPOTHETICAL_VERBS,
    HYPOTHETICALS,
    OM_CONDITION,
    QUESTION_GOVERNORS,
    QUESTION_OPENERS,
)
from rag.nlp.text import WORD_RE, words

_CLAUSE_END = re.compile(r"[,;:–—]|\s-\s")


@dataclass(frozen=True)
class Mention:
    cue: str  # the word opening the clause, as written
    start: int
    end: int
    condition: bool = False  # a condition ("if X"), not an embedded question


def _opens(word: str, previous: str, first: bool, lang: str, conditions: bool) -> str:
    """"question" or "condition" when `word` opens such a clause, "" otherwise."""
    low = word.lower()
    if low in QUESTION_OPENERS.get(lang, set()):
        return "question"
    if low in ("if", "om") and previous in QUESTION_GOVERNORS.get(lang, set()):
        return "question"  # "asked if", "frågan om"
    if not conditions:
        return ""
    if lang == "sv" and low == "om":
        return "condition" if first or previous in OM_CONDITION else ""
    return "condition" if low in CONDITION_OPENERS.get(lang, set()) else ""


def hypothetical(claim: str, lang: str) -> bool:
    """Is the claim itself hypothetical or conditional ("would", "if", "skulle")?"""
    return any(w in HYPOTHETICALS.get(lang, set()) for w in words(claim))


def mentions(text: str, lang: str, conditions: bool = True) -> list[Mention]:
    """The clauses of `text` it mentions without asserting. With `conditions` false only
    embedded questions count."""
    out: list[Mention] = []
    previous = ""
    for m in WORD_RE.finditer(text):
        if out and m.start() < out[-1].end:
            previous = m.group(0).lower()
            continue
        first = not text[:m.start()].strip(" \"'“”‘’«»")
        if kind := _opens(m.group(0), previous, first, lang, conditions):
            end = _CLAUSE_END.search(text, m.end())
            out.append(Mention(m.group(0), m.start(), end.start() if end else len(text),
                               kind == "condition"))
        previous = m.group(0).lower()
    return out


def asserted(text: str, lang: str, conditions: bool = True) -> tuple[str, str]:
    """(`text` without the clauses it only mentions, the first cue; "" when none). With
    `conditions` false, conditions are kept and only embedded questions removed."""
    found = mentions(text, lang, conditions)
    if not found:
        return text, ""
    kept, at = [], 0
    for m in found:
        kept.append(text[at:m.start])
        at = m.end
    kept.append(text[at:])
    return " ".join(k.strip() for k in kept if k.strip()), found[0].cue


def hypothetical_consequent(text: str, lang: str, terms: list[str]) -> str:
    """The condition's cue ("if", "om") when `text` says the claim only as the consequent of
    a condition: the asserted clause that carries most of the claim's `terms` is
    hypothetical ("if the vote fails, the ministry would cut the budget"); "" when the claim
    is in a clause stated as fact ("NATO should not be afraid …, as if X, it would Y")."""
    conditions = [m for m in mentions(text, lang) if m.condition]
    if not conditions:
        return ""
    rest, _ = asserted(text, lang)
    # no comma after the condition ("Om X skulle Y"): the condition's clause is all there is
    clauses = [c for c in _CLAUSE_END.split(rest) if c.strip()] or [text]
    carrier = max(clauses, key=lambda c: coverage(terms, c)[0])
    verbs = HYPOTHETICAL_VERBS.get(lang, set())
    return conditions[0].cue.lower() if any(w in verbs for w in words(carrier)) else ""
