"""Placing notes (chatdeck/decks.py): every field a note carries survives `place`; a file name
names a deck unless it is a hash or a tool's time stamp."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import pytest

from chatdeck.decks import Place, place, readable_name
from chatdeck.notes import CardNote, Note

#: A value other than the default for every field, so that one `placed` drops shows.
NOTE_FIELDS: dict[str, Any] = {
    "source": "a.md",
    "line": 7,
    "question": "What is a tensor?",
    "answer": "An array.",
    "rule": "marker",
    "confidence": "low",
    "first_line": 7,
    "last_line": 9,
    "note_id": "id-1",
    "conversation": "Chat",
    "guid": "g1",
    "origin": "/old/a.md",
    "deck": "Old",
    "tags": ("old",),
    "position": (5, 6),
    "answer_format": "html",
}
CARD_FIELDS: dict[str, Any] = {
    "guid": "g1",
    "field_keys": ("q", "a", "s"),
    "digest": "d",
    "source": "a.md",
    "line": 7,
    "question": "What is a tensor?",
    "conversation": "Chat",
    "guessed": True,
    "origin": "/old/a.md",
    "deck": "Old",
    "tags": ("old",),
    "position": (5, 6),
    "removed": True,
}


@pytest.mark.parametrize(("kind", "values"), [(Note, NOTE_FIELDS), (CardNote, CARD_FIELDS)])
def test_place_keeps_every_field_and_sets_deck_tags_position_and_origin(
    kind: type[Note] | type[CardNote], values: dict[str, Any]
) -> None:
    assert {field.name for field in fields(kind)} == set(values)  # a new field is listed here
    notes = [kind(**values), kind(**values | {"guid": "g2", "line": 8})]
    where = Place("Top::File", ("folder", "file"), 3, "/new/a.md")

    placed = place(notes, where, first=10)

    assert placed == [
        replace(
            note,
            deck="Top::File",
            tags=("folder", "file"),
            position=(3, 10 + n),
            origin="/new/a.md",
        )
        for n, note in enumerate(notes)
    ]
    assert all(type(note) is kind for note in placed)


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("chat-2026-03-14T23-42-07-000Z", None),  # Claude Chat Downloader's save
        ("2026-03-14-09-12-33-chat", None),  # LlamaBot's
        ("session-2025-01-02", None),
        ("chat-history-2025-01-02", None),
        ("history-2024-05-01", "history 2024 05 01"),  # a class's notes: a subject too
        ("2024-05-01 rust ownership", "2024 05 01 rust ownership"),
        ("rust-2024-05-01", "rust 2024 05 01"),
        ("chat", "chat"),  # no stamp: the user's own name for it
        ("tensorflow_quiz", "tensorflow quiz"),
        ("001_33aadecbbf787f62", None),
    ],
)
def test_a_file_name_names_a_deck_unless_it_is_a_stamp_or_a_hash(
    stem: str, name: str | None
) -> None:
    assert readable_name(stem) == name
