"""How quick `--preview` is with many cards: `python bench/preview.py [--pairs N] [--repeat R]`.

Builds a corpus of N pairs (make_corpus.py) with `--preview`, opens output/preview.html in
headless Chromium (Debian's, as the browser tests use it; playwright drives it) and measures,
R times: the page load, each filter (guessed, warned, changed, all: from choosing it until the
page has filtered, and the page's own time to filter, `data-filter-ms`) and a search (the
first, which indexes the text, then one more: the page's own time). It prints medians.
These are the figures the preview's promise ("quick with thousands of cards") rests on; the
browser tests check what the page shows, not how fast.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT / "tests")]

import make_corpus  # noqa: E402
from reviewer import launch_chromium  # noqa: E402


def search(page: Any, query: str) -> float:
    """Type `query` into the search box; the page's own time to filter, in ms."""
    page.evaluate("document.body.removeAttribute('data-filter-ms')")
    page.fill("#search", query)
    page.wait_for_function("document.body.hasAttribute('data-filter-ms')")
    return float(page.evaluate("document.body.dataset.filterMs"))


def measure(page: Any, preview: Path) -> dict[str, float]:
    """One round of seconds (and the page's own ms for searches) on a fresh load."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    page.goto(preview.as_uri())
    page.wait_for_selector("section.pv-card")
    times["load s"] = time.perf_counter() - started
    for value in ("guessed", "warned", "changed", "all"):
        page.evaluate("document.body.removeAttribute('data-filter-ms')")
        started = time.perf_counter()
        page.select_option("#filter", value)
        page.wait_for_function("document.body.hasAttribute('data-filter-ms')")
        times[f"filter {value} s"] = time.perf_counter() - started
        times[f"filter {value} ms"] = float(page.evaluate("document.body.dataset.filterMs"))
    times["first search ms"] = search(page, "case 2718)")
    times["next search ms"] = search(page, "gradient checkpointing")
    search(page, "")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus, output = work / "corpus", work / "output"
        make_corpus.write_corpus(args.pairs, corpus)
        command = [sys.executable, str(ROOT / "build_deck.py"), str(corpus), "-o", str(output)]
        subprocess.run([*command, "--preview", "-q"], check=True)
        preview = output / "preview.html"
        rounds = []
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, work / "profile")
            for _ in range(args.repeat):
                page = browser.new_page()
                page.set_viewport_size({"width": 1280, "height": 800})
                rounds.append(measure(page, preview))
                page.close()
            browser.close()
    size = f"{args.pairs:,} cards"
    print(f"{size}, medians of {args.repeat}:")
    for name in rounds[0]:
        print(f"  {name}: {statistics.median(r[name] for r in rounds):.2f}")


if __name__ == "__main__":
    main()
