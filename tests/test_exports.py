"""Chat-service exports (ChatGPT and Claude conversations.json, or the export .zip) -> notes."""

from __future__ import annotations

import io
import json
import shutil
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES, deck_options, import_package
from hypothesis import given, settings
from hypothesis import strategies as st

from chatdeck import exports
from chatdeck.build import build
from chatdeck.exports import (
    IMAGE_LINE,
    Conversation,
    Export,
    clean_text,
    is_export,
    json_array_items,
    read_export,
    select_conversations,
)
from chatdeck.options import Limits

EXPORTS = FIXTURES / "exports"
#: Text that sits only in messages that must never become cards (other branches, tools, hidden).
NEVER_SHOWN = [
    "SYSTEM PROMPT",
    "CUSTOM INSTRUCTIONS",
    "EDITED AWAY",
    "REGENERATED AWAY",
    "MEMORY TOOL CALL",
    "TOOL CALL",
    "TOOL OUTPUT",
    "TOOL QUOTE",
    "HIDDEN",
    "THINKING",
    "not supported on your current device",
]


def read(name: str) -> Export:
    return read_export(EXPORTS / name, name)


def by_title(export: Export, title: str) -> Conversation:
    return next(c for c in export.conversations if c.title == title)


def questions(conversation: Conversation) -> list[str]:
    return [note.question for note in conversation.notes]


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def chatgpt_node(node_id: str, role: str, text: str, parent: str | None, children: list[str]):  # type: ignore[no-untyped-def]
    message = {"author": {"role": role}, "content": {"content_type": "text", "parts": [text]}}
    return {"id": node_id, "message": message, "parent": parent, "children": children}


# --- ChatGPT ------------------------------------------------------------------------------------


def test_chatgpt_reads_every_conversation_in_order() -> None:
    export = read("chatgpt.json")
    assert [c.title for c in export.conversations] == [
        "Exporting TensorFlow models",
        "图计算基础",
        "Empty chat",
        "",
    ]
    assert export.conversations[0].created == datetime(2024, 6, 1, 10, 0, 0, 500000, tzinfo=UTC)


def test_only_the_active_branch_becomes_cards() -> None:
    # q2 was edited (a1 has two children) and its answer regenerated (q2 has two children):
    # only the path from current_node back to the root counts.
    conversation = by_title(read("chatgpt.json"), "Exporting TensorFlow models")
    assert questions(conversation) == [
        "what is a frozen graph in tensorflow?",
        "how do I export a SavedModel?",
        "what changed in TensorFlow 2.16?",
    ]
    saved_model = conversation.notes[1].answer
    assert saved_model.startswith("Call `tf.saved_model.save`:")
    assert '```python\ntf.saved_model.save(model, "export/1")\n```' in saved_model


def test_system_hidden_and_tool_messages_are_not_cards() -> None:
    export = read("chatgpt.json")
    for note in export.notes:
        for text in NEVER_SHOWN:
            assert text not in note.question and text not in note.answer, (text, note)
    # Several assistant messages after one question (text, tool call, tool output, final text):
    # the answer is their text, joined with a blank line.
    answer = by_title(export, "Exporting TensorFlow models").notes[2].answer
    assert answer.startswith("Let me look that up.\n\nTensorFlow 2.16 uses Keras 3")


