"""Local backend specifics: isolation mode, leaks, fork-safety, shared pools."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import pytest

from agentgym.sandboxes import close_shared_pools, make_sandbox, shared_pool
from agentgym.sandboxes.base import SandboxError
from agentgym.sandboxes.local import LocalPool, LocalSandbox
from agentgym.sandboxes.pool import CallLimits


def _fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_namespaces_are_used_here(local_pool):
    # This machine (and CI's) allows user namespaces; the degraded mode is tested below.
    assert local_pool.isolation == "namespaces"
    sb = LocalSandbox(pool=local_pool)
    r = sb.run(
        "import os, socket; print(os.getpid(), os.getuid(), socket.gethostname(), os.getcwd())"
    )
    assert r.stdout == "1 1000 sandbox /workspace\n"
    sb.close()


_CLOSE_SCRIPT = """
import json, os, sys, threading, time
from agentgym.sandboxes.local import LocalPool, LocalSandbox
from agentgym.sandboxes.server import children_of

def fds():
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # listdir's own descriptor, closed by now
            pass
    return found

preload = tuple(sys.argv[1:])
before_fds = fds()
# The process-wide janitor thread (started by the first sandbox, kept for good) is no leak.
before_threads = {t.name for t in threading.enumerate() if t.name != "agentgym-sandbox-janitor"}
pool = LocalPool(preload=preload)
sb = LocalSandbox(pool=pool)
assert sb.run("import os; os.fork(); print('x')").ok
server_pid, pool_dir = pool.server_pid, pool._server.pool_dir
janitor = pool.hello["janitor_pid"]
alive = os.path.exists(f"/proc/{janitor}")
kids = children_of(server_pid)
sb.close()
pool.close()
for _ in range(100):
    if not os.path.exists(f"/proc/{janitor}"):
        break
    time.sleep(0.05)
def gone(pid):
    try:
        return open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    except OSError:
        return True
after = fds()
print(json.dumps({
    "janitor_waited": alive,
    "kids": len(kids),
    "pool_dir_left": os.path.exists(pool_dir),
    "server_left": os.path.exists(f"/proc/{server_pid}"),
    "janitor_left": os.path.exists(f"/proc/{janitor}"),
    "kids_left": [pid for pid in kids if not gone(pid)],
    "fds_left": {fd: link for fd, link in after.items() if before_fds.get(fd) != link},
    "threads_left": sorted(
        t.name for t in threading.enumerate()
        if t.name != "agentgym-sandbox-janitor" and t.name not in before_threads
    ),
    "children_left": children_of(os.getpid()),
}))
"""


@pytest.mark.parametrize("preload", [(), ("decimal",)], ids=["own-server", "from-zygote"])
def test_close_leaves_nothing_behind(preload):
    # In a fresh interpreter: this one's other pools get refilled spares (and their readers
    # hold received descriptors) at any moment, which would blur what this pool leaves.
    out = subprocess.run(
        [sys.executable, "-c", _CLOSE_SCRIPT, *preload], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report.pop("janitor_waited"), "the janitor waits for the server to end"
    assert report.pop("kids"), "the server keeps spares"
    assert report == {
        "pool_dir_left": False,
        "server_left": False,
        "janitor_left": False,
        "kids_left": [],
        "fds_left": {},
        "threads_left": [],
        "children_left": [],
    }


def test_interpreter_exit_cleans_up(tmp_path):
    script = textwrap.dedent(
        """
        import os
        from agentgym.sandboxes import make_sandbox
        sb = make_sandbox("local")            # the shared pool, never closed by hand
        sb.run("print(1)")
        pool = sb.pool
        print(pool.server_pid, pool._server.pool_dir)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    pid, pool_dir = out.stdout.split()
    assert not os.path.exists(pool_dir)
    assert not os.path.exists(f"/proc/{pid}")


