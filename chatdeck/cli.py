"""Command line: arguments, the build report, exit codes. Everything else lives in the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from chatdeck import __version__
from chatdeck.build import BuildError, BuildResult, PlanResult, build, plan
from chatdeck.config import ConfigError
from chatdeck.notes import CardNote, Note, Problem
from chatdeck.options import BuildOptions, PlanOptions, Selection
from chatdeck.removed import REMOVED_TAG
from chatdeck.templates import find_templates

EXIT_OK = 0  # the deck was written (warnings allowed), or the dry run ran
EXIT_FAILED = 1  # nothing built, or the output could not be written
EXIT_USAGE = 2  # the command line was wrong (argparse's own code)
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


def make_parser(prog: str = "chatdeck") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Turn chat transcripts (question/answer text files) into an Anki deck (.apkg).",
        epilog="Exit codes: 0 deck written (warnings allowed), 1 nothing built or I/O failure, "
        "2 usage error. Warnings go to stderr as file:line: message.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="transcript files or folders (default: source/)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("output"),
        metavar="DIR",
        help="folder for the .apkg and the build state (default: output/)",
    )
    parser.add_argument(
        "--deck",
        metavar="NAME",
        help="top deck name; also names the .apkg (default: deck.toml's `deck`, else "
        "'Chat Transcripts')",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="write nothing; list every question found, with its line and the rule that found it",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="with --dry-run: print one JSON object (notes before merging, merges, warnings)",
    )
    parser.add_argument(
        "--preview",
        action="store_true",
        help="also write output/preview.html: every card, front and back, with a night-mode "
        "switch and a phone-width toggle (works offline)",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        metavar="DIR",
        help="folder with front.html, back.html, style.css (default: templates/)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes that parse and render (default: one per CPU)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="render every card afresh instead of reusing output/.cache/ (same deck, slower)",
    )
    parser.add_argument(
        "--conversation",
        metavar="PATTERN",
        help="chat exports: only conversations whose title contains PATTERN (or matches it "
        "as a glob like 'PyTorch*'), case-insensitive",
    )
    parser.add_argument(
        "--since",
        type=parse_date,
        metavar="DATE",
        help="chat exports: only conversations started on or after DATE (YYYY-MM-DD)",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on failure")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run(prog: str = "chatdeck") -> None:
    """The entry point of `chatdeck`, `python -m chatdeck` and `python build_deck.py`: exits
    with `main`'s code. A reader that stops early (`--dry-run | head`) is not an error."""
    try:
        code = main(prog=prog)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_OK
    sys.exit(code)


def main(argv: list[str] | None = None, prog: str = "chatdeck") -> int:
    parser = make_parser(prog)
    args = parser.parse_args(argv)
    if args.json and not args.dry_run:
        parser.error("--json goes with --dry-run")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    paths = args.paths or [Path("source")]
    selection = Selection(args.conversation, args.since)
    try:
        if args.dry_run:
            planned = plan(paths, PlanOptions(args.deck, selection))
            if args.json:
                print(json.dumps(json_report(planned), ensure_ascii=False, indent=1))
            else:
                print_questions(planned)
                print_summary(planned.files_read, len(planned.notes), len(planned.merged))
            print_warnings(planned.problems)
            return EXIT_OK
        options = BuildOptions(
            output=args.output,
            templates=find_templates(args.templates),
            deck=args.deck,
            selection=selection,
            preview=args.preview,
            jobs=args.jobs,
            use_cache=not args.no_cache,
        )
        result = build(paths, options)
    except (BuildError, ConfigError) as error:
        print_warnings(getattr(error, "problems", ()))  # what led to it, if anything
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted: the previous deck is untouched", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise  # `| head` closed the pipe: not an error of the build (see build_deck.py)
    except OSError as error:
        if args.debug:
            raise
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # a bug, not an input problem: say so without a traceback
        if args.debug:
            raise
        print(
            f"error: unexpected {type(error).__name__}: {error} (run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print_summary(result.files_read, result.found, len(result.cards))
    print_merges(result)
    print_warnings(result.problems)
    if result.removed:
        print(
            f"{len(result.removed)} question(s) left the transcripts since the last build; "
            f"their notes are tagged {REMOVED_TAG} "
            f"(search `tag:{REMOVED_TAG}` in Anki to delete them):"
        )
        for note in result.removed:
            print(f"  removed: {note.question[:70]}")
    if result.preview:
        print(f"Wrote {result.preview}")
    print(f"Wrote {result.output} ({len(result.cards)} notes)")
    return EXIT_OK


def json_report(result: PlanResult) -> dict[str, Any]:
    """The scripting contract: keep these keys stable (documented in the README)."""

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
        "warnings": [
            {"source": problem.source, "line": problem.line, "message": problem.message}
            for problem in result.problems
        ],
    }


def print_questions(result: PlanResult) -> None:
    """Per file: every question with its line, rule and why; guesses marked `?`; then the
    lines that looked like questions but stayed in an answer, with the reason."""
    guessed = 0
    for parsed in result.parsed:
        title = f"  (title: {parsed.title})" if parsed.title else ""
        print(f"{parsed.source}{title}")
        reasons = {d.line: d.reason for d in parsed.decisions if d.verdict == "question"}
        for note in parsed.notes:
            mark = " " if note.confidence == "high" else "?"
            guessed += note.confidence != "high"
            rule = f"{note.rule} ({note.confidence})" if mark == "?" else note.rule
            print(f" {mark}{note.line:5}  {rule:<30} {snippet(note.question)}")
            if mark == "?":
                print(f"{'':38} because: {reasons.get(note.line or 0, '')}")
        for line in parsed.unassigned[:1]:
            print(
                f"  {line:5}  (on no card: {len(parsed.unassigned)} line(s) "
                "before the first question)"
            )
        kept = [d for d in parsed.decisions if d.verdict == "not a question"]
        lines = result.lines.get(parsed.source, ())
        if kept:
            print(f"  kept in answers ({len(kept)} line(s) that look like questions):")
        for decision in kept:
            text = lines[decision.line - 1] if decision.line <= len(lines) else ""
            print(f"   ·{decision.line:5}  {decision.reason}: {snippet(text, 50)}")
    for read in result.conversations:
        print(f"{read.source}  conversation {read.name!r}: {read.notes} turn(s)")
    if guessed:
        print(
            f"\n? = {guessed} guessed question(s): check those lines. Put `Q:` before a "
            "question to confirm it, or `<!-- not a question -->` on the line above to undo it."
        )


def snippet(text: str, width: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_summary(files_read: int, found: int, merged: int) -> None:
    print(
        f"Read {files_read} file(s): {found} notes found, "
        f"{found - merged} duplicate(s) merged -> {merged} notes"
    )


def print_merges(result: BuildResult) -> None:
    for merge in result.merges:
        dropped = ", ".join(f"{note.source}:{note.line}" for note in merge.dropped)
        question = " ".join(merge.kept.question.split())[:60]
        print(
            f"  merged: {question!r}: kept {merge.kept.source}:{merge.kept.line}; also in {dropped}"
        )


def print_warnings(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        print(f"{problem}", file=sys.stderr)
