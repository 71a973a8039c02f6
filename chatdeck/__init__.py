"""chatdeck: chat transcripts in, an Anki deck out.

    from pathlib import Path
    import chatdeck

    result = chatdeck.build([Path("source")], chatdeck.BuildOptions(output=Path("output")))
    print(result.output, len(result.cards))

`plan()` does the same reading without writing anything (what `--dry-run` shows).
"""

from chatdeck.build import BuildResult, PlanResult, build, plan
from chatdeck.options import BuildOptions, Limits, PlanOptions, Selection
from chatdeck.render_cache import installed_version
from chatdeck.sources import BuildError
from chatdeck.templates import Templates, find_templates, load_templates


def __getattr__(name: str) -> str:
    """`chatdeck.__version__`, read when asked for (see `installed_version`)."""
    if name == "__version__":
        return installed_version("chatdeck") or "0+unknown"  # a source tree never installed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BuildError",
    "BuildOptions",
    "BuildResult",
    "Limits",
    "PlanOptions",
    "PlanResult",
    "Selection",
    "Templates",
    "__version__",
    "build",
    "find_templates",
    "load_templates",
    "plan",
]
