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
    "WorkspaceFileError",
    "check_int",
    "check_relative_path",
]

FileData = Mapping[str, str | bytes]


class SandboxError(RuntimeError):
    """A sandbox could not be created or used (not raised for failures of the user's code)."""


class WorkspaceFileError(SandboxError):
    """:meth:`Sandbox.read_file` found no regular file it could return.

    Attributes:
        reason: ``"missing"``, ``"too large"``, or what is there instead (``"a FIFO"``,
            ``"a folder"``, ``"a symbolic link"``, ...).
        notices: Notices for the agent, e.g. that a server restart lost the workspace's files
            (the likely reason a file is missing).
    """

    def __init__(self, name: str, reason: str, notices: tuple[str, ...] = ()) -> None:
        if reason == "missing":
            what = "there is no"
        elif reason == "too large":
            what = "too large to read:"
        else:
            what = f"not a regular file ({reason}):"
        super().__init__(f"{what} {name}")
        self.name = name
        self.reason = reason
        self.notices = notices


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

    def read_file(self, name: str, max_bytes: int = 1 << 20) -> bytes:
        """Return the bytes of the workspace's regular file ``name`` (a relative name).

        Never follows a link or waits on a FIFO: code in the workspace may have left either in
        the file's place. This default runs a small program in the sandbox; a backend may
        read the file more directly.

        Raises:
            WorkspaceFileError: If nothing is there, something other than a regular file is,
                or the file holds more than ``max_bytes``.
            ValueError: If ``name`` is absolute or climbs out of the workspace.
        """
        rel = str(check_relative_path(name))
        check_int("max_bytes", max_bytes, 0)
        result = self.run(_read_file_program(rel, max_bytes), timeout_s=10.0)
        notices = tuple(
            line[len("[sandbox: ") : -1]
            for line in result.stderr.splitlines()
            if line.startswith("[sandbox: ") and line.endswith("]")
        )
        if result.exit_code == 0 and not result.output_truncated:
            return bytes.fromhex(result.stdout.strip())
        lines = result.stdout.strip().splitlines()
        if result.exit_code == 3 and lines:
            raise WorkspaceFileError(rel, lines[-1], notices)
        raise SandboxError(f"could not read {rel}: {result.stderr.strip()[-500:]}")

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


def _read_file_program(name: str, limit: int) -> str:
    """A program that prints file ``name``'s bytes in hex, or why not and exits with 3.

    It is the sandbox server's own reader (:func:`files.read_file`), run in the sandbox.
    """
    from agentgym.sandboxes.server import files

    with open(files.__file__, encoding="utf-8") as fh:
        source = fh.read()
    return (
        f"{source}\n\n"
        "import sys as _sys\n"
        f"_data, _why = read_file('.', {name.split('/')!r}, {limit})\n"
        "if _data is None:\n"
        "    print(_why)\n"
        "    _sys.exit(3)\n"
        "print(_data.hex())\n"
    )
