"""One call: its supervisor, its program, and the rlimits the program runs under.

The supervisor enforces the deadline and reports; the program finishes the sandbox once its
request arrives, then runs the user's code.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import socket
import sys
import traceback

from .isolation import Isolation
from .memory import MemoryCgroups, oom_kills, refuse_unlimited_memory
from .protocol import PRESET_MEMORY_BYTES, SETUP_FAILED, WORKSPACE_NAME, MessageReader
from .syscalls import (
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_RDONLY,
    PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE,
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
)


def run_program(code: str, argv0: str) -> int:
    """Run ``code`` as ``__main__`` in this (already isolated) process; return the exit code."""
    import io
    import linecache
    import types

    sys.stdin = sys.__stdin__ = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", errors="strict"
    )
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    import atexit

    # Exit handlers the preloaded modules registered in the server are not the program's.
    atexit._clear()
    main = types.ModuleType("__main__")
    main.__dict__.update({"__file__": argv0, "__builtins__": __builtins__})
    sys.modules["__main__"] = main
    sys.argv = [argv0]
    sys.path[0:1] = [os.getcwd()]
    linecache.cache[argv0] = (len(code), None, code.splitlines(True), argv0)
    # Every call would otherwise inherit the server's random state and repeat its numbers.
    import random

    random.seed()
    if "numpy" in sys.modules:
        try:
            sys.modules["numpy"].random.seed(int.from_bytes(os.urandom(4), "little"))
        except Exception:  # noqa: BLE001 - numpy is optional and may be half-initialised
            pass
    exit_code = 0
    try:
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
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


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


class _Deadline(Exception):
    """Raised in a supervisor when the server signals that the call's time is up."""


def _on_deadline(_signum: int, _frame: object) -> None:
    raise _Deadline


