"""A loaded index build: documents, chunks, sentence embeddings, the vector collection and
the BM25 index — everything a query needs, read once and reused across requests.

`SnapshotHolder` reloads when the manifest points at a new build (a cheap `stat` per
request), so a running server picks up a re-ingest without a restart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import IndexNotReadyError
from rag.index import store
from rag.index import vectors as vindex
from rag.index.bm25 import BM25_DIR, LexicalIndex
from rag.types import Chunk, Document, Sentence


@dataclass
class Snapshot:
    build_id: str
    docs: dict[str, Document]
    chunks: dict[str, Chunk]
    sentences: list[Sentence]  # every body sentence; chunk_id = the first chunk holding it
    sentence_vecs: np.ndarray  # (len(sentences), dim), L2-normalised passage embeddings
    by_chunk: dict[str, list[int]]  # chunk id -> indices into `sentences`
    vectors: vindex.VectorIndex
    lexical: LexicalIndex
    _bodies: dict[str, str] = field(default_factory=dict)

    def source_rows(self) -> list[dict[str, Any]]:
        """One row per indexed article: id, title, lang, chunk count and provenance."""
        counts: dict[str, int] = {}
        for c in self.chunks.values():
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        return [{"id": d.id, "title": d.title, "lang": d.lang, "chunks": counts.get(d.id, 0),
                 **d.provenance.to_dict()} for d in sorted(self.docs.values(), key=lambda d: d.id)]

    def body_text(self, doc_id: str) -> str:
        """The article's body spans joined (no title, headings or boilerplate)."""
        if doc_id not in self._bodies:
            d = self.docs[doc_id]
            self._bodies[doc_id] = "\n".join(d.text[s.start:s.end] for s in d.body_spans())
        return self._bodies[doc_id]


def load_snapshot(settings: Settings) -> Snapshot:
    data_dir = settings.data_dir
    manifest = store.read_manifest(data_dir)
    build_id = manifest["current"]
    if not build_id:
        raise IndexNotReadyError(f"no index in {data_dir}: run `factcheck ingest` first")
    docs, chunks = store.load_build(data_dir, build_id)
    keys, vecs = store.load_sentences(data_dir, build_id)
    client = vindex.open_client(data_dir, settings.chroma_url)
    chunk_map = {c.id: c for c in chunks}
    doc_map = {d.id: d for d in docs}
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    sentences: list[Sentence] = []
    by_chunk: dict[str, list[int]] = {c.id: [] for c in chunks}
    for i, (doc_id, a, b) in enumerate(keys):
        holders = [c for c in by_doc.get(doc_id, []) if c.start <= a and b <= c.end]
        first = holders[0].id if holders else ""
        d = doc_map[doc_id]
        sentences.append(Sentence(doc_id, first, a, b, d.text[a:b], d.lang))
        for c in holders:
            by_chunk[c.id].append(i)
    lexical = LexicalIndex.load(store.build_dir(data_dir, build_id) / BM25_DIR, chunks)
    return Snapshot(build_id, doc_map, chunk_map, sentences, vecs, by_chunk,
                    vindex.VectorIndex(client, build_id), lexical)


class SnapshotHolder:
    """The current snapshot, reloaded when a new build is published."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self._stamp: float | None = None

    def _manifest_stamp(self) -> float | None:
        path: Path = self._settings.data_dir / store.MANIFEST
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return None

    def get(self) -> Snapshot:
        stamp = self._manifest_stamp()
        with self._lock:
            if self._snap is None or stamp != self._stamp:
                self._snap = load_snapshot(self._settings)
                self._stamp = stamp
            return self._snap
