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
SpanKind = Literal["body", "title", "heading", "boilerplate", "byline", "hidden"]

STANCES: tuple[Stance, ...] = ("supports", "refutes", "neutral")
VERDICTS: tuple[VerdictLabel, ...] = ("supported", "refuted", "conflicting", "not_enough_info")


@dataclass(frozen=True)
class Span:
    """A region of `Document.text`. Only `body` spans are ever indexed as evidence.

    `hidden` spans are text a reader cannot see (`rag.safety.hidden`); `reason` says what
    it is ("HTML/XML tag") and is shown as a placeholder, never the text."""

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


UNTITLED = "untitled"  # the title of an article whose first line is no headline


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
    # "none": no headline, the title is "untitled"; "first_sentence" only in builds made
    # before that (the first sentence cut off), read back as they were stored
    title_from: Literal["headline", "sources.yaml", "none", "first_sentence"] = "headline"

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
    """An analysed question or claim (`rag.query.analyse`). `terms`, `numbers` and
    `entities` are the proposition's, and the judge reads them: a Query whose proposition
    changes is made with `analyse.with_proposition`, never with a bare `replace`."""

    text: str
    lang: Lang
    kind: Literal["question", "claim"]
    form: Literal["yesno", "open", "claim"]
    proposition: str  # the statement to check (a yes/no question asks about it)
    terms: tuple[str, ...] = ()  # its content words (`rag.nlp.align.content_terms`)
    numbers: tuple[str, ...] = ()  # its digit tokens ("2", "2024")
    entities: tuple[str, ...] = ()  # its names (`rag.nlp.entities.entities`)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an indexed chunk, with offsets into its Document.text."""

    doc_id: str
    chunk_id: str
    start: int
    end: int
    text: str
    lang: Lang


ObjectionKind = Literal[
    # a refutation when the sentence is aligned with the claim
    "polarity",  # a negation or denial on one side only
    "prefix",  # a negating prefix on one side only ("non-combat")
    "number",  # a quantity of the same kind that does not establish the claimed one
    "name",  # another name where the claim puts its own
    "modality",  # a certain claim against a hedged source
    # only withholding support
    "absent",  # a claim's name the article never mentions (open questions)
    "frame",  # a claim's name not said of this statement (sentence, title, lead, before)
    "no_number",  # the source gives no number, or not the claimed one
    "certainty",  # a certainty word of the claim ("automatically") the source lacks
    "negation_scope",  # both negate, but not the same thing; or a negation of another word
    "prefix_unsure",  # across languages: a negating prefix on one side only
    "negation_unplaced",  # across languages: a negation the claim's words cannot place
    "substitution",  # another word in the claim's place ("inhemska" for "amerikanska")
    "binding",  # two names the claim binds that the source names far apart
    "conditional",  # the source states it under a condition ("if …, it would …")
    "requirement",  # the source says it must happen ("is required"), not that it did
    "role",  # the same person under another title ("Foreign" vs "Defence Minister")
    "unasserted",  # the claim's words are in a clause the source only mentions ("whether")
    "distant",  # across languages and not among the closest sentences: the rules read no more
    # open "how many" questions: another source's number is not this one's (claim: the
    # best-attested answer, source: this sentence's)
    "answers_differ",
    # the NLI model's veto on a rule's stance (`rag.judge.nli`); detail: its probability
    "unentailed",  # the model does not read the sentence as saying the claim
    "uncontradicted",  # the model does not read the sentence as contradicting it
]


