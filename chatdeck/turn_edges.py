"""The turns of a chat log assembled from the blocks a reader found (`assemble`), and what is on
no card at their edges: separators and metadata that recur between turns, a tool's wrapper
tags and closing lines, reasoning at a reply's head, a page's footer, echoed headings.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from chatdeck.agent_logs import Record, read_agent_log
from chatdeck.chat_titles import named_by_first_prompt, title_from
from chatdeck.copied_code import (
    COPY_BUTTONS,
    label_over_fence,
    leave_out_lost_code,
    rebuild_copied_code,
)
from chatdeck.pasted_code import code_line, pasted_output
from chatdeck.reasoning import (
    after_glued_reasoning,
    close_of,
    leave_quote_block,
    reasoning_end,
    reasoning_section,
    thought_parts,
    unanswered_opening,
)
from chatdeck.turn_markers import (
    ANCHOR,
    ARROW_LEAD,
    ASSISTANT,
    ASSISTANT_WORDS,
    ATTRIBUTION,
    BARE_FENCE,
    BRACKETED_INLINE,
    COLONS,
    COMMAND_LEFT,
    CONTAINER_CLOSE,
    CONTAINER_OPEN,
    CONTEXT,
    DETAILS_WITH_SUMMARY,
    ENCLOSING,
    ESCAPED_FENCE,
    EXPANDER,
    FOOTER,
    HEADER,
    HEADING,
    HTML_COMMENT,
    HTML_TAGS,
    ICON_QUOTE,
    INFO_FENCE,
    INTERFACE,
    INTERFACE_LINE,
    LEADING_TAG,
    MARKER,
    METADATA,
    OPEN_TAG,
    ORG_BLOCK,
    ORG_HEADING,
    ORG_TOP_HEADING,
    OTHER,
    PREFIXED,
    PROSE_END,
    REASONING,
    REFERENCE,
    RULED_LABEL,
    SEPARATOR,
    SPEAKING_WORDS,
    TAG,
    THOUGHT_EMOJI,
    TOOL_LABEL,
    USER,
    USER_WORDS,
    WRAPPER,
    WRAPPER_INFO,
    Block,
    Candidate,
    candidate,
    date_only,
    edge_form,
    has_content,
    has_prefix,
    hinted_role,
    is_separator,
    label_words,
    may_mark,
    model_menu,
    names_model_in_line,
    names_thinking,
    next_content,
    role_hint,
    tool_command,
    without_quote_mark,
)


@dataclass(frozen=True)
class Turns:
    """A file's turn structure, by 0-based line."""

    #: How the markers look (for the dry-run): "`## <label>`", "`**<label>**:`".
    shape: str
    #: Each label as first written -> its role (user, assistant, other).
    labels: dict[str, str]
    #: The user's turns: the line each starts on -> the question's text on that line (None: the
    #: question is on the lines under the marker).
    user: dict[int, str | None]
    #: Each user turn's line -> the line its answer starts on (an assistant marker, or the first
    #: line after a turn of prefixed lines).
    answers: dict[int, int]
    #: Assistant marker lines -> the text on them after the marker ("" if none).
    assistant: dict[int, str]
    #: Lines on no card -> why.
    left_out: dict[int, str]
    #: Lines a card shows differently (a prefix removed, `Copy code` rebuilt into a fence).
    rewrites: dict[int, str]
    title: str | None = None
    title_line: int | None = None
    #: The marker lines, for the dry-run: line -> (label, role).
    markers: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: Turns whose marker a tool glued to the end of the previous message's last line: the
    #: turn's line -> the text before the marker there, the end of the previous message.
    glued: dict[int, str] = field(default_factory=dict)


#: A chat page's composer, as its placeholder reads (`Ask anything`, `Type your message here...`,
#: `Message DeepSeek`, `Ask anything. Type @ / # !` with its shortcuts). Words a reply may end
#: with too (`Send a message`, `Ask me anything`) only with the placeholder's ellipsis.
COMPOSER = re.compile(
    r"^(?:ask anything(?:[ \t]++to [^\W\d_][\w.-]{0,30})?|ask a follow-up"
    r"|type (?:a|your) (?:message|question)(?:[ \t]++here)?"
    r"|enter (?:a|your) (?:message|prompt)(?:[ \t]++here)?"
    r"|(?:message|reply to)[ \t]++[^\W\d_][\w.-]{0,30}"
    r"|(?:send a message|ask me anything)(?=\.\.\.|…))"
    r"(?:\.\.\.|…)?(?:\.?[ \t]++type[ \t].{0,40})?$",
    re.I,
)


def _composer_at_end(lines: Sequence[str], j: int, head: int) -> bool:
    """Line j is a page's composer copied under the last reply: its placeholder (`COMPOSER`)
    alone, set off by a blank line, with nothing under it, under a reply of its own (line
    `head` its first). The reply's own last line stays: its only line (`Send a message`, the
    translation asked for), one its line above introduces (`... a button that says:`), one
    that ends another turn too (a button label under every draft), and `Message <x>` or
    `Reply to <x>` whose <x> is not the model (`Message me`, `Message Priya`) and which has no
    placeholder's ellipsis."""
    line = lines[j].strip()
    if j <= head or lines[j - 1].strip() or COMPOSER.match(line) is None:
        return False
    if next_content(lines, j + 1, len(lines)) < len(lines):
        return False  # (something under it: only the file's last line is looked at further)
    above = next(text.strip() for text in reversed(lines[head:j]) if text.strip())
    if above.endswith(COLONS):
        return False
    if sum(text.strip() == line for text in lines) > 1:
        return False
    name = re.match(r"(?:message|reply to)[ \t]++(\S+)", line, re.I)
    return (
        name is None
        or line.endswith(("...", "…"))
        or role_hint(label_words(name[1].casefold())) == ASSISTANT
    )


# --- Turning blocks into turns ----------------------------------------------------------------


