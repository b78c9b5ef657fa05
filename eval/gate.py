"""The release gate: thresholds from `eval/gate.toml` (plus `--min`/`--max` overrides), the
judge's own reliability on the labelled pairs, and — with a baseline run — per-case
regressions and a paired test for every aggregate.

A threshold on a metric that came out n/a fails (n/a never passes silently). The gate fails
when any threshold is missed or any aggregate shows a significant regression.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.metrics import METRICS
from eval.records import CaseRecord, MetricResult
from eval.stats import mcnemar, paired_bootstrap, regression
from eval.yamlfile import SuiteError


@dataclass(frozen=True)
class GateConfig:
    minimum: dict[str, float] = field(default_factory=dict)
    maximum: dict[str, float] = field(default_factory=dict)
    judge_min_balanced_accuracy: float | None = None
    alpha: float = 0.05
    resamples: int = 1000
    seed: int = 0
    ignore: tuple[str, ...] = ("latency_p50_ms", "latency_p95_ms")
    path: str = ""


def _metric_table(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise SuiteError(f"{where} must be a table of metric = number")
    out = {}
    for k, v in raw.items():
        if k not in METRICS:
            raise SuiteError(f"{where}: unknown metric {k!r}; known: {', '.join(METRICS)}")
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise SuiteError(f"{where}: {k} must be a number, got {v!r}")
        out[k] = float(v)
    return out


def load_gate(path: Path | None) -> GateConfig:
    if path is None:
        return GateConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SuiteError(f"{path}: cannot read the gate: {exc}") from exc
    unknown = set(data) - {"min", "max", "judge", "regression"}
    if unknown:
        raise SuiteError(f"{path}: unknown section(s) {sorted(unknown)}; "
                         f"allowed: min, max, judge, regression")
    reg = data.get("regression", {})
    judge = data.get("judge", {})
    ignore = reg.get("ignore", list(GateConfig.ignore))
    if not isinstance(ignore, list) or any(i not in METRICS for i in ignore):
        raise SuiteError(f"{path}: [regression] ignore must list known metrics")
    return GateConfig(
        minimum=_metric_table(data.get("min", {}), f"{path}: [min]"),
        maximum=_metric_table(data.get("max", {}), f"{path}: [max]"),
        judge_min_balanced_accuracy=judge.get("min_balanced_accuracy"),
        alpha=float(reg.get("alpha", 0.05)), resamples=int(reg.get("bootstrap", 1000)),
        seed=int(reg.get("seed", 0)), ignore=tuple(ignore), path=str(path))


def parse_overrides(items: list[str], flag: str) -> dict[str, float]:
    """`METRIC=VALUE` strings from the command line."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise SuiteError(f"{flag} {item!r}: expected METRIC=VALUE")
        if name not in METRICS:
            raise SuiteError(f"{flag} {item!r}: unknown metric; known: {', '.join(METRICS)}")
        try:
            out[name] = float(value)
        except ValueError as exc:
            raise SuiteError(f"{flag} {item!r}: {value!r} is not a number") from exc
    return out


def check_thresholds(metrics: dict[str, MetricResult], cfg: GateConfig,
                     judge_meta: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for bound, table in (("min", cfg.minimum), ("max", cfg.maximum)):
        for name, limit in sorted(table.items()):
            value = metrics[name].value
            ok = value is not None and (value >= limit if bound == "min" else value <= limit)
            rows.append({"metric": name, "bound": bound, "limit": limit, "value": value,
                         "ok": ok, "why": "" if ok else
                         ("n/a cannot pass a threshold" if value is None else
                          f"{value:.4g} {'<' if bound == 'min' else '>'} {limit:g}")})
    if cfg.judge_min_balanced_accuracy is not None:
        ba = (judge_meta or {}).get("balanced_accuracy")
        ok = ba is not None and ba >= cfg.judge_min_balanced_accuracy
        rows.append({"metric": "judge_balanced_accuracy", "bound": "min",
                     "limit": cfg.judge_min_balanced_accuracy, "value": ba, "ok": ok,
                     "why": "" if ok else ("judge not meta-evaluated" if ba is None else
                                           f"{ba:.4g} < {cfg.judge_min_balanced_accuracy:g}")})
    return rows


def case_regressions(current: Sequence[CaseRecord], baseline: Sequence[CaseRecord],
                     cur_metrics: dict[str, MetricResult],
                     base_metrics: dict[str, MetricResult]) -> list[dict[str, Any]]:
    """Cases (or pairs) that got worse on any per-case metric, with what changed."""
    by_base = {r.case.id: r for r in baseline}
    rows = []
    for r in current:
        b = by_base.get(r.case.id)
        if b is not None and b.verdict != r.verdict and b.verdict == b.case.expected:
            rows.append({"id": r.case.id, "metric": "verdict", "before": b.verdict,
                         "after": r.verdict, "expected": r.case.expected})
    for name, m in METRICS.items():
        if name in ("verdict_accuracy", "verdict_macro_f1") or name.startswith("latency"):
            continue
        before = base_metrics[name].details.get("per_case", {})
        after = cur_metrics[name].details.get("per_case", {})
        for unit, v in after.items():
            u = before.get(unit)
            if v is None or u is None or v == u:
                continue
            if (v < u) == m.higher_is_better:
                rows.append({"id": unit, "metric": name, "before": u, "after": v})
    return rows


def compare(current: Sequence[CaseRecord], baseline: Sequence[CaseRecord],
            cur_metrics: dict[str, MetricResult], base_metrics: dict[str, MetricResult],
            cfg: GateConfig, equivalents: tuple[frozenset[str], ...] = ()) -> dict[str, Any]:
    names = [n for n in METRICS if n not in cfg.ignore]
    boot = paired_bootstrap(current, baseline, names, equivalents, cfg.resamples, cfg.seed)
    tests = {}
    for name in names:
        mc = None
        if METRICS[name].binary:
            mc = mcnemar(base_metrics[name].details.get("per_case", {}),
                         cur_metrics[name].details.get("per_case", {}))
        tests[name] = {"baseline": base_metrics[name].value, "current": cur_metrics[name].value,
                       "bootstrap": boot[name], "mcnemar": mc,
                       "regression": regression(name, boot[name], mc, cfg.alpha)}
    only_base = sorted({r.case.id for r in baseline} - {r.case.id for r in current})
    only_cur = sorted({r.case.id for r in current} - {r.case.id for r in baseline})
    return {"tests": tests, "alpha": cfg.alpha, "ignored": list(cfg.ignore),
            "cases": case_regressions(current, baseline, cur_metrics, base_metrics),
            "only_in_baseline": only_base, "only_in_current": only_cur}


def decide(thresholds: list[dict[str, Any]], comparison: dict[str, Any] | None) -> dict[str, Any]:
    failures = [f"{t['metric']} {t['bound']} {t['limit']:g}: {t['why']}"
                for t in thresholds if not t["ok"]]
    for name, t in (comparison or {}).get("tests", {}).items():
        if t["regression"]:
            failures.append(f"{name}: significant regression vs baseline "
                            f"({t['baseline']} -> {t['current']})")
    return {"passed": not failures, "failures": failures}
