"""The interface every sandbox backend implements."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import TracebackType

from agentgym.sandboxes.result import ExecResult
from agentgym.sandboxes.server.protocol import MODULE_NAME, PRELUDE_NAME

__all__ = [
    "FileData",
    "Prelude",
    "Sandbox",
    "SandboxError",
    "check_int",
    "check_relative_path",
]

FileData = Mapping[str, str | bytes]


class SandboxError(RuntimeError):
    """A sandbox could not be created or used (not raised for failures of the user's code)."""


@dataclass(frozen=True)
class Prelude:
    """Trusted code that programs start with, kept ready by the sandbox server.

    A call ``run(code, prelude=p)`` runs ``p.source`` and then ``code`` in the same
    ``__main__`` namespace. The server compiles the prelude once (and imports ``imports``
    once), so a long fixed part, such as a grading harness, is neither sent nor compiled per
    call. The prelude is the caller's code, not the agent's: it must only define things.

    Attributes:
        name: Identifies it on the server (letters, digits, ``_``, ``.``, ``-``; up to 100).
        source: Python source.
        imports: The modules it imports. The server imports them once, so calls find them
            loaded; with the code's own imports they decide whether a call may run on a spare
            without the preloaded modules (only speed depends on this being complete).
    """

    name: str
    source: str
    imports: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not PRELUDE_NAME.fullmatch(self.name):
            raise ValueError(
                f"prelude name must be 1-100 letters, digits, '_', '.' or '-', got {self.name!r}"
            )
        if not isinstance(self.source, str):
            raise TypeError(f"prelude source must be a str, got {type(self.source).__name__}")
        if isinstance(self.imports, str) or not all(
            isinstance(m, str) and MODULE_NAME.fullmatch(m) for m in self.imports
        ):
            raise ValueError(f"prelude imports must be module names, got {self.imports!r}")
        object.__setattr__(self, "imports", tuple(self.imports))


def check_int(name: str, value: object, low: int) -> None:
    """Raise ValueError unless ``value`` is an int (not a bool) of at least ``low``."""
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")


def check_relative_path(name: str) -> PurePosixPath:
    """Validate a workspace file name: relative, no ``..``, not empty.

    Args:
        name: The path the caller wants inside the workspace, with ``/`` separators.

    Returns:
        The normalised relative path.

    Raises:
        ValueError: If the path is absolute, empty, or climbs out of the workspace.
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"workspace file name must be a non-empty string, got {name!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or str(path) in ("", "."):
        raise ValueError(f"workspace file name must be relative and stay inside it: {name!r}")
    return path


class Sandbox(abc.ABC):
    """Runs untrusted Python in an isolated per-episode workspace.

    A sandbox is one episode's view: files written by :meth:`write_files` or by the code
    itself persist across :meth:`run` calls until :meth:`reset` or :meth:`close`.
    """

    timeout_s: float
    memory_mb: int

    @abc.abstractmethod
    def run(
        self,
        code: str,
        files: FileData | None = None,
        timeout_s: float | None = None,
        *,
        prelude: Prelude | None = None,
    ) -> ExecResult:
        """Run ``code`` as a Python 3 program in the workspace.

        Args:
            code: Python source, run as ``__main__`` with the workspace as the working directory.
            files: Files to write into the workspace first (relative name -> text or bytes).
            timeout_s: Wall-clock limit for this call in seconds; the sandbox default if None.
            prelude: Trusted code to run first in the same namespace (see :class:`Prelude`).

        Returns:
            The run's output, exit status and resource use. Failures of the code (exceptions,
            timeouts, memory exhaustion, signals) are reported here, never raised. Notices
            (see :meth:`write_files`) open ``stderr`` as ``[sandbox: ...]`` lines.
        """

    @abc.abstractmethod
    def write_files(self, files: FileData) -> tuple[str, ...]:
        """Write files into the workspace (relative name -> text or bytes).

        Returns:
            Notices worth telling the agent, e.g. ``"solution.py was a FIFO; it was
            replaced"`` (links, FIFOs, sockets and folders where a file must go are replaced,
            never written through or waited on), or that the workspace's earlier files were
            lost when the sandbox server restarted. Empty when there is nothing to say.
        """

    @abc.abstractmethod
    def reset(self, files: FileData | None = None) -> None:
        """Start a new episode: the workspace becomes fresh and empty, then holds ``files``.

        Passing the episode's first files here costs one round trip to the sandbox instead of
        two (a reset, then :meth:`write_files`).
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Release everything the sandbox holds; safe to call twice."""

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
