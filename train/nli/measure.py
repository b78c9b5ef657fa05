"""Measure a trained NLI graph on the test-only sets and record the figures in its manifest.

    python -m train.nli.measure [--weights rag/nli/weights] [--data ../shared/data]

Every pair of SweDiagnostics, SweFraCaS, the SNLI test subset and Climate-FEVER's claim-sentence
pairs, read and scored by the eval harness's own loaders and scorer (eval.external), with the
model alone (no rules). None of these files is ever trained on (train.nli.data reads only the
training files). Writes `test_metrics` into `<weights>/manifest.json` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from eval.external.data import data_root, path_of
from eval.external.loaders import LOADERS
from eval.external.pairs import nli_predictor, score_pairs
from rag.nli import NLIModel

SETS = ("swediagnostics", "swefracas", "snli_test", "climate_fever")


def measure(weights: Path, data: Path | None,
            sets: tuple[str, ...] = SETS) -> dict[str, object]:
    root = data_root(data)
    model = NLIModel(graph=weights / "nli.int8.onnx").load()
    out: dict[str, object] = {}
    for name in sets:
        pairs = list(LOADERS[name](path_of(root, name)).items)
        t = time.perf_counter()
        r = score_pairs(pairs, nli_predictor(model))
        out[name] = {
            "n": r["n"], "balanced_accuracy": r["balanced_accuracy"], "accuracy": r["accuracy"],
            "balanced_accuracy_entailment": r["balanced_accuracy_entailment"],
            "per_label": r["per_label"], "confusion": r["confusion"],
            "by_phenomenon": {k: {"n": v["n"], "balanced_accuracy": v["balanced_accuracy"]}
                              for k, v in r["by_phenomenon"].items()},
            "seconds": round(time.perf_counter() - t, 1)}
        print(f"{name:15} n={r['n']:5}  balanced acc {r['balanced_accuracy']:.3f}  "
              f"acc {r['accuracy']:.3f}  ent-vs-not {r['balanced_accuracy_entailment']:.3f}",
              flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", type=Path, default=Path("rag/nli/weights"))
    ap.add_argument("--data", type=Path)
    ap.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS),
                    help="measure only these (the manifest keeps the others' figures)")
    args = ap.parse_args(argv)
    metrics = measure(args.weights, args.data, tuple(args.sets))
    path = args.weights / "manifest.json"
    manifest = json.loads(path.read_text()) if path.is_file() else {}
    manifest["test_metrics"] = {**manifest.get("test_metrics", {}), **metrics}
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
