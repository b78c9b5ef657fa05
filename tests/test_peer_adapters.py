"""The peer benchmark's adapters (bench/peer_adapters.py): LlamaIndex's CitationQueryEngine on
our real Chroma index of the seeds, with the real embedder; its LLM adapter against the
scripted OpenAI-compatible server. These keep bench/peer.py honest: the offline peer never
calls a model, the LLM peer really sends CitationQueryEngine's prompt through our client,
and a quote the peer cannot place in its article is reported invalid, not repaired."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import ROOT
from llm_helpers import QUESTION, Scripted, completion

from eval.scoring import citation_validity
from rag.backends.llm import OpenAIChatModel
from rag.index.vectors import make_llama_embedding

# loaded from its file, not by putting bench/ on sys.path: that would let bench/'s module
# names shadow installed packages for the whole test session
_spec = importlib.util.spec_from_file_location("bench_peer_adapters",
                                               ROOT / "bench" / "peer_adapters.py")
assert _spec is not None and _spec.loader is not None
_adapters = importlib.util.module_from_spec(_spec)
sys.modules["bench_peer_adapters"] = _adapters
_spec.loader.exec_module(_adapters)
NO_VERDICT = _adapters.NO_VERDICT
chat_llm = _adapters.chat_llm
citation_engine = _adapters.citation_engine
citations = _adapters.citations
no_llm = _adapters.no_llm
peer_answer = _adapters.peer_answer


@pytest.fixture(scope="module")
def snap(checker):
    return checker.snapshot()


@pytest.fixture(scope="module")
def embed_model(embedder):
    return make_llama_embedding(embedder)


@pytest.fixture()
def server():
    s = Scripted()
    yield s
    s.close()


def texts(snap) -> dict[str, str]:
    return {d.id: d.text for d in snap.docs.values()}


def test_offline_peer_cites_verbatim_sources_without_a_model(snap, embed_model):
    engine = citation_engine(snap.vectors, embed_model, no_llm(), top_k=3, synthesize=False)
    response = engine.query(QUESTION)  # NoLLM raises if anything asks it to write
    answer = peer_answer(QUESTION, "en", "question", response, snap.docs, 1.0, "peer")
    assert answer["verdict"] == NO_VERDICT
    assert [c["n"] for c in answer["citations"]] == [1, 2, 3]
    for c in answer["citations"]:
        assert c["source"] in snap.docs
        assert snap.docs[c["source"]].text[c["start"]:c["end"]] == c["quote"]
    assert citation_validity(answer, texts(snap))["valid"]
    ns = {c["n"] for c in answer["citations"]}
    assert answer["sentences"] and all(set(s["citations"]) <= ns for s in answer["sentences"])
    # every statement is one sentence of a cited chunk, quoted
    for s in answer["sentences"]:
        quote = s["text"].split("“", 1)[1].rsplit("”", 1)[0]
        assert quote in answer["citations"][s["citations"][0] - 1]["quote"]


def test_no_llm_refuses_to_write():
    with pytest.raises(RuntimeError, match="must not call an LLM"):
        no_llm().complete("anything")


def test_llm_peer_sends_citation_prompt_through_our_client(snap, embed_model, server):
    server.script = lambda body, i: completion(
        "Kallas said an attack would not automatically trigger Article 5 [2]. "
        "Poland agrees [9].")
    chat = OpenAIChatModel(server.url, "scripted", max_output_tokens=123)
    engine = citation_engine(snap.vectors, embed_model, chat_llm(chat, num_output=123),
                             top_k=3, synthesize=True)
    response = engine.query(QUESTION)
    assert len(server.requests) == 1
    body = server.requests[0]
    prompt = body["messages"][-1]["content"]
    assert "Source 1:" in prompt and "Source 3:" in prompt and QUESTION in prompt
    assert body["temperature"] == 0.0 and body["max_tokens"] == 123
    answer = peer_answer(QUESTION, "en", "question", response, snap.docs, 1.0, "peer")
    assert [s["citations"] for s in answer["sentences"]] == [[2], [9]]
    validity = citation_validity(answer, texts(snap))
    assert validity["problems"] == ["[9] resolves to no citation"]


def test_a_quote_missing_from_its_article_is_invalid(snap):
    from llama_index.core.schema import NodeWithScore, TextNode

    doc_id = next(iter(snap.docs))

    class Response:
        response = ""
        source_nodes = [NodeWithScore(node=TextNode(
            text="Source 1:\nA sentence no article contains.\n",
            metadata={"doc_id": doc_id, "lang": "en"}), score=0.5)]

    cites = citations(Response(), snap.docs)
    assert cites[0]["quote"] == "A sentence no article contains."
    assert (cites[0]["start"], cites[0]["end"]) == (-1, -1)
    answer = peer_answer("q", "en", "question", Response(), snap.docs, 1.0, "peer")
    assert not citation_validity(answer, texts(snap))["valid"]
