"""Cards from saved chat pages, rendered in Chromium with Anki's reviewer CSS and MathJax: the
page fixtures typeset and highlight, and a page built to attack (tests/fixtures/hostile/
chat-page.html) cannot make its card act. Uses the harness of test_cards_in_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_cards_in_browser as harness
from conftest import FIXTURES
from reviewer import reviewer_page
from test_cards_in_browser import INSPECT_HOSTILE, VIEWS, Browser, Card, build_cards

pytestmark = pytest.mark.browser
browser = harness.browser  # the fixture: one Chromium behind Anki's reviewer assets

PAGES = FIXTURES / "pages"
HOSTILE_PAGE = FIXTURES / "hostile" / "chat-page.html"

# What each card shows once MathJax has run: its formulas, errors, highlighted code.
INSPECT_PAGE_CARD = """
async () => {
  await window.cardTypeset;
  const qa = document.getElementById("qa");
  return {
    math: qa.querySelectorAll("mjx-container").length,
    mathErrors: [...qa.querySelectorAll("mjx-merror, [data-mjx-error]")].map(
      (e) => e.getAttribute("data-mjx-error") || e.textContent),
    highlighted: qa.querySelectorAll("pre.highlight span[class]").length,
    tables: qa.querySelectorAll("div.table-wrap > table").length,
    text: qa.innerText,
  };
}
"""


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Card], Path]:
    folder = tmp_path_factory.mktemp("hostile-page")
    return build_cards([HOSTILE_PAGE], folder)


def test_page_cards_from_every_site_typeset_and_highlight(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    formulas = {"chatgpt": 2, "claude": 2, "gemini": 1}
    for site in ("chatgpt", "claude", "gemini"):
        cards, media = build_cards([PAGES / f"{site}.html"], tmp_path_factory.mktemp(site))
        browser.server.media = media
        page = browser.context.new_page()
        try:
            results = []
            for number, card in enumerate(cards):
                url = browser.server.add(
                    f"{site}-{number}.html", reviewer_page(card.html, card.css, False)
                )
                page.goto(url)
                results.append(page.evaluate(INSPECT_PAGE_CARD))
        finally:
            page.close()
        assert not any(r["mathErrors"] for r in results), site
        assert sum(r["math"] for r in results) == formulas[site], site
        assert sum(r["highlighted"] for r in results) > 10, site  # Pygments' spans
        assert sum(r["tables"] for r in results) == 1, site
        text = "\n".join(r["text"] for r in results)
        assert "b2−4ac" not in text and "Copy" not in text and "Thought" not in text, site


@pytest.mark.parametrize("view", ["desktop-light", "phone-night"])
def test_a_hostile_page_cannot_make_a_card_act(
    browser: Browser, hostile_page: tuple[list[Card], Path], view: str
) -> None:
    cards, media = hostile_page
    assert len(cards) == 1
    (width, height), night = VIEWS[view]
    browser.server.media = media
    page = browser.context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        [card] = cards
        page.goto(
            browser.server.add(
                f"hostile-page-{view}.html", reviewer_page(card.html, card.css, night)
            )
        )
        seen = page.evaluate(INSPECT_HOSTILE)
    finally:
        page.close()
    assert seen["pwned"] is None, "a link or element ran the page's script"
    assert seen["links"] == ["https://example.com/ok"]
    assert "evilid" not in seen["ids"] and seen["ids"].count("qa") == 1
    assert not {"evilclass", "card", "nightMode"} & set(seen["classes"])
    assert not [s for s in seen["styles"] if re.search(r"url\(|fixed|100v[wh]|absolute", s)]
    assert not seen["mathErrors"], seen["mathErrors"]
    assert seen["math"] >= card.math_spans
    assert seen["media"] == 0
    assert not browser.blocked, f"a card tried to load from the network: {browser.blocked}"
    assert not dialogs
    for typed in (
        "[sound:https://evil.example/x.mp3]",
        "[latex]x^2[/latex]",
        "[image not included]",
    ):
        assert typed in seen["text"], typed
