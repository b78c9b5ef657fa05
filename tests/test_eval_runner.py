"""The runner holds the engine's `Answer` objects (the contract dict only in results.json),
a results.json reads back as the same records, and stored runs — full or the compact
committed baseline, which has no quotes — read back as the records the metrics use.
Real engine on the seed index."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from eval import baseline as bl
from eval.dataset import Suite, load_suites
from eval.metrics import compute_all
from eval.records import CaseResult, StoredCase
from eval.runner import SCHEMA, ask_all, load_run
from rag.types import Answer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results(checker) -> list[CaseResult]:
    dev = load_suites([ROOT / "eval" / "suites" / "dev.yaml"])[0]
    picked, seen = [], set()
    for c in dev.cases:  # one case per (expected verdict, language, kind)
        if (c.expected, c.lang, c.kind) not in seen:
            seen.add((c.expected, c.lang, c.kind))
            picked.append(c)
    return ask_all(checker, [replace(dev, cases=tuple(picked[:8]))], progress=False)


def test_the_runner_holds_answers_and_a_results_json_reads_back_the_same(results, checker):
    assert len(results) == 8 and all(isinstance(r.answer, Answer) for r in results)
    back = [CaseResult.from_dict(json.loads(json.dumps(r.to_dict()))) for r in results]
    assert back == [replace(r, latency_ms=round(r.latency_ms, 2)) for r in results]
    for r in results:  # the contract's form loses nothing the eval reads, roles included
        a = r.answer
        assert a is not None
        own = checker.ask(r.case.text)
        assert [s.role for s in a.sentences] == [s.role for s in own.sentences]
        assert (a.verdict, a.citations, a.answer) == (own.verdict, own.citations, own.answer)
        assert r.verdict == a.verdict and r.text == a.answer and r.query == a.query
        assert r.cited_sources() == list(dict.fromkeys(c.source for c in a.citations))


def test_a_stored_run_full_or_compact_reads_as_the_metrics_records(results, tmp_path):
    payload = {"schema": SCHEMA, "run": {"id": "r"}, "suites": [], "equivalent_sources": [],
               "metrics": {k: v.to_dict() for k, v in compute_all(results).items()},
               "cases": [r.to_dict() for r in results]}
    (tmp_path / "results.json").write_text(json.dumps(payload), encoding="utf-8")
    bl.save(payload, tmp_path / "compact.json")
    _, full = load_run(tmp_path)
    _, compact = load_run(tmp_path / "compact.json")
    assert full == compact and all(isinstance(r, StoredCase) for r in full)
    for s, r in zip(full, results, strict=True):
        assert (s.verdict, s.confidence, s.text, s.query, s.cited_sources(), s.answered) == \
            (r.verdict, round(r.confidence, 4), r.text, r.query, r.cited_sources(), True)
    live = compute_all([replace(r, latency_ms=round(r.latency_ms, 2)) for r in results])
    assert {k: m.value for k, m in compute_all(compact).items()} == \
        {k: m.value for k, m in live.items()}


def test_the_committed_baseline_reproduces_its_own_metrics():
    data, cases = load_run(ROOT / "eval" / "baseline.json")
    assert cases and "quote" not in json.dumps(data["cases"][0]["answer"])
    eq = tuple(frozenset(g) for g in data["equivalent_sources"])
    got = compute_all(cases, eq)
    for name, m in data["metrics"].items():  # latencies are stored to 0.01 ms per case
        tol = 0.01 if name.startswith("latency") else 1e-12
        assert got[name].value == pytest.approx(m["value"], abs=tol), name


def test_an_engine_error_is_kept_as_no_answer(checker):
    case = replace(load_suites([ROOT / "eval" / "suites" / "dev.yaml"])[0].cases[0], text="  ")
    (r,) = ask_all(checker, [Suite("s", "", "", "", (case,))], progress=False)
    assert r.answer is None and r.verdict == "error" and r.error.startswith("InputError")
    stored = StoredCase.from_dict(json.loads(json.dumps(r.to_dict())))
    assert not stored.answered and stored.verdict == "error" and stored.cited_sources() == []
