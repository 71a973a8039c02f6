"""The build state of each deck: every note's digest, mod time, file and deck, and the note
type's, kept in one file per deck beside its `.apkg`, so that mod times move only when what Anki
shows changes, and any number of decks can share an output folder.

Anki updates a matched note on import only when the incoming mod is strictly newer
(docs/anki.md#when-a-matched-note-is-updated): stamping by content means an unchanged rebuild
changes nothing in Anki and an edit updates exactly that note. A note's digest covers its
fields' final HTML and its tags, nothing else: a new chatdeck, a new library or a line moved in
a file that renders the same HTML changes nothing. Missing or damaged state only means every
note counts as new once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatdeck.notes import CardNote, Problem
from chatdeck.package import NOTE_TYPE_NAME, atomic_write
from chatdeck.templates import Templates

STATE_VERSION = 2
#: The one state file of chatdeck before 0.2, shared by every deck built into the folder.
LEGACY_STATE_NAME = ".build-state.json"
#: The state as JSON gives it back: {"version", "deck", "package", "note_type": {hash, mod},
#: "notes": {guid: {hash, mod, origin, deck, tags?, removed?}}, "files": {origin: parse key},
#: "file_stamps": {origin: stamp}, "deck_stamp": [size, mtime_ns, inode]}.
#: "files" names each file's entry in the parse cache (`render_cache.file_key`) as the deck was
#: built, so that a note that leaves its file is found there (`chatdeck.removed`); a state
#: with "files" gives each note entry its tags (none: no "tags"). "file_stamps" holds, for
#: some of those files, the stamp of the bytes that key was made from (`chatdeck.file_stamps`):
#: while a file's stamp holds, the next build takes its parse without reading it. "deck_stamp"
#: is the .apkg's as the build left it: a build with nothing to change keeps the deck only while
#: it holds (a copy cut short or put back since is written again).
State = dict[str, Any]


def state_path(output: Path, package: str) -> Path:
    """A deck's state file: hidden, beside its .apkg, named after it."""
    return output / f".{Path(package).stem}.build-state.json"


def note_digest(note: CardNote) -> str:
    """What decides whether a note changed in Anki: its fields' HTML and its tags."""
    text = "\0".join([note.digest, *sorted(note.tags)]) if note.tags else note.digest
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def note_digests(notes: Iterable[CardNote]) -> list[str]:
    """Each note's `note_digest`, worked out once for both `changes.compare` and `stamp`."""
    return [note_digest(note) for note in notes]


def content_hash(*parts: object) -> str:
    return hashlib.sha256(
        json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


#: The largest mod time a state may hold (seconds; far beyond any real clock).
MAX_MOD = 1 << 40


def read_state(output: Path, package: str) -> tuple[State, Problem | None]:
    """The deck's state, checked, and what was wrong with it if anything was. Missing: start
    afresh. Damaged: start afresh too (or drop the damaged entries), and say so. A folder built
    by an older chatdeck has one shared state file: the deck it was last written for takes it
    over."""
    path = state_path(output, package)
    if not path.exists():
        legacy = output / LEGACY_STATE_NAME
        if not legacy.exists():
            return {}, None
        state, problem = checked_state(legacy)
        return (state, None) if state.get("package") == package and not problem else ({}, None)
    return checked_state(path)


def checked_state(path: Path) -> tuple[State, Problem | None]:
    """A state file as far as it can be trusted: only well-formed entries are kept."""

    def damaged(why: str) -> tuple[State, Problem]:
        message = f"build state {why}: starting afresh (the next import updates every note once)"
        return {}, Problem(str(path), None, message)

    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        return damaged(f"cannot be read ({error.strerror})")
    except ValueError:
        return damaged("is not valid JSON")
    if not isinstance(state, dict):
        return damaged("is not a JSON object")
    version = state.get("version")
    if version not in (1, STATE_VERSION):
        if isinstance(version, int) and version > STATE_VERSION:
            return damaged(f"was written by a newer chatdeck (version {version})")
        return damaged("has no version this chatdeck knows")
    notes = state.get("notes")
    if not isinstance(notes, dict):
        return damaged("has no table of notes")
    kept = {guid: entry for guid, entry in notes.items() if _sound_entry(entry)}
    note_type = state.get("note_type")
    clean: State = {
        "version": version,
        "notes": kept,
        "note_type": note_type if _sound_entry(note_type) else {},
        "package": state.get("package") if isinstance(state.get("package"), str) else "",
        "deck": state.get("deck") if isinstance(state.get("deck"), str) else "",
    }
    files = state.get("files")
    if isinstance(files, dict):  # (only a hint: a file not named here is read from the .apkg)
        clean["files"] = {o: k for o, k in files.items() if isinstance(k, str) and k}
        stamps = state.get("file_stamps")
        if isinstance(stamps, dict):
            clean["file_stamps"] = {
                origin: stamp
                for origin, stamp in stamps.items()
                if isinstance(stamp, str) and stamp and origin in clean["files"]
            }
    deck = state.get("deck_stamp")
    if isinstance(deck, list) and len(deck) == 3 and all(type(n) is int for n in deck):
        clean["deck_stamp"] = deck
    if len(kept) < len(notes):
        dropped = len(notes) - len(kept)
        message = f"build state: {dropped} damaged note entries ignored (those notes count as new)"
        return clean, Problem(str(path), None, message)
    return clean, None


def _sound_entry(entry: object) -> bool:
    """A note's (or the note type's) entry: a hash, a mod time in range, and optional extras
    of the right types."""
    if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
        return False
    mod = entry.get("mod")
    if isinstance(mod, bool) or not isinstance(mod, int) or not 0 <= mod < MAX_MOD:
        return False
    # The extras are optional: each absent one reads as a default of its type.
    tags = entry.get("tags", [])
    return (
        isinstance(entry.get("origin", ""), str)
        and isinstance(entry.get("deck", ""), str)
        and isinstance(entry.get("removed", False), bool)
        and isinstance(tags, list)
        and all(isinstance(tag, str) for tag in tags)
    )


def stamped_files(state: State) -> dict[str, tuple[str, str]]:
    """Each file the state has a stamp for -> (that stamp, the file's parse key)."""
    files, stamps = state.get("files", {}), state.get("file_stamps", {})
    return {origin: (stamp, files[origin]) for origin, stamp in stamps.items()}


def same_deck(state: State, other: State) -> bool:
    """Whether two states describe the same deck: all of them but the stamps of the files and
    of the deck, which only spare the next build reading its files and writing its deck."""
    unstamped = {"file_stamps": None, "deck_stamp": None}
    return {**state, **unstamped} == {**other, **unstamped}


def deck_stamp(path: Path) -> list[int] | None:
    """The deck file's size, modification time and inode (None if there is none): any copy,
    cut or swap since the build changes one of them."""
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns, status.st_ino]


