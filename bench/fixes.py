"""Before/after of the fixes bench/scale.py's profile led to, measured in one process.

    .venv/bin/python bench/fixes.py [--chunks 10000] [--work /tmp/factcheck-fixes]

On a synthetic corpus (bench/synth.py) indexed with the hash embedder (bench/scale.py):
1. snapshot load: BM25 rebuilt from the chunks (before) vs read back from the build
   folder (after);
2. dense search: the collection count asked per query (before) vs once (after);
3. near-duplicate folding in `retrieve`: one small matrix product per (kept hit,
   candidate) pair (before) vs one per candidate (after), on the same fused candidates.
Each "before" is the old code path, run beside the new one on the same data.
Writes bench/results/fixes.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))


def best_of(fn, n: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chunks", type=int, default=10000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/factcheck-fixes"))
    a = ap.parse_args()
    from scale import HashEmbedder
    from synth import generate

    from rag.config import Settings
    from rag.index import store
    from rag.index.bm25 import BM25_DIR, LexicalIndex
    from rag.index.snapshot import load_snapshot
    from rag.ingest.build import ingest
    from rag.query.retrieve import CANDIDATES, _duplicate_of, near_duplicate, rrf
    from rag.types import Hit

    corpus, data = a.work / f"corpus-{a.chunks}", a.work / f"data-{a.chunks}"
    if not corpus.exists():
        generate(corpus, a.chunks)
    emb = HashEmbedder()
    settings = Settings(data_dir=data)
    ingest([corpus], settings, emb, progress=False)
    snap = load_snapshot(settings)
    build = store.read_manifest(data)["current"]
    _, chunks = store.load_build(data, build)
    res: dict[str, float] = {"chunks": len(chunks)}

    folder = store.build_dir(data, build) / BM25_DIR
    res["bm25_rebuild_s"] = best_of(lambda: LexicalIndex(chunks))
    res["bm25_load_s"] = best_of(lambda: LexicalIndex.load(folder, chunks))

    ids = sorted(snap.chunks)
    rng = np.random.default_rng(0)
    texts = [" ".join(snap.chunks[ids[i]].text.split()[2:14])
             for i in rng.choice(len(ids), 60, replace=False)]
    qvecs = emb.embed_queries(texts)
    col = snap.vectors

    def dense_before() -> None:
        for v in qvecs:
            col._count = None  # the old code asked Chroma for the count on every query
            col.query(v.tolist(), CANDIDATES)

    def dense_after() -> None:
        for v in qvecs:
            col.query(v.tolist(), CANDIDATES)

    res["dense_before_ms"] = best_of(dense_before) / len(qvecs) * 1000
    res["dense_after_ms"] = best_of(dense_after) / len(qvecs) * 1000

    orders = []
    for q, v in zip(texts, qvecs, strict=True):
        fused = rrf({"dense": [c for c, _ in col.query(v.tolist(), CANDIDATES)],
                     "lexical": [c for c, _ in snap.lexical.query(q, CANDIDATES)]})
        orders.append(sorted(fused, key=lambda c: (-fused[c][0], c)))

    def fold(batched: bool) -> list[list[str]]:
        out = []
        for order in orders:
            kept: list[Hit] = []
            for cid in order:
                if batched:
                    dup = _duplicate_of(snap, kept, cid)
                else:
                    dup = next((i for i, h in enumerate(kept)
                                if near_duplicate(snap, h.chunk.id, cid)), None)
                if dup is None and len(kept) < 8:
                    kept.append(Hit(snap.chunks[cid], 0.0, ()))
            out.append([h.chunk.id for h in kept])
        return out

    assert fold(True) == fold(False)
    res["dups_before_ms"] = best_of(lambda: fold(False)) / len(orders) * 1000
    res["dups_after_ms"] = best_of(lambda: fold(True)) / len(orders) * 1000

    print(f"{'fix':44} | {'before':>10} | {'after':>10} | speed-up")
    for name, before, after in (
            ("snapshot load: BM25 build vs saved (s)", "bm25_rebuild_s", "bm25_load_s"),
            ("dense search per query (ms)", "dense_before_ms", "dense_after_ms"),
            ("near-duplicate folding per query (ms)", "dups_before_ms", "dups_after_ms")):
        print(f"{name:44} | {res[before]:10.3f} | {res[after]:10.3f} | "
              f"{res[before] / res[after]:.1f}x")
    print(f"({len(chunks)} chunks, best of 3, hash embedder, same process and data)")
    out = ROOT / "bench" / "results" / "fixes.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
