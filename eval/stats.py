"""Paired significance tests between two runs of the same cases.

- `mcnemar`: exact (binomial) McNemar test on per-unit 0/1 outcomes — right for accuracy-like
  metrics where each case flips or not.
- `paired_bootstrap`: resamples units (an en/sv pair is one unit, so twins stay together)
  with replacement, recomputes every metric on both runs over the same resample, and gives
  the 95% interval of the difference. Works for any metric, including macro-F1 and means.

Both only use cases present in both runs. Seeded, so a comparison is reproducible.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from eval.metrics import METRICS, compute
from eval.records import CaseRecord


def mcnemar(before: dict[str, float | None], after: dict[str, float | None]) -> dict[str, Any]:
    """b = units that went 1 -> 0, c = units that went 0 -> 1; two-sided exact p."""
    common = [k for k in before if k in after and before[k] is not None
              and after[k] is not None]
    b = sum(before[k] == 1 and after[k] == 0 for k in common)
    c = sum(before[k] == 0 and after[k] == 1 for k in common)
    n = b + c
    if n == 0:
        p = 1.0
    else:
        tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2 ** n
        p = min(1.0, 2 * tail)
    return {"n": len(common), "one_to_zero": b, "zero_to_one": c, "p": p}


def _units(results: Sequence[CaseRecord]) -> dict[str, list[CaseRecord]]:
    units: dict[str, list[CaseRecord]] = {}
    for r in results:
        units.setdefault(r.case.pair or f"case:{r.case.id}", []).append(r)
    return units


def _copy(rs: list[CaseRecord], k: int) -> list[CaseRecord]:
    """Rename a resampled unit so that its k-th copy is a distinct case (and pair)."""
    return [replace(r, case=replace(r.case, id=f"{r.case.id}#{k}",
                                    pair=f"{r.case.pair}#{k}" if r.case.pair else None))
            for r in rs]


def paired_bootstrap(current: Sequence[CaseRecord], baseline: Sequence[CaseRecord],
                     names: list[str], equivalents: tuple[frozenset[str], ...] = (),
                     resamples: int = 1000, seed: int = 0) -> dict[str, dict[str, Any]]:
    """95% bootstrap interval of (current - baseline) for each metric in `names`."""
    cur_ids = {r.case.id for r in current}
    common = cur_ids & {r.case.id for r in baseline}
    cu = _units([r for r in current if r.case.id in common])
    bu = _units([r for r in baseline if r.case.id in common])
    keys = sorted(set(cu) & set(bu))
    out: dict[str, dict[str, Any]] = {}
    observed = {}
    for name in names:
        a = compute(name, [r for k in keys for r in cu[k]], equivalents).value
        b = compute(name, [r for k in keys for r in bu[k]], equivalents).value
        observed[name] = None if a is None or b is None else a - b
    diffs: dict[str, list[float]] = {n: [] for n in names}
    rng = random.Random(seed)
    for _ in range(resamples if keys else 0):
        pick = [rng.choice(keys) for _ in keys]
        cur = [r for i, k in enumerate(pick) for r in _copy(cu[k], i)]
        base = [r for i, k in enumerate(pick) for r in _copy(bu[k], i)]
        for name in names:
            a = compute(name, cur, equivalents).value
            b = compute(name, base, equivalents).value
            if a is not None and b is not None:
                diffs[name].append(a - b)
    for name in names:
        d = sorted(diffs[name])
        if not d or observed[name] is None:
            out[name] = {"diff": observed[name], "ci": None, "p": None, "units": len(keys)}
            continue
        lo, hi = d[int(0.025 * (len(d) - 1))], d[int(math.ceil(0.975 * (len(d) - 1)))]
        below = sum(x <= 0 for x in d) / len(d)
        above = sum(x >= 0 for x in d) / len(d)
        out[name] = {"diff": observed[name], "ci": [lo, hi], "p": min(1.0, 2 * min(below, above)),
                     "units": len(keys), "resamples": len(d)}
    return out


def regression(name: str, boot: dict[str, Any], mc: dict[str, Any] | None,
               alpha: float) -> bool:
    """Is the change in `name` a significant regression? McNemar decides for 0/1 metrics,
    the bootstrap interval (excluding 0 on the bad side) for the others."""
    better_high = METRICS[name].higher_is_better
    if mc is not None:
        worse = mc["one_to_zero"] > mc["zero_to_one"] if better_high else \
            mc["zero_to_one"] > mc["one_to_zero"]
        return worse and mc["p"] < alpha
    ci = boot.get("ci")
    if not ci:
        return False
    return ci[1] < 0 if better_high else ci[0] > 0
