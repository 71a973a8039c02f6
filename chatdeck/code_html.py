"""Pygments' tokens as the HTML `HtmlFormatter(nowrap=True)` writes for them, faster.

What that formatter writes, for a stream of `(token type, text)`:

- a token type has a CSS class (`css_class`); a token whose class is empty (`Token`, `Text`)
  is written bare, any other inside `<span class="...">...</span>`;
- the text is escaped: `&`, `<`, `>`, `"`, and `'` as `&#39;`;
- a span never crosses a line: the span open at a newline is closed before it and, if the
  token's text goes on after it, opened again; no span is ever empty;
- tokens of the same class next to each other on a line share one span (a token with no text
  between them does not part them);
- every line ends with a newline: the last line gets one if the text has none at its end.

Stock works all of this out for every token in several steps of Python (a generator per line,
its opening tag looked up, its text escaped and split through a cached call, lists extended
and joined per line). Here one loop does the least a token needs (its opening tag, from a table
by token type, and whether it is the same as the one open), and the texts are escaped all at
once, joined by a character they do not hold.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import TYPE_CHECKING

from pygments.token import STANDARD_TYPES

if TYPE_CHECKING:
    from pygments.token import _TokenType

#: Stands between the tokens' texts while they are escaped as one string. Texts holding it
#: are escaped one by one instead.
SEPARATOR = "\x00"
CLOSE = "</span>"


def css_class(ttype: tuple[str, ...]) -> str:
    """The `class` stock gives a token type, so that a Pygments stylesheet styles it: the short
    name of its nearest standard type (`STANDARD_TYPES`: `Name` is `n`; `Token` and `Text` have
    an empty one), then for each level below that, down to the type, that name with the levels'
    names `-`-joined onto it (a stylesheet can style `Name.Foo.Bar` as its parent types: it is
    `n n-Foo n-Foo-Bar`). Space-separated, even after an empty short name (`Text.Foo` is
    ` -Foo`)."""
    depth = len(ttype)
    while ttype[:depth] not in STANDARD_TYPES:
        depth -= 1
    short: str = STANDARD_TYPES[ttype[:depth]]  # type: ignore[index]  # a plain tuple slice
    below = ttype[depth:]
    return " ".join([short] + [short + "-" + "-".join(below[: n + 1]) for n in range(len(below))])


class _Openers(dict[tuple[str, ...], str]):
    """Token type -> the tag opening its span (`""` for none), worked out once per type.
    Interned, so that two types of one class give the same object: the loop compares spans
    by identity."""

    def __missing__(self, ttype: tuple[str, ...]) -> str:
        name = css_class(ttype)
        opener = self[ttype] = sys.intern(f'<span class="{name}">' if name else "")
        return opener


class _Reopeners(dict[str, str]):
    """Opening tag -> it after the close of the span before: a change of span on a line."""

    def __missing__(self, opener: str) -> str:
        reopener = self[opener] = CLOSE + opener
        return reopener


_OPENERS = _Openers()
_REOPENERS = _Reopeners()


def escape(text: str) -> str:
    """`text` escaped as stock escapes a token's text (`&`, `<`, `>`, `"`, `'`)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def format_tokens(tokens: Iterable[tuple[_TokenType, str]]) -> str:
    """What `HtmlFormatter(nowrap=True).format(tokens, out)` writes to `out`."""
    kept = list(tokens)
    if not kept:
        return ""
    joined = SEPARATOR.join(map(itemgetter(1), kept))
    if joined.count(SEPARATOR) == len(kept) - 1:
        texts = escape(joined).split(SEPARATOR)
    else:
        texts = [escape(text) for _, text in kept]
    parts: list[str] = []
    append = parts.append
    reopeners = _REOPENERS
    open_now = ""  # the opening tag of the span open on this line, if any
    openers = map(_OPENERS.__getitem__, map(itemgetter(0), kept))
    for opener, text in zip(openers, texts, strict=True):
        if "\n" in text:
            open_now = _lines(opener, text, open_now, append)
        elif opener is open_now:
            append(text)
        elif text:
            append(reopeners[opener] if open_now else opener)
            append(text)
            open_now = opener
    if open_now:
        append(CLOSE + "\n")
    else:  # the last line is bare text, or empty (the text ended with a newline, or is empty)
        last = next(filter(None, reversed(texts)), "")
        if last and not last.endswith("\n"):
            append("\n")
    return "".join(parts)


def _lines(opener: str, text: str, open_now: str, append: Callable[[str], None]) -> str:
    """Append a text holding newlines, its span closed at each; the span then open."""
    first, *lines = text.split("\n")
    if first:
        if opener is not open_now:
            append(_REOPENERS[opener] if open_now else opener)
            open_now = opener
        append(first)
    for line in lines:
        append(CLOSE + "\n" if open_now else "\n")
        open_now = ""
        if line:
            append(opener)
            append(line)
            open_now = opener
    return open_now
