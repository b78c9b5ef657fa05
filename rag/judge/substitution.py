"""A claim word the source replaces with another in the same place, within one language:
"mainly with American defence firms" against "primarily with domestic defense firms".

Coverage alone scores such a sentence high (every other word is there), and a lower-case
modifier (Swedish "amerikanska", "inhemska") is no name for the entity checks. Here a
missing claim word counts as replaced when it stands right before a word the source has
(its head: a common noun, "firms"), the source puts another content word right there,
and the claim word's nearest found neighbour on the left is found in the source as close
before it as in the claim. Adverbs before function words ("mainly with" / "primarily
with") are not compared: synonyms are common there. A hyphenated word with the same head
and another first part counts too ("short-range" / "long-range"). A replacement may
still be a synonym, so it only withholds support; it never refutes on its own.
"""

from __future__ import annotations

from rag.nlp.align import non_content, sentence_keys, term_found
from rag.nlp.text import WORD_RE, words

NEIGHBOUR_REACH = 3  # claim tokens to look left for a found neighbour
GAP_SLACK = 1  # the source may put one more or one fewer word between neighbour and head


def _content(tok: str) -> bool:
    return tok not in non_content() and not tok.replace(",", "").isdigit() and len(tok) > 1


def _compound_swapped(ctoks: list[str], stoks: list[str]) -> tuple[str, str] | None:
    """A hyphenated claim word whose head the source has with another first part:
    "short-range" against "long-range", "pro-Russian" against "anti-Russian"."""
    for tok in ctoks:
        if "-" not in tok or tok in stoks:
            continue
        mod, head = tok.rsplit("-", 1)
        for other in stoks:
            if "-" in other and other != tok:
                omod, ohead = other.rsplit("-", 1)
                if ohead == head and len(head) > 2 and omod != mod and _content(omod):
                    return tok, other
    return None


def replaced(claim: str, text: str) -> tuple[str, str] | None:
    """(claim word, the source word in its place), or None."""
    ctoks, stoks = words(claim), words(text)
    compound = _compound_swapped(ctoks, stoks)
    if compound:
        return compound
    # a capitalised head is a name: the word before it is a preposition or a title
    # ("inside Ukraine" / "within Ukraine"), the entity checks' business
    cased = WORD_RE.findall(claim)
    skeys = [sentence_keys(t) for t in stoks]
    all_keys, ckeys = sentence_keys(text), sentence_keys(claim)

    def at(term: str) -> list[int]:
        return [k for k, keys in enumerate(skeys) if term_found(term, keys)]

    for i, tok in enumerate(ctoks):
        if not _content(tok) or term_found(tok, all_keys):
            continue
        left = next((j for j in range(i - 1, max(-1, i - 1 - NEIGHBOUR_REACH), -1)
                     if _content(ctoks[j]) and term_found(ctoks[j], all_keys)), None)
        right = i + 1
        if left is None or right >= len(ctoks) or not _content(ctoks[right]) \
                or not term_found(ctoks[right], all_keys) or cased[right][:1].isupper():
            continue
        gap = right - left
        for a in at(ctoks[left]):
            for b in at(ctoks[right]):
                if not 0 < b - a <= gap + GAP_SLACK or b - a < gap - GAP_SLACK:
                    continue
                before = stoks[b - 1]
                if b - 1 > a and _content(before) and not term_found(before, ckeys):
                    return tok, before
    return None
