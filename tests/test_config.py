"""deck.toml and deck names: nothing ignored silently, no name that hides or disguises what it
says, no blank deck, no file name a file system refuses, no two decks folded into one."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import deck_options, import_package

from chatdeck.build import build, plan
from chatdeck.config import ConfigError, read_config
from chatdeck.decks import conversation_deck, deck_for, output_name, unique_deck_ids
from chatdeck.package import deck_id_for

QA = "Q: what is a tensor?\nA: A multi-dimensional array.\n"


def folder(tmp_path: Path, toml: str, files: dict[str, str] | None = None) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    (source / "deck.toml").write_text(toml, encoding="utf-8")
    for name, text in (files or {"a.md": QA}).items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    return source


@pytest.mark.parametrize("name", ["::", " :: ", "\u202e", ""])
def test_a_deck_name_with_no_name_in_it_is_an_error_with_its_line(
    tmp_path: Path, name: str
) -> None:
    source = folder(tmp_path, f'tags = ["x"]\ndeck = "{name}"\n')
    with pytest.raises(ConfigError) as raised:
        read_config(source)
    assert str(raised.value) == (f"{source / 'deck.toml'}:2: deck must name a deck (not {name!r})")


@pytest.mark.parametrize(
    ("name", "read_as"),
    [("::Top", "Top"), ("Top::", "Top"), ("Top:: ::Sub", "Top::Sub"), (" Top ", "Top")],
)
def test_empty_levels_are_dropped_with_a_warning(tmp_path: Path, name: str, read_as: str) -> None:
    source = folder(tmp_path, f'deck = "{name}"\n')
    config = read_config(source)
    assert config.deck == read_as
    if name.strip() != read_as:
        assert [str(p) for p in config.problems] == [
            f"{source / 'deck.toml'}:1: deck {name!r} read as {read_as!r} (empty levels, "
            "invisible or direction-changing characters left out)"
        ]
    result = plan([source])
    assert {note.deck for note in result.notes} == {f"{read_as}::a"}


def test_direction_controls_never_reach_a_deck_or_file_name(tmp_path: Path) -> None:
    source = folder(tmp_path, 'deck = "Invoice\u202egpj.exe"\n')
    result = build([source], deck_options(tmp_path / "out"))
    assert result.output.name == "Invoicegpj.exe.apkg"
    assert result.top_deck  # the name as given on the command line or in deck.toml
    assert all("\u202e" not in card.deck for card in result.cards)
    assert any(
        "deck.toml:1: deck 'Invoice\\u202egpj.exe' read as" in str(p) for p in result.problems
    )
    assert output_name("Quarterly\u2067report\u2069.pdf") == "Quarterlyreport.pdf.apkg"


def test_a_long_deck_name_gives_a_file_name_the_file_system_takes(tmp_path: Path) -> None:
    name = "Long deck " + "é" * 300
    source = folder(tmp_path, f'deck = "{name}"\n')
    result = build([source], deck_options(tmp_path / "out"))
    assert result.output.exists()
    assert len(result.output.name.encode()) <= 255
    assert result.output.name.startswith("Long deck éé") and result.output.suffix == ".apkg"
    assert {card.deck for card in result.cards} == {f"{name}::a"}  # the deck keeps its name


def test_unknown_keys_and_entries_for_missing_files_are_reported_with_their_line(
    tmp_path: Path,
) -> None:
    toml = (
        'deck = "Top"\n'
        'tag = ["typo"]\n'
        "\n"
        '[files."a.md"]\n'
        'deck = "A"\n'
        'tgas = ["typo"]\n'
        "\n"
        '[files."missing.txt"]\n'
        'deck = "Gone"\n'
        "\n"
        "[files.'sub/b.md']\n"
        'deck = "B"\n'
        "[files.c.md]\n"  # a dotted key: the file `c`'s table `md`... TOML's reading
        'deck = "C"\n'
    )
    source = folder(tmp_path, toml, {"a.md": QA, "sub/b.md": QA.replace("tensor", "b")})
    config = read_config(source)
    where = source / "deck.toml"
    assert [str(p) for p in config.problems] == [
        f"{where}:2: unknown key 'tag', ignored (known: deck, tags, files)",
        f"{where}:6: [files.\"a.md\"]: unknown key 'tgas', ignored (known: deck, tags)",
        f"{where}:13: [files.\"c\"]: unknown key 'md', ignored (known: deck, tags)",
        f'{where}:8: [files."missing.txt"]: no such file here',
        f'{where}:13: [files."c"]: no such file here',
    ]
    # The build says the same, and goes on.
    result = build([source], deck_options(tmp_path / "out"))
    messages = [str(p) for p in result.problems]
    assert f'{where}:8: [files."missing.txt"]: no such file here' in messages
    assert {card.deck for card in result.cards} == {"Top::A", "Top::B"}


def test_a_title_never_adds_a_deck_level() -> None:
    assert deck_for("Top", "a:::b", "x", None) == "Top::a:b"
    assert deck_for("Top", "::a::", "x", None) == "Top::a"
    assert deck_for("Top", "::", "a note", None) == "Top"
    assert (
        conversation_deck("Top", "C++ :: templates ::: SFINAE") == "Top::C++ : templates : SFINAE"
    )
    assert conversation_deck("::Top::", "\u202eevil") == "Top::evil"
    assert conversation_deck("Top", "\ud800 alone") == "Top::\ufffd alone"


def test_decks_whose_ids_collide_stay_two_decks(tmp_path: Path) -> None:
    """`deck_id_for` hashes a name into 40 bits; two names of one build can share an id. The
    ids are kept for every deck (so no existing deck moves), except that the second of a
    colliding pair (in name order) takes the next free id."""
    one, two = "Chat Transcripts::Topic 289067", "Chat Transcripts::Topic 600372"
    assert deck_id_for(one) == deck_id_for(two)
    ids = unique_deck_ids([two, one, "Chat Transcripts"], deck_id_for)
    assert list(ids) == [two, one, "Chat Transcripts"]  # in the order given
    assert ids[one] == deck_id_for(one) and ids[two] == deck_id_for(one) + 1
    assert ids["Chat Transcripts"] == deck_id_for("Chat Transcripts")

    source = tmp_path / "source"
    source.mkdir()
    (source / "Topic 289067.md").write_text(QA)
    (source / "Topic 600372.md").write_text(QA.replace("tensor", "matrix"))
    result = build([source], deck_options(tmp_path / "out"))
    assert {card.deck for card in result.cards} == {one, two}
    log, collection = import_package(tmp_path / "collection.anki2", result.output)
    try:
        assert len(log.new) == 2
        decks = {
            name: collection.find_cards(f'"deck:{name}" -"deck:{name}::*"') for name in (one, two)
        }
        assert all(len(cards) == 1 for cards in decks.values()), decks
    finally:
        collection.close()


def test_a_deck_toml_that_is_not_a_file_is_reported_not_waited_on(tmp_path: Path) -> None:
    import os

    source = tmp_path / "source"
    source.mkdir()
    (source / "a.md").write_text(QA)
    os.mkfifo(source / "deck.toml")
    result = plan([source])
    assert [str(p) for p in result.problems] == [
        f"{source / 'deck.toml'}: skipped: a named pipe (FIFO), not a regular file"
    ]
    assert len(result.notes) == 1
