"""`factcheck chat` end to end: the real command serves the UI and the API on the port it
is given (127.0.0.1 by default), and refuses to start without an index or with bad auth."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from conftest import ROOT, run_cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a listening TCP socket on `port` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        addr, hexport = local.split(":")
        if state == "0A" and int(hexport, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(addr)[::-1]))
    return found


def test_chat_without_an_index_exits_3(tmp_path):
    out = run_cli("chat", "--data-dir", str(tmp_path / "none"), "--port", str(free_port()),
                  timeout=120)
    assert out.returncode == 3 and "factcheck ingest" in out.stderr


def test_chat_with_malformed_auth_exits_2(seeds_index):
    out = run_cli("chat", "--data-dir", str(seeds_index), "--port", str(free_port()),
                  env={"FACTCHECK_AUTH": "no-colon"}, timeout=120)
    assert out.returncode == 2 and "user:password" in out.stderr


@pytest.mark.slow
def test_chat_serves_ui_and_api_on_loopback(seeds_index):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "chat", "--data-dir",
                             str(seeds_index), "--port", str(port)], cwd=ROOT,
                            env={**os.environ, "FACTCHECK_AUTH": ""},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "factcheck chat did not come up"
            time.sleep(0.5)
        assert requests.get(f"{url}/", timeout=10).status_code == 200
        r = requests.post(f"{url}/api/ask", timeout=60, json={
            "query": "Does Estonia need parliamentary approval to train Ukrainian soldiers?"})
        assert r.json()["verdict"] == "supported"
        assert listening_addresses(port) == {"127.0.0.1"}  # loopback only
    finally:
        proc.terminate()
        proc.wait(30)


def test_gradio_is_at_or_above_the_last_security_fix():
    # GHSA-j36p-7w88-g82j (path traversal, fixed in 6.16.0) is the latest gradio advisory
    # we know of; a downgrade below it must not go unnoticed.
    from importlib.metadata import version

    from packaging.version import Version

    assert Version(version("gradio")) >= Version("6.16.0")
