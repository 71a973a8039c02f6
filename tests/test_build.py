"""Parallel and cached builds give byte-for-byte the deck a clean single-process build gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SOURCE, TEMPLATES

import chatdeck.build as build_module
from chatdeck.build import build
from chatdeck.package import load_templates


def test_parallel_and_cached_builds_match_a_clean_single_process_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(build_module, "POOL_THRESHOLD", 1)  # use workers even for 5 files
    templates = load_templates(TEMPLATES)

    clean = build([SOURCE], tmp_path / "clean", templates, jobs=1, use_cache=False).output
    parallel = build([SOURCE], tmp_path / "parallel", templates, jobs=2).output
    assert (tmp_path / "parallel" / ".cache" / "render.sqlite").is_file()
    shutil.copy(tmp_path / "clean" / ".build-state.json", tmp_path / "state.json")
    cached = build([SOURCE], tmp_path / "parallel", templates, jobs=2).output  # all from cache
    assert clean is not None and parallel is not None and cached is not None
    assert parallel.read_bytes() == clean.read_bytes()
    assert cached.read_bytes() == clean.read_bytes()


def test_a_deleted_or_damaged_cache_is_harmless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    templates = load_templates(TEMPLATES)
    output = tmp_path / "out"
    first = build([SOURCE], output, templates).output
    assert first is not None
    expected = first.read_bytes()
    cache = output / ".cache" / "render.sqlite"
    cache.write_bytes(b"this is not a database")
    assert build([SOURCE], output, templates).output.read_bytes() == expected  # type: ignore[union-attr]
    shutil.rmtree(output / ".cache")
    assert build([SOURCE], output, templates).output.read_bytes() == expected  # type: ignore[union-attr]
