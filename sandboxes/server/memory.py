"""Counting every page a call holds.

A memory cgroup per call (v1 or v2), and where there is none, a seccomp filter refusing the two
ways to hold memory no rlimit counts.
"""

from __future__ import annotations

import ctypes
import errno
import os

from .files import list_names
from .syscalls import libc

# Room above the call's own budget for what a fork of the warm interpreter charges anyway
# (copied pages, page tables, kernel memory).
CGROUP_SLACK_BYTES = 64 << 20


class MemoryCgroups:
    """A memory cgroup for the pool, holding one cgroup per call (v1 or v2).

    ``RLIMIT_AS`` counts only mapped memory: a call could fill memfds, shared memory or its
    tmpfs workspace past its budget. In a cgroup of its own every page it holds counts. The
    pool's cgroup is made under the server's own and kept as a directory descriptor, opened
    before the server pivots to a root without ``/sys``; the server makes each call's cgroup
    there, the call's program joins it, and the server sets the limit once the request says
    how much.
    """

    def __init__(self, parent_fd: int, name: str, fd: int, version: int) -> None:
        self.parent_fd = parent_fd
        self.name = name
        self.fd = fd
        self.version = version
        self.made = 0
        # Call cgroups' names start with this; only the owner removes the pool's cgroup.
        self.prefix = "c"
        self.owner = True

    def state(self) -> dict:
        """Arguments of :meth:`inherited` for a process that inherits our descriptors."""
        return {
            "parent_fd": self.parent_fd,
            "name": self.name,
            "fd": self.fd,
            "version": self.version,
        }

    @classmethod
    def inherited(cls, parent_fd: int, name: str, fd: int, version: int) -> MemoryCgroups:
        """The pool's cgroup, as a second server that shares it sees it (the lean server)."""
        made = cls(parent_fd, name, fd, version)
        made.prefix = "l"
        made.owner = False
        return made

    @classmethod
    def create(cls) -> tuple[MemoryCgroups | None, str]:
        """The pool's cgroup under ours, or None and the reason there is none."""
        try:
            version, own = _own_memory_cgroup()
        except (OSError, ValueError) as exc:
            return None, f"no memory cgroup ({exc})"
        name = f"agentgym-{os.getpid()}-{os.urandom(4).hex()}"
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

    def make_call(self) -> tuple[str, CallCgroup | None]:
        """Make a call's cgroup, for its program to join; return its name and it (None: failed)."""
        self.made += 1
        name = f"{self.prefix}{self.made}"
        try:
            return name, CallCgroup.make(self, name, join=True)
        except OSError:
            return name, None

    def remove_call(self, name: str) -> None:
        """Remove the cgroup ``name`` of a call that has ended (once it is empty)."""
        try:
            os.rmdir(name, dir_fd=self.fd)
        except OSError:
            pass

    def remove(self) -> None:
        """Remove the call cgroups left (all, for the owner) and the owner the pool's own."""
        prefixes = ("c", "l") if self.owner else (self.prefix,)
        for name in list_names(self.fd):
            if name[:1] in prefixes and name[1:].isdigit():
                try:
                    os.rmdir(name, dir_fd=self.fd)
                except OSError:
                    pass
        os.close(self.fd)
        if self.owner:
            try:
                os.rmdir(self.name, dir_fd=self.parent_fd)
            except OSError:
                pass
        os.close(self.parent_fd)


class CallCgroup:
    """One call's memory cgroup: descriptors the server opens (the program only joins)."""

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
                # v1: moving one thread (ours, the program being single-threaded then) skips
                # the global lock whose RCU sync makes moving a process cost ~10 ms.
                procs = "tasks" if pool.version == 1 else "cgroup.procs"
                files["procs"] = os.open(procs, os.O_WRONLY | os.O_CLOEXEC, dir_fd=fd)
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

    def join(self) -> None:
        """Move the calling process into this cgroup."""
        # "0" is the writer itself: in a pid namespace of its own its pid is not ours to name.
        fd = self.files.pop("procs")
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)

    def joined(self) -> None:
        """Close the descriptor a program joins by (in the server, once it is forked)."""
        fd = self.files.pop("procs", -1)
        if fd >= 0:
            os.close(fd)

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
    result = libc.prctl(
        PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(program), 0, 0
    )
    return result == 0
