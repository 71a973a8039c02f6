"""--preview: output/preview.html shows every card, offline, with search, filters (guessed
questions, warnings, changed notes), each note's deck and tags, and night and phone toggles;
readable in both themes at a phone's and a desktop's width, working with 3,000 cards (how
quickly is measured by bench/preview.py, not here)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SOURCE, TEMPLATES
from reviewer import COLOR_MATH, block_network, launch_chromium

from chatdeck.preview import STATUSES, PreviewCard, preview_page
from chatdeck.render import render_markdown, render_text
from chatdeck.templates import load_templates

pytestmark = pytest.mark.browser

MIN_CONTRAST = 4.5


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str]]]:
    """One Chromium whose pages may load nothing but files."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, tmp_path_factory.mktemp("profile"))
        blocked = block_network(browser, "file://")
        yield browser, blocked
        browser.close()
    assert blocked == [], f"the preview tried to load from the network: {blocked}"


def test_preview_opens_offline_and_shows_every_card(
    tmp_path: Path, context: tuple[Any, list[str]]
) -> None:
    output = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), str(SOURCE), "-o", str(output), "--preview"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    preview = output / "preview.html"
    assert f"Wrote {preview}" in completed.stdout

    page = context[0].new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(preview.as_uri())
    assert page.locator("section.pv-card").count() == 36
    assert page.locator(".card").count() == 72  # front and back of each
    assert page.locator("pre.highlight").count() > 0
    assert page.locator(".pv-tex").count() > 0  # math, shown as TeX
    assert page.locator(".pv-deck").first.inner_text().startswith("ML Engineering Interview")
    assert page.locator(".card.nightMode").count() == 0
    page.check("#night")
    assert page.locator(".card.nightMode.night_mode").count() == 72
    background = page.evaluate("getComputedStyle(document.querySelector('.card')).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    page.uncheck("#night")
    page.check("#phone")
    width = page.evaluate("document.querySelector('.pv-side').getBoundingClientRect().width")
    assert width <= 360
    search(page, "frozen graph")
    shown = page.locator("section.pv-card:not([hidden])")
    assert 0 < shown.count() < 36
    assert (
        "frozen graph" in (shown.first.text_content() or "").lower()
    )  # innerText skips what is off screen
    page.close()


# A build of 3,000 notes: varied Markdown, every fifth note in a sub-deck, tags, some guessed
# questions, some warnings, and the change report's statuses.
MARKDOWN = [
    "How does `tf.function` trace a Python function #{n}?",
    "It builds a graph once per input signature.\n\n```python\n@tf.function\ndef f(x):\n"
    "    return x * {n}\n```\n\n| step | cost |\n|---|---|\n| trace | {n} ms |\n| call | 1 ms |",
    "Softmax with temperature: $p_i = e^{{z_i/T}} / \\sum_j e^{{z_j/T}}$, case {n}.\n\n"
    "- lower **T** sharpens\n- higher *T* flattens",
    "在计算图中，**数据依赖（data dependency）**决定执行顺序，第 {n} 例。",
]


def generated_cards(count: int) -> list[PreviewCard]:
    rendered = [render_markdown(text.format(n="{n}")) for text in MARKDOWN]
    cards = []
    for n in range(count):
        question = rendered[0].replace("{n}", str(n)) + ("" if n % 3 else rendered[3])
        answer = "".join(rendered[1:]).replace("{n}", str(n))
        deck = "Big Deck" + (f"::Topic {n % 7}" if n % 5 == 0 else "")
        cards.append(
            PreviewCard(
                fields=(question, answer, render_text(f"chat-{n // 50:03}.md:{n % 50 * 9 + 1}")),
                deck=deck,
                tags=("ml", f"batch{n // 1000}"),
                guessed=n % 97 == 0,
                status=STATUSES[0 if n % 50 == 0 else 1 if n % 23 == 0 else 3 if n == 7 else 2],
                warnings=("question has no answer",) if n % 211 == 0 else (),
            )
        )
    return cards


BIG = 3000
GUESSED = len(range(0, BIG, 97))
WARNED = len(range(0, BIG, 211))
CHANGED = len([n for n in range(BIG) if n % 50 == 0 or n % 23 == 0 or n == 7])


@pytest.fixture(scope="module")
def big_preview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "preview.html"
    started = time.perf_counter()
    page = preview_page("Big Deck", generated_cards(BIG), load_templates(TEMPLATES))
    path.write_text(page, encoding="utf-8")
    print(
        f"\n{BIG} cards: page written in {time.perf_counter() - started:.2f}s, "
        f"{path.stat().st_size / 1e6:.1f} MB"
    )
    return path


def search(page: Any, query: str) -> None:
    """Type `query` into the search box and wait for the filter to run."""
    page.evaluate("document.body.removeAttribute('data-filter-ms')")
    page.fill("#search", query)
    page.wait_for_function("document.body.hasAttribute('data-filter-ms')")


def shown_count(page: Any) -> int:
    return int(page.locator("section.pv-card:not([hidden])").count())


def test_a_3000_card_preview_finds_guessed_warned_and_changed_cards(
    big_preview: Path, context: tuple[Any, list[str]]
) -> None:
    page = context[0].new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(big_preview.as_uri())
    assert page.locator("section.pv-card").count() == BIG
    options = page.locator("#filter option").all_inner_texts()
    assert options[:4] == [
        f"All cards ({BIG:,})",
        f"Guessed questions ({GUESSED})",
        f"With warnings ({WARNED})",
        f"Changed ({CHANGED})",
    ]
    for value, expected in (("guessed", GUESSED), ("warned", WARNED), ("changed", CHANGED)):
        page.select_option("#filter", value)
        assert shown_count(page) == expected
        assert page.locator("#count").inner_text() == f"{expected} of {BIG:,} cards"
    page.select_option("#filter", "new")
    assert shown_count(page) == len(range(0, BIG, 50))
    assert page.locator("section.pv-card:not([hidden]) .pv-new").count() == shown_count(page)

    page.select_option("#filter", "all")
    search(page, "case 2718.")  # one card's text
    assert shown_count(page) == 1
    search(page, '"topic 3" batch2')  # a deck and a tag
    assert shown_count(page) == len([n for n in range(2000, BIG) if n % 5 == 0 and n % 7 == 3])
    page.select_option("#filter", "guessed")
    assert shown_count(page) == len(
        [n for n in range(2000, BIG) if n % 97 == 0 and n % 5 == 0 and n % 7 == 3]
    )
    search(page, "no such words anywhere")
    assert shown_count(page) == 0 and page.locator("#none").is_visible()
    search(page, "")
    page.select_option("#filter", "all")
    assert shown_count(page) == BIG
    page.close()


# The contrast of every visible text against what it is drawn on (as the card tests check it).
CONTRAST = (
    """
() => {
"""
    + COLOR_MATH
    + """  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    if (!layers.length || layers[layers.length - 1][3] < 1) {
      const page = parse(getComputedStyle(document.documentElement).backgroundColor);
      layers.push(page || [255, 255, 255, 1]);
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const seen = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !element || element.closest("script, style, option")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1
      && r.bottom > 0 && r.top < innerHeight);
    if (!rects.length || getComputedStyle(element).visibility !== "visible") continue;
    const bg = background(element);
    const fg = over(parse(getComputedStyle(element).color), bg);
    seen.push({ratio: ratio(fg, bg), text: text.slice(0, 30),
               where: element.className || element.tagName,
               size: parseFloat(getComputedStyle(element).fontSize)});
  }
  return seen;
}
"""
)

LAYOUT = """
() => {
  const bar = document.querySelector(".pv-bar").getBoundingClientRect();
  const card = document.querySelector(".pv-card:not([hidden])");
  const sides = [...card.querySelectorAll(".pv-side")];
  const [front, back] = sides.map((e) => e.getBoundingClientRect());
  return {
    width: document.documentElement.scrollWidth,
    bar: bar.height,
    barControls: [...document.querySelectorAll(".pv-bar > *")]
      .filter((e) => getComputedStyle(e).display !== "none")
      .map((e) => Math.round(e.getBoundingClientRect().top)),
    front: [front.width, front.height],
    back: [back.width, back.height],
  };
}
"""


@pytest.mark.parametrize(
    ("width", "night"), [(360, False), (360, True), (1280, False), (1280, True)]
)
def test_the_preview_is_readable_in_both_themes_at_phone_and_desktop_width(
    big_preview: Path, context: tuple[Any, list[str]], width: int, night: bool
) -> None:
    page = context[0].new_page()
    page.set_viewport_size({"width": width, "height": 760})
    page.goto(big_preview.as_uri())
    if night:
        page.check("#night")
    page.select_option("#filter", "warned")  # badges of every kind in view
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    texts = page.evaluate(CONTRAST)
    assert len(texts) > 20
    low = [t for t in texts if t["ratio"] < MIN_CONTRAST]
    assert low == [], low[:5]
    chrome = [t for t in texts if str(t["where"]).startswith("pv-")]
    assert chrome and min(t["size"] for t in chrome) >= 13  # no 12 px labels
    layout = page.evaluate(LAYOUT)
    assert layout["width"] <= width  # the page never scrolls sideways
    assert layout["bar"] <= 56 and len(set(layout["barControls"])) == 1  # one line
    assert layout["front"][1] < layout["back"][1]  # a front box is as tall as its front
    if width == 360:
        assert layout["back"][0] <= 360 - 2 * 8
    print(
        f"\n{width}px {'night' if night else 'light'}: lowest contrast "
        f"{min(t['ratio'] for t in texts):.2f} ({min(texts, key=lambda t: t['ratio'])['where']}), "
        f"bar {layout['bar']:.0f}px high"
    )
    page.close()


def test_a_build_marks_guessed_warned_and_changed_cards_in_its_preview(tmp_path: Path) -> None:
    """What the build knows reaches the page: guesses, warnings by note, the change report."""
    import re

    from conftest import FIXTURES, deck_options

    from chatdeck.build import build

    source = FIXTURES / "forms"
    result = build([source], deck_options(tmp_path / "out", preview=True))
    assert result.preview is not None
    page = result.preview.read_text(encoding="utf-8")
    flags = re.findall(r'data-flags="([^"]*)"', page)
    assert len(flags) == len(result.cards)
    assert sum("guessed" in flag.split() for flag in flags) == sum(c.guessed for c in result.cards)
    assert sum("guessed" in flag.split() for flag in flags) > 0
    assert any("warned" in flag.split() for flag in flags)
    assert all("new" in flag.split() for flag in flags)
    again = build([source], deck_options(tmp_path / "out", preview=True))
    assert again.preview is not None
    flags = re.findall(r'data-flags="([^"]*)"', again.preview.read_text(encoding="utf-8"))
    assert not any("changed" in flag.split() for flag in flags)
