"""What one line of a chat log may be, read on its own: a turn marker's shape and label
(`## 👤 You` -> `## <label>`, `You`), the role a label's words hint at in any language, a
separator, a date, a tool's prompt prefix. The readers of whole files (`marked_turns`,
`logged_turns`, `page_turns`) decide from these which lines mark the file's turns.
"""

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

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


# --- Words: hints, never the only reason ----------------------------------------------------------

USER_WORDS = frozenset(
    "user you me human prompt question i 我 用户 用戶 使用者 你 ユーザー あなた 사용자 나 "
    "пользователь я вы ты usuario usuaria tú yo utilisateur utilisatrice vous moi benutzer "
    "nutzer du ich utente io usuário você eu gebruiker użytkownik kullanıcı ben المستخدم أنت "
    "उपयोगकर्ता mensch человек користувач uživatel užívateľ utilizator pengguna χρήστης "
    "משתמש کاربر صارف ব্যবহারকারী பயனர் ผู้ใช้ mtumiaji käyttäjä felhasználó bruker "
    "användare bruger notandi kasutaja lietotājs naudotojas korisnik корисник потребител "
    "erabiltzailea usuari".casefold().split()  # (as `label_words` reads a label: Greek's final σ)
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
#: (`led_candidate`).
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
#: How a line that introduces what follows ends (the Ethiopic preface colon too).
COLONS = (":", "：", "፦")
PROSE_END = (".", "!", "?", "。", "！", "？", "…", "։", "।", "؟", "۔", "።", "။", *COLONS)
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
    r"\b(?:can|may) make mistakes\b|\bcheck important info\b|\bmay not be accurate\b"
    r"|\bai-generated, for reference only\b",
    re.I,
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


def led_candidate(line: str) -> Candidate | None:
    """A heading whose label, ended by its colon, comes after a lead the tool writes before
    it (`* *llama3.1:8b* ⚒ >> PROMPT: text`): the marker is read without the lead, which may
    change from turn to turn (the model named) and is no part of the label.
    Such a reading is taken only as the user's marker of a pair of shapes (`paired_turns`),
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
    whose label comes after a lead, `led_candidate`, is read apart, by `paired_turns` alone.)
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
    words = label_words(key)
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
        if vendor and names_a_model(label_words(label[vendor.end() :].casefold())):
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
        words = label_words(key)
        return Candidate(QUOTED_SHAPE, label, key, None, words, "")
    attribute = ROLE_ATTRIBUTE.match(line.strip())
    if attribute:
        label = attribute.group(3).strip()
        key = label.casefold()
        if role_hint(label_words(key)) is None:
            return None
        shape = f"<{attribute.group(1).strip()} {attribute.group(2)}=<label>>"
        return Candidate(shape, label, key, None, label_words(key), "")
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
        named = label_words(note)
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
                glued_role is None or role_hint(label_words(glued_role.group(1).casefold())) is None
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
        text = without_date(text)
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
        noted = label_words(annotation.group(1))
        text = text[: annotation.start()].strip()
    colon = ""
    colons = {sep: _label_colon(text, sep) for sep in (":", "：")}
    # the first colon of either kind ends the label (`你：I have this code:`) where a full-width
    # one names a role; else the ASCII one (`时间：10:30 开始`: a note's field, no speaker)
    order = sorted(colons, key=lambda sep: colons[sep] if colons[sep] > 0 else len(text))
    if order[0] == "：" and colons[":"] > 0:
        if role_hint(label_words(text[: colons["："]].strip("*_ ").casefold())) not in (
            USER,
            ASSISTANT,
        ):
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
                if not names_a_model(label_words(text.casefold())):
                    return None  # `model.eval(): text`: a method a list names, no speaker
            text = PARENTHETICAL.sub("", text).strip()  # `**Assistant (GPT-4)**:`
            text = BRACKET_NOTE.sub("", text).strip() or text  # `Grok [DEEPSEARCH]:`
            role = label_words(after)
            if enclosed and heading and len(role) == 1 and role_hint(role, "") in (USER, ASSISTANT):
                # `** [llama3.1:8b: RESPONSE]`: a bracket holding a heading's label holds no
                # message's text; the role word after the colon is the label, the name before
                # it a hint. On a line that is no heading, `[Note: user]` is a person's aside,
                # a word and what it names, and reads as before (label `Note`).
                noted = label_words(text)
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
    words = label_words(key)
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
        modelled = len(text.split()) <= 3 and ":" in text and model_and_version(text, words)
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
        if len(text.split()) > 1 and not model_and_version(text, words):
            if not product_name(text) and (
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
    words = label_words(text.casefold())
    if names_thinking(text) and len(words) <= 3:
        return True
    # (`GPT-4o`: a model's name and version; `Asistente SQL`: a role's word, then a name)
    parts = text.split()
    named = (
        len(parts) == 2 and parts[1][:1].isupper() and role_hint(label_words(parts[0])) is not None
    )
    one = len(words) == 1 or names_a_model(words) or named
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


def without_date(text: str) -> str:
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
    found = candidate(line) if may_mark(line) else None
    if found is None or found.inline is not None:
        return False
    if not found.words:
        return hinted_role(found) in (USER, ASSISTANT)
    return found.words <= USER_WORDS | ASSISTANT_WORDS | {"said", "role"}


def may_mark(line: str) -> bool:
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


def partner_labels(
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
    if hinted_role(found[marks[0]]) != USER:
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
    partner = Candidate("<label>", text, key, None, label_words(key), "")
    return {here[text]: partner for here in seen}


#: An avatar image's alternative text, which a page copied whole brings with every message of
#: a speaker (`Avatar`, `Bot avatar`, `User profile picture`).
AVATAR = re.compile(
    r"^(?:[^\W\d_][\w.'’-]{0,30}+[ \t]++)?(?:avatar|profile[ \t]++(?:picture|image|photo))$", re.I
)
AVATAR_SHAPE = "<avatar>"


def avatar_labels(
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
    if any(next_content(lines, j + 1, len(lines)) != j + 1 for j in marks):
        return {}  # (each right over its message's text)
    labels = {j: lines[j].strip() for j in marks}
    return {
        j: Candidate(AVATAR_SHAPE, label, label.casefold(), None, label_words(label.casefold()), "")
        for j, label in labels.items()
    }


def _avatar_partner(
    lines: Sequence[str], text: Sequence[bool], content: list[int], avatars: list[int]
) -> list[int] | None:
    """The other speaker's avatar where one speaker's has an image (see `avatar_labels`): the
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
    prompt = next_content(lines, mark + 1, j)
    return next_content(lines, prompt + len(paragraph_at(lines, prompt, j)), j) == j


def hinted_role(found: Candidate) -> str | None:
    """The role a label's words or emoji, and the words noted after it (a model's name: `·
    *GPT-4o*`, `[claude-sonnet-4 - anthropic]`; a model named for thinking is still a model),
    hint at, if any."""
    return role_hint(found.words | (found.noted - REASONING_WORDS), found.emoji)


#: How the names of the common model families start (`gpt-4o`, `claude`, `llama3.1`).
MODEL_FAMILIES = ("gpt", "claude", "gemini", "llama", "qwen")


def names_a_model(words: frozenset[str]) -> bool:
    return any(word.startswith(MODEL_FAMILIES) for word in words)


#: Assistants named for their product, the last word of a maker's name for it (`GitHub
#: Copilot`, `Google Gemini`): a label of two words that names a speaker.
PRODUCT_NAMES = frozenset(
    "chatgpt claude gemini bard copilot deepseek llama mistral qwen kimi grok perplexity".split()
)


def product_name(text: str) -> bool:
    """`GitHub Copilot`, `Microsoft Copilot`: a maker's name and its assistant's."""
    parts = text.split()
    return len(parts) == 2 and parts[0][:1].isupper() and parts[1].casefold() in PRODUCT_NAMES


def model_and_version(text: str, words: frozenset[str]) -> bool:
    """`GPT 3.5 Turbo`, `Claude 3.5 Sonnet`, `Llama 3.1`: a model family's name and a version
    number, a model's name in words (a chat bot labels its replies with it)."""
    return names_a_model(words) and any(ch.isdigit() for ch in text)


def model_lines(
    found: dict[int, Candidate], members: list[int], hints: dict[str, str | None]
) -> set[str]:
    """Labels read only as a model's name and version on a plain line (`GPT 4 Turbo: text`)
    beside another label of the model's (`ChatGPT:`, `Assistant:`): lines of a turn (a model's
    answer the user pastes to be judged, `Gemini 3:` in a list of the reply), not replies."""
    keys = {found[i].key for i in members}
    modelled = {
        k for k in keys if all(names_model_in_line(found[i]) for i in members if found[i].key == k)
    }
    if not any(hints[k] == ASSISTANT for k in keys - modelled):
        return set()
    return modelled


def names_model_in_line(found: Candidate) -> bool:
    """A plain `Label: text` line whose label of several words is a model's name and version
    (`GPT 4 Turbo: text`): read so only by `model_and_version`."""
    return (
        found.shape == "<label>:"
        and found.inline is not None
        and len(found.label.split()) > 1
        and model_and_version(found.label, found.words)
    )


def label_words(text: str) -> frozenset[str]:
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
    if names_a_model(words):
        assistant = True
    if user and not assistant:
        return USER
    if assistant and not user:
        return ASSISTANT
    return None


# --- Lines between turns: separators, metadata, dates ------------------------------------------


def is_separator(line: str) -> bool:
    """A rule between turns; never a fence (`~~~` opens code, whatever a line of `~` looks like)."""
    if BARE_FENCE.match(line):
        return False
    return bool(THEMATIC.match(line) or RULE_LINE.match(line) or HR_TAG.match(line))


def edge_form(line: str) -> tuple[str, ...] | None:
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


# --- What the readers of whole files share: blocks, prefixes, short readings --------------------


UNSPACED_SCRIPT = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af]")


