"""The zygote: keeps the preload modules imported and forks a pool server for each client that asks."""

from __future__ import annotations

import errno
import fcntl
import os
import selectors
import signal
import socket
import time
import traceback

from .protocol import MessageReader, send_message
from .server import preload
from .syscalls import PR_SET_DUMPABLE, fork_child, kill_pid, prctl

ZYGOTE_FIRST_REQUEST_S = 30.0


def run_zygote(path: str, modules: list[str]) -> int:
    """Keep ``modules`` imported and fork a pool server for each client that asks on ``path``.

    Pools in different processes (async vector workers, Ray actors) would each import the
    preload modules into a server of their own; forked from one zygote, their servers share
    those pages copy-on-write instead. The zygote is started by the first client that finds no
    socket at ``path``; its launcher returns once the socket listens (exit status 0, or 3 when
    another zygote already holds the path). It holds no pool state: each server it forks is
    the server the client would otherwise have started, with the client's socket, arguments,
    log and directory, and its clean-up (socket EOF, janitor) is unchanged. The zygote exits
    once its last server has exited, or if no request arrives soon after it starts.
    """
    preload(modules)
    prctl(PR_SET_DUMPABLE, 0)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)
    try:
        listener.bind(path)
    except OSError as exc:
        return 3 if exc.errno == errno.EADDRINUSE else 2
    finally:
        os.umask(old_mask)
    inode = os.stat(path).st_ino
    listener.listen(128)
    # Detach from the launcher, which waits for this exit to know the socket is ready.
    if os.fork() != 0:
        os._exit(0)
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "listener")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    children: set[int] = set()
    served = False
    deadline = time.monotonic() + ZYGOTE_FIRST_REQUEST_S
    try:
        while children or not served:
            timeout = None if children else max(0.0, deadline - time.monotonic())
            events = selector.select(timeout)
            if not events and not children and time.monotonic() >= deadline:
                break
            for key, _ in events:
                if key.data == "listener":
                    try:
                        conn, _addr = listener.accept()
                    except OSError:
                        continue  # out of descriptors, say: the client retries or starts its own
                    with conn:
                        try:
                            pid = _zygote_fork(conn, [listener.fileno(), wake_r, wake_w], selector)
                        except Exception:  # noqa: BLE001 - one bad request must not stop the zygote
                            traceback.print_exc()
                            pid = 0
                    if pid:
                        children.add(pid)
                        served = True
                else:
                    try:
                        while os.read(wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
            while children:
                try:
                    pid, _status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    children.clear()
                    break
                if pid == 0:
                    break
                children.discard(pid)
    finally:
        # Only our own socket: a client that found ours dead may already have bound a new one.
        try:
            if os.stat(path).st_ino == inode:
                os.unlink(path)
        except OSError:
            pass
        listener.close()
        _remove_idle_folder(os.path.dirname(path))
    return 0


def _remove_idle_folder(folder: str) -> None:
    """Remove the zygotes' folder if it is empty and no client is starting a zygote in it."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        # Clients hold this lock while they start a zygote in the folder.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rmdir(folder)  # fails, harmlessly, while another zygote's socket is in it
    except OSError:
        pass
    finally:
        os.close(fd)


def _zygote_fork(conn: socket.socket, close_fds: list[int], selector) -> int:
    """Serve one fork request on ``conn``: start a pool server; return its pid (0 on error)."""
    conn.settimeout(5.0)
    reader = MessageReader(conn)
    try:
        message = reader.next_message()
    except (OSError, ValueError):
        message = None
    # Every descriptor that came is ours to close, however many the request announced.
    fds = reader.take_fds(len(reader.fds))
    if (
        not isinstance(message, dict)
        or message.get("op") != "fork"
        or len(fds) != 2
        or not isinstance(message.get("argv"), list)
        or not all(isinstance(a, str) for a in message["argv"])
        or not isinstance(message.get("cwd"), str)
    ):
        for fd in fds:
            os.close(fd)
        try:
            send_message(conn, {"op": "error", "error": "malformed fork request"})
        except OSError:
            pass
        return 0
    argv, cwd = message["argv"], message["cwd"]
    client_fd, log_fd = fds

    def server() -> int:
        from .main import main  # main starts zygotes too: imported when a server is forked

        selector.close()
        conn.close()
        for fd in close_fds:
            os.close(fd)
        os.setsid()
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        os.chdir(cwd)
        # The zygote is not dumpable; the server drops it itself once it is set up.
        prctl(PR_SET_DUMPABLE, 1)
        return main([*argv, "--fd", str(client_fd)])

    pid = fork_child(server)
    os.close(client_fd)
    os.close(log_fd)
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        kill_pid(pid)
        return pid  # reaped by the loop; the client sees its socket close
    try:
        send_message(conn, {"op": "forked", "pid": pid}, [pidfd])
    except OSError:
        pass  # the client is gone: the server sees its socket close and exits
    finally:
        os.close(pidfd)
    return pid
