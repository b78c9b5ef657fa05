"""`factcheck eval external`: the pair suites and the Climate-FEVER corpus suite.

    factcheck eval external [--data DIR] [--full | --size SUITE=N …] [--seed N]
                            [--judge offline|engine …]
                            [--runs K] [--suite NAME …] [--no-corpus] [--out runs] [--quiet]

By default a seeded, stratified subset (sizes in `SUBSET`, about 15 minutes on 2 free
cores; `--full` runs everything). Each pair suite is scored by each judge `--runs` times
(default 3: the spread across runs is reported, and must be 0 for the offline judges). The
corpus suite ingests its documents into a temp index and asks every claim. Writes
runs/<timestamp>-external/external.json and external.md (plus corpus/report.html), and
prints the figures. Exit 0 when it ran; 2 when the data is missing or malformed (one line
saying where it is expected, or `file:line` per bad row). There is no gate on these yet:
they are the figures the next engine has to beat.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

SUBSET = {"swediagnostics": None, "swefracas": None, "snli_test": 600, "climate_fever": 1000,
          "corpus": 300}
# nli: the NLI model alone (rag.nli), no rules; engine-nli: the engine's NLI judge
# (rag.judge.nli: model and rules, FACTCHECK_JUDGE=nli)
JUDGES = ("offline", "engine", "nli", "engine-nli")
# the default: today's judges and the NLI model beside them (its graph is committed)
DEFAULT_JUDGES = ("offline", "engine", "nli", "engine-nli")
SCHEMA = "factcheck-eval-external/1"


def add_external_command(esub: Any, common: argparse.ArgumentParser) -> None:
    x = esub.add_parser("external", parents=[common],
                        help="external pair suites and the Climate-FEVER corpus suite")
    x.add_argument("--data", type=Path, help="the data folder (default ../shared/data beside "
                                             "the checkout, or $FACTCHECK_EXTERNAL_DATA)")
    x.add_argument("--full", action="store_true", help="every pair and claim, not the subset")
    x.add_argument("--seed", type=int, default=0, help="subset seed (default 0)")
    x.add_argument("--size", action="append", default=[], metavar="SUITE=N",
                   help="subset size for one suite (repeatable), e.g. snli_test=200 corpus=50")
    x.add_argument("--judge", action="append", choices=JUDGES,
                   help="judge(s) on the pair suites (default: all four)")
    x.add_argument("--runs", type=int, default=3, help="runs per judge (spread reported)")
    x.add_argument("--suite", action="append", choices=[*SUBSET],
                   help="only these suites (default: all)")
    x.add_argument("--no-corpus", action="store_true", help="skip the corpus suite")
    x.add_argument("--out", type=Path, default=Path("runs"))
    x.add_argument("--quiet", action="store_true")
    x.set_defaults(func=cmd_external)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _predictor(kind: str, embedder: Any) -> Any:
    from eval.external.pairs import judge_predictor, offline_judge, scorer_predictor
    from eval.judges import make_scorer

    if kind == "offline":  # a fresh scorer per run: nothing memoised carries over
        return scorer_predictor(make_scorer("offline", embedder))
    if kind == "nli":
        from eval.external.pairs import nli_predictor
        from rag.nli import NLIModel

        return nli_predictor(NLIModel())
    if kind == "engine-nli":
        from rag.judge.nli import NLIJudge

        return judge_predictor(NLIJudge(embedder, rules=offline_judge(embedder)), embedder)
    return judge_predictor(offline_judge(embedder), embedder)


def _sizes(items: list[str]) -> dict[str, int | None]:
    from eval.yamlfile import SuiteError

    sizes = dict(SUBSET)
    for item in items:
        name, _, value = item.partition("=")
        if name not in SUBSET or not value.isdigit() or int(value) < 1:
            raise SuiteError(f"--size {item!r}: expected SUITE=N with SUITE one of "
                             f"{', '.join(SUBSET)} and N a whole number of at least 1")
        sizes[name] = int(value)
    return sizes


def pair_suites(root: Path, names: list[str], full: bool, seed: int, judges: list[str],
                runs: int, embedder: Any, progress: bool,
                sizes: dict[str, int | None] | None = None) -> dict[str, Any]:
    from eval.external.data import path_of
    from eval.external.loaders import LOADERS
    from eval.external.pairs import score_pairs
    from eval.external.sample import stratified

    out: dict[str, Any] = {}
    for name in names:
        path = path_of(root, name)
        loaded = LOADERS[name](path)
        every = list(loaded.items)
        pairs = stratified(every, None if full else (sizes or SUBSET)[name], lambda p: p.label,
                           seed)
        entry: dict[str, Any] = {"file": str(path), "sha256": _sha(path), "total": len(every),
                                 "n": len(pairs), "dropped": loaded.dropped,
                                 "dropped_why": loaded.why_dropped, "judges": {}}
        for kind in judges:
            results = []
            for _ in range(runs):
                results.append(score_pairs(pairs, _predictor(kind, embedder)))
            first = results[0]
            bas = [r["balanced_accuracy"] for r in results]
            entry["judges"][kind] = {
                **{k: v for k, v in first.items() if k != "predictions"},
                "runs": runs, "balanced_accuracy_runs": bas,
                "balanced_accuracy_spread": (statistics.pstdev(bas) if len(bas) > 1 else 0.0),
                "identical_runs": all(r["predictions"] == first["predictions"]
                                      for r in results),
                "seconds_runs": [r["seconds"] for r in results]}
            if progress:
                print(f"  {name} {kind}: {first['balanced_accuracy']:.3f} ({first['seconds']} s)")
        out[name] = entry
    return out


def corpus_suite(root: Path, full: bool, seed: int, out: Path, progress: bool,
                 size: int | None = SUBSET["corpus"]) -> dict[str, Any]:
    from eval.external.corpus import run_corpus
    from eval.external.data import path_of
    from eval.external.loaders import load_climate_fever_claims
    from eval.external.sample import stratified
    from eval.metrics_commit import label_table
    from eval.records import CaseResult
    from eval.report import write_reports

    path = path_of(root, "climate_fever")
    every = list(load_climate_fever_claims(path).items)
    claims = stratified(every, None if full else size, lambda c: c.verdict, seed)
    payload = run_corpus(claims, path, progress=progress)
    payload["run"]["id"] = f"{out.name}/corpus"
    payload["gate"] = {}
    paths = write_reports(payload, out / "corpus")
    table = label_table([CaseResult.from_dict(c) for c in payload["cases"]])
    return {"file": str(path), "sha256": _sha(path), "total": len(every), "n": len(claims),
            "corpus": payload["engine"].get("corpus"), "seconds": payload["run"]["seconds"],
            "metrics": {k: v["value"] for k, v in payload["metrics"].items()},
            "reasons": {k: v["reason"] for k, v in payload["metrics"].items()},
            "per_verdict": table,
            "confusion": payload["metrics"]["verdict_macro_f1"]["details"].get("confusion"),
            "report": str(paths["html"])}


def cmd_external(args: argparse.Namespace) -> int:
    from eval.external.data import data_root
    from eval.external.report import markdown
    from eval.runs import quiet_threads, run_dir
    from rag.offline import ensure_offline

    quiet_threads()
    ensure_offline()
    root = data_root(args.data)
    sizes = _sizes(args.size)
    names = [n for n in (args.suite or list(SUBSET)) if n != "corpus"]
    want_corpus = not args.no_corpus and (not args.suite or "corpus" in args.suite)
    for n in names:  # every file is checked before anything slow starts
        from eval.external.data import path_of
        from eval.external.loaders import LOADERS

        LOADERS[n](path_of(root, n))
    t0 = time.perf_counter()
    out = run_dir(args.out)
    out = out.with_name(out.name + "-external")
    out.mkdir(parents=True, exist_ok=True)
    from rag.config import Settings
    from rag.pipeline import FactChecker

    embedder = FactChecker.from_settings(Settings.from_env()).embedder
    result: dict[str, Any] = {"schema": SCHEMA, "data": str(root.resolve()),
                              "subset": "full" if args.full else {**sizes, "seed": args.seed},
                              "pairs": {}, "corpus": None}
    progress = not args.quiet
    if names:
        result["pairs"] = pair_suites(root, names, args.full, args.seed,
                                      args.judge or list(DEFAULT_JUDGES), max(1, args.runs),
                                      embedder, progress, sizes)
    if want_corpus:
        result["corpus"] = corpus_suite(root, args.full, args.seed, out, progress,
                                        sizes["corpus"])
    result["seconds"] = round(time.perf_counter() - t0, 1)
    (out / "external.json").write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    text = markdown(result)
    (out / "external.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"external: {out / 'external.md'} ({result['seconds']} s)")
    return 0
