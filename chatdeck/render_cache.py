"""A disk cache of rendered HTML and of parsed files, so a rebuild re-parses and re-renders
only the files whose bytes changed.

Keys are hashes of the Markdown and of everything that decides how it renders (this package's
version and render code, and the versions of cmark-gfm, Pygments and nh3), so a stale entry can
never be served: change any of them and every key changes. The cache is one SQLite file in
`<output>/.cache/`; deleting it is always safe (the next build renders everything again).
SQLite's journal keeps it consistent if a build is killed mid-write.

Nothing read back is trusted. Each value is stored with a keyed check (BLAKE2b, keyed with a
secret kept in this user's state folder, never in the cache). A cache file that is not exactly
as this user's last build left it (its stamp, see `RenderCache._stamp_holds`) has every entry
checked when it is opened, and those that fail are deleted: HTML planted in the cache by hand,
by another program or in a copied output folder is rendered afresh instead of reaching a card.
A cache that cannot be used (damaged, of another schema, read-only, not a file) is started
afresh or left aside for the build, which says so in one line and goes on: a broken cache only
ever costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import stat
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from chatdeck.file_stamps import stat_stamp
from chatdeck.notes import Problem

CACHE_FOLDER = ".cache"
CACHE_NAME = "render.sqlite"
STAMP_NAME = "render.stamp"
#: `PRAGMA user_version` of this layout ("cd" and a number).
SCHEMA_VERSION = 0x63640002
TABLES = {
    "html": "CREATE TABLE html (key TEXT PRIMARY KEY, value TEXT NOT NULL, mac BLOB NOT NULL)",
    "files": "CREATE TABLE files (key TEXT PRIMARY KEY, value TEXT NOT NULL, mac BLOB NOT NULL)",
}
#: The layout before checks were stored: read as an old cache, replaced without a word.
OLD_TABLES = {
    "html": "CREATE TABLE html (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "files": "CREATE TABLE files (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
}
KEY_NAME = "cache-key"
KEY_BYTES = 32
#: The page size of a new cache file: most fields' HTML fits on one page, so the package's
#: join reads each from one page instead of a chain of SQLite's default small ones; larger
#: pages made a rebuild's lookups of single entries slower. (A cache made before keeps its own.)
PAGE_SIZE = 16384
#: Keys per query (SQLite's oldest limit on variables is 999).
BATCH = 900


#: The modules whose code decides a field's HTML.
RENDER_MODULES = ("render.py", "cjk.py", "tex.py", "lexing.py", "code_html.py")


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """Everything besides the Markdown itself that changes the HTML."""
    parts = [Path(__file__).with_name(name).read_bytes() for name in RENDER_MODULES]
    parts += [f"{name}={version}".encode() for name, version in library_versions()]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def library_versions() -> list[tuple[str, str]]:
    """chatdeck's version and those of the libraries that make the HTML, as each says it
    (cmark-gfm's C library's, which the binding bundles): `importlib.metadata` would cost every
    build, a rebuild with nothing to do too, its import and a search of the installed
    packages."""
    import nh3
    import pygments
    from cmarkgfm import _cmark

    from chatdeck import __version__

    cmark = _cmark.ffi.string(_cmark.lib.cmark_version_string()).decode()
    return [
        ("chatdeck", __version__),
        ("cmark-gfm", cmark),
        ("Pygments", pygments.__version__),
        ("nh3", nh3.__version__),  # type: ignore[attr-defined]  # (not in its stubs)
    ]


#: The modules whose code decides what the parse cache holds for a file.
PARSE_MODULES = (
    "read.py",
    "parse.py",
    "turns.py",
    "turn_markers.py",
    "chat_titles.py",
    "reasoning.py",
    "copied_code.py",
    "turn_edges.py",
    "marked_turns.py",
    "logged_turns.py",
    "page_turns.py",
    "identity.py",
    "notes.py",
    "cards.py",
    "transcripts.py",
    "parse_cache.py",
    # What those import that decides a card: the turns' readings and the question's fencing.
    "agent_logs.py",
    "columns.py",
    "pasted_code.py",
    "pasted_tables.py",
    "xml_chats.py",
)


@lru_cache(maxsize=1)
def parser_version() -> str:
    """Everything that decides what a file parses into, the notes' identity, and the keys their
    fields get: the code of every module on that path."""
    here = Path(__file__).parent
    parts = [renderer_version().encode()]
    parts += [(here / name).read_bytes() for name in PARSE_MODULES]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


#: The modules whose code decides what a source is read as (a transcript, a chat export, or
#: skipped): a file the build state has a stamp for is not opened, so its stamp holds their
#: version with the parser's (`reader_version`).
READER_MODULES = ("sources.py", "exports.py", "json_chats.py")


@lru_cache(maxsize=1)
def reader_version() -> str:
    here = Path(__file__).parent
    parts = [(here / name).read_bytes() for name in READER_MODULES]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def file_key(source: str, data: bytes) -> str:
    """The key of a parsed transcript: its name, its bytes and the parser's version."""
    digest = hashlib.sha256(f"{parser_version()}\0{source}\0".encode())
    digest.update(data)
    return digest.hexdigest()[:32]


