"""Render a note into its card: the HTML of its three fields (Question, Answer, Source), each
named by a render-cache key. This is the one way a note is rendered, in this process and on the
workers alike; what comes out holds no Markdown."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from chatdeck.media import MediaCollector
from chatdeck.notes import CardNote, Note, Problem
from chatdeck.pasted_code import fence_pasted_code
from chatdeck.pasted_tables import tables_from_tabs
from chatdeck.render import UNSAFE_TEX, render_field, render_text
from chatdeck.render_cache import cache_key, content_key, html_digest

#: The digest of the HTML the render cache holds under a key, or None when it holds none (where
#: the cache is at hand: in the main process, not on workers).
KnownKey = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class RenderedNote:
    card: CardNote
    #: (key, HTML) of the fields the render cache did not already hold.
    html: tuple[tuple[str, str], ...]
    #: What was shown plain because it went past a render limit (see `limit_problems`).
    problems: tuple[Problem, ...] = ()


def render_note(
    note: Note, images: MediaCollector | None = None, known: KnownKey | None = None
) -> RenderedNote:
    """A note's card. Markdown is keyed by itself and the renderer's version, so a field the
    cache holds (`known`) is not rendered again; a field with images (whose HTML depends on the
    image files, found by `images`) and the Source line are keyed by their HTML. An answer
    that is already HTML (a reply read from a saved page) is rendered by `render_reply`."""
    if note.answer_format == "html":  # only saved pages' notes need bs4: imported for them
        from chatdeck.reply_html import render_reply, reply_cache_key
    keys: list[str] = []
    digests: list[str] = []
    html: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for number, text in enumerate(field_markdown(note)):
        reply = number == 1 and note.answer_format == "html"
        if images is not None and "![" in text and not reply:
            field = render_field(text, images.resolver(note))
            keys.append(content_key(field.html))
        else:
            keys.append(reply_cache_key(text) if reply else cache_key(text))
            stored = known(keys[-1]) if known is not None else None
            if stored is not None:
                digests.append(stored)
                continue
            field = render_reply(text) if reply else render_field(text)
            if field.limited:  # keyed by its HTML, so that every build renders it and warns
                keys[-1] = content_key(field.html)
        problems += limit_problems(note, number, field.limited)
        html.append((keys[-1], field.html))
        digests.append(html_digest(field.html))
    key, label, digest = source_field(source_label(note))
    keys.append(key)
    html.append((key, label))
    digests.append(digest)
    card = CardNote(
        guid=note.guid,
        field_keys=(keys[0], keys[1], keys[2]),
        digest=fields_digest(digests),
        source=note.source,
        line=note.line,
        question=note.question,
        conversation=note.conversation,
        guessed=note.confidence != "high",
        origin=note.origin,
        deck=note.deck,
        tags=note.tags,
        position=note.position,
    )
    return RenderedNote(card, tuple(html), tuple(problems))


def field_markdown(note: Note) -> tuple[str, str]:
    """The question's and the answer's text as their cards render it: code or program output
    pasted into the question without a fence gets one (`chatdeck.pasted_code`), and a table a
    page copy left as tab-split rows is a table again (`chatdeck.pasted_tables`)."""
    return tables_from_tabs(fence_pasted_code(note.question)), tables_from_tabs(note.answer)


def limit_problems(note: Note, number: int, limited: Sequence[str]) -> list[Problem]:
    """A warning for each part of a field shown plain because it went past a render limit
    (`chatdeck.render.RenderLimits`), at the note's line (or, where it has none, naming its
    conversation and question)."""
    field = ("question", "answer")[number]
    if note.line is None:  # a chat export or a saved page: the question says which note
        question = " ".join(note.question.split())
        question = question[:60] + ("..." if len(question) > 60 else "")
        field = f"{field} to {question!r}"
        field = f"{note.conversation}: {field}" if note.conversation else field
    return [Problem(note.source, note.line, f"{field}: {why}") for why in limited]


def fields_digest(digests: Sequence[str]) -> str:
    """One digest for a card's fields, from each field's `html_digest`."""
    return hashlib.sha256("\0".join(digests).encode()).hexdigest()[:32]


def has_images(note: Note) -> bool:
    return "![" in note.question or "![" in note.answer


def source_label(note: Note) -> str:
    """What the Source field shows: the file, and the conversation for chat exports. Not the
    line: a line inserted above a question would then change every later card of the file in
    Anki (`--dry-run` and the build's report give lines)."""
    return f"{note.source}: {note.conversation}" if note.conversation else note.source


@lru_cache(maxsize=16)
def source_field(label: str) -> tuple[str, str, str]:
    """The Source field's key, HTML and digest: the same for every note of a file, so worked
    out once for them."""
    html = render_text(label)
    return content_key(html), html, html_digest(html)


def unsafe_math_problems(note: Note, lines: Sequence[str] = ()) -> list[Problem]:
    """A warning for each TeX macro the renderer shows as text rather than let Anki's MathJax
    run it (see `chatdeck.render.guard`), on the first line of the note that holds it."""
    if note.answer_format == "html":  # only saved pages' notes need bs4: imported for them
        from chatdeck.reply_html import SHOWN_MACRO, render_reply
    removed: dict[str, None] = {}
    for number, markdown in enumerate((note.question, note.answer)):
        html_answer = number and note.answer_format == "html"
        if "\\" in markdown and (  # else the renderer finds none
            UNSAFE_TEX.search(markdown) or (html_answer and SHOWN_MACRO.search(markdown))
        ):
            shown = field_markdown(note)[number]  # as the card renders it
            field = render_reply(shown) if html_answer else render_field(shown)
            removed.update(dict.fromkeys(field.removed_macros))
    problems = []
    for macro in removed:
        line = note.line
        if lines and note.first_line and note.last_line:
            span = range(note.first_line, note.last_line + 1)
            line = next((n for n in span if "\\" + macro in lines[n - 1]), line)
        problems.append(
            Problem(
                note.source,
                line,
                f"TeX macro \\{macro} shown as text: in a card it could link, restyle or "
                "load from the network",
            )
        )
    return problems
