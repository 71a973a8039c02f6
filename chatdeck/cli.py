"""Command line: arguments, the build report, exit codes. Everything else lives in the library."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from chatdeck.build import BuildError, BuildResult, Selection, build, plan
from chatdeck.config import ConfigError
from chatdeck.merge import question_key
from chatdeck.package import REMOVED_TAG, guid_for_question, load_templates

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROJECT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build_deck.py",
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
    return parser


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.json and not args.dry_run:
        parser.error("--json goes with --dry-run")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    paths = args.paths or [Path("source")]
    selection = Selection(args.conversation, args.since)
    try:
        if args.dry_run:
            result = plan(paths, args.deck, selection)
            if args.json:
                print(json.dumps(json_report(result), ensure_ascii=False, indent=1))
            else:
                print_questions(result)
                print_summary(result)
            print_warnings(result)
            return EXIT_OK
        templates = load_templates(find_templates(args.templates))
        result = build(
            paths,
            args.output,
            templates,
            args.deck,
            jobs=args.jobs,
            use_cache=not args.no_cache,
            selection=selection,
            preview=args.preview,
        )
    except (BuildError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted: the previous deck is untouched", file=sys.stderr)
        return 130
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
    print_summary(result)
    print_merges(result)
    print_warnings(result)
    if result.removed:
        print(
            f"{len(result.removed)} question(s) left the transcripts since the last build; "
            f"their notes are tagged {REMOVED_TAG} "
            f"(search `tag:{REMOVED_TAG}` in Anki to delete them):"
        )
        for note in result.removed:
            print(f"  removed: {note.label[:70]}")
    if result.preview:
        print(f"Wrote {result.preview}")
    print(f"Wrote {result.output} ({len(result.merged)} notes)")
    return EXIT_OK


def find_templates(option: Path | None) -> Path:
    if option:
        return option
    local = Path("templates")
    return local if (local / "front.html").is_file() else PROJECT_TEMPLATES


def json_report(result: BuildResult) -> dict:
    """The scripting contract: keep these keys stable (documented in the README)."""

    def place(note) -> dict:  # type: ignore[no-untyped-def]
        return {"source": note.source, "line": note.line}

    return {
        "notes": [
            {
                "source": note.source,
                "line": note.line,
                "question": note.question,
                "answer": note.answer,
                "deck": note.deck,
                "guid": guid_for_question(question_key(note)),
                "rule": note.rule,
                "confidence": note.confidence,
                **({"conversation": note.conversation} if note.conversation is not None else {}),
            }
            for note in result.notes
        ],
        "merged": [
            {
                "question": merge.kept.question,
                "guid": guid_for_question(question_key(merge.kept)),
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


def print_questions(result: BuildResult) -> None:
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
                print(f"{'':38} because: {reasons.get(note.line, '')}")
        for line in parsed.unassigned[:1]:
            print(
                f"  {line:5}  (on no card: {len(parsed.unassigned)} line(s) "
                "before the first question)"
            )
        kept = [d for d in parsed.decisions if d.verdict == "not a question"]
        lines = result.lines.get(parsed.source, [])
        if kept:
            print(f"  kept in answers ({len(kept)} line(s) that look like questions):")
        for decision in kept:
            text = lines[decision.line - 1] if decision.line <= len(lines) else ""
            print(f"   ·{decision.line:5}  {decision.reason}: {snippet(text, 50)}")
    for source, conversation, count in result.conversations:
        print(f"{source}  conversation {conversation!r}: {count} turn(s)")
    if guessed:
        print(
            f"\n? = {guessed} guessed question(s): check those lines. Put `Q:` before a "
            "question to confirm it, or `<!-- not a question -->` on the line above to undo it."
        )


def snippet(text: str, width: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_summary(result: BuildResult) -> None:
    duplicates = len(result.notes) - len(result.merged)
    print(
        f"Read {result.files_read} file(s): {len(result.notes)} notes found, "
        f"{duplicates} duplicate(s) merged -> {len(result.merged)} notes"
    )


def print_merges(result: BuildResult) -> None:
    for merge in result.merges:
        dropped = ", ".join(f"{note.source}:{note.line}" for note in merge.dropped)
        question = " ".join(merge.kept.question.split())[:60]
        print(
            f"  merged: {question!r}: kept {merge.kept.source}:{merge.kept.line}; also in {dropped}"
        )


def print_warnings(result: BuildResult) -> None:
    for problem in result.problems:
        print(f"{problem}", file=sys.stderr)