def assemble(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    front: list[int],
    blocks: list[Block],
    shape: str,
    roles: dict[str, str],
    found: dict[int, Candidate],
) -> Turns | None:
    left_out: dict[int, str] = {}
    rewrites: dict[int, str] = {}
    markers: dict[int, tuple[str, str]] = {}
    first = min(b.marker if b.marker is not None else b.start for b in blocks)
    header = [j for j in content if j < first]
    speakers = frozenset(
        w for block in blocks for w in re.split(r"[\W_]+", block.label.casefold()) if w
    )
    title, title_line = title_from(lines, header, set(front), speakers, text)
    if title is None:
        title, title_line = named_by_first_prompt(lines, header, blocks)
    for j in header:
        if j != title_line:
            left_out[j] = HEADER
    for j in front:
        if j != title_line:
            left_out[j] = METADATA
    _leave_out_enclosing_block(lines, header, content, left_out)
    _leave_out_marker_glyphs(lines, blocks, left_out)
    # Merge a speaker's turns that follow each other (a tool writes one marker per part), but a
    # first message the model never answered before the user's next one is context (a tool's
    # setup message), as in a JSON chat.
    merged: list[Block] = []
    pasted = unanswered_opening(blocks) and _only_a_paste(lines, blocks[0])
    if pasted:  # the label over it (`Clipboard content:`) is the tool's that sent it apart
        label = next_content(lines, blocks[0].start, blocks[0].end)
        if lines[label].rstrip().endswith(COLONS):
            left_out[label] = METADATA
    elif unanswered_opening(blocks):
        for j in [blocks[0].marker, *range(blocks[0].start, blocks[0].end)]:
            if j is not None and lines[j].strip() and j not in left_out:
                left_out[j] = CONTEXT
        blocks = blocks[1:]
    thought = thought_parts(lines, blocks)
    ruled = _ruled_markers(lines, blocks)
    buttons = Counter(b for line in lines if (b := line.strip()).casefold() in COPY_BUTTONS)
    for n, block in enumerate(blocks):
        if id(block) in thought:
            assert block.marker is not None  # (a thought part is a marked message)
            left_out[block.marker] = MARKER
            markers[block.marker] = (block.label, OTHER)
            for j in range(block.start, block.end):
                if lines[j].strip():
                    left_out[j] = REASONING
            continue
        if block.role == OTHER:
            following = blocks[n + 1].role if n + 1 < len(blocks) else None
            if merged and following != ASSISTANT and names_thinking(block.label):
                # A reply's own "### Thought Process" heading, at the markers' level: the reply
                # goes on under it (its reasoning is found with the reply's).
                merged[-1].end = block.end
                continue
            why = REASONING if names_thinking(block.label) else block.label.casefold() or OTHER
            if block.marker is not None:
                each = found.get(block.marker)
                # `[AI_REASON]: text`: the words on the marker line are the section's own.
                left_out[block.marker] = why if each is not None and each.inline else MARKER
                markers[block.marker] = (block.label, OTHER)
            for j in range(block.start, block.end):
                if lines[j].strip():
                    left_out[j] = why
            if merged:
                merged[-1].end = block.end
            continue
        if merged and merged[-1].role == block.role and block.marker is not None:
            if block.marker in ruled:  # the rule the tool writes after every message
                left_out[ruled[block.marker]] = SEPARATOR
            each = found.get(block.marker)
            if each is not None and each.inline:
                rewrites[block.marker] = each.inline  # the part's first words, on its marker
            else:
                left_out[block.marker] = MARKER
            markers[block.marker] = (block.label, block.role)
            merged[-1].end = block.end
            continue
        merged.append(block)
    prefixed = any(block.label == PREFIXED for block in blocks)
    for block in merged:
        if block.marker is not None and (not prefixed or block.role == ASSISTANT):
            markers[block.marker] = (block.label, block.role)
    if not _closed_alike(lines, merged):
        _trim_footer(lines, text, merged[-1], left_out)
    _trim_boxed_footer(lines, merged[-1], left_out, header)
    _trim_end_line(lines, text, merged[-1], left_out)
    _trim_closing_footer(lines, text, merged, left_out)
    _trim_sectioned_footer(lines, text, merged, left_out)
    _trim_bare_heading(lines, text, merged, left_out)
    named = {id(b) for b in merged if _second_marker(lines, text, b, left_out, rewrites)}
    if merged[0].role == ASSISTANT and merged[0].marker is not None:
        if not _edge_lines(lines, merged[0], left_out, False, 1):
            left_out[merged[0].marker] = HEADER  # a page's name over an empty first turn
    # Per-message metadata: forms that recur at the edges of several turns.
    forms = _recurring_forms(lines, merged, left_out, header)
    rules = _edge_rules(lines, merged, left_out)
    for block in merged:
        _trim_edges(lines, text, block, forms, rules, left_out)
        if id(block) not in named:  # the speaker named again under a per-message time line
            _second_marker(lines, text, block, left_out, rewrites)
    spoken = {i for i, each in found.items() if each.inline}
    if _leave_out_trailing_blocks(lines, text, merged, spoken, left_out):
        for block in merged:
            _trim_edges(lines, text, block, forms, rules, left_out)  # what they stood behind
    for block in blocks:  # a message's time over its marker, in any form (`Mar 13`)
        if block.stamp is not None:
            left_out.setdefault(block.stamp, METADATA)
    _leave_out_opening_quotes(lines, merged, left_out)
    _unwrap_fenced_turns(lines, merged, left_out, rewrites)
    _leave_out_run_headings(lines, text, merged, found, left_out, markers)
    _leave_out_echo_headings(lines, merged, left_out)
    _leave_out_closing_tags(lines, merged, left_out)
    _leave_out_drawers(lines, text, merged, left_out)
    _leave_out_input_delimiters(lines, text, merged, left_out)
    _unwrap_html_prompts(lines, merged, left_out, rewrites)
    _unescape_prompts(lines, merged, left_out, rewrites)
    agent = read_agent_log(
        lines,
        text,
        [Record(b.marker, b.start, b.end, b.role == USER) for b in merged if b.role != OTHER],
        left_out,
    )
    if agent is not None:
        left_out.update(agent.left_out)
        rewrites.update(agent.rewrites)
        left_out.update(agent.inner_markers)
    else:  # (an agent's records have bracketed labels of their own: `[Tool]`, `[Reasoning]`)
        _leave_out_part_labels(lines, text, merged, left_out)
    for block in blocks:  # the rest of a fenced header the marker opens: the tool's
        if block.head and block.marker is not None:
            for j in range(block.marker + 1, block.marker + 1 + block.head):
                left_out.setdefault(j, METADATA)
    for block in merged:
        if block.lead:  # the message's time opens its first line, which holds its text too
            rewrites[block.start] = lines[block.start][block.lead :].strip()
        if block.wrap:  # the tool's emphasis around the whole message
            last = next(k for k in range(block.end - 1, block.start - 1, -1) if lines[k].strip())
            rewrites[block.start] = lines[block.start].strip()[len(block.wrap) :]
            rewrites[last] = rewrites.get(last, lines[last]).rstrip()[: -len(block.wrap)]
    user: dict[int, str | None] = {}
    answers: dict[int, int] = {}
    assistant: dict[int, str] = {}
    pending: int | None = None
    for block in merged:
        if block.role == USER:
            start, inline = _user_turn(lines, block, found, prefixed, left_out, rewrites)
            if start is not None and block is merged[-1] and tool_command(lines, block, inline):
                # The chat's last message, a command to the tool that nothing answered
                # (`/export`): like an empty prompt left at the end, no question.
                for j in range(block.start, block.end):
                    if lines[j].strip() and j not in left_out:
                        left_out[j] = COMMAND_LEFT
                if block.marker is not None:
                    left_out[block.marker] = COMMAND_LEFT
                start = None
            if start is None:
                if block.marker is not None:
                    left_out.setdefault(block.marker, MARKER + " (an empty turn)")
                pending = None
                continue
            user[start] = inline
            pending = start
            if prefixed:
                answers[start] = block.end
        else:
            if block.marker is not None:
                each = found.get(block.marker)
                inline = (each.inline or "") if each else ""
                assistant[block.marker] = after_glued_reasoning(
                    lines, block, inline, left_out, rewrites
                )
                if pending is not None:
                    answers[pending] = block.marker
            elif pending is not None:
                answers[pending] = block.start
            leave_out_lost_code(lines, text, block, left_out)
            label_over_fence(lines, text, block, left_out, rewrites)
            rebuild_copied_code(lines, text, block, buttons, left_out, rewrites)
            pending = None
    if not user:
        return None
    described = shape if shape.startswith("`") else f"`{shape}`"
    return Turns(
        described,
        _label_roles(blocks),
        user,
        answers,
        assistant,
        left_out,
        rewrites,
        title,
        title_line,
        markers,
    )


#: A line that is only a bracketed name ended by a Markdown line break (two spaces or a
#: backslash: `[text]  `), as a program writes a label over the part it heads.
PART_LABEL = re.compile(r"^[ \t]*+\[([^\W\d_][\w -]{0,30}+)\](?: {2,}+|\\)$")
PART = "the tool's label for a part of a message"


