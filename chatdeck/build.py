"""The whole flow as one library call: paths in, deck out. The CLI is a thin layer over `build`."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from chatdeck.config import DEFAULT_TOP_DECK, DeckConfig, FileSettings, deck_for, read_config
from chatdeck.exports import is_export, read_export, select_conversations
from chatdeck.merge import merge_notes, question_key
from chatdeck.notes import Merge, Note, Problem
from chatdeck.package import (
    REMOVED_TAG,
    TEMP_PREFIX,
    CardNote,
    Templates,
    atomic_write,
    content_hash,
    forget_removed,
    guid_for_question,
    newly_removed,
    read_package_notes,
    read_state,
    remove_stale_temp_files,
    stamp,
    write_collection,
    write_package,
    write_state,
)
from chatdeck.parse import Parsed, parse_transcript
from chatdeck.read import (
    is_quietly_ignored,
    looks_like_text,
    read_transcript,
)
from chatdeck.render import UNSAFE_TEX, guard, render_field, render_markdown, render_text
from chatdeck.render_cache import CACHE_FOLDER, RenderCache, cache_key, content_key, file_key

STATE_NAME = ".build-state.json"
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


class BuildError(Exception):
    """A problem that stops the build (exit code 1); the message is one clear line."""


@dataclass
class Source:
    path: Path
    name: str  # relative to the folder it was found in: what reports and cards show
    root: Path


@dataclass
class BuildResult:
    top_deck: str
    files_read: int = 0
    parsed: list[Parsed] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    merged: list[Note] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    output: Path | None = None
    #: Notes whose question left the transcripts since the last build (re-emitted, tagged).
    removed: list[CardNote] = field(default_factory=list)
    #: Per source name: its lines (kept by `plan`, for --dry-run) and the folder it was found
    #: in (for images).
    lines: dict[str, list[str]] = field(default_factory=dict)
    roots: dict[str, Path] = field(default_factory=dict)
    preview: Path | None = None
    #: Chat-export conversations read: (source, conversation name, notes).
    conversations: list[tuple[str, str, int]] = field(default_factory=list)


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
        for candidate in sorted(path.rglob("*")):
            relative = candidate.relative_to(path)
            if any(is_quietly_ignored(Path(part)) for part in relative.parts) or candidate.is_dir():
                continue
            kind = BINARY_KINDS.get(candidate.suffix.lower())
            if kind:
                problems.append(
                    Problem(relative.as_posix(), None, f"skipped: {kind}, not a transcript")
                )
                continue
            sources.append(Source(candidate, relative.as_posix(), path))
    return sources, problems


@dataclass
class Selection:
    """Which conversations of a chat export become cards (--conversation, --since)."""

    conversation: str | None = None
    since: date | None = None


def read_export_notes(
    source: Source, result: BuildResult, selection: Selection, tags: list[str]
) -> list[Note]:
    """A ChatGPT/Claude export: one sub-deck per conversation, one note per user turn."""
    export = read_export(source.path, source.name)
    result.problems.extend(export.problems)
    result.files_read += 1
    notes = []
    chosen = select_conversations(export.conversations, selection.conversation, selection.since)
    for conversation in chosen:
        deck = f"{result.top_deck}::{conversation.name.replace('::', ':')}"
        result.conversations.append((source.name, conversation.name, len(conversation.notes)))
        for note in conversation.notes:
            result.problems.extend(unsafe_math_problems(note))
            note.deck, note.tags = deck, list(tags)
            note.conversation = conversation.name
            notes.append(note)
    if export.conversations and not chosen:
        result.problems.append(Problem(source.name, None, "no conversation matches the selection"))
    return notes


@dataclass
class FileNotes:
    """What one source yields: its notes, and what the parse cache needs to store it."""

    notes: list[Note]
    lines: list[str]
    title: str | None = None
    problems: list[Problem] = field(default_factory=list)
    cache_key: str | None = None  # set when these notes may be stored in the parse cache
    #: Fields rendered along with the parse, for the render cache: (key, HTML).
    rendered: list[tuple[str, str]] = field(default_factory=list)


#: Says whether the render cache holds a key already (only where the cache is at hand: in the
#: main process, not in workers).
KnownKey = Callable[[str], bool]
#: Parses one transcript's bytes: (source name, bytes, known key or None) -> FileNotes. In a
#: build it runs in worker processes, so that parsing and rendering use every core.
FileParser = Callable[[str, bytes, KnownKey | None], FileNotes]
PREVIEW_BATCH = 500  # notes whose HTML is read at once for preview.html
POOL_THRESHOLD = 8  # files; fewer are parsed and rendered here, without starting workers
RENDER_BATCH = 100  # chat-export notes a worker renders at a time
MAX_TASKS = 20  # files a worker handles before it is replaced (see `Workers`)


def read_sources(
    sources: Iterable[Source],
    result: BuildResult,
    configs: dict[Path, DeckConfig],
    parse: FileParser,
    selection: Selection | None = None,
    cache: RenderCache | None = None,
    workers: Workers | None = None,
    ahead: int = 0,
) -> Iterator[FileNotes]:
    """Read each source in turn and yield its notes, in source order, with deck, tags and build
    position; problems and counts go into `result`. With a cache, a file whose bytes were
    parsed before is not parsed again. With workers, `parse` runs in worker processes, up to
    `ahead` files ahead, while this process reads the next files and stores the results."""
    in_flight: deque[tuple[Source, list[str], FileSettings, object, str | None]] = deque()
    position = 0
    known = cache.has if cache is not None else None

    def finish(
        source: Source, tags: list[str], settings: FileSettings, work: object, key: str | None
    ) -> FileNotes:
        nonlocal position
        found = work.get() if isinstance(work, AsyncResult) else work
        assert isinstance(found, FileNotes)
        found.cache_key = key
        result.problems.extend(found.problems)
        deck = deck_for(result.top_deck, found.title, source.path.stem, settings)
        for note in found.notes:
            if note.conversation is None:  # chat-export notes have their decks already
                note.deck, note.tags = deck, tags  # one list for the file: nothing changes it
            note.position = position
            position += 1
        return found

    for source in sources:
        config = configs.get(source.root, DeckConfig())
        settings = (
            config.files.get(source.name) or config.files.get(source.path.name) or FileSettings()
        )
        tags = config.tags + [tag for tag in settings.tags if tag not in config.tags]
        result.roots[source.name] = source.root
        key = None
        try:
            with source.path.open("rb") as handle:
                head = handle.read(8192)
            export = is_export(source.path, head)
            data = b"" if export else source.path.read_bytes()
        except OSError as error:
            result.problems.append(Problem(source.name, None, f"cannot read: {error.strerror}"))
            continue
        if export:
            work: object = FileNotes(
                read_export_notes(source, result, selection or Selection(), tags), []
            )
        elif not looks_like_text(data):
            result.problems.append(
                Problem(source.name, None, "skipped: binary file, not a transcript")
            )
            continue
        else:
            result.files_read += 1
            key = file_key(source.name, data) if cache is not None else None
            stored = cache.get_file(key) if cache is not None and key else None
            if stored:
                work, key = from_json(stored, source.name), None
            elif workers is not None:
                work = workers.submit(parse, source.name, data, known)
            else:
                work = parse(source.name, data, known)
        in_flight.append((source, tags, settings, work, key))
        while len(in_flight) > ahead:
            yield finish(*in_flight.popleft())
    while in_flight:
        yield finish(*in_flight.popleft())


def parse_file(name: str, data: bytes, keep: list[Parsed] | None = None) -> FileNotes:
    """Bytes -> notes, the title and the file's problems (`keep` collects the parse itself,
    with the explanations --dry-run shows)."""
    transcript = read_transcript(Path(name), name, data)
    parsed = parse_transcript(transcript, explain=keep is not None)
    if keep is not None:
        keep.append(parsed)
    problems = list(parsed.problems)
    for note in parsed.notes:
        problems.extend(unsafe_math_problems(note, transcript.lines))
    if not parsed.notes:
        has_text = any(line.strip() for line in transcript.lines)
        message = "no question found" if has_text else "empty file"
        if has_text and parsed.title:
            message = "only a title, no question found"
        problems.append(Problem(name, None, message))
    return FileNotes(parsed.notes, transcript.lines, parsed.title, problems)


def unsafe_math_problems(note: Note, lines: list[str] | None = None) -> list[Problem]:
    """A warning for each TeX macro the renderer shows as text rather than let Anki's MathJax
    run it (see `chatdeck.render.guard`), on the first line of the note that holds it."""
    removed: dict[str, None] = {}
    for markdown in (note.question, note.answer):
        if "\\" in markdown and UNSAFE_TEX.search(markdown):  # else the renderer finds none
            removed.update(dict.fromkeys(render_field(markdown).removed_macros))
    problems = []
    for macro in removed:
        line = note.line
        if lines and note.first_line and note.last_line:
            span = range(note.first_line, note.last_line + 1)
            line = next((n for n in span if "\\" + macro in lines[n - 1]), line)
        problems.append(
            Problem(
                note.source,
                line,
                f"TeX macro \\{macro} shown as text: in a card it could link, restyle or "
                "load from the network",
            )
        )
    return problems


def parse_and_render(name: str, data: bytes, known: KnownKey | None = None) -> FileNotes:
    """A build's unit of work: parse a file and render its fields (those without images,
    which need this file's folder and so are left to the main process). Fields the cache
    already holds (`known`) are not rendered again: after an edit, that is all but the
    edited notes of the file."""
    found = parse_file(name, data)
    has_images = False
    for note in found.notes:
        if has_images_in(note):
            has_images = True
        else:
            found.rendered.extend(render_fields(note, known=known))
    if not has_images:
        found.lines = []  # only needed to place image warnings on their lines
    return found


def has_images_in(note: Note) -> bool:
    """Images are resolved from the note's source folder: in the main process only."""
    return "![" in note.question or "![" in note.answer


