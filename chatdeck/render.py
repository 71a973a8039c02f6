"""Render stage: Markdown -> safe card HTML, with code highlighted and math kept for MathJax.

Passes around one call to cmark-gfm (GitHub's own Markdown parser):

1. `protect` walks the text outside code blocks (the ones cmark-gfm finds) and code spans. It
   lifts math (`\\(..\\)`, `\\[..\\]`, `$..$`, `$$..$$`) out into placeholders, because every
   CommonMark parser eats the backslashes and underscores of TeX; and it stands every `<` in
   for a placeholder character (`LESS_THAN`, `&lt;` at the end), so raw HTML in a transcript
   shows as text instead of becoming markup.
2. cmark-gfm renders GitHub-flavoured Markdown (tables, strikethrough, autolinks).
3. `lift_code_blocks` highlights `<pre lang=..>` blocks with Pygments CSS classes and sets them
   aside, so that nothing after it touches code; `finish` resolves images, puts the math back as
   `\\(..\\)` / `\\[..\\]` (the only forms Anki's MathJax reads) and wraps tables so they
   scroll; the code blocks go back in.
4. Only then, on the HTML the card will hold, the checks: nh3 sanitizes it against an allow-list,
   and `guard` keeps Anki and MathJax from acting on what a transcript wrote (see `guard`).
   Nothing runs after them, so no step can reopen what they closed. A CJK text gets a `lang`.

Every pass takes time linear in the field, on any input, and what it makes is bounded
(`RenderLimits`): a field past a limit is shown as its text in a `pre`, a code block past one
without highlighting, and `RenderedField.limited` says why, for a warning. The checks of step 4
see that HTML too.
"""

from __future__ import annotations

import ctypes
import gc
import html
import re
import signal
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

import cmarkgfm
import nh3
from cmarkgfm import _cmark, cmark
from cmarkgfm.cmark import Options

from chatdeck.cjk import CJK_NEXT_TO_DELIMITER, cjk_emphasis, unflank
from chatdeck.tex import fix_tex

if TYPE_CHECKING:
    from pygments.lexer import Lexer

CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG

# How much one field may cost (README, "Limits"). Every stage reads a field in time linear in
# its length; these bound what the stages make of it. Past one, the field, or the code block,
# is shown as the text it holds, and the field's `limited` says why (a warning names it).
#: A field's HTML, in characters. A field whose Markdown is longer is not rendered at all, and
#: neither is one whose tables or HTML would be larger (cmark-gfm's HTML, or with its code
#: highlighted: a block whose colours would take the field past it is shown plain).
FIELD_LIMIT = 1_000_000
#: Table cells in a field, counted in the Markdown before cmark-gfm fills every row out to its
#: header's width (a header of 1,000 columns over 500 one-cell rows makes 500,000 cells).
TABLE_CELL_LIMIT = 100_000
#: Block quotes and lists nested in one another. The sanitizer's HTML parser takes time
#: in proportion to the depth for every element it opens; no answer nests 32 deep.
NESTING_LIMIT = 32
#: A code block longer than this (characters) is shown without highlighting.
HIGHLIGHT_CHAR_LIMIT = 100_000
#: CPU time a code block may take to highlight: this, plus `HIGHLIGHT_SECONDS_PER_CHAR` for
#: each character. Some of Pygments' lexers take time growing with the square of the length
#: (or worse) on text made for it; real code takes 1 to 3 microseconds a character.
HIGHLIGHT_SECONDS = 0.002
HIGHLIGHT_SECONDS_PER_CHAR = 25e-6
#: CPU time a process may spend past blocks' own allowances, in all: the first block that
#: needs a lexer another one nests (HTML's JavaScript, a language in a Markdown block) pays
#: for Pygments compiling it, up to 0.2 s for the largest, once per process.
HIGHLIGHT_SPARE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """The limits a field is rendered within (the constants above, unless a test lowers them)."""

    field: int = FIELD_LIMIT
    table_cells: int = TABLE_CELL_LIMIT
    nesting: int = NESTING_LIMIT
    highlight_chars: int = HIGHLIGHT_CHAR_LIMIT
    highlight_seconds: float = HIGHLIGHT_SECONDS
    highlight_seconds_per_char: float = HIGHLIGHT_SECONDS_PER_CHAR
    #: The most of this process's spare time one block may take (`HIGHLIGHT_SPARE_SECONDS`).
    highlight_spare_seconds: float = HIGHLIGHT_SPARE_SECONDS


LIMITS = RenderLimits()
# Private-use characters: inert for Markdown and the sanitizer, and stripped from the input
# first, so a transcript can never forge a placeholder.
PLACEHOLDER = "\uf8f0{}\uf8f1"
PLACEHOLDER_PATTERN = re.compile("\uf8f0(\\d+)\uf8f1")
CODE_PLACEHOLDER = "\uf8f2{}\uf8f3"
CODE_PLACEHOLDER_PATTERN = re.compile("\uf8f2(\\d+)\uf8f3")
# Every `<` of the text outside code stands in for itself as this character until cmark has
# run: no raw HTML can then open, in text or in a code span cmark sees and protect missed; at
# the end it becomes `&lt;`, which shows as `<` in text and in code alike.
LESS_THAN = "\uf8f4"
# U+F8F5 is `chatdeck.cjk.FLANK`: a marker beside emphasis next to CJK text, gone after cmark.
# Every `&amp;` stands in for itself as this character while the sanitizer runs: it takes time
# growing with the square of the `&` in one text or attribute (see `sanitize`).
AMPERSAND = "\uf8f6"
PLACEHOLDER_CHARACTERS = "\uf8f0-\uf8f6"  # as a regex character range
# Replaced by U+FFFD before anything else: the placeholder characters, and the control
# characters HTML has no use for, among them U+001F, which would split an Anki note's fields.
RESERVED = re.compile(f"[\x00-\x08\x0b\x0e-\x1f\x7f{PLACEHOLDER_CHARACTERS}]")
#: The reserved characters ASCII text can hold, as bytes (see `clean_text`).
RESERVED_ASCII = bytes(code for code in range(128) if RESERVED.match(chr(code)))


