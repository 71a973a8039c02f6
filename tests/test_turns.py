"""Chat logs saved by tools and copied from chat pages: the turn-structure pass
(`chatdeck.turns`).

The fixtures in fixtures/chatlogs/ are real tools' formats (see its README); the properties
generate chat logs with random marker shapes, label words, languages, separators, metadata and
reasoning, and check that the notes are the user's turns and the model's replies, nothing more and
nothing less, whatever the shape.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from unittest.mock import patch

import pytest
from chatlog_score import CHATLOGS, clean, fixtures, score
from growth import assert_linear
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from test_parse import check_every_line_claimed_once, read_bytes, transcript_text

import chatdeck.turn_markers as turn_markers
from chatdeck import parse
from chatdeck.cards import field_markdown
from chatdeck.parse import LineKind, Verdict, build_document, parse_transcript
from chatdeck.read import parse_text, read_transcript
from chatdeck.turn_edges import Turns
from chatdeck.turn_markers import candidate, date_only
from chatdeck.turns import find_turns

#: Fixtures the parser does not read right yet, and what fails.
NOT_YET = {
    "aichatdl-poe.md": (
        "round 65: AI Chat Downloader's Markdown of a poe.com chat, where the tool doubles every "
        "line break of a prompt (Poe's `<br>` and the newline after it): the pasted log's lines "
        "come one per paragraph and the question keeps the blank lines between them (questions "
        "2/3, 1 wrong, answers 2/3; as first scored, the `# Conversation extracted from "
        "https://poe.com/...` line was the title too)"
    ),
    "flowise-chatbot-web-copy.txt": (
        "round 64: a Flowise chatbot page copied whole, nothing naming a speaker, the bot's "
        "welcome over the first prompt, code left unfenced with no language, and no gap of one "
        "size between messages (two blank lines under the first prompt, none under the later "
        "ones, each reply right under its one-line prompt), as first scored: `korisnik: User;` "
        "in the unfenced TypeScript (Serbo-Croatian's word for the user) is read as the user's "
        "label and `where:` lines as the model's (questions 0/3, 2 invented); a narrowing "
        "tried (an indented `Label: text` line of code between two lines of code is no label) "
        "read it as a plain file, 1/3, and read `  user: User;` in another file as a chat "
        "export's speaker marker; withdrawn"
    ),
    "marimo-chat-web-copy.txt": (
        "round 69: a marimo notebook's `mo.ui.chat` page copied whole, nothing naming a "
        "speaker, the user's turns rendered as Markdown (the pasted Go error's lines run into two "
        "paragraphs, apart from the asking paragraph), a request ending with a full stop, the "
        "notebook's heading over the chat and its `chatbot.value` viewer under it: the paste is "
        "on no card, the request is folded into the reply before it, the viewer's lines end the "
        "last answer and the heading names the deck (questions 1/3, 1 wrong, answers 0/3; as "
        "first scored, the code editor's gutter lines and buttons were on the cards too, and a "
        "reply's line over its code was read as a question)"
    ),
    "deepseek-chat-export-woodcoal.md": (
        "round 70: DeepSeek 对话导出's Markdown, every prompt an Obsidian callout "
        "(`> [!info] 提问` over the prompt's `>` lines), the reasoning a `> [!success] 思考` "
        "callout whose first line the tool leaves outside the quote, the reply unlabelled, `---` "
        "between exchanges: a quote opening with a callout's title is read as a reply's "
        "callout, so no question is found (questions 0/3; `&lt;` in prompts kept as written)"
    ),
    "yakgpt-web-copy.txt": (
        "round 66: a YakGPT page copied whole, nothing naming a speaker and gaps of no one size "
        "between messages (three blank lines, or two), the page's markdown rendering of the "
        "first prompt's pasted traceback (its lines run together) above the asking paragraph: "
        "the traceback is on no card, the request without a question mark (`Tolong buekan ambo "
        "fungsi ...`) is folded into the reply before it, and the route announcer's `YakGPT` "
        "ends the last answer (questions 1/3, 1 wrong, answers 0/3, title from the sidebar "
        "missed)"
    ),
    "gpt-engineer-clarify-log.txt": (
        "round 68: gpt-engineer's `all_output.txt` of a `--clarify` run, LangChain's `==== Human "
        "Message ====` / `==== Ai Message ====` rules: the markers are read, but the text the tool "
        "appends to every later prompt (`Is anything else unclear? If yes, ask another "
        'question.` / `Otherwise state: "Nothing to clarify"`) stays on the questions, and the '
        "tool's own closing request (its instructions for writing the code, the system "
        "prompt's lines again) is a fourth question (questions 1/3, 2 wrong, 1 invented, "
        "answers 1/3)"
    ),
    "kobold-lite-web-copy.txt": (
        "round 68: a KoboldAI Lite page copied whole, nothing naming a speaker (avatars and "
        "`<hr>` copy as nothing) and each reply on the line right under its prompt, no blank "
        "line between: no turn is found and the `?` lines stand inside paragraphs (questions "
        "0/3; as first scored, the top bar's `New Session` was the title)"
    ),
    "mesop-chat-web-copy.txt": (
        "round 63: a Mesop chat page copied whole, only the bot's name (`সহায়ক`) alone over "
        "each reply and the prompt one line (the chat box's) right under the reply before it, "
        "with no blank line after a code block: the third prompt takes the second reply's last "
        "code lines with it (questions 2/3, answers 1/3); as first scored, `Traceback (...):` "
        "and `model.eval():` were read as speakers' labels (0/3)"
    ),
    "ollama-ui-web-copy.txt": (
        "round 54, as first scored: an ollama-ui page copied whole, nothing naming a speaker and "
        "each reply right under its prompt's last line, no gap: the page's `Model:` label and "
        "the pasted `mawk:` / `gawk:` output lines are taken for speakers' labels (questions "
        "0/3, 1 wrong, 1 invented)"
    ),
    "langchain-chatchat-export-md.md": (
        "round 50, as first scored: a chat kept as a Markdown table (`<div>User</div>` and the "
        "message, `<br>` for its line breaks, one row a message) gives no note; a reading of such "
        "tables, tried, also rewrote glossaries, permission and conjugation tables whose rows "
        "name `User`, `AI`, `yo`, `ich` (review 50: 24 regressions) and was withdrawn"
    ),
    "chatgpt-demo-web-copy.txt": (
        "round 51, as first scored: a ChatGPT-API Demo page copied whole, no speaker named: the "
        "pasted PHP output left before the first question, the request with no `?` folded into "
        "an answer, `Copy` over every code block and the page's `Regenerate` / `Send` / footer "
        "kept on cards (questions 1/3, answers 0/3); since round 69 the code is fenced, the "
        "page's lines left out and the request read (questions 2/3, answers 2/3): the pasted "
        "PHP error (its `PHP Fatal error:` and `thrown in` lines read as prose) stays off the "
        "first question"
    ),
    "ai-chat-nvim-answers.md": (
        "round 50, as first scored: records closed by `---`, each `> <date> <time> (ollama) "
        "<question>` over the pasted output, then the reply opening with `> `: read as quoted "
        "prompts, the stamp kept on each question, the first cut at a blank line of its paste and "
        "the reply's `> ` line glued to the others (questions 0/3)"
    ),
    "chuanhuchatgpt-export-md.md": (
        "round 49, as first scored: `- ` glued to every message's first line (the exporter's) "
        "stays on each question and answer, and the `<details>` reasoning atop every reply after "
        "it is kept (a reading of the dash, tried, took loose lists, task lists and a reply's own "
        "`<details>` for the exporter's and was withdrawn: review 49) (questions 0/3)"
    ),
    "gradio-web-copy.txt": (
        "round 49, as first scored: a Gradio ChatInterface page copied whole, no speaker named, "
        "messages between gaps of two blank lines, and code blocks with no label under the same "
        "gap: code lines are taken for questions, the app's heading names the deck, the page's "
        "footer stays on the last card (questions 1/3, answers 0/3); since round 69 the footer "
        "is left out (questions 2/3, 1 invented, answers 1/3)"
    ),
    "poe-web-copy.txt": (
        "the title only: the chat's name stands in the page's header between the bot's picture "
        "and its name (`Bot image for Assistant` / the name / `Assistant` / `Today`), and no "
        "reading takes a header line for the title there (questions 3/3, answers 3/3)"
    ),
    # The sixteenth held-out round, as first scored (see the fixtures' README).
    "deepchat-export.txt": (
        "every reply opens with `[思考过程]` and the model's reasoning, and nothing marks where "
        "a reasoning of two paragraphs ends: its second paragraph stays on the card (answers 1/3)"
    ),
    # The twenty-sixth held-out round, as first scored (see the fixtures' README).
    # The twenty-seventh held-out round, as first scored (see the fixtures' README).
    # The twenty-ninth held-out round, as first scored (see the fixtures' README).
    # The thirtieth held-out round, as first scored (see the fixtures' README).
    # The thirty-first held-out round, as first scored (see the fixtures' README).
    "deepseek-web-copy.txt": (
        "a page copy with no turn markers: the sidebar and the pasted log are on no card, the "
        "second prompt (a request without `?`) is folded into the first answer, and the code "
        "labels, the under-reply note and the composer lines stay on cards (questions 1/3); "
        "since round 69 the code is fenced and the page's lines left out, but the request, "
        "with its reply right under it and no blank line, is still folded in (a line of words "
        "over a line of words may be a wrapped paragraph's first)"
    ),
    "perplexity-web-copy.txt": (
        "a page copy whose prompts are not marked: the first two exchanges are on no card, the "
        "tab row `답변` is taken for the title, the `N 단계 완료` and `N개 출처` lines and the "
        "source chips stay, and a related question is read as a question (questions 1/3)"
    ),
    # The thirty-fifth held-out round, as first scored (see the fixtures' README).
    "huggingchat-web-copy.txt": (
        "the title: the page shows the chat's name only in the sidebar's list of chats, which "
        "does not mark the open one; no title is taken (questions 3/3, answers 3/3, no line "
        "leaked)"
    ),
    # The thirty-second held-out round, as first scored (see the fixtures' README).
    "vscode-openai-show-markdown.md": (
        "the title: the persona's name (`# Developer/Programmer`, the same over every chat "
        "with that persona) names the deck, where no title is expected (questions 3/3, answers "
        "3/3, no line leaked)"
    ),
}


def known_failures(names: list[str], known: dict[str, str]) -> list[object]:
    """The names, those in `known` as strict xfails with their reason."""
    return [
        pytest.param(name, marks=pytest.mark.xfail(reason=known[name], strict=True))
        if name in known
        else name
        for name in names
    ]


@pytest.mark.parametrize("name", known_failures(fixtures(), NOT_YET))
def test_a_tools_chat_log_gives_the_users_turns_and_the_models_replies(name: str) -> None:
    result = score(name)
    assert (result.right, result.answers_right) == (result.expected, result.expected), result
    assert (result.wrong, result.invented, result.missed) == (0, 0, 0), result
    assert result.leaked == [], result.leaked
    assert result.title_right, result.title


#: Chat logs whose first exchange alone (the file cut before the second user turn) is not read
#: right yet: each of these shapes is found by recurring, and one exchange shows it once.
ONE_EXCHANGE_NOT_YET = {
    "panel-chatinterface-web-copy.txt": (
        "one `G` over one `GPT-3.5`: the marks beside a marker must stand beside two or more"
    ),
    "llm-workflow-engine-log.log": (
        "one `## context 1` after the one reply: a record line must recur between turns (the "
        "`## context None` over the turn is read as the tool's only since a later one differs)"
    ),
    "ai-chat-exporter-chatgpt.md": "one record: a record's header must recur",
    "aichat-messages.md": "one record: a record's header must recur",
    "aider.chat.history.md": "one run of `#### ` lines: a prefix must open two or more runs",
    "llamabot-chat.md": "one prompt wrapped in `**`: two or more must each have a reply",
    "nextjs-ollama-llm-ui-web-copy.txt": "one `US` over one `Avatar`: roleless labels need four",
    "mark-cli-relston.md": "the first prompt is unmarked and the one `# GPT Response` must recur",
    "chatgpt-shell.txt": "one REPL prompt: a prompt must open two or more turns",
    "chatgpt-md.md": "the first message is unmarked and the one marker left must recur",
    "pygpt-history.txt": "two messages opening with their times: a log's lines show as much",
    "chatgpt-shell-cli-history.txt": "one prompt's time: times must open two or more exchanges",
    "grok-web-copy.txt": "one reply's time: a page copy's reply times must recur",
    "developerjoe-export.txt": "one `~~~` rule at the end: a rule must recur to be no fence",
    "rikkahub-markdown-export.md": "one reply's opening quote: it must open two replies or more",
    "copilot-chat-el.org": "one `* You` over one `** Copilot`: deepening headings need three turns",
    "qwen-web-copy.txt": "one `Thinking completed`: a reasoning status must open two replies",
    "ollama-chat-nvim.md": "one `*Ollama in N s*`: a name with no role word must recur",
    "ai-org-chat.org": "one `* User` over one `** AI`: deepening headings need three turns",
    "memotrace-wechat-txt.txt": "one `[bot]` reply: a bot's reply tag must recur",
    "kimi-web-copy.txt": "one prompt's toolbar: a toolbar must stand under three prompts",
    "zai-web-copy.txt": "one prompt's toolbar: a toolbar must stand under three prompts",
    "qwen-code-export.md": "one reply in two messages: every reply of two or more must come so",
    "lechat-web-copy.txt": "two times: the time under every message must close two exchanges",
    "ask-brave-web-copy.txt": "two gaps: gaps under prompts and replies must part two exchanges",
    "vscode-copilot-chat-copy-all.md": "one `GitHub Copilot:`: a product's label must recur",
    "t3chat-web-copy.txt": "one `Assistant message`: the model's label must open two replies",
    "chainlit-web-copy.txt": "one `Avatar for Assistant`: the model's label must open two",
    "chatbot-ui-web-copy.txt": "one `GPT-4o` over one reply: the model's name must open two",
    "ollama-gui-web-copy.txt": "one `🧑` and one `Ollama`: the user's label must recur to pair",
    "chabeau-log.txt": "one `You: ` prompt: the pasted log's `State: ` is taken for the model's",
    "ollama-buddy-session.org": "one `* *<model>* ⚒ >> PROMPT:` heading: a marker must recur",
    "slackdump-text.txt": "one header per sender: each sender's `<name> <date> <time>` must recur",
    "fastgpt-export-md.md": "one `Role: Human` over one `Role: AI`: roles must take turns twice",
    "prompt-nvim.md": "an unmarked prompt over one `█ ● <model>: █`: a marker must recur",
    "chatpad-web-copy.txt": "one reply's `N words`: a measure under replies must recur",
    "claude-code-export.txt": "one `❯ ` and one `● `: a terminal's symbols must take turns twice",
    "mind-wave.chat": "one `# > User: text`: a heading glued to a message must recur",
    "ollama-webui-lite-web-copy.txt": (
        "one `Ollama profile` over one `Ollama llama3:8b`: a picture's alt text is the page's "
        "only over two markers or more, and the model menu only beside a recurring label"
    ),
    "lumo-web-copy.txt": "one `Edit` under one prompt: a button alone must stand under three",
    "librechat-web-copy.txt": "one `Thoughts`: the reasoning's status must open two replies",
    "nextchat-web-copy.txt": "one reply opened by reasoning: the opening must recur",
    "anythingllm-web-copy.txt": "one `Thinking complete`: the reasoning's status must recur",
    "joplin-jarvis-chat.md": "the first message is unmarked and the one marker left must recur",
    "ai-chat-as-md-obsidian.md": "one reply heading: headings that deepen need three turns",
    "hexchat-chatgpt-bot.txt": "a bystander speaks once too: three names once each are no exchange",
    "jupyter-ai-export.md": "three names without a role word: such markers must recur more",
    "discord-chat-exporter.txt": "the `{Reactions}` after a reply is the tool's only if it recurs",
    "gptel.md": "a reasoning fence ends the prompt only when two or more replies open with one",
    "sillytavern.txt": "the character's greeting and one exchange: the names' roles are a guess",
    "model-nvim.mchat.md": "one prompt and one reply between rules: parts must take turns twice",
    "simple-note-chat.md": "one prompt and one reply between rules: parts must take turns twice",
    "chatvim-nvim.md": "an unmarked prompt over one `# === ASSISTANT ===`: a marker must recur",
    "cursor-chat-export.md": "one prompt's `[selections]`/`[text]`: a label must open two turns",
    "smart-connections-chat.md": (
        "a ```md fence around one question and one reply: a marked wrapper must wrap three"
    ),
    "amazon-q-export-chat.md": (
        "one `---` between two unmarked messages: the rule must recur, so the pytest command is "
        "the title and the prompt is cut to its asking line (its entities kept)"
    ),
    "duckduckgo-chat-cli-export.md": (
        "`## 📄 File Content (21:41)` is then the user's marker, and the tool's `File: worker.py` "
        "label line over the attached code stays in the question"
    ),
    "vault-bot-chat-note.md": (
        "one `----` between two unmarked messages: the rule must recur, so the file is read as "
        "a plain one, where the prompt is read whole (a pasted traceback, then the paragraph "
        "asking about it) but the `----` lines stay in the answer (first contact: nothing on "
        "a card, the asking paragraph alone too long for a question of its own)"
    ),
    "universal-chat-exporter-notebooklm.md": (
        "one `## User Message 1`: the numbered heading is then the question, and the prompt, the "
        "`### NotebookLM Response` heading and the reply its answer; the export's generic "
        "`# NotebookLM Conversation` becomes the title"
    ),
}
#: Fixtures where the cut is no chat of one exchange: llm's `# <datetime>` record header sits
#: above the second prompt's marker, so the cut file would end with it; tenere glues the second
#: prompt's marker to the first reply's last line, which a cut by lines would drop; Caret's
#: note is one XML document, which a cut leaves unclosed (its one exchange, whole, is in
#: test_xml_chats); Google AI Mode's export numbers each exchange with a `# Chat <n>` heading
#: over it, which the cut would end with (one exchange, whole, is in test_parse).
NO_ONE_EXCHANGE_CUT = {"llm-logs.md", "tenere-archive.txt", "caret.md", "google-ai-mode-export.md"}


def one_exchange_fixtures() -> list[str]:
    return [
        name
        for name in fixtures()
        if name not in NOT_YET
        and name not in NO_ONE_EXCHANGE_CUT
        and len(
            json.loads((CHATLOGS / name).with_suffix(".expected.json").read_text("utf-8"))["notes"]
        )
        >= 2
    ]


@pytest.mark.parametrize("name", known_failures(one_exchange_fixtures(), ONE_EXCHANGE_NOT_YET))
def test_a_chat_log_cut_to_its_first_exchange_gives_that_exchange(name: str) -> None:
    """Many saved chats hold one question: a tool's file cut before its second user turn reads as
    that one exchange."""
    path = CHATLOGS / name
    expected = json.loads(path.with_suffix(".expected.json").read_text("utf-8"))["notes"][0]
    second = parse_transcript(read_transcript(path, name)).notes[1].line
    assert second is not None
    lines = read_transcript(path, name).lines[: second - 1]
    while lines and not lines[-1].strip():
        lines.pop()
    parsed = parse_transcript(parse_text("\n".join(lines) + "\n", name))
    assert [clean(note.question) for note in parsed.notes] == [clean(expected["question"])]
    answer = [line for line in parsed.notes[0].answer.split("\n") if line.strip()]
    assert answer[0].strip() == expected["answer_first_line"].strip()
    assert answer[-1].strip() == expected["answer_last_line"].strip()


#: Page copies that name no speaker at all and are read right as files of unmarked questions
#: (the page's own lines left out all the same): no turn marker to find.
READ_AS_UNMARKED_QUESTIONS = {"gemini-web-copy.txt"}


@pytest.mark.parametrize("name", fixtures())
def test_a_chat_log_loses_no_line_and_says_why_it_left_one_out(name: str) -> None:
    transcript = read_transcript(CHATLOGS / name, name)
    parsed = parse_transcript(transcript)
    check_every_line_claimed_once(transcript, parsed)
    expected = json.loads((CHATLOGS / name).with_suffix(".expected.json").read_text("utf-8"))
    if name in NOT_YET:
        return
    left_out = {d.line: d.reason for d in parsed.decisions if d.verdict is Verdict.LEFT_OUT}
    markers = {d.line for d in parsed.decisions if d.verdict is Verdict.MARKER}
    # read as a chat log: by the turn pass, by its `Q:` / `A:` markers (`# Q:` headings), or by
    # the user's `You: ` before each prompt over unlabelled replies (Chabeau's log)
    read_as_chat = ("turn marker", "explicit marker", "speaker marker")
    assert (
        markers
        or any(note.rule in read_as_chat for note in parsed.notes)
        or name in READ_AS_UNMARKED_QUESTIONS
    )
    for number in left_out:
        assert transcript.lines[number - 1].strip()
    # Every line the fixture calls not content is a marker, left out, or the title's line.
    on_cards = {
        line.strip()
        for note in parsed.notes
        for line in (note.question + "\n" + note.answer).split("\n")
    }
    assert not (on_cards & {line.strip() for line in expected["not_content"] if line.strip()})


# --- Generated chat logs ----------------------------------------------------------------------

USER_LABELS = [
    "You",
    "User",
    "USER",
    "Пользователь",
    "Usuario",
    "用户",
    "Benutzer",
    "Human",
    "Me",
    "उपयोगकर्ता",  # (vowel signs: combining marks, no `\w` to Python)
]
ASSISTANT_LABELS = [
    "Assistant",
    "ChatGPT",
    "Claude",
    "GPT-4o",
    "Gemini",
    "Asistente SQL",
    "Ассистент",
    "助手",
    "AI",
    "ผู้ช่วย",  # (Thai: its tone and vowel marks end the word)
    "Model",
]
#: Marker shapes: the label goes in `{}`; `inline` shapes carry the turn's first line.
SHAPES = [
    ("## {}", False),
    ("### {}", False),
    ("##### {}:", False),
    ("# {}", False),
    ("**{}**", False),
    ("**{}:**", False),
    ("**{}**:", True),
    ("**{}:**", True),
    ("{}:", False),
    ("{} said:", False),
    ("[{}]", False),
    ("### role::{}", False),
    ("## {emoji} {}", False),
    ("▶ {}:", False),
    ("## {emoji}", False),
    ("**{}** (2025-01-0{n} 10:1{n})", False),
    ("### {} · 10:1{n} AM", False),
    ("{}", False),
    ("#### {} {n}", False),
    ("**{}** *(10:1{n})*", False),
    ("[3/1{n}/2025 9:1{n} PM] {}", False),
    ("### **{}** | 2025/04/0{n} 18:2{n}:10", False),
    ("[10:1{n}] {}#4821", False),
    ("** {}:", False),
    ("*** {}", False),
    ("## {} · *mode {n}* ##", False),
    ("# %% {}", False),
    ("# {} (4f2a9c1{n}-8e0b) ───", False),
    ("--{}", False),
    ("@{}:", False),
    ("**{}**：", True),  # a full-width colon, the turn's first line with an ASCII one after it
    ("=== {} ===", False),
    ("-- {} --", False),
    ("» {}", False),
    # a role's label in any symbols the tool draws around it, or after it before the text
    ("<{}>", False),
    ("({})", False),
    ("[[{}]]", False),
    (":: {}", False),
    ("// {}", False),
    ("%{}%", False),
    ("> **{}**", False),
    ("{} >", True),
    ("{} ❯", True),
    ("[{}]", True),
    ("<{}>", True),
    ("{emoji}", True),  # the role's emoji alone before the message
    ("## {n} - {}", False),  # a bare counter before the label
    ("***{}***", False),
    ("{} —", True),
    ("**{}** –", True),
    ("<details open><summary>{}</summary>", False),  # every message a collapsible element
    ("<details>\n<summary>{}</summary>", False),
]
#: The element a tool may wrap every message in, a tag alone on each of its own lines.
ELEMENTS = [('<div class="message">', "</div>"), ("<section>", "</section>")]
ATTACHED = ["##neovim://selection", "#buffer", "#file:src/main.rs", "@workspace"]
SEPARATORS = ["---", "***", "* * *", "─" * 24, "<hr>", '<hr class="__tool">', "___"]
QUESTIONS = [
    "what is a closure?",
    "как работает сборщик мусора?",
    "¿qué es una transacción?",
    "什么是协程？",
    "why?",
    "give me an example",
    "Explain the second point",
    "Compare B-trees and LSM trees",
    "wie funktioniert ein Index?",
    "1. what is a mutex?\n2. how is it different from a semaphore?",
    "this fails:\n\n```\nTypeError: 'NoneType' object is not iterable\n```\n\nwhy",
    "I have this code:\n\n```python\nfor x in None:\n    pass\n```\nwhat is wrong?",
    "I am writing a parser for a configuration format with nested sections, quoted strings with "
    "escapes, comments at the end of lines and include directives that pull in other files: "
    "should I write it by hand or use a parser generator?",
]
ANSWERS = [
    "A closure keeps the variables of the scope it was made in.",
    "Short answer: yes.\n\n- first point\n- second point\n\nThat is all.",
    "Use this:\n\n```python\ndef f():\n    return 1\n```\n\nIt returns one.",
    "Сборщик мусора находит недостижимые объекты.\n\n1. пометка\n2. очистка",
    "### Details\n\nThe details are here.\n\n**Note:** mind the edge cases.",
    "一个协程是可以暂停的函数。\n\n> 引用的一段话\n\n这就是全部。",
]
METADATA = [
    "[Timestamp: 2025/02/1{n} 10:1{n}:03]",
    "*1{n}.3.2025, 09:1{n}:00*",
    '<time datetime="2025-03-1{n}T21:14:05.000Z">09:1{n} PM</time>',
]
REASONING = [
    "<details>\n<summary>Thought for 1{n} seconds</summary>\n\nThe user asks.\n\n</details>",
    "<think>\nThe user wants an answer; keep it short.\n</think>",
    "**Thought for {n} seconds**\n\n### Thought Process\n\n> weigh the options\n> and answer",
    '<details type="reasoning" done="true">\n<summary>Thinking</summary>\n&gt; hmm\n</details>',
    "``` reasoning\nThe user asks about item {n}.\n```",
    "###### Reasoning\n\nThe user asks about item {n}.\n\nanswer it\n\n###### Response",
    "_Thinking:_\n\nThe user asks about item {n}.\nA short answer will do.",
    "Show thinking",  # a page's toggle, copied with the reply; the reasoning stayed folded
    "<Thoughts>\nThe user asks about item {n}.\n\nA short answer will do.</Thoughts>",
]
#: Blocks a tool adds after every reply (told from a reply's own when they recur).
TRAILERS = [
    "<details>\n\n<summary>📃 Metadata</summary>\n\n| Metric | Value |\n| --- | --- |\n"
    "| Eval Count | 4{n} tokens |\n\n</details>",
    "<details>\n\n<summary>🧠 Thought</summary>\n\n```TXT\nweigh the options {n}\n```\n\n"
    "</details>",
    "{Reactions}\n👍",
    '<thinking anthropic:signature="' + "ErgDCkCoXg8Z" * 50 + '">\nThe user asks {n}.\n</thinking>',
]
THINKING = [trailer for trailer in TRAILERS if "Thought" in trailer or "<thinking" in trailer]
EMOJI = {"user": "👤", "assistant": "🤖"}


def turn_pairs(least: int) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A chat's (question, answer) pairs, each question asked once."""
    return st.lists(
        st.tuples(st.sampled_from(QUESTIONS), st.sampled_from(ANSWERS)),
        min_size=least,
        max_size=5,
        unique_by=lambda pair: pair[0],
    )


@st.composite
def chat(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]], dict[str, object]]:
    """A chat log as some tool might save it, its turns, and the shape it was drawn with."""
    shape, inline = draw(st.sampled_from(SHAPES))
    user = draw(st.sampled_from(USER_LABELS))
    assistant = draw(st.sampled_from(ASSISTANT_LABELS))
    pairs = draw(turn_pairs(1))
    options = {
        "separator": draw(st.sampled_from([None, *SEPARATORS])),
        "metadata": draw(st.sampled_from([None, *METADATA])),
        "reasoning": draw(st.sampled_from([None, *REASONING])),
        # One reply shows no block recurring: only one of the model's thinking is the tool's.
        "trailer": draw(st.sampled_from([None, *(TRAILERS if len(pairs) > 1 else THINKING)])),
        "title": draw(st.sampled_from([None, "# Closures and friends", "# [A chat](https://x.y)"])),
        "gap": draw(st.sampled_from(["", "\n", "\n\n"])),
        # A line naming what the tool attached to every prompt (an editor's buffer, a file).
        "attached": None
        if inline
        else draw(
            st.sampled_from(
                [None, *(a for a in ATTACHED if ":" in a or len(pairs) > 1)]  # a bare name: twice
            )
        ),
        "element": None if inline else draw(st.sampled_from([None, *ELEMENTS])),
        # A page copy may name the speaker twice (`You` then `Sent by you:`).
        "second": draw(st.booleans()) and not inline,
        # A tool that wraps every message in a fence, bare (Chatbox) or marked as Markdown (Smart
        # Connections), escaping the fences inside.
        "wrap": None
        if inline
        else draw(
            st.sampled_from([None, "```"] + (["```md", "~~~markdown"] if len(pairs) > 1 else []))
        ),
    }
    return render_chat(shape, inline, user, assistant, pairs, options), pairs, options


