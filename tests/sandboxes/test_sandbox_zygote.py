"""The zygote: pools in different processes fork their servers from one preloaded process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from agentgym.sandboxes.local import LocalPool, LocalSandbox
from agentgym.sandboxes.server import send_message
from agentgym.sandboxes.zygote import socket_path

# A cheap module to preload: the zygote's behaviour does not depend on what it holds.
PRELOAD = ("decimal",)


def _gone(pid: int, within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while os.path.exists(f"/proc/{pid}"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def runtime_dir(monkeypatch):
    """A private runtime folder, so each test starts without a zygote.

    Short, as socket paths are limited to about 100 bytes.
    """
    folder = tempfile.mkdtemp(prefix="ag-")
    monkeypatch.setenv("XDG_RUNTIME_DIR", folder)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


def _connect_to_zygote() -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(10)
    conn.connect(socket_path(sys.executable, PRELOAD))
    return conn


def _zygote_still_serves(pool: LocalPool, n: int) -> None:
    """A new pool gets a working server from the same zygote as ``pool``."""
    other = LocalPool(preload=PRELOAD)
    assert LocalSandbox(pool=other).run(f"print({n})").stdout == f"{n}\n"
    assert other.zygote_pid == pool.zygote_pid
    other.close()


def test_pools_in_two_processes_share_one_zygote(runtime_dir):
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys
                from agentgym.sandboxes.local import LocalPool, LocalSandbox
                pool = LocalPool(preload=("decimal",))
                sb = LocalSandbox(pool=pool)
                assert sb.run("import sys; print('decimal' in sys.modules)").stdout == "True\\n"
                print(pool.server_pid, pool.zygote_pid, flush=True)
                sys.stdin.read()
                pool.close()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir)},
    )
    try:
        their_server, their_zygote = map(int, child.stdout.readline().split())
        pool = LocalPool(preload=PRELOAD)
        sb = LocalSandbox(pool=pool)
        # Preloaded modules are in the call's process before the code runs.
        assert sb.run("import sys; print('decimal' in sys.modules)").stdout == "True\n"
        assert pool.zygote_pid == their_zygote
        assert pool.server_pid not in (their_server, their_zygote)
        assert pool.zygote_pid != os.getpid()
        # Each pool still has its own server, workspaces and calls.
        sb.write_files({"mine.txt": "x"})
        assert sb.run("import os; print(os.listdir('.'))").stdout == "['mine.txt']\n"
        pool.close()
        assert os.path.exists(f"/proc/{their_zygote}"), "the other process's pool still uses it"
    finally:
        child.communicate("", timeout=60)
    assert child.returncode == 0
    # The zygote exits with its last server, removing its socket and then the (empty) folder.
    assert _gone(their_zygote)
    assert os.listdir(runtime_dir) == []


def test_share_preload_off_starts_an_own_server(runtime_dir):
    pool = LocalPool(preload=PRELOAD, share_preload=False)
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(1)").stdout == "1\n"
    assert pool.zygote_pid is None
    with open(f"/proc/{pool.server_pid}/stat") as fh:
        assert int(fh.read().rsplit(")", 1)[1].split()[1]) == os.getpid()
    pool.close()


def test_unsafe_runtime_folder_falls_back_to_an_own_server(runtime_dir):
    folder = runtime_dir / f"agentgym-{os.geteuid()}"
    folder.mkdir()
    folder.chmod(0o777)  # others could plant a fake zygote here
    pool = LocalPool(preload=PRELOAD)
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(2)").stdout == "2\n"
    assert pool.zygote_pid is None
    assert os.listdir(folder) == []
    pool.close()


def test_stale_socket_of_a_killed_zygote_is_replaced(runtime_dir):
    pool = LocalPool(preload=PRELOAD)
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(3)").ok
    zygote = pool.zygote_pid
    os.kill(zygote, 9)
    assert _gone(zygote)
    # Its server carries on; the socket file is left behind, refusing connections.
    assert sb.run("print(4)").stdout == "4\n"
    path = socket_path(sys.executable, PRELOAD)
    assert path is not None and os.path.exists(path)
    other = LocalPool(preload=PRELOAD)
    sb2 = LocalSandbox(pool=other)
    assert sb2.run("print(5)").stdout == "5\n"
    assert other.zygote_pid not in (None, zygote)
    pool.close()
    other.close()


@pytest.mark.parametrize(
    "message",
    [
        {"op": "fork", "argv": "not a list", "cwd": "/", "nfds": 0},
        {"op": "explode"},
        {"op": "fork", "argv": ["--workspaces", "/nonexistent"], "cwd": "/", "nfds": 0},
        {"op": "fork", "argv": [], "cwd": "/", "nfds": [1]},
        ["not", "an", "object"],
        "fork",
    ],
    ids=["bad-argv", "unknown-op", "no-fds", "bad-nfds", "a-list", "a-string"],
)
def test_malformed_fork_request_is_refused_and_the_zygote_carries_on(runtime_dir, message):
    pool = LocalPool(preload=PRELOAD)
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(1)").ok
    with _connect_to_zygote() as conn:
        send_message(conn, message)
        reply = conn.recv(4096)
    assert b"malformed fork request" in reply
    _zygote_still_serves(pool, 6)
    pool.close()


def test_descriptors_sent_with_a_bad_request_are_not_kept(runtime_dir):
    pool = LocalPool(preload=PRELOAD)
    assert LocalSandbox(pool=pool).run("print(1)").ok
    zygote = pool.zygote_pid
    before = len(os.listdir(f"/proc/{zygote}/fd"))
    for _ in range(5):
        r, w = os.pipe()
        with _connect_to_zygote() as conn:
            send_message(conn, {"op": "fork", "argv": 1, "cwd": "/", "nfds": 0}, [r, w, r])
            assert b"malformed fork request" in conn.recv(4096)
        os.close(r)
        os.close(w)
    # The zygote closes the connection itself just after its reply.
    deadline = time.monotonic() + 5
    while len(os.listdir(f"/proc/{zygote}/fd")) > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(os.listdir(f"/proc/{zygote}/fd")) == before
    pool.close()


def test_garbage_on_the_zygote_socket_does_not_stop_it(runtime_dir):
    pool = LocalPool(preload=PRELOAD)
    assert LocalSandbox(pool=pool).run("print(1)").ok
    for junk in (b"\xff\xff\xff\xff", b"\x00\x00\x00\x05{{{{{", b""):
        with _connect_to_zygote() as conn:
            conn.sendall(junk)
    _zygote_still_serves(pool, 7)
    pool.close()


def test_processes_and_threads_starting_at_once_get_one_zygote(runtime_dir):
    script = textwrap.dedent(
        """
        import sys, threading
        from agentgym.sandboxes.local import LocalPool, LocalSandbox
        pools = [LocalPool(preload=("decimal",)) for _ in range(3)]
        threads = [threading.Thread(target=p.start) for p in pools]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(LocalSandbox(pool=p).run("print(1)").ok for p in pools)
        print(*sorted({p.zygote_pid for p in pools}), flush=True)
        sys.stdin.read()
        for p in pools:
            p.close()
        """
    )
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    try:
        seen = [child.stdout.readline().split() for child in children]
    finally:
        for child in children:
            child.communicate("", timeout=60)
    assert all(child.returncode == 0 for child in children)
    assert all(len(s) == 1 for s in seen), seen
    assert len({s[0] for s in seen}) == 1, f"more than one zygote: {seen}"
    assert _gone(int(seen[0][0]))


def test_one_zygote_per_interpreter_path_and_preload(runtime_dir, tmp_path):
    # A virtualenv's python links to the base interpreter yet imports from its own packages.
    venv_python = tmp_path / "python"
    venv_python.symlink_to(sys.executable)
    paths = {
        socket_path(sys.executable, PRELOAD),
        socket_path(str(venv_python), PRELOAD),
        socket_path(sys.executable, ("decimal", "fractions")),
    }
    assert None not in paths and len(paths) == 3
    assert socket_path(sys.executable, PRELOAD) == socket_path(sys.executable, PRELOAD)


def test_server_whose_client_is_gone_exits_and_so_does_the_zygote(runtime_dir, tmp_path):
    from agentgym.sandboxes.zygote import fork_server

    pool_dir = tempfile.mkdtemp(prefix="agentgym-pool-")
    os.mkdir(os.path.join(pool_dir, "ws"))
    ours, theirs = socket.socketpair()
    with open(tmp_path / "server.log", "wb") as log:
        pid, pidfd = fork_server(
            sys.executable,
            PRELOAD,
            ["--workspaces", os.path.join(pool_dir, "ws"), "--remove-on-exit", pool_dir],
            pool_dir,
            theirs.fileno(),
            log.fileno(),
        )
    theirs.close()
    try:
        with open(f"/proc/{pid}/stat") as fh:
            zygote = int(fh.read().rsplit(")", 1)[1].split()[1])
        ours.close()  # the client dies before it ever talks to its server
        assert _gone(pid) and _gone(zygote)
        for _ in range(100):  # the janitor removes the pool's folder
            if not os.path.exists(pool_dir):
                break
            time.sleep(0.05)
        assert not os.path.exists(pool_dir)
    finally:
        os.close(pidfd)
        shutil.rmtree(pool_dir, ignore_errors=True)


def test_exiting_zygote_leaves_the_folder_to_a_client_starting_one(tmp_path):
    import fcntl

    from agentgym.sandboxes.server.zygote import _remove_idle_folder

    folder = tmp_path / "agentgym-x"
    folder.mkdir()
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a client about to start a zygote here
        _remove_idle_folder(str(folder))
        assert folder.is_dir()
    finally:
        os.close(fd)
    (folder / "zygote-other.sock").touch()  # another zygote's socket
    _remove_idle_folder(str(folder))
    assert folder.is_dir()
    (folder / "zygote-other.sock").unlink()
    _remove_idle_folder(str(folder))
    assert not folder.exists()


def test_child_forked_while_a_zygote_is_starting_can_start_its_own(runtime_dir):
    import multiprocessing

    from agentgym.sandboxes import zygote

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    # As if another thread were starting a zygote at the moment of the fork.
    with zygote._start_lock:
        child = ctx.Process(target=_child_runs, args=(queue,))
        child.start()
    try:
        assert queue.get(timeout=60) == "8\n"
    finally:
        child.join(30)
    assert child.exitcode == 0


def _child_runs(queue):
    pool = LocalPool(preload=PRELOAD)
    queue.put(LocalSandbox(pool=pool).run("print(8)").stdout)
    pool.close()
