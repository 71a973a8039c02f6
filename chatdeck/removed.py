"""Questions that left the transcripts since the last build. Anki never deletes a note on
import (docs/anki.md#what-an-import-never-touches), so each is emitted once more, unchanged
but tagged `chatdeck::removed`, for the user to find in Anki. Their old fields come from the
render cache, where the parse cache's entry for their file as it was last built (named in the
state) says they are; else from the previous .apkg, which costs inflating all of it.

A note counts as removed only when the file it came from was read by this build and no longer
holds its question, or that file no longer exists: building a few files of a deck, or a file
that cannot be read for a moment, never marks the others' notes removed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from chatdeck.notes import CardNote
from chatdeck.package import read_package_notes
from chatdeck.parse_cache import from_json
from chatdeck.render_cache import RenderCache, content_key, html_digest
from chatdeck.sources import display_name
from chatdeck.state import State, old_notes

REMOVED_TAG = "chatdeck::removed"


@dataclass(frozen=True, slots=True)
class Removed:
    #: The removed notes to emit, with their old fields' HTML as (key, HTML) for the cache.
    cards: tuple[CardNote, ...]
    html: tuple[tuple[str, str], ...]
    #: Removed notes whose old fields could not be read: recorded in the state only.
    forgotten: tuple[str, ...]
    #: Notes of the deck before this build that were not removed already.
    known: int = 0


def newly_removed(state: State, current: Collection[str], read: Collection[str]) -> list[str]:
    """GUIDs of the deck's notes (not already reported removed) that are not in this build
    although their file was `read` by it, or no longer exists."""
    gone = []
    for guid, entry in old_notes(state).items():
        if guid in current or not isinstance(entry, dict) or entry.get("removed"):
            continue
        origin = entry.get("origin")
        if isinstance(origin, str) and origin and (origin in read or not Path(origin).exists()):
            gone.append(guid)
    return gone


def removed_cards(
    state: State,
    current: Iterable[CardNote],
    read: Collection[str],
    output_dir: Path,
    cache: RenderCache,
) -> Removed:
    """The notes that left the deck's files, from the render cache or the previous .apkg in
    `output_dir` (see the module's docstring)."""
    notes = old_notes(state)
    known = sum(
        1 for entry in notes.values() if isinstance(entry, dict) and not entry.get("removed")
    )
    gone = newly_removed(state, {note.guid for note in current}, read)
    if not gone:
        return Removed((), (), (), known)
    from chatdeck.cards import fields_digest  # the renderer: only when a note left
    from chatdeck.render import guard

    previous = cached_notes(state, gone, cache)
    missing = [guid for guid in gone if guid not in previous]
    previous |= read_package_notes(output_dir / str(state.get("package", "")), missing)
    cards: list[CardNote] = []
    stored: list[tuple[str, str]] = []
    for guid in gone:
        if guid not in previous:
            continue
        deck, fields, tags = previous[guid]
        fields = [guard(field).html for field in fields]  # built by an older chatdeck, maybe
        keys = [content_key(field) for field in fields]
        stored.extend(zip(keys, fields, strict=True))
        label = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fields[0]).split()))
        cards.append(
            CardNote(
                guid,
                (keys[0], keys[1], keys[2]),
                fields_digest([html_digest(field) for field in fields]),
                source=display_name(str(notes[guid].get("origin", "")))[0],
                line=None,
                question=label,
                origin=str(notes[guid].get("origin", "")),
                deck=deck,
                tags=tuple(tag for tag in tags if tag != REMOVED_TAG) + (REMOVED_TAG,),
                removed=True,
            )
        )
    forgotten = tuple(guid for guid in gone if guid not in previous)
    return Removed(tuple(cards), tuple(stored), forgotten, known)


def cached_notes(
    state: State, guids: list[str], cache: RenderCache
) -> dict[str, tuple[str, list[str], list[str]]]:
    """What `read_package_notes` gives for these notes (GUID -> deck, fields, tags), for those
    the caches still hold: the state names the parse-cache entry of each note's file as the
    deck was built, that entry the keys of the note's fields (the last copy of its question in
    the file, the one merging kept), the render cache their HTML; the state has its deck and
    tags. Any note one of them lacks is left out, for the .apkg to give."""
    notes, files = old_notes(state), state.get("files")
    if not isinstance(files, dict):
        return {}
    by_file: dict[str, list[str]] = {}
    for guid in guids:
        key = files.get(notes[guid].get("origin"))
        if isinstance(key, str):
            by_file.setdefault(key, []).append(guid)
    found: dict[str, tuple[str, list[str], list[str]]] = {}
    for key, wanted in by_file.items():
        stored = cache.get_file(key)
        try:
            cards = {card.guid: card for card in from_json(stored, "").cards} if stored else {}
        except ValueError:
            continue
        for guid in wanted:
            if guid not in cards:
                continue
            keys = list(cards[guid].field_keys)
            html = cache.get_many(keys)
            if all(field in html for field in keys):
                entry = notes[guid]
                deck, tags = str(entry.get("deck", "")), list(entry.get("tags", []))
                found[guid] = (deck, [html[field] for field in keys], tags)
    return found
