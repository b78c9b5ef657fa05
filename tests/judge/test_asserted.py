"""A sentence that only mentions a claim does not support it (issue 19, point 2): an
embedded question ("whether X was discussed", "frågan om X togs upp") or a condition
("if X, …") has the claim's words and asserts none of them. Before `rag.judge.asserted`,
each of the `MENTIONS` below was "same statement" support. Texts are made up here."""

from __future__ import annotations

import pytest

from rag.judge.asserted import asserted, hypothetical_consequent, mentions
from rag.judge.heuristic import OfflineJudge
from rag.query.analyse import analyse
from rag.types import Evidence, Sentence

CLAIM_EN = "The city of Tartu will close the old bridge in May."
CLAIM_SV = "Tartu stad ska stänga den gamla bron i maj."

MENTIONS = [
    (CLAIM_EN, "Whether the city of Tartu will close the old bridge in May was discussed on "
               "Monday.", "en"),
    (CLAIM_EN, "Reporters asked whether the city of Tartu will close the old bridge in May.",
     "en"),
    (CLAIM_EN, "Residents asked if the city of Tartu will close the old bridge in May.", "en"),
    (CLAIM_EN, "If the city of Tartu will close the old bridge in May, traffic will suffer.",
     "en"),
    (CLAIM_SV, "Huruvida Tartu stad ska stänga den gamla bron i maj diskuterades i fullmäktige.",
     "sv"),
    (CLAIM_SV, "Frågan om Tartu stad ska stänga den gamla bron i maj togs upp igen.", "sv"),
    (CLAIM_SV, "Om Tartu stad ska stänga den gamla bron i maj, blir trafiken lidande.", "sv"),
]
ASSERTIONS = [
    (CLAIM_EN, "The city of Tartu will close the old bridge in May, officials said.", "en"),
    # a condition elsewhere in the sentence leaves the claim asserted
    (CLAIM_EN, "The city of Tartu will close the old bridge in May if the repairs start.",
     "en"),
    (CLAIM_SV, "Tartu stad ska stänga den gamla bron i maj, sade kommunen.", "sv"),
    # Swedish "om" is also "about": it opens no clause here
    (CLAIM_SV, "Tartu stad ska stänga den gamla bron i maj, berättade kommunen om planen.",
     "sv"),
]


def _ev(text: str, lang: str) -> Evidence:
    return Evidence(Sentence("doc", "chunk", 0, len(text), text, lang), "Bridge news", 0.9,
                    similarity=0.95, context=text)


@pytest.fixture(scope="module")
def judge(embedder) -> OfflineJudge:
    return OfflineJudge(embedder)


@pytest.mark.parametrize("claim,text,lang", MENTIONS)
def test_a_sentence_that_only_mentions_the_claim_does_not_support_it(judge, claim, text, lang):
    out = judge.judge(analyse(claim), [_ev(text, lang)])[0]
    assert out.stance == "neutral", out.reason
    assert [o.kind for o in out.objections] == ["unasserted"]
    assert "without stating it" in out.reason


@pytest.mark.parametrize("claim,text,lang", ASSERTIONS)
def test_a_sentence_that_asserts_it_still_supports(judge, claim, text, lang):
    assert judge.judge(analyse(claim), [_ev(text, lang)])[0].stance == "supports"


def test_the_consequent_of_a_condition_is_asserted_and_still_refutes(judge):
    claim = analyse("Would closing the old bridge in Tartu stop the tram line?")
    text = "Officials said that if the city closed the old bridge in Tartu, it would not " \
           "stop the tram line."
    assert judge.judge(claim, [_ev(text, "en")])[0].stance == "refutes"


def test_a_hypothetical_claim_keeps_the_sources_conditions_but_not_its_questions():
    kept, cue = asserted("If the river floods, the city would close the bridge.", "en",
                         conditions=False)
    assert cue == "" and kept.startswith("If the river floods")
    kept, cue = asserted("Residents asked if the city would close the bridge.", "en",
                         conditions=False)
    assert cue == "if" and kept == "Residents asked"


