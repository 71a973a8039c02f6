"""Placing notes: which deck each note goes to, its tags, and its place in build order. A pure
step between parsing and merging; every note comes out a new record (`placed`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from chatdeck.config import DEFAULT_TOP_DECK, LEVEL, FileSettings, clean_deck_name
from chatdeck.notes import CardNote, Note

Placeable = TypeVar("Placeable", Note, CardNote)

HASH_LIKE = re.compile(r"[0-9a-f]{8,}|^[\d_\-. ]+$", re.IGNORECASE)
#: A date with its time in a file name, as tools stamp their saves (`2026-03-14T23-42-07-000Z`,
#: `20250314_094512`, `2025-03-14-09-12-33`).
STAMP = re.compile(
    r"\d{4}[-_.]?\d{2}[-_.]?\d{2}"  # the date
    r"(?:[T_\- ]?\d{2}[-_:.]?\d{2}(?:[-_:.]?\d{2})?(?:[-_.]\d{1,6})?Z?)?",  # its time
    re.IGNORECASE,
)
#: Words that only say what kind of file a chat is: with a time stamp, a tool's own name for it.
FILE_KIND_WORDS = frozenset(
    "chat chats conversation conversations transcript transcripts export exported history "
    "session log logs thread messages dialog dialogue untitled new".split()
)
#: Of those, a subject too (`history-2024-05-01`: a class's notes): a kind only with another.
SUBJECT_WORDS = frozenset({"history"})


@dataclass(frozen=True, slots=True)
class Place:
    """Where a file's notes go: the deck, their tags, the file (its number in build order, and
    its path as the build found it)."""

    deck: str
    tags: tuple[str, ...]
    file_number: int
    origin: str

    def fields(self) -> tuple[str, str, tuple[str, ...], int]:
        """(origin, deck, tags, file number): what each note placed here is given."""
        return self.origin, self.deck, self.tags, self.file_number


def place(notes: Iterable[Placeable], where: Place, first: int = 0) -> list[Placeable]:
    """The notes of one file, in order, put where `where` says, numbered from `first`."""
    origin, deck, tags, file_number = where.fields()
    return [
        note.placed(origin, deck, tags, (file_number, first + number))
        for number, note in enumerate(notes)
    ]


def readable_name(stem: str) -> str | None:
    """A deck name from a file name, or None for names like `001_33aadecbbf787f62` and for a
    tool's stamped save that names no topic (`chat-2026-03-14T23-42-07-000Z`)."""
    if HASH_LIKE.search(stem):
        return None
    unstamped = STAMP.sub(" ", stem)
    words = [word.casefold() for word in re.split(r"[\W_]+", unstamped) if word]
    if (
        unstamped != stem
        and all(word in FILE_KIND_WORDS for word in words)
        and not (words and all(word in SUBJECT_WORDS for word in words))
    ):
        return None
    name = re.sub(r"[_\-]+", " ", stem).strip()
    return name or None


def one_level(title: str) -> str:
    """A title as one deck level: its `::` (or `:::`...) never starts a level of its own, and
    no colon is left at either end, where it would run into Anki's `::`."""
    return clean_deck_name(re.sub(r":{2,}", ":", title)).strip(": ")


def deck_for(top: str, title: str | None, stem: str, settings: FileSettings | None) -> str:
    """A file's deck under the top deck: from deck.toml, else its title line, else a readable
    file name, else the top deck itself."""
    top = clean_deck_name(top) or DEFAULT_TOP_DECK
    if settings and settings.deck:
        chosen = clean_deck_name(settings.deck)
        if chosen:
            return chosen if chosen.startswith(top + LEVEL) else f"{top}{LEVEL}{chosen}"
    sub = one_level(title or readable_name(stem) or "")
    return f"{top}{LEVEL}{sub}" if sub else top


def conversation_deck(top: str, conversation: str) -> str:
    """A chat export's conversation gets a sub-deck of its own under the top deck."""
    top = clean_deck_name(top) or DEFAULT_TOP_DECK
    sub = one_level(conversation)
    return f"{top}{LEVEL}{sub}" if sub else top


def tags_for(folder_tags: tuple[str, ...], file_tags: tuple[str, ...]) -> tuple[str, ...]:
    """The folder's tags (deck.toml `tags`), then the file's own that are not among them."""
    return folder_tags + tuple(tag for tag in file_tags if tag not in folder_tags)


#: The most bytes of a deck name the .apkg's file name takes (file systems allow 255).
FILE_NAME_BYTES = 200


def output_name(top_deck: str) -> str:
    """A file name for the deck; never `collection.apkg` or `backup-*`, which Anki treats as a
    whole-collection restore. Characters that are invisible or reorder text are left out (a
    right-to-left override would show `Invoice<U+202E>gpj.exe.apkg` as `Invoiceexe.jpg.apkg`),
    and a long name is cut to fit a file system's 255 bytes."""
    top = (clean_deck_name(top_deck) or DEFAULT_TOP_DECK).split(LEVEL)[0]
    name = re.sub(r'[\\/:*?"<>|]+', "-", top).strip(" .") or "deck"
    if len(name.encode()) > FILE_NAME_BYTES:
        name = name.encode()[:FILE_NAME_BYTES].decode(errors="ignore").rstrip(" .")
    if name.lower() == "collection" or name.lower().startswith("backup"):
        name = "deck-" + name
    return name + ".apkg"


def unique_deck_ids(names: Iterable[str], id_for: Callable[[str], int]) -> dict[str, int]:
    """Each deck's id, `id_for(name)`, unless a deck of another name had it first (names in
    sorted order, so that the ids depend on the set of names only): then the next free one.
    Ids hash names into 40 bits, so two of a build's names can share one (`Chat
    Transcripts::Topic 289067` and `...::Topic 600372` do): the package would then hold one
    deck for both and put all their cards in it. Anki matches decks by name on import
    (docs/anki.md#decks), so a moved id moves no card; every other deck keeps its id."""
    order = list(dict.fromkeys(names))
    ids: dict[str, int] = {}
    taken: set[int] = set()
    for name in sorted(order):
        deck_id = id_for(name)
        while deck_id in taken:
            deck_id += 1
        ids[name] = deck_id
        taken.add(deck_id)
    return {name: ids[name] for name in order}  # in the order the names came
