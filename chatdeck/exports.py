"""Chat-service data exports -> conversations of question/answer notes.

ChatGPT's and Claude's "export your data" give a `conversations.json` (alone or inside the export
.zip) that holds every conversation as structured data, so no line rules are needed: each user
message is a question and the assistant's visible reply is its answer. Both services keep edited
and regenerated messages in the export, so only the active branch (what the user last saw) is
read; the rest would be stale copies of the same question.

Nothing here raises for bad content: exports are big, hand-moved and sometimes truncated, so every
problem becomes a `Problem` and whatever could be read is kept. Work is linear in the size of the
export and never recursive (a long conversation is a 100k-node tree).
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import json
import math
import os
import re
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Buffer

from chatdeck.notes import Note, Problem
from chatdeck.options import Limits, size_text
from chatdeck.sources import open_regular

#: A JSON object as the standard library's decoder gives it.
JsonObject = dict[str, Any]
EXPORT_NAME = "conversations.json"
CHATGPT_RULE = "chatgpt export"
CLAUDE_RULE = "claude export"
IMAGE_LINE = "*[image not included]*"
ZIP_MAGIC = b"PK\x03\x04"

#: ChatGPT content types that are what the user saw as a message; everything else (code and
#: browsing tool calls, tool output, reasoning, custom instructions, memory) is not.
CHATGPT_TEXT_TYPES = ("text", "multimodal_text")
#: ChatGPT citation markers: \ue200 kind \ue202 payload ... \ue201, invisible in the app.
MARK_START, MARK_END, MARK_SEPARATOR = "\ue200", "\ue201", "\ue202"
STRAY_MARKS = re.compile("[\ue200-\ue2ff]")
#: The older visible form of a ChatGPT browsing citation: 【11†source】, 【4:0†report.pdf】.
OLD_CITATION = re.compile(r"【[^【】\n]{0,40}†[^【】\n]{0,80}】")
LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\n)+")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


#: The name of a conversation with no title and no date.
UNTITLED = "Untitled conversation"


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation of an export: its title (the caller's sub-deck) and its notes."""

    title: str
    created: datetime | None
    notes: tuple[Note, ...] = ()
    #: The chat site, for a conversation read from a saved page (`chatdeck.pages`).
    site: str | None = None

    @property
    def name(self) -> str:
        """The title, or "Untitled conversation <date>" so an untitled chat still names a deck."""
        if self.title:
            return self.title
        if self.created is None:
            return UNTITLED
        return f"Untitled conversation {self.created:%Y-%m-%d}"


