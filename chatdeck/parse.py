"""Parse stage: a Transcript -> question/answer notes, each found by a named rule.

The shape follows markdown-it's block rules: every line outside code is offered to a short chain
of small functions (`RULES`), tried in order; the first that says "a question starts here" wins
and names itself in the result, with a confidence and a reason, so `--dry-run` can explain every
decision. The marking rules read what the user or the chat exporter wrote (`Q:`, `## You`, a
question heading) and come first, so an explicit marker always wins; the guessing rules come last.

Everything a rule needs to know about the file as a whole (its style, set by its first question;
its title; which list items came before; where each code block ends) is worked out once, in
`build_document`, before the rules run. Every pass is linear in the size of the file, and every
pattern is anchored with possessive quantifiers, so a 5 MB line costs one scan, never a
quadratic backtrack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chatdeck.identity import normalize_question
from chatdeck.notes import Note, Problem, Transcript

# --- Line shapes --------------------------------------------------------------------------------

FENCE = re.compile(r"^[ \t]*+(`{3,}+|~{3,}+)(.*)$")
HEADING = re.compile(r"^ {0,3}+(#{1,6})(?:[ \t]++(.*))?$")
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
    """`Name:` with any case and spacing, full-width colon, or bold around the name or the colon."""
    return re.compile(
        rf"^ {{0,3}}+(?:(?:\*\*|__)[ \t]*+)?(?:{names}){BOLD}[ \t]*+[:：]{BOLD}[ \t]*+(.*)$", re.I
    )


def _speaker_heading(names: str) -> re.Pattern[str]:
    """`## You`, `### **Response:**`: a heading that only names a speaker."""
    return re.compile(
        rf"^ {{0,3}}+#{{1,6}}+[ \t]++{BOLD}(?:{names}){BOLD}(?:[ \t]*+[:：])?{BOLD}[ \t]*+$", re.I
    )


QUESTION_NAMES = r"q[ \t]?\d*+|question(?:[ \t]\d++)?|问|问题"
ANSWER_NAMES = r"a[ \t]?\d*+|answer(?:[ \t]\d++)?|答|回答|答案"
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
#: The first non-blank character a `Q:` or a user marker can start with: a cheap filter that
#: spares the regexes on most lines.
QUESTION_LEADS = frozenset("qQ问*_")
USER_LEADS = frozenset("yYuUhHmMpP我*_#")
MARK_LEADS = QUESTION_LEADS | {"#"}

QUESTION_END = ("?", "？")
STATEMENT_END = (".", ":", "：", ";", ",", "。", "!", "！", "…")
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
    r"|(?i:\[?(?:error|warning|warn|fatal|panic|critical))\b|\w*(?:Error|Exception|Warning)\b)"
)
#: Lines longer than this are never questions (a question is something a person typed).
MAX_QUESTION = 250

# Line kinds.
IGNORED, BLANK, CODE, TEXT, DIRECTIVE_KIND = "ignored", "blank", "code", "text", "directive"


# --- Results ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Found:
    """A rule's verdict: a question starts at `index`, its first line reads `text`."""

    rule: str
    confidence: str  # "high", "medium" or "low"
    index: int
    text: str
    #: Why the rule decided so, in words, for the dry-run report.
    reason: str = ""
    #: Role-style markers ("## You", "Question:" alone) put the question on the lines under them.
    text_follows: bool = False
    #: Set once the question's extent is known: the first line after the question, and the
    #: first line of the answer.
    question_end: int = -1
    answer_start: int = -1


@dataclass(frozen=True)
class Decision:
    """One line of the dry-run explanation: what the parser decided about a line, and why."""

    line: int  # 1-based
    verdict: str  # "question", "title" or "not a question"
    rule: str
    confidence: str
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


# --- The document: per-line facts and per-file facts, computed once -----------------------------


