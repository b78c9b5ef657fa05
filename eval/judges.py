"""Support scorers for faithfulness: does a passage support, refute, or not speak to a claim?

`SupportScorer` (in `eval.support`, the base module) is the Protocol every judge implements
(`score(claim, passage) -> Support`), plus `name`, `version` and `settings()` so that every
result records what produced it.

- `OfflineScorer` (default; `eval/offline_judge.py`): deterministic, CPU-only, independent
  of the engine's verdict logic so that the harness does not grade the engine with its own
  judge.
- `EngineJudgeScorer`: the engine's `rag.judge.heuristic.OfflineJudge` +
  `rag.judge.verdict.aggregate` on the passage's sentences, exactly as the engine would
  judge them. Measured beside the offline scorer in the meta-evaluation ("how good is the
  engine's own judge?").
- The LLM judge lives in `eval/llm_judge.py`.
"""

from __future__ import annotations

from typing import Any

from eval.dataset import SupportLabel
from eval.support import (  # the base module; re-exported for the harness's importers
    Support,
    SupportScorer,
    describe,
    passage_windows,
    seed_passages,
    shared_embeddings,
)

__all__ = ["CachedScorer", "EngineJudgeScorer", "Support", "SupportScorer", "describe",
           "make_scorer", "passage_windows", "seed_passages", "shared_embeddings"]


def claim_query(claim: str, passage: str) -> Any:
    """`claim` as the engine's judge reads it against `passage`: analysed as a claim, its
    names refined by how the passage writes them (`rag.query.casing`), as the pipeline
    does with the articles it retrieved."""
    from rag.query.analyse import analyse, as_claim
    from rag.query.casing import refine_names

    query = analyse(claim)
    return refine_names(as_claim(query, query.text), [passage])


class EngineJudgeScorer:
    """The engine's own offline judge, applied to a passage as the engine would apply it to
    retrieved sentences. Shares all of its code with `rag/` on purpose."""

    name = "engine"
    version = "rag.judge.OfflineJudge"

    def __init__(self, embedder: Any = None) -> None:
        from rag.judge.heuristic import OfflineJudge

        self._emb = shared_embeddings(embedder)
        self._judge = OfflineJudge(self._emb.embedder)  # as FactChecker.from_settings builds it
        self.version = f"rag.judge.{type(self._judge).__name__}/{self._judge.name}"

    def settings(self) -> dict[str, Any]:
        return {"aggregate": "rag.verdict.aggregate", "passage_split": "rag.text sentences"}

    def prefetch(self, items: list[tuple[str, str]]) -> None:
        from rag.nlp.text import detect_lang

        self._emb.warm(list(dict.fromkeys(c for c, _ in items)),
                       list(dict.fromkeys(w for _, p in dict.fromkeys(items)
                                          for w in passage_windows(p, detect_lang(p)))))

    def score(self, claim: str, passage: str) -> Support:
        from dataclasses import replace

        from rag.judge.verdict import aggregate
        from rag.nlp.align import scaled_similarity
        from rag.nlp.text import detect_lang
        from rag.query.evidence import relevance
        from rag.types import Evidence, Sentence

        query = claim_query(claim, passage)
        lang = detect_lang(passage)
        qvec = self._emb.query(query.proposition)
        evidence = []
        for i, text in enumerate(passage_windows(passage, lang)):
            sem = scaled_similarity(float(self._emb.passage(text) @ qvec))
            sent = Sentence("passage", f"s{i}", 0, len(text), text, lang)
            evidence.append(Evidence(sent, "", relevance(query, sem, text, lang),
                                     similarity=sem, context=passage))
        judged = [replace(e, judgement=j)
                  for e, j in zip(evidence, self._judge.judge(query, evidence), strict=True)]
        verdict = aggregate(judged)
        label: SupportLabel = {"supported": "supported", "refuted": "refuted"}.get(
            verdict.label, "unsupported")  # type: ignore[assignment]
        reasons = [e.judgement.reason for e in verdict.evidence if e.judgement.reason]
        return Support(label, reasons[0] if reasons else verdict.reason)


class CachedScorer:
    """Memoises another scorer by (claim, passage) within one process."""

    def __init__(self, inner: SupportScorer) -> None:
        self.inner = inner
        self._memo: dict[tuple[str, str], Support] = {}

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def version(self) -> str:
        return self.inner.version

    def settings(self) -> dict[str, Any]:
        return self.inner.settings()

    def stats(self) -> dict[str, Any]:
        inner = getattr(self.inner, "stats", None)
        return {**(inner() if inner else {}), "memo_entries": len(self._memo)}

    def prefetch(self, items: list[tuple[str, str]]) -> None:
        todo = [i for i in items if i not in self._memo]
        if todo and hasattr(self.inner, "prefetch"):
            self.inner.prefetch(todo)

    def score(self, claim: str, passage: str) -> Support:
        key = (claim, passage)
        if key not in self._memo:
            self._memo[key] = self.inner.score(claim, passage)
        return self._memo[key]


def make_scorer(kind: str, embedder: Any = None, cache_dir: Any = None,
                runs: int = 1) -> SupportScorer:
    """The composition point for judges: a plain `if` per kind."""
    if kind == "offline":
        from eval.offline_judge import OfflineScorer

        return CachedScorer(OfflineScorer(embedder))
    if kind == "engine":
        return CachedScorer(EngineJudgeScorer(embedder))
    if kind == "llm":
        from pathlib import Path

        from eval.llm_judge import LLMJudge

        cache = Path(cache_dir) if cache_dir else Path("runs/cache/llm-judge")
        return CachedScorer(LLMJudge.from_env(cache_dir=cache, runs=runs))
    from rag.errors import InputError

    raise InputError(f"unknown judge {kind!r}: use offline, engine or llm")