@dataclass
class Export:
    """What one export file yields: conversations in file order, and every problem met."""

    source: str
    conversations: list[Conversation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def notes(self) -> list[Note]:
        return [note for conversation in self.conversations for note in conversation.notes]


# --- Finding and reading the file ---------------------------------------------------------------


def is_export(path: Path, head: bytes, handle: IO[bytes] | None = None) -> bool:
    """Whether `path` should be read by `read_export` rather than as a transcript.

    `head` is the start of the file (a few KiB is plenty); `handle`, the file open, if it is.
    A file named conversations.json always counts, so a damaged one is reported instead of
    skipped; another .json counts when it starts like an export; a zip counts when it holds a
    conversations.json at any depth.
    """
    if head.startswith(ZIP_MAGIC):
        try:
            with contextlib.ExitStack() as stack:
                file = handle if handle is not None else stack.enter_context(open_regular(path))
                with zipfile.ZipFile(file) as archive:
                    return bool(_export_members(archive))
        except (OSError, zipfile.BadZipFile, ValueError, EOFError):
            return False
    if path.name.lower() == EXPORT_NAME:
        return True
    if path.suffix.lower() != ".json":
        return False
    try:
        text = head.decode(json.detect_encoding(head), errors="ignore")
    except LookupError:
        return False
    text = text.lstrip("\ufeff \t\r\n")
    return text.startswith("[") and ('"mapping"' in text or '"chat_messages"' in text)


#: What a damaged or unusual archive member can raise while it is read.
UNPACK_ERRORS = (
    OSError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,  # encrypted
    NotImplementedError,  # compression method, e.g. Deflate64
)


def read_export(path: Path, source: str, limits: Limits | None = None) -> Export:
    """Read a conversations.json or an export .zip. Never raises: problems are in the result.

    What it costs is bounded by `limits`: what a .zip unpacks to (in all and as a multiple of
    its size), one conversation's size, the number of conversations. Past a bound the reading
    stops or skips, with a warning, and keeps every conversation read before."""
    limits = limits or Limits()
    export = Export(source)
    try:
        with open_regular(path) as handle:
            zipped = handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC
            handle.seek(0)
            if not zipped:
                _read_json(handle, export, "", limits)
            else:
                _read_zip(handle, export, limits)
    except OSError as error:
        export.problems.append(Problem(source, None, f"cannot read: {error.strerror or error}"))
    return export


def _read_zip(handle: IO[bytes], export: Export, limits: Limits) -> None:
    budget = UnpackBudget(limits, os.fstat(handle.fileno()).st_size)
    try:
        with zipfile.ZipFile(handle) as archive:
            members = _export_members(archive)
            if not members:
                export.problems.append(
                    Problem(export.source, None, f"no {EXPORT_NAME} in the archive")
                )
            for member in members:
                try:
                    with archive.open(member) as stream:
                        unpacked = io.BufferedReader(_Budgeted(stream, budget), CHUNK_BYTES)
                        _read_json(unpacked, export, f"{member}: ", limits, budget)
                except UNPACK_ERRORS as error:
                    export.problems.append(
                        Problem(export.source, None, f"{member}: cannot unpack: {error}")
                    )
                if budget.exceeded:
                    break
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as error:
        export.problems.append(Problem(export.source, None, f"not a readable zip archive: {error}"))


def _export_members(archive: zipfile.ZipFile) -> list[str]:
    """Every conversations.json in the archive, shallowest first (an export has exactly one)."""
    names = [
        info.filename
        for info in archive.infolist()
        if not info.is_dir()
        and PurePosixPath(info.filename).name == EXPORT_NAME
        and not info.filename.startswith("__MACOSX/")
    ]
    return sorted(names, key=lambda name: (name.count("/"), name))


class UnpackBudget:
    """How much an archive's members may unpack to, together: `Limits.unpacked_bytes`, and
    `Limits.unpack_ratio` times the archive's size once past `Limits.unpack_ratio_floor`."""

    def __init__(self, limits: Limits, archive_size: int):
        by_ratio = max(limits.unpack_ratio * archive_size, limits.unpack_ratio_floor)
        self.allowed = min(limits.unpacked_bytes, by_ratio)
        self.ratio = limits.unpack_ratio if by_ratio < limits.unpacked_bytes else None
        self.spent = 0
        self.exceeded = False

    def explain(self, kept: int) -> str:
        why = (
            f"{self.ratio} times the archive's size: the archive is damaged or a zip bomb"
            if self.ratio is not None
            else "the most an export archive may unpack to"
        )
        before = f"the {kept} conversation(s) before are kept" if kept else "none was read"
        return (
            f"stopped after unpacking {size_text(self.allowed)}, {why}; {before} (if the "
            f"export is genuine, unzip it and build from its {EXPORT_NAME})"
        )


class _Budgeted(io.RawIOBase):
    """An archive member's stream that charges what it unpacks to its archive's budget, and
    ends where the budget does (`UnpackBudget.exceeded` says whether there was more)."""

    def __init__(self, stream: IO[bytes], budget: UnpackBudget):
        self.stream, self.budget = stream, budget

    def readable(self) -> bool:
        return True

    def readinto(self, target: Buffer) -> int:
        view = memoryview(target)
        left = self.budget.allowed - self.budget.spent
        if left <= 0:
            self.budget.exceeded = self.budget.exceeded or bool(self.stream.read(1))
            return 0
        data = self.stream.read(min(len(view), CHUNK_BYTES, left))
        self.budget.spent += len(data)
        view[: len(data)] = data
        return len(data)


def _read_json(
    stream: IO[bytes],
    export: Export,
    prefix: str,
    limits: Limits,
    budget: UnpackBudget | None = None,
) -> None:
    """The conversations of one conversations.json, read one at a time (`json_array_items`),
    so that a whole chat history of hundreds of MB never sits in memory as JSON."""

    def problem(message: str) -> None:
        export.problems.append(Problem(export.source, None, prefix + message))

    count, recognized = 0, False
    messages: list[str] = []
    failure: str | None = None  # what stopped the reading, if anything did
    conversations: list[Conversation] = []
    try:
        for item in json_array_items(stream, item_limit=limits.conversation_chars):
            if count == limits.conversations:
                messages.append(
                    f"more than {limits.conversations} conversations: the first "
                    f"{limits.conversations} are read, the rest left out; split the export"
                )
                break
            count += 1
            if isinstance(item, SkippedItem):
                recognized = True  # too large or deep to tell: say what it was, not "no export"
                messages.append(
                    f"conversation {count}: skipped: {item.reason}; the others are read"
                )
                continue
            recognized = recognized or (isinstance(item, dict) and _format_of(item) is not None)
            conversation = _read_conversation(item, count, export.source, messages)
            if conversation is not None:
                conversations.append(conversation)
    except UnicodeDecodeError:
        failure = "not valid JSON: the file is not UTF-8 text"
    except NotAList as error:
        failure = f"not a ChatGPT or Claude export: {error}"
    except DamagedItem as error:
        failure = f"not valid JSON: conversation {error.number} is cut off or damaged ({error})"
    except ValueError as error:
        failure = f"not valid JSON: {error}"
    except RecursionError:
        failure = "not valid JSON: nested too deeply"
    if budget is not None and budget.exceeded:  # the text was cut there: that is the problem
        failure = budget.explain(len(conversations))
    elif failure is not None and failure.startswith("not a ChatGPT"):
        problem(failure)
        return
    if failure is not None:
        messages.append(failure)
    if count and not recognized:
        problem(
            "not a ChatGPT or Claude export: no conversation has a `mapping` (ChatGPT) "
            "or `chat_messages` (Claude)"
        )
        return
    if not count and not messages:
        problem("no conversations in the export")
        return
    export.problems.extend(Problem(export.source, None, prefix + m) for m in messages)
    export.conversations.extend(conversations)


class _Rejoined(io.RawIOBase):
    """A binary stream with its first bytes, read to look at them, put back in front."""

    def __init__(self, head: bytes, stream: IO[bytes]):
        self.head, self.stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, target: Buffer) -> int:
        view = memoryview(target)
        data = self.head[: len(view)] if self.head else self.stream.read(len(view))
        self.head = self.head[len(data) :] if self.head else b""
        view[: len(data)] = data
        return len(data)


