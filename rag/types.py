"""Frozen dataclasses passed between pipeline stages, and the Answer JSON contract.

Stages never mutate these; they build new ones (`dataclasses.replace`). Ids come from
content hashes so that re-runs are stable. No third-party types appear here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Lang = Literal["en", "sv"]
Stance = Literal["supports", "refutes", "neutral"]
VerdictLabel = Literal["supported", "refuted", "conflicting", "not_enough_info"]
SpanKind = Literal["body", "title", "heading", "boilerplate", "byline"]

STANCES: tuple[Stance, ...] = ("supports", "refutes", "neutral")
VERDICTS: tuple[VerdictLabel, ...] = ("supported", "refuted", "conflicting", "not_enough_info")


@dataclass(frozen=True)
class Span:
    """A region of `Document.text`. Only `body` spans are ever indexed as evidence."""

    start: int
    end: int
    kind: SpanKind
    reason: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where an article comes from. Fields are None unless the text or sources.yaml says so."""

    publisher: str | None = None
    author: str | None = None
    url: str | None = None
    date: str | None = None
    origin: str = ""  # which of "text" / "sources.yaml" supplied the fields, for audit

    def to_dict(self) -> dict[str, str | None]:
        return {"publisher": self.publisher, "author": self.author, "url": self.url,
                "date": self.date}


@dataclass(frozen=True)
class Document:
    id: str  # the file stem
    title: str
    lang: Lang
    text: str  # the file decoded (UTF-8, BOM dropped) in NFC; every offset refers to it
    spans: tuple[Span, ...]
    provenance: Provenance
    hash: str  # sha256 of the NFC-normalised text
    path: str = ""
    title_from: Literal["headline", "first_sentence"] = "headline"

    def body_spans(self) -> list[Span]:
        return [s for s in self.spans if s.kind == "body"]


@dataclass(frozen=True)
class Chunk:
    id: str  # content hash of (doc id, offsets, text)
    doc_id: str
    start: int
    end: int
    text: str  # == Document.text[start:end]
    lang: Lang
    tokens: int


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    retrievers: tuple[str, ...]  # which retrievers found it: "dense", "lexical"
    duplicates: tuple[str, ...] = ()  # ids of near-duplicate chunks folded into this one


@dataclass(frozen=True)
class Query:
    text: str
    lang: Lang
    kind: Literal["question", "claim"]
    form: Literal["yesno", "open", "claim"]
    proposition: str  # the statement to check (a yes/no question asks about it)
    terms: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    """One sentence of an indexed chunk, with offsets into its Document.text."""

    doc_id: str
    chunk_id: str
    start: int
    end: int
    text: str
    lang: Lang


@dataclass(frozen=True)
class Judgement:
    """What a Judge says about one evidence sentence relative to a proposition."""

    stance: Stance
    score: float  # strength of the stance in [0, 1]
    reason: str  # short, human-readable: "amount differs: 3 million vs over 2 million"


@dataclass(frozen=True)
class Evidence:
    sentence: Sentence
    title: str
    relevance: float  # how closely the sentence is about the proposition, [0, 1]
    similarity: float = 0.0  # scaled semantic similarity to the proposition, [0, 1]
    judgement: Judgement = Judgement("neutral", 0.0, "")
    context: str = field(default="", repr=False, compare=False)  # the article's body text

    @property
    def source(self) -> str:
        return self.sentence.doc_id


@dataclass(frozen=True)
class Verdict:
    label: VerdictLabel
    confidence: float
    evidence: tuple[Evidence, ...]  # the evidence the label rests on, strongest first
    reason: str = ""


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    chunk_id: str
    quote: str
    start: int
    end: int
    stance: Stance
    reason: str
    title: str
    lang: Lang


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]
    support: float
    supported: bool


@dataclass(frozen=True)
class Answer:
    query: str
    lang: Lang
    kind: Literal["question", "claim"]
    verdict: VerdictLabel
    confidence: float
    answer: str
    citations: tuple[Citation, ...]
    sentences: tuple[AnswerSentence, ...]
    backend: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Exactly the JSON contract of DESIGN.md."""
        return {
            "query": self.query,
            "lang": self.lang,
            "kind": self.kind,
            "verdict": self.verdict,
            "confidence": round(self.confidence, 4),
            "answer": self.answer,
            "citations": [asdict(c) for c in self.citations],
            "sentences": [
                {"text": s.text, "citations": list(s.citations), "support": round(s.support, 4),
                 "supported": s.supported}
                for s in self.sentences
            ],
            "backend": dict(self.backend),
            "warnings": list(self.warnings),
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
