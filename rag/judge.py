"""The verdict engine's per-sentence step: the `Judge` Protocol and the offline default.

A Judge takes the analysed query and its evidence and returns one `Judgement` (stance,
score, reason) per evidence item, in order. An LLM judge plugs into the same Protocol.

`OfflineJudge` combines signals computable on a CPU without an NLI model:
- alignment: the evidence relevance (semantic similarity across languages + term coverage);
- polarity: negation and denial cues in the clauses that carry the proposition's terms,
  compared with the proposition's own polarity ("would not trigger" vs "triggers");
- quantities: numbers of the same kind that do not establish the claimed one
  ("3 billion" vs "over 4 billion");
- entities: a sentence that says the same thing about a different named entity;
- modality: a certain claim ("will", "automatically") against a hedged source ("could").
A sentence supports only when it is closely aligned and none of the checks object; it
refutes when it is aligned and one of them does. Everything else is neutral.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol, runtime_checkable

from rag.align import (
    clauses,
    content_terms,
    coverage,
    entity_found,
    sentence_keys,
    term_found,
)
from rag.analyse import entities
from rag.embed import Embedder
from rag.lexicon import (
    CATENATIVES,
    CERTAINTY,
    CERTAINTY_CONCEPTS,
    DENIALS,
    HEDGES,
    MODALS,
    NEGATIONS,
)
from rag.names import NameMatcher
from rag.quantities import Quantity, comparable_units, consistent, extract
from rag.slots import abbreviated_in
from rag.slots import placed as _placed
from rag.slots import slot_filler as _slot_filler
from rag.text import sentence_spans, stems, stopwords, words
from rag.types import Evidence, Judgement, Query

# thresholds on the evidence's relevance (align), its lexical coverage of the claim's
# content terms (same language) and its scaled semantic similarity (across languages)
SUPPORT_ALIGN = 0.62
SUPPORT_COVERAGE = 0.6
SUPPORT_SIMILARITY = 0.6
REFUTE_ALIGN = 0.55
REFUTE_COVERAGE = 0.5
REFUTE_SIMILARITY = 0.45
SWAP_COVERAGE = 0.7
WORD_SLOT_COVERAGE = 0.85
POLARITY_COVERAGE = 0.5
PARAPHRASE_SIMILARITY = 0.8
# across languages a negation is tied to the claim only through names and numbers, and
# only in a near-translation of it
CROSS_POLARITY_SIMILARITY = 0.85
SLOT_SWAP_ALIGN = 0.45
OPEN_ANSWER_ALIGN = 0.45


@runtime_checkable
class Judge(Protocol):
    name: str

    def judge(self, query: Query, evidence: list[Evidence]) -> list[Judgement]: ...


def _cues(text: str, table: dict[str, set[str]]) -> list[str]:
    toks = words(text)
    found = [t for t in toks if t in table["en"] or t in table["sv"]]
    if table is NEGATIONS:
        found += [t for t in toks if t.endswith("n't")]
    low = " " + " ".join(toks) + " "
    found += [c for c in (table["en"] | table["sv"]) if " " in c and f" {c} " in low]
    return found


_CANCEL_WINDOW = 3
NEG_WORDS = NEGATIONS["en"] | NEGATIONS["sv"]


@lru_cache(maxsize=1)
def _denial_stems() -> frozenset[str]:
    """Stems of the denial verbs, so every inflection counts ("avfärdat", "denying")."""
    out: set[str] = set()
    for lang in ("en", "sv"):
        singles = [w for w in DENIALS[lang] if " " not in w]
        out.update(stems(singles, lang))
    return frozenset(out)


def _negations(clause: str) -> list[str]:
    """Negation and denial cues of one clause. A negation next to a denial cancels it
    ("does not rule out", "utesluter inte"): that pair asserts, it does not deny."""
    return [toks_cue for toks_cue, _ in _negation_cues(clause)]


def _negation_cues(clause: str) -> list[tuple[str, tuple[str, ...]]]:
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
    return [w for c in (carrying or parts) for _, f in _negation_cues(c) for w in f]


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
    cues = [cue for c in (carrying or parts) for cue in _negations(c)]
    return bool(cues), cues


def _has_qualifier(cue: str, text: str) -> bool:
    """Does the text carry the claim's qualifier, in either language?"""
    found = set(_cues(text, CERTAINTY)) | set(_cues(text, MODALS))
    concept = next((c for c in CERTAINTY_CONCEPTS if cue in c), {cue})
    return bool(found & concept)


