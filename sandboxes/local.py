"""The local backend: a warm fork server per pool, one isolated child per call."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import weakref
from pathlib import Path
from typing import Any

from agentgym.sandboxes.base import SandboxError, check_int
from agentgym.sandboxes.fs import remove_tree
from agentgym.sandboxes.pool import OUTPUT_LIMIT_BYTES, CallLimits, PoolSandbox, SandboxPool
from agentgym.sandboxes.zygote import SERVER_ENV, SERVER_SCRIPT, ZygoteUnavailable, fork_server

__all__ = ["DEFAULT_PRELOAD", "LocalPool", "LocalSandbox"]

DEFAULT_PRELOAD = ("numpy", "sympy")
_ISOLATION_MODES = ("auto", "namespaces", "none")
_warned = threading.Event()
_warned_memory = threading.Event()


class _ServerProcess:
    """The running server and its temporary directory; cleaned up exactly once.

    A server we started ourselves is a :class:`subprocess.Popen`; one forked by the zygote is
    known by a pidfd (it is the zygote's child, which reaps it).
    """

    def __init__(
        self,
        pool_dir: str,
        sock: socket.socket,
        proc: subprocess.Popen[bytes] | None = None,
        pid: int = 0,
        pidfd: int = -1,
    ) -> None:
        self.pool_dir = pool_dir
        self.sock = sock
        self.proc = proc
        self.pid = proc.pid if proc is not None else pid
        self.pidfd = pidfd

    def stop(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        # The server kills its calls and exits when its socket closes; SIGKILL is the backstop
        # (each call's program dies with it through its parent-death signal).
        if self.proc is not None:
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        elif self.pidfd >= 0:
            if not select.select([self.pidfd], [], [], 3)[0]:
                try:
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                except OSError:
                    pass
                select.select([self.pidfd], [], [], 10)
            self.forget()
            # The zygote reaps it at once; wait for that so no zombie outlives close().
            deadline = time.monotonic() + 2
            while os.path.exists(f"/proc/{self.pid}") and time.monotonic() < deadline:
                time.sleep(0.002)
        remove_tree(self.pool_dir)

    def forget(self) -> None:
        """Release the pidfd without stopping the server (a forked child's copy)."""
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1


class LocalPool(SandboxPool):
    """A warm fork server on this machine, shared by any number of :class:`LocalSandbox`.

    The server starts on first use, imports ``preload`` once, and forks one child per call.
    Each child gets fresh user, pid, network, mount, ipc and uts namespaces where the kernel
    allows; otherwise the pool warns once and isolates with rlimits only (and no network
    isolation).

    Args:
        preload: Modules the server imports once so calls start with them loaded (missing
            ones are skipped).
        isolation: ``"auto"`` (namespaces where possible), ``"namespaces"`` (fail without
            them) or ``"none"`` (rlimits only, no warning).
        workspace_mb: Size limit of each episode's workspace in MiB (a tmpfs of its own; only
            with namespaces).
        spares: Calls kept pre-forked with their namespaces built.
        lean_spares: Spares kept by the lean server, for calls that import only standard
            modules (see docs/sandboxes.md); ``None``: as many as ``spares``. 0 starts no
            lean server: about 16 MB less per pool, and such calls take preloaded spares.
        python: The interpreter that runs the server and the calls.
        memory_cgroup: Put each call in a memory cgroup of its own (v1 or v2, where this
            process may make one), so memfd, shared-memory and tmpfs pages count against
            ``memory_mb`` too. Without one (False, or none available: a warning says so once)
            calls may not use ``memfd_create`` or ``shmget``, which no rlimit counts.
        share_preload: Fork the server from a per-user zygote process that keeps ``preload``
            imported, so the servers of pools in different processes (async vector workers,
            Ray actors) share the preloaded modules' memory instead of each importing them.
            The zygote exits with its last server. Falls back to a server of its own when the
            zygote cannot be used.
    """

    backend = "local"

    def __init__(
        self,
        preload: tuple[str, ...] | list[str] = DEFAULT_PRELOAD,
        isolation: str = "auto",
        workspace_mb: int = 128,
        spares: int = 2,
        python: str = sys.executable,
        share_preload: bool = True,
        memory_cgroup: bool = True,
        lean_spares: int | None = None,
    ) -> None:
        if isolation not in _ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {_ISOLATION_MODES}, got {isolation!r}")
        if isinstance(preload, str) or not all(
            isinstance(m, str) and m.isidentifier() for m in preload
        ):
            raise ValueError(f"preload must be a sequence of module names, got {preload!r}")
        lean_spares = spares if lean_spares is None else lean_spares
        for name, value, low in (
            ("workspace_mb", workspace_mb, 1),
            ("spares", spares, 0),
            ("lean_spares", lean_spares, 0),
        ):
            check_int(name, value, low)
        super().__init__()
        self.workspace_mb = workspace_mb
        self.spares = spares
        self.lean_spares = lean_spares
        self.preload = tuple(preload)
        self.isolation_mode = isolation
        self.python = python
        self.share_preload = bool(share_preload)
        self.memory_cgroup = bool(memory_cgroup)
        self._server: _ServerProcess | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def server_pid(self) -> int | None:
        """The process id of the running server, if any."""
        return self._server.pid if self._server is not None else None

    @property
    def zygote_pid(self) -> int | None:
        """The process id of the zygote that forked the running server, if it was forked."""
        if self._server is None or self._server.proc is not None:
            return None
        try:
            with open(f"/proc/{self._server.pid}/stat") as fh:
                # The command name may hold spaces and parentheses; fields after it do not.
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None
        return ppid if ppid > 1 else None

    def _launch(self) -> socket.socket:
        pool_dir = tempfile.mkdtemp(prefix="agentgym-pool-")
        workspaces = os.path.join(pool_dir, "ws")
        # Others may traverse (calls run as another uid when we are root) but never list it.
        os.mkdir(workspaces)
        os.chmod(pool_dir, 0o711)
        os.chmod(workspaces, 0o711)
        argv = [
            "--workspaces",
            workspaces,
            "--isolate",
            self.isolation_mode,
            "--preload",
            ",".join(self.preload),
            "--spares",
            str(self.spares),
            "--lean-spares",
            str(self.lean_spares),
            "--workspace-mb",
            str(self.workspace_mb),
            "--remove-on-exit",
            pool_dir,
            "--memory-accounting",
            "cgroup" if self.memory_cgroup else "refuse",
        ]
        log = open(os.path.join(pool_dir, "server.log"), "wb")  # noqa: SIM115 - handed to the server
        try:
            ours, server = self._start_server(argv, pool_dir, log)
        finally:
            log.close()
        self._server = server
        self._finalizer = weakref.finalize(self, _ServerProcess.stop, self._server)
        return ours

    def _start_server(
        self, argv: list[str], pool_dir: str, log: Any
    ) -> tuple[socket.socket, _ServerProcess]:
        """Fork the server from the zygote where we can, else start one of our own."""
        if self.share_preload and self.preload:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                pid, pidfd = fork_server(
                    self.python, self.preload, argv, pool_dir, theirs.fileno(), log.fileno()
                )
                return ours, _ServerProcess(pool_dir, ours, pid=pid, pidfd=pidfd)
            except ZygoteUnavailable as exc:
                # A server may hold ``theirs`` after all: start ours on a fresh pair.
                ours.close()
                log.write(f"zygote unavailable ({exc}); starting a server of our own\n".encode())
                log.flush()
            finally:
                theirs.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            proc = subprocess.Popen(
                [self.python, "-s", "-P", str(SERVER_SCRIPT), "--fd", str(theirs.fileno()), *argv],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=pool_dir,
                env=SERVER_ENV,
                start_new_session=True,
            )
        except OSError as exc:
            ours.close()
            remove_tree(pool_dir)
            raise SandboxError(f"could not start the sandbox server: {exc}") from exc
        finally:
            theirs.close()
        return ours, _ServerProcess(pool_dir, ours, proc=proc)

    def _terminate(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._server = None
        self._finalizer = None

    def _after_fork(self) -> None:
        # The parent's server is the parent's to stop.
        if self._finalizer is not None:
            self._finalizer.detach()
        if self._server is not None:
            self._server.forget()
        self._server = None
        self._finalizer = None

    def _diagnostics(self) -> str:
        if self._server is None:
            return ""
        try:
            text = Path(self._server.pool_dir, "server.log").read_text(errors="replace")
        except OSError:
            return ""
        return f"\nserver log:\n{text[-2000:]}" if text.strip() else ""

    def _on_hello(self, hello: dict[str, Any]) -> None:
        memory = str(hello.get("memory", ""))
        if memory.startswith("none") and self.memory_cgroup and not _warned_memory.is_set():
            _warned_memory.set()
            warnings.warn(
                "agentgym local sandbox: no memory cgroup counts memfd, shared-memory and "
                f"tmpfs pages against memory_mb ({memory})",
                RuntimeWarning,
                stacklevel=4,
            )
        if hello.get("isolation") != "namespaces" and self.isolation_mode == "auto":
            if not _warned.is_set():
                _warned.set()
                warnings.warn(
                    "agentgym local sandbox: "
                    + (hello.get("reason") or "namespaces unavailable")
                    + ". Calls are limited by rlimits but can see the host file system and "
                    "network; use the docker backend for untrusted code.",
                    RuntimeWarning,
                    stacklevel=4,
                )


class LocalSandbox(PoolSandbox):
    """A sandbox on a :class:`LocalPool` (the process-wide shared one by default).

    Args:
        timeout_s: Default wall-clock limit per call in seconds.
        memory_mb: Memory each call may allocate, in MiB.
        pool: ``None`` for the process-wide shared local pool, ``"private"`` for a pool of
            this sandbox's own (stopped at close), or a :class:`LocalPool` to share.
        processes: Processes and threads a call may have at once.
        file_mb: Largest file a call may write, in MiB.
        open_files: Open file descriptors a call may hold.
        output_bytes: Bytes of stdout and of stderr kept per call; the rest is dropped and
            ``output_truncated`` is set.
    """

    def __init__(
        self,
        timeout_s: float = 10.0,
        memory_mb: int = 512,
        *,
        pool: LocalPool | str | None = None,
        processes: int = 64,
        file_mb: int = 64,
        open_files: int = 256,
        output_bytes: int = OUTPUT_LIMIT_BYTES,
    ) -> None:
        limits = CallLimits(timeout_s, memory_mb, processes, file_mb, open_files, output_bytes)
        pool, owns = self.resolve_pool(LocalPool, pool)
        super().__init__(pool, limits, owns_pool=owns)
