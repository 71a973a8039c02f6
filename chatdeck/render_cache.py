"""A disk cache of rendered HTML and of parsed files, so a rebuild re-parses and re-renders
only the files whose bytes changed.

Keys are hashes of the Markdown and of everything that decides how it renders (this package's
version and render code, and the versions of cmark-gfm, Pygments and nh3), so a stale entry can
never be served: change any of them and every key changes. The cache is one SQLite file in
`<output>/.cache/`; deleting it is always safe (the next build renders everything again).
SQLite's journal keeps it consistent if a build is killed mid-write.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

CACHE_FOLDER = ".cache"
CACHE_NAME = "render.sqlite"


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """Everything besides the Markdown itself that changes the HTML."""
    parts = [Path(__file__).with_name("render.py").read_bytes()]
    for package in ("chatdeck", "cmarkgfm", "Pygments", "nh3"):
        try:
            parts.append(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            parts.append(package.encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


#: The modules whose code decides what the parse cache holds for a file.
PARSE_MODULES = (
    "read.py",
    "parse.py",
    "turns.py",
    "identity.py",
    "notes.py",
    "cards.py",
    "transcripts.py",
    "parse_cache.py",
)


@lru_cache(maxsize=1)
def parser_version() -> str:
    """Everything that decides what a file parses into, the notes' identity, and the keys their
    fields get: the code of every module on that path."""
    here = Path(__file__).parent
    parts = [renderer_version().encode()]
    parts += [(here / name).read_bytes() for name in PARSE_MODULES]
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


class RenderCache:
    """key -> HTML, in a SQLite file in `folder`, or in memory when `folder` is None (a clean
    build) or the file cannot be used (a broken cache only costs time, never the build)."""

    #: Writes held in one transaction: a commit per file cost a third of the cache's time.
    COMMIT_EVERY = 64

    def __init__(self, folder: Path | None):
        self.connection = self._open(folder)
        self.uncommitted = 0

    @staticmethod
    def _open(folder: Path | None) -> sqlite3.Connection:
        schema = (
            "CREATE TABLE IF NOT EXISTS html (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        for _attempt in range(2 if folder is not None else 0):
            assert folder is not None
            path = folder / CACHE_NAME
            try:
                folder.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(path)
                # A cache needs no fsync: losing it to a power cut only costs a re-render, and
                # the journal still keeps it consistent if the build is killed.
                connection.execute("PRAGMA synchronous = OFF")
                connection.executescript(schema)
                return connection
            except sqlite3.DatabaseError:  # damaged: start a fresh cache file
                connection.close()
                path.unlink(missing_ok=True)
            except (OSError, sqlite3.Error):
                break
        connection = sqlite3.connect(":memory:")
        connection.executescript(schema)
        return connection

    def get_many(self, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}
        unique = list(dict.fromkeys(keys))
        marks = ",".join("?" * len(unique))
        rows = self.connection.execute(
            f"SELECT key, value FROM html WHERE key IN ({marks})", unique
        )
        return dict(rows)

    def has(self, key: str) -> bool:
        row = self.connection.execute("SELECT 1 FROM html WHERE key = ?", (key,)).fetchone()
        return row is not None

    def html_digest(self, key: str) -> str | None:
        """The digest of the HTML held under `key` (see `html_digest`), or None."""
        row = self.connection.execute("SELECT value FROM html WHERE key = ?", (key,)).fetchone()
        return html_digest(row[0]) if row else None

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        # A key hashes its content: a key already stored holds the same HTML.
        self.connection.executemany("INSERT OR IGNORE INTO html VALUES (?, ?)", items)
        self._wrote()

    def get_file(self, key: str) -> str | None:
        """A parsed transcript, as stored by `put_file` (JSON), or None."""
        row = self.connection.execute("SELECT value FROM files WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put_file(self, key: str, value: str) -> None:
        self.connection.execute("INSERT OR IGNORE INTO files VALUES (?, ?)", (key, value))
        self._wrote()

    def _wrote(self) -> None:
        self.uncommitted += 1
        if self.uncommitted >= self.COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        self.connection.commit()
        self.uncommitted = 0

    def close(self) -> None:
        """Keep what was stored (a build that failed has still rendered it), then close."""
        try:
            self.commit()
        except sqlite3.Error:
            pass  # a cache that cannot be written only costs time
        self.connection.close()


class ReadOnlyCache(RenderCache):
    """An output folder's cache as a dry run sees it: read when there is one, never written.
    What the build would store is dropped."""

    def __init__(self, folder: Path):
        self.uncommitted = 0
        try:
            uri = (folder / CACHE_NAME).absolute().as_uri() + "?mode=ro"
            self.connection = sqlite3.connect(uri, uri=True)
            self.connection.execute("SELECT key, value FROM html LIMIT 1").fetchall()
            self.connection.execute("SELECT key, value FROM files LIMIT 1").fetchall()
        except sqlite3.Error:  # none, or unusable: a dry run renders without it
            self.connection = self._open(None)

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        pass

    def put_file(self, key: str, value: str) -> None:
        pass

    def commit(self) -> None:
        pass
