"""Turns opened by marker lines of one shape: the shape whose lines recur through the file,
alternate between two to four labels and open blocks of content (`read_shape`); which label is
the user's, on evidence (`roles_of_labels`); a user's lines behind a tool's prefix (aider's
`#### `, a REPL's `>>> `).
"""

import bisect
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from chatdeck.reasoning import opens_reasoning, reasoning_end
from chatdeck.turn_edges import lone_tag
from chatdeck.turn_markers import (
    ANCHOR_LINK,
    ASSISTANT,
    AVATAR_SHAPE,
    DATE_TIME,
    FRAMED,
    HEADING,
    LIST_OR_TABLE,
    NUMBER,
    ORG_KEYWORD,
    OTHER,
    PICTURE_WORDS,
    PREFIXED,
    PREFIXES,
    PROMPT_SYMBOLS,
    PROSE_END,
    REPL_PROMPT,
    USER,
    USER_WORDS,
    Block,
    Candidate,
    candidate,
    edge_form,
    has_content,
    has_prefix,
    hinted_role,
    is_separator,
    label_words,
    model_lines,
    model_menu,
    product_name,
)


def opens_file(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int], first: int
) -> bool:
    """Nothing above line `first` but a header: front matter, separators, metadata lines and
    a title, a heading no other heading of its level in the file repeats (headings of one level
    over the file's parts are its questions or sections, no title)."""
    levels = Counter(
        len(heading.group(1))
        for j in content
        if text[j] and (heading := HEADING.match(lines[j])) is not None
    )
    for j in content:
        if j >= first:
            return True
        if j in skip or lone_tag(lines[j].strip()):  # (`<div class="message">`: markup)
            continue
        heading = HEADING.match(lines[j])
        if heading is not None:
            if levels[len(heading.group(1))] > 1:
                return False
        elif not header_line(lines[j]):
            return False
    return True


def choose_shape(
    lines: Sequence[str], content: list[int], found: dict[int, Candidate], skip: set[int]
) -> tuple[list[int], dict[str, str]] | None:
    """The marker shape of a file, its marker lines and each label's role; None if no shape
    recurs, alternates and opens blocks of content as turn markers do."""
    by_shape: dict[str, list[int]] = {}
    for i, each in found.items():
        by_shape.setdefault(each.shape, []).append(i)
    best: tuple[tuple[int, int, int], list[int], dict[str, str]] | None = None
    for members in by_shape.values():
        result = _read_shape(lines, content, found, members, skip)
        if result is None:
            continue
        markers, roles, hinted = result
        # Role words for both speakers say most (`### 👤 User` / `### 🤖 Assistant` over a
        # header's `Date:` / `Model:` lines), then for one, then how many turns.
        named = {role for i in markers if (role := hinted_role(found[i])) in (USER, ASSISTANT)}
        rank = (int(hinted) + int(len(named) == 2), len(markers), -markers[0])
        if best is None or rank > best[0]:
            best = (rank, markers, roles)
    return None if best is None else (best[1], best[2])


