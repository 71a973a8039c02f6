"""Markdown -> card HTML: math kept for MathJax, code highlighted, nothing executable."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from conftest import FIXTURES, ROOT, SOURCE, deck_options, import_package
from hypothesis import given, settings
from hypothesis import strategies as st

import chatdeck.parse
import chatdeck.render
from chatdeck.build import build
from chatdeck.parse import parse_transcript
from chatdeck.read import decode, parse_text
from chatdeck.render import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    CMARK_OPTIONS,
    UNSAFE_TEX_MACROS,
    as_sanitized,
    cmark_html,
    code_block_lines,
    guard,
    lift_code_blocks,
    protect,
    put_back_code_blocks,
    render_field,
    render_markdown,
    render_text,
    sanitize,
    sanitize_around_code_blocks,
)


def test_tex_reaches_mathjax_intact() -> None:
    """Math mode as typed; text mode as Anki's MathJax (no `textmacros`) reads it."""
    html = render_markdown(r"Scale \(\text{adjusted\_logits}_i = a*b*c\) and \[x_1 < y_2 \& z\]")
    assert r"\(\text{adjusted_logits}_i = a*b*c\)" in html
    assert r"\[x_1 &lt; y_2 \&amp; z\]" in html


def test_dollar_math_becomes_mathjax_delimiters() -> None:
    html = render_markdown("Inline $e^{i\\pi} + 1 = 0$ and display:\n\n$$\\sum_i x_i$$")
    assert r"\(e^{i\pi} + 1 = 0\)" in html
    assert r"\[\sum_i x_i\]" in html


@pytest.mark.parametrize(
    "text",
    ["It costs $5 and $10.", "Between $5,$10 and $20", "A lone $ sign", "Price: $3.50 or $4"],
)
def test_prices_are_not_math(text: str) -> None:
    html = render_markdown(text)
    assert r"\(" not in html and r"\[" not in html
    assert text.replace("$", "") in html.replace("$", "")


def test_dollars_and_backslashes_in_code_are_untouched() -> None:
    html = render_markdown("Run `echo $HOME $PATH` and\n\n```bash\nprintf '\\(x\\)' $1\n```")
    assert "<code>echo $HOME $PATH</code>" in html
    assert r"\(" in html and "$1" in html
    assert "\uf8f0" not in html


def test_code_is_highlighted_with_classes_and_unknown_language_is_plain() -> None:
    html = render_markdown(
        "```python\ndef f(x):\n    return x  # done\n```\n\n```nosuchlang\nx\n```"
    )
    assert '<pre class="code highlight language-python">' in html
    assert '<span class="k">def</span>' in html
    assert '<pre class="code"><code>x\n</code></pre>' in html


def test_tables_are_wrapped_to_scroll() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert '<div class="table-wrap"><table>' in html


def test_nested_lists_and_list_after_text_line_render_as_github_does() -> None:
    html = render_markdown("NHWC:\n- N: batch\n- C: channels\n  - nested by two spaces")
    assert html.count("<ul>") == 2
    assert "<p>NHWC:</p>" in html


def test_chinese_gets_a_lang_attribute() -> None:
    assert render_markdown("在自然语言处理领域").startswith('<div lang="zh-Hans">')
    assert "lang=" not in render_markdown("plain English")


UNSAFE = [
    "<script>alert(1)</script>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body{display:none}</style>",
    '<img src="x" onerror="alert(1)">',
    '<a href="#" onclick="alert(1)">x</a>',
]


@pytest.mark.parametrize("raw", UNSAFE)
def test_raw_html_shows_as_text_and_never_as_markup(raw: str) -> None:
    html = render_markdown(f"Look: {raw}\n\n{raw}")
    for tag in ("script", "iframe", "object", "embed", "style"):
        assert f"<{tag}" not in html
    assert not re.search(r"<[^>]+\son\w+=", html)
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox)",
    ],
)
def test_dangerous_link_schemes_are_dropped(link: str) -> None:
    html = render_markdown(link)
    assert "javascript:" not in html.split("&lt;")[0]
    assert 'href="javascript' not in html and 'href="data' not in html
    assert 'href="vbscript' not in html


def test_remote_images_are_never_loaded() -> None:
    html = render_markdown("![tracker](https://evil.example/pixel.png)")
    assert "<img" not in html
    assert "[image: tracker]" in html


def text_mathjax_reads(html: str) -> str:
    """The card's text outside tags and outside `pre`/`code` (which MathJax skips)."""
    html = re.sub(r"<(pre|code)\b[^>]*>[\s\S]*?</\1>", "", html)
    return re.sub(r"<[^>]*>", "", html)


ACTING_MACRO = re.compile(r"\\(" + "|".join(UNSAFE_TEX_MACROS) + r")(?![A-Za-z])")