def render_fields(
    note: Note,
    resolve: Callable[[str], str | None] | None = None,
    known: KnownKey | None = None,
) -> list[tuple[str, str]]:
    """A note's fields that need storing, as (render-cache key, HTML): all three, less those
    `known` to the cache. Sets the note's field keys and GUID and drops its Markdown answer,
    which is no longer needed.

    Markdown is keyed by itself and the renderer's version; a field with images (whose HTML
    depends on the image files, found with `resolve`) and the Source line by their HTML."""
    keys, fields = [], []
    for markdown in (note.question, note.answer):
        if resolve is not None and "![" in markdown:
            html = render_markdown(markdown, resolve)
            keys.append(content_key(html))
            fields.append((keys[-1], html))
        else:
            keys.append(cache_key(markdown))
            if known is None or not known(keys[-1]):
                fields.append((keys[-1], render_markdown(markdown)))
    label = render_text(source_label(note))
    keys.append(content_key(label))
    fields.append((keys[-1], label))
    note.field_keys = keys
    note.guid = guid_for_question(question_key(note))
    note.answer = ""
    return fields


class Workers:
    """Worker processes for parsing and rendering, started when a second file needs parsing
    (a rebuild that re-parses one changed file does that here instead), or when a chat export
    has more than one batch of notes to render.

    Even with --jobs 1 a large build renders in a worker: cmark-gfm's Python binding never
    frees its syntax trees (about 10 bytes per byte of Markdown), so each worker is replaced
    after MAX_TASKS files and memory stays flat however large the build.
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool: Pool | None = None
        self.requests = 0

    def submit(
        self, parse: FileParser, name: str, data: bytes, known: KnownKey | None
    ) -> FileNotes | AsyncResult:
        self.requests += 1
        if self.pool is None and self.requests < 2:
            return parse(name, data, known)
        return self.start().apply_async(parse, (name, data, None))

    def render(self, notes: list[Note]) -> Iterator[tuple[list[Note], RenderedBatch]]:
        """Render notes (a chat export's) in batches, in order: the first batch here, which
        also warms up what the workers inherit, the others on the workers."""
        batches = [
            notes[start : start + RENDER_BATCH] for start in range(0, len(notes), RENDER_BATCH)
        ]
        if batches:
            yield batches[0], render_batch(batches[0])
        if len(batches) > 1:
            pool = self.start()
            pending = deque(
                (batch, pool.apply_async(render_batch, (batch,))) for batch in batches[1:]
            )
            while pending:  # each batch's HTML is let go of once it is in the cache
                batch, work = pending.popleft()
                yield batch, work.get()

    def start(self) -> Pool:
        if self.pool is None:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            context = multiprocessing.get_context(method)
            self.pool = context.Pool(self.jobs, maxtasksperchild=MAX_TASKS)
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()


#: What rendering a batch of notes gives back: each note's field keys and GUID, and the fields
#: to store in the render cache.
RenderedBatch = tuple[list[tuple[list[str], str]], list[tuple[str, str]]]


def render_batch(notes: list[Note]) -> RenderedBatch:
    """A worker's unit of work for chat exports (their notes come parsed, in one big file)."""
    rendered = [field for note in notes for field in render_fields(note)]
    return [(note.field_keys, note.guid) for note in notes], rendered


NOTE_FIELDS = (
    "line",
    "question",
    "rule",
    "confidence",
    "first_line",
    "last_line",
    "note_id",
    "field_keys",
    "guid",
)


def to_json(found: FileNotes) -> str:
    """A parsed file for the parse cache: its notes (without their Markdown answers, which
    are in the render cache by then), title and problems."""
    return json.dumps(
        {
            "title": found.title,
            "notes": [[getattr(note, name) for name in NOTE_FIELDS] for note in found.notes],
            "problems": [[problem.line, problem.message] for problem in found.problems],
        }
    )


def from_json(text: str, source: str) -> FileNotes:
    data = json.loads(text)
    notes = [
        Note(source, **dict(zip(NOTE_FIELDS, values, strict=True)), answer="")
        for values in data["notes"]
    ]
    for note in notes:  # one string for each rule name, not one per note
        note.rule, note.confidence = sys.intern(note.rule), sys.intern(note.confidence)
    problems = [Problem(source, line, message) for line, message in data["problems"]]
    return FileNotes(notes, [], data["title"], problems)


def start(
    paths: list[Path], deck_name: str | None
) -> tuple[list[Source], dict[Path, DeckConfig], BuildResult]:
    """Find the sources and their deck.toml; the result that the stages fill in."""
    sources, problems = collect_sources(paths)
    configs: dict[Path, DeckConfig] = {}
    for root in dict.fromkeys(source.root for source in sources):
        configs[root] = read_config(root)
    top = deck_name or next((c.deck for c in configs.values() if c.deck), None)
    result = BuildResult(top_deck=top or DEFAULT_TOP_DECK)
    result.problems.extend(problems)
    return sources, configs, result


def plan(
    paths: list[Path], deck_name: str | None = None, selection: Selection | None = None
) -> BuildResult:
    """Read, parse and merge, keeping every note's text: what --dry-run shows. Writes nothing."""
    sources, configs, result = start(paths, deck_name)

    def parse(name: str, data: bytes, known: KnownKey | None = None) -> FileNotes:
        found = parse_file(name, data, keep=result.parsed)
        result.lines[name] = found.lines  # for --dry-run to quote the lines it explains
        return found

    for found in read_sources(sources, result, configs, parse, selection):
        result.notes.extend(found.notes)
    result.merged, result.merges, merge_problems = merge_notes(result.notes)
    result.problems.extend(merge_problems)
    return result


class MediaCollector:
    """Resolves image references to media files named by their content hash."""

    def __init__(self, roots: dict[str, Path]):
        self.roots = roots
        self.media: dict[str, bytes] = {}
        self.problems: list[Problem] = []
        self.used: set[str] = set()  # images packed, relative to their source folder

    def resolver(self, note: Note, lines: list[str] | None):  # type: ignore[no-untyped-def]
        def resolve(src: str) -> str | None:
            line = note.line
            if lines and note.first_line and note.last_line:
                for number in range(note.first_line, note.last_line + 1):
                    if src in lines[number - 1]:
                        line = number
                        break
            if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE):
                self.problems.append(Problem(note.source, line, f"remote image not packed: {src}"))
                return None
            root = self.roots.get(note.source)
            if root is None:
                return None
            base = (root / note.source).parent
            target = (base / src).resolve()
            if not target.is_relative_to(root.resolve()):
                self.problems.append(
                    Problem(note.source, line, f"image outside the source folder ignored: {src}")
                )
                return None
            try:
                data = target.read_bytes()
            except OSError:
                self.problems.append(Problem(note.source, line, f"image not found: {src}"))
                return None
            name = hashlib.sha256(data).hexdigest()[:20] + target.suffix.lower()
            self.media[name] = data
            self.used.add(target.relative_to(root.resolve()).as_posix())
            return name

        return resolve


