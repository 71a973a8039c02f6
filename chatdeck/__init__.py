"""chatdeck: chat transcripts in, an Anki deck out.

    from pathlib import Path
    import chatdeck

    result = chatdeck.build([Path("source")], chatdeck.BuildOptions(output=Path("output")))
    print(result.output, len(result.cards))

`plan()` does the same reading without writing anything (what `--dry-run` shows).
"""

#: The package's version, read by the packaging too (pyproject.toml's `dynamic` version): a
#: constant, so that no command pays `importlib.metadata`'s import and search of the packages.
__version__ = "0.4.0"

from chatdeck.build import BuildResult, PlanResult, build, plan  # noqa: E402
from chatdeck.options import BuildOptions, Limits, PlanOptions, Selection  # noqa: E402
from chatdeck.sources import BuildError  # noqa: E402
from chatdeck.templates import Templates, find_templates, load_templates  # noqa: E402

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