def _read_shape(
    lines: Sequence[str],
    content: list[int],
    found: dict[int, Candidate],
    members: list[int],
    skip: set[int],
) -> tuple[list[int], dict[str, str], bool] | None:
    members = sorted(members)
    counts = Counter(found[i].key for i in members)
    hints = {found[i].key: hinted_role(found[i]) for i in members}
    hinted_user = any(h == USER for h in hints.values())
    hinted_assistant = any(h == ASSISTANT for h in hints.values())
    if hinted_user or hinted_assistant:
        # (a maker's and a product's name, `GitHub Copilot:`, is a speaker's when it recurs)
        members = [
            i
            for i in members
            if not found[i].loose or (counts[found[i].key] >= 2 and product_name(found[i].label))
        ]
        # A heading of the same shape inside a reply ("## Example") is not a speaker: keep the
        # labels with a role word; a label without one only when one speaker has no role word
        # (`**Mara**` / `**Claude**`) and it is about as frequent as the named speaker.
        top = max(counts[k] for k, h in hints.items() if h in (USER, ASSISTANT))
        both = hinted_user and hinted_assistant
        keep = {
            k for k, h in hints.items() if h is not None or (not both and counts[k] * 2 >= top + 1)
        }
        # A third label set off like the speakers' (`--- ` then `[meta]`, as before `[user]`)
        # heads records of its own: another party's (the tool's, a command line), on no card.
        third = _set_off_like(lines, content, found, members, keep) if both else set()
        if both and FRAMED.match(found[members[0]].shape):
            # A tool's frame (`█ $ usage: █`) around a label of no speaker's that recurs: the
            # tool's own record (its token count), never a line a reply holds.
            third |= {
                k
                for k, h in hints.items()
                if h is None and counts[k] >= 2 and _measured_records(lines, found, members, k)
            }
        hints.update(dict.fromkeys(third, OTHER))
        keep |= third
        members = [i for i in members if found[i].key in keep]
        if both:
            members = _without_preambles(found, members, hints)
            members = _without_model_menu(lines, found, members, hints)
            members = _without_named_models(found, members, hints)
        # A label that only ever comes right after another label of its role ("Short answer:"
        # under "Assistant:") is a line of that speaker's turn.
        after: dict[str, set[str]] = {}
        for a, b in zip(members, members[1:], strict=False):
            after.setdefault(found[b].key, set()).add(found[a].key)
        inside = {
            k
            for k, before in after.items()
            if all(p != k and hints[p] == hints[k] for p in before) and found[members[0]].key != k
        }
        members = [i for i in members if found[i].key not in inside]
        # `GPT 4 Turbo: text` beside the model's own label (`ChatGPT:`): a line of a turn.
        lines_of_turns = model_lines(found, members, hints)
        members = [i for i in members if found[i].key not in lines_of_turns]
        counts = Counter(found[i].key for i in members)
    if sum(1 for n in counts.values() if n >= 2) >= 2:
        # A speaker recurs: a label without a role word seen once, beside two that recur, is a
        # line of a turn ("Compare:" in a reply).
        members = [i for i in members if counts[found[i].key] >= 2 or hints[found[i].key]]
        counts = Counter(found[i].key for i in members)
    labels = list(counts)
    if not 2 <= len(labels) <= 4 or len(members) < 2:
        return None
    sequence = [found[i].key for i in members]
    changes = sum(1 for a, b in zip(sequence, sequence[1:], strict=False) if a != b)
    if changes * 2 < len(sequence) - 1:
        return None
    hinted = any(hints[k] in (USER, ASSISTANT) for k in labels)
    if len(members) == 2 and not {USER, ASSISTANT} <= {hints[k] for k in labels}:
        # One exchange, one speaker named: prose above it is a document with two `Word:` lines.
        header = [j for j in content if j < members[0] and j not in skip]
        if len([j for j in header if not header_line(lines[j])]) > 2:
            return None
    # The blocks each marker opens: its lines up to the next marker.
    sizes: dict[str, list[int]] = {k: [] for k in labels}
    asks: Counter[str] = Counter()
    bounds = members + [len(lines)]
    position = 0
    for n, i in enumerate(members):
        stop = bounds[n + 1]
        size = 0
        last = ""
        while position < len(content) and content[position] <= i:
            position += 1
        scan = position
        while scan < len(content) and content[scan] < stop:
            size += 1
            last = lines[content[scan]].strip()
            scan += 1
        if found[i].inline:
            size += 1
            last = last or found[i].inline or ""
        sizes[found[i].key].append(size)
        if last.endswith(("?", "？")):
            asks[found[i].key] += 1
    if not hinted:
        # No role word: only a strong structure will do (a message's time before each name is
        # one even in a chat of one exchange).
        least = 2 if "<time>" in found[members[0]].shape else 4
        if len(members) < least or changes * 10 < (len(members) - 1) * 8:
            return None
        # Two speakers each speak more than once (`Traceback`, `def evaluate_accuracy`,
        # `Usage example` once each are a reply's lines that end in a colon, no names).
        spoken = Counter(found[i].key for i in members)
        if least > 2 and sum(1 for count in spoken.values() if count >= 2) < 2:
            return None
        # A label numbered anew each time (`Turn 1`, `Turn 2`) beside one that is not counts
        # records, and the other is a heading inside them: no two speakers.
        numbered = {found[i].key for i in members if found[i].label.casefold() != found[i].key}
        if numbered and numbered != set(labels):
            return None
        # The file's header holds a heading and two lines at most, besides separators and
        # metadata (`Channel: ...`, a date): prose above is a document, not a chat. (Over a
        # page's avatars, the page's sidebar.)
        header = [j for j in content if j < members[0] and j not in skip]
        heads = [j for j in header if not header_line(lines[j])]
        if len(heads) > 2 and found[members[0]].shape != AVATAR_SHAPE:
            return None
    roles = roles_of_labels(labels, hints, sizes, asks, sequence)
    if roles is None:
        return None
    if not hinted:
        user = [k for k, r in roles.items() if r == USER][0]
        others = [s for k, r in roles.items() if r == ASSISTANT for s in sizes[k]]
        if not others or statistics.median(sizes[user]) >= statistics.median(others):
            return None
    return members, roles, hinted


