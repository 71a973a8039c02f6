"""A coding agent's task log: what the user typed, what the agent showed, and the rest.

An agent (an editor extension that reads files and runs commands for the model) saves a task as
the messages it sent the model, so its `User` records are not all the user's. The tool closes
each of them with a tag pair of its own (`<environment_details>` ...), wraps what the user typed
in a tag pair named for it (`<task>`, `<user_message>`, `<feedback>`), and sends the results of
the model's tool calls back as `User` records too, opened by a bracketed label (`[Tool]`,
`[read_file for 'ci.yml'] Result:`). The model's records hold its reasoning (`[Reasoning]`,
`<thinking>`), its tool calls (`[Tool Use: read_file]` with `Path: ...` lines under it, or a tag
pair `<read_file>` ... `</read_file>`), its prose, and the text its last call shows the user
(`Result: ...`, `<result>`).

So, once the same tag pair of the tool's closes two or more user records: in those records the
question is what the user's tag pair holds, a record without one that opens with a bracketed
label is a tool's result (part of the model's turn), and the tool's pairs are context; in the
model's turn reasoning and tool calls are left out, its prose stays, and the text its last call
carries is shown. Only text lines count: tags and labels inside code blocks are code.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

#: Why a line is on no card (the dry-run's words).
CONTEXT = "the agent's context around the prompt"
TOOL_RESULT = "a tool's result, sent back to the model"
TOOL_CALL = "the model's tool call"
REASONING = "reasoning"

#: Words in a tag's name that say it holds what the user typed (`<user_message>`, `<task>`).
PROMPT_WORDS = frozenset("user task feedback answer prompt query question request input".split())
REASONING_WORDS = frozenset("reason reasoning think thinking thought thoughts".split())
#: Tags of HTML a reply may write on lines of their own: never a tool call.
HTML_NAMES = frozenset(
    "a b blockquote br code details div em figure hr i img kbd li ol p pre span strong sub "
    "summary sup table tbody td th thead tr u ul".split()
)

OPEN_TAG = re.compile(r"^<([A-Za-z][\w-]{0,60}+)>")
#: A content block's label on a line of its own: `[Reasoning]`, `[Tool Use: read_file]`,
#: `[Tool (Error)]`, and a tool's result line `[read_file for 'a.py'] Result:`.
BLOCK_LABEL = re.compile(r"^\[([^\[\]\n]{1,80}+)\](?:[ \t]++\w++:)?[ \t]*+$")
#: A tool call's parameter: `Path: src/a.py`, `Result: The problem is ...`.
PARAMETER = re.compile(r"^([A-Z][\w-]{0,40}+):(?:[ \t]++|$)")
SENTENCE_END = (".", "!", "?", "。", "！", "？", ":", "…")

Pair = tuple[str, int, int]  # a tag's name, its opening line, its closing line


@dataclass(frozen=True)
class Record:
    """One speaker's record of the log: its lines [start, end) under its marker."""

    marker: int | None
    start: int
    end: int
    user: bool


@dataclass(frozen=True)
class AgentLog:
    """What the agent reading leaves out and rewrites, by 0-based line."""

    left_out: dict[int, str]
    rewrites: dict[int, str]
    #: Marker lines inside the model's turn: a tool's result's, and the model's records' after it.
    inner_markers: dict[int, str]


def _words(name: str) -> set[str]:
    return set(re.split(r"[\W_]+", name.casefold()))


def _prompt(name: str) -> bool:
    return not PROMPT_WORDS.isdisjoint(_words(name))


def _tag_pairs(lines: Sequence[str], text: Sequence[bool], start: int, end: int) -> list[Pair]:
    """Tag pairs on text lines of their own, outermost only, nested ones of the same name
    matched: (name, open, close); `<task>text</task>` alone on a line: open == close."""
    pairs: list[Pair] = []
    stack: list[tuple[str, int]] = []
    for j in range(start, end):
        if not text[j]:
            continue
        line = lines[j].strip()
        if line.startswith("</") and line.endswith(">"):
            name = line[2:-1]
            depth = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == name), None)
            if depth is not None:
                opened = stack[depth][1]
                del stack[depth:]  # tags opened inside it and never closed are text
                if not stack:
                    pairs.append((name, opened, j))
            continue
        tag = OPEN_TAG.match(line)
        if tag is None:
            continue
        name = tag.group(1)
        if line == tag.group(0):
            stack.append((name, j))
        elif not stack and line.endswith(f"</{name}>") and line.count(f"<{name}>") == 1:
            pairs.append((name, j, j))
    # An opening tag never closed leaves the pairs inside it outermost; drop any they contain.
    pairs.sort(key=lambda pair: pair[1])
    outermost: list[Pair] = []
    for pair in pairs:
        if not outermost or pair[1] > outermost[-1][2]:
            outermost.append(pair)
    return outermost


