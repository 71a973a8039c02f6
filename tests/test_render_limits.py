"""Hostile and damaged input: every render stage takes time linear in its field, the HTML it
makes is bounded, and what goes past a limit is shown as text with a warning that names it.

Growth is measured as the ratio of CPU times at two sizes (the best of a few runs): a stage
linear in its input grows by about the factor between the sizes, a quadratic one by its square.
Each input here grew quadratically (or worse) before the stage was bounded. Limits are lowered
through `RenderLimits`, never by patching the module."""

from __future__ import annotations

import json
import re
import resource
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import overload

import cmarkgfm
import pytest
from conftest import FIXTURES, deck_options
from growth import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st

from chatdeck.build import build
from chatdeck.cards import render_note
from chatdeck.media import MediaCollector
from chatdeck.notes import Note
from chatdeck.render import (
    CMARK_OPTIONS,
    FIELD_LIMIT,
    HIGHLIGHT_CHAR_LIMIT,
    NESTING_LIMIT,
    TABLE_CELL_LIMIT,
    RenderedField,
    RenderLimits,
    cmark_html,
    code_block_lines,
    highlight_code,
    nesting_depth,
    prose_tokens,
    quote_depth,
    render_field,
    table_cells,
)
from chatdeck.reply_html import render_reply
from chatdeck.tex import TEX_NESTING_LIMIT, fix_tex


def field(markdown: str) -> object:
    return render_field(markdown)


# --- protect: math and code spans -------------------------------------------------------------


