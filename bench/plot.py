"""How cost grows with corpus size: plots and power-law fits from bench/scale.py's JSON.

    .venv/bin/python bench/plot.py [bench/results/scale.json …] [--out docs/perf_scale.png]

Uses the `hash`-embedder rows (the only ones with several sizes; a size measured more
than once counts with its median). For each series it fits
cost = a * chunks^b by least squares on log-log and prints b: b ≈ 0 flat, b ≈ 1 linear.
Two panels: retrieval latency p50 (floor, dense, BM25, hybrid; embedded and server
Chroma), and memory (RSS after the snapshot load, ingest peak) and disk, with ingest and
cold-load time.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def fit(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """(a, b) of y = a * x^b, least squares on logs; None with fewer than 2 points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
    return math.exp(my - b * mx), b


def series(rows: list[dict[str, Any]], mode: str, key: str) -> tuple[list[float], list[float]]:
    """(chunks, value) of the hash rows in `mode`; repeated sizes give their median."""
    by_size: dict[float, list[float]] = {}
    for r in rows:
        if r["embedder"] == "hash" and r["mode"] == mode and key in r:
            by_size.setdefault(r["chunks"], []).append(r[key])
    xs = sorted(by_size)
    return xs, [statistics.median(by_size[x]) for x in xs]


def growth_notes(rows: list[dict[str, Any]]) -> list[str]:
    notes = []
    for mode in ("embedded", "server"):
        for key, label in (("floor_p50_ms", "numpy floor p50"), ("dense_p50_ms", "dense p50"),
                           ("bm25_p50_ms", "BM25 p50"), ("hybrid_p50_ms", "hybrid p50"),
                           ("ingest_s", "ingest time"), ("reingest_s", "re-ingest time"),
                           ("load_s", "cold load"), ("disk_mb", "disk"),
                           ("rss_after_load_mb", "RSS after snapshot load"),
                           ("peak_rss_ingest_mb", "ingest peak RSS")):
            xs, ys = series(rows, mode, key)
            f = fit(xs, ys)
            if f:
                notes.append(f"{mode:8} {label:24} ~ chunks^{f[1]:.2f}  "
                             f"({ys[0]:.3g} at {xs[0]:.0f} -> {ys[-1]:.3g} at {xs[-1]:.0f})")
    return notes


def plot(rows: list[dict[str, Any]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.6))
    styles = {"embedded": "-", "server": "--"}
    for mode, ls in styles.items():
        for key, label, color in (("floor_p50_ms", "numpy floor", "grey"),
                                  ("dense_p50_ms", "dense (Chroma)", "tab:blue"),
                                  ("bm25_p50_ms", "BM25", "tab:green"),
                                  ("hybrid_p50_ms", "hybrid retrieve", "tab:red")):
            xs, ys = series(rows, mode, key)
            if xs and (mode == "embedded" or key in ("dense_p50_ms", "hybrid_p50_ms")):
                ax1.plot(xs, ys, ls, marker="o", color=color, label=f"{label} ({mode})")
    ax1.axhline(30, color="black", lw=0.6, ls=":")
    xs, _ = series(rows, "embedded", "floor_p50_ms")
    ax1.text(min(xs or [1000]), 32, "30 ms target", fontsize=8)
    ax1.set(xscale="log", yscale="log", xlabel="chunks", ylabel="p50 latency (ms)",
            title="Retrieval latency vs corpus size (hash embedder)")
    ax1.legend(fontsize=7)
    for mode, ls in styles.items():
        xs, ys = series(rows, mode, "rss_after_load_mb")
        if xs:
            ax2.plot(xs, ys, ls, marker="o", color="tab:purple",
                     label=f"RSS after load MB ({mode})")
        xs, ys = series(rows, mode, "peak_rss_ingest_mb")
        if xs and mode == "embedded":
            ax2.plot(xs, ys, ls, marker="v", color="tab:pink", label="ingest peak RSS MB")
        xs, ys = series(rows, mode, "server_peak_rss_mb")
        if xs:
            ax2.plot(xs, ys, ls, marker="s", color="tab:orange", label="chroma server RSS MB")
        xs, ys = series(rows, mode, "disk_mb")
        if xs:
            ax2.plot(xs, ys, ls, marker="^", color="tab:brown", label=f"disk MB ({mode})")
    ax2.set(xscale="log", yscale="log", xlabel="chunks", ylabel="MB",
            title="Memory and disk vs corpus size")
    ax3 = ax2.twinx()
    xs, ys = series(rows, "embedded", "ingest_s")
    if xs:
        ax3.plot(xs, ys, ":", marker="x", color="tab:cyan", label="ingest s (embedded)")
    xs, ys = series(rows, "embedded", "load_s")
    if xs:
        ax3.plot(xs, ys, ":", marker="+", color="tab:olive", label="cold load s (embedded)")
    ax3.set(yscale="log", ylabel="seconds")
    h1, l1 = ax2.get_legend_handles_labels()
    h2, l2 = ax3.get_legend_handles_labels()
    ax2.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper left")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="*", type=Path,
                    default=[ROOT / "bench" / "results" / "scale.json"])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "perf_scale.png")
    a = ap.parse_args()
    rows: list[dict[str, Any]] = []
    for p in a.results:
        rows += json.loads(p.read_text())["rows"]
    for note in growth_notes(rows):
        print(note)
    plot(rows, a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
