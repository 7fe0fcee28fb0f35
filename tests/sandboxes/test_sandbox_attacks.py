"""The attack battery: hostile programs run against every backend.

Each attack must come back as a clear ExecResult (never an exception or a hang), leave the
host untouched, leave no process behind, and the next call on the same sandbox must work.
docs/sandboxes.md lists each attack with what stops it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import textwrap
import threading
import time
from dataclasses import dataclass, field

import pytest

from agentgym.sandboxes.local import SERVER_SCRIPT
from agentgym.sandboxes.server import descendants_of


@dataclass
class Host:
    """What the test plants on the host for the attacks to go after."""

    secret: str
    secret_file: str
    outside_dir: str
    port: int
    connections: list = field(default_factory=list)
    server_pid: int = 0

    def fmt(self, code: str) -> str:
        return (
            code.replace("SECRET_FILE", repr(self.secret_file))
            .replace("OUTSIDE_DIR", repr(self.outside_dir))
            .replace("PORT", str(self.port))
            .replace("SERVER_PID", str(self.server_pid))
        )


@pytest.fixture
def host(tmp_path, pool, backend):
    secret = "filesecret-" + secrets.token_hex(8)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(secret)
    outside = tmp_path / "outside"
    outside.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    h = Host(secret, str(secret_file), str(outside), listener.getsockname()[1])
    pool.start()
    h.server_pid = pool.hello["pid"]
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, addr = listener.accept()
            except OSError:
                continue
            h.connections.append(addr)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield h
    stop.set()
    thread.join()
    listener.close()
    assert secret_file.read_text() == secret, "the host secret file was modified"
    assert os.listdir(outside) == [], "something was written outside the workspace"
    assert h.connections == [], "the sandbox reached a server on the host's loopback"


def settled(pool, backend) -> int:
    """Wait for the pool to be back to its spares alone; return the number of extra processes."""
    extra = 0
    # One process per spare, and with a lean server, it and its spares.
    expected = pool.spares + (1 + pool.lean_spares if pool.hello.get("lean") else 0)
    for _ in range(100):
        if backend == "local":
            pids = descendants_of(pool.server_pid)
            extra = len(pids) - expected
        else:
            top = pool._running.container.top()
            extra = len(top["Processes"]) - 1 - expected
        if extra <= 0:
            return extra
        time.sleep(0.05)
    return extra


def no_secret(r, h):
    text = r.stdout + r.stderr
    assert h.secret not in text and os.environ["AGENTGYM_TEST_SECRET"] not in text


# --------------------------------------------------------------------------- the attacks
# name -> (code, timeout_s, check(result, host)); code may use SECRET_FILE, OUTSIDE_DIR, PORT,
# SERVER_PID placeholders.

ATTACKS = {}


def attack(name, timeout_s=5.0, **opts):
    def register(fn):
        ATTACKS[name] = (textwrap.dedent(fn.__doc__), timeout_s, fn, opts)
        return fn

    return register


@attack("fork_bomb", timeout_s=3)
def _fork_bomb(r, h):
    """
    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass
    """
    assert r.timed_out


@attack("thread_bomb")
def _thread_bomb(r, h):
    """
    import threading, time
    threads = []
    while True:
        t = threading.Thread(target=time.sleep, args=(100,), daemon=True)
        t.start()
        threads.append(t)
    """
    assert r.exit_code != 0 and not r.timed_out
    assert "can't start new thread" in r.stderr


@attack("memory_bomb")
def _memory_bomb(r, h):
    """
    blocks = []
    while True:
        blocks.append(bytearray(50 * 1024 * 1024))
    """
    assert r.oom_killed and r.exit_code != 0


@attack("disk_fill_one_file", file_mb=8)
def _disk_fill_one(r, h):
    """
    with open("big", "wb") as f:
        while True:
            f.write(b"0" * (1 << 20))
    """
    assert r.exit_code != 0 and "File too large" in r.stderr


@attack("disk_fill_many_files", timeout_s=10, file_mb=8)
def _disk_fill_many(r, h):
    """
    i = 0
    while True:
        with open(f"part{i}", "wb") as f:
            f.write(b"0" * (4 << 20))
        i += 1
    """
    assert r.exit_code != 0 and "No space left on device" in r.stderr


@attack("too_many_open_files")
def _open_files(r, h):
    """
    files = []
    while True:
        files.append(open("/dev/null"))
    """
    assert r.exit_code != 0 and "Too many open files" in r.stderr


@attack("cpu_spin", timeout_s=1)
def _cpu_spin(r, h):
    """
    while True:
        pass
    """
    assert r.timed_out and r.exit_code != 0


@attack("sleep_past_timeout", timeout_s=1)
def _sleep(r, h):
    """
    import time
    time.sleep(60)
    print("woke up")
    """
    # Cut short, not waited out: the line after the sleep never runs.
    assert r.timed_out and "woke up" not in r.stdout


@attack("raise_rlimits", timeout_s=1)
def _raise_rlimits(r, h):
    """
    import resource
    for lim in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_NPROC):
        try:
            resource.setrlimit(lim, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            print("raised", lim, flush=True)
        except (ValueError, OSError) as exc:
            print("refused", lim, exc, flush=True)
    while True:
        pass
    """
    assert "raised" not in r.stdout and r.stdout.count("refused") == 3
    assert r.timed_out


@attack("double_forked_daemon")
def _daemon(r, h):
    """
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                with open("beacon", "a") as f:
                    f.write("x")
                time.sleep(0.02)
        os._exit(0)
    time.sleep(0.2)
    print("parent done")
    """
    assert r.exit_code == 0 and "parent done" in r.stdout


@attack("child_keeps_pipes_open")
def _pipe_holder(r, h):
    """
    import os, time
    if os.fork() == 0:
        time.sleep(60)
    print("parent exits")
    """
    # The call ends when the program does, not when its child would.
    assert r.exit_code == 0 and not r.timed_out and "parent exits" in r.stdout


@attack("close_stdout_keep_running", timeout_s=1)
def _close_stdout(r, h):
    """
    import os, time
    print("bye", flush=True)
    os.close(1)
    os.close(2)
    time.sleep(60)
    """
    assert r.timed_out and r.stdout == "bye\n"


@attack("kill_everything")
def _kill_all(r, h):
    """
    import os, signal
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError as exc:
        print("kill -1:", exc)
    print("still here")
    """
    # Either the program survives its own kill -1 (it is pid 1) or it is reported killed.
    assert r.exit_code in (0, -9)


@attack("signal_parent")
def _signal_parent(r, h):
    """
    import os, signal
    for pid in (os.getppid(), 1, SERVER_PID):
        for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGSTOP):
            try:
                os.kill(pid, sig)
            except OSError as exc:
                print(pid, sig, type(exc).__name__)
    print("done")
    """
    # Signals either fail or only hit the call's own process tree.
    assert r.exit_code in (0, -9, -15, 1) or r.timed_out


@attack("stop_self", timeout_s=1)
def _stop_self(r, h):
    """
    import os, signal
    os.kill(os.getpid(), signal.SIGSTOP)
    print("continued")
    """
    assert r.timed_out or r.stdout == "continued\n"


@attack("ptrace")
def _ptrace(r, h):
    """
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    attached = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            if libc.ptrace(16, int(name), 0, 0) == 0:
                attached.append(name)
    for pid in (SERVER_PID, os.getppid()):
        if libc.ptrace(16, pid, 0, 0) == 0:
            attached.append(pid)
    print("attached:", attached)
    """
    assert "attached: []" in r.stdout


@attack("read_host_proc")
def _host_proc(r, h):
    """
    import os
    seen = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            for part in ("environ", "cmdline"):
                try:
                    with open(f"/proc/{name}/{part}", "rb") as f:
                        seen.append(f.read().decode(errors="replace"))
                except OSError:
                    pass
    for pid in (SERVER_PID,):
        try:
            seen.append(open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace"))
        except OSError:
            pass
    print("\\n".join(seen))
    """
    no_secret(r, h)
    assert "pytest" not in r.stdout


@attack("read_env_secret")
def _env_secret(r, h):
    """
    import os
    print(dict(os.environ))
    print(open("/proc/self/environ", "rb").read())
    """
    no_secret(r, h)


@attack("read_host_file")
def _host_file(r, h):
    """
    for path in (SECRET_FILE, "/etc/shadow", "/root/.bash_history"):
        try:
            print(open(path).read())
        except OSError as exc:
            print("refused", type(exc).__name__)
    """
    no_secret(r, h)
    assert "root:" not in r.stdout


@attack("write_outside_workspace")
def _write_outside(r, h):
    """
    import os
    targets = [OUTSIDE_DIR + "/pwned", "/tmp/pwned", "/etc/pwned", "/usr/pwned", "/pwned",
               "/ws/pwned", "/dev/shm/pwned", "/var/tmp/pwned"]
    for path in targets:
        try:
            with open(path, "w") as f:
                f.write("x")
            print("WROTE", path)
        except OSError as exc:
            print("refused", path, type(exc).__name__)
    """
    # /tmp and /var/tmp are private to the call where they are writable at all.
    assert "WROTE " + h.outside_dir not in r.stdout
    for path in ("/etc/pwned", "/usr/pwned", "/pwned"):
        assert "WROTE " + path not in r.stdout
        assert not os.path.exists(path)


@attack("symlink_to_host")
def _symlink(r, h):
    """
    import os
    os.symlink(SECRET_FILE, "link")
    os.symlink("/etc", "etc-link")
    try:
        print(open("link").read())
    except OSError as exc:
        print("refused", type(exc).__name__)
    """
    no_secret(r, h)


@attack("hardlink_to_host")
def _hardlink(r, h):
    """
    import os
    for src in (SECRET_FILE, "/etc/passwd", "/usr/bin/python3"):
        try:
            os.link(src, "hl-" + os.path.basename(src))
            print("LINKED", src)
        except OSError as exc:
            print("refused", src, type(exc).__name__)
    """
    assert "LINKED " + h.secret_file not in r.stdout
    no_secret(r, h)


@attack("connect_to_host_loopback")
def _connect(r, h):
    """
    import socket
    for family, addr in ((socket.AF_INET, ("127.0.0.1", PORT)), (socket.AF_INET6, ("::1", PORT))):
        try:
            s = socket.socket(family)
            s.settimeout(2)
            s.connect(addr)
            print("CONNECTED", addr)
        except OSError as exc:
            print("refused", addr, type(exc).__name__)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.sendto(b"x", ("127.0.0.1", PORT))
    except OSError as exc:
        print("udp refused", type(exc).__name__)
    """
    assert "CONNECTED" not in r.stdout


@attack("dns_lookup")
def _dns(r, h):
    """
    import socket
    try:
        print(socket.getaddrinfo("example.com", 80))
        print("RESOLVED")
    except OSError as exc:
        print("refused", type(exc).__name__)
    """
    assert "RESOLVED" not in r.stdout and "refused" in r.stdout


@attack("mount")
def _mount(r, h):
    """
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    rc = libc.mount(b"none", b"/usr", b"tmpfs", 0, None)
    print("mount rc", rc, os.strerror(ctypes.get_errno()))
    """
    assert "mount rc -1" in r.stdout


@attack("unshare_then_mount")
def _unshare(r, h):
    """
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    rc = libc.unshare(0x10000000 | 0x00020000)
    print("unshare rc", rc)
    if rc == 0:
        rc = libc.mount(b"none", b"/usr", b"tmpfs", 0, None)
        print("mount in own namespace rc", rc)
        try:
            open("/usr/agentgym-pwned", "w").write("x")
        except OSError as exc:
            print("write refused", exc)
    """
    assert not os.path.exists("/usr/agentgym-pwned")


@attack("setuid_root")
def _setuid(r, h):
    """
    import os
    try:
        os.setuid(0)
        print("BECAME ROOT")
    except OSError as exc:
        print("refused", exc)
    """
    assert "BECAME ROOT" not in r.stdout


@attack("huge_stdout", timeout_s=20)
def _huge_stdout(r, h):
    """
    import sys
    chunk = "x" * (1 << 20)
    for _ in range(100):
        sys.stdout.write(chunk)
    """
    assert r.exit_code == 0 and r.output_truncated
    assert len(r.stdout) == 1 << 20


@attack("binary_and_invalid_utf8")
def _binary(r, h):
    """
    import sys
    sys.stdout.buffer.write(bytes(range(256)) * 4)
    sys.stderr.buffer.write(b"bad \\xff\\xfe\\xfa utf8")
    """
    assert r.exit_code == 0 and "\ufffd" in r.stdout and "\ufffd" in r.stderr
    assert "bad" in r.stderr


@attack("tamper_with_server")
def _tamper(r, h):
    """
    import os, stat
    wrote = []
    for fd in range(3, 256):
        try:
            os.write(fd, b"\\x00\\x00\\x00\\x05garbage\\nd 0 0 0")
            wrote.append("pipe" if stat.S_ISFIFO(os.fstat(fd).st_mode) else fd)
        except OSError:
            pass
    for path in ("/opt/agentgym/server/__main__.py", "/opt/agentgym/server/calls.py",
                 SERVER_SCRIPT_PATH):
        try:
            open(path, "a").write("# pwned")
            print("MODIFIED", path)
        except OSError as exc:
            print("refused", path, type(exc).__name__)
    print("open fds written:", wrote)
    """
    assert "MODIFIED" not in r.stdout
    # The one descriptor a call may write besides its output: the pipe on which it tells its
    # supervisor it is done (with namespaces). Garbage there changes nothing of the call.
    assert "open fds written: []" in r.stdout or "open fds written: ['pipe']" in r.stdout
    assert r.exit_code == 0 and not r.timed_out


@attack("segfault")
def _segfault(r, h):
    """
    import ctypes
    ctypes.string_at(0)
    """
    assert r.exit_code == -11 and not r.timed_out


@attack("os_exit_and_exec")
def _exec(r, h):
    """
    import os
    os.execv("/bin/sh", ["sh", "-c", "echo from-shell; id -u; exit 3"])
    """
    assert r.exit_code == 3 and "from-shell" in r.stdout


@attack("state_leak_between_calls")
def _state(r, h):
    """
    import sys, json
    sys.modules["json"].dumps = lambda *a, **k: "TAMPERED"
    import builtins
    builtins.print = None
    """
    assert r.exit_code == 0


@attack("memfd_fill", timeout_s=20)
def _memfd(r, h):
    """
    import os
    fds, total = [], 0
    try:
        while total < (3000 << 20):
            fd = os.memfd_create("fill")
            for _ in range(32):
                os.write(fd, b"\\1" * (1 << 20))
            fds.append(fd)
            total += 32 << 20
        print("WROTE", total >> 20)
    except OSError as exc:
        print("refused", exc)
    """
    # Not counted by RLIMIT_AS: the call's (or the container's) memory cgroup kills it.
    assert "WROTE" not in r.stdout
    assert r.oom_killed or "refused" in r.stdout, r


@attack("sysv_shm_fill", timeout_s=20)
def _shm(r, h):
    """
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    total, size = 0, 32 << 20
    try:
        while total < (3000 << 20):
            seg = libc.shmget(0, size, 0o1600)
            if seg < 0:
                raise OSError(ctypes.get_errno(), "shmget")
            addr = libc.shmat(seg, None, 0)
            if addr in (None, ctypes.c_void_p(-1).value):
                raise OSError(ctypes.get_errno(), "shmat")
            ctypes.memset(addr, 1, size)
            libc.shmdt(ctypes.c_void_p(addr))  # detached: no longer in the address space
            total += size
        print("WROTE", total >> 20)
    except OSError as exc:
        print("refused", exc)
    """
    assert "WROTE" not in r.stdout
    assert r.oom_killed or "refused" in r.stdout, r


def _server_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(SERVER_SCRIPT.parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack(name, make, pool, backend, host):
    code, timeout_s, check, opts = ATTACKS[name]
    code = host.fmt(code).replace("SERVER_SCRIPT_PATH", repr(str(SERVER_SCRIPT)))
    script_hash = _server_hash()
    sb = make(timeout_s=timeout_s, **opts)
    result = sb.run(code)
    check(result, host)
    no_secret(result, host)
    # The next call on the same sandbox works, and no process was left behind.
    after = sb.run("import json; print(json.dumps([1]))")
    assert (after.stdout, after.exit_code) == ("[1]\n", 0), after
    assert settled(pool, backend) <= 0, "processes left behind"
    assert _server_hash() == script_hash


def test_daemon_is_dead_after_the_call(make):
    sb = make()
    sb.run(ATTACKS["double_forked_daemon"][0])
    first = sb.run(
        "import os, time; n = os.path.getsize('beacon'); time.sleep(0.3); print(n == os.path.getsize('beacon'))"
    )
    assert first.stdout == "True\n", first


def test_a_forged_end_ends_only_its_own_call(make, pool, backend):
    """A program that tells its supervisor it is done while a child runs on is killed, child too.

    The report goes out before the kernel has torn the call down, so a child may write for a
    few milliseconds after it; then it is dead, and nothing is left of the call.
    """
    sb = make(timeout_s=5)
    r = sb.run(
        """
import os, stat, sys, time
if os.fork() == 0:
    while True:
        with open("beacon", "a") as f:
            f.write("x")
        time.sleep(0.005)
time.sleep(0.1)
print("forging", flush=True)
for fd in range(3, 64):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, b"d 7 0 0\\n")
    except OSError:
        pass
