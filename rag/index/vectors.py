"""The only module that imports chromadb and llama-index. Converts to our types at this edge.

- `open_client`: a Chroma `PersistentClient` under the data dir, or an `HttpClient` when
  `FACTCHECK_CHROMA_URL` is set; telemetry off. chromadb 1.5.9's HttpClient has no timeout
  setting (its httpx session is built with `timeout=None`, and the constructor already
  makes requests), so a server that accepts connections but never answers hung every
  call: a heartbeat with our timeout goes first, and the client's session gets the same
  timeout after. Collections are always created with
  `embedding_function=None` and written with our vectors, so Chroma's default embedding
  function (which downloads a model) can never run.
- `LlamaEmbedding`: our `Embedder` behind llama-index's `BaseEmbedding`, with the E5
  query/passage prefixes going through the right method.
- `VectorIndex`: one build's collection, written through llama-index's `ChromaVectorStore`
  (nodes with our embeddings), or handed to llama-index query engines as a
  `VectorStoreIndex`. A query goes to the collection directly: `ChromaVectorStore.query`
  only wraps the same `collection.query` call, and importing llama-index for it cost
  every one-question `factcheck ask` about 2 s (measured with `python -X importtime`), so
  the store is built on first write. Reading stored embeddings back (to reuse them for
  unchanged chunks) uses the raw collection too: llama-index has no call for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from rag.backends.embed import Embedder
from rag.errors import ConfigError, IndexNotReadyError
from rag.offline import ensure_offline
from rag.types import Chunk

COLLECTION_PREFIX = "factcheck_"


class VectorStoreError(IndexNotReadyError):
    """A call to the vector store failed after it was opened (server stopped, restarting)."""

    def __init__(self, doing: str, exc: BaseException) -> None:
        self.reason = f"{type(exc).__name__}: {exc}"[:200]
        super().__init__(f"the vector store failed while {doing} ({self.reason}); check that "
                         f"the Chroma server (FACTCHECK_CHROMA_URL) is running, then retry")


@contextlib.contextmanager
def store_call(doing: str) -> Iterator[None]:
    """Any failure of a call to the store inside as a `VectorStoreError`."""
    try:
        yield
    except IndexNotReadyError:
        raise
    except Exception as exc:  # chromadb and httpx raise many unrelated types here
        raise VectorStoreError(doing, exc) from exc


def open_client(data_dir: Path, chroma_url: str | None, timeout_s: float = 30.0) -> Any:
    """`timeout_s`: the longest any one request to a Chroma server may take."""
    ensure_offline()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"FACTCHECK_CHROMA_URL must look like http://host:port, "
                              f"got {chroma_url!r}")
        import httpx

        port = url.port or (443 if url.scheme == "https" else 8000)
        timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))
        try:
            base = f"{url.scheme}://{url.hostname}:{port}"
            httpx.get(f"{base}/api/v2/heartbeat", timeout=timeout).raise_for_status()
            client = chromadb.HttpClient(host=url.hostname, port=port,
                                         ssl=url.scheme == "https", settings=chroma_settings)
            session = getattr(getattr(client, "_server", None), "_session", None)
            if isinstance(session, httpx.Client):
                session.timeout = timeout
            client.heartbeat()
        except Exception as exc:  # chromadb raises several unrelated types here
            why = (f"no answer within {timeout_s:g}s (FACTCHECK_CHROMA_TIMEOUT_S)"
                   if isinstance(exc, httpx.TimeoutException) else str(exc))
            raise IndexNotReadyError(
                f"cannot reach the Chroma server at {chroma_url}: {why}. Start it with "
                f"`chroma run --path DIR --host 127.0.0.1 --port N` or unset "
                f"FACTCHECK_CHROMA_URL to use the embedded store.") from exc
        return client
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def make_llama_embedding(embedder: Embedder) -> Any:
    """Our Embedder as a llama-index BaseEmbedding (class built lazily: no import-time work)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding

    class LlamaEmbedding(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

    return LlamaEmbedding(model_name=embedder.name, embed_batch_size=32)


class VectorIndex:
    """The Chroma collection of one index build."""

    def __init__(self, client: Any, build_id: str, create: bool = False) -> None:
        self.name = COLLECTION_PREFIX + build_id
        self._client = client
        self._count: int | None = None  # a build's collection only changes through add()
        try:
            if create:
                self._col = client.get_or_create_collection(
                    self.name, embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}})
            else:
                self._col = client.get_collection(self.name, embedding_function=None)
        except Exception as exc:
            raise IndexNotReadyError(
                f"index collection {self.name} is missing from the vector store ({exc}); "
                f"run `factcheck ingest` to rebuild") from exc
        self._llama_store: Any = None

    @property
    def _store(self) -> Any:
        """llama-index's view of the collection, for writes and query engines."""
        if self._llama_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._llama_store = ChromaVectorStore(chroma_collection=self._col)
        return self._llama_store

    def add(self, chunks: list[Chunk], vectors: Sequence[Any]) -> None:
        """`vectors`: one per chunk, float lists or numpy rows (ingest keeps float32 arrays:
        Python float lists of 100k chunk vectors took over 1 GB)."""
        from llama_index.core.schema import TextNode

        nodes = [
            TextNode(id_=c.id, text=c.text, embedding=np.asarray(v, dtype=np.float32).tolist(),
                     start_char_idx=c.start,
                     end_char_idx=c.end, metadata={"doc_id": c.doc_id, "lang": c.lang},
                     excluded_embed_metadata_keys=["doc_id", "lang"])
            for c, v in zip(chunks, vectors, strict=True)
        ]
        self._count = None
        # Chroma rejects a write of more than get_max_batch_size() records (5461 with
        # chromadb 1.5); llama-index's own batching is bigger, so ingest >5k chunks failed
        with store_call("writing chunks"):
            step = max(1, int(self._client.get_max_batch_size()))
            for i in range(0, len(nodes), step):
                self._store.add(list[Any](nodes[i:i + step]))

    def embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id, as float32 rows."""
        if not ids:
            return {}
        out: dict[str, np.ndarray] = {}
        with store_call("reading stored embeddings"):
            step = max(1, int(self._client.get_max_batch_size()))
            for i in range(0, len(ids), step):
                got = self._col.get(ids=ids[i:i + step], include=["embeddings"])
                out.update((j, np.asarray(e, dtype=np.float32))
                           for j, e in zip(got["ids"], got["embeddings"], strict=True))
        return out

    def count(self) -> int:
        """Chunks in the collection; asked once, not per query (it was half the dense
        search time at 10k chunks in bench/scale.py's profile, a round trip in server mode)."""
        if self._count is None:
            with store_call("counting chunks"):
                self._count = int(self._col.count())
        return self._count

    def as_llama_index(self, embed_model: Any) -> Any:
        """This collection as a llama-index `VectorStoreIndex`, for llama-index's own query
        engines (bench/peer.py runs `CitationQueryEngine` on it): nothing is re-embedded,
        and queries are embedded by `embed_model` (pass `make_llama_embedding(...)`)."""
        from llama_index.core import VectorStoreIndex

        return VectorStoreIndex.from_vector_store(self._store, embed_model=embed_model)

    def query(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        k = min(k, self.count())
        if k <= 0:
            return []
        with store_call("searching"):
            res = self._col.query(query_embeddings=[list(vector)], n_results=k,
                                  include=["distances"])
        # the collection's space is cosine: distance = 1 - cosine similarity
        ids, dists = (res.get("ids") or [[]])[0], (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]


def drop_collection(client: Any, build_id: str) -> None:
    with contextlib.suppress(Exception):  # already gone: dropping is best-effort cleanup
        client.delete_collection(COLLECTION_PREFIX + build_id)
