"""A loaded index build: documents, chunks, sentence embeddings, the vector collection and
the BM25 index — everything a query needs, read once and reused across requests.

`SnapshotHolder` reloads when the manifest points at a new build, so a running server picks
up a re-ingest without a restart: embedded mode stats manifest.json on every request; server
mode reads the manifest record at most every FACTCHECK_INDEX_POLL_S (a round trip). One
request at a time checks and loads; the others keep the loaded build meanwhile, and a
request holds one `Snapshot` from start to end, so each answer comes from exactly one
build (`backend.index_build`). While the Chroma server is unreachable, the loaded build
keeps serving (dense search then degrades, `rag.pipeline`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import IndexNotReadyError
from rag.index import vectors as vindex
from rag.index.bm25 import LexicalIndex
from rag.index.server import open_store
from rag.index.store import Store
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


def load_snapshot(settings: Settings, st: Store | None = None) -> Snapshot:
    st = st or open_store(settings)
    build_id = st.read_manifest()["current"]
    if not build_id:
        raise IndexNotReadyError(f"no index in {st.where}: run `factcheck ingest` first")
    docs, chunks = st.load_build(build_id)
    keys, vecs = st.load_sentences(build_id)
    client = st.vector_client()
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
    lexical = st.load_lexical(build_id, chunks)
    return Snapshot(build_id, doc_map, chunk_map, sentences, vecs, by_chunk,
                    vindex.VectorIndex(client, build_id), lexical)


class SnapshotHolder:
    """The current snapshot, reloaded when a new build is published."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._store: Store | None = None  # opened on first use: a constructor does no I/O
        self._snap: Snapshot | None = None
        self._stamp: object = None
        self._next_check = 0.0

    def get(self) -> Snapshot:
        snap = self._snap
        if snap is not None and time.monotonic() < self._next_check:
            return snap
        if snap is not None and not self._lock.acquire(blocking=False):
            return snap  # another request is checking or loading: serve the loaded build
        if snap is None:
            self._lock.acquire()
        try:
            return self._refresh()
        finally:
            self._lock.release()

    def _refresh(self) -> Snapshot:
        """Under the lock: the snapshot of the build the manifest names now."""
        try:
            if self._store is None:
                self._store = open_store(self._settings)
            stamp = self._store.manifest_stamp()
            if self._snap is None or stamp != self._stamp:
                self._snap = load_snapshot(self._settings, self._store)
                self._stamp = stamp
        except vindex.VectorStoreError:
            if self._snap is None:
                raise
            # the server is away mid-session: keep the build we have, look again later
        self._next_check = time.monotonic() + self._store.poll_s if self._store else 0.0
        return self._snap
