"""What a build changes in Anki, from the deck's state before and after it: each note new,
updated, unchanged or removed, and the notes whose deck changed (Anki does not move cards on
import, so the user is told).

Importing the deck into a collection that imported every earlier build makes Anki's import log
report exactly `new` new notes and `updated` + `removed` updated notes: a note is updated in
Anki when its mod moves, and its mod moves exactly when its digest does (see `state.stamp`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from chatdeck.notes import CardNote
from chatdeck.state import State, old_notes


class Status(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class NoteChange:
    card: CardNote
    status: Status
    #: The deck the note was in at the previous build, when it was in another.
    moved_from: str | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    notes: tuple[NoteChange, ...]

    def count(self, status: Status) -> int:
        return sum(1 for change in self.notes if change.status is status)

    @property
    def moved(self) -> tuple[NoteChange, ...]:
        return tuple(change for change in self.notes if change.moved_from is not None)

    @property
    def nothing(self) -> bool:
        """Nothing an import would change: no note new, updated or removed."""
        return all(change.status is Status.UNCHANGED for change in self.notes)


def compare(cards: Sequence[CardNote], digests: Sequence[str], before: State) -> Changes:
    """Each card of the deck being written (with its `state.note_digest`), against the deck's
    state before this build."""
    previous = old_notes(before)
    changes = []
    for card, digest in zip(cards, digests, strict=True):
        entry = previous.get(card.guid)
        if card.removed:
            status = Status.REMOVED
        elif not isinstance(entry, dict):
            status = Status.NEW
        elif entry.get("hash") == digest:
            status = Status.UNCHANGED
        else:
            status = Status.UPDATED
        old_deck = entry.get("deck") if isinstance(entry, dict) else None
        moved = old_deck if isinstance(old_deck, str) and old_deck != card.deck else None
        changes.append(NoteChange(card, status, moved if status is not Status.REMOVED else None))
    return Changes(tuple(changes))