def _measured_records(
    lines: Sequence[str], found: dict[int, Candidate], members: list[int], key: str
) -> bool:
    """Each record a label heads holds a line or two of numbers (`Tokens: 452 prompt + 618
    completion = 1070 total | Cost: $0.0177`): a tool's measures, not a person's note."""
    bounds = [*members[1:], len(lines)]
    for i, stop in zip(members, bounds, strict=True):
        if found[i].key != key:
            continue
        body = [lines[j] for j in range(i + 1, stop) if lines[j].strip()]
        if not body or len(body) > 2 or any(len(NUMBER.findall(line)) < 3 for line in body):
            return False
    return True


def _without_model_menu(
    lines: Sequence[str],
    found: dict[int, Candidate],
    members: list[int],
    hints: dict[str, str | None],
) -> list[int]:
    """The markers without a model's name before the user's first turn, where one of the
    model's labels recurs: seen once (a page's model menu, `llama3:8b`, over the chat whose
    replies are headed `Ollama llama3:8b`), or the replies' own label over nothing but the
    page's short lines (the model picker, `qwen2.5-coder:7b`, over `No persona selected` and
    `New Chat`): the page's line, no reply."""
    counts = Counter(found[i].key for i in members)
    first_user = next((i for i in members if hints[found[i].key] == USER), None)
    recurring = any(hints[key] == ASSISTANT and count >= 2 for key, count in counts.items())
    if first_user is None or not recurring:
        return members
    return [
        i
        for i in members
        if not (
            i < first_user
            and hints[found[i].key] == ASSISTANT
            and model_menu(found[i].label)
            and (counts[found[i].key] == 1 or _page_lines_only(lines, i + 1, first_user))
        )
    ]


def _page_lines_only(lines: Sequence[str], start: int, stop: int) -> bool:
    """Lines [start, stop) hold only a page's short lines (buttons, names, a chat's entry in
    the sidebar), no sentence: a few words each, none ending a sentence."""
    return all(
        len(text.split()) <= 6 and not text.endswith((".", "!", "?", "。", "！", "？"))
        for text in (line.strip() for line in lines[start:stop])
        if text
    )


def _without_named_models(
    found: dict[int, Candidate], members: list[int], hints: dict[str, str | None]
) -> list[int]:
    """The markers without a model's name and tag alone on a line (`Ollama llama3:8b`) seen once,
    where the model's replies have a label of another kind that recurs (`Assistant`): a line of
    a message (`I'm running` / `Ollama llama3:8b` / `on my laptop`), no reply."""
    counts = Counter(found[i].key for i in members)
    plain = any(
        hints[k] == ASSISTANT and n >= 2 and not model_menu(found[i].label)
        for k, n in counts.items()
        for i in members
        if found[i].key == k
    )
    if not plain:
        return members
    return [
        i
        for i in members
        if not (
            counts[found[i].key] == 1
            and hints[found[i].key] == ASSISTANT
            and found[i].shape == "<label>"
            and ":" in found[i].label
            and model_menu(found[i].label)
        )
    ]


def _without_preambles(
    found: dict[int, Candidate], members: list[int], hints: dict[str, str | None]
) -> list[int]:
    """Two labels of the user's before the model's first turn, one a role word alone
    (`### User:`) and one that says more (`### User Editable Context:`, the custom
    instructions a tool writes first): the one that says more, never seen after the model
    speaks, heads a section of the file's header, not a turn."""
    replies = [i for i in members if hints[found[i].key] == ASSISTANT]
    if not replies:
        return members
    first_reply = replies[0]
    users = {found[i].key for i in members if hints[found[i].key] == USER}
    bare = {k for k in users if _role_words_only(found, members, k)}
    if not bare or bare == users:
        return members
    later = {found[i].key for i in members if i > first_reply}
    preambles = {k for k in users - bare if k not in later}
    if not any(i < first_reply and found[i].key in bare for i in members):
        return members  # the role word alone must open the user's first turn itself
    return [i for i in members if found[i].key not in preambles]


def _role_words_only(found: dict[int, Candidate], members: list[int], key: str) -> bool:
    words = next(found[i].words for i in members if found[i].key == key)
    return bool(words) and words <= USER_WORDS