def fill_digests(notes: list[CardNote]) -> None:
    """What decides whether a note changed: its fields' cache keys (which hash their Markdown
    and the renderer's version, or their HTML) and its tags. No HTML needs reading for it;
    the price is that a new chatdeck version updates every note once."""
    for note in notes:
        note.digest = hashlib.sha256(
            "\0".join([*note.field_keys, *sorted(note.tags)]).encode()
        ).hexdigest()


def write_preview(
    output_dir: Path, title: str, notes: list[CardNote], cache: RenderCache, templates: Templates
) -> Path:
    """output/preview.html: every card as the reviewer shows it (see chatdeck.preview)."""
    from chatdeck.preview import preview_page

    cards = []
    for start in range(0, len(notes), PREVIEW_BATCH):
        batch = notes[start : start + PREVIEW_BATCH]
        html = cache.get_many([key for note in batch for key in note.field_keys])
        cards.extend([html[key] for key in note.field_keys] for note in batch)
    path = output_dir / "preview.html"
    page = preview_page(title, cards, templates).encode()
    atomic_write(path, lambda handle: handle.write(page))
    return path


def source_label(note: Note) -> str:
    """What the Source field shows: `file:line`, or `file: conversation` for chat exports."""
    if note.line:
        return f"{note.source}:{note.line}"
    return f"{note.source}: {note.conversation}" if note.conversation else note.source