def clean_text(text: str) -> str:
    """`text` with each line break made a newline and each reserved character U+FFFD. ASCII
    text (most fields) is checked first by deleting the reserved characters from its bytes,
    several times faster than the regular expression's scan, which only runs on the others."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        data = text.encode("ascii")
        if len(data.translate(None, RESERVED_ASCII)) == len(data):
            return text
    return RESERVED.sub("\ufffd", text)


# After a newline, a line that ends a paragraph: it is blank, or opens a quote, heading, list
# item, fence or rule (raw HTML cannot, as `protect` neutralizes it).
PARAGRAPH_BREAK = r"[ \t]*(?:$|\n)| {0,3}(?:[>#]|[-+*][ \t]|\d{1,9}[.)][ \t]|```|~~~|[-*_]{3})"
PARAGRAPH_BREAKS = re.compile(r"\n(?=" + PARAGRAPH_BREAK + ")")

# What `protect` takes out of prose, tried left to right at each position, in this order: a
# code span (first, so nothing inside one is touched), a character reference to a placeholder
# character (cmark would decode it into one), display math, inline math, `$$` math, `$` math,
# an escape (an escaped backtick opens no code span), an autolink, a `<`. The forms whose
# closer can be far away match only their opener here (but for a code span that holds no
# backtick, whose scan ends at the next one), and `Closers` finds the closer: a code span closes
# with the next run of as many backticks in the same paragraph, `\[`, `\(` and `$$` with the
# next `\]`, `\)` and `$$`. So no opener scans the text again when an earlier one has
# found no closer, and a field is read in time linear in its length. The other forms end
# within a line or at the next `<` or `$`.
TOKEN = re.compile(
    # A code span with no backtick inside, matched whole: its scan ends at the next backtick.
    r"(?:(?P<code>(?<!`)(?P<ticks>`+)(?!`)"
    r"(?:[^`\n]|\n(?!" + PARAGRAPH_BREAK + r"))++(?P=ticks)(?!`))"
    r"|(?P<opener>(?<!`)`+)"  # any other code span (or none): `Closers.code`
    r"|(?P<reserved>&#(?:[xX]0*[fF]8[fF][0-6]|0*6372[89]|0*6373[0-4]);)"
    r"|(?P<display>\\\[)"
    r"|(?P<inline>\\\()"
    r"|(?P<ddollar>\$\$(?=\S))"
    r"|(?P<dollar>(?<![\\$\w])\$(?=[^\s$])[^$\n]+?(?<=[^\s\\])\$(?![\d$\w]))"
    r"|(?P<escaped>\\[\\$<`])"
    r"|(?P<autolink><(?:https?|mailto):[^<>\s]+>)"
    r"|(?P<lt><))"
)
#: Where a `TOKEN` can start: the regular expression engine finds these alone much faster than
#: it tries `TOKEN`'s alternatives at every position.
TOKEN_START = re.compile(r"[`\\$<&]")
#: What every form of `TOKEN` but a code span and a lone `<` starts with. Text holding none of
#: them is protected by neutralizing its `<`, in code spans and out: all the tokens would do.
TOKEN_MARKS = ("\\", "$", "&#", "<http", "<mailto")
#: The closer of each form that `TOKEN` matches only the opener of (a code span: see `Closers`).
CLOSER = {"display": "\\]", "inline": "\\)", "ddollar": "$$"}
BACKTICKS = re.compile("`+")


class Closers:
    """Where the forms that `TOKEN` opens end, for openers asked about left to right: each
    search starts past the last one's, so all of them together read the text once."""

    def __init__(self, text: str):
        self.text = text
        self.found: dict[str, tuple[int, int]] = {}  # closer -> (searched from, found at)
        self.runs: dict[int, tuple[int, int]] | None = None  # backtick run start -> closer
        self.breaks: list[int] = []

    def after(self, closer: str, start: int) -> int:
        """The end of the first `closer` that starts at `start` or after, or -1."""
        searched, at = self.found.get(closer, (-1, -1))
        if searched < 0 or (0 <= at < start):
            at = self.text.find(closer, start)
            self.found[closer] = (start, at)
        return at + len(closer) if at >= 0 else -1

    def code(self, start: int, end: int) -> int:
        """The end of the code span whose opening run of backticks is `start`..`end`, or -1:
        the next run as long, with no line that ends the paragraph in between (the line
        break right before the closing run may be one)."""
        if self.runs is None:
            self._index_runs()
        assert self.runs is not None
        closer = self.runs.get(start)
        if closer is None:
            return -1
        close_start, close_end = closer
        paragraph_break = bisect_left(self.breaks, end)
        if paragraph_break < len(self.breaks) and self.breaks[paragraph_break] < close_start - 1:
            return -1
        return close_end

    def _index_runs(self) -> None:
        runs = [match.span() for match in BACKTICKS.finditer(self.text)]
        following: dict[int, tuple[int, int]] = {}  # run length -> the next run that long
        self.runs = {}
        for run_start, run_end in reversed(runs):
            closer = following.get(run_end - run_start)
            if closer is not None:
                self.runs[run_start] = closer
            following[run_end - run_start] = (run_start, run_end)
        self.breaks = [match.start() for match in PARAGRAPH_BREAKS.finditer(self.text)]


def prose_tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of what `protect` takes out of `text`, left to right (see `TOKEN`)."""
    closers = Closers(text)
    find, match_token = TOKEN_START.search, TOKEN.match
    position = 0
    while (candidate := find(text, position)) is not None:
        match = match_token(text, candidate.start())
        if match is None:
            position = candidate.start() + 1
            continue
        kind = match.lastgroup
        assert kind is not None
        start, end = match.span()
        if kind == "opener":
            kind = "code"
            end = closers.code(start, end)
        elif kind in CLOSER:
            end = closers.after(CLOSER[kind], start + 3)
        if end < 0:  # no closer: no other form starts with that character; go on past it
            position = match.end() if kind == "code" else start + 1  # past a run
            continue
        yield start, end, kind
        position = end


ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "input",
    "wbr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "lang"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "input": {"type", "checked", "disabled"},
}

CJK_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA = re.compile(r"[\u3040-\u30ff]")
HANGUL = re.compile(r"[\uac00-\ud7af]")
CJK_ANY = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def protect(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """Lift math out into placeholders and escape raw HTML, outside code. Returns text + math.

    Code blocks are the ones cmark-gfm itself finds (`code_block_lines`), so the two never
    disagree: fences in list items and quotes, indented blocks, and fences never closed. Each
    math span is kept as (TeX for MathJax, the text as typed)."""
    markdown = clean_text(markdown)
    code = code_block_lines(markdown)
    math: list[tuple[str, str]] = []
    if not code:
        return _protect_prose(markdown, math), math
    lines = markdown.split("\n")  # the last one is what follows the last newline
    out: list[str] = []
    position = 0  # the first line not yet out
    for first, end in line_runs(code, len(lines)):
        if first > position:
            out.append(_protect_prose(joined_lines(lines, position, first), math))
        out.append(joined_lines(lines, first, end))
        position = end
    out.append(_protect_prose(joined_lines(lines, position, len(lines)), math))
    return "".join(out), math


def line_runs(numbers: set[int], count: int) -> Iterator[tuple[int, int]]:
    """The runs of consecutive line numbers in `numbers` below `count`, as (first, past last)."""
    first = end = -1
    for number in sorted(numbers):
        if number >= count:
            break
        if number != end:
            if end > first:
                yield first, end
            first = number
        end = number + 1
    if end > first:
        yield first, end


def joined_lines(lines: list[str], start: int, end: int) -> str:
    """Lines `start` to `end` (not included) of the text `lines` was split from, as they stand
    in it: each with its newline, but the text's last."""
    return "\n".join(lines[start:end]) + ("\n" if end < len(lines) else "")


