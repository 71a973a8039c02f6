"""Package stage: rendered notes + templates/ -> an .apkg, written atomically and reproducibly.

Anki matches imports by identity, so ours are frozen (docs/anki.md#how-an-import-matches-notes):
- notes by GUID, which comes from the normalized question (never from the fields, so editing an
  answer updates the note instead of adding a new one);
- the note type by its id, and its schema by field names/order and template names. Changing any
  of `NOTE_TYPE_ID`, `FIELDS` or `TEMPLATE_NAME` makes every user's existing notes stop updating:
  a test pins them.
- Mod times move only when content changes (`chatdeck.state.stamp`), so a re-import updates
  exactly the notes that were edited and leaves the rest, and their review history, alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from chatdeck.decks import unique_deck_ids
from chatdeck.notes import CardNote
from chatdeck.options import source_date_epoch
from chatdeck.templates import Templates

if TYPE_CHECKING:
    from chatdeck.state import Stamps

# Frozen from the first release: changing any breaks updates (docs/anki.md#what-breaks-a-note-type).
NOTE_TYPE_ID = 1742913316
NOTE_TYPE_NAME = "Chat Transcript Q&A"
FIELDS = ["Question", "Answer", "Source"]
TEMPLATE_NAME = "Card 1"

TEMP_PREFIX = ".chatdeck-tmp-"
PAGE_SIZE = 65536


def deck_id_for(name: str) -> int:
    """Decks are matched by name on import; a stable id keeps the package reproducible."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:12], 16) % (1 << 40) + (1 << 30)


def read_package_notes(path: Path, guids: list[str]) -> dict[str, tuple[str, list[str], list[str]]]:
    """Some notes of a previously built .apkg: GUID -> (deck, fields, tags); {} if unreadable.

    The collection is streamed out of the zip and only the notes asked for are read, so that
    one removed question costs neither the whole deck in memory nor all of its fields."""
    if not guids:
        return {}
    from isal import isal_zlib

    inflate_error = cast(type[Exception], isal_zlib.error)  # (its stub calls it an instance)
    try:
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "collection.anki2"
            with archive.open("collection.anki2") as source, database.open("wb") as target:
                use_fast_inflate(source)
                shutil.copyfileobj(source, target, 1 << 20)
            connection = sqlite3.connect(database)
            try:
                (decks_json,) = connection.execute("SELECT decks FROM col").fetchone()
                decks = json.loads(decks_json).items()
                deck_names = {int(key): deck["name"] for key, deck in decks}
                connection.execute("CREATE TEMP TABLE wanted (guid TEXT PRIMARY KEY)")
                connection.executemany(
                    "INSERT OR IGNORE INTO wanted VALUES (?)", [(guid,) for guid in guids]
                )
                rows = connection.execute(
                    "SELECT notes.guid, notes.flds, notes.tags, min(cards.did) FROM notes "
                    "JOIN temp.wanted ON wanted.guid = notes.guid "
                    "JOIN cards ON cards.nid = notes.id GROUP BY notes.id"
                ).fetchall()
            finally:
                connection.close()
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, sqlite3.Error, inflate_error):
        return {}  # (a damaged deflate stream is inflate_error; a wrong CRC, BadZipFile)
    return {
        guid: (deck_names.get(deck_id, "Default"), fields.split("\x1f"), tags.split())
        for guid, fields, tags, deck_id in rows
    }


def note_type(templates: Templates) -> Any:  # a genanki.Model (genanki has no types)
    import genanki  # imported where used: a dry run never pays for it

    return genanki.Model(
        NOTE_TYPE_ID,
        NOTE_TYPE_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": TEMPLATE_NAME, "qfmt": templates.front, "afmt": templates.back}],
        css=templates.css,
        sort_field_index=0,
    )


KEY_COLUMNS = ("question_key", "answer_key", "source_key")  # temp.deck_notes, in FIELDS order


