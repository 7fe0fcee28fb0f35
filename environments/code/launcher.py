"""Start the solution's processes: the first a fork of the harness, each restart a new interpreter.

The grading harness (:mod:`agentgym.environments.code.harness`) makes its launcher first
thing, before it reads the tests and the nonce, and the launcher forks the first solution
process at once. That process holds nothing secret: only the harness's code, the solution's
source and the solution process's code (:mod:`agentgym.environments.code.solution_process`).
It loads the solution while the harness reads the tests.

A restart (after a crash, an exit or a timeout) comes after the harness has read the secret,
so it never forks the harness: it starts a new interpreter (``posix_spawn`` of
``sys.executable``) that runs the solution process's source. Nothing of the harness's
memory reaches it. So the solution never runs in a process that has seen a secret, and nothing
one solution process changes (a patched module, a poisoned global) reaches the next.

Forking the warm harness costs a few milliseconds, where a separate template process that
forked every solution process cost one more fork and one more process start on the path of
every grading run. A new interpreter costs tens of milliseconds, paid only on a restart.

Every solution process runs as an unprivileged user when the harness runs as root, in the
solution's own folder, with a scrubbed environment and no descriptor but its three pipes. It
dies with the harness (``PR_SET_PDEATHSIG``), and the harness reaps it.

Like the codec, this module is sent into the sandbox as source, so it imports only the
standard library.
"""

from __future__ import annotations

import gc
import os
import selectors
import signal
import sys
import time
from collections.abc import Callable

_NO_FD = -1
# A restarted process's program: the solution process's source (its first argument) runs as a
# module of its own, so what the solution does to ``__main__`` cannot reach its code.
# No user site-packages, no script folder on sys.path; the environment is the launcher's own
# (no PYTHONPATH & co.), whose PYTHONHASHSEED keeps a restart's hashes those of the first
# process (``-I`` would ignore it: a set could then iterate in another order after a restart).
_RESTART_FLAGS = ["-s", "-P"] if sys.version_info >= (3, 11) else ["-I"]
_RESTART = (
    "import sys, types\n"
    "m = types.ModuleType('solution_process')\n"
    "exec(compile(sys.argv[1], 'solution_process.py', 'exec'), m.__dict__)\n"
    "m.main()\n"
)


class LaunchError(OSError):
    """A solution process could not be started."""


def _wait_readable(fd: int, timeout: float) -> bool:
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        return bool(sel.select(max(0.0, timeout)))


class SolutionProcess:
    """The harness's handle on one solution process: its pipes and a pidfd.

    Attributes:
        pid: The process id (in the sandbox's pid namespace).
        stdin: The write end of the process's stdin (non-blocking).
        stdout: The read end of the process's stdout.
    """

    def __init__(self, pid: int, stdin: int, stdout: int):
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        # The harness is the parent: the pidfd is race-free until it reaps the pid.
        self._pidfd = os.pidfd_open(pid)
        self._code: int | None = None
        os.set_blocking(stdin, False)

    def close_stdin(self) -> None:
        """Close the process's stdin (it then finishes and exits by itself)."""
        if self.stdin != _NO_FD:
            os.close(self.stdin)
            self.stdin = _NO_FD

    def kill(self) -> None:
        """Send SIGKILL (through the pidfd, so never to a recycled pid)."""
        if self._pidfd != _NO_FD:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except OSError:
                pass

    def drain(self, timeout: float) -> bool:
        """Read and drop stdout until it ends, for up to ``timeout`` seconds; return whether it did."""
        deadline = time.monotonic() + timeout
        while _wait_readable(self.stdout, deadline - time.monotonic()):
            if not os.read(self.stdout, 1 << 16):
                return True
        return False

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the process to end; return whether it has."""
        return self._code is not None or _wait_readable(self._pidfd, timeout)

    def exit_code(self, timeout: float) -> int | None:
        """How the process ended (``-N`` for signal N), or None if it did not within ``timeout``."""
        if self._code is None and self._pidfd != _NO_FD and self.wait(timeout):
            self._reap()
        return self._code

    def close(self) -> None:
        """Close the harness's descriptors of this process, and reap it if it has ended."""
        self.close_stdin()
        self.exit_code(0)
        for fd in (self.stdout, self._pidfd):
            if fd != _NO_FD:
                os.close(fd)
        self.stdout = self._pidfd = _NO_FD

    def _reap(self) -> None:
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == self.pid:
            self._code = os.waitstatus_to_exitcode(status)


class Launcher:
    """Fork the first solution process now; :meth:`spawn` hands it out, then starts new ones.

    Args:
        start: What the first process runs: the solution process's ``start``, called with
            the folder, the user id, the harness's pid and the environment.
        source: The solution process's source, which a restarted process runs (its
            ``main()`` reads the folder, the user id and the harness's pid from argv).
        output: The descriptor every solution process gets as stderr (its prints go there too).
        workdir: The solution's own folder, its working directory.
        uid: Run as this user (and group) when not None; the harness must be root.
        env: The environment of the solution process.
    """

    def __init__(
        self,
        start: Callable[..., None],
        source: str,
        output: int,
        workdir: str,
        uid: int | None,
        env: dict,
    ):
        self._source = source
        self._output = output
        self._workdir = workdir
        self._uid = uid
        self._env = env
        self._procs: list[SolutionProcess] = []
        self._first: SolutionProcess | None = self._fork(start)

    def spawn(self) -> SolutionProcess:
        """Take a fresh solution process: the first one forked, else a new interpreter.

        Raises:
            LaunchError: The interpreter could not be started.
        """
        proc, self._first = self._first, None
        if proc is None:
            proc = self._exec()
        return proc

    def close(self) -> None:
        """Kill every solution process still running and close its descriptors.

        Not waited for: their address spaces are torn down while the harness reports, and the
        sandbox call ends only once every process in it has.
        """
        self._first = None
        for proc in self._procs:
            proc.kill()
            proc.close()
        self._procs.clear()

    def _fork(self, start: Callable[..., None]) -> SolutionProcess:
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        # Objects that exist now are never collected in the copy, so their pages stay shared.
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            try:
                for target, fd in enumerate((in_r, out_w, self._output)):
                    os.dup2(fd, target)
                start(self._workdir, self._uid, parent, self._env)
            finally:
                os._exit(1)
        os.close(in_r)
        os.close(out_w)
        return self._track(SolutionProcess(pid, in_w, out_r))

    def _exec(self) -> SolutionProcess:
        if not sys.executable:
            raise LaunchError("no Python interpreter to start a solution process with")
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        argv = [
            sys.executable,
            *_RESTART_FLAGS,
            "-c",
            _RESTART,
            self._source,
            self._workdir,
            str(-1 if self._uid is None else self._uid),
            str(os.getpid()),
        ]
        actions = [(os.POSIX_SPAWN_DUP2, fd, target) for target, fd in enumerate((in_r, out_w))]
        actions.append((os.POSIX_SPAWN_DUP2, self._output, 2))
        try:
            pid = os.posix_spawn(sys.executable, argv, self._env, file_actions=actions)
        except OSError as e:
            for fd in (in_w, out_r):
                os.close(fd)
            raise LaunchError(f"could not start a solution process ({e})") from None
        finally:
            os.close(in_r)
            os.close(out_w)
        return self._track(SolutionProcess(pid, in_w, out_r))

    def _track(self, proc: SolutionProcess) -> SolutionProcess:
        # Handles of processes that ended and were closed are dropped as new ones come.
        self._procs = [p for p in self._procs if p.stdout != _NO_FD]
        self._procs.append(proc)
        return proc
