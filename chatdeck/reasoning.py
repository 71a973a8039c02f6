"""A model's reasoning at the head of a reply: a collapsible block, a `<think>` tag, a `Thought
for 12 seconds` line, a thought-process quote or section. A card shows the answer, so the
reasoning is left out (and counted in the dry-run report).
"""

import re
from collections.abc import Sequence

from chatdeck.turn_markers import (
    ASSISTANT,
    BARE_FENCE,
    DETAILS_WITH_SUMMARY,
    DIGIT,
    DURATION,
    FOLDED_CALLOUT,
    HEADING,
    HTML_TAGS,
    INFO_FENCE,
    LEADING_TAG,
    MARKER,
    OPEN_TAG,
    REASONING,
    REASONING_COMMENT,
    REASONING_TAG,
    RESPONSE_WORDS,
    THOUGHT_LABEL,
    THOUGHT_WORDS,
    TOGGLE,
    USER,
    Block,
    names_the_user,
    next_content,
)


def thought_parts(lines: Sequence[str], blocks: list[Block]) -> set[int]:
    """The model's reasoning written as a message of its own: every reply of the chat (two or
    more) comes as two messages in a row under the same label, the first prose with no code block,
    no heading and no table, and one of the first opens by naming the user (a tool that records a
    thinking model's reply as its reasoning part and its text part, each under the speaker's
    heading). The first of each pair, by id."""
    runs: list[list[Block]] = []
    for n, block in enumerate(blocks):
        if block.role != ASSISTANT or block.marker is None:
            continue
        if n and blocks[n - 1].role == ASSISTANT and runs and runs[-1][-1] is blocks[n - 1]:
            runs[-1].append(block)
        else:
            runs.append([block])
    if len(runs) < 2 or any(len(run) != 2 for run in runs):
        return set()
    if len({block.label.casefold() for run in runs for block in run}) > 1:
        return set()  # (`### User story:` under a reply is a heading of the reply's)
    firsts = [run[0] for run in runs]
    opening = [
        next((lines[j] for j in range(b.start, b.end) if lines[j].strip()), "") for b in firsts
    ]
    if not any(names_the_user(line) for line in opening):
        return set()  # a reply a tool saved in two parts: its reasoning would name the user
    for block in firsts:
        body = [lines[j] for j in range(block.start, block.end) if lines[j].strip()]
        if not body or any(
            BARE_FENCE.match(line)
            or INFO_FENCE.match(line)
            or HEADING.match(line)
            or line.lstrip().startswith("|")
            for line in body
        ):
            return set()
    return {id(block) for block in firsts}


def unanswered_opening(blocks: list[Block]) -> bool:
    """The chat opens with two marked user messages in a row, and the model answers later."""
    return (
        len(blocks) >= 3
        and blocks[0].role == USER
        and blocks[0].marker is not None
        and blocks[1].role == USER
        and blocks[1].marker is not None
        and any(block.role == ASSISTANT for block in blocks[2:])
    )