def card_filter(model: Any) -> str:
    """genanki's rule for whether a note gets its card (`Note._front_back_cards`), as SQL over
    temp.deck_notes: the template's required fields (`model._req`), all or any of them
    non-empty. With the shipped templates: the Question field, the sort field, which the
    written note holds as `sfld` (a lookup by id instead of one by key in the cache)."""
    if not model._req:  # noqa: SLF001
        return " WHERE 0"
    ((_, all_or_any, required),) = model._req  # noqa: SLF001 (one template)
    joins, tests = "", []
    for i in required:
        if i == model.sort_field_index:
            joins += " JOIN deck.notes AS written ON written.id = n.id"
            tests.append("written.sfld != ''")
        else:
            joins += f" JOIN main.html AS f{i} ON f{i}.key = n.{KEY_COLUMNS[i]}"
            tests.append(f"f{i}.value != ''")
    return joins + " WHERE " + (" AND " if all_or_any == "all" else " OR ").join(tests)


def write_collection(
    path: Path,
    notes: Sequence[CardNote],
    html: sqlite3.Connection,
    templates: Templates,
    stamps: Stamps,
) -> None:
    """Write the collection.anki2 database to `path`.

    `html` is a connection with a table `html(key, value)` holding every field's HTML (the
    render cache). genanki gives the schema, the note type and the decks; the notes and cards
    go in as the same rows genanki's `Note.write_to_db` writes (a test checks that), joined
    with their HTML inside SQLite: the fields of a 10,000-note deck (42 MB) never pass through
    Python, which halves the time of a rebuild's packaging. Same notes, fields and stamps give
    the same bytes.
    """
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    model = note_type(templates)
    timestamp = max([stamps.note_type, *stamps.notes.values()])
    deck_ids = unique_deck_ids((note.deck for note in notes), deck_id_for)
    connection = sqlite3.connect(path)
    try:
        # SQLite's largest page: a 4 KB answer fits on its page instead of spilling onto
        # overflow pages, which writes a 10,000-note collection 30% faster and 10% smaller.
        connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        # A temp file, renamed into the package: no journal, no fsync (a failed build discards
        # it; the package it goes into is fsynced).
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.executescript(APKG_SCHEMA + APKG_COL)
        decks = json.loads(connection.execute("SELECT decks FROM col").fetchone()[0])
        for name, deck_id in deck_ids.items():
            decks[str(deck_id)] = genanki.Deck(deck_id, name).to_json()
        models = json.loads(connection.execute("SELECT models FROM col").fetchone()[0])
        first_deck = next(iter(deck_ids.values()), 1)
        models[str(NOTE_TYPE_ID)] = model.to_json(stamps.note_type, first_deck)
        connection.execute(
            "UPDATE col SET decks = ?, models = ?, mod = ?",
            (json.dumps(decks), json.dumps(models), timestamp * 1000),
        )
        connection.commit()
    finally:
        connection.close()

    # Ids as genanki's generator gives them, a note's id and then its card's, from the
    # timestamp (a note whose template leaves its card out keeps that id unused).
    first_id = timestamp * 1000
    rows = (  # a generator: 100,000 rows never sit in a list
        (
            first_id + 2 * position,
            note.guid,
            stamps.notes[note.guid],
            " " + " ".join(note.tags) + " ",
            position,
            deck_ids[note.deck],
            *note.field_keys,
        )
        for position, note in enumerate(notes)
    )
    html.commit()
    html.execute("ATTACH DATABASE ? AS deck", (str(path),))
    try:
        html.execute("PRAGMA deck.journal_mode = OFF")
        html.execute("PRAGMA deck.synchronous = OFF")
        html.execute(
            "CREATE TEMP TABLE deck_notes (id INTEGER PRIMARY KEY, guid, mod, tags, due, deck_id,"
            " question_key, answer_key, source_key)"
        )
        html.executemany("INSERT INTO temp.deck_notes VALUES (?,?,?,?,?,?,?,?,?)", rows)
        # flds is NOT NULL: a field missing from `html` fails the build instead of a blank card.
        html.execute(
            "INSERT INTO deck.notes SELECT n.id, n.guid, ?, n.mod, -1, n.tags,"
            " q.value || char(31) || a.value || char(31) || s.value, q.value, 0, 0, ''"
            " FROM temp.deck_notes AS n"
            " LEFT JOIN main.html AS q ON q.key = n.question_key"
            " LEFT JOIN main.html AS a ON a.key = n.answer_key"
            " LEFT JOIN main.html AS s ON s.key = n.source_key ORDER BY n.id",
            (NOTE_TYPE_ID,),
        )
        html.execute(
            "INSERT INTO deck.cards SELECT n.id + 1, n.id, n.deck_id, 0, n.mod, -1, 0, 0, n.due,"
            " 0, 0, 0, 0, 0, 0, 0, 0, '' FROM temp.deck_notes AS n"
            + card_filter(model)
            + " ORDER BY n.id"
        )
        html.commit()
    finally:
        html.rollback()
        html.execute("DROP TABLE IF EXISTS temp.deck_notes")
        html.execute("DETACH DATABASE deck")


