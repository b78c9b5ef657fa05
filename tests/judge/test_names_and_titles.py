"""Names by how the articles write them, titles as roles (issue 16, point 3).

Capitalised only by position ("Sa Kallas att …?") or by being a title ("Prime Minister",
"Premiärminister"), words were taken for names that the sources had to repeat: support
was withheld, or they "differed" and refuted. Titles still count where they tell people
apart: the same person under another title is a swap. Texts are made up for these tests.
"""

from __future__ import annotations

import pytest

from rag.judge.heuristic import OfflineJudge
from rag.judge.roles import title_of, title_swap
from rag.nlp.entities import is_role
from rag.query.analyse import analyse
from rag.query.casing import refine_names
from rag.types import Evidence, Sentence

ARTICLE_EN = ("Harbour Minister Lena Berg said on Monday that the port of Tartu will stay "
              "open all winter. The minister said the city sending more icebreakers was "
              "planned.")
ARTICLE_SV = ("Hamnministern Lena Berg sa på måndagen att hamnen i Tartu hålls öppen hela "
              "vintern. Enligt ministern planeras fler isbrytare.")


def _ev(text: str, lang: str, context: str) -> Evidence:
    start = context.index(text)
    return Evidence(Sentence("doc", "chunk", start, start + len(text), text, lang),
                    "Port news", 0.85, similarity=0.9, context=context)


@pytest.mark.parametrize("question,before,after", [
    # a Swedish yes/no question's irregular verb first is no name
    ("Sa Berg att hamnen i Tartu hålls öppen hela vintern?", None, ("Berg", "Tartu")),
    # a word the articles write in lower case only is no name, wherever the user put it
    ("Is the City Sending more icebreakers to Tartu?", ("City", "Sending", "Tartu"),
     ("Tartu",)),
    # titles stay for the title check; unknown names stay for the judge to find missing
    ("Did Harbour Minister Berg say Finland keeps the port open?",
     ("Harbour", "Minister", "Berg", "Finland"), ("Harbour", "Minister", "Berg", "Finland")),
])
def test_names_are_what_the_articles_write_as_names(question, before, after):
    q = analyse(question)
    if before is not None:
        assert q.entities == before
    assert refine_names(q, [ARTICLE_EN, ARTICLE_SV]).entities == after


def test_titles_are_roles():
    for w in ("Prime", "Minister", "Premiärminister", "Försvarsministern", "President"):
        assert is_role(w), w
    for w in ("Kallas", "Poland", "Polens", "NATO", "Tartu"):
        assert not is_role(w), w


@pytest.mark.parametrize("claim,lang", [
    ("Foreign Minister Berg said the port of Tartu will stay open all winter.", "en"),
    # an unlisted title word is a name the source lacks, but "Monday" is no other name
    # in its place: support is withheld, nothing is refuted
    ("Harbour Minister Berg said the port of Tartu will stay open all winter.", "en"),
    ("Premiärminister Berg sa att hamnen i Tartu hålls öppen hela vintern.", "sv"),
])
def test_a_title_the_source_leaves_out_does_not_withhold_support(claim, lang):
    # the source says "Lena Berg said", no title; "Premiärminister" is no name to find
    context = ("Port news. Lena Berg said on Monday that the port of Tartu will stay open all "
               "winter." if lang == "en" else
               "Hamnnytt. Lena Berg sa på måndagen att hamnen i Tartu hålls öppen hela vintern.")
    text = context.split(". ", 1)[1]
    out = OfflineJudge().judge(refine_names(analyse(claim), [context]), [_ev(text, lang, context)])
    if "Harbour" in claim:
        assert out[0].stance == "neutral" and "Monday" not in out[0].reason, out[0].reason
        return
    assert "Premiärminister" not in out[0].reason and "Foreign" not in out[0].reason
    assert out[0].stance == "supports", out[0].reason


def test_where_a_title_is():
    assert title_of("Polish Defence Minister Jan Nowak said so.", "Nowak") == \
        ["Defence", "Minister"]
    assert title_of("Jan Nowak is Poland's Foreign Minister.", "Nowak") == \
        ["Foreign", "Minister"]
    assert title_of("Jan Nowak är Polens utrikesminister.", "Jan") == ["utrikesminister"]
    assert title_of("Jan Nowak said so.", "Nowak") == []


@pytest.mark.parametrize("claim,source,same_lang,swap", [
    ("Jan Nowak is Poland's Foreign Minister.",
     "Polish Defence Minister Jan Nowak said so.", True, True),
    # the same office in the other language
    ("Jan Nowak är Polens utrikesminister.", "Foreign Minister Jan Nowak said so.", False,
     False),
    ("Jan Nowak är Polens försvarsminister.", "Foreign Minister Jan Nowak said so.", False,
     True),
    # a less specific title is no swap; nor is a title the source does not give
    ("Minister Nowak said so.", "Defence Minister Jan Nowak said so.", True, False),
    ("Defence Minister Nowak said so.", "Jan Nowak said so.", True, False),
    # an unlisted title cannot be compared across languages
    ("Harbour Minister Nowak said so.", "Hamnministern Jan Nowak sa det.", False, False),
])
def test_the_same_person_under_another_title_is_a_swap(claim, source, same_lang, swap):
    names = [e for e in analyse(claim).entities if not is_role(e)]
    found = title_swap(claim, names, source, same_lang)
    assert (found is not None) == swap, found
    if found:
        assert found.kind == "role" and "titles differ" in found.reason