def render_chat(
    shape: str,
    inline: bool,
    user: str,
    assistant: str,
    pairs: list[tuple[str, str]],
    options: dict[str, object],
) -> str:
    def marker(label: str, role: str) -> str:
        return shape.replace("{emoji}", EMOJI[role]).replace("{}", label).replace("{n}", str(n))

    out: list[str] = []
    if options["title"]:
        out += [str(options["title"]), ""]
    separator, metadata, reasoning = options["separator"], options["metadata"], options["reasoning"]
    trailer = options.get("trailer")
    for n, (question, answer) in enumerate(pairs):
        for role, label, body in (("user", user, question), ("assistant", assistant, answer)):
            element = options.get("element")
            if inline:
                out.append(f"{marker(label, role)} {body}")
            else:
                if isinstance(element, tuple):
                    out += [element[0], ""]
                out += [marker(label, role), ""]
                if options.get("second") and "{}" in shape:
                    out += [f"Sent by {label}:"]
                if role == "user" and options.get("attached"):
                    out += [str(options["attached"]), ""]
                if role == "assistant" and reasoning:
                    out += [str(reasoning).replace("{n}", str(n + 1)), ""]
                wrap = options.get("wrap")
                if wrap:
                    escaped = re.sub(r"(?m)^(```|~~~)", r"\\\1", body)
                    out += [str(wrap), escaped, str(wrap)[:3]]
                else:
                    out.append(body)
            if role == "assistant" and trailer:
                out += ["", str(trailer).replace("{n}", str(n))]
            if metadata:
                out.append(str(metadata).replace("{n}", str(n)))
            if shape.startswith("<details"):
                out += ["", "</details>"]
            if isinstance(element, tuple):
                out += ["", element[1]]
            out.append(str(options["gap"]))
            if separator:
                out += ["", str(separator), ""]
    return "\n".join(out) + "\n"


def notes_of(text: str) -> list[tuple[str, str]]:
    parsed = parse_transcript(parse_text(text, "chat.md"))
    return [(note.question, note.answer) for note in parsed.notes]


CHAT_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@CHAT_SETTINGS
@given(chat())
def test_a_chat_logs_notes_are_its_turns_whatever_the_markers(
    drawn: tuple[str, list[tuple[str, str]], dict[str, object]],
) -> None:
    text, pairs, _ = drawn
    assert notes_of(text) == pairs, text
    transcript = parse_text(text, "chat.md")
    check_every_line_claimed_once(transcript, parse_transcript(transcript))


@CHAT_SETTINGS
@given(chat(), st.sampled_from(SHAPES), st.data())
def test_the_same_chat_in_another_shape_gives_the_same_notes(
    drawn: tuple[str, list[tuple[str, str]], dict[str, object]],
    other: tuple[str, bool],
    data: st.DataObject,
) -> None:
    text, pairs, options = drawn
    user = data.draw(st.sampled_from(USER_LABELS))
    assistant = data.draw(st.sampled_from(ASSISTANT_LABELS))
    again = render_chat(other[0], other[1], user, assistant, pairs, options)
    assert notes_of(again) == notes_of(text)


def undressed(options: dict[str, object]) -> dict[str, object]:
    """A chat's options without what a tool adds around the messages."""
    return dict(
        options,
        separator=None,
        metadata=None,
        reasoning=None,
        wrap=False,
        second=False,
        trailer=None,
        attached=None,
        element=None,
    )


@CHAT_SETTINGS
@given(chat(), st.data())
def test_separators_metadata_and_reasoning_between_turns_change_nothing(
    drawn: tuple[str, list[tuple[str, str]], dict[str, object]], data: st.DataObject
) -> None:
    text, pairs, options = drawn
    bare = undressed(options)
    shape = data.draw(st.sampled_from([s for s in SHAPES if not s[1]]))
    plain = render_chat(shape[0], False, "User", "Assistant", pairs, bare)
    dressed = render_chat(shape[0], False, "User", "Assistant", pairs, options)
    assert notes_of(dressed) == notes_of(plain) == pairs


def quoted(body: str) -> str:
    """A message as a tool that writes every line of it behind `> ` (a blank line as `>`)."""
    return "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))


@CHAT_SETTINGS
@given(chat(), st.data())
def test_a_prefix_on_every_line_of_every_message_changes_nothing(
    drawn: tuple[str, list[tuple[str, str]], dict[str, object]], data: st.DataObject
) -> None:
    """A tool that writes each message as a quote: the notes are those of the same chat written
    without the `> `, and none keeps it (a quote of the user's own keeps its `>`)."""
    _, pairs, options = drawn
    bare = undressed(options)
    shape = data.draw(st.sampled_from([s for s in SHAPES if not s[1]]))
    user = data.draw(st.sampled_from(USER_LABELS))
    assistant = data.draw(st.sampled_from(ASSISTANT_LABELS))
    plain = render_chat(shape[0], False, user, assistant, pairs, bare)
    quotes = [(quoted(question), quoted(answer)) for question, answer in pairs]
    dressed = render_chat(shape[0], False, user, assistant, quotes, bare)
    assert notes_of(dressed) == notes_of(plain) == pairs, dressed


@st.composite
def role_play(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """Names with no role word (a role-play tool), of one word or a few: the user's turns are
    the short ones, whether or not the character opens with a greeting; a `Name: text` line of
    the reply's own ("Compare:") seen once is no speaker."""
    names = draw(
        st.sampled_from(
            [("Mara", "Narrator"), ("Kit", "Oracle"), ("Ana", "Sage"), ("Tom", "Sensei Aiko")]
        )
    )
    shape = draw(st.sampled_from(["**{}:**", "### {}", "[{}]", "**{}**", "{}: "]))
    count = draw(st.integers(2, 5))
    pairs = [
        (
            f"what do you see at gate {n}?",
            f"A long road.\n\nThe gate {n} is open.\n\n- a tree\n- a wall",
        )
        for n in range(count)
    ]
    if draw(st.booleans()):
        first = pairs[0]
        pairs[0] = (first[0], first[1] + "\n\nCompare:\n\n- the old gate\n- the new gate")

    def turn(name: str, body: str) -> list[str]:
        if shape.endswith(" "):  # SillyTavern's text export: `Name: message`
            return [shape.format(name) + body, ""]
        return [shape.format(name), body, ""]

    out = turn(names[1], "Welcome, traveller. Ask me anything.") if draw(st.booleans()) else []
    for question, answer in pairs:
        out += turn(names[0], question) + turn(names[1], answer)
    return "\n".join(out), pairs


@CHAT_SETTINGS
@given(role_play())
def test_names_without_a_role_word_are_told_apart_by_the_turns_shapes(
    drawn: tuple[str, list[tuple[str, str]]],
) -> None:
    text, pairs = drawn
    assert notes_of(text) == pairs


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from(
        ["# CHAT: {summary} [2025-03-1{n}T09:4{n}:07+03:00]", "## Entry {n}", "### LOG:"]
    ),
    st.sampled_from(["--------", "---", "***", "====="]),
)
def test_records_cut_in_two_by_a_rule_are_prompt_and_reply(
    pairs: list[tuple[str, str]], header: str, rule: str
) -> None:
    """aichat's messages.md: a header line opens each record, the same rule parts the prompt
    from the reply, and closes the record; no speaker is named (the prompts are the shorter)."""

    def size(text: str) -> int:
        return sum(1 for line in text.split("\n") if line.strip())

    assume(
        statistics.median(map(size, (q for q, _ in pairs)))
        <= statistics.median(map(size, (a for _, a in pairs)))
    )
    out = []
    for n, (question, answer) in enumerate(pairs):
        summary = question.replace("\n", " ")[:40]
        out += [header.format(summary=summary, n=n), question, rule, answer, rule, ""]
    text = "\n".join(out)
    assert notes_of(text) == pairs, text


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from(["## chat-{n}", "### Turn {n}", "## Message #{n}", "# Prompt {n}"]),
    st.booleans(),
    st.booleans(),
)
def test_records_that_open_with_a_quoted_prompt_are_prompt_and_reply(
    pairs: list[tuple[str, str]], header: str, contents: bool, back_link: bool
) -> None:
    """AI Chat Exporter (RevivalStack): numbered headings of the tool's own open the records, the
    prompt is quoted (`> ` on each of its lines), the reply follows bare; a table of contents
    above and a "back to top" link under every reply are the tool's navigation."""
    out = ["# A chat", ""]
    if contents:
        out += ["## Table of Contents", ""]
        out += [
            f"- [{n + 1}: {q.splitlines()[0][:30]}…](#chat-{n + 1})"
            for n, (q, _) in enumerate(pairs)
        ]
        out.append("")
    for n, (question, answer) in enumerate(pairs):
        out += [header.format(n=n + 1), ""]
        out += [f"> {line}".rstrip() for line in question.split("\n")]
        out += ["", answer, ""]
        if back_link:
            out += ["___", "###### [top](#table-of-contents)"]
    text = "\n".join(out) + "\n"
    assert notes_of(text) == pairs, text
    transcript = parse_text(text, "chat.md")
    check_every_line_claimed_once(transcript, parse_transcript(transcript))


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.booleans(),
)
def test_a_prompt_prefix_on_the_first_line_runs_to_the_replys_reasoning(
    pairs: list[tuple[str, str]], saved: bool
) -> None:
    """gptel's `### ` before a prompt's first line only: the prompt runs to the reasoning fence
    that opens the reply; a reply's own `###` heading stays in the reply; the empty prompt at the
    end and the file's local variables are on no card."""
    out = []
    for n, (question, answer) in enumerate(pairs):
        out += ["### " + question, "", "", "``` reasoning", f"The user asks {n}.", "```", ""]
        out += [answer, ""]
    out.append("### ")
    if saved:
        out += ["", "<!-- Local Variables: -->", "<!-- gptel-model: deepseek-reasoner -->"]
        out += ["<!-- End: -->"]
    text = "\n".join(out) + "\n"
    assert notes_of(text) == pairs, text


PLAIN_BLOCKS = None  # the parser tests' own transcripts, chat markers included


@CHAT_SETTINGS
@given(chat(), st.sampled_from(["/export", "/clear", "/save notes.md"]))
def test_a_command_to_the_tool_that_ends_the_chat_unanswered_is_no_question(
    drawn: tuple[str, list[tuple[str, str]], dict[str, object]], command: str
) -> None:
    """A last user turn that is only a slash command, with no reply after it, is a note of
    nothing: the chat's notes are the same without it."""
    _, pairs, options = drawn
    user = "User"
    shape, inline = "**{}**:", True
    plain = render_chat(shape, inline, user, "Assistant", pairs, dict(options, trailer=None))
    ended = plain + f"\n**{user}**: {command}\n"
    assert notes_of(ended) == notes_of(plain) == pairs, ended


#: A message's prefix in a column log: a time, then the name (`{}`) in one of its forms, with
#: `{n}` the message's number; and the prefix of the log's own line (no name).
COLUMN_PREFIXES = [
    ("1{n}/03/2025, 20:4{n} - {}: ", "1{n}/03/2025, 20:40 - "),
    ("3/1{n}/25, 8:4{n}\u202fPM - {}: ", "3/10/25, 8:40\u202fPM - "),
    ("[1{n}.03.25, 20:4{n}:07] {}: ", "[10.03.25, 20:40:07] "),
    ("2025-03-14 13:0{n}:41.318204Z\t{}\t", "2025-03-14 13:00:41.318204Z\t--\t"),
    ("13:0{n} <{}> ", "13:00 -!- "),
    ("[13:0{n}:05] <@{}> ", "[13:00:05] -!- "),
    ("Feb 1{n} 19:0{n}:40 <{}>\t", "Feb 10 19:00:11 *\t"),
    ("2024-12-20 20:4{n}:07 {}\n", "2024-12-20 20:40:07 -- "),  # the message under the name
]
COLUMN_USERS = ["Daan", "rizky", "minji.k", "+62 812-3456-7890", "You", "Пользователь"]
COLUMN_BOTS = ["ChatGPT Bot", "Meta AI", "GPT-4o", "Claude", "qwen-bot", "Assistant"]


def render_column_log(
    prefix: tuple[str, str],
    user: str,
    bot: str,
    pairs: list[tuple[str, str]],
    every_line: bool,
    options: dict[str, object],
) -> str:
    """A chat as a column log: each message's first line behind the prefix and its further lines
    bare, or (`every_line`) every line of it behind the prefix and its blank lines dropped."""
    out: list[str] = []
    if options["notice"]:
        out.append(prefix[1] + "Messages to this chat are logged.")
    count = 0
    for question, answer in pairs:
        for name, body in ((user, question), (bot, answer)):
            if name == user and options["command"]:
                body = f"{options['command']} {body}"
            if name == bot and options["address"]:
                body = f"{user}:\n{body}"
            message = body.split("\n")
            if every_line:
                message = [line for line in message if line.strip()]
            for k, line in enumerate(message):
                count += 1
                head = prefix[0].replace("{}", name).replace("{n}", str(count % 10))
                out.append(head + line if every_line or k == 0 else line)
    return "\n".join(out) + "\n"


def without_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


@CHAT_SETTINGS
@given(
    st.sampled_from(COLUMN_PREFIXES),
    st.sampled_from(COLUMN_USERS),
    st.sampled_from(COLUMN_BOTS),
    turn_pairs(1),
    st.booleans(),
    st.fixed_dictionaries(
        {
            "notice": st.booleans(),
            "command": st.sampled_from([None, ".ai", "!gpt", "/ask"]),
            "address": st.booleans(),
        }
    ),
)
def test_a_column_logs_notes_are_its_turns_whatever_the_time_names_and_continuation(
    prefix: tuple[str, str],
    user: str,
    bot: str,
    pairs: list[tuple[str, str]],
    every_line: bool,
    options: dict[str, object],
) -> None:
    """A log whose speaker is a column gives one note per run of the user's lines (one exchange
    included), the same whatever the time's format, the names and how a message goes on past
    its first line (bare lines, or the prefix again on each line); a log's own lines, a bot's
    command before each prompt and a reply's address to the user are on no card."""
    # A nick between tabs or in angle brackets is one word, without a channel mode's mark.
    # A name alone after the time starts with a letter (`20:41 +62 ...` reads as no name).
    assume(
        "{}: " in prefix[0]
        or (prefix[0].endswith("{}\n") and all(n[:1].isalpha() for n in (user, bot)))
        or all(" " not in n and n[:1] not in "@+%~&!" for n in (user, bot))
    )
    # (a name alone over its message heads the whole message: no line of it gets its own)
    assume(not (every_line and prefix[0].endswith("\n")))
    text = render_column_log(prefix, user, bot, pairs, every_line, options)
    expected = pairs
    if every_line:
        expected = [(without_blank_lines(q), without_blank_lines(a)) for q, a in pairs]
    assert notes_of(text) == expected, text
    transcript = parse_text(text, "chat.txt")
    check_every_line_claimed_once(transcript, parse_transcript(transcript))


@pytest.mark.parametrize("call", ["bot", "@bot", "bot\n"])
def test_a_bots_reply_tag_and_the_word_that_calls_it_are_on_no_card(call: str) -> None:
    """chatgpt-on-wechat's replies open with `[bot] ` and the user calls it with `bot` (as the
    message's first word, or alone on its first line): both the bot's, on no card. A tag on
    some replies only is the reply's own text."""
    log = "2024-12-20 20:4{}:07 {}\n{}\n\n"
    text = log.format(1, "Emeka Nwosu", f"{call} why does x fail?".replace("\n ", "\n"))
    text += log.format(2, "Ada_AI", "[bot] Because x.\n\nMore on x.")
    text += log.format(3, "Emeka Nwosu", f"{call} and y?".replace("\n ", "\n"))
    text += log.format(4, "Ada_AI", "[bot] Because y.")
    assert notes_of(text) == [
        ("why does x fail?", "Because x.\n\nMore on x."),
        ("and y?", "Because y."),
    ]
    once = text.replace("[bot] Because y.", "Because y.")
    assert notes_of(once)[0][1].startswith("[bot] Because x.")


@CHAT_SETTINGS
@given(
    turn_pairs(1),
    st.sampled_from(["[{}]", "## {}", "**{}**", "### {}:"]),
    st.sampled_from(["--- ", "---", "***", "=" * 20]),
    st.sampled_from(["meta", "cmd", "env", "Befehl"]),
)
def test_a_third_label_set_off_like_the_speakers_heads_records_on_no_card(
    pairs: list[tuple[str, str]], shape: str, rule: str, third: str
) -> None:
    """fabric's session: `[meta]` with the command line, set off by the same rule as `[user]` and
    `[assistant]`, before every prompt: another party's record, on no card."""
    out: list[str] = []
    for n, (question, answer) in enumerate(pairs):
        out += [rule, shape.format(third), f"--session s{n} --stream"]
        out += [rule, shape.format("user"), question, rule, shape.format("assistant"), answer]
    text = "\n".join(out) + "\n"
    assert notes_of(text) == pairs, text


@pytest.mark.parametrize(
    "text",
    [
        # DiscordChatExporter's plain text: a time and a name (no role word) over each message.
        "[3/14/2025 9:12 PM] minji.k\nwhat is a lifetime?\n\n\n[3/14/2025 9:12 PM] Ferris#5170\n"
        "A lifetime names how long a borrow is valid.\n\nThe compiler checks it.\n",
        # WhatsApp: the time and the name before the first line of each message.
        "14/03/2025, 20:41 - Daan: !gpt what is a lifetime?\n14/03/2025, 20:41 - Bot: A lifetime "
        "names how long a borrow is valid.\n\nThe compiler checks it.\n",
    ],
)
def test_a_chat_log_of_one_exchange_is_one_note(text: str) -> None:
    """A saved chat of one question and its reply, where the names carry no role word: the time
    before each name is structure enough."""
    assert notes_of(text) == [
        (
            "what is a lifetime?",
            "A lifetime names how long a borrow is valid.\n\nThe compiler checks it.",
        )
    ]


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from([("User", "AI"), ("Me", "Assistant"), ("You", "Claude")]),
    st.sampled_from(["#", "*"]),
)
def test_speaker_headings_one_level_deeper_each_turn_are_turns(
    pairs: list[tuple[str, str]], labels: tuple[str, str], mark: str
) -> None:
    """AI Chat as Markdown (Obsidian): the first prompt under the note's own title, then each
    reply and prompt one heading level under the turn before, past six hashes too; the empty
    prompt heading the tool leaves at the end is no turn. Org's headlines the same (ai-org-chat:
    `* User`, `** AI`, `*** User`, under Emacs's `# -*- ... -*-` line, which names nothing)."""
    out = ["# A chat about things", ""] if mark == "#" else ["# -*- mode: org -*-"]
    level = 2 if mark == "#" else 1
    for n, (question, answer) in enumerate(pairs):
        if n or mark == "*":
            out += [mark * level + " " + labels[0], question, ""]
            level += 1
        else:
            out += [question, ""]
        out += [mark * level + " " + labels[1], answer, ""]
        level += 1
    out.append(mark * level + " " + labels[0])
    text = "\n".join(out) + "\n"
    assume(not any(line.startswith(mark) for _, answer in pairs for line in answer.split("\n")))
    assert notes_of(text) == pairs, text
    if mark == "*":
        assert parse_transcript(parse_text(text, "chat.org")).title is None


def test_a_column_layout_that_makes_no_chat_leaves_the_file_to_the_other_readings() -> None:
    """Two time-and-name lines that make no exchange (they ask nothing) under a `Key: value`
    line: the file is read as if they had no column layout (hypothesis found a file where the
    column reading gave up and the marker reading never ran)."""
    text = (
        "A: what\n10/03/2025, 20:40 - Daan: see the log\n11/03/2025, 20:41 - rizky: see the log\n"
        "## You\n    what\n\twhat\n## You\n## You\nwhat\n"
    )
    transcript = read_bytes(text.encode())
    with_rule = parse_transcript(transcript)
    with patch("chatdeck.turns.read_columns", lambda lines, text: None):
        assert with_rule == parse_transcript(transcript)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A reply's own deeper heading whose words name a speaker is no turn.
        (
            "# Roles\n\n## User\n\nwhat is a user story?\n\n### Assistant\n\nA feature, "
            "told short.\n\n#### User stories\n\nAs a <role> I want.\n",
            [
                (
                    "what is a user story?",
                    "A feature, told short.\n\n#### User stories\n\nAs a <role> I want.",
                )
            ],
        ),
        # A quote under numbered headings of a book's chapters is no prompt.
        (
            "## Chapter 1\n\n> Call me Ishmael.\n\nwho narrates the book?\n\nIshmael.\n\n"
            "## Chapter 2\n\n> It is a way I have.\n\nwhat way?\n\nOf driving off the spleen.\n",
            None,
        ),
        # Two lines of a system's log are no exchange.
        ("08:00:01 CRON: backup job started\n08:00:05 kernel: out of memory, killed 4121\n", []),
        # A reply's own "Thought experiment:" is no reasoning.
        (
            "what is time dilation?\n\n**Assistant:**\n\nThought experiment:\n\nA light clock."
            "\n\nIt ticks slower.\n\n**User:**\n\nand why?\n\n**Assistant:**\n\nLight.\n",
            [
                (
                    "what is time dilation?",
                    "Thought experiment:\n\nA light clock.\n\nIt ticks slower.",
                ),
                ("and why?", "Light."),
            ],
        ),
    ],
)
def test_notes_that_only_look_like_a_tools_chat_keep_their_lines(
    text: str, expected: list[tuple[str, str]] | None
) -> None:
    """Hand-written files a review found misread by rules for tools' chats."""
    notes = notes_of(text)
    if expected is None:
        assert all(
            question not in ("Call me Ishmael.", "It is a way I have.") for question, _ in notes
        )
    else:
        assert notes == expected


def test_a_column_logs_banners_and_a_prompts_address_to_the_bot_are_on_no_card() -> None:
    """HexChat: `**** BEGIN LOGGING AT ...` over the log and `**** ENDING LOGGING AT ...` under
    it, unprefixed; irssi's `--- Day changed ...` inside it; the user addresses the bot by name
    (`ChatGPT: ...`)."""
    text = (
        "**** BEGIN LOGGING AT Tue Feb 10 19:02:11 2026\n\n"
        "Feb 10 19:02:11 *\tNow talking on #sql\n"
        "Feb 10 19:03:40 <linnea>\tChatGPT: what is WAL?\n"
        "Feb 10 19:03:49 <ChatGPT>\tA write-ahead log.\n"
        "Feb 10 19:03:49 <ChatGPT>\tReaders do not block writers.\n"
        "Feb 10 19:06:52 <linnea>\tChatGPT, give me an example\n"
        "Feb 10 19:07:02 <ChatGPT>\tPRAGMA journal_mode=WAL;\n"
        "**** ENDING LOGGING AT Tue Feb 10 19:30:00 2026\n\n"
    )
    assert notes_of(text) == [
        ("what is WAL?", "A write-ahead log.\nReaders do not block writers."),
        ("give me an example", "PRAGMA journal_mode=WAL;"),
    ]
    irssi = (
        "--- Log opened Fri Mar 14 13:00:00 2025\n"
        "13:01 -!- rizky [~r@host] has joined #py\n"
        "13:03 < rizky> bot: what is a tuple?\n"
        "13:03 < bot> An immutable sequence.\n"
        "13:04 < bot> It can hold any objects.\n"
        "--- Day changed Sat Mar 15 2025\n"
        "09:10 < rizky> bot: give me an example\n"
        "09:10 < bot> (1, None)\n"
        "--- Log closed Sat Mar 15 09:30:00 2025\n"
    )
    assert notes_of(irssi) == [
        ("what is a tuple?", "An immutable sequence.\nIt can hold any objects."),
        ("give me an example", "(1, None)"),
    ]


@CHAT_SETTINGS
@given(transcript_text(), st.sampled_from(COLUMN_PREFIXES), st.data())
def test_a_plain_transcript_with_times_in_it_loses_nothing(
    text: str, prefix: tuple[str, str], data: st.DataObject
) -> None:
    """Lines that start with a time and a name inside a plain transcript (a pasted log, a
    schedule) make no column log of it: its notes are those it has without the column rule."""
    lines = text.split("\n")
    where = data.draw(st.integers(0, len(lines)))
    names = data.draw(st.lists(st.sampled_from(["Daan", "rizky", "Bot"]), min_size=1, max_size=6))
    pasted = [
        prefix[0].replace("{}", name).replace("{n}", str(k)) + "see the log"
        for k, name in enumerate(names)
    ]
    text = "\n".join([*lines[:where], *pasted, *lines[where:]])
    transcript = read_bytes(text.encode())
    with_rule = parse_transcript(transcript)
    with patch("chatdeck.turns.read_columns", lambda lines, text: None):
        without = parse_transcript(transcript)
    runs = [name for k, name in enumerate(names) if k == 0 or names[k - 1] != name]
    speakers = [name for name in set(runs) if runs.count(name) >= 2]
    exchange = len(runs) == 2  # one message each, as a chat of one exchange
    above = [line for line in lines[:where] if line.strip()]
    header = [line.startswith("#") or set(line.strip()) <= set("-*_~= ") for line in above]
    if (len(speakers) < 2 and not exchange) or not all(header):
        # No log of two speakers taking turns, or prose above it: no column log.
        assert with_rule == without, text
    check_every_line_claimed_once(transcript, with_rule)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(transcript_text())
@example("what is x?\n\nan x\n\n---\n\nwhat is y?\n\na y\n\n---\n")
@example(
    "# Notes\n\n**Pros:**\n\n- fast\n\n**Cons:**\n\n- big\n\n**Pros:**\n\n- a\n\n**Cons:**\n\n- b\n"
)
@example("```\n=====\n## You\n## You\nQ:\n## You\nQ:")  # the wrapper's fence is no title
@example("what\n=====\n### Response\n### Prompt")  # a setext line over a chat, not its title
def test_a_plain_transcript_never_loses_a_line_to_the_turn_pass(text: str) -> None:
    """Files the turn pass finds no chat in parse exactly as without it; and where it finds one,
    every line is still on a card, the title's, reported, or left out with its reason."""
    transcript = read_bytes(text.encode())
    with_pass = parse_transcript(transcript)
    layout = parse.lay_out(transcript)
    if find_turns(layout.lines, [kind is LineKind.TEXT for kind in layout.kinds]) is None:
        with patch.object(parse, "find_turns", lambda lines, text: None):
            without = parse_transcript(transcript)
        assert with_pass == without
    check_every_line_claimed_once(transcript, with_pass)


def test_seeds_and_forms_have_no_turn_structure_but_the_chat_exports() -> None:
    root = Path(__file__).resolve().parent.parent
    for path in sorted((root / "source").glob("*.txt")):
        assert build_document(read_transcript(path, path.name)).style.turns is None, path


@pytest.mark.parametrize(
    ("line", "shape", "label", "inline"),
    [
        ("**User**", "**<label>**", "User", None),
        ("**GPT-4o**", "**<label>**", "GPT-4o", None),
        ("### role::user", "### <label>", "role::user", None),
        ("## 👤 You", "## <label>", "You", None),
        ("## Пользователь:", "## <label>:", "Пользователь", None),
        ("[You]", "[<label>]", "You", None),
        ("▶ USER:", "<label>:", "USER", None),
        ("**user**: what is x?", "**<label>**:", "user", "what is x?"),
        ("\x01>>>User:\x01", ">>> <label>:", "User", None),  # vim-chatgpt's invisible ends
        ("*Ollama in 18.42 s*", "*<label>*", "Ollama", None),  # the reply's time in the name's
        ("**You:** what is x?", "**<label>**:", "You", "what is x?"),
        ("You said:", "<label>:", "You said", None),
        (
            '### role::assistant<span style="x"> (gpt-4.1-mini)</span>',
            "### <label>",
            "role::assistant",
            None,
        ),
        ("## 🤖", "## <label>", "🤖", None),
        ("**User** (2025-01-02 10:14):", "**<label>**:", "User", None),
        ("### Claude · 10:14 AM", "### <label>", "Claude", None),
        ("ChatGPT", "<label>", "ChatGPT", None),
        ("**Assistant (GPT-4)**: hi", "**<label>**:", "Assistant", "hi"),
        ("Assistant 3:", "<label>:", "Assistant 3", None),
        ("### You 👤", "### <label>", "You", None),
        ("**Пользователь:** как дела?", "**<label>**:", "Пользователь", "как дела?"),
        ("[3/14/2025 9:12 PM] minji.k", "[<time>] <label>", "minji.k", None),
        ("[14.03.2025 21:12] Ferris#5170", "[<time>] <label>", "Ferris", None),
        ("### **Magistral (24B)** | 2025/04/03 18:22:58", "### **<label>**", "Magistral", None),
        ("Sensei Aiko: *She bows.* Welcome!", "<label>:", "Sensei Aiko", "*She bows.* Welcome!"),
        ("** User:", "** <label>:", "User", None),
        ("*** Ellama", "*** <label>", "Ellama", None),
        ("## 👨‍💻 Developer · *GPT-4o* ##", "## <label>", "Developer", None),
        ("[AI]: 用 `Rc<str>` 共享", "[<label>]:", "AI", "用 `Rc<str>` 共享"),
        ("#### _Assistant_", "#### <label>", "Assistant", None),
        ("## *You*", "## <label>", "You", None),
        ("GitHub Copilot: Use `runBlocking`.", "<label>:", "GitHub Copilot", "Use `runBlocking`."),
        (
            "#### 1 | 💬 You | Tue Nov 11, 2025 | 8:14pm CET | 468 🪙 ",
            "#### <fields> <label>",
            "You",
            None,
        ),
        (
            "**Assistant:** " + "word " * 60 + "end",
            "**<label>**:",
            "Assistant",
            "word " * 60 + "end",
        ),
        ("@You:", "@<label>:", "You", None),
        ("=== User ===", "=== <label> ===", "User", None),
        ("-- assistant --", "-- <label> --", "assistant", None),
        ("» You", "<label>", "You", None),
        ("你：I have this code:", "<label>:", "你", "I have this code:"),
        ("qwen2.5-coder:7b", "<label>", "qwen2.5-coder:7b", None),  # Ollama's name for a model
        ("llama3.2:latest", "<label>", "llama3.2:latest", None),
        # a role's label in whatever symbols the tool draws around it or after it
        ("<You>", "<<label>>", "You", None),
        ("(Assistant)", "(<label>)", "Assistant", None),
        ("[[user]]", "[[<label>]]", "user", None),
        (":: assistant", "::<label>", "assistant", None),
        ("// user", "//<label>", "user", None),
        ("%user%", "%<label>%", "user", None),
        ("> **You**", "> **<label>**", "You", None),
        ("You > what is x?", "<label> >", "You", "what is x?"),
        ("Asistente SQL ❯ Usa un índice.", "<label> ❯", "Asistente SQL", "Usa un índice."),
        ("bot> here it is", "<label> >", "bot", "here it is"),
        ("[user] what is x?", "[<label>]", "user", "what is x?"),
        ("🤖 Here:", "<label> <text>", "🤖", "Here:"),  # (no label `Here` with an emoji)
        ("🤖 Assistant:", "<label>:", "Assistant", None),
        ("anthropic.claude-3-sonnet: hi", "<label>:", "anthropic.claude-3-sonnet", "hi"),
        ("# 1 - User", "# <counter>: <label>", "User", None),
        ("## 3. Assistant", "## <counter>: <label>", "Assistant", None),
        ("[assistant] Here:", "[<label>]", "assistant", "Here:"),  # (no `assistant] Here` label)
        # words written with combining marks (Devanagari's vowel signs, Thai's tone marks)
        ("उपयोगकर्ता: यह क्या है?", "<label>:", "उपयोगकर्ता", "यह क्या है?"),
        ("ผู้ช่วย: นี่คือ", "<label>:", "ผู้ช่วย", "นี่คือ"),
        ("**Χρήστης:**", "**<label>**:", "Χρήστης", None),
    ],
)
def test_a_marker_line_reads_as_a_shape_and_a_label(
    line: str, shape: str, label: str, inline: str | None
) -> None:
    found = candidate(line)
    assert found is not None
    assert (found.shape, found.label, found.inline) == (shape, label, inline)


