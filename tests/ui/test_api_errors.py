"""One error shape, one claim-mode shape (issue 17, point 5), against the real server on
127.0.0.1: unknown routes and wrong methods answer the documented `{"error": {…}}` JSON
(not Starlette's `{"detail": …}`), a known route with the wrong method is 405 with `Allow`,
`/v1` refuses a model it does not serve as OpenAI does (404 `model_not_found`), and claim
mode gives `{"summary", "claims"}` over HTTP, gradio_client and `factcheck check --json`."""

from __future__ import annotations

import json

import pytest
import requests
from conftest import run_cli

CLAIMS = ("Kaja Kallas said that an attack on NATO trainers in Ukraine would automatically "
          "trigger Article 5. Estonia needs parliamentary approval to train Ukrainian "
          "soldiers.")
ERROR_KEYS = {"message", "type", "param", "code"}


def assert_error(r: requests.Response, status: int, kind: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == ERROR_KEYS and err["code"] == status and err["type"] == kind
    assert err["message"]
    return err


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize("path", ["/nope", "/api/nope", "/v1/nope", "/api/ask/extra",
                                  "/gradio_api/nope"])
def test_unknown_routes_answer_the_error_shape(ui_server, method, path):
    r = requests.request(method, f"{ui_server}{path}", timeout=10)
    err = assert_error(r, 404, "not_found")
    assert path in err["message"]


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("get", "/api/ask", "POST"), ("put", "/api/ask", "POST"), ("get", "/api/check", "POST"),
    ("delete", "/api/sources", "GET"), ("post", "/api/sources", "GET"),
    ("get", "/v1/chat/completions", "POST"), ("post", "/v1/models", "GET"),
    ("post", "/healthz", "GET"),
])
def test_wrong_method_on_a_known_route_is_405(ui_server, method, path, allowed):
    r = requests.request(method, f"{ui_server}{path}", timeout=10)
    err = assert_error(r, 405, "method_not_allowed")
    assert allowed in r.headers["allow"] and allowed in err["message"]


def test_head_on_a_get_route_is_not_refused(ui_server):
    assert requests.head(f"{ui_server}/healthz", timeout=10).status_code != 405


@pytest.mark.parametrize("model", ["gpt-4o", "", "FACTCHECK"])
def test_v1_unknown_model_is_404_model_not_found(ui_server, model):
    r = requests.post(f"{ui_server}/v1/chat/completions", timeout=60, json={
        "model": model, "messages": [{"role": "user", "content": "Is Article 5 automatic?"}]})
    err = assert_error(r, 404, "model_not_found")
    assert "factcheck" in err["message"]


def test_v1_unknown_model_through_the_openai_client(ui_server):
    import openai

    client = openai.OpenAI(base_url=f"{ui_server}/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.NotFoundError, match="factcheck"):
        client.chat.completions.create(model="gpt-4o", messages=[
            {"role": "user", "content": "Is Article 5 automatic?"}])
    ok = client.chat.completions.create(model="factcheck", messages=[
        {"role": "user", "content": "Is Article 5 automatic?"}])
    assert ok.model_extra["factcheck"]["verdict"]


def test_claim_mode_has_one_shape_everywhere(ui_server, seeds_index):
    from gradio_client import Client

    http = requests.post(f"{ui_server}/api/check", json={"text": CLAIMS}, timeout=120).json()
    client = Client(f"{ui_server}/", verbose=False, analytics_enabled=False)
    try:
        grad = client.predict(CLAIMS, api_name="/check")
    finally:
        client.close()
    cli = run_cli("check", "--json", "--data-dir", str(seeds_index), "-", input=CLAIMS)
    assert cli.returncode == 0, cli.stderr
    shell = json.loads(cli.stdout)
    for body in (http, grad, shell):
        assert set(body) == {"summary", "claims"}
        assert body["summary"]["claims"] == len(body["claims"]) == 2
    assert http["summary"] == grad["summary"] == shell["summary"]
    verdicts = [[a["verdict"] for a in b["claims"]] for b in (http, grad, shell)]
    assert verdicts[0] == verdicts[1] == verdicts[2]
