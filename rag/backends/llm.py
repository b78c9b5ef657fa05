"""The `ChatModel` Protocol and its one implementation over any OpenAI-compatible endpoint
(OpenAI, vLLM, Ollama, llama.cpp's server). The only module that imports `openai`.

What it does: explicit connect and read timeouts; bounded retries with backoff on 429,
5xx and failed connections; a cap on prompt tokens (tiktoken cl100k, the same counter as
the chunker) and on output tokens; every transport failure becomes `LLMUnavailableError`
with a short reason, which callers turn into the `llm_unavailable: <reason>` warning.
What it does not do: build prompts, parse answers or decide what to trust (generate.py,
llm_judge.py and verify.py do).

Retries use tenacity rather than the client's own `max_retries` because the client also
retries read timeouts: a hung server would then cost (1 + retries) × the read timeout
before the user gets the degraded answer. Here a timeout fails at once; rate limits, 5xx
and refused connections are retried with exponential backoff (honouring a short
`Retry-After`). A stream is retried only until its first byte: tokens already shown are
never replayed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from rag.config import Settings
from rag.errors import FactCheckError
from rag.nlp.text import count_tokens

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "…"}

MAX_RETRY_AFTER_S = 10.0  # a longer Retry-After is not worth the user's wait: degrade instead
_NO_KEY = "no-key"  # local servers (llama.cpp, Ollama, vLLM) need none; the client needs a str


class LLMUnavailableError(FactCheckError):
    """The endpoint could not give an answer: down, timing out, rate-limited, cut off."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"LLM unavailable: {reason}; check FACTCHECK_LLM_BASE_URL and the "
                         f"server, or unset it to answer extractively")
        self.reason = reason


class PromptTooLongError(LLMUnavailableError):
    """The prompt is over the configured token cap even after trimming."""


class EmptyReplyError(LLMUnavailableError):
    """The endpoint answered with no choice in the reply (callers that treat a blank answer
    as invalid output, like the eval judge, tell it from a transport failure)."""


@runtime_checkable
class ChatModel(Protocol):
    @property
    def name(self) -> str: ...  # the model, shown as backend "llm:<name>"

    def complete(self, messages: list[Message], *, max_tokens: int | None = None,
                 json_mode: bool = False) -> str: ...

    def stream(self, messages: list[Message], *,
               max_tokens: int | None = None) -> Iterator[str]: ...


def prompt_tokens(messages: list[Message]) -> int:
    """cl100k tokens of the messages, plus a few per message for the chat template."""
    return sum(count_tokens(m["content"]) + 4 for m in messages)


def resolve_api_key(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("FACTCHECK_LLM_API_KEY") or env.get("OPENAI_API_KEY") or _NO_KEY


def client_error(exc: BaseException) -> str | None:
    """`<type>: <message>` of the `openai` exception behind an `LLMUnavailableError` from
    this module (e.g. "InternalServerError: Error code: 500 …"), for callers that report
    what the client saw without importing it; None where the client raised nothing (an
    empty reply, a prompt over the cap, an endpoint that lists no model)."""
    import openai
    from tenacity import RetryError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, openai.OpenAIError):
            return f"{type(seen).__name__}: {seen}"
        seen = seen.last_attempt.exception() if isinstance(seen, RetryError) else seen.__cause__
    return None


def _reason(exc: BaseException) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited (HTTP 429)"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    return type(exc).__name__


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return False
    return isinstance(exc, openai.RateLimitError | openai.InternalServerError
                      | openai.APIConnectionError)


def _wait(state: Any) -> float:
    """Retry-After when the server sends a short one, else 0.5 s, 1 s, 2 s … (capped)."""
    exc = state.outcome.exception() if state.outcome else None
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            after = float(response.headers.get("retry-after", ""))
        except ValueError:
            after = -1.0
        if 0 <= after <= MAX_RETRY_AFTER_S:
            return after
    return float(min(0.5 * 2 ** (state.attempt_number - 1), 8.0))


