"""The client side of the zygote: one process per user and preload that forks pool servers.

Every :class:`~agentgym.sandboxes.local.LocalPool` would otherwise start a server that imports
the preload modules (numpy and sympy: ~45 MB) itself. Forked from one zygote, the servers of
pools in different processes (async vector env workers, Ray actors) share those pages
copy-on-write. The zygote is the server program run with ``--zygote``; it listens on a unix socket in a private
per-user folder, is started by the first pool that finds none, and exits with its last server.
A server it forks is the server the pool would otherwise start: same arguments, socket, log
and folder, so isolation, limits and clean-up do not change.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from agentgym.sandboxes.locks import ForkSafeLock
from agentgym.sandboxes.server import MessageReader, send_message

__all__ = [
    "SERVER_DIR",
    "SERVER_ENV",
    "SERVER_SCRIPT",
    "ZygoteUnavailable",
    "fork_server",
    "socket_path",
]

# The server is a package of standard-library modules, run as a program from its folder.
SERVER_DIR = Path(__file__).with_name("server")
SERVER_SCRIPT = SERVER_DIR / "__main__.py"
# The server and the zygote run with this environment only: nothing of the caller's leaks in.
# A fixed hash seed: the same code prints sets and dicts in the same order in every process, so
# episodes replay (``-I`` would ignore it; the environment is scrubbed anyway).
SERVER_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}
START_TIMEOUT_S = 120.0
REPLY_TIMEOUT_S = 30.0
_start_lock = ForkSafeLock()


class ZygoteUnavailable(Exception):
    """The zygote could not fork a server; the pool starts its own instead."""


def socket_path(python: str, preload: tuple[str, ...]) -> str | None:
    """The socket of the zygote for this interpreter, preload and server code (None: unsafe)."""
    folder = _private_folder()
    if folder is None:
        return None
    # Not the real path: a virtualenv's python is a link to the base interpreter, but its
    # site-packages (and so what the zygote imports) are its own.
    key = hashlib.sha256(
        b"\0".join([os.path.abspath(python).encode(), ",".join(preload).encode(), _server_digest()])
    ).hexdigest()[:16]
    path = os.path.join(folder, f"zygote-{key}.sock")
    return path if len(path.encode()) < 100 else None


def _private_folder() -> str | None:
    """The per-user folder of the zygotes' sockets, made if need be (None: not safely ours).

    The last zygote to exit removes it, so a machine without pools has no such folder.
    """
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = os.path.join(base, f"agentgym-{os.geteuid()}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    # Anyone who could write here could answer in the zygote's place.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        return None
    return folder


@functools.cache
def _server_digest() -> bytes:
    # A new server (an upgrade) must not be served by a zygote still running the old one.
    digest = hashlib.sha256()
    for path in sorted(SERVER_DIR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def fork_server(
    python: str, preload: tuple[str, ...], argv: list[str], cwd: str, sock_fd: int, log_fd: int
) -> tuple[int, int]:
    """Have the zygote for ``python`` and ``preload`` fork a pool server (starting it if need be).

    The server runs the server program with ``argv`` plus ``--fd`` for ``sock_fd`` (its end of the
    client's socket), in ``cwd``, logging to ``log_fd``. Returns the server's pid and a pidfd
    for it; raises :class:`ZygoteUnavailable` when that cannot be done.
    """
    if not hasattr(os, "pidfd_open"):
        raise ZygoteUnavailable("this platform has no pidfds")
    try:
        return _fork_server(python, preload, argv, cwd, [sock_fd, log_fd])
    except OSError as exc:
        raise ZygoteUnavailable(str(exc)) from exc


def _fork_server(
    python: str, preload: tuple[str, ...], argv: list[str], cwd: str, fds: list[int]
) -> tuple[int, int]:
    for _ in range(3):
        path = socket_path(python, preload)
        if path is None:
            raise ZygoteUnavailable("no private folder for its socket")
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.settimeout(REPLY_TIMEOUT_S)
            try:
                conn.connect(path)
            except (FileNotFoundError, ConnectionRefusedError):
                try:
                    _start_zygote(path, python, preload)
                except FileNotFoundError:
                    pass  # the folder went with the last zygote: make it anew
                continue
            try:
                send_message(conn, {"op": "fork", "argv": argv, "cwd": cwd, "nfds": 2}, fds)
                reader = MessageReader(conn)
                reply = reader.next_message()
                got = reader.take_fds(len(reader.fds))
            except (OSError, ValueError) as exc:
                raise ZygoteUnavailable(f"fork request failed: {exc}") from exc
            if not isinstance(reply, dict) or reply.get("op") != "forked" or len(got) != 1:
                for fd in got:
                    os.close(fd)
                detail = reply.get("error") if isinstance(reply, dict) else "no reply"
                raise ZygoteUnavailable(f"zygote did not fork a server: {detail}")
            return int(reply["pid"]), got[0]
        finally:
            conn.close()
    raise ZygoteUnavailable("no zygote could be started")


def _start_zygote(path: str, python: str, preload: tuple[str, ...]) -> None:
    """Start the zygote for ``path`` unless another process does it first."""
    folder = os.path.dirname(path)
    # One starter at a time: threads by the lock, processes by flock on the folder (a child
    # forked meanwhile closes its copy, see _after_fork_in_child). An exiting zygote takes the
    # same flock before it removes the folder, so a folder we hold the lock on stays.
    with _start_lock:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        _held_locks.add(fd)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if time.monotonic() > deadline:
                        raise ZygoteUnavailable("timed out waiting for another starter") from exc
                    time.sleep(0.01)
            try:
                same = os.stat(folder).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                _spawn_zygote(path, python, preload)
            # Else the last zygote removed the folder just before we locked it: the caller
            # tries again, making it anew.
        finally:
            _held_locks.discard(fd)
            os.close(fd)


def _spawn_zygote(path: str, python: str, preload: tuple[str, ...]) -> None:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return  # started meanwhile by someone else
    except FileNotFoundError:
        pass
    except ConnectionRefusedError:
        os.unlink(path)  # left by a zygote that was killed
    finally:
        probe.close()
    # The log is read if the start fails, then unlinked: a zygote leaves no file behind.
    with tempfile.TemporaryFile(dir=os.path.dirname(path)) as log:
        proc = subprocess.Popen(
            [python, "-s", "-P", str(SERVER_SCRIPT), "--zygote", path]
            + ["--preload", ",".join(preload)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=os.path.dirname(path),
            env=SERVER_ENV,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise ZygoteUnavailable("the zygote did not start in time") from None
        if code not in (0, 3):
            log.seek(0)
            text = log.read()[-2000:].decode(errors="replace")
            raise ZygoteUnavailable(f"the zygote exited with status {code}: {text}")


_held_locks: set[int] = set()


def _after_fork_in_child() -> None:
    # A thread of the parent may have been starting a zygote (_start_lock is free again
    # here): the child's copy of its flock would keep the parent's held while we live.
    for fd in list(_held_locks):
        try:
            os.close(fd)
        except OSError:
            pass
    _held_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