class NotAList(ValueError):
    """The JSON is valid but holds no list of conversations."""


class DamagedItem(ValueError):
    """An item of the list does not decode (the file is cut off, or damaged there)."""

    def __init__(self, reason: str, number: int):
        super().__init__(reason)
        self.number = number


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """An item of the list passed over unread, and why: too large, or nested too deeply for
    the decoder. Reading goes on with the next item."""

    reason: str


WHITESPACE = re.compile(r"[ \t\n\r]*")
NUMBER_CHARACTERS = re.compile(r"[0-9.eE+-]*")
#: What a skipped item's text holds between the characters that matter to its structure.
OUTSIDE_STRINGS = re.compile(r'[^"\[\]{}]*')
INSIDE_STRING = re.compile(r'[^"\\]*')
SCALAR = re.compile(r"[^,\]\[{}\" \t\n\r]*")
LITERALS = ("null", "true", "false", "NaN", "Infinity", "-Infinity")
CHUNK = 1 << 20  # characters read at a time
CHUNK_BYTES = 1 << 20  # bytes unpacked at a time


def _end(pattern: re.Pattern[str], text: str, position: int) -> int:
    """Where a match of `pattern` (one that always matches, if only "") at `position` ends."""
    match = pattern.match(text, position)
    return match.end() if match else position


