"""Edit, rebuild, re-import: one Anki collection across rebuilds, with the official backend.

Anki updates a note only when its GUID matches and the incoming mod is strictly newer
(docs/anki.md#when-a-matched-note-is-updated): an unchanged rebuild touches nothing, an edit touches
one note, a template edit reaches the note type, and review history always survives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES, deck_options, import_package

from chatdeck.build import build
from chatdeck.changes import Status
from chatdeck.removed import REMOVED_TAG, newly_removed
from chatdeck.state import state_path
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
    state_path(apkg.parent, apkg.name).unlink()
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


# --- Rebuilds you can trust: state per deck, no churn, the change report -----------------------


def built(paths: list[Path], output: Path, **tuning: object):  # type: ignore[no-untyped-def]
    clock = tuning.pop("clock", None) or (lambda: 1_700_000_000)
    return build(paths, deck_options(output, clock=clock, **tuning))


def assert_report_matches_anki(result, log) -> None:  # type: ignore[no-untyped-def]
    """What the build said it changed is what Anki's import log says it did."""
    changes = result.changes
    assert len(log.new) == changes.count(Status.NEW)
    assert len(log.updated) == changes.count(Status.UPDATED) + changes.count(Status.REMOVED)


def test_two_decks_share_an_output_folder_without_touching_each_other(
    source_copy: Path, tmp_path: Path
) -> None:
    other = tmp_path / "notes"
    other.mkdir()
    (other / "graphs.md").write_text("Q: what is a DAG?\nA: A graph without cycles.\n")
    output = tmp_path / "output"
    collection_path = tmp_path / "collection.anki2"
    clock = iter(range(1_700_000_000, 1_800_000_000, 100))
    for paths, deck in [([source_copy], None), ([other], "Graphs"), ([source_copy], None)] * 2:
        result = built(paths, output, deck=deck, clock=lambda: next(clock))
        assert result.changes.count(Status.REMOVED) == 0
        log, collection = import_package(collection_path, result.output)
        assert_report_matches_anki(result, log)
        collection.close()
    assert {path.name for path in output.glob("*.apkg")} == {
        "ML Engineering Interview.apkg",
        "Graphs.apkg",
    }
    _, collection = import_package(collection_path, result.output)
    try:
        assert not collection.find_notes(f"tag:{REMOVED_TAG}")
        assert collection.note_count() == 37
        (graph_note,) = collection.find_notes('"deck:Graphs"')
        assert "DAG" in collection.get_note(graph_note)["Question"]
    finally:
        collection.close()


