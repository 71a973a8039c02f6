"""Chats saved as JSON or JSON Lines by tools other than ChatGPT's and Claude's data exports
(`chatdeck.exports`): found by their shape, not by a list of formats.

A chat in JSON is a list of message objects, each saying who spoke and what was said. Whatever
the keys are called, a list is a chat when most of its items share
- a key that says who spoke, named like one (`role`, `from`, `sender`, `author`, `type`, or
  one level down: `author.role`, `message.role`), whose values name the user and the model by
  role words (`user`, `human`; `assistant`, `gpt`, `model`), or the user beside speakers that
  recur (a character's name); or a flag named for the user (`is_user`, `isCreatedByUser`);
- a key holding the text: one of the usual names (`content`, `text`, `message`, `mes`,
  `value`, `parts`, `body`), else the longest prose; a string, or parts holding strings
  (`content: [{"type": "text", "text": ...}]`); tool calls, images and reasoning parts are not;
and the user's messages are answered. A list of records each holding a prompt and its reply
(`prompt`/`response`, `question`/`answer`) is a chat too, one per conversation key
(`conversation_id`), and so is a list of `[prompt, reply]` pairs of strings whose replies are
prose. So is one text beside a list of messages that each name a speaker and where in the text
they start (an editor's saved thread). A JSON Lines file is read as the list
of its lines.

Each user message is a question and the replies up to the next one its answer; system, tool and
third-party messages and a reply's opening `<think>` block are on no card; a first user message
the model never answered (a tool's setup message) is context, reported. Every walk is iterative
and linear in the file's size; for any content the result is chats, or None (the file is then
read as text), never an exception.
"""

from __future__ import annotations

import html
import json
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from chatdeck.exports import UNTITLED, Conversation, Export, JsonObject, clean_text, pair_turns
from chatdeck.notes import Problem
from chatdeck.reasoning import without_opening_reasoning
from chatdeck.turn_markers import ASSISTANT, OTHER, USER, role_hint

RULE = "json chat"
#: A value that may say who spoke: a label, a flag or a one-digit code.
Said = str | bool | int
#: A first user message no reply answered before the next one: context, on no card.
CONTEXT = "context"
#: Keys that hold a message's text, most likely first; also one level down (`{"text":
#: {"value": ...}}`, parts).
TEXT_KEYS = ("content", "text", "message", "mes", "value", "parts", "body")
#: Keys that name a chat, on an object that holds its messages.
TITLE_KEYS = ("title", "name", "topic", "subject", "chat_name", "chatName")
#: Words in a part's `type` that say it holds no text for a card.
NOT_TEXT_PARTS = re.compile(r"tool|function|image|audio|file|think|reason|redacted|call", re.I)
#: Words of a key that says who spoke (its last part), and of a flag that says it was the user.
SPEAKER_KEY_WORDS = frozenset("role from sender speaker author type who participant".split())
FLAG_KEY_WORDS = frozenset("is by from created sent".split())
#: Words of a key that holds reasoning, not the reply.
REASONING_KEY_WORDS = frozenset("reasoning thinking thoughts thought reason".split())
#: Role words of three letters or fewer that count in a JSON value (`io`, `du`, `ben` do not).
SHORT_ROLES = frozenset("ai me you gpt bot".split())
#: Share of a list's items that must be messages (a JSON Lines chat may open with a header).
MESSAGE_SHARE = 0.8
#: The most speakers a chat has.
MOST_SPEAKERS = 8
#: How deep a message's text may be nested in parts.
TEXT_DEPTH = 8
WORD = re.compile(r"[\W_]+")

Turn = tuple[str, str]


