"""One transcript file, the unit of work: its bytes -> notes (for a dry run) or cards (for a
build). `render_file` runs on a worker process or in this one, the same way.

The parser and the renderer are imported by the functions that use them: a build whose files
all come from the parse cache needs only the records defined here, and never pays for
importing them (their modules compile many patterns as they load)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chatdeck.media import FoundMedia
from chatdeck.notes import CardNote, Note, Problem

if TYPE_CHECKING:
    from chatdeck.cards import KnownKey, RenderedNote
    from chatdeck.parse import Parsed


@dataclass(frozen=True, slots=True)
class FileNotes:
    """A transcript's notes, not yet placed in a deck, and its title and problems. `parsed`
    (with the explanations --dry-run shows) is kept only when asked for."""

    source: str
    title: str | None
    notes: tuple[Note, ...]
    problems: tuple[Problem, ...]
    lines: tuple[str, ...]
    parsed: Parsed | None = None


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """A transcript's cards, not yet placed in a deck, with the HTML the render cache lacks.
    `cacheable`: its cards depend on nothing but its bytes (no images), so the parse cache may
    keep them."""

    source: str
    title: str | None
    cards: tuple[CardNote, ...]
    problems: tuple[Problem, ...]
    html: tuple[tuple[str, str], ...] = ()
    media: FoundMedia = FoundMedia()
    cacheable: bool = True


def read_notes(name: str, data: bytes, explain: bool = False) -> FileNotes:
    """Bytes -> the file's notes, its title and its problems."""
    from chatdeck.cards import unsafe_math_problems
    from chatdeck.parse import parse_transcript
    from chatdeck.read import read_transcript

    transcript = read_transcript(Path(name), name, data)
    parsed = parse_transcript(transcript, explain=explain)
    problems = list(parsed.problems)
    # A marker with no question under it (its warning says so) makes no note: Anki would keep
    # a note whose front is empty with no card at all.
    notes = tuple(note for note in parsed.notes if note.question.strip())
    for note in notes:
        problems.extend(unsafe_math_problems(note, transcript.lines))
    if not notes:
        has_text = any(line.strip() for line in transcript.lines)
        message = "no question found" if has_text else "empty file"
        if has_text and parsed.title:
            message = "only a title, no question found"
        problems.append(Problem(name, None, message))
    return FileNotes(
        name,
        parsed.title,
        notes,
        tuple(problems),
        tuple(transcript.lines),
        parsed if explain else None,
    )


def render_file(name: str, data: bytes, root: Path, known: KnownKey | None = None) -> RenderedFile:
    """Bytes -> the file's cards. Images are looked up beside the file, inside `root`."""
    from chatdeck.cards import has_images, render_note
    from chatdeck.media import MediaCollector

    found = read_notes(name, data)
    images = MediaCollector(root, found.lines)
    rendered = [
        render_note(note, images if has_images(note) else None, known) for note in found.notes
    ]
    return RenderedFile(
        name,
        found.title,
        tuple(item.card for item in rendered),
        found.problems + tuple(problem for item in rendered for problem in item.problems),
        # Once per key: every note of the file has the same Source field.
        html=tuple(dict(pair for item in rendered for pair in item.html).items()),
        media=images.found(),
        cacheable=not any(has_images(note) for note in found.notes),
    )


def render_notes(notes: tuple[Note, ...]) -> tuple[RenderedNote, ...]:
    """A batch of a chat export's notes (they come parsed, many to one file)."""
    from chatdeck.cards import render_note

    return tuple(render_note(note) for note in notes)
