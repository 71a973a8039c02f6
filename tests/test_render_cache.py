"""The render cache's keys (chatdeck/render_cache.py): the versions of what renders."""

from __future__ import annotations

import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from chatdeck.render_cache import installed_version


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
