"""The README's examples, run (issue 17, point 2): every fenced `factcheck …` command without
a placeholder, every `curl` command and every Python snippet, against a real server over
the seed index, so the front door cannot drift from what the code does.

What a snippet is said to return is read from the README itself: an expression statement
followed by `# <value>` is checked against that value, where `…` matches anything, `a–b`
(an en dash between two numbers) is a range, `0.9…` a number with that prefix, and
`Answer` an Answer (object or JSON); a comment that is prose, not a value, checks nothing
beyond the snippet running without an error. The curl commands are checked against the
route table's shapes.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC_URL = "http://127.0.0.1:7860"
CONTRACT = {"query", "lang", "kind", "verdict", "confidence", "answer", "citations",
            "sentences", "backend", "warnings", "timings_ms"}
PLACEHOLDER = re.compile(r"…|\[|\bFILE\b|\bID\b|PREMISE|\bPATH\b")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", README, flags=re.S | re.M)


def shell_commands(block: str) -> list[str]:
    """The block's commands, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


# --- the value language of `# …` comments ---------------------------------------------------

class Range:
    def __init__(self, lo: float, hi: float) -> None:
        self.lo, self.hi = lo, hi

    def matches(self, got: Any) -> bool:
        return isinstance(got, int | float) and self.lo <= got <= self.hi

    def __repr__(self) -> str:
        return f"{self.lo}–{self.hi}"


class Prefix:
    def __init__(self, digits: str) -> None:
        self.digits = digits

    def matches(self, got: Any) -> bool:
        return isinstance(got, int | float) and f"{got:.6f}".startswith(self.digits)

    def __repr__(self) -> str:
        return f"{self.digits}…"


class AnswerShape:
    def matches(self, got: Any) -> bool:
        from rag.types import Answer

        data = got.to_dict() if isinstance(got, Answer) else got
        return isinstance(data, dict) and set(data) == CONTRACT

    def __repr__(self) -> str:
        return "Answer"


def expected_value(comment: str) -> Any:
    """The value a `# …` comment states, or None when the comment is prose."""
    text = comment.strip()
    text = re.sub(r"(?<=\S)\s+\([^()]*\)$", "", text)  # a trailing parenthesised remark
    text = re.sub(r"(\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)", r"Range(\1, \2)", text)
    text = re.sub(r"(\d+\.\d+)…", r"Prefix('\1')", text)
    text = text.replace("…", "...")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if not names <= {"Range", "Prefix", "Answer"}:
        return None  # prose that happens to parse ("the answer")
    return eval(compile(tree, "<readme>", "eval"),  # noqa: S307 (the README's own text)
                {"Range": Range, "Prefix": Prefix, "Answer": AnswerShape()})


def matches(got: Any, want: Any) -> bool:
    if want is Ellipsis:
        return True
    if isinstance(want, Range | Prefix | AnswerShape):
        return want.matches(got)
    if isinstance(want, tuple | list):
        if not isinstance(got, tuple | list):
            return False
        if len(want) == 2 and want[1] is Ellipsis and isinstance(want, list):
            return bool(got) and all(matches(g, want[0]) for g in got)
        return len(got) == len(want) and all(matches(g, w) for g, w in zip(got, want,
                                                                           strict=True))
    if isinstance(want, dict):
        return isinstance(got, dict) and set(got) == set(want) and all(
            matches(got[k], w) for k, w in want.items())
    return bool(got == want)


def test_the_value_language_can_fail():
    assert expected_value("('refuted', 0.7–1.0)") is not None
    assert not matches(("refuted", 0.62), expected_value("('refuted', 0.7–1.0)"))
    assert not matches(("supported", 0.9), expected_value("('refuted', 0.7–1.0)"))
    assert not matches(("refuted", 0.74), expected_value("('refuted', 0.9…)"))
    assert matches(("refuted", 0.93), expected_value("('refuted', 0.9…)"))
    assert not matches([], expected_value("[Answer]"))
    assert expected_value("the answer, with [n] markers") is None


# --- running the snippets ---------------------------------------------------------------------