@dataclass
class Document:
    transcript: Transcript
    lines: list[str]
    #: Per line: its first character after leading spaces and tabs (a cheap filter for markers).
    leads: list[str]
    #: Per line: "ignored" (wrapper fence), "blank", "code" (a fence or inside one),
    #: "directive" (`<!-- not a question -->`) or "text".
    kinds: list[str]
    problems: list[Problem]
    #: The first line of each fenced code block -> the index just past its closing fence.
    fence_ends: dict[int, int]
    #: Per line: the previous / next line with content (text or code; blanks, directives and the
    #: wrapper skipped), -1 or len(lines) when there is none; how many blank lines come right
    #: before it (the start of the file and a closing fence count as a paragraph break).
    previous: list[int] = field(default_factory=list)
    following: list[int] = field(default_factory=list)
    blanks: list[int] = field(default_factory=list)
    #: The file's style, set by its first question: "speaker", "heading", "explicit", "quote"
    #: or "plain" (see `_set_style`).
    style: str = "plain"
    heading_level: int | None = None
    #: A heading file whose first question heading reads as a question: its headings of that
    #: level that read as section titles ("## Example") belong to the answers.
    question_shaped_headings: bool = False
    #: A plain file whose first question is typed in lowercase: its capitalized `?` paragraphs
    #: are the model's, unless they say "I".
    lowercase_asker: bool = False
    title_candidate: int | None = None
    #: The `=====` line under a Setext title.
    title_underline: int | None = None
    #: Normalized text of every list item -> the first line it appears on.
    list_items: dict[str, int] = field(default_factory=dict)
    suppressed: set[int] = field(default_factory=set)
    pinned_ids: dict[int, str] = field(default_factory=dict)
    #: What the marking rules found, by line; and per line, the next line at or after it that
    #: holds one (len(lines) if none): no question reaches past it.
    marks: dict[int, Found] = field(default_factory=dict)
    next_mark: list[int] = field(default_factory=list)

    def text(self, i: int) -> bool:
        return 0 <= i < len(self.lines) and self.kinds[i] == TEXT


def classify_lines(
    transcript: Transcript, leads: list[str]
) -> tuple[list[str], dict[int, int], list[Problem]]:
    """Mark each line as ignored, blank, code or text, tracking fences as GitHub does; return
    the kinds, where each code block ends, and a warning for each fence that is never closed.

    A fence still open at the end of the file keeps its lines as code (they stay in the last
    answer) unless an explicit `Q:` marker follows it: then the fence is taken as closed before
    that marker, so one missing ``` cannot swallow every question after it.
    """
    lines, ignored = transcript.lines, transcript.ignored
    count = len(lines)
    kinds = [TEXT] * count
    fence_ends: dict[int, int] = {}
    problems: list[Problem] = []
    fences = [FENCE.match(line) if "`" in line or "~" in line else None for line in lines]
    # Scanning backwards: the longest bare fence of each kind at or after each line (so an
    # opening fence knows at once whether anything will close it) and the next `Q:` line.
    longest = {"`": [0] * (count + 1), "~": [0] * (count + 1)}
    next_question = [count] * (count + 1)
    undone = _undone_lines(lines)
    for i in range(count - 1, -1, -1):
        longest["`"][i], longest["~"][i] = longest["`"][i + 1], longest["~"][i + 1]
        match = fences[i]
        if match and i not in ignored and not match.group(2).strip():
            run = match.group(1)
            longest[run[0]][i] = max(longest[run[0]][i], len(run))
        marker = leads[i] in QUESTION_LEADS and QUESTION_MARKER.match(lines[i])
        next_question[i] = i if marker and i not in undone else next_question[i + 1]
    opening: tuple[int, str, int] | None = None  # (index, char, length) of the open fence
    i = 0
    while i < count:
        match = fences[i]
        if i in ignored:
            kinds[i] = IGNORED
        elif opening:
            kinds[i] = CODE
            if (
                match
                and match.group(1)[0] == opening[1]
                and len(match.group(1)) >= opening[2]
                and not match.group(2).strip()
            ):
                fence_ends[opening[0]] = i + 1
                opening = None
        elif not lines[i].strip():
            kinds[i] = BLANK
        elif match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            char, length = match.group(1)[0], len(match.group(1))
            kinds[i] = CODE
            opening = (i, char, length)
            if longest[char][i + 1] < length:  # nothing closes it
                stop = next_question[i + 1]
                message = "code fence is never closed; "
                if stop == count:
                    message += "the lines after it stay in this answer"
                else:
                    message += f"taken as closed before the question marker on line {stop + 1}"
                problems.append(Problem(transcript.source, i + 1, message))
                for j in range(i + 1, stop):
                    kinds[j] = IGNORED if j in ignored else CODE
                fence_ends[i] = stop
                opening = None
                i = stop
                continue
        i += 1
    return kinds, fence_ends, problems


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


def leading_characters(lines: list[str]) -> list[str]:
    """Per line, the first character after leading spaces and tabs ("" for a blank line)."""
    return [line.lstrip(" \t")[:1] for line in lines]


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


