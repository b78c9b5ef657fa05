"""The server's console (issue 17, point 4, and issue 19): the real `factcheck chat`
subprocess logs one line per request (route, status, ms, verdict), a user's mistake is one
INFO line with no traceback, `--log-json` makes every line a JSON object, and no line
carries the question or claim a user sent. A busy port is refused with a message that names
`--port` (point 8)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
from conftest import ROOT

QUESTION = "Would a Russian attack that hurts NATO trainers automatically trigger Article 5?"
NO_CLAIM = "hello there, general kenobi"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(seeds_index, *extra: str) -> tuple[subprocess.Popen[str], str, int]:
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "chat", "--data-dir",
                             str(seeds_index), "--port", str(port), *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return proc, url, port
        except requests.ConnectionError:
            time.sleep(0.5)
    proc.kill()
    raise AssertionError("factcheck chat did not start")


def traffic(url: str) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    assert requests.post(f"{url}/api/ask", json={"query": QUESTION}, timeout=120).ok
    assert requests.post(f"{url}/api/ask", json={"query": ""}, timeout=30).status_code == 400
    assert requests.post(f"{url}/api/check", json={"text": NO_CLAIM},
                         timeout=60).status_code == 400
    assert requests.get(f"{url}/no/such/route", timeout=10).status_code == 404
    client = Client(f"{url}/", verbose=False, analytics_enabled=False)
    try:
        with pytest.raises(AppError):
            client.predict("", None, api_name="/ask")
        with pytest.raises(AppError):
            client.predict(NO_CLAIM, api_name="/check")
        assert client.predict(QUESTION, None, api_name="/ask")["verdict"]
    finally:
        client.close()


@pytest.fixture(scope="module")
def json_log(seeds_index) -> Iterator[list[str]]:
    proc, url, _ = start(seeds_index, "--log-json")
    try:
        traffic(url)
        time.sleep(0.5)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    yield err.splitlines()


def records(lines: list[str]) -> list[dict]:
    return [json.loads(ln) for ln in lines if ln.startswith("{")]


def test_log_json_is_one_json_object_per_line(json_log):
    body = [ln for ln in json_log if not ln.startswith("factcheck: chat UI on")]
    assert body and all(ln.startswith("{") for ln in body), body
    recs = records(json_log)
    asks = [r for r in recs if r.get("route") == "/api/ask"]
    assert [r["status"] for r in asks] == [200, 400]
    assert asks[0]["verdict"] == "refuted" and asks[0]["ms"] > 0 and asks[0]["method"] == "POST"
    assert asks[1]["error"] == "invalid_request_error" and asks[1]["level"] == "INFO"


def test_every_user_mistake_is_one_info_line_without_a_traceback(json_log):
    recs = records(json_log)
    assert not any("Traceback" in ln or "gradio.exceptions" in ln for ln in json_log)
    assert all(r["level"] == "INFO" for r in recs)
    by_route = {}
    for r in recs:
        by_route.setdefault(r["route"], []).append(r)
    assert [r["status"] for r in by_route["/api/check"]] == [400]
    assert [r["status"] for r in by_route["/no/such/route"]] == [404]
    assert [r["status"] for r in by_route["ui:/check"]] == ["user_error"]
    assert [r["status"] for r in by_route["ui:/ask"]] == ["user_error", "ok"]
    assert by_route["ui:/ask"][1]["verdict"] == "refuted"


def test_the_log_never_holds_what_the_user_sent(json_log):
    text = "\n".join(json_log)
    for sent in (QUESTION, "Russian attack", NO_CLAIM, "kenobi"):
        assert sent not in text


def test_text_log_is_one_line_per_request_and_no_traceback(seeds_index):
    proc, url, port = start(seeds_index)
    try:
        traffic(url)
        busy = subprocess.run([sys.executable, "-m", "ui.cli", "chat", "--data-dir",
                               str(seeds_index), "--port", str(port)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        time.sleep(0.5)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err and "gradio.exceptions" not in err, err[-3000:]
    lines = err.splitlines()
    assert sum(ln.startswith("factcheck: POST /api/ask 200 ") and "verdict=refuted" in ln
               for ln in lines) == 1
    assert sum(ln.startswith("factcheck: POST /api/ask 400 ") for ln in lines) == 1
    assert QUESTION not in err
    # the busy port: one line that says so and names --port, before any loading
    assert busy.returncode == 2
    assert f"port {port}" in busy.stderr and "--port" in busy.stderr
    assert "Traceback" not in busy.stderr and len(busy.stderr.strip().splitlines()) == 1
