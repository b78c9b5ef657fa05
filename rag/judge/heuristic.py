"""`OfflineJudge`, the default `rag.judge.Judge`: rules computable on a CPU, no model.

It combines signals computable on a CPU without an NLI model:
- alignment: the evidence relevance (semantic similarity across languages + term coverage);
- polarity: negation and denial cues in the clauses that carry the proposition's terms,
  compared with the proposition's own polarity ("would not trigger" vs "triggers");
- quantities: numbers of the same kind that do not establish the claimed one
  ("3 billion" vs "over 4 billion");
- entities: a sentence that says the same thing about a different named entity;
- modality: a certain claim ("will", "automatically") against a hedged source ("could");
- words: a negating prefix on one side only ("non-combat"), another modifier of the same
  noun ("inhemska" for "amerikanska" företag: withholds support only);
- frame: a claim's name the sentence leaves out must be in the title, lead or the
  sentences just before it ("she said …").
A sentence supports only when it is closely aligned and none of the checks object; it
refutes when it is aligned and one of them does. Everything else is neutral. An open
question is answered by a sentence about it (across languages: a close one, or for "how
many", one with a number).
"""

from __future__ import annotations

from rag.backends.embed import Embedder
from rag.judge.asserted import asserted, hypothetical
from rag.judge.entity_check import bindings_broken, entity_check
from rag.judge.names import NameMatcher
from rag.judge.polarity import (
    cues,
    has_qualifier,
    negation_foci,
    negations,
    polarity_negative,
    prefix_flip,
    prefix_negations,
)
from rag.judge.substitution import replaced
from rag.nlp.align import (
    coverage,
    sentence_keys,
    term_found,
)
from rag.nlp.entities import is_role
from rag.nlp.lexicon import (
    CERTAINTY,
    HEDGES,
    MODALS,
    OBLIGATION,
    PERMISSION,
    QUANTITY_QUESTIONS,
    REQUIREMENT,
)
from rag.nlp.quantities import Quantity, comparable_units, consistent, extract
from rag.nlp.text import sentence_spans, words
from rag.types import Evidence, Judgement, Objection, Query

# thresholds on the evidence's relevance (align), its lexical coverage of the claim's
# content terms (same language) and its scaled semantic similarity (across languages)
SUPPORT_ALIGN = 0.62
SUPPORT_COVERAGE = 0.6
SUPPORT_SIMILARITY = 0.6
REFUTE_ALIGN = 0.55
REFUTE_COVERAGE = 0.5
REFUTE_SIMILARITY = 0.45
POLARITY_COVERAGE = 0.5
PARAPHRASE_SIMILARITY = 0.8
# across languages a negation is tied to the claim only through names and numbers, and
# only in a near-translation of it
CROSS_POLARITY_SIMILARITY = 0.85
# a cross-lingual sentence is judged at all only if it is among the closest to the claim
CROSS_LINGUAL_MIN = 0.75
CROSS_LINGUAL_MARGIN = 0.08
SLOT_SWAP_ALIGN = 0.45
OPEN_ANSWER_ALIGN = 0.45
# across languages, a sentence with less than this share of its words asserted (the rest
# in a "whether" or "if" clause) does not state the claim
MENTION_KEPT = 0.5
# a hypothetical claim said by a condition: the asserted part (the consequent) carries at
# least this share of the claim's words ("it would trigger Article 5"), not only "said"
CONSEQUENT_SHARE = 0.3
# a refutation's score over the sentence's alignment: the differing word or number is
# evidence of its own
REFUTE_BOOST = 0.15


def asks_quantity(question: str) -> bool:
    """Does the question ask how many or how much ("hur många", "how large" …)?"""
    low = " ".join(words(question))
    return any(low.startswith(q) or f" {q} " in f" {low} " for q in QUANTITY_QUESTIONS)


def _established_in(terms: list[str], quantities: list[Quantity], context: str,
                    lang: str) -> bool:
    """Does another sentence of the article state each claimed quantity, in a sentence
    about the claim (half its content words `terms`), with the same unit where known?"""
    if not quantities or not context:
        return False
    about = [context[a:b] for a, b in sentence_spans(context, 0, len(context), lang)
             if coverage(terms, context[a:b])[0] >= 0.5]
    found = [s for sent in about for s in extract(sent)]
    return all(any(consistent(q, s) and comparable_units(q, s) for s in found)
               for q in quantities)


def _quantity_conflict(claim: list[Quantity], source: list[Quantity],
                       same_lang: bool) -> Objection | None:
    """A claimed quantity that no source quantity of the same kind (and, within one
    language, of the same unit: "troops" vs "recruits" are not compared) establishes."""
    for q in claim:
        same_kind = [s for s in source if s.kind == q.kind
                     and (not same_lang or comparable_units(q, s))]
        if same_kind and not any(consistent(q, s) for s in same_kind):
            return Objection("number", q.text, ", ".join(s.text for s in same_kind[:2]),
                             q.kind if q.kind != "count" else "number")
    return None