def _heading(doc: Document, i: int) -> tuple[int, str] | None:
    """A heading that may hold a question: (level, text). Speaker headings (`## You`) are not."""
    line = doc.lines[i]
    if doc.leads[i] != "#" or USER_HEADING.match(line) or ASSISTANT_HEADING.match(line):
        return None
    return heading_text(line)


def _marked_heading(doc: Document, i: int) -> tuple[int, str] | None:
    """A heading, with or without `Q:` before or inside it (`Q: # text`, `# Q: text`)."""
    heading = _heading(doc, i)
    if heading:
        marker = QUESTION_MARKER.match(heading[1])
        return (heading[0], marker.group(1).strip()) if marker else heading
    marker = _question_marker(doc, i)
    return heading_text(marker.group(1)) if marker else None


def _question_marker(doc: Document, i: int) -> re.Match[str] | None:
    return QUESTION_MARKER.match(doc.lines[i]) if doc.leads[i] in QUESTION_LEADS else None


def _is_marker(doc: Document, i: int) -> bool:
    """A line that opens a question by itself: `Q:`, `User:`, `## You`."""
    if _question_marker(doc, i):
        return True
    line = doc.lines[i]
    return doc.leads[i] in USER_LEADS and bool(USER_MARKER.match(line) or USER_HEADING.match(line))


def build_document(transcript: Transcript) -> Document:
    leads = leading_characters(transcript.lines)
    kinds, fence_ends, problems = classify_lines(transcript, leads)
    doc = Document(transcript, transcript.lines, leads, kinds, problems, fence_ends)
    lines, count = doc.lines, len(doc.lines)
    for i in range(count):
        if kinds[i] == TEXT and leads[i] == "<" and len(lines[i]) <= MAX_DIRECTIVE:
            if DIRECTIVE.match(lines[i]):
                kinds[i] = DIRECTIVE_KIND
    _link_lines(doc)
    for i in range(count):
        if kinds[i] == DIRECTIVE_KIND:
            directive = DIRECTIVE.match(lines[i])
            target = doc.following[i]
            if directive and target < count:
                if directive.group(2):
                    doc.pinned_ids[target] = directive.group(2).strip()
                else:
                    doc.suppressed.add(target)
        elif kinds[i] == TEXT and (leads[i] in "-*+" or leads[i].isdigit()):
            item = ITEM_TEXT.match(lines[i]) if len(lines[i]) <= 2 * MAX_QUESTION else None
            if item and item.group(1).strip():
                doc.list_items.setdefault(normalize_question(item.group(1)), i)
    content = [i for i in range(count) if kinds[i] == TEXT]
    first = next((i for i in range(count) if kinds[i] in (TEXT, CODE)), count)
    if first < count and kinds[first] == TEXT and _is_title(doc, first):
        doc.title_candidate = first
        if first + 1 < count and kinds[first + 1] == TEXT and SETEXT.match(lines[first + 1]):
            # A Setext heading on the first line ("Notes" over "=====") is the title, always.
            doc.title_underline = first + 1
            kinds[first + 1] = IGNORED
            doc.suppressed.add(first)
            _link_lines(doc)
    body = next((i for i in content if kinds[i] == TEXT and i != doc.title_candidate), None)
    if body is not None:
        _set_style(doc, content, body)
    _find_marks(doc)
    return doc


def _link_lines(doc: Document) -> None:
    """Fill `previous`, `following` and `blanks` in two linear passes."""
    count, kinds = len(doc.lines), doc.kinds
    doc.previous, doc.following, doc.blanks = [-1] * count, [count] * count, [0] * count
    last, blanks = -1, 0
    for i in range(count):
        doc.previous[i] = last
        if last < 0:
            doc.blanks[i] = 2
        elif kinds[last] == CODE and kinds[i] != CODE:
            doc.blanks[i] = max(blanks, 1)
        else:
            doc.blanks[i] = blanks
        if kinds[i] == BLANK:
            blanks += 1
        elif kinds[i] in (TEXT, CODE):
            last, blanks = i, 0
    upcoming = count
    for i in range(count - 1, -1, -1):
        doc.following[i] = upcoming
        if kinds[i] in (TEXT, CODE):
            upcoming = i