def read_json_chats(data: bytes, source: str) -> Export | None:
    """The chats in a JSON, JSON Lines or YAML file, or None when it holds none (it is then
    read as text, as any other file)."""
    yaml_file = PurePath(source).suffix.lower() in YAML_SUFFIXES
    decoded = _decode_yaml(data) if yaml_file else _decode(data)
    if decoded is None:
        return None
    value, cut = decoded
    try:
        chats = list(_chats(value))
    except (RecursionError, TypeError):  # nested past what the walk allows; a key no string
        return None
    if not chats:
        return None
    export = Export(source)
    if cut:
        export.problems.append(
            Problem(source, None, "the last line is not whole JSON (cut off?): left out")
        )
    for number, (title, turns) in enumerate(chats, start=1):
        # An untitled chat is named as a transcript is: by the file.
        named = bool(title)
        title = title or PurePath(source).stem
        label = f'conversation "{title}"' if named or len(chats) == 1 else f"conversation {number}"
        problems: list[str] = []
        if any(role == CONTEXT for role, _ in turns):
            problems.append(
                f"{label}: the first message, which the model never answered before your next "
                "one (a tool's setup message), is not a card"
            )
        asked = [turn for turn in turns if turn[0] != CONTEXT]
        notes = pair_turns(asked, title or UNTITLED, source, RULE, label, problems)
        export.conversations.append(Conversation(title, None, notes))
        export.problems.extend(Problem(source, None, text) for text in problems)
    return export


#: YAML files: the same data as JSON's (a list of `role` / `content` mappings: chatblade's).
YAML_SUFFIXES = (".yaml", ".yml")


def _decode_yaml(data: bytes) -> tuple[object, bool] | None:
    """A YAML file's value (plain data only: `safe_load`), or None. A file with aliases is not
    read (a few lines of them can stand for more data than any chat)."""
    import yaml  # imported where used: only YAML files need it

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Strings(base):  # type: ignore[misc, valid-type]
        """Every plain scalar as the text it is (`no:`, `content: yes`, `200:`: words and
        numbers of a chat, not YAML 1.1's booleans and integers)."""

    Strings.yaml_implicit_resolvers = {}
    try:
        text = data.decode("utf-8-sig")
        if "*" in text and any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text)):
            return None
        return yaml.load(text, Loader=Strings), False  # noqa: S506 (a safe loader's subclass)
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


