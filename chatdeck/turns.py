"""The turn-structure pass: find, in a file itself, the lines that mark a chat's turns, and what
repeats between the turns (separators, metadata) or opens a reply (reasoning).

A saved chat is a run of turns, each opened by a marker line: `## 👤 You`, `**User**`,
`### role::assistant`, `You said:`, `[Timestamp: ...]` under each message, a `---` after it. No
list of formats is kept here. A marker is recognized by its *shape*: every short line is reduced
to a signature (its heading level, bold, brackets, a trailing colon) and a label (the words left:
`You`, `Пользователь`, `Asistente SQL`, `role::user`), and a shape is a file's turn marker when its
lines recur through the file, alternate between two to four labels, and open blocks of content.
Which label is the user's is decided on evidence: the user's blocks are short and read as
questions, the user usually speaks first, and a label that is a role word in some language
(`user`, `usuario`, `用户`, `🤖`) is a hint, never the only reason. A tool that writes each of the
user's lines behind the same prefix (aider's `#### `, a REPL's `>>> `) is found by its runs of
prefixed lines; a REPL's own prompt (`llm> `) before the first line only, by the line the tool
writes under every prompt.

Then, per turn: lines at a turn's edges that recur in the same form in other turns (a `---`, a
`<hr>`, a `[Timestamp: ...]`, a date line, a `> Tokens: ...` report) are separators and
metadata; a reply that opens with a collapsible block (`<details>`), a tag of its own
(`<think>`), a "Thought for 12 seconds" line or a thought-process quote, and goes on after it,
opens with the model's reasoning. What comes before the first turn is the file's header: its
title (front matter `title:`, a metadata `title:`, a heading's or link's text) and metadata. A
page copy's `Copy code` lines are rebuilt into fenced code, and its footer is left out.

Nothing here decides what a question is in a file without such a structure, and the pass is
linear in the file: every line is read a fixed number of times.

The pass is split by what each part reads, each module using only those listed before it:
`turn_markers` (what one line may be: a marker's shape and label, a role's words, a separator,
a date), `chat_titles` (a file's title), `reasoning` and `copied_code` (a reply's reasoning, a
page copy's flattened code), `turn_edges` (the turns assembled from their blocks, and what is
left out at their edges), then the readers: `marked_turns` (turns opened by marker lines of one
shape), `logged_turns` (records, logs and messages under dates and times) and `page_turns`
(page copies and layouts with no label), and here `find_turns`, which tries them in order.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from chatdeck.chat_titles import front_matter
from chatdeck.columns import read_columns
from chatdeck.logged_turns import (
    above_a_log,
    clocked_replies,
    column_turns,
    dated_turns,
    drawn_turns,
    keyed_role_turns,
    record_turns,
    ruled_turns,
    sender_stamp_turns,
    stamped_turns,
    timed_messages_both_sides,
    timed_turns,
    xml_turns,
)
from chatdeck.marked_turns import (
    choose_shape,
    deepening_turns,
    emphasized_prompts,
    labeled_blocks,
    opens_file,
    paired_turns,
    prefixed_turns,
    repl_prompts,
)
from chatdeck.page_turns import (
    contained_replies,
    footed_replies,
    gapped_messages,
    headed_replies,
    named_replies,
    opened_replies,
    prompt_toolbars,
    reasoned_replies,
    sectioned_replies,
)
from chatdeck.pasted_code import _prose as words_line  # (a line of words, as a paste's)
from chatdeck.pasted_code import code_line
from chatdeck.turn_edges import Turns, assemble, lone_tag
from chatdeck.turn_markers import (
    ARROW_LABEL,
    ARROW_LEAD,
    ASSISTANT,
    BARE_FENCE,
    HEADING,
    INFO_FENCE,
    LIST_OR_TABLE,
    METADATA,
    OPEN_TAG,
    ORG_BLOCK,
    ORG_KEYWORD,
    OTHER,
    PROSE_END,
    QUOTED_SHAPE,
    SYMBOL_SEPARATED,
    USER,
    Block,
    Candidate,
    avatar_labels,
    candidate,
    edge_form,
    hinted_role,
    is_separator,
    label_words,
    led_candidate,
    may_mark,
    partner_labels,
    role_hint,
    without_quote_mark,
)
from chatdeck.xml_chats import SPEAKER_NAMES, read_xml_chat


def find_turns(
    lines: Sequence[str], text: Sequence[bool], unquote: bool = True, unglue: bool = True
) -> Turns | None:
    """The turn structure of a file, or None when it has none. `text[i]` says line i is text
    (not code, not the wrapper fence): only text lines can mark a turn. `unquote`: a `> ` or an
    indentation on every line of every message may be the tool's (see `_unquoted_turns`,
    `_dedented_turns`); `unglue`: a speaker's marker may be glued to the end of a line (see
    `_unglued_turns`)."""
    xml = read_xml_chat(lines)
    if xml is not None:
        written = xml_turns(lines, xml)
        if written is not None:
            return written  # else the file is read as text
    columns = read_columns(lines, text)
    # Above a column log, only a header (`--- Log opened <date>`): a question over a pasted log
    # is no chat log.
    if columns is not None and all(
        above_a_log(line, columns) for line in lines[: columns.first] if line.strip()
    ):
        logged = column_turns(lines, columns)
        if logged is not None:
            return logged  # else the file is read as one without the column layout
    drawn = drawn_turns(lines, text)
    if drawn is not None:
        return drawn
    count = len(lines)
    content = [i for i in range(count) if lines[i].strip()]
    front = front_matter(lines)
    headed_by_blocks = _fenced_headers(lines, text, front)
    if headed_by_blocks is not None:
        blocks, shape, roles = headed_by_blocks
        return assemble(lines, text, content, front, blocks, shape, roles, {})
    outlined = _outline_turns(lines, text) if unquote else None
    if outlined is not None:
        return outlined
    skip = set(front)
    found: dict[int, Candidate] = {}
    led: dict[int, Candidate] = {}  # markers after a lead, for `paired_turns` alone
    org = any(ORG_BLOCK.match(lines[i]) or ORG_KEYWORD.match(lines[i]) for i in content)
    for i in content:
        if text[i] and i not in skip and may_mark(lines[i]):
            each = candidate(lines[i]) if not (org and lines[i][:2] == "* ") else _org_top(lines[i])
            if each is not None and (each.shape != QUOTED_SHAPE or _quoted_alone(lines, i)):
                found[i] = each
            elif each is None and (after_lead := led_candidate(lines[i])) is not None:
                led[i] = after_lead
    if not _decorated_markers_kept(lines, text, content, skip, found):
        found = {i: each for i, each in found.items() if not each.decorated}
    if _dashed_terms(lines, text, content, found):  # (`Report — a saved view`: a glossary's)
        found = {i: each for i, each in found.items() if not _dashed(each)}
    found = {  # (`// user` between two lines of code: a comment in the code)
        i: each for i, each in found.items() if not (each.decorated and _amid_code(lines, i))
    }
    arrowed = [i for i in found if ARROW_LEAD.match(lines[i])]
    if arrowed and any(
        lines[j][:1] == ">" and j not in found and not ARROW_LABEL.match(lines[j]) for j in content
    ):
        for i in arrowed:  # `>> USER:` among other `>` lines: a quote in a quote (an email's)
            del found[i]
    if unglue:
        glued = _glued_markers(lines, text, found)
        unglued = _unglued_turns(lines, text, unquote, glued) if glued else None
        if unglued is not None:
            return unglued
    headed = sender_stamp_turns(lines, text, content, skip) or keyed_role_turns(
        lines, text, content, skip
    )
    if headed is not None and any(
        hinted_role(each) in (USER, ASSISTANT) and i not in headed[3] for i, each in found.items()
    ):
        headed = None  # (`User:` / `## Assistant` labels too: the headers are a pasted thread)
    partners = partner_labels(lines, content, found) if headed is None else {}
    if partners:
        seen = Counter(each.key for each in found.values())
        found = {
            i: each
            for i, each in {**found, **partners}.items()
            if i in partners or each.shape != "<label>" or seen[each.key] >= 2
        }
    avatars = avatar_labels(lines, text, content) if headed is None and not partners else {}
    if avatars:
        found = {**found, **avatars}
    chosen = choose_shape(lines, content, found, skip) if headed is None else None
    if headed is not None:
        blocks, shape, roles, marked = headed
        found = {**found, **marked}  # (the marker lines as these readings read them)
    elif chosen is not None:
        markers, roles = chosen
        labeled = labeled_blocks(lines, content, markers, roles, found, skip)
        if labeled is None:
            return None
        blocks, shape = labeled, found[markers[0]].shape
    else:
        turns = (
            stamped_turns(lines, text, content, skip)
            or timed_turns(lines, text, content, skip)
            or record_turns(lines, text, content, found, skip)
            # (a page copy's toolbar comes before a REPL's prompt: a reply's `>>> ` example)
            or prompt_toolbars(lines, text, content, skip)
            # (and the reasoning's status over every reply: a reply's `julia> ` example)
            or opened_replies(lines, text, content, skip)
            or prefixed_turns(lines, text, content, skip, repl_prompts(lines, text, content, skip))
            or deepening_turns(lines, text, content, found, skip)
            or paired_turns(lines, text, content, found, skip, led)
            or sectioned_replies(lines, text, content, skip)
            or contained_replies(lines, text, content, skip)
            or ruled_turns(lines, text, content, skip)
            or headed_replies(lines, text, content, skip)
            or timed_messages_both_sides(lines, text, content, skip)
            or dated_turns(lines, text, content, skip)
            or clocked_replies(lines, text, content, skip)
            or footed_replies(lines, text, content, skip)
            or named_replies(lines, text, content, skip)
            or gapped_messages(lines, text, content, skip)
            or reasoned_replies(lines, text, content, skip)
            or emphasized_prompts(lines, text, content, skip)
        )
        if turns is None:
            return None
        blocks, shape, roles = turns
    if unquote and _quoted_messages(lines, blocks):
        unquoted = _unquoted_turns(lines, text, blocks)
        if unquoted is not None:
            return unquoted
    indent = _message_indent(lines, blocks) if unquote else None
    if indent is not None:
        dedented = _dedented_turns(lines, text, blocks, indent)
        if dedented is not None:
            return dedented
    return assemble(lines, text, content, front, blocks, shape, roles, found)


def _dashed(each: Candidate) -> bool:
    """A label set off by a dash (`User — text`, `**User** – text`)."""
    return each.decorated and each.shape.endswith(("—", "–"))


def _dashed_terms(
    lines: Sequence[str], text: Sequence[bool], content: list[int], found: dict[int, Candidate]
) -> bool:
    """Dashed labels among other lines of the same shape naming no speaker (`User — a person
    who...` / `Report — a saved view ...`): a glossary's terms and their definitions."""
    if not any(_dashed(each) for each in found.values()):
        return False
    for j in content:
        if j in found or not text[j]:
            continue
        other = SYMBOL_SEPARATED.match(lines[j].strip())
        if other is not None and other.group(3) in ("—", "–"):
            return True
    return False


