"""Parallel and cached builds give byte-for-byte the deck a clean single-process build gives."""

from __future__ import annotations

import gc
import importlib
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES, SOURCE, TEMPLATES, deck_options, state_without_deck_stamp

import chatdeck.cards
from chatdeck import file_stamps
from chatdeck.build import BuildResult, build
from chatdeck.render import RenderedField
from chatdeck.state import state_path
from chatdeck.templates import load_templates

#: The module (its name is also the package's `build` function).
BUILD = importlib.import_module("chatdeck.build")
#: Workers even for the 5 seed files.
PARALLEL = {"jobs": 2, "pool_threshold": 1}


def single_process_build(paths: list[Path], output: Path) -> BuildResult:
    """No workers and no cache: the build every other one must match byte for byte."""
    result = build(
        paths,
        deck_options(output, jobs=1, use_cache=False, pool_threshold=10**9, render_batch=10**9),
    )
    assert result.workers == 0
    return result


def test_parallel_and_cached_builds_match_a_clean_single_process_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    templates = load_templates(TEMPLATES)

    clean = single_process_build([SOURCE], tmp_path / "clean").output
    parallel = build([SOURCE], deck_options(tmp_path / "parallel", templates, **PARALLEL))
    assert parallel.workers == 2  # workers parsed and rendered
    assert (tmp_path / "parallel" / ".cache" / "render.sqlite").is_file()
    cached = build([SOURCE], deck_options(tmp_path / "parallel", templates, **PARALLEL))
    assert cached.workers == 0  # all from the cache
    assert parallel.output.read_bytes() == clean.read_bytes()
    assert cached.output.read_bytes() == clean.read_bytes()


