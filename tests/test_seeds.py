"""The five real transcripts: every question found, with exact text and exact answer boundaries.

The table below was written by reading the seed files: for each question, the line it starts on,
and the first and last line of its reply. A note's answer must be exactly those source lines
(with a leading `A:` marker removed): no line lost, none added, none taken from the next question.
"""

from __future__ import annotations

import pytest
from conftest import SOURCE

from chatdeck.parse import parse_transcript
from chatdeck.read import read_transcript

# file prefix -> [(question line, first answer line, last answer line), ...]
EXPECTED = {
    "000": [
        (4, 5, 21),
        (23, 24, 38),
        (41, 42, 44),
        (46, 47, 59),
        (61, 62, 68),
        (70, 71, 85),
        (87, 88, 111),
        (113, 114, 134),
        (136, 137, 141),
        (143, 144, 154),
        (156, 157, 163),
        (165, 166, 170),
        (172, 173, 173),
        (175, 176, 176),
        (178, 179, 192),
    ],
    "001": [
        (2, 4, 20),
        (22, 23, 37),
        (40, 41, 43),
        (45, 46, 58),
        (60, 61, 67),
        (69, 70, 84),
        (86, 88, 103),
        (105, 107, 182),
        (185, 187, 207),
        (209, 210, 214),
        (217, 219, 219),
        (221, 223, 236),
        (238, 240, 273),
    ],
    "002": [
        (5, 7, 47),
        (50, 52, 72),
        (74, 76, 93),
        (96, 98, 122),
        (124, 126, 187),
        (190, 192, 225),
        (227, 229, 253),
    ],
    "003": [
        (4, 6, 46),
        (49, 51, 71),
        (73, 75, 92),
        (95, 97, 121),
        (123, 125, 186),
        (189, 191, 224),
        (226, 228, 252),
        (255, 257, 329),
        (332, 334, 420),
        (423, 425, 534),
        (537, 539, 621),
        (624, 625, 647),
        (649, 650, 694),
    ],
    "004": [
        (1, 3, 19),
        (21, 23, 37),
        (40, 42, 143),
        (145, 147, 202),
        (205, 207, 262),
        (264, 266, 337),
        (339, 341, 405),
        (408, 410, 485),
    ],
}

ANSWER_MARKER_PREFIXES = ("A:", "A: ")


def seed(prefix: str):  # type: ignore[no-untyped-def]
    path = next(SOURCE.glob(prefix + "_*.txt"))
    return read_transcript(path, path.name)


def test_the_seeds_hold_56_questions() -> None:
    total = sum(len(parse_transcript(seed(prefix)).notes) for prefix in EXPECTED)
    assert total == 56


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_questions_and_answer_boundaries(prefix: str) -> None:
    transcript = seed(prefix)
    notes = parse_transcript(transcript).notes
    assert [note.line for note in notes] == [q for q, _, _ in EXPECTED[prefix]]
    for note, (_, first, last) in zip(notes, EXPECTED[prefix], strict=True):
        expected_lines = transcript.lines[first - 1 : last]
        head = expected_lines[0]
        for marker in ANSWER_MARKER_PREFIXES:
            if head.startswith(marker):
                expected_lines = [head[len(marker) :], *expected_lines[1:]]
        body = [
            line
            for index, line in enumerate(expected_lines, first)
            if index - 1 not in transcript.ignored
        ]
        assert note.answer == "\n".join(body).strip("\n"), f"{prefix} line {note.line}"


@pytest.mark.parametrize(
    ("prefix", "line", "question"),
    [
        ("000", 4, "how to optimize a tensorflow model for inference"),  # `Q:` with no space
        ("000", 175, "What does MPS stand for PyTorch?"),  # no marker, reply directly under it
        ("001", 86, "what do NHWC and NCHW stand for?"),  # no `A:`, blank line, then the reply
        (
            "002",
            50,
            "What is TensorFlow, and how does it differ from other deep learning frameworks?",
        ),  # copied from the numbered list, number removed
        ("002", 96, "what is the difference between ``torch.sum(a, 0)`` and ``torch.sum(a, 1)``?"),
        (
            "003",
            537,
            "will BMM lead to different results for the same input, if so, how to improve it?",
        ),  # a lowercase paragraph of its own
        ("004", 1, "how to optimize a tensorflow model for inference"),  # heading, not a title
        (
            "004",
            408,
            "what's the defference between tf 1.x and tf 2.x about how to  use control dependency?",
        ),  # typos and double space kept as typed
    ],
)
def test_exact_question_text(prefix: str, line: int, question: str) -> None:
    notes = {note.line: note for note in parse_transcript(seed(prefix)).notes}
    assert notes[line].question == question


def test_titles_are_not_questions() -> None:
    assert parse_transcript(seed("000")).title == "Tensorflow Quiz - basic"
    assert parse_transcript(seed("002")).title == "Tensorflow Quiz - interview-oriented"
    assert parse_transcript(seed("001")).title is None  # starts with the wrapper fence
    assert parse_transcript(seed("004")).title is None  # its first heading is a question


def test_traps_in_answers_are_not_questions() -> None:
    lines = {
        prefix: {note.line for note in parse_transcript(seed(prefix)).notes} for prefix in EXPECTED
    }
    assert 10 not in lines["002"]  # "1. What is TensorFlow...?" inside the FAQ list
    assert 9 not in lines["003"]
    assert 259 not in lines["003"]  # "### What is Temperature in LLMs?"
    assert 431 not in lines["003"]  # "### Why is BMM Important in LLM Inference?"
    assert 211 not in lines["004"]  # "## 什么时候可以进行常量折叠？" is deeper than the questions
    assert 176 not in lines["004"]  # the bare ``` output block