def _decorated_markers_kept(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    skip: set[int],
    found: dict[int, Candidate],
) -> bool:
    """A role's label in symbols (`<user>`, `// user`, `> User`, `User > text`) marks turns
    only in a file that opens with one, and, as an element's tag, one closed before the next
    opens: in a document such lines are its examples (a chat template, a PlantUML diagram, a
    code comment, a menu path under a heading question), and nested tags are XML's data."""
    decorated = sorted(i for i, each in found.items() if each.decorated)
    if not decorated or not opens_file(lines, text, content, skip, decorated[0]):
        return False
    tags = [i for i in decorated if OPEN_TAG.match(lines[i].strip())]
    for n, i in enumerate(tags):
        closing = f"</{found[i].label}>".casefold()
        stop = tags[n + 1] if n + 1 < len(tags) else len(lines)
        if any(lines[j].strip().casefold() == closing for j in range(i + 1, stop)):
            continue
        if any(lines[j].strip().casefold() == closing for j in range(stop, len(lines))):
            return False  # (`<response>` / `<user>` / `</user>` / `</response>`: XML's data)
    return True


def _amid_code(lines: Sequence[str], i: int) -> bool:
    """Line i stands right between two lines of code (`const q = ...;` / `// user` / `log(q);`)."""
    return (
        0 < i < len(lines) - 1
        and bool(lines[i - 1].strip())
        and bool(lines[i + 1].strip())
        and code_line(lines[i - 1])
        and code_line(lines[i + 1])
    )


