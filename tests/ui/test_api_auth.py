"""Optional basic auth (FACTCHECK_AUTH): every route but /healthz needs the credentials,
which every kind of client can send."""

from __future__ import annotations

import pytest
import requests
from conftest import serve_app

from rag.errors import ConfigError
from ui.auth import auth_from_env, basic_header, parse_auth

USER, PASSWORD = "desk", "s3cret:with:colons"
QUESTION = "Does Estonia need parliamentary approval to train Ukrainian soldiers?"


def test_parse_auth():
    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("a:b:c") == ("a", "b:c")
    assert auth_from_env({"FACTCHECK_AUTH": "u:p"}) == ("u", "p")
    for bad in ("nocolon", ":p", "u:"):
        with pytest.raises(ConfigError, match="user:password"):
            parse_auth(bad)


@pytest.fixture(scope="module")
def secured(checker):
    from ui.server import create_server

    with serve_app(create_server(checker, auth=(USER, PASSWORD))) as url:
        yield url


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"), ("GET", "/config"), ("GET", "/api/sources"), ("POST", "/api/ask"),
    ("POST", "/v1/chat/completions"), ("GET", "/v1/models"), ("GET", "/gradio_api/info"),
    ("POST", "/gradio_api/queue/join"),
])
def test_everything_but_healthz_needs_credentials(secured, method, path):
    r = requests.request(method, f"{secured}{path}", json={"query": QUESTION}, timeout=10)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")
    assert r.json()["error"]["type"] == "unauthorized"
    wrong = requests.request(method, f"{secured}{path}", auth=(USER, "nope"), timeout=10)
    assert wrong.status_code == 401


def test_healthz_stays_open(secured):
    assert requests.get(f"{secured}/healthz", timeout=10).status_code == 200


def test_requests_with_basic_auth(secured):
    r = requests.post(f"{secured}/api/ask", json={"query": QUESTION}, auth=(USER, PASSWORD),
                      timeout=60)
    assert r.status_code == 200 and r.json()["verdict"] == "supported"
    assert requests.get(f"{secured}/", auth=(USER, PASSWORD), timeout=10).status_code == 200


def test_openai_client_with_the_credentials_as_api_key(secured):
    import openai

    client = openai.OpenAI(base_url=f"{secured}/v1", api_key=f"{USER}:{PASSWORD}",
                           max_retries=0)
    resp = client.chat.completions.create(model="factcheck",
                                          messages=[{"role": "user", "content": QUESTION}])
    assert resp.model_extra["factcheck"]["verdict"] == "supported"
    bad = openai.OpenAI(base_url=f"{secured}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.chat.completions.create(model="factcheck",
                                    messages=[{"role": "user", "content": QUESTION}])


def test_gradio_client_with_an_auth_header(secured):
    from gradio_client import Client

    client = Client(secured, verbose=False, analytics_enabled=False, download_files=False,
                    headers={"Authorization": basic_header(USER, PASSWORD)})
    assert client.predict(QUESTION, None, api_name="/ask")["verdict"] == "supported"
