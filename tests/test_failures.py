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
from chatdeck.render_cache import PAGE_SIZE
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

    def interrupted(entry, threads: int = 1) -> None:  # type: ignore[no-untyped-def]
        entries.append(entry)
        if len(entries) == 2:  # the collection is in the zip, the media map is not
            raise KeyboardInterrupt
        real_use_fast_deflate(entry, threads)

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


# --- The render cache: damaged, foreign, planted, read-only ------------------------------------

CACHE = Path(".cache") / "render.sqlite"


def cache_build(source: Path, output: Path, **tuning: object):  # type: ignore[no-untyped-def]
    return build([source], deck_options(output, **tuning))


def cache_messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in result.problems if "cache" in p.source + p.message]


def deck_fields(deck: Path) -> list[str]:
    import sqlite3
    import tempfile
    import zipfile

    with zipfile.ZipFile(deck) as archive, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.anki2"
        path.write_bytes(archive.read("collection.anki2"))
        connection = sqlite3.connect(path)
        try:
            return [flds for (flds,) in connection.execute("SELECT flds FROM notes")]
        finally:
            connection.close()


def sql(path: Path, *statements: str) -> None:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def damage_garbage(cache: Path) -> None:
    cache.write_bytes(os.urandom(5000))


def damage_truncated(cache: Path) -> None:
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2 + 100])


def damage_page(cache: Path) -> None:
    with cache.open("r+b") as handle:  # the second page, whole
        handle.seek(PAGE_SIZE)
        handle.write(b"\xff" * PAGE_SIZE)


def damage_schema(cache: Path) -> None:
    cache.unlink()
    sql(cache, "CREATE TABLE html (k, v)", "CREATE TABLE files (key TEXT PRIMARY KEY, value)")


def damage_view(cache: Path) -> None:
    sql(
        cache, "ALTER TABLE html RENAME TO h2", "CREATE VIEW html AS SELECT key, 5 AS value FROM h2"
    )


def damage_trigger(cache: Path) -> None:
    sql(
        cache,
        "CREATE TRIGGER t AFTER INSERT ON html BEGIN UPDATE html SET value = '<script>' ; END",
    )


def damage_values(cache: Path) -> None:
    sql(cache, "UPDATE html SET value = 5", "UPDATE files SET value = '{\"cards\": 5}'")


def damage_parsed(cache: Path) -> None:
    sql(cache, "UPDATE files SET value = '[1e999]'")


def damage_folder(cache: Path) -> None:
    cache.unlink()
    cache.mkdir()


def damage_cache_folder_is_a_file(cache: Path) -> None:
    shutil.rmtree(cache.parent)
    cache.parent.write_text("not a folder")


def damage_fifo(cache: Path) -> None:
    cache.unlink()
    os.mkfifo(cache)


def damage_symlink(cache: Path) -> None:
    cache.unlink()
    cache.symlink_to("/dev/zero")


def damage_utf16(cache: Path) -> None:
    cache.unlink()
    sql(cache, "PRAGMA encoding = 'UTF-16'", "CREATE TABLE x (a)")


def damage_old_layout(cache: Path) -> None:
    cache.unlink()
    sql(
        cache,
        "CREATE TABLE html (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE files (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (damage_garbage, "/render.sqlite: damaged (file is not a database); started afresh"),
        (damage_truncated, "/render.sqlite: damaged ("),
        (damage_page, "/render.sqlite: damaged ("),
        (damage_schema, "/render.sqlite: of another schema (not chatdeck's cache, or a newer"),
        (damage_view, "/render.sqlite: of another schema (it holds views, indexes or triggers)"),
        (damage_trigger, "/render.sqlite: of another schema (it holds views, indexes or"),
        (damage_values, "/render.sqlite: 7 entries failed the cache's check"),
        (damage_parsed, "/render.sqlite: 2 entries failed the cache's check"),
        (damage_folder, "/render.sqlite: not a file (delete it to have a cache again); building"),
        (damage_cache_folder_is_a_file, ": not a folder (delete it to have a cache again)"),
        (damage_fifo, "/render.sqlite: not a file (delete it to have a cache again); building"),
        (damage_symlink, "/render.sqlite: a symlink, not chatdeck's cache; started afresh"),
        (damage_utf16, "/render.sqlite: of another text encoding (UTF-16le); started afresh"),
        (damage_old_layout, None),
    ],
)
def test_a_damaged_cache_costs_one_line_and_never_the_build(
    tmp_path: Path, damage, message: str | None
) -> None:  # type: ignore[no-untyped-def]
    source = folder(tmp_path, {"a.md": QA, "b.md": QA.replace("tensor", "matrix")})
    output = tmp_path / "out"
    first = cache_build(source, output)
    expected = deck_fields(first.output)
    damage(output / CACHE)
    for _attempt in range(2):  # a later build is not stuck either
        result = cache_build(source, output, preview=True)
        assert deck_fields(result.output) == expected
        assert (output / "preview.html").read_text().count("<script>") == 1  # its own
        messages = cache_messages(result)
        if _attempt == 0 and message is not None:
            assert len(messages) == 1, messages
            assert messages[0].startswith(f"{output / '.cache'}{message}"), messages
        elif message is None or "started afresh" in message or "failed" in message:
            assert messages == [], messages  # started afresh: the next build uses it


