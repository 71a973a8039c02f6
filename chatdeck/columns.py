"""Chat logs whose speaker is a column: every message's first line (or every line) starts with a
time and a name, the way chat apps' text exports and IRC loggers write them.

    2025-03-14 13:03:23.142449Z<TAB>rizky<TAB>.ai apa bedanya list dan tuple?
    14/03/2025, 20:41 - Daan: !gpt waarom ...        (its further lines carry no prefix)
    [14.03.25, 20:41:07] Daan: ...
    13:03 < rizky> ...

No line of such a file is a marker line of its own: the turn is the run of lines whose name
column holds the same name. The layout is found in the file itself: most messages open with a
prefix of one shape (a time-like field, then a name in one form: between tabs, in angle
brackets, or before a colon), a few names recur in it, and lines without the prefix continue
the message above them. A prefixed line with no name, or with a name of punctuation (`-->`,
`--`, `-!-`), is the log's own (a join, the topic, the encryption notice): metadata.

Which name is the user's is left to the turn pass (`chatdeck.turns`), which decides it as it
does for marker lines: the user's turns short and asking, the other's long.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

#: A time-like field at the start of a line: up to six date tokens (`2025-03-14`, `14/03/2025,`,
#: `Mar 14`, `klo`, a date in words: `piektd., 2025. g. 14. marts`), then a clock time with
#: optional seconds, fraction, AM/PM and `Z`, in optional brackets, the time last (`11.03.25,`
#: is a date). Invisible direction marks that some exports put first are skipped.
TIME_FIELD = re.compile(
    r"^[\u200e\u200f]*+(?P<open>[\[(]?)"
    r"(?P<time>(?:(?:\d[\d/.-]{0,11}+|[^\W\d_]{1,9}+\.?),?[ ]{1,2}+){0,6}?"
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d{1,9}+)?)?"
    r"(?:[ \u202f]?[AaPp]\.?[ \u202f]?[Mm]\.?)?Z?)(?=[\])\s:]|$)"
    r"(?P<close>[\])]?)"
)
#: A date that starts with the month's name, then the day (`Feb 10 19:03:40`, HexChat's).
MONTH_DAY = re.compile(r"^[^\W\d_]{3,9}+\.? {1,2}\d{1,2} ")
#: A date that starts with a weekday's name (`piektd., 2025. g. 14. marts`, `Mon, 14 Mar`).
WEEKDAY_DATE = re.compile(r"^[^\W\d_]{2,12}+\.?,[ ]{1,2}\d")
#: A logger's banner: a run of marks, words, a number (`**** BEGIN LOGGING AT ... 2026`).
BANNER = re.compile(r"^([^\w\s]{2,8}+)[ \t]++(?=[^\W\d_]).*\d")
#: What follows the time: the name between tabs (`\tnick\t`), in angle brackets (`< nick> `,
#: `<@nick> `, `<nick>\t`), or before a colon (` - Name: `, `] Name: `); else no name (a system
#: line).
TAB_NAME = re.compile(r"^\t([^\t]{1,40}+)\t")
ANGLE_NAME = re.compile(r"^(?: ?[-:])? <([ @+%~&!]?[^\s<>]{1,40}+)>(?:[ \t]|$)")
COLON_NAME = re.compile(r"^(?: ?[-:])? ([^:\t<>\[\]]{1,40}?):(?: |$)")
#: Or the name alone after the time, the message on the lines under it (`<time> Name`): read
#: only where the time is a stamp a program stores (a date and the seconds, `STORED_STAMP`).
ALONE_NAME = re.compile(r"^[ \t]++([^\W\d_][^:\t<>\[\]]{0,39}?)[ \t]*+$")
ALONE = "\n"
STORED_STAMP = re.compile(r"0[-/.]0[-/.]0.*0:0:0")
SYSTEM_TEXT = re.compile(r"^(?: ?[-:])?[ \t]")
#: A logging library's fields between the time and the message (` - <logger> - <LEVEL>`, then
#: ` - ` before the message): one to three, each one word; and such fields in a prefix's shape.
LOG_FIELDS = re.compile(r"^(?: - [\w.-]{1,40}+){1,3}(?= - )")
LOG_LEAD = re.compile(r"- [\w.-]{1,40}+(?: - [\w.-]{1,40}+){0,2}")
#: The same fields written `<logger>: <LEVEL>` (`[time] chat: INFO   text`, a format of Python's
#: logging many tools use), the message after the spaces that pad the level.
LOGGER_LEVEL = re.compile(r"^ ([\w.-]{1,40}+): (?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)[ \t]++")
#: A prompt's mark opening a record's message (`> text`): the user's, as a REPL shows it.
PROMPT_MARK = "> "
#: The form of such records: a chat only where the prompt's mark speaks (a protocol's log of
#: `Client:` and `Broker:` records is none).
LOGGED = "log"
#: A name: words, digits and the few marks names carry (`minji.k`, `+62 812-3456`, `~ mohan`),
#: at most four words; channel modes (`@`, `+`) before a nick are no part of it.
_DOT = r"(?<=[^\W\d_])·(?=[^\W\d_])"  # a middle dot between letters only (`l·l`, `č·m`)
_WORD = r"(?:[\w.'’&()+-]|" + _DOT + r")"
#: An address (`tallalt@bot.tizi.example`): one token, a dotted domain after the `@`.
ADDRESS = re.compile(r"^[^\W_][\w.+-]{0,63}+@[^\W_][\w-]*+(?:\.[\w-]++)++$")
NAME = re.compile(
    r"^(?:[~+]?[ ]?[^\W_]"
    + _WORD
    + r"{0,39}+(?:[ ]"
    + _WORD
    + r"{1,39}+){0,3}|"
    + ADDRESS.pattern[1:-1]
    + r")$"
)
MODES = "@+%~&!"
#: Each name form, for the dry-run.
FORMS = {
    "\t": "`<time><TAB><name><TAB>`",
    "<>": "`<time> <name>`",
    ": ": "`<time> <name>: `",
    ALONE: "`<date> <time> <name>`, alone on its line,",
    "log": "`<time> <logger>: <LEVEL> <name>: ` or `> `",
}
SHAPE_DIGITS = re.compile(r"\d++")
SHAPE_LETTERS = re.compile(r"[^\W\d_]++")
FENCE = re.compile(r"^ {0,3}+(`{3,}+|~{3,}+)")

#: Fewest message lines, and runs per speaker, for a file to be read as a column log; a log of
#: one exchange (two names, one run each) is one too.
MIN_MESSAGES = 2
MIN_RUNS = 2
#: Most lines without the prefix before the first prefixed one (a log's `--- Log opened` line).
MAX_HEADER = 2


@dataclass(frozen=True, slots=True)
class Prefix:
    """One line's reading as a column log's line: the shape of its prefix, the name (None for
    a line of the log's own), and the text after the prefix."""

    shape: str
    form: str
    name: str | None
    text: str
    #: The time field's shape alone: every record of the log shares it.
    stamp: str = ""


@dataclass(frozen=True)
class Columns:
    """A file's column layout, by 0-based line."""

    #: How the prefix looks, for the dry-run (`<time> - <name>: `).
    shape: str
    #: Message lines -> the speaker's name (as first written).
    speaker: dict[int, str]
    #: Every prefixed line's text without its prefix (message lines only).
    text: dict[int, str]
    #: Prefixed lines that no speaker wrote: the log's own (joins, topic, notices).
    system: frozenset[int]
    #: The first prefixed line: what is above it is the file's header.
    first: int
    #: The name's form (`FORMS`' keys): `ALONE` asks the turn pass for more (a role or a question).
    form: str = ""


def read_prefix(line: str) -> Prefix | None:
    """`14/03/2025, 20:41 - Daan: hi` -> shape `0/0/0, 0:0 -`, form `: `, name `Daan`, text `hi`."""
    if (
        not line[:1].isdigit()
        and line[:1] not in "[(\u200e\u200f"
        and not MONTH_DAY.match(line)
        and not WEEKDAY_DATE.match(line)
    ):
        return None
    time = TIME_FIELD.match(line)
    if time is None:
        return None
    clock = SHAPE_LETTERS.sub("a", SHAPE_DIGITS.sub("0", time.group("time")))
    stamp = time.group("open") + clock + time.group("close")
    rest = line[time.end() :]
    logged = LOGGER_LEVEL.match(rest)
    if logged:
        # `[time] chat: INFO   ChatGPT: text`: the logger and the level are the prefix's; the
        # message names its speaker, or opens with the prompt's mark (`> text`: the user)
        lead = rest[: logged.end()].strip()
        message = rest[logged.end() :]
        if message.startswith(PROMPT_MARK):
            return Prefix(f"{stamp}{lead}", LOGGED, PROMPT_MARK.strip(), message[2:], stamp)
        named = COLON_NAME.match(" " + message)
        if named and NAME.match(named.group(1).strip()):
            text = (" " + message)[named.end() :]
            return Prefix(f"{stamp}{lead}", LOGGED, named.group(1).strip(), text, stamp)
        return Prefix(f"{stamp}{lead}", LOGGED, None, message, stamp)
    for form, pattern in (("\t", TAB_NAME), ("<>", ANGLE_NAME), (": ", COLON_NAME)):
        found = pattern.match(rest)
        if found is None:
            continue
        lead = rest[: found.start(1)].strip(" <\t")
        name = found.group(1).strip()
        if form != ": ":
            name = name.lstrip(MODES).strip()  # a nick's channel mode (`@rizky`)
        text = rest[found.end() :]
        if NAME.match(name):
            return Prefix(f"{stamp}{lead}", form, name, text, stamp)
        if form == "\t":
            # `-->`, `--` in the name column
            return Prefix(f"{stamp}{lead}", form, None, text, stamp)
        break  # no name before the colon: a system line with a colon in it
    alone = ALONE_NAME.match(rest) if not time.group("open") else None  # (`[time] name`: a
    if alone and NAME.match(alone.group(1)):  # marker line of its own, `turns.candidate`'s)
        # `2024-12-20 20:41:07 Emeka Nwosu`, the message under it (MemoTrace's WeChat export)
        return Prefix(stamp, ALONE, alone.group(1), "", stamp)
    fields = LOG_FIELDS.match(rest)
    named = COLON_NAME.match(rest[fields.end() :]) if fields else None
    if fields and named and NAME.match(named.group(1).strip()):
        # `<time> - gptcli-session - INFO - user: text`: a logging library's record, whose
        # fields (logger, level) are part of the prefix and the message names the speaker
        lead = fields.group(0).strip()
        text = rest[fields.end() + named.end() :]
        return Prefix(f"{stamp}{lead}", ": ", named.group(1).strip(), text, stamp)
    bare = SYSTEM_TEXT.match(rest)
    if bare is None:
        return None
    lead = rest[: bare.end()].strip()
    return Prefix(f"{stamp}{lead}", "", None, rest[bare.end() :], stamp)


def read_columns(lines: Sequence[str], is_text: Sequence[bool]) -> Columns | None:
    """The file's column layout, or None when it has none: one prefix shape opens the
    messages, two or more names each speak in two or more runs and take turns, and every other
    line after the first prefixed one continues a message (or is the log's own). `is_text[i]`
    says line i is text: a log pasted in a code block is code."""
    readings: dict[int, Prefix] = {}
    shapes: Counter[tuple[str, str]] = Counter()
    for i, line in enumerate(lines):
        if is_text[i] and line.strip():
            prefix = read_prefix(line)
            if prefix is not None:
                readings[i] = prefix
                if prefix.name is not None:
                    shapes[(prefix.shape, prefix.form)] += 1
    if not shapes:
        return None
    (shape, form), count = shapes.most_common(1)[0]
    if count < MIN_MESSAGES:
        return None
    if form == ALONE and not STORED_STAMP.search(shape):
        # A name alone after the time: only a machine's full stamp (a date, seconds) tells a
        # chat's sender from a diary's, a schedule's or a meeting's `09:30 Alice` over notes.
        return None
    # The log's own lines share the messages' time shape (`0/0/0, 0:0 -` or `0:0` before `--`);
    # a logging library's records of other loggers (`- httpx - INFO -`) share its stamp.
    stamp = next(each.stamp for each in readings.values() if each.shape == shape)
    fielded = _fielded(shape, stamp)
    ours = {
        i: each
        for i, each in readings.items()
        if each.shape == shape
        and (each.form == form or each.name is None or each.form == ALONE)
        or (fielded and each.stamp == stamp and each.shape != shape)
    }
    first = min(ours)
    if sum(1 for line in lines[:first] if line.strip()) > MAX_HEADER:
        return None
    # Runs: a speaker's consecutive messages.
    runs: Counter[str] = Counter()
    spellings: dict[str, str] = {}
    sequence: list[str] = []
    for i in sorted(ours):
        name = ours[i].name
        if name is None or ours[i].shape != shape or ours[i].form != form:
            continue
        key = name.casefold()
        spellings.setdefault(key, name)
        if not sequence or sequence[-1] != key:
            sequence.append(key)
            runs[key] += 1
    speakers = {key for key, n in runs.items() if n >= MIN_RUNS}
    if not speakers and len(sequence) == 2:
        speakers = set(sequence)  # one exchange: a message and its reply
    if len(speakers) < 2 or (form == LOGGED and PROMPT_MARK.strip() not in speakers):
        return None
    if all("@" in key for key in speakers):
        return None  # addresses on both sides: a mail archive's, a server's log (a chat's user
        # is written as a word, `Kečč·mm`)
    turns = [key for key in sequence if key in speakers]
    changes = sum(1 for a, b in zip(turns, turns[1:], strict=False) if a != b)
    if changes * 2 < len(turns) - 1:
        return None
    speaker: dict[int, str] = {}
    text: dict[int, str] = {}
    system: set[int] = set()
    for i, each in ours.items():
        if (
            each.name is not None
            and each.shape == shape
            and each.form == form
            and each.name.casefold() in speakers
        ):
            speaker[i] = spellings[each.name.casefold()]
            text[i] = each.text
        else:
            system.add(i)  # the log's own line, or a name that speaks once (a notice's)
    # The logger's own banners, unprefixed, in the header's dress (`**** BEGIN LOGGING AT ...`
    # above, `**** ENDING LOGGING AT ...` at the end; irssi's `--- Day changed ...`).
    dresses = {dress for line in lines[:first] if (dress := _banner_dress(line))}
    for i in range(first, len(lines)):
        if i not in ours and is_text[i] and _banner_dress(lines[i]) in dresses:
            system.add(i)
    described = f"{FORMS[form]} on each message ({shape!r})"
    return Columns(described, speaker, text, frozenset(system), first, form)


def _fielded(shape: str, stamp: str) -> bool:
    """The messages' prefix holds a logging library's fields after the time."""
    return LOG_LEAD.fullmatch(shape[len(stamp) :]) is not None


def _banner_dress(line: str) -> str | None:
    """The run of marks a logger's banner line opens with (`****`, `---`), when the line goes on
    with words and a number (a date)."""
    banner = BANNER.match(line)
    return banner.group(1) if banner else None


def text_lines(lines: Sequence[str], columns: Columns) -> tuple[list[str], list[bool]]:
    """The file as the turn pass reads it: each message line's text without its prefix, the
    log's own lines blank; and which lines are text (outside the messages' code fences)."""
    stripped = [
        columns.text[i] if i in columns.text else "" if i in columns.system else line
        for i, line in enumerate(lines)
    ]
    return stripped, outside_fences(stripped)


def outside_fences(lines: Sequence[str]) -> list[bool]:
    """Which lines are text, outside the code fences the lines open and close (for lines the
    turn pass reads without a tool's prefix or tags, whose fences the layout did not see)."""
    flags: list[bool] = []
    fence = ""
    for line in lines:
        opening = FENCE.match(line)
        if fence:
            flags.append(False)
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                if not line.strip().strip(fence[0]):
                    fence = ""
        elif opening:
            fence = opening.group(1)
            flags.append(False)
        else:
            flags.append(True)
    return flags
