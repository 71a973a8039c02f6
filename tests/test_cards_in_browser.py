"""Every seed card, shown as Anki's desktop reviewer shows it, in a real headless Chromium.

The deck is built and imported with the official anki backend, which renders each card's answer
side from templates/ (so `{{Question}}`, `{{Answer}}`, `{{Source}}` and `{{FrontSide}}` are
substituted by Anki itself). Each card is then shown on a page made like Anki's reviewer (its
reviewer.css, its MathJax config and MathJax, from the `aqt` wheel: see reviewer.py) at a phone
and a desktop width, in light and night mode, and checked for:

- MathJax: no error, and every `\\(..\\)` / `\\[..\\]` span of the fields typeset;
- layout: the page never scrolls sideways (code, tables and wide math scroll inside themselves);
- code: every block that names a language is highlighted with Pygments spans;
- contrast: every visible text node (prose, links, code tokens, inline code, math) has a WCAG
  contrast ratio of at least 4.5:1 against the background it is drawn on;
- network: nothing is loaded from anywhere but the local server.

Chromium is required: without it these tests fail (they never skip).
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, SOURCE, deck_options, import_package
from reviewer import (
    COLOR_MATH,
    ReviewerServer,
    ReviewerSetupError,
    block_network,
    launch_chromium,
    reviewer_assets,
    reviewer_page,
)

from chatdeck.build import build, plan

pytestmark = pytest.mark.browser

SEED_NOTES = 36
SEED_MATH_SPANS = 23
MIN_CONTRAST = 4.5
VIEWS = {
    "phone-light": ((360, 740), False),
    "phone-night": ((360, 740), True),
    "desktop-light": ((1280, 800), False),
    "desktop-night": ((1280, 800), True),
}


@dataclass
class Card:
    source: str
    line: int | None
    question: str  # Markdown
    html: str  # the answer side as Anki renders it
    css: str
    languages: list[str]  # the languages named by the code fences in the Markdown source
    math_spans: int  # `\\(` and `\\[` in the Question and Answer fields, outside code

    @property
    def name(self) -> str:
        return f"{self.source}:{self.line}"


def build_cards(sources: list[Path], folder: Path) -> tuple[list[Card], Path]:
    """Build a deck, import it into a fresh collection and render every card with Anki.

    Returns the cards (in source order) and the collection's media folder.
    """
    result = build(sources, deck_options(folder / "output"))
    assert result.output is not None
    # The build keeps no Markdown once rendered; the plan (what --dry-run sees) has it.
    by_guid = {note.guid: note for note in plan(sources).merged}
    _, collection = import_package(folder / "collection.anki2", result.output)
    try:
        media = Path(collection.media.dir())
        cards = []
        for card_id in collection.find_cards(""):
            card = collection.get_card(card_id)
            note = card.note()
            source = by_guid[note.guid]
            output = card.render_output(reload=True)
            cards.append(
                Card(
                    source=source.source,
                    line=source.line,
                    question=source.question,
                    html=output.answer_text,
                    css=output.css,
                    languages=fenced_languages(source.question) + fenced_languages(source.answer),
                    math_spans=math_spans(note["Question"]) + math_spans(note["Answer"]),
                )
            )
    finally:
        collection.close()
    return sorted(cards, key=lambda card: (card.source, card.line or 0)), media


def seed_cards(folder: Path) -> list[Card]:
    return build_cards([SOURCE], folder)[0]


FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


def fenced_languages(markdown: str) -> list[str]:
    """The info-string language of every fenced code block in the source that names one."""
    languages = []
    fence = ""
    for line in markdown.splitlines():
        match = FENCE.match(line)
        if fence:
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and not match.group(2).strip()
            ):
                fence = ""
        elif match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
            info = match.group(2).split()
            if info:
                languages.append(info[0].lower())
    return languages


class _MathCounter(HTMLParser):
    """Counts `\\(` and `\\[` openers in text that MathJax reads (not inside pre/code)."""

    SKIP = {"pre", "code", "script", "style", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.count += data.count("\\(") + data.count("\\[")


def math_spans(field_html: str) -> int:
    counter = _MathCounter()
    counter.feed(field_html)
    counter.close()
    return counter.count


# Runs in the page once the card is typeset; returns what the checks need.
INSPECT = (
    """
