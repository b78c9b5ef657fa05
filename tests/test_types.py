"""The typed stage results (issue 13): objections render the reasons users see, warnings
become the contract's strings only in `to_dict`, and `Answer.from_dict` reads the contract
back, sentence roles included."""

from __future__ import annotations

import pytest

from rag.types import (
    Answer,
    AnswerSentence,
    Citation,
    Judgement,
    Objection,
    Span,
    Warning,
)


@pytest.mark.parametrize("objection,reason", [
    (Objection("polarity", source="not"), "polarity differs: source says 'not'"),
    (Objection("polarity", claim="never"), "polarity differs: claim says 'never', source does not"),
    (Objection("prefix", claim="non-combat"), "polarity differs: claim says 'non-combat'"),
    (Objection("prefix", source="icke-stridande"),
     "polarity differs: source says 'icke-stridande'"),
    (Objection("number", "3 million", "over 2 million", "amount"),
     "amount differs: 3 million vs over 2 million"),
    (Objection("name", "Lithuania", "Estonian", "source"),
     "names differ: claim says Lithuania, the source says Estonian"),
    (Objection("name", "Kallas", "Karis", "article"),
     "names differ: claim says Kallas, the article says Karis"),
    (Objection("modality", "will", "could"),
     "certainty differs: claim says 'will', source says 'could'"),
    (Objection("absent", "Latvia"), "the article does not mention Latvia"),
    (Objection("frame", "Berg"), "the source does not say this of Berg"),
    (Objection("no_number"), "the source gives no number"),
    (Objection("no_number", "5,000"), "the source does not give the number"),
    (Objection("certainty", "automatically"), "the source does not say 'automatically'"),
    (Objection("substitution", "amerikanska", "inhemska"),
     "the source says 'inhemska' where the claim says 'amerikanska'"),
    (Objection("binding", "Estonia", "Šimonytė"),
     "the source does not link Estonia and Šimonytė as the claim does"),
])
def test_an_objection_renders_the_reason_users_see(objection: Objection, reason: str) -> None:
    assert objection.reason == reason


def test_a_judgement_joins_its_objections_reasons() -> None:
    j = Judgement.of("refutes", 0.8, Objection("polarity", source="not"),
                     Objection("number", "3", "4", "number"))
    assert j.reason == "polarity differs: source says 'not'; number differs: 3 vs 4"
    assert [o.kind for o in j.objections] == ["polarity", "number"]
    assert Judgement("supports", 0.7, "same statement").objections == ()


def test_warnings_are_typed_inside_and_strings_in_the_contract() -> None:
    w = Warning("llm_unavailable", "timeout")
    assert str(w) == "llm_unavailable: timeout" and str(Warning("x")) == "x"
    assert Warning.parse(str(w)) == w
    a = _answer(warnings=(w,))
    assert a.to_dict()["warnings"] == ["llm_unavailable: timeout"]


def _answer(**kw: object) -> Answer:
    c = Citation(1, "001_a", "c1", "Alpha said yes.", 0, 15, "supports", "same statement",
                 "Title", "en")
    fields: dict = dict(
        query="Did Alpha say yes?", lang="en", kind="question", verdict="supported",
        confidence=0.81234,
        answer="Yes — according to the sources. [1]\nTitle: “Alpha said yes.” [1]",
        citations=(c,),
        sentences=(AnswerSentence("Yes — according to the sources. [1]", (1,), 0.9, True, "lead"),
                   AnswerSentence("Title: “Alpha said yes.” [1]", (1,), 1.0, True, "quote")),
        backend={"answer": "extractive", "judge": "j", "embedder": "e", "index_build": "b"},
        timings_ms={"total": 12.5})
    fields.update(kw)
    return Answer(**fields)  # type: ignore[arg-type]


def test_from_dict_reads_the_contract_back() -> None:
    a = _answer(warnings=(Warning("unknown_citation", "[7] removed"),))
    back = Answer.from_dict(a.to_dict())
    assert back.to_dict() == a.to_dict()
    assert [s.role for s in back.sentences] == ["lead", "quote"]
    assert back.warnings == a.warnings and back.citations == a.citations
    generated = _answer(backend={"answer": "llm:m"}, sentences=(
        a.sentences[0], AnswerSentence("Alpha agreed [1]", (1,), 0.7, True)))
    assert [s.role for s in Answer.from_dict(generated.to_dict()).sentences] == \
        ["lead", "generated"]


def test_the_contract_has_no_role_key() -> None:
    # the JSON contract is unchanged: roles live in the object only
    assert set(_answer().to_dict()["sentences"][0]) == {"text", "citations", "support",
                                                         "supported"}


def test_hidden_spans_have_a_kind_of_their_own() -> None:
    from rag.index.store import docs_from_json
    from rag.safety.hidden import is_hidden, mark_hidden

    text = "Alpha said yes. <script>alert(1)</script> Beta said no."
    spans = mark_hidden(text, (Span(0, len(text), "body"),), "en")
    hidden = [s for s in spans if is_hidden(s)]
    assert hidden and all(s.kind == "hidden" and not s.reason.startswith("hidden") for s in hidden)
    # a build stored before the kind existed (format 1: a bare list) is read with it
    def stored(*spans: dict) -> tuple[Span, ...]:
        doc = {"id": "d", "title": "t", "lang": "en", "text": text, "spans": list(spans),
               "provenance": {}, "hash": "h"}
        return docs_from_json([doc], "docs.json")[0].spans

    (legacy,) = stored({"start": 1, "end": 5, "kind": "boilerplate",
                        "reason": "hidden: HTML/XML tag"})
    assert legacy == Span(1, 5, "hidden", "HTML/XML tag")
    assert stored({"start": 1, "end": 5, "kind": "boilerplate", "reason": "site prefix"}
                  ) == (Span(1, 5, "boilerplate", "site prefix"),)
