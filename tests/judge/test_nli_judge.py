"""The NLI judge (rag.judge.nli): the trained model and the rules, each able to veto the
other, and the calibrated verdict (rag.judge.calibration). Real model, real embedder; the
sentences are made up for these tests, not taken from the seed articles."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from rag.config import Settings
from rag.errors import ConfigError
from rag.judge.calibration import CALIBRATION, Calibration, CalibrationError, load
from rag.judge.heuristic import OfflineJudge
from rag.judge.nli import NLIJudge, premise, refers_back
from rag.judge.verdict import aggregate
from rag.nli.model import NLIResult
from rag.query.analyse import analyse
from rag.types import Evidence, Judgement, Objection, Sentence


@pytest.fixture(scope="module")
def judge(embedder) -> NLIJudge:
    return NLIJudge(embedder).load()


def _ev(sentence: str, context: str = "", lang: str = "en", doc: str = "doc") -> Evidence:
    context = context or sentence
    start = context.index(sentence)
    return Evidence(Sentence(doc, "chunk", start, start + len(sentence), sentence, lang),
                    "Cabinet meets", 0.85, similarity=0.95, context=context)


def test_support_needs_the_model_and_the_rules(judge) -> None:
    claim = analyse("Berg said the government needs to send more advisers.")
    (j,) = judge.judge(claim, [_ev("Berg said the government needs to send more advisers.")])
    assert j.stance == "supports" and j.score > 0.8
    # the rules alone would support; the model's entailment is the score
    assert judge.rules.judge(claim, [_ev("Berg said the government needs to send more "
                                         "advisers.")])[0].stance == "supports"


def test_a_conditional_source_does_not_support_a_claim_of_fact(judge) -> None:
    claim = analyse("The ministry will cut the aid budget.")
    ev = _ev("If the vote fails, the ministry would cut the aid budget.")
    assert judge.rules.judge(claim, [ev])[0].stance == "supports"  # what the veto fixes
    (j,) = judge.judge(claim, [ev])
    assert j.stance == "neutral"
    assert [o.kind for o in j.objections] == ["conditional"] and "condition" in j.reason
    # a claim in a clause stated as fact is not vetoed by a condition elsewhere in the sentence
    claim = analyse("Berg said the ministry should not be afraid to cut the aid budget.")
    ev = _ev("According to Berg, the ministry should not be afraid to cut the aid budget, as "
             "she believes that if the vote fails, it would not matter.")
    assert "conditional" not in [o.kind for o in judge.judge(claim, [ev])[0].objections]
    # a hypothetical claim may be said by a conditional source: no conditional veto
    claim = analyse("Would the ministry cut the aid budget?")
    (j,) = judge.judge(claim, [_ev("If the vote fails, the ministry would cut the aid budget.")])
    assert "conditional" not in [o.kind for o in j.objections]


def test_a_differing_number_refutes_on_the_rules_even_when_the_model_is_fooled(judge) -> None:
    claim = analyse("The ministry cut the aid budget by 40 percent.")
    ev = _ev("The ministry cut the aid budget by 20 percent.")
    p = judge.model.predict([(ev.sentence.text, claim.proposition)])[0]
    assert p.entailment > p.contradiction  # NLI models are weak at numbers
    (j,) = judge.judge(claim, [ev])
    assert j.stance == "refutes" and [o.kind for o in j.objections] == ["number"]
    assert "differs: 40 percent vs 20 percent" in j.reason


def test_a_negation_refutes_when_both_agree(judge) -> None:
    claim = analyse("The treaty obliges members to send troops.")
    (j,) = judge.judge(claim, [_ev("The treaty does not oblige members to send troops.")])
    assert j.stance == "refutes" and j.score > 0.9


@pytest.mark.parametrize("ruled,probs,stance,kind", [
    (Judgement("supports", 0.9, "same statement"), (0.3, 0.3, 0.4), "neutral", "unentailed"),
    (Judgement("supports", 0.9, "same statement"), (0.45, 0.1, 0.45), "neutral", "unentailed"),
    (Judgement("supports", 0.9, "same statement"), (0.7, 0.2, 0.1), "supports", None),
    (Judgement.of("refutes", 0.9, Objection("polarity", source="not")), (0.2, 0.5, 0.3),
     "neutral", "uncontradicted"),
    (Judgement.of("refutes", 0.9, Objection("polarity", source="not")), (0.1, 0.1, 0.8),
     "refutes", "polarity"),
    (Judgement.of("refutes", 0.9, Objection("name", "Oslo", "Bergen", "source")),
     (0.8, 0.1, 0.1), "neutral", "uncontradicted"),
    (Judgement.of("refutes", 0.9, Objection("number", "40", "20", "number")),
     (0.8, 0.1, 0.1), "refutes", "number"),
    (Judgement.of("refutes", 0.9, Objection("name", "Oslo", "Bergen", "source")),
     (0.1, 0.2, 0.7), "refutes", "name"),
    # the model never takes a stance alone (measured on development pairs: 38% wrong)
    (Judgement("neutral", 0.4, ""), (0.95, 0.03, 0.02), "neutral", None),
    (Judgement.of("neutral", 0.4, Objection("no_number", "40")), (0.95, 0.03, 0.02),
     "neutral", "no_number"),
    (Judgement.of("neutral", 0.4, Objection("distant")), (0.95, 0.03, 0.02), "neutral",
     "distant"),
])
def test_each_side_can_veto_the_other(ruled, probs, stance, kind) -> None:
    p = NLIResult("x", *probs)
    j = NLIJudge._combine(_ev("Berg said so."), ruled, p, ["berg", "said"])
    assert j.stance == stance
    kinds = [o.kind for o in j.objections]
    assert (kind in kinds) if kind else not any(k in ("unentailed", "uncontradicted")
                                                 for k in kinds)
    if kind in ("unentailed", "uncontradicted"):
        assert "NLI model" in j.reason


def test_a_rule_supported_claim_said_only_under_a_condition_is_vetoed() -> None:
    ev = _ev("If the vote fails, Berg would cut the aid budget.")
    p = NLIResult("entailment", 0.95, 0.03, 0.02)
    ruled = Judgement("supports", 0.9, "same statement")
    j = NLIJudge._combine(ev, ruled, p, ["berg", "cut", "aid", "budget"])
    assert j.stance == "neutral" and [o.kind for o in j.objections] == ["conditional"]
    # the same sentence for a hypothetical claim (no claim terms to check): supported
    assert NLIJudge._combine(ev, ruled, p, None).stance == "supports"


class _Counting:
    """The real model, counting the pairs it is asked to score."""

    def __init__(self, model) -> None:
        self.model, self.pairs = model, []

    def predict(self, pairs):
        self.pairs.extend(pairs)
        return self.model.predict(pairs)


def test_only_sentences_the_rules_take_a_stance_on_are_scored(judge) -> None:
    claim = analyse("The treaty obliges members to send troops.")
    evidence = [_ev("The treaty does not oblige members to send troops."),
                _ev("Berg spoke to reporters in Oslo on Monday."),
                _ev("The treaty obliges members to send troops.")]
    ruled = judge.rules.judge(claim, evidence)
    assert [r.stance for r in ruled] == ["refutes", "neutral", "supports"]
    spy = _Counting(judge.model)
    got = NLIJudge(rules=judge.rules, model=spy).judge(claim, evidence)  # type: ignore[arg-type]
    assert [p for p, _ in spy.pairs] == [evidence[0].sentence.text, evidence[2].sentence.text]
    assert got[1] == ruled[1]  # the neutral sentence: the rules' judgement, unscored
    # each scored sentence is judged as it would be alone (pairs are scored one by one)
    assert got[0] == judge.judge(claim, [evidence[0]])[0]
    assert got[2] == judge.judge(claim, [evidence[2]])[0]
    assert [j.stance for j in got] == ["refutes", "neutral", "supports"]


def test_the_premise_carries_the_sentence_before_a_reference() -> None:
    body = "Anna Berg spoke in Oslo on Monday. She said the cuts were a mistake."
    ev = _ev("She said the cuts were a mistake.", body)
    assert premise(ev) == body
    assert premise(_ev("Anna Berg spoke in Oslo on Monday.", body)) == \
        "Anna Berg spoke in Oslo on Monday."
    assert refers_back("Hon sade att det var fel.", "sv")
    assert not refers_back("Berg sade att det var fel.", "sv")


def test_open_questions_keep_the_rules_answer_finding(judge) -> None:
    q = analyse("What did Berg say about the advisers?")
    ev = _ev("Berg said the government needs to send more advisers.")
    assert q.form == "open"
    assert judge.judge(q, [ev]) == judge.rules.judge(q, [ev])


# ------------------------------------------------------------------ calibration

def test_the_committed_calibration_is_a_monotone_probability_map() -> None:
    cal = load()
    assert cal.judge == NLIJudge.name
    values = [cal(x / 20) for x in range(21)]
    assert all(0 < v < 1 for v in values)
    assert values == sorted(values) and values[-1] > values[0]
    data = json.loads(CALIBRATION.read_text())
    manifest = data["manifest"]
    assert manifest["recipe"] and all(len(h) == 64 for h in manifest["data"].values())
    assert "gate" not in " ".join(manifest["data"])  # never fitted on the release gate
    assert manifest["dev_metrics"]["after"]["wrong_commitment_rate"] <= 0.05


def test_calibration_errors_are_clear(tmp_path) -> None:
    with pytest.raises(CalibrationError, match="not found"):
        load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"map": {}}')
    with pytest.raises(CalibrationError, match="malformed"):
        load(bad)


def _judged(stance: str, score: float, doc: str = "a") -> Evidence:
    return replace(_ev("Berg said so.", doc=doc), judgement=Judgement(stance, score, "r"))


def test_aggregate_calibrates_and_withholds_under_the_bar() -> None:
    cal = Calibration(slope=4.0, intercept=-2.0, commit=0.6)
    strong = aggregate([_judged("supports", 0.95), _judged("supports", 0.9, "b")], cal)
    raw = aggregate([_judged("supports", 0.95), _judged("supports", 0.9, "b")])
    assert strong.label == "supported"
    assert math.isclose(strong.confidence, round(cal(raw.confidence), 4))
    weak = aggregate([_judged("supports", 0.56)], cal)
    assert weak.label == "not_enough_info" and weak.evidence == ()
    assert "leans supported" in weak.reason
    assert aggregate([], cal).label == "not_enough_info"


# ------------------------------------------------------------------ the engine's choice

def test_the_engine_judges_with_the_nli_judge_when_asked(seeds_index) -> None:
    from rag.pipeline import FactChecker

    fc = FactChecker.from_settings(Settings.from_env(env={"FACTCHECK_JUDGE": "nli"},
                                                     data_dir=seeds_index))
    assert isinstance(fc.judge, NLIJudge) and fc.calibration == load()
    a = fc.ask("Would an attack on NATO trainers in Ukraine automatically trigger Article 5?")
    assert a.backend["judge"] == NLIJudge.name
    assert a.verdict == "refuted" and 0 < a.confidence < 1
    rules = FactChecker.from_settings(Settings.from_env(env={}, data_dir=seeds_index))
    assert isinstance(rules.judge, OfflineJudge) and rules.calibration is None
    with pytest.raises(ConfigError, match="FACTCHECK_JUDGE"):
        Settings.from_env(env={"FACTCHECK_JUDGE": "gpt"})
