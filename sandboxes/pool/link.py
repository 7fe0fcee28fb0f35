"""The client's link to one fork server: start, restart, requests, replies and workspaces."""

from __future__ import annotations

import abc
import base64
import itertools
import os
import secrets
import socket
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any

from agentgym.sandboxes.base import (
    FileData,
    Prelude,
    SandboxError,
    WorkspaceFileError,
    check_relative_path,
)
from agentgym.sandboxes.pool.pipes import _close, _Spare
from agentgym.sandboxes.server import MessageReader, send_message

__all__ = ["WORKSPACE_LOST", "ServerLink"]

_START_TIMEOUT_S = 60.0
# A prelude count no spare reaches (the server refused to keep the prelude).
_NEVER = 1 << 62
_PING_S = 5.0
WORKSPACE_LOST = (
    "the sandbox server was restarted (a call crashed or stalled it), and the files this "
    "episode had in its workspace are gone; write again what you still need"
)


class _Pending:
    """A request waiting for its reply."""

    __slots__ = ("event", "reply")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reply: dict[str, Any] | None = None


class ServerLink(abc.ABC):
    """The connection to one warm fork server, and the workspaces it holds for its sandboxes.

    Starts the server on first use (and again after it died), reads its messages on a thread
    (replies, and the spares it hands over), and makes its requests. Runs are added by
    :class:`agentgym.sandboxes.pool.SandboxPool`.

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
        # Spares of the lean server (no preload: cheaper to fork and to end), while it runs.
        self._lean_spares: list[_Spare] = []
        self._lean = False
        self._pending: dict[int, _Pending] = {}
        # name -> (prelude, server generation, count): registered on that server, where spares
        # handed over with at least that count of preludes have it.
        self._preludes: dict[str, tuple[Prelude, int, int]] = {}
        self._prelude_lock = threading.Lock()
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

    def start(self) -> ServerLink:
        """Start the server now rather than on first use; returns the pool."""
        self._ensure()
        return self

    def wait_warm(self, timeout_s: float = 60.0) -> bool:
        """Start the server and wait until its spares (a lean server's too) are ready.

        Calls need not wait for this: until then they take what is ready. Benchmarks do, to
        measure the steady state. Returns False if ``timeout_s`` passed first.
        """
        sock = self._ensure()
        deadline = time.monotonic() + timeout_s
        with self._spare_ready:
            while not (self._spares and (self._lean_spares or not self._lean)):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._sock is not sock:
                    return False
                self._spare_ready.wait(min(remaining, 0.5))
        return True

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
        for spare in self._spares + self._lean_spares:
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
        self._lean = hello.get("lean") is True
        self._sock = sock
        self._pending = {}
        self._generation += 1
        self._reader = threading.Thread(
            target=ServerLink._read_replies,
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
        pool_ref: weakref.ref[ServerLink],
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
            lean = message.get("lean") is True
            preludes = message.get("preludes")
            spare = _Spare(
                int(message["pid"]),
                request_fd,
                result_fd,
                generation,
                lean,
                preludes if type(preludes) is int else 0,
            )
            with self._spare_ready:
                (self._lean_spares if lean else self._spares).append(spare)
                self._spare_ready.notify_all()
            return
        if message.get("op") == "lean-gone":
            with self._spare_ready:
                self._lean = False
                for spare in self._lean_spares:
                    spare.discard()
                self._lean_spares.clear()
                self._spare_ready.notify_all()
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
            for spares in (self._spares, self._lean_spares):
                for spare in [s for s in spares if s.generation == generation]:
                    spare.discard()
                    spares.remove(spare)
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
            for spare in self._spares + self._lean_spares:
                spare.discard()
            self._spares = []
            self._lean_spares = []
        self._terminate()

    def __enter__(self) -> ServerLink:
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

    def _registered(self, prelude: Prelude) -> tuple[int, int]:
        """Register ``prelude`` with the current server unless it has it: (generation, count).

        If the server holds all the preludes it can, the count is one no spare reaches: calls
        then carry the prelude's source.

        Raises:
            ValueError: If the prelude does not compile (here, before any server sees it).
        """
        with self._prelude_lock:
            known = self._preludes.get(prelude.name)
            if known is not None and known[0] == prelude and known[1] == self._generation:
                return known[1], known[2]
            if known is None or known[0].source != prelude.source:
                try:
                    compile(prelude.source, f"<prelude {prelude.name}>", "exec")
                except (SyntaxError, ValueError) as exc:
                    raise ValueError(f"prelude {prelude.name!r} does not compile: {exc}") from None
            self._ensure()
            generation = self._generation
            message = {
                "op": "prelude",
                "name": prelude.name,
                "source": prelude.source,
                "imports": list(prelude.imports),
            }
            version = self._request(message)["version"]
            count = _NEVER if version is None else int(version)
            self._preludes[prelude.name] = (prelude, generation, count)
            return generation, count

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

    def write_files(
        self, workspace: str, files: FileData, *, clear: bool = False
    ) -> tuple[str, ...]:
        """Write files into a workspace (relative name -> text or bytes).

        With ``clear``, the server first empties the workspace (see :meth:`clear_workspace`),
        in the same request.

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
        request = {"op": "write", "ws": workspace, "files": encoded}
        if clear:
            request["clear"] = True
            with self._lock:
                self._held_on.pop(workspace, None)
        reply = self._request(request)
        generation = self._generation
        self._workspaces.add((generation, workspace))
        notices = [str(n) for n in reply.get("notices") or ()]
        return (*self._held(workspace, generation), *notices)

    def read_file(self, workspace: str, name: str, max_bytes: int) -> bytes:
        """Have the server read one regular file of a workspace (see ``Sandbox.read_file``).

        One request to the server, not a call: no process is forked for it.
        """
        rel = str(check_relative_path(name))
        reply = self._request({"op": "read", "ws": workspace, "name": rel, "max": max_bytes})
        notices = self._held(workspace, self._generation)
        if "data" not in reply:
            raise WorkspaceFileError(rel, str(reply.get("unread", "missing")), notices)
        return base64.b64decode(reply["data"])

    def clear_workspace(self, workspace: str) -> None:
        """Empty a workspace for a new episode, keeping it (and its network namespace).

        Cheaper than dropping it and making another: a network namespace costs about as much
        to make and tear down as a call. No process of the last episode is left to see the
        next one's files, as none outlives its call.
        """
        with self._lock:
            self._held_on.pop(workspace, None)
        if (self._generation, workspace) in self._workspaces:
            self._request({"op": "clear", "ws": workspace})

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
