"""Saved chat pages (ChatGPT, Claude, Gemini, Perplexity, AI Studio) -> notes and cards."""

from __future__ import annotations

import email.policy
import html
import importlib
import json
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, deck_options, import_package
from hypothesis import given, settings
from hypothesis import strategies as st
from test_render import ACTING_MACRO, UNSAFE, assert_only_allowed_markup, text_mathjax_reads

from chatdeck import pages
from chatdeck.build import build, plan
from chatdeck.cards import render_note, unsafe_math_problems
from chatdeck.exports import IMAGE_LINE, Export
from chatdeck.identity import question_key
from chatdeck.notes import Note
from chatdeck.pages import read_page
from chatdeck.render import UNSAFE_TEX_MACROS, render_markdown
from chatdeck.render_cache import cache_key
from chatdeck.reply_html import FORMULA_NOTE, IMAGE_NOTE, render_reply, reply_cache_key
from chatdeck.sources import is_page

PAGES = FIXTURES / "pages"
SITES = ["chatgpt", "claude", "gemini", "perplexity"]
HOSTILE_PAGE = FIXTURES / "hostile" / "chat-page.html"


def read(name: str) -> Export:
    return read_page(PAGES / name, name)


def card_text(answer_html: str) -> str:
    """What a card's answer shows, as text: tags out, entities decoded, spacing folded."""
    text = html.unescape(re.sub(r"<[^>]+>", "", render_reply(answer_html).html))
    return re.sub(r"\s+", " ", text)


def folded(markup: str) -> str:
    """HTML with the white space between and around tags folded, which no card shows."""
    return re.sub(r"\s+", " ", re.sub(r"\s*(<[^>]+>)\s*", r"\1", markup)).strip()


def write_page(folder: Path, name: str, body: str, url: str = "https://chatgpt.com/c/x") -> Path:
    path = folder / name
    path.write_text(
        f"<!DOCTYPE html>\n<!-- saved from url=(0000){url} -->\n"
        f"<html><head><title>Test chat</title></head><body><main>{body}</main></body></html>",
        encoding="utf-8",
    )
    return path


def chatgpt_turns(*turns: tuple[str, str]) -> str:
    """Turns in ChatGPT's markup: ("user", text) or ("assistant", reply HTML)."""
    out = []
    for number, (role, content) in enumerate(turns, start=1):
        inner = (
            f'<div class="whitespace-pre-wrap">{content}</div>'
            if role == "user"
            else f'<div class="markdown prose">{content}</div>'
        )
        out.append(
            f'<article data-testid="conversation-turn-{number}" data-turn="{role}">'
            f'<h5 class="sr-only">said:</h5><div data-message-author-role="{role}" '
            f'data-message-id="m{number}">{inner}</div></article>'
        )
    return "".join(out)


def reply_of(folder: Path, reply: str) -> tuple[str, Export]:
    """The card HTML of a one-turn ChatGPT page whose reply is `reply`, and the page read."""
    path = write_page(
        folder, "page.html", chatgpt_turns(("user", "a question?"), ("assistant", reply))
    )
    page = read_page(path, path.name)
    assert len(page.notes) == 1, [str(p) for p in page.problems]
    return render_reply(page.notes[0].answer).html, page


# --- Each site's capture ---------------------------------------------------------------------


@pytest.mark.parametrize("site", SITES)
def test_each_site_gives_the_expected_notes(site: str) -> None:
    expected = json.loads((PAGES / f"{site}.expected.json").read_text(encoding="utf-8"))
    page = read(f"{site}.html")
    assert page.problems == []
    [conversation] = page.conversations
    assert conversation.title == expected["title"]
    assert conversation.site is not None and conversation.site.lower() == expected["site"]
    assert [note.question for note in conversation.notes] == [
        note["question"] for note in expected["notes"]
    ]
    for note, wanted in zip(conversation.notes, expected["notes"], strict=True):
        shown = card_text(note.answer)
        for text in wanted["answer_contains"]:
            assert re.sub(r"\s+", " ", text) in shown, (site, text)
        for text in wanted["answer_excludes"]:
            assert text not in shown and text not in note.answer, (site, text)
        assert note.answer_format == "html" and note.rule == f"{expected['site']} page"
        assert note.conversation == expected["title"] and note.line is None