@pytest.mark.parametrize(
    "line",
    [
        "Q: what is x?",
        "A: an x",
        "**Note:** mind it",
        "- **User**",
        "> **User**",
        "plain words here",
        "Short answer: yes, it does.",
        "The time complexity of this: O(n)",
        "User story: as a user I want a reset link",
        "AI note: this one is tricky",
        "my Copilot: it suggests too much",
        "_User_",
        "*You*",
        "@alice: see above",  # a mention, no role
        "== Note ==",
        "server2:8080",
    ],
)
def test_lines_that_are_no_marker_shape(line: str) -> None:
    found = candidate(line)
    assert found is None or found.label.casefold() not in ("q", "a", "short answer")


@pytest.mark.parametrize(
    "line",
    [
        "(Sarah)",  # a name in symbols: no role word
        '"[User]:",',  # a JSON string's quotes
        "// TODO",
        "`user`",  # a code span
        "Note > see above",
        "x > 3 is true",
        "(you and me)",  # three words
        "## 1. User management",  # a numbered section of a document
        "model.eval(): turns dropout off",  # a method a list names, no speaker
    ],
)
def test_symbols_around_a_word_make_no_marker_without_a_role(line: str) -> None:
    assert candidate(line) is None


def test_lines_ending_in_a_colon_once_each_are_no_speakers() -> None:
    """Mesop's page copy (round 63): with no role word among the labels, two of them must
    speak more than once; a reply's `Traceback (...):`, `Usage:` and `Note:` once each are
    its lines, and the bot's name alone over each reply reads the chat."""
    text = (
        "Traceback (most recent call last): x.py line 1 KeyError why?\nসহায়ক\n"
        "A missing key.\n\nFix it so:\n\nd.get(k)\n\ngive me an example\nসহায়ক\n"
        "Here.\n\nUsage:\n\nf(1)\n\nNote: mind the default.\n"
    )
    assert [question for question, _ in notes_of(text)] == [
        "Traceback (most recent call last): x.py line 1 KeyError why?",
        "give me an example",
    ]


def test_a_message_written_as_an_element_leaves_its_closing_tag_out() -> None:
    text = "".join(
        f"<user>\n{question}\n</user>\n\n<assistant>\n{answer}\n</assistant>\n\n"
        for question, answer in [
            ("what is a closure?", "A function and its scope."),
            ("why?", "It keeps them."),
        ]
    )
    assert notes_of(text) == [
        ("what is a closure?", "A function and its scope."),
        ("why?", "It keeps them."),
    ]


def test_the_dry_run_names_the_markers_and_what_it_left_out() -> None:
    parsed = parse_transcript(read_transcript(CHATLOGS / "deepseek-chat-exporter.md", "d.md"))
    markers = [d for d in parsed.decisions if d.verdict is Verdict.MARKER]
    left = {d.reason for d in parsed.decisions if d.verdict is Verdict.LEFT_OUT}
    assert {d.line for d in markers} >= {3, 9}
    assert "user's turn" in markers[0].reason and "`## <label>`" in markers[0].reason
    assert {"separator", "reasoning"} <= left


@pytest.mark.parametrize(
    "piece",
    [
        "## How do you read file {n}?\n\nWith open().\n\n",  # many labels with a role word
        "**User**: {n}\n**Assistant**: x\n---\n",
        "#### line {n}\n####\nreply\n\n",
        "<details>\n" * 3 + "**You**\n",
        "# CHAT: q{n} [2025-03-11T09:41:07+03:00]\nq{n}\n--------\nan answer\n--------\n\n",
        "### q{n}\n\n``` reasoning\nhm\n```\n\nan answer\n\n### Details\n\nmore\n\n",
        "[3/14/2025 9:12 PM] ann\nq{n}\n\n[3/14/2025 9:12 PM] Bot#0001\na\n\n{Reactions}\n👍\n\n",
        "ChatGPT(gpt-4.1/General)> q{n}\nmore\n<end-of-prompt>\nan answer\n\n",
        "** User:\nq{n}\n\n** Ellama:\nan answer\n\n",
        "14/03/2025, 20:41 - Daan: !gpt q{n}\nmore\n14/03/2025, 20:42 - ChatGPT Bot: a\n\nb\n",
        "2025-03-14 13:03:23.1Z\trizky\t.ai q{n}\n2025-03-14 13:03:30.6Z\tbot\trizky:\n"
        "2025-03-14 13:03:31.6Z\tbot\tan answer\n2025-03-14 13:03:32.6Z\t--\ta notice\n",
        "#### _User_\n\n> q{n}\n>\n> more\n\n#### _Assistant_\n\n> an answer\n\n",
        "## Me\n\nq{n}\n\n## Model\n\n### Reasoning\n\nhm\n\n### Response\n\nan answer\n\n",
        "### User\n\n> ⏰ now\n\nq{n}\n\n### Assistant\n\n> ⏰ now\n\nan answer\n\n",
        "### User\n\nq{n}\n\n---\n\n### Assistant\n\na\n\n---\n\n---\n\n",
        "User\n\nq{n}?\n\nAssistant\n\na{n}.\n\nAsk anything\n\n",  # a composer's words in each
        "**why q{n}?**\n\nan answer {n}\n\n",  # prompts wrapped in bold
        "```turn\nrole: user\n```\nq{n}\n\n```turn\nrole: assistant\nmodel: m\n```\na{n}\n\n",
        "US\nq{n}?\n\nAvatar\nan answer {n}\nmore of it\n\n",  # avatars over messages
        "### User\n\nq{n} and more words here\n\n### Assistant\n\na\n\n## [{n}] q{n} and more\n\n",
    ],
)
def test_the_turn_pass_is_linear_in_any_file(piece: str) -> None:
    def lines(count: int) -> list[str]:
        return "".join(piece.replace("{n}", str(n)) for n in range(count)).split("\n")

    assert_linear(find_turns_in, lines, 1000, factor=10)


def test_a_page_copys_code_readings_are_linear_in_one_long_reply() -> None:
    """`Copy` over code and here-documents left open are looked at a bounded number of times
    each, however many a reply holds."""
    head = ["**User**", "q", "**Assistant**", "a", "**User**", "q2", "**Assistant**", "a"]
    piece = ["", "Copy", "f(x);", "g(y);", "That runs.", "", "bash", "", "cat <<EOF", "x", ""]
    assert_linear(find_turns_in, lambda count: head + piece * count, 1000, factor=10)


def test_the_turn_pass_is_linear_in_one_long_turn() -> None:
    """Blocks a tool may add after a message are looked for once per turn, however many lines
    in it open one (`<details>` left open, `{Label}` lines)."""
    head = ["**User**", "q", "**Assistant**", "a", "**User**", "q2", "**Assistant**", "a"]
    assert_linear(
        find_turns_in,
        lambda count: head + ["<details>", "x", "{Reactions}", "👍", ""] * count,
        1000,
    )


def test_a_pages_button_under_a_table_is_on_no_card() -> None:
    table = "| sail | angle |\n|---|---|\n| close-hauled | 45 |"
    chat = (
        "## User\n\nwhich angle?\n\n## Assistant\n\nShow thinking\nIt depends.\n\n"
        f"{table}\nExport to Sheets\nMind the boom.\n\n"
        "## User\n\nand downwind?\n\n## Assistant\n\nAbout 180.\n"
    )
    assert notes_of(chat) == [
        ("which angle?", f"It depends.\n\n{table}\nMind the boom."),
        ("and downwind?", "About 180."),
    ]
    # a reply's own line of those words, not right under a table, stays
    chat = chat.replace("Mind the boom.", "Mind the boom.\n\nExport to Sheets")
    assert notes_of(chat)[0][1].endswith("Mind the boom.\n\nExport to Sheets")


def test_a_pages_buttons_are_on_no_card_outside_a_chat_log_too() -> None:
    """A `Q:` file (no turn pass) of replies copied from a chat page, buttons and all."""
    table = "| sail | angle |\n|---|---|\n| close-hauled | 45 |"
    text = f"Q: which angle?\nA:\nShow thinking\nIt depends.\n\n{table}\nExport to Sheets\nBoom.\n"
    parsed = parse_transcript(parse_text(text, "notes.md"))
    assert [(note.question, note.answer) for note in parsed.notes] == [
        ("which angle?", f"It depends.\n\n{table}\nBoom.")
    ]
    left_out = [(d.line, d.reason) for d in parsed.decisions if d.verdict is Verdict.LEFT_OUT]
    assert left_out == [(3, "interface line"), (9, "interface line")]


def test_a_code_blocks_label_left_alone_by_a_page_copy_is_rebuilt_into_a_fence() -> None:
    """A copy that lost the block's `Copy` button keeps its language's name over a blank line."""
    code = "x = [1, 2]\nprint(sum(x))\n\nfor n in x:\n    print(n)"
    reply = f"Sum it:\n\npython\n\n{code}\n\nResults:\n\nThat prints 3, then each number."
    chat = f"## User\n\nhow do I sum?\n\n## Assistant\n\n{reply}\n\n## User\n\nok\n\n"
    chat += "## Assistant\n\nGood.\n"
    assert notes_of(chat)[0][1] == (
        f"Sum it:\n\n\n```python\n{code}\n```\n\nResults:\n\nThat prints 3, then each number."
    )
    # a language's name over words is the reply's own line
    words = chat.replace(code, "Python is the language we use here, and it reads well.")
    assert "\npython\n" in notes_of(words)[0][1]


UNLABELLED_COPY = (
    "Sums\n\nhow do I sum a list in python?\n\nUse sum on it:\n\nCopy\nx = [1, 2]\n"
    "print(sum(x))\nThat prints 3.\n\nwhat about numpy arrays?\n\nCall the method:\n\n"
    "Copy\nimport numpy as np\nprint(np.array([1, 2]).sum())\nIt prints 3 too.\n"
)


def test_an_unlabelled_page_copys_code_is_rebuilt_into_fences() -> None:
    """A page copy that names no speaker (a file of unmarked questions): its recurring `Copy`
    buttons over bare code are the code blocks' labels, rebuilt as fences (the opening one on
    the blank line over the button), as in a chat log."""
    parsed = parse_transcript(parse_text(UNLABELLED_COPY, "page.txt"))
    assert [(note.question, note.answer) for note in parsed.notes] == [
        (
            "how do I sum a list in python?",
            "Use sum on it:\n```\nx = [1, 2]\nprint(sum(x))\n```\nThat prints 3.",
        ),
        (
            "what about numpy arrays?",
            "Call the method:\n```\nimport numpy as np\n"
            "print(np.array([1, 2]).sum())\n```\nIt prints 3 too.",
        ),
    ]
    left_out = [(d.line, d.reason) for d in parsed.decisions if d.verdict is Verdict.LEFT_OUT]
    assert left_out == [(7, "interface line"), (16, "interface line")]
    # `Copy` once is a reply's own word, and the code under it stays as written
    once = UNLABELLED_COPY.replace("Copy\nimport", "import")
    assert "\n\nCopy\nx = [1, 2]" in notes_of(once)[0][1]


@pytest.mark.parametrize(
    "footer",
    [
        "Regenerate\nEnter something...\nSend\n\n\nMade by Diu | Source Code",
        "This response is AI-generated, for reference only.\nNew chat\nMessage DeepSeek",
        "Type your question\nPowered by Flowise",
        "\n\nGemini can make mistakes, so double-check it",
    ],
)
def test_an_unlabelled_page_copys_footer_is_on_no_card(footer: str) -> None:
    """The page's lines under the last reply (buttons, the composer, a credit, a disclaimer)
    are left out; a reply's own short last lines, with none of those among them, stay."""
    assert notes_of(f"{UNLABELLED_COPY}\n{footer}\n")[-1][1].endswith("It prints 3 too.")
    own = f"{UNLABELLED_COPY}\nBoth work on:\n\nlists\ntuples\n"
    assert notes_of(own)[-1][1].endswith("\n\nlists\ntuples")
    credit = f"{UNLABELLED_COPY}\nPowered by numpy.\n"  # a sentence: the reply's
    assert notes_of(credit)[-1][1].endswith("Powered by numpy.")


def test_a_chat_logs_last_reply_loses_the_pages_settings_panel() -> None:
    """A page copy read as turns ends with the page's panel: short lines, the composer among
    them (`Enter your prompt`), on no card."""
    chat = "User\n\nwhy?\n\nAssistant\n\nBecause.\n\nUser\n\nand then?\n\nAssistant\n\n"
    panel = "Regenerate response\nEnter your prompt\n\nSettings\nBase URL\nExport chats\n"
    assert notes_of(chat + "Then it ends.\n\n" + panel)[-1] == ("and then?", "Then it ends.")


def test_a_code_editors_gutter_copied_with_its_code_is_left_out() -> None:
    """A page whose code blocks are editors copies each as its language, the line numbers one a
    line, the fold markers, the code, then its buttons: the numbers count the code's lines, so
    the block is fenced exactly; the buttons under every block are the page's."""
    code = "package main\n\nfunc main() {\n\tprintln(1)\n}"
    block = "go\n1\n2\n3\n4\n5\n⌄\n" + code + "\nCopy\nAdd to Notebook\n"
    reply = f"Run this:\n{block}It prints 1.\n\nOr this:\n{block}It prints 1 too."
    answer = notes_of(_one_reply_chat(reply))[0][1]
    assert answer == (
        f"Run this:\n```go\n{code}\n```\nIt prints 1.\n\nOr this:\n```go\n{code}\n```\n"
        "It prints 1 too."
    )
    # numbers that count past the code (into a sentence) number something else: no gutter
    longer = reply.replace("4\n5\n", "4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n")
    assert "\n2\n3\n4\n5\n6\n" in notes_of(_one_reply_chat(longer))[0][1]


def _one_reply_chat(reply: str, prompt: str = "how?") -> str:
    chat = f"## User\n\n{prompt}\n\n## Assistant\n\n{reply}\n\n"
    return chat + "## User\n\nthanks\n\n## Assistant\n\nSure.\n"


def test_a_table_under_a_rebuilt_code_block_stays_a_table() -> None:
    table = "| n | square |\n|---|---|\n| 1 | 1 |\n| 2 | 4 |"
    code = "for n in range(1, 3):\n    print(n, n * n)"
    reply = f"Squares:\n\npython\n\n{code}\n\n{table}\n\nOne row a print."
    answer = notes_of(_one_reply_chat(reply))[0][1]
    assert "print(n, n * n)\n```" in answer
    assert f"```\n\n{table}" in answer


def test_a_rebuilt_code_block_keeps_a_paragraph_of_assignments() -> None:
    code = (
        "def area(r):\n    return math.pi * r ** 2\n\n# settings\nRADIUS = 2\nUNIT = 'cm'\n\n"
        "print(area(RADIUS), UNIT)"
    )
    reply = f"Like this:\n\npython\n\n{code}\n\nThat prints the area."
    answer = notes_of(_one_reply_chat(reply))[0][1]
    assert f"```python\n{code}\n```" in answer


def test_a_code_label_over_imports_is_rebuilt_into_a_fence() -> None:
    code = (
        "import numpy as np\nfrom scipy import stats\n\nx = np.arange(3)\nprint(stats.describe(x))"
    )
    reply = f"Like this:\n\npython\n\n{code}\n\nThat describes x."
    answer = notes_of(_one_reply_chat(reply))[0][1]
    assert "\npython\n" not in answer
    assert f"```python\n{code}\n```" in answer


def test_a_code_label_right_over_the_code_is_rebuilt_into_a_fence_up_to_the_prose() -> None:
    """A copy that keeps the label right over the code, and the reply's next sentence right
    under its last line."""
    code = "docker image ls app\ndocker history app:latest"
    reply = f"Two commands:\n\nbash\n{code}\nThe first one shows the total size."
    answer = notes_of(_one_reply_chat(reply))[0][1]
    assert answer == f"Two commands:\n\n```bash\n{code}\n```\nThe first one shows the total size."
    # `COPY . .` is an instruction and its arguments, not a sentence: the block goes on
    code = "FROM node:20\nCOPY . .\nRUN npm ci"
    reply = f"Build it:\n\ndockerfile\n{code}\nThat is all."
    assert f"```dockerfile\n{code}\n```" in notes_of(_one_reply_chat(reply))[0][1]
    # a language's name right over a sentence is the reply's own line
    reply = "It depends:\n\npython\nPython is the language we use here, and it reads well."
    assert "\npython\n" in notes_of(_one_reply_chat(reply))[0][1]


def test_a_code_label_over_blank_lines_fences_short_code_up_to_the_prose() -> None:
    """A copy that keeps two blank lines under the label (its icon buttons) and runs the reply's
    next sentence right under a short block's last line: the fence opens right over the code."""
    code = "ch := make(chan int, 3)\nch <- 1\nfmt.Println(len(ch))"
    reply = f"Like this:\n\ngo\n\n\n{code}\nThat prints 1, and the send does not block."
    answer = notes_of(_one_reply_chat(reply))[0][1]
    assert answer == (
        f"Like this:\n\n\n\n```go\n{code}\n```\nThat prints 1, and the send does not block."
    )


def _split_replies_chat(first_parts: list[str]) -> str:
    """A chat whose every reply is two `## Assistant` messages: `first_parts[n]`, then the reply."""
    chat = ""
    for n, first in enumerate(first_parts):
        chat += f"## User\n\nquestion {n}?\n\n## Assistant\n\n{first}\n\n"
        chat += f"## Assistant\n\nThe answer {n} is here.\n\n"
    return chat


def test_a_reply_written_as_its_reasoning_and_its_text_leaves_the_reasoning_out() -> None:
    """A tool that records a thinking model's reply as two messages, its reasoning's and its
    text's, each under the speaker's heading: where every reply comes so, the first is the
    reasoning."""
    thoughts = ["The user asks about X. Explain it briefly.", "They want Y. Give one example."]
    notes = notes_of(_split_replies_chat(thoughts))
    assert notes == [
        ("question 0?", "The answer 0 is here."),
        ("question 1?", "The answer 1 is here."),
    ]
    # one reply of two in two messages: a tool's parts of one reply, both kept
    chat = _split_replies_chat(thoughts)
    chat = chat.replace("They want Y. Give one example.\n\n## Assistant\n\n", "")
    assert "The user asks about X." in notes_of(chat)[0][1]
    # a first part with a code block is part of the reply
    coded = [thoughts[0], "Run this:\n\n```bash\nls\n```"]
    assert "```bash" in notes_of(_split_replies_chat(coded))[1][1]


TIMED_BOTH_SIDES_COPY = (
    "New chat\nChats\n\nRust lifetimes\nBread recipe\n\nAB\nAna Bell\n\n\n\n"
    "$ cargo build\nerror[E0106]: missing lifetime specifier\n\nwhy does it want a lifetime?\n\n\n"
    "9:14pm\nA returned reference must say which argument it borrows from.\n\n"
    "fn first<'a>(x: &'a str, y: &str) -> &'a str {\n    x\n}\n"
    "Now the compiler knows the result lives as long as x.\n\n9:14pm\n\n\n\n"
    "Show me the same with a struct\n\n\n"
    "9:20pm\nA struct that holds a reference names the lifetime too.\n\n"
    "It cannot outlive the string it points into.\n\n9:21pm\n\n\n\n\n"
    "Research\n\nThink\n\nLe Chat can make mistakes. Check answers. Learn more"
)


def test_a_copy_with_the_time_under_every_message_is_read_by_those_times() -> None:
    """Le Chat's page copy: nothing names a speaker, the time closes every message, prompts'
    and replies' alike; the sidebar over the first prompt and the composer after the last
    reply's time are the page's."""
    notes = notes_of(TIMED_BOTH_SIDES_COPY)
    assert [question for question, _ in notes] == [
        "$ cargo build\nerror[E0106]: missing lifetime specifier\n\nwhy does it want a lifetime?",
        "Show me the same with a struct",
    ]
    assert notes[0][1].startswith("A returned reference must say")
    assert notes[0][1].endswith("Now the compiler knows the result lives as long as x.")
    assert notes[1][1] == (
        "A struct that holds a reference names the lifetime too.\n\n"
        "It cannot outlive the string it points into."
    )
    assert shape_read(TIMED_BOTH_SIDES_COPY, "chat.txt").startswith("`the time alone on a line")
    # a time under the prompts only: read by the date under every prompt
    only_prompts = TIMED_BOTH_SIDES_COPY.replace("\n\n9:14pm\n\n\n\n", "\n\n\n\n").replace(
        "\n\n9:21pm\n", "\n"
    )
    assert not shape_read(only_prompts, "chat.txt").startswith("`the time alone on a line")
    # a question under every time: a day's notes, not replies
    notes_file = "Mar 12\nWhat is a lifetime?\nA scope.\n\nMar 13\nWhy borrow?\nTo share.\n" * 2
    assert not shape_read(notes_file, "notes.txt").startswith("`the time alone on a line")


def test_the_rule_after_every_message_is_on_no_card_between_a_replys_parts() -> None:
    """A tool that writes `---` after every message and a reply in two messages of the same
    speaker (the text before and after a tool call): the rule between the parts is the tool's."""
    chat = (
        "## User\n\nwhy does it crash?\n\n---\n\n## Claude\n\nLet me read the file.\n\n---\n\n"
        "## Claude\n\nLine 30 writes past the end.\n\n---\n\n## User\n\nand now?\n\n---\n\n"
        "## Claude\n\nIt runs clean.\n\n---\n"
    )
    answer = notes_of(chat)[0][1]
    assert [line for line in answer.split("\n") if line.strip()] == [
        "Let me read the file.",
        "Line 30 writes past the end.",
    ]
    # a rule over one marker only, in a file with no rule after its messages: the reply's own
    own = chat.replace("\n\n---\n", "\n").replace(
        "Let me read the file.\n", "Let me read the file.\n\n---\n"
    )
    assert "---" in notes_of(own)[0][1]


HEADED_REPLIES_COPY = (
    "Bot image for Assistant\nRust borrowing\n\nAssistant\n\n\n\nToday\n\n\n"
    "error[E0502]: cannot borrow `v` as mutable\n\nwhy can't I push while I hold a reference?\n\n"
    "10:42 AM\nBot image for Assistant\nAssistant\n\nPoe\n\n"
    "A shared borrow of the vector is alive while you push, and a push may move its buffer.\n\n"
    "rust\nCopy\nlet first = v[0];\nv.push(4);\nCopy the value out first, then push.\n\n\n"
    "Show me the same with a String\n\n"
    "10:51 AM\nBot image for Assistant\nAssistant\n\nPoe\n\n"
    "A String borrows the same way: take what you need out of it before you change it.\n\n"
    "Share\n\n\n\nCompare\n\nIs a slice a borrow too?\n\nMessage\n"
)


def test_a_copy_with_the_same_header_over_every_reply_is_read_by_those_headers() -> None:
    """poe.com's copy: nothing names the user; each reply opens with the same run of short
    lines (the prompt's time, the bot's picture, name and badge) one blank line under its
    prompt; the page's buttons and suggested questions after the last reply are the page's."""
    notes = notes_of(HEADED_REPLIES_COPY)
    assert [question for question, _ in notes] == [
        "error[E0502]: cannot borrow `v` as mutable\n\nwhy can't I push while I hold a reference?",
        "Show me the same with a String",
    ]
    assert notes[0][1].startswith("A shared borrow of the vector")
    assert "```rust\nlet first = v[0];\nv.push(4);\n```" in notes[0][1]
    assert notes[1][1] == (
        "A String borrows the same way: take what you need out of it before you change it."
    )
    # the same header over one reply only: no chat read by it
    once = HEADED_REPLIES_COPY.replace("10:51 AM\nBot image for Assistant\nAssistant\n\nPoe", "")
    assert "the same header" not in shape_read(once, "chat.txt")


def test_an_indented_line_of_copied_code_is_no_speaker() -> None:
    """A copy keeps code's indent and loses its fence: `    user.email` is code, not a label."""
    for line in ("    user.email", "\tassistant", "user.email"):
        assert candidate(line) is None
    assert candidate("Assistant") is not None


GAPPED_COPY = (
    "New conversation\nOld chat one\nSettings\nAsk\nAll\nShare\n"
    "$ npx tsc --noEmit\nsrc/a.ts:3:5 - error TS2322: Type 'string' is not assignable.\n\n"
    "why does tsc reject this?\n\n\n"
    "TS2322 means a value's type does not match the type asked for.\n\nFix it like this:\n\n"
    "Copy\nfunction f(x: string): number {\n  return x.length;\n}\nThat compiles.\n\n\n\n\n"
    "Write a generic groupBy\n\n\n"
    "Here is one that keys on a property of the items, and it is typed.\n\n"
    "Copy\nconst g = groupBy(xs, (x) => x.k);\nconsole.log(g);\n\n\n\n\n\n"
    "Ask a follow-up\n"
)


def test_a_copy_parted_only_by_its_gaps_is_read_by_them() -> None:
    """Ask Brave's copy: nothing names a speaker; two blank lines under every prompt, four
    under every reply; the page's short lines up to its last button (`Share`) over the first
    prompt, the composer after the last reply; `Copy` alone over code is the block's header."""
    notes = notes_of(GAPPED_COPY)
    assert [question for question, _ in notes] == [
        "$ npx tsc --noEmit\nsrc/a.ts:3:5 - error TS2322: Type 'string' is not assignable.\n\n"
        "why does tsc reject this?",
        "Write a generic groupBy",
    ]
    assert "```\nfunction f(x: string): number {\n  return x.length;\n}\n```" in notes[0][1]
    assert notes[1][1].startswith("Here is one that keys on a property of the items")
    assert "```\nconst g = groupBy(xs, (x) => x.k);\nconsole.log(g);" in notes[1][1]
    # gaps of one size throughout: no turns read from them
    even = GAPPED_COPY.replace("\n\n\n\n\n", "\n\n\n")
    assert "gaps of blank lines" not in shape_read(even, "chat.txt")


MODEL_LABELLED_COPY = (
    "T3.chat\nNew Chat\nToday\nRust lifetimes\n\n\n"
    "error[E0106]: missing lifetime specifier\n\nwhy does it want one?\n\n\n\n"
    "Assistant message\nA returned reference must say which argument it borrows from.\n\n"
    "It is how the compiler checks that the result does not outlive its source.\n\n\n\n\n"
    "Gemini 2.5 Flash\nShow me the same with a struct\n\n\n\n"
    "Assistant message\nA struct that holds a reference names a lifetime too.\n\n"
    "It cannot outlive what it points into.\n\n\n\n\nGemini 2.5 Flash\nType your message here...\n"
)


def test_a_copy_whose_only_label_is_the_models_is_read_by_it() -> None:
    """t3.chat's copy: a screen reader's `Assistant message` alone over every reply after a
    gap, the model's name under every reply; the user's turns unmarked between."""
    notes = notes_of(MODEL_LABELLED_COPY)
    assert [question for question, _ in notes] == [
        "error[E0106]: missing lifetime specifier\n\nwhy does it want one?",
        "Show me the same with a struct",
    ]
    assert notes[0][1].endswith(
        "It is how the compiler checks that the result does not outlive its source."
    )
    assert notes[1][1].endswith("It cannot outlive what it points into.")


def test_a_title_the_tool_quoted_loses_its_quotes() -> None:
    chat = '# Chat Export: "Lifetimes in Rust"\n\n**User:** why?\n\n**Assistant:** Because.\n'
    chat += "\n**User:** and?\n\n**Assistant:** So.\n"
    assert parse_transcript(parse_text(chat, "chat.md")).title == "Lifetimes in Rust"


DATED_COPY = """
import os
print(os.getcwd())

why does this print the folder I started from?

Show more
Mar 12
Because a process starts in the folder it was started from, and `os.getcwd()` reads it.

Nothing changes it unless the program calls `os.chdir`.

show me how to change it

Mar 12
Call `os.chdir` with the new folder:

python
os.chdir("/tmp")
print(os.getcwd())
That prints the new folder, `/tmp`, twice over.

Mar 12
Only for this process and the ones it starts; the shell that started it keeps its own.



Claude is AI and can make mistakes. Please double-check responses.
"""


def test_a_page_copy_whose_only_recurring_line_is_each_prompts_date_reads_as_turns() -> None:
    """No speaker named: the date under each prompt (the message's toolbar) ends the prompt;
    the first prompt is everything above the first date."""
    copy = DATED_COPY.replace(
        "\nMar 12\nOnly", "\ndoes it change the shell's folder too?\n\nMar 12\nOnly"
    )
    parsed = parse_transcript(parse_text(copy, "copy.txt"))
    assert parsed.title is None
    assert [(note.question, note.answer.split("\n")[0]) for note in parsed.notes] == [
        (
            "import os\nprint(os.getcwd())\n\nwhy does this print the folder I started from?",
            "Because a process starts in the folder it was started from, and `os.getcwd()` "
            "reads it.",
        ),
        ("show me how to change it", "Call `os.chdir` with the new folder:"),
        (
            "does it change the shell's folder too?",
            "Only for this process and the ones it starts; the shell that started it keeps "
            "its own.",
        ),
    ]
    assert '```python\nos.chdir("/tmp")\nprint(os.getcwd())\n```' in parsed.notes[1].answer
    left_out = {d.line: d.reason for d in parsed.decisions if d.verdict is Verdict.LEFT_OUT}
    assert left_out[7] == "interface line"  # Show more
    assert left_out[len(copy.split("\n")) - 1] == "interface line"  # the footer
    markers = sorted(d.line for d in parsed.decisions if d.verdict is Verdict.MARKER)
    assert markers == [8, 15, 25]


