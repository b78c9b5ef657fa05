"""Open "how many" questions whose sources give different numbers (issue 19, point 3):
the answers are compared across sources (`rag.judge.answers.reconcile`) and the verdict
is `conflicting`, as it is for a claim with the number. Before, each sentence with a
number "answered" the question on its own, and 970 stood beside 97 as agreement."""

from __future__ import annotations

import shutil

import pytest
from conftest import SEEDS

from rag.config import Settings
from rag.judge.answers import reconcile
from rag.judge.heuristic import OfflineJudge
from rag.pipeline import FactChecker
from rag.query.analyse import analyse
from rag.types import Evidence, Judgement, Sentence


def _ev(text: str, source: str, lang: str = "en") -> Evidence:
    return Evidence(Sentence(source, f"{source}-c", 0, len(text), text, lang), source, 0.8,
                    0.8, context=text)


def _answers(question: str, *texts: tuple[str, str], lang: str = "en") -> list[Judgement]:
    evidence = [_ev(t, s, lang) for s, t in texts]
    said = [Judgement("supports", 0.8 - i / 100, "addresses the question")
            for i in range(len(evidence))]
    return reconcile(analyse(question), evidence, said)


Q = "How many wind turbines were built off the coast of Halland in 2024?"
Q_SV = "Hur många vindkraftverk byggdes utanför Hallands kust 2024?"


def test_different_numbers_from_two_sources_become_a_refutation():
    out = _answers(Q, ("a", "Officials said 120 wind turbines were built off Halland in 2024."),
                   ("b", "An industry group counted 210 wind turbines off Halland in 2024."))
    assert [j.stance for j in out] == ["supports", "refutes"]
    (objection,) = out[1].objections
    assert objection.kind == "answers_differ"
    assert (objection.claim, objection.source) == ("120", "210")
    assert "120" in out[1].reason and "210" in out[1].reason
    assert out[1].score > 0.8  # scored as a claim's differing number is


def test_swedish_answers_are_compared_too():
    out = _answers(Q_SV, ("a", "Enligt länsstyrelsen byggdes 120 vindkraftverk utanför "
                               "Halland under 2024."),
                   ("b", "Branschen räknade till 210 vindkraftverk utanför Halland 2024."),
                   lang="sv")
    assert [j.stance for j in out] == ["supports", "refutes"]


def test_the_best_attested_number_stands():
    out = _answers(Q, ("a", "An industry group counted 210 wind turbines off Halland in 2024."),
                   ("b", "Officials said 120 wind turbines were built off Halland in 2024."),
                   ("c", "The county reported 120 wind turbines built off Halland in 2024."))
    assert [j.stance for j in out] == ["refutes", "supports", "supports"]


@pytest.mark.parametrize("texts", [
    # the same number, written differently: no conflict
    [("a", "Officials said 120 wind turbines were built off Halland in 2024."),
     ("b", "About 120 turbines went up off Halland in 2024, the county said.")],
    # different years are different times, not different answers
    [("a", "Officials said 120 wind turbines were built off Halland in 2024."),
     ("b", "In 2021, 40 wind turbines were built off Halland.")],
    # another thing counted
    [("a", "Officials said 120 wind turbines were built off Halland in 2024."),
     ("b", "The project employed 900 workers off Halland in 2024.")],
    # two numbers in one sentence: which is the answer is not known, it takes no side
    [("a", "Officials said 120 wind turbines were built off Halland in 2024."),
     ("b", "Of 300 wind turbines planned off Halland, 90 were built in 2024.")],
    # one source saying both numbers does not disagree with itself
    [("a", "Officials said 120 wind turbines were built off Halland in 2024."),
     ("a", "Earlier figures had said 150 wind turbines were built off Halland in 2024.")],
])
def test_no_conflict_without_two_sources_giving_different_counts_of_the_same_thing(texts):
    out = _answers(Q, *texts)
    assert all(j.stance == "supports" for j in out), [j.reason for j in out]


def test_the_questions_own_numbers_and_other_forms_are_left_alone():
    # "Article 5" is the question's number, not an answer
    out = _answers("How many NATO soldiers does Article 5 cover?",
                   ("a", "Article 5 covers all 32 allies' soldiers."),
                   ("b", "Article 5 does not cover NATO soldiers in Ukraine."))
    assert all(j.stance == "supports" for j in out)
    claim = [_ev("Officials said 120 wind turbines were built.", "a"),
             _ev("An industry group counted 210 wind turbines.", "b")]
    said = [Judgement("supports", 0.8, "same statement")] * 2
    assert reconcile(analyse("Were 120 wind turbines built off Halland?"), claim, said) == said


def test_not_a_quantity_question_is_left_alone():
    out = _answers("Who built the wind turbines off Halland?",
                   ("a", "Officials said 120 wind turbines were built off Halland in 2024."),
                   ("b", "An industry group counted 210 wind turbines off Halland in 2024."))
    assert all(j.stance == "supports" for j in out)


FOLLOW_UP = ("Leaked papers: a larger presence in Ukraine\n\n"
             "A separate set of leaked papers put the number of NATO special operations "
             "soldiers in Ukraine in March 2023 at 970, according to the outlet that reviewed "
             "them.\nThe outlet said the papers were dated March 2023.\n")


@pytest.fixture(scope="module")
def with_970(tmp_path_factory, embedder) -> FactChecker:
    from rag.ingest.build import ingest

    folder = tmp_path_factory.mktemp("articles")
    shutil.copytree(SEEDS, folder, dirs_exist_ok=True)
    (folder / "980_other_count.txt").write_text(FOLLOW_UP, encoding="utf-8")
    data = tmp_path_factory.mktemp("data")
    ingest([folder], Settings.from_env(data_dir=data), embedder, progress=False)
    return FactChecker(Settings.from_env(data_dir=data), embedder, OfflineJudge(embedder))


@pytest.mark.parametrize("question", [
    "How many NATO special forces soldiers were in Ukraine in March 2023?",
    "Hur många Nato-soldater från specialförband fanns i Ukraina i mars 2023?",
])
def test_970_beside_97_is_a_conflict_shown_with_both_articles(with_970, checker, question):
    alone = checker.ask(question)  # the seeds only: one number, one answer
    assert alone.verdict == "supported"
    answer = with_970.ask(question)
    assert answer.verdict == "conflicting", answer.answer
    by_source = {c.source: c for c in answer.citations}
    assert "980_other_count" in by_source
    real = [c for c in answer.citations if c.source != "980_other_count"]
    assert any("97 " in c.quote for c in real), answer.citations
    assert {c.stance for c in answer.citations} == {"supports", "refutes"}
    assert "970" in answer.answer and "97 " in answer.answer
    # an open question's two answers are not labelled "supporting" and "contradicting"
    assert "Supporting:" not in answer.answer and "För:" not in answer.answer