CODE_ANSWER = """Use slicing or the built-in `reversed()`:

```python
xs = [1, 2, 3]
print(xs[::-1])
print(list(reversed(xs)))
```

Output:

```
[3, 2, 1]
[3, 2, 1]
```

The three ways differ in whether they change the list:

| Method | In place | Returns |
|---|---|---|
| `xs.reverse()` | yes | `None` |
| `xs[::-1]` | no | a new list |
"""
TUPLE_ANSWER = (
    "Tuples are immutable, so they have no `reverse()` method and Python raises "
    "`AttributeError: 'tuple' object has no attribute 'reverse'`.\n\n"
    "Build a new tuple instead: `xs[::-1]` or `tuple(reversed(xs))`."
)
DISCRIMINANT = "\n\nThe part under the root is the discriminant."
#: Each conversation as the same replies pasted as Markdown would read.
AS_MARKDOWN = {
    "chatgpt": [
        CODE_ANSWER,
        TUPLE_ANSWER,
        "A linear equation $ax + b = 0$ has the single root **x = −b/a**.\n\n"
        "For a quadratic equation the two roots are:\\\n"
        "$x = \\dfrac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$" + DISCRIMINANT,
    ],
    "claude": [
        CODE_ANSWER,
        TUPLE_ANSWER,
        "Not to be confused with $E = mc^2$: for a quadratic equation the roots are\n\n"
        "$$x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$$" + DISCRIMINANT,
    ],
    "gemini": [
        CODE_ANSWER,
        TUPLE_ANSWER,
        "For a quadratic equation the two roots are:\n\n"
        "$$x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$$" + DISCRIMINANT,
    ],
    "perplexity": [
        "Use slicing, xs[::-1], or the built-in reversed(): list(reversed(xs)) gives "
        "[3, 2, 1] for xs = [1, 2, 3].\n\n"
        "The three ways differ in whether they change the list:\n\n"
        "| Method | In place | Returns |\n|---|---|---|\n"
        "| xs.reverse() | yes | None |\n| xs[::-1] | no | a new list |\n",
        TUPLE_ANSWER.replace("`", ""),
        "For a quadratic equation the two roots are given by the quadratic formula.\n\n"
        "General form and the formula for the roots:\\\n$ax^2 + bx + c = 0$\\\n"
        "$x = \\dfrac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$" + DISCRIMINANT,
    ],
}


@pytest.mark.parametrize("site", SITES)
def test_a_page_gives_the_cards_the_same_chat_pasted_as_text_gives(site: str) -> None:
    """The issue's measure of done: same card HTML (code coloured, math for MathJax, tables
    wrapped) and same identity as the conversation pasted as Markdown."""
    notes = read(f"{site}.html").notes
    for note, markdown in zip(notes, AS_MARKDOWN[site], strict=True):
        assert folded(render_reply(note.answer).html) == folded(render_markdown(markdown))
        pasted = Note("pasted.md", 1, note.question, markdown)
        assert note.guid == pasted.guid
        assert question_key(note.question) == question_key(note.question.upper())


def test_code_is_rebuilt_and_highlighted_by_pygments() -> None:
    for site in ("chatgpt", "claude", "gemini"):
        card = render_reply(read(f"{site}.html").notes[0].answer).html
        assert '<pre class="code highlight language-python"><code><span class="n">xs</span>' in card
        assert '<pre class="code"><code>[3, 2, 1]\n[3, 2, 1]\n</code></pre>' in card
        # The site's own highlighting, header and copy button are gone.
        assert "hljs" not in card and "token" not in card and "Copy" not in card
        assert "Plaintext" not in card and not re.search(r"<p>\s*python\s*</p>", card, re.I)


def test_tables_are_wrapped_and_header_cells_are_th() -> None:
    for site in SITES:
        card = render_reply(read(f"{site}.html").notes[0].answer).html
        assert '<div class="table-wrap"><table>' in card
        assert folded(card).count("<th>") == 3  # Gemini writes its header cells as td


def test_katex_annotation_and_gemini_data_math_become_mathjax_delimiters() -> None:
    chatgpt = read("chatgpt.html").notes[2].answer
    assert r"\(ax + b = 0\)" in chatgpt and r"\(x = \dfrac{-b" in chatgpt
    claude = read("claude.html").notes[2].answer
    assert r"\(E = mc^2\)" in claude and r"\[x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}\]" in claude
    gemini = read("gemini.html").notes[2].answer  # only data-math holds the TeX
    assert r"\[x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}\]" in gemini
    for answer in (chatgpt, claude, gemini):
        assert "b2−4ac" not in card_text(answer)  # KaTeX's typeset copy is left out


def test_mathjax_markup_gives_its_tex(tmp_path: Path) -> None:
    mathjax3 = (
        '<p>Inline <mjx-container class="MathJax" jax="CHTML"><mjx-math aria-hidden="true">'
        "<mjx-mi>a</mjx-mi></mjx-math><mjx-assistive-mml><math><semantics><mi>a</mi>"
        '<annotation encoding="application/x-tex">a^2</annotation></semantics></math>'
        "</mjx-assistive-mml></mjx-container> and display</p>"
        '<mjx-container class="MathJax" display="true"><mjx-math aria-hidden="true">typeset'
        '</mjx-math><mjx-assistive-mml display="block"><math display="block">'
        "<mi>b</mi></math></mjx-assistive-mml></mjx-container>"
        '<div><mjx-container class="MathJax" data-latex="\\sum_i x_i" display="true">'
        "<mjx-math>typeset</mjx-math></mjx-container></div>"
    )
    mathjax2 = (
        '<p>Old <span class="MathJax_Preview">c</span><span class="MathJax" role="presentation">'
        'typeset c</span><script type="math/tex">c_1</script> and '
        '<span class="MathJax_Display">typeset</span><script type="math/tex; mode=display">'
        "d \\over 2</script></p>"
        '<p><math alttext="e^x"><mi>e</mi></math></p>'
    )
    card, page = reply_of(tmp_path, mathjax3 + mathjax2)
    assert r"Inline \(a^2\) and display" in card
    assert r"<p>\[\sum_i x_i\]</p>" in card
    assert r"Old \(c_1\) and \[d \over 2\]" in card and r"\(e^x\)" in card
    assert "typeset" not in card
    # A formula whose TeX the page did not keep (MathJax 3's default) is noted, not garbled.
    assert FORMULA_NOTE.replace("<em>", "").replace("</em>", "") in html.unescape(card)
    assert any("1 formula(s) whose TeX source" in p.message for p in page.problems)