def _last_content(lines: Sequence[str], record: Record, left_out: dict[int, str]) -> int | None:
    return next(
        (
            j
            for j in range(record.end - 1, record.start - 1, -1)
            if lines[j].strip() and j not in left_out
        ),
        None,
    )


def _first_content(lines: Sequence[str], record: Record, left_out: dict[int, str]) -> int | None:
    return next(
        (j for j in range(record.start, record.end) if lines[j].strip() and j not in left_out),
        None,
    )


def _closing_tag(
    lines: Sequence[str],
    records: Sequence[Record],
    pairs: list[list[Pair]],
    left_out: dict[int, str],
) -> str | None:
    """The tool's own tag: a pair not named for the user's words that closes two or more user
    records, the user's tag pair standing in one of them."""
    closers: Counter[str] = Counter()
    prompted: set[str] = set()
    for n, record in enumerate(records):
        last = _last_content(lines, record, left_out)
        if not record.user or last is None:
            continue
        closer = next((p[0] for p in pairs[n] if p[2] == last and p[1] < last), None)
        if closer is not None and not _prompt(closer):
            closers[closer] += 1
            if any(_prompt(p[0]) for p in pairs[n]):
                prompted.add(closer)
    best = next(iter(closers.most_common(1)), None)
    if best is None or best[0] not in prompted:
        return None
    if best[1] >= 2:
        return best[0]
    # A task of one message: only the tool's shape will do, the user's pair first (under a
    # label at most) and nothing but tag pairs after it.
    users = [n for n, record in enumerate(records) if record.user]
    if len(users) != 1 or not _tool_shaped(lines, records[users[0]], pairs[users[0]], left_out):
        return None
    return best[0]


def _tool_shaped(
    lines: Sequence[str], record: Record, pairs: list[Pair], left_out: dict[int, str]
) -> bool:
    body = [j for j in range(record.start, record.end) if lines[j].strip() and j not in left_out]
    if body and BLOCK_LABEL.match(lines[body[0]].strip()):
        body = body[1:]
    inside = {j for _, o, c in pairs for j in range(o, c + 1)}
    return (
        bool(body)
        and bool(pairs)
        and _prompt(pairs[0][0])
        and pairs[0][1] == body[0]
        and all(j in inside for j in body)
    )


def read_agent_log(
    lines: Sequence[str],
    text: Sequence[bool],
    records: Sequence[Record],
    left_out: dict[int, str],
) -> AgentLog | None:
    """The agent reading of a chat log's records (see the module's docstring), or None when no
    tag pair of a tool's closes two of its user records. `text[j]`: line j is text, not code;
    `left_out`: lines already on no card."""
    pairs = [_tag_pairs(lines, text, r.start, r.end) for r in records]
    closer = _closing_tag(lines, records, pairs, left_out)
    if closer is None:
        return None
    out: dict[int, str] = {}
    rewrites: dict[int, str] = {}
    inner_markers: dict[int, str] = {}
    turn: list[Record] = []  # the model's records since the last question

    def leave(first: int, stop: int, why: str) -> None:
        for j in range(first, stop):
            if lines[j].strip() and j not in left_out:
                out[j] = why

    def answered() -> None:
        _read_reply(lines, text, [r for r in turn if not r.user], left_out, out, rewrites)
        turn.clear()

    for n, record in enumerate(records):
        if not record.user:
            if record.marker is not None and turn and turn[-1].user:
                inner_markers[record.marker] = "turn marker (the model's turn goes on)"
            turn.append(record)
            continue
        last = _last_content(lines, record, left_out)
        closed = any(p[0] == closer and p[2] == last for p in pairs[n])
        if not closed:
            answered()  # a message of the user's own, as written
            continue
        prompts = [p for p in pairs[n] if _prompt(p[0])]
        first = _first_content(lines, record, left_out)
        if not prompts and turn and first is not None and BLOCK_LABEL.match(lines[first].strip()):
            leave(record.start, record.end, TOOL_RESULT)
            if record.marker is not None:
                inner_markers[record.marker] = f"turn marker ({TOOL_RESULT})"
            turn.append(record)
            continue
        answered()
        if not prompts:  # the user's words without their tag pair: only the tool's pairs go
            for _, o, c in pairs[n]:
                leave(o, c + 1, CONTEXT)
            continue
        kept: set[int] = set()
        for name, o, c in prompts:
            if o == c:  # `<task>text</task>`: the text between the tags
                line = lines[o].strip()
                rewrites[o] = line[len(name) + 2 : -len(name) - 3].strip()
                kept.add(o)
            else:
                kept.update(range(o + 1, c))
        for j in range(record.start, record.end):
            if j not in kept and lines[j].strip() and j not in left_out:
                out[j] = CONTEXT
    answered()
    return AgentLog(out, rewrites, inner_markers)


