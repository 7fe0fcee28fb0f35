"""A wall-clock budget for verification, enforced with a timer signal where possible.

Our own evaluators bound their work up front (sizes of numbers, exponents, factorials,
nesting), so the budget is a safety net for the sympy fallback. It uses ``SIGALRM`` through
``setitimer`` in the main thread (no process is forked, so it costs microseconds); in other
threads signals cannot be used, and callers then skip the unbounded sympy fallbacks instead.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BudgetExceeded", "can_interrupt", "time_budget"]


class BudgetExceeded(Exception):
    """The verification ran out of its time budget."""


def can_interrupt() -> bool:
    """Return whether a time budget can interrupt running code in this thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` inside the block after ``seconds`` (main thread only).

    Nested budgets keep the earlier deadline; the previous handler and timer are restored.
    Elsewhere the block runs unguarded (see :func:`can_interrupt`).
    """
    if not can_interrupt() or seconds <= 0:
        yield
        return
    previous_remaining, previous_interval = signal.getitimer(signal.ITIMER_REAL)
    if previous_remaining and previous_remaining < seconds:
        # An outer budget (ours or the caller's) fires first; leave it in charge.
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise BudgetExceeded(f"verification exceeded its {seconds:g} s budget")

    start = time.monotonic()
    old_handler = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if previous_remaining:
            left = previous_remaining - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), previous_interval)
