"""Code blocks a page copy flattened: a select-all copy turns a fence into a language line, a
`Copy code` button's line and the code's lines. They are rebuilt as fenced code; a page's own
buttons (`page_control`) are on no card.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from chatdeck.pasted_code import _prose as words_line  # (a line of words, as a paste's)
from chatdeck.pasted_code import bare_code, code_line
from chatdeck.turn_markers import (
    ASSISTANT,
    BARE_FENCE,
    CODE_CHARS,
    CODE_LANGUAGES,
    CODE_WORDS,
    COPY_LINES,
    EXPANDER,
    INTERFACE,
    LANGUAGE_LINE,
    LIST_OR_TABLE,
    MAX_CONTROL,
    PROSE_END,
    TABLE_BUTTONS,
    Block,
    next_content,
    paragraph_at,
    reasoning_toggle,
)

LOST_CODE = "code the copy did not keep: a block's language and line numbers"


def leave_out_lost_code(
    lines: Sequence[str], text: Sequence[bool], block: Block, left_out: dict[int, str]
) -> None:
    """A language's name alone in a reply with right under it only the line numbers counted
    from 1 (`bash` over `123`): a page whose code editor would not let the copy select the
    code; the copy kept the block's label and its gutter, never the code. Both are the page's,
    on no card (the dry-run lists them: the reply on the card lacks that code)."""
    for k in range(block.start, block.end - 1):
        name = lines[k].strip()
        if name.casefold() not in CODE_LANGUAGES or k in left_out or not text[k] or not text[k + 1]:
            continue  # (in a fenced block, `bash` over `1` is a program's output)
        gutter = lines[k + 1].strip()
        if gutter.isdigit() and gutter == _counted(gutter) and not _gutter(lines, k + 1, block.end):
            left_out[k] = left_out[k + 1] = LOST_CODE  # (numbers over the code: `_gutter`)


def label_over_fence(
    lines: Sequence[str],
    text: Sequence[bool],
    block: Block,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> None:
    """A language's name alone in its paragraph right over a fence that opens with no language
    (`Bash` over a bare ```` ``` ````): the page's label for the block, copied apart from it;
    it becomes the fence's language."""
    first = next_content(lines, block.start, block.end)
    for k in range(first + 1, block.end - 1):  # (a reply that opens `Python` answers with it)
        if not text[k] or text[k + 1] or k in left_out or lines[k - 1].strip():
            continue
        if lines[k].strip().casefold() in CODE_LANGUAGES and BARE_FENCE.match(lines[k + 1]):
            left_out[k] = INTERFACE
            rewrites[k + 1] = lines[k + 1].rstrip() + lines[k].strip().casefold()


def _counted(gutter: str) -> str:
    """The numbers 1, 2, 3, ... written one after another, as long as `gutter`."""
    numbers = ""
    n = 0
    while len(numbers) < len(gutter):
        n += 1
        numbers += str(n)
    return numbers


def rebuild_copied_code(
    lines: Sequence[str],
    text: Sequence[bool],
    block: Block,
    buttons: Counter[str],
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> list[tuple[int, int]]:
    """A page copy turns a code block into a language line, `Copy code` (or `Copy`, `Edit`)
    lines and the bare code: rebuild it as fenced code, up to the first line of prose. Where
    the copy lost the button's label too, a language's name alone over a blank line and a line
    of code is such a block's label; its code goes on past a blank line only into more code.
    The lines each rebuilt block spans, its fences' lines included, as [start, end)."""
    k = block.start
    numbered: list[int] = []
    fenced: list[tuple[int, int]] = []
    while k < block.end:
        line = lines[k].strip()
        if len(line) > 20 or not line or not text[k]:  # (a copy quoted in a fence stays as is)
            k += 1
            continue
        gutter = _gutter(lines, k + 1, block.end) if LANGUAGE_LINE.match(line) else None
        if gutter is not None:
            fenced.append((k, gutter[0] + gutter[1]))
            k = _rebuild_numbered(lines, k, gutter, block, left_out, rewrites)
            numbered.append(k)
            continue
        after = k + 1
        copies = []
        while after < block.end and lines[after].strip().casefold() in COPY_LINES:
            copies.append(after)
            after += 1
        spaced = _spaced_button(lines, k, block) if not copies and LANGUAGE_LINE.match(line) else 0
        if spaced:  # `julia`, a blank line, `Copy block`, blank lines, the code
            copies, after = [spaced], next_content(lines, spaced + 1, block.end)
        copied = bool(copies) and "copy" in lines[copies[0]].casefold()
        labelled = not copies and _code_label(lines, k, block)
        unnamed = _unnamed_block(lines, k, block, buttons)  # `Copy` over code, language lost
        if unnamed:
            copies, after, line = [k], k + 1, ""
        elif not (LANGUAGE_LINE.match(line) and (copied or labelled)):
            k += 1
            continue
        code_end = after
        yaml = line in YAML_LABELS
        opening = lines[next_content(lines, after, block.end)] if after < block.end else ""
        pairs = yaml and bool(YAML_PAIR.match(opening)) and not YAML_LINE.match(opening)
        while code_end < block.end:
            current = lines[code_end]
            closing = _heredoc_end(lines, code_end, block.end)
            if closing is not None:  # the here-document's text is the block's
                code_end = closing + 1
                continue
            if current.strip() and (
                prose_line(current)
                or (yaml and not (YAML_LINE.match(current) or (pairs and YAML_PAIR.match(current))))
            ):
                break  # (YAML's lines say where its block ends: a file's name under it is not)
            if not current.strip():
                nxt = next_content(lines, code_end, block.end)
                if nxt >= block.end or prose_line(lines[nxt]):
                    break
                more = _code_part(paragraph_at(lines, nxt, block.end))
                if labelled and not (more and _labelled_code(more, line)):
                    break  # code goes on past a blank line only into more code
            code_end += 1
        last = code_end - 1
        if last < after:
            k = after
            continue
        if unnamed:  # the fence opens on the blank line over the button
            rewrites[k - 1] = "```"
        elif spaced:  # ... on the blank line right over the code
            rewrites[k] = ""
            rewrites[after - 1] = "```" + line.casefold()
        elif labelled and not lines[k + 1].strip():  # ... on the blank line over the code
            code_start = next_content(lines, k + 1, block.end)
            for blank in range(k, code_start - 1):
                rewrites[blank] = ""
            rewrites[code_start - 1] = "```" + line.casefold()
        else:
            rewrites[k] = "```" + line.casefold()
        for c in copies:
            left_out[c] = INTERFACE
        rewrites[last] = lines[last] + "\n```"
        fenced.append((k - 1 if unnamed else k, code_end))
        k = code_end
    _leave_out_code_toolbars(lines, numbered, block.end, left_out)
    return fenced


#: A code editor's fold marker, alone on its line in the gutter a copy keeps (`⌄`).
FOLD_MARKS = frozenset("⌄▾▸▼▶›")


def _gutter(lines: Sequence[str], start: int, stop: int) -> tuple[int, int] | None:
    """A code editor's gutter, copied as lines of its own under a block's label: the line
    numbers 1, 2, ... n, one a line, then its fold markers (`⌄`), then the n lines of code they
    number (a line shaped as code among them, none a sentence): where the code starts and n;
    None if there is no such gutter."""
    n, j = 0, start
    while j < stop and lines[j].strip() == str(n + 1):
        n, j = n + 1, j + 1
    while n and j < stop and lines[j].strip() and set(lines[j].strip()) <= FOLD_MARKS:
        j += 1
    numbered = lines[j : j + n]
    if not n or j + n > stop or not any(map(code_line, numbered)) or any(map(prose_line, numbered)):
        return None  # (a reply's sentence among them: the numbers count something else)
    return j, n


def _rebuild_numbered(
    lines: Sequence[str],
    k: int,
    gutter: tuple[int, int],
    block: Block,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> int:
    """Fence the code a gutter numbers (`_gutter`) under its label on line k, the gutter and the
    copy buttons right under the code on no card; where the next line to read is."""
    start, count = gutter
    last = start + count - 1
    for j in range(k + 1, start):
        left_out[j] = INTERFACE
    rewrites[k] = "```" + lines[k].strip().casefold()
    rewrites[last] = lines[last] + "\n```"
    after = last + 1
    while after < block.end and lines[after].strip().casefold() in COPY_LINES:
        left_out[after] = INTERFACE
        after += 1
    return after


def _leave_out_code_toolbars(
    lines: Sequence[str], ends: list[int], stop: int, left_out: dict[int, str]
) -> None:
    """The page's buttons under every numbered code block (`Add to Notebook`): a short line
    (a few words, no sentence) that stands in the lines right under two blocks or more."""
    runs = []
    for end in ends:
        run = []
        while end < stop and (line := lines[end].strip()) and end not in left_out:
            if len(line.split()) > 3 or line.endswith(PROSE_END):
                break
            run.append(end)
            end += 1
        runs.append(run)
    seen = Counter(lines[j].strip() for run in runs for j in set(run))
    for run in runs:
        for j in run:
            if seen[lines[j].strip()] >= 2:
                left_out[j] = INTERFACE


def _spaced_button(lines: Sequence[str], k: int, block: Block) -> int:
    """The copy button under a code block's label (line k) with blank lines around it (one
    over it, one or two under it) and code right under those; 0 if there is none."""
    button = k + 2
    if button + 1 >= block.end or lines[k + 1].strip():
        return 0
    if "copy" not in lines[button].strip().casefold() or lines[button].strip().casefold() not in (
        COPY_LINES
    ):
        return 0
    code = next_content(lines, button + 1, block.end)
    if code >= block.end or code - button > 3 or code == button + 1:
        return 0
    paragraph = _code_part(paragraph_at(lines, code, block.end))
    return button if paragraph and bare_code(paragraph, labelled=True) else 0


#: A code block's copy button alone on its line.
COPY_BUTTONS = frozenset({"copy", "copy code"})


def _unnamed_block(lines: Sequence[str], k: int, block: Block, buttons: Counter[str]) -> bool:
    """Line k is a copy button alone (`Copy`), one blank line under the reply's text, right over
    a paragraph of code (up to the first line of prose, half its lines or more shaped like code):
    a code block whose language the copy lost. `buttons`: how often each such line stands in
    the file (a page's button recurs; `Copy` once over code is a reply's heading)."""
    if lines[k].strip().casefold() not in COPY_BUTTONS or k + 1 >= block.end:
        return False
    if k < 2 or k <= block.start or lines[k - 1].strip() or not lines[k - 2].strip():
        return False  # (after a gap, the page's menu: `Copy` / `Ask Qwen` / `Explain`)
    if buttons[lines[k].strip()] < 2:
        return False
    code = _code_part(paragraph_at(lines, k + 1, block.end))
    return (
        len(code) >= 2
        and bare_code(code, labelled=True)
        and 2 * sum(map(code_line, code)) >= len(code)
    )


def _code_label(lines: Sequence[str], k: int, block: Block) -> bool:
    """Line k is a language's name alone, after a blank line, over a paragraph of code
    (`chatdeck.pasted_code.bare_code`), set off by a blank line or right under it up to the
    first line of prose: a code block's label left by a copy of the page."""
    if lines[k].strip().casefold() not in CODE_LANGUAGES or k + 1 >= block.end:
        return False
    above = lines[k - 1].strip() if k > block.start else ""
    spaced = k + 2 < block.end and not lines[k + 1].strip() and not lines[k + 2].strip()
    titled = (  # under a heading the copy made a plain line (`Usage example`)
        bool(above)
        and len(above.split()) <= 4
        and not above.endswith(PROSE_END)
        and not LIST_OR_TABLE.match(lines[k - 1])
        and lines[k].strip().islower()
        and bool(lines[k + 1].strip())
        and above[:1].isupper()  # (a heading's capital, no list's `milk` over `fish`)
        and _titled_code(paragraph_at(lines, k + 1, block.end))
    )
    if above and not above.endswith(":") and not FILE_NAME.match(above) and not titled:
        if not (spaced and lines[k].strip().islower() and len(above.split()) >= 4):
            return False  # (right under `Add it to the Deployment:` or `roles/web/tasks/main.yml`;
            # a page's own lowercase `dart` over a gap may come right under a list's last item)
    if lines[k + 1].strip():
        code = _code_part(paragraph_at(lines, k + 1, block.end))
        if not lines[k].strip().islower():
            # `Python` over a line: a list of languages, not a fence's label, unless the
            # whole paragraph under it is code (Gemini's label, capitalized)
            whole = len(code) == len(paragraph_at(lines, k + 1, block.end))
            # (one capital letter, `R` over `R = V / I`, is a formula's variable as often)
            single = len(lines[k].strip()) == 1
            return bool(code) and whole and not single and _labelled_code(code, lines[k].strip())
        if code and len(code) == len(paragraph_at(lines, k + 1, block.end)):
            run = _code_run(lines, k + 1, block.end)  # (on past blank lines, up to prose)
            if _labelled_code(run, lines[k].strip()):
                return True  # (else the paragraph alone, as before: a list after a spaced line)
        return bool(code) and _labelled_code(code, lines[k].strip())
    nxt = next_content(lines, k + 1, block.end)
    if nxt >= block.end:
        return False
    paragraph = paragraph_at(lines, nxt, block.end)
    code = _code_part(paragraph)
    label = lines[k].strip()
    if len(code) < len(paragraph) and (not label.islower() or (len(label) == 1 and len(code) < 2)):
        return False  # `Go` / `Ruby` / `C` over a line and a sentence: a heading, an answer
    return bool(code) and _labelled_code(code, label)


def _titled_code(paragraph: Sequence[str]) -> bool:
    """Lines under a label under a plain heading that read as code: one shaped like it (`proc
    swap {a b} {`, `lassign [list $b $a] a b`), none a line of words (`olive oil and garlic`,
    `we run into the night`: a list's or a poem's lines, `Ingredients` / `fish` over them)."""
    lines = _code_part(paragraph)
    shaped = any(code_line(line) or any(ch in CODE_CHARS for ch in line) for line in lines)
    return shaped and not any(words_line(line) for line in lines)


#: A file's name or path alone on a line (`roles/web/tasks/main.yml`, `Cargo.toml`), the way a
#: reply names the file a code block under it holds.
FILE_NAME = re.compile(r"^[\w.-]{0,80}\w\.[A-Za-z]\w{0,9}:?$|^[\w.-]*+/[\w./-]++$")
YAML_LABELS = frozenset({"yaml", "yml"})
#: A line of two words, a colon and a value (`Low stock: rice (4)`): YAML only in a block that
#: opens with one (a page's output labelled `yaml`); after YAML's own keys, the reply's text
#: (`Then apply: kubectl apply -f deploy.yaml`).
YAML_PAIR = re.compile(r"^[\w\"'./-]++ [\w\"'./-]++[ \t]*+:[ \t][^\n]*+(?<![.!?])$")
#: A line of YAML: a mapping's key (`port: 80`, `tasks:`), a list's item, a comment, or a line
#: indented under one of those.
YAML_LINE = re.compile(
    r"^(?:[ \t]++\S|-(?:[ \t]|$)|#|[\w\"'./-]++[ \t]*+:(?:[ \t]|$)"
    r"|---|\.\.\.$|%|\{\{|\{%|<<[ \t]*+:|[&*!?\[{]|\"[^\"]*+\"[ \t]*+:|/\S*+:(?:[ \t]|$))"
)


def _yaml_line(line: str) -> bool:
    return bool(YAML_LINE.match(line) or YAML_PAIR.match(line))


def _labelled_code(paragraph: Sequence[str], label: str) -> bool:
    """A paragraph that reads as code under a language's label (`chatdeck.pasted_code.bare_code`;
    a lowercase label, the way pages write them, may have lines of words under it). Under a
    `yaml` label, YAML's own lines: a mapping (`port: 80`) reads as no code elsewhere, and its
    list (`- name: x`) as Markdown's."""
    if label in YAML_LABELS and _yaml_line(paragraph[0]):  # (`YAML` is a heading)
        leading = next((n for n, line in enumerate(paragraph) if not _yaml_line(line)), None)
        return any(":" in line for line in paragraph[:leading])  # (the block ends there)
    return bare_code(paragraph, labelled=label.islower())


#: The most lines `_code_run` reads of a labelled block's code.
MAX_CODE_RUN = 40


def _code_run(lines: Sequence[str], k: int, stop: int) -> list[str]:
    """The lines with content from line k on, past the blank lines a copy keeps inside code
    (spaces and all: an empty line ends the run), up to the first line of prose: the code a
    label stands over, as much of it as tells what it is."""
    run: list[str] = []
    for j in range(k, min(stop, k + MAX_CODE_RUN)):
        line = lines[j]
        if not line:
            break
        if line.strip():
            if prose_line(line):
                break
            run.append(line)
    return run


def _code_part(paragraph: Sequence[str]) -> Sequence[str]:
    """A paragraph's lines up to its first line of prose (a copy runs a code block's last line
    and the reply's next sentence together, with no blank line between); a here-document's
    text is the command's, not prose."""
    k = 0
    while k < len(paragraph):
        closing = _heredoc_end(paragraph, k, len(paragraph))
        if closing is not None:
            k = closing + 1
            continue
        if prose_line(paragraph[k]):
            break
        k += 1
    return paragraph[:k]


#: A shell line that opens a here-document (`cat <<'EOF'`): its text runs to the word alone.
HEREDOC = re.compile(r"<<-?[ \t]*+(['\"]?)([A-Za-z_]\w*+)\1[ \t]*+$")


#: The most lines a here-document is looked through for its end (so that many `<<EOF` lines
#: left open cost a bounded look each, not one through the rest of the file).
MAX_HEREDOC = 400


def _heredoc_end(lines: Sequence[str], k: int, stop: int) -> int | None:
    """The line closing the here-document line k opens (before `stop`), or None."""
    opened = HEREDOC.search(lines[k])
    if opened is None:
        return None
    word = opened.group(2)
    window = range(k + 1, min(stop, k + 1 + MAX_HEREDOC))
    return next((j for j in window if lines[j].strip() == word), None)


def page_control(lines: Sequence[str], i: int) -> bool:
    """Line i is a chat page's button copied with the chat, alone on its line: a toggle of the
    reasoning (`Show thinking`, the reasoning itself folded away) right on top of the reply's
    first line, or a button right under the table it acts on (`Export to Sheets`: no writer
    puts a line with no `|` right under a table's rows, where Markdown would read it as one
    more row). A request the user typed (`Show reasoning`) stands apart from what follows."""
    line = lines[i]
    if len(line) > MAX_CONTROL or not line.strip():
        return False
    words = line.strip()
    if words.casefold() in TABLE_BUTTONS:
        return i > 0 and lines[i - 1].lstrip().startswith("|")
    if EXPANDER.match(words):  # `Find More` under the code block it folds
        return i > 0 and code_line(lines[i - 1])
    return (
        reasoning_toggle(words)
        and i + 1 < len(lines)
        and bool(lines[i + 1].strip())  # the button sits right on the reply it folds
    )


SENTENCE_END_WORD = re.compile(r"^[^\W\d_]++[.!?]$")


def prose_line(line: str) -> bool:
    """A line of a reply's text, not of code: words ending in a sentence's punctuation."""
    text = line.strip()
    words = text.split()
    if line[:1].isspace() or len(words) < 2 or not text.endswith(PROSE_END):
        return False
    if words[0].casefold() in CODE_WORDS or not words[0][0].isalpha():
        return False
    if words[0].isupper() and (
        sum(any(ch.isalpha() for ch in word) for word in words) < 2
        or (
            len(words[0]) >= 3
            and words[0].isalpha()
            and len(words) < 6
            and not SENTENCE_END_WORD.match(words[-1])  # `JSON would be easier.`
        )
    ):
        return False  # `COPY . .`, `COPY requirements.txt .`: an instruction and its arguments
    return len(words) >= 6 or not any(ch in CODE_CHARS for ch in text)


@dataclass(frozen=True, slots=True)
class PageCode:
    """The code blocks a page copy flattened, rebuilt in a file where no turn was found (an
    unlabelled page copy): where each block's lines are, the lines on no card, and the lines a
    card shows differently (the fences)."""

    #: Each rebuilt block's first line -> one past its last line.
    blocks: dict[int, int]
    left_out: dict[int, str]
    rewrites: dict[int, str]


def page_code(lines: Sequence[str], text: Sequence[bool]) -> PageCode | None:
    """The whole file read as one reply for `rebuild_copied_code`; None if it rebuilt nothing."""
    whole = Block(None, 0, len(lines), "", ASSISTANT)
    buttons = Counter(b for line in lines if (b := line.strip()).casefold() in COPY_BUTTONS)
    left_out: dict[int, str] = {}
    rewrites: dict[int, str] = {}
    blocks = dict(rebuild_copied_code(lines, text, whole, buttons, left_out, rewrites))
    for start, end in list(blocks.items()):
        if not any(code_line(lines[j]) for j in range(start, end) if j not in left_out):
            del blocks[start]  # (`Edit` / `Copy` / `Paste`: a menu a reply lists, not code)
            for j in range(start, end):
                rewrites.pop(j, None)
                left_out.pop(j, None)
    if not rewrites:
        return None
    return PageCode(blocks, left_out, rewrites)
