"""The same ingest and query path against a real Chroma server (`chroma run`) on
127.0.0.1, selected by FACTCHECK_CHROMA_URL."""

import pytest
from conftest import SEEDS, run_cli
from index_helpers import chroma_run, free_port


@pytest.fixture()
def chroma_server(tmp_path):
    port = free_port()
    with chroma_run(tmp_path / "chroma-server", port):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_ingest_and_ask_through_a_chroma_server(tmp_path, chroma_server):
    env = {"FACTCHECK_CHROMA_URL": chroma_server, "FACTCHECK_DATA_DIR": str(tmp_path / "d")}
    out = run_cli("ingest", "--quiet", str(SEEDS), env=env)
    assert out.returncode == 0, out.stderr
    again = run_cli("ingest", "--quiet", str(SEEDS), env=env)
    assert "0 added" in again.stdout
    ask = run_cli("ask", "--json", "Would an attack on NATO trainers automatically trigger "
                  "Article 5?", env=env)
    assert ask.returncode == 0, ask.stderr
    assert '"verdict": "refuted"' in ask.stdout
    assert not (tmp_path / "d" / "chroma").exists()  # nothing went to the embedded store
    assert not (tmp_path / "d" / "manifest.json").exists()  # nor the manifest: it is a cache


@pytest.mark.slow
def test_unreachable_chroma_server_is_a_clear_error(tmp_path):
    env = {"FACTCHECK_CHROMA_URL": f"http://127.0.0.1:{free_port()}",
           "FACTCHECK_DATA_DIR": str(tmp_path / "d")}
    out = run_cli("ingest", "--quiet", str(SEEDS), env=env)
    assert out.returncode == 3
    assert "cannot reach the Chroma server" in out.stderr and "Traceback" not in out.stderr
