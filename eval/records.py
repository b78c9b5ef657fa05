"""What a run keeps per case (`CaseResult`) and per metric (`MetricResult`), and their JSON.

A CaseResult holds the case, the engine's Answer exactly as the contract dict, the measured
latency, and the judge-dependent scores from `eval/scoring.py`. Metrics are pure functions
of a list of CaseResults, so a stored results.json can be re-scored and compared with a
later run without re-running the engine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from eval.dataset import Case


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


@dataclass(frozen=True)
class CaseResult:
    case: Case
    answer: dict[str, Any] | None  # Answer.to_dict(); None when the engine raised
    latency_ms: float
    error: str = ""
    sentences: tuple[dict[str, Any], ...] = ()  # scoring.score_answer records
    validity: dict[str, Any] = field(default_factory=dict)  # scoring.citation_validity

    @property
    def verdict(self) -> str:
        return self.answer["verdict"] if self.answer else "error"

    def cited_sources(self) -> list[str]:
        """Sources in citation order (strongest first), each once."""
        if not self.answer:
            return []
        return list(dict.fromkeys(c["source"] for c in self.answer.get("citations", [])))

    def to_dict(self) -> dict[str, Any]:
        return {"case": asdict(self.case), "answer": self.answer,
                "latency_ms": round(self.latency_ms, 2), "error": self.error,
                "sentences": list(self.sentences), "validity": self.validity}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CaseResult:
        c = dict(d["case"])
        for key in ("sources", "must_contain", "tags"):
            c[key] = tuple(c.get(key) or ())
        return cls(Case(**c), d.get("answer"), float(d.get("latency_ms", 0.0)),
                   d.get("error", ""), tuple(d.get("sentences") or ()),
                   dict(d.get("validity") or {}))
