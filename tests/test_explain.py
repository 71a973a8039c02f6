"""The dry run's record of a file (`chatdeck.explain`): what both the human and the JSON report
say, gathered once from the parser's results."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES

from chatdeck.explain import FileExplanation, explain_file
from chatdeck.parse import NEAR_MISS, parse_transcript
from chatdeck.read import parse_text

CHATLOG = FIXTURES / "chatlogs" / "deepseek-chat-exporter.md"


def explained(path: Path) -> FileExplanation:
    transcript = parse_text(path.read_text(encoding="utf-8"), path.name)
    return explain_file(parse_transcript(transcript), transcript.lines)


def test_a_chat_logs_markers_are_its_role_headings_with_their_labels() -> None:
    file = explained(CHATLOG)
    lines = CHATLOG.read_text(encoding="utf-8").splitlines()
    assert file.turns is not None
    assert file.turns.shape == "`## <label>`"
    assert file.turns.labels == (("User", "user"), ("Assistant", "assistant"))
    markers = [(marker.line, marker.label, marker.role) for marker in file.turns.markers]
    assert markers == [
        (3, "User", "user"),
        (9, "Assistant", "assistant"),
        (44, "User", "user"),
        (58, "Assistant", "assistant"),
        (74, "User", "user"),
        (80, "Assistant", "assistant"),
    ]
    assert all(lines[line - 1] == f"## {label}" for line, label, _ in markers)
    # Each user marker opens a question: the lines say where the questions come from.
    assert [q.line for q in file.questions] == [line for line, _, role in markers if role == "user"]


def test_a_chat_logs_left_out_lines_are_grouped_by_reason() -> None:
    file = explained(CHATLOG)
    lines = CHATLOG.read_text(encoding="utf-8").splitlines()
    left_out = {group.reason: group.lines for group in file.left_out}
    assert left_out == {
        "separator": (7, 42, 56, 72, 78),
        "reasoning": (11, 13, 15, 16, 17, 60, 62, 64),
    }
    assert all(lines[line - 1] == "---" for line in left_out["separator"])
    assert lines[10] == "**Thought for 9 seconds**"


def test_a_request_no_rule_took_is_a_near_miss_with_its_text() -> None:
    text = (
        "# Notes\n\nQ: what is a frame?\nA: the rows a window covers.\n\nShow the query plan\n\nx\n"
    )
    transcript = parse_text(text, "near.txt")
    file = explain_file(parse_transcript(transcript), transcript.lines)
    assert [(kept.line, kept.text, kept.reason) for kept in file.near_misses] == [
        (6, "Show the query plan", NEAR_MISS)
    ]


def test_a_look_alike_ending_in_a_question_mark_is_kept_but_no_near_miss() -> None:
    text = "Q: what is x?\nA: an x.\n\nWhy does this matter? It is short.\n\nSo which one?\n"
    transcript = parse_text(text, "kept.txt")
    file = explain_file(parse_transcript(transcript), transcript.lines)
    assert [kept.line for kept in file.kept] == [6]
    assert file.near_misses == ()


def test_a_guess_keeps_the_reason_the_rule_gave() -> None:
    text = (
        "what is a window function?\n\nrows around a row.\n\n"
        "Compare RANGE and GROUPS\n\nthey differ.\n"
    )
    transcript = parse_text(text, "guess.txt")
    file = explain_file(parse_transcript(transcript), transcript.lines)
    assert [(q.line, q.guessed) for q in file.questions] == [(1, False), (5, True)]
    (guess,) = file.guessed
    assert (guess.rule, guess.confidence) == ("standalone request", "low")
    assert guess.reason


def test_a_plain_file_has_no_turn_section() -> None:
    file = explained(FIXTURES / "forms" / "marker_words.txt")
    assert file.questions
    assert (file.turns, file.left_out, file.kept) == (None, (), ())


def test_a_plain_files_front_matter_is_left_out_as_metadata_with_no_turns() -> None:
    text = "---\ntitle: Window functions\ntags: [sql]\n---\n\nwhat is x?\n\nan x\n"
    transcript = parse_text(text, "front.md")
    file = explain_file(parse_transcript(transcript), transcript.lines)
    assert file.turns is None
    assert file.title == "Window functions"
    assert [(group.reason, group.lines) for group in file.left_out] == [("metadata", (1, 3, 4))]
