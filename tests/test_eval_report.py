"""The release report: limit and margin columns, wrong commitments listed first, the
calibration sections and plots, and a per-case table that is collapsed, filterable and
still self-contained and escaped."""

from __future__ import annotations

import re

from eval import report_sections as rs
from eval.dataset import Case
from eval.metrics import compute_all
from eval.records import CaseResult
from eval.report import html_report, markdown
from eval.runner import SCHEMA
from rag.types import Answer


def res(cid: str, expected: str, got: str, conf: float, lang: str = "en",
        tags: tuple[str, ...] = ()) -> CaseResult:
    sources = () if expected == "not_enough_info" else ("001_a",)
    case = Case(cid, f"<b>query</b> {cid}", lang, "claim", expected, sources, (), tags)  # type: ignore[arg-type]
    answer = Answer(case.text, case.lang, "claim", got, conf, "", (), ())  # type: ignore[arg-type]
    return CaseResult(case, answer, 3.0)


def payload() -> dict:
    results = [res("right", "supported", "supported", 0.9, tags=("numbers",)),
               res("swap", "supported", "refuted", 0.8, "sv", ("hedge",)),
               res("refused", "refuted", "not_enough_info", 0.0),
               res("nei", "not_enough_info", "supported", 0.6)]
    metrics = compute_all(results)
    return {"schema": SCHEMA, "run": {"id": "r1", "seconds": 1, "scoring_seconds": 0},
            "suites": [{"name": "s", "cases": 4, "sha256": "0" * 64}],
            "engine": {"backend": {}}, "environment": {"git": {}, "python": "3"},
            "judge": {"name": "offline", "version": "v", "settings": {}},
            "metrics": {k: v.to_dict() for k, v in metrics.items()}, "judge_meta": {},
            "cases": [r.to_dict() for r in results],
            "gate": {"decision": {"passed": False, "failures": ["x"]},
                     "thresholds": [
                         {"metric": "wrong_commitment_rate", "bound": "max", "limit": 0.5,
                          "value": metrics["wrong_commitment_rate"].value, "ok": False},
                         {"metric": "verdict_accuracy", "bound": "min", "limit": 0.2,
                          "value": metrics["verdict_accuracy"].value, "ok": True}]}}


def test_metric_table_has_limit_and_margin_columns():
    md = markdown(payload())
    assert "| metric | value | limit | margin |" in md
    # 2 of 3 committed answers are wrong: 0.667 against max 0.5 -> margin -0.167, missed
    assert re.search(r"\| wrong_commitment_rate \| 0\.667 \| max 0\.5 \| -0\.167 \*\*missed\*\*",
                     md)
    assert re.search(r"\| verdict_accuracy \| 0\.250 \| min 0\.2 \| \+0\.050 \|", md)


def test_wrong_commitments_come_first_with_their_kind():
    md = markdown(payload())
    assert md.index("## Wrong commitments (2 of 3") < md.index("## What ran")
    assert "| supported <-> refuted | swap | sv | supported | refuted |" in md
    assert "committed where the truth is n.e.i. | nei |" in md
    assert "## Calibration (committed answers)" in md and "Risk-coverage" in md
    wrong = md[md.index("## Cases with the wrong verdict"):]
    assert wrong.index("| swap |") < wrong.index("| refused |")


def test_case_table_is_collapsed_filterable_and_escaped():
    page = html_report(payload())
    table = page[page.index("<details>"):]
    assert "<details><summary>Per-case results (4 cases" in table
    assert "id='f-outcome'" in table and "id='f-tag'" in table and "id='f-lang'" in table
    assert "<option value='hedge'>" in table and "<option value='sv'>" in table
    order = [m.group(1) for m in re.finditer(r"data-outcome='([a-z-]+)'", table)]
    assert order == ["wrong-commitment", "wrong-commitment", "refused", "right"]
    assert "<b>query</b>" not in page and "&lt;b&gt;query&lt;/b&gt;" in page
    assert "http://" not in page and "https://" not in page
    assert page.count("src='data:image/png;base64,") >= 5  # bars, confusion, latency, 2 calib.


def test_outcome_and_limit_cells():
    assert rs.limit_cells("ece", None, {"ece": ("max", 0.1)}) == ("max 0.1", "n/a (fails)")
    assert rs.limit_cells("ece", 0.05, {}) == ("", "")
    c = {"case": {"expected": "refuted"}, "answer": None}
    assert rs.outcome(c) == "error"