def test_a_later_prompts_pasted_code_over_its_asking_line_is_the_prompts() -> None:
    copy = DATED_COPY.replace(
        "\nMar 12\nOnly",
        "\nimport subprocess\nsubprocess.run(['pwd'])\n\nand this one?\n\nMar 12\nOnly",
    )
    questions = [note.question for note in parse_transcript(parse_text(copy, "c.txt")).notes]
    assert questions[2] == "import subprocess\nsubprocess.run(['pwd'])\n\nand this one?"


def test_dates_over_questions_are_a_days_notes_not_a_page_copy() -> None:
    notes = (
        "Docker, my notes\n\nwhat is a layer?\n\nA layer is one instruction's change.\n\n"
        "Mar 12\n\nwhy is my image big?\n\nThe base image is Debian, with compilers.\n\n"
        "Mar 13\n\nhow do I shrink it?\n\nUse a multi-stage build.\n"
    )
    parsed = parse_transcript(parse_text(notes, "notes.txt"))
    assert not any(d.verdict is Verdict.MARKER for d in parsed.decisions)
    assert [note.question for note in parsed.notes] == [
        "what is a layer?",
        "why is my image big?",
        "how do I shrink it?",
    ]


def test_a_single_prompt_copied_with_its_date_reads_as_one_exchange() -> None:
    one = DATED_COPY.split("\nshow me how")[0] + "\n"
    notes = notes_of(one)
    assert [question for question, _ in notes] == [
        "import os\nprint(os.getcwd())\n\nwhy does this print the folder I started from?"
    ]
    assert notes[0][1].endswith("unless the program calls `os.chdir`.")


@pytest.mark.parametrize(
    ("line", "is_date"),
    [
        ("Mar 12", True),
        ("12 mars", True),
        ("12. Okt.", True),
        ("March 12, 2026", True),
        ("2026-03-12", True),
        ("4:50 AM", True),
        ("3月12日", True),
        ("3월 12일", True),
        ("Mar 12, 4:50 PM", True),
        ("Step 3", False),
        ("Chapter 12", False),
        ("FROM node:20", False),
        ("Mar 12 was a Tuesday", False),
    ],
)
def test_a_date_alone_on_a_line(line: str, is_date: bool) -> None:
    assert date_only(line) is is_date


STAMPED = """May 14, 2025  9:02:15 PM (Read by them after 1 second)
Me
---------------------------------------------------------------------------
ValueError                                Traceback (most recent call last)
ValueError: bad value

why does this fail?

May 14, 2025  9:02:48 PM (Read by you after 4 seconds)
helper.bot@example.com
The value is checked before use.

Pass a number instead.

May 14, 2025  9:06:31 PM
Me
show me an example

May 14, 2025  9:07:02 PM
helper.bot@example.com
Call `f(3)`.
"""


def test_a_time_line_over_a_sender_line_opens_each_message_of_a_chat_apps_export() -> None:
    """No marker shape of its own: the time alone on a line (a read receipt after it), the
    sender right under it; a traceback's rule right over its text is the prompt's own."""
    parsed = parse_transcript(parse_text(STAMPED, "chat.txt"))
    assert [(note.question, note.answer) for note in parsed.notes] == [
        (
            "-" * 75 + "\nValueError                                Traceback (most recent call "
            "last)\nValueError: bad value\n\nwhy does this fail?",
            "The value is checked before use.\n\nPass a number instead.",
        ),
        ("show me an example", "Call `f(3)`."),
    ]
    assert parsed.title is None
    markers = sorted(d.line for d in parsed.decisions if d.verdict is Verdict.MARKER)
    assert markers == [2, 10, 16, 20]


def test_dates_over_headings_that_never_recur_are_no_chat_apps_export() -> None:
    notes = (
        "May 14, 2025  9:00 AM\nStandup\nWe talked about the release.\n\n"
        "May 15, 2025  9:00 AM\nRetro\nWhat went well?\n\n"
        "May 16, 2025  9:00 AM\nPlanning\nNext sprint's goals.\n"
    )
    parsed = parse_transcript(parse_text(notes, "notes.txt"))
    assert not any(d.verdict is Verdict.MARKER for d in parsed.decisions)


def test_the_delimiters_of_a_prompt_typed_over_several_lines_are_on_no_card() -> None:
    delimiter = '"' * 3
    chat = (
        f"## user\n\n{delimiter}\n$ df -h /\n/dev/sda1 40G 38G\n\nwhy is it full?\n{delimiter}\n\n"
        "## assistant\n\nThe journal.\n\n## user\n\nand now?\n\n## assistant\n\nVacuum it.\n"
    )
    assert [question for question, _ in notes_of(chat)] == [
        "$ df -h /\n/dev/sda1 40G 38G\n\nwhy is it full?",
        "and now?",
    ]
    # a prompt that only opens with the line keeps it
    opened = chat.replace(f"why is it full?\n{delimiter}", "why is it full?")
    assert notes_of(opened)[0][0].startswith(delimiter)


def test_a_last_line_that_says_the_chat_ends_is_on_no_card() -> None:
    chat = (
        "**Human:**\n\nwhat is a hook?\n\n**Assistant:**\n\nA function.\n\n"
        "**Human:**\n\nan example?\n\n**Assistant:**\n\n`useState`.\n\n---\n\n"
        "*End of conversation*"
    )
    assert notes_of(chat)[-1] == ("an example?", "`useState`.")
    # a reply's own last sentence about the end of a conversation stays
    own = chat.replace("*End of conversation*", "That is the end of the conversation about hooks.")
    assert notes_of(own)[-1][1].endswith("the end of the conversation about hooks.")


def test_a_speaker_heading_with_the_messages_date_after_a_dash_is_a_marker() -> None:
    chat = (
        "# Rebase\n\n> Exported from Jan on Mar 14, 2026, 9:25 AM\n\n---\n\n"
        "### You — Mar 14, 2026, 9:02 AM\n\nwhy did the rebase stop?\n\n---\n\n"
        "### Assistant — Mar 14, 2026, 9:02 AM\n\nA conflict in config.py.\n\n---\n\n"
        "### You — 14 mars 2026\n\nand then?\n\n---\n\n"
        "### Assistant — 14 mars 2026\n\nRun `git rebase --continue`.\n"
    )
    parsed = parse_transcript(parse_text(chat, "chat.md"))
    assert parsed.title == "Rebase"
    assert [(note.question, note.answer) for note in parsed.notes] == [
        ("why did the rebase stop?", "A conflict in config.py."),
        ("and then?", "Run `git rebase --continue`."),
    ]


def test_a_prompt_the_chat_panel_html_escaped_shows_its_characters() -> None:
    """Entities in a line of pasted code, and none of the characters themselves: the tool
    escaped the prompt. A question about an entity, in words, keeps it."""
    escaped = (
        "    order = Order(items=[Item(&quot;pen&quot;, 0.1)])\n&gt;   assert x == 0.3\n\nwhy?"
    )
    chat = f"## User\n\n{escaped}\n\n## Assistant\n\nFloats.\n"
    assert notes_of(chat)[0][0] == (
        'order = Order(items=[Item("pen", 0.1)])\n>   assert x == 0.3\n\nwhy?'
    )
    words = "## User\n\nwhat does &amp; mean in HTML?\n\n## Assistant\n\nAn ampersand.\n"
    assert notes_of(words)[0][0] == "what does &amp; mean in HTML?"


def test_a_prompt_saved_as_the_pages_html_element_shows_its_text() -> None:
    """A bookmarklet that saves each prompt as its element's HTML: the element is the tool's,
    the text read back; a prompt with markup of its own inside stays as written."""
    wrapped = '<div class="empty:hidden">$ make &amp;&amp; ./run\nError: Map&lt;K&gt;\n\nwhy?</div>'
    chat = f"## HUMAN:\n\n{wrapped}\n\n## CHATGPT:\n\nBecause.\n"
    assert notes_of(chat)[0][0] == "$ make && ./run\nError: Map<K>\n\nwhy?"
    marked = "<div>why is <b>this</b> bold?</div>"
    chat = f"## HUMAN:\n\n{marked}\n\n## CHATGPT:\n\nBecause.\n"
    assert notes_of(chat)[0][0] == marked


SECTIONED = """# Why does it fail

Traceback (most recent call last):
ValueError: bad

why does it fail?

##### ChatGPT

It fails because the value is bad.

### Fix

Pass a good value.

# CSV

Write me a function that writes a CSV

##### ChatGPT

Here it is.
"""


def test_sections_each_a_prompt_and_the_models_heading_over_its_reply_are_turns() -> None:
    """An editor that sends a section's text and writes the reply under `##### ChatGPT`: the
    section's heading names the exchange, the prompt is under it, the reply's own headings
    stay in the reply."""
    notes = notes_of(SECTIONED)
    assert [question for question, _ in notes] == [
        "Traceback (most recent call last):\nValueError: bad\n\nwhy does it fail?",
        "Write me a function that writes a CSV",
    ]
    assert notes[0][1] == "It fails because the value is bad.\n\n### Fix\n\nPass a good value."
    # a last section not sent yet is no exchange, and no part of the last reply
    assert notes_of(SECTIONED + "\n# Next\n\nwhat about TSV?\n") == notes
    # a section whose heading stands over the reply alone: a document's headings, read as
    # questions with the text under them, no section's reading
    bare = SECTIONED.replace("Write me a function that writes a CSV\n\n", "")
    assert notes_of(bare)[0] == (
        "Why does it fail",
        "Traceback (most recent call last):\nValueError: bad",
    )


CONTAINED = """---
interlocutor:
  name: Katabang
---

what is a closure?

:::Katabang
A closure keeps the variables of the scope it was made in.

:::note
It is a function plus its environment.
:::
:::

give me an example

:::Katabang
Here: `const f = () => x` keeps `x` alive after the scope that made it returns.
:::
"""


def test_replies_each_in_a_container_named_for_the_model_are_turns() -> None:
    """A client that appends each reply to the file as a fenced container named for the
    model its front matter names (`:::Katabang` / the reply / `:::`): the text between is the
    user's; a container inside a reply is the reply's, and a last prompt with no reply is no
    exchange."""
    notes = notes_of(CONTAINED + "\nand another?\n")
    assert notes == [
        (
            "what is a closure?",
            "A closure keeps the variables of the scope it was made in.\n\n:::note\n"
            "It is a function plus its environment.\n:::",
        ),
        (
            "give me an example",
            "Here: `const f = () => x` keeps `x` alive after the scope that made it returns.",
        ),
    ]
    # a name no header gives (a scene's `:::Alice`), or a document's admonitions (`:::tip` ...
    # `:::`) between its paragraphs, are no replies
    unnamed = CONTAINED.replace("  name: Katabang", "  name: Someone")
    assert [question for question, _ in notes_of(unnamed)] == ["what is a closure?"]
    document = CONTAINED.replace(":::Katabang", ":::tip")
    assert [question for question, _ in notes_of(document)] == ["what is a closure?"]
    assert notes_of(document)[0][1].startswith(":::tip\nA closure")


def test_a_decorator_opening_the_only_prompt_is_the_prompts_own() -> None:
    prompt = "@dataclass\nclass P:\n    xs: list = []\n\nwhy does this raise ValueError?"
    reply = "A mutable default: use field(default_factory=list)."
    chat = f"## User\n\n{prompt}\n\n## Assistant\n\n{reply}\n"
    assert notes_of(chat)[0][0].startswith("@dataclass")


def test_a_replys_closing_hashtag_is_not_an_attached_reference() -> None:
    reply = (
        "Here is a draft.\n\nJust shipped my first Rust program.\n\n"
        "The borrow checker and I are friends.\n\n#RustLang"
    )
    chat = (
        "## User\n\n#buffer\nwrite a post about my first Rust program\n\n"
        f"## Copilot\n\n{reply}\n\n## User\n\n#buffer\nshorter\n\n"
        "## Copilot\n\nFirst Rust program: shipped.\n\nBorrow checker: befriended.\n\n"
        "Compiler: happy.\n\n#RustLang\n"
    )
    notes = notes_of(chat)
    assert [question for question, _ in notes] == [
        "write a post about my first Rust program",
        "shorter",
    ]
    assert all(answer.endswith("\n\n#RustLang") for _, answer in notes)


@pytest.mark.xfail(
    strict=True,
    reason="a Markdown document whose `###` sections are named after chat tools, two of them "
    "with an assistant's word in the name (`CopilotChat.nvim`, `gpt-cli`), is read as a chat "
    "log of three names once each: names without a role word should have to recur",
)
def test_sections_named_after_chat_tools_are_no_chat() -> None:
    document = (
        "# Tools\n\nSome intro.\n\n### CopilotChat.nvim\n\nThe chat buffer of it.\n\n"
        "### gpt-cli (kharvd)\n\nA log file of records.\n\n### Caret\n\nA note plugin.\n"
    )
    assert parse_transcript(parse_text(document, "tools.md")).turns is None


def test_the_turn_pass_is_linear() -> None:
    turn = "## User\n\nwhat is x?\n\n---\n\n## Assistant\n\n**Thought for 3 s**\n\n> hm\n\nan x\n"
    for count in (500, 5000):
        turns = find_turns_in((turn * count).split("\n"))
        assert turns is not None and len(turns.user) == count
    assert_linear(find_turns_in, lambda count: (turn * count).split("\n"), 500, factor=10)


def test_a_logging_librarys_records_are_a_column_log() -> None:
    """`<time> - <logger> - <LEVEL> - user: ...`: the records that name a speaker are the
    turns, a message's further lines bare; other loggers' records are the program's own."""
    stamp = "2025-05-03 21:{n}:03,552"
    log = [
        f"{stamp} - app - INFO - Chat started",
        f"{stamp} - app.session - INFO - user: this fails:",
        "Traceback (most recent call last):",
        "",
        "why?",
        f"{stamp} - httpx - INFO - HTTP Request: POST https://api.example.com/v1 200",
        f"{stamp} - app.session - INFO - assistant: The list is empty.",
        "",
        "Check it first.",
        f"{stamp} - app.price - INFO - Current spend: $0.008",
        f"{stamp} - app.session - INFO - user: and then?",
        f"{stamp} - app.session - INFO - assistant: Then sort it.",
    ]
    text = "\n".join(line.replace("{n}", str(10 + n)) for n, line in enumerate(log)) + "\n"
    assert notes_of(text) == [
        (
            "this fails:\nTraceback (most recent call last):\n\nwhy?",
            "The list is empty.\n\nCheck it first.",
        ),
        ("and then?", "Then sort it."),
    ]


def test_a_logging_records_logger_and_level_before_a_prompts_mark_are_a_column_log() -> None:
    """`[<time>] chat: INFO   > prompt` / `... ChatGPT: reply` (gpt-term's chat.log): the logger
    and the level are the records' prefix; the prompt's mark names the user, the label the
    model, and the tool's own records (`GPT-Term start`, `Total tokens spent: 91`) no one."""
    log = [
        "[2024-02-17 20:41:08] chat: INFO   GPT-Term start",
        "[2024-02-17 20:42:55] chat: INFO   > julia> media([3, 5])",
        "ERROR: MethodError: no method matching media(::Vector{Int64})",
        "",
        "Why is the method not found?",
        "[2024-02-17 20:43:24] chat: INFO   ChatGPT: Parametric types are invariant.",
        "",
        "Use AbstractVector{<:Real}.",
        "[2024-02-17 20:45:41] chat: INFO   > What is a mutable struct?",
        "[2024-02-17 20:46:13] chat: INFO   ChatGPT: A struct whose fields can change.",
        "[2024-02-17 20:50:19] chat: INFO   Total tokens spent: 91",
    ]
    assert notes_of("\n".join(log) + "\n") == [
        (
            "julia> media([3, 5])\nERROR: MethodError: no method matching media(::Vector{Int64})"
            "\n\nWhy is the method not found?",
            "Parametric types are invariant.\n\nUse AbstractVector{<:Real}.",
        ),
        ("What is a mutable struct?", "A struct whose fields can change."),
    ]


def test_a_long_column_log_gives_every_users_turn() -> None:
    message = "14/03/2025, 20:41 - Daan: q{n}?\n14/03/2025, 20:42 - ChatGPT Bot: a\n\nb\n"
    for count in (500, 5000):
        text = "".join(message.replace("{n}", str(n)) for n in range(count))
        turns = find_turns_in(text.split("\n"))
        assert turns is not None and len(turns.user) == count


def find_turns_in(lines: list[str]) -> Turns | None:
    return find_turns(lines, [True] * len(lines))


# --- Plain files: requests without a question mark -----------------------------------------

REQUESTS = """what is a window function?

A window function computes a value over a set of rows related to the current row.

Explain the frame clause ROWS BETWEEN

ROWS BETWEEN sets which rows around the current one the window covers.

how is RANGE different?

RANGE groups peers with equal values.

Compare RANGE and GROUPS

GROUPS counts peer groups, RANGE compares values.

Give me an example with dates.

Use RANGE BETWEEN INTERVAL '7 days' PRECEDING AND CURRENT ROW.

Write the query with a frame like this: each row and the two before it.

The frame is written after ORDER BY.

Explain more about it in the
docs (a line inside a paragraph)
"""


def test_requests_without_a_question_mark_are_guessed_and_flagged() -> None:
    parsed = parse_transcript(parse_text(REQUESTS, "requests.txt"))
    questions = [(note.line, note.question, note.confidence) for note in parsed.notes]
    assert questions == [
        (1, "what is a window function?", "high"),
        (5, "Explain the frame clause ROWS BETWEEN", "low"),
        (9, "how is RANGE different?", "high"),
        (13, "Compare RANGE and GROUPS", "low"),
        (17, "Give me an example with dates.", "low"),
    ]
    assert sum("guessed a question" in str(p) for p in parsed.problems) == 3


def test_a_request_no_rule_took_is_listed_as_a_near_miss() -> None:
    text = (
        "# Notes\n\nQ: what is a frame?\nA: the rows a window covers.\n\nShow the query plan\n\nx\n"
    )
    parsed = parse_transcript(parse_text(text, "near.txt"))
    assert [note.question for note in parsed.notes] == ["what is a frame?"]
    near = [d for d in parsed.decisions if d.verdict is Verdict.KEPT]
    assert [(d.line, "without `?`" in d.reason) for d in near] == [(6, True)]


def test_an_answer_marker_right_before_bold_keeps_the_bold() -> None:
    parsed = parse_transcript(parse_text("Q: what is x?\nA:**bold text** and more\n", "b.txt"))
    assert parsed.notes[0].answer == "**bold text** and more"
    parsed = parse_transcript(parse_text("**Q:**what is x?\n**A:** an x\n", "b.txt"))
    assert (parsed.notes[0].question, parsed.notes[0].answer) == ("what is x?", "an x")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "---\ntitle: Window functions\ntags: [sql]\n---\n\nwhat is x?\n\nan x\n",
            "Window functions",
        ),
        ('---\ntopic: "Probes"\n---\n# Notes\n\nwhat is x?\n\nan x\n', "Probes"),
        ("Skip to content\n\nwhat is x?\n\nan x\n", None),
        ("New Session\n\nwhat is x?\n\nan x\n", None),  # a chat app's button
        ("Start a new chat\n\nwhat is x?\n\nan x\n", None),
        ("## Logging started at 2026-02-24 21:14:03 -04:00\n\nYou: what is x?\n\nan x\n", None),
        ("# Project started in 2024\n\nwhat is x?\n\nan x\n", "Project started in 2024"),
        (
            "#+TITLE: Acme Chat\n\n* Acme [v7.6.0]\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n",
            None,
        ),
        (
            "# Rust Chat\n\nRust 1.80 changed this.\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n",
            "Rust Chat",
        ),
        ("# [Window functions](https://x.y/z)\n\nwhat is x?\n\nan x\n", "Window functions"),
        (
            "### [Tool](https://tool.dev) session transcript\n\n## You\n\nwhat is x?\n\n"
            "## Model\n\nan x\n",
            None,
        ),
        ("# 🌙 Sums in C++ 🚀\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n", "Sums in C++"),
        ("# [A chat](https://x.y)\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n", "A chat"),
        ("## You\n\nwhat is x?\n\n## ChatGPT\n\nan x\n", None),
        ("Skip to content\nYou said:\nwhat is x?\nChatGPT said:\nan x\n", None),
        ("---\n  model: llama3.1:8b\n---\n###### YOU\nwhat is x?\n\n###### BMO\nan x\n", None),
        (
            "#+title: Notes\n\n#+begin_ai\n[ME]: what is x?\n\n[AI]: an x\n\n[ME]: \n#+end_ai\n",
            "Notes",
        ),
        (
            '---\ntitle: "Caki"\naliases:\n- "Całki"\n---\n\n# Me\n\nwhat is x?\n\n***\n\n'
            "# ChatGPT\n\nan x\n\n***\n",
            "Całki",
        ),
        ("# Session Export: rsync\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n", "rsync"),
        ("# Chat Title: rsync\n\n## User\n\nwhat is x?\n\n## Assistant\n\nan x\n", "rsync"),
        (
            "# Product name: Acme\n\n## User\n\nwhat is x?\n\n## Assistant\n\nan x\n",
            "Product name: Acme",
        ),
        ("# Экспорт чата: Индексы\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n", "Индексы"),
        ("# Rust: lifetimes\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n", "Rust: lifetimes"),
        ("# History: Rome\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n", "History: Rome"),
        ("# Threading: GIL\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n", "Threading: GIL"),
        # where the tool saved the chat from, no title
        (
            "# Conversation extracted from https://poe.com/chat/2t6r\n**Platform:** Poe\n\n"
            "## User:\nwhat is x?\n\n## AI:\nan x\n",
            None,
        ),
        # the time the tool saved the chat, after its title
        (
            "# Jackson 2023-09-14T08:26:41.647Z\n\n## HUMAN:\n\nwhat is x?\n\n## AI:\n\nan x\n",
            "Jackson",
        ),
        ("# Rust - 2024-05-01\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n", "Rust"),
        (
            "# chat started at 2025-04-22 15:02:11\n\n## You\n\nwhat is x?\n\n## Model\n\nan x\n",
            None,
        ),
    ],
)
def test_a_title_is_the_files_own_never_an_exporter_or_page_line(
    text: str, title: str | None
) -> None:
    transcript = parse_text(text, "t.md")
    parsed = parse_transcript(transcript)
    assert parsed.title == title
    assert [note.question for note in parsed.notes] == ["what is x?"]
    assert parsed.problems == []
    check_every_line_claimed_once(transcript, parsed)


def test_a_tools_record_line_over_the_first_turn_is_no_title() -> None:
    """`## context None` at the top and `## context 1` after every reply: one line of the tool's
    with a value that changes, no title; a heading whose last word is a word stays the title."""
    turn = "USER:\n\n{q}\n\nASSISTANT:\n\n{a}\n\n## context 1\n\n"
    body = turn.format(q="what is x?", a="An x.") + turn.format(q="and y?", a="A y.")
    assert parse_transcript(parse_text("## context None\n\n" + body, "t.log")).title is None
    parsed = parse_transcript(parse_text("## Rust notes\n\n" + body, "t.log"))
    assert parsed.title == "Rust notes"
    assert [note.question for note in parsed.notes] == ["what is x?", "and y?"]


def test_icon_quotes_that_head_every_turn_are_metadata_and_a_replys_own_stays() -> None:
    """`> ⏰ just now` over every message, `> 💻 **Type**: code` over some replies: the tool's;
    a reply's own `> 💡 Tip` (in some turns only) is the reply's."""
    text = (
        "### User\n\n> ⏰ just now\n\nwhat is x?\n\n### Assistant\n\n> 💻 **Type**: code\n\n"
        "> ⏰ just now\n\nAn x.\n\n> 💡 Tip: mind y.\n\n### User\n\n> ⏰ just now\n\nand z?\n\n"
        "### Assistant\n\n> ⏰ just now\n\nA z.\n\n> 💡 Tip: mind w.\n"
    )
    assert notes_of(text) == [
        ("what is x?", "An x.\n\n> 💡 Tip: mind y."),
        ("and z?", "A z.\n\n> 💡 Tip: mind w."),
    ]
    once = text.replace("> ⏰ just now\n\nand z?", "and z?")
    assert notes_of(once)[1] == ("and z?", "> ⏰ just now\n\nA z.\n\n> 💡 Tip: mind w.")


@pytest.mark.parametrize(
    "last", ["Bind it to `127.0.0.1` to keep it local.", "Works with 1.2.3.4 and later."]
)
def test_a_replys_last_line_with_an_address_or_a_long_version_is_no_date_line(last: str) -> None:
    """A tool that writes a `Date:` line in every message makes date lines at a turn's edge
    metadata; an IP address or a four-part version in a reply's last line is no date."""
    turn = "## {}\nDate: 2025-11-08 12:1{}:05 +09:00\n\n{}\n\n---\n\n"
    text = turn.format("User", 1, "what is x?") + turn.format("Assistant", 2, "An x.\n\n" + last)
    text += turn.format("User", 3, "and y?") + turn.format("Assistant", 4, "A y.")
    assert notes_of(text) == [("what is x?", "An x.\n\n" + last), ("and y?", "A y.")]


@pytest.mark.parametrize("user, model", [("*user*", "*assistant*"), ("_Prompt_:", "_Claude_:")])
def test_role_words_in_italics_alone_on_a_line_mark_turns(user: str, model: str) -> None:
    """Bold names alone on a line mark turns; so do names in italics, as their own shape."""
    text = f"# Notes\n\n{user}\n\nwhat is x?\n\n{model}\n\nAn x.\n\n"
    text += f"{user}\n\ngive me an example\n\n{model}\n\nx = 1\n"
    assert notes_of(text) == [("what is x?", "An x."), ("give me an example", "x = 1")]


@pytest.mark.parametrize("model", ["*Ollama in 18.42 s*", "*Ollama in 2.1 s*", "_Mistral (3.1 s)_"])
def test_a_models_name_in_italics_alone_marks_its_replies(model: str) -> None:
    """A model's name in italics alone on a line with the time its reply took inside the same
    emphasis (ollama-chat.nvim's `*Ollama in 18.42 s*`) marks its replies where the user's
    label is a role word; the time is no part of the name. (A name in italics with no role
    word and no time, `*Ollama*`, is a note's subheading as often: see the misreadings.)"""
    text = f"*User*\n\nwhat is x?\n\n{model}\nAn x.\n\n\n*User*\ngive me an example\n\n"
    text += model.replace("18.42", "9.07").replace("3.1", "2.4") + "\nx = 1\n\n\n*User*\n\n"
    assert notes_of(text) == [("what is x?", "An x."), ("give me an example", "x = 1")]


def test_names_in_italics_with_no_role_word_mark_nothing() -> None:
    """Italic lines that recur in notes (`*Example*`, `*Output*`) name no speaker: no chat."""
    text = "# Sorting\n\n*Example*\n\nsort [3, 1]\n\n*Output*\n\n[1, 3]\n\n"
    text += "*Example*\n\nsort [2, 5, 4]\n\n*Output*\n\n[2, 4, 5]\n"
    assert notes_of(text) == [("Sorting", text.removeprefix("# Sorting\n\n").strip())]


def test_a_line_in_italics_inside_an_answer_is_no_marker() -> None:
    text = "## User\n\nwhat is x?\n\n## Assistant\n\n*Note*\n\nAn x.\n"
    assert notes_of(text) == [("what is x?", "*Note*\n\nAn x.")]


def test_a_reasoning_subheading_runs_to_the_next_heading_of_its_level() -> None:
    """`### Reasoning` under the reply's marker: the reasoning is left out up to the next heading
    of its level (its own `#### Plan` inside it); a `### Response` that only labels the answer is
    a marker; a reply's own `### Thinking about speed` section is the reply's, heading and all."""
    reply = (
        "## Model\n\n### {}\n\nThe user asks.\n\n#### Plan\n\nanswer short\n\n### {}\n\n"
        "An {}.\n\n### More\n\nmore on {}\n"
    )
    text = "## User\n\nwhat is x?\n\n" + reply.format("Reasoning", "Response", "x", "x")
    text += "\n## User\n\nand y?\n\n" + reply.format("思考过程", "回答", "y", "y")
    assert notes_of(text) == [
        ("what is x?", "An x.\n\n### More\n\nmore on x"),
        ("and y?", "An y.\n\n### More\n\nmore on y"),
    ]
    own = text.replace("### Reasoning", "### Thinking about speed")
    assert notes_of(own)[0][1].startswith("### Thinking about speed\n\nThe user asks.\n\n#### Plan")
    steps = text.replace("### Response", "### Steps")
    assert notes_of(steps)[0] == ("what is x?", "### Steps\n\nAn x.\n\n### More\n\nmore on x")


def test_a_users_own_quotes_keep_their_prefix() -> None:
    """Every user turn a quote, the replies not: the `>` is the user's, not the tool's."""
    text = "## User\n\n> what is x?\n\n## Assistant\n\nAn x.\n\n## User\n\n> and y?\n\n"
    text += "## Assistant\n\nA y.\n"
    assert notes_of(text) == [("> what is x?", "An x."), ("> and y?", "A y.")]
    assert notes_of(text.replace("\n\nAn x.", "\n\n> An x.").replace("\n\nA y.", "\n\n> A y.")) == [
        ("what is x?", "An x."),
        ("and y?", "A y."),
    ]


