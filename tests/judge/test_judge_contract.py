"""Contract every `Judge` must satisfy (an LLM judge will run the same class)."""

import pytest

from rag.judge import Judge
from rag.judge.heuristic import OfflineJudge
from rag.query.analyse import analyse
from rag.types import STANCES, Evidence, Sentence


def _ev(text, lang="en", relevance=0.8, similarity=0.8):
    return Evidence(Sentence("doc", "chunk", 0, len(text), text, lang), "Title", relevance,
                    similarity=similarity, context=text)


@pytest.fixture(params=["offline", "offline+names"])
def judge(request, embedder) -> Judge:
    return OfflineJudge(embedder if request.param == "offline+names" else None)


class TestJudgeContract:
    def test_is_a_judge_with_a_name(self, judge):
        assert isinstance(judge, Judge) and judge.name

    def test_one_judgement_per_evidence_in_order(self, judge):
        q = analyse("Poland signed contracts worth over 4 billion euros.")
        ev = [_ev("Poland signed contracts worth over 4 billion euros."),
              _ev("The weather was fine."), _ev("Poland signed contracts worth 2 billion euros.")]
        out = judge.judge(q, ev)
        assert len(out) == 3
        assert all(j.stance in STANCES and 0.0 <= j.score <= 1.0 for j in out)
        assert out[0].stance == "supports" and out[2].stance == "refutes"

    def test_non_neutral_judgements_have_reasons(self, judge):
        q = analyse("Kallas said the attack would trigger Article 5.")
        out = judge.judge(q, [_ev("Kallas said the attack would not trigger Article 5.")])
        assert out[0].stance == "refutes" and "polarity" in out[0].reason

    def test_empty_evidence(self, judge):
        assert judge.judge(analyse("Anything at all?"), []) == []

    def test_deterministic(self, judge):
        q = analyse("Estonia needs parliamentary approval.")
        ev = [_ev("Estonia needs parliamentary approval to train soldiers.")]
        assert judge.judge(q, ev) == judge.judge(q, ev)


@pytest.mark.parametrize("claim,source,stance,reason", [
    ("The contracts are worth 3 million euros.", "The contracts are worth over 2 million euros.",
     "refutes", "3 million vs over 2 million"),
    ("The contracts are worth over 2 million euros.", "The contracts are worth 3 million euros.",
     "supports", ""),
    ("Officials from at least 10 countries agreed.", "Officials from 12 countries agreed.",
     "supports", ""),
    ("97 soldiers were in the country.", "There were 150 soldiers in the country.",
     "refutes", "97 vs 150"),
    ("Regeringen har inte godkänt planen.", "Regeringen har godkänt planen.",
     "refutes", "polarity"),
    ("Putin dismissed the claims as nonsense.", "Putin dismissed the claims as nonsense.",
     "supports", ""),
    ("Poland does not rule out an attack.", "Poland does not rule out an attack.",
     "supports", ""),
    ("Poland has ruled out an attack.", "Poland does not rule out an attack.",
     "refutes", "polarity"),
    ("The Finnish minister Anna Virtanen signed the deal.",
     "The Swedish minister Anna Virtanen signed the deal.", "refutes", "names differ"),
    ("The attack will certainly happen.", "The attack could happen.", "refutes", "certainty"),
    ("Each member must provide military assistance.",
     "Each member can provide the assistance it deems appropriate.", "refutes", "certainty"),
])
def test_classic_refutations_and_supports(embedder, claim, source, stance, reason):
    out = OfflineJudge(embedder).judge(analyse(claim), [_ev(source, lang=analyse(source).lang)])
    assert out[0].stance == stance, out[0]
    assert reason in out[0].reason
