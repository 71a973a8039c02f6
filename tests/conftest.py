"""Shared test helpers: paths, building a deck, and importing it with the official anki backend."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from chatdeck.options import BuildOptions
from chatdeck.templates import Templates, load_templates

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = ROOT / "templates"


def deck_options(
    output: Path, templates: Templates | None = None, **tuning: object
) -> BuildOptions:
    """A build into `output` with the project's templates; `tuning` sets any other option."""
    return BuildOptions(output=output, templates=templates or load_templates(TEMPLATES), **tuning)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _private_state_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The render cache's key (`render_cache.default_key_path`) goes to a folder of the test
    run's, not the user's home, for builds here and in child processes alike."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    """A private copy of source/ that a test may edit."""
    target = tmp_path / "source"
    shutil.copytree(SOURCE, target)
    return target


def state_without_deck_stamp(path: Path) -> dict[str, object]:
    """A deck's build state, less the stamp of the deck file (its inode and time are the
    folder's own): what two builds of the same files into two folders share."""
    state = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(state.pop("deck_stamp"), list)
    return dict(state)


def import_package(collection_path: Path, apkg: Path):  # type: ignore[no-untyped-def]
    """Import an .apkg into the collection at collection_path (created if missing).

    Returns the import log (counts of new / updated / duplicate notes) and the open collection;
    the caller closes it.
    """
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    collection = Collection(str(collection_path))
    request = ImportAnkiPackageRequest(
        package_path=str(apkg),
        options=ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False),
    )
    response = collection.import_anki_package(request)
    return response.log, collection


#: Builds `sys.argv[2:-1]` into `sys.argv[-1]` with the chatdeck found first on the path, and
#: prints each card's question and digest as JSON. `settle` (argv[1]): seconds a file must be
#: old for its stamp to be kept (0: at once, as the tests' files are new).
BUILD_SCRIPT = """
import json, sys
from pathlib import Path
import chatdeck.file_stamps
from chatdeck.build import build
from chatdeck.options import BuildOptions
from chatdeck.templates import load_templates
chatdeck.file_stamps.SETTLE_NS = int(float(sys.argv[1]) * 1e9)
*paths, output = map(Path, sys.argv[2:])
result = build(paths, BuildOptions(output=output, templates=load_templates(Path({templates!r})),
               jobs=1, clock=lambda: 1700000000))
print(json.dumps([[card.question, card.digest] for card in result.cards]))
"""


def chatdeck_copy(folder: Path) -> Path:
    """A copy of the chatdeck package in `folder` (a folder to put first on the path), that a
    test may edit as an update of chatdeck would."""
    shutil.copytree(
        ROOT / "chatdeck", folder / "chatdeck", ignore=shutil.ignore_patterns("__pycache__")
    )
    return folder


def build_with(
    package: Path, paths: list[Path], output: Path, settle: float = 0
) -> list[list[str]]:
    """Build with the chatdeck in `package` (see `chatdeck_copy`), in a process of its own:
    each card's [question, digest]."""
    import json
    import subprocess
    import sys

    script = BUILD_SCRIPT.format(templates=str(TEMPLATES))
    env = {**os.environ, "PYTHONPATH": str(package)}
    run = subprocess.run(
        [sys.executable, "-c", script, str(settle), *map(str, paths), str(output)],
        capture_output=True,
        text=True,
        env=env,
        cwd=package,  # (`python -c` puts the working folder first on the path)
        check=True,
    )
    cards: list[list[str]] = json.loads(run.stdout)
    return cards
