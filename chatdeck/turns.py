"""The turn-structure pass: find, in a file itself, the lines that mark a chat's turns, and what
repeats between the turns (separators, metadata) or opens a reply (reasoning).

A saved chat is a run of turns, each opened by a marker line: `## 👤 You`, `**User**`,
`### role::assistant`, `You said:`, `[Timestamp: ...]` under each message, a `---` after it. No
list of formats is kept here. A marker is recognized by its *shape*: every short line is reduced
to a signature (its heading level, bold, brackets, a trailing colon) and a label (the words left:
`You`, `Пользователь`, `Asistente SQL`, `role::user`), and a shape is a file's turn marker when its
lines recur through the file, alternate between two to four labels, and open blocks of content.
Which label is the user's is decided on evidence: the user's blocks are short and read as
questions, the user usually speaks first, and a label that is a role word in some language
(`user`, `usuario`, `用户`, `🤖`) is a hint, never the only reason. A tool that writes each of the
user's lines behind the same prefix (aider's `#### `, a REPL's `>>> `) is found by its runs of
prefixed lines; a REPL's own prompt (`llm> `) before the first line only, by the line the tool
writes under every prompt.

Then, per turn: lines at a turn's edges that recur in the same form in other turns (a `---`, a
`<hr>`, a `[Timestamp: ...]`, a date line, a `> Tokens: ...` report) are separators and
metadata; a reply that opens with a collapsible block (`<details>`), a tag of its own
(`<think>`), a "Thought for 12 seconds" line or a thought-process quote, and goes on after it,
opens with the model's reasoning. What comes before the first turn is the file's header: its
title (front matter `title:`, a metadata `title:`, a heading's or link's text) and metadata. A
page copy's `Copy code` lines are rebuilt into fenced code, and its footer is left out.

Nothing here decides what a question is in a file without such a structure, and the pass is
linear in the file: every line is read a fixed number of times.
"""

from __future__ import annotations

import bisect
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from chatdeck.agent_logs import Record, read_agent_log
from chatdeck.columns import ALONE, Columns, outside_fences, read_columns, text_lines
from chatdeck.pasted_code import OUTPUT, OUTPUT_RECORD, bare_code, code_line
from chatdeck.pasted_code import _prose as words_line  # (a line of words, as a paste's)
from chatdeck.xml_chats import SPEAKER_NAMES, XmlChat, read_xml_chat

# --- What the pass finds --------------------------------------------------------------------------

USER, ASSISTANT, OTHER = "user", "assistant", "other"

#: Why a line is on no card (the dry-run's words).
SEPARATOR = "separator"
METADATA = "metadata"
REASONING = "reasoning"
INTERFACE = "interface line"
MARKER = "turn marker"
HEADER = "before the first turn"
WRAPPER = "a fence the tool wraps every message in"
ENCLOSING = "the block the chat is written in"
FOOTER = "the file's footer"
CONTEXT = "context: a first message the model never answered"


@dataclass(frozen=True)
class Turns:
    """A file's turn structure, by 0-based line."""

    #: How the markers look (for the dry-run): "`## <label>`", "`**<label>**:`".
    shape: str
    #: Each label as first written -> its role (user, assistant, other).
    labels: dict[str, str]
    #: The user's turns: the line each starts on -> the question's text on that line (None: the
    #: question is on the lines under the marker).
    user: dict[int, str | None]
    #: Each user turn's line -> the line its answer starts on (an assistant marker, or the first
    #: line after a turn of prefixed lines).
    answers: dict[int, int]
    #: Assistant marker lines -> the text on them after the marker ("" if none).
    assistant: dict[int, str]
    #: Lines on no card -> why.
    left_out: dict[int, str]
    #: Lines a card shows differently (a prefix removed, `Copy code` rebuilt into a fence).
    rewrites: dict[int, str]
    title: str | None = None
    title_line: int | None = None
    #: The marker lines, for the dry-run: line -> (label, role).
    markers: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: Turns whose marker a tool glued to the end of the previous message's last line: the
    #: turn's line -> the text before the marker there, the end of the previous message.
    glued: dict[int, str] = field(default_factory=dict)


# --- Words: hints, never the only reason ----------------------------------------------------------

USER_WORDS = frozenset(
    "user you me human prompt question i 我 用户 用戶 使用者 你 ユーザー あなた 사용자 나 "
    "пользователь я вы ты usuario usuaria tú yo utilisateur utilisatrice vous moi benutzer "
    "nutzer du ich utente io usuário você eu gebruiker użytkownik kullanıcı ben المستخدم أنت "
    "उपयोगकर्ता mensch человек користувач uživatel užívateľ utilizator pengguna χρήστης "
    "משתמש کاربر صارف ব্যবহারকারী பயனர் ผู้ใช้ mtumiaji käyttäjä felhasználó bruker "
    "användare bruger notandi kasutaja lietotājs naudotojas korisnik корисник потребител "
    "erabiltzailea usuari".casefold().split()  # (as `_words` reads a label: Greek's final σ)
)
ASSISTANT_WORDS = frozenset(
    "assistant ai bot model response answer chatgpt claude gemini bard copilot deepseek llama "
    "mistral qwen kimi grok perplexity gpt o1 o3 o4 agent 助手 助理 回答 模型 アシスタント "
    "通义千问 通义 千问 文心一言 豆包 元宝 智谱清言 "
    "어시스턴트 ассистент помощник ии бот asistente assistente assistent asystent asistan "
    "المساعد सहायक ki ia асистент asistent asisten pembantu βοηθός עוזר دستیار معاون "
    "সহকারী সহায়ক உதவியாளர் ผู้ช่วย msaidizi avustaja asszisztens assistentti "
    "асістэнт асистентот aðstoðarmaður assistents asistentas laguntzailea".casefold().split()
)
#: Words that only say a speaker spoke, beside a role word on a marker line (`You said`).
SPEAKING_WORDS = frozenset("said says wrote writes asked asks replied replies answered".split())
#: The user's role words that are pronouns: a short plain line that opens with one and goes on
#: in other words is a sentence (`I see.`).
PRONOUNS = frozenset(
    "i me you yo tú ich du я ты вы io eu você ben moi vous 我 你 나 あなた أنت".split()
)
OTHER_WORDS = frozenset(
    "system reasoning thinking thoughts thought context tool function tools metadata 系统 "
    "思考 推理 система sistema système".split()
)
#: A word that makes a speaker's label the speaker's reasoning (`AI_REASON`, `model thinking`).
REASONING_WORDS = frozenset("reason reasoning think thinking thought thoughts".split())
USER_EMOJI = frozenset("👤🧑🙋👨👩🙂😀🗣")
#: A speech balloon (💬) is either side's: no hint.
ASSISTANT_EMOJI = frozenset("🤖✨🧠")
#: Labels that are the user's own `Q:` / `A:` markers: the explicit rule reads those.
QA_LABELS = frozenset({"q", "a", "question", "answer", "问", "答", "问题", "回答", "答案"})

# --- Line shapes ----------------------------------------------------------------------------------

HEADING = re.compile(r"^ {0,3}+(#{1,6})(?:[ \t]++(.*))?$")
#: An Org heading (`** User:`). One star and a space is a Markdown list item as well, so only two
#: to six stars read as a heading; in Markdown such a line is literal stars, never bold.
ORG_HEADING = re.compile(r"^(\*{2,6}+)[ \t]++(\S.*)$")
#: Org's first level (`* `), read as a heading only with a lead and a label's colon
#: (`_led_candidate`).
ORG_TOP_HEADING = re.compile(r"^(\*)[ \t]++(\S.*)$")
#: An Org headline's tags, at its end after spaces (`** Copilot   :copilot:work:`).
ORG_TAGS = re.compile(r"[ \t]++:(?:[\w@#%]++:)++[ \t]*+$")
#: A time stamp in brackets set in emphasis before a heading's label (`*[20:41:07]* You`).
EMPHASIZED_STAMP = re.compile(r"^([*_/]{1,2}+)(\[[^\[\]\n]{1,40}+\])\1(?=[ \t])")
#: What a tool writes after the name, set off by a middle dot or a bar: the model, a mode
#: (`Developer · *GPT-4o*`). Its words hint at the speaker; the label is the name.
ANNOTATION = re.compile(r"[ \t]++[·|•][ \t]++([^·|•]{1,40}+)$")
#: A REPL's prompt before the first line of what the user typed: a word, maybe with settings
#: in parentheses, then `>` (`llm> `, `ChatGPT(gpt-4.1/General)> `).
REPL_PROMPT = re.compile(r"^([^\W\d_][^\s<>]{0,60}?>)[ \t]")
#: Org's in-file keywords (`#+title: ...`, `#+author: ...`) and the lines that open and close
#: one of its blocks (`#+begin_ai` ... `#+end_ai`).
ORG_KEYWORD = re.compile(r"^#\+\w+:")
ORG_BLOCK = re.compile(r"^[ \t]*+#\+(begin|end)_(\w+)\b", re.I)
LIST_OR_TABLE = re.compile(r"^[ \t]*+(?:[-*+][ \t]|\d{1,9}+[.)][ \t]|\|)")
TAG = re.compile(r"<[^<>\n]{0,200}+>")
#: `>>> user`, `<<< assistant`: a speaker's word alone after a run of arrows (the direction of the
#: message), not a quote; both directions are one shape.
ARROW_LABEL = re.compile(r"^(?:>>>|<<<)[ \t]++([^\W\d_]\w{0,30}+)[ \t]*+$")
#: A comment alone on its line that names the message's role in an attribute
#: (`<!-- SYSTEMSCULPT-MESSAGE-START role="user" message-id="..." -->`): a hidden marker. (A
#: tag's, `<div data-author="me">`, is HTML a note shows or a template, not a tool's marker.)
ROLE_ATTRIBUTE = re.compile(
    r"^<(!--[ \t]*+[\w.:-]++)[^<>]*?[ \t]"
    r"((?:[\w-]*-)?(?:role|author|sender|speaker))=[\"']([^\"'<>]{1,30}+)[\"'][^<>]*+>$"
)
#: An Obsidian callout folded shut, of a quote's or the reasoning's type (`> [!quote]-`): at
#: the top of a reply, a tool's reasoning (a `[!tip]-` there may hold the answer itself).
FOLDED_CALLOUT = re.compile(
    r"^>[ \t]*+\[!(?:quote|cite|thinking|thoughts?|reasoning|think)\]-[ \t]*+$", re.I
)
#: `#User : text`: a tag glued to a label, a space before its colon (a hashtag in a note,
#: `#todo: ...`, has none).
TAGGED_LABEL = re.compile(r"^#[^\W\d_][\w-]{0,30}+[ \t]++:")
#: A comment that opens the model's reasoning and runs over lines of its own (`<!-- REASONING`).
REASONING_COMMENT = re.compile(r"^<!--[ \t]*+(\w[\w ]{0,30}+)$")
#: Control characters (not a tab) a tool may set around a marker to find it again.
CONTROL_ENDS = "".join(map(chr, [*range(0, 9), *range(11, 32), 127]))
#: `>> USER: text`: a run of arrows before a role's label and its colon (the message's
#: direction), not a quote in a quote; `>>>User:` glued too.
ARROW_LEAD = re.compile(r"^(>{2,3}+|<{2,3}+)[ \t]*+(?=[^\W\d_])")
#: A quoted line of a time and a name set off by a middle dot or a bar: a message's header
#: (`_quoted_alone`).
QUOTED_HEADER = re.compile(r"^>[ \t]++([^·|•]{4,40}?)[ \t]++[·|•][ \t]++([^\W\d_][^·|•]{0,39}+)$")
QUOTED_SHAPE = "> <time> · <label>"
#: `💬:`, `🤖:[Agent name]`: an emoji that is the label, with the marker's colon after it.
LEADING_ICON = re.compile(r"^[^\x00-\u2000\w]++[ \t]*+")
EMOJI_LABEL = re.compile(r"^([^\w\s:：]{1,8}?)[ \t]*+[:：][ \t]*+(.*)$")
#: `Grok [DEEPSEARCH]`, `[Agent name]` after a marker's colon: a note on the name, not the label.
BRACKET_NOTE = re.compile(r"(?:(?<=\S)[ \t]++|^)\[[^\[\]\n]{1,60}+\]$")
PARENTHETICAL = re.compile(r"[ \t]*+[(（][^()（）]{0,60}+[)）][ \t]*+$")


def _mark_ranges(*blocks: tuple[int, int]) -> str:
    """A character class's ranges of the combining marks in `blocks` (Devanagari's vowel signs,
    Thai's tone marks): letters of a word to a reader, no `\\w` to Python's `re`."""
    marks = [
        c
        for start, end in blocks
        for c in range(start, end)
        if unicodedata.category(chr(c))[0] == "M"
    ]
    ranges: list[tuple[int, int]] = []
    for c in marks:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


#: The marks of the scripts that write words with them (from Hebrew and Arabic to Khmer; the
#: Latin, Greek and Cyrillic combining accents).
MARKS = _mark_ranges((0x0300, 0x0370), (0x0483, 0x048A), (0x0591, 0x1100), (0x1700, 0x1800))
#: A word's characters, its marks included.
WORD = rf"\w{MARKS}"
NON_WORD = re.compile(rf"(?:[^{WORD}]|_)++")
LABEL = re.compile(rf"^[^\W\d_][{WORD}.:'’-]{{0,30}}+(?:[ \t][^\W_][{WORD}.:'’-]{{0,30}}+){{0,2}}$")
THEMATIC = re.compile(r"^ {0,3}+(?:(?:-[ \t]*+){3,}+|(?:\*[ \t]*+){3,}+|(?:_[ \t]*+){3,}+)$")
RULE_LINE = re.compile(r"^[ \t]*+[─━═—–=~·•*_-]{3,}+[ \t]*+$")
#: A rule drawn after a label, set off by a space (`User (<id>) ───`): the label's decoration.
TRAILING_RULE = re.compile(r"[ \t]++[─━═—–=~·•*_-]{3,}+[ \t]*+$")
#: A rule glued to the end of a label's word, long enough to be no word's dash.
GLUED_RULE = re.compile(r"(?<=\w)(?:─{6,}+|━{6,}+|═{6,}+|={6,}+|~{6,}+|-{6,}+)[ \t]*+$")
HR_TAG = re.compile(r"^[ \t]*+<hr\b[^>]{0,200}+>[ \t]*+$", re.I)
#: A rule before a label, set off by a space (`------- user:`).
LEADING_RULE = re.compile(r"^(?:─{6,}+|━{6,}+|═{6,}+|={6,}+|~{6,}+|-{6,}+)[ \t]++(?=\w)")
#: Two dashes or more glued to a capitalized name (`--Assistente`): a tool's mark before the
#: speaker, unlike a command's option (`--verbose`).
GLUED_LEAD = re.compile(r"^(?:-{2,}+|={2,}+|~{2,}+)(?=[^\W\d_a-z])")
#: A role word after such dashes, then its colon, a note in brackets or a time.
GLUED_ROLE = re.compile(rf"^([^\W\d_][{WORD}]*+)(?:[ \t]*+[:：(]|[ \t]++\d)")
#: The name after such dashes: one or two capitalized words alone on the line.
GLUED_NAME = re.compile(
    rf"^[^\W\d_a-z][{WORD}.'’-]{{0,30}}+(?: [^\W\d_a-z][{WORD}.'’-]{{0,30}}+)?[ \t]*+$"
)
#: A time of day (`9:00:00 AM`, `21:14`).
TIME_OF_DAY = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
DATE_TIME = re.compile(
    r"(?<![\d.])(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))"
    r"(?!\d|\.\d)|" + TIME_OF_DAY.pattern + r"|\d{4}-\d{2}-\d{2}T"
)
DIGIT = re.compile(r"\d")
NUMBER = re.compile(r"\d++")
TURN_NUMBER = re.compile(r"[ \t]*+#?\d{1,4}+$")
BRACKETED = re.compile(r"^([^\]】]{1,40})[\]】]")
USER_TAG = re.compile(rf"(?<=[{WORD}])#\d{{4}}$")
BARE_FENCE = re.compile(r"^ {0,3}+(`{3,}+|~{3,}+)[ \t]*+$")
INFO_FENCE = re.compile(r"^ {0,3}+(`{3,}+|~{3,}+)[ \t]*+([^\s`]++)")
REASONING_TAG = re.compile(r"think|reason|thought", re.I)
DATE_SUFFIX = re.compile(r"(?:AM|PM|am|pm|UTC|GMT)(?:[+-]\d{1,4})?[ \t]*+")
KEY = re.compile(r"^([^\W\d_][\w .'’-]{0,24}?)[ \t]*+(?:\*\*|__|\*|_)?[ \t]*+[:：]")
OPEN_TAG = re.compile(r"^<([A-Za-z][\w-]{0,60}+)(?:[ \t][^<>]{0,300}+)?>$")
#: `<details><summary>Thinking</summary>`: a collapsible block opened with its summary on its
#: line, the same opening as `<details>` alone over a `<summary>` line.
DETAILS_WITH_SUMMARY = re.compile(
    r"^<details\b[^<>]{0,300}+>[ \t]*+<summary\b[^<>]{0,100}+>[^<>]{0,200}+</summary>$", re.I
)
#: `<think>The user asks...`: a tag that opens a line with more after it on the same line.
LEADING_TAG = re.compile(r"^<([A-Za-z][\w-]{0,60}+)(?:[ \t][^<>]{0,300}+)?>(?=\S)")
DURATION = re.compile(
    r"\d+(?:[.,]\d+)?[ \t]*+(?:s|sec|secs|seconds?|m|min|mins|minutes?|秒|초|сек\w*|segundos?|"
    r"secondes?|sekunden?)\b",
    re.I,
)
THOUGHT_WORDS = re.compile(
    r"^(?:thought|thoughts|thinking|thinks|reasoning|reasoned|thought process|chain of thought|"
    r"思考|已深度思考|深度思考|推理|思考过程|размышл\w*|думал\w*|pensamiento\w*|razonamiento|pensó|"
    r"réflexion|nachgedacht|denkprozess|ragionamento|pensiero|raciocínio|pensamento|gedanken)\b",
    re.I,
)
#: A duration at the end of a name, with the short word that joins it (`Ollama in 18.42 s`).
TRAILING_DURATION = re.compile(
    r"(?:[ \t]++[^\W\d_]{1,5}+)?[ \t]*+[(\[（·•|,-]?[ \t]*+" + DURATION.pattern + r"[)\]）]?$",
    re.I,
)
#: A page's button that opens or closes the reasoning under it (`Show thinking`).
TOGGLE = re.compile(r"^(?:show|hide|view|expand|collapse)[ \t]++(?=\w)", re.I)
#: A chat page's button under a table it made (Gemini's `Export to Sheets`), copied with it.
TABLE_BUTTONS = frozenset({"export to sheets", "copy table", "download table"})
#: The longest line `page_control` looks at.
MAX_CONTROL = 40
#: The first letters of the buttons `page_control` knows: other lines need no look.
CONTROL_LEADS = frozenset("SsHhVvEeCcDdRrFf")
#: A label that is a reasoning word and nothing else, with its colon (`Thinking:`).
THOUGHT_LABEL = re.compile(r"^(?:thinking|thoughts?|reasoning|思考|推理)[ \t]*+[:：]$", re.I)
#: Standard HTML block tags: a reply opening with one is not a tag of the tool's own.
HTML_TAGS = frozenset(
    "address article aside blockquote body center col colgroup dd dialog dir div dl dt fieldset "
    "figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html iframe "
    "legend li link main menu menuitem nav noframes ol optgroup option p param search section "
    "details summary table tbody td tfoot th thead title tr track ul img br span a b i em strong "
    "code pre script style textarea video audio picture source sub sup kbd time small".split()
)
COPY_LINES = frozenset(
    {"copy", "copy code", "copy block", "edit", "run", "download", "复制", "复制代码", "copiar"}
    | {"kopieren", "copier", "copia", "copiare", "копировать", "コピー", "복사", "kopiuj"}
)
LANGUAGE_LINE = re.compile(r"^[A-Za-z][\w+#.-]{0,19}$")
CODE_WORDS = frozenset(
    "if for while def class else elif try except finally with return import from case fn let "
    "const var echo fi then do done function public private static async await select".split()
)
PROSE_END = (".", ":", "!", "?", "。", "：", "！", "？", "…", "։", "।", "؟", "۔", "።", "။")
#: Names of programming languages a chat page writes over a code block (its label).
CODE_LANGUAGES = frozenset(
    "python py javascript js typescript ts jsx tsx java c cpp c++ c# csharp go golang rust ruby "
    "php swift kotlin scala r sql bash sh shell zsh powershell json yaml yml toml xml html css "
    "scss lua perl haskell elixir dart dockerfile makefile diff ini graphql matlab julia "
    "terraform hcl solidity ocaml clojure erlang groovy latex tex console text plaintext "
    # and more of the languages a page labels its code blocks with (Pygments' names for them;
    # none an English word: `fish`, `elm`, `racket`, `crystal` are a list's items as often)
    "tcl nim zig verilog vhdl fortran cobol awk sed nix odin haxe prolog elisp fsharp vb vba "
    "vbnet asm nasm cmake meson nginx jinja svelte vue markdown md protobuf cuda glsl hlsl "
    "wgsl objc objectivec coffeescript purescript rescript idris agda coq ada apl raku nushell "
    "elvish cmd ps1 pwsh viml sparql kusto promql http caddyfile jsonnet dhall starlark "
    "gradle".split()
)
CODE_CHARS = frozenset("=(){}[];$<>\"'`|\\")
#: A tool's label for a block of its own (`{Reactions}`, `{Attachments}`): no Markdown reads so.
#: Marks between a heading's hashes and its label, set off by spaces (`# %% user`, `## >> AI`).
CELL_MARK = re.compile(r"^([!-/:-@\\^-`{-~]{1,4}+)[ \t]++")
#: Info strings of a fence that wraps text (a whole transcript, a message), not code.
WRAPPER_INFO = frozenset({"", "markdown", "md", "text", "txt", "plain", "plaintext"})
#: A fence escaped inside a message a tool wrapped in a fence of its own.
ESCAPED_FENCE = re.compile(r"^ {0,3}+\\(?:`{3,}+|~{3,}+)")
TOOL_LABEL = re.compile(r"^\{[^{}\n]{1,40}+\}$")
#: A line that is only a link to a place in the same file: a table of contents' entry
#: (`- [1: How do I…](#chat-1)`), a "back to top" link (`###### [top](#table-of-contents)`).
ANCHOR_LINK = re.compile(
    r"^(?:#{1,6}+[ \t]++|[-*+][ \t]++|\d{1,4}+[.)][ \t]++)?\[.{1,300}\]\(#[^()\s]{1,200}+\)$"
)
HTML_COMMENT = re.compile(r"^[ \t]*+<!--.{0,1000}-->[ \t]*+$")
THOUGHT_EMOJI = frozenset("🧠💭")
ATTRIBUTION = re.compile(
    r"\b(?:generated|exported|created|made|saved|powered)[ \t]++(?:by|with|from|using|via)\b", re.I
)
INTERFACE_LINE = re.compile(
    r"\b(?:can|may) make mistakes\b|\bcheck important info\b|\bmay not be accurate\b", re.I
)

#: Lines longer than this are never markers.
MAX_MARKER = 200


@dataclass(frozen=True, slots=True)
class Candidate:
    """A short line that may mark a turn: its shape, its label, the text after the marker."""

    shape: str
    label: str
    key: str  # the label, casefolded
    inline: str | None
    words: frozenset[str]
    emoji: str
    #: `Sensei Aiko: text`: a plain `Label: text` line whose label has a few words and no role
    #: word; a marker only where no speaker carries a role word (a role-play's names).
    loose: bool = False
    #: The words of what follows the name (`· *GPT-4o*`): hints, not the label's.
    noted: frozenset[str] = frozenset()
    #: Read by `_decorated_candidate` alone (a role's label in symbols): a marker only in a
    #: file that opens with one (`_decorated_markers_kept`).
    decorated: bool = False


#: What a tool may write before a heading's label: a name (the model's, in emphasis) set off
#: from the label by symbols between spaces (`*llama3.1:8b* ⚒ >> PROMPT: text`).
HEADING_LEAD = re.compile(r"^\S.{0,58}?(?:[ \t]++[^\w\s]++)++[ \t]++(?=\w)")


def _led_candidate(line: str) -> Candidate | None:
    """A heading whose label, ended by its colon, comes after a lead the tool writes before
    it (`* *llama3.1:8b* ⚒ >> PROMPT: text`): the marker is read without the lead, which may
    change from turn to turn (the model named) and is no part of the label.
    Such a reading is taken only as the user's marker of a pair of shapes (`_paired_turns`),
    the model's marker of another shape: a list item or heading that a person writes,
    `* Case 1 — Input: [1, 2]` over `* Case 1 — Output: 3`, `### Step 2 → User: ...`, leads
    both sides' labels alike (a term and its definition, a test's input and output), and a
    tool that leads its user's prompts with the model's name marks the model's reply apart."""
    # (`* `, a list item's mark in Markdown, is Org's first heading level: with a lead and a
    # label's colon, it is read as a heading)
    heading = HEADING.match(line) or ORG_HEADING.match(line) or ORG_TOP_HEADING.match(line)
    if heading is None or len(line) > MAX_MARKER:
        return None
    text = (heading.group(2) or "").strip()
    lead = HEADING_LEAD.match(text)
    if lead is None:
        return None
    marks = "**" if heading.group(1) == "*" else heading.group(1)  # a heading to `candidate`
    found = candidate(f"{marks} {text[lead.end() :]}")
    if found is None or not found.shape.endswith(":"):
        return None
    led = f"{heading.group(1)} <lead> {found.shape.removeprefix(marks + ' ')}"
    return Candidate(led, found.label, found.key, found.inline, found.words, found.emoji,
                     found.loose, found.noted, found.decorated)  # fmt: skip


#: A symbol a tool draws on both sides of its marker (`█ ○ user: █`), none of Markdown's marks.
#: A label between two copies of one short rule (`=== User ===`, `-- assistant --`).
RULED_LABEL = re.compile(r"^(={2,5}+|-{2,5}+)[ \t]++([^\s=-][^=]{0,60}?)[ \t]++\1$")
FRAMED = re.compile(r"^([^\w\s*_#>|=~`\-\[\](){}<>\"'.,:;!?/\\+])[ \t]++(.{1,100}?)[ \t]++\1$")


FRAMED_ICON = re.compile(r"^[^\w\s]{1,2}[ \t]++")
#: The vendor's name before a model's in its id (`anthropic/`, `openai/`: OpenRouter's ids).
MODEL_VENDOR = re.compile(r"^[a-z][\w.-]{1,30}/(?=\w)")


def candidate(line: str) -> Candidate | None:
    """The marker reading of a line: `## 👤 You` -> shape `## <label>`, label `You`. (A heading
    whose label comes after a lead, `_led_candidate`, is read apart, by `_paired_turns` alone.)
    A line no reading takes may still be a role's label in the tool's symbols
    (`_decorated_candidate`)."""
    found = _marked_candidate(line)
    if found is None:
        return _decorated_candidate(line) if len(line) <= MAX_MARKER else None
    if line[:1] in "[(<【" and BRACKETED_INLINE.match(line):
        # `[assistant] Here:`: the bracket's role, not `assistant Here` before a colon (where
        # the marks read the same label, `[用户] 14.03.2026`, their reading stands)
        bracketed = _decorated_candidate(line)
        if bracketed is not None and bracketed.key != found.key:
            return bracketed
    if found.emoji and not found.inline and role_hint(found.words) is None:
        # `🤖 Here:`: the role's emoji before the message's first words, no label `Here`
        pictured = _decorated_candidate(line)
        if pictured is not None and pictured.shape == "<label> <text>":
            return pictured
    return found


#: A role's label of one or two words (their marks included: `उपयोगकर्ता`), as the symbols
#: below hold it.
DECORATED_NAME = rf"[^\W\d_][{WORD}.'’-]{{0,30}}+(?:[ \t][^\W\d_][{WORD}.'’-]{{0,30}}+)?"
#: Symbols a tool may draw around a role's label alone on its line (`<You>`, `(You)`,
#: `[[user]]`, `:: user`, `// assistant`, `%user%`): no code span's backtick, no heading's hash,
#: no quotes or punctuation of a sentence or a JSON string (`"[User]:",`).
DECORATED_ALONE = re.compile(
    rf"^([^\w\s`#\"'“”‘’,;.?!{MARKS}]{{1,4}}+)?[ \t]*+({DECORATED_NAME})"
    rf"[ \t]*+([^\w\s`\"'“”‘’,;.?!{MARKS}]{{1,4}}+)?$"
)
#: A role's label, bold or not, set off from the message's first words by a symbol other than
#: a colon (`You > text`, `User ❯ text`, `bot> text`, `AI → text`, `**User** — text`).
SYMBOL_SEPARATED = re.compile(
    rf"^(\*\*|__)?({DECORATED_NAME})(?(1)\1)[ \t]*+(>|▸|▶|►|❯|›|→|⇒|»|=>|->|—|–)[ \t]++(\S.*)$"
)
#: A role's emoji before the message's first words (`👤 text`, `🤖 text`), with no colon.
EMOJI_INLINE = re.compile(r"^([^\w\s:：]{1,3}?)[ \t]++(\S.*)$")
#: A role's label in brackets before the message's first words (`[user] text`, `<You> text`).
BRACKETED_INLINE = re.compile(rf"^([\[(<【])({DECORATED_NAME})([\])>】])[ \t]++(\S.*)$")


def _decorated_candidate(line: str) -> Candidate | None:
    """A role's label in symbols the tool draws around it or after it: read for any symbols,
    as the label's role words say a speaker (a name, `(Sarah)`, in symbols is a note's)."""
    text = line.strip()
    quoted = ""
    if text[:1] == ">" and text[1:2] in (" ", "\t"):  # `> **You**`: a quoted label
        quoted, text = "> ", text[1:].strip()
        inner = _marked_candidate(text)
        if (
            inner is not None
            and inner.inline is None
            and role_hint(inner.words) in (USER, ASSISTANT)
        ):
            return replace(inner, shape=quoted + inner.shape, decorated=True)
    pictured = EMOJI_INLINE.match(text) if not quoted else None
    if pictured and any(ch in USER_EMOJI or ch in ASSISTANT_EMOJI for ch in pictured.group(1)):
        emoji = pictured.group(1)
        if all(ord(ch) > 0x2000 for ch in emoji):  # (emoji and their joiners only)
            inline = pictured.group(2)
            return Candidate(
                "<label> <text>", emoji, emoji, inline, frozenset(), emoji, decorated=True
            )
    separated = SYMBOL_SEPARATED.match(text) if not quoted else None
    bracketed = BRACKETED_INLINE.match(text) if not quoted and not separated else None
    if separated:
        bold, label, symbol, inline = separated.groups()
        shape = f"{bold or ''}<label>{bold or ''} {symbol}"
    elif bracketed:
        opening, label, closing, inline = bracketed.groups()
        shape = f"{opening}<label>{closing}"
    else:
        alone = DECORATED_ALONE.match(text)
        if alone is None or not (alone.group(1) or alone.group(3)):
            return None
        before, label, after = alone.group(1) or "", alone.group(2), alone.group(3) or ""
        if not quoted and not before.strip("*_") and not after.strip(":：*_"):
            return None  # `Question:`, `**Note**`: a colon's or emphasis's, read by their marks
        ruled = bool(before) and not before.strip("-=~")  # `--User table`: a rule's or a
        # SQL comment's (the marks' reading has them)
        described = len(label.split()) > 1 and label.split()[1].islower()  # `(user input)`: a
        # role word and what it is of, no speaker's name
        if ruled or described:
            return None
        shape, inline = f"{quoted}{before}<label>{after}", None
    key = label.casefold()
    words = _words(key)
    if role_hint(words) not in (USER, ASSISTANT) or len(words) > 2 or key in QA_LABELS:
        return None  # (`Q` and `A`, `Question` and `Answer`: the `Q:` reading's)
    return Candidate(shape, label, key, inline, words, "", decorated=True)


def _marked_candidate(line: str) -> Candidate | None:
    """`candidate` for the shapes read by their marks."""
    if len(line) > MAX_MARKER:
        return _long_candidate(line)
    if line[:1] in CONTROL_ENDS or line[-1:] in CONTROL_ENDS:
        line = line.strip(CONTROL_ENDS)  # `\x01>>>User:\x01`: a tool's invisible delimiters
    edges = line.strip()
    between = RULED_LABEL.match(edges) if edges[:1] in "=-" else None
    if between:  # `=== User ===`: the same short rule each side of the label
        within = candidate(between.group(2))
        if within is None or within.shape not in ("<label>", "<label>:"):
            return None
        rule = between.group(1)
        return replace(within, shape=f"{rule} {within.shape} {rule}")
    framed = FRAMED.match(edges) if edges[:1] == edges[-1:] and not edges[:1].isalnum() else None
    if framed:  # `█ ○ user: █`: a frame the tool draws around its marker, the same both sides
        label = FRAMED_ICON.sub("", framed.group(2))  # (its icon: `○`, `●`, `$`)
        vendor = MODEL_VENDOR.match(label)  # `anthropic/claude-opus-4.6:`: the model's id
        if vendor and _names_a_model(_words(label[vendor.end() :].casefold())):
            label = label[vendor.end() :]
        within = candidate(label)
        if within is None:
            return None
        return replace(within, shape=f"{framed.group(1)} {within.shape} {framed.group(1)}")
    arrows = ARROW_LABEL.match(line)
    if arrows:
        label = arrows.group(1)
        key = label.casefold()
        return Candidate(">>>/<<< <label>", label, key, None, frozenset({key}), "")
    quoted = QUOTED_HEADER.match(line)
    if quoted and date_only(quoted.group(1)) and TIME_OF_DAY.search(quoted.group(1)):
        # `> 2026-03-14 10:12:05 · User`: a message's header quoted, its time then its sender
        label = quoted.group(2).strip()
        key = label.casefold()
        words = _words(key)
        return Candidate(QUOTED_SHAPE, label, key, None, words, "")
    attribute = ROLE_ATTRIBUTE.match(line.strip())
    if attribute:
        label = attribute.group(3).strip()
        key = label.casefold()
        if role_hint(_words(key)) is None:
            return None
        shape = f"<{attribute.group(1).strip()} {attribute.group(2)}=<label>>"
        return Candidate(shape, label, key, None, _words(key), "")
    if line[:1] == "#" and line[1:2].isalpha() and TAGGED_LABEL.match(line):
        tagged = candidate(line[1:])  # `#User : text`: a tag glued to the label
        if tagged is None or tagged.shape != "<label>:" or role_hint(tagged.words) is None:
            return None
        return replace(tagged, shape="#<label>:")
    if line[:1] == "@" and line[1:2].isalpha():
        called = candidate(line[1:])  # `@You:`, `@Assistant:`: a role called like a name
        if called is None or called.shape != "<label>:" or role_hint(called.words) is None:
            return None
        if called.inline is not None:
            return None  # (`@bot: what does ...`: a mention in a message, no marker)
        return replace(called, shape="@<label>:")
    arrowed = ARROW_LEAD.match(line)
    if arrowed:
        led = candidate(line[arrowed.end() :])
        if led is None or led.shape != "<label>:" or role_hint(led.words) is None:
            return None
        return replace(led, shape=f"{arrowed.group(1)} <label>:")
    if LIST_OR_TABLE.match(line) or line.lstrip()[:1] == ">":
        return None
    text = line.strip()
    shape = ""
    heading = HEADING.match(line) or ORG_HEADING.match(line)
    if heading:
        shape = heading.group(1) + " "
        text = (heading.group(2) or "").strip().rstrip("#").strip()
        if heading.group(1)[0] == "*":
            text = ORG_TAGS.sub("", text)  # the headline's tags: Org's metadata
        stamp_in_emphasis = EMPHASIZED_STAMP.match(text)
        if stamp_in_emphasis and DATE_TIME.search(stamp_in_emphasis.group(2)):
            text = stamp_in_emphasis.group(2) + text[stamp_in_emphasis.end() :]
        if " | " in text:
            # `#### 1 | 💬 You | Tue Nov 11, 2025 | 8:14pm CET | 468 🪙`: fields, one naming
            # the speaker and every other a number, a date, a time or a count
            fields = [field.strip() for field in text.split(" | ")]
            speaking = [field for field in fields if field and not DIGIT.search(field)]
            if len(fields) >= 4 and len(speaking) == 1:  # (`### Mon 3 Mar | Me | 09:30`: a log)
                text, shape = speaking[0], shape + "<fields> "
    emoji_label = EMOJI_LABEL.match(text)
    if emoji_label and all(ord(ch) > 0x2000 or ch == "\u200d" for ch in emoji_label.group(1)):
        emoji = emoji_label.group(1)
        rest = emoji_label.group(2).strip()
        after = BRACKET_NOTE.sub("", rest).strip()
        # `🦜:[claude-sonnet-4 - anthropic]`: the note names the model, a hint of the speaker
        note = rest[len(after) :] if rest.startswith(after) else ""
        named = _words(note)
        return Candidate(
            shape + "<label>:", emoji, emoji, after or None, frozenset(), emoji, noted=named
        )
    if text.startswith(("_**", "*__", "***", "___")) and text.endswith(
        ("**_", "__*", "***", "___")
    ):
        if len(text) > 6:
            text = text[1:-1]  # `_**User (10:14)**_`, `***You***`: italics around the bold name
    italic = ""
    if heading:
        text = _unitalicized(text)
    elif text[:1] in ("*", "_") and text[1:2] not in ("*", "_"):
        bare = _unitalicized(text.removesuffix(":").rstrip())
        if bare != text.removesuffix(":").rstrip() and len(bare) <= 40:
            # `*user*`, `_Prompt_:` alone on a line: a label in italics (its own shape)
            italic, text = text[:1], bare + (":" if text.endswith(":") else "")
    if "<" in text:
        text = TAG.sub(_markup, text)  # `role::assistant<span ...>`; `Rc<str>` stays
    if heading and text[-1:] in "─━═—–=~·•*_-":
        text = TRAILING_RULE.sub("", text)
    ruled = ""
    if not heading and text[:1] in "─━═=~-":
        # `------- user:`: a rule the tool sets before the label, its shape's
        leading = LEADING_RULE.match(text)
        glued_lead = GLUED_LEAD.match(text) if leading is None else None
        if glued_lead:
            rest = text[glued_lead.end() :].rstrip(text[0]).rstrip()  # `==User==`
            glued_role = GLUED_ROLE.match(rest)  # `--User: text`, `--User (me)`, `--User 14:02`
            if not GLUED_NAME.match(rest) and (
                glued_role is None or role_hint(_words(glued_role.group(1).casefold())) is None
            ):
                return None  # `--Definition: ...`, `--User table`: a dash bullet, a SQL comment
            text = text[: glued_lead.end()] + rest
        leading = leading or glued_lead
        if leading:
            text, shape = text[leading.end() :], "<rule> "
    if not heading and text[-1:] in "─━═—–=~-":
        # `Asistente------------------------`: a rule the tool glues to the label, its shape's
        glued = GLUED_RULE.search(text)
        if glued:
            text, ruled = text[: glued.start()], " <rule>"
    if text.endswith((")", "）")):
        text = PARENTHETICAL.sub("", text).strip()
    if text.count(" ") > 6 and ":" not in text[:45] and "：" not in text[:45]:
        return None  # a sentence, not a label
    inline: str | None = None
    bold = ""
    icon = LEADING_ICON.match(text)  # `👤 **User**`: an icon before the bold name
    icon_text = icon.group(0) if icon and text[icon.end() :].startswith(("**", "__")) else ""
    text = text[len(icon_text) :]
    for mark in ("**", "__"):
        if text.startswith(mark):
            close = text.find(mark, 2)
            if close > 2:
                bold = mark
                inner, rest = text[2:close].strip(), text[close + 2 :]
                if not rest.strip() and inner.endswith((")", "）")):
                    inner = PARENTHETICAL.sub("", inner).strip()  # `**Agent (model 10:14)**`
                text = inner + rest
                break
    text = icon_text + text
    # Decoration before the label: emoji, arrows, brackets.
    start = 0
    while start < len(text) and not (text[start].isalnum()):
        start += 1
    decoration, text = text[:start], text[start:]
    cell = CELL_MARK.match(decoration) if heading else None
    if cell:  # `# %% user`: a notebook's cell mark, set off by a space, is part of the shape
        shape += cell.group(1) + " "
        decoration = decoration[cell.end() :]
    if any(not (ch.isspace() or ch in "[【({»" or ord(ch) > 0x2000) for ch in decoration):
        return None  # `"**user**: ",` in a JSON file, `*` or `>` before a name: no marker
    bracket = ""
    if "[" in decoration or "【" in decoration:
        bracket = "["
    elif "{" in decoration:  # `{{user}}:`: a template's placeholder for the speaker's name
        bracket = "{"
        text = re.sub(r"^([^{}]{1,40})\}++", r"\1", text)
    emoji = "".join(ch for ch in decoration if ord(ch) > 0x2000)
    stamp = ""
    enclosed = False  # the whole label in brackets (`[You]`)
    if bracket == "[":
        closed = BRACKETED.match(text)
        if closed and DATE_TIME.search(closed.group(1)) and text[closed.end() :].strip():
            # `[3/14/2025 9:12 PM] minji.k`: the message's time, then the name
            bracket, stamp = "", "[<time>] "
            text = text[closed.end() :].strip()
        else:
            enclosed = re.fullmatch(r"[^\]】]{1,40}[\]】]", text) is not None
            text = re.sub(r"^([^\]】]{1,40})[\]】]", r"\1", text)
    counted = COUNTED_LABEL.match(text) if heading else None
    if counted and _counted_speaker(counted.group(2)):
        # `## Turn 1-1: User`: the exchange's number, then the speaker (or `Thought Process`)
        text, shape = counted.group(2).strip(), shape + "<counter>: "
    timed = False
    if DIGIT.search(text, 0, 60):
        text = _without_date(text)
        if italic or bold:
            # `*Ollama in 18.42 s*`: the time the reply took, said inside the name's emphasis
            untimed = TRAILING_DURATION.sub("", text)
            timed = bool(untimed) and untimed != text
            text = untimed or text
        if text.endswith((")", "）")):
            text = PARENTHETICAL.sub("", text).strip()  # `**Qwen3 (8B)** | 2025/04/03`
    text = USER_TAG.sub("", text)  # `Ferris#5170`: a name with its account number
    annotation = ANNOTATION.search(text)
    noted: frozenset[str] = frozenset()
    if annotation and annotation.start() > 0:
        noted = _words(annotation.group(1))
        text = text[: annotation.start()].strip()
    colon = ""
    colons = {sep: _label_colon(text, sep) for sep in (":", "：")}
    # the first colon of either kind ends the label (`你：I have this code:`) where a full-width
    # one names a role; else the ASCII one (`时间：10:30 开始`: a note's field, no speaker)
    order = sorted(colons, key=lambda sep: colons[sep] if colons[sep] > 0 else len(text))
    if order[0] == "：" and colons[":"] > 0:
        if role_hint(_words(text[: colons["："]].strip("*_ ").casefold())) not in (USER, ASSISTANT):
            order = [":", "："]
    for sep in order:
        at = colons[sep]
        if at > 0:
            colon = ":"
            after = text[at + 1 :].strip()
            text = text[:at].strip()
            for mark in ("**", "__"):
                if bold == "" and text.endswith(mark):
                    text = text[: -len(mark)].strip()
                    bold = mark
                if after.startswith(mark) and (len(after) == 2 or after[2].isspace()):
                    after = after[2:].strip()
            inline = after or None
            if not heading and not bold and DOTTED_NAME.search(text):
                if not _names_a_model(_words(text.casefold())):
                    return None  # `model.eval(): text`: a method a list names, no speaker
            text = PARENTHETICAL.sub("", text).strip()  # `**Assistant (GPT-4)**:`
            text = BRACKET_NOTE.sub("", text).strip() or text  # `Grok [DEEPSEARCH]:`
            role = _words(after)
            if enclosed and heading and len(role) == 1 and role_hint(role, "") in (USER, ASSISTANT):
                # `** [llama3.1:8b: RESPONSE]`: a bracket holding a heading's label holds no
                # message's text; the role word after the colon is the label, the name before
                # it a hint. On a line that is no heading, `[Note: user]` is a person's aside,
                # a word and what it names, and reads as before (label `Note`).
                noted = _words(text)
                text, inline = after, None
            break
    else:
        text = text.rstrip(".…!").strip()
    trailing = len(text)
    while trailing > 0 and (_symbol(text[trailing - 1]) or text[trailing - 1].isspace()):
        if _in_word(text, trailing - 1):
            break  # `ผู้ใช้`: the tone mark is the word's
        trailing -= 1
    if 0 < trailing < len(text):  # `You 👤`: an emoji after the name
        emoji += text[trailing:].strip()
        text = text[:trailing]
    if not text and emoji:
        text = emoji  # `## 🤖`: the emoji is the label
    # `User 2`, `Assistant #3`: numbered turns of one speaker.
    unnumbered = TURN_NUMBER.sub("", text)
    if not text or not LABEL.match(unnumbered or text) or sum(ch.isdigit() for ch in text) > 3:
        if not (text and text == emoji):
            return None
    key = TURN_NUMBER.sub("", text.casefold()) or text.casefold()
    if key in QA_LABELS:
        return None
    words = _words(key)
    if bracket == "{" and not colon:
        return None  # `{Reactions}` alone: a tool's label (TOOL_LABEL), no speaker
    if (
        not heading
        and not bold
        and not (italic and timed)
        and not bracket
        and not stamp
        and not colon
    ):
        # (a name in italics alone marks a turn as a plain line does, by its role word, unless
        # the tool wrote the reply's time in it: `*Ollama in 18.42 s*`; `*Admin*`, `*Sarah*`
        # are a note's subheadings, a play's speakers)
        # A plain short line: any paragraph could be one, unless it names a speaker alone
        # (not an indented line of code a copy left bare: `    user.email`).
        # (`Ollama llama3:8b`: a model's name and its tag, the way Ollama names a model)
        modelled = len(text.split()) <= 3 and ":" in text and _model_and_version(text, words)
        if (len(words) > 2 and not modelled) or role_hint(words, emoji) not in (USER, ASSISTANT):
            return None
        if line.startswith(("    ", "\t")) or DOTTED_NAME.search(text):
            return None
        if words & PRONOUNS and not words - PRONOUNS <= SPEAKING_WORDS | ASSISTANT_WORDS:
            return None  # `I see.`, `You too`: a sentence; `You said` names the speaker
    loose = False
    if heading is None and not bold and not bracket and colon and inline is not None:
        # `Note: text` in a paragraph: a plain `Label: text` line opens a turn only at the start
        # of a line with a short label; one of a few words only as a character's name.
        if len(text.split()) > 1 and not _model_and_version(text, words):
            if not _product_name(text) and (
                len(text.split()) > 3 or role_hint(words, emoji) is not None
            ):
                return None  # `User story: ...`, `AI note: ...`: a paragraph's label
            loose = True
    closing = {"[": "]", "{": "}", "": ""}[bracket]
    shape_text = shape + stamp + ("**" if bold else "") + bracket + italic
    shape_text += "<label>" + italic + closing + ("**" if bold else "") + colon + ruled
    return Candidate(shape_text, text, key, inline, words, emoji, loose, noted)


def _label_colon(text: str, sep: str) -> int:
    """Where the colon `sep` that ends a label stands in `text`, or -1. `role::user` keeps its
    `::`, a model's id its tag (`qwen3:8b: text`); `You said:` and `User: text` end their label
    at the colon."""
    at = text.find(sep)
    while at >= 0 and (text[at : at + 2] == "::" or _id_colon(text, at)):
        at = text.find(sep, at + 2 if text[at : at + 2] == "::" else at + 1)
    return at


#: A dotted name (`user.email`, `self.user`): code, not a speaker's label.
DOTTED_NAME = re.compile(r"[A-Za-z_]\.[A-Za-z_]")  # (not a version: `GPT-4.1`)


#: A heading's counter before its colon (`Turn 1-1:`, `Message 3:`) or after a bare number and a
#: mark (`1 - User`, `3. Assistant`), the label after it.
COUNTED_LABEL = re.compile(
    r"^((?:(?i:turn|message|msg|exchange|round|entry)[ \t]++)?#?\d{1,4}+(?:[.-]\d{1,4}+){0,2}+)"
    r"[ \t]*+(?:[:：|)]|[-–—.](?=[ \t]))[ \t]*+(\S.*)$"
)


def _counted_speaker(text: str) -> bool:
    """The words after a counter's colon name a speaker in one word or the model's thinking
    (`User`, `Gemini`, `Thought Process`), not a step (`Input`, `The User`)."""
    words = _words(text.casefold())
    if _thinking(text) and len(words) <= 3:
        return True
    # (`GPT-4o`: a model's name and version; `Asistente SQL`: a role's word, then a name)
    parts = text.split()
    named = len(parts) == 2 and parts[1][:1].isupper() and role_hint(_words(parts[0])) is not None
    one = len(words) == 1 or _names_a_model(words) or named
    return one and len(words) <= 3 and role_hint(words) in (USER, ASSISTANT)


def _id_colon(text: str, at: int) -> bool:
    """A colon inside a name (`qwen3:8b`, `llama3.1:70b`): a digit before it, a letter or digit
    right after it, and a colon that ends the label further on, or the model's tag ending the
    line (`Ollama llama3:8b` alone); or a model's name and its tag alone, as Ollama names a
    model (`qwen2.5-coder:7b`, `mistral:latest`: a digit in the name or a model family's name,
    and a size or `latest` after the colon)."""
    if at <= 0 or not text[at + 1 : at + 2].isalnum():
        return False
    if text[at - 1].isdigit():
        return ": " in text[at + 1 : at + 30] or MODEL_TAG.fullmatch(text[at + 1 :]) is not None
    name, tag = text[:at], text[at + 1 :]
    return (
        " " not in name
        and (any(ch.isdigit() for ch in name) or name.casefold().startswith(MODEL_FAMILIES))
        and MODEL_TAG.fullmatch(tag) is not None
        and (tag.casefold() == "latest" or bool(MODEL_SIZE.match(tag)))
    )


#: A model's tag after its name's colon, ending the line (`llama3:8b`, `qwen2.5:7b-instruct`).
MODEL_TAG = re.compile(r"[\w.-]{1,24}+")
#: A model's size opening its tag (`7b`, `0.5b`, `270m`, `8x7b`).
MODEL_SIZE = re.compile(r"(?:\d{1,3}x)?\d{1,4}(?:\.\d{1,2})?[bm](?![a-z])", re.I)


def _unitalicized(text: str) -> str:
    """A heading's text in italics (`#### _User_`) reads like the bare words."""
    mark = text[:1]
    if mark in ("_", "*") and len(text) > 2 and text[-1] == mark and text[1] not in "_* \t":
        inner = text[1:-1]
        if mark not in inner and not inner[-1:].isspace():
            return inner
    return text


def _markup(tag: re.Match[str]) -> str:
    """An HTML tag is left out of a marker line; anything else in angle brackets is text."""
    name = re.match(r"</?[ \t]*+([A-Za-z][\w-]*)", tag.group(0))
    return "" if name and name.group(1).casefold() in HTML_TAGS else tag.group(0)


def _long_candidate(line: str) -> Candidate | None:
    """A long line opens a turn only as a marker with the turn's first words after it
    (`**Assistant:** a reply of many words`): the marker is read from the line's start, and the
    text after it is the rest of the line."""
    found = candidate(line[:MAX_MARKER])
    if found is None or found.inline is None:
        return None
    start = line.find(found.inline[:40])
    rest = line[start:].strip() if start >= 0 else found.inline + line[MAX_MARKER:]
    return Candidate(
        found.shape,
        found.label,
        found.key,
        rest,
        found.words,
        found.emoji,
        found.loose,
        found.noted,
        found.decorated,
    )


def _symbol(char: str) -> bool:
    """An emoji or a symbol (and the joiners and selectors that build emoji), not a letter."""
    return unicodedata.category(char) in ("So", "Sk", "Sm", "Cf", "Mn")


def _in_word(text: str, at: int) -> bool:
    """The character at `at` is a combining mark on a letter (the marks before it too)."""
    while at > 0 and unicodedata.category(text[at])[0] == "M":
        at -= 1
        if text[at].isalnum():
            return True
    return False


def _without_date(text: str) -> str:
    """`User (2025-01-02 10:14): hi`, `Claude · 10:14 AM`: the marker without its date or time
    (`User: hi`, `Claude`)."""
    date = DATE_TIME.search(text, 0, 60) or _month_date(text)
    if date is None or date.start() == 0:
        return text
    said = min((at for at in (text.find(": "), text.find("：")) if at >= 0), default=-1)
    if 0 <= said < date.start():
        return text  # `Assistant: 10:30, ...`: a time in what is said, after the label's colon
    start = date.start()
    while start > 0 and text[start - 1] in " \t([（-—–·|•@,*_":
        start -= 1
    before = _month_date(text[:start], at_end=True)  # `Mar 14, 2026, 9:02 AM`: its day too
    if before is not None and before.start() > 0:
        start = before.start()
        while start > 0 and text[start - 1] in " \t([（-—–·|•@,*_":
            start -= 1
    end = date.end()
    while end < len(text) and (text[end] in "0123456789:/.-TZ ,年月日" or text[end].isspace()):
        end += 1
    zone = DATE_SUFFIX.match(text, end)
    if zone:
        end = zone.end()
    while end < len(text) and text[end] in ")]）*_":
        end += 1
    return (text[:start] + text[end:]).strip()


def names_a_speaker(line: str) -> bool:
    """The line is a speaker's marker and nothing else: `## You`, `**ChatGPT:**`, `## 🤖`."""
    found = candidate(line) if _may_mark(line) else None
    if found is None or found.inline is not None:
        return False
    if not found.words:
        return _hint(found) in (USER, ASSISTANT)
    return found.words <= USER_WORDS | ASSISTANT_WORDS | {"said", "role"}


def _may_mark(line: str) -> bool:
    """A cheap filter before `candidate`: a marker is short, or starts like one, or has its
    colon near the start (`User: a long question ...`)."""
    stripped = line.lstrip()
    lead = stripped[:1]
    if (
        ARROW_LABEL.match(line)
        or ARROW_LEAD.match(line)
        or QUOTED_HEADER.match(line)
        or LEADING_RULE.match(stripped)
        or GLUED_LEAD.match(stripped)
        or RULED_LABEL.match(stripped)
    ):
        return True
    if lead == ">" and len(stripped) <= 40 and stripped[1:2] in (" ", "\t"):
        return True  # `> **You**`: a label in a quote
    if lead in "-+|>" or lead.isdigit():
        return False  # a list item, a table row, a quote
    if lead in "#*_[【<" or not lead.isalnum():
        return True
    if ":" in stripped[:45] or "：" in stripped[:45] or SYMBOL_SEPARATED.match(stripped):
        return True
    return len(stripped) <= 80 and stripped.count(" ", 0, 80) <= 6


def _partner_labels(
    lines: Sequence[str], content: list[int], found: dict[int, Candidate]
) -> dict[int, Candidate]:
    """The model's label where only the user's is read (a page's `🧑` alone over every
    prompt): a short line with no role word, alone after a blank line, that stands once
    after each of that label's lines and before the next (`Ollama`, the logo's alt text over
    every reply), as often as it. Then the labels of that shape seen once (the page's `System
    prompt`, `Regenerate response`) are the page's lines, no turns."""
    plain = [i for i, each in found.items() if each.shape == "<label>"]
    counts = Counter(found[i].key for i in plain)
    recurring = [key for key, count in counts.items() if count >= 2]
    if len(recurring) != 1:
        return {}
    marks = sorted(i for i in plain if found[i].key == recurring[0])
    if _hint(found[marks[0]]) != USER:
        return {}  # (after the model's label, a short line is the reply's own)
    seen: list[dict[str, int]] = [{} for _ in marks]  # each short line after each mark: where
    for j in content:
        if j <= marks[0] or j in found or lines[j - 1].strip():
            continue
        text = lines[j].strip()
        if len(text) <= 30 and len(text.split()) <= 3 and not text.endswith(PROSE_END):
            here = seen[bisect.bisect_left(marks, j) - 1]
            here[text] = -1 if text in here else j  # (-1: twice after one mark)
    common = set.intersection(*(set(here) for here in seen))
    common = {text for text in common if all(here[text] >= 0 for here in seen)}
    if len(common) != 1:
        return {}
    (text,) = common
    key = text.casefold()
    if key in CODE_LANGUAGES:
        return {}  # (`bash` over each reply's code block: a page's code label, inside a reply)
    if any(here[text] + 1 >= len(lines) or not lines[here[text] + 1].strip() for here in seen):
        return {}  # (a heading of the reply's, `Example` over a blank line: no label)
    under = zip(marks, seen, strict=True)
    if not any(_right_under_prompt(lines, mark, here[text]) for mark, here in under):
        return {}  # (`Example`, `Output` always after a paragraph of the reply: a section's)
    partner = Candidate("<label>", text, key, None, _words(key), "")
    return {here[text]: partner for here in seen}


#: An avatar image's alternative text, which a page copied whole brings with every message of
#: a speaker (`Avatar`, `Bot avatar`, `User profile picture`).
AVATAR = re.compile(
    r"^(?:[^\W\d_][\w.'’-]{0,30}+[ \t]++)?(?:avatar|profile[ \t]++(?:picture|image|photo))$", re.I
)
AVATAR_SHAPE = "<avatar>"


def _avatar_labels(
    lines: Sequence[str], text: Sequence[bool], content: list[int]
) -> dict[int, Candidate]:
    """A page copied whole whose messages each open with the speaker's avatar: its image's
    alternative text alone on a line (`Avatar`) over every message of one speaker, and the
    other's (the same words, or an avatar with no image: its initials, `US`) over every message
    of the other, the two strictly taking turns, each right over its message's text. Both are
    labels with no role word, of one shape."""
    avatars = [j for j in content if text[j] and AVATAR.match(lines[j].strip())]
    if len(avatars) < 2:
        return {}
    keys = {lines[j].strip().casefold() for j in avatars}
    if len(keys) > 2:
        return {}
    marks = avatars
    if len(keys) == 1:
        partner = _avatar_partner(lines, text, content, avatars)
        if partner is None:
            return {}
        marks = sorted(avatars + partner)
    sequence = [lines[j].strip().casefold() for j in marks]
    if len(set(sequence)) != 2 or any(a == b for a, b in zip(sequence, sequence[1:], strict=False)):
        return {}
    if any(_next_content(lines, j + 1, len(lines)) != j + 1 for j in marks):
        return {}  # (each right over its message's text)
    labels = {j: lines[j].strip() for j in marks}
    return {
        j: Candidate(AVATAR_SHAPE, label, label.casefold(), None, _words(label.casefold()), "")
        for j, label in labels.items()
    }


def _avatar_partner(
    lines: Sequence[str], text: Sequence[bool], content: list[int], avatars: list[int]
) -> list[int] | None:
    """The other speaker's avatar where one speaker's has an image (see `_avatar_labels`): the
    one short line that stands once before each avatar line and after the one before it, or
    once after each and before the next."""
    bounds = [-1, *avatars, len(lines)]
    gaps: list[Counter[str]] = [Counter() for _ in range(len(bounds) - 1)]
    where: dict[tuple[int, str], int] = {}
    for j in content:
        line = lines[j].strip()
        if not text[j] or j in avatars or len(line) > 30 or len(line.split()) > 3:
            continue
        if line.endswith(PROSE_END) or line.casefold() in CODE_LANGUAGES:
            continue
        gap = bisect.bisect_left(avatars, j)
        gaps[gap][line] += 1
        where[gap, line] = j
    for spans in (range(len(avatars)), range(1, len(avatars) + 1)):  # before each, after each
        common = set.intersection(*(set(gaps[g]) for g in spans))
        common = {each for each in common if all(gaps[g][each] == 1 for g in spans)}
        if len(common) == 1:
            (label,) = common
            return [where[g, label] for g in spans]
    return None


def _right_under_prompt(lines: Sequence[str], mark: int, j: int) -> bool:
    """Line j comes right after the one paragraph under the label at `mark` (the logo's
    `Ollama` under a one-paragraph prompt), not after a paragraph of a reply."""
    prompt = _next_content(lines, mark + 1, j)
    return _next_content(lines, prompt + len(_paragraph(lines, prompt, j)), j) == j


def _hint(found: Candidate) -> str | None:
    """The role a label's words or emoji, and the words noted after it (a model's name: `·
    *GPT-4o*`, `[claude-sonnet-4 - anthropic]`; a model named for thinking is still a model),
    hint at, if any."""
    return role_hint(found.words | (found.noted - REASONING_WORDS), found.emoji)


#: How the names of the common model families start (`gpt-4o`, `claude`, `llama3.1`).
MODEL_FAMILIES = ("gpt", "claude", "gemini", "llama", "qwen")


def _names_a_model(words: frozenset[str]) -> bool:
    return any(word.startswith(MODEL_FAMILIES) for word in words)


#: Assistants named for their product, the last word of a maker's name for it (`GitHub
#: Copilot`, `Google Gemini`): a label of two words that names a speaker.
PRODUCT_NAMES = frozenset(
    "chatgpt claude gemini bard copilot deepseek llama mistral qwen kimi grok perplexity".split()
)


def _product_name(text: str) -> bool:
    """`GitHub Copilot`, `Microsoft Copilot`: a maker's name and its assistant's."""
    parts = text.split()
    return len(parts) == 2 and parts[0][:1].isupper() and parts[1].casefold() in PRODUCT_NAMES


def _model_and_version(text: str, words: frozenset[str]) -> bool:
    """`GPT 3.5 Turbo`, `Claude 3.5 Sonnet`, `Llama 3.1`: a model family's name and a version
    number, a model's name in words (a chat bot labels its replies with it)."""
    return _names_a_model(words) and any(ch.isdigit() for ch in text)


def _model_lines(
    found: dict[int, Candidate], members: list[int], hints: dict[str, str | None]
) -> set[str]:
    """Labels read only as a model's name and version on a plain line (`GPT 4 Turbo: text`)
    beside another label of the model's (`ChatGPT:`, `Assistant:`): lines of a turn (a model's
    answer the user pastes to be judged, `Gemini 3:` in a list of the reply), not replies."""
    keys = {found[i].key for i in members}
    modelled = {
        k for k in keys if all(_names_model_in_line(found[i]) for i in members if found[i].key == k)
    }
    if not any(hints[k] == ASSISTANT for k in keys - modelled):
        return set()
    return modelled


def _names_model_in_line(found: Candidate) -> bool:
    """A plain `Label: text` line whose label of several words is a model's name and version
    (`GPT 4 Turbo: text`): read so only by `_model_and_version`."""
    return (
        found.shape == "<label>:"
        and found.inline is not None
        and len(found.label.split()) > 1
        and _model_and_version(found.label, found.words)
    )


def _words(text: str) -> frozenset[str]:
    """A label's words, casefolded: its runs of letters and digits."""
    return frozenset(w for w in NON_WORD.split(text.casefold()) if w)


def role_hint(words: frozenset[str], emoji: str = "") -> str | None:
    """The role a label's words (and emoji) name: user, assistant, other, or None."""
    if words & REASONING_WORDS or (
        words & OTHER_WORDS and not words & (USER_WORDS | ASSISTANT_WORDS)
    ):
        return OTHER
    user = bool(words & USER_WORDS) or any(ch in USER_EMOJI for ch in emoji)
    assistant = bool(words & ASSISTANT_WORDS) or any(ch in ASSISTANT_EMOJI for ch in emoji)
    if _names_a_model(words):
        assistant = True
    if user and not assistant:
        return USER
    if assistant and not user:
        return ASSISTANT
    return None


# --- Reading a file -------------------------------------------------------------------------------


def is_separator(line: str) -> bool:
    """A rule between turns; never a fence (`~~~` opens code, whatever a line of `~` looks like)."""
    if BARE_FENCE.match(line):
        return False
    return bool(THEMATIC.match(line) or RULE_LINE.match(line) or HR_TAG.match(line))


def _edge_form(line: str) -> tuple[str, ...] | None:
    """The form of a line at a turn's edge that may be per-message metadata: a date or time line,
    or a `Key: value` line (bracketed, bold, italic or quoted); None for any other line."""
    text = line.strip()
    if len(text) > 300:
        return None
    quoted = text.startswith(">")
    if quoted:
        text = text.lstrip(">").strip()
    opener = ""
    while text[:1] in ("[", "(", "*", "_", "<") and len(opener) < 3:
        if text[:1] == "<":
            tag = re.match(r"<([A-Za-z][\w-]*)", text)
            opener += "<" + (tag.group(1).casefold() if tag else "")
            break
        opener += text[:1]
        text = text[1:]
    if DIGIT.search(text) and DATE_TIME.search(text) and text.count(" ") < 16:
        return ("date", str(quoted), opener)
    numbered = NUMBERED_HEADING.match(text) if not quoted and not opener else None
    if numbered:  # `## Turn 2`: a heading that only numbers the exchange it stands over
        return ("numbered heading", numbered.group(1), numbered.group(2).casefold())
    if not quoted and not opener and ANCHOR_LINK.match(text):
        return ANCHOR
    if not quoted and not opener and REFERENCE_LINE.match(text):
        # a resource's address (`#file:x`, `##neovim://selection`) is a form of its own; a bare
        # name (`#buffer`, `@workspace`, also a decorator or a hashtag) only as the same word
        return REFERENCE if ":" in text else (*REFERENCE, text)
    key = KEY.match(text) if quoted or opener else None
    if key:
        return ("key", str(quoted), opener, key.group(1).casefold())
    return _icon_form(text, quoted, opener)


#: A heading of a word or two and a number (`## Turn 2`, `# Chat 3`): where such headings stand
#: at the edges of several turns, they number the exchanges.
NUMBERED_HEADING = re.compile(
    r"^(#{1,6}+)[ \t]++([^\W\d_][^\W\d]{0,20}+(?: [^\W\d]{1,20}+)?)[ \t]++#?\d{1,4}+$"
)

#: The form of a line that only links to a place in the file (a "back to top" link).
ANCHOR = ("anchor",)

#: The form of a line that only names what a tool attached to a prompt (`#buffer`,
#: `#file:src/main.rs`, `##neovim://selection`, `@workspace`): metadata where such a line
#: heads every user turn.
REFERENCE = ("reference",)
REFERENCE_LINE = re.compile(r"^(?:#{1,2}+|@)[A-Za-z][\w.+-]*+(?::/{0,2}+\S++)?$")

#: The form of a quote line a tool opens with an icon (`> ⏰ just now`, `> 💻 **Type**: code`).
ICON_QUOTE = ("icon", "True", "icon")


def _icon_form(text: str, quoted: bool, opener: str) -> tuple[str, ...] | None:
    """A quote line that opens with an icon has one form whatever follows the icon: metadata only
    where such lines head or end every turn (see `_recurring_forms`)."""
    if quoted and not opener and text[:1] and _symbol(text[0]):
        return ICON_QUOTE
    return None


def front_matter(lines: Sequence[str]) -> list[int]:
    """The lines of a `---` front matter block at the top of a file (Obsidian, Jekyll); its keys
    may be indented (`  model: llama3.1:8b`, a mapping indented as a whole)."""
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or lines[start].strip() != "---":
        return []
    for j in range(start + 1, min(len(lines), start + 80)):
        if lines[j].strip() in ("---", "..."):
            body = [k for k in range(start + 1, j) if lines[k].strip()]
            if body and re.match(r"^[ \t]*+[\w-]+[ \t]*+:", lines[body[0]]):
                return list(range(start, j + 1))
            return []
    return []


INTERFACE_TITLES = frozenset(
    {
        "skip to content",
        "skip to main content",
        "open sidebar",
        "new chat",
        "share",
        "conversation with gemini",
        "gemini",
        "chatgpt",
        "claude",
        "copilot",
        "deepseek",
    }
)
TITLE_KEY = re.compile(r"^[ \t]*+(?:[-*][ \t]++|#\+)?(title|topic)[ \t]*+:[ \t]*+(.+)$", re.I)
LINK = re.compile(r"^\[([^\]]++)\]\([^)]*+\)$")


def title_key(line: str, topic: bool = True) -> str | None:
    """`title: X` / `topic: "X"` (front matter or a metadata list) -> `X`. Outside front matter
    a `Topic:` line describes a channel or a thread rather than naming it: `topic=False`."""
    match = TITLE_KEY.match(line) if len(line) <= 500 else None
    if match is None or (not topic and match.group(1).casefold() == "topic"):
        return None
    return match.group(2).strip().strip("\"'").strip() or None


def title_text(text: str) -> str:
    """A title as a deck name: a Markdown link's text, not the link; no editor's file variables
    (`Spanish verbs  -*- mode: markdown -*-`); no emphasis around the whole of it (`**Notes**`)."""
    if "-*-" in text:
        text = EDITOR_MODE_LINE.sub("", text)
    text = text.strip()
    wrapped = EMPHASIZED_TITLE.match(text)
    if wrapped and not (wrapped.group(1)[0] == "_" and wrapped.group(2).isidentifier()):
        text = wrapped.group(2).strip()
    link = LINK.match(text)
    return link.group(1).strip() if link else text


#: A title in emphasis from end to end (`**Notes on Rust**`, `_Week 3_`), no mark inside.
EMPHASIZED_TITLE = re.compile(r"^(\*{1,3}+|_{1,3}+)(?=\S)([^*_]+?)(?<=\S)\1$")


def _unquoted(text: str) -> str:
    """A name wrapped whole in one pair of quotes, without them."""
    for opening, closing in (('"', '"'), ("'", "'"), ("“", "”"), ("«", "»"), ("「", "」")):
        inner = text[len(opening) : -len(closing)]
        if (
            len(text) > 2
            and text.startswith(opening)
            and text.endswith(closing)
            and opening not in inner
        ):
            return inner.strip()
    return text


def _folded(text: str) -> str:
    """A title as a tool makes it safe for a file name: ASCII letters and digits only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.split(r"[^a-z0-9]+", ascii_text.casefold())).strip()


def _names_the_tool(title: str, below: Sequence[str]) -> bool:
    """A title that is the tool's name and the kind of file (`Ollama Buddy Chat`) over the
    tool's banner, a line of that name and a version and nothing else (`* Ollama Buddy
    [v7.6.0]`): the same over every chat the tool saves, no chat's title."""
    words = _words(title.casefold())
    name = words - KIND_WORDS
    if not name or name == words:
        return False
    return any(
        BANNER_TAG.search(line) and _words(BANNER_TAG.sub(" ", line)) == name for line in below
    )


#: A banner's version set off in brackets (`[v7.6.0]`, `(v2.1)`): a tool's own stamp, where a
#: bare `Python 3.12.1`, `Terraform v1.7.4` or `## Kubernetes 1.30` is the user's pasted
#: version or a section of the chat.
BANNER_TAG = re.compile(r"[\[(][ \t]*+v?\d+\.\d+(?:\.\d+)*+[ \t]*+[\])]", re.I)


def _alias_of(lines: Sequence[str], front: set[int], title: str) -> str:
    """A front matter title that a tool made safe for file names (`Cakowanie ...`) keeps the
    name as written in its `aliases` (`Całkowanie ...`): that name is the title."""
    if not title.isascii():
        return title
    aliases = False
    for i in sorted(front):
        line = lines[i].strip()
        if re.match(r"^aliases[ \t]*+:[ \t]*+$", line, re.I):
            aliases = True
        elif aliases and line.startswith("- "):
            alias = line[2:].strip().strip("\"'").strip()
            if not alias.isascii() and _folded(alias) == _folded(title) != "":
                return alias
        else:
            aliases = False
    return title


def interface_line(text: str) -> bool:
    """A chat page's own line copied with the chat (`Skip to content`, `Show thinking`): never
    a title."""
    words = text.strip()
    return _reasoning_toggle(words) or words.casefold() in INTERFACE_TITLES


def log_stamp(text: str) -> bool:
    """A log's stamp of when it started (`Logging started at <date> <time>`): never a title."""
    words = text.strip()
    # a time of day too: a date alone (`The Revolution began 14.07.1789`, `Interview recorded
    # on 2024-03-12`) is a title's own
    return LOG_STAMP.match(words) is not None and TIME_OF_DAY.search(words) is not None


#: A log's (or an export's) stamp of its start: a word or two, a verb of starting or saving,
#: and a date and time with nothing else (`Logging started at 2026-02-24 21:14:03 -04:00`,
#: `Chat exported on 12/03/2026 10:22 AM`).
LOG_STAMP = re.compile(
    r"^(?:[^\W\d_]++[ \t]++){0,2}(?:started|began|begun|opened|created|saved|exported|recorded)"
    r"(?:[ \t]++(?:at|on))?[ \t]*+[:,]?[ \t]*+[\d:./,+TZ \t-]{6,40}+"
    r"(?:[ \t]*+(?:am|pm|utc|gmt)[\d:+ \t-]{0,8}+)?$",
    re.I,
)


def _title_from(
    lines: Sequence[str],
    header: list[int],
    front: set[int],
    speakers: frozenset[str],
    prose: Sequence[bool],
) -> tuple[str | None, int | None]:
    """A file's title from the lines before its first turn: a `title:` key (front matter or a
    metadata list) or a front matter `topic:`, else the first heading (or line underlined with
    `=`) whose text is not a date line (the value, where the heading is a `title:` or `topic:`
    key). `speakers`: the words of
    the turn markers' labels (`# Conversation with Claude` over `## Claude:` names no chat);
    `prose`: which lines are text (a heading is not a code line or the wrapper's fence)."""
    for i in header:
        title = title_key(lines[i], topic=i in front)
        if title and _names_the_tool(title, lines[i + 1 : i + 6]):
            return None, None
        if title:
            return _alias_of(lines, front, title), i
    for i in (j for j in header if prose[j]):
        heading = HEADING.match(lines[i])
        if heading:
            words = (heading.group(2) or "").strip().rstrip("#").strip()
        elif i == header[0] and i + 1 < len(lines) and SETEXT_TITLE.match(lines[i + 1]):
            words = lines[i].strip()  # the first line, underlined with `=` (a setext heading)
        else:
            continue
        text = title_text(words)  # (without the editor's `-*- mode: org -*-`)
        if not text:
            continue  # the editor's file variables alone name nothing: the next heading may
        text = _without_icon(title_key(text) or _after_kind(text))  # `# topic: X`: the key
        text = _unquoted(text)  # `# Chat Export: "Name"`: the name the tool quoted
        undated = _without_date(text)
        if (
            undated
            and text.startswith(undated)
            and not DATE_TIME.search(undated)
            and SET_OFF_DATE.match(text, len(undated))
            and CALENDAR_DATE.search(text, len(undated))
        ):
            text = undated  # `# Jackson error 2023-09-14T08:26:41.647Z`: the time it was saved
        if (
            text
            and not DATE_TIME.search(text)
            and not interface_line(text)
            and not _kind_only(text, speakers, lines[i + 1 :])
            and not _names_the_tool(text, lines[i + 1 : i + 6])
            and not _model_only(_words(text.casefold()))  # (`# : gpt-4`: the tool's model line)
        ):
            if not _names_a_site(text):
                return text, i
        return None, None
    listed = _listed_above(lines, header, prose)
    return listed if listed[0] is not None else _named_over_metrics(lines, header)


#: A date set off from a title by a symbol (`Title - 2024-05-01`, `Title (3/5/2024)`), or a
#: machine's timestamp (`Title 2023-09-14T08:26:41.647Z`): the tool's, where words before the
#: date (`chat started at 2025-04-22`) make the line a stamp of its own.
SET_OFF_DATE = re.compile(r"[ \t]*+(?:[-—–|·•(\[,][ \t]*+|\d{4}-\d{2}-\d{2}T)")
#: A day of the calendar, not a time of day (`16:10`, `8:28`) or a version (`5.15.10`).
CALENDAR_DATE = re.compile(
    r"(?<![\d.])(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}"
    r"|\d{1,2}[-/]\d{1,2}[-/]\d{2})(?![\d.])"
)
#: Emacs's file variables (`-*- mode: org -*-`), written in a file's first lines.
EDITOR_MODE_LINE = re.compile(r"-\*-[^\n]{1,200}?-\*-")
PAGE_WORDS = frozenset("home untitled new history chats recent settings".split())
MODEL_TIERS = frozenset("sonnet opus haiku turbo pro flash mini plus max nano lite".split())


def _model_only(words: frozenset[str]) -> bool:
    """Words that only name a model (`Claude 3.5 Sonnet`, `GPT-4o`)."""
    return _names_a_model(words) and all(
        word.startswith(MODEL_FAMILIES) or DIGIT.search(word) or word in MODEL_TIERS
        for word in words
    )


#: A screen reader's label glued to the name it reads out (`Current chat:Name`): no space
#: after its colon, as the page's text joins two elements.
GLUED_LABEL = re.compile(r"^[^\W\d_][^\W\d_ ]*+(?: [^\W\d_]++){0,3}:(?=[^\s/])")
#: How many of a header's last lines may name the chat (the rest, the page's buttons under it).
LISTED_WITHIN = 4


def _listed_above(
    lines: Sequence[str], header: list[int], prose: Sequence[bool]
) -> tuple[str | None, int | None]:
    """A header with no heading, one of whose last lines stands once more above it (a page's
    sidebar lists the open chat, whose name the page shows again over the first prompt, maybe
    behind a screen reader's label glued to it, `Current chat:Name`, and over a button or two):
    that line names the chat."""
    if len(header) < 3:
        return None, None
    for n in range(len(header) - 1, max(len(header) - 1 - LISTED_WITHIN, 0), -1):
        if not prose[header[n]]:
            continue
        line = lines[header[n]].strip()
        glued = GLUED_LABEL.match(line)
        name = line[glued.end() :] if glued else line
        if _names_the_chat(name) and any(lines[j].strip() == name for j in header[: n - 1]):
            return name, header[n]  # (not the line right above: a name under its picture)
    return None, None


#: The parts of a page's status line (`2 hours ago • llama3.1:8b`).
STATUS_PARTS = re.compile(r"[ \t]++[•·|][ \t]++")
#: A time told by how long ago it was (`5 minutes ago`, `less than a minute ago`, `just now`).
RELATIVE_TIME = re.compile(
    r"^(?:(?:about|less than|over|almost)[ \t]++)?(?:an?|\d++|a few)[ \t]++\w++[ \t]++ago$"
    r"|^just now$",
    re.I,
)


#: A page header's measures after the chat's name (` - 2235 tokens ~ $0.00447`).
METRIC_SUFFIX = re.compile(r"[ \t]++[-–—|·•][ \t]++(?=[^\n]{0,20}\d)[^\n]{1,60}$")


def _named_over_metrics(lines: Sequence[str], header: list[int]) -> tuple[str | None, int | None]:
    """A page's first line that is the chat's name and its measures (Chatpad's `<name> - 2235
    tokens ~ $0.00447`), the name standing alone again in the header (its sidebar's entry):
    that name is the title."""
    if len(header) < 2:
        return None, None
    first = lines[header[0]].strip()
    name = METRIC_SUFFIX.sub("", first)
    if (
        name != first
        and _names_the_chat(name)
        and any(lines[j].strip() == name for j in header[1:])
    ):
        return name, header[0]
    return None, None


def _names_the_chat(name: str) -> bool:
    """A line that may be a chat's name: words, not a box's frame, a date, the page's own
    words, a model's name or a site's."""
    if len(name.split()) > 12 or not any(ch.isalpha() for ch in name):
        return False  # (a box's frame, `=====`, is drawn twice)
    if DATE_TIME.search(name) or interface_line(name):
        return False
    parts = STATUS_PARTS.split(name)
    if len(parts) > 1 and all(
        _model_only(_words(part.casefold())) or RELATIVE_TIME.match(part.strip()) for part in parts
    ):
        return False  # `2 hours ago • llama3.1:8b`: the chat's age and model, the page's status
    words = _words(name.casefold())
    return not (
        _kind_only(name)
        or words <= PAGE_WORDS | USER_WORDS | ASSISTANT_WORDS
        or _model_only(words)
        or _names_a_site(name)
    )  # `Chat`, `Home`, `Assistant`, `Claude 3.5 Sonnet`: the page's words


def _named_by_first_prompt(
    lines: Sequence[str], header: list[int], blocks: list[_Block]
) -> tuple[str | None, int | None]:
    """A chat a tool names by its first prompt, as chat apps name a chat never renamed: the
    header's first line is the first user message's first line, whole (its title, then the
    turns)."""
    user = next((block for block in blocks if block.role == USER), None)
    if not header or user is None:
        return None, None
    first = next((j for j in range(user.start, user.end) if lines[j].strip()), None)
    named = lines[header[0]].strip()
    if first is None or named != lines[first].strip() or len(named) > 300:
        return None, None
    if len(named.split()) < 3 and len(IDEOGRAPHS.findall(named)) < 5:
        return None, None  # `hi`, `Continue`: a greeting names no chat; the file's name does
    return named, header[0]


#: Characters of scripts written without spaces, where a prompt's words are not counted by them.
IDEOGRAPHS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


#: Words that say what kind of file a saved chat is (`Session Export: <name>`), not its name;
#: a word of four letters or more counts in any of its forms (`exported`, `чата`, `sessione`).
KIND_WORDS = frozenset(
    "chat conversation session export exported transcript history log thread dialog dialogue "
    "saved conversa conversación conversazione sesión sessão sessione exportación exportée "
    "gespräch unterhaltung sitzung verlauf чат чата беседа разговор сессия диалог экспорт "
    "会话 对话 聊天 导出 記録 记录 紀錄 會話 對話 会話 チャット セッション 대화 세션 sohbet oturum "
    "rozmowa sesja "
    "czat "
    # what a tool calls a chat it has no name for (`当前对话`, `New Chat`, `Untitled session`)
    "current new untitled 当前 當前 新 未命名 無題 新しい текущий новый nuevo nueva nouveau "
    "nouvelle neuer neue nuovo nuova novo nova".split()
)
#: Of those, the words that alone say the file is a saved chat (`History:` alone does not).
SAVED_WORDS = frozenset(
    "chat conversation session export exported transcript conversa conversación "
    "conversazione sesión sessão sessione exportación exportée gespräch sitzung чат чата "
    "беседа сессия экспорт 会话 对话 聊天 导出 会話 チャット セッション 대화 세션 sohbet oturum "
    "rozmowa sesja czat".split()
)
#: Words that join a kind of chat to its speakers (`Conversation with Claude`, `Chat mit GPT`).
CONNECTING_WORDS = frozenset(
    "with and between mit und avec et con y com e met en z ze с со ile".split()
)
SETEXT_TITLE = re.compile(r"^ {0,3}+=++[ \t]*+$")
TITLE_PREFIX = re.compile(r"^([^:：]{1,40}+)[:：][ \t]*+(\S.*)$")


def _kind_only(text: str, speakers: frozenset[str] = frozenset(), rest: Sequence[str] = ()) -> bool:
    """A heading that only says what the file is (`# Chat Session`, `# Conversation export`,
    `# Conversation with Claude` where Claude is a speaker or a model's name, `# 通义千问对话记录`
    read word by word), which a tool writes over every chat: no title. `rest`: the file's
    lines after the heading."""
    named = (
        KIND_WORDS | ASSISTANT_WORDS | (speakers | CONNECTING_WORDS if speakers else frozenset())
    )
    words: set[str] = set()
    for word in re.split(r"[\W_]+", text.casefold()):
        words.update(_segments(word, named) or [word] if word else [])
    counted = {word for word in words if word.isdigit()}
    if counted:  # `Chat Transcript - Tab 1`, `Chat 2`: a counter names no chat either
        words -= counted | COUNTER_WORDS
    if not words or not words & SAVED_WORDS:
        return False
    if words <= named:
        return True
    # `LMSYS Chat Export`: a tool's (or site's) name, the kind of file, `export` last: a banner
    # the same over every chat the tool saves. A name the chat itself speaks of is its topic
    # (`WhatsApp Chat Export`, a chat app's title for a chat on exporting WhatsApp chats).
    # So is `Agent Shell Transcript` over `## Agent` turns (`Claude-3-Sonnet Engineer Chat Log`
    # over `## Claude`): a name of one or two words left once the speakers, the kind of file and
    # a version are set aside, ending in a kind of saved chat, the chat never speaking of it.
    order = [word for word in re.split(r"[\W_]+", text.casefold()) if word]
    name = words - named
    exported = (
        name == {order[0]}
        and order[-1] in EXPORT_WORDS
        and bool(words & SAVED_WORDS - EXPORT_WORDS)
    )
    # (`Gemini Debugging Session` is a user's title: a session is what the chat was about)
    saved_kind = order[-1] == "transcript" or (
        len(order) >= 2 and order[-1] in ("log", "history") and order[-2] in SAVED_WORDS
    )
    transcribed = (
        # one name and `Transcript` (`Agent Shell Transcript`), or a model's name with its
        # version (`Claude-3-Sonnet Engineer Chat Log`): a user's title names no version
        ((len(name) == 1 and order[-1] == "transcript") or (len(name) == 2 and bool(counted)))
        and bool(words & speakers)  # the speaker the tool is named for (`Agent`, `Claude`)
        and saved_kind  # `Transcript`, `Chat Log`, `Conversation History`
        and len(order) >= 3
    )
    return (exported or transcribed) and not any(name & _words(line) for line in rest)


#: Of the kind words, those that say a tool exported the file.
EXPORT_WORDS = frozenset("export exported exportación exportée экспорт 导出".split())


#: Words that go with a number to count a tool's saved chats (`Tab 1`, `Part 2`).
COUNTER_WORDS = frozenset("tab part page window no nr".split())


def _segments(word: str, vocabulary: frozenset[str]) -> list[str] | None:
    """A word of a script written without spaces as words of `vocabulary`, longest first
    (`通义千问对话记录` -> 通义千问, 对话, 记录); None if it is not made of them."""
    if not UNSPACED_SCRIPT.search(word):
        return None
    parts: list[str] = []
    at = 0
    while at < len(word):
        part = next(
            (
                word[at:end]
                for end in range(min(len(word), at + 8), at, -1)
                if word[at:end] in vocabulary
            ),
            None,
        )
        if part is None:
            return None
        parts.append(part)
        at += len(part)
    return parts


UNSPACED_SCRIPT = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af]")


#: Words that say the value after them is a name (`Chat Title: X`, `Conversation name: X`).
NAMING_WORDS = frozenset(
    "title name topic subject titel titre título titolo tytuł название тема 标题 标題 主题 題名 "
    "タイトル 제목".split()
)


def _after_kind(text: str) -> str:
    """A title without the words a tool puts before the name (`Session Export: X` -> `X`,
    `Chat Title: X` -> `X`)."""
    prefix = TITLE_PREFIX.match(text)
    if prefix is None:
        return text
    words = {w for w in re.split(r"[\W_]+", prefix.group(1).casefold()) if w}
    named = words <= KIND_WORDS | NAMING_WORDS and words & SAVED_WORDS
    return prefix.group(2).strip() if named else text


#: A link to a site's home page (`[Continue](https://continue.dev)`).
HOME_LINK = re.compile(r"\[[^\]]{1,100}+\]\(https?://[^/\s()]++/?\)")


def _names_a_site(text: str) -> bool:
    """A heading that links a site's home page among other words (`[Tool](https://tool.dev)
    session transcript`) names the tool that wrote the file, not the chat; one that ends in a
    bare address after other words (`Conversation extracted from https://poe.com/chat/...`)
    names where the tool saved it from."""
    link = HOME_LINK.search(text)
    if link is not None and bool(text[: link.start()].strip() or text[link.end() :].strip()):
        return True
    address = TRAILING_ADDRESS.search(text)
    if address is None:
        return False
    before = set(re.split(r"[\W_]+", text[: address.start()].casefold())) - {""}
    return bool(before & KIND_WORDS) and before <= KIND_WORDS | SAVED_FROM_WORDS


#: The words a tool writes over a chat it saved from a page (`Conversation extracted from`),
#: besides the kind of file: a title the user wrote (`Chat about https://...`) has others.
SAVED_FROM_WORDS = frozenset(
    "extracted downloaded copied saved exported from at of on via url source link".split()
)


#: A bare web address ending a line (`... from https://poe.com/chat/2t6r`).
TRAILING_ADDRESS = re.compile(r"(?<![(<\[])https?://[^\s()<>\[\]]{1,300}+[ \t]*+$")


def _without_icon(text: str) -> str:
    """A title without the emoji a tool sets before or after it (`🌙 Python 求和报错`)."""
    start, end = 0, len(text)
    while start < end and (_icon_part(text[start]) or text[start].isspace()):
        start += 1
    while end > start and (_icon_part(text[end - 1]) or text[end - 1].isspace()):
        end -= 1
    return text[start:end] if start < end else text


def _icon_part(char: str) -> bool:
    """An emoji's character (not `+` in `C++`, not a combining vowel sign): a symbol, or the
    selector and joiner that build one."""
    return unicodedata.category(char) == "So" or char in "\ufe0f\u200d"


@dataclass
class _Block:
    """One turn: its marker line (None for the unmarked first turn), its lines, its role."""

    marker: int | None
    start: int
    end: int
    label: str
    role: str
    #: The marker heads a record (`# CHAT: <a summary> [time]`): its own text is no question.
    record: bool = False
    #: What the tool writes before the user's lines (`#### `, `>>> `, `llm> `), if anything.
    prefix: str = ""
    #: The line right over the marker that the tool writes with it (the message's time), if any.
    stamp: int | None = None
    #: How many characters of the block's first line are the tool's (`10:12:04: `, the time a
    #: message opens with where no marker names its speaker).
    lead: int = 0
    #: The emphasis the tool wraps the whole message in (`**`: at the start of its first line
    #: and the end of its last), if any.
    wrap: str = ""
    #: How many lines under the marker are the tool's header of the message (the rest of a
    #: fenced block of `key: value` lines whose first line is the marker), on no card.
    head: int = 0


def find_turns(
    lines: Sequence[str], text: Sequence[bool], unquote: bool = True, unglue: bool = True
) -> Turns | None:
    """The turn structure of a file, or None when it has none. `text[i]` says line i is text
    (not code, not the wrapper fence): only text lines can mark a turn. `unquote`: a `> ` on every
    line of every message may be the tool's (see `_unquoted_turns`); `unglue`: a speaker's
    marker may be glued to the end of a line (see `_unglued_turns`)."""
    xml = read_xml_chat(lines)
    if xml is not None:
        written = _xml_turns(lines, xml)
        if written is not None:
            return written  # else the file is read as text
    columns = read_columns(lines, text)
    # Above a column log, only a header (`--- Log opened <date>`): a question over a pasted log
    # is no chat log.
    if columns is not None and all(
        _above_a_log(line, columns) for line in lines[: columns.first] if line.strip()
    ):
        logged = _column_turns(lines, columns)
        if logged is not None:
            return logged  # else the file is read as one without the column layout
    drawn = _drawn_turns(lines, text)
    if drawn is not None:
        return drawn
    count = len(lines)
    content = [i for i in range(count) if lines[i].strip()]
    front = front_matter(lines)
    headed_by_blocks = _fenced_headers(lines, text, front)
    if headed_by_blocks is not None:
        blocks, shape, roles = headed_by_blocks
        return _assemble(lines, text, content, front, blocks, shape, roles, {})
    outlined = _outline_turns(lines, text) if unquote else None
    if outlined is not None:
        return outlined
    skip = set(front)
    found: dict[int, Candidate] = {}
    led: dict[int, Candidate] = {}  # markers after a lead, for `_paired_turns` alone
    org = any(ORG_BLOCK.match(lines[i]) or ORG_KEYWORD.match(lines[i]) for i in content)
    for i in content:
        if text[i] and i not in skip and _may_mark(lines[i]):
            each = candidate(lines[i]) if not (org and lines[i][:2] == "* ") else _org_top(lines[i])
            if each is not None and (each.shape != QUOTED_SHAPE or _quoted_alone(lines, i)):
                found[i] = each
            elif each is None and (after_lead := _led_candidate(lines[i])) is not None:
                led[i] = after_lead
    if not _decorated_markers_kept(lines, text, content, skip, found):
        found = {i: each for i, each in found.items() if not each.decorated}
    if _dashed_terms(lines, text, content, found):  # (`Report — a saved view`: a glossary's)
        found = {i: each for i, each in found.items() if not _dashed(each)}
    found = {  # (`// user` between two lines of code: a comment in the code)
        i: each for i, each in found.items() if not (each.decorated and _amid_code(lines, i))
    }
    arrowed = [i for i in found if ARROW_LEAD.match(lines[i])]
    if arrowed and any(
        lines[j][:1] == ">" and j not in found and not ARROW_LABEL.match(lines[j]) for j in content
    ):
        for i in arrowed:  # `>> USER:` among other `>` lines: a quote in a quote (an email's)
            del found[i]
    if unglue:
        glued = _glued_markers(lines, text, found)
        unglued = _unglued_turns(lines, text, unquote, glued) if glued else None
        if unglued is not None:
            return unglued
    headed = _sender_stamp_turns(lines, text, content, skip) or _keyed_role_turns(
        lines, text, content, skip
    )
    if headed is not None and any(
        _hint(each) in (USER, ASSISTANT) and i not in headed[3] for i, each in found.items()
    ):
        headed = None  # (`User:` / `## Assistant` labels too: the headers are a pasted thread)
    partners = _partner_labels(lines, content, found) if headed is None else {}
    if partners:
        seen = Counter(each.key for each in found.values())
        found = {
            i: each
            for i, each in {**found, **partners}.items()
            if i in partners or each.shape != "<label>" or seen[each.key] >= 2
        }
    avatars = _avatar_labels(lines, text, content) if headed is None and not partners else {}
    if avatars:
        found = {**found, **avatars}
    chosen = _choose_shape(lines, content, found, skip) if headed is None else None
    if headed is not None:
        blocks, shape, roles, marked = headed
        found = {**found, **marked}  # (the marker lines as these readings read them)
    elif chosen is not None:
        markers, roles = chosen
        labeled = _labeled_blocks(lines, content, markers, roles, found, skip)
        if labeled is None:
            return None
        blocks, shape = labeled, found[markers[0]].shape
    else:
        turns = (
            _stamped_turns(lines, text, content, skip)
            or _timed_turns(lines, text, content, skip)
            or _record_turns(lines, text, content, found, skip)
            # (a page copy's toolbar comes before a REPL's prompt: a reply's `>>> ` example)
            or _prompt_toolbars(lines, text, content, skip)
            # (and the reasoning's status over every reply: a reply's `julia> ` example)
            or _opened_replies(lines, text, content, skip)
            or _prefixed_turns(
                lines, text, content, skip, _repl_prompts(lines, text, content, skip)
            )
            or _deepening_turns(lines, text, content, found, skip)
            or _paired_turns(lines, text, content, found, skip, led)
            or _sectioned_replies(lines, text, content, skip)
            or _contained_replies(lines, text, content, skip)
            or _ruled_turns(lines, text, content, skip)
            or _headed_replies(lines, text, content, skip)
            or _timed_messages_both_sides(lines, text, content, skip)
            or _dated_turns(lines, text, content, skip)
            or _clocked_replies(lines, text, content, skip)
            or _footed_replies(lines, text, content, skip)
            or _named_replies(lines, text, content, skip)
            or _gapped_messages(lines, text, content, skip)
            or _reasoned_replies(lines, text, content, skip)
            or _emphasized_prompts(lines, text, content, skip)
        )
        if turns is None:
            return None
        blocks, shape, roles = turns
    if unquote and _quoted_messages(lines, blocks):
        unquoted = _unquoted_turns(lines, text, blocks)
        if unquoted is not None:
            return unquoted
    return _assemble(lines, text, content, front, blocks, shape, roles, found)


def _dashed(each: Candidate) -> bool:
    """A label set off by a dash (`User — text`, `**User** – text`)."""
    return each.decorated and each.shape.endswith(("—", "–"))


def _dashed_terms(
    lines: Sequence[str], text: Sequence[bool], content: list[int], found: dict[int, Candidate]
) -> bool:
    """Dashed labels among other lines of the same shape naming no speaker (`User — a person
    who...` / `Report — a saved view ...`): a glossary's terms and their definitions."""
    if not any(_dashed(each) for each in found.values()):
        return False
    for j in content:
        if j in found or not text[j]:
            continue
        other = SYMBOL_SEPARATED.match(lines[j].strip())
        if other is not None and other.group(3) in ("—", "–"):
            return True
    return False


def _decorated_markers_kept(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    skip: set[int],
    found: dict[int, Candidate],
) -> bool:
    """A role's label in symbols (`<user>`, `// user`, `> User`, `User > text`) marks turns
    only in a file that opens with one, and, as an element's tag, one closed before the next
    opens: in a document such lines are its examples (a chat template, a PlantUML diagram, a
    code comment, a menu path under a heading question), and nested tags are XML's data."""
    decorated = sorted(i for i, each in found.items() if each.decorated)
    if not decorated or not _opens_file(lines, text, content, skip, decorated[0]):
        return False
    tags = [i for i in decorated if OPEN_TAG.match(lines[i].strip())]
    for n, i in enumerate(tags):
        closing = f"</{found[i].label}>".casefold()
        stop = tags[n + 1] if n + 1 < len(tags) else len(lines)
        if any(lines[j].strip().casefold() == closing for j in range(i + 1, stop)):
            continue
        if any(lines[j].strip().casefold() == closing for j in range(stop, len(lines))):
            return False  # (`<response>` / `<user>` / `</user>` / `</response>`: XML's data)
    return True


def _amid_code(lines: Sequence[str], i: int) -> bool:
    """Line i stands right between two lines of code (`const q = ...;` / `// user` / `log(q);`)."""
    return (
        0 < i < len(lines) - 1
        and bool(lines[i - 1].strip())
        and bool(lines[i + 1].strip())
        and code_line(lines[i - 1])
        and code_line(lines[i + 1])
    )


def _opens_file(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int], first: int
) -> bool:
    """Nothing above line `first` but a header: front matter, separators, metadata lines and
    a title, a heading no other heading of its level in the file repeats (headings of one level
    over the file's parts are its questions or sections, no title)."""
    levels = Counter(
        len(heading.group(1))
        for j in content
        if text[j] and (heading := HEADING.match(lines[j])) is not None
    )
    for j in content:
        if j >= first:
            return True
        if j in skip or _lone_tag(lines[j].strip()):  # (`<div class="message">`: markup)
            continue
        heading = HEADING.match(lines[j])
        if heading is not None:
            if levels[len(heading.group(1))] > 1:
                return False
        elif not _header_line(lines[j]):
            return False
    return True


#: A line of a tool's header block: `key: value`.
HEADER_KEY = re.compile(r"^[ \t]*+([A-Za-z][\w-]{0,30}+)[ \t]*+:[ \t]*+(.{0,80}?)[ \t]*+$")
#: The most `key: value` lines a message's fenced header holds.
MAX_HEADER_KEYS = 12


def _fenced_headers(
    lines: Sequence[str], text: Sequence[bool], front: list[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A tool that heads every message with a fenced block of `key: value` lines, one naming
    the speaker (`` ```turn `` / `role: user` / `` ``` ``, Inline AI Chat Notebook's): each such
    block is its message's marker, the speaker's value its label and the other keys
    (`model: llama3`) the tool's; three or more (two are a note's example as often), the
    user's and the model's among them, each but the last with text under it, and nothing but
    blank lines or the front matter (`front`) over the first (a note's code block about a chat
    API is no header: it has prose around it)."""
    heads: list[tuple[int, int, str]] = []  # (opening fence, closing fence, label)
    key_names: set[str] = set()
    i = 0
    while i < len(lines):
        fence = INFO_FENCE.match(lines[i]) or BARE_FENCE.match(lines[i])
        if fence is None or text[i]:
            i += 1
            continue
        closer = re.compile(
            rf"^ {{0,3}}+{re.escape(fence.group(1))}{re.escape(fence.group(1)[0])}*+[ \t]*+$"
        )
        close = next((k for k in range(i + 1, len(lines)) if closer.match(lines[k])), None)
        if close is None:
            break  # (a fence left open runs to the end of the file)
        if close - i - 1 > MAX_HEADER_KEYS:
            i = close + 1
            continue
        keys = [HEADER_KEY.match(lines[k]) for k in range(i + 1, close)]
        speakers = [key for key in keys if key and key.group(1).casefold() in SPEAKER_NAMES]
        if keys and all(keys) and len(speakers) == 1 and speakers[0].group(2):
            heads.append((i, close, speakers[0].group(2)))
            key_names.add(speakers[0].group(1))
        i = close + 1
    above = [k for k in range(heads[0][0]) if lines[k].strip() and k not in front] if heads else []
    if len(heads) < 3 or len(key_names) != 1 or above:
        return None
    if not all(
        any(lines[k].strip() for k in range(close + 1, nxt[0]))
        for (_, close, _), nxt in zip(heads[:-1], heads[1:], strict=True)
    ):
        return None  # (a block holding a message's `content:` with no text under it: a doc's)
    roles = {label: role_hint(_words(label.casefold())) or OTHER for _, _, label in heads}
    if not {USER, ASSISTANT} <= set(roles.values()):
        return None
    blocks = [
        _Block(opening, close + 1, stop, label, roles[label], head=close - opening)
        for (opening, close, label), stop in zip(
            heads, [h[0] for h in heads[1:]] + [len(lines)], strict=True
        )
    ]
    opener = INFO_FENCE.match(lines[heads[0][0]])
    info = opener.group(2) if opener else ""
    shape = f"```{info}` over `{next(iter(key_names))}: <label>` and `key: value` lines, ```"
    return blocks, shape, roles


def _org_top(line: str) -> Candidate | None:
    """`* You` in a file written in Org (it has `#+begin_src` blocks or `#+title:` keywords): a
    first-level heading, as Org reads a star at the start of a line, not a list item."""
    found = candidate("*" + line)
    if found is None or not found.shape.startswith("** "):
        return found
    return replace(found, shape=found.shape[1:])


#: An outliner's property line (Logseq's `id:: 67d48c8d-...`, `speaker:: [[user]]`).
PROPERTY = re.compile(r"^([\w-]{1,40}+)::[ \t]++(.*)$")
WIKI_LINK = re.compile(r"\[\[([^\[\]\n]{1,60}+)\]\]")


def _outline_turns(lines: Sequence[str], text: Sequence[bool]) -> Turns | None:
    """A page of an outliner (Logseq) where every message is a top-level bullet: `- ` opens it,
    every further line is indented by two spaces, and properties (`key:: value`) open it and
    the page (`type:: ChatGPT`). The turns are those of the same page written flat: each line
    without the outline's two characters, and the property lines on no card, but for one whose
    value names a role (`speaker:: [[user]]`), which is the message's marker. Two bullets or
    more, every line of the page under its properties a bullet's or indented."""
    count = len(lines)
    k = 0
    page: list[int] = []
    while k < count and PROPERTY.match(lines[k]):
        page.append(k)
        k += 1
    bullets = 0
    for j in range(k, count):
        line = lines[j]
        if line.startswith("- "):
            bullets += 1
        elif line.strip() and not line.startswith(("  ", "\t")):
            return None
    if bullets < 2:
        return None
    flat = list(lines)
    properties: set[int] = set(page)
    speakers = 0
    for j in page:
        flat[j] = ""
    opening = True  # the lines right under a bullet, while they are properties
    for j in range(k, count):
        line = lines[j]
        if line.startswith("- "):
            opening = True
        bare = line[2:] if line.startswith(("- ", "  ")) else line.removeprefix("\t")
        prop = PROPERTY.match(bare) if opening else None
        if prop is None:
            opening = False
            flat[j] = bare if bare.strip() else ""
            continue
        value = WIKI_LINK.sub(r"\1", prop.group(2)).strip()
        if role_hint(_words(value.casefold())) in (USER, ASSISTANT):
            flat[j] = f"{prop.group(1)}:: {value}"  # the message's marker
            speakers += 1
        else:
            flat[j] = ""
            properties.add(j)
    if speakers < 2:
        return None  # an outline of notes: its bullets are no messages
    turns = find_turns(flat, text, unquote=False)
    if turns is None:
        return None
    shown = {j: line for j, line in enumerate(flat) if line != lines[j] and j not in properties}
    left_out = {**turns.left_out, **{j: METADATA for j in properties}}
    return replace(turns, rewrites={**shown, **turns.rewrites}, left_out=left_out)


def _quoted_alone(lines: Sequence[str], i: int) -> bool:
    """A tool that quotes a message's header (`> 2026-03-14 10:12:05 · User`) quotes that line
    alone, with a blank line or the message's unquoted text under it. A header in a quote that
    goes on over or under it (`> The deploy failed.`) is a message copied whole with its text, a
    Slack or Teams thread quoted in notes: no marker."""
    return not any(
        0 <= j < len(lines) and lines[j].lstrip().startswith(">") for j in (i - 1, i + 1)
    )


def _glued_markers(
    lines: Sequence[str], text: Sequence[bool], found: dict[int, Candidate]
) -> dict[int, int]:
    """Where a speaker's marker (one that opens a line of the file and names a role: `👤 : `,
    `User: `) stands again in the middle of a later text line, right after the end of a
    sentence (`...returns 200.👤 : and liveness?`): line -> the marker's position. A tool that
    streams a reply and writes the next prompt's marker without a line break leaves them."""
    speaking = sorted(i for i, each in found.items() if _hint(each) in (USER, ASSISTANT))
    seen: set[str] = set()
    for i in speaking:
        line, inline = lines[i].rstrip(), found[i].inline
        if inline and line.endswith(inline):
            seen.add(line[: len(line) - len(inline)].strip())
    seen.discard("")
    # A line read whole as a marker, `Done.👤 : next`, is itself a marker glued to `Done.`.
    prefixes = Prefixes(
        {p for p in seen if not any(p[m.end() :] in seen for m in GLUE_POINT.finditer(p))}
    )
    if not prefixes:
        return {}
    glued: dict[int, int] = {}
    for i in range(speaking[0] + 1, len(lines)):
        line = lines[i]
        if text[i] and prefixes.at(line, len(line) - len(line.lstrip())) is None:
            at = prefixes.glued_in(line)
            if at is not None:
                glued[i] = at
    return glued


class Prefixes:
    """Marker prefixes, looked up at a position by length (a tool that writes a time into each
    marker makes one prefix per turn: a lookup never tries them one by one)."""

    def __init__(self, prefixes: set[str]) -> None:
        self.by_length: dict[int, set[str]] = {}
        for prefix in prefixes:
            self.by_length.setdefault(len(prefix), set()).add(prefix)

    def __bool__(self) -> bool:
        return bool(self.by_length)

    def at(self, line: str, k: int) -> int | None:
        """The length of a prefix at line[k], followed by a space or tab, if any."""
        for length, members in self.by_length.items():
            if line[k : k + length] in members and line[k + length : k + length + 1] in (" ", "\t"):
                return length
        return None

    def glued_in(self, line: str) -> int | None:
        """The first position past the start where a prefix follows a sentence's end."""
        for point in GLUE_POINT.finditer(line):
            if self.at(line, point.end()) is not None:
                return point.end()
        return None


#: What a message ends with where a tool glued the next marker to it: a sentence's end or a
#: closing bracket or quote (not `"`, a backtick or `*`, which open as often as they close).
GLUE_POINT = re.compile("[" + re.escape("".join(PROSE_END) + ")]”’»") + "]")


def _unglued_turns(
    lines: Sequence[str], text: Sequence[bool], unquote: bool, glued: dict[int, int]
) -> Turns | None:
    """The turns of the file read with each glued marker at the start of its line, if every one
    of them then opens a turn; the text before it ends the message before."""
    split = list(lines)
    for i, at in glued.items():
        split[i] = lines[i][at:]
    turns = find_turns(split, text, unquote, unglue=False)
    if turns is None or any(i not in turns.user and i not in turns.assistant for i in glued):
        return None
    return replace(turns, glued={i: lines[i][:at] for i, at in glued.items()})


def _quoted_messages(lines: Sequence[str], blocks: list[_Block]) -> bool:
    """Every message, the user's and the model's, is one quote: each of its lines, blank ones
    too, starts with `>`, past the lines over it that are metadata (a date, a `Key: value`)
    and up to the rule after it.
    A user who quotes writes a line of their own too, and a quote of their own has no `>` on
    the lines around it; a prefix that every line of every message carries is the tool's. A
    reply's quote may be followed, past a blank line, by lines the tool adds unquoted (the
    sources it cites), which stay as they are."""
    roles: set[str] = set()
    for block in blocks:
        body = [j for j in range(block.start, block.end) if lines[j].strip()]
        over = len(body)
        while body and not lines[body[0]].startswith(">") and _edge_form(lines[body[0]]):
            body.pop(0)
        over -= len(body)  # the lines of metadata over the quote
        while body and (is_separator(lines[body[-1]]) or _lone_tag(lines[body[-1]].strip())):
            body.pop()  # the rule after it, the element's closing tag
        if not body:
            continue
        quoted = body[0]
        while quoted + 1 < block.end and lines[quoted + 1].startswith(">"):
            quoted += 1
        if not lines[body[0]].startswith(">"):
            return False
        # Unquoted lines after a reply's quote are the tool's only under the tool's metadata
        # over it: a person's reply may quote a line and go on in prose under it.
        if quoted < body[-1] and (block.role != ASSISTANT or lines[quoted + 1].strip() or not over):
            return False
        roles.add(block.role)
    return {USER, ASSISTANT} <= roles


def _unquoted_turns(
    lines: Sequence[str], text: Sequence[bool], blocks: list[_Block]
) -> Turns | None:
    """The turns of the file read without the `>` (and the space after it) on its messages' lines:
    found as in the same chat written without it, with each such line shown without it."""
    bare = list(lines)
    for block in blocks:
        for j in range(block.start, block.end):
            if lines[j].startswith(">"):
                bare[j] = _without_quote_mark(lines[j])
    turns = find_turns(bare, text, unquote=False)
    if turns is None:
        return None
    shown = {j: line for j, line in enumerate(bare) if line is not lines[j]}
    return replace(turns, rewrites={**shown, **turns.rewrites})


def _without_quote_mark(line: str) -> str:
    """A quoted line without the tool's `> ` (or `>`)."""
    return line[2:] if line.startswith("> ") else line[1:]


def _choose_shape(
    lines: Sequence[str], content: list[int], found: dict[int, Candidate], skip: set[int]
) -> tuple[list[int], dict[str, str]] | None:
    """The marker shape of a file, its marker lines and each label's role; None if no shape
    recurs, alternates and opens blocks of content as turn markers do."""
    by_shape: dict[str, list[int]] = {}
    for i, each in found.items():
        by_shape.setdefault(each.shape, []).append(i)
    best: tuple[tuple[int, int, int], list[int], dict[str, str]] | None = None
    for members in by_shape.values():
        result = _read_shape(lines, content, found, members, skip)
        if result is None:
            continue
        markers, roles, hinted = result
        # Role words for both speakers say most (`### 👤 User` / `### 🤖 Assistant` over a
        # header's `Date:` / `Model:` lines), then for one, then how many turns.
        named = {role for i in markers if (role := _hint(found[i])) in (USER, ASSISTANT)}
        rank = (int(hinted) + int(len(named) == 2), len(markers), -markers[0])
        if best is None or rank > best[0]:
            best = (rank, markers, roles)
    return None if best is None else (best[1], best[2])


def _read_shape(
    lines: Sequence[str],
    content: list[int],
    found: dict[int, Candidate],
    members: list[int],
    skip: set[int],
) -> tuple[list[int], dict[str, str], bool] | None:
    members = sorted(members)
    counts = Counter(found[i].key for i in members)
    hints = {found[i].key: _hint(found[i]) for i in members}
    hinted_user = any(h == USER for h in hints.values())
    hinted_assistant = any(h == ASSISTANT for h in hints.values())
    if hinted_user or hinted_assistant:
        # (a maker's and a product's name, `GitHub Copilot:`, is a speaker's when it recurs)
        members = [
            i
            for i in members
            if not found[i].loose or (counts[found[i].key] >= 2 and _product_name(found[i].label))
        ]
        # A heading of the same shape inside a reply ("## Example") is not a speaker: keep the
        # labels with a role word; a label without one only when one speaker has no role word
        # (`**Mara**` / `**Claude**`) and it is about as frequent as the named speaker.
        top = max(counts[k] for k, h in hints.items() if h in (USER, ASSISTANT))
        both = hinted_user and hinted_assistant
        keep = {
            k for k, h in hints.items() if h is not None or (not both and counts[k] * 2 >= top + 1)
        }
        # A third label set off like the speakers' (`--- ` then `[meta]`, as before `[user]`)
        # heads records of its own: another party's (the tool's, a command line), on no card.
        third = _set_off_like(lines, content, found, members, keep) if both else set()
        if both and FRAMED.match(found[members[0]].shape):
            # A tool's frame (`█ $ usage: █`) around a label of no speaker's that recurs: the
            # tool's own record (its token count), never a line a reply holds.
            third |= {
                k
                for k, h in hints.items()
                if h is None and counts[k] >= 2 and _measured_records(lines, found, members, k)
            }
        hints.update(dict.fromkeys(third, OTHER))
        keep |= third
        members = [i for i in members if found[i].key in keep]
        if both:
            members = _without_preambles(found, members, hints)
            members = _without_model_menu(lines, found, members, hints)
            members = _without_named_models(found, members, hints)
        # A label that only ever comes right after another label of its role ("Short answer:"
        # under "Assistant:") is a line of that speaker's turn.
        after: dict[str, set[str]] = {}
        for a, b in zip(members, members[1:], strict=False):
            after.setdefault(found[b].key, set()).add(found[a].key)
        inside = {
            k
            for k, before in after.items()
            if all(p != k and hints[p] == hints[k] for p in before) and found[members[0]].key != k
        }
        members = [i for i in members if found[i].key not in inside]
        # `GPT 4 Turbo: text` beside the model's own label (`ChatGPT:`): a line of a turn.
        lines_of_turns = _model_lines(found, members, hints)
        members = [i for i in members if found[i].key not in lines_of_turns]
        counts = Counter(found[i].key for i in members)
    if sum(1 for n in counts.values() if n >= 2) >= 2:
        # A speaker recurs: a label without a role word seen once, beside two that recur, is a
        # line of a turn ("Compare:" in a reply).
        members = [i for i in members if counts[found[i].key] >= 2 or hints[found[i].key]]
        counts = Counter(found[i].key for i in members)
    labels = list(counts)
    if not 2 <= len(labels) <= 4 or len(members) < 2:
        return None
    sequence = [found[i].key for i in members]
    changes = sum(1 for a, b in zip(sequence, sequence[1:], strict=False) if a != b)
    if changes * 2 < len(sequence) - 1:
        return None
    hinted = any(hints[k] in (USER, ASSISTANT) for k in labels)
    if len(members) == 2 and not {USER, ASSISTANT} <= {hints[k] for k in labels}:
        # One exchange, one speaker named: prose above it is a document with two `Word:` lines.
        header = [j for j in content if j < members[0] and j not in skip]
        if len([j for j in header if not _header_line(lines[j])]) > 2:
            return None
    # The blocks each marker opens: its lines up to the next marker.
    sizes: dict[str, list[int]] = {k: [] for k in labels}
    asks: Counter[str] = Counter()
    bounds = members + [len(lines)]
    position = 0
    for n, i in enumerate(members):
        stop = bounds[n + 1]
        size = 0
        last = ""
        while position < len(content) and content[position] <= i:
            position += 1
        scan = position
        while scan < len(content) and content[scan] < stop:
            size += 1
            last = lines[content[scan]].strip()
            scan += 1
        if found[i].inline:
            size += 1
            last = last or found[i].inline or ""
        sizes[found[i].key].append(size)
        if last.endswith(("?", "？")):
            asks[found[i].key] += 1
    if not hinted:
        # No role word: only a strong structure will do (a message's time before each name is
        # one even in a chat of one exchange).
        least = 2 if "<time>" in found[members[0]].shape else 4
        if len(members) < least or changes * 10 < (len(members) - 1) * 8:
            return None
        # Two speakers each speak more than once (`Traceback`, `def evaluate_accuracy`,
        # `Usage example` once each are a reply's lines that end in a colon, no names).
        spoken = Counter(found[i].key for i in members)
        if least > 2 and sum(1 for count in spoken.values() if count >= 2) < 2:
            return None
        # A label numbered anew each time (`Turn 1`, `Turn 2`) beside one that is not counts
        # records, and the other is a heading inside them: no two speakers.
        numbered = {found[i].key for i in members if found[i].label.casefold() != found[i].key}
        if numbered and numbered != set(labels):
            return None
        # The file's header holds a heading and two lines at most, besides separators and
        # metadata (`Channel: ...`, a date): prose above is a document, not a chat. (Over a
        # page's avatars, the page's sidebar.)
        header = [j for j in content if j < members[0] and j not in skip]
        heads = [j for j in header if not _header_line(lines[j])]
        if len(heads) > 2 and found[members[0]].shape != AVATAR_SHAPE:
            return None
    roles = _roles(labels, hints, sizes, asks, sequence)
    if roles is None:
        return None
    if not hinted:
        user = [k for k, r in roles.items() if r == USER][0]
        others = [s for k, r in roles.items() if r == ASSISTANT for s in sizes[k]]
        if not others or statistics.median(sizes[user]) >= statistics.median(others):
            return None
    return members, roles, hinted


def _measured_records(
    lines: Sequence[str], found: dict[int, Candidate], members: list[int], key: str
) -> bool:
    """Each record a label heads holds a line or two of numbers (`Tokens: 452 prompt + 618
    completion = 1070 total | Cost: $0.0177`): a tool's measures, not a person's note."""
    bounds = [*members[1:], len(lines)]
    for i, stop in zip(members, bounds, strict=True):
        if found[i].key != key:
            continue
        body = [lines[j] for j in range(i + 1, stop) if lines[j].strip()]
        if not body or len(body) > 2 or any(len(NUMBER.findall(line)) < 3 for line in body):
            return False
    return True


def _without_model_menu(
    lines: Sequence[str],
    found: dict[int, Candidate],
    members: list[int],
    hints: dict[str, str | None],
) -> list[int]:
    """The markers without a model's name before the user's first turn, where one of the
    model's labels recurs: seen once (a page's model menu, `llama3:8b`, over the chat whose
    replies are headed `Ollama llama3:8b`), or the replies' own label over nothing but the
    page's short lines (the model picker, `qwen2.5-coder:7b`, over `No persona selected` and
    `New Chat`): the page's line, no reply."""
    counts = Counter(found[i].key for i in members)
    first_user = next((i for i in members if hints[found[i].key] == USER), None)
    recurring = any(hints[key] == ASSISTANT and count >= 2 for key, count in counts.items())
    if first_user is None or not recurring:
        return members
    return [
        i
        for i in members
        if not (
            i < first_user
            and hints[found[i].key] == ASSISTANT
            and _model_menu(found[i].label)
            and (counts[found[i].key] == 1 or _page_lines_only(lines, i + 1, first_user))
        )
    ]


def _page_lines_only(lines: Sequence[str], start: int, stop: int) -> bool:
    """Lines [start, stop) hold only a page's short lines (buttons, names, a chat's entry in
    the sidebar), no sentence: a few words each, none ending a sentence."""
    return all(
        len(text.split()) <= 6 and not text.endswith((".", "!", "?", "。", "！", "？"))
        for text in (line.strip() for line in lines[start:stop])
        if text
    )


def _without_named_models(
    found: dict[int, Candidate], members: list[int], hints: dict[str, str | None]
) -> list[int]:
    """The markers without a model's name and tag alone on a line (`Ollama llama3:8b`) seen once,
    where the model's replies have a label of another kind that recurs (`Assistant`): a line of
    a message (`I'm running` / `Ollama llama3:8b` / `on my laptop`), no reply."""
    counts = Counter(found[i].key for i in members)
    plain = any(
        hints[k] == ASSISTANT and n >= 2 and not _model_menu(found[i].label)
        for k, n in counts.items()
        for i in members
        if found[i].key == k
    )
    if not plain:
        return members
    return [
        i
        for i in members
        if not (
            counts[found[i].key] == 1
            and hints[found[i].key] == ASSISTANT
            and found[i].shape == "<label>"
            and ":" in found[i].label
            and _model_menu(found[i].label)
        )
    ]


def _without_preambles(
    found: dict[int, Candidate], members: list[int], hints: dict[str, str | None]
) -> list[int]:
    """Two labels of the user's before the model's first turn, one a role word alone
    (`### User:`) and one that says more (`### User Editable Context:`, the custom
    instructions a tool writes first): the one that says more, never seen after the model
    speaks, heads a section of the file's header, not a turn."""
    replies = [i for i in members if hints[found[i].key] == ASSISTANT]
    if not replies:
        return members
    first_reply = replies[0]
    users = {found[i].key for i in members if hints[found[i].key] == USER}
    bare = {k for k in users if _role_words_only(found, members, k)}
    if not bare or bare == users:
        return members
    later = {found[i].key for i in members if i > first_reply}
    preambles = {k for k in users - bare if k not in later}
    if not any(i < first_reply and found[i].key in bare for i in members):
        return members  # the role word alone must open the user's first turn itself
    return [i for i in members if found[i].key not in preambles]


def _role_words_only(found: dict[int, Candidate], members: list[int], key: str) -> bool:
    words = next(found[i].words for i in members if found[i].key == key)
    return bool(words) and words <= USER_WORDS


def _set_off_like(
    lines: Sequence[str],
    content: list[int],
    found: dict[int, Candidate],
    members: list[int],
    keep: set[str],
) -> set[str]:
    """Labels outside `keep` that, wherever they stand, come right after the same separator
    line as every marker of the labels in `keep`."""
    lead: dict[int, str | None] = {}
    for i in members:
        at = bisect.bisect_left(content, i)
        before = lines[content[at - 1]].strip() if at > 0 else None
        lead[i] = before if before is not None and is_separator(before) else None
    speakers = {lead[i] for i in members if found[i].key in keep}
    if len(speakers) != 1 or None in speakers:
        return set()
    others: dict[str, set[str | None]] = {}
    for i in members:
        if found[i].key not in keep:
            others.setdefault(found[i].key, set()).add(lead[i])
    return {k for k, leads in others.items() if leads == speakers}


def _roles(
    labels: list[str],
    hints: dict[str, str | None],
    sizes: dict[str, list[int]],
    asks: Counter[str],
    order: Sequence[str],
) -> dict[str, str] | None:
    """Which label is the user's: a role word counts most, then the shortest blocks, then the
    most blocks that end in a question and speaking first (a role-play opens with the
    character's greeting: short turns say more than the first one). `order`: the labels of
    the turns, in the file's order."""
    first = order[0]
    speakers = [k for k in labels if hints[k] != OTHER]
    if len(speakers) < 2:
        return None
    medians = {k: statistics.median(sizes[k]) if sizes[k] else 0 for k in speakers}
    shortest = min(speakers, key=lambda k: medians[k])
    asking = max(speakers, key=lambda k: asks[k] / max(1, len(sizes[k])))

    def score(k: str) -> float:
        value = 0.0
        if hints[k] == USER:
            value += 3
        if hints[k] == ASSISTANT:
            value -= 3
        value += 1.5 * (k == shortest) + (k == first) + (k == asking and asks[k] > 0)
        return value

    user = max(speakers, key=score)
    # Another label whose words name the user (`User follow-up` beside `User`) is the user's
    # too, so long as a label is left to answer and answers it: a heading of the model's reply
    # (`### User story:`), followed by the user's next turn or nothing, is no turn of the user's.
    named = {k for k in speakers if hints[k] == USER}
    users = {user} | {k for k in named if _answered(k, order, named | {user}, hints)}
    if users >= set(speakers):
        users = {user}
    return {k: (USER if k in users else OTHER if hints[k] == OTHER else ASSISTANT) for k in labels}


def _answered(
    key: str, order: Sequence[str], users: set[str], hints: dict[str, str | None]
) -> bool:
    """Whether the model answers `key`'s turns: each one that another speaker's turn follows
    is followed by a turn of a label outside `users`, and one such turn is."""
    speaking = [k for k in order if hints.get(k) != OTHER]
    after = [b for a, b in zip(speaking, speaking[1:], strict=False) if a == key]
    return bool(after) and all(b not in users for b in after)


def _labeled_blocks(
    lines: Sequence[str],
    content: list[int],
    markers: list[int],
    roles: dict[str, str],
    found: dict[int, Candidate],
    skip: set[int],
) -> list[_Block] | None:
    blocks: list[_Block] = []
    pictures = _pictures_over(lines, markers, roles, found)
    bounds = [m - 1 if m in pictures else m for m in markers] + [len(lines)]
    for n, i in enumerate(markers):
        key = found[i].key
        if i in pictures:
            blocks.append(_Block(None, i - 1, i, "picture", OTHER))
        blocks.append(_Block(i, i + 1, bounds[n + 1], found[i].label, roles[key]))
    # The lines before the first marker: if an assistant speaks first, the user's first turn is
    # the unmarked text above it (after the file's header).
    top = markers[0] - 1 if markers[0] in pictures else markers[0]  # (over its picture)
    if roles[found[markers[0]].key] == ASSISTANT:
        body = [j for j in content if j < top and j not in skip and not _header_line(lines[j])]
        if body:
            blocks.insert(0, _Block(None, body[0], top, "", USER))
    return blocks


#: A picture's alt text as a page copy keeps it: a few words, no marks (`Ollama profile`).
PICTURE = re.compile(r"[^\W\d_][\w'’ -]{0,38}+")


def _pictures_over(
    lines: Sequence[str], markers: list[int], roles: dict[str, str], found: dict[int, Candidate]
) -> set[int]:
    """The markers of a role with the same short line right over every one of them, two or
    more (`Ollama profile` over `Ollama llama3:8b`: the alt text of the speaker's picture a page
    copy keeps): that line is the page's, no line of the message before it."""
    marked = set(markers)
    pictured: set[int] = set()
    for role in (USER, ASSISTANT):
        heads = [i for i in markers if roles[found[i].key] == role and i > 0]
        above = {lines[i - 1].strip() for i in heads}
        picture = next(iter(above)) if len(above) == 1 else ""
        if (
            len(heads) >= 2
            and PICTURE.fullmatch(picture)
            and len(picture.split()) <= 3
            and _words(picture.casefold()) & PICTURE_WORDS  # (`Ollama profile`, not `Thanks`)
            and not any(i - 1 in marked for i in heads)
        ):
            pictured.update(heads)
    return pictured


#: Seven hashes or more: no Markdown heading, but a tool may write one as the next turn's.
DEEP_HEADING = re.compile(r"^ {0,3}+#{7,}+[ \t]++(\S.*)$")
#: An Org headline at any level (`* User`, `******* AI`).
STARRED_HEADING = re.compile(r"^\*++[ \t]++(\S.*)$")


def _marks_level(line: str) -> int:
    """A Markdown heading's or Org headline's level: its `#` or `*` marks."""
    text = line.lstrip()
    return len(text) - len(text.lstrip(text[:1]))


def _deepening_turns(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    found: dict[int, Candidate],
    skip: set[int],
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """Speaker headings whose level changes from turn to turn (a tool that nests each reply one
    level under the turn before: `## AI`, `### User`, `#### AI`, ..., past six hashes too; Org's
    `* User`, `** AI`, `*** User`): the turns read as one heading shape whatever the level.
    Only where no shape of one level is."""
    anywhere: dict[int, Candidate] = {}
    for i in content:
        if not text[i] or i in skip:
            continue
        each = found.get(i)
        starred = STARRED_HEADING.match(lines[i])
        if starred:
            each = candidate("###### " + starred.group(1).strip())
            if each is not None:
                anywhere[i] = replace(each, shape="*… " + each.shape.lstrip("#").lstrip())
            continue
        deep = DEEP_HEADING.match(lines[i]) if each is None else None
        if deep:
            each = candidate("###### " + deep.group(1))
        if each is not None and each.shape.startswith("#"):
            anywhere[i] = replace(each, shape="#… " + each.shape.lstrip("#").lstrip())
    chosen = _choose_shape(lines, content, anywhere, skip)
    if chosen is None:
        return None
    markers, roles = chosen
    levels = [_marks_level(lines[i]) for i in markers]
    if len(levels) < 3 or any(b <= a for a, b in zip(levels, levels[1:], strict=False)):
        return None  # a document's headings: the levels of a chat's turns only go deeper
    if len({anywhere[i].key for i in markers}) != 2:
        return None  # a third label (a reply's `#### User stories`) is a reply's own heading
    blocks = _labeled_blocks(lines, content, markers, roles, anywhere, skip)
    if blocks is None:
        return None
    found.update((i, anywhere[i]) for i in markers)  # the markers' reading, for what follows
    return blocks, anywhere[markers[0]].shape, roles


def _paired_turns(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    found: dict[int, Candidate],
    skip: set[int],
    led: dict[int, Candidate],
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A tool that marks the user's turns one way and the model's another (`* … >> PROMPT:
    text` over `** [llama3.1:8b: RESPONSE]`): two shapes, each of one label that names its
    role, taking turns strictly, the user's first, read as one shape. Only where no shape of
    its own is. A marker after a lead (`led`) may be the user's, never the model's."""
    by_shape: dict[str, list[int]] = {}
    every = found | led
    for i, each in every.items():
        if text[i] and i not in skip and _hint(each) in (USER, ASSISTANT):
            by_shape.setdefault(each.shape, []).append(i)
    single = {
        shape: sorted(members)
        for shape, members in by_shape.items()
        if len({every[i].key for i in members}) == 1 and len(members) >= 2
    }
    for asking, asked in ((a, b) for a in single for b in single if a != b):
        ask, reply = single[asking], single[asked]
        if _hint(every[ask[0]]) != USER or _hint(every[reply[0]]) != ASSISTANT:
            continue
        if reply[0] in led:
            continue
        markers = sorted(ask + reply)
        roles = [USER if i in ask else ASSISTANT for i in markers]
        if roles[0] != USER or any(a == b for a, b in zip(roles, roles[1:], strict=False)):
            continue
        shape = f"{asking} / {asked}"
        paired = {i: replace(every[i], shape=shape) for i in markers}
        by_role = {every[ask[0]].key: USER, every[reply[0]].key: ASSISTANT}
        blocks = _labeled_blocks(lines, content, markers, by_role, paired, skip)
        if blocks is None:
            return None
        found.update(paired)  # the markers' reading, for what follows
        return blocks, shape, by_role
    return None


def _header_line(line: str) -> bool:
    """A line of a file's header: a heading, a separator, a date or `Key: value` line, an entry
    of a table of contents (a link to a place in the file)."""
    text = line.strip()
    return bool(
        HEADING.match(line)
        or ANCHOR_LINK.match(text)
        or ORG_KEYWORD.match(text)
        or is_separator(line)
        or _edge_form(line) is not None
        or (DATE_TIME.search(text) and len(text.split()) <= 8)
        or re.match(r"^(?:[-*][ \t]++)?[\w-]{1,30}+[ \t]*+:[ \t]", text)
    )


def _repl_prompts(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[str, ...]:
    """The REPL prompts (`llm>`, `ChatGPT(gpt-4.1/General)>`) that open two or more lines."""
    counts: Counter[str] = Counter()
    for i in content:
        if text[i] and i not in skip and lines[i][:1].isalpha():
            prompt = REPL_PROMPT.match(lines[i])
            if prompt:
                counts[prompt.group(1)] += 1
    return tuple(prompt for prompt, n in counts.most_common(2) if n >= 2)


def _prefixed_turns(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    skip: set[int],
    prompts: tuple[str, ...] = (),
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A tool that writes every line of the user's turn behind one prefix (aider's `#### `, a
    REPL's `>>> `): runs of prefixed lines, each followed by a reply; for a heading's hashes,
    at least one run of several lines, or every line ending in a hard line break (a heading of
    its own is a heading question, which the heading rule reads). A tool that writes the prefix
    before the prompt's first line only (gptel's `### `) shows where the prompt ends when every
    reply opens with the model's reasoning: the lines up to it are the user's. A REPL's prompt
    (`prompts`, found in the file) opens what the user typed; a line the tool writes once in
    every turn after it (`<shell-maker-end-of-prompt>`) ends it, else the prompt is one line."""
    best: tuple[int, list[tuple[int, int]], str, str, dict[int, int]] | None = None
    for prefix in PREFIXES + prompts:
        shape = f"`{prefix} ` before each line of the user's turn"
        cuts: dict[int, int] = {}
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(lines):
            if text[i] and i not in skip and _has_prefix(lines[i], prefix):
                # The run's first line is text; the rest may be code to the renderer (`>>> ```
                # opens a fence inside the quote that `>>>` makes), still behind the prefix.
                j = i + 1
                while j < len(lines) and _has_prefix(lines[j], prefix):
                    j += 1
                runs.append((i, j))
                i = j
            else:
                i += 1
        if len(runs) < 2:
            continue
        several = any(end - start > 1 for start, end in runs)
        broken = all(lines[k].endswith("  ") for start, end in runs for k in range(start, end))
        repl = prefix.endswith(">") or prefix in PROMPT_SYMBOLS
        if prefix in PROMPT_SYMBOLS and any(
            end < len(lines) and lines[end].strip() for _, end in runs
        ):
            continue  # a terminal's session: what a command printed right under its prompt
        if prefix in PROMPT_SYMBOLS and not _opens_file(lines, text, content, skip, runs[0][0]):
            continue  # a tutorial's commands under its questions (`# how do I run it?`)
        if repl and _one_paragraph_of_more(lines, runs[0][0], runs[-1][1]):
            continue  # `ghci> ` lines and what they print in one paragraph among others: a
            # REPL session a reply shows, not a chat's turns
        if not (several or broken):
            reasoned = _reasoned_turns(lines, runs)
            cut = _cut_turns(lines, text, runs) if repl and reasoned is None else None
            if reasoned is not None:
                runs = reasoned
                shape = f"`{prefix} ` before the user's turn, which runs to the reply's reasoning"
            elif cut is not None:
                runs, cuts = cut
                line = lines[next(iter(cuts.values()))].strip()
                shape = f"`{prefix} ` before the user's turn, which runs to `{line}`"
            elif repl:
                shape = f"`{prefix} ` before the user's turn"
            else:
                continue  # a heading of its own: heading questions are read by the heading rule
        replied = sum(
            1
            for n, (start, end) in enumerate(runs)
            if _has_content(lines, end, runs[n + 1][0] if n + 1 < len(runs) else len(lines))
        )
        if replied * 2 < len(runs):
            continue
        if best is None or len(runs) > best[0]:
            best = (len(runs), runs, shape, prefix, cuts)
    if best is None:
        return None
    _, runs, shape, prefix, cuts = best
    blocks: list[_Block] = []
    for n, (start, end) in enumerate(runs):
        stop = runs[n + 1][0] if n + 1 < len(runs) else len(lines)
        blocks.append(_Block(start, start, end, PREFIXED, USER, prefix=prefix))
        if start in cuts:  # the tool's line between the prompt and the reply
            blocks.append(_Block(cuts[start], cuts[start] + 1, stop, "", ASSISTANT))
        else:
            blocks.append(_Block(None, end, stop, "", ASSISTANT))
    return blocks, shape, {PREFIXED: USER}


EMPHASIZED = "emphasis"
#: What a tool may wrap the whole of each of the user's turns in: bold.
PROMPT_WRAP = "**"
ASKING_ENDS = ("?", "？", "؟")
#: The longest run of lines one wrapped prompt may take (a pasted log inside it).
MAX_WRAPPED = 60
#: Characters a one-line wrapped paragraph without a question mark needs to read as a prompt
#: rather than a reply's bold heading.
PROMPT_LENGTH = 40
#: How a bold sentence of a model's or a writer's ends (`**Do not run this on production.**`):
#: a wrapped paragraph ending so reads as a prompt only by a lowercase start (or, over several
#: lines, a pasted log or code in it).
STATEMENT_ENDS = (".", "。", "!", "！")


def _emphasized_prompts(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A tool that marks the user's turns only by wrapping each whole in bold (`**<prompt>**`,
    across a pasted log's lines and blank lines too): the file opens with such a paragraph,
    and two or more of them are each followed by a reply. Each must read as a prompt, not as a
    reply's bold heading or callout: several lines, a question mark at its end, a sentence's
    length or a lowercase start as people type, and no closing colon (a reply's bold lines
    that do not read so stay in it); and one at least asks or runs over several lines."""
    body = [i for i in content if i not in skip]
    if not body or _wrapped_prompt(lines, text, body[0]) is None:
        return None
    runs: list[tuple[int, int]] = []
    for i in body:
        if runs and i < runs[-1][1]:
            continue
        end = _wrapped_prompt(lines, text, i)
        if end is not None and (i == 0 or not lines[i - 1].strip()):
            runs.append((i, end))
    if len(runs) < 2 or 2 * sum(
        end - start > 1 or lines[start].rstrip()[: -len(PROMPT_WRAP)].endswith(ASKING_ENDS)
        for start, end in runs
    ) < len(runs):
        return None  # bold lines most of which neither ask nor run over lines: a note's labels
    stops = [start for start, _ in runs[1:]] + [len(lines)]
    if not all(_has_content(lines, end, stop) for (_, end), stop in zip(runs, stops, strict=True)):
        return None
    if any(
        _plain_question(lines, text, k, stop)
        for (_, end), stop in zip(runs, stops, strict=True)
        for k in range(end, stop)
    ):
        return None  # the user's questions are plain lines: the bold is a title's or a reply's
    blocks: list[_Block] = []
    for (start, end), stop in zip(runs, stops, strict=True):
        blocks.append(_Block(None, start, end, EMPHASIZED, USER, wrap=PROMPT_WRAP))
        blocks.append(_Block(None, end, stop, "", ASSISTANT))
    shape = f"`{PROMPT_WRAP}<prompt>{PROMPT_WRAP}`: each of the user's turns wrapped whole in bold"
    return blocks, shape, {EMPHASIZED: USER}


def _wrapped_prompt(lines: Sequence[str], text: Sequence[bool], i: int) -> int | None:
    """The end (exclusive) of the prompt wrapped in bold that opens on line i, or None: the
    line ending in the closing `**` ends a paragraph, no `**` between, no code in it, and it
    reads as a prompt (see `_emphasized_prompts`)."""
    mark = PROMPT_WRAP
    opening = lines[i].strip()
    if not (text[i] and opening.startswith(mark)) or opening[len(mark) : len(mark) + 1] in (
        "",
        " ",
        "*",
    ):
        return None
    rest = opening[len(mark) :]
    for j in range(i, min(len(lines), i + MAX_WRAPPED)):
        if j > i:
            if not text[j]:
                continue  # code pasted into the prompt (its `**` are the code's)
            rest = lines[j].strip()
        if rest.endswith(mark) and rest[-len(mark) - 1 : -len(mark)] not in ("", " ", "*"):
            inner = rest[: -len(mark)]
            if mark in inner or (j + 1 < len(lines) and lines[j + 1].strip()):
                return None
            words = inner.rstrip()
            if j == i and (
                words.endswith((":", "："))
                or not (
                    words.endswith(ASKING_ENDS)
                    or (len(words) >= PROMPT_LENGTH and not words.endswith(STATEMENT_ENDS))
                    or _lowercase(words)
                )
            ):
                return None
            if (
                j > i
                and words.endswith(STATEMENT_ENDS)
                and not _lowercase(opening)
                and all(text[k] for k in range(i, j + 1))
            ):
                return None  # a bold statement wrapped over lines, no pasted code or log in it
            return j + 1
        if mark in rest:
            return None
    return None


def _plain_question(lines: Sequence[str], text: Sequence[bool], k: int, stop: int) -> bool:
    """Line k, in a reply that ends at `stop`, is a paragraph of its own that asks (not a
    heading, list item, quote or bold line) with more of the reply under it: a question the
    user typed plain, answered below it."""
    line = lines[k].strip()
    return (
        text[k]
        and line.endswith(ASKING_ENDS)
        and not lines[k - 1].strip()
        and (k + 1 >= len(lines) or not lines[k + 1].strip())
        and not (HEADING.match(lines[k]) or LIST_OR_TABLE.match(lines[k]))
        and not line.startswith((">", PROMPT_WRAP))
        and _has_content(lines, k + 1, stop)
    )


def _lowercase(text: str) -> bool:
    """Its first letter is lowercase, as people type and models do not start a heading."""
    return next((char for char in text if char.isalpha()), "").islower()


def _one_paragraph_of_more(lines: Sequence[str], start: int, end: int) -> bool:
    """Lines [start, end) lie in one paragraph, with text below it or more than a title above
    it (a paragraph of a reply or a note; a REPL tool's session under a title line still reads
    as a chat)."""
    if not all(lines[k].strip() for k in range(start, end)):
        return False
    while start > 0 and lines[start - 1].strip():
        start -= 1
    while end < len(lines) and lines[end].strip():
        end += 1
    above = sum(1 for line in lines[:start] if line.strip())
    return above > 1 or any(line.strip() for line in lines[end:])


def _cut_turns(
    lines: Sequence[str], text: Sequence[bool], runs: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], dict[int, int]] | None:
    """Where each prompt ends when the tool writes the same one-word line once in every turn
    after the prompt line (`<shell-maker-end-of-prompt>`): the user's lines are above it, the
    reply those below. A last prompt with nothing after it is the tool's prompt waiting for
    input. None unless two or more turns have such a line, each with a reply under it."""
    spans = [
        (start, end, runs[n + 1][0] if n + 1 < len(runs) else len(lines))
        for n, (start, end) in enumerate(runs)
    ]
    if spans and not _has_content(lines, spans[-1][1], spans[-1][2]):
        spans.pop()
    if len(spans) < 2:
        return None
    common: set[str] | None = None
    for _start, end, stop in spans:
        seen = Counter(lines[k].strip() for k in range(end, stop) if text[k] and lines[k].strip())
        # The tool's line is one token written right under what the user typed
        # (`<shell-maker-end-of-prompt>`, `--------`); a fence, a sentence, or a line the
        # replies happen to share after a blank line, are the replies'.
        once = {
            lines[k].strip()
            for k in range(end, stop)
            if lines[k - 1].strip() and seen[lines[k].strip()] == 1 and _tool_line(lines[k])
        }
        common = once if common is None else common & once
        if not common:
            return None
    ends = common or set()
    cuts: dict[int, int] = {}
    for start, end, stop in spans:
        cut = next(k for k in range(end, stop) if text[k] and lines[k].strip() in ends)
        if not _has_content(lines, cut + 1, stop):
            return None  # no reply under it
        cuts[start] = cut
    return [(start, cuts.get(start, end)) for start, end in runs], cuts


def _tool_line(line: str) -> bool:
    """A line a tool may write between a prompt and its reply: one token, not a fence, not a
    sentence."""
    text = line.strip()
    return (
        len(text.split()) == 1
        and not text.startswith(("```", "~~~"))
        and not text.endswith(PROSE_END)
    )


def _reasoned_turns(
    lines: Sequence[str], runs: list[tuple[int, int]]
) -> list[tuple[int, int]] | None:
    """The user's turns when the reply after each prompt opens with the model's reasoning: each
    from its prefixed line to that reasoning (an empty prompt, the tool's prompt waiting at the
    end, is its own line). A prefixed line after a reply's reasoning with none after it is a
    heading of that reply. None unless two or more replies open with reasoning, the first
    prompt's among them."""
    turns: list[tuple[int, int]] = []
    reasoned = 0
    for n, (start, end) in enumerate(runs):
        stop = runs[n + 1][0] if n + 1 < len(runs) else len(lines)
        opener = next((k for k in range(end, stop) if _opens_reasoning(lines[k])), None)
        if opener is not None and _reasoning_end(lines, opener, stop) is not None:
            turns.append((start, opener))
            reasoned += 1
        elif all(not lines[k].lstrip("#>").strip() for k in range(start, end)):
            turns.append((start, end))
        elif not reasoned:
            return None
    return turns if reasoned >= 2 else None


def _record_turns(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    found: dict[int, Candidate],
    skip: set[int],
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A log of records, each opened by the same header line (`# CHAT: <prompt> [time]`) and cut
    in two by the same rule (`--------`): no speaker is named, the rule parts the prompt above it
    from the reply below (the prompts being the shorter)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, each in found.items():
        if _hint(each) in (None, USER) and not each.loose:
            groups.setdefault((each.shape, each.key), []).append(i)
    best: tuple[list[int], list[int], str | None] | None = None
    # The largest groups only: each is read once, so the pass stays linear in the file.
    for members in sorted(groups.values(), key=len, reverse=True)[:3]:
        if len(members) < 2:
            break
        members.sort()
        header = [j for j in content if j < members[0] and j not in skip]
        if len([j for j in header if not _header_line(lines[j])]) > 2:
            continue
        # A quote opens the prompt only under a tool's own record headers: nothing but the
        # header (`## chat-1`), in words that name a record, not a chapter or a day of notes.
        bare = all(found[i].inline is None for i in members)
        quotable = bare and set(found[members[0]].words) <= RECORD_WORDS
        if any(text[j] and lines[j].rstrip().endswith(("?", "？")) for j in header):
            continue  # a question before the first record: the "records" are a reply's parts
        split = _record_splits(lines, text, members, quotable)
        if split is not None and any(
            lines[j].strip() == split[1] and (j == 0 or not lines[j - 1].strip()) for j in header
        ):
            continue  # the records' rule, set apart, above the first: they start before it
        if split is not None and (best is None or len(members) > len(best[0])):
            best = (members, split[0], split[1])
    if best is None:
        return None
    members, splits, rule = best
    blocks: list[_Block] = []
    bounds = members + [len(lines)]
    for n, i in enumerate(members):
        label = found[i].label
        prefix = ">" if rule is None else ""  # the quote's `>` is the tool's
        blocks.append(_Block(i, i + 1, splits[n], label, USER, record=True, prefix=prefix))
        blocks.append(_Block(None, splits[n], bounds[n + 1], "", ASSISTANT))
    if rule is None:
        shape = f"`{found[members[0]].shape}` records, the prompt quoted, the reply under it"
    else:
        shape = f"`{found[members[0]].shape}` records, the reply under `{rule}`"
    return blocks, shape, {found[members[0]].key: USER}


def _record_splits(
    lines: Sequence[str], text: Sequence[bool], members: list[int], quotable: bool
) -> tuple[list[int], str | None] | None:
    """Where each record's prompt ends and its reply starts, and the rule that parts them: the
    same rule in every record (the prompts being the shorter), or, where a quote may open the
    prompt (`quotable`: under a tool's own record headers), None for the end of a `>` quote that
    opens every record (the prompt quoted, the reply bare). None unless every record has both."""
    bounds = members + [len(lines)]
    quoted = _quote_splits(lines, text, members) if quotable else None
    if quoted is not None:
        return quoted, None
    splits: list[int] = []
    prompts: list[int] = []
    replies: list[int] = []
    rule: str | None = None
    for n, i in enumerate(members):
        stop = bounds[n + 1]
        split = next((j for j in range(i + 1, stop) if text[j] and is_separator(lines[j])), None)
        if split is None or (rule is not None and lines[split].strip() != rule):
            return None
        rule = lines[split].strip()
        prompts.append(sum(1 for j in range(i + 1, split) if lines[j].strip()))
        replies.append(sum(1 for j in range(split + 1, stop) if lines[j].strip()))
        if not prompts[-1] or not replies[-1]:
            return None
        splits.append(split)
    if rule is None or statistics.median(prompts) > statistics.median(replies):
        return None
    return splits, rule


def _ruled_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat with no speaker named at all: the same rule line (`======`, `---`) between every
    two messages, the prompt, the reply, the next prompt, by turns (see `_ruled_parts` for the
    evidence that the parts take turns)."""
    top = _under_settings(lines, [i for i in content if i not in skip])
    groups: dict[str, list[int]] = {}
    for i in content:
        if i >= top and text[i] and i not in skip and is_separator(lines[i]):
            groups.setdefault(lines[i].strip(), []).append(i)
    for rule, members in sorted(groups.items(), key=lambda group: -len(group[1])):
        if len(members) < 3:
            return None
        parts = _ruled_parts(lines, text, content, top, members, skip)
        if parts is not None:
            blocks = [
                _Block(marker, start, end, "", ASSISTANT if n % 2 else USER)
                for n, (marker, start, end) in enumerate(parts)
            ]
            return blocks, f"`{rule}` between the messages, no speaker named", {}
    return None


def _ruled_parts(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    top: int,
    rules: list[int],
    skip: set[int],
) -> list[tuple[int | None, int, int]] | None:
    """The messages between `rules` as (the rule above, start, end), the first from `top`;
    None unless they read as prompts and replies by turns and not as parts that each hold a
    question and its answer, or sections of notes: an even number of parts, four or more (every
    prompt answered), none empty; the prompts at most half as long as the replies (medians);
    more prompts than replies asking a question (a line ending in `?`), no reply opening with
    one, and no later prompt opening with a heading."""
    bounds = [top - 1, *rules, len(lines)]
    bodies: list[list[int]] = []
    parts: list[tuple[int | None, int, int]] = []
    for n in range(len(bounds) - 1):
        start, end = bounds[n] + 1, bounds[n + 1]
        body = content[bisect.bisect_left(content, start) : bisect.bisect_left(content, end)]
        body = [j for j in body if j not in skip]
        if not body:
            if n == len(bounds) - 2 and parts:  # the file ends with the rule: the last reply's
                parts[-1] = (parts[-1][0], parts[-1][1], end)
                break
            return None
        bodies.append(body)
        parts.append((None if n == 0 else bounds[n], start, end))
    if len(parts) < 4 or len(parts) % 2:
        return None
    sizes = [sum(len(lines[j].strip()) for j in body) for body in bodies]
    if statistics.median(sizes[0::2]) * 2 > statistics.median(sizes[1::2]):
        return None
    asking = [any(text[j] and lines[j].rstrip().endswith(("?", "？")) for j in b) for b in bodies]
    if sum(asking[0::2]) <= sum(asking[1::2]):
        return None
    for n, body in enumerate(bodies):
        first = lines[body[0]].strip()
        reply = n % 2 == 1
        if (reply and first.endswith(("?", "？"))) or (n and not reply and HEADING.match(first)):
            return None
    return parts


#: The first letters of month names, as a chat page writes a message's date (`Mar 12`, `12 mars`,
#: `12. Okt.`, `ago 3`) in the languages its interface is offered in.
MONTH_STEMS = frozenset(
    "jan feb mar apr may jun jul aug sep oct nov dec fév fev avr mai jui aoû aou déc mär mae okt "
    "dez ene abr ago dic set out gen mag giu lug ott maa mei mrt".split()
)
_DATE = (
    r"(?:(?P<before>[^\W\d_]{3,10}+)\.?[ \t]++\d{1,2}(?:st|nd|rd|th)?(?:,?[ \t]++\d{4})?"
    r"|\d{1,2}\.?[ \t]++(?:de[ \t]++)?(?P<after>[^\W\d_]{3,10}+)\.?(?:[ \t]++(?:de[ \t]++)?\d{4})?"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|(?:\d{4}[年년][ \t]?)?\d{1,2}[月월][ \t]?\d{1,2}[日일])"
)
_TIME = r"(?:[上下]午|오[전후][ \t]?)?\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp]\.?[Mm]\.?)?"
#: A message's date or time alone on a line, as a chat page shows it under a message: `Mar 12`,
#: `12 March 2026`, `2026-03-12`, `3/12/26`, `4:50 AM`, `3月12日`, `3월 12일`, `Mar 12, 4:50 PM`.
DATE_ONLY = re.compile(rf"^(?:{_DATE}(?:,?[ \t]++(?:at[ \t]++)?{_TIME})?|{_TIME})$")


MONTH_DATE = re.compile(
    r"(?<!\w)(?:(?P<before>[^\W\d_]{3,10}+)\.?[ \t]++\d{1,2}(?:st|nd|rd|th)?(?:,?[ \t]++\d{4})?"
    r"|\d{1,2}\.?[ \t]++(?P<after>[^\W\d_]{3,10}+)\.?(?:[ \t]++\d{4})?)(?!\w)"
)


def _month_date(text: str, at_end: bool = False) -> re.Match[str] | None:
    """A date written with a month's name in `text` (`Mar 14, 2026`, `14 mars`), the first one,
    or with `at_end` one that ends the text."""
    for found in MONTH_DATE.finditer(text, 0, 80):
        month = found.group("before") or found.group("after")
        if month[:3].casefold() in MONTH_STEMS and (not at_end or found.end() == len(text)):
            return found
    return None


def date_only(line: str) -> bool:
    """The line is a date or a time and nothing else (a month named by its usual name)."""
    found = DATE_ONLY.match(line.strip())
    if found is None:
        return False
    month = found.group("before") or found.group("after")
    return month is None or month[:3].casefold() in MONTH_STEMS


#: A chat page's composer, as its placeholder reads (`Ask anything`, `Type your message here...`,
#: `Message DeepSeek`, `Ask anything. Type @ / # !` with its shortcuts). Words a reply may end
#: with too (`Send a message`, `Ask me anything`) only with the placeholder's ellipsis.
COMPOSER = re.compile(
    r"^(?:ask anything(?:[ \t]++to [^\W\d_][\w.-]{0,30})?|ask a follow-up"
    r"|type (?:a|your) (?:message|question)(?:[ \t]++here)?"
    r"|enter (?:a|your) (?:message|prompt)(?:[ \t]++here)?"
    r"|(?:message|reply to)[ \t]++[^\W\d_][\w.-]{0,30}"
    r"|(?:send a message|ask me anything)(?=\.\.\.|…))"
    r"(?:\.\.\.|…)?(?:\.?[ \t]++type[ \t].{0,40})?$",
    re.I,
)


def _composer_at_end(lines: Sequence[str], j: int, head: int) -> bool:
    """Line j is a page's composer copied under the last reply: its placeholder (`COMPOSER`)
    alone, set off by a blank line, with nothing under it, under a reply of its own (line
    `head` its first). The reply's own last line stays: its only line (`Send a message`, the
    translation asked for), one its line above introduces (`... a button that says:`), one
    that ends another turn too (a button label under every draft), and `Message <x>` or
    `Reply to <x>` whose <x> is not the model (`Message me`, `Message Priya`) and which has no
    placeholder's ellipsis."""
    line = lines[j].strip()
    if j <= head or lines[j - 1].strip() or COMPOSER.match(line) is None:
        return False
    if _next_content(lines, j + 1, len(lines)) < len(lines):
        return False  # (something under it: only the file's last line is looked at further)
    above = next(text.strip() for text in reversed(lines[head:j]) if text.strip())
    if above.endswith((":", "：")):
        return False
    if sum(text.strip() == line for text in lines) > 1:
        return False
    name = re.match(r"(?:message|reply to)[ \t]++(\S+)", line, re.I)
    return (
        name is None
        or line.endswith(("...", "…"))
        or role_hint(_words(name[1].casefold())) == ASSISTANT
    )


#: A page's button that unfolds a long message, copied with it (`Show more`).
EXPANDER = re.compile(r"^(?:show|see|read|view|find)[ \t]++(?:more|less|all)$", re.I)


def _dated_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and all that recurs is each
    prompt's date or time alone on a line under it (the message's toolbar, whose buttons the
    copy left out): each date ends a prompt and the reply runs from under it to the next
    prompt, the paragraph set off by a blank line above the next date (with a paragraph of
    pasted code over it). The first prompt is everything above the first date. Two or more
    dates, or one with the page's footer (`... can make mistakes`) after the reply."""
    dates = [i for i in content if text[i] and i not in skip and date_only(lines[i])]
    if not dates or dates[0] == content[0]:
        return None
    if len(dates) == 1 and not (
        INTERFACE_LINE.search(lines[content[-1]])
        or (_toolbar_date(lines, dates[0]) and EXPANDER.match(lines[dates[0] - 1].strip()))
    ):
        return None  # one date: only with the page's footer, or its `Show more` over it
    opening = [j for j in content if j < dates[0]]
    if len(opening) == 1 and _title_like(lines[opening[0]]):
        return None  # a title over dated entries: a journal, not a page copy
    starts = [content[0]]
    for n, date in enumerate(dates[1:], 1):
        start = _dated_prompt(lines, text, date, dates[n - 1])
        if start is None:
            return None
        starts.append(start)
    blocks: list[_Block] = []
    for n, (start, date) in enumerate(zip(starts, dates, strict=True)):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if not _has_content(lines, date + 1, stop) or not _has_content(lines, start, date):
            return None
        blocks.append(_Block(None, start, date, "", USER))
        blocks.append(_Block(date, date + 1, stop, "", ASSISTANT))
    for reply in blocks[1::2]:
        first = _next_content(lines, reply.start, reply.end)
        if lines[first].rstrip().endswith(("?", "？")):
            return None  # a question under each date: a day's notes, not a reply
    prompts = [_size(lines, b.start, b.end) for b in blocks[0::2]]
    replies = [_size(lines, b.start, b.end) for b in blocks[1::2]]
    if statistics.median(prompts) > statistics.median(replies):
        return None
    return blocks, "a date alone on a line under every prompt, no speaker named", {}


def _timed_messages_both_sides(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and all that recurs is the time
    alone on a line under every message, the prompts' and the replies' alike (Le Chat's
    `9:14pm`: each message's toolbar, its buttons left out by the copy): the times close the
    messages, a prompt and its reply taking turns, two exchanges or more. The page's lines
    above the first prompt (a sidebar of short lines, set off by a gap of blank lines) and
    after the last reply's time (the composer, the page's disclaimer) are on no card."""
    times = [i for i in content if text[i] and i not in skip and date_only(lines[i])]
    if len(times) < 4 or len(times) % 2:
        return None
    first = next(j for j in content if j not in skip)
    if first >= times[0]:
        return None
    # A prompt's time has the reply right under it; a reply's, a gap of blank lines under it
    # (journal entries' times stand over their text, a date under each prompt over its reply).
    if any(not lines[t + 1].strip() for t in times[0::2] if t + 1 < len(lines)):
        return None
    if any(
        lines[t + 1].strip() or lines[t + 2].strip() for t in times[1:-1:2] if t + 2 < len(lines)
    ):
        return None
    first = _below_sidebar(lines, first, times[0])
    opening = [first, *(_next_content(lines, t + 1, len(lines)) for t in times[1:-1:2])]
    blocks: list[_Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    for start, closed, answered in zip(opening, times[0::2], times[1::2], strict=True):
        if not _has_content(lines, start, closed) or not _has_content(lines, closed + 1, answered):
            return None
        if lines[_next_content(lines, closed + 1, answered)].rstrip().endswith(("?", "？")):
            return None  # a question under each time: notes, not a reply
        stamp = blocks[-1].end if blocks else None  # the previous reply's time, over the prompt
        blocks.append(_Block(None, start, closed, "", USER, stamp=stamp))
        blocks.append(_Block(closed, closed + 1, answered, "", ASSISTANT))
        prompts.append(_size(lines, start, closed))
        replies.append(_size(lines, closed + 1, answered))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    page = [j for j in content if j > times[-1]]
    if any(len(lines[j].split()) > 6 and not INTERFACE_LINE.search(lines[j]) for j in page):
        return None  # a message after the last reply's time: not the page's own lines
    blocks.append(_Block(None, times[-1], len(lines), "page", OTHER))
    return blocks, "the time alone on a line under every message, no speaker named", {}


def _below_sidebar(lines: Sequence[str], first: int, stop: int) -> int:
    """Where a page copy's first prompt starts under the page's sidebar: past each gap of blank
    lines over which every line since `first` is short, unindented and no code (chat titles,
    menu entries), while text follows it before `stop`. A prompt's own code keeps two blank
    lines between its definitions, and stays."""
    start = first
    for blank, after in _gaps(lines, first, stop):
        if not _has_content(lines, after, stop) or not all(
            len(lines[j].split()) <= 8 and not lines[j][:1].isspace() and not code_line(lines[j])
            for j in range(start, blank)
            if lines[j].strip()
        ):
            break
        start = after
    return start


#: A measure of a reply alone on a line, its time or its length (`3.1s`, `12 s`, `240 words`):
#: the reply's toolbar in a page copy.
REPLY_METRIC = re.compile(
    r"^[ \t]*+\d{1,6}(?:[.,]\d{1,2})?+[ \t]?"
    r"(?:s|sec|secs|秒|words?|tokens?|chars?|characters)[ \t]*+$"
)


#: A measure's number, whole or not (`12s` and `3.1s` are one form).
MEASURE_NUMBER = re.compile(r"\d++(?:[.,]\d++)?+")
#: A measure of time (grok.com's `3.1s`), as against a reply's length (`240 words`).
TIME_UNIT = re.compile(r"\d[ \t]?(?:s|sec|secs|秒)[ \t]*+$")


def _clocked_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and all that recurs is a measure
    of each reply alone on a line under it, the same words each time but for the number (the
    time it took, grok.com's `3.1s`; its length, Chatpad's `240 words`), two or more: each such
    line ends a reply and the next prompt starts right under it; a prompt runs to the first
    gap of two blank lines or more, the gap a copy leaves between two messages (a blank line
    inside a prompt, under pasted output, is one line). The first prompt starts at the file's
    start, or, where the gap under every later prompt is wider than any inside the replies,
    under the last such wide gap over it (the page's header and sidebar above). After the last
    reply's measure, only the page's own lines (its composer) are left."""
    forms: dict[str, list[int]] = {}
    for i in content:
        if text[i] and i not in skip and REPLY_METRIC.match(lines[i]):
            forms.setdefault(MEASURE_NUMBER.sub("0", lines[i].strip()), []).append(i)
    times = max(forms.values(), key=len, default=[])
    if len(times) < 2:
        return None
    opening = next(j for j in content if j not in skip)  # (a measure is one such line)
    if opening >= times[0]:
        return None
    starts = [opening, *(_next_content(lines, t + 1, len(lines)) for t in times[:-1])]
    gaps = [  # (the first gap under each prompt's first line)
        next(iter(_gaps(lines, start + 1, stop)), None)
        for start, stop in zip(starts, times, strict=True)
    ]
    later = [gap for gap in gaps[1:] if gap is not None]
    if len(later) < len(gaps) - 1:
        return None
    wide = min(after - blank for blank, after in later)  # under every later prompt
    inner = max(  # inside the later replies
        (
            b - a
            for gap, t in zip(later, times[1:], strict=True)
            for a, b in _gaps(lines, gap[1], t)
        ),
        default=0,
    )
    first = [gap for gap in _gaps(lines, opening, times[0]) if gap[1] - gap[0] >= wide]
    if wide > inner and len(first) >= 2:
        starts[0], gaps[0] = first[-2][1], first[-1]
    blocks: list[_Block] = []  # (over the first prompt: the file's header)
    prompts: list[int] = []
    replies: list[int] = []
    for n, (start, stop) in enumerate(zip(starts, times, strict=True)):
        gap = gaps[n]
        if gap is None or not _has_content(lines, gap[0], stop):
            return None
        stamp = times[n - 1] if n else None
        blocks.append(_Block(None, start, gap[0], "", USER, stamp=stamp))
        blocks.append(_Block(None, gap[0], stop, "", ASSISTANT))
        prompts.append(_size(lines, start, gap[0]))
        replies.append(_size(lines, gap[0], stop))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    if not TIME_UNIT.search(lines[times[0]]) and 2 * sum(
        _asks(lines[b.start : b.end]) for b in blocks if b.role == USER
    ) < len(times):
        return None  # (`240 words` under drafts, essays, a writing log's days: nobody asks)
    page = [j for j in content if j > times[-1]]
    if any(len(lines[j].split()) > 6 for j in page):
        return None  # a message after the last reply's measure: not the page's own lines
    blocks.append(_Block(None, times[-1], len(lines), "page", OTHER))
    return (
        blocks,
        "a measure of each reply (its time, its length), alone under it; no speaker named",
        {},
    )


def _gaps(lines: Sequence[str], start: int, stop: int) -> list[tuple[int, int]]:
    """The runs of two blank lines or more in [start, stop): (first blank, line after)."""
    runs: list[tuple[int, int]] = []
    k = start
    while k < stop:
        if lines[k].strip():
            k += 1
            continue
        end = _next_content(lines, k, stop)
        if end - k >= 2:
            runs.append((k, end))
        k = end
    return runs


def _message_gaps(lines: Sequence[str], start: int, stop: int) -> list[tuple[int, int]]:
    """The gaps of two blank lines or more in [start, stop) that may part two messages: not one
    under a code block's label alone on its line (`dart`, then the code after a gap), which a
    page leaves inside a reply."""
    return [
        (blank, after)
        for blank, after in _gaps(lines, start, stop)
        if not (
            blank > start
            and lines[blank - 1].strip() in CODE_LANGUAGES  # (lowercase, as pages write it)
            and (blank - 1 == start or not lines[blank - 2].strip())
            and after < stop
            and code_line(lines[after])  # (`python` alone, a one-word answer, ends a message)
        )
    ]


def _opened_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and what recurs is the status of
    the model's hidden reasoning, alone on a line after a gap of two blank lines or more, the
    reply right under it (chat.qwen.ai's copy: `Thinking completed`; the same words each time
    but for a number, `Thought for 12s`), two or more: each such line opens a reply; the prompt
    is the paragraphs between the gap before it and the gap before that (the file's start for
    the first: a model's name alone over it is the page's model menu). After the last reply,
    a gap, then only the page's short lines (its menus, its disclaimer) are the page's."""
    if _has_markdown(lines, text, content):
        return None
    forms: dict[str, list[int]] = {}
    for i in content:
        line = lines[i].strip()
        if (
            text[i]
            and i not in skip
            and len(line.split()) <= 5
            and (THOUGHT_WORDS.match(line) or _model_label(line))
            and i >= 2
            and not lines[i - 1].strip()
            and not lines[i - 2].strip()
            and i + 1 < len(lines)
            and lines[i + 1].strip()
        ):
            forms.setdefault(NUMBER.sub("0", line), []).append(i)
    openers = max(forms.values(), key=len, default=[])
    if len(openers) < 2:
        return None
    first = next(j for j in content if j not in skip)
    opening = lines[first].strip()
    if (
        len(opening.split()) <= 3
        and _model_and_version(opening, _words(opening.casefold()))
        and first + 1 < len(lines)
        and not lines[first + 1].strip()
    ):
        first = _next_content(lines, first + 1, len(lines))  # the page's model menu
    if first >= openers[0]:
        return None
    over_reply = _gaps(lines, first, openers[0])  # (the last: the gap over the first reply)
    if over_reply:
        first = _below_sidebar(lines, first, over_reply[-1][0])
        menu = next(  # the model menu right over the first prompt, under the sidebar
            (
                j
                for j in range(over_reply[-1][0] - 1, first - 1, -1)
                if _model_menu(lines[j]) and lines[j + 1].strip() and not lines[j - 1].strip()
            ),
            None,
        )
        if menu is not None and _has_content(lines, menu + 1, over_reply[-1][0]):
            first = menu + 1
    blocks: list[_Block] = []
    if first > content[0]:
        blocks.append(_Block(None, content[0], first, "page", OTHER))
    prompt_start = first
    prompts: list[int] = []
    replies: list[int] = []
    label = lines[openers[0]].strip()
    footers: set[str] = set()  # the model's name under each reply (t3.chat's `Gemini 2.5 Flash`)
    separating: list[int] = []  # the gaps between two messages, and the ones inside one
    inner: list[int] = []
    heads: set[str] = set()  # the first line after each reply's gap (numbers aside)
    # Under every status line, a line glued over the reply's first (no blank line between),
    # one of them restating the request (`Okay, the user ...`): the reasoning folded to a line.
    summarized = all(
        opener + 2 < len(lines) and lines[opener + 1].strip() and lines[opener + 2].strip()
        for opener in openers
    ) and any(RESTATED.search(lines[opener + 1][:80]) for opener in openers)
    for n, opener in enumerate(openers):
        footer = lines[prompt_start].strip()
        words = _words(footer.casefold())
        if n and _model_only(words) and len(words) <= 4 and lines[prompt_start + 1].strip():
            blocks.append(_Block(None, prompt_start, prompt_start + 1, "model", OTHER))
            footers.add(footer)
            prompt_start += 1
        gaps = _message_gaps(lines, prompt_start, opener)
        if not gaps or gaps[-1][1] != opener or not _has_content(lines, prompt_start, gaps[-1][0]):
            return None
        prompt_end = gaps[-1][0]
        separating.append(gaps[-1][1] - gaps[-1][0])
        inner += [after - blank for blank, after in gaps[:-1]]
        blocks.append(_Block(None, prompt_start, prompt_end, "", USER))
        prompts.append(_size(lines, prompt_start, prompt_end))
        stop = openers[n + 1] if n + 1 < len(openers) else len(lines)
        between = _message_gaps(lines, opener + 1, stop)
        if n + 1 < len(openers):
            if len(between) < 2:
                return None
            reply_end, prompt_start = between[-2][0], between[-2][1]
            separating.append(prompt_start - reply_end)
            heads.add(NUMBER.sub("0", lines[prompt_start].strip()))
            inner += [after - blank for blank, after in between[:-2]]
        else:
            short_from = len(lines)  # from here on, only lines of a few words
            while short_from > opener and len(lines[short_from - 1].split()) <= 6:
                short_from -= 1
            page = next((gap for gap in between if gap[1] >= short_from), None)
            if page is not None and not any(
                lines[j].strip().casefold() in COPY_LINES
                or INTERFACE_LINE.search(lines[j])
                or lines[j].strip() in footers
                for j in range(page[1], len(lines))
            ):
                page = None  # short lines of the reply's own, with no button or disclaimer
            if page is None:
                widest = max([*separating, *inner])  # (no page gap is as wide)
                page = _gap_to_page(lines, between, widest, heads)
            reply_end = page[0] if page is not None else len(lines)
        reply_start = _under_buttons(lines, opener + 1, reply_end)
        if reply_start > opener + 1:  # `Copy thoughts to clipboard`: the reasoning's button
            blocks.append(_Block(None, opener + 1, reply_start, "toolbar", OTHER))
        elif summarized:  # the reasoning folded to its first line, over the reply's
            blocks.append(_Block(None, opener + 1, opener + 2, REASONING, OTHER))
            reply_start = opener + 2
        blocks.append(_Block(opener, reply_start, reply_end, label, ASSISTANT))
        replies.append(_size(lines, reply_start, reply_end))
        if n + 1 == len(openers) and reply_end < len(lines):
            blocks.append(_Block(None, reply_end, len(lines), "page", OTHER))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    repl = _repl_prompts(lines, text, content, skip)
    if repl and all(
        any(lines[b.start].startswith(prompt + " ") for prompt in repl)
        for b in blocks
        if b.role == USER
    ):
        return None  # a REPL tool's log (`ChatGPT(o4-mini)> ` over every prompt): its prompts'
    blocks = _without_prompt_heads(lines, blocks)
    blocks = _without_reply_footers(lines, blocks, heads)
    if not THOUGHT_WORDS.match(label):
        return (
            blocks,
            "the model's label alone over each reply after a gap; the user's unmarked",
            {},
        )
    return blocks, "the reasoning's status opening each reply after a gap; no speaker named", {}


def _model_menu(line: str) -> bool:
    """A line that only names a model and its version (`qwen3:8b`, `GPT-4o mini`): a page's
    model menu."""
    text = line.strip()
    return len(text.split()) <= 3 and _model_and_version(text, _words(text.casefold()))


def _gap_to_page(
    lines: Sequence[str], gaps: list[tuple[int, int]], widest: int, heads: set[str]
) -> tuple[int, int] | None:
    """The gap after the last reply where the page's own lines start, found by its size:
    wider than any gap between two messages or inside one (`widest`), with a few lines after
    it (its composer, its footer, the line every reply's gap led to, `heads`: `<model> ·
    24.6s (39.84 tok/s) · <time>`), none code and none asking."""
    for blank, after in gaps:
        rest = [lines[j] for j in range(after, len(lines)) if lines[j].strip()]
        if (
            after - blank > widest
            and rest
            and len(rest) <= 4
            and not any(
                (code_line(line) and NUMBER.sub("0", line.strip()) not in heads)
                or line.rstrip().endswith(("?", "？"))
                for line in rest
            )
        ):
            return blank, after
    return None


def _under_buttons(lines: Sequence[str], start: int, stop: int) -> int:
    """Where a reply starts under the line that opens it: past the buttons right under that
    line (one or two short lines naming a copy or the reasoning, `Copy thoughts to clipboard`)
    and the blank line under them; `start` when there are none."""
    end = start
    while end < min(start + 2, stop) and lines[end].strip():
        end += 1
    if end == start or end >= stop or lines[end].strip():
        return start
    buttons = [lines[k].strip() for k in range(start, end)]
    if all(
        len(button.split()) <= 5
        and (
            button.split()[0].casefold() in COPY_LINES
            or any(THOUGHT_WORDS.match(word) for word in button.split())
        )
        for button in buttons
    ):
        return _next_content(lines, end, stop)
    return start


def _without_prompt_heads(lines: Sequence[str], blocks: list[_Block]) -> list[_Block]:
    """The blocks with the line that heads every prompt (two or more), the same short line
    (`avatar`, the user's picture a page names; the user's name, `Gioanin`) right over the
    prompt's text, set apart as the page's; over the first prompt's head, the page's lines too
    (the chat's name in its header)."""
    prompts = [block for block in blocks if block.role == USER]
    if len(prompts) < 2:
        return blocks
    heads = {lines[block.start].strip() for block in prompts[1:]}
    head = next(iter(heads))
    first = prompts[0]
    at = next((j for j in range(first.start, first.end) if lines[j].strip() == head), None)
    if len(heads) != 1 or len(head.split()) > 3 or head.endswith(PROSE_END) or at is None:
        return blocks
    if at > first.start and lines[at - 1].strip():
        return blocks  # (a line inside the first prompt: a command each prompt repeats)
    starts = {id(b): (at if b is first else b.start) + 1 for b in prompts}
    if any(
        start >= b.end or not lines[start].strip() for b in prompts for start in [starts[id(b)]]
    ):
        return blocks
    return _heads_apart(blocks, starts, "picture")


def _without_reply_footers(
    lines: Sequence[str], blocks: list[_Block], heads: set[str]
) -> list[_Block]:
    """The blocks with the line each reply's gap leads to (numbers aside: `<model> · 24.6s
    (39.84 tok/s) · <time>`, the reply's metrics), when it stands over every later prompt and
    again in the page's lines after the last reply, set apart from the prompts as footers."""
    page = next((b for b in reversed(blocks) if b.role == OTHER and b.label == "page"), None)
    prompts = [b for b in blocks if b.role == USER][1:]
    if page is None or len(heads) != 1 or not prompts:
        return blocks
    form = next(iter(heads))
    if not any(NUMBER.sub("0", lines[j].strip()) == form for j in range(page.start, page.end)):
        return blocks
    starts = {id(b): _next_content(lines, b.start + 1, b.end) for b in prompts}
    return _heads_apart(blocks, starts, "footer")


def _heads_apart(blocks: list[_Block], starts: dict[int, int], label: str) -> list[_Block]:
    """The blocks, each whose id is in `starts` beginning there instead: the lines over it a
    block of the page's own (`label`)."""
    out: list[_Block] = []
    for block in blocks:
        start = starts.get(id(block))
        if start is not None and block.start < start < block.end:
            out.append(_Block(None, block.start, start, label, OTHER))
            out.append(replace(block, start=start))
        else:
            out.append(block)
    return out


def _model_label(line: str) -> bool:
    """A short line that only names the model's turn (`Assistant message`, a page's label for
    a screen reader), with nothing after it."""
    found = candidate(line)
    return (
        found is not None
        and found.inline is None
        and len(found.words) <= 3
        and role_hint(found.words, found.emoji) == ASSISTANT
    )


MAX_TOOLBAR = 6
#: A page's buttons under its last reply (`Share`, `Compare`; a `Copy` is a code block's).
PAGE_BUTTONS = frozenset("share compare retry regenerate speak".split())


def _headed_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and what recurs is the header
    over each reply: the same run of short lines (numbers aside, blank lines between them),
    one blank line under the prompt (poe.com's `10:42 AM` / `Bot image for Assistant` /
    `Assistant` / `Poe`: the prompt's time, the bot's picture, name and badge), two or more.
    The prompt is the paragraphs between the last gap of two blank lines or more before it and
    the header; the reply runs from under the header to the last such gap before the next
    prompt. The page's lines over the first prompt are its header; after the last reply, its
    short lines (buttons, suggestions, the composer) are the page's when a button is among
    them. Never in a file with Markdown headings or fences, and the prompts the shorter."""
    if _has_markdown(lines, text, content):
        return None
    found = _reply_heads(lines, text, content, skip)
    if found is None:
        return None
    form, heads = found
    if len(heads) < 2 or sum(NUMBER.sub("0", lines[i].strip()) == form[0] for i in content) != len(
        heads
    ):
        return None
    count = len(lines)
    ends = [_head_end(lines, head, len(form)) for head in heads]
    starts: list[int] = []
    for n, head in enumerate(heads):
        since = ends[n - 1] if n else next(j for j in content if j not in skip)
        gaps = _gaps(lines, since, head)
        start = gaps[-1][1] if gaps else (since if n == 0 else None)
        if start is None or not _has_content(lines, start, head):
            return None
        starts.append(start)
    blocks: list[_Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    for n, (start, head, end) in enumerate(zip(starts, heads, ends, strict=True)):
        if n + 1 < len(heads):
            stop = _gaps(lines, end, starts[n + 1])[-1][0]
        else:
            stop = _page_tail(lines, end, count)
        if not _has_content(lines, end, stop):
            return None
        blocks.append(_Block(None, start, head, "", USER))
        blocks.append(_Block(head, head + 1, end, "reply header", OTHER))
        blocks.append(_Block(None, end, stop, "", ASSISTANT))
        if stop < count and n + 1 == len(heads):
            blocks.append(_Block(None, stop, count, "page", OTHER))
        prompts.append(_size(lines, start, head))
        replies.append(_size(lines, end, stop))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    return blocks, "the same header over each reply (a time, the bot's name); no speaker named", {}


#: Words of a model's label that also head a part of a document (`Answer`, `Response`,
#: `Model`): alone they name no model over its replies.
DOCUMENT_WORDS = frozenset("answer response model agent 回答".split())
#: The page's words around a model's name on its label: its picture's (`Avatar for Assistant`).
PICTURE_WORDS = frozenset("avatar for icon image picture profile of logo".split())


def _names_only_a_model(words: frozenset[str]) -> bool:
    """Words that only name the model and its picture (`avatar for assistant`, `gpt 4o`,
    `ollama llama3 8b`), not a person's role (`teaching assistant`) or a document's part."""
    return not words & DOCUMENT_WORDS and all(
        word in ASSISTANT_WORDS
        or word in PICTURE_WORDS
        or any(family in word for family in MODEL_FAMILIES)
        or DIGIT.search(word)
        for word in words
    )


#: A composer's placeholder, alone on a line after the last reply (`Type your message here...`).
PLACEHOLDER_END = ("...", "…")


def _named_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole where only the model's turns are named: the same short line
    naming the model (its role or its name, with the page's words for its picture: `Avatar for
    Assistant`, `GPT-4o`), numbers aside, alone over every reply, two or more, and nothing over
    the prompts. Each prompt is the paragraph right over that line (with the paragraph over it
    when that one is a pasted log: `_pasted_log_over`); the reply runs from under the line to
    the next prompt. Over the first prompt, the page's short lines; after the last reply, its
    composer and footer. Never in a file with Markdown headings or fences, and the prompts the
    shorter."""
    if _has_markdown(lines, text, content):
        return None
    forms: dict[str, list[int]] = {}
    for i in content:
        line = lines[i].strip()
        if not text[i] or i in skip or len(line) > 40 or line.endswith(PROSE_END):
            continue
        words = _words(line.casefold())
        if len(line.split()) <= 5 and role_hint(words) == ASSISTANT and _names_only_a_model(words):
            forms.setdefault(NUMBER.sub("0", line), []).append(i)
    openers = max(forms.values(), key=len, default=[])
    if len(openers) < 2 or len(forms) > 1:
        return None  # (labels of more than one kind: a reading with speakers on both sides)
    count = len(lines)
    first = next(j for j in content if j not in skip)
    heads = _user_heads(lines, text, content, skip, openers)
    starts: list[int] = []  # each prompt's first line
    for n, opener in enumerate(openers):
        if heads:
            starts.append(heads[n] + 1)
            continue
        floor = first if n == 0 else _next_content(lines, openers[n - 1] + 1, opener)
        end = opener
        while end > floor and not lines[end - 1].strip():
            end -= 1
        start = end
        while start > floor and lines[start - 1].strip():
            start -= 1
        if end == floor or (n and start == floor):
            return None  # no prompt, or the prompt glued to the reply over it
        starts.append(
            _pasted_log_over(lines, start, floor) if n else _below_page_lines(lines, start, end)
        )
    blocks: list[_Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    top = heads[0] if heads else starts[0]
    if top > first:
        blocks.append(_Block(None, first, top, "page", OTHER))
    label = lines[openers[0]].strip()
    name = lines[heads[0]].strip() if heads else ""
    for n, opener in enumerate(openers):
        reply = _next_content(lines, opener + 1, count)
        stop = (heads or starts)[n + 1] if n + 1 < len(openers) else count
        stop = _placeholder_over(lines, reply, stop) if n + 1 == len(openers) else stop
        while stop > reply and not lines[stop - 1].strip():
            stop -= 1
        if reply >= stop or reply > opener + 2:
            return None
        blocks.append(_Block(heads[n] if heads else None, starts[n], opener, name, USER))
        blocks.append(_Block(opener, reply, stop, label, ASSISTANT))
        prompts.append(_size(lines, starts[n], opener))
        replies.append(_size(lines, reply, stop))
        if n + 1 == len(openers) and _has_content(lines, stop, count):
            blocks.append(_Block(None, stop, count, "page", OTHER))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    if 2 * sum(_asks(lines[starts[n] : opener]) for n, opener in enumerate(openers)) < len(openers):
        return None  # (a note's one-line paragraphs over sections under a repeated `AI`)
    if heads:
        roles = {name: USER, label: ASSISTANT}
        return blocks, "the user's and the model's names alone over their messages", roles
    return blocks, "the model's name alone over each reply; the user's unmarked", {}


def _sectioned_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A notes file of sections, each a prompt under the section's heading and the model's
    reply under a heading naming the model (`# Why does it fail` / the prompt / `##### ChatGPT`
    / the reply: an editor that sends a section's text and writes the reply under it): the same
    deeper heading naming only the model, one in each section (two or more, or the file one
    section) and nothing naming the user. The prompt runs from under the section's heading to
    the model's heading, the reply from under it to the next section's heading; the section's
    heading names the exchange, no part of the prompt. Every section has a prompt: a heading
    over the reply alone is a document's section."""
    heads = [
        (i, len(heading.group(1)), (heading.group(2) or "").strip())
        for i in content
        if text[i] and i not in skip and (heading := HEADING.match(lines[i])) is not None
    ]
    named = [
        (i, level, name)
        for i, level, name in heads
        if role_hint(words := _words(name.casefold())) == ASSISTANT
        and len(name.split()) <= 4
        and _names_only_a_model(words)
    ]
    if not named or len({(level, name) for _, level, name in named}) > 1:
        return None
    level = named[0][1]
    if any(role_hint(_words(name.casefold())) == USER for _, _, name in heads):
        return None
    above = [head for head in heads if head[0] < named[0][0] and head[1] < level]
    if not above:
        return None
    section = above[-1][1]
    if level - section < 2:
        return None  # (`# Installation` / `## ChatGPT`: a document's next level, its part)
    sections = [i for i, each, _ in heads if each == section]
    if len(named) == 1 and len(sections) > 1:
        return None  # (one model's heading among sections: a document's, unless it is all)
    replies = [i for i, _, _ in named]
    # each reply under a section's heading of its own
    owners = [max((s for s in sections if s < r), default=-1) for r in replies]
    if -1 in owners or len(set(owners)) != len(replies):
        return None
    if any(each < section for i, each, _ in heads if owners[0] < i):  # (a higher heading: parts)
        return None
    count = len(lines)
    blocks: list[_Block] = []
    first = next(j for j in content if j not in skip)
    if owners[0] > first:
        blocks.append(_Block(None, first, owners[0], "header", OTHER))
    label = named[0][2]
    for n, (owner, reply) in enumerate(zip(owners, replies, strict=True)):
        stop = next((s for s in sections if s > reply), count)
        if n + 1 < len(owners) and stop != owners[n + 1]:
            return None  # a section with no reply between two that have one
        if not _has_content(lines, reply + 1, stop):
            return None
        if not _has_content(lines, owner + 1, reply):
            return None  # (a heading over the reply alone: a document's section)
        asked = HEADING.match(lines[owner])
        if asked and (asked.group(2) or "").strip().endswith(ASKING_ENDS):
            # (`# Why does this print 3?` over the code: the heading is the question, its
            # `#` marks the tool's)
            blocks.append(_Block(None, owner, reply, "section heading", USER, lead=asked.start(2)))
        else:
            blocks.append(_Block(owner, owner + 1, reply, "section heading", USER, record=True))
        blocks.append(_Block(reply, reply + 1, stop, label, ASSISTANT))
        if n + 1 == len(owners) and stop < count:  # a last section not sent yet: no exchange
            blocks.append(_Block(None, stop, count, "a section with no reply", OTHER))
    shape = f"{'#' * level} <the model> under each section's {'#' * section} heading"
    return blocks, shape, {label: ASSISTANT}


#: A fenced container's opening line with its name (`:::Katabang`, `::: assistant`), and its
#: closing line (`:::`), as Pandoc and markdown-it-container write them.
CONTAINER_OPEN = re.compile(r"^(:{3,}+)[ \t]*+([^\W\d_][\w .'’-]{0,40}?)[ \t]*+$")
CONTAINER_CLOSE = re.compile(r"^:{3,}+[ \t]*+$")
#: The names of a document's admonitions (`:::tip` ... `:::`), containers of notes, not replies.
ADMONITIONS = frozenset(
    "note tip info warning danger caution important details hint attention error success "
    "example quote abstract summary todo question faq bug seealso aside callout "
    # a document's numbered environments and layout (Pandoc / Quarto): not speakers either
    "theorem lemma corollary proposition definition proof remark exercise problem solution "
    "answer notes column columns".split()
)


def _names_the_model(name: str, header: str) -> bool:
    """A container's name that can be the model's: a role word or a model (`assistant`,
    `gpt-4o`), or a capitalized name the file's header gives (Lectic's front matter `name:
    Katabang`; a scene's `:::Alice` has none); never an admonition's kind or a document's part
    (`Note`, `tip`, `Theorem`), nor a lowercase word of its layout (`code-group`)."""
    words = _words(name.casefold())
    if not words or name.casefold().split()[0] in ADMONITIONS:
        return False
    if role_hint(words) is not None or _names_a_model(words):
        return True
    return name[:1].isupper() and name.casefold() in header


def _prompt_of_a_document(
    lines: Sequence[str], text: Sequence[bool], skip: set[int], start: int, stop: int
) -> bool:
    """Text over a container that is a document's, not a user's prompt: a heading or a rule
    line (its sections, a ruled chat's messages), or a last line ending in a colon that
    introduces the container (`The theorem reads:`, the reply's own words)."""
    body = [lines[j] for j in range(start, stop) if text[j] and j not in skip and lines[j].strip()]
    if any(HEADING.match(line) or is_separator(line) for line in body):
        return True
    return bool(body) and body[-1].rstrip().endswith(":")


def _contained_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat file whose every reply is a fenced container named for the model (`:::Katabang`
    / the reply / `:::`: a client that appends the model's reply to the file the user writes
    in), the same name each time (a role word, a model, or a name the file's front matter
    gives), and the user's prompts the text between: the text over the first container is the
    first prompt, a last prompt with no container under it is no exchange. Not where the name
    is an admonition's or a document's part (`:::tip`, `::: Theorem`) or names no speaker, nor
    where a prompt holds a heading or a rule or ends in a colon over the container (a document's
    text), and the prompts the shorter."""
    containers: list[tuple[int, int]] = []  # (opening line, closing line), the outermost
    name = ""
    depth = 0
    for i in content:
        if i in skip or not text[i]:
            continue
        line = lines[i].strip()
        opened = CONTAINER_OPEN.match(line)
        if opened:
            if depth == 0:
                label = opened.group(2).strip()
                if name and label != name:
                    return None
                name = label
                containers.append((i, -1))
            depth += 1
        elif CONTAINER_CLOSE.match(line):
            if depth == 0:
                return None
            depth -= 1
            if depth == 0:
                containers[-1] = (containers[-1][0], i)
    if not containers or depth:
        return None
    header = " ".join(lines[j] for j in skip if j < containers[0][0]).casefold()
    if not _names_the_model(name, header):
        return None
    first = next(j for j in content if j not in skip)
    count = len(lines)
    blocks: list[_Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    since = first
    for opening, closing in containers:
        if not _has_content(lines, since, opening) or not _has_content(lines, opening + 1, closing):
            return None
        if _prompt_of_a_document(lines, text, skip, since, opening):
            return None
        blocks.append(_Block(None, since, opening, "", USER))
        blocks.append(_Block(opening, opening + 1, closing + 1, name, ASSISTANT))
        prompts.append(_size(lines, since, opening))
        replies.append(_size(lines, opening + 1, closing))
        since = closing + 1
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    if _has_content(lines, since, count):
        blocks.append(_Block(None, since, count, "a prompt with no reply", OTHER))
    shape = ":::<the model> ... ::: around each reply; the user's unmarked"
    return blocks, shape, {name: ASSISTANT}


def _user_heads(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    skip: set[int],
    openers: list[int],
) -> list[int]:
    """The lines of the user's name alone over every prompt where the model's name stands alone
    over every reply (`openers`): the same short line (a few words, no sentence's end; a name
    with no role word, `Gioanin`) once between each reply's name and the one before, with the
    prompt right under it; none if there is no such line."""
    forms: dict[str, list[int]] = {}
    for i in content:
        line = lines[i].strip()
        if (
            text[i]
            and i not in skip
            and i < openers[-1]
            and len(line) <= 40
            and len(line.split()) <= 3
            and not line.endswith(PROSE_END)
            and i + 1 < len(lines)
            and lines[i + 1].strip()
        ):
            forms.setdefault(line, []).append(i)
    label = lines[openers[0]].strip()
    for line, found in forms.items():
        if (
            line != label
            and len(found) == len(openers)
            and role_hint(_words(line.casefold())) != ASSISTANT
        ):
            bounds = [-1, *openers]
            if (
                all(bounds[n] < head < bounds[n + 1] for n, head in enumerate(found))
                and all(not lines[head - 1].strip() for head in found[1:])  # (set apart)
                and all(head + 1 < opener for head, opener in zip(found, openers, strict=True))
            ):
                return found
    return []


def _pasted_log_over(lines: Sequence[str], start: int, floor: int) -> int:
    """Where a prompt that is the paragraph from `start` begins: at the paragraph over it, one
    blank line above, when that one opens like a program's output (`Traceback ...`,
    `src/a.c:3:1: error: ...`) under a line that introduces nothing (a reply's `Output:` shows
    its own), and the reply over it keeps a line."""
    above = start - 2
    if above <= floor or lines[start - 1].strip() or not lines[above].strip():
        return start
    top = above
    while top > floor and lines[top - 1].strip():
        top -= 1
    opening = lines[top]
    if (
        top > floor
        and (OUTPUT.match(opening) or OUTPUT_RECORD.match(opening))
        and not _prose(opening)
        and not lines[_previous_content(lines, top)].rstrip().endswith(":")
    ):
        return top
    return start


def _previous_content(lines: Sequence[str], k: int) -> int:
    """The last line with content before line `k` (0 if none)."""
    k -= 1
    while k > 0 and not lines[k].strip():
        k -= 1
    return max(k, 0)


def _below_page_lines(lines: Sequence[str], start: int, end: int) -> int:
    """Where the first prompt begins in its paragraph [start, end): under the page's short
    lines over it (`Readme`, `Toggle theme`: a few words, no sentence) when a pasted log or
    code follows them, else at `start`."""
    k = start
    while k < end and len(lines[k].split()) <= 3 and not lines[k].strip().endswith(PROSE_END):
        if _pasted_line(lines[k]):
            break
        k += 1
    return k if start < k < end and _pasted_line(lines[k]) else start


def _placeholder_over(lines: Sequence[str], start: int, stop: int) -> int:
    """Where the page's lines start under the last reply (from `start`): its composer and
    footer after a gap of blank lines (`_composer_over`), and over them the composer's
    placeholder, a few words ending in an ellipsis alone after a blank line."""
    tail = _composer_over(lines, start, stop)
    last = _previous_content(lines, tail)
    placeholder = lines[last].strip()
    if (
        last > start
        and not lines[last - 1].strip()
        and placeholder.endswith(PLACEHOLDER_END)
        and len(placeholder.split()) <= 6
    ):
        return last
    return tail


def _gapped_messages(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and nothing recurs but the gaps
    of blank lines a copy leaves between messages, one size under every prompt and a larger one
    under every reply (Ask Brave's copy: two blank lines, then four), two exchanges or more: the
    messages take turns between the gaps. Over the first prompt, the page's short lines up to
    its last button (`Share`) are its header; after the last reply, its composer's lines."""
    if _has_markdown(lines, text, content):
        return None
    first = next((j for j in content if j not in skip), None)
    if first is None:
        return None
    gaps = _gaps(lines, first, len(lines))
    starts = [first, *(after for _, after in gaps)]
    ends = [blank for blank, _ in gaps] + [len(lines)]
    chunks = [(a, b) for a, b in zip(starts, ends, strict=True) if _has_content(lines, a, b)]
    if len(chunks) < 4 or len(chunks) != len(starts):
        return None
    sizes = [after - blank for blank, after in gaps]
    under_prompts, under_replies = sizes[0::2], sizes[1::2]
    if len(chunks) % 2:  # the gap before the page's own last lines may be larger still
        under_replies = under_replies[:-1]
    if (
        len(set(under_prompts)) != 1
        or len(set(under_replies)) != 1
        or under_replies[0] <= under_prompts[0]
    ):
        return None
    header = 0
    run = chunks[0][0]
    while run < chunks[0][1] and 0 < len(lines[run].split()) <= 5 and not _prose(lines[run]):
        if lines[run].strip().casefold() in PAGE_BUTTONS:
            header = run + 1 - chunks[0][0]
        run += 1
    if not header or len(chunks) % 2 == 0:
        return None  # a page shows its buttons over the chat and its composer under it (notes
        # laid out with gaps of two sizes have neither)
    blocks: list[_Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    pairs = len(chunks) // 2
    for n in range(pairs):
        (p_start, p_end), (r_start, r_end) = chunks[2 * n], chunks[2 * n + 1]
        if n == 0:
            p_start += header
        if not _has_content(lines, p_start, p_end):
            return None
        blocks.append(_Block(None, p_start, p_end, "", USER))
        blocks.append(_Block(None, r_start, r_end, "", ASSISTANT))
        prompts.append(_size(lines, p_start, p_end))
        replies.append(_size(lines, r_start, r_end))
    if len(chunks) % 2:
        page_start, _ = chunks[-1]
        if any(
            len(lines[j].split()) > 6 or lines[j].rstrip().endswith(("?", "？"))
            for j in range(page_start, len(lines))
        ):
            return None  # a prompt the model never answered, not the page's composer
        blocks.append(_Block(None, page_start, len(lines), "page", OTHER))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    return (
        blocks,
        "gaps of blank lines between messages, one size under prompts; no speaker named",
        {},
    )


#: What a model's reasoning says the user did, right after naming them (`the user pasted`,
#: `The user wants`, `用户问`): the request restated.
RESTATED = re.compile(
    r"\b(?:user|用户|ユーザー|사용자)\W{0,3}(?:is |has |just )?"
    r"(?:ask|want|need|paste|request|wrote|write|mention|say|share|provide|sent|seem|问|想|要)",
    re.I,
)


def _reasoned_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole where only the messages' text was selectable, nothing naming a
    speaker, and every reply (two or more) opens with the model's reasoning as paragraphs of
    its own that restate the request (`Okay, the user pasted ...`, `The user wants ...`): the
    paragraph over each such opening is the prompt (the first with a pasted log over it), the
    reasoning runs on over the paragraphs in the opening's script when the prompts are written
    in another (a model that reasons in English whatever the chat's language), and the reply
    from there to the next prompt. What stands over the first prompt (an app's greeting) is
    the page's. Never in a file with Markdown headings or fences, and the prompts the
    shorter."""
    if _has_markdown(lines, text, content):
        return None
    paragraphs: list[tuple[int, int]] = []
    k = 0
    while k < len(lines):
        if lines[k].strip() and k not in skip:
            start = k
            while k < len(lines) and lines[k].strip():
                k += 1
            paragraphs.append((start, k))
        else:
            k += 1
    openers = [
        n
        for n, (start, end) in enumerate(paragraphs)
        if n > 0
        and text[start]
        and _names_the_user(lines[start])
        and RESTATED.search(lines[start][:80])
        and not any(code_line(lines[j]) for j in range(start, end))
    ]
    if len(openers) < 2 or any(b - a < 3 for a, b in zip(openers, openers[1:], strict=False)):
        return None  # (an opening, its reply, the next prompt: three paragraphs at least)
    blocks: list[_Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    for n, opener in enumerate(openers):
        asking = opener - 1
        first = asking
        above = paragraphs[asking - 1] if asking > 0 else None
        if (
            above is not None
            and (n == 0 or not lines[above[0] - 1].rstrip().endswith(":"))
            and (OUTPUT.match(lines[above[0]]) or OUTPUT_RECORD.match(lines[above[0]]))
        ):
            first = asking - 1  # the log pasted over the asking line
        if n == 0 and first > 0:
            blocks.append(_Block(None, paragraphs[0][0], paragraphs[first][0], "page", OTHER))
        elif n > 0:
            reply_start = blocks[-1].start
            if paragraphs[first][0] <= reply_start:
                return None
            blocks[-1] = replace(blocks[-1], end=paragraphs[first][0])
            replies.append(_size(lines, reply_start, paragraphs[first][0]))
        prompt = (paragraphs[first][0], paragraphs[asking][1])
        script = _script(" ".join(lines[j] for j in range(*paragraphs[asking])))
        thinking = _script(lines[paragraphs[opener][0]])
        last = opener
        while (
            last + 1 < len(paragraphs)
            and thinking != script
            and (n + 1 == len(openers) or last + 1 < openers[n + 1] - 1)
            and _script(" ".join(lines[j] for j in range(*paragraphs[last + 1]))) == thinking
            and not any(code_line(lines[j]) for j in range(*paragraphs[last + 1]))
        ):
            last += 1
        if last + 1 >= len(paragraphs):
            return None  # reasoning and no reply
        blocks.append(_Block(None, prompt[0], prompt[1], "", USER))
        prompts.append(_size(lines, *prompt))
        blocks.append(_Block(None, paragraphs[opener][0], paragraphs[last][1], REASONING, OTHER))
        blocks.append(_Block(None, paragraphs[last + 1][0], len(lines), "", ASSISTANT))
    tail = _composer_over(lines, blocks[-1].start, len(lines))
    replies.append(_size(lines, blocks[-1].start, tail))
    blocks[-1] = replace(blocks[-1], end=tail)
    if tail < len(lines):
        blocks.append(_Block(None, tail, len(lines), "page", OTHER))
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    return (
        blocks,
        "the model's reasoning restating the request opens every reply; no speaker named",
        {},
    )


def _script(text: str) -> str:
    """The writing system a text is written in (`LATIN`, `LAO`, `CJK`): the most frequent
    other than Latin's when it holds a quarter of the letters or more (a sentence in Lao keeps
    its code's names in Latin letters), else the most frequent."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            counts[unicodedata.name(ch, "?").split(" ")[0]] += 1
    other = next((name for name, _ in counts.most_common() if name != "LATIN"), None)
    if other is not None and 4 * counts[other] >= sum(counts.values()):
        return other
    return counts.most_common(1)[0][0] if counts else ""


def _page_tail(lines: Sequence[str], start: int, stop: int) -> int:
    """Where the page's own lines begin after the last reply: at the first button alone on a
    line (`Share`) after which every line is short or asks (more buttons, the suggested next
    questions, the composer); `stop` if there is none."""
    for j in range(start, stop):
        if lines[j].strip().casefold() in PAGE_BUTTONS and all(
            len(lines[k].split()) <= 8 or lines[k].rstrip().endswith(("?", "？"))
            for k in range(j + 1, stop)
        ):
            while j > start and not lines[j - 1].strip():
                j -= 1
            return j
    return stop


def _reply_heads(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[tuple[str, ...], list[int]] | None:
    """The run of two or more short lines (numbers aside; one blank line between two of them
    at most), one blank line under a paragraph, that recurs most often, the longest of those;
    with where each copy of it starts."""
    count = len(lines)

    def short(k: int) -> bool:
        return text[k] and k not in skip and 0 < len(lines[k].split()) <= 5 and len(lines[k]) <= 40

    runs: dict[tuple[str, ...], list[int]] = {}
    for i in content:
        if i < 2 or lines[i - 1].strip() or not lines[i - 2].strip() or not short(i):
            continue
        form: tuple[str, ...] = ()
        k = i
        while k < count and len(form) < MAX_TOOLBAR:
            if not lines[k].strip():
                if k + 1 < count and lines[k + 1].strip():
                    k += 1
                    continue
                break
            if not short(k):
                break
            form = (*form, NUMBER.sub("0", lines[k].strip()))
            if len(form) >= 2:
                runs.setdefault(form, []).append(i)
            k += 1
    if not runs:
        return None
    return max(runs.items(), key=lambda item: (len(item[1]), len(item[0])))


def _head_end(lines: Sequence[str], head: int, size: int) -> int:
    """The line after a reply's header of `size` lines starting at `head` (blank lines inside
    it counted, the blank lines under it not)."""
    k, seen = head, 0
    while seen < size:
        if lines[k].strip():
            seen += 1
        k += 1
    return k


def _footed_replies(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and what recurs is the toolbar
    under each reply: the same run of two to six short lines (a few words each, numbers aside;
    HuggingChat's `default` / `with` / `<model>` / `via` / `<provider>`) after a blank line,
    two or more, each with the next prompt right under it or the page's lines after the last.
    Between two toolbars the prompt is the first paragraph (with the paragraph asking under a
    pasted log: `_asking_paragraph`), the reply the rest; over the first prompt, the lines
    before the last gap of two blank lines or more with only short lines above it are the
    page's (its sidebar). Never in a
    file with Markdown headings or fences: a notes file whose answers all end alike."""
    if _has_markdown(lines, text, content):
        return None
    count = len(lines)
    found = _toolbar_runs(lines, text, content, skip, after_blank=True)
    if found is None:
        return None
    form, starts = found
    size = len(form)
    if len(starts) < 2 or any(b - a <= size for a, b in zip(starts, starts[1:], strict=False)):
        return None
    blocks: list[_Block] = []
    prompts: list[int] = []
    replies: list[int] = []
    start = content[0]
    header = [
        gap
        for gap in _gaps(lines, start, starts[0])
        if all(len(lines[j].split()) <= 6 for j in range(start, gap[0]))
    ]
    if header and _has_content(lines, header[-1][1], starts[0]):
        blocks.append(_Block(None, start, header[-1][0], "page", OTHER))  # the sidebar
        start = header[-1][1]
    asked = False
    for n, toolbar in enumerate(starts):
        first = _next_content(lines, start, toolbar)
        prompt_end = _asking_paragraph(lines, first, toolbar)
        reply = _next_content(lines, prompt_end, toolbar)
        if prompt_end >= toolbar or reply >= toolbar:
            return None
        asked = asked or any("?" in lines[k] or "？" in lines[k] for k in range(first, prompt_end))
        blocks.append(_Block(None, first, prompt_end, "", USER))
        blocks.append(_Block(None, prompt_end, toolbar, "", ASSISTANT))
        prompts.append(_size(lines, first, prompt_end))
        replies.append(_size(lines, prompt_end, toolbar))
        stop = starts[n + 1] if n + 1 < len(starts) else count
        blocks.append(_Block(None, toolbar, toolbar + size, "toolbar", OTHER))
        start = toolbar + size
        if n + 1 < len(starts) and (start >= stop or not lines[start].strip()):
            return None  # the next prompt stands right under the toolbar
    if any(len(lines[j].split()) > 6 for j in range(start, count)):
        return None  # a message after the last toolbar: not the page's own lines
    if start < count:
        blocks.append(_Block(None, start, count, "page", OTHER))
    if not asked or statistics.median(prompts) >= statistics.median(replies):
        return None
    return blocks, "the same toolbar under each reply, the next prompt under it", {}


def _has_markdown(lines: Sequence[str], text: Sequence[bool], content: list[int]) -> bool:
    """A code fence or a `## ` heading (or Org's blocks and keywords): a file written in Markdown
    or Org, not the text a browser copies from a rendered page (which has neither; a `# comment`
    of copied code stays, and so does copied code's indent, which Markdown reads as a code
    block)."""
    return any(
        HEADING.match(lines[i])
        and lines[i].startswith("#" * 2)
        or (not text[i] and not lines[i].startswith(("    ", "\t")) and not page_control(lines, i))
        or ORG_BLOCK.match(lines[i])  # (an Org file's `#+begin_src`, `#+title:`)
        or ORG_KEYWORD.match(lines[i])
        or BARE_FENCE.match(lines[i])
        or INFO_FENCE.match(lines[i])
        for i in content
    )


def _toolbar_runs(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    skip: set[int],
    after_blank: bool = False,
    alone: frozenset[str] = frozenset(),
) -> tuple[tuple[str, ...], list[int]] | None:
    """The run of two to six short lines (a few words each, numbers aside) that recurs most
    often, the longest of those; with where each copy of it starts (`after_blank`: only runs
    after a blank line; `alone`: buttons that make a run of one line by themselves)."""
    count = len(lines)
    short = [
        text[k]
        and k not in skip
        and 0 < len(lines[k].split()) <= 3
        and len(lines[k]) <= 40
        and lines[k].lstrip()[:1] not in '{}[]",'  # a button, not a JSON file's `],`
        for k in range(count)
    ]
    runs: dict[tuple[str, ...], list[int]] = {}
    for i in content:
        if not short[i] or (i > 0 and (lines[i - 1].strip() if after_blank else short[i - 1])):
            continue
        form: tuple[str, ...] = ()
        for k in range(i, min(i + MAX_TOOLBAR, count)):
            if not short[k]:
                break
            form = (*form, NUMBER.sub("0", lines[k].strip()))
            if len(form) >= 2 or form[0].casefold() in alone:
                runs.setdefault(form, []).append(i)
    if not runs:
        return None
    return max(runs.items(), key=lambda item: (len(item[1]), len(item[0])))


def _prompt_toolbars(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat page copied whole, where nothing names a speaker and what recurs is the toolbar
    under each prompt: the same run of two to six short lines right under the prompt's last
    line (kimi.com's `Edit` / `Copy` / `Share`), three or more, the reply right under it. A
    copy that keeps no blank line between messages still shows where a prompt ends; where it
    starts, the prompt is the line right over its toolbar, with the paragraph over that when
    one blank line sets off a pasted log (the asking line under it). The reply runs to the
    next prompt; before the first prompt is the page (its sidebar), after the last reply's
    last gap of two blank lines or more, its composer's short lines. Never in a file with
    Markdown headings or fences, and the prompts the shorter."""
    if _has_markdown(lines, text, content):
        return None
    found = _toolbar_runs(lines, text, content, skip, alone=PROMPT_BUTTONS)
    if found is None:
        return None
    form, starts = found
    size = len(form)
    if len(starts) < 3 or any(b - a <= size + 1 for a, b in zip(starts, starts[1:], strict=False)):
        return None
    if sum(NUMBER.sub("0", lines[i].strip()) == form[0] for i in content) != len(starts):
        return None  # `Tags` over `python`, then over `javascript`: a note's tags, no toolbar
    over = [_prompt_over(lines, toolbar) for toolbar in starts]
    prompts = [start for start in over if start is not None]
    if len(prompts) < len(over) or prompts[0] <= content[0]:
        return None
    if any(REPL_PROMPT.match(lines[t - 1]) or lines[t - 1].startswith(REPL_LEADS) for t in starts):
        return None  # `>>> etl.run()` over the lines it prints each time: a REPL session
    blocks: list[_Block] = []
    sizes: list[int] = []
    replies: list[int] = []
    count = len(lines)
    for n, (toolbar, start) in enumerate(zip(starts, prompts, strict=True)):
        blocks.append(_Block(None, start, toolbar, "", USER))
        blocks.append(_Block(None, toolbar, toolbar + size, "toolbar", OTHER))
        stop = prompts[n + 1] if n + 1 < len(starts) else count
        if n + 1 == len(starts):
            stop = _composer_over(lines, toolbar + size, count)
        if not _has_content(lines, toolbar + size, stop):
            return None
        blocks.append(_Block(None, toolbar + size, stop, "", ASSISTANT))
        if stop < count and n + 1 == len(starts):
            blocks.append(_Block(None, stop, count, "page", OTHER))
        sizes.append(_size(lines, start, toolbar))
        replies.append(_size(lines, toolbar + size, stop))
    if statistics.median(sizes) >= statistics.median(replies):
        return None
    return blocks, "the same toolbar under each prompt, the reply under it", {}


REPL_LEADS = ("$ ", ">>> ", "... ")


def _composer_over(lines: Sequence[str], start: int, stop: int) -> int:
    """Where the page's own lines start under a page copy's last reply (from `start`): at the
    earliest gap of two blank lines or more after which every line is short (its composer,
    its buttons) or the page's footer (`... can make mistakes`) and none is code; `stop` if
    there is none."""
    tail = stop
    for blank, after in reversed([gap for gap in _gaps(lines, start, stop) if gap[1] < stop]):
        if not all(
            (len(lines[j].split()) <= 6 or INTERFACE_LINE.search(lines[j]))
            and not code_line(lines[j])
            for j in range(after, tail)
            if lines[j].strip()
        ):
            break
        tail = blank
    return tail


#: A prompt's button that is a toolbar by itself, alone on a line under every prompt (Lumo's
#: `Edit`).
PROMPT_BUTTONS = frozenset({"edit", "edit message"})


def _prompt_over(lines: Sequence[str], toolbar: int) -> int | None:
    """Where the prompt over a toolbar starts: the line right over it, and the paragraph over
    that line when one blank line sets it off and it reads as a pasted log or code: from the
    line that opens a log (`Traceback ...`, `src/Main.hs:14:30: error: ...`; no sentence) when
    only the page's short lines, none code nor a code block's label or button, are over it in
    the paragraph, else from the log's or code's lines."""
    last = toolbar - 1
    if last < 0 or not lines[last].strip():
        return None
    if last < 2 or lines[last - 1].strip() or not lines[last - 2].strip():
        return last
    top = last - 2
    paragraph = top
    while paragraph > 0 and lines[paragraph - 1].strip():
        paragraph -= 1
    for k in range(paragraph, top + 1):
        if (OUTPUT.match(lines[k]) or OUTPUT_RECORD.match(lines[k])) and not _prose(lines[k]):
            return k
        line = lines[k].strip().casefold()
        if len(line.split()) > 4 or _pasted_line(lines[k]) or line in CODE_LANGUAGES | COPY_LINES:
            break  # not the page's short lines (a code block's label and button: a reply's)
    while top > 0 and lines[top - 1].strip() and _pasted_line(lines[top - 1]):
        top -= 1
    return top if _pasted([lines[k] for k in range(top, last - 1)]) else last


PASTED_START = re.compile(
    r"^(?:[ \t]++\S|Traceback|\$ |>>> |[\w.]*(?:Error|Exception|Warning)\b"
    r"|(?i:error|warning|fatal)\b)"
)


def _pasted(paragraph: Sequence[str]) -> bool:
    """A paragraph of a pasted log or code: two lines or more, one indented or all reading as
    code."""
    return len(paragraph) >= 2 and (
        any(line[:1].isspace() for line in paragraph) or bare_code(paragraph)
    )


def _pasted_line(line: str) -> bool:
    """A line of a pasted log or code: indented, a traceback's or a shell's, an error's, or a
    line of code."""
    return bool(PASTED_START.match(line)) or code_line(line)


def _asking_paragraph(lines: Sequence[str], first: int, stop: int) -> int:
    """The end of a prompt that starts at `first` with no marker: its first paragraph, and the
    paragraph after it when the first is a pasted log or code (two lines or more, one indented
    or reading as code) that asks nothing and the second is short and asks."""
    end = first
    while end < stop and lines[end].strip():
        end += 1
    paragraph = [lines[k] for k in range(first, end)]
    if not _pasted(paragraph) or any("?" in line for line in paragraph) or end + 1 >= stop:
        return end
    if lines[end + 1].strip() == "":
        return end
    after = end + 1
    while after < stop and lines[after].strip():
        after += 1
    asking = after - (end + 1) <= 3 and any("?" in lines[k] for k in range(end + 1, after))
    return after if asking and _next_content(lines, after, stop) < stop else end


def _title_like(line: str) -> bool:
    """A heading, or a few capitalized words with no sentence's end (`Journal 2026`)."""
    text = line.strip()
    return bool(HEADING.match(line)) or (
        len(text.split()) <= 6 and text[:1].isupper() and not text.endswith((*PROSE_END, "?"))
    )


def _toolbar_date(lines: Sequence[str], date: int) -> bool:
    """A date set apart from the prompt above it (a blank line, or the page's `Show more`) with
    the reply right under it: the message's toolbar between the two."""
    above = lines[date - 1].strip()
    under = lines[date + 1] if date + 1 < len(lines) else ""
    return (not above or EXPANDER.match(above) is not None) and bool(under.strip())


def _stamped_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A chat app's text export where every message opens with a header of two lines and no
    marker of its own: the time alone on a line (a note in brackets after it, `(Read by them
    after 1 second)`), and right under it the sender (`Me`, a name, an address, a number). The
    senders recur (a line under each date that never recurs is a heading), two to eight of
    them, one named by a role (`Me`); a blank line (or the file's start) is over each time line.
    The time may be a date alone (`Mar 13`), which then stands over the day's messages (see
    `_days_recur`). The time lines are the messages' metadata, the sender lines their markers.

    Two people named by no role word (`Dana`, `Sam`) stay no chat even where one of them asks
    and the other answers: the one who asks is as often a tutor quizzing the user, or a doctor,
    as the user asking."""
    headers = [
        i
        for n, i in enumerate(content[:-1])
        if content[n + 1] == i + 1
        and text[i]
        and text[i + 1]
        and i not in skip
        and (i == 0 or not lines[i - 1].strip())
        and _time_line(lines[i])
        and _sender_line(lines[i + 1])
    ]
    if len(headers) < 2 or any(not _header_line(lines[j]) for j in content if j < headers[0]):
        return None
    found: dict[int, Candidate] = {}
    for i in headers:
        label = lines[i + 1].strip()
        words = _words(label)
        found[i + 1] = Candidate("<time> over <sender>", label, label.casefold(), None, words, "")
    labels = list(dict.fromkeys(each.key for each in found.values()))
    counts = Counter(each.key for each in found.values())
    hints = {each.key: _hint(each) for each in found.values()}
    if not 2 <= len(labels) <= 8 or (len(headers) > 2 and max(counts.values()) < 2):
        return None
    if not any(hint in (USER, ASSISTANT) for hint in hints.values()):
        return None  # no sender named by a role (`Me`): a log of dates over subjects or people
    if not _days_recur([lines[i] for i in headers]):
        return None
    markers = [i + 1 for i in headers]
    bounds = [*markers[1:], len(lines)]  # a message's last line is the next one's time
    spans = [  # each message's own lines: not the next message's time line
        (marker, marker + 1, stop - 1 if n + 1 < len(markers) else stop)
        for n, (marker, stop) in enumerate(zip(markers, bounds, strict=True))
    ]
    if any(not _has_content(lines, start, end) for _, start, end in spans):
        return None
    roles = _message_roles(lines, found, spans)
    if roles is None:
        return None
    blocks = [
        _Block(
            marker,
            marker + 1,
            stop,
            found[marker].label,
            roles[found[marker].key],
            stamp=marker - 1,
        )
        for marker, stop in zip(markers, bounds, strict=True)
    ]
    return blocks, "`<time>` over `<sender>` on every message", roles


#: What a reading by header lines finds: the blocks, the markers' shape, each label's role and
#: the marker lines as it reads them (their whole text a label, no message on them).
Headed = tuple[list[_Block], str, dict[str, str], dict[int, Candidate]]
#: A message's header: the sender's name (with an id in brackets: Slack's `[U05QZ8H3K2M]`), then
#: the message's date and time (a zone after it: `Z`, `UTC`, `+02:00`), and nothing more.
SENDER_STAMP = re.compile(
    rf"^(?P<name>[^\d\n\[\]<>()]{{1,80}}?)(?:[ \t]*+[\[(<][\w.@:-]{{1,40}}+[\])>])?"
    rf"[ \t]*+[@—–|,·•-]?[ \t]*+[(\[]?(?:{_DATE})(?:,?[ \t]++|T)"
    rf"(?:at[ \t]++)?{_TIME}(?:[.,]\d{{1,6}}+)?(?:[ \t]*+(?:Z|UTC|GMT|[+-]\d{{2}}:?\d{{2}}))?"
    r"[)\]]?[ \t]*+:?$"
)


def _stamped_sender(line: str) -> str | None:
    """The sender a message's header line names, or None: the name and the message's full
    stamp, a date and a time, alone on the line (a quote's `> ` or emphasis around it)."""
    text = line.strip()
    if text.startswith(">"):
        text = text[1:].strip()  # (a tool that quotes its headers, as slackdump does)
    if not TIME_OF_DAY.search(text):
        return None  # (most lines: the cheap test first)
    found = SENDER_STAMP.match(text.strip("*_ \t"))
    if found is None:
        return None
    month = found.group("before") or found.group("after")
    if month and month[:3].casefold() not in MONTH_STEMS:
        return None  # (`Lecture — Week 3 10:00`: no month)
    name = found.group("name").strip(" \t*_@—–|,·•:-")
    return name if name and _sender_line(name) else None


def _sender_stamp_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> Headed | None:
    """A chat app's text export where a header line opens every message: the sender's name and
    the message's date and time, nothing else (Slack's, as slackdump writes it: `> Aroha
    Tipene [U05QZ8H3K2M] @ 12/03/2026 21:04:37 Z:`), the file's start or a blank line over it,
    the text under it. Two to eight senders, each recurring, one named by a role (`ChatGPT
    Bot`); each sender's role from what their messages hold (`_message_roles`). Only a file's
    header stands over the first."""
    found: dict[int, Candidate] = {}
    for i in content:
        if i in skip or not text[i] or (i and lines[i - 1].strip()) or len(lines[i]) > MAX_MARKER:
            continue
        name = _stamped_sender(lines[i])
        if name is not None:
            found[i] = Candidate(
                "<sender> <date> <time>", name, name.casefold(), None, _words(name), ""
            )
    markers = sorted(found)
    if len(markers) < 2 or any(not _header_line(lines[j]) for j in content if j < markers[0]):
        return None
    counts = Counter(each.key for each in found.values())
    if not 2 <= len(counts) <= 8 or min(counts.values()) < 2:
        return None
    if not any(
        _hint(each) == ASSISTANT
        and _words(each.label.split()[-1].casefold()) & (ASSISTANT_WORDS | PRODUCT_NAMES)
        for each in found.values()
    ):
        return None  # (people alone, `Me` or `Ben` among them: minutes, a family's messages)
    bounds = [*markers[1:], len(lines)]
    spans = [(marker, marker + 1, stop) for marker, stop in zip(markers, bounds, strict=True)]
    if any(not _has_content(lines, start, stop) for _, start, stop in spans):
        return None
    roles = _message_roles(lines, found, spans)
    if roles is None:
        return None
    asked = [_asks(lines[start:stop]) for i, start, stop in spans if roles[found[i].key] == USER]
    if 2 * sum(asked) < len(asked):
        return None  # (a bot's channel: its people report to it, they ask it nothing)
    blocks = [
        _Block(marker, start, stop, found[marker].label, roles[found[marker].key])
        for marker, start, stop in spans
    ]
    return blocks, "`<sender> <date> <time>` over every message", roles, found


#: A line of a key and a speaker's role as its value, alone (FastGPT's `Role: Human`).
KEYED_ROLE = re.compile(
    r"^(?:\*\*)?([^\W\d_][\w ]{0,15}?)(?:\*\*)?[ \t]*+[:：][ \t]*+(?:\*\*)?"
    r"([^\W\d_][\w .-]{0,30}?)(?:\*\*)?[ \t]*+$"
)


def _keyed_role_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> Headed | None:
    """A tool's export where a line of a key and a role alone opens every message (FastGPT's
    `Role: Human` / `Role: AI`), with the file's start, a blank line or a rule over it and the
    message under it: the same key on every such line, the roles taking turns from the user's
    (a system's may come first), two or more of each. One such line inside a message (a pasted
    `role: user`) breaks the turns, and then nothing is read so."""
    found: dict[int, tuple[str, str, str]] = {}  # line -> (key, role's name, role)
    for i in content:
        keyed = text[i] and i not in skip and (":" in lines[i] or "：" in lines[i])
        match = KEYED_ROLE.match(lines[i].strip()) if keyed else None
        if match is None or len(match.group(2).split()) > 3:
            continue
        value = _words(match.group(2).casefold())
        if not (value <= USER_WORDS | ASSISTANT_WORDS | OTHER_WORDS or _model_only(value)):
            continue  # (`Role: End User`, `Persona: Support agent`: a document's roles)
        role = role_hint(value)
        if role is not None:
            found[i] = (match.group(1).strip().casefold(), match.group(2).strip(), role)
    keys = Counter(key for key, _, _ in found.values())
    if not keys:
        return None
    key = keys.most_common(1)[0][0]
    markers = [i for i in sorted(found) if found[i][0] == key]
    turns = [found[i][2] for i in markers]
    turns = turns[1:] if turns[0] == OTHER else turns
    if len(turns) < 4 or turns != [(USER, ASSISTANT)[n % 2] for n in range(len(turns))]:
        return None
    if any(i and lines[i - 1].strip() and not is_separator(lines[i - 1]) for i in markers):
        return None  # (a message's own `Status: done` line under its text)
    over = [j for j in content if j < markers[0] and j not in skip]
    if any(not _header_line(lines[j]) or candidate(lines[j]) is not None for j in over):
        return None  # (a chat's own `You: text` / `## User` over them: a pasted log)
    if any(HEADING.match(lines[j]) for j in content if j > markers[0] and j not in skip):
        return None  # (a document's sections)
    candidates = {
        i: Candidate(
            "<key>: <role>", found[i][1], found[i][1].casefold(), None, _words(found[i][1]), ""
        )
        for i in markers
    }
    roles = {candidates[i].key: found[i][2] for i in markers}
    blocks = _labeled_blocks(lines, content, markers, roles, candidates, skip)
    if blocks is None or any(not _has_content(lines, b.start, b.end) for b in blocks):
        return None
    shape = f"`{lines[markers[0]].strip().split(':')[0]}: <role>` over every message"
    return blocks, shape, roles, candidates


#: A message's time at the start of its first line, then its text: `10:12:04: text`,
#: `2025-02-11 21:04 text`, `[21:04] text`; a 12-hour time's `AM`/`PM` is the time's too (and
#: its form's: times on both sides of noon are no one form).
TIMED_LINE = re.compile(
    r"^\[?+((?:\d{4}-\d{2}-\d{2}[ T])?+(\d{1,2}):(\d{2})(?::(\d{2}))?+"
    r"(?:[ \t]?+(?:[AP]M|[ap]m|[ap]\.m\.))?+)\]?+"
    r"(?::[ \t]|[ \t])[ \t]*+(?=\S)"
)
#: The longest a reply's time comes after its prompt's, in seconds: a tool stamps a reply as it
#: comes, not hours later.
REPLY_DELAY = 600


def _timed_lines(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[int], list[re.Match[str]]] | None:
    """The lines that open with a time (`TIMED_LINE`), the file's first line one of them, the
    times of one form and in order (an ISO date, then the time, sorts as it reads)."""
    timed = [i for i in content if text[i] and i not in skip and TIMED_LINE.match(lines[i])]
    if len(timed) < 2 or timed[0] != next(j for j in content if j not in skip):
        return None
    matches = [m for i in timed if (m := TIMED_LINE.match(lines[i]))]
    stamps = [m.group(1) for m in matches]
    if len({DIGIT.sub("9", stamp) for stamp in stamps}) != 1 or stamps != sorted(stamps):
        return None
    return timed, matches


def _timed_turns(
    lines: Sequence[str], text: Sequence[bool], content: list[int], skip: set[int]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """A tool's history where nothing names a speaker and messages open with the time they
    were stored, the file's first line one of them (`_timed_lines`); the times are the tool's,
    on no card. Either every message has one (`_timed_messages`) or every prompt
    (`_timed_exchanges`)."""
    found = _timed_lines(lines, text, content, skip)
    if found is None:
        return None
    timed, matches = found
    return _timed_messages(lines, timed, matches) or _timed_exchanges(lines, timed, matches)


def _timed_messages(
    lines: Sequence[str], timed: list[int], matches: list[re.Match[str]]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """Every message opens with its time (PyGPT's `10:12:04: text`): the messages take turns,
    the user's first, four or more; each reply's time comes within minutes of its prompt's,
    the user's messages are the shorter, one of them asks, and a message is more than its
    first line about as often as not (a log's lines each have a time of their own). Every
    prompt has its reply, and each reply's time comes no later after its prompt's than the
    next prompt's after it (the tool stamps a reply as it comes, the user asks again once it is
    read): people who chat send two messages in a row, and then nothing takes turns."""
    if len(timed) < 4 or len(timed) % 2:
        return None
    seconds = [
        int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4) or 0) for m in matches
    ]
    if any(
        not 0 <= seconds[n + 1] - seconds[n] <= REPLY_DELAY for n in range(0, len(timed) - 1, 2)
    ):
        return None
    if any(
        seconds[n + 1] - seconds[n] > seconds[n + 2] - seconds[n + 1]
        for n in range(0, len(timed) - 2, 2)
    ):
        return None
    spans = list(zip(timed, [*timed[1:], len(lines)], strict=True))
    if sum(not _has_content(lines, start + 1, stop) for start, stop in spans) * 2 > len(spans):
        return None
    sizes = [_size(lines, start, stop) for start, stop in spans]
    if statistics.median(sizes[0::2]) >= statistics.median(sizes[1::2]):
        return None
    asked = (_last_text(lines, start, stop).strip() for start, stop in spans[0::2])
    if not any(line.endswith(("?", "？")) for line in asked):
        return None  # the user asks at least once: a day's timed notes are no chat
    blocks = [
        _Block(None, start, stop, "", USER if n % 2 == 0 else ASSISTANT, lead=m.end())
        for n, ((start, stop), m) in enumerate(zip(spans, matches, strict=True))
    ]
    return blocks, "the time a message was stored, opening its first line; no speaker named", {}


def _timed_exchanges(
    lines: Sequence[str], timed: list[int], matches: list[re.Match[str]]
) -> tuple[list[_Block], str, dict[str, str]] | None:
    """Every exchange opens with its prompt's time (chatGPT-shell-cli's `2025-02-11 21:04
    text`), and one line of spaces, not empty, ends each prompt (the tool's own line: a blank
    line may stand inside a prompt, under pasted output): the reply runs from under it to the
    next time, the prompts the shorter. No other line of spaces anywhere, and each reply's last
    line ends in a space too (the tool's `echo -e "$timestamp $prompt \n$response_data \n"`
    writes both: a journal whose editor left spaces on one blank line under each entry's timed
    title, one of them asking, is no chat)."""
    spaced = [i for i, line in enumerate(lines) if line and not line.strip()]
    spans = list(zip(timed, [*timed[1:], len(lines)], strict=True))
    if len(spaced) != len(spans):
        return None
    ends = []
    for (start, stop), end in zip(spans, spaced, strict=True):
        if not start < end < stop or not _has_content(lines, end + 1, stop):
            return None
        if not _last_text(lines, end + 1, stop).endswith((" ", "\t")):
            return None
        ends.append(end)
    prompts = [_size(lines, start, end) for (start, _), end in zip(spans, ends, strict=True)]
    replies = [_size(lines, end, stop) for (_, stop), end in zip(spans, ends, strict=True)]
    if statistics.median(prompts) >= statistics.median(replies):
        return None
    blocks: list[_Block] = []
    for (start, stop), end, m in zip(spans, ends, matches, strict=True):
        blocks.append(_Block(None, start, end, "", USER, lead=m.end()))
        blocks.append(_Block(None, end + 1, stop, "", ASSISTANT))
    return blocks, "the time of each prompt, opening its first line; a line of spaces under it", {}


def _message_roles(
    lines: Sequence[str], found: dict[int, Candidate], spans: list[tuple[int, int, int]]
) -> dict[str, str] | None:
    """Each label's role (`_roles`) from the messages its markers open, as (marker, first line,
    stop): how many lines each holds and how many end asking."""
    keys = [found[marker].key for marker, _, _ in spans]
    hints = {found[marker].key: _hint(found[marker]) for marker, _, _ in spans}
    sizes: dict[str, list[int]] = {key: [] for key in keys}
    asks: Counter[str] = Counter()
    for (_, start, stop), key in zip(spans, keys, strict=True):
        body = [lines[j].strip() for j in range(start, stop) if lines[j].strip()]
        sizes[key].append(len(body))
        if body and body[-1].endswith(("?", "？")):
            asks[key] += 1
    return _roles(list(sizes), hints, sizes, asks, keys)


def _days_recur(stamps: list[str]) -> bool:
    """A chat app that stamps each message with its day alone (`Mar 13`, `2025-03-13`) writes
    that day over all the messages sent on it: the messages are at least twice as many as their
    days. A diary or a log by days (`Mar 12` over `Me`, `Mar 13` over `Coach`; or over subjects,
    one of them `AI`) heads each day's one entry with its date. Stamps with a time of day are
    each message's own and need not recur."""
    days = [PARENTHETICAL.sub("", s).strip() for s in stamps if not TIME_OF_DAY.search(s)]
    return 2 * len(set(days)) <= len(days)


def _time_line(line: str) -> bool:
    """A message's date or time alone on a line (`Mar 13`, `Jun 2, 2025  6:10:00 PM`), with a
    note in brackets after it or none."""
    return date_only(PARENTHETICAL.sub("", line).strip())


#: A message's sender alone on a line: a name, `Me`, an address or a number, no sentence.
SENDER = re.compile(r"^[\w+@.'’ -]{1,60}+$")


def _sender_line(line: str) -> bool:
    text = line.strip()
    return (
        SENDER.match(text) is not None
        and len(text.split()) <= 4
        and not text.endswith(PROSE_END)
        and not date_only(text)
    )


def _size(lines: Sequence[str], start: int, stop: int) -> int:
    return sum(len(lines[k].strip()) for k in range(start, stop))


def _dated_prompt(
    lines: Sequence[str], text: Sequence[bool], date: int, previous: int
) -> int | None:
    """Where the prompt over a date (not the first) starts: the paragraph right above it (past
    blank lines and a `Show more`), and a paragraph of code over that one when the reply above
    ends in prose (the user's pasted code, where a reply's code runs on into its prose). None
    when nothing stands between the previous date and this one."""
    k = date - 1
    while k > previous and (not lines[k].strip() or EXPANDER.match(lines[k].strip())):
        k -= 1
    if k <= previous or not text[k]:
        return None
    while k - 1 > previous and lines[k - 1].strip():
        k -= 1
    above = k - 1
    while above > previous and not lines[above].strip():
        above -= 1
    if above <= previous or above == k - 1:
        return k
    top = above
    while top - 1 > previous and lines[top - 1].strip():
        top -= 1
    pasted = lines[top : above + 1]
    if lines[top].strip().casefold() in CODE_LANGUAGES:
        return k  # a code block under its label: the reply's, which a user's paste never has
    if not bare_code(pasted) or top - 1 <= previous or lines[top - 1].strip():
        return k
    before = top - 1
    while before > previous and not lines[before].strip():
        before -= 1
    if before <= previous or not _prose(lines[before]):
        return k
    return top


def _under_settings(lines: Sequence[str], body: list[int]) -> int:
    """Where the first prompt starts under a tool's settings header: headings, a name line over
    a `---` fenced block of settings (keys with values, brackets), and the system prompt quoted
    right under it (`openai` / `---` / `{ params = ... }` / `---` / `> You are terse`)."""
    headings = 0
    while headings < len(body) and HEADING.match(lines[body[headings]]):
        headings += 1
    k = headings + 1 if headings + 1 < len(body) and _name_line(lines[body[headings]]) else headings
    fences = [n for n in range(k, len(body)) if lines[body[n]].strip() == "---"][:2]
    if (
        len(fences) < 2
        or fences[0] != k
        or not all(SETTING.match(lines[j]) for j in body[fences[0] + 1 : fences[1]])
    ):
        return body[headings] if headings < len(body) else len(lines)
    k = fences[1] + 1
    while k < len(body) and lines[body[k]].startswith(">") and body[k] == body[k - 1] + 1:
        k += 1
    return body[k] if k < len(body) else len(lines)


#: A line of a settings block: `key = value`, `key: value`, or brackets and braces alone.
SETTING = re.compile(r"""^[ \t]*+(?:[\w."'-]++[ \t]*+[:=](?:[ \t]|$)|[\[\]{}(),]++[ \t]*+$)""")


def _name_line(line: str) -> bool:
    """A name alone on a line (`openai`, `claude-3-haiku`): one word, no sentence's end."""
    text = line.strip()
    return len(text.split()) == 1 and not text.endswith(PROSE_END)


#: Words of a record header that names only a record (`## chat-3`, `### Turn 2`).
RECORD_WORDS = frozenset(
    "chat message turn prompt exchange entry conversation query request round q msg".split()
)


def _quote_splits(
    lines: Sequence[str], text: Sequence[bool], members: list[int]
) -> list[int] | None:
    """Where each record's reply starts when every record opens with a `>` quote (the prompt)
    and goes on after it; None otherwise."""
    bounds = members + [len(lines)]
    splits: list[int] = []
    for n, i in enumerate(members):
        stop = bounds[n + 1]
        head = next((j for j in range(i + 1, stop) if lines[j].strip()), stop)
        if head == stop or not text[head] or not lines[head].startswith(">"):
            return None
        end = head
        while end < stop and lines[end].startswith(">"):
            end += 1
        if not _has_content(lines, end, stop):
            return None
        splits.append(end)
    return splits


#: A command to a chat tool (`/export`, `/clear history`): a slash, a word, a few arguments.
TOOL_COMMAND = re.compile(r"^/[^\W\d_][\w-]{0,30}+(?:[ \t]++[^\s/][^\s]{0,60}+){0,3}+$")
COMMAND_LEFT = "a command to the tool, with no reply"


def _tool_command(lines: Sequence[str], block: _Block, inline: str | None) -> bool:
    """A user turn that is only a command to the tool (`/export`)."""
    body = [lines[j].strip() for j in range(block.start, block.end) if lines[j].strip()]
    if inline is not None and inline.strip():
        body.insert(0, inline.strip())
    return len(body) == 1 and bool(TOOL_COMMAND.match(body[0]))


#: A bot's command before every one of the user's turns (`.ai `, `!gpt `, `/ask `).
COMMAND = re.compile(r"^([.!/][^\W\d_][\w-]{0,15}+)[ \t]++\S")
#: What the log's own lines (a join, the topic, a notice) are, for the dry-run.
LOG_LINE = "the log's own line (no speaker's message)"
ADDRESS = "the reply's address to the user"


def _asks(lines: Sequence[str]) -> bool:
    """Some line ends in a question mark."""
    return any(line.rstrip().endswith(("?", "？")) for line in lines)


#: A tag a bot opens each of its replies with (`[bot] `), for the dry-run's report too.
REPLY_TAG = re.compile(r"^\[([^\W\d_][\w-]{0,15}+)\][ \t]++(?=\S)")
BOT_TAG = "the bot's tag or the word that calls it"
SENDER_AGAIN = "the time and name of the same speaker's next message"


def _bot_tags(
    lines: Sequence[str], starts: list[int], speaker: dict[int, str]
) -> tuple[dict[int, str], set[int]]:
    """A bot's marks in a log of two speakers (chatgpt-on-wechat's): the same bracketed tag
    opening every reply of one speaker (`[bot] text`), two or more, and the tag's word opening
    every message of the other (`bot text`, `@bot`, or alone on its line: the word that calls
    the bot). Returns the lines without them (line -> text; blank for a word alone) and the
    lines that held nothing else. No tag, or one speaker's message without it: nothing."""
    bounds = [*starts[1:], len(lines)]
    firsts: dict[str, list[int]] = {}  # speaker -> the first line with text of each message
    for start, stop in zip(starts, bounds, strict=True):
        first = next((j for j in range(start, stop) if lines[j].strip()), None)
        if first is None:
            return {}, set()
        firsts.setdefault(speaker[start].casefold(), []).append(first)
    if len(firsts) != 2:
        return {}, set()
    for replies, prompts in (tuple(firsts.values()), tuple(firsts.values())[::-1]):
        tags = {m.group(1) if (m := REPLY_TAG.match(lines[j])) else "" for j in replies}
        if len(replies) < 2 or len(tags) != 1 or "" in tags:
            continue
        tag = tags.pop()
        out = {j: REPLY_TAG.sub("", lines[j]) for j in replies}
        alone: set[int] = set()
        words = [lines[j].split(maxsplit=1) for j in prompts]
        if all(each[0].removeprefix("@") == tag for each in words):  # (as the tool writes it)
            for j, each in zip(prompts, words, strict=True):
                out[j] = each[1] if len(each) > 1 else ""
                if len(each) == 1:
                    alone.add(j)
        return out, alone
    return {}, set()


def _names_a_speaker(line: str, columns: Columns) -> bool:
    """The line names one of the log's speakers (`History for <the bot's address>`)."""
    folded = line.casefold()
    return any(name.casefold() in folded for name in set(columns.speaker.values()))


def _above_a_log(line: str, columns: Columns) -> bool:
    """A line that may stand above a column log: a heading, a rule, a date line (`--- Log
    opened <date>`, `**** BEGIN LOGGING AT <date>`), a few capitalized words with no sentence's
    end (`History for <address>`); a question, a `Q:` or `Key: value` line above
    time-and-name lines is the user's own text, with a log pasted under it."""
    text = line.strip()
    return bool(
        HEADING.match(line)
        or is_separator(line)
        or (DATE_TIME.search(text) and len(text.split()) <= 12)
        or (
            _title_like(line) and _names_a_speaker(line, columns)
        )  # (`History for tallalt@bot.example`: Gajim's export names the chat)
    )


def _column_turns(lines: Sequence[str], columns: Columns) -> Turns | None:
    """A log whose speaker is a column (`chatdeck.columns`): a turn is a run of one speaker's
    lines; the turn pass reads the text column. A command every user turn opens with (a bot's
    trigger, `.ai `; in a log of one exchange, its only turn) is no part of the question, and
    a turn's first words naming the other speaker (a reply's `rizky:`, a prompt's `ChatGPT:`)
    address them, no part of the question or the answer."""
    stripped, text = text_lines(lines, columns)
    starts: list[int] = []
    for i in sorted(columns.speaker):
        if not starts or columns.speaker[starts[-1]].casefold() != columns.speaker[i].casefold():
            starts.append(i)
    tagged, untagged = _bot_tags(stripped, starts, columns.speaker)
    stripped = [tagged.get(i, line) for i, line in enumerate(stripped)]
    dropped = dict.fromkeys(untagged, BOT_TAG)  # lines that held only what was taken off
    found: dict[int, Candidate] = {}
    for i in starts:
        label = columns.speaker[i]
        words = _words(label)
        found[i] = Candidate(columns.shape, label, label.casefold(), stripped[i], words, "")
    hints = {found[i].key: _hint(found[i]) for i in starts}
    if columns.form == ALONE and not any(hints.values()) and not _asks(stripped):
        return None  # a program's log of events stamped so (`<time> Connection lost`): no chat
    bounds = starts + [len(stripped)]
    roles = _message_roles(stripped, found, [(i, i, bounds[n + 1]) for n, i in enumerate(starts)])
    if roles is None:
        return None
    user_starts = [i for i in starts if roles[found[i].key] == USER]
    # Where each message's text starts: on its prefix's line, or under it (`<time> <name>` alone)
    opening = {
        i: next((j for j in range(i, bounds[n + 1]) if stripped[j].strip()), i)
        for n, i in enumerate(starts)
    }
    if len(starts) == 2 and not any(hints.values()):
        # One exchange between names no word marks: a chat only if the first message asks
        # (a question, a bot's command), not two lines of a system's log.
        first = " ".join(stripped[j] for j in range(starts[0], starts[1]) if stripped[j].strip())
        asks = COMMAND.match(stripped[opening[starts[0]]])
        if "?" not in first and "？" not in first and not asks:
            return None
    commands = {
        m.group(1) if (m := COMMAND.match(stripped[opening[i]])) else None for i in user_starts
    }
    command = commands.pop() if len(commands) == 1 else None
    users = {k for k, r in roles.items() if r == USER}
    models = {k for k, r in roles.items() if r == ASSISTANT}
    rewrites: dict[int, str] = {}
    asking = set(user_starts)
    for i in starts:
        inline = stripped[opening[i]]
        if command is not None and i in asking:
            inline = inline[len(command) :].lstrip()
        elif i in asking:
            inline = _without_address(inline, models)  # `ChatGPT: ...`, the bot addressed
        elif roles[found[i].key] == ASSISTANT:
            inline = _without_address(inline, users)
        if opening[i] == i:
            found[i] = replace(found[i], inline=inline or None)
        elif inline != stripped[opening[i]]:  # the message's first line, under its prefix
            stripped[opening[i]] = tagged[opening[i]] = inline
            if not inline:
                dropped[opening[i]] = BOT_TAG if command is not None and i in asking else ADDRESS
    content = [i for i in range(len(stripped)) if stripped[i].strip()]
    blocks = [
        _Block(i, i + 1, bounds[n + 1], found[i].label, roles[found[i].key])
        for n, i in enumerate(starts)
    ]
    turns = _assemble(stripped, text, content, [], blocks, columns.shape, roles, found)
    if turns is None:
        return None
    left_out = dict(turns.left_out)
    for i in columns.system:
        left_out.setdefault(i, LOG_LINE)
    for i, reason in dropped.items():
        left_out.setdefault(i, reason)
    for i, line in columns.text.items():
        if i not in found and not line.strip():
            left_out.setdefault(i, SENDER_AGAIN)  # (`<time> <name>` alone, a run's next message)
    for i, line in columns.text.items():
        if i not in found and i not in left_out:
            rewrites[i] = turns.rewrites.get(i, line)
    for i, line in tagged.items():
        if i not in found and i not in left_out and i not in columns.text:
            rewrites[i] = turns.rewrites.get(i, line)
    return replace(turns, left_out=left_out, rewrites={**turns.rewrites, **rewrites})


#: A line a terminal tool opens a message with: a symbol of its own (no letter, no ASCII), a
#: space, the message's first line (Claude Code's `❯ why does it fail?`, `● The error ...`).
DRAWN_LINE = re.compile(r"^([^\w\s\x00-\x7f])[ \t]++(\S.*)$")
#: A status line a terminal tool draws under a reply, on no card.
STATUS = "the tool's status line"


def _drawn_turns(lines: Sequence[str], text: Sequence[bool]) -> Turns | None:
    """A chat as a terminal tool draws it, saved as text (Claude Code's `/export`): every
    message opens with a symbol of the tool's before its first line (`❯ ` the user's, `● ` the
    model's), its other lines hang under it indented by two spaces or more, and every line from
    the first message on is one of those. Two symbols take turns, each opening two messages or
    more; a third symbol's lines, one line each, are the tool's status (`✻ Cooked for 11s ·
    done 8:12 AM`). Which symbol is the user's: the one whose messages are shorter and ask
    (`_message_roles`). The lines over the first message are the file's header (the tool's
    banner)."""
    opened = {i: m for i, line in enumerate(lines) if text[i] and (m := DRAWN_LINE.match(line))}
    if len(opened) < 4:
        return None
    first = min(opened)
    if any(
        line.strip() and i not in opened and not line.startswith("  ")
        for i, line in enumerate(lines[first:], first)
    ):
        return None  # (a line at the margin that no symbol opens: no terminal's drawing)
    symbols = Counter(m.group(1) for m in opened.values())
    speakers = [symbol for symbol, n in symbols.most_common(2) if n >= 2]
    starts = [i for i in sorted(opened) if opened[i].group(1) in speakers]
    order = [opened[i].group(1) for i in starts]
    if len(speakers) < 2 or any(a == b for a, b in zip(order, order[1:], strict=False)):
        return None
    status = {i for i in opened if opened[i].group(1) not in speakers}
    if any(i + 1 < len(lines) and lines[i + 1].strip() for i in status):
        return None  # (a third party's message of several lines: no status line)
    stripped = [
        opened[i].group(2).rstrip() if i in opened else line[2:].rstrip() if i >= first else line
        for i, line in enumerate(lines)
    ]
    found = {
        i: Candidate("<symbol> <text>", symbol, symbol, None, frozenset(), symbol)
        for i in starts
        for symbol in [opened[i].group(1)]
    }
    bounds = [*starts[1:], len(lines)]
    spans = [(i, i, stop) for i, stop in zip(starts, bounds, strict=True)]
    roles = _message_roles(stripped, found, spans)
    if roles is None or roles[order[0]] != USER:
        return None
    prompts = [stripped[start:stop] for i, start, stop in spans if roles[found[i].key] == USER]
    if not status and 2 * sum(_asks(each) for each in prompts) < len(prompts):
        return None  # (a checklist's, a protocol log's, a game's two symbols: nobody asks)
    if any(
        (label := candidate(opened[i].group(2))) is not None
        and label.inline is not None
        and _hint(label) in (USER, ASSISTANT)
        for i in starts
    ):
        return None  # (`👤 You: ...`: a speaker's label after the icon, read as a label)
    blocks = [_Block(None, i, stop, "", roles[found[i].key]) for i, _, stop in spans]
    content = [i for i, line in enumerate(stripped) if line.strip()]
    bare = [stripped[i] if i not in status else "" for i in range(len(lines))]
    turns = _assemble(bare, text, content, [], blocks, "`<symbol> ` before each message", roles, {})
    if turns is None:
        return None
    left_out = {**turns.left_out, **dict.fromkeys(status, STATUS)}
    rewrites = {
        i: turns.rewrites.get(i, stripped[i])
        for i in range(first, len(lines))
        if stripped[i] != lines[i] and i not in left_out
    }
    markers = {i: (found[i].label, roles[found[i].key]) for i in starts}
    return replace(
        turns, left_out=left_out, rewrites={**turns.rewrites, **rewrites}, markers=markers
    )


#: Why a line of a chat saved as XML is on no card.
XML_STRUCTURE = "the XML the chat is saved in"


def _xml_turns(lines: Sequence[str], chat: XmlChat) -> Turns | None:
    """A chat saved as XML (`chatdeck.xml_chats`): each message's speaker line is its marker,
    its text the lines of its text element (tags off, entities read); the rest of the document
    is on no card.

    A speaker named under its text is a chat's only where every speaker is named by a role
    (`user`, `assistant`), as a chat API's message is, its fields written in another order: a
    name or a program under a text (`<body>` then `<author>ann</author>`, `<message>` then
    `<from>cron</from>`) is a byline, the author of a comment, a note or a log entry."""
    shown = [
        chat.text.get(i, "") if i in chat.text or i in chat.structure else line
        for i, line in enumerate(lines)
    ]
    found: dict[int, Candidate] = {}
    for i, label in chat.speakers:
        words = _words(label)
        found[i] = Candidate(chat.shape, label, label.casefold(), None, words, "")
        shown[i] = ""
        if chat.named_after and _hint(found[i]) is None:
            return None
    text = outside_fences(shown)
    content = [i for i, line in enumerate(shown) if line.strip()]
    starts = [i for i, _ in chat.speakers]
    bounds = [*starts, len(lines)]
    roles = _message_roles(shown, found, [(i, i, bounds[n + 1]) for n, i in enumerate(starts)])
    if roles is None:
        return None
    blocks = [
        _Block(i, i + 1, bounds[n + 1], found[i].label, roles[found[i].key])
        for n, i in enumerate(starts)
    ]
    turns = _assemble(shown, text, content, [], blocks, chat.shape, roles, found)
    if turns is None:
        return None
    left_out = {**dict.fromkeys(chat.structure, XML_STRUCTURE), **turns.left_out}
    rewrites = {i: line for i, line in chat.text.items() if line != lines[i]}
    return replace(turns, left_out=left_out, rewrites={**rewrites, **turns.rewrites})


def _without_address(text: str, users: set[str]) -> str:
    """A turn's first line without the other speaker's name it opens with (a reply's `rizky:
    ...`, `@Daan, ...`; a prompt's `ChatGPT: ...`)."""
    for name in users:
        head = text[: len(name) + 2].casefold()
        for lead in (name, "@" + name):
            if head.startswith(lead) and text[len(lead) : len(lead) + 1] in (":", ","):
                return text[len(lead) + 1 :].strip()
    return text


#: The label of a turn found by its prefix, not by a marker line.
PREFIXED = "prefix"
#: Prefixes a tool may write before each line of the user's turn: a heading's hashes (aider's
#: `#### `), a REPL's prompt (`>>> `).
#: A terminal's prompt symbol (`❯ `, `› `): a REPL's prompt with no name before it.
PROMPT_SYMBOLS = ("❯", "›")
PREFIXES = tuple("#" * level for level in range(1, 7)) + (">>>", *PROMPT_SYMBOLS)


def _has_prefix(line: str, prefix: str) -> bool:
    return line.startswith(prefix) and (len(line) == len(prefix) or line[len(prefix)] in " \t")


def _last_text(lines: Sequence[str], start: int, stop: int) -> str:
    """The last line with content in lines[start:stop], as it stands (its trailing spaces kept)."""
    return next((lines[k] for k in range(stop - 1, start - 1, -1) if lines[k].strip()), "")


def _has_content(lines: Sequence[str], start: int, stop: int) -> bool:
    return any(lines[k].strip() for k in range(start, stop))


# --- Turning blocks into turns ----------------------------------------------------------------


def _assemble(
    lines: Sequence[str],
    text: Sequence[bool],
    content: list[int],
    front: list[int],
    blocks: list[_Block],
    shape: str,
    roles: dict[str, str],
    found: dict[int, Candidate],
) -> Turns | None:
    left_out: dict[int, str] = {}
    rewrites: dict[int, str] = {}
    markers: dict[int, tuple[str, str]] = {}
    first = min(b.marker if b.marker is not None else b.start for b in blocks)
    header = [j for j in content if j < first]
    speakers = frozenset(
        w for block in blocks for w in re.split(r"[\W_]+", block.label.casefold()) if w
    )
    title, title_line = _title_from(lines, header, set(front), speakers, text)
    if title is None:
        title, title_line = _named_by_first_prompt(lines, header, blocks)
    for j in header:
        if j != title_line:
            left_out[j] = HEADER
    for j in front:
        if j != title_line:
            left_out[j] = METADATA
    _leave_out_enclosing_block(lines, header, content, left_out)
    # Merge a speaker's turns that follow each other (a tool writes one marker per part), but a
    # first message the model never answered before the user's next one is context (a tool's
    # setup message), as in a JSON chat.
    merged: list[_Block] = []
    if _unanswered_opening(blocks):
        for j in [blocks[0].marker, *range(blocks[0].start, blocks[0].end)]:
            if j is not None and lines[j].strip() and j not in left_out:
                left_out[j] = CONTEXT
        blocks = blocks[1:]
    thought = _thought_parts(lines, blocks)
    ruled = _ruled_markers(lines, blocks)
    buttons = Counter(b for line in lines if (b := line.strip()).casefold() in COPY_BUTTONS)
    for n, block in enumerate(blocks):
        if id(block) in thought:
            assert block.marker is not None  # (a thought part is a marked message)
            left_out[block.marker] = MARKER
            markers[block.marker] = (block.label, OTHER)
            for j in range(block.start, block.end):
                if lines[j].strip():
                    left_out[j] = REASONING
            continue
        if block.role == OTHER:
            following = blocks[n + 1].role if n + 1 < len(blocks) else None
            if merged and following != ASSISTANT and _thinking(block.label):
                # A reply's own "### Thought Process" heading, at the markers' level: the reply
                # goes on under it (its reasoning is found with the reply's).
                merged[-1].end = block.end
                continue
            why = REASONING if _thinking(block.label) else block.label.casefold() or OTHER
            if block.marker is not None:
                each = found.get(block.marker)
                # `[AI_REASON]: text`: the words on the marker line are the section's own.
                left_out[block.marker] = why if each is not None and each.inline else MARKER
                markers[block.marker] = (block.label, OTHER)
            for j in range(block.start, block.end):
                if lines[j].strip():
                    left_out[j] = why
            if merged:
                merged[-1].end = block.end
            continue
        if merged and merged[-1].role == block.role and block.marker is not None:
            if block.marker in ruled:  # the rule the tool writes after every message
                left_out[ruled[block.marker]] = SEPARATOR
            each = found.get(block.marker)
            if each is not None and each.inline:
                rewrites[block.marker] = each.inline  # the part's first words, on its marker
            else:
                left_out[block.marker] = MARKER
            markers[block.marker] = (block.label, block.role)
            merged[-1].end = block.end
            continue
        merged.append(block)
    prefixed = any(block.label == PREFIXED for block in blocks)
    for block in merged:
        if block.marker is not None and (not prefixed or block.role == ASSISTANT):
            markers[block.marker] = (block.label, block.role)
    if not _closed_alike(lines, merged):
        _trim_footer(lines, text, merged[-1], left_out)
    _trim_boxed_footer(lines, merged[-1], left_out, header)
    _trim_end_line(lines, text, merged[-1], left_out)
    _trim_closing_footer(lines, text, merged, left_out)
    _trim_sectioned_footer(lines, text, merged, left_out)
    _trim_bare_heading(lines, text, merged, left_out)
    named = {id(b) for b in merged if _second_marker(lines, text, b, left_out, rewrites)}
    if merged[0].role == ASSISTANT and merged[0].marker is not None:
        if not _edge_lines(lines, merged[0], left_out, False, 1):
            left_out[merged[0].marker] = HEADER  # a page's name over an empty first turn
    # Per-message metadata: forms that recur at the edges of several turns.
    forms = _recurring_forms(lines, merged, left_out, header)
    rules = _edge_rules(lines, merged, left_out)
    for block in merged:
        _trim_edges(lines, text, block, forms, rules, left_out)
        if id(block) not in named:  # the speaker named again under a per-message time line
            _second_marker(lines, text, block, left_out, rewrites)
    spoken = {i for i, each in found.items() if each.inline}
    if _leave_out_trailing_blocks(lines, text, merged, spoken, left_out):
        for block in merged:
            _trim_edges(lines, text, block, forms, rules, left_out)  # what they stood behind
    for block in blocks:  # a message's time over its marker, in any form (`Mar 13`)
        if block.stamp is not None:
            left_out.setdefault(block.stamp, METADATA)
    _leave_out_opening_quotes(lines, merged, left_out)
    _unwrap_fenced_turns(lines, merged, left_out, rewrites)
    _leave_out_run_headings(lines, text, merged, found, left_out, markers)
    _leave_out_echo_headings(lines, merged, left_out)
    _leave_out_closing_tags(lines, merged, left_out)
    _leave_out_drawers(lines, text, merged, left_out)
    _leave_out_input_delimiters(lines, text, merged, left_out)
    _unwrap_html_prompts(lines, merged, left_out, rewrites)
    _unescape_prompts(lines, merged, left_out, rewrites)
    agent = read_agent_log(
        lines,
        text,
        [Record(b.marker, b.start, b.end, b.role == USER) for b in merged if b.role != OTHER],
        left_out,
    )
    if agent is not None:
        left_out.update(agent.left_out)
        rewrites.update(agent.rewrites)
        left_out.update(agent.inner_markers)
    else:  # (an agent's records have bracketed labels of their own: `[Tool]`, `[Reasoning]`)
        _leave_out_part_labels(lines, text, merged, left_out)
    for block in blocks:  # the rest of a fenced header the marker opens: the tool's
        if block.head and block.marker is not None:
            for j in range(block.marker + 1, block.marker + 1 + block.head):
                left_out.setdefault(j, METADATA)
    for block in merged:
        if block.lead:  # the message's time opens its first line, which holds its text too
            rewrites[block.start] = lines[block.start][block.lead :].strip()
        if block.wrap:  # the tool's emphasis around the whole message
            last = next(k for k in range(block.end - 1, block.start - 1, -1) if lines[k].strip())
            rewrites[block.start] = lines[block.start].strip()[len(block.wrap) :]
            rewrites[last] = rewrites.get(last, lines[last]).rstrip()[: -len(block.wrap)]
    user: dict[int, str | None] = {}
    answers: dict[int, int] = {}
    assistant: dict[int, str] = {}
    pending: int | None = None
    for block in merged:
        if block.role == USER:
            start, inline = _user_turn(lines, block, found, prefixed, left_out, rewrites)
            if start is not None and block is merged[-1] and _tool_command(lines, block, inline):
                # The chat's last message, a command to the tool that nothing answered
                # (`/export`): like an empty prompt left at the end, no question.
                for j in range(block.start, block.end):
                    if lines[j].strip() and j not in left_out:
                        left_out[j] = COMMAND_LEFT
                if block.marker is not None:
                    left_out[block.marker] = COMMAND_LEFT
                start = None
            if start is None:
                if block.marker is not None:
                    left_out.setdefault(block.marker, MARKER + " (an empty turn)")
                pending = None
                continue
            user[start] = inline
            pending = start
            if prefixed:
                answers[start] = block.end
        else:
            if block.marker is not None:
                each = found.get(block.marker)
                inline = (each.inline or "") if each else ""
                assistant[block.marker] = _after_glued_reasoning(
                    lines, block, inline, left_out, rewrites
                )
                if pending is not None:
                    answers[pending] = block.marker
            elif pending is not None:
                answers[pending] = block.start
            _leave_out_lost_code(lines, text, block, left_out)
            _label_over_fence(lines, text, block, left_out, rewrites)
            _rebuild_copied_code(lines, text, block, buttons, left_out, rewrites)
            pending = None
    if not user:
        return None
    described = shape if shape.startswith("`") else f"`{shape}`"
    return Turns(
        described,
        _label_roles(blocks),
        user,
        answers,
        assistant,
        left_out,
        rewrites,
        title,
        title_line,
        markers,
    )


#: A line that is only a bracketed name ended by a Markdown line break (two spaces or a
#: backslash: `[text]  `), as a program writes a label over the part it heads.
PART_LABEL = re.compile(r"^[ \t]*+\[([^\W\d_][\w -]{0,30}+)\](?: {2,}+|\\)$")
PART = "the tool's label for a part of a message"


def _leave_out_part_labels(
    lines: Sequence[str], text: Sequence[bool], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """A tool that writes the user's message in parts names each on a line of its own, with a
    Markdown line break after it (`[selections]  ` over the code the user selected, `[text]  `
    over what they typed). Once such lines open two or more of the user's turns, each line of
    theirs in the user's turns is the tool's label, wherever it stands. A bracketed line the
    user typed (an INI section, a song's `[Verse 1]`, a prompt's `[Context]`) has no line break
    after it, and stays."""
    opening: dict[str, list[str]] = {}
    for block in blocks:
        if block.role != USER:
            continue
        first = _edge_lines(lines, block, left_out, False, 1)
        label = PART_LABEL.match(lines[first[0]]) if first and text[first[0]] else None
        if label is not None:
            opening.setdefault(block.role, []).append(label.group(1).casefold())
    for block in blocks:
        labels = opening.get(block.role, [])
        if len(labels) < 2:
            continue
        for j in range(block.start, block.end):
            label = PART_LABEL.match(lines[j]) if text[j] and j not in left_out else None
            if label is not None and label.group(1).casefold() in labels:
                left_out[j] = PART


def _ruled_markers(lines: Sequence[str], blocks: list[_Block]) -> dict[int, int]:
    """Marker lines with a rule right over them (blank lines between) -> that rule's line,
    where the tool writes one over most markers, two or more: a rule after every message."""
    markers = [block.marker for block in blocks if block.marker is not None]
    ruled: dict[int, int] = {}
    for marker in markers:
        above = marker - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        if above >= 0 and is_separator(lines[above]):
            ruled[marker] = above
    return ruled if len(ruled) >= 2 and 2 * len(ruled) >= len(markers) else {}


#: The user's role words that name the user in the third person (not `you`, `I`): a model's
#: reasoning opens by restating the request (`The user runs FastAPI ...`).
THIRD_PERSON_USER = USER_WORDS - PRONOUNS - {"prompt", "question"}


def _names_the_user(line: str) -> bool:
    """The line opens by speaking of the user in the third person (`The user asks`, `Okay, the
    user wants`, `好的，用户问的是`: in a script written without spaces, the word inside a
    longer run of letters), as a model's reasoning opens by restating the request."""
    opening = " ".join(line.split()[:4])
    if _words(opening) & THIRD_PERSON_USER:
        return True
    return any(word in line[:12] for word in THIRD_PERSON_USER if UNSPACED_SCRIPT.search(word))


def _thought_parts(lines: Sequence[str], blocks: list[_Block]) -> set[int]:
    """The model's reasoning written as a message of its own: every reply of the chat (two or
    more) comes as two messages in a row under the same label, the first prose with no code block,
    no heading and no table, and one of the first opens by naming the user (a tool that records a
    thinking model's reply as its reasoning part and its text part, each under the speaker's
    heading). The first of each pair, by id."""
    runs: list[list[_Block]] = []
    for n, block in enumerate(blocks):
        if block.role != ASSISTANT or block.marker is None:
            continue
        if n and blocks[n - 1].role == ASSISTANT and runs and runs[-1][-1] is blocks[n - 1]:
            runs[-1].append(block)
        else:
            runs.append([block])
    if len(runs) < 2 or any(len(run) != 2 for run in runs):
        return set()
    if len({block.label.casefold() for run in runs for block in run}) > 1:
        return set()  # (`### User story:` under a reply is a heading of the reply's)
    firsts = [run[0] for run in runs]
    opening = [
        next((lines[j] for j in range(b.start, b.end) if lines[j].strip()), "") for b in firsts
    ]
    if not any(_names_the_user(line) for line in opening):
        return set()  # a reply a tool saved in two parts: its reasoning would name the user
    for block in firsts:
        body = [lines[j] for j in range(block.start, block.end) if lines[j].strip()]
        if not body or any(
            BARE_FENCE.match(line)
            or INFO_FENCE.match(line)
            or HEADING.match(line)
            or line.lstrip().startswith("|")
            for line in body
        ):
            return set()
    return {id(block) for block in firsts}


def _unanswered_opening(blocks: list[_Block]) -> bool:
    """The chat opens with two marked user messages in a row, and the model answers later."""
    return (
        len(blocks) >= 3
        and blocks[0].role == USER
        and blocks[0].marker is not None
        and blocks[1].role == USER
        and blocks[1].marker is not None
        and any(block.role == ASSISTANT for block in blocks[2:])
    )


def _after_glued_reasoning(
    lines: Sequence[str],
    block: _Block,
    inline: str,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> str:
    """A reply whose reasoning tag opens on its marker's line (`qwen3:8b: <think>Okay, ...`) or
    its own first line, and closes with the reply glued after it (`...</think>Because ...`): the
    reasoning's lines left out and the closing line cut after its tag (the marker line's text:
    what follows the tag, or nothing)."""
    first = block.start
    if not inline:  # `<think>...</think>The reply` on the reply's own first line
        first = next(
            (k for k in range(block.start, block.end) if lines[k].strip() and k not in left_out),
            block.end,
        )
        name = _reasoning_tag(lines[first]) if first < block.end else None
        if name is None:
            return inline
    else:
        name = _reasoning_tag(inline)
        if name is None:
            return inline
        closing = f"</{name}>"
        at = inline.casefold().find(closing)
        if at >= 0:
            return inline[at + len(closing) :].strip()
    closing = f"</{name}>"
    for k in range(first, block.end):
        at = lines[k].casefold().find(closing)
        if at >= 0:
            for j in range(first, k):
                if lines[j].strip() and j not in left_out:
                    left_out[j] = REASONING
            rest = lines[k][at + len(closing) :].strip()
            if rest:
                rewrites[k] = rest
            else:
                left_out[k] = REASONING
            return ""
    return inline  # never closed: no reasoning of the tool's


def _leave_out_enclosing_block(
    lines: Sequence[str], header: list[int], content: list[int], left_out: dict[int, str]
) -> None:
    """A chat written inside an Org block (`#+begin_ai` opened in the header and still open, the
    chat, then `#+end_ai` as its last line): the closing line is the block's, not the last
    turn's."""
    opening = next((m for j in reversed(header) if (m := ORG_BLOCK.match(lines[j]))), None)
    if opening is None or opening.group(1).casefold() != "begin":
        return
    for j in reversed(content):
        closing = ORG_BLOCK.match(lines[j])
        if closing and closing.group(1).casefold() == "end":
            if closing.group(2).casefold() == opening.group(2).casefold():
                left_out[j] = ENCLOSING
            return
        if j not in left_out:
            return


#: A quote's lines joined into one: a `>` and a space right after a sentence's end.
JOINED_QUOTE = re.compile(r"[.!?。]>[ \t]")


def _leave_out_opening_quotes(
    lines: Sequence[str], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """A quote that opens every reply, two or more, each going on after it, with its lines
    joined into one (`> The user asks.> SQLite allows...`: a `>` again right after a
    sentence's end), is the tool's reasoning (RikkaHub quotes it so), not the model's answer.
    A quote a model or a tutor opens its replies with keeps its line breaks, and stays."""
    replies = [b for b in blocks if b.role == ASSISTANT]
    quotes: list[list[int]] = []
    for block in replies:
        head = _edge_lines(lines, block, left_out, False, 1)
        if not head or not lines[head[0]].lstrip().startswith(">"):
            return
        quote = [head[0]]
        while quote[-1] + 1 < block.end and lines[quote[-1] + 1].lstrip().startswith(">"):
            quote.append(quote[-1] + 1)
        if not _has_content(lines, quote[-1] + 1, block.end):
            return
        if not any(JOINED_QUOTE.search(lines[j]) for j in quote):
            return
        quotes.append(quote)
    if len(quotes) < 2:
        return
    for quote in quotes:
        for j in quote:
            left_out[j] = REASONING


def _thinking(label: str) -> bool:
    words = re.split(r"[\W_]+", label.casefold())
    return bool(THOUGHT_WORDS.match(label.strip("*_ "))) or any(w in REASONING_WORDS for w in words)


def _label_roles(blocks: list[_Block]) -> dict[str, str]:
    """Each label as first written (`User`, not also `user`) -> its role."""
    roles: dict[str, str] = {}
    seen: set[str] = set()
    for block in blocks:
        if block.label and block.label != PREFIXED and block.label.casefold() not in seen:
            seen.add(block.label.casefold())
            roles[block.label] = block.role
    return roles


def _second_marker(
    lines: Sequence[str],
    text: Sequence[bool],
    block: _Block,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> bool:
    """A second line naming the turn's speaker right under its marker (`You` then
    `Sent by you:`) is a marker too; True if there is one."""
    if block.marker is None:
        return False
    first = _edge_lines(lines, block, left_out, False, 1)
    if not first or not text[first[0]] or not _may_mark(lines[first[0]]):
        return False
    line = lines[first[0]].strip()
    if block.label and line.endswith((":", "：")) and len(line.split()) <= 6:
        words = re.split(r"[\W_]+", block.label.casefold())
        label = {w for w in words if w and not w.isdigit()} - {"said", "role"}
        if label and label <= set(re.split(r"[\W_]+", line.casefold())):
            left_out[first[0]] = MARKER  # `Sent by Asistente SQL:`
            return True
    found = (
        candidate(lines[first[0]])
        if not ARROW_LEAD.match(line) and not RULED_LABEL.match(line)
        else None
    )  # (`-- user --` under `User:`: a comment in the user's pasted SQL, not the name)
    if found is None or _hint(found) != block.role or _names_model_in_line(found):
        return False  # `Gemini 3: text` under `Assistant:` is the reply's line, not the name
        # (and `>> USER: hello` under `You:`, a log the user pasted)
    if found.words - USER_WORDS - ASSISTANT_WORDS - SPEAKING_WORDS:
        return False  # `Use this prompt:` under `## User` is the user's line, not the name
    if found.inline is not None and BRACKETED_INLINE.match(line):
        return False  # `[bot] text` under the marker: a reply tag's (`_bot_tags`), if any
    if found.inline is None:
        left_out[first[0]] = MARKER
    else:
        rewrites[first[0]] = found.inline
    return True


def _user_turn(
    lines: Sequence[str],
    block: _Block,
    found: dict[int, Candidate],
    prefixed: bool,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> tuple[int | None, str | None]:
    """Where a user turn's question starts, and its text on that line (None: under it)."""
    if prefixed:
        prefix = block.prefix
        for j in range(block.start, block.end):
            if _has_prefix(lines[j].lstrip(), prefix):  # `#### ` / `>>> ` gone
                rewrites[j] = lines[j].lstrip()[len(prefix) + 1 :].rstrip()
        kept = [j for j in range(block.start, block.end) if rewrites.get(j, lines[j]).strip()]
        if not kept:
            return None, None
        return block.start, rewrites[block.start]
    if block.record and block.prefix == ">":  # a quoted prompt: the quote marks are the tool's
        for j in range(block.start, block.end):
            if lines[j].startswith(">") and j not in left_out:
                rewrites[j] = _without_quote_mark(lines[j])
    body = [j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out]
    if block.marker is None:
        return (body[0], rewrites.get(body[0], lines[body[0]]).strip()) if body else (None, None)
    each = found.get(block.marker)
    inline = each.inline if each and not block.record else None
    if inline is None and not body:
        return None, None
    return block.marker, inline


def _leave_out_run_headings(
    lines: Sequence[str],
    text: Sequence[bool],
    blocks: list[_Block],
    found: dict[int, Candidate],
    left_out: dict[int, str],
    markers: dict[int, tuple[str, str]],
) -> None:
    """A tool that runs the code a model writes saves the run's output as a third party's
    message, under a heading of the speakers' shape with a name of its own (`## computer`):
    within one reply, the model's code block, that heading over nothing but a code block (the
    output), and the model's own marker again as the reply goes on. Such a heading is that
    party's marker, on no card; the output stays in the reply that ran it. A reply's own
    section of the same shape (`## Computer` over prose, a heading the model's marker does not
    follow) stays.

    The tool writes its parties' names as a program names a message's role: one word in lower
    case (`## assistant`, `## computer`); a heading a model or a person writes is a title
    (`## Example output`, `**Result:**`), and a reply the log splits under two of the model's
    markers keeps its own such sections over code."""
    for block in blocks:
        opening = found.get(block.marker) if block.marker is not None else None
        if block.role != ASSISTANT or opening is None or not ROLE_NAME.fullmatch(opening.label):
            continue
        alike = [
            j
            for j in range(block.start, block.end)
            if j in found and found[j].shape == opening.shape
        ]
        for j, after in zip(alike, alike[1:], strict=False):
            if (
                found[j].key == opening.key
                or found[after].key != opening.key
                or j in left_out
                or not ROLE_NAME.fullmatch(found[j].label)
            ):
                continue
            before = [k for k in range(block.start, j) if lines[k].strip()]
            section = [k for k in range(j + 1, after) if lines[k].strip()]
            if (
                before
                and not text[before[-1]]
                and section
                and (INFO_FENCE.match(lines[section[0]]) or BARE_FENCE.match(lines[section[0]]))
                and not any(text[k] for k in section)
            ):
                left_out[j] = MARKER
                markers[j] = (found[j].label, OTHER)


#: A heading's number before its text (`[2]`, `2.`, `#2`) and a cut text's ellipsis after it.
ECHO_NUMBER = re.compile(r"^(?:\[\d{1,4}+\]|#?\d{1,4}+[.)]?)[ \t]++")
ECHO_CUT = re.compile(r"[ \t]*+(?:\.\.\.|…)$")
#: The fewest characters of a prompt a heading must repeat to be its echo.
MIN_ECHO = 12


def _leave_out_closing_tags(
    lines: Sequence[str], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """A tool that writes every message as an element (`<user>` ... `</user>`) closes it with
    the tag its marker opened: the message's last line, when it is that closing tag, is the
    tool's marker, on no card (`<details open><summary>User</summary>` ... `</details>`:
    the element the marker line opens first; `:::Katabang` ... `:::`: a fenced container)."""
    for block in blocks:
        if block.marker is None:
            continue
        marker = lines[block.marker].strip()
        last = _last_line_at(lines, block, left_out)
        if last is not None and CONTAINER_OPEN.match(marker):
            if CONTAINER_CLOSE.match(lines[last].strip()):  # `:::Katabang` ... `:::`
                left_out[last] = MARKER
            continue
        opened = OPEN_TAG.match(marker) or LEADING_TAG.match(marker)
        if opened is None:
            continue
        closing = f"</{opened.group(1)}>"
        if last is not None and lines[last].strip().casefold() == closing.casefold():
            left_out[last] = MARKER


def _leave_out_echo_headings(
    lines: Sequence[str], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """A tool that heads every exchange with the prompt's first words (ChatGPT Web Share's
    `## [2] Write me a module that ...`) writes that heading at the end of the reply before
    it: a heading that repeats the start of the next prompt (a number before it and an
    ellipsis after it aside, its spaces as the prompt's lines joined) is metadata."""
    for before, block in zip(blocks, blocks[1:], strict=False):
        if block.role != USER or before.role == USER:
            continue
        last = next(
            (
                j
                for j in range(before.end - 1, before.start - 1, -1)
                if lines[j].strip() and j not in left_out
            ),
            None,
        )
        heading = HEADING.match(lines[last]) if last is not None else None
        if heading is None or last is None:
            continue
        marker = HEADING.match(lines[block.marker]) if block.marker is not None else None
        if marker is not None and len(heading.group(1)) > len(marker.group(1)):
            continue  # (a heading under the turns' own: the reply's, `### Exercise ...`)
        words = ECHO_CUT.sub("", (heading.group(2) or "").strip())
        prompt = " ".join(
            lines[j].strip() for j in range(block.start, block.end) if j not in left_out
        )
        prompt = " ".join(prompt.split())
        for echo in (words, ECHO_NUMBER.sub("", words)):  # (the prompt's own number, or not)
            echo = " ".join(echo.split())
            if len(echo) >= MIN_ECHO and prompt.startswith(echo):
                left_out[last] = METADATA
                break


#: A party's name as a program writes a message's role: one word in lower case.
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]*+")

#: The lines of an Org drawer (`:PROPERTIES:` ... `:END:`): a name between colons, alone or
#: with its value.
DRAWER_OPEN = re.compile(r"^[ \t]*+:[A-Za-z][\w-]*+:[ \t]*+$")
DRAWER_ENTRY = re.compile(r"^[ \t]*+:[\w+-]++:(?:[ \t].*)?$")
DRAWER_END = re.compile(r"^[ \t]*+:END:[ \t]*+$", re.I)


def _leave_out_drawers(
    lines: Sequence[str], text: Sequence[bool], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """An Org drawer first under a turn's marker (`:PROPERTIES:`, `:TIMESTAMP: ...`, `:END:`)
    holds the message's properties as an Org tool writes them: metadata, on no card. Only
    under an Org heading (`** [model: RESPONSE]`): under another marker (`## Assistant`) such
    lines are the message's own, a reply showing an Org drawer in a copy that lost its fences."""
    for block in blocks:
        marker = lines[block.marker] if block.marker is not None else ""
        if not (ORG_HEADING.match(marker) or ORG_TOP_HEADING.match(marker)):
            continue
        body = [j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out]
        if not body or not text[body[0]] or not DRAWER_OPEN.match(lines[body[0]]):
            continue
        for k, j in enumerate(body[1:51], start=1):
            if DRAWER_END.match(lines[j]):
                for inside in body[: k + 1]:
                    left_out[inside] = METADATA
                break
            if not DRAWER_ENTRY.match(lines[j]):
                break


#: A line a terminal tool takes to open and close input typed over several lines.
INPUT_DELIMITERS = frozenset({'"' * 3, "'" * 3})
DELIMITER = "the delimiter of input typed over several lines"


#: A character reference of one of the characters an HTML escape writes as one.
ESCAPED = re.compile(r"&(?:quot|lt|gt|amp|#39|#x27|apos);")
#: What an escaped prompt cannot hold: the characters themselves, or an `&` starting no reference.
RAW = re.compile(r"[<>\"']|&(?!(?:quot|lt|gt|amp|#39|#x27|apos);)")
QUOTE_REFERENCE = re.compile(r"&(?:quot|#39|#x27|apos);")
REFERENCES = {"&quot;": '"', "&lt;": "<", "&gt;": ">", "&#39;": "'", "&#x27;": "'", "&apos;": "'"}


def _unescape_prompts(
    lines: Sequence[str], blocks: list[_Block], left_out: dict[int, str], rewrites: dict[int, str]
) -> None:
    """A chat panel that HTML-escapes what the user typed (`Item(&quot;pen&quot;)`) before a
    tool saves it: a user's turn with such references in a line of pasted code, a quote's among
    them, and none of the characters themselves, shows them read back. A question about `&lt;`
    in words, or a page's source pasted as escaped (no quote's reference), stays."""
    for block in blocks:
        if block.role != USER:
            continue
        body = [j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out]
        shown = [rewrites.get(j, lines[j]) for j in body]
        if any(RAW.search(line) for line in shown):
            continue
        if not any(QUOTE_REFERENCE.search(line) for line in shown):
            continue  # `&lt;p&gt;` alone: a page's source the user pasted, as escaped
        if not any(ESCAPED.search(line) and code_line(_unescaped(line)) for line in shown):
            continue
        for j, line in zip(body, shown, strict=True):
            if "&" in line:
                rewrites[j] = _unescaped(line)


#: The element a page holds the user's message in, glued to its text (`<div class="...">text`).
WRAPPING_TAG = re.compile(r"^<(div|p|span)\b[^<>]{0,200}+>")


def _unwrap_html_prompts(
    lines: Sequence[str], blocks: list[_Block], left_out: dict[int, str], rewrites: dict[int, str]
) -> None:
    """A tool that saves the user's message as the page's HTML holds it (`<div class="x">` glued
    to its first line, `</div>` to its last, no other tag between): the element is the tool's,
    and the text, escaped as HTML escapes a text node (`&amp;&amp;`, `&lt;List&gt;`), is shown
    read back. The tool writes the same element around every prompt: prompts in different
    elements (`<div class="price">...</div>`, `<p class="note">...</p>`) are HTML the user
    typed, asking about it."""
    wrappers = set()
    for block in blocks:
        if block.role != USER:
            continue
        first = next(
            (j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out),
            None,
        )
        if first is not None:
            tag = WRAPPING_TAG.match(rewrites.get(first, lines[first]))
            wrappers.add(tag.group(0) if tag else None)
    if len(wrappers) != 1 or None in wrappers:
        return
    for block in blocks:
        if block.role != USER:
            continue
        body = [j for j in range(block.start, block.end) if lines[j].strip() and j not in left_out]
        if not body:
            continue
        shown = [rewrites.get(j, lines[j]) for j in body]
        opened = WRAPPING_TAG.match(shown[0])
        closing = f"</{opened.group(1)}>" if opened else ""
        if opened is None or not shown[-1].rstrip().endswith(closing):
            continue
        inner = list(shown)
        inner[0] = inner[0][opened.end() :]
        inner[-1] = inner[-1].rstrip()[: -len(closing)]
        if any("<" in line or ">" in line for line in inner):
            continue  # (more elements inside: the page's markup, no one text)
        for j, line in zip(body, inner, strict=True):
            if line.strip():
                rewrites[j] = _unescaped(line)
            else:
                left_out[j] = MARKER


def _unescaped(line: str) -> str:
    """The line with the five references an HTML escape writes read back (`&amp;` last)."""
    for reference, char in REFERENCES.items():
        line = line.replace(reference, char)
    return line.replace("&amp;", "&")


def _leave_out_input_delimiters(
    lines: Sequence[str], text: Sequence[bool], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """A prompt typed in a terminal tool's multi-line mode keeps the lines of three quotes that
    opened and closed it: a user's turn whose first and last lines are both that line, with
    text between, holds the text; the two lines are on no card."""
    for block in blocks:
        if block.role != USER:
            continue
        head = _edge_lines(lines, block, left_out, False, 1)
        tail = _edge_lines(lines, block, left_out, True, 1)
        if not head or not tail or tail[0] - head[0] < 2:
            continue
        first, last = head[0], tail[0]
        delimiter = lines[first].strip()
        if (
            text[first]
            and delimiter in INPUT_DELIMITERS
            and lines[last].strip() == delimiter
            and _has_content(lines, first + 1, last)
            and not any(lines[j].strip() == delimiter for j in range(first + 1, last))
        ):
            left_out[first] = left_out[last] = DELIMITER


def _unwrap_fenced_turns(
    lines: Sequence[str], blocks: list[_Block], left_out: dict[int, str], rewrites: dict[int, str]
) -> None:
    r"""A tool that wraps messages whole in a fence, bare or marked as Markdown or text (```` ```md
    ````): when such messages are half the turns or more, of both speakers (three or more, all in
    the same fence, for a marked one), the fences are the tool's, not code, and a fence it
    escaped inside one (`` \``` ``) is the message's own."""
    wrapped: list[tuple[int, int]] = []
    roles: set[str] = set()
    infos: set[str] = set()
    turns = 0
    for block in blocks:
        body = _edge_lines(lines, block, left_out, False, 1)
        if not body:
            continue
        turns += 1
        head = body[0]
        tail = _edge_lines(lines, block, left_out, True, 1)[0]
        opening = INFO_FENCE.match(lines[head]) or BARE_FENCE.match(lines[head])
        closing = BARE_FENCE.match(lines[tail])
        if (
            head < tail
            and opening
            and closing
            and (opening.lastindex == 1 or opening.group(2).casefold() in WRAPPER_INFO)
            and closing.group(1)[0] == opening.group(1)[0]
            and len(closing.group(1)) >= len(opening.group(1))
        ):
            wrapped.append((head, tail))
            roles.add(block.role)
            infos.add(lines[head].strip().casefold())
    # A fence marked as Markdown or text is also what a user pastes a log in and a model
    # answers Markdown source in: the tool's only when one and the same wraps three or more.
    marked = any(info.lstrip("`~") for info in infos)
    enough = len(wrapped) >= 2 and not marked or len(wrapped) >= 3 and len(infos) == 1
    if enough and len(roles) > 1 and len(wrapped) * 2 >= turns:
        for head, tail in wrapped:
            left_out[head] = left_out[tail] = WRAPPER
            for j in range(head + 1, tail):
                if ESCAPED_FENCE.match(lines[j]):
                    rewrites[j] = lines[j].replace("\\", "", 1)


def _recurring_forms(
    lines: Sequence[str],
    blocks: list[_Block],
    left_out: dict[int, str],
    header: Sequence[int] = (),
) -> set[tuple[str, ...]]:
    """Edge forms (see `_edge_form`) that open or close two or more turns; a heading that
    numbers the exchanges (`## Turn 1`) in the header, over the first turn, counts as one."""
    numbered = {
        form for j in header if (form := _edge_form(lines[j])) and form[0] == "numbered heading"
    }
    seen: Counter[tuple[str, ...]] = Counter(numbered)
    roles: dict[tuple[str, ...], set[str]] = {form: {USER} for form in numbered}
    digits: set[tuple[str, ...]] = set(numbered)
    for block in blocks:
        edge = set()
        heads = _edge_lines(lines, block, left_out, False)
        for j in heads + _edge_lines(lines, block, left_out, True):
            form = _edge_form(lines[j]) if not _led(block, j) else None
            if form is not None and (form != ICON_QUOTE and form[0] != REFERENCE[0] or j in heads):
                edge.add(form)
                roles.setdefault(form, set()).add(block.role)
                if any(ch.isdigit() for ch in lines[j]):
                    digits.add(form)
        seen.update(edge)
    # What a tool writes with every message: a date, a count, or a line in both speakers' turns
    # (a reply's own "**Note:** ..." closing two answers is not metadata).
    turns = sum(1 for block in blocks if _edge_lines(lines, block, left_out, False, 1))
    asked = sum(1 for b in blocks if b.role == USER and _edge_lines(lines, b, left_out, False, 1))
    return {
        form
        for form, n in seen.items()
        if (
            n >= 2
            and (form[0] == "date" or form == ANCHOR or form in digits or len(roles[form]) > 1)
            and (form != ICON_QUOTE or n == turns)  # a reply's own `> 💡 Tip`: some turns only
        )
        # what the tool attached, over every prompt and no reply (an address over one prompt)
        or (
            form[0] == REFERENCE[0]
            and n == asked
            and roles[form] == {USER}
            and (form == REFERENCE or n >= 2)
        )
    }


def _edge_lines(
    lines: Sequence[str], block: _Block, left_out: dict[int, str], backwards: bool, count: int = 3
) -> list[int]:
    """The first (or last) `count` lines of a turn with content, separators and an element's
    lone tags skipped."""
    found: list[int] = []
    span = range(block.end - 1, block.start - 1, -1) if backwards else range(block.start, block.end)
    for j in span:
        if len(found) == count:
            break
        line = lines[j].strip()
        if line and j not in left_out and not is_separator(line) and not _lone_tag(line):
            found.append(j)
    return found


def _matches(form: tuple[str, ...] | None, forms: set[tuple[str, ...]]) -> bool:
    """A line's form is a recurring one, or a `Key: value` line dressed like one (the
    `[Context: ...]` beside a recurring `[Timestamp: ...]`)."""
    if form is None:
        return False
    if form in forms:
        return True
    return any(f[1:3] == form[1:3] and (form[1] == "True" or form[2]) for f in forms)


def _metadata_at(line: str, forms: set[tuple[str, ...]], heading: bool, role: str = USER) -> bool:
    """A line of a recurring form; an icon quote only where it heads the turn (a reply may close
    with a `> 💡 Tip` of its own), an attached resource only where it heads a user's turn."""
    form = _edge_form(line)
    if form is not None and form[0] == REFERENCE[0]:
        return form in forms and heading and role == USER
    return _matches(form, forms) and (heading or form != ICON_QUOTE)


def _edge_rules(lines: Sequence[str], blocks: list[_Block], left_out: dict[int, str]) -> set[str]:
    """Rule lines (`---`) at the edges of two or more turns: what the tool writes between
    messages. With them, an element's lone tag (`<details>`, `</div>`) at the edges of both
    speakers' turns: the element the tool wraps every message in."""
    seen: Counter[str] = Counter()
    tags: dict[str, set[str]] = {}
    for block in blocks:
        span = range(block.start, block.end)
        edges = set()
        unmatched = _unmatched_tags(lines, block, left_out)
        for each in (span, reversed(span)):
            outermost = True
            for j in each:  # (`</div>`, `---`, `<div>` over the next turn: its end's run)
                line = lines[j].strip()
                if not line or j in left_out:
                    continue
                if is_separator(line):
                    if outermost:
                        edges.add(line)
                elif _lone_tag(line) and each is not span and j in unmatched:
                    edges.add(line)
                else:
                    break
                outermost = False
        seen.update(edges)
        for edge in edges:
            if _lone_tag(edge):
                tags.setdefault(edge, set()).add(block.role)
    rules = {
        rule
        for rule, n in seen.items()
        if n >= 2 and (rule not in tags or {USER, ASSISTANT} <= tags[rule])
    }
    closed = {tag.group(1).casefold() for rule in rules if (tag := LONE_TAG.match(rule))}
    # (the element's opening tag, at an edge once in a chat of one exchange, with its closing)
    return rules | {
        edge for edge in tags if (tag := LONE_TAG.match(edge)) and tag.group(1).casefold() in closed
    }


LONE_TAG = re.compile(r"^</?([A-Za-z][\w-]{0,60}+)(?:[ \t][^<>]{0,300}+)?>$")


def _lone_tag(line: str) -> bool:
    """The line is one HTML element's opening or closing tag, nothing else."""
    tag = LONE_TAG.match(line)
    return tag is not None and tag.group(1).casefold() in HTML_TAGS


#: Elements with no closing tag (`<img ...>`, `<br>`): content, never a message's wrapper.
VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
#: An HTML tag anywhere in a line, opening or closing (`<div class="x">`, `</div>`).
ANY_TAG = re.compile(r"<(/?)([A-Za-z][\w-]{0,60}+)(?:[ \t][^<>]{0,300}+)?/?>")


def _unmatched_tags(lines: Sequence[str], block: _Block, left_out: dict[int, str]) -> set[int]:
    """The turn's lone tag lines that pair with no tag inside the turn: a closing tag of an
    element the turn never opened (the tool's wrapper, opened over its marker) and an opening
    tag the turn never closes (the next message's wrapper). A `</div>` closing the
    `<div align="center">` the user pasted, or a reply's `</pre>`, is the message's own."""
    open_at: dict[str, list[int]] = {}
    unmatched: set[int] = set()
    for j in range(block.start, block.end):
        if j in left_out or "<" not in lines[j]:
            continue
        for tag in ANY_TAG.finditer(lines[j]):
            name = tag.group(2).casefold()
            if name not in HTML_TAGS or name in VOID_TAGS or tag.group(0).endswith("/>"):
                continue
            if not tag.group(1):
                open_at.setdefault(name, []).append(j)
            elif open_at.get(name):
                open_at[name].pop()
            else:
                unmatched.add(j)
    unmatched.update(j for opened in open_at.values() for j in opened)
    return {j for j in unmatched if _lone_tag(lines[j].strip())}


def _glued_rule(lines: Sequence[str], j: int, tail: int, rules: set[str]) -> bool:
    """A rule that opens a turn right over its text, no blank line between, and stands at no
    other turn's edge: the text's own (a traceback's `-----` over `RuntimeError ...`), not the
    tool's separator."""
    under = lines[j + 1] if j < tail else ""
    return bool(under.strip()) and not is_separator(under) and lines[j].strip() not in rules


def _led(block: _Block, j: int) -> bool:
    """Line j opens the block after the tool's lead (`10:12:04: text`): the message's own text,
    however its lead looks, never the turn's metadata."""
    return bool(block.lead) and j == block.start


def _trim_edges(
    lines: Sequence[str],
    text: Sequence[bool],
    block: _Block,
    forms: set[tuple[str, ...]],
    rules: set[str],
    left_out: dict[int, str],
) -> None:
    """Leave out a turn's separators, metadata and (a reply's) opening reasoning, working in
    from both edges (each line is looked at a fixed number of times). `forms`: the metadata
    forms that recur at turns' edges; `rules`: the rules that do (see `_glued_rule`)."""
    head, tail = block.start, block.end - 1
    while True:
        while head <= tail and (not lines[head].strip() or head in left_out):
            head += 1
        while tail >= head and (not lines[tail].strip() or tail in left_out):
            tail -= 1
        if head > tail:
            return
        changed = False
        for j in (tail, head) if tail != head else (head,):
            if not text[j]:
                continue
            line = lines[j]
            if is_separator(line) and not _glued_rule(lines, j, tail, rules):
                left_out[j] = SEPARATOR
                changed = True
            elif (
                j == tail
                and _lone_tag(line.strip())
                and line.strip() in rules
                and j in _unmatched_tags(lines, block, left_out)
            ):
                left_out[j] = SEPARATOR
                changed = True
            elif not _led(block, j) and _metadata_at(line, forms, j == head, block.role):
                left_out[j] = METADATA
                if line.lstrip().startswith(">"):
                    _leave_quote_block(lines, j, block, left_out, METADATA)
                changed = True
            elif j == tail and INTERFACE_LINE.search(line) and len(line.split()) <= 20:
                left_out[j] = INTERFACE
                changed = True
            elif j == tail and block.role == ASSISTANT and _composer_at_end(lines, j, head):
                left_out[j] = INTERFACE
                changed = True
            elif j == tail != head and block.role == USER and EXPANDER.match(line.strip()):
                left_out[j] = INTERFACE  # the page's `Show more` under a prompt it clipped
                changed = True
            elif HTML_COMMENT.match(line):
                left_out[j] = METADATA  # a tool's state in a comment (Emacs's local variables)
                changed = True
        if changed:
            continue
        if block.role != ASSISTANT:
            return
        end = _reasoning_section(lines, text, head, tail, left_out)
        if end is None:
            end = _reasoning_end(lines, head, block.end)
        if end is None:
            return
        rest = end
        while rest <= tail and (not lines[rest].strip() or rest in left_out):
            rest += 1
        if rest > tail:
            return  # nothing after it: the reply itself
        for k in range(head, end):
            if lines[k].strip():
                left_out[k] = REASONING


#: Words that only label the reply's answer under its reasoning (`### Response`).
RESPONSE_WORDS = frozenset(
    "response answer reply final 回答 答案 回复 回覆 応答 답변 ответ respuesta réponse "
    "antwort risposta resposta antwoord odpowiedź yanıt".split()
)


def _reasoning_heading(line: str) -> int | None:
    """The level of a heading that names the model's reasoning and nothing else
    (`### Reasoning`, `## 思考过程`), else None."""
    heading = HEADING.match(line)
    if heading is None:
        return None
    label = (heading.group(2) or "").strip().rstrip("#").strip("*_ \t").rstrip(":：").strip()
    if not label or not re.fullmatch(THOUGHT_WORDS.pattern, label, re.I):
        return None
    return len(heading.group(1))


def _reasoning_section(
    lines: Sequence[str], text: Sequence[bool], head: int, tail: int, left_out: dict[int, str]
) -> int | None:
    """A reply that opens with a reasoning subheading (`### Reasoning`): the reasoning runs to
    the next heading of its level or above, where the reply goes on; that heading, when it only
    labels the answer (`### Response`), is a marker. The line the reasoning ends at, or None
    (no such heading, or nothing after it)."""
    level = _reasoning_heading(lines[head])
    if level is None:
        return None
    for k in range(head + 1, tail + 1):
        heading = HEADING.match(lines[k]) if text[k] else None
        if heading is None or len(heading.group(1)) > level:
            continue
        label = (heading.group(2) or "").strip().rstrip("#").strip("*_ \t").rstrip(":：")
        words = {w for w in re.split(r"[\W_]+", label.casefold()) if w}
        rest = _next_content(lines, k + 1, tail + 1)
        if words and words <= RESPONSE_WORDS:
            if rest > tail:
                return None  # an answer heading over nothing: not the reply's reasoning
            left_out[k] = MARKER
            return rest
        return k
    return None


def _leave_quote_block(
    lines: Sequence[str], j: int, block: _Block, left_out: dict[int, str], why: str
) -> None:
    k = j
    while k - 1 >= block.start and lines[k - 1].lstrip().startswith(">"):
        k -= 1
        left_out[k] = why
    k = j
    while k + 1 < block.end and lines[k + 1].lstrip().startswith(">"):
        k += 1
        left_out[k] = why


def _opens_reasoning(line: str) -> bool:
    """A line that can open the model's reasoning by its shape: a fence or a tag named for it
    (```` ``` reasoning ````, `<think>`), a `<details type="reasoning">`."""
    fence = INFO_FENCE.match(line)
    if fence:
        return bool(THOUGHT_WORDS.match(fence.group(2)))
    if FOLDED_CALLOUT.match(line):
        return True  # `> [!quote]-` over a reply: the tool's reasoning, folded
    tag = OPEN_TAG.match(line.strip())
    if tag is None and (comment := REASONING_COMMENT.match(line.strip())):
        word = comment.group(1).strip()  # `<!-- REASONING`, a tool's (`<!-- thoughts`: a note's)
        return word.isupper() and bool(THOUGHT_WORDS.fullmatch(word))
    return bool(tag and REASONING_TAG.search(tag.group(0))) or _reasoning_tag(line) is not None


def _reasoning_tag(line: str) -> str | None:
    """The tool's own reasoning tag opening a line that goes on after it (`<think>The user
    asks ...`, `<think><details>...`), whose closing tag ends a later line (`... </think>`)."""
    lead = LEADING_TAG.match(line.strip())
    if lead is None:
        return None
    name = lead.group(1).casefold()
    return name if name not in HTML_TAGS and REASONING_TAG.search(name) else None


def _reasoning_end(lines: Sequence[str], i: int, stop: int) -> int | None:
    """If a reply opens with reasoning at line i, the line just past it."""
    fence = INFO_FENCE.match(lines[i])
    if fence and THOUGHT_WORDS.match(fence.group(2)):
        # ```` ``` reasoning ````: a fence named for thinking, closed like any fence
        marks = fence.group(1)
        for k in range(i + 1, stop):
            close = BARE_FENCE.match(lines[k])
            if close and close.group(1)[0] == marks[0] and len(close.group(1)) >= len(marks):
                return k + 1
        return None
    line = lines[i].strip()
    if DETAILS_WITH_SUMMARY.match(line):
        return _close_of(lines, i, stop, "details")
    if FOLDED_CALLOUT.match(line):  # the callout's `>` lines
        k = i + 1
        while k < stop and lines[k].startswith(">"):
            k += 1
        return k
    if REASONING_COMMENT.match(line) and _opens_reasoning(line):  # `<!-- REASONING` ... `-->`
        return next((k + 1 for k in range(i + 1, stop) if lines[k].rstrip().endswith("-->")), None)
    tag = OPEN_TAG.match(line)
    if tag:
        name = tag.group(1).casefold()
        if name == "div" or name == "details":
            return _close_of(lines, i, stop, name)
        if name not in HTML_TAGS or REASONING_TAG.search(name):
            closing, opening = f"</{name}>", f"<{name}>"
            for k in range(i + 1, stop):
                # alone on its line, or glued to the reasoning's last line (`...</Thoughts>`),
                # but not on a line that opens the tag too (`<think>step</think>`, an example)
                line = lines[k].strip().casefold()
                if line == closing or (line.endswith(closing) and opening not in line):
                    return k + 1
            return None
    shared = _reasoning_tag(line)
    if shared is not None:
        closing = f"</{shared}>"
        for k in range(i, stop):
            if lines[k].rstrip().casefold().endswith(closing):
                return k + 1
        return None
    bare = line.strip("*_# ").strip()
    bracketed = bare[:1] in "[【" and bare[-1:] in "]】"
    if bracketed:
        bare = bare[1:-1].strip()  # `[思考过程]`, `[Thinking]`: a tool's label in brackets
    if len(bare.split()) <= 8 and (
        _thought_line(bare) or (DURATION.search(bare) and len(bare.split()) <= 5)
    ):
        k = _next_content(lines, i + 1, stop)
        heading = HEADING.match(lines[k]) if k < stop else None
        if heading and THOUGHT_WORDS.match((heading.group(2) or "").strip("*_ ")):
            k = _next_content(lines, k + 1, stop)
        opened = k
        while k < stop and lines[k].lstrip().startswith(">"):
            while k < stop and lines[k].lstrip().startswith(">"):
                k += 1
            k = _next_content(lines, k, stop)
        label = line.strip()
        italic = label[:1] in "_*" and label[1:2] not in "_*" and label[-1:] == label[:1]
        if k == opened and (
            (italic and THOUGHT_LABEL.match(bare)) or (bracketed and THOUGHT_WORDS.fullmatch(bare))
        ):
            # `_Thinking:_` or `[思考过程]` over a bare paragraph: a tool's label that announces
            # the reasoning under it (a reply's own `**Reasoning:**` or "Thought experiment:"
            # stays); nothing marks the end of a reasoning of more paragraphs
            while k < stop and lines[k].strip():
                if bracketed and lines[k].startswith(("[", "【")):
                    return None  # an agent's log of labelled blocks (`[Tool Use: x]`)
                k += 1
            k = _next_content(lines, k, stop)
        return k
    heading = HEADING.match(lines[i])
    if heading and THOUGHT_WORDS.match((heading.group(2) or "").strip("*_ ")):
        k = _next_content(lines, i + 1, stop)
        if k < stop and lines[k].lstrip().startswith(">"):
            while k < stop and lines[k].lstrip().startswith(">"):
                while k < stop and lines[k].lstrip().startswith(">"):
                    k += 1
                k = _next_content(lines, k, stop)
            return k
    return None


def without_opening_reasoning(reply: str) -> str:
    """A reply without the model's reasoning it opens with, where a tag or fence marks it (a
    `<think>` block, ```` ``` reasoning ````, `<details type="reasoning">`) and the reply goes on
    after it. For replies a tool keeps as data (JSON), where a line of prose ("Thought
    experiment:") is the reply's own."""
    lines = reply.split("\n")
    head = _next_content(lines, 0, len(lines))
    if head == len(lines) or not _opens_reasoning(lines[head]):
        return reply
    name = _reasoning_tag(lines[head]) or _reasoning_tag(lines[head].strip() + " ")
    closing = f"</{name}>" if name else ""
    at = reply.casefold().find(closing) if name else -1
    if at >= 0 and reply[at + len(closing) :].strip():
        # `<think>...</think>The reply`: the reply glued right after the closing tag
        return reply[at + len(closing) :].strip()
    end = _reasoning_end(lines, head, len(lines))
    if end is None or _next_content(lines, end, len(lines)) == len(lines):
        return reply
    return "\n".join(lines[_next_content(lines, end, len(lines)) :])


def _thought_line(text: str) -> bool:
    """A line that says the model thought: `Thinking`, `Thought for 12 seconds`, `Thought
    Process:`, `已深度思考（用时 12 秒）`; not a reply's own "Thought experiment:"."""
    text = TOGGLE.sub("", text, count=1)  # `Show thinking`: a page's button over its reasoning
    thought = THOUGHT_WORDS.match(text)
    if thought is None:
        return False
    rest = text[thought.end() :].strip(" \t:：.…*_()（）")
    return not rest or bool(DIGIT.search(rest)) or rest.casefold().startswith("for ")


def _close_of(lines: Sequence[str], i: int, stop: int, name: str) -> int | None:
    """The line past the element opened on line i (`<div ...>` or `<details ...>`), counting
    nested elements of the same name; a `<div>` counts only when it wraps a `<details>`."""
    if name == "div":
        k = _next_content(lines, i + 1, stop)
        if k >= stop or not lines[k].strip().casefold().startswith("<details"):
            return None
    depth = 0
    opener = re.compile(rf"<{name}\b", re.I)
    closer = re.compile(rf"</{name}>", re.I)
    for k in range(i, stop):
        depth += len(opener.findall(lines[k])) - len(closer.findall(lines[k]))
        if depth <= 0:
            return k + 1
    return None


def _next_content(lines: Sequence[str], k: int, stop: int) -> int:
    while k < stop and not lines[k].strip():
        k += 1
    return k


def _closed_alike(lines: Sequence[str], blocks: list[_Block]) -> bool:
    """Every message, the last too, closes with the same rule (`---`): what the last one holds
    before its rule is the message's own, not a page's footer."""
    closing: set[str] = set()
    for block in blocks:
        last = next(
            (j for j in range(block.end - 1, block.start - 1, -1) if lines[j].strip()), None
        )
        if last is None or not is_separator(lines[last]):
            return False
        closing.add(lines[last].strip())
    return len(closing) == 1 and len(blocks) > 1


def _trim_footer(
    lines: Sequence[str], text: Sequence[bool], block: _Block, left_out: dict[int, str]
) -> None:
    """A page copy ends with the page's own lines (`Search`, a disclaimer) after a wide gap:
    after the last run of three or more blank lines of the last turn, only short lines; and
    right over that gap, set apart by a blank line, a model's name alone is the page's model
    menu (`llama3.1:8b`), not the reply's last line."""
    gap_end = None
    blank = 0
    for k in range(block.start, block.end):
        if lines[k].strip():
            if blank >= 3:
                gap_end = k
            blank = 0
        else:
            blank += 1
    if gap_end is None:
        return
    rest = [k for k in range(gap_end, block.end) if lines[k].strip() and k not in left_out]
    before = [k for k in range(block.start, gap_end) if lines[k].strip() and k not in left_out]
    if not before or not rest or len(rest) > 8:
        return
    if all(text[k] and len(lines[k].split()) <= 15 for k in rest):
        for k in rest:
            left_out[k] = INTERFACE
        menu = before[-1]  # the page's model menu over its footer, apart from the reply above
        named = lines[menu].strip()
        if (
            len(before) > 1
            and not lines[menu - 1].strip()
            and _model_menu(named)
            and any(named in lines[j] for j in range(block.start))  # (the page's header too)
        ):
            left_out[menu] = INTERFACE


#: A line that only says the chat ends (`*End of conversation*`, `— End of chat —`).
END_LINE = re.compile(
    r"^[\W_]*+(?:end of (?:the )?(?:conversation|chat|transcript|export|session)|fin de la "
    r"conversaci[oó]n|ende des gespr[aä]chs|对话结束|会話終了)[\W_]*+$",
    re.I,
)


def _trim_end_line(
    lines: Sequence[str], text: Sequence[bool], block: _Block, left_out: dict[int, str]
) -> None:
    """The last turn's last line, set off by a blank line, that only says the chat ends, set off
    by emphasis or under a rule: the tool's, on no card (the rule is left out with the turn's
    edges). A reply's own last line in those words (`Fin de la conversación`) stays."""
    k = block.end - 1
    while k >= block.start and (not lines[k].strip() or k in left_out):
        k -= 1
    if k <= block.start or not text[k] or lines[k - 1].strip() or not END_LINE.match(lines[k]):
        return
    above = k - 1
    while above >= block.start and not lines[above].strip():
        above -= 1
    line = lines[k].strip()
    decorated = not line[0].isalnum() and not line[-1].isalnum()  # `*End of conversation*`
    if decorated or (above >= block.start and is_separator(lines[above])):
        left_out[k] = FOOTER


def _trim_boxed_footer(
    lines: Sequence[str], block: _Block, left_out: dict[int, str], header: list[int]
) -> None:
    """A tool that draws a box around the file's header (a rule, `Channel: ...`, the rule again)
    closes the file with one (`Exported 7 message(s)` between the same rules): the last turn's
    last lines, framed by a rule of the header."""
    rules = {lines[j].strip() for j in header if is_separator(lines[j])}
    if not rules:
        return
    k = block.end - 1
    while k >= block.start and (not lines[k].strip() or k in left_out):
        k -= 1
    if k < block.start or lines[k].strip() not in rules:
        return
    frame = lines[k].strip()
    inside: list[int] = []
    top = k - 1
    while top >= block.start and len(inside) <= 3:
        line = lines[top].strip()
        if line == frame:
            if inside:
                for j in range(top, k + 1):
                    if lines[j].strip():
                        left_out[j] = FOOTER
            return
        if line:
            if len(line.split()) > 8:
                return
            inside.append(top)
        top -= 1


def _trim_closing_footer(
    lines: Sequence[str], text: Sequence[bool], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """A tool that closes every message with the same rule (`----`) may sign the file after the
    last one (`Generated from [Alpaca](...)`): a few short lines, one of them naming the tool
    that made the file, after the last turn's last rule, when every other turn ends with that
    rule (a reply's own closing remark after a rule names no tool)."""
    if len(blocks) < 3:
        return
    closing = {_last_line(lines, block, left_out) for block in blocks[:-1]}
    if len(closing) != 1:
        return
    rule = closing.pop()
    if rule is None or not is_separator(rule):
        return
    rest: list[int] = []
    for k in range(blocks[-1].end - 1, blocks[-1].start - 1, -1):
        line = lines[k].strip()
        if not line or k in left_out:
            continue
        if line == rule:
            break
        if len(rest) == 3 or not text[k] or len(line.split()) > 15:
            return
        rest.append(k)
    else:
        return
    if not any(ATTRIBUTION.search(lines[k]) for k in rest):
        return
    for k in rest:
        left_out[k] = FOOTER


def _trim_sectioned_footer(
    lines: Sequence[str], text: Sequence[bool], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """A tool that closes every message with the same rule may add sections of its own after the
    last one (`## ❓ Help`, a centred `<div>`): from the last turn's rule on, when the rule is
    followed by a heading at the markers' level or above that no message has (a reply's own last
    section is under the marker, or of a level other messages use)."""
    if len(blocks) < 3 or any(block.marker is None for block in blocks):
        return
    levels = {_heading_level(lines[block.marker]) for block in blocks if block.marker is not None}
    closing = {_last_line(lines, block, left_out) for block in blocks[:-1]}
    if len(levels) != 1 or None in levels or len(closing) != 1:
        return
    marker_level = levels.pop() or 0
    rule = closing.pop()
    if rule is None or not is_separator(rule):
        return
    used = {
        _heading_level(lines[k])
        for block in blocks[:-1]
        for k in range(block.start, block.end)
        if text[k] and lines[k].startswith("#")
    }
    last = blocks[-1]
    run: int | None = None
    said = False
    for k in range(last.start, last.end):
        line = lines[k].strip()
        if not line or k in left_out:
            continue
        if is_separator(line):
            if run is None and line == rule and said:
                run = k
            continue
        level = _heading_level(lines[k]) if text[k] else None
        if run is not None and level is not None and level <= marker_level and level not in used:
            for j in range(run, last.end):
                if lines[j].strip():
                    left_out[j] = FOOTER
            return
        said, run = True, None
        used.add(level)


def _trim_bare_heading(
    lines: Sequence[str], text: Sequence[bool], blocks: list[_Block], left_out: dict[int, str]
) -> None:
    """A heading with nothing under it that ends the file, set off by a blank line, at the level
    of the markers' headings or above (`* ╭──── Chat Input ────╮`, the input area an editor
    keeps at the end of its chat buffer): the tool's, on no card. A reply's own headings have
    lines under them."""
    marks = {lines[block.marker][:1] for block in blocks if block.marker is not None}
    if len(blocks) < 2 or len(marks) != 1 or not marks <= {"#", "*"}:
        return
    mark = marks.pop()
    last = blocks[-1]
    body = [k for k in range(last.start, last.end) if lines[k].strip() and k not in left_out]
    if len(body) < 2 or not text[body[-1]] or lines[body[-1] - 1].strip():
        return
    levels = [_outline_level(lines[b.marker], mark) for b in blocks if b.marker is not None]
    if None in levels:
        return  # `**User:**` is bold, not a heading: a last `* item` is the reply's own
    top = min(level for level in levels if level is not None)
    level = _outline_level(lines[body[-1]], mark)
    if level is not None and level <= top:
        left_out[body[-1]] = FOOTER


def _outline_level(line: str, mark: str) -> int | None:
    """A heading's level in the syntax of the markers' headings (`#` or Org's `*`)."""
    if mark == "#":
        return _heading_level(line)
    stars = ORG_HEADING.match(line) or ORG_TOP_HEADING.match(line)
    return len(stars.group(1)) if stars else None


def _heading_level(line: str) -> int | None:
    heading = HEADING.match(line)
    return len(heading.group(1)) if heading else None


def _last_line(lines: Sequence[str], block: _Block, left_out: dict[int, str]) -> str | None:
    """A turn's last line with content, as written (stripped)."""
    last = _last_line_at(lines, block, left_out)
    return lines[last].strip() if last is not None else None


def _last_line_at(lines: Sequence[str], block: _Block, left_out: dict[int, str]) -> int | None:
    """The block's last line with text that no step has left out, or None."""
    return next(
        (
            k
            for k in range(block.end - 1, block.start - 1, -1)
            if lines[k].strip() and k not in left_out
        ),
        None,
    )


def _leave_out_trailing_blocks(
    lines: Sequence[str],
    text: Sequence[bool],
    blocks: list[_Block],
    spoken: set[int],
    left_out: dict[int, str],
) -> bool:
    """Blocks a tool adds after a message (`{Reactions}` and its emoji, a `<details>` block of
    the model's thinking or of token counts): blocks that end turns in the same form in two or
    more turns, after the message's own text. A block of the model's thinking after a reply is
    the tool's even once (a reply tells its answer, not its thinking, last), and so is any
    block after it."""
    trailing: list[list[tuple[int, int, str]]] = []
    seen: Counter[str] = Counter()
    after_thinking: set[int] = set()  # the blocks' first lines
    for block in blocks:
        found = _trailing_blocks(lines, text, block, block.marker in spoken, left_out)
        trailing.append(found)
        seen.update({form for _, _, form in found})
        if block.role == ASSISTANT:
            thinks = [_tells_thinking(lines, start, stop) for start, stop, _ in found]
            if any(thinks):
                after_thinking.update(start for start, _, _ in found[thinks.index(True) :])
    left = False
    for found in trailing:
        for start, stop, form in found:
            if seen[form] < 2 and start not in after_thinking:
                continue
            why = REASONING if _tells_thinking(lines, start, stop) else METADATA
            for j in range(start, stop):
                if lines[j].strip() and j not in left_out:
                    left_out[j] = why
                    left = True
    return left


def _trailing_blocks(
    lines: Sequence[str],
    text: Sequence[bool],
    block: _Block,
    content: bool,
    left_out: dict[int, str],
) -> list[tuple[int, int, str]]:
    """The tool's blocks that end a turn, after content of its own (`content`: the marker line
    holds some): (start, stop, form)."""
    found: list[tuple[int, int, str]] = []
    unclosed = False  # a `<details>` (or `<thinking>`) left open: no later one ends the turn
    k = block.start
    while k < block.end:
        line = lines[k]
        if not line.strip() or k in left_out or is_separator(line):
            k += 1
            continue
        form = _block_form(line) if text[k] else None
        tag = form is not None and form.startswith("<")
        if tag and unclosed:
            form = None
        stop = _tool_block_end(lines, k, block.end, form) if form else None
        if form is None or stop is None:
            unclosed = unclosed or tag
            content, found = True, []
            k += 1
            continue
        if content:
            found.append((k, stop, form))
        k = stop
    return found


#: A reasoning tag alone on its line, with attributes however long (`<thinking
#: anthropic:signature="...">`: the signature of the model's reasoning). A bare `<thinking>`
#: or an element that only names a reason (`<cancellationReason>`) may be a reply's example.
SIGNED_REASONING_TAG = re.compile(
    r"^<(think|thinking|thought|thoughts|reasoning)[ \t]++[^\s<>][^<>]{0,8000}+>$", re.I
)


def _block_form(line: str) -> str | None:
    """The form of a line that opens a tool's block: `{Reactions}`, `<details>`, a reasoning
    tag (`<thinking ...>`)."""
    text = line.strip()
    if TOOL_LABEL.match(text):
        return text.casefold()
    tag = OPEN_TAG.match(text)
    if tag is not None and tag.group(1).casefold() == "details":
        return "<details>"
    signed = SIGNED_REASONING_TAG.match(text)
    return f"<{signed.group(1).casefold()}>" if signed else None


def _tool_block_end(lines: Sequence[str], k: int, stop: int, form: str) -> int | None:
    """The line past a tool's block opened on line k: its closing tag (`</details>`,
    `</thinking>`), or the end of the paragraph a `{Label}` line opens."""
    if form.startswith("<"):
        return _close_of(lines, k, stop, form[1:-1])
    end = k + 1
    while end < stop and lines[end].strip():
        end += 1
    return end


def _tells_thinking(lines: Sequence[str], start: int, stop: int) -> bool:
    """A block whose title (its `<summary>`, its label) or tag names the model's thinking."""
    form = _block_form(lines[start])
    if form is not None and form.startswith("<") and form != "<details>":
        return True  # (a reasoning tag's block)
    for k in range(start, min(stop, start + 4)):
        title = TAG.sub("", lines[k]).strip("{}*_ \t")
        if title:
            return title[0] in THOUGHT_EMOJI or _thinking(title)
    return False


LOST_CODE = "code the copy did not keep: a block's language and line numbers"


def _leave_out_lost_code(
    lines: Sequence[str], text: Sequence[bool], block: _Block, left_out: dict[int, str]
) -> None:
    """A language's name alone in a reply with right under it only the line numbers counted
    from 1 (`bash` over `123`): a page whose code editor would not let the copy select the
    code; the copy kept the block's label and its gutter, never the code. Both are the page's,
    on no card (the dry-run lists them: the reply on the card lacks that code)."""
    for k in range(block.start, block.end - 1):
        name = lines[k].strip()
        if name.casefold() not in CODE_LANGUAGES or k in left_out or not text[k] or not text[k + 1]:
            continue  # (in a fenced block, `bash` over `1` is a program's output)
        gutter = lines[k + 1].strip()
        if gutter.isdigit() and gutter == _counted(gutter):
            left_out[k] = left_out[k + 1] = LOST_CODE


def _label_over_fence(
    lines: Sequence[str],
    text: Sequence[bool],
    block: _Block,
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> None:
    """A language's name alone in its paragraph right over a fence that opens with no language
    (`Bash` over a bare ```` ``` ````): the page's label for the block, copied apart from it;
    it becomes the fence's language."""
    first = _next_content(lines, block.start, block.end)
    for k in range(first + 1, block.end - 1):  # (a reply that opens `Python` answers with it)
        if not text[k] or text[k + 1] or k in left_out or lines[k - 1].strip():
            continue
        if lines[k].strip().casefold() in CODE_LANGUAGES and BARE_FENCE.match(lines[k + 1]):
            left_out[k] = INTERFACE
            rewrites[k + 1] = lines[k + 1].rstrip() + lines[k].strip().casefold()


def _counted(gutter: str) -> str:
    """The numbers 1, 2, 3, ... written one after another, as long as `gutter`."""
    numbers = ""
    n = 0
    while len(numbers) < len(gutter):
        n += 1
        numbers += str(n)
    return numbers


def _rebuild_copied_code(
    lines: Sequence[str],
    text: Sequence[bool],
    block: _Block,
    buttons: Counter[str],
    left_out: dict[int, str],
    rewrites: dict[int, str],
) -> None:
    """A page copy turns a code block into a language line, `Copy code` (or `Copy`, `Edit`)
    lines and the bare code: rebuild it as fenced code, up to the first line of prose. Where
    the copy lost the button's label too, a language's name alone over a blank line and a line
    of code is such a block's label; its code goes on past a blank line only into more code."""
    k = block.start
    while k < block.end:
        line = lines[k].strip()
        if len(line) > 20 or not line or not text[k]:  # (a copy quoted in a fence stays as is)
            k += 1
            continue
        after = k + 1
        copies = []
        while after < block.end and lines[after].strip().casefold() in COPY_LINES:
            copies.append(after)
            after += 1
        spaced = _spaced_button(lines, k, block) if not copies and LANGUAGE_LINE.match(line) else 0
        if spaced:  # `julia`, a blank line, `Copy block`, blank lines, the code
            copies, after = [spaced], _next_content(lines, spaced + 1, block.end)
        copied = bool(copies) and "copy" in lines[copies[0]].casefold()
        labelled = not copies and _code_label(lines, k, block)
        unnamed = _unnamed_block(lines, k, block, buttons)  # `Copy` over code, language lost
        if unnamed:
            copies, after, line = [k], k + 1, ""
        elif not (LANGUAGE_LINE.match(line) and (copied or labelled)):
            k += 1
            continue
        code_end = after
        yaml = line in YAML_LABELS
        opening = lines[_next_content(lines, after, block.end)] if after < block.end else ""
        pairs = yaml and bool(YAML_PAIR.match(opening)) and not YAML_LINE.match(opening)
        while code_end < block.end:
            current = lines[code_end]
            closing = _heredoc_end(lines, code_end, block.end)
            if closing is not None:  # the here-document's text is the block's
                code_end = closing + 1
                continue
            if current.strip() and (
                _prose(current)
                or (yaml and not (YAML_LINE.match(current) or (pairs and YAML_PAIR.match(current))))
            ):
                break  # (YAML's lines say where its block ends: a file's name under it is not)
            if not current.strip():
                nxt = _next_content(lines, code_end, block.end)
                if nxt >= block.end or _prose(lines[nxt]):
                    break
                more = _code_part(_paragraph(lines, nxt, block.end))
                if labelled and not (more and _labelled_code(more, line)):
                    break  # code goes on past a blank line only into more code
            code_end += 1
        last = code_end - 1
        if last < after:
            k = after
            continue
        if unnamed:  # the fence opens on the blank line over the button
            rewrites[k - 1] = "```"
        elif spaced:  # ... on the blank line right over the code
            rewrites[k] = ""
            rewrites[after - 1] = "```" + line.casefold()
        elif labelled and not lines[k + 1].strip():  # ... on the blank line over the code
            code_start = _next_content(lines, k + 1, block.end)
            for blank in range(k, code_start - 1):
                rewrites[blank] = ""
            rewrites[code_start - 1] = "```" + line.casefold()
        else:
            rewrites[k] = "```" + line.casefold()
        for c in copies:
            left_out[c] = INTERFACE
        rewrites[last] = lines[last] + "\n```"
        k = code_end


def _spaced_button(lines: Sequence[str], k: int, block: _Block) -> int:
    """The copy button under a code block's label (line k) with blank lines around it (one
    over it, one or two under it) and code right under those; 0 if there is none."""
    button = k + 2
    if button + 1 >= block.end or lines[k + 1].strip():
        return 0
    if "copy" not in lines[button].strip().casefold() or lines[button].strip().casefold() not in (
        COPY_LINES
    ):
        return 0
    code = _next_content(lines, button + 1, block.end)
    if code >= block.end or code - button > 3 or code == button + 1:
        return 0
    paragraph = _code_part(_paragraph(lines, code, block.end))
    return button if paragraph and bare_code(paragraph, labelled=True) else 0


#: A code block's copy button alone on its line.
COPY_BUTTONS = frozenset({"copy", "copy code"})


def _unnamed_block(lines: Sequence[str], k: int, block: _Block, buttons: Counter[str]) -> bool:
    """Line k is a copy button alone (`Copy`), one blank line under the reply's text, right over
    a paragraph of code (up to the first line of prose, half its lines or more shaped like code):
    a code block whose language the copy lost. `buttons`: how often each such line stands in
    the file (a page's button recurs; `Copy` once over code is a reply's heading)."""
    if lines[k].strip().casefold() not in COPY_BUTTONS or k + 1 >= block.end:
        return False
    if k < 2 or k <= block.start or lines[k - 1].strip() or not lines[k - 2].strip():
        return False  # (after a gap, the page's menu: `Copy` / `Ask Qwen` / `Explain`)
    if buttons[lines[k].strip()] < 2:
        return False
    code = _code_part(_paragraph(lines, k + 1, block.end))
    return len(code) >= 2 and bare_code(code) and 2 * sum(map(code_line, code)) >= len(code)


def _code_label(lines: Sequence[str], k: int, block: _Block) -> bool:
    """Line k is a language's name alone, after a blank line, over a paragraph of code
    (`chatdeck.pasted_code.bare_code`), set off by a blank line or right under it up to the
    first line of prose: a code block's label left by a copy of the page."""
    if lines[k].strip().casefold() not in CODE_LANGUAGES or k + 1 >= block.end:
        return False
    above = lines[k - 1].strip() if k > block.start else ""
    spaced = k + 2 < block.end and not lines[k + 1].strip() and not lines[k + 2].strip()
    titled = (  # under a heading the copy made a plain line (`Usage example`)
        bool(above)
        and len(above.split()) <= 4
        and not above.endswith(PROSE_END)
        and not LIST_OR_TABLE.match(lines[k - 1])
        and lines[k].strip().islower()
        and bool(lines[k + 1].strip())
        and above[:1].isupper()  # (a heading's capital, no list's `milk` over `fish`)
        and _titled_code(_paragraph(lines, k + 1, block.end))
    )
    if above and not above.endswith(":") and not FILE_NAME.match(above) and not titled:
        if not (spaced and lines[k].strip().islower() and len(above.split()) >= 4):
            return False  # (right under `Add it to the Deployment:` or `roles/web/tasks/main.yml`;
            # a page's own lowercase `dart` over a gap may come right under a list's last item)
    if lines[k + 1].strip():
        code = _code_part(_paragraph(lines, k + 1, block.end))
        if not lines[k].strip().islower():
            # `Python` over a line: a list of languages, not a fence's label, unless the
            # whole paragraph under it is code (Gemini's label, capitalized)
            whole = len(code) == len(_paragraph(lines, k + 1, block.end))
            # (one capital letter, `R` over `R = V / I`, is a formula's variable as often)
            single = len(lines[k].strip()) == 1
            return bool(code) and whole and not single and _labelled_code(code, lines[k].strip())
        if code and len(code) == len(_paragraph(lines, k + 1, block.end)):
            run = _code_run(lines, k + 1, block.end)  # (on past blank lines, up to prose)
            if _labelled_code(run, lines[k].strip()):
                return True  # (else the paragraph alone, as before: a list after a spaced line)
        return bool(code) and _labelled_code(code, lines[k].strip())
    nxt = _next_content(lines, k + 1, block.end)
    if nxt >= block.end:
        return False
    paragraph = _paragraph(lines, nxt, block.end)
    code = _code_part(paragraph)
    label = lines[k].strip()
    if len(code) < len(paragraph) and (not label.islower() or (len(label) == 1 and len(code) < 2)):
        return False  # `Go` / `Ruby` / `C` over a line and a sentence: a heading, an answer
    return bool(code) and _labelled_code(code, label)


def _titled_code(paragraph: Sequence[str]) -> bool:
    """Lines under a label under a plain heading that read as code: one shaped like it (`proc
    swap {a b} {`, `lassign [list $b $a] a b`), none a line of words (`olive oil and garlic`,
    `we run into the night`: a list's or a poem's lines, `Ingredients` / `fish` over them)."""
    lines = _code_part(paragraph)
    shaped = any(code_line(line) or any(ch in CODE_CHARS for ch in line) for line in lines)
    return shaped and not any(words_line(line) for line in lines)


#: A file's name or path alone on a line (`roles/web/tasks/main.yml`, `Cargo.toml`), the way a
#: reply names the file a code block under it holds.
FILE_NAME = re.compile(r"^[\w.-]{0,80}\w\.[A-Za-z]\w{0,9}:?$|^[\w.-]*+/[\w./-]++$")
YAML_LABELS = frozenset({"yaml", "yml"})
#: A line of two words, a colon and a value (`Low stock: rice (4)`): YAML only in a block that
#: opens with one (a page's output labelled `yaml`); after YAML's own keys, the reply's text
#: (`Then apply: kubectl apply -f deploy.yaml`).
YAML_PAIR = re.compile(r"^[\w\"'./-]++ [\w\"'./-]++[ \t]*+:[ \t][^\n]*+(?<![.!?])$")
#: A line of YAML: a mapping's key (`port: 80`, `tasks:`), a list's item, a comment, or a line
#: indented under one of those.
YAML_LINE = re.compile(
    r"^(?:[ \t]++\S|-(?:[ \t]|$)|#|[\w\"'./-]++[ \t]*+:(?:[ \t]|$)"
    r"|---|\.\.\.$|%|\{\{|\{%|<<[ \t]*+:|[&*!?\[{]|\"[^\"]*+\"[ \t]*+:|/\S*+:(?:[ \t]|$))"
)


def _yaml_line(line: str) -> bool:
    return bool(YAML_LINE.match(line) or YAML_PAIR.match(line))


def _labelled_code(paragraph: Sequence[str], label: str) -> bool:
    """A paragraph that reads as code under a language's label (`chatdeck.pasted_code.bare_code`;
    a lowercase label, the way pages write them, may have lines of words under it). Under a
    `yaml` label, YAML's own lines: a mapping (`port: 80`) reads as no code elsewhere, and its
    list (`- name: x`) as Markdown's."""
    if label in YAML_LABELS and _yaml_line(paragraph[0]):  # (`YAML` is a heading)
        leading = next((n for n, line in enumerate(paragraph) if not _yaml_line(line)), None)
        return any(":" in line for line in paragraph[:leading])  # (the block ends there)
    return bare_code(paragraph, labelled=label.islower())


#: The most lines `_code_run` reads of a labelled block's code.
MAX_CODE_RUN = 40


def _code_run(lines: Sequence[str], k: int, stop: int) -> list[str]:
    """The lines with content from line k on, past the blank lines a copy keeps inside code
    (spaces and all: an empty line ends the run), up to the first line of prose: the code a
    label stands over, as much of it as tells what it is."""
    run: list[str] = []
    for j in range(k, min(stop, k + MAX_CODE_RUN)):
        line = lines[j]
        if not line:
            break
        if line.strip():
            if _prose(line):
                break
            run.append(line)
    return run


def _code_part(paragraph: Sequence[str]) -> Sequence[str]:
    """A paragraph's lines up to its first line of prose (a copy runs a code block's last line
    and the reply's next sentence together, with no blank line between); a here-document's
    text is the command's, not prose."""
    k = 0
    while k < len(paragraph):
        closing = _heredoc_end(paragraph, k, len(paragraph))
        if closing is not None:
            k = closing + 1
            continue
        if _prose(paragraph[k]):
            break
        k += 1
    return paragraph[:k]


#: A shell line that opens a here-document (`cat <<'EOF'`): its text runs to the word alone.
HEREDOC = re.compile(r"<<-?[ \t]*+(['\"]?)([A-Za-z_]\w*+)\1[ \t]*+$")


#: The most lines a here-document is looked through for its end (so that many `<<EOF` lines
#: left open cost a bounded look each, not one through the rest of the file).
MAX_HEREDOC = 400


def _heredoc_end(lines: Sequence[str], k: int, stop: int) -> int | None:
    """The line closing the here-document line k opens (before `stop`), or None."""
    opened = HEREDOC.search(lines[k])
    if opened is None:
        return None
    word = opened.group(2)
    window = range(k + 1, min(stop, k + 1 + MAX_HEREDOC))
    return next((j for j in window if lines[j].strip() == word), None)


def _paragraph(lines: Sequence[str], k: int, stop: int) -> Sequence[str]:
    """The lines from k up to the next blank line (or `stop`)."""
    end = k
    while end < stop and lines[end].strip():
        end += 1
    return lines[k:end]


def page_control(lines: Sequence[str], i: int) -> bool:
    """Line i is a chat page's button copied with the chat, alone on its line: a toggle of the
    reasoning (`Show thinking`, the reasoning itself folded away) right on top of the reply's
    first line, or a button right under the table it acts on (`Export to Sheets`: no writer
    puts a line with no `|` right under a table's rows, where Markdown would read it as one
    more row). A request the user typed (`Show reasoning`) stands apart from what follows."""
    line = lines[i]
    if len(line) > MAX_CONTROL or not line.strip():
        return False
    words = line.strip()
    if words.casefold() in TABLE_BUTTONS:
        return i > 0 and lines[i - 1].lstrip().startswith("|")
    if EXPANDER.match(words):  # `Find More` under the code block it folds
        return i > 0 and code_line(lines[i - 1])
    return (
        _reasoning_toggle(words)
        and i + 1 < len(lines)
        and bool(lines[i + 1].strip())  # the button sits right on the reply it folds
    )


def _reasoning_toggle(words: str) -> bool:
    """`Show thinking`, `Hide reasoning`: a page's button over the model's reasoning."""
    toggle = TOGGLE.match(words)
    return toggle is not None and THOUGHT_WORDS.fullmatch(words[toggle.end() :]) is not None


SENTENCE_END_WORD = re.compile(r"^[^\W\d_]++[.!?]$")


def _prose(line: str) -> bool:
    """A line of a reply's text, not of code: words ending in a sentence's punctuation."""
    text = line.strip()
    words = text.split()
    if line[:1].isspace() or len(words) < 2 or not text.endswith(PROSE_END):
        return False
    if words[0].casefold() in CODE_WORDS or not words[0][0].isalpha():
        return False
    if words[0].isupper() and (
        sum(any(ch.isalpha() for ch in word) for word in words) < 2
        or (
            len(words[0]) >= 3
            and words[0].isalpha()
            and len(words) < 6
            and not SENTENCE_END_WORD.match(words[-1])  # `JSON would be easier.`
        )
    ):
        return False  # `COPY . .`, `COPY requirements.txt .`: an instruction and its arguments
    return len(words) >= 6 or not any(ch in CODE_CHARS for ch in text)
