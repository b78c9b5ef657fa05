"""Crash safety of ingest (issue 7, promise 4), with real subprocesses and SIGKILL.

An ingest that adds, changes and removes articles is first run once with a checkpoint trace
(rag/index/checkpoint.py) to learn its real checkpoint sequence; then, for each of DRAWS points
drawn from it with a seeded RNG, a fresh copy of the index is given the same ingest, killed
there. After each kill: the index answers the Article 5 question correctly from whichever
complete build the manifest names (the old one, or the new one if the switch happened), with
resolving citations; a re-run converges to exactly what a clean ingest makes; no builds are
left beyond current and previous. Also: two ingests at once — the second fails with exit
code 4 and a clear message when the lock is not freed in time, and waits otherwise.

Seed: FACTCHECK_CRASH_SEED (default below); it is in every test id.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from conftest import ROOT, SEEDS, run_cli
from index_helpers import assert_answer_resolves, assert_consistent, assert_same_index, read_index

from rag.config import Settings
from rag.errors import IndexNotReadyError
from rag.ingest.build import ingest
from rag.judge.heuristic import OfflineJudge
from rag.pipeline import FactChecker

QUESTION = "Would an attack on NATO trainers automatically trigger Article 5?"
SEED = int(os.environ.get("FACTCHECK_CRASH_SEED", "20261123"))
DRAWS = 20
A5, CHANGED, REMOVED, ADDED = ("003_fd4e6618132d0377", "004_797c8833192f9c9f",
                               "001_0f2719b2d72ad6a5", "000_50532e2996062e32")


def _texts(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text("utf-8") for p in sorted(folder.glob("*.txt"))}


def _copy(names: list[str], dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEEDS / "sources.yaml", dest)
    for name in names:
        shutil.copy(SEEDS / f"{name}.txt", dest)
    return dest


@dataclass(frozen=True)
class Scenario:
    base: Path  # data dir with two builds (current + previous) of the `before` articles
    before: dict[str, str]
    after_dir: Path  # the articles the killed ingest is given (with --prune)
    after: dict[str, str]
    old_build: str
    clean: Path  # a clean ingest of `after_dir`
    trace: list[str]  # checkpoint names, in order (checkpoint n is trace[n - 1])
    points: list[int]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, embedder) -> Scenario:
    root = tmp_path_factory.mktemp("crash")
    before_dir = _copy([REMOVED, A5], root / "before")
    base = root / "base"
    ingest([before_dir], Settings.from_env(data_dir=base), embedder, progress=False)
    _copy([CHANGED], before_dir)
    ingest([before_dir], Settings.from_env(data_dir=base), embedder, progress=False)

    # the killed ingest: one article unchanged, one changed, one removed, one added
    after_dir = _copy([A5], root / "after")
    changed = (SEEDS / f"{CHANGED}.txt").read_text("utf-8")
    assert "97 NATO" in changed
    (after_dir / f"{CHANGED}.txt").write_text(changed.replace("97 NATO", "98 NATO"), "utf-8")
    added = (SEEDS / f"{ADDED}.txt").read_text("utf-8").split("\n")
    (after_dir / f"{ADDED}.txt").write_text("\n".join(added[:6]) + "\n", "utf-8")

    clean = root / "clean"
    ingest([after_dir], Settings.from_env(data_dir=clean), embedder, progress=False)

    traced = root / "traced"
    shutil.copytree(base, traced)
    trace_file = root / "trace.txt"
    out = run_cli("ingest", "--prune", "--quiet", "--data-dir", str(traced), str(after_dir),
                  env={"FACTCHECK_TEST_TRACE": str(trace_file)})
    assert out.returncode == 0, out.stderr
    lines = trace_file.read_text("utf-8").split()
    trace = lines[1::2]
    assert lines[0::2] == [str(n) for n in range(1, len(trace) + 1)]
    assert len(trace) >= DRAWS, f"only {len(trace)} checkpoints: {trace}"
    points = sorted(random.Random(SEED).sample(range(1, len(trace) + 1), DRAWS))
    old = read_index(base)
    return Scenario(base, _texts(before_dir), after_dir, _texts(after_dir), old.build, clean,
                    trace, points)


def _ask(data: Path, embedder):
    return FactChecker(Settings.from_env(data_dir=data), embedder,
                       OfflineJudge(embedder)).ask(QUESTION)


@pytest.mark.slow
def test_the_scenario_before_any_kill(scenario, embedder):
    """The starting index answers, and the traced ingest reaches the switch and cleanup."""
    state = read_index(scenario.base)
    assert state.previous is not None  # two builds: the killed ingest must drop one
    assert_consistent(state, scenario.before)
    answer = _ask(scenario.base, embedder)
    assert answer.verdict == "refuted" and answer.citations
    assert_answer_resolves(answer, state, scenario.before)
    for name in ("embed_batch", "chroma_add", "manifest:replaced", "cleanup:dir"):
        assert name in scenario.trace


@pytest.mark.slow
@pytest.mark.parametrize("draw", range(DRAWS), ids=[f"seed{SEED}-draw{i}" for i in range(DRAWS)])
def test_sigkill_at_a_random_checkpoint(scenario, embedder, tmp_path, draw):
    point = scenario.points[draw]
    where = f"seed {SEED}, checkpoint #{point} ({scenario.trace[point - 1]})"
    data = tmp_path / "data"
    shutil.copytree(scenario.base, data)
    killed = run_cli("ingest", "--prune", "--quiet", "--data-dir", str(data),
                     str(scenario.after_dir), env={"FACTCHECK_TEST_KILL_AT": f"#{point}"})
    assert killed.returncode == -signal.SIGKILL, f"{where}: not killed: {killed.stderr}"

    # whichever build the manifest names is complete and answers
    state = read_index(data)
    switched = state.build != scenario.old_build
    texts = scenario.after if switched else scenario.before
    assert switched == (point > scenario.trace.index("manifest:written") + 1), where
    if switched:
        assert state.previous == scenario.old_build, where
    assert {d: doc.text for d, doc in state.docs.items()} == texts, where
    assert set(state.vectors) == set(state.chunks), where
    answer = _ask(data, embedder)
    assert answer.verdict == "refuted" and answer.citations, f"{where}: {answer.verdict}"
    assert_answer_resolves(answer, state, texts)

    # a re-run converges to what a clean ingest makes, and cleans up after the crash
    ingest([scenario.after_dir], Settings.from_env(data_dir=data), embedder, prune=True,
           progress=False)
    final = read_index(data)
    assert_consistent(final, scenario.after)
    assert_same_index(final, read_index(scenario.clean))
    answer = _ask(data, embedder)
    assert answer.verdict == "refuted" and answer.citations, f"{where}: {answer.verdict}"
    assert_answer_resolves(answer, final, scenario.after)


@pytest.mark.slow
def test_sigkill_during_the_first_ingest(scenario, embedder, tmp_path):
    """With no index yet, a kill leaves no index (a clear "run ingest" error, never a
    half-built one) or the complete new one; a re-run converges and drops the debris."""
    data = tmp_path / "data"
    trace_file = tmp_path / "trace.txt"
    out = run_cli("ingest", "--quiet", "--data-dir", str(tmp_path / "traced"),
                  str(scenario.after_dir), env={"FACTCHECK_TEST_TRACE": str(trace_file)})
    assert out.returncode == 0, out.stderr
    trace = trace_file.read_text("utf-8").split()[1::2]
    point = random.Random(SEED).randint(trace.index("build_dir") + 1, len(trace))
    where = f"seed {SEED}, first ingest, checkpoint #{point} ({trace[point - 1]})"
    killed = run_cli("ingest", "--quiet", "--data-dir", str(data), str(scenario.after_dir),
                     env={"FACTCHECK_TEST_KILL_AT": f"#{point}"})
    assert killed.returncode == -signal.SIGKILL, f"{where}: not killed: {killed.stderr}"
    if point <= trace.index("manifest:written") + 1:
        with pytest.raises(IndexNotReadyError, match="factcheck ingest"):
            _ask(data, embedder)
    else:
        assert_answer_resolves(_ask(data, embedder), read_index(data), scenario.after)
    ingest([scenario.after_dir], Settings.from_env(data_dir=data), embedder, progress=False)
    final = read_index(data)
    assert_consistent(final, scenario.after)
    assert_same_index(final, read_index(scenario.clean))


def _popen_ingest(data: Path, corpus: Path, *extra: str,
                  env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ingest", "--quiet", "--data-dir", str(data),
         *extra, str(corpus)], cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_stopped(proc: subprocess.Popen[str], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    ps = psutil.Process(proc.pid)
    while ps.status() != psutil.STATUS_STOPPED:
        assert proc.poll() is None, f"writer exited early: {proc.communicate()}"
        assert time.monotonic() < deadline, "writer never reached its checkpoint"
        time.sleep(0.1)


@pytest.mark.slow
def test_two_writers_second_fails_fast_or_waits(tmp_path, embedder):
    """Writer A pauses (SIGSTOP at a checkpoint) while holding the lock. Writer B, with
    FACTCHECK_LOCK_TIMEOUT_S=1, gives up with exit 4 and a clear message; writer C (default
    10 s), started just before A resumes, waits and then builds on A's build. Nothing is
    corrupted."""
    first = _copy([REMOVED, A5], tmp_path / "first")
    second = _copy([A5, CHANGED], tmp_path / "second")
    data = tmp_path / "data"
    a = _popen_ingest(data, first, env={"FACTCHECK_TEST_STOP_AT": "before_manifest"})
    c: subprocess.Popen[str] | None = None
    try:
        _wait_stopped(a)
        b = run_cli("ingest", "--quiet", "--data-dir", str(data), str(second), timeout=120,
                    env={"FACTCHECK_LOCK_TIMEOUT_S": "1"})
        assert b.returncode == 4, b.stderr
        assert "another process is writing the index" in b.stderr
        assert b.stderr.count("\n") == 1 and "Traceback" not in b.stderr  # one line

        c = _popen_ingest(data, second, "--prune")
        time.sleep(1.0)
        assert c.poll() is None  # waiting for the lock
        a.send_signal(signal.SIGCONT)
        a_out, a_err = a.communicate(timeout=300)
        assert a.returncode == 0, a_err
        c_out, c_err = c.communicate(timeout=300)
        assert c.returncode == 0, c_err
    finally:
        for proc in (a, c):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()

    assert a_out.startswith("2 docs") and c_out.startswith("2 docs")
    counts = re.search(r"(\d+) added, (\d+) unchanged, (\d+) removed", c_out)
    assert counts and int(counts[2]) > 0 and int(counts[3]) > 0, c_out  # C built on A's build
    final = read_index(data)
    assert_consistent(final, _texts(second))
    clean = tmp_path / "clean"
    ingest([second], Settings.from_env(data_dir=clean), embedder, progress=False)
    assert_same_index(final, read_index(clean))
    answer = _ask(data, embedder)
    assert answer.verdict == "refuted"
    assert_answer_resolves(answer, final, _texts(second))