GFM_EXTENSIONS = ("table", "autolink", "tagfilter", "strikethrough", "tasklist")
# What a text must hold for the inline extensions to change its HTML: autolink links a scheme's
# `://`, a `www.` or an e-mail address's `@` (its special characters are `:`, `w` and `@`, and
# it does nothing at one without them), strikethrough pairs `~`. Without them, attaching either
# changes no HTML: the parse only splits text at their special characters, into text nodes
# that render as the text did whole. Autolink costs cmark-gfm a fifth of its time on prose.
# The extensions that change which blocks cmark-gfm finds: a table ends a paragraph, and a task
# item's box leaves the rest of its line blank (so an indented line after it opens a code
# block). The others act on inlines, or on the HTML only, so the blocks are the same without them.
BLOCK_EXTENSIONS = ("table", "tasklist")
T = TypeVar("T")


def cmark_html(markdown: str, options: int) -> str:
    """cmark-gfm's HTML for GitHub-flavoured Markdown: what
    `cmarkgfm.github_flavored_markdown_to_html` returns, with the syntax tree and the HTML
    freed once read. The binding frees neither: a worker would keep about 10 bytes per byte
    of Markdown it rendered, and 200 for Markdown of a line per character."""
    library = _cmark_library()
    if library is None:  # a cmark-gfm built without the symbols: as the binding does it
        return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=options))
    options |= Options.CMARK_OPT_GITHUB_PRE_LANG

    def render(parser: object, root: object) -> str:
        extensions = cmark.parser_get_syntax_extensions(parser)
        raw = _cmark.lib.cmark_render_html(root, options, extensions)
        try:
            return str(_cmark.ffi.string(raw).decode("utf-8"))
        finally:
            library.text_free(_address(raw))

    return _with_tree(library, markdown, options, _extensions(gfm_extensions(markdown)), render)


def gfm_extensions(markdown: str) -> tuple[str, ...]:
    """`GFM_EXTENSIONS`, less the inline ones that can change nothing in `markdown`."""
    autolink = "://" in markdown or "www." in markdown or "@" in markdown
    return GFM_BY_NEED[autolink, "~" in markdown]


#: `GFM_EXTENSIONS` by whether autolink and strikethrough are needed, in the same order.
GFM_BY_NEED = {
    (autolink, strikethrough): tuple(
        name
        for name in GFM_EXTENSIONS
        if (name != "autolink" or autolink) and (name != "strikethrough" or strikethrough)
    )
    for autolink in (False, True)
    for strikethrough in (False, True)
}


def _with_tree(
    library: CmarkLibrary,
    markdown: str,
    options: int,
    extensions: tuple[object, ...],
    read: Callable[[object, object], T],
) -> T:
    """What `read` makes of cmark-gfm's parser and the syntax tree it parsed from `markdown`
    (both freed after)."""
    parser = cmark.parser_new(options)
    try:
        for extension in extensions:
            cmark.parser_attach_syntax_extension(parser, extension)
        cmark.parser_feed(parser, markdown)
        root = cmark.parser_finish(parser)
        try:
            return read(parser, root)
        finally:
            library.node_free(_address(root))
    finally:
        cmark.parser_free(parser)


@lru_cache(maxsize=8)
def _extensions(names: tuple[str, ...]) -> tuple[object, ...]:
    """cmark-gfm's extensions of these names, looked up in its registry once."""
    cmark.core_extensions_ensure_registered()
    return tuple(cmark.find_syntax_extension(name) for name in names)


def cmark_trees_freed() -> bool:
    """Whether `cmark_html` frees cmark-gfm's trees (else a process rendering for long grows)."""
    return _cmark_library() is not None


def _address(pointer: object) -> int:
    return int(_cmark.ffi.cast("uintptr_t", pointer))


@dataclass(frozen=True)
class CmarkLibrary:
    """Functions of cmark-gfm's C library that its binding does not expose, called with a
    node's address: to free a tree and the HTML rendered from it, and to walk a tree."""

    node_free: Callable[[int], None]
    text_free: Callable[[int], None]  # the `free` of its default allocator (which made the HTML)
    first_child: Callable[[int], int | None]
    next: Callable[[int], int | None]
    node_type: Callable[[int], int]
    start_line: Callable[[int], int]
    end_line: Callable[[int], int]


@lru_cache(maxsize=1)
def _cmark_library() -> CmarkLibrary | None:
    """cmark-gfm's functions, from the library the binding is built of; None where they cannot
    all be found."""
    returns = {  # cmark's node functions used here (each takes a node), and what each returns
        "free": None,
        "first_child": ctypes.c_void_p,
        "next": ctypes.c_void_p,
        "get_type": ctypes.c_int,
        "get_start_line": ctypes.c_int,
        "get_end_line": ctypes.c_int,
    }
    try:
        library = ctypes.CDLL(_cmark.__file__)
        functions = {name: getattr(library, f"cmark_node_{name}") for name in returns}
        allocator = library.cmark_get_default_mem_allocator
    except (OSError, AttributeError):
        return None
    for name, function in functions.items():
        function.argtypes = [ctypes.c_void_p]
        function.restype = returns[name]
    allocator.restype = ctypes.POINTER(ctypes.c_void_p * 3)  # calloc, realloc, free
    return CmarkLibrary(
        node_free=functions["free"],
        text_free=ctypes.CFUNCTYPE(None, ctypes.c_void_p)(allocator().contents[2]),
        first_child=functions["first_child"],
        next=functions["next"],
        node_type=functions["get_type"],
        start_line=functions["get_start_line"],
        end_line=functions["get_end_line"],
    )


CODE_MARKS = ("```", "    ", "~~~", "\t")  # a code block needs a fence or an indent of four
# cmark-gfm's node types (`cmark_node_type` in cmark-gfm.h) that hold code or may hold it: with
# the extensions and options used here, nothing else can (a table's cells hold only inlines).
NODE_BLOCK_QUOTE, NODE_LIST, NODE_ITEM, NODE_CODE_BLOCK = 0x8002, 0x8003, 0x8004, 0x8005
UNBOUNDED = 1 << 30  # a last line past any text's


