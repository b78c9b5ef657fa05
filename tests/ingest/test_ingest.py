"""Ingest: incremental, idempotent, atomic, one writer at a time — with real Chroma and
the real embedder."""

import json

import numpy as np
import pytest
from conftest import SEEDS, run_cli
from index_helpers import RecordingEmbedder

from rag.config import Settings
from rag.errors import ConfigError, IndexLockedError
from rag.index import store
from rag.index.snapshot import load_snapshot
from rag.ingest.build import ingest


@pytest.fixture()
def settings(tmp_path):
    return Settings.from_env(data_dir=tmp_path / "data")


def _chunk_ids(settings):
    snap = load_snapshot(settings)
    return {c.id: c for c in snap.chunks.values()}


def test_reingest_adds_nothing_and_embeds_nothing(settings, corpus, embedder):
    counting = RecordingEmbedder(embedder)
    first = ingest([corpus], settings, counting, progress=False)
    assert first.docs == 5 and first.added == first.chunks > 0
    embedded = len(counting.texts)
    again = ingest([corpus], settings, counting, progress=False)
    assert (again.added, again.removed, again.changed) == (0, 0, False)
    assert again.build_id == first.build_id
    assert len(counting.texts) == embedded


def test_changed_file_replaces_exactly_its_chunks(settings, corpus, embedder):
    counting = RecordingEmbedder(embedder)
    ingest([corpus], settings, counting, progress=False)
    before = _chunk_ids(settings)
    target = corpus / "004_797c8833192f9c9f.txt"
    target.write_text(target.read_text("utf-8").replace("97 NATO", "98 NATO"), "utf-8")
    counting.texts.clear()
    report = ingest([corpus], settings, counting, progress=False)
    after = _chunk_ids(settings)
    others_before = {i for i, c in before.items() if c.doc_id != target.stem}
    others_after = {i for i, c in after.items() if c.doc_id != target.stem}
    assert others_before == others_after
    changed_before = {i for i, c in before.items() if c.doc_id == target.stem}
    changed_after = {i for i, c in after.items() if c.doc_id == target.stem}
    assert changed_before != changed_after
    assert report.added == len(changed_after - changed_before)
    assert report.removed == len(changed_before - changed_after)
    # only the new chunks and the changed sentence were embedded
    assert 0 < len(counting.texts) <= report.added + 3
    snap = load_snapshot(settings)
    assert snap.vectors.count() == len(after)
    assert any("98 NATO" in c.text for c in after.values())


def test_prune_removes_deleted_files(settings, corpus, embedder):
    ingest([corpus], settings, embedder, progress=False)
    (corpus / "003_fd4e6618132d0377.txt").unlink()
    kept = ingest([corpus], settings, embedder, progress=False)
    assert kept.docs == 5  # without --prune nothing is removed
    pruned = ingest([corpus], settings, embedder, prune=True, progress=False)
    assert pruned.docs == 4 and pruned.removed > 0
    assert "003_fd4e6618132d0377" not in load_snapshot(settings).docs


def test_prune_keeps_the_indexed_version_of_a_file_that_became_unreadable(settings, corpus,
                                                                          embedder):
    ingest([corpus], settings, embedder, progress=False)
    before = load_snapshot(settings).docs["003_fd4e6618132d0377"].text
    (corpus / "003_fd4e6618132d0377.txt").write_bytes(b"\x00corrupt")  # there, not deleted
    (corpus / "002_02562407c6cc2ec0.txt").unlink()  # deleted
    report = ingest([corpus], settings, embedder, prune=True, progress=False)
    assert report.partial and report.docs == 4
    (why,) = [s.reason for s in report.skipped if "003_" in s.path]
    assert "indexed version is kept" in why
    docs = load_snapshot(settings).docs
    assert docs["003_fd4e6618132d0377"].text == before and "002_02562407c6cc2ec0" not in docs


def test_prune_with_a_missing_path_changes_nothing(settings, corpus, embedder, tmp_path):
    first = ingest([corpus], settings, embedder, progress=False)
    with pytest.raises(ConfigError, match="missing"):
        ingest([corpus, tmp_path / "no-such-folder"], settings, embedder, prune=True,
               progress=False)
    assert store.read_manifest(settings.data_dir)["current"] == first.build_id


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_an_unusable_data_dir_is_a_clear_error(tmp_path, corpus, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder", encoding="utf-8")
    data = blocker if where == "a file" else blocker / "data"
    out = run_cli("--data-dir", str(data), "ingest", "--quiet", str(corpus))
    assert out.returncode == 2 and "cannot use" in out.stderr and "Traceback" not in out.stderr


def test_bad_file_is_skipped_with_reason_and_batch_goes_on(settings, corpus, embedder):
    (corpus / "zz_latin1.txt").write_bytes(b"caf\xe9 au lait")
    (corpus / "zz_empty.txt").write_bytes(b"")
    report = ingest([corpus], settings, embedder, progress=False)
    assert report.docs == 5 and report.partial
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert "UTF-8" in reasons["zz_latin1.txt"] and "empty" in reasons["zz_empty.txt"]


def test_cli_partial_exit_and_message(tmp_path, corpus):
    (corpus / "zz_bin.txt").write_bytes(b"\x00\x00\x00")
    out = run_cli("--data-dir", str(tmp_path / "d"), "ingest", "--quiet", str(corpus))
    assert out.returncode == 1
    assert "partial" in out.stdout and "binary" in out.stderr


def test_second_writer_fails_fast_with_message(settings, corpus, embedder):
    from dataclasses import replace

    from filelock import FileLock

    settings = replace(settings, lock_timeout_s=0.2)
    settings.data_dir.mkdir(parents=True)
    with FileLock(str(settings.data_dir / ".write.lock")), \
            pytest.raises(IndexLockedError, match="another process is writing"):
        ingest([corpus], settings, embedder, progress=False)


def test_persistence_across_processes_and_sources_listing(tmp_path):
    data = str(tmp_path / "d")
    assert run_cli("ingest", "--quiet", "--data-dir", data, str(SEEDS)).returncode == 0
    out = run_cli("sources", "--json", "--data-dir", data)
    assert out.returncode == 0, out.stderr
    listing = json.loads(out.stdout)["sources"]
    assert {r["id"] for r in listing} == {p.stem for p in SEEDS.glob("*.txt")}
    assert all(r["title"] and r["lang"] in ("en", "sv") and r["chunks"] > 0 for r in listing)


def test_sentence_vectors_are_stored_for_every_body_sentence(seeds_index):
    build = store.read_manifest(seeds_index)["current"]
    keys, vecs = store.load_sentences(seeds_index, build)
    assert len(keys) == vecs.shape[0] > 50
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)


def test_swedish_query_finds_the_english_article5_fact_box(checker):
    from rag.query.retrieve import retrieve

    snap = checker.snapshot()
    q = "Vad innebär Artikel 5 i Nordatlantiska fördraget?"
    hits = retrieve(snap, q, checker.embedder.embed_queries([q])[0], k=8)
    top3 = [h.chunk for h in hits[:3]]
    box_start = snap.docs["003_fd4e6618132d0377"].text.index("Article 5 of the North Atlantic")
    assert any(c.doc_id.startswith("003") and c.start >= box_start for c in top3), \
        [c.text[:60] for c in top3]
