"""Server mode (FACTCHECK_CHROMA_URL set): the whole index in one Chroma server, so any
number of app hosts serve it and an ingest on one host is seen by all of them.

In the server, beside each build's chunk collection (`factcheck_BUILD`, `rag.index.vectors`):
    factcheck_files_BUILD  the build's files: docs.json, chunks.json, sentences.json,
                           sentences.npy and bm25.tar (the saved BM25 index, so no reader
                           re-stems the corpus), each cut into base64 parts of 1 MiB held
                           in record metadata, and an `_index` record (name -> parts,
                           sha256) written last. Metadata, not documents: Chroma indexes
                           documents for full-text search, and a 4 MB file took 2.7 s to
                           write as documents and 0.14 s as metadata (chromadb 1.5.9).
    factcheck_meta         `manifest` {"current", "previous"} and `lease` {"owner",
                           "expires"}: the writer lease.
The data dir is only a cache: `cache/builds/BUILD/` holds the same files as an embedded
build folder, fetched once per build (a build never changes once written) and checked
against their sha256. Readers drop cached builds that are neither current nor previous
after CACHE_KEEP_S.

The lease. Chroma has no compare-and-swap, so taking it is: read it; if it is free or
expired, write ours (owner token, expiry = now + FACTCHECK_LEASE_S); wait SETTLE_S; read it
back; ours only if our token is there. A thread renews it every third of its life while
the writer runs, and the manifest is written only after reading our own token back once
more. The race that remains: two writers that both read "free" and whose writes land more
than SETTLE_S apart (one stalled between its read and its write) both pass the read-back;
the later write wins the lease, and the earlier writer sees that at its next renewal or at
the check before its manifest switch, and stops without publishing — unless both pass
that last check within the same instant. Then the last manifest write wins and the other
build is left for the next ingest to clean up; cleanup always keeps whatever the manifest
names at that moment. Expiry is judged by each writer's own clock: hosts need synchronised
clocks (NTP; skew well under the lease time). A SIGKILLed writer's lease expires after at
most FACTCHECK_LEASE_S; the next writer then takes it and removes the half-written build.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import tarfile
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import IndexLockedError, IndexNotReadyError
from rag.index import store
from rag.index import vectors as vindex
from rag.index.bm25 import BM25_DIR, LexicalIndex
from rag.index.checkpoint import checkpoint
from rag.types import Chunk, Document

META = "factcheck_meta"
FILES_PREFIX = "factcheck_files_"
BUILD_ID = re.compile(r"\d{8}T\d{6}-\d+-[0-9a-f]{10}")  # rag.ingest.build._new_build_id
FILES = ("docs.json", "chunks.json", "sentences.json", "sentences.npy")
BM25_TAR = "bm25.tar"
PART_BYTES = 3 << 18  # 768 KiB of data = 1 MiB of base64 per record
PARTS_PER_CALL = 8  # records per request: 8 MiB bodies
SETTLE_S = 0.5
CACHE_KEEP_S = 600.0
_NO_VECTOR = [1.0]  # Chroma records need an embedding; files and meta are never searched


def open_store(settings: Settings) -> store.Store:
    """The store `settings` name: the Chroma server if a URL is set, else the data dir."""
    if settings.chroma_url:
        return ChromaStore(settings)
    return store.FileStore(settings.data_dir)


def _stamp(t: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(t))


class ChromaStore:
    def __init__(self, settings: Settings) -> None:
        self.where = f"the Chroma server at {settings.chroma_url}"
        self.poll_s = settings.index_poll_s
        self.lease_s = settings.lease_s
        self.cache = settings.data_dir / "cache"
        self._client = vindex.open_client(settings.data_dir, settings.chroma_url,
                                          settings.chroma_timeout_s)
        with vindex.store_call("opening the index metadata"):
            self._meta = self._client.get_or_create_collection(META, embedding_function=None)
        self._lease: Lease | None = None

    # ------------------------------------------------------------------ records
    def get_record(self, key: str) -> dict[str, Any] | None:
        with vindex.store_call(f"reading the {key}"):
            got = self._meta.get(ids=[key], include=["metadatas"])
        metas = got.get("metadatas") or []
        return json.loads(str(metas[0]["json"])) if metas and metas[0] else None

    def put_record(self, key: str, value: dict[str, Any]) -> None:
        with vindex.store_call(f"writing the {key}"):
            self._meta.upsert(ids=[key], embeddings=[_NO_VECTOR],
                              metadatas=[{"json": json.dumps(value)}])

    def delete_record(self, key: str) -> None:
        with vindex.store_call(f"removing the {key}"):
            self._meta.delete(ids=[key])

    # ------------------------------------------------------------------ manifest, lease
    def vector_client(self) -> Any:
        return self._client

    def read_manifest(self) -> dict[str, Any]:
        m = self.get_record("manifest") or {}
        return {"current": m.get("current"), "previous": m.get("previous")}

    def manifest_stamp(self) -> object:
        return tuple(self.read_manifest().values())

    def write_manifest(self, current: str, previous: str | None) -> None:
        if self._lease is not None:
            self._lease.check()  # never switch the index on a lease that is not ours
        checkpoint("manifest:written")
        self.put_record("manifest", {"current": current, "previous": previous})
        checkpoint("manifest:replaced")

    @contextmanager
    def writer(self, timeout_s: float) -> Iterator[None]:
        lease = Lease(self)
        lease.acquire(timeout_s)
        self._lease = lease
        try:
            yield
        finally:
            self._lease = None
            lease.release()

    # ------------------------------------------------------------------ builds
    def _files(self, build_id: str, create: bool = False) -> Any:
        name = FILES_PREFIX + build_id
        try:
            if create:
                return self._client.get_or_create_collection(name, embedding_function=None)
            return self._client.get_collection(name, embedding_function=None)
        except Exception as exc:
            raise IndexNotReadyError(f"index build {build_id} is missing from {self.where} "
                                     f"({exc}); run `factcheck ingest`") from exc

    def _folder(self, build_id: str) -> Path:
        return store.build_dir(self.cache, build_id)

    def begin_build(self, build_id: str) -> None:
        with vindex.store_call("creating a build"):
            self._files(build_id, create=True)
        self._folder(build_id).mkdir(parents=True, exist_ok=True)

    def save_build(self, build_id: str, docs: list[Document], chunks: list[Chunk],
                   sentences: list[tuple[str, int, int]], sentence_vectors: np.ndarray,
                   lexical: LexicalIndex) -> None:
        """Written here first (the writer's own cache), then uploaded file by file."""
        store.save_build(self.cache, build_id, docs, chunks, sentences, sentence_vectors)
        folder = self._folder(build_id)
        lexical.save(folder / BM25_DIR)
        with tarfile.open(folder / BM25_TAR, "w") as tar:
            tar.add(folder / BM25_DIR, arcname=BM25_DIR)
        col = self._files(build_id)
        index = {name: self._upload(col, name, folder / name) for name in (*FILES, BM25_TAR)}
        with vindex.store_call("writing a build"):
            col.upsert(ids=["_index"], embeddings=[_NO_VECTOR],
                       metadatas=[{"json": json.dumps(index)}])
        (folder / ".complete").touch()

    def _upload(self, col: Any, name: str, path: Path) -> dict[str, Any]:
        digest = hashlib.sha256()
        batch: list[str] = []
        parts = 0

        def flush() -> None:
            ids = [f"{name}#{parts - len(batch) + i}" for i in range(len(batch))]
            with vindex.store_call(f"writing {name}"):
                col.upsert(ids=ids, embeddings=[_NO_VECTOR] * len(batch),
                           metadatas=[{"b": b} for b in batch])
            batch.clear()
            checkpoint("upload")

        with open(path, "rb") as fh:
            while True:
                data = fh.read(PART_BYTES)
                if not data and parts:
                    break
                digest.update(data)
                batch.append(base64.b64encode(data).decode("ascii"))
                parts += 1
                if len(batch) == PARTS_PER_CALL:
                    flush()
                if len(data) < PART_BYTES:
                    break
        if batch:
            flush()
        return {"parts": parts, "sha256": digest.hexdigest()}

    def fetch(self, build_id: str) -> Path:
        """The build's folder in the cache, fetched from the server unless complete."""
        folder = self._folder(build_id)
        if (folder / ".complete").exists():
            return folder
        col = self._files(build_id)
        with vindex.store_call("reading a build"):
            got = col.get(ids=["_index"], include=["metadatas"])
        if not got.get("metadatas"):
            raise IndexNotReadyError(f"index build {build_id} on {self.where} is unfinished; "
                                     f"run `factcheck ingest`")
        index = json.loads(str(got["metadatas"][0]["json"]))
        folder.mkdir(parents=True, exist_ok=True)
        for name, info in index.items():
            self._download(col, name, info, folder / name)
        shutil.rmtree(folder / BM25_DIR, ignore_errors=True)
        with tarfile.open(folder / BM25_TAR) as tar:
            tar.extractall(folder, filter="data")
        (folder / ".complete").touch()
        self._prune_cache(keep={build_id, *self.read_manifest().values()})
        return folder

    def _download(self, col: Any, name: str, info: dict[str, Any], path: Path) -> None:
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=name + ".")
        with os.fdopen(fd, "wb") as fh:
            for start in range(0, int(info["parts"]), PARTS_PER_CALL):
                ids = [f"{name}#{i}" for i in
                       range(start, min(start + PARTS_PER_CALL, int(info["parts"])))]
                with vindex.store_call(f"reading {name}"):
                    got = col.get(ids=ids, include=["metadatas"])
                by_id = dict(zip(got["ids"], got["metadatas"], strict=True))
                for i in ids:
                    if i not in by_id:
                        raise IndexNotReadyError(f"{name} of a build on {self.where} is "
                                                 f"missing part {i}; run `factcheck ingest`")
                    data = base64.b64decode(str(by_id[i]["b"]))
                    digest.update(data)
                    fh.write(data)
        if digest.hexdigest() != info["sha256"]:
            os.unlink(tmp)
            raise IndexNotReadyError(f"{name} of a build on {self.where} does not match its "
                                     f"checksum; run `factcheck ingest`")
        os.replace(tmp, path)

    def _prune_cache(self, keep: set[str | None]) -> None:
        root = self.cache / "builds"
        for p in root.iterdir() if root.exists() else []:
            if p.name not in keep and time.time() - p.stat().st_mtime > CACHE_KEEP_S:
                shutil.rmtree(p, ignore_errors=True)

    def load_build(self, build_id: str) -> tuple[list[Document], list[Chunk]]:
        self.fetch(build_id)
        return store.load_build(self.cache, build_id)

    def load_sentences(self, build_id: str) -> tuple[list[tuple[str, int, int]], np.ndarray]:
        self.fetch(build_id)
        return store.load_sentences(self.cache, build_id)

    def load_lexical(self, build_id: str, chunks: list[Chunk]) -> LexicalIndex:
        return LexicalIndex.load(self.fetch(build_id) / BM25_DIR, chunks)

    def list_builds(self) -> list[str]:
        with vindex.store_call("listing builds"):
            names = [getattr(c, "name", str(c)) for c in self._client.list_collections()]
        ids = {n.removeprefix(FILES_PREFIX).removeprefix(vindex.COLLECTION_PREFIX)
               for n in names}
        return sorted(i for i in ids if BUILD_ID.fullmatch(i))

    def remove_build(self, build_id: str) -> None:
        # the files collection goes last: while it exists, a later run knows to drop more
        vindex.drop_collection(self._client, build_id)
        checkpoint("cleanup:collection")
        with contextlib.suppress(Exception):  # already gone: best-effort, as for vectors
            self._client.delete_collection(FILES_PREFIX + build_id)
        shutil.rmtree(self._folder(build_id), ignore_errors=True)
        checkpoint("cleanup:dir")