def code_block_lines(markdown: str, lines: list[str] | None = None) -> set[int]:
    """The 0-based lines that cmark-gfm puts in code blocks, from a parse of its own (only for
    text that can hold one: a fence, or an indent of four). Raw HTML is neutralized first, as
    `protect` neutralizes it: an HTML block would hide a fence from this parse that the real
    one, of the protected text, would see. `lines`: the text split at `\\n`, where the caller
    has it so (the parser: a whole file), else it is split here.

    A fence closed by the end of its list item or quote reports its end a line late, so a
    block never reaches past the end of the items and quotes around it."""
    if not any(mark in markdown for mark in CODE_MARKS):
        return set()
    markdown = markdown.replace("<", "\ufffd")
    library = _cmark_library()
    if library is None:  # no tree to walk: the positions cmark-gfm writes into its HTML
        return code_block_lines_in_html(markdown)
    # cmark-gfm ends a line at a carriage return too: without one, its lines are these.
    text = None if "\r" in markdown else lines if lines is not None else markdown.split("\n")
    return _with_tree(
        library,
        markdown,
        Options.CMARK_OPT_DEFAULT,
        _extensions(BLOCK_EXTENSIONS),
        lambda parser, root: _code_lines_in_tree(library, _address(root), text),
    )


#: The most lines and characters a list, item or quote may span for the walk to look for code
#: marks in them before entering it (a larger one is entered): each look is bounded, however
#: deep the containers nest and however long their lines, so the walk stays linear.
MARK_CHECK_LINES = 64
MARK_CHECK_CHARACTERS = 4096


def _code_lines_in_tree(
    library: CmarkLibrary, root: int, text: list[str] | None = None
) -> set[int]:
    """The lines of the code blocks in cmark-gfm's tree, each cut at the last line of the items
    and quotes around it. Only the blocks that can hold code are entered, never a paragraph's
    inlines, nor (given the `text`'s lines) a short list, item or quote whose lines hold no code
    mark; with a stack of its own, as a quote can nest as deep as the text is long."""
    first_child, next_sibling, node_type = library.first_child, library.next, library.node_type
    start_line, end_line = library.start_line, library.end_line
    lines: set[int] = set()
    # A node with its siblings after it still to see, and the last line (1-based) they may reach.
    siblings = [(first_child(root), UNBOUNDED)]
    while siblings:
        node, last = siblings.pop()
        while node:
            kind = node_type(node)
            if kind == NODE_CODE_BLOCK:
                lines.update(range(start_line(node) - 1, min(end_line(node), last)))
            elif kind == NODE_LIST or kind == NODE_ITEM or kind == NODE_BLOCK_QUOTE:
                end = end_line(node)
                if text is None or _may_hold_code(text, start_line(node) - 1, end):
                    reach = last if kind == NODE_LIST else min(end, last)
                    siblings.append((first_child(node), reach))
            node = next_sibling(node)
    return lines


def _may_hold_code(text: list[str], start: int, stop: int) -> bool:
    """Whether a list, item or quote on lines [start, stop) of `text` may hold a code block: the
    first line of one holds a fence or an indent of four columns past its containers' markers,
    so one of `CODE_MARKS`. Past `MARK_CHECK_LINES` or `MARK_CHECK_CHARACTERS`, it may."""
    if stop - start > MARK_CHECK_LINES:
        return True
    span = text[start:stop]
    if sum(map(len, span)) > MARK_CHECK_CHARACTERS:
        return True
    joined = "\n".join(span)
    return any(mark in joined for mark in CODE_MARKS)


# The elements a code block can sit in and end with (cmark escapes `<` and `>` in text).
CODE_AND_CONTAINERS = re.compile(r"<(/?)(pre|li|blockquote)\b([^>]*)>")
SOURCEPOS = re.compile(r'data-sourcepos="(\d+):\d+-(\d+):\d+"')


def code_block_lines_in_html(markdown: str) -> set[int]:
    """`code_block_lines` of text already neutralized, read from the source positions in
    cmark-gfm's HTML: where the tree cannot be walked, and the reference the walk is tested
    against."""
    html = cmark_html(markdown, Options.CMARK_OPT_SOURCEPOS)
    if "<pre" not in html:  # an indent of four in a list item, say: no code block after all
        return set()
    lines: set[int] = set()
    ends: list[int] = []  # the last line of each open element (a large number if unknown)
    for closing, tag, attributes in CODE_AND_CONTAINERS.findall(html):
        if closing:
            ends.pop()
            continue
        position = SOURCEPOS.search(attributes)  # cmark gives every block one
        end = min([int(position.group(2)) if position else UNBOUNDED, *ends[-1:]])
        if tag == "pre" and position:
            lines.update(range(int(position.group(1)) - 1, end))
        ends.append(end)
    return lines


def _protect_prose(text: str, math: list[tuple[str, str]]) -> str:
    """Text outside code blocks: math lifted, `<` neutralized, and emphasis next to CJK text
    made to pair as CJK-friendly renderers pair it (`cjk_emphasis`). Code spans, math, escapes
    and autolinks are opaque to the emphasis pass."""
    if text.isascii() or not CJK_NEXT_TO_DELIMITER.search(text):  # the common case: CommonMark
        if not any(mark in text for mark in TOKEN_MARKS):  # no math, escape, reference, link
            return text.replace("<", LESS_THAN)  # (what `_protect_tokens` would make of it)
        return _protect_tokens(text, math)
    pieces: list[str] = []
    position = 0
    opaque: list[tuple[int, int]] = []
    length = 0
    for start, end, kind in prose_tokens(text):
        pieces.append(text[position:start])
        length += len(pieces[-1])
        pieces.append(_protect_token(kind, text[start:end], math))
        opaque.append((length, length + len(pieces[-1])))
        length += len(pieces[-1])
        position = end
    pieces.append(text[position:])
    return cjk_emphasis("".join(pieces), opaque)


def _protect_tokens(text: str, math: list[tuple[str, str]]) -> str:
    """Text outside code blocks, without CJK emphasis to pair: each of `prose_tokens` taken out
    as `_protect_token` says."""
    pieces: list[str] = []
    position = 0
    for start, end, kind in prose_tokens(text):
        pieces += (text[position:start], _protect_token(kind, text[start:end], math))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _protect_token(kind: str, text: str, math: list[tuple[str, str]]) -> str:
    if kind == "code":  # math stays as typed; `<` is taken out all the same (see LESS_THAN)
        return text.replace("<", LESS_THAN)
    if kind == "autolink":
        return text
    if kind == "reserved":
        return "\ufffd"
    if kind == "lt":
        return LESS_THAN
    if kind == "escaped":
        return LESS_THAN if text == "\\<" else text
    if kind == "display":
        tex = text
    elif kind == "inline":
        tex = text
    elif kind == "ddollar":
        tex = "\\[" + text[2:-2] + "\\]"
    else:
        tex = "\\(" + text[1:-1] + "\\)"
    math.append((tex, text))
    return PLACEHOLDER.format(len(math) - 1)


