"""The committed baseline (`eval/baseline.json`) and the per-metric diff printed on stdout.

`make eval` compares every run with the baseline: the last gate run that passed, kept in
the repository so that a fresh clone (CI) compares too; `make eval-baseline` refreshes it.
`compact` keeps only what the metrics and the paired tests read (verdict, confidence, cited
sources, answer text, scored sentences, citation validity), so the file stays small; quotes,
reasons and timings stay in the full run folder. It is still a results.json of this harness:
`eval.runner.load_run` reads it (or a full one) as `StoredCase` records, which hold what the
metrics read of an answer; an `Answer` cannot be rebuilt from it, and need not be.

`diff_lines` renders the comparison from `eval.gate.compare` for the terminal: baseline,
current, difference with its 95% paired bootstrap interval, McNemar p, and REGRESSION where
the gate fails on it. Nothing here runs the engine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).resolve().parent / "baseline.json"
_ANSWER_KEYS = ("query", "lang", "kind", "verdict", "confidence", "answer", "backend")
_SENTENCE_KEYS = ("role", "citations", "supported", "faithful", "precise", "want")


def compact(payload: dict[str, Any]) -> dict[str, Any]:
    cases = []
    for c in payload["cases"]:
        a = c.get("answer")
        if a is not None:
            a = {**{k: a[k] for k in _ANSWER_KEYS if k in a},
                 "citations": [{"n": x["n"], "source": x["source"], "stance": x["stance"]}
                               for x in a.get("citations", [])]}
        cases.append({"case": c["case"], "answer": a, "latency_ms": c["latency_ms"],
                      "error": c.get("error", ""),
                      "sentences": [{k: s[k] for k in _SENTENCE_KEYS if k in s}
                                    for s in c.get("sentences", [])],
                      "validity": c.get("validity", {})})
    return {"schema": payload["schema"], "run": payload["run"], "suites": payload["suites"],
            "equivalent_sources": payload.get("equivalent_sources", []),
            "engine": {"backend": payload.get("engine", {}).get("backend", {})},
            "environment": {"git": payload.get("environment", {}).get("git")},
            "metrics": {k: {"value": v["value"]} for k, v in payload["metrics"].items()},
            "cases": cases}


def save(payload: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(compact(payload), ensure_ascii=False, indent=0,
                               sort_keys=True) + "\n", encoding="utf-8")


def suite_mismatch(current: dict[str, Any], base: dict[str, Any]) -> str:
    """'' when both runs ran the same suite files (by hash), else what differs."""
    cur = {s["name"]: s["sha256"] for s in current.get("suites", [])}
    old = {s["name"]: s["sha256"] for s in base.get("suites", [])}
    if cur == old:
        return ""
    return (f"the baseline ran {', '.join(f'{n} {h[:12]}' for n, h in sorted(old.items()))}; "
            f"this run {', '.join(f'{n} {h[:12]}' for n, h in sorted(cur.items()))}: only the "
            f"cases in both are compared")


def _num(v: Any) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"


def diff_lines(comparison: dict[str, Any], label: str) -> list[str]:
    units = next((t["bootstrap"].get("units", 0) for t in comparison["tests"].values()), 0)
    out = [f"against baseline {label} ({units} units; 95% paired bootstrap, McNemar for 0/1 "
           f"metrics; alpha {comparison['alpha']}):",
           f"  {'metric':22s} {'baseline':>9} {'current':>9} {'diff':>8}  {'95% CI':18s} "
           f"{'McNemar p':>9}"]
    for name, t in comparison["tests"].items():
        b = t["bootstrap"]
        diff = "n/a" if b.get("diff") is None else f"{b['diff']:+.3f}"
        ci = f"[{b['ci'][0]:+.3f}, {b['ci'][1]:+.3f}]" if b.get("ci") else ""
        mc = f"{t['mcnemar']['p']:.3g}" if t.get("mcnemar") else "-"
        flag = "  REGRESSION" if t["regression"] else ""
        out.append(f"  {name:22s} {_num(t['baseline']):>9} {_num(t['current']):>9} {diff:>8}  "
                   f"{ci:18s} {mc:>9}{flag}")
    cases = comparison.get("cases", [])
    verdicts = [r for r in cases if r["metric"] == "verdict"]
    out.append(f"  {len(verdicts)} case(s) lost the right verdict"
               + (": " + ", ".join(f"{r['id']} {r['before']}->{r['after']}" for r in verdicts[:8])
                  + (" …" if len(verdicts) > 8 else "") if verdicts else ""))
    if comparison.get("only_in_baseline") or comparison.get("only_in_current"):
        out.append(f"  not compared: {len(comparison.get('only_in_baseline', []))} case(s) only "
                   f"in the baseline, {len(comparison.get('only_in_current', []))} only in "
                   f"this run")
    return out
