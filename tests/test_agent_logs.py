"""A coding agent's task log (chatdeck/agent_logs.py): the user's words, the agent's reply, and
the tool's traffic in between left out. The real tools' files are fixtures in
tests/fixtures/chatlogs/ (Roo Code's and Cline's task exports), scored by test_turns.py."""

from __future__ import annotations

import re

from growth import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st

from chatdeck.agent_logs import Record, read_agent_log
from chatdeck.parse import parse_transcript
from chatdeck.read import parse_text
from chatdeck.turns import find_turns

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


def test_records_no_tag_pair_of_a_tools_closes_twice_are_no_agent_log() -> None:
    lines = ["<task>", "q", "</task>", "<env>", "x", "</env>", "[Tool]", "y"]
    records = [Record(None, 0, 6, True), Record(None, 6, 8, True)]
    assert read_agent_log(lines, [True] * len(lines), records, {}) is None


ENVIRONMENT = "<environment_details>\n# Current Time\nnow\n</environment_details>"


def roo_log(*records: tuple[str, str]) -> str:
    """Records as Roo Code's Export task writes them; a user record gets the tool's context."""
    parts = []
    for role, body in records:
        if role == "user":
            parts.append(f"**User:**\n\n{body}\n{ENVIRONMENT}\n\n")
        else:
            parts.append(f"**Assistant:**\n\n{body}\n\n")
    return "---\n\n".join(parts)


def notes_of(text: str) -> list[tuple[str, str]]:
    """Each note's question and answer, a run of blank lines read as one line break (the lines
    left out between kept ones leave blank lines, which Markdown reads the same)."""
    notes = parse_transcript(parse_text(text, "t.md")).notes
    return [(_lines(n.question), _lines(n.answer)) for n in notes]


def _lines(text: str) -> str:
    return re.sub(r"\n\s*\n", "\n", text)


def test_an_ordinary_chat_with_tagged_prompts_is_no_agent_log() -> None:
    """A user's prompt with `<context>` and `<question>` pairs and replies with INI or XML: no tag
    pair of a tool closes every user record, so nothing is taken out."""
    question = (
        "Use this prompt:\n<context>\nA desktop app.\n</context>\n<question>\n"
        "How should I store settings?\n</question>\nKeep it short."
    )
    text = (
        f"## User\n\n{question}\n\n## Assistant\n\nUse an INI file like this:\n\n"
        "[general]\ntheme = dark\n\n## User\n\n[Update]\nI moved it. Why?\n\n"
        "## Assistant\n\n<settings>\n<theme>dark</theme>\n</settings>\n"
    )
    assert notes_of(text) == [
        (question, "Use an INI file like this:\n[general]\ntheme = dark"),
        ("[Update]\nI moved it. Why?", "<settings>\n<theme>dark</theme>\n</settings>"),
    ]


def test_code_in_an_agents_reply_is_the_replys_whatever_its_brackets_and_tags() -> None:
    result = (
        'Here is the fixed manifest:\n\n```toml\n[package]\nname = "x"\n```\n\n'
        "```html\n<button>\nOK\n</button>\n```"
    )
    text = roo_log(
        ("user", "<task>\nfix the manifest\n</task>"),
        ("assistant", "[Tool Use: read_file]\nPath: Cargo.toml"),
        ("user", "[Tool]\n[package]\nname = 'x'"),
        ("assistant", f"[Tool Use: attempt_completion]\nResult: {result}"),
    )
    assert notes_of(text) == [("fix the manifest", _lines(result))]


def test_an_agents_narration_and_its_result_both_show() -> None:
    text = roo_log(
        ("user", "<task>\nwhy does npm ci fail?\n</task>"),
        ("assistant", "Let me look at the manifest first.\n[Tool Use: read_file]\nPath: a.json"),
        ("user", "[Tool]\n{}"),
        (
            "assistant",
            "[Tool Use: attempt_completion]\nResult: The lockfile is stale.\n"
            "Fix: run npm install.\nNote: commit the lockfile.",
        ),
    )
    assert notes_of(text) == [
        (
            "why does npm ci fail?",
            "Let me look at the manifest first.\nThe lockfile is stale.\nFix: run npm install.\n"
            "Note: commit the lockfile.",
        )
    ]


def test_a_short_result_shows_and_an_argument_does_not() -> None:
    text = roo_log(
        ("user", "<task>\nfix it\n</task>"),
        ("assistant", "[Tool Use: attempt_completion]\nResult: Fixed it."),
        ("user", "[Tool]\n<user_message>\nand now?\n</user_message>"),
        ("assistant", "[Tool Use: read_file]\nPath: ci.yml"),
    )
    assert notes_of(text) == [("fix it", "Fixed it."), ("and now?", "")]


def test_a_reply_after_a_blank_line_under_the_reasoning_shows() -> None:
    text = roo_log(
        ("user", "<task>\nwhat does git rebase do?\n</task>"),
        ("assistant", "[Reasoning]\nThe user asks about rebase.\n\nIt moves a branch."),
        ("user", "[Tool]\n<user_message>\nthanks\n</user_message>"),
        ("assistant", "[Tool Use: attempt_completion]\nResult: Glad it helped, good luck."),
    )
    assert notes_of(text) == [
        ("what does git rebase do?", "It moves a branch."),
        ("thanks", "Glad it helped, good luck."),
    ]


def test_a_tag_nested_in_one_of_its_name_stays_in_the_question() -> None:
    question = "<task>\ninner\n</task>\nIt should keep the inner tags."
    text = roo_log(
        ("user", f"<task>\n{question}\n</task>"),
        ("assistant", "[Tool Use: attempt_completion]\nResult: Done, both kept."),
        ("user", "[Tool]\nok"),
    )
    assert notes_of(text)[0] == (question, "Done, both kept.")


def find_turns_in(lines: list[str]) -> object:
    return find_turns(lines, [True] * len(lines))


def test_the_agent_reading_is_linear() -> None:
    def log(count: int) -> list[str]:
        calls = "\n".join(f"<read_file>\n<path>f{n}</path>\n</read_file>" for n in range(count))
        text = roo_log(("user", "<task>\nq\n</task>"), ("assistant", calls), ("user", "[Tool]\nx"))
        return text.split("\n")

    assert_linear(find_turns_in, log, 1000)

    def rounds(count: int) -> list[str]:
        """One turn of many tool round trips: each record's calls are read once."""
        records = [("user", "<task>\nq\n</task>")]
        for n in range(count):
            records += [("assistant", f"[Tool Use: read_file]\nPath: f{n}"), ("user", "[Tool]\nx")]
        return roo_log(*records).split("\n")

    assert_linear(find_turns_in, rounds, 500)
