"""`deck.toml` beside the transcripts: the top deck's name, per-file decks, and tags.

deck = "ML Interview"            # top deck; also names the .apkg
tags = ["ml"]                    # on every note

[files."004_ff6aaf76073af994.txt"]
deck = "TensorFlow graphs"       # sub-deck under the top deck
tags = ["tensorflow"]

A name that cannot be a deck (`::`, or only spaces) stops the build with the file and line; a
name with an empty level (`::Top`, `Top::`) or invisible direction controls is read without
them, an unknown key or a `[files]` entry that names no file is reported, and nothing else is
silently ignored.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatdeck.notes import Problem
from chatdeck.sources import display_name, read_regular, special_kind

DEFAULT_TOP_DECK = "Chat Transcripts"
CONFIG_NAME = "deck.toml"
#: deck.toml is a few lines; a larger one is not read.
CONFIG_LIMIT = 1 << 20
TOP_KEYS = ("deck", "tags", "files")
FILE_KEYS = ("deck", "tags")
#: Characters that are invisible or reorder text (controls, bidirectional overrides and
#: isolates, marks): in a deck name they hide or disguise what it says, in a file name too.
INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
#: Half of a UTF-16 pair alone (a file name's undecodable byte, a JSON "\\ud800"): no file,
#: database or JSON encoder takes it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: Anki's separator of deck levels.
LEVEL = "::"


@dataclass(frozen=True, slots=True)
class FileSettings:
    deck: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeckConfig:
    deck: str | None = None
    tags: tuple[str, ...] = ()
    files: dict[str, FileSettings] = field(default_factory=dict)
    #: What the build should say about the file (unknown keys, names that were cleaned).
    problems: tuple[Problem, ...] = ()

    def settings_for(self, name: str, file_name: str) -> FileSettings:
        """A file's own settings, by its name relative to the folder or by its bare name."""
        return self.files.get(name) or self.files.get(file_name) or FileSettings()


class ConfigError(Exception):
    """deck.toml could not be used; the message names the file and line."""


def read_config(folder: Path) -> DeckConfig:
    path = folder / CONFIG_NAME
    where = display_name(str(path))[0]
    kind = special_kind(path)
    if kind:
        return DeckConfig(problems=(Problem(where, None, f"skipped: {kind}, not a regular file"),))
    if not path.is_file():
        return DeckConfig()
    try:
        text = read_regular(path, CONFIG_LIMIT).decode("utf-8-sig")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"at line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        raise ConfigError(str(Problem(where, line, f"invalid TOML: {error}"))) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(f"{where}: cannot read: {reason}") from None
    config = parse_config(data, where, text)
    bare_names: set[str] = set()  # of every file under the folder, found once if needed
    missing = []
    for name in config.files:
        if (folder / name).is_file():
            continue
        if not bare_names and "/" not in name and "\\" not in name:
            bare_names = _file_names(folder) or {CONFIG_NAME}
        if name not in bare_names:
            line = _line_of(text, None, name)
            missing.append(Problem(where, line, f'[files."{name}"]: no such file here'))
    if missing:
        return DeckConfig(config.deck, config.tags, config.files, config.problems + tuple(missing))
    return config


def parse_config(data: dict[str, Any], where: str, text: str = "") -> DeckConfig:
    """deck.toml's data -> settings; `text`, its source, gives the lines of the messages."""
    problems: list[Problem] = []

    def at(key: str | None, table: str | None = None) -> str:
        return str(Problem(where, _line_of(text, key, table), "")).removesuffix(": ")

    def tags_of(value: object, context: str, table: str | None) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise ConfigError(f"{at('tags', table)}: {context}tags must be a list of strings")
        return tuple(clean_tag(tag) for tag in value if clean_tag(tag))

    def deck_of(value: object, context: str, table: str | None) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not clean_deck_name(value):
            raise ConfigError(
                f"{at('deck', table)}: {context}deck must name a deck (not {value!r})"
            )
        cleaned = clean_deck_name(value)
        if cleaned != value.strip():
            problems.append(
                Problem(
                    where,
                    _line_of(text, "deck", table),
                    f"{context}deck {value!r} read as {cleaned!r} (empty levels, invisible "
                    "or direction-changing characters left out)",
                )
            )
        return cleaned

    def unknown(table: dict[str, Any], known: tuple[str, ...], name: str | None) -> None:
        for key in table:
            if key not in known:
                context = f'[files."{name}"]: ' if name is not None else ""
                problems.append(
                    Problem(
                        where,
                        _line_of(text, key, name),
                        f"{context}unknown key {key!r}, ignored (known: {', '.join(known)})",
                    )
                )

    unknown(data, TOP_KEYS, None)
    deck = deck_of(data.get("deck"), "", None)
    files: dict[str, FileSettings] = {}
    raw_files = data.get("files", {})
    if not isinstance(raw_files, dict):
        raise ConfigError(f"{at('files')}: [files] must be a table")
    for name, settings in raw_files.items():
        if not isinstance(settings, dict):
            raise ConfigError(f'{at(None, name)}: [files."{name}"] must be a table')
        unknown(settings, FILE_KEYS, name)
        context = f'[files."{name}"] '
        files[name] = FileSettings(
            deck_of(settings.get("deck"), context, name),
            tags_of(settings.get("tags"), context, name),
        )
    return DeckConfig(deck, tags_of(data.get("tags"), "", None), files, tuple(problems))


def clean_deck_name(name: str) -> str:
    """A deck name as Anki should get it: invisible and direction-changing characters left
    out, each level's outer spaces trimmed, empty levels dropped (`::Top::` -> `Top`). Empty
    when nothing is left."""
    name = INVISIBLE.sub("", LONE_SURROGATE.sub("\ufffd", name))
    return LEVEL.join(level.strip() for level in name.split(LEVEL) if level.strip())


def clean_tag(tag: str) -> str:
    """Anki tags cannot hold spaces."""
    return re.sub(r"\s+", "_", tag.strip())


def _line_of(text: str, key: str | None, table: str | None) -> int | None:
    """The line of `key` in deck.toml's text: at the top (`table` None) or in the table
    `[files."<table>"]` (the table's own line when `key` is None, or is not found in it);
    None when not found (a key written as an inline table, say)."""
    lines = text.splitlines()
    start, header_line = 0, None
    if table is not None:
        quoted = "|".join(re.escape(form) for form in (f'"{table}"', f"'{table}'", table))
        header = re.compile(rf"\s*\[\s*files\s*\.\s*(?:{quoted})\s*[\].]")
        found = next((i for i, line in enumerate(lines) if header.match(line)), None)
        if found is None:
            return None
        start, header_line = found + 1, found + 1
    if key is None:
        return header_line
    name = re.escape(key)
    pattern = re.compile(rf"\s*(?:{name}|\"{name}\"|'{name}')\s*[=.]")
    for number in range(start, len(lines)):
        line = lines[number]
        if line.lstrip().startswith("["):
            if table is None and re.match(rf"\s*\[\s*{name}\b", line):
                return number + 1  # `files`, written as tables
            break
        if pattern.match(line):
            return number + 1
    return header_line


def _file_names(folder: Path) -> set[str]:
    """The bare names of the files under `folder` (hidden folders left out), by which a
    `[files]` entry can name one (`DeckConfig.settings_for`)."""
    names: set[str] = set()
    for _root, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        names.update(files)
    return names
