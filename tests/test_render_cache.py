"""The render cache's keys (chatdeck/render_cache.py): the versions of what renders."""

from __future__ import annotations

import sqlite3
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from chatdeck.render_cache import CACHE_NAME, ReadOnlyCache, RenderCache, installed_version


def metadata_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@pytest.mark.parametrize(
    "name", ["chatdeck", "cmarkgfm", "Pygments", "pygments", "nh3", "typing-extensions", "nope-x"]
)
def test_installed_version_is_what_importlib_metadata_says(name: str) -> None:
    assert installed_version(name) == metadata_version(name)


def dist_info(folder: Path, name: str, metadata_text: str, file: str = "METADATA") -> None:
    folder.mkdir(parents=True)
    (folder / file).write_text(metadata_text, encoding="utf-8", newline="")
    (folder / "RECORD").write_text("")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_installed_version_reads_the_first_metadata_folder_on_the_path_as_importlib_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    lines = ["Metadata-Version: 2.1", "Name: My.Tool", "Version: 1.2.post3", "", "Version: 9"]
    dist_info(first / "my_tool-1.2.post3.dist-info", "My.Tool", newline.join(lines))
    dist_info(second / "my_tool-5.0.dist-info", "My.Tool", "Name: my-tool\nVersion: 5.0\n")
    legacy = "Metadata-Version: 1.0\nName: old-tool\nVersion: 0.9\n"
    dist_info(second / "old_tool.egg-info", "old-tool", legacy, "PKG-INFO")
    second.joinpath("no-version-1.0.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])

    for name in ["my-tool", "MY_TOOL", "my.tool", "old-tool", "no-version", "other"]:
        assert installed_version(name) == metadata_version(name), name
    assert installed_version("my-tool") == "1.2.post3"
    assert installed_version("old-tool") == "0.9"
    assert installed_version("other") is None


def test_installed_version_leaves_a_zip_on_the_path_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "tools.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped_tool-2.0.dist-info/METADATA", "Name: zipped-tool\nVersion: 2.0\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert installed_version("zipped-tool") == metadata_version("zipped-tool") == "2.0"


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