def _is_title(doc: Document, first: int) -> bool:
    """The first line names the file when nothing answers it: a question starts right under it
    (a marker, a heading as deep or deeper, a quote, a line that reads as a question), or it is a
    short plain line that no rule takes as a question (see `_take_title`).

    A capitalized heading with no `?` that is the only one at its level, with deeper headings
    under it, is also a title: the deeper headings are the questions.
    """
    line = doc.lines[first]
    if _is_marker(doc, first) or first in doc.suppressed:
        return False
    heading = _heading(doc, first)
    after = doc.following[first]
    if heading is None:
        return after < len(doc.lines) and _could_be_title(line)
    if heading[1].endswith(QUESTION_END) or QUESTION_MARKER.match(heading[1]):
        return False
    if after == len(doc.lines):
        return True
    if doc.kinds[after] != TEXT:
        return False
    next_heading = _marked_heading(doc, after)
    if next_heading:
        return next_heading[0] >= heading[0]
    if _is_marker(doc, after) or QUOTE.match(doc.lines[after]):
        return True
    if standalone_question(doc, after):  # the style is still "plain" here
        return True
    levels = [h[0] for i, k in enumerate(doc.kinds) if k == TEXT and (h := _heading(doc, i))]
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


def _set_style(doc: Document, content: list[int], body: int) -> None:
    """The file's style, set by its first question.

    - "speaker": a chat export. The first marker names the user's turn, and it opens the body or
      the assistant's turns are marked too (so a stray `Prompt:` in an answer makes no export).
    - "heading": the body opens with a heading (or a `Q:`-marked one): its level is the questions'.
    - "quote": the body opens with a `>` quote.
    - "explicit": a `Q:` marker comes before any line that reads as an unmarked question.
    - "plain": unmarked questions. Adding `Q:` to a later line does not change that, so the
      escape hatch never breaks the questions around it.
    """
    lines = doc.lines
    first_marker = next(
        (i for i in content if i not in doc.suppressed and _is_marker(doc, i)), None
    )
    heading = _marked_heading(doc, body)
    if (
        first_marker is not None
        and not _question_marker(doc, first_marker)
        and (
            first_marker == body
            or any(
                ASSISTANT_MARKER.match(lines[i]) or ASSISTANT_HEADING.match(lines[i])
                for i in content
            )
        )
    ):
        doc.style = "speaker"
    elif heading and heading[1]:
        doc.style, doc.heading_level = "heading", heading[0]
        doc.question_shaped_headings = _asks(heading[1])
    elif QUOTE.match(lines[body]):
        doc.style = "quote"
    else:
        first_q = next(
            (i for i in content if i not in doc.suppressed and _question_marker(doc, i)),
            len(lines),
        )
        # The style is "plain" for now: does an unmarked question come before the first `Q:`?
        first_guess = next(
            (
                i
                for i in content
                if body <= i < first_q and i not in doc.suppressed and standalone_question(doc, i)
            ),
            None,
        )
        if first_guess is not None:
            doc.lowercase_asker = _first_letter(lines[first_guess].strip()).islower()
        elif first_q < len(lines):
            doc.style = "explicit"


def _find_marks(doc: Document) -> None:
    """Run the marking rules once over the file: `marks` and `next_mark`."""
    count = len(doc.lines)
    doc.next_mark = [count] * (count + 1)
    leads = MARK_LEADS | (USER_LEADS if doc.style == "speaker" else frozenset())
    for i in range(count - 1, -1, -1):
        found = None
        if doc.kinds[i] == TEXT and doc.leads[i] in leads and i not in doc.suppressed:
            found = next((f for rule in MARKING_RULES if (f := rule(doc, i))), None)
        if found:
            doc.marks[i] = found
        doc.next_mark[i] = i if found else doc.next_mark[i + 1]


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


def explicit_marker(doc: Document, i: int) -> Found | None:
    """`Q:` / `Question:` / `问：` in any case, spacing, width or bold: the user's own word that a
    question starts here, so it wins in every style (also `## Q: ...` and `Q: ## ...`)."""
    line = doc.lines[i]
    lead = doc.leads[i]
    if lead in QUESTION_LEADS and (match := QUESTION_MARKER.match(line)):
        heading = heading_text(match.group(1))
        text = heading[1] if heading else match.group(1)
    elif (
        lead == "#"
        and (heading := heading_text(line))
        and (match := QUESTION_MARKER.match(heading[1]))
    ):
        text = match.group(1)
    else:
        return None
    text = _strip_bold_end(text)
    reason = "marked `Q:`" if text else "marked `Q:`; the question is on the lines under it"
    return Found("explicit marker", "high", i, text, reason, text_follows=not text)


