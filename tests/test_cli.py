"""The command line: the --dry-run --json contract, the report, exit codes."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from conftest import FIXTURES, ROOT, SOURCE
from test_turns import NOT_YET, READ_AS_UNMARKED_QUESTIONS

import chatdeck


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
    assert set(report) == {"notes", "merged", "warnings", "changes", "files"}
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


NEAR_MISS_FILE = (
    "# Notes\n\nQ: what is a frame?\nA: the rows a window covers.\n\nShow the query plan\n"
)


def line_numbers(spans: str) -> list[int]:
    """The human report's `3, 9-11` -> [3, 9, 10, 11]."""
    numbers: list[int] = []
    for span in spans.split(", "):
        first, _, last = span.partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def said_about(stdout: str, source: str) -> dict[str, Any]:
    """What the human dry-run report says about one file (its lines from the file's name to the
    next file's), read back into the JSON's terms."""
    lines = stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if re.match(rf"{re.escape(source)}(  |$)", line))
    said: dict[str, Any] = {"turns": [], "left_out": {}, "guessed": [], "kept": [], "on_no_card": 0}
    for line in itertools.takewhile(lambda line: line.startswith(" "), lines[start + 1 :]):
        if line.startswith(("  turn markers: ", "    on line(s) ")):
            said["turns"].append(line)
        elif found := re.fullmatch(r"  left out \((.+)\): (\d+) line\(s\): (.+)", line):
            said["left_out"][found[1]] = line_numbers(found[3])
            assert len(said["left_out"][found[1]]) == int(found[2])
        elif line.startswith(" ?"):
            said["guessed"].append(int(line[2:7]))
        elif line.startswith("   ·"):
            said["kept"].append(line)
        elif found := re.search(r"\(on no card: (\d+) line", line):
            said["on_no_card"] = int(found[1])
    return said


def test_dry_run_json_says_about_each_file_what_the_human_report_says(tmp_path: Path) -> None:
    near = tmp_path / "near.txt"
    near.write_text(NEAR_MISS_FILE, encoding="utf-8")
    chatlogs = sorted(
        path
        for path in (FIXTURES / "chatlogs").iterdir()
        if path.suffix in (".md", ".txt") and path.name != "README.md"
    )
    plain = [
        FIXTURES / "forms" / name
        for name in ("marker_words.txt", "unmarked_standalone.txt", "trap_rhetorical.txt")
    ]
    paths = [str(path) for path in [*chatlogs, *plain, near]]
    output = str(tmp_path / "out")
    human = run("--dry-run", *paths, "-o", output).stdout
    result = json.loads(run("--dry-run", "--json", *paths, "-o", output).stdout)
    files, notes = result["files"], result["notes"]
    assert [file["source"] for file in files] == [Path(path).name for path in paths]
    for file in files:
        said = said_about(human, file["source"])
        if "turns" in file:
            turns = file["turns"]
            roles = ", ".join(f"{label!r} = {role}" for label, role in turns["labels"].items())
            assert said["turns"][0] == f"  turn markers: {turns['shape']}" + (
                f" ({roles})" if roles else ""
            )
            on_lines = [line_numbers(line[15:]) for line in said["turns"][1:]]
            lines = [marker["line"] for marker in turns["markers"]]
            assert on_lines == ([lines] if lines else []), file["source"]
        else:
            assert said["turns"] == [], file["source"]
        assert list(said["left_out"].items()) == list(file["left_out"].items()), file["source"]
        assert said["guessed"] == [guess["line"] for guess in file["guessed"]], file["source"]
        listed = sorted([*file["near_misses"], *file["kept_in_answers"]], key=lambda k: k["line"])
        assert len(said["kept"]) == len(listed), file["source"]
        for line, item in zip(said["kept"], listed, strict=True):
            assert line.startswith(f"   ·{item['line']:5}  {item['reason']}: "), line
        assert said["on_no_card"] == len(file["on_no_card"]), file["source"]
    by_source = {file["source"]: file for file in files}
    deepseek = by_source["deepseek-chat-exporter.md"]["turns"]
    assert [(marker["line"], marker["role"]) for marker in deepseek["markers"]] == [
        (3, "user"),
        (9, "assistant"),
        (44, "user"),
        (58, "assistant"),
        (74, "user"),
        (80, "assistant"),
    ]
    assert by_source["deepseek-chat-exporter.md"]["left_out"] == {
        "separator": [7, 42, 56, 72, 78],
        "reasoning": [11, 13, 15, 16, 17, 60, 62, 64],
    }
    # Every chat log the parser reads right names its turn markers (those not yet read right
    # may have none: a shape not read yet), or is marked with `Q:` / `A:` labels of its own, or
    # with the user's `You: ` over unlabelled replies.
    read_right = [path.name for path in chatlogs if path.name not in NOT_YET]
    labelled = {note["source"] for note in notes if note["rule"] == "explicit marker"} & {
        path.name for path in chatlogs
    }
    spoken = {note["source"] for note in notes if note["rule"] == "speaker marker"} & {
        path.name for path in chatlogs
    }
    unturned = {name for name in read_right if "turns" not in by_source[name]}
    assert unturned <= labelled | spoken | READ_AS_UNMARKED_QUESTIONS
    assert labelled & set(read_right) <= unturned
    # `You: ` over each prompt (Chabeau's log)
    assert sorted(unturned - labelled - READ_AS_UNMARKED_QUESTIONS) == ["chabeau-log.txt"]
    assert sorted(labelled) == [
        "ai-chat-markdown-export-gemini.md",
        "chatgpt-to-markdown-plus-grok.md",  # `# 用户问题` / `# 回答`: the labels as headings
        "chatgptbox.md",
        "google-ai-mode-export.md",  # `## Question` / `## Answer`: the labels as headings
        "gpt-academic-chat-archive.md",  # `### 问题 1` / `### 回答 1`: numbered, as headings
        "vscode-openai-show-markdown.md",  # `> **Question:** text`: the label set in a quote
    ]
    assert by_source["near.txt"]["near_misses"] == [
        {
            "line": 6,
            "text": "Show the query plan",
            "reason": "a request without `?` that no rule took (put `Q:` before it if it is one)",
        }
    ]
    assert by_source["near.txt"]["kept_in_answers"] == []
    # The comparisons above ran on each kind of line at least once.
    assert all(any(file[key] for file in files) for key in ("guessed", "kept_in_answers"))
    assert any(file["on_no_card"] for file in files)
    for name in ("marker_words.txt", "unmarked_standalone.txt"):
        assert "turns" not in by_source[name] and by_source[name]["left_out"] == {}


