"""The whole flow as two library calls. `plan` reads, parses, places and merges (what --dry-run
shows, writing nothing); `build` also renders and packages:

    sources -> read each file -> parse -> place -> render -> merge -> package -> state

Each stage is a module of its own (see README, "How it works"); this one only runs them in
order, streaming: files are read, parsed and rendered one at a time (on worker processes when
there are several), and each file's HTML goes to the render cache as soon as it is made.
"""

from __future__ import annotations

import bisect
import gc
import os
import shutil
import sqlite3
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chatdeck.changes import Changes, compare
from chatdeck.config import DEFAULT_TOP_DECK, DeckConfig, read_config
from chatdeck.decks import Place, conversation_deck, deck_for, output_name, place, tags_for
from chatdeck.file_stamps import settled_stamp, source_stamp
from chatdeck.lock import output_lock
from chatdeck.media import FoundMedia
from chatdeck.merge import merge_notes
from chatdeck.notes import CardNote, Merge, Note, Problem
from chatdeck.options import BuildOptions, PlanOptions, Selection
from chatdeck.package import (
    TEMP_PREFIX,
    remove_stale_temp_files,
    write_collection,
    write_package,
)
from chatdeck.parse_cache import StoredFile, stored_file, to_json
from chatdeck.removed import REMOVED_TAG, Removed, removed_cards
from chatdeck.render_cache import (
    CACHE_FOLDER,
    ReadOnlyCache,
    RenderCache,
    file_key,
    parser_version,
    reader_version,
)
from chatdeck.sources import (
    SKIPPED_IMAGE,
    BuildError,
    Source,
    collect_sources,
    display_name,
    open_source,
)
from chatdeck.state import (
    deck_stamp,
    note_digests,
    read_state,
    same_deck,
    stamp,
    stamped_files,
    write_state,
)
from chatdeck.templates import find_templates
from chatdeck.transcripts import RenderedFile
from chatdeck.workers import Pending, PendingNotes, Workers, notes_of, result_of

if TYPE_CHECKING:  # what a build of transcripts found in the parse cache never imports
    from chatdeck.explain import FileExplanation
    from chatdeck.exports import Export

__all__ = ["BuildError", "BuildResult", "PlanResult", "build", "plan"]


@dataclass(frozen=True, slots=True)
class ConversationRead:
    """A conversation of a chat export that became cards."""

    source: str
    name: str
    notes: int
    #: The chat site, for a saved page.
    site: str | None = None


@dataclass(frozen=True, slots=True)
class PlanResult:
    """What a dry run finds: every note with its Markdown, before and after merging."""

    top_deck: str
    files_read: int
    #: What the dry run says about each transcript (not chat exports or pages), in file order.
    files: tuple[FileExplanation, ...]
    notes: tuple[Note, ...]
    merged: tuple[Note, ...]
    merges: tuple[Merge, ...]
    conversations: tuple[ConversationRead, ...]
    problems: tuple[Problem, ...]
    #: Each source's name (what reports and cards use) -> its path as the user gave it.
    paths: dict[str, str]


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build wrote: the deck's cards (merged, in order), what merged and what left."""

    top_deck: str
    files_read: int
    #: How many notes the files held before duplicates were merged.
    found: int
    cards: tuple[CardNote, ...]
    merges: tuple[Merge, ...]
    #: Notes whose question left the transcripts since the last build (emitted, tagged).
    removed: tuple[CardNote, ...]
    conversations: tuple[ConversationRead, ...]
    problems: tuple[Problem, ...]
    output: Path
    #: What importing the deck changes in Anki, note by note (removed notes included).
    changes: Changes
    #: Each source's name (what reports and cards use) -> its path as the user gave it.
    paths: dict[str, str]
    preview: Path | None = None
    #: Worker processes the build started (0: it all ran in this process).
    workers: int = 0
    #: Whether this build wrote the .apkg (a build with nothing to change keeps it as it is).
    written: bool = False


@dataclass(frozen=True, slots=True)
class Input:
    """A source file with what its folder's deck.toml says about it and its place in order."""

    source: Source
    number: int
    config: DeckConfig

    @property
    def tags(self) -> tuple[str, ...]:
        settings = self.config.settings_for(self.source.name, self.source.path.name)
        return tags_for(self.config.tags, settings.tags)

    def deck(self, top: str, title: str | None) -> str:
        settings = self.config.settings_for(self.source.name, self.source.path.name)
        return deck_for(top, title, self.source.path.stem, settings)

    def place(self, deck: str) -> Place:
        return Place(deck, self.tags, self.number, origin_of(self.source.path))


