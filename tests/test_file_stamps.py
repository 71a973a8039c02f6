"""A rebuild takes an unchanged file's parse without reading it, and reads every file whose stamp
moved: any write, another file in its place, another parser. The deck is the same either way."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATES, build_with, chatdeck_copy, deck_options

from chatdeck import file_stamps
from chatdeck.build import build
from chatdeck.file_stamps import settled_stamp, stat_stamp
from chatdeck.sources import Opened, Source
from chatdeck.state import read_state
from chatdeck.templates import load_templates

#: The module (its name is also the package's `build` function).
BUILD = importlib.import_module("chatdeck.build")
QA = "Q: what is a stamp number {n}?\nA: The answer number {n}, with `code`.\n"


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled as soon as they are written (the tests' files are new)."""
    monkeypatch.setattr(file_stamps, "SETTLE_NS", 0)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the sources each build opens, in order."""
    opened: list[str] = []
    real = BUILD.open_source

    def counting(source: Source, *args: object) -> Opened:
        opened.append(source.name)
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(BUILD, "open_source", counting)  # counts, tunes nothing
    return opened


def corpus(folder: Path, files: int = 3) -> Path:
    folder.mkdir()
    for n in range(files):
        (folder / f"f{n}.md").write_text(QA.format(n=n) + QA.format(n=n + 10), encoding="utf-8")
    return folder


def clean_deck(source: Path, output: Path, start: Path | None = None) -> bytes:
    """The deck a single-process build without a cache makes, from the state and deck in
    `start` if given (as the rebuild being checked started from)."""
    if start is not None:
        output.mkdir()
        for name in ("Chat Transcripts.apkg", ".Chat Transcripts.build-state.json"):
            shutil.copy(start / name, output / name)
    options = deck_options(output, load_templates(TEMPLATES), use_cache=False, jobs=1)
    return build([source], options).output.read_bytes()


@pytest.mark.usefixtures("settled")
def test_an_unchanged_rebuild_reads_no_file(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    source, output = corpus(tmp_path / "source"), tmp_path / "out"
    first = build([source], deck_options(output)).output.read_bytes()
    assert len(reads) == 3
    state, _ = read_state(output, "Chat Transcripts.apkg")
    assert (
        set(state["file_stamps"])
        == set(state["files"])
        == {str((source / f"f{n}.md").absolute()) for n in range(3)}
    )
    reads.clear()
    again = build([source], deck_options(output))
    assert reads == []
    assert len(again.cards) == 6 and not again.removed
    assert again.output.read_bytes() == first == clean_deck(source, tmp_path / "clean")


@pytest.mark.usefixtures("settled")
def test_a_file_rewritten_with_its_size_and_times_put_back_is_read_again(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    source, output, before_edit = corpus(tmp_path / "source"), tmp_path / "out", tmp_path / "old"
    build([source], deck_options(output))
    shutil.copytree(output, before_edit, ignore=shutil.ignore_patterns(".cache"))
    edited = source / "f1.md"
    before = edited.stat()
    text = edited.read_text(encoding="utf-8").replace("number 1,", "number 7,")
    edited.write_text(text, encoding="utf-8")
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))  # (the ctime still moves)
    assert edited.stat().st_size == before.st_size
    reads.clear()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    rebuilt = build([source], deck_options(output))
    assert reads == ["f1.md"]
    assert [str(change.status) for change in rebuilt.changes.notes].count("updated") == 1
    clean = clean_deck(source, tmp_path / "clean", start=before_edit)
    assert rebuilt.output.read_bytes() == clean


@pytest.mark.usefixtures("settled")
def test_another_file_put_in_its_place_is_read(tmp_path: Path, reads: list[str]) -> None:
    source, output = corpus(tmp_path / "source"), tmp_path / "out"
    build([source], deck_options(output))
    replacement = tmp_path / "f0.md"
    shutil.copy2(source / "f2.md", replacement)  # same size, same modification time
    replacement.replace(source / "f0.md")
    reads.clear()
    rebuilt = build([source], deck_options(output))
    assert reads == ["f0.md"]
    assert len(rebuilt.removed) == 2  # f0's own questions left it
    assert len(rebuilt.merges) == 2  # and f2's are in it twice


@pytest.mark.usefixtures("settled")
def test_another_parser_reads_every_file_again(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, output = corpus(tmp_path / "source"), tmp_path / "out"
    build([source], deck_options(output))
    monkeypatch.setattr(BUILD, "parser_version", lambda: "another parser")
    reads.clear()
    build([source], deck_options(output))
    assert reads == ["f0.md", "f1.md", "f2.md"]


def test_a_file_written_just_before_the_build_keeps_no_stamp(tmp_path: Path) -> None:
    source, output = corpus(tmp_path / "source"), tmp_path / "out"
    build([source], deck_options(output))
    state, _ = read_state(output, "Chat Transcripts.apkg")
    assert len(state["files"]) == 3 and state["file_stamps"] == {}


def test_a_stamp_is_kept_only_once_the_file_has_settled(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("Q: a?\nA: b\n", encoding="utf-8")
    info = path.stat()
    written = max(info.st_mtime_ns, info.st_ctime_ns)
    assert settled_stamp(info, written + file_stamps.SETTLE_NS - 1, "v", "a.md") is None
    kept = settled_stamp(info, written + file_stamps.SETTLE_NS, "v", "a.md")
    assert kept == f"v:{stat_stamp(info)}:a.md"


def test_whole_second_times_give_no_stamp(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("x", encoding="utf-8")
    fields = list(path.stat())
    seconds = [1700000000] * 3
    whole = os.stat_result(fields[:7] + seconds + seconds + [s * 10**9 for s in seconds])
    assert whole.st_ctime_ns == 1700000000 * 10**9
    assert stat_stamp(whole) is None
    assert stat_stamp(path.stat()) is not None or path.stat().st_ctime_ns % 10**9 == 0


def test_stamps_kept_later_rewrite_the_state_but_not_the_deck(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files read too soon after they were written keep no stamp; once they have settled, a
    build with nothing to change keeps their stamps in the state and leaves the deck alone."""
    source, output = corpus(tmp_path / "source"), tmp_path / "out"
    deck = build([source], deck_options(output)).output
    before = deck.stat()
    monkeypatch.setattr(file_stamps, "SETTLE_NS", 0)
    reads.clear()
    build([source], deck_options(output))
    assert len(reads) == 3
    after = deck.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    state, _ = read_state(output, deck.name)
    assert len(state["file_stamps"]) == 3
    reads.clear()
    build([source], deck_options(output))
    assert reads == []


def test_a_stamped_file_an_update_reads_otherwise_is_read_again(tmp_path: Path) -> None:
    """A .json file that holds no JSON is read as a transcript; a chatdeck update whose
    json_chats reads it otherwise (here: as a JSON file holding no chat) changes no parse
    module. A rebuild of the unchanged file must give what a clean build of the update gives,
    not the cards its stamp kept."""
    package, source, output = chatdeck_copy(tmp_path / "lib"), tmp_path / "source", tmp_path / "out"
    source.mkdir()
    (source / "a.md").write_text(QA.format(n=1), encoding="utf-8")
    (source / "notes.json").write_text(QA.format(n=2), encoding="utf-8")
    assert len(build_with(package, [source], output)) == 2
    chats = package / "chatdeck" / "json_chats.py"
    chats.write_text(
        chats.read_text(encoding="utf-8")
        + "\n\n_before = read_json_chats\n\n\n"
        + "def read_json_chats(data: bytes, source: str) -> Export | None:  # the update\n"
        + '    return _before(data, source) or Export(source, [], [Problem(source, None, "x")])\n',
        encoding="utf-8",
    )
    rebuilt = build_with(package, [source], output)
    assert rebuilt == build_with(package, [source], tmp_path / "clean")
