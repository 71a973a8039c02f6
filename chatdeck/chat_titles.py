"""A chat log's title, from its header: a front matter or metadata `title:`, a heading's or a
link's text; never a tool's, an exporter's or an interface's line (`Skip to content`, `Chat
exported from ...`, a save date or the address the chat was saved from).
"""

import re
import unicodedata
from collections.abc import Sequence

from chatdeck.turn_markers import (
    ASSISTANT_WORDS,
    DATE_TIME,
    DIGIT,
    HEADING,
    MODEL_FAMILIES,
    TIME_OF_DAY,
    UNSPACED_SCRIPT,
    USER,
    USER_WORDS,
    Block,
    label_words,
    names_a_model,
    reasoning_toggle,
    without_date,
)


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
    words = label_words(title.casefold())
    name = words - KIND_WORDS
    if not name or name == words:
        return False
    return any(
        BANNER_TAG.search(line) and label_words(BANNER_TAG.sub(" ", line)) == name for line in below
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


#: A chat app's button that starts another chat, first in its sidebar or top bar (`New chat`,
#: `New Session`, `Start a new conversation`).
NEW_CHAT_BUTTON = re.compile(
    r"^(?:\+[ \t]*+)?(?:start[ \t]++)?(?:a[ \t]++)?new[ \t]++"
    r"(?:chat|session|conversation|thread|topic)$",
    re.I,
)


def interface_line(text: str) -> bool:
    """A chat page's own line copied with the chat (`Skip to content`, `Show thinking`, `New
    Session`): never a title."""
    words = text.strip()
    return (
        reasoning_toggle(words)
        or words.casefold() in INTERFACE_TITLES
        or NEW_CHAT_BUTTON.match(words) is not None
    )


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


def title_from(
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
        undated = without_date(text)
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
            and not model_only(label_words(text.casefold()))  # (`# : gpt-4`: the tool's model line)
            and not _recurs_with_another_value(lines, i, prose)
        ):
            if not _names_a_site(text):
                return text, i
        return None, None
    listed = _listed_above(lines, header, prose)
    return listed if listed[0] is not None else _named_over_metrics(lines, header)


def _recurs_with_another_value(lines: Sequence[str], i: int, prose: Sequence[bool]) -> bool:
    """The heading on line i ends with a value (a number, an id, `None`) and comes again further
    down with another value (`## context None` at the top, `## context 1` after each reply): a
    tool's record line, not the file's title."""
    head, _, value = lines[i].strip().rpartition(" ")
    if not head.lstrip("#").strip() or not _value_word(value):
        return False
    return any(
        (other := line.strip().rpartition(" "))[0] == head
        and other[2] != value
        and _value_word(other[2])
        for j, line in enumerate(lines[i + 1 :], i + 1)
        if prose[j]  # (a code block's comment, `# Dockerfile for Python 3.11`, is the code's)
    )


def _value_word(word: str) -> bool:
    """A word a tool writes as a value: with a digit in it, or `None` / `null`."""
    return any(ch.isdigit() for ch in word) or word.casefold() in ("none", "null")


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


def model_only(words: frozenset[str]) -> bool:
    """Words that only name a model (`Claude 3.5 Sonnet`, `GPT-4o`)."""
    return names_a_model(words) and all(
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
        model_only(label_words(part.casefold())) or RELATIVE_TIME.match(part.strip())
        for part in parts
    ):
        return False  # `2 hours ago • llama3.1:8b`: the chat's age and model, the page's status
    words = label_words(name.casefold())
    return not (
        _kind_only(name)
        or words <= PAGE_WORDS | USER_WORDS | ASSISTANT_WORDS
        or model_only(words)
        or _names_a_site(name)
    )  # `Chat`, `Home`, `Assistant`, `Claude 3.5 Sonnet`: the page's words


def named_by_first_prompt(
    lines: Sequence[str], header: list[int], blocks: list[Block]
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
    return (exported or transcribed) and not any(name & label_words(line) for line in rest)


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