def _read_reply(
    lines: Sequence[str],
    text: Sequence[bool],
    turn: list[Record],
    left_out: dict[int, str],
    out: dict[int, str],
    rewrites: dict[int, str],
) -> None:
    """The model's turn (its records between two questions): reasoning and tool calls left out,
    its prose kept, and the text its last tool call carries shown."""
    calls: list[tuple[int, int, bool]] = []  # (first, stop, bracketed) of each tool call
    reasoning: list[tuple[int, int]] = []
    for record in turn:
        labels = [
            (j, m.group(1))
            for j in range(record.start, record.end)
            if text[j] and j not in left_out and (m := BLOCK_LABEL.match(lines[j].strip()))
        ]
        labels = [(j, label) for j, label in labels if _block_label(label)]
        for k, (j, label) in enumerate(labels):
            stop = labels[k + 1][0] if k + 1 < len(labels) else record.end
            if REASONING_WORDS.isdisjoint(_words(label)):
                calls.append((j, stop, True))
            else:
                reasoning.append((j, stop))
        # The labelled blocks run from the first label to the record's end: tag pairs inside
        # them are theirs.
        labelled = labels[0][0] if labels else record.end
        for name, o, c in _tag_pairs(lines, text, record.start, labelled):
            if o == c or name.casefold() in HTML_NAMES:
                continue
            if REASONING_WORDS.isdisjoint(_words(name)):
                calls.append((o, c + 1, False))
            else:
                reasoning.append((o, c + 1))
    calls.sort()
    hidden = [False] * (turn[-1].end - turn[0].start) if turn else []
    base = turn[0].start if turn else 0
    for first, stop in reasoning + [(a, b) for a, b, _ in calls]:
        for j in range(first, stop):
            hidden[j - base] = True
    carried = _carried_text(lines, calls[-1], left_out, rewrites) if calls else range(0)
    shown = any(
        lines[j].strip() and j not in left_out and not hidden[j - base]
        for record in turn
        for j in range(record.start, record.end)
    )
    if not shown and not carried and reasoning:
        # `[Reasoning]` then the reply with no line of its own between (the blocks are joined
        # by a newline): after the reasoning's first blank line, the reply.
        first, stop = reasoning[-1]
        gap = next((j for j in range(first + 1, stop) if not lines[j].strip()), None)
        if gap is not None:
            reasoning[-1] = (first, gap)
    for first, stop in reasoning:
        for j in range(first, stop):
            if lines[j].strip() and j not in left_out:
                out[j] = REASONING
    for first, stop, _ in calls:
        for j in range(first, stop):
            if lines[j].strip() and j not in left_out and j not in carried:
                out[j] = TOOL_CALL


def _block_label(label: str) -> bool:
    """A label the agent writes over a block (`[Reasoning]`, `[Tool Use: x]`, `[Image]`), not a
    bracketed word of a reply (`[package]`, `[tool:pytest]` in a config shown bare)."""
    return label[:1].isupper()


def _carried_text(
    lines: Sequence[str],
    call: tuple[int, int, bool],
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> range:
    """The text a tool call shows the user: from its first parameter that holds text (`Result:
    ...` and every line under it to the call's end) or the first tag pair inside it that holds
    several lines (`<result>`); an argument (`Path: ci.yml`) is none."""
    first, stop, bracketed = call
    body = [j for j in range(first + 1, stop) if lines[j].strip() and j not in left_out]
    if bracketed:
        for j in body:
            key = PARAMETER.match(lines[j])
            if key is None:
                continue
            value = lines[j][key.end() :].strip()
            more = any(k > j for k in body)
            words = value.split()
            if more or len(words) >= 4 or (len(words) >= 2 and value.endswith(SENTENCE_END)):
                if not value:
                    return range(j + 1, stop)  # `Result:` alone over its text
                rewrites[j] = value
                return range(j, stop)
        return range(0)
    closes = {lines[j].strip(): j for j in body if lines[j].strip().startswith("</")}
    for j in body:
        tag = OPEN_TAG.match(lines[j].strip())
        if tag and lines[j].strip() == tag.group(0):
            close = closes.get(f"</{tag.group(1)}>")
            if close is not None and close > j + 1:
                return range(j + 1, close)  # the call's tags are its own
    return range(0)