def test_citation_markers_are_stripped() -> None:
    answer = by_title(read("chatgpt.json"), "Exporting TensorFlow models").notes[2].answer
    assert answer == (
        "Let me look that up.\n\n"
        "TensorFlow 2.16 uses Keras 3 by default. It also drops Python 3.8.\n\n"
        "See the Keras migration guide."
    )
    assert not any("\ue000" <= char <= "\uf8ff" for char in answer)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a \ue200cite\ue202turn0search1\ue201 b", "a b"),
        ("a \ue200cite\ue202turn0search1\ue201.", "a."),
        ("a.\ue200cite\ue202turn0search1\ue202turn0news2\ue201\nb", "a.\nb"),
        ('by \ue200entity\ue202["people","Ada Lovelace"]\ue201, 1843', "by Ada Lovelace, 1843"),
        ("from \ue200entity\ue202Invincible\ue201.", "from Invincible."),
        ("open \ue200cite\ue202never closed", "open citenever closed"),
        ("\ue200\ue200cite\ue201 x", " x"),
        ("stray \ue203 mark", "stray  mark"),
        ("old style【11†source】.", "old style."),
        ("\n\n    indented code\n\n", "    indented code"),
    ],
)
def test_clean_text(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_images_become_a_placeholder_and_one_problem_per_conversation() -> None:
    export = read("chatgpt.json")
    conversation = by_title(export, "图计算基础")
    assert conversation.notes[0].question == f"{IMAGE_LINE}\n\n这张图里的计算图是什么意思？"
    assert conversation.notes[1].question == (
        f"{IMAGE_LINE}\n\n{IMAGE_LINE}\n\n和这两张图有什么区别？"
    )
    image_problems = [p for p in export.problems if "image" in p.message]
    assert len(image_problems) == 1
    assert image_problems[0].message.startswith(
        'conversation "图计算基础": 3 image(s) not included'
    )
    # `content.text` instead of `content.parts` (newer exports).
    assert conversation.notes[1].answer == "第一张是静态图，第二张是动态图。"


def test_cjk_title_is_kept_as_is() -> None:
    conversation = by_title(read("chatgpt.json"), "图计算基础")
    assert conversation.name == "图计算基础"
    assert {note.conversation for note in conversation.notes} == {"图计算基础"}


def test_notes_carry_source_rule_and_conversation() -> None:
    for note in read("chatgpt.json").notes:
        assert note.source == "chatgpt.json"
        assert note.line is None
        assert note.rule == "chatgpt export"
        assert note.confidence == "high"
    for note in read("claude.json").notes:
        assert note.rule == "claude export"


def test_empty_conversation_yields_no_notes_and_no_problem() -> None:
    export = read("chatgpt.json")
    assert by_title(export, "Empty chat").notes == ()
    assert not any("Empty chat" in p.message for p in export.problems)


def test_unanswered_question_is_a_note_with_an_empty_answer_and_a_problem() -> None:
    export = read("chatgpt.json")
    untitled = export.conversations[3]
    assert untitled.title == ""
    assert untitled.name == "Untitled conversation 2024-06-21"
    assert [(n.question, n.answer) for n in untitled.notes] == [
        ("explain the KV cache", "It stores past keys and values."),
        ("and paged attention?", ""),
    ]
    assert [str(p) for p in export.problems if "no reply" in p.message] == [
        "chatgpt.json: conversation 4 (Untitled conversation 2024-06-21): "
        "no reply to 'and paged attention?'"
    ]


def test_missing_current_node_reads_the_newest_branch(tmp_path: Path) -> None:
    mapping = {
        "root": {"id": "root", "message": None, "parent": None, "children": ["q"]},
        "q": chatgpt_node("q", "user", "what is ONNX?", "root", ["old", "new"]),
        "old": chatgpt_node("old", "assistant", "old answer", "q", []),
        "new": chatgpt_node("new", "assistant", "new answer", "q", []),
    }
    path = write_json(tmp_path / "conversations.json", [{"title": "T", "mapping": mapping}])
    export = read_export(path, "conversations.json")
    assert [(n.question, n.answer) for n in export.notes] == [("what is ONNX?", "new answer")]
    assert [p.message for p in export.problems] == [
        'conversation "T": no valid `current_node`; read the latest branch'
    ]


def test_a_100k_node_conversation_is_read_without_recursion(tmp_path: Path) -> None:
    count = 100_000
    mapping = {"root": {"id": "root", "message": None, "parent": None, "children": ["n0"]}}
    for index in range(count):
        role = "user" if index % 2 == 0 else "assistant"
        parent = f"n{index - 1}" if index else "root"
        children = [f"n{index + 1}"] if index + 1 < count else []
        mapping[f"n{index}"] = chatgpt_node(f"n{index}", role, f"{role} {index}", parent, children)
    conversation = {"title": "Long", "current_node": f"n{count - 1}", "mapping": mapping}
    path = write_json(tmp_path / "conversations.json", [conversation])
    started = time.perf_counter()
    export = read_export(path, "conversations.json")
    elapsed = time.perf_counter() - started
    assert export.problems == []
    assert len(export.notes) == count // 2
    assert export.notes[-1].question == f"user {count - 2}"
    assert export.notes[-1].answer == f"assistant {count - 1}"
    assert elapsed < 60  # a few seconds even on a loaded machine; a quadratic walk takes minutes


# --- Claude -------------------------------------------------------------------------------------


def test_claude_export_with_content_blocks_and_tool_use() -> None:
    export = read("claude.json")
    assert [c.name for c in export.conversations] == [
        "Tokenizers",
        "Untitled conversation 2024-07-02",
        "Nothing here",
    ]
    tokenizers = export.conversations[0]
    assert tokenizers.created == datetime(2024, 7, 1, 9, 30, 0, 123456, tzinfo=UTC)
    # Text blocks, not the flattened `text` (which shows tool use as a placeholder); adjacent
    # text blocks are one passage, a tool_use between them starts a paragraph; thinking is out.
    # m3/m4 were edited away: m5 has the same parent (m2), and the last leaf is on m5's branch.
    assert [(n.question, n.answer) for n in tokenizers.notes] == [
        (
            "what is BPE?",
            "Let me check a source.\n\n"
            "Byte-pair encoding merges the most frequent pair again and again.",
        ),
        (
            "how does WordPiece differ from BPE?",
            "WordPiece picks the merge that most raises the likelihood.",
        ),
    ]
    for note in export.notes:
        for text in NEVER_SHOWN:
            assert text not in note.question and text not in note.answer, (text, note)


def test_claude_text_field_unanswered_and_empty_conversations() -> None:
    export = read("claude.json")
    untitled, empty = export.conversations[1], export.conversations[2]
    assert [(n.question, n.answer) for n in untitled.notes] == [
        ("say hello in Japanese", "こんにちは"),
        ("and goodbye?", ""),
    ]
    assert empty.notes == ()
    assert [p.message for p in export.problems] == [
        "conversation 2 (Untitled conversation 2024-07-02): no reply to 'and goodbye?'"
    ]


def test_claude_current_leaf_picks_the_branch(tmp_path: Path) -> None:
    conversations = json.loads((EXPORTS / "claude.json").read_text(encoding="utf-8"))[:1]
    conversations[0]["current_leaf_message_uuid"] = "m4"
    path = write_json(tmp_path / "conversations.json", conversations)
    notes = read_export(path, "conversations.json").notes
    assert [n.question for n in notes] == ["what is BPE?", "EDITED AWAY: and wordpiece"]


# --- Damaged and foreign files ------------------------------------------------------------------


def test_truncated_json_is_a_problem_not_a_crash() -> None:
    export = read("truncated.json")
    assert export.conversations == []
    (problem,) = export.problems
    assert problem.source == "truncated.json" and problem.line is None
    assert problem.message.startswith("not valid JSON: ")


def test_not_a_list_is_named_clearly() -> None:
    export = read("not-a-list.json")
    assert export.conversations == []
    assert [str(p) for p in export.problems] == [
        "not-a-list.json: not a ChatGPT or Claude export: expected a list of conversations"
    ]


def test_bad_conversations_are_reported_and_the_rest_kept() -> None:
    export = read("partial.json")
    assert [c.title for c in export.conversations] == ["Still readable", "Odd shapes", "Loop"]
    assert [(n.question, n.answer) for n in export.conversations[0].notes] == [
        ("what is XLA?", "A compiler for linear algebra.")
    ]
    assert export.conversations[1].notes == ()
    assert export.conversations[1].created is None
    assert [p.message for p in export.problems] == [
        "conversation 2: skipped: not an object",
        'conversation 3 ("No mapping here"): skipped: no `mapping` (ChatGPT) or `chat_messages` '
        "(Claude)",
        'conversation "Mapping is a list": skipped: `mapping` is not an object',
        'conversation "Loop": the message tree loops; read up to the loop',
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[]", "no conversations in the export"),
        (b"", "not valid JSON: Expecting value: line 1 column 1 (char 0)"),
        (b'["\xff"]', "not valid JSON: the file is not UTF-8 text"),
        (
            b"[" * 100_000,
            "not valid JSON: conversation 1 is cut off or damaged (nested too deeply to read, "
            "and the file ends inside it)",
        ),
        (
            b'[{"id": 1}, {"id": 2}]',
            "not a ChatGPT or Claude export: no conversation has a `mapping` (ChatGPT) or "
            "`chat_messages` (Claude)",
        ),
    ],
    ids=["empty list", "empty file", "not utf-8", "deep nesting", "foreign list"],
)
def test_other_bad_content(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "conversations.json"
    path.write_bytes(data)
    export = read_export(path, "conversations.json")
    assert export.conversations == []
    assert [p.message for p in export.problems] == [message]


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    export = read_export(tmp_path / "missing.json", "missing.json")
    assert [p.message for p in export.problems] == ["cannot read: No such file or directory"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "conversations.json"
    path.write_bytes(b"\xef\xbb\xbf" + (EXPORTS / "claude.json").read_bytes())
    assert len(read_export(path, "conversations.json").notes) == 4


# --- The export .zip ----------------------------------------------------------------------------


def test_export_zip_is_read_at_any_depth(tmp_path: Path) -> None:
    archive_path = tmp_path / "chatgpt-export.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("chat.html", "<html></html>")
        archive.writestr("2024-06-30/export/file-graph.png", b"\x89PNG")
        archive.write(EXPORTS / "chatgpt.json", "2024-06-30/export/conversations.json")
        archive.writestr("__MACOSX/2024-06-30/export/conversations.json", b"\x00\x01")
    assert is_export(archive_path, archive_path.read_bytes()[:8192])
    export = read_export(archive_path, "chatgpt-export.zip")
    plain = read("chatgpt.json")
    assert [c.title for c in export.conversations] == [c.title for c in plain.conversations]
    assert [(n.question, n.answer) for n in export.notes] == [
        (n.question, n.answer) for n in plain.notes
    ]
    assert {n.source for n in export.notes} == {"chatgpt-export.zip"}
    assert export.problems[0].message.startswith(
        '2024-06-30/export/conversations.json: conversation "图计算基础": 3 image(s)'
    )


def test_zip_without_an_export(tmp_path: Path) -> None:
    archive_path = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("a.txt", "hello")
    assert not is_export(archive_path, archive_path.read_bytes()[:8192])
    export = read_export(archive_path, "photos.zip")
    assert [p.message for p in export.problems] == ["no conversations.json in the archive"]


def test_damaged_zip_is_a_problem(tmp_path: Path) -> None:
    archive_path = tmp_path / "export.zip"
    archive_path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert not is_export(archive_path, archive_path.read_bytes())
    export = read_export(archive_path, "export.zip")
    (problem,) = export.problems
    assert problem.message.startswith("not a readable zip archive: ")


# --- Telling exports from transcripts -----------------------------------------------------------


def test_is_export(tmp_path: Path) -> None:
    def check(path: Path) -> bool:
        return is_export(path, path.read_bytes()[:8192])

    assert check(EXPORTS / "chatgpt.json")  # any name: it starts like an export
    assert check(EXPORTS / "claude.json")
    assert not check(EXPORTS / "not-a-list.json")
    damaged = tmp_path / "conversations.json"
    shutil.copy(EXPORTS / "truncated.json", damaged)
    assert check(damaged)  # by name, so the damage is reported rather than skipped
    other = write_json(tmp_path / "data.json", [{"mapping": "but named .txt"}])
    assert not check(other.rename(tmp_path / "data.txt"))
    assert not check(write_json(tmp_path / "list.json", [{"id": 1}]))
    transcript = tmp_path / "notes.md"
    transcript.write_text("Q: what is XLA?\nA: a compiler\n", encoding="utf-8")
    assert not check(transcript)


# --- Choosing conversations ---------------------------------------------------------------------


def conversations() -> list[Conversation]:
    def at(day: int) -> datetime:
        return datetime(2024, 6, day, 23, 30, tzinfo=UTC)

    return [
        Conversation("Exporting TensorFlow models", at(1)),
        Conversation("图计算基础", at(10)),
        Conversation("[draft] Tokenizers", at(20)),
        Conversation("", at(21)),
        Conversation("No date", None),
    ]


@pytest.mark.parametrize(
    ("pattern", "since", "expected"),
    [
        (
            None,
            None,
            ["Exporting TensorFlow models", "图计算基础", "[draft] Tokenizers", "", "No date"],
        ),
        ("tensorflow", None, ["Exporting TensorFlow models"]),
        ("EXPORTING*models", None, ["Exporting TensorFlow models"]),
        ("*token*", None, ["[draft] Tokenizers"]),
        ("[draft]", None, ["[draft] Tokenizers"]),  # a substring, though it reads as a glob
        ("计算", None, ["图计算基础"]),
        ("untitled", None, [""]),
        ("nothing matches", None, []),
        (None, date(2024, 6, 10), ["图计算基础", "[draft] Tokenizers", ""]),
        (None, date(2024, 6, 11), ["[draft] Tokenizers", ""]),
        ("o", date(2024, 6, 2), ["[draft] Tokenizers", ""]),
    ],
)
def test_select_conversations(pattern: str | None, since: date | None, expected: list[str]) -> None:
    chosen = select_conversations(conversations(), pattern, since)
    assert [c.title for c in chosen] == expected


# --- End to end ---------------------------------------------------------------------------------


def test_export_builds_into_a_deck_that_anki_imports(tmp_path: Path) -> None:
    result = build([EXPORTS / "chatgpt.json"], deck_options(tmp_path / "out", deck="Exports"))
    assert result.output.name == "Exports.apkg"

    log, collection = import_package(tmp_path / "collection.anki2", result.output)
    try:
        # One note per user turn on the active paths: 3 + 2 + 0 (empty) + 2 (one unanswered).
        assert len(log.new) == 7
        assert collection.note_count() == 7
        fields = [collection.get_note(nid) for nid in collection.find_notes("")]
        questions = {note["Question"] for note in fields}
        assert any("how do I export a SavedModel?" in q for q in questions)
        assert any("这张图里的计算图是什么意思？" in q for q in questions)
        assert all("EDITED AWAY" not in n["Answer"] and "\ue200" not in n["Answer"] for n in fields)
        assert {n["Source"] for n in fields} == {
            "chatgpt.json: Exporting TensorFlow models",
            "chatgpt.json: 图计算基础",
            "chatgpt.json: Untitled conversation 2024-06-21",
        }
        decks = set(collection.decks.all_names())
        assert "Exports::图计算基础" in decks
        assert "Exports::Untitled conversation 2024-06-21" in decks
        assert "Exports::Empty chat" not in decks
    finally:
        collection.close()


def test_cli_selects_conversations_and_reports_them(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import ROOT

    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build_deck.py"),
            "--dry-run",
            "--json",
            str(EXPORTS / "chatgpt.json"),
            "--conversation",
            "tensorflow",
            "--since",
            "2024-01-01",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(completed.stdout)
    assert {note["conversation"] for note in report["notes"]} == {"Exporting TensorFlow models"}
    assert all(note["line"] is None for note in report["notes"])
    listing = subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), "--dry-run", str(EXPORTS / "chatgpt.json")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "conversation '图计算基础': 2 turn(s)" in listing


# --- Reading a large export one conversation at a time ------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(JSON_VALUES, max_size=6), st.integers(1, 40), st.booleans())
def test_array_items_are_what_json_loads_gives(items: list, chunk: int, spaced: bool) -> None:
    """However the text falls into chunks, the items come out as json.loads reads them."""
    text = json.dumps(items, indent=2 if spaced else None, ensure_ascii=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "CHUNK", chunk)
        assert list(json_array_items(io.BytesIO(text.encode()))) == json.loads(text)


def test_a_damaged_export_keeps_the_conversations_before_the_damage(tmp_path: Path) -> None:
    good = json.loads((EXPORTS / "chatgpt.json").read_text(encoding="utf-8"))
    text = json.dumps(good + good)  # two copies: the second is cut off
    path = tmp_path / "conversations.json"
    path.write_text(text[: len(text) - 200], encoding="utf-8")
    export = read_export(path, "conversations.json")
    assert len(export.conversations) == 2 * len(good) - 1  # all but the one cut off
    assert export.problems[-1].message.startswith(
        f"not valid JSON: conversation {2 * len(good)} is cut off or damaged ("
    )


@pytest.mark.parametrize(
    "text", ['[{"a": 1} {"b": 2}]', '[{"a": 1},]', '[{"a": 1}] trailing', "[1, 2"]
)
def test_array_items_reject_what_json_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        list(json_array_items(io.BytesIO(text.encode())))
    with pytest.raises(ValueError):
        json.loads(text)


class CountingStream(io.BytesIO):
    """Counts the bytes read out of it."""

    read_so_far = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_so_far += len(data)
        return data

    def readinto(self, target) -> int:  # type: ignore[no-untyped-def]
        count = super().readinto(target)
        self.read_so_far += count
        return count


def test_damage_early_in_a_large_export_is_reported_without_reading_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "CHUNK", 1000)
    filler = [{"mapping": {}, "title": "x" * 100}] * 5000  # about 600 KB after the damage
    text = '[{"mapping": {"x": "y" oops}}, ' + json.dumps(filler)[1:]
    stream = CountingStream(text.encode())
    with pytest.raises(exports.DamagedItem) as raised:
        list(json_array_items(stream))
    assert raised.value.number == 1
    assert stream.read_so_far < 20_000


def test_exports_in_utf16_or_after_much_white_space_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "CHUNK", 64)
    text = (EXPORTS / "chatgpt.json").read_text(encoding="utf-8")
    expected = [c.title for c in read_export(EXPORTS / "chatgpt.json", "c.json").conversations]
    for name, data in [
        ("utf16.json", text.encode("utf-16")),
        ("spaced.json", (" " * 500 + text).encode()),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        assert [c.title for c in read_export(path, name).conversations] == expected


# --- Hostile exports: bounded work and memory, no turn lost without a word ---------------------


def conversation_json(title: str, question: str = "what is x?") -> dict:  # type: ignore[type-arg]
    mapping = {
        "q": chatgpt_node("q", "user", question, None, ["a"]),
        "a": chatgpt_node("a", "assistant", f"{title}: an answer", "q", []),
    }
    return {"title": title, "mapping": mapping, "current_node": "a"}


def zipped(path: Path, *pieces: tuple[bytes, int]) -> Path:
    """A zip whose conversations.json is `pieces` (bytes, times): a bomb built small."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("export/conversations.json", "w", force_zip64=True) as member:
            for data, times in pieces:
                for _ in range(times):
                    member.write(data)
    return path


def conversation_bytes(title: str) -> bytes:
    return json.dumps(conversation_json(title)).encode()


class CountingText(exports._Text):
    """Counts the characters the reader holds each time it reads more: its work."""

    held = 0

    def read_more(self, size: int = 0) -> None:
        super().read_more(size)
        CountingText.held += len(self.buffer)


def work_to_read(data: bytes, monkeypatch: pytest.MonkeyPatch, **limits: int) -> int:
    CountingText.held = 0
    monkeypatch.setattr(exports, "_Text", CountingText)
    items = list(json_array_items(io.BytesIO(data), chunk=1024, **limits))
    assert items
    return CountingText.held


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: b"[" + b" " * n + b"1]",  # white space before the first item
        lambda n: b"[1," + b" " * n + b"2]",  # between items
        lambda n: b"[1]" + b" " * n,  # after the list
    ],
    ids=["leading", "between", "trailing"],
)
def test_white_space_of_any_length_is_read_in_linear_work(
    shape, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    small, large = (work_to_read(shape(n), monkeypatch) for n in (100_000, 800_000))
    assert large / small < 10  # 8x the input: 8x the work, not 64x


def test_one_huge_item_is_skipped_past_its_limit_and_the_rest_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def text(n: int) -> bytes:
        huge = json.dumps({"title": "x" * n, "mapping": {}}).encode()
        return (
            b"["
            + conversation_bytes("before")
            + b","
            + huge
            + b","
            + conversation_bytes("after")
            + b"]"
        )

    small, large = (
        work_to_read(text(n), monkeypatch, item_limit=10_000) for n in (200_000, 1_600_000)
    )
    assert large / small < 10
    items = list(json_array_items(io.BytesIO(text(200_000)), item_limit=10_000))
    assert [type(item).__name__ for item in items] == ["dict", "SkippedItem", "dict"]
    assert items[1] == exports.SkippedItem("larger than a conversation may be (9.8 KB)")


def test_memory_held_for_a_huge_conversation_is_bounded_by_its_limit(tmp_path: Path) -> None:
    import tracemalloc

    peaks = []
    for size in (4 << 20, 16 << 20):
        path = tmp_path / "conversations.json"
        huge = json.dumps({"title": "x" * size, "mapping": {}})
        path.write_text(f"[{huge}, {json.dumps(conversation_json('after'))}]")
        tracemalloc.start()
        export = read_export(path, "c.json", Limits(conversation_chars=1 << 20))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert [c.title for c in export.conversations] == ["after"]
        assert [p.message for p in export.problems] == [
            "conversation 1: skipped: larger than a conversation may be (1 MB); the others are read"
        ]
    assert peaks[1] < 1.5 * peaks[0]  # 4x the conversation, about the same memory
    assert peaks[1] < 12 << 20


def test_a_zip_bomb_of_white_space_stops_at_the_unpack_ratio(tmp_path: Path) -> None:
    limits = Limits(unpack_ratio=50, unpack_ratio_floor=64 * 1024)
    path = zipped(
        tmp_path / "export.zip",
        (b"[" + conversation_bytes("first") + b",", 1),
        (b" " * (1 << 20), 64),  # 64 MB of spaces: about 64 KB zipped
        (conversation_bytes("never reached") + b"]", 1),
    )
    export = read_export(path, "export.zip", limits)
    assert [c.title for c in export.conversations] == ["first"]
    (problem,) = export.problems
    size = path.stat().st_size
    assert problem.message == (
        f"export/conversations.json: stopped after unpacking {exports.size_text(50 * size)}, 50 "
        "times the archive's size: the archive is damaged or a zip bomb; the 1 conversation(s) "
        "before are kept (if the export is genuine, unzip it and build from its "
        "conversations.json)"
    )


def test_a_zip_bomb_stops_at_the_unpacked_size(tmp_path: Path) -> None:
    limits = Limits(unpacked_bytes=1 << 20, unpack_ratio=10_000)
    item = json.dumps({"title": "empty", "mapping": {}}).encode() + b","
    path = zipped(tmp_path / "export.zip", (b"[", 1), (item * 1000, 100), (b"1]", 1))
    export = read_export(path, "export.zip", limits)
    assert 0 < len(export.conversations) < 40_000
    assert export.problems[-1].message.startswith(
        "export/conversations.json: stopped after unpacking 1 MB, the most an export archive "
        f"may unpack to; the {len(export.conversations)} conversation(s) before are kept"
    )


def test_a_zip_bomb_of_many_conversations_stops_at_their_count(tmp_path: Path) -> None:
    limits = Limits(conversations=500)
    item = json.dumps({"title": "empty", "mapping": {}}).encode() + b","
    path = zipped(tmp_path / "export.zip", (b"[", 1), (item * 1000, 100), (b"1]", 1))
    export = read_export(path, "export.zip", limits)
    assert len(export.conversations) == 500
    assert export.problems[-1].message == (
        "export/conversations.json: more than 500 conversations: the first 500 are read, the "
        "rest left out; split the export"
    )


def test_bombs_in_a_build_lose_only_their_own_conversations(tmp_path: Path) -> None:
    """Through the build options, with the limits lowered: the build goes on and writes the
    deck with every other file's cards; each bomb is one line."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "notes.md").write_text("Q: what is a tensor?\nA: An array.\n")
    zipped(
        source / "bomb.zip",
        (b"[" + conversation_bytes("kept") + b",", 1),
        (b" " * (1 << 20), 32),
        (b"1]", 1),
    )
    limits = Limits(unpack_ratio=20, unpack_ratio_floor=1 << 16)
    result = build([source], deck_options(tmp_path / "out", limits=limits))
    assert {card.deck for card in result.cards} == {
        "Chat Transcripts::notes",
        "Chat Transcripts::kept",
    }
    (problem,) = [p for p in result.problems if p.source == "bomb.zip"]
    assert "stopped after unpacking" in problem.message


def test_deep_nesting_skips_one_conversation_and_reads_on(tmp_path: Path) -> None:
    deep = b'{"title": "deep", "mapping": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    path = tmp_path / "conversations.json"
    path.write_bytes(b"[" + deep + b"," + conversation_bytes("after") + b"]")
    export = read_export(path, "conversations.json")
    assert [c.title for c in export.conversations] == ["after"]
    assert [p.message for p in export.problems] == [
        "conversation 1: skipped: nested too deeply to read; the others are read"
    ]


def test_a_number_python_will_not_read_skips_its_conversation(tmp_path: Path) -> None:
    path = tmp_path / "conversations.json"
    path.write_bytes(
        b'[{"mapping": {}, "create_time": ' + b"9" * 5000 + b"}," + conversation_bytes("ok") + b"]"
    )
    export = read_export(path, "conversations.json")
    assert [c.title for c in export.conversations] == ["ok"]
    (problem,) = export.problems
    assert problem.message.startswith("conversation 1: skipped: unreadable (Exceeds the limit")


def test_the_reasons_reach_the_build_when_nothing_could_be_built(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import ROOT

    path = tmp_path / "conversations.json"
    path.write_bytes(b'[{"mapping": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "build_deck.py"), str(path), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [  # the path as given, so it can be clicked
        f"{path}: conversation 1: skipped: nested too deeply to read; the others are read",
        f"error: no questions found in {path}",
    ]


def test_parent_links_that_loop_without_current_node_still_give_every_turn(
    tmp_path: Path,
) -> None:
    mapping = {  # q1 -> a1 -> q2 -> a2, and q1's parent is a2: no root at all
        "q1": chatgpt_node("q1", "user", "first?", "a2", ["a1"]),
        "a1": chatgpt_node("a1", "assistant", "one", "q1", ["q2"]),
        "q2": chatgpt_node("q2", "user", "second?", "a1", ["a2"]),
        "a2": chatgpt_node("a2", "assistant", "two", "q2", ["q1"]),
    }
    path = write_json(tmp_path / "conversations.json", [{"title": "Loop", "mapping": mapping}])
    export = read_export(path, "conversations.json")
    assert sorted((n.question, n.answer) for n in export.notes) == [
        ("first?", "one"),
        ("second?", "two"),
    ]
    assert [p.message for p in export.problems] == [
        'conversation "Loop": no valid `current_node`, and the message tree loops; read the '
        "latest branch up to the loop"
    ]


def test_children_that_loop_with_a_bad_current_node_lose_no_turn(tmp_path: Path) -> None:
    mapping = {
        "root": {"id": "root", "message": None, "parent": None, "children": ["q1"]},
        "q1": chatgpt_node("q1", "user", "first?", "root", ["a1"]),
        "a1": chatgpt_node("a1", "assistant", "one", "q1", ["q2"]),
        "q2": chatgpt_node("q2", "user", "second?", "a1", ["a2"]),
        "a2": chatgpt_node("a2", "assistant", "two", "q2", ["q1"]),  # back to q1
    }
    conversation = {"title": "Loop", "mapping": mapping, "current_node": "gone"}
    path = write_json(tmp_path / "conversations.json", [conversation])
    export = read_export(path, "conversations.json")
    assert [(n.question, n.answer) for n in export.notes] == [("first?", "one"), ("second?", "two")]
    assert [p.message for p in export.problems] == [
        'conversation "Loop": no valid `current_node`, and the message tree loops; read the '
        "latest branch up to the loop"
    ]


def test_since_with_dates_at_the_ends_of_the_calendar(tmp_path: Path) -> None:
    early = {**conversation_json("early"), "create_time": None}
    early_claude = {
        "name": "year one",
        "created_at": "0001-01-01T00:00:00+05:00",  # UTC would be in year 0
        "chat_messages": [
            {"sender": "human", "text": "what is zero?"},
            {"sender": "assistant", "text": "Nothing."},
        ],
    }
    late_claude = {**early_claude, "name": "year 9999", "created_at": "9999-12-31T23:00:00-05:00"}
    path = write_json(tmp_path / "conversations.json", [early, early_claude, late_claude])
    export = read_export(path, "conversations.json")
    chosen = select_conversations(export.conversations, None, date(1, 1, 1))
    assert [c.title for c in chosen] == ["year one", "year 9999"]
    assert [
        c.title for c in select_conversations(export.conversations, None, date(2000, 1, 1))
    ] == ["year 9999"]
    from chatdeck.options import Selection

    result = build([path], deck_options(tmp_path / "out", selection=Selection(since=date(1, 1, 1))))
    assert len(result.cards) == 1  # the same question twice: merged


def test_lone_surrogates_in_an_export_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "conversations.json"
    text = json.dumps([conversation_json("title @ half", "what is @?")])
    path.write_text(text.replace("@", "\\ud800"))  # JSON's escape of half a UTF-16 pair
    result = build([path], deck_options(tmp_path / "out"))
    assert {card.deck for card in result.cards} == {"Chat Transcripts::title \ufffd half"}
    assert [card.question for card in result.cards] == ["what is \ufffd?"]