def cache_key(markdown: str) -> str:
    return hashlib.sha256(f"{renderer_version()}\0{markdown}".encode()).hexdigest()[:32]


def html_digest(html: str) -> str:
    """What a field shows, as a hash: equal HTML, equal digest, whatever made it."""
    return hashlib.sha256(html.encode()).hexdigest()[:32]


def content_key(html: str) -> str:
    """The key of HTML stored as is (Source lines, fields with images)."""
    return "=" + hashlib.sha256(html.encode()).hexdigest()[:31]


def default_key_path() -> Path:
    """Where this user's cache key lives: `$XDG_STATE_HOME/chatdeck/cache-key`, else
    `~/.local/state/chatdeck/cache-key`. Outside every output folder, so that a cache copied,
    shared or written by someone else cannot carry checks that hold."""
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local/state"
    return base / "chatdeck" / KEY_NAME


def load_key(path: Path) -> bytes:
    """This user's cache key, made (32 random bytes, readable by the user only) the first time.
    OSError when it can be neither read nor made."""
    from chatdeck.sources import read_regular

    for _attempt in range(2):
        try:
            key = read_regular(path, 4096)
        except FileNotFoundError:
            pass
        else:
            if len(key) < KEY_BYTES:
                raise OSError(f"it holds {len(key)} bytes, not a key; delete it")
            return key
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue  # another build made it meanwhile: read that one
        key = secrets.token_bytes(KEY_BYTES)
        try:
            os.write(descriptor, key)
        finally:
            os.close(descriptor)
        return key
    raise OSError("it cannot be read")


class _Unusable(Exception):
    """The cache cannot be used as it is; the message says why, about `path`."""

    def __init__(self, path: Path, reason: str):
        super().__init__(reason)
        self.path = path