def test_sections_after_the_last_messages_rule_are_the_tools_footer() -> None:
    """Every message closed by `---`: after the last one's, a heading at the markers' level that
    no message has opens the tool's footer; a reply's own last section stays."""
    turns = "".join(
        f"### User\n\nq{n}?\n\n---\n\n### Assistant\n\na{n}\n\n---\n\n" for n in range(3)
    )
    footer = "---\n\n## ❓ Help\n\n- 📋 **Copy**: click\n\n---\n\n"
    footer += '<div align="center">\n\nMade\n\n</div>\n'
    assert [answer for _, answer in notes_of(turns + footer)] == ["a0", "a1", "a2"]
    own = turns + "#### Summary\n\nall of it\n"
    assert notes_of(own)[-1] == ("q2?", "a2\n\n---\n\n#### Summary\n\nall of it")
    unruled = turns[: -len("---\n\n")] + "## Summary\n\nall of it\n"
    assert notes_of(unruled)[-1] == ("q2?", "a2\n\n## Summary\n\nall of it")


def test_a_line_alone_over_every_reply_answers_a_label_alone_over_every_prompt() -> None:
    """A page copy names only the user's turns by a role (`🧑`, its avatar) and the model's by
    a name with no role word (`Ollama`, the logo's alt text), each alone after a blank line:
    that name is the other speaker's label, and the page's buttons seen once (`System prompt`,
    `Regenerate response`) are no turns."""
    page = "New Chat\nSystem prompt\nSettings\n\n"
    turns = "".join(
        f"🧑\nwhy does x{n} fail?\n\nOllama\nBecause of y{n}.\n\nMore on y{n}.\n\n"
        for n in range(3)
    )
    assert notes_of(page + turns) == [
        (f"why does x{n} fail?", f"Because of y{n}.\n\nMore on y{n}.") for n in range(3)
    ]
    # A section word of every reply (`Example` over a blank line, after the reply's paragraph)
    # is no label.
    sections = turns.replace("Ollama\nBecause", "Because").replace(
        "\n\nMore", "\n\nExample\n\nMore"
    )
    section_lines = (page + sections).split("\n")
    read = find_turns(section_lines, [True] * len(section_lines))
    assert read is None or "Example" not in read.labels
    # A name seen under some prompts only is a line of those replies, no label.
    uneven = turns.replace("🧑\nwhy does x1 fail?\n\nOllama\n", "🧑\nwhy does x1 fail?\n\n")
    lines = (page + uneven).split("\n")
    found = find_turns(lines, [True] * len(lines))
    assert found is None or "Ollama" not in found.labels


@pytest.mark.parametrize(
    "composer", ["Ask anything", "Message DeepSeek", "Type your message here...", "Ask a follow-up"]
)
def test_a_pages_composer_under_the_last_reply_is_left_out(composer: str) -> None:
    """A page copy ends with its composer's placeholder, alone and set off by a blank line: the
    page's, on no card; a reply's own last line inviting questions stays."""
    turns = "".join(f"User\n\nq{n}?\n\nAssistant\n\na{n}.\n\n" for n in range(3))
    assert notes_of(turns + composer + "\n")[-1] == ("q2?", "a2.")
    own = turns + "Feel free to ask anything else!\n"
    assert notes_of(own)[-1] == ("q2?", "a2.\n\nFeel free to ask anything else!")
    glued = turns[:-1] + composer + "\n"  # no blank line over it: the reply's own line
    assert notes_of(glued)[-1] == ("q2?", f"a2.\n{composer}")


def test_front_matter_keys_may_be_indented() -> None:
    """BMO Chatbot writes `  model: ...`: front matter, not a `model:` speaker beside a reply's
    own `Rule: ...` line, in a log whose names carry no role word."""
    text = (
        "---\n  model: llama3.1:8b\n---\n###### ANNA\nwhat is x?\n\n###### BMO\nAn x.\n\n"
        "Rule: mind the y.\n\n###### ANNA\nand z?\n\n###### BMO\nA z.\n\nMore on z.\n"
    )
    parsed = parse_transcript(parse_text(text, "bmo.md"))
    assert [(note.question, note.answer) for note in parsed.notes] == [
        ("what is x?", "An x.\n\nRule: mind the y."),
        ("and z?", "A z.\n\nMore on z."),
    ]


def test_an_example_dialogue_inside_an_answer_makes_no_chat_log() -> None:
    text = (
        "how do I write a system prompt for a support bot?\n\n"
        "Keep it short and give an example exchange, like this:\n\n"
        "User: my order is late\nAssistant: Sorry about that. What is the order number?\n\n"
        "User: it is 1234\nAssistant: Thanks, it ships tomorrow.\n\n"
        "what about tone?\n\nFriendly but brief.\n"
    )
    parsed = parse_transcript(parse_text(text, "example.txt"))
    assert [note.question for note in parsed.notes] == [
        "how do I write a system prompt for a support bot?",
        "what about tone?",
    ]
    assert "User: it is 1234" in parsed.notes[0].answer


def test_a_question_like_title_over_the_first_turn_keeps_the_chat_log() -> None:
    text = "Skip to content\nWhy does my borrow fail?\nYou said:\nwhat is x?\nChatGPT said:\nan x\n"
    parsed = parse_transcript(parse_text(text, "copy.txt"))
    assert [(note.question, note.answer) for note in parsed.notes] == [("what is x?", "an x")]


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from(["#### ", ">>> "]),
)
def test_a_prompt_prefix_before_each_line_of_the_users_turn(
    pairs: list[tuple[str, str]], prefix: str
) -> None:
    """aider's `#### `, a REPL's `>>> `: the user's lines are the prefixed ones, the reply is
    what follows (here the answers hold no line that starts with the prefix)."""
    out = []
    for question, answer in pairs:
        out += [prefix + line if line else prefix.rstrip() for line in question.split("\n")]
        out += ["", answer, ""]
    text = "\n".join(out)
    assert notes_of(text) == pairs, text


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from(["llm> ", "ChatGPT(gpt-4.1/General)> ", "ollama(qwen3:8b)> "]),
    st.sampled_from(["<shell-maker-end-of-prompt>", "<<<", None]),
    st.booleans(),
)
def test_a_repl_prompt_opens_the_users_turn(
    pairs: list[tuple[str, str]], prompt: str, end: str | None, banner: bool
) -> None:
    """A REPL's transcript (chatgpt-shell's saved buffer): the prompt before what the user typed,
    which runs to the line the tool writes under it in every turn (or is one line without one);
    a banner above and the prompt waiting at the end are on no card."""
    if end is None:
        assume(all("\n" not in question for question, _ in pairs))
    out = ["", "     Welcome to the shell", "", "<shell-maker-failed-command>"] if banner else []
    for question, answer in pairs:
        out.append(prompt + question)
        out += [end, answer, ""] if end else ["", answer, ""]
    out.append(prompt)
    text = "\n".join(out) + "\n"
    assert notes_of(text) == pairs, text


@pytest.mark.parametrize(
    "name", sorted(p.name for p in CHATLOGS.iterdir() if p.suffix == ".json") + ["README.md"]
)
def test_the_expectations_and_the_readme_beside_the_chat_logs_give_no_notes(name: str) -> None:
    """`build_deck.py tests/fixtures/chatlogs` reads them too: the markers quoted in them
    (`"**user**: ",`, a table of formats) are no chat."""
    assert parse_transcript(read_transcript(CHATLOGS / name, name)).notes == []


def test_a_markdown_fence_around_one_users_message_only_is_the_users() -> None:
    """A tool's wrapper fences both speakers' messages; a user who pasted a Markdown snippet in a
    ```md fence keeps it as code."""
    text = (
        "## You\n\n```md\n# My notes\n- item\n```\n\n## Assistant\n\nYour list is fine.\n\n"
        "## You\n\nand the heading?\n\n## Assistant\n\nAlso fine.\n"
    )
    notes = parse_transcript(parse_text(text, "chat.md")).notes
    assert [note.question for note in notes] == [
        "```md\n# My notes\n- item\n```",
        "and the heading?",
    ]


def test_a_first_message_the_model_never_answered_is_context_and_reported() -> None:
    """A tool's setup message (Gemini CLI's) opens the chat before the user's first question, as
    in a JSON chat; two user messages in a row later on are one question."""
    text = (
        "## USER\n\nThis is the CLI. My setup is complete.\n\n## USER\n\nwhat is a trie?\n\n"
        "## MODEL\n\nA prefix tree.\n\n## USER\n\nI see.\n\n## USER\n\nand a radix tree?\n\n"
        "## MODEL\n\nA trie with merged chains.\n"
    )
    parsed = parse_transcript(parse_text(text, "share.md"))
    questions = [re.sub(r"\n{3,}", "\n\n", note.question) for note in parsed.notes]
    assert questions == ["what is a trie?", "I see.\n\nand a radix tree?"]
    context = [d.line for d in parsed.decisions if d.reason and d.reason.startswith("context")]
    assert context == [1, 3]


def test_a_document_with_two_word_and_colon_lines_is_no_chat_of_one_exchange() -> None:
    """Prose above two `Word: text` lines, one of them a role word (`agent:`): a document's
    notes, not a chat, and none of its lines is left out."""
    text = (
        "# Notes on the migration\n\nWe moved the build to the new runner last week.\n"
        "It took longer than planned because of caching.\nThe old runner is still up.\n\n"
        "Skipped: the flaky integration tests, for now.\n\n"
        "agent: the deploy agent runs on the new host.\n"
    )
    assert find_turns_in(text.split("\n")) is None


def test_a_log_in_a_text_fence_and_markdown_source_in_an_md_fence_stay_code() -> None:
    """A user's traceback in ```text and a reply of Markdown source in ```md, two of four turns:
    not a tool's wrapper (that takes three or more messages in one and the same fence)."""
    text = (
        '## User\n\n```text\nFile "x.py", line 1, in __init__\n# config loaded\n```\n\n'
        "## Assistant\n\n```md\n# Title\n![badge](x.svg)\n```\n\n## User\n\nand the footer?\n\n"
        "## Assistant\n\nSame way.\n"
    )
    notes = parse_transcript(parse_text(text, "chat.md")).notes
    assert notes[0].question.startswith("```text\n") and notes[0].answer.startswith("```md\n")


def test_a_model_ids_colon_is_its_label_and_reasoning_glued_to_the_reply_is_left_out() -> None:
    """`qwen3:8b: <think>...</think>The reply` (Page Assist's text download): the label runs to
    the colon that ends it, and the reasoning opened on the marker's line ends where its tag
    closes, mid-line or not."""
    text = (
        "You: why is n unknown in WHERE?\n\n"
        "qwen3:8b: <think>The user asks.\n\nWHERE runs first.</think>Because WHERE runs first.\n\n"
        "More detail.\n\nYou: and HAVING?\n\n"
        "qwen3:8b: <think>Short one.</think>HAVING runs after grouping.\n"
    )
    notes = parse_transcript(parse_text(text, "chat.txt")).notes
    assert [(n.question, n.answer) for n in notes] == [
        ("why is n unknown in WHERE?", "Because WHERE runs first.\n\nMore detail."),
        ("and HAVING?", "HAVING runs after grouping."),
    ]


def test_a_time_at_the_start_of_what_is_said_stays() -> None:
    """`Assistant: 10:30, ...`: a date or time after the label's colon is the message's own (a
    marker's time is read before its colon: `User (10:14): hi`)."""
    text = (
        "User: 10:30 or 11:00, which is better for a standup?\n\n"
        "Assistant: 10:30, people have settled in.\n\nUser: why not 9?\n\nAssistant: Commutes.\n"
    )
    notes = parse_transcript(parse_text(text, "chat.txt")).notes
    assert [n.answer for n in notes] == ["10:30, people have settled in.", "Commutes."]


def test_a_heading_that_names_the_kind_of_chat_and_a_speaker_is_no_title() -> None:
    """`# Conversation with Claude` over `## Claude:` turns (a writer's constant heading); a
    heading with a word of its own is the chat's title."""
    chat = "## Human:\n\nwhat is a trie?\n\n## Claude:\n\nA prefix tree.\n"
    for heading, title in (
        ("# Conversation with Claude", None),
        ("# Tries, a conversation with Claude", "Tries, a conversation with Claude"),
    ):
        turns = find_turns_in(f"{heading}\n\n{chat}".split("\n"))
        assert turns is not None and turns.title == title


def test_a_date_in_words_before_the_time_is_a_column_logs_prefix() -> None:
    """Element's plain-text export: a weekday and a date in the UI's words, then the time and
    ` - <name>: ` (`piektd., 2025. g. 14. marts 21:12:05 - Liene Ozola: ...`)."""
    text = (
        "piektd., 2025. g. 14. marts 21:12:05 - Liene Ozola: kāpēc plan neizdodas?\n"
        "piektd., 2025. g. 14. marts 21:12:46 - ChatGPT: Slēdzene paliek no iepriekšējā darba.\n"
        "Noņem to ar force-unlock.\n"
        "piektd., 2025. g. 14. marts 21:15:02 - Liene Ozola: un CI?\n"
        "piektd., 2025. g. 14. marts 21:15:40 - ChatGPT: Izmanto concurrency grupu.\n"
    )
    notes = parse_transcript(parse_text(text, "export.txt")).notes
    assert [(n.question, n.answer) for n in notes] == [
        (
            "kāpēc plan neizdodas?",
            "Slēdzene paliek no iepriekšējā darba.\nNoņem to ar force-unlock.",
        ),
        ("un CI?", "Izmanto concurrency grupu."),
    ]


def test_reasoning_glued_to_the_reply_on_its_own_first_line_is_left_out() -> None:
    """`<think>...</think>The reply` under a bare marker, as a tool saves a local model's
    reply: only what follows the closing tag is the answer."""
    text = (
        "## User\n\nwhy is n unknown?\n\n## Assistant\n\n<think>The user asks.\nWHERE first."
        "</think>Because WHERE runs first.\n\nMore.\n\n## User\n\nand HAVING?\n\n## Assistant\n\n"
        "<think>Short.</think>After grouping.\n"
    )
    notes = parse_transcript(parse_text(text, "chat.md")).notes
    assert [n.answer for n in notes] == ["Because WHERE runs first.\n\nMore.", "After grouping."]


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from(["======", "---", "***", "─" * 20, "<hr>"]),
    st.booleans(),
    st.sampled_from(
        ["", "# Go files\n\n", "openai\n---\n{\n  model = 'gpt-4o'\n}\n---\n> You are terse\n"]
    ),
)
def test_messages_between_one_rule_and_no_speaker_named_are_prompt_and_reply(
    pairs: list[tuple[str, str]], rule: str, closed: bool, settings_header: str
) -> None:
    """model.nvim's chat file, or a hand-made one: the same rule between every two messages,
    the prompts the shorter, some asking a question; a settings block over the first prompt is
    on no card, a heading over it is the title."""

    def size(text: str) -> int:
        return sum(len(line.strip()) for line in text.split("\n"))

    questions, answers = ([size(text) for text in side] for side in zip(*pairs, strict=True))
    assume(statistics.median(questions) * 2 <= statistics.median(answers))
    assume(not any(answer.split("\n")[0].endswith("?") for _, answer in pairs))
    assume(any(re.search(r"[?？]$", question, re.M) for question, _ in pairs))
    messages = [message for pair in pairs for message in pair]
    text = settings_header + f"\n\n{rule}\n\n".join(messages) + (f"\n{rule}\n" if closed else "\n")
    assert notes_of(text) == pairs, text


def test_parts_between_rules_that_each_hold_an_exchange_are_no_ruled_chat() -> None:
    """`---` between exchanges (each part a question and its answer) or between sections of
    notes: the parts do not take turns, and the file reads as without the rule reading."""
    exchanges = "\n\n---\n\n".join(
        f"what is {word}?\n\nA {word} is a thing of its own kind, often used." for word in "wxyz"
    )
    sections = "# Notes\n\n" + "\n\n---\n\n".join(
        f"## Part {n}\n\n{'Some words about it. ' * (1 + 3 * (n % 2))}" for n in range(5)
    )
    for text in (exchanges, sections):
        assert find_turns_in(text.split("\n")) is None
    assert [q for q, _ in notes_of(exchanges)] == [f"what is {word}?" for word in "wxyz"]


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from([("👤 : ", "🤖: "), ("User: ", "Assistant: "), ("**You:** ", "**AI:** ")]),
    st.data(),
)
def test_a_speakers_marker_glued_to_the_end_of_the_last_message_opens_a_turn(
    pairs: list[tuple[str, str]], markers: tuple[str, str], data: st.DataObject
) -> None:
    """tenere's archive: a reply streamed without a closing line break, the next prompt's marker
    right after its last sentence (`...returns 200.👤 : and liveness?`); the text before the
    marker ends the reply (of more than one line: a line opens one turn)."""
    user, assistant = markers
    assume(all(answer[-1:] in ".!?`" and "\n" in answer for _, answer in pairs[:-1]))
    out = ""
    for n, (question, answer) in enumerate(pairs):
        glued = n > 0 and data.draw(st.booleans())
        out += ("" if glued or not out else "\n") + f"{user}{question}\n{assistant}{answer}"
    assert notes_of(out + "\n") == pairs, out


def test_a_marker_inside_a_sentence_is_no_glued_turn() -> None:
    """A speaker's word in a reply's sentence (`(User: admin)`, `` `User:` ``) is the reply's."""
    text = (
        "User: how do I log in?\nAssistant: Sign in as (User: admin) and type `User:` first.\n"
        "User: and then?\nAssistant: Done.\n"
    )
    assert notes_of(text) == [
        ("how do I log in?", "Sign in as (User: admin) and type `User:` first."),
        ("and then?", "Done."),
    ]


def test_a_first_line_underlined_with_equals_signs_is_the_title() -> None:
    """DeepChat's text export: the chat's title over a line of `=`, then the header's lines; a
    line of `=` that frames a header box (`Guild: ...`) underlines no title."""
    chat = "\n[用户] 10:41\n\nwhat is a role?\n\n[助手] 10:41\n\nA bundle of tasks.\n"
    titled = "Roles in Ansible\n================\n\nModel: x\n" + chat
    boxed = "=" * 20 + "\nGuild: Rust\n" + "=" * 20 + chat
    titles = []
    for text in (titled, boxed):
        turns = find_turns_in(text.split("\n"))
        assert turns is not None
        titles.append(turns.title)
    assert titles == ["Roles in Ansible", None]


def test_a_bracketed_reasoning_label_over_a_paragraph_is_left_out() -> None:
    """`[思考过程]` (or `[Thinking]`) alone over the reply's first paragraph: the tool's label of
    the reasoning; an agent's `[Reasoning]` over `[Tool Use: ...]` lines is read as a log."""
    text = (
        "[用户]\n\nwhat is a role?\n\n[助手]\n\n[思考过程]\nThe user asks about roles.\n\n"
        "A bundle of tasks.\n\n[用户]\n\nand a play?\n\n[助手]\n\n[Thinking]\nShort.\n\nA run.\n"
    )
    assert notes_of(text) == [("what is a role?", "A bundle of tasks."), ("and a play?", "A run.")]


def test_a_reasoning_between_a_bracketed_label_and_its_closing_label_is_left_out() -> None:
    """`[Thinking...]` over the reasoning and `[Thinking done.]` under it, no blank line around
    either (gpt.el's buffer): both labels and the reasoning between are the model's thinking; a
    label with no closing one leaves out its first paragraph only, as before."""
    text = (
        "User: what is a role?\n\nAssistant: \n[Thinking...]\nThey ask about roles.\n"
        "Keep it short.\n[Thinking done.]\nA bundle of tasks.\n\nUser: and a play?\n\n"
        "Assistant: \n[Thinking...]\nShort.\n[Thinking done.]\nA run.\n"
    )
    assert notes_of(text) == [("what is a role?", "A bundle of tasks."), ("and a play?", "A run.")]


def test_an_opening_message_of_only_a_paste_is_the_next_prompts() -> None:
    """Two user messages before the first reply: the first a tool's setup message (context,
    left out), unless it holds only a paste (a fence under a label of the tool's, or program
    output), which the tool sent apart from the asking line: then one question, whole."""
    paste = "```\n$ python3 a.py\nKeyError: 'x'\n```"
    text = (
        f"User:\n\nClipboard content:\n\n{paste}\n\nUser: why does it fail?\n\n"
        "Assistant: The key is missing.\n\nUser: and now?\n\nAssistant: Use get.\n"
    )
    assert notes_of(text)[0] == (f"{paste}\n\nwhy does it fail?", "The key is missing.")
    setup = text.replace(f"Clipboard content:\n\n{paste}", "You are a terse Python tutor.")
    assert notes_of(setup)[0] == ("why does it fail?", "The key is missing.")


def test_a_pages_marks_beside_every_marker_are_the_markers() -> None:
    """A page that draws each message's header as lines of its own: the time, an avatar (the
    model's initial), the name, a status dot. The initial over every model's name and the dot
    under it are the marker's; the times are metadata; the composer's words beside the last
    time are the page's."""
    text = (
        "03:01\n🧑\nwhy?\n\n03:01\nG\nGPT-3.5\n●\nBecause.\n\n03:02\n🧑\nand then?\n\n"
        "03:02\nG\nGPT-3.5\n●\nIt ends.\n03:02\nSend a message\n"
    )
    assert notes_of(text) == [("why?", "Because."), ("and then?", "It ends.")]
    # a letter over one marker only is the message's own
    once = text.replace("03:01\nG\nGPT-3.5", "03:01\nA\nGPT-3.5", 1)
    assert notes_of(once)[0][0].endswith("\nA")


def parsed_of(text: str) -> parse.Parsed:
    return parse_transcript(parse_text(text, "notes.md"))


# --- Rule-parted chats, glued markers: what plain files keep ---------------------------------

EXCHANGES = """Docker notes, March

---

Explain the difference between an image and a container

An image is a read-only template with the filesystem and settings for an application. A \
container is a running instance of an image, with its own writable layer on top, its own \
process space and its own network interface. You can start many containers from one image.

---

Define a volume

A volume is storage managed by Docker that outlives containers.

---

Describe how multi-stage builds work

A multi-stage build uses several FROM lines in one Dockerfile. Each stage starts from its own \
base image; later stages copy only the artifacts they need from earlier stages with COPY \
--from, so the final image holds the compiled binary and not the compilers, caches and sources \
that built it.

---

Define a bind mount

A bind mount maps a host directory into a container.
"""


def test_hand_written_exchanges_between_rules_stay_question_and_answer() -> None:
    """A hand-pasted Q/A file with `---` between exchanges (each part a request and its
    answer, the requests without `?`) is no rule-parted chat: one card per request."""
    assert [q for q, _ in notes_of(EXCHANGES)] == [
        "Explain the difference between an image and a container",
        "Define a volume",
        "Describe how multi-stage builds work",
        "Define a bind mount",
    ]


MEETING = """Team sync, week 11

---

We went over the database migration plan. Postgres 16 goes to staging on Monday, and \
production follows a week later if the error rate stays flat. Anna owns the rollback runbook \
and will test it on staging first.

---

Action items: Anna writes the runbook, Ben books the maintenance window.

---

Open issues: the reporting job still reads from the old replica, and nobody has checked \
whether the new connection pooler keeps prepared statements across reconnects.
"""


def test_meeting_notes_parted_by_rules_are_no_chat() -> None:
    """Notes: a title line and three sections between `---` (no part asks anything): the
    title, and no card."""
    parsed = parsed_of(MEETING)
    assert (parsed.title, [n.question for n in parsed.notes]) == ("Team sync, week 11", [])


SETEXT_DOC = """Click ingest service
========

This service ingests click events from the web frontends and writes them to the warehouse.

Architecture
========

Three replicas run behind the internal load balancer. Each one pulls from the events queue, \
batches events per minute, deduplicates them by event id, and writes the batch to the warehouse \
in one transaction, so a crash never leaves half a minute written.

Setup
========

Copy the example env file and run make dev.

Operations
========

Deploys go through the pipeline on every merge to main. Rollbacks use the previous image tag; \
the on-call runbook lists the exact commands and the dashboards to watch while it settles.
"""


def test_setext_heading_underlines_are_no_rules_between_messages() -> None:
    """A Markdown document with setext headings (`Title` over `========`): no part asks
    anything, so the underlines part no messages; the title stays, no card."""
    parsed = parsed_of(SETEXT_DOC)
    assert (parsed.title, [n.question for n in parsed.notes]) == ("Click ingest service", [])


RULED_CHAT_WITH_A_RULE_IN_A_REPLY = """Explain what a Kubernetes pod is

---

A pod is the smallest deployable unit in Kubernetes. It wraps one or more containers that \
share a network namespace and storage volumes.

---

Now explain services

---

A service gives a stable virtual IP and DNS name to a set of pods picked by a label selector, \
and it load-balances traffic between them.

---

And ingress

---

An ingress routes external HTTP traffic to services by host and path rules. It can also \
terminate TLS for you.

---

Summarize the three

---

Pods run containers; services give pods a stable address inside the cluster.

---

Ingress exposes services to the outside world over HTTP and HTTPS, with routing rules.
"""


def test_a_rule_inside_the_last_reply_is_no_new_prompt() -> None:
    """A hand-made ruled chat whose last reply has a `---` of its own (as pasted replies often
    do): the parts no longer pair up, and the reply's second half is no "question" (the file is
    read without the rule reading)."""
    notes = notes_of(RULED_CHAT_WITH_A_RULE_IN_A_REPLY)
    assert not any("Ingress exposes services" in q for q, _ in notes)
    assert "Ingress exposes services" in notes[-1][1]


TERMS = """Pods
---
- the smallest deployable unit in Kubernetes
- one or more containers sharing a network namespace
- scheduled onto one node as a whole
---
Services
---
- a stable virtual IP and DNS name for a set of pods
- pods picked by a label selector
- traffic load-balanced between them
---
Ingress
---
- routes external HTTP traffic to services
- rules by host and by path
- can terminate TLS
---
ConfigMaps
---
- key-value configuration kept outside the image
- mounted as files or passed as environment variables
"""


def test_a_one_word_first_prompt_over_a_list_is_no_settings_block() -> None:
    """A glossary, `Pods` / `---` / a bullet list / `---`: a list is no settings block (keys with
    values, brackets), so either every term is a card or none is."""
    assert [q for q, _ in notes_of(TERMS)] in (
        [],
        ["Pods", "Services", "Ingress", "ConfigMaps"],
    )


QUOTED_MARKER = """User: how do I read the auth log?
Assistant: Run journalctl -u sshd. Each failed login shows a line like
"User: alice from 10.0.0.5" with the address.
User: and successful ones?
Assistant: Those say Accepted password.
"""

CODE_MARKER = """User: how do I set the login name in the config?
Assistant: Add a line to the file, then restart:
`User: deploy` goes under the Host entry.
User: and the port?
Assistant: Use Port 2222 in the same block.
"""


def test_a_speakers_word_after_an_opening_quote_or_backtick_is_no_glued_marker() -> None:
    """`"User: alice..."` and `` `User: deploy` `` in a reply: a quote or backtick opens as
    often as it closes, so no marker is glued after one."""
    assert notes_of(QUOTED_MARKER) == [
        (
            "how do I read the auth log?",
            "Run journalctl -u sshd. Each failed login shows a line like\n"
            '"User: alice from 10.0.0.5" with the address.',
        ),
        ("and successful ones?", "Those say Accepted password."),
    ]
    assert notes_of(CODE_MARKER) == [
        (
            "how do I set the login name in the config?",
            "Add a line to the file, then restart:\n`User: deploy` goes under the Host entry.",
        ),
        ("and the port?", "Use Port 2222 in the same block."),
    ]


SHORT_LAST_LINE = (
    "👤 : what is a liveness probe?\n"
    "🤖: A liveness probe tells the kubelet when to restart a container.\n"
    "It runs a command or an HTTP check on a schedule.👤 : how do I add one?\n"
    "🤖: Add a livenessProbe block to the container spec:\n"
    "\n"
    "    livenessProbe:\n"
    "      httpGet: {path: /healthz, port: 8080}\n"
    "\n"
    "Done.👤 : and startup probes?\n"
    "🤖: A startup probe holds off the other probes until the app has started.\n"
)


def test_a_marker_glued_to_a_one_word_last_line_opens_its_turn() -> None:
    """tenere's shape with a reply whose last line is one word (`Done.👤 : and startup
    probes?`), a line the marker reading takes whole (`Done.👤`): the marker in it is glued."""
    notes = notes_of(SHORT_LAST_LINE)
    assert [q for q, _ in notes] == [
        "what is a liveness probe?",
        "how do I add one?",
        "and startup probes?",
    ]
    assert notes[1][1].endswith("Done.")


GLUED_IN_HEADER = (
    "My notes.\nSee it.👤 : what is x?\n🤖 : X is a thing.\nMore.\n👤 : and y?\n🤖 : Y too.\nok.\n"
)


def test_the_text_before_a_marker_glued_to_a_header_line_is_not_lost() -> None:
    """A marker glued to a line before the first turn (`See it.👤 : ...`): the text before it
    ends no message, so it is not unglued, and no text is lost."""
    parsed = parsed_of(GLUED_IN_HEADER)
    on_cards = "\n".join(n.question + "\n" + n.answer for n in parsed.notes)
    assert "See it." in on_cards or 2 in parsed.unassigned


AICHAT_RECORDS = """# CHAT: how do I sum the second column of a CSV... [2025-03-11T09:41:07+03:00]
how do I sum the second column of a CSV with awk?
--------
Set the separator with `-F,` and add up the second field:

```sh
awk -F, '{ sum += $2 } END { print sum }' data.csv
```
--------

# CHAT: why does cron not find pg_dump [2025-03-11T10:02:55+03:00]
why does cron not find pg_dump
--------
cron runs with a minimal PATH; set PATH at the top of the crontab.
--------

# CHAT: sed -i versus sed -i.bak [2025-03-11T10:20:13+03:00]
sed -i versus sed -i.bak
--------
Both edit in place; the second keeps a backup with the .bak suffix.
--------
"""


def test_a_title_underlined_with_the_record_rule_keeps_the_record_reading() -> None:
    """aichat's messages.md under a title the user underlined with dashes (`Shell questions` /
    `--------`): a rule above the first record leaves the records as they are (a question
    there would not)."""
    expected = [
        "how do I sum the second column of a CSV with awk?",
        "why does cron not find pg_dump",
        "sed -i versus sed -i.bak",
    ]
    assert [q for q, _ in notes_of(AICHAT_RECORDS)] == expected  # holds without a title
    titled = "Shell questions\n--------\n\n" + AICHAT_RECORDS
    assert [q for q, _ in notes_of(titled)] == expected


