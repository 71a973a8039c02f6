"""Parse stage: a Transcript -> question/answer notes, each found by a named rule.

The shape follows markdown-it's block rules: `RULES` is a table of named rules, each a match
function with its kind, the file styles it runs in, and, where its question is more than its
first line, its own extent and question text. Every line outside code is offered to the rules in
order; the first that says "a question starts here" wins and names itself in the result, with a
confidence and a reason, so `--dry-run` can explain every decision. The marking rules read what
the user or the chat exporter wrote (`Q:`, `## You`, a question heading) and come first, so an
explicit marker always wins; the guessing rules come last.

A file is read in passes, each working on the finished result of the ones before, so no rule
ever runs on a half-built document:

1. code (`read_code`): the lines cmark-gfm, the renderer's parser, puts in code blocks; then,
   as a step of its own, the recovery for a fence never closed;
2. layout (`lay_out`): per-line facts, such as the content lines around each line, the
   directives, the list items, and the title;
3. style (`detect_style`): how the file marks its questions, set by its first question;
4. the rules (`find_questions`), on the finished `Document`.

Every pass is linear in the size of the file, and every pattern is anchored with possessive
quantifiers, so a 5 MB line costs one scan, never a quadratic backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from functools import cached_property
from typing import Any

from chatdeck.chat_titles import (
    EDITOR_MODE_LINE,
    front_matter,
    interface_line,
    log_stamp,
    title_key,
    title_text,
)
from chatdeck.copied_code import page_code, page_control
from chatdeck.identity import normalize_question
from chatdeck.logged_turns import RECORD_WORDS
from chatdeck.notes import Note, Problem, Transcript
from chatdeck.pasted_code import LOG_TIME, bare_code, code_line, pasted_output, program_output
from chatdeck.render import code_block_lines
from chatdeck.turn_edges import Turns, page_footer
from chatdeck.turn_markers import (
    COLONS,
    CONTROL_LEADS,
    HEADER,
    HEADING,
    INTERFACE,
    LIST_OR_TABLE,
    MAX_CONTROL,
    METADATA,
    PROSE_END,
    SEPARATOR,
    is_separator,
)
from chatdeck.turns import find_turns

# --- Line shapes --------------------------------------------------------------------------------

FENCE = re.compile(r"^[ \t]*+(`{3,}+|~{3,}+)(.*)$")
LIST_ITEM = re.compile(r"^[ \t]*+(?:[-*+]|\d{1,9}+[.)])(?:[ \t]|$)")
ITEM_TEXT = re.compile(r"^ {0,3}+(?:[-*+]|\d{1,9}+[.)])[ \t]++(.*)$")
NUMBERED_ITEM = re.compile(r"^ {0,3}+\d{1,9}+[.)][ \t]")
QUOTE = re.compile(r"^ {0,3}+>")
UNQUOTE = re.compile(r"^ {0,3}+> ?")
SETEXT = re.compile(r"^ {0,3}+(?:=++|-++)[ \t]*+$")
TABLE_ROW = re.compile(r"^[ \t]*+\|")
DIRECTIVE = re.compile(
    r"^[ \t]*+<!--[ \t]*+(not a question|id:[ \t]*+(.+?))[ \t]*-->[ \t]*+$", re.I
)
#: Directive lines longer than this are just text (keeps the lazy `.+?` above cheap).
MAX_DIRECTIVE = 300

BOLD = r"(?:\*\*|__)?"


def _marker(names: str) -> re.Pattern[str]:
    """`Name:` with any case and spacing, full-width colon, or bold around the name or the colon.
    A bold mark right after the colon closes a bold name (`**Q:**`, `Q**:**`) or stands alone
    (`Q:** text`); otherwise it opens the text's own bold (`A:**bold text**`) and stays."""
    return re.compile(
        rf"^ {{0,3}}+(?:(?:\*\*|__)[ \t]*+(?:{names}){BOLD}[ \t]*+[:：]{BOLD}"
        rf"|(?:{names})(?:(?:\*\*|__)[ \t]*+[:：]{BOLD}|[ \t]*+[:：](?:(?:\*\*|__)(?=[ \t]|$))?))"
        rf"[ \t]*+(.*)$",
        re.I,
    )


def _speaker_heading(names: str) -> re.Pattern[str]:
    """`## You`, `### **Response:**`: a heading that only names a speaker."""
    return re.compile(
        rf"^ {{0,3}}+#{{1,6}}+[ \t]++{BOLD}(?:{names}){BOLD}(?:[ \t]*+[:：])?{BOLD}[ \t]*+$", re.I
    )


#: `Question` may name whose question it is, the user's (`User question`, `用户问题`, "user's
#: question"): still the question's label.
QUESTION_NAMES = (
    r"q[ \t]?\d*+|(?:(?:user|your)(?:'s)?[ \t]++)?question(?:[ \t]\d++)?|问"
    r"|(?:用户|我的)?问题(?:[ \t]?\d++)?"
)
ANSWER_NAMES = r"a[ \t]?\d*+|answer(?:[ \t]\d++)?|答|(?:回答|答案)(?:[ \t]?\d++)?"
USER_NAMES = r"(?:you|user|human|me|prompt|我)(?:[ \t]said)?"
ASSISTANT_NAMES = (
    r"(?:chatgpt|gpt-?[\w.-]*|assistant|claude|ai|bot|model|response|gemini|bard|copilot|"
    r"deepseek|llama|mistral|qwen|kimi|grok|perplexity)(?:[ \t]said)?"
)
QUESTION_MARKER = _marker(QUESTION_NAMES)
ANSWER_MARKER = _marker(ANSWER_NAMES)
USER_MARKER = _marker(USER_NAMES)
ASSISTANT_MARKER = _marker(ASSISTANT_NAMES)
USER_HEADING = _speaker_heading(USER_NAMES)
ASSISTANT_HEADING = _speaker_heading(ASSISTANT_NAMES)
#: The first non-blank character a `Q:`, a user marker or a heading can start with: cheap
#: filters that spare the regexes on most lines.
QUESTION_LEADS = frozenset("qQ问*_")
SPEAKER_LEADS = frozenset("yYuUhHmMpP我*_")
HEADING_LEADS = frozenset("#")
#: A `Q:` marker's, a heading's, or a quoted marker's (`> **Question:** text`).
MARKER_LEADS = QUESTION_LEADS | HEADING_LEADS | frozenset(">")
USER_LEADS = SPEAKER_LEADS | HEADING_LEADS

QUESTION_END = ("?", "？")
STATEMENT_END = (".", ";", ",", "。", "!", "！", "…", *COLONS)
#: Words that open a typed question or request when the user leaves off the question mark.
ASKING_WORDS = re.compile(
    r"^(what|whats|what's|how|why|when|where|which|who|whose|is|are|was|were|can|could|should|"
    r"would|will|do|does|did|explain|describe|define|definition|difference|differences|compare|"
    r"tell|show|give|list|provide|please|help|write|summarize|summarise)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[\w']+")
