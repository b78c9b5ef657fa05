"""One loader per external data file, returning frozen dataclasses.

- `Pair`: (premise, hypothesis, NLI label, language, file, line, phenomena) — the pair
  suites. Labels are `entailment | neutral | contradiction` whatever the file calls them.
- `Claim`: a Climate-FEVER claim with its verdict (SUPPORTS -> supported, REFUTES ->
  refuted, NOT_ENOUGH_INFO -> not_enough_info, DISPUTED -> conflicting) and its evidence
  sentences with their articles — the corpus suite.

Files are read as they lie in the data folder (JSON Lines, one row a line). Every malformed
row is reported as `file:line: what is wrong` in one `SuiteError` (exit 2); rows the dataset
itself marks as unlabelled (SNLI's `-`) are dropped and counted, not errors.

Not loaded: the training-only files (swenli_dev, rte_train, snli_dev: the NLI trainer's),
and the argumentation sentences — (topic, sentence, pro/con/non) rows are stance towards a
one-word topic, not premise/hypothesis pairs, so they do not fit an entailment scorer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from eval.yamlfile import SuiteError

NLILabel = Literal["entailment", "neutral", "contradiction"]
NLI_LABELS: tuple[NLILabel, ...] = ("entailment", "neutral", "contradiction")
CF_STANCE: dict[str, NLILabel] = {"SUPPORTS": "entailment", "REFUTES": "contradiction",
                                  "NOT_ENOUGH_INFO": "neutral"}
CF_VERDICT = {"SUPPORTS": "supported", "REFUTES": "refuted",
              "NOT_ENOUGH_INFO": "not_enough_info", "DISPUTED": "conflicting"}
MAX_ERRORS = 20  # a wholly wrong file says so in 20 lines, not 7,675


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: NLILabel
    lang: str
    source_file: str
    line: int
    phenomena: tuple[str, ...] = ()
    id: str = ""

    @property
    def where(self) -> str:
        return f"{self.source_file}:{self.line}"


@dataclass(frozen=True)
class Evidence:
    article: str
    sentence: str
    stance: NLILabel
    id: str = ""


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    verdict: str  # a rag.types verdict label
    evidence: tuple[Evidence, ...]
    source_file: str
    line: int


@dataclass(frozen=True)
class Loaded:
    """What a loader returns: the rows, and how many it dropped on purpose (and why)."""

    items: tuple[Any, ...]
    dropped: int = 0
    why_dropped: str = ""


class _Rows:
    """JSON Lines rows with their line numbers, collecting `file:line` errors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []

    def err(self, line: int, msg: str) -> None:
        self.errors.append(f"{self.path}:{line}: {msg}")

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise SuiteError(f"{self.path}: cannot read: {exc}") from exc
        for i, line in enumerate(raw.split(b"\n"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as exc:
                self.err(i, f"not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            except ValueError as exc:
                self.err(i, f"not a JSON object: {exc}")
                continue
            if not isinstance(row, dict):
                self.err(i, f"each line must be a JSON object, got {type(row).__name__}")
                continue
            yield i, row

    def text(self, i: int, row: dict[str, Any], key: str) -> str | None:
        v = row.get(key)
        if not isinstance(v, str) or not v.strip():
            self.err(i, f"{key!r} must be a non-empty string, got {v!r:.60}")
            return None
        return v

    def done(self) -> None:
        if self.errors:
            more = len(self.errors) - MAX_ERRORS
            shown = self.errors[:MAX_ERRORS] + ([f"{self.path}: … and {more} more"]
                                                if more > 0 else [])
            raise SuiteError("\n".join(shown))


def _nli_rows(path: Path, lang: str, premise: str, hypothesis: str, label: str,
              phenomena: Callable[[_Rows, int, dict[str, Any]], tuple[str, ...]] | None = None,
              unlabelled: tuple[str, ...] = ()) -> Loaded:
    rows = _Rows(path)
    out: list[Pair] = []
    dropped = 0
    for i, row in rows:
        lab = row.get(label)
        if lab in unlabelled:
            dropped += 1
            continue
        p, h = rows.text(i, row, premise), rows.text(i, row, hypothesis)
        if lab not in NLI_LABELS:
            rows.err(i, f"{label!r} must be one of {', '.join(NLI_LABELS)}, got {lab!r:.60}")
            continue
        tags = phenomena(rows, i, row) if phenomena else ()
        if p is None or h is None:
            continue
        rid = row.get("id", row.get("pairID", i))
        out.append(Pair(p, h, lab, lang, str(path), i, tags, f"{path.stem}:{rid}"))
    rows.done()
    if not out:
        raise SuiteError(f"{path}:1: no labelled pairs in the file")
    return Loaded(tuple(out), dropped, f"{label} {'/'.join(unlabelled)}" if dropped else "")


def _diagnostic_tags(rows: _Rows, i: int, row: dict[str, Any]) -> tuple[str, ...]:
    meta = row.get("meta")
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        rows.err(i, f"'meta' must be an object of strings (the phenomena), got {meta!r:.60}")
        return ()
    return tuple(f"{k}:{part.strip()}" for k, v in sorted(meta.items())
                 for part in v.split(";") if part.strip())


def load_swediagnostics(path: Path) -> Loaded:
    """SweDiagnostics (Swedish GLUE diagnostics), tagged by phenomenon from `meta`."""
    return _nli_rows(path, "sv", "premise", "hypothesis", "label", _diagnostic_tags)


def load_swefracas(path: Path) -> Loaded:
    """SweFraCaS = the SweNLI test split (hand-translated FraCaS)."""
    return _nli_rows(path, "sv", "premise", "hypothesis", "label")


def load_snli(path: Path) -> Loaded:
    """The truncated SNLI 1.0 test copy; rows with gold label '-' (no consensus) dropped."""
    return _nli_rows(path, "en", "sentence1", "sentence2", "gold_label", unlabelled=("-",))


def _climate_rows(path: Path) -> tuple[_Rows, list[Claim]]:
    rows = _Rows(path)
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for i, row in rows:
        text = rows.text(i, row, "claim")
        label = row.get("claim_label")
        cid = row.get("claim_id")
        if label not in CF_VERDICT:
            rows.err(i, f"'claim_label' must be one of {', '.join(CF_VERDICT)}, got {label!r:.60}")
        if not isinstance(cid, str | int) or isinstance(cid, bool):
            rows.err(i, f"'claim_id' must be a string or number, got {cid!r:.60}")
            continue
        if str(cid) in seen:
            rows.err(i, f"duplicate claim_id {cid!r} (first at line {seen[str(cid)]})")
        seen[str(cid)] = i
        evs = row.get("evidences")
        if not isinstance(evs, list) or not evs:
            rows.err(i, "'evidences' must be a non-empty list")
            continue
        items = []
        for k, e in enumerate(evs):
            if not isinstance(e, dict):
                rows.err(i, f"evidences[{k}] must be an object")
                continue
            art, sent, lab = e.get("article"), e.get("evidence"), e.get("evidence_label")
            if not isinstance(art, str) or not art.strip() or not isinstance(sent, str) \
                    or not sent.strip():
                rows.err(i, f"evidences[{k}] needs non-empty 'article' and 'evidence' strings")
                continue
            if lab not in CF_STANCE:
                rows.err(i, f"evidences[{k}].evidence_label must be one of "
                            f"{', '.join(CF_STANCE)}, got {lab!r:.60}")
                continue
            items.append(Evidence(art, sent, CF_STANCE[lab], str(e.get("evidence_id", k))))
        if text is None or label not in CF_VERDICT or len(items) != len(evs):
            continue
        claims.append(Claim(str(cid), text, CF_VERDICT[label], tuple(items), str(path), i))
    return rows, claims


def load_climate_fever_claims(path: Path) -> Loaded:
    """Climate-FEVER claims with their verdict and evidence (the corpus suite)."""
    rows, claims = _climate_rows(path)
    rows.done()
    if not claims:
        raise SuiteError(f"{path}:1: no claims in the file")
    return Loaded(tuple(claims))


def load_climate_fever_pairs(path: Path) -> Loaded:
    """Climate-FEVER claim-sentence pairs: premise = the evidence sentence, hypothesis = the
    claim, label = the sentence's own gold stance. Tagged with the claim's verdict."""
    loaded = load_climate_fever_claims(path)
    out = [Pair(e.sentence, c.text, e.stance, "en", c.source_file, c.line,
                (f"claim:{c.verdict}",), f"{c.id}:{e.id}")
           for c in loaded.items for e in c.evidence]
    return Loaded(tuple(out))


LOADERS: dict[str, Callable[[Path], Loaded]] = {
    "swediagnostics": load_swediagnostics,
    "swefracas": load_swefracas,
    "snli_test": load_snli,
    "climate_fever": load_climate_fever_pairs,
}
