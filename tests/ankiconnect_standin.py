"""A small, faithful stand-in for the AnkiConnect add-on (2055492159, API version 6) for tests.

The real add-on lives inside Anki desktop. This module serves the same HTTP JSON API on
127.0.0.1 (a free port) and runs each action with the same calls on the official `anki` backend
(`anki.collection.Collection`) that the add-on makes. Source read: the add-on's upstream history
as mirrored at github.com/devsdocs/anki-connect, commit de6e6e1b8aaf4ae195eb1d1ff6db5409b99b2a3e
(2025-12-03, the last upstream commit there; upstream is git.sr.ht/~foosoft/anki-connect, it left
github.com/FooSoft/anki-connect, whose HEAD 4064fa142785975255457abd6a496015f5b71f38 says so),
files plugin/__init__.py, plugin/web.py, plugin/util.py, README.md.

Covered, as the add-on does it:
- request `{"action", "version", "params", "key"}`; `version` defaults to 4, and for version <= 4 a
  success reply is the bare result, otherwise `{"result": ..., "error": null}`. Every failure, at
  any version, is `{"result": null, "error": str(exception)}`; the HTTP status is always 200.
- `key` must equal the configured `apiKey` (`None` by default, so sending any key when none is set
  fails too), except for `requestPermission`: "valid api key must be provided".
- an unknown action: "unsupported action"; wrong parameters: Python's TypeError text, naming
  `AnkiConnect.<action>()` as the add-on's does.
- an empty body: `{"apiVersion": "AnkiConnect v.6"}`; a body that is not JSON: the decoder's error.
- one request at a time (the add-on runs every action on Anki's main thread): a lock serialises
  all collection access, and the connection is closed after each reply, as the add-on does.
- actions: version, requestPermission (for a client without an Origin header, which the add-on
  always allows), sync, multi, deckNames, changeDeck, suspend, unsuspend, suspended, areSuspended,
  findNotes, findCards, notesInfo, cardsInfo, deleteNotes, importPackage, addTags,
  getActiveProfile. Quirks kept on purpose: `unsuspend` returns null, `suspend` drops cards from
  its list while iterating over it, `changeDeck` creates a missing deck, `multi` runs each inner
  action through the same handler (so each needs its own `key` and `version`).
- importPackage runs the add-on's own line, `anki.importing.AnkiPackageImporter(col, path).run()`.
  On Anki <= 26.08.1 that is the legacy Python importer (ankitects/anki
  pylib/anki/importing/apkg.py); on later builds, including the installed 26.09.3, it is a shim
  over `Collection.import_anki_package` with merge_notetypes, with_scheduling and with_deck_configs
  all True (ankitects/anki pylib/anki/importing.py as stored at b758186f252e, the file the
  installed wheel ships). ankitects/anki main at c32cb2913d6f has no anki.importing at all
  (removed in d4fdbefcebeb), so this import, like the add-on's, would fail there.
  A relative path resolves against the process's working directory, not collection.media as the
  add-on's README says: Anki stopped changing directory into the media folder in 2.1.50
  (ankitects/anki 6c8cdc0a0c5000d27bb9ddd5edbed113610465fd).

Not covered (say so in any test that leans on it):
- every other action (addNote(s), models, media, GUI, stats, ...), and apiReflect.
- CORS: no Origin allow-list, no 403, no requestPermission prompt, no OPTIONS preflight details
  beyond a 200; malformed-but-JSON requests get a one-line message, not jsonschema's long text.
- sync does not reach AnkiWeb: it is recorded, and fails with the add-on's "sync: auth not
  configured" only if the stand-in was made with `sync_auth=False`.
- GUI side effects (mw.requireReset, the browser refreshing) and Anki's undo queue.
- the add-on's own socket code (25 ms polling, 10 s timeout, partial reads); this is http.server.
"""

from __future__ import annotations

import copy
import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anki.utils
from anki.collection import Collection
from anki.errors import NotFoundError
from anki.importing import AnkiPackageImporter  # the add-on's import; deprecated, prints a note

ACTIONS = frozenset(
    "version requestPermission sync multi deckNames changeDeck suspend unsuspend suspended"
    " areSuspended findNotes findCards notesInfo cardsInfo deleteNotes importPackage"
    " addTags getActiveProfile".split()
)


