"""ankdown 0.7.1 side by side with chatdeck (`bench/run.py --ankdown`): its virtualenv, the
corpus's pairs in its card format, and a count of the cards it wrote.

    python bench/vs_ankdown.py convert CORPUS DIR   # needs chatdeck: PYTHONPATH=<its tree>

ankdown (https://github.com/benwr/ankdown, read from its 0.7.1 wheel) walks a folder for `.md`
files; in each, a line that is `%` alone (spaces around it allowed) ends a field and a line that
is `---` alone ends a card: `front % back [% tags] ---`. The front and back are Markdown, rendered
by misaka (Hoedown) with the `fenced-code` and `math` extensions; with `--highlight`, a fenced
block with a language Pygments knows is highlighted by `get_lexer_by_name(lang, stripall=True)`
and a default `HtmlFormatter()`, else escaped. It has no tables extension and no sanitizer, runs
in one process, and writes the notes with genanki.

`convert` takes each pair as chatdeck reads it (`chatdeck.plan`, per file: the question and
the answer's Markdown, markers and wrapper fences removed), so both tools get the same pairs.
The virtualenv gets `ankdown==0.7.1` and the Pygments version this interpreter has, so both
highlight with the same Pygments.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

VERSION = "0.7.1"
SEPARATORS = {"%", "---"}  # lines ankdown reads as the end of a field or of a card


def venv_folder(work: Path) -> Path:
    return work / f"ankdown-{VERSION}-venv"


def ensure_venv(work: Path) -> Path:
    """The `ankdown` command of a virtualenv under `work`, made the first time. Raises
    RuntimeError saying what failed (the pip or venv output's end)."""
    folder = venv_folder(work)
    command, ready = folder / "bin" / "ankdown", folder / "ready"
    if command.exists() and ready.exists():
        return command
    shutil.rmtree(folder, ignore_errors=True)
    pygments = metadata.version("Pygments")
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    steps = [
        [sys.executable, "-m", "venv", str(folder)],
        pip + ["--disable-pip-version-check", f"ankdown=={VERSION}", f"Pygments=={pygments}"],
        [str(command), "--version"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
            raise RuntimeError(
                f"`{' '.join(step)}` failed ({done.returncode}):\n" + "\n".join(tail)
            )
    freeze = subprocess.run(
        [str(folder / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True, text=True
    ).stdout
    ready.write_text(freeze)
    return command


def installed(work: Path) -> str:
    """What the virtualenv holds, one `name==version` a line."""
    ready = venv_folder(work) / "ready"
    return ready.read_text() if ready.exists() else ""


def convert(corpus: Path, target: Path) -> int:
    """Every pair of `corpus` as an ankdown card, one `.md` file per transcript, in `target`."""
    import chatdeck

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    cards = split = 0
    for path in sorted(corpus.iterdir()):
        notes = chatdeck.plan([path]).notes
        entries = []
        for note in notes:
            lines = (note.question + "\n" + note.answer).splitlines()
            split += any(line.strip() in SEPARATORS for line in lines)
            entries.append(f"{note.question}\n\n%\n\n{note.answer}\n")
        (target / f"{path.stem}.md").write_text("\n---\n\n".join(entries), encoding="utf-8")
        cards += len(notes)
    print(f"{cards} cards in {target}")
    if split:
        print(f"warning: {split} pair(s) hold a `%` or `---` line: ankdown splits them there")
    return cards


def count_notes(package: Path) -> int:
    """The notes in an .apkg."""
    with zipfile.ZipFile(package) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        connection = sqlite3.connect(Path(folder, "collection.anki2"))
        try:
            return int(connection.execute("SELECT count(*) FROM notes").fetchone()[0])
        finally:
            connection.close()


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "convert":
        convert(Path(argv[1]), Path(argv[2]))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
