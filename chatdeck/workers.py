"""Worker processes that parse and render, so that a build uses every core.

The pool is this module's own, not `multiprocessing.Pool`, whose thread that keeps its workers
alive also wakes whenever a result waits in the pipe, and wakes again and again until the
result has been read: a file's HTML is more than a pipe holds, so it spun for as long as each
result took to cross, and took the interpreter's lock from the threads reading results. Here
each worker has a pipe of its own and one task at a time, and this process sends the tasks and
reads the results on its own thread, while it waits for the result it needs next: no threads,
nothing to spin, and a worker is only ever forked from this thread, when it chooses.

Workers live as long as the build (unless `BuildOptions.max_tasks_per_worker` says otherwise):
`chatdeck.render.cmark_html` frees the syntax trees that cmark-gfm's binding would keep, so a
worker's memory no longer grows with the Markdown it renders. Where it cannot free them, a
worker is replaced after `LEAKING_WORKER_TASKS` tasks.
"""

from __future__ import annotations

import signal
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from chatdeck.notes import Note
from chatdeck.sources import BuildError
from chatdeck.transcripts import FileNotes, RenderedFile, read_notes, render_file, render_notes

if TYPE_CHECKING:  # multiprocessing is imported when a pool starts: most rebuilds start none
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext, SpawnContext
    from multiprocessing.process import BaseProcess

    from chatdeck.cards import KnownKey, RenderedNote

Result = TypeVar("Result")

#: Tasks a worker runs before it is replaced where cmark-gfm's trees cannot be freed (a build
#: of it without the symbols `chatdeck.render.cmark_html` needs), so that what it leaks stays
#: bounded (see `tasks_per_worker`).
LEAKING_WORKER_TASKS = 20


def tasks_per_worker() -> int | None:
    """`LEAKING_WORKER_TASKS` where cmark-gfm's trees cannot be freed, else None (a worker for
    the whole build). Asked when the pool starts: the renderer is imported by then (the first
    file is rendered here), and a build that renders nothing never imports it."""
    from chatdeck.render import cmark_trees_freed

    return None if cmark_trees_freed() else LEAKING_WORKER_TASKS


class Task(Generic[Result]):
    """A call sent to a worker, and once the worker has run it, what it returned or raised."""

    def __init__(self, pool: Pool, function: Callable[..., Result], args: tuple[Any, ...]):
        self.pool = pool
        #: What the worker is sent; let go of once sent.
        self.call: tuple[Callable[..., Result], tuple[Any, ...]] | None = (function, args)
        self.done = False
        self.value: Result | None = None
        self.error: BaseException | None = None

    def get(self) -> Result:
        """The result, once the worker has sent it (meanwhile the pool serves every worker);
        what the call raised is raised here."""
        while not self.done:
            self.pool.serve()
        if self.error is not None:
            raise self.error
        return cast(Result, self.value)


#: A file's cards, or the promise of them from a worker.
Pending = RenderedFile | Task[RenderedFile]


#: A file's notes (for a dry run), or the promise of them from a worker.
PendingNotes = FileNotes | Task[FileNotes]


def result_of(pending: Pending) -> RenderedFile:
    return pending.get() if isinstance(pending, Task) else pending


def notes_of(pending: PendingNotes) -> FileNotes:
    return pending.get() if isinstance(pending, Task) else pending


@dataclass(slots=True)
class Worker:
    """A worker process, this process's end of its pipe, and the task it runs."""

    process: BaseProcess
    connection: Connection
    task: Task[Any] | None = None
    tasks_run: int = 0


class Pool:
    """`processes` worker processes, each sent one task at a time over a pipe of its own. Tasks
    wait here, in order, for a worker to be free; results are read as they come, while a task's
    `get` waits."""

    def __init__(self, processes: int, max_tasks: int | None):
        self.context = start_method()
        self.max_tasks = max_tasks
        self.waiting: deque[Task[Any]] = deque()
        self.workers = [self.start_worker() for _ in range(processes)]

    def start_worker(self) -> Worker:
        here, there = self.context.Pipe()
        process = self.context.Process(target=work, args=(there, here), daemon=True)
        process.start()
        there.close()  # so that this end reads the end of the file if the worker dies
        return Worker(process, here)

    def submit(self, function: Callable[..., Result], *args: Any) -> Task[Result]:
        task = Task(self, function, args)
        self.waiting.append(task)
        self.dispatch()
        return task

    def dispatch(self) -> None:
        for worker in self.workers:
            if worker.task is None and self.waiting:
                task = self.waiting.popleft()
                self.send(worker, task.call)
                task.call = None
                worker.task = task

    def serve(self) -> None:
        """Wait for a worker to send a result; take each result sent, and give each worker
        freed the next task waiting."""
        busy = {worker.connection: worker for worker in self.workers if worker.task is not None}
        if not busy:  # a task not done runs or waits for a busy worker, unless the pool is closed
            raise RuntimeError("the worker pool is closed")
        from multiprocessing.connection import wait

        for connection in wait(list(busy)):
            worker = busy[cast("Connection", connection)]
            task = cast(Task[Any], worker.task)
            try:
                task.value, task.error = self.receive(worker)
            finally:
                task.done = True
                worker.task = None
            worker.tasks_run += 1
            if self.max_tasks and worker.tasks_run >= self.max_tasks:
                self.replace(worker)
        self.dispatch()

    def replace(self, worker: Worker) -> None:
        """End a worker that has run its share of tasks, and start another in its place."""
        self.send(worker, None)
        worker.connection.close()
        worker.process.join()
        self.workers[self.workers.index(worker)] = self.start_worker()

    def send(self, worker: Worker, message: object) -> None:
        try:
            worker.connection.send(message)
        except OSError:  # its end is closed: it ended
            raise self.died(worker) from None

    def receive(self, worker: Worker) -> tuple[Any, BaseException | None]:
        try:
            value, error, where = worker.connection.recv()
        except (EOFError, OSError):
            raise self.died(worker) from None
        if error is not None:
            error.add_note(f"(raised in a worker process)\n{where}")
        return value, error

    def died(self, worker: Worker) -> BuildError:
        worker.process.join(1)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
        return BuildError(f"a worker process ended unexpectedly ({how})")

    def close(self) -> None:
        """End every worker, at once: whatever a worker still runs is not wanted."""
        for worker in self.workers:
            worker.process.terminate()
        for worker in self.workers:
            worker.process.join()
            worker.connection.close()
        self.workers = []


