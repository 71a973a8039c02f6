"""The render cache (chatdeck/render_cache.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import build_with, chatdeck_copy

from chatdeck.render_cache import CACHE_NAME, PAGE_SIZE, ReadOnlyCache, RenderCache


def test_what_a_dry_run_reads_of_the_cache_is_checked_value_by_value(tmp_path: Path) -> None:
    """A dry run's build reads removed notes' fields with get_many (see `chatdeck.removed`):
    a value changed outside chatdeck is left out, as get_file leaves one out."""
    folder, key = tmp_path / "cache", tmp_path / "key"
    cache = RenderCache(folder, key)
    cache.put_many([("kept", "<p>as rendered</p>"), ("planted", "<p>as rendered</p>")])
    cache.close()
    connection = sqlite3.connect(folder / CACHE_NAME)
    connection.execute(
        "UPDATE html SET value = '<img src=x onerror=alert(1)>' WHERE key = 'planted'"
    )
    connection.commit()
    connection.close()

    read_only = ReadOnlyCache(folder, key)
    assert read_only.get_many(["planted", "kept", "kept", "absent"]) == {
        "kept": "<p>as rendered</p>"
    }


def test_a_new_cache_has_pages_a_typical_answer_fits_on_and_an_old_one_still_serves(
    tmp_path: Path,
) -> None:
    folder, key = tmp_path / "cache", tmp_path / "key"
    answer = "<p>" + "an answer of a few KB " * 300 + "</p>"
    cache = RenderCache(folder, key)
    cache.put_many([("answer", answer)])
    cache.close()
    connection = sqlite3.connect(folder / CACHE_NAME)
    assert connection.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,)
    connection.execute("PRAGMA page_size = 4096")  # the size of caches made before
    connection.execute("VACUUM")
    assert connection.execute("PRAGMA page_size").fetchone() == (4096,)
    connection.close()
    reopened = RenderCache(folder, key)
    assert reopened.get_many(["answer"]) == {"answer": answer}
    reopened.close()


def test_an_update_of_the_question_fencing_renders_unchanged_files_again(tmp_path: Path) -> None:
    """A chatdeck update that changes only how pasted code is fenced in a question (as 9c69378
    did): a rebuild of unchanged files must give the cards a clean build of the update gives,
    not the parse cache's cards of the version before."""
    package, source, output = chatdeck_copy(tmp_path / "lib"), tmp_path / "source", tmp_path / "out"
    source.mkdir()
    (source / "a.md").write_text("Q: What does ls print?\nA: The files.\n", encoding="utf-8")
    build_with(package, [source], output)
    fencing = package / "chatdeck" / "pasted_code.py"
    fencing.write_text(
        fencing.read_text(encoding="utf-8")
        + "\n\n_before = fence_pasted_code\n\n\n"
        + "def fence_pasted_code(question: str) -> str:  # the update\n"
        + '    return _before(question) + "\\n\\n(asked in a shell)"\n',
        encoding="utf-8",
    )
    rebuilt = build_with(package, [source], output)
    assert rebuilt == build_with(package, [source], tmp_path / "clean")


def test_the_parser_version_covers_every_module_the_parse_imports() -> None:
    """A module that decides what a file parses into (`xml_chats`, `pasted_tables`) but is left
    out of `PARSE_MODULES` would let a cached parse outlive a change to it."""
    import ast

    from chatdeck import render_cache

    package = Path(render_cache.__file__).parent
    known = set(render_cache.PARSE_MODULES) | set(render_cache.RENDER_MODULES)
    # (where a card's media comes from, the cache's own keys and a deck's place are no reading;
    # a saved page's reply is keyed by its module's own version, `reply_cache_key`)
    apart = {"media.py", "render_cache.py", "decks.py", "reply_html.py"}
    missing = set()
    for name in render_cache.PARSE_MODULES:
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chatdeck."):
                imported = node.module.removeprefix("chatdeck.") + ".py"
                if imported not in known | apart:
                    missing.add(f"{name} imports {imported}")
    assert not missing
