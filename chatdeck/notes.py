"""The records that flow between the stages, each made once and never changed:

    read -> Transcript -> parse -> Note -> place -> Note (deck, tags, position)
         -> render -> CardNote (fields' HTML keys, no Markdown) -> merge -> package

`plan()` (what `--dry-run` shows) stops at placed, merged `Note`s; `build()` carries
`CardNote`s on from the render step. Both kinds merge the same way (see `chatdeck.merge`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from chatdeck.identity import note_guid

#: Where a note sits in build order: (the file's number, the note's number in that file).
Position = tuple[int, int]
#: What a note's answer is written in: Markdown (transcripts, exports) or HTML (saved pages).
AnswerFormat = Literal["markdown", "html"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning or error about the input, always pointing at a file and, where known, a line."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Transcript:
    """One decoded source file.

    `lines` holds every line of the file (newlines normalized); `ignored` holds the 0-based indexes
    of lines that carry no content, namely the whole-file wrapper fence, so that line numbers in
    every later report are the user's own.
    """

    source: str
    lines: list[str]
    ignored: frozenset[int] = frozenset()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)  # slots: a 100,000-note build holds 100,000 of these
class Note:
    """One question and its answer, as Markdown, with where it came from.

    `guid` is the note's identity in Anki, worked out once from its question key when the note
    is made (see `chatdeck.identity`); `origin` (the file, as the build found it), `deck`,
    `tags` and `position` are given by `place`. `answer_format` is "html" for a reply read
    from a saved chat page (`chatdeck.pages`): its answer is already HTML, rebuilt from the
    page, and is rendered without Markdown."""

    source: str
    line: int | None
    question: str
    answer: str
    rule: str = "explicit"
    confidence: str = "high"
    first_line: int | None = None
    last_line: int | None = None
    note_id: str | None = None
    conversation: str | None = None
    guid: str = ""
    origin: str = ""
    deck: str = ""
    tags: tuple[str, ...] = ()
    position: Position = (0, 0)
    answer_format: AnswerFormat = "markdown"

    def __post_init__(self) -> None:
        if not self.guid:
            object.__setattr__(self, "guid", note_guid(self.question, self.note_id))

    def placed(self, origin: str, deck: str, tags: tuple[str, ...], position: Position) -> Note:
        """This note, put where `chatdeck.decks.place` says. One call of the constructor, every
        field by position: `dataclasses.replace` cost twice as much, once per note of a build."""
        return Note(
            self.source,
            self.line,
            self.question,
            self.answer,
            self.rule,
            self.confidence,
            self.first_line,
            self.last_line,
            self.note_id,
            self.conversation,
            self.guid,
            origin,
            deck,
            tags,
            position,
            self.answer_format,
        )


@dataclass(frozen=True, slots=True)
class CardNote:
    """A note as it goes into the package: identity, deck, tags, place, and where its fields'
    HTML is (`field_keys`: Question, Answer, Source, keys of the render cache). The HTML itself
    stays on disk until the package is written, so a 100,000-note build never holds every card
    in memory. `source`, `line` and `question` are kept for reports; `origin` is the file the
    note came from, as the build found it (what decides whether a note left its file)."""

    guid: str
    field_keys: tuple[str, str, str]
    #: A hash of the three fields' HTML: what Anki shows, whatever version of chatdeck made it.
    digest: str
    source: str
    line: int | None
    question: str
    conversation: str | None = None
    #: The question was guessed (no marker said it was one): what `-v` and the preview list.
    guessed: bool = False
    origin: str = ""
    deck: str = ""
    tags: tuple[str, ...] = ()
    position: Position = (0, 0)
    #: Emitted once more, tagged `chatdeck::removed`, because its question left the transcripts.
    removed: bool = False

    def placed(self, origin: str, deck: str, tags: tuple[str, ...], position: Position) -> CardNote:
        """This card, put where `chatdeck.decks.place` says (see `Note.placed`)."""
        return CardNote(
            self.guid,
            self.field_keys,
            self.digest,
            self.source,
            self.line,
            self.question,
            self.conversation,
            self.guessed,
            origin,
            deck,
            tags,
            position,
            self.removed,
        )

    def __reduce__(self) -> tuple[type[CardNote], tuple[object, ...]]:
        """Pickled as its constructor's arguments: the dataclass's own state functions list its
        fields again for every card a worker sends."""
        return CardNote, (
            self.guid,
            self.field_keys,
            self.digest,
            self.source,
            self.line,
            self.question,
            self.conversation,
            self.guessed,
            self.origin,
            self.deck,
            self.tags,
            self.position,
            self.removed,
        )


@dataclass(frozen=True, slots=True)
class Merge:
    """Several notes with the same question became one: which copy won, which were folded in."""

    kept: Note | CardNote
    dropped: tuple[Note | CardNote, ...] = field(default_factory=tuple)
