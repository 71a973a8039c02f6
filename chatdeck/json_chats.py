"""Chats saved as JSON or JSON Lines by tools other than ChatGPT's and Claude's data exports
(`chatdeck.exports`): found by their shape, not by a list of formats.

A chat in JSON is a list of message objects, each saying who spoke (a role, a name, an is-user
flag, maybe one level down: `author.role`) and what was said (a string, or parts that hold
strings: `content: [{"type": "text", "text": ...}]`, `parts: [{"text": ...}]`). Whatever the keys
are called, a list is a chat when most of its items are objects that share a speaker key whose
values name the user (a role word in some language: `user`, `human`; or a true `is_user`-like
flag) and another speaker, and a key whose values are the text (the longest prose among the
keys). A JSON Lines file is read as the list of its lines. Each user message is a question and
the replies up to the next one its answer; system, tool and reasoning messages are on no card.
A file that holds several such lists (a tool's export of every chat) gives one conversation
each, titled by the object that holds the list (`title`, `name`).

The walk over the file is iterative and linear in its size; nothing here raises for bad content.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from chatdeck.exports import Conversation, Export, JsonObject, _pair, clean_text
from chatdeck.notes import Problem
from chatdeck.turns import ASSISTANT, OTHER, USER, _hint_of, without_opening_reasoning

RULE = "json chat"
#: A user message no reply answered before the next one: context, on no card.
CONTEXT = "context"
#: Keys that may hold a message's text one level down (`{"text": {"value": ...}}`, parts).
TEXT_KEYS = ("text", "value", "content", "parts", "message", "body")
#: Keys that name a chat, on the object that holds its messages.
TITLE_KEYS = ("title", "name", "topic", "subject", "chat_name", "chatName")
#: Part types that are not text (images, tool calls and their results, reasoning).
TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text", "markdown"})
#: Share of a list's items that must be messages (a JSON Lines chat may open with a header);
#: the most speakers a chat has (a speaker's label is a word or three).
MESSAGE_SHARE = 0.8
MOST_SPEAKERS = 8
WORD = re.compile(r"[\W_]+")


def read_json_chats(data: bytes, source: str) -> Export | None:
    """The chats in a JSON or JSON Lines file, or None when it holds none (it is then read as
    text, as any other file)."""
    value = _decode(data)
    if value is None:
        return None
    export = Export(source)
    chats = list(_chats(value))
    for number, (title, turns) in enumerate(chats, start=1):
        # A file of one untitled chat is named as a transcript is: by the file.
        title = title or (PurePath(source).stem if len(chats) == 1 else "")
        label = f'conversation "{title}"' if title else f"conversation {number}"
        problems: list[str] = []
        unanswered = sum(1 for role, _ in turns if role == CONTEXT)
        if unanswered:
            problems.append(
                f"{label}: {unanswered} message(s) of yours the model never answered before your "
                "next one (a tool's setup message, a message sent again): not a card"
            )
        asked = [turn for turn in turns if turn[0] != CONTEXT]
        notes = _pair(asked, title or Conversation("", None).name, source, RULE, label, problems)
        export.conversations.append(Conversation(title, None, notes))
        export.problems.extend(Problem(source, None, text) for text in problems)
    return export if export.conversations else None


def _decode(data: bytes) -> object | None:
    """The file's JSON value; a JSON Lines file as the list of its lines' values."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        value: object = json.loads(text)
        return value
    except (ValueError, RecursionError):
        pass
    items: list[object] = []
    for line in text.splitlines():
        if line.strip():
            try:
                items.append(json.loads(line))
            except (ValueError, RecursionError):
                return None
    return items or None