@pytest.mark.parametrize(
    "markdown",
    [
        r"\(\href{javascript:alert(1)}{here}\)",
        r"$\href{javascript:alert(1)}{here}$",
        r"$$\href{javascript:alert(1)}{x}$$",
        r"\[\href{javascript:alert(1)}{x}\]",
        r"\(  \href  {javascript:alert(1)} {x}\)",
        r"\(\href{javascript:alert(1)}{\text{click}}\)",
        r"\(\text{$\href{javascript:alert(1)}{x}$}\)",
        r"\(\frac{\cssId{qa}{a}}{\class{card}{\style{position:fixed}{b}}}\)",
        r"\(\bbox[background-image:url(https://evil.example/t.png)]{x}\)",
        r"\(\mmlToken{mi}[href='javascript:alert(1)']{x}\)",
        r"\(\require{[evil]/x}\)",
        r"\(\newcommand{\go}{\href{javascript:alert(1)}}\go{x}\)",
        r"\\(\href{javascript:alert(1)}{x}\\)",  # escaped backslashes: not lifted as math
        r"&#92;(\href{javascript:alert(1)}{x}&#92;)",  # a backslash made by a reference
        r"the \style command, in plain text",
    ],
)
def test_tex_macros_that_link_style_name_or_load_are_shown_as_text(markdown: str) -> None:
    rendered = render_field(markdown)
    assert not ACTING_MACRO.search(text_mathjax_reads(rendered.html)), rendered.html
    assert rendered.removed_macros and set(rendered.removed_macros) <= set(UNSAFE_TEX_MACROS)


def test_tex_in_code_stays_as_typed_and_harmless_math_is_untouched() -> None:
    rendered = render_field(
        "`\\href{u}{x}` and\n\n```latex\n\\href{u}{x} \\style{a}{b}\n```\n\n"
        "\\(\\frac{a}{b}\\) \\(\\hrefx \\color{red}{x}\\)"
    )
    assert "<code>\\href{u}{x}</code>" in rendered.html
    assert '<span class="k">\\href</span>' in rendered.html  # highlighted, not changed
    assert r"\(\frac{a}{b}\) \(\hrefx \color{red}{x}\)" in rendered.html
    assert rendered.removed_macros == ()


@pytest.mark.parametrize(
    "typed",
    [
        "[sound:https://evil.example/x.mp3]",
        "[sound:x.mp3]",
        "[anki:tts lang=en_US]hi[/anki:tts]",
        "[anki:play:a:0]",
        "[latex]x^2[/latex]",
        "[LaTeX]x[/latex]",
    ],
)
def test_anki_media_and_latex_tags_show_as_text(typed: str) -> None:
    for markdown in (typed, f"`{typed}`", f"```\n{typed}\n```", f"![{typed}](a.png)"):
        html = render_markdown(markdown)
        assert not re.search(r"\[(sound|anki|latex|\$)", html, re.IGNORECASE), html
        assert "&#91;" in html  # shown as `[`
    assert render_markdown(f"`[$$]{typed}[/$$]`").count("&#91;$$]") == 1  # in text, `$$` is math
    link = render_markdown(f'[x](https://example.com "{typed}")')
    assert "&#91;" in link and not re.search(r"\[(sound|anki|latex)", link, re.IGNORECASE)


def test_an_image_title_holding_math_cannot_keep_a_remote_image() -> None:
    html = render_markdown('![q](https://evil.example/p.png "\\(\\"\\)")')
    assert "<img" not in html and "evil.example" not in html
    assert "[image: q]" in html


def test_math_in_an_attribute_goes_back_quoted() -> None:
    html = render_markdown('[x](https://example.com "\\(\\" onclick=\\")")')
    assert "onclick" not in re.sub(r'"[^"]*"', "", html)  # only ever inside a value


def test_guard_keeps_only_the_images_the_build_packs() -> None:
    html = '<p><img src="abc.png" alt="ours"><img src="https://evil.example/x.png" alt="t"></p>'
    guarded = guard(html, {"abc.png"}).html
    assert '<img src="abc.png" alt="ours">' in guarded
    assert "evil.example" not in guarded and "missing-image" in guarded


def test_plain_text_fields_are_guarded_too() -> None:
    html = render_text(r"\(\href{javascript:alert(1)}{x}\) [sound:a.mp3] <b>")
    assert not ACTING_MACRO.search(html)
    assert html.endswith("&#91;sound:a.mp3] &lt;b&gt;")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_read_parse_render_never_raise_on_any_bytes(data: bytes) -> None:
    text, _ = decode(data, "fuzz.txt")
    parsed = parse_transcript(parse_text(text, "fuzz.txt"))
    for note in parsed.notes:
        for html in (render_markdown(note.question), render_markdown(note.answer)):
            assert "<script" not in html.lower()
            assert "\x1f" not in html
            assert not re.search(r"<[^>]+\son\w+\s*=", html, re.IGNORECASE)


PIECES = list("Q:A?#`$\\()[]<>*_ -\n\t>|1.abc中（）。~") + [
    "**",
    "__",
    "~~",
    "\uf8f5",
    "\u2000",
    "```",
    "~~~",
    "<script>",
    "\\(",
    "\\)",
    "$$",
    "\r\n",
    "\uf8f00\uf8f1",
    "\uf8f20\uf8f3",
    "&#xf8f2;",
    "&#xF8F3;",
    "&#63730;0&#63731;",
    "&#xf8f0;0&#xf8f1;",
    "```python\n",
    "```js\n",
    "</code></pre>",
    "'\"&",
    "\x1f",
    "\x00",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=200).map("".join))
