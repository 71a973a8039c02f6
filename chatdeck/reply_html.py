"""A reply read from a saved chat page -> the card HTML the Markdown path makes.

A chat site has already turned its reply into HTML; turning that back into Markdown would lose
what Markdown cannot say and bring back every question the renderer has settled. So the reply's
elements are walked once and rebuilt from a short list, into the HTML cmark-gfm writes for the
same content, with none of the page's attributes (no class, id, style or handler survives):

- paragraphs, headings, lists, quotes, rules, emphasis, inline code, links (http, https and
  mailto only) and tables;
- code blocks as `<pre lang="x"><code>text</code></pre>`, cmark-gfm's own form: the code's text
  only (the site's highlighting spans, header and copy button stay behind), the language from a
  `language-*` class or the block's label. `render_reply` highlights them with Pygments, as
  Markdown code is;
- math as `\\(..\\)` / `\\[..\\]` around its TeX source, which KaTeX and MathJax keep in the page
  (`<annotation encoding="application/x-tex">`, `data-math`, `<script type="math/tex">`); the
  typeset copy (`.katex-html`, `mjx-math`) stays behind, and the macros `guard` would show as
  text are shown as text the way `render_field` shows them;
- images as `[image not included]`, as in chat exports.

Everything else is left out: buttons, icons, screen-reader text, hidden elements, scripts,
styles, frames and forms (`is_interface`), and the interface a site names (`Markup.drop`). The
result is the note's answer; `render_reply` then runs on it the last steps every field gets
(`chatdeck.render`: code highlighted, tables wrapped, nh3's allow-list, `guard`).

`turn_text` reads a user's turn as the text they typed, so that its identity is that of the same
question pasted as text.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bs4.element import NavigableString, PageElement, PreformattedString, Tag

from chatdeck.render import (
    LIMITS,
    RESERVED,
    RESERVED_LEFT,
    SHOWN_IN_MATH,
    UNSAFE_TEX,
    UNSAFE_TEX_MACROS,
    RenderedField,
    RenderLimits,
    finish,
    guard,
    language_of,
    lift_code_blocks,
    over_limits,
    plain_field,
    sanitize_around_code_blocks,
)
from chatdeck.render_cache import cache_key

#: Shown where a reply had an image (the Markdown `*[image not included]*` of chat exports).
IMAGE_NOTE = "<em>[image not included]</em>"
#: Shown where a formula's TeX source is not in the page (only its typeset copy is).
FORMULA_NOTE = "<em>[formula not included]</em>"

#: Never content, on any site: interface, hidden and screen-reader-only elements, and whatever
#: could act (scripts, styles, frames, forms). A reply's own text is never in these. Checked
#: element by element (`is_interface`): a CSS selector over every element costs far more.
INTERFACE_NAMES = frozenset(
    "button svg script style link meta noscript template iframe frame object embed canvas "
    "audio video form input textarea select nav mat-icon".split()
)
INTERFACE_ROLES = frozenset({"button", "toolbar", "tooltip", "menu", "dialog"})
INTERFACE_CLASSES = frozenset({"sr-only", "visually-hidden", "cdk-visually-hidden"})

BLOCK_TAGS = frozenset(
    "address article aside blockquote dd details dialog div dl dt fieldset figcaption figure "
    "footer h1 h2 h3 h4 h5 h6 header hgroup hr li main ol p pre section summary table tbody "
    "td tfoot th thead tr ul".split()
)
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
#: Inline elements kept, as the tag cmark-gfm writes for them.
EMPHASIS = {
    "strong": "strong",
    "b": "strong",
    "em": "em",
    "i": "em",
    "del": "del",
    "s": "del",
    "strike": "del",
    "sub": "sub",
    "sup": "sup",
}
CODE_LIKE = frozenset({"code", "kbd", "samp", "tt"})
LINK_SCHEMES = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
TEXT_ALIGN = re.compile(r"text-align\s*:\s*(left|center|right)", re.IGNORECASE)
ONLY_BREAKS = re.compile(r"(?:\s|<br />)*")
#: MathJax 2's typeset copy of a formula, whose TeX is in the `<script type="math/tex">` after it.
MATHJAX2_COPIES = frozenset(
    {
        "MathJax_Preview",
        "MathJax",
        "MathJax_Display",
        "MathJax_SVG",
        "MathJax_SVG_Display",
        "MathJax_CHTML",
        "MathJax_MathML",
    }
)
LANGUAGE = re.compile(r"[\w+#.-]+")  # a language's name, as a class or `data-language` has it
#: A macro `Rebuild.formula` showed as text, as `SHOWN_IN_MATH` writes it.
SHOWN_MACRO = re.compile(r"\\mathtt\{\\backslash (" + "|".join(UNSAFE_TEX_MACROS) + r")\}")
TEX_ENCODING = re.compile(r"(?:application/(?:x-)?tex|text/latex)", re.IGNORECASE)
BLOCK_BREAK = "\x01"  # between blocks of a turn's text; a control character no page text keeps


@dataclass(frozen=True, slots=True)
class Markup:
    """What a site's reply holds besides content, as CSS selectors (empty: nothing)."""

    #: Interface inside a turn, on top of `GENERIC_DROP` (reasoning, table footers, citations).
    drop: str = ""
    #: A code block with its header and buttons (a bare `pre` always counts as one).
    code_block: str = ""
    #: Inside a code block: the label that names its language.
    code_label: str = ""


