"""A warm sandbox pool: the client side of one fork server, shared by many sandboxes."""

from __future__ import annotations

import abc
import base64
import itertools
import os
import secrets
import selectors
import signal
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentgym.sandboxes.base import FileData, SandboxError, check_relative_path
from agentgym.sandboxes.result import ExecResult
from agentgym.sandboxes.server import MessageReader, send_message

__all__ = ["CallLimits", "SandboxPool", "OUTPUT_LIMIT_BYTES"]

OUTPUT_LIMIT_BYTES = 1 << 20
# How long past a call's own limit the client waits before declaring the server stuck.
_GRACE_S = 10.0
_START_TIMEOUT_S = 60.0


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
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")

    def wire(self, timeout_s: float) -> dict[str, Any]:
        """The limits as the server expects them, for a call limited to ``timeout_s``."""
        return {
            "cpu_s": int(timeout_s) + 1,
            "memory_bytes": self.memory_mb << 20,
            "processes": self.processes,
            "file_bytes": self.file_mb << 20,
            "open_files": self.open_files,
            "env": {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "HOME": "/workspace",
                "LANG": "C.UTF-8",
                "PYTHONIOENCODING": "utf-8",
                "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1",
            },
        }


class _Pending:
    """A request waiting for its reply."""

    __slots__ = ("event", "reply")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reply: dict[str, Any] | None = None


