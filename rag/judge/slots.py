"""Where a claim puts a name, and what name the source puts there.

Used by the offline judge to catch swapped entities: "Lithuania's Prime Minister Kallas"
against "Estonian Prime Minister Kallas", or "the security advisor is Šimonytė" against
"the security advisor, Madis Roll". A slot is the claim's nearest content word on either
side of the name (its anchor); the source fills the slot with the capitalised word next to
the same anchor, on the same side. Only meaningful within one language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType

from rag.nlp.align import sentence_keys
from rag.nlp.entities import entity_found
from rag.nlp.lexicon import REPORTING
from rag.nlp.text import PART_RE as _TOKEN
from rag.nlp.text import stopwords

_COORDINATORS = {"and", "or", "nor", "och", "eller", "samt", "&"}
_COPULAS = {"is", "was", "are", "were", "be", "är", "var", "vara"}
_POSSESSIVE = re.compile(r"['’]s$")
_BREAK = re.compile(r"[.,;:!?()\[\]\"“”«»—–]")
WINDOW = 5  # tokens after the anchor in which the source may still name the claim's entity


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    return stopwords("en") | stopwords("sv")


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[tuple[str, ...], tuple[str, ...], Mapping[int, str]]:
    """Tokens, their possessive-free forms, and the clause breaks: token index -> the
    punctuation between it and the token before (a slot does not reach across it).
    Cached (read-only results): the judge asks for the same claim and evidence sentences
    many times per answer (7-10% of warm answer time in bench/latency.py's profile)."""
    ms = list(_TOKEN.finditer(text))
    toks = [m.group(0) for m in ms]
    breaks: dict[int, str] = {}
    for j in range(1, len(ms)):
        gap = "".join(_BREAK.findall(text[ms[j - 1].end():ms[j].start()]))
        if gap:
            breaks[j] = gap
    return tuple(toks), tuple(_POSSESSIVE.sub("", t) for t in toks), MappingProxyType(breaks)


def name_run(toks: Sequence[str], base: Sequence[str], i: int) -> list[int]:
    """Indices of the multi-word name around token i ("Prime Minister Kaja Kallas").
    A possessive ends a name: "Lithuania's Prime Minister" is two names."""
    run = [i]
    j = i - 1
    while j >= 0 and toks[j][:1].isupper() and base[j] == toks[j]:
        run.append(j)
        j -= 1
    j = i + 1
    while j < len(toks) and base[j - 1] == toks[j - 1] and toks[j][:1].isupper():
        run.append(j)
        j += 1
    return sorted(run)


def _crosses(breaks: Mapping[int, str], a: int, b: int) -> bool:
    """Is there a clause break between tokens a and b (adjacent, either order)?"""
    return max(a, b) in breaks


def _between(base: Sequence[str], a: int, b: int) -> tuple[str, ...]:
    """The function words strictly between tokens a and b, in reading order."""
    lo, hi = sorted((a, b))
    # a copula is an apposition's comma: "the advisor is X" fills the slot of "the advisor, X"
    return tuple(t.lower() for t in base[lo + 1:hi] if t.lower() not in _COPULAS)


def _walk(toks: Sequence[str], start: int, step: int, want_cap: bool,
          breaks: Mapping[int, str] | None = None) -> int | None:
    """From `start`, moving by `step`, skip function words; return the first content token
    (capitalised, if `want_cap`) within the clause, or None. A comma right after the
    anchor is crossed (apposition: "the security advisor, Madis Roll"); nothing else is."""
    j = start
    fw = _function_words()
    breaks = breaks or {}
    while 0 <= j < len(toks):
        gap = breaks.get(max(j, j - step))
        if gap and not (gap == "," and j == start):
            return None
        t = toks[j]
        if t.lower() in fw:
            j += step
            continue
        if want_cap:
            return j if t[:1].isupper() else None
        return j if len(t) >= 3 and not t.isdigit() else None
    return None


def _window(base: Sequence[str], breaks: Mapping[int, str], start: int, step: int) -> list[str]:
    """Up to WINDOW tokens from `start` in direction `step`, stopping at a clause break."""
    out: list[str] = []
    j = start
    while 0 <= j < len(base) and len(out) < WINDOW:
        if out and _crosses(breaks, j, j - step):
            break
        out.append(base[j])
        j += step
    return out


def _omitted_part(cbase: Sequence[str], run: list[int], i: int, sbase: Sequence[str]) -> bool:
    """Does the source name the rest of the claim's name with nothing else in the missing
    part's place? "PM Kallas" omits "Kaja" (an abbreviation or title may stand there);
    "The Financial Times" does not omit "New York" from "The New York Times"."""
    others = [cbase[k].lower() for k in run if k != i]
    if not others:
        return False
    before = i < max(run)
    for k, tok in enumerate(sbase):
        if tok.lower() not in others:
            continue
        j = k - 1 if before else k + 1
        if not 0 <= j < len(sbase):
            return True
        nxt = sbase[j]
        if not nxt[:1].isupper() or nxt.isupper() or len(nxt) <= 3 or nxt.lower() in others:
            return True
    return False


def _cap_run(base: Sequence[str], start: int, step: int) -> list[str]:
    """The capitalised words from `start` on, in direction `step`, in reading order."""
    out: list[str] = []
    j = start
    while 0 <= j < len(base) and base[j][:1].isupper():
        out.append(base[j])
        j += step
    return out if step > 0 else out[::-1]


def _abbreviates(short: str, words: Sequence[str]) -> bool:
    """Is `short` an acronym of `words` ("SAS" of Special Air Service, "FM" of Foreign
    Minister), possibly of a contiguous part of them?"""
    if not short.isupper() or len(short) < 2 or len(words) < 2:
        return False
    initials = "".join(w[0] for w in words).upper()
    return short in initials


def abbreviated_in(claim: str, entity: str, text: str) -> bool:
    """Does `text` name the claim's multi-word name around `entity` by its acronym, or
    spell out the claim's acronym ("FM" / "Foreign Minister", "SAS" / "Special Air
    Service")?"""
    ctoks, cbase, _ = _tokens(claim)
    if entity not in cbase:
        return False
    run = [cbase[k] for k in name_run(ctoks, cbase, cbase.index(entity))]
    stoks, sbase, _ = _tokens(text)
    if any(_abbreviates(t, run) for t in sbase):
        return True
    return any(_abbreviates(entity, _cap_run(sbase, k, 1)) for k in range(len(sbase))
               if sbase[k][:1] == entity[:1])


def slot_filler(claim: str, entity: str, text: str, name_anchors_only: bool = False) -> str | None:
    """The different name `text` puts in the claim's slot for `entity`, or None if the text
    puts the entity itself there, has no such slot, or names only part of the name.
    With `name_anchors_only`, only capitalised neighbours anchor a slot (common nouns
    like "soldiers" recur with many names; use them only for closely aligned sentences)."""
    ctoks, cbase, cbreaks = _tokens(claim)
    if entity not in cbase:
        return None
    i = cbase.index(entity)
    run = name_run(ctoks, cbase, i)
    stoks, sbase, sbreaks = _tokens(text)
    keys = sentence_keys(text)
    fw = _function_words()
    run = [k for k in run if cbase[k].lower() not in fw]  # "The" of "The New York Times"
    if not run:
        return None  # the "name" is only function words ("It" of "It's"): no slot to fill
    if not entity_found(entity, keys) and _omitted_part(cbase, run, i, sbase):
        return None  # "Kallas" for "Kaja Kallas": an omitted part of a name is no swap
    claim_low = {t.lower() for t in cbase}
    run_names = [cbase[k] for k in run]
    fillers: list[str] = []
    for step, edge in ((-1, run[0]), (1, run[-1])):
        a = _walk(ctoks, edge + step, step, want_cap=False, breaks=cbreaks)
        if a is None or (name_anchors_only and not ctoks[a][:1].isupper()):
            continue
        if set(_between(cbase, a, edge)) & _COORDINATORS:
            continue  # "Lithuania and France": a sibling in a list, not a slot
        anchor = cbase[a].lower()
        if anchor in REPORTING:
            continue  # "X said": every speaker of the source has that slot
        for k, tok in enumerate(sbase):
            if tok.lower() != anchor:
                continue
            if sbreaks.get(max(k, k - step), ",") != ",":
                continue  # a hard break right after the anchor: nothing fills the slot
            window = " ".join(_window(sbase, sbreaks, k - step, -step))
            if any(entity_found(n, sentence_keys(window)) for n in run_names):
                return None  # the source puts the claim's own name there
            m = _walk(stoks, k - step, -step, want_cap=True, breaks=sbreaks)
            if m is None:
                continue
            if not ctoks[a][:1].isupper() and \
                    _between(sbase, k, m) != _between(cbase, a, edge):
                continue  # "trainers in Ukraine" vs "trainers by Russia": another role
            cand = sbase[m]
            if _abbreviates(cand, [cbase[k] for k in run]) or \
                    _abbreviates(entity, _cap_run(sbase, m, -step)):
                return None  # "FM" for "Foreign Minister", "SAS" for "Special Air Service"
            if cand.lower() not in claim_low:
                fillers.append(cand)
    return fillers[0] if fillers else None


def placed(claim: str, entity: str, text: str) -> bool | None:
    """Does `text` name `entity` within a few words of the name the claim binds it to
    ("Lithuania's Prime Minister": Lithuania near "Prime")? None when the entity is not
    next to another name in the claim, or the text lacks that name."""
    ctoks, cbase, _ = _tokens(claim)
    if entity not in cbase:
        return None
    i = cbase.index(entity)
    anchors = [ctoks[j].lower() for j in (i - 1, i + 1)
               if 0 <= j < len(ctoks) and ctoks[j][:1].isupper()]
    if not anchors:
        return None
    stoks, _, _ = _tokens(text)
    hits = [k for k, t in enumerate(stoks) if t.lower() in anchors]
    if not hits:
        return None
    return any(entity_found(entity, sentence_keys(" ".join(stoks[max(0, k - 4):k + 5])))
               for k in hits)
