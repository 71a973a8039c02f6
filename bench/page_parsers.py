"""Which parser chatdeck's page reader should build its tree with: `python bench/page_parsers.py`.

For each parser BeautifulSoup can use (Python's own `html.parser`, `lxml`, `html5lib`; the last
two must be installed), it reads every page fixture with `chatdeck.pages.read_page` and says
whether the notes (questions and rebuilt answers) are exactly those `html.parser` gives, then
times `read_page` (parse, find the turns, rebuild every reply) on a page of about 2 MB: the
turns of tests/fixtures/pages/chatgpt.html repeated; and, apart, building the tree alone.
CPU time of this process, best of 5 (the machine it was written on is shared: wall time and
medians moved by 2x between runs, the best CPU time by a few percent).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatdeck import pages  # noqa: E402

PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"
PARSERS = ("html.parser", "lxml", "html5lib")
REPEAT = 5


def notes_with(parser: str, path: Path) -> tuple[object, ...]:
    pages.PARSER = parser
    page = pages.read_page(path, path.name)
    return (
        tuple((c.title, c.site) for c in page.conversations),
        tuple((n.question, n.answer) for n in page.notes),
        tuple(str(problem) for problem in page.problems),
    )


def big_page(folder: Path, size: int = 2_000_000) -> tuple[Path, int]:
    base = (PAGES / "chatgpt.html").read_text(encoding="utf-8")
    start, end = base.index("<article"), base.rindex("</article>") + len("</article>")
    turns = base[start:end]
    copies = max(1, (size - len(base)) // len(turns) + 1)
    path = folder / "big.html"
    path.write_text(base[:start] + turns * copies + base[end:], encoding="utf-8")
    return path, copies * 3


def main() -> int:
    available = []
    for parser in PARSERS:
        try:
            pages.BeautifulSoup("<p>x</p>", parser)
            available.append(parser)
        except Exception as error:  # bs4.FeatureNotFound: not installed
            print(f"{parser}: not available ({error})")
    fixtures = sorted(PAGES.glob("*.html"))
    print("| fixture | " + " | ".join(available) + " |")
    print("|---|" + "---|" * len(available))
    same = True
    for path in fixtures:
        reference = notes_with("html.parser", path)
        cells = []
        for parser in available:
            result = notes_with(parser, path)
            cells.append(
                f"{len(result[1])} notes, {'same' if result == reference else 'DIFFERENT'}"
            )
            same = same and result == reference
        print(f"| {path.name} | " + " | ".join(cells) + " |")
    with tempfile.TemporaryDirectory() as folder:
        path, expected = big_page(Path(folder))
        megabytes = path.stat().st_size / 1e6
        markup = path.read_text(encoding="utf-8")
        print(f"\n{megabytes:.1f} MB page ({expected} notes expected), CPU s, best of {REPEAT}:")
        print("| parser | tree only | read_page | notes |")
        print("|---|---:|---:|---:|")
        for parser in available:
            pages.PARSER = parser
            trees, reads = [], []
            for _ in range(REPEAT):
                started = time.process_time()
                pages.BeautifulSoup(markup, parser)
                trees.append(time.process_time() - started)
                started = time.process_time()
                page = pages.read_page(path, path.name)
                reads.append(time.process_time() - started)
            tree, read = min(trees), min(reads)
            print(f"| {parser} | {tree:.2f} | {read:.2f} | {len(page.notes)} |")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