def test_the_glued_marker_search_is_linear_in_markers_with_a_time() -> None:
    """A tool that writes the time into each marker (`User (10:41:02): ...`) makes a marker
    prefix per turn: the glued-marker search stays linear."""

    def stamped(count: int) -> list[str]:
        out = []
        for k in range(count):
            time = f"{k // 3600 % 24:02}:{k // 60 % 60:02}:{k % 60:02}"
            out += [f"User ({time}): question {k}?", f"Assistant ({time}): answer {k}.", ""]
        return out

    assert_linear(find_turns_in, stamped, 200)


def test_the_rule_reading_is_linear_in_rule_lines() -> None:
    """Many rule lines (a ruled chat, or notes that are no chat at all): linear."""

    def notes_with_rules(count: int) -> list[str]:
        return "".join(f"## Part {k}\n\nSome words.\n\n---\n\n" for k in range(count)).split("\n")

    assert_linear(find_turns_in, notes_with_rules, 1000)


def test_a_speaker_named_again_under_a_time_line_is_a_marker() -> None:
    """A console script's download of chatgpt.com: `# User Message 8`, `[Time]: ...`, then
    `[User]:` alone over the message: the label line under the time is the marker's too."""
    text = (
        "# User Message 1\n[Time]: 14. 3. 2026, 11:27:53\n[User]:\nwhy is it locked?\n\n"
        "# ChatGPT Message 2\n[Time]: 14. 3. 2026, 11:27:59\n[ChatGPT]:\nUse WAL.\n\n"
        "# User Message 3\n[Time]: 14. 3. 2026, 11:29:10\n[User]:\nand readers?\n\n"
        "# ChatGPT Message 4\n[Time]: 14. 3. 2026, 11:29:15\n[ChatGPT]:\nThey never wait.\n"
    )
    assert notes_of(text) == [
        ("why is it locked?", "Use WAL."),
        ("and readers?", "They never wait."),
    ]


def test_what_the_last_message_holds_before_the_rule_every_message_closes_with_stays() -> None:
    """Every message closes with `---`: the last reply's short closing paragraph, after blank
    lines, is the reply's, not a page's footer."""
    text = (
        "## 用户\n\nwhat is a cron job?\n\n---\n\n## 助手\n\nA scheduled task.\n\n---\n\n"
        "## 用户\n\nand time zones\n\n---\n\n## 助手\n\nThey follow the controller.\n\n\n\n"
        "No daylight saving applies.\n\n---\n"
    )
    assert notes_of(text)[-1][1] == "They follow the controller.\n\n\n\nNo daylight saving applies."


def test_a_heading_of_a_models_name_and_kind_words_is_no_title() -> None:
    """`# 通义千问对话记录` (a model's name, "conversation record", no spaces) or `# ChatGPT
    Conversation`: the writer's heading over every chat, no title; a chat's own stays."""
    chat = "\n\n## 用户\n\nwhat is a trie?\n\n## 助手\n\nA prefix tree.\n"
    for heading, title in (
        ("# 通义千问对话记录", None),
        ("# ChatGPT Conversation", None),
        ("# 字典树对话记录", "字典树对话记录"),
        ("# Chat Transcript - Tab 1", None),  # a counter names no chat either
        ("# Chat 2", None),
        ("# Tries, part 2", "Tries, part 2"),
    ):
        turns = find_turns_in((heading + chat).split("\n"))
        assert turns is not None and turns.title == title, heading


def test_labels_that_open_the_users_turns_are_the_tools_wherever_they_stand() -> None:
    """A tool that writes the user's message in parts (`[selections]` over the selected code,
    `[text]` over what was typed): its label lines are on no card; a bracketed line that opens
    no turn, such as an INI section pasted in a question, stays."""
    chat = (
        "## User:\n\n[selections]  \nx = a // b\n[text]  \nwhy is x 0?\n\n"
        "## AI (gpt-4o):\n\n`//` floors.\n\n"
        "## User:\n\n[text]  \nand in C?\n\n## AI (gpt-4o):\n\nIt truncates.\n"
    )
    assert notes_of(chat) == [
        ("x = a // b\nwhy is x 0?", "`//` floors."),
        ("and in C?", "It truncates."),
    ]
    pasted = (
        "## User:\n\nmy config:\n[database]\nhost = db\nwhy is it ignored?\n\n"
        "## AI:\n\nThe section is misspelled.\n\n"
        "## User:\n\nand [server]?\n\n## AI:\n\nThat one is fine.\n"
    )
    assert notes_of(pasted)[0][0] == "my config:\n[database]\nhost = db\nwhy is it ignored?"


def test_an_unmarked_first_turn_that_opens_with_code_is_the_first_question() -> None:
    """The first prompt stands unmarked above the model's first marker and opens with a pasted
    block: the block is the question's, not a header."""
    chat = (
        "```csv\ndate,amount\n2025-01-15,24000\n```\n\nwhy is the total wrong?\n\n"
        "# === ASSISTANT ===\n\nThe date column is read as a number.\n\n"
        "# === USER ===\n\nand the fix\n\n# === ASSISTANT ===\n\nParse it as a date.\n"
    )
    assert notes_of(chat) == [
        (
            "```csv\ndate,amount\n2025-01-15,24000\n```\n\nwhy is the total wrong?",
            "The date column is read as a number.",
        ),
        ("and the fix", "Parse it as a date."),
    ]


def test_template_placeholders_name_the_speakers() -> None:
    """`{{user}}: ` / `{{char}}: ` (a role-play site's placeholders for the two names), one
    line per message start, no blank line between messages; the character's greeting first."""
    chat = (
        "{{char}}: Hello! Ask me about the stars.\n"
        "{{user}}: why is Albireo two colours?\n"
        "{{char}}: Its stars differ in temperature.\nThe hot one looks blue.\n"
        "{{user}}: and how far is it\n"
        "{{char}}: About 430 light years.\n"
    )
    assert notes_of(chat) == [
        (
            "why is Albireo two colours?",
            "Its stars differ in temperature.\nThe hot one looks blue.",
        ),
        ("and how far is it", "About 430 light years."),
    ]


# --- Review of the part-label and counter readings (74fc333) ------------------------------------

#: Chat logs whose user opens two turns with a bracketed line of their own.
USERS_BRACKETED_LINES = {
    "ini": (
        "## User:\n\n[database]\nhost = localhost\nport = 5432\n\n"
        "Why does my app fail to connect with this config?\n\n"
        "## Assistant:\n\nCheck that the server listens on 5432.\n\n"
        "## User:\n\n[database]\nhost = db.internal\nport = 5432\n\n"
        "Now it connects, but is this layout right?\n\n"
        "## Assistant:\n\nYes, each section is read separately.\n",
        "[database]\nhost = localhost\nport = 5432\n\n"
        "Why does my app fail to connect with this config?",
    ),
    "lyrics": (
        "## User:\n\n[Verse 1]\nWalking down the empty street\nNothing but the sound of feet\n\n"
        "Can you make this verse rhyme better?\n\n"
        "## Assistant:\n\nWalking down the empty street,\nEchoes answer every beat.\n\n"
        "## User:\n\n[Chorus]\nHold on, hold on\n[Verse 1]\nWalking down the empty street\n\n"
        "Keep my labels and write a second verse.\n\n"
        "## Assistant:\n\nSure: the night is long.\n",
        "[Verse 1]\nWalking down the empty street\nNothing but the sound of feet\n\n"
        "Can you make this verse rhyme better?",
    ),
    "structured-prompt": (
        "## User:\n\n[Context]\nI am building a CLI in Rust.\n[Task]\n"
        "Suggest a crate for argument parsing.\n\n## Assistant:\n\nUse clap.\n\n"
        "## User:\n\n[Context]\nSame CLI, now I need config files.\n[Task]\n"
        "Suggest a crate for TOML.\n\n## Assistant:\n\nUse toml with serde.\n",
        "[Context]\nI am building a CLI in Rust.\n[Task]\nSuggest a crate for argument parsing.",
    ),
}


@pytest.mark.parametrize("name", sorted(USERS_BRACKETED_LINES))
def test_the_users_own_bracketed_lines_that_open_two_turns_stay(name: str) -> None:
    text, first_question = USERS_BRACKETED_LINES[name]
    assert notes_of(text)[0][0] == first_question


def test_an_icon_before_a_bold_name_is_a_speaker_label() -> None:
    """`👤 **User**` / `🤖 **Assistant**` alone on a line, messages between `---`: the labels
    are markers, on no card."""
    chat = (
        "👤 **User**\n\nwhy did the hive get lighter?\n\n---\n\n🤖 **Assistant**\n\nRain.\n\n"
        "---\n\n👤 **User**\n\nand the super\n\n---\n\n🤖 **Assistant**\n\nAdd it now.\n"
    )
    assert notes_of(chat) == [
        ("why did the hive get lighter?", "Rain."),
        ("and the super", "Add it now."),
    ]


# --- A message's header quoted: `> <date time> · <name>` ----------------------------------------

QUOTED_HEADERS = """# Slow query

> 2026-03-14 10:12:05 · User

Why is this query slow?

SELECT * FROM orders WHERE customer_id = 42;


---

> 2026-03-14 10:12:09 · gpt-4o

There is no index on customer_id, so the whole table is scanned.


---
"""


def test_a_quoted_time_and_name_heads_each_message_even_in_one_exchange() -> None:
    parsed = parse_transcript(parse_text(QUOTED_HEADERS, "chat.md"))
    assert [(note.question, note.answer) for note in parsed.notes] == [
        (
            "Why is this query slow?\n\nSELECT * FROM orders WHERE customer_id = 42;",
            "There is no index on customer_id, so the whole table is scanned.",
        )
    ]


QUOTED_TEAM_CHAT = """## User

My team chat has this:

> 2026-03-14 10:12:05 · Dana
> Deploy is blocked.
> 2026-03-14 10:13:00 · Sam
> Which check fails?

What should I answer?

## Assistant

Tell Sam which check fails and link the log.
"""


def test_quoted_headers_of_a_chat_the_user_pasted_stay_in_the_question() -> None:
    parsed = parse_transcript(parse_text(QUOTED_TEAM_CHAT, "chat.md"))
    assert len(parsed.notes) == 1
    assert "> 2026-03-14 10:13:00 · Sam" in parsed.notes[0].question


# --- round 27's readings: quoted messages under a date, led headings, paired shapes, drawers

QUOTED_UNDER_DATES = (
    "**User**\n*3/14/2026, 10:12 AM*\n\n> Why does my pod restart?\n\n---\n"
    "**Assistant**\n*3/14/2026, 10:12 AM*\n\n> It runs out of memory[1].\n>\n> Raise the limit.\n\n"
    "**Sources:**\n- [1] [https://k8s.io/oom](https://k8s.io/oom)\n\n---\n"
    "**User**\n*3/14/2026, 10:20 AM*\n\n> How much?\n\n---\n"
    "**Assistant**\n*3/14/2026, 10:20 AM*\n\n> Measure it first.\n"
)


def test_messages_quoted_under_a_date_line_are_read_without_the_quote() -> None:
    """Every message one `> ` quote under its date line: the quoting is the tool's; what a
    reply's quote is followed by, past a blank line (the sources it cites), stays as written."""
    assert notes_of(QUOTED_UNDER_DATES) == [
        (
            "Why does my pod restart?",
            "It runs out of memory[1].\n\nRaise the limit.\n\n**Sources:**\n"
            "- [1] [https://k8s.io/oom](https://k8s.io/oom)",
        ),
        ("How much?", "Measure it first."),
    ]


def test_a_users_own_quote_with_a_line_of_theirs_keeps_its_quote() -> None:
    """A user who quotes writes a line of their own under it: their messages are not one quote,
    so nothing is unquoted, even where every reply is."""
    chat = (
        "**User**\n\n> pods restart every hour\n\nwhat does this mean?\n\n---\n"
        "**Assistant**\n\n> Memory.\n\n---\n"
        "**User**\n\n> OOMKilled\n\nand this?\n\n---\n"
        "**Assistant**\n\n> The same.\n"
    )
    assert [question for question, _ in notes_of(chat)] == [
        "> pods restart every hour\n\nwhat does this mean?",
        "> OOMKilled\n\nand this?",
    ]


def test_a_bracketed_heading_of_a_name_and_a_role_word_is_that_role() -> None:
    """`** [llama3.1:8b: RESPONSE]`: a bracket holds a label, never a message's first words;
    the role word after the colon is the label, the model's name a hint."""
    found = candidate("** [llama3.1:8b: RESPONSE]")
    assert found is not None and (found.label, found.inline) == ("RESPONSE", None)
    assert "llama3" in found.noted
    kept = candidate("[Note: see the docs]")  # no role word after the colon: as before
    assert kept is None or kept.label != "see the docs"


def test_a_headings_lead_before_its_label_is_no_part_of_the_label() -> None:
    """`* *llama3.1:8b* ⚒ >> PROMPT: text`: the model named in emphasis and set off by symbols
    is the tool's lead; the label is `PROMPT`, the prompt's first line after its colon. Read
    apart from `candidate`, as the user's side of a pair of shapes alone (`_paired_turns`)."""
    line = "* *llama3.1:8b* ⚒ >> PROMPT: why does it fail?"
    assert candidate(line) is None
    found = turn_markers.led_candidate(line)
    assert found is not None
    assert (found.shape, found.label, found.inline) == (
        "* <lead> <label>:",
        "PROMPT",
        "why does it fail?",
    )
    assert turn_markers.led_candidate("* *bold* item in a list") is None  # no label's colon


ORG_SESSION = (
    "#+TITLE: Session\n\n"
    "* *qwen3:8b* ⚒ >> PROMPT: why does my script stop?\n\n"
    "** [qwen3:8b: RESPONSE]\n:PROPERTIES:\n:TIMESTAMP: [2026-03-14 Sat 18:05]\n:TOKENS:   356\n"
    ":END:\n\nBecause of =set -u=.\n\n"
    "* *llama3.1:8b* ⚒ >> PROMPT: Write a retry function\n\n"
    "** [llama3.1:8b: RESPONSE]\n:PROPERTIES:\n:TIMESTAMP: [2026-03-14 Sat 18:09]\n:END:\n\n"
    "Here it is.\n\n"
    "* *llama3.1:8b* ⚒ >> PROMPT: \n"
)


def test_the_users_and_the_models_markers_may_be_of_two_shapes() -> None:
    """One shape for the prompts, another for the replies, taking turns strictly: read as one
    shape; the model named in each may change. The Org drawer under a reply's marker is its
    metadata, and the last, empty prompt is the tool's."""
    assert notes_of(ORG_SESSION) == [
        ("why does my script stop?", "Because of =set -u=."),
        ("Write a retry function", "Here it is."),
    ]


def test_two_shapes_that_do_not_take_turns_are_no_chat() -> None:
    """A reply's own `** [Note: Answer]`-like headings under one question mark nothing: the two
    shapes must alternate, the user's first."""
    text = (
        "Q: How do I retry a command?\n\nA: Use a loop.\n\n"
        "* *tip* ⚒ >> Prompt: keep it short\n* *tip* ⚒ >> Prompt: log each try\n\n"
        "** [v1: Answer]\n\nfine\n\n** [v2: Answer]\n\nalso fine\n"
    )
    assert [question for question, _ in notes_of(text)] == ["How do I retry a command?"]


def test_a_drawer_inside_a_reply_stays() -> None:
    """Only a drawer first under a marker is the message's metadata: one a reply shows further
    down (how to write one) stays."""
    chat = (
        "## User:\n\nhow do I set a property in Org?\n\n## Assistant:\n\nLike this:\n\n"
        ":PROPERTIES:\n:ID: 42\n:END:\n\n## User:\n\nthanks\n\n## Assistant:\n\nYou're welcome.\n"
    )
    assert notes_of(chat)[0] == (
        "how do I set a property in Org?",
        "Like this:\n\n:PROPERTIES:\n:ID: 42\n:END:",
    )


# --- round 28's readings: a question label naming the user, a rule glued to a label, a chat
# named by its first prompt


def test_a_question_label_may_name_the_user_and_runs_to_its_answer_heading() -> None:
    """`# 用户问题` ("user question") and `## User question` are the question's label, as
    `# Question` is; the question runs from under it, past a blank line, to the answer's
    heading right under its asking line."""
    for label in ("# 用户问题", "## User question"):
        text = (
            f"{label}\n$ docker compose up\napi-1  | Error: connect ECONNREFUSED\n\n"
            "Why does the api fail to connect?\n# 回答\nBecause of the network.\n\n"
            f"{label}\nWrite a Dockerfile\n# 回答\nHere it is.\n"
        )
        assert notes_of(text) == [
            (
                "$ docker compose up\napi-1  | Error: connect ECONNREFUSED\n\n"
                "Why does the api fail to connect?",
                "Because of the network.",
            ),
            ("Write a Dockerfile", "Here it is."),
        ]


def test_a_rule_glued_to_a_role_word_is_the_markers_decoration() -> None:
    """`Asistente------------------------`: a long rule the tool glues to the label; a short one
    (`done--`) or one after other words is a line's own."""
    found = candidate("Persoa usuaria------------------------")
    assert found is not None and (found.label, found.shape) == ("Persoa usuaria", "<label> <rule>")
    assert candidate("see the docs------") is None


@pytest.mark.parametrize(
    ("heading", "banner"),
    [
        ("LMSYS Chat Export", True),
        ("Ollama Conversation Export", True),
        ("Kubernetes Chat", False),
        ("Data Export Chat", False),
        ("Kubernetes Export", False),
    ],
)
def test_a_name_before_a_kind_of_chat_ending_in_export_is_a_banner(
    heading: str, banner: bool
) -> None:
    """`# LMSYS Chat Export`: a tool's name over the kind of file it exported is the same over
    every chat, no title; a user's own title does not end in `export`."""
    chat = f"# {heading}\n\n## User\n\nWhy?\n\n## Assistant\n\nBecause.\n"
    title = parse_transcript(parse_text(chat, "chat.md")).title
    assert (title is None) == banner, title


def test_a_model_named_with_its_version_is_a_speakers_label() -> None:
    """`GPT 3.5 Turbo: text`: a model family's name and a version number label a reply, where
    other labels of several words with a role word are a line's own (`User guide: ...`)."""
    found = candidate("GPT 3.5 Turbo: Check the socket's owner.")
    assert found is not None and (found.label, found.loose) == ("GPT 3.5 Turbo", False)
    assert candidate("User guide: read it first.") is None
    chat = (
        "Siobhán: Why does nginx return 502?\nGPT 3.5 Turbo: The socket is not readable by "
        "www-data.\n\n---------------\n\nSiobhán: Write me a systemd unit for gunicorn\n"
        "GPT 3.5 Turbo: Here is one with RuntimeDirectory.\n\n---------------\n"
    )
    assert [question for question, _ in notes_of(chat)] == [
        "Why does nginx return 502?",
        "Write me a systemd unit for gunicorn",
    ]


def test_a_rule_set_before_a_role_word_is_the_markers_decoration() -> None:
    """`------- user:`: a rule the tool sets before the label; a rule over a sentence or
    a forwarded mail's banner is no marker."""
    found = candidate("------- assistant:")
    assert found is not None and (found.label, found.shape) == ("assistant", "<rule> <label>:")
    assert candidate("---------- Forwarded message ----------") is None
    chat = (
        "------- user:\n\nWhat does git rebase do?\n\n------- assistant:\n\nIt replays your "
        "commits on top of another branch.\n\n------- user:\n\nAnd merge?\n\n"
        "------- assistant:\n\nIt joins the two histories with a merge commit.\n\n------- user:\n"
    )
    assert [question for question, _ in notes_of(chat)] == [
        "What does git rebase do?",
        "And merge?",
    ]


KAICHAT_LIKE = (
    "Como podo ver o porto 8080?\nPersoa usuaria------------------------\n"
    "Como podo ver o porto 8080?\n\nAsistente------------------------\nCon ss -ltnp.\n\n"
    "Persoa usuaria------------------------\nE con lsof?\n\n"
    "Asistente------------------------\nlsof -i :8080\n"
)


def test_a_chat_named_by_its_first_prompt_takes_that_line_for_its_title() -> None:
    """A chat app names a chat it was never asked to rename by its first prompt: a first line
    that is the first user message's first line, whole, is the title, not a turn."""
    parsed = parse_transcript(parse_text(KAICHAT_LIKE, "chat.txt"))
    assert parsed.title == "Como podo ver o porto 8080?"
    assert [note.question for note in parsed.notes] == [
        "Como podo ver o porto 8080?",
        "E con lsof?",
    ]
    other = KAICHAT_LIKE.replace("Como podo ver o porto 8080?\nPersoa", "Notas do porto\nPersoa", 1)
    assert parse_transcript(parse_text(other, "chat.txt")).title != "Como podo ver o porto 8080?"


def test_a_longer_user_label_before_the_first_reply_heads_a_preamble() -> None:
    """`### User Editable Context:` (the custom instructions a tool writes first) over
    `### User:` and one reply: the role word alone opens the user's turn, the longer label,
    never seen after the model speaks, heads part of the file's header."""
    chat = (
        "# Title\n\n### User Editable Context:\n\nAnswer in Urdu.\n\n---\n\n"
        "### User:\n\nWhy does read_csv fail?\n\n---\n\n### ChatGPT:\n\nThe file is UTF-16.\n"
    )
    assert notes_of(chat) == [("Why does read_csv fail?", "The file is UTF-16.")]


def test_a_preamble_before_recurring_user_turns_is_no_turn() -> None:
    """The same with two exchanges: the longer label heads the header (before, the role word
    alone, right after it, was read as the model's)."""
    chat = (
        "# Notes\n\n### User context:\n\nI use pandas 2.\n\n### User:\n\nWhy does read_csv fail?"
        "\n\n### ChatGPT:\n\nThe file is UTF-16.\n\n### User:\n\nHow do I convert it?\n\n"
        "### ChatGPT:\n\nUse iconv.\n"
    )
    assert notes_of(chat) == [
        ("Why does read_csv fail?", "The file is UTF-16."),
        ("How do I convert it?", "Use iconv."),
    ]


def test_a_longer_user_label_that_comes_again_after_a_reply_is_a_turn() -> None:
    """A user label that says more and recurs after the model speaks (`### User follow-up:`)
    opens turns of its own."""
    chat = (
        "### User:\n\nWhy does read_csv fail?\n\n### ChatGPT:\n\nThe file is UTF-16.\n\n"
        "### User follow-up:\n\nHow do I convert it?\n\n### ChatGPT:\n\nUse iconv.\n"
    )
    assert [question for question, _ in notes_of(chat)] == [
        "Why does read_csv fail?",
        "How do I convert it?",
    ]


TIMED_CHAT = (
    "10:12:04: What is the difference between merge and join in pandas?\n"
    "10:12:05: Both combine two DataFrames.\n\nmerge joins on columns, join on the index.\n"
    "10:31:47: >>> df.shape\n(10482, 6)\n\nWhy do I get more rows after a left merge?\n"
    "10:31:49: Because the right table repeats some keys.\n\nCheck them with duplicated().\n"
)


def test_messages_that_open_with_their_time_take_turns() -> None:
    """`10:12:04: text` opening every message, nothing naming a speaker: the messages take
    turns, the user's first, and the times are on no card."""
    assert notes_of(TIMED_CHAT) == [
        (
            "What is the difference between merge and join in pandas?",
            "Both combine two DataFrames.\n\nmerge joins on columns, join on the index.",
        ),
        (
            ">>> df.shape\n(10482, 6)\n\nWhy do I get more rows after a left merge?",
            "Because the right table repeats some keys.\n\nCheck them with duplicated().",
        ),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a log: every line has a time of its own
        "".join(f"10:1{n}:00 host sshd[42]: session opened for user root?\n" for n in range(6)),
        # a day's notes: an hour between an entry and the next
        "09:00 Standup\n\nWhat blocks the release?\n11:00 Review\n\nThe API diff, the docs, "
        "and the migration notes for the new schema.\n13:00 Lunch\n\nWhere?\n15:00 Retro\n\n"
        "Went well: the deploy; went badly: the flaky tests and the late review.\n",
        # timed notes where no one asks
        TIMED_CHAT.replace("?", "."),
    ],
)
def test_timed_lines_that_are_no_chat_stay_as_they_are(text: str) -> None:
    parsed = parse_transcript(parse_text(text, "notes.txt"))
    assert parsed.turns is None or "time a message" not in parsed.turns.shape


def test_exchanges_that_open_with_the_prompts_time_end_the_prompt_at_a_line_of_spaces() -> None:
    """`2025-02-11 21:04 text` over each prompt and a line of spaces under it (the tool's), the
    reply after, a space at the end of its last line (the tool's too): a blank line inside a
    prompt (under pasted output) does not end it."""
    chat = (
        "2025-02-11 21:04 What is the difference between df and du?\n \n"
        "df asks the filesystem; du walks the directories and adds up the files. \n\n"
        "2025-02-11 21:09 /dev/sda1  40G  40G  0 100% /\n\nWhy does du show only 23G?\n \n"
        "Deleted files that a process still holds open take space du cannot see. \n\n"
    )
    # (the answers keep the tool's trailing space, as the fixture's do)
    assert [(q, a.rstrip()) for q, a in notes_of(chat)] == [
        (
            "What is the difference between df and du?",
            "df asks the filesystem; du walks the directories and adds up the files.",
        ),
        (
            "/dev/sda1  40G  40G  0 100% /\n\nWhy does du show only 23G?",
            "Deleted files that a process still holds open take space du cannot see.",
        ),
    ]
    unspaced = chat.replace("\n \n", "\n\n")  # no line of spaces: nothing tells a prompt's end
    parsed = parse_transcript(parse_text(unspaced, "notes.txt"))
    assert parsed.turns is None or "line of spaces" not in parsed.turns.shape


CLOCKED_COPY = (
    "$ git push origin main\n ! [rejected]  main -> main (fetch first)\n\n"
    "What does this mean and how do I push?\n\n\n\n"
    "The remote has commits you do not have, so git refuses to overwrite them.\n\n"
    "Fetch and rebase first: git fetch origin, then git rebase origin/main, then push.\n\n\n\n"
    "3.1s\n"
    "Show me an interactive rebase that squashes three commits\n\n\n\n"
    "Run git rebase -i HEAD~3, keep the first line as pick and mark the other two as squash; "
    "git then asks for one message for the new commit.\n\n\n\n2.4s\n\n\nFast\n"
)


def test_a_page_copy_with_each_replys_time_under_it_takes_turns() -> None:
    """`3.1s` alone under every reply (the reply's toolbar in a copy of the page), nothing
    naming a speaker: each such line ends a reply, a prompt runs to the first gap of two blank
    lines, and the times and the composer's `Fast` are on no card."""
    assert notes_of(CLOCKED_COPY) == [
        (
            "$ git push origin main\n ! [rejected]  main -> main (fetch first)\n\n"
            "What does this mean and how do I push?",
            "The remote has commits you do not have, so git refuses to overwrite them.\n\n"
            "Fetch and rebase first: git fetch origin, then git rebase origin/main, then push.",
        ),
        (
            "Show me an interactive rebase that squashes three commits",
            "Run git rebase -i HEAD~3, keep the first line as pick and mark the other two as "
            "squash; git then asks for one message for the new commit.",
        ),
    ]


def test_a_reply_time_once_or_a_message_after_the_last_is_no_page_copy() -> None:
    once = CLOCKED_COPY.split("2.4s")[0]
    after = CLOCKED_COPY.replace("Fast", "And what about git merge, would that be any simpler?")
    for text in (once, after):
        parsed = parse_transcript(parse_text(text, "copy.txt"))
        assert parsed.turns is None or "a measure of each reply" not in parsed.turns.shape


def test_a_details_block_opened_with_its_summary_and_turn_headings_are_left_out() -> None:
    """`<details><summary>Thinking</summary>` at a reply's start (the summary on the opening
    line) is the model's reasoning, as `<details>` alone over a summary is; `## Turn 2` over
    each exchange numbers it and is on no card."""
    chat = (
        "## Turn 1\n\n### User\n\nWhy is the fixture not found?\n\n### Assistant\n\n"
        "<details><summary>Thinking</summary>\n\nThe conftest is in a sibling folder.\n\n"
        "</details>\n\nA conftest.py only applies to tests under its folder.\n\n"
        "## Turn 2\n\n### User\n\nWhat does scope=session do?\n\n### Assistant\n\n"
        "<details><summary>Thinking</summary>\n\nExplain scopes.\n\n</details>\n\n"
        "It builds the fixture once for the whole run.\n"
    )
    assert notes_of(chat) == [
        ("Why is the fixture not found?", "A conftest.py only applies to tests under its folder."),
        ("What does scope=session do?", "It builds the fixture once for the whole run."),
    ]


QUOTE_OPENED = (
    "**User**:\n\nWhy is the database locked?\n\n---\n**Assistant**:\n\n"
    "> The user hits a lock.> SQLite has one writer.\n\nSQLite allows one writer at a time.\n\n"
    "---\n**User**:\n\nIs WAL safe on NFS?\n\n---\n**Assistant**:\n\n"
    "> WAL needs shared memory.> NFS has none.\n\n"
    "No: WAL needs shared memory, which NFS does not give.\n"
)


def test_a_quote_that_opens_every_reply_is_the_tools_reasoning() -> None:
    """A `>` quote at the start of every reply, its lines joined into one (`.> `), the reply
    going on after it: the tool's (RikkaHub quotes the reasoning there), on no card; a quote
    that opens one reply only, or keeps its line breaks, is the model's own."""
    assert notes_of(QUOTE_OPENED) == [
        ("Why is the database locked?", "SQLite allows one writer at a time."),
        ("Is WAL safe on NFS?", "No: WAL needs shared memory, which NFS does not give."),
    ]
    once = QUOTE_OPENED.replace("> WAL needs shared memory.> NFS has none.\n\n", "")
    assert notes_of(once)[0][1].startswith("> The user hits a lock.")
    broken = QUOTE_OPENED.replace(".> ", ".\n> ")
    assert notes_of(broken)[0][1].startswith("> The user hits a lock.")


