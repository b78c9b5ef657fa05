"""The same ingest and query path against a real Chroma server (`chroma run`) on
127.0.0.1, selected by FACTCHECK_CHROMA_URL."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEEDS, run_cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path):
    port = _free_port()
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path / "chroma-server"),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("chroma run did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


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


@pytest.mark.slow
def test_unreachable_chroma_server_is_a_clear_error(tmp_path):
    env = {"FACTCHECK_CHROMA_URL": f"http://127.0.0.1:{_free_port()}",
           "FACTCHECK_DATA_DIR": str(tmp_path / "d")}
    out = run_cli("ingest", "--quiet", str(SEEDS), env=env)
    assert out.returncode == 3
    assert "cannot reach the Chroma server" in out.stderr and "Traceback" not in out.stderr