def test_lists_quotes_headings_links_and_emphasis_are_kept(tmp_path: Path) -> None:
    reply = (
        '<h3 data-start="0">Steps</h3><ol start="3"><li><p>First <em>one</em></p></li>'
        "<li><p>Then <strong>two</strong> <del>not</del></p><ul><li>nested <code>x</code></li>"
        '</ul></li></ol><blockquote><p>quoted <a href="https://example.com/a" class="x" '
        'target="_blank">link</a> and <a href="/relative">rel</a></p></blockquote><hr>'
        "<ul><li>tight <b>bold</b><ul><li>deep</li></ul></li></ul><p>H<sub>2</sub>O x<sup>2</sup>"
        "<br>next line</p>"
    )
    markdown = (
        "### Steps\n\n3. First *one*\n\n4. Then **two** ~~not~~\n\n   - nested `x`\n\n"
        "> quoted [link](https://example.com/a) and rel\n\n---\n\n- tight **bold**\n  - deep\n\n"
        "H<sub>2</sub>O x<sup>2</sup>  \nnext line"
    )
    card, _ = reply_of(tmp_path, reply)
    expected = folded(render_markdown(markdown)).replace("&lt;sub&gt;2&lt;/sub&gt;", "<sub>2</sub>")
    expected = expected.replace("&lt;sup&gt;2&lt;/sup&gt;", "<sup>2</sup>")
    assert folded(card) == expected


def test_images_are_noted_as_in_exports(tmp_path: Path) -> None:
    body = chatgpt_turns(
        ("user", "what is in this picture?"),
        ("assistant", '<p>A cat: <img src="https://files.example/cat.png" alt="cat"></p>'),
    ).replace(
        '<div class="whitespace-pre-wrap">',
        '<img src="https://files.example/upload.png" alt=""><div class="whitespace-pre-wrap">',
        1,
    )
    page = read_page(write_page(tmp_path, "p.html", body), "p.html")
    [note] = page.notes
    assert note.question == "what is in this picture?\n\n" + IMAGE_LINE  # as exports write it
    assert IMAGE_NOTE in note.answer and "cat.png" not in render_reply(note.answer).html
    assert [p.message for p in page.problems] == [f"1 image(s) not included, shown as {IMAGE_LINE}"]


# --- Failing soft ----------------------------------------------------------------------------


def test_a_page_that_is_not_a_chat_gets_one_warning_and_no_notes() -> None:
    page = read("not-a-chat.html")
    assert page.conversations == []
    [problem] = page.problems
    assert problem.message.startswith("skipped: an HTML page, but not a conversation saved from")


def test_a_site_whose_markup_changed_gives_a_warning_naming_what_is_missing() -> None:
    page = read("changed-markup.html")
    assert page.conversations == [] and page.notes == []
    [problem] = page.problems
    assert "looks like a saved ChatGPT page" in problem.message
    assert '[data-message-author-role="user"]' in problem.message
    assert '[data-message-author-role="assistant"]' in problem.message


def test_markup_changed_on_one_side_gives_no_cards(tmp_path: Path) -> None:
    markup = (PAGES / "chatgpt.html").read_text(encoding="utf-8")
    path = tmp_path / "half.html"
    renamed = markup.replace('data-message-author-role="assistant"', 'data-role="a"')
    path.write_text(renamed.replace('data-turn="assistant"', 'data-speaker="a"'))
    page = read_page(path, path.name)
    assert page.notes == []
    [problem] = page.problems
    assert 'no reply (`[data-turn="assistant"], [data-message-author-role=' in problem.message
    assert "no user turn" not in problem.message


def test_a_reply_whose_text_is_not_found_leaves_its_question_out(tmp_path: Path) -> None:
    markup = (PAGES / "chatgpt.html").read_text(encoding="utf-8")
    second = markup.index('data-message-id="b2e1d3c4-0000-4000-8000-000000000004"')
    changed = markup[:second] + markup[second:].replace("markdown prose", "answer-body", 1)
    path = tmp_path / "one-changed.html"
    path.write_text(changed, encoding="utf-8")
    page = read_page(path, path.name)
    assert [note.question for note in page.notes] == [
        "How do I reverse a list in Python?",
        "What is the quadratic formula?",
    ]
    [problem] = page.problems
    assert problem.message == (
        "1 of 3 question(s) left out: no `.markdown` (the reply's text) in their reply; "
        "ChatGPT's markup may have changed"
    )