class Lease:
    """The writer lease of one `ChromaStore` (see the module docstring for its guarantees)."""

    def __init__(self, st: ChromaStore) -> None:
        self._st = st
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._lost: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _write(self) -> None:
        self._st.put_record("lease", {"owner": self.owner,
                                      "expires": time.time() + self._st.lease_s})

    def acquire(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            held = self._st.get_record("lease")
            if held is None or float(held["expires"]) <= time.time():
                self._write()
                time.sleep(SETTLE_S)  # let a rival's write land before reading back
                held = self._st.get_record("lease")
                if held is not None and held["owner"] == self.owner:
                    self._thread = threading.Thread(target=self._renew, daemon=True,
                                                    name="factcheck-lease")
                    self._thread.start()
                    return
            if time.monotonic() >= deadline:
                who, until = ((held["owner"], _stamp(float(held["expires"]))) if held
                              else ("another writer", "it is released"))
                raise IndexLockedError(
                    f"another process ({who}) is writing the index on {self._st.where} "
                    f"(its lease runs until {until}); wait for it to finish, or for the "
                    f"lease to expire if it crashed, and run again")
            time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))

    def _renew(self) -> None:
        while not self._stop.wait(self._st.lease_s / 3):
            try:
                held = self._st.get_record("lease")
                if held is None or held["owner"] != self.owner:
                    self._lost = f"taken by {held['owner']}" if held else "removed"
                    return
                self._write()
            except IndexNotReadyError:
                continue  # the server is away: try again; the check before publishing decides

    def check(self) -> None:
        """Raise unless the lease is still ours and unexpired."""
        held = self._st.get_record("lease")
        if self._lost is None and (held is None or held["owner"] != self.owner):
            self._lost = f"taken by {held['owner']}" if held else "removed"
        elif held is not None and float(held["expires"]) <= time.time():
            self._lost = "expired"
        if self._lost:
            raise IndexLockedError(f"this ingest lost its writer lease on {self._st.where} "
                                   f"({self._lost}); nothing was published: run it again")

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            held = self._st.get_record("lease")
            if held is not None and held["owner"] == self.owner:
                self._st.delete_record("lease")
        except IndexNotReadyError:
            pass  # the server is away: the lease expires on its own