def role_marker(doc: Document, i: int) -> Found | None:
    """Chat-export speaker turns: `User:`, `**You:**`, `You said:`, `## You`, `### Prompt`. Only in
    a chat export (see `_set_style`): elsewhere `Prompt:` or `Me:` may be a line of an answer."""
    line = doc.lines[i]
    if doc.style != "speaker" or doc.leads[i] not in USER_LEADS:
        return None
    if USER_HEADING.match(line):
        return Found("speaker heading", "high", i, "", "the user's turn (speaker heading)", True)
    match = USER_MARKER.match(line)
    if match:
        text = _strip_bold_end(match.group(1))
        return Found(
            "speaker marker", "high", i, text, "the user's turn (speaker marker)", not text
        )
    return None


def heading_question(doc: Document, i: int) -> Found | None:
    """In a file whose first question is a heading, the headings of that level are questions.
    Deeper (and shallower) headings are sections of an answer; so is a heading of that level that
    reads as a section title ("## Example") when the file's question headings read as questions."""
    if doc.heading_level is None or i == doc.title_candidate:
        return None
    heading = _heading(doc, i)
    if not heading or heading[0] != doc.heading_level or not heading[1]:
        return None
    if doc.question_shaped_headings and not _asks(heading[1]):
        return None
    reason = f"level-{heading[0]} heading, the level of this file's questions"
    return Found("heading", "high", i, heading[1], reason)


def quoted_prompt(doc: Document, i: int) -> Found | None:
    """In a file that opens with a `>` quote, each quote block that starts a paragraph is a
    prompt, unless it shows it is part of an answer: the line before introduces it ("for
    example:"), the sentence goes on after it in lowercase, or it is a callout ("> **Note:**")."""
    if doc.style != "quote" or not QUOTE.match(doc.lines[i]):
        return None
    if _introduces(doc, i) or _continued(doc, i, _quote_end(doc, i)):
        return None
    if _unquote(doc.lines[i]).lstrip().startswith(("**", "__", "[!")):
        return None  # a callout of the answer: "> **Note:** ...", "> [!TIP]"
    return Found("quoted prompt", "medium", i, _unquote(doc.lines[i]), "`>` quote block")


def copied_list_item(doc: Document, i: int) -> Found | None:
    """`1. What is X?` (number kept or not) standing alone, copied from a list in an earlier
    answer: people ask about the items a model listed, one at a time."""
    line = doc.lines[i]
    if not doc.list_items or doc.style == "speaker" or len(line) > MAX_QUESTION:
        return None
    if not _stands_alone(doc, i):
        return None
    item = ITEM_TEXT.match(line)
    if item and not NUMBERED_ITEM.match(line):
        return None  # a bullet on its own is a one-item list, not a copy
    if not item and (line[:1].isspace() or doc.leads[i] in ("#", ">", "|")):
        return None
    text = item.group(1).strip() if item else line.strip()
    if not item and not text.endswith(QUESTION_END):
        return None  # without its number, only a question is a copy; a statement is prose
    earlier = doc.list_items.get(normalize_question(text))
    if earlier is None or earlier >= doc.previous[i]:
        return None  # not listed before, or listed in the very list this line belongs to
    return Found("copied list item", "high", i, text, f"copies the list item on line {earlier + 1}")


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


def standalone_question(doc: Document, i: int) -> Found | None:
    """A short line that opens a paragraph, as people type questions: lowercase, or ending in `?`.

    Model replies ask rhetorical questions too, so the confidence says how sure this is (see
    `Signals`): high for a lowercase question or one set off by two blank lines; medium for one
    with pasted code or output under it, a capitalized one with its reply right under it, or a
    capitalized one on its own in a file of unmarked questions; low for a lowercase request
    without `?` ("difference between X and Y"). A capitalized question that leans on the text
    before it or talks to "you" is the model's own, and so is a `?` ending a paragraph of
    statements.
    """
    if doc.style == "speaker" or doc.blanks[i] == 0 or doc.following[i] == len(doc.lines):
        return None  # a chat export marks every turn; a question needs a reply after it
    text = doc.lines[i].strip()
    if not text.endswith(QUESTION_END) and not _typed(text):
        return None
    signals = _signals(doc, i)
    if signals is None:
        return None
    asks, typed, plain = signals.asks, signals.typed, doc.style == "plain"
    verdict: tuple[str, str] | None = None
    if asks and typed:
        verdict = "high", "lowercase line ending in `?`"
    elif asks and signals.separated:
        verdict = "high", "set off by two blank lines"
    elif signals.pasted:
        verdict = "medium", "a line with pasted code or output under it, then a reply"
    elif asks and signals.rhetorical:
        return None
    elif asks and signals.attached and not signals.prose:
        verdict = "medium", "capitalized `?` line with its reply right under it"
    elif asks and plain and signals.alone and (signals.first_person or not doc.lowercase_asker):
        verdict = "medium", "`?` paragraph in a file of unmarked questions"
    elif asks and plain and signals.alone and not signals.prose:
        verdict = "low", "capitalized `?` paragraph in a file of lowercase questions"
    elif (
        typed
        and not asks
        and len(text) <= 120
        and not text.endswith(STATEMENT_END)
        and (plain or signals.separated)
        and ASKING_WORDS.match(text)
    ):
        return Found("standalone request", "low", i, text, "lowercase line without `?`")
    if verdict is None:
        return None
    return Found("standalone question", verdict[0], i, text, verdict[1])


