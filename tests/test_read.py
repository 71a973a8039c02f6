"""Reading: decoding, line splitting and the whole-file wrapper fence."""

from __future__ import annotations

import codecs

import pytest

from chatdeck.read import (
    decode,
    find_wrapper,
    parse_text,
    quoted_text,
    rule_fences,
    split_lines,
    tabbed_messages,
)


def lines(text: str) -> list[str]:
    return split_lines(text)


@pytest.mark.parametrize("fence", ["```", "````", "~~~", "```markdown", "~~~~ text"])
def test_a_closed_wrapper_is_found_with_nested_fences_inside(fence: str) -> None:
    bare = fence.split()[0].removesuffix("markdown")
    text = f"{fence}\nQ: q?\nA: code:\n\n```python\nx = 1\n```\n\n```\noutput\n```\n{bare}\n"
    assert find_wrapper(lines(text)) == (0, 11)


def test_a_title_line_may_come_before_the_wrapper() -> None:
    text = "# My notes\n\n```\nQ: q?\nA: a\n```\n"
    assert find_wrapper(lines(text)) == (2, 5)


def test_an_unclosed_wrapper_is_open_to_the_end() -> None:
    assert find_wrapper(lines("```\nQ: q?\nA: a\n")) == (0, None)


def test_a_last_fence_that_closes_a_nested_block_does_not_close_the_wrapper() -> None:
    text = "```markdown\nQ: q?\nA: like this:\n\n```python\nx = 1\n```\n"
    assert find_wrapper(lines(text)) == (0, None)


def test_a_shorter_fence_never_closes_a_longer_wrapper() -> None:
    text = "````\nQ: q?\nA: a\n```\n"
    assert find_wrapper(lines(text)) == (0, None)


@pytest.mark.parametrize("asking", ["Q: new?", "User: new?", "## You", "**Q:** new?"])
def test_a_question_after_the_wrapper_ends_it_there(asking: str) -> None:
    text = f"# T\n\n```\nQ: q?\nA: a\n```\n\n{asking}\nA: more\n```python\nx\n```\n"
    assert find_wrapper(lines(text)) == (2, 5)


def test_pasted_code_before_the_first_question_is_no_wrapper() -> None:
    text = "```\nsome code\n```\nQ: what does it do?\nA: nothing\n"
    assert find_wrapper(lines(text)) is None


def test_a_nested_block_whose_code_follows_an_answer_does_not_end_the_wrapper() -> None:
    text = "```\nQ: q?\nA: like this:\n```\nprint(1)\n```\nQ: next?\nA: b\n```\n"
    assert find_wrapper(lines(text)) == (0, 8)


def test_trailing_blank_lines_after_the_closing_fence_are_fine() -> None:
    assert find_wrapper(lines("```\nQ: q?\nA: a\n```\n\n  \n")) == (0, 3)


@pytest.mark.parametrize(
    "text",
    [
        "```python\nQ: q?\n```\n",  # a language: a code block, not a wrapper
        "```\nsome code\n```\n\nQ: what does it do?\nA: nothing\n",  # closed, then text
        "Q: q?\n```\nA: a\n```\n",  # does not open the file
        "## Why does this fail?\n```\nTraceback\n```\n\nIt fails because\n```python\nx\n```\n",
        "",
        "\n\n",
    ],
)
def test_not_a_wrapper(text: str) -> None:
    assert find_wrapper(lines(text)) is None


def test_the_wrapper_lines_are_ignored_and_nothing_else() -> None:
    transcript = parse_text("# T\n```\nQ: q?\nA: a\n```\n", "x")
    assert transcript.ignored == frozenset({1, 4})


def test_split_lines_normalizes_crlf_and_cr() -> None:
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    assert split_lines("a\n\n") == ["a", ""]


def test_a_bom_is_dropped_however_the_text_arrives() -> None:
    assert decode(codecs.BOM_UTF8 + "Q: é?".encode(), "x") == ("Q: é?", [])
    assert parse_text("\ufeffQ: q?\n", "x").lines == ["Q: q?"]
    assert decode("Q: q?".encode("utf-16"), "x") == ("Q: q?", [])


def test_invalid_utf8_is_replaced_and_reported_with_its_line() -> None:
    text, problems = decode(b"Q: a\nA: \xff\n", "x")
    assert text == "Q: a\nA: \ufffd\n"
    assert [problem.line for problem in problems] == [2]


def test_wrapper_detection_is_linear_on_huge_inputs() -> None:
    many = ["```"] + ["```python", "x", "```"] * 100_000 + ["```"]
    assert find_wrapper(many) == (0, len(many) - 1)
    assert find_wrapper(["```" + " " * 5_000_000 + "x`"]) is None


RULED_BY_TILDES = (
    "Siobhán: Why does nginx return 502?\nGPT 3.5 Turbo: The socket is not readable.\n\n"
    "```bash\nls -l /run/gunicorn.sock\n```\n\n~~~~~~~~~~~~~~~\n\n"
    "Siobhán: Write me a unit file\nGPT 3.5 Turbo: Here it is.\n\n~~~~~~~~~~~~~~~\n"
)


