"""Images a transcript shows (`![alt](images/x.png)`): found beside the transcript, inside its
source folder, and packed into the deck under a name made from their content. Anything else (a
remote URL, a path leaving the folder, a missing file) is left out with a warning; the renderer
then shows `[image: alt]` instead."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from chatdeck.notes import Note, Problem
from chatdeck.sources import NotRegularFile, read_regular

URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FoundMedia:
    """What a file's images came to: media to pack (name -> bytes), the image files used
    (relative to the source folder), and warnings."""

    files: dict[str, bytes] = field(default_factory=dict)
    used: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()


class MediaCollector:
    """Resolves the image references of one file's notes, collecting what it finds."""

    def __init__(self, root: Path, lines: Sequence[str] = ()):
        self.root = root
        self.lines = lines
        self.files: dict[str, bytes] = {}
        self.used: set[str] = set()
        self.problems: list[Problem] = []
        #: Per note (its file and first line): the line its last image was found on, and how
        #: many more lines may be read to find the next (see `_line_of`).
        self.searched: dict[tuple[str, int], tuple[int, int]] = {}

    def found(self) -> FoundMedia:
        return FoundMedia(dict(self.files), frozenset(self.used), tuple(self.problems))

    def resolver(self, note: Note) -> Callable[[str], str | None]:
        """For the renderer: an image's `src` -> the media name it is packed under, or None."""

        def resolve(src: str) -> str | None:
            if URL_SCHEME.match(src):
                self._problem(note, src, f"remote image not packed: {src}")
                return None
            base = (self.root / note.source).parent
            target = (base / src).resolve()
            if not target.is_relative_to(self.root.resolve()):
                self._problem(note, src, f"image outside the source folder ignored: {src}")
                return None
            try:
                data = read_regular(target)  # a FIFO would block, a device never end
            except NotRegularFile as error:
                self._problem(note, src, f"image skipped ({error}): {src}")
                return None
            except OSError:
                self._problem(note, src, f"image not found: {src}")
                return None
            name = hashlib.sha256(data).hexdigest()[:20] + target.suffix.lower()
            self.files[name] = data
            self.used.add(target.relative_to(self.root.resolve()).as_posix())
            return name

        return resolve

    def _problem(self, note: Note, src: str, message: str) -> None:
        self.problems.append(Problem(note.source, self._line_of(note, src), message))

    def _line_of(self, note: Note, src: str) -> int | None:
        """The line of the note that holds the image, for the warning. Images come in the
        order the note has them, so the search starts on the line of the last one found; and
        all of a note's searches read at most twice its lines (then the note's line is given),
        so that a note of many images costs time linear in its length."""
        if not (self.lines and note.first_line and note.last_line):
            return note.line
        first, last = note.first_line, note.last_line
        key = (note.source, first)
        start, budget = self.searched.get(key, (first, 2 * (last - first + 1)))
        for number in chain(range(start, last + 1), range(first, start)):
            if budget <= 0:
                break
            budget -= 1
            if src in self.lines[number - 1]:
                self.searched[key] = (number, budget)
                return number
        self.searched[key] = (start, budget)
        return note.line
