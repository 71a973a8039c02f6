"""`--preview`: one self-contained HTML page with every card, to check a deck before importing it.

Each card is shown front and back, filled in from templates/ the way Anki fills them, inside a
`.card` element styled by the note type's CSS. A switch toggles night mode (the same
`nightMode night_mode` classes Anki puts on the card) and a toggle narrows the cards to a phone's
360 px. Nothing is loaded from the network; math shows as its TeX source, since MathJax comes
with Anki, not with this page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from chatdeck.notes import CardNote
from chatdeck.package import FIELDS, atomic_write
from chatdeck.render_cache import RenderCache
from chatdeck.templates import Templates

FIELD = re.compile(r"\{\{\s*([^{}#/^]+?)\s*\}\}")

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
body.preview {{ margin: 0; background: #8c959f; font-family: system-ui, sans-serif; }}
.preview-bar {{ position: sticky; top: 0; z-index: 10; background: #24292f; color: #fff;
  padding: 8px 12px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }}
.preview-bar label {{ cursor: pointer; }}
.preview-list {{ padding: 16px; display: grid; gap: 24px; }}
.preview-pair {{ display: grid; gap: 8px;
  grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); }}
.preview.phone .preview-pair {{ grid-template-columns: 360px 360px; }}
.preview-side {{ border-radius: 8px; overflow: hidden; box-shadow: 0 1px 4px #0006; }}
.preview-side > .card {{ min-height: 100%; box-sizing: border-box; }}
.preview-label {{ font: 12px system-ui, sans-serif; color: #fff; margin: 0 0 4px; }}
</style>
</head>
<body class="preview">
<div class="preview-bar">
<strong>{title}</strong> <span>{count} cards</span>
<label><input type="checkbox" id="night"> night mode</label>
<label><input type="checkbox" id="phone"> phone width (360 px)</label>
</div>
<div class="preview-list">
{cards}
</div>
<script>
document.getElementById("night").addEventListener("change", function (event) {{
  document.querySelectorAll(".card").forEach(function (card) {{
    card.classList.toggle("nightMode", event.target.checked);
    card.classList.toggle("night_mode", event.target.checked);
  }});
}});
document.getElementById("phone").addEventListener("change", function (event) {{
  document.body.classList.toggle("phone", event.target.checked);
}});
</script>
</body>
</html>
"""

CARD = """<section>
<p class="preview-label">{number}. {label}</p>
<div class="preview-pair">
<div class="preview-side"><div class="card card1">{front}</div></div>
<div class="preview-side"><div class="card card1">{back}</div></div>
</div>
</section>"""


def fill(template: str, fields: dict[str, str]) -> str:
    """Anki's plain field replacements ({{Question}}, {{FrontSide}}); unknown names stay empty."""
    return FIELD.sub(lambda match: fields.get(match.group(1), ""), template)


def preview_page(title: str, cards: Iterable[list[str]], templates: Templates) -> str:
    """The whole preview page for the given cards' field HTML (Question, Answer, Source)."""
    sections = []
    for number, values in enumerate(cards, 1):
        fields = dict(zip(FIELDS, values, strict=True))
        front = fill(templates.front, fields)
        back = fill(templates.back, {**fields, "FrontSide": front})
        sections.append(CARD.format(number=number, label=values[2], front=front, back=back))
    return PAGE.format(
        title=html.escape(title), css=templates.css, count=len(sections), cards="\n".join(sections)
    )


def write_preview(
    path: Path,
    title: str,
    cards: Sequence[CardNote],
    cache: RenderCache,
    templates: Templates,
    batch: int,
) -> Path:
    """Write the preview of `cards` to `path`, reading their HTML `batch` notes at a time."""
    fields: list[list[str]] = []
    for start in range(0, len(cards), batch):
        part = cards[start : start + batch]
        html_by_key = cache.get_many([key for card in part for key in card.field_keys])
        fields.extend([html_by_key[key] for key in card.field_keys] for card in part)
    page = preview_page(title, fields, templates).encode()
    atomic_write(path, lambda handle: handle.write(page))
    return path
