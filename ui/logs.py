"""The server's log: one line per request, and one per chat/API event of the Gradio UI.

    factcheck: POST /api/ask 200 48ms verdict=refuted
    {"ts": "…", "level": "INFO", "route": "/api/ask", "method": "POST", "status": 200,
     "ms": 48.1, "verdict": "refuted"}                     (with `factcheck chat --log-json`)

A user's mistake (empty question, no check-worthy claim, unknown route) is that one line
at INFO with its status and error type, never a traceback; only a real fault (an
exception that is not a `FactCheckError`) logs its traceback, at ERROR. No line carries
the question, the claim or any other text a user sent: only the route, method, status,
timing, verdict(s) and error type (what someone running the server needs, and nothing a
log reader should not see).

`RequestLog` is the ASGI middleware; route handlers add the verdict with `note(...)` (a
per-request dict in a context variable: worker threads get a copy of the context, which
holds the same dict). Gradio's events run outside the HTTP request that queued them, so
`event(route)` times and logs each of those itself.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

from rag.errors import FactCheckError

log = logging.getLogger("factcheck.server")
_current: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "factcheck_request", default=None)
# request paths logged at INFO; the page's assets, heartbeats and Gradio's own plumbing
# are logged at DEBUG (dozens per page load)
INFO_PREFIXES = ("/api/", "/v1/", "/healthz", "/gradio_api/call/", "/gradio_api/queue/join")
FIELDS = ("route", "method", "status", "ms", "verdict", "verdicts", "error")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(
            record.created)) + f".{int(record.msecs):03d}Z", "level": record.levelname}
        fields = getattr(record, "fields", None)
        if fields:
            out.update(fields)
        else:
            out["message"] = record.getMessage()
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        if not fields:
            text = f"factcheck: {record.getMessage()}"
        else:
            head = [str(fields[k]) for k in ("method", "route", "status") if k in fields]
            if "ms" in fields:
                head.append(f"{fields['ms']:.0f}ms")
            rest = [f"{k}={fields[k]}" for k in FIELDS[4:] if fields.get(k) is not None]
            text = "factcheck: " + " ".join(head + rest)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure(json_lines: bool = False, level: int = logging.INFO) -> None:
    """Send the server's log to stderr, one line per record (JSON lines if asked)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger("factcheck")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def note(**fields: Any) -> None:
    """Add fields (a verdict, an error type) to the current request's log line."""
    current = _current.get()
    if current is not None:
        current.update({k: v for k, v in fields.items() if v is not None})


def _emit(fields: dict[str, Any], level: int = logging.INFO) -> None:
    log.log(level, "%s", fields.get("route", ""), extra={"fields": fields})


class RequestLog:
    """ASGI middleware: one log line per HTTP request, after its response is sent."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        fields: dict[str, Any] = {"route": path, "method": scope.get("method", "GET")}
        token = _current.set(fields)
        t0 = time.perf_counter()

        async def send_status(message: Any) -> None:
            if message["type"] == "http.response.start":
                fields["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            _current.reset(token)
            fields.setdefault("status", 500)
            fields["ms"] = round((time.perf_counter() - t0) * 1000, 1)
            ordered = {k: fields[k] for k in FIELDS if k in fields}
            wanted = path.startswith(INFO_PREFIXES) or fields["status"] >= 400
            _emit(ordered, logging.INFO if wanted else logging.DEBUG)


def refused(route: str, exc: FactCheckError) -> None:
    """Log a Gradio event the UI refused itself (shown inline, nothing raised)."""
    _emit({"route": route, "status": "user_error", "ms": 0.0, "error": type(exc).__name__})


@contextlib.contextmanager
def event(route: str) -> Iterator[dict[str, Any]]:
    """Time and log one Gradio event (`route` like "ui:/ask"); the caller sets
    `verdict`/`verdicts` in the yielded dict. A FactCheckError is a user's mistake (one
    line, its type); any other exception is a fault and is re-raised for Gradio to report."""
    fields: dict[str, Any] = {"route": route}
    t0 = time.perf_counter()
    try:
        yield fields
        fields["status"] = "ok"
    except FactCheckError as exc:
        fields["status"] = "user_error"
        fields["error"] = type(exc).__name__
        raise
    except Exception as exc:
        fields["status"] = "fault"
        fields["error"] = type(exc).__name__
        raise
    finally:
        fields["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        _emit({k: fields[k] for k in FIELDS if k in fields})