class _Text:
    """The decoded text of a stream, held from `position` on: what is consumed is let go of,
    so that white space or a skipped item of any length costs no memory."""

    def __init__(self, stream: IO[bytes], chunk: int):
        head = stream.read(4)  # UTF-8, -16 or -32, told apart as json.loads would
        encoding = json.detect_encoding(head)
        self.text = io.TextIOWrapper(
            io.BufferedReader(_Rejoined(head, stream)),
            encoding="utf-8-sig" if encoding == "utf-8" else encoding,
        )
        self.chunk = chunk
        self.buffer, self.position, self.done = "", 0, False

    def read_more(self, size: int = 0) -> None:
        """Drop what is consumed, add the next `size` characters (or learn the stream ended)."""
        more = self.text.read(max(size, self.chunk))
        self.buffer, self.position, self.done = self.buffer[self.position :] + more, 0, not more

    def skip_white_space(self) -> bool:
        """Move past white space; False when the text ends first."""
        while True:
            self.position = _end(WHITESPACE, self.buffer, self.position)
            if self.position < len(self.buffer):
                return True
            if self.done:
                return False
            self.read_more()

    def at(self, offset: int = 0) -> str:
        return self.buffer[self.position + offset : self.position + offset + 1]

    def rest(self, limit: int) -> str | None:
        """All the rest of the text, or None if it is longer than `limit` characters."""
        parts = [self.buffer[self.position :]]
        held = len(parts[0])
        while not self.done and held <= limit:
            more = self.text.read(self.chunk)
            parts.append(more)
            held += len(more)
            self.done = not more
        self.buffer, self.position = "", 0
        return "".join(parts) if held <= limit else None

    def only_white_space_left(self) -> bool:
        return not self.skip_white_space()

    def skip_value(self) -> bool:
        """Move past one JSON value without decoding it, holding no more of it than a chunk:
        strings and brackets are followed (whatever the nesting), nothing else is checked.
        False if the text ends inside the value."""
        depth, in_string = 0, False
        while True:
            if self.position >= len(self.buffer):
                if self.done:
                    return False
                self.read_more()
                continue
            if in_string:
                self.position = _end(INSIDE_STRING, self.buffer, self.position)
                if self.position >= len(self.buffer):
                    continue
                if self.buffer[self.position] == "\\":
                    if self.position + 1 >= len(self.buffer) and not self.done:
                        self.read_more()  # keep the backslash with what it escapes
                        continue
                    self.position += 2
                    continue
                self.position += 1  # the closing quote
                in_string = False
                if depth == 0:
                    return True
                continue
            character = self.buffer[self.position]
            if character == '"':
                in_string = True
                self.position += 1
            elif character in "[{":
                depth += 1
                self.position += 1
            elif character in "]}":
                if depth == 0:
                    return True  # the end of the list: the value was empty
                depth -= 1
                self.position += 1
                if depth == 0:
                    return True
            elif depth == 0:  # a number or literal
                self.position = _end(SCALAR, self.buffer, self.position)
                if self.position < len(self.buffer) or self.done:
                    return True
            else:
                self.position = _end(OUTSIDE_STRINGS, self.buffer, self.position)


