"""A quote from an article with no headline is named by its file in the answer text, in the
answer's language — not by the word "untitled", and never by its first sentence cut off
(issue 17, point 7)."""

from __future__ import annotations

import pytest

from rag.types import UNTITLED


@pytest.mark.parametrize(("question", "name"), [
    ("Would a Russian attack that injures NATO trainers in Ukraine automatically trigger "
     "Article 5?", "Untitled article"),
    ("Skulle en rysk attack som skadar Nato-instruktörer i Ukraina automatiskt utlösa "
     "artikel 5?", "Artikel utan rubrik"),
])
def test_quotes_from_untitled_articles_name_their_file(checker, question, name):
    answer = checker.ask(question)
    untitled = [c for c in answer.citations if c.title == UNTITLED]
    assert untitled, [c.title for c in answer.citations]
    for c in untitled:
        assert f"{name} {c.source}" in answer.answer
        assert checker.snapshot().docs[c.source].title_from == "none"
    assert f"{UNTITLED}:" not in answer.answer
    titled = [c for c in answer.citations if c.title != UNTITLED]
    assert all(f"{c.title}" in answer.answer for c in titled)
