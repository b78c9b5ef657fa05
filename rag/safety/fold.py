"""Confusables fold: letters of another script that look like Latin ones read as the Latin
letter, so a check written for Latin text sees "rеply" (Cyrillic е) as "reply".

The table comes from `confusable_homoglyphs` (its bundled copy of Unicode's confusables
data, TR39; read from the installed package, never downloaded): a letter is folded when it
is not Latin script and one of its listed homoglyphs is a single ASCII letter (Cyrillic
а е о р с х і ѕ ј, Greek ο α ρ ν, …). Latin letters are left alone — å, ä, ö and é are
Swedish and English letters, not disguises — and so are digits and punctuation (NFKC
already folds full-width and mathematical forms).

`mixed_script_words` finds the disguise itself: a word whose letters mix Latin with a
confusable of another script. Ordinary text never writes one ("Зеленский" is all
Cyrillic; "Zelensky" all Latin), so ingest hides a sentence that has one.

What it does not do: change stored text (checks run on a folded copy), or transliterate
(a whole Cyrillic word stays Cyrillic).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    """ord(letter) -> the ASCII letter it imitates (built once, on first use)."""
    from confusable_homoglyphs import categories, confusables

    out: dict[int, str] = {}
    for ch, glyphs in confusables.confusables_data.items():
        if len(ch) != 1 or ch.isascii() or not unicodedata.category(ch).startswith("L"):
            continue
        if categories.alias(ch) == "LATIN":
            continue
        for g in glyphs:
            c = g["c"].replace("\u200e", "")  # the data wraps right-to-left glyphs in LRMs
            if len(c) == 1 and c.isascii() and c.isalpha():
                out[ord(ch)] = c
                break
    return out


def fold(text: str) -> str:
    """`text` with look-alike letters of other scripts replaced by the Latin letter."""
    if text.isascii():
        return text
    return text.translate(_table())


_WORD = re.compile(r"[^\W\d_]+")


def mixed_script_words(text: str) -> list[str]:
    """Words that mix Latin letters with look-alikes from another script."""
    if text.isascii():
        return []
    table = _table()
    out = []
    for w in _WORD.findall(text):
        if any(ord(c) in table for c in w) and any(
                c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in w):
            out.append(w)
    return out