#: A reply leans on the text before it: it opens with a linking word ("*So* which one?") or points
#: back with a pronoun ("Why does *this* matter?").
LINKING_OPENERS = frozenset({"so", "but", "and", "then", "now", "or", "well", "also"})
POINTING_WORDS = frozenset({"this", "that", "it", "its", "these", "those", "they", "them"})
#: A reply talks to its reader ("When should *you* use one?"); a person asking says "I".
READER_WORDS = frozenset({"you", "your", "you're", "you've", "yours"})
ASKER_WORDS = frozenset({"i", "i'm", "i've", "i'd", "my", "me", "mine"})
REQUEST_OPENERS = frozenset({"can", "could", "would", "will"})
SPEAKS_FOR_ITSELF = re.compile(r"^I(?:['’](?:m|ve|d|ll))?[ \t]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: A statement sentence ends inside the line ("... grow. Is it faster?").
SENTENCE_BREAK = re.compile(r"[.!。！][ \t]+[A-Z]")
#: The first line of pasted program output: an indented line, a traceback, a shell prompt, or a
#: line that opens with an error or warning word ("fatal: ...", "npm ERR! ...", "ValueError: ...").
OUTPUT_START = re.compile(
    r"^(?:[ \t]++\S|Traceback|File \"|>>> |\$ |at [\w.$]++\(|npm ERR!|E: |Segmentation fault"
    r"|(?i:\[?(?:error|warning|warn|fatal|panic|critical))\b|\w*(?:Error|Exception|Warning)\b"
    # an error's log record: its time and level (`21:16:42.107 [error] GenServer ...`; an INFO
    # line under a `?` line in an answer is the answer's example)
    rf"|{LOG_TIME}(?i:error|warning|warn|fatal|critical)\b)"
)
#: Lines longer than this are never questions (a question is something a person typed).
MAX_QUESTION = 250


# --- Names: what the results, the dry-run and the JSON say --------------------------------------
# StrEnums, so that each prints, compares and serializes (json.dumps) as its plain string.


class Rule(StrEnum):
    """The name of each rule in `RULES`, as `--dry-run`, the JSON and the README give it."""

    EXPLICIT_MARKER = "explicit marker"
    SPEAKER_HEADING = "speaker heading"
    SPEAKER_MARKER = "speaker marker"
    TURN_MARKER = "turn marker"
    HEADING = "heading"
    QUOTED_PROMPT = "quoted prompt"
    COPIED_LIST_ITEM = "copied list item"
    PASTED_QUESTION = "pasted question"
    STANDALONE_QUESTION = "standalone question"
    STANDALONE_REQUEST = "standalone request"


class RuleKind(StrEnum):
    """Marking rules read a marker someone wrote; guessing rules read the shape of a line."""

    MARKING = "marking"
    GUESSING = "guessing"


class Confidence(StrEnum):
    """How sure a rule is; anything below high is flagged for checking in `--dry-run`."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class LineKind(StrEnum):
    """What a line is to the rules: only text lines can start a question."""

    IGNORED = "ignored"  # the whole-file wrapper fence, or a title's ===== underline
    BLANK = "blank"
    CODE = "code"  # in a code block, its fence lines included (see `read_code`)
    TEXT = "text"
    DIRECTIVE = "directive"  # `<!-- not a question -->`, `<!-- id: ... -->`


class FileStyle(StrEnum):
    """How a file marks its questions, set by its first question (see `detect_style`)."""

    SPEAKER = "speaker"
    HEADING = "heading"
    EXPLICIT = "explicit"
    QUOTE = "quote"
    PLAIN = "plain"


class Verdict(StrEnum):
    """What the parser decided about a line, for the dry-run's explanations."""

    QUESTION = "question"
    TITLE = "title"
    KEPT = "not a question"
    #: A chat log's turn marker (see `chatdeck.turns`), and a line on no card: a separator,
    #: metadata, reasoning or a line of the tool's interface.
    MARKER = "turn marker"
    LEFT_OUT = "left out"


#: Why a request without `?` stayed in an answer: the dry run lists these as near misses.
NEAR_MISS = "a request without `?` that no rule took (put `Q:` before it if it is one)"


# Short names for the line kinds, as the per-line loops compare them.
IGNORED, BLANK, CODE, TEXT, DIRECTIVE_KIND = (
    LineKind.IGNORED,
    LineKind.BLANK,
    LineKind.CODE,
    LineKind.TEXT,
    LineKind.DIRECTIVE,
)


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """A match function's verdict on a line: a question starts here, its first line reads
    `text`."""

    confidence: Confidence
    text: str
    #: Why the rule decided so, in words, for the dry-run report.
    reason: str
    #: Role-style markers ("## You", "Question:" alone) put the question on the lines under them.
    text_follows: bool = False


@dataclass(frozen=True, slots=True)
class Found:
    """A question start: the rule (its table entry) that took line `index`, and what it said."""

    rule: RuleSpec
    index: int
    confidence: Confidence
    text: str
    reason: str
    text_follows: bool


@dataclass(frozen=True, slots=True)
class Question:
    """A found question with its extent: the first line after the question, and the first line
    of its answer (an answer marker line, or the line after the question)."""

    found: Found
    end: int
    answer_start: int


@dataclass(frozen=True)
class Decision:
    """One line of the dry-run explanation: what the parser decided about a line, and why. A
    question names its rule and confidence; the title and the lines kept in answers have none."""

    line: int  # 1-based
    verdict: Verdict
    rule: Rule | None
    confidence: Confidence | None
    reason: str


@dataclass
class Parsed:
    """What parsing one transcript yields."""

    source: str
    notes: list[Note]
    title: str | None = None
    title_line: int | None = None
    #: Every line the title takes: its line, and the `=====` under a Setext title.
    title_lines: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: 1-based lines that carry text but belong to no note (reported, never silently dropped).
    unassigned: list[int] = field(default_factory=list)
    #: Every question, the title, and every line ending in `?` that was kept inside an answer,
    #: each with the reason, in line order.
    decisions: list[Decision] = field(default_factory=list)
    #: 1-based lines of a chat log's header (before its first turn) left out as metadata.
    left_out: list[int] = field(default_factory=list)
    #: A chat log's turn structure (its marker shape, labels and roles), for the dry run.
    turns: Turns | None = None


# --- Pass 1, code: cmark-gfm's code blocks, then the recovery for a fence never closed -----------
#
# The parser's code lines are the renderer's: `code_block_lines` (cmark-gfm's own parse, with
# source positions) run on the transcript with the wrapper fence's lines blanked. A code line
# is any line of a code block, its fence lines included, as cmark-gfm's source positions give
# them; except that the blank lines cmark-gfm counts at the end of a block (after an indented
# block, or a fence its list item closed) stay blank lines, which separate paragraphs. cmark-gfm
# only gives the set of lines; the blocks are told apart by their fences (`_split_run`).
#
# A fence never closed runs to the end of the file, in cmark-gfm as on GitHub. The recovery,
# a separate step: if a `Q:` line is inside it, it is taken as closed before that line, and the
# rest of the file, from the `Q:` on, is read again as a file of its own; so one missing ```
# cannot swallow every question after it. It is the only place where the parser's code lines
# differ from cmark-gfm's, and each such fence gets a warning.


@dataclass(frozen=True, slots=True)
class Fence:
    """A fence line: its character and length, its indent (tabs to multiples of 4, as
    CommonMark counts) and whether nothing follows the run (only such a fence closes one)."""

    char: str
    length: int
    indent: int
    bare: bool

    def closed_by(self, line: str) -> bool:
        """`line` closes this fence: the same character, at least as long, nothing after it, and
        indented at most 3 more (CommonMark allows 3 past the fence's container)."""
        closing = fence_of(line)
        return (
            closing is not None
            and closing.bare
            and closing.char == self.char
            and closing.length >= self.length
            and closing.indent <= self.indent + 3
        )


def fence_of(line: str) -> Fence | None:
    """The fence on `line`, or None. A backtick fence's info cannot hold a backtick
    (CommonMark), which tells "```python" from inline code like "```x``` is odd"."""
    if "`" not in line and "~" not in line:
        return None
    match = FENCE.match(line)
    if not match or (match.group(1)[0] == "`" and "`" in match.group(2)):
        return None
    run = match.group(1)
    return Fence(run[0], len(run), _indent(line), not match.group(2).strip())


def _indent(line: str) -> int:
    """Columns of leading space, a tab reaching the next multiple of 4."""
    prefix = line[: len(line) - len(line.lstrip(" \t"))]
    return len(prefix.expandtabs(4)) if "\t" in prefix else len(prefix)


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Lines [start, end) of one code block. `fence` is None for an indented block (or one in a
    quote); `closed` says a fenced block ends with its closing fence."""

    start: int
    end: int
    fence: Fence | None
    closed: bool


@dataclass(frozen=True)
class Code:
    """Which lines are code: every block's first line -> the index just past it; the first lines
    of the fenced ones; and a warning for each fence never closed."""

    block_ends: dict[int, int]
    fences: frozenset[int]
    problems: list[Problem]


#: The first window, in lines, the recovery reads after a fence it closed (see `read_code`).
FIRST_WINDOW = 16


def read_code(transcript: Transcript) -> Code:
    """The code blocks of a transcript, as cmark-gfm sees them, and the recovery for a fence
    never closed (see the comment above).

    The recovery reads the rest of the file after each fence it closed in windows that double
    until what follows cannot change the verdict (`_LinesAhead.never_closed`), so a file of many
    fences never closed, each followed by a `Q:`, costs a few reads of the file, not one each.
    """
    lines, ignored = transcript.lines, transcript.ignored
    blanked = [("" if i in ignored else line) for i, line in enumerate(lines)] if ignored else lines
    count = len(lines)
    block_ends: dict[int, int] = {}
    fences: set[int] = set()
    problems: list[Problem] = []
    rest: _LinesAhead | None = None  # built the first time a fence is left open
    start, window = 0, count
    while start < count:
        stop = min(count, start + window)
        blocks = _code_blocks(blanked, start, stop)
        last = blocks[-1] if blocks else None
        open_fence = None  # a fenced block that runs to `stop` (cmark-gfm leaves out blank lines)
        if last is not None and last.fence is not None and not last.closed:
            if not any(blanked[j].strip() for j in range(last.end, stop)):
                open_fence = last
        marker = count
        if open_fence is not None:
            rest = rest or _LinesAhead(transcript)
            marker = rest.next_marker[open_fence.start + 1]
        if stop < count and not (
            open_fence is not None
            and marker < stop
            and rest is not None
            and rest.never_closed(open_fence, blanked, stop)
        ):
            window *= 2  # what comes after the window could still change the verdict
            continue
        for block in blocks:
            end = block.end
            if block is open_fence:
                end = marker
            else:
                while end > block.start + 1 and not blanked[end - 1].strip():
                    end -= 1  # a block's last blank lines separate paragraphs, as blank lines do
            block_ends[block.start] = end
            if block.fence is not None:
                fences.add(block.start)
        if open_fence is None:
            break
        message = "code fence is never closed; "
        if marker == count:
            message += "the lines after it stay in this answer"
        else:
            message += f"taken as closed before the question marker on line {marker + 1}"
        problems.append(Problem(transcript.source, open_fence.start + 1, message))
        start, window = marker, max(FIRST_WINDOW, 2 * (marker - start))
    return Code(block_ends, frozenset(fences), problems)


def _code_blocks(lines: list[str], start: int, stop: int) -> list[CodeBlock]:
    """cmark-gfm's code blocks in lines [start, stop), read as a file of their own."""
    part = lines[start:stop]
    view = code_block_lines("\n".join(part), part)
    code = sorted(start + i for i in view if i < stop - start)
    blocks: list[CodeBlock] = []
    position = 0
    while position < len(code):
        run_start = run_end = code[position]
        while position < len(code) and code[position] == run_end:
            run_end += 1
            position += 1
        blocks.extend(_split_run(lines, run_start, run_end))
    return blocks


def _split_run(lines: list[str], start: int, end: int) -> list[CodeBlock]:
    """A run of consecutive code lines -> its blocks, told apart by their fences.

    A fence indented by four or more may be the first line of an indented block (which GitHub
    shows with its backticks): it is taken as one until its closing fence comes, or a line
    indented less that opens no fence shows it to be a list item's fence."""
    blocks: list[CodeBlock] = []
    i = start
    while i < end:
        fence = fence_of(lines[i])
        j = i + 1
        if fence is None:  # an indented block, or one in a quote
            while j < end and not _opens_fence(lines[j]):
                j += 1
            blocks.append(CodeBlock(i, j, None, False))
            i = j
            continue
        indented = fence.indent >= 4
        while j < end and not fence.closed_by(lines[j]):
            if indented and lines[j].strip() and _indent(lines[j]) < 4:
                if _opens_fence(lines[j]):
                    break  # the indented block ends, and a fence opens
                indented = False  # a line of a list item's fence
            j += 1
        if j < end and fence.closed_by(lines[j]):
            blocks.append(CodeBlock(i, j + 1, fence, True))
            i = j + 1
        else:
            blocks.append(CodeBlock(i, j, None if indented else fence, False))
            i = j
    return blocks


def _opens_fence(line: str) -> bool:
    fence = fence_of(line)
    return fence is not None and fence.indent < 4


class _LinesAhead:
    """What the recovery needs to know about the lines after a point, worked out once."""

    def __init__(self, transcript: Transcript) -> None:
        lines = transcript.lines
        count = len(lines)
        undone = _undone_lines(lines)
        #: Per line, the next `Q:` line at or after it (count if none), as the user wrote it.
        self.next_marker = [count] * (count + 1)
        #: Per fence character, the longest bare fence at or after each line (any indent: every
        #: line that could close a fence).
        self.longest = {"`": [0] * (count + 1), "~": [0] * (count + 1)}
        #: The least indent of a non-blank line at or after each line.
        self.least_indent = [1 << 30] * (count + 1)
        for i in range(count - 1, -1, -1):
            line = lines[i]
            self.longest["`"][i], self.longest["~"][i] = (
                self.longest["`"][i + 1],
                self.longest["~"][i + 1],
            )
            self.least_indent[i] = self.least_indent[i + 1]
            if i in transcript.ignored:
                self.next_marker[i] = self.next_marker[i + 1]
                continue
            fence = fence_of(line)
            if fence is not None and fence.bare:
                self.longest[fence.char][i] = max(self.longest[fence.char][i], fence.length)
            if line.strip():
                self.least_indent[i] = min(self.least_indent[i], _indent(line))
            marker = line.lstrip(" \t")[:1] in QUESTION_LEADS and QUESTION_MARKER.match(line)
            self.next_marker[i] = i if marker and i not in undone else self.next_marker[i + 1]

    def never_closed(self, block: CodeBlock, lines: list[str], stop: int) -> bool:
        """The fenced block open at `stop` stays open to the end of the file: no line from
        `stop` on could close it, and none is indented less than the block's lines (which would
        end the list item holding it; a list marker's line counts from its item's text)."""
        assert block.fence is not None
        indent = min(_text_indent(line) for line in lines[block.start : stop] if line.strip())
        return (
            self.longest[block.fence.char][stop] < block.fence.length
            and self.least_indent[stop] >= indent
        )


def _text_indent(line: str) -> int:
    """Columns before a line's text, past a list marker if it opens with one."""
    item = LIST_ITEM.match(line)
    return len(item.group(0).expandtabs(4)) if item else _indent(line)


def _undone_lines(lines: list[str]) -> set[int]:
    """The lines right under a `<!-- not a question -->` (blank lines between allowed)."""
    undone: set[int] = set()
    pending = False
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if pending:
            undone.add(i)
        match = len(line) <= MAX_DIRECTIVE and "<!--" in line and DIRECTIVE.match(line)
        pending = bool(match and not match.group(2))
    return undone


# --- Pass 2, layout: per-line facts and the title -----------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What a file is line by line, whatever its style: worked out once, then only read."""

    transcript: Transcript
    lines: list[str]
    #: Per line: its first character after leading spaces and tabs (a cheap filter for markers).
    leads: list[str]
    kinds: list[LineKind]
    #: Every code block's first line -> the index just past it; the first lines of the fenced
    #: ones (see `read_code`).
    block_ends: dict[int, int]
    fences: frozenset[int]
    problems: list[Problem]
    #: Per line: the previous / next line with content (text or code; blanks, directives and the
    #: wrapper skipped), -1 or len(lines) when there is none; how many blank lines come right
    #: before it (the start of the file and the end of a code block count as a paragraph break).
    previous: list[int]
    following: list[int]
    blanks: list[int]
    #: Lines under `<!-- not a question -->` (and a Setext title); lines under `<!-- id: ... -->`.
    suppressed: frozenset[int]
    pinned_ids: dict[int, str]
    title_candidate: int | None = None
    #: The `=====` line under a Setext title.
    title_underline: int | None = None
    #: The lines of a `---` front matter block at the top (left out of every card).
    front_matter: frozenset[int] = frozenset()
    #: A chat page's buttons copied with the chat (`chatdeck.copied_code.page_control`): on no card.
    page_controls: frozenset[int] = frozenset()
    #: Lines a card shows differently in a file with no turns: an unlabelled page copy's code
    #: rebuilt as fenced code (`chatdeck.copied_code.page_code`).
    page_rewrites: dict[int, str] = field(default_factory=dict)

    def text(self, i: int) -> bool:
        return 0 <= i < len(self.lines) and self.kinds[i] is TEXT

    @cached_property
    def quoted_markers(self) -> frozenset[int]:
        """The lines that open a quote with a `Q:` label (`> **Question:** text`), when two or
        more do (a tool's label for every question), or one with an `A:` under it. One alone is
        a quote of a question inside a prompt or an answer (a practice question, an
        interviewer's)."""
        found = [
            i
            for i, lead in enumerate(self.leads)
            if lead == ">"
            and self.kinds[i] is TEXT
            and (i == 0 or not QUOTE.match(self.lines[i - 1]))
            and QUESTION_MARKER.match(_unquote(self.lines[i]))
        ]
        if len(found) >= 2:
            return frozenset(found)
        return frozenset(i for i in found if self.blanks[i] >= 1 and self._answered_under_quote(i))

    def _answered_under_quote(self, i: int) -> bool:
        """The first line after the quote opened on line i is an answer label (`A: ...`)."""
        end = i + 1
        while end < len(self.lines) and QUOTE.match(self.lines[end]):
            end += 1
        after = self.following[end - 1]
        return after < len(self.lines) and ANSWER_MARKER.match(self.lines[after]) is not None

    @cached_property
    def list_items(self) -> ListItems:
        """Every list item's first line by its question key (`ListItems`). Made on first use:
        only `copied_list_item` asks, and only about a line that could be a copy."""
        return ListItems(self.lines, self.leads, self.kinds)


#: A list item's letters and digits, in lowercase (`ListItems`): `str.translate` drops every
#: other ASCII character, and keeps the newlines between items.
ITEM_LETTERS: dict[int, str | None] = {
    code: character.lower() if character.isupper() else None
    for code, character in ((code, chr(code)) for code in range(128))
    if not (character.islower() or character.isdigit() or character == "\n")
}
#: Distinct keys a file's items are searched for before every item's key is worked out instead.
ITEM_SEARCHES = 16


class ListItems:
    """The first line of the list item with a given question key, without working out every
    item's key (it would cost a `normalize_question` per list item of the file, for a few
    lookups): only items that can have the key asked for get theirs.

    For an ASCII item, `normalize_question` drops its number, `*`, `` ` ``, spacing and the
    trailing " ?.!。", and lowercases it: its letters and digits in lowercase (`ITEM_LETTERS`)
    end with those of its key. So one search of all the items' letters, one item a line, finds
    every ASCII item that can have the key; items that are not ASCII can have any key and are
    always worked out. The first of those whose key is the one asked is the answer: the same
    line as a map of every item's key to its first line. Past `ITEM_SEARCHES` distinct keys
    (or for a key with no letters or digits) the map is made after all, so a file costs at most
    a fixed number of searches over its items."""

    def __init__(self, lines: list[str], leads: list[str], kinds: list[LineKind]):
        self.source = lines
        #: The lines that may open an item, by their first character; whether each does, and
        #: its text, are read only when an item's key is needed (`_key`).
        self.lines: list[int] = [
            i
            for i, (lead, kind) in enumerate(zip(leads, kinds, strict=True))
            if kind is TEXT and (lead in "-*+" or lead.isdigit())
        ]
        self.keys: dict[int, str | None] = {}  # item -> its key, for the items worked out so far
        self.found: dict[str, int | None] = {}  # key -> the answer, for the keys asked so far
        self.everything: dict[str, int] | None = None
        self.letters: str | None = None
        self.not_ascii: list[int] = []

    def get(self, key: str) -> int | None:
        """The first line of a list item whose question key is `key`, or None."""
        if key in self.found:
            return self.found[key]
        if self.everything is None and len(self.found) >= ITEM_SEARCHES:
            self.everything = {}
            for item, first in enumerate(self.lines):
                item_key = self._key(item)
                if item_key is not None:
                    self.everything.setdefault(item_key, first)
        if self.everything is not None:
            line = self.everything.get(key)
        else:
            line = next((self.lines[n] for n in self._could_be(key) if self._key(n) == key), None)
        self.found[key] = line
        return line

    def _key(self, item: int) -> str | None:
        """The item's question key, or None for a line that opens no item after all."""
        if item in self.keys:
            return self.keys[item]
        line = self.source[self.lines[item]]
        match = ITEM_TEXT.match(line) if len(line) <= 2 * MAX_QUESTION else None
        text = match.group(1) if match else ""
        key = self.keys[item] = normalize_question(text) if text.strip() else None
        return key

    def _could_be(self, key: str) -> list[int]:
        """The items, in order, that can have `key`: a superset of those that have it. An
        item's whole line is searched: its marker comes before its text, so the letters of a
        key that its text ends with end its line too."""
        letters = key.translate(ITEM_LETTERS)
        if not letters:  # no search can narrow it: every item
            return list(range(len(self.lines)))
        if self.letters is None:
            texts = [self.source[i] for i in self.lines]
            ascii_only = [text if text.isascii() else "" for text in texts]
            self.not_ascii = [n for n, text in enumerate(texts) if not text.isascii()]
            self.letters = "\n".join(ascii_only).translate(ITEM_LETTERS) + "\n"
        if not key.isascii():  # an ASCII item's key is ASCII
            return self.not_ascii
        found: list[int] = []
        wanted, item, searched = letters + "\n", 0, 0
        while (at := self.letters.find(wanted, searched)) >= 0:
            item += self.letters.count("\n", searched, at)  # the item the match ends
            found.append(item)
            searched = at + len(wanted)
            item += 1
        return sorted({*found, *self.not_ascii}) if self.not_ascii else found


LAYOUT_FIELDS = tuple(each.name for each in fields(Layout))


def leading_characters(lines: list[str]) -> list[str]:
    """Per line, the first character after leading spaces and tabs ("" for a blank line)."""
    return [line.lstrip(" \t")[:1] for line in lines]


def lay_out(transcript: Transcript) -> Layout:
    """Pass 2: each line's kind and neighbours, and the directives; then the title, which is
    told from a first question by reading the file as a plain file."""
    lines, ignored = transcript.lines, transcript.ignored
    count = len(lines)
    code = read_code(transcript)
    leads = leading_characters(lines)
    # A kind at a time, each over the ones before: text or blank, then code, the wrapper
    # fence, directives (among the text lines), a front matter block.
    kinds = [TEXT if line.strip() else BLANK for line in lines]
    for start, end in code.block_ends.items():
        kinds[start:end] = [CODE] * (end - start)
    for i in ignored:
        kinds[i] = IGNORED
    directives = [
        i
        for i, lead in enumerate(leads)
        if lead == "<"
        and kinds[i] is TEXT
        and len(lines[i]) <= MAX_DIRECTIVE
        and DIRECTIVE.match(lines[i])
    ]
    for i in directives:
        kinds[i] = DIRECTIVE_KIND
    front = frozenset(i for i in front_matter(lines) if i not in ignored)
    for i in front:
        kinds[i] = IGNORED  # a front matter block: metadata, read for its title only
    controls = frozenset(
        i
        for i, lead in enumerate(leads)
        if lead in CONTROL_LEADS
        and len(lines[i]) <= MAX_CONTROL
        and kinds[i] is TEXT
        and page_control(lines, i)
    )
    for i in controls:
        kinds[i] = IGNORED  # a chat page's button copied with the chat: no rule reads it
    previous, following, blanks = _link_lines(kinds)
    pinned_ids: dict[int, str] = {}
    suppressed: set[int] = set()
    for i in directives:
        directive = DIRECTIVE.match(lines[i])
        target = following[i]
        if kinds[i] is DIRECTIVE_KIND and directive and target < count:
            if directive.group(2):
                pinned_ids[target] = directive.group(2).strip()
            else:
                suppressed.add(target)
    layout = Layout(
        transcript,
        lines,
        leads,
        kinds,
        code.block_ends,
        code.fences,
        code.problems,
        previous,
        following,
        blanks,
        frozenset(suppressed),
        pinned_ids,
        front_matter=front,
        page_controls=controls,
    )
    first = next((i for i in range(count) if kinds[i] in (TEXT, CODE)), count)
    if first == count or kinds[first] is not TEXT:
        return layout
    if not _is_title(Document.read(layout, PLAIN), first):
        return layout
    if not (first + 1 < count and kinds[first + 1] is TEXT and SETEXT.match(lines[first + 1])):
        return replace(layout, title_candidate=first)
    # A Setext heading on the first line ("Notes" over "=====") is the title, always.
    kinds = kinds[: first + 1] + [IGNORED] + kinds[first + 2 :]
    return _relinked(
        layout,
        kinds,
        suppressed=layout.suppressed | {first},
        title_candidate=first,
        title_underline=first + 1,
    )


def _untitled(layout: Layout) -> Layout:
    """`layout` without the title its first line was taken for (its underline text again)."""
    kinds = list(layout.kinds)
    if layout.title_underline is not None:
        kinds[layout.title_underline] = TEXT
    return _relinked(
        layout,
        kinds,
        suppressed=layout.suppressed - {layout.title_candidate},
        title_candidate=None,
        title_underline=None,
    )


def _relinked(layout: Layout, kinds: list[LineKind], **changes: Any) -> Layout:
    """`layout` with new line kinds, the links between its lines made anew, and `changes`."""
    previous, following, blanks = _link_lines(kinds)
    return replace(
        layout, kinds=kinds, previous=previous, following=following, blanks=blanks, **changes
    )


def _link_lines(kinds: list[LineKind]) -> tuple[list[int], list[int], list[int]]:
    """`previous`, `following` and `blanks` (see `Layout`), in two linear passes."""
    count = len(kinds)
    previous, following, blanks = [-1] * count, [count] * count, [0] * count
    last, run = -1, 0
    for i in range(count):
        kind = kinds[i]
        previous[i] = last
        if last < 0:
            blanks[i] = 2
        elif kinds[last] is CODE and kind is not CODE:
            blanks[i] = max(run, 1)
        else:
            blanks[i] = run
        if kind is BLANK:
            run += 1
        elif kind is TEXT or kind is CODE:
            last, run = i, 0
    upcoming = count
    for i in range(count - 1, -1, -1):
        following[i] = upcoming
        if kinds[i] is TEXT or kinds[i] is CODE:
            upcoming = i
    return previous, following, blanks


def _is_title(doc: Document, first: int) -> bool:
    """The first line names the file when nothing answers it: a question starts right under it
    (a marker, a heading as deep or deeper, a quote, a line that reads as a question), or it is a
    short plain line that no rule takes as a question (see `_opening`).

    A capitalized heading with no `?` that is the only one at its level, with deeper headings
    under it, is also a title: the deeper headings are the questions. `doc` is the file read as
    a plain file: its style is not known yet.
    """
    line = doc.lines[first]
    if _is_marker(doc, first) or first in doc.suppressed:
        return False
    if not EDITOR_MODE_LINE.sub("", line).strip(" \t#"):
        return False  # `# -*- mode: org -*-`: Emacs's file variables alone, for the editor
    heading = _heading(doc, first)
    after = doc.following[first]
    if heading is None:
        return after < len(doc.lines) and _could_be_title(line)
    if heading[1].endswith(QUESTION_END) or QUESTION_MARKER.match(heading[1]):
        return False
    if after == len(doc.lines):
        return True
    if doc.kinds[after] is not TEXT:
        return False
    next_heading = _marked_heading(doc, after)
    if next_heading:
        return next_heading[0] >= heading[0]
    if _is_marker(doc, after) or QUOTE.match(doc.lines[after]):
        return True
    levels = [h[0] for i, k in enumerate(doc.kinds) if k is TEXT and (h := _heading(doc, i))]
    under = first_match(STANDALONE_RULES, doc, after)
    if under is not None:
        # (over a paste and its question, a heading its level repeats is a section's: the
        # headings are the file's questions)
        return under.rule.name is not Rule.PASTED_QUESTION or levels.count(heading[0]) == 1
    alone_at_top = levels.count(heading[0]) == 1 and min(levels) == heading[0]
    return alone_at_top and len(levels) > 1 and not _first_letter(heading[1]).islower()


def _could_be_title(line: str) -> bool:
    text = line.strip()
    return (
        len(text) <= 80
        and not text.endswith(QUESTION_END + STATEMENT_END)
        and not LIST_ITEM.match(line)
        and not QUOTE.match(line)
        and not TABLE_ROW.match(line)
    )


# --- Pass 3, style ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Style:
    """How a file marks its questions (see `detect_style`)."""

    kind: FileStyle = FileStyle.PLAIN
    #: A heading file: the level of its question headings; and whether its first question heading
    #: reads as a question, so that its headings of that level that read as section titles
    #: ("## Example") belong to the answers.
    heading_level: int | None = None
    question_shaped_headings: bool = False
    #: A plain file whose first question is typed in lowercase: its capitalized `?` paragraphs
    #: are the model's, unless they say "I".
    lowercase_asker: bool = False
    #: A chat log whose turns the turn pass found (`chatdeck.turns`): its marker lines, and the
    #: lines it leaves out or shows differently.
    turns: Turns | None = None


#: The style of a file with unmarked questions, and the one the style pass reads a file in.
PLAIN = Style()


def detect_style(plain: Document, speakers: bool = True) -> Style:
    """Pass 3: the file's style, set by its first question. `plain` is the file read as a plain
    file: complete, so the standalone rules can say whether an unmarked question comes first.

    - speaker: a chat export. The first marker names the user's turn, and it opens the body or
      the assistant's turns are marked too (so a stray `Prompt:` in an answer makes no export).
    - heading: the body opens with a heading (or a `Q:`-marked one): its level is the questions'.
    - quote: the body opens with a `>` quote.
    - explicit: a `Q:` marker comes before any line that reads as an unmarked question.
    - plain: unmarked questions. Adding `Q:` to a later line does not change that, so the
      escape hatch never breaks the questions around it.

    `speakers=False` reads a file whose speaker markers come after its first question (an
    example dialogue inside an answer, see `_asked_before_turns`) as if it had none.
    """
    lines = plain.lines
    content = [i for i, kind in enumerate(plain.kinds) if kind is TEXT]
    body = next((i for i in content if i != plain.title_candidate), None)
    if body is None:
        return PLAIN
    first_marker = next(
        (i for i in content if i not in plain.suppressed and _is_marker(plain, i)), None
    )
    heading = _marked_heading(plain, body)
    if (
        speakers
        and first_marker is not None
        and not _question_marker(plain, first_marker)
        and (
            first_marker == body
            or any(
                ASSISTANT_MARKER.match(lines[i]) or ASSISTANT_HEADING.match(lines[i])
                for i in content
            )
        )
    ):
        return Style(FileStyle.SPEAKER)
    marked = [i for i in content if i not in plain.suppressed and _question_marker(plain, i)]
    first_q = marked[0] if marked else len(lines)
    labelled = heading is not None and _bare_label(QUESTION_MARKER, heading[1]) is not None
    if heading and heading[1] and not labelled and not _headings_over(plain, heading[0], marked):
        # (`### Question 1` alone is the question's label, as `Q:` is: the answers' own
        # headings are no questions)
        return Style(FileStyle.HEADING, heading[0], question_shaped_headings=_asks(heading[1]))
    if QUOTE.match(lines[body]) and body not in marked:
        return Style(FileStyle.QUOTE)
    # Does an unmarked question come before the first `Q:`?
    first_guess = next(
        (
            i
            for i in content
            if body <= i < first_q and i not in plain.suppressed and _unmarked_question(plain, i)
        ),
        None,
    )
    if first_guess is not None:
        asking = _asking_line(plain, first_guess)
        return Style(lowercase_asker=_first_letter(lines[asking].strip()).islower())
    if first_q < len(lines):
        return Style(FileStyle.EXPLICIT)
    return PLAIN


def _headings_over(plain: Document, level: int, marked: list[int]) -> bool:
    """The last heading of the body's first heading's level stands right over the first of two
    or more `Q:` markers, none comes after it and none asks: the headings head the file
    (`## Summary`, `## Content`), the markers are its questions."""
    if len(marked) < 2:
        return False
    over = _heading(plain, plain.previous[marked[0]]) if plain.previous[marked[0]] >= 0 else None
    if over is None or over[0] != level:
        return False
    headings = [_heading(plain, i) for i in range(marked[0]) if plain.kinds[i] is TEXT]
    if any(heading[0] == level and _asks(heading[1]) for heading in headings if heading):
        return False  # question headings, then a section of `Q:` questions
    return not any(
        (heading := _heading(plain, i)) is not None and heading[0] == level
        for i in range(marked[0] + 1, len(plain.lines))
        if plain.kinds[i] is TEXT
    )


def _unmarked_question(plain: Document, i: int) -> bool:
    """A standalone rule takes line i (in the file read as a plain file)."""
    return first_match(STANDALONE_RULES, plain, i) is not None


# --- The document the rules read ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Marks:
    """What the marking rules found, by line; and per line, the next line at or after it that
    holds one (the file's length if none): no question reaches past it."""

    found: dict[int, Found]
    next: list[int]


@dataclass(frozen=True)
class Document(Layout):
    """A file as the rules read it: its layout and its style, complete when made."""

    style: Style = PLAIN

    @classmethod
    def read(cls, layout: Layout, style: Style) -> Document:
        """`layout` read in `style`."""
        return cls(**{name: getattr(layout, name) for name in LAYOUT_FIELDS}, style=style)

    @cached_property
    def marks(self) -> Marks:
        """The marking rules, run once over the file, on first use (by the guessing rules and
        `find_questions`); the marking rules themselves read no marks."""
        rules = RUNNING[self.style.kind, RuleKind.MARKING]
        found: dict[int, Found] = {}
        for i in _lines_to_try(self, rules):
            result = first_match(rules, self, i)
            if result is not None:
                found[i] = result
        return Marks(found, _next_of(list(found), len(self.lines)))


def _next_of(indexes: list[int], count: int) -> list[int]:
    """Per line (and one past the last), the first of the ascending `indexes` at or after it;
    `count` past the last of them. Filled a run at a time."""
    upcoming = [count] * (count + 1)
    start = 0
    for index in indexes:
        upcoming[start : index + 1] = [index] * (index + 1 - start)
        start = index + 1
    return upcoming


def _asked_before_turns(plain: Document, turns: Turns) -> bool:
    """A question, with its answer, comes before the first turn: the file is no chat log, and its
    "turns" are an example dialogue inside an answer (`User: my order is late` /
    `Assistant: Sorry ...`). A question-like title right over the first turn is no such
    question."""
    first = min([*turns.user, *turns.assistant])
    return any(
        plain.kinds[i] is TEXT
        and plain.following[i] < first
        and turns.left_out.get(i, HEADER) == HEADER  # not a front matter or metadata line
        and i != turns.title_line
        and (_question_marker(plain, i) is not None or _unmarked_question(plain, i))
        for i in range(first)
    )


def build_document(transcript: Transcript) -> Document:
    """The passes before the rules: code and layout (`lay_out`), then the style, then the turn
    structure of a chat log (`chatdeck.turns`), in any file whose first question is no `Q:`."""
    layout = lay_out(transcript)
    plain = Document.read(layout, PLAIN)
    style = detect_style(plain)
    if style.kind is not FileStyle.EXPLICIT:
        turns = find_turns(layout.lines, [kind is TEXT for kind in layout.kinds])
        if turns is not None and layout.title_candidate in turns.markers:
            # `You` over `---` on the first line: the chat's first marker, underlined as the
            # tool writes every marker, not a title
            layout = _untitled(layout)
            plain = Document.read(layout, PLAIN)
            turns = find_turns(layout.lines, [kind is TEXT for kind in layout.kinds])
        if turns is not None and not _asked_before_turns(plain, turns):
            style = Style(FileStyle.SPEAKER, turns=turns)
        elif turns is not None and style.kind is FileStyle.SPEAKER:
            style = detect_style(plain, speakers=False)  # an example dialogue in an answer
    if style.kind is FileStyle.PLAIN and style.turns is None:
        coded = _as_page_copy(layout)
        if coded is not layout:
            layout, plain = coded, Document.read(coded, PLAIN)
            style = detect_style(plain)
    return plain if style == PLAIN else Document.read(layout, style)


def _as_page_copy(layout: Layout) -> Layout:
    """`layout` read as an unlabelled page copy where it shows one: the code blocks the copy
    flattened read as code (their copy buttons as the page's controls, their fences as
    rewrites), and the page's own lines after the last reply (`page_footer`) on no card;
    itself if there are none. (In a chat log, the turn pass does both in each reply.)"""
    text = [kind is TEXT for kind in layout.kinds]
    page = page_code(layout.lines, text)
    footer = range(page_footer(layout.lines, text, 0, len(layout.lines)), len(layout.lines))
    if page is None and not footer:
        return layout
    kinds = list(layout.kinds)
    blocks = page.blocks if page is not None else {}
    for start, end in blocks.items():
        kinds[start:end] = [CODE] * (end - start)
    controls = set(page.left_out if page is not None else ()) | set(footer)
    for k in controls:
        kinds[k] = IGNORED
    return _relinked(
        layout,
        kinds,
        block_ends={**layout.block_ends, **blocks},
        page_controls=layout.page_controls | {k for k in controls if layout.lines[k].strip()},
        page_rewrites=page.rewrites if page is not None else {},
    )


# --- Reading one line ---------------------------------------------------------------------------


def heading_text(line: str) -> tuple[int, str] | None:
    """`## text ##` -> (2, "text"); None for a line that is not an ATX heading."""
    match = HEADING.match(line)
    if not match:
        return None
    text = (match.group(2) or "").strip()
    closed = text.rstrip("#")
    if closed != text and (not closed or closed[-1] in " \t"):
        text = closed.strip()
    return len(match.group(1)), text


def _heading(doc: Layout, i: int) -> tuple[int, str] | None:
    """A heading that may hold a question: (level, text). Speaker headings (`## You`) are not."""
    line = doc.lines[i]
    if doc.leads[i] != "#" or USER_HEADING.match(line) or ASSISTANT_HEADING.match(line):
        return None
    heading = heading_text(line)
    if heading is not None and _bare_label(ANSWER_MARKER, heading[1]):
        return None  # `## Answer`: the answer's label, as `## A:` is
    return heading


def _marked_heading(doc: Layout, i: int) -> tuple[int, str] | None:
    """A heading, with or without `Q:` before or inside it (`Q: # text`, `# Q: text`)."""
    heading = _heading(doc, i)
    if heading:
        marker = QUESTION_MARKER.match(heading[1])
        return (heading[0], marker.group(1).strip()) if marker else heading
    marker = _question_marker(doc, i)
    return heading_text(marker.group(1)) if marker else None


#: A line that is only a short label in bold (`**Question 1**`, `__Answer__`).
BOLD_LABEL = re.compile(r"^ {0,3}+(\*\*|__)[^*_\n]{1,16}+\1[ \t]*+$")


def _bare_label(marker: re.Pattern[str], text: str) -> re.Match[str] | None:
    """A heading's text that is only a marker's name, with no colon (`Question`, `Answer`)."""
    label = text.strip("*_ \t")
    if not label or len(label) > 16 or not label[0].isalpha():
        return None
    found = marker.match(label + ":")
    return found if found is not None and not found.group(1) else None


def _question_marker(doc: Layout, i: int) -> re.Match[str] | None:
    """`Q: text`; also `> **Question:** text` opening a quote where two or more such labels do,
    the label a tool sets in a quote (the quote mark is its decoration, the label the user's)."""
    lead = doc.leads[i]
    if lead in QUESTION_LEADS:
        return QUESTION_MARKER.match(doc.lines[i])
    if lead == ">" and i in doc.quoted_markers:
        return QUESTION_MARKER.match(_unquote(doc.lines[i]))
    return None


def _is_marker(doc: Layout, i: int) -> bool:
    """A line that opens a question by itself: `Q:`, `User:`, `## You`."""
    if _question_marker(doc, i):
        return True
    line = doc.lines[i]
    return doc.leads[i] in USER_LEADS and bool(USER_MARKER.match(line) or USER_HEADING.match(line))


def _asks(text: str) -> bool:
    """Reads as a question or request: ends in `?`, starts in lowercase (typed by a person), or
    opens with an asking word ("Explain ...", "How ...")."""
    text = text.strip()
    return (
        text.endswith(QUESTION_END)
        or _first_letter(text).islower()
        or bool(ASKING_WORDS.match(text.lstrip("*_")))
    )


def _typed(text: str) -> bool:
    """Typed by a person, not written by a model: starts in lowercase, or with "I" ("I get this
    error when ...")."""
    return _first_letter(text).islower() or bool(SPEAKS_FOR_ITSELF.match(text))


def _first_letter(text: str) -> str:
    """The first letter, past emphasis, quotes and brackets; "" if there is none, or if the line
    opens with `code` (whose case says nothing about who typed it)."""
    for char in text[:40]:
        if char.isalpha():
            return char
        if not (char in "*_\"'([“‘" or char.isspace()):
            return ""
    return ""


# --- The rules, tried in order ------------------------------------------------------------------


def explicit_marker(doc: Document, i: int) -> Hit | None:
    """`Q:` / `Question:` / `问：` in any case, spacing, width or bold: the user's own word that a
    question starts here, so it wins in every style (also `## Q: ...` and `Q: ## ...`)."""
    line = doc.lines[i]
    lead = doc.leads[i]
    quoted_in_chat = lead == ">" and doc.style.turns is not None
    if not quoted_in_chat and (match := _question_marker(doc, i)):
        heading = heading_text(match.group(1))
        text = heading[1] if heading else match.group(1)
    elif (
        lead == "#"
        and (heading := heading_text(line))
        and (match := QUESTION_MARKER.match(heading[1]) or _bare_label(QUESTION_MARKER, heading[1]))
    ):
        text = match.group(1)  # `## Q: text`; `## Question` alone, the question under it
    elif lead in "*_" and BOLD_LABEL.match(line) and (match := _bare_label(QUESTION_MARKER, line)):
        text = match.group(1)  # `**Question 1**` alone: the question under it
    else:
        return None
    text = _strip_bold_end(text)
    reason = "marked `Q:`" if text else "marked `Q:`; the question is on the lines under it"
    return Hit(Confidence.HIGH, text, reason, text_follows=not text)


def _not_a_turn(doc: Document, i: int) -> bool:
    """In a chat log whose turns were found, only the user's turns open questions."""
    turns = doc.style.turns
    return turns is not None and i not in turns.user


def speaker_heading(doc: Document, i: int) -> Hit | None:
    """`## You`, `### Prompt`: a chat export's heading for the user's turn; the question is under
    it. Only in a chat export (see `detect_style`)."""
    if _not_a_turn(doc, i) or not USER_HEADING.match(doc.lines[i]):
        return None
    return Hit(Confidence.HIGH, "", "the user's turn (speaker heading)", text_follows=True)


def speaker_marker(doc: Document, i: int) -> Hit | None:
    """`User:`, `**You:**`, `You said:`: a chat export's marker for the user's turn. Only in a
    chat export: elsewhere `Prompt:` or `Me:` may be a line of an answer."""
    if _not_a_turn(doc, i):
        return None
    match = USER_MARKER.match(doc.lines[i])
    if not match:
        return None
    text = _strip_bold_end(match.group(1))
    return Hit(Confidence.HIGH, text, "the user's turn (speaker marker)", text_follows=not text)


def turn_marker(doc: Document, i: int) -> Hit | None:
    """A user's turn that the turn pass found (`chatdeck.turns`): a marker line of the file's
    own shape (`**User**`, `## 👤 You`, `### role::user`), the first line of a run of prefixed
    lines (aider's `#### `), or the unmarked first turn above the assistant's first marker."""
    turns = doc.style.turns
    if turns is None or i not in turns.user:
        return None
    text = turns.user[i]
    reason = f"the user's turn (turn marker {turns.shape})"
    if text is None:
        return Hit(Confidence.HIGH, "", reason, text_follows=True)
    return Hit(Confidence.HIGH, _strip_bold_end(text), reason)


def _user_turns(doc: Document) -> Collection[int]:
    """The lines `turn_marker` can take: the user's turns the turn pass found."""
    return doc.style.turns.user if doc.style.turns is not None else ()


def heading_question(doc: Document, i: int) -> Hit | None:
    """In a file whose first question is a heading, the headings of that level are questions.
    Deeper (and shallower) headings are sections of an answer; so is a heading of that level that
    reads as a section title ("## Example") when the file's question headings read as questions."""
    if i == doc.title_candidate:
        return None
    heading = _heading(doc, i)
    if not heading or heading[0] != doc.style.heading_level or not heading[1]:
        return None
    if doc.style.question_shaped_headings and not _asks(heading[1]):
        return None
    reason = f"level-{heading[0]} heading, the level of this file's questions"
    return Hit(Confidence.HIGH, heading[1], reason)


def quoted_prompt(doc: Document, i: int) -> Hit | None:
    """In a file that opens with a `>` quote, each quote block that starts a paragraph is a
    prompt, unless it shows it is part of an answer: the line before introduces it ("for
    example:"), the sentence goes on after it in lowercase, or it is a callout ("> **Note:**")."""
    if not QUOTE.match(doc.lines[i]):
        return None
    if _introduces(doc, i) or _continued(doc, i, _quote_end(doc, i)):
        return None
    if _unquote(doc.lines[i]).lstrip().startswith(("**", "__", "[!")):
        return None  # a callout of the answer: "> **Note:** ...", "> [!TIP]"
    quote = "\n".join(_unquote(doc.lines[j]) for j in range(i, _quote_end(doc, i)))
    return Hit(Confidence.MEDIUM, _unlabeled(quote).partition("\n")[0], "`>` quote block")


#: A line that opens with a label and its colon (`Role: viewer`, `Boss: Fine.`).
FIELD_LABEL = re.compile(
    r"^[ \t]*+[^\W\d_][\w.'-]{0,30}+(?:[ \t][^\W\d_][\w.'-]{0,30}+)?[ \t]*+:[ \t]"
)


def _unlabeled(text: str) -> str:
    """A quoted prompt's first line without the user's label a tool writes in the quote
    (`> You: what is ...`): the label names who asked, the card shows what."""
    first, newline, rest = text.partition("\n")
    labeled = USER_MARKER.match(first)
    if labeled is None or not labeled.group(1).strip():
        return text
    if any(FIELD_LABEL.match(line) for line in rest.split("\n")):
        return text  # (`> User: ana` over `> Role: viewer`, `> Me: ...` over `> Boss: ...`: a
        # record's fields or a dialogue the user quotes, each line's label its own)
    return labeled.group(1) + newline + rest


def copied_list_item(doc: Document, i: int) -> Hit | None:
    """`1. What is X?` (number kept or not) standing alone, copied from a list in an earlier
    answer: people ask about the items a model listed, one at a time."""
    line = doc.lines[i]
    if len(line) > MAX_QUESTION:
        return None
    item = ITEM_TEXT.match(line)
    if item and not NUMBERED_ITEM.match(line):
        return None  # a bullet on its own is a one-item list, not a copy
    if not item and (line[:1].isspace() or doc.leads[i] in ("#", ">", "|")):
        return None
    text = item.group(1).strip() if item else line.strip()
    if not item and not text.endswith(QUESTION_END):
        return None  # without its number, only a question is a copy; a statement is prose
    if not _stands_alone(doc, i):
        return None
    earlier = doc.list_items.get(normalize_question(text))
    if earlier is None or earlier >= doc.previous[i]:
        return None  # not listed before, or listed in the very list this line belongs to
    return Hit(Confidence.HIGH, text, f"copies the list item on line {earlier + 1}")


def pasted_question(doc: Document, i: int) -> Hit | None:
    """`Traceback (most recent call last):` ... then, one blank line under it, `why does this
    fail?`: program output or code pasted without a fence, opening a paragraph of its own, and a
    short paragraph asking about it under it, then a reply, in a file of unmarked questions. The
    question is both, whole: people paste the log first and ask under it (a reply fences what it
    shows). The asking line alone would read as the model's own question: it points back
    (`this`) at the paste."""
    if doc.style.kind is not FileStyle.PLAIN or not _opens_paragraph_with_reply(doc, i):
        return None
    line = doc.lines[i]
    if line[:1].isspace() or len(line) > MAX_QUESTION or _not_standalone(doc, i) is not None:
        return None
    bound = _next_marked(doc, i)
    end = _paste_end(doc, i, bound)
    if end is None:
        return None
    asked = _asking_under(doc, i, end, bound)
    if asked is None:
        return None
    if not _before_any_reply(doc, i):
        # Inside an answer, the paste may be the model's own example (a page copy drops its
        # fence): then the next question does not ask about it (`what about a string?`), and
        # a capitalized question under code is the model's (`What does this print?`).
        asking = doc.following[end - 1]
        if not _refers_back(doc.lines[i:end], doc.lines[asking:asked]):
            return None
        if not _typed(doc.lines[asking].strip()):
            if not program_output(doc.lines[i:end]):
                return None
            return Hit(
                Confidence.LOW,
                line.strip(),
                "pasted output with a capitalized question under it, inside an answer",
            )
    return Hit(
        Confidence.MEDIUM, line.strip(), "pasted output with a short paragraph asking about it"
    )


def _paste_end(doc: Document, i: int, bound: int) -> int | None:
    """Past the paste a pasted question opens with at line i: a paragraph of program output
    or code, two lines or more; at the top of the file, also a run of such paragraphs, and
    indented code, under a line of the asker's that ends with a colon (`I have this script:`),
    as a page copy shows a prompt's lines one a paragraph. None if line i opens no paste."""
    end = _block_end(doc, i, bound)
    pasted = pasted_output(doc.lines[i:end])
    single = pasted and end - i >= 2
    if not _before_any_reply(doc, i):
        return end if single else None
    led = end - i == 1 and doc.lines[i].rstrip().endswith(COLONS)
    if not (pasted or led):
        return None
    blocks = 1
    while (j := doc.following[end - 1]) < bound and doc.kinds[j] in (TEXT, CODE):
        after = _block_end(doc, j, bound)
        shown = doc.lines[j:after]
        if doc.kinds[j] is TEXT and not (
            pasted_output(shown) or (len(shown) == 1 and code_line(shown[0]))
        ):
            break  # (in a run of code, `main()` alone is code too)
        end, blocks = after, blocks + 1
    if blocks == 1:
        return end if single else None
    return end


def _before_any_reply(doc: Document, i: int) -> bool:
    """Nothing but the title above line i, or a page's short lines (its name, menu, sidebar:
    a few words each, none asking): the paste opens the file's first question."""
    return all(
        doc.kinds[k] not in (TEXT, CODE)
        or k == doc.title_candidate
        or (
            doc.kinds[k] is TEXT
            and len(doc.lines[k].split()) <= MAX_PAGE_LINE_WORDS
            and not doc.lines[k].rstrip().endswith(QUESTION_END)
        )
        for k in range(i)
    )


#: The most words of a page's own line over the first question (`Conversation with Gemini`).
MAX_PAGE_LINE_WORDS = 6


def _refers_back(paste: list[str], asking: list[str]) -> bool:
    """The asking paragraph points at the paste (`this`, `it`, `here`), is a bare `why?`, or
    names a word of it (`what does non-fast-forward mean?`)."""
    words = WORD.findall(" ".join(asking).casefold().replace("’", "'"))
    if len(words) <= 2 or any(w in POINTING_WORDS or w == "here" for w in words):
        return True
    pasted = set(WORD.findall(" ".join(paste).casefold()))
    return any(len(w) >= 4 and w in pasted for w in words)


def _asking_line(doc: Document, i: int) -> int:
    """The first line of the question that opens at line i, as the asker typed it: under a
    pasted question's output, the asking paragraph's first line."""
    found = first_match(STANDALONE_RULES, doc, i)
    if found is None or found.rule.name is not Rule.PASTED_QUESTION:
        return i
    end = _paste_end(doc, i, _next_marked(doc, i))
    return doc.following[(end if end is not None else _block_end(doc, i, len(doc.lines))) - 1]


def _pasted_extent(doc: Document, i: int) -> int:
    """Past the asking paragraph under a pasted question's output (`pasted_question`)."""
    bound = _next_marked(doc, i)
    end = _paste_end(doc, i, bound)
    return (_asking_under(doc, i, end, bound) if end is not None else None) or i + 1


def _next_marked(doc: Document, i: int) -> int:
    """The first line after line i that a marking rule took (the file's length if none): no
    question reaches past it."""
    return doc.marks.next[i + 1] if i + 1 < len(doc.lines) else len(doc.lines)


@dataclass(frozen=True, slots=True)
class Signals:
    """What `standalone_question` weighs about a line that opens a paragraph."""

    asks: bool  # ends in `?`
    typed: bool  # starts in lowercase (or with "I"), as people type
    capitalized: bool  # starts with a capital (or a CJK character), as models write
    separated: bool  # two blank lines before it, as people separate turns
    attached: bool  # text (not a list) right under it: the reply
    alone: bool  # a blank line (or code) right under it
    pasted: bool  # code or program output right under it, then more text: part of the question
    leans: bool  # short, and leans on the text before it ("So which?", "Why does this matter?")
    to_reader: bool  # addresses "you" (not "can you ..."): the model talking to its reader
    first_person: bool  # says "I" / "my": the asker talking
    prose: bool  # a statement sentence before the final `?`: the end of a paragraph

    @property
    def rhetorical(self) -> bool:
        return self.capitalized and (self.leans or self.to_reader)


def _opens_paragraph_with_reply(doc: Document, i: int) -> bool:
    """Line i opens a paragraph and something follows it: where the standalone rules look."""
    return doc.blanks[i] > 0 and doc.following[i] < len(doc.lines)


def standalone_question(doc: Document, i: int) -> Hit | None:
    """A short line that opens a paragraph, as people type questions: lowercase, or ending in `?`.

    Model replies ask rhetorical questions too, so the confidence says how sure this is (see
    `Signals`): high for a lowercase question or one set off by two blank lines; medium for one
    with pasted code or output under it, a capitalized one with its reply right under it, or a
    capitalized one on its own in a file of unmarked questions; low for a capitalized one on its
    own in a file of lowercase questions. A capitalized question that leans on the text before it
    or talks to "you" is the model's own, and so is a `?` ending a paragraph of statements. Not in
    a chat export, which marks every turn.
    """
    if not _opens_paragraph_with_reply(doc, i):
        return None
    text = doc.lines[i].strip()
    if not text.endswith(QUESTION_END) and not _typed(text):
        return None
    signals = _signals(doc, i)
    if signals is None:
        return None
    asks, plain = signals.asks, doc.style.kind is FileStyle.PLAIN
    if asks and signals.typed:
        return Hit(Confidence.HIGH, text, "lowercase line ending in `?`")
    if asks and signals.separated:
        return Hit(Confidence.HIGH, text, "set off by two blank lines")
    if signals.pasted:
        return Hit(
            Confidence.MEDIUM, text, "a line with pasted code or output under it, then a reply"
        )
    if not asks or signals.rhetorical:
        return None
    if signals.attached and not signals.prose:
        return Hit(Confidence.MEDIUM, text, "capitalized `?` line with its reply right under it")
    if plain and signals.alone and (signals.first_person or not doc.style.lowercase_asker):
        return Hit(Confidence.MEDIUM, text, "`?` paragraph in a file of unmarked questions")
    if plain and signals.alone and not signals.prose:
        return Hit(
            Confidence.LOW, text, "capitalized `?` paragraph in a file of lowercase questions"
        )
    return None


def standalone_request(doc: Document, i: int) -> Hit | None:
    """`difference between etcd and zookeeper`: a lowercase line without `?` that opens with an
    asking word, in a file of unmarked questions or set off by two blank lines (after
    `standalone_question`, which takes such a line with pasted code under it)."""
    if not _opens_paragraph_with_reply(doc, i):
        return None
    text = doc.lines[i].strip()
    if len(text) > 120 or not ASKING_WORDS.match(text):
        return _unpunctuated_request(doc, i, text)
    if not _typed(text):
        return _capitalized_request(doc, i, text)
    if text.endswith(QUESTION_END + STATEMENT_END):
        return None
    signals = _signals(doc, i)
    if signals is None or not (doc.style.kind is FileStyle.PLAIN or signals.separated):
        return None
    return Hit(Confidence.LOW, text, "lowercase line without `?`")


#: The fewest words of a request typed with no sentence's end: a heading a page copy left
#: without its `#` is shorter.
MIN_UNPUNCTUATED_REQUEST = 8
NOT_PROSE_LEADS = frozenset("#>|<-*+")
#: A sentence's end inside a line, another sentence after it.
SENTENCE_INSIDE = re.compile(r"[.!?。！？][ \t]+\S")


def _unpunctuated_request(doc: Document, i: int, text: str) -> Hit | None:
    """`Write me a function that reads the file and skips the header` in a file of unmarked
    questions, in any language: a line of eight words or more that ends no sentence, alone in
    its paragraph, between a reply's last sentence (or code) and the next reply's first. A
    model ends its sentences; a line of its own without an end is a heading or a list item,
    short, or under a line that introduces it (`:`)."""
    if doc.style.kind is not FileStyle.PLAIN or len(text) > MAX_QUESTION or "\t" in text:
        return None
    words = text.split()
    if len(words) < MIN_UNPUNCTUATED_REQUEST or text.endswith(PROSE_END + STATEMENT_END):
        return None
    if doc.leads[i] in NOT_PROSE_LEADS or LIST_OR_TABLE.match(text) or code_line(text):
        return None  # (a heading, a quote, a list item, a tag, a line of code)
    if SENTENCE_INSIDE.search(text):
        return None  # `... what happened. A title such as`: a model's sentences, run on
    if LABEL_LEAD.match(text):
        return None  # `Figure 2: the flow ...`, `Step 2 - choose ...`: a caption, a step's title
    before = doc.previous[i]
    if before >= 0 and doc.kinds[before] is CODE:
        return None  # (a caption under the model's code block)
    if _sibling_item(doc, i):
        return None  # (items of a list the copy lost its markers of, each over its sentence)
    if _verse(doc, before, -1) and _verse(doc, doc.following[i], 1):
        return None  # (a poem's line set apart between its stanzas)
    if before >= 0 and doc.kinds[before] is TEXT:
        ending = doc.lines[before].rstrip()
        if not ending.endswith(PROSE_END) or ending.endswith(COLONS + QUESTION_END):
            return None  # (under an unended line, one that introduces it, or a question)
    after = doc.following[i]
    if after >= len(doc.lines) or doc.kinds[after] is not TEXT or doc.leads[after] == ">":
        return None
    if after == i + 1:
        return None  # (the first line of a paragraph: prose wrapped at a column, or a list)
    reply = doc.lines[after].strip()
    if not reply.endswith(PROSE_END) or len(reply.split()) < 3:
        return None  # (the next line must be a sentence: a reply's, not another item)
    return Hit(Confidence.LOW, text, "a long line ending no sentence, between two replies")


#: A label opening a line: a few words then a colon or a spaced dash (`Figure 2:`, `Step 2 -`).
LABEL_LEAD = re.compile(r"^(?:\S+[ \t]+){0,3}?\S+(?:[:：፦][ \t]|[ \t]+[-–—][ \t])")


def _long_unended(doc: Document, k: int) -> bool:
    """Line k alone in its paragraph, eight words or more, ending no sentence."""
    if not (0 <= k < len(doc.lines)) or doc.kinds[k] is not TEXT:
        return False
    if doc.following[k] == k + 1 or (k > 0 and doc.kinds[k - 1] is TEXT):
        return False
    text = doc.lines[k].strip()
    if doc.leads[k] in NOT_PROSE_LEADS or code_line(text) or SENTENCE_INSIDE.search(text):
        return False
    return len(text.split()) >= MIN_UNPUNCTUATED_REQUEST and not text.endswith(
        PROSE_END + STATEMENT_END + QUESTION_END
    )


#: The most words of a line of verse (a stanza's short lines, each ending a sentence or not).
MAX_VERSE_WORDS = 7


def _verse(doc: Document, start: int, step: int) -> bool:
    """The paragraph from line `start` (its last line going up, step -1; its first going down,
    step 1) has two lines or more, each short: a poem's stanza, not a reply's prose."""
    k, count = start, 0
    while 0 <= k < len(doc.lines) and doc.kinds[k] is TEXT and doc.lines[k].strip():
        if len(doc.lines[k].split()) > MAX_VERSE_WORDS:
            return False
        k, count = k + step, count + 1
    return count >= 2


def _sibling_item(doc: Document, i: int) -> bool:
    """Line i (`_unpunctuated_request`'s shape) has a line of the same shape two paragraphs
    over or under it, one paragraph of a single line between: a list's items, each with its
    sentence, not a request and its reply."""
    after = doc.following[i]
    if after < len(doc.lines) and doc.following[after] != after + 1:
        if _long_unended(doc, doc.following[after]):
            return True
    before = doc.previous[i]
    if before >= 0 and (before == 0 or doc.kinds[before - 1] is not TEXT):
        return _long_unended(doc, doc.previous[before])
    return False


#: Verbs that open a request typed without a question mark ("Explain the second point").
IMPERATIVES = frozenset(
    "explain compare describe define list give show tell write summarize summarise elaborate "
    "clarify contrast outline walk".split()
)


def _capitalized_request(doc: Document, i: int, text: str) -> Hit | None:
    """`Explain the frame clause ROWS BETWEEN`, `Compare X and Y`: a capitalized request that
    opens with an imperative verb, on its own line in a file of unmarked questions, with a reply
    after it. A model's lines rarely stand alone without a full stop or a colon."""
    words = WORD.findall(text.casefold())
    if (
        doc.style.kind is not FileStyle.PLAIN
        or not 2 <= len(words) <= 15
        or words[0] not in IMPERATIVES
    ):
        return None
    # "Give me an example." asks with a full stop; other statements end a model's paragraph.
    if text.endswith(QUESTION_END + STATEMENT_END) and not (
        text.endswith(".") and words[1] in ("me", "us") and text.count(".") == 1
    ):
        return None
    signals = _signals(doc, i)
    if signals is None or signals.to_reader:
        return None
    if signals.attached and _first_letter(doc.lines[i + 1]).islower():
        return None  # the sentence goes on: the first line of a paragraph
    return Hit(Confidence.LOW, text, "capitalized request without `?` (opens with a verb)")


def _near_miss(doc: Document, i: int) -> bool:
    """A line that reads like a request without `?` (`Explain ...`, `how to ...`) and opens a
    paragraph, but no rule took: the dry-run lists it."""
    text = doc.lines[i].strip()
    return (
        doc.blanks[i] > 0
        and len(text) <= 120
        and not text.endswith(QUESTION_END + STATEMENT_END)
        and bool(ASKING_WORDS.match(text))
        and 2 <= len(text.split()) <= 15
    )


def _signals(doc: Document, i: int) -> Signals | None:
    """The signals for line i, or None when it cannot be a question on its own at all."""
    line = doc.lines[i]
    text = line.strip()
    if (
        len(text) > MAX_QUESTION
        or _not_standalone(doc, i) is not None
        or (text.startswith(("**", "__")) and text.endswith(("**", "__")))  # a bold pseudo-heading
    ):
        return None
    words = WORD.findall(text.casefold().replace("’", "'"))
    if not words:
        return None
    letter, typed = _first_letter(text), _typed(text)
    capitalized = not typed and (letter.isupper() or bool(CJK.match(letter)))
    return Signals(
        asks=text.endswith(QUESTION_END),
        typed=typed,
        capitalized=capitalized,
        separated=doc.blanks[i] >= 2,
        attached=doc.text(i + 1) and not LIST_ITEM.match(doc.lines[i + 1]),
        alone=not doc.text(i + 1),
        pasted=_has_paste(doc, i),
        leans=len(words) <= 8
        and (words[0] in LINKING_OPENERS or any(w in POINTING_WORDS for w in words)),
        to_reader=any(w in READER_WORDS for w in words)
        and not (words[0] in REQUEST_OPENERS and words[1:2] == ["you"]),
        first_person=any(w in ASKER_WORDS for w in words),
        prose=capitalized and bool(SENTENCE_BREAK.search(text)),
    )


def _not_standalone(doc: Document, i: int) -> str | None:
    """Why line i cannot be a question on its own (it is part of a larger block), or None."""
    line = doc.lines[i]
    if line[:1].isspace():
        return "indented: part of the block above"
    if LIST_ITEM.match(line):
        return "a list item inside an answer"
    if doc.leads[i] == "#" and HEADING.match(line):
        return "a heading that is not a question heading of this file"
    if QUOTE.match(line):
        return "a quote inside an answer"
    if TABLE_ROW.match(line):
        return "a table row"
    if doc.blanks[i] == 0:
        return "inside a paragraph (no blank line before it)"
    if (
        doc.style.kind is not FileStyle.SPEAKER
        and _is_marker(doc, i)
        and not _question_marker(doc, i)
    ):
        return "names a speaker, but this file is no chat export (its first question is not)"
    if _introduces(doc, i):
        return "introduced by the line before it (ending in `:`)"
    return None


def _has_paste(doc: Document, i: int) -> bool:
    """A code block or program output right under line i, and then more text for the reply."""
    below = i + 1
    if below >= len(doc.lines) or doc.lines[i].rstrip().endswith(COLONS):
        return False
    if doc.kinds[below] is CODE or (doc.kinds[below] is TEXT and _is_output(doc.lines[below])):
        end = _block_end(doc, below)
        return end < len(doc.lines) and doc.following[end - 1] < len(doc.lines)
    return False


def _is_output(line: str) -> bool:
    return bool(OUTPUT_START.match(line)) and not LIST_ITEM.match(line)


def _introduces(doc: Document, i: int) -> bool:
    """A line right after 'for example:' is an example inside an answer, not a new question."""
    previous = doc.previous[i]
    return (
        previous >= 0
        and doc.kinds[previous] is TEXT
        and doc.lines[previous].rstrip().endswith(COLONS)
    )


def _quote_end(doc: Document, i: int) -> int:
    """Index just past the quote block starting at line i."""
    j = i + 1
    while j < len(doc.lines) and doc.kinds[j] is TEXT and QUOTE.match(doc.lines[j]):
        j += 1
    return j


def _continued(doc: Document, start: int, end: int) -> bool:
    """A sentence runs through the block [start, end) ("A title such as / > ... / works
    better"): the paragraph before it stops without a full stop, and the one after it goes on in
    lowercase."""
    before, after = doc.previous[start], doc.following[end - 1]
    return (
        before >= 0
        and after < len(doc.lines)
        and doc.kinds[before] is TEXT
        and doc.kinds[after] is TEXT
        and not doc.lines[before].rstrip().endswith(STATEMENT_END + QUESTION_END + (")",))
        and not (HEADING.match(doc.lines[before]) or LIST_ITEM.match(doc.lines[before]))
        and after not in doc.marks.found
        and not LIST_ITEM.match(doc.lines[after])
        and _first_letter(doc.lines[after][:40]).islower()
    )


def _stands_alone(doc: Document, i: int) -> bool:
    """Its own paragraph (or its reply right under it), not one item of a list."""
    if doc.blanks[i] == 0 or _introduces(doc, i):
        return False
    after = doc.following[i]
    if after >= len(doc.lines) or doc.kinds[after] is not TEXT:
        return True
    if after == i + 1:
        return not LIST_ITEM.match(doc.lines[after])
    previous = doc.previous[i]
    in_list = previous >= 0 and doc.kinds[previous] is TEXT and LIST_ITEM.match(doc.lines[previous])
    numbered = NUMBERED_ITEM.match(doc.lines[after]) and NUMBERED_ITEM.match(doc.lines[i])
    return not ((in_list and LIST_ITEM.match(doc.lines[after])) or numbered)


def _strip_bold_end(text: str) -> str:
    """`**Q: what is X?**` leaves `what is X?**`: drop the unmatched closing bold."""
    text = text.strip()
    for mark in ("**", "__"):
        if text.endswith(mark) and text.count(mark) % 2 == 1:
            text = text[: -len(mark)].rstrip()
    return text


def _unquote(line: str) -> str:
    return UNQUOTE.sub("", line).rstrip()


# --- A rule's own extent and question text ------------------------------------------------------


def _own_line(doc: Document, start: int) -> int:
    """A question's own lines: its first line (the lines under it may join it, see
    `_question_extent`)."""
    return start + 1


def _marked_text(doc: Document, found: Found, end: int) -> str:
    """The question's lines [start, end), its first line as the rule read it (without its
    marker); under a label set in a quote, the quote's lines without their `>`."""
    text = _join(doc, found.index, end, found.text).strip()
    if doc.leads[found.index] != ">":
        return text
    return "\n".join(_unquote(line) if QUOTE.match(line) else line for line in text.split("\n"))


def _quoted_text(doc: Document, found: Found, end: int) -> str:
    """The quote without its `>` marks, then any lines that joined it."""
    start = found.index
    quote_end = _quote_end(doc, start)
    quoted = "\n".join(_unquote(doc.lines[j]) for j in range(start, quote_end)).strip()
    quoted = _unlabeled(quoted)
    rest = _join(doc, quote_end, end)
    return f"{quoted}\n{rest}".strip() if rest.strip() else quoted


# --- The rule table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """One rule of the chain: its name, its kind, the file styles it runs in, the first
    characters a line it takes can start with (a cheap filter; None: any, unless `lines` says),
    its match function, and its question's own lines and text where they differ from a
    one-line question's."""

    name: Rule
    kind: RuleKind
    match: Callable[[Document, int], Hit | None]
    styles: frozenset[FileStyle] = frozenset(FileStyle)  # every style
    leads: frozenset[str] | None = None
    #: The only lines it can take, for a rule whose lines no first character tells (a cheap
    #: filter, like `leads`).
    lines: Callable[[Document], Collection[int]] | None = None
    #: Index just past the question's own lines, from its first line.
    extent: Callable[[Document, int], int] = _own_line
    #: The question's text, from its found first line and the end of the question.
    question_text: Callable[[Document, Found, int], str] = _marked_text


MARKING, GUESSING = RuleKind.MARKING, RuleKind.GUESSING
ALL_STYLES = frozenset(FileStyle)
SPEAKER_FILES = frozenset({FileStyle.SPEAKER})
OTHER_FILES = ALL_STYLES - SPEAKER_FILES  # a chat export marks every turn: nothing to guess
#: The guessing rules the style pass asks whether an unmarked question comes first.
STANDALONE_RULES = (
    RuleSpec(
        Rule.PASTED_QUESTION,
        GUESSING,
        pasted_question,
        styles=frozenset({FileStyle.PLAIN}),
        extent=_pasted_extent,
    ),
    RuleSpec(Rule.STANDALONE_QUESTION, GUESSING, standalone_question, styles=OTHER_FILES),
    RuleSpec(Rule.STANDALONE_REQUEST, GUESSING, standalone_request, styles=OTHER_FILES),
)
#: The chain, in order. The marking rules come first (`Document.marks` runs them over the whole
#: file, since no question reaches past a marked one); the guessing rules only look at a line
#: that opens a paragraph.
RULES: tuple[RuleSpec, ...] = (
    RuleSpec(Rule.EXPLICIT_MARKER, MARKING, explicit_marker, leads=MARKER_LEADS),
    RuleSpec(
        Rule.SPEAKER_HEADING, MARKING, speaker_heading, styles=SPEAKER_FILES, leads=HEADING_LEADS
    ),
    RuleSpec(
        Rule.SPEAKER_MARKER, MARKING, speaker_marker, styles=SPEAKER_FILES, leads=SPEAKER_LEADS
    ),
    RuleSpec(Rule.TURN_MARKER, MARKING, turn_marker, styles=SPEAKER_FILES, lines=_user_turns),
    RuleSpec(
        Rule.HEADING,
        MARKING,
        heading_question,
        styles=frozenset({FileStyle.HEADING}),
        leads=HEADING_LEADS,
    ),
    RuleSpec(
        Rule.QUOTED_PROMPT,
        GUESSING,
        quoted_prompt,
        styles=frozenset({FileStyle.QUOTE}),
        leads=frozenset(">"),
        extent=_quote_end,
        question_text=_quoted_text,
    ),
    RuleSpec(Rule.COPIED_LIST_ITEM, GUESSING, copied_list_item, styles=OTHER_FILES),
    *STANDALONE_RULES,
)
#: The rules of each kind that run in a file of each style, in chain order.
RUNNING: dict[tuple[FileStyle, RuleKind], tuple[RuleSpec, ...]] = {
    (style, kind): tuple(rule for rule in RULES if rule.kind is kind and style in rule.styles)
    for style in FileStyle
    for kind in RuleKind
}


def _lines_to_try(doc: Document, rules: tuple[RuleSpec, ...]) -> list[int]:
    """The text lines, in order, that one of `rules` may take by its cheap filter: the line's
    first character, or the rule's own lines (a chat log's unmarked first turn may open with a
    code line: it is the turn pass's to say)."""
    own = set().union(*(rule.lines(doc) for rule in rules if rule.lines is not None))
    if any(rule.leads is None and rule.lines is None for rule in rules):
        leads = None  # a rule that may take any line
    else:
        leads = frozenset(lead for rule in rules for lead in rule.leads or ())
    return [
        i
        for i, (kind, lead) in enumerate(zip(doc.kinds, doc.leads, strict=True))
        if (i in own and kind is CODE)
        or (
            kind is TEXT
            and (leads is None or lead in leads or i in own)
            and i not in doc.suppressed
        )
    ]


def first_match(rules: tuple[RuleSpec, ...], doc: Document, i: int) -> Found | None:
    """The first of `rules` (in order) that takes line i, as a Found."""
    lead = doc.leads[i]
    for rule in rules:
        if rule.leads is not None and lead not in rule.leads:
            continue
        hit = rule.match(doc, i)
        if hit is not None:
            return Found(rule, i, hit.confidence, hit.text, hit.reason, hit.text_follows)
    return None


# --- Pass 4: finding questions and their extent -------------------------------------------------


def find_questions(doc: Document) -> list[Question]:
    """Offer every text line to the rules (the marking rules' results are `doc.marks`); after a
    question, skip the lines that belong to it. Then drop what is no question of its own (see
    `_empty`): a guess stays a line of the answer before it, or the file's title."""
    guessing = RUNNING[doc.style.kind, RuleKind.GUESSING]
    marked = doc.marks.found
    kinds, blanks, suppressed = doc.kinds, doc.blanks, doc.suppressed
    questions: list[Question] = []
    count = len(doc.lines)
    i = 0
    while i < count:
        found = None
        if kinds[i] is CODE:
            found = marked.get(i)  # a chat log's first turn that opens with code
        elif kinds[i] is TEXT and i not in suppressed:
            found = marked.get(i)
            if found is None and blanks[i] > 0:
                found = first_match(guessing, doc, i)
        if found is None:
            i += 1
            continue
        end, answer_start = _question_extent(doc, found)
        questions.append(Question(found, end, answer_start))
        i = max(end, i + 1)
    starts = [question.found.index for question in questions[1:]] + [count] if questions else []
    return [
        question
        for question, next_start in zip(questions, starts, strict=True)
        if not _empty(doc, question, next_start)
    ]


def _empty(doc: Document, question: Question, next_start: int) -> bool:
    """A guess that nothing answers, or a bare marker (`## You`, `Question:`) with nothing
    under it before the next question: not a question of its own."""
    found = question.found
    if found.rule.kind is RuleKind.GUESSING:
        return doc.following[question.end - 1] >= next_start
    return found.text_follows and doc.following[found.index] >= next_start


def _answer_marker_text(doc: Document, i: int) -> str | None:
    """The text after an answer marker on line i (`A:`, `Assistant:`, `## ChatGPT`), or None."""
    turns = doc.style.turns
    if turns is not None and i in turns.assistant:
        return turns.assistant[i]  # the turn pass reads a chat saved as XML by its own fences
    if doc.kinds[i] is not TEXT:
        return None
    line = doc.lines[i]
    match = ANSWER_MARKER.match(line)
    if match:
        return match.group(1)
    heading = heading_text(line) if doc.leads[i] == "#" else None
    if heading and (
        match := ANSWER_MARKER.match(heading[1]) or _bare_label(ANSWER_MARKER, heading[1])
    ):
        return match.group(1)  # `# A:`, `## Answer`, as `# Q:` and `## Question` open one
    if BOLD_LABEL.match(line) and (match := _bare_label(ANSWER_MARKER, line)):
        return match.group(1)  # `**Answer 1**`, as `**Question 1**` opens one
    if turns is not None:
        return None
    if doc.style.kind is FileStyle.SPEAKER:
        match = ASSISTANT_MARKER.match(line)
        if match:
            return match.group(1)
        if ASSISTANT_HEADING.match(line):
            return ""
    return None


def _block_end(doc: Document, i: int, stop: int | None = None) -> int:
    """Index just past the block starting at i: a code block or a run of text lines; never
    past `stop` (the next marked question), so that a file of questions with no blank lines
    between them costs one pass, not a pass per question."""
    stop = len(doc.lines) if stop is None else min(stop, len(doc.lines))
    if doc.kinds[i] is CODE:
        end = doc.block_ends.get(i)
        if end is not None:
            return min(end, stop)
        j = i + 1
        while j < stop and doc.kinds[j] is CODE:
            j += 1
        return j
    j = i + 1
    while j < stop and doc.kinds[j] in (TEXT, DIRECTIVE_KIND):
        j += 1
    return j


def _question_extent(doc: Document, found: Found) -> tuple[int, int]:
    """(first index after the question, first index of the answer); never past the next marked
    question.

    In a chat export the question runs to the assistant's marker (`## ChatGPT`). Elsewhere the
    question is its own lines (its rule's `extent`: its line, or the whole `>` quote; the block
    under a `Question:` alone) and the lines right under them when an answer marker (`A:`) ends
    them, plus any code block, quote or program output pasted under it, as long as a reply still
    follows; an answer marker right after that starts the answer. An `A:` further down is the
    model's text, not the end of the question.
    """
    start = found.index
    bound = doc.marks.next[start + 1]
    turns = doc.style.turns
    if turns is not None and start in turns.answers and found.rule.name is not Rule.EXPLICIT_MARKER:
        answer = min(turns.answers[start], bound)
        return answer, answer
    if doc.style.kind is FileStyle.SPEAKER:
        marker = _answer_marker_in(doc, start + 1, bound)
        if marker is not None:
            return marker, marker
    if found.text_follows:
        first = doc.following[start]
        if first >= bound:
            return bound, bound
        end = _block_end(doc, first, bound)
        marker = _answer_marker_in(doc, first, end)
        if marker is None and (doc.blanks[first] >= 1 or doc.leads[start] == "#"):
            # a tool's `Question:` alone, a blank line, paragraphs, `Answer:` alone (by hand, the
            # question goes right under its label, and worked steps under it are the answer's);
            # a tool's `## Question` heading runs to its `## Answer` heading
            marker = next((j for j in range(end, bound) if _bare_answer_label(doc, j)), None)
        if marker is not None:
            return marker, marker
    else:
        end = min(found.rule.extent(doc, start), bound)
    if end < bound and doc.kinds[end] is TEXT:  # lines right under the question
        run_end = _block_end(doc, end, bound)
        marker = _answer_marker_in(doc, end, run_end)
        after = doc.following[run_end - 1]
        if marker is not None:
            return marker, marker
        if after < bound and doc.blanks[after] <= 1 and _answer_marker_text(doc, after) is not None:
            return run_end, after
    while end < bound:
        j = doc.following[end - 1]
        if j >= bound or doc.blanks[j] > 1:
            break
        if _answer_marker_text(doc, j) is not None:
            return end, j
        attached = doc.kinds[j] is CODE or (
            j == end
            and doc.kinds[j] is TEXT
            and (QUOTE.match(doc.lines[j]) or _is_output(doc.lines[j]))
        )
        if not attached:
            asked = _asked_under_paste(doc, found, end, bound)
            return asked if asked is not None else (end, end)
        block_end = _block_end(doc, j, bound)
        if doc.following[block_end - 1] >= bound:
            break  # nothing would be left for the reply: the block is the answer
        end = block_end
    return end, end


def _asked_under_paste(doc: Document, found: Found, end: int, bound: int) -> tuple[int, int] | None:
    """(the end of the asking paragraph, the answer's start) under a question that so far only
    pastes (its first line program output, with the lines right under it, or a code block under
    it, and any paragraphs of unfenced code under that), after one blank line: short, ending in
    `?`, nothing above it in the question asking, and a reply after it, opened by its marker
    (`A:`) where there is one. People paste the log first and ask under it."""
    start = found.index
    marked = found.rule.name in (Rule.EXPLICIT_MARKER, Rule.SPEAKER_MARKER)
    if marked and _is_output(found.text):
        # (a heading's words are its question, never a log: `## Error handling`)
        if end < bound and doc.kinds[end] is TEXT:
            end = _block_end(doc, end, bound)  # the rest of the pasted output
    elif not any(doc.kinds[k] is CODE for k in range(start, end)):
        return None
    asked = _asking_under(doc, start, end, bound)
    if asked is not None:
        return asked, _answer_start(doc, asked, bound)
    # Paragraphs of unfenced code one blank line apart (a file's name over each) are the
    # paste's too when the answer's marker (`A:`) stands right under the asking paragraph;
    # without one, such code is the model's (a corrected copy of the paste).
    j = doc.following[end - 1]
    pasted = end
    while j < bound and doc.kinds[j] is TEXT and doc.blanks[j] == 1:
        block_end = _block_end(doc, j, bound)
        if block_end - j < 2 or not bare_code(doc.lines[j:block_end]):
            break
        pasted, j = block_end, doc.following[block_end - 1]
    if pasted == end:
        return None
    asked = _asking_under(doc, start, pasted, bound)
    if asked is None:
        return None
    answer = _answer_start(doc, asked, bound)
    return (asked, answer) if answer != asked else None


def _answer_start(doc: Document, asked: int, bound: int) -> int:
    """Where the answer under a question ending at `asked` starts: at the answer's marker right
    under it (`A:`), else right there."""
    reply = doc.following[asked - 1]
    return reply if reply < bound and _answer_marker_text(doc, reply) is not None else asked


def _asking_under(doc: Document, start: int, end: int, bound: int) -> int | None:
    """The end of a short paragraph ending in `?` one blank line under a question's paste
    [start, end) that asks nothing itself, with a reply after it; else None."""
    j = doc.following[end - 1]
    if j >= bound or doc.kinds[j] is not TEXT or doc.blanks[j] != 1:
        return None
    if any(
        doc.kinds[k] is TEXT and doc.lines[k].rstrip().endswith(QUESTION_END)
        for k in range(start, end)
    ):
        return None
    paragraph_end = _block_end(doc, j, min(j + 4, bound))
    if (
        paragraph_end - j > 3
        or (paragraph_end < len(doc.lines) and doc.kinds[paragraph_end] is TEXT)
        or not doc.lines[paragraph_end - 1].rstrip().endswith(QUESTION_END)
        or doc.following[paragraph_end - 1] >= bound
    ):
        return None
    return paragraph_end


def _bare_answer_label(doc: Document, i: int) -> bool:
    """Line i is an answer marker alone on its line (`Answer:`, `A:`) after a blank line, or an
    answer heading (`# Answer`) right under the asking line (a line ending in `?`): under a
    question label alone on its line, the end of the question however many paragraphs it holds
    (a pasted log, a table, then the asking line).

    Right under any other line the heading does not end the question: by hand, worked steps
    (`Working: 150 / 60 = 2.5 hours.`) go between a question and its `# Answer`, and they are
    the answer's, not the question's."""
    if _answer_marker_text(doc, i) != "":
        return False
    if doc.blanks[i] >= 1:
        return True
    return doc.leads[i] == "#" and i > 0 and doc.lines[i - 1].rstrip().endswith(QUESTION_END)


def _answer_marker_in(doc: Document, start: int, stop: int) -> int | None:
    """The first answer marker line in [start, stop), if any."""
    return next((j for j in range(start, stop) if _answer_marker_text(doc, j) is not None), None)


# --- Putting the notes together -----------------------------------------------------------------


def _join(
    doc: Document,
    start: int,
    stop: int,
    first_text: str | None = None,
    separators: frozenset[int] = frozenset(),
) -> str:
    """Lines [start, stop) as Markdown, minus wrapper and directive lines, trimmed of blank
    lines; `first_text` replaces line `start` (a marker line without its marker). In a chat log,
    the lines the turn pass left out are left out, and its rewrites replace their lines; a
    message whose end the next turn's marker was glued to ends with that text. Elsewhere the
    `separators` closing every answer are left out."""
    turns = doc.style.turns
    if turns is not None or separators or doc.page_rewrites:
        left_out: Mapping[int, str] = turns.left_out if turns is not None else {}
        rewrites = turns.rewrites if turns is not None else doc.page_rewrites
        parts = [
            first_text if (j == start and first_text is not None) else rewrites.get(j, doc.lines[j])
            for j in range(start, stop)
            if doc.kinds[j] is not IGNORED
            and doc.kinds[j] is not DIRECTIVE_KIND
            and (j not in left_out or (j == start and first_text))
            and j not in separators
        ]
    elif not {IGNORED, DIRECTIVE_KIND}.isdisjoint(doc.kinds[start:stop]):
        parts = [
            first_text if (j == start and first_text is not None) else doc.lines[j]
            for j in range(start, stop)
            if doc.kinds[j] is not IGNORED and doc.kinds[j] is not DIRECTIVE_KIND
        ]
    else:  # every line is kept: the lines as they are, read in one slice
        parts = doc.lines[start:stop]
        if first_text is not None and parts:
            parts[0] = first_text
    if turns is not None and stop in turns.glued:
        parts.append(turns.glued[stop])  # the message's end, on the next turn's marker line
    first = next((k for k, part in enumerate(parts) if part.strip()), len(parts))
    last = next((k for k in range(len(parts) - 1, first - 1, -1) if parts[k].strip()), first - 1)
    return "\n".join(parts[first : last + 1])


def _closing_separators(doc: Document, questions: list[Question], ends: list[int]) -> list[int]:
    """A rule (`---`, `<hr/>`) after a blank line that closes every answer (the last one may
    end without it): what the tool writes after each exchange, on no card (a reply's own rule
    stands between its paragraphs)."""
    closing: list[int | None] = []
    headings: list[int] = []
    for n, (question, end) in enumerate(zip(questions, ends, strict=True)):
        last = _last_content(doc, question.answer_start, end)
        if n + 1 < len(questions) and last is not None and _record_heading(doc, last):
            # `---` then `# Chat 2` over the next exchange: the heading that numbers it
            headings.append(last)
            last = _last_content(doc, question.answer_start, last)
        ruled = (
            last is not None
            and doc.kinds[last] is TEXT
            and doc.blanks[last] >= 1
            and is_separator(doc.lines[last])
        )
        closing.append(last if ruled else None)
    if None in closing[:-1] or len({doc.lines[i].strip() for i in closing if i is not None}) != 1:
        return []
    if headings and len(headings) != len(questions) - 1:
        return []  # a heading over some exchanges only: the replies' own
    return sorted([i for i in closing if i is not None] + headings)


def _last_content(doc: Document, start: int, end: int) -> int | None:
    """The last line with text in [start, end), if any."""
    last = end - 1
    while last >= start and not doc.lines[last].strip():
        last -= 1
    return last if last >= start else None


def _record_heading(doc: Document, i: int) -> bool:
    """A heading that only numbers an exchange (`# Chat 2`, `## Turn 3`)."""
    heading = heading_text(doc.lines[i]) if doc.leads[i] == "#" else None
    words = heading[1].split() if heading else []
    return len(words) == 2 and words[0].casefold() in RECORD_WORDS and words[1].isdigit()


def _question_text(doc: Document, question: Question) -> str:
    found = question.found
    if found.text_follows:
        return _join(doc, found.index + 1, question.end).strip()
    return found.rule.question_text(doc, found, question.end)


@dataclass(frozen=True)
class Opening:
    """What comes before the first question: the title, and any lines on no card."""

    title: str | None = None
    title_line: int | None = None
    title_lines: list[int] = field(default_factory=list)
    unassigned: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)


