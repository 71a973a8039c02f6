"""What `--push` costs: `python bench/push.py [--pairs N] [--repeat R]`.

Builds a corpus of N pairs (make_corpus.py) and pushes it into the AnkiConnect stand-in
(tests/ankiconnect_standin.py: the add-on's actions on the official `anki` backend, no GUI),
then edits one answer and measures, R times, the two ways that edit can reach Anki:

- push: `chatdeck.push.push` after the rebuild, i.e. what `--push` adds to a build (a package of
  the changed notes, the requests around it, the push state);
- full: AnkiConnect's `importPackage` of the whole deck file, i.e. what importing the `.apkg`
  by hand (or a push without the partial package) makes Anki do.

It prints the median seconds and the bytes each sends (the package Anki reads), and the
rebuild's own time for scale. Anki desktop adds its GUI refresh to both; the ratio is the point.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import make_corpus  # noqa: E402
from ankiconnect_standin import AnkiConnectStandIn, post  # noqa: E402

from chatdeck.build import build  # noqa: E402
from chatdeck.options import BuildOptions  # noqa: E402
from chatdeck.push import PushOptions, push  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus, output = work / "corpus", work / "output"
        make_corpus.write_corpus(args.pairs, corpus)
        clock = iter(range(1_700_000_000, 1_800_000_000, 10))
        options = BuildOptions(output=output, clock=lambda: next(clock))
        started = time.perf_counter()
        result = build([corpus], options)
        cold = time.perf_counter() - started
        with AnkiConnectStandIn(work / "collection.anki2") as anki:
            first = push(result, PushOptions(anki.url))
            print(
                f"{args.pairs} notes: cold build {cold:.2f} s; first push {first.seconds:.2f} s "
                f"({first.sent} notes, {first.size / 1e6:.2f} MB)"
            )
            edited = sorted(corpus.iterdir())[len(list(corpus.iterdir())) // 2]
            original = edited.read_text(encoding="utf-8")
            rebuilds, pushes, fulls, sent, full_size = [], [], [], [], 0
            for round_ in range(args.repeat):
                marker = "A: " if "A: " in original else "\n\n"
                edited.write_text(
                    original.replace(marker, f"{marker}(edit {round_}) ", 1), encoding="utf-8"
                )
                started = time.perf_counter()
                result = build([corpus], options)
                rebuilds.append(time.perf_counter() - started)
                assert sum(c.status == "updated" for c in result.changes.notes) == 1
                report = push(result, PushOptions(anki.url))
                assert (report.updated, report.sent) == (1, 1), report
                pushes.append(report.seconds)
                sent.append(report.size)
                started = time.perf_counter()
                reply = post(
                    anki.url,
                    {
                        "action": "importPackage",
                        "version": 6,
                        "params": {"path": str(result.output.resolve())},
                    },
                    timeout=3600,
                )
                assert reply == {"result": True, "error": None}, reply
                fulls.append(time.perf_counter() - started)
                full_size = result.output.stat().st_size
            edited.write_text(original, encoding="utf-8")
    median = statistics.median
    print(f"one edited answer, medians of {args.repeat}:")
    print(f"  rebuild                    {median(rebuilds):6.2f} s")
    print(f"  push (changed notes only)  {median(pushes):6.2f} s   {median(sent) / 1e3:9.1f} KB")
    print(f"  importPackage of the deck  {median(fulls):6.2f} s   {full_size / 1e3:9.1f} KB")


if __name__ == "__main__":
    main()
