"""Lexical retrieval: BM25 (bm25s) over language-aware Snowball stems (PyStemmer).

Each chunk is stemmed with its own language's stemmer; a query is stemmed with both the
English and the Swedish stemmer (its tokens are the union), so names and numbers match
across languages and inflected forms match within one. Stopwords (nltk lists) are dropped.

Ingest builds the index once and saves it in the build folder (`save`); a snapshot load
reads it back (`load`) instead of re-stemming every chunk — at 100k chunks the rebuild was
most of the load time. A missing or unreadable saved index (a build made before this
existed, a torn write) is rebuilt from the chunks, never an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from rag.nlp.text import stems, stopwords, words
from rag.types import Chunk

BM25_DIR = "bm25"  # in a build folder: the index ingest saved
IDS_FILE = "chunk_ids.json"


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

    def save(self, folder: Path) -> None:
        """Write the index and its chunk ids to `folder` (fsynced: a manifest may point at
        it right after)."""
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(folder), show_progress=False)
        (folder / IDS_FILE).write_text(json.dumps(self._ids), encoding="utf-8")
        for f in [*folder.iterdir(), folder]:
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    @classmethod
    def load(cls, folder: Path, chunks: list[Chunk]) -> LexicalIndex:
        """The index saved in `folder` if it is there, readable and made for exactly these
        chunks; otherwise built from `chunks`."""
        import bm25s

        try:
            ids = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
            if ids != [c.id for c in chunks]:
                raise ValueError("saved BM25 index is for other chunks")
            bm25 = bm25s.BM25.load(str(folder), show_progress=False) if ids else None
        except Exception:  # absent, torn or stale: bm25s raises several types; rebuild
            return cls(chunks)
        self = cls.__new__(cls)
        self._ids, self._bm25 = ids, bm25
        return self

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
