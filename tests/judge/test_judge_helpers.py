"""Direct unit tests of the offline judge's helpers (issue 13): each check on its own, on
small sentences, without an embedder, index or judge around it."""

from __future__ import annotations

from rag.judge.entity_check import bindings_broken, entity_check, frame
from rag.judge.heuristic import _established_in, _quantity_conflict, asks_quantity
from rag.judge.names import NameMatcher
from rag.judge.polarity import (
    cues,
    has_qualifier,
    negations,
    polarity_negative,
    prefix_flip,
    prefix_negations,
)
from rag.judge.slots import abbreviated_in, name_run, placed, slot_filler
from rag.judge.substitution import replaced
from rag.nlp.align import content_terms, sentence_keys
from rag.nlp.entities import entities, entity_found
from rag.nlp.lexicon import CERTAINTY, HEDGES
from rag.nlp.quantities import extract
from rag.query.analyse import analyse, as_claim
from rag.types import Evidence, Objection, Sentence


def _claim(text: str):
    return as_claim(analyse(text), text)


def _ev(text: str, context: str = "", title: str = "T", lang: str = "en") -> Evidence:
    return Evidence(Sentence("d", "c", 0, len(text), text, lang), title, 0.9, 0.9,
                    context=context or text)


# ------------------------------------------------------------------ polarity

def test_negations_and_polarity_of_the_clause_that_carries_the_claim() -> None:
    assert negations("it would not trigger Article 5")
    assert not negations("it would trigger Article 5")
    neg, found = polarity_negative("Kallas said it would not trigger Article 5",
                                   ["trigger", "article"])
    assert neg and found
    # a negation in another clause does not carry the claim's words
    neg, _ = polarity_negative("Nobody was hurt, but it triggers Article 5", ["triggers"])
    assert not neg


def test_a_negating_prefix_on_one_side_is_a_flip() -> None:
    assert prefix_negations("non-combat duties") == [("non-combat", "combat")]
    assert prefix_flip("they have combat duties", "they have non-combat duties") == \
        ("source", "non-combat")
    assert prefix_flip("they have non-combat duties", "they have combat duties") == \
        ("claim", "non-combat")
    assert prefix_flip("they have combat duties", "they have combat duties") is None


def test_certainty_cues_and_qualifiers() -> None:
    assert cues("it will automatically trigger", CERTAINTY)
    assert cues("it could trigger", HEDGES)
    assert has_qualifier("automatically", "it automatically triggers")
    assert not has_qualifier("automatically", "it may trigger")


# ------------------------------------------------------------------ quantities

def test_a_quantity_of_the_same_kind_that_does_not_establish_the_claim() -> None:
    conflict = _quantity_conflict(extract("3 billion euros"), extract("over 4 billion euros"),
                                  same_lang=True)
    assert isinstance(conflict, Objection) and conflict.kind == "number"
    assert conflict.claim == "3 billion"
    assert _quantity_conflict(extract("over 2 million"), extract("3 million"), True) is None
    assert _quantity_conflict(extract("3 million"), extract("in 2024"), True) is None


def test_a_number_stated_elsewhere_in_the_article_is_established() -> None:
    context = "The fund holds 5 billion euros. It grew last year."
    terms = content_terms("the fund holds 5 billion euros")
    assert _established_in(terms, extract("5 billion euros"), context, "en")
    assert not _established_in(terms, extract("7 billion euros"), context, "en")
    assert not _established_in(terms, extract("5 billion euros"), "", "en")


def test_how_many_questions() -> None:
    assert asks_quantity("How many soldiers were sent")
    assert asks_quantity("hur många soldater skickades")
    assert not asks_quantity("Who sent the soldiers")


# ------------------------------------------------------------------ names and slots

def test_entities_and_entity_found_across_languages() -> None:
    assert entities("Lithuania's Prime Minister Kallas said so") == \
        ("Lithuania", "Prime", "Minister", "Kallas")
    assert entities("Speaking to FT, Kallas said", skip_initial=True) == ("FT", "Kallas")
    assert entity_found("Estonia", sentence_keys("Estland skickar tränare"))
    assert not entity_found("Latvia", sentence_keys("Estland skickar tränare"))


def test_name_matcher_without_an_embedder_matches_words_only() -> None:
    names = NameMatcher(None)
    assert names.found("Kallas", "Kaja Kallas said")
    assert not names.found("Karis", "Kaja Kallas said")
    assert names.locate("Kallas", "Kaja Kallas said") == [5]


def test_slots_find_another_name_in_the_claims_phrase() -> None:
    claim = "Latvia's Prime Minister Eva Holm gave an interview to the Oslo Post."
    other = "Estonian Prime Minister Eva Holm gave an interview to the Oslo Post."
    assert slot_filler(claim, "Latvia", other, name_anchors_only=True) == "Estonian"
    assert slot_filler(claim, "Latvia", claim) is None
    assert placed(claim, "Latvia", claim) is not False
    toks = ["Prime", "Minister", "Kaja", "Kallas", "said"]
    assert name_run(toks, toks, 3) == [0, 1, 2, 3]
    assert abbreviated_in("the Special Air Service sent troops", "Special",
                          "the SAS sent troops")


def test_entity_check_reports_a_swap_as_a_typed_objection() -> None:
    q = _claim("Latvia's Prime Minister Eva Holm gave an interview to the Oslo Post.")
    swap, absent, _ = entity_check(
        q, _ev("Estonian Prime Minister Eva Holm gave an interview to the Oslo Post."),
        NameMatcher(None))
    assert swap == Objection("name", "Latvia", "Estonian", "source")
    assert absent == ["Latvia"]
    assert swap.reason == "names differ: claim says Latvia, the source says Estonian"


def test_entity_check_finds_names_the_article_never_mentions() -> None:
    q = _claim("Latvia will send trainers to Ukraine")
    swap, absent, unplaced = entity_check(q, _ev("Estonia will send trainers to Ukraine"),
                                          NameMatcher(None))
    assert "Latvia" in absent and "Latvia" in unplaced


def test_the_frame_is_title_lead_and_the_sentences_before() -> None:
    context = "Kallas spoke on Monday. The weather was fine. Trade grew. She said no."
    ev = _ev("She said no.", context=context, title="Headline")
    shown = frame(ev)
    assert shown.startswith("Headline\nKallas spoke on Monday.")
    assert "Trade grew." in shown and shown.endswith("She said no.")


def test_names_the_claim_binds_must_stay_together() -> None:
    q = _claim("Estonia's security advisor Šimonytė said no")
    far = "Estonia was mentioned here. " + "x " * 40 + "Later, Šimonytė said no."
    assert bindings_broken(q, far, NameMatcher(None)) == ("Estonia", "Šimonytė")
    assert bindings_broken(q, "Estonia's advisor Šimonytė said no", NameMatcher(None)) is None


# ------------------------------------------------------------------ substitution

def test_another_word_in_the_claims_place() -> None:
    claim = "Avtalen är främst med amerikanska försvarsföretag."
    assert replaced(claim, "Avtalen är främst med inhemska försvarsföretag.") == \
        ("amerikanska", "inhemska")
    assert replaced("The contracts are mainly with foreign arms makers.",
                    "The contracts are mainly with local arms makers.") == ("foreign", "local")
    assert replaced(claim, claim) is None


def test_query_fields_are_the_propositions() -> None:
    q = _claim("Estonia sent 120 trainers")
    assert q.terms == tuple(content_terms("Estonia sent 120 trainers"))
    assert q.numbers == ("120",) and q.entities == ("Estonia",)
