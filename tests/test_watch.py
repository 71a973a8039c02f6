"""`--watch`, driven as a user drives it: a real process, real file changes, a real Ctrl-C (SIGINT).

Ctrl-C while waiting exits with code 0 ("stopped watching"); Ctrl-C during a build exits with 130,
the previous deck untouched, as an interrupted build does. With --push, each rebuild is pushed
to the AnkiConnect stand-in (see test_push.py for what it does not cover).
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ankiconnect_standin import AnkiConnectStandIn
from conftest import ROOT

from chatdeck.watch import targets_for

WAIT = 60.0  # seconds: a rebuild takes well under one; a loaded CI machine is slow


class Watcher:
    """build_deck.py --watch in a process of its own, its output read line by line."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build_deck.py"), *args, "--watch"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.errors: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(target=self._read, args=(self.process.stdout, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, False), daemon=True).start()

    def _read(self, stream: object, out: bool) -> None:
        for line in stream:  # type: ignore[attr-defined]
            if out:
                self.lines.put(line.rstrip("\n"))
            else:
                self.errors.append(line.rstrip("\n"))

    def expect(self, text: str) -> str:
        """The next stdout line containing `text` (earlier lines are kept in `seen`)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, f"watch exited: {self.errors}"
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r}; saw {self.seen}, stderr {self.errors}")

    def settle(self, quiet: float = 1.5) -> None:
        """Wait until nothing was printed for `quiet` seconds: no rebuild is under way."""
        while True:
            try:
                self.seen.append(self.lines.get(timeout=quiet))
            except queue.Empty:
                return

    def stop(self) -> int:
        self.settle()
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT)


@pytest.fixture
def watched(source_copy: Path, tmp_path: Path) -> Iterator[tuple[Path, Watcher]]:
    watcher = Watcher(str(source_copy), "-o", str(tmp_path / "out"), cwd=tmp_path)
    try:
        yield source_copy, watcher
    finally:
        if watcher.process.poll() is None:
            watcher.process.kill()
            watcher.process.wait()


def test_watch_rebuilds_after_a_change_survives_a_broken_file_and_stops_on_ctrl_c(
    watched: tuple[Path, Watcher],
) -> None:
    source, watcher = watched
    assert "36 notes: 36 new" in watcher.expect(" built: ")
    watcher.expect("Watching")
    path = next(source.glob("003_*.txt"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Model distillation, also known as", "Distilled"), "utf-8")
    line = watcher.expect("rebuilt after")
    assert "003_" in line and "1 updated" in line

    # A broken deck.toml: the rebuild fails, says why, and the watch goes on.
    config = source / "deck.toml"
    good = config.read_text(encoding="utf-8")
    config.write_text('deck = "ML Engineering\n', encoding="utf-8")
    failed = watcher.expect("rebuilt after")
    assert "deck.toml" in failed and "failed:" in failed and "invalid TOML" in failed
    assert watcher.process.poll() is None
    config.write_text(good, encoding="utf-8")
    assert "nothing changed" in watcher.expect("rebuilt after")

    assert watcher.stop() == 0
    assert "stopped watching" in watcher.expect("stopped watching")
    assert not any("Traceback" in line for line in watcher.errors)


def test_watch_ignores_its_own_output_and_files_that_are_not_its_input(
    source_copy: Path, tmp_path: Path
) -> None:
    targets = targets_for([source_copy], None, source_copy / "out")
    assert targets.counts(source_copy / "a.txt")
    assert targets.counts(source_copy / "deck.toml")
    assert not targets.counts(source_copy / "out" / "deck.apkg")
    assert not targets.counts(source_copy / ".chatdeck-tmp-x.apkg")
    one = source_copy / "000_01970299b520cebb.txt"
    templates = tmp_path / "templates"
    templates.mkdir()
    targets = targets_for([one], templates, tmp_path / "out")
    assert targets.counts(one) and targets.counts(source_copy / "deck.toml")
    assert not targets.counts(source_copy / "001_33aadecbbf787f62.txt")
    assert targets.counts(templates / "style.css") and not targets.counts(templates / "x.txt")
    assert set(targets.roots) == {source_copy, templates}


def test_watch_pushes_after_each_rebuild(source_copy: Path, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")  # edited below
    with AnkiConnectStandIn(tmp_path / "collection.anki2") as anki:
        watcher = Watcher(
            str(source_copy),
            "-o",
            str(tmp_path / "out"),
            "--push",
            "--anki-connect",
            anki.url,
            cwd=tmp_path,
        )
        try:
            assert "Anki: 36 new" in watcher.expect(" built: ")
            watcher.expect("Watching")
            css = tmp_path / "templates" / "style.css"
            css.write_text(css.read_text() + "\n.question { letter-spacing: 0.01em; }\n")
            line = watcher.expect("rebuilt after")
            assert "style.css" in line and "card templates updated" in line
            assert watcher.stop() == 0
        finally:
            if watcher.process.poll() is None:
                watcher.process.kill()
                watcher.process.wait()
        assert anki.actions.count("importPackage") == 2


def test_watch_of_a_missing_path_fails_at_once(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), str(tmp_path / "nope"), "--watch"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=WAIT,
    )
    assert completed.returncode == 1
    assert completed.stderr.strip().endswith("no such file or folder")
