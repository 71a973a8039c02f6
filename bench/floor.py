"""The floor: the least any Python tool must spend on a corpus: `python bench/floor.py DIR OUT`.

Reads every file in DIR, splits it into question/answer pairs with one regex split (answers kept as
they are, only HTML-escaped: no Markdown rendering, no rule chain), highlights every ```python
block with Pygments, and writes all notes with genanki (one model, one deck, one package).
One process, nothing else.
`bench/run.py` divides chatdeck's cold build time by this one to see how much is overhead.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import genanki
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

QUESTION = re.compile(r"^Q:[ \t]*", re.MULTILINE)
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

MODEL = genanki.Model(
    1607392319,
    "Floor Q&A",
    fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[{"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{FrontSide}}<hr>{{Answer}}"}],
)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python bench/floor.py DIR OUT.apkg", file=sys.stderr)
        return 2
    lexer, formatter = PythonLexer(), HtmlFormatter(nowrap=True)

    def answer_html(answer: str) -> str:
        """Text escaped as is, every ```python block highlighted."""
        parts = PYTHON_BLOCK.split(answer)  # text, code, text, code, ..., text
        for i in range(1, len(parts), 2):
            parts[i] = "<pre>" + highlight(parts[i], lexer, formatter) + "</pre>"
        for i in range(0, len(parts), 2):
            parts[i] = html.escape(parts[i])
        return "".join(parts)

    deck = genanki.Deck(2059400110, "Floor")
    for path in sorted(Path(argv[0]).iterdir()):
        text = path.read_text(encoding="utf-8")
        for chunk in QUESTION.split(text)[1:]:  # what precedes the first `Q:` is no pair
            question, _, answer = chunk.partition("\n")
            answer = answer.lstrip("\n").removeprefix("A:").lstrip(" ")
            fields = [html.escape(question), answer_html(answer)]
            deck.add_note(genanki.Note(model=MODEL, fields=fields))
    genanki.Package(deck).write_to_file(argv[1])
    print(f"wrote {len(deck.notes)} notes to {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
