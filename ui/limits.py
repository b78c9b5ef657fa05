"""Limits that hold on every route, Gradio's own included, and on every connection.

- **Bodies**: a request body over `MAX_BODY_BYTES` (1 MB, the API's limit) is refused with
  413 on every route — Gradio's `/gradio_api/call/*`, `queue/join`, `run/*` and `api/*`
  too, which otherwise read 100 MB — before anything downstream reads it: a
  `Content-Length` over the limit is refused at once, a chunked body as soon as it passes.
- **Slow bodies**: a body not received within `BODY_TIMEOUT_S` is refused with 408 and
  the connection closed.
- **Slow headers**: `DeadlineH11Protocol` closes a connection whose request headers are
  not complete within `HEADER_TIMEOUT_S` of their first byte (or of the connection, for a
  client that sends nothing) — uvicorn itself bounds only the idle time between requests.
- **Gradio's run/api routes**: an unknown endpoint is 404, and the 500 Gradio answers for
  any exception in an event handler (a wrong number or type of inputs, our own input
  errors) is a 400 in the API's error shape, without Gradio's message text beyond its
  first line.
- **HEAD** answers like GET (headers, no body) on routes that are not streams.

What it does not do: authentication, CORS, the route deny-list or the API's own errors
(`ui.api`), or rate limits (the reverse proxy's job: SECURITY.md).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from ui.api import MAX_BODY_BYTES, error_body, send_json

BODY_TIMEOUT_S = 10.0
HEADER_TIMEOUT_S = 10.0
_GRADIO_CALL = re.compile(r"^/gradio_api/(?:run|api)/([^/]+)/?$")
# Gradio's own endpoint name for events run outside the queue (queue=False, e.g. an
# Examples click): it posts /gradio_api/run/predict with an fn_index, named by no api_name
_GRADIO_OWN = frozenset({"predict"})
_STREAMS = ("/gradio_api/queue/data", "/gradio_api/heartbeat", "/gradio_api/call/")
_NO_BODY = ("GET", "HEAD", "OPTIONS")


_CLOSE = [(b"connection", b"close")]


class LimitsMiddleware:
    """The body limit, the body deadline, HEAD as GET and 4xx for Gradio's call routes
    (see the module docstring); outermost, so nothing reads a body before it."""

    def __init__(self, app: Any, endpoints: frozenset[str] = frozenset(),
                 max_body: int = MAX_BODY_BYTES, body_timeout: float = BODY_TIMEOUT_S) -> None:
        self.app = app
        self.endpoints = endpoints  # Gradio's api names; empty: do not check names
        self.max_body = max_body
        self.body_timeout = body_timeout

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = re.sub(r"/{2,}", "/", scope.get("path", ""))
        method = scope.get("method", "GET")
        if method == "HEAD" and not path.startswith(_STREAMS):
            scope, send = {**scope, "method": "GET"}, _headers_only(send)
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            await send_json(send, 413, error_body(f"request body over {self.max_body} bytes",
                                                  "request_too_large", 413), headers=_CLOSE)
            return
        call = _GRADIO_CALL.match(path)
        if call and self.endpoints and call.group(1) not in self.endpoints | _GRADIO_OWN:
            await send_json(send, 404, error_body(f"no such endpoint: {call.group(1)}",
                                                  "not_found", 404))
            return
        if method in _NO_BODY and b"transfer-encoding" not in headers and not declared.strip(
                b"0"):
            await self.app(scope, receive, send)
            return
        chunks, size = [], 0
        deadline = time.monotonic() + self.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), deadline - time.monotonic())
            except TimeoutError:
                await send_json(send, 408, error_body(
                    f"request body not received within {self.body_timeout:g} s",
                    "request_timeout", 408), headers=_CLOSE)
                return
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if size > self.max_body:
                await send_json(send, 413, error_body(
                    f"request body over {self.max_body} bytes", "request_too_large", 413),
                    headers=_CLOSE)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, _client_errors(send) if call else send)


def _headers_only(send: Any) -> Any:
    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.body":
            if not message.get("more_body"):
                await send({"type": "http.response.body", "body": b""})
            return
        await send(message)

    return wrapped


def _client_errors(send: Any) -> Any:
    """Gradio's 500 for an event handler's exception becomes a 400 in the API's shape."""
    held: dict[str, Any] = {}
    body: list[bytes] = []

    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start" and message["status"] == 500:
            held["start"] = message
            return
        if "start" not in held or message["type"] != "http.response.body":
            await send(message)
            return
        body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        held.pop("start")
        try:
            detail = str(json.loads(b"".join(body)).get("error") or "")
        except (ValueError, AttributeError):
            detail = ""
        first = detail.strip().splitlines()[0][:200] if detail.strip() else "invalid input"
        await send_json(send, 400, error_body(f"invalid input for this endpoint: {first}",
                                          "invalid_request_error", 400))

    return wrapped


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on request headers (see the module
    docstring)."""

    header_timeout = HEADER_TIMEOUT_S
    _deadline: asyncio.TimerHandle | None = None

    def _waiting(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._waiting():
            self._arm()
        super().data_received(data)
        if not self._waiting():
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # idle keep-alive is uvicorn's own timeout; a new request re-arms

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self) -> None:
        self._deadline = None
        if self._waiting() and not self.transport.is_closing():
            self.transport.close()