def test_unclosed_inline_math_is_read_once() -> None:
    """Each `\\(` looked for its `\\)` to the end of the field: 160 KB took 27 s."""
    assert_linear(field, lambda n: "\\( x " * (n // 5), 40_000)
    assert render_field("\\( x " * 3).html == "<p>( x ( x ( x</p>"  # as before: not math


def test_unclosed_display_math_is_read_once() -> None:
    assert_linear(field, lambda n: "\\[ x " * (n // 5), 40_000)


def test_backtick_runs_never_closed_are_read_once() -> None:
    """Runs of 1, 2, 3... backticks in one paragraph, none closed: each run looked for its
    closer to the end of the paragraph (1.28 MB took 52 s)."""

    def runs(n: int) -> str:
        return " a ".join("`" * k for k in range(1, int((2 * n) ** 0.5)))

    assert_linear(field, runs, 20_000, factor=16)
    assert "<code>" not in render_field(runs(100)).html


# The pattern `protect` used before its closers were found by one forward scan: the reference
# for what it must still find, on inputs small enough for its quadratic search.
_GOES_ON = r"(?![ \t]*(?:$|\n)| {0,3}(?:[>#]|[-+*][ \t]|\d{1,9}[.)][ \t]|```|~~~|[-*_]{3}))"
REFERENCE = re.compile(
    r"(?=[`\\$<&])"
    r"(?:(?P<code>(?<!`)(?P<ticks>`+)(?!`)(?:[^\n]|\n" + _GOES_ON + r")*?[^`](?P=ticks)(?!`))"
    r"|(?P<reserved>&#(?:[xX]0*[fF]8[fF][0-6]|0*6372[89]|0*6373[0-4]);)"  # U+F8F6 added
    r"|(?P<display>\\\[[\s\S]+?\\\])"
    r"|(?P<inline>\\\([\s\S]+?\\\))"
    r"|(?P<ddollar>\$\$(?=\S)[\s\S]+?\$\$)"
    r"|(?P<dollar>(?<![\\$\w])\$(?=[^\s$])[^$\n]+?(?<=[^\s\\])\$(?![\d$\w]))"
    r"|(?P<escaped>\\[\\$<`])"
    r"|(?P<autolink><(?:https?|mailto):[^<>\s]+>)"
    r"|(?P<lt><))"
)
PIECES = (
    "`", "``", "```", "\\", "\\(", "\\)", "\\[", "\\]", "$", "$$", "<", "&", "&#xf8f0;", "a",
    " ", "\n", "\n\n", "\n# ", "\n> ", "\n- ", "\n1. ", "\n   ", "<https://x>", "1", "\t",
    "\n```", "\n---", "~~~",
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_prose_is_tokenized_as_by_the_reference_pattern(text: str) -> None:
    expected = [
        (match.start(), match.end(), "code" if match.group("code") else match.lastgroup)
        for match in REFERENCE.finditer(text)
    ]
    assert list(prose_tokens(text)) == expected


# --- TeX ----------------------------------------------------------------------------------


def test_unclosed_text_arguments_are_read_once() -> None:
    """Each `\\text{` looked for its `}` to the end of the formula."""
    assert_linear(fix_tex, lambda n: "\\(" + "\\text{a" * (n // 7) + "\\)", 20_000)


def test_deeply_nested_tex_is_left_as_typed_past_the_limit() -> None:
    """`\\text{\\text{...}}` 4,000 deep raised a RecursionError (and lost the card)."""
    deep = "\\(" + "\\text{" * 4000 + "x" + "}" * 4000 + "\\)"
    assert_linear(
        fix_tex, lambda n: "\\(" + "\\text{" * (n // 7) + "x" + "}" * (n // 7) + "\\)", 4_000
    )
    assert fix_tex(deep).startswith("\\(\\text{$\\text{")
    accents = "\\(\\text{" + "\\'{" * 4000 + "e" + "}" * 4000 + "}\\)"
    assert "é" not in fix_tex(accents)  # past the limit: as typed
    shallow = "\\(\\text{" + "\\'{" * TEX_NESTING_LIMIT + "e" + "}" * TEX_NESTING_LIMIT + "}\\)"
    assert "é" in fix_tex(shallow)
    assert "\\text" in render_field(deep).html


# --- nesting, tables, size ------------------------------------------------------------------


def test_deep_block_quotes_are_shown_as_text() -> None:
    """512 KB of nested quotes took 285 s in the sanitizer's HTML parser."""
    assert_linear(field, lambda n: ">" * n + " x", 5_000)
    rendered = render_field(">" * 5000 + " x")
    assert rendered.html.startswith('<pre class="code plain"><code>&gt;&gt;&gt;')
    assert rendered.limited == ("shown as plain text: its block quotes nest 5,000 deep, over 32",)
    ordinary = "> quoted\n>> and quoted again\n\n- a\n  - b\n    - c"
    assert render_field(ordinary).limited == ()
    assert nesting_depth(render_field(ordinary).html) == 0  # few enough not to be counted


def test_code_lines_are_found_in_linear_time_however_deep_the_nesting() -> None:
    """The parser asks for a whole file's code lines, with no nesting limit: quotes and list
    items as deep as the text allows, a code block at every depth, cost no more per character
    than flat text (each block's line is cut at the end of every quote or item around it)."""

    def quotes(n: int) -> str:  # depth i on line i: about n characters in all
        return "\n".join(">" * depth + "     code" for depth in range(1, int((2 * n) ** 0.5)))

    def items(n: int) -> str:
        depths = range(int((n / 2) ** 0.5))
        return "\n".join("  " * d + "- x\n\n" + "  " * d + "      code" for d in depths)

    assert_linear(code_block_lines, lambda n: ">" * n + "     code", 20_000)
    assert_linear(code_block_lines, quotes, 20_000)
    assert_linear(code_block_lines, items, 20_000)
    assert len(code_block_lines(quotes(20_000))) > 150  # a block at every depth


def test_quotes_are_counted_before_cmark_and_list_items_after() -> None:
    """A line's `>` open its quotes, so they are counted in the Markdown (cmark-gfm's tree of a
    deep quote costs it memory); lists nest by indentation too, and are counted in its HTML."""
    assert quote_depth("> - > 1. >" * 20 + " x", 32) == 60
    assert quote_depth(">>> prompt\n" * 100 + "a -> b " * 100, 32) == 0
    markdown = "\n".join("  " * level + "- x" for level in range(6))
    assert render_field(markdown, limits=RenderLimits(nesting=6)).limited == ()
    limited = render_field(markdown, limits=RenderLimits(nesting=5)).limited
    assert limited == ("shown as plain text: its block quotes and lists nest 6 deep, over 5",)
    assert nesting_depth("<blockquote><ul><li><blockquote>" * 2, 3) == 6


def test_a_wide_table_cannot_blow_up() -> None:
    """A 1,000-column header over one-cell rows: cmark-gfm fills every row out to 1,000 cells
    (an 80 KB table made a 52.7 MB field). Its cells are counted before cmark runs."""
    one = "|" + "a|" * 1000 + "\n|" + "-|" * 1000 + "\n" + "x\n" * 600 + "\n"
    markdown = one * 8
    rendered = render_field(markdown)
    assert len(rendered.html) < 5 * len(markdown)
    assert rendered.limited == (
        "shown as plain text: its tables would fill out to about 602,000 cells, over 100,000",
    )
    assert table_cells("| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | 4 |\n\ntext") == 8
    assert table_cells(markdown, 10) < 2_000_000  # stops counting past the limit


def test_a_field_past_the_size_limits_is_shown_as_text() -> None:
    markdown = "word " * 400
    rendered = render_field(markdown, limits=RenderLimits(field=1000))
    assert rendered.limited == ("shown as plain text: its Markdown is longer than 1 KB",)
    assert rendered.html == f'<pre class="code plain"><code>{markdown}</code></pre>'
    table = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 40
    assert render_field(table, limits=RenderLimits(table_cells=50)).limited == (
        "shown as plain text: its tables would fill out to about 84 cells, over 50",
    )
    assert render_field(table, limits=RenderLimits(field=500)).limited == (
        "shown as plain text: its HTML would be longer than 500 characters",
    )
    assert render_field(table).limited == ()


def test_text_shown_plain_is_as_inert_as_any_field() -> None:
    """The sanitizer and `guard` see a field shown as text too."""
    hostile = (
        '<script>alert(1)</script> <img src="https://evil.example/x.png"> [sound:x.mp3] '
        "\\(\\href{javascript:alert(1)}{x}\\) \x1f \uf8f0 一些中文 " * 3
    )
    rendered = render_field(hostile, limits=RenderLimits(field=100))
    assert rendered.limited
    assert "<script" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "[sound:" not in rendered.html and "&#91;sound:x.mp3]" in rendered.html
    assert "\x1f" not in rendered.html and "\uf8f0" not in rendered.html
    assert rendered.html.startswith('<div lang="zh-Hans"><pre class="code plain">')


def test_the_limits_are_far_above_real_fields() -> None:
    assert FIELD_LIMIT >= 1_000_000 and TABLE_CELL_LIMIT >= 50_000
    assert NESTING_LIMIT >= 16 and HIGHLIGHT_CHAR_LIMIT >= 50_000
    for path in sorted(Path(__file__).parent.glob("fixtures/**/*.md")):
        if path.name == "README.md":
            continue  # the fixtures' notes (one of 800 KB), no card's field
        assert render_field(path.read_text(encoding="utf-8")).limited == (), path


def test_ampersands_are_sanitized_in_linear_time() -> None:
    """nh3 took time growing with the square of the `&` in one text or attribute."""
    assert_linear(field, lambda n: "a&b " * (n // 4), 20_000)
    assert_linear(field, lambda n: "[x](https://example.com/?" + "a&" * (n // 2) + ")", 20_000)
    rendered = render_field("Tom &amp; Jerry & [q](https://x.example/?a=1&b=2 'a&b') `&&` &#xf8f6;")
    assert rendered.html == (
        '<p>Tom &amp; Jerry &amp; <a href="https://x.example/?a=1&amp;b=2" title="a&amp;b" '
        'rel="noopener noreferrer">q</a> <code>&amp;&amp;</code> \ufffd</p>'
    )
    assert "\uf8f6" not in render_field("raw \uf8f6 and `\uf8f6`").html


@pytest.mark.parametrize(
    "parse",
    [lambda markdown: cmark_html(markdown, CMARK_OPTIONS), code_block_lines],
    ids=["cmark_html", "code_block_lines"],
)
def test_cmark_trees_are_freed(parse: Callable[[str], object]) -> None:
    """cmark-gfm's binding never frees the syntax tree it parses (200 bytes a byte of Markdown
    for a line per character): `cmark_html`, and `code_block_lines` which walks the tree, free
    it, so the peak stays where one field put it."""
    sample = "| a |\n|---|\n| 1 |\n\n~~x~~ www.example.com <b>\n- [ ] task\n\n```py\nx\n```\n"
    assert cmark_html(sample, CMARK_OPTIONS) == cmarkgfm.github_flavored_markdown_to_html(
        sample, options=CMARK_OPTIONS
    )
    markdown = "a\n" * 100_000 + "```\n"
    parse(markdown)  # the peak of one
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(10):
        parse(markdown)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 20_000  # KB; 400 MB leaked


# --- highlighting ---------------------------------------------------------------------------

#: Lowered so that the tests take tenths of a second: the growth is what is measured.
QUICK = RenderLimits(
    highlight_seconds=0.005, highlight_seconds_per_char=3e-6, highlight_spare_seconds=0
)


def block(language: str, code: str) -> str:
    return f"```{language}\n{code}```\n"


def quick(markdown: str) -> RenderedField:
    return render_field(markdown, limits=QUICK)


def test_a_slow_python_block_is_bounded() -> None:
    """Python's lexer on lines holding a space: a 64 KB block took 42 s."""
    assert_linear(quick, lambda n: block("python", " \n" * (n // 2)), 4_000)
    rendered = quick(block("python", " \n" * 20_000))
    assert rendered.html.startswith('<pre class="code"><code>')
    (why,) = rendered.limited
    assert why.startswith("code block 1 (python, 40 KB) not highlighted: Pygments took more than")


def test_a_slow_gherkin_block_is_bounded() -> None:
    """32 KB of Gherkin took 193 s."""
    assert_linear(quick, lambda n: block("gherkin", " \n" * (n // 2)), 2_000)


def test_a_block_too_long_to_highlight_is_shown_plain() -> None:
    code = "def f(x):\n    return x + 1\n"
    markdown = "Before\n\n" + block("python", code) + "\n" + block("python", "x = 1\n")
    rendered = render_field(markdown, limits=RenderLimits(highlight_chars=20))
    assert rendered.limited == (
        "code block 1 (python, 27 characters, starting 'def f(x):') not highlighted: longer "
        "than 20 characters",
    )
    assert '<pre class="code"><code>def f(x):' in rendered.html
    assert '<pre class="code highlight language-python"><code><span class="n">x</span>' in (
        rendered.html
    )


def test_colours_that_would_take_a_field_past_its_limit_are_left_out() -> None:
    markdown = block("python", "x = [1, 2, 3]\n" * 20)
    plain = render_field(markdown, limits=RenderLimits(field=400))
    assert plain.limited == (
        "code block 1 (python, 280 characters, starting 'x = [1, 2, 3]') not highlighted: with its "
        "colours the field's HTML would be longer than 400 characters",
    )
    assert render_field(markdown).limited == ()


def test_blocks_within_the_limits_are_highlighted_as_before() -> None:
    code = "def greet(name):\n    return name.upper() + 1  # a comment\n"
    rendered = quick(block("python", code))
    assert rendered.limited == ()
    assert rendered.html == (
        f'<pre class="code highlight language-python"><code>{highlight_code(code, "python")}'
        "</code></pre>"
    )


# --- images ---------------------------------------------------------------------------------


class CountingLines(Sequence[str]):
    """A file's lines that count how often they are read."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.reads = 0

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        self.reads += 1
        return self.lines[index]


def test_many_images_in_one_answer_are_placed_in_linear_time(tmp_path: Path) -> None:
    """Each missing image's line was looked for from the answer's first line (1.42 MB of image
    lines took 123 s). Counted: lines read to place every image's warning."""
    for count in (100, 1000):
        lines = CountingLines(
            ["Q: images?", "A: here"] + [f"![a{i}](img{i}.png)" for i in range(count)]
        )
        answer = "here\n" + "\n".join(lines.lines[2:])
        note = Note("t.md", 1, "images?", answer, first_line=1, last_line=len(lines))
        collector = MediaCollector(tmp_path, lines)
        render_field(note.answer, collector.resolver(note))
        found = collector.found()
        assert [problem.line for problem in found.problems] == list(range(3, count + 3))
        assert lines.reads <= 2 * len(lines)


# --- where the warnings go -------------------------------------------------------------------


def test_fields_shown_plain_are_warned_about_at_their_line(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "hostile.md").write_text(
        "Q: what is fine?\nA: this\n\n"
        "Q: deep?\nA: " + ">" * 100 + " x\n\n"
        "Q: wide?\nA:\n\n|" + "a|" * 1000 + "\n|" + "-|" * 1000 + "\n" + "x\n" * 200,
        encoding="utf-8",
    )
    expected = [
        ":4: answer: shown as plain text: its block quotes nest 100 deep, over 32",
        ":7: answer: shown as plain text: its tables would fill out to about 201,000 cells, "
        "over 100,000",
    ]
    output = tmp_path / "out"
    for _ in range(2):  # the second build takes the file from the cache: the same warnings
        result = build([source], deck_options(output))
        warnings = [str(problem) for problem in result.problems if "plain" in problem.message]
        assert warnings == ["hostile.md" + warning for warning in expected]
    text = (source / "hostile.md").read_text(encoding="utf-8")
    (source / "hostile.md").write_text(text.replace("this", "that"), encoding="utf-8")
    result = build([source], deck_options(output))  # rendered again, warned about again
    warnings = [str(problem) for problem in result.problems if "plain" in problem.message]
    assert warnings == ["hostile.md" + warning for warning in expected]


def test_a_reply_from_a_saved_page_is_bounded_too() -> None:
    reply = "<blockquote>" * 100 + "<p>deep &amp; dark</p>" + "</blockquote>" * 100
    rendered = render_reply(reply)
    assert rendered.limited == (
        "shown as plain text: its block quotes and lists nest 100 deep, over 32",
    )
    assert "deep &amp; dark" in rendered.html and "<blockquote" not in rendered.html


def test_a_note_rendered_past_a_limit_carries_its_warning_and_no_render_cache_key() -> None:
    note = Note("chat.json", None, "deep?", ">" * 100 + " x", conversation="Chat")
    rendered = render_note(note)
    assert [str(problem) for problem in rendered.problems] == [
        "chat.json: Chat: answer to 'deep?': shown as plain text: its block quotes nest 100 "
        "deep, over 32"
    ]
    fine = render_note(Note("chat.json", None, "fine?", "yes"))
    assert fine.problems == ()


def test_a_chat_export_answer_shown_plain_is_warned_about(tmp_path: Path) -> None:
    export = json.loads((FIXTURES / "exports" / "claude.json").read_text(encoding="utf-8"))
    reply = export[0]["chat_messages"][1]
    reply["text"] = ">" * 200 + " deep"
    reply["content"] = [{"type": "text", "text": reply["text"]}]
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    result = build([path], deck_options(tmp_path / "out"))
    assert [str(problem) for problem in result.problems if "plain" in problem.message] == [
        "conversations.json: Tokenizers: answer to 'what is BPE?': shown as plain text: its "
        "block quotes nest 200 deep, over 32"
    ]