def test_a_title_swap_refutes_in_the_judge():
    context = "Port news. Polish Defence Minister Jan Nowak said the port of Gdansk stays open."
    text = context.split(". ", 1)[1]
    claim = analyse("Poland's Foreign Minister Jan Nowak said the port of Gdansk stays open.")
    out = OfflineJudge().judge(refine_names(claim, [context]), [_ev(text, "en", context)])[0]
    assert out.stance == "refutes" and out.objections[0].kind == "role", out.reason


def test_a_country_its_adjectives_and_its_genitive_are_one_name():
    from rag.nlp.align import sentence_keys
    from rag.nlp.entities import entities, entity_found

    for name, text in [("Polens", "Polish soldiers"), ("Polish", "soldater i Polen"),
                       ("polska", "Poland's army"), ("Russia", "ryska trupper"),
                       ("franska", "French special forces"), ("British", "Storbritannien")]:
        assert entity_found(name, sentence_keys(text)), (name, text)
    assert not entity_found("franska", sentence_keys("British special forces"))
    # a Swedish country adjective is written in lower case and is still a name
    assert entities("Soldaterna var franska.") == ("Soldaterna", "franska")
    # "finns" (exists) and "letter" are words, not Finns and Latvians
    assert entities("Det finns ett letter här.") == ()


@pytest.mark.parametrize("claim,sentence,stance", [
    # the sentence gives the soldiers another people: a swap, in either language
    ("The engineers who repaired the bridge in Tartu were Danish.",
     "The bridge in Tartu was repaired by Finnish engineers, the city said.", "refutes"),
    # another country in the sentence may be in another role: the frame's Estonia holds
    ("Engineers in Estonia repaired the bridge in Tartu after the storm.",
     "Engineers repaired the bridge in Tartu after the storm from Russia.", "supports"),
])
def test_another_people_in_the_sentence_is_a_swap_even_if_the_article_names_the_claims(
        claim, sentence, stance):
    context = ("Bridge reopens in Tartu, Estonia. Danish firms had bid for the work. " +
               sentence +
               " Traffic resumed on Tuesday.")
    out = OfflineJudge().judge(refine_names(analyse(claim), [context]),
                               [_ev(sentence, "en", context)])[0]
    assert out.stance == stance, out.reason


def test_a_peoples_adjective_binds_to_its_noun_not_to_a_name_near_it():
    from rag.judge.entity_check import bindings_broken
    from rag.judge.names import NameMatcher

    claim = analyse("Fruktar tjänstemän att ett ukrainskt nederlag kan uppmuntra Putin?")
    text = ("Tjänstemän fruktar att ett nederlag för Ukraina i kriget mot Ryssland, som leds "
            "av Vladimir Putin, kan uppmuntra honom.")
    assert "ukrainskt" in claim.entities
    assert bindings_broken(claim, text, NameMatcher(None)) is None


def _cross(text: str, lang: str, similarity: float) -> Evidence:
    return Evidence(Sentence("doc", "chunk", 0, len(text), text, lang), "Port news", 0.85,
                    similarity=similarity, context=text)


@pytest.mark.parametrize("claim,lang,source,refuted", [
    # another people where the claim's is, in a close paraphrase in the other language
    ("Franska dykare inspekterade hamnen i Tartu i maj.", "sv",
     "In May, British divers inspected the harbour of Tartu.", True),
    ("Finnish divers inspected the harbour of Tartu in May.", "en",
     "I maj inspekterade danska dykare hamnen i Tartu.", True),
    # a country the article never names, another country in its place
    ("Norway sent divers to inspect the harbour of Tartu in May.", "en",
     "I maj skickade Lettland dykare för att inspektera hamnen i Tartu.", True),
    # the same people under its other language's name is no swap
    ("Franska dykare inspekterade hamnen i Tartu i maj.", "sv",
     "In May, French divers inspected the harbour of Tartu.", False),
    # another name of the claim missing: not the same statement, so no swap is called
    ("Franska dykare inspekterade hamnen i Tartu i maj.", "sv",
     "In May, British divers inspected the harbour of Riga.", False),
])
def test_another_country_across_languages(claim, lang, source, refuted):
    judge = OfflineJudge()
    src_lang = "sv" if lang == "en" else "en"
    q = analyse(claim)
    assert q.lang == lang
    (j,) = judge.judge(q, [_cross(source, src_lang, 0.9)])
    assert (j.stance == "refutes") is refuted, j
    if refuted:
        assert [o.kind for o in j.objections] == ["name"]
    # not a close paraphrase: no swap is called across languages
    (j,) = judge.judge(q, [_cross(source, src_lang, 0.8)])
    assert j.stance != "refutes"


@pytest.mark.parametrize("claim,stance", [
    # the claim's person before the title, the source's country adjective before it: the
    # same person described, not another name in the slot (was refuted: "Lena vs Estonian")
    ("Lena Berg is the Harbour Minister of Estonia.", "supports"),
    ("Lena Berg is the Harbour Minister of Latvia.", "neutral"),
    # a country in the country's place is a swap
    ("Latvia's Harbour Minister Lena Berg opened the port on Monday.", "refutes"),
    ("Lena Berg, the Harbour Minister, opened the port on Monday.", "supports"),
])
def test_a_slot_is_filled_by_a_name_of_the_same_sort(claim, stance):
    source = "Estonian Harbour Minister Lena Berg opened the port on Monday."
    (j,) = OfflineJudge().judge(analyse(claim), [_cross(source, "en", 0.9)])
    assert j.stance == stance, j
    if stance == "refutes":
        assert j.objections[0].claim == "Latvia" and j.objections[0].source == "Estonian"
