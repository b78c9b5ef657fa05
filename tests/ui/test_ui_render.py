"""Unit tests for the pure UI renderers (no server): offsets, escaping, stance grouping,
clickable markers, flagged sentences, chat state and the Check/Sources tables."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from conftest import seed_text

from rag.types import Answer, AnswerSentence, Citation, Document, Provenance, Span, Warning
from ui import chat, render, tables

ARTICLE5 = "Would a Russian attack that hurts NATO trainers automatically trigger Article 5?"


class Marks(HTMLParser):
    """Collects the text inside each <mark> and the ids present."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[tuple[dict[str, str | None], str]] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self._open: list[tuple[dict[str, str | None], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        d = dict(attrs)
        if d.get("id"):
            self.ids.add(str(d["id"]))
        if tag == "mark":
            self._open.append((d, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            d, text = self._open.pop()
            self.marks.append((d, "".join(text)))

    def handle_data(self, data: str) -> None:
        for _, text in self._open:
            text.append(data)


def parse(markup: str) -> Marks:
    p = Marks()
    p.feed(markup)
    p.close()
    return p


def doc(doc_id: str, text: str, lang: str = "en", publisher: str | None = None,
        url: str | None = None) -> Document:
    return Document(id=doc_id, title=f"Title of {doc_id}", lang=lang, text=text,  # type: ignore[arg-type]
                    spans=(Span(0, len(text), "body"),),
                    provenance=Provenance(publisher=publisher, url=url), hash="h" + doc_id)


def cite(n: int, d: Document, quote: str, stance: str = "supports", reason: str = "") -> Citation:
    start = d.text.index(quote)
    return Citation(n=n, source=d.id, chunk_id=f"c{n}", quote=quote, start=start,
                    end=start + len(quote), stance=stance, reason=reason,  # type: ignore[arg-type]
                    title=d.title, lang=d.lang)


def answer(citations: tuple[Citation, ...], verdict: str = "supported",
           sentences: tuple[AnswerSentence, ...] | None = None, warnings: tuple[Warning, ...] = ()
           ) -> Answer:
    if sentences is None:
        sentences = (AnswerSentence("Lead. " + "".join(f"[{c.n}]" for c in citations),
                                    tuple(c.n for c in citations), 0.9, True),)
    return Answer(query="q?", lang="en", kind="question", verdict=verdict,  # type: ignore[arg-type]
                  confidence=0.9, answer="\n".join(s.text for s in sentences),
                  citations=citations, sentences=sentences, warnings=warnings)


@pytest.fixture(scope="module")
def article5(checker) -> Answer:
    return checker.ask(ARTICLE5)


def test_evidence_panel_highlights_exactly_the_cited_span(checker, article5):
    docs = checker.snapshot().docs
    assert article5.verdict == "refuted" and article5.citations
    parsed = parse(render.evidence_html(article5, docs, "t0"))
    for c in article5.citations:
        source = seed_text(c.source)
        in_context = [t for a, t in parsed.marks if a.get("class") == "fc-quote"]
        in_article = [t for a, t in parsed.marks if a.get("class") == "fc-span"]
        assert source[c.start:c.end] in in_context  # the quote inside its paragraph
        assert source[c.start:c.end] in in_article  # and inside the whole article
        assert render.cite_id("t0", c.n) in parsed.ids  # the target of the [n] link


def test_article_view_is_the_whole_text_with_one_mark(checker, article5):
    c = article5.citations[0]
    source = seed_text(c.source)
    block = render.highlight(source, c.start, c.end)
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", block)) == source
    assert block.count("<mark") == 1


def test_context_is_the_paragraph_around_the_quote():
    text = "First paragraph.\nBefore the quote. THE QUOTE. After it.\nLast paragraph."
    start = text.index("THE QUOTE")
    a, b = render.context_bounds(text, start, start + len("THE QUOTE."))
    assert text[a:b] == "Before the quote. THE QUOTE. After it."


def test_long_paragraph_context_is_cut_at_words_with_ellipses():
    text = ("word " * 200) + "QUOTE" + (" word" * 200)
    start = text.index("QUOTE")
    a, b = render.context_bounds(text, start, start + 5, limit=50)
    assert 0 < a < start and start + 5 < b < len(text)
    out = render.highlight(text, start, start + 5, a, b)
    assert out.startswith("…word") and out.endswith("word…")
    assert "<mark>QUOTE</mark>" in out


def test_article_text_is_escaped_not_markup():
    evil = ('Intro. <script>alert("x")</script> The claim is true. '
            '<img src=x onerror="alert(1)"> ${1+1} {{x}}')
    d = doc("999_evil", evil, publisher="<b>Evil</b> News", url="javascript:alert(1)")
    c = cite(1, d, "<script>alert(\"x\")</script> The claim is true.")
    a = answer((c,), sentences=(AnswerSentence(f"“{c.quote}” [1]", (1,), 1.0, True),))
    for markup in (render.evidence_html(a, {d.id: d}, "t0"), render.answer_html(a, "t0"),
                   tables.claims_html([a], {d.id: d}, {"claims": 1, "supported": 1})):
        assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
        assert "&lt;script&gt;" in markup
        assert "javascript:" not in markup  # an unsafe URL is not linked
    panel = parse(render.evidence_html(a, {d.id: d}, "t0"))
    assert set(panel.tags) <= {"section", "div", "span", "article", "header", "blockquote",
                               "mark", "details", "summary", "a"}
    assert any(t == c.quote for _, t in panel.marks)  # still highlighted, as text


def test_markers_become_links_to_the_citation_and_unknown_ones_stay_text():
    d = doc("001_a", "Alpha said yes. Beta said no.")
    c = cite(1, d, "Alpha said yes.")
    out = render.linkify_markers("Lead [1] and [7] <b>", {1: c}, "t3")
    assert 'href="#fc-t3-c1"' in out and ">[1]</a>" in out
    assert "[7]" in out and "#fc-t3-c7" not in out
    assert "&lt;b&gt;" in out


def test_answer_message_is_one_line_with_badge_and_flags():
    d = doc("001_a", "Alpha said yes.\nBeta said no.")
    c = cite(1, d, "Alpha said yes.")
    a = answer((c,), sentences=(
        AnswerSentence("Yes — line one [1]\nstill one", (1,), 1.0, True),
        AnswerSentence("A guess the sources do not make [1]", (1,), 0.2, False)),
        warnings=(Warning("unsupported_sentence_dropped", "Something else"),))
    out = render.answer_html(a, "t0")
    assert "\n" not in out  # the chat's Markdown would end an HTML block at a blank line
    assert 'data-verdict="supported"' in out and "confidence 90%" in out
    assert out.count("fc-unsupported") == 1 and "not supported by the sources" in out
    assert "A sentence its citation did not support was removed: Something else" in out


def test_refusal_has_no_citations_and_no_confidence():
    a = replace(answer(()), verdict="not_enough_info", sentences=(), answer="Not enough.",
                confidence=0.0)
    assert "Not enough info" in render.answer_html(a, "t0")
    assert "confidence" not in render.badge("not_enough_info", 0.0)
    panel = render.evidence_html(a, {}, "t0")
    assert "fc-empty" in panel and "nothing is cited" in panel


def test_one_card_per_source_in_citation_order():
    d1, d2 = doc("001_a", "A one. A two."), doc("002_b", "B one.")
    cs = (cite(1, d1, "A one."), cite(2, d2, "B one."), cite(3, d1, "A two."))
    cards = render.group_cards(cs, by_stance=False)
    assert [(k.source, [c.n for c in k.citations]) for k in cards] == \
        [("001_a", [1, 3]), ("002_b", [2])]


def test_disagreeing_sources_are_grouped_by_stance():
    d1, d2, d3 = doc("001_a", "A yes."), doc("002_b", "B no."), doc("003_c", "C yes.")
    cs = (cite(1, d2, "B no.", "refutes"), cite(2, d1, "A yes.", "supports"),
          cite(3, d3, "C yes.", "supports"))
    a = answer(cs, verdict="conflicting")
    assert render.disagree(a)
    out = render.evidence_html(a, {d.id: d for d in (d1, d2, d3)}, "t0")
    groups = re.findall(r'class="fc-group" data-stance="(\w+)"', out)
    assert groups == ["supports", "refutes"]
    assert "Sources that support it (2)" in out and "Sources that contradict it (1)" in out
    supports = out.split('data-stance="refutes"')[0]
    assert 'data-source="001_a"' in supports and 'data-source="003_c"' in supports
    assert 'data-source="002_b"' not in supports


def test_agreeing_sources_are_not_grouped():
    d1, d2 = doc("001_a", "A no."), doc("002_b", "B no.")
    a = answer((cite(1, d1, "A no.", "refutes"), cite(2, d2, "B no.", "refutes")), "refuted")
    assert not render.disagree(a)
    assert "fc-group" not in render.evidence_html(a, {d1.id: d1, d2.id: d2}, "t0")


def test_card_shows_outlet_language_stance_and_safe_link():
    d = doc("003_x", "Sv text här.", lang="sv", publisher="LB.ua", url="https://example.org/a")
    a = answer((cite(1, d, "Sv text här.", "refutes", "polarity differs"),), "refuted")
    out = render.evidence_html(a, {d.id: d}, "t0")
    assert "LB.ua" in out and ">SV<" in out and "contradicts" in out
    assert 'href="https://example.org/a"' in out and 'rel="noopener noreferrer nofollow"' in out
    assert "polarity differs" in out


def test_quote_not_matching_the_loaded_document_is_shown_without_article_view():
    d = doc("001_a", "Alpha said yes.")
    c = cite(1, d, "Alpha said yes.")
    changed = replace(d, text="Something else entirely now.")
    out = render.evidence_html(answer((c,)), {d.id: changed}, "t0")
    assert "Alpha said yes." in out and "fc-article" not in out


def test_chat_turns_render_and_give_history():
    d = doc("001_a", "Alpha said yes.")
    a = answer((cite(1, d, "Alpha said yes."),))
    turns = [chat.Turn("first <q>", a), chat.Turn("second", error="the index is locked"),
             chat.Turn("third")]
    msgs = chat.chat_messages(turns)
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 3
    assert "&lt;q&gt;" in msgs[0]["content"]
    assert 'href="#fc-t0-c1"' in msgs[1]["content"]
    assert "fc-error" in msgs[3]["content"] and "fc-pending" in msgs[5]["content"]
    assert chat.history(turns) == [{"role": "user", "content": "first <q>"},
                                   {"role": "assistant", "content": a.answer}]
    assert [chat.turn_of_message(i) for i in range(6)] == [0, 0, 1, 1, 2, 2]


def test_claims_table_has_a_row_per_claim_with_verdict_and_evidence(checker):
    text = ("Kaja Kallas said that an attack on NATO trainers in Ukraine would automatically "
            "trigger Article 5. There were 97 NATO special operations soldiers in Ukraine in "
            "March 2023.")
    answers = checker.check(text)
    from rag.pipeline import summarize

    out = tables.claims_html(answers, checker.snapshot().docs, summarize(answers))
    rows = re.findall(r'<tr class="fc-claim" data-verdict="(\w+)"', out)
    assert rows == [a.verdict for a in answers] and len(rows) == 2
    assert f"{len(answers)} check-worthy claims" in out
    for i, a in enumerate(answers, 1):
        if a.citations:
            assert f'href="#fc-k{i}-c{a.citations[0].n}"' in out


def test_sources_table_lists_every_article(checker):
    snap = checker.snapshot()
    rows = tables.source_rows(snap)
    assert [r["id"] for r in rows] == sorted(snap.docs)
    assert sum(r["chunks"] for r in rows) == len(snap.chunks)
    out = tables.sources_html(snap.build_id, rows)
    assert out.count('<tr data-source="') == len(snap.docs) and snap.build_id in out


def test_untitled_article_card_says_untitled_with_its_outlet():
    text = "Kallas said the trainers act at their own risk."
    plain = replace(doc("u1", text, publisher="Example News"), title="untitled",
                    title_from="none")
    html_ = render.evidence_html(answer((cite(1, plain, text),)), {"u1": plain}, "t1")
    head = html_.split('<div class="fc-meta">')[0]
    assert "untitled" in head and "Example News" in head
    assert html_.count("Example News") == 1  # not again in the meta line
    unknown = replace(plain, provenance=Provenance())
    html_ = render.evidence_html(answer((cite(1, unknown, text),)), {"u1": unknown}, "t1")
    assert "untitled · <span class=\"fc-outlet\">outlet not stated</span>" in html_
    titled = doc("t1", text, publisher="Example News")
    html_ = render.evidence_html(answer((cite(1, titled, text),)), {"t1": titled}, "t1")
    assert "Title of t1" in html_ and "untitled" not in html_