#: The rules that read a marker the user or the exporter wrote.
MARKING_RULES = [explicit_marker, role_marker, heading_question]
#: The rules that guess; they only look at a line that opens a paragraph.
GUESSING_RULES = [quoted_prompt, copied_list_item, standalone_question]
RULES = MARKING_RULES + GUESSING_RULES
GUESSED = ("quoted prompt", "copied list item", "standalone question", "standalone request")


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
    if doc.style != "speaker" and _is_marker(doc, i) and not _question_marker(doc, i):
        return "names a speaker, but this file is no chat export (its first question is not)"
    if _introduces(doc, i):
        return "introduced by the line before it (ending in `:`)"
    return None


def _has_paste(doc: Document, i: int) -> bool:
    """A code block or program output right under line i, and then more text for the reply."""
    below = i + 1
    if below >= len(doc.lines) or doc.lines[i].rstrip().endswith((":", "：")):
        return False
    if doc.kinds[below] == CODE or (doc.kinds[below] == TEXT and _is_output(doc.lines[below])):
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
        and doc.kinds[previous] == TEXT
        and doc.lines[previous].rstrip().endswith((":", "："))
    )


def _quote_end(doc: Document, i: int) -> int:
    """Index just past the quote block starting at line i."""
    j = i + 1
    while j < len(doc.lines) and doc.kinds[j] == TEXT and QUOTE.match(doc.lines[j]):
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
        and doc.kinds[before] == TEXT == doc.kinds[after]
        and not doc.lines[before].rstrip().endswith(STATEMENT_END + QUESTION_END + (")",))
        and not (HEADING.match(doc.lines[before]) or LIST_ITEM.match(doc.lines[before]))
        and after not in doc.marks
        and not LIST_ITEM.match(doc.lines[after])
        and _first_letter(doc.lines[after][:40]).islower()
    )


def _stands_alone(doc: Document, i: int) -> bool:
    """Its own paragraph (or its reply right under it), not one item of a list."""
    if doc.blanks[i] == 0 or _introduces(doc, i):
        return False
    after = doc.following[i]
    if after >= len(doc.lines) or doc.kinds[after] != TEXT:
        return True
    if after == i + 1:
        return not LIST_ITEM.match(doc.lines[after])
    previous = doc.previous[i]
    in_list = previous >= 0 and doc.kinds[previous] == TEXT and LIST_ITEM.match(doc.lines[previous])
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


# --- Finding questions and their extent ---------------------------------------------------------


def find_questions(doc: Document) -> list[Found]:
    """Offer every text line to the rules (the marking rules already ran, in `_find_marks`);
    after a question, skip the lines that belong to it. Then drop what is no question of its
    own (see `_empty`): a guess stays a line of the answer before it, or the file's title."""
    found: list[Found] = []
    count = len(doc.lines)
    i = 0
    while i < count:
        result = None
        if doc.kinds[i] == TEXT and i not in doc.suppressed:
            result = doc.marks.get(i)
            if result is None and doc.blanks[i] > 0:
                result = next((f for rule in GUESSING_RULES if (f := rule(doc, i))), None)
        if result is None:
            i += 1
            continue
        result.question_end, result.answer_start = _question_extent(doc, result)
        found.append(result)
        i = max(result.question_end, i + 1)
    starts = [result.index for result in found[1:]] + [count] if found else []
    return [
        result
        for result, next_start in zip(found, starts, strict=True)
        if not _empty(doc, result, next_start)
    ]


def _empty(doc: Document, found: Found, next_start: int) -> bool:
    """A guess that nothing answers, or a bare marker (`## You`, `Question:`) with nothing
    under it before the next question: not a question of its own."""
    if found.rule in GUESSED:
        return doc.following[found.question_end - 1] >= next_start
    return found.text_follows and doc.following[found.index] >= next_start


