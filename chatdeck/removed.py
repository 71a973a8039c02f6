"""Questions that left the transcripts since the last build. Anki never deletes a note on
import (docs/anki.md#what-an-import-never-touches), so each is emitted once more, unchanged
but tagged `chatdeck::removed`, for the user to find and delete in Anki. Their old fields come
from the previous .apkg."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from chatdeck.notes import CardNote
from chatdeck.package import read_package_notes
from chatdeck.render import guard
from chatdeck.render_cache import content_key
from chatdeck.state import STATE_VERSION, State

REMOVED_TAG = "chatdeck::removed"


@dataclass(frozen=True, slots=True)
class Removed:
    #: The removed notes to emit, with their old fields' HTML as (key, HTML) for the cache.
    cards: tuple[CardNote, ...]
    html: tuple[tuple[str, str], ...]
    #: Removed notes whose old fields could not be read: recorded in the state only.
    forgotten: tuple[str, ...]


def newly_removed(state: State, current: set[str]) -> list[str]:
    """GUIDs built last time (and not already reported removed) whose question is gone now."""
    if state.get("version") != STATE_VERSION:
        return []
    return [
        guid
        for guid, entry in state.get("notes", {}).items()
        if guid not in current and not entry.get("removed")
    ]


def removed_cards(state: State, current: Iterable[CardNote], output_dir: Path) -> Removed:
    gone = newly_removed(state, {note.guid for note in current})
    if not gone:
        return Removed((), (), ())
    previous = read_package_notes(output_dir / str(state.get("package", "")), gone)
    cards: list[CardNote] = []
    html: list[tuple[str, str]] = []
    for guid in gone:
        if guid not in previous:
            continue
        deck, fields, tags = previous[guid]
        fields = [guard(field).html for field in fields]  # built by an older chatdeck, maybe
        keys = [content_key(field) for field in fields]
        html.extend(zip(keys, fields, strict=True))
        label = " ".join(re.sub(r"<[^>]+>", " ", fields[0]).split())
        cards.append(
            CardNote(
                guid,
                (keys[0], keys[1], keys[2]),
                source="",
                line=None,
                question=label,
                deck=deck,
                tags=tuple(tag for tag in tags if tag != REMOVED_TAG) + (REMOVED_TAG,),
                removed=True,
            )
        )
    forgotten = tuple(guid for guid in gone if guid not in previous)
    return Removed(tuple(cards), tuple(html), forgotten)
