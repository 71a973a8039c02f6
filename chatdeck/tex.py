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


def fix_tex(tex: str) -> str:
    """One formula, delimiters included (`\\(..\\)` or `\\[..\\]`), as Anki's MathJax should
    get it. TeX with nothing to fix comes back unchanged."""
    if "\\" not in tex[2:-2]:
        return tex
    return tex[:2] + _math(tex[2:-2], not DEFINES.search(tex)) + tex[-2:]


def _math(tex: str, rename: bool) -> str:
    """Math mode: text arguments fixed, KaTeX-only macros renamed (when `rename`)."""
    out: list[str] = []
    i = 0
    while i < len(tex):
        backslash = tex.find("\\", i)
        if backslash < 0:
            out.append(tex[i:])
            break
        out.append(tex[i:backslash])
        control = CONTROL.match(tex, backslash)
        assert control is not None  # a backslash is always a control sequence, maybe `\` alone
        name = control.group(0)[1:]
        i = control.end()
        if name in TEXT_COMMANDS or name in RENAMED_TEXT:
            argument = _argument(tex, i)
            if argument is not None:
                start, end = argument
                command = RENAMED_TEXT.get(name, name)
                out.append(f"\\{command}{{{_text(tex[start:end], rename)}}}")
                i = end + 1
                continue
        if rename and name in MATH_MACROS:
            out.append(MATH_MACROS[name])
            continue
        out.append(control.group(0))
    return "".join(out)


def _argument(tex: str, i: int) -> tuple[int, int] | None:
    """The span inside the braced argument that starts at `i` (after spaces), or None."""
    i = SPACES.match(tex, i).end()  # type: ignore[union-attr]
    if i >= len(tex) or tex[i] != "{":
        return None
    end = _closing_brace(tex, i)
    return None if end is None else (i + 1, end)


def _closing_brace(tex: str, opening: int) -> int | None:
    depth = 0
    i = opening
    while i < len(tex):
        char = tex[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _text(text: str, rename: bool) -> str:
    """Text mode: what LaTeX prints, in the few forms MathJax's text reads as typed."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "$":  # math inside the text
            end = _closing_dollar(text, i + 1)
            if end is not None:
                out.append("$" + _math(text[i + 1 : end], rename) + "$")
                i = end + 1
                continue
        elif char == "\\":
            i = _text_control(text, i, out, rename)
            continue
        elif char == "~":
            out.append("\u00a0")
        elif char in "{}":
            pass  # a group: LaTeX prints nothing for the braces
        else:
            ligature = next((lig for lig in TEXT_LIGATURES if text.startswith(lig[0], i)), None)
            if ligature:
                out.append(ligature[1])
                i += len(ligature[0])
                continue
            out.append(char)
        i += 1
    return "".join(out)


def _closing_dollar(text: str, i: int) -> int | None:
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "$":
            return i
        i += 1
    return None


def _text_control(text: str, i: int, out: list[str], rename: bool) -> int:
    """One control sequence in text mode at `i`: appended to `out`; returns where to go on."""
    control = CONTROL.match(text, i)
    assert control is not None
    sequence = control.group(0)
    name = sequence[1:]
    end = control.end()
    word = name.isalpha()
    if sequence == "\\(":  # math inside the text, the other way to write it
        close = text.find("\\)", end)
        if close >= 0:
            out.append("\\(" + _math(text[end:close], rename) + "\\)")
            return close + 2
    if name in ACCENTS:
        base_end = SPACES.match(text, end).end() if word else end  # type: ignore[union-attr]
        argument = _argument(text, base_end)
        if argument is not None:
            base, after = _text(text[argument[0] : argument[1]], rename), argument[1] + 1
        elif base_end < len(text) and text[base_end] not in "\\{}$ \t\n":
            base, after = text[base_end], base_end + 1
        else:
            base, after = "", end
        if base:
            out.append(unicodedata.normalize("NFC", base[0] + ACCENTS[name]) + base[1:])
            return after
    if name in TEXT_SYMBOLS:
        out.append(TEXT_SYMBOLS[name])
        if word:  # TeX skips the spaces after a control word, and an empty group
            end = SPACES.match(text, end).end()  # type: ignore[union-attr]
            if text.startswith("{}", end):
                end += 2
        return end
    if name in TEXT_COMMANDS or name in RENAMED_TEXT:
        argument = _argument(text, end)
        if argument is not None:
            command = RENAMED_TEXT.get(name, name)
            inner = _text(text[argument[0] : argument[1]], rename)
            out.append(f"$\\{command}{{{inner}}}$")  # math inside the text: MathJax reads it
            return argument[1] + 1
    out.append(sequence)  # `\$`, `\{`, `\}`, `\\` (MathJax reads these) and the unknown,
    while word and (argument := _argument(text, end)) is not None:  # with its arguments as typed
        out.append(text[end : argument[1] + 1])
        end = argument[1] + 1
    return end
