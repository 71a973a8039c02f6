"""The parse cache's entries (chatdeck/parse_cache.py): cards placed as they are decoded are the
cards `chatdeck.decks.place` gives, and a damaged entry is a ValueError."""

from __future__ import annotations

import pytest

from chatdeck.decks import Place, place
from chatdeck.notes import CardNote, Problem
from chatdeck.parse_cache import from_json, stored_file, to_json
from chatdeck.transcripts import RenderedFile

CARDS = (
    CardNote("g1", ("q1", "a1", "s1"), "d1", "a.md", 3, "one?", guessed=True),
    CardNote("g2", ("q2", "a2", "s2"), "d2", "a.md", None, "two?"),
)
FILE = RenderedFile("a.md", "A title", CARDS, (Problem("a.md", 2, "a warning"),))


def test_cards_placed_as_decoded_are_the_cards_place_gives() -> None:
    where = Place("Top::A title", ("tag",), 7, "/abs/a.md")
    stored = stored_file(to_json(FILE), "a.md")
    assert stored.title == "A title" and stored.problems == FILE.problems
    assert list(stored.cards(where)) == place(CARDS, where)
    assert from_json(to_json(FILE), "a.md") == FILE


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"title": null, "problems": []}',
        '{"title": null, "problems": [], "cards": {}}',
        '{"title": null, "problems": [], "cards": [["g", ["q", "a"], "d", 1, "q?", false]]}',
        '{"title": null, "problems": [], "cards": [[1, 2]]}',
    ],
)
def test_a_damaged_entry_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a parsed file"):
        from_json(text, "a.md")