@pytest.mark.parametrize("claim,text,stance", [
    # the consequent says the claim's predicate: a hypothetical claim is supported
    ("Would the city close the old bridge in Tartu if the river floods?",
     "If the river floods, the city would close the old bridge in Tartu.", "supports"),
    # the claim's words are all in the condition: "if Russia attacked …, it would not
    # trigger Article 5" does not say "Russia would attack NATO"
    ("The river would flood the old town of Tartu.",
     "The mayor said that if the river flooded the old town of Tartu, the trams would stop.",
     "neutral"),
    ("Floden skulle översvämma Tartus gamla stad.",
     "Borgmästaren sa att om floden översvämmade Tartus gamla stad, skulle spårvagnarna "
     "stanna.", "neutral"),
])
def test_a_hypothetical_claim_needs_its_predicate_outside_the_condition(judge, claim, text,
                                                                        stance):
    lang = "sv" if "Floden" in claim else "en"
    out = judge.judge(analyse(claim), [_ev(text, lang)])[0]
    assert out.stance == stance, out.reason


def test_where_a_mention_ends():
    text = "Kallas said that if Russia attacked the trainers, it would not trigger Article 5."
    (m,) = mentions(text, "en")
    assert text[m.start:m.end] == "if Russia attacked the trainers"
    kept, cue = asserted(text, "en")
    assert cue == "if" and "it would not trigger Article 5" in kept and "Russia" not in kept
    assert mentions("Hon talade om bron i Tartu.", "sv") == []
    assert [m.cue for m in mentions("Även om bron stängs, går spårvagnen.", "sv")] == ["om"]


@pytest.mark.parametrize("claim,text,lang,stance", [
    # a requirement is not the deed: "approval is required" does not say it was approved
    ("The council of Tartu has approved the closure of the old bridge.",
     "For the old bridge to close, the council of Tartu must approve the closure.", "en",
     "neutral"),
    ("Har Tartus fullmäktige godkänt stängningen av den gamla bron?",
     "För att den gamla bron ska stängas krävs att Tartus fullmäktige godkänner stängningen.",
     "sv", "neutral"),
    # a claim about the requirement is supported by it
    ("Does the closure of the old bridge need the approval of the council of Tartu?",
     "The closure of the old bridge needs the approval of the council of Tartu.", "en",
     "supports"),
])
def test_a_requirement_does_not_say_it_happened(judge, claim, text, lang, stance):
    out = judge.judge(analyse(claim), [_ev(text, lang)])[0]
    assert out.stance == stance, out.reason
    if stance == "neutral":
        assert [o.kind for o in out.objections] == ["requirement"], out.reason


@pytest.mark.parametrize("text,lang,cue", [
    ("If the vote fails, the ministry would cut the aid budget.", "en", "if"),
    ("The ministry would cut the aid budget unless the vote passes.", "en", "unless"),
    ("Om omröstningen faller skulle ministeriet skära ned biståndsbudgeten.", "sv", "om"),
    ("Ministeriet skulle skära ned biståndsbudgeten, ifall omröstningen faller.", "sv", "ifall"),
    # the claim is stated as fact; the condition belongs to another clause
    ("The ministry will cut the aid budget, as it says that if the vote fails, it would "
     "matter little.", "en", ""),
    ("Ministeriet ska skära ned biståndsbudgeten, eftersom om omröstningen faller, skulle det "
     "inte spela någon roll.", "sv", ""),
    # a hedge without a condition, and a condition without a hypothetical verb
    ("The ministry would cut the aid budget.", "en", ""),
    ("If the vote fails, the ministry cuts the aid budget.", "en", ""),
])
def test_a_claim_said_only_as_the_consequent_of_a_condition(text, lang, cue):
    terms = ["ministry", "cut", "aid", "budget"] if lang == "en" else \
        ["ministeriet", "skära", "biståndsbudgeten"]
    assert hypothetical_consequent(text, lang, terms) == cue
