import pytest
import tiktoken
from conftest import SEEDS

from rag.ingest.chunk import chunk_document
from rag.ingest.sources import build_document


def _docs():
    return [build_document(p.stem, p.read_text(encoding="utf-8")) for p in sorted(
        SEEDS.glob("*.txt"))]


@pytest.mark.parametrize("max_tokens", [40, 160, 400])
def test_offsets_round_trip_and_token_bound(max_tokens):
    enc = tiktoken.get_encoding("cl100k_base")  # the oracle: tiktoken itself
    for doc in _docs():
        chunks = chunk_document(doc, max_tokens)
        assert chunks, doc.id
        for c in chunks:
            assert doc.text[c.start:c.end] == c.text
            assert len(enc.encode(c.text, disallowed_special=())) == c.tokens <= max_tokens


def test_chunks_never_include_boilerplate_or_titles():
    for doc in _docs():
        bad = [s for s in doc.spans if s.kind != "body"]
        for c in chunk_document(doc, 160):
            for s in bad:
                assert s.end <= c.start or s.start >= c.end, (doc.id, s, c.text[:60])


def test_ids_are_stable_content_hashes():
    a = [c.id for d in _docs() for c in chunk_document(d, 160)]
    b = [c.id for d in _docs() for c in chunk_document(d, 160)]
    assert a == b and len(set(a)) == len(a)


def test_overlap_shares_a_sentence_between_neighbours():
    doc = _docs()[3]  # the longest seed
    chunks = chunk_document(doc, 60, overlap=1)
    overlaps = [a.end > b.start for a, b in zip(chunks, chunks[1:], strict=False) if a.end <= b.end]
    assert any(overlaps)


def test_long_sentence_and_special_tokens_are_bounded():
    text = "Headline\n\n" + ("word <|endoftext|> " * 300).strip() + "."
    doc = build_document("x", text)
    chunks = chunk_document(doc, 50)
    assert len(chunks) > 5
    for c in chunks:
        assert text[c.start:c.end] == c.text and c.tokens <= 50
