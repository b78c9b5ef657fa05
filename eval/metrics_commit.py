"""Wrong commitments: the answers a user acts on that are wrong.

An answer *commits* when its verdict is supported, refuted or conflicting. A refusal
(not_enough_info) is a missed answer, not a wrong one; a wrong commitment is worse, so it is
the headline metric of the release gate, measured over committed answers only:

- `wrong_commitment_rate`: of the committed answers, the share whose verdict is not the
  expected one (n/a when nothing committed). Per case 1/0, n/a for refusals and errors.
- `wrong_commitments`: their count (per case 1/0 for every case, so it resamples).
- the split, in both metrics' details: `swap` (supported <-> refuted), `on_nei` (a verdict
  where the truth is not_enough_info) and `conflict` (anything involving conflicting).
- `label_table`: per-verdict precision and recall, printed beside it.

Plain functions over case records, like `eval/metrics.py`; nothing here calls the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.records import CaseRecord, MetricResult
from rag.types import VERDICTS

NEI = "not_enough_info"
COMMITTED = ("supported", "refuted", "conflicting")
POLAR = ("supported", "refuted")


def kind_of_wrong(expected: str, got: str) -> str | None:
    """Which kind of wrong commitment (expected -> got) is, or None if it is none."""
    if got not in COMMITTED or got == expected:
        return None
    if expected == NEI:
        return "on_nei"
    if expected in POLAR and got in POLAR:
        return "swap"
    return "conflict"


def _split(results: Sequence[CaseRecord]) -> dict[str, Any]:
    kinds: dict[str, list[str]] = {"swap": [], "on_nei": [], "conflict": []}
    for r in results:
        k = kind_of_wrong(r.case.expected, r.verdict)
        if k:
            kinds[k].append(r.case.id)
    return {"split": {k: len(v) for k, v in kinds.items()}, "wrong_ids": kinds}


def wrong_commitment_rate(results: Sequence[CaseRecord]) -> MetricResult:
    per: dict[str, float | None] = {}
    for r in results:
        per[r.case.id] = (None if r.verdict not in COMMITTED
                          else float(r.verdict != r.case.expected))
    vals = [v for v in per.values() if v is not None]
    extra = _split(results)
    n_wrong = int(sum(vals))
    if not vals:
        return MetricResult(None, f"wrong commitments: n/a (no answer among {len(per)} "
                                  f"commits to a verdict)",
                            {"n": 0, "na": len(per), "per_case": per, "wrong": 0, **extra})
    value = n_wrong / len(vals)
    s = extra["split"]
    reason = (f"committed answers with the wrong verdict: {n_wrong}/{len(vals)} = {value:.3f} "
              f"(swap {s['swap']}, truth n.e.i. {s['on_nei']}, conflicting {s['conflict']}; "
              f"refusals n/a {len(per) - len(vals)})")
    return MetricResult(value, reason, {"n": len(vals), "na": len(per) - len(vals),
                                        "per_case": per, "wrong": n_wrong, **extra})


def wrong_commitments(results: Sequence[CaseRecord]) -> MetricResult:
    """The count: every case is a unit (1 = committed and wrong), so it can be resampled."""
    per: dict[str, float | None] = {
        r.case.id: float(kind_of_wrong(r.case.expected, r.verdict) is not None)
        for r in results}
    extra = _split(results)
    if not per:
        return MetricResult(None, "wrong commitments: n/a (no cases)",
                            {"n": 0, "na": 0, "per_case": per, **extra})
    count = float(sum(v or 0.0 for v in per.values()))
    s = extra["split"]
    return MetricResult(count, f"wrong committed verdicts: {count:.0f} of {len(per)} cases "
                               f"(swap {s['swap']}, truth n.e.i. {s['on_nei']}, "
                               f"conflicting {s['conflict']})",
                        {"n": len(per), "na": 0, "per_case": per, **extra})


def label_table(results: Sequence[CaseRecord]) -> dict[str, dict[str, float | int | None]]:
    """Per verdict label: precision (None when never predicted), recall (None when never
    expected), how often predicted and expected."""
    out: dict[str, dict[str, float | int | None]] = {}
    for lab in VERDICTS:
        tp = sum(r.verdict == lab and r.case.expected == lab for r in results)
        pred = sum(r.verdict == lab for r in results)
        gold = sum(r.case.expected == lab for r in results)
        out[lab] = {"precision": tp / pred if pred else None,
                    "recall": tp / gold if gold else None, "predicted": pred, "expected": gold}
    return out