BOUND_NEAR = 4  # claim names this close together are about each other ("X's advisor Y")
BOUND_FAR = 60  # characters apart in the source: then it says them of different things


def _bindings_broken(claim: str, text: str, names: NameMatcher) -> tuple[str, str] | None:
    """Two names the claim puts next to each other ("Estonia's security advisor Ingrida
    Šimonytė") that the source names only far apart, in different statements."""
    ents = list(entities(claim))
    toks = [m.group(0) for m in re.finditer(r"\w+(?:['’-]\w+)*", claim)]
    base = [re.sub(r"['’]s$", "", t) for t in toks]
    pos = {e: base.index(e) for e in ents if e in base}
    located = {e: names.locate(e, text) for e in pos}
    for a in pos:
        for b in pos:
            if pos[a] < pos[b] <= pos[a] + BOUND_NEAR and located[a] and located[b] \
                    and min(abs(x - y) for x in located[a] for y in located[b]) > BOUND_FAR:
                return a, b
    return None


def _established_in(claim: str, quantities: list[Quantity], context: str, lang: str) -> bool:
    """Does another sentence of the article state each claimed quantity, in a sentence
    about the claim (half its content words), with the same unit where known?"""
    if not quantities or not context:
        return False
    terms = content_terms(claim)
    about = [context[a:b] for a, b in sentence_spans(context, 0, len(context), lang)
             if coverage(terms, context[a:b])[0] >= 0.5]
    found = [s for sent in about for s in extract(sent)]
    return all(any(consistent(q, s) and comparable_units(q, s) for s in found)
               for q in quantities)


def _quantity_conflict(claim: list[Quantity], source: list[Quantity],
                       same_lang: bool) -> str | None:
    """A claimed quantity that no source quantity of the same kind (and, within one
    language, of the same unit: "troops" vs "recruits" are not compared) establishes."""
    for q in claim:
        same_kind = [s for s in source if s.kind == q.kind
                     and (not same_lang or comparable_units(q, s))]
        if same_kind and not any(consistent(q, s) for s in same_kind):
            return f"{q.kind if q.kind != 'count' else 'number'} differs: " \
                   f"{q.text} vs {', '.join(s.text for s in same_kind[:2])}"
    return None


def _entity_check(query: Query, ev: Evidence,
                  names: NameMatcher) -> tuple[str | None, list[str], list[str]]:
    """(swap reason or None, claim entities the article never mentions, claim entities the
    source does not place where the claim does).

    Within one language, each claim entity is looked up where the claim puts it: if the
    sentence, or else the article, puts a different name in that phrase, it is a swap
    ("Lithuania's Prime Minister Kallas" vs "Estonian Prime Minister Kallas"). If the
    article never mentions it and the sentence says the rest of the claim about another
    name, it is a swap too. Across languages names are only looked up (by meaning), never
    called swapped: the phrase structure differs too much to compare slots."""
    text = ev.sentence.text
    context = ev.context or text
    claim = query.proposition
    claim_ents = list(entities(claim))
    if ev.sentence.lang != query.lang:
        # a name only the article (not the sentence) has may belong to another statement:
        # across languages, where slots cannot be compared, that withholds support
        not_here = [e for e in claim_ents if not names.found(e, text)]
        return None, [e for e in not_here if not names.found(e, context)], not_here
    # a slot next to a name ("Prime Minister") is reliable; one next to a common noun
    # ("advisor", "soldiers") recurs with many names, so it refutes only a sentence that
    # says nearly all of the claim, and otherwise just withholds support
    terms = content_terms(claim)
    word_slot: list[str] = []
    for e in claim_ents:
        other = _slot_filler(claim, e, text, name_anchors_only=True)
        if other:
            return f"names differ: claim says {e}, the source says {other}", [e], [e]
        other = _slot_filler(claim, e, text)
        rest = [t for t in terms if t != e.lower()]
        if other and coverage(rest, text)[0] >= WORD_SLOT_COVERAGE:
            return f"names differ: claim says {e}, the source says {other}", [e], [e]
        if other:
            word_slot.append(e)
    sent_keys = sentence_keys(text)
    not_here = [e for e in claim_ents if not entity_found(e, sent_keys)
                and not abbreviated_in(claim, e, text)]
    absent: list[str] = []
    unplaced: list[str] = list(word_slot)
    doc_keys = sentence_keys(context)
    for e in not_here:
        if not entity_found(e, doc_keys):
            absent.append(e)  # within one language a name is matched by its words
            continue
        if _placed(claim, e, context) is False:
            other = _slot_filler(claim, e, context, name_anchors_only=True)
            if other:
                return f"names differ: claim says {e}, the article says {other}", [e], [e]
            unplaced.append(e)
    claim_keys = sentence_keys(claim)
    extra = [e for e in entities(text, skip_initial=True) if not entity_found(e, claim_keys)]
    if absent and extra:
        unplaced.extend(absent)
        lowered = {a.lower() for a in absent}
        rest = [t for t in content_terms(claim) if t not in lowered]
        cov, _ = coverage(rest, text)
        if cov >= SWAP_COVERAGE:
            return f"names differ: claim says {absent[0]}, the source says {extra[0]}", \
                absent, unplaced
    return None, absent, unplaced


