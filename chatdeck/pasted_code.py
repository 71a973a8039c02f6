"""Code and program output pasted into a question without a fence, fenced for its card.

A chat box takes what a user pastes as plain text: a log's `*****` rules, a Makefile's tabs,
Python's `*args` and `# comments` mean nothing there, but Markdown reads them as emphasis,
headings and paragraphs run together. A run of paragraphs that are code or output (at least half
their lines shaped like code, none a question or a line of Markdown the user meant: a list item,
a quote, a table row) is fenced, so that the card shows it as it was pasted. The question's text
is kept as written everywhere else (`--dry-run`, the note's identity); only its card's Markdown
gets the fence.
"""

from __future__ import annotations

import re

#: A line that opens program output or a console (`$ make`, `>>> `, `Traceback`, `fatal: ...`).
OUTPUT = re.compile(
    r"^(?:\$ |>>> |Traceback\b|File \"|npm ERR!|E: |Segmentation fault|at [\w.$]++\("
    r"|(?i:\[?(?:error|warning|warn|fatal|panic|critical)\b)|\w*(?:Error|Exception)\b:)"
)
#: Words that open a line of code in the common languages (`import os`, `def f(x):`).
CODE_WORDS = frozenset(
    "import from def class return async await const let var function fn pub use package "
    "func public private static include elif else try except finally raise throw yield "
    "select insert update delete create echo export".split()
)
CODE_CHARS = frozenset("(){}[];=<>$|\\")
#: A rule run inside a line (`TASK [x] *****`), or columns set apart by runs of spaces.
RULE_RUN = re.compile(r"\S[ \t]*+(?:\*{3,}|={3,}|-{5,}|_{3,})|\S {3,}\S")
INDENT = re.compile(r"^(?:\t| {2,})\S")
MARKDOWN_LINE = re.compile(r"^ {0,3}+(?:[-*+][ \t]|\d{1,9}+[.)][ \t]|>|\|)")
FENCE = re.compile(r"^ {0,3}+(?:`{3,}|~{3,})")
ASKING = ("?", "？", "؟")


def fence_pasted_code(question: str) -> str:
    """The question with each run of pasted code or output paragraphs fenced; the question
    itself when it has none (the same string: nothing to render differently)."""
    if "\n" not in question:
        return question
    lines = question.split("\n")
    paragraphs = _paragraphs(lines)
    code: list[bool] = []
    for start, end in paragraphs:
        # A line of code on its own (`main()`) goes on the code above it.
        follows = bool(code) and code[-1] and end - start == 1 and _code_line(lines[start])
        code.append(follows or _code_paragraph(lines[start:end]))
    if not any(code):
        return question
    out = list(lines)
    n = 0
    while n < len(paragraphs):
        if not code[n]:
            n += 1
            continue
        first = n
        while n + 1 < len(paragraphs) and code[n + 1]:
            n += 1
        start, end = paragraphs[first][0], paragraphs[n][1]
        # A line of words above or under the code, in the same paragraph, is the user's own.
        while _said(lines[start]):
            start += 1
        while _said(lines[end - 1]):
            end -= 1
        fence = "~~~" if any("```" in line for line in lines[start:end]) else "```"
        out[start] = f"{fence}\n{lines[start]}"
        out[end - 1] = f"{out[end - 1]}\n{fence}"
        n += 1
    return "\n".join(out)


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """Runs of non-blank lines as (start, end); a run that holds a fence ends the reading there
    (what follows a fence the user typed is theirs to mark)."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate([*lines, ""]):
        if i < len(lines) and FENCE.match(line):
            return runs
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _code_paragraph(lines: list[str]) -> bool:
    """At least half the lines shaped like code, none asking or a line of Markdown; a paragraph
    of one line only by a sure sign (a console line, an indented line, a line of code words)."""
    if any(
        line.rstrip().endswith(ASKING) or MARKDOWN_LINE.match(line)
        for line in lines
        if not line.lstrip().startswith("#")
    ):
        return False
    if all(line.startswith(("    ", "\t")) for line in lines):
        return False  # already an indented code block
    shaped = sum(_code_line(line) for line in lines)
    return shaped * 2 >= len(lines) and (len(lines) > 1 or _sure_code_line(lines[0]))


def _sure_code_line(line: str) -> bool:
    words = line.split()
    return bool(OUTPUT.match(line) or INDENT.match(line)) or (
        bool(words) and words[0] in CODE_WORDS and not line.rstrip().endswith((".", "!"))
    )


def _code_line(line: str) -> bool:
    """A line of code or program output, not of a sentence."""
    if _sure_code_line(line) or RULE_RUN.search(line):
        return True
    text = line.strip()
    words = text.split()
    if len(words) >= 5 and words[0][:1].isalpha() and text.endswith((".", "!", ":")):
        return False  # a sentence, whatever brackets it holds
    if sum(char in CODE_CHARS for char in text) >= 2 or len(OPTION.findall(text)) >= 2:
        return True
    return text.endswith(("{", "}", ";", "(", ",", ")")) and len(words) <= 8


def _said(line: str) -> bool:
    """A line of the user's own words by a run of code: one that introduces it (`I get this:`)
    or a sentence of five words or more (or of a script written without spaces) with no code
    in it."""
    text = line.strip()
    words = text.split()
    if (
        _sure_code_line(line)
        or any(char in CODE_CHARS for char in text)
        or any(INNER_MARK.search(word.rstrip(".,;:!?")) for word in words)
    ):
        return False
    if text.endswith((":", "：")) and len(words) >= 2:
        return True
    letters = sum(char.isalpha() for char in text)
    spaced = len(words) >= 5
    unspaced = " " not in text and any(ord(char) > 0x2E80 for char in text) and len(text) >= 4
    return letters * 10 >= len(text.replace(" ", "")) * 6 and (spaced or unspaced)


#: A mark inside a word that words do not hold (`urllib3.connectionpool`, `E/AndroidRuntime`).
INNER_MARK = re.compile(r"\w[./\\_:\"'=@#]|[\"']\w")
#: A command line's option (`-Wall`, `--limit`).
OPTION = re.compile(r"(?:^|\s)--?[A-Za-z][\w-]*")
