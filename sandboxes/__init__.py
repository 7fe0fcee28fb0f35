"""Sandboxes that run untrusted Python for the envs.

>>> from agentgym.sandboxes import make_sandbox
>>> with make_sandbox("local", timeout_s=5, memory_mb=512) as sb:
...     sb.run("print(6 * 7)").stdout.strip()
'42'
"""

from __future__ import annotations

from typing import Any

from agentgym.sandboxes.base import Sandbox, SandboxError
from agentgym.sandboxes.result import ExecResult

__all__ = ["BACKENDS", "ExecResult", "Sandbox", "SandboxError", "make_sandbox"]

BACKENDS = ("local", "docker")


def make_sandbox(
    backend: str = "local", *, timeout_s: float = 10.0, memory_mb: int = 512, **kwargs: Any
) -> Sandbox:
    """Create a sandbox for one episode.

    Args:
        backend: ``"local"`` (no daemon needed) or ``"docker"``.
        timeout_s: Default wall-clock limit per call in seconds.
        memory_mb: Memory limit per call in MiB.
        **kwargs: Backend-specific options (see the backend classes).

    Returns:
        A :class:`Sandbox`; use it as a context manager or call ``close()``.

    Raises:
        ValueError: If ``backend`` is unknown or a limit is invalid.
    """
    if backend == "local":
        from agentgym.sandboxes.local import LocalSandbox

        return LocalSandbox(timeout_s=timeout_s, memory_mb=memory_mb, **kwargs)
    if backend == "docker":
        raise SandboxError("the docker backend is not available yet")
    raise ValueError(f"unknown sandbox backend {backend!r}; choose one of {BACKENDS}")