@dataclass(frozen=True, slots=True)
class Math:
    """A formula found in a page: its TeX source (None when the page kept only the typeset
    copy) and whether it is displayed on a line of its own."""

    tex: str | None
    display: bool


#: A MathJax 2 typeset copy whose TeX follows in a script: left out, the script is read.
TYPESET_COPY = Math(None, False)


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """A reply rebuilt as card HTML (before the last checks), with what it had to leave out."""

    html: str
    images: int = 0
    #: TeX macros in its formulas shown as text (see `chatdeck.render.guard`).
    removed_macros: tuple[str, ...] = ()
    #: Formulas whose TeX source the page did not keep, shown as `FORMULA_NOTE`.
    formulas_without_tex: int = 0


def rebuild_reply(bodies: Iterable[Tag], interface: Interface) -> Rebuilt:
    """The reply in `bodies` (the elements of a turn that hold its text), rebuilt as card HTML."""
    walk = _Rebuild(interface)
    blocks = [block for body in bodies for block in walk.blocks(body)]
    return Rebuilt(
        "\n".join(blocks),
        walk.images,
        tuple(dict.fromkeys(walk.removed)),
        walk.formulas_without_tex,
    )


def is_interface(tag: Tag) -> bool:
    """Whether `tag` is one of the kinds of element that are never content, on any site."""
    if tag.name in INTERFACE_NAMES:
        return True
    attributes = tag.attrs
    if not attributes:
        return False
    return (
        "hidden" in attributes
        or attributes.get("aria-hidden") == "true"
        or attributes.get("role") in INTERFACE_ROLES
        or not INTERFACE_CLASSES.isdisjoint(_classes(tag))
    )


def is_icon(image: Tag) -> bool:
    """Whether an `img` is an icon (a site's favicon beside a link, a small glyph), not a
    picture the reply shows."""
    if "favicon" in _attribute(image, "src").lower():
        return True
    sizes = [_attribute(image, name).strip() for name in ("width", "height")]
    return all(size.isdigit() and int(size) <= 24 for size in sizes)


class Interface:
    """The elements of a page that are not content (`tag in interface`): the kinds no site
    uses for content (`is_interface`), and those the site's `Markup` names, which are found
    once for the whole page; and its code blocks."""

    def __init__(self, page: Tag, markup: Markup):
        self.markup = markup
        self.named = {id(element) for element in page.select(markup.drop)} if markup.drop else set()
        self.code_blocks = (
            {id(element) for element in page.select(markup.code_block)}
            if markup.code_block
            else set()
        )

    def __contains__(self, tag: Tag) -> bool:
        return id(tag) in self.named or is_interface(tag)

    def within(self, element: Tag, stop: Tag) -> bool:
        """Whether `element`, or a parent of it below `stop`, is interface."""
        for parent in [element, *element.parents]:
            if parent is stop:
                return False
            if parent in self:
                return True
        return False