class OfflineJudge:
    name = "offline-heuristic-v1"

    def __init__(self, embedder: Embedder | None = None) -> None:
        # with an embedder, names are also matched across languages by meaning
        self._names = NameMatcher(embedder)

    def judge(self, query: Query, evidence: list[Evidence]) -> list[Judgement]:
        return [self._one(query, e) for e in evidence]

    def _one(self, query: Query, ev: Evidence) -> Judgement:
        text = ev.sentence.text
        align = ev.relevance
        swap, absent, unplaced = _entity_check(query, ev, self._names)
        if query.form == "open":
            if absent:
                return Judgement("neutral", align, f"the article does not mention {absent[0]}")
            if align >= OPEN_ANSWER_ALIGN:
                return Judgement("supports", align, "addresses the question")
            return Judgement("neutral", align, "")
        terms = content_terms(query.proposition)
        same_lang = ev.sentence.lang == query.lang
        cov, _ = coverage(terms, text)
        ents = {e.lower() for e in entities(query.proposition)}
        predicate = [t for t in terms if t not in ents] or terms
        pred_cov, _ = coverage(predicate, text)
        # how closely the sentence says the same thing: its words within a language (names
        # alone are not enough), its meaning across languages (shared words are only names)
        # (a close paraphrase may swap the verbs: then the names and objects must match)
        close = max(min(cov, pred_cov), cov if ev.similarity >= PARAPHRASE_SIMILARITY else 0.0) \
            if same_lang else ev.similarity
        objections: list[str] = []
        # clauses carrying the claim: found by its words and numbers within one language;
        # across languages words do not match, so every clause of the sentence counts
        numbers = [w for w in words(query.proposition) if w.isdigit()]
        carriers = terms + numbers if same_lang else \
            [e.lower() for e in entities(query.proposition)] + numbers
        claim_neg, claim_cues = polarity_negative(query.proposition, terms + numbers)
        src_neg, src_cues = polarity_negative(text, carriers, need_carrier=not same_lang)
        # the negated predicate must be the claim's: its words, or a close paraphrase
        about_same = (pred_cov >= POLARITY_COVERAGE or (
            cov >= POLARITY_COVERAGE and ev.similarity >= PARAPHRASE_SIMILARITY)) \
            if same_lang else ev.similarity >= CROSS_POLARITY_SIMILARITY
        # a source read as positive that still has a negation somewhere is not read as
        # asserting the positive: the negation may be the claim's, in a clause we missed
        unsure = claim_neg and not src_neg and bool(_negations(text))
        # the negated word must be the shared one: "has not asked" is not contradicted by a
        # sentence that never mentions asking (within one language, where words compare)
        if same_lang and claim_neg != src_neg:
            foci = negation_foci(query.proposition, terms + numbers) if claim_neg else \
                negation_foci(text, carriers)
            other = sentence_keys(text if claim_neg else query.proposition)
            if foci and not any(term_found(f, other) for f in foci):
                unsure = True
        polarity_mismatch = claim_neg != src_neg  # blocks support even when unsure
        if same_lang and claim_neg and src_neg:
            # both negated, but is it the same negation? "has not asked" vs "has no plans"
            foci_c = negation_foci(query.proposition, terms + numbers)
            foci_s = negation_foci(text, carriers)
            if foci_c and foci_s and not (
                    any(term_found(f, sentence_keys(text)) for f in foci_c)
                    or any(term_found(f, sentence_keys(query.proposition)) for f in foci_s)):
                polarity_mismatch = True
        if claim_neg != src_neg and about_same and not unsure:
            objections.append(f"polarity differs: source says '{src_cues[0]}'" if src_neg else
                              f"polarity differs: claim says '{claim_cues[0]}', source does not")
        number = _quantity_conflict(extract(query.proposition), extract(text), same_lang)
        if number and same_lang and _established_in(query.proposition,
                                                    extract(query.proposition), ev.context,
                                                    ev.sentence.lang):
            number = None  # the article states the claimed number elsewhere (next sentence)
        # across languages units cannot be compared by words: only a close paraphrase counts
        if number and (same_lang or ev.similarity >= PARAPHRASE_SIMILARITY):
            objections.append(number)
        if swap:
            objections.append(swap)
        refute_floor = REFUTE_COVERAGE if same_lang else REFUTE_SIMILARITY
        if objections and align >= REFUTE_ALIGN and close >= refute_floor:
            return Judgement("refutes", min(1.0, align + 0.15), "; ".join(objections))
        if swap and "names differ" in swap and align >= SLOT_SWAP_ALIGN:
            # the source names someone else in the very phrase the claim uses
            return Judgement("refutes", min(1.0, align + 0.15), swap)
        strong = _cues(query.proposition, CERTAINTY)
        modal = _cues(query.proposition, MODALS) + strong
        hedged = _cues(text, HEDGES)
        modal = [c for c in modal if not _has_qualifier(c, text)]
        if modal and hedged and not _cues(query.proposition, HEDGES) \
                and align >= REFUTE_ALIGN and close >= refute_floor:
            return Judgement("refutes", 0.6 * align,
                             f"certainty differs: claim says '{modal[0]}', "
                             f"source says '{hedged[0]}'")
        if objections:
            return Judgement("neutral", align, "")
        if absent or unplaced:
            who = (absent or unplaced)[0]
            return Judgement("neutral", align, f"the source does not say this of {who}")
        missing_strong = [c for c in strong if not _has_qualifier(c, text)]
        if missing_strong:
            return Judgement("neutral", align, f"the source does not say '{missing_strong[0]}'")
        if polarity_mismatch:
            return Judgement("neutral", align, "the source's negation is not the claim's")
        if not same_lang and _negations(text) and not _negations(query.proposition):
            # a negation the carriers could not place may still be about the claim
            return Judgement("neutral", align, "the source has a negation that may apply")
        broken = _bindings_broken(query.proposition, text, self._names)
        if broken:
            return Judgement("neutral", align, f"the source does not link {broken[0]} and "
                                               f"{broken[1]} as the claim does")
        support_floor = SUPPORT_COVERAGE if same_lang else SUPPORT_SIMILARITY
        if align >= SUPPORT_ALIGN and close >= support_floor:
            claim_q = extract(query.proposition)
            src_q = extract(text)
            if claim_q and not all(any(consistent(q, s) for s in src_q) for q in claim_q):
                return Judgement("neutral", align, "the source does not give the number")
            shown = [f"{s.text} establishes {q.text}" if s.text != q.text else f"{q.text} matches"
                     for q in claim_q for s in src_q[:1] if consistent(q, s)]
            return Judgement("supports", align, "; ".join(["same statement", *shown]))
        return Judgement("neutral", align, "")
