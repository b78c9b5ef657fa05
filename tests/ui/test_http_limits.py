"""Limits on every route and every connection, against the real server as `launch` runs it
(`ui.server.uvicorn_config`: uvicorn with the header-deadline protocol, the full app with
the Gradio mount): bodies over 1 MB are 413 on Gradio's routes as on /api, malformed input
on /gradio_api/run/* and /gradio_api/api/* is a 4xx, slow headers and slow bodies are cut
off after a bounded time, HEAD /healthz answers like GET (issue 19, points 4 and 5).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from ui.limits import BODY_TIMEOUT_S, HEADER_TIMEOUT_S


@contextlib.contextmanager
def real_server(checker) -> Iterator[tuple[str, int]]:
    import uvicorn

    from ui.server import create_server, uvicorn_config

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(create_server(checker), port=port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def served(checker) -> Iterator[tuple[str, int]]:
    with real_server(checker) as s:
        yield s


BIG = b'{"data": ["' + b"a" * 1_500_000 + b'", []]}'
ROUTES = ["/gradio_api/call/ask", "/gradio_api/queue/join", "/gradio_api/run/ask",
          "/gradio_api/api/ask", "/api/ask", "/v1/chat/completions"]


@pytest.mark.parametrize("route", ROUTES)
def test_bodies_over_1mb_are_413_on_every_route(served, route):
    url, _ = served
    r = requests.post(url + route, data=BIG, timeout=30,
                      headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "request_too_large"
    # chunked, with no Content-Length to refuse up front: cut off as it passes the limit
    r = requests.post(url + route, data=(BIG[i:i + 65536] for i in range(0, len(BIG), 65536)),
                      timeout=30, headers={"content-type": "application/json"})
    assert r.status_code == 413
    ok = requests.get(url + "/healthz", timeout=10)
    assert ok.status_code == 200


BAD_BODIES = [b"not json", b'{"data": 5}', b'{"data": [1, 2, 3, 4, 5, 6]}', b"[]",
              b'{"data": [{"x": 1}]}', b"{}", b'{"data": [null, null]}',
              b'{"data": ["' + "ä".encode() * 5000 + b'", "x"]}', b'{"data": [true]}']


@pytest.mark.parametrize("route", ["/gradio_api/run/ask", "/gradio_api/api/ask",
                                   "/gradio_api/run/check", "/gradio_api/api/sources",
                                   "/gradio_api/run/predict", "/gradio_api/api/nope"])
def test_malformed_input_on_gradio_call_routes_is_4xx(served, route):
    url, _ = served
    for body in BAD_BODIES:
        r = requests.post(url + route, data=body, timeout=120,
                          headers={"content-type": "application/json"})
        # /sources takes no inputs, so any list of them is fine there: never a 5xx
        low = 200 if route.endswith("/sources") and body.startswith(b'{"data": [') else 400
        assert low <= r.status_code < 500, (route, body[:40], r.status_code, r.text[:200])
        assert "Traceback" not in r.text


def test_head_healthz_answers_like_get(served):
    url, _ = served
    get, head = requests.get(url + "/healthz", timeout=10), requests.head(url + "/healthz",
                                                                           timeout=10)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def _closed_within(sock: socket.socket, limit: float) -> float:
    """Seconds until the server closes `sock` (reads until EOF), or fails past `limit`."""
    start = time.monotonic()
    sock.settimeout(limit)
    with contextlib.suppress(ConnectionResetError):
        while sock.recv(65536):
            pass
    took = time.monotonic() - start
    assert took < limit, f"connection still open after {took:.1f} s"
    return took


def test_slow_headers_are_cut_off(served):
    _, port = served
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        took = _closed_within(s, HEADER_TIMEOUT_S + 10)
    assert took >= HEADER_TIMEOUT_S - 1
    with socket.create_connection(("127.0.0.1", port)) as s:  # a client that sends nothing
        _closed_within(s, HEADER_TIMEOUT_S + 10)


def test_slow_bodies_are_cut_off_with_408(served):
    _, port = served
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"data\"")
        s.settimeout(BODY_TIMEOUT_S + 10)
        reply = b""
        with contextlib.suppress(ConnectionResetError, TimeoutError):
            while chunk := s.recv(65536):
                reply += chunk
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]


def test_the_server_still_answers_after_the_abuse(served):
    url, _ = served
    r = requests.post(url + "/api/ask", json={"query": "Would an attack on NATO trainers "
                                              "automatically trigger Article 5?"}, timeout=120)
    assert r.status_code == 200 and r.json()["verdict"]
