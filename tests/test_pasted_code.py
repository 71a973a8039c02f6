"""Code and output pasted into a question without a fence (`chatdeck.pasted_code`)."""

from __future__ import annotations

from conftest import SOURCE
from hypothesis import given, settings
from hypothesis import strategies as st
from test_parse import read_bytes, transcript_text

from chatdeck.build import plan
from chatdeck.parse import parse_transcript
from chatdeck.pasted_code import fence_pasted_code


def test_a_log_above_the_asking_line_is_fenced_and_the_words_around_it_are_not() -> None:
    question = (
        "I get this when I run make:\n\n$ make\ncc -Wall -O2 -c src/util.c -o build/util.o\n"
        "make: *** No rule to make target 'build/main.o'.  Stop.\n\nwhy does it not find it?"
    )
    assert fence_pasted_code(question) == (
        "I get this when I run make:\n\n```\n$ make\ncc -Wall -O2 -c src/util.c -o build/util.o\n"
        "make: *** No rule to make target 'build/main.o'.  Stop.\n```\n\nwhy does it not find it?"
    )


def test_paragraphs_of_code_with_blank_lines_between_are_one_fence() -> None:
    question = (
        "import os\n\ndef main():\n    print(os.getcwd())\n\nmain()\n\n"
        "this prints the wrong folder when cron runs it, why"
    )
    fenced = fence_pasted_code(question)
    assert fenced.startswith("```\nimport os\n\ndef main():")
    assert fenced.endswith("main()\n```\n\nthis prints the wrong folder when cron runs it, why")


def test_a_sentence_glued_under_a_traceback_stays_out_of_the_fence() -> None:
    question = (
        'Traceback (most recent call last):\n  File "main.py", line 4, in <module>\n'
        "TypeError: 'tuple' object does not support item assignment\n"
        "why do i get this when i change a point"
    )
    fenced = fence_pasted_code(question)
    assert fenced.endswith("assignment\n```\nwhy do i get this when i change a point")


def test_a_fence_uses_tildes_around_code_that_holds_backticks() -> None:
    question = "x = f'''\n```\n'''\ny = g(x)\n\nwhy?"
    # the question holds a fence line of its own: left as the user wrote it
    assert fence_pasted_code(question) == question
    inline = "x = `a`\ny = g(x) + h(```)\n\nwhy?"
    assert fence_pasted_code(inline).startswith("~~~\nx = `a`")


def test_markdown_a_user_meant_and_prose_stay_as_written() -> None:
    for question in (
        "1. what is a = b?\n2. and a := b?",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\nwhich column is the key?",
        "> quoted (from the docs) [1]\n\nwhat does it mean?",
        "I tried f(x) and g(y) in the shell, as the docs say.\nIt prints nothing at all, though.",
        "what is a closure?\nand why does it keep the variables alive?",
        "```python\nx = 1\n```\n\nwhy?",
        "    indented = code(block)\n    already = fine()\n\nwhy?",
        "one line",
    ):
        assert fence_pasted_code(question) == question, question


def test_no_seed_question_changes() -> None:
    """The user's own transcripts: questions typed as Markdown, no pasted code left bare."""
    notes = plan([SOURCE]).merged
    assert len(notes) > 30
    assert [fence_pasted_code(note.question) for note in notes] == [n.question for n in notes]


@settings(max_examples=200, deadline=None)
@given(transcript_text())
def test_fencing_adds_fence_lines_and_nothing_else(text: str) -> None:
    for note in parse_transcript(read_bytes(text.encode())).notes:
        fenced = fence_pasted_code(note.question).split("\n")
        assert [line for line in fenced if line not in ("```", "~~~")] == [
            line for line in note.question.split("\n") if line not in ("```", "~~~")
        ]


@given(
    st.lists(
        st.sampled_from(
            [
                "x = f(y)",
                "$ ls -la",
                "Traceback (most recent call last):",
                "  return g(x)",
                "",
                "why?",
                "words of a sentence here.",
            ]
        )
    )
)
def test_fences_pair_up(lines: list[str]) -> None:
    fenced = fence_pasted_code("\n".join(lines)).split("\n")
    assert sum(line in ("```", "~~~") for line in fenced) % 2 == 0