def supervise(
    isolation: Isolation,
    requests: socket.socket,
    result_w: int,
    devnull: int,
    memory: MemoryCgroups | None = None,
    counted: bool = False,
    container_events: int = -1,
) -> int:
    """Be one call's supervisor: prepare the program, enforce its deadline, report the result.

    The program (our child) waits on ``requests`` for its code; until then the call is a spare.
    Once it has its request it tells us the time and memory limits, and waits until we have
    set the memory limit on the call's cgroup (when ``memory`` gives one); the report goes to
    ``result_w``, a pipe whose other end the client holds.
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGALRM, _on_deadline)
    namespaces = isolation.mode == "namespaces"
    # Before our uid changes: the cgroup's files are the server's to write.
    cgroup = memory.join_call() if memory is not None else None
    if namespaces:
        isolation.enter_call_namespace()
    else:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    alive_r, alive_w = os.pipe()
    started_r, started_w = os.pipe()

    def call_program() -> int:
        os.close(alive_w)
        os.close(started_r)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        if cgroup is not None:
            cgroup.close()
        # A call whose own cgroup could not be made is not counted: it gets the filter.
        counted_here = counted and (memory is None or cgroup is not None)
        return program(
            isolation, requests, alive_r, started_w, devnull, counted_here, cgroup is not None
        )

    # The user's code reports its own errors; anything raised here is a set-up failure.
    pid = fork_child(call_program, failure=SETUP_FAILED)
    os.close(alive_r)
    os.close(started_w)
    os.write(alive_w, b"x")
    requests.close()
    timed_out = False
    # In a container, whose cgroup all calls share, a kill by its OOM killer shows here.
    container_ooms = oom_kills(container_events) if container_events >= 0 else 0
    try:
        if cgroup is not None:
            # The program is set up and waits for its request: limit the cgroup to what it
            # holds now plus the default budget, so a call asking for that need not wait.
            if os.read(started_r, 1) == b"r":
                try:
                    cgroup.set_limit(PRESET_MEMORY_BYTES)
                    os.write(alive_w, b"p")
                except OSError:
                    pass  # the program died: the read below sees EOF
        # The program sends its limits when its request arrives (EOF: it died first).
        limits = os.read(started_r, 64).split()
        if limits:
            preset = cgroup is not None and limits[1:2] == [str(PRESET_MEMORY_BYTES).encode()]
            if not preset:
                # The program waits for this answer (and only then).
                if cgroup is not None:
                    try:
                        cgroup.set_limit(int(limits[1]))
                    except (OSError, ValueError, IndexError):
                        pass
                os.write(alive_w, b"g")
            signal.setitimer(signal.ITIMER_REAL, max(float(limits[0]), 0.001))
        _, status, usage = os.wait4(pid, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except _Deadline:
        # Killing the program kills its pid namespace; without one, its whole tree is ours
        # (we are its subreaper) and is killed below.
        timed_out = True
        kill_pid(pid)
        _, status, usage = os.wait4(pid, 0)
    if not namespaces:
        kill_tree(pid)
    total = resource.getrusage(resource.RUSAGE_CHILDREN)
    exit_code = os.waitstatus_to_exitcode(status)
    report = {
        "exit_code": exit_code,
        "cpu_ms": (total.ru_utime + total.ru_stime) * 1000.0,
        "max_rss_kb": int(usage.ru_maxrss),
        "timed_out": timed_out or exit_code == -signal.SIGXCPU,
        "oom_killed": bool(cgroup is not None and cgroup.oom_kills())
        or (
            container_events >= 0
            and exit_code == -signal.SIGKILL
            and oom_kills(container_events) > container_ooms
        ),
    }
    os.write(result_w, json.dumps(report).encode())
    # Close now rather than at exit: tearing down our copy of the server's memory takes a
    # millisecond or two that the client need not wait for.
    os.close(result_w)
    return 0


def program(
    isolation: Isolation,
    requests: socket.socket,
    alive_r: int,
    started_w: int,
    devnull: int,
    counted: bool = True,
    cgroup: bool = False,
) -> int:
    """The call's own process: finish the sandbox once the request arrives, then run it.

    ``counted`` says whether a memory cgroup (the call's, or the container's) counts every
    page the call holds; without one, memory no rlimit counts (memfds, SysV shared memory) is
    refused. ``cgroup`` says whether the call has a cgroup of its own, whose limit the
    supervisor presets once we are set up (and sets again for a request with another budget).
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # The supervisor may have died before the death signal was armed.
    if os.read(alive_r, 1) == b"":
        return 70
    namespaces = isolation.mode == "namespaces"
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
    base_as = _address_space()
    top_fd = max_fd()
    if cgroup:
        os.write(started_w, b"r")
        # Our cgroup's limit is preset once the supervisor answers.
        if os.read(alive_r, 1) != b"p":
            return 70
    reader = MessageReader(requests)
    request = reader.next_message()
    if request is None:
        return 0  # the client is gone: this spare is no longer needed
    budget = int(request["limits"]["memory_bytes"])
    os.write(started_w, f"{float(request['timeout'])!r} {budget}".encode())
    os.close(started_w)
    # Without a cgroup of our own, or asking for another budget than the preset one, our
    # supervisor has set the memory limit once it answers.
    if (not cgroup or budget != PRESET_MEMORY_BYTES) and os.read(alive_r, 1) != b"g":
        return 70
    os.close(alive_r)
    out_fd, err_fd = reader.take_fds(2)
    # From here on a set-up failure is reported on the call's own stderr.
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    name = request["ws"]
    if not isinstance(name, str) or not WORKSPACE_NAME.match(name):
        raise ValueError("bad workspace name")
    workspace = isolation.workspace_dir(name)
    if namespaces:
        mount(workspace, "/workspace", None, MS_BIND)
        mount(
            "tmpfs", "/ws", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0"
        )
        workspace = "/workspace"
    keep = requests.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, max(top_fd, out_fd + 1, err_fd + 1, keep + 1))
    if not namespaces:
        if isolation.call_uid is not None:
            os.setgroups([])
            os.setresgid(isolation.call_uid, isolation.call_uid, isolation.call_uid)
            os.setresuid(isolation.call_uid, isolation.call_uid, isolation.call_uid)
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
    os.environ.clear()
    os.environ.update(limits.get("env") or {})
    os.environ["HOME"] = os.getcwd()
    return run_program(request["code"], "main.py")


def _first_to_die() -> None:
    """Make this process the one the kernel's OOM killer picks first (the server survives)."""
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
        return
    except PermissionError:
        pass  # not dumpable (inherited from the server): its /proc files are root's
    except OSError:
        return
    # Dumpable for the two system calls it takes; nothing secret is in this process yet.
    prctl(PR_SET_DUMPABLE, 1)
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass
    finally:
        prctl(PR_SET_DUMPABLE, 0)


def max_fd() -> int:
    """One more than the highest open descriptor number."""
    try:
        return max(int(fd) for fd in os.listdir("/proc/self/fd")) + 1
    except (OSError, ValueError):
        return 1024
