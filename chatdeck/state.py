"""The build state beside each deck: every note's content digest and mod time, and the note
type's, so that mod times move only when content changes.

Anki updates a matched note on import only when the incoming mod is strictly newer
(docs/anki.md#when-a-matched-note-is-updated): stamping by content means an unchanged rebuild
changes nothing in Anki and an edit updates exactly that note. Missing or damaged state only
means every note counts as new once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatdeck.notes import CardNote
from chatdeck.package import NOTE_TYPE_NAME, atomic_write
from chatdeck.templates import Templates

STATE_NAME = ".build-state.json"
STATE_VERSION = 1
#: The state as JSON gives it back: {"version", "note_type": {hash, mod}, "notes": {guid: {hash,
#: mod, removed?}}, "package"}.
State = dict[str, Any]


def note_digest(note: CardNote) -> str:
    """What decides whether a note changed: its fields' cache keys (which hash their Markdown
    and the renderer's version, or their HTML) and its tags. No HTML needs reading for it;
    the price is that a new chatdeck version updates every note once."""
    return hashlib.sha256("\0".join([*note.field_keys, *sorted(note.tags)]).encode()).hexdigest()


def content_hash(*parts: object) -> str:
    return hashlib.sha256(
        json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class Stamps:
    notes: dict[str, int]
    note_type: int
    state: State


def stamp(
    notes: Iterable[CardNote],
    templates: Templates,
    state: State,
    now: int,
    package: str,
    forgotten: Iterable[str] = (),
) -> Stamps:
    """Give each note and the note type a mod time that moves forward only when it changes.

    `forgotten`: notes gone from the transcripts whose old fields could not be found to emit
    them once more; the new state records them as removed all the same. `package`: the file
    name of the deck being written, from which the next build reads removed notes' fields."""
    old_notes = state.get("notes", {}) if state.get("version") == STATE_VERSION else {}
    old_type = state.get("note_type", {}) if state.get("version") == STATE_VERSION else {}
    mods: dict[str, int] = {}
    new_notes: dict[str, dict[str, Any]] = dict(old_notes)
    for guid in forgotten:
        if guid in new_notes:
            new_notes[guid] = {**new_notes[guid], "removed": True}
    for note in notes:
        previous = old_notes.get(note.guid)
        digest = note_digest(note)
        if previous and previous.get("hash") == digest:
            mod = int(previous["mod"])
        else:
            mod = max(now, int(previous["mod"]) + 1) if previous else now
        entry = {"hash": digest, "mod": mod}
        if note.removed:
            entry["removed"] = True
        # An unchanged note keeps its entry: a copy of each is a fifth of a rebuild's memory.
        new_notes[note.guid] = previous if previous == entry else entry
        mods[note.guid] = mod
    type_digest = content_hash(templates.front, templates.back, templates.css, NOTE_TYPE_NAME)
    if old_type.get("hash") == type_digest:
        type_mod = int(old_type["mod"])
    else:
        type_mod = max(now, int(old_type.get("mod", 0)) + 1)
    new_state = {
        "version": STATE_VERSION,
        "note_type": {"hash": type_digest, "mod": type_mod},
        "notes": new_notes,
        "package": package,
    }
    return Stamps(mods, type_mod, new_state)


def read_state(path: Path) -> State:
    """The build state (note content hashes and mod times). Missing or damaged: start afresh."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_state(path: Path, state: State) -> None:
    # No indent: json's C encoder only runs without one (10x faster on 100,000 notes).
    data = json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    atomic_write(path, lambda handle: handle.write(data))
