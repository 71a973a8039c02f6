"""The card templates: front.html, back.html and style.css, from a folder the user chose, the
working folder's `templates/`, or the copy shipped inside the package, in that order."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

TEMPLATE_FILES = ("front.html", "back.html", "style.css")
#: The shipped copy: the project's `templates/` folder, installed as this package's data
#: (see pyproject.toml); in a source tree or an editable install, that folder itself.
SHIPPED = "chatdeck.card_templates"
SOURCE_TREE = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True, slots=True)
class Templates:
    front: str
    back: str
    css: str


def load_templates(folder: Path) -> Templates:
    front, back, css = ((folder / name).read_text(encoding="utf-8") for name in TEMPLATE_FILES)
    return Templates(front=front, back=back, css=css)


def shipped_templates() -> Templates:
    try:
        folder = resources.files(SHIPPED)
    except ModuleNotFoundError:
        return load_templates(SOURCE_TREE)
    front, back, css = (
        folder.joinpath(name).read_text(encoding="utf-8") for name in TEMPLATE_FILES
    )
    return Templates(front=front, back=back, css=css)


def find_templates(chosen: Path | None = None, working_folder: Path = Path(".")) -> Templates:
    """`chosen` (--templates DIR), else `templates/` in the working folder when it holds a
    front.html, else the shipped templates."""
    if chosen is not None:
        return load_templates(chosen)
    local = working_folder / "templates"
    if (local / "front.html").is_file():
        return load_templates(local)
    return shipped_templates()
