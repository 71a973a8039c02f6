"""Instructions a cold build executes, every process counted once: `python bench/instructions.py
[--pairs 2000] [--rebuild] [TREE ...]`.

On a shared machine CPU seconds move by 10-60% with the load of other work, and a change worth
a few per cent cannot be told from noise. Instruction counts barely move: this runs a cold
build of each chatdeck tree (default: this one) under valgrind's callgrind, which counts the
instructions each process executes, with `--trace-children=yes`, PYTHONHASHSEED fixed and the
same corpus (make_corpus.py). A forked worker would start with its parent's count so far;
a `sitecustomize` on the path of the build zeroes the count in each child as it is forked
(`CALLGRIND_ZERO_STATS`, from a small C helper compiled here with callgrind.h), so each
process's count is its own and their sum is the build's. Counts are not seconds (a cache miss
or a system call costs time, not instructions), and callgrind runs a build about 50x slower:
use a small corpus, and CPU time (run.py, profile.py) for the absolute figures.

With --rebuild it counts instead the rebuild after one file changed, as run.py times it: a cold
and an unchanged build run first, outside callgrind, then one pair is added to the middle file
and only the build after that is counted (the file is put back afterwards). A rebuild runs in
one process; its system time (writing the collection, reading the files) is not counted.

Needs valgrind (with its headers) and a C compiler.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import make_corpus
from run import with_pair

BENCH = Path(__file__).resolve().parent
HELPER = "#include <valgrind/callgrind.h>\nvoid zero_stats(void) { CALLGRIND_ZERO_STATS; }\n"
# Callgrind runs a build about 50x slower, CPU time included, so the time limit on highlighting
# a code block (a timer of CPU time, `chatdeck.render.highlight_within`) would leave most blocks
# plain, and how many would turn on the machine's load. The sitecustomize stretches every CPU
# timer the build sets by SLOWDOWN (and reports what is left of it shrunk back), so blocks are
# highlighted as in a build outside callgrind.
SLOWDOWN = 1000
SITE = """import ctypes, os, signal
os.register_at_fork(after_in_child=ctypes.CDLL({library!r}).zero_stats)
_setitimer = signal.setitimer


def setitimer(which, seconds, interval=0.0):
    if which != signal.ITIMER_VIRTUAL:
        return _setitimer(which, seconds, interval)
    left, every = _setitimer(which, seconds * {slowdown}, interval * {slowdown})
    return left / {slowdown}, every / {slowdown}


signal.setitimer = setitimer
"""


def prepare_site(folder: Path) -> Path:
    """A folder holding the C helper and a sitecustomize that calls it in each forked child."""
    folder.mkdir(parents=True, exist_ok=True)
    source, library = folder / "zero_stats.c", folder / "libzero_stats.so"
    source.write_text(HELPER)
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    (folder / "sitecustomize.py").write_text(SITE.format(library=str(library), slowdown=SLOWDOWN))
    return folder


def count(
    tree: Path, corpus: Path, work: Path, site: Path, jobs: int | None, rebuild: bool
) -> list[int]:
    """Each process's instruction count in a cold build of `corpus` by the chatdeck of `tree`
    (with `rebuild`: in the rebuild after one file gained a pair)."""
    out, counts = work / "out", work / "counts"
    for folder in (out, counts):
        shutil.rmtree(folder, ignore_errors=True)
    counts.mkdir(parents=True)
    # As run.py does: a regular install has the package's bytecode (pip compiles it), and
    # without it every count would include compiling chatdeck's modules.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "chatdeck")], check=True)
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=f"{tree}{os.pathsep}{site}")
    build = [sys.executable, str(tree / "build_deck.py"), str(corpus), "-o", str(out), "-q"]
    build += ["-j", str(jobs)] if jobs else []
    command = ["valgrind", "--tool=callgrind", "--trace-children=yes"]
    command += [f"--callgrind-out-file={counts}/callgrind.%p", *build]
    if not rebuild:
        subprocess.run(command, env=env, check=True, capture_output=True)
    else:
        for _ in range(2):  # cold, then unchanged: the state and caches a rebuild starts from
            subprocess.run(build, env=env, check=True, capture_output=True)
        files = sorted(corpus.iterdir())
        changed = files[len(files) // 2]
        original = changed.read_bytes()
        try:
            changed.write_bytes(with_pair(original, make_corpus.pair(random.Random(0), 0)))
            subprocess.run(command, env=env, check=True, capture_output=True)
        finally:
            changed.write_bytes(original)
    found = []
    for path in sorted(counts.iterdir()):
        summary = re.search(r"^summary: (\d+)", path.read_text(errors="replace"), re.M)
        if summary:
            found.append(int(summary.group(1)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path, help="chatdeck trees (default: this one)")
    parser.add_argument("--pairs", type=int, default=2000, help="corpus size (default 2000)")
    parser.add_argument("-j", "--jobs", type=int, help="the build's -j (default: its own)")
    parser.add_argument(
        "--rebuild", action="store_true", help="count the rebuild after one file changed"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir(), "chatdeck-instructions"),
        help="scratch folder (default: /tmp/chatdeck-instructions)",
    )
    args = parser.parse_args()
    if not shutil.which("valgrind") or not shutil.which("cc"):
        parser.error("needs valgrind and a C compiler (cc)")
    work = args.work.resolve()
    corpus = work / f"corpus-{args.pairs}"
    shutil.rmtree(corpus, ignore_errors=True)
    make_corpus.write_corpus(args.pairs, corpus)
    site = prepare_site(work / "site")
    what = "Rebuild after one file changed" if args.rebuild else "Cold build"
    print(f"{what}, {args.pairs:,} pairs, under callgrind: instructions, in billions\n")
    print("| tree | processes | each | total |")
    print("|---|---:|---|---:|")
    for tree in args.trees or [BENCH.parent]:
        found = count(tree.resolve(), corpus, work, site, args.jobs, args.rebuild)
        each = " ".join(f"{value / 1e9:.2f}" for value in found)
        print(f"| {tree} | {len(found)} | {each} | {sum(found) / 1e9:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