async () => {
  await window.cardTypeset;
  const qa = document.getElementById("qa");
  const width = window.innerWidth;

"""
    + COLOR_MATH
    + """  const hex = (c) =>
    "#" + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  // The background an element is drawn on: its own and its ancestors' background colors,
  // composited, down to the first opaque one (else the body's, else the white canvas).
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const describe = (element) => {
    const parts = [];
    for (let e = element; e && e !== qa && parts.length < 4; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.className && typeof e.className === "string"
        ? "." + e.className.trim().split(/\\s+/).join(".") : ""));
    }
    return parts.join(" > ");
  };

  const contrast = [];
  const check = (element, text) => {
    const style = getComputedStyle(element);
    const bg = background(element);
    const fg = over(parse(style.color), bg);
    contrast.push({ratio: ratio(fg, bg), where: describe(element), text: text.slice(0, 40),
                   color: hex(fg), background: hex(bg)});
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || !element || element.closest("mjx-assistive-mml, script, style")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1);
    const style = getComputedStyle(element);
    if (!rects.length || style.visibility !== "visible" || Number(style.opacity) === 0) continue;
    check(element, text);
  }
  // MathJax draws glyphs with CSS, not text nodes: check each formula's color.
  for (const math of qa.querySelectorAll("mjx-container")) check(math, math.textContent || "math");

  // What sticks out past the viewport (for the failure message), outside scrolling boxes.
  const scrolls = (e) => ["auto", "scroll", "hidden"].includes(getComputedStyle(e).overflowX);
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const rect = element.getBoundingClientRect();
    if (rect.right <= width + 0.5 || !rect.width) continue;
    let inside = false;
    for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
      if (scrolls(e)) { inside = true; break; }
    }
    if (!inside) wide.push(describe(element) + " (right edge " + Math.round(rect.right) + "px)");
  }

  const scrolling = [...qa.querySelectorAll("*")]
    .filter((e) => scrolls(e) && e.scrollWidth > e.clientWidth + 1)
    .map((e) => describe(e));

  const blocks = [...qa.querySelectorAll("pre")].map((pre) => ({
    highlighted: pre.classList.contains("highlight"),
    language: ([...pre.classList].find((c) => c.startsWith("language-")) || "").slice(9),
    spans: pre.querySelectorAll("span[class]").length,
  }));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width,
    wide: wide.slice(0, 5),
    scrolling,
    math: qa.querySelectorAll("mjx-container").length,
    mathErrors: [...qa.querySelectorAll("mjx-merror, [data-mjx-error]")].map(
      (e) => e.getAttribute("data-mjx-error") || e.textContent),
    blocks,
    contrast,
  };
}
"""
)


@dataclass
class ViewResult:
    problems: list[str] = field(default_factory=list)
    cards: int = 0
    math: int = 0
    overflowing: int = 0
    unhighlighted: int = 0
    texts: int = 0
    lowest: tuple[float, str] = (99.0, "")
    scrolling: list[str] = field(default_factory=list)  # boxes that scroll inside themselves


@dataclass
class Browser:
    server: ReviewerServer
    context: Any  # a Playwright BrowserContext
    blocked: list[str]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One Chromium for every view, behind a loopback server with Anki's reviewer assets."""
    try:
        assets = reviewer_assets()
    except ReviewerSetupError as error:
        pytest.fail(str(error), pytrace=False)
    from playwright.sync_api import Error, sync_playwright

    server = ReviewerServer(assets)
    with server.running(), sync_playwright() as playwright:
        try:
            context = launch_chromium(playwright, tmp_path_factory.mktemp("profile"))
        except ReviewerSetupError as error:
            pytest.fail(str(error), pytrace=False)
        except Error as error:
            pytest.fail(f"Chromium did not start: {error}", pytrace=False)
        blocked = block_network(context, server.origin)
        yield Browser(server, context, blocked)
        context.close()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Card], Path]:
    return build_cards([SOURCE], tmp_path_factory.mktemp("seeds"))


