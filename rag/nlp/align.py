"""How well a sentence lines up with a proposition: term coverage (stems, numbers, compound
parts, in both languages), clause splitting, the scaled semantic similarity and the one
relevance formula that mixes them (`blend`). Names are matched in `rag.nlp.entities`.

Coverage counts the proposition's content terms found in the sentence. Function words,
question/modal/negation cues are not content: they are handled by the judge's checks.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.nlp.lexicon import (
    APPROX,
    CERTAINTY,
    HEDGES,
    LOWER_BOUND,
    NEGATIONS,
    UPPER_BOUND,
    WH_WORDS,
    YESNO_STARTERS,
    all_of,
)
from rag.nlp.text import stems, stopwords, words

_CLAUSE = re.compile(
    r"[,;:—–()\"“”‘’]|\s'|'\s|^'|'$|\b(?:but|while|whereas|although|men|medan|fast)\b", re.I)
# multilingual-e5-small similarities crowd into [0.75, 0.95]; map that range onto [0, 1]
SEM_LOW, SEM_HIGH = 0.78, 0.93


@lru_cache(maxsize=1)
def non_content() -> frozenset[str]:
    return frozenset(stopwords("en") | stopwords("sv") | all_of(WH_WORDS)
                     | YESNO_STARTERS["en"] | all_of(NEGATIONS) | all_of(HEDGES)
                     | all_of(CERTAINTY) | {"would", "say", "said", "says", "säger", "sade",
                                            "sa", "according", "enligt"}
                     | {w for cue in LOWER_BOUND | UPPER_BOUND | APPROX for w in cue.split()})


def content_terms(text: str) -> list[str]:
    """Words that carry the claim's content. Numbers are left to the quantity check, which
    compares them by value and bound ("at least 10" is established by "12")."""
    stop = non_content()
    return list(dict.fromkeys(w for w in words(text)
                              if w not in stop and not w.replace(",", "").isdigit()))


@lru_cache(maxsize=65536)
def _forms(word: str) -> frozenset[str]:
    """A word's match keys: itself, its en and sv stems, and its compound parts' stems."""
    parts = [word, *[p for p in re.split(r"[-']", word) if len(p) > 2]]
    out: set[str] = set()
    for p in parts:
        out.add(p)
        out.update(stems([p], "en"))
        out.update(stems([p], "sv"))
    return frozenset(out)


@lru_cache(maxsize=4096)
def sentence_keys(text: str) -> frozenset[str]:
    keys: set[str] = set()
    for w in words(text):
        keys |= _forms(w)
    return frozenset(keys)


def term_found(term: str, keys: frozenset[str]) -> bool:
    forms = _forms(term)
    if forms & keys:
        return True
    # a shared 5-letter prefix of longer words catches derivations stemmers keep apart
    # ("intends"/"intentions", "trainers"/"training")
    if len(term) >= 6:
        return any(len(k) >= 6 and k[:5] == term[:5] for k in keys)
    return False


def coverage(terms: list[str], text: str) -> tuple[float, list[str]]:
    """Fraction of `terms` found in `text`, and the terms that were not."""
    if not terms:
        return 0.0, []
    keys = sentence_keys(text)
    missing = [t for t in terms if not term_found(t, keys)]
    return 1.0 - len(missing) / len(terms), missing


def clauses(text: str) -> list[str]:
    text = re.sub(r"(?<=\w)[’'](?=\w)", "'", text)  # an apostrophe inside a word is no quote
    return [c.strip() for c in _CLAUSE.split(text) if c and c.strip()]


def scaled_similarity(cos: float) -> float:
    return min(1.0, max(0.0, (cos - SEM_LOW) / (SEM_HIGH - SEM_LOW)))


def blend(sem: float, cov: float, cross: bool) -> float:
    """How closely a sentence is about a proposition: its scaled semantic similarity and
    its coverage of the proposition's content terms, the similarity weighing more across
    languages (where shared words are only names and numbers)."""
    w_sem = 0.75 if cross else 0.5
    return w_sem * sem + (1 - w_sem) * cov
