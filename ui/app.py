"""The Gradio app: `create_app(checker)` builds the Blocks (chat, "Check a text", "Sources"
tabs and the named API endpoints for `gradio_client`) without launching anything;
`ui.server` mounts it in the HTTP API and serves both.

Thin by design: state lives in `ui.chat`, rendering in `ui.render` / `ui.tables`, engine
calls in `ui.service`. Handlers here only translate between Gradio and those modules, and
turn `FactCheckError`s into messages (`gr.Error` or an inline error in the chat).
"""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from rag.errors import FactCheckError, InputError
from ui import chat, logs, render, tables
from ui.service import Delta, Final, Service, check_result

EXAMPLES = [
    "Would a Russian attack that hurts NATO trainers automatically trigger Article 5?",
    "Skulle en attack mot Nato-instruktörer automatiskt utlösa Artikel 5?",
    "How many NATO special operations soldiers were in Ukraine in March 2023?",
    "Krävs parlamentets godkännande för att Estland ska träna ukrainska soldater?",
]
CHECK_EXAMPLE = (
    "Kaja Kallas said that an attack on NATO trainers in Ukraine would automatically trigger "
    "Article 5. According to the Discord Leaks, there were 97 NATO special operations soldiers "
    "in Ukraine in March 2023. Estonia can train Ukrainian soldiers without parliamentary "
    "approval.")
# Gradio keeps every client session's state (about 70 KB each, measured: mostly a copy of
# every component's config) and evicts the oldest past this many; its default, 10,000,
# let a server grow by about 700 MB. An evicted session's conversation starts afresh.
SESSIONS_KEPT = 1000
INTRO = ("# factcheck\nAnswers come **only from the indexed articles**: every sentence is tied "
         "to a verbatim quote, with a verdict. Click a `[n]` marker to open the article at "
         "that passage. English and Swedish, either way round.")


def index_summary(service: Service) -> str:
    try:
        info = service.sources()
    except FactCheckError as exc:
        return f"**Index:** {exc}"
    rows = info["sources"]
    langs = sorted({r["lang"] for r in rows})
    return (f"**Index:** {len(rows)} articles ({', '.join(langs)}), "
            f"{sum(r['chunks'] for r in rows)} chunks — build `{info['build']}`")


