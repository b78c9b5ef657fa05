"""Names, in one place: which words of a text are names, the one en/sv country table, and
whether a name is mentioned in a text's words (in either language).

- `entities`: capitalised or all-caps words that are not function words;
- `CAP_RUN`: runs of up to three capitalised words ("North Atlantic Treaty"), the phrases
  `rag.judge.names` compares by meaning across languages;
- `country_aliases` / `country_names` / `country_short_names`: pycountry's ISO 3166 names
  with their Swedish translations, built once from one table;
- `entity_found`: a name among a text's match keys (`rag.nlp.align.sentence_keys`).

What it does not do: decide whether a name is where a claim puts it (`rag.judge`), or
match names by meaning (`rag.judge.names`, which needs the embedder).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rag.nlp.align import term_found
from rag.nlp.lexicon import (
    COUNTRY_NAMES,
    DEMONYMS,
    DISCOURSE,
    ROLE_SUFFIXES,
    ROLE_WORDS,
    WH_WORDS,
    YESNO_STARTERS,
    all_of,
)
from rag.nlp.text import WORD_RE, stopwords

CAP_RUN = re.compile(r"\b[A-ZÅÄÖÉ][\w’'-]*(?:\s+[A-ZÅÄÖÉ][\w’'-]*){0,2}")


def entities(text: str, skip_initial: bool = False) -> tuple[str, ...]:
    """Capitalised or all-caps words that are not function words, and country adjectives
    written in lower case (Swedish "ryska", `demonyms`). With `skip_initial`,
    a capitalised word that starts a sentence or quote counts only if it is all caps
    ("Speaking to FT" names FT, not "Speaking")."""
    function = stopwords("en") | stopwords("sv") | all_of(WH_WORDS) | YESNO_STARTERS["en"] \
        | DISCOURSE
    out: list[str] = []
    for m in WORD_RE.finditer(text):
        w = m.group(0)
        if w.lower() in function:
            continue
        if not w[0].isupper():
            if w in demonyms() and w not in out:
                out.append(w)  # a Swedish country adjective: "ryska", "polska"
            continue
        if skip_initial and not w.isupper():
            before = text[:m.start()].rstrip(" \"'“”‘’«»")
            if not before or before[-1] in ".!?:\n":
                continue
        w = re.sub(r"['’]s$", "", w)  # possessive: "Lithuania's" names Lithuania
        if w not in out:
            out.append(w)
    return tuple(out)


@lru_cache(maxsize=1)
def _countries() -> tuple[bool, tuple[tuple[frozenset[str], frozenset[str]], ...]]:
    """(whether pycountry's Swedish locale loaded, per country: its short names and its
    official names, each with their Swedish translations, lower-cased)."""
    import gettext

    import pycountry

    translate: Callable[[str], str]
    try:
        translate = gettext.translation("iso3166-1", pycountry.LOCALES_DIR,
                                        languages=["sv"]).gettext
        has_sv = True
    except OSError:
        translate, has_sv = (lambda name: name), False
    out = []
    for c in pycountry.countries:
        short = {n for n in (c.name, getattr(c, "common_name", None)) if n}
        official = {c.official_name} - short if getattr(c, "official_name", None) else set()
        names = {n.lower() for n in short | {translate(n) for n in short}}
        for key, more in COUNTRY_NAMES.items():  # "Russia" beside "Russian Federation"
            if key in names:
                names |= more
        out.append((frozenset(names),
                    frozenset(n.lower() for n in official | {translate(n) for n in official})))
    return has_sv, tuple(out)


@lru_cache(maxsize=1)
def demonyms() -> dict[str, frozenset[str]]:
    """Each country adjective or people, en and sv ("polska", "Polish", "Poles") -> that
    country's names."""
    table: dict[str, frozenset[str]] = {}
    for short in country_short_names():
        for key, words in DEMONYMS.items():
            if key in short:
                for w in words:
                    table[w] = short
    return table


@lru_cache(maxsize=1)
def country_aliases() -> dict[str, frozenset[str]]:
    """Each country name (official ones too) -> all of that country's names, en and sv;
    empty without the Swedish names (then names are matched by their words only)."""
    has_sv, countries = _countries()
    table: dict[str, frozenset[str]] = {}
    for short, official in countries if has_sv else ():
        group = short | official | {w for w, c in demonyms().items() if c == short}
        for n in group:
            table[n] = group
    return table


@lru_cache(maxsize=1)
def country_short_names() -> tuple[frozenset[str], ...]:
    """Per country, its short names (no official ones), en and sv (en only where the
    Swedish names did not load), lower-cased."""
    return tuple(short for short, _ in _countries()[1])


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """Every short country name (no official ones), en and sv, lower-cased."""
    return frozenset(n for short in country_short_names() for n in short)


def is_role(word: str) -> bool:
    """A title or office, capitalised before a name but no name ("Prime", "Minister",
    "Försvarsministern")."""
    low = word.lower()
    return low in ROLE_WORDS or (low.endswith(ROLE_SUFFIXES) and len(low) > 8)


def entity_found(entity: str, keys: frozenset[str]) -> bool:
    """Is a named entity mentioned, in either language? Matches the word, its stems and
    compound parts, a 5-letter prefix (Ukraina/Ukraine), and country names across en/sv
    (Estland/Estonia; Swedish genitive -s stripped: Polens -> Polen)."""
    low = entity.lower()
    if term_found(low, keys):
        return True
    if len(low) >= 5 and any(len(k) >= 5 and k[:5] == low[:5] for k in keys):
        return True
    aliases = country_aliases()
    for form in (low, low[:-1] if low.endswith("s") else low):
        for alias in aliases.get(form, ()):
            if all(term_found(w, keys) for w in alias.split()):
                return True
    return False