def check_view(browser: Browser, cards: list[Card], media: Path, view: str) -> ViewResult:
    """Show every card in one view; collect what is wrong with each."""
    (width, height), night = VIEWS[view]
    browser.server.media = media
    result = ViewResult()
    console: list[str] = []
    page = browser.context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    try:
        for card in cards:
            console.clear()
            name = re.sub(r"[^\w.-]", "_", f"{view}-{card.source[:40]}-{card.line}.html")
            page.goto(browser.server.add(name, reviewer_page(card.html, card.css, night)))
            seen = page.evaluate(INSPECT)
            check_card(f"{view} {card.name}", card, seen, console, result)
    finally:
        page.close()
    return result


def check_card(where: str, card: Card, seen: dict, console: list[str], result: ViewResult) -> None:
    problems = result.problems
    result.cards += 1
    problems.extend(f"{where}: console error: {text}" for text in console)
    if seen["mathErrors"]:
        problems.append(f"{where}: MathJax errors {seen['mathErrors']}")
    result.math += seen["math"]
    if seen["math"] != card.math_spans:
        problems.append(
            f"{where}: {card.math_spans} math spans in the fields, {seen['math']} typeset"
        )
    if seen["scrollWidth"] > seen["width"]:
        result.overflowing += 1
        problems.append(
            f"{where}: page is {seen['scrollWidth']}px wide in a {seen['width']}px view; "
            f"sticking out: {seen['wide']}"
        )
    result.scrolling.extend(seen["scrolling"])
    blocks = seen["blocks"]
    highlighted = [block["language"] for block in blocks if block["highlighted"]]
    for block in blocks:
        if block["highlighted"] and not block["spans"]:
            problems.append(f"{where}: a {block['language']} block has no Pygments spans")
    if highlighted != card.languages:
        result.unhighlighted += max(len(card.languages) - len(highlighted), 0)
        problems.append(f"{where}: the source names {card.languages}, highlighted: {highlighted}")
    for text in seen["contrast"]:
        result.texts += 1
        if text["ratio"] < result.lowest[0]:
            result.lowest = (text["ratio"], f"{card.name} {text['where']}")
        if text["ratio"] < MIN_CONTRAST:
            problems.append(
                f"{where}: contrast {text['ratio']:.2f} for {text['text']!r} in "
                f"{text['where']} ({text['color']} on {text['background']})"
            )


def report(view: str, result: ViewResult, seconds: float) -> str:
    return (
        f"{view}: {result.cards} cards in {seconds:.1f}s, {result.math} math spans typeset, "
        f"{result.overflowing} overflowing, {result.unhighlighted} unhighlighted, "
        f"{len(result.scrolling)} boxes scrolling inside, {result.texts} text nodes, "
        f"lowest contrast {result.lowest[0]:.2f} ({result.lowest[1]})"
    )


def assert_clean(browser: Browser, result: ViewResult) -> None:
    assert not browser.blocked, f"a card tried to load from the network: {browser.blocked}"
    assert not browser.server.missing, (
        f"asked for files Anki would not have: {browser.server.missing}"
    )
    assert not result.problems, f"{len(result.problems)} problem(s):\n" + "\n".join(
        result.problems[:40]
    )


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_seed_card_renders_cleanly(
    browser: Browser, seeds: tuple[list[Card], Path], view: str
) -> None:
    cards, media = seeds
    assert len(cards) == SEED_NOTES
    assert sum(card.math_spans for card in cards) == SEED_MATH_SPANS
    started = time.perf_counter()
    result = check_view(browser, cards, media, view)
    print("\n" + report(view, result, time.perf_counter() - started))
    assert_clean(browser, result)
    assert result.math == SEED_MATH_SPANS  # counted in the page: every span typeset


# Content that tries to widen the page: long unbreakable words, identifiers, URLs and file
# names, in prose, inline code, tables, lists, quotes, headings and the Source line; wide
# display math; a wide image; and a remote image in raw HTML (which must stay text).
WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
IDENTIFIER = "tf.compat.v1.graph_util.convert_variables_to_constants" + "_and_some_more" * 8
URL = "https://example.com/" + "a-very-long-path-segment/" * 8
LONG_NAME = "a-transcript-whose-file-name-is-far-too-long-for-one-line-" + "w" * 80 + ".md"
WIDE_MATH = " + ".join(f"a_{{{i}}} x^{{{i}}}" for i in range(30))
STRESS = f"""Q: what does `{IDENTIFIER}` do, and where is {URL} documented?

A: `{IDENTIFIER}` is long, and so is {WORD}.

<img src="https://example.com/tracker.png"> stays text.

![a wide picture](wide.png)

| inline code | link | word |
|---|---|---|
| `{IDENTIFIER}` | {URL} | {WORD} |

\\[ {WIDE_MATH} \\]

Inline: $\\frac{{a}}{{b}}$ and \\(e^{{i\\pi}} + 1 = 0\\).

- a list item with code:

  ```python
  value = "{WORD}"  # {URL}
  ```

> quoted `{IDENTIFIER}` and {URL}

### {WORD}

Q: the same in a Chinese answer?

A: 在 `{IDENTIFIER}` 中，{WORD}。

| 条件 | 说明 |
|---|---|
| 输入全部是常量节点 | `{IDENTIFIER}` |
"""


