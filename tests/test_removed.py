"""Questions that left their file (chatdeck/removed.py): their old fields come from the caches
when they hold them, byte for byte what reading the previous .apkg gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATES, deck_options, state_without_deck_stamp

import chatdeck.removed
from chatdeck.build import build
from chatdeck.removed import REMOVED_TAG
from chatdeck.render_cache import CACHE_FOLDER
from chatdeck.state import state_path
from chatdeck.templates import load_templates

QUESTION = "Q: what is model distillation in deep learning?"


def test_a_removed_note_comes_from_the_caches_as_it_would_from_the_apkg(
    source_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (source_copy / "deck.toml").write_text('deck = "ML"\ntags = ["ml", "interview"]\n')
    templates = load_templates(TEMPLATES)
    first = tmp_path / "first"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    built = build([source_copy], deck_options(first, templates)).output
    edited = source_copy / "003_0382162edb178db0.txt"
    text = edited.read_text(encoding="utf-8")
    assert text.count(QUESTION) == 1
    edited.write_text(text.replace(QUESTION, "", 1), encoding="utf-8")

    asked: list[list[str]] = []
    read_package_notes = chatdeck.removed.read_package_notes

    def counted(path: Path, guids: list[str]) -> dict[str, tuple[str, list[str], list[str]]]:
        asked.append(list(guids))
        return read_package_notes(path, guids)

    monkeypatch.setattr(chatdeck.removed, "read_package_notes", counted)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    results = {}
    for name in ("cached", "no cache"):  # the same previous deck, state and (or no) cache
        output = tmp_path / name
        shutil.copytree(first, output)
        if name == "no cache":
            shutil.rmtree(output / CACHE_FOLDER)
        asked.clear()
        results[name] = build([source_copy], deck_options(output, templates))
        assert len(results[name].removed) == 1
        if name == "cached":
            assert not any(asked), "the .apkg is not read when the caches hold the fields"
        else:
            assert [len(guids) for guids in asked] == [1]

    cached, uncached = results["cached"], results["no cache"]
    assert cached.removed == uncached.removed
    assert cached.removed[0].tags == ("ml", "interview", REMOVED_TAG)
    assert cached.output.read_bytes() == uncached.output.read_bytes()
    state = state_path(first, built.name).name
    assert state_without_deck_stamp(tmp_path / "cached" / state) == state_without_deck_stamp(
        tmp_path / "no cache" / state
    )
