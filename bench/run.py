"""Benchmark chatdeck's build against the floor: `python bench/run.py [--quick] [--ankdown]`.

For each corpus size N (made by make_corpus.py, not timed) it times whole processes, as a user
would run them: the cold build (`build_deck.py CORPUS -o OUT` with OUT and any cache deleted),
an unchanged rebuild (the same build again, nothing changed), a rebuild after one corpus file
gained a pair (same OUT, so whatever the build keeps is reused), the floor (floor.py: the least
any Python tool must spend on the same pairs), and Pygments alone (pygments_alone.py: the very
code blocks the build highlights, with its lexer and formatter options, in one process). With
--ankdown, also `ankdown --highlight` 0.7.1 on the same pairs (vs_ankdown.py: its own
virtualenv, made once under the work folder). It reports medians of wall-clock time, of CPU
time (user + system of the process and of every worker it waited for, from os.wait4) and of the
child's peak RSS (for a build that forks workers that is the largest single process, not their
sum), and as start-up costs the seed build's time, `python -c "import chatdeck.build"` and
`python -c pass`. cold/floor says how far the build is from what its libraries cost; cold
CPU / Pygments CPU how much a build spends beyond highlighting; rebuild/cold how much an
edit-and-rebuild loop saves; unchanged/seed and unchanged/import how close a rebuild with
nothing to do comes to starting Python and importing chatdeck.
"""

from __future__ import annotations

import argparse
import hashlib
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
from typing import Any

import make_corpus
import vs_ankdown

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


