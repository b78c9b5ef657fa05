"""Wrong commitments, calibration (ECE, reliability bins), risk-coverage and AURC on
hand-made answers whose values are computed by hand in the comments."""

from __future__ import annotations

import pytest

from eval import calibration as cal
from eval import metrics_commit as wc
from eval.dataset import Case
from eval.metrics import METRICS, compute_all
from eval.records import CaseResult
from rag.types import Answer


def res(cid: str, expected: str, got: str, conf: float = 0.5) -> CaseResult:
    sources = () if expected == "not_enough_info" else ("001_a",)
    case = Case(cid, f"query {cid}", "en", "claim", expected, sources)  # type: ignore[arg-type]
    answer = Answer(case.text, "en", "claim", got, conf, "", (), ())  # type: ignore[arg-type]
    return CaseResult(case, answer, 1.0)


def test_wrong_commitment_rate_counts_only_committed_answers_and_splits_them():
    rs = [res("ok", "supported", "supported"),
          res("swap", "supported", "refuted"),          # supported <-> refuted
          res("nei", "not_enough_info", "supported"),   # committed where the truth is n.e.i.
          res("conf", "conflicting", "refuted"),        # one side of a disagreement
          res("refusal", "refuted", "not_enough_info"),  # missed, not wrong: n/a
          res("ok2", "not_enough_info", "not_enough_info")]  # n/a
    m = wc.wrong_commitment_rate(rs)
    # committed: ok, swap, nei, conf -> 3 wrong of 4
    assert m.value == pytest.approx(3 / 4)
    assert m.details["n"] == 4 and m.details["na"] == 2 and m.details["wrong"] == 3
    assert m.details["split"] == {"swap": 1, "on_nei": 1, "conflict": 1}
    assert m.details["wrong_ids"]["swap"] == ["swap"]
    assert m.details["per_case"]["refusal"] is None and m.details["per_case"]["ok"] == 0.0
    count = wc.wrong_commitments(rs)
    assert count.value == 3 and count.details["per_case"]["refusal"] == 0.0
    assert "swap 1" in m.reason


def test_wrong_commitment_rate_is_na_when_nothing_commits():
    m = wc.wrong_commitment_rate([res("a", "supported", "not_enough_info")])
    assert m.value is None and "n/a" in m.reason


def test_engine_error_is_no_commitment():
    r = CaseResult(Case("e", "q", "en", "claim", "supported", ("001_a",)), None, 1.0, "boom")
    assert wc.wrong_commitment_rate([r]).value is None
    assert wc.kind_of_wrong("supported", "error") is None


def test_label_table_precision_and_recall():
    rs = [res("a", "supported", "supported"), res("b", "refuted", "supported"),
          res("c", "refuted", "refuted")]
    t = wc.label_table(rs)
    assert t["supported"]["precision"] == 0.5 and t["supported"]["recall"] == 1.0
    assert t["refuted"]["precision"] == 1.0 and t["refuted"]["recall"] == 0.5
    assert t["conflicting"]["precision"] is None and t["conflicting"]["recall"] is None


def test_ece_on_a_toy_set_computed_by_hand():
    rs = [res("a", "supported", "supported", 0.95),  # bin [0.9, 1.0]: right
          res("b", "supported", "refuted", 0.92),    # bin [0.9, 1.0]: wrong
          res("c", "refuted", "refuted", 0.65),      # bin [0.6, 0.7): right
          res("d", "refuted", "refuted", 0.61),      # bin [0.6, 0.7): right
          res("e", "supported", "not_enough_info", 0.0)]  # a refusal: not counted
    # bin 0.9: n 2, mean conf (0.95 + 0.92) / 2 = 0.935, accuracy 1/2 -> gap 0.435
    # bin 0.6: n 2, mean conf (0.65 + 0.61) / 2 = 0.63,  accuracy 2/2 -> gap 0.37
    # ECE = 2/4 * 0.435 + 2/4 * 0.37 = 0.4025
    m = cal.expected_calibration_error(rs)
    assert m.value == pytest.approx(0.4025)
    assert m.details["n"] == 4 and m.details["na"] == 1
    assert m.details["per_case"]["b"] == pytest.approx(0.92)  # |0 - 0.92|
    assert m.details["per_case"]["e"] is None
    bins = {round(b["lo"], 1): b for b in m.details["bins"]}
    assert bins[0.9]["n"] == 2 and bins[0.9]["accuracy"] == 0.5
    assert bins[0.6]["confidence"] == pytest.approx(0.63)
    # overconfidence = (2 * (0.935 - 0.5) + 2 * (0.63 - 1.0)) / 4 = 0.0325
    assert m.details["overconfidence"] == pytest.approx(0.0325)
    # Brier = (0.05^2 + 0.92^2 + 0.35^2 + 0.39^2) / 4 = (0.0025 + 0.8464 + 0.1225 + 0.1521) / 4
    assert m.details["brier"] == pytest.approx(1.1235 / 4)


def test_confidence_one_falls_in_the_last_bin_and_perfect_calibration_is_zero():
    rs = [res("a", "supported", "supported", 1.0), res("b", "refuted", "refuted", 1.0)]
    m = cal.expected_calibration_error(rs)
    assert m.value == 0.0 and m.details["bins"][0]["lo"] == pytest.approx(0.9)
    assert cal.expected_calibration_error([res("x", "supported", "not_enough_info")]).value \
        is None


def test_risk_coverage_and_aurc_by_hand():
    rs = [res("a", "supported", "supported", 0.9),
          res("b", "supported", "refuted", 0.8),
          res("c", "refuted", "refuted", 0.8),
          res("d", "refuted", "refuted", 0.3)]
    curve = cal.risk_coverage(rs)
    # cuts: >=0.9 keeps a (1/1 right); >=0.8 keeps a, b, c together (2/3); >=0.3 all (3/4)
    assert [(c["kept"], c["coverage"]) for c in curve] == [(1, 0.25), (3, 0.75), (4, 1.0)]
    assert [c["accuracy"] for c in curve] == pytest.approx([1.0, 2 / 3, 3 / 4])
    # AURC: risk per answer kept in order, ties together: 0, 1/3, 1/3, 1/4 -> mean
    m = cal.aurc(rs)
    assert m.value == pytest.approx((0 + 1 / 3 + 1 / 3 + 1 / 4) / 4)


def test_new_metrics_are_registered_with_their_direction():
    for name in ("wrong_commitment_rate", "wrong_commitments", "ece", "aurc"):
        assert name in METRICS and not METRICS[name].higher_is_better
    got = compute_all([res("a", "supported", "supported", 0.7)])
    assert got["wrong_commitment_rate"].value == 0.0
    assert got["ece"].value == pytest.approx(0.3)
