"""Gradio keeps per-session state in the server (about 70 KB a session, measured with
tracemalloc under bench/load.py's gradio users); the app caps how many sessions it keeps,
so memory stays bounded however many clients come and go. Real server on 127.0.0.1, real
gradio_client sessions."""

from __future__ import annotations

from conftest import serve_app


def test_gradio_sessions_beyond_the_cap_are_evicted(checker):
    import gradio as gr
    from fastapi import FastAPI
    from gradio_client import Client

    from ui.app import SESSIONS_KEPT, create_app

    assert create_app(checker).state_session_capacity == SESSIONS_KEPT < 10_000
    blocks = create_app(checker, sessions_kept=3)
    blocks.queue()
    app = gr.mount_gradio_app(FastAPI(), blocks, path="/", ssr_mode=False)
    with serve_app(app) as url:
        for _ in range(7):  # seven clients, one session each
            client = Client(url + "/", verbose=False, analytics_enabled=False,
                            download_files=False)
            assert client.predict(api_name="/sources")["sources"]
            client.close()
        assert 0 < len(blocks.state_holder.session_data) <= 3
