"""The chat UI in a real Chromium (Debian's /usr/bin/chromium driven by Playwright): typed
questions get a verdict badge and an evidence panel whose highlighted quotes are exactly the
source spans; [n] opens the article at that span; Swedish, follow-ups, the Check and Sources
tabs, an article containing <script>, and the UI behind basic auth.

Never skipped: without Chromium these tests fail. Screenshots go to each test's tmp dir
(CI artifacts); FACTCHECK_UPDATE_SCREENSHOTS=1 also refreshes docs/chat.png for the README.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import ask, open_page
from conftest import ROOT, seed_text, serve_app

pytestmark = pytest.mark.browser

ARTICLE5 = "Would a Russian attack that hurts NATO trainers automatically trigger Article 5?"


def assert_marks_are_source_spans(scope: Any, css: str, text_of: Any = seed_text) -> int:
    """Every highlighted quote under `scope` equals its source file's [start:end]."""
    blocks = scope.locator(".fc-quote-block")
    assert blocks.count() > 0
    for i in range(blocks.count()):
        block = blocks.nth(i)
        source, start, end = (block.get_attribute(a) for a in
                              ("data-source", "data-start", "data-end"))
        mark = block.locator(css).first
        assert mark.text_content() == text_of(source)[int(start):int(end)]
    return blocks.count()


def shoot(page: Any, path: Path, docs_name: str | None = None) -> None:
    page.screenshot(path=str(path), full_page=True)
    if docs_name and os.environ.get("FACTCHECK_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(path, ROOT / "docs" / docs_name)


def test_article5_answer_has_badge_and_exact_highlighted_quotes(page, tmp_path):
    message = ask(page, ARTICLE5)
    badge = message.locator(".fc-badge")  # the chat's sanitizer drops data-*: use classes
    assert "fc-refuted" in badge.get_attribute("class") and badge.inner_text() == "Refuted"
    panel = page.locator("#fc-evidence-panel .fc-evidence[data-key='t0']")
    panel.wait_for()
    assert panel.locator(".fc-card").count() >= 2  # one card per source
    assert_marks_are_source_spans(panel, "mark.fc-quote")
    shoot(page, tmp_path / "chat.png", "chat.png")

    # clicking a [n] marker opens the article at exactly that span
    link = message.locator("a.fc-cite").first
    target = link.get_attribute("href").removeprefix("#")
    link.click()
    block = page.locator(f"#{target}")
    block.locator("details.fc-article[open]").wait_for()
    span = block.locator("mark.fc-span")
    assert span.is_visible()
    source, start, end = (block.get_attribute(a) for a in
                          ("data-source", "data-start", "data-end"))
    assert span.text_content() == seed_text(source)[int(start):int(end)]
    article = block.locator(".fc-article-text").text_content()
    assert article == seed_text(source)  # the whole article, untouched
    shoot(page, tmp_path / "chat-article.png")


def test_swedish_example_is_answered_in_swedish(page, tmp_path):
    page.get_by_text("Skulle en attack mot Nato-instruktörer", exact=False).first.click()
    page.wait_for_function(  # the example fills the box through an event: wait for it
        "document.querySelector('#fc-input textarea').value.startsWith('Skulle en attack')")
    before = page.locator("#fc-chat .fc-answer").count()
    page.click("#fc-send")
    page.wait_for_function(
        f"document.querySelectorAll('#fc-chat .fc-answer').length > {before}")
    message = page.locator("#fc-chat .fc-answer").last
    assert message.get_attribute("lang") == "sv"
    assert "fc-refuted" in message.locator(".fc-badge").get_attribute("class")
    assert message.locator(".fc-sent").first.inner_text().startswith("Nej")
    panel = page.locator("#fc-evidence-panel .fc-evidence")
    panel.wait_for()
    assert_marks_are_source_spans(panel, "mark.fc-quote")
    langs = panel.locator(".fc-lang").all_inner_texts()
    assert langs and set(langs) <= {"SV", "EN"}  # each card says its article's language
    shoot(page, tmp_path / "chat-sv.png")


def test_follow_up_keeps_the_conversation_and_older_citations_open(page):
    first = ask(page, ARTICLE5)
    ask(page, "How many NATO special operations soldiers were in Ukraine in March 2023?")
    assert page.locator("#fc-chat .fc-answer").count() == 2
    assert page.locator("#fc-evidence-panel .fc-evidence").get_attribute("data-key") == "t1"
    first.locator("a.fc-cite").nth(1).click()  # a marker of the first answer
    page.locator("#fc-evidence-panel .fc-evidence[data-key='t0']").wait_for()
    page.locator("#fc-t0-c2 details.fc-article[open]").wait_for()
    page.click("#fc-clear")
    page.locator("#fc-evidence-panel .fc-evidence.fc-empty").wait_for()
    assert page.locator("#fc-chat .fc-answer").count() == 0
    ask(page, ARTICLE5)  # a new conversation starts from turn 0 again
    page.locator("#fc-evidence-panel .fc-evidence[data-key='t0']").wait_for()
    page.click("#fc-chat button[aria-label='Clear']")  # the chat's own clear icon, too
    page.locator("#fc-evidence-panel .fc-evidence.fc-empty").wait_for()  # server state reset
    ask(page, ARTICLE5)
    assert page.locator("#fc-chat .fc-answer").count() == 1


def test_bad_input_is_shown_in_the_chat_and_kept_in_the_box(page):
    too_long = "Is this too long? " * 120
    page.fill("#fc-input textarea", too_long)
    page.press("#fc-input textarea", "Enter")
    # refused inline under the input, before anything is posted (issue 17.3)
    notice = page.locator("#fc-notice .fc-notice")
    notice.wait_for()
    assert "limit is 2,000" in notice.inner_text()
    assert page.locator("#fc-chat .fc-question").count() == 0
    assert page.input_value("#fc-input textarea") == too_long


def test_check_tab_shows_a_table_of_claims(page, tmp_path):
    page.get_by_role("tab", name="Check a text").click()
    page.fill("#fc-check-input textarea",
              "Kaja Kallas said that an attack on NATO trainers in Ukraine would automatically "
              "trigger Article 5. There were 97 NATO special operations soldiers in Ukraine in "
              "March 2023.")
    page.click("#fc-check-btn")
    rows = page.locator("#fc-claims tr.fc-claim")
    rows.first.wait_for()
    assert rows.count() == 2
    assert [rows.nth(i).get_attribute("data-verdict") for i in range(2)] == \
        ["refuted", "supported"]
    rows.first.locator("a.fc-cite").first.click()  # opens the collapsed evidence and article
    rows.first.locator("details.fc-article[open] mark.fc-span").wait_for()
    assert_marks_are_source_spans(rows.first, "mark.fc-span")
    shoot(page, tmp_path / "check.png")


def test_sources_tab_lists_the_articles(page):
    page.get_by_role("tab", name="Sources").click()
    rows = page.locator("#fc-sources tr[data-source]")
    rows.first.wait_for()
    assert rows.count() == 5


EVIL = ("Harbour town opens its new bridge\n\n"
        "The new bridge in Fjällby opened on 3 May 2024 after two years of work.\n"
        "<script>window.__pwned = 1; alert('pwned')</script> The mayor said the bridge cost "
        "12 million kronor. <img src=x onerror=\"window.__pwned = 2\"> Traffic on the bridge "
        "is expected to double by 2026.\n")


@pytest.fixture()
def evil_server(tmp_path, embedder) -> Iterator[tuple[str, Path]]:
    from rag.config import Settings
    from rag.ingest.build import ingest
    from rag.judge.heuristic import OfflineJudge
    from rag.pipeline import FactChecker
    from ui.server import create_server

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "900_evil.txt").write_text(EVIL, encoding="utf-8")
    settings = Settings.from_env(data_dir=tmp_path / "data", seeds_dir=articles)
    ingest([articles], settings, embedder, progress=False)
    checker = FactChecker(settings, embedder, OfflineJudge(embedder))
    with serve_app(create_server(checker)) as url:
        yield url, articles


