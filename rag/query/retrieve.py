"""Hybrid retrieval: dense (E5 via Chroma) + lexical (BM25 on stems), fused with
reciprocal rank fusion; near-duplicate chunks (e.g. a translation of another article)
folded into one slot, and at most `per_source` chunks from one article.

Near duplicates stay available as corroborating sources (`Hit.duplicates`): evidence
selection reads their sentences too, so a translated article still counts as a second
outlet — it just does not push a different chunk out of the top k.
"""

from __future__ import annotations

import numpy as np

from rag.index.snapshot import Snapshot
from rag.types import Hit

RRF_K = 60
CANDIDATES = 24
DUP_SENTENCE_COS = 0.90  # translation pairs measure 0.86-0.94 with multilingual-e5-small
DUP_FRACTION = 0.7


def rrf(rankings: dict[str, list[str]]) -> dict[str, tuple[float, tuple[str, ...]]]:
    """Reciprocal rank fusion: id -> (score, which rankings found it)."""
    fused: dict[str, tuple[float, tuple[str, ...]]] = {}
    for name, ids in rankings.items():
        for rank, cid in enumerate(ids):
            score, found = fused.get(cid, (0.0, ()))
            fused[cid] = (score + 1.0 / (RRF_K + rank + 1), (*found, name))
    return fused


def near_duplicate(snap: Snapshot, a: str, b: str) -> bool:
    ia, ib = snap.by_chunk.get(a, []), snap.by_chunk.get(b, [])
    if not ia or not ib or snap.chunks[a].doc_id == snap.chunks[b].doc_id:
        return False
    sims = snap.sentence_vecs[ia] @ snap.sentence_vecs[ib].T
    covered_a = float(np.mean(sims.max(axis=1) >= DUP_SENTENCE_COS))
    covered_b = float(np.mean(sims.max(axis=0) >= DUP_SENTENCE_COS))
    return min(covered_a, covered_b) >= DUP_FRACTION


def _duplicate_of(snap: Snapshot, kept: list[Hit], cid: str) -> int | None:
    """The first kept hit that `cid` is a near duplicate of (`near_duplicate`), with one
    matrix product against all kept hits' sentences instead of one per pair (the pairwise
    loop was ~40% of `retrieve` in bench/scale.py's profile)."""
    ib = snap.by_chunk.get(cid, [])
    if not ib:
        return None
    doc = snap.chunks[cid].doc_id
    blocks = [(n, snap.by_chunk.get(h.chunk.id, [])) for n, h in enumerate(kept)
              if h.chunk.doc_id != doc]
    blocks = [(n, ia) for n, ia in blocks if ia]
    if not blocks:
        return None
    rows = [i for _, ia in blocks for i in ia]
    sims = snap.sentence_vecs[rows] @ snap.sentence_vecs[ib].T
    row_hit = sims.max(axis=1) >= DUP_SENTENCE_COS
    pos = 0
    for n, ia in blocks:
        block = sims[pos:pos + len(ia)]
        covered_a = np.count_nonzero(row_hit[pos:pos + len(ia)]) / len(ia)
        covered_b = np.count_nonzero(block.max(axis=0) >= DUP_SENTENCE_COS) / len(ib)
        if min(covered_a, covered_b) >= DUP_FRACTION:
            return n
        pos += len(ia)
    return None


def retrieve(snap: Snapshot, text: str, qvec: np.ndarray, k: int,
             per_source: int = 3, dense_search: bool = True) -> list[Hit]:
    """`dense_search=False`: lexical only (the engine's fallback when the vector store
    fails mid-session; the sentence vectors are local, so evidence selection still works)."""
    dense = [cid for cid, _ in snap.vectors.query(qvec.tolist(), CANDIDATES)] \
        if dense_search else []
    lexical = [cid for cid, _ in snap.lexical.query(text, CANDIDATES)]
    fused = rrf({"dense": dense, "lexical": lexical})
    order = sorted(fused, key=lambda cid: (-fused[cid][0], cid))
    kept: list[Hit] = []
    per_doc: dict[str, int] = {}
    for cid in order:
        if cid not in snap.chunks:
            continue
        chunk = snap.chunks[cid]
        dup_of = _duplicate_of(snap, kept, cid)
        if dup_of is not None:
            h = kept[dup_of]
            kept[dup_of] = Hit(h.chunk, h.score, h.retrievers, (*h.duplicates, cid))
            continue
        if per_doc.get(chunk.doc_id, 0) >= per_source or len(kept) >= k:
            continue
        per_doc[chunk.doc_id] = per_doc.get(chunk.doc_id, 0) + 1
        score, found = fused[cid]
        kept.append(Hit(chunk, score, found))
    return kept
