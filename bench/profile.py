"""Where a cold build's CPU goes, stage by stage: `python bench/profile.py [--pairs 10000]`.

Four passes over one corpus (made by make_corpus.py, not timed), each in a process of its own
(so each pays the imports a build pays), the first three a cold build (a fresh output folder,
so the render cache is written as in a real first build):

1. stage timers, one process: `chatdeck.build` in this process with BuildOptions(jobs=1,
   pool_threshold=10**9, render_batch=10**9), so every file is parsed and rendered here. The
   functions that start each stage (`STAGES`) are wrapped with a timer of this thread's CPU time
   that leaves out the stages nested in it, so each second is counted once, at the cost of about
   a microsecond a call.
2. cProfile, the same build: every function's own time, mapped to a stage by its module and
   function name (`label_of`); the own time of a built-in or library helper goes to the stage
   of whoever called it. cProfile's overhead is heavier on many small Python calls (Pygments'
   lexer) than on a few C calls (cmark-gfm, nh3), so read its seconds for their order, and pass
   1's for their size.
3. the real parallel build (BuildOptions() defaults: one worker per CPU), with the same timers
   in this process and in every worker (they inherit them by fork; each writes its totals to a
   file after each task), and what crosses the process boundary: each task's arguments and
   result are pickled again in the worker to count their bytes and the CPU time of pickling and
   unpickling them (the build does that once more: pickling in the worker, unpickling in
   this process's main thread, which feeds the workers and reads their results).
4. a rebuild with nothing changed, after a cold build into the same folder (`build_deck.py`,
   in another process, not measured), with the same timers: what a rebuild costs beyond
   starting Python and importing chatdeck.build.

The render cache is on (a real cold build writes it), so the one-process passes also look up
each field in it before rendering (`cache: lookups`), which workers never do.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import json
import os
import pickle
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import make_corpus

BENCH = Path(__file__).resolve().parent
Clock = Callable[[], float]

# Stage names, in the order they are printed.
SOURCES = "find sources, read deck.toml"
READ = "read files (bytes)"
DECODE = "decode, split lines, find wrapper fence"
PARSE = "parse (rules, notes, identity)"
TEX_CHECK = "parse: TeX macro check"
FILE_GLUE = "per-file glue (media, tuples)"
CARD = "card: keys, digests, Source field, CardNote"
FIELD_GLUE = "render_field glue (reserved chars, lang)"
PROTECT = "protect: math/HTML regex pass"
PRE_PARSE = "code-line finding, parser and protect (walk of cmark's tree)"
CMARK_PRE = "cmark-gfm: parse for code lines (parser and protect)"
CMARK = "cmark-gfm: render"
CODE = "code blocks: lift and put back"
PYGMENTS = "Pygments"
FINISH = "finish: images, math back, tables"
NH3 = "nh3"
GUARD = "guard"
FILE_KEYS = "cache: file keys (SHA-256 of each file)"
LOOKUPS = "cache: lookups"
CACHE_WRITES = "cache writes (SQLite)"
PARSE_JSON = "parse cache: JSON"
PLACE = "place notes in decks"
MERGE = "merge"
STATE = "state, changes, removed"
COLLECTION = "package: write_collection (SQLite, genanki)"
ZIP = "package: zip (.apkg)"
POOL = "worker pool: start, feed, read results, stop"
BUILD_GLUE = "build glue (build.py)"
IMPORTS = "imports during the build"
OTHER = "other"
ORDER = [
    SOURCES, READ, DECODE, PARSE, TEX_CHECK, FILE_GLUE, CARD, FIELD_GLUE, PROTECT, PRE_PARSE,
    CMARK_PRE, CMARK, CODE, PYGMENTS, FINISH, NH3, GUARD, FILE_KEYS, LOOKUPS, CACHE_WRITES,
    PARSE_JSON, PLACE, MERGE, STATE, COLLECTION, ZIP, POOL, BUILD_GLUE, IMPORTS, OTHER,
]  # fmt: skip

# What pass 1 and 3 wrap: (module, class or None, function, stage). The module global is
# replaced (and the name in every module that imported it), so callers reach the wrapper.
STAGES = [
    ("chatdeck.build", None, "start", SOURCES),
    ("chatdeck.build", None, "open_source", READ),
    ("chatdeck.build", None, "file_key", FILE_KEYS),
    ("chatdeck.build", None, "to_json", PARSE_JSON),
    ("chatdeck.build", None, "stored_file", PARSE_JSON),
    ("chatdeck.build", None, "place", PLACE),
    ("chatdeck.build", None, "merge_notes", MERGE),
    ("chatdeck.build", None, "read_state", STATE),
    ("chatdeck.build", None, "removed_cards", STATE),
    ("chatdeck.build", None, "compare", STATE),
    ("chatdeck.build", None, "stamp", STATE),
    ("chatdeck.build", None, "write_state", STATE),
    ("chatdeck.build", None, "write_collection", COLLECTION),
    ("chatdeck.build", None, "write_package", ZIP),
    ("chatdeck.render_cache", "RenderCache", "get_file", LOOKUPS),
    ("chatdeck.render_cache", "RenderCache", "html_digest", LOOKUPS),
    ("chatdeck.render_cache", "RenderCache", "put_many", CACHE_WRITES),
    ("chatdeck.render_cache", "RenderCache", "put_file", CACHE_WRITES),
    ("chatdeck.render_cache", "RenderCache", "commit", CACHE_WRITES),
    ("chatdeck.workers", "Workers", "start", POOL),
    ("chatdeck.workers", "Workers", "close", POOL),
    ("chatdeck.workers", "Pool", "dispatch", POOL),
    ("chatdeck.workers", "Pool", "serve", POOL),
    ("chatdeck.transcripts", None, "render_file", FILE_GLUE),
    ("chatdeck.read", None, "read_transcript", DECODE),
    ("chatdeck.parse", None, "parse_transcript", PARSE),
    ("chatdeck.cards", None, "unsafe_math_problems", TEX_CHECK),
    ("chatdeck.cards", None, "render_note", CARD),
    ("chatdeck.render", None, "render_field", FIELD_GLUE),
    ("chatdeck.render", None, "language_of", FIELD_GLUE),
    ("chatdeck.render", None, "protect", PROTECT),
    ("chatdeck.render", None, "code_block_lines", PRE_PARSE),
    ("chatdeck.render", None, "_code_lines_in_tree", PRE_PARSE),
    ("chatdeck.render", None, "cmark_html", CMARK),
    ("chatdeck.render", None, "_with_tree", CMARK),  # or CMARK_PRE: see `cmark_stage`
    ("chatdeck.render", None, "lift_code_blocks", CODE),
    ("chatdeck.render", None, "put_back_code_blocks", CODE),
    ("chatdeck.render", None, "highlight_code", PYGMENTS),
    ("chatdeck.render", None, "finish", FINISH),
    ("chatdeck.render", None, "sanitize", NH3),
    ("chatdeck.render", None, "guard", GUARD),
]

# cProfile: a chatdeck function's stage by (module file, top-level function or class).
NAMED = {
    ("build.py", "start"): SOURCES,
    ("build.py", "open_source"): READ,
    ("render.py", "protect"): PROTECT,
    ("render.py", "_protect_token"): PROTECT,
    ("render.py", "code_block_lines"): PRE_PARSE,
    ("render.py", "_code_lines_in_tree"): PRE_PARSE,
    ("render.py", "code_block_lines_in_html"): PRE_PARSE,
    ("render.py", "cmark_html"): CMARK,
    ("render.py", "_with_tree"): CMARK,
    ("render.py", "_extensions"): CMARK,
    ("render.py", "_cmark_library"): CMARK,
    ("render.py", "_address"): CMARK,
    ("render.py", "finish"): FINISH,
    ("render.py", "_image"): FINISH,
    ("render.py", "_math_html"): FINISH,
    ("render.py", "_math_source"): FINISH,
    ("render.py", "lift_code_blocks"): CODE,
    ("render.py", "_highlight_block"): CODE,
    ("render.py", "put_back_code_blocks"): CODE,
    ("render.py", "_code_block"): CODE,
    ("render.py", "highlight_code"): PYGMENTS,
    ("render.py", "_lexer"): PYGMENTS,
    ("render.py", "sanitize"): NH3,
    ("render.py", "guard"): GUARD,
    ("render.py", "_own_image"): GUARD,
    ("render.py", "render_text"): CARD,
    ("render_cache.py", "file_key"): FILE_KEYS,
    ("render_cache.py", "cache_key"): CARD,
    ("render_cache.py", "html_digest"): CARD,
    ("render_cache.py", "content_key"): CARD,
    ("render_cache.py", "renderer_version"): CARD,
    ("render_cache.py", "parser_version"): FILE_KEYS,
    ("render_cache.py", "RenderCache.html_digest"): LOOKUPS,
    ("render_cache.py", "RenderCache.get_file"): LOOKUPS,
    ("package.py", "write_package"): ZIP,
    ("package.py", "use_fast_deflate"): ZIP,
    ("package.py", "atomic_write"): ZIP,
    ("package.py", "zip_time"): ZIP,
    ("cards.py", "unsafe_math_problems"): TEX_CHECK,
    ("transcripts.py", "read_notes"): PARSE,
}
MODULES = {  # the rest of a chatdeck module
    "sources.py": SOURCES,
    "config.py": SOURCES,
    "read.py": DECODE,
    "parse.py": PARSE,
    "identity.py": PARSE,
    "transcripts.py": FILE_GLUE,
    "media.py": FILE_GLUE,
    "cards.py": CARD,
    "render.py": FIELD_GLUE,
    "lexing.py": PYGMENTS,  # Pygments' lexers, run by chatdeck's driver
    "code_html.py": PYGMENTS,  # Pygments' HTML, written by chatdeck
    "render_cache.py": CACHE_WRITES,
    "parse_cache.py": PARSE_JSON,
    "decks.py": PLACE,
    "merge.py": MERGE,
    "state.py": STATE,
    "changes.py": STATE,
    "removed.py": STATE,
    "package.py": COLLECTION,
    "workers.py": POOL,
    "build.py": BUILD_GLUE,
}
LIBRARIES = {  # a folder on a library's path -> its stage
    "pygments": PYGMENTS,
    "cmarkgfm": CMARK,
    "nh3": NH3,
    "genanki": COLLECTION,
    "isal": ZIP,
    "zipfile": ZIP,
    "multiprocessing": POOL,
}


class Timers:
    """CPU seconds per stage, each counted once: a stage's time leaves out the stages it calls.
    One per process: a forked worker starts afresh on its first task (`fresh`)."""

    def __init__(self, clock: Clock = time.thread_time):
        self.clock = clock
        self.pid = os.getpid()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: defaultdict[str, int] = defaultdict(int)
        self.stack: list[list[Any]] = []  # [stage, start, seconds of nested stages]
        self.on = False

    def fresh(self) -> None:
        if self.pid != os.getpid():
            self.__init__(self.clock)  # type: ignore[misc]
            self.on = True

    def wrap(self, stage: str | Callable[[], str], function: Callable[..., Any]) -> Any:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return function(*args, **kwargs)
            name = stage() if callable(stage) else stage
            self.stack.append([name, self.clock(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                end = self.clock()
                name, start, nested = self.stack.pop()
                self.seconds[name] += end - start - nested
                self.calls[name] += 1
                if self.stack:
                    self.stack[-1][2] += end - start

        return timed

    def top(self) -> str | None:
        return self.stack[-1][0] if self.stack else None


def cmark_stage(timers: Timers) -> str:
    """cmark-gfm's stage: the parse for code lines when `code_block_lines` calls it, else the
    render."""
    return CMARK_PRE if timers.top() == PRE_PARSE else CMARK


def install_timers(timers: Timers) -> None:
    """Wrap every function of `STAGES` wherever chatdeck refers to it."""
    chatdeck_modules = [m for n, m in sys.modules.items() if n.startswith("chatdeck") and m]
    for module_name, class_name, name, stage in STAGES:
        owner: Any = importlib.import_module(module_name)  # the build imports some lazily
        if class_name:
            owner = getattr(owner, class_name)
        original = getattr(owner, name)
        timed_as = functools.partial(cmark_stage, timers) if stage == CMARK else stage
        wrapped = timers.wrap(timed_as, original)
        setattr(owner, name, wrapped)
        if class_name is None:
            for module in chatdeck_modules:
                if getattr(module, name, None) is original:
                    setattr(module, name, wrapped)


class WorkerProbe:
    """Wraps `render_file`, the task a worker runs (after `install_timers`): starts the worker's
    timers afresh, pickles the task's arguments and result to measure them, and writes the
    worker's totals to `folder` after each task (a worker may be ended at any moment)."""

    def __init__(self, timers: Timers, folder: Path, main_pid: int):
        self.timers, self.folder, self.main_pid = timers, folder, main_pid
        self.pickled = {"tasks": 0, "args": 0, "result": 0, "dumps": 0.0, "loads": 0.0}

    def install(self) -> None:
        import chatdeck.transcripts
        import chatdeck.workers

        timed = chatdeck.transcripts.render_file  # timed as FILE_GLUE by `install_timers`

        @functools.wraps(chatdeck.transcripts.render_file)
        def render_file(name: str, data: bytes, root: Path, known: Any = None) -> Any:
            if os.getpid() == self.main_pid:
                return timed(name, data, root, known)
            self.timers.fresh()
            result = timed(name, data, root, known)
            self.measure((name, data, root, known), result)
            return result

        # The pool pickles the task's function by name: both names must be this one.
        chatdeck.transcripts.render_file = render_file  # type: ignore[assignment]
        chatdeck.workers.render_file = render_file  # type: ignore[assignment]

    def measure(self, args: tuple[Any, ...], result: Any) -> None:
        from multiprocessing.reduction import ForkingPickler

        start = time.thread_time()
        blob = bytes(ForkingPickler.dumps(result))
        dumped = time.thread_time()
        pickle.loads(blob)
        loaded = time.thread_time()
        self.pickled["tasks"] += 1
        self.pickled["args"] += len(ForkingPickler.dumps(args))
        self.pickled["result"] += len(blob)
        self.pickled["dumps"] += dumped - start
        self.pickled["loads"] += loaded - dumped
        usage = resource.getrusage(resource.RUSAGE_SELF)
        record = {
            "seconds": dict(self.timers.seconds),
            "calls": dict(self.timers.calls),
            "pickled": self.pickled,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024,
        }
        (self.folder / f"{os.getpid()}.json").write_text(json.dumps(record))


