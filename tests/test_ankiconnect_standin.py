"""The AnkiConnect stand-in answers like the add-on and acts on the collection like it does."""

from __future__ import annotations

import http.client
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import genanki
import pytest
from anki.collection import Collection
from ankiconnect_standin import AnkiConnectStandIn, post

MODEL = genanki.Model(
    1607392319,
    "Standin Basic",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr>{{Back}}"}],
)
DECK = "Chat::Topic"


def make_apkg(path: Path, first_back: str = "A1", timestamp: float = 1_700_000_000) -> Path:
    deck = genanki.Deck(2059400110, DECK)
    deck.add_note(genanki.Note(MODEL, ["Q1", first_back], guid="note-1", tags=["chatdeck", "py"]))
    deck.add_note(genanki.Note(MODEL, ["Q2", "A2"], guid="note-2", tags=["chatdeck"]))
    genanki.Package(deck).write_to_file(str(path), timestamp=timestamp)
    return path


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[AnkiConnectStandIn]:
    with AnkiConnectStandIn(tmp_path / "collection.anki2") as server:
        yield server


def call(server: AnkiConnectStandIn, action: str, **params: Any) -> Any:
    reply = post(server.url, {"action": action, "version": 6, "params": params})
    assert set(reply) == {"result", "error"}
    assert reply["error"] is None, reply["error"]
    return reply["result"]


def imported(server: AnkiConnectStandIn, tmp_path: Path) -> list[int]:
    assert call(server, "importPackage", path=str(make_apkg(tmp_path / "v1.apkg"))) is True
    return call(server, "findNotes", query=f'"deck:{DECK}"')


def test_version_and_reply_shapes(standin: AnkiConnectStandIn) -> None:
    assert post(standin.url, {"action": "version", "version": 6}) == {"result": 6, "error": None}
    assert post(standin.url, {"action": "version"}) == 6  # no version: 4, a bare result
    assert post(standin.url, {"action": "nope"}) == {"result": None, "error": "unsupported action"}
    assert post(standin.url, b"") == {"apiVersion": "AnkiConnect v.6"}
    assert post(standin.url, b"{not json")["error"].startswith("Expecting property name")
    assert "'action' is a required property" in post(standin.url, {"params": {}})["error"]


def test_errors_are_http_200_json_and_name_the_action(standin: AnkiConnectStandIn) -> None:
    body = b'{"action": "findNotes", "version": 6, "params": {"querry": "x"}}'
    with urllib.request.urlopen(urllib.request.Request(standin.url, body)) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        reply = response.read()
    assert b"AnkiConnect.findNotes() got an unexpected keyword argument 'querry'" in reply


def test_api_key(tmp_path: Path) -> None:
    with AnkiConnectStandIn(tmp_path / "c.anki2", api_key="secret") as server:
        denied = {"result": None, "error": "valid api key must be provided"}
        assert post(server.url, {"action": "version", "version": 6}) == denied
        assert post(server.url, {"action": "version", "version": 6, "key": "wrong"}) == denied
        assert post(server.url, {"action": "version", "version": 6, "key": "secret"})["result"] == 6
        permission = post(server.url, {"action": "requestPermission", "version": 6})["result"]
        assert permission == {"permission": "granted", "requireApikey": True, "version": 6}
        assert server.actions == ["version", "requestPermission"]
    with AnkiConnectStandIn(tmp_path / "d.anki2") as server:  # no apiKey set: a key is refused
        assert post(server.url, {"action": "version", "version": 6, "key": "x"}) == denied


def test_import_package_adds_notes_and_decks(standin: AnkiConnectStandIn, tmp_path: Path) -> None:
    assert call(standin, "findNotes", query="") == []
    notes = imported(standin, tmp_path)
    assert len(notes) == 2
    assert {"Chat", DECK} <= set(call(standin, "deckNames"))
    assert standin.actions == ["findNotes", "importPackage", "findNotes", "deckNames"]


