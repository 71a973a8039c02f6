"""The plain records that flow between the stages: read -> parse -> merge -> render -> package."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """A warning or error about the input, always pointing at a file and, where known, a line."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class Transcript:
    """One decoded source file.

    `lines` holds every line of the file (newlines normalized); `ignored` holds the 0-based indexes
    of lines that carry no content, namely the whole-file wrapper fence, so that line numbers in
    every later report are the user's own.
    """

    source: str
    lines: list[str]
    ignored: frozenset[int] = frozenset()
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)  # slots: a 100,000-note build holds 100,000 of these
class Note:
    """One question and its answer, as Markdown, with where it came from."""

    source: str
    line: int | None
    question: str
    answer: str
    deck: str = ""
    rule: str = "explicit"
    confidence: str = "high"
    first_line: int | None = None
    last_line: int | None = None
    note_id: str | None = None
    conversation: str | None = None
    position: int = 0
    tags: list[str] = field(default_factory=list)
    #: Set by the build once the fields are rendered: where their HTML is in the render cache,
    #: and the note's Anki GUID (worked out with the parse, in a worker, and cached with it).
    field_keys: list[str] = field(default_factory=list)
    guid: str = ""


@dataclass
class Merge:
    """Several notes with the same question became one: which copy won, which were folded in."""

    question: str
    kept: Note
    dropped: list[Note]
