"""Aggregate per-sentence judgements into one verdict with a confidence.

Each source counts once, on the side of its strongest judgement; an article and its
translations or copies are one source when `editions` says so. A side's weight
is the sum of its sources' scores. `conflicting` needs credible evidence on both sides
from different sources, with the weaker side carrying at least a third of the stronger
side's weight; otherwise the stronger side wins. No judged evidence -> not_enough_info.

With a `Calibration` (`rag.judge.calibration`) the confidence is the calibrated one, and a
verdict whose calibrated confidence is under the commit bar becomes not_enough_info: the
leaning is named in the reason, no evidence is cited for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from rag.judge.calibration import Calibration
from rag.types import Evidence, Verdict, VerdictLabel

CREDIBLE = 0.55
CONFLICT_RATIO = 0.34
CONFLICT_MIN = 0.7  # each side needs at least one judgement this strong


def _side(evidence: list[Evidence], stance: str,
          editions: Mapping[str, str]) -> dict[str, float]:
    """Per independent source (an article and its translations or copies: one), its
    strongest judgement of `stance`."""
    best: dict[str, float] = {}
    for e in evidence:
        j = e.judgement
        if j.stance == stance and j.score >= CREDIBLE:
            key = editions.get(e.source, e.source)
            best[key] = max(best.get(key, 0.0), j.score)
    return best


def _sides(evidence: list[Evidence],
           editions: Mapping[str, str]) -> tuple[dict[str, float], dict[str, float]]:
    """(supporting, refuting) sources with their strongest score. A source takes one side,
    its strongest: an article does not conflict with itself (a tie takes neither)."""
    sup, ref = _side(evidence, "supports", editions), _side(evidence, "refutes", editions)
    for key in set(sup) & set(ref):
        s, r = sup.pop(key), ref.pop(key)
        if s > r:
            sup[key] = s
        elif r > s:
            ref[key] = r
    return sup, ref


def aggregate(evidence: list[Evidence], calibration: Calibration | None = None,
              editions: Mapping[str, str] | None = None) -> Verdict:
    """`editions`: article id -> the id standing for all editions of it
    (`rag.query.editions`); without it every article counts as a source of its own."""
    verdict = _aggregate(evidence, editions or {})
    if calibration is None or verdict.label == "not_enough_info":
        return verdict
    confidence = round(calibration(verdict.confidence), 4)
    if not calibration.commits(confidence):
        return Verdict("not_enough_info", 0.0, (),
                       f"{verdict.reason}, but the evidence leans {verdict.label} with "
                       f"confidence {confidence:.2f}, under the {calibration.commit:.2f} "
                       f"needed to commit")
    return Verdict(verdict.label, confidence, verdict.evidence, verdict.reason)


def _aggregate(evidence: list[Evidence], editions: Mapping[str, str]) -> Verdict:
    sup, ref = _sides(evidence, editions)
    w_sup, w_ref = sum(sup.values()), sum(ref.values())
    side = {"supports": sup, "refutes": ref}
    ordered = sorted((e for e in evidence if e.judgement.stance != "neutral"
                      and e.judgement.score >= CREDIBLE
                      and editions.get(e.source, e.source) in side[e.judgement.stance]),
                     key=lambda e: (-e.judgement.score, e.source, e.sentence.start))
    if not sup and not ref:
        return Verdict("not_enough_info", 0.0, (), "no evidence clears the floor")
    if sup and ref and min(w_sup, w_ref) >= CONFLICT_RATIO * max(w_sup, w_ref) \
            and min(max(sup.values()), max(ref.values())) >= CONFLICT_MIN \
            and len(set(sup) | set(ref)) >= 2:
        conf = min(w_sup, w_ref) / max(w_sup, w_ref)
        differ = [o for e in ordered for o in e.judgement.objections
                  if o.kind == "answers_differ"]  # an open question's numbers
        reason = f"the sources give different numbers: {differ[0].claim} and " \
            f"{differ[0].source}" if differ else f"{len(sup)} source(s) support, {len(ref)} refute"
        return Verdict("conflicting", round(0.5 + 0.4 * conf, 4), tuple(ordered), reason)
    label: VerdictLabel = "supported" if w_sup >= w_ref else "refuted"
    win, lose = (sup, ref) if label == "supported" else (ref, sup)
    top = max(win.values())
    # more independent sources and a clean margin raise confidence; it never reaches 1
    conf = top * (1 - 0.5 ** (len(win) + 1)) * (1 - sum(lose.values()) /
                                                  (sum(win.values()) + sum(lose.values())))
    kept = tuple(e for e in ordered if e.judgement.stance ==
                 ("supports" if label == "supported" else "refutes"))
    return Verdict(label, round(min(0.99, conf), 4), kept,
                   f"{len(win)} source(s) {'support' if label == 'supported' else 'refute'}")
