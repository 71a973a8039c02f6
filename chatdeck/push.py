"""`--push`: put a build into a running Anki through AnkiConnect, sending only what Anki lacks.

After a build, for the deck it wrote:

1. import, with AnkiConnect's `importPackage` (Anki's own File > Import), a package of the
   notes Anki lacks: new ones, updated ones, removed ones (tagged `chatdeck::removed`). Its rows
   are the deck's own (`chatdeck.partial`), so a pushed note and an imported note are the same
   note, under the same update rules, and review history is kept;
2. move the cards of notes whose deck changed, when they are still in the deck chatdeck last
   put them in (a card the user moved stays where it is);
3. suspend the cards of notes that left the transcripts, and unsuspend those chatdeck suspended
   when their question comes back; nothing is deleted unless asked (`delete_removed`), after
   listing what would go;
4. optionally ask Anki to sync with AnkiWeb.

What Anki lacks is worked out from a push state beside the deck's build state
(`.<Deck>.push-state.json`), one per Anki profile: for every note, the mod time Anki accepted
from chatdeck, the deck chatdeck last put its cards in, its note id in Anki and whether
chatdeck suspended it. Each step is recorded as soon as Anki confirms it, and the file is
written even when a push fails, so a push that stops half-way (Anki closed) is safe to repeat:
the next one sends what did not arrive, whatever the builds in between said. AnkiConnect cannot
find a note by GUID, so a note's id is learned once (`Pusher.learn`: the id the package gave
it, checked, else a search by its Question field) and kept.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatdeck.anki_connect import (
    LONG_TIMEOUT,
    Action,
    AnkiConnect,
    AnkiConnectError,
    Failure,
    deck_search,
    ids_search,
    search_text,
)
from chatdeck.build import BuildResult
from chatdeck.notes import CardNote
from chatdeck.package import FIELDS, NOTE_TYPE_ID, TEMP_PREFIX, atomic_write
from chatdeck.partial import Row, UnpackedDeck
from chatdeck.removed import REMOVED_TAG
from chatdeck.state import old_notes, read_state

PUSH_STATE_VERSION = 1
#: Notes whose id is still unknown after the cheap checks: up to this many are looked up one
#: search each (a search reads every chatdeck note's question); more, in one read of them all.
SEARCH_LIMIT = 20
#: Ids per search or action: keeps each request well under any size limit.
BATCH = 500
NOTE_TYPE_SEARCH = f"mid:{NOTE_TYPE_ID}"


class PushError(Exception):
    """A push that could not finish: one line saying why, and what kind of failure it was."""

    def __init__(self, message: str, failure: Failure | None = None) -> None:
        super().__init__(message)
        self.failure = failure


@dataclass(frozen=True, slots=True)
class PushOptions:
    url: str
    key: str | None = None
    sync: bool = False
    delete_removed: bool = False
    #: Asked before deleting, with one line per note; None: delete without asking (--yes).
    confirm: Callable[[list[str]], bool] | None = None


@dataclass(slots=True)
class Pushed:
    """What Anki holds of a note, as far as chatdeck made it so."""

    mod: int
    deck: str
    nid: int | None = None
    suspended: bool = False
    removed: bool = False

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"mod": self.mod, "deck": self.deck}
        if self.nid is not None:
            entry["nid"] = self.nid
        if self.suspended:
            entry["suspended"] = True
        if self.removed:
            entry["removed"] = True
        return entry


@dataclass(slots=True)
class PushState:
    note_type: int = 0
    notes: dict[str, Pushed] = field(default_factory=dict)

    def forget_missing(self, present: set[int]) -> bool:
        """Drop the note ids Anki no longer has (the user deleted those notes). When it has
        none of them, it is another collection (another profile, or a fresh one): forget
        everything, so the whole deck is sent. Says whether it did that."""
        known = [entry for entry in self.notes.values() if entry.nid is not None]
        if known and not any(entry.nid in present for entry in known):
            self.notes.clear()
            self.note_type = 0
            return True
        for entry in known:
            if entry.nid not in present:
                entry.nid = None
        return False


def push_state_path(output: Path, package: str) -> Path:
    return output / f".{Path(package).stem}.push-state.json"


def read_push_states(output: Path, package: str) -> dict[str, PushState]:
    """The push state of the deck for each Anki profile it was pushed to."""
    try:
        data = json.loads(push_state_path(output, package).read_text(encoding="utf-8"))
        if data.get("version") != PUSH_STATE_VERSION:
            return {}
        return {
            profile: PushState(
                int(state.get("note_type", 0)),
                {
                    guid: Pushed(
                        int(entry["mod"]),
                        str(entry["deck"]),
                        int(entry["nid"]) if entry.get("nid") is not None else None,
                        bool(entry.get("suspended", False)),
                        bool(entry.get("removed", False)),
                    )
                    for guid, entry in state["notes"].items()
                },
            )
            for profile, state in data["profiles"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # missing or damaged: the next push sends the whole deck


def read_push_state(output: Path, package: str, profile: str = "") -> PushState:
    return read_push_states(output, package).get(profile, PushState())


def write_push_states(output: Path, package: str, states: dict[str, PushState]) -> None:
    data = {
        "version": PUSH_STATE_VERSION,
        "package": package,
        "profiles": {
            profile: {
                "note_type": state.note_type,
                "notes": {guid: entry.to_json() for guid, entry in state.notes.items()},
            }
            for profile, state in states.items()
        },
    }
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    atomic_write(push_state_path(output, package), lambda handle: handle.write(encoded.encode()))


def active_profile(client: AnkiConnect) -> str:
    """The Anki profile AnkiConnect acts on: each profile is a collection of its own. An
    add-on too old to say gives "" (one push state for all)."""
    try:
        profile = client.invoke("getActiveProfile")
    except AnkiConnectError as error:
        if error.failure is Failure.TOO_OLD:
            return ""
        raise
    return profile if isinstance(profile, str) else ""


@dataclass(slots=True)
class PushReport:
    """What a push did in Anki, note by note counts."""

    url: str
    #: Notes Anki did not have, notes it had in an older version, notes of the deck it already
    #: had as built (sent or not).
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Sent, but Anki keeps its own version: the note was edited in Anki after chatdeck's.
    kept: int = 0
    #: Notes whose cards moved to their new deck; whose cards the user had moved elsewhere.
    moved: int = 0
    left: int = 0
    suspended: int = 0
    unsuspended: int = 0
    deleted: int = 0
    #: Notes chatdeck looked for in Anki and did not find (deleted there, or their question
    #: edited there).
    missing: int = 0
    #: The package sent: its notes and size in bytes (0 when nothing had to be sent).
    sent: int = 0
    size: int = 0
    note_type: bool = False
    synced: bool = False
    #: The collection held none of the notes pushed before: the whole deck was sent.
    other_collection: bool = False
    #: Removed notes that would be deleted, and whether they were (delete_removed).
    to_delete: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "anki": self.url,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "moved": self.moved,
            "suspended": self.suspended,
            "unsuspended": self.unsuspended,
            "deleted": self.deleted,
            "kept": self.kept,
            "left": self.left,
            "missing": self.missing,
            "sent": self.sent,
            "bytes": self.size,
            "note_type": self.note_type,
            "synced": self.synced,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class Wanted:
    """A note of the deck as the build wrote it."""

    card: CardNote
    mod: int
    #: The deck the previous build put it in, when it changed.
    moved_from: str | None


def push(
    result: BuildResult, options: PushOptions, client: AnkiConnect | None = None
) -> PushReport:
    """Put the deck `result` wrote into the running Anki. Raises PushError (the deck on disk
    stays as written)."""
    client = client or AnkiConnect(options.url, options.key)
    started = time.perf_counter()
    output, package = result.output.parent, result.output.name
    try:
        client.check()
        profile = active_profile(client)
        states = read_push_states(output, package)
        state = states.setdefault(profile, PushState())
        try:
            report = Pusher(result, options, client, state).run()
        finally:  # what Anki confirmed is recorded, whatever happened next
            write_push_states(output, package, states)
    except AnkiConnectError as error:
        raise PushError(str(error), error.failure) from None
    except OSError as error:
        raise PushError(f"cannot write the package for Anki: {error.strerror or error}") from None
    report.seconds = time.perf_counter() - started
    return report


class Lazy:
    """The unpacked deck, made on first use."""

    def __init__(self, make: Callable[[], UnpackedDeck]) -> None:
        self.make = make
        self.made: UnpackedDeck | None = None

    def get(self) -> UnpackedDeck:
        if self.made is None:
            self.made = self.make()
        return self.made


class Pusher:
    """One push: `run()` does the steps in order, recording each in `state` once Anki
    confirms it."""

    def __init__(
        self,
        result: BuildResult,
        options: PushOptions,
        client: AnkiConnect,
        state: PushState,
    ) -> None:
        self.result = result
        self.options = options
        self.client = client
        self.state = state
        self.report = PushReport(options.url)
        built, _ = read_state(result.output.parent, result.output.name)  # the build said it
        self.built = old_notes(built)
        note_type = built.get("note_type")
        self.type_mod = int(note_type["mod"]) if isinstance(note_type, dict) else 0
        self.deck: dict[str, Wanted] = {
            change.card.guid: Wanted(
                change.card, int(self.built[change.card.guid]["mod"]), change.moved_from
            )
            for change in result.changes.notes
            if change.card.guid in self.built
        }

    def run(self) -> PushReport:
        present = set(self.client.invoke("findNotes", query=NOTE_TYPE_SEARCH))
        self.report.other_collection = self.state.forget_missing(present)
        send = [
            guid
            for guid, wanted in self.deck.items()
            if guid not in self.state.notes or self.state.notes[guid].mod != wanted.mod
        ]
        carrier = not send and self.state.note_type != self.type_mod and bool(self.deck)
        if carrier:  # Anki takes a note type only along with a note that uses it: one it has
            held = [
                guid
                for guid, entry in self.state.notes.items()
                if guid in self.deck and entry.nid is not None and entry.mod == self.deck[guid].mod
            ]
            send = [held[0] if held else next(iter(self.deck))]
        with ExitStack() as stack:
            # The deck's package is unpacked only when some of its notes are needed.
            unpacked = Lazy(lambda: stack.enter_context(UnpackedDeck(self.result.output)))
            if send:
                self.send(send, present, unpacked, carrier)
            self.report.unchanged += len(self.deck) - len(send)
            self.learn(self.needing_ids(), unpacked)
            self.move()
        self.suspend_removed()
        self.unsuspend_restored()
        if self.options.delete_removed:
            self.delete_removed()
        if self.options.sync:
            self.client.invoke("sync", timeout=LONG_TIMEOUT)
            self.report.synced = True
        return self.report

    def send(self, send: list[str], present: set[int], unpacked: Lazy, carrier: bool) -> None:
        """Import the notes in `send`, record them, learn their ids and say what Anki did."""
        known = {
            guid: nid
            for guid in send
            if guid in self.state.notes and (nid := self.state.notes[guid].nid) is not None
        }
        before: dict[int, int] = {}
        if not self.state.notes and present:
            # A first push into a collection that has chatdeck notes (the deck was imported by
            # hand, or the push state was lost): find them first, to tell what the push changes.
            found, before = self.find_ids(send, unpacked, set())
            known.update(found)
        unread = [nid for nid in known.values() if nid not in before]
        before.update((int(info["noteId"]), int(info["mod"])) for info in self.notes_info(unread))
        target = self.result.output.parent / f"{TEMP_PREFIX}push-{os.getpid()}.apkg"
        try:
            partial = unpacked.get().write_partial(send, target)
            try:
                self.client.invoke(
                    "importPackage", timeout=LONG_TIMEOUT, path=self.path_for(target)
                )
            except AnkiConnectError as error:
                if error.failure is Failure.REFUSED:
                    raise AnkiConnectError(
                        f"Anki could not import {self.path_for(target)} ({error}): AnkiConnect "
                        "imports a file by its path, so Anki must run on this machine and be "
                        "able to read the output folder",
                        Failure.REFUSED,
                        "importPackage",
                    ) from None
                raise
        finally:
            target.unlink(missing_ok=True)
        self.report.sent, self.report.size = partial.notes, partial.size
        if self.state.note_type != self.type_mod:
            self.report.note_type = True
        self.state.note_type = self.type_mod
        for guid in send:
            wanted = self.deck[guid]
            entry = self.state.notes.get(guid)
            if entry is None:
                deck = wanted.moved_from or wanted.card.deck
                self.state.notes[guid] = Pushed(
                    wanted.mod, deck, known.get(guid), removed=wanted.card.removed
                )
            else:
                entry.mod, entry.removed = wanted.mod, wanted.card.removed
        after = self.learn(send, unpacked)
        for guid in send:
            nid = self.state.notes[guid].nid
            mod = self.deck[guid].mod
            if carrier:
                self.report.unchanged += 1
            elif nid is None:
                self.report.missing += 1
            elif nid not in present:
                self.report.new += 1
            elif nid in before:
                if before[nid] > mod:
                    self.report.kept += 1
                elif before[nid] == mod:
                    self.report.unchanged += 1
                else:
                    self.report.updated += 1
            elif after.get(nid, mod) > mod:
                self.report.kept += 1
            else:
                self.report.updated += 1

    def path_for(self, package: Path) -> str:
        """The package as Anki is told of it: an absolute path (the add-on would resolve a
        relative one against Anki's own working folder)."""
        return str(package.resolve())

    def needing_ids(self) -> list[str]:
        """Notes of the deck that the steps after the import act on."""
        return [
            guid
            for guid, wanted in self.deck.items()
            if (entry := self.state.notes.get(guid)) is not None
            and (
                entry.deck != wanted.card.deck
                or (wanted.card.removed and not entry.suspended)
                or (not wanted.card.removed and entry.suspended)
            )
        ]

    def learn(self, guids: Iterable[str], unpacked: Lazy) -> dict[int, int]:
        """Find and record the Anki note id of each note in `guids` that has an entry without
        one. Returns the mod times Anki gave for the notes it read."""
        unknown = [
            guid
            for guid in guids
            if guid in self.state.notes and self.state.notes[guid].nid is None
        ]
        taken = {entry.nid for entry in self.state.notes.values() if entry.nid is not None}
        found, mods = self.find_ids(unknown, unpacked, taken)
        for guid, nid in found.items():
            self.state.notes[guid].nid = nid
        return mods

    def find_ids(
        self, guids: list[str], unpacked: Lazy, taken: set[int]
    ) -> tuple[dict[str, int], dict[int, int]]:
        """The Anki note ids of the notes `guids` (not already `taken` by others): first the id
        the package gives the note, checked (a new note keeps it when it is free), else the
        note with the same Question field. Returns the ids found and, for the notes whose
        fields were read, their mod times in Anki."""
        if not guids:
            return {}, {}
        rows = unpacked.get().rows(guids)
        found: dict[str, int] = {}
        guesses = [guid for guid in guids if guid in rows and rows[guid].note_id not in taken]
        hits_per_guess = self.client.multi(
            [
                Action(
                    "findNotes",
                    {
                        "query": f"nid:{rows[guid].note_id} {NOTE_TYPE_SEARCH} "
                        f"{question_search(rows[guid])}"
                    },
                )
                for guid in guesses
            ]
        )
        for guid, hits in zip(guesses, hits_per_guess, strict=True):
            if hits == [rows[guid].note_id]:
                found[guid] = rows[guid].note_id
        rest = [guid for guid in guids if guid in rows and guid not in found]
        mods: dict[int, int] = {}
        if not rest:
            return found, mods
        if len(rest) <= SEARCH_LIMIT:
            hits_per_note = self.client.multi(
                [
                    Action("findNotes", {"query": f"{NOTE_TYPE_SEARCH} {question_search(rows[g])}"})
                    for g in rest
                ]
            )
            candidates = sorted({int(nid) for hits in hits_per_note for nid in hits})
            infos = self.notes_info(candidates)
        else:
            infos = self.client.invoke("notesInfo", timeout=LONG_TIMEOUT, query=NOTE_TYPE_SEARCH)
        by_question: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for info in infos:
            if info:
                by_question[field_value(info, FIELDS[0])].append(info)
        taken = taken | set(found.values())
        for guid in rest:
            row = rows[guid]
            matches = [
                info
                for info in by_question.get(normal(row.fields[0]), [])
                if int(info["noteId"]) not in taken
            ]
            if len(matches) > 1:  # the same question twice: the one with the same fields
                matches = [
                    info
                    for info in matches
                    if all(
                        field_value(info, name) == normal(value)
                        for name, value in zip(FIELDS, row.fields, strict=False)
                    )
                ]
            if len(matches) == 1:
                nid = int(matches[0]["noteId"])
                found[guid] = nid
                taken.add(nid)
                mods[nid] = int(matches[0]["mod"])
        return found, mods

    def notes_info(self, nids: Sequence[int]) -> list[dict[str, Any]]:
        infos: list[dict[str, Any]] = []
        for start in range(0, len(nids), BATCH):
            batch = list(nids[start : start + BATCH])
            infos.extend(info for info in self.client.invoke("notesInfo", notes=batch) if info)
        return infos

    def find_cards(self, query: str) -> list[int]:
        return [int(card) for card in self.client.invoke("findCards", query=query)]

    def batches(self, guids: Sequence[str]) -> Iterable[list[tuple[str, int]]]:
        """(guid, note id) of the notes whose id is known, a batch at a time; the others count
        as missing."""
        known = []
        for guid in guids:
            nid = self.state.notes[guid].nid
            if nid is None:
                self.report.missing += 1
            else:
                known.append((guid, nid))
        for start in range(0, len(known), BATCH):
            yield known[start : start + BATCH]

    def move(self) -> None:
        """Cards of notes whose deck changed go to the new deck, if they are still in the deck
        chatdeck last put them in."""
        moves: dict[tuple[str, str], list[str]] = defaultdict(list)
        for guid, wanted in self.deck.items():
            entry = self.state.notes.get(guid)
            if entry is not None and not wanted.card.removed and entry.deck != wanted.card.deck:
                moves[(entry.deck, wanted.card.deck)].append(guid)
        for (old, new), guids in moves.items():
            for batch in self.batches(guids):
                nids = ids_search("nid", [nid for _, nid in batch])
                there = [
                    int(n)
                    for n in self.client.invoke("findNotes", query=f"{nids} {deck_search(old)}")
                ]
                if there:
                    cards = self.find_cards(f"{ids_search('nid', there)} {deck_search(old)}")
                    self.client.invoke("changeDeck", cards=cards, deck=new)
                self.report.moved += len(there)
                self.report.left += len(batch) - len(there)
            for guid in guids:
                self.state.notes[guid].deck = new

    def suspend_removed(self) -> None:
        """Suspend the cards of notes that left the transcripts: those this build removed
        (their tagged version was just imported) and those an earlier build removed whose
        push did not happen (they get the tag here)."""
        removed = [
            guid
            for guid, entry in self.state.notes.items()
            if self.removed_now(guid) and entry.removed and not entry.suspended
        ]
        late = [
            guid
            for guid, entry in self.state.notes.items()
            if guid not in self.deck and self.removed_now(guid) and not entry.removed
        ]
        for batch in self.batches(late):
            self.client.invoke("addTags", notes=[nid for _, nid in batch], tags=REMOVED_TAG)
            for guid, _ in batch:
                entry = self.state.notes[guid]
                entry.removed, entry.mod = True, int(self.built[guid]["mod"])
            removed.extend(guid for guid, _ in batch)
        for guid in late:
            self.state.notes[guid].removed = True  # not found in Anki: nothing more to do
        self.set_suspended(removed, True)

    def unsuspend_restored(self) -> None:
        """Unsuspend the cards chatdeck suspended, of notes whose question came back."""
        restored = [
            guid
            for guid, wanted in self.deck.items()
            if not wanted.card.removed
            and (entry := self.state.notes.get(guid)) is not None
            and entry.suspended
        ]
        self.set_suspended(restored, False)

    def set_suspended(self, guids: list[str], suspended: bool) -> None:
        """Suspend (or unsuspend) the cards of these notes that are not so already, a batch at
        a time, each note's entry recorded as its batch is done; notes not found in Anki are
        recorded too (nothing more to do)."""
        action, search = (
            ("suspend", "-is:suspended") if suspended else ("unsuspend", "is:suspended")
        )
        for batch in self.batches(guids):
            cards = self.find_cards(f"{ids_search('nid', [nid for _, nid in batch])} {search}")
            if cards:
                self.client.invoke(action, cards=cards)
            for guid, _ in batch:
                self.state.notes[guid].suspended = suspended
            if suspended:
                self.report.suspended += len(batch)
            else:
                self.report.unsuspended += len(batch)
        for guid in guids:
            self.state.notes[guid].suspended = suspended

    def delete_removed(self) -> None:
        """Delete from Anki the notes of this deck that left the transcripts and still carry
        the removed tag, after listing them and asking (unless told not to ask)."""
        removed = [
            (guid, entry.nid)
            for guid, entry in self.state.notes.items()
            if entry.removed and entry.nid is not None and guid not in self.live
        ]
        if not removed:
            return
        nids = [nid for _, nid in removed if nid is not None]
        tagged: set[int] = set()
        for start in range(0, len(nids), BATCH):
            query = f"{ids_search('nid', nids[start : start + BATCH])} tag:{REMOVED_TAG}"
            tagged.update(int(nid) for nid in self.client.invoke("findNotes", query=query))
        infos = self.notes_info(sorted(tagged))
        if not infos:
            return
        lines = [
            f"  delete: {shown_question(field_value(info, FIELDS[0]))} "
            f"({len(info.get('cards', []))} card(s))"
            for info in infos
        ]
        self.report.to_delete = lines
        confirm = self.options.confirm
        if confirm is not None and not confirm(lines):
            return
        doomed = [int(info["noteId"]) for info in infos]
        self.client.invoke("deleteNotes", notes=doomed)
        gone = set(doomed)
        for guid, nid in removed:
            if nid in gone:
                del self.state.notes[guid]
        self.report.deleted = len(doomed)

    def removed_now(self, guid: str) -> bool:
        """The note left the transcripts: this build says so, or, for a note this build did not
        write, the deck's build state does."""
        if guid in self.deck:
            return self.deck[guid].card.removed
        entry = self.built.get(guid)
        return isinstance(entry, dict) and bool(entry.get("removed"))

    @property
    def live(self) -> set[str]:
        return {guid for guid, wanted in self.deck.items() if not wanted.card.removed}


def normal(text: str) -> str:
    """A field as Anki stores it: Anki normalizes imported text to NFC."""
    return unicodedata.normalize("NFC", text)


def field_value(info: dict[str, Any], name: str) -> str:
    value = info.get("fields", {}).get(name, {}).get("value", "")
    return normal(value) if isinstance(value, str) else ""


def question_search(row: Row) -> str:
    return f'"{FIELDS[0]}:{search_text(normal(row.fields[0]))}"'


def shown_question(html_text: str, width: int = 70) -> str:
    text = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", html_text).split()))
    return text if len(text) <= width else text[: width - 1] + "…"