PRE_BLOCK = re.compile(r'<pre(?: lang="([^"]*)")?><code>([\s\S]*?)</code></pre>')
IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')  # as cmark writes it


CODE_SPAN = re.compile(r"<code>[\s\S]*?</code>")


def finish(
    html_text: str, math: list[tuple[str, str]], resolve_image: Callable[[str], str | None] | None
) -> str:
    """Post-process cmark's HTML: images resolved, math back, tables wrapped.

    Images come first, while their tags still hold placeholders and not TeX (which may hold
    quotes). Math goes back as TeX in text; inside a tag (an image's alt or a link's title) and
    in a code span cmark made (one protect did not see) it goes back as it was typed."""
    if "<img" in html_text:
        html_text = IMAGE.sub(lambda match: _image(match, resolve_image), html_text)
    if math:
        html_text = CODE_SPAN.sub(
            lambda span: PLACEHOLDER_PATTERN.sub(
                lambda m: html.escape(_math_source(math, m), quote=False), span.group(0)
            ),
            html_text,
        )
        parts = SERIALIZED_TAG.split(html_text)  # text, tag, text, tag, ..., text
        for i, part in enumerate(parts):
            if PLACEHOLDER[0] not in part:
                continue
            if i % 2:
                parts[i] = PLACEHOLDER_PATTERN.sub(
                    lambda m: html.escape(_math_source(math, m), quote=True), part
                )
            else:
                parts[i] = PLACEHOLDER_PATTERN.sub(
                    lambda m: _math_html(math, int(m.group(1))), part
                )
        html_text = "".join(parts)
    html_text = CODE_SPAN.sub(_break_points, html_text)
    html_text = html_text.replace("<table>", '<div class="table-wrap"><table>').replace(
        "</table>", "</table></div>"
    )
    return html_text


# Where a reader would break a long identifier or call in inline code: after `.`, `_`, `,`,
# `/` and `(`, before the next name (not inside `__`, `...`, `()`, `([`, `, `).
CODE_BREAK = re.compile(r"(?<=[.,/(])(?=[^\s.,/()\[\]{}<])|(?<=[^_\s]_)(?=[^_\s<])")
CODE_BREAK_MIN = 12  # characters: shorter spans never need a break


def _break_points(span: re.Match[str]) -> str:
    """An inline code span with `<wbr>` where a line may break; CSS then never breaks it
    elsewhere, unless a piece between two is wider than the card (see style.css)."""
    code = span.group(0)[6:-7]
    if len(code) < CODE_BREAK_MIN or len(html.unescape(code)) < CODE_BREAK_MIN:
        return span.group(0)
    return "<code>" + CODE_BREAK.sub("<wbr>", code) + "</code>"


# A tag of nh3's output (its attributes are always in double quotes, which may hold `>`).
SERIALIZED_TAG = re.compile(r'(<[^>"]*(?:"[^"]*"[^>"]*)*>)')
RESERVED_LEFT = re.compile(f"[{PLACEHOLDER_CHARACTERS}]")  # one no step took back


def length_with_code_blocks(html_text: str, blocks: list[str]) -> int:
    """The length of `html_text` once `blocks` are back in place of their placeholders."""
    placeholders = sum(len(CODE_PLACEHOLDER.format(index)) for index in range(len(blocks)))
    return len(html_text) - placeholders + sum(map(len, blocks))


def sanitize_around_code_blocks(html_text: str, blocks: list[str]) -> str:
    """`sanitize` for HTML whose code blocks `lift_code_blocks` set aside: nh3 reads the rest,
    and the blocks go back as nh3 would have written them (`as_sanitized`), which it would
    otherwise spend about half its time reading. What comes out is what
    `sanitize(put_back_code_blocks(html_text, blocks))` gives (a test holds them equal)."""
    cleaned = sanitize(html_text).strip()
    if not blocks:
        return cleaned
    return put_back_code_blocks(cleaned, [as_sanitized(block) for block in blocks])


def as_sanitized(block: str) -> str:
    """A code block of `highlight_block`'s as nh3 writes it. The block is made of escaped text
    (Pygments' `escape_html`, or `html.escape`) in `pre`, `code` and `span` elements with a
    `class` made of letters, digits, `-`, `_` and `+`, all of which the allow-list keeps as
    they are; nh3 writes the text back with only `&`, `<`, `>` and U+00A0 as references."""
    return block.replace("&#39;", "'").replace("&quot;", '"').replace("\xa0", "&nbsp;")


def put_back_code_blocks(html_text: str, blocks: list[str]) -> str:
    """Code blocks back where their placeholders are, in text only: never inside a tag, where
    a placeholder can only have been forged (protect removes the ways it knows of)."""
    parts = SERIALIZED_TAG.split(html_text)  # text, tag, text, tag, ..., text
    for i in range(0, len(parts), 2):
        if CODE_PLACEHOLDER[0] in parts[i]:
            parts[i] = CODE_PLACEHOLDER_PATTERN.sub(lambda m: _code_block(blocks, m), parts[i])
    return "".join(parts)


def _code_block(blocks: list[str], match: re.Match[str]) -> str:
    index = int(match.group(1))
    return blocks[index] if index < len(blocks) else "\ufffd"  # never one of ours: see protect


def _math_html(math: list[tuple[str, str]], index: int) -> str:
    if index >= len(math):
        return PLACEHOLDER.format(index)
    return html.escape(math[index][0], quote=False)


def _math_source(math: list[tuple[str, str]], match: re.Match[str]) -> str:
    """The math as typed, for a placeholder that landed in code."""
    index = int(match.group(1))
    return math[index][1] if index < len(math) else "\ufffd"


def lift_code_blocks(
    html_text: str, math: list[tuple[str, str]], limits: RenderLimits = LIMITS
) -> tuple[str, list[str], list[str]]:
    """Highlight every code block and set it aside behind a placeholder: (HTML, blocks, why
    blocks were left plain). Math in a block (should protect ever have taken code for text)
    goes back as typed. A block is highlighted within `limits` (`highlight_block`), and only
    while the field's HTML stays within `limits.field`."""
    blocks: list[str] = []
    limited: list[str] = []
    if "<pre" not in html_text:
        return html_text, blocks, limited
    size = len(html_text)

    def lift(match: re.Match[str]) -> str:
        nonlocal size
        name = f"code block {len(blocks) + 1}"
        block, why = highlight_block(match, math, limits, limits.field - size, name)
        size += len(block) - len(match.group(0))
        blocks.append(block)
        if why:
            limited.append(why)
        return CODE_PLACEHOLDER.format(len(blocks) - 1)

    return PRE_BLOCK.sub(lift, html_text), blocks, limited