def test_html_planted_in_the_cache_never_reaches_a_card(tmp_path: Path) -> None:
    """A planted value keeps its key and even a check copied from a real entry: the check
    covers the value with this user's key, so it fails, and the field is rendered afresh."""
    source = folder(tmp_path, {f"f{n}.md": QA.replace("tensor", f"tensor {n}") for n in range(9)})
    output = tmp_path / "out"
    first = cache_build(source, output)
    expected = deck_fields(first.output)
    sql(output / CACHE, "UPDATE html SET value = '<script>alert(1)</script>' || value")
    for jobs in (1, 2):  # parsed here, or on the workers (which render everything anew)
        (source / "f0.md").write_text(QA + f"\nQ: one more {jobs}?\nA: yes\n")
        result = cache_build(source, output, jobs=jobs, pool_threshold=2)
        assert not any("<script>" in flds for flds in deck_fields(result.output))
        if jobs == 1:
            assert cache_messages(result) == [
                f"{output / CACHE}: 19 entries failed the cache's check (changed outside "
                "chatdeck, damaged, or made by another user); left out and rendered afresh"
            ]
        sql(output / CACHE, "UPDATE html SET value = '<script>alert(1)</script>' || value")
    (source / "f0.md").write_text(QA.replace("tensor", "tensor 0"))
    final = deck_fields(cache_build(source, output).output)  # (with two removed notes)
    assert set(expected) <= set(final) and not any("<script>" in flds for flds in final)


def test_a_cache_copied_from_someone_else_is_not_trusted(tmp_path: Path) -> None:
    source = folder(tmp_path, {"a.md": QA})
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    cache_build(source, theirs, cache_key=tmp_path / "their-key")
    sql(theirs / CACHE, "UPDATE html SET value = '<script>x</script>'")
    # They rebuild with their key: their planted HTML now carries checks of their key...
    result = cache_build(source, theirs, cache_key=tmp_path / "their-key")
    sql(theirs / CACHE, "UPDATE html SET value = '<script>x</script>'")
    shutil.copytree(theirs, ours)
    result = cache_build(source, ours, cache_key=tmp_path / "our-key")
    assert not any("<script>" in flds for flds in deck_fields(result.output))
    assert "made by another user" in " ".join(cache_messages(result))


def test_a_stamped_cache_is_used_unchecked_and_any_change_is_seen(tmp_path: Path) -> None:
    from chatdeck.render_cache import STAMP_NAME, RenderCache

    source = folder(tmp_path, {"a.md": QA})
    output = tmp_path / "out"
    cache_build(source, output)
    assert (output / ".cache" / STAMP_NAME).exists()
    checked = []
    real = RenderCache._verify_all

    def counting(self, connection, path):  # type: ignore[no-untyped-def]
        checked.append(path)
        return real(self, connection, path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RenderCache, "_verify_all", counting)
        cache_build(source, output)
        assert checked == []  # as the last build left it: nothing to check
        os.utime(output / CACHE)  # any write (here only the times) changes the stamp
        cache_build(source, output)
        assert checked == [output / CACHE]
        cache_build(source, output)
        assert len(checked) == 1


def test_a_read_only_cache_is_set_aside_for_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import chatdeck.render_cache

    source = folder(tmp_path, {"a.md": QA})
    output = tmp_path / "out"
    cache_build(source, output)
    (output / CACHE).chmod(0o444)
    (output / CACHE.parent).chmod(0o555)
    if os.geteuid() == 0:  # root writes through any mode: open the file read-only instead
        real_connect = sqlite3.connect

        def read_only(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if str(path).endswith("render.sqlite"):
                return real_connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)
            return real_connect(path, *args, **kwargs)

        monkeypatch.setattr(chatdeck.render_cache.sqlite3, "connect", read_only)
    try:
        (source / "a.md").write_text(QA + "\nQ: and a vector?\nA: One axis.\n")
        for _attempt in range(2):
            result = cache_build(source, output)
            assert len(result.cards) == 2
            assert cache_messages(result) == [
                f"{output / CACHE}: cannot be written (attempt to write a readonly database); "
                "building without a cache this time"
            ]
    finally:
        (output / CACHE.parent).chmod(0o755)