class AnkiConnect:
    """The add-on's actions, named as in plugin/__init__.py so TypeError messages match."""

    def __init__(self, col: Collection, standin: AnkiConnectStandIn) -> None:
        self.col = col
        self.standin = standin

    def handler(self, request: dict[str, Any]) -> Any:
        name = request.get("action", "")
        version = request.get("version", 4)
        params = request.get("params", {})
        key = request.get("key")
        try:
            if key != self.standin.api_key and name != "requestPermission":
                raise Exception("valid api key must be provided")
            if name not in ACTIONS:
                raise Exception("unsupported action")
            self.standin.calls.append((name, copy.deepcopy(params)))
            result = getattr(self, name)(**params)
            return result if version <= 4 else {"result": result, "error": None}
        except Exception as e:
            return {"result": None, "error": str(e)}

    def getCard(self, card_id: int) -> Any:
        try:
            return self.col.get_card(card_id)
        except NotFoundError:
            raise NotFoundError(f"Card was not found: {card_id}", None, None, None) from None

    def getNote(self, note_id: int) -> Any:
        try:
            return self.col.get_note(note_id)
        except NotFoundError:
            raise NotFoundError(f"Note was not found: {note_id}", None, None, None) from None

    def version(self) -> int:
        return self.standin.api_version

    def getActiveProfile(self) -> str:
        return self.standin.profile  # the add-on: self.window().pm.name

    def requestPermission(self, origin: str = "", allowed: bool = True) -> dict[str, Any]:
        # web.py fills in origin/allowed; a request without an Origin header is always allowed.
        return {
            "permission": "granted",
            "requireApikey": bool(self.standin.api_key),
            "version": self.standin.api_version,
        }

    def sync(self) -> None:
        # The add-on: mw.pm.sync_auth(), col.sync_collection(auth, media), then mw.onSync().
        if not self.standin.sync_auth:
            raise Exception("sync: auth not configured")

    def multi(self, actions: list[dict[str, Any]]) -> list[Any]:
        return list(map(self.handler, actions))

    def deckNames(self) -> list[str]:
        return [x.name for x in self.col.decks.all_names_and_ids()]

    def changeDeck(self, cards: list[int], deck: str) -> None:
        # The add-on first calls mw.requireReset() (GUI only); the rest is the same.
        did = self.col.decks.id(deck)
        mod = anki.utils.int_time()
        usn = self.col.usn()
        scids = anki.utils.ids2str(cards)
        self.col.sched.remFromDyn(cards)
        self.col.db.execute(
            "update cards set usn=?, mod=?, did=? where id in " + scids, usn, mod, did
        )

    def suspend(self, cards: list[int], suspend: bool = True) -> bool:
        for card in cards:  # removes while iterating, as the add-on does (it can skip a card)
            if self.suspended(card) == suspend:
                cards.remove(card)
        if len(cards) == 0:
            return False
        if suspend:
            self.col.sched.suspendCards(cards)
        else:
            self.col.sched.unsuspendCards(cards)
        return True

    def unsuspend(self, cards: list[int]) -> None:
        self.suspend(cards, False)  # no return: the add-on answers null

    def suspended(self, card: int) -> bool:
        return self.getCard(card).queue == -1

    def areSuspended(self, cards: list[int]) -> list[bool | None]:
        suspended: list[bool | None] = []
        for card in cards:
            try:
                suspended.append(self.suspended(card))
            except NotFoundError:
                suspended.append(None)
        return suspended

    def findNotes(self, query: str | None = None) -> list[int]:
        return [] if query is None else list(map(int, self.col.find_notes(query)))

    def findCards(self, query: str | None = None) -> list[int]:
        return [] if query is None else list(map(int, self.col.find_cards(query)))

    def notesInfo(self, notes: list[int] | None = None, query: str | None = None) -> list[Any]:
        if notes is None and query is None:
            raise Exception('Must provide either "notes" or a "query"')
        if query is not None:
            notes = self.findNotes(query)
        assert notes is not None
        card_ids: dict[int, list[int]] = {}
        for start in range(0, len(notes), 999):
            batch = notes[start : start + 999]
            marks = ",".join("?" * len(batch))
            rows = self.col.db.all(
                f"select id, nid from cards where nid in ({marks}) order by ord", *batch
            )
            for cid, nid in rows:
                card_ids.setdefault(nid, []).append(cid)
        result: list[Any] = []
        for nid in notes:
            try:
                note = self.getNote(nid)
            except NotFoundError:
                result.append({})
                continue
            model = note.note_type()
            assert model is not None
            fields = {
                f["name"]: {"value": note.fields[f["ord"]], "order": f["ord"]}
                for f in model["flds"]
            }
            result.append(
                {
                    "noteId": note.id,
                    "profile": self.standin.profile,
                    "tags": note.tags,
                    "fields": fields,
                    "modelName": model["name"],
                    "mod": note.mod,
                    "cards": card_ids[nid],
                }
            )
        return result

    def cardsInfo(self, cards: list[int]) -> list[Any]:
        result: list[Any] = []
        for cid in cards:
            try:
                card = self.getCard(cid)
            except NotFoundError:
                result.append({})
                continue
            model, note = card.note_type(), card.note()
            fields = {
                f["name"]: {"value": note.fields[f["ord"]], "order": f["ord"]}
                for f in model["flds"]
            }
            states = self.col._backend.get_scheduling_states(card.id)
            deck = self.col.decks.get(card.did)
            if deck is None:
                raise Exception(f"deck was not found: {card.did}")
            result.append(
                {
                    "cardId": card.id,
                    "fields": fields,
                    "fieldOrder": card.ord,
                    "question": card.question(),
                    "answer": card.answer(),
                    "modelName": model["name"],
                    "ord": card.ord,
                    "deckName": deck["name"],
                    "css": model["css"],
                    "factor": card.factor,
                    "interval": card.ivl,
                    "note": card.nid,
                    "type": card.type,
                    "queue": card.queue,
                    "due": card.due,
                    "reps": card.reps,
                    "lapses": card.lapses,
                    "left": card.left,
                    "mod": card.mod,
                    "nextReviews": list(self.col._backend.describe_next_states(states)),
                    "flags": card.flags,
                }
            )
        return result

    def deleteNotes(self, notes: list[int]) -> None:
        self.col.remove_notes(notes)

    def addTags(self, notes: list[int], tags: str, add: bool = True) -> None:
        # The add-on: startEditing(), then the legacy bulkAdd (bulk_add or bulk_remove); the
        # notes' mod becomes the current time. No return: the add-on answers null.
        self.col.tags.bulkAdd(notes, tags, add)

    def importPackage(self, path: str) -> bool:
        AnkiPackageImporter(self.col, path).run()  # the add-on's call; its result is dropped
        return True


