"""The whole flow as two library calls. `plan` reads, parses, places and merges (what --dry-run
shows, writing nothing); `build` also renders and packages:

    sources -> read each file -> parse -> place -> render -> merge -> package -> state

Each stage is a module of its own (see README, "How it works"); this one only runs them in
order, streaming: files are read, parsed and rendered one at a time (on worker processes when
there are several), and each file's HTML goes to the render cache as soon as it is made.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chatdeck.cards import unsafe_math_problems
from chatdeck.config import DEFAULT_TOP_DECK, DeckConfig, read_config
from chatdeck.decks import conversation_deck, deck_for, output_name, place, tags_for
from chatdeck.exports import Export, select_conversations
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
from chatdeck.parse import Parsed
from chatdeck.parse_cache import from_json, to_json
from chatdeck.preview import write_preview
from chatdeck.removed import removed_cards
from chatdeck.render_cache import CACHE_FOLDER, RenderCache, file_key
from chatdeck.sources import SKIPPED_IMAGE, BuildError, Source, collect_sources, open_source
from chatdeck.state import STATE_NAME, read_state, stamp, write_state
from chatdeck.templates import find_templates
from chatdeck.transcripts import FileNotes, RenderedFile, read_notes
from chatdeck.workers import Pending, Workers, result_of

__all__ = ["BuildError", "BuildResult", "PlanResult", "build", "plan"]


@dataclass(frozen=True, slots=True)
class ConversationRead:
    """A conversation of a chat export that became cards."""

    source: str
    name: str
    notes: int


@dataclass(frozen=True, slots=True)
class PlanResult:
    """What a dry run finds: every note with its Markdown, before and after merging."""

    top_deck: str
    files_read: int
    #: Each transcript's parse, with the explanations --dry-run shows, and its lines.
    parsed: tuple[Parsed, ...]
    lines: dict[str, tuple[str, ...]]
    notes: tuple[Note, ...]
    merged: tuple[Note, ...]
    merges: tuple[Merge, ...]
    conversations: tuple[ConversationRead, ...]
    problems: tuple[Problem, ...]


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
    preview: Path | None = None
    #: Worker processes the build started (0: it all ran in this process).
    workers: int = 0


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
    problems = list(export.problems)
    chosen = select_conversations(export.conversations, selection.conversation, selection.since)
    notes: list[Note] = []
    read = []
    for conversation in chosen:
        deck = conversation_deck(top, conversation.name)
        read.append(ConversationRead(item.source.name, conversation.name, len(conversation.notes)))
        for note in conversation.notes:
            problems.extend(unsafe_math_problems(note))
        notes.extend(place(conversation.notes, deck, item.tags, item.number, len(notes)))
    if export.conversations and not chosen:
        problems.append(Problem(item.source.name, None, "no conversation matches the selection"))
    return notes, read, problems


def plan(paths: list[Path], options: PlanOptions | None = None) -> PlanResult:
    """Read, parse, place and merge, keeping every note's text: what --dry-run shows."""
    options = options or PlanOptions()
    inputs, top, problems = start(paths, options.deck)
    parsed: list[Parsed] = []
    lines: dict[str, tuple[str, ...]] = {}
    notes: list[Note] = []
    conversations: list[ConversationRead] = []
    files_read = 0
    for item in inputs:
        opened = open_source(item.source, options.limits)
        if opened.problem:
            problems.append(opened.problem)
        elif opened.export is not None:
            files_read += 1
            found, read, export_problems = export_notes(item, opened.export, top, options.selection)
            notes.extend(found)
            conversations.extend(read)
            problems.extend(export_problems)
        elif opened.data is not None:
            files_read += 1
            file_notes: FileNotes = read_notes(item.source.name, opened.data, explain=True)
            assert file_notes.parsed is not None
            parsed.append(file_notes.parsed)
            lines[item.source.name] = file_notes.lines
            problems.extend(file_notes.problems)
            notes.extend(
                place(file_notes.notes, item.deck(top, file_notes.title), item.tags, item.number)
            )
    merged, merges, merge_problems = merge_notes(notes)
    return PlanResult(
        top_deck=top,
        files_read=files_read,
        parsed=tuple(parsed),
        lines=lines,
        notes=tuple(notes),
        merged=tuple(merged),
        merges=tuple(merges),
        conversations=tuple(conversations),
        problems=tuple(problems + merge_problems),
    )


@dataclass(frozen=True, slots=True)
class FileCards:
    """What one source came to in a build: its cards, placed, and what else it brought."""

    cards: tuple[CardNote, ...] = ()
    problems: tuple[Problem, ...] = ()
    media: FoundMedia = FoundMedia()
    conversations: tuple[ConversationRead, ...] = ()
    read: bool = False


