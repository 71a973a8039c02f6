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
from typing import Any

from chatdeck.notes import Problem

DEFAULT_TOP_DECK = "Chat Transcripts"
CONFIG_NAME = "deck.toml"


@dataclass(frozen=True, slots=True)
class FileSettings:
    deck: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeckConfig:
    deck: str | None = None
    tags: tuple[str, ...] = ()
    files: dict[str, FileSettings] = field(default_factory=dict)

    def settings_for(self, name: str, file_name: str) -> FileSettings:
        """A file's own settings, by its name relative to the folder or by its bare name."""
        return self.files.get(name) or self.files.get(file_name) or FileSettings()


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


def parse_config(data: dict[str, Any], where: str) -> DeckConfig:
    def tags_of(value: object, context: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise ConfigError(f"{where}: {context}tags must be a list of strings")
        return tuple(clean_tag(tag) for tag in value if clean_tag(tag))

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
