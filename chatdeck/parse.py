"""Parse stage: a Transcript -> question/answer notes, each found by a named rule.

The shape follows markdown-it's block rules: every line outside code is offered to a short chain
of small functions (`RULES`), tried in order; the first that says "a question starts here" wins
and names itself in the result, with a confidence, so `--dry-run` can explain every decision.
Explicit markers (`Q:`, `User:`, ...) come first and always win; the guessing rules come last.

Everything a rule needs to know about the file as a whole (does it use markers? headings? which
numbered list items came before?) is worked out once, in `Document`, before the rules run.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from chatdeck.notes import Note, Problem, Transcript

# --- Line shapes --------------------------------------------------------------------------------

FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$)")
NUMBERED_ITEM = re.compile(r"^ {0,3}(\d{1,9})[.)]\s+(.*\S)\s*$")
QUOTE = re.compile(r"^ {0,3}>")
TABLE_ROW = re.compile(r"^\s*\|")
DIRECTIVE = re.compile(r"^\s*<!--\s*(not a question|id:\s*(.+?))\s*-->\s*$", re.IGNORECASE)

COLON = r"\s*[:：]"
BOLD = r"(?:\*\*|__)?"


def _marker(names: str) -> re.Pattern[str]:
    """`Name:` with any case and spacing, full-width colon, or bold around the name or the colon."""
    return re.compile(rf"^ {{0,3}}{BOLD}\s*(?:{names}){BOLD}{COLON}{BOLD}\s*(.*)$", re.IGNORECASE)


QUESTION_MARKER = _marker(r"q\d*|question|问|问题")
ANSWER_MARKER = _marker(r"a\d*|answer|答|回答")
USER_NAMES = r"you|user|human|me|prompt|我"
ASSISTANT_NAMES = (
    r"chatgpt|gpt-?[\w.-]*|assistant|claude|ai|bot|model|response|gemini|bard|copilot|"
    r"deepseek|llama|mistral|qwen|kimi|grok|perplexity"
)
USER_MARKER = _marker(USER_NAMES)
ASSISTANT_MARKER = _marker(ASSISTANT_NAMES)
USER_HEADING = re.compile(rf"^ {{0,3}}#{{1,6}}\s+{BOLD}(?:{USER_NAMES}){BOLD}\s*[:：]?\s*$", re.I)
ASSISTANT_HEADING = re.compile(
    rf"^ {{0,3}}#{{1,6}}\s+{BOLD}(?:{ASSISTANT_NAMES}){BOLD}\s*[:：]?\s*$", re.I
)

QUESTION_END = ("?", "？")
#: Words that open a typed question or request when the user leaves off the question mark.
ASKING_WORDS = re.compile(
    r"^(what|whats|what's|how|why|when|where|which|who|whose|is|are|was|were|can|could|should|"
    r"would|will|do|does|did|explain|describe|define|definition|difference|differences|compare|"
    r"tell|show|give|list|provide|please|help|write|summarize|summarise)\b",
    re.IGNORECASE,
)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
OUTPUT_START = re.compile(
    r"^(\s+\S|Traceback|\w*(Error|Exception|Warning)\b|File \"|>>> |\$ |at [\w.$]+\()"
)


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A rule's verdict: a question starts at `index`, its first line reads `text`."""

    rule: str
    confidence: str  # "high", "medium" or "low"
    index: int
    text: str
    #: Role-style markers ("## You") put the question on the lines after the marker.
    text_follows: bool = False


@dataclass
class Parsed:
    """What parsing one transcript yields."""

    source: str
    notes: list[Note]
    title: str | None = None
    title_line: int | None = None
    problems: list[Problem] = field(default_factory=list)
    #: 1-based lines that carry text but belong to no note (reported, never silently dropped).
    unassigned: list[int] = field(default_factory=list)


# --- The document: per-line facts and per-file facts, computed once -----------------------------


