"""Saved chat pages (`.html`, `.htm`, `.mhtml`) -> a conversation of question/answer notes.

A conversation saved from the browser (*Save page as*, a single-file saver, or MHTML) holds the
turns the site had drawn. Each site is a row of `SITES`: how to find its user turns, its replies
and the reply's text, what inside a turn is interface, and how its titles read. A page is read
by the first site its address names (the `saved from url` comment, the canonical link, MHTML's
`Content-Location`), else by the first site whose turns are all in it.

Failing soft is the rule: a page whose markup no longer matches its site's row gives a warning
that names what was not found and no cards, never a wrong card. So is a page that is not a chat
(one warning), a reply whose text is not where the site keeps it (its question is left out),
and turns a site had not drawn when the page was saved (a reply is never given to the question
before a gap).

Each user turn is a question and the replies up to the next one are its answer, as for chat
exports (`chatdeck.exports`): the page becomes an `Export` of one `Conversation`, so the build
treats it as one. The question is the text the user typed, so its identity is that of the same
question pasted as text; the answer is the reply's HTML rebuilt by `chatdeck.reply_html`, never
through Markdown (the note's `answer_format` is "html").
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, UnicodeDammit
from bs4.element import Tag
from bs4.exceptions import ParserRejectedMarkup

from chatdeck.exports import IMAGE_LINE, Conversation, Export
from chatdeck.notes import Note, Problem
from chatdeck.render import RESERVED
from chatdeck.reply_html import IMAGE_NOTE, Interface, Markup, is_icon, rebuild_reply, turn_text
from chatdeck.sources import is_mhtml

#: The parser BeautifulSoup builds the tree with: Python's own. Measured on the fixtures and a
#: 2 MB page, lxml and html5lib find the same turns and give the same cards, html5lib at twice
#: the time, lxml a little slower here (README, "Saved chat pages").
PARSER = "html.parser"
SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.IGNORECASE)
SINGLE_FILE = re.compile(r"<!--\s*Page saved with SingleFile\s+url:\s*(\S+)", re.IGNORECASE)
#: Titles a site gives every page, which name no conversation.
GENERIC_TITLES = frozenset(
    {"", "chatgpt", "claude", "gemini", "google gemini", "perplexity", "ai studio"}
    | {"google ai studio", "new chat", "new conversation", "untitled"}
)


@dataclass(frozen=True, slots=True)
class Site:
    """How one site draws a conversation, as CSS selectors: stable attributes and element
    names wherever the site has them, never long class lists (they change every few months)."""

    key: str
    name: str
    #: Addresses the site's pages are saved from.
    hosts: tuple[str, ...]
    #: A user turn, and an assistant turn (a reply), anywhere in the page.
    user: str
    assistant: str
    #: Inside a reply: the elements that hold its text.
    reply: str
    #: Inside a user turn: the element that holds the text as typed (else the whole turn), or
    #: one element per line.
    question: str = ""
    question_lines: str = ""
    #: A turn the site had not drawn when the page was saved (a placeholder of its scroller).
    gap: str = ""
    #: A reply still being written when the page was saved.
    streaming: str = ""
    markup: Markup = field(default_factory=Markup)
    #: What the site adds to a conversation's title in `<title>`, as regular expressions.
    title_affixes: tuple[str, ...] = ()
    #: Where the page shows the conversation's title, when `<title>` does not say it.
    heading: str = ""
    #: Marks of the site's pages that do not depend on how turns are drawn.
    marks: str = ""


SITES = (
    Site(
        key="chatgpt",
        name="ChatGPT",
        hosts=("chatgpt.com", "chat.openai.com"),
        # The turn (`article` until early 2026, then `section`) when the page has it, else the
        # message; a turn may hold several messages, or none (an image, a tool's placeholder).
        user='[data-turn="user"], [data-message-author-role="user"]',
        assistant='[data-turn="assistant"], [data-message-author-role="assistant"]',
        reply=".markdown",
        question=".whitespace-pre-wrap",
        gap='[data-turn-id-container]:empty:not([data-turn-id-container="client-created-root"])',
        # Citations (the pills after a sentence, the news cards) are left out, as exports do.
        markup=Markup(
            drop='[data-testid="webpage-citation-pill"], [data-testid="nav-list-widget"]',
            code_block="pre",
            code_label=":scope > div > div:first-child",
        ),
        title_affixes=(r"^ChatGPT\s*[-–|:]\s*", r"\s*[-–|]\s*ChatGPT$"),
        heading="nav a[data-active]",
        marks='meta[property="og:site_name"][content="ChatGPT" i], '
        '[data-testid^="conversation-turn-"], [data-turn-id]',
    ),
    Site(
        key="claude",
        name="Claude",
        hosts=("claude.ai",),
        user='[data-testid="user-message"]',
        assistant="[data-is-streaming]",
        reply=".standard-markdown, .progressive-markdown",
        streaming='[data-is-streaming="true"]',
        # Reasoning and tool use sit in the first row of the reply's grid, the reply in the
        # second (which has a first row of its own, kept).
        markup=Markup(
            drop='[class*="grid-rows-"] > .row-start-1',
            code_block='[class~="group/copy"]:has(pre)',
            code_label='[class~="group/copy"] > :not(:has(pre))',
        ),
        title_affixes=(r"\s*[-–|]\s*Claude$",),
        heading='[data-testid="chat-title-button"]',
        marks='html[data-theme="claude"], [data-testid="chat-title-button"], '
        "[data-test-render-count]",
    ),
    Site(
        key="gemini",
        name="Gemini",
        hosts=("gemini.google.com", "bard.google.com"),
        user="user-query",
        assistant="model-response",
        reply="message-content",
        question=".query-text",
        question_lines=".query-text-line",
        markup=Markup(
            drop="model-thoughts, .table-footer, sources-list, message-actions",
            code_block="code-block",
            code_label=".code-block-decoration > span",
        ),
        title_affixes=(r"\s*[-–|]\s*(?:Google\s+)?Gemini$",),
        heading='[data-test-id="conversation"].selected .conversation-title',
        marks="chat-app, bard-sidenav, chat-window, infinite-scroller",
    ),
    # From DOM notes only, no capture (tests/fixtures/pages/README.md): AI Studio draws only
    # the turns on screen, and leaves the others as empty placeholders.
    Site(
        key="aistudio",
        name="AI Studio",
        hosts=("aistudio.google.com",),
        user='[data-turn-role="user" i]:has(.turn-content:not(:empty))',
        assistant='[data-turn-role="model" i]:has(.turn-content:not(:empty))',
        reply=".turn-content",
        question=".turn-content",
        gap="[data-turn-role]:not(:has(.turn-content:not(:empty)))",
        markup=Markup(
            drop=".author-label, .actions-container, ms-thought-chunk, ms-search-entry-point"
        ),
        title_affixes=(r"\s*[-–|]\s*(?:Google\s+)?AI\s*Studio$",),
        marks="ms-app, ms-chat-session, ms-chat-turn, ms-prompt-chunk",
    ),
    Site(
        key="perplexity",
        name="Perplexity",
        hosts=("perplexity.ai",),
        user='[class~="group/query"]',
        assistant='[id^="markdown-content-"]',
        reply=".prose",
        markup=Markup(drop="[data-pplx-citation], .citation"),
        title_affixes=(r"\s*[-–|]\s*Perplexity(?:\.ai)?$",),
        heading='h1[class~="group/query"]',
        marks='meta[property="og:site_name"][content="Perplexity" i]',
    ),
)
#: Chat sites whose pages are recognized by their address but not read (no capture to learn
#: their markup from; see tests/fixtures/pages/README.md).
UNREAD_SITES = {
    "grok.com": "Grok",
    "chat.deepseek.com": "DeepSeek",
    "chat.mistral.ai": "Le Chat",
    "copilot.microsoft.com": "Copilot",
    "poe.com": "Poe",
}
SITE_NAMES = ", ".join(site.name for site in SITES[:-1]) + " or " + SITES[-1].name


def read_page(path: Path, source: str) -> Export:
    """A saved page's conversation. Never raises: every problem is in the result."""
    page = Export(source)
    try:
        data = path.read_bytes()
    except OSError as error:
        page.problems.append(Problem(source, None, f"cannot read: {error.strerror or error}"))
        return page
    try:
        _read(data, path, page)
    except RecursionError:
        page.problems.append(Problem(source, None, "skipped: the page is nested too deeply"))
    except ParserRejectedMarkup:  # html.parser gives up on a few malformed declarations
        page.problems.append(Problem(source, None, "skipped: not readable as HTML"))
    return page


