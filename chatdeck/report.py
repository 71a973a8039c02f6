"""What a run tells the user: the human report (stdout; warnings to stderr as `path:line:
message`) and the JSON reports, the scripting contracts documented in the README."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from chatdeck.build import BuildResult, PlanResult
from chatdeck.changes import Changes, NoteChange, Status
from chatdeck.notes import CardNote, Note, Problem
from chatdeck.removed import REMOVED_TAG

if TYPE_CHECKING:  # a dry run's records: the parser, which a build may never import
    from chatdeck.explain import FileExplanation, KeptLine, TurnMarkers

#: How many items a list in the human report shows before it is cut.
LIST_LIMIT = 20


def snippet(text: str, width: int = 72) -> str:
    """Text on one line, cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def shown_path(source: str, paths: dict[str, str]) -> str:
    """A file as the user typed it, or relative to the current folder, so that `path:line:` can
    be clicked in a terminal or an editor."""
    path = paths.get(source, source)
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive
            return path
        return path if relative.startswith("..") else relative
    return path


def print_warnings(problems: tuple[Problem, ...], paths: dict[str, str] | None = None) -> None:
    paths = paths or {}
    for problem in problems:
        where = shown_path(problem.source, paths)
        where += f":{problem.line}" if problem.line is not None else ""
        print(f"{where}: {problem.message}", file=sys.stderr)


def print_summary(files_read: int, found: int, merged: int, out: TextIO = sys.stdout) -> None:
    print(
        f"Read {files_read} file(s): {found} notes found, "
        f"{found - merged} duplicate(s) merged -> {merged} notes",
        file=out,
    )


def change_line(counts: dict[str, int], would: bool = False) -> str:
    """`36 notes: 1 new, 2 updated, 33 unchanged, 0 removed`, from `change_counts`."""
    total = sum(counts[str(status)] for status in Status)
    if total == counts[Status.UNCHANGED]:
        return "nothing changed since the last build: no need to import"
    listed = ", ".join(f"{counts[str(status)]} {status}" for status in Status)
    return f"{total} notes{' would be' if would else ''}: {listed}"


def _listed(items: list[str], out: TextIO) -> None:
    for item in items[:LIST_LIMIT]:
        print(item, file=out)
    if len(items) > LIST_LIMIT:
        print(f"  … and {len(items) - LIST_LIMIT} more", file=out)


def print_build(result: BuildResult, verbosity: int, out: TextIO = sys.stdout) -> None:
    """The human report of a build: quiet (0) prints the change line, normal (1) what a user
    acts on, verbose (2) every merge and every guess too."""
    changes = result.changes
    if verbosity == 0:
        print(change_line(change_counts(changes)), file=out)
        return
    print_summary(result.files_read, result.found, len(result.cards), out)
    print_merges(result, verbosity, out)
    if verbosity >= 2:
        found = [*result.cards, *(copy for merge in result.merges for copy in merge.dropped)]
        guessed = [
            f"  guessed: {place(card, result.paths)}  {snippet(card.question, 60)}"
            for card in sorted(found, key=lambda card: card.position)
            if isinstance(card, CardNote) and card.guessed
        ]
        _listed(guessed, out)
    print(change_line(change_counts(changes)), file=out)
    print_moved(changes.moved, out)
    removed = [change.card for change in changes.notes if change.status is Status.REMOVED]
    if removed:
        print(
            f"{len(removed)} question(s) left the transcripts since the last build; their notes "
            f"are tagged {REMOVED_TAG} (search `tag:{REMOVED_TAG}` in Anki to find them):",
            file=out,
        )
        _listed([f"  removed: {snippet(card.question, 70)}" for card in removed], out)
    if result.preview:
        print(f"Wrote {result.preview}", file=out)
    if result.written:
        print(f"Wrote {result.output} ({len(result.cards)} notes)", file=out)
    else:
        print(f"Kept {result.output} as it was ({len(result.cards)} notes)", file=out)


def print_moved(moved: tuple[NoteChange, ...], out: TextIO) -> None:
    if not moved:
        return
    print(
        f"{len(moved)} note(s) changed deck since the last build. Anki does not move cards on "
        "import: in Anki's browser, search the old deck, select the notes and use Change Deck "
        "(Ctrl+D):",
        file=out,
    )
    _listed(
        [
            f"  moved: {snippet(change.card.question, 50)} ({change.moved_from} -> "
            f"{change.card.deck})"
            for change in moved
        ],
        out,
    )


def print_merges(result: BuildResult | PlanResult, verbosity: int, out: TextIO) -> None:
    if not result.merges:
        return
    if verbosity < 2:
        dropped = sum(len(merge.dropped) for merge in result.merges)
        print(
            f"{len(result.merges)} question(s) asked more than once: {dropped} earlier copies "
            "folded into the last one (-v lists them)",
            file=out,
        )
        return
    for merge in result.merges:
        also = ", ".join(place(note, result.paths) for note in merge.dropped)
        question = snippet(merge.kept.question, 60)
        print(
            f"  merged: {question!r}: kept {place(merge.kept, result.paths)}; also in {also}",
            file=out,
        )


def place(note: Note | CardNote, paths: dict[str, str]) -> str:
    where = shown_path(note.source, paths)
    return f"{where}:{note.line}" if note.line is not None else where


def change_counts(changes: Changes) -> dict[str, int]:
    """How many notes of each status, and how many moved: the `changes` of the reports."""
    return {
        **{str(status): changes.count(status) for status in Status},
        "moved": len(changes.moved),
    }