def json_array_items(
    stream: IO[bytes], chunk: int | None = None, item_limit: int | None = None
) -> Iterator[object]:
    """The items of a JSON array, read from `stream` one at a time with the standard library's
    own decoder (an object `{"conversations": [...]}` is read whole, up to `item_limit`).

    An item that does not decode yet may only be cut off: more is read, at least doubling the
    text held, so that a large item costs linear time; at the end of the stream the error is
    real and raised (ValueError, or UnicodeDecodeError). An item longer than `item_limit`
    characters, nested too deeply for the decoder, or holding a number Python will not read,
    comes out as a `SkippedItem` and reading goes on after it: time stays linear and memory
    bounded by `item_limit`, whatever the file holds."""
    limit = item_limit if item_limit is not None else sys.maxsize
    reader = _Text(stream, chunk or CHUNK)
    decoder = json.JSONDecoder()
    if reader.skip_white_space() and reader.at() == "[":
        reader.position += 1
    else:
        text = reader.rest(limit)
        if text is None:
            raise NotAList(f"not a list of conversations, and larger than {size_text(limit)}")
        value = json.loads(text)
        if isinstance(value, dict) and isinstance(value.get("conversations"), list):
            yield from value["conversations"]
            return
        raise NotAList("expected a list of conversations")
    expect_item, first, count = True, True, 0
    while True:
        if not reader.skip_white_space():
            if expect_item and not first:
                raise DamagedItem("Expecting value at character 0 of it", count + 1)
            raise DamagedItem("the file ends before the list does", max(count, 1))
        if reader.at() == "]" and (first or not expect_item):
            reader.position += 1
            if not reader.only_white_space_left():
                raise ValueError("extra data after the list of conversations")
            return
        if not expect_item:
            if reader.at() != ",":
                raise DamagedItem("expected ',' or ']' after it", count)
            reader.position, expect_item = reader.position + 1, True
            continue
        buffer, position = reader.buffer, reader.position
        skipped: str | None = None
        try:
            item, end = decoder.raw_decode(buffer, position)
            # A number that reaches the end of the text read may go on in the next chunk.
            complete = reader.done or not (
                isinstance(item, int | float) and NUMBER_CHARACTERS.fullmatch(buffer, end)
            )
        except json.JSONDecodeError as error:
            # Only an error where the text read ends, or a string still open, can be a cut:
            # anything else is damage, reported without reading the rest of the file.
            tail = buffer[error.pos :]
            cut = (
                len(tail) <= 1
                or error.msg.startswith("Unterminated string")
                or (error.msg.startswith("Invalid \\uXXXX") and len(tail) <= 6)
                or any(word.startswith(tail) for word in LITERALS)
                or NUMBER_CHARACTERS.fullmatch(tail) is not None
            )
            if reader.done or not cut:
                offset = error.pos - position
                raise DamagedItem(f"{error.msg} at character {offset} of it", count + 1) from None
            complete = False
        except RecursionError:
            skipped = "nested too deeply to read"
        except ValueError as error:  # a number of more digits than Python converts
            skipped = f"unreadable ({error})"
        if skipped is None and complete and end - position > limit:
            skipped = f"larger than a conversation may be ({size_text(limit)})"
        if skipped is None and not complete:
            if len(buffer) - position > limit:
                skipped = f"larger than a conversation may be ({size_text(limit)})"
            else:
                reader.read_more(len(buffer) - position)  # at least double: linear time
                continue
        if skipped is not None:
            if not reader.skip_value():
                raise DamagedItem(f"{skipped}, and the file ends inside it", count + 1)
            item, end = SkippedItem(skipped), reader.position
        expect_item, first, count = False, False, count + 1
        reader.position = end
        yield item


def _format_of(item: JsonObject) -> str | None:
    if "mapping" in item:
        return "chatgpt"
    if "chat_messages" in item:
        return "claude"
    return None


def _read_conversation(
    item: object, number: int, source: str, problems: list[str]
) -> Conversation | None:
    """One conversation, or None (with a problem) when it is not one."""
    if not isinstance(item, dict):
        problems.append(f"conversation {number}: skipped: not an object")
        return None
    kind = _format_of(item)
    if kind is None:
        title = _title(item.get("title") or item.get("name"))
        where = f'conversation {number} ("{title}")' if title else f"conversation {number}"
        problems.append(f"{where}: skipped: no `mapping` (ChatGPT) or `chat_messages` (Claude)")
        return None
    try:
        if kind == "chatgpt":
            return _chatgpt_conversation(item, number, source, problems)
        return _claude_conversation(item, number, source, problems)
    except (TypeError, ValueError, AttributeError, KeyError, RecursionError) as error:
        # A shape no export has had so far: report it rather than lose the whole file.
        problems.append(f"conversation {number}: skipped: unexpected structure ({error!r})")
        return None


# --- ChatGPT ------------------------------------------------------------------------------------


def _chatgpt_conversation(
    item: JsonObject, number: int, source: str, problems: list[str]
) -> Conversation | None:
    conversation = Conversation(_title(item.get("title")), _timestamp(item.get("create_time")))
    label = _label(conversation, number)
    mapping = item.get("mapping")
    if not isinstance(mapping, dict):
        problems.append(f"{label}: skipped: `mapping` is not an object")
        return None
    turns: list[tuple[str, str]] = []
    images = 0
    for message in _chatgpt_active_path(mapping, item.get("current_node"), label, problems):
        shown = _chatgpt_visible(message)
        if shown is None:
            continue
        role, text, message_images = shown
        images += message_images
        turns.append((role, text))
    notes = pair_turns(turns, conversation.name, source, CHATGPT_RULE, label, problems)
    if images:
        problems.append(f"{label}: {images} image(s) not included, shown as {IMAGE_LINE}")
    return replace(conversation, notes=notes)


