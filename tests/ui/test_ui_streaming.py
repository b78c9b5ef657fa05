"""The UI and `/v1` with an LLM configured: a scripted OpenAI-compatible server (the one
the generative tests use, a real HTTP server on 127.0.0.1) streams a reply token by token.
`/v1` forwards the tokens as they come and ends with the verified answer; the chat shows
the verified answer with the unsupported sentence visibly flagged or listed as dropped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from browser_helpers import ask, open_page
from conftest import serve_app
from llm_helpers import QUESTION, Scripted, cite, tokens


def hallucinating_stream(body: dict[str, Any], i: int) -> dict[str, Any]:
    n = cite(body, "automatically")
    return {"stream": tokens(
        f"Kallas said an attack on trainers would not automatically trigger Article 5 [{n}]. "
        f"Germany has already sent 5,000 troops to defend the trainers [{n}].")}


@pytest.fixture()
def llm_server(seeds_index, embedder) -> Iterator[Any]:
    scripted = Scripted()
    scripted.script = hallucinating_stream

    def serve(**settings: Any) -> Any:
        from rag.backends.llm import OpenAIChatModel
        from rag.config import Settings
        from rag.judge.heuristic import OfflineJudge
        from rag.pipeline import FactChecker
        from ui.server import create_server

        s = Settings.from_env(data_dir=seeds_index, llm_base_url=scripted.url,
                              llm_model="scripted", llm_timeout_s=5.0, **settings)
        checker = FactChecker(s, embedder, OfflineJudge(embedder),
                              OpenAIChatModel.from_settings(s))
        return serve_app(create_server(checker))

    yield serve
    scripted.close()


def test_v1_streams_tokens_then_the_verified_answer(llm_server):
    with llm_server() as url, requests.post(
            f"{url}/v1/chat/completions", stream=True, timeout=60,
            json={"stream": True, "messages": [{"role": "user", "content": QUESTION}]}) as r:
        assert r.status_code == 200
        events = [json.loads(line.removeprefix("data: ")) for line in
                  r.iter_lines(decode_unicode=True) if line and line != "data: [DONE]"]
    deltas = [e["choices"][0]["delta"].get("content") for e in events if e["choices"]]
    deltas = [d for d in deltas if d]
    assert len(deltas) > 5  # token by token, not one piece
    streamed = "".join(deltas)
    final = events[-1]["factcheck"]
    assert "5,000" in streamed and "5,000" not in final["answer"]  # verification dropped it
    assert any("5,000" in w for w in final["warnings"])
    assert final["backend"]["answer"] == "llm:scripted"


@pytest.mark.browser
def test_chat_shows_the_verified_answer_and_what_was_dropped(llm_server, browser):  # noqa: F811
    with llm_server() as url:
        ctx, page, problems = open_page(browser, url)
        message = ask(page, QUESTION)
        assert not any("5,000" in t for t in message.locator(".fc-sent").all_inner_texts())
        warning = message.locator(".fc-warnings li").filter(has_text="5,000")
        assert "was removed" in warning.inner_text()
        ctx.close()
    assert not problems, problems


@pytest.mark.browser
def test_chat_flags_unsupported_sentences_when_configured(llm_server, browser):  # noqa: F811
    with llm_server(llm_unsupported="flag") as url:
        ctx, page, problems = open_page(browser, url)
        message = ask(page, QUESTION)
        flagged = message.locator(".fc-sent.fc-unsupported")
        assert flagged.count() == 1 and "5,000" in flagged.inner_text()
        assert "not supported by the sources" in flagged.inner_text()
        ctx.close()
    assert not problems, problems
