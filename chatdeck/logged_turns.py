"""Turns of a log or record layout, where no marker line names a role but each message has a
record, a rule, a date, a time or a sender's stamp above it (a column log, a box-drawn log, an
XML chat, a chat app's timed messages).
"""

import bisect
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from chatdeck.chat_titles import model_only
from chatdeck.columns import ALONE, Columns, outside_fences, text_lines
from chatdeck.copied_code import prose_line
from chatdeck.marked_turns import header_line, labeled_blocks, roles_of_labels
from chatdeck.pasted_code import bare_code, code_line
from chatdeck.turn_edges import Turns, assemble
from chatdeck.turn_markers import (
    ASSISTANT,
    ASSISTANT_WORDS,
    CODE_LANGUAGES,
    DATE,
    DATE_TIME,
    DIGIT,
    EXPANDER,
    HEADING,
    INTERFACE_LINE,
    MAX_MARKER,
    MONTH_STEMS,
    OTHER,
    OTHER_WORDS,
    PARENTHETICAL,
    PRODUCT_NAMES,
    PROSE_END,
    TIME,
    TIME_OF_DAY,
    USER,
    USER_WORDS,
    Block,
    Candidate,
    candidate,
    date_only,
    has_content,
    hinted_role,
    is_separator,
    label_words,
    next_content,
    role_hint,
)
from chatdeck.xml_chats import XmlChat


