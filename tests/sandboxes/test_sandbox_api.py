"""The Sandbox API on every backend: results, workspaces, limits, errors, sharing."""

from __future__ import annotations

import os
import threading
import time

import pytest

from agentgym.sandboxes import ExecResult, SandboxError, make_sandbox


def test_print(make):
    r = make().run("print(1)")
    assert isinstance(r, ExecResult)
    assert (r.stdout, r.stderr, r.exit_code, r.timed_out, r.oom_killed) == (
        "1\n",
        "",
        0,
        False,
        False,
    )
    assert r.wall_ms > 0 and r.cpu_ms >= 0 and r.max_rss_kb > 0 and not r.output_truncated
    assert r.ok


def test_result_is_frozen(make):
    r = make().run("pass")
    with pytest.raises(AttributeError):
        r.exit_code = 3


def test_files_persist_within_episode_and_vanish_on_reset(make):
    sb = make()
    sb.run("open('a.txt', 'w').write('hello')")
    assert sb.run("print(open('a.txt').read())").stdout == "hello\n"
    sb.reset()
    assert sb.run("import os; print(os.listdir('.'))").stdout == "[]\n"


def test_reset_with_files_starts_the_episode_with_them_in_one_request(make, monkeypatch):
    sb = make()
    sb.run("import os; open('a.txt', 'w').write('x'); os.mkfifo('suite.json')")
    ops = []
    real = sb.pool._request

    def spy(message, *args, **kwargs):
        # Only this workspace's: the pool is shared, and a collected sandbox of another test
        # may drop its workspace meanwhile.
        if message.get("ws") == sb.workspace_id:
            ops.append(message["op"])
        return real(message, *args, **kwargs)

    monkeypatch.setattr(sb.pool, "_request", spy)
    sb.reset(files={"suite.json": "new", "d/b.bin": b"\x00"})
    assert ops == ["write"]
    r = sb.run("import os; print(sorted(os.listdir('.')), open('suite.json').read())")
    assert r.stdout == "['d', 'suite.json'] new\n", r


def test_files_argument_text_bytes_and_subdirs(make):
    sb = make()
    r = sb.run(
        "print(open('d/x.txt').read(), open('b.bin', 'rb').read())",
        files={"d/x.txt": "data", "b.bin": b"\x00\xff"},
    )
    assert r.stdout == "data b'\\x00\\xff'\n"


def test_episodes_do_not_share_files(make):
    a, b = make(), make()
    a.write_files({"only-a.txt": "a"})
    assert b.run("import os; print(os.listdir('.'))").stdout == "[]\n"


def test_exception_exit_code_and_traceback(make):
    r = make().run("def f():\n    raise ValueError('boom')\nf()")
    assert r.exit_code == 1 and "ValueError: boom" in r.stderr
    assert 'File "main.py", line 2, in f' in r.stderr and "raise ValueError" in r.stderr
    assert "sandboxes/server" not in r.stderr and "server.py" not in r.stderr


def test_sys_exit_codes(make):
    sb = make()
    assert sb.run("import sys; sys.exit(3)").exit_code == 3
    r = sb.run("import sys; sys.exit('bye')")
    assert r.exit_code == 1 and "bye" in r.stderr
    assert sb.run("raise SystemExit").exit_code == 0


def test_stdin_is_empty(make):
    r = make().run("import sys; print(repr(sys.stdin.read()))")
    assert r.stdout == "''\n"


def test_atexit_and_threads_run_like_python(make):
    r = make().run(
        "import atexit, threading, time\n"
        "atexit.register(lambda: print('bye'))\n"
        "threading.Thread(target=lambda: (time.sleep(0.1), print('thread'))).start()\n"
    )
    assert r.stdout == "thread\nbye\n"


def test_random_differs_between_calls(make):
    sb = make()
    # A preloaded spare, then a lean one (the standard module reseeds itself after a fork).
    for code in (
        "import random, numpy; print(random.random(), numpy.random.random())",
        "import random; print(random.random())",
    ):
        assert sb.run(code).stdout != sb.run(code).stdout


def test_calls_are_the_first_the_oom_killer_takes(make):
    sb = make()
    for code in ("import sys", "import numpy"):  # a lean spare, a preloaded one
        r = sb.run(code + "; print(open('/proc/self/oom_score_adj').read().strip())")
        assert r.stdout == "1000\n", r


def test_preloaded_state_does_not_leak_between_calls(make):
    sb = make()
    sb.run("import numpy; numpy.pi = 3")
    assert sb.run("import numpy; print(numpy.pi > 3.1)").stdout == "True\n"


