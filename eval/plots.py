"""The report's plots as base64 PNG data URIs (matplotlib, Agg backend, no files, no
network): verdict confusion matrix, metric bars, latency histogram, judge confusion,
reliability diagram, risk-coverage curve."""

from __future__ import annotations

import base64
import io
from typing import Any


def _fig_uri(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion(table: dict[str, dict[str, int]], title: str, xlabel: str = "got",
              ylabel: str = "expected") -> str:
    plt = _plt()
    rows = list(table)
    cols = list(dict.fromkeys(c for r in table.values() for c in r))
    data = [[table[r].get(c, 0) for c in cols] for r in rows]
    fig, ax = plt.subplots(figsize=(1.3 * len(cols) + 2, 1.0 * len(rows) + 1.5))
    ax.imshow(data, cmap="Blues")
    ax.set_xticks(range(len(cols)), [c.replace("_", " ") for c in cols], rotation=30,
                  ha="right")
    ax.set_yticks(range(len(rows)), [r.replace("_", " ") for r in rows])
    top = max((v for row in data for v in row), default=0)
    for i, row in enumerate(data):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center",
                    color="white" if top and v > top / 2 else "black")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return _fig_uri(fig)


def metric_bars(metrics: dict[str, dict[str, Any]], limits: dict[str, tuple[str, float]]) -> str:
    """Rates in [0, 1] as bars; gate limits as ticks; n/a drawn as an empty labelled row."""
    plt = _plt()
    names = [n for n in metrics if not n.startswith("latency")]
    vals = [metrics[n]["value"] for n in names]
    fig, ax = plt.subplots(figsize=(7.5, 0.38 * len(names) + 1))
    colors = ["#4c72b0" if v is not None else "#cccccc" for v in vals]
    ax.barh(range(len(names)), [v or 0 for v in vals], color=colors)
    for i, (n, v) in enumerate(zip(names, vals, strict=True)):
        ax.text((v or 0) + 0.01, i, "n/a" if v is None else f"{v:.3f}", va="center",
                fontsize=8)
        if n in limits:
            bound, limit = limits[n]
            ax.plot([limit, limit], [i - 0.4, i + 0.4], color="#c44e52", lw=2)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_title("metrics (red tick: gate limit)")
    return _fig_uri(fig)


def latency_hist(latencies: list[float]) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 3))
    if latencies:
        ax.hist(latencies, bins=min(30, max(5, len(latencies) // 4)), color="#55a868")
    ax.set_xlabel("wall-clock ms per case")
    ax.set_ylabel("cases")
    ax.set_title("latency")
    return _fig_uri(fig)


def reliability(bins: list[dict[str, Any]], ece: float | None) -> str:
    """Reliability diagram: accuracy per confidence bin against the diagonal, with counts."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    ax.plot([0, 1], [0, 1], color="#999999", ls="--", lw=1)
    for b in bins:
        ax.bar(b["lo"], b["accuracy"], width=b["hi"] - b["lo"], align="edge",
               color="#4c72b0", alpha=0.8, edgecolor="white")
        ax.plot([b["lo"], b["hi"]], [b["confidence"], b["confidence"]], color="#c44e52", lw=2)
        ax.text(b["lo"] + (b["hi"] - b["lo"]) / 2, min(0.97, b["accuracy"] + 0.02),
                str(b["n"]), ha="center", fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("confidence (committed answers)")
    ax.set_ylabel("accuracy (bars); red: mean confidence")
    ax.set_title(f"reliability (ECE {'n/a' if ece is None else f'{ece:.3f}'})")
    return _fig_uri(fig)


def risk_coverage(curve: list[dict[str, float]], aurc: float | None) -> str:
    """Accuracy of the answers kept against the share kept, as the threshold rises."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    if curve:
        ax.step([r["coverage"] for r in curve], [r["accuracy"] for r in curve], where="post",
                color="#55a868")
        ax.scatter([r["coverage"] for r in curve], [r["accuracy"] for r in curve], s=8,
                   color="#55a868")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of committed answers kept)")
    ax.set_ylabel("accuracy of the kept answers")
    ax.set_title(f"risk-coverage (AURC {'n/a' if aurc is None else f'{aurc:.3f}'})")
    return _fig_uri(fig)
