"""Turns of a page copy or an unlabelled layout: messages told apart by the page's own lines
(toolbars, a composer, reply headings that name the model), by gaps of blank lines, by
sections or containers around each reply, or by a reasoning block opening each reply.
"""

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from chatdeck.chat_titles import model_only
from chatdeck.copied_code import page_control, prose_line
from chatdeck.logged_turns import asks_a_question, below_sidebar, blank_runs, text_size
from chatdeck.marked_turns import ASKING_ENDS, repl_prompts
from chatdeck.pasted_code import OUTPUT, OUTPUT_RECORD, bare_code, code_line
from chatdeck.turn_edges import PAGE_BUTTONS, PLACEHOLDER_END
from chatdeck.turn_markers import (
    ASSISTANT,
    ASSISTANT_WORDS,
    BARE_FENCE,
    CODE_LANGUAGES,
    CONTAINER_CLOSE,
    CONTAINER_OPEN,
    COPY_LINES,
    DIGIT,
    HEADING,
    INFO_FENCE,
    INTERFACE_LINE,
    MODEL_FAMILIES,
    NUMBER,
    ORG_BLOCK,
    ORG_KEYWORD,
    OTHER,
    PICTURE_WORDS,
    PROSE_END,
    REASONING,
    REPL_PROMPT,
    THOUGHT_WORDS,
    USER,
    Block,
    candidate,
    has_content,
    is_separator,
    label_words,
    model_and_version,
    model_menu,
    names_a_model,
    names_the_user,
    next_content,
    role_hint,
)


def _message_gaps(lines: Sequence[str], start: int, stop: int) -> list[tuple[int, int]]:
    """The gaps of two blank lines or more in [start, stop) that may part two messages: not one
    under a code block's label alone on its line (`dart`, then the code after a gap), which a
    page leaves inside a reply."""
    return [
        (blank, after)
        for blank, after in blank_runs(lines, start, stop)
        if not (
            blank > start
            and lines[blank - 1].strip() in CODE_LANGUAGES  # (lowercase, as pages write it)
            and (blank - 1 == start or not lines[blank - 2].strip())
            and after < stop
            and code_line(lines[after])  # (`python` alone, a one-word answer, ends a message)
        )
    ]