def shown_paths(inputs: list[Input]) -> dict[str, str]:
    """Each source's name -> its path as given, printable (see `sources.display_name`)."""
    return {item.source.name: display_name(str(item.source.path))[0] for item in inputs}


def origin_of(path: Path) -> str:
    """A file as the build state knows it: its absolute path."""
    return str(path.absolute())


def start(paths: list[Path], deck: str | None) -> tuple[list[Input], str, list[Problem]]:
    """The sources, each with its folder's deck.toml, and the top deck's name."""
    sources, problems = collect_sources(paths)
    configs = {root: read_config(root) for root in dict.fromkeys(s.root for s in sources)}
    problems += [problem for config in configs.values() for problem in config.problems]
    top = deck or next((config.deck for config in configs.values() if config.deck), None)
    inputs = [Input(source, number, configs[source.root]) for number, source in enumerate(sources)]
    return inputs, top or DEFAULT_TOP_DECK, problems


def export_notes(
    item: Input, export: Export, top: str, selection: Selection
) -> tuple[list[Note], list[ConversationRead], list[Problem]]:
    """A chat export's chosen conversations, one sub-deck each, one note per user turn."""
    from chatdeck.cards import unsafe_math_problems
    from chatdeck.exports import select_conversations

    problems = list(export.problems)
    chosen = select_conversations(export.conversations, selection.conversation, selection.since)
    notes: list[Note] = []
    read = []
    for conversation in chosen:
        deck = conversation_deck(top, conversation.name)
        read.append(
            ConversationRead(
                item.source.name, conversation.name, len(conversation.notes), conversation.site
            )
        )
        for note in conversation.notes:
            problems.extend(unsafe_math_problems(note))
        notes.extend(place(conversation.notes, item.place(deck), len(notes)))
    if export.conversations and not chosen:
        problems.append(Problem(item.source.name, None, "no conversation matches the selection"))
    return notes, read, problems


def plan(paths: list[Path], options: PlanOptions | None = None) -> PlanResult:
    """Read, parse, place and merge, keeping every note's text: what --dry-run shows."""
    from chatdeck.explain import explain_file

    options = options or PlanOptions()
    inputs, top, problems = start(paths, options.deck)
    files: list[FileExplanation] = []
    notes: list[Note] = []
    conversations: list[ConversationRead] = []
    files_read = 0
    jobs = options.jobs or os.cpu_count() or 1
    workers = Workers(jobs, options.max_tasks_per_worker, len(inputs) >= options.pool_threshold)
    # Parsed on the workers, up to `ahead` files ahead.
    ahead = 4 * jobs if workers.for_files else 0
    in_flight: deque[tuple[Input, PendingNotes]] = deque()

    def take(item: Input, pending: PendingNotes) -> None:
        file_notes = notes_of(pending)
        assert file_notes.parsed is not None
        files.append(explain_file(file_notes.parsed, file_notes.lines))
        problems.extend(file_notes.problems)
        deck = item.deck(top, file_notes.title)
        notes.extend(place(file_notes.notes, item.place(deck)))

    try:
        for item in inputs:
            opened = open_source(item.source, options.limits)
            if opened.data is not None:
                files_read += 1
                in_flight.append((item, workers.read_notes(item.source.name, opened.data)))
                while len(in_flight) > ahead:
                    take(*in_flight.popleft())
                continue
            while in_flight:  # what comes before this source is reported before it
                take(*in_flight.popleft())
            if opened.problem:
                problems.append(opened.problem)
            elif opened.export is not None:
                files_read += 1
                found, read, export_problems = export_notes(
                    item, opened.export, top, options.selection
                )
                notes.extend(found)
                conversations.extend(read)
                problems.extend(export_problems)
        while in_flight:
            take(*in_flight.popleft())
    finally:
        workers.close()
    merged, merges, merge_problems = merge_notes(notes)
    return PlanResult(
        top_deck=top,
        files_read=files_read,
        files=tuple(files),
        notes=tuple(notes),
        merged=tuple(merged),
        merges=tuple(merges),
        conversations=tuple(conversations),
        problems=tuple(problems + merge_problems),
        paths=shown_paths(inputs),
    )


