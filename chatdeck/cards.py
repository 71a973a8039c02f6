"""Render a note into its card: the HTML of its three fields (Question, Answer, Source), each
named by a render-cache key. This is the one way a note is rendered, in this process and on the
workers alike; what comes out holds no Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chatdeck.media import MediaCollector
from chatdeck.notes import CardNote, Note, Problem
from chatdeck.render import UNSAFE_TEX, render_field, render_markdown, render_text
from chatdeck.render_cache import cache_key, content_key
from chatdeck.reply_html import SHOWN_MACRO, render_reply, reply_cache_key

#: Says whether the render cache already holds a key (where the cache is at hand: in the main
#: process, not on workers).
KnownKey = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class RenderedNote:
    card: CardNote
    #: (key, HTML) of the fields the render cache did not already hold.
    html: tuple[tuple[str, str], ...]


def render_note(
    note: Note, images: MediaCollector | None = None, known: KnownKey | None = None
) -> RenderedNote:
    """A note's card. Markdown is keyed by itself and the renderer's version, so a field the
    cache holds (`known`) is not rendered again; a field with images (whose HTML depends on the
    image files, found by `images`) and the Source line are keyed by their HTML. An answer
    that is already HTML (a reply read from a saved page) is rendered by `render_reply`."""
    keys: list[str] = []
    html: list[tuple[str, str]] = []
    for number, markdown in enumerate((note.question, note.answer)):
        if number and note.answer_format == "html":
            keys.append(reply_cache_key(markdown))
            if known is None or not known(keys[-1]):
                html.append((keys[-1], render_reply(markdown).html))
        elif images is not None and "![" in markdown:
            rendered = render_markdown(markdown, images.resolver(note))
            keys.append(content_key(rendered))
            html.append((keys[-1], rendered))
        else:
            keys.append(cache_key(markdown))
            if known is None or not known(keys[-1]):
                html.append((keys[-1], render_markdown(markdown)))
    label = render_text(source_label(note))
    keys.append(content_key(label))
    html.append((keys[-1], label))
    card = CardNote(
        guid=note.guid,
        field_keys=(keys[0], keys[1], keys[2]),
        source=note.source,
        line=note.line,
        question=note.question,
        conversation=note.conversation,
        deck=note.deck,
        tags=note.tags,
        position=note.position,
    )
    return RenderedNote(card, tuple(html))


def has_images(note: Note) -> bool:
    return "![" in note.question or "![" in note.answer


def source_label(note: Note) -> str:
    """What the Source field shows: `file:line`, or `file: conversation` for chat exports."""
    if note.line:
        return f"{note.source}:{note.line}"
    return f"{note.source}: {note.conversation}" if note.conversation else note.source


def unsafe_math_problems(note: Note, lines: Sequence[str] = ()) -> list[Problem]:
    """A warning for each TeX macro the renderer shows as text rather than let Anki's MathJax
    run it (see `chatdeck.render.guard`), on the first line of the note that holds it."""
    removed: dict[str, None] = {}
    for number, markdown in enumerate((note.question, note.answer)):
        html_answer = number and note.answer_format == "html"
        if "\\" in markdown and (  # else the renderer finds none
            UNSAFE_TEX.search(markdown) or (html_answer and SHOWN_MACRO.search(markdown))
        ):
            field = render_reply(markdown) if html_answer else render_field(markdown)
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