def test_render_never_raises_and_never_emits_markup_from_text(text: str) -> None:
    html = render_markdown(text)
    assert "<script" not in html.lower()
    assert "\x1f" not in html  # Anki's field separator: it would split the note's fields
    assert_only_allowed_markup(html)


class MarkupCheck(HTMLParser):
    """Collects every tag and attribute not on the renderer's allow-list."""

    def __init__(self) -> None:
        super().__init__()
        self.unexpected: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.unexpected.append(tag)
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        allowed |= {"rel"} if tag == "a" else set()  # nh3 sets rel="noopener noreferrer"
        self.unexpected += [f"{tag} {name}" for name, _ in attrs if name not in allowed]


def assert_only_allowed_markup(html: str) -> None:
    check = MarkupCheck()
    check.feed(html)
    check.close()
    assert check.unexpected == []


HOSTILE_CODE = "</code></pre><script>alert(1)</script><img src=x onerror=alert(1)> \uf8f20\uf8f3"


@pytest.mark.parametrize("language", ["python", "html", "nosuchlanguage", ""])
def test_code_blocks_skip_the_sanitizer_but_stay_inert(language: str) -> None:
    """Hostile HTML in code blocks stays text: escaped by Pygments (or by us), then sanitized."""
    html = render_markdown(
        f"Before.\n\n```{language}\n{HOSTILE_CODE}\n```\n\n- item\n\n  ```\n  <b>x</b>\n  ```"
    )
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "\uf8f2" not in html and "\uf8f3" not in html
    assert html.count("<pre") == 2
    assert_only_allowed_markup(html)


# Code as a transcript could hold it: the characters nh3 writes as references or decodes
# from them, entity-like text, quotes, prompts and private-use placeholders.
CODE_TEXT = st.lists(
    st.sampled_from(list("ab1 _\n\t\"'&<>;#/=\\$`()[]{}\xa0\u2003é中\uf8f2\uf8f3"))
    | st.sampled_from(["&amp;", "&#39;", "&quot;", "&nbsp;", "&lt;b&gt;", ">>> ", "$ ", "</span>"]),
    max_size=60,
).map("".join)
LANGUAGES = st.sampled_from(["python", "html", "bash", "javascript", "json", "nosuchlanguage", ""])


@settings(max_examples=300, deadline=None)
@given(code=CODE_TEXT, language=LANGUAGES)
def test_a_code_block_is_written_as_the_sanitizer_would_write_it(code: str, language: str) -> None:
    """Code blocks skip nh3 (it would spend half its time reading them): `as_sanitized` must
    give exactly what nh3 gives for every block `highlight_block` makes."""
    protected, math = protect(f"~~~~{language}\n{code}\n~~~~\n")  # no `~` in the code
    _, blocks, _ = lift_code_blocks(cmark_html(protected, 0), math)
    assert len(blocks) == 1
    assert as_sanitized(blocks[0]) == sanitize(blocks[0])


@settings(max_examples=200, deadline=None)
@given(code=CODE_TEXT, language=LANGUAGES, container=st.sampled_from(["", "- ", "> ", "1. "]))
def test_sanitizing_around_code_blocks_gives_what_sanitizing_them_gives(
    code: str, language: str, container: str
) -> None:
    indent = " " * len(container) if container not in ("", "> ") else container
    fence = "\n".join(indent + line for line in f"~~~~{language}\n{code}\n~~~~".split("\n"))
    markdown = f"Text & *more*\n\n{container}{fence.removeprefix(indent)}\n\nafter 'it'\n"
    protected, math = protect(markdown)
    lifted, blocks, _ = lift_code_blocks(cmark_html(protected, 0), math)
    expected = sanitize(put_back_code_blocks(lifted, blocks)).strip()
    assert sanitize_around_code_blocks(lifted, blocks) == expected


@pytest.mark.parametrize(
    "forged",
    [
        "&#xf8f2;0&#xf8f3;",
        "&#XF8F2;7&#x0f8f3;",
        "&#63730;0&#63731;",
        "&#xf8f0;0&#xf8f1;",
        "&#xf8f4;b>",
        "&#63732;",
        "&#xf8f5;**x**",
        "&#63733;",
    ],
)
def test_placeholders_cannot_be_forged_with_character_references(forged: str) -> None:
    """cmark decodes `&#xf8f2;` into the placeholder character itself: it must never reach
    the step that puts code blocks back (a crash, or markup inside an attribute)."""
    markdown = f'see {forged} and [x](https://a.example "{forged}")\n\n```python\nx = 1\n```'
    html = render_markdown(markdown)
    assert html.count("<pre") == 1
    assert 'title="\ufffd' in html
    assert not re.search("[\uf8f0-\uf8f5]", html)
    assert_only_allowed_markup(html)
    assert "&amp;#xf8f2;" in render_markdown("in code: `&#xf8f2;`")  # code shows it as typed


