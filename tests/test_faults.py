"""Promise 6: faults degrade, they don't break.

The LLM endpoint (the scripted OpenAI-compatible server of `llm_helpers`, a real HTTP server
on 127.0.0.1) refuses connections, answers 500 or 429, hangs, sends a body that is not JSON,
or cuts or stalls a stream: every request still returns, within the configured timeout, the
verified extractive answer with an `llm_unavailable: <reason>` warning, and the next request
after the service returns uses the model again. A real Chroma server (`chroma run`)
unreachable at start is a clear error (CLI exit 3, a JSON 503 from the HTTP API); killed
mid-session, answers degrade to lexical-only retrieval with a warning (Python, CLI process
and HTTP); restarted, the same process recovers. Timings are never asserted beyond a generous
bound that shows the configured timeout was honoured.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from conftest import SEEDS, run_cli, serve_app
from index_helpers import chroma_run, free_port
from llm_helpers import (
    QUESTION,
    Reply,
    Scripted,
    assert_citations_resolve,
    blocks,
    completion,
    status,
    tokens,
)

from rag.backends.llm import OpenAIChatModel
from rag.config import Settings
from rag.judge.heuristic import OfflineJudge
from rag.pipeline import FactChecker
from rag.types import Answer

TIMEOUT_S = 1.0  # the read timeout the faulty endpoint is given
RETRIES = 1
BOUND_S = 45.0  # generous: timeout + retries with backoff + a slow, shared 2-core machine


def faithful(body: dict[str, Any], i: int) -> Reply:
    """A model that quotes its first evidence block and cites it: verification keeps it.
    Asked to condense a follow-up it rewrites it; asked to judge it says nothing useful."""
    if not blocks(body):
        if "Follow-up:" in body["messages"][-1]["content"]:
            return completion("Has Lithuania's parliament approved sending training troops "
                              "to Ukraine?")
        return completion("{}")
    n, text = next(iter(blocks(body).items()))
    return {"json": {"id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
                     "choices": [{"index": 0, "finish_reason": "stop", "message": {
                         "role": "assistant", "content": f"{text} [{n}]"}}]}}


def faithful_stream(body: dict[str, Any], i: int) -> Reply:
    return {"stream": tokens(faithful(body, i)["json"]["choices"][0]["message"]["content"])}


@pytest.fixture()
def make_checker(seeds_index, embedder):
    def make(url: str, **settings: Any) -> FactChecker:
        s = Settings.from_env(data_dir=seeds_index, llm_base_url=url, llm_model="scripted",
                              **{"llm_timeout_s": TIMEOUT_S, "llm_connect_timeout_s": 1.0,
                                 "llm_max_retries": RETRIES, **settings})
        return FactChecker(s, embedder, OfflineJudge(embedder), OpenAIChatModel.from_settings(s))
    return make


def run(checker: FactChecker, mode: str) -> Answer:
    if mode == "ask":
        return checker.ask(QUESTION)
    *texts, final = list(checker.stream(QUESTION))
    assert all(isinstance(t, str) for t in texts) and isinstance(final, Answer)
    return final


# (script of the faulty endpoint or None for a refused connection, modes, warning reason)
LLM_FAULTS: dict[str, tuple[Any, tuple[str, ...], str]] = {
    "refused": (None, ("ask", "stream"), "connection failed"),
    "http 500": (lambda b, i: status(500, retry_after="0"), ("ask", "stream"), "HTTP 500"),
    "http 429": (lambda b, i: status(429, retry_after="0"), ("ask", "stream"),
                 "rate limited (HTTP 429)"),
    "hang": (lambda b, i: {"hang": 60}, ("ask", "stream"), "timeout"),
    "not json": (lambda b, i: {"raw": b"<html>502 Bad Gateway</html>"}, ("ask",),
                 "invalid reply (not JSON)"),
    "wrong shape": (lambda b, i: {"json": {"choices": [{"message": "hi"}]}}, ("ask",),
                    "invalid reply (not a chat completion)"),
    "not a stream": (lambda b, i: {"raw": b"<html>502 Bad Gateway</html>"}, ("stream",),
                     "stream cut"),
    "malformed event": (lambda b, i: {"stream": [{"no": "text"}]}, ("stream",),
                        "stream cut: malformed event"),
    "stream cut": (lambda b, i: {"stream": ["No ", "Article ", "5 "], "cut": True},
                   ("stream",), "stream cut"),
    "stream stalls": (lambda b, i: {"stream": ["No ", "Article ", "5 "], "stall": 60},
                      ("stream",), "stream cut: timeout"),
}
CASES = [(name, mode) for name, (_, modes, _) in LLM_FAULTS.items() for mode in modes]


@pytest.mark.parametrize("fault,mode", CASES, ids=[f"{f}-{m}" for f, m in CASES])
def test_llm_fault_degrades_then_recovers(fault, mode, make_checker, checker):
    script, _, reason = LLM_FAULTS[fault]
    port = free_port()
    server = None if script is None else Scripted(port)
    try:
        if server is not None:
            server.script = script
        fc = make_checker(f"http://127.0.0.1:{port}/v1")
        t0 = time.monotonic()
        answer = run(fc, mode)
        assert time.monotonic() - t0 < BOUND_S  # returned: the configured timeout held
        offline = checker.ask(QUESTION)
        degraded = [str(w) for w in answer.warnings if w.code == "llm_unavailable"]
        assert len(degraded) == 1 and reason in degraded[0], answer.warnings
        assert answer.backend["answer"] == "extractive"
        assert (answer.verdict, answer.answer) == (offline.verdict, offline.answer)
        assert_citations_resolve(answer)
        json.dumps(answer.to_dict())
        if server is not None:  # one request, retried at most RETRIES times, then no more
            assert 1 <= len(server.requests) <= RETRIES + 1
        # the service returns (on the same port): the next request uses the model again
        if server is None:
            server = Scripted(port)
        server.requests.clear()
        server.script = faithful_stream if mode == "stream" else faithful
        again = run(fc, mode)
        assert again.backend["answer"] == "llm:scripted", again.warnings
        assert not any(w.code == "llm_unavailable" for w in again.warnings)
        assert_citations_resolve(again)
    finally:
        if server is not None:
            server.close()


FOLLOW_UP = "and what about Lithuania?"
HISTORY = [{"role": "user", "content": "Has Estonia's parliament approved sending training "
                                       "troops to Ukraine?"},
           {"role": "assistant", "content": "The sources say Estonia needs approval."}]


@pytest.mark.parametrize("stage", ["judge", "condense"])
@pytest.mark.parametrize("fault", ["refused", "http 500"])
def test_llm_fault_in_the_judge_or_condenser_degrades_then_recovers(stage, fault, seeds_index,
                                                                    embedder, checker):
    """`--llm-judge` falls back to the offline judge; a follow-up is condensed by rules;
    either way the request makes no further model calls, and the next one uses the model."""
    from rag.judge.llm import LLMJudge

    port = free_port()
    server = None if fault == "refused" else Scripted(port)
    if server is not None:
        server.script = LLM_FAULTS[fault][0]
    s = Settings.from_env(data_dir=seeds_index, llm_base_url=f"http://127.0.0.1:{port}/v1",
                          llm_model="scripted", llm_timeout_s=TIMEOUT_S,
                          llm_connect_timeout_s=1.0, llm_max_retries=RETRIES)
    chat = OpenAIChatModel.from_settings(s)
    judge = LLMJudge(chat) if stage == "judge" else OfflineJudge(embedder)
    fc = FactChecker(s, embedder, judge, chat)
    text, history = (QUESTION, None) if stage == "judge" else (FOLLOW_UP, HISTORY)
    try:
        answer = fc.ask(text, history=history)
        offline = checker.ask(text, history=history)
        assert any(w.code == "llm_unavailable" for w in answer.warnings), answer.warnings
        assert answer.backend["answer"] == "extractive"
        assert (answer.query, answer.verdict, answer.answer) == \
            (offline.query, offline.verdict, offline.answer)
        assert_citations_resolve(answer)
        if server is not None:
            assert 1 <= len(server.requests) <= RETRIES + 1  # then no further calls
        if server is None:
            server = Scripted(port)
        server.requests.clear()
        server.script = faithful
        again = fc.ask(text, history=history)
        assert server.requests and not any(w.startswith("llm_unavailable")
                                           for w in map(str, again.warnings)), again.warnings
        assert_citations_resolve(again)
    finally:
        if server is not None:
            server.close()


def test_llm_fault_through_the_http_api_is_a_degraded_200(make_checker):
    """/api/ask and a streaming /v1/chat/completions with the endpoint cutting its stream:
    200, the verified answer, the warning in the Answer; never a 5xx or a broken stream."""
    from ui.server import create_server

    server = Scripted()
    server.script = lambda b, i: {"stream": ["No ", "Article "], "cut": True} if b.get("stream") \
        else status(500, retry_after="0")
    try:
        with serve_app(create_server(make_checker(server.url))) as url:
            r = requests.post(f"{url}/api/ask", json={"query": QUESTION}, timeout=120)
            assert r.status_code == 200
            assert any(w.startswith("llm_unavailable: HTTP 500") for w in r.json()["warnings"])
            r = requests.post(f"{url}/v1/chat/completions", timeout=120, stream=True, json={
                "stream": True, "messages": [{"role": "user", "content": QUESTION}]})
            assert r.status_code == 200
            events = [json.loads(line[6:]) for line in r.iter_lines(decode_unicode=True)
                      if line.startswith("data: {")]
            final = events[-1]["factcheck"]
            assert events[-1]["choices"][0]["finish_reason"] == "stop"
            assert any(w.startswith("llm_unavailable: stream cut") for w in final["warnings"])
            assert final["backend"]["answer"] == "extractive" and final["citations"]
    finally:
        server.close()


# --------------------------------------------------------------------------- Chroma server

@pytest.mark.slow
def test_chroma_unreachable_at_start_is_a_clear_error(tmp_path, embedder):
    from ui.server import create_server

    url = f"http://127.0.0.1:{free_port()}"
    env = {"FACTCHECK_CHROMA_URL": url, "FACTCHECK_DATA_DIR": str(tmp_path / "d")}
    for args in (("ingest", "--quiet", str(SEEDS)), ("ask", "Does Article 5 apply?")):
        out = run_cli(*args, env=env)
        assert out.returncode == 3, out.stderr
        assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1
        assert out.stderr.startswith("factcheck: error:")
    # an index whose vectors live on a server that is not there
    from rag.ingest.build import ingest

    data = tmp_path / "e"
    port = free_port()
    with chroma_run(tmp_path / "srv", port):
        ingest([SEEDS], Settings.from_env(data_dir=data,
                                          chroma_url=f"http://127.0.0.1:{port}"),
               embedder, progress=False)
    fc = FactChecker(Settings.from_env(data_dir=data, chroma_url=f"http://127.0.0.1:{port}"),
                     embedder, OfflineJudge(embedder))
    with serve_app(create_server(fc)) as api:
        for method, path, body in (("post", "/api/ask", {"query": QUESTION}),
                                   ("post", "/api/check", {"text": "There were 97 NATO soldiers in "
                                                                  "Ukraine in March 2023."}),
                                   ("get", "/api/sources", None), ("get", "/healthz", None),
                                   ("post", "/v1/chat/completions", {"messages": [
                                       {"role": "user", "content": QUESTION}]})):
            r = requests.request(method, api + path, json=body, timeout=120)
            assert r.status_code == 503, (path, r.text)
            assert "cannot reach the Chroma server" in r.text
            assert r.headers["content-type"].startswith("application/json")


@pytest.mark.slow
def test_chroma_killed_mid_session_degrades_and_recovers(tmp_path, embedder, checker):
    """One engine (and one HTTP server over it) through: up -> killed -> restarted."""
    from rag.ingest.build import ingest
    from ui.server import create_server

    port = free_port()
    settings = Settings.from_env(data_dir=tmp_path / "d", chroma_url=f"http://127.0.0.1:{port}")
    offline = checker.ask(QUESTION)  # the embedded store's answer, for comparison
    with chroma_run(tmp_path / "srv", port) as proc:
        ingest([SEEDS], settings, embedder, progress=False)
        fc = FactChecker(settings, embedder, OfflineJudge(embedder))
        with serve_app(create_server(fc)) as api:
            up = fc.ask(QUESTION)
            assert up.verdict == offline.verdict and not up.warnings
            proc.kill()
            proc.wait(timeout=30)
            t0 = time.monotonic()
            down = fc.ask(QUESTION)
            assert time.monotonic() - t0 < BOUND_S
            assert any(w.code == "vector_store_unavailable" for w in down.warnings)
            assert down.verdict == offline.verdict  # lexical retrieval still finds the fact
            assert_citations_resolve(down)
            r = requests.post(f"{api}/api/ask", json={"query": QUESTION}, timeout=120)
            assert r.status_code == 200
            assert any(w.startswith("vector_store_unavailable") for w in r.json()["warnings"])
            # a write while it is down: a clear error, and the index is untouched
            out = run_cli("ingest", "--quiet", str(SEEDS), "--prune", env={
                "FACTCHECK_CHROMA_URL": settings.chroma_url or "",
                "FACTCHECK_DATA_DIR": str(settings.data_dir)})
            assert out.returncode == 3 and "Traceback" not in out.stderr, out.stderr
        with chroma_run(tmp_path / "srv", port):  # the same server comes back
            back = fc.ask(QUESTION)
            assert not back.warnings and back.verdict == offline.verdict
            assert back.backend["index_build"] == up.backend["index_build"]
            assert_citations_resolve(back)
