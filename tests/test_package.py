"""Package stage: the rows we write are genanki's, and the zip is deflated by ISA-L."""

from __future__ import annotations

import sqlite3
import zipfile
import zlib
from pathlib import Path

import genanki
import pytest
from conftest import TEMPLATES, import_package
from isal import isal_zlib

from chatdeck.notes import CardNote
from chatdeck.package import (
    DEFLATE_PIECE,
    FAST_DEFLATE_LEVEL,
    NOTE_TYPE_ID,
    PieceDeflater,
    deck_id_for,
    deflate_piece,
    note_type,
    read_package_notes,
    use_fast_inflate,
    write_collection,
    write_package,
)
from chatdeck.render_cache import RenderCache
from chatdeck.state import Stamps
from chatdeck.templates import Templates, load_templates


def card(guid: str, deck: str, keys: tuple[str, str, str], tags: tuple[str, ...]) -> CardNote:
    return CardNote(guid, keys, "digest", "a.txt", 1, "a question", deck=deck, tags=tags)


NOTES = [
    card("guid-one", "Top::First", ("k1", "k2", "k3"), ("ml", "python")),
    card("guid-two", "Top::Second", ("k4", "k5", "k6"), ()),
    card("guid-three", "Top::First", ("k7", "k8", "k9"), ("ml",)),
]
FIELDS = {
    "guid-one": ["<p>what is a <code>KV</code> cache?</p>", "<p>An answer.</p>", "a.txt:1"],
    "guid-two": ["<p>why \\(x^2\\)?</p>", '<pre class="code"><code>x</code></pre>', "a.txt:9"],
    "guid-three": ["<p>中文问题？</p>", "", "b.txt:3"],
}
STAMPS = Stamps(
    {"guid-one": 1700000000, "guid-two": 1700000005, "guid-three": 1700000002}, 1700000001, {}
)


def html_store(fields: dict[str, list[str]] = FIELDS) -> sqlite3.Connection:
    """What write_collection reads the fields from: the render cache's `html` table."""
    cache = RenderCache(None)
    cache.put_many(
        (key, html)
        for note in NOTES
        for key, html in zip(note.field_keys, fields[note.guid], strict=True)
    )
    return cache.connection


