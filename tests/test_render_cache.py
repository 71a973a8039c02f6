"""The render cache (chatdeck/render_cache.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chatdeck.render_cache import CACHE_NAME, ReadOnlyCache, RenderCache


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