def highlight_block(
    match: re.Match[str],
    math: list[tuple[str, str]],
    limits: RenderLimits = LIMITS,
    room: int | None = None,
    name: str = "code block",
) -> tuple[str, str | None]:
    """A `<pre lang=..><code>` block of cmark's -> its HTML, highlighted if its language is
    known and it is within `limits` (and its HTML grows by at most `room` characters), else
    plain; and why it was left plain, if a limit did it."""
    language = html.unescape(match.group(1) or "").strip().lower()
    code = html.unescape(match.group(2)).replace(LESS_THAN, "<")
    if math:
        code = PLACEHOLDER_PATTERN.sub(lambda m: _math_source(math, m), code)
    session = session_lexer(code, language)
    lexer = session or language
    if not lexer or _lexer(lexer) is None:
        return _plain_block(code), None
    why = None
    if len(code) > limits.highlight_chars:
        why = f"longer than {_size(limits.highlight_chars)}"
    else:
        seconds = limits.highlight_seconds + limits.highlight_seconds_per_char * len(code)
        highlighted = highlight_within(code, lexer, seconds, limits.highlight_spare_seconds)
        if highlighted is None:
            why = f"Pygments took more than the {seconds:.2f} s of CPU time allowed for its length"
        else:
            classes = "code highlight language-" + re.sub(r"[^a-z0-9_+-]", "", language)
            classes += " console" if session else ""
            block = f'<pre class="{classes}"><code>{highlighted}</code></pre>'
            if room is None or len(block) - len(match.group(0)) <= room:
                return block, None
            why = f"with its colours the field's HTML would be longer than {_size(limits.field)}"
    first = next((line.strip() for line in code.split("\n", 50)[:50] if line.strip()), "")
    named = f"{name} ({language}, {_size(len(code))}"
    named += f", starting {first[:40]!r})" if first else ")"
    return _plain_block(code), f"{named} not highlighted: {why}"


def _plain_block(code: str) -> str:
    return f'<pre class="code"><code>{html.escape(code, quote=False)}</code></pre>'


def _size(characters: int) -> str:
    """A length for a message: `900 characters`, `12 KB`, `2.1 MB` (of characters)."""
    if characters < 1000:
        return f"{characters} characters"
    if characters < 1_000_000:
        return f"{round(characters / 1000, 1):g} KB"
    return f"{round(characters / 1_000_000, 1):g} MB"


# Interactive sessions in a block named for their language: the prompt that opens them.
PYTHON_NAMES = frozenset({"py", "python", "python3", "py3", "pycon", "pyrepl"})
SHELL_NAMES = frozenset(
    {"bash", "sh", "shell", "zsh", "ksh", "console", "terminal", "shell-session"}
)
POWERSHELL_NAMES = frozenset({"powershell", "ps1", "pwsh", "posh"})
DOS_NAMES = frozenset({"bat", "batch", "cmd", "dos", "doscon"})
PYTHON_PROMPT = re.compile(r">>>(?: |$)")
# `$ `, `% `, `(venv) $ `, `user@host:~/dir$ `, `root@host:/# ` (a bare `# ` is a comment)
SHELL_PROMPT = re.compile(r"(?:\([^()\s]+\) ?)?(?:[\w.-]+@[\w.-]+(?::[^\s$#%]*)? ?[$#%]|[$%]) ")
POWERSHELL_PROMPT = re.compile(r"PS [^>\n]*> ")
DOS_PROMPT = re.compile(r"[A-Za-z]:\\[^>\n]*>")


def session_lexer(code: str, language: str) -> str | None:
    """The Pygments console lexer for a block whose first line is a prompt of its language (a
    Python `>>>` session, a shell session with `$`/`%` prompts...), else None: a session is
    prompts, input and output, which a program's lexer colours as code."""
    first = next((line for line in code.splitlines() if line.strip()), "")
    if language in PYTHON_NAMES and PYTHON_PROMPT.match(first):
        return "pycon"
    if language in SHELL_NAMES and SHELL_PROMPT.match(first):
        return "console"
    if language in POWERSHELL_NAMES and POWERSHELL_PROMPT.match(first):
        return "ps1con"
    if language in DOS_NAMES and DOS_PROMPT.match(first):
        return "doscon"
    return None


@lru_cache(maxsize=128)
def _lexer(language: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str) -> str | None:
    """Pygments spans with CSS classes, or None for a missing or unknown language: the HTML of
    Pygments' `HtmlFormatter(nowrap=True)` for its tokens, lexed by `chatdeck.lexing` and
    written by `chatdeck.code_html` (the same tokens and bytes, faster)."""
    if not language:
        return None
    lexer = _lexer(language)
    if lexer is None:
        return None
    from chatdeck.code_html import format_tokens
    from chatdeck.lexing import lex

    return format_tokens(lex(lexer, code))


class HighlightTimeout(Exception):
    """Highlighting a block took longer than it was allowed (see `highlight_within`)."""


class _Deadline:
    """This process's state for `highlight_within`."""

    armed = False  # a block is being highlighted
    spare = HIGHLIGHT_SPARE_SECONDS  # CPU time left past blocks' own allowances


def _on_deadline(signum: int, frame: object) -> None:
    if _Deadline.armed:
        raise HighlightTimeout


def highlight_within(
    code: str, language: str, seconds: float, spare: float = HIGHLIGHT_SPARE_SECONDS
) -> str | None:
    """`highlight_code`, or None when it takes more than `seconds` of this process's CPU time,
    and more than what is left of the process's spare time (up to `spare` of it), which the
    excess is taken from.

    Pygments' regular expressions cannot be bounded any other way: the deadline is a timer of
    CPU time (`ITIMER_VIRTUAL`, so a loaded machine does not shorten it), whose signal
    interrupts the regular expression engine. It runs on the main thread of a POSIX process
    (where chatdeck renders: the build's process and its workers); elsewhere only the size
    limit bounds a block."""
    if not _deadline_available():
        return highlight_code(code, language)
    allowed = max(seconds + min(spare, _Deadline.spare), 1e-6)  # 0 would set no timer
    left = 0.0  # of `allowed`, once the block is done: the spare time it did not take
    collecting = gc.isenabled()
    gc.disable()  # a collection of the whole heap is not the block's time
    try:
        _Deadline.armed = True
        try:
            signal.setitimer(signal.ITIMER_VIRTUAL, allowed)
            return highlight_code(code, language)
        finally:
            _Deadline.armed = False
            left = signal.setitimer(signal.ITIMER_VIRTUAL, 0)[0]
    except HighlightTimeout:
        return None
    finally:
        _Deadline.armed = False
        taken = max(0.0, allowed - left - seconds)  # past the block's own `seconds`
        _Deadline.spare = max(0.0, _Deadline.spare - taken)
        if collecting:
            gc.enable()


