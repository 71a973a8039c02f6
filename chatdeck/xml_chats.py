"""A chat a tool saved as XML inside a text file (Caret's Obsidian notes: one document of
`<message>` elements, each a `<role>` and a `<content>`, every `<`, `>` and `&` of the texts
written as an entity, the whole note in one ```` ```xml ```` fence closed by backticks glued to its
last line): where its messages are, line by line, for the turn pass (`chatdeck.turns`).

The file is a chat when all of it is one XML document (a fence around it aside) in which sibling
elements of one name each hold a speaker element (`role`, `author`, `sender`, `from`, ...) with a
label, or such an attribute, and a text element (`content`, `text`, `body`, ...). The document
is read by expat (Python's own XML parser), so entities, character references and CDATA are read
as XML reads them; a document type declaration is refused (no entity of the file's own making is
expanded). A message's text keeps its lines: each line of the file shows the part of the text on
it, its tags off and its entities read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.parsers import expat

#: Element or attribute names that say who spoke, and that hold a message's text.
SPEAKER_NAMES = frozenset("role author sender from speaker who participant".split())
TEXT_NAMES = ("content", "text", "body", "message", "value")
#: The longest speaker label (a role, a name), in characters.
MAX_LABEL = 40
#: A fence line around the document: the tool's container, not code.
OPENING_FENCE = re.compile(r"^ {0,3}+(`{3,}+|~{3,}+)[^`]*+$")


@dataclass(frozen=True)
class XmlChat:
    """Where a chat saved as XML puts its messages, by 0-based line."""

    #: How the messages are written, for the dry-run: "`<message>` with `<role>` and `<content>`".
    shape: str
    #: Each message in file order: (the line that opens it, the speaker's label). The line that
    #: names its speaker opens it; where the speaker is named under the text, its start tag's.
    speakers: tuple[tuple[int, str], ...]
    #: The lines of the messages' texts, as a card shows them.
    text: dict[int, str] = field(default_factory=dict)
    #: Lines that hold only the document's tags (or the fence around it).
    structure: frozenset[int] = frozenset()
    #: Some message names its speaker under its text (`chatdeck.turns` then asks for role names).
    named_after: bool = False


@dataclass
class _Element:
    name: str
    attributes: dict[str, str]
    line: int  # 0-based line of the start tag
    children: list[_Element] = field(default_factory=list)
    #: The text directly inside, as (0-based line where each piece starts, piece).
    pieces: list[tuple[int, str]] = field(default_factory=list)
    end_line: int = -1

    def text(self) -> str:
        return "".join(piece for _, piece in self.pieces)


def read_xml_chat(lines: Sequence[str]) -> XmlChat | None:
    """The chat in a file that is one XML document of messages, or None."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    last = next(i for i in range(len(lines) - 1, first - 1, -1) if lines[i].strip())
    fence = OPENING_FENCE.match(lines[first])
    body = list(lines)
    if fence is not None:
        run = fence.group(1)
        closing = body[last].rstrip()
        if last == first or not closing.endswith(run):
            return None  # a code block, or a fence closed on a line of its own: no container
        body[first] = ""
        body[last] = closing[: -len(run)]
        first = next((i for i in range(first + 1, last + 1) if body[i].strip()), last + 1)
        if first > last:
            return None
    if not body[first].lstrip().startswith("<") or not body[last].rstrip().endswith(">"):
        return None
    document = "\n".join(body[first : last + 1])
    if "<!DOCTYPE" in document or "<!ENTITY" in document:
        return None
    root = _parse(document, first)
    if root is None:
        return None
    messages = _messages(root)
    if messages is None:
        return None
    return _placed(lines, messages)


def _parse(document: str, offset: int) -> _Element | None:
    """The document's element tree, with the line of every start tag and piece of text."""
    parser = expat.ParserCreate()
    stack: list[_Element] = []
    roots: list[_Element] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        element = _Element(name, attributes, parser.CurrentLineNumber - 1 + offset)
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(name: str) -> None:
        stack.pop().end_line = parser.CurrentLineNumber - 1 + offset

    def data(text: str) -> None:
        if stack:
            stack[-1].pieces.append((parser.CurrentLineNumber - 1 + offset, text))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.buffer_text = False
    try:
        parser.Parse(document, True)
    except (expat.ExpatError, RecursionError, ValueError):
        return None
    return roots[0] if len(roots) == 1 else None


