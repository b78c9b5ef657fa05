"""The committed baseline: compacting a run keeps every metric's value, the compact file
reads back as a run, and the printed diff marks a regression beyond the paired bootstrap
interval (and only then)."""

from __future__ import annotations

import json

import pytest

from eval import baseline as bl
from eval import gate as g
from eval.dataset import Case
from eval.metrics import compute_all
from eval.records import CaseResult
from eval.runner import SCHEMA, load_run
from rag.types import Answer, Citation


def res(cid: str, expected: str, got: str, conf: float = 0.7) -> CaseResult:
    case = Case(cid, f"query {cid}", "en", "claim", expected, ("001_a",))  # type: ignore[arg-type]
    answer = Answer(case.text, "en", "claim", got, conf, "Yes [1]",  # type: ignore[arg-type]
                    (Citation(1, "001_a", "c", "q" * 500, 0, 500, "supports", "r", "t", "en"),),
                    (), timings_ms={"total": 1})
    return CaseResult(case, answer, 5.0, "",
                      ({"text": "Yes", "role": "verdict", "claim": "long claim", "want": [],
                        "citations": [1], "supported": True, "faithful": True,
                        "precise": {"1": True}, "reasons": {"1": "long"}},),
                      {"n_citations": 1, "valid": True, "problems": []})


def payload(results: list[CaseResult]) -> dict:
    return {"schema": SCHEMA, "run": {"id": "r"}, "suites": [{"name": "s", "sha256": "ab"}],
            "equivalent_sources": [],
            "metrics": {k: v.to_dict() for k, v in compute_all(results).items()},
            "cases": [r.to_dict() for r in results]}


def test_compact_baseline_keeps_the_metrics_and_reads_back(tmp_path):
    rs = [res(f"c{i}", "supported", "supported" if i % 3 else "refuted") for i in range(9)]
    p = tmp_path / "baseline.json"
    bl.save(payload(rs), p)
    assert len(p.read_bytes()) < len(json.dumps(payload(rs)).encode()) / 2  # quotes dropped
    data, cases = load_run(p)
    again = compute_all(cases)
    for name, m in compute_all(rs).items():
        assert again[name].value == m.value, name
    assert "quote" not in data["cases"][0]["answer"]["citations"][0]


def test_diff_lines_flag_a_regression_beyond_the_interval_only():
    before = [res(f"c{i}", "supported", "supported") for i in range(30)]
    after = [res(f"c{i}", "supported", "refuted" if i < 12 else "supported") for i in range(30)]
    cfg = g.GateConfig(resamples=200)
    mb, ma = compute_all(before), compute_all(after)
    comp = g.compare(after, before, ma, mb, cfg)
    lines = bl.diff_lines(comp, "eval/baseline.json")
    row = next(x for x in lines if x.strip().startswith("verdict_accuracy"))
    assert "1.000" in row and "0.600" in row and "-0.400" in row and "REGRESSION" in row
    wrong = next(x for x in lines if x.strip().startswith("wrong_commitment_rate "))
    assert "REGRESSION" in wrong  # 0 -> 12/30 wrong commitments
    # the 95% interval of the verdict-accuracy difference excludes 0 on the bad side
    ci = comp["tests"]["verdict_accuracy"]["bootstrap"]["ci"]
    assert ci[1] < 0
    assert g.decide([], comp)["passed"] is False
    same = g.compare(before, before, mb, mb, cfg)
    assert not any("REGRESSION" in x for x in bl.diff_lines(same, "b"))
    assert "12 case(s) lost the right verdict" in "\n".join(lines)


def test_one_flipped_case_is_within_the_interval():
    before = [res(f"c{i}", "supported", "supported") for i in range(30)]
    after = [res(f"c{i}", "supported", "refuted" if i == 0 else "supported") for i in range(30)]
    comp = g.compare(after, before, compute_all(after), compute_all(before),
                     g.GateConfig(resamples=200))
    assert comp["tests"]["verdict_accuracy"]["current"] == pytest.approx(29 / 30)
    assert not comp["tests"]["verdict_accuracy"]["regression"]


def test_suite_mismatch_says_what_differs():
    a = {"suites": [{"name": "gate", "sha256": "a" * 64}]}
    b = {"suites": [{"name": "gate", "sha256": "b" * 64}]}
    assert bl.suite_mismatch(a, a) == ""
    assert "only the cases in both" in bl.suite_mismatch(a, b)