@dataclass
class Document:
    transcript: Transcript
    lines: list[str]
    #: Per line: "ignored" (wrapper), "blank", "code" (inside or on a fence) or "text".
    kinds: list[str]
    problems: list[Problem]
    explicit: list[int] = field(default_factory=list)
    heading_level: int | None = None
    quote_style: bool = False
    plain_style: bool = False
    title_candidate: int | None = None
    numbered_items: dict[str, int] = field(default_factory=dict)
    suppressed: set[int] = field(default_factory=set)
    pinned_ids: dict[int, str] = field(default_factory=dict)

    def text(self, i: int) -> bool:
        return 0 <= i < len(self.lines) and self.kinds[i] == "text"

    def blank_before(self, i: int) -> int:
        """How many blank lines come right before line i (start of file counts as 2)."""
        count = 0
        j = i - 1
        while j >= 0 and self.kinds[j] in ("blank", "ignored"):
            count += self.kinds[j] == "blank"
            j -= 1
        if j < 0:
            return 2
        if self.kinds[j] == "code":
            return max(count, 1)  # a closing fence ends a paragraph
        return count

    def previous_content(self, i: int) -> int | None:
        j = i - 1
        while j >= 0 and self.kinds[j] in ("blank", "ignored"):
            j -= 1
        return j if j >= 0 else None

    def next_content(self, i: int) -> int | None:
        j = i + 1
        while j < len(self.lines) and self.kinds[j] in ("blank", "ignored"):
            j += 1
        return j if j < len(self.lines) else None


def classify_lines(transcript: Transcript) -> tuple[list[str], list[Problem]]:
    """Mark each line as ignored, blank, code or text, tracking fences as GitHub does.

    A fence still open at the end of the file keeps its lines as code (they stay in the last
    answer) unless an explicit `Q:` marker follows it: then the fence is taken as closed before
    that marker, so one missing ``` cannot swallow every question after it.
    """
    lines = transcript.lines
    kinds = ["text"] * len(lines)
    problems: list[Problem] = []
    fence: tuple[str, int, int] | None = None  # (char, length, index)
    i = 0
    while i < len(lines):
        line = lines[i]
        if i in transcript.ignored:
            kinds[i] = "ignored"
        elif fence:
            kinds[i] = "code"
            match = FENCE.match(line)
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= fence[1]
                and not match.group(2).strip()
            ):
                fence = None
        elif not line.strip():
            kinds[i] = "blank"
        else:
            match = FENCE.match(line)
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = (match.group(1)[0], len(match.group(1)), i)
                kinds[i] = "code"
        i += 1
        if i == len(lines) and fence:
            start = fence[2]
            marker = next(
                (j for j in range(start + 1, len(lines)) if QUESTION_MARKER.match(lines[j])),
                None,
            )
            if marker is None:
                problems.append(
                    Problem(
                        transcript.source,
                        start + 1,
                        "code fence is never closed; "
                        "the lines after it stay in this answer as code",
                    )
                )
            else:
                problems.append(
                    Problem(
                        transcript.source,
                        start + 1,
                        f"code fence is never closed; "
                        f"taken as closed before the question marker on line {marker + 1}",
                    )
                )
                for j in range(marker, len(lines)):
                    kinds[j] = "text"
                i = marker
            fence = None
    for index in range(len(lines)):
        if kinds[index] == "text" and not lines[index].strip():
            kinds[index] = "blank"
    return kinds, problems


