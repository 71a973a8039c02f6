"""`deck.toml` beside the transcripts: the top deck's name, per-file decks, and tags.

deck = "ML Interview"            # top deck; also names the .apkg
tags = ["ml"]                    # on every note

[files."004_ff6aaf76073af994.txt"]
deck = "TensorFlow graphs"       # sub-deck under the top deck
tags = ["tensorflow"]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from chatdeck.notes import Problem

DEFAULT_TOP_DECK = "Chat Transcripts"
CONFIG_NAME = "deck.toml"


@dataclass
class FileSettings:
    deck: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class DeckConfig:
    deck: str | None = None
    tags: list[str] = field(default_factory=list)
    files: dict[str, FileSettings] = field(default_factory=dict)


class ConfigError(Exception):
    """deck.toml could not be used; the message names the file and line."""


def read_config(folder: Path) -> DeckConfig:
    path = folder / CONFIG_NAME
    if not path.is_file():
        return DeckConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"at line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        raise ConfigError(str(Problem(str(path), line, f"invalid TOML: {error}"))) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    return parse_config(data, str(path))


def parse_config(data: dict, where: str) -> DeckConfig:
    def tags_of(value: object, context: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise ConfigError(f"{where}: {context}tags must be a list of strings")
        return [clean_tag(tag) for tag in value if clean_tag(tag)]

    deck = data.get("deck")
    if deck is not None and not (isinstance(deck, str) and deck.strip()):
        raise ConfigError(f"{where}: deck must be a non-empty string")
    files: dict[str, FileSettings] = {}
    raw_files = data.get("files", {})
    if not isinstance(raw_files, dict):
        raise ConfigError(f"{where}: [files] must be a table")
    for name, settings in raw_files.items():
        if not isinstance(settings, dict):
            raise ConfigError(f'{where}: [files."{name}"] must be a table')
        file_deck = settings.get("deck")
        if file_deck is not None and not (isinstance(file_deck, str) and file_deck.strip()):
            raise ConfigError(f'{where}: [files."{name}"] deck must be a non-empty string')
        files[name] = FileSettings(file_deck, tags_of(settings.get("tags"), f'[files."{name}"] '))
    return DeckConfig(deck.strip() if deck else None, tags_of(data.get("tags"), ""), files)


def clean_tag(tag: str) -> str:
    """Anki tags cannot hold spaces."""
    return re.sub(r"\s+", "_", tag.strip())


HASH_LIKE = re.compile(r"[0-9a-f]{8,}|^[\d_\-. ]+$", re.IGNORECASE)


def readable_name(stem: str) -> str | None:
    """A deck name from a file name, or None for names like `001_33aadecbbf787f62`."""
    if HASH_LIKE.search(stem):
        return None
    name = re.sub(r"[_\-]+", " ", stem).strip()
    return name or None


def deck_for(top: str, title: str | None, stem: str, settings: FileSettings | None) -> str:
    """A file's deck under the top deck: from deck.toml, else its title line, else a readable
    file name, else the top deck itself."""
    if settings and settings.deck:
        sub = settings.deck
        return sub if sub.startswith(top + "::") else f"{top}::{sub}"
    sub = title or readable_name(stem)
    return f"{top}::{sub.replace('::', ':')}" if sub else top