def test_a_bare_fence_after_every_exchange_is_a_rule_not_a_fence() -> None:
    """`~~~~~~~~~~~~~~~` alone between blank lines after every exchange, each time over the
    speaker that opens the file: the tool's rule, on no card, and no code block."""
    lines = split_lines(RULED_BY_TILDES)
    assert rule_fences(lines) == {i for i, line in enumerate(lines) if line.startswith("~")}
    assert parse_text(RULED_BY_TILDES, "chat.txt").ignored == frozenset(rule_fences(lines))


@pytest.mark.parametrize("text", ["", "\n", "\n\n  \n"])
def test_a_file_of_blank_lines_has_no_rule_fences(text: str) -> None:
    assert rule_fences(split_lines(text)) == set()


@pytest.mark.parametrize(
    "text",
    [
        # a code block fenced with tildes in an answer: the next line is no speaker
        "Q: How?\nA: Like this:\n\n~~~\nmake\n~~~\n\nThen run it.\n",
        # a speaker after the fence, but not the one the file opens with
        RULED_BY_TILDES.replace("~~~~~~~~~~~~~~~\n\nSiobhán", "~~~~~~~~~~~~~~~\n\nSeán"),
        # tildes glued to the text above them
        RULED_BY_TILDES.replace("```\n\n~~~", "```\n~~~"),
    ],
)
def test_bare_fences_that_are_no_rule_stay_fences(text: str) -> None:
    assert rule_fences(split_lines(text)) == set()


def test_a_file_that_is_one_json_string_of_lines_is_read_as_its_text() -> None:
    """A server's JSON response saved as it came (LoLLMs WebUI's Markdown export): one line, a
    quoted string with `\\n` escapes."""
    text = '"## Title\\n### user:\\nwhy?\\n\\n### lollms:\\nBecause \\"x\\" \\u00e9.\\n\\nSee?"'
    assert parse_text(text, "chat.markdown").lines == [
        "## Title",
        "### user:",
        "why?",
        "",
        "### lollms:",
        'Because "x" é.',
        "",
        "See?",
    ]


@pytest.mark.parametrize(
    "text",
    [
        '"Quoted words alone on a line."',  # a quote, one line: no lines in it
        '"## Title\\n" and more',  # not one JSON string
        '"a\\nb"\n"c\\nd"',  # two lines of the file
        '"broken \\x escape\\n\\n\\n\\n"',  # no JSON
        # a note on line endings, quoted: no paragraphs
        '"User: what is the difference between \\n and \\r\\n? Assistant: \\n is LF."',
    ],
)
def test_text_that_is_no_single_json_string_of_lines_is_read_as_written(text: str) -> None:
    assert quoted_text(text) is None
    assert parse_text(text, "notes.md").lines == split_lines(text)


def test_a_file_of_one_message_a_line_in_tab_separated_records_is_read_as_its_messages() -> None:
    """A session file that keeps each message on a line of its own (shellChatGPT's `.tsv`):
    stamps, then the message as a JSON string; the messages come out decoded, a blank line
    between two, a record commented out with `#` left out, a line with no tab kept."""
    text = (
        '2026-03-14T21:18:09+01\t42\t":system prompt"\n'
        '2026-03-14T21:17:59CET\t471\t"Q: $ make\\nerror: x\\n\\nwhy?"\n'
        '#2026-03-14T21:17:59CET\t12\t"Q: a prompt taken back"\n'
        "SESSION BREAK\n"
        '2026-03-14T21:17:59CET\t470\t"A:Because \\"x\\" \\u00e9.\\n\\nFix x."\n'
    )
    assert parse_text(text, "chat.tsv").lines == [
        ":system prompt",
        "",
        "Q: $ make",
        "error: x",
        "",
        "why?",
        "",
        "SESSION BREAK",
        "",
        'A:Because "x" é.',
        "",
        "Fix x.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        'What is a monad?\t"A monoid in the category of endofunctors."\n'
        'What is a functor?\t"A mapping between categories."\n',  # cards: the question is text
        '2024-01-01\t"one record"\n',  # one record
        '2024-01-01\t"a"\n2024-01-02\tnot quoted\n',  # a line that is no record
        '2024-01-01\t"a \\x"\n2024-01-02\t"b"\n',  # no JSON
    ],
)
def test_tab_separated_lines_that_are_no_message_records_are_read_as_written(text: str) -> None:
    assert tabbed_messages(text) is None
    assert parse_text(text, "notes.tsv").lines == split_lines(text)


def test_a_terminals_control_sequences_are_left_out() -> None:
    """A tool that writes to a terminal leaves its erase-line and colour codes in a saved file
    (Plandex's `ESC[2K` on the first line): they are no text of the chat."""
    text = "\x1b[2K\x1b[2K\n## You\n\n\x1b[1;32mhow?\x1b[0m\n"
    assert parse_text(text, "chat.md").lines == ["", "## You", "", "how?"]