def start_method() -> ForkContext | SpawnContext:
    """fork, where there is one: a worker starts at once with all this process has imported
    and warmed up (the first file or batch is rendered here first). Else (Windows) spawn."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def work(connection: Connection, other_end: Connection) -> None:
    """A worker: run each call it is sent and send back (result, None, "") or (None, the
    exception raised, its traceback), until it is sent None or the pipe's other end closes
    (the build's process ended, even killed: the worker's copy of that end is closed here)."""
    other_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the build's process ends the workers
    while True:
        try:
            call = connection.recv()
        except EOFError:
            return
        if call is None:
            return
        function, args = call
        reply: tuple[Any, BaseException | None, str]
        try:
            reply = (function(*args), None, "")
        except Exception as error:
            reply = (None, error, traceback.format_exc())
        try:
            connection.send(reply)
        except Exception as error:  # a result or an exception that cannot be pickled
            failed = RuntimeError(f"the worker could not send its result back: {error!r}")
            connection.send((None, failed, traceback.format_exc()))


class Workers:
    """Runs `render_file` and `render_notes`, here or on a pool started the first time there is
    work for it: the second file of a build with `for_files` (a rebuild that re-renders one
    changed file does that here), or a chat export's second batch of notes. Work done here
    skips the fields the render cache holds (`known`); the pool has no cache at hand.

    Once the pool runs, everything renders on it, and this process keeps it fed."""

    def __init__(self, jobs: int, max_tasks: int | None, for_files: bool, files: int = 0):
        self.jobs = jobs
        self.max_tasks = max_tasks
        self.for_files = for_files
        #: Files the build expects to render (`render_file`), this process's first among them.
        self.expected_files = files
        self.pool: Pool | None = None
        self.files = 0
        self.started = 0  # worker processes running at once

    def render_file(self, name: str, data: bytes, root: Path, known: KnownKey | None) -> Pending:
        self.files += 1
        if self.pool is None and (not self.for_files or self.files < 2):
            return render_file(name, data, root, known)
        return self.start(self.expected_files - 1).submit(render_file, name, data, root, None)

    def read_notes(self, name: str, data: bytes) -> PendingNotes:
        """A file's notes with the parser's explanations (a dry run), by the same rule."""
        self.files += 1
        if self.pool is None and (not self.for_files or self.files < 2):
            return read_notes(name, data, True)
        return self.start().submit(read_notes, name, data, True)

    def render_notes(self, notes: list[Note], batch: int) -> Iterator[tuple[RenderedNote, ...]]:
        """Render notes in batches, in order: the first batch here, which also warms up what
        the workers inherit, the others on the workers."""
        batches = [tuple(notes[start : start + batch]) for start in range(0, len(notes), batch)]
        if batches and self.pool is None:
            yield render_notes(batches.pop(0))
        if batches:
            pool = self.start(len(batches))
            pending = deque(pool.submit(render_notes, each) for each in batches)
            while pending:  # each batch's HTML is let go of once it is in the cache
                yield pending.popleft().get()

    def start(self, ahead: int = 0) -> Pool:
        """The pool, started if it is not yet. `ahead`: the work it will be sent, in units of
        the work this process has done (a file, a batch), for `warm_ahead`."""
        if self.pool is None:
            lexing = sys.modules.get("chatdeck.lexing")  # not imported: nothing was lexed here
            if lexing is not None and start_method().get_start_method() == "fork":
                lexing.warm_ahead(ahead / self.jobs)  # (a spawned worker would inherit nothing)
            self.pool = Pool(self.jobs, self.max_tasks or tasks_per_worker())
            self.started = self.jobs
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