def _check_request(request: Any) -> None:
    """The add-on's jsonschema check (web.py request_schema), with one-line messages."""
    if not isinstance(request, dict):
        raise ValueError(f"{request!r} is not of type 'object'")
    if "action" not in request:
        raise ValueError("'action' is a required property")
    if not isinstance(request["action"], str) or not request["action"]:
        raise ValueError(f"{request['action']!r} is not a non-empty string")
    if "version" in request and type(request["version"]) is not int:
        raise ValueError(f"{request['version']!r} is not of type 'integer'")
    if "params" in request and not isinstance(request["params"], dict):
        raise ValueError(f"{request['params']!r} is not of type 'object'")


class AnkiConnectStandIn:
    """AnkiConnect on http://127.0.0.1:<free port>, backed by the collection at collection_path.

    Use as a context manager; `url` is the address. `calls` lists (action, params) for every action
    that was started, i.e. passed the key check and exists, whether it then succeeded or not, and
    including the actions inside a `multi`; `actions` is just their names. `collection()` lends
    the open collection under the same lock. `fail_after(n)` makes the server answer n more
    requests and then drop every connection without a reply (Anki closing).
    """

    def __init__(
        self,
        collection_path: str | Path,
        api_key: str | None = None,
        version: int = 6,
        profile: str = "User 1",
        sync_auth: bool = True,
    ) -> None:
        self.collection_path = str(collection_path)
        self.api_key, self.api_version = api_key, version
        self.profile, self.sync_auth = profile, sync_auth
        self.calls: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        self._budget: int | None = None
        self._run_dropped = False
        self._server: ThreadingHTTPServer | None = None
        self._col: Collection | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def actions(self) -> list[str]:
        return [name for name, _ in self.calls]

    def fail_after(self, n: int, run_action: bool = False) -> None:
        """Answer n more requests, then close each connection unanswered.

        With run_action=True a dropped request's action still runs first (Anki did the work but
        closed before replying); by default it does not run.
        """
        with self._lock:
            self._budget, self._run_dropped = n, run_action

    @contextmanager
    def collection(self) -> Iterator[Collection]:
        with self._lock:
            assert self._col is not None, "not started"
            yield self._col

    def __enter__(self) -> AnkiConnectStandIn:
        self._col = Collection(self.collection_path)
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                standin._serve(self)

            do_GET = do_POST

            def do_OPTIONS(self) -> None:
                standin._send(self, b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        serve.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._col is not None
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            self._col.close()
            self._col = None

    def _serve(self, http: BaseHTTPRequestHandler) -> None:
        body = http.rfile.read(int(http.headers.get("Content-Length") or 0))
        with self._lock:
            drop = self._budget is not None and self._budget <= 0
            if self._budget is not None:
                self._budget -= 1
            reply = self._reply(body) if not drop or self._run_dropped else None
        if drop:
            http.close_connection = True
            http.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(http, json.dumps(reply).encode("utf-8"))

    def _reply(self, body: bytes) -> Any:
        if len(body) == 0:
            return {"apiVersion": f"AnkiConnect v.{self.api_version}"}
        try:
            request = json.loads(body.decode("utf-8"))
            _check_request(request)
        except ValueError as e:
            return {"result": None, "error": str(e)}
        assert self._col is not None
        return AnkiConnect(self._col, self).handler(request)

    @staticmethod
    def _send(http: BaseHTTPRequestHandler, body: bytes) -> None:
        http.send_response(200)
        for name, value in (
            ("Content-Type", "application/json"),
            ("Access-Control-Allow-Origin", "http://localhost"),
            ("Access-Control-Allow-Headers", "*"),
            ("Content-Length", str(len(body))),
        ):
            http.send_header(name, value)
        http.end_headers()
        http.wfile.write(body)


def post(url: str, payload: Any, timeout: float = 30) -> Any:
    """POST payload as JSON (or raw bytes) and return the decoded JSON reply."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
    with urllib.request.urlopen(urllib.request.Request(url, data), timeout=timeout) as response:
        return json.loads(response.read())