def zip_time() -> tuple[int, int, int, int, int, int]:
    """Zip entry times: SOURCE_DATE_EPOCH when set, else a fixed date: reproducible builds."""
    epoch = source_date_epoch()
    if epoch is not None:
        return time.gmtime(max(epoch, 315532800))[:6]
    return (1980, 1, 1, 0, 0, 0)


def write_package(path: Path, collection: Path, media: dict[str, bytes], threads: int = 1) -> None:
    """Write the .apkg to a temp file in the same folder, then rename it into place; the
    collection is deflated on up to `threads` threads (the same bytes whatever their number).

    A build that fails or is killed at any moment leaves the previous deck as it was.
    """
    names = sorted(media)
    entries: list[tuple[str, bytes | Path]] = [("collection.anki2", collection)]
    entries.append(("media", json.dumps({str(i): name for i, name in enumerate(names)}).encode()))
    entries.extend((str(i), media[name]) for i, name in enumerate(names))
    stamp_time = zip_time()

    def write(handle: IO[bytes]) -> None:
        with zipfile.ZipFile(handle, "w") as archive:
            for name, data in entries:
                info = zipfile.ZipInfo(name, date_time=stamp_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                # zlib's level, should use_fast_deflate not apply (a private field of ZipInfo)
                info._compresslevel = 1  # type: ignore[attr-defined]  # noqa: SLF001
                info.external_attr = 0o644 << 16
                with archive.open(info, "w", force_zip64=isinstance(data, Path)) as target:
                    use_fast_deflate(target, threads)
                    if isinstance(data, Path):
                        with data.open("rb") as source:
                            shutil.copyfileobj(source, target, DEFLATE_PIECE)
                    else:
                        target.write(data)

    atomic_write(path, write)


#: ISA-L's deflate level: as small as zlib's level 1 in a quarter of its time (54 MB of a
#: 10,000-note collection: 50 ms and 7.25 MB, against zlib level 1's 208 ms and 7.41 MB).
FAST_DEFLATE_LEVEL = 2

#: An entry is deflated in pieces of this size, each ending on a full flush (a byte boundary
#: with nothing referring back across it), so that threads can deflate them side by side and
#: their outputs join into one deflate stream. The bytes depend on this size alone, never on
#: the number of threads; an entry of one piece comes out as one ordinary stream.
DEFLATE_PIECE = 4 << 20


def use_fast_deflate(entry: IO[bytes], threads: int = 1) -> None:
    """Deflate a zip entry with ISA-L (python-isal) instead of zlib: the same format, which
    every unzip and Anki read. zipfile takes no compressor of ours, so the entry's is swapped
    before anything is written to it."""
    if hasattr(entry, "_compressor"):
        entry._compressor = PieceDeflater(threads)  # noqa: SLF001


def deflate_piece(piece: bytes | memoryview, last: bool) -> bytes:
    """One piece of an entry as raw deflate: ending the stream if it is the `last`, else on a
    full flush, from which the next piece goes on as if from a fresh start."""
    from isal import isal_zlib

    compressor = isal_zlib.compressobj(FAST_DEFLATE_LEVEL, isal_zlib.DEFLATED, -isal_zlib.MAX_WBITS)
    end = isal_zlib.Z_FINISH if last else isal_zlib.Z_FULL_FLUSH
    return compressor.compress(piece) + compressor.flush(end)


class PieceDeflater:
    """zlib's compressor interface (`compress`, `flush`) over `deflate_piece`: what is written
    is cut into `DEFLATE_PIECE`s, deflated on a pool of `threads` threads (ISA-L lets go of
    the GIL while it works) once there is more than one piece, and given back in order. At
    most one piece a thread is in flight, so memory stays flat however large the entry."""

    def __init__(self, threads: int):
        self.threads = max(1, threads)
        # What was written and not yet deflated, as written: no copying through a buffer.
        self.held: deque[memoryview] = deque()
        self.held_size = 0
        self.pool: Any = None  # a ThreadPoolExecutor, started at the second piece
        self.running: deque[Any] = deque()  # Futures of deflated pieces, in order

    def compress(self, data: bytes) -> bytes:
        self.held.append(memoryview(bytes(data)))  # (bytes of bytes is the same object)
        self.held_size += len(data)
        out = []
        while self.held_size > DEFLATE_PIECE:  # (>: the last piece is kept for flush)
            out += self._submit(self._take_piece())
        return b"".join(out)

    def _take_piece(self) -> bytes | memoryview:
        """The first DEFLATE_PIECE bytes held: a view of what was written when one write holds
        them all, else joined (the only copy, and only of the piece)."""
        parts, wanted = [], DEFLATE_PIECE
        while wanted:
            chunk = self.held.popleft()
            if len(chunk) > wanted:
                self.held.appendleft(chunk[wanted:])
                chunk = chunk[:wanted]
            parts.append(chunk)
            wanted -= len(chunk)
        self.held_size -= DEFLATE_PIECE
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def flush(self) -> bytes:
        last = deflate_piece(b"".join(self.held), last=True)
        self.held.clear()
        self.held_size = 0
        out = [future.result() for future in self.running]
        self.running.clear()
        if self.pool is not None:
            self.pool.shutdown()
        return b"".join([*out, last])

    def _submit(self, piece: bytes | memoryview) -> list[bytes]:
        """Start deflating a piece; the outputs of the pieces before it that are done."""
        if self.threads == 1:
            return [deflate_piece(piece, last=False)]
        if self.pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="deflate")
        self.running.append(self.pool.submit(deflate_piece, piece, False))
        done = []
        while self.running and (self.running[0].done() or len(self.running) > self.threads):
            done.append(self.running.popleft().result())
        return done


def use_fast_inflate(entry: IO[bytes]) -> None:
    """Inflate a zip entry being read with ISA-L instead of zlib: the same bytes (zipfile still
    checks their CRC) in half the time, which is most of what reading a removed note's old
    fields from the previous package costs. Swapped, like `use_fast_deflate`'s compressor,
    before anything is read."""
    from isal import isal_zlib

    if getattr(entry, "_compress_type", None) == zipfile.ZIP_DEFLATED and hasattr(
        entry, "_decompressor"
    ):
        entry._decompressor = isal_zlib.decompressobj(-isal_zlib.MAX_WBITS)  # noqa: SLF001


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call write(file) on a temp file beside `path`, fsync, then rename over `path`."""
    handle = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=TEMP_PREFIX, suffix=path.suffix, delete=False
    )
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        try:
            os.unlink(handle.name)
        except OSError:
            pass
        raise


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Temp files left by a build that was killed (SIGKILL leaves no chance to clean up)."""
    removed = []
    for candidate in folder.glob(TEMP_PREFIX + "*"):
        try:
            candidate.unlink()
            removed.append(candidate)
        except OSError:
            pass
    return removed