def _support_veto(query: Query, ev: Evidence, terms: list[str], predicate: list[str],
                  claim_q: list[Quantity], src_q: list[Quantity]) -> Objection | None:
    """What withholds support from a sentence that says the claim's words: they are only
    mentioned ("whether …"), required rather than done, or the claim's number (of
    `claim_q`) is not among the sentence's (`src_q`)."""
    cue = _only_mentioned(query, ev, terms, predicate)
    if cue:
        return Objection("unasserted", source=cue)
    required = cues(ev.sentence.text, REQUIREMENT)
    if required and not cues(query.proposition, REQUIREMENT) \
            and not cues(query.proposition, MODALS):
        return Objection("requirement", source=required[0])
    missing = [q for q in claim_q if not any(consistent(q, s) for s in src_q)]
    return Objection("no_number", missing[0].text) if missing else None


def _only_mentioned(query: Query, ev: Evidence, terms: list[str], predicate: list[str]) -> str:
    """The cue ("whether", "if", "huruvida") when the claim's words are in clauses the
    sentence mentions without asserting (`rag.judge.asserted`), "" when it asserts them.
    A hypothetical claim ("would X do Y?") may be said by a condition ("if X, it would Y")
    whose asserted part carries at least `CONSEQUENT_SHARE` of the claim's words."""
    text, lang = ev.sentence.text, ev.sentence.lang
    kept, cue = asserted(text, lang)
    if not cue:
        return ""
    hypo = hypothetical(query.proposition, query.lang)
    if lang != query.lang:  # words do not compare: how much is left asserted
        if hypo:
            kept, cue = asserted(text, lang, conditions=False)
        return cue if cue and len(words(kept)) < MENTION_KEPT * len(words(text)) else ""

    def close(part: str) -> float:
        return _closeness(coverage(terms, part)[0], coverage(predicate, part)[0],
                          ev.similarity)

    if close(kept) >= SUPPORT_COVERAGE:
        return ""
    if hypo and coverage(terms, kept)[0] >= CONSEQUENT_SHARE:
        no_questions, asked = asserted(text, lang, conditions=False)
        if not asked or close(no_questions) >= SUPPORT_COVERAGE:
            return ""
    return cue


def _closeness(cov: float, pred_cov: float, similarity: float) -> float:
    """How closely a same-language sentence says the claim: its coverage of the claim's
    words and of its predicate (names alone are not enough), or its coverage alone for a
    close paraphrase (which may swap the verbs: then the names and objects must match)."""
    return max(min(cov, pred_cov), cov if similarity >= PARAPHRASE_SIMILARITY else 0.0)


