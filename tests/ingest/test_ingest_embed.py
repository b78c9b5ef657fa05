"""Ingest's embedding pass: one pass over chunks and sentences, batched by size, each text
once, a progress bar in articles — and the same vectors as embedding each text on its own
(stored indexes are reused for unchanged chunks, so the vectors must not move).
Real Chroma, the real embedder."""

import re
import shutil

import numpy as np
import pytest
from index_helpers import RecordingEmbedder

from rag.config import Settings
from rag.index.snapshot import load_snapshot
from rag.ingest.build import ingest


@pytest.fixture()
def settings(tmp_path):
    return Settings.from_env(data_dir=tmp_path / "data")


def test_ingested_vectors_equal_embedding_each_text_alone(settings, corpus, embedder):
    ingest([corpus], settings, embedder, progress=False)
    snap = load_snapshot(settings)
    ids = sorted(snap.chunks)
    stored = snap.vectors.embeddings(ids)
    texts = [snap.chunks[i].text for i in ids] + [s.text for s in snap.sentences]
    got = np.stack([stored[i] for i in ids] + list(snap.sentence_vecs))
    alone = np.concatenate([embedder.embed_passages([t]) for t in texts])
    cos = np.sum(got * alone, axis=1) / (np.linalg.norm(got, axis=1)
                                         * np.linalg.norm(alone, axis=1))
    assert len(texts) > 100 and cos.min() >= 0.9999, (cos.min(), texts[int(cos.argmin())])


def test_each_distinct_text_is_embedded_once(settings, corpus, embedder):
    # a copied article (a wire story run twice): its chunks and sentences are the same texts
    src = sorted(corpus.glob("*.txt"))[0]
    shutil.copy(src, corpus / ("copy_of_" + src.name))
    rec = RecordingEmbedder(embedder)
    report = ingest([corpus], settings, rec, progress=False)
    assert report.docs == 6
    assert len(rec.texts) == len(set(rec.texts)), "a text went through the model twice"
    snap = load_snapshot(settings)
    needed = {c.text for c in snap.chunks.values()} | {s.text for s in snap.sentences}
    assert set(rec.texts) == needed
    a, b = src.stem, "copy_of_" + src.stem
    rows = {d: [i for i, s in enumerate(snap.sentences) if s.doc_id == d] for d in (a, b)}
    assert len(rows[a]) == len(rows[b]) > 3
    assert np.array_equal(snap.sentence_vecs[rows[a]], snap.sentence_vecs[rows[b]])


def test_progress_bar_shows_articles_per_second_and_an_eta(settings, corpus, embedder,
                                                           capsys):
    ingest([corpus], settings, embedder, progress=True)
    err = capsys.readouterr().err
    bars = [line for line in re.split(r"[\r\n]", err) if line.startswith("embedding")]
    assert bars, err[-2000:]
    assert re.search(r"\b5/5 articles \[\d\d:\d\d<00:00, +[\d.]+ articles/s\]", bars[-1]), bars
    # while it runs the ETA is a time, not '?'
    assert any(re.search(r"\b[1-4]/5 articles \[\d\d:\d\d<\d\d:\d\d,", b) for b in bars), bars


@pytest.mark.parametrize("lengths,limit", [([5] * 10, 12), ([1, 30, 1, 1, 1], 10), ([], 5),
                                           ([7], 3)])
def test_batches_cover_every_text_once_within_the_size(lengths, limit):
    from rag.ingest.build import embed_batches

    texts = ["x" * n for n in lengths]
    ranges = list(embed_batches(texts, limit))
    assert [i for a, b in ranges for i in range(a, b)] == list(range(len(texts)))
    for a, b in ranges:
        assert b > a and (b - a == 1 or sum(lengths[a:b]) <= limit)