def _answer_marker_text(doc: Document, i: int) -> str | None:
    """The text after an answer marker on line i (`A:`, `Assistant:`, `## ChatGPT`), or None."""
    if doc.kinds[i] != TEXT:
        return None
    line = doc.lines[i]
    match = ANSWER_MARKER.match(line)
    if match:
        return match.group(1)
    if doc.style == "speaker":
        match = ASSISTANT_MARKER.match(line)
        if match:
            return match.group(1)
        if ASSISTANT_HEADING.match(line):
            return ""
    return None


def _block_end(doc: Document, i: int) -> int:
    """Index just past the block starting at i: a fenced code block or a run of text lines."""
    if doc.kinds[i] == CODE:
        if i in doc.fence_ends:
            return doc.fence_ends[i]
        j = i + 1
        while j < len(doc.lines) and doc.kinds[j] == CODE:
            j += 1
        return j
    j = i + 1
    while j < len(doc.lines) and doc.kinds[j] in (TEXT, DIRECTIVE_KIND):
        j += 1
    return j


def _question_extent(doc: Document, found: Found) -> tuple[int, int]:
    """(first index after the question, first index of the answer); never past the next marked
    question.

    In a chat export the question runs to the assistant's marker (`## ChatGPT`). Elsewhere the
    question is its line (the block under a `Question:` alone, the whole `>` quote) and the lines
    right under it when an answer marker (`A:`) ends them, plus any code block, quote or program
    output pasted under it, as long as a reply still follows; an answer marker right after that
    starts the answer. An `A:` further down is the model's text, not the end of the question.
    """
    start = found.index
    bound = doc.next_mark[start + 1]
    if doc.style == "speaker":
        marker = _answer_marker_in(doc, start + 1, bound)
        if marker is not None:
            return marker, marker
    end = start + 1
    if found.text_follows:
        first = doc.following[start]
        if first >= bound:
            return bound, bound
        end = min(_block_end(doc, first), bound)
        marker = _answer_marker_in(doc, first, end)
        if marker is not None:
            return marker, marker
    elif found.rule == "quoted prompt":
        end = min(_quote_end(doc, start), bound)
    if end < bound and doc.kinds[end] == TEXT:  # lines right under the question
        run_end = min(_block_end(doc, end), bound)
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
        attached = doc.kinds[j] == CODE or (
            j == end
            and doc.kinds[j] == TEXT
            and (QUOTE.match(doc.lines[j]) or _is_output(doc.lines[j]))
        )
        if not attached:
            break
        block_end = min(_block_end(doc, j), bound)
        if doc.following[block_end - 1] >= bound:
            break  # nothing would be left for the reply: the block is the answer
        end = block_end
    return end, end


def _answer_marker_in(doc: Document, start: int, stop: int) -> int | None:
    """The first answer marker line in [start, stop), if any."""
    return next((j for j in range(start, stop) if _answer_marker_text(doc, j) is not None), None)


# --- Putting the notes together -----------------------------------------------------------------


def _join(doc: Document, start: int, stop: int, first_text: str | None = None) -> str:
    """Lines [start, stop) as Markdown, minus wrapper and directive lines, trimmed of blank
    lines; `first_text` replaces line `start` (a marker line without its marker)."""
    parts = [
        first_text if (j == start and first_text is not None) else doc.lines[j]
        for j in range(start, stop)
        if doc.kinds[j] not in (IGNORED, DIRECTIVE_KIND)
    ]
    first = next((k for k, part in enumerate(parts) if part.strip()), len(parts))
    last = next((k for k in range(len(parts) - 1, first - 1, -1) if parts[k].strip()), first - 1)
    return "\n".join(parts[first : last + 1])


def _question_text(doc: Document, found: Found) -> str:
    start, end = found.index, found.question_end
    if found.text_follows:
        return _join(doc, start + 1, end).strip()
    if found.rule == "quoted prompt":
        quote_end = _quote_end(doc, start)
        quoted = "\n".join(_unquote(doc.lines[j]) for j in range(start, quote_end)).strip()
        rest = _join(doc, quote_end, end)
        return f"{quoted}\n{rest}".strip() if rest.strip() else quoted
    return _join(doc, start, end, found.text).strip()


