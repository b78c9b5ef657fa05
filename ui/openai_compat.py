"""An OpenAI-compatible `POST /v1/chat/completions` (and `GET /v1/models`) over the engine,
so any OpenAI client can use the fact-checker.

The last user message is the query; earlier user/assistant messages are the history for
follow-ups; system messages are ignored (instructions cannot change how answers are
checked). The message content is the answer with `[n]` markers; the response carries the
whole Answer contract under `factcheck` (verdict, confidence, citations with offsets…).
Streaming sends the answer in `chat.completion.chunk` events and puts `factcheck` on the
last chunk — when a generative backend streams, that final object is the verified answer
and is authoritative over the streamed text.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Generator, Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.errors import InputError
from rag.types import Answer
from ui.service import Delta, Final

MODEL = "factcheck"


class ModelNotFound(InputError):
    """A `/v1` request named a model this server does not serve (HTTP 404, as OpenAI)."""


def check_model(name: str) -> None:
    """Only `factcheck` is served: a client asking for "gpt-4o" learns it is not talking to
    that model, as OpenAI answers an unknown model (404 `model_not_found`), instead of
    getting fact-check answers under another model's name."""
    if name != MODEL:
        raise ModelNotFound(f"the model {name!r} does not exist here; this server serves "
                            f"one model, {MODEL!r} (GET /v1/models)")


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens… are accepted, unused
    model: str = MODEL
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None


def text_of(message: Message) -> str:
    if message.content is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    texts = []
    for part in message.content:
        if part.type != "text":
            raise InputError(f"only text content is supported, got a {part.type!r} part")
        if part.text is None:
            raise InputError("a content part of type 'text' needs a 'text' string")
        texts.append(part.text)
    return "\n".join(texts)


def to_query(request: ChatRequest) -> tuple[str, list[dict[str, str]]]:
    """(query, history) from the messages: the last one must be the user's."""
    last = request.messages[-1]
    if last.role != "user":
        raise InputError("the last message must have role 'user' (the question or claim)")
    history = [{"role": m.role, "content": text_of(m)} for m in request.messages[:-1]
               if m.role in ("user", "assistant")]
    return text_of(last), history


def usage(prompt: str, completion: str) -> dict[str, int]:
    from rag.nlp.text import count_tokens

    p, c = count_tokens(prompt), count_tokens(completion)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def new_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


def completion(answer: Answer, model: str = MODEL, cid: str | None = None,
               created: int | None = None) -> dict[str, Any]:
    return {
        "id": cid or new_id(), "object": "chat.completion",
        "created": int(time.time()) if created is None else created, "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": answer.answer}}],
        "usage": usage(answer.query, answer.answer),
        "factcheck": answer.to_dict(),
    }


def _chunk(cid: str, created: int, model: str, delta: dict[str, Any],
           finish: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                         "logprobs": None}], **extra}


def chunks(events: Iterable[Delta | Final], model: str = MODEL,
           include_usage: bool = False) -> Iterator[dict[str, Any]]:
    """Answer events -> `chat.completion.chunk` objects, the verified Answer on the last."""
    cid, created = new_id(), int(time.time())
    yield _chunk(cid, created, model, {"role": "assistant", "content": ""})
    streamed = False
    for event in events:
        if isinstance(event, Delta):
            streamed = True
            yield _chunk(cid, created, model, {"content": event.text})
            continue
        answer = event.answer
        if not streamed:  # an answer composed in one step: send it sentence by sentence
            lines = answer.answer.split("\n")
            for i, line in enumerate(lines):
                piece = line + ("\n" if i < len(lines) - 1 else "")
                yield _chunk(cid, created, model, {"content": piece})
        yield _chunk(cid, created, model, {}, "stop", factcheck=answer.to_dict())
        if include_usage:
            last = {"id": cid, "object": "chat.completion.chunk", "created": created,
                    "model": model, "choices": [], "usage": usage(answer.query, answer.answer)}
            yield last


def sse(objects: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for obj in objects:
        yield f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()
    yield b"data: [DONE]\n\n"


def started(events: Generator[Delta | Final, None, None]) -> Iterator[Delta | Final]:
    """Run the stream up to its first event now, so errors become an HTTP status rather
    than a broken stream; the returned iterator replays that event first, and closes the
    stream (releasing its engine slot) when it is closed or collected."""
    first = next(events)

    def replay() -> Iterator[Delta | Final]:
        try:
            yield first
            yield from events
        finally:
            events.close()

    return replay()


def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0,
                                        "owned_by": "factcheck"}]}