def _decode(data: bytes) -> tuple[object, bool] | None:
    """The file's JSON value, and whether a JSON Lines file's last line was cut off (it is left
    out); a JSON Lines file is the list of its lines' values."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        value: object = json.loads(text)
        return value, False
    except (ValueError, RecursionError):
        pass
    lines = [line for line in text.splitlines() if line.strip()]
    items: list[object] = []
    for n, line in enumerate(lines):
        try:
            items.append(json.loads(line))
        except (ValueError, RecursionError):
            if n == len(lines) - 1 and n > 0:  # a tool stopped in the middle of a line
                return items, True
            return None
    return (items, False) if items else None


def _chats(value: object) -> Iterator[tuple[str, list[Turn]]]:
    """Each chat in the file, in file order, with the title of the nearest object holding it
    that has one."""
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        node, title = stack.pop()
        if isinstance(node, list):
            paired_turns = _pairs(node)
            if paired_turns is not None:
                yield title, paired_turns
                continue
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
            spans = _spans(node)
            if spans is not None:
                summary = node.get("summary")
                named = isinstance(summary, str) and _title_of({"title": summary})
                yield title or named or "", spans
                continue
            paired = {key: turns for key, value in node.items() if (turns := _pairs(value))}
            for key in _unescaped_copies(node, paired):
                yield title, paired[key]
            children = [
                child
                for key, child in node.items()
                if isinstance(child, dict | list) and key not in paired
            ]
            stack.extend((child, title) for child in reversed(children))


def _title_of(holder: JsonObject) -> str:
    for key in TITLE_KEYS:
        value = holder.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(clean_text(value).split())
    return ""


# --- Records of a prompt and its reply ----------------------------------------------------------

#: Key names of an exchange's two halves, when one object holds a prompt and its reply.
PROMPT_WORDS = frozenset("prompt question input query instruction request".split())
REPLY_WORDS = frozenset("response answer output completion reply".split())
CHAT_WORDS = frozenset("conversation chat session thread".split())


def _exchanges(items: list[Any]) -> list[tuple[str, list[Turn]]] | None:
    """A list of exchanges, each object holding a prompt and its reply (`prompt`/`response`,
    `question`/`answer`, `input`/`output`), read as chats: one per value of a key naming the
    conversation (`conversation_id`), titled by its `conversation_name`. None otherwise, and
    for two records or fewer with no conversation key (a list of test cases is no chat)."""
    objects = _objects(items)
    if objects is None:
        return None
    keys: Counter[str] = Counter(key for item in objects for key in item)
    common = [key for key, n in keys.items() if n >= MESSAGE_SHARE * len(objects)]
    prompt = next((k for k in common if _key_words(k) <= PROMPT_WORDS), None)
    reply = next((k for k in common if _key_words(k) <= REPLY_WORDS), None)
    if prompt is None or reply is None:
        return None
    chat_id = next(
        (k for k in common if _key_words(k) & CHAT_WORDS and "id" in _key_words(k)), None
    )
    prose = sum(
        1 for item in objects if " " in str(item.get(prompt)) and " " in str(item.get(reply))
    )
    if chat_id is None and prose < max(3, len(objects) // 2):
        return None
    chat_name = next(
        (k for k in common if _key_words(k) & CHAT_WORDS and _key_words(k) & {"name", "title"}),
        None,
    )
    chats: dict[object, tuple[str, list[Turn]]] = {}
    for item in objects:
        question, answer = _text(item.get(prompt)), _text(item.get(reply))
        if question is None:
            continue
        group = item.get(chat_id) if chat_id else None
        name = item.get(chat_name) if chat_name else None
        _, turns = chats.setdefault(
            group if isinstance(group, str | int) else None,
            (" ".join(clean_text(name).split()) if isinstance(name, str) else "", []),
        )
        turns.append((USER, clean_text(question)))
        if answer is not None:
            turns.append((ASSISTANT, without_opening_reasoning(clean_text(answer))))
    return list(chats.values()) or None


#: A prompt that only stands in for the chat's opening (text-generation-webui's greeting).
OPENING_TOKEN = re.compile(r"^<\|[\w-]{1,40}\|>$")


def _pairs(value: object) -> list[Turn] | None:
    """A list of exchanges as pairs of strings, the prompt then the reply (text-generation-
    webui's history): a chat when every item is such a pair, the replies are prose, longer
    than the prompts in all, and most prompts are words too (pairs of words, a glossary, and
    names with what they stand for, keys, options or time codes, are no chat). A pair whose
    prompt is empty or a token (`<|BEGIN-VISIBLE-CHAT|>`) opens the chat: a greeting, no card;
    after the first, its reply is more of the answer before. Pairs whose first strings all name
    a speaker are that speaker's messages."""
    if not isinstance(value, list) or not value:
        return None
    if not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(t, str) for t in pair)
        for pair in value
    ):
        return None
    spoken = _spoken(value)
    if spoken is not None:
        return spoken
    prompts = sum(len(pair[0]) for pair in value)
    replies = [pair[1] for pair in value]
    prose = sum(1 for reply in replies if len(reply.split()) >= 3)
    if prose * 2 <= len(replies) or sum(map(len, replies)) <= prompts:
        return None
    asked = sum(1 for prompt, _ in value if _words(prompt) >= 2)
    if asked * 2 <= sum(1 for prompt, _ in value if prompt.strip()):
        return None  # keys, options, time codes: names of what the strings describe
    turns: list[Turn] = []
    for prompt, reply in value:
        # no prompt: the opening greeting (on no card), or more of the answer before
        if prompt.strip() and not OPENING_TOKEN.match(prompt.strip()):
            turns.append((USER, clean_text(prompt)))
        if reply.strip() and turns:
            turns.append((ASSISTANT, without_opening_reasoning(clean_text(reply))))
    return _asked(turns)


def _words(text: str) -> int:
    """Words with letters in a text (`welcome_message`, `--verbose` and a time code hold one or
    none); a script written without spaces counts by its characters."""
    if UNSPACED.search(text):
        return len(UNSPACED.findall(text))
    return sum(1 for token in text.split() if LETTER.search(token))


UNSPACED = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
LETTER = re.compile(r"[^\W\d_]")