class _Rebuild:
    """One walk over a reply. Each element is a block (a list of block HTML) or inline (a str);
    an element not known as either is a block when it holds one (a `span` around a `div`)."""

    def __init__(self, interface: Interface):
        self.markup = interface.markup
        self.drop = interface
        self.math: dict[int, Math | None] = {}
        self.level: dict[int, bool] = {}
        self.images = 0
        self.removed: list[str] = []
        self.formulas_without_tex = 0

    # --- what an element is ---------------------------------------------------------------

    def math_of(self, tag: Tag) -> Math | None:
        key = id(tag)
        if key not in self.math:
            self.math[key] = find_math(tag)
        return self.math[key]

    def is_code(self, tag: Tag) -> bool:
        return id(tag) in self.drop.code_blocks or tag.name == "pre"

    def is_block(self, tag: Tag) -> bool:
        key = id(tag)
        known = self.level.get(key)
        if known is not None:
            return known
        if tag in self.drop or self.math_of(tag) is not None:
            block = False
        elif self.is_code(tag) or tag.name in BLOCK_TAGS:
            block = True
        else:
            block = any(isinstance(child, Tag) and self.is_block(child) for child in tag.children)
        self.level[key] = block
        return block

    def holds_blocks(self, tag: Tag) -> bool:
        return any(isinstance(child, Tag) and self.is_block(child) for child in tag.children)

    # --- blocks ---------------------------------------------------------------------------

    def blocks(self, container: Tag, tight: bool = False) -> list[str]:
        """The blocks of `container`. Inline content between blocks becomes a paragraph, or,
        in a tight list item or a table cell (`tight`), stays bare as cmark-gfm writes it."""
        out: list[str] = []
        run: list[str] = []

        def flush() -> None:
            text = "".join(run).strip()
            run.clear()
            if text and not ONLY_BREAKS.fullmatch(text):
                out.append(text if tight else f"<p>{text}</p>")

        for child in container.children:
            if isinstance(child, Tag) and self.is_block(child):
                flush()
                out.extend(block for block in self.block(child) if block)
            else:
                run.append(self.inline(child))
        flush()
        return out

    def block(self, tag: Tag) -> list[str]:
        name = tag.name
        if self.is_code(tag):
            return [self.code_block(tag)]
        if name in ("ul", "ol"):
            return [self.list(tag)]
        if name == "table":
            return [self.table(tag)]
        if name == "hr":
            return ["<hr />"]
        if name == "blockquote":
            inner = self.blocks(tag)
            return ["<blockquote>\n" + "\n".join(inner) + "\n</blockquote>"] if inner else []
        if (name == "p" or name in HEADINGS) and not self.holds_blocks(tag):
            text = self.inline_children(tag).strip()
            if not text or ONLY_BREAKS.fullmatch(text):
                return []
            return [f"<{name}>{text}</{name}>"]
        return self.blocks(tag)  # a container: div, section, a custom element, a stray li

    def list(self, tag: Tag) -> str:
        items: list[str] = []
        for child in tag.children:
            if not isinstance(child, Tag) or child in self.drop:
                continue
            if child.name == "li":
                loose = any(
                    isinstance(part, Tag) and part.name == "p" and part not in self.drop
                    for part in child.children
                )
                items.append("<li>" + "\n".join(self.blocks(child, tight=not loose)) + "</li>")
            elif items:  # a list nested straight in a list: it belongs to the item before
                items[-1] = items[-1][: -len("</li>")] + "\n".join(self.blocks(child)) + "</li>"
        if not items:
            return ""
        start = _attribute(tag, "start").strip()
        numbered = tag.name == "ol" and start.isdigit() and len(start) < 10 and int(start) != 1
        attribute = f' start="{int(start)}"' if numbered else ""
        return f"<{tag.name}{attribute}>\n" + "\n".join(items) + f"\n</{tag.name}>"

    def table(self, table: Tag) -> str:
        head: list[str] = []
        body: list[str] = []
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table or self.drop.within(row, table):
                continue
            cells = [
                cell
                for cell in row.children
                if isinstance(cell, Tag) and cell.name in ("td", "th") and cell not in self.drop
            ]
            if not cells:
                continue
            in_head = row.find_parent(["thead", "tbody", "tfoot", "table"])
            is_head = bool(in_head and in_head.name == "thead") or (
                not head and not body and all(cell.name == "th" for cell in cells)
            )
            row_html = "\n".join(self.cell(cell, "th" if is_head else cell.name) for cell in cells)
            (head if is_head else body).append(f"<tr>\n{row_html}\n</tr>")
        if not head and not body:
            return ""
        parts = ["<table>"]
        if head:
            parts += ["<thead>", *head, "</thead>"]
        if body:
            parts += ["<tbody>", *body, "</tbody>"]
        return "\n".join(parts + ["</table>"])

    def cell(self, cell: Tag, name: str) -> str:
        align = _attribute(cell, "align").lower()
        if align not in ("left", "center", "right"):
            found = TEXT_ALIGN.search(_attribute(cell, "style"))
            align = found.group(1).lower() if found else ""
        attribute = f' align="{align}"' if align else ""
        return f"<{name}{attribute}>" + "".join(self.blocks(cell, tight=True)) + f"</{name}>"

    def code_block(self, unit: Tag) -> str:
        """`<pre lang=..><code>..</code></pre>` from a code block and whatever is around it."""
        pre = unit if unit.name == "pre" else unit.find("pre")
        pre = pre if isinstance(pre, Tag) else unit
        code = pre.find("code")
        code = code if isinstance(code, Tag) else pre
        text = code_text(code, self.drop).rstrip("\n")
        if not text.strip():
            return ""
        language = code_language(unit, pre, code, self.markup.code_label, self.drop)
        attribute = f' lang="{_escape(language, quote=True)}"' if language else ""
        return f"<pre{attribute}><code>{_escape(text)}\n</code></pre>"

    # --- inline ---------------------------------------------------------------------------

    def inline_children(self, tag: Tag) -> str:
        return "".join(self.inline(child) for child in tag.children)

    def inline(self, node: PageElement) -> str:
        if isinstance(node, NavigableString):
            return "" if isinstance(node, PreformattedString) else _escape(str(node))
        if not isinstance(node, Tag):
            return ""
        math = self.math_of(node)
        if math is not None:
            return self.formula(math)
        if node in self.drop:
            return ""
        name = node.name
        if name == "br":
            return "<br />"
        if name == "img":
            if is_icon(node):
                return ""
            self.images += 1
            return IMAGE_NOTE
        if name in CODE_LIKE:
            text = code_text(node, self.drop)
            return f"<code>{_escape(text)}</code>" if text else ""
        inner = self.inline_children(node)
        if name in EMPHASIS:
            tag = EMPHASIS[name]
            return f"<{tag}>{inner}</{tag}>" if inner.strip() else inner
        if name == "a":
            href = _attribute(node, "href").strip()
            if LINK_SCHEMES.match(href) and inner.strip():
                return f'<a href="{_escape(href, quote=True)}">{inner}</a>'
        return inner

    def formula(self, math: Math) -> str:
        if math is TYPESET_COPY:
            return ""
        if math.tex is None:
            self.formulas_without_tex += 1
            return FORMULA_NOTE
        tex = math.tex.strip()
        if not tex:
            return ""
        unsafe = UNSAFE_TEX.findall(tex)
        if unsafe:  # shown in the formula as its name in monospace, as render_field does
            self.removed.extend(unsafe)
            tex = UNSAFE_TEX.sub(SHOWN_IN_MATH, tex)
        opening, closing = ("\\[", "\\]") if math.display else ("\\(", "\\)")
        return _escape(opening + tex + closing)


