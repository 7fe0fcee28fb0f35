"""A module-level lock that is free again in a forked child."""

from __future__ import annotations

import os
import threading
from typing import Any

__all__ = ["ForkSafeLock"]


class ForkSafeLock:
    """A :class:`threading.Lock` (used with ``with``) that a forked child gets released.

    Another thread may hold a module's lock at the moment a thread forks (an async vector
    env starting its workers, a multiprocessing pool); the child's copy would then stay
    taken forever, as the thread that took it does not exist there. The child gets a fresh
    lock instead. A ``with`` block that was open across the fork still releases the lock it
    took.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken = threading.local()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> ForkSafeLock:
        lock = self._lock
        lock.acquire()
        self._taken.lock = lock
        return self

    def __exit__(self, *exc: Any) -> None:
        self._taken.lock.release()
