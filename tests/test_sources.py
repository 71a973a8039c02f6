"""What a source folder may hold that is not a transcript: FIFOs, devices, huge files, names that
are not UTF-8, the build's own output. None may hang a build, fill its memory or stop it; each
gives one line naming the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from conftest import ROOT, deck_options

from chatdeck.build import build, plan
from chatdeck.options import Limits, PlanOptions
from chatdeck.sources import Source, collect_sources, open_source, read_regular

QA = "Q: what is a tensor?\nA: A multi-dimensional array.\n"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The command, in a child that a hang cannot take the test run with it."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), *args],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def source_folder(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.md").write_text(QA, encoding="utf-8")
    return source


def test_fifos_and_devices_are_skipped_never_opened(tmp_path: Path) -> None:
    source = source_folder(tmp_path)
    os.mkfifo(source / "pipe.txt")  # opened to read, a FIFO waits for a writer forever
    os.mkfifo(source / "conversations.json")
    os.mkfifo(source / "diagram.png")
    (source / "zero.txt").symlink_to("/dev/zero")  # read whole, it never ends
    (source / "b.md").write_text("Q: what is a graph?\nA: Nodes.\n\n![d](diagram.png)\n")
    completed = run(str(source), "-o", str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stderr
    stderr = completed.stderr.decode()
    assert "pipe.txt: skipped: a named pipe (FIFO), not a regular file" in stderr
    assert "conversations.json: skipped: a named pipe (FIFO), not a regular file" in stderr
    assert "zero.txt: skipped: a device, not a regular file" in stderr
    assert "b.md:4: image skipped (a named pipe (FIFO), not a regular file): diagram.png" in stderr
    assert "Traceback" not in stderr
    assert b"(2 notes)" in completed.stdout


def test_a_fifo_named_on_the_command_line_is_skipped(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    completed = run(str(pipe), str(source_folder(tmp_path)), "-o", str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stderr
    assert b"pipe.md: skipped: a named pipe (FIFO), not a regular file" in completed.stderr


def test_a_path_that_becomes_a_fifo_after_the_listing_is_not_waited_on(tmp_path: Path) -> None:
    source = source_folder(tmp_path)
    (sources, _) = collect_sources([source])
    (source / "a.md").unlink()
    os.mkfifo(source / "a.md")  # the listing saw a file; the open finds a FIFO
    opened = open_source(sources[0])
    assert opened.problem is not None
    assert opened.problem.message == "skipped: a named pipe (FIFO), not a regular file"
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(source / "a.md")


def peak_memory(call) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_file_is_classified_from_its_head_and_skipped_unread(tmp_path: Path) -> None:
    """Only what it takes to tell a file's kind is read: the memory a build of a large
    unknown file takes does not grow with the file (measured at two sizes)."""
    source = source_folder(tmp_path)
    limits = Limits(transcript_bytes=64 * 1024)
    peaks = []
    for size in (1 << 20, 16 << 20):
        (source / "big.log").write_bytes(b"Q: again?\nA: yes.\n" * (size // 18))
        (source / "blob.bin2").write_bytes(b"\0" * size)
        found = []
        peaks.append(
            peak_memory(lambda: found.append(plan([source], PlanOptions(limits=limits))))  # noqa: B023
        )
        messages = {str(problem) for problem in found[0].problems}
        assert any(
            m.startswith("big.log: skipped: ")
            and m.endswith("larger than a transcript may be (64 KB); split it into smaller files")
            for m in messages
        ), messages
        assert "blob.bin2: skipped: binary file, not a transcript" in messages
        assert [note.question for note in found[0].notes] == ["what is a tensor?"]
    assert peaks[1] < 2 * peaks[0] + (1 << 20), peaks  # 16x the file, not 16x the memory
    assert peaks[1] < 4 << 20


def test_a_transcript_at_the_limit_is_read(tmp_path: Path) -> None:
    source = source_folder(tmp_path)
    data = QA.encode()
    found = plan([source], PlanOptions(limits=Limits(transcript_bytes=len(data))))
    assert len(found.notes) == 1 and not found.problems


def test_undecodable_file_names_are_shown_with_replacement_characters(tmp_path: Path) -> None:
    source = source_folder(tmp_path)
    name = os.fsdecode(b"caf\xe9 notes.md")  # Latin-1 bytes: not UTF-8
    (source / name).write_text("Q: what is a cafe?\nA: A place.\n", encoding="utf-8")
    # Under the C locale, Python would write a surrogate back out as the raw byte.
    completed = run("--dry-run", "--json", str(source), env={"LC_ALL": "C", "LANG": "C"})
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.decode("utf-8"))  # valid UTF-8, whatever the locale
    assert sorted(note["source"] for note in report["notes"]) == ["a.md", "caf\ufffd notes.md"]
    assert report["warnings"] == [
        {
            "source": "caf\ufffd notes.md",
            "line": None,
            "message": "file name is not valid UTF-8 (shown with \ufffd); rename the file",
        }
    ]
    built = run(str(source), "-o", str(tmp_path / "out"), env={"LC_ALL": "C", "LANG": "C"})
    assert built.returncode == 0, built.stderr
    assert b"(2 notes)" in built.stdout
    assert "caf\ufffd notes.md: file name is not valid UTF-8".encode() in built.stderr


def test_an_output_folder_inside_the_source_folder_is_not_read(tmp_path: Path) -> None:
    source = source_folder(tmp_path)
    output = source / "out"
    options = deck_options(output, preview=True)
    first = build([source], options)
    assert (output / "preview.html").exists()
    second = build([source], options)
    assert len(second.cards) == len(first.cards) == 1
    assert [str(problem) for problem in second.problems] == [
        "out/: skipped: a chatdeck output folder (it holds .build-state.json), not transcripts; "
        "keep the output (-o) outside the source folder"
    ]
    # The source folder itself as the output: only the preview page is set aside.
    build([source], deck_options(source, preview=True))
    again = build([source], deck_options(source, preview=True))
    assert "preview.html: skipped: chatdeck's preview page, not a transcript" in {
        str(problem) for problem in again.problems
    }
    assert len(again.cards) == 1


def test_folders_are_walked_in_sorted_order_without_following_symlinks(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for name in ["b.md", "a/z.md", "a-c.md", "a/b/c.md", "A.md", ".hidden/x.md", "c~"]:
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(QA)
    (source / "a" / "loop").symlink_to(source, target_is_directory=True)
    sources, problems = collect_sources([source])
    expected = sorted(
        p
        for p in source.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") or part.endswith("~") for part in p.parts)
        and not p.is_symlink()
    )
    assert [s.path for s in sources] == expected
    assert [s.name for s in sources] == ["A.md", "a/b/c.md", "a/z.md", "a-c.md", "b.md"]
    assert problems == []
    assert isinstance(sources[0], Source)


def test_a_deep_folder_tree_is_walked_without_recursion(tmp_path: Path) -> None:
    folder = tmp_path / "source"
    deep = folder
    for _ in range(200):  # deeper than a recursive walk could afford with a low limit
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "q.md").write_text(QA)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        sources, _ = collect_sources([folder])
    finally:
        sys.setrecursionlimit(limit)
    assert len(sources) == 1
