"""The API through real client libraries: `gradio_client` (named endpoints) and the `openai`
client against `/v1` (plain and streaming), on a real server on 127.0.0.1."""

from __future__ import annotations

import pytest
from conftest import seed_text

ARTICLE5 = "Would a Russian attack that hurts NATO trainers automatically trigger Article 5?"


@pytest.fixture(scope="module")
def gradio(ui_server):
    from gradio_client import Client

    return Client(ui_server, verbose=False, analytics_enabled=False, download_files=False)


def test_gradio_client_lists_the_named_endpoints(gradio):
    named = gradio.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/ask", "/check", "/sources"} <= set(named)
    assert not any(name.startswith("/ui_") for name in named)  # UI wiring stays private


def test_gradio_client_ask_returns_the_contract(gradio):
    answer = gradio.predict(ARTICLE5, None, api_name="/ask")
    assert answer["verdict"] == "refuted" and answer["citations"]
    for c in answer["citations"]:
        assert seed_text(c["source"])[c["start"]:c["end"]] == c["quote"]


def test_gradio_client_ask_with_history(gradio):
    history = [{"role": "user", "content": ARTICLE5}, {"role": "assistant", "content": "No."}]
    answer = gradio.predict("Skulle en attack mot Nato-instruktörer automatiskt utlösa "
                            "Artikel 5?", history, api_name="/ask")
    assert answer["lang"] == "sv" and answer["verdict"] == "refuted"


def test_gradio_client_check_and_sources(gradio):
    claims = gradio.predict("There were 97 NATO special operations soldiers in Ukraine in "
                            "March 2023.", api_name="/check")
    assert set(claims) == {"summary", "claims"} and claims["summary"]["claims"] == 1
    assert len(claims["claims"]) == 1 and claims["claims"][0]["verdict"] == "supported"
    sources = gradio.predict(api_name="/sources")
    assert len(sources["sources"]) == 5


def test_gradio_client_bad_input_raises_with_the_message(gradio):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        gradio.predict("  ", None, api_name="/ask")


@pytest.fixture(scope="module")
def openai_client(ui_server):
    import openai

    return openai.OpenAI(base_url=f"{ui_server}/v1", api_key="unused", max_retries=0)


def test_openai_client_completion_carries_verdict_and_citations(openai_client):
    resp = openai_client.chat.completions.create(
        model="factcheck", messages=[{"role": "user", "content": ARTICLE5}])
    content = resp.choices[0].message.content
    fc = resp.model_extra["factcheck"]
    assert content == fc["answer"] and "[1]" in content
    assert fc["verdict"] == "refuted" and fc["confidence"] > 0.5
    for c in fc["citations"]:
        assert f"[{c['n']}]" in content
        assert seed_text(c["source"])[c["start"]:c["end"]] == c["quote"]


def test_openai_client_follow_up_uses_the_conversation(openai_client):
    resp = openai_client.chat.completions.create(model="factcheck", messages=[
        {"role": "user", "content": ARTICLE5},
        {"role": "assistant", "content": "No — according to the sources [1]"},
        {"role": "user", "content": [{"type": "text", "text": "Does Estonia need "
                                      "parliamentary approval to train Ukrainian soldiers?"}]}])
    assert resp.model_extra["factcheck"]["verdict"] == "supported"


def test_openai_client_stream(openai_client):
    stream = openai_client.chat.completions.create(
        model="factcheck", stream=True,
        messages=[{"role": "user", "content": "Skulle en attack mot Nato-instruktörer "
                                              "automatiskt utlösa Artikel 5?"}])
    text, final = "", None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.choices and chunk.choices[0].finish_reason == "stop":
            final = chunk.model_extra["factcheck"]
    assert final is not None and final["verdict"] == "refuted" and final["lang"] == "sv"
    assert text == final["answer"]


def test_openai_client_bad_request_is_an_api_error(openai_client):
    import openai

    with pytest.raises(openai.BadRequestError, match="empty"):
        openai_client.chat.completions.create(model="factcheck",
                                              messages=[{"role": "user", "content": " "}])
