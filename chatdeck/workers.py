"""Worker processes that parse and render, so a build uses every core.

Even with --jobs 1 a large build renders in a worker, and each worker is replaced after a number
of files (`BuildOptions.max_tasks_per_worker`): cmark-gfm's Python binding does not free the
syntax trees it builds (about 10 bytes per byte of Markdown; `chatdeck.render` frees them where
it can reach them), so memory stays flat however large the build, whatever still leaks.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from chatdeck.cards import KnownKey, RenderedNote
from chatdeck.notes import Note
from chatdeck.transcripts import FileNotes, RenderedFile, read_notes, render_file, render_notes

#: A file's cards, or the promise of them from a worker.
Pending = RenderedFile | AsyncResult[RenderedFile]


#: A file's notes (for a dry run), or the promise of them from a worker.
PendingNotes = FileNotes | AsyncResult[FileNotes]


def result_of(pending: Pending) -> RenderedFile:
    return pending.get() if isinstance(pending, AsyncResult) else pending


def notes_of(pending: PendingNotes) -> FileNotes:
    return pending.get() if isinstance(pending, AsyncResult) else pending


class Workers:
    """Runs `render_file` and `render_notes`, here or on a pool started the first time there is
    work for it: the second file of a build with `for_files` (a rebuild that re-renders one
    changed file does that here), or a chat export's second batch of notes. Work done here
    skips the fields the render cache holds (`known`); the pool has no cache at hand.

    Once the pool runs, everything renders on it. The pool replaces a worker by forking from a
    thread of its own, at any moment; had this process been rendering then, the new worker
    could inherit the lock of a module (a Pygments lexer) this process was importing, and wait
    for it forever."""

    def __init__(self, jobs: int, max_tasks: int, for_files: bool):
        self.jobs = jobs
        self.max_tasks = max_tasks
        self.for_files = for_files
        self.pool: Pool | None = None
        self.files = 0
        self.started = 0  # worker processes started

    def render_file(self, name: str, data: bytes, root: Path, known: KnownKey | None) -> Pending:
        self.files += 1
        if self.pool is None and (not self.for_files or self.files < 2):
            return render_file(name, data, root, known)
        return self.start().apply_async(render_file, (name, data, root, None))

    def read_notes(self, name: str, data: bytes) -> PendingNotes:
        """A file's notes with the parser's explanations (a dry run), by the same rule."""
        self.files += 1
        if self.pool is None and (not self.for_files or self.files < 2):
            return read_notes(name, data, True)
        return self.start().apply_async(read_notes, (name, data, True))

    def render_notes(self, notes: list[Note], batch: int) -> Iterator[tuple[RenderedNote, ...]]:
        """Render notes in batches, in order: the first batch here, which also warms up what
        the workers inherit, the others on the workers."""
        batches = [tuple(notes[start : start + batch]) for start in range(0, len(notes), batch)]
        if batches and self.pool is None:
            yield render_notes(batches.pop(0))
        if batches:
            pool = self.start()
            pending = deque(pool.apply_async(render_notes, (each,)) for each in batches)
            while pending:  # each batch's HTML is let go of once it is in the cache
                yield pending.popleft().get()

    def start(self) -> Pool:
        if self.pool is None:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            context = multiprocessing.get_context(method)
            self.pool = context.Pool(self.jobs, maxtasksperchild=self.max_tasks)
            self.started = self.jobs
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
