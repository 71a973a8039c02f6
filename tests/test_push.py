"""`--push`: a build put into a running Anki through AnkiConnect, tested against the AnkiConnect
stand-in (tests/ankiconnect_standin.py), whose actions run on the official `anki` backend the way
the add-on runs them (`importPackage` is Anki's own package import).

What the stand-in does not cover, and so neither do these tests: Anki desktop's GUI (a dialog
open while a push runs, the browser refreshing, the undo queue), the add-on's own socket code
and its CORS checks, and a real sync with AnkiWeb (the stand-in records `sync`, and fails it only
when made with `sync_auth=False`). Two facts are learned from the stand-in's backend rather than
from a running Anki desktop: that a new note keeps the note id its package gives it when that id
is free (chatdeck checks each such id before relying on it, and falls back to a search), and that
Anki's search cannot hold a line break (chatdeck searches with `_` there). A real Anki on
another machine is simulated by telling the stand-in a path it cannot read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection
from ankiconnect_standin import AnkiConnectStandIn, post
from conftest import ROOT, TEMPLATES, deck_options, import_package

from chatdeck.build import BuildResult, build
from chatdeck.push import Pusher, PushError, PushOptions, PushReport, push, read_push_state
from chatdeck.removed import REMOVED_TAG
from chatdeck.templates import load_templates

LORA = "Q: what does lora stand for in deep learning?"
DISTILLATION = "Model distillation, also known as"
#: AnkiConnect actions that change the collection.
WRITES = {"importPackage", "changeDeck", "suspend", "unsuspend", "addTags", "deleteNotes"}


@dataclass
class Project:
    source: Path
    templates: Path
    output: Path
    anki: AnkiConnectStandIn
    clock: Iterator[int]

    def build(self) -> BuildResult:
        options = deck_options(
            self.output, load_templates(self.templates), clock=lambda: next(self.clock)
        )
        return build([self.source], options)

    def push(self, result: BuildResult | None = None, **options: Any) -> PushReport:
        return push(result or self.build(), PushOptions(self.anki.url, **options))

    def edit(self, name: str, old: str, new: str) -> None:
        path = next(self.source.glob(name))
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    def writes(self) -> list[str]:
        return [action for action in self.anki.actions if action in WRITES]


@pytest.fixture
def project(source_copy: Path, tmp_path: Path) -> Iterator[Project]:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    with AnkiConnectStandIn(tmp_path / "collection.anki2") as anki:
        clock = iter(range(1_700_000_000, 1_800_000_000, 100))
        yield Project(source_copy, templates, tmp_path / "output", anki, clock)


def snapshot(anki: AnkiConnectStandIn) -> tuple[list[Any], list[Any]]:
    """Every note's and card's row as the collection holds it."""
    with anki.collection() as col:
        notes = col.db.all("select id, guid, mod, usn, tags, flds from notes order by id")
        cards = col.db.all("select id, nid, did, mod, usn, queue, type, ivl from cards order by id")
    return notes, cards


def note_with(col: Collection, text: str) -> Any:
    (note_id,) = [nid for nid in col.find_notes("") if text in col.get_note(nid)["Question"]]
    return col.get_note(note_id)


def give_history(anki: AnkiConnectStandIn, text: str) -> int:
    """Review a note's card once (interval 9 days); returns the card id."""
    with anki.collection() as col:
        (card_id,) = note_with(col, text).card_ids()
        col.sched.set_due_date([card_id], "9")
    return card_id


def history(anki: AnkiConnectStandIn, card_id: int) -> tuple[Any, ...]:
    with anki.collection() as col:
        row = col.db.first("select type, ivl, reps from cards where id=?", card_id)
        return (*row, col.db.scalar("select count() from revlog where cid=?", card_id))


def deck_of(anki: AnkiConnectStandIn, text: str) -> str:
    with anki.collection() as col:
        (card_id,) = note_with(col, text).card_ids()
        deck = col.decks.get(col.get_card(card_id).did)
        assert deck is not None
        return str(deck["name"])


# --- the cases of the issue --------------------------------------------------------------------