def _chats(value: object) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Each message list in the file, in file order, with the title of the nearest object
    holding it that has one."""
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        node, title = stack.pop()
        if isinstance(node, list):
            records = _exchanges(node)
            if records is not None:
                yield from ((name or title, turns) for name, turns in records)
                continue
            turns = _messages(node)
            if turns is not None:
                yield title, turns
                continue
            stack.extend((item, title) for item in reversed(node) if isinstance(item, dict | list))
        elif isinstance(node, dict):
            title = _title_of(node) or title
            children = [child for child in node.values() if isinstance(child, dict | list)]
            stack.extend((child, title) for child in reversed(children))


def _title_of(holder: JsonObject) -> str:
    for key in TITLE_KEYS:
        value = holder.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


#: Key names of an exchange's two halves, when one object holds a prompt and its reply.
PROMPT_WORDS = frozenset("prompt question input query instruction request".split())
REPLY_WORDS = frozenset("response answer output completion reply".split())
CHAT_WORDS = frozenset("conversation chat session thread".split())


def _exchanges(items: list[Any]) -> list[tuple[str, list[tuple[str, str]]]] | None:
    """A list of exchanges, each object holding a prompt and its reply (`prompt`/`response`,
    `question`/`answer`, `input`/`output`), read as chats: one per value of a key naming the
    conversation (`conversation_id`), titled by its `conversation_name`; None otherwise."""
    objects = [item for item in items if isinstance(item, dict)]
    if not objects or len(objects) < MESSAGE_SHARE * len(items):
        return None
    keys: Counter[str] = Counter(key for item in objects for key in item)
    common = [key for key, n in keys.items() if n >= MESSAGE_SHARE * len(objects)]
    prompt = next((k for k in common if _key_words(k) & PROMPT_WORDS == _key_words(k)), None)
    reply = next((k for k in common if _key_words(k) & REPLY_WORDS == _key_words(k)), None)
    if prompt is None or reply is None:
        return None
    chat_id = next(
        (k for k in common if _key_words(k) & CHAT_WORDS and "id" in _key_words(k)), None
    )
    chat_name = next(
        (k for k in common if _key_words(k) & CHAT_WORDS and _key_words(k) & {"name", "title"}),
        None,
    )
    chats: dict[object, tuple[str, list[tuple[str, str]]]] = {}
    for item in objects:
        question, answer = _text(item.get(prompt)), _text(item.get(reply))
        if question is None:
            continue
        group = item.get(chat_id) if chat_id else None
        name = item.get(chat_name) if chat_name else None
        title, turns = chats.setdefault(
            group if isinstance(group, str | int) else None,
            (" ".join(name.split()) if isinstance(name, str) else "", []),
        )
        turns.append((USER, clean_text(question)))
        if answer is not None:
            turns.append(("assistant", without_opening_reasoning(clean_text(answer))[0]))
    return list(chats.values()) or None


def _key_words(key: str) -> set[str]:
    """`conversation_id` -> conversation, id; `chatName` -> chat, name."""
    return {w for w in WORD.split(key.casefold()) if w} | set(_camel_words(key))


@dataclass(frozen=True, slots=True)
class _Reading:
    """How a list's items say who spoke: a key path and each of its values' role."""

    path: tuple[str, ...]
    roles: dict[object, str]


def _messages(items: list[Any]) -> list[tuple[str, str]] | None:
    """The list read as a chat's messages, (role, text) in order; None if it is no chat."""
    objects = [item for item in items if isinstance(item, dict)]
    if len(objects) < 2 or len(objects) < MESSAGE_SHARE * len(items):
        return None
    speaker = _speaker(objects)
    if speaker is None:
        return None
    text_key = _text_key(objects, speaker.path)
    if text_key is None:
        return None
    turns: list[tuple[str, str]] = []
    for item in objects:
        role = speaker.roles.get(_at(item, speaker.path))
        text = _text(item.get(text_key))
        if role in (USER, ASSISTANT) and text is not None:
            text = clean_text(text)
            if role == ASSISTANT:
                text = without_opening_reasoning(text)[0]
            turns.append((role, text))
    return _asked(turns)