class OpenAIChatModel:
    """Chat completions over an OpenAI-compatible endpoint. The client, the API key and
    (when no model is configured) the model name are resolved on first use."""

    def __init__(self, base_url: str, model: str | None = None, *,
                 connect_timeout_s: float = 5.0, timeout_s: float = 60.0,
                 max_retries: int = 2, max_prompt_tokens: int = 3000,
                 max_output_tokens: int = 400, env: Mapping[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._model = model
        self.connect_timeout_s = connect_timeout_s
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.max_prompt_tokens = max_prompt_tokens
        self.max_output_tokens = max_output_tokens
        self._env = env
        self._client: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIChatModel:
        if not settings.llm_base_url:
            raise ValueError("no LLM endpoint configured")  # a bug: the caller checks first
        return cls(settings.llm_base_url, settings.llm_model,
                   connect_timeout_s=settings.llm_connect_timeout_s,
                   timeout_s=settings.llm_timeout_s, max_retries=settings.llm_max_retries,
                   max_prompt_tokens=settings.llm_max_prompt_tokens,
                   max_output_tokens=settings.llm_max_output_tokens)

    @property
    def name(self) -> str:
        return self._model or "unresolved"

    def _get(self) -> Any:
        with self._lock:
            if self._client is None:
                import openai

                timeout = openai.Timeout(self.timeout_s, connect=self.connect_timeout_s)
                self._client = openai.OpenAI(base_url=self.base_url,
                                             api_key=resolve_api_key(self._env),
                                             timeout=timeout, max_retries=0)
            return self._client

    def _call(self, fn: Any) -> Any:
        """Run `fn` with bounded retries; failures become LLMUnavailableError."""
        import openai
        from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt

        try:
            for attempt in Retrying(stop=stop_after_attempt(self.max_retries + 1),
                                    retry=retry_if_exception(_retryable), wait=_wait,
                                    reraise=False):
                with attempt:
                    return fn()
        except RetryError as exc:
            last = exc.last_attempt.exception()
            raise LLMUnavailableError(_reason(last) if last else "retries exhausted") from exc
        except openai.OpenAIError as exc:
            raise LLMUnavailableError(_reason(exc)) from exc
        except ValueError as exc:  # a 200 whose body is not JSON (a proxy's HTML page)
            raise LLMUnavailableError("invalid reply (not JSON)") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def model(self) -> str:
        """The configured model, else the first one the endpoint lists."""
        if self._model is None:
            listed = self._call(lambda: self._get().models.list())
            ids = [m.id for m in getattr(listed, "data", [])]
            if not ids:
                raise LLMUnavailableError("the endpoint lists no model; set FACTCHECK_LLM_MODEL")
            self._model = str(ids[0])
        return self._model

    def _request(self, messages: list[Message], max_tokens: int | None) -> dict[str, Any]:
        used = prompt_tokens(messages)
        if used > self.max_prompt_tokens:
            raise PromptTooLongError(f"prompt has {used} tokens, over the cap of "
                                     f"{self.max_prompt_tokens}")
        # the configured cap bounds answers; a caller that knows its reply's size (the
        # judge's JSON grows with the evidence) asks for that instead
        return {"model": self.model(), "messages": messages, "temperature": 0.0,
                "max_tokens": max_tokens or self.max_output_tokens}

    def complete(self, messages: list[Message], *, max_tokens: int | None = None,
                 json_mode: bool = False) -> str:
        kwargs = self._request(messages, max_tokens)
        if json_mode:
            # llama.cpp's server rejects json_schema; json_object is understood everywhere
            kwargs["response_format"] = {"type": "json_object"}
        reply = self._call(lambda: self._get().chat.completions.create(**kwargs))
        choices = getattr(reply, "choices", None)
        if not choices:
            raise EmptyReplyError("empty reply")
        try:  # the client does not validate replies: JSON of another shape gets here
            return str(choices[0].message.content or "")
        except (AttributeError, TypeError, IndexError, KeyError) as exc:
            raise LLMUnavailableError("invalid reply (not a chat completion)") from exc

    def stream(self, messages: list[Message], *,
               max_tokens: int | None = None) -> Iterator[str]:
        import openai

        kwargs = self._request(messages, max_tokens)
        chunks = self._call(lambda: self._get().chat.completions.create(**kwargs, stream=True))
        finished = False
        try:
            for chunk in chunks:
                for choice in chunk.choices or ():
                    if choice.delta is not None and choice.delta.content:
                        if not isinstance(choice.delta.content, str):
                            raise TypeError("delta content is not text")
                        yield choice.delta.content
                    if choice.finish_reason:
                        finished = True
        except openai.OpenAIError as exc:
            raise LLMUnavailableError(f"stream cut: {_reason(exc)}") from exc
        except (ValueError, AttributeError, TypeError) as exc:  # a malformed event
            raise LLMUnavailableError("stream cut: malformed event") from exc
        if not finished:
            raise LLMUnavailableError("stream cut: ended before the model finished")