#: A line of a tool's header block: `key: value`.
HEADER_KEY = re.compile(r"^[ \t]*+([A-Za-z][\w-]{0,30}+)[ \t]*+:[ \t]*+(.{0,80}?)[ \t]*+$")
#: The most `key: value` lines a message's fenced header holds.
MAX_HEADER_KEYS = 12


def _fenced_headers(
    lines: Sequence[str], text: Sequence[bool], front: list[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A tool that heads every message with a fenced block of `key: value` lines, one naming
    the speaker (`` ```turn `` / `role: user` / `` ``` ``, Inline AI Chat Notebook's): each such
    block is its message's marker, the speaker's value its label and the other keys
    (`model: llama3`) the tool's; three or more (two are a note's example as often), the
    user's and the model's among them, each but the last with text under it, and nothing but
    blank lines or the front matter (`front`) over the first (a note's code block about a chat
    API is no header: it has prose around it)."""
    heads: list[tuple[int, int, str]] = []  # (opening fence, closing fence, label)
    key_names: set[str] = set()
    i = 0
    while i < len(lines):
        fence = INFO_FENCE.match(lines[i]) or BARE_FENCE.match(lines[i])
        if fence is None or text[i]:
            i += 1
            continue
        closer = re.compile(
            rf"^ {{0,3}}+{re.escape(fence.group(1))}{re.escape(fence.group(1)[0])}*+[ \t]*+$"
        )
        close = next((k for k in range(i + 1, len(lines)) if closer.match(lines[k])), None)
        if close is None:
            break  # (a fence left open runs to the end of the file)
        if close - i - 1 > MAX_HEADER_KEYS:
            i = close + 1
            continue
        keys = [HEADER_KEY.match(lines[k]) for k in range(i + 1, close)]
        speakers = [key for key in keys if key and key.group(1).casefold() in SPEAKER_NAMES]
        if keys and all(keys) and len(speakers) == 1 and speakers[0].group(2):
            heads.append((i, close, speakers[0].group(2)))
            key_names.add(speakers[0].group(1))
        i = close + 1
    above = [k for k in range(heads[0][0]) if lines[k].strip() and k not in front] if heads else []
    if len(heads) < 3 or len(key_names) != 1 or above:
        return None
    if not all(
        any(lines[k].strip() for k in range(close + 1, nxt[0]))
        for (_, close, _), nxt in zip(heads[:-1], heads[1:], strict=True)
    ):
        return None  # (a block holding a message's `content:` with no text under it: a doc's)
    roles = {label: role_hint(label_words(label.casefold())) or OTHER for _, _, label in heads}
    if not {USER, ASSISTANT} <= set(roles.values()):
        return None
    blocks = [
        Block(opening, close + 1, stop, label, roles[label], head=close - opening)
        for (opening, close, label), stop in zip(
            heads, [h[0] for h in heads[1:]] + [len(lines)], strict=True
        )
    ]
    opener = INFO_FENCE.match(lines[heads[0][0]])
    info = opener.group(2) if opener else ""
    shape = f"```{info}` over `{next(iter(key_names))}: <label>` and `key: value` lines, ```"
    return blocks, shape, roles


def _org_top(line: str) -> Candidate | None:
    """`* You` in a file written in Org (it has `#+begin_src` blocks or `#+title:` keywords): a
    first-level heading, as Org reads a star at the start of a line, not a list item."""
    found = candidate("*" + line)
    if found is None or not found.shape.startswith("** "):
        return found
    return replace(found, shape=found.shape[1:])


#: An outliner's property line (Logseq's `id:: 67d48c8d-...`, `speaker:: [[user]]`).
PROPERTY = re.compile(r"^([\w-]{1,40}+)::[ \t]++(.*)$")
WIKI_LINK = re.compile(r"\[\[([^\[\]\n]{1,60}+)\]\]")


def _outline_turns(lines: Sequence[str], text: Sequence[bool]) -> Turns | None:
    """A page of an outliner (Logseq) where every message is a top-level bullet: `- ` opens it,
    every further line is indented by two spaces, and properties (`key:: value`) open it and
    the page (`type:: ChatGPT`). The turns are those of the same page written flat: each line
    without the outline's two characters, and the property lines on no card, but for one whose
    value names a role (`speaker:: [[user]]`), which is the message's marker. Two bullets or
    more, every line of the page under its properties a bullet's or indented."""
    count = len(lines)
    k = 0
    page: list[int] = []
    while k < count and PROPERTY.match(lines[k]):
        page.append(k)
        k += 1
    bullets = 0
    for j in range(k, count):
        line = lines[j]
        if line.startswith("- "):
            bullets += 1
        elif line.strip() and not line.startswith(("  ", "\t")):
            return None
    if bullets < 2:
        return None
    flat = list(lines)
    properties: set[int] = set(page)
    speakers = 0
    for j in page:
        flat[j] = ""
    opening = True  # the lines right under a bullet, while they are properties
    for j in range(k, count):
        line = lines[j]
        if line.startswith("- "):
            opening = True
        bare = line[2:] if line.startswith(("- ", "  ")) else line.removeprefix("\t")
        prop = PROPERTY.match(bare) if opening else None
        if prop is None:
            opening = False
            flat[j] = bare if bare.strip() else ""
            continue
        value = WIKI_LINK.sub(r"\1", prop.group(2)).strip()
        if role_hint(label_words(value.casefold())) in (USER, ASSISTANT):
            flat[j] = f"{prop.group(1)}:: {value}"  # the message's marker
            speakers += 1
        else:
            flat[j] = ""
            properties.add(j)
    if speakers < 2:
        return None  # an outline of notes: its bullets are no messages
    turns = find_turns(flat, text, unquote=False)
    if turns is None:
        return None
    shown = {j: line for j, line in enumerate(flat) if line != lines[j] and j not in properties}
    left_out = {**turns.left_out, **{j: METADATA for j in properties}}
    return replace(turns, rewrites={**shown, **turns.rewrites}, left_out=left_out)


def _quoted_alone(lines: Sequence[str], i: int) -> bool:
    """A tool that quotes a message's header (`> 2026-03-14 10:12:05 · User`) quotes that line
    alone, with a blank line or the message's unquoted text under it. A header in a quote that
    goes on over or under it (`> The deploy failed.`) is a message copied whole with its text, a
    Slack or Teams thread quoted in notes: no marker."""
    return not any(
        0 <= j < len(lines) and lines[j].lstrip().startswith(">") for j in (i - 1, i + 1)
    )


def _glued_markers(
    lines: Sequence[str], text: Sequence[bool], found: dict[int, Candidate]
) -> dict[int, int]:
    """Where a speaker's marker (one that opens a line of the file and names a role: `👤 : `,
    `User: `) stands again in the middle of a later text line, right after the end of a
    sentence (`...returns 200.👤 : and liveness?`): line -> the marker's position. A tool that
    streams a reply and writes the next prompt's marker without a line break leaves them."""
    speaking = sorted(i for i, each in found.items() if hinted_role(each) in (USER, ASSISTANT))
    seen: set[str] = set()
    for i in speaking:
        line, inline = lines[i].rstrip(), found[i].inline
        if inline and line.endswith(inline):
            seen.add(line[: len(line) - len(inline)].strip())
    seen.discard("")
    # A line read whole as a marker, `Done.👤 : next`, is itself a marker glued to `Done.`.
    prefixes = Prefixes(
        {p for p in seen if not any(p[m.end() :] in seen for m in GLUE_POINT.finditer(p))}
    )
    if not prefixes:
        return {}
    glued: dict[int, int] = {}
    for i in range(speaking[0] + 1, len(lines)):
        line = lines[i]
        if text[i] and prefixes.at(line, len(line) - len(line.lstrip())) is None:
            at = prefixes.glued_in(line)
            if at is not None:
                glued[i] = at
    return glued


class Prefixes:
    """Marker prefixes, looked up at a position by length (a tool that writes a time into each
    marker makes one prefix per turn: a lookup never tries them one by one)."""

    def __init__(self, prefixes: set[str]) -> None:
        self.by_length: dict[int, set[str]] = {}
        for prefix in prefixes:
            self.by_length.setdefault(len(prefix), set()).add(prefix)

    def __bool__(self) -> bool:
        return bool(self.by_length)

    def at(self, line: str, k: int) -> int | None:
        """The length of a prefix at line[k], followed by a space or tab, if any."""
        for length, members in self.by_length.items():
            if line[k : k + length] in members and line[k + length : k + length + 1] in (" ", "\t"):
                return length
        return None

    def glued_in(self, line: str) -> int | None:
        """The first position past the start where a prefix follows a sentence's end."""
        for point in GLUE_POINT.finditer(line):
            if self.at(line, point.end()) is not None:
                return point.end()
        return None


#: What a message ends with where a tool glued the next marker to it: a sentence's end or a
#: closing bracket or quote (not `"`, a backtick or `*`, which open as often as they close).
GLUE_POINT = re.compile("[" + re.escape("".join(PROSE_END) + ")]”’»") + "]")


def _unglued_turns(
    lines: Sequence[str], text: Sequence[bool], unquote: bool, glued: dict[int, int]
) -> Turns | None:
    """The turns of the file read with each glued marker at the start of its line, if every one
    of them then opens a turn; the text before it ends the message before."""
    split = list(lines)
    for i, at in glued.items():
        split[i] = lines[i][at:]
    turns = find_turns(split, text, unquote, unglue=False)
    if turns is None or any(i not in turns.user and i not in turns.assistant for i in glued):
        return None
    return replace(turns, glued={i: lines[i][:at] for i, at in glued.items()})


def _quoted_messages(lines: Sequence[str], blocks: list[Block]) -> bool:
    """Every message, the user's and the model's, is one quote: each of its lines, blank ones
    too, starts with `>`, past the lines over it that are metadata (a date, a `Key: value`)
    and up to the rule after it.
    A user who quotes writes a line of their own too, and a quote of their own has no `>` on
    the lines around it; a prefix that every line of every message carries is the tool's. A
    reply's quote may be followed, past a blank line, by lines the tool adds unquoted (the
    sources it cites), which stay as they are."""
    roles: set[str] = set()
    for block in blocks:
        body = [j for j in range(block.start, block.end) if lines[j].strip()]
        over = len(body)
        while body and not lines[body[0]].startswith(">") and edge_form(lines[body[0]]):
            body.pop(0)
        over -= len(body)  # the lines of metadata over the quote
        while body and (is_separator(lines[body[-1]]) or lone_tag(lines[body[-1]].strip())):
            body.pop()  # the rule after it, the element's closing tag
        if not body:
            continue
        quoted = body[0]
        while quoted + 1 < block.end and lines[quoted + 1].startswith(">"):
            quoted += 1
        if not lines[body[0]].startswith(">"):
            return False
        # Unquoted lines after a reply's quote are the tool's only under the tool's metadata
        # over it: a person's reply may quote a line and go on in prose under it.
        if quoted < body[-1] and (block.role != ASSISTANT or lines[quoted + 1].strip() or not over):
            return False
        roles.add(block.role)
    return {USER, ASSISTANT} <= roles


def _continued(lines: Sequence[str], block: Block) -> list[int]:
    """The lines of a message under its marker line, up to its last line of content."""
    if block.marker is None:
        return []
    end = block.end
    while end > block.start and not lines[end - 1].strip():
        end -= 1
    return list(range(block.start, end))


def _message_indent(lines: Sequence[str], blocks: list[Block]) -> str | None:
    """The indentation a tool writes before every line of every message under its marker line
    (claude.vim's tab: `You: text` / `<tab>more text`), where both speakers' messages go on
    under their markers and a reply's Markdown, not only its code, is indented (`_written`):
    the tool's, not the message's. None when messages go on unindented."""
    indents: set[str] = set()
    roles: set[str] = set()
    markdown = False
    for block in blocks:
        continued = [j for j in _continued(lines, block) if lines[j].strip()]
        if not continued:
            continue
        for j in continued:
            lead = _leading_space(lines[j])
            if not lead:
                return None
            indents.add(lead)
        roles.add(block.role)
        markdown = markdown or (
            block.role == ASSISTANT and any(_written(lines[j]) for j in continued)
        )
    if not ({USER, ASSISTANT} <= roles and markdown):
        return None
    indent = min(indents, key=len)
    return indent if all(each.startswith(indent) for each in indents) else None


def _written(line: str) -> bool:
    """An indented line that reads as a reply's Markdown, not as code: a fence (no one writes a
    fence inside an indented code block), a sentence of several words that ends as one (not a
    comment: `# check the owner ...`, nor a query: `SELECT name FROM users WHERE ...`), or,
    indented less than a code block's four columns, a heading, a list item or table row (a
    code block's `# comment` and a diff's `- old line` read as those)."""
    text = line.strip()
    lead = _leading_space(line)
    return bool(
        BARE_FENCE.match(text)
        or INFO_FENCE.match(text)
        or (
            words_line(text)
            and len(text.split()) >= 8
            and text.endswith((".", "!", "?", ":", "。", "！", "？", "："))
            and not text.startswith(("#", "//", "--", ";", "%"))
        )
        or (len(lead.expandtabs(4)) < 4 and bool(HEADING.match(text) or LIST_OR_TABLE.match(text)))
    )


def _leading_space(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _dedented_turns(
    lines: Sequence[str], text: Sequence[bool], blocks: list[Block], indent: str
) -> Turns | None:
    """The turns of the file read without the tool's indentation on its messages' lines, each
    such line shown without it."""
    bare = list(lines)
    for block in blocks:
        for j in _continued(lines, block):
            if lines[j].startswith(indent):
                bare[j] = lines[j][len(indent) :]
            elif not lines[j].strip():
                bare[j] = ""
    turns = find_turns(bare, text, unquote=False)
    if turns is None:
        return None
    shown = {j: line for j, line in enumerate(bare) if line is not lines[j]}
    return replace(turns, rewrites={**shown, **turns.rewrites})


def _unquoted_turns(
    lines: Sequence[str], text: Sequence[bool], blocks: list[Block]
) -> Turns | None:
    """The turns of the file read without the `>` (and the space after it) on its messages' lines:
    found as in the same chat written without it, with each such line shown without it."""
    bare = list(lines)
    for block in blocks:
        for j in range(block.start, block.end):
            if lines[j].startswith(">"):
                bare[j] = without_quote_mark(lines[j])
    turns = find_turns(bare, text, unquote=False)
    if turns is None:
        return None
    shown = {j: line for j, line in enumerate(bare) if line is not lines[j]}
    return replace(turns, rewrites={**shown, **turns.rewrites})
