"""A coding agent's task log (chatdeck/agent_logs.py): the user's words, the agent's reply, and
the tool's traffic in between left out. The real tools' files are fixtures in
tests/fixtures/chatlogs/ (Roo Code's and Cline's task exports), scored by test_turns.py."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chatdeck.agent_logs import Record, read_agent_log
from chatdeck.parse import parse_transcript
from chatdeck.read import parse_text

WORDS = ["why", "does", "el", "build", "ποιο", "fällt", "kod", "npm", "cache", "tabela", "x"]
sentence = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(" ".join)


@st.composite
def agent_log(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """A task log in either dress the agents write (tool calls in brackets with `Key: value`
    lines, or as tag pairs in the text), with the questions and replies it holds."""
    bracketed = draw(st.booleans())
    prompt_tag = draw(st.sampled_from(["task", "user_message", "feedback", "query"]))
    context_tag = draw(st.sampled_from(["environment_details", "env", "workspace_state"]))
    questions: list[str] = []
    replies: list[str] = []
    records: list[str] = []

    def user(body: str) -> None:
        context = f"<{context_tag}>\n# Current Time\n2026-03-10T08:41:27Z\n</{context_tag}>"
        records.append(f"**User:**\n\n{body}\n{context}\n\n")

    def model(body: str) -> None:
        records.append(f"**Assistant:**\n\n{body}\n\n")

    for turn in range(draw(st.integers(1, 3))):
        question = draw(sentence) + "?"
        pasted = draw(st.booleans())
        text = f"{draw(sentence)}:\n\nnpm ERR! code E{turn}\n\n{question}" if pasted else question
        questions.append(text)
        opener = (
            "" if turn == 0 else ("[Tool]\n" if bracketed else "[attempt_completion] Result:\n")
        )
        user(f"{opener}<{prompt_tag}>\n{text}\n</{prompt_tag}>")
        for call in range(draw(st.integers(0, 2))):
            thought = draw(sentence)
            if bracketed:
                model(f"[Reasoning]\n{thought}\n[Tool Use: read_file]\nPath: src/f{call}.js")
                user(f"[Tool]\nFile: src/f{call}.js\n 1 | const x = {call};")
            else:
                model(
                    f"<thinking>\n{thought}\n</thinking>\n\n<read_file>\n<path>f{call}</path>\n</read_file>"
                )
                user(f"[read_file for 'f{call}'] Result:\nconst x = {call};")
        reply = f"{draw(sentence)}.\n\n```js\nconst fixed = true;\n```\n\n- {draw(sentence)}"
        replies.append(reply)
        if bracketed:
            model(f"[Reasoning]\n{draw(sentence)}\n[Tool Use: attempt_completion]\nResult: {reply}")
        else:
            model(f"<attempt_completion>\n<result>\n{reply}\n</result>\n</attempt_completion>")
    return "---\n\n".join(records), questions, replies


@settings(max_examples=60, deadline=None)
@given(agent_log())
def test_an_agent_log_gives_the_users_words_and_the_reply_shown(
    log: tuple[str, list[str], list[str]],
) -> None:
    text, questions, replies = log
    notes = parse_transcript(parse_text(text, "task.md")).notes
    assert [note.question for note in notes] == questions
    assert [note.answer for note in notes] == replies


def test_a_reply_in_prose_keeps_its_prose_and_loses_its_tool_calls() -> None:
    text = (
        "**User:**\n\n<task>\nwhy is the build slow?\n</task>\n<environment_details>\n"
        "# Current Time\nnow\n</environment_details>\n\n---\n\n"
        "**Assistant:**\n\n<thinking>\nLook at the config first.\n</thinking>\n\n"
        "Your cache key changes on every run, so nothing is reused.\n\n"
        "<read_file>\n<path>ci.yml</path>\n</read_file>\n\n"
    )
    (note,) = parse_transcript(parse_text(text, "task.md")).notes
    assert note.question == "why is the build slow?"
    assert note.answer == "Your cache key changes on every run, so nothing is reused."


def test_text_joined_under_a_bracketed_reasoning_label_is_the_reasonings() -> None:
    """The bracketed dress joins a reply's blocks with no line between: text right under
    `[Reasoning]` cannot be told from it, and goes with it (a known loss, in the README)."""
    text = (
        "**User:**\n\n<task>\nwhy is the build slow?\n</task>\n<environment_details>\n"
        "now\n</environment_details>\n\n---\n\n"
        "**Assistant:**\n\n[Reasoning]\nLook at the config first.\n"
        "Your cache key changes on every run.\n[Tool Use: read_file]\nPath: ci.yml\n\n"
    )
    parsed = parse_transcript(parse_text(text, "task.md"))
    assert [note.question for note in parsed.notes] == ["why is the build slow?"]
    assert parsed.notes[0].answer == ""


def test_a_users_own_prompt_template_in_a_chat_is_kept_whole() -> None:
    text = (
        "**User:**\n\nThis is my prompt:\n<task>\nSummarize the text\n</task>\n"
        "Why does the model ignore it?\n\n**Assistant:**\n\nThe tag is never explained.\n\n"
        "**User:**\n\nhow do I fix it?\n\n**Assistant:**\n\nSay what the tag holds.\n"
    )
    notes = parse_transcript(parse_text(text, "chat.md")).notes
    assert notes[0].question == (
        "This is my prompt:\n<task>\nSummarize the text\n</task>\nWhy does the model ignore it?"
    )
    assert [note.answer for note in notes] == [
        "The tag is never explained.",
        "Say what the tag holds.",
    ]


def test_records_without_a_tag_pair_for_the_users_words_are_no_agent_log() -> None:
    lines = ["<environment_details>", "x", "</environment_details>", "[Tool]", "y"]
    records = [Record(None, 0, 3, True), Record(None, 3, 5, True)]
    assert read_agent_log(lines, records, {}) is None
