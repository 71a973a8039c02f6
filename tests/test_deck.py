"""End to end: the seed deck, built by the CLI and imported with the official anki backend."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SOURCE, deck_options, import_package

from chatdeck import package
from chatdeck.build import build


@pytest.fixture(scope="module")
def seed_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("output")
    completed = subprocess.run(
        [sys.executable, "build_deck.py", str(SOURCE), "-o", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "56 notes found" in completed.stdout
    (apkg,) = output.glob("*.apkg")
    return apkg


def test_deck_is_named_after_the_top_deck(seed_deck: Path) -> None:
    assert seed_deck.name == "ML Engineering Interview.apkg"


def test_seed_deck_imports_as_36_notes(seed_deck: Path, tmp_path: Path) -> None:
    log, collection = import_package(tmp_path / "collection.anki2", seed_deck)
    try:
        assert len(log.new) == 36
        assert collection.note_count() == 36
        assert collection.card_count() == 36
        guids = [guid for (guid,) in collection.db.all("select guid from notes")]
        assert len(set(guids)) == 36
        decks = {name for name in collection.decks.all_names()}
        assert "ML Engineering Interview::Tensorflow Quiz - basic" in decks
        assert not any("33aadecbbf787f62" in name for name in decks)
    finally:
        collection.close()


def fields_by_question(collection, text: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        if text in note["Question"]:
            return {name: note[name] for name in package.FIELDS}
    raise AssertionError(f"no note with {text!r}")


def test_fields_survive_import(seed_deck: Path, tmp_path: Path) -> None:
    _, collection = import_package(tmp_path / "collection.anki2", seed_deck)
    try:
        code = fields_by_question(collection, "model distillation")
        assert '<pre class="code highlight language-python">' in code["Answer"]
        assert '<span class="kn">import</span>' in code["Answer"]
        lora = fields_by_question(collection, "lora")
        assert r"\(\Delta W = A \cdot B\)" in lora["Answer"]
        assert r"\[ W' = W + \Delta W \]" in lora["Answer"]
        temperature = fields_by_question(collection, "temperature parameter")
        assert r"\text{adjusted_logits}_i = \frac{\text{logits}_i}{T}" in temperature["Answer"]
        chinese = fields_by_question(collection, "feed, fetch, cluster")
        assert 'lang="zh-Hans"' in chinese["Answer"]
        assert "在 TensorFlow 计算图（computation graph）相关的术语中" in chinese["Answer"]
        assert chinese["Source"] == "004_ff6aaf76073af994.txt"  # no line: moving it changes nothing
    finally:
        collection.close()


def test_note_type_identity_is_frozen() -> None:
    # Changing any of these stops users' notes updating (docs/anki.md#what-breaks-a-note-type).
    assert package.NOTE_TYPE_ID == 1742913316
    assert package.FIELDS == ["Question", "Answer", "Source"]
    assert package.TEMPLATE_NAME == "Card 1"


def test_package_has_no_collection_name_and_a_media_map(seed_deck: Path) -> None:
    with zipfile.ZipFile(seed_deck) as archive:
        assert archive.namelist() == ["collection.anki2", "media"]
        assert json.loads(archive.read("media")) == {}


def test_a_marker_with_no_question_makes_no_note_and_every_note_has_a_card(
    tmp_path: Path,
) -> None:
    """Anki keeps a note whose front is empty with no card at all (Check Database flags it):
    a bare `Q:` is reported and makes no note."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "t.md").write_text("Q: what is x?\nA: an x\n\nQ:\nA: nothing\n", encoding="utf-8")
    result = build([source], deck_options(tmp_path / "out"))
    assert any("no question text" in problem.message for problem in result.problems)
    _, collection = import_package(tmp_path / "collection.anki2", result.output)
    try:
        notes = [collection.get_note(n) for n in collection.find_notes("")]
        assert [note.fields[0] for note in notes] == ["<p>what is x?</p>"]
        assert all(note.cards() for note in notes)
    finally:
        collection.close()
