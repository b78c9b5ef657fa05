"""`factcheck nli`: the NLI model on one pair, or on JSON lines of pairs.

    factcheck nli PREMISE HYPOTHESIS [--json]
    factcheck nli --jsonl FILE|-      {"premise", "hypothesis"} per line -> {"label", "probs"}

Output lines keep the input's order. A bad line (not JSON, not an object, a missing or non-string
field) is an error naming the line, exit 2, and nothing is printed for any line: a partial
output would silently misalign with the input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.errors import InputError


def add_nli_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("nli", help="does PREMISE entail, contradict or not address HYPOTHESIS?")
    p.add_argument("premise", nargs="?")
    p.add_argument("hypothesis", nargs="?")
    p.add_argument("--json", action="store_true", help="print {label, probs} as JSON")
    p.add_argument("--jsonl", metavar="FILE", help='lines of {"premise", "hypothesis"}; - reads '
                   "standard input; writes one {label, probs} line per input line")
    p.set_defaults(func=cmd_nli)


def read_pairs(lines: list[str], name: str) -> list[tuple[str, str]]:
    pairs = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            raise InputError(f"{name}:{n}: empty line (one JSON object per line)")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{name}:{n}: not JSON ({e.msg})") from e
        if not isinstance(obj, dict):
            raise InputError(f"{name}:{n}: expected an object with premise and hypothesis")
        for key in ("premise", "hypothesis"):
            if not isinstance(obj.get(key), str) or not obj[key].strip():
                raise InputError(f"{name}:{n}: {key!r} must be a non-empty string")
        pairs.append((obj["premise"], obj["hypothesis"]))
    return pairs


def _lines(value: str) -> tuple[list[str], str]:
    if value == "-":
        return sys.stdin.read().split("\n"), "<stdin>"
    path = Path(value)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError(f"no such file: {value} (use - to read standard input)") from e
    except UnicodeDecodeError as e:
        raise InputError(f"{value} is not UTF-8 text") from e
    return text.split("\n"), value


def cmd_nli(args: argparse.Namespace) -> int:
    from rag.nli import NLIModel

    if args.jsonl is not None:
        if args.premise is not None:
            raise InputError("give either PREMISE HYPOTHESIS or --jsonl, not both")
        lines, name = _lines(args.jsonl)
        if lines and lines[-1] == "":
            lines = lines[:-1]  # the newline that ends the last line
        pairs = read_pairs(lines, name)
        for r in NLIModel().predict(pairs):
            print(json.dumps(r.to_dict()))
        return 0
    if not args.premise or not args.hypothesis or not args.premise.strip() \
            or not args.hypothesis.strip():
        raise InputError("give a PREMISE and a HYPOTHESIS (or --jsonl FILE)")
    (r,) = NLIModel().predict([(args.premise, args.hypothesis)])
    if args.json:
        print(json.dumps(r.to_dict(), ensure_ascii=False))
    else:
        probs = "  ".join(f"{k} {v:.3f}" for k, v in r.probs.items())
        print(f"{r.label}  ({probs})")
    return 0