@pytest.mark.parametrize("settle_ns", [file_stamps.SETTLE_NS, 0])
def test_a_cached_rebuild_after_edits_matches_a_clean_build_from_the_same_state(
    source_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settle_ns: int
) -> None:
    """The rebuild a user runs after editing: most of it comes from the cache, and the deck must
    be byte for byte what a clean single-process build makes from the same files and state.
    With `settle_ns` 0 the files are stamped as soon as written, and the rebuild takes the
    unedited ones' parses without reading them (`chatdeck.file_stamps`)."""
    monkeypatch.setattr(file_stamps, "SETTLE_NS", settle_ns)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    templates = load_templates(TEMPLATES)
    cached_dir, clean_dir = tmp_path / "cached", tmp_path / "clean"
    first = build([source_copy], deck_options(cached_dir, templates, **PARALLEL)).output
    first_bytes = first.read_bytes()
    clean_dir.mkdir()  # the clean build starts from the same state and previous deck
    for name in (state_path(cached_dir, first.name).name, first.name):
        shutil.copy(cached_dir / name, clean_dir / name)

    edited = source_copy / "003_0382162edb178db0.txt"
    text = edited.read_text(encoding="utf-8")
    unique_question = "Q: what is model distillation in deep learning?"  # in no other file
    assert unique_question in text
    edited.write_text(
        text.replace("inference", "serving", 1).replace(unique_question, "", 1)
        + "\n\nQ: what is a brand new question?\n\nA: A new answer with `code`.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    cached = build([source_copy], deck_options(cached_dir, templates, **PARALLEL))
    clean = single_process_build([source_copy], clean_dir)
    assert len(cached.removed) == len(clean.removed) == 1
    assert cached.output.read_bytes() != first_bytes
    assert cached.output.read_bytes() == clean.output.read_bytes()
    state = state_path(cached_dir, first.name).name
    assert state_without_deck_stamp(cached_dir / state) == state_without_deck_stamp(
        clean_dir / state
    )


def test_a_deleted_or_damaged_cache_is_harmless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    templates = load_templates(TEMPLATES)
    output = tmp_path / "out"
    expected = build([SOURCE], deck_options(output, templates)).output.read_bytes()
    cache = output / ".cache" / "render.sqlite"
    cache.write_bytes(b"this is not a database")
    assert build([SOURCE], deck_options(output, templates)).output.read_bytes() == expected
    shutil.rmtree(output / ".cache")
    assert build([SOURCE], deck_options(output, templates)).output.read_bytes() == expected

    # Parsed files kept but their fields' HTML gone (a half-deleted cache): the build starts
    # again without the cache instead of failing or writing blank cards.
    connection = sqlite3.connect(cache)
    with connection:
        connection.execute("DELETE FROM html")
    connection.close()
    assert build([SOURCE], deck_options(output, templates)).output.read_bytes() == expected


def test_a_rebuild_renders_only_the_edited_field(
    source_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = load_templates(TEMPLATES)
    output = tmp_path / "out"
    build([source_copy], deck_options(output, templates))
    edited = source_copy / "002_e5c0f4d579d6b0ac.txt"
    text = edited.read_text(encoding="utf-8")
    assert text.count("tf.function") > 1
    edited.write_text(text.replace("tf.function", "tf.function()", 1), encoding="utf-8")

    rendered: list[str] = []
    real_render = chatdeck.cards.render_field

    def counting_render(markdown: str, *args, **kwargs) -> RenderedField:  # type: ignore[no-untyped-def]
        rendered.append(markdown)
        return real_render(markdown, *args, **kwargs)

    monkeypatch.setattr(chatdeck.cards, "render_field", counting_render)  # counts, tunes nothing
    build([source_copy], deck_options(output, templates))
    assert len(rendered) == 1 and "tf.function()" in rendered[0]


def test_a_chat_export_rendered_on_workers_matches_one_rendered_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chat export is one file of many notes: they are rendered in batches on the workers
    (which also keeps cmark-gfm's leak out of this process), with the same deck as a result."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    export = FIXTURES / "exports" / "chatgpt.json"
    clean = single_process_build([export], tmp_path / "clean").output
    parallel = build([export], deck_options(tmp_path / "parallel", render_batch=1, **PARALLEL))
    assert parallel.workers == 2
    assert len(parallel.cards) > 2  # so that batches went to the workers
    assert parallel.output.read_bytes() == clean.read_bytes()


def test_tex_macros_shown_as_text_are_warned_about_at_their_line(tmp_path: Path) -> None:
    source = FIXTURES / "hostile" / "math_and_media.md"
    result = build([source], deck_options(tmp_path / "output"))
    warned = {
        (problem.line, problem.message.split()[2])
        for problem in result.problems
        if problem.source == "math_and_media.md" and problem.message.startswith("TeX macro")
    }
    assert warned == {
        (1, "\\href"),
        (8, "\\style"),
        (16, "\\mmlToken"),
        (20, "\\style"),
        (23, "\\bbox"),
        (23, "\\cssId"),
        (24, "\\class"),
        (25, "\\require"),
    }
    cached = build([source], deck_options(tmp_path / "output"))  # from the cache
    assert [str(p) for p in cached.problems] == [str(p) for p in result.problems]


def test_a_build_of_transcripts_imports_only_what_it_uses(tmp_path: Path) -> None:
    """Start-up counts for every build: bs4 is imported for saved pages only, tqdm for a
    terminal's progress bar only, http.client for --push only."""
    script = (
        "import sys; from pathlib import Path; from chatdeck.cli import main; "
        f"main([{str(SOURCE)!r}, '-o', {str(tmp_path)!r}, '-q']); "
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'bs4', 'tqdm', 'http'}))"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "[]"  # after the build's report
    assert list(tmp_path.glob("*.apkg"))


def test_a_rebuild_from_the_parse_cache_never_imports_the_parser_or_the_renderer(
    tmp_path: Path,
) -> None:
    """Every file's cards come from the parse cache: what parses and renders (and compiles
    its patterns as it loads) is never imported, unless a file has to be read again. (The
    libraries' top-level packages are, for their versions in the cache's key: `pygments`,
    `cmarkgfm` and `nh3` load in less time than `importlib.metadata` took to find them.)"""
    modules = ["chatdeck.parse", "chatdeck.turns", "chatdeck.render", "chatdeck.cards"]
    modules += ["pygments.lexers"]
    script = (
        "import sys; from chatdeck.cli import main; "
        f"main([sys.argv[1], '-o', {str(tmp_path)!r}, '-q']); "
        f"print(sorted(set(sys.modules) & set({modules!r})))"
    )
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    runs = []
    for _ in range(2):  # the first build renders every file; the second, none
        run = subprocess.run(
            [sys.executable, "-c", script, str(source)], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        runs.append(run.stdout.splitlines()[-1])
    assert runs[0] == str(sorted(modules)), "the first build does import them"
    assert runs[1] == "[]"
    edited = sorted(source.glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nQ: One more?\n\nA: Yes.\n")
    run = subprocess.run(
        [sys.executable, "-c", script, str(source)], capture_output=True, text=True
    )
    assert "chatdeck.parse" in run.stdout.splitlines()[-1]


def test_a_build_runs_the_garbage_collector_less_often_and_puts_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = gc.get_threshold()
    during = []
    real_merge = BUILD.merge_notes

    def merge(*args, **kwargs):  # type: ignore[no-untyped-def]
        during.append(gc.get_threshold())
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(BUILD, "merge_notes", merge)  # looks, changes nothing
    build([SOURCE], deck_options(tmp_path / "out"))
    assert during == [(BUILD.COLLECT_EVERY, *before[1:])]
    assert gc.get_threshold() == before


def test_two_builds_at_once_in_threads_put_the_collector_back_as_it_was(tmp_path: Path) -> None:
    """A library caller building two decks at once (two output folders, two threads): the
    second build starts while the first runs and ends after it. The threshold the process had
    must be the one it has after both."""
    before = gc.get_threshold()
    both_running = threading.Barrier(2, timeout=60)
    first_done = threading.Event()
    errors: list[BaseException] = []

    def first_clock() -> int:  # called once per build, while it holds the collector's threshold
        both_running.wait()
        return 1_700_000_000

    def second_clock() -> int:
        both_running.wait()
        first_done.wait(60)
        return 1_700_000_000

    def run(output: Path, clock: object) -> None:
        try:
            build([SOURCE], deck_options(output, clock=clock, jobs=1))
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    first = threading.Thread(target=run, args=(tmp_path / "first", first_clock))
    second = threading.Thread(target=run, args=(tmp_path / "second", second_clock))
    try:
        first.start()
        second.start()
        first.join(120)
        first_done.set()
        second.join(120)
        assert not errors
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)


def test_a_deck_file_damaged_since_the_last_build_is_written_again(tmp_path: Path) -> None:
    """The user's .apkg was cut short (a copy that failed, a sync tool's conflict, a backup put
    back): the next build, whose notes have not changed, must still leave a whole deck."""
    output = tmp_path / "out"
    built = build([SOURCE], deck_options(output, clock=lambda: 1_700_000_000)).output
    whole = built.read_bytes()
    built.write_bytes(whole[: len(whole) // 2])
    again = build([SOURCE], deck_options(output, clock=lambda: 1_700_000_000)).output
    assert again.read_bytes() == whole
    written = again.stat()
    build([SOURCE], deck_options(output, clock=lambda: 1_700_000_000))
    assert (again.stat().st_mtime_ns, again.stat().st_ino) == (
        written.st_mtime_ns,
        written.st_ino,
    )  # a whole deck, as the state describes it, is left alone
