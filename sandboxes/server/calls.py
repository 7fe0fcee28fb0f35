"""One call: its program, the server thread that supervises it, and the program's rlimits.

The supervising thread enforces the deadline and reports; the program finishes the sandbox
once its request arrives, then runs the user's code.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import select
import signal
import socket
import sys
import time
import traceback
import types

from .isolation import Isolation
from .memory import CallCgroup, MemoryCgroups, oom_kills, refuse_unlimited_memory
from .protocol import (
    DEFAULT_ENV,
    PRESET_MEMORY_BYTES,
    SETUP_FAILED,
    WORKSPACE_NAME,
    MessageReader,
)
from .syscalls import (
    CLONE_NEWPID,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_RDONLY,
    PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE,
    PR_SET_NAME,
    PR_SET_NO_NEW_PRIVS,
    PR_SET_PDEATHSIG,
    drop_bounding_capabilities,
    drop_capabilities,
    fork_child,
    kill_pid,
    kill_tree,
    libc,
    mount,
    prctl,
    unshare,
)

# The preludes the client registered (name -> code), compiled once by the server: a spare
# forked after a registration has it, so a call naming it carries (and compiles) only its own
# code. The server also imports the prelude's modules once, so the call finds them loaded.
PRELUDES: dict[str, types.CodeType] = {}


# Whether this process's environment is DEFAULT_ENV, as the server keeps it (see
# use_default_environment): a spare then need not compare the two, which after a fork costs
# about 0.15 ms and 30 page copies.
ENVIRONMENT_IS_DEFAULT = False


def use_default_environment(force: bool = True) -> None:
    """Note whether this process's environment is DEFAULT_ENV; with ``force``, make it so.

    The server calls it once it has set up (``force``) and again after importing a prelude's
    modules, which may have set variables.
    """
    global ENVIRONMENT_IS_DEFAULT
    if force and os.environ != DEFAULT_ENV:
        os.environ.clear()
        os.environ.update(DEFAULT_ENV)
    ENVIRONMENT_IS_DEFAULT = os.environ == DEFAULT_ENV


def prepare_program() -> None:
    """What running a program needs that no request changes, done while the spare waits.

    The standard streams wrap descriptors 0-2 by number, so they hold once the request's
    pipes are put there.
    """
    import atexit
    import io

    sys.stdin = sys.__stdin__ = io.TextIOWrapper(
        io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8"
    )
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", errors="strict"
    )
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    # Exit handlers the preloaded modules registered in the server are not the program's.
    atexit._clear()
    # Every call would otherwise inherit the server's random state and repeat its numbers
    # (each spare runs one call). The standard module reseeds itself in a forked child; numpy
    # does not.
    if "numpy" in sys.modules:
        try:
            sys.modules["numpy"].random.seed(int.from_bytes(os.urandom(4), "little"))
        except Exception:  # noqa: BLE001 - numpy is optional and may be half-initialised
            pass


def request_prelude(request: dict) -> types.CodeType | str | None:
    """The request's prelude: the source it carries, else the code registered under its name."""
    name = request.get("prelude")
    if name is None:
        return None
    source = request.get("prelude_source")
    if isinstance(source, str):
        return source
    code = PRELUDES.get(name) if isinstance(name, str) else None
    if code is None:
        raise ValueError(f"unknown prelude {name!r}")
    return code


def run_program(code: str, argv0: str, prelude: types.CodeType | str | None = None) -> int:
    """Run ``code`` as ``__main__`` in this isolated, prepared process; return the exit code.

    A ``prelude`` (code, or source) runs first, in the same namespace.
    """
    import atexit
    import linecache

    main = types.ModuleType("__main__")
    main.__dict__.update({"__file__": argv0, "__builtins__": __builtins__})
    sys.modules["__main__"] = main
    sys.argv = [argv0]
    sys.path[0:1] = [os.getcwd()]
    linecache.cache[argv0] = (len(code), None, code.splitlines(True), argv0)
    exit_code = 0
    try:
        if prelude is not None:
            if isinstance(prelude, str):
                prelude = compile(prelude, "<prelude>", "exec")
            exec(prelude, main.__dict__)
        exec(compile(code, argv0, "exec"), main.__dict__)
    except SystemExit as exc:
        exit_code = _system_exit_code(exc)
    except BaseException as exc:  # noqa: BLE001 - report like the interpreter does
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
        exit_code = 1
    try:
        import threading

        threading._shutdown()  # type: ignore[attr-defined]  # join non-daemon threads as Python does
        atexit._run_exitfuncs()
    except SystemExit as exc:
        exit_code = _system_exit_code(exc)
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - stdout may be closed by the program
            exit_code = exit_code or 120
    return exit_code


