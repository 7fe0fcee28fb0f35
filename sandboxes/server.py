"""The sandbox fork server: one per pool, forks one isolated process per call.

This file is run as a script (``python -I server.py ...``) on the host by the local backend and
inside the container by the Docker backend, so it uses the standard library only and works on
Python 3.10+. It never imports agentgym.

Start-up: isolate the server itself (a new user and mount namespace whose root holds only the
Python installation, a few device nodes and the workspaces), import the preload modules once,
then serve one client over a unix stream socket. Messages are length-prefixed JSON; file
descriptors travel as ``SCM_RIGHTS``. With ``--zygote`` the script instead imports the preload
modules and forks servers on request, so servers of different clients share those pages.

Calls: the server keeps a few spares pre-forked. A spare is a supervisor, which has entered
fresh user, pid, mount, network, ipc and uts namespaces, and its child, the program, pid 1 of
the new pid namespace, waiting for code. The server hands each spare's request socket and
result pipe to the client, which sends the code and two output pipes straight to the program
and reads the supervisor's report: the server is not on a run's path. The program binds its
episode's workspace, hides the others, sets rlimits, drops every capability and runs the code;
the supervisor enforces the deadline (killing the program kills its pid namespace) and reports.
Where namespaces are not available the same steps run without them: rlimits, a separate uid
when the server is root, and a child-subreaper supervisor that kills whatever the call left.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import errno
import fcntl
import json
import os
import re
import resource
import secrets
import selectors
import signal
import socket
import stat
import struct
import sys
import threading
import time
import traceback
from collections import deque

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 256 << 20
WORKSPACE_NAME = re.compile(r"^[0-9a-f]{32}$")
SANDBOX_UID = 1000
HOST_NOBODY = 65534

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
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}

_libc = ctypes.CDLL(None, use_errno=True)


# --------------------------------------------------------------------------- wire format


def send_message(sock: socket.socket, message: dict, fds: list[int] | tuple[int, ...] = ()) -> None:
    """Send one length-prefixed JSON message, with file descriptors attached to its first byte."""
    body = json.dumps(message, separators=(",", ":")).encode()
    data = struct.pack("!I", len(body)) + body
    if fds:
        sent = socket.send_fds(sock, [data], list(fds))
        data = data[sent:]
    if data:
        sock.sendall(data)


class MessageReader:
    """Reassembles messages from a stream socket, queueing the file descriptors that arrive."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.fds: list[int] = []

    def feed(self) -> bool:
        """Read what is available; return False at end of stream."""
        data, fds, _flags, _addr = socket.recv_fds(self.sock, 1 << 20, 16)
        self.fds.extend(fds)
        if not data:
            return False
        self.buffer += data
        return True

    def messages(self):
        """Yield every complete message buffered so far."""
        while len(self.buffer) >= 4:
            (size,) = struct.unpack("!I", self.buffer[:4])
            if size > MAX_MESSAGE_BYTES:
                raise ValueError(f"message of {size} bytes exceeds the limit")
            if len(self.buffer) < 4 + size:
                return
            body = bytes(self.buffer[4 : 4 + size])
            del self.buffer[: 4 + size]
            yield json.loads(body)

    def next_message(self):
        """Read until one whole message is buffered and return it; None at end of stream."""
        while True:
            message = next(self.messages(), None)
            if message is not None:
                return message
            if not self.feed():
                return None

    def take_fds(self, count: int) -> list[int]:
        """Remove and return the next ``count`` received descriptors."""
        taken, self.fds = self.fds[:count], self.fds[count:]
        return taken


