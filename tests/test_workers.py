"""The worker pool: results in order, workers replaced, and every way a task can fail said
once, in this process, without a hang."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import SOURCE, TEMPLATES, deck_options

import chatdeck.workers
from chatdeck.build import build
from chatdeck.cards import KnownKey
from chatdeck.report import build_json
from chatdeck.sources import BuildError
from chatdeck.templates import load_templates
from chatdeck.transcripts import RenderedFile
from chatdeck.workers import Pool

pytestmark = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(),
    reason="the tasks below are functions of this module, which a spawned worker cannot import",
)


def test_results_come_back_to_their_tasks_however_many_wait() -> None:
    pool = Pool(2, None)
    try:
        tasks = [pool.submit(pow, 3, number) for number in range(40)]
        assert [task.get() for task in reversed(tasks)] == [3**n for n in reversed(range(40))]
        workers = {pool.submit(os.getpid).get() for _ in range(10)}
        assert os.getpid() not in workers and len(workers) <= 2
    finally:
        pool.close()


def test_a_closed_pool_says_so_rather_than_wait_forever() -> None:
    pool = Pool(1, None)
    pool.close()
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(pow, 2, 2).get()


def test_a_worker_is_replaced_after_its_share_of_tasks() -> None:
    pool = Pool(2, 1)
    try:
        processes = [pool.submit(os.getpid) for _ in range(6)]
        assert len({task.get() for task in processes}) == 6
    finally:
        pool.close()


def test_what_a_task_raises_is_raised_where_its_result_is_asked_for() -> None:
    pool = Pool(1, None)
    try:
        failing = pool.submit(int, "not a number")
        after = pool.submit(pow, 2, 10)  # the worker goes on
        with pytest.raises(ValueError, match="not a number") as raised:
            failing.get()
        assert any("worker process" in note for note in raised.value.__notes__)
        assert after.get() == 1024
        # A result that cannot be sent back is an error of its task, not a hang.
        with pytest.raises(RuntimeError, match="could not send its result back"):
            pool.submit(threading.Lock).get()
        assert pool.submit(pow, 2, 3).get() == 8
    finally:
        pool.close()


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    pool = Pool(2, None)
    try:
        with pytest.raises(BuildError, match=r"worker process ended unexpectedly \(exit code 3\)"):
            pool.submit(os._exit, 3).get()
    finally:
        pool.close()


def test_ctrl_c_is_for_the_main_process_not_the_workers() -> None:
    """A terminal's Ctrl-C reaches every process of the build; the main process ends the
    workers, so that they neither stop on their own nor print tracebacks."""
    pool = Pool(1, None)
    try:
        assert pool.submit(signal.raise_signal, signal.SIGINT).get() is None
        assert pool.submit(pow, 2, 2).get() == 4
    finally:
        pool.close()


MAIN_PID = os.getpid()
render_file = chatdeck.workers.render_file


def dies_on_a_worker(name: str, data: bytes, root: Path, known: KnownKey | None) -> RenderedFile:
    if os.getpid() != MAIN_PID:
        os._exit(9)  # as the kernel ends a process out of memory, say
    return render_file(name, data, root, known)


def test_a_build_whose_worker_dies_fails_and_keeps_the_previous_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = load_templates(TEMPLATES)
    output = tmp_path / "out"
    deck = build([SOURCE], deck_options(output, templates)).output
    before = deck.read_bytes()
    monkeypatch.setattr(chatdeck.workers, "render_file", dies_on_a_worker)
    options = deck_options(output, templates, jobs=2, pool_threshold=1, use_cache=False)
    with pytest.raises(BuildError, match="worker process ended unexpectedly"):
        build([SOURCE], options)
    assert deck.read_bytes() == before


def test_the_report_is_the_same_however_the_work_was_spread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    templates = load_templates(TEMPLATES)
    here = {"jobs": 1, "use_cache": False, "pool_threshold": 10**9, "render_batch": 10**9}
    spreads = {
        "here": here,
        "workers": {"jobs": 2, "pool_threshold": 1},
        "replaced": {"jobs": 2, "pool_threshold": 1, "max_tasks_per_worker": 1},
    }
    reports, decks = {}, {}
    for name, tuning in spreads.items():
        result = build([SOURCE], deck_options(tmp_path / name, templates, **tuning))
        assert result.workers == (0 if name == "here" else 2)
        reports[name] = {**build_json(result), "output": result.output.name}
        decks[name] = result.output.read_bytes()
    assert reports["workers"] == reports["replaced"] == reports["here"]
    assert decks["workers"] == decks["replaced"] == decks["here"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_build_is_killed() -> None:
    """A build killed outright (out of memory, a CI timeout) leaves no worker behind: each
    worker reads the end of its pipe and ends."""
    script = (
        "import sys, time\n"
        "from chatdeck.workers import Pool\n"
        "pool = Pool(2, None)\n"
        "print(*(worker.process.pid for worker in pool.workers), flush=True)\n"
        "time.sleep(60)\n"
    )
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert build.stdout is not None
    workers = [int(pid) for pid in build.stdout.readline().split()]
    build.kill()
    build.wait()
    deadline = time.monotonic() + 10
    try:
        while workers and time.monotonic() < deadline:
            workers = [pid for pid in workers if not zombie(pid)]
            time.sleep(0.05)
        assert workers == []
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGKILL)


def zombie(pid: int) -> bool:
    """Ended: gone, or not yet reaped (its parent was killed: init reaps it soon)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


#: Asks, in a process of its own (the lexer's tables are a cache for the whole process), what
#: a worker inherits: `Workers` renders the first of FILES files here, starts the pool on the
#: second, and a worker that has lexed nothing itself says whether Python's root state came
#: with its alternation built.
INHERITED_TABLES = """
import sys
from pathlib import Path
from chatdeck.workers import Workers

def warm():
    from pygments.lexers import get_lexer_by_name
    from chatdeck import lexing
    tables = lexing.lexicon(get_lexer_by_name("python", stripnl=False, ensurenl=False))
    root = tables.states.get("root")
    return root is not None and root.whole is not None

code = "\\n".join(f"total_{n} = sum(x * {n} for x in range({n}))" for n in range(20))
data = f"Q: How?\\n\\nA: Like this:\\n\\n```python\\n{code}\\n```\\n".encode()
workers = Workers(2, None, True, files=int(sys.argv[1]))
workers.render_file("one.md", data, Path("."), None)
busy = workers.render_file("two.md", data, Path("."), None)
assert workers.pool is not None
print(warm(), workers.pool.submit(warm).get())
busy.get()
workers.close()
"""


@pytest.mark.parametrize(("files", "inherited"), [(200, "True"), (2, "False")])
def test_workers_inherit_the_lexer_tables_their_share_of_the_build_would_build(
    files: int, inherited: str
) -> None:
    """Before the pool forks, this process builds the lexer's tables that each worker's share
    of the files ahead would make it build (its own first file times that share): 100 files
    each builds Python's alternation (about 200 tokens a file, past `WARM_TOKENS`), half a
    file does not, and the tables are left to the workers, as a build with little to render
    should."""
    found = subprocess.run(
        [sys.executable, "-c", INHERITED_TABLES, str(files)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    assert found.stdout.split() == [inherited, inherited]
