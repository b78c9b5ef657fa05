"""Near-duplicate folding in `retrieve`: the batched check (`_duplicate_of`, one matrix
product per candidate) finds exactly the hit the pairwise definition (`near_duplicate`)
finds first, on the seed index (which holds a Swedish translation of an English article,
so real duplicates exist)."""

from rag.config import Settings
from rag.index.snapshot import load_snapshot
from rag.query.retrieve import _duplicate_of, near_duplicate
from rag.types import Hit


def test_batched_duplicate_check_agrees_with_the_pairwise_definition(seeds_index):
    snap = load_snapshot(Settings.from_env(data_dir=seeds_index))
    chunks = sorted(snap.chunks.values(), key=lambda c: c.id)
    found = 0
    for shift in (0, 5, 11):  # several orders of the kept list
        kept = [Hit(c, 0.0, ("dense",)) for c in chunks[shift:] + chunks[:shift]]
        for c in chunks:
            want = next((i for i, h in enumerate(kept) if near_duplicate(snap, h.chunk.id, c.id)),
                        None)
            assert _duplicate_of(snap, kept, c.id) == want, c.id
            found += want is not None
    assert found > 0  # the translation pair makes some: otherwise this test shows nothing
    assert _duplicate_of(snap, [], chunks[0].id) is None