# --------------------------------------------------------------------------- system calls


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    """Move the calling process into new namespaces (``unshare(2)``)."""
    _check(_libc.unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    """Call ``mount(2)``."""
    _check(
        _libc.mount(
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
    _check(
        _libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), 0), "prctl"
    )


def drop_capabilities() -> None:
    """Clear the bounding, ambient, permitted, effective and inheritable capability sets."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0:
            break
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    number = SYS_CAPSET.get(os.uname().machine)
    if number is not None:
        _check(_libc.syscall(number, header, data), "capset")


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


# --------------------------------------------------------------------------- isolation


class Isolation:
    """Builds the server's private root and each call's namespaces."""

    def __init__(self, workspaces: str, mode: str) -> None:
        self.workspaces = workspaces
        self.mode = "rlimits"
        self.reason = ""
        # uid (inside the server's user namespace, or on the host without one) that calls run as.
        self.call_uid: int | None = None
        self.host_root = os.geteuid() == 0
        if mode == "none":
            self.reason = "isolation disabled by configuration"
        else:
            try:
                # Try everything in a throw-away child first: a failure half-way through would
                # leave this process in a root it cannot use.
                self._in_child(
                    lambda: (self._enter_server_namespace(), self._probe_call_namespace())
                )
                self._enter_server_namespace()
                self.mode = "namespaces"
            except OSError as exc:
                self.reason = f"namespaces unavailable ({exc}); using rlimits only"
                if mode == "namespaces":
                    raise
        if self.mode == "namespaces":
            self.workspace_root = "/ws"
            self.call_uid = SANDBOX_UID if self.host_root else 0
        else:
            self.workspace_root = workspaces
            self.call_uid = HOST_NOBODY if self.host_root else None

    # -- server start-up

    def _enter_server_namespace(self) -> None:
        uid, gid = os.geteuid(), os.getegid()
        if self.host_root:
            # Only a process outside the new namespace may map a second uid (nobody) into it,
            # so a helper writes the maps; calls then run as nobody, never as host root.
            ready_r, ready_w = os.pipe()
            helper = os.fork()
            if helper == 0:
                try:
                    os.close(ready_w)
                    os.read(ready_r, 1)
                    parent = str(os.getppid())
                    maps = f"0 0 1\n{SANDBOX_UID} {HOST_NOBODY} 1\n"
                    write_id_maps(parent, maps, maps, deny_setgroups=False)
                    os._exit(0)
                except BaseException:
                    os._exit(1)
            os.close(ready_r)
            try:
                unshare(CLONE_NEWUSER | CLONE_NEWNS)
            finally:
                os.write(ready_w, b"x")
                os.close(ready_w)
                _, status = os.waitpid(helper, 0)
            if status != 0:
                raise OSError(errno.EPERM, "could not write the server's uid map")
        else:
            unshare(CLONE_NEWUSER | CLONE_NEWNS)
            write_id_maps("self", f"0 {uid} 1\n", f"0 {gid} 1\n", deny_setgroups=True)
        self._build_root()

    def _build_root(self) -> None:
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        new_root = os.path.join(os.path.dirname(self.workspaces), "root")
        os.makedirs(new_root, exist_ok=True)
        mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        bound: list[str] = []
        for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            src = "/" + top
            if os.path.islink(src):
                os.symlink(os.readlink(src), new_root + src)
            elif os.path.isdir(src):
                self._bind(src, new_root, bound)
        extra = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)]
        own_dir = os.path.dirname(os.path.abspath(__file__))
        for entry in extra + sys.path:
            if entry and os.path.isabs(entry) and os.path.exists(entry) and entry != own_dir:
                self._bind(os.path.realpath(entry), new_root, bound)
        for path in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"):
            if os.path.exists(path):
                self._bind(path, new_root, bound)
        etc = new_root + "/etc"
        os.makedirs(etc, exist_ok=True)
        with open(etc + "/passwd", "w") as fh:
            fh.write(f"sandbox:x:{SANDBOX_UID}:{SANDBOX_UID}::/workspace:/bin/sh\n")
        with open(etc + "/group", "w") as fh:
            fh.write(f"sandbox:x:{SANDBOX_UID}:\n")
        with open(etc + "/hosts", "w") as fh:
            fh.write("127.0.0.1 localhost\n")
        os.makedirs(new_root + "/dev", exist_ok=True)
        for dev in ("null", "zero", "full", "random", "urandom"):
            self._bind("/dev/" + dev, new_root, bound, read_only=False)
        for name in ("workspace", "tmp", "ws", "proc"):
            os.makedirs(new_root + "/" + name, exist_ok=True)
        # A fresh proc may only be mounted where a complete one is already visible; this copy is
        # covered by each call's own /proc before any untrusted code runs.
        mount("/proc", new_root + "/proc", None, MS_BIND | MS_REC)
        mount(self.workspaces, new_root + "/ws", None, MS_BIND)
        # Workspaces mounted later must reach the spares' (already copied) mount namespaces.
        mount(None, new_root + "/ws", None, MS_SHARED)
        mount(None, new_root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "")
        os.chdir(new_root)
        pivot = SYS_PIVOT_ROOT.get(os.uname().machine)
        if pivot is None:
            raise OSError(errno.ENOSYS, "pivot_root number unknown for this machine")
        _check(_libc.syscall(pivot, b".", b"."), "pivot_root")
        _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
        os.chdir("/")

    @staticmethod
    def _bind(src: str, new_root: str, bound: list[str], read_only: bool = True) -> None:
        if any(src == b or src.startswith(b.rstrip("/") + "/") for b in bound):
            return
        target = new_root + src
        if os.path.isdir(src):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.exists(target):
                open(target, "w").close()
        mount(src, target, None, MS_BIND | MS_REC)
        if read_only:
            # A remount inside a user namespace must keep the flags it cannot clear.
            mount(
                None,
                target,
                None,
                MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | _kept_flags(target),
            )
        bound.append(src)

    def _probe_call_namespace(self) -> None:
        self._in_child(self.enter_call_namespace)

    @staticmethod
    def _in_child(fn) -> None:
        """Run ``fn`` in a forked child; raise OSError with the child's error if it fails."""
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(err_r)
                fn()
                os._exit(0)
            except BaseException as exc:  # noqa: BLE001 - sent to the parent
                os.write(err_w, str(exc).encode(errors="replace")[:4000])
                os._exit(1)
        os.close(err_w)
        with os.fdopen(err_r, "rb") as fh:
            message = fh.read().decode(errors="replace")
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise OSError(errno.EPERM, message or f"probe exited with status {status}")

    # -- per call (runs in the supervisor, a fresh fork of the server)

    def enter_call_namespace(self) -> None:
        """Give this process fresh user, pid, mount, network, ipc and uts namespaces."""
        if self.host_root:
            os.setgroups([])
            os.setresgid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
            os.setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
            # Changing uid clears "dumpable", which would leave /proc/self/uid_map unwritable.
            prctl(PR_SET_DUMPABLE, 1)
        outer_uid, outer_gid = os.geteuid(), os.getegid()
        unshare(
            CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
        )
        write_id_maps(
            "self",
            f"{SANDBOX_UID} {outer_uid} 1\n",
            f"{SANDBOX_UID} {outer_gid} 1\n",
            deny_setgroups=True,
        )
        # Slave: new workspaces still propagate in from the server; nothing propagates out.
        mount(None, "/", None, MS_REC | MS_SLAVE)


# --------------------------------------------------------------------------- memory cgroups

# Room above the call's own budget for what a fork of the warm interpreter charges anyway
# (copied pages, page tables, kernel memory).
CGROUP_SLACK_BYTES = 64 << 20


class MemoryCgroups:
    """A memory cgroup for the pool, holding one cgroup per call (v1 or v2).

    ``RLIMIT_AS`` counts only mapped memory: a call could fill memfds, shared memory or its
    tmpfs workspace past its budget. In a cgroup of its own every page it holds counts. The
    pool's cgroup is made under the server's own and kept as a directory descriptor, opened
    before the server pivots to a root without ``/sys``; each supervisor makes its call's
    cgroup there, joins it (so does the program it forks) and sets the limit once the
    request says how much.
    """

    def __init__(self, parent_fd: int, name: str, fd: int, version: int) -> None:
        self.parent_fd = parent_fd
        self.name = name
        self.fd = fd
        self.version = version

    @classmethod
    def create(cls) -> tuple[MemoryCgroups | None, str]:
        """The pool's cgroup under ours, or None and the reason there is none."""
        try:
            version, own = _own_memory_cgroup()
        except (OSError, ValueError) as exc:
            return None, f"no memory cgroup ({exc})"
        name = f"agentgym-{os.getpid()}-{secrets.token_hex(4)}"
        parent_fd = fd = -1
        try:
            parent_fd = os.open(own, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            if version == 2:
                _write_at(parent_fd, "cgroup.subtree_control", "+memory", missing_ok=True)
            os.mkdir(name, 0o755, dir_fd=parent_fd)
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=parent_fd)
            if version == 2:
                _write_at(fd, "cgroup.subtree_control", "+memory")
            made = cls(parent_fd, name, fd, version)
            made.probe()
            return made, ""
        except OSError as exc:
            if fd >= 0:
                os.close(fd)
            if parent_fd >= 0:
                try:
                    os.rmdir(name, dir_fd=parent_fd)
                except OSError:
                    pass
                os.close(parent_fd)
            return None, f"cannot make a memory cgroup under {own} ({exc.strerror or exc})"

    def probe(self) -> None:
        """Make, limit and remove a call cgroup once, so a failure shows at start-up."""
        call = CallCgroup.make(self, f"probe-{os.getpid()}", join=False)
        call.set_limit(64 << 20)
        call.close()
        os.rmdir(f"probe-{os.getpid()}", dir_fd=self.fd)

    def join_call(self) -> CallCgroup | None:
        """Make this process's call cgroup and move into it (None if that fails)."""
        try:
            return CallCgroup.make(self, f"c{os.getpid()}", join=True)
        except OSError:
            return None

    def remove_call(self, pid: int) -> None:
        """Remove the cgroup of the call whose supervisor was ``pid`` (once it is empty)."""
        try:
            os.rmdir(f"c{pid}", dir_fd=self.fd)
        except OSError:
            pass

    def remove(self) -> None:
        """Remove every call cgroup left and the pool's own (at shutdown)."""
        for name in _names(self.fd):
            if name.startswith("c") and name[1:].isdigit():
                try:
                    os.rmdir(name, dir_fd=self.fd)
                except OSError:
                    pass
        os.close(self.fd)
        try:
            os.rmdir(self.name, dir_fd=self.parent_fd)
        except OSError:
            pass
        os.close(self.parent_fd)


class CallCgroup:
    """One call's memory cgroup: descriptors opened while the supervisor may still write them."""

    def __init__(self, files: dict[str, int], version: int) -> None:
        self.files = files
        self.version = version

    @classmethod
    def make(cls, pool: MemoryCgroups, name: str, join: bool) -> CallCgroup:
        """Make cgroup ``name`` in the pool's, open its files, and join it if ``join``."""
        os.mkdir(name, 0o755, dir_fd=pool.fd)
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=pool.fd)
        files: dict[str, int] = {}
        try:
            names = (
                ("limit", "memory.limit_in_bytes", os.O_WRONLY),
                ("swap", "memory.memsw.limit_in_bytes", os.O_WRONLY),
                ("usage", "memory.usage_in_bytes", os.O_RDONLY),
                ("events", "memory.oom_control", os.O_RDONLY),
            )
            if pool.version == 2:
                names = (
                    ("limit", "memory.max", os.O_WRONLY),
                    ("swap", "memory.swap.max", os.O_WRONLY),
                    ("usage", "memory.current", os.O_RDONLY),
                    ("events", "memory.events", os.O_RDONLY),
                )
            for key, file, mode in names:
                try:
                    files[key] = os.open(file, mode | os.O_CLOEXEC, dir_fd=fd)
                except FileNotFoundError:
                    if key in ("limit", "usage"):
                        raise
            if join:
                _write_at(fd, "cgroup.procs", str(os.getpid()))
        except OSError:
            for opened in files.values():
                os.close(opened)
            raise
        finally:
            os.close(fd)
        return cls(files, pool.version)

    def set_limit(self, budget: int) -> None:
        """Limit the cgroup to what it holds now plus ``budget`` bytes, swap included."""
        try:
            used = int(os.pread(self.files["usage"], 64, 0) or b"0")
        except (OSError, ValueError):
            used = 0
        limit = used + budget + CGROUP_SLACK_BYTES
        os.write(self.files["limit"], str(limit).encode())
        if "swap" in self.files:
            # v1 counts memory+swap in one limit; v2 limits swap apart: none at all.
            os.write(self.files["swap"], (str(limit) if self.version == 1 else "0").encode())

    def oom_kills(self) -> int:
        """How many processes the kernel killed in this cgroup for lack of memory."""
        return oom_kills(self.files.get("events", -1))

    def close(self) -> None:
        """Close the descriptors (the program must not inherit write access to its limit)."""
        for fd in self.files.values():
            try:
                os.close(fd)
            except OSError:
                pass
        self.files = {}


