"""Interim web page (the full chat UI is a separate issue): states the index size and
answers one question at a time with the verdict, the cited answer and its sources.

`create_app(checker)` builds the Blocks without launching; `launch` binds 127.0.0.1 by
default and never uses `share=True`.
"""

from __future__ import annotations

import html
from typing import Any

from rag.config import Settings


def index_summary(checker: Any) -> str:
    snap = checker.snapshot()
    langs = sorted({d.lang for d in snap.docs.values()})
    return (f"**Index:** {len(snap.docs)} articles ({', '.join(langs)}), "
            f"{len(snap.chunks)} chunks — build `{snap.build_id}`")


def render_answer_html(answer: Any) -> str:
    """Answer -> escaped HTML: verdict badge, answer text, numbered sources."""
    rows = [f"<p><b>Verdict:</b> {html.escape(answer.verdict)} "
            f"(confidence {answer.confidence:.2f})</p>",
            "<p>" + "<br>".join(html.escape(s.text) for s in answer.sentences) + "</p>"
            if answer.sentences else f"<p>{html.escape(answer.answer)}</p>"]
    if answer.citations:
        rows.append("<ol>")
        for c in answer.citations:
            rows.append(f"<li><b>{html.escape(c.title)}</b> [{html.escape(c.lang)}, "
                        f"{html.escape(c.stance)}] — {html.escape(c.reason)}<br>"
                        f"<q>{html.escape(c.quote)}</q> <small>({html.escape(c.source)} "
                        f"chars {c.start}–{c.end})</small></li>")
        rows.append("</ol>")
    return "\n".join(rows)


def create_app(checker: Any) -> Any:
    import gradio as gr

    from rag.errors import FactCheckError

    def answer(question: str) -> str:
        try:
            return render_answer_html(checker.ask(question))
        except FactCheckError as exc:
            raise gr.Error(str(exc)) from exc

    with gr.Blocks(title="factcheck") as app:
        gr.Markdown("# factcheck\nAnswers only from the indexed articles, with verbatim, "
                    "cited quotes. (Interim page: the full chat UI is on its way.)")
        gr.Markdown(index_summary(checker))
        box = gr.Textbox(label="Question or claim", lines=2)
        out = gr.HTML()
        gr.Button("Check").click(answer, box, out, api_name="ask")
        box.submit(answer, box, out)
    return app


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    from rag.offline import ensure_offline

    ensure_offline()
    from rag.pipeline import FactChecker

    checker = FactChecker.from_settings(settings)
    app = create_app(checker)
    app.queue(max_size=32).launch(server_name=host, server_port=port, share=False,
                                  show_error=True)
