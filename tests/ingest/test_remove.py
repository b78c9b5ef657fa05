"""`factcheck remove ID…`: an article leaves the index whatever folder it came from; the
others stay untouched (no re-embedding); unknown ids are a clear error (exit 2)."""

import json
import shutil

from conftest import SEEDS, run_cli
from index_helpers import assert_consistent, read_index

from rag.config import Settings
from rag.ingest.build import ingest


def test_remove_one_article_of_two_folders(tmp_path, embedder):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, name in ((a, "001_0f2719b2d72ad6a5"), (b, "003_fd4e6618132d0377")):
        folder.mkdir()
        shutil.copy(SEEDS / f"{name}.txt", folder)
    data = tmp_path / "data"
    settings = Settings.from_env(data_dir=data)
    ingest([a], settings, embedder, progress=False)
    ingest([b], settings, embedder, progress=False)
    kept = read_index(data)

    bad = run_cli("remove", "--data-dir", str(data), "001_0f2719b2d72ad6a5", "nope")
    assert bad.returncode == 2 and "not in the index: nope" in bad.stderr, bad.stderr
    assert read_index(data).build == kept.build  # nothing was removed

    out = run_cli("remove", "--data-dir", str(data), "001_0f2719b2d72ad6a5")
    assert out.returncode == 0, out.stderr
    assert "1 docs" in out.stdout and " 0 added" in out.stdout
    state = read_index(data)
    assert_consistent(state, {"003_fd4e6618132d0377": (b / "003_fd4e6618132d0377.txt")
                              .read_text("utf-8")})
    assert {c for c in state.chunks} == {c for c, ch in kept.chunks.items()
                                         if ch.doc_id == "003_fd4e6618132d0377"}
    listing = json.loads(run_cli("sources", "--json", "--data-dir", str(data)).stdout)
    assert [r["id"] for r in listing["sources"]] == ["003_fd4e6618132d0377"]
