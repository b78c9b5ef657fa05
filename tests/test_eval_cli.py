"""`factcheck eval run` end to end on the real engine and seed index: exit codes (0 pass,
1 gate failed, 2 malformed input, 3 no index), the run folder's files, a baseline run that
reports per-case regressions and fails on a significant one, and report.html opened in a
real Chromium (self-contained: nothing is fetched)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from ui.cli import main

pytestmark = pytest.mark.slow

CASE = """  - id: {id}
    lang: {lang}
    kind: question
    text: "{text}"
    expected: {expected}
    sources: {sources}
"""
TANKS = "How many Leopard tanks has Germany delivered to Ukraine?"
HTML_BAIT = "Is <script>alert(1)</script> Kaja Kallas the Prime Minister of Estonia?"


def suite(tmp_path: Path, rows: list[dict[str, Any]], name: str = "tiny.yaml") -> Path:
    body = "suite: tiny\ncases:\n" + "".join(CASE.format(**r) for r in rows)
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def tiny(tmp_path: Path) -> Path:
    return suite(tmp_path, [
        {"id": "tanks", "lang": "en", "text": TANKS, "expected": "not_enough_info",
         "sources": "[]"},
        {"id": "bait", "lang": "en", "text": HTML_BAIT, "expected": "supported",
         "sources": "[001_0f2719b2d72ad6a5]"}])


def run(tmp_path: Path, index: Path, *args: str) -> tuple[int, Path | None]:
    out = tmp_path / "runs"
    before = set(out.iterdir()) if out.exists() else set()
    code = main(["eval", "run", *args, "--data-dir", str(index), "--out", str(out),
                 "--quiet"])
    new = sorted(set(out.iterdir()) - before) if out.exists() else []
    return code, (new[-1] if new else None)


def test_run_writes_results_and_reports_and_passes(tmp_path, seeds_index, capsys):
    code, folder = run(tmp_path, seeds_index, str(tiny(tmp_path)), "--no-gate",
                       "--min", "citation_validity=1", "--no-meta")
    assert code == 0, capsys.readouterr()
    assert folder is not None
    assert {p.name for p in folder.iterdir()} == {"results.json", "report.md", "report.html"}
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert data["judge"]["name"] == "offline" and data["judge"]["version"]
    assert data["engine"]["backend"]["index_build"]
    assert {c["case"]["id"] for c in data["cases"]} == {"tanks", "bait"}
    assert set(data["metrics"]) >= {"faithfulness", "verdict_accuracy", "latency_p95_ms"}
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "src='data:image/png;base64," in page
    assert "http://" not in page and "https://" not in page
    out = capsys.readouterr().out
    assert "gate: PASSED" in out


def test_threshold_missed_exits_1(tmp_path, seeds_index, capsys):
    code, folder = run(tmp_path, seeds_index, str(tiny(tmp_path)), "--no-gate", "--no-meta",
                       "--min", "verdict_accuracy=1.01")
    assert code == 1
    assert "verdict_accuracy min 1.01" in capsys.readouterr().out
    assert folder is not None and "Gate: FAILED" in (folder / "report.md").read_text()


def test_na_metric_fails_its_threshold(tmp_path, seeds_index):
    only_tanks = suite(tmp_path, [{"id": "tanks", "lang": "en", "text": TANKS,
                                   "expected": "not_enough_info", "sources": "[]"}])
    code, _ = run(tmp_path, seeds_index, str(only_tanks), "--no-gate", "--no-meta",
                  "--min", "hit_at_3=0.1")  # no case has gold sources: n/a
    assert code == 1


def test_malformed_inputs_exit_2_before_the_engine_runs(tmp_path, seeds_index, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cases:\n  - id: x\n    lang: fi\n", encoding="utf-8")
    assert run(tmp_path, seeds_index, str(bad))[0] == 2
    assert f"{bad}:2: case is missing required field 'text'" in capsys.readouterr().err
    good = str(tiny(tmp_path))
    assert run(tmp_path, seeds_index, good, "--min", "speed=1")[0] == 2
    assert run(tmp_path, seeds_index, good, "--baseline", str(tmp_path / "none.json"))[0] == 2


def test_no_index_exits_3(tmp_path, capsys):
    code = main(["eval", "run", str(tiny(tmp_path)), "--data-dir", str(tmp_path / "empty"),
                 "--out", str(tmp_path / "runs"), "--quiet", "--no-meta", "--no-gate"])
    assert code == 3
    assert "factcheck ingest" in capsys.readouterr().err


def test_baseline_regression_is_listed_and_fails_the_gate(tmp_path, seeds_index, capsys):
    rows = [{"id": f"t{i}", "lang": "en", "text": TANKS + " " * i, "expected": "supported",
             "sources": "[004_797c8833192f9c9f]"} for i in range(8)]
    first_suite = suite(tmp_path, rows)
    code, first = run(tmp_path, seeds_index, str(first_suite), "--no-gate", "--no-meta")
    assert first is not None
    got = json.loads((first / "results.json").read_text())["cases"][0]["answer"]["verdict"]
    # expect what the engine does not say, then craft a baseline that said it every time
    wrong = "refuted" if got != "refuted" else "supported"
    rows = [{**r, "expected": wrong} for r in rows]
    current_suite = suite(tmp_path, rows, "current.yaml")
    base = json.loads((first / "results.json").read_text())
    for c in base["cases"]:
        c["case"]["expected"] = wrong
        c["answer"]["verdict"] = wrong
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(base), encoding="utf-8")

    same, _ = run(tmp_path, seeds_index, str(first_suite), "--no-gate", "--no-meta",
                  "--baseline", str(first))
    assert same == 0  # the same engine against its own run: no regression

    code, folder = run(tmp_path, seeds_index, str(current_suite), "--no-gate", "--no-meta",
                       "--baseline", str(baseline))
    assert code == 1
    assert folder is not None
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "## Against baseline" in report
    assert "- t0: verdict " + wrong + " -> " + got in report
    gate = json.loads((folder / "results.json").read_text())["gate"]
    assert gate["comparison"]["tests"]["verdict_accuracy"]["regression"]
    assert gate["comparison"]["tests"]["verdict_accuracy"]["mcnemar"]["p"] < 0.05
    assert "significant regression" in capsys.readouterr().out


@pytest.mark.browser
def test_report_opens_in_chromium(tmp_path, seeds_index):
    chromium = Path(os.environ.get("FACTCHECK_CHROMIUM", "/usr/bin/chromium"))
    assert chromium.exists(), f"Chromium not found at {chromium} (browser tests never skip)"
    code, folder = run(tmp_path, seeds_index, str(tiny(tmp_path)), "--no-gate", "--no-meta")
    assert code == 0 and folder is not None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium),
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append(f"dialog {d.message}"), d.dismiss()))
        page.goto((folder / "report.html").as_uri(), wait_until="load")
        assert page.title().startswith("eval ")
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
        assert len(widths) >= 3 and all(w > 0 for w in widths)
        assert page.locator("table").last.locator("tr").count() == 3  # header + 2 cases
        # shown as text, not run (twice when it is also listed among the wrong commitments)
        assert page.get_by_text(HTML_BAIT).count() >= 1
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert not errors, errors
    assert all(u.startswith(("file:", "data:")) for u in requests), requests


def test_follow_up_cases_are_asked_with_their_history(tmp_path, seeds_index, capsys):
    """A case with a history is asked after its earlier turns, and the standalone question
    the engine made of it is scored against the expected one."""
    p = tmp_path / "fu.yaml"
    p.write_text("""suite: fu
cases:
  - id: fr
    lang: en
    kind: question
    history: ["Has the US expressed interest in deploying troops to Ukraine?"]
    text: What about France?
    standalone: Has France expressed interest in deploying troops to Ukraine?
    expected: supported
    sources: [004_797c8833192f9c9f]
  - id: lt
    lang: en
    kind: question
    history: ["Has the US expressed interest in deploying troops to Ukraine?",
              "What about France?"]
    text: And Lithuania?
    standalone: Has Lithuania expressed interest in deploying troops to Ukraine?
    expected: supported
    sources: [004_797c8833192f9c9f]
""", encoding="utf-8")
    code, folder = run(tmp_path, seeds_index, str(p), "--no-gate", "--no-meta")
    assert code == 0, capsys.readouterr()
    assert folder is not None
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    queries = {c["case"]["id"]: c["answer"]["query"] for c in data["cases"]}
    assert "France" in queries["fr"] and "Lithuania" in queries["lt"]
    m = data["metrics"]["standalone_accuracy"]
    assert m["details"]["n"] == 2 and m["value"] is not None
    assert "standalone_accuracy" in capsys.readouterr().out
