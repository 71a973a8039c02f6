"""Tab-split rows a page copy left of a table, rebuilt as Markdown tables
(`chatdeck.pasted_tables`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from chatdeck.cards import field_markdown
from chatdeck.parse import parse_transcript
from chatdeck.pasted_tables import tables_from_tabs
from chatdeck.read import parse_text, read_transcript
from chatdeck.render import render_markdown

CHATLOGS = Path(__file__).parent / "fixtures" / "chatlogs"


def test_rows_of_tab_split_cells_become_a_table_set_off_from_the_text_around_it() -> None:
    text = "Compare them:\n\tlist\ttuple\nMutable\tyes\tno\nHashable\tno\tyes\nThat is all."
    assert tables_from_tabs(text) == (
        "Compare them:\n"
        "\n"
        "|  | list | tuple |\n"
        "| --- | --- | --- |\n"
        "| Mutable | yes | no |\n"
        "| Hashable | no | yes |\n"
        "\n"
        "That is all."
    )


def test_the_rebuilt_rows_render_as_a_table() -> None:
    html = render_markdown(tables_from_tabs("Name\tAge\nAda\t36\nAlan\t41"))
    assert "<table>" in html and html.count("<tr>") == 3 and "<th>Name</th>" in html


def test_a_pipe_in_a_cell_stays_in_its_cell() -> None:
    assert "| a \\| b | c |" in tables_from_tabs("x\ty\na | b\tc")


@given(st.sampled_from(["```", "~~~", "````"]))
def test_rows_in_a_fence_are_code_and_stay(fence: str) -> None:
    text = f"Output:\n{fence}\nname\tsize\na.txt\t12\n{fence}\nafter\tthis\none\trow"
    rebuilt = tables_from_tabs(text)
    assert f"{fence}\nname\tsize\na.txt\t12\n{fence}" in rebuilt
    assert "| after | this |" in rebuilt  # (the fence closed: rows after it are a table)


def test_code_indented_by_tabs_and_single_rows_stay_as_written() -> None:
    for text in (
        "func main() {\n\tx := 1\n\tfmt.Println(x)\n}",  # Go, indented by tabs
        "build:\n\tgo build ./...\n\tgo vet ./...",  # a Makefile's recipe
        "one row\tonly here\nand a sentence",
        "    indented\tcode\n    more\tcode",  # indented code, four spaces
        "no tabs at all\nhere",
    ):
        assert tables_from_tabs(text) is text


def test_rows_of_another_width_end_the_table() -> None:
    rebuilt = tables_from_tabs("a\tb\nc\td\ne\tf\tg\nh\ti\tj")
    assert rebuilt.startswith("| a | b |\n| --- | --- |\n| c | d |\n\n")
    assert rebuilt.endswith("| e | f | g |\n| --- | --- | --- |\n| h | i | j |")


def test_a_saved_gemini_page_gets_its_table_back_on_the_card() -> None:
    """Gemini Chat Exporter (OpenClaw) saves the page's text: the reply's table is tab-split
    rows under an empty corner cell."""
    transcript = read_transcript(CHATLOGS / "gemini-chat-exporter-openclaw.md", "g.md")
    note = parse_transcript(transcript).notes[2]
    assert "\tconvert()\tconvert_alpha()" in note.answer  # the note keeps what the file says
    _, answer = field_markdown(note)
    assert "|  | convert() | convert_alpha() |\n| --- | --- | --- |" in answer


def test_a_header_that_lost_its_corner_cell_gets_it_back() -> None:
    """Hollama's page copy: the header row's empty corner cell left no tab."""
    rebuilt = tables_from_tabs("intent(inout)\tintent(out)\nOn entry\tkept\tundefined")
    assert rebuilt == (
        "|  | intent(inout) | intent(out) |\n| --- | --- | --- |\n| On entry | kept | undefined |"
    )


def card_fields(question: str, answer: str) -> tuple[str, str]:
    """The card's Markdown of a note with this question and answer."""
    note = parse_transcript(parse_text("Q: q\nA: a\n", "t.md")).notes[0]
    return field_markdown(replace(note, question=question, answer=answer))


def test_pasted_code_with_tab_split_lines_is_fenced_as_code_first() -> None:
    """Review 62: a Makefile's variables and a Go struct with no indent were fenced as pasted
    code; tables are built after that, so they stay code."""
    for question in (
        "why is CFLAGS ignored?\n\nCC\t= gcc\nCFLAGS\t= -Wall -O2\n\n"
        "all: main.o\n\t$(CC) -o app main.o",
        "what's wrong?\n\ntype User struct {\nName\tstring\nAge\tint\n}",
    ):
        shown, _ = card_fields(question, "See above.")
        assert "```" in shown and "| --- |" not in shown, shown


def test_a_list_or_a_quote_with_tabs_is_no_table() -> None:
    """Review 62: numbered items a word processor copied (`1.<tab>Install`), items with a tab
    inside (`1. Install<tab>now`) and a quote's lines stay what they are."""
    for text in (
        "1.\tInstall the package\n2.\tRun the setup\n3.\tRestart the server",
        "1. Install\tnow\n2. Run\tlater",
        "> a\tb\n> 1\t2",
    ):
        assert tables_from_tabs(text) is text
    assert "| > | gt |" in tables_from_tabs("num\tstr\n==\teq\n>\tgt")  # (`>` alone: a cell)