class SandboxPool(abc.ABC):
    """One warm fork server and the workspaces of the sandboxes that share it.

    Thread-safe: any number of threads may run calls at once; each call is its own forked
    child on the server. A pool belongs to the process that created it: used from a forked
    child (an async vector env worker) it starts a server of its own.

    Subclasses say how to start the server (:meth:`_launch`) and stop it (:meth:`_terminate`).
    """

    backend = "pool"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        self._owner_pid = os.getpid()
        self._closed = False
        self.hello: dict[str, Any] = {}

    # -- lifecycle

    @property
    def isolation(self) -> str:
        """``"namespaces"`` or ``"rlimits"``: how calls are isolated (starts the server)."""
        self._ensure()
        return str(self.hello.get("isolation", "unknown"))

    @abc.abstractmethod
    def _launch(self) -> socket.socket:
        """Start the server and return the connected socket."""

    @abc.abstractmethod
    def _terminate(self) -> None:
        """Stop the server started by :meth:`_launch` and release what it held."""

    def _on_hello(self, hello: dict[str, Any]) -> None:
        """Inspect the server's greeting (subclasses may warn about weak isolation)."""
        return None

    def start(self) -> SandboxPool:
        """Start the server now rather than on first use; returns the pool."""
        self._ensure()
        return self

    def _ensure(self) -> socket.socket:
        with self._lock:
            if self._closed:
                raise SandboxError("sandbox pool is closed")
            if os.getpid() != self._owner_pid:
                # Inherited across fork: the server belongs to the parent; leave it alone.
                self._forget_inherited()
            if self._sock is None:
                self._start()
            assert self._sock is not None
            return self._sock

    def _forget_inherited(self) -> None:
        if self._sock is not None:
            self._sock.detach()
        self._sock = None
        self._reader = None
        self._pending = {}
        self._owner_pid = os.getpid()
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()
        self._after_fork()

    def _after_fork(self) -> None:
        """Drop handles inherited from the parent process (subclasses)."""
        return None

    def _start(self) -> None:
        sock = self._launch()
        try:
            sock.settimeout(_START_TIMEOUT_S)
            reader = MessageReader(sock)
            hello = None
            while hello is None:
                if not reader.feed():
                    raise SandboxError(
                        f"sandbox server exited during start-up{self._diagnostics()}"
                    )
                hello = next(iter(reader.messages()), None)
            sock.settimeout(None)
        except (OSError, ValueError) as exc:
            sock.close()
            self._terminate()
            raise SandboxError(f"sandbox server did not start: {exc}{self._diagnostics()}") from exc
        if "error" in hello:
            sock.close()
            self._terminate()
            raise SandboxError(f"sandbox server failed: {hello['error']}{self._diagnostics()}")
        self.hello = hello
        self._sock = sock
        self._pending = {}
        self._reader = threading.Thread(
            target=self._read_replies,
            args=(sock, reader),
            name="agentgym-sandbox-pool",
            daemon=True,
        )
        self._reader.start()
        self._on_hello(hello)

    def _diagnostics(self) -> str:
        """Extra text for start-up errors (subclasses add the server's log)."""
        return ""

    def _read_replies(self, sock: socket.socket, reader: MessageReader) -> None:
        try:
            while reader.feed():
                for message in reader.messages():
                    pending = self._pending.pop(message.get("id"), None)
                    if pending is not None:
                        pending.reply = message
                        pending.event.set()
        except (OSError, ValueError):
            pass
        finally:
            for fd in reader.fds:
                os.close(fd)
            # The server is gone: fail every waiter; the next request restarts it.
            with self._lock:
                if self._sock is sock:
                    self._sock = None
                    sock.close()
                    self._terminate()
            for pending in list(self._pending.values()):
                pending.event.set()

    def close(self) -> None:
        """Stop the server and remove every workspace; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if os.getpid() != self._owner_pid:
                return
            sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=5)
        self._terminate()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests

    def _send(self, message: dict[str, Any], fds: tuple[int, ...] = ()) -> tuple[int, _Pending]:
        sock = self._ensure()
        request_id = next(self._ids)
        pending = _Pending()
        self._pending[request_id] = pending
        message = dict(message, id=request_id, nfds=len(fds))
        try:
            with self._send_lock:
                send_message(sock, message, fds)
        except OSError as exc:
            self._pending.pop(request_id, None)
            raise SandboxError(f"sandbox server is unreachable: {exc}") from exc
        return request_id, pending

    def _wait(self, request_id: int, pending: _Pending, timeout_s: float) -> dict[str, Any]:
        if not pending.event.wait(max(timeout_s, 0.0)):
            self._pending.pop(request_id, None)
            self._restart()
            raise SandboxError("sandbox server did not reply in time; restarted it")
        if pending.reply is None:
            raise SandboxError("sandbox server exited; it is restarted on the next call")
        return pending.reply

    def _request(self, message: dict[str, Any], timeout_s: float = 60.0) -> dict[str, Any]:
        request_id, pending = self._send(message)
        return self._wait(request_id, pending, timeout_s)

    def _restart(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        self._terminate()

    def new_workspace(self) -> str:
        """A fresh, unguessable workspace name (the directory is created on first use)."""
        return secrets.token_hex(16)

    def write_files(self, workspace: str, files: FileData) -> None:
        """Write files into a workspace (relative name -> text or bytes).

        Raises:
            ValueError: If a name is absolute, climbs out of the workspace, or a value is not
                text or bytes.
            SandboxError: If the server refused the write (e.g. the disk quota is full).
        """
        if not isinstance(files, Mapping):
            raise TypeError(
                f"files must be a mapping of name -> str | bytes, got {type(files).__name__}"
            )
        encoded = {}
        for name, data in files.items():
            rel = check_relative_path(name)
            if isinstance(data, str):
                data = data.encode("utf-8", errors="surrogateescape")
            elif not isinstance(data, bytes | bytearray | memoryview):
                raise ValueError(f"file {name!r} must be str or bytes, got {type(data).__name__}")
            encoded[str(rel)] = base64.b64encode(bytes(data)).decode()
        reply = self._request({"op": "write", "ws": workspace, "files": encoded})
        if not reply.get("ok"):
            raise SandboxError(f"could not write files: {reply.get('error')}")

    def drop_workspace(self, workspace: str) -> None:
        """Delete a workspace and everything in it."""
        with self._lock:
            if self._closed or self._sock is None or os.getpid() != self._owner_pid:
                return  # closing the pool removes every workspace anyway
        try:
            self._request({"op": "drop", "ws": workspace})
        except SandboxError:
            pass

    def run(self, workspace: str, code: str, limits: CallLimits, timeout_s: float) -> ExecResult:
        """Run ``code`` in ``workspace``; the output comes back over pipes we own."""
        if not isinstance(code, str):
            raise TypeError(f"code must be a str, got {type(code).__name__}")
        if not isinstance(timeout_s, int | float) or not timeout_s > 0:
            raise ValueError(f"timeout_s must be a number > 0, got {timeout_s!r}")
        message = {
            "op": "run",
            "ws": workspace,
            # Lone surrogates cannot travel as JSON text; they become U+FFFD.
            "code": code.encode("utf-8", errors="replace").decode("utf-8"),
            "timeout": float(timeout_s),
            "limits": limits.wire(timeout_s),
        }
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        start = time.monotonic()
        deadline = start + timeout_s + _GRACE_S
        try:
            try:
                request_id, pending = self._send(message, (out_w, err_w))
            finally:
                # The server holds its own copies now; ours would keep the pipes from closing.
                _close(out_w)
                _close(err_w)
            out, err, truncated = _drain(out_r, err_r, limits.output_bytes, deadline, pending.event)
        finally:
            _close(out_r)
            _close(err_r)
        reply = self._wait(request_id, pending, deadline - time.monotonic())
        if not reply.get("ok"):
            raise SandboxError(f"sandbox call failed: {reply.get('error')}")
        stderr = err.decode("utf-8", errors="replace")
        if reply.get("error"):
            stderr += f"\n[sandbox: {reply['error']}]"
        exit_code = int(reply["exit_code"])
        timed_out = bool(reply["timed_out"])
        return ExecResult(
            stdout=out.decode("utf-8", errors="replace"),
            stderr=stderr,
            exit_code=exit_code,
            timed_out=timed_out,
            oom_killed=_looks_oom(exit_code, timed_out, stderr, int(reply["max_rss_kb"]), limits),
            wall_ms=(time.monotonic() - start) * 1000.0,
            cpu_ms=float(reply["cpu_ms"]),
            max_rss_kb=int(reply["max_rss_kb"]),
            output_truncated=truncated,
        )


def _drain(
    out_fd: int, err_fd: int, limit: int, deadline: float, replied: threading.Event
) -> tuple[bytes, bytes, bool]:
    """Read both pipes to EOF, keeping ``limit`` bytes of each and discarding the rest.

    Reading goes on past the limit so that a program printing without end never blocks on a
    full pipe. Once the reply is in, the program is dead, so a quiet pipe means we are done.
    """
    bufs = {out_fd: bytearray(), err_fd: bytearray()}
    truncated = False
    with selectors.DefaultSelector() as sel:
        sel.register(out_fd, selectors.EVENT_READ)
        sel.register(err_fd, selectors.EVENT_READ)
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            events = sel.select(min(remaining, 0.2))
            if not events and replied.is_set():
                break
            for key, _ in events:
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    sel.unregister(key.fd)
                    continue
                buf = bufs[key.fd]
                room = limit - len(buf)
                if len(chunk) > room:
                    truncated = True
                    chunk = chunk[: max(room, 0)]
                buf += chunk
    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), truncated


def _looks_oom(
    exit_code: int, timed_out: bool, stderr: str, max_rss_kb: int, limits: CallLimits
) -> bool:
    if timed_out or exit_code == 0:
        return False
    tail = stderr[-4000:]
    if "MemoryError" in tail or "Cannot allocate memory" in tail or "failed to allocate" in tail:
        return True
    # Killed outright near the memory limit: the kernel's (or the container's) OOM killer.
    return exit_code == -signal.SIGKILL and max_rss_kb * 1024 >= 0.9 * (limits.memory_mb << 20)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
