"""How long one `factcheck ask --json` takes from a cold process, as a ratio to
`python -c "import rag"` measured in the same run (issue 17, point 6), and where its
import time goes (`python -X importtime`, the top modules by cumulative time).

    .venv/bin/python bench/cli_start.py [--data-dir DIR] [--runs 5]

Ingests seeds/ into a temporary data dir unless --data-dir names one. Prints the median
wall time of each command, the ratio, the in-process timings of the answer (load,
analyse, retrieve, judge …) and the slowest imports. A benchmark, not a test: nothing
here asserts a time (STYLE.md 15). Many questions should go to one process: `factcheck
ask --jsonl FILE` or the server.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Would a Russian attack that hurts NATO trainers automatically trigger Article 5?"


def wall(cmd: list[str], runs: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t0)
        out = done.stdout
    return statistics.median(times), out


def top_imports(cmd: list[str], n: int = 12) -> list[tuple[float, str]]:
    done = subprocess.run([sys.executable, "-X", "importtime", *cmd], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (p.strip() for p in line.removeprefix("import time:").split("|"))
        if cumulative.isdigit() and not name.startswith(" "):
            rows.append((int(cumulative) / 1e6, name.strip()))
    # only top-level-ish modules (no leading indentation in the name column)
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    data = args.data_dir
    if data is None:
        data = tempfile.mkdtemp(prefix="fc-cli-bench-")
        subprocess.run([sys.executable, "-m", "ui.cli", "ingest", "--quiet", "--data-dir",
                        data], cwd=ROOT, check=True, capture_output=True)
    base, _ = wall([sys.executable, "-c", "import rag"], args.runs)
    ask = [sys.executable, "-m", "ui.cli", "ask", "--json", "--data-dir", data, QUESTION]
    took, out = wall(ask, args.runs)
    timings = json.loads(out)["timings_ms"]
    print(f"python -c 'import rag'      median {base:6.2f} s  ({args.runs} runs)")
    print(f"factcheck ask --json        median {took:6.2f} s  ({args.runs} runs)")
    print(f"ratio                       {took / base:6.1f}x")
    print("in-process timings of the last answer (ms): "
          + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    print("slowest imports (cumulative s):")
    for seconds, name in top_imports(ask[1:]):
        print(f"  {seconds:6.2f}  {name}")


if __name__ == "__main__":
    main()
