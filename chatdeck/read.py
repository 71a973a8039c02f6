"""Read stage: a file on disk -> a Transcript (decoded text, lines, wrapper fence set aside)."""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

from chatdeck.notes import Problem, Transcript
from chatdeck.parse import QUESTION_MARKER, USER_MARKER
from chatdeck.turn_markers import WRAPPER_INFO, names_a_speaker

#: A fence line: its run of ``` or ~~~ and the rest of the line (checked in `_fence`, not here, so
#: that a 5 MB line costs one linear match).
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
#: A bold or bracketed name and a colon: a chat log's speaker marker.
SPEAKER_LINE = re.compile(
    r"^(?:\*\*|__)[^*_:：]{1,40}(?:[:：](?:\*\*|__)|(?:\*\*|__)[ \t]*[:：])"
    r"|^\[[^\]:：]{1,40}\][ \t]*[:：]"
)


def decode(data: bytes, source: str) -> tuple[str, list[Problem]]:
    """Bytes -> text. UTF-8 (with or without BOM) and UTF-16 with BOM are read as such; anything
    else that is not valid UTF-8 is decoded with U+FFFD for the bad bytes, and a warning says
    where."""
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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _fence(line: str) -> tuple[str, int, str] | None:
    """(char, length, info word) of a fence line, or None. A backtick fence's info cannot hold a
    backtick (CommonMark), which tells "```python" from inline code like "```x``` is odd"."""
    match = FENCE.match(line)
    if not match:
        return None
    run, rest = match.group(1), match.group(2)
    if run[0] == "`" and "`" in rest:
        return None
    words = rest.split(maxsplit=1)
    return run[0], len(run), words[0] if words else ""


def find_wrapper(lines: list[str]) -> tuple[int, int | None] | None:
    """Find a fence that wraps the whole transcript: returns (open index, close index or None).

    People paste a whole chat inside one bare ``` (or ````, ~~~) fence, often after a `# Title`
    line. Inside it, the model's own code blocks nest: a fence with a language (```python), or a
    bare fence in the middle of the text, opens one, and the next bare fence of the same kind
    closes it. The wrapper is closed by a bare fence on the last non-blank line when no nested
    block is open there, or by a bare fence outside every nested block that a question follows,
    when a question came before it too: the user went on writing after the wrapper (a `Q:` line
    does not open a block of code). Otherwise it was never closed, unless a bare fence of its
    kind stands outside every nested block: that fence closed an ordinary code block at the top
    of the file (a chat whose first prompt opens with pasted code), and there is no wrapper.
    """
    count = len(lines)
    start = _next_content(lines, 0)
    if start == count:
        return None
    second = _next_content(lines, start + 1)
    if not _fence(lines[start]) and second < count and _is_title_line(lines[start]):
        start = second
    opening = _fence(lines[start])
    if not opening or opening[2].lower() not in WRAPPER_INFO:
        return None
    char, length, _ = opening
    last = next(i for i in range(count - 1, start - 1, -1) if lines[i].strip())
    nested: tuple[str, int] | None = None  # the open nested block
    closes_opening = False  # a bare fence of the opening's kind outside every nested block
    asked = False  # a question outside every nested block since the opening
    for i in range(start + 1, last + 1):
        fence = _fence(lines[i]) if lines[i].lstrip(" ")[:1] in ("`", "~") else None
        if not fence:
            asked = asked or (not nested and _asks(lines[i]))
            continue
        if nested:
            if fence[0] == nested[0] and fence[1] >= nested[1] and not fence[2]:
                nested = None
            continue
        if fence[0] == char and fence[1] >= length and not fence[2]:
            if i == last or (asked and _asks(lines[_next_content(lines, i + 1)])):
                return (start, i)
            closes_opening = True
        nested = (fence[0], fence[1])
    if closes_opening:
        return None  # "```\ncode\n```\ntext": a code block, then text outside it
    return (start, None)


def _asks(line: str) -> bool:
    """The line opens a user's turn: `Q:` (any of its forms), `User:`, `## You`."""
    return bool(QUESTION_MARKER.match(line) or USER_MARKER.match(line)) or names_a_speaker(line)


def _next_content(lines: list[str], start: int) -> int:
    """The first line at or after `start` with text (len(lines) if none): only the ends of a
    file decide its wrapper, so only they are read."""
    return next((i for i in range(start, len(lines)) if lines[i].strip()), len(lines))


def _is_title_line(line: str) -> bool:
    """A heading, or a short line that is neither a question nor a `Marker:` line."""
    text = line.strip()
    if names_a_speaker(line):
        return False  # `## You` over a fenced message: a chat's first turn
    if text.startswith("#"):
        return True
    if SPEAKER_LINE.match(text):
        return False  # `**Пользователь**: text`: a chat's first turn, not a title
    return len(text) < 100 and ":" not in text[:12] and not text.endswith(("?", "\uff1f"))


#: A line that names who speaks and then says it (`Siobhán: text`).
NAMED_LINE = re.compile(r"^([^\s:][^:]{0,40}+):[ \t]")