def _asked(turns: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The turns as questions and replies: a user message the model never answered before the
    next one (a tool's setup message, a message sent again) is context, not a question; None
    unless both speak."""
    kept = [
        (CONTEXT if role == USER and n + 1 < len(turns) and turns[n + 1][0] == USER else role, text)
        for n, (role, text) in enumerate(turns)
    ]
    roles = {role for role, _ in kept}
    return kept if {USER, ASSISTANT} <= roles else None


def _paths(item: JsonObject) -> Iterator[tuple[tuple[str, ...], str | bool]]:
    """The object's scalar values, and those one level down (`author.role`)."""
    for key, value in item.items():
        if isinstance(value, dict):
            for inner, deeper in value.items():
                if isinstance(deeper, str | bool):
                    yield (key, inner), deeper
        elif isinstance(value, str | bool):
            yield (key,), value


def _at(item: JsonObject, path: tuple[str, ...]) -> object:
    value: object = item
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _speaker(objects: list[JsonObject]) -> _Reading | None:
    """The key path that says who spoke: role strings with the user's among them, or a flag
    named for the user."""
    values: dict[tuple[str, ...], Counter[object]] = {}
    for item in objects:
        for path, value in _paths(item):
            if isinstance(value, bool) or (len(value) <= 40 and len(value.split()) <= 3):
                values.setdefault(path, Counter())[value] += 1
    best: tuple[tuple[bool, int], _Reading] | None = None
    for path, counted in values.items():
        if sum(counted.values()) < _most(len(objects)) or len(counted) > MOST_SPEAKERS:
            continue
        # A speaker speaks again or is named by a role word: a key whose values are new each
        # time (titles, names of things) names no speakers.
        if not all(
            n >= 2 or isinstance(v, bool) or _hint_of(_words(v), str(v)) for v, n in counted.items()
        ):
            continue
        roles = _roles(path, counted)
        if roles is None:
            continue
        # A flag named for the user says it best; else the role words that name most messages.
        flag = all(isinstance(value, bool) for value in counted)
        named = sum(n for value, n in counted.items() if _hint_of(_words(value), str(value)))
        rank = (flag, named)
        if best is None or rank > best[0]:
            best = (rank, _Reading(path, roles))
    return None if best is None else best[1]


def _most(count: int) -> int:
    """How many of a list's objects must hold a key: most, all but one at least (a JSON Lines
    chat's header line), two at least."""
    return max(2, min(math.ceil(MESSAGE_SHARE * count), count - 1))


def _words(value: object) -> frozenset[str]:
    return frozenset(w for w in WORD.split(str(value).casefold()) if w)


def _roles(path: tuple[str, ...], counted: Counter[object]) -> dict[object, str] | None:
    """Each value's role, or None when the values name no user and no other speaker."""
    if all(isinstance(value, bool) for value in counted):
        words = set(WORD.split(path[-1].casefold())) | set(_camel_words(path[-1]))
        if {True, False} <= set(counted) and words & {"user", "human", "me"}:
            return {True: USER, False: ASSISTANT}
        return None
    if any(isinstance(value, bool) for value in counted):
        return None
    roles = {value: _hint_of(_words(value), str(value)) or "" for value in counted}
    if USER not in roles.values():
        return None
    if ASSISTANT not in roles.values() and "" not in roles.values():
        return None
    # A speaker no word names beside a named user is the model (a character's name), or, where
    # the model is named too, a third party (fabric's `meta` records): on no card.
    other = OTHER if ASSISTANT in roles.values() else ASSISTANT
    return {value: role or other for value, role in roles.items()}


def _camel_words(key: str) -> list[str]:
    """`isCreatedByUser` -> is, created, by, user."""
    return [word.casefold() for word in re.findall(r"[A-Z]?[a-z]+", key)]


def _text_key(objects: list[JsonObject], speaker: tuple[str, ...]) -> str | None:
    """The key whose values are the messages' text: the longest prose of the keys most items
    hold."""
    lengths: dict[str, list[int]] = {}
    for item in objects:
        for key, value in item.items():
            if key == speaker[0]:
                continue
            text = _text(value)
            if text is not None:
                lengths.setdefault(key, []).append(len(text))
    best: tuple[float, str] | None = None
    for key, found in lengths.items():
        if len(found) < _most(len(objects)) / 2:
            continue
        average = sum(found) / len(found)
        if best is None or average > best[0]:
            best = (average, key)
    return None if best is None else best[1]


def _text(value: object) -> str | None:
    """A message's text: a string, or the text parts of a list or an object (`{"value": ...}`,
    `[{"type": "text", "text": ...}]`); None if it holds none."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, list):
        parts = [text for part in value if (text := _part_text(part)) is not None]
        return "\n\n".join(parts) if parts else None
    if isinstance(value, dict):
        return _part_text(value)
    return None


def _part_text(part: object) -> str | None:
    if isinstance(part, str):
        return part if part.strip() else None
    if not isinstance(part, dict):
        return None
    kind = part.get("type")
    if isinstance(kind, str) and kind not in TEXT_PART_TYPES:
        return None
    for key in TEXT_KEYS:
        inner = part.get(key)
        if isinstance(inner, str):
            return inner if inner.strip() else None
        if isinstance(inner, dict | list):
            return _text(inner)
    return None
