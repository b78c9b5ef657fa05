"""Titles: "Poland's Foreign Minister Kosiniak-Kamysz" against a source's "Polish Defence
Minister Władysław Kosiniak-Kamysz" is a swap of the office, not of the name.

Titles are roles, not names (`rag.nlp.entities.is_role`): a source need not repeat the
claim's "Prime Minister" before "Kallas". But when claim and source both give the same
person a title and the titles differ, the source says something else of that person. A
title is the run of title words right before the name ("Defence Minister Kosiniak-Kamysz",
over the person's other names: "Minister Władysław Kosiniak-Kamysz"), or after a copula
("Kosiniak-Kamysz is Poland's Foreign Minister", "… är Polens utrikesminister"), a
country or genitive before the run allowed. Titles compare by office (`ROLE_CONCEPTS`,
en and sv: "utrikesminister" is "Foreign Minister"); within one language an unlisted
title compares by its words, and a less specific title ("Minister") is no swap of a more
specific one ("Defence Minister"). Across languages only listed offices compare.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.nlp.entities import is_role
from rag.nlp.lexicon import ARTICLES, COPULAS, ROLE_CONCEPTS
from rag.nlp.text import WORD_RE
from rag.types import Objection

_POSSESSIVE = re.compile(r"['’]s$")
_DEFINITE = re.compile(r"(minister|president|kansler|sekreterare)(n|en|ns|ens)$")
MAX_NAME_PARTS = 3  # a person's other names between the title and the name looked up


@lru_cache(maxsize=1)
def _concepts() -> dict[str, str]:
    return {form: key for key, forms in ROLE_CONCEPTS.items() for form in forms}


def _norm(words: list[str]) -> str:
    return " ".join(_DEFINITE.sub(r"\1", w.lower()) for w in words)


def _run(toks: list[str], i: int, step: int) -> list[str]:
    """The title words from token i on, moving by `step`, in reading order."""
    out: list[str] = []
    while 0 <= i < len(toks) and is_role(toks[i]):
        out.append(toks[i])
        i += step
    return out[::-1] if step < 0 else out


def title_of(text: str, name: str) -> list[str]:
    """The title `text` gives `name` (its words as written; [] when none)."""
    toks = [_POSSESSIVE.sub("", m.group(0)) for m in WORD_RE.finditer(text)]
    for i, t in enumerate(toks):
        if t != name:
            continue
        j = i - 1
        while j >= 0 and i - j <= MAX_NAME_PARTS and toks[j][:1].isupper() \
                and not is_role(toks[j]):
            j -= 1  # the person's other names: "Minister Władysław Kosiniak-Kamysz"
        before = _run(toks, j, -1)
        if before:
            return before
        k = i + 1
        while k < len(toks) and toks[k][:1].isupper() and not is_role(toks[k]) \
                and k - i <= MAX_NAME_PARTS:
            k += 1  # "Kaja Kallas is …" looked up by "Kaja"
        if k < len(toks) and toks[k].lower() in COPULAS:
            k += 1
            while k < len(toks) and toks[k].lower() in ARTICLES:
                k += 1
            if k < len(toks) and toks[k][:1].isupper() and not is_role(toks[k]):
                k += 1  # "Poland's", "Polens", "Estonian"
            after = _run(toks, k, 1)
            if after:
                return after
    return []


def _differ(a: list[str], b: list[str], same_lang: bool) -> bool:
    na, nb = _norm(a), _norm(b)
    ca, cb = _concepts().get(na), _concepts().get(nb)
    if ca and cb:
        return ca != cb
    if not same_lang:
        return False  # an unlisted title cannot be compared across languages
    wa, wb = set(na.split()), set(nb.split())
    return not (wa <= wb or wb <= wa)


def title_swap(claim: str, names: list[str], text: str, same_lang: bool) -> Objection | None:
    """The claim's title and the source's for the same person, when they differ."""
    for n in names:
        if is_role(n):
            continue
        mine = title_of(claim, n)
        if not mine:
            continue
        theirs = title_of(text, n)
        if theirs and _differ(mine, theirs, same_lang):
            return Objection("role", " ".join(mine), " ".join(theirs))
    return None
