"""Emphasis next to Chinese, Japanese and Korean text, paired the way CJK-friendly renderers do.

CommonMark decides whether a run of `*`, `_` or `~` can open or close emphasis from the two
characters around it (its "flanking" rules). Those rules assume words are separated by spaces:
`**数据依赖（data dependency）**和` does not close, because the run follows a punctuation mark
and a letter comes next without a space, which is how Chinese, Japanese and Korean are written.
Chat pages render such text bold; cmark-gfm shows the asterisks.

`cjk_emphasis` applies the CJK-friendly amendment of the flanking rules (the specification of
tats-u/markdown-cjk-friendly, also used by markdown-it-cjk-friendly and remark-cjk-friendly):

- a CJK punctuation mark (a punctuation character of East Asian Width W, F or H, such as `（`,
  `。`, `」`) counts as a letter, not as punctuation;
- a run next to a non-CJK punctuation mark (ASCII `(`, `"`, `—`, `“`) still flanks that side
  when the other side is a CJK character.

One rule is added for `__` (exactly two), which the amendment leaves as strict as CommonMark: a
CJK character next to it does not count as a letter of the same word, since CJK text has no
spaces between words and the rule that keeps `snake__case` literal would keep every `__` there
literal (`__粗体（注）__是`). A single `_` and longer runs (`____` blanks to fill in) keep the
amendment's rules.

Only runs with a CJK character or CJK punctuation next to them can change; for other text the
rules give what CommonMark gives, and nothing is touched. cmark-gfm still does the pairing: a run
whose flanking should differ gets an invisible marker beside it that cmark reads as a letter
(`FLANK`, a private-use character) or as whitespace (`FLANK` + `FLANK_SPACE`, the space on the
run's side), whichever makes cmark see the run as the amended rules do; `unflank` takes the
markers out of cmark's HTML. Never inside code spans, math, autolinks or URLs (they arrive as
`opaque` ranges or are found here).
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import product

FLANK = "\uf8f5"  # a letter to cmark; reserved in `chatdeck.render` (no transcript can hold it)
FLANK_SPACE = "\u2000"  # EN QUAD: whitespace to cmark; only ever taken out next to FLANK
LETTER_BEFORE = LETTER_AFTER = FLANK
SPACE_BEFORE = FLANK + FLANK_SPACE  # the space touches the run
SPACE_AFTER = FLANK_SPACE + FLANK

#: A delimiter next to a character that may be CJK (CJK text starts at U+1100, Hangul Jamo).
CJK_NEXT_TO_DELIMITER = re.compile(r"[*_~][^\x00-\u10ff]|[^\x00-\u10ff][*_~]")
RUN = re.compile(r"\*+|_+|~+")
DELIMITERS = "*_~"
#: Link destinations and bare URLs: a run in them is text to cmark, and stays as typed.
URL = re.compile(r"\]\([^)\s]*\)?|(?:https?://|ftp://|www\.)[^\s<>\uf8f4]*", re.IGNORECASE)
BLANK_LINE = re.compile(r"\n[ \t]*\n")
MARKED = re.compile(f"{FLANK}{FLANK_SPACE}|{FLANK_SPACE}{FLANK}|{FLANK}")
MARKED_IN_URL = re.compile("%EF%A3%B5%E2%80%80|%E2%80%80%EF%A3%B5|%EF%A3%B5", re.IGNORECASE)

WHITESPACE, PUNCTUATION, LETTER = 0, 1, 2
ASCII_PUNCTUATION = frozenset(string.punctuation)


@lru_cache(maxsize=4096)
def kind(char: str) -> int:
    """What cmark-gfm takes a character for in its flanking rules: whitespace (Zs and ASCII
    spacing), punctuation (ASCII punctuation and Unicode P*, not symbols), or a letter."""
    if char in " \t\n\r\f":
        return WHITESPACE
    if char.isascii():
        return PUNCTUATION if char in ASCII_PUNCTUATION else LETTER
    category = unicodedata.category(char)
    if category == "Zs":
        return WHITESPACE
    return PUNCTUATION if category[0] == "P" or char == "\u166d" else LETTER


@lru_cache(maxsize=4096)
def is_cjk(char: str) -> bool:
    """A CJK character as the amendment defines it: East Asian Width W, F or H and not an emoji,
    or Hangul. Emoji are told by their category (So/Sk) in the emoji blocks, which is what
    "default emoji presentation" amounts to for the characters of width W."""
    code = ord(char)
    if code < 0x1100:
        return False
    if code <= 0x11FF or 0xA960 <= code <= 0xA97F or 0xD7B0 <= code <= 0xD7FF:
        return True  # Hangul Jamo, some of East Asian Width N
    if 0xE0100 <= code <= 0xE01EF:
        return True  # an ideographic variation selector: it follows an ideograph
    width = unicodedata.east_asian_width(char)
    if width in ("F", "H"):
        return True
    if width != "W":
        return False
    emoji_block = 0x2300 <= code <= 0x2BFF or (code >= 0x1F000 and not 0x1F200 <= code <= 0x1F2FF)
    return not (emoji_block and unicodedata.category(char) in ("So", "Sk"))


@lru_cache(maxsize=1024)
def can_open_close(
    delimiter: str, before: str | int, after: str | int, friendly: bool
) -> tuple[bool, bool]:
    """Whether a run of `delimiter` (`*`, `_`, `__`, `~~`...) between `before` and `after` can
    open and close emphasis: as cmark does (`friendly` false), or with the CJK-friendly rules.
    A side may be given as a kind (a marker) instead of a character."""
    kinds = [side if isinstance(side, int) else kind(side) for side in (before, after)]
    cjk = [isinstance(side, str) and friendly and is_cjk(side) for side in (before, after)]
    if friendly:  # a CJK punctuation mark is punctuation no more
        other = [kinds[i] == PUNCTUATION and not cjk[i] for i in (0, 1)]
        left = kinds[1] != WHITESPACE and (
            not other[1] or kinds[0] == WHITESPACE or other[0] or cjk[0]
        )
        right = kinds[0] != WHITESPACE and (
            not other[0] or kinds[1] == WHITESPACE or other[1] or cjk[1]
        )
    else:
        left = kinds[1] != WHITESPACE and (
            kinds[1] != PUNCTUATION or kinds[0] in (WHITESPACE, PUNCTUATION)
        )
        right = kinds[0] != WHITESPACE and (
            kinds[0] != PUNCTUATION or kinds[1] in (WHITESPACE, PUNCTUATION)
        )
    if delimiter[0] != "_":
        return left, right
    loose = friendly and len(delimiter) == 2  # `__` next to CJK: not one word with it
    opens = left and (not right or kinds[0] == PUNCTUATION or (loose and cjk[0]))
    closes = right and (not left or kinds[1] == PUNCTUATION or (loose and cjk[1]))
    return opens, closes


#: Marker choices (before, after): 0 none, 1 a letter, 2 whitespace; fewest first.
CHOICES = sorted(product(range(3), range(3)), key=lambda pair: (pair != (0, 0), sum(pair)))


def cjk_emphasis(text: str, opaque: Sequence[tuple[int, int]] = ()) -> str:
    """`text` (Markdown outside code blocks, already through `protect`'s other steps) with
    markers beside the emphasis runs whose flanking the CJK-friendly rules decide otherwise
    than CommonMark. `opaque`: ranges of `text` that are not Markdown text (code spans, math
    placeholders, escapes, autolinks)."""
    skipped = _merged([*opaque, *(match.span() for match in URL.finditer(text))])
    inserts: list[tuple[int, str]] = []
    open_runs = dict.fromkeys(DELIMITERS, 0)  # runs that may still close, per character
    previous_end = 0
    for match in RUN.finditer(text):
        start, end = match.span()
        backslash = start
        while backslash and text[backslash - 1] == "\\":
            backslash -= 1
        start += (start - backslash) % 2  # an escaped first character is a literal
        delimiter = text[start:end]
        if not delimiter or (delimiter[0] == "~" and len(delimiter) != 2):
            continue  # GFM strikes through with `~~`; a lone `~` stays what cmark makes of it
        if _overlaps(skipped, start, end):
            continue
        if BLANK_LINE.search(text, previous_end, start):
            open_runs = dict.fromkeys(DELIMITERS, 0)
        previous_end = end
        before = text[start - 1] if start else "\n"
        after = text[end] if end < len(text) else "\n"
        base = before  # the amended rules read a text variation selector as what it follows
        if "\ufe00" <= before <= "\ufe0e":
            base = text[start - 2] if start > 1 else "\n"
        wanted = can_open_close(delimiter, base, after, True)
        markers = ("", "")
        if wanted != can_open_close(delimiter, before, after, False):
            markers = _markers(delimiter, before, after, wanted, open_runs[delimiter[0]] > 0)
            if markers[0]:
                inserts.append((start, markers[0]))
            if markers[1]:
                inserts.append((end, markers[1]))
        opens, closes = _flags(delimiter, before, after, markers)
        if closes and open_runs[delimiter[0]]:
            open_runs[delimiter[0]] -= 1
        elif opens:
            open_runs[delimiter[0]] += 1
    if not inserts:
        return text
    out = []
    position = 0
    for index, marker in inserts:
        out += [text[position:index], marker]
        position = index
    out.append(text[position:])
    return "".join(out)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`ranges` as sorted ranges that do not overlap."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _overlaps(ranges: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) meets one of `ranges` (sorted, not overlapping: see `_merged`)."""
    last = bisect_right(ranges, (end, -1)) - 1  # the last range that starts before `end`
    return last >= 0 and start < ranges[last][1]


def _flags(delimiter: str, before: str, after: str, markers: tuple[str, str]) -> tuple[bool, bool]:
    """What cmark will make of the run with these markers beside it."""
    sides: list[str | int] = [before, after]
    for i, marker in enumerate(markers):
        if marker:
            sides[i] = WHITESPACE if FLANK_SPACE in marker else LETTER
    return can_open_close(delimiter, sides[0], sides[1], False)


def _markers(
    delimiter: str, before: str, after: str, wanted: tuple[bool, bool], something_open: bool
) -> tuple[str, str]:
    """The fewest markers that make cmark see the run as `wanted`. A side touching another
    delimiter run gets none (a marker there would change that run too). If no choice gives both
    open and close (possible for `__` only), the run closes when something may be open."""
    free = [before not in DELIMITERS, after not in DELIMITERS]
    fallback = ((False, True) if something_open else (True, False)) if all(wanted) else wanted
    for target in (wanted, fallback):
        for left, right in CHOICES:
            if (left and not free[0]) or (right and not free[1]):
                continue
            markers = (
                (LETTER_BEFORE, SPACE_BEFORE)[left - 1] if left else "",
                (LETTER_AFTER, SPACE_AFTER)[right - 1] if right else "",
            )
            if _flags(delimiter, before, after, markers) == target:
                return markers
    return ("", "")


def unflank(html_text: str) -> str:
    """cmark's HTML without the markers `cjk_emphasis` put in."""
    if FLANK not in html_text and ("%" not in html_text or not MARKED_IN_URL.search(html_text)):
        return html_text
    return MARKED_IN_URL.sub("", MARKED.sub("", html_text))