def _opening(doc: Document, questions: list[Question]) -> Opening:
    """The title from the lines before the first question, and a warning for any other line
    there."""
    if doc.style.turns is not None:
        return _chat_opening(doc, doc.style.turns, questions)
    candidate = doc.title_candidate
    first = questions[0].found.index if questions else len(doc.lines)
    leading = [
        i
        for i in range(first)
        if (doc.kinds[i] in (TEXT, CODE, DIRECTIVE_KIND) and doc.lines[i].strip())
        or i == doc.title_underline  # set aside with the title; reported if the title is not
    ]
    title: str | None = None
    title_line: int | None = None
    title_lines: list[int] = []
    decisions: list[Decision] = []
    left_out: list[int] = []
    if leading and candidate is not None and leading[0] == candidate:
        heading = heading_text(doc.lines[candidate])
        text = heading[1] if heading else doc.lines[candidate].strip()
        interface = interface_line(text)
        if interface or log_stamp(text) or _record_heading(doc, candidate):
            # `Skip to content`: the chat page's, not the file's title; `# Chat 1`: the number
            # of the first exchange; `## Logging started at <date>`: the log's stamp
            why = "interface line" if interface else METADATA
            for index in (candidate, doc.title_underline):  # its underline goes with it
                if index is not None:
                    decisions.append(Decision(index + 1, Verdict.LEFT_OUT, None, None, why))
                    left_out.append(index + 1)
        else:
            title = title_text(text) or None
            title_line = candidate + 1
            title_lines = [candidate + 1]
            if doc.title_underline is not None:
                title_lines.append(doc.title_underline + 1)
            reason = "first line, and no answer under it"
            decisions.append(Decision(candidate + 1, Verdict.TITLE, None, None, reason))
        leading = [i for i in leading[1:] if i != doc.title_underline]
    from_front_matter = False
    for i in sorted(doc.front_matter):
        key = title_key(doc.lines[i])
        if key and not from_front_matter:  # the file's own `title:` wins over a first line
            from_front_matter = True
            title, title_line = key, i + 1
            title_lines.append(i + 1)
            decisions.append(Decision(i + 1, Verdict.TITLE, None, None, "front matter `title:`"))
        elif doc.lines[i].strip():
            decisions.append(Decision(i + 1, Verdict.LEFT_OUT, None, None, METADATA))
            left_out.append(i + 1)
    problems = _lines_on_no_card(doc, leading)
    unassigned = [i + 1 for i in leading]
    return Opening(title, title_line, title_lines, unassigned, problems, decisions, left_out)


