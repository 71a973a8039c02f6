"""A note's identity: what makes two notes the same note, and the GUID Anki knows it by.

Anki matches an imported note to one it has by GUID alone
(docs/anki.md#how-an-import-matches-notes), so the GUID must come from something that survives
edits: the question, normalized, or the id the user pinned it with, never the answer. Every
other module asks this one.
"""

from __future__ import annotations

import re
import unicodedata

NUMBER_PREFIX = re.compile(r"^\s*+\d{1,9}+[.)]\s+")
MARKUP = re.compile(r"[*`]+")


def normalize_question(text: str) -> str:
    """The identity of a question: case, width, spacing, markup and a copied list number ignored.

    It decides every note's GUID, so it must never change (a test pins it to its definition);
    the guards only skip passes that cannot change the text (it runs on every list item)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if text[:1].isdigit() or text[:1].isspace():
        text = NUMBER_PREFIX.sub("", text)
    if "*" in text or "`" in text:
        text = MARKUP.sub("", text)
    text = " ".join(text.split()).casefold()
    return text.rstrip(" ?.!。")


def question_key(question: str, note_id: str | None = None) -> str:
    """What makes two notes the same note: the question, or the id the user pinned it with.

    An id is simply the question a note is known by: `<!-- id: old wording -->` above a
    reworded question keeps its card, and a short id given up front keeps it through any
    rewording."""
    return normalize_question(note_id or question)


def guid_for_key(key: str) -> str:
    """genanki's GUID for a question key (a hash of it, in Anki's base91 alphabet)."""
    import genanki  # imported where used: a dry run of one file never pays for it

    return str(genanki.guid_for(key))


def note_guid(question: str, note_id: str | None = None) -> str:
    return guid_for_key(question_key(question, note_id))
