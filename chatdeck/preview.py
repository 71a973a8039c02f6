"""`--preview`: one self-contained HTML page with every card, to check a build before importing it.

Each card is shown front and back, filled in from the templates the way Anki fills them, inside a
`.card` element styled by the note type's CSS, under a line that gives its number, deck, tags,
source, whether its question was guessed, what the build changed about it (new, updated,
removed) and its warnings. A bar at the top searches every card's text, deck and tags, filters
to guessed questions, cards with warnings or changed cards, switches night mode (the
`nightMode night_mode` classes Anki puts on the card) and, on a wide screen, narrows the cards
to a phone's 360 px. Offscreen cards are not laid out (`content-visibility`), so a page of
thousands of cards opens and filters quickly.

The page is one file: its CSS and a little vanilla JavaScript are inline, and nothing is loaded
from the network. Math shows as its TeX source, marked as such: Anki's MathJax typesets it in
the app, and bundling MathJax (1.3 MB of script and 0.4 MB of fonts) into every preview would
outweigh most decks' cards.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from chatdeck.notes import CardNote
from chatdeck.package import FIELDS, atomic_write
from chatdeck.render_cache import RenderCache
from chatdeck.templates import Templates

FIELD = re.compile(r"\{\{\s*([^{}#/^]+?)\s*\}\}")
#: What the build's change report says about a note.
STATUSES = ("new", "updated", "unchanged", "removed")
#: The statuses that count as changed (the filter "Changed").
CHANGED = ("new", "updated", "removed")


@dataclass(frozen=True, slots=True)
class PreviewCard:
    """One note as the preview shows it: its fields' HTML (Question, Answer, Source), its deck
    and tags, whether its question was guessed (a rule of confidence below high), what the build
    changed about it (`status`: one of `STATUSES`, None when unknown) and its warnings."""

    fields: tuple[str, str, str]
    deck: str
    tags: tuple[str, ...] = ()
    guessed: bool = False
    status: str | None = None
    warnings: tuple[str, ...] = ()


def fill(template: str, fields: Mapping[str, str]) -> str:
    """Anki's plain field replacements ({{Question}}, {{FrontSide}}); unknown names stay empty."""
    return FIELD.sub(lambda match: fields.get(match.group(1), ""), template)


# TeX for Anki's MathJax, in text outside `pre` and `code` (where MathJax looks for it).
TEX = re.compile(r"\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]")
TAG = re.compile(r'(<[^>"]*(?:"[^"]*"[^>"]*)*>)')
SKIPPED = re.compile(r"<(/?)(pre|code)\b")


def mark_tex(card_html: str) -> str:
    """Each formula wrapped in `<span class="pv-tex">`, so the page can show it as TeX source."""
    if "\\(" not in card_html and "\\[" not in card_html:
        return card_html
    parts = TAG.split(card_html)  # text, tag, text, tag, ..., text
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:
            opening = SKIPPED.match(part)
            if opening:
                depth += -1 if opening.group(1) else 1
        elif depth <= 0:
            parts[i] = TEX.sub(lambda m: f'<span class="pv-tex">{m.group(0)}</span>', part)
    return "".join(parts)


