"""Bad input and failures: clear messages naming file and line, nothing lost, the old deck safe."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SOURCE, TEMPLATES, deck_options

from chatdeck.build import build
from chatdeck.package import TEMP_PREFIX
from chatdeck.state import state_path
from chatdeck.templates import load_templates

QA = "Q: what is a tensor?\nA: A multi-dimensional array.\n"


def run(*args: str, cwd: Path = ROOT, **kwargs) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        **kwargs,
    )


def folder(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name, content in files.items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return source


def test_encodings_bom_utf16_and_invalid_utf8(tmp_path: Path) -> None:
    source = folder(
        tmp_path,
        {
            "bom.txt": b"\xef\xbb\xbf" + QA.encode(),
            "utf16.txt": QA.replace("tensor", "matrix").encode("utf-16"),
            "latin1.txt": "Q: what is a caf\xe9 vector?\nA: A joke.\n".encode("latin-1"),
        },
    )
    completed = run("--dry-run", "--json", str(source))
    assert completed.returncode == 0
    import json

    report = json.loads(completed.stdout)
    questions = sorted(note["question"] for note in report["notes"])
    assert questions == ["what is a caf\ufffd vector?", "what is a matrix?", "what is a tensor?"]
    assert {
        "source": "latin1.txt",
        "line": 1,
        "message": "not valid UTF-8: undecodable bytes shown as \ufffd",
    } in report["warnings"]


def test_odd_files_are_skipped_with_a_warning_or_quietly(tmp_path: Path) -> None:
    source = folder(
        tmp_path,
        {
            "good.md": QA,
            "picture.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "paper.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            "blob.dat": b"\x00\x01\x02binary",
            ".hidden.txt": QA,
            "notes.txt~": QA,
            ".notes.txt.swp": b"\x00swap",
            "empty.txt": "",
            "title-only.md": "# Just a title\n",
            "prose.txt": "Some text that asks nothing.\n",
        },
    )
    completed = run("--dry-run", str(source))
    assert completed.returncode == 0
    warnings = completed.stderr
    assert "picture.png: skipped: an image, not a transcript" in warnings
    assert "paper.pdf: skipped: a document, not a transcript" in warnings
    assert "blob.dat: skipped: binary file, not a transcript" in warnings
    assert "empty.txt: empty file" in warnings
    assert "title-only.md: only a title, no question found" in warnings
    assert "prose.txt: no question found" in warnings
    for quiet in (".hidden", "notes.txt~", ".swp"):
        assert quiet not in warnings
    assert "Read 4 file(s): 1 notes found" in completed.stdout


def test_missing_path_output_is_a_file_and_unwritable_output(tmp_path: Path) -> None:
    source = folder(tmp_path, {"a.md": QA})
    missing = run(str(tmp_path / "missing"))
    assert (missing.returncode, missing.stderr.count("\n")) == (1, 1)
    assert "missing: no such file or folder" in missing.stderr

    a_file = tmp_path / "file"
    a_file.write_text("x")
    as_file = run(str(source), "-o", str(a_file))
    assert as_file.returncode == 1
    assert "output path is a file" in as_file.stderr

    unwritable = run(str(source), "-o", "/sys/chatdeck-test-output")
    assert unwritable.returncode == 1
    assert "cannot create output folder" in unwritable.stderr
    for completed in (missing, as_file, unwritable):
        assert "Traceback" not in completed.stderr


def test_no_question_anywhere_is_exit_1(tmp_path: Path) -> None:
    source = folder(tmp_path, {"prose.txt": "Nothing to ask.\n"})
    completed = run(str(source), "-o", str(tmp_path / "out"))
    assert completed.returncode == 1
    assert "no questions found" in completed.stderr


def test_bad_deck_toml_names_file_and_line(tmp_path: Path) -> None:
    source = folder(tmp_path, {"a.md": QA, "deck.toml": 'deck = "ok"\ntags = [oops\n'})
    completed = run(str(source), "-o", str(tmp_path / "out"))
    assert completed.returncode == 1
    assert "deck.toml:2: invalid TOML" in completed.stderr
    assert "Traceback" not in completed.stderr


def build_in_killed_child(source: Path, output: Path, size_limit: int, *options: str) -> int:
    """Run a build in a forked child that the kernel kills (SIGXFSZ) as soon as a file it
    writes passes `size_limit` bytes: a kill at a real moment in the middle of a write."""
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it by default
            resource.setrlimit(resource.RLIMIT_FSIZE, (size_limit, size_limit))
            from chatdeck.cli import main

            main([str(source), "-o", str(output), "--templates", str(TEMPLATES), *options])
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    return status


def test_killed_while_writing_leaves_previous_deck_intact(tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = run(str(SOURCE), "-o", str(output))
    assert first.returncode == 0
    (deck,) = output.glob("*.apkg")
    before = deck.read_bytes()
    edited = tmp_path / "edited"
    edited.mkdir()
    for path in SOURCE.iterdir():
        (edited / path.name).write_bytes(path.read_bytes().replace(b"GEMM", b"General MM"))

    status = build_in_killed_child(edited, output, len(before) // 2, "--no-cache")
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXFSZ
    assert deck.read_bytes() == before
    leftovers = list(output.glob(TEMP_PREFIX + "*"))
    assert leftovers, "the kill should have left a temp file for the next build to clean"

    # Killed again, this time while it fills the render cache: the cache survives it too.
    status = build_in_killed_child(edited, output, 4096)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXFSZ
    assert deck.read_bytes() == before

    again = run(str(edited), "-o", str(output))
    assert again.returncode == 0
    assert not list(output.glob(TEMP_PREFIX + "*"))
    assert deck.read_bytes() != before
    clean = tmp_path / "clean"
    shutil.copy(state_path(output, deck.name), tmp_path / "state.json")
    clean.mkdir()
    shutil.copy(tmp_path / "state.json", state_path(clean, deck.name))
    assert run(str(edited), "-o", str(clean), "--no-cache", "--jobs", "1").returncode == 0
    assert (clean / deck.name).read_bytes() == deck.read_bytes()


def test_disk_full_is_an_error_and_keeps_previous_deck(tmp_path: Path) -> None:
    output = tmp_path / "out"
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    assert run(str(source), "-o", str(output)).returncode == 0
    (deck,) = output.glob("*.apkg")
    before = deck.read_bytes()
    state_before = state_path(output, deck.name).read_bytes()

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit now fail (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    edited = source / "003_0382162edb178db0.txt"  # so that the build has something to write
    edited.write_text(edited.read_text(encoding="utf-8").replace("Low-Rank", "Low Rank"), "utf-8")
    failed = run(
        str(source),
        "-o",
        str(output),
        "--deck",
        "ML Engineering Interview",
        preexec_fn=full_disk,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1800000000"},
    )
    assert failed.returncode == 1
    assert "cannot write" in failed.stderr and "Traceback" not in failed.stderr
    assert deck.read_bytes() == before
    assert state_path(output, deck.name).read_bytes() == state_before
    assert not list(output.glob(TEMP_PREFIX + "*"))


def test_interrupt_while_writing_keeps_previous_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = load_templates(TEMPLATES)
    output = tmp_path / "out"
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    deck = build([source], deck_options(output, templates=templates)).output
    before = deck.read_bytes()
    edited = source / "003_0382162edb178db0.txt"  # so that the build has something to write
    edited.write_text(edited.read_text(encoding="utf-8").replace("Low-Rank", "Low Rank"), "utf-8")

    import chatdeck.package

    real_use_fast_deflate = chatdeck.package.use_fast_deflate
    entries = []

    def interrupted(entry) -> None:  # type: ignore[no-untyped-def]
        entries.append(entry)
        if len(entries) == 2:  # the collection is in the zip, the media map is not
            raise KeyboardInterrupt
        real_use_fast_deflate(entry)

    monkeypatch.setattr(chatdeck.package, "use_fast_deflate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build([source], deck_options(output, templates=templates))
    assert deck.read_bytes() == before
    assert not list(output.glob(TEMP_PREFIX + "*"))


def test_images_are_packed_by_hash_and_never_read_from_outside(tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG secret")
    source = folder(
        tmp_path,
        {
            "images/diagram.png": b"\x89PNG diagram",
            "notes.md": "Q: show the diagram\n\n![diagram](images/diagram.png)\n\n"
            "Q: and the others?\n\n![a](../secret.png) ![b](/etc/hostname) "
            "![c](link.png) ![d](missing.png)\n",
        },
    )
    (source / "link.png").symlink_to(outside)
    output = tmp_path / "out"
    completed = run(str(source), "-o", str(output))
    assert completed.returncode == 0, completed.stderr
    assert "notes.md:7: image outside the source folder ignored: ../secret.png" in completed.stderr
    assert "notes.md:7: image outside the source folder ignored: /etc/hostname" in completed.stderr
    assert "notes.md:7: image outside the source folder ignored: link.png" in completed.stderr
    assert "notes.md:7: image not found: missing.png" in completed.stderr
    assert "diagram.png: skipped" not in completed.stderr  # used by a card: no warning

    import hashlib
    import json
    import zipfile

    (deck,) = output.glob("*.apkg")
    with zipfile.ZipFile(deck) as archive:
        media = json.loads(archive.read("media"))
        name = hashlib.sha256(b"\x89PNG diagram").hexdigest()[:20] + ".png"
        assert list(media.values()) == [name]
        assert archive.read("0") == b"\x89PNG diagram"
        collection = archive.read("collection.anki2")
    assert f'src="{name}"'.encode() in collection
    assert b"secret" not in collection and str(tmp_path).encode() not in collection


@pytest.mark.parametrize(
    "damage",
    [
        '{"version": 2, "notes": []}',
        '{"version": 2, "notes": {"x": 7}}',
        '{"version": 2, "notes": {"x": {"hash": "h", "mod": "abc"}}}',
        '{"version": 2, "notes": {"x": {"hash": "h", "mod": 1e20}}}',
        '{"version": 2, "notes": {"x": {"hash": "h", "mod": 1e999}}}',
        '{"version": 2, "notes": {"x": {"hash": "h", "mod": 1, "origin": 5}}, "note_type": 3}',
        '{"version": 99, "notes": {}}',
        "[1, 2, 3]",
        "{not json",
    ],
)
def test_a_damaged_state_file_is_said_and_the_build_goes_on(tmp_path: Path, damage: str) -> None:
    output = tmp_path / "out"
    first = build([SOURCE], deck_options(output))
    state = state_path(output, first.output.name)
    state.write_text(damage, encoding="utf-8")
    again = build([SOURCE], deck_options(output))
    (said,) = [problem for problem in again.problems if problem.source == str(state)]
    assert "build state" in said.message
    assert len(again.cards) == 36
    after = build([SOURCE], deck_options(output))  # the state written is sound again
    assert not [problem for problem in after.problems if problem.source == str(state)]
    assert after.changes.nothing


def test_a_second_build_into_a_busy_folder_is_told_so(tmp_path: Path) -> None:
    import fcntl

    output = tmp_path / "out"
    output.mkdir()
    with open(output / ".chatdeck.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = run(str(SOURCE), "-o", str(output))
    assert busy.returncode == 1 and "Traceback" not in busy.stderr
    assert "another build is writing to this folder" in busy.stderr
    assert run(str(SOURCE), "-o", str(output)).returncode == 0  # the lock went with its holder


def test_two_builds_at_once_never_break_each_other(tmp_path: Path) -> None:
    output = tmp_path / "out"
    for _ in range(3):
        builds = [
            subprocess.Popen(
                [sys.executable, str(ROOT / "build_deck.py"), str(SOURCE), "-o", str(output)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for process in builds:
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0 or "another build is writing" in stderr, stderr
            assert "Traceback" not in stderr
        assert not list(output.glob(TEMP_PREFIX + "*"))
    assert build([SOURCE], deck_options(output)).changes.nothing
