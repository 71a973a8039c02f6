"""Benchmark chatdeck's build against the floor: `python bench/run.py [--quick]`.

For each corpus size N (made by make_corpus.py, not timed) it times whole processes, as a user
would run them: the cold build (`build_deck.py CORPUS -o OUT` with OUT and any cache deleted),
a rebuild after one corpus file gained a pair (same OUT, so whatever the build keeps is reused),
and the floor (floor.py: the least any Python tool must spend on the same pairs). It reports
medians of wall-clock time and the child's peak RSS from os.wait4 (for a build that forks
workers that is the largest single process, not their sum), and the seed build's time as the
start-up cost. cold/floor says how far the build is from what its libraries cost;
rebuild/cold says how much an edit-and-rebuild loop saves.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import make_corpus

# Build caches, deleted before every cold build. OUT itself always is, with any cache inside it
# (chatdeck's render cache is OUT/.cache/, see chatdeck/render_cache.py).
# CACHE_ENV_VAR: if the build reads its cache location from an environment variable, name it
# here; every build then gets VAR=<work>/cache-N, deleted before each cold build.
CACHE_ENV_VAR: str | None = None
# Fixed cache folders outside OUT (e.g. Path.home() / ".cache/chatdeck").
CACHE_DIRS: tuple[Path, ...] = ()

BENCH = Path(__file__).resolve().parent
STARTUP_RUNS = 5


@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system seconds, the child and the workers it waited for
    rss_mb: float  # peak resident set size
    output: str


def run(cmd: list[str], cwd: Path, log: Path, env: dict[str, str]) -> Run:
    """Run cmd as one process; time it and read its rusage as it is reaped."""
    with log.open("w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    if child.returncode != 0:
        sys.exit(f"failed ({child.returncode}): {' '.join(cmd)}\n{text[-3000:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def delete(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def with_pair(original: bytes, pair: str) -> bytes:
    """The file with one more pair at its end (inside the wrapper fence, if it has one)."""
    fence = b"```\n" if original.endswith(b"\n```\n") else b""
    return original[: len(original) - len(fence)] + f"\n{pair}\n".encode() + fence


def check_notes(result: Run, expected: int, what: str) -> None:
    """The build reports `(K notes)`; the corpus has no duplicates, so K must be N."""
    found = re.findall(r"\((\d+) notes\)", result.output)
    if found and int(found[-1]) != expected:
        print(f"warning: {what}: {found[-1]} notes, expected {expected}", file=sys.stderr)


def machine(tool: Path) -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    git = subprocess.run(
        ["git", "-C", str(tool), "describe", "--always", "--dirty"], capture_output=True, text=True
    ).stdout.strip()
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"Machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu}, "
        f"Python {platform.python_version()}, load average {load}\n"
        f"Tool: {tool} (git {git or '?'})"
    )


def bench_size(n: int, repeat: int, tool: Path, work: Path) -> dict[str, float]:
    corpus, out = work / f"corpus-{n}", work / f"out-{n}"
    floor_out, log = work / f"floor-{n}.apkg", work / f"log-{n}.txt"
    delete(corpus)
    make_corpus.write_corpus(n, corpus)
    files = sorted(corpus.iterdir())
    changed = files[len(files) // 2]
    original = changed.read_bytes()
    env = dict(os.environ)
    cache = work / f"cache-{n}"
    if CACHE_ENV_VAR:
        env[CACHE_ENV_VAR] = str(cache)
    build = [sys.executable, str(tool / "build_deck.py"), str(corpus), "-o", str(out)]
    floor = [sys.executable, str(BENCH / "floor.py"), str(corpus), str(floor_out)]
    cold, rebuild, base = [], [], []
    for rep in range(repeat):
        for path in (out, cache, *CACHE_DIRS):
            delete(path)
        cold.append(run(build, tool, log, env))
        check_notes(cold[-1], n, f"cold build of {n}")
        pair = make_corpus.pair(random.Random(rep), n + 1 + rep)
        changed.write_bytes(with_pair(original, pair))
        rebuild.append(run(build, tool, log, env))
        check_notes(rebuild[-1], n + 1, f"rebuild of {n}")
        changed.write_bytes(original)
        delete(floor_out)
        base.append(run(floor, tool, log, env))
    median = statistics.median
    return {
        "cold": median(r.seconds for r in cold),
        "rebuild": median(r.seconds for r in rebuild),
        "floor": median(r.seconds for r in base),
        "cold_rss": median(r.rss_mb for r in cold),
        "rebuild_rss": median(r.rss_mb for r in rebuild),
        "floor_rss": median(r.rss_mb for r in base),
        "cold_cpu": median(r.cpu for r in cold),
        "rebuild_cpu": median(r.cpu for r in rebuild),
        "floor_cpu": median(r.cpu for r in base),
    }


def startup(tool: Path, work: Path) -> float:
    """The seed build (a few notes: mostly imports and fixed costs), cold each time."""
    out = work / "out-seeds"
    cmd = [sys.executable, str(tool / "build_deck.py"), "source", "-o", str(out)]
    times = []
    for _ in range(STARTUP_RUNS):
        delete(out)
        times.append(run(cmd, tool, work / "log-seeds.txt", dict(os.environ)).seconds)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes, in pairs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir(), "chatdeck-bench"),
        help="scratch folder for corpora, outputs and logs (default: /tmp/chatdeck-bench)",
    )
    parser.add_argument("--tool", type=Path, default=BENCH.parent, help="folder of build_deck.py")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000, repeat 1")
    args = parser.parse_args()
    sizes = [1000, 10000] if args.quick else [int(size) for size in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat
    tool, work = args.tool.resolve(), args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # A warm machine has the package's bytecode: pip compiles it on a regular install, and a
    # normal Python writes it on the first run of an editable one. Compile it here so that
    # PYTHONDONTWRITEBYTECODE (set in some sandboxes) does not charge every run for it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tool / "chatdeck")], check=True)

    print(machine(tool) + "\n")
    print(
        "| N | cold build s | floor s | cold/floor | rebuild after 1 file s | rebuild/cold "
        "| peak RSS cold MB | peak RSS rebuild MB | peak RSS floor MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    cpu_lines = []
    for n in sizes:
        r = bench_size(n, repeat, tool, work)
        print(
            f"| {n:,} | {r['cold']:.2f} | {r['floor']:.2f} | {r['cold'] / r['floor']:.2f}x "
            f"| {r['rebuild']:.2f} | {r['rebuild'] / r['cold']:.2f} "
            f"| {r['cold_rss']:.0f} | {r['rebuild_rss']:.0f} | {r['floor_rss']:.0f} |",
            flush=True,
        )
        cpu_lines.append(
            f"  N={n:,}: cold {r['cold_cpu']:.2f}, rebuild {r['rebuild_cpu']:.2f}, "
            f"floor {r['floor_cpu']:.2f}"
        )
    print(f"\nMedian of {repeat} run(s). CPU seconds (user+sys, medians):")
    print("\n".join(cpu_lines))
    seeds = startup(tool, work)
    print(f"Startup: seed build (`build_deck.py source`), median of {STARTUP_RUNS}: {seeds:.2f} s")
    print(f"(corpora, outputs and the last logs are in {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
