"""Lexical retrieval: BM25 (bm25s) over language-aware Snowball stems (PyStemmer).

Each chunk is stemmed with its own language's stemmer; a query is stemmed with both the
English and the Swedish stemmer (its tokens are the union), so names and numbers match
across languages and inflected forms match within one. Stopwords (nltk lists) are dropped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rag.text import stems, stopwords, words
from rag.types import Chunk


def analyse_terms(text: str, lang: str) -> list[str]:
    stop = stopwords(lang)
    toks = [w for w in words(text) if w not in stop]
    return stems(toks, lang)


def query_terms(text: str) -> list[str]:
    toks = [w for w in words(text) if w not in stopwords("en") and w not in stopwords("sv")]
    return sorted(set(stems(toks, "en")) | set(stems(toks, "sv")))


class LexicalIndex:
    def __init__(self, chunks: list[Chunk]) -> None:
        import bm25s

        self._ids = [c.id for c in chunks]
        self._bm25: Any = None
        corpus = [analyse_terms(c.text, c.lang) or ["\u2205"] for c in chunks]
        if corpus:
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)

    def query(self, text: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; chunks with no term in common are left out."""
        terms = query_terms(text)
        if self._bm25 is None or not terms:
            return []
        k = min(k, len(self._ids))
        docs, scores = self._bm25.retrieve([terms], k=k, show_progress=False)
        out = []
        for i, s in zip(np.asarray(docs)[0], np.asarray(scores)[0], strict=True):
            if s > 0:
                out.append((self._ids[int(i)], float(s)))
        return out