def create_app(checker: Any, service: Service | None = None, *,
               sessions_kept: int = SESSIONS_KEPT) -> Any:
    import gradio as gr

    svc = service or Service(checker)

    limit = int(getattr(getattr(checker, "settings", None), "max_query_chars", 2000))

    def ui_respond(message: str, turns: list[chat.Turn]) -> Iterator[tuple[Any, ...]]:
        """Outputs: input box, chat, evidence panel, turns, inline notice. A question the
        UI can refuse by itself (empty, over the limit) is refused inline, under the
        input: the conversation stays as it was and nothing is posted."""
        question = (message or "").strip()
        problem = "" if question else "Type a question or a claim first."
        if len(question) > limit:
            problem = (f"The question is {len(question):,} characters; the limit is "
                       f"{limit:,}. Shorten it, or paste a longer text in the “Check a "
                       f"text” tab.")
        if problem:
            logs.refused("ui:chat", InputError(problem))
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), chat.notice_html(problem)
            return
        turns = [*turns, chat.Turn(question)]
        yield "", chat.chat_messages(turns), gr.skip(), turns, ""
        history = chat.history(turns[:-1])
        answer = None
        try:
            with logs.event("ui:chat") as log:
                for event in svc.ask_events(question, history):
                    if isinstance(event, Delta):
                        turns[-1] = replace(turns[-1], partial=turns[-1].partial + event.text)
                        yield "", chat.chat_messages(turns), gr.skip(), turns, ""
                    elif isinstance(event, Final):
                        answer = event.answer
                        turns[-1] = replace(turns[-1], answer=answer)
                        log["verdict"] = answer.verdict
                if answer is None:  # a stream that ended without its answer: say so
                    raise FactCheckError("no answer came back from the engine; try again")
        except FactCheckError as exc:
            turns[-1] = replace(turns[-1], error=str(exc))
            yield question, chat.chat_messages(turns), gr.skip(), turns, ""
            return
        panel = render.evidence_html(answer, svc.docs(), chat.turn_key(len(turns) - 1))
        yield "", chat.chat_messages(turns), panel, turns, ""

    def ui_lock() -> tuple[Any, Any]:
        # while a question is answered: no second submit (Enter or the button)
        return gr.update(interactive=False), gr.update(interactive=False)

    def ui_unlock() -> tuple[Any, Any]:
        return gr.update(interactive=True), gr.update(interactive=True)

    def ui_show_turn(turns: list[chat.Turn], evt: gr.SelectData) -> Any:
        i = chat.turn_of_message(evt.index if isinstance(evt.index, int) else evt.index[0])
        answer = turns[i].answer if i < len(turns) else None
        if answer is None:
            return gr.skip()
        return render.evidence_html(answer, svc.docs(), chat.turn_key(i))

    def ui_new_conversation() -> tuple[Any, ...]:
        return [], [], render.empty_evidence_html(), "", ""

    def ui_check(text: str) -> tuple[Any, str]:
        """Outputs: the claims table, the inline notice. A refused text (empty, no
        check-worthy claim) leaves the last table as it was and says why inline."""
        try:
            with logs.event("ui:check") as log:
                answers = svc.check(text or "")
                log["verdicts"] = ",".join(a.verdict for a in answers)
        except FactCheckError as exc:
            return gr.skip(), chat.notice_html(str(exc))
        from rag.pipeline import summarize

        return tables.claims_html(answers, svc.docs(), summarize(answers)), ""

    def ui_show_sources() -> tuple[str, str]:
        try:
            info = svc.sources()
        except FactCheckError as exc:
            return f"**Index:** {exc}", render.error_html(str(exc))
        return index_summary(svc), tables.sources_html(info["build"], info["sources"])

    def ui_reindex() -> tuple[str, str, str]:
        try:
            status = f"Re-indexed: {svc.reindex()}"
        except FactCheckError as exc:
            gr.Warning(str(exc))
            status = f"Not re-indexed: {exc}"
        return (status, *ui_show_sources())

    # Named endpoints for gradio_client: the same Answer contract as the HTTP API.
    def user_error(exc: FactCheckError) -> Exception:
        # the user's mistake: shown to them; the log has its one line (ui.logs), no trace
        return gr.Error(str(exc), print_exception=False)

    def ask_api(query: str, history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Answer a question or check one claim; returns the Answer contract."""
        try:
            with logs.event("ui:/ask") as log:
                answer = svc.ask(query, history)
                log["verdict"] = answer.verdict
            return answer.to_dict()
        except FactCheckError as exc:
            raise user_error(exc) from exc

    def check_api(text: str) -> dict[str, Any]:
        """Split a text into check-worthy claims and check each:
        {"summary": counts per verdict, "claims": [Answer, …]}."""
        try:
            with logs.event("ui:/check") as log:
                answers = svc.check(text)
                log["verdicts"] = ",".join(a.verdict for a in answers)
            return check_result(answers)
        except FactCheckError as exc:
            raise user_error(exc) from exc

    def sources_api() -> dict[str, Any]:
        """The indexed articles with provenance and chunk counts."""
        try:
            return svc.sources()
        except FactCheckError as exc:
            raise user_error(exc) from exc

    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Blocks(title="factcheck — cited answers from the articles") as app:
        gr.Markdown(INTRO)
        summary = gr.Markdown(index_summary(svc), elem_id="fc-index")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="Conversation", elem_id="fc-chat", height=560,
                            latex_delimiters=[], feedback_options=None, buttons=[],
                            placeholder="Ask about the indexed articles — in English or "
                                        "Swedish.")
                        with gr.Row():
                            box = gr.Textbox(show_label=False, lines=1, max_lines=6, scale=5,
                                             elem_id="fc-input", autofocus=True,
                                             placeholder="Ask a question or paste a claim…")
                            send = gr.Button("Ask", variant="primary", scale=1,
                                             elem_id="fc-send")
                        notice = gr.HTML("", elem_id="fc-notice", js_on_load=None)
                        gr.HTML(chat.counter_html(limit), elem_id="fc-counter",
                                js_on_load=None)
                        clear = gr.Button("New conversation", size="sm", elem_id="fc-clear")
                        gr.Examples(EXAMPLES, inputs=box, label="Examples (English and Swedish)")
                    with gr.Column(scale=2):
                        evidence = gr.HTML(render.empty_evidence_html(), js_on_load=None,
                                           elem_id="fc-evidence-panel", label="Evidence",
                                           padding=True)
                turns = gr.State([])
            with gr.Tab("Check a text", id="check"):
                text = gr.Textbox(label="Paste a paragraph: each check-worthy claim is "
                                        "checked on its own", lines=8, elem_id="fc-check-input")
                check_btn = gr.Button("Check claims", variant="primary", elem_id="fc-check-btn")
                check_notice = gr.HTML("", elem_id="fc-check-notice", js_on_load=None)
                gr.Examples([CHECK_EXAMPLE], inputs=text, label="Example")
                claims = gr.HTML(js_on_load=None, elem_id="fc-claims")
            with gr.Tab("Sources", id="sources"):
                sources = gr.HTML(js_on_load=None, elem_id="fc-sources")
                reindex_btn = gr.Button("Re-index the seeds folder", elem_id="fc-reindex")
                status = gr.Markdown(elem_id="fc-reindex-status")

        outs = [box, chatbot, evidence, turns, notice]
        # one listener for Enter and the button, "once": a second submit while the first
        # is pending is dropped (a double submit posted the question twice, or an empty
        # one), and Ask stays disabled until the answer is in
        gr.on([box.submit, send.click], ui_lock, None, [box, send], show_progress="hidden",
              trigger_mode="once", **private).then(
            ui_respond, [box, turns], outs, show_progress="hidden", **private).then(
            ui_unlock, None, [box, send], show_progress="hidden", **private)
        chatbot.select(ui_show_turn, turns, evidence, **private)
        fresh = [chatbot, turns, evidence, box, notice]
        clear.click(ui_new_conversation, None, fresh, **private)
        chatbot.clear(ui_new_conversation, None, fresh, **private)
        check_btn.click(ui_check, text, [claims, check_notice], **private)
        app.load(ui_show_sources, None, [summary, sources], **private)
        reindex_btn.click(ui_reindex, None, [status, summary, sources], **private)
        gr.api(ask_api, api_name="ask")
        gr.api(check_api, api_name="check")
        gr.api(sources_api, api_name="sources")
    app.state_session_capacity = sessions_kept  # read when the app is mounted
    return app