def _set_off_like(
    lines: Sequence[str],
    content: list[int],
    found: dict[int, Candidate],
    members: list[int],
    keep: set[str],
) -> set[str]:
    """Labels outside `keep` that, wherever they stand, come right after the same separator
    line as every marker of the labels in `keep`."""
    lead: dict[int, str | None] = {}
    for i in members:
        at = bisect.bisect_left(content, i)
        before = lines[content[at - 1]].strip() if at > 0 else None
        lead[i] = before if before is not None and is_separator(before) else None
    speakers = {lead[i] for i in members if found[i].key in keep}
    if len(speakers) != 1 or None in speakers:
        return set()
    others: dict[str, set[str | None]] = {}
    for i in members:
        if found[i].key not in keep:
            others.setdefault(found[i].key, set()).add(lead[i])
    return {k for k, leads in others.items() if leads == speakers}


def roles_of_labels(
    labels: list[str],
    hints: dict[str, str | None],
    sizes: dict[str, list[int]],
    asks: Counter[str],
    order: Sequence[str],
) -> dict[str, str] | None:
    """Which label is the user's: a role word counts most, then the shortest blocks, then the
    most blocks that end in a question and speaking first (a role-play opens with the
    character's greeting: short turns say more than the first one). `order`: the labels of
    the turns, in the file's order."""
    first = order[0]
    speakers = [k for k in labels if hints[k] != OTHER]
    if len(speakers) < 2:
        return None
    medians = {k: statistics.median(sizes[k]) if sizes[k] else 0 for k in speakers}
    shortest = min(speakers, key=lambda k: medians[k])
    asking = max(speakers, key=lambda k: asks[k] / max(1, len(sizes[k])))

    def score(k: str) -> float:
        value = 0.0
        if hints[k] == USER:
            value += 3
        if hints[k] == ASSISTANT:
            value -= 3
        value += 1.5 * (k == shortest) + (k == first) + (k == asking and asks[k] > 0)
        return value

    user = max(speakers, key=score)
    # Another label whose words name the user (`User follow-up` beside `User`) is the user's
    # too, so long as a label is left to answer and answers it: a heading of the model's reply
    # (`### User story:`), followed by the user's next turn or nothing, is no turn of the user's.
    named = {k for k in speakers if hints[k] == USER}
    users = {user} | {k for k in named if _answered(k, order, named | {user}, hints)}
    if users >= set(speakers):
        users = {user}
    return {k: (USER if k in users else OTHER if hints[k] == OTHER else ASSISTANT) for k in labels}


def _answered(
    key: str, order: Sequence[str], users: set[str], hints: dict[str, str | None]
) -> bool:
    """Whether the model answers `key`'s turns: each one that another speaker's turn follows
    is followed by a turn of a label outside `users`, and one such turn is."""
    speaking = [k for k in order if hints.get(k) != OTHER]
    after = [b for a, b in zip(speaking, speaking[1:], strict=False) if a == key]
    return bool(after) and all(b not in users for b in after)


def labeled_blocks(
    lines: Sequence[str],
    content: list[int],
    markers: list[int],
    roles: dict[str, str],
    found: dict[int, Candidate],
    skip: set[int],
) -> list[Block] | None:
    blocks: list[Block] = []
    pictures = _pictures_over(lines, markers, roles, found)
    bounds = [m - 1 if m in pictures else m for m in markers] + [len(lines)]
    for n, i in enumerate(markers):
        key = found[i].key
        if i in pictures:
            blocks.append(Block(None, i - 1, i, "picture", OTHER))
        blocks.append(Block(i, i + 1, bounds[n + 1], found[i].label, roles[key]))
    # The lines before the first marker: if an assistant speaks first, the user's first turn is
    # the unmarked text above it (after the file's header).
    top = markers[0] - 1 if markers[0] in pictures else markers[0]  # (over its picture)
    if roles[found[markers[0]].key] == ASSISTANT:
        body = [j for j in content if j < top and j not in skip and not header_line(lines[j])]
        if body:
            blocks.insert(0, Block(None, body[0], top, "", USER))
    return blocks


#: A picture's alt text as a page copy keeps it: a few words, no marks (`Ollama profile`).
PICTURE = re.compile(r"[^\W\d_][\w'’ -]{0,38}+")


def _pictures_over(
    lines: Sequence[str], markers: list[int], roles: dict[str, str], found: dict[int, Candidate]
) -> set[int]:
    """The markers of a role with the same short line right over every one of them, two or
    more (`Ollama profile` over `Ollama llama3:8b`: the alt text of the speaker's picture a page
    copy keeps): that line is the page's, no line of the message before it."""
    marked = set(markers)
    pictured: set[int] = set()
    for role in (USER, ASSISTANT):
        heads = [i for i in markers if roles[found[i].key] == role and i > 0]
        above = {lines[i - 1].strip() for i in heads}
        picture = next(iter(above)) if len(above) == 1 else ""
        if (
            len(heads) >= 2
            and PICTURE.fullmatch(picture)
            and len(picture.split()) <= 3
            and label_words(picture.casefold()) & PICTURE_WORDS  # (`Ollama profile`, not `Thanks`)
            and not any(i - 1 in marked for i in heads)
        ):
            pictured.update(heads)
    return pictured