def build_json(result: BuildResult) -> dict[str, Any]:
    """A real build's contract: exactly one JSON object (README: "--json")."""
    return {
        "output": str(result.output),
        "deck": result.top_deck,
        "changes": change_counts(result.changes),
        "notes": [
            {
                "guid": change.card.guid,
                "question": change.card.question,
                "source": change.card.source,
                "line": change.card.line,
                "deck": change.card.deck,
                "status": str(change.status),
            }
            for change in result.changes.notes
        ],
        "warnings": warnings_json(result.problems),
    }


def warnings_json(problems: tuple[Problem, ...]) -> list[dict[str, Any]]:
    return [
        {"source": problem.source, "line": problem.line, "message": problem.message}
        for problem in problems
    ]


def plan_json(result: PlanResult, changes: dict[str, int] | None) -> dict[str, Any]:
    """The dry run's contract: keep these keys stable (documented in the README). `changes`:
    what a build would change, when it could be worked out."""

    def place(note: Note | CardNote) -> dict[str, Any]:
        return {"source": note.source, "line": note.line}

    return {
        "notes": [
            {
                "source": note.source,
                "line": note.line,
                "question": note.question,
                "answer": note.answer,
                "deck": note.deck,
                "guid": note.guid,
                "rule": note.rule,
                "confidence": note.confidence,
                **({"conversation": note.conversation} if note.conversation is not None else {}),
                **({"answer_format": "html"} if note.answer_format == "html" else {}),
            }
            for note in result.notes
        ],
        "merged": [
            {
                "question": merge.kept.question,
                "guid": merge.kept.guid,
                "kept": place(merge.kept),
                "dropped": [place(note) for note in merge.dropped],
            }
            for merge in result.merges
        ],
        "warnings": warnings_json(result.problems),
        **({"changes": changes} if changes is not None else {}),
        "files": [file_json(file) for file in result.files],
    }


def file_json(file: FileExplanation) -> dict[str, Any]:
    """What the dry run says about one transcript, as the human report says it (README: "files").
    `turns` only for a chat log: a plain file has no turn structure to report."""

    def kept(line: KeptLine) -> dict[str, Any]:
        return {"line": line.line, "text": line.text, "reason": line.reason}

    return {
        "source": file.source,
        "title": file.title,
        **({"turns": turns_json(file.turns)} if file.turns is not None else {}),
        "left_out": {group.reason: list(group.lines) for group in file.left_out},
        "guessed": [
            {
                "line": question.line,
                "question": question.question,
                "rule": question.rule,
                "confidence": question.confidence,
                "reason": question.reason,
            }
            for question in file.guessed
        ],
        "near_misses": [kept(line) for line in file.near_misses],
        "kept_in_answers": [kept(line) for line in file.kept if not line.near_miss],
        "on_no_card": list(file.on_no_card),
    }


def turns_json(turns: TurnMarkers) -> dict[str, Any]:
    return {
        "shape": turns.shape,
        "labels": dict(turns.labels),
        "markers": [
            {"line": marker.line, "label": marker.label, "role": marker.role}
            for marker in turns.markers
        ],
    }


def print_turns(file: FileExplanation) -> None:
    """A chat log's turn markers and the lines left out of its cards (`chatdeck.turns`)."""
    if file.turns is not None:
        roles = ", ".join(f"{label!r} = {role}" for label, role in file.turns.labels)
        print(f"  turn markers: {file.turns.shape}" + (f" ({roles})" if roles else ""))
        if file.turns.markers:
            print(f"    on line(s) {line_list([marker.line for marker in file.turns.markers])}")
    for group in file.left_out:
        print(f"  left out ({group.reason}): {len(group.lines)} line(s): {line_list(group.lines)}")


def line_list(numbers: Sequence[int]) -> str:
    """1, 2, 3, 7 -> "1-3, 7"."""
    spans: list[str] = []
    for number in sorted(numbers):
        if spans and spans[-1].split("-")[-1] == str(number - 1):
            spans[-1] = spans[-1].split("-")[0] + f"-{number}"
        else:
            spans.append(str(number))
    return ", ".join(spans)


def print_questions(result: PlanResult) -> None:
    """Per file: every question with its line, rule and why; guesses marked `?`; then the
    lines that looked like questions but stayed in an answer, with the reason."""
    guessed = 0
    for file in result.files:
        title = f"  (title: {file.title})" if file.title else ""
        print(f"{file.source}{title}")
        for question in file.questions:
            mark = "?" if question.guessed else " "
            guessed += question.guessed
            rule = f"{question.rule} ({question.confidence})" if question.guessed else question.rule
            print(f" {mark}{question.line:5}  {rule:<30} {snippet(question.question)}")
            if question.guessed:
                print(f"{'':38} because: {question.reason}")
        for line in file.on_no_card[:1]:
            print(
                f"  {line:5}  (on no card: {len(file.on_no_card)} line(s) "
                "before the first question)"
            )
        print_turns(file)
        if file.kept:
            print(f"  kept in answers ({len(file.kept)} line(s) that look like questions):")
        for kept in file.kept:
            print(f"   ·{kept.line:5}  {kept.reason}: {snippet(kept.text, 50)}")
    for read in result.conversations:
        kind = f"{read.site} page" if read.site else "conversation"
        print(f"{read.source}  {kind} {read.name!r}: {read.notes} turn(s)")
    if guessed:
        print(
            f"\n? = {guessed} guessed question(s): check those lines. Put `Q:` before a "
            "question to confirm it, or `<!-- not a question -->` on the line above to undo it."
        )