@dataclass(frozen=True)
class Objection:
    """One check's finding against an evidence sentence: what kind, the claim's side and
    the source's side. `reason` is rendered from these fields; nothing reads it back."""

    kind: ObjectionKind
    claim: str = ""  # the claim's side: its word, number or name ("" when it has none)
    source: str = ""  # the source's side
    detail: str = ""  # number: the quantity kind ("amount"); name: "source" or "article"

    @property
    def reason(self) -> str:
        c, s = self.claim, self.source
        match self.kind:
            case "polarity":
                return f"polarity differs: source says '{s}'" if s else \
                    f"polarity differs: claim says '{c}', source does not"
            case "prefix":
                return f"polarity differs: {'claim' if c else 'source'} says '{c or s}'"
            case "number":
                return f"{self.detail} differs: {c} vs {s}"
            case "name":
                return f"names differ: claim says {c}, the {self.detail} says {s}"
            case "modality":
                return f"certainty differs: claim says '{c}', source says '{s}'"
            case "absent":
                return f"the article does not mention {c}"
            case "frame":
                return f"the source does not say this of {c}"
            case "no_number":
                return "the source does not give the number" if c else \
                    "the source gives no number"
            case "certainty":
                return f"the source does not say '{c}'"
            case "negation_scope":
                return "the source's negation is not the claim's"
            case "prefix_unsure":
                return "one side negates a word the other may not"
            case "negation_unplaced":
                return "the source has a negation that may apply"
            case "substitution":
                return f"the source says '{s}' where the claim says '{c}'"
            case "binding":
                return f"the source does not link {c} and {s} as the claim does"
            case "conditional":
                return f"the source says it only under a condition ('{s}')"
            case "requirement":
                return f"the source says it is needed ('{s}'), not that it happened"
            case "role":
                return f"titles differ: claim says {c}, the source says {s}"
            case "unasserted":
                return f"the source mentions it without stating it ('{s}')"
            case "distant":
                return "in another language and not among the closest sentences"
            case "answers_differ":
                return f"the sources' numbers differ: {c} in another, {s} in this one"
            case "unentailed":
                return f"the NLI model does not read this as saying it (entailment {self.detail})"
            case "uncontradicted":
                return f"the NLI model does not read this as contradicting it " \
                    f"(contradiction {self.detail})"
        raise AssertionError(self.kind)


@dataclass(frozen=True)
class Judgement:
    """What a Judge says about one evidence sentence relative to a proposition.

    A rule-based judge states its `objections` (typed) and renders `reason` from them
    (`Judgement.of`); an LLM judge gives its own reason. `failure` marks a judgement the
    judge could not give (its output was unusable or left this evidence out)."""

    stance: Stance
    score: float  # strength of the stance in [0, 1]
    reason: str  # short, human-readable: "amount differs: 3 million vs over 2 million"
    objections: tuple[Objection, ...] = ()
    failure: Literal["", "invalid", "missing"] = ""

    @classmethod
    def of(cls, stance: Stance, score: float, *objections: Objection) -> Judgement:
        return cls(stance, score, "; ".join(o.reason for o in objections), objections)


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


SentenceRole = Literal["lead", "quote", "generated"]


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]
    support: float
    supported: bool
    # lead: the engine's verdict sentence; quote: a verbatim quote with its title;
    # generated: the model's text (untrusted until verified). Not part of the JSON.
    role: SentenceRole = "generated"


WARNING_CODES = ("llm_unavailable", "vector_store_unavailable", "judge_output_invalid",
                 "unsafe_output_withheld", "llm_answer_unsupported", "citation_invalid",
                 "unknown_citation", "unsupported_sentence_dropped",
                 "unsupported_sentence_flagged")


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the contract's word; shadows the builtin only where imported
    """Something the user should know about an answer: a `code` (one of `WARNING_CODES`)
    and a free-text `detail`. The JSON contract carries it as "code: detail"."""

    code: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code

    @classmethod
    def parse(cls, text: str) -> Warning:
        """The contract's string form read back (`Answer.from_dict`)."""
        code, _, detail = text.partition(": ")
        return cls(code, detail)


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
    warnings: tuple[Warning, ...] = ()
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
            "warnings": [str(w) for w in self.warnings],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Answer:
        """The contract dict back as an Answer (as rounded in the dict). The JSON has no
        sentence roles: they are restored from the composers' layout — the lead first
        (any answer with sentences has one), then quotes (extractive) or generated text."""
        generated = d.get("backend", {}).get("answer", "extractive") != "extractive"
        return cls(
            query=d["query"], lang=d["lang"], kind=d["kind"], verdict=d["verdict"],
            confidence=float(d["confidence"]), answer=d["answer"],
            citations=tuple(Citation(**c) for c in d.get("citations", [])),
            sentences=tuple(
                AnswerSentence(s["text"], tuple(s["citations"]), float(s["support"]),
                               bool(s["supported"]),
                               s.get("role") or ("lead" if i == 0 else
                                                 "generated" if generated else "quote"))
                for i, s in enumerate(d.get("sentences", []))),
            backend=dict(d.get("backend", {})),
            warnings=tuple(Warning.parse(w) for w in d.get("warnings", [])),
            timings_ms=dict(d.get("timings_ms", {})),
        )