def corpus_digest(corpus: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(corpus.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def prepared(target: Path, corpus: Path, make: list[str], env: dict[str, str], log: Path) -> Path:
    """`target`, made from `corpus` by the command `make` unless it was made from these very
    bytes before (its digest beside it says so). Not timed."""
    digest, stamp = corpus_digest(corpus), target.with_name(target.name + ".digest")
    if not (target.exists() and stamp.exists() and stamp.read_text() == digest):
        delete(target)
        run(make, BENCH, log, env)
        stamp.write_text(digest)
    return target


def tool_env(tool: Path) -> dict[str, str]:
    """The environment for a helper that imports chatdeck: the tool's tree first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tool), env.get("PYTHONPATH")]))
    return env


def pygments_seconds(result: Run) -> float:
    """The highlighting loop's own CPU time, as pygments_alone.py prints it."""
    found = re.search(r"([\d.]+) CPU s highlighting", result.output)
    return float(found.group(1)) if found else float("nan")


def bench_size(n: int, repeat: int, tool: Path, work: Path, ankdown: Path | None) -> dict[str, Any]:
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
    script = str(BENCH / "pygments_alone.py")
    blocks = work / f"blocks-{n}.json"
    prepared(blocks, corpus, [sys.executable, script, "--extract", str(corpus), str(blocks)],
             tool_env(tool), log)  # fmt: skip
    build = [sys.executable, str(tool / "build_deck.py"), str(corpus), "-o", str(out)]
    floor = [sys.executable, str(BENCH / "floor.py"), str(corpus), str(floor_out)]
    alone = [sys.executable, script, str(blocks)]
    if ankdown:
        cards, ankdown_out = work / f"ankdown-{n}", work / f"ankdown-{n}.apkg"
        convert = [sys.executable, str(BENCH / "vs_ankdown.py"), "convert", str(corpus), str(cards)]
        prepared(cards, corpus, convert, tool_env(tool), log)
        ankdown_run = [str(ankdown), "-r", str(cards), "-p", str(ankdown_out), "--highlight"]
    cold, unchanged, rebuild, base, pyg, other = [], [], [], [], [], []
    for rep in range(repeat):
        for path in (out, cache, *CACHE_DIRS):
            delete(path)
        cold.append(run(build, tool, log, env))
        check_notes(cold[-1], n, f"cold build of {n}")
        unchanged.append(run(build, tool, log, env))
        check_notes(unchanged[-1], n, f"unchanged rebuild of {n}")
        if "nothing changed" not in unchanged[-1].output:
            print(f"warning: unchanged rebuild of {n} reports changes", file=sys.stderr)
        pair = make_corpus.pair(random.Random(rep), n + 1 + rep)
        changed.write_bytes(with_pair(original, pair))
        rebuild.append(run(build, tool, log, env))
        check_notes(rebuild[-1], n + 1, f"rebuild of {n}")
        changed.write_bytes(original)
        delete(floor_out)
        base.append(run(floor, tool, log, env))
        pyg.append(run(alone, tool, log, env))
        if ankdown:
            delete(ankdown_out)
            other.append(run(ankdown_run, work, log, env))
            found = vs_ankdown.count_notes(ankdown_out)
            if found != n:
                print(f"warning: ankdown wrote {found} notes, expected {n}", file=sys.stderr)
    median = statistics.median
    measured = {"cold": cold, "unchanged": unchanged, "rebuild": rebuild, "floor": base}
    measured |= {"Pygments alone": pyg} | ({"ankdown": other} if ankdown else {})
    runs = [f"{name} {'/'.join(f'{r.seconds:.2f}' for r in rs)}" for name, rs in measured.items()]
    fastest = {
        name: (min(r.seconds for r in rs), min(r.cpu for r in rs)) for name, rs in measured.items()
    }
    results = {
        "runs": "; ".join(runs),
        "fastest": fastest,
        "cold": median(r.seconds for r in cold),
        "unchanged": median(r.seconds for r in unchanged),
        "rebuild": median(r.seconds for r in rebuild),
        "floor": median(r.seconds for r in base),
        "pygments": median(r.seconds for r in pyg),
        "cold_rss": median(r.rss_mb for r in cold),
        "unchanged_rss": median(r.rss_mb for r in unchanged),
        "rebuild_rss": median(r.rss_mb for r in rebuild),
        "floor_rss": median(r.rss_mb for r in base),
        "cold_cpu": median(r.cpu for r in cold),
        "unchanged_cpu": median(r.cpu for r in unchanged),
        "rebuild_cpu": median(r.cpu for r in rebuild),
        "floor_cpu": median(r.cpu for r in base),
        "pygments_cpu": median(r.cpu for r in pyg),
        "pygments_loop_cpu": median(pygments_seconds(r) for r in pyg),
    }
    if ankdown:
        results["ankdown"] = median(r.seconds for r in other)
        results["ankdown_cpu"] = median(r.cpu for r in other)
        results["ankdown_rss"] = median(r.rss_mb for r in other)
    return results


def startup(tool: Path, work: Path) -> dict[str, float]:
    """Fixed costs, medians of STARTUP_RUNS: the seed build (a few notes: mostly imports and
    fixed costs, cold each time), importing chatdeck's build, and starting Python at all."""
    out, log = work / "out-seeds", work / "log-seeds.txt"
    seeds = [sys.executable, str(tool / "build_deck.py"), "source", "-o", str(out)]
    commands = {
        "seeds": seeds,
        "import": [sys.executable, "-c", "import chatdeck.build"],
        "python": [sys.executable, "-c", "pass"],
    }
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(STARTUP_RUNS):
        delete(out)
        for name, command in commands.items():  # from the tool's folder: its chatdeck
            runs[name].append(run(command, tool, log, dict(os.environ)))
    median = statistics.median
    fixed = {name: median(r.seconds for r in values) for name, values in runs.items()}
    fixed |= {f"{name}_cpu": median(r.cpu for r in values) for name, values in runs.items()}
    return fixed


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
    parser.add_argument(
        "--ankdown",
        action="store_true",
        help=f"also time `ankdown --highlight` {vs_ankdown.VERSION} on the same pairs (its "
        "virtualenv is made once, under the work folder)",
    )
    args = parser.parse_args()
    sizes = [1000, 10000] if args.quick else [int(size) for size in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat
    tool, work = args.tool.resolve(), args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # A warm machine has the package's bytecode: pip compiles it on a regular install, and a
    # normal Python writes it on the first run of an editable one. Compile it here so that
    # PYTHONDONTWRITEBYTECODE (set in some sandboxes) does not charge every run for it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tool / "chatdeck")], check=True)
    ankdown = None
    if args.ankdown:
        try:
            ankdown = vs_ankdown.ensure_venv(work)
        except RuntimeError as error:
            print(f"ankdown {vs_ankdown.VERSION} left out: {error}\n", file=sys.stderr)

    print(machine(tool))
    if ankdown:
        packages = vs_ankdown.installed(work).split()
        print(f"ankdown: {ankdown} ({', '.join(packages)})")
    fixed = startup(tool, work)
    print(
        f"Start-up, medians of {STARTUP_RUNS}: seed build (`build_deck.py source`) "
        f'{fixed["seeds"]:.2f} s, `python -c "import chatdeck.build"` {fixed["import"]:.2f} s, '
        f"`python -c pass` {fixed['python']:.2f} s; CPU {fixed['seeds_cpu']:.2f}, "
        f"{fixed['import_cpu']:.2f} and {fixed['python_cpu']:.2f} s\n"
    )
    print(
        "| N | cold build s | floor s | cold/floor | rebuild after 1 file s | rebuild/cold "
        "| peak RSS cold MB | peak RSS rebuild MB | peak RSS floor MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = {}
    for n in sizes:
        r = results[n] = bench_size(n, repeat, tool, work, ankdown)
        print(
            f"| {n:,} | {r['cold']:.2f} | {r['floor']:.2f} | {r['cold'] / r['floor']:.2f}x "
            f"| {r['rebuild']:.2f} | {r['rebuild'] / r['cold']:.2f} "
            f"| {r['cold_rss']:.0f} | {r['rebuild_rss']:.0f} | {r['floor_rss']:.0f} |",
            flush=True,
        )
    print(
        "\n| N | cold CPU s | Pygments alone CPU s | cold CPU / Pygments | unchanged rebuild s "
        "| unchanged / seed build | unchanged / import | ankdown --highlight s | cold / ankdown |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, r in results.items():
        versus = f"{r['ankdown']:.2f} | {r['cold'] / r['ankdown']:.2f}" if ankdown else "- | -"
        print(
            f"| {n:,} | {r['cold_cpu']:.2f} | {r['pygments_cpu']:.2f} "
            f"| {r['cold_cpu'] / r['pygments_cpu']:.2f}x | {r['unchanged']:.2f} "
            f"| {r['unchanged'] / fixed['seeds']:.2f}x | {r['unchanged'] / fixed['import']:.2f}x "
            f"| {versus} |"
        )
    print(f"\nMedians of {repeat} run(s). CPU seconds (user + system, workers included):")
    for n, r in results.items():
        line = (
            f"  N={n:,}: cold {r['cold_cpu']:.2f}, unchanged rebuild {r['unchanged_cpu']:.2f}, "
            f"rebuild after 1 file {r['rebuild_cpu']:.2f}, floor {r['floor_cpu']:.2f}, Pygments "
            f"alone {r['pygments_cpu']:.2f} (its highlighting loop {r['pygments_loop_cpu']:.2f})"
        )
        if ankdown:
            line += f", ankdown {r['ankdown_cpu']:.2f} (peak RSS {r['ankdown_rss']:.0f} MB)"
        print(line)
        print(f"    every run, wall s: {r['runs']}")
        best = r["fastest"]
        line = (
            "    fastest run of each (the least disturbed by other load on the machine): cold "
            f"CPU / Pygments alone CPU {best['cold'][1] / best['Pygments alone'][1]:.2f}x"
        )
        if ankdown:
            line += f", cold wall / ankdown wall {best['cold'][0] / best['ankdown'][0]:.2f}"
        print(line + f", unchanged rebuild wall {best['unchanged'][0]:.2f} s")
        idle = r["unchanged_cpu"]
        print(
            f"    unchanged rebuild CPU / seed build CPU {idle / fixed['seeds_cpu']:.2f}x, "
            f"/ import CPU {idle / fixed['import_cpu']:.2f}x; its peak RSS "
            f"{r['unchanged_rss']:.0f} MB"
        )
    print(f"Where a cold build's CPU goes, stage by stage: python bench/profile.py --pairs {n}")
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Load average at the end: {load}")
    print(f"(corpora, outputs and the last logs are in {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
