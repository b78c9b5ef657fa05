"""The HTTP server: a FastAPI app with the answer API, an OpenAI-compatible `/v1`, and the
Gradio UI mounted at `/` — one process, one port.

    GET  /healthz               liveness + index build (open even with auth on)
    POST /api/ask               {"query": "…", "history": [{"role", "content"}…]} -> Answer
    POST /api/check             {"text": "…"} -> {"summary": {…}, "claims": [Answer, …]}
    GET  /api/sources           {"build": "…", "sources": [{id, title, lang, chunks, …}]}
    GET  /v1/models, POST /v1/chat/completions (streaming and not; see ui.openai_compat)

Errors are JSON `{"error": {"message", "type", "param", "code"}}` on every route, `code`
being the HTTP status: 422 for a request of the wrong shape, 400 for bad input (empty, too
long), 404 for an unknown route (`not_found`) or an unknown `/v1` model
(`model_not_found`), 405 for a known route with the wrong method (`method_not_allowed`,
with `Allow`), 503 when busy or without an index, 409 when the index is locked, 413 for an
oversized body, 401 without credentials. Gradio's own `{"detail": …}` 404/405 answers are
rewritten into that shape (`ErrorShapeMiddleware`).
Hardening: request bodies capped, Gradio's file-serving/upload/proxy routes answer 404
(the app uses none), a bounded queue (the engine gate; its refusals and Gradio's
queue-full answer carry Retry-After), no cross-origin access (CORS: same origin only),
optional basic auth (`ui.auth`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from rag.errors import ConfigError, FactCheckError, IndexLockedError, IndexNotReadyError, InputError
from ui import logs
from ui import openai_compat as oai
from ui.assets import CSS, HEAD
from ui.service import Busy, Service, check_result, reserve_threads

MAX_BODY_BYTES = 1_000_000
BODY_PARSE_ERROR = "There was an error parsing the body"  # FastAPI's detail, verbatim
# Gradio routes that serve, accept or proxy files, or expose dev/monitoring tools.
DENIED = ("/gradio_api/file=", "/gradio_api/file/", "/file=", "/gradio_api/upload",
          "/gradio_api/process_recording", "/gradio_api/proxy=", "/gradio_api/stream/",
          "/gradio_api/run-history", "/gradio_api/runs", "/gradio_api/vibe",
          "/gradio_api/undo-vibe", "/gradio_api/dev/", "/gradio_api/custom_component/",
          "/gradio_api/mcp", "/monitoring", "/gradio_api/monitoring")
QUEUE_JOIN = "/gradio_api/queue/join"  # Gradio answers 503 here when its queue is full
RETRY_AFTER_S = 2
ERRORS: list[tuple[type[FactCheckError], int, str]] = [
    (oai.ModelNotFound, 404, "model_not_found"),
    (InputError, 400, "invalid_request_error"),
    (Busy, 503, "server_busy"),
    (IndexNotReadyError, 503, "index_not_ready"),
    (IndexLockedError, 409, "index_locked"),
    (ConfigError, 500, "config_error"),
    (FactCheckError, 500, "factcheck_error"),
]


class HistoryTurn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    role: Literal["user", "assistant"]
    content: str


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    query: str
    history: list[HistoryTurn] | None = None


class CheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    text: str


def error_body(message: str, kind: str, code: int, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def status_of(exc: FactCheckError) -> tuple[int, str]:
    return next((status, kind) for cls, status, kind in ERRORS if isinstance(exc, cls))


def validation_message(errors: list[Any]) -> tuple[str, str | None]:
    parts, first = [], None
    for e in errors[:5]:
        loc = [str(x) for x in e.get("loc", ()) if x != "body"]
        where = "body" if e.get("type") == "json_invalid" else ".".join(loc) or "body"
        first = first or where
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts), first


async def send_json(send: Any, status: int, body: dict[str, Any],
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Answer an ASGI request with `body` as JSON (used by every middleware here and in
    `ui.limits`)."""
    import json

    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [*(headers or []), (b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


def _retry_after_on_503(send: Any) -> Any:
    """Gradio's queue-full 503 gets the Retry-After our own busy answers carry."""

    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start" and message["status"] == 503:
            headers = [h for h in message.get("headers", []) if h[0].lower() != b"retry-after"]
            message = {**message, "headers": [*headers, (b"retry-after",
                                                           str(RETRY_AFTER_S).encode())]}
        await send(message)

    return wrapped


ROUTE_ERRORS = {404: "not_found", 405: "method_not_allowed"}


class ErrorShapeMiddleware:
    """One error shape everywhere. A request for one of our own routes with the wrong method
    is 405 with `Allow` (otherwise it would fall through to the Gradio mount at `/` and be a
    404); a `{"detail": …}` 404/405 from anything mounted (Gradio, Starlette) becomes
    `{"error": {…}}`. Other responses pass through untouched and unbuffered."""

    def __init__(self, app: Any, routes: dict[str, set[str]]) -> None:
        self.app = app
        self.routes = routes  # our own path -> methods

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        methods = self.routes.get(scope.get("path", ""))
        method = scope.get("method", "GET")
        if methods is not None and method not in methods and not (
                method == "HEAD" and "GET" in methods):
            allow = ", ".join(sorted(methods))
            await send_json(send, 405, error_body(
                f"{method} is not allowed on {scope['path']}; use {allow}",
                "method_not_allowed", 405), headers=[(b"allow", allow.encode())])
            return
        held: dict[str, Any] = {}
        body: list[bytes] = []

        async def reshape(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = dict((k.lower(), v) for k, v in message.get("headers", []))
                if message["status"] in ROUTE_ERRORS and headers.get(
                        b"content-type", b"").startswith(b"application/json"):
                    held["start"] = message  # hold it until the body says what it is
                    return
                await send(message)
                return
            if "start" not in held or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            start = held.pop("start")
            status = start["status"]
            raw = b"".join(body)
            detail = _detail_of(raw)
            if detail is None:  # not Starlette's default shape: pass it on as it was
                await send(start)
                await send({"type": "http.response.body", "body": raw})
                return
            keep = [(k, v) for k, v in start.get("headers", [])
                    if k.lower() not in (b"content-length", b"content-type")]
            await send_json(send, status, error_body(
                f"{detail}: {scope.get('method', 'GET')} {scope.get('path', '')}"
                if status == 404 else detail, ROUTE_ERRORS[status], status), headers=keep)

        await self.app(scope, receive, reshape)


def _detail_of(raw: bytes) -> str | None:
    import json

    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if isinstance(data, dict) and set(data) == {"detail"} and isinstance(data["detail"], str):
        return data["detail"]
    return None


class GuardMiddleware:
    """404 for Gradio's file routes; Retry-After on Gradio's queue-full 503. Bodies over
    MAX_BODY_BYTES are refused with 413 on every route by `ui.limits.LimitsMiddleware`,
    which `ui.server.create_server` puts outside everything before any body is read."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = re.sub(r"/{2,}", "/", scope.get("path", ""))
        if path.startswith(DENIED):
            await send_json(send, 404, error_body("not found", "not_found", 404))
            return
        if path.startswith(QUEUE_JOIN):
            await self.app(scope, receive, _retry_after_on_503(send))
            return
        await self.app(scope, receive, send)


def noted(events: Any) -> Any:
    """Pass a stream's events on, noting its verdict for the request's log line."""
    from ui.service import Final

    for event in events:
        if isinstance(event, Final):
            logs.note(verdict=event.answer.verdict)
        yield event


def create_api(checker: Any, blocks: Any, service: Service, *,
               auth: tuple[str, str] | None = None, concurrency: int = 2, max_queue: int = 32,
               host: str = "127.0.0.1", port: int = 7860) -> Any:
    """The FastAPI app serving the API routes with `blocks` (the Gradio UI, built over the
    same `service`, so both share one engine gate) mounted at `/`. `ui.server` wires the
    two; this module does not import the UI."""
    import gradio as gr
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import JSONResponse, StreamingResponse
    from fastapi.routing import APIRoute
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from ui.auth import BasicAuthMiddleware

    svc = service

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        reserve_threads(svc.gate)  # the gate, not anyio's 40 threads, bounds the server
        yield

    api = FastAPI(title="factcheck", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Cited, verified answers from a set of news articles.")

    @api.exception_handler(FactCheckError)
    async def on_factcheck_error(request: Request, exc: FactCheckError) -> JSONResponse:
        status, kind = status_of(exc)
        logs.note(error=kind)  # a user's mistake (or a busy server): one log line, no trace
        headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
        return JSONResponse(error_body(str(exc), kind, status), status, headers=headers)

    @api.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = validation_message(list(exc.errors()))
        logs.note(error="invalid_request_error")
        return JSONResponse(error_body(message, "invalid_request_error", 422, param), 422)

    @api.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status, message = exc.status_code, str(exc.detail)
        if status == 400 and message == BODY_PARSE_ERROR:
            # FastAPI's answer to a body it cannot decode (not UTF-8, nested too deeply)
            status, message = 422, "body: not a JSON document we can read (UTF-8, not " \
                                   "nested too deeply)"
        kind = "invalid_request_error" if status < 500 else "server_error"
        logs.note(error=kind)
        return JSONResponse(error_body(message, kind, status), status, headers=exc.headers)

    @api.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception) -> JSONResponse:
        # a bug, not bad input: still a JSON error, never a traceback to the client; the
        # traceback goes to the server log, the one place it is wanted
        logs.log.error("fault in %s %s", request.method, request.url.path,
                       exc_info=(type(exc), exc, exc.__traceback__))
        logs.note(error="server_error")
        return JSONResponse(error_body(f"internal error ({type(exc).__name__}); see the "
                                       f"server log", "server_error", 500), 500)

    @api.get("/healthz", response_model=None)
    def healthz() -> JSONResponse:
        try:
            snap = checker.snapshot()
        except FactCheckError as exc:
            return JSONResponse({"status": "unavailable", "error": str(exc)}, 503)
        return JSONResponse({"status": "ok", "index_build": snap.build_id,
                             "documents": len(snap.docs)})

    @api.post("/api/ask")
    def ask(body: AskBody) -> dict[str, Any]:
        history = [t.model_dump() for t in body.history] if body.history else None
        answer = svc.ask(body.query, history)
        logs.note(verdict=answer.verdict)
        return answer.to_dict()

    @api.post("/api/check")
    def check(body: CheckBody) -> dict[str, Any]:
        answers = svc.check(body.text)
        logs.note(verdicts=",".join(a.verdict for a in answers))
        return check_result(answers)

    @api.get("/api/sources")
    def sources() -> dict[str, Any]:
        return svc.sources()

    @api.get("/v1/models")
    def models() -> dict[str, Any]:
        return oai.models()

    @api.post("/v1/chat/completions", response_model=None)
    def chat_completions(body: oai.ChatRequest) -> Any:
        oai.check_model(body.model)
        query, history = oai.to_query(body)
        if not body.stream:
            answer = svc.ask(query, history or None)
            logs.note(verdict=answer.verdict)
            return oai.completion(answer)
        events = noted(oai.started(svc.ask_events(query, history or None)))
        include_usage = bool((body.stream_options or {}).get("include_usage"))
        return StreamingResponse(oai.sse(oai.chunks(events, include_usage=include_usage)),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    own = {r.path: set(r.methods) for r in api.routes
           if isinstance(r, APIRoute) and r.path.startswith(("/api/", "/v1/", "/healthz"))}
    blocks.queue(max_size=max_queue, default_concurrency_limit=concurrency)
    api = gr.mount_gradio_app(
        api, blocks, path="/", server_name=host, server_port=port, css=CSS, head=HEAD,
        footer_links=["api", "settings"], run_history=False, ssr_mode=False,
        mcp_server=False, enable_monitoring=False, pwa=False, max_file_size="1mb",
        show_error=True)
    # Gradio's CORS middleware lets every origin read, with credentials, once the server is
    # reached under a non-localhost name (behind a proxy); a policy of our own (same origin
    # only) makes it stand aside
    api.add_middleware(CORSMiddleware, allow_origins=[])
    api.add_middleware(GuardMiddleware)
    api.add_middleware(ErrorShapeMiddleware, routes=own)
    if auth is not None:
        api.add_middleware(BasicAuthMiddleware, credentials=auth)
    api.add_middleware(logs.RequestLog)  # outermost: it sees every status, 401 included
    return api
