"""Answer latency of the offline default: cold start, warm p50/p95, and where the time goes.

    .venv/bin/python bench/latency.py [--quick] [--profile] [--rounds N] [--cold-runs N]
                                      [--limit N] [--data-dir DIR]

- Questions: every case of the dev eval suite (eval/suites/dev.yaml, loaded by the
  eval harness's own loader: a missing or malformed suite stops the run with its error;
  there is no silent fallback list).
- Index: seeds/ ingested into --data-dir first (default bench/results/index; a no-op when
  nothing changed), so the script runs from a fresh clone.
- Cold start: a fresh `python -c` subprocess imports the package, builds the engine and
  answers the first question; measured by this process from just before the spawn to the
  moment the child reports its verified answer (interpreter start-up included, exit not),
  the median of --cold-runs. The child also reports its own phases and the CPU time it
  used until then (on a loaded machine wall time waits for the cores; CPU time less so).
- Warm: one engine answers every question --rounds times after one warm-up answer; the
  latency is the wall-clock time of `FactChecker.ask`. By stage: the engine's own
  `timings_ms` (analyse = `rag.query.analyse.analyse`, embed = the query embedding, load,
  retrieve, judge, compose, verify) plus "input + condense" = wall − the engine's total
  (input checks and, with an LLM, the follow-up rewrite; ~0 offline).
- Baseline, same run, same questions: the raw embedder's query embedding (the floor every
  answer pays); the table gives each figure's ratio to it.
- Targets on the 2-core reference machine: warm p50 ≤ 150 ms, cold start ≤ 5 s, printed as
  met / missed. The machine may be shared: absolute figures are noisy (the load average at
  start and end is recorded), ratios measured in one run are what to compare.
- `--profile`: pyinstrument over one extra warm pass and one extra cold start (neither is
  part of the timed figures), written to bench/results/latency_profile.{html,txt} and
  latency_cold_profile.{html,txt}.
- `--quick` (what `make bench` runs): one round, one cold start.

Writes bench/results/latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SUITE = ROOT / "eval" / "suites" / "dev.yaml"
DEFAULT_DATA = ROOT / "bench" / "results" / "index"
RESULTS = ROOT / "bench" / "results"
TARGET_WARM_P50_MS = 150.0
TARGET_COLD_S = 5.0
STAGES = ("input + condense", "analyse", "embed query", "load", "retrieve", "judge",
          "compose", "verify", "total")

# the cold-start child: prints one JSON line once its first answer is verified
CHILD = """
import json, sys, time
t0 = time.perf_counter()
if len(sys.argv) > 3:  # profile this cold start (a separate, untimed run)
    from pyinstrument import Profiler
    profiler = Profiler(interval=0.001)
    profiler.start()
from rag.pipeline import FactChecker
t1 = time.perf_counter()
fc = FactChecker.from_settings(data_dir=sys.argv[1])
t2 = time.perf_counter()
a = fc.ask(sys.argv[2])
t3 = time.perf_counter()
assert "verify" in a.timings_ms and a.verdict, "the first answer was not verified"
print(json.dumps({"import_s": t1 - t0, "engine_s": t2 - t1, "first_answer_s": t3 - t2,
                  "cpu_s": time.process_time(), "verdict": a.verdict,
                  "timings_ms": a.timings_ms}), flush=True)
if len(sys.argv) > 3:
    profiler.stop()
    open(sys.argv[3] + ".html", "w", encoding="utf-8").write(profiler.output_html())
    open(sys.argv[3] + ".txt", "w", encoding="utf-8").write(
        profiler.output_text(unicode=True, color=False))
"""


def pct(xs: list[float], p: float) -> float:
    import numpy as np

    return float(np.percentile(xs, p))


def questions(limit: int | None) -> list[str]:
    from eval.dataset import load_suite

    cases = load_suite(SUITE).cases  # raises SuiteError with file:line on any problem
    qs = [c.text for c in cases]
    return qs[:limit] if limit else qs


def cold_start(data_dir: Path, question: str, profile_to: Path | None = None) -> dict[str, Any]:
    """Spawn → first verified answer, measured from outside; the child's phases from inside."""
    extra = [str(profile_to)] if profile_to else []
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), question, *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    wall = time.perf_counter() - t0
    _, err = proc.communicate(timeout=120)
    if proc.returncode != 0 or not line.strip():
        raise SystemExit(f"cold-start child failed (exit {proc.returncode}):\n{err[-2000:]}")
    child = json.loads(line)
    inside = child["import_s"] + child["engine_s"] + child["first_answer_s"]
    return {"total_s": wall, "interpreter_s": max(0.0, wall - inside), **child}


def warm(fc: Any, qs: list[str], rounds: int) -> tuple[list[float], list[float],
                                                     dict[str, list[float]]]:
    walls: list[float] = []
    embeds: list[float] = []
    stages: dict[str, list[float]] = {k: [] for k in STAGES}
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            fc.embedder.embed_queries([q])
            embeds.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            a = fc.ask(q)
            wall = (time.perf_counter() - t) * 1000
            walls.append(wall)
            tm = a.timings_ms
            stages["input + condense"].append(wall - tm["total"])
            stages["embed query"].append(tm.get("embed", 0.0))
            for k in ("analyse", "load", "retrieve", "judge", "compose", "verify"):
                stages[k].append(tm.get(k, 0.0))
            stages["total"].append(wall)
    return walls, embeds, stages