#: Seven hashes or more: no Markdown heading, but a tool may write one as the next turn's.
DEEP_HEADING = re.compile(r"^ {0,3}+#{7,}+[ \t]++(\S.*)$")
#: An Org headline at any level (`* User`, `******* AI`).
STARRED_HEADING = re.compile(r"^\*++[ \t]++(\S.*)$")


def _marks_level(line: str) -> int:
    """A Markdown heading's or Org headline's level: its `#` or `*` marks."""
    text = line.lstrip()
    return len(text) - len(text.lstrip(text[:1]))


def deepening_turns(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    found: dict[int, Candidate],
    skip: set[int],
) -> tuple[list[Block], str, dict[str, str]] | None:
    """Speaker headings whose level changes from turn to turn (a tool that nests each reply one
    level under the turn before: `## AI`, `### User`, `#### AI`, ..., past six hashes too; Org's
    `* User`, `** AI`, `*** User`): the turns read as one heading shape whatever the level.
    Only where no shape of one level is."""
    anywhere: dict[int, Candidate] = {}
    for i in content:
        if not text[i] or i in skip:
            continue
        each = found.get(i)
        starred = STARRED_HEADING.match(lines[i])
        if starred:
            each = candidate("###### " + starred.group(1).strip())
            if each is not None:
                anywhere[i] = replace(each, shape="*… " + each.shape.lstrip("#").lstrip())
            continue
        deep = DEEP_HEADING.match(lines[i]) if each is None else None
        if deep:
            each = candidate("###### " + deep.group(1))
        if each is not None and each.shape.startswith("#"):
            anywhere[i] = replace(each, shape="#… " + each.shape.lstrip("#").lstrip())
    chosen = choose_shape(lines, content, anywhere, skip)
    if chosen is None:
        return None
    markers, roles = chosen
    levels = [_marks_level(lines[i]) for i in markers]
    if len(levels) < 3 or any(b <= a for a, b in zip(levels, levels[1:], strict=False)):
        return None  # a document's headings: the levels of a chat's turns only go deeper
    if len({anywhere[i].key for i in markers}) != 2:
        return None  # a third label (a reply's `#### User stories`) is a reply's own heading
    blocks = labeled_blocks(lines, content, markers, roles, anywhere, skip)
    if blocks is None:
        return None
    found.update((i, anywhere[i]) for i in markers)  # the markers' reading, for what follows
    return blocks, anywhere[markers[0]].shape, roles


