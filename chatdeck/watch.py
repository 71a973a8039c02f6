"""`--watch`: stay running and rebuild (and push) whenever a transcript, a `deck.toml` or a
card template changes.

Changes are collected by `watchfiles` (inotify and its like, in Rust) and debounced: an editor's
save, or a burst of files copied in, gives one rebuild. Builds run one at a time in this process;
changes made during a build give one more rebuild after it. A rebuild that fails (a file broken
while it is being typed) is reported on its line and the watch goes on. Ctrl-C stops it: exit
code 0 while waiting, 130 when it interrupted a build or push (the previous deck is untouched,
as for any interrupted build).
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from chatdeck.build import BuildError, build
from chatdeck.config import CONFIG_NAME, ConfigError
from chatdeck.options import BuildOptions
from chatdeck.package import TEMP_PREFIX
from chatdeck.push import PushOptions
from chatdeck.push_command import run_push, short_push
from chatdeck.report import change_counts, change_line, print_build, print_warnings, shown_path
from chatdeck.templates import TEMPLATE_FILES

#: A rebuild starts once no change came for QUIET_MS milliseconds, or DEBOUNCE_MS after the
#: first change if they keep coming (an editor's save is often a truncate and a write).
QUIET_MS = 200
DEBOUNCE_MS = 1600
#: Milliseconds between the watcher's checks for Ctrl-C when nothing changes.
WAKE_MS = 500
EXIT_STOPPED = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Targets:
    """What a watch looks at: folders (recursively) and, inside them, what counts."""

    #: Transcript folders given as PATH: everything in them counts.
    folders: tuple[Path, ...]
    #: Transcript files given as PATH, and the deck.toml beside each.
    files: frozenset[Path]
    templates: Path | None
    output: Path

    @property
    def roots(self) -> list[Path]:
        """The folders to watch: each folder PATH, each file PATH's folder, the templates."""
        roots = [*self.folders, *(path.parent for path in self.files)]
        if self.templates is not None:
            roots.append(self.templates)
        unique: list[Path] = []
        for root in sorted(set(roots), key=lambda path: (len(path.parts), str(path))):
            if not any(root.is_relative_to(kept) for kept in unique):
                unique.append(root)
        return unique

    def counts(self, path: Path) -> bool:
        """Whether a change to `path` should rebuild the deck."""
        if path.is_relative_to(self.output) or path.name.startswith(TEMP_PREFIX):
            return False
        if self.templates is not None and path.parent == self.templates:
            return path.name in TEMPLATE_FILES
        if path in self.files:
            return True
        return any(path.is_relative_to(folder) for folder in self.folders)


def targets_for(paths: Iterable[Path], templates: Path | None, output: Path) -> Targets:
    folders: list[Path] = []
    files: set[Path] = set()
    for path in paths:
        path = path.absolute()
        if path.is_dir():
            folders.append(path)
        else:
            files.update((path, path.parent / CONFIG_NAME))
    return Targets(
        tuple(folders),
        frozenset(files),
        templates.absolute() if templates is not None else None,
        output.absolute(),
    )


def templates_folder(chosen: Path | None, working_folder: Path = Path(".")) -> Path | None:
    """The templates folder a build reads, if it is the user's (see `find_templates`)."""
    if chosen is not None:
        return chosen
    local = working_folder / "templates"
    return local if (local / "front.html").is_file() else None


def shown(paths: list[Path], limit: int = 3) -> str:
    names = []
    for path in paths[:limit]:
        try:
            names.append(str(path.relative_to(Path.cwd())))
        except ValueError:
            names.append(str(path))
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return ", ".join(names) + more


def watch(
    targets: Targets,
    rebuild: Callable[[list[Path]], None],
    out: TextIO = sys.stdout,
    debounce_ms: int = DEBOUNCE_MS,
) -> int:
    """Build once, then rebuild with the changed paths after each change that counts, until
    Ctrl-C. `rebuild` reports on its own and must not raise for a failed build."""
    import watchfiles

    class Counts(watchfiles.DefaultFilter):
        def __call__(self, change: watchfiles.Change, path: str) -> bool:
            return super().__call__(change, path) and targets.counts(Path(path))

    # The watcher reports nothing until it has run once (a timeout with no change): then it
    # is in place, and a change made from then on, during the first build included, is seen.
    changes_seen = watchfiles.watch(
        *targets.roots,
        watch_filter=Counts(),
        debounce=debounce_ms,
        step=QUIET_MS,
        rust_timeout=WAKE_MS,
        yield_on_timeout=True,
    )
    building = False
    try:
        next(changes_seen)
        building = True
        rebuild([])
        building = False
        print(f"Watching {shown(targets.roots)} for changes (Ctrl-C to stop)", file=out, flush=True)
        for changes in changes_seen:
            if not changes:
                continue
            changed = sorted({Path(path) for _, path in changes})
            building = True
            rebuild(changed)
            building = False
    except KeyboardInterrupt:
        if building:
            print("interrupted: the previous deck is untouched", file=sys.stderr, flush=True)
            return EXIT_INTERRUPTED
        print("stopped watching", file=out, flush=True)
        return EXIT_STOPPED
    return EXIT_STOPPED


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def watch_command(
    paths: list[Path],
    make_options: Callable[[], BuildOptions],
    output: Path,
    templates: Path | None,
    push: PushOptions | None,
    verbosity: int,
    debug: bool = False,
) -> int:
    """`--watch` as the command line runs it: one line per build on stdout, warnings on
    stderr, the push after each build when asked. `make_options` is called for each build, so
    that edited templates are read again."""
    for path in paths:
        if not path.exists():
            print(f"error: {path}: no such file or folder", file=sys.stderr)
            return EXIT_FAILED
    targets = targets_for(paths, templates_folder(templates), output)

    def rebuild(changed: list[Path]) -> None:
        what = f"rebuilt after {shown(changed)}" if changed else "built"
        try:
            result = build(paths, make_options())
        except BuildError as error:
            print_warnings(error.problems, error.paths)
            failed(what, str(error))
            return
        except (ConfigError, OSError) as error:
            failed(what, str(error))
            return
        except Exception as error:  # a bug: say so, and keep watching
            if debug:
                traceback.print_exc()
            failed(what, f"unexpected {type(error).__name__}: {error}")
            return
        if verbosity >= 2:
            print_build(result, verbosity)
        written = shown_path(str(result.output), {})
        line = f"{stamp()} {what}: {change_line(change_counts(result.changes))} -> {written}"
        if push is not None:
            line += f"; {short_push(run_push(result, push))}"
        print(line, flush=True)
        print_warnings(result.problems, result.paths)
        sys.stderr.flush()

    return watch(targets, rebuild)


def failed(what: str, message: str) -> None:
    print(f"{stamp()} {what}: failed: {message} (waiting for the next change)", flush=True)
    sys.stderr.flush()