def _lines_on_no_card(doc: Document, leading: list[int]) -> list[Problem]:
    """The warning for lines with text before the first question (0-based `leading`)."""
    if not leading:
        return []
    message = (
        f"{len(leading)} line(s) before the first question "
        "are on no card (add `Q:` before a question to make one)"
    )
    return [Problem(doc.transcript.source, leading[0] + 1, message)]


def _chat_opening(doc: Document, turns: Turns, questions: list[Question]) -> Opening:
    """A chat log's header: its title (see `chatdeck.chat_titles`), the lines left out as metadata,
    and a warning for any other line before the first question."""
    first = questions[0].found.index if questions else len(doc.lines)
    leading = [
        i
        for i in range(first)
        if doc.kinds[i] in (TEXT, CODE, DIRECTIVE_KIND)
        and doc.lines[i].strip()
        and i != turns.title_line
    ]
    ignored = doc.transcript.ignored
    left_out = [
        i + 1
        for i in range(first)
        if i in turns.left_out
        and doc.lines[i].strip()
        and i not in ignored
        and i != turns.title_line
    ]
    leading = [i for i in leading if i not in turns.left_out]
    title_lines = [turns.title_line + 1] if turns.title_line is not None else []
    underline = doc.title_underline  # the `=====` under a first line, set aside by the layout
    if underline is not None and underline < first and underline not in turns.left_out:
        if turns.title_line is not None and turns.title_line == doc.title_candidate:
            title_lines.append(underline + 1)  # it goes with its title
        else:
            leading = sorted([*leading, underline])  # on no card, as the line over it
    decisions = []
    if turns.title_line is not None:
        reason = "the chat's title, before its first turn"
        decisions.append(Decision(turns.title_line + 1, Verdict.TITLE, None, None, reason))
    problems = _lines_on_no_card(doc, leading)
    title_line = turns.title_line + 1 if turns.title_line is not None else None
    unassigned = [i + 1 for i in leading]
    return Opening(turns.title, title_line, title_lines, unassigned, problems, decisions, left_out)


