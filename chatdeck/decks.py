"""Placing notes: which deck each note goes to, its tags, and its place in build order. A pure
step between parsing and merging; every note comes out a new record (`dataclasses.replace`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from chatdeck.config import FileSettings
from chatdeck.notes import CardNote, Note

Placeable = TypeVar("Placeable", Note, CardNote)

HASH_LIKE = re.compile(r"[0-9a-f]{8,}|^[\d_\-. ]+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a file's notes go: the deck, their tags, the file (its number in build order, and
    its path as the build found it)."""

    deck: str
    tags: tuple[str, ...]
    file_number: int
    origin: str


def place(notes: Iterable[Placeable], where: Place, first: int = 0) -> list[Placeable]:
    """The notes of one file, in order, put where `where` says, numbered from `first`."""
    return [
        replace(
            note,
            deck=where.deck,
            tags=where.tags,
            position=(where.file_number, first + number),
            origin=where.origin,
        )
        for number, note in enumerate(notes)
    ]


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
        chosen = settings.deck
        return chosen if chosen.startswith(top + "::") else f"{top}::{chosen}"
    sub = title or readable_name(stem)
    return f"{top}::{sub.replace('::', ':')}" if sub else top


def conversation_deck(top: str, conversation: str) -> str:
    """A chat export's conversation gets a sub-deck of its own under the top deck."""
    return f"{top}::{conversation.replace('::', ':')}"


def tags_for(folder_tags: tuple[str, ...], file_tags: tuple[str, ...]) -> tuple[str, ...]:
    """The folder's tags (deck.toml `tags`), then the file's own that are not among them."""
    return folder_tags + tuple(tag for tag in file_tags if tag not in folder_tags)


def output_name(top_deck: str) -> str:
    """A file name for the deck; never `collection.apkg` or `backup-*`, which Anki treats as a
    whole-collection restore."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", top_deck.split("::")[0]).strip(" .") or "deck"
    if name.lower() == "collection" or name.lower().startswith("backup"):
        name = "deck-" + name
    return name + ".apkg"
