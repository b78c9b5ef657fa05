"""Each metric on tiny hand-computed examples, including the n/a paths, and the per-answer
scoring (citation validity, ALCE recall/precision, faithfulness) with a tiny rule-based
scorer that implements the SupportScorer Protocol (a real class, not a patch)."""

from __future__ import annotations

from typing import Any

import pytest

from eval import metrics as M
from eval import scoring
from eval.dataset import Case
from eval.judges import Support
from eval.records import CaseResult
from rag.types import Answer, AnswerSentence, Citation

A, B, C = "001_a", "002_b", "003_c"


def cite(n: int, source: str, quote: str = "q", start: int = 0, stance: str = "supports"
         ) -> dict[str, Any]:
    return {"n": n, "source": source, "chunk_id": "c", "quote": quote, "start": start,
            "end": start + len(quote), "stance": stance, "reason": "", "title": "t",
            "lang": "en"}


def result(cid: str, expected: str = "supported", got: str = "supported",
           sources: tuple[str, ...] = (A,), cited: tuple[str, ...] = (A,), lang: str = "en",
           pair: str | None = None, must: tuple[str, ...] = (), text: str = "",
           latency: float = 10.0, sentences: tuple[dict[str, Any], ...] = (),
           validity: dict[str, Any] | None = None, tags: tuple[str, ...] = ()) -> CaseResult:
    case = Case(cid, f"query {cid}", lang, "claim", expected, sources, must, tags, pair)  # type: ignore[arg-type]
    answer = Answer(case.text, case.lang, "claim", got, 0.0, text,  # type: ignore[arg-type]
                    tuple(Citation(**cite(i + 1, s)) for i, s in enumerate(cited)), ())
    return CaseResult(case, answer, latency, "", sentences, validity or {})


def test_hit_at_k_and_mrr_by_hand():
    rs = [result("a", cited=(A, B)),            # gold first: hit@1, rr 1
          result("b", cited=(B, C, A)),         # gold third: hit@3 only, rr 1/3
          result("c", cited=()),                # refused: miss, rr 0
          result("d", expected="not_enough_info", sources=(), cited=())]  # n/a
    h1, h3, rr = M.hit_at_k(rs, 1), M.hit_at_k(rs, 3), M.mrr(rs)
    assert h1.value == pytest.approx(1 / 3) and h3.value == pytest.approx(2 / 3)
    assert rr.value == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert h1.details["na"] == 1 and h1.details["per_case"]["d"] is None
    assert M.hit_at_k([rs[3]], 1).value is None  # nothing applicable: None, not NaN or 0
    assert "n/a" in M.hit_at_k([rs[3]], 1).reason


def test_verdict_accuracy_macro_f1_and_confusion_by_hand():
    rs = [result("a", "supported", "supported"), result("b", "supported", "refuted"),
          result("c", "refuted", "refuted"), result("d", "not_enough_info", "supported")]
    assert M.verdict_accuracy(rs).value == 0.5
    f1 = M.verdict_macro_f1(rs)
    # supported: p 1/2, r 1/2 -> .5; refuted: p 1/2, r 1 -> 2/3; nei: 0
    assert f1.value == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    conf = f1.details["confusion"]
    assert conf["supported"]["refuted"] == 1 and conf["not_enough_info"]["supported"] == 1
    assert M.verdict_accuracy(rs).details["by_group"]["expected=supported"]["accuracy"] == 0.5
    assert M.verdict_macro_f1([]).value is None


def test_engine_errors_count_as_wrong_and_are_listed():
    bad = CaseResult(Case("e", "t", "en", "claim", "supported", (A,)), None, 1.0, "InputError")
    assert M.verdict_accuracy([bad]).value == 0.0
    assert M.verdict_macro_f1([bad]).details["confusion"]["supported"]["error"] == 1


def test_refusal_recall_and_false_refusal_rate():
    rs = [result("u1", "not_enough_info", "not_enough_info", sources=()),
          result("u2", "not_enough_info", "supported", sources=()),
          result("a1", "supported", "not_enough_info"), result("a2", "refuted", "refuted"),
          result("a3", "supported", "supported"), result("a4", "supported", "supported")]
    assert M.refusal_recall(rs).value == 0.5
    assert M.false_refusal_rate(rs).value == 0.25
    assert M.refusal_recall(rs[2:]).value is None  # no unanswerable case: n/a


def test_must_contain_is_micro_averaged_with_na():
    rs = [result("a", must=(r"\b97\b", "Kallas"), text="There were 97 soldiers."),
          result("b", must=("(?i)nonsense",), text="NONSENSE"), result("c")]
    m = M.must_contain_recall(rs)
    assert m.value == pytest.approx(2 / 3)
    assert m.details["missed"] == {"a": ["Kallas"]} and m.details["na"] == 1
    assert M.must_contain_recall([result("x")]).value is None