# --- reading ------------------------------------------------------------------------------


@dataclass
class _Exchange:
    question: str
    images: int = 0
    replies: list[str] = field(default_factory=list)
    #: Reply elements whose text was found, and not found (ChatGPT can split a reply into
    #: several, some of them tool calls without text). None found: the question has no card.
    read: int = 0
    unread: int = 0

    @property
    def lost(self) -> bool:
        return self.unread > 0 and self.read == 0


def _read(data: bytes, path: Path, page: Export) -> None:
    def problem(message: str) -> None:
        page.problems.append(Problem(page.source, None, message))

    unpacked = _unpack(data)
    if unpacked is None:
        problem("skipped: an MHTML archive with no HTML page in it")
        return
    markup, addresses = unpacked
    # As a browser reads HTML: every line break is a line feed (MHTML's parts use CR LF).
    markup = markup.replace("\r\n", "\n").replace("\r", "\n")
    soup = BeautifulSoup(markup, PARSER)
    addresses += _addresses(markup, soup)
    site, unread = _site_of(soup, addresses)
    if unread:
        problem(f"skipped: a saved {unread} page; chatdeck reads pages from {SITE_NAMES}")
        return
    if site is None:
        problem(f"skipped: an HTML page, but not a conversation saved from {SITE_NAMES}")
        return
    turns = _turns(soup, site)
    users = [element for element, role in turns if role == "user"]
    replies = [element for element, role in turns if role == "assistant"]
    if not users or not replies:
        missing = [
            f"no {what} (`{selector}`)"
            for what, selector, found in (
                ("user turn", site.user, users),
                ("reply", site.assistant, replies),
            )
            if not found
        ]
        problem(
            f"looks like a saved {site.name} page, but its conversation was not found: "
            f"{' and '.join(missing)}; {site.name}'s markup may have changed since chatdeck "
            "learned it. No cards from this page"
        )
        return

    interface = Interface(soup, site.markup)
    exchanges: list[_Exchange] = []
    current: _Exchange | None = None
    gaps = orphans = images = formulas = streaming = 0
    for element, role in turns:
        if role == "gap":
            gaps += 1
            current = None  # what follows a gap never answers the question before it
        elif role == "user":
            holder = element.select_one(site.question) if site.question else None
            text, _ = turn_text(holder or element, interface, site.question_lines)
            uploads = [i for i in element.find_all("img") if not interface.within(i, element)]
            current = _Exchange(text, len(uploads))
            exchanges.append(current)
        elif current is None:
            orphans += 1
        else:
            bodies = [
                body
                for body in _outermost(element.select(site.reply))
                if not interface.within(body, element)
            ]
            if not bodies:
                shown, _ = turn_text(element, interface)
                pictures = _pictures(element)
                if shown:  # text, but not where the site keeps a reply's: its markup changed
                    current.unread += 1
                elif pictures:  # a reply that is only images (ChatGPT's image generation)
                    images += pictures
                    current.read += 1
                    current.replies.append(f"<p>{' '.join([IMAGE_NOTE] * pictures)}</p>")
                continue  # nothing shown at all: a tool's placeholder
            current.read += 1
            rebuilt = rebuild_reply(bodies, interface)
            images += rebuilt.images
            formulas += rebuilt.formulas_without_tex
            if site.streaming and (
                element.css.match(site.streaming) or element.select_one(site.streaming)
            ):
                streaming += 1
            if rebuilt.html:
                current.replies.append(rebuilt.html)

    title = _title(soup, site, path)
    lost = sum(exchange.lost for exchange in exchanges)
    if lost:
        problem(
            f"{lost} of {len(exchanges)} question(s) left out: no `{site.reply}` (the reply's "
            f"text) in their reply; {site.name}'s markup may have changed"
        )
    if gaps:
        problem(
            f"{gaps} turn(s) had not been drawn by {site.name} when the page was saved "
            "(long chats are drawn a part at a time), so questions are missing; scroll through "
            "the whole conversation before saving it"
            + (f"; {orphans} repl(ies) after them are left out" if orphans else "")
        )
    elif orphans:
        problem(
            f"{orphans} repl(ies) before the first question on the page are left out: the page "
            "may start in the middle of the conversation (scroll to its top before saving it)"
        )
    if streaming:
        problem("a reply was still being written when the page was saved: it may be cut short")
    if images:
        problem(f"{images} image(s) not included, shown as {IMAGE_LINE}")
    if formulas:
        problem(
            f"{formulas} formula(s) whose TeX source the page did not keep, shown as "
            "[formula not included]"
        )
    notes = _notes(exchanges, page.source, title, site, problem)
    page.conversations.append(Conversation(title, None, tuple(notes), site=site.name))