@pytest.mark.parametrize(
    "markdown",
    [
        "Text:\n\n    if a < b and $x$:\n        pass",  # an indented code block
        "> ```python\n> if a < b: $x$\n> ```",  # a fence in a quote
        "1. Step:\n\n   ```python\n   if a < b: $x$\n   ```\n2. Next",  # a fence in a list
        "- item\n\n  ```\n  if a < b: $x$\n<b>raw</b>\n  ```",  # a list item ended mid-fence
        "    ```\n    if a < b: $x$\n\n<b>raw</b>",  # four spaces: code, not a fence
    ],
)
def test_code_is_where_cmark_says_it_is(markdown: str) -> None:
    """Math and raw HTML are handled outside code, and code is exactly what cmark-gfm takes for
    code: code shows `<` and `$x$` as typed, and raw HTML outside it shows as text."""
    html = render_markdown(markdown)
    code = "".join(re.findall(r"<pre[^>]*><code>([\s\S]*?)</code></pre>", html))
    text = re.sub(r"<[^>]+>", "", code)
    assert "&lt;" in text and "&amp;" not in text  # `<` shown once escaped, not twice
    assert "$x$" in text and "\\(" not in text and "\uf8f0" not in html
    assert "<b>" not in html
    assert "&lt;b&gt;raw" in html or "raw" not in markdown


def code_block_lines_from_html(markdown: str) -> set[int]:
    """`code_block_lines` as it was before it walked cmark-gfm's tree, the reference for the
    walk: the source positions that cmark-gfm, with every GFM extension, writes into its HTML
    (the package's own path where the tree's functions are missing)."""
    with mock.patch.object(chatdeck.render, "_cmark_library", lambda: None):
        return code_block_lines(markdown)


def assert_code_lines_as_from_html(texts: list[str]) -> None:
    assert chatdeck.render._cmark_library() is not None  # else both sides read the HTML
    for text in texts:
        assert code_block_lines(text) == code_block_lines_from_html(text), repr(text[:2000])


# Lines rich in what opens, closes, holds or hides a code block: container markers (task items
# among them, which leave the rest of their line blank), indents, fences, tables, HTML.
CONTAINERS = ["> ", ">", "- ", "* ", "+ ", "1. ", "10) ", "- [ ] ", "* [x] ", "-", " ", "  "]
INDENTS = ["", "", " ", "   ", "    ", "     ", "\t", " \t", "        "]
BODIES = [
    *["```", "```python", "````", "``` x ```", "~~~", "~~~ js", "~~~~", "`` `", "  ```"],
    *["code", "x = 1", "", "", "| a | b |", "|---|:-:|", "| `c` | d |", "a | b", "|-"],
    *["<div>", "</div>", "<pre>", "</pre>", "<!--", "-->", "<b>raw</b>", "<?x", "<![CDATA["],
    *["# h", "===", "---", "***", "[ ] task", "[x]", "[a]: /url", "$$", "a < b", "\\", "    x"],
]
MARKDOWN_LINES = st.tuples(
    st.lists(st.sampled_from(CONTAINERS), max_size=4),
    st.sampled_from(INDENTS),
    st.sampled_from(BODIES),
).map(lambda line: "".join(line[0]) + line[1] + line[2])


@settings(max_examples=1500, deadline=None)
@given(st.lists(MARKDOWN_LINES, max_size=30).map("\n".join))
def test_code_lines_from_the_tree_are_those_of_the_html(markdown: str) -> None:
    """Fences (closed, unclosed, closed by the end of an item or quote), indented blocks, task
    items, lazy continuation lines, tables and HTML: the walk of cmark-gfm's tree finds the
    lines its HTML showed."""
    assert_code_lines_as_from_html([markdown])


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=" \t\n\r`~>-*+1.)|[]x<:#=", max_size=120))
def test_code_lines_of_any_mix_of_markers_are_those_of_the_html(markdown: str) -> None:
    assert_code_lines_as_from_html([markdown])


def test_code_lines_of_every_fixture_and_seed_are_those_of_the_html() -> None:
    files = sorted(
        path for folder in (FIXTURES, SOURCE) for path in folder.rglob("*") if path.is_file()
    )
    texts = [path.read_bytes().decode("utf-8", "replace") for path in files]
    assert sum(code_block_lines(text) != set() for text in texts) > 20  # code to find
    assert_code_lines_as_from_html(texts)


def test_code_lines_a_build_asks_for_are_those_of_the_html(tmp_path: Path) -> None:
    """Every text a build asks `code_block_lines` about (whole files for the parser, fields
    for `protect`), in the seeds and in a corpus of the benchmark's."""
    corpus = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, ROOT / "bench" / "make_corpus.py", "1000", corpus],
        check=True,
        capture_output=True,
    )
    asked: list[str] = []

    def recording(markdown: str, lines: list[str] | None = None) -> set[int]:
        assert lines is None or lines == markdown.split("\n")  # what the walk takes them for
        asked.append(markdown)
        return code_block_lines(markdown, lines)

    with (
        mock.patch.object(chatdeck.parse, "code_block_lines", recording),
        mock.patch.object(chatdeck.render, "code_block_lines", recording),
    ):
        in_process = {"jobs": 1, "pool_threshold": 10**9, "render_batch": 10**9, "use_cache": False}
        build([SOURCE, corpus], deck_options(tmp_path / "output", **in_process))
    assert len(asked) > 1000
    assert_code_lines_as_from_html(asked)


