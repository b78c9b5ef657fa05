"""The gate: thresholds (n/a never passes), the paired tests, the baseline diff on two
crafted runs, and gate config errors. CLI exit codes are in test_eval_cli.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from eval import gate as g
from eval.dataset import Case
from eval.metrics import compute_all
from eval.records import CaseResult
from eval.stats import mcnemar, paired_bootstrap
from eval.yamlfile import SuiteError
from rag.types import Answer, Citation

SRC = "001_0f2719b2d72ad6a5"


def run(verdicts: dict[str, str], expected: str = "supported",
        pairs: bool = False) -> list[CaseResult]:
    out = []
    for i, (cid, verdict) in enumerate(sorted(verdicts.items())):
        pair = f"p{i // 2}" if pairs else None
        case = Case(cid, f"q {cid}", "en" if i % 2 == 0 else "sv", "claim", expected,  # type: ignore[arg-type]
                    (SRC,), (), (), pair)
        cites = (Citation(1, SRC, "c", "q", 0, 1, "supports", "", "t", "en"),) \
            if verdict != "not_enough_info" else ()
        answer = Answer(case.text, case.lang, "claim", verdict, 0.0, "", cites, ())  # type: ignore[arg-type]
        out.append(CaseResult(case, answer, 5.0))
    return out


def test_mcnemar_exact_by_hand():
    before = {str(i): 1.0 for i in range(12)}
    after = {**before, **{str(i): 0.0 for i in range(10)}}
    t = mcnemar(before, after)
    assert (t["one_to_zero"], t["zero_to_one"]) == (10, 0)
    assert t["p"] == pytest.approx(2 / 1024)
    even = mcnemar({"a": 1, "b": 1, "c": 0, "d": 0}, {"a": 0, "b": 0, "c": 1, "d": 1})
    assert even["p"] == 1.0
    assert mcnemar({"a": 1.0, "b": None}, {"a": 1.0, "b": 0.0})["n"] == 1


def test_baseline_diff_on_two_crafted_runs_flags_regressions():
    ids = [f"c{i:02d}" for i in range(30)]
    baseline = run(dict.fromkeys(ids, "supported"))
    current = run({i: ("not_enough_info" if n < 10 else "supported") for n, i in enumerate(ids)})
    cfg = g.GateConfig(resamples=300)
    cm, bm = compute_all(current), compute_all(baseline)
    comp = g.compare(current, baseline, cm, bm, cfg)
    acc = comp["tests"]["verdict_accuracy"]
    assert acc["mcnemar"]["one_to_zero"] == 10 and acc["mcnemar"]["p"] < 0.01
    assert acc["bootstrap"]["diff"] == pytest.approx(-1 / 3)
    assert acc["bootstrap"]["ci"][1] < 0 and acc["regression"]
    assert comp["tests"]["false_refusal_rate"]["regression"]  # lower is better: went up
    flipped = {r["id"] for r in comp["cases"] if r["metric"] == "verdict"}
    assert flipped == set(ids[:10])
    assert "latency_p95_ms" not in comp["tests"]  # machine-dependent: ignored by default
    decision = g.decide([], comp)
    assert not decision["passed"]
    assert any(f.startswith("verdict_accuracy: significant regression") for f in
               decision["failures"])


def test_identical_runs_and_small_changes_are_not_regressions():
    ids = [f"c{i:02d}" for i in range(20)]
    base = run(dict.fromkeys(ids, "supported"))
    cfg = g.GateConfig(resamples=200)
    same = g.compare(base, base, compute_all(base), compute_all(base), cfg)
    assert not any(t["regression"] for t in same["tests"].values())
    assert same["cases"] == []
    one = run({i: ("refuted" if i == "c00" else "supported") for i in ids})
    small = g.compare(one, base, compute_all(one), compute_all(base), cfg)
    assert not small["tests"]["verdict_accuracy"]["regression"]  # 1 flip: p = 1
    assert [r["id"] for r in small["cases"] if r["metric"] == "verdict"] == ["c00"]
    assert g.decide([], small)["passed"]


def test_bootstrap_is_seeded_and_keeps_twins_together():
    ids = [f"c{i:02d}" for i in range(16)]
    base = run(dict.fromkeys(ids, "supported"), pairs=True)
    cur = run({i: ("refuted" if n % 3 == 0 else "supported") for n, i in enumerate(ids)},
              pairs=True)
    a = paired_bootstrap(cur, base, ["verdict_accuracy", "twin_consistency"], resamples=200,
                         seed=7)
    b = paired_bootstrap(cur, base, ["verdict_accuracy", "twin_consistency"], resamples=200,
                         seed=7)
    assert a == b
    assert a["verdict_accuracy"]["units"] == 8  # 16 cases, 8 en/sv pairs
    assert a["twin_consistency"]["diff"] < 0


def test_thresholds_min_max_and_na_never_passes():
    rs = run({"a": "supported", "b": "refuted"})
    metrics = compute_all(rs)
    cfg = g.GateConfig(minimum={"verdict_accuracy": 0.5, "refusal_recall": 0.1},
                       maximum={"false_refusal_rate": 0.0, "latency_p95_ms": 1.0},
                       judge_min_balanced_accuracy=0.6)
    rows = {r["metric"]: r for r in g.check_thresholds(metrics, cfg, {"balanced_accuracy": 0.7})}
    assert rows["verdict_accuracy"]["ok"]
    assert not rows["refusal_recall"]["ok"]  # no unanswerable case: n/a fails
    assert rows["refusal_recall"]["why"] == "n/a cannot pass a threshold"
    assert rows["false_refusal_rate"]["ok"]
    assert not rows["latency_p95_ms"]["ok"] and rows["latency_p95_ms"]["why"] == "5 > 1"
    assert rows["judge_balanced_accuracy"]["ok"]
    missing = g.check_thresholds(metrics, cfg, None)
    assert not [r for r in missing if r["metric"] == "judge_balanced_accuracy"][0]["ok"]
    decision = g.decide(list(rows.values()), None)
    assert not decision["passed"] and len(decision["failures"]) == 2


def test_repo_gate_file_loads():
    cfg = g.load_gate(Path(__file__).resolve().parents[1] / "eval" / "gate.toml")
    assert cfg.minimum and cfg.maximum and cfg.judge_min_balanced_accuracy
    assert "faithfulness" in cfg.minimum and "citation_validity" in cfg.minimum


@pytest.mark.parametrize("body, fragment", [
    ("[min]\nbogus = 1\n", "unknown metric 'bogus'"),
    ("[min]\nfaithfulness = 'high'\n", "must be a number"),
    ("[thresholds]\n", "unknown section"),
    ("[min\n", "cannot read the gate"),
    ("[regression]\nignore = ['nope']\n", "ignore must list known metrics"),
])
def test_gate_file_errors(tmp_path, body, fragment):
    p = tmp_path / "gate.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(SuiteError, match=fragment):
        g.load_gate(p)


def test_command_line_overrides():
    assert g.parse_overrides(["faithfulness=0.9"], "--min") == {"faithfulness": 0.9}
    for bad, fragment in (("faithfulness", "expected METRIC=VALUE"),
                          ("speed=1", "unknown metric"), ("faithfulness=high", "not a number")):
        with pytest.raises(SuiteError, match=fragment):
            g.parse_overrides([bad], "--min")


def test_results_round_trip_through_json():
    import json

    rs = run({"a": "supported"})
    back = [CaseResult.from_dict(json.loads(json.dumps(r.to_dict()))) for r in rs]
    assert back == [replace(r, latency_ms=round(r.latency_ms, 2)) for r in rs]