def test_first_push_puts_the_deck_in_anki_as_an_import_would(project: Project) -> None:
    result = project.build()
    report = project.push(result)
    assert (report.new, report.updated, report.unchanged, report.sent) == (36, 0, 0, 36)
    assert project.writes() == ["importPackage"]
    with project.anki.collection() as col:
        assert col.note_count() == 36
        assert {"ML Engineering Interview"} <= {d.name for d in col.decks.all_names_and_ids()}
    # The same notes as a hand import: importing the deck file afterwards finds them all.
    project.anki.__exit__(None, None, None)
    log, col = import_package(project.anki.collection_path, result.output)  # type: ignore[arg-type]
    try:
        assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 0, 36)
    finally:
        col.close()
    project.anki.__enter__()


def test_unchanged_push_touches_nothing(project: Project) -> None:
    project.push()
    before = snapshot(project.anki)
    project.anki.calls.clear()
    report = project.push()
    assert (report.new, report.updated, report.unchanged, report.sent) == (0, 0, 36, 0)
    assert project.writes() == []
    assert snapshot(project.anki) == before


def test_one_edited_answer_updates_one_note_and_keeps_its_history(project: Project) -> None:
    project.push()
    card_id = give_history(project.anki, "model distillation")
    reviewed = history(project.anki, card_id)
    notes_before, _ = snapshot(project.anki)
    project.edit("003_*.txt", DISTILLATION, "Distillation, also known as")
    project.anki.calls.clear()
    report = project.push()
    assert (report.new, report.updated, report.unchanged, report.sent) == (0, 1, 35, 1)
    assert project.writes() == ["importPackage"]
    notes_after, _ = snapshot(project.anki)
    (after,) = [b for a, b in zip(notes_before, notes_after, strict=True) if a != b]
    assert "Distillation, also known as" in after[5]
    assert history(project.anki, card_id) == reviewed


def test_a_file_moved_to_another_deck_moves_its_cards(project: Project) -> None:
    project.push()
    with project.anki.collection() as col:  # the user moves one card by hand
        (card_id,) = note_with(col, "what does lora stand for").card_ids()
        col.set_deck([card_id], col.decks.id("Mine"))
    (project.source / "deck.toml").write_text(
        'deck = "ML Engineering Interview"\n'
        '[files."003_0382162edb178db0.txt"]\ndeck = "Fine-tuning"\n',
        encoding="utf-8",
    )
    result = project.build()
    moved = len(result.changes.moved)
    assert moved > 1
    project.anki.calls.clear()
    report = project.push(result)
    assert (report.moved, report.left, report.sent) == (moved - 1, 1, 0)
    assert "importPackage" not in project.writes()
    new_deck = "ML Engineering Interview::Fine-tuning"
    assert deck_of(project.anki, "model distillation") == new_deck
    assert deck_of(project.anki, "what does lora stand for") == "Mine"
    with project.anki.collection() as col:
        assert len(col.find_cards(f'"deck:{new_deck}"')) == moved - 1
    project.anki.calls.clear()
    assert project.push().moved == 0 and project.writes() == []  # done once


def test_reworded_question_suspends_the_old_card_and_restoring_it_unsuspends(
    project: Project,
) -> None:
    project.push()
    project.edit("003_*.txt", LORA, "Q: what does LoRA mean?")
    report = project.push()
    assert (report.new, report.suspended, report.sent) == (1, 1, 2)
    with project.anki.collection() as col:
        old = note_with(col, "what does lora stand for")
        assert REMOVED_TAG in old.tags
        assert [card.queue for card in old.cards()] == [-1]  # suspended
        assert col.note_count() == 37  # nothing deleted
    # The question comes back: its card is active again and loses the tag.
    project.edit("003_*.txt", "Q: what does LoRA mean?", LORA)
    report = project.push()
    assert (report.unsuspended, report.suspended) == (1, 1)  # and the new wording leaves
    with project.anki.collection() as col:
        old = note_with(col, "what does lora stand for")
        assert REMOVED_TAG not in old.tags
        assert [card.queue for card in old.cards()] == [0]
        assert [card.queue for card in note_with(col, "LoRA mean").cards()] == [-1]


