"""Sandboxes that run untrusted Python for the envs.

>>> from agentgym.sandboxes import make_sandbox
>>> with make_sandbox("local", timeout_s=5, memory_mb=512) as sb:
...     sb.run("print(6 * 7)").stdout.strip()
'42'
"""

from __future__ import annotations

from typing import Any

from agentgym.sandboxes.base import Prelude, Sandbox, SandboxError, WorkspaceFileError
from agentgym.sandboxes.result import ExecResult

__all__ = [
    "BACKENDS",
    "ExecResult",
    "Prelude",
    "Sandbox",
    "SandboxError",
    "WorkspaceFileError",
    "check_backend",
    "close_shared_pools",
    "make_sandbox",
    "shared_pool",
]

BACKENDS = ("local", "docker")


def check_backend(backend: object, name: str = "sandbox") -> None:
    """Raise ValueError unless ``backend`` is one of :data:`BACKENDS` (``name`` is the argument)."""
    if backend not in BACKENDS:
        raise ValueError(f"{name} must be one of {BACKENDS}, got {backend!r}")


def make_sandbox(
    backend: str = "local", *, timeout_s: float = 10.0, memory_mb: int = 512, **kwargs: Any
) -> Sandbox:
    """Create a sandbox for one episode.

    Sandboxes of one backend share a warm pool: by default the process-wide one (see
    :func:`shared_pool`), or the pool passed as ``pool=``.

    Args:
        backend: ``"local"`` (no daemon needed) or ``"docker"``.
        timeout_s: Default wall-clock limit per call in seconds.
        memory_mb: Memory each call may allocate, in MiB.
        **kwargs: Backend options: ``pool`` (``None`` for the shared pool, ``"private"``, or a
            pool object), ``processes``, ``file_mb``, ``open_files``, ``output_bytes``.

    Returns:
        A :class:`Sandbox`; use it as a context manager or call ``close()``.

    Raises:
        ValueError: If ``backend`` is unknown or a limit is invalid.
        SandboxError: If the backend cannot be used (e.g. no Docker engine is reachable).
    """
    if backend == "local":
        from agentgym.sandboxes.local import LocalSandbox

        return LocalSandbox(timeout_s=timeout_s, memory_mb=memory_mb, **kwargs)
    if backend == "docker":
        from agentgym.sandboxes.docker_backend import DockerSandbox

        return DockerSandbox(timeout_s=timeout_s, memory_mb=memory_mb, **kwargs)
    raise ValueError(f"unknown sandbox backend {backend!r}; choose one of {BACKENDS}")


def shared_pool(backend: str = "local", **options: Any) -> Any:
    """The process-wide pool of ``backend`` that sandboxes use by default.

    See :func:`agentgym.sandboxes.shared.shared_pool`.
    """
    from agentgym.sandboxes.shared import shared_pool as get

    return get(backend, **options)


def close_shared_pools() -> None:
    """Close this process's shared pools (they also close at interpreter exit)."""
    from agentgym.sandboxes.shared import close_shared_pools as close

    close()
