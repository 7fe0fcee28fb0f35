"""The template process: a secret-free copy of the harness that forks the solution's processes.

The grading harness (:mod:`agentgym.environments.code.harness`) forks the template first
thing, before it reads the tests and the nonce, so the template holds nothing secret: only
the harness's code, the solution's source and the solution process's ``serve``. Each time the
harness needs a solution process (the first start, and every restart after a crash or a
timeout) it sends the template the process's three pipes (stdin, stdout, stderr) over a
socket pair, and the template forks a fresh copy of itself with them. So the solution never
runs in a process that has seen a secret, and since each solution process is a new fork of a
template the solution cannot write to, nothing one solution process changes (a patched
module, a poisoned global) reaches the next.

Forking a warm interpreter, with the sandbox's preloaded modules already imported, costs a
few milliseconds; starting a fresh one cost tens.

The template, and so every solution process, runs as an unprivileged user when the harness
runs as root, in the solution's own folder, with a scrubbed environment and no descriptor of
the harness's but the three pipes. It reaps its children and tells the harness how each
ended; it exits when the harness closes its end of the socket pair, and dies with the
harness (``PR_SET_PDEATHSIG``); each solution process dies with the template.

Like the codec, this module is sent into the sandbox as source, so it imports only the
standard library.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
_MAX_MESSAGE = 4096
_NO_FD = -1


class TemplateGone(OSError):  # noqa: N818 - an OSError, like the socket errors it stands for
    """The template process is gone or does not answer (the solution may have killed it)."""


def _prctl() -> Callable[..., int] | None:
    try:
        import ctypes

        return ctypes.CDLL(None).prctl
    except (OSError, AttributeError, ImportError):
        return None


def _close_fds_except(keep: set[int]) -> None:
    low = 0
    for fd in sorted(keep):
        if fd > low:
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)


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
        unprivileged: Whether it runs as the unprivileged user.
    """

    def __init__(self, pid: int, pidfd: int, stdin: int, stdout: int, unprivileged: bool):
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.unprivileged = unprivileged
        self._pidfd = pidfd

    def close_stdin(self) -> None:
        """Close the process's stdin (it then finishes and exits by itself)."""
        if self.stdin != _NO_FD:
            os.close(self.stdin)
            self.stdin = _NO_FD

    def kill(self) -> None:
        """Send SIGKILL (through the pidfd, so never to a recycled pid)."""
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
        return _wait_readable(self._pidfd, timeout)

    def close(self) -> None:
        """Close the harness's descriptors of this process."""
        self.close_stdin()
        for fd in (self.stdout, self._pidfd):
            if fd != _NO_FD:
                os.close(fd)
        self.stdout = self._pidfd = _NO_FD


class Template:
    """Fork the template process; its methods start solution processes from it.

    Args:
        serve: What a solution process runs (the solution process's protocol loop).
        output: The descriptor every solution process gets as stderr (its prints go there too).
        workdir: The solution's own folder, its working directory.
        uid: Run as this user (and group) when not None; the harness must be root.
        env: The environment of the solution process.
    """

    def __init__(
        self, serve: Callable[[], None], output: int, workdir: str, uid: int | None, env: dict
    ):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        # Objects that exist now are never collected in the copies, so their pages stay shared.
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                ours.close()
                _template_main(theirs, parent, serve, output, workdir, uid, env)
                code = 0
            finally:
                os._exit(code)
        theirs.close()
        self.pid = pid
        self._sock = ours
        self._exits: dict[int, int] = {}
        self._broken = False

    def spawn(self, timeout: float) -> SolutionProcess:
        """Take a fresh solution process (the template forks the next one when asked).

        Raises:
            TemplateGone: The template is gone or did not answer within ``timeout`` seconds.
        """
        if self._broken:
            raise TemplateGone("the template process is gone or stopped answering")
        try:
            try:
                self._sock.send(b"spawn")
            except OSError as e:
                raise TemplateGone(f"the template process is gone ({e})") from None
            reply, fds = self._receive(time.monotonic() + timeout, want=3)
        except BaseException:
            # A late reply would be taken for the next request's: never ask this one again.
            self._broken = True
            raise
        pidfd, stdin, stdout = fds
        os.set_blocking(stdin, False)
        return SolutionProcess(reply["pid"], pidfd, stdin, stdout, bool(reply["unprivileged"]))

    def exit_code(self, pid: int, timeout: float) -> int | None:
        """How solution process ``pid`` ended (``-N`` for signal N), or None if not told in time."""
        deadline = time.monotonic() + timeout
        while pid not in self._exits:
            try:
                self._receive(deadline, want=0)
            except TemplateGone:
                return None
        return self._exits.pop(pid)

    def close(self) -> None:
        """End the template, and so every solution process.

        Not waited for: its address space is torn down while the harness reports, and the
        sandbox call ends only once every process in it has.
        """
        self._sock.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass

    def _receive(self, deadline: float, want: int) -> tuple[dict, list[int]]:
        """Read messages until one that is not an exit report (``want=1``) or any (``want=0``)."""
        while True:
            if not _wait_readable(self._sock.fileno(), deadline - time.monotonic()):
                raise TemplateGone("the template process did not answer in time")
            try:
                data, fds, _, _ = socket.recv_fds(self._sock, _MAX_MESSAGE, 3)
            except OSError as e:
                raise TemplateGone(f"the template process is gone ({e})") from None
            if not data:
                raise TemplateGone("the template process is gone")
            message = json.loads(data)
            if "exit" in message:
                self._exits[int(message["exit"])] = int(message["code"])
                if want == 0:
                    return message, fds
                continue
            if len(fds) != want:
                for fd in fds:
                    os.close(fd)
                raise TemplateGone("the template process sent a malformed reply")
            return message, fds