def reemit_removed(
    card_notes: list[CardNote], state: dict, output_dir: Path, cache: RenderCache
) -> list[CardNote]:
    """Questions gone from the transcripts since the last build: Anki never deletes on import,
    so emit each one once more, unchanged but tagged REMOVED_TAG, for the user to find and
    delete in Anki. Their old fields come from the previous .apkg."""
    gone = newly_removed(state, {note.guid for note in card_notes})
    if not gone:
        return []
    previous = read_package_notes(output_dir / str(state.get("package", "")), gone)
    removed = []
    for guid in gone:
        if guid not in previous:
            continue
        deck, fields, tags = previous[guid]
        fields = [guard(html).html for html in fields]  # built by an older chatdeck, maybe
        keys = [content_key(html) for html in fields]
        cache.put_many(zip(keys, fields, strict=True))
        tags = [tag for tag in tags if tag != REMOVED_TAG] + [REMOVED_TAG]
        label = " ".join(re.sub(r"<[^>]+>", " ", fields[0]).split())
        digest = content_hash(fields, sorted(tags))
        note = CardNote(guid, deck, keys, tags, digest, removed=True, label=label)
        removed.append(note)
    forget_removed(state, [guid for guid in gone if guid not in previous])
    card_notes.extend(removed)
    return removed


