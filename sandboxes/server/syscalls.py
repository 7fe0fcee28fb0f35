"""Thin wrappers of the system calls the server needs, their constants, and process helpers.

``unshare``, ``mount``, ``prctl`` and the like; forking a child, finding and killing
descendants.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
import traceback

CLONE_NEWNS = 0x00020000


CLONE_NEWUTS = 0x04000000


CLONE_NEWIPC = 0x08000000


CLONE_NEWUSER = 0x10000000


CLONE_NEWPID = 0x20000000


CLONE_NEWNET = 0x40000000


MS_RDONLY = 1


MS_NOSUID = 2


MS_NODEV = 4


MS_NOEXEC = 8


MS_REMOUNT = 32


MS_BIND = 4096


MS_REC = 16384


MS_PRIVATE = 1 << 18


MS_SLAVE = 1 << 19


MS_SHARED = 1 << 20


MNT_DETACH = 2


PR_SET_PDEATHSIG = 1


PR_SET_DUMPABLE = 4


PR_SET_NAME = 15


PR_CAPBSET_DROP = 24


PR_SET_NO_NEW_PRIVS = 38


PR_SET_CHILD_SUBREAPER = 36


PR_CAP_AMBIENT = 47


PR_CAP_AMBIENT_CLEAR_ALL = 4


SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}


SYS_CAPSET = {"x86_64": 126, "aarch64": 91}


libc = ctypes.CDLL(None, use_errno=True)


def check_result(result: int, what: str) -> None:
    """Raise OSError (with errno) unless a libc call returned 0."""
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    """Move the calling process into new namespaces (``unshare(2)``)."""
    check_result(libc.unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    """Call ``mount(2)``."""
    check_result(
        libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {source} on {target}",
    )


def prctl(option: int, arg: int = 0) -> None:
    """Call ``prctl(2)`` with one argument."""
    check_result(
        libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), 0), "prctl"
    )


def drop_bounding_capabilities() -> None:
    """Clear the bounding and ambient sets: no later ``execve`` can gain a capability.

    The effective set is untouched, so this is done while a spare waits for its request,
    off the call's critical path; :func:`drop_capabilities` clears the rest with one capset.
    """
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0:
            break
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)


def drop_capabilities(bounding: bool = True) -> None:
    """Clear the bounding, ambient, permitted, effective and inheritable capability sets.

    ``bounding=False`` when :func:`drop_bounding_capabilities` already ran in this process.
    """
    if bounding:
        drop_bounding_capabilities()
    if _CAPSET is not None:
        check_result(libc.syscall(*_CAPSET), "capset")


# capset(2)'s arguments, built once: a call drops its capabilities on its critical path.
# Version 3 header for this process, and empty sets.
_CAPSET = (
    (SYS_CAPSET[os.uname().machine], (ctypes.c_uint32 * 2)(0x20080522, 0), (ctypes.c_uint32 * 6)())
    if os.uname().machine in SYS_CAPSET
    else None
)


def write_id_maps(pid: str, uid_map: str, gid_map: str, deny_setgroups: bool) -> None:
    """Write the uid and gid maps of a user namespace."""
    if deny_setgroups:
        with open(f"/proc/{pid}/setgroups", "w") as fh:
            fh.write("deny")
    with open(f"/proc/{pid}/uid_map", "w") as fh:
        fh.write(uid_map)
    with open(f"/proc/{pid}/gid_map", "w") as fh:
        fh.write(gid_map)


def children_of(pid: int) -> list[int]:
    """The direct children of ``pid`` (all its threads), read from /proc."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found.extend(int(p) for p in fh.read().split())
        except OSError:
            continue
    return found


def descendants_of(pid: int) -> list[int]:
    """Every process below ``pid``: its children, their children, and so on."""
    found, pending = [], [pid]
    while pending:
        kids = children_of(pending.pop())
        found += kids
        pending += kids
    return found


def fork_child(body, failure: str = "") -> int:
    """Fork a child that runs ``body`` and exits with its status; return the child's pid.

    The child first drops the parent's signal plumbing (wake-up fd, SIGCHLD handler). It never
    returns into the parent's loop: an exception is printed on stderr, after the line
    ``failure`` if one is given, and exits with 70.
    """
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = body()
        except BaseException:  # noqa: BLE001 - reported, then the child exits
            try:
                text = f"{failure}\n" if failure else ""
                os.write(2, (text + traceback.format_exc()).encode(errors="replace"))
            except OSError:
                pass
        os._exit(code)
    return pid


def kill_pid(pid: int, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to ``pid``; a process already gone (or not ours) is no error."""
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_tree(program_pid: int) -> None:
    """Kill a call's program, its process group and every process descended from it."""
    for _ in range(10_000):
        try:
            # One signal reaches the whole process group at once, outrunning a fork bomb.
            os.killpg(program_pid, signal.SIGKILL)
        except OSError:
            pass
        found = descendants_of(program_pid)
        for pid in found:
            kill_pid(pid)
        if not found:
            return
        time.sleep(0.001)
