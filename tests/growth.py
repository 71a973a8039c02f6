"""How a stage's time grows with its input, for the tests that hold a stage linear.

Growth is the ratio of CPU times at two sizes, each the best of five runs without the garbage
collector (whose pauses depend on the other tests' heap): a linear stage grows by about the
factor between the sizes, a quadratic one by its square. CPU time, not wall time, so that other
work on the machine does not count."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

Input = TypeVar("Input")

#: A linear stage grows by about the factor between the two sizes; this leaves room for noise
#: and fixed costs, and stays well under the factor's square (and under its 1.5th power for
#: the factors used with inputs that grew that way).
LINEAR = 2.5


def growth(
    run: Callable[[Input], object], make: Callable[[int], Input], size: int, factor: int
) -> float:
    """CPU time to run on `make(size * factor)` over that for `make(size)`."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for n in (size, size * factor):
            made = make(n)
            best = float("inf")
            for _ in range(5):
                start = time.process_time()
                run(made)
                best = min(best, time.process_time() - start)
            times.append(max(best, 1e-4))
    finally:
        gc.enable()
    return times[1] / times[0]


def assert_linear(
    run: Callable[[Input], object], make: Callable[[int], Input], size: int, factor: int = 8
) -> None:
    ratio = growth(run, make, size, factor)
    assert ratio < LINEAR * factor, f"grew {ratio:.1f}x for {factor}x the input"
