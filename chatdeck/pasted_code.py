"""Code and program output pasted into a question without a fence, fenced for its card.

A chat box takes what a user pastes as plain text: a log's `*****` rules, a Makefile's tabs,
Python's `*args` and `# comments` mean nothing there, but Markdown reads them as emphasis,
headings and paragraphs run together. A run of paragraphs that are code or output is fenced, so
that the card shows it as it was pasted. The reading is cautious, since a fence around a user's
own words or math would be worse than no fence: a paragraph is code when at least half its lines
are shaped like code and none is a question, a sentence, math or Markdown the user meant (a
list, a quote, a table, inline code, emphasis, a link). The question's text is kept as written
everywhere else (`--dry-run`, the note's identity); only its card's Markdown gets the fence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from chatdeck.turn_markers import COLONS

#: A line that opens program output or a console (`$ make`, `>>> `, `Traceback`, `fatal: ...`,
#: `error[E0382]: ...`, `user@host:~$ ls`, `thread 'main' panicked at`).
OUTPUT = re.compile(
    r"^(?:\$ |>>> |Traceback \(most recent call last\)|  File \"|npm ERR!|E: |Segmentation fault"
    r"|[ \t]+at [\w.$<>]++\(|(?:error|warning|fatal|panic|note|hint)(?:\[\w+\])?: "
    r"|Error: (?=[A-Z]{2,}+(?:[ _][A-Z]{2,}+)*+:|\S*?[/.:]\S)"  # `Error: INSTALLATION FAILED:`
    r"|\[?(?:ERROR|WARN|WARNING|FATAL|INFO|DEBUG)\b|[A-Z]\w*(?:Error|Exception)\b"
    r"|[\w.-]++@[\w.-]++:\S*[$#] |thread '[^']*' panicked at |[\w.-]++: \*\*\* )"
)
#: GLib's log line (`** (process:16757): CRITICAL **: ...`, `(app:12): Gtk-WARNING **: ...`,
#: `** Message: ...`): output whose `**` are no emphasis.
GLIB_LOG = re.compile(
    r"^(?:\*\*[ \t])?(?:\([\w.-]++:\d++\):[ \t]++)?(?:[A-Za-z]\w*+-)?"
    r"(?:CRITICAL|WARNING|ERROR|INFO|DEBUG)[ \t]\*\*:|^\*\*[ \t]Message:[ \t]"
)
#: A log record's time (`21:16:42.107`, `2024-03-09T14:22:05Z`) and the bracket its level may
#: stand in; the level follows (`[error]`, `INFO`).
LOG_TIME = r"(?:\d{4}[-/]\d{2}[-/]\d{2}[ T])?\d{1,2}:\d{2}:\d{2}(?:[.,]\d++)?Z?[ \t]++\[?"
#: A record of a program's output that opens like no sentence: a bracketed count
#: (`[100%] Linking CXX executable app`, `[2/5] Compiling`), a program's name over its error
#: (`collect2: error: ...`), a compiler's diagnostic at a file's line (`src/Main.hs:14:30:
#: error: ...`, `Main.java:5: warning: ...`) or a module's exception (`sqlite3.Error: ...`).
OUTPUT_RECORD = re.compile(
    r"^(?:\[[ \t]*+\d{1,3}+%\]|\[\d++/\d++\]|[\w.-]++:[ \t]++(?:error|warning|fatal|note):"
    r"|[\w/\\-]*+(?:\.[\w/\\-]++)++(?::\d++){1,2}+:[ \t]++(?:fatal[ \t]++)?(?:error|warning)"
    r"(?:\[[\w-]++\])?:"
    r"|(?:[A-Za-z_]\w*+\.)++(?:[A-Z]\w*?(?:Error|Exception|Warning)|error):"
    # a log record's time and level (`21:16:42.107 [error] ...`), Elixir's `** (ArithmeticError)`
    rf"|{LOG_TIME}(?i:error|warning|warn|info|debug|fatal|critical|notice)\]?"
    r"|\*\*[ \t]\((?:[A-Z]\w*(?:Error|Exception)|exit|EXIT|throw)\))[ \t]"
)
#: Words that open a line of code in the common languages (`import os`, `def f(x):`).
CODE_WORDS = frozenset(
    "import from def class return async await const let var function fn pub use package "
    "func public private static include elif try except finally raise throw yield".split()
)
#: Keywords written in capitals that open a line of SQL or a Dockerfile.
UPPER_CODE_WORDS = frozenset(
    "SELECT FROM WHERE JOIN LEFT INNER GROUP ORDER HAVING LIMIT INSERT UPDATE DELETE CREATE "
    "ALTER DROP WITH VALUES SET RUN COPY WORKDIR CMD ENV ENTRYPOINT EXPOSE ARG".split()
)
CODE_CHARS = frozenset("(){}[];=<>$|\\")
#: An assignment: names (`x`, `a, b`, `self.x`, `xs[0]`) and `=` or an augmented `+=`.
ASSIGNMENT = re.compile(
    r"^[ \t]*+[A-Za-z_][\w.]*+(?:\[[^\]]*+\])?(?:[ \t]*+,[ \t]*+[A-Za-z_][\w.]*+)*+"
    r"[ \t]*+(?:[-+*/%&|^]|//|\*\*)?=(?!=)"
)
#: What opens a comment line in the common languages.
COMMENT_MARKS = ("#", "//", "--", "/*", "*", ";")
#: A rule run inside a line (`TASK [x] *****`), or columns set apart by runs of spaces.
RULE_RUN = re.compile(r"\S[ \t]*+(?:\*{5,}|={5,}|-{5,}|_{5,})|\S {3,}\S")
#: Markdown a user typed on purpose: a list item, a quote (not a console's `>>>`), math,
#: inline code, emphasis, a link or an image.
MARKDOWN_LINE = re.compile(r"^ {0,3}+(?:[-*+][ \t]|\d{1,9}+[.)][ \t]|>(?!>>))")
MARKDOWN_SPAN = re.compile(
    r"\$[^$\s][^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]|`[^`]+`|\*\*[^\s*]|[^\s*]\*\*|(?<!\w)__[^\s_]|!?\[[^\]]*\]\([^)]*\)"
)
TABLE_DELIMITER = re.compile(r"^[ \t]*+\|?[ \t]*+:?-{3,}:?[ \t]*+(?:\|[ \t]*+:?-{3,}:?[ \t]*+)+\|?")
FENCE = re.compile(r"^ {0,3}+(?:`{3,}|~{3,})")
#: Letters of scripts written without spaces between words (Chinese, Japanese, Korean, Thai).
UNSPACED = re.compile(r"[\u0e00-\u0e7f\u2e80-\u9fff\uac00-\ud7af]")
GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
#: A command line's option (`-Wall`, `--limit`).
OPTION = re.compile(r"(?:^|\s)--?[A-Za-z][\w-]*")
#: A mark inside a word that words do not hold (`urllib3.connectionpool`, `E/AndroidRuntime`).
INNER_MARK = re.compile(r"\w[./\\_:\"'=@#]|[\"']\w")


def fence_pasted_code(question: str) -> str:
    """The question with each run of pasted code or output paragraphs fenced; the question
    itself when it has none (the same string: nothing to render differently)."""
    if "\n" not in question:
        return question
    lines = question.split("\n")
    runs: list[tuple[int, int]] = []  # code lines, as [start, end) of each paragraph's core
    for start, end in _paragraphs(lines):
        core = _code_core(lines, start, end)
        adjacent = bool(runs) and runs[-1][1] == start - _blank_lines_before(lines, start)
        follows = (
            core is None
            and adjacent
            and end - start == 1
            and code_line(lines[start])
            and not _asks(lines[start])
            and sum(_word(token) for token in lines[start].split()) <= 1
        )
        indented = (
            core is None
            and adjacent
            and all(line.startswith(("    ", "\t")) for line in lines[start:end])
        )
        if follows or indented:
            # a line of code on its own (`main()`), or code indented under the code above (a
            # page that set each line apart: `def main():`, then `    with open(...)`), goes
            # on that code
            core = (start, end)
        if core is None:
            continue
        if runs and runs[-1][1] == core[0] - _blank_lines_before(lines, core[0]):
            runs[-1] = (runs[-1][0], core[1])
        else:
            runs.append(core)
    if not runs:
        return question
    out = list(lines)
    for start, end in runs:
        fence = "~~~" if any("```" in line for line in lines[start:end]) else "```"
        out[start] = f"{fence}\n{lines[start]}"
        out[end - 1] = f"{out[end - 1]}\n{fence}"
    return "\n".join(out)


#: A command line with no prompt (`docker image ls app`): a lowercase program's name and its
#: arguments, in ASCII, no sentence's end.
COMMAND = re.compile(r"^[a-z][\w.-]*+(?:[ \t]++[\x21-\x7e]++(?<![,;]))++(?<![.!?])$")


def bare_code(paragraph: Sequence[str], labelled: bool = False) -> bool:
    """A paragraph that reads as code only: a line shaped like code (`code_line`, an import, an
    assignment, a line opening an indented block), the rest comments or lines of no words, and
    no table, math, question or other Markdown (for code a copy of a page left without its
    fence, under its label). `labelled`: the label is right over the code, which may then hold
    lines of words (`docker image ls app` reads as words)."""
    shaped = [
        code_line(line)
        or ASSIGNMENT.match(line) is not None
        or line.split(" ", 1)[0] in CODE_WORDS
        or _opens_block(line, paragraph[n + 1] if n + 1 < len(paragraph) else "")
        or (labelled and COMMAND.match(line) is not None)
        for n, line in enumerate(paragraph)
    ]
    if not any(shaped):
        return False
    for line, code in zip(paragraph, shaped, strict=True):
        text = line.strip()
        if text.startswith(("|", "$$")):
            return False  # a table's row, display math: the reply's Markdown
        if code or text.startswith(COMMENT_MARKS):
            continue
        if labelled and line[:1].isspace() and text.startswith("- "):
            continue  # under a label, `  - name: x` is YAML's list, not Markdown's
        span = MARKDOWN_SPAN.search(line)
        if labelled and span is not None and span.group(0)[:1] == "$":
            span = None  # under a language's label, `$name ... $other` are the code's variables
        if _asks(line) or MARKDOWN_LINE.match(line) or span:
            return False
        if _prose(line) and not labelled:
            return False
    return True


def _opens_block(line: str, under: str) -> bool:
    """A line ending in `:` or `{` over a line indented deeper."""
    indent = len(line) - len(line.lstrip())
    deeper = len(under) - len(under.lstrip()) > indent and bool(under.strip())
    return deeper and line.rstrip().endswith((":", "{"))


def _blank_lines_before(lines: list[str], i: int) -> int:
    count = 0
    while i - count - 1 >= 0 and not lines[i - count - 1].strip():
        count += 1
    return count


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """Runs of non-blank lines as (start, end), up to the first fence the user typed (what
    follows it is theirs to mark)."""
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


def pasted_output(paragraph: Sequence[str]) -> bool:
    """A paragraph that is code or program output from its first line to its last (a traceback,
    a log, a console), with no words of the asker's around it: what `fence_pasted_code` fences
    whole."""
    lines = list(paragraph)
    return _code_core(lines, 0, len(lines)) == (0, len(lines))


def program_output(paragraph: Sequence[str]) -> bool:
    """A paragraph that holds a program's output (a console line, a traceback, a log record),
    not only code."""
    lines = list(paragraph)
    return bool(_traceback_lines(lines)) or any(
        OUTPUT.match(line) or OUTPUT_RECORD.match(line) or GLIB_LOG.match(line) for line in lines
    )


def _code_core(lines: list[str], start: int, end: int) -> tuple[int, int] | None:
    """The code lines of a paragraph, without the user's words above or under them (`I get
    this:`, `why does it fail?`); None when the paragraph is no code."""
    while start < end and (_said(lines[start]) or _asks(lines[start])):
        start += 1
    while end > start and (_said(lines[end - 1]) or _asks(lines[end - 1])):
        end -= 1
    core = lines[start:end]
    if not core or any(TABLE_DELIMITER.match(line) for line in lines[start:end]):
        return None
    traced = _traceback_lines(core)
    for n, line in enumerate(core):
        if _asks(line):
            return None
        if n in traced or GLIB_LOG.match(line):
            continue  # a traceback's frames, `call(**kwargs)`, a log's `WARNING **:`: no emphasis
        if MARKDOWN_LINE.match(line) or MARKDOWN_SPAN.search(line):
            return None
        if not code_line(line) and not line.lstrip().startswith("#") and _prose(line):
            return None
    if all(line.startswith(("    ", "\t")) for line in core):
        return None  # already an indented code block
    shaped = sum(code_line(line) or n in traced for n, line in enumerate(core))
    if shaped * 2 < len(core) or (len(core) == 1 and not _sure_code_line(core[0])):
        return None
    return start, end


def _traceback_lines(core: list[str]) -> set[int]:
    """The lines of the tracebacks in a paragraph: each Python `Traceback (most recent call
    last):` line, the indented frames under it and the exception's line after them; each
    Elixir `** (exit) ...` line and the indented frames under it; each Erlang shell's
    `** exception error: ...` and the `in ...` / `called as ...` lines under it (indented or,
    as a page shows them, not); each numbered frame (gdb's `#0  0x7fa4dc0218c2 in ???`) and
    the indented lines under it; each Go call over its indented `file.go:line`."""
    traced: set[int] = set()
    n = 0
    while n < len(core):
        if n + 1 < len(core) and GO_CALL.match(core[n]) and GO_FRAME.match(core[n + 1]):
            traced.update((n, n + 1))  # a Go trace's call and its file's line under it
            n += 2
            continue
        if NUMBERED_FRAME.match(core[n]):  # a numbered backtrace's frame, its `at` lines under it
            traced.add(n)
            n += 1
            while n < len(core) and core[n][:1] in (" ", "\t"):
                traced.add(n)
                n += 1
            continue
        python = core[n].startswith("Traceback (most recent call last)")
        erlang = ERLANG_EXCEPTION.match(core[n]) is not None
        if not python and not erlang and not core[n].startswith("** ("):
            n += 1
            continue
        traced.add(n)
        n += 1
        while n < len(core) and (
            core[n][:1] in (" ", "\t") or (erlang and ERLANG_FRAME.match(core[n]))
        ):
            traced.add(n)
            n += 1
        if python and n < len(core):
            traced.add(n)  # `ValueError: month must be in 1..12`
            n += 1
    return traced


#: A Go trace's call (`github.com/spf13/cobra.(*Command).execute`, `main.main()`) and the
#: indented file and line under it (`\tgithub.com/spf13/cobra@v1.8.0/command.go:983 +0x1a`).
GO_CALL = re.compile(r"^(?:[\w@/-]++\.)++(?:\(\*?\w++\)\.)?\w++(?:\(.{0,200}\))?$")
GO_FRAME = re.compile(r"^(?:\t| {2,})\S++\.go:\d++(?: \+0x[0-9a-f]++)?$")
#: An Erlang shell's exception (`** exception error: bad argument`) and its frames' lines.
ERLANG_EXCEPTION = re.compile(r"^\*\* exception (?:error|exit|throw):")
ERLANG_FRAME = re.compile(r"^[ \t]*+(?:in (?:operator|function|call from)|called as) ")
#: A frame of a numbered backtrace, gdb's and libbacktrace's (`#0  0x7fa4dc0218c2 in ???`,
#: `#1  main () at heat.c:14`).
NUMBERED_FRAME = re.compile(
    r"^#\d{1,4}+[ \t]++(?:0x[0-9a-fA-F]++[ \t]++in[ \t]++\S"
    r"|[\w.:<>~$]++[ \t]*+\(.*\)(?:[ \t]++(?:at|from)[ \t]++\S.*)?$)"
)
#: A value a Go trace could not read, `0x0?`, inside a call's brackets.
UNKNOWN_VALUE = re.compile(r"\b0x[0-9a-f]++\?[,)}\]]")


def _asks(line: str) -> bool:
    """A line that asks: it ends in a question mark (before any emoji or closing bracket), or in
    Greek, in `;`; a backtrace's frame whose function is unknown (`#3  0x561a81 in ???`) does
    not."""
    text = line.rstrip()
    if NUMBERED_FRAME.match(text):
        return False
    if text.endswith((")", "}", "]")) and UNKNOWN_VALUE.search(text):
        return False  # a Go trace's frame: `flushFrame(0xc0001, {0x0?, 0x0?})`
    while text and not (text[-1].isalnum() or text[-1] in "?？؟;.:!"):
        text = text[:-1].rstrip()
    return text.endswith(("?", "？", "؟", ";")) and (
        not text.endswith(";") or bool(GREEK.search(text))
    )


def _prose(line: str) -> bool:
    """A line of words: most of its tokens plain words, or letters of a script written without
    spaces (a formula inside a Chinese sentence is the sentence's)."""
    text = line.strip()
    if len(UNSPACED.findall(text)) >= 2:
        return True
    tokens = text.split()
    words = sum(_word(token) for token in tokens)
    return len(tokens) >= 3 and words * 10 >= len(tokens) * 7


def _word(token: str) -> bool:
    """A word of some language: letters and their marks (Devanagari's vowel signs), maybe an
    apostrophe or hyphen inside and a punctuation mark after."""
    bare = token.rstrip(",.;:!?")
    return (
        bool(bare)
        and bare[0].isalpha()
        and all(unicodedata.category(char)[0] in "LM" or char in "'’-" for char in bare)
    )


def _sure_code_line(line: str) -> bool:
    """A console line, output's opening, or a line of code words (`import os`, `def f(x):`)."""
    if OUTPUT.match(line) or GLIB_LOG.match(line):
        return True
    words = line.split()
    if not words:
        return False
    first = words[0]
    if first in UPPER_CODE_WORDS and first.isupper():
        return True
    text = line.strip()
    return first in CODE_WORDS and (
        any(char in CODE_CHARS for char in text) or text.endswith(":") or len(words) <= 2
    )


def code_line(line: str) -> bool:
    """A line of code or program output, not of a sentence."""
    if _sure_code_line(line) or RULE_RUN.search(line) or OUTPUT_RECORD.match(line):
        return True
    text = line.strip()
    if MARKDOWN_SPAN.search(text):
        return False
    if text.endswith(("{", "}", ";")) and not _asks(line):
        return True  # a block opens or closes, a statement ends
    if line.startswith(("\t", "    ")) and text and not text.endswith((".", "!", "?", "？")):
        return True  # indented, and no sentence
    if _prose(line):
        return False
    return sum(char in CODE_CHARS for char in text) >= 2 or len(OPTION.findall(text)) >= 2


def _said(line: str) -> bool:
    """A line of the user's own words by a run of code: one that introduces it (`I get this:`)
    or a sentence of five words or more (or of a script written without spaces) with no code
    in it."""
    text = line.strip()
    words = text.split()
    if (
        _sure_code_line(line)
        or RULE_RUN.search(line)
        or any(char in CODE_CHARS for char in text)
        or any(INNER_MARK.search(word.rstrip(".,;:!?")) for word in words)
    ):
        return False
    if text.endswith(COLONS) and len(words) >= 2:
        return True
    letters = sum(char.isalpha() for char in text)
    spaced = len(words) >= 5
    unspaced = len(UNSPACED.findall(text)) >= 4
    return letters * 10 >= len(text.replace(" ", "")) * 6 and (spaced or unspaced)