def png(width: int, height: int) -> bytes:
    """A plain grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Card], Path]:
    folder = tmp_path_factory.mktemp("stress")
    source = folder / "source"
    source.mkdir()
    (source / LONG_NAME).write_text(STRESS, encoding="utf-8")
    (source / "wide.png").write_bytes(png(1600, 40))
    return build_cards([source], folder)


@pytest.mark.parametrize("view", list(VIEWS))
def test_long_unbreakable_content_never_widens_the_page(
    browser: Browser, stress: tuple[list[Card], Path], view: str
) -> None:
    cards, media = stress
    assert len(cards) == 2 and sum(card.math_spans for card in cards) == 3
    started = time.perf_counter()
    result = check_view(browser, cards, media, view)
    print("\n" + report(view, result, time.perf_counter() - started))
    assert_clean(browser, result)
    scrolling = " ".join(result.scrolling)
    # The wide parts really are wider than the card, and scroll inside themselves.
    assert "pre" in scrolling and "mjx-container" in scrolling
    if view.startswith("phone"):
        assert "div.table-wrap" in scrolling


# A transcript written to make its cards act: every way we know of for math to link, restyle,
# name elements or load, Anki's media and LaTeX tags, and an image title holding math. The file
# name (the Source line) tries it too.
HOSTILE = FIXTURES / "hostile" / "math_and_media.md"
HOSTILE_NAME = r"\(\href{javascript:window.top.PWNED=99}{src}\) [sound:evil.mp3].md"

# Clicks every link that is not to the web (a `javascript:` one would run), then reports what
# the card holds.
INSPECT_HOSTILE = """
async () => {
  await window.cardTypeset;
  const qa = document.getElementById("qa");
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[href]");
    if (link && /^(https?|mailto):/i.test(link.getAttribute("href"))) event.preventDefault();
  }, true);
  const links = [...qa.querySelectorAll("[href]")].map((e) => e.getAttribute("href"));
  for (const element of qa.querySelectorAll("a, [href]")) {
    element.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    pwned: window.top.PWNED === undefined ? null : String(window.top.PWNED),
    links,
    ids: [...document.querySelectorAll("[id]")].map((e) => e.id),
    classes: [...qa.querySelectorAll("*")].flatMap((e) => [...e.classList]),
    styles: [...qa.querySelectorAll("[style]")].map((e) => e.getAttribute("style")),
    text: qa.innerText,
    math: qa.querySelectorAll("mjx-container").length,
    mathErrors: [...qa.querySelectorAll("mjx-merror, [data-mjx-error]")].map(
      (e) => e.getAttribute("data-mjx-error") || e.textContent),
    media: document.querySelectorAll("audio, video, iframe, object, embed").length,
  };
}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Card], Path]:
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "source"
    source.mkdir()
    (source / "math_and_media.md").write_bytes(HOSTILE.read_bytes())
    (source / HOSTILE_NAME).write_text(
        "Q: is \\(\\style{background:url(https://evil.example/s.png)}{x}\\) safe?\n\n"
        "A: Only as text: [sound:https://evil.example/named.mp3].\n",
        encoding="utf-8",
    )
    return build_cards([source], folder)


