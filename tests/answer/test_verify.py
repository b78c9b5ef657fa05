"""The verbatim rule of the verifier: a generated sentence that quotes its citation word for
word is supported only if what it puts around the quote adds nothing (real index, real
answer's citation)."""

from dataclasses import replace

import pytest

from rag.answer.verify import UNSCORED, verify
from rag.types import AnswerSentence

QUESTION = "Would a Russian attack that hurts NATO trainers automatically trigger Article 5?"


@pytest.fixture(scope="module")
def cited(checker):
    answer = checker.ask(QUESTION)
    assert answer.citations
    return answer, checker.snapshot().docs


def _generated(answer, text):
    c = answer.citations[0]
    sentence = AnswerSentence(text.format(q=c.quote) + f" [{c.n}]", (c.n,), UNSCORED, False)
    return replace(answer, sentences=(sentence,), citations=(c,), warnings=())


@pytest.mark.parametrize("frame", ["{q}", "It was reported that {q}", "Enligt artikeln: {q}"])
def test_a_verbatim_quote_in_a_plain_frame_is_supported(cited, frame):
    answer, docs = cited
    out = verify(_generated(answer, frame), docs)
    assert [s.support for s in out.sentences] == [1.0], out.warnings


@pytest.mark.parametrize("frame", [
    "It is not true that {q}",            # negation around the quote
    "{q} In 2031 this changed",           # a number the quote does not give
    "{q} The alliance has also cancelled every exercise in Poland",  # a new claim
    "Det stämmer inte att {q}",           # Swedish negation
])
def test_words_around_a_verbatim_quote_that_add_a_claim_are_not_supported(cited, frame):
    answer, docs = cited
    out = verify(_generated(answer, frame), docs)
    assert out.sentences == ()
    assert any(w.startswith("unsupported_sentence_dropped") and "adds to its verbatim quote"
               in w for w in map(str, out.warnings)), out.warnings


def test_extractive_sentences_keep_their_own_support(cited):
    answer, docs = cited  # composed by the engine, not UNSCORED: the verbatim rule stands
    out = verify(answer, docs)
    assert [s.supported for s in out.sentences] == [s.supported for s in answer.sentences]