def test_a_card_the_user_suspended_stays_suspended(project: Project) -> None:
    project.push()
    with project.anki.collection() as col:
        cards = list(note_with(col, "model distillation").card_ids())
        col.sched.suspend_cards(cards)
    project.edit("003_*.txt", DISTILLATION, "Distillation, also known as")
    assert project.push().unsuspended == 0
    with project.anki.collection() as col:
        assert [card.queue for card in note_with(col, "model distillation").cards()] == [-1]


def test_interrupted_push_is_safe_to_repeat(project: Project) -> None:
    project.push()
    project.edit("003_*.txt", LORA, "Q: what does LoRA mean?")
    project.edit("003_*.txt", DISTILLATION, "Distillation, also known as")
    result = project.build()
    # Anki closes after `version` and `findNotes`: the import never happens.
    project.anki.fail_after(2)
    with pytest.raises(PushError, match="stopped answering"):
        project.push(result)
    project.anki.fail_after(10_000)
    # The next build changes nothing; the push still sends what Anki lacks.
    again = project.build()
    assert again.changes.nothing
    report = project.push(again)
    assert (report.new, report.updated, report.suspended) == (1, 1, 1)
    with project.anki.collection() as col:
        old = note_with(col, "what does lora stand for")
        assert REMOVED_TAG in old.tags and [c.queue for c in old.cards()] == [-1]
        assert "Distillation, also known as" in note_with(col, "model distillation")["Answer"]
    assert project.push().sent == 0


@pytest.mark.parametrize("answered", range(12))
def test_a_push_cut_at_any_step_ends_like_an_uncut_one(
    project: Project, tmp_path: Path, answered: int
) -> None:
    """Anki closes after `answered` replies; the action it was asked next ran, but its reply
    was lost. Repeating the push gives the collection an uncut push gives. The push asks, in
    order: version, getActiveProfile, findNotes, notesInfo, importPackage, multi (the new
    note's id), findNotes and findCards (the moved notes' cards), changeDeck, findCards,
    suspend: each is the one cut in one run."""
    project.push()
    project.edit("003_*.txt", LORA, "Q: what does LoRA mean?")
    (project.source / "deck.toml").write_text(
        'deck = "ML Engineering Interview"\n[files."004_ff6aaf76073af994.txt"]\ndeck = "TF"\n',
        encoding="utf-8",
    )
    result = project.build()
    project.anki.fail_after(answered, run_action=True)
    try:
        project.push(result)
    except PushError as error:
        assert "stopped answering" in str(error)
    project.anki.fail_after(10_000)
    project.push(project.build())
    notes, cards = snapshot(project.anki)
    with project.anki.collection() as col:
        removed = note_with(col, "what does lora stand for")
        assert REMOVED_TAG in removed.tags and [c.queue for c in removed.cards()] == [-1]
        assert all(
            col.get_card(c).did == col.decks.id("ML Engineering Interview::TF")
            for c in col.find_cards('"Question:*feed and fetch*"')
        )
        assert len(col.find_cards('"deck:ML Engineering Interview::TF"')) > 1
        assert col.note_count() == 37
    assert sorted(note[1] for note in notes) == sorted(set(note[1] for note in notes))


def test_removed_while_anki_was_closed_is_still_tagged_and_suspended(project: Project) -> None:
    """A build removes a question but its push fails; a later build no longer emits that
    note: the push tags it in Anki and suspends it."""
    project.push()
    project.edit("003_*.txt", LORA, "Q: what does LoRA mean?")
    project.anki.fail_after(0)
    with pytest.raises(PushError):
        project.push()
    project.anki.fail_after(10_000)
    project.build()  # nothing new: the removed note is no longer in the deck file
    report = project.push()
    assert report.suspended == 1
    with project.anki.collection() as col:
        old = note_with(col, "what does lora stand for")
        assert REMOVED_TAG in old.tags and [c.queue for c in old.cards()] == [-1]


def test_template_edit_alone_reaches_the_note_type(project: Project) -> None:
    project.push()
    css = project.templates / "style.css"
    css.write_text(css.read_text() + "\n.question { letter-spacing: 0.01em; }\n")
    before, _ = snapshot(project.anki)
    report = project.push()
    assert report.note_type and report.sent == 1 and report.updated == 0
    with project.anki.collection() as col:
        col.models._clear_cache()  # the stand-in's Python side caches note types
        (model,) = [m for m in col.models.all() if m["name"] == "Chat Transcript Q&A"]
        assert "letter-spacing: 0.01em" in model["css"]
    assert snapshot(project.anki)[0] == before  # the note that carried it is untouched