@dataclass
class Block:
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


def without_quote_mark(line: str) -> str:
    """A quoted line without the tool's `> ` (or `>`)."""
    return line[2:] if line.startswith("> ") else line[1:]


#: The first letters of month names, as a chat page writes a message's date (`Mar 12`, `12 mars`,
#: `12. Okt.`, `ago 3`) in the languages its interface is offered in.
MONTH_STEMS = frozenset(
    "jan feb mar apr may jun jul aug sep oct nov dec fév fev avr mai jui aoû aou déc mär mae okt "
    "dez ene abr ago dic set out gen mag giu lug ott maa mei mrt".split()
)
DATE = (
    r"(?:(?P<before>[^\W\d_]{3,10}+)\.?[ \t]++\d{1,2}(?:st|nd|rd|th)?(?:,?[ \t]++\d{4})?"
    r"|\d{1,2}\.?[ \t]++(?:de[ \t]++)?(?P<after>[^\W\d_]{3,10}+)\.?(?:[ \t]++(?:de[ \t]++)?\d{4})?"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|(?:\d{4}[年년][ \t]?)?\d{1,2}[月월][ \t]?\d{1,2}[日일])"
)
TIME = r"(?:[上下]午|오[전후][ \t]?)?\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp]\.?[Mm]\.?)?"
#: A message's date or time alone on a line, as a chat page shows it under a message: `Mar 12`,
#: `12 March 2026`, `2026-03-12`, `3/12/26`, `4:50 AM`, `3月12日`, `3월 12일`, `Mar 12, 4:50 PM`.
DATE_ONLY = re.compile(rf"^(?:{DATE}(?:,?[ \t]++(?:at[ \t]++)?{TIME})?|{TIME})$")


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


