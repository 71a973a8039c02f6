"""--preview: output/preview.html shows every card, offline, with night and phone toggles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SOURCE
from reviewer import block_network, launch_chromium


def test_preview_opens_offline_and_shows_every_card(tmp_path: Path) -> None:
    output = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), str(SOURCE), "-o", str(output), "--preview"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    preview = output / "preview.html"
    assert f"Wrote {preview}" in completed.stdout

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = launch_chromium(playwright, tmp_path / "profile")
        blocked = block_network(context, "file://")
        page = context.new_page()
        page.goto(preview.as_uri())
        assert page.locator("section").count() == 36
        assert page.locator(".card").count() == 72  # front and back of each
        assert page.locator("pre.highlight").count() > 0
        assert page.locator(".card.nightMode").count() == 0
        page.check("#night")
        assert page.locator(".card.nightMode.night_mode").count() == 72
        background = page.evaluate(
            "getComputedStyle(document.querySelector('.card')).backgroundColor"
        )
        assert background != "rgb(255, 255, 255)"
        page.check("#phone")
        width = page.evaluate(
            "document.querySelector('.preview-side').getBoundingClientRect().width"
        )
        assert width <= 360
        context.close()
    assert blocked == []