def _turn_decisions(turns: Turns) -> list[Decision]:
    """The dry-run's account of a chat log: each turn marker, and each line left out."""
    decisions = []
    roles = ", ".join(f"{label!r} = {role}" for label, role in turns.labels.items())
    for i, (_label, role) in turns.markers.items():
        reason = f"{role}'s turn, marker {turns.shape}" + (f" ({roles})" if roles else "")
        decisions.append(Decision(i + 1, Verdict.MARKER, None, None, reason))
    for i, why in turns.left_out.items():
        decisions.append(Decision(i + 1, Verdict.LEFT_OUT, None, None, why))
    return decisions


def parse_transcript(transcript: Transcript, explain: bool = True) -> Parsed:
    """Split one transcript into notes; report the title and anything that belongs to no note.

    `explain=False` skips listing the look-alike lines kept in answers (`decisions` marked
    "not a question"), which only --dry-run shows: a tenth of the parse, and the notes are
    the same either way."""
    doc = build_document(transcript)
    source = transcript.source
    questions = find_questions(doc)
    opening = _opening(doc, questions)
    problems = list(transcript.problems) + doc.problems + opening.problems
    decisions = list(opening.decisions)
    if doc.style.turns is not None:
        decisions.extend(_turn_decisions(doc.style.turns))
    decisions += [
        Decision(i + 1, Verdict.LEFT_OUT, None, None, INTERFACE) for i in doc.page_controls
    ]
    ends = [each.found.index for each in questions[1:]] + ([len(doc.lines)] if questions else [])
    closing = _closing_separators(doc, questions, ends) if doc.style.turns is None else []
    decisions += [Decision(i + 1, Verdict.LEFT_OUT, None, None, SEPARATOR) for i in closing]
    notes: list[Note] = []
    for question, end in zip(questions, ends, strict=True):
        found = question.found
        line = found.index + 1
        text = _question_text(doc, question)
        answer_start = min(question.answer_start, end)
        marker_text = _answer_marker_text(doc, answer_start) if answer_start < end else None
        answer = _join(doc, answer_start, end, marker_text, frozenset(closing))
        last = end - 1
        while last > found.index and (doc.kinds[last] is IGNORED or not doc.lines[last].strip()):
            last -= 1
        if not text:
            problems.append(
                Problem(source, line, "question marker with no question text: no card for it")
            )
        if not answer.strip():
            problems.append(Problem(source, line, "question has no answer"))
        if found.confidence is Confidence.LOW:
            problems.append(
                Problem(
                    source,
                    line,
                    f"guessed a question ({found.rule.name}); "
                    "add `Q:` to confirm or `<!-- not a question -->` above it to undo",
                )
            )
        decisions.append(
            Decision(line, Verdict.QUESTION, found.rule.name, found.confidence, found.reason)
        )
        notes.append(
            Note(
                source=source,
                line=line,
                question=text,
                answer=answer,
                rule=found.rule.name,
                confidence=found.confidence,
                first_line=line,
                last_line=last + 1,
                note_id=doc.pinned_ids.get(found.index),
            )
        )
    if explain:
        in_questions = {
            j for question in questions for j in range(question.found.index, question.end)
        }
        left_out = {d.line for d in decisions if d.verdict is Verdict.LEFT_OUT}
        kept = _kept_lines(doc, in_questions, opening.title_line)
        decisions += [each for each in kept if each.line not in left_out]
    decisions.sort(key=lambda decision: decision.line)
    return Parsed(
        source,
        notes,
        opening.title,
        opening.title_line,
        opening.title_lines,
        problems,
        opening.unassigned,
        decisions,
        opening.left_out + _outside_notes(doc.page_controls, notes),
        doc.style.turns,
    )


