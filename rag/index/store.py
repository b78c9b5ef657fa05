"""On-disk state of the index besides the vectors: the manifest, each build's documents and
chunks, and the writer lock; and the `Store` protocol that ingest and snapshot code use, so
that they read and write an index the same way whether it lives here (`FileStore`, the
default, embedded mode) or in a Chroma server (`rag.index.server.ChromaStore`).

Layout under the data dir:
    manifest.json            {"current": BUILD, "previous": BUILD|null}  (atomic replace)
    builds/BUILD/docs.json   {"format": FORMAT, "docs": [...]}: the Documents of that build
                             (original text included)
    builds/BUILD/chunks.json its Chunks
    builds/BUILD/sentences.* its body sentences (offsets) and their embeddings
    chroma/                  the embedded Chroma store (one collection per build)
    .write.lock              held by whoever writes

A build is written completely before the manifest points at it, so a crash at any point
leaves the previous build usable. The previous build is kept for rollback.

`docs.json` carries the format its Documents are stored in. Format 1 (a bare list, written
before hidden text had a span kind of its own) stored hidden spans as boilerplate whose
reason began "hidden: "; such builds are upgraded when read (`_upgrade_v1`), which is the
only place that prefix is read. A format newer than `FORMAT` is refused.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.errors import ConfigError, IndexLockedError, IndexNotReadyError
from rag.index import vectors as vindex
from rag.index.bm25 import BM25_DIR, LexicalIndex
from rag.index.checkpoint import checkpoint
from rag.types import Chunk, Document, Provenance, Span

MANIFEST = "manifest.json"
# the version of docs.json: 2 = {"format": 2, "docs": [...]} with hidden spans of kind
# "hidden"; 1 = a bare list of Documents (hidden spans as prefixed boilerplate)
FORMAT = 2


@contextmanager
def write_lock(data_dir: Path, timeout_s: float) -> Iterator[None]:
    from filelock import FileLock, Timeout

    path = data_dir / ".write.lock"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path))
        lock.acquire(timeout=timeout_s)
    except Timeout as exc:  # first: filelock's Timeout is an OSError too
        raise IndexLockedError(
            f"another process is writing the index in {data_dir} (lock {path} held for "
            f"{timeout_s:.0f}s); wait for it to finish and run again") from exc
    except OSError as exc:  # a file where the folder should be, no permission, read-only disk
        raise ConfigError(f"cannot use {data_dir} as the data directory: "
                          f"{exc.strerror or exc}") from exc
    try:
        yield
    finally:
        lock.release()


def read_manifest(data_dir: Path) -> dict[str, Any]:
    path = data_dir / MANIFEST
    if not path.exists():
        return {"current": None, "previous": None}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexNotReadyError(f"{path} is unreadable ({exc}); run `factcheck ingest`") from exc
    return {"current": data.get("current"), "previous": data.get("previous")}


def _fsync_dir(folder: Path) -> None:
    """Make renames and new entries in `folder` durable (best effort: not every OS can)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _atomic_write(path: Path, data: str | bytes, point: str) -> None:
    """Write `data` to a temp file, fsync it, then rename it over `path`."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        fh.flush()
        os.fsync(fh.fileno())
    checkpoint(f"{point}:written")
    os.replace(tmp, path)
    checkpoint(f"{point}:replaced")


def write_manifest(data_dir: Path, current: str, previous: str | None) -> None:
    """The switch: readers see the old build until this rename, the new one after it."""
    _atomic_write(data_dir / MANIFEST,
                  json.dumps({"current": current, "previous": previous}, indent=2), "manifest")
    _fsync_dir(data_dir)
    checkpoint("manifest:synced")


def build_dir(data_dir: Path, build_id: str) -> Path:
    return data_dir / "builds" / build_id


def save_build(data_dir: Path, build_id: str, docs: list[Document], chunks: list[Chunk],
               sentences: list[tuple[str, int, int]], sentence_vectors: np.ndarray) -> None:
    folder = build_dir(data_dir, build_id)
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / "docs.json",
                  json.dumps({"format": FORMAT, "docs": [asdict(d) for d in docs]},
                             ensure_ascii=False), "save:docs")
    _atomic_write(folder / "chunks.json",
                  json.dumps([asdict(c) for c in chunks], ensure_ascii=False), "save:chunks")
    _atomic_write(folder / "sentences.json", json.dumps(sentences, ensure_ascii=False),
                  "save:sentences")
    buf = io.BytesIO()
    np.save(buf, sentence_vectors.astype(np.float32))
    _atomic_write(folder / "sentences.npy", buf.getvalue(), "save:vectors")
    _fsync_dir(folder)
    checkpoint("save:synced")


def load_sentences(data_dir: Path, build_id: str) -> tuple[list[tuple[str, int, int]],
                                                           np.ndarray]:
    """Body sentences of a build as (doc id, start, end), with their passage embeddings."""
    folder = build_dir(data_dir, build_id)
    try:
        keys = [tuple(k) for k in json.loads((folder / "sentences.json").read_text("utf-8"))]
        vecs = np.load(folder / "sentences.npy")
    except (OSError, ValueError) as exc:
        raise IndexNotReadyError(f"index build {build_id} in {data_dir} is unreadable ({exc}); "
                                 f"run `factcheck ingest`") from exc
    return keys, vecs  # type: ignore[return-value]


def _upgrade_v1(s: dict[str, Any]) -> dict[str, Any]:
    """A format-1 span as format 2: that format wrote a hidden span as kind "boilerplate"
    with the reason "hidden: <what it is>", so in it (and only in it) the prefix is the
    kind's encoding."""
    prefix = "hidden: "
    if s["kind"] == "boilerplate" and s.get("reason", "").startswith(prefix):
        return {**s, "kind": "hidden", "reason": s["reason"][len(prefix):]}
    return s