def test_notes_info_shape(standin: AnkiConnectStandIn, tmp_path: Path) -> None:
    first, _ = sorted(imported(standin, tmp_path))
    info, missing = call(standin, "notesInfo", notes=[first, 12345])
    assert missing == {}
    assert set(info) == {"noteId", "profile", "tags", "fields", "modelName", "mod", "cards"}
    assert info["noteId"] == first and info["profile"] == "User 1"
    assert info["fields"] == {
        "Front": {"value": "Q1", "order": 0},
        "Back": {"value": "A1", "order": 1},
    }
    assert sorted(info["tags"]) == ["chatdeck", "py"] and info["modelName"] == "Standin Basic"
    assert info["mod"] == 1_700_000_000 and len(info["cards"]) == 1
    assert call(standin, "notesInfo", query="tag:py") == [info]
    (card,) = call(standin, "cardsInfo", cards=info["cards"])
    assert (card["note"], card["deckName"], card["queue"]) == (first, DECK, 0)
    assert "Q1" in card["question"] and "A1" in card["answer"]


def give_history(server: AnkiConnectStandIn, card_id: int) -> tuple:
    with server.collection() as col:
        col.sched.set_due_date([card_id], "9")  # a review card, interval 9, with a revlog row
        return col.db.first("select type, ivl, due from cards where id=?", card_id), history(col)


def history(col: Collection) -> int:
    return col.db.scalar("select count() from revlog")


def test_reimport_with_newer_mod_updates_and_keeps_review_state(
    standin: AnkiConnectStandIn, tmp_path: Path
) -> None:
    first, _ = sorted(imported(standin, tmp_path))
    (card_id,) = call(standin, "notesInfo", notes=[first])[0]["cards"]
    scheduling, reviews = give_history(standin, card_id)
    assert scheduling[0] == 2 and reviews == 1

    newer = make_apkg(tmp_path / "v2.apkg", first_back="A1 edited", timestamp=1_700_000_900)
    assert call(standin, "importPackage", path=str(newer)) is True
    (info,) = call(standin, "notesInfo", notes=[first])
    assert info["fields"]["Back"]["value"] == "A1 edited" and info["mod"] == 1_700_000_900
    assert info["cards"] == [card_id]
    with standin.collection() as col:
        assert col.db.first("select type, ivl, due from cards where id=?", card_id) == scheduling
        assert history(col) == reviews
        assert len(col.find_notes("")) == 2


def test_reimport_with_same_mod_changes_nothing(
    standin: AnkiConnectStandIn, tmp_path: Path
) -> None:
    first, _ = sorted(imported(standin, tmp_path))
    same_mod = make_apkg(tmp_path / "v2.apkg", first_back="A1 edited", timestamp=1_700_000_000)
    assert call(standin, "importPackage", path=str(same_mod)) is True
    (info,) = call(standin, "notesInfo", notes=[first])
    assert info["fields"]["Back"]["value"] == "A1" and info["mod"] == 1_700_000_000


