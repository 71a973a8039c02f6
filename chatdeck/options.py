"""What a build is asked to do, and how it is tuned: one object, passed in, never a global."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chatdeck.templates import Templates


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH, the reproducible-builds clock, when it is set to a number."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(epoch) if epoch.isdigit() else None


def system_clock() -> int:
    """Now, in whole seconds: SOURCE_DATE_EPOCH when set (a reproducible build), else the time."""
    epoch = source_date_epoch()
    return epoch if epoch is not None else int(time.time())


@dataclass(frozen=True, slots=True)
class Selection:
    """Which conversations of a chat export become cards (--conversation, --since)."""

    conversation: str | None = None
    since: date | None = None


MB = 1 << 20


def size_text(size: int) -> str:
    """A size for a message: `64 MB`, `2.1 GB`, `900 bytes`."""
    if size < 1 << 10:
        return f"{size} bytes"
    for unit, scale in (("GB", 1 << 30), ("MB", MB), ("KB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return (
                f"{value:.1f} {unit}"
                if value < 10 and value != int(value)
                else f"{value:.0f} {unit}"
            )
    raise AssertionError  # unreachable


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one input may cost, so that no file, however made, can exhaust memory or time.

    Each limit is far above what a real transcript or chat export needs; what goes past one is
    skipped or cut short with a warning that names the file, and the rest of the build goes on.
    Tests lower them to reach the paths a hostile input takes with small files."""

    #: A transcript (any file read as text) larger than this is skipped unread.
    transcript_bytes: int = 64 * MB
    #: The most a chat export's `.zip` may unpack to, all its conversations.json together.
    unpacked_bytes: int = 2048 * MB
    #: ... and at most this many times the `.zip`'s own size (a zip bomb packs 1000:1)...
    unpack_ratio: int = 100
    #: ... a ratio checked only past this many bytes (small archives of JSON pack tightly).
    unpack_ratio_floor: int = 16 * MB
    #: One conversation of an export, as JSON text (characters); a larger one is skipped.
    conversation_chars: int = 32 * MB
    #: Conversations read from one export; the rest are left out, with a warning.
    conversations: int = 100_000


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """What `plan()` (a dry run) needs: the top deck's name, which conversations to read, and
    the workers that parse (as for a build: see `BuildOptions`), and how much any input may
    cost."""

    deck: str | None = None
    selection: Selection = Selection()
    jobs: int | None = None
    pool_threshold: int = 8
    max_tasks_per_worker: int | None = None
    limits: Limits = Limits()


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What `build()` needs. The tuning knobs keep their defaults in normal use; tests set them
    to make a small build take the paths a large one takes."""

    output: Path = Path("output")
    #: None: `templates/` in the working folder if it has one, else the templates shipped with
    #: chatdeck.
    templates: Templates | None = None
    deck: str | None = None
    selection: Selection = Selection()
    preview: bool = False
    #: Worker processes that parse and render (None: one per CPU).
    jobs: int | None = None
    #: False: render everything afresh and leave the cache alone (same deck, slower).
    use_cache: bool = True
    #: Files below this count are parsed and rendered in this process, without workers.
    pool_threshold: int = 8
    #: Chat-export notes a worker renders at a time.
    render_batch: int = 100
    #: Tasks (files, or batches of an export's notes) a worker runs before it is replaced;
    #: None: it lives as long as the build (cmark-gfm's trees are freed, see
    #: `chatdeck.render.cmark_html`, so a worker's memory stays flat).
    max_tasks_per_worker: int | None = None
    #: Notes whose HTML `preview.html` reads at a time.
    preview_batch: int = 500
    #: Gives the build's time (whole seconds): mod times of changed notes come from it.
    clock: Callable[[], int] = system_clock
    #: False: work out what the build would change, and write nothing at all (`--dry-run`).
    write: bool = True
    #: How much any input may cost (see `Limits`).
    limits: Limits = Limits()
    #: The file holding this user's key for the render cache's checks (None: the default,
    #: `$XDG_STATE_HOME/chatdeck/cache-key`, else `~/.local/state/chatdeck/cache-key`).
    cache_key: Path | None = None

    @property
    def plan_options(self) -> PlanOptions:
        return PlanOptions(
            self.deck,
            self.selection,
            self.jobs,
            self.pool_threshold,
            self.max_tasks_per_worker,
            self.limits,
        )
