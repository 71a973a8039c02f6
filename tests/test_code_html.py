"""chatdeck.code_html: the bytes of Pygments' `HtmlFormatter(nowrap=True)`, for every stream."""

from __future__ import annotations

import io
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import (
    Comment,
    Error,
    Escape,
    Generic,
    Keyword,
    Name,
    Operator,
    String,
    Text,
    Token,
    Whitespace,
    _TokenType,
)
from test_lexing import FRAGMENTS, fenced_blocks, known

from chatdeck.code_html import css_class, format_tokens
from chatdeck.render import highlight_code

Tokens = list[tuple[_TokenType, str]]


def stock(tokens: Iterable[tuple[_TokenType, str]]) -> str:
    """What Pygments writes for the tokens, with a formatter of its own (no cache shared)."""
    out = io.StringIO()
    HtmlFormatter(nowrap=True).format(iter(tokens), out)
    return out.getvalue()


def chatdecks(language: str) -> object:
    return get_lexer_by_name(language, stripnl=False, ensurenl=False)


# --- token streams made up --------------------------------------------------------------------

#: Standard types, those with an empty class, and subtypes Pygments has no short name for (at
#: several depths, under a standard type, under `Text` and under `Token` itself).
TYPES = (
    Token, Text, Whitespace, Text.Whitespace, Error, Escape, Token.Other, Name,
    Name.Function, Keyword.Constant, String.Double, Comment.Single, Generic.Deleted, Operator,
    Name.Foo, Name.Foo.Bar, Name.Function.Magic.Deep, Token.Foo, Token.Foo.Bar, Text.Foo,
    Text.Whitespace.Foo, Error.Foo, String.Double.X,
)  # fmt: skip
#: Texts: empty, only newlines, carriage returns, what must be escaped, the separator.
VALUES = (
    "", "\n", "\n\n", "\r", "\r\n", "x", "ab", " ", "  \n  ", "a\nb", "\na", "a\n", "&", "<",
    ">", '"', "'", "&amp;", "<span>", "</span>", "\x00", "a\x00b", "é", "中文", "\u2028", "\t",
)  # fmt: skip

token_streams = st.lists(st.tuples(st.sampled_from(TYPES), st.sampled_from(VALUES)), max_size=30)


@settings(max_examples=3000, deadline=None)
@given(token_streams)
@example([])
@example([(Text, "a\n"), (Text, "")])  # the last token empty, after a newline
@example([(Name, "a"), (Keyword, ""), (Name, "b")])  # an empty token does not part a span
@example([(Name, "a"), (Text, "\n"), (Name, "b")])  # a newline does
@example([(Token.Foo, "a"), (Text.Foo, "b")])  # two types of one class share a span
@example([(Token, "a"), (Text, "b"), (Name, "\n\n"), (Name, "c\x00")])
@example([(Name.Foo.Bar, "x\r\ny\n")])
def test_made_up_streams_are_written_as_stock_writes_them(tokens: Tokens) -> None:
    assert format_tokens(iter(tokens)) == stock(tokens)


@pytest.mark.parametrize(
    ("ttype", "expected"),
    [
        (Token, ""),
        (Text, ""),
        (Whitespace, "w"),
        (Name, "n"),
        (Name.Function, "nf"),
        (Name.Foo, "n n-Foo"),
        (Name.Foo.Bar, "n n-Foo n-Foo-Bar"),
        (Name.Function.Magic, "fm"),  # standard in Pygments
        (Name.Function.Magic.Deep, "fm fm-Deep"),
        (Token.Foo, " -Foo"),
        (Text.Foo.Bar, " -Foo -Foo-Bar"),
        (Error, "err"),
        (Escape, "esc"),
    ],
)
def test_a_types_class_is_stocks(ttype: _TokenType, expected: str) -> None:
    assert css_class(ttype) == expected
    opener = f'<span class="{expected}">x</span>\n' if expected else "x\n"
    assert stock([(ttype, "x")]) == opener


# --- lexed text -------------------------------------------------------------------------------

LANGUAGES = (
    "python", "bash", "console", "javascript", "c", "json", "yaml", "html", "sql", "rust",
    "diff", "text",
)  # fmt: skip

pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3))
code_like = st.lists(pieces, max_size=60).map("".join)


@pytest.mark.parametrize("language", LANGUAGES)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(code=code_like)
def test_lexed_text_is_written_as_stock_writes_it(language: str, code: str) -> None:
    lexer = chatdecks(language)
    expected = highlight(code, lexer, HtmlFormatter(nowrap=True))  # type: ignore[arg-type]
    assert format_tokens(lexer.get_tokens(code)) == expected  # type: ignore[attr-defined]
    assert highlight_code(code, language) == expected


def test_the_code_blocks_of_fixtures_and_sources_are_written_as_stock_writes_them() -> None:
    compared = 0
    for path, language, code in fenced_blocks():
        lexer = known(language)
        if lexer is None:
            continue
        expected = highlight(code, lexer, HtmlFormatter(nowrap=True))
        assert format_tokens(lexer.get_tokens(code)) == expected, path
        assert highlight_code(code, language) == expected, path
        compared += 1
    assert compared >= 50