def output_name(top_deck: str) -> str:
    """A file name for the deck; never `collection.apkg` or `backup-*`, which Anki treats as a
    whole-collection restore."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", top_deck.split("::")[0]).strip(" .") or "deck"
    if name.lower() == "collection" or name.lower().startswith("backup"):
        name = "deck-" + name
    return name + ".apkg"


def now() -> int:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch and epoch.isdigit() else int(time.time())


class IncompleteCache(Exception):
    """The render cache lacks the HTML of a field that a parsed file it holds refers to."""


def build(
    paths: list[Path],
    output_dir: Path,
    templates: Templates,
    deck_name: str | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    selection: Selection | None = None,
    preview: bool = False,
) -> BuildResult:
    """Read, parse, merge, render and package; write the deck and the state file atomically.

    `jobs` worker processes render (default: one per CPU); `use_cache=False` renders
    everything afresh. Either way the deck is byte-for-byte the same. A damaged cache only
    costs time: it is deleted and the build runs again without it.
    """
    arguments = (paths, output_dir, templates, deck_name, jobs)
    try:
        return build_once(*arguments, use_cache, selection, preview)
    except IncompleteCache:
        shutil.rmtree(output_dir / CACHE_FOLDER, ignore_errors=True)
        return build_once(*arguments, use_cache, selection, preview)


def build_once(
    paths: list[Path],
    output_dir: Path,
    templates: Templates,
    deck_name: str | None,
    jobs: int | None,
    use_cache: bool,
    selection: Selection | None,
    preview: bool,
) -> BuildResult:
    sources, configs, result = start(paths, deck_name)
    if output_dir.exists() and not output_dir.is_dir():
        raise BuildError(f"{output_dir}: output path is a file, not a folder")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BuildError(f"{output_dir}: cannot create output folder: {error.strerror}") from None
    remove_stale_temp_files(output_dir)

    cache = RenderCache(output_dir / CACHE_FOLDER if use_cache else None)
    collection = output_dir / f"{TEMP_PREFIX}collection.anki2"
    collector = MediaCollector(result.roots)
    jobs = jobs or os.cpu_count() or 1
    workers = Workers(jobs)  # starts processes only when there is work for them
    try:
        from tqdm import tqdm

        progress = tqdm(sources, unit="file", desc="Building", disable=None, leave=False, delay=2)
        files = read_sources(
            progress,
            result,
            configs,
            parse_and_render,
            selection,
            cache,
            workers if len(sources) >= POOL_THRESHOLD else None,
            ahead=4 * jobs,
        )
        for found in files:
            cache.put_many(found.rendered)
            unrendered = [note for note in found.notes if not note.field_keys]
            with_images = [note for note in unrendered if has_images_in(note)]
            plain = [note for note in unrendered if not has_images_in(note)]
            for note in with_images:  # their images are found from this process
                cache.put_many(render_fields(note, collector.resolver(note, found.lines)))
            for batch, (identities, rendered) in workers.render(plain):  # chat-export notes
                for note, (keys, guid) in zip(batch, identities, strict=True):
                    note.field_keys, note.guid, note.answer = keys, guid, ""
                cache.put_many(rendered)
            if found.cache_key and not unrendered:
                cache.put_file(found.cache_key, to_json(found))
            result.notes.extend(found.notes)
        progress.close()
        result.merged, result.merges, merge_problems = merge_notes(result.notes)
        result.problems.extend(merge_problems)
        if not result.merged:
            raise BuildError("no questions found in " + ", ".join(str(path) for path in paths))
        card_notes = [
            CardNote(
                note.guid or guid_for_question(question_key(note)),
                note.deck,
                note.field_keys,
                note.tags,
            )
            for note in result.merged
        ]
        fill_digests(card_notes)
        result.problems = [  # an image a transcript uses is not a stray file worth a warning
            problem
            for problem in result.problems
            if not (
                problem.source in collector.used and problem.message.startswith("skipped: an image")
            )
        ] + collector.problems

        state_path = output_dir / STATE_NAME
        state = read_state(state_path)
        result.removed = reemit_removed(card_notes, state, output_dir, cache)
        stamps = stamp(card_notes, templates, state, now())
        target = output_dir / output_name(result.top_deck)
        stamps.state["package"] = target.name
        write_collection(collection, card_notes, cache.connection, templates, stamps)
        write_package(target, collection, collector.media)
        write_state(state_path, stamps.state)
        if preview:
            result.preview = write_preview(
                output_dir, result.top_deck, card_notes, cache, templates
            )
    except sqlite3.IntegrityError:  # a field's HTML missing from the render cache
        if not use_cache:
            raise
        raise IncompleteCache from None
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise BuildError(f"{output_dir}: cannot write: {reason}") from None
    finally:
        workers.close()
        cache.close()
        collection.unlink(missing_ok=True)
    result.output = target
    return result
