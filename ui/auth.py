"""Optional HTTP basic auth for the whole server (UI, HTTP API, `/v1`, Gradio's routes).

Off unless `FACTCHECK_AUTH="user:password"` is set (read, like every setting, by
`rag.config.Settings`; parsed here). One mechanism for every client: a
browser gets the standard basic-auth prompt (and resends the credentials on Gradio's own
requests), curl uses `-u user:password`, `gradio_client` an `Authorization` header, and an
OpenAI client its api key set to `user:password` (sent as `Bearer user:password`).
`/healthz` stays open for liveness probes and reveals nothing but the index build.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rag.errors import ConfigError

ENV = "FACTCHECK_AUTH"
EXEMPT = frozenset({"/healthz"})

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                   Awaitable[None]]


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """`"user:password"` -> ("user", "password"); unset or empty -> None (auth off)."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError(f"{ENV} must look like user:password (both non-empty)")
    return user, password


def auth_from_env(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The credentials from FACTCHECK_AUTH, through the one settings object."""
    from rag.config import Settings

    return parse_auth(Settings.from_env(None if env is None else dict(env)).auth)


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _authorized(header: bytes | None, user: str, password: str) -> bool:
    if not header:
        return False
    scheme, _, value = header.decode("latin-1").partition(" ")
    expected = f"{user}:{password}".encode()
    if scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return secrets.compare_digest(given, expected)
    if scheme.lower() == "bearer":
        return secrets.compare_digest(value.strip().encode(), expected)
    return False


class BasicAuthMiddleware:
    """ASGI middleware: 401 with a basic-auth challenge unless the credentials match."""

    def __init__(self, app: ASGIApp, credentials: tuple[str, str]) -> None:
        self.app = app
        self.user, self.password = credentials

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path") in EXEMPT:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization")
        if _authorized(header, self.user, self.password):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps({"error": {"message": "authentication required: send basic auth "
                                                "credentials (user:password)",
                                     "type": "unauthorized", "param": None, "code": 401}})
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"application/json"),
            (b"www-authenticate", b'Basic realm="factcheck", charset="UTF-8"')]})
        await send({"type": "http.response.body", "body": body.encode()})
