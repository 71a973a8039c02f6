"""Read stage: a file on disk -> a Transcript (decoded text, lines, wrapper fence set aside)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from chatdeck.notes import Problem, Transcript

#: Suffixes read as transcripts. Everything else in a folder is skipped with a warning.
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
#: Files people keep next to transcripts that are not transcripts; skipped quietly.
QUIET_NAMES = {"deck.toml"}

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$")
#: Info strings that mean "this fence wraps the whole transcript", not "this is code".
WRAPPER_INFO = {"", "markdown", "md", "text", "txt", "plain", "plaintext"}


def decode(data: bytes, source: str) -> tuple[str, list[Problem]]:
    """Bytes -> text. UTF-8 (with or without BOM) and UTF-16 with BOM are read as such; anything
    else that is not valid UTF-8 is decoded with U+FFFD for the bad bytes, and a warning says where."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem = Problem(source, line, "not valid UTF-8: undecodable bytes shown as \ufffd")
        return data.decode("utf-8", errors="replace"), [problem]


def split_lines(text: str) -> list[str]:
    """Normalize CRLF/CR newlines and split; a final newline adds no line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def find_wrapper(lines: list[str]) -> tuple[int, int | None] | None:
    """Find a fence that wraps the whole transcript: returns (open index, close index or None).

    People paste a whole chat inside one bare ``` fence, often after a `# Title` line. Inside it,
    fences with a language (```python) open nested blocks and bare fences close them. So the
    wrapper is the first fence, closed by a bare fence that is the last non-blank line, or never
    closed at all. A leading fence that a lone bare fence closes before more text follows is an
    ordinary code block, not a wrapper.
    """
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return None
    start = content[0]
    if not FENCE.match(lines[start]) and len(content) > 1 and _is_title_line(lines[start]):
        start = content[1]
    opening = FENCE.match(lines[start])
    if not opening or opening.group(2).lower() not in WRAPPER_INFO:
        return None
    char, length = opening.group(1)[0], len(opening.group(1))
    fences = []  # (index, is_bare) of the fences that could close or nest inside the wrapper
    for i in range(start + 1, len(lines)):
        fence = FENCE.match(lines[i])
        if fence and fence.group(1)[0] == char:
            fences.append((i, not fence.group(2), len(fence.group(1))))
    last = content[-1]
    closes_at_end = bool(
        fences and fences[-1][0] == last and fences[-1][1] and fences[-1][2] >= length
    )
    if closes_at_end:
        return (start, last)
    depth = 0
    for position, (_, bare, size) in enumerate(fences):
        if not bare:
            depth += 1
        elif depth:
            depth -= 1
        elif size >= length and not any(b for _, b, _ in fences[position + 1 :]):
            return None  # a lone bare fence closes it: an ordinary code block, not a wrapper
        else:
            depth += 1  # a bare block nested inside the wrapper: another bare fence closes it
    return (start, None)


def _is_title_line(line: str) -> bool:
    """A heading, or a short line that is neither a question nor a `Marker:` line."""
    text = line.strip()
    if text.startswith("#"):
        return True
    return len(text) < 100 and ":" not in text[:12] and not text.endswith(("?", "\uff1f"))


def parse_text(text: str, source: str) -> Transcript:
    """Text -> Transcript: the pure half of reading."""
    lines = split_lines(text)
    ignored: set[int] = set()
    wrapper = find_wrapper(lines)
    if wrapper:
        ignored.add(wrapper[0])
        if wrapper[1] is not None:
            ignored.add(wrapper[1])
    return Transcript(source=source, lines=lines, ignored=frozenset(ignored))


def read_transcript(path: Path, source: str, data: bytes | None = None) -> Transcript:
    """Read one file; `source` is the name reports and cards use for it (relative, never a home path)."""
    text, problems = decode(path.read_bytes() if data is None else data, source)
    transcript = parse_text(text, source)
    transcript.problems.extend(problems)
    return transcript


def looks_like_text(data: bytes) -> bool:
    """A NUL byte in the first 8 KiB (outside UTF-16) marks a binary file."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" not in head


def is_quietly_ignored(path: Path) -> bool:
    """Hidden files and editor backups are never transcripts and not worth a warning."""
    name = path.name
    return (
        name.startswith(".")
        or name.endswith("~")
        or name.endswith((".swp", ".swo", ".bak", ".tmp"))
        or name in QUIET_NAMES
    )
