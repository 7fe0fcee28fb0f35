"""A real HTTP server on 127.0.0.1 that serves a corpus, shared by the envs of a process.

The server listens on an ephemeral port and renders each page on request. Envs that use the
same corpus share one server through :func:`acquire_server`/:func:`release_server`
(reference-counted); the last release stops it, closes every connection and joins every
thread, so nothing outlives the envs. After a fork the child starts its own servers.
"""

from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from agentgym.environments.search.corpus import Corpus
from agentgym.sandboxes.locks import ForkSafeLock

__all__ = ["WebServer", "acquire_server", "active_servers", "release_server"]

_IDLE_TIMEOUT_S = 30.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a requests.Session reuses its connection
    timeout = _IDLE_TIMEOUT_S
    # Buffer the response and send it in one go (flushed after each request); with headers and
    # body in separate small packets, delayed ACKs add ~40 ms to every page.
    wbufsize = -1
    server: _Server

    def setup(self) -> None:
        """Disable Nagle's algorithm on the connection (see ``wbufsize``)."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        corpus = self.server.corpus
        pid = corpus.resolve_path(path)
        if pid is None:
            status, body = 404, b"<!DOCTYPE html><html><body><h1>Not found</h1></body></html>"
        else:
            status, body = 200, corpus.html(pid).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: a library must not write to stderr on every request."""


class _Server(ThreadingHTTPServer):
    # Handler threads are daemons so that an idle keep-alive connection never holds up
    # interpreter exit; the server tracks them itself and joins them on close.
    daemon_threads = True

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self._live: dict[socket.socket, threading.Thread] = {}
        self._live_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request, client_address) -> None:  # noqa: ANN001
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._live_lock:
            self._live[request] = thread
        thread.start()

    def shutdown_request(self, request) -> None:  # noqa: ANN001
        with self._live_lock:
            self._live.pop(request, None)
        super().shutdown_request(request)

    def drop_connections(self, timeout_s: float = 5.0) -> None:
        """Shut down open keep-alive connections and join their handler threads."""
        with self._live_lock:
            live = list(self._live.items())
        for sock, _ in live:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for _, thread in live:
            if thread is not threading.current_thread():
                thread.join(timeout_s)


class WebServer:
    """Serves ``corpus`` on ``127.0.0.1`` at an ephemeral port until :meth:`close`.

    Args:
        corpus: The pages to serve (each path from ``corpus.server_path``).
    """

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self._server = _Server(corpus)
        self.port: int = self._server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"agentgym-web-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self.closed = False

    def close(self) -> None:
        """Stop serving, close all connections and join all threads (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self._server.shutdown()
        self._server.drop_connections()
        self._server.server_close()
        self._thread.join()


_REGISTRY: dict[str, list] = {}  # corpus key -> [server, refcount]
_REGISTRY_PID = os.getpid()
_REGISTRY_LOCK = ForkSafeLock()


def _registry() -> dict[str, list]:
    global _REGISTRY, _REGISTRY_PID
    if os.getpid() != _REGISTRY_PID:
        # a forked child inherits the parent's table but not its server threads
        _REGISTRY, _REGISTRY_PID = {}, os.getpid()
    return _REGISTRY


def acquire_server(corpus: Corpus) -> WebServer:
    """Return the process's server for ``corpus`` (started on first use); pair with release."""
    with _REGISTRY_LOCK:
        reg = _registry()
        entry = reg.get(corpus.key)
        if entry is None:
            entry = reg[corpus.key] = [WebServer(corpus), 0]
        entry[1] += 1
        return entry[0]


def release_server(server: WebServer) -> None:
    """Drop one reference to ``server``; the last one stops it."""
    with _REGISTRY_LOCK:
        if os.getpid() != _REGISTRY_PID:
            return  # a server of the parent process: not ours to stop
        reg = _registry()
        entry = reg.get(server.corpus.key)
        if entry is None or entry[0] is not server:
            server.close()
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del reg[server.corpus.key]
    server.close()


def active_servers() -> int:
    """Return how many shared servers this process is running (for tests and diagnostics)."""
    with _REGISTRY_LOCK:
        return len(_registry())