CODE_PIECES = [
    "```",
    "```python",
    "~~~",
    "    ",
    "  ",
    "- ",
    "1. ",
    "> ",
    "\n",
    "\n\n",
    "x",
    "<b>raw</b>",
    "$x$",
    "a < b",
    "\\(y\\)",
    "\t",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CODE_PIECES), max_size=40).map("".join))
def test_raw_html_never_becomes_markup_whatever_the_code_blocks(text: str) -> None:
    html = render_markdown(text)
    assert "<b>" not in html
    assert "&amp;lt;" not in html  # nothing escaped twice: protect and cmark agree on code
    assert not re.search("[\uf8f0-\uf8f5]", html)


@pytest.mark.parametrize(
    "markdown",
    [
        "| h | k |\n|---|---|\n| `a | <b>x</b> | b` |",  # a pipe ends the cell, not a code span
        "`a\n===\nc <b>x</b>`",  # a setext heading ends the paragraph
        "`a\n_ _ _\nc <b>x</b>`",  # so does a rule
        "- `a\n  <div><b>x</b></div>`",  # an HTML block would open inside the list item
        "> `a <b>\n> c`",  # a code span in a quote
        "\\``<b>`",  # a code span right after an escaped backtick
    ],
)
def test_code_spans_never_let_raw_html_through(markdown: str) -> None:
    """Where a code span really is, cmark decides: `<` shows as `<` in text and code alike."""
    html = render_markdown(markdown)
    assert "<b>" not in html and "<div><b>" not in html
    assert "&amp;lt;" not in html
    assert "&lt;b&gt;" in html


def test_a_hostile_transcript_gives_anki_no_sound_or_latex(tmp_path: Path) -> None:
    """What Anki itself extracts from the imported cards: no audio, no TTS, no LaTeX image."""
    result = build([FIXTURES / "hostile" / "math_and_media.md"], deck_options(tmp_path / "output"))
    _, collection = import_package(tmp_path / "collection.anki2", result.output)
    try:
        cards = [collection.get_card(card_id) for card_id in collection.find_cards("")]
        assert len(cards) == 3
        answers = []
        for card in cards:
            output = card.render_output(reload=True)
            assert card.question_av_tags() == [] and card.answer_av_tags() == []
            assert "latex-" not in output.answer_text and "[anki:play" not in output.answer_text
            answers.append(output.answer_text.replace("&#91;", "["))
        shown = "".join(answers)  # as text
        assert "[sound:https://evil.example/x.mp3]" in shown and "[latex]x^2[/latex]" in shown
    finally:
        collection.close()


# Emphasis next to CJK text: what each line of tests/fixtures/cards/cjk_emphasis.md (and a few
# more) makes bold (<strong>) and italic (<em>), as chat pages show them.
CJK_EMPHASIS = [
    (
        "**数据依赖（data dependency）**和**控制依赖（control dependency）**是两种关系。",
        ["数据依赖（data dependency）", "控制依赖（control dependency）"],
        [],
    ),
    (
        "注意：**梯度裁剪（gradient clipping）。**这一步可以防止梯度爆炸。",
        ["梯度裁剪（gradient clipping）。"],
        [],
    ),
    (
        "使用**“冻结图”**可以加速推理，模型**(Transformer)**的核心。",
        ["“冻结图”", "(Transformer)"],
        [],
    ),
    ("*注意（可选）*：可以跳过，这是*斜体，*接着是正文。", [], ["注意（可选）", "斜体，"]),
    ("__批量归一化（BN）__能加速收敛。", ["批量归一化（BN）"], []),
    ("~~旧方法（已废弃）~~新方法", [], []),  # <del>, checked below
    ("これは**重要な点（ポイント）。**だから覚えておく。", ["重要な点（ポイント）。"], []),
    ("太郎は**「こんにちは」**と言った。", ["「こんにちは」"], []),
    ("**[公式ドキュメント](https://example.com/docs)**を参照。", ["公式ドキュメント"], []),
    (
        "*注釈（補足）*を読んでから、**次の手順（ステップ２）**に進む。",
        ["次の手順（ステップ２）"],
        ["注釈（補足）"],
    ),
    ("**환율 전가(pass-through)**가 중요하다.", ["환율 전가(pass-through)"], []),
    ("패키지를 발행하려면 **`npm publish`**를 실행한다.", ["npm publish"], []),
    ("*주의(선택)*는 건너뛸 수 있고, **“따옴표”**로 감싼다.", ["“따옴표”"], ["주의(선택)"]),
    ("**_粗斜（x）_**是", ["粗斜（x）"], ["粗斜（x）"]),
    ("**网址：**https://example.com/a_b", ["网址："], []),
]


