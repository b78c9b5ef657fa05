"""Rules condensing of follow-ups (issue 17): pronouns, "there"/"där", "what about X" by
role, bare question words, "who said so", in English and Swedish. None of these
conversations is in the follow-up eval suite (eval/suites/followups.yaml); they check the
mechanisms on questions the rules were not written against. No model is configured, so
every rewrite here is the rules'."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.query.condense import by_rules, condense, needs_context


def _history(*questions: str) -> list[dict[str, str]]:
    out = []
    for q in questions:
        out += [{"role": "user", "content": q}, {"role": "assistant", "content": "…"}]
    return out


def _norm(text: str) -> str:
    return " ".join(text.split()).rstrip(" ?").lower()


CASES = [
    # what about X: X takes the role of the part of its kind, the subject first
    ("Did the UK send instructors to Ukraine?", "What about Germany?",
     "Did Germany send instructors to Ukraine?"),
    ("Has Poland signed arms contracts with domestic firms?", "And Lithuania?",
     "Has Lithuania signed arms contracts with domestic firms?"),
    ("Har Estlands regering godkänt planen?", "Vad sägs om Lettland?",
     "Har Lettlands regering godkänt planen?"),
    # X with its own preposition replaces the phrase with that preposition
    ("Did Estonia send trainers to Ukraine?", "And to Moldova?",
     "Did Estonia send trainers to Moldova?"),
    ("Did NATO hold a summit in 2023?", "And in 2024?", "Did NATO hold a summit in 2024?"),
    ("Övade svenska soldater i Finland?", "Och i Norge?", "Övade svenska soldater i Norge?"),
    # personal pronouns
    ("Are Baltic officials worried about Russian aggression?", "Why are they worried?",
     "Why are Baltic officials worried?"),
    ("Has Stoltenberg warned about Russian attacks?", "What did he warn about?",
     "What did Stoltenberg warn about?"),
    ("Har Kallas kritiserat Ryssland?", "Vad sa hon?", "Vad sa Kallas?"),
    # there / där, with the place phrase of the earlier question
    ("Are French troops stationed in Romania?", "How long have they been there?",
     "How long have French troops been in Romania?"),
    ("Finns det amerikanska soldater i Litauen?", "Vad gör de där?",
     "Vad gör amerikanska soldater i Litauen?"),
    # it / den -> the named thing
    ("Does Article 4 require consultations?", "Who can invoke it?",
     "Who can invoke Article 4?"),
    ("Gäller artikel 4 alla medlemmar?", "Vem kan åberopa den?",
     "Vem kan åberopa artikel 4?"),
    # what was said or reported: the earlier statement as a that-clause
    ("Has Germany delivered tanks to Ukraine?", "Who confirmed that?",
     "Who confirmed that Germany has delivered tanks to Ukraine?"),
    ("Har Polen köpt stridsvagnar från Sydkorea?", "Vem sa det?",
     "Vem sa att Polen har köpt stridsvagnar från Sydkorea?"),
    ("Did Kallas say that NATO troops are in Ukraine?", "Who else said so?",
     "Who else said that NATO troops are in Ukraine?"),
    ("Sa Kallas att Nato-soldater redan finns i Ukraina?", "Vem sa det?",
     "Vem sa att Nato-soldater redan finns i Ukraina?"),
    # a bare question word or phrase asks the earlier question
    ("Did Finland join NATO?", "When?", "When did Finland join NATO?"),
    ("Gick Sverige med i Nato?", "Vilket år?", "Vilket år gick Sverige med i Nato?"),
    # "it" with no name to mean: the earlier noun phrase; "there": the earlier country
    ("Has Estonia's parliament approved the mission?", "Who needs to approve it there?",
     "Who needs to approve the mission in Estonia?"),
    # a count question keeps the earlier place, in the follow-up's language
    ("Sa Kallas att Nato-soldater redan finns i Ukraina?",
     "And how many of them were there in March 2023?",
     "How many Nato-soldater were there in Ukraina in March 2023?"),
    ("Are there Dutch pilots in Poland?", "How many of them were there in 2024?",
     "How many Dutch pilots were there in Poland in 2024?"),
]


@pytest.mark.parametrize(("first", "follow_up", "standalone"), CASES,
                         ids=[c[1] for c in CASES])
def test_follow_up_made_standalone_by_rules(first, follow_up, standalone):
    got, warnings = condense(follow_up, _history(first))
    assert _norm(got) == _norm(standalone)
    assert warnings == []


@pytest.mark.parametrize(("first", "follow_up", "standalone"), [
    ("Gick Sverige med i Nato?", "Vilket år?", "Vilket år gick Sverige med i Nato?"),
    ("Rapporterade Reuters att Finland gick med i Nato?", "När?",
     "När rapporterade Reuters att Finland gick med i Nato?"),
    ("Did Finland join NATO?", "When?", "When did Finland join NATO?"),
])
def test_the_verb_after_a_question_word_is_no_longer_capitalised(first, follow_up,
                                                                 standalone):
    assert condense(follow_up, _history(first))[0] == standalone


def test_three_turns_resolve_against_the_standalone_second_turn():
    history = _history("Has the US offered trainers to Ukraine?", "What about France?")
    assert _norm(by_rules("And Italy?", history)) == _norm(
        "Has Italy offered trainers to Ukraine?")


@pytest.mark.parametrize(("first", "follow_up"), [
    ("Has Estonia's parliament approved the mission?", "Who needs to approve it there?"),
    ("Sa Kallas att Nato-soldater redan finns i Ukraina?", "Och vad hände sedan?"),
    ("Did Kallas speak to the Financial Times?", "Why?"),
])
def test_no_bag_of_words_is_ever_appended(first, follow_up):
    got, _ = condense(follow_up, _history(first))
    assert "(" not in got and ")" not in got
    assert not re.search(r",\s*\w+\)?\?$", got)


def test_existential_there_and_det_are_no_pronouns():
    got, _ = condense("Are there any British pilots?", _history(
        "Did the UK send instructors to Ukraine?"))
    assert _norm(got) == "are there any british pilots"
    got, _ = condense("Finns det några svenska?", _history("Finns det danska soldater där?"))
    assert "det" in got.split()


@pytest.mark.parametrize("text", [
    "Did Kallas say they would send troops?",  # "they" after a name of its own
    "Is it true that NATO trainers are in Ukraine?",
    "Finns det Nato-soldater i Ukraina?",
])
def test_standalone_questions_need_no_context(text):
    assert not needs_context(text)
    assert condense(text, _history("Has Poland signed arms contracts?"))[0] == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.lists(st.text(max_size=80), max_size=3))
def test_rules_never_fail_and_stay_bounded(text, earlier):
    """Any follow-up after any earlier questions: a string, never longer than the
    follow-up and all earlier questions together (plus a joining word each)."""
    got = by_rules(text, _history(*earlier))
    assert isinstance(got, str)
    assert len(got) <= len(text) + sum(len(e) + 8 for e in earlier) * 2 + 8
