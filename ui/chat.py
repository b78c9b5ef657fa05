"""Conversation state for the chat tab: the turns so far, the chat messages they render to,
and the history handed to the engine for follow-up questions.

Pure: no Gradio and no engine calls. A `Turn` holds the `Answer` object itself, so the
evidence panel for any earlier turn can be re-rendered when the user selects it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.types import Answer
from ui.render import answer_html, error_html, esc, pending_html

# the character counter appears from this share of the limit on
COUNTER_FROM = 0.8


@dataclass(frozen=True)
class Turn:
    question: str
    answer: Answer | None = None
    error: str | None = None
    partial: str = ""  # text streamed so far by a generative backend; empty offline


def turn_key(index: int) -> str:
    return f"t{index}"


def question_html(question: str) -> str:
    # an HTML block, so the chat's Markdown shows the question literally (no *, #, <…>)
    return f'<p class="fc-question">{esc(question)}</p>'.replace("\n", "<br>")


def chat_messages(turns: Sequence[Turn]) -> list[dict[str, str]]:
    """Turns -> the chat's messages: a user message and an assistant message per turn."""
    messages: list[dict[str, str]] = []
    for i, t in enumerate(turns):
        messages.append({"role": "user", "content": question_html(t.question)})
        if t.answer is not None:
            content = answer_html(t.answer, turn_key(i))
        elif t.error is not None:
            content = error_html(t.error)
        else:
            content = pending_html(t.partial)
        messages.append({"role": "assistant", "content": content})
    return messages


def turn_of_message(message_index: int) -> int:
    """Which turn a chat message belongs to (two messages per turn)."""
    return max(message_index, 0) // 2


def history(turns: Sequence[Turn]) -> list[dict[str, str]]:
    """Earlier answered turns as OpenAI-style messages, oldest first (what `ask` receives)."""
    out: list[dict[str, str]] = []
    for t in turns:
        if t.answer is None:
            continue
        out.append({"role": "user", "content": t.question})
        out.append({"role": "assistant", "content": t.answer.answer})
    return out


def notice_html(message: str) -> str:
    """A reason shown inline under the input (an empty Ask, a question over the limit,
    no check-worthy claim): the conversation stays as it was. "" clears it."""
    if not message:
        return ""
    return f'<div class="fc-notice" role="alert">{esc(message)}</div>'


def counter_html(limit: int) -> str:
    """The character counter under the input: the page's script (`ui.assets.HEAD`) fills
    it as the user types, from this share of `limit` on — client-side, no server round
    trip per keystroke."""
    return (f'<span class="fc-count" data-limit="{int(limit)}" data-from="{COUNTER_FROM}" '
            f'aria-live="polite"></span>')