def test_twin_consistency_uses_equivalent_sources():
    rs = [result("p-en", pair="p", cited=(A,)), result("p-sv", pair="p", lang="sv", cited=(B,)),
          result("q-en", pair="q", got="refuted"), result("q-sv", pair="q", lang="sv"),
          result("r-en", pair="r", got="not_enough_info", cited=()),
          result("r-sv", pair="r", lang="sv", got="not_enough_info", cited=()),
          # refusals that show different closest passages still agree: they rest on none
          result("s-en", pair="s", got="not_enough_info", cited=(A,)),
          result("s-sv", pair="s", lang="sv", got="not_enough_info", cited=(B,))]
    plain = M.twin_consistency(rs)
    assert plain.details["per_case"] == {"p": 0.0, "q": 0.0, "r": 1.0, "s": 1.0}
    assert plain.details["same_verdict"] == 3
    translated = M.twin_consistency(rs, (frozenset({A, B}),))
    assert translated.details["per_case"]["p"] == 1.0
    assert translated.value == pytest.approx(3 / 4)


def test_latency_percentiles():
    rs = [result(str(i), latency=float(ms)) for i, ms in enumerate([10, 20, 30, 40, 1000])]
    assert M.latency_p50(rs).value == 30.0
    assert M.latency_p95(rs).value == pytest.approx(40 + 0.8 * 960)
    assert M.latency_p50([]).value is None


def test_faithfulness_and_citation_metrics_na_for_refusals():
    sents = ({"role": "verdict", "supported": True, "faithful": True, "precise": {"1": True}},
             {"role": "content", "supported": False, "faithful": True,
              "precise": {"1": False, "2": False}},
             {"role": "frame"})
    rs = [result("a", sentences=sents), result("b", got="not_enough_info", cited=())]
    assert M.faithfulness(rs).value == 1.0
    assert M.citation_recall(rs).value == 0.5
    assert M.citation_precision(rs).value == pytest.approx(1 / 3)
    for metric in (M.faithfulness, M.citation_recall, M.citation_precision):
        r = metric(rs)
        assert r.details["na"] == 1 and r.details["per_case"]["b"] is None
    assert M.faithfulness([rs[1]]).value is None


# ------------------------------------------------------------- scoring with a tiny judge

class RuleScorer:
    """supported if the claim's words all occur in the passage; refuted if the passage says
    'not <claim>'; else unsupported."""

    name = "rule"
    version = "1"

    def settings(self) -> dict[str, Any]:
        return {}

    def score(self, claim: str, passage: str) -> Support:
        c, p = claim.lower().rstrip("."), passage.lower()
        if f"not {c}" in p:
            return Support("refuted", "negated")
        if all(w in p.split() for w in c.split()):
            return Support("supported", "all words")
        return Support("unsupported", "missing words")


def answer(verdict: str, query: str, sentences: list[tuple[str, list[int]]],
           quotes: list[str], text: str | None = None, roles: tuple[str, ...] = ()) -> Answer:
    """An Answer; its sentences are generated text unless `roles` says (lead, quote)."""
    cites = [cite(i + 1, A, q, start=100 * i) for i, q in enumerate(quotes)]
    return Answer(query=query, lang="en", kind="question", verdict=verdict,  # type: ignore[arg-type]
                  confidence=0.5, answer=text if text is not None else
                  "\n".join(s for s, _ in sentences),
                  citations=tuple(Citation(**c) for c in cites),
                  sentences=tuple(AnswerSentence(s, tuple(ns), 1.0, True,
                                                 roles[i] if i < len(roles) else "generated")
                                  for i, (s, ns) in enumerate(sentences)))


def test_citation_validity_checks_markers_and_offsets():
    good = answer("supported", "q", [("x [1]", [1])], ["alpha"])
    texts = {A: "alpha" + " " * 95 + "beta"}
    assert scoring.citation_validity(good, texts)["valid"]
    bad = answer("supported", "q", [("x [1] [3]", [1])], ["beta"])
    problems = scoring.citation_validity(bad, texts)["problems"]
    assert "[3] resolves to no citation" in problems
    assert any("quote != 001_a[0:4]" in p for p in problems)
    rs = [result("ok", validity={"n_citations": 1, "valid": True, "problems": []}),
          result("no", validity={"n_citations": 2, "valid": False, "problems": ["x"]}),
          result("na", validity={"n_citations": 0, "valid": True, "problems": []})]
    v = M.citation_validity(rs)
    assert v.value == 0.5 and v.details["na"] == 1 and v.details["problems"] == {"no": ["x"]}


