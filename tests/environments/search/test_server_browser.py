"""The local HTTP server and the browser: real requests, shared servers, no leaks, no escapes."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from agentgym.environments.search import SearchEnv
from agentgym.environments.search.browser import Browser, FetchError, html_to_view
from agentgym.environments.search.server import (
    WebServer,
    acquire_server,
    active_servers,
    release_server,
)


class _Listener:
    """A TCP server on another 127.0.0.1 port that counts every connection it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop = True
        self.thread.join()
        self.sock.close()


def _wait_for_threads(baseline: set[threading.Thread], timeout_s: float = 5.0) -> set:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        extra = {t for t in threading.enumerate() if t not in baseline and t.is_alive()}
        if not extra:
            return set()
        time.sleep(0.02)
    return extra


def test_server_serves_pages_and_404(pages):
    server = WebServer(pages)
    try:
        with requests.Session() as s:
            s.trust_env = False
            r = s.get(server.origin + pages.server_path(5), timeout=5)
            assert r.status_code == 200 and r.text == pages.html(5)
            assert r.headers["Content-Type"].startswith("text/html")
            assert s.get(server.origin + "/wiki/Nothing_Here", timeout=5).status_code == 404
            assert s.head(server.origin + pages.server_path(5), timeout=5).status_code == 200
    finally:
        server.close()


def test_close_stops_server_and_joins_threads(pages):
    baseline = set(threading.enumerate())
    server = WebServer(pages)
    session = requests.Session()
    session.trust_env = False
    session.get(server.origin + pages.server_path(1), timeout=5)  # keep-alive connection open
    port = server.port
    server.close()  # with the client's connection still open
    session.close()
    assert not _wait_for_threads(baseline)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    server.close()  # idempotent


def test_shared_server_is_reference_counted(pages):
    before = active_servers()
    a = acquire_server(pages)
    b = acquire_server(pages)
    assert a is b and active_servers() == before + 1
    release_server(a)
    assert not b.closed and active_servers() == before + 1
    release_server(b)
    assert b.closed and active_servers() == before


def test_browser_opens_pages_with_numbered_links(pages):
    server = acquire_server(pages)
    browser = Browser(pages, lambda: server.origin, part_chars=400)
    try:
        person = 0
        view = browser.open(pages.url(person))
        assert view.url == pages.url(person) and view.title == pages.world.names[person]
        assert "127.0.0.1" not in view.text and str(server.port) not in view.text
        city = pages.entity_url(int(pages.world.rel["born_in"][person]))
        numbers = [link.number for link in view.links if link.url == city]
        assert numbers and f"[{numbers[0]}]" in view.text
        assert [link.number for link in view.links] == list(range(1, len(view.links) + 1))
        assert len(view.parts) > 1 and all(len(p) <= 400 for p in view.parts)
        assert "\n".join(view.parts) == view.text
    finally:
        browser.close()
        release_server(server)


def test_outside_urls_never_leave_the_process(pages):
    listener = _Listener()
    server = acquire_server(pages)
    browser = Browser(pages, lambda: server.origin)
    try:
        targets = [
            f"http://127.0.0.1:{listener.port}/wiki/{pages.world.names[0].replace(' ', '_')}",
            f"http://localhost:{listener.port}/",
            f"http://web.sim:{listener.port}{pages.path(0)}",
            f"http://127.0.0.1:{server.port}{pages.path(0)}",  # our own server, by address
            "http://www.example.org/",
            "file:///etc/passwd",
        ]
        view = browser.open(pages.url(0))
        external = [link.url for link in view.links if ".example/" in link.url]
        assert external
        for url in targets + external:
            with pytest.raises(FetchError, match="not a page of the simulated web"):
                browser.open(url)
        time.sleep(0.2)
        assert listener.connections == 0
    finally:
        browser.close()
        release_server(server)
        listener.close()


def test_html_to_view_handles_tables_lists_and_relative_links():
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body><h1>T</h1>"
        "<table><tr><th>Born</th><td><a href='/wiki/B'>B</a></td></tr></table>"
        "<ul><li><a href='/wiki/C'>C</a></li><li><a href='/wiki/B'>B again</a></li></ul>"
        "<script>alert(1)</script><p>text <!-- hidden --></p></body></html>"
    )
    view = html_to_view(html, "http://web.sim/wiki/A")
    assert view.text == "# T\nBorn: B [1]\n- C [2]\n- B again [1]\ntext"
    assert [(link.number, link.url) for link in view.links] == [
        (1, "http://web.sim/wiki/B"),
        (2, "http://web.sim/wiki/C"),
    ]


def _child_steps(queue):
    env = SearchEnv()
    try:
        env.reset(seed=0)
        obs, *_ = env.step(env.oracle_action())
        queue.put(bool(obs))
    finally:
        env.close()


def test_child_forked_while_a_search_lock_is_held_does_not_hang():
    import multiprocessing

    from agentgym.environments.search import server, site

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    # As if another thread were building a site and starting a server at the fork.
    with site._LOCK, server._REGISTRY_LOCK:
        child = ctx.Process(target=_child_steps, args=(queue,))
        child.start()
    try:
        assert queue.get(timeout=120) is True
    finally:
        child.join(30)
    assert child.exitcode == 0