class RenderCache:
    """key -> HTML, in a SQLite file in `folder`, or in memory when `folder` is None (a clean
    build) or the file cannot be used (a broken cache only costs time, never the build).

    Nothing in the file is used unchecked. When it opens, the file is either exactly as the
    last build of this user left it (its stamp holds, `_stamp_holds`), or every entry is
    checked against the check stored with it and those that fail are deleted (`_verify_all`),
    so that what the build then reads, and what the package joins from `html`, is what
    chatdeck rendered. `report()` says, in one line each, what was wrong and what was done."""

    #: Writes held in one transaction: a commit per file cost a third of the cache's time.
    COMMIT_EVERY = 64

    def __init__(self, folder: Path | None, key_file: Path | None = None):
        self.problems: list[Problem] = []
        self.uncommitted = 0
        #: The file, while it is used (None: in memory).
        self.path = folder / CACHE_NAME if folder is not None else None
        self.secret = secrets.token_bytes(KEY_BYTES)
        if folder is not None:
            key_path = key_file or default_key_path()
            try:
                self.secret = load_key(key_path)
            except (OSError, ValueError) as error:
                reason = getattr(error, "strerror", None) or str(error)
                self._warn(
                    key_path,
                    f"cannot keep the render cache's key here ({reason}); building without "
                    "a cache (set XDG_STATE_HOME to a folder of yours to keep one)",
                )
                folder = None
        self.connection = self._open(folder)

    def _warn(self, path: Path, message: str) -> None:
        from chatdeck.sources import display_name

        self.problems.append(Problem(display_name(str(path))[0], None, message))

    def _open(self, folder: Path | None) -> sqlite3.Connection:
        if folder is not None:
            path = folder / CACHE_NAME
            try:
                return self._open_file(folder, path)
            except _Unusable as error:
                self._warn(error.path, f"{error}; building without a cache this time")
            except (OSError, sqlite3.Error, UnicodeDecodeError) as error:
                reason = getattr(error, "strerror", None) or _one_line(error)
                self._warn(path, f"cannot be used ({reason}); building without a cache")
        self.path = None
        connection = sqlite3.connect(":memory:")
        connection.executescript(";".join(TABLES.values()))
        return connection

    def _open_file(self, folder: Path, path: Path) -> sqlite3.Connection:
        """The cache file, checked: started afresh when it is damaged, of another schema, a
        symlink or not chatdeck's; _Unusable when even that cannot be done."""
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise _Unusable(folder, "not a folder (delete it to have a cache again)")
        folder.mkdir(parents=True, exist_ok=True)
        fresh_reason: str | None = None
        if path.is_symlink():
            fresh_reason = "a symlink, not chatdeck's cache"
        elif path.exists() and not stat.S_ISREG(path.stat().st_mode):
            raise _Unusable(path, "not a file (delete it to have a cache again)")
        if fresh_reason is None and path.exists():
            connection = sqlite3.connect(path)
            try:
                _configure(connection)
                fresh_reason = _check_schema(connection)
                if fresh_reason is None and not self._stamp_holds(path):
                    fresh_reason = _check_pages(connection)
                    if fresh_reason is None:
                        self._verify_all(connection, path)
                if fresh_reason is None:
                    _check_writable(connection)
                    return connection
            except sqlite3.OperationalError as error:
                connection.close()
                raise _Unusable(path, f"cannot be written ({error})") from None
            except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
                # (SQLite's message can quote the file's damaged bytes, which then fail)
                fresh_reason = f"damaged ({_one_line(error)})"
            connection.close()
        if fresh_reason is not None and fresh_reason != "old":
            self._warn(path, f"{fresh_reason}; started afresh")
        for name in (CACHE_NAME, CACHE_NAME + "-journal", CACHE_NAME + "-wal", STAMP_NAME):
            try:
                (folder / name).unlink()
            except FileNotFoundError:
                pass
            except OSError as error:
                raise _Unusable(path, f"cannot be replaced ({error.strerror})") from None
        connection = sqlite3.connect(path)
        try:
            _configure(connection)
            connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            connection.executescript(
                ";".join(TABLES.values()) + f";PRAGMA user_version = {SCHEMA_VERSION}"
            )
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    # --- Checks -------------------------------------------------------------------------------

    def _mac(self, key: str, value: bytes) -> bytes:
        return self._mac_bytes(key.encode(), value)

    def _mac_bytes(self, key: bytes, value: bytes) -> bytes:
        digest = hashlib.blake2b(key=self.secret, digest_size=16)
        digest.update(key)
        digest.update(b"\0")
        digest.update(value)
        return digest.digest()

    def _verify_all(self, connection: sqlite3.Connection, path: Path) -> None:
        """Check every entry of the file against the check stored with it, in one pass (a
        10,000-note cache, 42 MB of HTML, takes 0.1 s), and delete those that fail (planted,
        damaged, or made with another user's key), and the parsed files whose cards refer to
        HTML deleted. One line says how many entries failed."""
        bad_html = self._failing(connection, "html")
        bad_files = self._failing(connection, "files")
        failed = len(bad_html) + len(bad_files)
        for table, rows in (("html", bad_html), ("files", bad_files)):
            for start in range(0, len(rows), BATCH):
                part = rows[start : start + BATCH]
                marks = ",".join("?" * len(part))
                connection.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", part)
        if bad_html:  # and the parsed files whose cards need HTML that is gone
            present = "SELECT count(*) FROM html WHERE key IN (SELECT value FROM json_each(?))"
            gone = [
                rowid
                for rowid, value in connection.execute("SELECT rowid, value FROM files")
                if not _all_present(connection, present, value)
            ]
            for rowid in gone:
                connection.execute("DELETE FROM files WHERE rowid = ?", (rowid,))
        connection.commit()
        if failed:
            self._warn(
                path,
                f"{failed} entr{'y' if failed == 1 else 'ies'} failed the cache's check "
                "(changed outside chatdeck, damaged, or made by another user); left out and "
                "rendered afresh",
            )

    def _failing(self, connection: sqlite3.Connection, table: str) -> list[int]:
        """The rows of `table` whose entry fails its check (by rowid: a damaged key may not
        even read back as itself)."""
        bad: list[int] = []
        query = f"SELECT rowid, CAST(key AS BLOB), CAST(value AS BLOB), mac FROM {table}"
        for rowid, key, value, mac in connection.execute(query):
            if not (
                isinstance(key, bytes)
                and isinstance(value, bytes)
                and isinstance(mac, bytes)
                and secrets.compare_digest(mac, self._mac_bytes(key, value))
            ):
                bad.append(rowid)
        return bad

    # --- Reading and writing ------------------------------------------------------------------

    def get_many(self, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}
        unique = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        for start in range(0, len(unique), BATCH):
            part = unique[start : start + BATCH]
            marks = ",".join("?" * len(part))
            query = f"SELECT key, value FROM html WHERE key IN ({marks})"
            found.update(self.connection.execute(query, part))
        return found

    def has(self, key: str) -> bool:
        row = self.connection.execute("SELECT 1 FROM html WHERE key = ?", (key,)).fetchone()
        return row is not None

    def html_digest(self, key: str) -> str | None:
        """The digest of the HTML held under `key` (see `html_digest`), or None."""
        row = self.connection.execute("SELECT value FROM html WHERE key = ?", (key,)).fetchone()
        return html_digest(row[0]) if row else None

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        # A key hashes its content: a key already stored (and checked) holds the same HTML.
        rows = ((key, html, self._mac(key, html.encode())) for key, html in items)
        self.connection.executemany("INSERT OR IGNORE INTO html VALUES (?, ?, ?)", rows)
        self._wrote()

    def get_file(self, key: str) -> str | None:
        """A parsed transcript, as stored by `put_file` (JSON), or None."""
        row = self.connection.execute("SELECT value FROM files WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put_file(self, key: str, value: str) -> None:
        mac = self._mac(key, value.encode())
        self.connection.execute("INSERT OR IGNORE INTO files VALUES (?, ?, ?)", (key, value, mac))
        self._wrote()

    def _wrote(self) -> None:
        self.uncommitted += 1
        if self.uncommitted >= self.COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        self.connection.commit()
        self.uncommitted = 0

    def report(self) -> list[Problem]:
        """What was wrong with the cache, one line each (to show with the build's warnings)."""
        return list(self.problems)

    def close(self) -> None:
        """Keep what was stored (a build that failed has still rendered it), then close, and
        stamp the file as this build leaves it."""
        try:
            self.commit()
        except sqlite3.Error:
            self.path = None  # a cache that cannot be written only costs time; no stamp
        self.connection.close()
        if self.path is not None:
            self._write_stamp(self.path)

    # --- The stamp: the file as the last build left it ----------------------------------------

    def _stamp_text(self, path: Path) -> bytes | None:
        """What identifies the file's bytes without reading them (`file_stamps.stat_stamp`:
        any change to the file, by anyone, or another file put in its place, gives another
        stamp). None where that does not hold, or with a journal beside the file (SQLite would
        play it into the file)."""
        if path.with_name(CACHE_NAME + "-journal").exists():
            return None
        stamp = stat_stamp(os.stat(path))
        return stamp.encode() if stamp is not None else None

    def _stamp_holds(self, path: Path) -> bool:
        """Whether the file is as the last build of this user left it: the stamp it wrote,
        checked with this user's key, is the file's stamp now."""
        from chatdeck.sources import read_regular

        try:
            stamp = self._stamp_text(path)
            stored = read_regular(path.with_name(STAMP_NAME), 4096)
        except OSError:
            return False
        text, _, mac = stored.partition(b"\n")
        expected = self._mac(STAMP_NAME, text).hex().encode()
        return stamp is not None and text == stamp and secrets.compare_digest(mac, expected)

    def _write_stamp(self, path: Path) -> None:
        target = path.with_name(STAMP_NAME)
        try:
            stamp = self._stamp_text(path)
            if stamp is None:
                target.unlink(missing_ok=True)
                return
            temporary = target.with_name(STAMP_NAME + ".tmp")
            temporary.write_bytes(stamp + b"\n" + self._mac(STAMP_NAME, stamp).hex().encode())
            os.replace(temporary, target)
        except OSError:
            pass  # no stamp: the next build checks every entry


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _text(data: bytes) -> str:
    """TEXT as Python gets it: a file's damaged bytes would otherwise raise at any read."""
    return data.decode("utf-8", errors="replace")


def _configure(connection: sqlite3.Connection) -> None:
    connection.text_factory = _text
    # Nothing in the file runs: no views or triggers (the schema is checked too), and damage
    # is found as pages are read rather than trusted.
    connection.execute("PRAGMA trusted_schema = OFF")
    connection.execute("PRAGMA cell_size_check = ON")
    # A cache needs no fsync: losing it to a power cut only costs a re-render, and the journal
    # still keeps it consistent if the build is killed.
    connection.execute("PRAGMA synchronous = OFF")


def _check_schema(connection: sqlite3.Connection) -> str | None:
    """None when the file holds exactly this cache's tables; "old" for the layout of an
    earlier chatdeck; else what is wrong."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    (encoding,) = connection.execute("PRAGMA encoding").fetchone()
    if encoding != "UTF-8":  # values are checked as UTF-8, as SQLite gives them back
        return f"of another text encoding ({encoding})"
    rows = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex_%'"
    ).fetchall()
    found = {name: sql for kind, name, sql in rows if kind == "table"}
    if len(found) != len(rows):
        return "of another schema (it holds views, indexes or triggers)"
    if version == SCHEMA_VERSION and found == TABLES:
        return None
    if version == 0 and found == OLD_TABLES:
        return "old"
    return "of another schema (not chatdeck's cache, or a newer chatdeck's)"


def _all_present(connection: sqlite3.Connection, query: str, stored: str) -> bool:
    """Whether every field a parsed file's cards refer to (`parse_cache.to_json`) is in
    `html`; False when the entry cannot be read."""
    try:
        keys = sorted({key for card in json.loads(stored)["cards"] for key in card[1]})
        (count,) = connection.execute(query, (json.dumps(keys),)).fetchone()
    except (ValueError, TypeError, KeyError, IndexError, sqlite3.Error):
        return False
    return bool(count == len(keys))


def _check_pages(connection: sqlite3.Connection) -> str | None:
    """None if SQLite finds the file's pages sound (`PRAGMA quick_check`: 0.04 s for a
    10,000-note cache), else what it found."""
    rows = connection.execute("PRAGMA quick_check(1)").fetchall()
    if rows == [("ok",)]:
        return None
    return "damaged (" + " ".join(str(rows[0][0]).split() if rows else ["unreadable"]) + ")"


def _check_writable(connection: sqlite3.Connection) -> None:
    """sqlite3.Error (`attempt to write a readonly database`) if the file cannot be written."""
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # a write, of the same value
    connection.commit()


class ReadOnlyCache(RenderCache):
    """An output folder's cache as a dry run sees it: read, never written, and each value
    trusted only when its check holds (a dry run deletes nothing, so it cannot clean the file
    as a build does). What the build would store is dropped."""

    def __init__(self, folder: Path, key_file: Path | None = None):
        self.problems = []
        self.uncommitted = 0
        self.path = None  # never stamped
        key_path = key_file or default_key_path()
        try:
            self.secret = load_key(key_path) if key_path.is_file() else b""
        except (OSError, ValueError):
            self.secret = b""
        try:
            if not self.secret:
                raise sqlite3.Error("no key: nothing in the cache can be trusted")
            uri = (folder / CACHE_NAME).absolute().as_uri() + "?mode=ro"
            self.connection = sqlite3.connect(uri, uri=True)
            _configure_read_only(self.connection)
            if _check_schema(self.connection) is not None:
                raise sqlite3.Error("not this chatdeck's cache")
        except sqlite3.Error:  # none, or unusable: a dry run renders without it
            self.secret = self.secret or secrets.token_bytes(KEY_BYTES)
            self.connection = sqlite3.connect(":memory:")
            for sql in TABLES.values():
                self.connection.execute(sql)

    def _checked(self, table: str, key: str) -> str | None:
        query = f"SELECT value, mac FROM {table} WHERE key = ?"
        try:
            row = self.connection.execute(query, (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None or not secrets.compare_digest(row[1], self._mac(key, row[0].encode())):
            return None
        return str(row[0])

    def has(self, key: str) -> bool:
        return self._checked("html", key) is not None

    def html_digest(self, key: str) -> str | None:
        value = self._checked("html", key)
        return html_digest(value) if value is not None else None

    def get_file(self, key: str) -> str | None:
        return self._checked("files", key)

    def get_many(self, keys: list[str]) -> dict[str, str]:
        found = {key: self._checked("html", key) for key in dict.fromkeys(keys)}
        return {key: value for key, value in found.items() if value is not None}

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        pass

    def put_file(self, key: str, value: str) -> None:
        pass

    def commit(self) -> None:
        pass


def _configure_read_only(connection: sqlite3.Connection) -> None:
    connection.text_factory = _text
    connection.execute("PRAGMA trusted_schema = OFF")
    connection.execute("PRAGMA cell_size_check = ON")