QUOTED_LABELS = (
    "# Developer\n## Summary\nThe user asked about git.\n## Content\n"
    "> **Question:** $ git rebase main\nCONFLICT (content): Merge conflict in src/config.rs\n\n"
    "How do I resolve this without losing my changes?\n\n"
    " Edit the file, keep the lines you want, then git add it and git rebase --continue.\n\n"
    "> **Question:** Write me an alias for a one-line graph log\n\n"
    " Run git config --global alias.lg 'log --graph --oneline'.\n"
)


def test_a_label_set_in_a_quote_marks_the_users_turns() -> None:
    """`> **Question:** text` opening a quote is the user's label (the tool's quote around it is
    decoration); the headings right over the first of such labels head the file, and a prompt
    that pastes a log asks on the paragraph under it."""
    assert [(q, a.strip()) for q, a in notes_of(QUOTED_LABELS)] == [
        (
            "$ git rebase main\nCONFLICT (content): Merge conflict in src/config.rs\n\n"
            "How do I resolve this without losing my changes?",
            "Edit the file, keep the lines you want, then git add it and git rebase --continue.",
        ),
        (
            "Write me an alias for a one-line graph log",
            "Run git config --global alias.lg 'log --graph --oneline'.",
        ),
    ]


def test_a_quoted_label_inside_a_quote_or_headings_among_the_labels_change_nothing() -> None:
    """A `Q:` in the middle of a quote is the quote's text; a heading with lines under it before
    the labelled questions is a question of a heading file, as before."""
    inside = "Q: What is a fixture?\nA: Setup a test asks for:\n\n> for example\n> Q: not this\n"
    assert [q for q, _ in notes_of(inside)] == ["What is a fixture?"]
    sections = "## Setup\n\nInstall Python.\n\nQ: What is a list?\nA: A list.\n\nQ: Why?\nA: B.\n"
    assert [q for q, _ in notes_of(sections)] == ["Setup", "What is a list?", "Why?"]


def test_a_pasted_log_then_the_asking_line_is_one_question() -> None:
    """Under a `Q:` whose first line is program output, the log's lines and a short paragraph
    ending in `?` after one blank line are the question; a question that asks already, or an
    asking paragraph with nothing after it, leaves the lines to the answer as before."""
    log = "Q: $ make\nmake: *** No rule to make target 'all'.  Stop.\n\nWhy does make stop?\n\n"
    assert notes_of(log + "There is no Makefile in this folder.\n") == [
        (
            "$ make\nmake: *** No rule to make target 'all'.  Stop.\n\nWhy does make stop?",
            "There is no Makefile in this folder.",
        )
    ]
    assert notes_of(log)[0][0] == "$ make"
    asked = "Q: Why does $ make stop?\n\n```\nStop.\n```\n\nIs a Makefile missing?\n\nYes.\n"
    assert notes_of(asked)[0][1].endswith("Is a Makefile missing?\n\nYes.")


ORG_CHAT = (
    "* *[20:41:07]* You\nWhy does git push get rejected?\n\n"
    "** *[20:41:09]* Copilot(gpt-4.1)                 :copilot:\n"
    "The remote has commits you lack.\n\n#+BEGIN_SRC shell\ngit pull --rebase\n#+END_SRC\n\n\n"
    "* *[20:44:52]* You\nWrite an alias for a graph log\n\n"
    "** *[20:44:54]* Copilot(gpt-4.1)                 :copilot:\n"
    "Add alias.lg to your git config.\n\n\n* ╭──── Chat Input ────╮\n\n"
)


def test_an_org_chat_buffers_stamped_headings_and_input_heading() -> None:
    """In a file written in Org (`#+BEGIN_SRC`), `* ` opens a first-level heading; a time in
    emphasis before a heading's label (`*[20:41:07]*`) is the message's stamp and a headline's
    `:tags:` its metadata; a heading with nothing under it ending the file is the tool's."""
    notes = notes_of(ORG_CHAT)
    assert [q for q, _ in notes] == [
        "Why does git push get rejected?",
        "Write an alias for a graph log",
    ]
    assert notes[1][1] == "Add alias.lg to your git config."
    assert notes[0][1].startswith("The remote has commits you lack.")


def shape_read(text: str, name: str) -> str:
    """The turn shape the parser found in `text` saved as `name`, "" if it found none."""
    turns = parse_transcript(parse_text(text, name)).turns
    return turns.shape if turns is not None else ""


def test_star_lines_in_a_markdown_file_are_list_items() -> None:
    """Without a line of Org, `* *[20:41:07]* You` is a list item of a Markdown file."""
    markdown = ORG_CHAT.replace("#+BEGIN_SRC shell", "```shell").replace("#+END_SRC", "```")
    assert "* [<time>]" not in shape_read(markdown, "chat.md")


STATUS_COPY = (
    "Qwen3-Max\n\n$ rsync -a ~/photos /mnt/usb\nrsync: link_stat failed: No such file\n\n"
    "Why does rsync say the folder is missing?\n\n\n\nThinking completed\n"
    "The path is relative to where rsync runs.\nTry it with a full path:\nbash\n12\n"
    "Then the error goes away.\n\n\n\n\n\n\nWrite me a systemd timer for it\n\n\n\n"
    "Thinking completed\nHere is a timer.\nini\n123456789\nEnable it with systemctl.\n\n\n\n\n\n\n"
    "Copy\nExplain\n\n\nAI-generated content may not be accurate.\n"
)


def test_a_page_copy_read_by_the_reasoning_status_over_each_reply() -> None:
    """A page copy where the reasoning's status line (`Thinking completed`) opens every reply
    after a gap: the prompts are the paragraphs before each gap, the model's name over the first
    and the page's lines after the last reply are the page's, and a language's name over only
    the editor's line numbers (`bash` / `12`) is code the copy did not keep."""
    assert notes_of(STATUS_COPY) == [
        (
            "$ rsync -a ~/photos /mnt/usb\nrsync: link_stat failed: No such file\n\n"
            "Why does rsync say the folder is missing?",
            "The path is relative to where rsync runs.\nTry it with a full path:\n"
            "Then the error goes away.",
        ),
        ("Write me a systemd timer for it", "Here is a timer.\nEnable it with systemctl."),
    ]


def test_a_reasoning_status_once_or_numbers_not_counted_from_one_stay() -> None:
    """One status line is no page's shape; `bash` over `42` is a reply's own lines."""
    once = STATUS_COPY.split("Write me")[0]
    assert "reasoning's status" not in shape_read(once, "copy.txt")
    other = STATUS_COPY.replace("bash\n12\n", "bash\n42\n")
    assert "bash\n42" in notes_of(other)[0][1]


DASHED_NAMES = (
    "--Assistente\nHello! How can I help?\n\n--User\nWhy is the database locked?\n\n"
    "--Assistente\n<Thoughts>\nThe user hits a lock.\n\nExplain writers.</Thoughts>\n\n"
    "SQLite allows one writer at a time.\n\n--User\nShow me a retry loop\n\n"
    "--Assistente\nWrap the INSERT in a loop with a timeout."
)


def test_names_glued_to_dashes_are_markers_and_a_glued_closing_tag_ends_reasoning() -> None:
    """`--User` / `--Assistente` (dashes glued to a capitalized name) mark turns; a reasoning tag
    alone on a line is closed by its tag glued to the reasoning's last line (`...</Thoughts>`)."""
    assert notes_of(DASHED_NAMES) == [
        ("Why is the database locked?", "SQLite allows one writer at a time."),
        ("Show me a retry loop", "Wrap the INSERT in a loop with a timeout."),
    ]


def test_command_options_alone_on_their_lines_are_no_markers() -> None:
    """`--verbose` over its description is a command's option, not a speaker."""
    options = (
        "How do I see what rsync does?\n\nUse one of these options:\n\n"
        "--verbose\nPrint each file.\n\n--progress\nShow a progress bar.\n\n"
        "--verbose\nTwice for more detail.\n\n--progress\nPer file.\n"
    )
    assert [q for q, _ in notes_of(options)] == ["How do I see what rsync does?"]


def test_an_underlined_marker_on_the_first_line_is_the_first_turn() -> None:
    """`You` over `---` on a file's first line, as the tool underlines every marker, is the first
    turn's marker, not the file's title."""
    chat = (
        "You\n---\n\nWhy does ssh refuse my key?\n\nChatGPT\n-------\n\nIts mode is 0644.\n\n"
        "You\n---\n\nHow do I fix it?\n\nChatGPT\n-------\n\nRun chmod 600 on it.\n"
    )
    assert notes_of(chat) == [
        ("Why does ssh refuse my key?", "Its mode is 0644."),
        ("How do I fix it?", "Run chmod 600 on it."),
    ]


TOOLBAR_COPY = (
    "New Chat\nToday\nSlow query\n\nSettings\n\n\n"
    "shop=> EXPLAIN SELECT * FROM orders WHERE id = 4;\n Seq Scan on orders\n"
    "   Filter: (id = 4)\n\nWhy is this query slow?\n\n"
    "The plan shows a sequential scan: there is no index on id.\n\n"
    "Create one with CREATE INDEX.\n\n"
    "default\nwith\nKimi-K2\nvia\ntogether\n"
    "Write the index statement for me\n\n"
    "Use CREATE INDEX CONCURRENTLY idx_orders_id ON orders (id); it does not lock writes.\n\n"
    "default\nwith\nKimi-K2\nvia\ntogether\nAsk anything\n"
)


def test_a_page_copy_read_by_the_toolbar_under_each_reply() -> None:
    """The same run of short lines under every reply (HuggingChat's model and provider row),
    the next prompt right under it: each ends a reply; the prompt is its first paragraph (and
    the asking one under a pasted plan), the sidebar over a gap and the composer are the page's."""
    assert notes_of(TOOLBAR_COPY) == [
        (
            "shop=> EXPLAIN SELECT * FROM orders WHERE id = 4;\n Seq Scan on orders\n"
            "   Filter: (id = 4)\n\nWhy is this query slow?",
            "The plan shows a sequential scan: there is no index on id.\n\n"
            "Create one with CREATE INDEX.",
        ),
        (
            "Write the index statement for me",
            "Use CREATE INDEX CONCURRENTLY idx_orders_id ON orders (id); it does not lock writes.",
        ),
    ]


def test_short_lines_recurring_in_notes_are_no_toolbar() -> None:
    """A notes file whose answers end with the same two short lines (`See also` / `man 1 ls`)
    and whose questions stand after a blank line is no page copy."""
    notes = (
        "How do I list files?\n\nUse ls.\n\nSee also\nman pages\n\n"
        "How do I list hidden files?\n\nUse ls -a.\n\nSee also\nman pages\n"
    )
    assert "toolbar" not in shape_read(notes, "notes.txt")


OUTLINE_CHAT = (
    "type:: ChatGPT\nchatgpt-flow:: alternating\n\n"
    "- id:: 67d48c8d-6e38\n  speaker:: [[user]]\n  Why does cron not run my script?\n"
    "- id:: 67d48ce8-5837\n  speaker:: [[assistant]]\n  Cron has a minimal `PATH`.\n  \n"
    "  * use the full path;\n  * or set `PATH` in the crontab.\n"
    "- id:: 67d48d59-7567\n  speaker:: [[user]]\n  Write me the crontab line\n"
    "- id:: 67d48da4-d544\n  speaker:: [[assistant]]\n  ```\n  0 2 * * * /home/me/backup.sh\n  ```"
)


def test_an_outliners_page_of_messages_is_read_flat() -> None:
    """A Logseq page where every message is a top-level bullet with its properties
    (`speaker:: [[user]]`) and its lines indented: the turns of the page written flat, the
    properties on no card but the speaker's, which marks the message."""
    assert notes_of(OUTLINE_CHAT) == [
        (
            "Why does cron not run my script?",
            "Cron has a minimal `PATH`.\n\n* use the full path;\n* or set `PATH` in the crontab.",
        ),
        ("Write me the crontab line", "```\n0 2 * * * /home/me/backup.sh\n```"),
    ]


def test_an_outline_of_notes_is_no_chat() -> None:
    """Bullets with properties but no speaker among them are a page of notes."""
    notes = OUTLINE_CHAT.replace("[[user]]", "[[cron]]").replace("[[assistant]]", "[[linux]]")
    assert shape_read(notes, "notes.md") == ""


PROMPT_TOOLBARS = (
    "New Chat\nChat History\nCSV encodings\nCron jobs\nUpgrade\nCSV encodings\n"
    'Traceback (most recent call last):\n  File "read.py", line 3, in <module>\n'
    "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe0\n\n"
    "Why does pandas not read my file?\nEdit\nCopy\nShare\n"
    'The file is not UTF-8: Excel saved it as cp1252.\nPass encoding="cp1252" to read_csv.\n'
    "Write a function that reads every CSV in a folder\nEdit\nCopy\nShare\n"
    "Glob the folder with pathlib and concatenate the frames with pd.concat.\n"
    "What is the difference between latin-1 and cp1252?\nEdit\nCopy\nShare\n"
    "cp1252 puts printable characters such as the euro sign in 0x80 to 0x9f.\n\n\nK2\n"
)


def test_a_page_copy_read_by_the_toolbar_under_each_prompt() -> None:
    """The same run of short lines right under every prompt (kimi.com's `Edit` / `Copy` /
    `Share`), the reply under it and no blank line between messages: the prompt is the line over
    its toolbar (with a pasted log over it), the chat's name the header's last line, listed in
    the sidebar above it too, and the composer's `K2` the page's."""
    parsed = parse_transcript(parse_text(PROMPT_TOOLBARS, "copy.txt"))
    assert [(note.question, note.answer) for note in parsed.notes] == [
        (
            'Traceback (most recent call last):\n  File "read.py", line 3, in <module>\n'
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe0\n\n"
            "Why does pandas not read my file?",
            'The file is not UTF-8: Excel saved it as cp1252.\nPass encoding="cp1252" to read_csv.',
        ),
        (
            "Write a function that reads every CSV in a folder",
            "Glob the folder with pathlib and concatenate the frames with pd.concat.",
        ),
        (
            "What is the difference between latin-1 and cp1252?",
            "cp1252 puts printable characters such as the euro sign in 0x80 to 0x9f.",
        ),
    ]
    assert parsed.title == "CSV encodings"


#: A page copy with one button under every prompt (Lumo's `Edit`), five blank lines between
#: exchanges, the page's header right over a pasted compiler error, and the composer and the
#: footer after the last reply.
EDIT_BUTTONS = (
    "New chat\nAll chats\n\nHistory\nGenerics in Go\n\nClose sidebar\nNew chat\n"
    "Current chat:Generics in Go\n\n\nShow panel\n"
    "./main.go:12:5: error: cannot use x (variable of type int) as string value\n"
    "./main.go:14:2: error: missing return\n\n"
    "Why does the compiler reject my function?\nEdit\n\n"
    "The function returns an int where the signature promises a string.\n\n\n"
    "func name(x int) string {\n\treturn strconv.Itoa(x)\n}\n"
    "Convert the value before you return it.\n\n\n\n\n"
    "Write a generic Map function for slices\nEdit\n"
    "Here is one with two type parameters:\n\n\n"
    "func Map[T, U any](xs []T, f func(T) U) []U {\n\tout := make([]U, 0, len(xs))\n}\n"
    "It allocates the result once.\n\n\n\n\n"
    "What does the tilde in a constraint mean?\nEdit\n"
    "It admits every type whose underlying type is the one named.\n\n\n\n\n\n"
    "Conversation encrypted\nAsk anything\n\n\nTools\n\n"
    "The assistant can make mistakes. Please double-check responses.\n"
)


GAP = "\n" * 7
#: A page copy with the user's picture named over every prompt (LibreChat's `avatar`), the
#: reasoning's toggle and its button over every reply, and gaps of six blank lines between
#: messages; the composer and the page's footer after the last.
PICTURED_PROMPTS = (
    "Ana's avatar\n\nSearch messages\n\n\nToday\nOTP in Erlang\n\nclaude-sonnet-4-6"
    + GAP
    + "avatar\n1> lists:sum([1, a]).\n** exception error: an error occurred\n\n"
    "Why does the shell stop with this error?" + GAP + "Thoughts\nCopy thoughts to clipboard\n\n"
    "The list holds an atom, and sum only adds numbers.\n\nFilter the list first."
    + GAP
    + "avatar\nWrite me a gen_server that counts visits"
    + GAP
    + "Thoughts\nCopy thoughts to clipboard\n\nHere is one that keeps the count in its state,"
    " with a cast that adds one and a call that reads it."
    + GAP
    + "avatar\nWhen should I use cast instead of call?"
    + GAP
    + "Thoughts\nCopy thoughts to clipboard\n\nUse cast when no reply is needed and the caller"
    " must not wait; call when it needs the answer."
    + GAP
    + "\n\n\nMessage Claude\n\n\n\n\nChat v0.8.7 - Every AI for Everyone.\n"
)


def test_a_page_copy_read_by_the_reasonings_toggle_with_the_users_picture_over_prompts() -> None:
    """`Thoughts` after a gap opens each reply (`Copy thoughts to clipboard`, its button, and
    the blank line under it set apart); `avatar` over every prompt is the user's picture, no
    text of the prompt; after the last reply, a gap as large as those between messages (and
    larger than any inside one) starts the page's lines."""
    parsed = parse_transcript(parse_text(PICTURED_PROMPTS, "copy.txt"))
    assert [(note.question, note.answer) for note in parsed.notes] == [
        (
            "1> lists:sum([1, a]).\n** exception error: an error occurred\n\n"
            "Why does the shell stop with this error?",
            "The list holds an atom, and sum only adds numbers.\n\nFilter the list first.",
        ),
        (
            "Write me a gen_server that counts visits",
            "Here is one that keeps the count in its state, with a cast that adds one and a call"
            " that reads it.",
        ),
        (
            "When should I use cast instead of call?",
            "Use cast when no reply is needed and the caller must not wait; call when it needs"
            " the answer.",
        ),
    ]
    assert parsed.title is None


#: A page copy of message bodies alone (NextChat's: only they are selectable): an app's
#: greeting, then prompts in Russian, each reply opening with the model's reasoning in English.
REASONED_REPLIES = (
    "Hello! How can I assist you today?\n\n"
    "$ dune build\nError: This expression has type float but an expression was expected\n\n"
    "Почему OCaml не складывает мой список дробных чисел?\n\n"
    "Okay, the user pasted a dune error and asks why the floats do not add up.\n\n"
    "The fix is ( +. ); I should answer in Russian.\n\n"
    "OCaml не преобразует типы: оператор + складывает только целые числа.\n\n"
    "Для дробных используйте +. или Float.add вместе с List.fold_left.\n\n"
    "Напиши функцию, которая считает слова в тексте\n\n"
    "The user wants a word count with Map.Make(String).\n\n"
    "Вот версия со словарём строк и List.fold_left по словам текста.\n\n"
    "Функция возвращает список, отсортированный по частоте, от большей к меньшей.\n"
)


#: A page copy (AnythingLLM's): the sidebar with a thread named by its first prompt's code,
#: the model menu over the first prompt, `Thinking complete` over every reply with the reasoning
#: folded to a line over the reply's first, a code bar with its button between blank lines, the
#: reply's metrics under it after a gap, and the composer.
THINKING_COMPLETE = (
    "Logo\nSearch\n\nJulia\n\n\n\njulia> v = [1, 2, 3] 3…\n\n\nNew Thread\n\n\n\n"
    "qwen3:8b\njulia> push!(v, 2.5) ERROR: InexactError: Int64(2.5)\n\n"
    "Why can I not push 2.5 into the vector?\n\n\n\nThinking complete\n"
    "Okay, the user pushed a float into an Int64 vector.\n"
    "The vector's element type is fixed when it is made.\n\nMake it a Float64 vector:\n\n"
    "julia\n\nCopy block\n\n\nstruct Point\n    x::Float64\nend\nv = [1.0, 2.0]\n"
    "Then push! works.\n\n\n\n\n\n\n"
    "qwen3:8b · 24.6s (39.84 tok/s) · Mar 14, 9:17 PM\n\n"
    "Write a function that counts words\n\n\n\nThinking complete\n"
    "The user wants a word count.\nHere is one with a Dict and eachmatch over the words.\n"
    "\n\n\n\n\n\n\n"
    "qwen3:8b · 19.2s (41.07 tok/s) · Mar 14, 9:21 PM\n\nSend a message\n\n\n\nTools\n"
)


def test_a_page_copy_read_by_the_reasonings_status_with_its_reasoning_folded_to_a_line() -> None:
    """`Thinking complete` after a gap opens each reply, even with `julia> ` lines in the copy;
    the line under it, glued over the reply's first and restating the request, is the
    reasoning; the model menu over the first prompt, the code bar (`julia`, `Copy block`),
    the metrics under each reply and the composer are the page's."""
    parsed = parse_transcript(parse_text(THINKING_COMPLETE, "copy.txt"))
    assert [note.question for note in parsed.notes] == [
        "julia> push!(v, 2.5) ERROR: InexactError: Int64(2.5)\n\n"
        "Why can I not push 2.5 into the vector?",
        "Write a function that counts words",
    ]
    first, second = (field_markdown(note)[1] for note in parsed.notes)
    assert first.startswith("The vector's element type is fixed when it is made.")
    assert "```julia\nstruct Point" in first and "Copy block" not in first
    assert first.endswith("Then push! works.")
    assert second == "Here is one with a Dict and eachmatch over the words."


def test_a_page_copy_read_by_the_reasoning_that_opens_every_reply() -> None:
    """Paragraphs that restate the request (`Okay, the user pasted ...`) open every reply: the
    paragraph over each is the prompt (the first with its pasted log), the reasoning runs on
    over the paragraphs in its own script when the prompts are in another, and the greeting
    over the first prompt is the page's."""
    assert notes_of(REASONED_REPLIES) == [
        (
            "$ dune build\nError: This expression has type float but an expression was expected"
            "\n\nПочему OCaml не складывает мой список дробных чисел?",
            "OCaml не преобразует типы: оператор + складывает только целые числа.\n\n"
            "Для дробных используйте +. или Float.add вместе с List.fold_left.",
        ),
        (
            "Напиши функцию, которая считает слова в тексте",
            "Вот версия со словарём строк и List.fold_left по словам текста.\n\n"
            "Функция возвращает список, отсортированный по частоте, от большей к меньшей.",
        ),
    ]
    once = REASONED_REPLIES.split("Напиши")[0]
    assert "reasoning" not in shape_read(once, "copy.txt")  # one reply: no recurrence


def test_a_comment_naming_the_role_in_an_attribute_is_a_hidden_marker() -> None:
    """`<!-- APP-MESSAGE-START role="user" id="..." -->` over every message (SystemSculpt's
    chat notes): the comment is the marker, its closing comment the message's edge, and a
    `<!-- REASONING` comment at the top of a reply the model's reasoning, on no card."""
    chat = (
        '<!-- APP-MESSAGE-START role="user" message-id="u1" -->\n'
        "Why does my board not reach the broker?\n<!-- APP-MESSAGE-END -->\n\n"
        '<!-- APP-MESSAGE-START role="assistant" message-id="a1" has-reasoning="true" -->\n\n'
        "<!-- REASONING\nThe user asks about rc=-2.\n-->\n"
        "Mosquitto 2 listens on localhost only.\n<!-- APP-MESSAGE-END -->\n\n"
        '<!-- APP-MESSAGE-START role="user" message-id="u2" -->\n'
        "What is QoS 1?\n<!-- APP-MESSAGE-END -->\n\n"
        '<!-- APP-MESSAGE-START role="assistant" message-id="a2" -->\n'
        "At least once: the broker may deliver a message twice.\n<!-- APP-MESSAGE-END -->\n"
    )
    assert notes_of(chat) == [
        ("Why does my board not reach the broker?", "Mosquitto 2 listens on localhost only."),
        ("What is QoS 1?", "At least once: the broker may deliver a message twice."),
    ]
    found = candidate('<!-- APP-MESSAGE-START role="user" message-id="u1" -->')
    assert found is not None and found.label == "user"
    assert candidate('<div role="main">') is None  # a page's landmark, no speaker
    assert candidate('<hr message-from="chat">') is None  # no role's attribute


def test_a_tag_glued_to_a_roles_label_is_a_marker_and_a_folded_callout_the_reasoning() -> None:
    """`#User : text` / `#DeepSeek : ` (Tars, an Obsidian plugin): a tag glued to a role's
    label and its colon is a marker's shape; a callout folded shut (`> [!quote]-`) at the top
    of a reply is the tool's reasoning, on no card. A tag before other words is a tag."""
    chat = (
        "#User : Why does Import-Csv not find my file?  \n\n#DeepSeek :  \n\n"
        "> [!quote]-  \n> The user runs the script from home.\n\n"
        "The path is relative to the current folder.\n\n"
        "#User : And how do I fix it?  \n\n#DeepSeek :  \n\n"
        "> [!quote]-  \n> Join-Path with $PSScriptRoot.\n\n"
        "Build the path from $PSScriptRoot.\n"
    )
    assert notes_of(chat) == [
        ("Why does Import-Csv not find my file?", "The path is relative to the current folder."),
        ("And how do I fix it?", "Build the path from $PSScriptRoot."),
    ]
    found = candidate("#User : text")
    assert found is not None and found.shape == "#<label>:"
    assert candidate("#todo: buy milk") is None  # a tag, no role


def test_arrows_before_a_roles_label_are_a_marker_not_a_quote() -> None:
    """`>> USER: text` / `>> ASSISTANT: text` (Superpower ChatGPT's text export): a run of
    arrows before a role's label and colon is the marker's shape; before any other words it
    is a quote in a quote."""
    chat = (
        ">> USER: How do I pin a dependency in pip?\n\n"
        ">> ASSISTANT: Write it with == in requirements.txt.\n\n"
        "That keeps every install the same.\n\n"
        ">> USER: And in pyproject.toml?\n\n"
        ">> ASSISTANT: List it under dependencies with the same operator.\n"
    )
    assert notes_of(chat) == [
        (
            "How do I pin a dependency in pip?",
            "Write it with == in requirements.txt.\n\nThat keeps every install the same.",
        ),
        ("And in pyproject.toml?", "List it under dependencies with the same operator."),
    ]
    found = candidate(">> USER: text")
    assert found is not None and found.shape == ">> <label>:"
    assert candidate(">> Note: a quote in a quote") is None
    assert candidate(">> John: see below") is None  # a name, no role
    assert candidate(">> quoted text") is None


def test_a_page_copy_read_by_one_button_under_each_prompt() -> None:
    """`Edit` alone under every prompt is the prompt's toolbar, a button of one line; the
    compiler's error that opens the first prompt's paste is where that prompt starts, under
    the page's own short lines; after the last reply, the composer's lines and the page's
    footer (`... can make mistakes`) are the page's. The chat's name, listed in the sidebar,
    stands again in the header behind a screen reader's label glued to it."""
    parsed = parse_transcript(parse_text(EDIT_BUTTONS, "copy.txt"))
    assert parsed.title == "Generics in Go"
    assert [(note.question, note.answer.split("\n")[-1]) for note in parsed.notes] == [
        (
            "./main.go:12:5: error: cannot use x (variable of type int) as string value\n"
            "./main.go:14:2: error: missing return\n\n"
            "Why does the compiler reject my function?",
            "Convert the value before you return it.",
        ),
        ("Write a generic Map function for slices", "It allocates the result once."),
        (
            "What does the tilde in a constraint mean?",
            "It admits every type whose underlying type is the one named.",
        ),
    ]
    twice = EDIT_BUTTONS.split("What does the tilde")[0]
    assert "toolbar" not in shape_read(twice, "copy.txt")  # twice is not enough
    copy_alone = EDIT_BUTTONS.replace("\nEdit\n", "\nCopy\n")
    assert "toolbar" not in shape_read(copy_alone, "copy.txt")  # `Copy` also sits over code


def test_a_toolbar_under_two_prompts_or_in_markdown_is_no_page_copy() -> None:
    """Twice is not enough to tell a prompt's start from a guess; a Markdown file (a `## `
    heading, a fence) is no copy."""
    twice = PROMPT_TOOLBARS.split("What is the difference")[0]
    assert "toolbar" not in shape_read(twice, "copy.txt")
    markdown = "## Notes\n\n" + PROMPT_TOOLBARS
    assert "toolbar" not in shape_read(markdown, "copy.md")


def test_a_tools_name_before_transcript_over_its_speakers_is_a_banner() -> None:
    """`# Agent Shell Transcript` over `## User` / `## Agent` turns: the speakers and a kind of
    saved chat set aside, one name is left that the chat never speaks of: the tool's banner,
    no title. Where the chat speaks of that name, it is the chat's topic."""
    chat = (
        "# Agent Shell Transcript\n\n## User (10:01)\n\nHow do I undo a commit?\n\n"
        "## Agent (10:02)\n\nRun git reset --soft HEAD~1.\n"
    )
    assert parse_transcript(parse_text(chat, "chat.md")).title is None
    spoken = chat.replace("How do I undo a commit?", "How do I undo a commit from the shell?")
    assert parse_transcript(parse_text(spoken, "chat.md")).title == "Agent Shell Transcript"


def test_a_copied_dockerfile_line_ending_in_a_dot_is_code() -> None:
    """A page copy's `dockerfile` / `Copy` label over `COPY requirements.txt .`: an instruction
    in capitals and its arguments are code, not a sentence ending the block."""
    copy = (
        "**User:** How do I cache pip installs in Docker?\n\n"
        "**Assistant:** Copy the requirements first:\n\n"
        "dockerfile\nCopy\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "Rebuild the image and the layer is reused.\n"
    )
    notes = notes_of(copy)
    assert "```dockerfile\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n```" in (
        "\n".join(answer for _, answer in notes)
    )


