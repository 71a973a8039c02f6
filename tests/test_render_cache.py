"""The render cache (chatdeck/render_cache.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
