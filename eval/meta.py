"""Judge meta-evaluation: how often does a support scorer agree with the hand labels?

Reports, per judge: balanced accuracy on the binary question faithfulness asks (supported vs
not), three-way balanced accuracy (supported / refuted / unsupported), accuracy per claim
language and for cross-lingual pairs, accuracy per hard-case kind, the confusion matrix, and
the pairs it got wrong. Balanced accuracy is the mean recall over the classes that occur, so
a judge that says "supported" to everything scores 0.5 on the binary task, not the base rate.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from tqdm import tqdm

from eval.dataset import SUPPORT_LABELS, LabelPair
from eval.judges import SupportScorer, describe


def balanced_accuracy(gold: list[str], pred: list[str],
                      classes: Iterable[str] | None = None) -> float | None:
    """Mean per-class recall over the classes present in `gold`; None with no items."""
    present = [c for c in (classes or sorted(set(gold))) if c in gold]
    if not present:
        return None
    recalls = []
    for c in present:
        idx = [i for i, g in enumerate(gold) if g == c]
        recalls.append(sum(pred[i] == c for i in idx) / len(idx))
    return sum(recalls) / len(recalls)


def confusion(gold: list[str], pred: list[str], labels: Iterable[str]) -> dict[str, dict[str, int]]:
    labels = list(labels)
    extra = sorted({p for p in pred if p not in labels})
    table = {g: {p: 0 for p in labels + extra} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        table.setdefault(g, {x: 0 for x in labels + extra})[p] = table[g].get(p, 0) + 1
    return table


def _binary(label: str) -> str:
    return "supported" if label == "supported" else "not_supported"


def summarize(pairs: list[LabelPair], preds: list[str]) -> dict[str, Any]:
    gold: list[str] = [p.label for p in pairs]
    out: dict[str, Any] = {
        "n": len(pairs),
        "balanced_accuracy": balanced_accuracy([_binary(g) for g in gold],
                                               [_binary(p) for p in preds]),
        "balanced_accuracy_3way": balanced_accuracy(gold, preds, SUPPORT_LABELS),
        "accuracy_3way": sum(g == p for g, p in zip(gold, preds, strict=True)) / len(pairs)
        if pairs else None,
        "confusion": confusion(gold, preds, SUPPORT_LABELS),
    }
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(pairs):
        groups.setdefault(f"lang={p.lang}", []).append(i)
        groups.setdefault("cross-lingual" if p.lang != p.passage_lang else "same-language",
                          []).append(i)
        if p.kind:
            groups.setdefault(f"kind={p.kind}", []).append(i)
    out["groups"] = {}
    for name, idx in sorted(groups.items()):
        g: list[str] = [gold[i] for i in idx]
        pr = [preds[i] for i in idx]
        out["groups"][name] = {
            "n": len(idx),
            "balanced_accuracy": balanced_accuracy([_binary(x) for x in g],
                                                   [_binary(x) for x in pr]),
            "accuracy_binary": sum(_binary(a) == _binary(b) for a, b in zip(g, pr, strict=True))
            / len(idx),
            "accuracy_3way": sum(a == b for a, b in zip(g, pr, strict=True)) / len(idx),
            "confusion": confusion(g, pr, SUPPORT_LABELS),
        }
    return out


def meta_evaluate(scorer: SupportScorer, pairs: list[LabelPair],
                  progress: bool = True) -> dict[str, Any]:
    """Score every labelled pair with `scorer` and summarise agreement with the labels."""
    t0 = time.perf_counter()
    preds: list[str] = []
    errors: list[dict[str, Any]] = []
    stats: dict[str, Any] = {}
    if hasattr(scorer, "prefetch"):
        scorer.prefetch([(p.claim, p.passage) for p in pairs])
    for p in tqdm(pairs, desc=f"judge {scorer.name}", unit="pair", disable=not progress,
                  leave=False):
        s = scorer.score(p.claim, p.passage)
        preds.append(s.label)
        if s.label != p.label:
            errors.append({"id": p.id, "lang": p.lang, "kind": p.kind, "gold": p.label,
                           "got": s.label, "reason": s.reason, "claim": p.claim,
                           "passage": p.passage_id})
    out = summarize(pairs, preds)
    if hasattr(scorer, "stats"):
        stats = scorer.stats()
    return {"judge": describe(scorer), **out, "errors": errors, "judge_stats": stats,
            "seconds": round(time.perf_counter() - t0, 2)}