def test_a_reply_split_into_messages_keeps_the_ones_with_text(tmp_path: Path) -> None:
    """ChatGPT can draw one reply as several messages, a tool call among them with no text."""
    body = chatgpt_turns(
        ("user", "plot it?"),
        ("assistant", "<p>Here is the plan.</p>"),
        ("assistant", "<p>Done: see above.</p>"),
    ).replace('<div class="markdown prose"><p>Here is the plan.</p></div>', "<div>tool call</div>")
    page = read_page(write_page(tmp_path, "p.html", body), "p.html")
    assert [(n.question, n.answer) for n in page.notes] == [("plot it?", "<p>Done: see above.</p>")]
    assert page.problems == []


def test_a_page_that_starts_with_a_reply_says_so(tmp_path: Path) -> None:
    body = chatgpt_turns(("assistant", "<p>an answer</p>"), ("user", "q?"), ("assistant", "a"))
    page = read_page(write_page(tmp_path, "p.html", body), "p.html")
    assert [n.question for n in page.notes] == ["q?"]
    [problem] = page.problems
    assert problem.message.startswith("1 repl(ies) before the first question on the page")


def test_an_icon_title_never_names_the_deck(tmp_path: Path) -> None:
    body = "<svg><title>Copy icon</title></svg>" + chatgpt_turns(("user", "q?"), ("assistant", "a"))
    path = tmp_path / "Icons first.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    assert read_page(path, path.name).conversations[0].title == "Icons first"


def test_turns_not_drawn_when_saved_never_shift_a_reply_onto_another_question(
    tmp_path: Path,
) -> None:
    """AI Studio (from DOM notes, no capture) draws only the turns on screen; the others are
    empty placeholders. A reply after a placeholder never answers the question before it."""

    def turn(role: str, content: str) -> str:
        inner = (
            f'<div class="author-label">{role}</div><ms-prompt-chunk>{content}</ms-prompt-chunk>'
        )
        return (
            f'<ms-chat-turn><div class="chat-turn-container {role.lower()}">'
            f'<div class="actions-container"><button>Edit</button></div>'
            f'<div class="virtual-scroll-container" data-turn-role="{role}">'
            f'<div class="turn-content">{inner if content else ""}</div></div></div></ms-chat-turn>'
        )

    body = "".join(
        [
            turn("User", "<ms-text-chunk><p>what is a monad?</p></ms-text-chunk>"),
            turn(
                "Model",
                "<ms-thought-chunk>Thinking about monads</ms-thought-chunk>"
                "<ms-text-chunk><p>A monoid in the category of endofunctors.</p>"
                '<pre><code class="language-haskell">return x &gt;&gt;= f</code></pre>'
                "</ms-text-chunk>",
            ),
            turn("User", ""),  # not drawn
            turn("Model", "<ms-text-chunk><p>The answer to a question not on the page.</p>"),
            turn("User", "<ms-text-chunk><p>and a functor?</p>\n<p>briefly</p></ms-text-chunk>"),
            turn("Model", "<ms-text-chunk><p>Something you can map over.</p></ms-text-chunk>"),
        ]
    )
    path = write_page(tmp_path, "studio.html", body, url="https://aistudio.google.com/prompts/1")
    page = read_page(path, path.name)
    assert [(n.question, card_text(n.answer)) for n in page.notes] == [
        ("what is a monad?", "A monoid in the category of endofunctors. return x >>= f "),
        ("and a functor?\n\nbriefly", "Something you can map over."),
    ]
    assert page.conversations[0].site == "AI Studio"
    assert (
        '<pre class="code highlight language-haskell">' in render_reply(page.notes[0].answer).html
    )
    [problem] = page.problems
    assert "1 turn(s) had not been drawn by AI Studio" in problem.message
    assert "1 repl(ies) after them are left out" in problem.message


def section_turn(number: int, role: str, inner: str) -> str:
    """A turn as ChatGPT drew it from spring 2026 (`section` in a `data-turn-id-container`)."""
    key = f"0000000{number}-0000-4000-8000-000000000000"
    return (
        f'<div data-turn-id-container="{key}" data-is-intersecting="true">'
        f'<section data-testid="conversation-turn-{number}" data-turn="{role}" '
        f'data-turn-id="{key}" data-turn-id-container="{key}"><h4 class="sr-only select-none">'
        f"said:</h4>{inner}</section></div>"
    )