time.sleep(3)
print("still running")
"""
    )
    assert "forging" in r.stdout and not r.timed_out, r
    # Cut short at the forged end: it would have printed "still running" 3 s later, and
    # exited with 0.
    assert "still running" not in r.stdout and r.exit_code == 7, r
    after = sb.run(
        "import os, time; time.sleep(0.1); n = os.path.getsize('beacon'); time.sleep(0.3);"
        " print(n == os.path.getsize('beacon'))"
    )
    assert after.stdout == "True\n", after
    assert settled(pool, backend) <= 0, "processes left behind"


def test_other_episodes_workspace_is_unreachable(make):
    secret = "episode-" + secrets.token_hex(8)
    a, b = make(), make()
    a.write_files({"mine.txt": secret})
    assert a.run("print(open('mine.txt').read())").stdout == secret + "\n"
    probe = b.run(
        """
import glob, os
found = []
for pattern in ("/ws/*/*", "/ws/*", "../*/*", "/proc/*/cwd/*", "/proc/*/root/ws/*/*", "/tmp/*"):
    for path in glob.glob(pattern):
        try:
            found.append(open(path).read())
        except OSError:
            pass
print(found)
"""
    )
    assert secret not in probe.stdout


def test_workspace_links_are_not_followed_by_write_files(make, host):
    sb = make()
    sb.run(f"import os; os.symlink({host.secret_file!r}, 'link')")
    sb.write_files({"link": "overwritten"})
    assert sb.run("print(open('link').read())").stdout == "overwritten\n"
    # host fixture teardown checks the secret file is intact


def test_memory_no_rlimit_counts_kills_only_its_call(make):
    a, b = make(timeout_s=20), make()
    b.write_files({"keep.txt": "kept"})
    result = a.run(ATTACKS["memfd_fill"][0])
    assert "WROTE" not in result.stdout
    # The pool survived: the other episode keeps its files, the attacker's sandbox still works.
    assert b.run("print(open('keep.txt').read())").stdout == "kept\n"
    assert a.run("print('after')").stdout == "after\n"


def test_battery_size():
    assert len(ATTACKS) + 2 >= 30


# --------------------------------------------------------------------------- env files
# Code makes something other than a regular file where the env later writes one (the AgentCode
# env writes solution.py before run_tests/submit). The server must neither block on it (a
# FIFO), nor fail (a folder), nor write through it (a link): it replaces it and says so, and
# another episode on the same pool is served meanwhile.

SPECIAL_FILES = {
    "fifo": ("import os; os.mkfifo('solution.py')", "solution.py", "a FIFO"),
    "folder": (
        "import os; os.makedirs('solution.py/inner'); open('solution.py/inner/x', 'w').write('x')",
        "solution.py",
        "a folder",
    ),
    "socket": (
        "import socket; socket.socket(socket.AF_UNIX).bind('solution.py')",
        "solution.py",
        "a socket",
    ),
    "link_to_fifo": (
        "import os; os.mkfifo('pipe'); os.symlink('pipe', 'solution.py')",
        "solution.py",
        "a symbolic link",
    ),
    "fifo_where_a_folder_goes": ("import os; os.mkfifo('pkg')", "pkg/mod.py", "a FIFO"),
    "link_to_root_where_a_folder_goes": ("import os; os.symlink('/', 'pkg')", "pkg/mod.py", "link"),
}


@pytest.mark.parametrize("kind", sorted(SPECIAL_FILES))
def test_special_file_in_place_of_an_env_file_is_replaced_without_stalling(kind, make):
    setup, name, said = SPECIAL_FILES[kind]
    a, b = make(), make()
    assert a.run(setup).ok
    done: dict = {}

    def write():
        done["notices"] = a.write_files({name: "print('fresh')"})

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    # Another episode on the same pool is served while (and after) that write is handled.
    other = b.run("print(open('x.txt').read())", files={"x.txt": "other episode"})
    writer.join(60)
    assert not writer.is_alive(), "the write blocked the server"
    assert other.stdout == "other episode\n"
    assert [n for n in done["notices"] if said in n and "replaced" in n], done
    assert a.run(f"print(open({name!r}).read())").stdout == "print('fresh')\n"
    # The next episode on the sandbox starts clean.
    a.reset()
    assert a.run("import os; print(os.listdir('.'))").stdout == "[]\n"


def test_a_call_that_blocks_on_its_own_fifo_stalls_only_itself(make):
    a, b = make(timeout_s=2), make()
    a.run("import os; os.mkfifo('solution.py')")
    result: dict = {}

    def stuck():
        result["a"] = a.run("print(open('solution.py').read())")

    thread = threading.Thread(target=stuck, daemon=True)
    thread.start()
    assert b.run("print(2 + 2)").stdout == "4\n"
    b.write_files({"f.txt": "x"})
    thread.join(60)
    assert result["a"].timed_out


def test_mountinfo_names_no_other_episode_and_no_host_pool_folder(make):
    a, b = make(), make()
    b.write_files({"x.txt": "x"})
    info = a.run("print(open('/proc/self/mountinfo').read())").stdout
    assert info.strip()
    assert b.workspace_id not in info and a.workspace_id not in info
    assert "agentgym-pool-" not in info