def rows(path: Path, table: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        connection.close()


def test_rows_are_what_genanki_writes(tmp_path: Path) -> None:
    templates = load_templates(TEMPLATES)
    ours = tmp_path / "ours.anki2"
    write_collection(ours, NOTES, html_store(), templates, STAMPS)

    theirs = tmp_path / "genanki.anki2"
    connection = sqlite3.connect(theirs)
    cursor = connection.cursor()
    model = note_type(templates)
    timestamp = max([STAMPS.note_type, *STAMPS.notes.values()])
    ids = iter(range(timestamp * 1000, timestamp * 1000 + 10**10))
    from genanki.apkg_schema import APKG_SCHEMA

    cursor.executescript(APKG_SCHEMA)
    for position, note in enumerate(NOTES):
        genanki.Note(
            model=model,
            fields=FIELDS[note.guid],
            guid=note.guid,
            tags=list(note.tags),
            due=position,
        ).write_to_db(cursor, STAMPS.notes[note.guid], deck_id_for(note.deck), ids)
    connection.commit()
    connection.close()

    assert rows(ours, "notes") == rows(theirs, "notes")
    assert rows(ours, "cards") == rows(theirs, "cards")
    assert {row[2] for row in rows(ours, "notes")} == {NOTE_TYPE_ID}


def test_package_is_deflated_by_isal_and_reads_back(tmp_path: Path) -> None:
    collection = tmp_path / "collection.anki2"
    write_collection(collection, NOTES, html_store(), load_templates(TEMPLATES), STAMPS)
    apkg = tmp_path / "deck.apkg"
    write_package(apkg, collection, {"0123.png": b"\x89PNG not really"})

    data = collection.read_bytes()
    compressor = isal_zlib.compressobj(FAST_DEFLATE_LEVEL, isal_zlib.DEFLATED, -15)
    expected = compressor.compress(data) + compressor.flush()
    with zipfile.ZipFile(apkg) as archive:
        assert archive.testzip() is None  # every CRC checks out
        info = archive.getinfo("collection.anki2")
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.compress_size == len(expected)  # ISA-L's stream, not zlib's
        assert archive.read("collection.anki2") == data
        assert archive.read("0") == b"\x89PNG not really"

    log, imported = import_package(tmp_path / "user.anki2", apkg)
    try:
        assert len(log.new) == 3
        questions = {imported.get_note(nid)["Question"] for nid in imported.find_notes("")}
        assert questions == {fields[0] for fields in FIELDS.values()}
    finally:
        imported.close()


def deflated(data: bytes, threads: int, step: int = 1 << 20) -> bytes:
    """`data` written to a PieceDeflater `step` bytes at a time (zipfile writes what it is
    given: a megabyte at a time by default, a piece at a time from `write_package`)."""
    deflater = PieceDeflater(threads)
    out = [deflater.compress(data[i : i + step]) for i in range(0, len(data), step)]
    return b"".join([*out, deflater.flush()])


def test_a_large_entry_is_deflated_in_pieces_to_the_same_bytes_whatever_the_threads() -> None:
    # Two and a half pieces of text that deflate neither to nothing nor not at all.
    words = [f"{n * 7919 % 10007:x}" for n in range(DEFLATE_PIECE // 2)]
    data = " ".join(words).encode()[: DEFLATE_PIECE * 5 // 2]
    one, two, three = (deflated(data, threads) for threads in (1, 2, 3))
    assert one == two == three
    assert isal_zlib.decompress(one, -15) == data
    assert zlib.decompress(one, -15) == data  # stock zlib reads the joined stream too
    assert one != deflate_piece(data, last=True)  # in pieces, not one stream
    small = data[: DEFLATE_PIECE // 2]  # one piece: the ordinary stream
    assert deflated(small, 2) == deflate_piece(small, last=True)


def test_a_large_entry_deflates_to_the_same_bytes_however_its_writes_are_cut() -> None:
    words = [f"{n * 7919 % 10007:x}" for n in range(DEFLATE_PIECE // 2)]
    data = " ".join(words).encode()[: DEFLATE_PIECE * 5 // 2]
    # Writes of a whole piece, of more than a piece, and of sizes that cut across pieces.
    steps = (DEFLATE_PIECE, DEFLATE_PIECE * 3 // 2, 3 << 20, 999_983)
    assert {deflated(data, 2, step) for step in steps} == {deflated(data, 1)}


def test_a_package_of_a_collection_larger_than_a_piece_imports_into_anki(tmp_path: Path) -> None:
    big = "".join(f"<p>line {n}: {n * 7919 % 10007:x}</p>" for n in range(DEFLATE_PIECE // 16))
    fields = {**FIELDS, "guid-three": ["<p>中文问题？</p>", big, "b.txt:3"]}
    cache = RenderCache(None)
    cache.put_many(
        (key, html)
        for note in NOTES
        for key, html in zip(note.field_keys, fields[note.guid], strict=True)
    )
    collection = tmp_path / "collection.anki2"
    write_collection(collection, NOTES, cache.connection, load_templates(TEMPLATES), STAMPS)
    assert collection.stat().st_size > DEFLATE_PIECE
    apkg = tmp_path / "deck.apkg"
    write_package(apkg, collection, {}, threads=2)
    with zipfile.ZipFile(apkg) as archive:
        assert archive.testzip() is None
    log, imported = import_package(tmp_path / "user.anki2", apkg)
    try:
        answers = {imported.get_note(nid)["Answer"] for nid in imported.find_notes("")}
        assert big in answers
    finally:
        imported.close()


def test_a_package_is_inflated_by_isal_to_the_same_bytes_and_its_notes_read_back(
    tmp_path: Path,
) -> None:
    collection = tmp_path / "collection.anki2"
    write_collection(collection, NOTES, html_store(), load_templates(TEMPLATES), STAMPS)
    apkg = tmp_path / "deck.apkg"
    write_package(apkg, collection, {})
    with zipfile.ZipFile(apkg) as archive, archive.open("collection.anki2") as entry:
        use_fast_inflate(entry)
        assert type(entry._decompressor).__module__.startswith("isal")  # noqa: SLF001
        assert entry.read() == collection.read_bytes()

    found = read_package_notes(apkg, ["guid-three", "guid-one", "not-there"])
    assert found == {
        "guid-one": ("Top::First", FIELDS["guid-one"], ["ml", "python"]),
        "guid-three": ("Top::First", FIELDS["guid-three"], ["ml"]),
    }
    with zipfile.ZipFile(apkg) as archive:
        info = archive.getinfo("collection.anki2")
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    for damage in (b"\x00", b"\xff" * 64):  # a wrong CRC; a stream that cannot be inflated
        data = bytearray(apkg.read_bytes())
        data[middle : middle + len(damage)] = damage
        damaged = tmp_path / "damaged.apkg"
        damaged.write_bytes(bytes(data))
        assert read_package_notes(damaged, ["guid-one"]) == {}, damage


def test_a_field_missing_from_the_store_fails_instead_of_a_blank_card(tmp_path: Path) -> None:
    store = html_store()
    store.execute("DELETE FROM html WHERE key = 'k5'")
    with pytest.raises(sqlite3.IntegrityError):
        write_collection(tmp_path / "c.anki2", NOTES, store, load_templates(TEMPLATES), STAMPS)
    assert not store.in_transaction  # the cache is left as it was, and usable
    assert "deck" not in [row[1] for row in store.execute("PRAGMA database_list")]
    assert store.execute("SELECT count(*) FROM html").fetchone() == (8,)


@pytest.mark.parametrize(
    ("front", "empty_question"),
    [
        ("{{Answer}}", False),
        ("{{#Source}}{{Question}}{{/Source}}", False),
        ("{{Question}}{{Answer}}", False),
        ("{{Question}}", True),  # the shipped rule, on a note whose Question is empty
        ("{{Question}}{{Answer}}", True),
    ],
)
def test_edited_templates_give_cards_to_the_notes_genanki_would(
    front: str, empty_question: bool, tmp_path: Path
) -> None:
    """A user may edit templates/: which notes get a card still follows genanki's rule."""
    shipped = load_templates(TEMPLATES)
    templates = Templates(front=front, back=shipped.back, css=shipped.css)
    fields = {**FIELDS, "guid-one": ["", *FIELDS["guid-one"][1:]]} if empty_question else FIELDS
    ours = tmp_path / "ours.anki2"
    write_collection(ours, NOTES, html_store(fields), templates, STAMPS)
    model = note_type(templates)
    expected = {
        note.guid
        for note in NOTES
        if genanki.Note(model=model, fields=fields[note.guid], guid=note.guid).cards
    }
    connection = sqlite3.connect(ours)
    with_cards = {
        guid
        for (guid,) in connection.execute(
            "SELECT notes.guid FROM notes JOIN cards ON cards.nid = notes.id"
        )
    }
    connection.close()
    assert with_cards == expected
    assert front != "{{Answer}}" or "guid-three" not in with_cards  # its Answer is empty
    assert not empty_question or front != "{{Question}}" or "guid-one" not in with_cards
