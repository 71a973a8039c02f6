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

import fnmatch
import io
import json
import math
import re
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
            return "Untitled conversation"
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


def is_export(path: Path, head: bytes) -> bool:
    """Whether `path` should be read by `read_export` rather than as a transcript.

    `head` is the start of the file (a few KiB is plenty). A file named conversations.json
    always counts, so a damaged one is reported instead of skipped; another .json counts when it
    starts like an export; a zip counts when it holds a conversations.json at any depth.
    """
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
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


def read_export(path: Path, source: str) -> Export:
    """Read a conversations.json or an export .zip. Never raises: problems are in the result."""
    export = Export(source)
    try:
        with path.open("rb") as handle:
            zipped = handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC
            if not zipped:
                handle.seek(0)
                _read_json(handle, export, prefix="")
                return export
    except OSError as error:
        export.problems.append(Problem(source, None, f"cannot read: {error.strerror or error}"))
        return export
    try:
        with zipfile.ZipFile(path) as archive:
            members = _export_members(archive)
            if not members:
                export.problems.append(Problem(source, None, f"no {EXPORT_NAME} in the archive"))
            for member in members:
                try:
                    with archive.open(member) as stream:
                        _read_json(stream, export, prefix=f"{member}: ")
                except UNPACK_ERRORS as error:
                    export.problems.append(
                        Problem(source, None, f"{member}: cannot unpack: {error}")
                    )
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as error:
        export.problems.append(Problem(source, None, f"not a readable zip archive: {error}"))
    return export


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


def _read_json(stream: IO[bytes], export: Export, prefix: str) -> None:
    """The conversations of one conversations.json, read one at a time (`json_array_items`),
    so that a whole chat history of hundreds of MB never sits in memory as JSON."""

    def problem(message: str) -> None:
        export.problems.append(Problem(export.source, None, prefix + message))

    count, recognized = 0, False
    messages: list[str] = []
    conversations: list[Conversation] = []
    try:
        for count, item in enumerate(json_array_items(stream), start=1):  # noqa: B007
            recognized = recognized or (isinstance(item, dict) and _format_of(item) is not None)
            conversation = _read_conversation(item, count, export.source, messages)
            if conversation is not None:
                conversations.append(conversation)
    except UnicodeDecodeError:
        messages.append("not valid JSON: the file is not UTF-8 text")
    except NotAList:
        problem("not a ChatGPT or Claude export: expected a list of conversations")
        return
    except DamagedItem as error:
        messages.append(
            f"not valid JSON: conversation {error.number} is cut off or damaged ({error})"
        )
    except ValueError as error:
        messages.append(f"not valid JSON: {error}")
    except RecursionError:
        messages.append("not valid JSON: nested too deeply")
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


WHITESPACE = re.compile(r"[ \t\n\r]*")
NUMBER_CHARACTERS = re.compile(r"[0-9.eE+-]*")
LITERALS = ("null", "true", "false", "NaN", "Infinity", "-Infinity")
CHUNK = 1 << 20  # characters read at a time


def _skip_white_space(text: str, position: int) -> int:
    """The position of the first character at or after `position` that is not white space."""
    match = WHITESPACE.match(text, position)  # always matches, if only ""
    return match.end() if match else position