def _workspaces_held(pool) -> int:
    """How many workspaces the pool's server holds (with namespaces: mounts only it sees)."""
    if pool.isolation == "namespaces":
        return len(_mounts_under_ws(pool, ""))
    return len(os.listdir(os.path.join(pool._server.pool_dir, "ws")))


def _mounts_under_ws(pool, suffix: str) -> list[str]:
    """Mount points /ws/<hex><suffix> in the pool's server (a workspace, or its network)."""
    with open(f"/proc/{pool.server_pid}/mountinfo") as fh:
        points = [line.split()[4] for line in fh]
    return [p for p in points if re.fullmatch(r"/ws/[0-9a-f]+" + re.escape(suffix), p)]


def test_reset_empties_the_workspace_in_place_and_close_removes_it(local_pool):
    """A new episode gets an empty workspace, kept with its network namespace (cheaper than
    making both again); whatever the last episode did to it is undone. Closing removes both."""
    sb = LocalSandbox(pool=local_pool)
    sb.write_files({"a": "1", "deep/er/b": "2", ".hidden": "3"})
    made = sb.run(
        "import os\n"
        "os.makedirs('locked/in'); open('locked/in/f', 'w').write('x')\n"
        "os.symlink('/etc/passwd', 'link'); os.mkfifo('fifo')\n"
        "os.chmod('locked/in', 0); os.chmod('locked', 0); os.chmod('.', 0o500)\n"
    )
    assert made.exit_code == 0, made
    before = _workspaces_held(local_pool)
    nets = len(_mounts_under_ws(local_pool, ".net")) if local_pool.isolation == "namespaces" else 0
    sb.reset()
    assert _workspaces_held(local_pool) == before
    listed = sb.run("import os; print(sorted(os.listdir('.'))); open('new', 'w').write('ok')")
    assert listed.exit_code == 0 and listed.stdout == "[]\n", listed
    assert os.path.exists("/etc/passwd")
    if local_pool.isolation == "namespaces":
        assert len(_mounts_under_ws(local_pool, ".net")) == nets
    sb.close()
    assert _workspaces_held(local_pool) == before - 1
    if local_pool.isolation == "namespaces":
        # Its network namespace went with it.
        assert len(_mounts_under_ws(local_pool, ".net")) == nets - 1


def test_calls_share_their_workspace_network_only(local_pool):
    """Calls of one workspace share a network namespace; another workspace has its own."""
    if local_pool.isolation != "namespaces":
        pytest.skip("network namespaces need isolation='namespaces'")
    code = "import os; print(os.readlink('/proc/self/ns/net'))"
    a, b = LocalSandbox(pool=local_pool), LocalSandbox(pool=local_pool)
    try:
        first, again, other = a.run(code), a.run(code), b.run(code)
        assert first.stdout.startswith("net:[") and first.stdout == again.stdout, (first, again)
        assert other.stdout.startswith("net:[") and other.stdout != first.stdout
        host = os.readlink("/proc/self/ns/net") + "\n"
        assert host not in (first.stdout, other.stdout)
        # No interface is up in it: nothing to reach, not even another call of the episode.
        probe = a.run(
            "import socket\n"
            "try:\n    socket.create_connection(('127.0.0.1', 1), timeout=1)\n"
            "except OSError as e:\n    print(e.errno)"
        )
        assert probe.stdout.strip() == "101", probe
    finally:
        a.close()
        b.close()


def test_shared_pool_is_per_process():
    a = shared_pool("local")
    assert shared_pool("local") is a
    sb1, sb2 = make_sandbox("local"), make_sandbox("local")
    assert sb1.pool is sb2.pool is a
    sb1.close()
    assert sb2.run("print(1)").stdout == "1\n"
    sb2.close()
    close_shared_pools()


def _child_run(pool, queue):
    sb = LocalSandbox(pool=pool)
    r = sb.run("print(5)")
    queue.put((r.stdout, pool.server_pid))
    sb.close()
    pool.close()


