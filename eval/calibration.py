"""Calibration: does a confidence of 0.9 mean right 9 times in 10?

Over the committed answers (verdict supported / refuted / conflicting; a refusal's
confidence promises nothing about a verdict):

- `expected_calibration_error` (ECE): answers put in `BINS` equal-width confidence bins
  ([0, 0.1), …, [0.9, 1.0], the last one closed); ECE = sum over bins of
  (answers in bin / all) * |accuracy in bin - mean confidence in bin|. Per case: the
  answer's own gap |correct - confidence| (so per-case diffs show who got worse).
- `reliability(results)`: the bins themselves (for the reliability diagram).
- `risk_coverage(results)`: answers sorted by confidence, highest first; at each cut the
  share kept (coverage) and the accuracy of the kept ones. `aurc` is the area under the
  risk (1 - accuracy) curve: the mean risk over all cuts; lower is better.

Plain functions over case records (`eval.records.CaseRecord`); a stored answer without a
confidence counts as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.metrics_commit import COMMITTED
from eval.records import CaseRecord, MetricResult

BINS = 10


def _committed(results: Sequence[CaseRecord]) -> list[tuple[str, float, bool]]:
    out = []
    for r in results:
        if r.answered and r.verdict in COMMITTED:
            conf = r.confidence
            out.append((r.case.id, min(1.0, max(0.0, conf)), r.verdict == r.case.expected))
    return out


def _bin(conf: float, bins: int) -> int:
    return min(int(conf * bins), bins - 1)


def reliability(results: Sequence[CaseRecord], bins: int = BINS) -> list[dict[str, Any]]:
    """One row per non-empty bin: its range, count, mean confidence and accuracy."""
    rows: dict[int, list[tuple[float, bool]]] = {}
    for _, conf, ok in _committed(results):
        rows.setdefault(_bin(conf, bins), []).append((conf, ok))
    out = []
    for b in sorted(rows):
        items = rows[b]
        out.append({"lo": b / bins, "hi": (b + 1) / bins, "n": len(items),
                    "confidence": sum(c for c, _ in items) / len(items),
                    "accuracy": sum(ok for _, ok in items) / len(items)})
    return out


def expected_calibration_error(results: Sequence[CaseRecord], bins: int = BINS) -> MetricResult:
    items = _committed(results)
    committed = {cid for cid, _, _ in items}
    per: dict[str, float | None] = {r.case.id: None for r in results
                                    if r.case.id not in committed}
    for cid, conf, ok in items:
        per[cid] = abs(float(ok) - conf)
    table = reliability(results, bins)
    if not items:
        return MetricResult(None, "ECE: n/a (no committed answer)",
                            {"n": 0, "na": len(per), "per_case": per, "bins": table})
    value = sum(row["n"] / len(items) * abs(row["accuracy"] - row["confidence"])
                for row in table)
    brier = sum((float(ok) - conf) ** 2 for _, conf, ok in items) / len(items)
    over = sum(row["n"] * (row["confidence"] - row["accuracy"]) for row in table) / len(items)
    return MetricResult(value, f"expected calibration error over {len(items)} committed "
                               f"answers, {bins} bins: {value:.3f} (confidence minus accuracy "
                               f"{over:+.3f}; Brier {brier:.3f})",
                        {"n": len(items), "na": len(per) - len(items), "per_case": per,
                         "bins": table, "overconfidence": over, "brier": brier})


def risk_coverage(results: Sequence[CaseRecord]) -> list[dict[str, float]]:
    """Kept share and accuracy at every confidence cut (ties cut together)."""
    items = sorted(_committed(results), key=lambda x: -x[1])
    out = []
    right = 0
    for i, (_, conf, ok) in enumerate(items, 1):
        right += ok
        if i < len(items) and items[i][1] == conf:
            continue  # a threshold keeps all answers of equal confidence or none
        out.append({"threshold": conf, "coverage": i / len(items), "accuracy": right / i,
                    "kept": i})
    return out


def aurc(results: Sequence[CaseRecord]) -> MetricResult:
    """Area under the risk-coverage curve: the mean over k of the risk of the k most
    confident committed answers (ties kept together). Lower is better."""
    items = sorted(_committed(results), key=lambda x: -x[1])
    committed = {cid for cid, _, _ in items}
    per: dict[str, float | None] = {r.case.id: (None if r.case.id not in committed else
                                                float(r.verdict != r.case.expected))
                                    for r in results}
    if not items:
        return MetricResult(None, "AURC: n/a (no committed answer)",
                            {"n": 0, "na": len(per), "per_case": per, "curve": []})
    curve = risk_coverage(results)
    risks, prev = [], 0
    for row in curve:  # each tie group counts once per answer in it
        risks += [1.0 - row["accuracy"]] * (int(row["kept"]) - prev)
        prev = int(row["kept"])
    value = sum(risks) / len(risks)
    return MetricResult(value, f"area under the risk-coverage curve over {len(items)} committed "
                               f"answers: {value:.3f} (lower is better)",
                        {"n": len(items), "na": len(per) - len(items), "per_case": per,
                         "curve": curve})