def test_chatgpt_2026_turns_placeholders_images_and_citations(tmp_path: Path) -> None:
    """The 2026 layout, as real captures show it (YongseopKim/llm-chat-exporter,
    samples/edges/chatgpt_00*.html, read for structure only): an always-empty root container,
    turns not drawn (empty containers), a turn with nothing shown (a tool's placeholder), a
    reply that is only a generated image, and citation pills with favicons."""
    user = (
        '<div data-message-author-role="user" data-message-id="u">'
        '<div class="whitespace-pre-wrap">{}</div></div>'
    )
    reply = (
        '<div data-message-author-role="assistant" data-message-id="a">'
        '<div class="markdown prose">{}</div></div>'
    )
    pill = (
        '<span data-testid="webpage-citation-pill"><a href="https://www.reuters.com/x">'
        '<img src="https://www.google.com/s2/favicons?domain=reuters.com&amp;sz=128" width="128" '
        'height="128">Reuters</a></span>'
    )
    image = (
        '<div role="button">'
        '<img alt="generated" src="https://chatgpt.com/backend-api/x" width="1122">'
        '<img alt="" aria-hidden="true" src="https://chatgpt.com/backend-api/x"></div>'
        '<button aria-label="Edit image">Edit</button>'
    )
    body = (
        '<div data-turn-id-container="client-created-root" data-is-intersecting="true"></div>'
        + section_turn(1, "user", user.format("why are data centres short of power?"))
        + section_turn(
            2, "assistant", "<div><div data-conversation-screenshot-content></div></div>"
        )
        + section_turn(3, "assistant", reply.format(f"<p>Grid connections take years. {pill}</p>"))
        + '<div data-turn-id-container="9" data-is-intersecting="false"></div>'
        + section_turn(
            5, "assistant", reply.format("<p>An answer whose question was not drawn.</p>")
        )
        + section_turn(6, "user", user.format("draw me a data centre"))
        + section_turn(7, "assistant", image)
    )
    page = read_page(write_page(tmp_path, "p.html", body), "p.html")
    assert [(n.question, card_text(n.answer)) for n in page.notes] == [
        ("why are data centres short of power?", "Grid connections take years."),
        ("draw me a data centre", "[image not included]"),
    ]
    assert [p.message.split(" (")[0] for p in page.problems] == [
        "1 turn(s) had not been drawn by ChatGPT when the page was saved",
        f"1 image(s) not included, shown as {IMAGE_LINE}",
    ]


def test_a_reply_still_being_written_is_kept_with_a_warning(tmp_path: Path) -> None:
    markup = (PAGES / "claude.html").read_text(encoding="utf-8")
    last = markup.rindex('data-is-streaming="false"')
    path = tmp_path / "streaming.html"
    path.write_text(markup[:last] + markup[last:].replace('"false"', '"true"', 1))
    page = read_page(path, path.name)
    assert len(page.notes) == 3
    assert [p.message for p in page.problems] == [
        "a reply was still being written when the page was saved: it may be cut short"
    ]


def test_a_page_of_a_site_chatdeck_does_not_read_is_named(tmp_path: Path) -> None:
    path = write_page(tmp_path, "grok.html", "<div>hi</div>", url="https://grok.com/c/123")
    [problem] = read_page(path, path.name).problems
    assert problem.message.startswith("skipped: a saved Grok page; chatdeck reads pages from")


def test_a_question_without_a_reply_is_kept_as_exports_keep_it(tmp_path: Path) -> None:
    body = chatgpt_turns(("user", "first?"), ("assistant", "<p>yes</p>"), ("user", "second?"))
    page = read_page(write_page(tmp_path, "p.html", body), "p.html")
    assert [(n.question, n.answer) for n in page.notes] == [
        ("first?", "<p>yes</p>"),
        ("second?", ""),
    ]
    assert [p.message for p in page.problems] == ["no reply to 'second?'"]


def test_reasoning_and_edit_switchers_never_reach_a_card() -> None:
    for site in ("chatgpt", "claude", "gemini"):
        page = read(f"{site}.html")
        everything = "\n".join(f"{n.question}\n{n.answer}" for n in page.notes)
        for interface in (
            "Thought for",
            "The user asks for the quadratic formula",
            "Recalled",
            "생각하는 과정",
            "2/2",
            "2 / 2",
            "Previous",
        ):
            assert interface not in everything, (site, interface)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("ChatGPT - Shared chat about lists", "Shared chat about lists"),
        ("ChatGPT", "From the sidebar"),
        ("  Spaced\n  title  ", "Spaced title"),
    ],
)
def test_titles_lose_the_site_name_and_fall_back_to_the_page(
    tmp_path: Path, title: str, expected: str
) -> None:
    body = '<nav><a data-active="" href="/c/x">From the sidebar</a></nav>' + chatgpt_turns(
        ("user", "q?"), ("assistant", "<p>a</p>")
    )
    path = write_page(tmp_path, "Saved page.html", body).resolve()
    path.write_text(path.read_text().replace("<title>Test chat</title>", f"<title>{title}</title>"))
    assert read_page(path, path.name).conversations[0].title == expected


def test_a_title_only_the_file_name_gives(tmp_path: Path) -> None:
    turns = chatgpt_turns(("user", "q?"), ("assistant", "<p>a</p>"))
    path = write_page(tmp_path, "Sourdough starter.html", turns)
    path.write_text(path.read_text().replace("<title>Test chat</title>", "<title>ChatGPT</title>"))
    assert read_page(path, path.name).conversations[0].title == "Sourdough starter"