def test_building_some_files_of_a_deck_removes_nothing_from_the_others(
    source_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    everything = built([source_copy], output)
    one = built([source_copy / "000_01970299b520cebb.txt"], output)
    assert one.changes.count(Status.REMOVED) == 0
    again = built([source_copy], output)
    assert again.changes.count(Status.REMOVED) == again.changes.count(Status.NEW) == 0
    assert len(again.cards) == len(everything.cards)


def test_a_question_removed_from_a_file_that_was_read_is_removed(
    source_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    built([source_copy], output)
    path = source_copy / "003_0382162edb178db0.txt"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    start = lines.index("Q: what does lora stand for in deep learning?")
    path.write_text("\n".join(lines[:start]) + "\n```", encoding="utf-8")
    # Another file missing for the moment (moved away) and a subset build: nothing removed.
    result = built([path], output)
    assert [c.card.question for c in result.changes.notes if c.status is Status.REMOVED] == [
        "what does lora stand for in deep learning?"
    ]


def test_a_file_that_is_not_read_keeps_its_notes() -> None:
    state = {
        "version": 2,
        "notes": {
            "kept": {"hash": "h", "mod": 1, "origin": __file__},  # exists, not read this time
            "read": {"hash": "h", "mod": 1, "origin": __file__ + ".read"},
            "gone": {"hash": "h", "mod": 1, "origin": "/nowhere/at/all.md"},
            "old": {"hash": "h", "mod": 1},  # a state from before origins were kept
        },
    }
    assert newly_removed(state, current=set(), read={__file__ + ".read"}) == ["read", "gone"]


def test_removing_most_of_a_deck_is_said_loudly(source_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built([source_copy], output)
    for path in sorted(source_copy.glob("*.txt"))[1:]:
        path.unlink()
    result = built([source_copy], output)
    (loud,) = [p for p in result.problems if "no longer hold their questions" in p.message]
    assert f"of the deck's {36} notes are tagged {REMOVED_TAG}" in loud.message


def test_inserted_lines_and_a_renderer_comment_update_nothing(
    source_copy: Path, tmp_path: Path
) -> None:
    """Moving lines in a file, or changing chatdeck's code without changing what a card shows,
    leaves every note alone in Anki (the renderer's cache misses, the HTML is the same)."""
    output = tmp_path / "output"
    collection_path = tmp_path / "collection.anki2"
    first = built([source_copy], output)
    import_package(collection_path, first.output)[1].close()
    for path in source_copy.glob("*.txt"):
        path.write_text("\n\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    package = tmp_path / "package"
    shutil.copytree(ROOT / "chatdeck", package / "chatdeck")
    shutil.copytree(ROOT / "templates", package / "templates")
    render = package / "chatdeck" / "render.py"
    render.write_text(render.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "chatdeck", str(source_copy), "-o", str(output), "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(package), "SOURCE_DATE_EPOCH": "1700000500"},
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["changes"] == {"new": 0, "updated": 0, "unchanged": 36, "removed": 0, "moved": 0}
    log, collection = import_package(collection_path, Path(report["output"]))
    assert (len(log.new), len(log.updated)) == (0, 0)
    collection.close()


def test_changing_the_question_key_code_reaches_cached_rebuilds(
    source_copy: Path, tmp_path: Path
) -> None:
    """The parse cache is keyed on every module that decides parse output or identity: a
    changed question key gives a cached rebuild the GUIDs a --no-cache build gives."""
    package = tmp_path / "package"
    shutil.copytree(ROOT / "chatdeck", package / "chatdeck")
    shutil.copytree(ROOT / "templates", package / "templates")
    identity = package / "chatdeck" / "identity.py"
    code = identity.read_text(encoding="utf-8")
    assert 'return text.rstrip(" ?.!。")' in code
    identity.write_text(code.replace('return text.rstrip(" ?.!。")', 'return text + "!"'))

    def guids(*options: str, python_path: str) -> set[str]:
        completed = subprocess.run(
            [sys.executable, "-m", "chatdeck", str(source_copy), "--json", *options],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": python_path},
            cwd=tmp_path,
        )
        assert completed.returncode == 0, completed.stderr
        notes = json.loads(completed.stdout)["notes"]
        return {note["guid"] for note in notes if note["status"] != "removed"}

    output = str(tmp_path / "output")
    before = guids("-o", output, python_path=str(ROOT))  # fills the cache
    cached = guids("-o", output, python_path=str(package))
    fresh = guids("-o", str(tmp_path / "fresh"), "--no-cache", python_path=str(package))
    assert cached == fresh and cached != before


def test_the_report_matches_anki_through_edits_and_removals(project) -> None:  # type: ignore[no-untyped-def]
    source, _, _, collection_path = project
    output = collection_path.parent / "report-output"
    clock = iter(range(1_700_000_000, 1_800_000_000, 100))

    def step() -> object:
        result = built([source], output, clock=lambda: next(clock))
        log, collection = import_package(collection_path, result.output)
        assert_report_matches_anki(result, log)
        collection.close()
        return result

    first = step()
    assert first.changes.count(Status.NEW) == 36  # type: ignore[attr-defined]
    path = next(source.glob("003_*.txt"))
    path.write_text(path.read_text(encoding="utf-8").replace("Low-Rank", "Low Rank"), "utf-8")
    assert step().changes.count(Status.UPDATED) >= 1  # type: ignore[attr-defined]
    assert step().changes.nothing  # type: ignore[attr-defined]
    text = path.read_text(encoding="utf-8")
    start = text.index("Q: what does lora stand for in deep learning?")
    path.write_text(text[:start], encoding="utf-8")
    assert step().changes.count(Status.REMOVED) == 1  # type: ignore[attr-defined]


def test_a_file_moved_to_another_deck_is_reported_moved(source_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built([source_copy], output)
    config = source_copy / "deck.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[files."003_0382162edb178db0.txt"]\ndeck = "Elsewhere"\n',
        encoding="utf-8",
    )
    result = built([source_copy], output)
    moved = result.changes.moved
    assert moved and {change.card.deck for change in moved} == {
        "ML Engineering Interview::Elsewhere"
    }


def test_an_unchanged_rebuild_writes_nothing(source_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    first = built([source_copy], output)
    state = state_path(output, first.output.name)
    deck = first.output.stat()  # (a write replaces the file: a new inode)
    os.utime(state, ns=(1, 1))  # any rewrite would move it
    again = built([source_copy], output)
    assert again.changes.nothing
    assert (first.output.stat().st_ino, first.output.stat().st_mtime_ns) == (
        deck.st_ino,
        deck.st_mtime_ns,
    )
    assert state.stat().st_mtime_ns == 1
    path = source_copy / "003_0382162edb178db0.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Low-Rank", "Low Rank"), "utf-8")
    built([source_copy], output)
    assert first.output.stat().st_ino != deck.st_ino and state.stat().st_mtime_ns != 1