def _messages(root: _Element) -> list[tuple[_Element, str, int, _Element]] | None:
    """The messages of the largest run of sibling elements of one name that each name a speaker
    and hold a text: (message, speaker label, speaker's line, text element)."""
    best: list[tuple[_Element, str, int, _Element]] | None = None
    stack = [root]
    while stack:
        parent = stack.pop()
        stack.extend(parent.children)
        by_name: dict[str, list[_Element]] = {}
        for child in parent.children:
            by_name.setdefault(child.name, []).append(child)
        for siblings in by_name.values():
            read = [_message(element) for element in siblings]
            if len(read) < 2 or any(each is None for each in read):
                continue
            found = [each for each in read if each is not None]
            if best is None or len(found) > len(best):
                best = found
    return best


def _message(element: _Element) -> tuple[_Element, str, int, _Element] | None:
    """A message: a speaker (a child element or an attribute) and a text element."""
    speaker: tuple[str, int] | None = None
    for key, value in element.attributes.items():
        if key.casefold() in SPEAKER_NAMES and value.strip():
            speaker = (value.strip(), element.line)
    text: _Element | None = None
    for child in element.children:
        name = child.name.casefold()
        if name in SPEAKER_NAMES and not child.children and speaker is None:
            speaker = (child.text().strip(), child.line)
        elif name in TEXT_NAMES and text is None and not child.children:
            text = child
    if speaker is None or text is None or not speaker[0] or len(speaker[0]) > MAX_LABEL:
        return None
    return element, speaker[0], speaker[1], text


def _placed(
    lines: Sequence[str], messages: list[tuple[_Element, str, int, _Element]]
) -> XmlChat | None:
    """Each message's text on its lines; every other line of the file is the document's
    structure. None when the texts cannot be laid on their lines (two messages share a line, a
    character reference holds a line break)."""
    shown: dict[int, str] = {}
    speakers: list[tuple[int, str]] = []
    named_after = False
    for message, label, speaker_line, element in messages:
        start = element.pieces[0][0] if element.pieces else speaker_line
        # The speaker named under its text (`<content>` before `<role>`): the message's start
        # tag opens it, when the text starts under that tag.
        opening = speaker_line if start >= speaker_line else message.line
        named_after = named_after or opening != speaker_line
        if start < opening or (speakers and opening <= speakers[-1][0]):
            return None
        speakers.append((opening, label))
        if not element.pieces:
            continue
        pieces = _dedented(element.text().split("\n"))
        stop = start + len(pieces)
        if stop - 1 != element.end_line or any(i in shown for i in range(start, stop)):
            return None
        shown.update(zip(range(start, stop), pieces, strict=True))
    spoken = {line for line, _ in speakers}
    if any(shown.get(i, "").strip() for i in spoken):
        return None  # a speaker named on a line of text: the messages are not line by line
    structure = frozenset(
        i
        for i, line in enumerate(lines)
        if line.strip() and i not in spoken and not shown.get(i, "").strip()
    )
    element, _, speaker_line, text = messages[0]
    speaker = "a speaker attribute" if speaker_line == element.line else "a speaker element"
    shape = f"`<{element.name}>` elements with {speaker} and `<{text.name}>`"
    return XmlChat(shape, tuple(speakers), shown, structure, named_after)


def _dedented(pieces: list[str]) -> list[str]:
    """A text that starts on the line under its tag, without the indentation all its lines
    share (a pretty-printed document's, which Markdown would read as a code block)."""
    if pieces[0].strip():
        return pieces
    indents = [len(p) - len(p.lstrip(" \t")) for p in pieces[1:] if p.strip()]
    cut = min(indents, default=0)
    return [pieces[0], *(p[cut:] if p.strip() else "" for p in pieces[1:])]
