"""The value every sandbox call returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ExecResult"]


@dataclass(frozen=True)
class ExecResult:
    """What one sandboxed run produced and what it cost.

    Attributes:
        stdout: Captured standard output, decoded as UTF-8 with invalid bytes replaced.
        stderr: Captured standard error, decoded the same way.
        exit_code: The program's exit status; ``-N`` when killed by signal ``N``.
        timed_out: True when the run was killed at its wall-clock or CPU time limit.
        oom_killed: True when the run died for lack of memory (address-space limit or the
            container's memory limit).
        wall_ms: Wall-clock time of the run in milliseconds.
        cpu_ms: User plus system CPU time of the run and its children in milliseconds.
        max_rss_kb: Peak resident set size of the run in kilobytes.
        output_truncated: True when stdout or stderr exceeded the capture limit and was cut.
    """

    stdout: str
    stderr: str
    exit_code: int
    timed_out: bool = False
    oom_killed: bool = False
    wall_ms: float = 0.0
    cpu_ms: float = 0.0
    max_rss_kb: int = 0
    output_truncated: bool = False

    @property
    def ok(self) -> bool:
        """True when the program exited 0 without being killed."""
        return self.exit_code == 0 and not self.timed_out and not self.oom_killed

    def resources(self) -> dict[str, Any]:
        """Exit status and resource use, as tools report them in ``info["tool_results"]``."""
        return {
            "exit_code": self.exit_code,
            "timed_out": self.timed_out,
            "oom_killed": self.oom_killed,
            "wall_ms": self.wall_ms,
            "cpu_ms": self.cpu_ms,
            "max_rss_kb": self.max_rss_kb,
        }