def cpu_now() -> tuple[float, float]:
    """(this process, its reaped children): user + system seconds."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def cold_build(corpus: Path, output: Path, tool: Path, **tuning: Any) -> int:
    """A cold build (the output folder deleted first); the number of cards."""
    import chatdeck

    shutil.rmtree(output, ignore_errors=True)
    templates = chatdeck.load_templates(tool / "templates")
    options = chatdeck.BuildOptions(output=output, templates=templates, **tuning)
    return len(chatdeck.build([corpus], options).cards)


IN_PROCESS = {"jobs": 1, "pool_threshold": 10**9, "render_batch": 10**9}


def pass_timers(corpus: Path, output: Path, tool: Path) -> dict[str, Any]:
    timers = Timers()
    install_timers(timers)
    timers.on = True
    thread, cpu = time.thread_time(), cpu_now()[0]
    cards = cold_build(corpus, output, tool, **IN_PROCESS)
    thread, cpu = time.thread_time() - thread, cpu_now()[0] - cpu
    timers.on = False
    seconds = dict(timers.seconds)
    seconds[OTHER] = thread - sum(seconds.values())
    return {"cards": cards, "cpu": cpu, "seconds": seconds, "calls": dict(timers.calls)}


def pass_unchanged(corpus: Path, output: Path, tool: Path) -> dict[str, Any]:
    """A rebuild with nothing changed, after a cold build into the same folder by the command
    line (another process, not measured: this one then pays the imports a rebuild pays)."""
    import chatdeck

    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, str(tool / "build_deck.py"), str(corpus), "-o", str(output), "-q"]
    subprocess.run(command, cwd=tool, check=True, stdout=subprocess.DEVNULL)
    timers = Timers()
    install_timers(timers)
    timers.on = True
    templates = chatdeck.load_templates(tool / "templates")
    wall, thread, cpu = time.perf_counter(), time.thread_time(), cpu_now()[0]
    result = chatdeck.build([corpus], chatdeck.BuildOptions(output=output, templates=templates))
    wall, thread = time.perf_counter() - wall, time.thread_time() - thread
    cpu = cpu_now()[0] - cpu
    timers.on = False
    seconds = dict(timers.seconds)
    seconds[OTHER] = thread - sum(seconds.values())
    return {
        "cards": len(result.cards),
        "wall": wall,
        "cpu": cpu,
        "seconds": seconds,
        "calls": dict(timers.calls),
        "nothing_changed": result.changes.nothing,
        "workers": result.workers,
    }


# --- cProfile: functions to stages -------------------------------------------------------------


@functools.cache
def top_level_names(path: str) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of each top-level function and class method in a file."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    spans = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            spans.append((node.lineno, node.end_lineno or node.lineno, node.name))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    name = f"{node.name}.{item.name}"
                    spans.append((item.lineno, item.end_lineno or item.lineno, name))
    return spans


def label_of(function: tuple[str, int, str], package: Path) -> str | None:
    """A function's stage by where it is, or None: its time goes to its callers' stages."""
    path, line, name = function
    if path.startswith("<frozen importlib"):
        return IMPORTS
    if path.startswith(str(package) + os.sep):
        module = os.path.relpath(path, package)
        outer = next((n for first, last, n in top_level_names(path) if first <= line <= last), "")
        return (
            NAMED.get((module, outer))
            or NAMED.get((module, outer.split(".")[0]))
            or (MODULES.get(module, OTHER))
        )
    parts = Path(path).parts
    for folder, stage in LIBRARIES.items():
        if folder in parts or f"{folder}.py" in parts:
            return stage
    return None


def profile_stages(stats: pstats.Stats, package: Path) -> tuple[dict[str, float], dict]:
    """Every function's own time, in the stage of the function or, for one without a stage
    (a built-in, a standard-library helper), split over its callers as they called it."""
    raw = stats.stats  # type: ignore[attr-defined]
    share: dict[Any, dict[str, float]] = {}  # function -> stage -> fraction of its time

    def shares(function: Any, seen: frozenset) -> dict[str, float]:
        if function in share:
            return share[function]
        label = label_of(function, package)
        if label:
            share[function] = {label: 1.0}
            return share[function]
        callers = raw[function][4] if function in raw else {}
        weights = {c: v[3] or v[1] for c, v in callers.items() if c not in seen}
        total = sum(weights.values())
        if not total:
            return {OTHER: 1.0}
        result: defaultdict[str, float] = defaultdict(float)
        for caller, weight in weights.items():
            for stage, part in shares(caller, seen | {function}).items():
                result[stage] += part * weight / total
        share[function] = dict(result)
        return share[function]

    seconds: defaultdict[str, float] = defaultdict(float)
    others: defaultdict[Any, float] = defaultdict(float)
    for function, (_, _, own, _, callers) in raw.items():
        label = label_of(function, package)
        if label:
            seconds[label] += own
            continue
        caller_own = {c: v[2] for c, v in callers.items()}
        if not sum(caller_own.values()):
            caller_own = {c: v[3] or v[1] for c, v in callers.items()}
        total = sum(caller_own.values())
        if not total:
            seconds[OTHER] += own
            others[function] += own
            continue
        for caller, weight in caller_own.items():
            for stage, part in shares(caller, frozenset({function})).items():
                seconds[stage] += own * part * weight / total
                if stage == OTHER:
                    others[function] += own * part * weight / total
    # cmark-gfm called by code_block_lines is the parse for code lines, not the render; the
    # walk of its tree, called inside the same `_with_tree`, keeps its own stage
    ours = {f: v for f, v in raw.items() if f[0].startswith(str(package) + os.sep)}
    walk = sum(v[3] for f, v in ours.items() if f[2] == "_code_lines_in_tree")
    parses = {"_with_tree": "code_block_lines", "cmark_html": "code_block_lines_in_html"}
    for function, (_, _, _, _, callers) in ours.items():
        for caller, (_, _, _, cumulative) in callers.items():
            if parses.get(function[2]) == caller[2]:
                moved = cumulative - walk if function[2] == "_with_tree" else cumulative
                seconds[CMARK] -= moved
                seconds[CMARK_PRE] += moved
    return dict(seconds), dict(others)


def standard_cprofile() -> Any:
    """The standard library's cProfile, which imports the standard `profile`: this file has its
    name, and its folder is first on the path, so that folder is left out while it loads."""
    saved = sys.path[:]
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH]
    try:
        import cProfile
    finally:
        sys.path[:] = saved
    return cProfile


def pass_cprofile(corpus: Path, output: Path, tool: Path, top: int) -> dict[str, Any]:
    import chatdeck

    profiler = standard_cprofile().Profile(time.thread_time)
    profiler.enable()
    cards = cold_build(corpus, output, tool, **IN_PROCESS)
    profiler.disable()
    stats = pstats.Stats(profiler)
    package = Path(chatdeck.__file__).resolve().parent
    seconds, others = profile_stages(stats, package)
    raw = stats.stats  # type: ignore[attr-defined]
    functions = []
    for function, (_, calls, own, cumulative, _) in sorted(raw.items(), key=lambda i: -i[1][2]):
        path, line, name = function
        where = name if path == "~" else f"{shorten(path)}:{line}({name})"
        label = label_of(function, package) or "(its callers')"
        functions.append([own, cumulative, calls, where, label])
        if len(functions) == top:
            break
    return {
        "cards": cards,
        "seconds": seconds,
        "total": sum(value[2] for value in raw.values()),
        "functions": functions,
        "other": sorted([[s, f"{shorten(f[0])}:{f[2]}"] for f, s in others.items()])[::-1][:8],
    }


def shorten(path: str) -> str:
    for marker in ("site-packages" + os.sep, "lib" + os.sep + "python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.replace(str(BENCH.parent) + os.sep, "")


# --- the real parallel build -------------------------------------------------------------------


def pass_parallel(corpus: Path, output: Path, tool: Path, probes: Path) -> dict[str, Any]:
    timers = Timers()
    install_timers(timers)
    probe = WorkerProbe(timers, probes, os.getpid())
    probe.install()
    shutil.rmtree(probes, ignore_errors=True)
    probes.mkdir(parents=True)
    timers.on = True
    wall, thread, (cpu_me, cpu_children) = time.perf_counter(), time.thread_time(), cpu_now()
    cards = cold_build(corpus, output, tool)
    wall, thread = time.perf_counter() - wall, time.thread_time() - thread
    after = cpu_now()
    timers.on = False
    main = dict(timers.seconds)
    main[OTHER] = thread - sum(main.values())
    return {
        "cards": cards,
        "wall": wall,
        "main_thread": thread,
        "main_process": after[0] - cpu_me,
        "children": after[1] - cpu_children,
        "main": main,
        "workers": [json.loads(path.read_text()) for path in sorted(probes.glob("*.json"))],
    }


# --- report ------------------------------------------------------------------------------------


def table(columns: list[str], rows: list[list[str]], aligns: str = "") -> str:
    """A Markdown table; `aligns` has an l or r a column (default: the first l, the rest r)."""
    aligns = aligns or "l" + "r" * (len(columns) - 1)
    rule = "|" + "|".join("---" if a == "l" else "---:" for a in aligns) + "|"
    lines = ["| " + " | ".join(columns) + " |", rule]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def stage_rows(columns: list[dict[str, float]], calls: dict[str, int] | None = None) -> list:
    rows = []
    total = sum(columns[0].values())
    for stage in ORDER:
        values = [column.get(stage, 0.0) for column in columns]
        if all(abs(value) < 0.0005 for value in values):
            continue
        row = [stage, f"{values[0]:.2f}", f"{100 * values[0] / total:.1f}%"]
        row += [f"{value:.2f}" for value in values[1:]]
        if calls is not None:
            row.append(f"{calls.get(stage, 0):,}")
        rows.append(row)
    sums = [f"{sum(column.values()):.2f}" for column in columns]
    rows.append(["**total**", sums[0], "100%", *sums[1:]] + ([""] if calls is not None else []))
    return rows


def report_timers(data: dict[str, Any]) -> None:
    timed = data["seconds"]
    total = sum(timed.values())
    print(f"## 1. One process, stage timers ({data['cards']:,} cards)\n")
    print(
        f"CPU during the build: {total:.2f} s in this thread, {data['cpu']:.2f} s user + system "
        f"for the process; beyond Pygments: {total - timed.get(PYGMENTS, 0):.2f} s "
        f"({total / max(timed.get(PYGMENTS, 0), 1e-9):.2f}x Pygments' time). Before it, "
        f"`import chatdeck.build` took {data['import_cpu']:.2f} s.\n"
    )
    print(table(["stage", "CPU s", "share", "calls"], stage_rows([timed], data["calls"])) + "\n")


def report_cprofile(data: dict[str, Any], timed: dict[str, float] | None) -> None:
    print(f"## 2. One process, cProfile, functions mapped to stages ({data['cards']:,} cards)\n")
    print(f"Own time of every profiled function: {data['total']:.2f} s (overhead included).\n")
    columns = ["stage", "cProfile s", "share"] + (["pass 1 s"] if timed else [])
    rows = stage_rows([data["seconds"], timed] if timed else [data["seconds"]])
    print(table(columns, rows) + "\n")
    print(f"Top {len(data['functions'])} functions by own time:\n")
    rows = [
        [f"{own:.2f}", f"{cumulative:.2f}", f"{calls:,}", f"`{where}`", label]
        for own, cumulative, calls, where, label in data["functions"]
    ]
    columns = ["own s", "cumulative s", "calls", "function", "stage"]
    print(table(columns, rows, "rrrll") + "\n")
    other = ", ".join(f"`{name}` {seconds:.2f} s" for seconds, name in data["other"])
    print(f"In `other` (no stage, nor any caller with one): {other or 'nothing'}\n")


def report_parallel(data: dict[str, Any]) -> None:
    workers = data["workers"]
    summed: defaultdict[str, float] = defaultdict(float)
    calls: defaultdict[str, int] = defaultdict(int)
    pickled: defaultdict[str, float] = defaultdict(float)
    for worker in workers:
        for stage, value in worker["seconds"].items():
            summed[stage] += value
        for stage, count in worker["calls"].items():
            calls[stage] += count
        for key, value in worker["pickled"].items():
            pickled[key] += value
    own = sum(worker["cpu"] for worker in workers)
    measuring = pickled["dumps"] + pickled["loads"]
    summed[OTHER] = own - measuring - sum(summed.values())
    peak = max((worker["rss_mb"] for worker in workers), default=0)
    total = data["main_process"] + data["children"]
    print(
        f"## 3. The real parallel build (defaults: one worker per CPU; {data['cards']:,} cards)\n"
    )
    print(
        f"Wall {data['wall']:.2f} s. CPU {total:.2f} s, less this bench's pickling of each result"
        f" in the workers ({measuring:.2f} s): {total - measuring:.2f} s. Main process "
        f"{data['main_process']:.2f} s: its main thread {data['main_thread']:.2f}, other "
        f"threads {data['main_process'] - data['main_thread']:.2f}. {len(workers)} worker "
        "processes: "
        f"{data['children']:.2f} s as reaped (their own count after their last task "
        f"{own:.2f} s; peak RSS of one {peak:.0f} MB). The main process renders the first file "
        "itself before it starts the pool.\n"
    )
    print("Workers, summed (`other`: a worker's CPU outside its tasks' stages: the fork, page")
    print("faults, the worker's loop, unpickling its task, pickling its result):\n")
    print(table(["stage", "CPU s", "share", "calls"], stage_rows([dict(summed)], dict(calls))))
    print("\nMain process, main thread:\n")
    print(table(["stage", "CPU s", "share"], stage_rows([data["main"]])) + "\n")
    tasks = max(int(pickled["tasks"]), 1)
    print(
        f"Crossing process boundaries ({int(pickled['tasks'])} file tasks): arguments "
        f"{pickled['args'] / 1e6:.1f} MB ({pickled['args'] / tasks / 1e3:.0f} KB a task), results"
        f" {pickled['result'] / 1e6:.1f} MB ({pickled['result'] / tasks / 1e3:.0f} KB a task). "
        f"Pickling the results took {pickled['dumps']:.2f} CPU s and unpickling them "
        f"{pickled['loads']:.2f} s, as measured once more in the workers; the build itself pays "
        "the pickling in the workers and the unpickling in the main process (`worker pool`)."
    )


def report_unchanged(data: dict[str, Any]) -> None:
    timed = data["seconds"]
    print(f"## 4. A rebuild with nothing changed ({data['cards']:,} cards)\n")
    print(
        f"Wall {data['wall']:.2f} s; CPU {sum(timed.values()):.2f} s in this thread, "
        f"{data['cpu']:.2f} s user + system for the process; {data['workers']} worker(s) "
        f"started; nothing to import: {data['nothing_changed']}. Before it, `import "
        f"chatdeck.build` took {data['import_cpu']:.2f} s (in a real run, so does starting "
        "Python).\n"
    )
    print(table(["stage", "CPU s", "share", "calls"], stage_rows([timed], data["calls"])) + "\n")


PASSES = ("timers", "cprofile", "parallel", "unchanged")


def run_pass(args: argparse.Namespace) -> int:
    """One pass, in a process of its own (fresh imports, as a build has): JSON to args.out."""
    sys.path.insert(0, str(args.tool))
    started = time.process_time()
    import chatdeck.build  # noqa: F401

    imported = time.process_time() - started
    if Path(chatdeck.__file__).resolve().parent != args.tool / "chatdeck":
        sys.exit(f"chatdeck imported from {chatdeck.__file__}, not {args.tool}")
    output = args.work / f"profile-out-{args.pass_name}"
    if args.pass_name == "timers":
        data = pass_timers(args.corpus, output, args.tool)
    elif args.pass_name == "cprofile":
        data = pass_cprofile(args.corpus, output, args.tool, args.top)
    elif args.pass_name == "parallel":
        data = pass_parallel(args.corpus, output, args.tool, args.work / "profile-probes")
    else:
        data = pass_unchanged(args.corpus, output, args.tool)
    data["import_cpu"] = imported
    args.out.write_text(json.dumps(data))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10000, help="corpus size (default 10000)")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir(), "chatdeck-bench"),
        help="scratch folder (default: /tmp/chatdeck-bench)",
    )
    parser.add_argument("--tool", type=Path, default=BENCH.parent, help="the chatdeck tree")
    parser.add_argument("--top", type=int, default=30, help="functions listed (default 30)")
    parser.add_argument(
        "--passes", default=",".join(PASSES), help="comma-separated, of " + ", ".join(PASSES)
    )
    parser.add_argument("--run-pass", dest="pass_name", choices=PASSES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.tool, args.work = args.tool.resolve(), args.work.resolve()
    if args.pass_name:
        return run_pass(args)
    passes = [name for name in args.passes.split(",") if name]
    if unknown := set(passes) - set(PASSES):
        parser.error(f"unknown pass(es): {', '.join(sorted(unknown))}")
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = args.work / f"profile-corpus-{args.pairs}"
    shutil.rmtree(corpus, ignore_errors=True)
    files = make_corpus.write_corpus(args.pairs, corpus)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Cold build of {args.pairs:,} pairs ({files} files) by chatdeck from {args.tool}: "
        f"{len(os.sched_getaffinity(0))} CPUs, load average {load} (a load above the CPU "
        "count inflates every CPU time here)\n",
        flush=True,
    )
    results: dict[str, dict[str, Any]] = {}
    for name in PASSES:
        if name not in passes:
            continue
        out = args.work / f"profile-{name}.json"
        command = [sys.executable, __file__, "--run-pass", name, "--corpus", str(corpus)]
        command += ["--out", str(out), "--tool", str(args.tool), "--work", str(args.work)]
        command += ["--top", str(args.top)]
        subprocess.run(command, check=True)
        results[name] = json.loads(out.read_text())
        if name == "timers":
            report_timers(results[name])
        elif name == "cprofile":
            report_cprofile(results[name], results.get("timers", {}).get("seconds"))
        elif name == "parallel":
            report_parallel(results[name])
        else:
            report_unchanged(results[name])
        sys.stdout.flush()
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nLoad average at the end: {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
