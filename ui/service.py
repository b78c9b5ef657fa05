"""The one place where the chat UI and the HTTP API call the engine.

- A `Gate` bounds how many engine calls run at once and how many may wait; past that a
  request fails fast with `Busy` (HTTP 503) instead of piling up on 2 CPU cores.
  `reserve_threads` sizes the worker-thread pool to it, so the gate really is the bound.
- `ask_events` is the streaming seam: it yields `Delta`s (text as it is generated) and
  then one `Final` with the verified `Answer`, which is authoritative (verification may
  drop streamed sentences). It uses the engine's `stream(text, history)` where the engine
  has one (str pieces, then the Answer) and `ask` otherwise; the chat and `/v1` consume
  the same events either way.

`check_result(answers)` is the one shape of a claim-mode result, for every edge (HTTP
`/api/check`, gradio_client `/check`, `factcheck check --json`):
`{"summary": {"claims", "supported", "refuted", "conflicting", "not_enough_info"},
"claims": [Answer, …]}`.

What it does not do: render anything or know about HTTP or Gradio.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from rag.errors import FactCheckError
from rag.types import Answer, Document
from ui.tables import source_rows


class Busy(FactCheckError):
    """Too many requests are already waiting for the engine."""


class Gate:
    """At most `concurrency` holders at once and `max_waiting` waiting; others get `Busy`."""

    def __init__(self, concurrency: int = 2, max_waiting: int = 32,
                 wait_s: float = 120.0) -> None:
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._waiting = 0
        self.max_waiting = max_waiting
        self.wait_s = wait_s
        self.capacity = concurrency + max_waiting  # callers it admits, running or waiting

    def __enter__(self) -> Gate:
        if self._slots.acquire(blocking=False):
            return self
        with self._lock:
            if self._waiting >= self.max_waiting:
                raise Busy(f"the server is busy ({self._waiting} requests waiting); "
                           f"try again in a moment")
            self._waiting += 1
        try:
            if not self._slots.acquire(timeout=self.wait_s):
                raise Busy(f"the server is busy (waited {self.wait_s:.0f}s); try again later")
        finally:
            with self._lock:
                self._waiting -= 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._slots.release()


THREAD_HEADROOM = 8  # worker threads beyond the gate's capacity: cheap routes, refusals


def reserve_threads(gate: Gate) -> None:
    """Make the gate, not the thread pool, the server's bound. Every engine call that runs
    or waits holds a worker thread (FastAPI's sync routes and Gradio's functions share
    anyio's default pool of 40), so with `capacity` at 40 or more the excess queued for a thread
    without limit instead of being refused, and cheap routes waited behind it. Call from
    the event loop (the server's lifespan)."""
    import anyio.to_thread

    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(limiter.total_tokens, gate.capacity + THREAD_HEADROOM)


def check_result(answers: list[Answer]) -> dict[str, Any]:
    """Claim mode's result as JSON: counts per verdict, then one Answer per claim."""
    from rag.pipeline import summarize

    return {"summary": summarize(answers), "claims": [a.to_dict() for a in answers]}


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Final:
    answer: Answer


class Service:
    def __init__(self, checker: Any, gate: Gate | None = None) -> None:
        self.checker = checker
        self.gate = gate or Gate()

    def ask_events(self, query: str, history: list[Any] | None = None
                   ) -> Generator[Delta | Final, None, None]:
        stream = getattr(self.checker, "stream", None)
        with self.gate:  # held while generating; released when the stream ends or closes
            if stream is None:
                yield Final(self.checker.ask(query, history=history))
                return
            for item in stream(query, history=history):
                yield Final(item) if isinstance(item, Answer) else Delta(str(item))

    def ask(self, query: str, history: list[Any] | None = None) -> Answer:
        """The whole answer at once (no streaming)."""
        with self.gate:
            return self.checker.ask(query, history=history)

    def check(self, text: str) -> list[Answer]:
        with self.gate:
            return list(self.checker.check(text))

    def docs(self) -> dict[str, Document]:
        return dict(self.checker.snapshot().docs)

    def sources(self) -> dict[str, Any]:
        snap = self.checker.snapshot()
        return {"build": snap.build_id, "sources": source_rows(snap)}

    def reindex(self) -> str:
        """Re-ingest the seeds folder (incremental); raises IndexLockedError if busy."""
        from rag.ingest.build import ingest

        settings = self.checker.settings
        with self.gate:
            report = ingest([settings.seeds_dir], settings, self.checker.embedder,
                            progress=False)
        skipped = "".join(f"\nskipped {s.path}: {s.reason}" for s in report.skipped)
        return report.summary() + skipped