def _chatgpt_active_path(
    mapping: JsonObject, current: object, label: str, problems: list[str]
) -> list[JsonObject]:
    """The messages on the branch the user last saw, root first.

    Edits and regenerations are siblings in the tree; only the chain of parents from
    `current_node` up to the root is what the conversation showed at the end. A tree whose links
    loop (a damaged export) is read up to the loop, and a warning says so.
    """
    looped = False
    fallback = not (isinstance(current, str) and current in mapping)
    if fallback:
        current, looped = _latest_leaf(mapping)
        if current is None:
            return []
    chain: list[JsonObject] = []
    seen: set[str] = set()
    node_id: object = current
    while isinstance(node_id, str) and node_id in mapping:
        if node_id in seen:
            looped = True
            break
        seen.add(node_id)
        node = mapping[node_id]
        if not isinstance(node, dict):
            break
        message = node.get("message")
        if isinstance(message, dict):
            chain.append(message)
        node_id = node.get("parent")
    chain.reverse()
    if fallback and looped:
        problems.append(
            f"{label}: no valid `current_node`, and the message tree loops; read the latest "
            "branch up to the loop"
        )
    elif fallback and any(isinstance(n, dict) and n.get("message") for n in mapping.values()):
        problems.append(f"{label}: no valid `current_node`; read the latest branch")
    elif looped:
        problems.append(f"{label}: the message tree loops; read up to the loop")
    return chain


def _latest_leaf(mapping: JsonObject) -> tuple[str | None, bool]:
    """Without `current_node`: from the root, always take the newest (last) child; and whether
    a loop was met on the way. With no root (every parent link leads into a loop), the last
    message with no child, else the last message, in the export's order."""
    nodes = [key for key, node in mapping.items() if isinstance(node, dict)]
    root = next(
        (key for key in nodes if not _in_mapping(mapping[key].get("parent"), mapping)), None
    )
    if root is None:
        candidates = [key for key in nodes if not _children(mapping, key)] or nodes
        return (candidates[-1], True) if candidates else (None, False)
    seen: set[str] = set()
    node_id = root
    while True:
        seen.add(node_id)
        following = _children(mapping, node_id)
        if not following:
            return node_id, False
        if following[-1] in seen:
            return node_id, True
        node_id = following[-1]


def _in_mapping(value: object, mapping: JsonObject) -> bool:
    return isinstance(value, str) and isinstance(mapping.get(value), dict)


def _children(mapping: JsonObject, node_id: str) -> list[str]:
    children = mapping[node_id].get("children")
    return (
        [child for child in children if _in_mapping(child, mapping)]
        if isinstance(children, list)
        else []
    )


def _chatgpt_visible(message: JsonObject) -> tuple[str, str, int] | None:
    """(role, text, images) of a message the chat shows as a message; None for everything else
    (system prompts, hidden context, tool calls and tool output, reasoning)."""
    role = _dict(message.get("author")).get("role")
    if role not in ("user", "assistant"):
        return None
    if _dict(message.get("metadata")).get("is_visually_hidden_from_conversation"):
        return None
    recipient = message.get("recipient")
    if role == "assistant" and recipient not in (None, "all"):
        return None  # a call to a tool (browser, python, dalle, bio, canvas), not a reply
    content = _dict(message.get("content"))
    if content.get("content_type") not in CHATGPT_TEXT_TYPES:
        return None
    pieces: list[str] = []
    images = 0
    parts = content.get("parts")
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, str):
                if part.strip():
                    pieces.append(part)
            elif isinstance(part, dict):
                kind = part.get("content_type")
                if kind == "image_asset_pointer":
                    pieces.append(IMAGE_LINE)
                    images += 1
                elif kind == "audio_transcription" and isinstance(part.get("text"), str):
                    pieces.append(part["text"])
    elif isinstance(content.get("text"), str):
        pieces.append(content["text"])
    return role, clean_text("\n\n".join(pieces)), images


