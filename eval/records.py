"""What a run keeps per case (`CaseResult`) and per metric (`MetricResult`), and their JSON.

A CaseResult holds the case, the engine's `Answer`, the measured latency, and the
judge-dependent scores from `eval/scoring.py`; the Answer becomes the contract dict only
in `to_dict` (results.json, the report). Metrics are pure functions of a list of
`CaseRecord`s, so a stored run can be compared with a later one without re-running the
engine: a stored run reads back as `StoredCase`s, which keep only what the metrics read of
an answer — the compact baseline (`eval/baseline.py`) has no quotes to rebuild an Answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Protocol

from eval.dataset import Case
from rag.types import Answer


@dataclass(frozen=True)
class MetricResult:
    """A metric's value (None = not applicable to any case), why, and per-item details.

    `details` always has `n` (items counted), `na` (items the metric does not apply to)
    and `per_case` (unit id -> value or None) for per-case diffs and paired tests."""

    value: float | None
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason, "details": self.details}


class CaseRecord(Protocol):
    """What the metrics, the gate and the paired tests read of one case: a CaseResult of
    this run and a StoredCase of a stored run alike."""

    __dataclass_fields__: ClassVar[dict[str, Any]]  # both are dataclasses (`replace`)

    @property
    def case(self) -> Case: ...
    @property
    def latency_ms(self) -> float: ...
    @property
    def sentences(self) -> tuple[dict[str, Any], ...]: ...
    @property
    def validity(self) -> dict[str, Any]: ...
    @property
    def answered(self) -> bool: ...  # False when the engine raised
    @property
    def verdict(self) -> str: ...  # "error" when the engine raised
    @property
    def confidence(self) -> float: ...
    @property
    def text(self) -> str: ...  # the answer text
    @property
    def query(self) -> str: ...  # the question the engine answered
    def cited_sources(self) -> list[str]: ...  # in citation order, each once


def _case(d: dict[str, Any]) -> Case:
    c = dict(d["case"])
    for key in ("sources", "must_contain", "tags", "history"):
        c[key] = tuple(c.get(key) or ())
    return Case(**c)


@dataclass(frozen=True)
class CaseResult:
    case: Case
    # the Answer as the contract carries it (`ask_all` reads it back from `to_dict()`), so
    # a results.json read back holds the same object; None when the engine raised
    answer: Answer | None
    latency_ms: float
    error: str = ""
    sentences: tuple[dict[str, Any], ...] = ()  # scoring.score_answer records
    validity: dict[str, Any] = field(default_factory=dict)  # scoring.citation_validity

    @property
    def answered(self) -> bool:
        return self.answer is not None

    @property
    def verdict(self) -> str:
        return self.answer.verdict if self.answer else "error"

    @property
    def confidence(self) -> float:
        return self.answer.confidence if self.answer else 0.0

    @property
    def text(self) -> str:
        return self.answer.answer if self.answer else ""

    @property
    def query(self) -> str:
        return self.answer.query if self.answer else ""

    def cited_sources(self) -> list[str]:
        """Sources in citation order (strongest first), each once."""
        if not self.answer:
            return []
        return list(dict.fromkeys(c.source for c in self.answer.citations))

    def to_dict(self) -> dict[str, Any]:
        return {"case": asdict(self.case),
                "answer": self.answer.to_dict() if self.answer else None,
                "latency_ms": round(self.latency_ms, 2), "error": self.error,
                "sentences": list(self.sentences), "validity": self.validity}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CaseResult:
        """A case record of a full results.json (a compact one: `StoredCase`)."""
        a = d.get("answer")
        return cls(_case(d), Answer.from_dict(a) if a is not None else None,
                   float(d.get("latency_ms", 0.0)), d.get("error", ""),
                   tuple(d.get("sentences") or ()), dict(d.get("validity") or {}))


@dataclass(frozen=True)
class StoredCase:
    """A case record of a stored run, full or compact, as the metrics read it: the
    answer's verdict, confidence, text, query and cited sources, not the Answer."""

    case: Case
    verdict: str
    confidence: float
    text: str
    query: str
    sources: tuple[str, ...]  # cited, in citation order, each once
    latency_ms: float
    answered: bool
    error: str = ""
    sentences: tuple[dict[str, Any], ...] = ()
    validity: dict[str, Any] = field(default_factory=dict)

    def cited_sources(self) -> list[str]:
        return list(self.sources)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StoredCase:
        a = d.get("answer")
        return cls(
            _case(d), a["verdict"] if a else "error",
            float(a.get("confidence") or 0.0) if a else 0.0,
            a.get("answer", "") if a else "", a.get("query", "") if a else "",
            tuple(dict.fromkeys(c["source"] for c in a.get("citations", []))) if a else (),
            float(d.get("latency_ms", 0.0)), a is not None, d.get("error", ""),
            tuple(d.get("sentences") or ()), dict(d.get("validity") or {}))

