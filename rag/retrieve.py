"""Hybrid retrieval: dense (E5 via Chroma) + lexical (BM25 on stems), fused with
reciprocal rank fusion; near-duplicate chunks (e.g. a translation of another article)
folded into one slot, and at most `per_source` chunks from one article.

Near duplicates stay available as corroborating sources (`Hit.duplicates`): evidence
selection reads their sentences too, so a translated article still counts as a second
outlet — it just does not push a different chunk out of the top k.
"""

from __future__ import annotations

import numpy as np

from rag.snapshot import Snapshot
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


def retrieve(snap: Snapshot, text: str, qvec: np.ndarray, k: int,
             per_source: int = 3) -> list[Hit]:
    dense = [cid for cid, _ in snap.vectors.query(qvec.tolist(), CANDIDATES)]
    lexical = [cid for cid, _ in snap.lexical.query(text, CANDIDATES)]
    fused = rrf({"dense": dense, "lexical": lexical})
    order = sorted(fused, key=lambda cid: (-fused[cid][0], cid))
    kept: list[Hit] = []
    per_doc: dict[str, int] = {}
    for cid in order:
        if cid not in snap.chunks:
            continue
        chunk = snap.chunks[cid]
        dup_of = next((i for i, h in enumerate(kept) if near_duplicate(snap, h.chunk.id, cid)),
                      None)
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