#: A page copy where only the model's turns are named (a Chainlit app's, say): the label alone
#: over every reply, nothing over the prompts, the composer and its disclaimer at the end.
NAMED_REPLIES = (
    "Readme\nToggle theme\nTraceback (most recent call last):\n"
    '  File "app.py", line 3, in <module>\n'
    "KeyError: 'PORT'\nWarum findet er PORT nicht?\n{label}\n"
    "Die Variable ist in dieser Shell nicht gesetzt.\n\nSetze sie mit export PORT=8000.\n\n"
    "Schreib mir eine Funktion, die PORT mit einem Standardwert liest\n{label}\n"
    "Hier ist sie:\n\npython\n\nimport os\nport = int(os.environ.get('PORT', '8000'))\n"
    "Sie nimmt 8000, wenn nichts gesetzt ist.\n\n"
    "Was ist der Unterschied zwischen os.environ und os.getenv?\n{label}\n"
    "os.getenv gibt None zurück, os.environ[...] wirft KeyError.\n\n"
    "Type your message here...\n\n\nLLMs can make mistakes. Check important info.\n"
)


@pytest.mark.parametrize("label", ["Avatar for Assistant", "Assistant", "GPT-4o", "Claude 3.5"])
def test_a_page_copy_where_only_the_models_turns_are_named(label: str) -> None:
    """The same short line naming the model alone over every reply, right under the prompt:
    each prompt is the paragraph over it (a pasted traceback in the same paragraph kept, the
    page's `Readme` / `Toggle theme` over it left out), the label, the composer's placeholder
    and the disclaimer on no card, a `python` label's code rebuilt into a fence."""
    notes = notes_of(NAMED_REPLIES.format(label=label))
    assert [question for question, _ in notes] == [
        'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n'
        "KeyError: 'PORT'\nWarum findet er PORT nicht?",
        "Schreib mir eine Funktion, die PORT mit einem Standardwert liest",
        "Was ist der Unterschied zwischen os.environ und os.getenv?",
    ]
    assert notes[0][1] == (
        "Die Variable ist in dieser Shell nicht gesetzt.\n\nSetze sie mit export PORT=8000."
    )
    assert "```python\nimport os" in notes[1][1]
    assert notes[2][1] == "os.getenv gibt None zurück, os.environ[...] wirft KeyError."


def test_a_document_words_or_a_label_once_name_no_replies() -> None:
    """`Response` over each example of an API's notes heads a part of a document, and one
    `Assistant` line names nothing that recurs: neither is read as the model's label."""
    api = (
        "How do I list users?\nResponse\nGET /users returns a list of users.\n\n"
        "How do I add one?\nResponse\nPOST /users with a JSON body adds one.\n"
    )
    once = NAMED_REPLIES.format(label="Assistant").replace("\nAssistant\n", "\nX\n", 2)
    for text in (api, once):
        parsed = parse_transcript(parse_text(text, "notes.txt"))
        assert parsed.turns is None or "model's name alone" not in parsed.turns.shape


def test_a_yaml_label_holds_yaml_up_to_its_first_other_line() -> None:
    """Under a page copy's `yaml` label, mappings and lists are the block's code (no other
    language reads `port: 80` as code), up to the first line that is no YAML: a file's name
    there is the reply's, and may stand over the next block's label."""
    text = NAMED_REPLIES.format(label="Assistant").replace(
        "Hier ist sie:\n\npython\n\nimport os\nport = int(os.environ.get('PORT', '8000'))\n",
        "Hier ist sie:\n\nyaml\n\n- name: web\n  port: 8000\ncompose.override.yml\nyaml\n\n"
        "port: 9000\n",
    )
    reply = notes_of(text)[1][1]
    assert "```yaml\n- name: web\n  port: 8000\n```\ncompose.override.yml\n" in reply
    assert "```yaml\nport: 9000\n```" in reply


#: A chat app's export where a header of the sender's name (an id after it) and the message's
#: date and time opens every message (slackdump's text format of a Slack DM with a bot).
STAMPED_SENDERS = (
    "\n> Wiremu [U05QZ8H3K2M] @ 12/03/2026 21:04:37 Z:\n"
    "$ cargo run\nerror[E0382]: borrow of moved value: `v`\n\nHe aha te take?\n\n"
    "> ChatGPT Bot [U06B7RN4C1D] @ 12/03/2026 21:04:39 Z:\n"
    "Kua nekehia a `v` ki te taumahi.\n\nWhakamahia `&v`.\n\n"
    "> Wiremu [U05QZ8H3K2M] @ 12/03/2026 21:10:48 Z:\n"
    "Tuhia he taumahi hei tāpiri i ngā tau o te rārangi\n\n"
    "> ChatGPT Bot [U06B7RN4C1D] @ 12/03/2026 21:10:50 Z:\n"
    "Anei: `fn tapiri(v: &[i32]) -> i32 { v.iter().sum() }`\n"
)


def test_a_header_of_a_senders_name_and_the_messages_date_and_time_opens_each_message() -> None:
    """`> <name> [<id>] @ <date> <time> Z:` alone over every message: the senders recur, one is
    named by a role (`ChatGPT Bot`), the other is the user; the headers are on no card (where
    labels the messages hold, `error[E0382]:`, would otherwise be taken for speakers)."""
    assert notes_of(STAMPED_SENDERS) == [
        (
            "$ cargo run\nerror[E0382]: borrow of moved value: `v`\n\nHe aha te take?",
            "Kua nekehia a `v` ki te taumahi.\n\nWhakamahia `&v`.",
        ),
        (
            "Tuhia he taumahi hei tāpiri i ngā tau o te rārangi",
            "Anei: `fn tapiri(v: &[i32]) -> i32 { v.iter().sum() }`",
        ),
    ]


def test_stamped_headers_of_people_named_by_no_role_are_no_chat() -> None:
    """Two people's names and stamps (a meeting's minutes, a chat between friends) name no
    model: no sender's header opens a turn."""
    text = STAMPED_SENDERS.replace("ChatGPT Bot", "Hemi Walker")
    parsed = parse_transcript(parse_text(text, "minutes.txt"))
    assert parsed.turns is None or "<sender> <date> <time>" not in parsed.turns.shape


def test_a_page_status_of_the_chats_age_and_model_names_no_deck() -> None:
    """`less than a minute ago • llama3.1:8b` over the chat, listed twice (the sidebar's and the
    header's), is the page's status, not the chat's name; `llama3.1:8b` alone over the page's
    footer, under the last reply, is its model menu."""
    text = (
        "Sessions\nless than a minute ago • llama3.1:8b\n\nSettings\n\n"
        "less than a minute ago • llama3.1:8b\n\n\n\nYou\n \nWhat is a Rust trait?\n\n"
        "Assistant\n \nA trait names behaviour types share.\n\nYou\n \nAnd a derive?\n\n"
        "Assistant\n \nA derive writes a trait's impl for you.\n\nllama3.1:8b\n\n\n\n\n"
        "Write literally anything\n\n\nRun\n"
    )
    parsed = parse_transcript(parse_text(text, "copy.txt"))
    assert parsed.turns is not None and parsed.turns.title is None
    assert [note.answer for note in parsed.notes][-1] == "A derive writes a trait's impl for you."


def test_a_users_name_alone_over_every_prompt_is_the_users_marker() -> None:
    """Where the model's name stands alone over every reply, the same name with no role word
    (`Gioanin`) alone right over every prompt, once between two replies, is the user's: on no
    card, and the page's lines over the first one (the chat's name in its header) are the
    page's; a code block's lowercase label right under a list's last line, over a gap, is
    rebuilt as a fence."""
    text = (
        "Leggere un file\n\nGioanin\nCome si legge un file in Dart?\n\n\nGPT-4o\n"
        "Con File.readAsString:\nfinal: il valore si fissa una volta.\n"
        "dart\n\n\nfinal testo = await File('a.txt').readAsString();\n\n"
        "Gioanin\nE la differenza tra final e const?\n\n\nGPT-4o\n"
        "const si conosce alla compilazione, final quando il programma gira.\n"
    )
    notes = notes_of(text)
    assert [question for question, _ in notes] == [
        "Come si legge un file in Dart?",
        "E la differenza tra final e const?",
    ]
    assert "```dart\nfinal testo = await File('a.txt').readAsString();\n```" in notes[0][1]
    assert "Gioanin" not in notes[0][1] and "GPT-4o" not in notes[1][1]


#: FastGPT's Markdown export: `Role: <role>` alone over every message, a rule between messages.
KEYED_ROLES = (
    "Role: Human\n$ go build\n./main.go:9:2: undefined: fmt\n\nPoukisa li pa konpile?\n\n"
    '-------\n\nRole: AI\nOu bliye `import "fmt"`.\n\n-------\n\n'
    "Role: Human\nEkri yon fonksyon ki ranvèse yon chèn\n\n-------\n\n"
    "Role: AI\nMen li:\n\n```go\nfunc ranvese(s string) string { return s }\n```\n"
)


def test_a_key_and_a_role_alone_over_every_message_is_its_marker() -> None:
    """`Role: Human` / `Role: AI` alone on a line after a rule or a blank line, the roles
    taking turns twice: the lines are markers, on no card, and the rules are separators."""
    assert notes_of(KEYED_ROLES) == [
        (
            "$ go build\n./main.go:9:2: undefined: fmt\n\nPoukisa li pa konpile?",
            'Ou bliye `import "fmt"`.',
        ),
        (
            "Ekri yon fonksyon ki ranvèse yon chèn",
            "Men li:\n\n```go\nfunc ranvese(s string) string { return s }\n```",
        ),
    ]


def test_a_keyed_role_inside_a_message_or_once_each_reads_no_such_turns() -> None:
    """A pasted `role: user` inside a message breaks the roles' turns, and one `Role: Human`
    over one `Role: AI` is no recurring shape: neither is read as a key over every message."""
    pasted = KEYED_ROLES.replace(
        "Ou bliye", "Chak mesaj gen:\n\nRole: Human\n\nkòm premye liy. Ou bliye"
    )
    once = KEYED_ROLES.split("Role: Human\nEkri")[0]
    for text in (pasted, once):
        parsed = parse_transcript(parse_text(text, "chat.md"))
        assert parsed.turns is None or ": <role>` over every message" not in parsed.turns.shape


#: prompt.nvim's chat file: a label framed by the same block on both sides (`█ ○ user: █`), the
#: model named by its OpenRouter id, the tool's `█ $ usage: █` record after every reply.
FRAMED_MARKERS = (
    "[info] compiling 1 Scala source to /home/ana/kasa/target/scala-3.3.4/classes ...\n"
    "[error] Found:    BigDecimal\n\nCzamu to niy dziŏło?\n\n"
    "█ ● anthropic/claude-opus-4.6: █\n\nBo `.sum` zwrŏcŏ `BigDecimal`.\n\n"
    "█ $ usage: █\n\nTokens: 452 prompt + 618 completion = 1070 total | Cost: $0.0177\n\n"
    "█ ○ user: █\n\nNapisz mi funkcjo, kerŏ zgrupuje ceny\n\n"
    "█ ● anthropic/claude-opus-4.6: █\n\nTukej mŏsz: `groupMapReduce`.\n\n"
    "█ $ usage: █\n\nTokens: 1146 prompt + 597 completion = 1743 total | Cost: $0.0207\n\n"
    "█ ○ user: █\n\n"
)


def test_a_label_framed_by_the_same_symbol_on_both_sides_is_a_marker() -> None:
    """`█ ○ user: █` / `█ ● anthropic/claude-opus-4.6: █`: the frame, the icon and the vendor
    before the model's name are the tool's; a framed label of no speaker's that recurs (`█ $
    usage: █`) is the tool's record, on no card with what it holds; a log's `1.10.7`-like
    version is no date, so the first prompt's log is the prompt's."""
    assert notes_of(FRAMED_MARKERS) == [
        (
            "[info] compiling 1 Scala source to /home/ana/kasa/target/scala-3.3.4/classes ...\n"
            "[error] Found:    BigDecimal\n\nCzamu to niy dziŏło?",
            "Bo `.sum` zwrŏcŏ `BigDecimal`.",
        ),
        ("Napisz mi funkcjo, kerŏ zgrupuje ceny", "Tukej mŏsz: `groupMapReduce`."),
    ]


def test_a_version_number_is_no_date() -> None:
    """`sbt 1.10.7`, `v2.3.4` name versions; `2026-03-12`, `12.03.2026`, `3/12/26` are dates."""
    assert not turn_markers.DATE_TIME.search("welcome to sbt 1.10.7 (Java 21.0.5)")
    assert not turn_markers.DATE_TIME.search("upgrade to v2.3.4")
    for date in ("2026-03-12", "12.03.2026", "3/12/26", "2026年3月12日"):
        assert turn_markers.DATE_TIME.search(date), date


#: Chatpad's page copied whole: `<name> - <n> tokens ~ $<cost>` and the sidebar's chats over a
#: gap of four blank lines, three under every prompt, `N words` under every reply.
MEASURED_REPLIES = (
    "Ka Hewa Python - 2235 tokens ~ $0.00447\n\nKa Hewa Python\nTraceback (most recent\n\n\n"
    "Nā Papa\nHe aha ka papa?\n\n\n\n"
    "Traceback (most recent call last):\nKeyError: 'a'\n\nNo ke aha i hāʻule ai?\n\n\n\n"
    "ʻAʻohe kī 'a' i loko o ka puke wehewehe.\n\n\nE hoʻohana iā d.get('a').\n\n240 words\n\n\n"
    "E kākau i hana e helu ana i nā huaʻōlelo\n\n\n\n"
    "Eia:\n\n\ndef helu(t):\n    return len(t.split())\nHoʻi ka helu.\n\n301 words\n\n"
)


def test_a_measure_under_every_reply_ends_it_and_the_widest_gap_starts_the_first_prompt() -> None:
    """`240 words` alone under every reply, the same words but for the number: each ends a
    reply and the next prompt starts under it; the gap under every later prompt (three blank
    lines) is wider than any inside a reply (two), so the first prompt starts under the last
    such gap over it, the page's header and sidebar above it on no card, and the header's
    name before its measures (` - 2235 tokens ~ $0.00447`), listed again, is the title."""
    parsed = parse_transcript(parse_text(MEASURED_REPLIES, "copy.txt"))
    assert [(note.question, note.answer) for note in parsed.notes] == [
        (
            "Traceback (most recent call last):\nKeyError: 'a'\n\nNo ke aha i hāʻule ai?",
            "ʻAʻohe kī 'a' i loko o ka puke wehewehe.\n\n\nE hoʻohana iā d.get('a').",
        ),
        (
            "E kākau i hana e helu ana i nā huaʻōlelo",
            "Eia:\n\n\ndef helu(t):\n    return len(t.split())\nHoʻi ka helu.",
        ),
    ]
    assert parsed.turns is not None and parsed.turns.title == "Ka Hewa Python"


@pytest.mark.parametrize("user, model, status", [("❯", "●", "✻"), ("▶", "◆", "⏱")])
def test_a_terminals_symbols_before_each_message_take_turns(
    user: str, model: str, status: str
) -> None:
    """A chat as a terminal tool draws it: a symbol of the tool's before each message's first
    line, its other lines indented by two spaces, two symbols taking turns (the user's asks and
    is shorter, whichever symbols the tool draws), a third's one-line status on no card, the
    tool's banner over the first message the file's header."""
    text = (
        " ▐▛███▜▌   Tool v1.0\n\n"
        f"{user} Traceback (most recent call last):\n  KeyError: 'a'\n  Kial ĝi falas?\n\n"
        f"{model} La vortaro ne havas la ŝlosilon 'a'.\n\n  Uzu d.get('a').\n\n"
        f"{status} Cooked for 11s\n\n"
        f"{user} Skribu funkcion kiu kalkulas vortojn\n\n"
        f"{model} Jen:\n\n    def kalkulu(t):\n        return len(t.split())\n\n"
        f"{status} Cooked for 8s\n"
    )
    assert notes_of(text) == [
        (
            "Traceback (most recent call last):\nKeyError: 'a'\nKial ĝi falas?",
            "La vortaro ne havas la ŝlosilon 'a'.\n\nUzu d.get('a').",
        ),
        (
            "Skribu funkcion kiu kalkulas vortojn",
            "Jen:\n\n  def kalkulu(t):\n      return len(t.split())",
        ),
    ]


def test_a_bulleted_list_of_one_symbol_is_no_terminals_chat() -> None:
    """`• ` before items whose lines hang two spaces under them: one symbol, no turns."""
    text = (
        "Notes\n\n• Rust traits\n  name behaviour types share.\n\n• Derive\n  writes impls.\n\n"
        "• Lifetimes\n  name how long a borrow lives.\n\n• Generics\n  are types as parameters.\n"
    )
    parsed = parse_transcript(parse_text(text, "notes.txt"))
    assert parsed.turns is None or "<symbol>" not in parsed.turns.shape


def test_a_pictures_alt_text_over_every_marker_and_the_model_menu_are_the_pages() -> None:
    """`User profile` / `You` over every prompt and `Ollama profile` / `Ollama llama3:8b` over
    every reply (a picture's alt text over each speaker's name, the model named by its tag):
    the alt text right over every marker of a role is the page's, and the model menu's
    `llama3:8b`, seen once over the chat, is no reply."""
    text = (
        "New Chat\nSearch\n\nRust Traits\n\nllama3:8b\n\n\nSet as default\n"
        "User profile\nYou\nWhat is a trait in Rust?\n"
        "Ollama profile\nOllama llama3:8b\nA trait names behaviour that types share.\n\n"
        "User profile\nYou\nAnd what does derive do?\n"
        "Ollama profile\nOllama llama3:8b\nIt writes a trait's impl for you.\n"
    )
    assert notes_of(text) == [
        ("What is a trait in Rust?", "A trait names behaviour that types share."),
        ("And what does derive do?", "It writes a trait's impl for you."),
    ]


def test_a_column_log_of_addresses_under_the_chats_name_is_read() -> None:
    """Gajim's history export: `History for <address>` over `<date> <time> <name>: ` lines,
    the bot named by its address (`tallalt@bot.tizi.example`: `@` and `.` in a name) and the
    user by the interface's word for `You` (`Kečč·mm`, a middle dot in it)."""
    text = (
        "History for tallalt@bot.tizi.example\n\n"
        "2026-08-12 10:14:31 Kečč·mm: $ mvn package\n[ERROR] release version 21 not supported\n"
        "Acimi ur yeddi ara?\n"
        "2026-08-12 10:14:52 tallalt@bot.tizi.example: Maven yettazzal s JDK nniḍen.\n"
        "Sbadu JAVA_HOME.\n"
        "2026-08-12 10:21:08 Kečč·mm: D acu i d amgired gar compile d test?\n"
        "2026-08-12 10:21:33 tallalt@bot.tizi.example: compile i yal tikkelt, test i yiremden.\n"
    )
    assert notes_of(text) == [
        (
            "$ mvn package\n[ERROR] release version 21 not supported\nAcimi ur yeddi ara?",
            "Maven yettazzal s JDK nniḍen.\nSbadu JAVA_HOME.",
        ),
        (
            "D acu i d amgired gar compile d test?",
            "compile i yal tikkelt, test i yiremden.",
        ),
    ]


def test_a_question_over_a_pasted_column_log_stays_a_question() -> None:
    """A question above time-and-name lines is the user's own text, the log pasted under it:
    the log is no chat of its own (a few capitalized words with no sentence's end may name the
    chat over a log; a question may not)."""
    text = (
        "Why does the bot answer twice here?\n\n"
        "2026-08-12 10:14:31 ana: !ping\n2026-08-12 10:14:32 bot: pong\n"
        "2026-08-12 10:14:33 bot: pong\n2026-08-12 10:15:01 ana: !ping\n"
        "2026-08-12 10:15:02 bot: pong\n"
    )
    parsed = parse_transcript(parse_text(text, "notes.txt"))
    assert parsed.turns is None or "<name>" not in parsed.turns.shape


def test_a_heading_that_only_names_the_model_names_no_deck() -> None:
    """mind-wave's `# : gpt-4` over the chat is the tool's model line, no title."""
    text = (
        "# : gpt-4\n\n# > User: Why does gethash return NIL?\n\n"
        "## > Assistant: The key is a fresh string; use an equal hash table.\n\n"
        "# > User: And defvar or defparameter?\n\n"
        "## > Assistant: defvar keeps a value already bound; defparameter sets it again.\n"
    )
    parsed = parse_transcript(parse_text(text, "chat.chat"))
    assert parsed.turns is not None and parsed.turns.title is None
    assert [note.question for note in parsed.notes] == [
        "Why does gethash return NIL?",
        "And defvar or defparameter?",
    ]


@CHAT_SETTINGS
@given(
    turn_pairs(2), st.sampled_from(["", "**Summary**\n\nThat is the gist.", "**Note:** mind it."])
)
def test_prompts_wrapped_whole_in_bold_are_the_users_turns(
    pairs: list[tuple[str, str]], reply_tail: str
) -> None:
    """A tool that marks the user's turns only by wrapping each in `**` (LlamaBot): each wrapped
    paragraph (a pasted log or code and blank lines inside it too) is a prompt, unwrapped; a
    reply's bold heading or `**Note:**` stays in the reply."""
    assume(any(question.endswith(("?", "？")) or "\n" in question for question, _ in pairs))
    assume(
        all(
            not question[:1].isupper()
            or "\n" in question
            or question.endswith(("?", "？"))
            or len(question) >= 40
            for question, _ in pairs
        )
    )
    answers = [answer + ("\n\n" + reply_tail if reply_tail else "") for _, answer in pairs]
    text = "".join(
        f"**{question}**\n\n{answer}\n\n"
        for (question, _), answer in zip(pairs, answers, strict=True)
    )
    expected = [(question, answer) for (question, _), answer in zip(pairs, answers, strict=True)]
    assert notes_of(text) == expected, text


def test_bold_headings_of_a_pasted_reply_are_no_prompts() -> None:
    """Bold lines of a sentence's length, none asking and none running over several lines:
    a reply's headings, not a chat's prompts."""
    text = (
        "**Understanding Rust's ownership model in practice**\n\nOwnership rules.\n\n"
        "**Borrowing rules and how the compiler enforces them**\n\nOne mutable reference.\n"
    )
    assert find_turns_in(text.split("\n")) is None


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from(["US", "JD", "Anonymous"]),
    st.sampled_from(["Avatar", "Bot avatar", "AI profile picture"]),
    st.booleans(),
)
def test_a_pages_avatars_over_every_message_are_the_speakers_labels(
    pairs: list[tuple[str, str]], initials: str, avatar: str, sidebar: bool
) -> None:
    """A page copied whole whose only marks of a turn are the avatars: an image's alternative
    text (`Avatar`) over every reply, an image-less avatar's initials (`US`) over every prompt,
    each right over its message, the replies the longer; the page's sidebar over the first is
    on no card."""
    more = "\n\n" + "\n".join(f"Step {n} of the reply." for n in range(1, 6))
    pairs = [(question, answer + more) for question, answer in pairs]
    out = ["New chat", "Your chats", "", "first chat", "", "llama3.2:latest"] if sidebar else []
    for question, answer in pairs:
        out += [initials, question, "", avatar, answer, ""]
    text = "\n".join(out) + "\n"
    assert notes_of(text) == pairs, text


def test_a_components_docs_with_an_avatar_section_are_no_chat() -> None:
    """`Avatar` recurring as a section of notes, with no other line taking turns with it."""
    text = (
        "Avatar\nShows a user's picture.\n\nProps\nsize, src.\n\n"
        "Avatar\nFalls back to initials.\n\nExample\n<Avatar />\n"
    )
    assert find_turns_in(text.split("\n")) is None


@CHAT_SETTINGS
@given(turn_pairs(2), st.sampled_from(["## [{n}] {}...", "## {n}. {}…", "# {}"]))
def test_a_heading_that_repeats_the_next_prompts_start_is_on_no_card(
    pairs: list[tuple[str, str]], heading: str
) -> None:
    """A tool that heads every exchange with the prompt's first words, cut (ChatGPT Web
    Share's `## [2] Write me a ...`): the heading that ends the reply before is no part of it."""
    assume(all(len(" ".join(question.split())) >= 16 for question, _ in pairs))
    out = []
    for n, (question, answer) in enumerate(pairs, start=1):
        echo = " ".join(question.split())[:14]
        out += [heading.format(echo, n=n), "", "### User", "", question, "", "### Assistant"]
        out += ["", answer, ""]
    text = "\n".join(out) + "\n"
    assert notes_of(text) == pairs, text


def test_a_replys_last_heading_that_repeats_no_prompt_stays() -> None:
    text = (
        "### User\n\nhow do I read a file line by line in Go?\n\n### Assistant\n\nUse bufio.\n\n"
        "## Next steps\n\n### User\n\nand how do I write one line by line?\n\n"
        "### Assistant\n\nUse bufio.Writer.\n"
    )
    assert notes_of(text)[0][1] == "Use bufio.\n\n## Next steps"


@CHAT_SETTINGS
@given(
    turn_pairs(2),
    st.sampled_from(["turn", "", "chat-message"]),
    st.sampled_from(["role", "speaker"]),
)
def test_a_fenced_header_of_keys_over_every_message_is_its_marker(
    pairs: list[tuple[str, str]], info: str, key: str
) -> None:
    """A tool that heads every message with a fenced block of `key: value` lines, one naming the
    speaker (Inline AI Chat Notebook's `` ```turn `` / `role: user`): the blocks are markers,
    their other keys on no card, a system message's text too."""
    out = [f"```{info}", f"{key}: system", "```", "You are a helpful assistant.", ""]
    for question, answer in pairs:
        out += [f"```{info}", f"{key}: user", "```", question, ""]
        out += [f"```{info}", f"{key}: assistant", "model: llama3", "temp: 0.7", "```", answer, ""]
    out += [f"```{info}", f"{key}: user", "```", ""]
    text = "\n".join(out) + "\n"
    assert notes_of(text) == pairs, text


@pytest.mark.parametrize("opening", ["The API takes messages like this:\n\n", ""])
def test_a_code_block_of_chat_keys_in_a_note_is_no_header(opening: str) -> None:
    """A note that shows a chat API's messages in two code blocks: no chat's headers."""
    text = (
        f"{opening}```yaml\nrole: user\n```\n\nand replies with:\n\n"
        "```yaml\nrole: assistant\n```\n\nwhat does role mean?\n\nIt names the speaker.\n"
    )
    assert notes_of(text) == [("what does role mean?", "It names the speaker.")]


def test_a_copied_code_blocks_label_reads_past_its_blank_lines_and_variables() -> None:
    """A page copy's code label (`tcl`) under a heading the copy made plain, over code whose
    blank lines kept their spaces and whose `$name`s look like math: the block is fenced."""
    text = (
        "You\nhow do I swap two variables in Tcl through a proc?\n\n"
        "qwen2.5-coder:7b\nUse upvar.\n\nUsage example\ntcl\n"
        "proc swap {a b} {  \n    upvar 1 $a x $b y  \n    lassign [list $y $x] x y  \n}  \n  \n"
        "swap p q  \nThat swaps them.\n\n"
        "You\nand with global?\n\nqwen2.5-coder:7b\nglobal only reaches ::.\n"
    )
    answer = notes_of(text)[0][1]
    assert "```tcl\nproc swap {a b} {" in answer, answer
    assert "\ntcl\n" not in answer, answer


@pytest.mark.parametrize("symbol", ["❯", "›"])
def test_a_terminals_prompt_symbol_before_each_prompt_reads_as_a_repls_prompt(symbol: str) -> None:
    text = (
        f"{symbol} what is a closure?\n\nA function with the scope it was made in.\n\n"
        f"{symbol} give me an example\n\n```js\nconst f = () => 1\n```\n"
    )
    assert notes_of(text) == [
        ("what is a closure?", "A function with the scope it was made in."),
        ("give me an example", "```js\nconst f = () => 1\n```"),
    ]


SYSTEM_PROMPT_AFTER = (
    "## User\n\nWhy is the join empty?\n\n## Assistant\n\nThe keys differ in case.\n\n"
    "## User\n\nHow do I fix it?\n\n## Assistant\n\nLowercase both keys first.\n"
    "<br><br>\n<details><summary>System prompt</summary>\n\nYou are a helpful data assistant.\n\n"
    "</details>\n"
)


def test_the_system_prompt_a_tool_writes_after_the_last_reply_is_on_no_card() -> None:
    """chatlas writes the chat's system prompt after the last reply, in a `<details>` block
    titled `System prompt` under `<br><br>`: the tool's, even once; a block of another title
    there is the reply's own (`<summary>Solution</summary>`)."""
    assert notes_of(SYSTEM_PROMPT_AFTER) == [
        ("Why is the join empty?", "The keys differ in case."),
        ("How do I fix it?", "Lowercase both keys first."),
    ]
    solution = SYSTEM_PROMPT_AFTER.replace("System prompt", "Solution")
    assert "<summary>Solution</summary>" in notes_of(solution)[1][1]


TAB_INDENTED = (
    'You: I get this:\n\tTraceback (most recent call last):\n\t  File "a.py", line 1\n'
    "\tKeyError: 'id'\n\n\twhy does it fail?\nClaude: The dict has no `id` key.\n\t\n"
    '\tUse `.get`:\n\t\n\t```python\n\trow.get("id")\n\t```\n'
    'You: and with a default?\nClaude: Pass it second.\n\t\n\tLike `row.get("id", 0)`.\n'
)


def test_an_indentation_before_every_line_of_every_message_is_the_tools() -> None:
    """claude.vim writes a tab before every line of a message after its first (`You: text` /
    `<tab>more`): read without it, the pasted log is the question's and the reply's Markdown
    renders as Markdown, not as one indented code block."""
    assert notes_of(TAB_INDENTED) == [
        (
            'I get this:\nTraceback (most recent call last):\n  File "a.py", line 1\n'
            "KeyError: 'id'\n\nwhy does it fail?",
            'The dict has no `id` key.\n\nUse `.get`:\n\n```python\nrow.get("id")\n```',
        ),
        ("and with a default?", 'Pass it second.\n\nLike `row.get("id", 0)`.'),
    ]


def test_indented_code_alone_under_the_markers_keeps_its_indentation() -> None:
    """Where only code goes on under the markers (no reply's words indented), the indentation
    is the code's: an indented code block."""
    chat = (
        "User: run this\n    make all\n\nAssistant: it prints\n    make: Nothing to be done\n\n"
        "User: and now?\n\nAssistant: it is built.\n"
    )
    assert notes_of(chat)[0] == (
        "run this\n    make all",
        "it prints\n    make: Nothing to be done",
    )