def clean_text(text: str) -> str:
    """Message text as Markdown: citation markers out, outer blank lines trimmed.

    ChatGPT's private-use markers are invisible in the app but would show as boxes on a card, and
    their payload ("cite turn0search1") is noise; an entity marker keeps its display name, which
    the sentence needs. Code indentation on the first line is kept.
    """
    if not text.isascii():  # (a flag of the string: free to ask)
        text = LONE_SURROGATE.sub("\ufffd", text)  # JSON's "\ud800" alone: no encoder takes it
        if MARK_START in text:
            text = _strip_marks(text)
        text = STRAY_MARKS.sub("", text)
    if "†" in text:
        text = OLD_CITATION.sub("", text)
    start = LEADING_BLANK_LINES.match(text)
    if start:
        text = text[start.end() :]
    return text.rstrip()


def _strip_marks(text: str) -> str:
    """Remove each \\ue200...\\ue201 marker in one left-to-right pass (linear time)."""
    out: list[str] = []
    position = 0
    end = -1
    while True:
        start = text.find(MARK_START, position)
        if start < 0:
            break
        if end < start:
            end = text.find(MARK_END, start + 1)
            if end < 0:
                break  # nothing closes after here: keep the text, drop only the marks (below)
        if text.find(MARK_START, start + 1, end) >= 0:
            out.append(text[position:start])  # a marker never closed: drop just its character
            position = start + 1
            continue
        before = text[position:start]
        replacement = _entity_name(text[start + 1 : end])
        if not replacement and not text[end + 1 : end + 2].isalnum():
            before = before.rstrip(" \t")  # "fact \\ue200cite..\\ue201." -> "fact."
        out.append(before + replacement)
        position = end + 1
    out.append(text[position:])
    return "".join(out)


def _entity_name(inner: str) -> str:
    """`entity\\ue202["people","Ada Lovelace",...]` -> "Ada Lovelace"; other markers -> ""."""
    kind, _, payload = inner.partition(MARK_SEPARATOR)
    if kind != "entity":
        return ""
    try:
        value = json.loads(payload)
    except ValueError:
        return payload if "\n" not in payload and len(payload) <= 200 else ""
    if isinstance(value, list):
        names = [item for item in value[1:2] + value[:1] if isinstance(item, str)]
        return names[0] if names else ""
    return value if isinstance(value, str) else ""


# --- Claude -------------------------------------------------------------------------------------


def _claude_conversation(
    item: JsonObject, number: int, source: str, problems: list[str]
) -> Conversation | None:
    conversation = Conversation(_title(item.get("name")), _iso_time(item.get("created_at")))
    label = _label(conversation, number)
    messages = item.get("chat_messages")
    if not isinstance(messages, list):
        problems.append(f"{label}: skipped: `chat_messages` is not a list")
        return None
    turns: list[tuple[str, str]] = []
    for message in _claude_active_path(
        messages, item.get("current_leaf_message_uuid"), label, problems
    ):
        sender = message.get("sender")
        role = {"human": "user", "assistant": "assistant"}.get(
            sender.lower() if isinstance(sender, str) else ""
        )
        if role is not None:
            turns.append((role, _claude_text(message)))
    notes = pair_turns(turns, conversation.name, source, CLAUDE_RULE, label, problems)
    return replace(conversation, notes=notes)


def _claude_active_path(
    messages: list[Any], current: object, label: str, problems: list[str]
) -> list[JsonObject]:
    """Claude keeps edited and regenerated messages too, linked by `parent_message_uuid`: read the
    chain up from the current (else the last) leaf. Without links the list is the chat."""
    items = [message for message in messages if isinstance(message, dict)]
    by_id = {m["uuid"]: m for m in items if isinstance(m.get("uuid"), str)}
    if not any(isinstance(m.get("parent_message_uuid"), str) for m in items):
        return items
    if not (isinstance(current, str) and current in by_id):
        parents = {
            m["parent_message_uuid"] for m in items if isinstance(m.get("parent_message_uuid"), str)
        }
        leaves = [key for key in by_id if key not in parents]
        if not leaves:
            return items
        current = leaves[-1]
    chain: list[JsonObject] = []
    seen: set[str] = set()
    node_id: object = current
    while isinstance(node_id, str) and node_id in by_id:
        if node_id in seen:
            problems.append(f"{label}: the message chain loops; read up to the loop")
            break
        seen.add(node_id)
        chain.append(by_id[node_id])
        node_id = by_id[node_id].get("parent_message_uuid")
    chain.reverse()
    return chain


