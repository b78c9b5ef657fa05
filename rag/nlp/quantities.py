"""Numbers and quantities in English and Swedish text, with their bounds, for the judge's
consistency check ("3 million" vs "over 2 million", "97" vs "more than 100").

A `Quantity` is a value, a kind (year, percent, money, count) and a bound: "=" exact,
">=" (over / at least / minst), "<=" (under / up to / högst), "~" (about / cirka).
Regular expressions are enough here: numbers are written in a handful of shapes and no
offline library parses quantities in both languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.nlp.lexicon import APPROX, LOWER_BOUND, NUMBER_WORDS, SCALES, UPPER_BOUND

_NUM = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ ,\u00a0]\d{3})+|\d+(?:[.,]\d+)?)(?![\w])"
    r"(?:\s*(%|procent|percent|per cent))?"
    r"(?:\s*(thousand|tusen|million|millions|miljon|miljoner|billion|billions|miljard|"
    r"miljarder|bn|mn)\b)?", re.I)
_WORDNUM = re.compile(r"\b(" + "|".join(sorted(
    {w for t in NUMBER_WORDS.values() for w in t}, key=len, reverse=True)) + r")\b"
    r"(?:\s+(thousand|tusen|million|miljoner|billion|miljarder)\b)?", re.I)
_MONEY = re.compile(r"euro|€|\$|dollar|kronor|sek|usd|eur|pound|£", re.I)
_BOUND_WINDOW = 16


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: str  # "year" | "percent" | "money" | "count"
    bound: str  # "=", ">=", "<=", "~"
    text: str  # as written, with its bound cue: "over 2 million"
    unit: tuple[str, ...] = ()  # the words counted: "fresh recruits", "NATO countries"


def _parse_number(raw: str) -> float | None:
    s = raw.replace("\u00a0", " ")
    if re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+", s):
        return float(re.sub(r"[ ,]", "", s))
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return None


def _bound(before: str) -> tuple[str, str]:
    """The bound a cue right before a number sets, and the cue itself."""
    tail = before.lower()[-_BOUND_WINDOW:]
    for bound, cues in ((">=", LOWER_BOUND), ("<=", UPPER_BOUND), ("~", APPROX)):
        for cue in sorted(cues, key=len, reverse=True):
            if re.search(r"\b" + re.escape(cue) + r"\s*$", tail):
                return bound, cue
    return "=", ""


def extract(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _NUM.finditer(text):
        value = _parse_number(m.group(1))
        if value is None:
            continue
        scale = SCALES.get((m.group(3) or "").lower(), 1.0)
        after = text[m.end():m.end() + 12]
        before = text[max(0, m.start() - 12):m.start()]
        if m.group(2):
            kind = "percent"
        elif _MONEY.search(after) or _MONEY.search(before[-3:]):
            kind = "money"
        elif scale == 1.0 and 1800 <= value <= 2100 and float(value).is_integer():
            kind = "year"
        else:
            kind = "count"
        bound, cue = _bound(text[:m.start()])
        out.append(Quantity(value * scale, kind, bound, f"{cue} {m.group(0).strip()}".strip(),
                            _unit(text, m.end())))
        taken.append((m.start(), m.end()))
    for m in _WORDNUM.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        word = m.group(1).lower()
        base = NUMBER_WORDS["en"].get(word) or NUMBER_WORDS["sv"].get(word)
        if base is None:
            continue
        scale = SCALES.get((m.group(2) or "").lower(), 1.0)
        kind = "money" if _MONEY.search(text[m.end():m.end() + 12]) else "count"
        bound, cue = _bound(text[:m.start()])
        out.append(Quantity(base * scale, kind, bound, f"{cue} {m.group(0).strip()}".strip(),
                            _unit(text, m.end())))
    return out


_UNIT_WORDS = re.compile(r"\s*([^\W\d_][\w-]*)")


def _unit(text: str, pos: int) -> tuple[str, ...]:
    """Up to two words right after a number: what is being counted."""
    out: list[str] = []
    for _ in range(2):
        m = _UNIT_WORDS.match(text, pos)
        if not m:
            break
        out.append(m.group(1).lower())
        pos = m.end()
    return tuple(out)


def comparable_units(a: Quantity, b: Quantity) -> bool:
    """Do two quantities count the same kind of thing? Unknown units compare."""
    if not a.unit or not b.unit or a.kind in ("year", "money", "percent"):
        return True
    from rag.nlp.align import sentence_keys, term_found

    keys = sentence_keys(" ".join(b.unit))
    return any(term_found(w, keys) for w in a.unit)


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-9)


def consistent(claim: Quantity, source: Quantity) -> bool:
    """Does the source quantity establish the claim's quantity?

    Exact claims need the same value (an "about" on either side allows 10%). A bounded
    claim ("over 2 million") is established by any source value inside the bound,
    including a stronger bound ("over 3 million"). An exact claim against a bounded source
    ("3 million" vs "over 2 million") is not established: the source does not say 3.
    """
    if claim.kind != source.kind:
        return False
    tol = 0.1 if "~" in (claim.bound, source.bound) else 1e-6
    if claim.bound in ("=", "~"):
        return source.bound in ("=", "~") and _close(claim.value, source.value, tol)
    if claim.bound == ">=":
        return source.bound in ("=", "~", ">=") and source.value >= claim.value * (1 - 1e-6)
    return source.bound in ("=", "~", "<=") and source.value <= claim.value * (1 + 1e-6)