def _take_title(doc: Document, found: list[Found], parsed: Parsed) -> list[Found]:
    """Set the title from the lines before the first question, and report any other line there."""
    candidate = doc.title_candidate
    first = found[0].index if found else len(doc.lines)
    leading = [
        i
        for i in range(first)
        if (doc.kinds[i] in (TEXT, CODE, DIRECTIVE_KIND) and doc.lines[i].strip())
        or i == doc.title_underline  # set aside with the title; reported if the title is not
    ]
    if leading and leading[0] == candidate:
        heading = heading_text(doc.lines[candidate])
        parsed.title = (heading[1] if heading else doc.lines[candidate].strip()) or None
        parsed.title_line = candidate + 1
        parsed.title_lines = [candidate + 1]
        if doc.title_underline is not None:
            parsed.title_lines.append(doc.title_underline + 1)
        reason = "first line, and no answer under it"
        parsed.decisions.append(Decision(candidate + 1, "title", "title", "high", reason))
        leading = [i for i in leading[1:] if i != doc.title_underline]
    if leading:
        parsed.unassigned.extend(i + 1 for i in leading)
        parsed.problems.append(
            Problem(
                doc.transcript.source,
                leading[0] + 1,
                f"{len(leading)} line(s) before the first question "
                "are on no card (add `Q:` before a question to make one)",
            )
        )
    return found


def parse_transcript(transcript: Transcript, explain: bool = True) -> Parsed:
    """Split one transcript into notes; report the title and anything that belongs to no note.

    `explain=False` skips listing the look-alike lines kept in answers (`decisions` marked
    "not a question"), which only --dry-run shows: a tenth of the parse, and the notes are
    the same either way."""
    doc = build_document(transcript)
    source = transcript.source
    parsed = Parsed(source, [], problems=list(transcript.problems) + doc.problems)
    found = _take_title(doc, find_questions(doc), parsed)
    for number, result in enumerate(found):
        end = found[number + 1].index if number + 1 < len(found) else len(doc.lines)
        line = result.index + 1
        question = _question_text(doc, result)
        answer_start = min(result.answer_start, end)
        marker_text = _answer_marker_text(doc, answer_start) if answer_start < end else None
        answer = _join(doc, answer_start, end, marker_text)
        last = end - 1
        while last > result.index and (doc.kinds[last] == IGNORED or not doc.lines[last].strip()):
            last -= 1
        if not question:
            parsed.problems.append(Problem(source, line, "question marker with no question text"))
        if not answer.strip():
            parsed.problems.append(Problem(source, line, "question has no answer"))
        if result.confidence == "low":
            parsed.problems.append(
                Problem(
                    source,
                    line,
                    f"guessed a question ({result.rule}); "
                    "add `Q:` to confirm or `<!-- not a question -->` above it to undo",
                )
            )
        parsed.decisions.append(
            Decision(line, "question", result.rule, result.confidence, result.reason)
        )
        parsed.notes.append(
            Note(
                source=source,
                line=line,
                question=question,
                answer=answer,
                rule=result.rule,
                confidence=result.confidence,
                first_line=line,
                last_line=last + 1,
                note_id=doc.pinned_ids.get(result.index),
            )
        )
    if explain:
        in_questions = {j for result in found for j in range(result.index, result.question_end)}
        _explain_kept_lines(doc, in_questions, parsed)
    parsed.decisions.sort(key=lambda decision: decision.line)
    return parsed


def _explain_kept_lines(doc: Document, in_questions: set[int], parsed: Parsed) -> None:
    """Say why each line that looks like a question stayed inside an answer: a line ending in
    `?`, or a `Q:`, `User:` or `## You` line. In a code block, only the lines a rule would have
    taken outside one (a marker, a `# ...?` heading, a `?` line after a blank line)."""
    kinds, lines = doc.kinds, doc.lines
    for i, line in enumerate(lines):
        kind = kinds[i]
        if kind not in (TEXT, CODE) or i in in_questions or parsed.title_line == i + 1:
            continue
        asks = line.rstrip().endswith(QUESTION_END)
        if kind == CODE:
            opens = i > 0 and (
                kinds[i - 1] != CODE or not lines[i - 1].strip() or i - 1 in doc.fence_ends
            )
            if not (_is_marker(doc, i) or (asks and (opens or HEADING.match(line)))):
                continue
            reason = "inside a code block"
        elif not (asks or _is_marker(doc, i)):
            continue
        elif i in doc.suppressed:
            reason = "`<!-- not a question -->` above it"
        elif doc.style == "speaker":
            reason = "inside a marked turn of a chat export"
        else:
            reason = _not_standalone(doc, i) or _kept_reason(doc, i)
        parsed.decisions.append(Decision(i + 1, "not a question", "", "", reason))


def _kept_reason(doc: Document, i: int) -> str:
    if doc.style == "heading" and _heading(doc, i):
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
    for number in parsed.unassigned:
        counts[number] = counts.get(number, 0) + 1
    return counts