def _claude_text(message: JsonObject) -> str:
    """Text blocks of `content` when there are any (`text` repeats tool use as placeholders).

    Adjacent text blocks are one passage (Claude splits sentences around citations); a tool use
    or other block between them starts a new paragraph.
    """
    content = message.get("content")
    blocks = content if isinstance(content, list) else []
    if any(_block_text(block) is not None for block in blocks):
        passages: list[str] = []
        current: list[str] = []
        for block in blocks:
            text = _block_text(block)
            if text is not None:
                current.append(text)
            elif current:
                passages.append("".join(current))
                current = []
        passages.append("".join(current))
        return clean_text("\n\n".join(passage for passage in passages if passage.strip()))
    text = message.get("text")
    return clean_text(text) if isinstance(text, str) else ""


def _block_text(block: object) -> str | None:
    if (
        isinstance(block, dict)
        and block.get("type") == "text"
        and isinstance(block.get("text"), str)
    ):
        return str(block["text"])
    return None


# --- Shared -------------------------------------------------------------------------------------


def pair_turns(
    turns: list[tuple[str, str]],
    conversation: str,
    source: str,
    rule: str,
    label: str,
    problems: list[str],
) -> tuple[Note, ...]:
    """Each user message is a question; the assistant messages up to the next one, joined with
    blank lines, are its answer. Assistant text before the first question belongs to none."""
    exchanges: list[tuple[str, list[str]]] = []
    for role, text in turns:
        if role == "user":
            exchanges.append((text, []))
        elif exchanges and text:
            exchanges[-1][1].append(text)
    notes: list[Note] = []
    for question, replies in exchanges:
        if not question.replace(IMAGE_LINE, "").strip():
            if replies:
                problems.append(
                    f"{label}: a message with no text (only an image or a file) is not a card; "
                    "its reply is left out"
                )
            continue
        answer = "\n\n".join(replies)
        if not answer:
            problems.append(f"{label}: no reply to {_snippet(question)}")
        notes.append(
            Note(
                source=source,
                line=None,
                question=question,
                answer=answer,
                rule=rule,
                confidence="high",
                conversation=conversation,
            )
        )
    return tuple(notes)


def _dict(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _title(value: object) -> str:
    """Whitespace folded, so a title with a newline still makes one deck name."""
    return " ".join(LONE_SURROGATE.sub("\ufffd", value).split()) if isinstance(value, str) else ""


def _label(conversation: Conversation, number: int) -> str:
    if conversation.title:
        return f'conversation "{conversation.title}"'
    return f"conversation {number} ({conversation.name})"


def _snippet(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return repr(line if len(line) <= 60 else line[:59] + "…")


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _iso_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- Choosing conversations ---------------------------------------------------------------------


def select_conversations(
    conversations: Iterable[Conversation], pattern: str | None, since: date | None
) -> list[Conversation]:
    """The conversations `--conversation PATTERN` and `--since DATE` keep, in their order.

    PATTERN matches the title (or the untitled name) case-insensitively, as a substring or as a
    glob (`*`, `?`, `[...]`) over the whole title; both are tried, so a title with brackets can
    still be found by typing part of it. DATE compares with the creation day in UTC, the export's
    own clock; a conversation with no creation time is left out when DATE is given.
    """
    needle = pattern.casefold() if pattern else None
    chosen = []
    for conversation in conversations:
        if needle is not None:
            title = conversation.name.casefold()
            if needle not in title and not fnmatch.fnmatchcase(title, needle):
                continue
        if since is not None:
            created = conversation.created
            if created is None:
                continue
            if created.tzinfo is not None:
                try:
                    created = created.astimezone(UTC)
                except OverflowError:  # within a day of year 1 or 9999: its own date will do
                    pass
            if created.date() < since:
                continue
        chosen.append(conversation)
    return chosen
