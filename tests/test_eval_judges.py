"""Support judges: one contract every SupportScorer passes (offline, engine, LLM), the
offline scorer's classic hard negatives, and the LLM judge against a real scripted
OpenAI-compatible HTTP server on 127.0.0.1 (http.server in a thread, reached through the
real `openai` client): JSON mode at temperature 0, invalid output = unsupported, the
on-disk cache, k runs with their spread, unreachable endpoints, and `eval judge` end to end."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from eval.dataset import SUPPORT_LABELS
from eval.judges import EngineJudgeScorer, SupportScorer, describe
from eval.llm_judge import JudgeError, LLMJudge, parse
from eval.offline_judge import OfflineScorer
from rag.errors import ConfigError

PASSAGE = ("The Discord Leaks revealed that as of March 2023, there were 97 NATO special "
           "operations soldiers in the country.")


class Scripted:
    """An OpenAI-compatible chat endpoint whose replies a test scripts:
    `reply(body, i)` returns the assistant's content, or an int HTTP status."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str] = []
        self.reply: Callable[[dict[str, Any], int], str | int] = \
            lambda body, i: '{"label": "supported", "reason": "scripted"}'
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                data = json.dumps({"object": "list", "data": [
                    {"id": "listed-model", "object": "model", "created": 0,
                     "owned_by": "scripted"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                outer.auth.append(self.headers.get("Authorization", ""))
                out = outer.reply(body, len(outer.requests) - 1)
                if isinstance(out, int):
                    data = json.dumps({"error": {"message": "scripted", "type": "x"}}).encode()
                    self.send_response(out)
                    self.send_header("retry-after-ms", "5")
                else:
                    data = json.dumps({
                        "id": "x", "object": "chat.completion", "created": 0,
                        "model": body.get("model", ""),
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": out}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                                  "total_tokens": 2}}).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def server() -> Iterator[Scripted]:
    s = Scripted()
    yield s
    s.close()


def claim_and_passage(body: dict[str, Any]) -> tuple[str, str]:
    user = body["messages"][-1]["content"]
    claim, passage = user.split("\n\nPASSAGE:\n", 1)
    return claim.removeprefix("CLAIM:\n"), passage


def substring_rule(body: dict[str, Any], i: int) -> str:
    claim, passage = claim_and_passage(body)
    label = "supported" if claim in passage else "unsupported"
    return json.dumps({"label": label, "reason": "scripted substring rule"})


# ------------------------------------------------------------------- the contract

@pytest.fixture(params=["offline", "engine", "llm"])
def scorer(request, embedder, server, tmp_path) -> SupportScorer:
    if request.param == "offline":
        return OfflineScorer(embedder)
    if request.param == "engine":
        return EngineJudgeScorer(embedder)
    server.reply = substring_rule
    return LLMJudge(server.url, "scripted-model", api_key="k", cache_dir=tmp_path / "cache")


class TestSupportScorerContract:
    """Every judge: a known label for any input, the same answer twice, a verbatim
    passage supports itself, and a JSON-serialisable description of what produced it."""

    PAIRS = [(PASSAGE, PASSAGE),
             ("There were 97 NATO special operations soldiers in Ukraine.", PASSAGE),
             ("Sweden won the football world cup.", PASSAGE),
             ("Det fanns 97 specialförbandssoldater från Nato i landet.", PASSAGE),
             ("", PASSAGE)]

    def test_is_a_support_scorer(self, scorer):
        assert isinstance(scorer, SupportScorer)
        d = describe(scorer)
        assert d["name"] and d["version"]
        json.dumps(d)

    def test_labels_are_known_and_deterministic(self, scorer):
        for claim, passage in self.PAIRS:
            first = scorer.score(claim, passage)
            assert first.label in SUPPORT_LABELS
            assert scorer.score(claim, passage).label == first.label

    def test_verbatim_passage_supports_itself(self, scorer):
        assert scorer.score(PASSAGE, PASSAGE).label == "supported"


@pytest.mark.parametrize("claim, label", [
    ("As of March 2023 the Discord Leaks showed 97 NATO special operations soldiers in "
     "the country.", "supported"),
    ("As of March 2023 the Discord Leaks showed 79 NATO special operations soldiers in "
     "the country.", "refuted"),
    ("Enligt Discord-läckorna fanns det över 500 Nato-specialförbandssoldater i landet i "
     "mars 2023.", "refuted"),
    ("Poland's defence minister ruled out a Russian attack after the war in Ukraine.",
     "refuted"),
    ("Poland's defence minister said Poland does not rule out a Russian attack after the "
     "war in Ukraine.", "supported"),
])
def test_offline_scorer_hard_negatives(embedder, claim, label):
    passages = {"97": PASSAGE, "rule": "Polish Defense Minister Władysław Kosiniak-Kamysz "
                "indicated that Poland does not rule out an attack from Russia post-Ukraine war."}
    passage = passages["rule"] if "Poland" in claim else passages["97"]
    assert OfflineScorer(embedder).score(claim, passage).label == label


# ------------------------------------------------------------------- the LLM judge

def judge(server: Scripted, tmp_path, **kw: Any) -> LLMJudge:
    return LLMJudge(server.url, kw.pop("model", "scripted-model"), api_key=kw.pop("key", "k1"),
                    cache_dir=tmp_path / "cache", **kw)


def test_asks_for_json_at_temperature_zero_with_both_texts(server, tmp_path):
    server.reply = lambda body, i: '{"label": "refuted", "reason": "97 vs 970"}'
    s = judge(server, tmp_path).score("There were 970 soldiers.", PASSAGE)
    assert (s.label, s.reason) == ("refuted", "97 vs 970")
    (body,) = server.requests
    assert body["temperature"] == 0 and body["model"] == "scripted-model"
    assert body["response_format"] == {"type": "json_object"}
    assert "Swedish" in body["messages"][0]["content"]  # one bilingual prompt
    assert claim_and_passage(body) == ("There were 970 soldiers.", PASSAGE)
    assert server.auth == ["Bearer k1"]


@pytest.mark.parametrize("raw", ["not json", '["supported"]', '{"label": "maybe"}', "",
                                 '{"verdict": "supported"}'])
def test_invalid_output_counts_as_unsupported(server, tmp_path, raw):
    server.reply = lambda body, i: raw
    j = judge(server, tmp_path)
    s = j.score("c", "p")
    assert s.label == "unsupported" and "invalid judge output" in s.reason
    assert j.stats()["invalid"] == 1


def test_parse_accepts_known_labels_only():
    assert parse('{"label": " Supported ", "reason": "r"}').label == "supported"
    assert parse("null").details["invalid"]


def test_cache_by_input_hash_survives_a_new_judge(server, tmp_path):
    j = judge(server, tmp_path)
    j.score("c", "p")
    j.score("c", "p")
    assert len(server.requests) == 1 and j.stats()["cache_hits"] == 1
    judge(server, tmp_path).score("c", "p")  # a new process reads the same cache
    assert len(server.requests) == 1
    judge(server, tmp_path, model="other-model").score("c", "p")  # another model: new key
    judge(server, tmp_path).score("c", "p2")
    assert len(server.requests) == 3


def test_k_runs_majority_and_spread(server, tmp_path):
    answers = ["supported", "supported", "refuted", "supported", "refuted"]
    server.reply = lambda body, i: json.dumps({"label": answers[i], "reason": str(i)})
    j = judge(server, tmp_path, runs=3)
    s = j.score("c", "p")
    assert s.label == "supported" and s.details["votes"] == ["supported", "supported",
                                                             "refuted"]
    stats = j.stats()
    assert stats["mean_agreement"] == pytest.approx(2 / 3)
    assert stats["items_with_disagreement"] == 1 and stats["runs"] == 3
    tie = judge(server, tmp_path, runs=2).score("c2", "p")  # supported vs refuted
    assert tie.label == "refuted"  # ties go to the more cautious label


def test_unreachable_or_failing_endpoint_raises(server, tmp_path):
    server.reply = lambda body, i: 500
    with pytest.raises(JudgeError, match="InternalServerError"):
        judge(server, tmp_path).score("c", "p")
    assert len(server.requests) == 3  # the client's two retries, then a loud failure
    dead = LLMJudge("http://127.0.0.1:9/v1", "m", api_key="k", cache_dir=None)
    with pytest.raises(JudgeError, match="APIConnectionError"):
        dead.score("c", "p")


def test_configuration_from_the_environment(monkeypatch, server, tmp_path):
    for var in ("FACTCHECK_LLM_BASE_URL", "FACTCHECK_LLM_MODEL", "FACTCHECK_LLM_API_KEY",
                "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ConfigError, match="FACTCHECK_LLM_BASE_URL"):
        LLMJudge.from_env(tmp_path)
    monkeypatch.setenv("FACTCHECK_LLM_BASE_URL", server.url)
    listed = LLMJudge.from_env(tmp_path / "c0")  # no model set: the first one listed
    listed.score("c", "p")
    assert server.requests[-1]["model"] == "listed-model"
    assert listed.version.endswith("/listed-model")
    monkeypatch.setenv("FACTCHECK_LLM_MODEL", "m")
    monkeypatch.setenv("OPENAI_API_KEY", "fallback-key")
    j = LLMJudge.from_env(tmp_path / "c1")
    j.score("c", "p")
    monkeypatch.setenv("FACTCHECK_LLM_API_KEY", "own-key")
    LLMJudge.from_env(tmp_path / "c2").score("c", "p")
    assert server.auth == ["Bearer not-needed", "Bearer fallback-key", "Bearer own-key"]
    assert j.settings()["temperature"] == 0 and j.settings()["model"] == "m"


def test_eval_judge_command_end_to_end(monkeypatch, server, tmp_path, capsys):
    """`factcheck eval judge --judge llm` over all labelled pairs: a judge that always says
    "supported" scores balanced accuracy 0.5 (not the base rate)."""
    from ui.cli import main

    monkeypatch.setenv("FACTCHECK_LLM_BASE_URL", server.url)
    monkeypatch.setenv("FACTCHECK_LLM_MODEL", "always-yes")
    monkeypatch.setenv("FACTCHECK_LLM_API_KEY", "k")
    code = main(["eval", "judge", "--judge", "llm", "--json", "--quiet",
                 "--cache-dir", str(tmp_path / "cache")])
    assert code == 0
    out = json.loads(capsys.readouterr().out)["llm"]
    assert out["balanced_accuracy"] == 0.5
    assert out["groups"]["lang=sv"]["n"] > 0 and out["groups"]["lang=en"]["n"] > 0
    assert out["judge"]["settings"]["temperature"] == 0
    assert out["judge"]["version"].endswith("/always-yes")
    assert len(server.requests) == out["n"]
