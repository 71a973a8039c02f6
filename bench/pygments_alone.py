"""Pygments alone: the code blocks of a corpus highlighted in one process, as chatdeck does it.

    python bench/pygments_alone.py --extract CORPUS BLOCKS.json   # once; needs chatdeck
    python bench/pygments_alone.py BLOCKS.json                    # the baseline run.py times

`--extract` finds exactly the blocks a cold build hands to Pygments: it parses the corpus with
`chatdeck.plan` (every note before merging, as a build renders them) and renders both fields of
every note with `chatdeck.render.render_field`, recording the (language, code) that reaches
`chatdeck.render.highlight_code` for a language Pygments has a lexer for (and skipping the
highlighting itself, which is not needed for that). Set PYTHONPATH to the chatdeck tree to use.

The timed run imports nothing of chatdeck: it reads the blocks and highlights each with the
lexer and formatter options `chatdeck.render` uses (`get_lexer_by_name(language, stripnl=False,
ensurenl=False)`, one lexer per language, and `HtmlFormatter(nowrap=True)`). It prints the CPU
seconds of its highlighting loop; `bench/run.py` takes the whole process's CPU (start-up, the
JSON and Pygments' import included) as the baseline a cold build's CPU is compared with.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def extract(corpus: Path, target: Path) -> int:
    """Write every (language, code) a cold build of `corpus` highlights to `target`."""
    import chatdeck
    from chatdeck import render

    found = chatdeck.plan([corpus])
    blocks: list[tuple[str, str]] = []

    def record(code: str, language: str) -> str | None:
        if language and render._lexer(language) is not None:  # noqa: SLF001
            blocks.append((language, code))
        return None  # shown unhighlighted: only which blocks reach Pygments matters here

    original = render.highlight_code
    render.highlight_code = record
    try:
        for note in found.notes:
            for markdown in (note.question, note.answer):
                render.render_field(markdown)
    finally:
        render.highlight_code = original
    data = {"corpus": str(corpus), "notes": len(found.notes), "blocks": blocks}
    target.write_text(json.dumps(data), encoding="utf-8")
    chars = sum(len(code) for _, code in blocks)
    print(f"{len(blocks)} code blocks ({chars:,} characters) in {len(found.notes)} notes")
    return 0


def highlight_all(source: Path) -> int:
    """Highlight every block of `source` (made by --extract) as chatdeck.render does."""
    started = time.process_time()
    blocks = json.loads(source.read_text(encoding="utf-8"))["blocks"]
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name

    formatter = HtmlFormatter(nowrap=True)
    lexers = {}
    ready = time.process_time()
    size = 0
    for language, code in blocks:
        lexer = lexers.get(language)
        if lexer is None:
            lexer = lexers[language] = get_lexer_by_name(language, stripnl=False, ensurenl=False)
        size += len(highlight(code, lexer, formatter))
    done = time.process_time()
    print(
        f"highlighted {len(blocks)} blocks in {len(lexers)} language(s) into {size:,} characters:"
        f" {done - ready:.2f} CPU s highlighting, {ready - started:.2f} CPU s reading the blocks"
        " and importing Pygments"
    )
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "--extract":
        return extract(Path(argv[1]), Path(argv[2]))
    if len(argv) == 1:
        return highlight_all(Path(argv[0]))
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
