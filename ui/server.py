"""The web server: the Gradio UI (`ui.app`) mounted in the HTTP API (`ui.api`), one port.

`create_server(checker)` builds the engine gate (`ui.service`), the Blocks over it and the
FastAPI app that serves both — nothing is launched; `launch(settings, host, port)` runs it
with uvicorn. The UI and the API modules do not import each other: this one wires them.
"""

from __future__ import annotations

import sys
from typing import Any

from rag.config import Settings
from rag.errors import ConfigError
from ui.service import Gate, Service


def create_server(checker: Any, *, auth: tuple[str, str] | None = None,
                  service: Service | None = None, concurrency: int = 2, max_queue: int = 32,
                  host: str = "127.0.0.1", port: int = 7860) -> Any:
    """The FastAPI app serving the API routes with the Gradio UI mounted at `/`."""
    from ui.api import create_api
    from ui.app import create_app
    from ui.limits import LimitsMiddleware

    svc = service or Service(checker, Gate(concurrency, max_queue))
    blocks = create_app(checker, service=svc)
    app = create_api(checker, blocks, svc, auth=auth, concurrency=concurrency,
                     max_queue=max_queue, host=host, port=port)
    # outermost: the body limit holds on Gradio's routes too, before anything reads a body
    names = frozenset(fn.api_name for fn in getattr(blocks, "fns", {}).values()
                      if isinstance(getattr(fn, "api_name", None), str))
    app.add_middleware(LimitsMiddleware, endpoints=names)
    return app


def uvicorn_config(app: Any, host: str = "127.0.0.1", port: int = 7860) -> Any:
    """uvicorn's settings for the server: the h11 protocol with a deadline on request
    headers (`ui.limits`), quiet logs."""
    import uvicorn

    from ui.limits import DeadlineH11Protocol

    return uvicorn.Config(app, host=host, port=port, log_level="warning",
                          http=DeadlineH11Protocol, lifespan="on")


def check_port(host: str, port: int) -> None:
    """Fail before minutes of loading, with what to do, if the port is taken."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
            raise ConfigError(f"port {port} on {host} is already in use (another factcheck "
                              f"chat?); pick another with --port, e.g. factcheck chat "
                              f"--port {port + 1}") from exc


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860,
           log_json: bool = False) -> None:
    """Serve the UI and the HTTP API on one port (blocks until interrupted); one log line
    per request on stderr (`ui.logs`), JSON lines with `log_json`."""
    from rag.offline import ensure_offline
    from ui import logs

    check_port(host, port)
    logs.configure(json_lines=log_json)
    ensure_offline()
    import uvicorn

    from rag.pipeline import FactChecker
    from ui.auth import parse_auth

    auth = parse_auth(settings.auth)
    checker = FactChecker.from_settings(settings)
    checker.snapshot()  # fail now, with the CLI's message, if there is no index
    if auth is None and host not in ("127.0.0.1", "localhost", "::1"):
        print(f"factcheck: warning: serving on {host} without FACTCHECK_AUTH: anyone who can "
              f"reach this address can use the app and re-index", file=sys.stderr)
    app = create_server(checker, auth=auth, concurrency=settings.concurrency,
                        max_queue=settings.max_queue, host=host, port=port)
    shown = f"[{host}]" if ":" in host else host
    print(f"factcheck: chat UI on http://{shown}:{port}/ — HTTP API under /api and /v1"
          + (" (basic auth on)" if auth else ""), file=sys.stderr)
    uvicorn.Server(uvicorn_config(app, host, port)).run()