def test_article_with_script_renders_as_text_and_reindex_works(browser, evil_server, tmp_path):
    url, articles = evil_server
    ctx, page, problems = open_page(browser, url)
    message = ask(page, "How much did the new bridge in Fjällby cost?")
    assert "fc-not_enough_info" not in message.locator(".fc-badge").get_attribute("class")
    message.locator("a.fc-cite").first.click()
    article = page.locator("#fc-evidence-panel details.fc-article[open] .fc-article-text")
    article.wait_for()
    # markup in an article is never rendered: the view shows the text around it and a
    # placeholder naming why the part is hidden (rag/safety/hidden.py)
    assert article.text_content() == EVIL.replace(
        "<script>window.__pwned = 1; alert('pwned')</script>",
        "[hidden: HTML script/style block]").replace(
        '<img src=x onerror="window.__pwned = 2">', "[hidden: HTML/XML tag]")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#fc-evidence-panel script, #fc-evidence-panel img").count() == 0
    assert_marks_are_source_spans(page.locator("#fc-evidence-panel"), "mark.fc-quote",
                                  lambda s: (articles / f"{s}.txt").read_text("utf-8"))
    shoot(page, tmp_path / "escaped.png")

    page.get_by_role("tab", name="Sources").click()
    page.click("#fc-reindex")
    page.wait_for_function("(document.querySelector('#fc-reindex-status')?.innerText || '')"
                           ".includes('Re-indexed: 1 docs')")
    ctx.close()
    assert not problems, problems


def test_ui_works_behind_basic_auth(browser, checker):
    from ui.server import create_server

    with serve_app(create_server(checker, auth=("desk", "pw"))) as url:
        ctx, page, problems = open_page(
            browser, url, http_credentials={"username": "desk", "password": "pw"})
        message = ask(page, ARTICLE5)
        assert "fc-refuted" in message.locator(".fc-badge").get_attribute("class")
        ctx.close()
    assert not problems, problems
