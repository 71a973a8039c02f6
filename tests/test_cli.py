"""The command line: the --dry-run --json contract, the report, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SOURCE


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_dry_run_json_lists_the_56_notes_before_merging() -> None:
    completed = run("--dry-run", "--json", str(SOURCE))
    assert completed.returncode == 0
    report = json.loads(completed.stdout)
    assert set(report) == {"notes", "merged", "warnings"}
    notes = report["notes"]
    assert len(notes) == 56
    assert set(notes[0]) >= {"source", "line", "question", "answer", "deck", "guid"}
    assert notes[0]["source"] == "000_01970299b520cebb.txt"
    assert notes[0]["line"] == 4
    assert notes[0]["question"] == "how to optimize a tensorflow model for inference"
    assert notes[0]["answer"].startswith("There are several ways")
    assert len({note["guid"] for note in notes}) == 36
    dropped = sum(len(merge["dropped"]) for merge in report["merged"])
    assert dropped == 20


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    completed = run("--dry-run", str(SOURCE), "-o", str(tmp_path / "out"))
    assert completed.returncode == 0
    assert not (tmp_path / "out").exists()
    assert "standalone question" in completed.stdout
    assert "000_01970299b520cebb.txt" in completed.stdout
    # Every decision is explained: why a guess was made, and why look-alikes were not.
    assert "because: capitalized `?` line with its reply right under it" in completed.stdout
    assert "a list item inside an answer: 1. What is TensorFlow" in completed.stdout
    assert "### What is Temperature in LLMs?" in completed.stdout


def test_missing_path_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    completed = run(str(tmp_path / "nope"), "-o", str(tmp_path / "out"))
    assert completed.returncode == 1
    assert completed.stderr.strip().endswith("no such file or folder")
    assert "Traceback" not in completed.stderr


def test_usage_error_exits_2() -> None:
    completed = run("--json")
    assert completed.returncode == 2


def test_default_build_writes_output_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "source" / "notes.md").write_text("Q: what is a tensor?\nA: An array.\n")
    completed = run(cwd=project)
    assert completed.returncode == 0, completed.stderr
    assert (project / "output" / "Chat Transcripts.apkg").is_file()
    assert "Wrote" in completed.stdout