def test_pool_used_after_fork_starts_its_own_server(local_pool):
    parent_server = local_pool.start().server_pid
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child_run, args=(local_pool, queue))
    proc.start()
    stdout, child_server = queue.get(timeout=60)
    proc.join(30)
    assert stdout == "5\n" and child_server != parent_server
    # The parent's server is untouched.
    assert LocalSandbox(pool=local_pool).run("print(6)").stdout == "6\n"


def test_rlimits_only_mode_warns_once_and_still_limits(monkeypatch):
    import agentgym.sandboxes.local as local

    monkeypatch.setattr(local, "_warned", threading.Event())
    pools = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            pool = LocalPool(preload=())
            # Simulate a kernel without namespaces by asking for them to be skipped silently,
            # then flip the mode to "auto" to exercise the warning path.
            pool.isolation_mode = "none"
            pools.append(pool)
            pool.start()
            pool.isolation_mode = "auto"
            pool._on_hello(pool.hello)
    try:
        assert [
            str(w.message)
            for w in caught
            if "namespaces" in str(w.message) or "rlimits" in str(w.message)
        ]
        assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1
        sb = LocalSandbox(pool=pools[0], timeout_s=1)
        assert pools[0].isolation == "rlimits"
        assert sb.run("print(1)").stdout == "1\n"
        assert sb.run("while True: pass").timed_out
        bomb = sb.run("import os\nwhile True: os.fork()", timeout_s=1)
        assert not bomb.ok and ("BlockingIOError" in bomb.stderr or bomb.timed_out)
        assert sb.run("print(2)").stdout == "2\n"
        sb.close()
    finally:
        for pool in pools:
            pool.close()


def test_server_crash_is_recovered(local_pool):
    pool = LocalPool(preload=())
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(1)").ok
    old = pool.server_pid
    os.kill(old, 9)
    # Calls after the crash get a new server (a call caught mid-crash reports its death).
    results = [sb.run("print(3)") for _ in range(3)]
    assert results[-1].stdout == "3\n"
    assert all(r.ok or "sandbox server died" in r.stderr for r in results)
    assert pool.server_pid != old
    pool.close()


def test_server_dying_while_a_call_waits_for_a_spare_is_recovered():
    # The call finds no spare and asks for one; the server dies before it forks one.
    pool = LocalPool(preload=())
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(1)").ok
    old = pool.server_pid
    os.kill(old, signal.SIGSTOP)  # a stopped server forks no spare
    time.sleep(0.3)  # ordering only: spares it announced just before are dispatched by now
    with pool._spare_ready:
        for spare in pool._spares:
            spare.discard()
        pool._spares.clear()
    results = []
    caller = threading.Thread(target=lambda: results.append(sb.run("print(2)")))
    caller.start()
    time.sleep(0.5)  # ordering only: let the caller reach the wait for a spare
    os.kill(old, signal.SIGKILL)
    caller.join(60)
    assert not caller.is_alive()
    assert [r.stdout for r in results] == ["2\n"]
    pool.close()


def test_a_call_that_cannot_be_set_up_is_an_error_not_a_result():
    # Nothing of the code ran, so it is the sandbox failing (retried, then SandboxError),
    # not the program. Here the server never made the workspace the pool thinks it has.
    pool = LocalPool(preload=())
    pool.start()
    workspace = pool.new_workspace()
    pool._workspaces.add((pool._generation, workspace))
    with pytest.raises(SandboxError, match="set-up failed"):
        pool.run(workspace, "print(1)", CallLimits(), 10)
    # The pool still works.
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(1)").stdout == "1\n"
    pool.close()


def test_invalid_pool_options():
    with pytest.raises(ValueError):
        LocalPool(isolation="weird")
    with pytest.raises(ValueError):
        LocalPool(preload="numpy")
    with pytest.raises(ValueError):
        LocalPool(workspace_mb=0)
    with pytest.raises(ValueError, match="lean_spares"):
        LocalPool(lean_spares=-1)
    with pytest.raises(ValueError):
        LocalSandbox(pool=object())


