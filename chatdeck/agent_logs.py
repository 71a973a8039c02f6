"""A coding agent's task log: what the user typed, what the agent showed, and the rest.

An agent (an editor extension that reads files and runs commands for the model) saves a task as
the messages it sent the model, so its `User` records are not all the user's. The tool wraps
what the user typed in a tag pair named for it (`<task>`, `<user_message>`, `<feedback>`) and
adds its own context after it (`<environment_details>` ...); the results of the model's tool
calls go back to the model as `User` records too, opened by a bracketed label (`[Tool]`,
`[read_file for 'ci.yml'] Result:`). The model's records hold its reasoning (`[Reasoning]`,
`<thinking>`), its tool calls (`[Tool Use: read_file]` with `Path: ...` lines under it, or a tag
pair `<read_file>` ... `</read_file>`), and the reply it shows the user: its own prose or, when
it wrote none, the text its last tool call carries to the user (`Result: ...`, `<result>`).

So, once a log's user records wrap the user's words in such a tag pair: the question is what the
tag pairs hold; a user record without one that opens with a bracketed label is a tool's result,
part of the model's turn; in the model's turn, reasoning and tool calls are left out, and a turn
with no prose of its own shows the longest parameter of its last tool call. Logs without such a
tag pair are left as they are.
"""

from __future__ import annotations

import bisect
import re
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

OPEN_TAG = re.compile(r"^<([A-Za-z][\w-]{0,60}+)>")
#: A content block's label on a line of its own: `[Reasoning]`, `[Tool Use: read_file]`,
#: `[Tool (Error)]`, and a tool's result line `[read_file for 'a.py'] Result:`.
BLOCK_LABEL = re.compile(r"^\[([^\[\]\n]{1,80}+)\](?:[ \t]++\w++:)?[ \t]*+$")
#: A tool call's parameter: `Path: src/a.py`, `Result: The problem is ...`.
PARAMETER = re.compile(r"^([A-Z][\w-]{0,40}+):(?:[ \t]++|$)")


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


def _tag_pairs(lines: Sequence[str], start: int, end: int) -> list[tuple[str, int, int]]:
    """Tag pairs that open and close on lines of their own, outermost only: (name, open, close)
    (`<task>text</task>` on one line: open == close). Linear: each line is read twice."""
    closes: dict[str, list[int]] = {}
    for j in range(start, end):
        line = lines[j].strip()
        if line.startswith("</") and line.endswith(">"):
            closes.setdefault(line[2:-1], []).append(j)
    pairs: list[tuple[str, int, int]] = []
    i = start
    while i < end:
        line = lines[i].strip()
        opened = OPEN_TAG.match(line)
        if opened:
            name = opened.group(1)
            if len(line) > len(opened.group(0)) and line.endswith(f"</{name}>"):
                pairs.append((name, i, i))
            elif line == opened.group(0):
                after = closes.get(name, [])
                k = bisect.bisect_right(after, i)
                if k < len(after):
                    pairs.append((name, i, after[k]))
                    i = after[k]
        i += 1
    return pairs


def _prompt(name: str) -> bool:
    return not PROMPT_WORDS.isdisjoint(_words(name))


def _agent_log(
    lines: Sequence[str], records: Sequence[Record], pairs: dict[int, list[tuple[str, int, int]]]
) -> bool:
    """User records wrap the user's words in a tag pair named for them, and the tool's hand shows
    beside it: a tag pair of its own in every such record (the environment), or a tool's result
    sent as a user record. A user's own prompt template (`<task>` ... `</task>` in a question)
    is neither."""
    prompted = [n for n, r in enumerate(records) if r.user and any(_prompt(p[0]) for p in pairs[n])]
    if not prompted:
        return False
    shared = set.intersection(*({p[0] for p in pairs[n] if not _prompt(p[0])} for n in prompted))
    return bool(shared) or any(
        r.user and (body := _first_content(lines, r)) is not None and BLOCK_LABEL.match(body)
        for n, r in enumerate(records)
        if n > 0
    )


def _first_content(lines: Sequence[str], record: Record) -> str | None:
    return next(
        (lines[j].strip() for j in range(record.start, record.end) if lines[j].strip()), None
    )