#: A page's button that unfolds a long message, copied with it (`Show more`).
EXPANDER = re.compile(r"^(?:show|see|read|view|find)[ \t]++(?:more|less|all)$", re.I)


def model_menu(line: str) -> bool:
    """A line that only names a model and its version (`qwen3:8b`, `GPT-4o mini`): a page's
    model menu."""
    text = line.strip()
    return len(text.split()) <= 3 and model_and_version(text, label_words(text.casefold()))


#: The page's words around a model's name on its label: its picture's (`Avatar for Assistant`).
PICTURE_WORDS = frozenset("avatar for icon image picture profile of logo".split())


#: A fenced container's opening line with its name (`:::Katabang`, `::: assistant`), and its
#: closing line (`:::`), as Pandoc and markdown-it-container write them.
CONTAINER_OPEN = re.compile(r"^(:{3,}+)[ \t]*+([^\W\d_][\w .'’-]{0,40}?)[ \t]*+$")
CONTAINER_CLOSE = re.compile(r"^:{3,}+[ \t]*+$")


#: A command to a chat tool (`/export`, `/clear history`): a slash, a word, a few arguments.
TOOL_COMMAND = re.compile(r"^/[^\W\d_][\w-]{0,30}+(?:[ \t]++[^\s/][^\s]{0,60}+){0,3}+$")
COMMAND_LEFT = "a command to the tool, with no reply"