def _notes(
    exchanges: list[_Exchange],
    source: str,
    title: str,
    site: Site,
    problem: Callable[[str], None],
) -> list[Note]:
    """One note per question whose reply was read, as `chatdeck.exports` pairs turns."""
    notes = []
    for exchange in exchanges:
        if exchange.lost:
            continue
        question = exchange.question
        if exchange.images:
            question = "\n\n".join(part for part in (question, IMAGE_LINE) if part)
        if not exchange.question:
            if exchange.replies:
                problem(
                    "a message with no text (only an image or a file) is not a card; "
                    "its reply is left out"
                )
            continue
        if not exchange.replies:
            problem(f"no reply to {_snippet(question)}")
        notes.append(
            Note(
                source=source,
                line=None,
                question=question,
                answer="\n".join(exchange.replies),
                rule=f"{site.key} page",
                confidence="high",
                conversation=title,
                answer_format="html",
            )
        )
    return notes


# --- the page and its site ------------------------------------------------------------------


def _unpack(data: bytes) -> tuple[str, list[str]] | None:
    """The page's HTML as text, and the addresses an MHTML archive names it by. An MHTML
    archive (what Chrome's "Webpage, single file" writes) is a MIME message: its first
    text/html part is the page."""
    if is_mhtml(data[:8192]):
        message = email.message_from_bytes(data, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/html" and isinstance(part, EmailMessage):
                try:
                    text = part.get_content()
                except (LookupError, ValueError):
                    payload = part.get_payload(decode=True)
                    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
                addresses = [
                    str(value)
                    for value in (
                        message.get("Snapshot-Content-Location"),
                        part.get("Content-Location"),
                    )
                    if value
                ]
                return str(text), addresses
        return None
    decoded = UnicodeDammit(data, is_html=True).unicode_markup
    return (decoded if decoded is not None else data.decode("utf-8", "replace")), []


def _addresses(markup: str, soup: BeautifulSoup) -> list[str]:
    """Where the page was saved from, as the page itself says it."""
    start = markup[:8192]
    matches = (SAVED_FROM.search(start), SINGLE_FILE.search(start))
    found = [match.group(1) for match in matches if match]
    head = soup.find("head")
    head = head if isinstance(head, Tag) else soup
    for selector, attribute in (
        ('link[rel~="canonical"]', "href"),
        ('meta[property="og:url"]', "content"),
        ("base", "href"),
    ):
        element = head.select_one(selector)
        value = element.get(attribute) if element else None
        if isinstance(value, str):
            found.append(value)
    return found


def _host(address: str) -> str:
    try:
        host = urlsplit(address.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _site_of(soup: BeautifulSoup, addresses: list[str]) -> tuple[Site | None, str | None]:
    """(the site whose row reads the page, the name of a chat site chatdeck does not read).

    The page's address decides when it names a chat site. Otherwise (an archive, a mirror, no
    address at all) a site whose user turns and replies are both in the page reads it; failing
    that, one whose marks are in it (its markup has changed: the caller says so)."""
    for address in addresses:
        host = _host(address)
        for site in SITES:
            if any(host == known or host.endswith("." + known) for known in site.hosts):
                return site, None
        for known, name in UNREAD_SITES.items():
            if host == known or host.endswith("." + known):
                return None, name
    for site in SITES:
        if soup.select_one(site.user) and soup.select_one(site.assistant):
            return site, None
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    for site in SITES:
        if (site.marks and soup.select_one(site.marks)) or any(
            re.search(affix, title) for affix in site.title_affixes
        ):
            return site, None
    return None, None


def _turns(soup: BeautifulSoup, site: Site) -> list[tuple[Tag, str]]:
    """User turns, replies and gaps, in page order; none inside another, none hidden."""
    selectors = [site.user, site.assistant] + ([site.gap] if site.gap else [])
    turns: list[tuple[Tag, str]] = []
    for element in _outermost(soup.select(", ".join(selectors))):
        if element.has_attr("hidden") or element.find_parent(attrs={"hidden": True}):
            continue
        if site.gap and element.css.match(site.gap):
            turns.append((element, "gap"))
        else:
            turns.append((element, "user" if element.css.match(site.user) else "assistant"))
    return turns


def _pictures(turn: Tag) -> int:
    """The images a turn shows (not the copies a site stacks under one, which it hides)."""
    return sum(
        1
        for image in turn.find_all("img")
        if image.get("aria-hidden") != "true"
        and not image.find_parent("button")
        and not is_icon(image)
    )


def _outermost(elements: list[Tag]) -> list[Tag]:
    """The elements that are not inside another of them, in order."""
    chosen = {id(element) for element in elements}
    return [
        element
        for element in elements
        if not any(id(parent) in chosen for parent in element.parents)
    ]


def _title(soup: BeautifulSoup, site: Site, path: Path) -> str:
    """The conversation's title: `<title>` without the site's affixes, else the title the page
    shows, else the file's name (which browsers take from the title)."""
    titles = [t for t in soup.find_all("title", limit=8) if not t.find_parent("svg")]
    candidates = [titles[0].get_text() if titles else ""]
    heading = soup.select_one(site.heading) if site.heading else None
    if heading is not None:
        candidates.append(heading.get_text(" "))
    candidates.append(path.stem)
    for candidate in candidates:
        title = " ".join(RESERVED.sub("\ufffd", candidate).split())
        for affix in site.title_affixes:
            title = re.sub(affix, "", title).strip()
        if title.casefold() not in GENERIC_TITLES:
            return title
    return ""


def _snippet(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return repr(line if len(line) <= 60 else line[:59] + "…")
