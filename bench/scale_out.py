"""Scale-out: what server mode (the whole index in a Chroma server) costs against embedded
mode on the same synthetic corpus and stand-in embedder, measured in one run.

    .venv/bin/python bench/scale_out.py                 # 1,000 chunks
    .venv/bin/python bench/scale_out.py --chunks 10000

Rows: ingest (embedded, then server: chunk vectors, the build's files and the manifest
into `chroma run` on 127.0.0.1), the build's files as stored in the server, a cold snapshot
load on an app host with an empty cache (everything fetched), a warm one (cache filled),
and how long after a re-ingest process exits an app process that was already serving
answers from the new build (its holder polls every FACTCHECK_INDEX_POLL_S = 1 s; the
re-ingest is a `factcheck ingest` process changing one article). The
embedder is `bench/scale.py`'s hashed bag of words: the model's time is not measured
(it is the same in both modes). Writes bench/results/scale_out.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import ChromaServer, HashEmbedder  # noqa: E402
from synth import generate  # noqa: E402


def timed(f):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chunks", type=int, default=1000)
    a = ap.parse_args()
    from rag.config import Settings
    from rag.index.server import ChromaStore
    from rag.index.snapshot import SnapshotHolder, load_snapshot
    from rag.ingest.build import ingest

    rows: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        articles = generate(work / "corpus", a.chunks)
        emb = HashEmbedder()
        generate(work / "warm", 1, articles=1)  # imports and first calls are not ingest
        warm = Settings(data_dir=work / "warm-data")
        ingest([work / "warm"], warm, emb, progress=False)
        load_snapshot(warm)
        local = Settings(data_dir=work / "embedded")
        rep, rows["ingest_embedded_s"] = timed(lambda: ingest([work / "corpus"], local, emb,
                                                              progress=False))
        _, rows["load_embedded_s"] = timed(lambda: load_snapshot(local))
        server = ChromaServer(work / "srv")
        try:
            writer = Settings(data_dir=work / "w", chroma_url=server.url)
            _, rows["ingest_server_s"] = timed(lambda: ingest([work / "corpus"], writer, emb,
                                                              progress=False))
            app = Settings(data_dir=work / "app", chroma_url=server.url)
            st = ChromaStore(app)
            build = st.read_manifest()["current"]
            _, rows["load_server_cold_s"] = timed(lambda: load_snapshot(app))
            files = st.fetch(build)
            rows["build_files_mb"] = sum(p.stat().st_size for p in files.iterdir()
                                         if p.is_file() and p.suffix != ".tar") / 1e6
            _, rows["load_server_warm_s"] = timed(lambda: load_snapshot(app))
            holder = SnapshotHolder(app)
            old = holder.get().build_id
            first = sorted((work / "corpus").iterdir())[0]
            first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n",
                             encoding="utf-8")
            env = {**os.environ, "FACTCHECK_CHROMA_URL": server.url,
                   "FACTCHECK_DATA_DIR": str(work / "w2")}
            subprocess.run([sys.executable, "-m", "ui.cli", "ingest", "--quiet",
                            str(work / "corpus")], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            done = time.perf_counter()
            while holder.get().build_id == old:
                time.sleep(0.02)
            rows["switch_after_ingest_s"] = time.perf_counter() - done
            rows["chroma_server_peak_mb"] = server.peak_rss_mb()
        finally:
            server.stop()
    rows["server_over_embedded_ingest"] = rows["ingest_server_s"] / rows["ingest_embedded_s"]
    result = {"articles": articles, "chunks": rep.chunks, **rows}
    for k, v in result.items():
        print(f"{k:30s} {v:10.3f}" if isinstance(v, float) else f"{k:30s} {v:10d}")
    out = ROOT / "bench" / "results" / "scale_out.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