def _outside_notes(lines: frozenset[int], notes: list[Note]) -> list[int]:
    """The 1-based numbers of `lines` (0-based) that no note's lines take in."""
    spans = [(note.first_line or 0, note.last_line or 0) for note in notes]
    return sorted(i + 1 for i in lines if not any(a <= i + 1 <= b for a, b in spans))


def _kept_lines(doc: Document, in_questions: set[int], title_line: int | None) -> list[Decision]:
    """Why each line that looks like a question stayed inside an answer: a line ending in `?`,
    or a `Q:`, `User:` or `## You` line. In a code block, only the lines a rule would have taken
    outside one (a marker, a `# ...?` heading, a `?` line after a blank line or a fence)."""
    kinds, lines = doc.kinds, doc.lines
    decisions: list[Decision] = []
    left_out = doc.style.turns.left_out if doc.style.turns is not None else {}
    for i, line in enumerate(lines):
        kind = kinds[i]
        if (kind is not TEXT and kind is not CODE) or i in in_questions or title_line == i + 1:
            continue
        if i in left_out or (doc.style.turns is not None and i in doc.style.turns.markers):
            continue
        asks = line.rstrip().endswith(QUESTION_END)
        if kind is CODE:
            opens = i > 0 and (
                kinds[i - 1] is not CODE or not lines[i - 1].strip() or i - 1 in doc.fences
            )
            if not (_is_marker(doc, i) or (asks and (opens or HEADING.match(line)))):
                continue
            reason = "inside a code block"
        elif not (asks or _is_marker(doc, i)):
            if doc.style.kind is FileStyle.SPEAKER or i in doc.suppressed or not _near_miss(doc, i):
                continue
            if _not_standalone(doc, i) is not None:
                continue
            reason = NEAR_MISS
        elif i in doc.suppressed:
            reason = "`<!-- not a question -->` above it"
        elif doc.style.kind is FileStyle.SPEAKER:
            reason = "inside a marked turn of a chat export"
        else:
            reason = _not_standalone(doc, i) or _kept_reason(doc, i)
        decisions.append(Decision(i + 1, Verdict.KEPT, None, None, reason))
    return decisions