def test_import_package_bad_paths_give_error_replies(
    standin: AnkiConnectStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = post(
        standin.url, {"action": "importPackage", "version": 6, "params": {"path": "/no/x.apkg"}}
    )
    assert missing["result"] is None and "/no/x.apkg" in missing["error"]
    # A relative path is the process's working directory's, not collection.media's.
    make_apkg(tmp_path / "collection.media" / "in-media.apkg")
    monkeypatch.chdir(tmp_path)
    relative = {"action": "importPackage", "version": 6, "params": {"path": "in-media.apkg"}}
    assert "in-media.apkg" in post(standin.url, relative)["error"]
    relative["params"]["path"] = "collection.media/in-media.apkg"
    assert post(standin.url, relative) == {"result": True, "error": None}
    assert call(standin, "version") == 6  # still serving


def test_change_deck_moves_cards_and_creates_the_deck(
    standin: AnkiConnectStandIn, tmp_path: Path
) -> None:
    imported(standin, tmp_path)
    cards = call(standin, "findCards", query="tag:py")
    assert call(standin, "changeDeck", cards=cards, deck="Elsewhere") is None
    assert "Elsewhere" in call(standin, "deckNames")
    assert call(standin, "findCards", query="deck:Elsewhere") == cards
    assert len(call(standin, "findCards", query=f'"deck:{DECK}"')) == 1
    assert call(standin, "cardsInfo", cards=cards)[0]["deckName"] == "Elsewhere"


def test_suspend_and_unsuspend(standin: AnkiConnectStandIn, tmp_path: Path) -> None:
    imported(standin, tmp_path)
    one, two = sorted(call(standin, "findCards", query="tag:chatdeck"))
    assert call(standin, "suspend", cards=[one]) is True
    assert call(standin, "areSuspended", cards=[one, two, 999]) == [True, False, None]
    assert call(standin, "findCards", query="is:suspended") == [one]
    assert call(standin, "suspend", cards=[one]) is False  # nothing left to suspend
    assert call(standin, "unsuspend", cards=[one]) is None  # the add-on returns nothing here
    assert call(standin, "areSuspended", cards=[one]) == [False]
    error = post(standin.url, {"action": "suspend", "version": 6, "params": {"cards": [999]}})
    assert error == {"result": None, "error": "Card was not found: 999"}


def test_find_notes_by_deck_and_tag(standin: AnkiConnectStandIn, tmp_path: Path) -> None:
    notes = imported(standin, tmp_path)
    assert sorted(call(standin, "findNotes", query="tag:chatdeck")) == sorted(notes)
    assert len(call(standin, "findNotes", query=f'"deck:{DECK}" tag:py')) == 1
    assert call(standin, "findNotes", query="deck:Other") == []
    assert call(standin, "findNotes") == []  # no query: an empty list, as in the add-on


def test_multi_runs_each_action_through_the_handler(tmp_path: Path) -> None:
    with AnkiConnectStandIn(tmp_path / "c.anki2", api_key="k") as server:
        actions = [
            {"action": "deckNames", "key": "k"},
            {"action": "deckNames", "version": 6, "key": "k"},
            {"action": "deckNames", "version": 6},
            {"action": "nope", "version": 6, "key": "k"},
        ]
        reply = post(
            server.url,
            {"action": "multi", "version": 6, "key": "k", "params": {"actions": actions}},
        )
        assert reply["error"] is None
        assert reply["result"] == [
            ["Default"],
            {"result": ["Default"], "error": None},
            {"result": None, "error": "valid api key must be provided"},
            {"result": None, "error": "unsupported action"},
        ]
        assert server.actions == ["multi", "deckNames", "deckNames"]


def test_delete_notes_and_sync(tmp_path: Path) -> None:
    with AnkiConnectStandIn(tmp_path / "c.anki2") as server:
        first, second = sorted(imported(server, tmp_path))
        assert call(server, "deleteNotes", notes=[first]) is None
        assert call(server, "findNotes", query="") == [second]
        cards = call(server, "findCards", query="")
        assert call(server, "changeDeck", cards=cards, deck="Moved") is None
        assert call(server, "sync") is None
        assert server.actions[-2:] == ["changeDeck", "sync"]
    col = Collection(str(tmp_path / "c.anki2"))  # both changes reached the file
    try:
        assert list(col.find_notes("")) == [second]
        assert list(col.find_cards("deck:Moved")) == cards
    finally:
        col.close()
    with AnkiConnectStandIn(tmp_path / "c.anki2", sync_auth=False) as server:
        reply = post(server.url, {"action": "sync", "version": 6})
        assert reply == {"result": None, "error": "sync: auth not configured"}


def test_fail_after_drops_connections(standin: AnkiConnectStandIn, tmp_path: Path) -> None:
    notes = imported(standin, tmp_path)
    standin.fail_after(1)
    assert call(standin, "version") == 6
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        call(standin, "deleteNotes", notes=notes)
    assert "deleteNotes" not in standin.actions  # dropped before it ran
    with standin.collection() as col:
        assert len(col.find_notes("")) == 2

    standin.fail_after(0, run_action=True)  # Anki did the work, then closed before replying
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        call(standin, "deleteNotes", notes=notes)
    with standin.collection() as col:
        assert len(col.find_notes("")) == 0


def test_requests_are_served_one_at_a_time(standin: AnkiConnectStandIn, tmp_path: Path) -> None:
    imported(standin, tmp_path)
    cards = call(standin, "findCards", query="")
    jobs = [("suspend", {"cards": [c]}) for c in cards] + [("findNotes", {"query": ""})] * 30
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda job: call(standin, job[0], **job[1]), jobs))
    assert call(standin, "areSuspended", cards=cards) == [True, True]
    assert standin.actions.count("findNotes") == 31