@dataclass(frozen=True, slots=True)
class FileCards:
    """What one source came to in a build: its cards, placed, and what else it brought."""

    cards: tuple[CardNote, ...] = ()
    problems: tuple[Problem, ...] = ()
    media: FoundMedia = FoundMedia()
    conversations: tuple[ConversationRead, ...] = ()
    #: The file, as the build state knows it, when it was read (and its notes are all here).
    origin: str | None = None
    #: A transcript's key in the parse cache (whether or not the cache holds it): the state
    #: keeps it, for the build that finds one of these notes gone (see `chatdeck.removed`).
    parse_key: str | None = None
    #: The stamp of the bytes that key was made from, when the state may keep it.
    file_stamp: str | None = None


class IncompleteCache(Exception):
    """The render cache lacks the HTML of a field that a parsed file it holds refers to."""


def build(paths: list[Path], options: BuildOptions | None = None) -> BuildResult:
    """Read, parse, render, merge and package; write the deck and its state atomically.

    Whatever the workers and the cache, the deck is byte-for-byte the same. A damaged cache
    only costs time: it is deleted and the build runs again without it. One build at a time
    writes an output folder."""
    options = options or BuildOptions()
    with fewer_collections():
        if not options.write:
            return _build(paths, options)
        with output_lock(prepare_output(options.output)):
            try:
                return _build(paths, options)
            except IncompleteCache:
                shutil.rmtree(options.output / CACHE_FOLDER, ignore_errors=True)
                return _build(paths, options)


#: Container objects allocated between two runs of Python's cyclic garbage collector (Python's
#: own: 700), while a build runs.
COLLECT_EVERY = 10_000


