"""Per-call resource limits, as the client states them and as the server receives them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentgym.sandboxes.base import check_int
from agentgym.sandboxes.server.protocol import DEFAULT_ENV

__all__ = ["OUTPUT_LIMIT_BYTES", "CallLimits"]

OUTPUT_LIMIT_BYTES = 1 << 20


@dataclass(frozen=True)
class CallLimits:
    """Resource limits for each call of a sandbox.

    Attributes:
        timeout_s: Wall-clock limit per call in seconds (CPU time is limited to this plus 1 s).
        memory_mb: Memory the program may allocate, in MiB (address space beyond what the
            warm interpreter already maps).
        processes: Processes and threads the call may have at once.
        file_mb: Largest file the call may write, in MiB.
        open_files: Open file descriptors the call may hold.
        output_bytes: Bytes of stdout and of stderr kept; the rest is read and dropped.
    """

    timeout_s: float = 10.0
    memory_mb: int = 512
    processes: int = 64
    file_mb: int = 64
    open_files: int = 256
    output_bytes: int = OUTPUT_LIMIT_BYTES

    def __post_init__(self) -> None:
        if not isinstance(self.timeout_s, int | float) or not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be a number > 0, got {self.timeout_s!r}")
        for name, low in (
            ("memory_mb", 16),
            ("processes", 1),
            ("file_mb", 1),
            ("open_files", 16),
            ("output_bytes", 1),
        ):
            check_int(name, getattr(self, name), low)

    def wire(self, timeout_s: float) -> dict[str, Any]:
        """The limits as the server expects them, for a call limited to ``timeout_s``."""
        return {
            "cpu_s": int(timeout_s) + 1,
            "memory_bytes": self.memory_mb << 20,
            "processes": self.processes,
            "file_bytes": self.file_mb << 20,
            "open_files": self.open_files,
            "env": dict(DEFAULT_ENV),
        }
