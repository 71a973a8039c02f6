"""Which files a build reads: folders expanded into transcript files, in a stable order, with
the kinds of file that are never transcripts set aside (quietly, or with a warning), and each
file opened so that nothing in a source folder can hang a build or fill its memory: only
regular files are read (never a FIFO, a device or a socket, even behind a symlink), and only as
much of each as it takes to tell what it is."""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, BinaryIO

from chatdeck.notes import Problem
from chatdeck.options import Limits, size_text

if TYPE_CHECKING:
    from chatdeck.exports import Export

#: What a build writes into its output folder, by which one is recognized in a source folder.
OUTPUT_MARKERS = (".build-state.json", ".cache/render.sqlite")
PREVIEW_NAME = "preview.html"


class BuildError(Exception):
    """A problem that stops the build (exit code 1); the message is one clear line.
    `problems`: the warnings met before it, which explain it (the command prints them first);
    `paths`: each source's path as given."""

    def __init__(
        self,
        message: str,
        problems: Iterable[Problem] = (),
        paths: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.problems = tuple(problems)
        self.paths = paths or {}


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    #: Relative to the folder it was found in: the name reports and cards show (always valid
    #: Unicode: bytes of a file name that are not UTF-8 show as U+FFFD).
    name: str
    #: The folder it was found in (its deck.toml applies; its images must be inside it).
    root: Path


#: Files people keep next to transcripts that are not transcripts; skipped quietly.
QUIET_NAMES = {"deck.toml"}

#: Known kinds that are never transcripts: skipped with a warning that says what they are.
BINARY_KINDS = {
    **dict.fromkeys(
        [".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".heic"], "an image"
    ),
    **dict.fromkeys([".pdf", ".docx", ".doc", ".odt", ".epub", ".pptx", ".xlsx"], "a document"),
    **dict.fromkeys([".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".apkg"], "an archive"),
    **dict.fromkeys(
        [".exe", ".dll", ".so", ".dylib", ".bin", ".pyc", ".sqlite", ".db"], "a binary"
    ),
    **dict.fromkeys([".mp3", ".mp4", ".wav", ".m4a", ".mov", ".webm", ".ogg"], "a media file"),
}
SKIPPED_IMAGE = "skipped: an image"  # the start of the warning for an image file
#: How much of a file is read to tell what it is (an export, a binary, a transcript).
HEAD_BYTES = 8192


def collect_sources(paths: list[Path]) -> tuple[list[Source], list[Problem]]:
    """Expand folders into their transcript files, in a stable order (names sorted, a folder's
    files where its name sorts).

    Hidden files and folders and editor backups are ignored quietly; known binary kinds
    (images, PDFs, archives), what is not a regular file (a FIFO, a device, a socket) and a
    chatdeck output folder (one holding `.build-state.json`) are skipped with a warning;
    anything else is read if its content is text. Symlinks to folders are not followed.
    """
    sources: list[Source] = []
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            raise BuildError(f"{path}: no such file or folder")
        if not path.is_dir():
            name, renamed = display_name(path.name)
            kind = special_kind(path)
            if kind:
                problems.append(Problem(name, None, f"skipped: {kind}, not a regular file"))
                continue
            problems.extend(renamed)
            sources.append(Source(path, name, path.parent))
            continue
        for candidate, relative in _walk(path, problems):
            name, renamed = display_name(relative)
            kind = BINARY_KINDS.get(candidate.suffix.lower())
            if kind:
                problems.append(Problem(name, None, f"skipped: {kind}, not a transcript"))
                continue
            special = special_kind(candidate)
            if special:
                problems.append(Problem(name, None, f"skipped: {special}, not a regular file"))
                continue
            problems.extend(renamed)
            sources.append(Source(candidate, name, path))
    return sources, problems


def _walk(root: Path, problems: list[Problem]) -> Iterator[tuple[Path, str]]:
    """(path, name relative to `root`) of every file under `root` that is not quietly ignored,
    in the order of `sorted(root.rglob("*"))`: depth first, names sorted. No recursion, so a
    folder tree of any depth is fine."""
    stack = [_entries(root, "", problems)]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif item[2]:
            stack.append(_entries(item[0], item[1] + "/", problems))
        else:
            yield item[0], item[1]


def _entries(
    folder: Path, prefix: str, problems: list[Problem]
) -> Iterator[tuple[Path, str, bool]]:
    """(path, relative name, is a folder) of a folder's entries, sorted by name. Symlinks to
    folders are left out quietly, as `rglob` leaves them; an output folder is reported."""
    where = display_name(prefix.rstrip("/") or folder.name)[0]
    output = is_output_folder(folder)
    if output and prefix:
        problems.append(
            Problem(
                where + "/",
                None,
                "skipped: a chatdeck output folder (it holds .build-state.json), not "
                "transcripts; keep the output (-o) outside the source folder",
            )
        )
        return
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        problems.append(Problem(where, None, f"cannot read folder: {error.strerror}"))
        return
    for entry in entries:
        if is_quietly_ignored(Path(entry.name)):
            continue
        if output and entry.name == PREVIEW_NAME:  # the source folder is also the output
            message = "skipped: chatdeck's preview page, not a transcript"
            problems.append(Problem(prefix + entry.name, None, message))
            continue
        try:
            is_folder = entry.is_dir()
            real_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = real_folder = False
        if real_folder and is_page_assets(Path(entry.path), {}):
            continue  # a saved page's own files, beside it
        if real_folder or not is_folder:
            yield Path(entry.path), prefix + entry.name, real_folder


def is_output_folder(folder: Path) -> bool:
    """A folder chatdeck wrote a build into: its files are not transcripts."""
    if any((folder / marker).exists() for marker in OUTPUT_MARKERS):
        return True
    return any(folder.glob(".*.build-state.json"))  # a deck's state (chatdeck.state)


def display_name(name: str) -> tuple[str, list[Problem]]:
    """A file name as reports and cards show it, and a warning if it is not valid UTF-8 (its
    undecodable bytes, kept by Python as lone surrogates, would fail every later encode)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(name).decode("utf-8", errors="replace")
        message = "file name is not valid UTF-8 (shown with \ufffd); rename the file"
        return shown, [Problem(shown, None, message)]
    return name, []


def special_kind(path: Path) -> str | None:
    """What a path is when it is not a regular file or a folder (symlinks followed), or None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # gone or unreadable: reported when it is opened
    return _kind_of(mode)


def _kind_of(mode: int) -> str | None:
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


class NotRegularFile(OSError):
    """A path that is a FIFO, a device, a socket or a folder, which is never read."""


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading, if it is a regular file (NotRegularFile if not). Opening
    never blocks (a FIFO opened to read waits for a writer; this does not), and nothing but a
    regular file is read, even when the path changes between a listing and the open."""
    kind = _kind_of(os.stat(path).st_mode)
    if kind:
        raise NotRegularFile(f"{kind}, not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"{_kind_of(mode) or 'a folder'}, not a regular file")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


class TooLarge(OSError):
    """A file larger than what may be read of it."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"{size_text(size)}, larger than the {size_text(limit)} allowed")
        self.size, self.limit = size, limit


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, at most `limit` of them (TooLarge past it): what media and
    other small files beside the transcripts are read with."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if limit is not None and size > limit:
            raise TooLarge(size, limit)
        data = handle.read() if limit is None else handle.read(limit + 1)
    if limit is not None and len(data) > limit:  # it grew while being read
        raise TooLarge(len(data), limit)
    return data


@dataclass(frozen=True, slots=True)
class Opened:
    """A source as first read: a chat export (read by `chatdeck.exports`), a transcript's
    bytes, or why it is not read."""

    export: Export | None = None
    data: bytes | None = None
    problem: Problem | None = None
    #: The transcript's `os.fstat` as it was read (for its stamp: `chatdeck.file_stamps`).
    info: os.stat_result | None = None


def open_source(source: Source, limits: Limits | None = None) -> Opened:
    """Read a source as far as it takes to tell what it is, then as a chat export or as a
    transcript's bytes, within `limits`; anything else becomes a one-line problem."""
    from chatdeck.exports import is_export, read_export  # exports reads files with this module

    limits = limits or Limits()

    def skipped(message: str) -> Opened:
        return Opened(problem=Problem(source.name, None, message))

    try:
        with open_regular(source.path) as handle:
            head = handle.read(HEAD_BYTES)
            if is_export(source.path, head, handle):
                return Opened(export=read_export(source.path, source.name, limits))
            if is_page(source.path, head):  # a saved chat page reads as an export of one chat
                from chatdeck.pages import read_page  # bs4 is imported for pages only

                return Opened(export=read_page(source.path, source.name))
            if not looks_like_text(head):
                return skipped("skipped: binary file, not a transcript")
            info = os.fstat(handle.fileno())
            size = info.st_size
            data = head
            if size <= limits.transcript_bytes:
                data += handle.read(limits.transcript_bytes + 1 - len(head))
    except NotRegularFile as error:
        return skipped(f"skipped: {error}")
    except OSError as error:
        return skipped(f"cannot read: {error.strerror or error}")
    if size > limits.transcript_bytes or len(data) > limits.transcript_bytes:
        return skipped(
            f"skipped: {size_text(max(size, len(data)))}, larger than a transcript may be "
            f"({size_text(limits.transcript_bytes)}); split it into smaller files"
        )
    if is_json_chat_file(source.name):  # chats saved as JSON by other tools, found by shape
        from chatdeck.json_chats import read_json_chats

        chats = read_json_chats(data, source.name)
        if chats is not None:
            return Opened(export=chats)
    return Opened(data=data, info=info)


#: Files that may hold chats as JSON, or as the same data in YAML (`chatdeck.json_chats`).
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".yaml", ".yml")


def is_json_chat_file(name: str) -> bool:
    return PurePath(name).suffix.lower() in JSON_SUFFIXES


#: Saved web pages, read by `chatdeck.pages` (which imports bs4: only for them).
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".mhtml", ".mht")
MHTML_TYPE = re.compile(rb"^content-type:\s*multipart/related", re.IGNORECASE | re.MULTILINE)
MIME_VERSION = re.compile(rb"^mime-version:", re.IGNORECASE | re.MULTILINE)


def is_page(path: Path, head: bytes) -> bool:
    """Whether `path` is read by `read_page` (a saved web page) rather than as a transcript:
    by its name, or, for a file without a suffix, by how it starts."""
    suffix = path.suffix.lower()
    if suffix in PAGE_SUFFIXES:
        return True
    if suffix:
        return False
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].lower()
    return start.startswith((b"<!doctype html", b"<html")) or is_mhtml(head)


def is_mhtml(head: bytes) -> bool:
    """Whether a file starting with `head` is an MHTML archive: MIME headers (a MIME-Version,
    a multipart/related content type) before the first blank line."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] == b"<":
        return False
    headers = re.split(rb"\r?\n\r?\n", start, maxsplit=1)[0]
    return bool(MIME_VERSION.search(headers) and MHTML_TYPE.search(headers))


def looks_like_text(data: bytes) -> bool:
    """A NUL byte in the first 8 KiB (outside UTF-16) marks a binary file."""
    head = data[:HEAD_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" not in head


def is_quietly_ignored(path: Path) -> bool:
    """Hidden files and editor backups are never transcripts and not worth a warning."""
    name = path.name
    return (
        name.startswith(".")
        or name.endswith("~")
        or name.endswith((".swp", ".swo", ".bak", ".tmp"))
        or name in QUIET_NAMES
    )


#: The folder a browser's "Save page as, complete" writes beside `page.html`: `page_files`
#: (Chrome; Firefox in English), `page-Dateien`, `page_fichiers`, ...
PAGE_ASSETS = re.compile(r"(.+)[_-][^\W\d_]{2,12}")


def is_page_assets(folder: Path, known: dict[Path, bool]) -> bool:
    """Whether `folder` holds the styles, scripts and images of a saved page beside it (skipped
    quietly: they are the page's, not transcripts). `known` remembers folders already seen."""
    if folder not in known:
        match = PAGE_ASSETS.fullmatch(folder.name)
        stem = match.group(1) if match else None
        known[folder] = stem is not None and any(
            (folder.parent / f"{stem}{suffix}").is_file() for suffix in (".html", ".htm")
        )
    return known[folder]