#: Builds running in this process (threads), and the threshold the first of them found.
_collections_lock = threading.Lock()
_builds_running = 0
_threshold_before: tuple[int, ...] = ()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a build runs (its workers too, which
    inherit it): a build makes a few container objects per note, nearly none of them in a
    cycle, and every 700 of them the collector ran, every tenth time over the older objects
    too, which all the notes soon are. Builds in several threads at once share it: the first
    sets it, the last puts back what the first found."""
    global _builds_running, _threshold_before
    with _collections_lock:
        if not _builds_running:
            _threshold_before = gc.get_threshold()
            gc.set_threshold(COLLECT_EVERY, *_threshold_before[1:])
        _builds_running += 1
    try:
        yield
    finally:
        with _collections_lock:
            _builds_running -= 1
            if not _builds_running:
                gc.set_threshold(*_threshold_before)


def _build(paths: list[Path], options: BuildOptions) -> BuildResult:
    inputs, top, source_problems = start(paths, options.deck)
    output = options.output
    if options.write:
        remove_stale_temp_files(output)  # a killed build's: this build holds the folder's lock
    templates = options.templates or find_templates()
    if not options.write:
        cache: RenderCache = ReadOnlyCache(output / CACHE_FOLDER, options.cache_key)
    else:
        cache = RenderCache(output / CACHE_FOLDER if options.use_cache else None, options.cache_key)
    collection = output / f"{TEMP_PREFIX}collection.anki2"
    jobs = options.jobs or os.cpu_count() or 1
    target = output / output_name(top)
    state, state_problem = read_state(output, target.name)
    stamped = stamped_files(state) if options.use_cache else {}
    workers = Workers(
        jobs,
        options.max_tasks_per_worker,
        len(inputs) >= options.pool_threshold,
        # Files this build will render, as far as can be told before reading them: those the
        # state has no stamp of (a changed file has one, so a rebuild reckons low).
        files=sum(origin_of(item.source.path) not in stamped for item in inputs),
    )
    try:
        ahead = 4 * jobs if workers.for_files else 0
        with progress_bar(inputs) as shown:
            files = list(read_cards(shown, top, options, cache, workers, ahead, stamped))
        workers.close()  # before anything else is imported here: see `Workers`
        cards, merges, merge_problems = merge_notes([c for file in files for c in file.cards])
        used_images = {image for file in files for image in file.media.used}
        problems = [
            problem  # an image a transcript uses is not a stray file worth a warning
            for problem in [*source_problems, *(p for file in files for p in file.problems)]
            if not (problem.source in used_images and problem.message.startswith(SKIPPED_IMAGE))
        ]
        problems += merge_problems + [p for file in files for p in file.media.problems]
        problems += cache.report()  # what was wrong with the cache, and what was done
        if not cards:  # the warnings say why: they go with the error
            found_in = ", ".join(str(path) for path in paths)
            raise BuildError(f"no questions found in {found_in}", problems, shown_paths(inputs))

        problems += [state_problem] if state_problem else []
        read = {file.origin for file in files if file.origin is not None}
        removed = removed_cards(state, cards, read, output, cache)
        problems += many_removed(removed, target.name)
        cache.put_many(removed.html)
        deck = [*cards, *removed.cards]
        digests = note_digests(deck)
        changes = compare(deck, digests, state)
        preview = None
        written = False
        if options.write:
            now = options.clock()
            parse_keys = {f.origin: f.parse_key for f in files if f.origin and f.parse_key}
            file_stamps = {f.origin: f.file_stamp for f in files if f.origin and f.file_stamp}
            stamps = stamp(
                deck,
                digests,
                templates,
                state,
                now,
                top,
                target.name,
                removed.forgotten,
                parse_keys,
                file_stamps,
            )
            # Nothing changed, and the deck on disk is the one this build's state describes
            # (its stamp holds): the same notes, stamps and templates would write it byte for
            # byte again.
            on_disk = deck_stamp(target)
            if not same_deck(stamps.state, state) or on_disk != state.get("deck_stamp"):
                write_collection(collection, deck, cache.connection, templates, stamps)
                media = {name: data for file in files for name, data in file.media.files.items()}
                write_package(target, collection, media, jobs)
                written = True
                write_state(output, {**stamps.state, "deck_stamp": deck_stamp(target)})
            elif {**stamps.state, "deck_stamp": on_disk} != state:  # only files' stamps
                write_state(output, {**stamps.state, "deck_stamp": on_disk})
        if options.preview and options.write:
            from chatdeck.preview import write_preview  # only for --preview

            preview = write_preview(
                output / "preview.html",
                top,
                deck,
                cache,
                templates,
                options.preview_batch,
                guessed={card.guid for card in deck if card.guessed},
                status={change.card.guid: str(change.status) for change in changes.notes},
                warnings=warnings_by_note(deck, problems),
            )
    except sqlite3.IntegrityError:  # a field's HTML missing from the render cache
        if not options.use_cache:
            raise
        raise IncompleteCache from None
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise BuildError(f"{output}: cannot write: {reason}") from None
    finally:
        workers.close()
        cache.close()
        collection.unlink(missing_ok=True)
    return BuildResult(
        top_deck=top,
        files_read=sum(file.origin is not None for file in files),
        found=sum(len(file.cards) for file in files),
        cards=tuple(cards),
        merges=tuple(merges),
        removed=removed.cards,
        conversations=tuple(c for file in files for c in file.conversations),
        problems=tuple(problems),
        output=target,
        changes=changes,
        paths=shown_paths(inputs),
        preview=preview,
        workers=workers.started,
        written=written,
    )


def warnings_by_note(cards: list[CardNote], problems: list[Problem]) -> dict[str, list[str]]:
    """Each warning with a line, given to the note of its file that starts at or above it."""
    starts: dict[str, list[tuple[int, str]]] = {}
    for card in cards:
        if card.line is not None:
            starts.setdefault(card.source, []).append((card.line, card.guid))
    for lines in starts.values():
        lines.sort()
    found: dict[str, list[str]] = {}
    for problem in problems:
        lines = starts.get(problem.source, [])
        if problem.line is None or not lines:
            continue
        at = bisect.bisect_right(lines, (problem.line, "\uffff")) - 1
        if at >= 0:
            found.setdefault(lines[at][1], []).append(problem.message)
    return found


def many_removed(removed: Removed, package: str) -> list[Problem]:
    """A loud warning when a build marks more than half of a deck removed: most likely not what
    the user meant (a folder emptied or moved, the wrong files given)."""
    gone = len(removed.cards) + len(removed.forgotten)
    if not removed.known or gone * 2 <= removed.known:
        return []
    return [
        Problem(
            package,
            None,
            f"{gone} of the deck's {removed.known} notes are tagged {REMOVED_TAG}: the files "
            "they came from were read and no longer hold their questions, or are gone. If "
            "that is not what you meant, restore the files and build again before importing",
        )
    ]


def prepare_output(output: Path) -> Path:
    if output.exists() and not output.is_dir():
        raise BuildError(f"{output}: output path is a file, not a folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BuildError(f"{output}: cannot create output folder: {error.strerror}") from None
    return output


@contextmanager
def progress_bar(inputs: list[Input]) -> Iterator[Iterable[Input]]:
    """The inputs, shown as a progress bar on a terminal once a build takes two seconds. tqdm
    (and the `logging` it imports) is imported only for a terminal: start-up counts."""
    if not sys.stderr.isatty():
        yield inputs
        return
    from tqdm import tqdm

    bar = tqdm(inputs, unit="file", desc="Building", leave=False, delay=2)
    try:
        yield bar
    finally:
        bar.close()


def read_cards(
    inputs: Iterable[Input],
    top: str,
    options: BuildOptions,
    cache: RenderCache,
    workers: Workers,
    ahead: int,
    stamped: dict[str, tuple[str, str]],
) -> Iterator[FileCards]:
    """Each source's cards, in source order. A transcript whose stamp is the one `stamped`
    names (origin -> stamp, parse key) comes from the parse cache unread, one whose bytes were
    parsed before from the parse cache; others are parsed and rendered by the workers, up to
    `ahead` files ahead of the one this process is storing."""
    in_flight: deque[tuple[Input, Pending | StoredFile, str, bool, str | None]] = deque()
    parser = parser_version() + reader_version()  # (what decides how a file is read, too)
    for item in inputs:
        unread = unchanged_file(item, stamped, parser, options, cache)
        if unread is not None:
            in_flight.append(unread)
        else:
            read_at = time.time_ns()
            opened = open_source(item.source, options.limits)
            if opened.problem:
                yield FileCards(problems=(opened.problem,))
            elif opened.export is not None:
                yield export_cards(item, opened.export, top, options, cache, workers)
            elif opened.data is not None and opened.info is not None:
                name = item.source.name
                key = file_key(name, opened.data)  # the state keeps it, cache or not
                file_stamp = settled_stamp(opened.info, read_at, parser, name)
                stored = cache.get_file(key) if options.use_cache else None
                if stored:
                    pending: Pending | StoredFile = stored_file(stored, name)
                else:
                    pending = workers.render_file(
                        name, opened.data, item.source.root, cache.html_digest
                    )
                store = options.use_cache and not stored
                in_flight.append((item, pending, key, store, file_stamp))
        while len(in_flight) > ahead:
            yield store_file(*in_flight.popleft(), top, cache)
    while in_flight:
        yield store_file(*in_flight.popleft(), top, cache)


def unchanged_file(
    item: Input,
    stamped: dict[str, tuple[str, str]],
    parser: str,
    options: BuildOptions,
    cache: RenderCache,
) -> tuple[Input, StoredFile, str, bool, str] | None:
    """A transcript whose stamp is still the one the state keeps with its parse key, as the
    parse cache holds it, without reading the file; None if it must be read."""
    known = stamped.get(origin_of(item.source.path))
    if known is None:
        return None
    file_stamp, key = known
    try:
        info = os.stat(item.source.path)
    except OSError:
        return None  # reported as it is read
    if (
        not stat.S_ISREG(info.st_mode)
        or info.st_size > options.limits.transcript_bytes
        or source_stamp(info, parser, item.source.name) != file_stamp
    ):
        return None
    stored = cache.get_file(key)
    if not stored:
        return None
    return item, stored_file(stored, item.source.name), key, False, file_stamp


def store_file(
    item: Input,
    pending: Pending | StoredFile,
    key: str,
    store: bool,
    file_stamp: str | None,
    top: str,
    cache: RenderCache,
) -> FileCards:
    """A file's cards, once ready: their HTML into the render cache, the file into the parse
    cache (when `store`d and it may be kept there), and the cards placed in the file's deck."""
    origin = origin_of(item.source.path)
    if isinstance(pending, StoredFile):  # from the parse cache, as stored
        where = item.place(item.deck(top, pending.title))
        return FileCards(
            pending.cards(where),
            pending.problems,
            origin=origin,
            parse_key=key,
            file_stamp=file_stamp,
        )
    rendered: RenderedFile = result_of(pending)
    cache.put_many(rendered.html)
    if store and rendered.cacheable:
        cache.put_file(key, to_json(rendered))
    cards = place(rendered.cards, item.place(item.deck(top, rendered.title)))
    return FileCards(
        tuple(cards),
        rendered.problems,
        rendered.media,
        origin=origin,
        parse_key=key if rendered.cacheable else None,
        file_stamp=file_stamp if rendered.cacheable else None,
    )


def export_cards(
    item: Input,
    export: Export,
    top: str,
    options: BuildOptions,
    cache: RenderCache,
    workers: Workers,
) -> FileCards:
    """A chat export's cards: its notes rendered in batches on the workers."""
    notes, read, problems = export_notes(item, export, top, options.selection)
    cards = []
    for batch in workers.render_notes(notes, options.render_batch):
        for rendered in batch:
            cache.put_many(rendered.html)
            cards.append(rendered.card)
            problems.extend(rendered.problems)
    return FileCards(
        tuple(cards),
        tuple(problems),
        conversations=tuple(read),
        origin=origin_of(item.source.path),
    )