@pytest.mark.parametrize("view", ["desktop-light", "phone-night"])
def test_a_hostile_transcript_cannot_make_a_card_act(
    browser: Browser, hostile: tuple[list[Card], Path], view: str
) -> None:
    cards, media = hostile
    assert len(cards) == 4
    (width, height), night = VIEWS[view]
    browser.server.media = media
    page = browser.context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    texts = []
    try:
        for number, card in enumerate(cards):
            url = browser.server.add(
                f"hostile-{view}-{number}.html", reviewer_page(card.html, card.css, night)
            )
            page.goto(url)
            seen = page.evaluate(INSPECT_HOSTILE)
            where = f"{view} {card.name}"
            assert seen["pwned"] is None, f"{where}: a link ran the transcript's script"
            assert not [link for link in seen["links"] if not link.startswith("http")], where
            assert "evilid" not in seen["ids"] and seen["ids"].count("qa") == 1, where
            assert "evilclass" not in seen["classes"] and "card" not in seen["classes"], where
            assert not [
                style
                for style in seen["styles"]
                if re.search(r"url\(|fixed|100v[wh]|absolute", style)
            ], f"{where}: a transcript's style reached an element: {seen['styles']}"
            assert not seen["mathErrors"], f"{where}: {seen['mathErrors']}"
            # Every formula of the fields typesets (the Source line may hold one more).
            assert seen["math"] >= card.math_spans, f"{where}: math spans not all typeset"
            assert seen["media"] == 0, where
            texts.append(seen["text"])
    finally:
        page.close()
    assert not browser.blocked, f"a card tried to load from the network: {browser.blocked}"
    assert not dialogs
    shown = "\n".join(texts)
    # What a transcript wrote shows as text, not lost.
    for typed in (
        "[sound:https://evil.example/x.mp3]",
        "[anki:tts lang=en_US]hello[/anki:tts]",
        "[latex]x^2[/latex]",
        "[sound:https://evil.example/block.mp3]",
        "[sound:evil.mp3].md",
        "[image: q]",
    ):
        assert typed in shown, typed
    html = "\n".join(card.html for card in cards)  # the link macros, shown as their names
    assert html.count(r"\mathtt{\backslash href}") + html.count("\u29f5href") >= 14
    assert sum(card.math_spans for card in cards) >= 20  # the formulas themselves still typeset


# Text chat models write that a card must show as the chat page did (tests/fixtures/cards/):
# emphasis next to CJK text, text-mode TeX, console sessions, long inline code in a table and
# long inline math on a phone.
CARD_FIXTURES = FIXTURES / "cards"
CARD_FIXTURE_FILES = ("cjk_emphasis.md", "tex_text_mode.md", "sessions.md", "narrow.md")


@pytest.fixture(scope="module")
def fidelity(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Card], Path]:
    folder = tmp_path_factory.mktemp("fidelity")
    source = folder / "source"
    source.mkdir()
    for name in CARD_FIXTURE_FILES:
        (source / name).write_bytes((CARD_FIXTURES / name).read_bytes())
    return build_cards([source], folder)


@pytest.mark.parametrize("view", list(VIEWS))
def test_card_fixtures_render_cleanly(
    browser: Browser, fidelity: tuple[list[Card], Path], view: str
) -> None:
    cards, media = fidelity
    assert len(cards) == 9
    started = time.perf_counter()
    result = check_view(browser, cards, media, view)
    print("\n" + report(view, result, time.perf_counter() - started))
    assert_clean(browser, result)
    if view.startswith("phone"):  # the long formulas scroll inside themselves
        assert sum("mjx-container" in box for box in result.scrolling) >= 3


# What a fixture card shows, once typeset.
INSPECT_FIDELITY = """
async () => {
  await window.cardTypeset;
  const qa = document.getElementById("qa");
  const texts = (selector) => [...qa.querySelectorAll(selector)].map((e) => e.textContent);
  // Where a line breaks inside inline code in a table: the characters either side.
  const breaks = [];
  for (const code of qa.querySelectorAll("td code")) {
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    let top = null, before = "";
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = [...range.getClientRects()].find((r) => r.width > 0);
        if (box) {
          if (top !== null && box.top > top + 2) breaks.push(before + node.data[i]);
          top = box.top;
        }
        before = node.data[i];
      }
    }
  }
  const clone = qa.cloneNode(true);  // the text a reader sees: no code, no math
  clone.querySelectorAll("code, pre, mjx-container").forEach((e) => e.remove());
  return {
    text: clone.textContent,
    strong: texts(".answer strong"),
    em: texts(".answer em"),
    mtext: texts("mjx-assistive-mml mtext"),
    undefinedMacros: texts('mjx-assistive-mml [mathcolor="red"]'),
    mathErrors: qa.querySelectorAll("mjx-merror, [data-mjx-error]").length,
    consoles: [...qa.querySelectorAll("pre.console")].map((pre) => ({
      prompts: [...pre.querySelectorAll(".gp")].map((e) => e.textContent),
      promptColors: [...new Set([...pre.querySelectorAll(".gp")].map(
        (e) => getComputedStyle(e).color))],
      outputs: [...pre.querySelectorAll(".go")].map((e) => e.textContent),
      operators: [...pre.querySelectorAll(".o, .ow")].map((e) => e.textContent),
    })),
    breaks,
    tableCode: qa.querySelectorAll("td code").length,
    width: document.documentElement.scrollWidth,
  };
}
"""

