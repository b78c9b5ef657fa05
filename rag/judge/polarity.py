"""Polarity and qualifiers of a clause, in English and Swedish, for the offline judge.

- negation and denial cues, with a negation next to a denial cancelling it ("does not rule
  out"), and each negation's focus: the word it negates ("has not asked" -> "asked");
- whether the clauses of a text that carry a claim's words are negated;
- certainty qualifiers ("automatically", "already") matched across the two languages.

Cue lists are in rag.nlp.lexicon; stems come from PyStemmer. No negation-scope model installs
offline, so scope is approximated by clauses (rag.nlp.align.clauses) and focus words.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from rag.nlp.align import clauses, sentence_keys, term_found
from rag.nlp.entities import entity_found
from rag.nlp.lexicon import (
    CATENATIVES,
    CERTAINTY,
    CERTAINTY_CONCEPTS,
    DENIALS,
    MODALS,
    NEGATIONS,
)
from rag.nlp.text import stems, stopwords, words


def cues(text: str, table: dict[str, set[str]]) -> list[str]:
    toks = words(text)
    found = [t for t in toks if t in table["en"] or t in table["sv"]]
    if table is NEGATIONS:
        found += [t for t in toks if t.endswith("n't")]
    low = " " + " ".join(toks) + " "
    found += [c for c in (table["en"] | table["sv"]) if " " in c and f" {c} " in low]
    return found


_CANCEL_WINDOW = 3
NEG_WORDS = NEGATIONS["en"] | NEGATIONS["sv"]
NEG_PREFIXES = {"non", "icke"}


@lru_cache(maxsize=1)
def _denial_stems() -> frozenset[str]:
    """Stems of the denial verbs, so every inflection counts ("avfärdat", "denying")."""
    out: set[str] = set()
    for lang in ("en", "sv"):
        singles = [w for w in DENIALS[lang] if " " not in w]
        out.update(stems(singles, lang))
    return frozenset(out)


def _prefix_negated(token: str) -> bool:
    head, _, rest = token.partition("-")
    return head in NEG_PREFIXES and len(rest) >= 3


def prefix_negations(text: str) -> list[tuple[str, str]]:
    """(word, the word it negates) for each hyphenated negating prefix: "non-combat",
    "icke-stridande". Such a prefix negates its own word, not the clause, so it is kept
    apart from `negations`; and the word alone matches "combat" through its compound
    parts, so without it "combat duties" would align with "non-combat duties"."""
    return [(t, t.partition("-")[2]) for t in words(text) if _prefix_negated(t)]


def prefix_flip(claim: str, text: str) -> tuple[Literal["claim", "source"], str] | None:
    """Within one language: the word one side negates by prefix and the other says plainly
    ("combat duties" vs "non-combat duties"): which side, and its prefixed word."""
    sides: tuple[tuple[Literal["claim", "source"], str, str], ...] = (
        ("source", text, claim), ("claim", claim, text))
    for side, a, b in sides:
        negated = prefix_negations(a)
        plain = sentence_keys(" ".join(w for w in words(b) if not _prefix_negated(w)))
        both = {w for _, w in prefix_negations(b)}
        hit = next((tok for tok, word in negated
                    if term_found(word, plain) and word not in both), None)
        if hit:
            return side, hit
    return None


def negations(clause: str) -> list[str]:
    """Negation and denial cues of one clause. A negation next to a denial cancels it
    ("does not rule out", "utesluter inte"): that pair asserts, it does not deny."""
    return [toks_cue for toks_cue, _ in _negationcues(clause)]


def _negationcues(clause: str) -> list[tuple[str, tuple[str, ...]]]:
    """(cue, focus) for each live cue of a clause. The focus of a plain negation is the
    first two content words after it ("not risk escalating"; in Swedish the verb may come
    before: "utlöser inte" -> "utlöser"); a denial verb takes a whole clause: no focus."""
    toks = words(clause)
    neg = [i for i, t in enumerate(toks)
           if t in NEGATIONS["en"] or t in NEGATIONS["sv"] or t.endswith("n't")]
    den_stems = _denial_stems()
    den = [i for i, t in enumerate(toks) if t in DENIALS["en"] or t in DENIALS["sv"]
           or stems([t], "sv")[0] in den_stems or stems([t], "en")[0] in den_stems]
    low = " ".join(toks)
    for phrase in (c for c in DENIALS["en"] | DENIALS["sv"] if " " in c):
        if f" {phrase} " in f" {low} ":
            head = phrase.split()[0]
            den += [i for i, t in enumerate(toks) if t == head]
    cancelled: set[int] = set()
    for d in den:
        for n in neg:
            if n not in cancelled and abs(n - d) <= _CANCEL_WINDOW:
                cancelled |= {n, d}
                break
    fw = stopwords("en") | stopwords("sv")
    out: list[tuple[str, tuple[str, ...]]] = []
    for i in sorted(set(neg) | set(den)):
        if i in cancelled:
            continue
        focus: tuple[str, ...] = ()
        if i in neg:
            after = [t for t in toks[i + 1:i + 5] if t not in fw and t not in NEG_WORDS]
            before = [t for t in toks[max(0, i - 2):i] if t not in fw]
            # a catenative verb passes the negation on: "not risk escalating" -> escalating
            focus = tuple(after[:2]) if after and after[0] in CATENATIVES else \
                tuple(after[:1]) or tuple(before[-1:])
        out.append((toks[i], focus))
    return out


def negation_foci(text: str, terms: list[str]) -> list[str]:
    """Focus words of the live plain negations in the clauses of `text` carrying `terms`."""
    parts = clauses(text) or [text]
    carrying = [c for c in parts if any(entity_found(t, sentence_keys(c)) for t in terms)]
    return [w for c in (carrying or parts) for _, f in _negationcues(c) for w in f]


def polarity_negative(text: str, terms: list[str],
                      need_carrier: bool = False) -> tuple[bool, list[str]]:
    """Is the part of `text` that carries `terms` negated or denied? Judged per clause, so
    that "It doesn't work like that, not automatically" is negative about "automatically"
    and a negation elsewhere in the sentence does not count. With no carrying clause the
    whole sentence counts, unless `need_carrier` (across languages, where the carriers are
    only names and numbers and a negation elsewhere says nothing). Returns the cues."""
    parts = clauses(text) or [text]
    carrying = [c for c in parts if any(entity_found(t, sentence_keys(c)) for t in terms)]
    if not carrying and need_carrier:
        return False, []
    cues = [cue for c in (carrying or parts) for cue in negations(c)]
    return bool(cues), cues


def has_qualifier(cue: str, text: str) -> bool:
    """Does the text carry the claim's qualifier, in either language?"""
    found = set(cues(text, CERTAINTY)) | set(cues(text, MODALS))
    concept = next((c for c in CERTAINTY_CONCEPTS if cue in c), {cue})
    return bool(found & concept)