def _system_exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _address_space() -> int:
    """Bytes of address space this process maps now."""
    try:
        return int(_read_proc_self("statm").split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


# A spare reads and writes its /proc files through descriptors, not file objects: each object
# a forked process creates writes to pages it shares with the server, which are copied.
def _read_proc_self(name: str) -> bytes:
    fd = os.open("/proc/self/" + name, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def _write_proc_self(name: str, data: bytes) -> None:
    fd = os.open("/proc/self/" + name, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _stack_limit() -> int:
    soft, _hard = resource.getrlimit(resource.RLIMIT_STACK)
    return soft if soft != resource.RLIM_INFINITY else 8 << 20


def set_limits(limits: dict, base_as: int) -> None:
    """Apply the call's rlimits; the address-space limit is added to ``base_as``."""
    wanted = {
        resource.RLIMIT_CPU: int(limits["cpu_s"]),
        resource.RLIMIT_AS: base_as + int(limits["memory_bytes"]),
        resource.RLIMIT_NPROC: int(limits["processes"]),
        resource.RLIMIT_FSIZE: int(limits["file_bytes"]),
        resource.RLIMIT_NOFILE: int(limits["open_files"]),
        resource.RLIMIT_CORE: 0,
        # Pinned: a call must not raise its soft limit up to an unlimited hard one.
        resource.RLIMIT_STACK: _stack_limit(),
    }
    for which, value in wanted.items():
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            # Lowering never fails unless the value exceeds the current hard limit; then keep it.
            soft, hard = resource.getrlimit(which)
            resource.setrlimit(which, (min(value, hard), hard))


class Call:
    """One call, supervised by a thread of the server: the program is the call's only process.

    The thread forks the program (after giving itself a fresh pid namespace for children, so
    the program is pid 1 of its own), then enforces the deadline and writes the report to
    ``result_w``, a pipe whose other end the client holds. Without a second process per call
    there is one fork and one teardown of the interpreter per call, not two.

    Protocol with the program, on two pipes: we send ``x`` once it is forked (it checks that
    we did not die before its death signal was armed); it sends ``r`` once set up when it has a
    cgroup of its own, which we limit to the preset budget and answer ``p``; it sends the
    call's timeout and memory budget when its request arrives, and when that budget is not the
    preset one, waits for our ``g`` after we have set it.
    """

    def __init__(
        self,
        isolation: Isolation,
        requests: socket.socket,
        result_w: int,
        devnull: int,
        memory: MemoryCgroups | None = None,
        counted: bool = False,
        container_events: int = -1,
        kill_orphans=lambda: None,
    ) -> None:
        self.isolation = isolation
        self.kill_orphans = kill_orphans
        self.requests = requests
        self.result_w = result_w
        self.devnull = devnull
        self.memory = memory
        self.counted = counted
        self.container_events = container_events
        self.namespaces = isolation.mode == "namespaces"
        self.pid = 0
        self.killed = False
        self.cgroup = None
        self.cgroup_name = ""
        self._ctl_buffer = b""

    def start(self) -> int:
        """Fork the program (from the calling thread, which this gives a new pid namespace)."""
        if self.memory is not None:
            self.cgroup_name, self.cgroup = self.memory.make_call()
        ctl_r, ctl_w = os.pipe()
        go_r, go_w = os.pipe()
        cgroup = self.cgroup
        counted = self.counted and (self.memory is None or cgroup is not None)

        server = 0 if self.namespaces else os.getpid()

        def call_program() -> int:
            # Hold nothing of the server's or of other calls: a copy of another call's result
            # pipe or request socket would keep the client from ever seeing it end.
            keep = {0, 1, 2, self.requests.fileno(), go_r, ctl_w, self.devnull}
            if cgroup is not None:
                keep.update(cgroup.files.values())
            close_all_but(keep)
            _become_main_thread()
            # Told apart from the server in ps, top and profiles.
            libc.prctl(PR_SET_NAME, b"sandbox-call", 0, 0, 0)
            return program(
                self.isolation, self.requests, go_r, ctl_w, self.devnull, counted, cgroup, server
            )

        if self.namespaces:
            # Only this thread's children: the program is pid 1 of a namespace of its own.
            unshare(CLONE_NEWPID)
        try:
            self.pid = fork_child(call_program, failure=SETUP_FAILED)
        finally:
            if cgroup is not None:
                cgroup.joined()
            os.close(go_r)
            os.close(ctl_w)
            self.requests.close()
        self.ctl_r, self.go_w = ctl_r, go_w
        os.write(go_w, b"x")
        return self.pid

    def kill(self) -> None:
        """Kill the program and everything it started (from any thread)."""
        self.killed = True
        kill_pid(self.pid)
        if not self.namespaces:
            # Killing pid 1 of a pid namespace kills it all; without one, its process group
            # and descendants go too (strays that escaped both are the server's orphans).
            kill_tree(self.pid)

    def supervise(self) -> None:
        """Wait for the program, enforce its deadline and write the report (in its thread)."""
        try:
            self._supervise()
        finally:
            for fd in (self.ctl_r, self.go_w, self.result_w):
                if fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            if self.cgroup is not None:
                self.cgroup.close()
                self.memory.remove_call(self.cgroup_name)

    def _supervise(self) -> None:
        container_ooms = oom_kills(self.container_events) if self.container_events >= 0 else 0
        pidfd = os.pidfd_open(self.pid)
        timed_out = False
        try:
            deadline = self._await_request(pidfd)
            if deadline is not None:
                ended, timed_out = self._await_end(pidfd, deadline)
                if ended is not None:
                    # Dead before the report goes out: nothing of the call runs after it. The
                    # client need not wait while the kernel tears the process down.
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                    if not self.namespaces:
                        kill_tree(self.pid)  # a zombie's pid still names its group
                    self._write_report(ended[0], ended[1], ended[2], False, container_ooms)
        finally:
            os.close(pidfd)
        if not self.namespaces:
            # Before reaping: while the program is a zombie its pid still names its group.
            kill_tree(self.pid)
        _, status, usage = os.wait4(self.pid, 0)
        if not self.namespaces:
            # What escaped the group was reparented to the server (its subreaper) when the
            # program ended: it goes before the client hears the call is over.
            self.kill_orphans()
        if self.result_w < 0:
            return  # reported when the program said it was done
        exit_code = os.waitstatus_to_exitcode(status)
        cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000.0
        self._write_report(exit_code, cpu_ms, int(usage.ru_maxrss), timed_out, container_ooms)

    def _write_report(
        self, exit_code: int, cpu_ms: float, max_rss_kb: int, timed_out: bool, container_ooms: int
    ) -> None:
        """Write the call's report and close the result pipe: the client's sign it is over."""
        cgroup = self.cgroup
        report = {
            "exit_code": exit_code,
            "cpu_ms": cpu_ms,
            "max_rss_kb": max_rss_kb,
            "timed_out": timed_out or exit_code == -signal.SIGXCPU,
            "oom_killed": bool(cgroup is not None and cgroup.oom_kills())
            or (
                self.container_events >= 0
                and exit_code == -signal.SIGKILL
                and oom_kills(self.container_events) > container_ooms
            ),
        }
        try:
            os.write(self.result_w, json.dumps(report).encode())
        finally:
            os.close(self.result_w)
            self.result_w = -1

    def _await_end(self, pidfd: int, deadline: float) -> tuple[tuple | None, bool]:
        """Wait until the program ends, says it is done, or its deadline passes.

        Returns what the program said at its end (exit code, cpu ms, max RSS in KiB) or None,
        and whether the deadline passed (then the program is killed).
        """
        watch = [pidfd, self.ctl_r]
        # A short program's end line may have come in one read with its request's line: then
        # it is already here, and waiting for more would wait for the program's exit.
        buffered = bool(self._ctl_buffer)
        while True:
            if not buffered:
                remaining = deadline - time.monotonic()
                ready = select.select(watch, [], [], remaining)[0] if remaining > 0 else []
                if not ready:
                    self.kill()
                    return None, True
                if pidfd in ready:
                    return None, False
                chunk = os.read(self.ctl_r, 128)
                self._ctl_buffer += chunk
                if not chunk or len(self._ctl_buffer) > 128:
                    watch = [pidfd]  # closed, or not ours: wait for the program to end
                    continue
            buffered = False
            if self._ctl_buffer.endswith(b"\n"):
                ended = _parse_end(self._ctl_buffer)
                if ended is not None:
                    return ended, False
                watch = [pidfd]

    def _await_request(self, pidfd: int) -> float | None:
        """Serve the program until its request arrives; return the call's deadline.

        None: the program ended first (a spare no longer needed, or one that failed).
        """
        buffer = b""
        while True:
            ready = select.select([self.ctl_r, pidfd], [], [])[0]
            if self.ctl_r not in ready:
                return None
            chunk = os.read(self.ctl_r, 64)
            if not chunk:
                return None
            buffer += chunk
            if buffer.startswith(b"r"):
                buffer = buffer[1:]
                # The program is set up and waits for its request: limit the cgroup to what it
                # holds now plus the default budget, so a call asking for that need not wait.
                try:
                    self.cgroup.set_limit(PRESET_MEMORY_BYTES)
                    os.write(self.go_w, b"p")
                except (OSError, AttributeError):
                    return None
                continue
            if b"\n" not in buffer:
                continue
            started = time.monotonic()
            line, _, self._ctl_buffer = buffer.partition(b"\n")
            timeout, budget = line.split()
            if self.cgroup is not None and int(budget) != PRESET_MEMORY_BYTES:
                # The program waits for this answer (and only then).
                try:
                    self.cgroup.set_limit(int(budget))
                except OSError:
                    pass
                os.write(self.go_w, b"g")
            return started + max(float(timeout), 0.001)


def _parse_end(line: bytes) -> tuple[int, float, int] | None:
    """The program's last line, ``d <exit code> <cpu ms> <max rss KiB>``; None if malformed."""
    parts = line.split()
    try:
        if len(parts) == 4 and parts[0] == b"d":
            code, cpu_ms, rss = int(parts[1]), float(parts[2]), int(parts[3])
            if 0 <= code <= 255 and 0 <= cpu_ms < 1e12 and 0 <= rss < 1 << 40:
                return code, cpu_ms, rss
    except ValueError:
        pass
    return None


def program(
    isolation: Isolation,
    requests: socket.socket,
    go_r: int,
    ctl_w: int,
    devnull: int,
    counted: bool = True,
    cgroup: CallCgroup | None = None,
    parent: int = 0,
) -> int:
    """The call's own process: set up the sandbox, then once the request arrives, run it.

    ``parent`` is the server's pid when we are not pid 1 of a namespace (else 0).

    ``counted`` says whether a memory cgroup (the call's, or the container's) counts every
    page the call holds; without one, memory no rlimit counts (memfds, SysV shared memory) is
    refused. ``cgroup`` is the call's own cgroup, which we join; our supervising thread presets its
    limit once we are set up (and sets it again for a request with another budget).
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # The supervising thread may have ended before the death signal was armed.
    if os.read(go_r, 1) != b"x":
        return 70
    # Or it wrote that and then died (a `kill -9 -1` in a container, where calls share the
    # server's uid) before the signal was armed: we were reparented, and nobody would
    # enforce our call's deadline or report it. (As pid 1 of a namespace our parent reads 0.)
    if parent and os.getppid() != parent:
        return 70
    if cgroup is not None:
        # Before our uid changes: the cgroup's files are the server's to write.
        cgroup.join()
        cgroup.close()
    namespaces = isolation.mode == "namespaces"
    if namespaces:
        isolation.enter_call_namespace()
    else:
        # Processes that escape the call's process group are reparented to us, not the server,
        # while the call runs: the tree a deadline kills.
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    if namespaces:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        libc.sethostname(b"sandbox", 7)
    # Everything that does not depend on the request is done while waiting for it.
    # A session of its own: kill(0, ...) must not reach the spares in the server's group.
    os.setsid()
    _first_to_die()
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    # Without an IPC namespace of its own (rlimits mode, a container) a SysV segment would
    # outlive the call, holding memory no later call's limit frees.
    if not (counted and namespaces) and not refuse_unlimited_memory(not counted, not namespaces):
        raise OSError(errno.EPERM, "could not refuse memfd_create or shmget")
    # Only the effective set is needed until the mounts are done.
    drop_bounding_capabilities()
    prepare_program()
    # The usual environment is the server's own (see Server); another is set once the request
    # arrives.
    if not ENVIRONMENT_IS_DEFAULT:
        os.environ.clear()
        os.environ.update(DEFAULT_ENV)
    rehearse(isolation)
    base_as = _address_space()
    if cgroup is not None:
        os.write(ctl_w, b"r")
        # Our cgroup's limit is preset once the supervising thread answers.
        if os.read(go_r, 1) != b"p":
            return 70
    reader = MessageReader(requests)
    request = reader.next_message()
    if request is None:
        return 0  # the client is gone: this spare is no longer needed
    budget = int(request["limits"]["memory_bytes"])
    os.write(ctl_w, f"{float(request['timeout'])!r} {budget}\n".encode())
    # Asking for another budget than the preset one: it is set once the thread answers.
    if cgroup is not None and budget != PRESET_MEMORY_BYTES and os.read(go_r, 1) != b"g":
        return 70
    os.close(go_r)
    out_fd, err_fd = reader.take_fds(2)
    # From here on a set-up failure is reported on the call's own stderr.
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    name = request["ws"]
    if not isinstance(name, str) or not WORKSPACE_NAME.match(name):
        raise ValueError("bad workspace name")
    prelude = request_prelude(request)
    workspace = isolation.workspace_dir(name)
    if namespaces:
        isolation.enter_workspace_net(name)
        mount(workspace, "/workspace", None, MS_BIND)
        mount(
            "tmpfs", "/ws", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0"
        )
        workspace = "/workspace"
    close_all_but({0, 1, 2, requests.fileno(), ctl_w})
    isolation.become_call_user()
    os.chdir(workspace)
    limits = request["limits"]
    set_limits(limits, base_as)
    prctl(PR_SET_DUMPABLE, 0)
    drop_capabilities(bounding=False)
    # The set-up is done; only the user's code is left. The client reads this when the call
    # ends without it: nothing ran (e.g. a spare of a server that died could not mount its
    # workspace), so the call may go to another spare.
    try:
        requests.send(b"!")
    except OSError:
        pass
    requests.close()
    env = limits.get("env") or {}
    if env != DEFAULT_ENV:
        os.environ.clear()
        os.environ.update(env)
    os.environ["HOME"] = os.getcwd()
    exit_code = run_program(request["code"], "main.py", prelude)
    _report_end(ctl_w, exit_code, namespaces)
    return exit_code


# A request like the clients' (its shape, not its values), for :func:`rehearse`.
_REHEARSAL = json.dumps(
    {
        "ws": "0" * 32,
        "code": "print(1)\n",
        "timeout": 60.0,
        "limits": {
            "cpu_s": 61,
            "memory_bytes": PRESET_MEMORY_BYTES,
            "processes": 64,
            "file_bytes": 64 << 20,
            "open_files": 256,
            "env": DEFAULT_ENV,
        },
    },
    separators=(",", ":"),
).encode()


def rehearse(isolation: Isolation) -> None:
    """Go through what a request's set-up and start compute, on a dummy request, while waiting.

    A spare shares its memory with the server it was forked from until it writes to it, and
    its first write to each page costs a page fault and a copy (3 us or so on a small VM). The
    way from a request to its code's first line writes about 150 such pages (the JSON decoder's
    and the compiler's allocations, the keyed hash of the workspace name); most are the same
    pages for any request, so going that way once here copies them before the request comes.
    Nothing of it is kept.
    """
    reader = MessageReader(None)
    reader.buffer += len(_REHEARSAL).to_bytes(4, "big") + _REHEARSAL
    request = reader.next_message()
    limits = request["limits"]
    f"{float(request['timeout'])!r} {int(limits['memory_bytes'])}\n".encode()
    name = request["ws"]
    WORKSPACE_NAME.match(name)
    isolation.workspace_net(name)
    code = request["code"]
    compile(code, "main.py", "exec")
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": "main.py", "__builtins__": __builtins__})
    code.splitlines(True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    f"d {0} {(usage.ru_utime + usage.ru_stime) * 1000.0:.3f} {usage.ru_maxrss}\n".encode()


def _report_end(ctl_w: int, exit_code: int, namespaces: bool) -> None:
    """Tell the supervising thread the call is over, before the kernel tears this process down.

    Unmapping a forked interpreter takes milliseconds; the client need not wait for it. We
    close the output pipes first (and, as pid 1 of a namespace, kill the rest of the call),
    so what the report says is final; the thread then kills us (and without a namespace, our
    descendants), so no code of the call runs after the report. A program that writes this
    line itself only ends its own call early.
    """
    if namespaces:
        try:
            os.kill(-1, signal.SIGKILL)  # as pid 1: every other process of the call
        except OSError:
            pass
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_ms = (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime) * 1000.0
    max_rss_kb = max(own.ru_maxrss, children.ru_maxrss)
    os.closerange(0, 3)
    try:
        os.write(ctl_w, f"d {exit_code} {cpu_ms:.3f} {max_rss_kb}\n".encode())
    except OSError:
        pass


def _first_to_die() -> None:
    """Make this process the one the kernel's OOM killer picks first (the server survives)."""
    try:
        _write_proc_self("oom_score_adj", b"1000")
        return
    except PermissionError:
        pass  # not dumpable (inherited from the server): its /proc files are root's
    except OSError:
        return
    # Dumpable for the two system calls it takes; nothing secret is in this process yet.
    prctl(PR_SET_DUMPABLE, 1)
    try:
        _write_proc_self("oom_score_adj", b"1000")
    except OSError:
        pass
    finally:
        prctl(PR_SET_DUMPABLE, 0)


def _become_main_thread() -> None:
    """Make the thread we were forked from look like the main thread it now is."""
    import threading

    # Forked from a daemon thread of the server: threads the program starts would default to
    # daemon too, and not be joined at exit as Python joins them.
    thread = threading.current_thread()
    thread._daemonic = False  # type: ignore[attr-defined]
    thread._name = "MainThread"  # type: ignore[attr-defined]


def close_all_but(keep: set[int]) -> None:
    """Close every descriptor of this process except those in ``keep``.

    The descriptors above ``keep`` go with one ``close_range(2)`` (Linux 5.9), or, without it,
    up to the top read from /proc.
    """
    low = 0
    for fd in sorted(keep):
        if fd > low:
            os.closerange(low, fd)
        low = max(low, fd + 1)
    if not _close_rest(low):
        os.closerange(low, max(max_fd(), low + 1))


def _close_rest(low: int) -> bool:
    """Close every descriptor from ``low`` up with one system call; False if that cannot be done.

    Saves listing /proc/self/fd (about 0.1 ms) twice per spare.
    """
    close_range = getattr(libc, "close_range", None)
    if close_range is None:
        return False
    return close_range(ctypes.c_uint(low), ctypes.c_uint(0xFFFFFFFF), 0) == 0


def max_fd() -> int:
    """One more than the highest open descriptor number."""
    try:
        return max(int(fd) for fd in os.listdir("/proc/self/fd")) + 1
    except (OSError, ValueError):
        return 1024
