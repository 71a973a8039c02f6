"""Command line: arguments, the build report, exit codes. Everything else lives in the library."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from datetime import date
from pathlib import Path

from chatdeck import __version__
from chatdeck.build import BuildError, build, plan
from chatdeck.changes import Status
from chatdeck.config import ConfigError
from chatdeck.decks import output_name
from chatdeck.options import BuildOptions, Selection
from chatdeck.push_command import (
    PushOutcome,
    add_arguments,
    check_arguments,
    print_push,
    push_options,
    run_push,
)
from chatdeck.report import (
    build_json,
    change_counts,
    change_line,
    plan_json,
    print_build,
    print_questions,
    print_summary,
    print_warnings,
)
from chatdeck.state import state_path
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
        "2 usage error, 130 interrupted. Warnings go to stderr as file:line: message. With "
        "--push, 1 also when Anki could not be reached or refused (the deck is still written).",
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
        help="print one JSON object instead of the report: what the build changed (with "
        "--dry-run: every note before merging, the merges, what a build would change)",
    )
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the line saying what changed, and warnings and errors",
    )
    loudness.add_argument(
        "-v", "--verbose", action="store_true", help="also list every merge and every guess"
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
    add_arguments(parser)  # --push, --sync, --watch, ... (chatdeck/push_command.py)
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
    # As the interpreter exits, its garbage collector goes over every object the modules hold
    # (the parser's, the renderer's, Pygments'...), to find cycles no one will wait for. Frozen,
    # they are left to the modules' teardown, which frees them as it does anyway.
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None, prog: str = "chatdeck") -> int:
    parser = make_parser(prog)
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    check_arguments(parser, args)
    paths = args.paths or [Path("source")]
    selection = Selection(args.conversation, args.since)
    verbosity = 0 if args.quiet else 2 if args.verbose else 1
    pushing = push_options(args) if args.push else None

    def options_now() -> BuildOptions:  # read again for each build of --watch
        return BuildOptions(
            output=args.output,
            templates=find_templates(args.templates),
            deck=args.deck,
            selection=selection,
            preview=args.preview and not args.dry_run,
            jobs=args.jobs,
            use_cache=not args.no_cache,
            write=not args.dry_run,
        )

    if args.watch:
        from chatdeck.watch import watch_command

        return watch_command(
            paths, options_now, args.output, args.templates, pushing, verbosity, args.debug
        )
    try:
        options = options_now()
        if args.dry_run:
            return dry_run(paths, options, args.json, verbosity)
        result = build(paths, options)
    except BuildError as error:
        print_warnings(error.problems, error.paths)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except ConfigError as error:
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
    pushed: PushOutcome | None = None
    try:
        if args.json:
            report = build_json(result)
            if pushing is not None:
                pushed = run_push(result, pushing)
                report["push"] = pushed.to_json(pushing.url)
            print(json.dumps(report, ensure_ascii=False, indent=1))
        else:
            print_build(result, verbosity)
            if pushing is not None:
                sys.stdout.flush()
                pushed = run_push(result, pushing)
                print_push(pushed)
    except KeyboardInterrupt:
        print(
            f"interrupted: the deck was written ({result.output}); pushing again is safe",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print_warnings(result.problems, result.paths)
    if pushed is not None and pushed.error is not None:
        if args.json:
            print(f"error: {pushed.error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def dry_run(paths: list[Path], options: BuildOptions, as_json: bool, verbosity: int) -> int:
    """Every question found, and what a build would change (worked out by a build that
    writes nothing: it reads the output folder's cache and state, if any)."""
    planned = plan(paths, options.plan_options)
    changes: dict[str, int] | None = None
    if not state_path(options.output, output_name(planned.top_deck)).exists():
        if planned.merged:  # never built: every note would be new, nothing needs rendering
            changes = {**dict.fromkeys(map(str, Status), 0), "new": len(planned.merged)}
            changes["moved"] = 0
    else:
        try:
            changes = change_counts(build(paths, options).changes)
        except BuildError:
            pass  # nothing to build: the plan's warnings say why
    if as_json:
        print(json.dumps(plan_json(planned, changes), ensure_ascii=False, indent=1))
    else:
        if verbosity:
            print_questions(planned)
        print_summary(planned.files_read, len(planned.notes), len(planned.merged))
        if changes is not None:
            print(change_line(changes, would=True))
    print_warnings(planned.problems, planned.paths)
    return EXIT_OK
