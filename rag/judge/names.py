"""Is a named entity mentioned in a text, in either language?

Lexical first (`rag.nlp.entities.entity_found`: the word, its stems, a shared prefix, the
en/sv country table).
Names that change between English and Swedish ("Nordatlantiska"/"North Atlantic",
"Ryssland"/"Russia") are then matched by meaning: the entity's E5 query embedding against
the capitalised phrases of the text. Measured with multilingual-e5-small: translations
score 0.88-0.92, the closest confusers (Sverige/Switzerland, Lettland/Lithuania) 0.85-0.86.
"""

from __future__ import annotations

import threading

import numpy as np

from rag.backends.embed import Embedder
from rag.nlp.align import sentence_keys
from rag.nlp.entities import CAP_RUN, entity_found
from rag.nlp.text import WORD_RE

SAME_NAME_COS = 0.875
_MAX_CACHE = 50_000


class NameMatcher:
    def __init__(self, embedder: Embedder | None) -> None:
        self._embedder = embedder
        self._queries: dict[str, np.ndarray] = {}
        self._passages: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _phrases(self, text: str) -> list[str]:
        out: list[str] = []
        for m in CAP_RUN.finditer(text):
            words = m.group(0).split()
            for n in range(1, len(words) + 1):  # every prefix: "North", "North Atlantic", …
                phrase = " ".join(words[:n])
                if phrase not in out:
                    out.append(phrase)
        return out

    def _vectors(self, texts: list[str], query: bool) -> np.ndarray:
        assert self._embedder is not None
        cache = self._queries if query else self._passages
        with self._lock:
            todo = [t for t in texts if t not in cache]
            if todo:
                if len(cache) > _MAX_CACHE:
                    cache.clear()
                fn = self._embedder.embed_queries if query else self._embedder.embed_passages
                for t, v in zip(todo, fn(todo), strict=True):
                    cache[t] = v
            return np.stack([cache[t] for t in texts])

    def locate(self, entity: str, text: str) -> list[int]:
        """Character offsets in `text` where the entity is named (lexically, or by the
        meaning of a capitalised phrase)."""
        hits = [m.start() for m in WORD_RE.finditer(text)
                if entity_found(entity, sentence_keys(m.group(0)))]
        if hits or self._embedder is None:
            return hits
        spans = [(m.start(), m.group(0)) for m in CAP_RUN.finditer(text)]
        if not spans:
            return []
        q = self._vectors([entity], query=True)[0]
        out = []
        for start, phrase in spans:
            subs = self._phrases(phrase)
            if float(np.max(self._vectors(subs, query=False) @ q)) >= SAME_NAME_COS:
                out.append(start)
        return out

    def found(self, entity: str, text: str) -> bool:
        if entity_found(entity, sentence_keys(text)):
            return True
        if self._embedder is None:
            return False
        phrases = self._phrases(text)
        if not phrases:
            return False
        q = self._vectors([entity], query=True)[0]
        return float(np.max(self._vectors(phrases, query=False) @ q)) >= SAME_NAME_COS
