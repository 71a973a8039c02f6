"""Merge stage: notes from every file -> one note per question, and a record of every merge.

The rule (documented in the README): when the same question (see `chatdeck.identity`) appears
more than once, the LAST copy in build order wins: its answer, source and deck. Build order is
file path order, then line order, so a question re-asked in a later transcript, usually to get a
better answer, replaces the earlier one. The merged note keeps the place of the FIRST copy, so
new cards still arrive in the order the questions were first asked.

Notes are grouped by GUID, which each note got from its question key when it was made; the same
rule merges `Note`s (a dry run) and `CardNote`s (a build).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from chatdeck.notes import CardNote, Merge, Note, Problem

Mergeable = TypeVar("Mergeable", Note, CardNote)


def merge_notes(notes: Sequence[Mergeable]) -> tuple[list[Mergeable], list[Merge], list[Problem]]:
    """Fold duplicates together; the later copy wins, the first copy's position is kept."""
    groups: dict[str, list[Mergeable]] = {}
    for note in notes:
        groups.setdefault(note.guid, []).append(note)
    merged: list[Mergeable] = []
    merges: list[Merge] = []
    problems: list[Problem] = []
    for copies in groups.values():
        kept = copies[-1]
        merged.append(kept if len(copies) == 1 else replace(kept, position=copies[0].position))
        if len(copies) > 1:
            merges.append(Merge(kept=kept, dropped=tuple(copies[:-1])))
            problems.extend(_repeated_in_one_file(copies))
    merged.sort(key=lambda note: note.position)
    return merged, merges, problems


def _repeated_in_one_file(copies: Sequence[Note | CardNote]) -> list[Problem]:
    by_file: dict[str, list[Note | CardNote]] = {}
    for copy in copies:
        by_file.setdefault(copy.source, []).append(copy)
    problems = []
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
    return problems
