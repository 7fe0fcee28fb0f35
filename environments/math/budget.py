"""A wall-clock budget for verification, in any thread.

Our own evaluators bound their work up front (sizes of numbers, exponents, factorials,
nesting), so the budget is a safety net for the sympy fallback. In the main thread it uses
``SIGALRM`` through ``setitimer`` (no process is forked, so it costs microseconds). Other
threads cannot take signals: there a trace function (``sys.settrace``, on function calls
only) raises :class:`BudgetExceeded` at the first Python call after the deadline, which
stops sympy, itself pure Python, wherever it is. Callers also skip the sympy fallbacks that
only pay off with a generous budget (:func:`can_interrupt`).
"""

from __future__ import annotations

import signal
import sys
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
    if seconds <= 0:
        yield
        return
    if not can_interrupt():
        with _traced_budget(seconds):
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


_LOCAL = threading.local()


@contextmanager
def _traced_budget(seconds: float) -> Iterator[None]:
    """The budget off the main thread: a call-event tracer checks the clock."""
    deadline = time.monotonic() + seconds
    outer = getattr(_LOCAL, "deadline", None)
    if outer is not None and outer <= deadline:
        yield  # an enclosing budget ends first and is already watching
        return
    previous = sys.gettrace()

    def tracer(frame: object, event: str, arg: object) -> None:
        if event == "call" and time.monotonic() > deadline:
            sys.settrace(None)  # one exception is enough; the block is being left
            raise BudgetExceeded(f"verification exceeded its {seconds:g} s budget")
        return None  # no line events: only calls are checked

    _LOCAL.deadline = deadline
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)
        _LOCAL.deadline = outer