def paired_turns(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    found: dict[int, Candidate],
    skip: set[int],
    led: dict[int, Candidate],
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A tool that marks the user's turns one way and the model's another (`* … >> PROMPT:
    text` over `** [llama3.1:8b: RESPONSE]`): two shapes, each of one label that names its
    role, taking turns strictly, the user's first, read as one shape. Only where no shape of
    its own is. A marker after a lead (`led`) may be the user's, never the model's."""
    by_shape: dict[str, list[int]] = {}
    every = found | led
    for i, each in every.items():
        if text[i] and i not in skip and hinted_role(each) in (USER, ASSISTANT):
            by_shape.setdefault(each.shape, []).append(i)
    single = {
        shape: sorted(members)
        for shape, members in by_shape.items()
        if len({every[i].key for i in members}) == 1 and len(members) >= 2
    }
    for asking, asked in ((a, b) for a in single for b in single if a != b):
        ask, reply = single[asking], single[asked]
        if hinted_role(every[ask[0]]) != USER or hinted_role(every[reply[0]]) != ASSISTANT:
            continue
        if reply[0] in led:
            continue
        markers = sorted(ask + reply)
        roles = [USER if i in ask else ASSISTANT for i in markers]
        if roles[0] != USER or any(a == b for a, b in zip(roles, roles[1:], strict=False)):
            continue
        shape = f"{asking} / {asked}"
        paired = {i: replace(every[i], shape=shape) for i in markers}
        by_role = {every[ask[0]].key: USER, every[reply[0]].key: ASSISTANT}
        blocks = labeled_blocks(lines, content, markers, by_role, paired, skip)
        if blocks is None:
            return None
        found.update(paired)  # the markers' reading, for what follows
        return blocks, shape, by_role
    return None


def header_line(line: str) -> bool:
    """A line of a file's header: a heading, a separator, a date or `Key: value` line, an entry
    of a table of contents (a link to a place in the file)."""
    text = line.strip()
    return bool(
        HEADING.match(line)
        or ANCHOR_LINK.match(text)
        or ORG_KEYWORD.match(text)
        or is_separator(line)
        or edge_form(line) is not None
        or (DATE_TIME.search(text) and len(text.split()) <= 8)
        or re.match(r"^(?:[-*][ \t]++)?[\w-]{1,30}+[ \t]*+:[ \t]", text)
    )


def repl_prompts(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[str, ...]:
    """The REPL prompts (`llm>`, `ChatGPT(gpt-4.1/General)>`) that open two or more lines."""
    counts: Counter[str] = Counter()
    for i in content:
        if text[i] and i not in skip and lines[i][:1].isalpha():
            prompt = REPL_PROMPT.match(lines[i])
            if prompt:
                counts[prompt.group(1)] += 1
    return tuple(prompt for prompt, n in counts.most_common(2) if n >= 2)


def prefixed_turns(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    skip: set[int],
    prompts: tuple[str, ...] = (),
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A tool that writes every line of the user's turn behind one prefix (aider's `#### `, a
    REPL's `>>> `): runs of prefixed lines, each followed by a reply; for a heading's hashes,
    at least one run of several lines, or every line ending in a hard line break (a heading of
    its own is a heading question, which the heading rule reads). A tool that writes the prefix
    before the prompt's first line only (gptel's `### `) shows where the prompt ends when every
    reply opens with the model's reasoning: the lines up to it are the user's. A REPL's prompt
    (`prompts`, found in the file) opens what the user typed; a line the tool writes once in
    every turn after it (`<shell-maker-end-of-prompt>`) ends it, else the prompt is one line."""
    best: tuple[int, list[tuple[int, int]], str, str, dict[int, int]] | None = None
    for prefix in PREFIXES + prompts:
        shape = f"`{prefix} ` before each line of the user's turn"
        cuts: dict[int, int] = {}
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(lines):
            if text[i] and i not in skip and has_prefix(lines[i], prefix):
                # The run's first line is text; the rest may be code to the renderer (`>>> ```
                # opens a fence inside the quote that `>>>` makes), still behind the prefix.
                j = i + 1
                while j < len(lines) and has_prefix(lines[j], prefix):
                    j += 1
                runs.append((i, j))
                i = j
            else:
                i += 1
        if len(runs) < 2:
            continue
        several = any(end - start > 1 for start, end in runs)
        broken = all(lines[k].endswith("  ") for start, end in runs for k in range(start, end))
        repl = prefix.endswith(">") or prefix in PROMPT_SYMBOLS
        if prefix in PROMPT_SYMBOLS and any(
            end < len(lines) and lines[end].strip() for _, end in runs
        ):
            continue  # a terminal's session: what a command printed right under its prompt
        if prefix in PROMPT_SYMBOLS and not opens_file(lines, text, content, skip, runs[0][0]):
            continue  # a tutorial's commands under its questions (`# how do I run it?`)
        if repl and _one_paragraph_of_more(lines, runs[0][0], runs[-1][1]):
            continue  # `ghci> ` lines and what they print in one paragraph among others: a
            # REPL session a reply shows, not a chat's turns
        if not (several or broken):
            reasoned = _reasoned_turns(lines, runs)
            cut = _cut_turns(lines, text, runs) if repl and reasoned is None else None
            if reasoned is not None:
                runs = reasoned
                shape = f"`{prefix} ` before the user's turn, which runs to the reply's reasoning"
            elif cut is not None:
                runs, cuts = cut
                line = lines[next(iter(cuts.values()))].strip()
                shape = f"`{prefix} ` before the user's turn, which runs to `{line}`"
            elif repl:
                shape = f"`{prefix} ` before the user's turn"
            else:
                continue  # a heading of its own: heading questions are read by the heading rule
        replied = sum(
            1
            for n, (start, end) in enumerate(runs)
            if has_content(lines, end, runs[n + 1][0] if n + 1 < len(runs) else len(lines))
        )
        if replied * 2 < len(runs):
            continue
        if best is None or len(runs) > best[0]:
            best = (len(runs), runs, shape, prefix, cuts)
    if best is None:
        return None
    _, runs, shape, prefix, cuts = best
    blocks: list[Block] = []
    for n, (start, end) in enumerate(runs):
        stop = runs[n + 1][0] if n + 1 < len(runs) else len(lines)
        blocks.append(Block(start, start, end, PREFIXED, USER, prefix=prefix))
        if start in cuts:  # the tool's line between the prompt and the reply
            blocks.append(Block(cuts[start], cuts[start] + 1, stop, "", ASSISTANT))
        else:
            blocks.append(Block(None, end, stop, "", ASSISTANT))
    return blocks, shape, {PREFIXED: USER}


EMPHASIZED = "emphasis"
#: What a tool may wrap the whole of each of the user's turns in: bold.
PROMPT_WRAP = "**"
ASKING_ENDS = ("?", "？", "؟")
#: The longest run of lines one wrapped prompt may take (a pasted log inside it).
MAX_WRAPPED = 60
#: Characters a one-line wrapped paragraph without a question mark needs to read as a prompt
#: rather than a reply's bold heading.
PROMPT_LENGTH = 40
#: How a bold sentence of a model's or a writer's ends (`**Do not run this on production.**`):
#: a wrapped paragraph ending so reads as a prompt only by a lowercase start (or, over several
#: lines, a pasted log or code in it).
STATEMENT_ENDS = (".", "。", "!", "！")


def emphasized_prompts(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A tool that marks the user's turns only by wrapping each whole in bold (`**<prompt>**`,
    across a pasted log's lines and blank lines too): the file opens with such a paragraph,
    and two or more of them are each followed by a reply. Each must read as a prompt, not as a
    reply's bold heading or callout: several lines, a question mark at its end, a sentence's
    length or a lowercase start as people type, and no closing colon (a reply's bold lines
    that do not read so stay in it); and one at least asks or runs over several lines."""
    body = [i for i in content if i not in skip]
    if not body or _wrapped_prompt(lines, text, body[0]) is None:
        return None
    runs: list[tuple[int, int]] = []
    for i in body:
        if runs and i < runs[-1][1]:
            continue
        end = _wrapped_prompt(lines, text, i)
        if end is not None and (i == 0 or not lines[i - 1].strip()):
            runs.append((i, end))
    if len(runs) < 2 or 2 * sum(
        end - start > 1 or lines[start].rstrip()[: -len(PROMPT_WRAP)].endswith(ASKING_ENDS)
        for start, end in runs
    ) < len(runs):
        return None  # bold lines most of which neither ask nor run over lines: a note's labels
    stops = [start for start, _ in runs[1:]] + [len(lines)]
    if not all(has_content(lines, end, stop) for (_, end), stop in zip(runs, stops, strict=True)):
        return None
    if any(
        _plain_question(lines, text, k, stop)
        for (_, end), stop in zip(runs, stops, strict=True)
        for k in range(end, stop)
    ):
        return None  # the user's questions are plain lines: the bold is a title's or a reply's
    blocks: list[Block] = []
    for (start, end), stop in zip(runs, stops, strict=True):
        blocks.append(Block(None, start, end, EMPHASIZED, USER, wrap=PROMPT_WRAP))
        blocks.append(Block(None, end, stop, "", ASSISTANT))
    shape = f"`{PROMPT_WRAP}<prompt>{PROMPT_WRAP}`: each of the user's turns wrapped whole in bold"
    return blocks, shape, {EMPHASIZED: USER}


def _wrapped_prompt(lines: Sequence[str], text: Sequence[bool], i: int) -> int | None:
    """The end (exclusive) of the prompt wrapped in bold that opens on line i, or None: the
    line ending in the closing `**` ends a paragraph, no `**` between, no code in it, and it
    reads as a prompt (see `emphasized_prompts`)."""
    mark = PROMPT_WRAP
    opening = lines[i].strip()
    if not (text[i] and opening.startswith(mark)) or opening[len(mark) : len(mark) + 1] in (
        "",
        " ",
        "*",
    ):
        return None
    rest = opening[len(mark) :]
    for j in range(i, min(len(lines), i + MAX_WRAPPED)):
        if j > i:
            if not text[j]:
                continue  # code pasted into the prompt (its `**` are the code's)
            rest = lines[j].strip()
        if rest.endswith(mark) and rest[-len(mark) - 1 : -len(mark)] not in ("", " ", "*"):
            inner = rest[: -len(mark)]
            if mark in inner or (j + 1 < len(lines) and lines[j + 1].strip()):
                return None
            words = inner.rstrip()
            if j == i and (
                words.endswith((":", "："))
                or not (
                    words.endswith(ASKING_ENDS)
                    or (len(words) >= PROMPT_LENGTH and not words.endswith(STATEMENT_ENDS))
                    or _lowercase(words)
                )
            ):
                return None
            if (
                j > i
                and words.endswith(STATEMENT_ENDS)
                and not _lowercase(opening)
                and all(text[k] for k in range(i, j + 1))
            ):
                return None  # a bold statement wrapped over lines, no pasted code or log in it
            return j + 1
        if mark in rest:
            return None
    return None


def _plain_question(lines: Sequence[str], text: Sequence[bool], k: int, stop: int) -> bool:
    """Line k, in a reply that ends at `stop`, is a paragraph of its own that asks (not a
    heading, list item, quote or bold line) with more of the reply under it: a question the
    user typed plain, answered below it."""
    line = lines[k].strip()
    return (
        text[k]
        and line.endswith(ASKING_ENDS)
        and not lines[k - 1].strip()
        and (k + 1 >= len(lines) or not lines[k + 1].strip())
        and not (HEADING.match(lines[k]) or LIST_OR_TABLE.match(lines[k]))
        and not line.startswith((">", PROMPT_WRAP))
        and has_content(lines, k + 1, stop)
    )


def _lowercase(text: str) -> bool:
    """Its first letter is lowercase, as people type and models do not start a heading."""
    return next((char for char in text if char.isalpha()), "").islower()


def _one_paragraph_of_more(lines: Sequence[str], start: int, end: int) -> bool:
    """Lines [start, end) lie in one paragraph, with text below it or more than a title above
    it (a paragraph of a reply or a note; a REPL tool's session under a title line still reads
    as a chat)."""
    if not all(lines[k].strip() for k in range(start, end)):
        return False
    while start > 0 and lines[start - 1].strip():
        start -= 1
    while end < len(lines) and lines[end].strip():
        end += 1
    above = sum(1 for line in lines[:start] if line.strip())
    return above > 1 or any(line.strip() for line in lines[end:])


def _cut_turns(
    lines: Sequence[str], text: Sequence[bool], runs: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], dict[int, int]] | None:
    """Where each prompt ends when the tool writes the same one-word line once in every turn
    after the prompt line (`<shell-maker-end-of-prompt>`): the user's lines are above it, the
    reply those below. A last prompt with nothing after it is the tool's prompt waiting for
    input. None unless two or more turns have such a line, each with a reply under it."""
    spans = [
        (start, end, runs[n + 1][0] if n + 1 < len(runs) else len(lines))
        for n, (start, end) in enumerate(runs)
    ]
    if spans and not has_content(lines, spans[-1][1], spans[-1][2]):
        spans.pop()
    if len(spans) < 2:
        return None
    common: set[str] | None = None
    for _start, end, stop in spans:
        seen = Counter(lines[k].strip() for k in range(end, stop) if text[k] and lines[k].strip())
        # The tool's line is one token written right under what the user typed
        # (`<shell-maker-end-of-prompt>`, `--------`); a fence, a sentence, or a line the
        # replies happen to share after a blank line, are the replies'.
        once = {
            lines[k].strip()
            for k in range(end, stop)
            if lines[k - 1].strip() and seen[lines[k].strip()] == 1 and _tool_line(lines[k])
        }
        common = once if common is None else common & once
        if not common:
            return None
    ends = common or set()
    cuts: dict[int, int] = {}
    for start, end, stop in spans:
        cut = next(k for k in range(end, stop) if text[k] and lines[k].strip() in ends)
        if not has_content(lines, cut + 1, stop):
            return None  # no reply under it
        cuts[start] = cut
    return [(start, cuts.get(start, end)) for start, end in runs], cuts


def _tool_line(line: str) -> bool:
    """A line a tool may write between a prompt and its reply: one token, not a fence, not a
    sentence."""
    text = line.strip()
    return (
        len(text.split()) == 1
        and not text.startswith(("```", "~~~"))
        and not text.endswith(PROSE_END)
    )


def _reasoned_turns(
    lines: Sequence[str], runs: list[tuple[int, int]]
) -> list[tuple[int, int]] | None:
    """The user's turns when the reply after each prompt opens with the model's reasoning: each
    from its prefixed line to that reasoning (an empty prompt, the tool's prompt waiting at the
    end, is its own line). A prefixed line after a reply's reasoning with none after it is a
    heading of that reply. None unless two or more replies open with reasoning, the first
    prompt's among them."""
    turns: list[tuple[int, int]] = []
    reasoned = 0
    for n, (start, end) in enumerate(runs):
        stop = runs[n + 1][0] if n + 1 < len(runs) else len(lines)
        opener = next((k for k in range(end, stop) if opens_reasoning(lines[k])), None)
        if opener is not None and reasoning_end(lines, opener, stop) is not None:
            turns.append((start, opener))
            reasoned += 1
        elif all(not lines[k].lstrip("#>").strip() for k in range(start, end)):
            turns.append((start, end))
        elif not reasoned:
            return None
    return turns if reasoned >= 2 else None