def _deadline_available() -> bool:
    """Whether `highlight_within` can set its timer: a POSIX main thread, whose SIGVTALRM
    nothing else uses. The handler, once set, stays (it acts only while a block runs)."""
    if not hasattr(signal, "setitimer"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    handler = signal.getsignal(signal.SIGVTALRM)
    if handler is _on_deadline:
        return True
    if handler != signal.SIG_DFL or signal.getitimer(signal.ITIMER_VIRTUAL)[0]:
        return False
    try:
        signal.signal(signal.SIGVTALRM, _on_deadline)
    except ValueError:  # not the main interpreter
        return False
    return True


def _image(match: re.Match[str], resolve_image: Callable[[str], str | None] | None) -> str:
    src, alt = html.unescape(match.group(1)), match.group(2)
    name = resolve_image(src) if resolve_image else None
    if name is None:
        return f'<span class="missing-image">[image: {alt or html.escape(src)}]</span>'
    return f'<img src="{html.escape(name)}" alt="{alt}">'


def language_of(text: str) -> str | None:
    """The `lang` to give text with CJK characters, so phones pick the right glyphs."""
    if text.isascii() or not CJK_ANY.search(text):  # most text: one scan, or none at all
        return None
    if KANA.search(text):
        return "ja"
    if HANGUL.search(text):
        return "ko"
    if CJK_HAN.search(text):
        return "zh-Hans"
    return None


def sanitize(html_text: str) -> str:
    """nh3 against the allow-list. Every `&amp;` goes through it as `AMPERSAND` and comes back
    after: nh3 takes time growing with the square of the `&` in one text or attribute (2 MB
    of `a&b` took minutes), and with none, linear time. Its decisions are the same: they turn
    on tags, attributes and a URL's scheme, in which `&` and U+F8F6 are alike (neither can be
    part of a scheme, neither is a space or a control character)."""
    ampersands = "&amp;" in html_text
    cleaned = _cleaner().clean(html_text.replace("&amp;", AMPERSAND) if ampersands else html_text)
    return cleaned.replace(AMPERSAND, "&amp;") if ampersands else cleaned


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    """nh3's sanitizer for the allow-list, built once: `nh3.clean` builds one on every call."""
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@dataclass(frozen=True, slots=True)
class RenderedField:
    """A field's card HTML, the TeX macros `guard` showed as text instead of letting MathJax
    run them, and what was shown plain because it went past a limit (`RenderLimits`), each a
    sentence for a warning."""

    html: str
    removed_macros: tuple[str, ...] = ()
    limited: tuple[str, ...] = ()


def render_field(
    markdown: str,
    resolve_image: Callable[[str], str | None] | None = None,
    limits: RenderLimits = LIMITS,
) -> RenderedField:
    """Markdown -> the sanitized, guarded HTML of a card field, within `limits`."""
    if len(markdown) > limits.field:
        return plain_field(markdown, f"its Markdown is longer than {_size(limits.field)}")
    cells = table_cells(markdown, limits.table_cells)
    if cells > limits.table_cells:
        return plain_field(
            markdown,
            f"its tables would fill out to about {cells:,} cells, over {limits.table_cells:,}",
        )
    depth = quote_depth(markdown, limits.nesting)
    if depth > limits.nesting:
        return plain_field(markdown, f"its block quotes nest {depth:,} deep, over {limits.nesting}")
    images: set[str] = set()

    def resolve(src: str) -> str | None:
        name = resolve_image(src) if resolve_image else None
        if name is not None:
            images.add(name)
        return name

    protected, math = protect(markdown)
    math = [(fix_tex(tex), typed) for tex, typed in math]  # as Anki's MathJax reads TeX
    removed = [name for tex, _ in math for name in UNSAFE_TEX.findall(tex)]
    if removed:  # shown in the formula as its name in monospace; `guard` makes sure of it
        math = [(UNSAFE_TEX.sub(SHOWN_IN_MATH, tex), typed) for tex, typed in math]
    rendered = unflank(cmark_html(protected, CMARK_OPTIONS))
    too_much = over_limits(rendered, limits)
    if too_much:
        return plain_field(markdown, too_much)
    rendered, code_blocks, limited = lift_code_blocks(rendered, math, limits)
    rendered = finish(rendered, math, resolve)
    if length_with_code_blocks(rendered, code_blocks) > limits.field:
        return plain_field(markdown, f"its HTML would be longer than {_size(limits.field)}")
    rendered = sanitize_around_code_blocks(rendered, code_blocks)
    rendered = rendered.replace(LESS_THAN, "&lt;")
    if not rendered.isascii():
        rendered = RESERVED_LEFT.sub("\ufffd", rendered)
    language = language_of(markdown)
    if language:
        rendered = f'<div lang="{language}">{rendered}</div>'
    guarded = guard(rendered, images)
    if removed or limited:
        names = tuple(dict.fromkeys([*removed, *guarded.removed_macros]))
        return RenderedField(guarded.html, names, tuple(limited))
    return guarded


def over_limits(html_text: str, limits: RenderLimits) -> str | None:
    """Why cmark-gfm's HTML (or a page's reply rebuilt) is too much for a field, if it is."""
    if len(html_text) > limits.field:
        return f"its HTML would be longer than {_size(limits.field)}"
    depth = nesting_depth(html_text, limits.nesting)
    if depth > limits.nesting:
        return f"its block quotes and lists nest {depth:,} deep, over {limits.nesting}"
    return None


def plain_field(text: str, why: str) -> RenderedField:
    """A field shown as the text it holds, in a `pre` (nothing in it is Markdown or HTML), for
    a field past a limit: `why` says which, for the warning. The last steps are every field's:
    the sanitizer and `guard` see this HTML too."""
    text = clean_text(text)
    rendered = f'<pre class="code plain"><code>{html.escape(text, quote=False)}</code></pre>'
    rendered = sanitize(rendered)
    language = language_of(text)
    if language:
        rendered = f'<div lang="{language}">{rendered}</div>'
    guarded = guard(rendered)
    return RenderedField(guarded.html, guarded.removed_macros, (f"shown as plain text: {why}",))


# A delimiter row of a table (`|---|:--:|`), maybe inside quotes, and what ends a table's rows
# (a blank line). Over-counting is fine: the count only has to reach a limit
# when cmark-gfm would make that many cells.
TABLE_DELIMITER_ROW = re.compile(  # possessive: no state kept per cell to go back to
    r"^[ \t>]*+\|?+[ \t]*+:?+-++:?+[ \t]*+(?:\|[ \t]*+:?+-++:?+[ \t]*+)*+\|?+[ \t]*+$",
    re.MULTILINE,
)
TABLE_CELL_DASHES = re.compile(r"-+")
BLANK_LINE = re.compile(r"\n[ \t]*(?:\n|$)")


def table_cells(markdown: str, limit: int = TABLE_CELL_LIMIT) -> int:
    """At least the table cells cmark-gfm would write for `markdown` (every row has as many as
    the delimiter row under the header), counted up to just past `limit`."""
    if "|" not in markdown:
        return 0
    cells = 0
    position = 0
    while cells <= limit:
        row = TABLE_DELIMITER_ROW.search(markdown, position)
        if row is None:
            break
        end = BLANK_LINE.search(markdown, row.end())
        position = end.start() + 1 if end else len(markdown)
        rows = 1 + markdown.count("\n", row.end(), position)
        cells += len(TABLE_CELL_DASHES.findall(row.group(0))) * rows
        if position >= len(markdown):
            break
    return cells


@lru_cache(maxsize=8)
def _deep_quotes(limit: int) -> re.Pattern[str]:
    """A line that opens more than `limit` block quotes (with list markers between them).
    Possessive: the regular expression engine keeps no state per quote to go back to."""
    marker = r"[ \t]*+(?:(?:[-+*]|\d{1,9}[.)])[ \t]++)?+"
    return re.compile(f"^{marker}(?:>{marker}){{{limit + 1},}}+", re.MULTILINE)


def quote_depth(markdown: str, limit: int = NESTING_LIMIT) -> int:
    """How deep the block quotes of `markdown` nest: exactly when it is more than `limit`, else
    0. Counted before cmark-gfm runs, as nesting costs it memory (a quote is opened by a `>`
    on the line itself, so no line opens more than it has)."""
    if markdown.count(">") <= limit:
        return 0
    deep = _deep_quotes(limit).finditer(markdown)
    return max((line.group(0).count(">") for line in deep), default=0)


NESTED_BLOCK = re.compile(r"<(/?)(?:blockquote|ul|ol)\b")


def nesting_depth(html_text: str, limit: int = NESTING_LIMIT) -> int:
    """How deep block quotes and lists nest in `html_text`: exactly when it holds more than
    `limit` of them, else 0 (they cannot nest deeper than there are)."""
    if html_text.count("<blockquote") + html_text.count("<ul") + html_text.count("<ol") <= limit:
        return 0
    depth = deepest = 0
    for tag in NESTED_BLOCK.finditer(html_text):
        depth += -1 if tag.group(1) else 1
        deepest = max(deepest, depth)
    return deepest


def render_markdown(markdown: str, resolve_image: Callable[[str], str | None] | None = None) -> str:
    """Markdown -> sanitized HTML ready for a card field."""
    return render_field(markdown, resolve_image).html


def render_text(text: str) -> str:
    """Plain text (a file name, a conversation's title) as card HTML, guarded like a field."""
    text = RESERVED.sub("\ufffd", text)
    return guard(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")).html


# The last step on a field's HTML: what Anki and its MathJax would act on, made inert.
#
# TeX macros that link, style, name elements or load code: those MathJax's `safe` extension
# filters, among the TeX packages Anki's MathJax configuration loads (`tex-chtml-full` less
# `textmacros`): `\href` (a link, `javascript:` included), `\class`, `\cssId`, `\style` (the
# `html` package), `\bbox` (its options take any CSS, `url(...)` included), `\mmlToken` (sets
# `href`, `id`, `class` and `style` on what it makes) and `\require` (loads extensions). A TeX
# control word is a backslash and ASCII letters, case-sensitive, as MathJax reads it.
UNSAFE_TEX_MACROS = ("href", "class", "cssId", "style", "bbox", "mmlToken", "require")
UNSAFE_TEX = re.compile(r"\\(" + "|".join(UNSAFE_TEX_MACROS) + r")(?![A-Za-z])")
SHOWN_IN_MATH = r"\\mathtt{\\backslash \1}"  # in a formula: `\href` in monospace
# Shown instead of the backslash elsewhere: U+29F5 REVERSE SOLIDUS OPERATOR reads as `\` to a
# person and as an ordinary character to MathJax, inside math and out.
SHOWN_BACKSLASH = "\u29f5"
# Anki acts on these wherever they are in a card's HTML, attributes included: `[sound:..]`
# plays audio (a URL too), `[anki:tts]..[/anki:tts]` speaks, `[anki:play:..]` makes a play
# button, `[latex]`, `[$]` and `[$$]` run LaTeX and show its image. `&#91;` shows as `[` but
# opens none of them.
ANKI_TAG = re.compile(r"\[(?=sound:|anki:|latex\]|\$\$?\])", re.IGNORECASE)
# MathJax reads no text in these (its `skipHtmlTags`; only `pre` and `code` occur here).
MATHJAX_SKIPS = re.compile(r"<(/?)(pre|code)\b")
IMAGE_TAG = re.compile(r'<img\b[^>"]*(?:"[^"]*"[^>"]*)*>')
IMAGE_SOURCE = re.compile(r'\ssrc="([^"]*)"')


def guard(html_text: str, images: set[str] | frozenset[str] = frozenset()) -> RenderedField:
    """Make final card HTML inert for Anki and MathJax. `images` are the media files this
    build packs: any other image is dropped, so a card never loads from the network.

    Runs on the HTML the card will hold, after every other step; its input is nh3's output
    (every `<` of text written as `&lt;`, attributes in double quotes) or escaped text."""
    if "<img" in html_text:
        html_text = IMAGE_TAG.sub(lambda tag: _own_image(tag.group(0), images), html_text)
    html_text = ANKI_TAG.sub("&#91;", html_text)
    removed: list[str] = []
    if "\\" in html_text and UNSAFE_TEX.search(html_text):
        parts = SERIALIZED_TAG.split(html_text)  # text, tag, text, tag, ..., text
        skipped = 0  # depth of `pre` and `code` elements around the text
        for i, part in enumerate(parts):
            if i % 2:
                opening = MATHJAX_SKIPS.match(part)
                if opening:
                    skipped += -1 if opening.group(1) else 1
            elif skipped <= 0:
                removed.extend(UNSAFE_TEX.findall(part))
                parts[i] = UNSAFE_TEX.sub(SHOWN_BACKSLASH + r"\1", part)
        html_text = "".join(parts)
    return RenderedField(html_text, tuple(dict.fromkeys(removed)))


def _own_image(tag: str, images: set[str] | frozenset[str]) -> str:
    source = IMAGE_SOURCE.search(tag)
    if source and html.unescape(source.group(1)) in images:
        return tag
    return '<span class="missing-image">[image]</span>'
