"""A warm sandbox pool: the client side of one fork server, shared by many sandboxes."""

from __future__ import annotations

import abc
import atexit
import base64
import dataclasses
import itertools
import json
import os
import queue
import secrets
import select
import selectors
import signal
import socket
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentgym.sandboxes.base import (
    FileData,
    Sandbox,
    SandboxError,
    check_int,
    check_relative_path,
)
from agentgym.sandboxes.result import ExecResult
from agentgym.sandboxes.server import SETUP_FAILED, MessageReader, send_message

__all__ = ["OUTPUT_LIMIT_BYTES", "WORKSPACE_LOST", "CallLimits", "PoolSandbox", "SandboxPool"]

OUTPUT_LIMIT_BYTES = 1 << 20
# How long past a call's own limit the client waits for its supervisor before killing it.
_GRACE_S = 5.0
_START_TIMEOUT_S = 60.0
_ATTEMPTS = 4
_SETUP_FAILED = SETUP_FAILED.encode()
_PING_S = 5.0
WORKSPACE_LOST = (
    "the sandbox server was restarted (a call crashed or stalled it), and the files this "
    "episode had in its workspace are gone; write again what you still need"
)


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
            "env": {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
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


@dataclass
class _Spare:
    """A pre-forked call handed over by the server: its request socket and result pipe."""

    pid: int
    request_fd: int
    result_fd: int
    generation: int

    def discard(self) -> None:
        # Idempotent: a descriptor number closed twice may already belong to someone else.
        for fd in (self.request_fd, self.result_fd):
            if fd >= 0:
                _close(fd)
        self.request_fd = self.result_fd = -1


class SandboxPool(abc.ABC):
    """One warm fork server and the workspaces of the sandboxes that share it.

    The server keeps pre-forked calls ("spares") whose request socket and result pipe it hands
    to us; a run sends its code straight to a spare and reads the spare's output pipes and
    result pipe, so the server is not on a run's path.

    Thread-safe: any number of threads may run calls at once; each call is its own forked
    child. A pool belongs to the process that created it: used from a forked child (an async
    vector env worker) it starts a server of its own.

    Subclasses say how to start the server (:meth:`_launch`) and stop it (:meth:`_terminate`).
    """

    backend = "pool"

    def __init__(self) -> None:
        self._generation = 0
        self._ids = itertools.count(1)
        self._closed = False
        self.hello: dict[str, Any] = {}
        self._own_state()

    def _own_state(self) -> None:
        """Start this process's connection state afresh (at creation, and in a forked child)."""
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()
        self._spare_ready = threading.Condition(threading.Lock())
        self._spares: list[_Spare] = []
        self._pending: dict[int, _Pending] = {}
        # (server generation, name) of the workspaces the current server has created.
        self._workspaces: set[tuple[int, str]] = set()
        # name -> the generation of the server that last held the workspace.
        self._held_on: dict[str, int] = {}
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        self._owner_pid = os.getpid()

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
            # Our copy of the descriptor is closed without telling the parent's server.
        for spare in self._spares:
            spare.discard()
        self._own_state()
        self._after_fork()

    def _after_fork(self) -> None:
        """Drop handles inherited from the parent process (subclasses)."""
        return None

    def _start(self) -> None:
        sock = self._launch()
        try:
            sock.settimeout(_START_TIMEOUT_S)
            reader = MessageReader(sock)
            hello = reader.next_message()
            if hello is None:
                raise SandboxError(f"sandbox server exited during start-up{self._diagnostics()}")
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
        self._generation += 1
        self._reader = threading.Thread(
            target=SandboxPool._read_replies,
            args=(weakref.ref(self), sock, reader, self._generation),
            name="agentgym-sandbox-pool",
            daemon=True,
        )
        self._reader.start()
        self._on_hello(hello)

    def _diagnostics(self) -> str:
        """Extra text for start-up errors (subclasses add the server's log)."""
        return ""

    @staticmethod
    def _read_replies(
        pool_ref: weakref.ref[SandboxPool],
        sock: socket.socket,
        reader: MessageReader,
        generation: int,
    ) -> None:
        # Holds the pool only weakly (between messages), so an unreferenced pool can be
        # garbage-collected, which stops its server and ends this thread.
        try:
            while True:
                pool = pool_ref()
                if pool is None:
                    break
                for message in reader.messages():
                    pool._dispatch(message, reader, generation)
                del pool
                if not reader.feed():
                    break
        except (OSError, ValueError):
            pass
        finally:
            for fd in reader.fds:
                _close(fd)
            pool = pool_ref()
            if pool is None:
                sock.close()
            else:
                pool._server_gone(sock, generation)

    def _dispatch(self, message: dict[str, Any], reader: MessageReader, generation: int) -> None:
        if message.get("op") == "spare":
            request_fd, result_fd = reader.take_fds(2)
            with self._spare_ready:
                self._spares.append(_Spare(int(message["pid"]), request_fd, result_fd, generation))
                self._spare_ready.notify()
            return
        request_id = message.get("id")
        # Our requests have int ids; a reply to anything else (a malformed request) is no one's.
        pending = self._pending.pop(request_id, None) if type(request_id) is int else None
        if pending is not None:
            pending.reply = message
            pending.event.set()

    def _server_gone(self, sock: socket.socket, generation: int) -> None:
        # Fail every waiter; the next request restarts the server.
        with self._lock:
            if self._sock is sock:
                self._sock = None
                sock.close()
                self._terminate()
        with self._spare_ready:
            for spare in [s for s in self._spares if s.generation == generation]:
                spare.discard()
                self._spares.remove(spare)
            self._spare_ready.notify_all()
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
        with self._spare_ready:
            for spare in self._spares:
                spare.discard()
            self._spares = []
        self._terminate()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests to the server

    def _notify(self, message: dict[str, Any]) -> None:
        """Send a message that has no reply."""
        sock = self._sock
        if sock is None:
            return
        try:
            with self._send_lock:
                send_message(sock, dict(message, nfds=0))
        except OSError:
            pass

    def _request(self, message: dict[str, Any], timeout_s: float = 60.0) -> dict[str, Any]:
        sock = self._ensure()
        request_id = next(self._ids)
        pending = _Pending()
        self._pending[request_id] = pending
        try:
            with self._send_lock:
                send_message(sock, dict(message, id=request_id, nfds=0))
        except OSError as exc:
            self._pending.pop(request_id, None)
            raise SandboxError(f"sandbox server is unreachable: {exc}") from exc
        if not pending.event.wait(timeout_s):
            self._pending.pop(request_id, None)
            if message.get("op") != "ping" and self._answers_ping():
                # Only this request (one workspace's) is slow: the other episodes keep theirs.
                raise SandboxError(f"the sandbox server did not finish {message['op']} in time")
            self._restart()
            raise SandboxError("sandbox server did not reply in time; restarted it")
        if pending.reply is None:
            raise SandboxError("sandbox server exited; it is restarted on the next call")
        if not pending.reply.get("ok"):
            raise SandboxError(
                f"sandbox server refused {message['op']}: {pending.reply.get('error')}"
            )
        return pending.reply

    def _answers_ping(self) -> bool:
        try:
            self._request({"op": "ping"}, timeout_s=_PING_S)
        except SandboxError:
            return False
        return True

    def _held(self, workspace: str, generation: int) -> tuple[str, ...]:
        """Record that ``workspace`` lives on server ``generation``; notices if it was lost."""
        with self._lock:
            before = self._held_on.get(workspace)
            self._held_on[workspace] = generation
        return (WORKSPACE_LOST,) if before is not None and before != generation else ()

    def _restart(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        self._terminate()

    def new_workspace(self) -> str:
        """A fresh, unguessable workspace name (the directory is created on first use)."""
        return secrets.token_hex(16)

    def write_files(self, workspace: str, files: FileData) -> tuple[str, ...]:
        """Write files into a workspace (relative name -> text or bytes).

        Returns:
            Notices for the agent: a name that held something other than a regular file (a
            FIFO, a folder, a link) whose content was replaced, or a workspace whose earlier
            files were lost when the server restarted.

        Raises:
            ValueError: If a name is absolute, climbs out of the workspace, or a value is not
                text or bytes.
            SandboxError: If the server refused the write (e.g. the workspace is full).
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
        generation = self._generation
        self._workspaces.add((generation, workspace))
        notices = [str(n) for n in reply.get("notices") or ()]
        return (*self._held(workspace, generation), *notices)

    def drop_workspace(self, workspace: str) -> None:
        """Delete a workspace and everything in it."""
        with self._lock:
            if self._closed or self._sock is None or os.getpid() != self._owner_pid:
                return  # closing the pool removes every workspace anyway
        self._workspaces.discard((self._generation, workspace))
        with self._lock:
            self._held_on.pop(workspace, None)
        try:
            self._request({"op": "drop", "ws": workspace})
        except SandboxError:
            pass

    # -- runs

    def _retire(self, spare: _Spare) -> None:
        """Drop a spare we took (run, dead or unusable) and have the server fork another."""
        spare.discard()
        self._notify({"op": "used", "pid": spare.pid})

    def _take_spare(self, deadline: float) -> _Spare:
        while True:
            sock = self._ensure()
            with self._spare_ready:
                asked = False
                while not self._spares and self._sock is sock:
                    if not asked:
                        self._notify({"op": "need"})
                        asked = True
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise SandboxError("no sandbox process became available in time")
                    self._spare_ready.wait(min(remaining, 1.0))
                if self._spares:
                    return self._spares.pop(0)
            # The server died while we waited (its spares went with it): start a new one.
            if time.monotonic() >= deadline:
                raise SandboxError("no sandbox process became available in time")

    def _take_live_spare(self, deadline: float) -> _Spare:
        """A spare whose supervisor is still alive (a live one never writes before its run)."""
        while True:
            spare = self._take_spare(deadline)
            ready, _, _ = select.select([spare.result_fd], [], [], 0)
            if not ready:
                return spare
            # Killed while waiting (e.g. by a hostile call sharing its uid): replace it.
            self._retire(spare)

    def _attempt(
        self,
        workspace: str,
        request: dict[str, Any],
        limits: CallLimits,
        timeout_s: float,
        start: float,
        notices: list[str],
    ) -> tuple[bytes, bytes, bytes, bool, bool]:
        """Run once on a spare (``notices`` gets a lost-workspace notice, if any).

        Raises:
            _NotStarted: If the call ended before the code started (it may be retried).
        """
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        # Descriptors are closed exactly once: another thread may reuse a closed number at once.
        writers = [out_w, err_w]
        spare: _Spare | None = None
        try:
            while True:
                spare = self._take_live_spare(start + _START_TIMEOUT_S)
                notices.extend(self._held(workspace, spare.generation))
                if (spare.generation, workspace) not in self._workspaces:
                    # First use on this server: it creates (and mounts) the directory.
                    self._request({"op": "mkws", "ws": workspace})
                    self._workspaces.add((spare.generation, workspace))
                try:
                    with socket.socket(fileno=os.dup(spare.request_fd)) as req:
                        send_message(req, request, (out_w, err_w))
                    break
                except OSError:
                    # That spare died (e.g. a previous call killed it); take the next one.
                    self._retire(spare)
                    spare = None
            # Only the call holds the write ends now, so EOF means it is over.
            while writers:
                _close(writers.pop())
            deadline = time.monotonic() + timeout_s + _GRACE_S
            out, err, report_bytes, truncated, complete = _drain(
                out_r, err_r, spare.result_fd, limits.output_bytes, deadline
            )
            if not complete:
                # The supervisor missed its own deadline: have the server kill it.
                self._notify({"op": "kill", "pid": spare.pid})
                more = _drain(
                    out_r, err_r, spare.result_fd, limits.output_bytes, time.monotonic() + 5
                )
                report_bytes += more[2]
            started = _acknowledged(spare.request_fd)
        finally:
            for fd in [out_r, err_r, *writers]:
                _close(fd)
            if spare is not None:
                self._retire(spare)
        if not started and not out:
            # The spare died before it took the request, or could not set the call up (e.g.
            # a spare of a server that died since): nothing of the code ran, so try another.
            if err.startswith(_SETUP_FAILED) or not (err or report_bytes):
                raise _NotStarted(err.decode("utf-8", errors="replace"))
        return out, err, report_bytes, truncated, complete

    def run(self, workspace: str, code: str, limits: CallLimits, timeout_s: float) -> ExecResult:
        """Run ``code`` in ``workspace`` on a spare; output comes back over pipes we own."""
        if not isinstance(code, str):
            raise TypeError(f"code must be a str, got {type(code).__name__}")
        if not isinstance(timeout_s, int | float) or not timeout_s > 0:
            raise ValueError(f"timeout_s must be a number > 0, got {timeout_s!r}")
        request = {
            "ws": workspace,
            # Lone surrogates cannot travel as JSON text; they become U+FFFD.
            "code": code.encode("utf-8", errors="replace").decode("utf-8"),
            "timeout": float(timeout_s),
            "limits": limits.wire(timeout_s),
        }
        start = time.monotonic()
        notices: list[str] = []
        for _ in range(_ATTEMPTS):
            try:
                attempt = self._attempt(workspace, request, limits, timeout_s, start, notices)
                break
            except _NotStarted as e:
                why = f":\n{e}" if str(e) else ""
        else:
            raise SandboxError(
                f"sandbox processes kept failing before they could start the call{why}"
            )
        out, err, report_bytes, truncated, complete = attempt
        wall_ms = (time.monotonic() - start) * 1000.0
        stderr = "".join(f"[sandbox: {n}]\n" for n in dict.fromkeys(notices))
        stderr += err.decode("utf-8", errors="replace")
        try:
            report = json.loads(report_bytes) if report_bytes else None
        except ValueError:
            report = None
        if report is None:
            stderr += "\n[sandbox: the call's supervisor died; the program was killed]"
            report = {
                "exit_code": -signal.SIGKILL,
                "cpu_ms": 0.0,
                "max_rss_kb": 0,
                "timed_out": not complete,
            }
        exit_code = int(report["exit_code"])
        timed_out = bool(report["timed_out"])
        max_rss_kb = int(report["max_rss_kb"])
        return ExecResult(
            stdout=out.decode("utf-8", errors="replace"),
            stderr=stderr,
            exit_code=exit_code,
            timed_out=timed_out,
            oom_killed=bool(report.get("oom_killed"))
            or _looks_oom(exit_code, timed_out, stderr, max_rss_kb, limits),
            wall_ms=wall_ms,
            cpu_ms=float(report["cpu_ms"]),
            max_rss_kb=max_rss_kb,
            output_truncated=truncated,
        )


def _drain(
    out_fd: int, err_fd: int, result_fd: int, limit: int, deadline: float
) -> tuple[bytes, bytes, bytes, bool, bool]:
    """Read the output pipes and the result pipe until all are at EOF or the deadline.

    Output beyond ``limit`` bytes per stream is read and dropped, so a program printing
    without end never blocks on a full pipe. Returns stdout, stderr, the report bytes, whether
    output was truncated, and whether the result pipe reached EOF (the call is over).
    """
    bufs = {out_fd: bytearray(), err_fd: bytearray(), result_fd: bytearray()}
    truncated = False
    done_at: float | None = None
    with selectors.DefaultSelector() as sel:
        for fd in bufs:
            sel.register(fd, selectors.EVENT_READ)
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                break
            if done_at is not None and now - done_at > 0.5:
                break  # the call is over; whoever still holds a pipe is not ours to wait for
            events = sel.select(min(deadline - now, 0.5))
            for key, _ in events:
                try:
                    chunk = os.read(key.fd, 1 << 16)
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(key.fd)
                    if key.fd == result_fd:
                        done_at = time.monotonic()
                    continue
                buf = bufs[key.fd]
                if key.fd != result_fd:
                    room = limit - len(buf)
                    if len(chunk) > room:
                        truncated = True
                        chunk = chunk[: max(room, 0)]
                buf += chunk
    complete = done_at is not None
    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), bytes(bufs[result_fd]), truncated, complete


class _NotStarted(Exception):
    """A call ended before its code started; the message is its set-up error, if any."""


def _acknowledged(request_fd: int) -> bool:
    """Whether the program confirmed on its request socket that it took the request."""
    ready, _, _ = select.select([request_fd], [], [], 0)
    if not ready:
        return False
    try:
        return os.read(request_fd, 1) == b"!"
    except OSError:
        return False


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


class PoolSandbox(Sandbox):
    """One episode's sandbox: a workspace on a (possibly shared) :class:`SandboxPool`.

    Args:
        pool: The pool whose server runs the calls.
        limits: Per-call resource limits.
        owns_pool: Close the pool when this sandbox is closed.
    """

    def __init__(self, pool: SandboxPool, limits: CallLimits, owns_pool: bool = False) -> None:
        self.pool = pool
        self.limits = limits
        self.timeout_s = limits.timeout_s
        self.memory_mb = limits.memory_mb
        self._owns_pool = owns_pool
        self._state = {"ws": pool.new_workspace(), "closed": False}
        _start_janitor()
        # Garbage collection may run this at any allocation, even inside one of the pool's
        # locked sections: it only queues the work (see _collected).
        self._finalizer = weakref.finalize(self, _collected, pool, self._state, owns_pool)

    @staticmethod
    def resolve_pool(
        pool_class: type[SandboxPool], pool: SandboxPool | str | None
    ) -> tuple[SandboxPool, bool]:
        """Return ``(pool, owned)`` for a backend's ``pool`` argument.

        ``None`` is the process-wide shared pool of ``pool_class.backend``, ``"private"`` a
        new pool the sandbox owns (closed with it), anything else must be a ``pool_class``.
        """
        if pool is None:
            from agentgym.sandboxes.shared import shared_pool

            return shared_pool(pool_class.backend), False
        if pool == "private":
            return pool_class(), True
        if not isinstance(pool, pool_class):
            raise ValueError(
                f"pool must be None, 'private' or a {pool_class.__name__}, got {pool!r}"
            )
        return pool, False

    @property
    def workspace_id(self) -> str:
        """The opaque name of the current episode's workspace."""
        return self._state["ws"]

    def run(
        self, code: str, files: FileData | None = None, timeout_s: float | None = None
    ) -> ExecResult:
        """Run ``code`` in this episode's workspace; see :meth:`Sandbox.run`."""
        self._check_open()
        notices = self.write_files(files) if files else ()
        limit = self.limits.timeout_s if timeout_s is None else timeout_s
        result = self.pool.run(self._state["ws"], code, self.limits, limit)
        if not notices:
            return result
        told = "".join(f"[sandbox: {n}]\n" for n in notices)
        return dataclasses.replace(result, stderr=told + result.stderr)

    def write_files(self, files: FileData) -> tuple[str, ...]:
        """Write files into the workspace; see :meth:`Sandbox.write_files`."""
        self._check_open()
        return self.pool.write_files(self._state["ws"], files)

    def reset(self) -> None:
        """Start a new episode: drop the workspace and use a fresh, empty one."""
        self._check_open()
        old = self._state["ws"]
        self._state["ws"] = self.pool.new_workspace()
        self.pool.drop_workspace(old)

    def close(self) -> None:
        """Delete the workspace (and stop the pool if this sandbox owns it)."""
        if self._finalizer.detach() is not None:
            _drop_workspace(self.pool, self._state, self._owns_pool)

    def _check_open(self) -> None:
        if self._state["closed"]:
            raise SandboxError("sandbox is closed")


_COLLECTED: queue.SimpleQueue = queue.SimpleQueue()
_JANITOR_LOCK = threading.Lock()
_janitor_pid: int | None = None
_exiting = False


def _start_janitor() -> None:
    """Start (once per process) the thread that releases the workspaces of collected sandboxes."""
    global _janitor_pid
    with _JANITOR_LOCK:
        if _janitor_pid == os.getpid():
            return
        _janitor_pid = os.getpid()
        threading.Thread(target=_janitor, name="agentgym-sandbox-janitor", daemon=True).start()
        # At exit weakref runs the finalizers of live sandboxes from its atexit hook; ours is
        # registered after it (a finalizer made here registers it first), so it runs before
        # and those finalizers release their workspaces at once instead of queueing them.
        weakref.finalize(_janitor, lambda: None)
        atexit.register(_set_exiting)


def _set_exiting() -> None:
    global _exiting
    _exiting = True


def _janitor() -> None:
    while True:
        item = _COLLECTED.get()
        try:
            _drop_workspace(*item)
        except Exception:  # noqa: BLE001 - a janitor that dies would leak every later workspace
            pass
        # Hold no reference while waiting: the pool may now be collected (and stop its server).
        del item


def _collected(pool: SandboxPool, state: dict[str, Any], owns_pool: bool) -> None:
    """A sandbox was garbage-collected without close(): release its workspace soon.

    The collector may run this while this very thread holds one of the pool's locks (in
    the middle of sending a request, say); doing the request here would deadlock, so it is
    queued (SimpleQueue.put is safe in finalizers) for the janitor thread.
    """
    state["closed"] = True
    if _exiting:
        _drop_workspace(pool, state, owns_pool)
        return
    _COLLECTED.put((pool, state, owns_pool))


def _drop_workspace(pool: SandboxPool, state: dict[str, Any], owns_pool: bool) -> None:
    state["closed"] = True
    if owns_pool:
        pool.close()
    else:
        pool.drop_workspace(state["ws"])