def tool_command(lines: Sequence[str], block: Block, inline: str | None) -> bool:
    """A user turn that is only a command to the tool (`/export`)."""
    body = [lines[j].strip() for j in range(block.start, block.end) if lines[j].strip()]
    if inline is not None and inline.strip():
        body.insert(0, inline.strip())
    return len(body) == 1 and bool(TOOL_COMMAND.match(body[0]))


#: The label of a turn found by its prefix, not by a marker line.
PREFIXED = "prefix"
#: Prefixes a tool may write before each line of the user's turn: a heading's hashes (aider's
#: `#### `), a REPL's prompt (`>>> `).
#: A terminal's prompt symbol (`❯ `, `› `): a REPL's prompt with no name before it.
PROMPT_SYMBOLS = ("❯", "›")
PREFIXES = tuple("#" * level for level in range(1, 7)) + (">>>", *PROMPT_SYMBOLS)


def has_prefix(line: str, prefix: str) -> bool:
    return line.startswith(prefix) and (len(line) == len(prefix) or line[len(prefix)] in " \t")


def has_content(lines: Sequence[str], start: int, stop: int) -> bool:
    return any(lines[k].strip() for k in range(start, stop))


#: The user's role words that name the user in the third person (not `you`, `I`): a model's
#: reasoning opens by restating the request (`The user runs FastAPI ...`).
THIRD_PERSON_USER = USER_WORDS - PRONOUNS - {"prompt", "question"}


def names_the_user(line: str) -> bool:
    """The line opens by speaking of the user in the third person (`The user asks`, `Okay, the
    user wants`, `好的，用户问的是`: in a script written without spaces, the word inside a
    longer run of letters), as a model's reasoning opens by restating the request."""
    opening = " ".join(line.split()[:4])
    if label_words(opening) & THIRD_PERSON_USER:
        return True
    return any(word in line[:12] for word in THIRD_PERSON_USER if UNSPACED_SCRIPT.search(word))


def names_thinking(label: str) -> bool:
    words = re.split(r"[\W_]+", label.casefold())
    return bool(THOUGHT_WORDS.match(label.strip("*_ "))) or any(w in REASONING_WORDS for w in words)


#: Words that only label the reply's answer under its reasoning (`### Response`).
RESPONSE_WORDS = frozenset(
    "response answer reply final 回答 答案 回复 回覆 応答 답변 ответ respuesta réponse "
    "antwort risposta resposta antwoord odpowiedź yanıt".split()
)


def next_content(lines: Sequence[str], k: int, stop: int) -> int:
    while k < stop and not lines[k].strip():
        k += 1
    return k


def paragraph_at(lines: Sequence[str], k: int, stop: int) -> Sequence[str]:
    """The lines from k up to the next blank line (or `stop`)."""
    end = k
    while end < stop and lines[end].strip():
        end += 1
    return lines[k:end]


def reasoning_toggle(words: str) -> bool:
    """`Show thinking`, `Hide reasoning`: a page's button over the model's reasoning."""
    toggle = TOGGLE.match(words)
    return toggle is not None and THOUGHT_WORDS.fullmatch(words[toggle.end() :]) is not None
