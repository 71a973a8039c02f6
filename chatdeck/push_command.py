"""The command line of `--push` (and `--watch`): its options, the delete confirmation, and what
a push tells the user: one line of what happened in Anki, or one line of why it could not
happen, that the deck was still written and how to import it by hand."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from chatdeck.anki_connect import DEFAULT_URL, KEY_VARIABLE, Failure
from chatdeck.build import BuildResult
from chatdeck.report import LIST_LIMIT, shown_path

if TYPE_CHECKING:  # the push itself is imported where used: a build without --push never is
    from chatdeck.push import PushError, PushOptions, PushReport


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Anki (AnkiConnect)")
    group.add_argument(
        "--push",
        action="store_true",
        help="after the build, put what changed into the running Anki through the AnkiConnect "
        "add-on (Anki must run on this machine): new and edited notes, cards moved to their "
        "new deck, removed questions suspended",
    )
    group.add_argument(
        "--anki-connect",
        metavar="URL",
        default=DEFAULT_URL,
        help=f"AnkiConnect's address (default: {DEFAULT_URL})",
    )
    group.add_argument(
        "--anki-connect-key",
        metavar="KEY",
        help=f"AnkiConnect's API key, when its config sets one (default: ${KEY_VARIABLE})",
    )
    group.add_argument(
        "--sync", action="store_true", help="with --push: then sync Anki with AnkiWeb"
    )
    group.add_argument(
        "--delete-removed",
        action="store_true",
        help="with --push: delete from Anki the notes of questions that left the transcripts "
        "(listed first, and asked; --yes deletes without asking). Their review history goes too",
    )
    group.add_argument(
        "--yes", action="store_true", help="with --delete-removed: do not ask before deleting"
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="stay running: rebuild (and push, with --push) whenever a transcript, deck.toml "
        "or a template changes; Ctrl-C stops",
    )


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors (exit code 2) for combinations that cannot work."""
    if (args.sync or args.delete_removed) and not args.push:
        parser.error("--sync and --delete-removed act on a push: add --push")
    if args.push and args.dry_run:
        parser.error("--dry-run writes nothing: it cannot be combined with --push")
    if args.watch and args.dry_run:
        parser.error("--watch rebuilds the deck: it cannot be combined with --dry-run")
    if args.watch and args.json:
        parser.error("--watch prints one line per rebuild: it cannot be combined with --json")
    if args.watch and args.delete_removed and not args.yes:
        parser.error("--watch cannot ask before deleting: --delete-removed needs --yes with it")


def push_options(args: argparse.Namespace) -> PushOptions:
    from chatdeck.push import PushOptions

    key = args.anki_connect_key or os.environ.get(KEY_VARIABLE) or None
    confirm = None if args.yes else ask_before_deleting
    return PushOptions(args.anki_connect, key, args.sync, args.delete_removed, confirm)


def ask_before_deleting(lines: list[str]) -> bool:
    """List the notes, then ask on the terminal; without a terminal, delete nothing."""
    print(f"{len(lines)} removed note(s) can be deleted from Anki:", file=sys.stderr)
    for line in lines[:LIST_LIMIT]:
        print(line, file=sys.stderr)
    if len(lines) > LIST_LIMIT:
        print(f"  … and {len(lines) - LIST_LIMIT} more", file=sys.stderr)
    if not sys.stdin.isatty():
        print("nothing deleted: add --yes to delete them without asking", file=sys.stderr)
        return False
    print(
        f"Delete these {len(lines)} note(s) and their cards, review history included, from "
        "Anki? [y/N] ",
        end="",
        file=sys.stderr,
        flush=True,
    )
    try:
        answer = input()
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


@dataclass(frozen=True, slots=True)
class PushOutcome:
    report: PushReport | None
    error: str | None

    def to_json(self, url: str) -> dict[str, Any]:
        if self.report is not None:
            return self.report.to_json()
        return {"anki": url, "error": self.error}


def run_push(result: BuildResult, options: PushOptions) -> PushOutcome:
    from chatdeck.push import PushError, push

    try:
        return PushOutcome(push(result, options), None)
    except PushError as error:
        return PushOutcome(None, failure_line(error, result))


def failure_line(error: PushError, result: BuildResult) -> str:
    """Why the push failed, that the deck was still written and where, and what to do."""
    deck = shown_path(str(result.output), {})
    if error.failure is Failure.DROPPED:
        then = "run the same command again (a push is safe to repeat)"
    elif error.failure is Failure.NOT_RUNNING:
        then = "start Anki and push again, or import the deck by hand (File > Import)"
    else:
        then = "import it by hand in Anki (File > Import)"
    return f"{error}. The deck was still written: {deck}; {then}"


def push_line(report: PushReport) -> str:
    """What happened in Anki, in one line."""
    parts = [
        f"{report.new} new",
        f"{report.updated} updated",
        f"{report.moved} moved",
        f"{report.suspended} suspended",
        f"{report.unchanged} unchanged",
    ]
    extra = [
        (report.unsuspended, "unsuspended"),
        (report.deleted, "deleted"),
        (report.kept, "kept as edited in Anki"),
        (report.left, "left where you moved them"),
        (report.missing, "not found in Anki"),
    ]
    parts += [f"{count} {what}" for count, what in extra if count]
    if report.sent:
        sent = f"sent {report.sent} note(s), {report.size / 1024:.0f} KB"
    else:
        sent = "nothing to send"
    line = f"Anki: {', '.join(parts)} ({sent}, {report.seconds:.1f} s)"
    if report.note_type:
        line += "; card templates updated"
    if report.synced:
        line += "; synced with AnkiWeb"
    return line


def print_push(outcome: PushOutcome, out: TextIO = sys.stdout) -> None:
    if outcome.report is not None:
        if outcome.report.other_collection:
            print(
                "Anki holds none of the notes pushed before (another profile or collection?): "
                "sent the whole deck",
                file=out,
            )
        print(push_line(outcome.report), file=out)
    else:
        print(f"error: {outcome.error}", file=sys.stderr)


def short_push(outcome: PushOutcome) -> str:
    """The push's part of a --watch line."""
    if outcome.report is None:
        return f"push failed: {outcome.error}"
    return push_line(outcome.report)