def test_a_page_without_an_address_is_known_by_its_turns(tmp_path: Path) -> None:
    markup = (PAGES / "gemini.html").read_text(encoding="utf-8")
    path = tmp_path / "copy.html"
    path.write_text(re.sub(r"<!-- saved from url=[^>]*-->", "", markup), encoding="utf-8")
    assert len(read_page(path, path.name).notes) == 3


def test_mhtml_is_unpacked_with_the_standard_library(tmp_path: Path) -> None:
    """What Chrome's "Webpage, Single File" writes: a MIME archive, the page quoted-printable."""
    archive = EmailMessage(policy=email.policy.SMTP)
    archive["From"] = "<Saved by Blink>"
    archive["Snapshot-Content-Location"] = "https://claude.ai/chat/5b0c1f7e"
    archive["Subject"] = "Reversing lists in Python - Claude"
    archive["MIME-Version"] = "1.0"
    archive.make_related()
    markup = (PAGES / "claude.html").read_text(encoding="utf-8")
    archive.add_related(markup, subtype="html", cte="quoted-printable")
    archive.add_related(b"body{}", maintype="text", subtype="css", cte="base64")
    path = tmp_path / "chat.mhtml"
    path.write_bytes(archive.as_bytes())
    assert is_page(path, path.read_bytes()[:8192])
    page = read_page(path, path.name)
    original = read("claude.html")
    assert [(n.question, n.answer) for n in page.notes] == [
        (n.question, n.answer) for n in original.notes
    ]
    assert page.conversations[0].title == "Reversing lists in Python"


def test_an_mhtml_without_a_page_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "empty.mhtml"
    path.write_bytes(
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/css\r\n\r\nbody{}\r\n--b--\r\n"
    )
    [problem] = read_page(path, path.name).problems
    assert problem.message == "skipped: an MHTML archive with no HTML page in it"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("chat.html", b"", True),
        ("chat.HTM", b"", True),
        ("chat.mhtml", b"", True),
        ("chat.mht", b"", True),
        ("notes.md", b"<!DOCTYPE html>", False),
        ("notes.txt", b"<html>", False),
        ("saved", b"\xef\xbb\xbf\n<!doctype html><html>", True),
        (
            "saved",
            b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;",
            True,
        ),
        ("notes", b"Q: what?\nA: this", False),
        ("notes", b"Q: mime?\nContent-Type: multipart/related\n", False),
        ("notes", b"<p>Content-Type: multipart/related</p>", False),
    ],
)
def test_is_page(name: str, head: bytes, expected: bool) -> None:
    assert is_page(Path(name), head) is expected


