"""Which of the articles behind an answer are one article: a translation, or a copy run
by another outlet. Aggregation counts such editions as one source (issue 16, point 4):
the Swedish translation of an English article repeats it, it does not confirm it, and
two copies of one story cannot make a conflict or a "more sources agree" confidence.

Two articles are editions of one when nearly every sentence of each has a near-twin in
the other: passage embeddings (multilingual, so across languages too) with cosine at
least `TWIN_COSINE`, for at least `TWIN_SHARE` of the sentences in both directions.
Measured on the seeds: the Swedish article and its English original 0.94 / 0.94; the
English articles on the same interview by different outlets at most 0.65 / 0.60.

Only the articles of one answer are compared (a handful), so the cost does not grow
with the index; pairs are cached per build.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from rag.index.snapshot import Snapshot

TWIN_COSINE = 0.9
TWIN_SHARE = 0.8
_CACHE_MAX = 20_000


class Editions:
    """`group(snap, doc_ids)` -> each doc id mapped to its edition's representative (the
    smallest id of the group)."""

    def __init__(self) -> None:
        self._build = ""
        self._rows: dict[str, np.ndarray] = {}
        self._pairs: dict[tuple[str, str], bool] = {}

    def _reset(self, snap: Snapshot) -> None:
        by_doc: dict[str, list[int]] = {}
        for i, s in enumerate(snap.sentences):
            by_doc.setdefault(s.doc_id, []).append(i)
        self._rows = {d: np.asarray(ix, dtype=np.int64) for d, ix in by_doc.items()}
        self._pairs = {}
        self._build = snap.build_id

    def same(self, snap: Snapshot, a: str, b: str) -> bool:
        if snap.build_id != self._build:
            self._reset(snap)
        key = (a, b) if a < b else (b, a)
        if key not in self._pairs:
            if len(self._pairs) > _CACHE_MAX:
                self._pairs = {}
            self._pairs[key] = self._twins(snap, *key)
        return self._pairs[key]

    def _twins(self, snap: Snapshot, a: str, b: str) -> bool:
        ra, rb = self._rows.get(a), self._rows.get(b)
        if ra is None or rb is None or not len(ra) or not len(rb):
            return False
        sims = snap.sentence_vecs[ra] @ snap.sentence_vecs[rb].T
        return bool((sims.max(axis=1) >= TWIN_COSINE).mean() >= TWIN_SHARE
                    and (sims.max(axis=0) >= TWIN_COSINE).mean() >= TWIN_SHARE)

    def group(self, snap: Snapshot, doc_ids: Iterable[str]) -> dict[str, str]:
        ids = sorted(set(doc_ids))
        rep = {d: d for d in ids}
        for i, a in enumerate(ids):
            if rep[a] != a:
                continue  # already an edition of an earlier one
            for b in ids[i + 1:]:
                if rep[b] == b and self.same(snap, a, b):
                    rep[b] = a
        return rep
