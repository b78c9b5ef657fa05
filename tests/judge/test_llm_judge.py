"""The LLM judge over a scripted OpenAI-compatible server: the `Judge` contract every judge
passes, JSON mode at temperature 0, the cache, and failing closed on bad output."""

from __future__ import annotations

import json
import re
import socket
from typing import Any

import pytest
import test_judge_contract as contract
from llm_helpers import QUESTION, Reply, Scripted, completion

from rag.backends.llm import OpenAIChatModel
from rag.config import Settings
from rag.judge.heuristic import OfflineJudge
from rag.judge.llm import INVALID, MISSING, LLMJudge, parse_judgements
from rag.pipeline import FactChecker
from rag.query.analyse import analyse
from rag.types import Evidence, Sentence


@pytest.fixture()
def server():
    s = Scripted()
    yield s
    s.close()


def offline_answers(embedder) -> Any:
    """A scripted judge that answers what the offline judge would, read from the prompt:
    it proves the request carries the statement and every evidence item, in order."""
    judge = OfflineJudge(embedder)

    def script(body: dict[str, Any], i: int) -> Reply:
        user = body["messages"][-1]["content"]
        statement = re.match(r"(?:Statement|Question): (.*)", user).group(1)
        items = re.findall(r'<evidence n="(\d+)" lang="(\w+)">\n(.*?)\n</evidence>', user, re.S)
        ev = [Evidence(Sentence("doc", "chunk", 0, len(t), t, lang), "Title", 0.8,
                       similarity=0.8, context=t) for _, lang, t in items]
        out = judge.judge(analyse(statement), ev)
        return completion(json.dumps({"judgements": [
            {"n": int(n), "stance": j.stance, "score": j.score, "reason": j.reason}
            for (n, _, _), j in zip(items, out, strict=True)]}))
    return script


def llm_judge(url: str) -> LLMJudge:
    return LLMJudge(OpenAIChatModel(url, "scripted", timeout_s=5.0, connect_timeout_s=1.0))


class TestLLMJudgeContract(contract.TestJudgeContract):
    @pytest.fixture()
    def judge(self, server, embedder):
        server.script = offline_answers(embedder)
        return llm_judge(server.url)


def _ev(text: str) -> Evidence:
    return Evidence(Sentence("doc", "chunk", 0, len(text), text, "en"), "Title", 0.8)


def test_json_mode_temperature_zero_and_cached_by_input(server, embedder):
    server.script = offline_answers(embedder)
    judge = llm_judge(server.url)
    q = analyse("Poland signed contracts worth over 4 billion euros.")
    ev = [_ev("Poland signed contracts worth over 4 billion euros.")]
    first = judge.judge(q, ev)
    assert judge.judge(q, ev) == first and len(server.requests) == 1
    judge.judge(q, [*ev, _ev("The weather was fine.")])
    assert len(server.requests) == 2
    body = server.requests[0]
    assert body["response_format"] == {"type": "json_object"} and body["temperature"] == 0


def test_invalid_output_fails_closed():
    assert parse_judgements("Sure! The first one supports.", 2) == \
        [parse_judgements("", 1)[0]] * 2
    assert parse_judgements("", 1)[0].stance == "neutral" and \
        parse_judgements("", 1)[0].reason == INVALID
    out = parse_judgements(json.dumps({"judgements": [
        {"n": 1, "stance": "supports", "score": 0.9, "reason": "same"},
        {"n": 2, "stance": "maybe", "score": 0.5},
        {"n": 3, "stance": "refutes", "score": 7},
        {"n": 9, "stance": "supports", "score": 1.0},
        {"n": True, "stance": "supports", "score": 1.0}]}), 4)
    assert [(j.stance, j.score) for j in out] == [("supports", 0.9), ("neutral", 0.0),
                                                  ("neutral", 0.0), ("neutral", 0.0)]
    assert [j.reason for j in out[1:]] == [INVALID, INVALID, MISSING]
    fenced = '```json\n{"judgements": [{"n": 1, "stance": "refutes", "score": 0.8}]}\n```'
    assert parse_judgements(fenced, 1)[0].stance == "refutes"


def checker_with_llm_judge(url: str, seeds_index, embedder) -> FactChecker:
    s = Settings.from_env(data_dir=seeds_index, llm_base_url=url, llm_model="scripted",
                          llm_judge=True, llm_timeout_s=2.0, llm_connect_timeout_s=1.0,
                          llm_max_retries=0)
    chat = OpenAIChatModel.from_settings(s)
    return FactChecker(s, embedder, LLMJudge(chat), chat)


def test_invalid_judge_json_is_unsupported_end_to_end(server, seeds_index, embedder):
    server.script = lambda body, i: completion("{not json")
    answer = checker_with_llm_judge(server.url, seeds_index, embedder).ask(QUESTION)
    assert answer.verdict == "not_enough_info" and not answer.citations
    assert any(w.code == "judge_output_invalid" for w in answer.warnings)
    assert answer.backend["judge"] == "llm:scripted"
    assert len(server.requests) == 1  # no generation for a refusal


def test_judge_endpoint_down_falls_back_to_the_offline_judge(seeds_index, embedder, checker):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    answer = checker_with_llm_judge(f"http://127.0.0.1:{port}/v1", seeds_index,
                                    embedder).ask(QUESTION)
    offline = checker.ask(QUESTION)
    assert "llm_unavailable: connection failed" in map(str, answer.warnings)
    assert answer.backend["judge"] == offline.backend["judge"]
    assert (answer.verdict, answer.answer) == (offline.verdict, offline.answer)