def oom_kills(events_fd: int) -> int:
    """The ``oom_kill`` count of a cgroup's ``memory.oom_control`` (v1) or ``memory.events``."""
    try:
        text = os.pread(events_fd, 4096, 0).decode()
    except OSError:
        return 0
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill" and value.strip().isdigit():
            return int(value)
    return 0


def open_oom_events() -> int:
    """A descriptor on our own memory cgroup's OOM counter (a container's), or -1."""
    try:
        version, own = _own_memory_cgroup()
        name = "memory.oom_control" if version == 1 else "memory.events"
        return os.open(os.path.join(own, name), os.O_RDONLY | os.O_CLOEXEC)
    except (OSError, ValueError):
        return -1


def _write_at(dir_fd: int, name: str, text: str, missing_ok: bool = False) -> None:
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    try:
        os.write(fd, text.encode())
    except OSError:
        if not missing_ok:
            raise
    finally:
        os.close(fd)


def _own_memory_cgroup() -> tuple[int, str]:
    """(version, path) of the cgroup holding this process's memory controller."""
    with open("/proc/self/cgroup") as fh:
        lines = [ln.rstrip("\n").split(":", 2) for ln in fh if ln.count(":") >= 2]
    v1 = [path for _, controllers, path in lines if "memory" in controllers.split(",")]
    v2 = [path for hid, controllers, path in lines if hid == "0" and controllers == ""]
    mounts = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            left, _, right = line.partition(" - ")
            fields, tail = left.split(), right.split()
            if len(fields) >= 5 and len(tail) >= 3:
                mounts.append((tail[0], fields[3], fields[4], tail[2].split(",")))
    for fstype, root, point, options in mounts:
        if v1 and fstype == "cgroup" and "memory" in options:
            return 1, _inside(point, root, v1[0])
    for fstype, root, point, _ in mounts:
        if v2 and fstype == "cgroup2":
            path = _inside(point, root, v2[0])
            with open(os.path.join(path, "cgroup.controllers")) as fh:
                if "memory" not in fh.read().split():
                    raise ValueError("the memory controller is not enabled for our cgroup")
            return 2, path
    raise ValueError("no memory controller is mounted")