def test_the_readmes_files_example_is_what_the_command_prints(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`python build_deck.py (--dry-run --json\s+[^`]+)` gives:", readme)
    example = re.search(r"  ```json\n(  \"files\": \[.*?)  ```\n", readme, re.S)
    assert command and example
    completed = run(*command[1].split(), "-o", str(tmp_path / "out"))
    assert json.loads("{" + example[1] + "}")["files"] == json.loads(completed.stdout)["files"]


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
    completed = run("--quiet", "--verbose")
    assert completed.returncode == 2


def test_default_build_writes_output_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "source" / "notes.md").write_text("Q: what is a tensor?\nA: An array.\n")
    completed = run(cwd=project)
    assert completed.returncode == 0, completed.stderr
    assert (project / "output" / "Chat Transcripts.apkg").is_file()
    assert "Wrote output/Chat Transcripts.apkg (1 notes)" in completed.stdout
    again = run(cwd=project)  # nothing changed: the deck is kept, and the report says so
    assert "Kept output/Chat Transcripts.apkg as it was (1 notes)" in again.stdout
    assert "Wrote" not in again.stdout


ENTRY_POINTS = {
    "build_deck.py": [sys.executable, str(ROOT / "build_deck.py")],
    "python -m chatdeck": [sys.executable, "-m", "chatdeck"],
}