def profile(fc: Any, qs: list[str]) -> dict[str, str]:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for q in qs:
        fc.ask(q)
    profiler.stop()
    html, text = RESULTS / "latency_profile.html", RESULTS / "latency_profile.txt"
    html.write_text(profiler.output_html(), encoding="utf-8")
    text.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    cold = RESULTS / "latency_cold_profile"
    cold_start(fc.settings.data_dir, qs[0], profile_to=cold)
    return {"warm_html": str(html.relative_to(ROOT)), "warm_text": str(text.relative_to(ROOT)),
            "cold_html": f"{cold.relative_to(ROOT)}.html",
            "cold_text": f"{cold.relative_to(ROOT)}.txt"}


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--rounds", type=int, default=None, help="warm passes (default 3; quick 1)")
    ap.add_argument("--cold-runs", type=int, default=None,
                    help="fresh-process cold starts (default 3; quick 1)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions")
    ap.add_argument("--quick", action="store_true", help="one round, one cold start")
    ap.add_argument("--profile", action="store_true",
                    help="pyinstrument profile of one extra pass -> bench/results/")
    args = ap.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 3)
    cold_runs = args.cold_runs or (1 if args.quick else 3)

    from rag.offline import ensure_offline

    ensure_offline()
    from rag.ingest.build import ingest
    from rag.pipeline import FactChecker

    qs = questions(args.limit)
    RESULTS.mkdir(parents=True, exist_ok=True)
    load_start = _load()
    fc = FactChecker.from_settings(data_dir=args.data_dir)
    report = ingest([ROOT / "seeds"], fc.settings, fc.embedder, progress=False)
    print(report.summary(), file=sys.stderr)
    colds = [cold_start(args.data_dir, qs[0]) for _ in range(cold_runs)]
    fc.ask(qs[0])  # warm up: model, index snapshot, caches
    walls, embeds, stages = warm(fc, qs, rounds)
    prof = profile(fc, qs) if args.profile else None

    embed_p50 = pct(embeds, 50)
    cold_s = statistics.median(c["total_s"] for c in colds)
    warm_p50, warm_p95 = pct(walls, 50), pct(walls, 95)
    mean_total = statistics.fmean(walls)
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, "
                   f"python {platform.python_version()}",
        "load_average": {"start": load_start, "end": _load()},
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "suite": str(SUITE.relative_to(ROOT)), "questions": len(qs), "rounds": rounds,
        "answers_timed": len(walls), "index_build": fc.snapshot().build_id,
        "cold_start": {"runs": colds, "median_s": round(cold_s, 3),
                       "target_s": TARGET_COLD_S, "met": cold_s <= TARGET_COLD_S},
        "warm_ms": {"p50": round(warm_p50, 1), "p95": round(warm_p95, 1),
                    "mean": round(mean_total, 1), "target_p50": TARGET_WARM_P50_MS,
                    "met": warm_p50 <= TARGET_WARM_P50_MS},
        "baseline_embed_query_ms": {"p50": round(embed_p50, 2), "p95": round(pct(embeds, 95), 2)},
        "ratio_warm_p50_to_embed_p50": round(warm_p50 / embed_p50, 2),
        "stages_ms": {k: {"p50": round(pct(v, 50), 2), "p95": round(pct(v, 95), 2),
                          "mean": round(statistics.fmean(v), 2),
                          "share_of_mean": round(statistics.fmean(v) / mean_total, 3)}
                      for k, v in stages.items()},
        "profile": prof,
    }
    print_table(result)
    (RESULTS / "latency.json").write_text(json.dumps(result, indent=2))
    print(f"\nwrote {RESULTS / 'latency.json'}"
          + (" and the profiles: " + ", ".join(prof.values()) if prof else ""))
    return 0


def print_table(r: dict[str, Any]) -> None:
    base = r["baseline_embed_query_ms"]["p50"]
    print(f"\nanswer latency, offline default: {r['questions']} questions x {r['rounds']} "
          f"round(s), {r['machine']}, load {r['load_average']['start']} -> "
          f"{r['load_average']['end']}")
    print(f"{'stage':24s} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9} {'share':>6} "
          f"{'p50/embed':>9}")
    for k, v in r["stages_ms"].items():
        print(f"{k:24s} {v['p50']:9.1f} {v['p95']:9.1f} {v['mean']:9.1f} "
              f"{v['share_of_mean']:6.0%} {v['p50'] / base:9.2f}")
    print(f"{'baseline: embed query':24s} {base:9.1f} {r['baseline_embed_query_ms']['p95']:9.1f}"
          f" {'':9s} {'':6s} {1.0:9.2f}")
    c = r["cold_start"]
    phases = ", ".join(f"{k} {statistics.median(x[k] for x in c['runs']):.2f} s"
                       for k in ("interpreter_s", "import_s", "engine_s", "first_answer_s"))
    w = r["warm_ms"]
    print(f"\nwarm p50 {w['p50']:.1f} ms (target <= {w['target_p50']:.0f} ms): "
          f"{'met' if w['met'] else 'MISSED'}; p95 {w['p95']:.1f} ms; "
          f"p50 = {r['ratio_warm_p50_to_embed_p50']:.1f} x the raw query embedding")
    cpu = statistics.median(x["cpu_s"] for x in c["runs"])
    print(f"cold start {c['median_s']:.2f} s, median of {len(c['runs'])} "
          f"(target <= {c['target_s']:.0f} s): {'met' if c['met'] else 'MISSED'}; {phases}; "
          f"CPU time of the child until its answer {cpu:.2f} s (less sensitive to load)")


if __name__ == "__main__":
    raise SystemExit(main())
