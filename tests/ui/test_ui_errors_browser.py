"""The chat's own errors in a real Chromium (issue 17, point 3): an empty Ask (Enter or the
button), a double submit and a question over the limit are refused inline under the input
with the reason — the conversation stays as it was, no red error state, no toast, nothing
posted; Ask is disabled while a question is answered; a character counter appears near the
limit; the Check tab says inline that a text has no check-worthy claim."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import ask

pytestmark = pytest.mark.browser

ARTICLE5 = "Would a Russian attack that hurts NATO trainers automatically trigger Article 5?"
COUNT = "#fc-counter .fc-count"


def bubbles(page: Any) -> int:
    return page.locator("#fc-chat .fc-question").count()


def assert_no_error_state(page: Any) -> None:
    assert page.locator(".toast-body").count() == 0  # no fading toast
    assert page.locator("#fc-chat .error, #fc-chat [class*='error']").count() == 0


def notice(page: Any) -> str:
    page.wait_for_function("(document.querySelector('#fc-notice .fc-notice')?.innerText "
                           "|| '').trim().length > 0")
    return page.locator("#fc-notice .fc-notice").inner_text()


def notice_gone(page: Any) -> bool:
    return page.locator("#fc-notice .fc-notice").count() == 0


def test_empty_ask_is_refused_inline_and_keeps_the_conversation(page):
    answer = ask(page, ARTICLE5)
    kept = answer.inner_text()
    page.fill("#fc-input textarea", "   ")
    page.press("#fc-input textarea", "Enter")
    assert "Type a question" in notice(page)
    page.click("#fc-send")
    page.wait_for_timeout(500)
    assert "Type a question" in notice(page)
    assert bubbles(page) == 1
    assert page.locator("#fc-chat .fc-answer").first.inner_text() == kept
    assert_no_error_state(page)
    ask(page, "Skulle en attack mot Nato-instruktörer automatiskt utlösa Artikel 5?")
    assert notice_gone(page)  # a good Ask clears it


def test_ask_is_disabled_while_answering_and_a_double_submit_posts_once(page):
    page.evaluate("""() => { window.__fcDisabled = false;
        const seen = () => { const b = document.querySelector('#fc-send');
            const t = document.querySelector('#fc-input textarea');
            if ((b && b.disabled) || (t && t.disabled)) window.__fcDisabled = true; };
        new MutationObserver(seen).observe(document.body,
            {subtree: true, attributes: true, childList: true}); }""")
    page.fill("#fc-input textarea", ARTICLE5)
    page.press("#fc-input textarea", "Enter")
    page.click("#fc-send", force=True, no_wait_after=True)  # the second submit of a double
    page.press("#fc-input textarea", "Enter")
    page.wait_for_function("document.querySelectorAll('#fc-chat .fc-answer').length >= 1")
    page.wait_for_function("!document.querySelector('#fc-send').disabled")
    page.wait_for_timeout(800)  # a second answer, if one was sent, would be here by now
    assert page.evaluate("window.__fcDisabled") is True
    assert bubbles(page) == 1 and page.locator("#fc-chat .fc-answer").count() == 1
    assert notice_gone(page) or "Type a question" in notice(page)
    assert_no_error_state(page)
    assert not page.locator("#fc-input textarea").is_disabled()


def test_character_counter_and_an_over_long_question_is_not_posted(page):
    box = page.locator("#fc-input textarea")
    box.fill("a" * 100)
    count = page.locator("#fc-counter .fc-count")
    assert count.inner_text().strip() == ""  # far from the limit
    box.fill("Is it true " * 160)  # 1,760 characters
    page.wait_for_function(f"document.querySelector('{COUNT}').innerText.includes('/')")
    assert "1,760 / 2,000" in count.inner_text()
    long = ("Is it true that NATO trainers are in Ukraine? " * 110)[:5000]
    box.fill(long)
    page.wait_for_function(f"document.querySelector('{COUNT}').innerText.includes('too long')")
    assert "5,000 / 2,000" in count.inner_text()
    box.press("Enter")
    text = notice(page)
    assert "5,000" in text and "2,000" in text
    assert bubbles(page) == 0  # no giant bubble before the refusal
    assert box.input_value() == long  # the text is kept to be shortened
    assert_no_error_state(page)


def test_check_tab_says_inline_when_there_is_no_check_worthy_claim(page):
    page.get_by_role("tab", name="Check a text").click()
    page.fill("#fc-check-input textarea", "Kaja Kallas said that an attack on NATO trainers "
              "in Ukraine would automatically trigger Article 5.")
    page.click("#fc-check-btn")
    page.locator("#fc-claims .fc-claim, #fc-claims tr").first.wait_for()
    table = page.locator("#fc-claims").inner_text()
    page.fill("#fc-check-input textarea", "hello there")
    page.click("#fc-check-btn")
    page.wait_for_function("(document.querySelector('#fc-check-notice .fc-notice')"
                           "?.innerText || '').includes('check-worthy')")
    assert page.locator("#fc-claims").inner_text() == table  # the last result stays
    assert_no_error_state(page)