def old_notes(state: State) -> dict[str, dict[str, Any]]:
    """The notes of a state this version understands (version 1 entries lack origin and deck)."""
    notes = state.get("notes") if state.get("version") in (1, STATE_VERSION) else None
    return notes if isinstance(notes, dict) else {}


@dataclass(frozen=True, slots=True)
class Stamps:
    notes: dict[str, int]
    note_type: int
    state: State


def stamp(
    notes: Sequence[CardNote],
    digests: Sequence[str],
    templates: Templates,
    state: State,
    now: int,
    top_deck: str,
    package: str,
    forgotten: Iterable[str] = (),
    parse_keys: dict[str, str] | None = None,
    file_stamps: dict[str, str] | None = None,
) -> Stamps:
    """Give each note and the note type a mod time that moves forward only when it changes.

    `digests`: each note's `note_digest`. Notes of the deck this build did not make (their
    files were not read) keep their entries.
    `forgotten`: notes gone from the transcripts whose old fields could not be found to emit
    them once more; the new state records them as removed all the same. `package`: the file
    name of the deck being written, from which the next build reads removed notes' fields.
    `parse_keys`: each file this build read -> its parse-cache key (kept, with the previous
    state's for files not read, for the files that still have notes in the deck).
    `file_stamps`: the stamp of each file of `parse_keys` whose stamp may be kept; a file of
    `parse_keys` without one loses its old stamp, which went with its old key."""
    previous_notes = old_notes(state)
    note_type = state.get("note_type") if state.get("version") in (1, STATE_VERSION) else None
    old_type = note_type if isinstance(note_type, dict) else {}
    mods: dict[str, int] = {}
    new_notes: dict[str, dict[str, Any]] = dict(previous_notes)
    for guid in forgotten:
        if guid in new_notes:
            new_notes[guid] = {**new_notes[guid], "removed": True}
    for note, digest in zip(notes, digests, strict=True):
        previous = previous_notes.get(note.guid)
        if previous and previous.get("hash") == digest:
            mod = int(previous["mod"])
        else:
            mod = max(now, int(previous["mod"]) + 1) if previous else now
        entry: dict[str, Any] = {"hash": digest, "mod": mod, "deck": note.deck}
        entry["origin"] = note.origin or (previous or {}).get("origin", "")
        if note.tags:
            entry["tags"] = list(note.tags)
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
    live = {entry.get("origin") for entry in new_notes.values() if not entry.get("removed")}
    old_files = state.get("files")
    known = {**(old_files if isinstance(old_files, dict) else {}), **(parse_keys or {})}
    files = {origin: key for origin, key in known.items() if origin in live}
    old_stamps = state.get("file_stamps", {})
    kept = {o: stamp for o, stamp in old_stamps.items() if o not in (parse_keys or {})}
    stamps = {o: stamp for o, stamp in {**kept, **(file_stamps or {})}.items() if o in files}
    new_state = {
        "version": STATE_VERSION,
        "deck": top_deck,
        "note_type": {"hash": type_digest, "mod": type_mod},
        "notes": new_notes,
        "package": package,
        "files": files,
        "file_stamps": stamps,
    }
    return Stamps(mods, type_mod, new_state)


def write_state(output: Path, state: State) -> None:
    """Write the deck's state (and retire the shared state file of an older chatdeck, once the
    deck it belonged to has its own)."""
    # No indent: json's C encoder only runs without one (10x faster on 100,000 notes). ASCII:
    # a file name that is not valid UTF-8 (kept by Python as lone surrogates) stays exact.
    data = json.dumps(state, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode()
    atomic_write(state_path(output, state["package"]), lambda handle: handle.write(data))
    legacy = output / LEGACY_STATE_NAME
    if legacy.exists() and checked_state(legacy)[0].get("package") == state["package"]:
        legacy.unlink(missing_ok=True)