def test_every_entry_point_is_the_same_command() -> None:
    """`python build_deck.py` and `python -m chatdeck` (and the installed `chatdeck`, below):
    the same options, each naming itself in --help, the same version."""
    versions = set()
    for name, command in ENTRY_POINTS.items():
        helped = subprocess.run([*command, "--help"], capture_output=True, text=True, cwd=ROOT)
        assert helped.returncode == 0 and helped.stdout.startswith(f"usage: {name} ")
        assert "--dry-run" in helped.stdout and "--templates DIR" in helped.stdout
        version = subprocess.run([*command, "--version"], capture_output=True, text=True)
        assert version.returncode == 0
        versions.add(version.stdout.split()[-1])
    assert versions == {chatdeck.__version__}


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    for command in ENTRY_POINTS.values():
        dry_run = subprocess.Popen(
            [*command, "--dry-run", str(SOURCE)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        assert dry_run.stdout is not None and dry_run.stderr is not None
        dry_run.stdout.readline()
        dry_run.stdout.close()  # as `| head -1` does
        assert dry_run.wait(timeout=60) == 0
        assert b"Traceback" not in dry_run.stderr.read()


def test_pip_install_gives_a_chatdeck_command_that_builds_anywhere(tmp_path: Path) -> None:
    """A wheel of the project installed into a fresh virtualenv (its dependencies taken from
    this environment) gives `chatdeck`, which builds with the templates shipped inside the
    package from a folder that has none."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(ROOT)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr
    located = subprocess.run(
        [str(python), "-c", "import chatdeck; print(chatdeck.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert str(venv) in located.stdout  # the installed copy, not this source tree
    project = tmp_path / "elsewhere"
    (project / "source").mkdir(parents=True)
    (project / "source" / "notes.md").write_text("Q: what is a tensor?\nA: An array.\n")
    built = subprocess.run(
        [str(venv / "bin" / "chatdeck")], capture_output=True, text=True, cwd=project
    )
    assert built.returncode == 0, built.stderr
    deck = project / "output" / "Chat Transcripts.apkg"
    with zipfile.ZipFile(deck) as archive:
        collection = archive.read("collection.anki2")
    shipped_css = (ROOT / "templates" / "style.css").read_text(encoding="utf-8")
    assert shipped_css.splitlines()[0].encode() in collection  # the note type's CSS


def test_quiet_normal_and_verbose_reports(tmp_path: Path) -> None:
    output = str(tmp_path / "out")
    normal = run(str(SOURCE), "-o", output)
    assert normal.returncode == 0
    assert "36 notes: 36 new, 0 updated, 0 unchanged, 0 removed" in normal.stdout
    assert "merged:" not in normal.stdout and "(-v lists them)" in normal.stdout
    quiet = run(str(SOURCE), "-o", output, "-q")
    assert quiet.stdout == "nothing changed since the last build: no need to import\n"
    verbose = run(str(SOURCE), "-o", output, "-v")
    assert verbose.stdout.count("  merged: ") == 18
    assert "  guessed: source/" in verbose.stdout  # paths as typed: clickable


def test_a_real_build_with_json_prints_one_object(tmp_path: Path) -> None:
    completed = run(str(SOURCE), "-o", str(tmp_path / "out"), "--json")
    assert completed.returncode == 0
    report = json.loads(completed.stdout)
    assert set(report) == {"output", "deck", "changes", "notes", "warnings"}
    assert report["changes"] == {"new": 36, "updated": 0, "unchanged": 0, "removed": 0, "moved": 0}
    assert {note["status"] for note in report["notes"]} == {"new"}
    assert set(report["notes"][0]) == {"guid", "question", "source", "line", "deck", "status"}


def test_a_failed_build_still_shows_the_warnings_that_explain_it(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "notes.md").write_text("Just some prose, and no question in it.\n")
    completed = run(str(source), "-o", str(tmp_path / "out"))
    assert completed.returncode == 1
    assert f"{source}/notes.md: no question found" in completed.stderr
    assert completed.stderr.strip().endswith(f"no questions found in {source}")


def test_dry_run_says_what_a_build_would_change_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    output = tmp_path / "out"
    first = run(str(source), "-o", str(output), "--dry-run")
    assert "36 notes would be: 36 new, 0 updated, 0 unchanged, 0 removed" in first.stdout
    assert not output.exists()
    assert run(str(source), "-o", str(output)).returncode == 0
    path = source / "003_0382162edb178db0.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Low-Rank", "Low Rank"), "utf-8")
    written = {file: file.read_bytes() for file in output.rglob("*") if file.is_file()}
    edited = run(str(source), "-o", str(output), "--dry-run", "--json")
    changes = json.loads(edited.stdout)["changes"]
    assert changes["new"] == 0 and changes["updated"] >= 1 and changes["removed"] == 0
    assert {file: file.read_bytes() for file in output.rglob("*") if file.is_file()} == written