def test_timeout_per_call_and_recovery(make):
    sb = make(timeout_s=5)
    r = sb.run("import time; time.sleep(10)", timeout_s=0.5)
    assert r.timed_out and r.exit_code != 0 and not r.oom_killed
    assert sb.run("print(2)").stdout == "2\n"


def test_memory_limit(make):
    r = make(memory_mb=128).run("x = bytearray(512 * 1024 * 1024)")
    assert r.oom_killed and not r.timed_out and "MemoryError" in r.stderr


def test_memory_within_limit_is_fine(make):
    r = make(memory_mb=256).run("x = bytearray(64 * 1024 * 1024); print(len(x))")
    assert r.ok and r.stdout == str(64 * 1024 * 1024) + "\n"


def test_output_limit(make):
    r = make(output_bytes=1000).run("print('x' * 5000)")
    assert r.output_truncated and len(r.stdout) == 1000


def test_unicode_and_surrogates_in_code(make):
    r = make().run("print('héllo ✓ \ud800')")
    assert r.exit_code == 0 and r.stdout.startswith("héllo ✓")


@pytest.mark.parametrize("name", ["../x", "/etc/x", "", "a/../../x"])
def test_bad_file_names(make, name):
    with pytest.raises(ValueError):
        make().write_files({name: "a"})


def test_bad_arguments(make, backend):
    sb = make()
    with pytest.raises(TypeError):
        sb.run(b"print(1)")
    with pytest.raises(ValueError):
        sb.run("print(1)", timeout_s=0)
    with pytest.raises(ValueError):
        sb.write_files({"a": 3})
    with pytest.raises(ValueError, match="memory_mb"):
        make_sandbox(backend, memory_mb=0)
    with pytest.raises(ValueError, match="timeout_s"):
        make_sandbox(backend, timeout_s=-1)


def test_closed_sandbox_raises(make):
    sb = make()
    sb.close()
    sb.close()
    with pytest.raises(SandboxError, match="closed"):
        sb.run("print(1)")


def test_unknown_backend():
    with pytest.raises(ValueError, match="unknown sandbox backend"):
        make_sandbox("nope")


def test_threads_share_one_pool(make):
    boxes = [make() for _ in range(4)]
    results = {}

    def work(i):
        sb = boxes[i]
        sb.write_files({"n.txt": str(i)})
        results[i] = [sb.run("print(open('n.txt').read())").stdout for _ in range(3)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: [f"{i}\n"] * 3 for i in range(4)}