def _leave_out_part_labels(
    lines: Sequence[str], text: Sequence[bool], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A tool that writes the user's message in parts names each on a line of its own, with a
    Markdown line break after it (`[selections]  ` over the code the user selected, `[text]  `
    over what they typed). Once such lines open two or more of the user's turns, each line of
    theirs in the user's turns is the tool's label, wherever it stands. A bracketed line the
    user typed (an INI section, a song's `[Verse 1]`, a prompt's `[Context]`) has no line break
    after it, and stays."""
    opening: dict[str, list[str]] = {}
    for block in blocks:
        if block.role != USER:
            continue
        first = _edge_lines(lines, block, left_out, False, 1)
        label = PART_LABEL.match(lines[first[0]]) if first and text[first[0]] else None
        if label is not None:
            opening.setdefault(block.role, []).append(label.group(1).casefold())
    for block in blocks:
        labels = opening.get(block.role, [])
        if len(labels) < 2:
            continue
        for j in range(block.start, block.end):
            label = PART_LABEL.match(lines[j]) if text[j] and j not in left_out else None
            if label is not None and label.group(1).casefold() in labels:
                left_out[j] = PART


def _ruled_markers(lines: Sequence[str], blocks: list[Block]) -> dict[int, int]:
    """Marker lines with a rule right over them (blank lines between) -> that rule's line,
    where the tool writes one over most markers, two or more: a rule after every message."""
    markers = [block.marker for block in blocks if block.marker is not None]
    ruled: dict[int, int] = {}
    for marker in markers:
        above = marker - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        if above >= 0 and is_separator(lines[above]):
            ruled[marker] = above
    return ruled if len(ruled) >= 2 and 2 * len(ruled) >= len(markers) else {}


def _leave_out_enclosing_block(
    lines: Sequence[str], header: list[int], content: list[int], left_out: dict[int, str]
) -> None:
    """A chat written inside an Org block (`#+begin_ai` opened in the header and still open, the
    chat, then `#+end_ai` as its last line): the closing line is the block's, not the last
    turn's."""
    opening = next((m for j in reversed(header) if (m := ORG_BLOCK.match(lines[j]))), None)
    if opening is None or opening.group(1).casefold() != "begin":
        return
    for j in reversed(content):
        closing = ORG_BLOCK.match(lines[j])
        if closing and closing.group(1).casefold() == "end":
            if closing.group(2).casefold() == opening.group(2).casefold():
                left_out[j] = ENCLOSING
            return
        if j not in left_out:
            return


#: A quote's lines joined into one: a `>` and a space right after a sentence's end.
JOINED_QUOTE = re.compile(r"[.!?。]>[ \t]")


def _leave_out_opening_quotes(
    lines: Sequence[str], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A quote that opens every reply, two or more, each going on after it, with its lines
    joined into one (`> The user asks.> SQLite allows...`: a `>` again right after a
    sentence's end), is the tool's reasoning (RikkaHub quotes it so), not the model's answer.
    A quote a model or a tutor opens its replies with keeps its line breaks, and stays."""
    replies = [b for b in blocks if b.role == ASSISTANT]
    quotes: list[list[int]] = []
    for block in replies:
        head = _edge_lines(lines, block, left_out, False, 1)
        if not head or not lines[head[0]].lstrip().startswith(">"):
            return
        quote = [head[0]]
        while quote[-1] + 1 < block.end and lines[quote[-1] + 1].lstrip().startswith(">"):
            quote.append(quote[-1] + 1)
        if not has_content(lines, quote[-1] + 1, block.end):
            return
        if not any(JOINED_QUOTE.search(lines[j]) for j in quote):
            return
        quotes.append(quote)
    if len(quotes) < 2:
        return
    for quote in quotes:
        for j in quote:
            left_out[j] = REASONING


def _label_roles(blocks: list[Block]) -> dict[str, str]:
    """Each label as first written (`User`, not also `user`) -> its role."""
    roles: dict[str, str] = {}
    seen: set[str] = set()
    for block in blocks:
        if block.label and block.label != PREFIXED and block.label.casefold() not in seen:
            seen.add(block.label.casefold())
            roles[block.label] = block.role
    return roles


def _second_marker(
    lines: Sequence[str],
    text: Sequence[bool],
    block: Block,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> bool:
    """A second line naming the turn's speaker right under its marker (`You` then
    `Sent by you:`) is a marker too; True if there is one."""
    if block.marker is None:
        return False
    first = _edge_lines(lines, block, left_out, False, 1)
    if not first or not text[first[0]] or not may_mark(lines[first[0]]):
        return False
    line = lines[first[0]].strip()
    if block.label and line.endswith(COLONS) and len(line.split()) <= 6:
        words = re.split(r"[\W_]+", block.label.casefold())
        label = {w for w in words if w and not w.isdigit()} - {"said", "role"}
        if label and label <= set(re.split(r"[\W_]+", line.casefold())):
            left_out[first[0]] = MARKER  # `Sent by Asistente SQL:`
            return True
    found = (
        candidate(lines[first[0]])
        if not ARROW_LEAD.match(line) and not RULED_LABEL.match(line)
        else None
    )  # (`-- user --` under `User:`: a comment in the user's pasted SQL, not the name)
    if found is None or hinted_role(found) != block.role or names_model_in_line(found):
        return False  # `Gemini 3: text` under `Assistant:` is the reply's line, not the name
        # (and `>> USER: hello` under `You:`, a log the user pasted)
    if found.words - USER_WORDS - ASSISTANT_WORDS - SPEAKING_WORDS:
        return False  # `Use this prompt:` under `## User` is the user's line, not the name
    if found.inline is not None and BRACKETED_INLINE.match(line):
        return False  # `[bot] text` under the marker: a reply tag's (`_bot_tags`), if any
    if found.inline is None:
        left_out[first[0]] = MARKER
    else:
        rewrites[first[0]] = found.inline
    return True


def _user_turn(
    lines: Sequence[str],
    block: Block,
    found: dict[int, Candidate],
    prefixed: bool,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> tuple[int | None, str | None]:
    """Where a user turn's question starts, and its text on that line (None: under it)."""
    if prefixed:
        prefix = block.prefix
        for j in range(block.start, block.end):
            if has_prefix(lines[j].lstrip(), prefix):  # `#### ` / `>>> ` gone
                rewrites[j] = lines[j].lstrip()[len(prefix) + 1 :].rstrip()
        kept = [j for j in range(block.start, block.end) if rewrites.get(j, lines[j]).strip()]
        if not kept:
            return None, None
        return block.start, rewrites[block.start]
    if block.record and block.prefix == ">":  # a quoted prompt: the quote marks are the tool's
        for j in range(block.start, block.end):
            if lines[j].startswith(">") and j not in left_out:
                rewrites[j] = without_quote_mark(lines[j])
    body = [j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out]
    if block.marker is None:
        return (body[0], rewrites.get(body[0], lines[body[0]]).strip()) if body else (None, None)
    each = found.get(block.marker)
    inline = each.inline if each and not block.record else None
    if inline is None and not body:
        return None, None
    return block.marker, inline


def _leave_out_run_headings(
    lines: Sequence[str],
    text: Sequence[bool],
    blocks: list[Block],
    found: dict[int, Candidate],
    left_out: dict[int, str],
    markers: dict[int, tuple[str, str]],
) -> None:
    """A tool that runs the code a model writes saves the run's output as a third party's
    message, under a heading of the speakers' shape with a name of its own (`## computer`):
    within one reply, the model's code block, that heading over nothing but a code block (the
    output), and the model's own marker again as the reply goes on. Such a heading is that
    party's marker, on no card; the output stays in the reply that ran it. A reply's own
    section of the same shape (`## Computer` over prose, a heading the model's marker does not
    follow) stays.

    The tool writes its parties' names as a program names a message's role: one word in lower
    case (`## assistant`, `## computer`); a heading a model or a person writes is a title
    (`## Example output`, `**Result:**`), and a reply the log splits under two of the model's
    markers keeps its own such sections over code."""
    for block in blocks:
        opening = found.get(block.marker) if block.marker is not None else None
        if block.role != ASSISTANT or opening is None or not ROLE_NAME.fullmatch(opening.label):
            continue
        alike = [
            j
            for j in range(block.start, block.end)
            if j in found and found[j].shape == opening.shape
        ]
        for j, after in zip(alike, alike[1:], strict=False):
            if (
                found[j].key == opening.key
                or found[after].key != opening.key
                or j in left_out
                or not ROLE_NAME.fullmatch(found[j].label)
            ):
                continue
            before = [k for k in range(block.start, j) if lines[k].strip()]
            section = [k for k in range(j + 1, after) if lines[k].strip()]
            if (
                before
                and not text[before[-1]]
                and section
                and (INFO_FENCE.match(lines[section[0]]) or BARE_FENCE.match(lines[section[0]]))
                and not any(text[k] for k in section)
            ):
                left_out[j] = MARKER
                markers[j] = (found[j].label, OTHER)


#: A heading's number before its text (`[2]`, `2.`, `#2`) and a cut text's ellipsis after it.
ECHO_NUMBER = re.compile(r"^(?:\[\d{1,4}+\]|#?\d{1,4}+[.)]?)[ \t]++")
ECHO_CUT = re.compile(r"[ \t]*+(?:\.\.\.|…)$")
#: The fewest characters of a prompt a heading must repeat to be its echo.
MIN_ECHO = 12


def _leave_out_closing_tags(
    lines: Sequence[str], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A tool that writes every message as an element (`<user>` ... `</user>`) closes it with
    the tag its marker opened: the message's last line, when it is that closing tag, is the
    tool's marker, on no card (`<details open><summary>User</summary>` ... `</details>`:
    the element the marker line opens first; `:::Katabang` ... `:::`: a fenced container)."""
    for block in blocks:
        if block.marker is None:
            continue
        marker = lines[block.marker].strip()
        last = _last_line_at(lines, block, left_out)
        if last is not None and CONTAINER_OPEN.match(marker):
            if CONTAINER_CLOSE.match(lines[last].strip()):  # `:::Katabang` ... `:::`
                left_out[last] = MARKER
            continue
        opened = OPEN_TAG.match(marker) or LEADING_TAG.match(marker)
        if opened is None:
            continue
        closing = f"</{opened.group(1)}>"
        if last is not None and lines[last].strip().casefold() == closing.casefold():
            left_out[last] = MARKER


def _leave_out_echo_headings(
    lines: Sequence[str], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A tool that heads every exchange with the prompt's first words (ChatGPT Web Share's
    `## [2] Write me a module that ...`) writes that heading at the end of the reply before
    it: a heading that repeats the start of the next prompt (a number before it and an
    ellipsis after it aside, its spaces as the prompt's lines joined) is metadata."""
    for before, block in zip(blocks, blocks[1:], strict=False):
        if block.role != USER or before.role == USER:
            continue
        last = next(
            (
                j
                for j in range(before.end - 1, before.start - 1, -1)
                if lines[j].strip() and j not in left_out
            ),
            None,
        )
        heading = HEADING.match(lines[last]) if last is not None else None
        if heading is None or last is None:
            continue
        marker = HEADING.match(lines[block.marker]) if block.marker is not None else None
        if marker is not None and len(heading.group(1)) > len(marker.group(1)):
            continue  # (a heading under the turns' own: the reply's, `### Exercise ...`)
        words = ECHO_CUT.sub("", (heading.group(2) or "").strip())
        prompt = " ".join(
            lines[j].strip() for j in range(block.start, block.end) if j not in left_out
        )
        prompt = " ".join(prompt.split())
        for echo in (words, ECHO_NUMBER.sub("", words)):  # (the prompt's own number, or not)
            echo = " ".join(echo.split())
            if len(echo) >= MIN_ECHO and prompt.startswith(echo):
                left_out[last] = METADATA
                break


#: A party's name as a program writes a message's role: one word in lower case.
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]*+")

#: The lines of an Org drawer (`:PROPERTIES:` ... `:END:`): a name between colons, alone or
#: with its value.
DRAWER_OPEN = re.compile(r"^[ \t]*+:[A-Za-z][\w-]*+:[ \t]*+$")
DRAWER_ENTRY = re.compile(r"^[ \t]*+:[\w+-]++:(?:[ \t].*)?$")
DRAWER_END = re.compile(r"^[ \t]*+:END:[ \t]*+$", re.I)


def _leave_out_drawers(
    lines: Sequence[str], text: Sequence[bool], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """An Org drawer first under a turn's marker (`:PROPERTIES:`, `:TIMESTAMP: ...`, `:END:`)
    holds the message's properties as an Org tool writes them: metadata, on no card. Only
    under an Org heading (`** [model: RESPONSE]`): under another marker (`## Assistant`) such
    lines are the message's own, a reply showing an Org drawer in a copy that lost its fences."""
    for block in blocks:
        marker = lines[block.marker] if block.marker is not None else ""
        if not (ORG_HEADING.match(marker) or ORG_TOP_HEADING.match(marker)):
            continue
        body = [j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out]
        if not body or not text[body[0]] or not DRAWER_OPEN.match(lines[body[0]]):
            continue
        for k, j in enumerate(body[1:51], start=1):
            if DRAWER_END.match(lines[j]):
                for inside in body[: k + 1]:
                    left_out[inside] = METADATA
                break
            if not DRAWER_ENTRY.match(lines[j]):
                break


#: A line a terminal tool takes to open and close input typed over several lines.
INPUT_DELIMITERS = frozenset({'"' * 3, "'" * 3})
DELIMITER = "the delimiter of input typed over several lines"


#: A character reference of one of the characters an HTML escape writes as one.
ESCAPED = re.compile(r"&(?:quot|lt|gt|amp|#39|#x27|apos);")
#: What an escaped prompt cannot hold: the characters themselves, or an `&` starting no reference.
RAW = re.compile(r"[<>\"']|&(?!(?:quot|lt|gt|amp|#39|#x27|apos);)")
QUOTE_REFERENCE = re.compile(r"&(?:quot|#39|#x27|apos);")
REFERENCES = {"&quot;": '"', "&lt;": "<", "&gt;": ">", "&#39;": "'", "&#x27;": "'", "&apos;": "'"}


def _unescape_prompts(
    lines: Sequence[str], blocks: list[Block], left_out: dict[int, str], rewrites: dict[int, str]
) -> None:
    """A chat panel that HTML-escapes what the user typed (`Item(&quot;pen&quot;)`) before a
    tool saves it: a user's turn with such references in a line of pasted code, a quote's among
    them, and none of the characters themselves, shows them read back. A question about `&lt;`
    in words, or a page's source pasted as escaped (no quote's reference), stays."""
    for block in blocks:
        if block.role != USER:
            continue
        body = [j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out]
        shown = [rewrites.get(j, lines[j]) for j in body]
        if any(RAW.search(line) for line in shown):
            continue
        if not any(QUOTE_REFERENCE.search(line) for line in shown):
            continue  # `&lt;p&gt;` alone: a page's source the user pasted, as escaped
        if not any(ESCAPED.search(line) and code_line(_unescaped(line)) for line in shown):
            continue
        for j, line in zip(body, shown, strict=True):
            if "&" in line:
                rewrites[j] = _unescaped(line)


#: The element a page holds the user's message in, glued to its text (`<div class="...">text`).
WRAPPING_TAG = re.compile(r"^<(div|p|span)\b[^<>]{0,200}+>")


def _unwrap_html_prompts(
    lines: Sequence[str], blocks: list[Block], left_out: dict[int, str], rewrites: dict[int, str]
) -> None:
    """A tool that saves the user's message as the page's HTML holds it (`<div class="x">` glued
    to its first line, `</div>` to its last, no other tag between): the element is the tool's,
    and the text, escaped as HTML escapes a text node (`&amp;&amp;`, `&lt;List&gt;`), is shown
    read back. The tool writes the same element around every prompt: prompts in different
    elements (`<div class="price">...</div>`, `<p class="note">...</p>`) are HTML the user
    typed, asking about it."""
    wrappers = set()
    for block in blocks:
        if block.role != USER:
            continue
        first = next(
            (j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out),
            None,
        )
        if first is not None:
            tag = WRAPPING_TAG.match(rewrites.get(first, lines[first]))
            wrappers.add(tag.group(0) if tag else None)
    if len(wrappers) != 1 or None in wrappers:
        return
    for block in blocks:
        if block.role != USER:
            continue
        body = [j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out]
        if not body:
            continue
        shown = [rewrites.get(j, lines[j]) for j in body]
        opened = WRAPPING_TAG.match(shown[0])
        closing = f"</{opened.group(1)}>" if opened else ""
        if opened is None or not shown[-1].rstrip().endswith(closing):
            continue
        inner = list(shown)
        inner[0] = inner[0][opened.end() :]
        inner[-1] = inner[-1].rstrip()[: -len(closing)]
        if any("<" in line or ">" in line for line in inner):
            continue  # (more elements inside: the page's markup, no one text)
        for j, line in zip(body, inner, strict=True):
            if line.strip():
                rewrites[j] = _unescaped(line)
            else:
                left_out[j] = MARKER


def _unescaped(line: str) -> str:
    """The line with the five references an HTML escape writes read back (`&amp;` last)."""
    for reference, char in REFERENCES.items():
        line = line.replace(reference, char)
    return line.replace("&amp;", "&")


def _leave_out_input_delimiters(
    lines: Sequence[str], text: Sequence[bool], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A prompt typed in a terminal tool's multi-line mode keeps the lines of three quotes that
    opened and closed it: a user's turn whose first and last lines are both that line, with
    text between, holds the text; the two lines are on no card."""
    for block in blocks:
        if block.role != USER:
            continue
        head = _edge_lines(lines, block, left_out, False, 1)
        tail = _edge_lines(lines, block, left_out, True, 1)
        if not head or not tail or tail[0] - head[0] < 2:
            continue
        first, last = head[0], tail[0]
        delimiter = lines[first].strip()
        if (
            text[first]
            and delimiter in INPUT_DELIMITERS
            and lines[last].strip() == delimiter
            and has_content(lines, first + 1, last)
            and not any(lines[j].strip() == delimiter for j in range(first + 1, last))
        ):
            left_out[first] = left_out[last] = DELIMITER


def _unwrap_fenced_turns(
    lines: Sequence[str], blocks: list[Block], left_out: dict[int, str], rewrites: dict[int, str]
) -> None:
    r"""A tool that wraps messages whole in a fence, bare or marked as Markdown or text (```` ```md
    ````): when such messages are half the turns or more, of both speakers (three or more, all in
    the same fence, for a marked one), the fences are the tool's, not code, and a fence it
    escaped inside one (`` \``` ``) is the message's own."""
    wrapped: list[tuple[int, int]] = []
    roles: set[str] = set()
    infos: set[str] = set()
    turns = 0
    for block in blocks:
        body = _edge_lines(lines, block, left_out, False, 1)
        if not body:
            continue
        turns += 1
        head = body[0]
        tail = _edge_lines(lines, block, left_out, True, 1)[0]
        opening = INFO_FENCE.match(lines[head]) or BARE_FENCE.match(lines[head])
        closing = BARE_FENCE.match(lines[tail])
        if (
            head < tail
            and opening
            and closing
            and (opening.lastindex == 1 or opening.group(2).casefold() in WRAPPER_INFO)
            and closing.group(1)[0] == opening.group(1)[0]
            and len(closing.group(1)) >= len(opening.group(1))
        ):
            wrapped.append((head, tail))
            roles.add(block.role)
            infos.add(lines[head].strip().casefold())
    # A fence marked as Markdown or text is also what a user pastes a log in and a model
    # answers Markdown source in: the tool's only when one and the same wraps three or more.
    marked = any(info.lstrip("`~") for info in infos)
    enough = len(wrapped) >= 2 and not marked or len(wrapped) >= 3 and len(infos) == 1
    if enough and len(roles) > 1 and len(wrapped) * 2 >= turns:
        for head, tail in wrapped:
            left_out[head] = left_out[tail] = WRAPPER
            for j in range(head + 1, tail):
                if ESCAPED_FENCE.match(lines[j]):
                    rewrites[j] = lines[j].replace("\\", "", 1)


def _recurring_forms(
    lines: Sequence[str],
    blocks: list[Block],
    left_out: dict[int, str],
    header: Sequence[int] = (),
) -> set[tuple[str, ...]]:
    """Edge forms (see `edge_form`) that open or close two or more turns; a heading that
    numbers the exchanges (`## Turn 1`) in the header, over the first turn, counts as one."""
    numbered = {
        form for j in header if (form := edge_form(lines[j])) and form[0] == "numbered heading"
    }
    seen: Counter[tuple[str, ...]] = Counter(numbered)
    roles: dict[tuple[str, ...], set[str]] = {form: {USER} for form in numbered}
    digits: set[tuple[str, ...]] = set(numbered)
    for block in blocks:
        edge = set()
        heads = _edge_lines(lines, block, left_out, False)
        for j in heads + _edge_lines(lines, block, left_out, True):
            form = edge_form(lines[j]) if not _led(block, j) else None
            if form is not None and (form != ICON_QUOTE and form[0] != REFERENCE[0] or j in heads):
                edge.add(form)
                roles.setdefault(form, set()).add(block.role)
                if any(ch.isdigit() for ch in lines[j]):
                    digits.add(form)
        seen.update(edge)
    # What a tool writes with every message: a date, a count, or a line in both speakers' turns
    # (a reply's own "**Note:** ..." closing two answers is not metadata).
    turns = sum(1 for block in blocks if _edge_lines(lines, block, left_out, False, 1))
    asked = sum(1 for b in blocks if b.role == USER and _edge_lines(lines, b, left_out, False, 1))
    return {
        form
        for form, n in seen.items()
        if (
            n >= 2
            and (form[0] == "date" or form == ANCHOR or form in digits or len(roles[form]) > 1)
            and (form != ICON_QUOTE or n == turns)  # a reply's own `> 💡 Tip`: some turns only
        )
        # what the tool attached, over every prompt and no reply (an address over one prompt)
        or (
            form[0] == REFERENCE[0]
            and n == asked
            and roles[form] == {USER}
            and (form == REFERENCE or n >= 2)
        )
    }


def _edge_lines(
    lines: Sequence[str], block: Block, left_out: dict[int, str], backwards: bool, count: int = 3
) -> list[int]:
    """The first (or last) `count` lines of a turn with content, separators and an element's
    lone tags skipped."""
    found: list[int] = []
    span = range(block.end - 1, block.start - 1, -1) if backwards else range(block.start, block.end)
    for j in span:
        if len(found) == count:
            break
        line = lines[j].strip()
        if line and j not in left_out and not is_separator(line) and not lone_tag(line):
            found.append(j)
    return found


def _matches(form: tuple[str, ...] | None, forms: set[tuple[str, ...]]) -> bool:
    """A line's form is a recurring one, or a `Key: value` line dressed like one (the
    `[Context: ...]` beside a recurring `[Timestamp: ...]`)."""
    if form is None:
        return False
    if form in forms:
        return True
    return any(f[1:3] == form[1:3] and (form[1] == "True" or form[2]) for f in forms)


def _metadata_at(line: str, forms: set[tuple[str, ...]], heading: bool, role: str = USER) -> bool:
    """A line of a recurring form; an icon quote only where it heads the turn (a reply may close
    with a `> 💡 Tip` of its own), an attached resource only where it heads a user's turn."""
    form = edge_form(line)
    if form is not None and form[0] == REFERENCE[0]:
        return form in forms and heading and role == USER
    return _matches(form, forms) and (heading or form != ICON_QUOTE)


def _edge_rules(lines: Sequence[str], blocks: list[Block], left_out: dict[int, str]) -> set[str]:
    """Rule lines (`---`) at the edges of two or more turns: what the tool writes between
    messages. With them, an element's lone tag (`<details>`, `</div>`) at the edges of both
    speakers' turns: the element the tool wraps every message in."""
    seen: Counter[str] = Counter()
    tags: dict[str, set[str]] = {}
    for block in blocks:
        span = range(block.start, block.end)
        edges = set()
        unmatched = _unmatched_tags(lines, block, left_out)
        for each in (span, reversed(span)):
            outermost = True
            for j in each:  # (`</div>`, `---`, `<div>` over the next turn: its end's run)
                line = lines[j].strip()
                if not line or j in left_out:
                    continue
                if is_separator(line):
                    if outermost:
                        edges.add(line)
                elif lone_tag(line) and each is not span and j in unmatched:
                    edges.add(line)
                else:
                    break
                outermost = False
        seen.update(edges)
        for edge in edges:
            if lone_tag(edge):
                tags.setdefault(edge, set()).add(block.role)
    rules = {
        rule
        for rule, n in seen.items()
        if n >= 2 and (rule not in tags or {USER, ASSISTANT} <= tags[rule])
    }
    closed = {tag.group(1).casefold() for rule in rules if (tag := LONE_TAG.match(rule))}
    # (the element's opening tag, at an edge once in a chat of one exchange, with its closing)
    return rules | {
        edge for edge in tags if (tag := LONE_TAG.match(edge)) and tag.group(1).casefold() in closed
    }


LONE_TAG = re.compile(r"^</?([A-Za-z][\w-]{0,60}+)(?:[ \t][^<>]{0,300}+)?>$")


def lone_tag(line: str) -> bool:
    """The line is one HTML element's opening or closing tag, nothing else."""
    tag = LONE_TAG.match(line)
    return tag is not None and tag.group(1).casefold() in HTML_TAGS


#: Elements with no closing tag (`<img ...>`, `<br>`): content, never a message's wrapper.
VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
#: An HTML tag anywhere in a line, opening or closing (`<div class="x">`, `</div>`).
ANY_TAG = re.compile(r"<(/?)([A-Za-z][\w-]{0,60}+)(?:[ \t][^<>]{0,300}+)?/?>")


def _unmatched_tags(lines: Sequence[str], block: Block, left_out: dict[int, str]) -> set[int]:
    """The turn's lone tag lines that pair with no tag inside the turn: a closing tag of an
    element the turn never opened (the tool's wrapper, opened over its marker) and an opening
    tag the turn never closes (the next message's wrapper). A `</div>` closing the
    `<div align="center">` the user pasted, or a reply's `</pre>`, is the message's own."""
    open_at: dict[str, list[int]] = {}
    unmatched: set[int] = set()
    for j in range(block.start, block.end):
        if j in left_out or "<" not in lines[j]:
            continue
        for tag in ANY_TAG.finditer(lines[j]):
            name = tag.group(2).casefold()
            if name not in HTML_TAGS or name in VOID_TAGS or tag.group(0).endswith("/>"):
                continue
            if not tag.group(1):
                open_at.setdefault(name, []).append(j)
            elif open_at.get(name):
                open_at[name].pop()
            else:
                unmatched.add(j)
    unmatched.update(j for opened in open_at.values() for j in opened)
    return {j for j in unmatched if lone_tag(lines[j].strip())}


def _glued_rule(lines: Sequence[str], j: int, tail: int, rules: set[str]) -> bool:
    """A rule that opens a turn right over its text, no blank line between, and stands at no
    other turn's edge: the text's own (a traceback's `-----` over `RuntimeError ...`), not the
    tool's separator."""
    under = lines[j + 1] if j < tail else ""
    return bool(under.strip()) and not is_separator(under) and lines[j].strip() not in rules


def _led(block: Block, j: int) -> bool:
    """Line j opens the block after the tool's lead (`10:12:04: text`): the message's own text,
    however its lead looks, never the turn's metadata."""
    return bool(block.lead) and j == block.start


def _trim_edges(
    lines: Sequence[str],
    text: Sequence[bool],
    block: Block,
    forms: set[tuple[str, ...]],
    rules: set[str],
    left_out: dict[int, str],
) -> None:
    """Leave out a turn's separators, metadata and (a reply's) opening reasoning, working in
    from both edges (each line is looked at a fixed number of times). `forms`: the metadata
    forms that recur at turns' edges; `rules`: the rules that do (see `_glued_rule`)."""
    head, tail = block.start, block.end - 1
    while True:
        while head <= tail and (not lines[head].strip() or head in left_out):
            head += 1
        while tail >= head and (not lines[tail].strip() or tail in left_out):
            tail -= 1
        if head > tail:
            return
        changed = False
        for j in (tail, head) if tail != head else (head,):
            if not text[j]:
                continue
            line = lines[j]
            if is_separator(line) and not _glued_rule(lines, j, tail, rules):
                left_out[j] = SEPARATOR
                changed = True
            elif (
                j == tail
                and lone_tag(line.strip())
                and line.strip() in rules
                and j in _unmatched_tags(lines, block, left_out)
            ):
                left_out[j] = SEPARATOR
                changed = True
            elif not _led(block, j) and _metadata_at(line, forms, j == head, block.role):
                left_out[j] = METADATA
                if line.lstrip().startswith(">"):
                    leave_quote_block(lines, j, block, left_out, METADATA)
                changed = True
            elif j == tail and INTERFACE_LINE.search(line) and len(line.split()) <= 20:
                left_out[j] = INTERFACE
                changed = True
            elif j == tail and block.role == ASSISTANT and _composer_at_end(lines, j, head):
                left_out[j] = INTERFACE
                changed = True
            elif j == tail != head and block.role == USER and EXPANDER.match(line.strip()):
                left_out[j] = INTERFACE  # the page's `Show more` under a prompt it clipped
                changed = True
            elif HTML_COMMENT.match(line):
                left_out[j] = METADATA  # a tool's state in a comment (Emacs's local variables)
                changed = True
        if changed:
            continue
        if block.role != ASSISTANT:
            return
        end = reasoning_section(lines, text, head, tail, left_out)
        if end is None:
            end = reasoning_end(lines, head, block.end)
        if end is None:
            return
        rest = end
        while rest <= tail and (not lines[rest].strip() or rest in left_out):
            rest += 1
        if rest > tail:
            return  # nothing after it: the reply itself
        for k in range(head, end):
            if lines[k].strip():
                left_out[k] = REASONING


def _leave_out_marker_glyphs(
    lines: Sequence[str], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A page's small marks beside every marker of a role, the same each time: the avatar right
    over it (the model's initial `G`, an emoji) and a status glyph right under it (`●`), each
    a line of one or two characters (no letters for the one under it). They are the marker's,
    so the turns' edges read on past them (the time over the avatar is metadata then)."""
    for role in (USER, ASSISTANT):
        marked = [b.marker for b in blocks if b.role == role and b.marker is not None]
        if len(marked) < 2:
            continue
        for step, letters in ((-1, True), (1, False)):
            beside = [m + step for m in marked]
            if any(not 0 <= j < len(lines) for j in beside):
                continue
            glyphs = {lines[j].strip() for j in beside}
            glyph = next(iter(glyphs))
            if (
                len(glyphs) == 1
                and 0 < len(glyph) <= 2
                and (letters or not any(ch.isalnum() for ch in glyph))
                and not any(j in left_out for j in beside)
            ):
                for j in beside:
                    left_out[j] = MARKER


def _only_a_paste(lines: Sequence[str], block: Block) -> bool:
    """The message holds only a paste: a fenced block, or program output, under at most a
    label of its own ending with a colon (`Clipboard content:`). Sent before the asking line
    as a message of its own, it is that question's, not a tool's setup message."""
    content = [k for k in range(block.start, block.end) if lines[k].strip()]
    if content and lines[content[0]].rstrip().endswith(COLONS) and len(content) > 1:
        content = content[1:]
    if not content:
        return False
    first, last = lines[content[0]].strip(), lines[content[-1]].strip()
    if BARE_FENCE.match(last) and (INFO_FENCE.match(first) or BARE_FENCE.match(first)):
        return len(content) > 2
    return pasted_output([lines[k] for k in content])


def _closed_alike(lines: Sequence[str], blocks: list[Block]) -> bool:
    """Every message, the last too, closes with the same rule (`---`): what the last one holds
    before its rule is the message's own, not a page's footer."""
    closing: set[str] = set()
    for block in blocks:
        last = next(
            (j for j in range(block.end - 1, block.start - 1, -1) if lines[j].strip()), None
        )
        if last is None or not is_separator(lines[last]):
            return False
        closing.add(lines[last].strip())
    return len(closing) == 1 and len(blocks) > 1


def _trim_footer(
    lines: Sequence[str], text: Sequence[bool], block: Block, left_out: dict[int, str]
) -> None:
    """A page copy ends with the page's own lines (`Search`, a disclaimer) after a wide gap:
    after the last run of three or more blank lines of the last turn, only short lines; and
    right over that gap, set apart by a blank line, a model's name alone is the page's model
    menu (`llama3.1:8b`), not the reply's last line."""
    if block.role == ASSISTANT:
        for k in range(page_footer(lines, text, block.start, block.end), block.end):
            if lines[k].strip() and k not in left_out:
                left_out[k] = INTERFACE
    gap_end = None
    blank = 0
    for k in range(block.start, block.end):
        if lines[k].strip():
            if blank >= 3:
                gap_end = k
            blank = 0
        else:
            blank += 1
    if gap_end is None:
        return
    rest = [k for k in range(gap_end, block.end) if lines[k].strip() and k not in left_out]
    before = [k for k in range(block.start, gap_end) if lines[k].strip() and k not in left_out]
    if not before or not rest or len(rest) > 8:
        return
    if all(text[k] and len(lines[k].split()) <= 15 for k in rest):
        for k in rest:
            left_out[k] = INTERFACE
        menu = before[-1]  # the page's model menu over its footer, apart from the reply above
        named = lines[menu].strip()
        if (
            len(before) > 1
            and not lines[menu - 1].strip()
            and model_menu(named)
            and any(named in lines[j] for j in range(block.start))  # (the page's header too)
        ):
            left_out[menu] = INTERFACE


#: A composer's words without the placeholder's ellipsis, which a reply may end with too.
COMPOSER_WORDS = re.compile(r"^(?:send a message|ask me anything|type a message)$", re.I)
#: How a composer's placeholder ends, alone on a line under the last reply
#: (`Type your message here...`).
PLACEHOLDER_END = ("...", "…")
#: A page's buttons under its last reply (`Share`, `Compare`; a `Copy` is a code block's).
PAGE_BUTTONS = frozenset("share compare retry regenerate speak".split())
#: A page's credit line under its chat (`Powered by Flowise`, `Made by Diu | Source Code`,
#: `Built with Gradio`).
CREDIT = re.compile(r"^(?:made|powered|built|created)[ \t]++(?:by|with)[ \t]++\S", re.I)


def page_footer(lines: Sequence[str], text: Sequence[bool], start: int, stop: int) -> int:
    """Where a page copy's own lines begin under its last reply, in [start, stop): the last
    lines when all are short (buttons, menus: a few words, no sentence's end) or the page's
    disclaimer, and they show the page: a disclaimer that names the machine or asks to check,
    or two kinds of the page's lines together (its credit, `Powered by ...`; one composer's
    placeholder with its ellipsis, `Enter something...`; the composer's words, `Enter your
    prompt`; a page's button, `Regenerate response`, or a message's time alone on its line), or
    a credit or placeholder after a gap of two blank lines; two lines or more unless one is
    the disclaimer, under a reply that ended its last sentence (or its code). `stop` if there
    are none, or if nothing from `start` would be left over them. A reply's own steps (`Enter
    your prompt` / `Press Send`), its example footer (`Powered by Hugo`) and a poem's lines
    ending in `...` show no two kinds of the page's lines."""
    first = stop
    disclaimer = credit = composer = button = False
    placeholders = count = 0
    for j in range(stop - 1, start - 1, -1):
        line = lines[j].strip()
        if not line:
            continue
        if not text[j]:
            break
        words = line.split()
        if INTERFACE_LINE.search(line) and len(words) <= 30:
            if not PAGE_DISCLAIMER.search(line):
                break  # (`Everyone can make mistakes.` ending a reply is the reply's)
            disclaimer = True  # (the page's own: it names the machine or asks to check)
        elif CREDIT.match(line):
            credit = True
        elif line.endswith(PLACEHOLDER_END) and len(words) <= 6 and not line.endswith("...."):
            placeholders += 1  # (a page has one composer: more are a menu's or a poem's lines)
        elif len(words) > 4 or line.endswith(PROSE_END) or code_line(lines[j]):
            break
        elif COMPOSER.match(line) or COMPOSER_WORDS.match(line):
            composer = True  # (words a reply may end with too: never alone a sign of the page)
        elif words[0].casefold() in PAGE_BUTTONS or date_only(line):
            button = True  # (a page's button, or the time it shows under each message)
        first, count = j, count + 1
    if placeholders > 1 and not disclaimer:
        return stop
    kinds = credit + (placeholders == 1) + composer + button
    shown = disclaimer or (kinds >= 2 and count >= 2)
    if not shown and (credit or placeholders) and count >= 2:
        shown = _gap_over(lines, start, first) >= 2  # (a lone credit: set off by a wide gap)
    if not shown or not has_content(lines, start, first):
        return stop
    above = next(lines[j].strip() for j in range(first - 1, start - 1, -1) if lines[j].strip())
    if above.endswith(COLONS) or not (above.endswith(PROSE_END) or code_line(above)):
        return stop  # (a list the reply's own line introduces: `the flow is simple`)
    return first


#: What marks a disclaimer as the page's: it names the machine or asks to check the answer.
PAGE_DISCLAIMER = re.compile(r"\b(?i:check|verify|double-check)\b|\bAI\b|\bLLMs?\b")


def _gap_over(lines: Sequence[str], start: int, first: int) -> int:
    """How many blank lines stand right over line `first` (down to `start`)."""
    gap = 0
    for j in range(first - 1, start - 1, -1):
        if lines[j].strip():
            break
        gap += 1
    return gap


#: A line that only says the chat ends (`*End of conversation*`, `— End of chat —`).
END_LINE = re.compile(
    r"^[\W_]*+(?:end of (?:the )?(?:conversation|chat|transcript|export|session)|fin de la "
    r"conversaci[oó]n|ende des gespr[aä]chs|对话结束|会話終了)[\W_]*+$",
    re.I,
)


def _trim_end_line(
    lines: Sequence[str], text: Sequence[bool], block: Block, left_out: dict[int, str]
) -> None:
    """The last turn's last line, set off by a blank line, that only says the chat ends, set off
    by emphasis or under a rule: the tool's, on no card (the rule is left out with the turn's
    edges). A reply's own last line in those words (`Fin de la conversación`) stays."""
    k = block.end - 1
    while k >= block.start and (not lines[k].strip() or k in left_out):
        k -= 1
    if k <= block.start or not text[k] or lines[k - 1].strip() or not END_LINE.match(lines[k]):
        return
    above = k - 1
    while above >= block.start and not lines[above].strip():
        above -= 1
    line = lines[k].strip()
    decorated = not line[0].isalnum() and not line[-1].isalnum()  # `*End of conversation*`
    if decorated or (above >= block.start and is_separator(lines[above])):
        left_out[k] = FOOTER


def _trim_boxed_footer(
    lines: Sequence[str], block: Block, left_out: dict[int, str], header: list[int]
) -> None:
    """A tool that draws a box around the file's header (a rule, `Channel: ...`, the rule again)
    closes the file with one (`Exported 7 message(s)` between the same rules): the last turn's
    last lines, framed by a rule of the header."""
    rules = {lines[j].strip() for j in header if is_separator(lines[j])}
    if not rules:
        return
    k = block.end - 1
    while k >= block.start and (not lines[k].strip() or k in left_out):
        k -= 1
    if k < block.start or lines[k].strip() not in rules:
        return
    frame = lines[k].strip()
    inside: list[int] = []
    top = k - 1
    while top >= block.start and len(inside) <= 3:
        line = lines[top].strip()
        if line == frame:
            if inside:
                for j in range(top, k + 1):
                    if lines[j].strip():
                        left_out[j] = FOOTER
            return
        if line:
            if len(line.split()) > 8:
                return
            inside.append(top)
        top -= 1


def _trim_closing_footer(
    lines: Sequence[str], text: Sequence[bool], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A tool that closes every message with the same rule (`----`) may sign the file after the
    last one (`Generated from [Alpaca](...)`): a few short lines, one of them naming the tool
    that made the file, after the last turn's last rule, when every other turn ends with that
    rule (a reply's own closing remark after a rule names no tool)."""
    if len(blocks) < 3:
        return
    closing = {_last_line(lines, block, left_out) for block in blocks[:-1]}
    if len(closing) != 1:
        return
    rule = closing.pop()
    if rule is None or not is_separator(rule):
        return
    rest: list[int] = []
    for k in range(blocks[-1].end - 1, blocks[-1].start - 1, -1):
        line = lines[k].strip()
        if not line or k in left_out:
            continue
        if line == rule:
            break
        if len(rest) == 3 or not text[k] or len(line.split()) > 15:
            return
        rest.append(k)
    else:
        return
    if not any(ATTRIBUTION.search(lines[k]) for k in rest):
        return
    for k in rest:
        left_out[k] = FOOTER


def _trim_sectioned_footer(
    lines: Sequence[str], text: Sequence[bool], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A tool that closes every message with the same rule may add sections of its own after the
    last one (`## ❓ Help`, a centred `<div>`): from the last turn's rule on, when the rule is
    followed by a heading at the markers' level or above that no message has (a reply's own last
    section is under the marker, or of a level other messages use)."""
    if len(blocks) < 3 or any(block.marker is None for block in blocks):
        return
    levels = {_heading_level(lines[block.marker]) for block in blocks if block.marker is not None}
    closing = {_last_line(lines, block, left_out) for block in blocks[:-1]}
    if len(levels) != 1 or None in levels or len(closing) != 1:
        return
    marker_level = levels.pop() or 0
    rule = closing.pop()
    if rule is None or not is_separator(rule):
        return
    used = {
        _heading_level(lines[k])
        for block in blocks[:-1]
        for k in range(block.start, block.end)
        if text[k] and lines[k].startswith("#")
    }
    last = blocks[-1]
    run: int | None = None
    said = False
    for k in range(last.start, last.end):
        line = lines[k].strip()
        if not line or k in left_out:
            continue
        if is_separator(line):
            if run is None and line == rule and said:
                run = k
            continue
        level = _heading_level(lines[k]) if text[k] else None
        if run is not None and level is not None and level <= marker_level and level not in used:
            for j in range(run, last.end):
                if lines[j].strip():
                    left_out[j] = FOOTER
            return
        said, run = True, None
        used.add(level)


def _trim_bare_heading(
    lines: Sequence[str], text: Sequence[bool], blocks: list[Block], left_out: dict[int, str]
) -> None:
    """A heading with nothing under it that ends the file, set off by a blank line, at the level
    of the markers' headings or above (`* ╭──── Chat Input ────╮`, the input area an editor
    keeps at the end of its chat buffer): the tool's, on no card. A reply's own headings have
    lines under them."""
    marks = {lines[block.marker][:1] for block in blocks if block.marker is not None}
    if len(blocks) < 2 or len(marks) != 1 or not marks <= {"#", "*"}:
        return
    mark = marks.pop()
    last = blocks[-1]
    body = [k for k in range(last.start, last.end) if lines[k].strip() and k not in left_out]
    if len(body) < 2 or not text[body[-1]] or lines[body[-1] - 1].strip():
        return
    levels = [_outline_level(lines[b.marker], mark) for b in blocks if b.marker is not None]
    if None in levels:
        return  # `**User:**` is bold, not a heading: a last `* item` is the reply's own
    top = min(level for level in levels if level is not None)
    level = _outline_level(lines[body[-1]], mark)
    if level is not None and level <= top:
        left_out[body[-1]] = FOOTER


def _outline_level(line: str, mark: str) -> int | None:
    """A heading's level in the syntax of the markers' headings (`#` or Org's `*`)."""
    if mark == "#":
        return _heading_level(line)
    stars = ORG_HEADING.match(line) or ORG_TOP_HEADING.match(line)
    return len(stars.group(1)) if stars else None


def _heading_level(line: str) -> int | None:
    heading = HEADING.match(line)
    return len(heading.group(1)) if heading else None


def _last_line(lines: Sequence[str], block: Block, left_out: dict[int, str]) -> str | None:
    """A turn's last line with content, as written (stripped)."""
    last = _last_line_at(lines, block, left_out)
    return lines[last].strip() if last is not None else None


def _last_line_at(lines: Sequence[str], block: Block, left_out: dict[int, str]) -> int | None:
    """The block's last line with text that no step has left out, or None."""
    return next(
        (
            k
            for k in range(block.end - 1, block.start - 1, -1)
            if lines[k].strip() and k not in left_out
        ),
        None,
    )


def _leave_out_trailing_blocks(
    lines: Sequence[str],
    text: Sequence[bool],
    blocks: list[Block],
    spoken: set[int],
    left_out: dict[int, str],
) -> bool:
    """Blocks a tool adds after a message (`{Reactions}` and its emoji, a `<details>` block of
    the model's thinking or of token counts): blocks that end turns in the same form in two or
    more turns, after the message's own text. A block of the model's thinking after a reply is
    the tool's even once (a reply tells its answer, not its thinking, last), and so is any
    block after it, and a block of the chat's system prompt (what the tool sent the model
    before the chat, no part of a reply). Spacing right over a block left out (`<br><br>`)
    goes with it."""
    trailing: list[list[tuple[int, int, str]]] = []
    seen: Counter[str] = Counter()
    after_thinking: set[int] = set()  # the blocks' first lines
    for block in blocks:
        found = _trailing_blocks(lines, text, block, block.marker in spoken, left_out)
        trailing.append(found)
        seen.update({form for _, _, form in found})
        if block.role == ASSISTANT:
            thinks = [_tells_thinking(lines, start, stop) for start, stop, _ in found]
            if any(thinks):
                after_thinking.update(start for start, _, _ in found[thinks.index(True) :])
            after_thinking.update(  # (chatlas's `<br><br>` over it: a reply's own is bare)
                start
                for start, stop, _ in found
                if start > 0
                and SPACING.match(lines[start - 1])
                and _tells_system_prompt(lines, start, stop)
            )
    left = False
    for found in trailing:
        for start, stop, form in found:
            if seen[form] < 2 and start not in after_thinking:
                continue
            why = REASONING if _tells_thinking(lines, start, stop) else METADATA
            spacing = start
            while spacing > 0 and lines[spacing - 1].strip() and SPACING.match(lines[spacing - 1]):
                spacing -= 1
            for j in range(spacing, stop):
                if lines[j].strip() and j not in left_out:
                    left_out[j] = why
                    left = True
    return left


def _trailing_blocks(
    lines: Sequence[str],
    text: Sequence[bool],
    block: Block,
    content: bool,
    left_out: dict[int, str],
) -> list[tuple[int, int, str]]:
    """The tool's blocks that end a turn, after content of its own (`content`: the marker line
    holds some): (start, stop, form)."""
    found: list[tuple[int, int, str]] = []
    unclosed = False  # a `<details>` (or `<thinking>`) left open: no later one ends the turn
    k = block.start
    while k < block.end:
        line = lines[k]
        if not line.strip() or k in left_out or is_separator(line):
            k += 1
            continue
        form = _block_form(line) if text[k] else None
        tag = form is not None and form.startswith("<")
        if tag and unclosed:
            form = None
        stop = _tool_block_end(lines, k, block.end, form) if form else None
        if form is None or stop is None:
            unclosed = unclosed or tag
            content, found = True, []
            k += 1
            continue
        if content:
            found.append((k, stop, form))
        k = stop
    return found


#: A reasoning tag alone on its line, with attributes however long (`<thinking
#: anthropic:signature="...">`: the signature of the model's reasoning). A bare `<thinking>`
#: or an element that only names a reason (`<cancellationReason>`) may be a reply's example.
SIGNED_REASONING_TAG = re.compile(
    r"^<(think|thinking|thought|thoughts|reasoning)[ \t]++[^\s<>][^<>]{0,8000}+>$", re.I
)


def _block_form(line: str) -> str | None:
    """The form of a line that opens a tool's block: `{Reactions}`, `<details>`, a reasoning
    tag (`<thinking ...>`)."""
    text = line.strip()
    if TOOL_LABEL.match(text):
        return text.casefold()
    tag = OPEN_TAG.match(text)
    if tag is not None and tag.group(1).casefold() == "details":
        return "<details>"
    if DETAILS_WITH_SUMMARY.match(text):
        title = TAG.sub("", text).strip()
        if names_thinking(title) or _names_system_prompt(title):
            return "<details>"  # (other summaries on the opening line may be a reply's own)
    signed = SIGNED_REASONING_TAG.match(text)
    return f"<{signed.group(1).casefold()}>" if signed else None


def _tool_block_end(lines: Sequence[str], k: int, stop: int, form: str) -> int | None:
    """The line past a tool's block opened on line k: its closing tag (`</details>`,
    `</thinking>`), or the end of the paragraph a `{Label}` line opens."""
    if form.startswith("<"):
        return close_of(lines, k, stop, form[1:-1])
    end = k + 1
    while end < stop and lines[end].strip():
        end += 1
    return end


#: A line of nothing but line breaks (`<br><br>`): spacing a tool puts over its block.
SPACING = re.compile(r"^[ \t]*+(?:<br[ \t]*+/?>[ \t]*+)++$", re.I)
#: The words of a block's title that name the chat's system prompt (`System prompt`).
SYSTEM_PROMPT_WORDS = frozenset({"system", "prompt", "message", "instructions"})


def _names_system_prompt(title: str) -> bool:
    words = label_words(title)
    return "system" in words and words <= SYSTEM_PROMPT_WORDS


def _tells_system_prompt(lines: Sequence[str], start: int, stop: int) -> bool:
    """A `<details>` block whose title names the chat's system prompt (`<summary>System
    prompt</summary>`)."""
    title = _block_title(lines, start, stop)
    return bool(title) and lines[start].lstrip()[:1] == "<" and _names_system_prompt(title)


def _tells_thinking(lines: Sequence[str], start: int, stop: int) -> bool:
    """A block whose title (its `<summary>`, its label) or tag names the model's thinking."""
    form = _block_form(lines[start])
    if form is not None and form.startswith("<") and form != "<details>":
        return True  # (a reasoning tag's block)
    title = _block_title(lines, start, stop)
    return bool(title) and (title[0] in THOUGHT_EMOJI or names_thinking(title))


def _block_title(lines: Sequence[str], start: int, stop: int) -> str:
    """A tool block's title: the words of its first lines without their tags and marks (its
    `<summary>`, its `{Label}`); "" if none."""
    for k in range(start, min(stop, start + 4)):
        title = TAG.sub("", lines[k]).strip("{}*_ \t")
        if title:
            return title
    return ""