def _inside(point: str, root: str, path: str) -> str:
    """The file-system path of cgroup ``path`` on a mount at ``point`` of cgroup ``root``."""
    root = root.rstrip("/")
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :]
    elif root:
        raise ValueError(f"our cgroup {path} is outside the mounted hierarchy {root}")
    return point.rstrip("/") + "/" + path.lstrip("/")


# --------------------------------------------------------------------------- seccomp

SECCOMP_SET_MODE_FILTER = 1
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
# Audit architecture and the numbers of memfd_create and shmget, per machine.
_SECCOMP_ARCH = {"x86_64": (0xC000003E, 319, 29), "aarch64": (0xC00000B7, 279, 194)}


def refuse_unlimited_memory(memfd: bool = True, shmget: bool = True) -> bool:
    """Refuse ``memfd_create`` and/or ``shmget``; return whether the filter took.

    ``memfd_create`` is refused where no memory cgroup counts its pages (no rlimit does);
    ``shmget`` where calls share an IPC namespace, in which a segment outlives its call.
    Needs ``no_new_privs``.
    """
    arch = _SECCOMP_ARCH.get(os.uname().machine)
    if arch is None:
        return False
    audit, memfd_nr, shmget_nr = arch
    # An impossible number stands in for a call that stays allowed.
    memfd_nr = memfd_nr if memfd else 0xFFFFFFFF
    shmget_nr = shmget_nr if shmget else 0xFFFFFFFF
    ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06

    class Filter(ctypes.Structure):
        _fields_ = [
            ("code", ctypes.c_ushort),
            ("jt", ctypes.c_ubyte),
            ("jf", ctypes.c_ubyte),
            ("k", ctypes.c_uint),
        ]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    errno_eperm = SECCOMP_RET_ERRNO | errno.EPERM
    rules = [
        (ld_w_abs, 0, 0, 4),  # the architecture
        (jeq_k, 1, 0, audit),
        (ret_k, 0, 0, SECCOMP_RET_ALLOW),  # another ABI: not ours to judge
        (ld_w_abs, 0, 0, 0),  # the system call number
        (0x45, 0, 1, 0x40000000),  # the x32 numbering of the same calls: refused
        (ret_k, 0, 0, errno_eperm),
        (jeq_k, 0, 1, memfd_nr),
        (ret_k, 0, 0, errno_eperm),
        (jeq_k, 0, 1, shmget_nr),
        (ret_k, 0, 0, errno_eperm),
        (ret_k, 0, 0, SECCOMP_RET_ALLOW),
    ]
    table = (Filter * len(rules))(*[Filter(*r) for r in rules])
    program = Program(len(rules), table)
    result = _libc.prctl(
        PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(program), 0, 0
    )
    return result == 0


# --------------------------------------------------------------------------- the program


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


# --------------------------------------------------------------------------- the server


# How the stderr of a call that could not be set up begins (the client retries such calls).
SETUP_FAILED = "sandbox set-up failed:"


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


