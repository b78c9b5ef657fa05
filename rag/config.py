"""One settings object, read from the environment once (`Settings.from_env()`).

The LLM key (FACTCHECK_LLM_API_KEY, else OPENAI_API_KEY) is not read here: it is resolved
on first use by `rag.backends.llm`, so the package imports and runs offline with no key set.
The LLM is configured by FACTCHECK_LLM_BASE_URL and FACTCHECK_LLM_MODEL; its other knobs
(timeouts, judge, drop or flag) are settings and CLI flags. FACTCHECK_AUTH (the web
server's basic-auth "user:password") is held as given, kept out of `repr`, and parsed by
`ui.auth`; FACTCHECK_CONCURRENCY and FACTCHECK_MAX_QUEUE bound the web server's engine calls;
FACTCHECK_LOCK_TIMEOUT_S is how long an ingest waits for another writer (then exit 4).
With FACTCHECK_CHROMA_URL (server mode), FACTCHECK_CHROMA_TIMEOUT_S bounds each request to
the Chroma server, FACTCHECK_LEASE_S is the writer lease and FACTCHECK_INDEX_POLL_S how often
a reader looks for a new build.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

# The variables read from the environment: name -> (setting, parser, what a bad value is
# told it must be). The other settings come from code and CLI flags only.
# Why not pydantic-settings: a BaseSettings would read a variable for every field (ten
# new ones, such as FACTCHECK_LLM_TIMEOUT_S, silently honoured), reads only os.environ
# (from_env takes a mapping, which the tests use) and is no dataclass, so the
# `dataclasses.replace(settings, …)` that callers use would break. This table is the
# whole of the environment handling.
_ENV: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "FACTCHECK_DATA_DIR": ("data_dir", Path, "a folder"),
    "FACTCHECK_SEEDS_DIR": ("seeds_dir", Path, "a folder"),
    "FACTCHECK_CHROMA_URL": ("chroma_url", str, "a URL"),
    "FACTCHECK_CHROMA_TIMEOUT_S": ("chroma_timeout_s", float, "a number of seconds"),
    "FACTCHECK_LEASE_S": ("lease_s", float, "a number of seconds"),
    "FACTCHECK_INDEX_POLL_S": ("index_poll_s", float, "a number of seconds"),
    "FACTCHECK_CHUNK_TOKENS": ("chunk_tokens", int, "an integer"),
    "FACTCHECK_TOP_K": ("top_k", int, "an integer"),
    "FACTCHECK_CONCURRENCY": ("concurrency", int, "an integer"),
    "FACTCHECK_MAX_QUEUE": ("max_queue", int, "an integer"),
    "FACTCHECK_LOCK_TIMEOUT_S": ("lock_timeout_s", float, "a number of seconds"),
    "FACTCHECK_LLM_BASE_URL": ("llm_base_url", str, "a URL"),
    "FACTCHECK_LLM_MODEL": ("llm_model", str, "a model name"),
    "FACTCHECK_AUTH": ("auth", str, "user:password"),
    "FACTCHECK_JUDGE": ("judge", str, "'nli' or 'rules'"),
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    seeds_dir: Path = Path("seeds")
    chroma_url: str | None = None  # set: the whole index lives in that Chroma server
    chroma_timeout_s: float = 30.0  # server mode: one request to the Chroma server, at most
    lease_s: float = 30.0  # server mode: a writer's lease lasts this long unless renewed
    index_poll_s: float = 1.0  # server mode: how often a reader checks for a new build
    chunk_tokens: int = 160  # tiktoken cl100k tokens per chunk, upper bound
    chunk_overlap: int = 1  # sentences shared by consecutive chunks of a segment
    max_file_bytes: int = 5_000_000
    lock_timeout_s: float = 10.0
    top_k: int = 8  # hits kept after fusion
    max_query_chars: int = 2000
    llm_base_url: str | None = None  # any OpenAI-compatible endpoint; unset = extractive only
    llm_model: str | None = None  # unset: the first model the endpoint lists
    llm_connect_timeout_s: float = 5.0
    llm_timeout_s: float = 60.0  # read timeout: a whole reply, or the gap between streamed tokens
    llm_max_retries: int = 2  # on 429, 5xx and failed connections; never on a timeout
    llm_max_prompt_tokens: int = 3000  # tiktoken cl100k; evidence is trimmed to fit
    llm_max_output_tokens: int = 400
    llm_judge: bool = False  # the LLM judges the evidence instead of the offline judge
    # the offline judge: "rules" (the rule-based judge, uncalibrated) or "nli" (the trained
    # model and the rules, each vetoing the other, calibrated: rag.judge.nli). "rules" stays
    # the default until "nli" passes the release gate (README, "How good is it")
    judge: str = "rules"
    llm_unsupported: str = "drop"  # unsupported generated sentences: "drop" or "flag"
    concurrency: int = 2  # web UI + HTTP API: engine calls at once (both share the bound)
    max_queue: int = 32  # requests that may wait for a slot; the rest are refused (503)
    auth: str | None = field(default=None, repr=False)  # "user:password"; parsed by ui.auth

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for key, (name, parse, what) in _ENV.items():
            if env.get(key):  # unset and empty both mean the default
                try:
                    values[name] = parse(env[key])
                except ValueError as exc:
                    raise ConfigError(f"{key} must be {what}, got {env[key]!r}") from exc
        known = {f.name for f in fields(cls)}
        for key, value in overrides.items():
            if key not in known:
                raise ConfigError(f"unknown setting {key!r}; known: {', '.join(sorted(known))}")
            if value is not None:
                values[key] = Path(value) if key in ("data_dir", "seeds_dir") else value
        settings = replace(cls(), **values)
        if settings.chunk_tokens < 32:
            raise ConfigError("chunk_tokens must be at least 32")
        if settings.llm_unsupported not in ("drop", "flag"):
            raise ConfigError(f"llm_unsupported must be 'drop' or 'flag', "
                              f"got {settings.llm_unsupported!r}")
        if settings.judge not in ("nli", "rules"):
            raise ConfigError(f"FACTCHECK_JUDGE must be 'nli' or 'rules', got {settings.judge!r}")
        if settings.concurrency < 1 or settings.max_queue < 1:
            raise ConfigError("FACTCHECK_CONCURRENCY and FACTCHECK_MAX_QUEUE must be at "
                              "least 1")
        if not settings.lock_timeout_s >= 0:  # also refuses NaN
            raise ConfigError("FACTCHECK_LOCK_TIMEOUT_S must be 0 (fail at once) or more")
        if not min(settings.chroma_timeout_s, settings.lease_s, settings.index_poll_s) > 0:
            raise ConfigError("FACTCHECK_CHROMA_TIMEOUT_S, FACTCHECK_LEASE_S and "
                              "FACTCHECK_INDEX_POLL_S must be positive (seconds)")
        if settings.llm_timeout_s <= 0 or settings.llm_connect_timeout_s <= 0:
            raise ConfigError("LLM timeouts must be positive (seconds)")
        return settings
