"""TeX as chat models write it, made to come out right under Anki's MathJax configuration.

Anki's MathJax (`_aqt/data/web/js/mathjax.js` in the `aqt` wheel) loads every TeX package of
MathJax's full build except `textmacros`, plus `noerrors` and `mathtools`. Without `textmacros`,
the argument of `\\text{..}` and its kin is printed as typed, apart from `$..$` (math inside the
text) and the escapes `\\$`, `\\{`, `\\}` and `\\\\`: `\\text{adjusted\\_logits}` shows its
backslash, `\\text{50\\%}` too, and `~`, `--`, accents and nested `\\textbf{..}` come out raw.
Chat models write text-mode TeX as LaTeX (and KaTeX, which chat pages use) reads it.

`fix_tex` rewrites one formula so that MathJax, configured as Anki configures it, shows what
LaTeX would: inside text arguments the escapes become their characters, spacing commands and
accents become Unicode, nested text commands become `$\\textbf{..}$` (math inside the text,
where MathJax reads them), and bare grouping braces go; in math, the few macros KaTeX defines
and MathJax does not (`\\bm`, `\\argmax`, `\\R`, `\\llbracket`...) become their MathJax spelling.
Anything it does not know stays as typed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

#: Commands whose argument is text (MathJax: printed as typed, without `textmacros`).
TEXT_COMMANDS = frozenset(
    {"text", "textrm", "textit", "textbf", "textsf", "texttt", "textnormal", "textup", "textmd"}
    | {"mbox", "hbox"}
)
#: Text commands MathJax lacks, as the nearest one it has.
RENAMED_TEXT = {"emph": "textit", "textsl": "textit", "textsc": "text"}
#: Math macros KaTeX has and MathJax's full build lacks, in MathJax's words.
MATH_MACROS = {
    "bm": r"\boldsymbol",
    "argmax": r"\operatorname*{arg\,max}",
    "argmin": r"\operatorname*{arg\,min}",
    "R": r"\mathbb{R}",
    "Reals": r"\mathbb{R}",
    "reals": r"\mathbb{R}",
    "N": r"\mathbb{N}",
    "natnums": r"\mathbb{N}",
    "Z": r"\mathbb{Z}",
    "cnums": r"\mathbb{C}",
    "Complex": r"\mathbb{C}",
    "llbracket": "\u27e6",
    "rrbracket": "\u27e7",
    "vcentcolon": r"\mathrel{:}",
}
#: A formula that defines macros keeps every name as typed (it may define these).
DEFINES = re.compile(r"\\(?:newcommand|renewcommand|def|let|DeclareMathOperator)(?![A-Za-z])")

#: Text-mode control words and symbols, as the characters LaTeX prints for them.
TEXT_SYMBOLS = {
    "_": "_",
    "%": "%",
    "&": "&",
    "#": "#",
    " ": " ",
    ",": "\u2009",  # thin space
    ":": "\u2005",  # medium space
    ";": "\u2005",
    ">": "\u2005",
    "!": "",
    "/": "",
    "-": "",  # a hyphenation point
    "textbackslash": "\\\\",  # MathJax prints `\\` in text as one backslash
    "textunderscore": "_",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textbraceleft": r"\{",
    "textbraceright": r"\}",
    "textdollar": r"\$",
    "textperiodcentered": "\u00b7",
    "textbullet": "\u2022",
    "textellipsis": "\u2026",
    "ldots": "\u2026",
    "dots": "\u2026",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "textdegree": "\u00b0",
    "textregistered": "\u00ae",
    "texttrademark": "\u2122",
    "copyright": "\u00a9",
    "textcopyright": "\u00a9",
    "S": "\u00a7",
    "P": "\u00b6",
    "dag": "\u2020",
    "ddag": "\u2021",
    "pounds": "\u00a3",
    "euro": "\u20ac",
    "quad": "\u2003",
    "qquad": "\u2003\u2003",
    "enspace": "\u2002",
    "thinspace": "\u2009",
    "space": " ",
    "nobreakspace": "\u00a0",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "ss": "\u00df",
    "ae": "\u00e6",
    "AE": "\u00c6",
    "oe": "\u0153",
    "OE": "\u0152",
    "o": "\u00f8",
    "O": "\u00d8",
    "aa": "\u00e5",
    "AA": "\u00c5",
    "l": "\u0142",
    "L": "\u0141",
    "i": "\u0131",
    "j": "\u0237",
}
#: Accent commands, as combining characters.
ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "r": "\u030a",
    "c": "\u0327",
    "k": "\u0328",
    "d": "\u0323",
    "b": "\u0331",
}
#: Ligatures LaTeX makes in text, longest first.
TEXT_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))
CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)?", re.DOTALL)  # a lone `\` at the end too
SPACES = re.compile(r"[ \t\n]*")
#: What decides how braces and `$` pair: an escape (a backslash and the character after it, which
#: is then neither), a brace, a `$`.
PAIRED = re.compile(r"\\[\s\S]?|[{}$]")
CLOSE_MATH = re.compile(r"\\\)")
#: Text and math nested deeper than this (`\text{$\text{..}$}`, accents of accents) are left
#: as typed: no formula needs it, and each level is a level of recursion here.
TEX_NESTING_LIMIT = 32


def fix_tex(tex: str) -> str:
    """One formula, delimiters included (`\\(..\\)` or `\\[..\\]`), as Anki's MathJax should
    get it. TeX with nothing to fix comes back unchanged."""
    if "\\" not in tex[2:-2]:
        return tex
    formula = Formula(tex[2:-2], not DEFINES.search(tex))
    return tex[:2] + formula.math(0, len(formula.tex), 0) + tex[-2:]


class Formula:
    r"""One formula's TeX, rewritten a span at a time. Where each `{` closes, where the `$` are
    and where `\)` is are found in one pass over the whole formula, the first time a span asks,
    so that the formula is read in time linear in its length however its braces nest or fail
    to close (a span's own brace closes inside the span or not at all)."""

    def __init__(self, tex: str, rename: bool):
        self.tex = tex
        self.rename = rename  # KaTeX-only macros renamed (not where the formula defines macros)
        self.closing: dict[int, int] | None = None  # a `{` -> its `}`
        self.dollars: list[int] = []  # each `$` not escaped
        self.close_math: list[int] = []  # each `\)`

    def _index(self) -> None:
        self.closing = {}
        opened: list[int] = []
        for match in PAIRED.finditer(self.tex):
            char = match.group(0)
            if char == "{":
                opened.append(match.start())
            elif char == "}":
                if opened:
                    self.closing[opened.pop()] = match.start()
            elif char == "$":
                self.dollars.append(match.start())
        self.close_math = [match.start() for match in CLOSE_MATH.finditer(self.tex)]

    def math(self, i: int, end: int, depth: int) -> str:
        """Math mode: text arguments fixed, KaTeX-only macros renamed (when `rename`)."""
        tex = self.tex
        if depth > TEX_NESTING_LIMIT:
            return tex[i:end]
        out: list[str] = []
        while i < end:
            backslash = tex.find("\\", i, end)
            if backslash < 0:
                out.append(tex[i:end])
                break
            out.append(tex[i:backslash])
            control = CONTROL.match(tex, backslash, end)
            assert control is not None  # a backslash is always a control sequence, maybe `\`
            name = control.group(0)[1:]
            i = control.end()
            if name in TEXT_COMMANDS or name in RENAMED_TEXT:
                argument = self.argument(i, end)
                if argument is not None:
                    start, close = argument
                    command = RENAMED_TEXT.get(name, name)
                    out.append(f"\\{command}{{{self.text(start, close, depth + 1)}}}")
                    i = close + 1
                    continue
            if self.rename and name in MATH_MACROS:
                out.append(MATH_MACROS[name])
                continue
            out.append(control.group(0))
        return "".join(out)

    def argument(self, i: int, end: int) -> tuple[int, int] | None:
        """The span inside the braced argument that starts at `i` (after spaces), or None."""
        i = SPACES.match(self.tex, i, end).end()  # type: ignore[union-attr]
        if i >= end or self.tex[i] != "{":
            return None
        if self.closing is None:
            self._index()
        assert self.closing is not None
        close = self.closing.get(i, end)
        return None if close >= end else (i + 1, close)

    def _next(self, positions: list[int], i: int, end: int) -> int | None:
        """The first of `positions` (sorted) at `i` or after and before `end`, or None."""
        if self.closing is None:
            self._index()
        found = bisect_left(positions, i)
        return positions[found] if found < len(positions) and positions[found] < end else None

    def text(self, i: int, end: int, depth: int) -> str:
        """Text mode: what LaTeX prints, in the few forms MathJax's text reads as typed."""
        tex = self.tex
        if depth > TEX_NESTING_LIMIT:
            return tex[i:end]
        out: list[str] = []
        while i < end:
            char = tex[i]
            if char == "$":  # math inside the text
                close = self._next(self.dollars, i + 1, end)
                if close is not None:
                    out.append("$" + self.math(i + 1, close, depth + 1) + "$")
                    i = close + 1
                    continue
            elif char == "\\":
                i = self.text_control(i, end, out, depth)
                continue
            elif char == "~":
                out.append("\u00a0")
            elif char in "{}":
                pass  # a group: LaTeX prints nothing for the braces
            else:
                ligature = next(
                    (lig for lig in TEXT_LIGATURES if tex.startswith(lig[0], i, end)), None
                )
                if ligature:
                    out.append(ligature[1])
                    i += len(ligature[0])
                    continue
                out.append(char)
            i += 1
        return "".join(out)

    def text_control(self, i: int, end: int, out: list[str], depth: int) -> int:
        """One control sequence in text mode at `i`: appended to `out`; returns where to go
        on."""
        tex = self.tex
        control = CONTROL.match(tex, i, end)
        assert control is not None
        sequence = control.group(0)
        name = sequence[1:]
        after_control = control.end()
        word = name.isalpha()
        if sequence == "\\(":  # math inside the text, the other way to write it
            close = self._next(self.close_math, after_control, end - 1)
            if close is not None:
                out.append("\\(" + self.math(after_control, close, depth + 1) + "\\)")
                return close + 2
        if name in ACCENTS:
            base_end = after_control
            if word:
                base_end = SPACES.match(tex, after_control, end).end()  # type: ignore[union-attr]
            argument = self.argument(base_end, end)
            if argument is not None:
                base, after = self.text(argument[0], argument[1], depth + 1), argument[1] + 1
            elif base_end < end and tex[base_end] not in "\\{}$ \t\n":
                base, after = tex[base_end], base_end + 1
            else:
                base, after = "", after_control
            if base:
                out.append(unicodedata.normalize("NFC", base[0] + ACCENTS[name]) + base[1:])
                return after
        if name in TEXT_SYMBOLS:
            out.append(TEXT_SYMBOLS[name])
            if word:  # TeX skips the spaces after a control word, and an empty group
                after_control = SPACES.match(tex, after_control, end).end()  # type: ignore[union-attr]
                if tex.startswith("{}", after_control, end):
                    after_control += 2
            return after_control
        if name in TEXT_COMMANDS or name in RENAMED_TEXT:
            argument = self.argument(after_control, end)
            if argument is not None:
                command = RENAMED_TEXT.get(name, name)
                inner = self.text(argument[0], argument[1], depth + 1)
                out.append(f"$\\{command}{{{inner}}}$")  # math inside the text: MathJax reads it
                return argument[1] + 1
        out.append(sequence)  # `\$`, `\{`, `\}`, `\\` (MathJax reads these) and the unknown,
        while word and (argument := self.argument(after_control, end)) is not None:
            out.append(tex[after_control : argument[1] + 1])  # with its arguments as typed
            after_control = argument[1] + 1
        return after_control