def test_reading_never_raises_on_deep_or_bad_pages(tmp_path: Path) -> None:
    deep = tmp_path / "deep.html"
    deep.write_text(
        "<!-- saved from url=(0000)https://chatgpt.com/c/x -->"
        + chatgpt_turns(("user", "q?"), ("assistant", "<div>" * 5000 + "x" + "</div>" * 5000))
    )
    page = read_page(deep, deep.name)
    assert page.notes == [] or len(page.notes) == 1
    missing = read_page(tmp_path / "missing.html", "missing.html")
    assert missing.problems[0].message.startswith("cannot read")
    rejected = write_page(tmp_path, "rejected.html", "<![ x" + chatgpt_turns(("user", "q?")))
    [problem] = read_page(rejected, rejected.name).problems
    assert problem.message == "skipped: not readable as HTML"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_read_as_a_page_never_raise(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.html"
    path.write_bytes(b"<!-- saved from url=(0000)https://chatgpt.com/c/x -->" + data)
    read_page(path, path.name)


# --- Nothing executable reaches a card -------------------------------------------------------


def test_the_hostile_page_gives_inert_cards() -> None:
    page = read_page(HOSTILE_PAGE, HOSTILE_PAGE.name)
    [note] = page.notes
    card = render_reply(note.answer).html
    assert_only_allowed_markup(card)
    lowered = card.lower()
    for word in ("<script", "<iframe", "<object", "<embed", "<style", "<svg", "<form", "<input"):
        assert word not in lowered, word
    assert not re.search(r"<[^>]+\s(on\w+|style|id|target|srcdoc)\s*=", card, re.IGNORECASE)
    assert not re.search(r"<[^>]*javascript", lowered)  # as text it is harmless, never a link
    assert re.findall(r'href="([^"]*)"', card) == ["https://example.com/ok"]
    assert "<img" not in card and "evil.example/pixel.png" not in card
    assert not ACTING_MACRO.search(text_mathjax_reads(card)), card
    assert not re.search(r"\[(sound|anki|latex|\$)", card, re.IGNORECASE)
    assert "\x1f" not in card and not re.search("[\uf8f0-\uf8f4]", card)
    assert r"\(e^{i\pi} + 1 = 0\)" in card  # legitimate math still typesets
    assert r"\mathtt{\backslash href}" in card and "\u29f5href" in card
    # One warning per macro, as the build reports it, whether in a formula or in the text.
    warned = [problem.message.split()[2] for problem in unsafe_math_problems(note)]
    assert sorted(warned) == sorted(
        ["\\href", "\\style", "\\cssId", "\\class", "\\require", "\\bbox"]
    )
    question = render_markdown(note.question)
    assert "<script" not in question and "&#91;sound:" in question


@pytest.mark.parametrize("raw", UNSAFE)
def test_raw_html_in_a_reply_never_becomes_markup(tmp_path: Path, raw: str) -> None:
    """The allow-list tests of the Markdown path, on this path: here the reply *is* HTML, so
    what is not allowed is left out instead of shown as text."""
    card, _ = reply_of(tmp_path, f"<p>Look: {raw}</p>{raw}<p>after</p>")
    for tag in ("script", "iframe", "object", "embed", "style"):
        assert f"<{tag}" not in card
    assert not re.search(r"<[^>]+\son\w+=", card)
    assert_only_allowed_markup(card)
    assert "after" in card


@pytest.mark.parametrize(
    "tex",
    [
        r"\href{javascript:alert(1)}{here}",
        r"  \href  {javascript:alert(1)} {x}",
        r"\text{$\href{javascript:alert(1)}{x}$}",
        r"\frac{\cssId{qa}{a}}{\class{card}{\style{position:fixed}{b}}}",
        r"\bbox[background-image:url(https://evil.example/t.png)]{x}",
        r"\mmlToken{mi}[href='javascript:alert(1)']{x}",
        r"\require{[evil]/x}",
        r"\newcommand{\go}{\href{javascript:alert(1)}}\go{x}",
    ],
)
def test_tex_macros_in_a_page_formula_are_shown_as_text(tmp_path: Path, tex: str) -> None:
    formula = (
        '<span class="katex"><span class="katex-mathml"><math><semantics><mi>x</mi>'
        f'<annotation encoding="application/x-tex">{html.escape(tex)}</annotation>'
        "</semantics></math></span></span>"
    )
    card, page = reply_of(tmp_path, f"<p>see {formula}</p>")
    assert not ACTING_MACRO.search(text_mathjax_reads(card)), card
    warned = {problem.message.split()[2][1:] for problem in unsafe_math_problems(page.notes[0])}
    assert warned and warned <= set(UNSAFE_TEX_MACROS)


PAGE_PIECES = [
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<span class='katex'>",
    "<annotation encoding='application/x-tex'>",
    "</annotation>",
    "<pre>",
    "<code class='language-python'>",
    "</code>",
    "</pre>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<ul><li>",
    "</li></ul>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>",
    "<a href='https://example.com'>",
    "</a>",
    "<b onclick='x()'>",
    "</b>",
    "<style>p{}</style>",
    "<svg onload=alert(1)>",
    "<math>",
    "\\(",
    "\\href{javascript:x}{y}",
    "[sound:x.mp3]",
    "&#xf8f2;0&#xf8f3;",
    "\uf8f40",
    "\x1f",
    "text ",
    "中文",
    "&lt;script&gt;",
    "<![ x",
    "<!--",
    "<?x",
    "<![CDATA[",
    "</div></div></article>",
    '<article data-turn="user"><div data-message-author-role="user">',
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PAGE_PIECES), max_size=60).map("".join))
def test_any_reply_markup_gives_only_allowed_markup(
    tmp_path_factory: pytest.TempPathFactory, reply: str
) -> None:
    folder = tmp_path_factory.mktemp("reply")
    path = write_page(folder, "p.html", chatgpt_turns(("user", "q?"), ("assistant", reply)))
    for note in read_page(path, path.name).notes:
        card = render_reply(note.answer).html
        assert "<script" not in card.lower() and "\x1f" not in card
        assert not re.search(r"<[^>]+\son\w+\s*=", card, re.IGNORECASE)
        assert not re.search(r"\[sound:", card)
        assert not ACTING_MACRO.search(text_mathjax_reads(card))
        assert_only_allowed_markup(card)


def test_an_html_answer_renders_by_its_own_path_and_cache_key() -> None:
    markdown_like = "<b>bold</b> and *stars*"
    as_markdown = Note("a.md", 1, "q?", markdown_like)
    as_html = Note("a.html", None, "q?", markdown_like, answer_format="html")
    assert reply_cache_key(markdown_like) != cache_key(markdown_like)
    rendered = {key: value for key, value in render_note(as_html).html}
    answer = rendered[render_note(as_html).card.field_keys[1]]
    assert answer == "<b>bold</b> and *stars*"
    plain = {key: value for key, value in render_note(as_markdown).html}
    assert plain[render_note(as_markdown).card.field_keys[1]] == (
        "<p>&lt;b&gt;bold&lt;/b&gt; and <em>stars</em></p>"
    )


# --- The build, the dry run, Anki --------------------------------------------------------------


