"""Chromium for the browser tests (Debian's /usr/bin/chromium driven by Playwright): the
`browser` fixture, a page opened on the app, and asking a question in the chat. Shared by
the UI, streaming and injection tests. Without Chromium the fixture fails (never skips).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("FACTCHECK_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.exists(), (f"Chromium not found at {CHROMIUM}: `apt-get install -y "
                               f"chromium` (browser tests fail rather than skip)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


def open_page(browser: Any, url: str, **context: Any) -> tuple[Any, Any, list[str]]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, **context)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.goto(url, wait_until="load")  # "networkidle" never fires: the queue stays connected
    page.wait_for_selector("#fc-input textarea")
    return ctx, page, problems


def ask(page: Any, question: str) -> Any:
    """Type a question, send it, and return the new answer message once it is there."""
    before = page.locator("#fc-chat .fc-answer").count()
    page.fill("#fc-input textarea", question)
    page.press("#fc-input textarea", "Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#fc-chat .fc-answer').length > {before}")
    return page.locator("#fc-chat .fc-answer").nth(before)


@pytest.fixture()
def page(browser, ui_server) -> Iterator[Any]:
    """A fresh page on the session's UI server; fails the test if the page logged errors."""
    ctx, pg, problems = open_page(browser, ui_server)
    yield pg
    ctx.close()
    assert not problems, problems
