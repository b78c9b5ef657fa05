"""Checks on a data dir shared by the crash and property tests: what the index holds, that
every citation resolves into it, and that it is exactly what a clean ingest would make; and
a real Chroma server (`chroma run`) on 127.0.0.1 for the server-mode tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import requests

from rag.index import store
from rag.index import vectors as vindex
from rag.types import Answer, Chunk, Document


@dataclass(frozen=True)
class IndexState:
    build: str
    previous: str | None
    docs: dict[str, Document]
    chunks: dict[str, Chunk]
    vectors: dict[str, np.ndarray]  # chunk id -> vector as stored in Chroma
    sentences: dict[tuple[str, int, int], np.ndarray]  # (doc id, start, end) -> vector
    build_dirs: set[str]
    collections: set[str]  # build ids that have a Chroma collection

    def signature(self) -> set[tuple[str, str]]:
        """(chunk id, hash of its document) pairs: equal for equal indexes."""
        return {(c.id, self.docs[c.doc_id].hash) for c in self.chunks.values()}


def read_index(data_dir: Path) -> IndexState:
    manifest = store.read_manifest(data_dir)
    build = manifest["current"]
    assert build, f"no current build in {data_dir}"
    docs, chunks = store.load_build(data_dir, build)
    keys, vecs = store.load_sentences(data_dir, build)
    client = vindex.open_client(data_dir, None)
    names = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
    got = client.get_collection(vindex.COLLECTION_PREFIX + build).get(include=["embeddings"])
    return IndexState(
        build, manifest["previous"], {d.id: d for d in docs}, {c.id: c for c in chunks},
        {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"],
                                                            strict=True)},
        {(k[0], k[1], k[2]): v for k, v in zip(keys, vecs, strict=True)},
        set(store.list_build_dirs(data_dir)),
        {n.removeprefix(vindex.COLLECTION_PREFIX) for n in names
         if n.startswith(vindex.COLLECTION_PREFIX)})


def assert_consistent(state: IndexState, texts: dict[str, str]) -> None:
    """The build holds exactly the articles in `texts` (id -> file text), every chunk is a
    slice of its article and has its vector in Chroma, and nothing is left over beyond the
    current and previous builds."""
    assert {d: doc.text for d, doc in state.docs.items()} == texts
    for c in state.chunks.values():
        assert c.text == state.docs[c.doc_id].text[c.start:c.end], c.id
    assert set(state.vectors) == set(state.chunks), "Chroma ids != the build's chunk ids"
    assert {d for d, _, _ in state.sentences} <= set(state.docs)
    allowed = {state.build, state.previous} - {None}
    assert state.build_dirs <= allowed, f"leftover builds: {state.build_dirs - allowed}"
    assert state.collections <= allowed, f"leftover collections: {state.collections - allowed}"
    assert state.build in state.collections


def assert_same_index(got: IndexState, clean: IndexState) -> None:
    """Same chunks of the same documents, with the same vectors, as a clean ingest."""
    assert got.signature() == clean.signature()
    for cid, vec in clean.vectors.items():
        assert np.allclose(got.vectors[cid], vec, atol=1e-4), f"vector of chunk {cid} differs"
    assert set(got.sentences) == set(clean.sentences)
    for key, vec in clean.sentences.items():
        assert np.allclose(got.sentences[key], vec, atol=1e-4), f"sentence vector {key} differs"


def assert_answer_resolves(answer: Answer, state: IndexState, texts: dict[str, str]) -> None:
    """Every citation points at a stored chunk of an article that exists (`texts`: id -> the
    file's text now), the chunk holds the quote, and the quote is the text at its offsets."""
    for c in answer.citations:
        assert c.source in texts, f"[{c.n}] cites {c.source}, which no longer exists"
        assert c.chunk_id in state.chunks, f"[{c.n}] cites chunk {c.chunk_id}, not stored"
        chunk = state.chunks[c.chunk_id]
        assert chunk.doc_id == c.source
        assert chunk.start <= c.start < c.end <= chunk.end, f"[{c.n}] quote outside its chunk"
        assert c.quote == state.docs[c.source].text[c.start:c.end] == texts[c.source][
            c.start:c.end], f"[{c.n}] quote is not the source text at {c.start}:{c.end}"
    cited = {n for s in answer.sentences for n in s.citations}
    assert cited <= {c.n for c in answer.citations}, "a sentence cites an unknown [n]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def chroma_run(path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`chroma run` on 127.0.0.1:`port` storing in `path`, until the block ends (killed)."""
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "chroma did not start"
            try:
                requests.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.3)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


class RecordingEmbedder:
    """The real embedder, recording every passage it is given (what ingest embeds)."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, []

    def embed_passages(self, texts):
        self.texts.extend(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)
