"""What hiding costs: the share of benign sentences ingest would hide, with every defence
(`rag.safety.hidden.ALL`) and with the phrase checks alone (`NONE`: no structural test, no
confusables fold, no context, no undisplayed-markup cuts), on text that carries no
injection: English RTE sentences and Climate-FEVER evidence, Swedish SweNLI dev and
argumentation sentences, from ../shared/data.

    .venv/bin/python bench/hidden_fp.py [-v]    # -v lists the sentences only ALL hides
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from rag.safety.hidden import NONE, sentence_reason

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def sentences() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"en": [], "sv": []}
    with open(DATA / "nli/glue-rte/rte_train.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            out["en"] += [r["sentence1"], r["sentence2"]]
    for line in _lines(DATA / "claims/climate-fever/climate-fever.jsonl"):
        out["en"] += [e["evidence"] for e in json.loads(line)["evidences"]]
    for line in _lines(DATA / "nli/superlim2-swenli/swenli_dev.jsonl"):
        j = json.loads(line)
        out["sv"] += [j["premise"], j["hypothesis"]]
    for part in ("dev", "train"):
        path = DATA / f"nli/superlim2-argumentation-sentences/argumentation-sentences_{part}.jsonl"
        out["sv"] += [json.loads(line)["sentence"] for line in _lines(path)]
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def main() -> None:
    for lang, xs in sentences().items():
        on = [x for x in xs if sentence_reason(x)]
        base = {x for x in xs if sentence_reason(x, NONE)}
        print(f"{lang}: {len(xs)} sentences; hidden with all defences {len(on)} "
              f"({len(on) / len(xs):.2%}), with the phrase checks alone {len(base)} "
              f"({len(base) / len(xs):.2%})")
        if "-v" in sys.argv:
            for x in on:
                if x not in base:
                    print(f"    {sentence_reason(x)} | {x[:150]}")


if __name__ == "__main__":
    main()
