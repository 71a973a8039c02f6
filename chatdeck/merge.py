"""Merge stage: notes from every file -> one note per question, and a record of every merge.

The rule (documented in the README): when the same question (see `normalize_question`) appears
more than once, the LAST copy in build order wins: its answer, source and deck. Build order is
file path order, then line order, so a question re-asked in a later transcript, usually to get a
better answer, replaces the earlier one. The merged note keeps the place of the FIRST copy, so
new cards still arrive in the order the questions were first asked.
"""

from __future__ import annotations

from dataclasses import replace

from chatdeck.notes import Merge, Note, Problem
from chatdeck.parse import normalize_question


def question_key(note: Note) -> str:
    """What makes two notes the same note: the question, or the id the user pinned it with.

    An id is simply the question a note is known by: `<!-- id: old wording -->` above a
    reworded question keeps its card, and a short id given up front keeps it through any
    rewording."""
    return normalize_question(note.note_id or note.question)


def merge_notes(notes: list[Note]) -> tuple[list[Note], list[Merge], list[Problem]]:
    """Fold duplicates together; the later copy wins, the first copy's position is kept."""
    # A build has worked out every note's GUID, a hash of its question key: grouping by it
    # is the same grouping, without normalizing 100,000 questions again.
    by_guid = all(note.guid for note in notes)
    groups: dict[str, list[Note]] = {}
    for note in notes:
        groups.setdefault(note.guid if by_guid else question_key(note), []).append(note)
    merged: list[Note] = []
    merges: list[Merge] = []
    problems: list[Problem] = []
    for copies in groups.values():
        kept = copies[-1]
        merged.append(kept if len(copies) == 1 else replace(kept, position=copies[0].position))
        if len(copies) > 1:
            merges.append(Merge(question=question_key(kept), kept=kept, dropped=copies[:-1]))
            by_file: dict[str, list[Note]] = {}
            for copy in copies:
                by_file.setdefault(copy.source, []).append(copy)
            for source, same_file in by_file.items():
                if len(same_file) > 1:
                    if same_file[-1].line is None:
                        where = f"{len(same_file)} times"
                    else:
                        where = "on lines " + ", ".join(str(copy.line) for copy in same_file)
                    problems.append(
                        Problem(
                            source,
                            same_file[-1].line,
                            f"the same question appears {where}; the last one is kept",
                        )
                    )
    merged.sort(key=lambda note: note.position)
    return merged, merges, problems