def inner_texts(html: str, tag: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", inner) for inner in re.findall(f"<{tag}>(.*?)</{tag}>", html)]


@pytest.mark.parametrize(("markdown", "strong", "em"), CJK_EMPHASIS)
def test_emphasis_next_to_cjk_text_is_emphasis(
    markdown: str, strong: list[str], em: list[str]
) -> None:
    html = render_markdown(markdown)
    assert inner_texts(html, "strong") == strong
    assert inner_texts(html, "em") == em
    text = re.sub(r"<code>.*?</code>|<[^>]+>", "", html)
    assert "*" not in text and "~~" not in text and "__" not in text, html
    if "~~" in markdown:
        assert inner_texts(html, "del") == ["旧方法（已废弃）"]


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        # No CJK: exactly CommonMark.
        ("a **b** c, snake_case_name, 2*3*4 and **(x)**y", None),
        # Code spans, code blocks and math are never touched.
        ("`**代码（x）**是`", "<code>**代码（x）**是</code>"),
        ("```\n**代码（x）**是\n```", "<code>**代码（x）**是\n</code>"),
        ("\\(**数据（x）**是\\)", "\\(**数据（x）**是\\)"),
        # Nor URLs, in a link or bare.
        (
            "[链接](https://zh.wikipedia.org/wiki/数据_依赖) 和 https://example.com/数据_依赖_关系",
            'href="https://zh.wikipedia.org/wiki/%E6%95%B0%E6%8D%AE_%E4%BE%9D%E8%B5%96"',
        ),
        # Blanks to fill in stay blanks; a single `_` in CJK text stays an underscore.
        ("姓名____，年龄____。以_开头，以_结尾", "姓名____，年龄____。以_开头，以_结尾"),
    ],
)
def test_cjk_emphasis_leaves_everything_else_as_commonmark(
    markdown: str, shown: str | None
) -> None:
    import cmarkgfm

    html = render_markdown(markdown)
    if shown is None:
        assert html == cmarkgfm.github_flavored_markdown_to_html(markdown).strip()
    else:
        assert shown in html
    assert "<em>" not in html or shown is None
    assert not re.search("[\uf8f0-\uf8f5]", html)


CJK_PIECES = [*"**__~~（）。“”数据한あa(). `\n", "**", "__", "~~", "$x$", "`c`", "](u)", "[", "\\"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(CJK_PIECES), max_size=30).map("".join))
def test_cjk_emphasis_only_decides_which_delimiters_are_emphasis(text: str) -> None:
    """The same text as CommonMark gives, less the delimiters that became tags; no marker left."""
    from chatdeck import render

    html = render_markdown(text)
    assert not re.search("[\uf8f0-\uf8f5]", html)
    pattern = render.CJK_NEXT_TO_DELIMITER
    try:
        render.CJK_NEXT_TO_DELIMITER = re.compile("(?!)")  # type: ignore[misc]
        plain = render_markdown(text)
    finally:
        render.CJK_NEXT_TO_DELIMITER = pattern  # type: ignore[misc]

    def letters(html: str) -> str:
        return re.sub(r"[*_~\s]", "", re.sub(r"<[^>]+>", "", html))

    assert letters(html) == letters(plain)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (r"\(\text{adjusted\_logits}_i\)", r"\(\text{adjusted_logits}_i\)"),
        (r"\(\text{50\% off, A \& B, C\#}\)", r"\(\text{50% off, A &amp; B, C#}\)"),
        (r"\(\text{the \textbf{key\_value} cache}\)", r"\(\text{the $\textbf{key_value}$ cache}\)"),
        (r"\(\text{caf\'e, na\"ive, \c{c}a}\)", r"\(\text{café, naïve, ça}\)"),
        (r"\(\text{a~b, 1--10, ``q''}\)", "\\(\\text{a&nbsp;b, 1\u201310, \u201cq\u201d}\\)"),
        (r"\(\text{\textbackslash n, x\_{1}}\)", r"\(\text{\\n, x_1}\)"),
        (
            r"\(\bm{x} \in \R^n, \argmax_i s_i\)",
            r"\(\boldsymbol{x} \in \mathbb{R}^n, \operatorname*{arg\,max}_i s_i\)",
        ),
        (r"\(\mathrm{max\_len} + x\_1\)", r"\(\mathrm{max\_len} + x\_1\)"),  # math mode: as typed
        (r"\(\newcommand{\R}{X}\R\)", r"\(\newcommand{\R}{X}\R\)"),  # a formula's own macros
        (r"\(\text{\foo{a\_b}}\)", r"\(\text{\foo{a\_b}}\)"),  # unknown: as typed
    ],
)
def test_tex_text_mode_is_written_as_anki_mathjax_reads_it(typed: str, expected: str) -> None:
    html = render_markdown(typed)
    assert expected in html, html


def test_python_and_shell_sessions_use_console_lexers() -> None:
    html = render_markdown(
        "```py\n>>> help(sum)\n    If True, the output is returned\n```\n\n"
        "```bash\n$ ls\nfile.txt\n% echo hi\nhi\n```\n\n```python\nx = 1 >> 2\n```"
    )
    blocks = re.findall(r'<pre class="([^"]*)"><code>([\s\S]*?)</code></pre>', html)
    assert [classes for classes, _ in blocks] == [
        "code highlight language-py console",
        "code highlight language-bash console",
        "code highlight language-python",
    ]
    session, shell, program = (code for _, code in blocks)
    assert '<span class="gp">&gt;&gt;&gt; </span>' in session
    assert '<span class="go">    If True, the output is returned</span>' in session
    assert '<span class="k">' not in session and '<span class="kc">' not in session
    assert shell.count('<span class="gp">') == 2 and shell.count('<span class="go">') == 2
    assert '<span class="o">&gt;&gt;</span>' in program  # a program stays a program