def _section(number: int, card: PreviewCard, templates: Templates) -> str:
    fields = dict(zip(FIELDS, card.fields, strict=True))
    front = fill(templates.front, fields)
    back = fill(templates.back, {**fields, "FrontSide": front})
    flags = []
    badges = []
    if card.guessed:
        flags.append("guessed")
        badges.append('<span class="pv-badge pv-guessed">guessed question</span>')
    if card.warnings:
        flags.append("warned")
        count = len(card.warnings)
        badges.append(f'<span class="pv-badge pv-warned">{count} warning{"s" * (count > 1)}</span>')
    if card.status in STATUSES:
        flags.append(card.status)
        if card.status in CHANGED:
            flags.append("changed")
        badges.append(f'<span class="pv-badge pv-{card.status}">{card.status}</span>')
    deck = html.escape(card.deck)
    tags = "".join(
        f'<button type="button" class="pv-tag" data-search="{html.escape(tag)}">'
        f"{html.escape(tag)}</button>"
        for tag in card.tags
    )
    warnings = ""
    if card.warnings:
        items = "".join(f"<li>{html.escape(warning)}</li>" for warning in card.warnings)
        warnings = f'<ul class="pv-warnings">{items}</ul>'
    return (
        f'<section class="pv-card" id="card-{number}" data-flags="{" ".join(flags)}">\n'
        f'<div class="pv-meta"><a class="pv-number" href="#card-{number}">{number}</a>'
        f'<button type="button" class="pv-deck" data-search="{deck}">{deck}</button>'
        f'{tags}{"".join(badges)}<span class="pv-source">{card.fields[2]}</span></div>\n'
        f"{warnings}"
        f'<div class="pv-pair">\n'
        f'<div class="pv-side"><div class="pv-label">Front</div>'
        f'<div class="card card1">{mark_tex(front)}</div></div>\n'
        f'<div class="pv-side"><div class="pv-label">Back</div>'
        f'<div class="card card1">{mark_tex(back)}</div></div>\n'
        f"</div>\n</section>"
    )


def preview_page(title: str, cards: Iterable[PreviewCard], templates: Templates) -> str:
    """The whole preview page for `cards`, in the order given."""
    sections = []
    counts = dict.fromkeys(("guessed", "warned", "changed", *STATUSES), 0)
    known_status = False
    for number, card in enumerate(cards, 1):
        sections.append(_section(number, card, templates))
        counts["guessed"] += card.guessed
        counts["warned"] += bool(card.warnings)
        if card.status in STATUSES:
            known_status = True
            counts[card.status] += 1
            counts["changed"] += card.status in CHANGED
    total = len(sections)
    options = [("all", f"All cards ({total:,})")]
    options += [
        ("guessed", f"Guessed questions ({counts['guessed']:,})"),
        ("warned", f"With warnings ({counts['warned']:,})"),
    ]
    if known_status:
        options.append(("changed", f"Changed ({counts['changed']:,})"))
        options += [(status, f"{status.capitalize()} ({counts[status]:,})") for status in STATUSES]
    select = "".join(f'<option value="{value}">{label}</option>' for value, label in options)
    return PAGE.format(
        title=html.escape(title),
        css=templates.css,
        preview_css=PREVIEW_CSS,
        options=select,
        count=f"{total:,} card{'s' * (total != 1)}",
        cards="\n".join(sections),
        script=SCRIPT,
    )