def json_array_items(stream: IO[bytes]) -> Iterator[object]:
    """The items of a JSON array, read from `stream` one at a time with the standard library's
    own decoder (an object `{"conversations": [...]}` is read whole, as such files are small).

    An item that does not decode yet may only be cut off: more is read, at least doubling the
    text held, so that a large item costs linear time; at the end of the stream the error is
    real and raised (ValueError, or UnicodeDecodeError, or RecursionError for deep nesting)."""
    head = stream.read(4)  # UTF-8, -16 or -32, told apart as json.loads would
    encoding = json.detect_encoding(head)
    text = io.TextIOWrapper(
        io.BufferedReader(_Rejoined(head, stream)),
        encoding="utf-8-sig" if encoding == "utf-8" else encoding,
    )
    decoder = json.JSONDecoder()
    buffer, position, done = "", 0, False

    def read_more(size: int = CHUNK) -> None:
        """Drop what is decoded, add the next `size` characters (or learn the stream ended)."""
        nonlocal buffer, position, done
        more = text.read(size)
        buffer, position, done = buffer[position:] + more, 0, not more

    while _skip_white_space(buffer, position) == len(buffer) and not done:
        read_more()  # a file may open with much white space
    position = _skip_white_space(buffer, position)
    if not buffer[position : position + 1] == "[":
        value = json.loads(buffer + text.read())
        if isinstance(value, dict) and isinstance(value.get("conversations"), list):
            yield from value["conversations"]
            return
        raise NotAList
    position += 1
    expect_item, first, count = True, True, 0
    while True:
        position = _skip_white_space(buffer, position)
        if position == len(buffer) and not done:
            read_more()
            continue
        if buffer[position : position + 1] == "]" and (first or not expect_item):
            if (buffer[position + 1 :] + text.read()).strip(" \t\n\r"):
                raise ValueError("extra data after the list of conversations")
            return
        if not expect_item:
            if buffer[position : position + 1] != ",":
                raise DamagedItem("expected ',' or ']' after it", count)
            position, expect_item = position + 1, True
            continue
        try:
            item, end = decoder.raw_decode(buffer, position)
            # A number that reaches the end of the text read may go on in the next chunk.
            complete = done or not (
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
            if done or not cut:
                offset = error.pos - position
                raise DamagedItem(f"{error.msg} at character {offset} of it", count + 1) from None
            complete = False
        if not complete:
            read_more(max(CHUNK, len(buffer) - position))  # at least double: linear time
            continue
        expect_item, first, position, count = False, False, end, count + 1
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
    notes = _pair(turns, conversation.name, source, CHATGPT_RULE, label, problems)
    if images:
        problems.append(f"{label}: {images} image(s) not included, shown as {IMAGE_LINE}")
    return replace(conversation, notes=notes)


def _chatgpt_active_path(
    mapping: JsonObject, current: object, label: str, problems: list[str]
) -> list[JsonObject]:
    """The messages on the branch the user last saw, root first.

    Edits and regenerations are siblings in the tree; only the chain of parents from
    `current_node` up to the root is what the conversation showed at the end.
    """
    if not (isinstance(current, str) and current in mapping):
        current = _latest_leaf(mapping)
        if current is None:
            return []
        if any(isinstance(node, dict) and node.get("message") for node in mapping.values()):
            problems.append(f"{label}: no valid `current_node`; read the latest branch")
    chain: list[JsonObject] = []
    seen: set[str] = set()
    node_id: object = current
    while isinstance(node_id, str) and node_id in mapping:
        if node_id in seen:
            problems.append(f"{label}: the message tree loops; read up to the loop")
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
    return chain


def _latest_leaf(mapping: JsonObject) -> str | None:
    """Without `current_node`: from the root, always take the newest (last) child."""
    root = next(
        (
            key
            for key, node in mapping.items()
            if isinstance(node, dict)
            and not (isinstance(node.get("parent"), str) and node["parent"] in mapping)
        ),
        None,
    )
    seen: set[str] = set()
    node_id = root
    while node_id is not None and node_id not in seen:
        seen.add(node_id)
        children = mapping[node_id].get("children")
        children = children if isinstance(children, list) else []
        following = [
            child
            for child in children
            if isinstance(child, str) and isinstance(mapping.get(child), dict)
        ]
        if not following:
            break
        node_id = following[-1]
    return node_id


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
    notes = _pair(turns, conversation.name, source, CLAUDE_RULE, label, problems)
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


def _pair(
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
    return " ".join(value.split()) if isinstance(value, str) else ""


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
                created = created.astimezone(UTC)
            if created.date() < since:
                continue
        chosen.append(conversation)
    return chosen