@pytest.mark.parametrize(
    ("code", "pieces"),
    [
        ("tf.control_dependencies([a, b])", ["tf.", "control_", "dependencies([a, b])"]),
        ("os.path.join(root, name)", ["os.", "path.", "join(", "root, name)"]),
        ("__init__", ["__init__"]),
        ("a.b", ["a.b"]),  # short: never broken
        ("$HOME/.config/app", ["$HOME/.", "config/", "app"]),
    ],
)
def test_inline_code_breaks_only_where_a_reader_would(code: str, pieces: list[str]) -> None:
    html = render_markdown(f"`{code}`")
    inner = html[html.index("<code>") + 6 : html.index("</code>")]
    assert inner.split("<wbr>") == pieces


NO_MARKDOWN_FOLDERS = ["forms", "chatlogs", "pages", "exports", "hostile", "cards"]


def visible_text(html: str) -> str:
    """What a card shows as text, less code, math and raw HTML shown as text on purpose."""
    html = re.sub(r"<(pre|code)\b[^>]*>[\s\S]*?</\1>", "", html)
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]", "", text)
    return re.sub(r"&lt;[^&]*&gt;", "", text)  # `<hr class="__x">` typed in a transcript


#: Fixtures whose cards still show Markdown, and why (each must still show it: strict).
MARKDOWN_LEFT_VISIBLE = {
    "panel-chatinterface-web-copy.txt": (
        "the page drew the user's pasted rustc error as text, its fence lost before the copy: "
        "`if *n > 2 { lista.push(*n * 2); }` is a line of the question's prose, the code's `*` "
        "taken by the check for emphasis"
    ),
    "marimo-chat-web-copy.txt": (
        "the notebook's `chatbot.value` viewer under the chat (a known misreading, `NOT_YET` in "
        "test_turns) ends the last answer: its lines show each message's start as Python's "
        "repr of the Markdown, `**Unbuffered channel*...` cut in the middle of a bold mark"
    ),
    "mesop-chat-web-copy.txt": (
        "the chat box is one line: the pasted traceback reached the page (and the copy) as one "
        "line of prose, `self._call_impl(*args, **kwargs)` in it, whose `*` the check takes "
        "for emphasis; no fence to rebuild, the line breaks lost before the copy"
    ),
    "nextjs-ollama-llm-ui-web-copy.txt": (
        "the page copy lost the reply's inline code marks: `set -l archivos $carpeta/*.txt` is a "
        "line of prose in the copy, its glob's `*` shown as the page showed it; the check takes "
        "it for a leftover emphasis mark"
    ),
    "claude-code-export.txt": (
        "Claude Code's export is the chat as the terminal drew it, its Markdown rendered away: "
        "the reply's `count(*)` lost its backticks, so the card shows its literal `*`, which "
        "the check takes for a leftover emphasis mark"
    ),
    "grok-chat-exporter-a144z.md": (
        "Grok Chat Exporter saves the page's visible text with every blank line dropped, the "
        "reply's code fences gone: `wachttied *= 2` is a line of prose in the file, its `*` "
        "shown as the page showed it; the check takes it for a leftover emphasis mark"
    ),
    "chatpad-web-copy.txt": (
        "the page joined the user's pasted compiler error into one line, its caret line with it "
        "(`#include <LiquidCrystal_I2C.h> ^~~~~~~~~~~~~~~~~~~~~`), shown as typed; the check "
        "takes its `~~` for a leftover strikethrough mark"
    ),
    "ollama-chat-nvim.md": (
        "the user's pasted `zig build` failure holds the compiler's caret line under the source "
        "line it points into (`~~~~~~~~~~~~~~~^~~~~~~~`), which the card shows as typed; the "
        "check takes its `~~` for a leftover strikethrough mark"
    ),
    "nextchat-web-copy.txt": (
        "a page copy whose code blocks lost their fences and labels (only the messages' text is "
        "selectable): OCaml's `(* comment *)` lines in the unfenced code, and the reply's own "
        "list of float operators `+., -., *. and /.` in prose, show `*` the check takes for "
        "leftover emphasis marks"
    ),
    "save-my-chatbot-chatgpt.md": (
        "the user's pasted Python, one line with U+00A0 for spaces as the writer keeps it, holds "
        "`annual * years`, which Turndown wrote `\\*` and the card shows as the `*` typed; between "
        "`&nbsp;`s the check takes that literal asterisk for a leftover emphasis mark"
    ),
    "easy-chatgpt-markdown-exporter.md": (
        "literal asterisks shown as typed, which the check takes for leftover emphasis marks: "
        "`TextFileReader(filepath_or_buffer, **kwds)` in the user's pasted traceback, shown as "
        'prose, and `"Unicode Text (*.txt)"` in the first reply\'s prose'
    ),
}