def _doc_from_dict(d: dict[str, Any], fmt: int = FORMAT) -> Document:
    spans = d["spans"] if fmt >= 2 else [_upgrade_v1(s) for s in d["spans"]]
    return Document(
        id=d["id"], title=d["title"], lang=d["lang"], text=d["text"],
        spans=tuple(Span(**s) for s in spans),
        provenance=Provenance(**d["provenance"]),
        hash=d["hash"], path=d.get("path", ""), title_from=d.get("title_from", "headline"))


def docs_from_json(data: Any, where: str) -> list[Document]:
    """The Documents of a docs.json, in whichever format it was written (see the module
    docstring)."""
    if isinstance(data, list):  # format 1 had no envelope
        return [_doc_from_dict(d, 1) for d in data]
    fmt = data.get("format") if isinstance(data, dict) else None
    if not isinstance(fmt, int) or not 2 <= fmt <= FORMAT:
        raise IndexNotReadyError(f"{where} is in format {fmt!r}; this factcheck reads "
                                 f"formats 1 to {FORMAT}: use the version that built the "
                                 f"index, or ingest into a new --data-dir")
    return [_doc_from_dict(d, fmt) for d in data["docs"]]


def load_build(data_dir: Path, build_id: str) -> tuple[list[Document], list[Chunk]]:
    folder = build_dir(data_dir, build_id)
    try:
        docs = json.loads((folder / "docs.json").read_text(encoding="utf-8"))
        chunks = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexNotReadyError(f"index build {build_id} in {data_dir} is unreadable ({exc}); "
                                 f"run `factcheck ingest`") from exc
    return docs_from_json(docs, str(folder / "docs.json")), [Chunk(**c) for c in chunks]


def list_build_dirs(data_dir: Path) -> list[str]:
    root = data_dir / "builds"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []


def remove_build_dir(data_dir: Path, build_id: str) -> None:
    shutil.rmtree(build_dir(data_dir, build_id), ignore_errors=True)


class Store(Protocol):
    """Where an index lives: its manifest, its builds and its writer's lock."""

    where: str  # for messages: the data dir or the server URL
    poll_s: float  # how often a reader looks at the manifest (0: on every request)

    def vector_client(self) -> Any: ...  # the Chroma client holding the chunk vectors
    def manifest_stamp(self) -> object: ...  # changes when the manifest does
    def read_manifest(self) -> dict[str, Any]: ...
    def write_manifest(self, current: str, previous: str | None) -> None: ...
    def writer(self, timeout_s: float) -> AbstractContextManager[None]: ...
    def begin_build(self, build_id: str) -> None: ...  # a trace first: cleanup finds it
    def save_build(self, build_id: str, docs: list[Document], chunks: list[Chunk],
                   sentences: list[tuple[str, int, int]], sentence_vectors: np.ndarray,
                   lexical: LexicalIndex) -> None: ...
    def load_build(self, build_id: str) -> tuple[list[Document], list[Chunk]]: ...
    def load_sentences(self, build_id: str) -> tuple[list[tuple[str, int, int]],
                                                      np.ndarray]: ...
    def load_lexical(self, build_id: str, chunks: list[Chunk]) -> LexicalIndex: ...
    def list_builds(self) -> list[str]: ...  # every build with a trace, finished or not
    def remove_build(self, build_id: str) -> None: ...


class FileStore:
    """Embedded mode: the layout above under one data dir, and its embedded Chroma."""

    poll_s = 0.0  # a stat of manifest.json per request costs microseconds

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.where = str(data_dir)
        self._client: Any = None

    def vector_client(self) -> Any:
        if self._client is None:
            self._client = vindex.open_client(self.data_dir, None)
        return self._client

    def manifest_stamp(self) -> object:
        try:
            return (self.data_dir / MANIFEST).stat().st_mtime_ns
        except OSError:
            return None

    def read_manifest(self) -> dict[str, Any]:
        return read_manifest(self.data_dir)

    def write_manifest(self, current: str, previous: str | None) -> None:
        write_manifest(self.data_dir, current, previous)

    def writer(self, timeout_s: float) -> AbstractContextManager[None]:
        return write_lock(self.data_dir, timeout_s)

    def begin_build(self, build_id: str) -> None:
        build_dir(self.data_dir, build_id).mkdir(parents=True, exist_ok=True)

    def save_build(self, build_id: str, docs: list[Document], chunks: list[Chunk],
                   sentences: list[tuple[str, int, int]], sentence_vectors: np.ndarray,
                   lexical: LexicalIndex) -> None:
        save_build(self.data_dir, build_id, docs, chunks, sentences, sentence_vectors)
        lexical.save(build_dir(self.data_dir, build_id) / BM25_DIR)

    def load_build(self, build_id: str) -> tuple[list[Document], list[Chunk]]:
        return load_build(self.data_dir, build_id)

    def load_sentences(self, build_id: str) -> tuple[list[tuple[str, int, int]], np.ndarray]:
        return load_sentences(self.data_dir, build_id)

    def load_lexical(self, build_id: str, chunks: list[Chunk]) -> LexicalIndex:
        return LexicalIndex.load(build_dir(self.data_dir, build_id) / BM25_DIR, chunks)

    def list_builds(self) -> list[str]:
        return list_build_dirs(self.data_dir)

    def remove_build(self, build_id: str) -> None:
        # the folder goes last: while it exists, a later run knows there is more to drop
        vindex.drop_collection(self.vector_client(), build_id)
        checkpoint("cleanup:collection")
        remove_build_dir(self.data_dir, build_id)
        checkpoint("cleanup:dir")
