"""Named-entity checks for the offline judge: is each name of a claim where the claim puts
it, in the sentence or its article, and are names the claim binds together kept together?

Returns a swap as a typed `Objection` (kind "name": the claim's name, the source's, and
whether the sentence or the article says it; kind "role": the same person under another
title, `rag.judge.roles`); the judge decides what it weighs. Slots and
acronyms live in rag.judge.slots, cross-lingual name matching in rag.judge.names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.judge.names import NameMatcher
from rag.judge.roles import title_swap
from rag.judge.slots import abbreviated_in
from rag.judge.slots import placed as _placed
from rag.judge.slots import slot_filler as _slot_filler
from rag.nlp.align import coverage, sentence_keys
from rag.nlp.entities import country_names, demonyms, entities, entity_found, is_role
from rag.nlp.lexicon import DATE_NAMES
from rag.nlp.text import WORD_RE, sentence_spans
from rag.types import Evidence, Objection, Query

SWAP_COVERAGE = 0.7
# across languages a close paraphrase, as for a negation (heuristic.CROSS_POLARITY_SIMILARITY)
CROSS_SWAP_SIMILARITY = 0.85
_GEO = ("country", "demonym")  # the kinds of `_kind` that name a country or its people
WORD_SLOT_COVERAGE = 0.85

BOUND_NEAR = 4  # claim names this close together are about each other ("X's advisor Y")
BOUND_FAR = 60  # characters apart in the source: then it says them of different things
FRAME_BEFORE = 2  # sentences before the evidence that may name what it leaves implicit


@lru_cache(maxsize=256)
def _spans(context: str, lang: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(context, 0, len(context), lang))


def frame(ev: Evidence) -> str:
    """What a sentence can leave unsaid because its article has just said it: the title,
    the lead sentence and the sentences right before it ("she said …" after "Kallas …";
    "its trainers" under a headline about Ukraine). A name the article mentions only
    elsewhere may belong to another statement ("trainers to Lithuania" is not said by
    "send its trainers" because Lithuania comes up three paragraphs later)."""
    context = ev.context
    at = context.find(ev.sentence.text) if context else -1
    if at < 0:
        return "\n".join([ev.title, ev.sentence.text])
    spans = _spans(context, ev.sentence.lang)
    lead = [context[a:b] for a, b in spans[:1]]
    before = [context[a:b] for a, b in spans if b <= at][-FRAME_BEFORE:]
    return "\n".join([ev.title, *lead, *before, ev.sentence.text])


def bindings_broken(query: Query, text: str, names: NameMatcher) -> tuple[str, str] | None:
    """Two names the claim puts next to each other ("Estonia's security advisor Ingrida
    Šimonytė") that the source names only far apart, in different statements."""
    claim = query.proposition
    # a people's adjective binds to its noun ("ukrainskt nederlag"), not to a name near it
    ents = [e for e in query.entities if e.lower() not in demonyms()]
    toks = [m.group(0) for m in WORD_RE.finditer(claim)]
    base = [re.sub(r"['’]s$", "", t) for t in toks]
    pos = {e: base.index(e) for e in ents if e in base}
    located = {e: names.locate(e, text) for e in pos}
    for a in pos:
        for b in pos:
            if pos[a] < pos[b] <= pos[a] + BOUND_NEAR and located[a] and located[b] \
                    and min(abs(x - y) for x in located[a] for y in located[b]) > BOUND_FAR:
                return a, b
    return None


def _kind(name: str) -> str:
    """What a name names, as far as the tables tell: a country, a country's adjective or
    people ("Russian", "ryska"), a date, or other."""
    low = name.lower()
    if low in country_names() or low.removesuffix("s") in country_names():
        return "country"
    if low in demonyms():
        return "demonym"
    return "date" if low in DATE_NAMES else "other"


def _filler(claim: str, entity: str, text: str, name_anchors_only: bool = False) -> str | None:
    """The other name `text` puts in the claim's slot for `entity`, when it is a name of the
    same sort: a country or people for a country or people, any other name for any other.
    "Lena Berg is the Harbour Minister" has "Lena" before the title where "Estonian Harbour
    Minister Lena Berg" has "Estonian": the same person, described, not another name."""
    other = _slot_filler(claim, entity, text, name_anchors_only)
    return other if other and (_kind(other) in _GEO) == (_kind(entity) in _GEO) else None


def _other_country_across(claim_ents: list[str], not_here: list[str], absent: list[str],
                          ev: Evidence, names: NameMatcher) -> Objection | None:
    """Across languages, a swap only of countries and peoples: a close paraphrase of the
    claim (similarity at least `CROSS_SWAP_SIMILARITY`) with every other name of the claim,
    and another country or people of the same kind where the claim's is missing ("franska"
    soldiers against "British" ones). As within a language, a country counts only when the
    article never names the claim's (another country may be in another role: "an attack
    by Russia" against "trainers in Ukraine"); a people's adjective counts wherever."""
    lost = [e for e in not_here
            if _kind(e) == "demonym" or (_kind(e) == "country" and e in absent)]
    if not lost or ev.similarity < CROSS_SWAP_SIMILARITY:
        return None
    if any(not names.found(e, ev.sentence.text) for e in claim_ents
           if e not in lost and not is_role(e)):
        return None
    claim_keys = sentence_keys(" ".join(claim_ents))
    extra = [x for x in entities(ev.sentence.text, skip_initial=True)
             if not entity_found(x, claim_keys)]
    pairs = [(a, x) for a in lost for x in extra if _kind(a) == _kind(x)]
    return Objection("name", *pairs[0], "source") if pairs else None


def _names_of(claim: str, ents: list[str], context: str) -> list[str]:
    """The claim's names. Its first word is capitalised by position: it is no name when
    the article writes it in lower case and never capitalised inside a sentence
    ("Sending NATO troops …" against "… about sending troops"; "Kallas said …" stays a
    name, and so does a name that is also a word, as the article capitalises it)."""
    first = WORD_RE.match(claim.lstrip(" \"'“‘«"))
    if not (ents and first and first.group(0) == ents[0] and not ents[0].isupper()):
        return ents
    word = re.escape(ents[0])
    lower = re.search(rf"(?<![\w-]){word.lower()}(?![\w-])", context)
    inside = re.search(rf"[\w,;:] {word}(?![\w-])", context)
    return ents[1:] if lower and not inside else ents


def entity_check(query: Query, ev: Evidence,
                  names: NameMatcher) -> tuple[Objection | None, list[str], list[str]]:
    """(swap or None, claim entities the article never mentions, claim entities the
    source does not place where the claim does).

    Within one language, each claim entity is looked up where the claim puts it: if the
    sentence, or else the article, puts a different name in that phrase, it is a swap
    ("Lithuania's Prime Minister Kallas" vs "Estonian Prime Minister Kallas"). If the
    article never mentions it and the sentence says the rest of the claim about another
    name, it is a swap too. Across languages slots cannot be compared (the phrase structure
    differs too much): names are looked up by meaning, and only another country in a
    close paraphrase is called a swap (`_other_country_across`)."""
    text = ev.sentence.text
    context = ev.context or text
    claim = query.proposition
    claim_ents = _names_of(claim, list(query.entities), context)
    same_lang = ev.sentence.lang == query.lang
    role = title_swap(claim, claim_ents, text, same_lang)
    if role:  # the same person under another title
        return role, [], []
    if not same_lang:
        # a name the sentence leaves out must be in its frame (slots cannot be compared
        # across languages, so this is the only check of where the name belongs)
        not_here = [e for e in claim_ents if not names.found(e, text) and not is_role(e)]
        framed = frame(ev)
        gone = [e for e in not_here if not names.found(e, context)]
        elsewhere = [e for e in not_here if not names.found(e, framed)]
        return _other_country_across(claim_ents, not_here, gone, ev, names), gone, elsewhere
    # a slot next to a name ("Prime Minister") is reliable; one next to a common noun
    # ("advisor", "soldiers") recurs with many names, so it refutes only a sentence that
    # says nearly all of the claim, and otherwise just withholds support
    terms = list(query.terms)
    word_slot: list[str] = []
    for e in claim_ents:
        other = _filler(claim, e, text, name_anchors_only=True)
        if other:
            return Objection("name", e, other, "source"), [e], [e]
        other = _filler(claim, e, text)
        rest = [t for t in terms if t != e.lower()]
        if other and coverage(rest, text)[0] >= WORD_SLOT_COVERAGE:
            return Objection("name", e, other, "source"), [e], [e]
        if other:
            word_slot.append(e)
    sent_keys = sentence_keys(text)
    # a title ("Prime Minister") may be swapped (above) but need not be repeated
    not_here = [e for e in claim_ents if not entity_found(e, sent_keys)
                and not abbreviated_in(claim, e, text) and not is_role(e)]
    absent: list[str] = []
    unplaced: list[str] = list(word_slot)
    claim_keys = sentence_keys(claim)
    doc_keys = sentence_keys(context)
    framed = frame(ev) if not_here else ""
    frame_keys = sentence_keys(framed)
    for e in not_here:
        if not entity_found(e, doc_keys):
            absent.append(e)  # within one language a name is matched by its words
            continue
        if _placed(claim, e, context) is False:
            other = _filler(claim, e, context, name_anchors_only=True)
            if other:
                return Objection("name", e, other, "article"), [e], [e]
            unplaced.append(e)
        elif not entity_found(e, frame_keys) and not abbreviated_in(claim, e, framed):
            unplaced.append(e)  # named only elsewhere in the article: maybe not of this
        elif _kind(e) == "demonym" and any(
                _kind(x) == "demonym" and not entity_found(x, claim_keys)
                for x in entities(text, skip_initial=True)):
            # the frame names the claim's people, the sentence another people ("Finnish
            # engineers" for "Danish"); another country may be in another role ("the war
            # with Russia" for a deployment "in Ukraine")
            unplaced.append(e)
    extra = [e for e in entities(text, skip_initial=True) if not entity_found(e, claim_keys)]
    unplaced.extend(absent)
    # a name the sentence lacks, with the rest of the claim said of another name of the
    # same kind in it: a swap. Of the names the article has elsewhere, only a people's
    # adjective counts ("British" soldiers where the claim's are "French": an adjective
    # of the same noun); another country or person elsewhere may be in another role
    # ("an attack by Russia" against "trainers in Ukraine")
    missing = absent + [e for e in not_here if e not in absent and _kind(e) == "demonym"]
    if missing and extra:
        lowered = {a.lower() for a in missing}
        rest = [t for t in query.terms if t not in lowered]
        cov, _ = coverage(rest, text)
        # of the same kind: "trainers in Ukraine" does not put Ukraine where the claim's
        # "a Russian attack" has Russian, nor "on Monday" a Monday for a name
        pairs = [(a, x) for a in missing for x in extra if _kind(a) == _kind(x)]
        if cov >= SWAP_COVERAGE and pairs:
            return Objection("name", *pairs[0], "source"), absent, unplaced
    return None, absent, unplaced