class PerKeyQueue:
    """Runs jobs in threads: one at a time for each key, in order; any number across keys."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[str, deque] = {}

    def submit(self, key: str, job) -> None:
        """Run ``job()`` after the jobs already queued for ``key``."""
        with self.lock:
            queue = self.pending.get(key)
            if queue is not None:
                queue.append(job)
                return
            self.pending[key] = deque()
        threading.Thread(target=self._drain, args=(key, job), daemon=True).start()

    def _drain(self, key: str, job) -> None:
        while True:
            try:
                job()
            except BaseException:  # noqa: BLE001 - a job reports its own errors
                traceback.print_exc()
            with self.lock:
                queue = self.pending[key]
                if not queue:
                    del self.pending[key]
                    return
                job = queue.popleft()


class Server:
    """Serves one client: workspaces, and a supply of pre-forked calls handed to it.

    Each spare is a supervisor (which enforces the call's deadline and reports its result)
    and its program, with namespaces built, waiting for code. The spare's request socket and
    result pipe are passed to the client, which then talks to the call directly: the server
    is not on the path of a run at all.
    """

    def __init__(
        self,
        sock: socket.socket,
        isolation: Isolation,
        spares: int = 2,
        workspace_mb: int = 0,
        janitor_pid: int = 0,
        memory: MemoryCgroups | None = None,
        memory_note: str = "",
    ) -> None:
        self.sock = sock
        self.memory = memory
        # Whether a cgroup counts every page a call holds (its own, or the container's).
        self.counted = memory is not None or memory_note == "container"
        self.memory_note = memory_note
        self.container_events = open_oom_events() if memory_note == "container" else -1
        self.janitor_pid = janitor_pid
        self.workspace_mb = workspace_mb
        self.isolation = isolation
        self.reader = MessageReader(sock)
        self.selector = selectors.DefaultSelector()
        self.supervisors: set[int] = set()
        self.outstanding = 0
        self.spare_target = spares
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.send_lock = threading.Lock()
        self.workspaces = PerKeyQueue()

    def serve(self) -> None:
        """Handle requests until the client disconnects, then kill every call and return."""
        self.selector.register(self.sock, selectors.EVENT_READ, "client")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "child")
        # Exited supervisors wake the loop so they are reaped at once.
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.send(
            {
                "op": "hello",
                "version": PROTOCOL_VERSION,
                "pid": os.getpid(),
                "isolation": self.isolation.mode,
                "reason": self.isolation.reason,
                "python": sys.version.split()[0],
                "preloaded": sorted(m for m in ("numpy", "sympy") if m in sys.modules),
                "janitor_pid": self.janitor_pid,
                "memory": self.memory_note,
            },
        )
        self.refill()
        try:
            while True:
                for key, _ in self.selector.select():
                    if key.data == "client":
                        if not self.reader.feed():
                            return
                        for message in self.reader.messages():
                            self.handle(message)
                    else:
                        try:
                            while os.read(self.wake_r, 4096):
                                pass
                        except BlockingIOError:
                            pass
                self.reap()
        finally:
            self.shutdown()

    def handle(self, message: dict) -> None:
        """Dispatch one request; errors become error replies, never a crash.

        Workspace operations run in a worker thread, one at a time per workspace, so that no
        episode's files (however many, or however strange) delay another episode's request.
        """
        op = message.get("op")
        request_id = message.get("id", 0)
        try:
            nfds = message.get("nfds", 0)
            for fd in self.reader.take_fds(nfds if isinstance(nfds, int) else 0):
                os.close(fd)  # no request carries descriptors to the server
            if op == "used":
                # A spare was consumed: replace it now that its call is over.
                self.outstanding -= 1
                self.refill()
            elif op == "need":
                self.give_spare()
            elif op == "kill":
                pid = message.get("pid")
                if isinstance(pid, int) and pid in self.supervisors:
                    _kill(pid)
            elif op in ("mkws", "write", "drop"):
                key = message.get("ws") if isinstance(message.get("ws"), str) else ""
                self.workspaces.submit(key, lambda: self.workspace_op(op, message))
            elif op == "ping":
                self.reply(request_id, {"ok": True})
            else:
                raise ValueError(f"unknown operation {op!r}")
        except Exception as exc:  # noqa: BLE001 - reported to the client
            self.reply(request_id, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})

    def send(self, message: dict, fds: list[int] | tuple[int, ...] = ()) -> None:
        """Send one message to the client (from any thread)."""
        with self.send_lock:
            send_message(self.sock, message, fds)

    def reply(self, request_id: object, body: dict) -> None:
        """Send the reply to request ``request_id``."""
        self.send({"id": request_id, **body})

    def workspace_op(self, op: str, message: dict) -> None:
        """Carry out one workspace request (in a worker thread) and reply."""
        request_id = message.get("id", 0)
        try:
            notices: list[str] = []
            if op == "mkws":
                self.workspace_path(message["ws"])
            elif op == "write":
                notices = self.write_files(message["ws"], message["files"])
            else:
                self.drop_workspace(message["ws"])
            body = {"ok": True, "notices": notices}
        except Exception as exc:  # noqa: BLE001 - reported to the client
            body = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        try:
            self.reply(request_id, body)
        except OSError:
            pass  # the client is gone; the main loop sees it

    def workspace_path(self, name: str, create: bool = True) -> str:
        """The server-side path of workspace ``name``."""
        if not isinstance(name, str) or not WORKSPACE_NAME.match(name):
            raise ValueError("bad workspace name")
        path = os.path.join(self.isolation.workspace_root, name)
        if create and not os.path.isdir(path):
            os.mkdir(path, 0o700)
            if self.isolation.mode == "namespaces" and self.workspace_mb:
                # Its own size-limited tmpfs: a disk-filling call hits ENOSPC, not the host's disk.
                uid = self.isolation.call_uid or 0
                mount(
                    "tmpfs",
                    path,
                    "tmpfs",
                    MS_NOSUID | MS_NODEV,
                    f"size={self.workspace_mb}m,nr_inodes=65536,mode=0700,uid={uid},gid={uid}",
                )
            elif self.isolation.call_uid is not None:
                os.chown(path, self.isolation.call_uid, self.isolation.call_uid)
        return path

    def write_files(self, name: str, files: dict) -> list[str]:
        """Write base64 file contents into a workspace; return notices for the agent.

        Every step goes through directory descriptors opened with ``O_NOFOLLOW |
        O_NONBLOCK``: a link is replaced, never written through, and a FIFO, socket or
        directory where a file (or a directory) must go is removed and replaced, with a notice
        saying so, instead of blocking the server or failing the write.
        """
        if not isinstance(files, dict):
            raise ValueError("files must be an object")
        root = self.workspace_path(name)
        notices: list[str] = []
        for rel, encoded in files.items():
            parts = [p for p in rel.split("/") if p not in ("", ".")]
            if not parts or ".." in parts or rel.startswith("/") or "\0" in rel:
                raise ValueError(f"bad file name {rel!r}")
            data = base64.b64decode(encoded) if encoded else b""
            dir_fd = os.open(root, _DIR_FLAGS)
            try:
                for i, part in enumerate(parts[:-1]):
                    next_fd = self._enter_dir(dir_fd, part, "/".join(parts[: i + 1]), notices)
                    os.close(dir_fd)
                    dir_fd = next_fd
                self._write_file(dir_fd, parts[-1], rel, data, notices)
            finally:
                os.close(dir_fd)
        return notices

    def _enter_dir(self, dir_fd: int, part: str, shown: str, notices: list[str]) -> int:
        """Open (making it if need be) the directory ``part``; replace anything else there."""
        for _ in range(3):
            try:
                return os.open(part, _DIR_FLAGS, dir_fd=dir_fd)
            except FileNotFoundError:
                pass
            except OSError as exc:
                if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                    raise
                kind = _kind(dir_fd, part)
                _unlink(dir_fd, part)
                notices.append(f"{shown} was {kind}, not a folder; it was replaced")
            try:
                os.mkdir(part, 0o755, dir_fd=dir_fd)
                self._own(part, dir_fd)
            except FileExistsError:
                pass
        raise OSError(errno.EAGAIN, f"{shown} kept changing while it was written")

    def _write_file(
        self, dir_fd: int, leaf: str, shown: str, data: bytes, notices: list[str]
    ) -> None:
        """Write ``data`` to the regular file ``leaf``, replacing whatever else is there."""
        flags = os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        for _ in range(3):
            try:
                info = os.stat(leaf, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                info = None
            if info is not None and not stat.S_ISREG(info.st_mode):
                kind = _kind(dir_fd, leaf)
                if stat.S_ISDIR(info.st_mode):
                    _remove_entry(dir_fd, leaf)
                else:
                    _unlink(dir_fd, leaf)
                notices.append(f"{shown} was {kind}; it was replaced")
                info = None
            elif info is not None and info.st_nlink > 1:
                # A hard link: writing would change the other name's file too.
                _unlink(dir_fd, leaf)
                info = None
            try:
                fd = os.open(leaf, flags | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=dir_fd)
            except FileExistsError:
                if info is None:
                    continue  # something appeared meanwhile: look again
                try:
                    fd = os.open(leaf, flags | os.O_TRUNC, dir_fd=dir_fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR, errno.ENOENT):
                        continue  # swapped meanwhile: look again
                    raise
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    continue
                os.set_blocking(fd, True)
                _write_all(fd, data)
                if self.isolation.call_uid is not None:
                    os.fchown(fd, self.isolation.call_uid, self.isolation.call_uid)
                return
            finally:
                os.close(fd)
        raise OSError(errno.EAGAIN, f"{shown} kept changing while it was written")

    def _own(self, name: str, dir_fd: int) -> None:
        if self.isolation.call_uid is not None:
            os.chown(
                name,
                self.isolation.call_uid,
                self.isolation.call_uid,
                dir_fd=dir_fd,
                follow_symlinks=False,
            )

    def drop_workspace(self, name: str) -> None:
        """Delete a workspace, whatever its program left in it or did to its permissions."""
        path = self.workspace_path(name, create=False)
        if not os.path.lexists(path):
            return
        if os.path.ismount(path):
            _check(_libc.umount2(path.encode(), MNT_DETACH), "umount workspace")
            os.rmdir(path)
            return
        remove_tree(path)

    def refill(self) -> None:
        """Hand the client spares until it holds ``spare_target`` of them."""
        while self.outstanding < self.spare_target:
            self.give_spare()

    def give_spare(self) -> None:
        """Fork a spare and pass its request socket and result pipe to the client."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        result_r, result_w = os.pipe()

        def supervisor() -> int:
            os.close(result_r)
            ours.close()
            self.selector.close()
            self.sock.close()
            os.close(self.wake_r)
            os.close(self.wake_w)
            return supervise(
                self.isolation,
                theirs,
                result_w,
                self.devnull,
                self.memory,
                self.counted,
                self.container_events,
            )

        pid = fork_child(supervisor)
        theirs.close()
        os.close(result_w)
        self.supervisors.add(pid)
        self.outstanding += 1
        try:
            self.send({"op": "spare", "pid": pid}, [ours.fileno(), result_r])
        finally:
            ours.close()
            os.close(result_r)

    def reap(self) -> None:
        """Collect exited supervisors and kill orphans that calls left behind."""
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            self.supervisors.discard(pid)
            if self.memory is not None:
                self.memory.remove_call(pid)
        for pid in children_of(os.getpid()):
            if pid not in self.supervisors:
                # An orphan reparented to us (the child subreaper): a call's leftover.
                _kill(pid)

    def shutdown(self) -> None:
        """Kill every supervisor and leftover, and reap them all."""
        for pid in self.supervisors:
            _kill(pid)
        for _ in range(1000):
            for pid in children_of(os.getpid()):
                _kill(pid)
            try:
                os.wait4(-1, 0)
            except ChildProcessError:
                break
        if self.memory is not None:
            self.memory.remove()


def _kept_flags(path: str) -> int:
    """Mount flags of ``path`` that a remount must repeat (statvfs bits -> mount bits)."""
    flag = os.statvfs(path).f_flag
    kept = flag & (MS_NODEV | MS_NOEXEC)
    for st_bit, ms_bit in ((1024, 1024), (2048, 2048), (4096, 1 << 21)):
        if flag & st_bit:
            kept |= ms_bit
    return kept


def _kind(dir_fd: int, name: str) -> str:
    """What ``name`` is, for a notice (``"a FIFO"``, ``"a folder"``, ...)."""
    try:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except OSError:
        return "missing"
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISREG, "a file"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _kill(pid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class _Deadline(Exception):
    """Raised in a supervisor when the server signals that the call's time is up."""


def _on_deadline(_signum: int, _frame: object) -> None:
    raise _Deadline


def kill_tree(program_pid: int) -> None:
    """Kill every process descended from us (the subreaper), however it tried to escape."""
    for _ in range(10_000):
        try:
            # One signal reaches the whole process group at once, outrunning a fork bomb.
            os.killpg(program_pid, signal.SIGKILL)
        except OSError:
            pass
        found = descendants_of(os.getpid())
        for pid in found:
            _kill(pid)
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            if not found:
                return
        if not found:
            return
        time.sleep(0.001)


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
        return program(isolation, requests, alive_r, started_w, devnull, counted)

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
        # The program sends its limits when its request arrives (EOF: it died first).
        limits = os.read(started_r, 64).split()
        if limits:
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
        _kill(pid)
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
) -> int:
    """The call's own process: finish the sandbox once the request arrives, then run it.

    ``counted`` says whether a memory cgroup (the call's, or the container's) counts every
    page the call holds; without one, memory no rlimit counts (memfds, SysV shared memory) is
    refused.
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # The supervisor may have died before the death signal was armed.
    if os.read(alive_r, 1) == b"":
        return 70
    namespaces = isolation.mode == "namespaces"
    if namespaces:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _libc.sethostname(b"sandbox", 7)
    # Everything that does not depend on the request is done while waiting for it.
    # A session of its own: kill(0, ...) must not reach the spares in the server's group.
    os.setsid()
    _first_to_die()
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    # Without an IPC namespace of its own (rlimits mode, a container) a SysV segment would
    # outlive the call, holding memory no later call's limit frees.
    if not (counted and namespaces) and not refuse_unlimited_memory(not counted, not namespaces):
        raise OSError(errno.EPERM, "could not refuse memfd_create or shmget")
    base_as = _address_space()
    top_fd = _max_fd()
    reader = MessageReader(requests)
    request = reader.next_message()
    if request is None:
        return 0  # the client is gone: this spare is no longer needed
    budget = int(request["limits"]["memory_bytes"])
    os.write(started_w, f"{float(request['timeout'])!r} {budget}".encode())
    os.close(started_w)
    # Our supervisor has set the memory limit of our cgroup once it answers.
    if os.read(alive_r, 1) != b"g":
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
    workspace = os.path.join(isolation.workspace_root, name)
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
    drop_capabilities()
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


def _max_fd() -> int:
    try:
        return max(int(fd) for fd in os.listdir("/proc/self/fd")) + 1
    except (OSError, ValueError):
        return 1024


def preload(modules: list[str]) -> None:
    """Import the given modules once so every forked call starts with them loaded."""
    # Thread pools started by numerical libraries do not survive fork; keep them single-threaded.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    for name in modules:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a missing optional module is simply not preloaded
            pass
    if "numpy" in sys.modules:
        # The first seeding initialises numpy's random state lazily; do it once here.
        try:
            sys.modules["numpy"].random.seed(0)
        except Exception:  # noqa: BLE001
            pass
    import gc

    # Objects that exist now are never collected in the children, so the collector does not
    # write to (and copy) every page the server shares with them.
    gc.collect()
    gc.freeze()


def start_janitor(path: str) -> int:
    """Leave behind a process that deletes ``path`` once this server has exited; return its pid.

    The client normally deletes the pool's directory itself, but a client that dies without
    running its exit handlers (``os._exit`` in a worker process, SIGKILL) cannot. The janitor is
    double-forked before the server enters its namespaces, so it stays on the host's view of
    the file system and is nobody's child to kill; it waits for the end of a pipe that only the
    server holds.
    """
    alive_r, alive_w = os.pipe()
    pid_r, pid_w = os.pipe()
    first = os.fork()
    if first == 0:
        try:
            os.close(pid_r)
            janitor = os.fork()
            if janitor != 0:
                os.write(pid_w, str(janitor).encode())
                os._exit(0)
            os.setsid()
            os.close(alive_w)
            # Hold nothing of the server's: above all not the client's socket.
            os.closerange(3, alive_r)
            os.closerange(alive_r + 1, _max_fd())
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            while os.read(alive_r, 4096):
                pass
            for _ in range(50):
                remove_tree(path)
                if not os.path.lexists(path):
                    break
                time.sleep(0.1)
        finally:
            os._exit(0)
    os.close(alive_r)
    os.close(pid_w)
    os.waitpid(first, 0)
    with os.fdopen(pid_r, "rb") as fh:
        janitor = int(fh.read() or 0)
    # alive_w stays open until this server (and its supervisors) have exited; calls close it.
    return janitor


# Shared system folders are never removed or re-permissioned, whatever path we are handed.
SHARED_DIRS = frozenset({"/", "/tmp", "/var/tmp", "/dev/shm"})
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_O_PATH = getattr(os, "O_PATH", 0o10000000)


def remove_tree(path: str, shared: frozenset[str] = SHARED_DIRS) -> None:
    """Delete ``path`` recursively, restoring owner permissions where code removed them.

    Works on directory descriptors only (``openat``/``unlinkat``, never a path that is looked
    up again): every directory is opened with ``O_NOFOLLOW`` and re-permissioned through that
    descriptor, so a tree that code changes during the removal (a directory swapped for a
    symbolic link) can make it delete or chmod nothing outside ``path``. Other file systems
    mounted inside are not entered. A missing path, and any of the ``shared`` folders, are
    left alone. The host's ``agentgym.sandboxes.fs.remove_tree`` is this, with the host's temp
    folder added to ``shared`` and a refusal that raises.
    """
    root = os.path.abspath(path)
    if root in shared or root == "/":
        return
    parent, name = os.path.split(root)
    try:
        # A path descriptor: the parent may be searchable but not listable (Docker's /ws).
        parent_fd = os.open(parent, _O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        _remove_entry(parent_fd, name)
    finally:
        os.close(parent_fd)


def _remove_entry(parent_fd: int, name: str) -> None:
    """Remove ``name`` in ``parent_fd`` and everything below it, iteratively (no recursion)."""
    try:
        device = os.stat(name, dir_fd=parent_fd, follow_symlinks=False).st_dev
    except OSError:
        return
    # Each frame: (the directory's fd, its parent's fd, its name, names still to visit).
    stack: list[tuple[int, int, str, list[str]]] = []
    current = _open_owned_dir(parent_fd, name)
    if current is None:
        _unlink(parent_fd, name)
        return
    stack.append((current, parent_fd, name, _names(current)))
    while stack:
        fd, up_fd, own_name, pending = stack[-1]
        if pending:
            child = pending.pop()
            try:
                info = os.stat(child, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISDIR(info.st_mode):
                _unlink(fd, child)
                continue
            if info.st_dev != device:
                continue  # a mount point: not ours to empty
            child_fd = _open_owned_dir(fd, child)
            if child_fd is None:
                _unlink(fd, child)
                continue
            stack.append((child_fd, fd, child, _names(child_fd)))
            continue
        stack.pop()
        os.close(fd)
        try:
            os.rmdir(own_name, dir_fd=up_fd)
        except OSError:
            pass


def _names(dir_fd: int) -> list[str]:
    try:
        with os.scandir(dir_fd) as entries:
            return [entry.name for entry in entries]
    except OSError:
        return []


def _unlink(dir_fd: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except IsADirectoryError:
        try:
            os.rmdir(name, dir_fd=dir_fd)
        except OSError:
            pass
    except OSError:
        pass


def _open_owned_dir(parent_fd: int, name: str) -> int | None:
    """Open directory ``name`` (never a link) with owner rights restored; None if it is none."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except NotADirectoryError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None  # a symbolic link: removed, never followed
        if exc.errno != errno.EACCES:
            return None
    # Code removed our rights: restore them on the directory itself, reached by a descriptor
    # that cannot be a link, never by a path that could be swapped meanwhile.
    try:
        path_fd = os.open(
            name, _O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=parent_fd
        )
    except OSError:
        return None
    try:
        if not stat.S_ISDIR(os.fstat(path_fd).st_mode):
            return None
        magic = f"/proc/self/fd/{path_fd}"
        os.chmod(magic, 0o700)
        return os.open(magic, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    finally:
        os.close(path_fd)


# --------------------------------------------------------------------------- the zygote

ZYGOTE_FIRST_REQUEST_S = 30.0


def run_zygote(path: str, modules: list[str]) -> int:
    """Keep ``modules`` imported and fork a pool server for each client that asks on ``path``.

    Pools in different processes (async vector workers, Ray actors) would each import the
    preload modules into a server of their own; forked from one zygote, their servers share
    those pages copy-on-write instead. The zygote is started by the first client that finds no
    socket at ``path``; its launcher returns once the socket listens (exit status 0, or 3 when
    another zygote already holds the path). It holds no pool state: each server it forks is
    the server the client would otherwise have started, with the client's socket, arguments,
    log and directory, and its clean-up (socket EOF, janitor) is unchanged. The zygote exits
    once its last server has exited, or if no request arrives soon after it starts.
    """
    preload(modules)
    prctl(PR_SET_DUMPABLE, 0)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)
    try:
        listener.bind(path)
    except OSError as exc:
        return 3 if exc.errno == errno.EADDRINUSE else 2
    finally:
        os.umask(old_mask)
    inode = os.stat(path).st_ino
    listener.listen(128)
    # Detach from the launcher, which waits for this exit to know the socket is ready.
    if os.fork() != 0:
        os._exit(0)
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "listener")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    children: set[int] = set()
    served = False
    deadline = time.monotonic() + ZYGOTE_FIRST_REQUEST_S
    try:
        while children or not served:
            timeout = None if children else max(0.0, deadline - time.monotonic())
            events = selector.select(timeout)
            if not events and not children and time.monotonic() >= deadline:
                break
            for key, _ in events:
                if key.data == "listener":
                    try:
                        conn, _addr = listener.accept()
                    except OSError:
                        continue  # out of descriptors, say: the client retries or starts its own
                    with conn:
                        try:
                            pid = _zygote_fork(conn, [listener.fileno(), wake_r, wake_w], selector)
                        except Exception:  # noqa: BLE001 - one bad request must not stop the zygote
                            traceback.print_exc()
                            pid = 0
                    if pid:
                        children.add(pid)
                        served = True
                else:
                    try:
                        while os.read(wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
            while children:
                try:
                    pid, _status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    children.clear()
                    break
                if pid == 0:
                    break
                children.discard(pid)
    finally:
        # Only our own socket: a client that found ours dead may already have bound a new one.
        try:
            if os.stat(path).st_ino == inode:
                os.unlink(path)
        except OSError:
            pass
        listener.close()
        _remove_idle_folder(os.path.dirname(path))
    return 0


def _remove_idle_folder(folder: str) -> None:
    """Remove the zygotes' folder if it is empty and no client is starting a zygote in it."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        # Clients hold this lock while they start a zygote in the folder.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rmdir(folder)  # fails, harmlessly, while another zygote's socket is in it
    except OSError:
        pass
    finally:
        os.close(fd)


def _zygote_fork(conn: socket.socket, close_fds: list[int], selector) -> int:
    """Serve one fork request on ``conn``: start a pool server; return its pid (0 on error)."""
    conn.settimeout(5.0)
    reader = MessageReader(conn)
    try:
        message = reader.next_message()
    except (OSError, ValueError):
        message = None
    # Every descriptor that came is ours to close, however many the request announced.
    fds = reader.take_fds(len(reader.fds))
    if (
        not isinstance(message, dict)
        or message.get("op") != "fork"
        or len(fds) != 2
        or not isinstance(message.get("argv"), list)
        or not all(isinstance(a, str) for a in message["argv"])
        or not isinstance(message.get("cwd"), str)
    ):
        for fd in fds:
            os.close(fd)
        try:
            send_message(conn, {"op": "error", "error": "malformed fork request"})
        except OSError:
            pass
        return 0
    argv, cwd = message["argv"], message["cwd"]
    client_fd, log_fd = fds

    def server() -> int:
        selector.close()
        conn.close()
        for fd in close_fds:
            os.close(fd)
        os.setsid()
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        os.chdir(cwd)
        # The zygote is not dumpable; the server drops it itself once it is set up.
        prctl(PR_SET_DUMPABLE, 1)
        return main([*argv, "--fd", str(client_fd)])

    pid = fork_child(server)
    os.close(client_fd)
    os.close(log_fd)
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        _kill(pid)
        return pid  # reaped by the loop; the client sees its socket close
    try:
        send_message(conn, {"op": "forked", "pid": pid}, [pidfd])
    except OSError:
        pass  # the client is gone: the server sees its socket close and exits
    finally:
        os.close(pidfd)
    return pid


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, isolate, preload and serve (or, with ``--zygote``, fork servers)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--fd", type=int, help="an inherited connected socket")
    where.add_argument("--connect", help="path of a unix socket to connect to")
    where.add_argument("--zygote", help="serve fork requests on this unix socket path")
    parser.add_argument("--workspaces", help="directory holding the workspaces (servers only)")
    parser.add_argument("--isolate", choices=("auto", "namespaces", "none"), default="auto")
    parser.add_argument("--preload", default="numpy,sympy")
    parser.add_argument("--spares", type=int, default=2, help="calls kept pre-forked")
    parser.add_argument(
        "--remove-on-exit", help="a directory to delete once the server has exited, however it ends"
    )
    parser.add_argument(
        "--workspace-mb", type=int, default=0, help="size of each workspace tmpfs (0: none)"
    )
    parser.add_argument(
        "--memory-accounting",
        choices=("cgroup", "container", "refuse"),
        default="cgroup",
        help="count each call's memory in a cgroup of its own (else refuse memfd_create and "
        "shmget), rely on the container's cgroup, or only refuse",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    if args.zygote:
        return run_zygote(args.zygote, [m for m in args.preload.split(",") if m])
    if not args.workspaces:
        parser.error("--workspaces is required")
    if args.fd is not None:
        sock = socket.socket(fileno=args.fd)
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(300):
            try:
                sock.connect(args.connect)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.05)
        else:
            return 2
    janitor = start_janitor(args.remove_on_exit) if args.remove_on_exit else 0
    memory, memory_note = None, "container"
    if args.memory_accounting == "refuse":
        memory_note = (
            "none: no memory cgroup by configuration; calls may not use memfd_create or shmget"
        )
    elif args.memory_accounting == "cgroup":
        # Before the isolation hides /sys: from then on the cgroup is reached by descriptor.
        memory, why = MemoryCgroups.create()
        memory_note = (
            f"cgroup v{memory.version}"
            if memory is not None
            else f"none: {why}; calls may not use memfd_create or shmget instead"
        )
    try:
        isolation = Isolation(args.workspaces, args.isolate)
    except OSError as exc:
        send_message(sock, {"op": "hello", "error": f"isolation failed: {exc}"})
        return 2
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    preload([m for m in args.preload.split(",") if m])
    secrets.token_bytes(1)
    # Calls that share our uid (in a container) must not be able to ptrace or read us.
    prctl(PR_SET_DUMPABLE, 0)
    Server(
        sock,
        isolation,
        spares=max(0, args.spares),
        workspace_mb=args.workspace_mb,
        janitor_pid=janitor,
        memory=memory,
        memory_note=memory_note,
    ).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
