"""One episode's sandbox: a workspace on a (possibly shared) pool."""

from __future__ import annotations

import atexit
import dataclasses
import os
import queue
import threading
import weakref
from typing import Any

from agentgym.sandboxes.base import FileData, Prelude, Sandbox, SandboxError, check_int
from agentgym.sandboxes.pool.calls import SandboxPool
from agentgym.sandboxes.pool.limits import CallLimits
from agentgym.sandboxes.result import ExecResult

__all__ = ["PoolSandbox"]


class PoolSandbox(Sandbox):
    """One episode's sandbox: a workspace on a (possibly shared) :class:`SandboxPool`.

    Args:
        pool: The pool whose server runs the calls.
        limits: Per-call resource limits.
        owns_pool: Close the pool when this sandbox is closed.
    """

    def __init__(self, pool: SandboxPool, limits: CallLimits, owns_pool: bool = False) -> None:
        self.pool = pool
        self.limits = limits
        self.timeout_s = limits.timeout_s
        self.memory_mb = limits.memory_mb
        self._owns_pool = owns_pool
        self._state = {"ws": pool.new_workspace(), "closed": False}
        _start_janitor()
        # Garbage collection may run this at any allocation, even inside one of the pool's
        # locked sections: it only queues the work (see _collected).
        self._finalizer = weakref.finalize(self, _collected, pool, self._state, owns_pool)

    @staticmethod
    def resolve_pool(
        pool_class: type[SandboxPool], pool: SandboxPool | str | None
    ) -> tuple[SandboxPool, bool]:
        """Return ``(pool, owned)`` for a backend's ``pool`` argument.

        ``None`` is the process-wide shared pool of ``pool_class.backend``, ``"private"`` a
        new pool the sandbox owns (closed with it), anything else must be a ``pool_class``.
        """
        if pool is None:
            from agentgym.sandboxes.shared import shared_pool

            return shared_pool(pool_class.backend), False
        if pool == "private":
            return pool_class(), True
        if not isinstance(pool, pool_class):
            raise ValueError(
                f"pool must be None, 'private' or a {pool_class.__name__}, got {pool!r}"
            )
        return pool, False

    @property
    def workspace_id(self) -> str:
        """The opaque name of the current episode's workspace."""
        return self._state["ws"]

    def run(
        self,
        code: str,
        files: FileData | None = None,
        timeout_s: float | None = None,
        *,
        prelude: Prelude | None = None,
    ) -> ExecResult:
        """Run ``code`` in this episode's workspace; see :meth:`Sandbox.run`."""
        self._check_open()
        notices = self.write_files(files) if files else ()
        limit = self.limits.timeout_s if timeout_s is None else timeout_s
        result = self.pool.run(self._state["ws"], code, self.limits, limit, prelude)
        if not notices:
            return result
        told = "".join(f"[sandbox: {n}]\n" for n in notices)
        return dataclasses.replace(result, stderr=told + result.stderr)

    def write_files(self, files: FileData) -> tuple[str, ...]:
        """Write files into the workspace; see :meth:`Sandbox.write_files`."""
        self._check_open()
        return self.pool.write_files(self._state["ws"], files)

    def read_file(self, name: str, max_bytes: int = 1 << 20) -> bytes:
        """Read a workspace file; see :meth:`Sandbox.read_file`. The server reads it itself."""
        self._check_open()
        check_int("max_bytes", max_bytes, 0)
        return self.pool.read_file(self._state["ws"], name, max_bytes)

    def reset(self, files: FileData | None = None) -> None:
        """Start a new episode: the workspace is emptied and gets ``files``, in one request.

        See ``SandboxPool.clear_workspace``.
        """
        self._check_open()
        old = self._state["ws"]
        try:
            if files:
                self.pool.write_files(old, files, clear=True)
            else:
                self.pool.clear_workspace(old)
            return
        except SandboxError:
            # Not emptied (the server stalled or died): a fresh workspace instead.
            self._state["ws"] = self.pool.new_workspace()
            self.pool.drop_workspace(old)
        if files:
            self.write_files(files)

    def close(self) -> None:
        """Delete the workspace (and stop the pool if this sandbox owns it)."""
        if self._finalizer.detach() is not None:
            _drop_workspace(self.pool, self._state, self._owns_pool)

    def _check_open(self) -> None:
        if self._state["closed"]:
            raise SandboxError("sandbox is closed")


_COLLECTED: queue.SimpleQueue = queue.SimpleQueue()
_JANITOR_LOCK = threading.Lock()
_janitor_pid: int | None = None
_exiting = False


def _start_janitor() -> None:
    """Start (once per process) the thread that releases the workspaces of collected sandboxes."""
    global _janitor_pid
    with _JANITOR_LOCK:
        if _janitor_pid == os.getpid():
            return
        _janitor_pid = os.getpid()
        threading.Thread(target=_janitor, name="agentgym-sandbox-janitor", daemon=True).start()
        # At exit weakref runs the finalizers of live sandboxes from its atexit hook; ours is
        # registered after it (a finalizer made here registers it first), so it runs before
        # and those finalizers release their workspaces at once instead of queueing them.
        weakref.finalize(_janitor, lambda: None)
        atexit.register(_set_exiting)


def _set_exiting() -> None:
    global _exiting
    _exiting = True


def _janitor() -> None:
    while True:
        item = _COLLECTED.get()
        try:
            _drop_workspace(*item)
        except Exception:  # noqa: BLE001 - a janitor that dies would leak every later workspace
            pass
        # Hold no reference while waiting: the pool may now be collected (and stop its server).
        del item


def _collected(pool: SandboxPool, state: dict[str, Any], owns_pool: bool) -> None:
    """A sandbox was garbage-collected without close(): release its workspace soon.

    The collector may run this while this very thread holds one of the pool's locks (in
    the middle of sending a request, say); doing the request here would deadlock, so it is
    queued (SimpleQueue.put is safe in finalizers) for the janitor thread.
    """
    state["closed"] = True
    if _exiting:
        _drop_workspace(pool, state, owns_pool)
        return
    _COLLECTED.put((pool, state, owns_pool))


def _drop_workspace(pool: SandboxPool, state: dict[str, Any], owns_pool: bool) -> None:
    state["closed"] = True
    if owns_pool:
        pool.close()
    else:
        pool.drop_workspace(state["ws"])
