"""Merging duplicates, and deck.toml: decks and tags, checked in the real anki backend."""

from __future__ import annotations

from pathlib import Path

from conftest import deck_options, import_package

from chatdeck.build import build, plan
from chatdeck.merge import merge_notes
from chatdeck.notes import Note


def note(source: str, line: int, question: str, answer: str, position: int) -> Note:
    return Note(source=source, line=line, question=question, answer=answer, position=position)


def test_the_last_copy_wins_and_keeps_the_first_place() -> None:
    notes = [
        note("a.md", 1, "What is JIT?", "old", 0),
        note("a.md", 5, "other", "x", 1),
        note("b.md", 9, "what  is **JIT**", "new", 2),
    ]
    merged, merges, problems = merge_notes(notes)
    assert [(n.source, n.answer, n.position) for n in merged] == [
        ("b.md", "new", 0),
        ("a.md", "x", 1),
    ]
    assert len(merges) == 1 and [n.line for n in merges[0].dropped] == [1]
    assert problems == []  # across files: a merge, not a warning


def test_the_same_question_twice_in_one_file_warns_with_both_lines(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(
        "Q: what is a tensor?\nA: first\n\nQ: what is a tensor?\nA: second\n", encoding="utf-8"
    )
    result = plan([tmp_path])
    assert [n.answer for n in result.merged] == ["second"]
    (problem,) = [p for p in result.problems if "same question" in p.message]
    assert (
        str(problem) == "notes.md:4: the same question appears on lines 1, 4; the last one is kept"
    )


def test_deck_toml_names_decks_and_tags_notes(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "deck.toml").write_text(
        'deck = "Interview"\ntags = ["ml", "two words"]\n\n'
        '[files."graphs.md"]\ndeck = "Graphs"\ntags = ["tf"]\n',
        encoding="utf-8",
    )
    (source / "graphs.md").write_text("Q: what is a graph?\nA: Nodes.\n", encoding="utf-8")
    (source / "0a1b2c3d4e5f6a7b.md").write_text("Q: what is JIT?\nA: Just in time.\n")
    (source / "pytorch-notes.md").write_text("Q: what is MPS?\nA: Metal.\n", encoding="utf-8")
    result = build([source], deck_options(tmp_path / "out"))
    assert result.output is not None and result.output.name == "Interview.apkg"
    _, collection = import_package(tmp_path / "collection.anki2", result.output)
    try:
        decks = {}
        for note_id in collection.find_notes(""):
            anki_note = collection.get_note(note_id)
            card = collection.get_card(anki_note.card_ids()[0])
            decks[anki_note["Question"]] = (collection.decks.name(card.did), sorted(anki_note.tags))
        assert decks["<p>what is a graph?</p>"] == ("Interview::Graphs", ["ml", "tf", "two_words"])
        assert decks["<p>what is JIT?</p>"] == ("Interview", ["ml", "two_words"])  # hash-like name
        assert decks["<p>what is MPS?</p>"] == ("Interview::pytorch notes", ["ml", "two_words"])
    finally:
        collection.close()