def run_python(block: str, url: str, env: dict[str, str]) -> list[str]:
    """Exec the block statement by statement; returns the checks made (for the report)."""
    source = block.replace(DOC_URL, url)
    lines = source.splitlines()
    tree = ast.parse(source)
    ns: dict[str, Any] = {}
    checked = []
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for stmt in tree.body:
            code = ast.get_source_segment(source, stmt)
            assert code is not None
            last = lines[stmt.end_lineno - 1]
            comment = last.split("#", 1)[1] if "#" in last[stmt.end_col_offset:] else ""
            want = expected_value(comment) if comment else None
            if isinstance(stmt, ast.Expr) and want is not None:
                got = eval(compile(ast.Expression(stmt.value), "<readme>", "eval"), ns)  # noqa: S307
                assert matches(got, want), f"README says {code!r} gives {want!r}; got {got!r}"
                checked.append(code)
            else:
                exec(compile(ast.Module([stmt], []), "<readme>", "exec"), ns)  # noqa: S102
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return checked


def test_every_python_snippet_runs_and_returns_what_the_readme_says(ui_server, seeds_index,
                                                                    capsys):
    snippets = blocks("python")
    assert len(snippets) >= 2
    checked = []
    for block in snippets:
        checked += run_python(block, ui_server, {"FACTCHECK_DATA_DIR": str(seeds_index)})
    # the promises that matter are among the checked ones
    assert any("answer.confidence" in c for c in checked)
    assert any('api_name="/ask"' in c for c in checked)
    assert any('api_name="/check"' in c for c in checked)


def curl(command: str, url: str) -> subprocess.CompletedProcess[str]:
    args = shlex.split(command.replace(DOC_URL, url))
    assert args[0] == "curl"
    return subprocess.run([*args, "-w", "\n%{http_code}"], capture_output=True, text=True,
                          timeout=180)


def test_every_curl_example_answers_the_documented_shape(ui_server):
    commands = [c for b in blocks("bash") for c in shell_commands(b) if c.startswith("curl ")]
    assert len(commands) >= 4
    routes = set()
    for command in commands:
        done = curl(command, ui_server)
        body, _, status = done.stdout.rpartition("\n")
        assert done.returncode == 0 and status == "200", (command, done.stdout[-500:])
        route = re.search(r"/(api/\w+|v1/[\w/.]+)", command).group(1)
        routes.add(route)
        if route == "v1/chat/completions" and '"stream": true' in command:
            events = [ln.removeprefix("data: ") for ln in body.splitlines() if ln]
            assert events[-1] == "[DONE]"
            last = json.loads(events[-2])
            assert set(last["factcheck"]) == CONTRACT
            continue
        data = json.loads(body)
        if route == "api/ask":
            assert set(data) == CONTRACT
        elif route == "api/check":
            assert set(data) == {"summary", "claims"}
            assert data["summary"]["claims"] == len(data["claims"]) >= 2
            for claim in data["claims"]:
                # each claim of the example has a passage in the articles (README): an
                # answer quotes it whatever its verdict; "no passage" is for no retrieval
                assert set(claim) == CONTRACT and claim["citations"], claim["query"]
        elif route == "api/sources":
            assert set(data) == {"build", "sources"} and data["sources"]
    assert routes >= {"api/ask", "api/check", "api/sources", "v1/chat/completions"}


def test_every_factcheck_command_without_a_placeholder_runs(seeds_index):
    commands = [c for b in blocks("bash") for c in shell_commands(b)
                if c.startswith("factcheck ") and not PLACEHOLDER.search(c.split("#")[0])]
    commands = [c.split("  #")[0].strip() for c in commands]
    assert commands, "the README shows no runnable factcheck command"
    for command in commands:
        args = shlex.split(command)[1:]
        done = run_cli(*args, "--data-dir", str(seeds_index)) if args[0] != "chat" else None
        if done is None:
            continue
        assert done.returncode == 0, (command, done.stderr[-500:])
        assert done.stdout.strip(), command


@pytest.mark.parametrize("path", ["README.md"])
def test_readme_links_to_files_that_exist(path):
    for target in re.findall(r"\]\(((?!https?:|#)[^)\s]+)\)", README):
        assert (ROOT / Path(target)).exists(), target
