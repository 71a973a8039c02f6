"""A package of some notes of a built deck: what `--push` sends Anki instead of the whole deck.

The rows are copied from the deck's own `.apkg`, byte for byte (note and card ids, GUIDs, mod
times, fields, tags, decks, the note type and its mod), so importing the smaller package does
to those notes exactly what importing the whole deck would do, and Anki never reads the rest.
Media go along only when a copied note's fields name them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from chatdeck.package import write_package


@dataclass(frozen=True, slots=True)
class Partial:
    path: Path
    notes: int
    media: int
    #: The package's size in bytes.
    size: int


@dataclass(frozen=True, slots=True)
class Row:
    """A note as the deck's package holds it."""

    note_id: int
    fields: tuple[str, ...]
    deck: str


class UnpackedDeck:
    """A built `.apkg` with its collection unpacked once, to read some notes' rows and to write
    packages of some of its notes. Use as a context manager (the unpacked copy is a temp file
    in `scratch`, the system's temp folder by default, removed on exit)."""

    def __init__(self, package: Path, scratch: Path | None = None) -> None:
        self.package = package
        self.scratch = scratch
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._media: dict[str, str] = {}

    def __enter__(self) -> UnpackedDeck:
        self._folder = tempfile.TemporaryDirectory(dir=self.scratch, prefix="chatdeck-push-")
        with zipfile.ZipFile(self.package) as archive:
            with archive.open("collection.anki2") as packed, self.collection.open("wb") as out:
                use_fast_inflate(packed)
                shutil.copyfileobj(packed, out, 1 << 20)
            self._media = json.loads(archive.read("media"))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    @property
    def folder(self) -> Path:
        assert self._folder is not None, "not entered"
        return Path(self._folder.name)

    @property
    def collection(self) -> Path:
        return self.folder / "full.anki2"

    def rows(self, guids: Collection[str]) -> dict[str, Row]:
        """The notes of the package whose GUID is in `guids`: id, fields and deck."""
        if not guids:
            return {}
        connection = sqlite3.connect(self.collection)
        try:
            (decks_json,) = connection.execute("SELECT decks FROM col").fetchone()
            names = {int(key): deck["name"] for key, deck in json.loads(decks_json).items()}
            wanted(connection, guids)
            found = connection.execute(
                "SELECT n.guid, n.id, n.flds, min(c.did) FROM notes AS n"
                " JOIN temp.wanted AS w ON w.guid = n.guid"
                " LEFT JOIN cards AS c ON c.nid = n.id GROUP BY n.id"
            ).fetchall()
        finally:
            connection.close()
        return {
            guid: Row(int(note_id), tuple(fields.split("\x1f")), names.get(deck_id, ""))
            for guid, note_id, fields, deck_id in found
        }

    def write_partial(self, guids: Collection[str], target: Path) -> Partial:
        """Write `target`: the notes whose GUID is in `guids`, with their cards, the note
        type, the decks and the media they use (written atomically, like a deck)."""
        collection = self.folder / "partial.anki2"
        collection.unlink(missing_ok=True)
        notes = copy_notes(self.collection, collection, guids)
        connection = sqlite3.connect(collection)
        try:
            used = [
                (number, name)
                for number, name in self._media.items()
                if connection.execute(
                    "SELECT 1 FROM notes WHERE instr(flds, ?) LIMIT 1", (name,)
                ).fetchone()
            ]
        finally:
            connection.close()
        with zipfile.ZipFile(self.package) as archive:
            media = {name: archive.read(number) for number, name in used}
        write_package(target, collection, media)
        collection.unlink()
        return Partial(target, notes, len(media), target.stat().st_size)


def use_fast_inflate(entry: IO[bytes]) -> None:
    """Inflate a zip entry with ISA-L instead of zlib (twice as fast on a deck's collection),
    as `package.use_fast_deflate` deflates it."""
    from isal import isal_zlib

    if getattr(entry, "_compress_type", None) == zipfile.ZIP_DEFLATED:
        entry._decompressor = isal_zlib.decompressobj(-isal_zlib.MAX_WBITS)  # type: ignore[attr-defined]  # noqa: SLF001


def wanted(connection: sqlite3.Connection, guids: Collection[str]) -> None:
    connection.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (guid TEXT PRIMARY KEY)")
    connection.execute("DELETE FROM temp.wanted")
    connection.executemany(
        "INSERT OR IGNORE INTO temp.wanted VALUES (?)", [(guid,) for guid in guids]
    )


def copy_notes(source: Path, collection: Path, guids: Collection[str]) -> int:
    """Create `collection` with the schema and `col` row of `source` and the rows of the notes
    whose GUID is in `guids` and of their cards. Returns how many notes were copied."""
    connection = sqlite3.connect(collection)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("ATTACH DATABASE ? AS full", (str(source),))
        schema = connection.execute(
            "SELECT sql FROM full.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            " ORDER BY type = 'index', rowid"
        ).fetchall()
        for (statement,) in schema:
            connection.execute(statement)
        wanted(connection, guids)
        connection.execute("INSERT INTO main.col SELECT * FROM full.col")
        connection.execute(
            "INSERT INTO main.notes SELECT n.* FROM full.notes AS n"
            " JOIN temp.wanted AS w ON w.guid = n.guid ORDER BY n.id"
        )
        connection.execute(
            "INSERT INTO main.cards SELECT c.* FROM full.cards AS c"
            " JOIN main.notes AS n ON n.id = c.nid ORDER BY c.id"
        )
        connection.commit()
        (count,) = connection.execute("SELECT count() FROM main.notes").fetchone()
        connection.execute("DETACH DATABASE full")
    finally:
        connection.close()
    return int(count)