def _worker_exits_hard(queue):
    sb = make_sandbox("local")
    sb.run("print(1)")
    queue.put((sb.pool._server.pool_dir, sb.pool.server_pid))
    queue.close()
    queue.join_thread()
    os._exit(0)  # like a vector-env worker: no atexit handlers run


def test_pool_of_a_process_that_dies_hard_is_cleaned_up():
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_worker_exits_hard, args=(queue,))
    proc.start()
    pool_dir, server_pid = queue.get(timeout=60)
    proc.join(30)
    for _ in range(100):
        if not os.path.exists(pool_dir) and not os.path.exists(f"/proc/{server_pid}"):
            break
        time.sleep(0.1)
    assert not os.path.exists(pool_dir)
    assert not os.path.exists(f"/proc/{server_pid}")


def test_garbage_collected_pool_stops_its_server():

    pool = LocalPool(preload=())
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(1)").ok
    pid, pool_dir = pool.server_pid, pool._server.pool_dir
    del sb, pool
    gc.collect()
    for _ in range(50):
        if not os.path.exists(f"/proc/{pid}") and not os.path.exists(pool_dir):
            break
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{pid}") and not os.path.exists(pool_dir)


def test_remove_tree_never_touches_shared_folders(tmp_path):
    import os
    import stat as st

    from agentgym.sandboxes.fs import remove_tree

    with pytest.raises(ValueError, match="refusing"):
        remove_tree("/tmp")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    victim = shared / "pool"
    (victim / "locked").mkdir(parents=True)
    (victim / "locked" / "f").write_text("x")
    os.chmod(victim / "locked", 0)
    remove_tree(victim)
    assert not victim.exists()
    assert st.S_IMODE(os.stat(shared).st_mode) == 0o1777
    assert st.S_IMODE(os.stat("/tmp").st_mode) == 0o1777


def test_calls_get_a_memory_cgroup_or_may_not_use_uncounted_memory():
    from agentgym.sandboxes.local import LocalPool, LocalSandbox

    memfd = "import os\ntry:\n    os.memfd_create('x')\n    print('made')\nexcept OSError as e:\n    print('refused', e.errno)\n"
    with LocalPool(preload=(), memory_cgroup=False) as pool:
        sb = LocalSandbox(pool=pool)
        assert sb.run(memfd).stdout == "refused 1\n"
        assert pool.hello["memory"].startswith("none")
    with LocalPool(preload=()) as pool:
        sb = LocalSandbox(pool=pool)
        result = sb.run(memfd).stdout
        # With a cgroup memfds are allowed (and counted); without one they are refused.
        expected = "made\n" if pool.hello["memory"].startswith("cgroup") else "refused 1\n"
        assert result == expected


ROUNDS = 30


