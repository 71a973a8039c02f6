"""One build at a time per output folder: two builds writing one folder at once would write
one temp collection and delete each other's temp files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chatdeck.sources import BuildError

LOCK_NAME = ".chatdeck.lock"


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the folder's lock while the block runs; another build holding it is an error that
    says so (the lock goes with the process, so a killed build never leaves it held)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks in the standard library
        yield
        return
    handle = os.open(output / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BuildError(
                f"{output}: another build is writing to this folder; try again when it is done"
            ) from None
        yield
    finally:
        os.close(handle)