def test_a_key_that_cannot_be_kept_means_a_build_without_cache(tmp_path: Path) -> None:
    source = folder(tmp_path, {"a.md": QA})
    key = tmp_path / "key"
    os.mkfifo(key)
    result = cache_build(source, tmp_path / "out", cache_key=key)
    assert len(result.cards) == 1
    assert cache_messages(result) == [
        f"{key}: cannot keep the render cache's key here (a named pipe (FIFO), not a regular "
        "file); building without a cache (set XDG_STATE_HOME to a folder of yours to keep one)"
    ]
    assert not (tmp_path / "out" / CACHE).exists()
    key.unlink()
    key.write_bytes(b"short")
    assert (
        "holds 5 bytes, not a key"
        in cache_messages(cache_build(source, tmp_path / "out", cache_key=key))[0]
    )


# Fuzzing the cache readers: whatever the file holds, opening it and reading through it never
# raises, and a build with it writes the deck a build without it writes.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SQL_VALUES = st.none() | st.integers() | st.floats() | st.text(max_size=40) | st.binary(max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["html", "files"]), SQL_VALUES, SQL_VALUES, SQL_VALUES),
        max_size=8,
    ),
    flips=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=4),
)
def test_fuzz_the_cache_file(tmp_path_factory: pytest.TempPathFactory, rows, flips) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from chatdeck.parse_cache import from_json
    from chatdeck.render_cache import RenderCache

    tmp_path = tmp_path_factory.mktemp("fuzz")
    folder_ = tmp_path / ".cache"
    cache = RenderCache(folder_, tmp_path / "key")
    cache.put_many([("k" * 32, "<p>x</p>")])
    cache.put_file(
        "f" * 32,
        '{"title": null, "cards": [["g", ["k", "k", "k"], "d", 1, "q", false]], "problems": []}',
    )
    cache.close()
    connection = sqlite3.connect(folder_ / "render.sqlite")
    for table, key, value, mac in rows:
        try:
            connection.execute(
                f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", (key, value, mac)
            )
        except (sqlite3.Error, OverflowError):
            pass
    connection.commit()
    connection.close()
    data = bytearray((folder_ / "render.sqlite").read_bytes())
    for offset, byte in flips:
        if offset < len(data):
            data[offset] = byte
    (folder_ / "render.sqlite").write_bytes(bytes(data))

    opened = RenderCache(folder_, tmp_path / "key")
    assert len(opened.report()) <= 1
    for key in ["k" * 32, "f" * 32, *(str(row[1]) for row in rows)]:
        opened.has(key)
        opened.get_many([key])
        stored = opened.get_file(key)
        if stored is not None:
            from_json(stored, "a.md")  # what the cache gives back is what chatdeck stored
    opened.put_many([("z" * 32, "<p>z</p>")])
    opened.close()


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(SQL_VALUES | st.booleans(), lambda c: st.lists(c) | st.dictionaries(st.text(), c))
)
def test_fuzz_the_parse_cache_reader(value) -> None:  # type: ignore[no-untyped-def]
    import json as json_module

    from chatdeck.parse_cache import from_json

    try:
        text = json_module.dumps(value)
    except (TypeError, ValueError):
        return
    try:
        from_json(text, "a.md")
    except ValueError:
        pass  # the one way it fails


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    notes=st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=5),
    note_type=JSON_VALUES,
    version=JSON_VALUES,
)
def test_fuzz_the_state_reader(notes: dict, note_type: object, version: object) -> None:  # type: ignore[type-arg]
    """Whatever a state file holds, reading it never raises, and what it keeps stamps cleanly."""
    import json
    import tempfile

    from chatdeck.state import checked_state, stamp
    from chatdeck.templates import Templates

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".Deck.build-state.json"
        document = {"version": version, "notes": notes, "note_type": note_type}
        path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
        state, _problem = checked_state(path)
        stamps = stamp([], [], Templates("f", "b", "c"), state, 1_700_000_000, "Deck", "Deck.apkg")
        assert stamps.note_type >= 1_700_000_000 or stamps.note_type == state["note_type"]["mod"]
        json.dumps(stamps.state)
