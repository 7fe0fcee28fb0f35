"""Process-wide shared pools, so every env in a process uses one warm server per backend."""

from __future__ import annotations

import atexit
import os
from typing import Any

from agentgym.sandboxes.locks import ForkSafeLock
from agentgym.sandboxes.pool import SandboxPool

__all__ = ["close_shared_pools", "shared_pool"]

_lock = ForkSafeLock()
_pools: dict[tuple[int, str, tuple[tuple[str, Any], ...]], SandboxPool] = {}


def shared_pool(backend: str = "local", **options: Any) -> SandboxPool:
    """The process's shared pool for ``backend`` and ``options`` (created on first use).

    Each process gets its own: an async vector env's worker processes never share the
    parent's server. The pools are closed at interpreter exit or by :func:`close_shared_pools`.

    Args:
        backend: ``"local"`` or ``"docker"``.
        **options: Constructor arguments of :class:`LocalPool` or
            :class:`~agentgym.sandboxes.docker_backend.DockerPool`.

    Returns:
        A started-on-demand pool; do not close it yourself.
    """
    key = (os.getpid(), backend, tuple(sorted(options.items())))
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            if backend == "local":
                from agentgym.sandboxes.local import LocalPool

                pool = LocalPool(**options)
            elif backend == "docker":
                from agentgym.sandboxes.docker_backend import DockerPool

                pool = DockerPool(**options)
            else:
                raise ValueError(f"unknown sandbox backend {backend!r}")
            _pools[key] = pool
        return pool


def close_shared_pools() -> None:
    """Close every shared pool this process created."""
    with _lock:
        mine = [k for k in _pools if k[0] == os.getpid()]
        pools = [_pools.pop(k) for k in mine]
    for pool in pools:
        pool.close()


atexit.register(close_shared_pools)