def test_remove_tree_never_follows_a_folder_swapped_for_a_link(tmp_path):
    """A tree changed during its removal (a folder swapped for a symbolic link to a victim,
    over and over) must not make the removal chmod or empty the victim."""
    import ctypes
    import os
    import stat as st
    import threading

    from agentgym.sandboxes.server import remove_tree

    libc = ctypes.CDLL(None, use_errno=True)
    uid = 65534 if os.geteuid() == 0 else os.geteuid()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious").write_text("x")
    os.chmod(tmp_path, 0o755)
    for path in (victim, victim / "precious"):
        os.chown(path, uid, uid)
    os.chmod(victim, 0o1777)

    for round_ in range(ROUNDS):
        tree = tmp_path / f"tree{round_}"
        (tree / "sub" / "deeper").mkdir(parents=True)
        (tree / "sub" / "deeper" / "f").write_text("x")
        os.symlink(victim, tree / "alt")
        for path in (tree, tree / "sub", tree / "sub" / "deeper", tree / "sub" / "deeper" / "f"):
            os.chown(path, uid, uid, follow_symlinks=False)
        # Locked folders make the removal restore permissions: the step a path would misdirect.
        os.chmod(tree / "sub" / "deeper", 0)
        os.chmod(tree / "sub", 0o500)
        stop = threading.Event()

        def swap(a: bytes, b: bytes, stop: threading.Event) -> None:
            while not stop.is_set():
                libc.renameat2(-100, a, -100, b, 2)  # RENAME_EXCHANGE

        names = (str(tree / "sub").encode(), str(tree / "alt").encode(), stop)
        swapper = threading.Thread(target=swap, args=names, daemon=True)
        swapper.start()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                remove_tree(str(tree))
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        stop.set()
        swapper.join()
        assert os.waitstatus_to_exitcode(status) == 0
        assert st.S_IMODE(os.lstat(victim).st_mode) == 0o1777, f"round {round_}"
        assert (victim / "precious").read_text() == "x"
        # Whatever the swapping kept out of reach goes once the tree holds still.
        remove_tree(str(tree))
        assert not tree.exists()
        assert (victim / "precious").read_text() == "x"


def _program_exit(parent: int) -> int:
    """Exit code of a program whose go byte is there, told that ``parent`` is its server."""
    from agentgym.sandboxes.server.calls import program

    go_r, go_w = os.pipe()
    os.write(go_w, b"x")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            # No isolation: past the parent check, the set-up fails at once.
            code = program(None, None, go_r, -1, -1, parent=parent)
        finally:
            os._exit(code)
    os.close(go_r)
    os.close(go_w)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_program_reparented_before_its_death_signal_was_armed_runs_nothing():
    """Its server wrote the go byte and died before the program armed PR_SET_PDEATHSIG (a
    `kill -9 -1` in a container): unsupervised, it must not take a call."""
    assert _program_exit(parent=1) == 70
    # With its real parent it goes on into the set-up (which fails here without isolation).
    assert _program_exit(parent=os.getpid()) == 1


def test_the_rehearsal_request_has_the_shape_of_the_clients(local_pool, monkeypatch):
    """A spare rehearses a request's set-up on a dummy request: one of another shape would
    fault in other pages than a real one."""
    import agentgym.sandboxes.pool.calls as client_calls
    from agentgym.sandboxes.server.calls import _REHEARSAL

    sent = []
    real_send = client_calls.send_message

    def spy(sock, message, fds=()):
        sent.append(message)
        real_send(sock, message, fds)

    monkeypatch.setattr(client_calls, "send_message", spy)
    sb = LocalSandbox(pool=local_pool)
    assert sb.run("print(1)").stdout == "1\n"
    sb.close()
    rehearsal = json.loads(_REHEARSAL)
    (real,) = [m for m in sent if "code" in m]
    assert set(rehearsal) == set(real)
    assert set(rehearsal["limits"]) == set(real["limits"])
    assert rehearsal["limits"]["env"] == real["limits"]["env"]
    for key in ("timeout", "limits"):
        assert type(rehearsal[key]) is type(real[key])