def test_concurrent_calls_on_one_sandbox(make):
    sb = make()
    out = []
    threads = [
        threading.Thread(
            target=lambda: out.append(sb.run("import time; time.sleep(0.2); print(7)").stdout)
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == ["7\n"] * 3


def test_environment_is_scrubbed(make):
    import json

    r = make().run("import os, json; print(json.dumps([os.getcwd(), dict(os.environ)]))")
    cwd, env = json.loads(r.stdout)
    assert env["HOME"] == cwd
    assert "AGENTGYM_TEST_SECRET" not in env
    allowed = {
        "PATH",
        "HOME",
        "LANG",
        "PYTHONIOENCODING",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
    }
    assert set(env) <= allowed


def test_hash_order_is_the_same_in_every_pool(backend):
    """Sets of strings print in one order in every process, so seeded episodes replay."""
    code = "print(list({'alpha', 'beta', 'gamma', 'delta', 'epsilon'}))"
    outputs = set()
    for _ in range(2):
        with make_sandbox(backend, pool="private") as sb:
            outputs.add(sb.run(code).stdout)
    assert len(outputs) == 1


def test_a_restart_that_lost_the_workspace_is_told(backend):
    """The server dies (a crash, or a restart after a stall): the episode's files are gone, and
    the next write and the next run say so instead of failing or pretending nothing happened."""
    import signal

    from agentgym.sandboxes.pool import WORKSPACE_LOST

    if backend == "docker":
        from sandbox_support import require_docker

        require_docker()
        from agentgym.sandboxes.docker_backend import DockerPool

        pool = DockerPool(memory_mb=512)
    else:
        from agentgym.sandboxes.local import LocalPool

        pool = LocalPool(preload=())
    with pool:
        sb = make_sandbox(backend, pool=pool)
        assert sb.write_files({"notes.txt": "x"}) == ()
        assert sb.run("print(open('notes.txt').read())").stdout == "x\n"
        if backend == "docker":
            pool._running.container.kill()
        else:
            os.kill(pool.server_pid, signal.SIGKILL)
        # Spares forked before the kill may still serve a call or two while they die.
        for _ in range(100):
            result = sb.run("import os; print(os.listdir('.'))")
            if WORKSPACE_LOST in result.stderr:
                break
            time.sleep(0.05)
        assert result.stderr.startswith(f"[sandbox: {WORKSPACE_LOST}]")
        assert result.stdout == "[]\n"
        # Told once: the workspace lives on the new server from now on.
        assert sb.write_files({"notes.txt": "y"}) == ()
        assert sb.run("print(open('notes.txt').read())").stderr == ""


def test_the_code_holds_only_its_streams_and_the_end_report_pipe(make):
    # Everything else the spare held (the server's sockets, other calls' pipes, cgroup files)
    # was closed before the code ran.
    code = (
        "import os\n"
        "fds = os.listdir('/proc/self/fd')\n"
        "kinds = []\n"
        "for fd in sorted(fds, key=int)[3:]:\n"
        "    try:\n"
        "        kinds.append(os.readlink('/proc/self/fd/' + fd).split(':')[0])\n"
        "    except OSError:\n"
        "        pass  # the listing's own descriptor, closed by now\n"
        "print(sorted(fds, key=int)[:3], kinds)\n"
    )
    r = make().run(code)
    assert r.stdout == "['0', '1', '2'] ['pipe']\n", r


# --- reading a workspace file --------------------------------------------------------------

_ODD_FILES = (
    "import os, socket\n"
    "os.mkfifo('fifo')\n"
    "os.symlink('text.txt', 'link')\n"
    "os.symlink('sub', 'sublink')\n"
    "os.mkdir('folder')\n"
    "socket.socket(socket.AF_UNIX).bind('sock')\n"
    "open('big', 'wb').write(b'x' * 301)\n"
)
_READS = {
    "text.txt": b"caf\xc3\xa9\r\n",
    "sub/deeper/bin": bytes(range(256)),
    "missing": "missing",
    "sub/missing/x": "missing",
    "fifo": "a FIFO",
    "link": "a symbolic link",
    "sublink/deeper/bin": "missing",  # a link on the way is not followed either
    "folder": "a folder",
    "sock": "a socket",
    "big": "too large",
}


def _read(read, sb, name):
    from agentgym.sandboxes import WorkspaceFileError

    try:
        return read(sb, name, 300)
    except WorkspaceFileError as exc:
        assert exc.name == name
        return exc.reason


def test_read_file_returns_regular_files_only_and_never_waits(make):
    sb = make()
    sb.write_files({"text.txt": _READS["text.txt"], "sub/deeper/bin": _READS["sub/deeper/bin"]})
    assert sb.run(_ODD_FILES).ok
    for name, expected in _READS.items():
        assert _read(type(sb).read_file, sb, name) == expected, name
    assert sb.read_file("big", max_bytes=301) == b"x" * 301


def test_read_file_by_the_server_agrees_with_a_read_in_the_sandbox(make):
    """The server's read (one request) and the default one (a program run in the sandbox)."""
    from agentgym.sandboxes import Sandbox

    sb = make()
    sb.write_files({"text.txt": _READS["text.txt"], "sub/deeper/bin": _READS["sub/deeper/bin"]})
    assert sb.run(_ODD_FILES).ok
    for name in _READS:
        assert _read(type(sb).read_file, sb, name) == _read(Sandbox.read_file, sb, name), name


def test_read_file_refuses_bad_arguments(make, pool):
    from agentgym.sandboxes import SandboxError

    sb = make()
    for name in ("/etc/passwd", "../x", "a/../../x", ""):
        with pytest.raises(ValueError):
            sb.read_file(name)
    for limit in (-1, 1.5, True):
        with pytest.raises(ValueError, match="max_bytes"):
            sb.read_file("x", max_bytes=limit)
    # Requests the client would not send are refused by the server, which goes on serving.
    for request in (
        {"name": "x", "max": -1},
        {"name": 7, "max": 10},
        {"name": "../x", "max": 10},
        {"max": 10},
    ):
        with pytest.raises(SandboxError, match="refused read"):
            pool._request({"op": "read", "ws": sb.workspace_id, **request})
    sb.write_files({"x": "ok"})
    assert sb.read_file("x") == b"ok"
    sb.close()
    with pytest.raises(SandboxError, match="closed"):
        sb.read_file("x")