class OfflineJudge:
    name = "offline-heuristic-v1"

    def __init__(self, embedder: Embedder | None = None) -> None:
        # with an embedder, names are also matched across languages by meaning
        self._names = NameMatcher(embedder)

    def judge(self, query: Query, evidence: list[Evidence]) -> list[Judgement]:
        # across languages similarity is the only evidence of "same statement", and on a
        # corpus about one topic every sentence is similar: only the closest ones count
        best = max((e.similarity for e in evidence), default=0.0)
        return [self._one(query, e, best) for e in evidence]

    def _one(self, query: Query, ev: Evidence, best_similarity: float = 0.0) -> Judgement:
        text = ev.sentence.text
        align = ev.relevance
        counted = query.form == "open" and asks_quantity(query.proposition)
        has_number = counted and bool(extract(text))
        # an open question's answers may be several sentences, none the closest, but each
        # still has to be about it; one asking "how many" is answered by the sentence with
        # the number, whatever else it shares with the question
        if ev.sentence.lang != query.lang and ev.similarity < (
                (0.0 if has_number else CROSS_LINGUAL_MIN)
                if query.form == "open"
                else max(CROSS_LINGUAL_MIN, best_similarity - CROSS_LINGUAL_MARGIN)):
            return Judgement.of("neutral", align, Objection("distant"))
        swap, absent, unplaced = entity_check(query, ev, self._names)
        if query.form == "open":
            if absent:
                return Judgement.of("neutral", align, Objection("absent", absent[0]))
            if counted and not has_number:
                return Judgement.of("neutral", align, Objection("no_number"))
            if align >= OPEN_ANSWER_ALIGN:
                return Judgement("supports", align, "addresses the question")
            return Judgement("neutral", align, "")
        terms = list(query.terms)
        same_lang = ev.sentence.lang == query.lang
        cov, _ = coverage(terms, text)
        ents = {e.lower() for e in query.entities}
        predicate = [t for t in terms if t not in ents] or terms
        pred_cov, _ = coverage(predicate, text)
        # how closely the sentence says the same thing: its words within a language (names
        # alone are not enough), its meaning across languages (shared words are only names)
        # (a close paraphrase may swap the verbs: then the names and objects must match)
        close = _closeness(cov, pred_cov, ev.similarity) if same_lang else ev.similarity
        objections: list[Objection] = []
        # clauses carrying the claim: found by its words and numbers within one language;
        # across languages words do not match, so every clause of the sentence counts
        numbers = list(query.numbers)
        carriers = terms + numbers if same_lang else \
            [e.lower() for e in query.entities] + numbers
        claim_neg, claim_cues = polarity_negative(query.proposition, terms + numbers)
        src_neg, src_cues = polarity_negative(text, carriers, need_carrier=not same_lang)
        # the negated predicate must be the claim's: its words, or a close paraphrase
        about_same = (pred_cov >= POLARITY_COVERAGE or (
            cov >= POLARITY_COVERAGE and ev.similarity >= PARAPHRASE_SIMILARITY)) \
            if same_lang else ev.similarity >= CROSS_POLARITY_SIMILARITY
        # a source read as positive that still has a negation somewhere is not read as
        # asserting the positive: the negation may be the claim's, in a clause we missed
        unsure = claim_neg and not src_neg and bool(negations(text))
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
            objections.append(Objection("polarity", source=src_cues[0]) if src_neg else
                              Objection("polarity", claim=claim_cues[0]))
        flip = prefix_flip(query.proposition, text) if same_lang else None
        if flip and cov >= POLARITY_COVERAGE:
            side, word = flip
            objections.append(Objection("prefix", claim=word) if side == "claim" else
                              Objection("prefix", source=word))
        claim_q, src_q = extract(query.proposition), extract(text)
        number = _quantity_conflict(claim_q, src_q, same_lang)
        if number and same_lang and _established_in(terms, claim_q,
                                                    ev.context, ev.sentence.lang):
            number = None  # the article states the claimed number elsewhere (next sentence)
        # across languages units cannot be compared by words: only a close paraphrase counts
        if number and (same_lang or ev.similarity >= PARAPHRASE_SIMILARITY):
            objections.append(number)
        if swap:
            objections.append(swap)
        refute_floor = REFUTE_COVERAGE if same_lang else REFUTE_SIMILARITY
        if objections and align >= REFUTE_ALIGN and close >= refute_floor:
            return Judgement.of("refutes", min(1.0, align + REFUTE_BOOST), *objections)
        if swap and align >= SLOT_SWAP_ALIGN and all(
                self._names.found(e, text) for e in query.entities
                if e not in absent and not is_role(e)):
            # the source names someone else in the very phrase the claim uses, and every
            # other name of the claim ("Finland's Prime Minister Kaja Kallas" against
            # "Estonian Prime Minister Kaja Kallas"; not against another prime minister)
            return Judgement.of("refutes", min(1.0, align + REFUTE_BOOST), swap)
        strong = cues(query.proposition, CERTAINTY)
        modal = cues(query.proposition, MODALS) + strong
        hedged = cues(text, HEDGES)
        modal = [c for c in modal if not has_qualifier(c, text)]
        if cues(query.proposition, OBLIGATION) and not cues(text, OBLIGATION):
            hedged = hedged + cues(text, PERMISSION)  # "must provide" vs "can provide"
        if modal and hedged and not cues(query.proposition, HEDGES) \
                and align >= REFUTE_ALIGN and close >= refute_floor:
            return Judgement.of("refutes", 0.6 * align,
                                Objection("modality", modal[0], hedged[0]))
        if objections:  # found, but the sentence is not close enough to refute: still a veto
            return Judgement.of("neutral", align, *objections)
        if absent or unplaced:
            who = (absent or unplaced)[0]
            return Judgement.of("neutral", align, Objection("frame", who))
        missing_strong = [c for c in strong if not has_qualifier(c, text)]
        if missing_strong:
            return Judgement.of("neutral", align, Objection("certainty", missing_strong[0]))
        if polarity_mismatch:
            return Judgement.of("neutral", align, Objection("negation_scope"))
        if not same_lang and (bool(prefix_negations(text))
                              != bool(prefix_negations(query.proposition))):
            return Judgement.of("neutral", align, Objection("prefix_unsure"))
        if not same_lang and negations(text) and not negations(query.proposition):
            # a negation the carriers could not place may still be about the claim
            return Judgement.of("neutral", align, Objection("negation_unplaced"))
        swapped = replaced(query.proposition, text) if same_lang else None
        if swapped:
            return Judgement.of("neutral", align,
                                Objection("substitution", swapped[0], swapped[1]))
        broken = bindings_broken(query, text, self._names)
        if broken:
            return Judgement.of("neutral", align, Objection("binding", *broken))
        # what would withhold support from a close sentence is stated on a distant one too:
        # every neutral judgement says why, typed, or has no objection because it is only
        # not close enough (an answer cites related sentences with their reasons)
        veto = _support_veto(query, ev, terms, predicate, claim_q, src_q)
        support_floor = SUPPORT_COVERAGE if same_lang else SUPPORT_SIMILARITY
        if align >= SUPPORT_ALIGN and close >= support_floor and not veto:
            shown = [f"{s.text} establishes {q.text}" if s.text != q.text else f"{q.text} matches"
                     for q in claim_q for s in src_q[:1] if consistent(q, s)]
            return Judgement("supports", align, "; ".join(["same statement", *shown]))
        return Judgement.of("neutral", align, *([veto] if veto else []))