CJK_STRONG = [
    "数据依赖（data dependency）",
    "控制依赖（control dependency）",
    "梯度裁剪（gradient clipping）。",
    "“冻结图”",
    "(Transformer)",
    "批量归一化（BN）",
    "层归一化（LN）",
    "输入全部是常量节点（Const）",
    "先确认依赖（dependency）",
    "重要な点（ポイント）。",
    "「こんにちは」",
    "公式ドキュメント",
    "次の手順（ステップ２）",
    "환율 전가(pass-through)",
    "npm publish",
    "“따옴표”",
]
CJK_EM = ["注意（可选）", "斜体，", "注釈（補足）", "주의(선택)"]
TEX_TEXT = [
    "adjusted_logits",
    "top_k",
    "50% of the mass",
    "A & B",
    "_value",
    "max_len",
    "a\u00a0b",
    "caf\u00e9",
    "pages 1\u201310",
]


@pytest.mark.parametrize("view", ["phone-night", "desktop-light"])
def test_card_fixtures_show_what_the_chat_page_showed(
    browser: Browser, fidelity: tuple[list[Card], Path], view: str
) -> None:
    cards, media = fidelity
    (width, height), night = VIEWS[view]
    browser.server.media = media
    page = browser.context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    seen: dict[str, list[dict[str, Any]]] = {}
    try:
        for number, card in enumerate(cards):
            url = browser.server.add(
                f"fidelity-{view}-{number}.html", reviewer_page(card.html, card.css, night)
            )
            page.goto(url)
            seen.setdefault(card.source, []).append(page.evaluate(INSPECT_FIDELITY))
    finally:
        page.close()
    everything = [shown for shown_cards in seen.values() for shown in shown_cards]
    for shown in everything:  # no Markdown left as text in any card
        assert not re.search(r"\*\*|__|~~|(?<![\w*])\*(?=\S)", shown["text"]), shown["text"]
        assert shown["width"] <= width

    cjk = seen["cjk_emphasis.md"]
    assert [text for shown in cjk for text in shown["strong"]] == CJK_STRONG
    assert [text for shown in cjk for text in shown["em"]] == CJK_EM

    tex = seen["tex_text_mode.md"]
    mtext = [text for shown in tex for text in shown["mtext"]]
    assert [text for text in TEX_TEXT if not any(text in shown for shown in mtext)] == []
    assert not [text for text in mtext if "\\" in text], mtext
    assert all(not shown["undefinedMacros"] and not shown["mathErrors"] for shown in tex)

    consoles = [block for shown in seen["sessions.md"] for block in shown["consoles"]]
    assert [block["prompts"][0] for block in consoles] == [">>> ", "$ ", "% "]
    assert all(block["outputs"] for block in consoles)
    assert ">>" not in "".join(op for block in consoles for op in block["operators"])
    assert any("If keepdim is True" in line for line in consoles[0]["outputs"])
    grey = "rgb(139, 148, 158)" if night else "rgb(89, 99, 110)"  # not a keyword's red
    assert {color for block in consoles for color in block["promptColors"]} == {grey}

    narrow = seen["narrow.md"]
    assert sum(shown["tableCode"] for shown in narrow) == 3
    breaks = [pair for shown in narrow for pair in shown["breaks"]]
    if view.startswith("phone"):
        assert breaks, "the table's code fits on one line: the test shows nothing"
    bad = [pair for pair in breaks if pair[0] not in "._,/( " and pair[1] != " "]
    assert bad == [], f"inline code broke mid-identifier: {bad}"
