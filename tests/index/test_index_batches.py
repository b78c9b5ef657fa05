"""Chroma caps one write at `get_max_batch_size()` records (5461 with chromadb 1.5): the
index must write and read back more than that — an ingest of a newsroom archive failed
with "Batch size of 10264 is greater than max batch size" before (bench/scale.py found it).
Real Chroma in a tmp dir; the vectors are deterministic (no model needed for this)."""

import numpy as np

from rag.index import vectors as vindex
from rag.types import Chunk


def test_more_chunks_than_one_chroma_batch_are_written_and_read_back(tmp_path):
    client = vindex.open_client(tmp_path, None)
    limit = int(client.get_max_batch_size())
    n = limit + 7
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((n, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [Chunk(f"c{i:06d}", f"d{i % 50}", 0, 5, f"text {i}", "en", 2) for i in range(n)]
    col = vindex.VectorIndex(client, "batches-test", create=True)
    assert col.count() == 0
    col.add(chunks, vecs.tolist())  # the count asked above is not kept past a write
    assert col.count() == n
    ids = [c.id for c in chunks]
    back = col.embeddings(ids)
    assert set(back) == set(ids)
    got = np.asarray([back[i] for i in ids], dtype=np.float32)
    assert np.allclose(got, vecs, atol=1e-6)
    best, sim = col.query(vecs[n - 1].tolist(), 1)[0]  # the last batch is searchable too
    assert best == ids[n - 1] and sim > 0.999