def record_turns(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    found: dict[int, Candidate],
    skip: set[int],
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A log of records, each opened by the same header line (`# CHAT: <prompt> [time]`) and cut
    in two by the same rule (`--------`): no speaker is named, the rule parts the prompt above it
    from the reply below (the prompts being the shorter)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, each in found.items():
        if hinted_role(each) in (None, USER) and not each.loose:
            groups.setdefault((each.shape, each.key), []).append(i)
    best: tuple[list[int], list[int], str | None] | None = None
    # The largest groups only: each is read once, so the pass stays linear in the file.
    for members in sorted(groups.values(), key=len, reverse=True)[:3]:
        if len(members) < 2:
            break
        members.sort()
        header = [j for j in content if j < members[0] and j not in skip]
        if len([j for j in header if not header_line(lines[j])]) > 2:
            continue
        # A quote opens the prompt only under a tool's own record headers: nothing but the
        # header (`## chat-1`), in words that name a record, not a chapter or a day of notes.
        bare = all(found[i].inline is None for i in members)
        quotable = bare and set(found[members[0]].words) <= RECORD_WORDS
        if any(text[j] and lines[j].rstrip().endswith(("?", "？")) for j in header):
            continue  # a question before the first record: the "records" are a reply's parts
        split = _record_splits(lines, text, members, quotable)
        if split is not None and any(
            lines[j].strip() == split[1] and (j == 0 or not lines[j - 1].strip()) for j in header
        ):
            continue  # the records' rule, set apart, above the first: they start before it
        if split is not None and (best is None or len(members) > len(best[0])):
            best = (members, split[0], split[1])
    if best is None:
        return None
    members, splits, rule = best
    blocks: list[Block] = []
    bounds = members + [len(lines)]
    for n, i in enumerate(members):
        label = found[i].label
        prefix = ">" if rule is None else ""  # the quote's `>` is the tool's
        blocks.append(Block(i, i + 1, splits[n], label, USER, record=True, prefix=prefix))
        blocks.append(Block(None, splits[n], bounds[n + 1], "", ASSISTANT))
    if rule is None:
        shape = f"`{found[members[0]].shape}` records, the prompt quoted, the reply under it"
    else:
        shape = f"`{found[members[0]].shape}` records, the reply under `{rule}`"
    return blocks, shape, {found[members[0]].key: USER}


def _record_splits(
    lines: Sequence[str], text: Sequence[bool], members: list[int], quotable: bool
) -> tuple[list[int], str | None] | None:
    """Where each record's prompt ends and its reply starts, and the rule that parts them: the
    same rule in every record (the prompts being the shorter), or, where a quote may open the
    prompt (`quotable`: under a tool's own record headers), None for the end of a `>` quote that
    opens every record (the prompt quoted, the reply bare). None unless every record has both."""
    bounds = members + [len(lines)]
    quoted = _quote_splits(lines, text, members) if quotable else None
    if quoted is not None:
        return quoted, None
    splits: list[int] = []
    prompts: list[int] = []
    replies: list[int] = []
    rule: str | None = None
    for n, i in enumerate(members):
        stop = bounds[n + 1]
        split = next((j for j in range(i + 1, stop) if text[j] and is_separator(lines[j])), None)
        if split is None or (rule is not None and lines[split].strip() != rule):
            return None
        rule = lines[split].strip()
        prompts.append(sum(1 for j in range(i + 1, split) if lines[j].strip()))
        replies.append(sum(1 for j in range(split + 1, stop) if lines[j].strip()))
        if not prompts[-1] or not replies[-1]:
            return None
        splits.append(split)
    if rule is None or statistics.median(prompts) > statistics.median(replies):
        return None
    return splits, rule


def ruled_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat with no speaker named at all: the same rule line (`======`, `---`) between every
    two messages, the prompt, the reply, the next prompt, by turns (see `_ruled_parts` for the
    evidence that the parts take turns)."""
    top = _under_settings(lines, [i for i in content if i not in skip])
    groups: dict[str, list[int]] = {}
    for i in content:
        if i >= top and text[i] and i not in skip and is_separator(lines[i]):
            groups.setdefault(lines[i].strip(), []).append(i)
    for rule, members in sorted(groups.items(), key=lambda group: -len(group[1])):
        if len(members) < 3:
            return None
        parts = _ruled_parts(lines, text, content, top, members, skip)
        if parts is not None:
            blocks = [
                Block(marker, start, end, "", ASSISTANT if n % 2 else USER)
                for n, (marker, start, end) in enumerate(parts)
            ]
            return blocks, f"`{rule}` between the messages, no speaker named", {}
    return None


def _ruled_parts(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    top: int,
    rules: list[int],
    skip: set[int],
) -> list[tuple[int | None, int, int]] | None:
    """The messages between `rules` as (the rule above, start, end), the first from `top`;
    None unless they read as prompts and replies by turns and not as parts that each hold a
    question and its answer, or sections of notes: an even number of parts, four or more (every
    prompt answered), none empty; the prompts at most half as long as the replies (medians);
    more prompts than replies asking a question (a line ending in `?`), no reply opening with
    one, and no later prompt opening with a heading."""
    bounds = [top - 1, *rules, len(lines)]
    bodies: list[list[int]] = []
    parts: list[tuple[int | None, int, int]] = []
    for n in range(len(bounds) - 1):
        start, end = bounds[n] + 1, bounds[n + 1]
        body = content[bisect.bisect_left(content, start) : bisect.bisect_left(content, end)]
        body = [j for j in body if j not in skip]
        if not body:
            if n == len(bounds) - 2 and parts:  # the file ends with the rule: the last reply's
                parts[-1] = (parts[-1][0], parts[-1][1], end)
                break
            return None
        bodies.append(body)
        parts.append((None if n == 0 else bounds[n], start, end))
    if len(parts) < 4 or len(parts) % 2:
        return None
    sizes = [sum(len(lines[j].strip()) for j in body) for body in bodies]
    if statistics.median(sizes[0::2]) * 2 > statistics.median(sizes[1::2]):
        return None
    asking = [any(text[j] and lines[j].rstrip().endswith(("?", "？")) for j in b) for b in bodies]
    if sum(asking[0::2]) <= sum(asking[1::2]):
        return None
    for n, body in enumerate(bodies):
        first = lines[body[0]].strip()
        reply = n % 2 == 1
        if (reply and first.endswith(("?", "？"))) or (n and not reply and HEADING.match(first)):
            return None
    return parts


def dated_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and all that recurs is each
    prompt's date or time alone on a line under it (the message's toolbar, whose buttons the
    copy left out): each date ends a prompt and the reply runs from under it to the next
    prompt, the paragraph set off by a blank line above the next date (with a paragraph of
    pasted code over it). The first prompt is everything above the first date. Two or more
    dates, or one with the page's footer (`... can make mistakes`) after the reply."""
    dates = [i for i in content if text[i] and i not in skip and date_only(lines[i])]
    if not dates or dates[0] == content[0]:
        return None
    if len(dates) == 1 and not (
        INTERFACE_LINE.search(lines[content[-1]])
        or (_toolbar_date(lines, dates[0]) and EXPANDER.match(lines[dates[0] - 1].strip()))
    ):
        return None  # one date: only with the page's footer, or its `Show more` over it
    opening = [j for j in content if j < dates[0]]
    if len(opening) == 1 and _title_like(lines[opening[0]]):
        return None  # a title over dated entries: a journal, not a page copy
    starts = [content[0]]
    for n, date in enumerate(dates[1:], 1):
        start = _dated_prompt(lines, text, date, dates[n - 1])
        if start is None:
            return None
        starts.append(start)
    blocks: list[Block] = []
    for n, (start, date) in enumerate(zip(starts, dates, strict=True)):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if not has_content(lines, date + 1, stop) or not has_content(lines, start, date):
            return None
        blocks.append(Block(None, start, date, "", USER))
        blocks.append(Block(date, date + 1, stop, "", ASSISTANT))
    for reply in blocks[1::2]:
        first = next_content(lines, reply.start, reply.end)
        if lines[first].rstrip().endswith(("?", "？")):
            return None  # a question under each date: a day's notes, not a reply
    prompts = [text_size(lines, b.start, b.end) for b in blocks[0::2]]
    replies = [text_size(lines, b.start, b.end) for b in blocks[1::2]]
    if statistics.median(prompts) > statistics.median(replies):
        return None
    return blocks, "a date alone on a line under every prompt, no speaker named", {}


def timed_messages_both_sides(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and all that recurs is the time
    alone on a line under every message, the prompts' and the replies' alike (Le Chat's
    `9:14pm`: each message's toolbar, its buttons left out by the copy): the times close the
    messages, a prompt and its reply taking turns, two exchanges or more. The page's lines
    above the first prompt (a sidebar of short lines, set off by a gap of blank lines) and
    after the last reply's time (the composer, the page's disclaimer) are on no card."""
    times = [i for i in content if text[i] and i not in skip and date_only(lines[i])]
    if len(times) < 4 or len(times) % 2:
        return None
    first = next(j for j in content if j not in skip)
    if first >= times[0]:
        return None
    # A prompt's time has the reply right under it; a reply's, a gap of blank lines under it
    # (journal entries' times stand over their text, a date under each prompt over its reply).
    if any(not lines[t + 1].strip() for t in times[0::2] if t + 1 < len(lines)):
        return None
    if any(
        lines[t + 1].strip() or lines[t + 2].strip() for t in times[1:-1:2] if t + 2 < len(lines)
    ):
        return None
    first = below_sidebar(lines, first, times[0])
    opening = [first, *(next_content(lines, t + 1, len(lines)) for t in times[1:-1:2])]
    blocks: list[Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    for start, closed, answered in zip(opening, times[0::2], times[1::2], strict=True):
        if not has_content(lines, start, closed) or not has_content(lines, closed + 1, answered):
            return None
        if lines[next_content(lines, closed + 1, answered)].rstrip().endswith(("?", "？")):
            return None  # a question under each time: notes, not a reply
        stamp = blocks[-1].end if blocks else None  # the previous reply's time, over the prompt
        blocks.append(Block(None, start, closed, "", USER, stamp=stamp))
        blocks.append(Block(closed, closed + 1, answered, "", ASSISTANT))
        prompts.append(text_size(lines, start, closed))
        replies.append(text_size(lines, closed + 1, answered))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    page = [j for j in content if j > times[-1]]
    if any(len(lines[j].split()) > 6 and not INTERFACE_LINE.search(lines[j]) for j in page):
        return None  # a message after the last reply's time: not the page's own lines
    blocks.append(Block(None, times[-1], len(lines), "page", OTHER))
    return blocks, "the time alone on a line under every message, no speaker named", {}


def below_sidebar(lines: Sequence[str], first: int, stop: int) -> int:
    """Where a page copy's first prompt starts under the page's sidebar: past each gap of blank
    lines over which every line since `first` is short, unindented and no code (chat titles,
    menu entries), while text follows it before `stop`. A prompt's own code keeps two blank
    lines between its definitions, and stays."""
    start = first
    for blank, after in blank_runs(lines, first, stop):
        if not has_content(lines, after, stop) or not all(
            len(lines[j].split()) <= 8 and not lines[j][:1].isspace() and not code_line(lines[j])
            for j in range(start, blank)
            if lines[j].strip()
        ):
            break
        start = after
    return start


#: A measure of a reply alone on a line, its time or its length (`3.1s`, `12 s`, `240 words`):
#: the reply's toolbar in a page copy.
REPLY_METRIC = re.compile(
    r"^[ \t]*+\d{1,6}(?:[.,]\d{1,2})?+[ \t]?"
    r"(?:s|sec|secs|秒|words?|tokens?|chars?|characters)[ \t]*+$"
)


#: A measure's number, whole or not (`12s` and `3.1s` are one form).
MEASURE_NUMBER = re.compile(r"\d++(?:[.,]\d++)?+")
#: A measure of time (grok.com's `3.1s`), as against a reply's length (`240 words`).
TIME_UNIT = re.compile(r"\d[ \t]?(?:s|sec|secs|秒)[ \t]*+$")


def clocked_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and all that recurs is a measure
    of each reply alone on a line under it, the same words each time but for the number (the
    time it took, grok.com's `3.1s`; its length, Chatpad's `240 words`), two or more: each such
    line ends a reply and the next prompt starts right under it; a prompt runs to the first
    gap of two blank lines or more, the gap a copy leaves between two messages (a blank line
    inside a prompt, under pasted output, is one line). The first prompt starts at the file's
    start, or, where the gap under every later prompt is wider than any inside the replies,
    under the last such wide gap over it (the page's header and sidebar above). After the last
    reply's measure, only the page's own lines (its composer) are left."""
    forms: dict[str, list[int]] = {}
    for i in content:
        if text[i] and i not in skip and REPLY_METRIC.match(lines[i]):
            forms.setdefault(MEASURE_NUMBER.sub("0", lines[i].strip()), []).append(i)
    times = max(forms.values(), key=len, default=[])
    if len(times) < 2:
        return None
    opening = next(j for j in content if j not in skip)  # (a measure is one such line)
    if opening >= times[0]:
        return None
    starts = [opening, *(next_content(lines, t + 1, len(lines)) for t in times[:-1])]
    gaps = [  # (the first gap under each prompt's first line)
        next(iter(blank_runs(lines, start + 1, stop)), None)
        for start, stop in zip(starts, times, strict=True)
    ]
    later = [gap for gap in gaps[1:] if gap is not None]
    if len(later) < len(gaps) - 1:
        return None
    wide = min(after - blank for blank, after in later)  # under every later prompt
    inner = max(  # inside the later replies
        (
            b - a
            for gap, t in zip(later, times[1:], strict=True)
            for a, b in blank_runs(lines, gap[1], t)
        ),
        default=0,
    )
    first = [gap for gap in blank_runs(lines, opening, times[0]) if gap[1] - gap[0] >= wide]
    if wide > inner and len(first) >= 2:
        starts[0], gaps[0] = first[-2][1], first[-1]
    blocks: list[Block] = []  # (over the first prompt: the file's header)
    prompts: list[int] = []
    replies: list[int] = []
    for n, (start, stop) in enumerate(zip(starts, times, strict=True)):
        gap = gaps[n]
        if gap is None or not has_content(lines, gap[0], stop):
            return None
        stamp = times[n - 1] if n else None
        blocks.append(Block(None, start, gap[0], "", USER, stamp=stamp))
        blocks.append(Block(None, gap[0], stop, "", ASSISTANT))
        prompts.append(text_size(lines, start, gap[0]))
        replies.append(text_size(lines, gap[0], stop))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    if not TIME_UNIT.search(lines[times[0]]) and 2 * sum(
        asks_a_question(lines[b.start : b.end]) for b in blocks if b.role == USER
    ) < len(times):
        return None  # (`240 words` under drafts, essays, a writing log's days: nobody asks)
    page = [j for j in content if j > times[-1]]
    if any(len(lines[j].split()) > 6 for j in page):
        return None  # a message after the last reply's measure: not the page's own lines
    blocks.append(Block(None, times[-1], len(lines), "page", OTHER))
    return (
        blocks,
        "a measure of each reply (its time, its length), alone under it; no speaker named",
        {},
    )


def blank_runs(lines: Sequence[str], start: int, stop: int) -> list[tuple[int, int]]:
    """The runs of two blank lines or more in [start, stop): (first blank, line after)."""
    runs: list[tuple[int, int]] = []
    k = start
    while k < stop:
        if lines[k].strip():
            k += 1
            continue
        end = next_content(lines, k, stop)
        if end - k >= 2:
            runs.append((k, end))
        k = end
    return runs


def _title_like(line: str) -> bool:
    """A heading, or a few capitalized words with no sentence's end (`Journal 2026`)."""
    text = line.strip()
    return bool(HEADING.match(line)) or (
        len(text.split()) <= 6 and text[:1].isupper() and not text.endswith((*PROSE_END, "?"))
    )


def _toolbar_date(lines: Sequence[str], date: int) -> bool:
    """A date set apart from the prompt above it (a blank line, or the page's `Show more`) with
    the reply right under it: the message's toolbar between the two."""
    above = lines[date - 1].strip()
    under = lines[date + 1] if date + 1 < len(lines) else ""
    return (not above or EXPANDER.match(above) is not None) and bool(under.strip())


def stamped_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat app's text export where every message opens with a header of two lines and no
    marker of its own: the time alone on a line (a note in brackets after it, `(Read by them
    after 1 second)`), and right under it the sender (`Me`, a name, an address, a number). The
    senders recur (a line under each date that never recurs is a heading), two to eight of
    them, one named by a role (`Me`); a blank line (or the file's start) is over each time line.
    The time may be a date alone (`Mar 13`), which then stands over the day's messages (see
    `_days_recur`). The time lines are the messages' metadata, the sender lines their markers.

    Two people named by no role word (`Dana`, `Sam`) stay no chat even where one of them asks
    and the other answers: the one who asks is as often a tutor quizzing the user, or a doctor,
    as the user asking."""
    headers = [
        i
        for n, i in enumerate(content[:-1])
        if content[n + 1] == i + 1
        and text[i]
        and text[i + 1]
        and i not in skip
        and (i == 0 or not lines[i - 1].strip())
        and _time_line(lines[i])
        and _sender_line(lines[i + 1])
    ]
    if len(headers) < 2 or any(not header_line(lines[j]) for j in content if j < headers[0]):
        return None
    found: dict[int, Candidate] = {}
    for i in headers:
        label = lines[i + 1].strip()
        words = label_words(label)
        found[i + 1] = Candidate("<time> over <sender>", label, label.casefold(), None, words, "")
    labels = list(dict.fromkeys(each.key for each in found.values()))
    counts = Counter(each.key for each in found.values())
    hints = {each.key: hinted_role(each) for each in found.values()}
    if not 2 <= len(labels) <= 8 or (len(headers) > 2 and max(counts.values()) < 2):
        return None
    if not any(hint in (USER, ASSISTANT) for hint in hints.values()):
        return None  # no sender named by a role (`Me`): a log of dates over subjects or people
    if not _days_recur([lines[i] for i in headers]):
        return None
    markers = [i + 1 for i in headers]
    bounds = [*markers[1:], len(lines)]  # a message's last line is the next one's time
    spans = [  # each message's own lines: not the next message's time line
        (marker, marker + 1, stop - 1 if n + 1 < len(markers) else stop)
        for n, (marker, stop) in enumerate(zip(markers, bounds, strict=True))
    ]
    if any(not has_content(lines, start, end) for _, start, end in spans):
        return None
    roles = _message_roles(lines, found, spans)
    if roles is None:
        return None
    blocks = [
        Block(
            marker,
            marker + 1,
            stop,
            found[marker].label,
            roles[found[marker].key],
            stamp=marker - 1,
        )
        for marker, stop in zip(markers, bounds, strict=True)
    ]
    return blocks, "`<time>` over `<sender>` on every message", roles


#: What a reading by header lines finds: the blocks, the markers' shape, each label's role and
#: the marker lines as it reads them (their whole text a label, no message on them).
Headed = tuple[list[Block], str, dict[str, str], dict[int, Candidate]]
#: A message's header: the sender's name (with an id in brackets: Slack's `[U05QZ8H3K2M]`), then
#: the message's date and time (a zone after it: `Z`, `UTC`, `+02:00`), and nothing more.
SENDER_STAMP = re.compile(
    rf"^(?P<name>[^\d\n\[\]<>()]{{1,80}}?)(?:[ \t]*+[\[(<][\w.@:-]{{1,40}}+[\])>])?"
    rf"[ \t]*+[@—–|,·•-]?[ \t]*+[(\[]?(?:{DATE})(?:,?[ \t]++|T)"
    rf"(?:at[ \t]++)?{TIME}(?:[.,]\d{{1,6}}+)?(?:[ \t]*+(?:Z|UTC|GMT|[+-]\d{{2}}:?\d{{2}}))?"
    r"[)\]]?[ \t]*+:?$"
)


def _stamped_sender(line: str) -> str | None:
    """The sender a message's header line names, or None: the name and the message's full
    stamp, a date and a time, alone on the line (a quote's `> ` or emphasis around it)."""
    text = line.strip()
    if text.startswith(">"):
        text = text[1:].strip()  # (a tool that quotes its headers, as slackdump does)
    if not TIME_OF_DAY.search(text):
        return None  # (most lines: the cheap test first)
    found = SENDER_STAMP.match(text.strip("*_ \t"))
    if found is None:
        return None
    month = found.group("before") or found.group("after")
    if month and month[:3].casefold() not in MONTH_STEMS:
        return None  # (`Lecture — Week 3 10:00`: no month)
    name = found.group("name").strip(" \t*_@—–|,·•:-")
    return name if name and _sender_line(name) else None


def sender_stamp_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> Headed | None:
    """A chat app's text export where a header line opens every message: the sender's name and
    the message's date and time, nothing else (Slack's, as slackdump writes it: `> Aroha
    Tipene [U05QZ8H3K2M] @ 12/03/2026 21:04:37 Z:`), the file's start or a blank line over it,
    the text under it. Two to eight senders, each recurring, one named by a role (`ChatGPT
    Bot`); each sender's role from what their messages hold (`_message_roles`). Only a file's
    header stands over the first."""
    found: dict[int, Candidate] = {}
    for i in content:
        if i in skip or not text[i] or (i and lines[i - 1].strip()) or len(lines[i]) > MAX_MARKER:
            continue
        name = _stamped_sender(lines[i])
        if name is not None:
            found[i] = Candidate(
                "<sender> <date> <time>", name, name.casefold(), None, label_words(name), ""
            )
    markers = sorted(found)
    if len(markers) < 2 or any(not header_line(lines[j]) for j in content if j < markers[0]):
        return None
    counts = Counter(each.key for each in found.values())
    if not 2 <= len(counts) <= 8 or min(counts.values()) < 2:
        return None
    if not any(
        hinted_role(each) == ASSISTANT
        and label_words(each.label.split()[-1].casefold()) & (ASSISTANT_WORDS | PRODUCT_NAMES)
        for each in found.values()
    ):
        return None  # (people alone, `Me` or `Ben` among them: minutes, a family's messages)
    bounds = [*markers[1:], len(lines)]
    spans = [(marker, marker + 1, stop) for marker, stop in zip(markers, bounds, strict=True)]
    if any(not has_content(lines, start, stop) for _, start, stop in spans):
        return None
    roles = _message_roles(lines, found, spans)
    if roles is None:
        return None
    asked = [
        asks_a_question(lines[start:stop])
        for i, start, stop in spans
        if roles[found[i].key] == USER
    ]
    if 2 * sum(asked) < len(asked):
        return None  # (a bot's channel: its people report to it, they ask it nothing)
    blocks = [
        Block(marker, start, stop, found[marker].label, roles[found[marker].key])
        for marker, start, stop in spans
    ]
    return blocks, "`<sender> <date> <time>` over every message", roles, found


#: A line of a key and a speaker's role as its value, alone (FastGPT's `Role: Human`).
KEYED_ROLE = re.compile(
    r"^(?:\*\*)?([^\W\d_][\w ]{0,15}?)(?:\*\*)?[ \t]*+[:：][ \t]*+(?:\*\*)?"
    r"([^\W\d_][\w .-]{0,30}?)(?:\*\*)?[ \t]*+$"
)


def keyed_role_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> Headed | None:
    """A tool's export where a line of a key and a role alone opens every message (FastGPT's
    `Role: Human` / `Role: AI`), with the file's start, a blank line or a rule over it and the
    message under it: the same key on every such line, the roles taking turns from the user's
    (a system's may come first), two or more of each. One such line inside a message (a pasted
    `role: user`) breaks the turns, and then nothing is read so."""
    found: dict[int, tuple[str, str, str]] = {}  # line -> (key, role's name, role)
    for i in content:
        keyed = text[i] and i not in skip and (":" in lines[i] or "：" in lines[i])
        match = KEYED_ROLE.match(lines[i].strip()) if keyed else None
        if match is None or len(match.group(2).split()) > 3:
            continue
        value = label_words(match.group(2).casefold())
        if not (value <= USER_WORDS | ASSISTANT_WORDS | OTHER_WORDS or model_only(value)):
            continue  # (`Role: End User`, `Persona: Support agent`: a document's roles)
        role = role_hint(value)
        if role is not None:
            found[i] = (match.group(1).strip().casefold(), match.group(2).strip(), role)
    keys = Counter(key for key, _, _ in found.values())
    if not keys:
        return None
    key = keys.most_common(1)[0][0]
    markers = [i for i in sorted(found) if found[i][0] == key]
    turns = [found[i][2] for i in markers]
    turns = turns[1:] if turns[0] == OTHER else turns
    if len(turns) < 4 or turns != [(USER, ASSISTANT)[n % 2] for n in range(len(turns))]:
        return None
    if any(i and lines[i - 1].strip() and not is_separator(lines[i - 1]) for i in markers):
        return None  # (a message's own `Status: done` line under its text)
    over = [j for j in content if j < markers[0] and j not in skip]
    if any(not header_line(lines[j]) or candidate(lines[j]) is not None for j in over):
        return None  # (a chat's own `You: text` / `## User` over them: a pasted log)
    if any(HEADING.match(lines[j]) for j in content if j > markers[0] and j not in skip):
        return None  # (a document's sections)
    candidates = {
        i: Candidate(
            "<key>: <role>", found[i][1], found[i][1].casefold(), None, label_words(found[i][1]), ""
        )
        for i in markers
    }
    roles = {candidates[i].key: found[i][2] for i in markers}
    blocks = labeled_blocks(lines, content, markers, roles, candidates, skip)
    if blocks is None or any(not has_content(lines, b.start, b.end) for b in blocks):
        return None
    shape = f"`{lines[markers[0]].strip().split(':')[0]}: <role>` over every message"
    return blocks, shape, roles, candidates


#: A message's time at the start of its first line, then its text: `10:12:04: text`,
#: `2025-02-11 21:04 text`, `[21:04] text`; a 12-hour time's `AM`/`PM` is the time's too (and
#: its form's: times on both sides of noon are no one form).
TIMED_LINE = re.compile(
    r"^\[?+((?:\d{4}-\d{2}-\d{2}[ T])?+(\d{1,2}):(\d{2})(?::(\d{2}))?+"
    r"(?:[ \t]?+(?:[AP]M|[ap]m|[ap]\.m\.))?+)\]?+"
    r"(?::[ \t]|[ \t])[ \t]*+(?=\S)"
)
#: The longest a reply's time comes after its prompt's, in seconds: a tool stamps a reply as it
#: comes, not hours later.
REPLY_DELAY = 600


def _timed_lines(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[int], list[re.Match[str]]] | None:
    """The lines that open with a time (`TIMED_LINE`), the file's first line one of them, the
    times of one form and in order (an ISO date, then the time, sorts as it reads)."""
    timed = [i for i in content if text[i] and i not in skip and TIMED_LINE.match(lines[i])]
    if len(timed) < 2 or timed[0] != next(j for j in content if j not in skip):
        return None
    matches = [m for i in timed if (m := TIMED_LINE.match(lines[i]))]
    stamps = [m.group(1) for m in matches]
    if len({DIGIT.sub("9", stamp) for stamp in stamps}) != 1 or stamps != sorted(stamps):
        return None
    return timed, matches


def timed_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A tool's history where nothing names a speaker and messages open with the time they
    were stored, the file's first line one of them (`_timed_lines`); the times are the tool's,
    on no card. Either every message has one (`_timed_messages`) or every prompt
    (`_timed_exchanges`)."""
    found = _timed_lines(lines, text, content, skip)
    if found is None:
        return None
    timed, matches = found
    return _timed_messages(lines, timed, matches) or _timed_exchanges(lines, timed, matches)


def _timed_messages(
    lines: Sequence[str], timed: list[int], matches: list[re.Match[str]]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """Every message opens with its time (PyGPT's `10:12:04: text`): the messages take turns,
    the user's first, four or more; each reply's time comes within minutes of its prompt's,
    the user's messages are the shorter, one of them asks, and a message is more than its
    first line about as often as not (a log's lines each have a time of their own). Every
    prompt has its reply, and each reply's time comes no later after its prompt's than the
    next prompt's after it (the tool stamps a reply as it comes, the user asks again once it is
    read): people who chat send two messages in a row, and then nothing takes turns."""
    if len(timed) < 4 or len(timed) % 2:
        return None
    seconds = [
        int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4) or 0) for m in matches
    ]
    if any(
        not 0 <= seconds[n + 1] - seconds[n] <= REPLY_DELAY for n in range(0, len(timed) - 1, 2)
    ):
        return None
    if any(
        seconds[n + 1] - seconds[n] > seconds[n + 2] - seconds[n + 1]
        for n in range(0, len(timed) - 2, 2)
    ):
        return None
    spans = list(zip(timed, [*timed[1:], len(lines)], strict=True))
    if sum(not has_content(lines, start + 1, stop) for start, stop in spans) * 2 > len(spans):
        return None
    sizes = [text_size(lines, start, stop) for start, stop in spans]
    if statistics.median(sizes[0::2]) >= statistics.median(sizes[1::2]):
        return None
    asked = (_last_text(lines, start, stop).strip() for start, stop in spans[0::2])
    if not any(line.endswith(("?", "？")) for line in asked):
        return None  # the user asks at least once: a day's timed notes are no chat
    blocks = [
        Block(None, start, stop, "", USER if n % 2 == 0 else ASSISTANT, lead=m.end())
        for n, ((start, stop), m) in enumerate(zip(spans, matches, strict=True))
    ]
    return blocks, "the time a message was stored, opening its first line; no speaker named", {}


def _timed_exchanges(
    lines: Sequence[str], timed: list[int], matches: list[re.Match[str]]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """Every exchange opens with its prompt's time (chatGPT-shell-cli's `2025-02-11 21:04
    text`), and one line of spaces, not empty, ends each prompt (the tool's own line: a blank
    line may stand inside a prompt, under pasted output): the reply runs from under it to the
    next time, the prompts the shorter. No other line of spaces anywhere, and each reply's last
    line ends in a space too (the tool's `echo -e "$timestamp $prompt \n$response_data \n"`
    writes both: a journal whose editor left spaces on one blank line under each entry's timed
    title, one of them asking, is no chat)."""
    spaced = [i for i, line in enumerate(lines) if line and not line.strip()]
    spans = list(zip(timed, [*timed[1:], len(lines)], strict=True))
    if len(spaced) != len(spans):
        return None
    ends = []
    for (start, stop), end in zip(spans, spaced, strict=True):
        if not start < end < stop or not has_content(lines, end + 1, stop):
            return None
        if not _last_text(lines, end + 1, stop).endswith((" ", "\t")):
            return None
        ends.append(end)
    prompts = [text_size(lines, start, end) for (start, _), end in zip(spans, ends, strict=True)]
    replies = [text_size(lines, end, stop) for (_, stop), end in zip(spans, ends, strict=True)]
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    blocks: list[Block] = []
    for (start, stop), end, m in zip(spans, ends, matches, strict=True):
        blocks.append(Block(None, start, end, "", USER, lead=m.end()))
        blocks.append(Block(None, end + 1, stop, "", ASSISTANT))
    return blocks, "the time of each prompt, opening its first line; a line of spaces under it", {}


def _message_roles(
    lines: Sequence[str], found: dict[int, Candidate], spans: list[tuple[int, int, int]]
) -> dict[str, str] | None:
    """Each label's role (`roles_of_labels`) from the messages its markers open, as (marker,
    first line, stop): how many lines each holds and how many end asking."""
    keys = [found[marker].key for marker, _, _ in spans]
    hints = {found[marker].key: hinted_role(found[marker]) for marker, _, _ in spans}
    sizes: dict[str, list[int]] = {key: [] for key in keys}
    asks: Counter[str] = Counter()
    for (_, start, stop), key in zip(spans, keys, strict=True):
        body = [lines[j].strip() for j in range(start, stop) if lines[j].strip()]
        sizes[key].append(len(body))
        if body and body[-1].endswith(("?", "？")):
            asks[key] += 1
    return roles_of_labels(list(sizes), hints, sizes, asks, keys)


def _days_recur(stamps: list[str]) -> bool:
    """A chat app that stamps each message with its day alone (`Mar 13`, `2025-03-13`) writes
    that day over all the messages sent on it: the messages are at least twice as many as their
    days. A diary or a log by days (`Mar 12` over `Me`, `Mar 13` over `Coach`; or over subjects,
    one of them `AI`) heads each day's one entry with its date. Stamps with a time of day are
    each message's own and need not recur."""
    days = [PARENTHETICAL.sub("", s).strip() for s in stamps if not TIME_OF_DAY.search(s)]
    return 2 * len(set(days)) <= len(days)


def _time_line(line: str) -> bool:
    """A message's date or time alone on a line (`Mar 13`, `Jun 2, 2025  6:10:00 PM`), with a
    note in brackets after it or none."""
    return date_only(PARENTHETICAL.sub("", line).strip())


#: A message's sender alone on a line: a name, `Me`, an address or a number, no sentence.
SENDER = re.compile(r"^[\w+@.'’ -]{1,60}+$")


def _sender_line(line: str) -> bool:
    text = line.strip()
    return (
        SENDER.match(text) is not None
        and len(text.split()) <= 4
        and not text.endswith(PROSE_END)
        and not date_only(text)
    )


def text_size(lines: Sequence[str], start: int, stop: int) -> int:
    return sum(len(lines[k].strip()) for k in range(start, stop))


def _dated_prompt(
    lines: Sequence[str], text: Sequence[bool], date: int, previous: int
) -> int | None:
    """Where the prompt over a date (not the first) starts: the paragraph right above it (past
    blank lines and a `Show more`), and a paragraph of code over that one when the reply above
    ends in prose (the user's pasted code, where a reply's code runs on into its prose). None
    when nothing stands between the previous date and this one."""
    k = date - 1
    while k > previous and (not lines[k].strip() or EXPANDER.match(lines[k].strip())):
        k -= 1
    if k <= previous or not text[k]:
        return None
    while k - 1 > previous and lines[k - 1].strip():
        k -= 1
    above = k - 1
    while above > previous and not lines[above].strip():
        above -= 1
    if above <= previous or above == k - 1:
        return k
    top = above
    while top - 1 > previous and lines[top - 1].strip():
        top -= 1
    pasted = lines[top : above + 1]
    if lines[top].strip().casefold() in CODE_LANGUAGES:
        return k  # a code block under its label: the reply's, which a user's paste never has
    if not bare_code(pasted) or top - 1 <= previous or lines[top - 1].strip():
        return k
    before = top - 1
    while before > previous and not lines[before].strip():
        before -= 1
    if before <= previous or not prose_line(lines[before]):
        return k
    return top


def _under_settings(lines: Sequence[str], body: list[int]) -> int:
    """Where the first prompt starts under a tool's settings header: headings, a name line over
    a `---` fenced block of settings (keys with values, brackets), and the system prompt quoted
    right under it (`openai` / `---` / `{ params = ... }` / `---` / `> You are terse`)."""
    headings = 0
    while headings < len(body) and HEADING.match(lines[body[headings]]):
        headings += 1
    k = headings + 1 if headings + 1 < len(body) and _name_line(lines[body[headings]]) else headings
    fences = [n for n in range(k, len(body)) if lines[body[n]].strip() == "---"][:2]
    if (
        len(fences) < 2
        or fences[0] != k
        or not all(SETTING.match(lines[j]) for j in body[fences[0] + 1 : fences[1]])
    ):
        return body[headings] if headings < len(body) else len(lines)
    k = fences[1] + 1
    while k < len(body) and lines[body[k]].startswith(">") and body[k] == body[k - 1] + 1:
        k += 1
    return body[k] if k < len(body) else len(lines)


#: A line of a settings block: `key = value`, `key: value`, or brackets and braces alone.
SETTING = re.compile(r"""^[ \t]*+(?:[\w."'-]++[ \t]*+[:=](?:[ \t]|$)|[\[\]{}(),]++[ \t]*+$)""")


def _name_line(line: str) -> bool:
    """A name alone on a line (`openai`, `claude-3-haiku`): one word, no sentence's end."""
    text = line.strip()
    return len(text.split()) == 1 and not text.endswith(PROSE_END)


#: Words of a record header that names only a record (`## chat-3`, `### Turn 2`).
RECORD_WORDS = frozenset(
    "chat message turn prompt exchange entry conversation query request round q msg".split()
)


def _quote_splits(
    lines: Sequence[str], text: Sequence[bool], members: list[int]
) -> list[int] | None:
    """Where each record's reply starts when every record opens with a `>` quote (the prompt)
    and goes on after it; None otherwise."""
    bounds = members + [len(lines)]
    splits: list[int] = []
    for n, i in enumerate(members):
        stop = bounds[n + 1]
        head = next((j for j in range(i + 1, stop) if lines[j].strip()), stop)
        if head == stop or not text[head] or not lines[head].startswith(">"):
            return None
        end = head
        while end < stop and lines[end].startswith(">"):
            end += 1
        if not has_content(lines, end, stop):
            return None
        splits.append(end)
    return splits


#: A bot's command before every one of the user's turns (`.ai `, `!gpt `, `/ask `).
COMMAND = re.compile(r"^([.!/][^\W\d_][\w-]{0,15}+)[ \t]++\S")
#: What the log's own lines (a join, the topic, a notice) are, for the dry-run.
LOG_LINE = "the log's own line (no speaker's message)"
ADDRESS = "the reply's address to the user"


def asks_a_question(lines: Sequence[str]) -> bool:
    """Some line ends in a question mark."""
    return any(line.rstrip().endswith(("?", "？")) for line in lines)


#: A tag a bot opens each of its replies with (`[bot] `), for the dry-run's report too.
REPLY_TAG = re.compile(r"^\[([^\W\d_][\w-]{0,15}+)\][ \t]++(?=\S)")
BOT_TAG = "the bot's tag or the word that calls it"
SENDER_AGAIN = "the time and name of the same speaker's next message"


def _bot_tags(
    lines: Sequence[str], starts: list[int], speaker: dict[int, str]
) -> tuple[dict[int, str], set[int]]:
    """A bot's marks in a log of two speakers (chatgpt-on-wechat's): the same bracketed tag
    opening every reply of one speaker (`[bot] text`), two or more, and the tag's word opening
    every message of the other (`bot text`, `@bot`, or alone on its line: the word that calls
    the bot). Returns the lines without them (line -> text; blank for a word alone) and the
    lines that held nothing else. No tag, or one speaker's message without it: nothing."""
    bounds = [*starts[1:], len(lines)]
    firsts: dict[str, list[int]] = {}  # speaker -> the first line with text of each message
    for start, stop in zip(starts, bounds, strict=True):
        first = next((j for j in range(start, stop) if lines[j].strip()), None)
        if first is None:
            return {}, set()
        firsts.setdefault(speaker[start].casefold(), []).append(first)
    if len(firsts) != 2:
        return {}, set()
    for replies, prompts in (tuple(firsts.values()), tuple(firsts.values())[::-1]):
        tags = {m.group(1) if (m := REPLY_TAG.match(lines[j])) else "" for j in replies}
        if len(replies) < 2 or len(tags) != 1 or "" in tags:
            continue
        tag = tags.pop()
        out = {j: REPLY_TAG.sub("", lines[j]) for j in replies}
        alone: set[int] = set()
        words = [lines[j].split(maxsplit=1) for j in prompts]
        if all(each[0].removeprefix("@") == tag for each in words):  # (as the tool writes it)
            for j, each in zip(prompts, words, strict=True):
                out[j] = each[1] if len(each) > 1 else ""
                if len(each) == 1:
                    alone.add(j)
        return out, alone
    return {}, set()


def _names_a_speaker(line: str, columns: Columns) -> bool:
    """The line names one of the log's speakers (`History for <the bot's address>`)."""
    folded = line.casefold()
    return any(name.casefold() in folded for name in set(columns.speaker.values()))


def above_a_log(line: str, columns: Columns) -> bool:
    """A line that may stand above a column log: a heading, a rule, a date line (`--- Log
    opened <date>`, `**** BEGIN LOGGING AT <date>`), a few capitalized words with no sentence's
    end (`History for <address>`); a question, a `Q:` or `Key: value` line above
    time-and-name lines is the user's own text, with a log pasted under it."""
    text = line.strip()
    return bool(
        HEADING.match(line)
        or is_separator(line)
        or (DATE_TIME.search(text) and len(text.split()) <= 12)
        or (
            _title_like(line) and _names_a_speaker(line, columns)
        )  # (`History for tallalt@bot.example`: Gajim's export names the chat)
    )


def column_turns(lines: Sequence[str], columns: Columns) -> Turns | None:
    """A log whose speaker is a column (`chatdeck.columns`): a turn is a run of one speaker's
    lines; the turn pass reads the text column. A command every user turn opens with (a bot's
    trigger, `.ai `; in a log of one exchange, its only turn) is no part of the question, and
    a turn's first words naming the other speaker (a reply's `rizky:`, a prompt's `ChatGPT:`)
    address them, no part of the question or the answer."""
    stripped, text = text_lines(lines, columns)
    starts: list[int] = []
    for i in sorted(columns.speaker):
        if not starts or columns.speaker[starts[-1]].casefold() != columns.speaker[i].casefold():
            starts.append(i)
    tagged, untagged = _bot_tags(stripped, starts, columns.speaker)
    stripped = [tagged.get(i, line) for i, line in enumerate(stripped)]
    dropped = dict.fromkeys(untagged, BOT_TAG)  # lines that held only what was taken off
    found: dict[int, Candidate] = {}
    for i in starts:
        label = columns.speaker[i]
        words = label_words(label)
        found[i] = Candidate(columns.shape, label, label.casefold(), stripped[i], words, "")
    hints = {found[i].key: hinted_role(found[i]) for i in starts}
    if columns.form == ALONE and not any(hints.values()) and not asks_a_question(stripped):
        return None  # a program's log of events stamped so (`<time> Connection lost`): no chat
    bounds = starts + [len(stripped)]
    roles = _message_roles(stripped, found, [(i, i, bounds[n + 1]) for n, i in enumerate(starts)])
    if roles is None:
        return None
    user_starts = [i for i in starts if roles[found[i].key] == USER]
    # Where each message's text starts: on its prefix's line, or under it (`<time> <name>` alone)
    opening = {
        i: next((j for j in range(i, bounds[n + 1]) if stripped[j].strip()), i)
        for n, i in enumerate(starts)
    }
    if len(starts) == 2 and not any(hints.values()):
        # One exchange between names no word marks: a chat only if the first message asks
        # (a question, a bot's command), not two lines of a system's log.
        first = " ".join(stripped[j] for j in range(starts[0], starts[1]) if stripped[j].strip())
        asks = COMMAND.match(stripped[opening[starts[0]]])
        if "?" not in first and "？" not in first and not asks:
            return None
    commands = {
        m.group(1) if (m := COMMAND.match(stripped[opening[i]])) else None for i in user_starts
    }
    command = commands.pop() if len(commands) == 1 else None
    users = {k for k, r in roles.items() if r == USER}
    models = {k for k, r in roles.items() if r == ASSISTANT}
    rewrites: dict[int, str] = {}
    asking = set(user_starts)
    for i in starts:
        inline = stripped[opening[i]]
        if command is not None and i in asking:
            inline = inline[len(command) :].lstrip()
        elif i in asking:
            inline = _without_address(inline, models)  # `ChatGPT: ...`, the bot addressed
        elif roles[found[i].key] == ASSISTANT:
            inline = _without_address(inline, users)
        if opening[i] == i:
            found[i] = replace(found[i], inline=inline or None)
        elif inline != stripped[opening[i]]:  # the message's first line, under its prefix
            stripped[opening[i]] = tagged[opening[i]] = inline
            if not inline:
                dropped[opening[i]] = BOT_TAG if command is not None and i in asking else ADDRESS
    content = [i for i in range(len(stripped)) if stripped[i].strip()]
    blocks = [
        Block(i, i + 1, bounds[n + 1], found[i].label, roles[found[i].key])
        for n, i in enumerate(starts)
    ]
    turns = assemble(stripped, text, content, [], blocks, columns.shape, roles, found)
    if turns is None:
        return None
    left_out = dict(turns.left_out)
    for i in columns.system:
        left_out.setdefault(i, LOG_LINE)
    for i, reason in dropped.items():
        left_out.setdefault(i, reason)
    for i, line in columns.text.items():
        if i not in found and not line.strip():
            left_out.setdefault(i, SENDER_AGAIN)  # (`<time> <name>` alone, a run's next message)
    for i, line in columns.text.items():
        if i not in found and i not in left_out:
            rewrites[i] = turns.rewrites.get(i, line)
    for i, line in tagged.items():
        if i not in found and i not in left_out and i not in columns.text:
            rewrites[i] = turns.rewrites.get(i, line)
    return replace(turns, left_out=left_out, rewrites={**turns.rewrites, **rewrites})


#: A line a terminal tool opens a message with: a symbol of its own (no letter, no ASCII), a
#: space, the message's first line (Claude Code's `❯ why does it fail?`, `● The error ...`).
DRAWN_LINE = re.compile(r"^([^\w\s\x00-\x7f])[ \t]++(\S.*)$")
#: A status line a terminal tool draws under a reply, on no card.
STATUS = "the tool's status line"


def drawn_turns(lines: Sequence[str], text: Sequence[bool]) -> Turns | None:
    """A chat as a terminal tool draws it, saved as text (Claude Code's `/export`): every
    message opens with a symbol of the tool's before its first line (`❯ ` the user's, `● ` the
    model's), its other lines hang under it indented by two spaces or more, and every line from
    the first message on is one of those. Two symbols take turns, each opening two messages or
    more; a third symbol's lines, one line each, are the tool's status (`✻ Cooked for 11s ·
    done 8:12 AM`). Which symbol is the user's: the one whose messages are shorter and ask
    (`_message_roles`). The lines over the first message are the file's header (the tool's
    banner)."""
    opened = {i: m for i, line in enumerate(lines) if text[i] and (m := DRAWN_LINE.match(line))}
    if len(opened) < 4:
        return None
    first = min(opened)
    if any(
        line.strip() and i not in opened and not line.startswith("  ")
        for i, line in enumerate(lines[first:], first)
    ):
        return None  # (a line at the margin that no symbol opens: no terminal's drawing)
    symbols = Counter(m.group(1) for m in opened.values())
    speakers = [symbol for symbol, n in symbols.most_common(2) if n >= 2]
    starts = [i for i in sorted(opened) if opened[i].group(1) in speakers]
    order = [opened[i].group(1) for i in starts]
    if len(speakers) < 2 or any(a == b for a, b in zip(order, order[1:], strict=False)):
        return None
    status = {i for i in opened if opened[i].group(1) not in speakers}
    if any(i + 1 < len(lines) and lines[i + 1].strip() for i in status):
        return None  # (a third party's message of several lines: no status line)
    stripped = [
        opened[i].group(2).rstrip() if i in opened else line[2:].rstrip() if i >= first else line
        for i, line in enumerate(lines)
    ]
    found = {
        i: Candidate("<symbol> <text>", symbol, symbol, None, frozenset(), symbol)
        for i in starts
        for symbol in [opened[i].group(1)]
    }
    bounds = [*starts[1:], len(lines)]
    spans = [(i, i, stop) for i, stop in zip(starts, bounds, strict=True)]
    roles = _message_roles(stripped, found, spans)
    if roles is None or roles[order[0]] != USER:
        return None
    prompts = [stripped[start:stop] for i, start, stop in spans if roles[found[i].key] == USER]
    if not status and 2 * sum(asks_a_question(each) for each in prompts) < len(prompts):
        return None  # (a checklist's, a protocol log's, a game's two symbols: nobody asks)
    if any(
        (label := candidate(opened[i].group(2))) is not None
        and label.inline is not None
        and hinted_role(label) in (USER, ASSISTANT)
        for i in starts
    ):
        return None  # (`👤 You: ...`: a speaker's label after the icon, read as a label)
    blocks = [Block(None, i, stop, "", roles[found[i].key]) for i, _, stop in spans]
    content = [i for i, line in enumerate(stripped) if line.strip()]
    bare = [stripped[i] if i not in status else "" for i in range(len(lines))]
    turns = assemble(bare, text, content, [], blocks, "`<symbol> ` before each message", roles, {})
    if turns is None:
        return None
    left_out = {**turns.left_out, **dict.fromkeys(status, STATUS)}
    rewrites = {
        i: turns.rewrites.get(i, stripped[i])
        for i in range(first, len(lines))
        if stripped[i] != lines[i] and i not in left_out
    }
    markers = {i: (found[i].label, roles[found[i].key]) for i in starts}
    return replace(
        turns, left_out=left_out, rewrites={**turns.rewrites, **rewrites}, markers=markers
    )


#: Why a line of a chat saved as XML is on no card.
XML_STRUCTURE = "the XML the chat is saved in"


def xml_turns(lines: Sequence[str], chat: XmlChat) -> Turns | None:
    """A chat saved as XML (`chatdeck.xml_chats`): each message's speaker line is its marker,
    its text the lines of its text element (tags off, entities read); the rest of the document
    is on no card.

    A speaker named under its text is a chat's only where every speaker is named by a role
    (`user`, `assistant`), as a chat API's message is, its fields written in another order: a
    name or a program under a text (`<body>` then `<author>ann</author>`, `<message>` then
    `<from>cron</from>`) is a byline, the author of a comment, a note or a log entry."""
    shown = [
        chat.text.get(i, "") if i in chat.text or i in chat.structure else line
        for i, line in enumerate(lines)
    ]
    found: dict[int, Candidate] = {}
    for i, label in chat.speakers:
        words = label_words(label)
        found[i] = Candidate(chat.shape, label, label.casefold(), None, words, "")
        shown[i] = ""
        if chat.named_after and hinted_role(found[i]) is None:
            return None
    text = outside_fences(shown)
    content = [i for i, line in enumerate(shown) if line.strip()]
    starts = [i for i, _ in chat.speakers]
    bounds = [*starts, len(lines)]
    roles = _message_roles(shown, found, [(i, i, bounds[n + 1]) for n, i in enumerate(starts)])
    if roles is None:
        return None
    blocks = [
        Block(i, i + 1, bounds[n + 1], found[i].label, roles[found[i].key])
        for n, i in enumerate(starts)
    ]
    turns = assemble(shown, text, content, [], blocks, chat.shape, roles, found)
    if turns is None:
        return None
    left_out = {**dict.fromkeys(chat.structure, XML_STRUCTURE), **turns.left_out}
    rewrites = {i: line for i, line in chat.text.items() if line != lines[i]}
    return replace(turns, left_out=left_out, rewrites={**rewrites, **turns.rewrites})


def _without_address(text: str, users: set[str]) -> str:
    """A turn's first line without the other speaker's name it opens with (a reply's `rizky:
    ...`, `@Daan, ...`; a prompt's `ChatGPT: ...`)."""
    for name in users:
        head = text[: len(name) + 2].casefold()
        for lead in (name, "@" + name):
            if head.startswith(lead) and text[len(lead) : len(lead) + 1] in (":", ","):
                return text[len(lead) + 1 :].strip()
    return text


def _last_text(lines: Sequence[str], start: int, stop: int) -> str:
    """The last line with content in lines[start:stop], as it stands (its trailing spaces kept)."""
    return next((lines[k] for k in range(stop - 1, start - 1, -1) if lines[k].strip()), "")