def test_a_note_edited_in_anki_is_kept(project: Project) -> None:
    project.push()
    with project.anki.collection() as col:  # edited in Anki after the push: a newer mod
        note = note_with(col, "model distillation")
        note["Answer"] = "my own answer"
        col.update_note(note)
    project.edit("003_*.txt", DISTILLATION, "Distillation, also known as")
    report = project.push()
    assert (report.kept, report.updated) == (1, 0)
    with project.anki.collection() as col:
        assert note_with(col, "model distillation")["Answer"] == "my own answer"


def test_each_profile_gets_what_it_lacks(project: Project, tmp_path: Path) -> None:
    """Two Anki profiles (two collections) pushed to in turn: each gets every change."""
    project.push()
    with AnkiConnectStandIn(tmp_path / "other.anki2", profile="Work") as other:
        report = push(project.build(), PushOptions(other.url))
        assert (report.new, report.sent) == (36, 36)
        project.edit("003_*.txt", DISTILLATION, "Distillation, also known as")
        assert push(project.build(), PushOptions(other.url)).updated == 1
    report = project.push()
    assert (report.updated, report.sent) == (1, 1)
    with project.anki.collection() as col:
        assert "Distillation, also known as" in note_with(col, "model distillation")["Answer"]


def test_first_push_after_importing_by_hand_counts_only_what_changed(project: Project) -> None:
    """The deck was imported by hand before chatdeck pushed; the ids the next package gives
    its notes are not theirs (an edit moved the package's timestamp): each note is found by its
    question, and only the edited one counts as updated."""
    result = project.build()
    reply = post(
        project.anki.url,
        {"action": "importPackage", "version": 6, "params": {"path": str(result.output)}},
    )
    assert reply == {"result": True, "error": None}
    project.edit("003_*.txt", DISTILLATION, "Distillation, also known as")
    report = project.push()
    assert (report.new, report.updated, report.unchanged, report.sent) == (0, 1, 35, 36)
    assert "notesInfo" in project.anki.actions  # all chatdeck notes read once, to find them
    project.anki.calls.clear()
    assert project.push().sent == 0 and project.writes() == []


def test_notes_deleted_in_anki_are_sent_again_only_when_all_are_gone(project: Project) -> None:
    project.push()
    with project.anki.collection() as col:
        col.remove_notes([note_with(col, "model distillation").id])
    report = project.push()
    assert (report.sent, report.unchanged) == (0, 36)  # one note deleted by hand: respected
    with project.anki.collection() as col:
        col.remove_notes(list(col.find_notes("")))
    report = project.push()
    assert report.other_collection and (report.new, report.sent) == (36, 36)


def test_questions_with_line_breaks_and_search_characters_are_found(
    tmp_path: Path, project: Project
) -> None:
    notes = tmp_path / "tricky"
    notes.mkdir()
    (notes / "a.md").write_text(
        'Q: what is `a_b*c` and "d:e" (f) \\\\ g?\n\n```\ncode\nline\n```\n\nA: x\n\n'
        "Q: caf\u0065\u0301 — ünïcode?\nA: y\n",
        encoding="utf-8",
    )
    options = deck_options(tmp_path / "out2")
    first = push(build([notes], options), PushOptions(project.anki.url))
    assert first.new == 2
    state = read_push_state(tmp_path / "out2", "Chat Transcripts.apkg")
    assert all(entry.nid is not None for entry in state.notes.values())
    # Forget the ids: they are found again by the question alone.
    (tmp_path / "out2" / ".Chat Transcripts.push-state.json").unlink()
    again = push(build([notes], options), PushOptions(project.anki.url))
    assert (again.new, again.updated, again.unchanged, again.missing) == (0, 0, 2, 0)
    state = read_push_state(tmp_path / "out2", "Chat Transcripts.apkg")
    assert all(entry.nid is not None for entry in state.notes.values())


