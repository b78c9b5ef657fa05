"""Pair suites: score any stance function on (premise, hypothesis, label) pairs.

`score_pairs(pairs, predict)` calls `predict` once with every pair (batching is the
predictor's business) and returns plain numbers: three-way balanced accuracy (mean recall
over the labels present, so "neutral to everything" scores 1/3, not the base rate),
accuracy, entailment-vs-not balanced accuracy (the question faithfulness asks), per-label
precision and recall, the confusion matrix, and the same per phenomenon and per language.

Predictors (`Predict = Callable[[list[Pair]], list[str]]`) adapt the harness's judges:
- `scorer_predictor(scorer)`: a `SupportScorer` (eval's offline judge, the LLM judge):
  supported -> entailment, refuted -> contradiction, unsupported -> neutral;
- `judge_predictor(judge, embedder)`: any `rag` Judge (the engine's offline judge, or a
  later one) asked for its stance on the premise as the one evidence sentence: supports ->
  entailment, refutes -> contradiction, neutral -> neutral.
- `nli_predictor(model)`: the NLI model's own label on the pair (no rules, no retrieval).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from tqdm import tqdm

from eval.external.loaders import NLI_LABELS, Pair
from eval.meta import balanced_accuracy, confusion

Predict = Callable[[list[Pair]], list[str]]
SUPPORT_TO_NLI = {"supported": "entailment", "refuted": "contradiction",
                  "unsupported": "neutral"}
STANCE_TO_NLI = {"supports": "entailment", "refutes": "contradiction", "neutral": "neutral"}
MAX_LISTED = 50  # misses kept in the result, for reading


def _entail(label: str) -> str:
    return "entailment" if label == "entailment" else "not_entailment"


def _summary(gold: list[str], pred: list[str]) -> dict[str, Any]:
    n = len(gold)
    return {"n": n,
            "balanced_accuracy": balanced_accuracy(gold, pred, NLI_LABELS),
            "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else None,
            "balanced_accuracy_entailment": balanced_accuracy([_entail(g) for g in gold],
                                                              [_entail(p) for p in pred])}


def score_pairs(pairs: list[Pair], predict: Predict) -> dict[str, Any]:
    t0 = time.perf_counter()
    pred = [str(x) for x in predict(list(pairs))]
    if len(pred) != len(pairs):
        raise ValueError(f"predict returned {len(pred)} labels for {len(pairs)} pairs")
    gold: list[str] = [p.label for p in pairs]
    out = _summary(gold, pred)
    out["per_label"] = {}
    for lab in NLI_LABELS:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred, strict=True))
        said, true = pred.count(lab), gold.count(lab)
        out["per_label"][lab] = {"precision": tp / said if said else None,
                                 "recall": tp / true if true else None,
                                 "support": true, "predicted": said}
    out["confusion"] = confusion(gold, pred, NLI_LABELS)
    by_lang: dict[str, list[int]] = {}
    by_tag: dict[str, list[int]] = {}
    for i, p in enumerate(pairs):
        by_lang.setdefault(p.lang, []).append(i)
        for t in p.phenomena:
            by_tag.setdefault(t, []).append(i)
    out["by_language"] = {k: _summary([gold[i] for i in v], [pred[i] for i in v])
                          for k, v in sorted(by_lang.items())}
    out["by_phenomenon"] = {k: _summary([gold[i] for i in v], [pred[i] for i in v])
                            for k, v in sorted(by_tag.items())}
    out["misses"] = [{"where": p.where, "id": p.id, "gold": g, "got": q,
                      "premise": p.premise[:200], "hypothesis": p.hypothesis[:200]}
                     for p, g, q in zip(pairs, gold, pred, strict=True) if g != q][:MAX_LISTED]
    out["predictions"] = pred
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def scorer_predictor(scorer: Any) -> Predict:
    """A SupportScorer (claim = hypothesis, passage = premise) as a stance function."""

    def predict(pairs: list[Pair]) -> list[str]:
        if hasattr(scorer, "prefetch"):
            scorer.prefetch([(p.hypothesis, p.premise) for p in pairs])
        return [SUPPORT_TO_NLI.get(scorer.score(p.hypothesis, p.premise).label, "error")
                for p in pairs]

    return predict


class PairLike(Protocol):
    """What `judgements` reads of a pair (the harness's and the training data's both)."""

    @property
    def premise(self) -> str: ...
    @property
    def hypothesis(self) -> str: ...


def judgements(judge: Any, embedder: Any, pairs: Sequence[PairLike], batch: int = 32,
               progress: bool = False) -> list[Any]:
    """A rag Judge's `Judgement` of each premise as the one evidence sentence for its
    hypothesis as a claim (built as `eval.judges.EngineJudgeScorer` builds evidence,
    without splitting the premise or aggregating)."""
    from eval.judges import claim_query, shared_embeddings
    from rag.nlp.align import scaled_similarity as scaled
    from rag.nlp.text import detect_lang
    from rag.query.evidence import relevance
    from rag.types import Evidence, Sentence

    emb = shared_embeddings(embedder)
    emb.warm([p.hypothesis for p in pairs], [p.premise for p in pairs], batch)
    out = []
    for p in tqdm(pairs, desc="judging pairs", unit="pair", disable=not progress):
        query = claim_query(p.hypothesis, p.premise)  # with the terms the judge reads
        lang = detect_lang(p.premise)
        sem = scaled(float(emb.passage(p.premise) @ emb.query(query.proposition)))
        sent = Sentence("pair", "s0", 0, len(p.premise), p.premise, lang)
        ev = Evidence(sent, "", relevance(query, sem, p.premise, lang), similarity=sem,
                      context=p.premise)
        (j,) = judge.judge(query, [ev])
        out.append((ev, j))
    return out


def judge_predictor(judge: Any, embedder: Any, batch: int = 32) -> Predict:
    """A rag Judge's stance on each pair (`judgements`), as an NLI label."""

    def predict(pairs: list[Pair]) -> list[str]:
        return [STANCE_TO_NLI.get(j.stance, "error")
                for _, j in judgements(judge, embedder, pairs, batch)]

    return predict


def nli_predictor(model: Any) -> Predict:
    """An NLI model's own label (rag.nli.NLIModel: entailment / neutral / contradiction)."""

    def predict(pairs: list[Pair]) -> list[str]:
        return [r.label for r in model.predict([(p.premise, p.hypothesis) for p in pairs])]

    return predict


def offline_judge(embedder: Any) -> Any:
    """The engine's offline judge, as `FactChecker.from_settings` builds it."""
    from rag.judge.heuristic import OfflineJudge

    return OfflineJudge(embedder)
