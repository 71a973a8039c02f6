"""Shared test helpers: paths, building a deck, and importing it with the official anki backend."""

from __future__ import annotations

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
