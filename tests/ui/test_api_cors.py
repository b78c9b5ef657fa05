"""Cross-origin requests: no other website may read the API's answers or drive the UI with
a user's browser (and its saved basic-auth credentials).

Gradio's own CORS middleware, which it installs on the whole server, allows every origin,
with credentials, as soon as the server is reached under a hostname that is not
localhost, which is exactly the case behind a reverse proxy. The server installs a CORS
policy of its own (no foreign origins), and Gradio then stands aside. Real server on
127.0.0.1, requests sent with a proxy-style Host header.
"""

from __future__ import annotations

import pytest
import requests

PROXIED = "factcheck.example.org"  # the Host a reverse proxy forwards
EVIL = "https://evil.example"


@pytest.mark.parametrize("path", ["/api/ask", "/v1/chat/completions", "/gradio_api/queue/join"])
@pytest.mark.parametrize("host", [PROXIED, "127.0.0.1"])
def test_preflight_from_another_origin_is_not_allowed(ui_server, path, host):
    r = requests.options(ui_server + path, timeout=30, headers={
        "Host": host, "Origin": EVIL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.headers.get("Access-Control-Allow-Origin") is None, dict(r.headers)


@pytest.mark.parametrize("path", ["/api/sources", "/config", "/healthz"])
def test_answers_are_not_readable_from_another_origin(ui_server, path):
    r = requests.get(ui_server + path, timeout=30, headers={"Host": PROXIED, "Origin": EVIL})
    assert r.status_code == 200  # the request itself works: only the foreign page may not read it
    assert r.headers.get("Access-Control-Allow-Origin") is None, dict(r.headers)


def test_same_origin_clients_are_unaffected(ui_server):
    r = requests.post(ui_server + "/api/ask", timeout=60, headers={"Host": PROXIED}, json={
        "query": "Does Estonia need parliamentary approval to train Ukrainian soldiers?"})
    assert r.status_code == 200 and r.json()["citations"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/check", "/gradio_api/queue/join"])
def test_form_style_posts_are_refused(ui_server, path):
    # text/plain needs no preflight, so a foreign page could send it blind: it must do nothing
    body = ('{"query": "Does Estonia need parliamentary approval?", "text": "x", "data": [], '
            '"fn_index": 0, "session_hash": "abcdefghij"}')
    r = requests.post(ui_server + path, data=body, timeout=30, headers={
        "Host": PROXIED, "Origin": EVIL, "Content-Type": "text/plain"})
    assert r.status_code == 422, (r.status_code, r.text[:300])
