"""The BM25 index is saved by ingest in the build folder and read back by snapshot loads
(instead of re-stemming every chunk at every load); a missing, stale or torn saved index
is rebuilt from the chunks. Real ingest, real embedder, real bm25s files."""

import dataclasses

from rag.config import Settings
from rag.index import store
from rag.index.bm25 import BM25_DIR, LexicalIndex
from rag.index.snapshot import load_snapshot

QUERIES = ["Article 5 NATO trainers", "Kallas intervju Financial Times",
           "arms supply contracts billion euros", "Estlands premiärminister"]


def _chunks(data):
    build = store.read_manifest(data)["current"]
    return store.build_dir(data, build) / BM25_DIR, store.load_build(data, build)[1]


def test_ingest_saves_bm25_and_the_loaded_index_ranks_like_a_rebuilt_one(seeds_index):
    folder, chunks = _chunks(seeds_index)
    assert (folder / "chunk_ids.json").is_file()
    loaded, rebuilt = LexicalIndex.load(folder, chunks), LexicalIndex(chunks)
    for q in QUERIES:
        got, want = loaded.query(q, 10), rebuilt.query(q, 10)
        assert got and [c for c, _ in got] == [c for c, _ in want]
        assert [round(s, 5) for _, s in got] == [round(s, 5) for _, s in want]
    snap = load_snapshot(Settings.from_env(data_dir=seeds_index))
    assert snap.lexical.query(QUERIES[0], 5) == loaded.query(QUERIES[0], 5)


def test_load_reads_the_saved_files(tmp_path, seeds_index):
    _, chunks = _chunks(seeds_index)
    # an index saved for the same ids but other texts: load must answer from those files
    renamed = [dataclasses.replace(c, text="zyxwvut " + c.text) if i == 0 else c
               for i, c in enumerate(chunks)]
    LexicalIndex(renamed).save(tmp_path / "bm25")
    hits = LexicalIndex.load(tmp_path / "bm25", chunks).query("zyxwvut", 5)
    assert [c for c, _ in hits] == [chunks[0].id]


def test_stale_missing_or_torn_saved_index_is_rebuilt(tmp_path, seeds_index):
    folder, chunks = _chunks(seeds_index)
    fewer = chunks[1:]
    stale = LexicalIndex.load(folder, fewer)  # saved for other chunks
    assert chunks[0].id not in {c for q in QUERIES for c, _ in stale.query(q, 50)}
    missing = LexicalIndex.load(tmp_path / "nothing-here", chunks)
    assert missing.query(QUERIES[0], 10) == LexicalIndex(chunks).query(QUERIES[0], 10)
    LexicalIndex(chunks).save(tmp_path / "torn")
    for f in (tmp_path / "torn").glob("*.npy"):
        f.write_bytes(f.read_bytes()[:10])
    torn = LexicalIndex.load(tmp_path / "torn", chunks)
    assert torn.query(QUERIES[0], 10) == LexicalIndex(chunks).query(QUERIES[0], 10)
