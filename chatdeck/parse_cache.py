"""What the parse cache keeps of a transcript: its cards (without their HTML, which is in the
render cache by then), title and problems, as JSON, keyed by the file's name and bytes and the
version of everything that decides what it parses into (`render_cache.file_key`)."""

from __future__ import annotations

import json

from chatdeck.notes import CardNote, Problem
from chatdeck.transcripts import RenderedFile

CARD_FIELDS = ("guid", "field_keys", "digest", "line", "question", "guessed")


def to_json(rendered: RenderedFile) -> str:
    return json.dumps(
        {
            "title": rendered.title,
            "cards": [[getattr(card, name) for name in CARD_FIELDS] for card in rendered.cards],
            "problems": [[problem.line, problem.message] for problem in rendered.problems],
        }
    )


def from_json(text: str, source: str) -> RenderedFile:
    """What `to_json` wrote; ValueError for anything else. (The render cache gives only what
    this user's chatdeck stored: see `render_cache.RenderCache`.)"""
    try:
        data = json.loads(text)
        cards = tuple(
            CardNote(
                guid, (keys[0], keys[1], keys[2]), digest, source, line, question, guessed=guessed
            )
            for guid, keys, digest, line, question, guessed in data["cards"]
        )
        problems = tuple(Problem(source, line, message) for line, message in data["problems"])
        return RenderedFile(source, data["title"], cards, problems)
    except (TypeError, KeyError, IndexError, ValueError) as error:
        raise ValueError(f"not a parsed file as chatdeck stores it ({error!r})") from None