def test_pages_build_into_a_deck_that_anki_imports(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for site in SITES:
        (source / f"{site}.html").write_bytes((PAGES / f"{site}.html").read_bytes())
    (source / "not-a-chat.html").write_bytes((PAGES / "not-a-chat.html").read_bytes())
    (source / "hostile.html").write_bytes(HOSTILE_PAGE.read_bytes())
    result = build([source], deck_options(tmp_path / "out", deck="Pages"))
    # The same three questions on four sites are three notes (the last page wins), plus one.
    assert len(result.cards) == 4 and result.found == 13
    assert {c.name for c in result.conversations} == {
        "Reversing lists in Python",
        "Hostile page",
        "How do I reverse a list in Python?",
    }
    assert any("not-a-chat.html: skipped" in str(p) for p in result.problems)
    log, collection = import_package(tmp_path / "collection.anki2", result.output)
    try:
        assert len(log.new) == 4
        notes = [collection.get_note(nid) for nid in collection.find_notes("")]
        sources = {note["Source"] for note in notes}
        assert "perplexity.html: How do I reverse a list in Python?" in sources
        assert "hostile.html: Hostile page" in sources
        for card_id in collection.find_cards(""):
            card = collection.get_card(card_id)
            output = card.render_output(reload=True)
            assert card.question_av_tags() == [] and card.answer_av_tags() == []
            assert "latex-" not in output.answer_text and "<script" not in output.answer_text
            assert_only_allowed_markup(card.note()["Answer"])
        decks = set(collection.decks.all_names())
        assert {"Pages::How do I reverse a list in Python?", "Pages::Hostile page"} <= decks
    finally:
        collection.close()


def test_a_page_and_the_same_question_pasted_as_text_are_one_note(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "a-chatgpt.html").write_bytes((PAGES / "chatgpt.html").read_bytes())
    (source / "b-pasted.md").write_text(
        "Q: how do I reverse a list in python\n\nA: Use `reversed()`.\n", encoding="utf-8"
    )
    result = build([source], deck_options(tmp_path / "out"))
    assert len(result.cards) == 3 and result.found == 4
    [merge] = result.merges
    assert merge.kept.source == "b-pasted.md" and merge.dropped[0].source == "a-chatgpt.html"


def test_the_folder_a_saved_page_brings_is_left_alone(tmp_path: Path) -> None:
    """ "Save page as, complete" writes `page_files/` beside the page: its styles, scripts,
    images and frames are the page's, and no warning is worth giving about them."""
    source = tmp_path / "source"
    assets = source / "Reversing lists in Python - Claude_files"
    assets.mkdir(parents=True)
    (source / "Reversing lists in Python - Claude.html").write_bytes(
        (PAGES / "claude.html").read_bytes()
    )
    for name, data in (("root.css", b"body{}"), ("app.js", b"x=1"), ("frame.html", b"<p>")):
        (assets / name).write_bytes(data)
    (assets / "avatar.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (source / "notes_files").mkdir()  # no page beside it: an ordinary folder
    (source / "notes_files" / "q.md").write_text("Q: what?\n\nA: this.\n", encoding="utf-8")
    planned = plan([source])
    assert planned.problems == () and planned.files_read == 2
    assert len(planned.notes) == 4


def test_the_dry_run_lists_each_page_and_its_json_notes_carry_the_conversation() -> None:
    planned = plan([PAGES / "chatgpt.html", PAGES / "gemini.html"])
    assert [(c.source, c.name, c.notes, c.site) for c in planned.conversations] == [
        ("chatgpt.html", "Reversing lists in Python", 3, "ChatGPT"),
        ("gemini.html", "Reversing lists in Python", 3, "Gemini"),
    ]
    run = [sys.executable, str(ROOT / "build_deck.py"), "--dry-run", str(PAGES / "claude.html")]
    listing = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert "claude.html  Claude page 'Reversing lists in Python': 3 turn(s)" in listing
    report = json.loads(
        subprocess.run(run + ["--json"], capture_output=True, text=True, check=True).stdout
    )
    [first, *_] = report["notes"]
    assert first["conversation"] == "Reversing lists in Python" and first["line"] is None
    assert first["answer_format"] == "html" and first["rule"] == "claude page"
    assert first["deck"] == "Chat Transcripts::Reversing lists in Python"


# --- The parser -----------------------------------------------------------------------------


@pytest.mark.parametrize("parser", ["lxml", "html5lib"])
def test_other_parsers_give_the_same_notes(monkeypatch: pytest.MonkeyPatch, parser: str) -> None:
    """Python's own parser keeps the structure of every fixture: lxml and html5lib (browser
    parsing rules) read the same notes from them (bench/page_parsers.py times all three)."""
    importlib.import_module(parser)  # a test dependency: missing, it fails rather than skips
    reference = {
        path.name: [(n.question, n.answer) for n in read_page(path, path.name).notes]
        for path in sorted(PAGES.glob("*.html"))
    }
    monkeypatch.setattr(pages, "PARSER", parser)
    for path in sorted(PAGES.glob("*.html")):
        assert [(n.question, n.answer) for n in read_page(path, path.name).notes] == (
            reference[path.name]
        ), (parser, path.name)