# --- math ---------------------------------------------------------------------------------


def find_math(tag: Tag) -> Math | None:
    """The formula `tag` is the outer element of (KaTeX, MathJax 2 or 3, MathML, or an element
    carrying its TeX in `data-math`), or None."""
    classes = _classes(tag)
    name = tag.name
    for attribute in ("data-math", "data-latex", "data-tex"):
        value = _attribute(tag, attribute)
        if value.strip():
            display = (
                name == "div"
                or bool({"math-block", "math-display", "katex-display"} & classes)
                or _attribute(tag, "display") in ("true", "block")
                or tag.find(class_="katex-display") is not None
            )
            return Math(value, display)
    if "katex-display" in classes:
        return Math(_tex_in(tag), True)
    if "katex" in classes:
        block = tag.find("math", attrs={"display": "block"})
        return Math(_tex_in(tag), block is not None)
    if name == "mjx-container":
        return Math(_tex_in(tag), _attribute(tag, "display") in ("true", "block"))
    if name == "script":
        kind = _attribute(tag, "type").lower()
        if kind.startswith("math/tex"):
            return Math(tag.get_text(), "mode=display" in kind)
        return None
    if MATHJAX2_COPIES & classes:
        following = tag.find_next_sibling(
            lambda element: (
                element.name == "script"
                and _attribute(element, "type").lower().startswith("math/tex")
            )
        )
        if following is not None:
            return TYPESET_COPY
        return Math(_tex_in(tag), "MathJax_Display" in classes)
    if name == "math":
        return Math(_tex_in(tag), _attribute(tag, "display") == "block")
    return None