def opened_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and what recurs is the status of
    the model's hidden reasoning, alone on a line after a gap of two blank lines or more, the
    reply right under it (chat.qwen.ai's copy: `Thinking completed`; the same words each time
    but for a number, `Thought for 12s`), two or more: each such line opens a reply; the prompt
    is the paragraphs between the gap before it and the gap before that (the file's start for
    the first: a model's name alone over it is the page's model menu). After the last reply,
    a gap, then only the page's short lines (its menus, its disclaimer) are the page's."""
    if _has_markdown(lines, text, content):
        return None
    forms: dict[str, list[int]] = {}
    for i in content:
        line = lines[i].strip()
        if (
            text[i]
            and i not in skip
            and len(line.split()) <= 5
            and (THOUGHT_WORDS.match(line) or _model_label(line))
            and i >= 2
            and not lines[i - 1].strip()
            and not lines[i - 2].strip()
            and i + 1 < len(lines)
            and lines[i + 1].strip()
        ):
            forms.setdefault(NUMBER.sub("0", line), []).append(i)
    openers = max(forms.values(), key=len, default=[])
    if len(openers) < 2:
        return None
    first = next(j for j in content if j not in skip)
    opening = lines[first].strip()
    if (
        len(opening.split()) <= 3
        and model_and_version(opening, label_words(opening.casefold()))
        and first + 1 < len(lines)
        and not lines[first + 1].strip()
    ):
        first = next_content(lines, first + 1, len(lines))  # the page's model menu
    if first >= openers[0]:
        return None
    over_reply = blank_runs(lines, first, openers[0])  # (the last: the gap over the first reply)
    if over_reply:
        first = below_sidebar(lines, first, over_reply[-1][0])
        menu = next(  # the model menu right over the first prompt, under the sidebar
            (
                j
                for j in range(over_reply[-1][0] - 1, first - 1, -1)
                if model_menu(lines[j]) and lines[j + 1].strip() and not lines[j - 1].strip()
            ),
            None,
        )
        if menu is not None and has_content(lines, menu + 1, over_reply[-1][0]):
            first = menu + 1
    blocks: list[Block] = []
    if first > content[0]:
        blocks.append(Block(None, content[0], first, "page", OTHER))
    prompt_start = first
    prompts: list[int] = []
    replies: list[int] = []
    label = lines[openers[0]].strip()
    footers: set[str] = set()  # the model's name under each reply (t3.chat's `Gemini 2.5 Flash`)
    separating: list[int] = []  # the gaps between two messages, and the ones inside one
    inner: list[int] = []
    heads: set[str] = set()  # the first line after each reply's gap (numbers aside)
    # Under every status line, a line glued over the reply's first (no blank line between),
    # one of them restating the request (`Okay, the user ...`): the reasoning folded to a line.
    summarized = all(
        opener + 2 < len(lines) and lines[opener + 1].strip() and lines[opener + 2].strip()
        for opener in openers
    ) and any(RESTATED.search(lines[opener + 1][:80]) for opener in openers)
    for n, opener in enumerate(openers):
        footer = lines[prompt_start].strip()
        words = label_words(footer.casefold())
        if n and model_only(words) and len(words) <= 4 and lines[prompt_start + 1].strip():
            blocks.append(Block(None, prompt_start, prompt_start + 1, "model", OTHER))
            footers.add(footer)
            prompt_start += 1
        gaps = _message_gaps(lines, prompt_start, opener)
        if not gaps or gaps[-1][1] != opener or not has_content(lines, prompt_start, gaps[-1][0]):
            return None
        prompt_end = gaps[-1][0]
        separating.append(gaps[-1][1] - gaps[-1][0])
        inner += [after - blank for blank, after in gaps[:-1]]
        blocks.append(Block(None, prompt_start, prompt_end, "", USER))
        prompts.append(text_size(lines, prompt_start, prompt_end))
        stop = openers[n + 1] if n + 1 < len(openers) else len(lines)
        between = _message_gaps(lines, opener + 1, stop)
        if n + 1 < len(openers):
            if len(between) < 2:
                return None
            reply_end, prompt_start = between[-2][0], between[-2][1]
            separating.append(prompt_start - reply_end)
            heads.add(NUMBER.sub("0", lines[prompt_start].strip()))
            inner += [after - blank for blank, after in between[:-2]]
        else:
            short_from = len(lines)  # from here on, only lines of a few words
            while short_from > opener and len(lines[short_from - 1].split()) <= 6:
                short_from -= 1
            page = next((gap for gap in between if gap[1] >= short_from), None)
            if page is not None and not any(
                lines[j].strip().casefold() in COPY_LINES
                or INTERFACE_LINE.search(lines[j])
                or lines[j].strip() in footers
                for j in range(page[1], len(lines))
            ):
                page = None  # short lines of the reply's own, with no button or disclaimer
            if page is None:
                widest = max([*separating, *inner])  # (no page gap is as wide)
                page = _gap_to_page(lines, between, widest, heads)
            reply_end = page[0] if page is not None else len(lines)
        reply_start = _under_buttons(lines, opener + 1, reply_end)
        if reply_start > opener + 1:  # `Copy thoughts to clipboard`: the reasoning's button
            blocks.append(Block(None, opener + 1, reply_start, "toolbar", OTHER))
        elif summarized:  # the reasoning folded to its first line, over the reply's
            blocks.append(Block(None, opener + 1, opener + 2, REASONING, OTHER))
            reply_start = opener + 2
        blocks.append(Block(opener, reply_start, reply_end, label, ASSISTANT))
        replies.append(text_size(lines, reply_start, reply_end))
        if n + 1 == len(openers) and reply_end < len(lines):
            blocks.append(Block(None, reply_end, len(lines), "page", OTHER))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    repl = repl_prompts(lines, text, content, skip)
    if repl and all(
        any(lines[b.start].startswith(prompt + " ") for prompt in repl)
        for b in blocks
        if b.role == USER
    ):
        return None  # a REPL tool's log (`ChatGPT(o4-mini)> ` over every prompt): its prompts'
    blocks = _without_prompt_heads(lines, blocks)
    blocks = _without_reply_footers(lines, blocks, heads)
    if not THOUGHT_WORDS.match(label):
        return (
            blocks,
            "the model's label alone over each reply after a gap; the user's unmarked",
            {},
        )
    return blocks, "the reasoning's status opening each reply after a gap; no speaker named", {}


def _gap_to_page(
    lines: Sequence[str], gaps: list[tuple[int, int]], widest: int, heads: set[str]
) -> tuple[int, int] | None:
    """The gap after the last reply where the page's own lines start, found by its size:
    wider than any gap between two messages or inside one (`widest`), with a few lines after
    it (its composer, its footer, the line every reply's gap led to, `heads`: `<model> ·
    24.6s (39.84 tok/s) · <time>`), none code and none asking."""
    for blank, after in gaps:
        rest = [lines[j] for j in range(after, len(lines)) if lines[j].strip()]
        if (
            after - blank > widest
            and rest
            and len(rest) <= 4
            and not any(
                (code_line(line) and NUMBER.sub("0", line.strip()) not in heads)
                or line.rstrip().endswith(("?", "？"))
                for line in rest
            )
        ):
            return blank, after
    return None


def _under_buttons(lines: Sequence[str], start: int, stop: int) -> int:
    """Where a reply starts under the line that opens it: past the buttons right under that
    line (one or two short lines naming a copy or the reasoning, `Copy thoughts to clipboard`)
    and the blank line under them; `start` when there are none."""
    end = start
    while end < min(start + 2, stop) and lines[end].strip():
        end += 1
    if end == start or end >= stop or lines[end].strip():
        return start
    buttons = [lines[k].strip() for k in range(start, end)]
    if all(
        len(button.split()) <= 5
        and (
            button.split()[0].casefold() in COPY_LINES
            or any(THOUGHT_WORDS.match(word) for word in button.split())
        )
        for button in buttons
    ):
        return next_content(lines, end, stop)
    return start


def _without_prompt_heads(lines: Sequence[str], blocks: list[Block]) -> list[Block]:
    """The blocks with the line that heads every prompt (two or more), the same short line
    (`avatar`, the user's picture a page names; the user's name, `Gioanin`) right over the
    prompt's text, set apart as the page's; over the first prompt's head, the page's lines too
    (the chat's name in its header)."""
    prompts = [block for block in blocks if block.role == USER]
    if len(prompts) < 2:
        return blocks
    heads = {lines[block.start].strip() for block in prompts[1:]}
    head = next(iter(heads))
    first = prompts[0]
    at = next((j for j in range(first.start, first.end) if lines[j].strip() == head), None)
    if len(heads) != 1 or len(head.split()) > 3 or head.endswith(PROSE_END) or at is None:
        return blocks
    if at > first.start and lines[at - 1].strip():
        return blocks  # (a line inside the first prompt: a command each prompt repeats)
    starts = {id(b): (at if b is first else b.start) + 1 for b in prompts}
    if any(
        start >= b.end or not lines[start].strip() for b in prompts for start in [starts[id(b)]]
    ):
        return blocks
    return _heads_apart(blocks, starts, "picture")


def _without_reply_footers(
    lines: Sequence[str], blocks: list[Block], heads: set[str]
) -> list[Block]:
    """The blocks with the line each reply's gap leads to (numbers aside: `<model> · 24.6s
    (39.84 tok/s) · <time>`, the reply's metrics), when it stands over every later prompt and
    again in the page's lines after the last reply, set apart from the prompts as footers."""
    page = next((b for b in reversed(blocks) if b.role == OTHER and b.label == "page"), None)
    prompts = [b for b in blocks if b.role == USER][1:]
    if page is None or len(heads) != 1 or not prompts:
        return blocks
    form = next(iter(heads))
    if not any(NUMBER.sub("0", lines[j].strip()) == form for j in range(page.start, page.end)):
        return blocks
    starts = {id(b): next_content(lines, b.start + 1, b.end) for b in prompts}
    return _heads_apart(blocks, starts, "footer")


def _heads_apart(blocks: list[Block], starts: dict[int, int], label: str) -> list[Block]:
    """The blocks, each whose id is in `starts` beginning there instead: the lines over it a
    block of the page's own (`label`)."""
    out: list[Block] = []
    for block in blocks:
        start = starts.get(id(block))
        if start is not None and block.start < start < block.end:
            out.append(Block(None, block.start, start, label, OTHER))
            out.append(replace(block, start=start))
        else:
            out.append(block)
    return out


def _model_label(line: str) -> bool:
    """A short line that only names the model's turn (`Assistant message`, a page's label for
    a screen reader), with nothing after it."""
    found = candidate(line)
    return (
        found is not None
        and found.inline is None
        and len(found.words) <= 3
        and role_hint(found.words, found.emoji) == ASSISTANT
    )


MAX_TOOLBAR = 6


def headed_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and what recurs is the header
    over each reply: the same run of short lines (numbers aside, blank lines between them),
    one blank line under the prompt (poe.com's `10:42 AM` / `Bot image for Assistant` /
    `Assistant` / `Poe`: the prompt's time, the bot's picture, name and badge), two or more.
    The prompt is the paragraphs between the last gap of two blank lines or more before it and
    the header; the reply runs from under the header to the last such gap before the next
    prompt. The page's lines over the first prompt are its header; after the last reply, its
    short lines (buttons, suggestions, the composer) are the page's when a button is among
    them. Never in a file with Markdown headings or fences, and the prompts the shorter."""
    if _has_markdown(lines, text, content):
        return None
    found = _reply_heads(lines, text, content, skip)
    if found is None:
        return None
    form, heads = found
    if len(heads) < 2 or sum(NUMBER.sub("0", lines[i].strip()) == form[0] for i in content) != len(
        heads
    ):
        return None
    count = len(lines)
    ends = [_head_end(lines, head, len(form)) for head in heads]
    starts: list[int] = []
    for n, head in enumerate(heads):
        since = ends[n - 1] if n else next(j for j in content if j not in skip)
        gaps = blank_runs(lines, since, head)
        start = gaps[-1][1] if gaps else (since if n == 0 else None)
        if start is None or not has_content(lines, start, head):
            return None
        starts.append(start)
    blocks: list[Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    for n, (start, head, end) in enumerate(zip(starts, heads, ends, strict=True)):
        if n + 1 < len(heads):
            stop = blank_runs(lines, end, starts[n + 1])[-1][0]
        else:
            stop = _page_tail(lines, end, count)
        if not has_content(lines, end, stop):
            return None
        blocks.append(Block(None, start, head, "", USER))
        blocks.append(Block(head, head + 1, end, "reply header", OTHER))
        blocks.append(Block(None, end, stop, "", ASSISTANT))
        if stop < count and n + 1 == len(heads):
            blocks.append(Block(None, stop, count, "page", OTHER))
        prompts.append(text_size(lines, start, head))
        replies.append(text_size(lines, end, stop))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    return blocks, "the same header over each reply (a time, the bot's name); no speaker named", {}


#: Words of a model's label that also head a part of a document (`Answer`, `Response`,
#: `Model`): alone they name no model over its replies.
DOCUMENT_WORDS = frozenset("answer response model agent 回答".split())


def _names_only_a_model(words: frozenset[str]) -> bool:
    """Words that only name the model and its picture (`avatar for assistant`, `gpt 4o`,
    `ollama llama3 8b`), not a person's role (`teaching assistant`) or a document's part."""
    return not words & DOCUMENT_WORDS and all(
        word in ASSISTANT_WORDS
        or word in PICTURE_WORDS
        or any(family in word for family in MODEL_FAMILIES)
        or DIGIT.search(word)
        for word in words
    )


def named_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole where only the model's turns are named: the same short line
    naming the model (its role or its name, with the page's words for its picture: `Avatar for
    Assistant`, `GPT-4o`), numbers aside, alone over every reply, two or more, and nothing over
    the prompts. Each prompt is the paragraph right over that line (with the paragraph over it
    when that one is a pasted log: `_pasted_log_over`); the reply runs from under the line to
    the next prompt. Over the first prompt, the page's short lines; after the last reply, its
    composer and footer. Never in a file with Markdown headings or fences, and the prompts the
    shorter."""
    if _has_markdown(lines, text, content):
        return None
    forms: dict[str, list[int]] = {}
    for i in content:
        line = lines[i].strip()
        if not text[i] or i in skip or len(line) > 40 or line.endswith(PROSE_END):
            continue
        words = label_words(line.casefold())
        if len(line.split()) <= 5 and role_hint(words) == ASSISTANT and _names_only_a_model(words):
            forms.setdefault(NUMBER.sub("0", line), []).append(i)
    openers = max(forms.values(), key=len, default=[])
    if len(openers) < 2 or len(forms) > 1:
        return None  # (labels of more than one kind: a reading with speakers on both sides)
    count = len(lines)
    first = next(j for j in content if j not in skip)
    heads = _user_heads(lines, text, content, skip, openers)
    starts: list[int] = []  # each prompt's first line
    for n, opener in enumerate(openers):
        if heads:
            starts.append(heads[n] + 1)
            continue
        floor = first if n == 0 else next_content(lines, openers[n - 1] + 1, opener)
        end = opener
        while end > floor and not lines[end - 1].strip():
            end -= 1
        start = end
        while start > floor and lines[start - 1].strip():
            start -= 1
        if end == floor or (n and start == floor):
            return None  # no prompt, or the prompt glued to the reply over it
        starts.append(
            _pasted_log_over(lines, start, floor) if n else _below_page_lines(lines, start, end)
        )
    blocks: list[Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    top = heads[0] if heads else starts[0]
    if top > first:
        blocks.append(Block(None, first, top, "page", OTHER))
    label = lines[openers[0]].strip()
    name = lines[heads[0]].strip() if heads else ""
    for n, opener in enumerate(openers):
        reply = next_content(lines, opener + 1, count)
        stop = (heads or starts)[n + 1] if n + 1 < len(openers) else count
        stop = _placeholder_over(lines, reply, stop) if n + 1 == len(openers) else stop
        while stop > reply and not lines[stop - 1].strip():
            stop -= 1
        if reply >= stop or reply > opener + 2:
            return None
        blocks.append(Block(heads[n] if heads else None, starts[n], opener, name, USER))
        blocks.append(Block(opener, reply, stop, label, ASSISTANT))
        prompts.append(text_size(lines, starts[n], opener))
        replies.append(text_size(lines, reply, stop))
        if n + 1 == len(openers) and has_content(lines, stop, count):
            blocks.append(Block(None, stop, count, "page", OTHER))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    if 2 * sum(
        asks_a_question(lines[starts[n] : opener]) for n, opener in enumerate(openers)
    ) < len(openers):
        return None  # (a note's one-line paragraphs over sections under a repeated `AI`)
    if heads:
        roles = {name: USER, label: ASSISTANT}
        return blocks, "the user's and the model's names alone over their messages", roles
    return blocks, "the model's name alone over each reply; the user's unmarked", {}


def sectioned_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A notes file of sections, each a prompt under the section's heading and the model's
    reply under a heading naming the model (`# Why does it fail` / the prompt / `##### ChatGPT`
    / the reply: an editor that sends a section's text and writes the reply under it): the same
    deeper heading naming only the model, one in each section (two or more, or the file one
    section) and nothing naming the user. The prompt runs from under the section's heading to
    the model's heading, the reply from under it to the next section's heading; the section's
    heading names the exchange, no part of the prompt. Every section has a prompt: a heading
    over the reply alone is a document's section."""
    heads = [
        (i, len(heading.group(1)), (heading.group(2) or "").strip())
        for i in content
        if text[i] and i not in skip and (heading := HEADING.match(lines[i])) is not None
    ]
    named = [
        (i, level, name)
        for i, level, name in heads
        if role_hint(words := label_words(name.casefold())) == ASSISTANT
        and len(name.split()) <= 4
        and _names_only_a_model(words)
    ]
    if not named or len({(level, name) for _, level, name in named}) > 1:
        return None
    level = named[0][1]
    if any(role_hint(label_words(name.casefold())) == USER for _, _, name in heads):
        return None
    above = [head for head in heads if head[0] < named[0][0] and head[1] < level]
    if not above:
        return None
    section = above[-1][1]
    if level - section < 2:
        return None  # (`# Installation` / `## ChatGPT`: a document's next level, its part)
    sections = [i for i, each, _ in heads if each == section]
    if len(named) == 1 and len(sections) > 1:
        return None  # (one model's heading among sections: a document's, unless it is all)
    replies = [i for i, _, _ in named]
    # each reply under a section's heading of its own
    owners = [max((s for s in sections if s < r), default=-1) for r in replies]
    if -1 in owners or len(set(owners)) != len(replies):
        return None
    if any(each < section for i, each, _ in heads if owners[0] < i):  # (a higher heading: parts)
        return None
    count = len(lines)
    blocks: list[Block] = []
    first = next(j for j in content if j not in skip)
    if owners[0] > first:
        blocks.append(Block(None, first, owners[0], "header", OTHER))
    label = named[0][2]
    for n, (owner, reply) in enumerate(zip(owners, replies, strict=True)):
        stop = next((s for s in sections if s > reply), count)
        if n + 1 < len(owners) and stop != owners[n + 1]:
            return None  # a section with no reply between two that have one
        if not has_content(lines, reply + 1, stop):
            return None
        if not has_content(lines, owner + 1, reply):
            return None  # (a heading over the reply alone: a document's section)
        asked = HEADING.match(lines[owner])
        if asked and (asked.group(2) or "").strip().endswith(ASKING_ENDS):
            # (`# Why does this print 3?` over the code: the heading is the question, its
            # `#` marks the tool's)
            blocks.append(Block(None, owner, reply, "section heading", USER, lead=asked.start(2)))
        else:
            blocks.append(Block(owner, owner + 1, reply, "section heading", USER, record=True))
        blocks.append(Block(reply, reply + 1, stop, label, ASSISTANT))
        if n + 1 == len(owners) and stop < count:  # a last section not sent yet: no exchange
            blocks.append(Block(None, stop, count, "a section with no reply", OTHER))
    shape = f"{'#' * level} <the model> under each section's {'#' * section} heading"
    return blocks, shape, {label: ASSISTANT}


#: The names of a document's admonitions (`:::tip` ... `:::`), containers of notes, not replies.
ADMONITIONS = frozenset(
    "note tip info warning danger caution important details hint attention error success "
    "example quote abstract summary todo question faq bug seealso aside callout "
    # a document's numbered environments and layout (Pandoc / Quarto): not speakers either
    "theorem lemma corollary proposition definition proof remark exercise problem solution "
    "answer notes column columns".split()
)


def _names_the_model(name: str, header: str) -> bool:
    """A container's name that can be the model's: a role word or a model (`assistant`,
    `gpt-4o`), or a capitalized name the file's header gives (Lectic's front matter `name:
    Katabang`; a scene's `:::Alice` has none); never an admonition's kind or a document's part
    (`Note`, `tip`, `Theorem`), nor a lowercase word of its layout (`code-group`)."""
    words = label_words(name.casefold())
    if not words or name.casefold().split()[0] in ADMONITIONS:
        return False
    if role_hint(words) is not None or names_a_model(words):
        return True
    return name[:1].isupper() and name.casefold() in header


def _prompt_of_a_document(
    lines: Sequence[str], text: Sequence[bool], skip: set[int], start: int, stop: int
) -> bool:
    """Text over a container that is a document's, not a user's prompt: a heading or a rule
    line (its sections, a ruled chat's messages), or a last line ending in a colon that
    introduces the container (`The theorem reads:`, the reply's own words)."""
    body = [lines[j] for j in range(start, stop) if text[j] and j not in skip and lines[j].strip()]
    if any(HEADING.match(line) or is_separator(line) for line in body):
        return True
    return bool(body) and body[-1].rstrip().endswith(":")


def contained_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat file whose every reply is a fenced container named for the model (`:::Katabang`
    / the reply / `:::`: a client that appends the model's reply to the file the user writes
    in), the same name each time (a role word, a model, or a name the file's front matter
    gives), and the user's prompts the text between: the text over the first container is the
    first prompt, a last prompt with no container under it is no exchange. Not where the name
    is an admonition's or a document's part (`:::tip`, `::: Theorem`) or names no speaker, nor
    where a prompt holds a heading or a rule or ends in a colon over the container (a document's
    text), and the prompts the shorter."""
    containers: list[tuple[int, int]] = []  # (opening line, closing line), the outermost
    name = ""
    depth = 0
    for i in content:
        if i in skip or not text[i]:
            continue
        line = lines[i].strip()
        opened = CONTAINER_OPEN.match(line)
        if opened:
            if depth == 0:
                label = opened.group(2).strip()
                if name and label != name:
                    return None
                name = label
                containers.append((i, -1))
            depth += 1
        elif CONTAINER_CLOSE.match(line):
            if depth == 0:
                return None
            depth -= 1
            if depth == 0:
                containers[-1] = (containers[-1][0], i)
    if not containers or depth:
        return None
    header = " ".join(lines[j] for j in skip if j < containers[0][0]).casefold()
    if not _names_the_model(name, header):
        return None
    first = next(j for j in content if j not in skip)
    count = len(lines)
    blocks: list[Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    since = first
    for opening, closing in containers:
        if not has_content(lines, since, opening) or not has_content(lines, opening + 1, closing):
            return None
        if _prompt_of_a_document(lines, text, skip, since, opening):
            return None
        blocks.append(Block(None, since, opening, "", USER))
        blocks.append(Block(opening, opening + 1, closing + 1, name, ASSISTANT))
        prompts.append(text_size(lines, since, opening))
        replies.append(text_size(lines, opening + 1, closing))
        since = closing + 1
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    if has_content(lines, since, count):
        blocks.append(Block(None, since, count, "a prompt with no reply", OTHER))
    shape = ":::<the model> ... ::: around each reply; the user's unmarked"
    return blocks, shape, {name: ASSISTANT}


def _user_heads(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    skip: set[int],
    openers: list[int],
) -> list[int]:
    """The lines of the user's name alone over every prompt where the model's name stands alone
    over every reply (`openers`): the same short line (a few words, no sentence's end; a name
    with no role word, `Gioanin`) once between each reply's name and the one before, with the
    prompt right under it; none if there is no such line."""
    forms: dict[str, list[int]] = {}
    for i in content:
        line = lines[i].strip()
        if (
            text[i]
            and i not in skip
            and i < openers[-1]
            and len(line) <= 40
            and len(line.split()) <= 3
            and not line.endswith(PROSE_END)
            and i + 1 < len(lines)
            and lines[i + 1].strip()
        ):
            forms.setdefault(line, []).append(i)
    label = lines[openers[0]].strip()
    for line, found in forms.items():
        if (
            line != label
            and len(found) == len(openers)
            and role_hint(label_words(line.casefold())) != ASSISTANT
        ):
            bounds = [-1, *openers]
            if (
                all(bounds[n] < head < bounds[n + 1] for n, head in enumerate(found))
                and all(not lines[head - 1].strip() for head in found[1:])  # (set apart)
                and all(head + 1 < opener for head, opener in zip(found, openers, strict=True))
            ):
                return found
    return []


def _pasted_log_over(lines: Sequence[str], start: int, floor: int) -> int:
    """Where a prompt that is the paragraph from `start` begins: at the paragraph over it, one
    blank line above, when that one opens like a program's output (`Traceback ...`,
    `src/a.c:3:1: error: ...`) under a line that introduces nothing (a reply's `Output:` shows
    its own), and the reply over it keeps a line."""
    above = start - 2
    if above <= floor or lines[start - 1].strip() or not lines[above].strip():
        return start
    top = above
    while top > floor and lines[top - 1].strip():
        top -= 1
    opening = lines[top]
    if (
        top > floor
        and (OUTPUT.match(opening) or OUTPUT_RECORD.match(opening))
        and not prose_line(opening)
        and not lines[_previous_content(lines, top)].rstrip().endswith(":")
    ):
        return top
    return start


def _previous_content(lines: Sequence[str], k: int) -> int:
    """The last line with content before line `k` (0 if none)."""
    k -= 1
    while k > 0 and not lines[k].strip():
        k -= 1
    return max(k, 0)


def _below_page_lines(lines: Sequence[str], start: int, end: int) -> int:
    """Where the first prompt begins in its paragraph [start, end): under the page's short
    lines over it (`Readme`, `Toggle theme`: a few words, no sentence) when a pasted log or
    code follows them, else at `start`."""
    k = start
    while k < end and len(lines[k].split()) <= 3 and not lines[k].strip().endswith(PROSE_END):
        if _pasted_line(lines[k]):
            break
        k += 1
    return k if start < k < end and _pasted_line(lines[k]) else start


def _placeholder_over(lines: Sequence[str], start: int, stop: int) -> int:
    """Where the page's lines start under the last reply (from `start`): its composer and
    footer after a gap of blank lines (`_composer_over`), and over them the composer's
    placeholder, a few words ending in an ellipsis alone after a blank line."""
    tail = _composer_over(lines, start, stop)
    last = _previous_content(lines, tail)
    placeholder = lines[last].strip()
    if (
        last > start
        and not lines[last - 1].strip()
        and placeholder.endswith(PLACEHOLDER_END)
        and len(placeholder.split()) <= 6
    ):
        return last
    return tail


def gapped_messages(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and nothing recurs but the gaps
    of blank lines a copy leaves between messages, one size under every prompt and a larger one
    under every reply (Ask Brave's copy: two blank lines, then four), two exchanges or more: the
    messages take turns between the gaps. Over the first prompt, the page's short lines up to
    its last button (`Share`) are its header; after the last reply, its composer's lines."""
    if _has_markdown(lines, text, content):
        return None
    first = next((j for j in content if j not in skip), None)
    if first is None:
        return None
    gaps = blank_runs(lines, first, len(lines))
    starts = [first, *(after for _, after in gaps)]
    ends = [blank for blank, _ in gaps] + [len(lines)]
    chunks = [(a, b) for a, b in zip(starts, ends, strict=True) if has_content(lines, a, b)]
    if len(chunks) < 4 or len(chunks) != len(starts):
        return None
    sizes = [after - blank for blank, after in gaps]
    under_prompts, under_replies = sizes[0::2], sizes[1::2]
    if len(chunks) % 2:  # the gap before the page's own last lines may be larger still
        under_replies = under_replies[:-1]
    if (
        len(set(under_prompts)) != 1
        or len(set(under_replies)) != 1
        or under_replies[0] <= under_prompts[0]
    ):
        return None
    header = 0
    run = chunks[0][0]
    while run < chunks[0][1] and 0 < len(lines[run].split()) <= 5 and not prose_line(lines[run]):
        if lines[run].strip().casefold() in PAGE_BUTTONS:
            header = run + 1 - chunks[0][0]
        run += 1
    if not header or len(chunks) % 2 == 0:
        return None  # a page shows its buttons over the chat and its composer under it (notes
        # laid out with gaps of two sizes have neither)
    blocks: list[Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    pairs = len(chunks) // 2
    for n in range(pairs):
        (p_start, p_end), (r_start, r_end) = chunks[2 * n], chunks[2 * n + 1]
        if n == 0:
            p_start += header
        if not has_content(lines, p_start, p_end):
            return None
        blocks.append(Block(None, p_start, p_end, "", USER))
        blocks.append(Block(None, r_start, r_end, "", ASSISTANT))
        prompts.append(text_size(lines, p_start, p_end))
        replies.append(text_size(lines, r_start, r_end))
    if len(chunks) % 2:
        page_start, _ = chunks[-1]
        if any(
            len(lines[j].split()) > 6 or lines[j].rstrip().endswith(("?", "？"))
            for j in range(page_start, len(lines))
        ):
            return None  # a prompt the model never answered, not the page's composer
        blocks.append(Block(None, page_start, len(lines), "page", OTHER))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    return (
        blocks,
        "gaps of blank lines between messages, one size under prompts; no speaker named",
        {},
    )


#: What a model's reasoning says the user did, right after naming them (`the user pasted`,
#: `The user wants`, `用户问`): the request restated.
RESTATED = re.compile(
    r"\b(?:user|用户|ユーザー|사용자)\W{0,3}(?:is |has |just )?"
    r"(?:ask|want|need|paste|request|wrote|write|mention|say|share|provide|sent|seem|问|想|要)",
    re.I,
)


def reasoned_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole where only the messages' text was selectable, nothing naming a
    speaker, and every reply (two or more) opens with the model's reasoning as paragraphs of
    its own that restate the request (`Okay, the user pasted ...`, `The user wants ...`): the
    paragraph over each such opening is the prompt (the first with a pasted log over it), the
    reasoning runs on over the paragraphs in the opening's script when the prompts are written
    in another (a model that reasons in English whatever the chat's language), and the reply
    from there to the next prompt. What stands over the first prompt (an app's greeting) is
    the page's. Never in a file with Markdown headings or fences, and the prompts the
    shorter."""
    if _has_markdown(lines, text, content):
        return None
    paragraphs: list[tuple[int, int]] = []
    k = 0
    while k < len(lines):
        if lines[k].strip() and k not in skip:
            start = k
            while k < len(lines) and lines[k].strip():
                k += 1
            paragraphs.append((start, k))
        else:
            k += 1
    openers = [
        n
        for n, (start, end) in enumerate(paragraphs)
        if n > 0
        and text[start]
        and names_the_user(lines[start])
        and RESTATED.search(lines[start][:80])
        and not any(code_line(lines[j]) for j in range(start, end))
    ]
    if len(openers) < 2 or any(b - a < 3 for a, b in zip(openers, openers[1:], strict=False)):
        return None  # (an opening, its reply, the next prompt: three paragraphs at least)
    blocks: list[Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    for n, opener in enumerate(openers):
        asking = opener - 1
        first = asking
        above = paragraphs[asking - 1] if asking > 0 else None
        if (
            above is not None
            and (n == 0 or not lines[above[0] - 1].rstrip().endswith(":"))
            and (OUTPUT.match(lines[above[0]]) or OUTPUT_RECORD.match(lines[above[0]]))
        ):
            first = asking - 1  # the log pasted over the asking line
        if n == 0 and first > 0:
            blocks.append(Block(None, paragraphs[0][0], paragraphs[first][0], "page", OTHER))
        elif n > 0:
            reply_start = blocks[-1].start
            if paragraphs[first][0] <= reply_start:
                return None
            blocks[-1] = replace(blocks[-1], end=paragraphs[first][0])
            replies.append(text_size(lines, reply_start, paragraphs[first][0]))
        prompt = (paragraphs[first][0], paragraphs[asking][1])
        script = _script(" ".join(lines[j] for j in range(*paragraphs[asking])))
        thinking = _script(lines[paragraphs[opener][0]])
        last = opener
        while (
            last + 1 < len(paragraphs)
            and thinking != script
            and (n + 1 == len(openers) or last + 1 < openers[n + 1] - 1)
            and _script(" ".join(lines[j] for j in range(*paragraphs[last + 1]))) == thinking
            and not any(code_line(lines[j]) for j in range(*paragraphs[last + 1]))
        ):
            last += 1
        if last + 1 >= len(paragraphs):
            return None  # reasoning and no reply
        blocks.append(Block(None, prompt[0], prompt[1], "", USER))
        prompts.append(text_size(lines, *prompt))
        blocks.append(Block(None, paragraphs[opener][0], paragraphs[last][1], REASONING, OTHER))
        blocks.append(Block(None, paragraphs[last + 1][0], len(lines), "", ASSISTANT))
    tail = _composer_over(lines, blocks[-1].start, len(lines))
    replies.append(text_size(lines, blocks[-1].start, tail))
    blocks[-1] = replace(blocks[-1], end=tail)
    if tail < len(lines):
        blocks.append(Block(None, tail, len(lines), "page", OTHER))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    return (
        blocks,
        "the model's reasoning restating the request opens every reply; no speaker named",
        {},
    )


def _script(text: str) -> str:
    """The writing system a text is written in (`LATIN`, `LAO`, `CJK`): the most frequent
    other than Latin's when it holds a quarter of the letters or more (a sentence in Lao keeps
    its code's names in Latin letters), else the most frequent."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            counts[unicodedata.name(ch, "?").split(" ")[0]] += 1
    other = next((name for name, _ in counts.most_common() if name != "LATIN"), None)
    if other is not None and 4 * counts[other] >= sum(counts.values()):
        return other
    return counts.most_common(1)[0][0] if counts else ""


def _page_tail(lines: Sequence[str], start: int, stop: int) -> int:
    """Where the page's own lines begin after the last reply: at the first button alone on a
    line (`Share`) after which every line is short or asks (more buttons, the suggested next
    questions, the composer); `stop` if there is none."""
    for j in range(start, stop):
        if lines[j].strip().casefold() in PAGE_BUTTONS and all(
            len(lines[k].split()) <= 8 or lines[k].rstrip().endswith(("?", "？"))
            for k in range(j + 1, stop)
        ):
            while j > start and not lines[j - 1].strip():
                j -= 1
            return j
    return stop


def _reply_heads(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[tuple[str, ...], list[int]] | None:
    """The run of two or more short lines (numbers aside; one blank line between two of them
    at most), one blank line under a paragraph, that recurs most often, the longest of those;
    with where each copy of it starts."""
    count = len(lines)

    def short(k: int) -> bool:
        return text[k] and k not in skip and 0 < len(lines[k].split()) <= 5 and len(lines[k]) <= 40

    runs: dict[tuple[str, ...], list[int]] = {}
    for i in content:
        if i < 2 or lines[i - 1].strip() or not lines[i - 2].strip() or not short(i):
            continue
        form: tuple[str, ...] = ()
        k = i
        while k < count and len(form) < MAX_TOOLBAR:
            if not lines[k].strip():
                if k + 1 < count and lines[k + 1].strip():
                    k += 1
                    continue
                break
            if not short(k):
                break
            form = (*form, NUMBER.sub("0", lines[k].strip()))
            if len(form) >= 2:
                runs.setdefault(form, []).append(i)
            k += 1
    if not runs:
        return None
    return max(runs.items(), key=lambda item: (len(item[1]), len(item[0])))


def _head_end(lines: Sequence[str], head: int, size: int) -> int:
    """The line after a reply's header of `size` lines starting at `head` (blank lines inside
    it counted, the blank lines under it not)."""
    k, seen = head, 0
    while seen < size:
        if lines[k].strip():
            seen += 1
        k += 1
    return k


def footed_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and what recurs is the toolbar
    under each reply: the same run of two to six short lines (a few words each, numbers aside;
    HuggingChat's `default` / `with` / `<model>` / `via` / `<provider>`) after a blank line,
    two or more, each with the next prompt right under it or the page's lines after the last.
    Between two toolbars the prompt is the first paragraph (with the paragraph asking under a
    pasted log: `_asking_paragraph`), the reply the rest; over the first prompt, the lines
    before the last gap of two blank lines or more with only short lines above it are the
    page's (its sidebar). Never in a
    file with Markdown headings or fences: a notes file whose answers all end alike."""
    if _has_markdown(lines, text, content):
        return None
    count = len(lines)
    found = _toolbar_runs(lines, text, content, skip, after_blank=True)
    if found is None:
        return None
    form, starts = found
    size = len(form)
    if len(starts) < 2 or any(b - a <= size for a, b in zip(starts, starts[1:], strict=False)):
        return None
    blocks: list[Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    start = content[0]
    header = [
        gap
        for gap in blank_runs(lines, start, starts[0])
        if all(len(lines[j].split()) <= 6 for j in range(start, gap[0]))
    ]
    if header and has_content(lines, header[-1][1], starts[0]):
        blocks.append(Block(None, start, header[-1][0], "page", OTHER))  # the sidebar
        start = header[-1][1]
    asked = False
    for n, toolbar in enumerate(starts):
        first = next_content(lines, start, toolbar)
        prompt_end = _asking_paragraph(lines, first, toolbar)
        reply = next_content(lines, prompt_end, toolbar)
        if prompt_end >= toolbar or reply >= toolbar:
            return None
        asked = asked or any("?" in lines[k] or "？" in lines[k] for k in range(first, prompt_end))
        blocks.append(Block(None, first, prompt_end, "", USER))
        blocks.append(Block(None, prompt_end, toolbar, "", ASSISTANT))
        prompts.append(text_size(lines, first, prompt_end))
        replies.append(text_size(lines, prompt_end, toolbar))
        stop = starts[n + 1] if n + 1 < len(starts) else count
        blocks.append(Block(None, toolbar, toolbar + size, "toolbar", OTHER))
        start = toolbar + size
        if n + 1 < len(starts) and (start >= stop or not lines[start].strip()):
            return None  # the next prompt stands right under the toolbar
    if any(len(lines[j].split()) > 6 for j in range(start, count)):
        return None  # a message after the last toolbar: not the page's own lines
    if start < count:
        blocks.append(Block(None, start, count, "page", OTHER))
    if not asked or statistics.median(prompts) >= statistics.median(replies):
        return None
    return blocks, "the same toolbar under each reply, the next prompt under it", {}


def _has_markdown(lines: Sequence[str], text: Sequence[bool], content: list[int]) -> bool:
    """A code fence or a `## ` heading (or Org's blocks and keywords): a file written in Markdown
    or Org, not the text a browser copies from a rendered page (which has neither; a `# comment`
    of copied code stays, and so does copied code's indent, which Markdown reads as a code
    block)."""
    return any(
        HEADING.match(lines[i])
        and lines[i].startswith("#" * 2)
        or (not text[i] and not lines[i].startswith(("    ", "\t")) and not page_control(lines, i))
        or ORG_BLOCK.match(lines[i])  # (an Org file's `#+begin_src`, `#+title:`)
        or ORG_KEYWORD.match(lines[i])
        or BARE_FENCE.match(lines[i])
        or INFO_FENCE.match(lines[i])
        for i in content
    )


def _toolbar_runs(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    skip: set[int],
    after_blank: bool = False,
    alone: frozenset[str] = frozenset(),
) -> tuple[tuple[str, ...], list[int]] | None:
    """The run of two to six short lines (a few words each, numbers aside) that recurs most
    often, the longest of those; with where each copy of it starts (`after_blank`: only runs
    after a blank line; `alone`: buttons that make a run of one line by themselves)."""
    count = len(lines)
    short = [
        text[k]
        and k not in skip
        and 0 < len(lines[k].split()) <= 3
        and len(lines[k]) <= 40
        and lines[k].lstrip()[:1] not in '{}[]",'  # a button, not a JSON file's `],`
        for k in range(count)
    ]
    runs: dict[tuple[str, ...], list[int]] = {}
    for i in content:
        if not short[i] or (i > 0 and (lines[i - 1].strip() if after_blank else short[i - 1])):
            continue
        form: tuple[str, ...] = ()
        for k in range(i, min(i + MAX_TOOLBAR, count)):
            if not short[k]:
                break
            form = (*form, NUMBER.sub("0", lines[k].strip()))
            if len(form) >= 2 or form[0].casefold() in alone:
                runs.setdefault(form, []).append(i)
    if not runs:
        return None
    return max(runs.items(), key=lambda item: (len(item[1]), len(item[0])))


def prompt_toolbars(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and what recurs is the toolbar
    under each prompt: the same run of two to six short lines right under the prompt's last
    line (kimi.com's `Edit` / `Copy` / `Share`), three or more, the reply right under it. A
    copy that keeps no blank line between messages still shows where a prompt ends; where it
    starts, the prompt is the line right over its toolbar, with the paragraph over that when
    one blank line sets off a pasted log (the asking line under it). The reply runs to the
    next prompt; before the first prompt is the page (its sidebar), after the last reply's
    last gap of two blank lines or more, its composer's short lines. Never in a file with
    Markdown headings or fences, and the prompts the shorter."""
    if _has_markdown(lines, text, content):
        return None
    found = _toolbar_runs(lines, text, content, skip, alone=PROMPT_BUTTONS)
    if found is None:
        return None
    form, starts = found
    size = len(form)
    if len(starts) < 3 or any(b - a <= size + 1 for a, b in zip(starts, starts[1:], strict=False)):
        return None
    if sum(NUMBER.sub("0", lines[i].strip()) == form[0] for i in content) != len(starts):
        return None  # `Tags` over `python`, then over `javascript`: a note's tags, no toolbar
    over = [_prompt_over(lines, toolbar) for toolbar in starts]
    prompts = [start for start in over if start is not None]
    if len(prompts) < len(over) or prompts[0] <= content[0]:
        return None
    if any(REPL_PROMPT.match(lines[t - 1]) or lines[t - 1].startswith(REPL_LEADS) for t in starts):
        return None  # `>>> etl.run()` over the lines it prints each time: a REPL session
    blocks: list[Block] = []
    sizes: list[int] = []
    replies: list[int] = []
    count = len(lines)
    for n, (toolbar, start) in enumerate(zip(starts, prompts, strict=True)):
        blocks.append(Block(None, start, toolbar, "", USER))
        blocks.append(Block(None, toolbar, toolbar + size, "toolbar", OTHER))
        stop = prompts[n + 1] if n + 1 < len(starts) else count
        if n + 1 == len(starts):
            stop = _composer_over(lines, toolbar + size, count)
        if not has_content(lines, toolbar + size, stop):
            return None
        blocks.append(Block(None, toolbar + size, stop, "", ASSISTANT))
        if stop < count and n + 1 == len(starts):
            blocks.append(Block(None, stop, count, "page", OTHER))
        sizes.append(text_size(lines, start, toolbar))
        replies.append(text_size(lines, toolbar + size, stop))
    if statistics.median(sizes) >= statistics.median(replies):
        return None
    return blocks, "the same toolbar under each prompt, the reply under it", {}


REPL_LEADS = ("$ ", ">>> ", "... ")


def _composer_over(lines: Sequence[str], start: int, stop: int) -> int:
    """Where the page's own lines start under a page copy's last reply (from `start`): at the
    earliest gap of two blank lines or more after which every line is short (its composer,
    its buttons) or the page's footer (`... can make mistakes`) and none is code; `stop` if
    there is none."""
    tail = stop
    for blank, after in reversed([gap for gap in blank_runs(lines, start, stop) if gap[1] < stop]):
        if not all(
            (len(lines[j].split()) <= 6 or INTERFACE_LINE.search(lines[j]))
            and not code_line(lines[j])
            for j in range(after, tail)
            if lines[j].strip()
        ):
            break
        tail = blank
    return tail


#: A prompt's button that is a toolbar by itself, alone on a line under every prompt (Lumo's
#: `Edit`).
PROMPT_BUTTONS = frozenset({"edit", "edit message"})


def _prompt_over(lines: Sequence[str], toolbar: int) -> int | None:
    """Where the prompt over a toolbar starts: the line right over it, and the paragraph over
    that line when one blank line sets it off and it reads as a pasted log or code: from the
    line that opens a log (`Traceback ...`, `src/Main.hs:14:30: error: ...`; no sentence) when
    only the page's short lines, none code nor a code block's label or button, are over it in
    the paragraph, else from the log's or code's lines."""
    last = toolbar - 1
    if last < 0 or not lines[last].strip():
        return None
    if last < 2 or lines[last - 1].strip() or not lines[last - 2].strip():
        return last
    top = last - 2
    paragraph = top
    while paragraph > 0 and lines[paragraph - 1].strip():
        paragraph -= 1
    for k in range(paragraph, top + 1):
        if (OUTPUT.match(lines[k]) or OUTPUT_RECORD.match(lines[k])) and not prose_line(lines[k]):
            return k
        line = lines[k].strip().casefold()
        if len(line.split()) > 4 or _pasted_line(lines[k]) or line in CODE_LANGUAGES | COPY_LINES:
            break  # not the page's short lines (a code block's label and button: a reply's)
    while top > 0 and lines[top - 1].strip() and _pasted_line(lines[top - 1]):
        top -= 1
    return top if _pasted([lines[k] for k in range(top, last - 1)]) else last


PASTED_START = re.compile(
    r"^(?:[ \t]++\S|Traceback|\$ |>>> |[\w.]*(?:Error|Exception|Warning)\b"
    r"|(?i:error|warning|fatal)\b)"
)


def _pasted(paragraph: Sequence[str]) -> bool:
    """A paragraph of a pasted log or code: two lines or more, one indented or all reading as
    code."""
    return len(paragraph) >= 2 and (
        any(line[:1].isspace() for line in paragraph) or bare_code(paragraph)
    )


def _pasted_line(line: str) -> bool:
    """A line of a pasted log or code: indented, a traceback's or a shell's, an error's, or a
    line of code."""
    return bool(PASTED_START.match(line)) or code_line(line)


def _asking_paragraph(lines: Sequence[str], first: int, stop: int) -> int:
    """The end of a prompt that starts at `first` with no marker: its first paragraph, and the
    paragraph after it when the first is a pasted log or code (two lines or more, one indented
    or reading as code) that asks nothing and the second is short and asks."""
    end = first
    while end < stop and lines[end].strip():
        end += 1
    paragraph = [lines[k] for k in range(first, end)]
    if not _pasted(paragraph) or any("?" in line for line in paragraph) or end + 1 >= stop:
        return end
    if lines[end + 1].strip() == "":
        return end
    after = end + 1
    while after < stop and lines[after].strip():
        after += 1
    asking = after - (end + 1) <= 3 and any("?" in lines[k] for k in range(end + 1, after))
    return after if asking and next_content(lines, after, stop) < stop else end