def test_delete_removed_lists_first_and_deletes_only_when_confirmed(project: Project) -> None:
    project.push()
    project.edit("003_*.txt", LORA, "Q: what does LoRA mean?")
    project.push()
    asked: list[list[str]] = []

    def refuse(lines: list[str]) -> bool:
        asked.append(lines)
        return False

    report = project.push(delete_removed=True, confirm=refuse)
    assert report.deleted == 0 and len(asked) == 1
    (line,) = asked[0]
    assert "what does lora stand for" in line
    with project.anki.collection() as col:
        assert col.note_count() == 37
    report = project.push(delete_removed=True, confirm=None)  # --yes
    assert report.deleted == 1
    with project.anki.collection() as col:
        assert col.note_count() == 36
        assert not col.find_notes(f"tag:{REMOVED_TAG}")


def test_sync_is_asked_after_the_push(project: Project, tmp_path: Path) -> None:
    report = project.push(sync=True)
    assert report.synced and project.anki.actions[-1] == "sync"


# --- failures, from the command line ------------------------------------------------------------


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "ANKI_CONNECT_KEY"}
    environment.update({"PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    (line,) = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    return line


def test_anki_not_running_says_so_and_still_writes_the_deck(
    source_copy: Path, tmp_path: Path
) -> None:
    completed = run(
        str(source_copy),
        "-o",
        str(tmp_path / "out"),
        "--push",
        "--anki-connect",
        "http://127.0.0.1:9",
    )
    line = one_error_line(completed)
    assert "Anki is not running" in line and "http://127.0.0.1:9" in line
    assert "The deck was still written" in line and "File > Import" in line
    assert (tmp_path / "out" / "ML Engineering Interview.apkg").is_file()
    assert "Wrote" in completed.stdout


def test_wrong_api_key_and_missing_key(source_copy: Path, tmp_path: Path) -> None:
    with AnkiConnectStandIn(tmp_path / "c.anki2", api_key="right") as anki:
        out = str(tmp_path / "out")
        wrong = run(
            str(source_copy),
            "-o",
            out,
            "--push",
            "--anki-connect",
            anki.url,
            "--anki-connect-key",
            "wrong",
        )
        assert "refused the API key" in one_error_line(wrong)
        missing = run(str(source_copy), "-o", out, "--push", "--anki-connect", anki.url)
        assert "needs an API key" in one_error_line(missing)
        assert anki.actions == []  # nothing ran
        good = run(
            str(source_copy),
            "-o",
            out,
            "--push",
            "--anki-connect",
            anki.url,
            "--json",
            env={"ANKI_CONNECT_KEY": "right"},
        )
        assert good.returncode == 0, good.stderr
        pushed = json.loads(good.stdout)["push"]
        assert (pushed["new"], pushed["sent"]) == (36, 36)


def test_too_old_ankiconnect(source_copy: Path, tmp_path: Path) -> None:
    with AnkiConnectStandIn(tmp_path / "c.anki2", version=5) as anki:
        completed = run(
            str(source_copy),
            "-o",
            str(tmp_path / "out"),
            "--push",
            "--anki-connect",
            anki.url,
            "--json",
        )
        assert "too old" in one_error_line(completed)
        report = json.loads(completed.stdout)
        assert "too old" in report["push"]["error"] and report["changes"]["new"] == 36


def test_sync_without_ankiweb_login_fails_after_the_push(source_copy: Path, tmp_path: Path) -> None:
    with AnkiConnectStandIn(tmp_path / "c.anki2", sync_auth=False) as anki:
        completed = run(
            str(source_copy),
            "-o",
            str(tmp_path / "out"),
            "--push",
            "--sync",
            "--anki-connect",
            anki.url,
        )
        assert "sync: auth not configured" in one_error_line(completed)
        assert "importPackage" in anki.actions


def test_package_anki_cannot_read(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anki on another machine: the path chatdeck gives does not exist where Anki runs."""
    monkeypatch.setattr(Pusher, "path_for", lambda self, package: "/elsewhere/deck.apkg")
    with pytest.raises(PushError, match="Anki must run on this machine"):
        project.push()


def test_usage_errors(tmp_path: Path) -> None:
    assert run("--sync").returncode == 2
    assert run("--delete-removed").returncode == 2
    assert run("--watch", "--dry-run").returncode == 2