def _tex_in(tag: Tag) -> str | None:
    """The TeX source kept inside a typeset formula, if any."""
    annotation = tag.find("annotation", attrs={"encoding": TEX_ENCODING})
    if annotation is not None:
        return annotation.get_text()
    for attribute in ("data-latex", "data-math", "data-tex"):
        carrier = tag.find(True, attrs={attribute: True})
        if isinstance(carrier, Tag) and _attribute(carrier, attribute).strip():
            return _attribute(carrier, attribute)
    math = tag if tag.name == "math" else tag.find("math", attrs={"alttext": True})
    if isinstance(math, Tag) and _attribute(math, "alttext").strip():
        return _attribute(math, "alttext")
    return None


# --- code ---------------------------------------------------------------------------------


def code_text(code: Tag, drop: Interface) -> str:
    """The text of a code element as it shows: `<br>` and line elements end lines; the site's
    highlighting spans, line numbers and buttons add nothing."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):
                    parts.append(str(child))
            elif isinstance(child, Tag) and child not in drop:
                if child.name == "br":
                    parts.append("\n")
                    continue
                walk(child)
                if child.name in ("div", "p", "li") and parts and not parts[-1].endswith("\n"):
                    parts.append("\n")

    walk(code)
    return "".join(parts)


def code_language(unit: Tag, pre: Tag, code: Tag, label: str, drop: Interface) -> str:
    """A code block's language: a `language-*` (or `lang-*`) class, a `data-language`, else the
    text of its label. Lower case; Pygments decides later whether it knows it."""
    candidates = [code, pre, *unit.select('[class*="language-"], [class*="lang-"]')]
    for element in candidates:
        for name in sorted(_classes(element)):
            for prefix in ("language-", "lang-"):
                if name.startswith(prefix):
                    language = LANGUAGE.match(name, len(prefix))
                    if language:
                        return language.group(0).lower()
        declared = LANGUAGE.match(_attribute(element, "data-language").strip())
        if declared:
            return declared.group(0).lower()
    if label:
        for element in unit.select(label):
            if element is code or code in element.descendants or element is pre:
                continue
            text = " ".join(code_text(element, drop).split())
            if text and len(text) <= 30:
                return text.lower()
    return ""


# --- a user's turn --------------------------------------------------------------------------


def turn_text(turn: Tag, drop: Interface, lines: str = "") -> tuple[str, int]:
    """A user's turn as the text they typed, and how many images it held. Line breaks are
    kept (the sites show a prompt as typed); paragraphs are split by a blank line; a code
    block becomes a fence; a formula its TeX. `lines` selects one element per line, when the
    site writes a prompt that way (Gemini)."""
    if lines:
        rows = turn.select(lines)
        if rows:
            texts = [turn_text(row, drop) for row in rows]
            return "\n".join(text for text, _ in texts).strip(), sum(n for _, n in texts)
    parts: list[str] = []
    images = 0

    def walk(node: Tag) -> None:
        nonlocal images
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):
                    parts.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            math = find_math(child)
            if math is not None:
                if math.tex is not None and math.tex.strip():
                    parts.append(f"\\({math.tex.strip()}\\)")
                continue
            if child in drop:
                continue
            name = child.name
            if name == "br":
                parts.append("\n")
            elif name == "img":
                images += 1
            elif name == "pre":
                code = child.find("code")
                code = code if isinstance(code, Tag) else child
                language = code_language(child, child, code, "", drop)
                text = code_text(code, drop).rstrip("\n")
                parts.append(f"{BLOCK_BREAK}```{language}\n{text}\n```{BLOCK_BREAK}")
            elif name in BLOCK_TAGS:
                parts.append(BLOCK_BREAK)
                walk(child)
                parts.append(BLOCK_BREAK)
            else:
                walk(child)

    walk(turn)
    text = re.sub(f"[ \\t]*{BLOCK_BREAK}[{BLOCK_BREAK}\\s]*", "\n\n", "".join(parts))
    return RESERVED.sub("\ufffd", text).strip(), images


# --- the last steps -------------------------------------------------------------------------


def render_reply(answer: str, limits: RenderLimits = LIMITS) -> RenderedField:
    """A rebuilt reply -> the card's HTML, by the steps `render_field` ends with: code blocks
    highlighted, tables wrapped, nh3's allow-list, CJK `lang`, and `guard` last. Its
    `removed_macros` are those the rebuild showed as text in formulas and those `guard` did.
    A reply past the field's `limits` (its size, its nesting) is shown as its text."""
    answer = RESERVED.sub("\ufffd", answer)  # no placeholder of the steps below can be forged
    too_much = over_limits(answer, limits)
    if too_much:
        return plain_field(reply_text(answer), too_much)
    rendered, code_blocks, limited = lift_code_blocks(answer, [], limits)
    rendered = finish(rendered, [], None)
    rendered = RESERVED_LEFT.sub("\ufffd", sanitize_around_code_blocks(rendered, code_blocks))
    language = language_of(rendered)
    if language:
        rendered = f'<div lang="{language}">{rendered}</div>'
    guarded = guard(rendered)
    shown = SHOWN_MACRO.findall(answer)
    if shown or limited:
        return RenderedField(
            guarded.html,
            tuple(dict.fromkeys(shown + list(guarded.removed_macros))),
            tuple(limited),
        )
    return guarded


#: Where a line ends in the text of a reply shown plain.
LINE_END_TAG = re.compile(r"<br ?/?>|</(?:p|div|li|h[1-6]|pre|tr|blockquote)>")
ANY_TAG = re.compile(r"<[^>]*>")


def reply_text(answer: str) -> str:
    """The text of a rebuilt reply (its tags out, its entities read), for a reply shown plain."""
    return html.unescape(ANY_TAG.sub("", LINE_END_TAG.sub("\n", answer)))


@lru_cache(maxsize=1)
def _version() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def reply_cache_key(answer: str) -> str:
    """The render-cache key of a rebuilt reply: never that of Markdown with the same text, and
    new whenever this module (or the renderer, through `cache_key`) changes."""
    return cache_key(f"html\0{_version()}\0{answer}")


# --- helpers ------------------------------------------------------------------------------


def _escape(text: str, quote: bool = False) -> str:
    return html.escape(RESERVED.sub("\ufffd", text), quote=quote)


def _attribute(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _classes(tag: Tag) -> set[str]:
    value = tag.get("class")
    if value is None:
        return set()
    return set(value.split() if isinstance(value, str) else value)
