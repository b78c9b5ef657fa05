"""The metrics: plain functions from a list of case records to a MetricResult.

Each returns its value, a one-line reason, and details with `n` (items counted), `na`
(items it does not apply to — reported, never a silent NaN or a silent pass) and `per_case`
(unit id -> value, None for n/a). A metric with no applicable item has value None.

Nothing here calls the engine or a judge: judge-dependent inputs (sentence support,
citation validity) were computed by `eval/scoring.py` and stored on the CaseResult.
They read a case through `eval.records.CaseRecord` (verdict, confidence, text, cited
sources), so a stored run (`StoredCase`) is measured the same way as this one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from eval.calibration import aurc, expected_calibration_error
from eval.metrics_commit import wrong_commitment_rate, wrong_commitments
from eval.records import CaseRecord, MetricResult
from rag.types import VERDICTS

NEI = "not_enough_info"


def _mean(per_case: dict[str, float | None]) -> tuple[float | None, int, int]:
    vals = [v for v in per_case.values() if v is not None]
    na = len(per_case) - len(vals)
    return (sum(vals) / len(vals) if vals else None), len(vals), na


def _result(per_case: dict[str, float | None], reason: str, **extra: Any) -> MetricResult:
    value, n, na = _mean(per_case)
    text = reason if value is None else f"{reason}: {value:.3f} over {n} (n/a {na})"
    if value is None:
        text = f"{reason}: n/a (no applicable item among {len(per_case)})"
    return MetricResult(value, text, {"n": n, "na": na, "per_case": per_case, **extra})


def _rank(r: CaseRecord) -> int | None:
    gold = set(r.case.sources)
    for i, s in enumerate(r.cited_sources(), 1):
        if s in gold:
            return i
    return None


def hit_at_k(results: Sequence[CaseRecord], k: int = 1) -> MetricResult:
    """A gold source among the first k cited sources (the answer's evidence ranking);
    n/a for cases with no gold sources."""
    per: dict[str, float | None] = {}
    for r in results:
        rank = _rank(r)
        per[r.case.id] = None if not r.case.sources else float(rank is not None and rank <= k)
    return _result(per, f"gold source within the first {k} cited sources")


def mrr(results: Sequence[CaseRecord]) -> MetricResult:
    per: dict[str, float | None] = {}
    for r in results:
        rank = _rank(r)
        per[r.case.id] = None if not r.case.sources else (1.0 / rank if rank else 0.0)
    return _result(per, "mean reciprocal rank of the first gold source among cited sources")


def citation_validity(results: Sequence[CaseRecord]) -> MetricResult:
    """Every [n] resolves and every quote == source[start:end]; n/a without citations."""
    per: dict[str, float | None] = {}
    problems: dict[str, list[str]] = {}
    for r in results:
        v = r.validity
        if not r.answered or not v or (v.get("n_citations", 0) == 0 and v.get("valid", True)):
            per[r.case.id] = None
            continue
        per[r.case.id] = float(bool(v["valid"]))
        if v.get("problems"):
            problems[r.case.id] = v["problems"]
    return _result(per, "answers whose markers all resolve and quotes all match",
                   problems=problems)


def _scored(r: CaseRecord) -> list[dict[str, Any]]:
    return [s for s in r.sentences if s.get("role") != "frame"]


def _statement_share(results: Sequence[CaseRecord], flag: str) -> dict[str, float | None]:
    """Per case: the share of scored statements with `flag` set; None when there are none."""
    per: dict[str, float | None] = {}
    for r in results:
        sents = _scored(r)
        per[r.case.id] = (sum(bool(s.get(flag)) for s in sents) / len(sents)
                          if sents else None)
    return per


def citation_recall(results: Sequence[CaseRecord]) -> MetricResult:
    """ALCE recall: share of an answer's statements fully supported by their own citations
    (a statement without citations counts as unsupported); n/a for answers with none."""
    return _result(_statement_share(results, "supported"),
                   "statements supported by their own citations (ALCE recall)")


def citation_precision(results: Sequence[CaseRecord]) -> MetricResult:
    """ALCE precision: share of citations that are needed (support alone, or the rest does
    not support without them) in supported statements; n/a for answers with no citation."""
    per: dict[str, float | None] = {}
    for r in results:
        flags = [bool(v) for s in _scored(r) for v in (s.get("precise") or {}).values()]
        per[r.case.id] = sum(flags) / len(flags) if flags else None
    return _result(per, "citations that support their statement (ALCE precision)")


def faithfulness(results: Sequence[CaseRecord]) -> MetricResult:
    """Supported answer statements / all statements, per answer, averaged; answers with no
    statements (refusals) are n/a and counted as such."""
    return _result(_statement_share(results, "faithful"),
                   "answer statements supported by the answer's evidence")


def verdict_accuracy(results: Sequence[CaseRecord]) -> MetricResult:
    per: dict[str, float | None] = {r.case.id: float(r.verdict == r.case.expected)
                                    for r in results}
    groups: dict[str, list[float]] = {}
    for r in results:
        for g in (f"lang={r.case.lang}", f"expected={r.case.expected}",
                  *(f"tag={t}" for t in r.case.tags)):
            groups.setdefault(g, []).append(float(r.verdict == r.case.expected))
    by = {g: {"n": len(v), "accuracy": sum(v) / len(v)} for g, v in sorted(groups.items())}
    return _result(per, "verdict equals the expected verdict", by_group=by)


# prepositions that mark a role (destination, place, source, time); "of"/"av" are left out:
# "how many of them" and "how many soldiers" ask the same
_ROLE_PREPS = frozenset({
    "to", "in", "into", "inside", "within", "on", "at", "from", "for", "with", "against",
    "by", "about", "after", "before", "outside", "over", "under", "since", "till", "i",
    "inom", "inne", "på", "från", "för", "med", "mot", "om", "efter", "före", "utanför",
    "över", "hos", "vid", "sedan", "sen"})


def _content_words(text: str) -> list[tuple[str, str]]:
    """The words a standalone question is compared by, each with the role preposition
    among the three words before it ("" when none): function words dropped (so "the"/"a"
    and their Swedish kin do not count), but negations, question words and all-caps names
    ("US", not the pronoun "us") kept; possessive -'s dropped."""
    from rag.nlp.lexicon import NEGATIONS, WH_WORDS, all_of
    from rag.nlp.text import WORD_RE, stopwords

    drop = (stopwords("en") | stopwords("sv")) - all_of(NEGATIONS) - all_of(WH_WORDS)
    toks = WORD_RE.findall(text.replace("’", "'"))
    out = []
    for i, w in enumerate(toks):
        low = re.sub(r"'s$", "", w.lower())
        if (len(w) > 1 and w.isupper()) or low not in drop:
            prep = next((t.lower() for t in reversed(toks[max(0, i - 3):i])
                         if t.lower() in _ROLE_PREPS), "")
            out.append((prep, low))
    return sorted(out)


def standalone_match(got: str, want: str) -> bool:
    """Is the engine's standalone question the expected one? The same content words, each
    governed by the same preposition, in any order: the prepositions keep roles apart
    ("France … to Ukraine" is not "the US … to France"), while word order ("in Ukraine in
    March" or "in March in Ukraine"), function words, case and punctuation are free."""
    return _content_words(got) == _content_words(want)


def standalone_accuracy(results: Sequence[CaseRecord]) -> MetricResult:
    """Follow-ups made standalone as expected (the answer's `query` against the case's
    `standalone`); n/a for cases without one."""
    per: dict[str, float | None] = {}
    wrong: dict[str, dict[str, str]] = {}
    for r in results:
        if not r.case.standalone:
            per[r.case.id] = None
            continue
        got = r.query
        per[r.case.id] = float(standalone_match(got, r.case.standalone))
        if not per[r.case.id]:
            wrong[r.case.id] = {"expected": r.case.standalone, "got": got}
    return _result(per, "follow-ups rewritten to the expected standalone question",
                   mismatches=wrong)


def confusion_matrix(results: Sequence[CaseRecord]) -> dict[str, dict[str, int]]:
    labels = list(VERDICTS) + sorted({r.verdict for r in results} - set(VERDICTS))
    table: dict[str, dict[str, int]] = {g: dict.fromkeys(labels, 0) for g in VERDICTS}
    for r in results:
        table[r.case.expected][r.verdict] += 1
    return table


def verdict_macro_f1(results: Sequence[CaseRecord]) -> MetricResult:
    """Macro F1 over the verdict labels that occur as expected or predicted."""
    labels = [v for v in VERDICTS if any(r.case.expected == v or r.verdict == v
                                         for r in results)]
    if not results or not labels:
        return MetricResult(None, "macro-F1: n/a (no cases)", {"n": 0, "na": 0, "per_case": {}})
    per_class = {}
    for lab in labels:
        tp = sum(r.verdict == lab and r.case.expected == lab for r in results)
        fp = sum(r.verdict == lab and r.case.expected != lab for r in results)
        fn = sum(r.verdict != lab and r.case.expected == lab for r in results)
        p = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per_class[lab] = {"precision": p, "recall": rec,
                          "f1": 2 * p * rec / (p + rec) if p + rec else 0.0, "support": tp + fn}
    value = sum(c["f1"] for c in per_class.values()) / len(per_class)
    return MetricResult(value, f"macro-F1 over {len(labels)} verdict labels: {value:.3f}",
                        {"n": len(results), "na": 0, "per_class": per_class,
                         "confusion": confusion_matrix(results),
                         "per_case": {r.case.id: float(r.verdict == r.case.expected)
                                      for r in results}})


def refusal_recall(results: Sequence[CaseRecord]) -> MetricResult:
    """Unanswerable (expected not_enough_info) cases the engine declined to answer."""
    per: dict[str, float | None] = {r.case.id: (float(r.verdict == NEI)
                                                if r.case.expected == NEI else None)
                                    for r in results}
    return _result(per, "unanswerable cases answered not_enough_info")


def false_refusal_rate(results: Sequence[CaseRecord]) -> MetricResult:
    """Answerable cases the engine refused (lower is better)."""
    per: dict[str, float | None] = {r.case.id: (float(r.verdict == NEI)
                                                if r.case.expected != NEI else None)
                                    for r in results}
    return _result(per, "answerable cases answered not_enough_info")


def must_contain_recall(results: Sequence[CaseRecord]) -> MetricResult:
    """Must-contain regexes found in the answer text (quotes included), micro-averaged;
    n/a for cases without any."""
    per: dict[str, float | None] = {}
    hit = total = 0
    missed: dict[str, list[str]] = {}
    for r in results:
        if not r.case.must_contain:
            per[r.case.id] = None
            continue
        text = r.text
        found = [bool(re.search(rx, text)) for rx in r.case.must_contain]
        per[r.case.id] = sum(found) / len(found)
        hit += sum(found)
        total += len(found)
        if not all(found):
            missed[r.case.id] = [rx for rx, f in zip(r.case.must_contain, found, strict=True)
                                 if not f]
    value = hit / total if total else None
    na = sum(v is None for v in per.values())
    reason = (f"must-contain facts found: {hit}/{total} (n/a {na})" if total
              else "must-contain: n/a (no case lists facts)")
    return MetricResult(value, reason, {"n": total, "na": na, "per_case": per,
                                        "missed": missed})


def twin_consistency(results: Sequence[CaseRecord],
                     equivalents: tuple[frozenset[str], ...] = ()) -> MetricResult:
    """en/sv twins: the same verdict from overlapping sources (translations listed in the
    suite's equivalent_sources count as one source). Two refusals agree whatever they
    quote: a not_enough_info answer may show the closest passages retrieval found, but it
    rests on none of them, so which ones each twin shows is no disagreement."""
    canon = {s: min(g) for g in equivalents for s in g}
    groups: dict[str, list[CaseRecord]] = {}
    for r in results:
        if r.case.pair:
            groups.setdefault(r.case.pair, []).append(r)
    per: dict[str, float | None] = {}
    same_verdict = 0
    for pid, members in sorted(groups.items()):
        if len(members) != 2:
            per[pid] = None
            continue
        a, b = members
        sa = {canon.get(s, s) for s in a.cited_sources()}
        sb = {canon.get(s, s) for s in b.cited_sources()}
        overlap = bool(sa & sb) or a.verdict == b.verdict == "not_enough_info"
        same_verdict += a.verdict == b.verdict
        per[pid] = float(a.verdict == b.verdict and overlap)
    return _result(per, "en/sv twins with the same verdict and overlapping sources",
                   unit="pair", same_verdict=same_verdict)


def _latency(results: Sequence[CaseRecord], q: float) -> MetricResult:
    vals = [r.latency_ms for r in results if r.answered]
    per: dict[str, float | None] = {r.case.id: (r.latency_ms if r.answered else None)
                                    for r in results}
    if not vals:
        return MetricResult(None, f"latency p{q:g}: n/a (no answers)",
                            {"n": 0, "na": len(per), "per_case": per})
    value = float(np.percentile(vals, q))
    return MetricResult(value, f"p{q:g} wall-clock ms per case over {len(vals)}: {value:.1f}",
                        {"n": len(vals), "na": len(per) - len(vals), "per_case": per})


def latency_p50(results: Sequence[CaseRecord]) -> MetricResult:
    return _latency(results, 50)


def latency_p95(results: Sequence[CaseRecord]) -> MetricResult:
    return _latency(results, 95)


@dataclass(frozen=True)
class Metric:
    fn: Callable[..., MetricResult]
    higher_is_better: bool = True
    binary: bool = True  # per-unit values are 0/1: McNemar applies
    needs_equivalents: bool = False


METRICS: dict[str, Metric] = {
    "hit_at_1": Metric(lambda rs: hit_at_k(rs, 1)),
    "hit_at_3": Metric(lambda rs: hit_at_k(rs, 3)),
    "mrr": Metric(mrr, binary=False),
    "citation_validity": Metric(citation_validity),
    "citation_recall": Metric(citation_recall, binary=False),
    "citation_precision": Metric(citation_precision, binary=False),
    "faithfulness": Metric(faithfulness, binary=False),
    "verdict_accuracy": Metric(verdict_accuracy),
    "verdict_macro_f1": Metric(verdict_macro_f1, binary=False),
    "refusal_recall": Metric(refusal_recall),
    "false_refusal_rate": Metric(false_refusal_rate, higher_is_better=False),
    "must_contain_recall": Metric(must_contain_recall, binary=False),
    "standalone_accuracy": Metric(standalone_accuracy),
    "twin_consistency": Metric(twin_consistency, needs_equivalents=True),
    "wrong_commitment_rate": Metric(wrong_commitment_rate, higher_is_better=False),
    "wrong_commitments": Metric(wrong_commitments, higher_is_better=False, binary=False),
    "ece": Metric(expected_calibration_error, higher_is_better=False, binary=False),
    "aurc": Metric(aurc, higher_is_better=False, binary=False),
    "latency_p50_ms": Metric(latency_p50, higher_is_better=False, binary=False),
    "latency_p95_ms": Metric(latency_p95, higher_is_better=False, binary=False),
}


def compute(name: str, results: Sequence[CaseRecord],
            equivalents: tuple[frozenset[str], ...] = ()) -> MetricResult:
    m = METRICS[name]
    return m.fn(results, equivalents) if m.needs_equivalents else m.fn(results)


def compute_all(results: Sequence[CaseRecord],
                equivalents: tuple[frozenset[str], ...] = ()) -> dict[str, MetricResult]:
    return {name: compute(name, results, equivalents) for name in METRICS}
