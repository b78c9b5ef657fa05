"""Crash safety: an ingest killed part-way leaves the previous build answering, and a
re-run completes. A real subprocess, killed with SIGKILL at a test hook."""

import signal

import pytest
from conftest import run_cli

from rag import store
from rag.config import Settings
from rag.pipeline import FactChecker

QUESTION = "Would an attack on NATO trainers automatically trigger Article 5?"


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["embed_batch", "before_manifest", "after_manifest"])
def test_killed_ingest_leaves_previous_index_usable(tmp_path, corpus, embedder, kill_at):
    data = tmp_path / "data"
    assert run_cli("ingest", "--quiet", "--data-dir", str(data), str(corpus)).returncode == 0
    old_build = store.read_manifest(data)["current"]
    settings = Settings.from_env(data_dir=data)
    from rag.judge import OfflineJudge

    before = FactChecker(settings, embedder, OfflineJudge()).ask(QUESTION)

    f = corpus / "002_02562407c6cc2ec0.txt"
    f.write_text(f.read_text("utf-8") + "\nA new closing sentence about Estonia.\n", "utf-8")
    killed = run_cli("ingest", "--quiet", "--data-dir", str(data), str(corpus),
                     env={"FACTCHECK_TEST_KILL_AT": kill_at})
    assert killed.returncode == -signal.SIGKILL

    current = store.read_manifest(data)["current"]
    if kill_at == "after_manifest":
        assert current != old_build  # the switch had happened: the new build is complete
    else:
        assert current == old_build
    after = FactChecker(settings, embedder, OfflineJudge()).ask(QUESTION)
    assert after.verdict == before.verdict == "refuted"
    assert after.citations and all(c.quote for c in after.citations)

    rerun = run_cli("ingest", "--quiet", "--data-dir", str(data), str(corpus))
    assert rerun.returncode == 0, rerun.stderr
    final = store.read_manifest(data)["current"]
    docs, chunks = store.load_build(data, final)
    assert any("A new closing sentence" in d.text for d in docs)
    # leftovers of the crashed run are cleaned: only current and previous remain
    assert set(store.list_build_dirs(data)) <= {final, store.read_manifest(data)["previous"]}