def _spoken(pairs: list[list[str]]) -> list[Turn] | None:
    """Pairs whose first strings all name a speaker (`["human", ...]`, `["ai", ...]`: LangChain's
    message tuples) are messages, each the speaker and what they said; None for other pairs."""
    hints = {name: _value_hint(name) for name in {pair[0].strip() for pair in pairs}}
    if not all(hints.values()) or not {USER, ASSISTANT} <= set(hints.values()):
        return None
    turns: list[Turn] = []
    for name, said in pairs:
        role = hints[name.strip()]
        if role in (USER, ASSISTANT) and said.strip():
            said = clean_text(said)
            turns.append((role, without_opening_reasoning(said) if role == ASSISTANT else said))
    return _asked(turns)


def _unescaped_copies(holder: JsonObject, paired: dict[str, list[Turn]]) -> list[str]:
    """Of lists of exchanges side by side, the keys of those to read: all but a copy of another,
    the same or shown as HTML (`&lt;think&gt;`: the same texts once its entities are read)."""
    first: dict[str, str] = {}
    for key in paired:
        first.setdefault(json.dumps(holder[key]), key)
    return [
        key
        for key in paired
        if first[json.dumps(holder[key])] == key
        and first.get(json.dumps(_unescaped(holder[key])), key) == key
    ]


def _unescaped(pairs: list[list[str]]) -> list[list[str]]:
    return [[html.unescape(text) for text in pair] for pair in pairs]


def _objects(items: list[Any]) -> list[JsonObject] | None:
    """A list's objects, when most of its items are objects (a JSON Lines chat may open with a
    header line of another shape); None otherwise."""
    objects = [item for item in items if isinstance(item, dict)]
    return objects if objects and len(objects) >= MESSAGE_SHARE * len(items) else None


