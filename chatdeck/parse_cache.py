"""What the parse cache keeps of a transcript: its cards (without their HTML, which is in the
render cache by then), title and problems, as JSON, keyed by the file's name and bytes and the
version of everything that decides what it parses into (`render_cache.file_key`)."""

from __future__ import annotations

import json
from typing import Any

from chatdeck.notes import CardNote, Problem
from chatdeck.transcripts import RenderedFile

CARD_FIELDS = ("guid", "field_keys", "line", "question")


def to_json(rendered: RenderedFile) -> str:
    return json.dumps(
        {
            "title": rendered.title,
            "cards": [[getattr(card, name) for name in CARD_FIELDS] for card in rendered.cards],
            "problems": [[problem.line, problem.message] for problem in rendered.problems],
        }
    )


def is_valid(data: Any) -> bool:
    """Whether `data` (JSON as loaded) has the shape `to_json` writes, so that `from_json`
    can read it: the render cache gives an entry only if it is (and its check holds)."""

    def line(value: object) -> bool:
        return value is None or (type(value) is int and 0 < value < 1 << 62)

    if not isinstance(data, dict) or not isinstance(data.get("title"), str | None):
        return False
    cards, problems = data.get("cards"), data.get("problems")
    if not isinstance(cards, list) or not isinstance(problems, list):
        return False
    return all(
        isinstance(card, list)
        and len(card) == len(CARD_FIELDS)
        and isinstance(card[0], str)
        and isinstance(card[1], list)
        and len(card[1]) == 3
        and all(isinstance(key, str) for key in card[1])
        and line(card[2])
        and isinstance(card[3], str)
        for card in cards
    ) and all(
        isinstance(problem, list)
        and len(problem) == 2
        and line(problem[0])
        and isinstance(problem[1], str)
        for problem in problems
    )


def from_json(text: str, source: str) -> RenderedFile:
    """What `to_json` wrote. ValueError for anything else (the render cache checks first)."""
    data = json.loads(text)
    if not is_valid(data):
        raise ValueError("not a parsed file as chatdeck stores it")
    cards = tuple(
        CardNote(guid, (keys[0], keys[1], keys[2]), source, line, question)
        for guid, keys, line, question in data["cards"]
    )
    problems = tuple(Problem(source, line, message) for line, message in data["problems"])
    return RenderedFile(source, data["title"], cards, problems)