def _kept_reason(doc: Document, i: int) -> str:
    if doc.style.kind is FileStyle.HEADING and _heading(doc, i):
        return "a heading that is not a question heading of this file"
    signals = _signals(doc, i)
    if signals is None:
        return "too long, or a bold pseudo-heading inside an answer"
    if signals.rhetorical:
        return "the model's own question: it leans on the text before it or talks to 'you'"
    if signals.prose:
        return "ends a paragraph of statements"
    return "a capitalized `?` paragraph inside an answer"


def assigned_lines(parsed: Parsed, transcript: Transcript) -> dict[int, int]:
    """1-based line -> how many claims it has: the title, a note, or the unassigned list.

    For the no-line-lost invariant: every line with text outside the wrapper fence must be
    claimed exactly once. A note claims the lines from its question to the end of its answer.
    """
    counts: dict[int, int] = {}
    for number in parsed.title_lines:
        counts[number] = counts.get(number, 0) + 1
    for note in parsed.notes:
        assert note.first_line is not None and note.last_line is not None
        for number in range(note.first_line, note.last_line + 1):
            if transcript.lines[number - 1].strip() and (number - 1) not in transcript.ignored:
                counts[number] = counts.get(number, 0) + 1
    for number in parsed.unassigned + parsed.left_out:
        counts[number] = counts.get(number, 0) + 1
    return counts
