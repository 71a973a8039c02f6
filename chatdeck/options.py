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


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """What `plan()` (a dry run) needs: the top deck's name, which conversations to read, and
    the workers that parse (as for a build: see `BuildOptions`)."""

    deck: str | None = None
    selection: Selection = Selection()
    jobs: int | None = None
    pool_threshold: int = 8
    max_tasks_per_worker: int = 20


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
    #: Files a worker handles before it is replaced (cmark-gfm's binding leaks its trees).
    max_tasks_per_worker: int = 20
    #: Notes whose HTML `preview.html` reads at a time.
    preview_batch: int = 500
    #: Gives the build's time (whole seconds): mod times of changed notes come from it.
    clock: Callable[[], int] = system_clock
    #: False: work out what the build would change, and write nothing at all (`--dry-run`).
    write: bool = True

    @property
    def plan_options(self) -> PlanOptions:
        return PlanOptions(
            self.deck, self.selection, self.jobs, self.pool_threshold, self.max_tasks_per_worker
        )