def normalize_question(text: str) -> str:
    """The identity of a question: case, width, spacing, markup and a copied list number ignored."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"^\s*\d{1,9}[.)]\s+", "", text)
    text = re.sub(r"[*`]+", "", text)
    text = " ".join(text.split()).casefold()
    return text.rstrip(" ?.!。")


def _heading(doc: Document, i: int) -> tuple[int, str] | None:
    match = HEADING.match(doc.lines[i])
    if not match or USER_HEADING.match(doc.lines[i]) or ASSISTANT_HEADING.match(doc.lines[i]):
        return None
    return len(match.group(1)), (match.group(2) or "").strip()


def build_document(transcript: Transcript) -> Document:
    kinds, problems = classify_lines(transcript)
    doc = Document(transcript, transcript.lines, kinds, problems)
    content = [i for i, kind in enumerate(kinds) if kind == "text"]
    for i in content:
        line = doc.lines[i]
        directive = DIRECTIVE.match(line)
        if directive:
            kinds[i] = "directive"
            following = doc.next_content(i)
            if following is not None:
                if directive.group(2):
                    doc.pinned_ids[following] = directive.group(2)
                else:
                    doc.suppressed.add(following)
            continue
        if QUOTE.match(line):
            continue
        if QUESTION_MARKER.match(line) or USER_MARKER.match(line) or USER_HEADING.match(line):
            doc.explicit.append(i)
        item = NUMBERED_ITEM.match(line)
        if item:
            doc.numbered_items.setdefault(normalize_question(item.group(2)), i)
    content = [i for i in content if kinds[i] == "text"]
    if not content:
        return doc

    first = content[0]
    headings = [(i, h[0]) for i in content if (h := _heading(doc, i))]
    first_heading = _heading(doc, first)
    after_first = doc.next_content(first)
    if first_heading and not first_heading[1].endswith(QUESTION_END):
        after = _heading(doc, after_first) if after_first is not None else None
        followed_by_question = after_first is None or after_first in doc.explicit
        if followed_by_question or (after and after[0] >= first_heading[0]):
            doc.title_candidate = first
    elif not first_heading and _could_be_title(doc.lines[first]) and after_first is not None:
        doc.title_candidate = first
    headings = [(i, level) for i, level in headings if i != doc.title_candidate]
    if headings:
        top = min(level for _, level in headings)
        at_top = [i for i, level in headings if level == top]
        deeper = [level for _, level in headings if level > top]
        if len(at_top) == 1 and at_top[0] == first and deeper and doc.title_candidate is None:
            if not _heading(doc, first)[1].endswith(QUESTION_END):  # type: ignore[index]
                doc.title_candidate = first
                top = min(deeper)
                at_top = [i for i, level in headings if level == top]
        body_start = next((i for i in content if i != doc.title_candidate), None)
        if at_top and body_start == at_top[0] and (not doc.explicit or at_top[0] < doc.explicit[0]):
            doc.heading_level = top
    body = [i for i in content if i != doc.title_candidate]
    if body and not doc.explicit and doc.heading_level is None:
        doc.quote_style = bool(QUOTE.match(doc.lines[body[0]]))
        doc.plain_style = not doc.quote_style
    return doc


def _could_be_title(line: str) -> bool:
    text = line.strip()
    return (
        len(text) <= 80
        and not text.endswith(QUESTION_END + (":", "：", "."))
        and not LIST_ITEM.match(line)
        and not QUOTE.match(line)
        and not QUESTION_MARKER.match(line)
        and not USER_MARKER.match(line)
    )


# --- The rules, tried in order ------------------------------------------------------------------


def explicit_marker(doc: Document, i: int) -> Found | None:
    """`Q:` / `Question:` / `问：` in any case, spacing, width or bold."""
    match = QUESTION_MARKER.match(doc.lines[i])
    if not match:
        return None
    heading = HEADING.match(match.group(1))
    text = (heading.group(2) or "") if heading else match.group(1)
    return Found("explicit marker", "high", i, text.strip(), text_follows=not text.strip())


def role_marker(doc: Document, i: int) -> Found | None:
    """Chat-export speaker lines: `User:`, `**You:**`, `## You`, `### Prompt`."""
    line = doc.lines[i]
    if USER_HEADING.match(line):
        return Found("speaker heading", "high", i, "", text_follows=True)
    match = USER_MARKER.match(line)
    if match:
        text = match.group(1).strip()
        return Found("speaker marker", "high", i, text, text_follows=not text)
    return None


def heading_question(doc: Document, i: int) -> Found | None:
    """In a file whose first question is a heading, every heading of that level is a question."""
    if doc.heading_level is None or i == doc.title_candidate:
        return None
    heading = _heading(doc, i)
    if not heading or heading[0] != doc.heading_level or not heading[1]:
        return None
    text = heading[1]
    marker = QUESTION_MARKER.match(text)
    return Found("heading", "high", i, (marker.group(1) if marker else text).strip())


def quoted_prompt(doc: Document, i: int) -> Found | None:
    """In a file that opens with a `>` quote, each quote block after a blank line is a prompt."""
    if not doc.quote_style or not QUOTE.match(doc.lines[i]):
        return None
    if doc.blank_before(i) == 0 or _introduces(doc, i):
        return None
    return Found("quoted prompt", "medium", i, _unquote(doc.lines[i]))


def copied_list_item(doc: Document, i: int) -> Found | None:
    """`1. What is X?` standing alone, copied from a numbered list in an earlier answer."""
    item = NUMBERED_ITEM.match(doc.lines[i])
    if not item or not _stands_alone(doc, i):
        return None
    earlier = doc.numbered_items.get(normalize_question(item.group(2)))
    if earlier is None or earlier >= i:
        return None
    return Found("copied list item", "high", i, item.group(2).strip())


def standalone_question(doc: Document, i: int) -> Found | None:
    """A short line on its own, as people type questions: lowercase, or ending in `?`.

    Model replies ask rhetorical questions too, so the confidence says how sure this is:
    high for a lowercase question or one set off by two blank lines (how people separate turns),
    medium for a capitalized question with its reply right under it or in a file of unmarked
    questions, low for a question without a `?` (a lowercase request like "difference between X
    and Y"). Anything else, such as a capitalized `?` line inside a paragraph flow, is left alone.
    """
    line = doc.lines[i]
    text = line.strip()
    if (
        line[:1].isspace()
        or len(text) > 250
        or LIST_ITEM.match(line)
        or HEADING.match(line)
        or QUOTE.match(line)
        or TABLE_ROW.match(line)
        or doc.blank_before(i) == 0
        or _introduces(doc, i)
    ):
        return None
    asks = text.endswith(QUESTION_END)
    typed = text[:1].islower()
    separated = doc.blank_before(i) >= 2
    reply_attached = doc.text(i + 1) and not LIST_ITEM.match(doc.lines[i + 1])
    alone = not doc.text(i + 1)
    if asks and (typed or separated):
        return Found("standalone question", "high", i, text)
    if asks and (reply_attached or (doc.plain_style and alone)):
        return Found("standalone question", "medium", i, text)
    if (
        (typed or CJK.match(text))
        and len(text) <= 120
        and (alone or reply_attached)
        and not text.endswith((".", ":", "：", ";", ",", "。", "!"))
        and (ASKING_WORDS.match(text) or CJK.match(text))
        and (separated or doc.plain_style)
    ):
        return Found("standalone request", "low", i, text)
    return None


RULES = [
    explicit_marker,
    role_marker,
    heading_question,
    quoted_prompt,
    copied_list_item,
    standalone_question,
]


def _introduces(doc: Document, i: int) -> bool:
    """A line right after 'for example:' is an example inside an answer, not a new question."""
    previous = doc.previous_content(i)
    return (
        previous is not None
        and doc.kinds[previous] == "text"
        and doc.lines[previous].rstrip().endswith((":", "："))
    )


def _stands_alone(doc: Document, i: int) -> bool:
    """Its own paragraph (or its reply directly under it), not one item of a list."""
    if doc.blank_before(i) == 0:
        return False
    following = doc.next_content(i)
    if following is None:
        return True
    if following == i + 1:
        return not LIST_ITEM.match(doc.lines[following]) and doc.kinds[following] == "text"
    return not (NUMBERED_ITEM.match(doc.lines[following]) and doc.kinds[following] == "text")


def _unquote(line: str) -> str:
    return re.sub(r"^ {0,3}> ?", "", line).rstrip()


# --- Splitting each question's stretch of lines into question and answer ------------------------


def find_questions(doc: Document) -> list[Found]:
    found: list[Found] = []
    i = 0
    while i < len(doc.lines):
        if doc.kinds[i] == "text" and i not in doc.suppressed:
            for rule in RULES:
                result = rule(doc, i)
                if result:
                    found.append(result)
                    if result.rule == "quoted prompt":
                        while (
                            i + 1 < len(doc.lines)
                            and doc.kinds[i + 1] == "text"
                            and QUOTE.match(doc.lines[i + 1])
                        ):
                            i += 1
                    break
        i += 1
    return found


def _strip_answer_marker(line: str) -> str | None:
    for pattern in (ANSWER_MARKER, ASSISTANT_MARKER):
        match = pattern.match(line)
        if match:
            return match.group(1)
    if ASSISTANT_HEADING.match(line):
        return ""
    return None


def _is_answer_marker(doc: Document, i: int) -> bool:
    return doc.kinds[i] == "text" and _strip_answer_marker(doc.lines[i]) is not None


def _block_end(doc: Document, i: int) -> int:
    """Index just past the block starting at i: a fenced code block, a quote or a paragraph."""
    if doc.kinds[i] == "code":
        j = i + 1
        while j < len(doc.lines) and doc.kinds[j] == "code" and not _closes(doc, i, j):
            j += 1
        return min(j + 1, len(doc.lines))
    j = i + 1
    while j < len(doc.lines) and doc.kinds[j] in ("text", "directive"):
        j += 1
    return j


def _closes(doc: Document, opening: int, j: int) -> bool:
    first = FENCE.match(doc.lines[opening])
    match = FENCE.match(doc.lines[j])
    return bool(
        first
        and match
        and match.group(1)[0] == first.group(1)[0]
        and len(match.group(1)) >= len(first.group(1))
        and not match.group(2).strip()
    )


def _question_extent(doc: Document, found: Found, end: int) -> tuple[int, int]:
    """Return (first index after the question, first index of the answer) within [found, end).

    With an answer marker (`A:`, `Assistant:`, `## ChatGPT`) the question runs up to it.
    Without one, the question is its first line, plus any code block, quote or error output
    pasted right under it, as long as a reply still follows.
    """
    start = found.index
    for j in range(start + 1, end):
        if _is_answer_marker(doc, j):
            return j, j
    question_end = start + 1
    if found.text_follows:
        first = next((j for j in range(start + 1, end) if doc.kinds[j] != "blank"), None)
        if first is None:
            return end, end
        question_end = _block_end(doc, first)
    elif found.rule == "quoted prompt":
        while (
            question_end < end
            and doc.kinds[question_end] == "text"
            and QUOTE.match(doc.lines[question_end])
        ):
            question_end += 1
    while True:
        j = question_end
        blanks = 0
        while j < end and doc.kinds[j] in ("blank", "ignored"):
            blanks += doc.kinds[j] == "blank"
            j += 1
        if j >= end or blanks > 1:
            break
        attached = doc.kinds[j] == "code" or (
            doc.kinds[j] == "text"
            and (QUOTE.match(doc.lines[j]) or OUTPUT_START.match(doc.lines[j]))
            and not LIST_ITEM.match(doc.lines[j])
            and j == question_end  # output sits right under the question, no blank line
        )
        if not attached:
            break
        block_end = _block_end(doc, j)
        if not any(doc.kinds[k] in ("text", "code") for k in range(block_end, end)):
            break  # nothing would be left for the reply: the block is the answer
        question_end = block_end
    return question_end, question_end


def _join(
    doc: Document, start: int, stop: int, first_text: str | None = None
) -> tuple[str, list[int]]:
    """Lines [start, stop) as Markdown, minus wrapper and directive lines, trimmed of blank lines.

    Returns the text and the indexes of the lines that carried content.
    """
    parts: list[str] = []
    used: list[int] = []
    for j in range(start, stop):
        if doc.kinds[j] in ("ignored", "directive"):
            continue
        text = first_text if (j == start and first_text is not None) else doc.lines[j]
        parts.append(text)
        if doc.lines[j].strip():
            used.append(j)
    while parts and not parts[0].strip():
        parts.pop(0)
    while parts and not parts[-1].strip():
        parts.pop()
    return "\n".join(parts), used


def parse_transcript(transcript: Transcript) -> Parsed:
    """Split one transcript into notes; report the title and anything that belongs to no note."""
    doc = build_document(transcript)
    found = find_questions(doc)
    parsed = Parsed(transcript.source, [], problems=list(transcript.problems) + doc.problems)
    source = transcript.source
    first_question = found[0].index if found else len(doc.lines)

    leading = [i for i in range(first_question) if doc.kinds[i] in ("text", "code", "directive")]
    if leading and leading[0] == doc.title_candidate:
        title = doc.lines[leading[0]].strip().lstrip("#").strip()
        parsed.title, parsed.title_line = title or None, leading[0] + 1
        leading = leading[1:]
    if leading:
        parsed.unassigned.extend(i + 1 for i in leading)
        parsed.problems.append(
            Problem(
                source,
                leading[0] + 1,
                f"{len(leading)} line(s) before the first question "
                "are on no card (add `Q:` before a question to make one)",
            )
        )

    for number, result in enumerate(found):
        end = found[number + 1].index if number + 1 < len(found) else len(doc.lines)
        question_end, answer_start = _question_extent(doc, result, end)
        if result.text_follows:
            question, question_lines = _join(doc, result.index + 1, question_end)
            question_lines.append(result.index)
        elif result.rule == "quoted prompt":
            question = "\n".join(
                _unquote(doc.lines[j])
                for j in range(result.index, question_end)
                if doc.kinds[j] != "ignored"
            ).strip()
            question_lines = [j for j in range(result.index, question_end) if doc.lines[j].strip()]
        else:
            question, question_lines = _join(doc, result.index, question_end, result.text)
            question_lines.append(result.index)
        answer_first = None
        if answer_start < end and _is_answer_marker(doc, answer_start):
            answer_first = _strip_answer_marker(doc.lines[answer_start])
        answer, answer_lines = _join(doc, answer_start, end, answer_first)
        answer_lines = [
            j
            for j in answer_lines
            if j != answer_start or answer_first is None or answer_first.strip() or True
        ]
        directive_lines = [j for j in range(result.index, end) if doc.kinds[j] == "directive"]
        used = sorted(set(question_lines) | set(answer_lines) | set(directive_lines))
        if not question.strip():
            parsed.problems.append(
                Problem(source, result.index + 1, "question marker with no question text")
            )
        if not answer.strip():
            parsed.problems.append(Problem(source, result.index + 1, "question has no answer"))
        if result.confidence == "low":
            parsed.problems.append(
                Problem(
                    source,
                    result.index + 1,
                    f"guessed a question ({result.rule}); "
                    "add `Q:` to confirm or `<!-- not a question -->` above it to undo",
                )
            )
        parsed.notes.append(
            Note(
                source=source,
                line=result.index + 1,
                question=question.strip(),
                answer=answer,
                rule=result.rule,
                confidence=result.confidence,
                first_line=result.index + 1,
                last_line=(used[-1] + 1) if used else result.index + 1,
                note_id=doc.pinned_ids.get(result.index),
            )
        )
    return parsed


def assigned_lines(parsed: Parsed, transcript: Transcript) -> dict[int, int]:
    """1-based line -> how many notes (or the title) claim it. For the no-line-lost invariant."""
    counts: dict[int, int] = {}
    if parsed.title_line:
        counts[parsed.title_line] = 1
    for note in parsed.notes:
        assert note.first_line is not None and note.last_line is not None
        for number in range(note.first_line, note.last_line + 1):
            if transcript.lines[number - 1].strip() and (number - 1) not in transcript.ignored:
                counts[number] = counts.get(number, 0) + 1
    for number in parsed.unassigned:
        counts[number] = counts.get(number, 0) + 1
    return counts