def after_glued_reasoning(
    lines: Sequence[str],
    block: Block,
    inline: str,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> str:
    """A reply whose reasoning tag opens on its marker's line (`qwen3:8b: <think>Okay, ...`) or
    its own first line, and closes with the reply glued after it (`...</think>Because ...`): the
    reasoning's lines left out and the closing line cut after its tag (the marker line's text:
    what follows the tag, or nothing)."""
    first = block.start
    if not inline:  # `<think>...</think>The reply` on the reply's own first line
        first = next(
            (k for k in range(block.start, block.end) if lines[k].strip() and k not in left_out),
            block.end,
        )
        name = _reasoning_tag(lines[first]) if first < block.end else None
        if name is None:
            return inline
    else:
        name = _reasoning_tag(inline)
        if name is None:
            return inline
        closing = f"</{name}>"
        at = inline.casefold().find(closing)
        if at >= 0:
            return inline[at + len(closing) :].strip()
    closing = f"</{name}>"
    for k in range(first, block.end):
        at = lines[k].casefold().find(closing)
        if at >= 0:
            for j in range(first, k):
                if lines[j].strip() and j not in left_out:
                    left_out[j] = REASONING
            rest = lines[k][at + len(closing) :].strip()
            if rest:
                rewrites[k] = rest
            else:
                left_out[k] = REASONING
            return ""
    return inline  # never closed: no reasoning of the tool's


def _reasoning_heading(line: str) -> int | None:
    """The level of a heading that names the model's reasoning and nothing else
    (`### Reasoning`, `## 思考过程`), else None."""
    heading = HEADING.match(line)
    if heading is None:
        return None
    label = (heading.group(2) or "").strip().rstrip("#").strip("*_ \t").rstrip(":：").strip()
    if not label or not re.fullmatch(THOUGHT_WORDS.pattern, label, re.I):
        return None
    return len(heading.group(1))


def reasoning_section(
    lines: Sequence[str], text: Sequence[bool], head: int, tail: int, left_out: dict[int, str]
) -> int | None:
    """A reply that opens with a reasoning subheading (`### Reasoning`): the reasoning runs to
    the next heading of its level or above, where the reply goes on; that heading, when it only
    labels the answer (`### Response`), is a marker. The line the reasoning ends at, or None
    (no such heading, or nothing after it)."""
    level = _reasoning_heading(lines[head])
    if level is None:
        return None
    for k in range(head + 1, tail + 1):
        heading = HEADING.match(lines[k]) if text[k] else None
        if heading is None or len(heading.group(1)) > level:
            continue
        label = (heading.group(2) or "").strip().rstrip("#").strip("*_ \t").rstrip(":：")
        words = {w for w in re.split(r"[\W_]+", label.casefold()) if w}
        rest = next_content(lines, k + 1, tail + 1)
        if words and words <= RESPONSE_WORDS:
            if rest > tail:
                return None  # an answer heading over nothing: not the reply's reasoning
            left_out[k] = MARKER
            return rest
        return k
    return None


def leave_quote_block(
    lines: Sequence[str], j: int, block: Block, left_out: dict[int, str], why: str
) -> None:
    k = j
    while k - 1 >= block.start and lines[k - 1].lstrip().startswith(">"):
        k -= 1
        left_out[k] = why
    k = j
    while k + 1 < block.end and lines[k + 1].lstrip().startswith(">"):
        k += 1
        left_out[k] = why


def opens_reasoning(line: str) -> bool:
    """A line that can open the model's reasoning by its shape: a fence or a tag named for it
    (```` ``` reasoning ````, `<think>`), a `<details type="reasoning">`."""
    fence = INFO_FENCE.match(line)
    if fence:
        return bool(THOUGHT_WORDS.match(fence.group(2)))
    if FOLDED_CALLOUT.match(line):
        return True  # `> [!quote]-` over a reply: the tool's reasoning, folded
    tag = OPEN_TAG.match(line.strip())
    if tag is None and (comment := REASONING_COMMENT.match(line.strip())):
        word = comment.group(1).strip()  # `<!-- REASONING`, a tool's (`<!-- thoughts`: a note's)
        return word.isupper() and bool(THOUGHT_WORDS.fullmatch(word))
    return bool(tag and REASONING_TAG.search(tag.group(0))) or _reasoning_tag(line) is not None


def _reasoning_tag(line: str) -> str | None:
    """The tool's own reasoning tag opening a line that goes on after it (`<think>The user
    asks ...`, `<think><details>...`), whose closing tag ends a later line (`... </think>`)."""
    lead = LEADING_TAG.match(line.strip())
    if lead is None:
        return None
    name = lead.group(1).casefold()
    return name if name not in HTML_TAGS and REASONING_TAG.search(name) else None


def reasoning_end(lines: Sequence[str], i: int, stop: int) -> int | None:
    """If a reply opens with reasoning at line i, the line just past it."""
    fence = INFO_FENCE.match(lines[i])
    if fence and THOUGHT_WORDS.match(fence.group(2)):
        # ```` ``` reasoning ````: a fence named for thinking, closed like any fence
        marks = fence.group(1)
        for k in range(i + 1, stop):
            close = BARE_FENCE.match(lines[k])
            if close and close.group(1)[0] == marks[0] and len(close.group(1)) >= len(marks):
                return k + 1
        return None
    line = lines[i].strip()
    if DETAILS_WITH_SUMMARY.match(line):
        return close_of(lines, i, stop, "details")
    if FOLDED_CALLOUT.match(line):  # the callout's `>` lines
        k = i + 1
        while k < stop and lines[k].startswith(">"):
            k += 1
        return k
    if REASONING_COMMENT.match(line) and opens_reasoning(line):  # `<!-- REASONING` ... `-->`
        return next((k + 1 for k in range(i + 1, stop) if lines[k].rstrip().endswith("-->")), None)
    tag = OPEN_TAG.match(line)
    if tag:
        name = tag.group(1).casefold()
        if name == "div" or name == "details":
            return close_of(lines, i, stop, name)
        if name not in HTML_TAGS or REASONING_TAG.search(name):
            closing, opening = f"</{name}>", f"<{name}>"
            for k in range(i + 1, stop):
                # alone on its line, or glued to the reasoning's last line (`...</Thoughts>`),
                # but not on a line that opens the tag too (`<think>step</think>`, an example)
                line = lines[k].strip().casefold()
                if line == closing or (line.endswith(closing) and opening not in line):
                    return k + 1
            return None
    shared = _reasoning_tag(line)
    if shared is not None:
        closing = f"</{shared}>"
        for k in range(i, stop):
            if lines[k].rstrip().casefold().endswith(closing):
                return k + 1
        return None
    bare = line.strip("*_# ").strip()
    bracketed = bare[:1] in "[【" and bare[-1:] in "]】"
    if bracketed:
        bare = bare[1:-1].strip()  # `[思考过程]`, `[Thinking]`: a tool's label in brackets
    if len(bare.split()) <= 8 and (
        _thought_line(bare) or (DURATION.search(bare) and len(bare.split()) <= 5)
    ):
        k = next_content(lines, i + 1, stop)
        heading = HEADING.match(lines[k]) if k < stop else None
        if heading and THOUGHT_WORDS.match((heading.group(2) or "").strip("*_ ")):
            k = next_content(lines, k + 1, stop)
        opened = k
        while k < stop and lines[k].lstrip().startswith(">"):
            while k < stop and lines[k].lstrip().startswith(">"):
                k += 1
            k = next_content(lines, k, stop)
        label = line.strip()
        italic = label[:1] in "_*" and label[1:2] not in "_*" and label[-1:] == label[:1]
        closed = _closing_label(lines, i, stop, bare) if bracketed and k == opened else None
        if closed is not None:
            return next_content(lines, closed + 1, stop)
        if k == opened and (
            (italic and THOUGHT_LABEL.match(bare)) or (bracketed and THOUGHT_WORDS.fullmatch(bare))
        ):
            # `_Thinking:_` or `[思考过程]` over a bare paragraph: a tool's label that announces
            # the reasoning under it (a reply's own `**Reasoning:**` or "Thought experiment:"
            # stays); nothing marks the end of a reasoning of more paragraphs
            while k < stop and lines[k].strip():
                if bracketed and lines[k].startswith(("[", "【")):
                    return None  # an agent's log of labelled blocks (`[Tool Use: x]`)
                k += 1
            k = next_content(lines, k, stop)
        return k
    heading = HEADING.match(lines[i])
    if heading and THOUGHT_WORDS.match((heading.group(2) or "").strip("*_ ")):
        k = next_content(lines, i + 1, stop)
        if k < stop and lines[k].lstrip().startswith(">"):
            while k < stop and lines[k].lstrip().startswith(">"):
                while k < stop and lines[k].lstrip().startswith(">"):
                    k += 1
                k = next_content(lines, k, stop)
            return k
    return None


def _closing_label(lines: Sequence[str], i: int, stop: int, opening: str) -> int | None:
    """The line that closes a reasoning a bracketed label opened on line i (`[Thinking...]`
    ... `[Thinking done.]`, `[思考]` ... `[/思考]`): a later bracketed line alone that names
    the same thinking word; None if there is none."""
    word = THOUGHT_WORDS.match(opening)
    if word is None:
        return None
    name = word.group(0).casefold()
    for k in range(i + 1, stop):
        text = lines[k].strip()
        if text[:1] in "[【" and text[-1:] in "]】" and name in text.casefold():
            return k
    return None


def without_opening_reasoning(reply: str) -> str:
    """A reply without the model's reasoning it opens with, where a tag or fence marks it (a
    `<think>` block, ```` ``` reasoning ````, `<details type="reasoning">`) and the reply goes on
    after it. For replies a tool keeps as data (JSON), where a line of prose ("Thought
    experiment:") is the reply's own."""
    lines = reply.split("\n")
    head = next_content(lines, 0, len(lines))
    if head == len(lines) or not opens_reasoning(lines[head]):
        return reply
    name = _reasoning_tag(lines[head]) or _reasoning_tag(lines[head].strip() + " ")
    closing = f"</{name}>" if name else ""
    at = reply.casefold().find(closing) if name else -1
    if at >= 0 and reply[at + len(closing) :].strip():
        # `<think>...</think>The reply`: the reply glued right after the closing tag
        return reply[at + len(closing) :].strip()
    end = reasoning_end(lines, head, len(lines))
    if end is None or next_content(lines, end, len(lines)) == len(lines):
        return reply
    return "\n".join(lines[next_content(lines, end, len(lines)) :])


def _thought_line(text: str) -> bool:
    """A line that says the model thought: `Thinking`, `Thought for 12 seconds`, `Thought
    Process:`, `已深度思考（用时 12 秒）`; not a reply's own "Thought experiment:"."""
    text = TOGGLE.sub("", text, count=1)  # `Show thinking`: a page's button over its reasoning
    thought = THOUGHT_WORDS.match(text)
    if thought is None:
        return False
    rest = text[thought.end() :].strip(" \t:：.…*_()（）")
    return not rest or bool(DIGIT.search(rest)) or rest.casefold().startswith("for ")


def close_of(lines: Sequence[str], i: int, stop: int, name: str) -> int | None:
    """The line past the element opened on line i (`<div ...>` or `<details ...>`), counting
    nested elements of the same name; a `<div>` counts only when it wraps a `<details>`."""
    if name == "div":
        k = next_content(lines, i + 1, stop)
        if k >= stop or not lines[k].strip().casefold().startswith("<details"):
            return None
    depth = 0
    opener = re.compile(rf"<{name}\b", re.I)
    closer = re.compile(rf"</{name}>", re.I)
    for k in range(i, stop):
        depth += len(opener.findall(lines[k])) - len(closer.findall(lines[k]))
        if depth <= 0:
            return k + 1
    return None
