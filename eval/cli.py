"""`factcheck eval …` subcommands (placeholder until the eval harness lands)."""

from __future__ import annotations

import argparse
from typing import Any


def add_eval_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `factcheck eval` on the main parser's subparsers."""
    p = sub.add_parser("eval", parents=[common], help="run eval suites (not built yet)")
    p.set_defaults(func=lambda args: (print("the eval harness is not built yet"), 2)[1])