def test_verdict_lead_is_faithful_when_its_citations_take_that_side():
    from rag.answer.compose import LEADS

    no = LEADS[("yesno", "refuted")]["en"]
    ans = answer("refuted", "Does alpha beta?",
                 [(f"{no} [1][2]", [1, 2]), ("T: “not alpha beta” [1]", [1])],
                 ["not alpha beta", "gamma"], roles=("lead", "quote"))
    recs = scoring.score_answer(ans, RuleScorer())
    lead, quote = recs
    assert lead["role"] == "verdict" and lead["claim"] == "alpha beta"
    assert lead["supported"] and lead["faithful"]
    assert lead["precise"] == {"1": True, "2": False}  # [2] does not refute the proposition
    assert quote["role"] == "content" and quote["claim"] == "not alpha beta"
    assert quote["supported"] and quote["precise"] == {"1": True}
    yes = LEADS[("yesno", "supported")]["en"]
    wrong = answer("supported", "Does alpha beta?", [(f"{yes} [1]", [1])], ["not alpha beta"],
                   roles=("lead",))
    (rec,) = scoring.score_answer(wrong, RuleScorer())
    assert not rec["supported"] and not rec["faithful"]


def test_alce_precision_drops_a_redundant_citation():
    ans = answer("supported", "x", [("alpha beta [1][2][3]", [1, 2, 3])],
                 ["alpha beta", "alpha", "zeta"])
    (rec,) = scoring.score_answer(ans, RuleScorer())
    assert rec["supported"]
    # [1] supports alone; [2] alone does not and [1][3] still support without it: redundant
    assert rec["precise"] == {"1": True, "2": False, "3": False}


def test_unsupported_sentence_and_open_question_frame():
    from rag.answer.compose import LEADS

    frame = LEADS[("open", "supported")]["en"]
    ans = answer("supported", "What about alpha?",
                 [(f"{frame} [1]", [1]), ("omega psi [1]", [1]), ("no citation here", [])],
                 ["alpha"], roles=("lead",))
    recs = scoring.score_answer(ans, RuleScorer())
    assert recs[0]["role"] == "frame"
    assert not recs[1]["supported"] and not recs[1]["faithful"]
    assert recs[2]["citations"] == [] and not recs[2]["supported"]
    r = result("x", sentences=tuple(recs))
    assert M.faithfulness([r]).value == 0.0 and M.citation_recall([r]).value == 0.0


def test_metric_registry_covers_the_issue():
    for name in ("hit_at_1", "mrr", "citation_validity", "citation_recall",
                 "citation_precision", "faithfulness", "verdict_accuracy", "verdict_macro_f1",
                 "refusal_recall", "false_refusal_rate", "must_contain_recall",
                 "twin_consistency", "latency_p50_ms", "latency_p95_ms"):
        assert name in M.METRICS
    out = M.compute_all([result("a")])
    assert all(isinstance(v.details.get("per_case"), dict) for v in out.values())


def test_standalone_match_counts_roles_not_word_order():
    want = "Has France expressed interest in deploying troops to Ukraine?"
    assert M.standalone_match("has France expressed interest in deploying troops to Ukraine",
                              want)
    assert M.standalone_match("How many NATO soldiers were there in March 2023 in Ukraine?",
                              "How many of the NATO soldiers were there in Ukraine in March "
                              "2023?")
    # France as the destination is another question, and so is one with a pronoun left
    assert not M.standalone_match("Has the US expressed interest in deploying troops to "
                                  "France?", want)
    assert not M.standalone_match("Has France expressed interest in deploying troops to it?",
                                  want)
    assert not M.standalone_match("Has France expressed interest in deploying troops to "
                                  "Ukraine (Estonia, Ukraine)?", want)
    # "US" the country is a content word, "us" the pronoun is not
    assert not M.standalone_match("Has the US said so?", "Has it said so?")


def test_standalone_accuracy_over_follow_ups_only():
    def follow_up(cid: str, query: str, standalone: str) -> CaseResult:
        case = Case(cid, "What about France?", "en", "question", "supported", (A,),
                    history=("Has the US sent trainers to Ukraine?",), standalone=standalone)
        return CaseResult(case, Answer(query, "en", "question", "supported", 0.0, "", (), ()),
                          1.0)

    right = "Has France sent trainers to Ukraine?"
    rs = [follow_up("ok", right, right),
          follow_up("swapped", "Has the US sent trainers to France?", right),
          result("plain")]
    m = M.compute_all(rs)["standalone_accuracy"]
    assert m.value == 0.5
    assert m.details["n"] == 2 and m.details["na"] == 1
    assert m.details["mismatches"] == {"swapped": {"expected": right, "got":
                                                   "Has the US sent trainers to France?"}}
    assert M.compute_all([result("plain")])["standalone_accuracy"].value is None