def _template_main(
    sock: socket.socket,
    parent: int,
    serve: Callable[[], None],
    output: int,
    workdir: str,
    uid: int | None,
    env: dict,
) -> None:
    """The template's loop: hand out a solution process per request, report each one's end."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    # Nothing of the harness's but stderr (its own tracebacks) and the output file stays open.
    _close_fds_except({0, 1, 2, output, sock.fileno()})
    unprivileged = False
    if uid is not None:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            unprivileged = True
        except OSError:
            pass
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
    if os.getppid() != parent:
        return
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(env)
    template = os.getpid()
    children: dict[int, int] = {}  # pidfd -> pid
    sel = selectors.DefaultSelector()

    def fork_solution() -> tuple[int, int, int, int]:
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _solution_main([in_r, out_w, output], template, serve, prctl)
        os.close(in_r)
        os.close(out_w)
        pidfd = os.pidfd_open(pid)
        children[pidfd] = pid
        sel.register(pidfd, selectors.EVENT_READ)
        return pid, pidfd, in_w, out_r

    # The first one is forked at once, while the harness reads the tests: it runs nothing
    # but the protocol loop until the harness sends it the solution's source.
    ready: tuple[int, int, int, int] | None = fork_solution()
    sel.register(sock, selectors.EVENT_READ)
    try:
        while True:
            for key, _ in sel.select():
                if key.fileobj is sock:
                    if not sock.recv(_MAX_MESSAGE):
                        return
                    pid, pidfd, in_w, out_r = ready or fork_solution()
                    ready = None
                    reply = {"pid": pid, "unprivileged": unprivileged}
                    socket.send_fds(sock, [json.dumps(reply).encode()], [pidfd, in_w, out_r])
                    os.close(in_w)
                    os.close(out_r)
                else:
                    pidfd = key.fd
                    pid = children.pop(pidfd)
                    sel.unregister(pidfd)
                    os.close(pidfd)
                    _, status = os.waitpid(pid, 0)
                    if ready is not None and ready[0] == pid:
                        os.close(ready[2])
                        os.close(ready[3])
                        ready = None
                    reply = {"exit": pid, "code": os.waitstatus_to_exitcode(status)}
                    sock.send(json.dumps(reply).encode())
    except OSError:
        return
    finally:
        for pidfd in children:
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            except OSError:
                pass


def _solution_main(
    fds: list[int], template: int, serve: Callable[[], None], prctl: Callable[..., int] | None
) -> None:
    """A solution process: take the three pipes as stdin, stdout and stderr, and serve."""
    code = 1
    try:
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != template:
            os._exit(1)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        _close_fds_except({0, 1, 2})
        serve()
        code = 0
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        # The harness takes the end of stdout as the end of the output; the exit comes later.
        _close_fds_except(set())
    except BaseException:  # noqa: BLE001 - a traceback in the output, never back into the loop
        try:
            import traceback

            traceback.print_exc()
        except BaseException:  # noqa: BLE001, S110 - nothing left to report with
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001, S110 - the solution may have broken it
                pass
        os._exit(code)
