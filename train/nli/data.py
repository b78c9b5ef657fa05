"""Training and development pairs from ../shared/data/nli (read in place, never copied).

Only the files SOURCES.md names for training or development are read here: SweNLI dev (sv, 3-way,
split into train and a held-out dev slice), RTE train/dev (en, 2-way: entailment vs not), the
truncated SNLI dev (en, 3-way). The test-only files (SweFraCaS, SweDiagnostics, the SNLI test
subset, the argumentation test split, Climate-FEVER) are evaluation data: `eval/` reads them.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

LABEL_IDS = {"entailment": 0, "neutral": 1, "contradiction": 2}
NOT_ENTAILMENT = 3  # RTE's 2-way "not entailment": neutral or contradiction, trained as their sum


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: int  # 0..2, or NOT_ENTAILMENT
    lang: str
    origin: str  # file or augmentation that made it


def swenli_dev(root: Path) -> list[Pair]:
    path = root / "superlim2-swenli" / "swenli_dev.jsonl"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        out.append(Pair(d["premise"], d["hypothesis"], LABEL_IDS[d["label"]], "sv", path.name))
    return out


def snli_dev(root: Path) -> list[Pair]:
    path = root / "snli" / "snli_1.0_dev.TRUNCATED.jsonl"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d["gold_label"] in LABEL_IDS:
            out.append(Pair(d["sentence1"], d["sentence2"], LABEL_IDS[d["gold_label"]], "en",
                            path.name))
    return out


def rte(root: Path, split: str) -> list[Pair]:
    path = root / "glue-rte" / f"rte_{split}.tsv"
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            label = 0 if row["label"] == "0" else NOT_ENTAILMENT
            out.append(Pair(row["sentence1"], row["sentence2"], label, "en", path.name))
    return out


def split_swenli(pairs: list[Pair], dev_size: int, seed: int) -> tuple[list[Pair], list[Pair]]:
    """A seeded held-out slice of SweNLI dev for model selection; the rest trains."""
    idx = list(range(len(pairs)))
    random.Random(seed).shuffle(idx)
    dev = {i for i in idx[:dev_size]}
    return [p for i, p in enumerate(pairs) if i not in dev], [pairs[i] for i in sorted(dev)]


def files_used(root: Path) -> list[Path]:
    return [
        root / "superlim2-swenli" / "swenli_dev.jsonl",
        root / "snli" / "snli_1.0_dev.TRUNCATED.jsonl",
        root / "glue-rte" / "rte_train.tsv",
        root / "glue-rte" / "rte_dev.tsv",
    ]
