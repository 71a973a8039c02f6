"""Which files a build reads: folders expanded into transcript files, in a stable order, with
the kinds of file that are never transcripts set aside (quietly, or with a warning)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from chatdeck.notes import Problem


class BuildError(Exception):
    """A problem that stops the build (exit code 1); the message is one clear line, and
    `problems` are the warnings that explain it (`paths`: each source's path as given)."""

    def __init__(
        self, message: str, problems: tuple[Problem, ...] = (), paths: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.problems = problems
        self.paths = paths or {}


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    #: Relative to the folder it was found in: the name reports and cards show.
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


def collect_sources(paths: list[Path]) -> tuple[list[Source], list[Problem]]:
    """Expand folders into their transcript files, in a stable order.

    Hidden files and editor backups are ignored quietly; known binary kinds (images, PDFs,
    archives) are skipped with a warning; anything else is read if its content is text.
    """
    sources: list[Source] = []
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            raise BuildError(f"{path}: no such file or folder")
        if path.is_file():
            sources.append(Source(path, path.name, path.parent))
            continue
        assets: dict[Path, bool] = {}
        for candidate in sorted(path.rglob("*")):
            relative = candidate.relative_to(path)
            if any(is_quietly_ignored(Path(part)) for part in relative.parts) or candidate.is_dir():
                continue
            if any(
                is_page_assets(folder, assets)
                for folder in candidate.parents[: len(relative.parts) - 1]
            ):
                continue
            kind = BINARY_KINDS.get(candidate.suffix.lower())
            if kind:
                problems.append(
                    Problem(relative.as_posix(), None, f"skipped: {kind}, not a transcript")
                )
                continue
            sources.append(Source(candidate, relative.as_posix(), path))
    return sources, problems


def looks_like_text(data: bytes) -> bool:
    """A NUL byte in the first 8 KiB (outside UTF-16) marks a binary file."""
    head = data[:8192]
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