class IncompleteCache(Exception):
    """The render cache lacks the HTML of a field that a parsed file it holds refers to."""


def build(paths: list[Path], options: BuildOptions | None = None) -> BuildResult:
    """Read, parse, render, merge and package; write the deck and its state atomically.

    Whatever the workers and the cache, the deck is byte-for-byte the same. A damaged cache
    only costs time: it is deleted and the build runs again without it."""
    options = options or BuildOptions()
    try:
        return _build(paths, options)
    except IncompleteCache:
        shutil.rmtree(options.output / CACHE_FOLDER, ignore_errors=True)
        return _build(paths, options)


def _build(paths: list[Path], options: BuildOptions) -> BuildResult:
    inputs, top, source_problems = start(paths, options.deck)
    output = prepare_output(options.output)
    templates = options.templates or find_templates()
    cache = RenderCache(output / CACHE_FOLDER if options.use_cache else None, options.cache_key)
    collection = output / f"{TEMP_PREFIX}collection.anki2"
    jobs = options.jobs or os.cpu_count() or 1
    workers = Workers(jobs, options.max_tasks_per_worker, len(inputs) >= options.pool_threshold)
    try:
        from tqdm import tqdm

        progress = tqdm(inputs, unit="file", desc="Building", disable=None, leave=False, delay=2)
        ahead = 4 * jobs if workers.for_files else 0
        files = list(read_cards(progress, top, options, cache, workers, ahead))
        progress.close()
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
            where = ", ".join(str(path) for path in paths)
            raise BuildError(f"no questions found in {where}", problems)

        state_path = output / STATE_NAME
        state = read_state(state_path)
        removed = removed_cards(state, cards, output)
        cache.put_many(removed.html)
        deck = [*cards, *removed.cards]
        target = output / output_name(top)
        stamps = stamp(deck, templates, state, options.clock(), target.name, removed.forgotten)
        write_collection(collection, deck, cache.connection, templates, stamps)
        media = {name: data for file in files for name, data in file.media.files.items()}
        write_package(target, collection, media)
        write_state(state_path, stamps.state)
        preview = None
        if options.preview:
            preview = write_preview(
                output / "preview.html", top, deck, cache, templates, options.preview_batch
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
        files_read=sum(file.read for file in files),
        found=sum(len(file.cards) for file in files),
        cards=tuple(cards),
        merges=tuple(merges),
        removed=removed.cards,
        conversations=tuple(c for file in files for c in file.conversations),
        problems=tuple(problems),
        output=target,
        preview=preview,
        workers=workers.started,
    )


def prepare_output(output: Path) -> Path:
    if output.exists() and not output.is_dir():
        raise BuildError(f"{output}: output path is a file, not a folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BuildError(f"{output}: cannot create output folder: {error.strerror}") from None
    remove_stale_temp_files(output)
    return output


def read_cards(
    inputs: Iterable[Input],
    top: str,
    options: BuildOptions,
    cache: RenderCache,
    workers: Workers,
    ahead: int,
) -> Iterator[FileCards]:
    """Each source's cards, in source order. A transcript whose bytes were parsed before comes
    from the parse cache; others are parsed and rendered by the workers, up to `ahead` files
    ahead of the one this process is storing."""
    in_flight: deque[tuple[Input, Pending, str | None]] = deque()
    for item in inputs:
        opened = open_source(item.source, options.limits)
        if opened.problem:
            yield FileCards(problems=(opened.problem,))
        elif opened.export is not None:
            yield export_cards(item, opened.export, top, options, cache, workers)
        elif opened.data is not None:
            key = file_key(item.source.name, opened.data) if options.use_cache else None
            stored = cache.get_file(key) if key else None
            if stored:
                pending: Pending = from_json(stored, item.source.name)
                key = None  # already stored
            else:
                pending = workers.render_file(
                    item.source.name, opened.data, item.source.root, cache.has
                )
            in_flight.append((item, pending, key))
        while len(in_flight) > ahead:
            yield store_file(*in_flight.popleft(), top, cache)
    while in_flight:
        yield store_file(*in_flight.popleft(), top, cache)


def store_file(
    item: Input, pending: Pending, key: str | None, top: str, cache: RenderCache
) -> FileCards:
    """A file's cards, once ready: their HTML into the render cache, the file into the parse
    cache (when it may be kept there), and the cards placed in the file's deck."""
    rendered: RenderedFile = result_of(pending)
    cache.put_many(rendered.html)
    if key and rendered.cacheable:
        cache.put_file(key, to_json(rendered))
    deck = item.deck(top, rendered.title)
    cards = place(rendered.cards, deck, item.tags, item.number)
    return FileCards(tuple(cards), rendered.problems, rendered.media, read=True)


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
    return FileCards(tuple(cards), tuple(problems), conversations=tuple(read), read=True)
