"""What the parse cache keeps of a transcript: its cards (without their HTML, which is in the
render cache by then), title and problems, as JSON, keyed by the file's name and bytes and the
version of everything that decides what it parses into (`render_cache.file_key`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chatdeck.decks import Place
from chatdeck.notes import CardNote, Problem
from chatdeck.transcripts import RenderedFile

CARD_FIELDS = ("guid", "field_keys", "digest", "line", "question", "guessed")
#: What a damaged entry raises as it is decoded (all become ValueError).
DECODE_ERRORS = (TypeError, KeyError, IndexError, ValueError)


def to_json(rendered: RenderedFile) -> str:
    return json.dumps(
        {
            "title": rendered.title,
            "cards": [[getattr(card, name) for name in CARD_FIELDS] for card in rendered.cards],
            "problems": [[problem.line, problem.message] for problem in rendered.problems],
        }
    )


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A transcript as the parse cache holds it, decoded but for its cards, which are made
    once, where they are placed (`cards`): a rebuild makes each card of an unchanged file
    once instead of twice."""

    source: str
    title: str | None
    problems: tuple[Problem, ...]
    rows: list[list[Any]]

    def cards(self, where: Place | None) -> tuple[CardNote, ...]:
        """The cards, placed where `where` says (as `chatdeck.decks.place` would), or not
        placed (None: CardNote's defaults)."""
        origin, deck, tags, file_number = ("", "", (), 0) if where is None else where.fields()
        source, placed = self.source, where is not None
        try:
            return tuple(
                CardNote(
                    guid,
                    (keys[0], keys[1], keys[2]),
                    digest,
                    source,
                    line,
                    question,
                    None,
                    guessed,
                    origin,
                    deck,
                    tags,
                    (file_number, number) if placed else (0, 0),
                )
                for number, (guid, keys, digest, line, question, guessed) in enumerate(self.rows)
            )
        except DECODE_ERRORS as error:
            raise damaged(error) from None


def stored_file(text: str, source: str) -> StoredFile:
    """What `to_json` wrote, but for making its cards; ValueError for anything else. (The
    render cache gives only what this user's chatdeck stored: see `render_cache.RenderCache`.)"""
    try:
        data = json.loads(text)
        problems = tuple(Problem(source, line, message) for line, message in data["problems"])
        title, rows = data["title"], data["cards"]
        if not isinstance(rows, list):
            raise TypeError("cards is not a list")
        return StoredFile(source, title, problems, rows)
    except DECODE_ERRORS as error:
        raise damaged(error) from None


def from_json(text: str, source: str) -> RenderedFile:
    """What `to_json` wrote, its cards not placed; ValueError for anything else."""
    stored = stored_file(text, source)
    return RenderedFile(source, stored.title, stored.cards(None), stored.problems)


def damaged(error: Exception) -> ValueError:
    return ValueError(f"not a parsed file as chatdeck stores it ({error!r})")