def test_no_markdown_is_left_visible_in_any_seed_or_fixture_card() -> None:
    from conftest import SOURCE

    from chatdeck.build import plan
    from chatdeck.cards import field_markdown

    paths = [SOURCE] + [
        path
        for folder in NO_MARKDOWN_FOLDERS
        for path in sorted((FIXTURES / folder).iterdir())
        if path.suffix in (".txt", ".md", ".html", ".json")
        and not path.name.endswith(".expected.json")
        and path.name != "README.md"
    ]
    left = []
    for path in paths:
        try:
            notes = plan([path]).merged
        except Exception:  # a fixture that is meant not to build (a damaged export)
            continue
        shown = [
            f"{note.source}:{note.line}: {m.group(0)!r}"
            for note in notes
            for markdown in field_markdown(note)
            for m in LEFT_OVER.finditer(visible_text(render_markdown(markdown)))
        ]
        if path.name in MARKDOWN_LEFT_VISIBLE:
            assert shown, f"{path.name} shows no Markdown now: take it out of the known list"
        else:
            left += shown
    assert left == []
    assert len(paths) > 50


# Emphasis delimiters a card shows: `**`, `__` opening or closing, `~~`, a `*` hugging a word.
LEFT_OVER = re.compile(
    r".{0,12}(?:\*\*|~~|(?<![\w])__(?=\w)|(?<=\w)__(?![\w])|(?<![\w*])\*(?=\S)).{0,12}"
)


#: Prose of code spans and `<` (and near misses of the other forms), without any of the marks
#: every other form of `protect`'s tokens starts with.
PLAIN_PROSE_PIECES = ["`", "``", "a", " ", "\n", "\n\n", "<", "<h", "<mailt", "&", "#", "x", "*"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_PROSE_PIECES), max_size=60).map("".join))
def test_prose_without_token_marks_is_protected_by_neutralizing_its_less_thans(
    text: str,
) -> None:
    """`_protect_prose`'s shortcut: with no math, escape, reference or autolink to take out, the
    token loop would only neutralize `<`, in code spans and out."""
    if any(mark in text for mark in chatdeck.render.TOKEN_MARKS):
        return
    math: list[tuple[str, str]] = []
    assert chatdeck.render._protect_tokens(text, math) == text.replace("<", "\uf8f4")  # noqa: SLF001
    assert math == []
    assert chatdeck.render._protect_prose(text, math) == text.replace("<", "\uf8f4")  # noqa: SLF001


def protect_line_by_line(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """`protect` as it went line by line: each line as cmark counts it (with its newline), the
    prose lines between code lines protected together."""
    markdown = chatdeck.render.clean_text(markdown)
    code = code_block_lines(markdown)
    math: list[tuple[str, str]] = []
    out: list[str] = []
    prose: list[str] = []
    for number, line in enumerate(re.findall(r"[^\n]*\n|[^\n]+", markdown)):
        if number in code:
            if prose:
                out.append(chatdeck.render._protect_prose("".join(prose), math))  # noqa: SLF001
                prose.clear()
            out.append(line)
        else:
            prose.append(line)
    if prose:
        out.append(chatdeck.render._protect_prose("".join(prose), math))  # noqa: SLF001
    return "".join(out), math


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*CODE_PIECES, "\n", "\r\n", "\r", "- ", "> "]), max_size=40))
def test_protect_takes_code_lines_out_as_cmark_counts_them(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert protect(text) == protect_line_by_line(text)


def test_line_runs_are_the_runs_of_consecutive_lines_below_the_count() -> None:
    runs = chatdeck.render.line_runs
    assert list(runs(set(), 5)) == []
    assert list(runs({0, 1, 2, 5, 7, 8, 20}, 9)) == [(0, 3), (5, 6), (7, 9)]
    assert list(runs({3}, 3)) == []


def cmark_html_with_every_extension(markdown: str) -> str:
    """`cmark_html` with all of `GFM_EXTENSIONS` attached, whatever the text holds."""
    every = chatdeck.render.GFM_EXTENSIONS
    with mock.patch.object(chatdeck.render, "gfm_extensions", lambda markdown: every):
        return cmark_html(markdown, CMARK_OPTIONS)


# Inline text rich in the special characters of autolink (`:`, `w`, `@`) and strikethrough (`~`)
# and what sits around them: emphasis, code spans, links, line ends, trailing spaces.
INLINE_PIECES = [
    *["w", "ww", "www", "www.", "W", ":", "//", "://", "@", "~", "~~", "a", "x.y", " ", "  "],
    *["\n", "  \n", "\\", "*", "_", "**", "`", "[", "](", ")", "http", "mailto:", "|", "- "],
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(INLINE_PIECES), max_size=40).map("".join))
def test_html_is_the_same_without_the_inline_extensions_it_does_not_need(markdown: str) -> None:
    """Autolink and strikethrough are attached only to text that holds what they act on
    (`gfm_extensions`): without them, cmark-gfm writes the same HTML as with them."""
    assert cmark_html(markdown, CMARK_OPTIONS) == cmark_html_with_every_extension(markdown)


def test_fixtures_render_the_same_without_the_inline_extensions_they_do_not_need() -> None:
    texts = [path.read_text(errors="replace") for path in sorted(SOURCE.rglob("*.md"))]
    texts += [p.read_text(errors="replace") for p in sorted(FIXTURES.rglob("*")) if p.is_file()]
    assert any("@" not in text and "~" not in text for text in texts)
    for text in texts:
        assert cmark_html(text, CMARK_OPTIONS) == cmark_html_with_every_extension(text)