def _key_words(key: str) -> set[str]:
    """`conversation_id` -> conversation, id; `isCreatedByUser` -> is, created, by, user."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key)
    return {w for w in WORD.split(spaced.casefold()) if w}


# --- One text and its messages' offsets ----------------------------------------------------------


def _spans(holder: JsonObject) -> list[Turn] | None:
    """A chat kept as one text beside a list of messages that each say who spoke and where in
    the text they start (an editor's saved thread: `text`, and `messages` of `{start, role}`):
    each message is the text from its offset to the next one's. None for any other object.

    The offsets count characters, or the text's UTF-8 bytes when that is the reading that
    starts every message right after a line break (a tool in Rust counts bytes)."""
    texts = [value for value in holder.values() if isinstance(value, str) and "\n" in value]
    if not texts:
        return None
    text = max(texts, key=len)
    for value in holder.values():
        objects = _objects(value) if isinstance(value, list) else None
        if objects is None or len(objects) < 2 or len(objects) != len(value):
            continue
        speaker = _speaker(objects)
        offsets = _offsets(objects, text) if speaker is not None else None
        if speaker is None or offsets is None:
            continue
        turns: list[Turn] = []
        for item, start, end in zip(objects, offsets, [*offsets[1:], None], strict=True):
            said = _at(item, speaker.path)
            role = speaker.roles.get(said) if isinstance(said, str | int) else None
            said_text = clean_text(text[start:end]).strip()
            if role in (USER, ASSISTANT) and said_text:
                if role == ASSISTANT:
                    said_text = without_opening_reasoning(said_text)
                turns.append((role, said_text))
        return _asked(turns)
    return None


def _offsets(objects: list[JsonObject], text: str) -> list[int] | None:
    """Each message's start in `text`, in characters: from a key every message holds as an
    integer, first 0, never falling, within the text (read as characters, else as bytes)."""
    encoded = text.encode(errors="surrogatepass")  # a lone surrogate (JSON `\\ud83d`) is valid
    for key in objects[0]:
        numbers = [n for item in objects if type(n := item.get(key)) is int]
        if len(numbers) != len(objects) or numbers[0] != 0:
            continue
        if any(b < a for a, b in zip(numbers, numbers[1:], strict=False)):
            continue
        if numbers[-1] <= len(text) and _after_breaks(text, numbers):
            return numbers
        if numbers[-1] <= len(encoded) and _after_breaks(encoded, numbers):
            characters = [0]
            try:
                for a, b in zip(numbers, numbers[1:], strict=False):
                    said = encoded[a:b].decode(errors="surrogatepass")
                    characters.append(characters[-1] + len(said))
            except UnicodeDecodeError:  # an offset inside a character: no byte offsets
                continue
            return characters
    return None


def _after_breaks(text: str | bytes, starts: list[int]) -> bool:
    """Every start but the first opens a line."""
    newline = "\n" if isinstance(text, str) else b"\n"
    return all(text[n - 1 : n] == newline for n in starts[1:])


# --- Lists of messages ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Speaker:
    """How a list's items say who spoke: a key path and each of its values' role."""

    path: tuple[str, ...]
    roles: dict[Said, str]


def _messages(items: list[Any]) -> list[Turn] | None:
    """The list read as a chat's messages, (role, text) in order; None if it is no chat."""
    objects = _objects(items)
    if objects is None or len(objects) < 2:
        return None
    speaker = _speaker(objects)
    if speaker is None:
        return None
    place, text_key = _text_key(objects, speaker)
    if text_key is None:
        return None
    turns: list[Turn] = []
    for item in objects:
        said = _at(item, speaker.path)
        role = speaker.roles.get(said) if isinstance(said, str | int) else None
        holder = item.get(place) if place else item
        text = _text(holder.get(text_key)) if isinstance(holder, dict) else None
        if role in (USER, ASSISTANT) and text is not None:
            text = clean_text(text)
            if role == ASSISTANT:
                text = without_opening_reasoning(text)
            turns.append((role, text))
    return _asked(turns)


def _asked(turns: list[Turn]) -> list[Turn] | None:
    """The turns as questions and replies: the user's messages in a row are one question, but a
    first message the model never answered before the next one (a tool's setup message) is
    context; None unless the model answers the user."""
    kept: list[Turn] = []
    for n, (role, text) in enumerate(turns):
        if role == USER and kept and kept[-1][0] == USER:
            kept[-1] = (USER, kept[-1][1] + "\n\n" + text)
        elif role == USER and n == 0 and len(turns) > 1 and turns[1][0] == USER:
            kept.append((CONTEXT, text))
        else:
            kept.append((role, text))
    answered = any(a[0] == USER and b[0] == ASSISTANT for a, b in zip(kept, kept[1:], strict=False))
    return kept if answered else None


def _paths(item: JsonObject) -> Iterator[tuple[tuple[str, ...], Said]]:
    """The object's scalar values, and those one level down (`author.role`)."""
    for key, value in item.items():
        if isinstance(value, dict):
            for inner, deeper in value.items():
                if isinstance(deeper, str | int):
                    yield (key, inner), deeper
        elif isinstance(value, str | int):
            yield (key,), value


def _at(item: JsonObject, path: tuple[str, ...]) -> object:
    value: object = item
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _speaker(objects: list[JsonObject]) -> _Speaker | None:
    """The key path that says who spoke, named like one: role words for the user and another
    speaker, or a flag named for either (preferred)."""
    values: dict[tuple[str, ...], Counter[Said]] = {}
    for item in objects:
        for path, value in _paths(item):
            if _speaker_key(path, value):
                values.setdefault(path, Counter())[value] += 1
    best: tuple[tuple[bool, int], _Speaker] | None = None
    for path, counted in values.items():
        if sum(counted.values()) < _most(len(objects)) or len(counted) > MOST_SPEAKERS:
            continue
        roles = _roles(counted) or _by_turns(objects, path, counted)
        if roles is None:
            continue
        if _flag_role(_key_words(path[-1])) == ASSISTANT and True in roles:
            roles = {True: ASSISTANT, False: USER}  # `isBot`: true for the model
        flag = all(isinstance(value, bool) for value in counted)
        named = sum(n for value, n in counted.items() if _value_hint(value))
        if best is None or (flag, named) > best[0]:
            best = ((flag, named), _Speaker(path, roles))
    return None if best is None else best[1]


def _by_turns(
    objects: list[JsonObject], path: tuple[str, ...], counted: Counter[Said]
) -> dict[Said, str] | None:
    """Two names no word marks (a person and a bot, in a chat app's export), or two codes (a
    plugin's `type: 1` / `type: 2`): a chat when they take turns, four messages or more, the
    first to speak writing short messages and the other long ones (half as long at most, by
    median); the first is the user. A third code that speaks once at the start is the setup's
    (a system message), on no card."""
    codes = all(isinstance(value, int) and not isinstance(value, bool) for value in counted)
    if codes and len(counted) == 3:
        opening = _at(objects[0], path)
        if isinstance(opening, int) and counted[opening] == 1:  # (`type: 3`, the system's)
            rest = Counter({value: n for value, n in counted.items() if value != opening})
            roles = _by_turns(objects[1:], path, rest)
            return {**roles, opening: OTHER} if roles is not None else None
    if len(counted) != 2 or not (codes or all(isinstance(value, str) for value in counted)):
        return None
    said = [(_at(item, path), _size(item)) for item in objects if _at(item, path) in counted]
    if len(said) < 4:
        return None
    changes = sum(1 for (a, _), (b, _) in zip(said, said[1:], strict=False) if a != b)
    if changes * 10 < (len(said) - 1) * 8:
        return None
    first = said[0][0]
    assert isinstance(first, str | int)  # (one of `counted`)
    other = next(value for value in counted if value != first)
    mine = statistics.median(size for value, size in said if value == first)
    theirs = statistics.median(size for value, size in said if value == other)
    if mine * 2 > theirs:
        return None
    return {first: USER, other: ASSISTANT}


def _size(item: JsonObject) -> int:
    """How much text a message holds, by its usual text keys."""
    return sum(len(_text(item[key]) or "") for key in TEXT_KEYS if key in item)


def _speaker_key(path: tuple[str, ...], value: Said) -> bool:
    """A key that may say who spoke: `role`, `from`, `author.role`, `is_user`; a value that is
    a label (a word or three, or a one-digit code), not a sentence."""
    words = _key_words(path[-1])
    if isinstance(value, bool):
        return _flag_role(words) is not None
    if isinstance(value, int):
        return 0 <= value <= 9 and len(path) == 1 and bool(words & SPEAKER_KEY_WORDS)
    if len(value) > 40 or len(value.split()) > 3:
        return False
    if len(path) == 2:
        return bool(words & (SPEAKER_KEY_WORDS - {"type", "author"}))
    return bool(words & SPEAKER_KEY_WORDS)


#: The one word besides FLAG_KEY_WORDS in a flag's key, and the role its `true` names.
FLAG_ROLES = {"user": USER, "human": USER, "me": USER} | dict.fromkeys(
    ("bot", "ai", "assistant", "model"), ASSISTANT
)


def _flag_role(words: set[str] | frozenset[str]) -> str | None:
    """The role a true flag names (`is_user`, `isCreatedByUser`: the user; `isBot`, `is_ai`:
    the model), or None for a key that is no such flag."""
    named = words - FLAG_KEY_WORDS
    return FLAG_ROLES.get(next(iter(named))) if len(named) == 1 else None


def _most(count: int) -> int:
    """How many of a list's objects must hold a key: most, all but one at least (a JSON Lines
    chat's header line), two at least."""
    return max(2, min(math.ceil(MESSAGE_SHARE * count), count - 1))


def _value_hint(value: Said) -> str | None:
    """The role a speaker value's words name, if any (`user`, `gpt`, `model`, `system`)."""
    if not isinstance(value, str):
        return None
    words = frozenset(
        w for w in WORD.split(value.casefold()) if w and (len(w) > 3 or w in SHORT_ROLES)
    )
    return role_hint(words)


def _roles(counted: Counter[Said]) -> dict[Said, str] | None:
    """Each value's role, or None when the values do not name the user and the model."""
    if any(isinstance(value, int) and not isinstance(value, bool) for value in counted):
        return None  # codes: told apart by their messages (`_by_turns`)
    if any(isinstance(value, bool) for value in counted):
        if set(counted) == {True, False}:
            return {True: USER, False: ASSISTANT}
        return None
    hints = {value: _value_hint(value) for value in counted}
    if USER not in hints.values():
        return None  # two names no word marks are told apart by their messages (`_by_turns`)
    named = ASSISTANT in hints.values()
    unnamed = [value for value, hint in hints.items() if hint is None]
    # A speaker no word names is the model beside a named user (a character's name) if it
    # speaks again; where the model is named too, a third party (fabric's `meta`): no card.
    if not named and not any(counted[value] >= 2 for value in unnamed):
        return None
    other = OTHER if named else ASSISTANT
    return {value: hint or other for value, hint in hints.items()}


def _text_key(objects: list[JsonObject], speaker: _Speaker) -> tuple[str | None, str | None]:
    """Where the messages' text is: (the object it is in, its key). Inside the object that
    says who spoke when that is nested and holds it (`message.role` beside `message.content`),
    else beside it; a usual text key first, else the longest prose of the keys both speakers'
    messages hold, never a key named for reasoning."""
    if len(speaker.path) == 2:
        inside = _text_key_in(objects, speaker, speaker.path[0])
        if inside is not None:
            return speaker.path[0], inside
    return None, _text_key_in(objects, speaker, None)


def _text_key_in(objects: list[JsonObject], speaker: _Speaker, place: str | None) -> str | None:
    lengths: dict[str, list[int]] = {}
    roles: dict[str, set[str]] = {}
    for item in objects:
        holder = item.get(place) if place else item
        said = _at(item, speaker.path)
        role = speaker.roles.get(said) if isinstance(said, str | int) else None
        if not isinstance(holder, dict):
            continue
        for key, value in holder.items():
            if not isinstance(key, str) or (key,) == speaker.path[-1:] or key in speaker.path:
                continue
            if _key_words(key) & REASONING_KEY_WORDS:
                continue
            text = _text(value)
            if text is not None:
                lengths.setdefault(key, []).append(len(text))
                roles.setdefault(key, set()).add(role or "")
    both = [key for key in lengths if {USER, ASSISTANT} <= roles[key]]
    usual = [key for key in TEXT_KEYS if key in both]
    if usual:
        return usual[0]
    prose = [key for key in both if len(set(lengths[key])) > 1]
    if not prose:
        return None
    return max(prose, key=lambda key: sum(lengths[key]) / len(lengths[key]))


def _text(value: object, depth: int = 0) -> str | None:
    """A message's text: a string, or the text parts of a list or an object (`{"value": ...}`,
    `[{"type": "text", "text": ...}]`); None if it holds none."""
    if isinstance(value, str):
        return value if value.strip() else None
    if depth >= TEXT_DEPTH:
        return None
    if isinstance(value, list):
        if any(isinstance(part, str) for part in value) and any(
            isinstance(part, dict) for part in value
        ):
            return _inline_run(value, depth + 1)
        parts = [text for part in value if (text := _part_text(part, depth + 1)) is not None]
        return "\n\n".join(parts) if parts else None
    if isinstance(value, dict):
        return _part_text(value, depth + 1)
    return None


#: Rich-text entity types (Telegram's export, ...) and the Markdown that shows each.
INLINE_FORMS = {"code": "`{}`", "bold": "**{}**", "italic": "*{}*", "strikethrough": "~~{}~~"}


def _inline_run(parts: list[object], depth: int) -> str | None:
    """Text written as a run of strings and entity objects (`["See ", {"type": "code", "text":
    "x"}, " here"]`): one text, each entity in its Markdown form, a `pre` block fenced."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        if not isinstance(part, dict):
            continue
        text = _part_text(part, depth)
        if text is None:
            continue
        kind = part.get("type")
        language = part.get("language")
        if kind == "pre":
            fence = "```" + (language if isinstance(language, str) else "")
            out.append(f"{fence}\n{text.strip(chr(10))}\n```")
        elif isinstance(kind, str) and kind in INLINE_FORMS:
            out.append(INLINE_FORMS[kind].format(text))
        elif kind == "text_link" and isinstance(part.get("href"), str):
            out.append(f"[{text}]({part['href']})")
        else:
            out.append(text)
    joined = "".join(out)
    return joined if joined.strip() else None


def _part_text(part: object, depth: int) -> str | None:
    if isinstance(part, str):
        return part if part.strip() else None
    if not isinstance(part, dict):
        return None
    kind = part.get("type")
    if isinstance(kind, str) and NOT_TEXT_PARTS.search(kind):
        return None
    for key in TEXT_KEYS:
        if key in part:
            return _text(part[key], depth)
    return None