def rule_fences(lines: list[str]) -> set[int]:
    """Bare fence lines that a tool writes as the rule after every exchange (DeveloperJoe's
    `~~~~~~~~~~~~~~~`), not fences: two or more of one form, each alone between blank lines
    (or at the file's end), and each followed by the line that opens the file, a speaker's
    `Name: text`, again. Read as fences, they would make every other exchange code."""
    opening = _next_content(lines, 0)
    first = NAMED_LINE.match(lines[opening]) if opening < len(lines) else None
    if first is None:
        return set()
    forms: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        fence = _fence(line) if line.lstrip(" ")[:1] in ("`", "~") else None
        if fence is not None and not fence[2].strip():
            forms.setdefault(line.strip(), []).append(i)
    for found in forms.values():
        if len(found) >= 2 and all(_rule_after_exchange(lines, i, first.group(1)) for i in found):
            return set(found)
    return set()


def _rule_after_exchange(lines: list[str], i: int, name: str) -> bool:
    if (i > 0 and lines[i - 1].strip()) or (i + 1 < len(lines) and lines[i + 1].strip()):
        return False
    after = _next_content(lines, i + 1)
    if after == len(lines):
        return True
    named = NAMED_LINE.match(lines[after])
    return named is not None and named.group(1) == name


def quoted_text(text: str) -> str | None:
    """The text a file holds as one JSON string on one line (`"## Title\\n### user:\\n..."`),
    or None: a server sent the transcript as a JSON response and the page saved it as it came
    (LoLLMs WebUI's Markdown export). Only a string that holds six lines or more is taken."""
    quoted = text.strip()
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"' or "\n" in quoted:
        return None
    if quoted.count("\\n") < 5:
        return None  # a chat of lines, not a note on `\n` and `\r\n`
    try:
        value = json.loads(quoted)
    except ValueError:
        return None
    return value if isinstance(value, str) and "\n" in value.strip() else None


#: A record's field that only stamps it: a time, a count, an id (digits among letters and
#: punctuation, no space).
STAMP_FIELD = re.compile(r"^(?=[^\d]*\d)[\w:+.,/-]{1,40}$")


def tabbed_messages(text: str) -> str | None:
    """The messages of a file that keeps one message a line, each the last of its line's
    tab-separated fields and written as a JSON string, the fields before it stamps (a time, a
    count: shellChatGPT's session file), or None. The messages come out decoded, a blank line
    between two; a record commented out with `#` is left out, a short line with no tab (a
    session break) kept as it is. Two records or more, every other line short and fewer than
    they, and a third of the messages or more of several lines (a chat's messages; a table's
    cells, a log's subjects, are one line each)."""
    out: list[str] = []
    records = multiline = others = 0
    for line in text.split("\n"):
        if "\t" not in line:
            if line.strip():
                if len(line.split()) > 3:
                    return None  # a line of prose: rows pasted into a chat, not its records
                out.append(line.strip())
                others += 1
            continue
        *stamps, quoted = line.rstrip("\r").split("\t")
        if not (len(quoted) >= 2 and quoted[0] == quoted[-1] == '"'):
            return None
        if not all(STAMP_FIELD.match(field.lstrip("#")) for field in stamps):
            return None
        try:
            message = json.loads(quoted)
        except ValueError:
            return None
        if not isinstance(message, str):
            return None
        records += 1
        multiline += "\n" in message.strip("\n")
        if not stamps[0].startswith("#"):
            out.append(message.strip("\n"))
    if records < 2 or others >= records or 3 * multiline < records:
        return None
    return "\n\n".join(out) + "\n"


#: A terminal's control sequence (`ESC[2K`, erase the line; `ESC[1;32m`, a colour): a tool that
#: writes to a terminal leaves them in its output when it is saved to a file.
TERMINAL_CONTROL = re.compile(
    r"\x1b(?:\[[0-?]*+[ -/]*+[@-~]|\][^\x07\x1b]*+(?:\x07|\x1b\\)|[@-Z\\-_])"
)


def parse_text(text: str, source: str, problems: tuple[Problem, ...] = ()) -> Transcript:
    """Text -> Transcript: the pure half of reading."""
    text = text.removeprefix("\ufeff")
    if "\x1b" in text:
        text = TERMINAL_CONTROL.sub("", text)
    if text.startswith('"'):
        text = quoted_text(text) or text
    elif '\t"' in text:
        text = tabbed_messages(text) or text
    lines = split_lines(text)
    ignored = rule_fences(lines)
    wrapper = find_wrapper(lines)
    if wrapper:
        ignored.add(wrapper[0])
        if wrapper[1] is not None:
            ignored.add(wrapper[1])
    return Transcript(source=source, lines=lines, ignored=frozenset(ignored), problems=problems)


def read_transcript(path: Path, source: str, data: bytes | None = None) -> Transcript:
    """Read one file (or its bytes, already read); `source` is the name reports and cards use
    for it (relative, never a home path)."""
    text, problems = decode(path.read_bytes() if data is None else data, source)
    return parse_text(text, source, tuple(problems))
