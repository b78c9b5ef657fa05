"""Named checkpoints along the index write path: a test hook for crash tests, inert otherwise.

`checkpoint(name)` is called between the steps of an ingest (each embed batch, each Chroma
add batch, each file of a build, around the manifest switch, during stale-build cleanup).
It does nothing unless one of these is set in the environment (read once per process):

    FACTCHECK_TEST_KILL_AT=NAME   SIGKILL at the first checkpoint called NAME
    FACTCHECK_TEST_KILL_AT=#N     SIGKILL at the N-th checkpoint of the process (1-based)
    FACTCHECK_TEST_STOP_AT=...    the same forms, but SIGSTOP, once (a paused writer that
                                  holds the lock; the test sends SIGCONT or kills it)
    FACTCHECK_TEST_TRACE=FILE     append "N NAME" per checkpoint, so a test can learn the
                                  real checkpoint sequence of an ingest before drawing points

It does not simulate torn writes inside a library call (a kill lands between our calls).
"""

from __future__ import annotations

import itertools
import os
import signal
from dataclasses import dataclass


@dataclass(frozen=True)
class _Hooks:
    kill_at: str | None
    stop_at: str | None
    trace: str | None


_hooks: _Hooks | None = None
_counter = itertools.count(1)
_stopped = False


def _read_hooks() -> _Hooks:
    global _hooks
    if _hooks is None:
        env = os.environ
        _hooks = _Hooks(env.get("FACTCHECK_TEST_KILL_AT") or None,
                        env.get("FACTCHECK_TEST_STOP_AT") or None,
                        env.get("FACTCHECK_TEST_TRACE") or None)
    return _hooks


def _matches(spec: str | None, n: int, name: str) -> bool:
    return spec is not None and spec in (name, f"#{n}")


def checkpoint(name: str) -> None:
    hooks = _read_hooks()
    if hooks.kill_at is None and hooks.stop_at is None and hooks.trace is None:
        return
    n = next(_counter)
    if hooks.trace:
        with open(hooks.trace, "a", encoding="utf-8") as fh:
            fh.write(f"{n} {name}\n")
    global _stopped
    if not _stopped and _matches(hooks.stop_at, n, name):
        _stopped = True  # once: after SIGCONT the writer runs to the end
        os.kill(os.getpid(), signal.SIGSTOP)
    if _matches(hooks.kill_at, n, name):
        os.kill(os.getpid(), signal.SIGKILL)