def read_agent_log(
    lines: Sequence[str], records: Sequence[Record], left_out: dict[int, str]
) -> AgentLog | None:
    """The agent reading of a chat log's records (see the module's docstring), or None when no
    user record wraps the user's words in a tag pair. `left_out`: lines already on no card."""
    pairs = {n: _tag_pairs(lines, r.start, r.end) for n, r in enumerate(records)}
    if not _agent_log(lines, records, pairs):
        return None
    out: dict[int, str] = {}
    rewrites: dict[int, str] = {}
    inner_markers: dict[int, str] = {}

    def leave(first: int, stop: int, why: str) -> None:
        for j in range(first, stop):
            if lines[j].strip() and j not in left_out:
                out[j] = why

    turn: list[int] = []  # the model's records since the last question
    for n, record in enumerate(records):
        if not record.user:
            if record.marker is not None and turn and records[turn[-1]].user:
                inner_markers[record.marker] = "turn marker (the model's turn goes on)"
            turn.append(n)
            continue
        prompts = [(o, c) for name, o, c in pairs[n] if _prompt(name)]
        if prompts:
            _read_reply(lines, records, turn, pairs, left_out, out, rewrites)
            turn = []
            kept = set()
            for o, c in prompts:
                if o == c:  # `<task>text</task>`: the text between the tags
                    line = lines[o].strip()
                    rewrites[o] = line[line.index(">") + 1 : line.rindex("</")].strip()
                    kept.add(o)
                else:
                    kept.update(range(o + 1, c))
            for j in range(record.start, record.end):
                if j not in kept and lines[j].strip() and j not in left_out:
                    out[j] = CONTEXT
            continue
        body = [j for j in range(record.start, record.end) if lines[j].strip()]
        if turn and body and BLOCK_LABEL.match(lines[body[0]].strip()):
            leave(record.start, record.end, TOOL_RESULT)
            if record.marker is not None:
                inner_markers[record.marker] = f"turn marker ({TOOL_RESULT})"
            turn.append(n)
            continue
        # A message of the user's own without the tag pair: only the tool's blocks go.
        _read_reply(lines, records, turn, pairs, left_out, out, rewrites)
        turn = []
        for _, o, c in pairs[n]:
            leave(o, c + 1, CONTEXT)
    _read_reply(lines, records, turn, pairs, left_out, out, rewrites)
    return AgentLog(out, rewrites, inner_markers)


def _read_reply(
    lines: Sequence[str],
    records: Sequence[Record],
    turn: list[int],
    pairs: dict[int, list[tuple[str, int, int]]],
    left_out: dict[int, str],
    out: dict[int, str],
    rewrites: dict[int, str],
) -> None:
    """The model's turn (its records between two questions): reasoning and tool calls left out;
    with no prose of its own, the longest parameter of its last tool call is the reply."""
    calls: list[tuple[int, int, bool]] = []  # (first, stop, bracketed) of each tool call
    reasoning: list[tuple[int, int]] = []
    turn = [n for n in turn if not records[n].user]  # a tool's result is all left out
    for n in turn:
        record = records[n]
        labels = [
            (j, m.group(1))
            for j in range(record.start, record.end)
            if j not in left_out and (m := BLOCK_LABEL.match(lines[j].strip()))
        ]
        for k, (j, label) in enumerate(labels):
            stop = labels[k + 1][0] if k + 1 < len(labels) else record.end
            if not REASONING_WORDS.isdisjoint(_words(label)):
                reasoning.append((j, stop))
            else:
                calls.append((j, stop, True))
        for name, o, c in pairs[n]:
            if any(first <= o < stop for first, stop in reasoning + [(a, b) for a, b, _ in calls]):
                continue
            if not REASONING_WORDS.isdisjoint(_words(name)):
                reasoning.append((o, c + 1))
            else:
                calls.append((o, c + 1, False))
    covered = {j for first, stop in reasoning for j in range(first, stop)}
    covered.update(j for first, stop, _ in calls for j in range(first, stop))
    prose = any(
        lines[j].strip() and j not in left_out and j not in covered
        for n in turn
        for j in range(records[n].start, records[n].end)
    )
    reply: range = range(0)
    if not prose and calls:
        reply = _carried_text(lines, calls[-1], left_out, rewrites)
    for first, stop in reasoning:
        for j in range(first, stop):
            if lines[j].strip() and j not in left_out:
                out[j] = REASONING
    for first, stop, _ in calls:
        for j in range(first, stop):
            if lines[j].strip() and j not in left_out and j not in reply:
                out[j] = TOOL_CALL


def _carried_text(
    lines: Sequence[str],
    call: tuple[int, int, bool],
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> range:
    """The lines of a tool call's longest parameter (`Result: ...` and the lines under it, or
    what an inner tag pair holds): the text the call shows the user."""
    first, stop, bracketed = call
    if bracketed:
        starts = [j for j in range(first + 1, stop) if PARAMETER.match(lines[j])]
        if not starts:
            return range(0)
        spans = [(j, starts[k + 1] if k + 1 < len(starts) else stop) for k, j in enumerate(starts)]
        begin, end = max(spans, key=lambda span: span[1] - span[0])
        key = PARAMETER.match(lines[begin])
        value = lines[begin][key.end() :] if key else lines[begin]
        if not _prose(lines, begin + 1, end, value):
            return range(0)  # `Path: ci.yml`: the call's argument, no text for the user
        if not value.strip():
            return range(begin + 1, end)  # `Result:` alone over its text: the key is the call's
        rewrites[begin] = value
        return range(begin, end)
    inner = [(o, c) for _, o, c in _tag_pairs(lines, first + 1, stop - 1) if c > o]
    if not inner:
        return range(0)
    o, c = max(inner, key=lambda pair: pair[1] - pair[0])
    if not _prose(lines, o + 1, c, ""):
        return range(0)
    return range(o + 1, c)  # its tags are the call's


def _prose(lines: Sequence[str], first: int, stop: int, value: str) -> bool:
    """A parameter's value that is text for the user: more than one line, or a sentence."""
    return any(lines[j].strip() for j in range(first, stop)) or len(value.split()) >= 4