def _faults_of_a_request(rehearsed: bool) -> int:
    """Page faults a forked child takes in a request's first steps (after a rehearsal or not)."""
    import resource

    from agentgym.sandboxes.server.calls import _REHEARSAL, rehearse
    from agentgym.sandboxes.server.isolation import Isolation
    from agentgym.sandboxes.server.protocol import MessageReader

    isolation = Isolation.restore({"mode": "namespaces", "workspace_root": "/ws", "name_key": "ab"})
    message = len(_REHEARSAL).to_bytes(4, "big") + _REHEARSAL.replace(b"0" * 32, b"1" * 32)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if rehearsed:
                rehearse(isolation)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            reader = MessageReader(None)
            reader.buffer += message
            request = reader.next_message()
            isolation.workspace_net(request["ws"])
            compile(request["code"], "main.py", "exec")
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
            os.write(write_fd, str(faults).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        faults = int(fh.read())
    os.waitpid(pid, 0)
    return faults


def test_a_rehearsed_spare_takes_fewer_page_faults_on_its_request():
    # Counts, not times: a page the rehearsal copied is not faulted in again.
    assert _faults_of_a_request(rehearsed=True) < _faults_of_a_request(rehearsed=False) / 2


def test_the_rehearsal_leaves_nothing_behind():
    import linecache

    from agentgym.sandboxes.server.calls import rehearse
    from agentgym.sandboxes.server.isolation import Isolation

    main, argv, path, environ = (
        sys.modules["__main__"],
        list(sys.argv),
        list(sys.path),
        dict(os.environ),
    )
    cached = dict(linecache.cache)
    rehearse(Isolation.restore({"mode": "rlimits", "workspace_root": "/ws", "name_key": "ab"}))
    assert sys.modules["__main__"] is main
    assert (sys.argv, sys.path, dict(os.environ)) == (argv, path, environ)
    assert linecache.cache == cached


def test_an_end_line_read_with_the_request_line_ends_the_call_at_once():
    """A short program's two lines (its request's timeout, then its end) can arrive in one read
    of the supervising thread; the end must not wait for the program to exit."""
    from agentgym.sandboxes.server.calls import Call

    program = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    ctl_r, ctl_w = os.pipe()
    call = Call.__new__(Call)
    call.pid, call.namespaces, call.killed, call.ctl_r = program.pid, False, False, ctl_r
    call._ctl_buffer = b"d 0 1.5 2048\n"
    pidfd = os.pidfd_open(program.pid)
    try:
        started = time.monotonic()
        ended, timed_out = call._await_end(pidfd, started + 10)
        assert (ended, timed_out) == ((0, 1.5, 2048), False)
        assert program.poll() is None  # it said it ended; it was not waited for
    finally:
        os.close(pidfd)
        for fd in (ctl_r, ctl_w):
            os.close(fd)
        program.kill()
        program.wait()


def test_the_server_notes_whether_its_environment_is_the_calls():
    """Spares reset their environment only when the server's is not DEFAULT_ENV (a prelude's
    import may have set a variable); the server keeps that answer for them."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        answers = b""
        try:
            from agentgym.sandboxes.server import calls

            calls.use_default_environment()
            answers += b"%d" % calls.ENVIRONMENT_IS_DEFAULT
            os.environ["SET_BY_AN_IMPORT"] = "1"
            calls.use_default_environment(force=False)
            answers += b"%d" % calls.ENVIRONMENT_IS_DEFAULT
        finally:
            os.write(write_fd, answers)
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        answers = fh.read()
    os.waitpid(pid, 0)
    assert answers == b"10"


def test_a_read_after_a_server_restart_says_the_files_were_lost():
    from agentgym.sandboxes import WorkspaceFileError
    from agentgym.sandboxes.pool.link import WORKSPACE_LOST

    pool = LocalPool(preload=())
    try:
        sb = LocalSandbox(pool=pool)
        sb.write_files({"solution.py": "x = 1\n"})
        assert sb.read_file("solution.py") == b"x = 1\n"
        os.kill(pool.server_pid, 9)
        # Requests fail (the server exited, or could not be reached) until the pool's reader
        # thread has seen the socket close; the next one starts a new server.
        deadline = time.monotonic() + 30
        while True:
            try:
                sb.read_file("solution.py")
            except WorkspaceFileError as exc:
                assert exc.reason == "missing" and exc.notices == (WORKSPACE_LOST,)
                break
            except SandboxError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
                continue
            pytest.fail("the dead server's file was read")
        # Said once: the workspace now lives on the new server.
        with pytest.raises(WorkspaceFileError) as again:
            sb.read_file("solution.py")
        assert again.value.notices == ()
    finally:
        pool.close()
