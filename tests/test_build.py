"""Parallel and cached builds give byte-for-byte the deck a clean single-process build gives."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import FIXTURES, SOURCE, TEMPLATES

import chatdeck.build as build_module
from chatdeck.build import build
from chatdeck.package import load_templates


def single_process_build(paths: list[Path], output: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """No workers and no cache: the build every other one must match byte for byte."""
    with monkeypatch.context() as patch:
        patch.setattr(build_module, "POOL_THRESHOLD", 10**9)
        patch.setattr(build_module, "RENDER_BATCH", 10**9)
        return build(paths, output, load_templates(TEMPLATES), jobs=1, use_cache=False)


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list:
    """Builds use workers even for the 5 seed files; the list collects the pools they start."""
    started: list = []

    class RecordedWorkers(build_module.Workers):
        def close(self) -> None:
            started.append(self.pool)
            super().close()

    monkeypatch.setattr(build_module, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(build_module, "Workers", RecordedWorkers)
    return started


def test_parallel_and_cached_builds_match_a_clean_single_process_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pools: list
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    templates = load_templates(TEMPLATES)

    clean = single_process_build([SOURCE], tmp_path / "clean", monkeypatch).output
    assert not any(pools)  # no worker ever started
    parallel = build([SOURCE], tmp_path / "parallel", templates, jobs=2).output
    assert pools and pools[-1] is not None  # workers parsed and rendered
    assert (tmp_path / "parallel" / ".cache" / "render.sqlite").is_file()
    cached = build([SOURCE], tmp_path / "parallel", templates, jobs=2).output  # all from cache
    assert clean is not None and parallel is not None and cached is not None
    assert parallel.read_bytes() == clean.read_bytes()
    assert cached.read_bytes() == clean.read_bytes()


def test_a_cached_rebuild_after_edits_matches_a_clean_build_from_the_same_state(
    source_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pools: list
) -> None:
    """The rebuild a user runs after editing: most of it comes from the cache, and the deck must
    be byte for byte what a clean single-process build makes from the same files and state."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    templates = load_templates(TEMPLATES)
    cached_dir, clean_dir = tmp_path / "cached", tmp_path / "clean"
    first = build([source_copy], cached_dir, templates, jobs=2).output
    assert first is not None
    first_bytes = first.read_bytes()
    clean_dir.mkdir()  # the clean build starts from the same state and previous deck
    for name in (".build-state.json", first.name):
        shutil.copy(cached_dir / name, clean_dir / name)

    edited = source_copy / "003_0382162edb178db0.txt"
    text = edited.read_text(encoding="utf-8")
    unique_question = "Q: what is model distillation in deep learning?"  # in no other file
    assert unique_question in text
    edited.write_text(
        text.replace("inference", "serving", 1).replace(unique_question, "", 1)
        + "\n\nQ: what is a brand new question?\n\nA: A new answer with `code`.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    cached = build([source_copy], cached_dir, templates, jobs=2)
    clean = single_process_build([source_copy], clean_dir, monkeypatch)
    assert cached.output is not None and clean.output is not None
    assert len(cached.removed) == len(clean.removed) == 1
    assert cached.output.read_bytes() != first_bytes
    assert cached.output.read_bytes() == clean.output.read_bytes()
    state = ".build-state.json"
    assert (cached_dir / state).read_bytes() == (clean_dir / state).read_bytes()


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

    # Parsed files kept but their fields' HTML gone (a half-deleted cache): the build starts
    # again without the cache instead of failing or writing blank cards.
    connection = sqlite3.connect(cache)
    with connection:
        connection.execute("DELETE FROM html")
    connection.close()
    assert build([SOURCE], output, templates).output.read_bytes() == expected  # type: ignore[union-attr]


def test_a_rebuild_renders_only_the_edited_field(
    source_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = load_templates(TEMPLATES)
    output = tmp_path / "out"
    build([source_copy], output, templates)
    edited = source_copy / "002_e5c0f4d579d6b0ac.txt"
    text = edited.read_text(encoding="utf-8")
    assert text.count("tf.function") > 1
    edited.write_text(text.replace("tf.function", "tf.function()", 1), encoding="utf-8")

    rendered: list[str] = []
    real_render = build_module.render_markdown

    def counting_render(markdown: str, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
        rendered.append(markdown)
        return real_render(markdown, *args, **kwargs)

    monkeypatch.setattr(build_module, "render_markdown", counting_render)
    result = build([source_copy], output, templates)
    assert result.output is not None
    assert len(rendered) == 1 and "tf.function()" in rendered[0]


def test_a_chat_export_rendered_on_workers_matches_one_rendered_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pools: list
) -> None:
    """A chat export is one file of many notes: they are rendered in batches on the workers
    (which also keeps cmark-gfm's leak out of this process), with the same deck as a result."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    export = FIXTURES / "exports" / "chatgpt.json"
    clean = single_process_build([export], tmp_path / "clean", monkeypatch).output
    monkeypatch.setattr(build_module, "RENDER_BATCH", 1)
    parallel = build([export], tmp_path / "parallel", load_templates(TEMPLATES), jobs=2)
    assert pools and pools[-1] is not None
    assert len(parallel.merged) > 2  # so that batches went to the workers
    assert clean is not None and parallel.output is not None
    assert parallel.output.read_bytes() == clean.read_bytes()


def test_tex_macros_shown_as_text_are_warned_about_at_their_line(tmp_path: Path) -> None:
    source = FIXTURES / "hostile" / "math_and_media.md"
    result = build([source], tmp_path / "output", load_templates(TEMPLATES))
    warned = {
        (problem.line, problem.message.split()[2])
        for problem in result.problems
        if problem.source == "math_and_media.md" and problem.message.startswith("TeX macro")
    }
    assert warned == {
        (1, "\\href"),
        (8, "\\style"),
        (16, "\\mmlToken"),
        (20, "\\style"),
        (23, "\\bbox"),
        (23, "\\cssId"),
        (24, "\\class"),
        (25, "\\require"),
    }
    cached = build([source], tmp_path / "output", load_templates(TEMPLATES))  # from the cache
    assert [str(p) for p in cached.problems] == [str(p) for p in result.problems]
