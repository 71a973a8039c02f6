"""Edit, rebuild, re-import: one Anki collection across rebuilds, with the official backend.

Anki updates a note only when its GUID matches and the incoming mod is strictly newer
(docs/anki.md#when-a-matched-note-is-updated): an unchanged rebuild touches nothing, an edit touches
one note, a template edit reaches the note type, and review history always survives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATES, deck_options, import_package

from chatdeck.build import build
from chatdeck.removed import REMOVED_TAG
from chatdeck.templates import load_templates

PROMPT = "what is model distillation in deep learning?"


@pytest.fixture
def project(source_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    output = tmp_path / "output"
    clock = iter(range(1_700_000_000, 1_800_000_000, 100))

    def rebuild() -> Path:
        options = deck_options(output, load_templates(templates), clock=lambda: next(clock))
        return build([source_copy], options).output

    return source_copy, templates, rebuild, tmp_path / "collection.anki2"


def note_with(collection, text: str):  # type: ignore[no-untyped-def]
    (note_id,) = [
        nid for nid in collection.find_notes("") if text in collection.get_note(nid)["Question"]
    ]
    return collection.get_note(note_id)


def give_history(collection, note) -> int:  # type: ignore[no-untyped-def]
    (card_id,) = note.card_ids()
    collection.db.execute(
        "update cards set type=2, queue=2, ivl=12, reps=4, due=100, factor=2500 where id=?", card_id
    )
    collection.db.execute(
        "insert into revlog values (?, ?, -1, 3, 12, 4, 2500, 5000, 1)", 1_700_000_000_000, card_id
    )
    return card_id


def history(collection, card_id: int) -> tuple:  # type: ignore[no-untyped-def]
    card = collection.db.first("select ivl, reps, type from cards where id=?", card_id)
    revlog = collection.db.scalar("select count() from revlog where cid=?", card_id)
    return (*card, revlog)


def test_rebuild_cycle_keeps_history_and_updates_in_place(project) -> None:  # type: ignore[no-untyped-def]
    source, templates, rebuild, collection_path = project
    log, collection = import_package(collection_path, rebuild())
    assert len(log.new) == 36
    note = note_with(collection, PROMPT)
    card_id = give_history(collection, note)
    collection.close()

    # Unchanged rebuild: nothing new, nothing updated, history kept.
    log, collection = import_package(collection_path, rebuild())
    assert (len(log.new), len(log.updated)) == (0, 0)
    assert history(collection, card_id) == (12, 4, 2, 1)
    collection.close()

    # Edit one answer: exactly that note is updated, same note id, history kept.
    path = next(source.glob("003_*.txt"))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Model distillation, also known as", "Distillation, also known as"),
        encoding="utf-8",
    )
    log, collection = import_package(collection_path, rebuild())
    assert (len(log.new), len(log.updated)) == (0, 1)
    edited = note_with(collection, PROMPT)
    assert edited.id == note.id
    assert "Distillation, also known as" in edited["Answer"]
    assert history(collection, card_id) == (12, 4, 2, 1)
    collection.close()

    # Edit the stylesheet: the note type in the collection gets the new CSS.
    css = templates / "style.css"
    css.write_text(css.read_text() + "\n.question { letter-spacing: 0.01em; }\n")
    log, collection = import_package(collection_path, rebuild())
    (model,) = [m for m in collection.models.all() if m["name"] == "Chat Transcript Q&A"]
    assert "letter-spacing: 0.01em" in model["css"]
    names = [entry.name for entry in collection.models.all_names_and_ids()]
    assert "Chat Transcript Q&A+" not in names  # the schema held: no conflicting copy
    collection.close()


def test_removed_question_is_reported_and_tagged(project, capsys) -> None:  # type: ignore[no-untyped-def]
    source, _, rebuild, collection_path = project
    log, collection = import_package(collection_path, rebuild())
    collection.close()
    path = next(source.glob("003_*.txt"))
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index("Q: what does lora stand for in deep learning?")
    path.write_text("\n".join(lines[:start]) + "\n```", encoding="utf-8")

    output = collection_path.parent / "output"
    result = build([source], deck_options(output))
    (gone,) = result.removed
    assert gone.question == "what does lora stand for in deep learning?"
    log, collection = import_package(collection_path, result.output)
    assert (len(log.new), len(log.updated)) == (0, 1)  # only the tag changed
    removed = collection.find_notes(f"tag:{REMOVED_TAG}")
    assert len(removed) == 1
    assert "lora" in collection.get_note(removed[0])["Question"]
    assert collection.note_count() == 36  # Anki never deletes on import
    collection.close()

    again = build([source], deck_options(output))
    assert again.removed == ()  # reported once, not on every build
    assert len(again.cards) == 35


def test_rewording_a_question_makes_a_new_note_unless_pinned(project) -> None:  # type: ignore[no-untyped-def]
    source, _, rebuild, collection_path = project
    _, collection = import_package(collection_path, rebuild())
    collection.close()
    path = next(source.glob("003_*.txt"))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Q: what does lora stand for", "Q: what does LoRA mean"), encoding="utf-8"
    )
    log, collection = import_package(collection_path, rebuild())
    assert (len(log.new), len(log.updated)) == (1, 1)  # the new wording, and the old one tagged
    collection.close()
    path.write_text(text, encoding="utf-8")  # back to the original wording

    # Pinned by its old wording, a reworded question keeps its note and its history.
    _, collection = import_package(collection_path, rebuild())
    old = note_with(collection, "what does lora stand for")
    collection.close()
    path.write_text(
        text.replace(
            "Q: what does lora stand for in deep learning?",
            "<!-- id: what does lora stand for in deep learning? -->\nQ: what is LoRA short for?",
        ),
        encoding="utf-8",
    )
    log, collection = import_package(collection_path, rebuild())
    assert (len(log.new), len(log.updated)) == (0, 1)
    assert note_with(collection, "what is LoRA short for").id == old.id
    collection.close()


def test_same_source_and_state_give_identical_bytes(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, rebuild, _ = project
    first = rebuild().read_bytes()
    second = rebuild().read_bytes()
    assert first == second


def test_source_date_epoch_makes_fresh_builds_identical(
    source_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    templates = load_templates(TEMPLATES)
    one = build([source_copy], deck_options(tmp_path / "a", templates=templates)).output
    two = build([source_copy], deck_options(tmp_path / "b", templates=templates)).output
    assert one is not None and two is not None
    assert one.read_bytes() == two.read_bytes()


def test_lost_state_file_is_harmless(project) -> None:  # type: ignore[no-untyped-def]
    _, _, rebuild, collection_path = project
    apkg = rebuild()
    log, collection = import_package(collection_path, apkg)
    collection.close()
    (apkg.parent / ".build-state.json").unlink()
    log, collection = import_package(collection_path, rebuild())
    assert (len(log.new), len(log.updated)) == (0, 36)  # re-stamped once as new content
    collection.close()
    log, collection = import_package(collection_path, rebuild())
    assert (len(log.new), len(log.updated)) == (0, 0)
    collection.close()


def test_new_cards_arrive_in_transcript_order(project) -> None:  # type: ignore[no-untyped-def]
    _, _, rebuild, collection_path = project
    _, collection = import_package(collection_path, rebuild())
    rows = collection.db.all(
        "select n.flds from cards c join notes n on n.id = c.nid order by c.due, c.id"
    )
    questions = [flds.split("\x1f")[0] for (flds,) in rows]
    assert "how to optimize a tensorflow model" in questions[0]
    assert "please recommend learning materials" in questions[1]
    assert "feed, fetch, cluster" in questions[-6]  # 004's new questions come last
    collection.close()
