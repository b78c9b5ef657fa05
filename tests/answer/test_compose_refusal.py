"""A `not_enough_info` answer quotes the closest passages the judge saw when retrieval found
some, and is the plain refusal only when nothing close was found (issue 17, point 2: "no
passage in the articles" was shown for a claim whose passage the judge had just read)."""

from __future__ import annotations

from conftest import seed_text

from rag.answer.compose import RELATED_MIN, compose, refusal
from rag.answer.verify import verify
from rag.query.analyse import analyse, as_claim
from rag.types import Verdict

CLAIM = "There were 97 NATO special forces soldiers in Ukraine in March 2023."


def evidence_for(checker, text):
    import time

    q = analyse(text)
    q = as_claim(q, q.text)
    return q, checker._judge(q, [], time.perf_counter()).evidence


def test_refusal_quotes_the_closest_passage_retrieval_found(checker):
    q, evidence = evidence_for(checker, CLAIM)
    assert max(e.relevance for e in evidence) >= RELATED_MIN
    sentences, citations = compose(q, Verdict("not_enough_info", 0.0, ()), evidence)
    assert citations and sentences[0].text.startswith(refusal(q))
    assert "special operations" in citations[0].quote
    for c in citations:
        assert seed_text(c.source)[c.start:c.end] == c.quote
    assert len({c.source for c in citations}) == len(citations)  # one per source


def test_refusal_survives_verification_with_its_quotes(checker):
    from rag.types import Answer

    q, evidence = evidence_for(checker, CLAIM)
    sentences, citations = compose(q, Verdict("not_enough_info", 0.0, ()), evidence)
    answer = Answer(query=q.text, lang=q.lang, kind=q.kind, verdict="not_enough_info",
                    confidence=0.0, answer="\n".join(s.text for s in sentences),
                    citations=tuple(citations), sentences=tuple(sentences), backend={},
                    warnings=())
    checked = verify(answer, checker.snapshot().docs)
    assert checked.citations == answer.citations and not checked.warnings


def test_refusal_without_close_evidence_is_plain(checker):
    q, evidence = evidence_for(checker, "What is the population of Estonia?")
    assert all(e.relevance < RELATED_MIN for e in evidence)
    assert compose(q, Verdict("not_enough_info", 0.0, ()), evidence) == ([], [])
    assert compose(q, Verdict("not_enough_info", 0.0, ())) == ([], [])
