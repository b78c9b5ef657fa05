"""Answer latency of the offline default: cold start and warm p50/p95, by stage.

    .venv/bin/python bench/latency.py [--data-dir DIR] [--rounds N]

Cold start is measured in a fresh subprocess (process start -> first verified answer).
Warm latency runs every question of the public eval suite (or a built-in list when the
suite is absent) `rounds` times through one FactChecker. The baseline row is the raw
embedder call on the same questions (the floor any answer pays), so the printed ratio
says how much the pipeline adds on top of embedding the query.
Writes bench/results/latency.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FALLBACK = [
    "Would a Russian attack that hurts NATO trainers in Ukraine automatically trigger "
    "Article 5?",
    "Skulle en rysk attack som skadar Nato-instruktörer automatiskt utlösa Artikel 5?",
    "Vad innebär Artikel 5 i Nordatlantiska fördraget?",
    "Poland signed arms supply contracts worth over 4 billion euros.",
    "What is the population of Estonia?",
]


def questions() -> list[str]:
    out: list[str] = []
    try:
        import yaml

        for f in sorted((ROOT / "eval" / "suites").glob("*.yaml")):
            data = yaml.safe_load(f.read_text("utf-8"))
            cases = data.get("cases", data) if isinstance(data, dict) else data
            out += [c["text"] for c in cases if isinstance(c, dict) and "text" in c]
    except Exception:  # the suite is optional here: fall back to a fixed list
        out = []
    return out or FALLBACK


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def cold_start(data_dir: str) -> float:
    code = ("import time; t=time.perf_counter(); from rag import FactChecker; "
            f"fc=FactChecker.from_settings(data_dir={data_dir!r}); fc.ask({FALLBACK[0]!r}); "
            "print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])  # imports + load + first answer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=str(ROOT / "data"))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from rag.offline import ensure_offline

    ensure_offline()
    from rag.pipeline import FactChecker

    cold_wall = time.perf_counter()
    cold = cold_start(args.data_dir)
    cold_wall = time.perf_counter() - cold_wall
    fc = FactChecker.from_settings(data_dir=args.data_dir)
    qs = questions()
    fc.ask(qs[0])  # warm up models and caches
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    embed: list[float] = []
    for _ in range(args.rounds):
        for q in qs:
            t = time.perf_counter()
            fc.embedder.embed_queries([q])
            embed.append((time.perf_counter() - t) * 1000)
            a = fc.ask(q)
            totals.append(a.timings_ms["total"])
            for k, v in a.timings_ms.items():
                stages.setdefault(k, []).append(v)
    result = {
        "machine": f"{platform.processor() or platform.machine()}, "
                   f"{__import__('os').cpu_count()} cpus, python {platform.python_version()}",
        "questions": len(qs), "rounds": args.rounds,
        "cold_start_s": round(cold, 3), "cold_start_process_wall_s": round(cold_wall, 3),
        "warm_ms": {"p50": round(pct(totals, 50), 1), "p95": round(pct(totals, 95), 1)},
        "stages_p50_ms": {k: round(pct(v, 50), 2) for k, v in stages.items()},
        "baseline_embed_query_p50_ms": round(pct(embed, 50), 2),
        "ratio_p50_vs_embed": round(pct(totals, 50) / max(pct(embed, 50), 1e-6), 1),
    }
    print(f"{'metric':32s} value")
    for k, v in result.items():
        print(f"{k:32s} {v}")
    out = ROOT / "bench" / "results" / "latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
