"""The helpers test sources may call: ``raises``, ``approx`` and ``_doctest_eq``.

One module serves both sides: the grading harness runs hidden and visible tests with these
functions, and the agent's ``test_visible.py`` holds this module's own source, so what the
agent runs is what grades it. Standard library only: it runs inside the sandbox.
"""

import math
from typing import Any


def raises(exc_type: type[BaseException], fn: Any, *args: Any, **kwargs: Any) -> bool:
    """Return True if ``fn(*args, **kwargs)`` raises ``exc_type`` (for tests)."""
    try:
        fn(*args, **kwargs)
    except exc_type:
        return True
    return False


def approx(a: Any, b: Any, rel: float = 1e-9, abs_tol: float = 1e-9) -> bool:
    """Return True if numbers (or equal-length sequences of numbers) are close (for tests)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(
            approx(x, y, rel, abs_tol) for x, y in zip(a, b, strict=True)
        )
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)
    return False


def _doctest_eq(value: Any, want: str) -> bool:
    """Return True if ``value`` prints as the doctest output ``want``."""
    return " ".join(repr(value).split()) == " ".join(want.split())