def write_preview(
    path: Path,
    title: str,
    cards: Sequence[CardNote],
    cache: RenderCache,
    templates: Templates,
    batch: int,
    *,
    guessed: Collection[str] = frozenset(),
    status: Mapping[str, str] | None = None,
    warnings: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write the preview of `cards` to `path`, reading their HTML `batch` notes at a time.

    `guessed`: the GUIDs of notes whose question was guessed; `status`: each GUID's entry in
    the build's change report (one of `STATUSES`); `warnings`: each GUID's warnings, as the
    build reports them. A card re-emitted because its question left the transcripts counts as
    removed when `status` does not say otherwise."""
    previews: list[PreviewCard] = []
    for start in range(0, len(cards), batch):
        part = cards[start : start + batch]
        html_by_key = cache.get_many([key for card in part for key in card.field_keys])
        for card in part:
            question, answer, source = (html_by_key[key] for key in card.field_keys)
            state = (status or {}).get(card.guid) or ("removed" if card.removed else None)
            previews.append(
                PreviewCard(
                    fields=(question, answer, source),
                    deck=card.deck,
                    tags=card.tags,
                    guessed=card.guid in guessed,
                    status=state,
                    warnings=tuple((warnings or {}).get(card.guid, ())),
                )
            )
    page = preview_page(title, previews, templates).encode()
    atomic_write(path, lambda handle: handle.write(page))
    return path


# The page's own look, in both themes; every text colour has a contrast of at least 4.5:1
# against what it is drawn on (checked by tests/test_preview.py).
PREVIEW_CSS = """
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body.pv { margin: 0; background: #eef1f4; color: #1f2328;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
body.pv.pv-night { background: #010409; color: #e6edf3; color-scheme: dark; }
.pv-bar { position: sticky; top: 0; z-index: 10; display: flex; flex-wrap: nowrap; gap: 8px;
  align-items: center; padding: 8px 12px; background: #ffffff; border-bottom: 1px solid #d0d7de; }
.pv-night .pv-bar { background: #161b22; border-bottom-color: #30363d; }
.pv-bar input, .pv-bar select, .pv-toggle { font: inherit; font-size: 15px; height: 36px;
  box-sizing: border-box; border: 1px solid #8c959f; border-radius: 6px; background: #ffffff;
  color: #1f2328; }
.pv-night .pv-bar input, .pv-night .pv-bar select, .pv-night .pv-toggle { background: #0d1117;
  color: #e6edf3; border-color: #6e7681; }
.pv-bar input[type="search"] { flex: 1 1 auto; min-width: 0; padding: 0 10px; }
.pv-bar select { flex: 0 1 auto; min-width: 0; max-width: 46%; padding: 0 4px; }
.pv-toggle { flex: none; display: inline-flex; align-items: center; gap: 6px; padding: 0 10px;
  cursor: pointer; white-space: nowrap; }
.pv-toggle input { margin: 0; }
.pv-summary { margin: 10px 12px 0; font-size: 15px; overflow-wrap: anywhere; }
.pv-summary strong { font-weight: 600; }
.pv-list { padding: 12px; display: grid; gap: 16px; }
.pv-card { content-visibility: auto; contain-intrinsic-size: auto 480px; background: #ffffff;
  border: 1px solid #d0d7de; border-radius: 8px; padding: 10px; min-width: 0; }
.pv-night .pv-card { background: #0d1117; border-color: #30363d; }
.pv-meta { display: flex; flex-wrap: wrap; gap: 6px 8px; align-items: center; font-size: 14px;
  margin-bottom: 8px; color: #4d5661; }
.pv-night .pv-meta { color: #9ea7b3; }
.pv-meta button { font: inherit; border: 0; margin: 0; cursor: pointer; }
.pv-number { font-weight: 700; color: #1f2328; text-decoration: none; }
.pv-night .pv-number { color: #e6edf3; }
.pv-deck { background: none; padding: 0; color: #0550ae; font-weight: 600; text-align: left;
  overflow-wrap: anywhere; }
.pv-night .pv-deck { color: #79c0ff; }
.pv-tag { background: #eff1f3; color: #1f2328; border-radius: 999px; padding: 1px 8px; }
.pv-night .pv-tag { background: #262c34; color: #e6edf3; }
.pv-badge { border-radius: 999px; padding: 1px 8px; font-weight: 600; }
.pv-guessed { background: #fff8c5; color: #5c4300; }
.pv-warned { background: #ffebe9; color: #a40e26; }
.pv-new { background: #dafbe1; color: #116329; }
.pv-updated { background: #ddf4ff; color: #0550ae; }
.pv-unchanged { background: #eff1f3; color: #4d5661; }
.pv-removed { background: #eff1f3; color: #82071e; text-decoration: line-through; }
.pv-night .pv-guessed { background: #3b2e00; color: #f2cc60; }
.pv-night .pv-warned { background: #42111a; color: #ffa198; }
.pv-night .pv-new { background: #0f2d1a; color: #7ee787; }
.pv-night .pv-updated { background: #0c2d6b; color: #a5d6ff; }
.pv-night .pv-unchanged { background: #262c34; color: #c9d1d9; }
.pv-night .pv-removed { background: #262c34; color: #ffa198; }
.pv-source { margin-left: auto; overflow-wrap: anywhere; }
.pv-warnings { margin: 0 0 8px; padding-left: 1.4em; color: #a40e26; font-size: 14px; }
.pv-night .pv-warnings { color: #ffa198; }
.pv-pair { display: grid; gap: 10px; grid-template-columns: minmax(0, 1fr); align-items: start; }
@media (min-width: 760px) {
  .pv-pair { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
}
.pv-phone .pv-pair { grid-template-columns: repeat(auto-fill, 360px); }
.pv-side { min-width: 0; border: 1px solid #d0d7de; border-radius: 6px; overflow: hidden; }
.pv-night .pv-side { border-color: #30363d; }
.pv-label { font-size: 13px; font-weight: 600; padding: 3px 10px; background: #f6f8fa;
  color: #4d5661; border-bottom: 1px solid #d0d7de; }
.pv-night .pv-label { background: #161b22; color: #9ea7b3; border-bottom-color: #30363d; }
.pv-side > .card { max-width: none; }
.pv-tex { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85em;
  background: #f3eefc; color: #4c2889; border-radius: 4px; padding: 0 0.25em;
  overflow-wrap: anywhere; }
.card.nightMode .pv-tex { background: #2a2142; color: #d2a8ff; }
.pv-none { margin: 24px 12px; font-size: 16px; }
@media (max-width: 599px) {
  .pv-phone-toggle { display: none; }
  .pv-toggle .pv-word { display: none; }
  .pv-list { padding: 8px; gap: 12px; }
  .pv-card { padding: 8px; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll(".pv-card"));
  var search = document.getElementById("search");
  var filter = document.getElementById("filter");
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  var night = document.getElementById("night");
  var phone = document.getElementById("phone");
  var haystacks = null;
  var timer = null;
  function apply() {
    var started = performance.now();
    if (!haystacks) {
      haystacks = cards.map(function (card) { return card.textContent.toLowerCase(); });
    }
    var terms = [];  // words, or "quoted phrases"; a card must hold every one
    search.value.toLowerCase().replace(/"([^"]+)"|(\\S+)/g, function (all, phrase, word) {
      terms.push(phrase || word);
    });
    var wanted = " " + filter.value + " ";
    var shown = 0;
    for (var i = 0; i < cards.length; i++) {
      var card = cards[i];
      var ok = wanted === " all " || (" " + card.dataset.flags + " ").indexOf(wanted) >= 0;
      for (var t = 0; ok && t < terms.length; t++) ok = haystacks[i].indexOf(terms[t]) >= 0;
      if (card.hidden === ok) card.hidden = !ok;
      if (ok) shown++;
    }
    var total = cards.length.toLocaleString("en");
    count.textContent = shown === cards.length ? total + (cards.length === 1 ? " card" : " cards")
      : shown.toLocaleString("en") + " of " + total + " cards";
    none.hidden = shown > 0;
    document.body.setAttribute("data-filter-ms", (performance.now() - started).toFixed(1));
  }
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 100);
  });
  filter.addEventListener("change", apply);
  function setNight(on) {
    document.body.classList.toggle("pv-night", on);
    var sides = document.querySelectorAll(".card");
    for (var i = 0; i < sides.length; i++) {
      sides[i].classList.toggle("nightMode", on);
      sides[i].classList.toggle("night_mode", on);
    }
  }
  night.addEventListener("change", function () { setNight(night.checked); });
  phone.addEventListener("change", function () {
    document.body.classList.toggle("pv-phone", phone.checked);
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-search]") : null;
    if (target) {
      search.value = target.getAttribute("data-search");
      apply();
      window.scrollTo(0, 0);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== search) {
      event.preventDefault();
      search.focus();
    }
  });
  if (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) {
    night.checked = true;
    setNight(true);
  }
  if (search.value || filter.value !== "all") apply();  // as the browser restored them
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - preview</title>
<style>
{css}
</style>
<style>
{preview_css}
</style>
</head>
<body class="pv">
<header class="pv-bar">
<input type="search" id="search" placeholder="Search" aria-label="Search the \
cards' text, decks and tags" autocomplete="off">
<select id="filter" aria-label="Show">{options}</select>
<label class="pv-toggle" title="Night mode"><input type="checkbox" id="night">\
<span aria-hidden="true">&#x263E;</span><span class="pv-word">Night</span></label>
<label class="pv-toggle pv-phone-toggle" title="Show the cards at a phone's width (360 px)">\
<input type="checkbox" id="phone"><span>Phone</span></label>
</header>
<p class="pv-summary"><strong>{title}</strong> &middot; <span id="count">{count}</span></p>
<main class="pv-list">
{cards}
</main>
<p class="pv-none" id="none" hidden>No card matches.</p>
<script>
{script}
</script>
</body>
</html>
"""
