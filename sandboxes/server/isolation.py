"""The server's private root (user and mount namespaces, ``pivot_root``) and each call's namespaces."""

from __future__ import annotations

import errno
import os
import sys
import threading

try:
    # Not hashlib (nor secrets): they load OpenSSL, megabytes more for every spare to fork and end.
    from _blake2 import blake2b
except ImportError:  # a Python built without the module
    from hashlib import blake2b

from .syscalls import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    CLONE_NEWUTS,
    MNT_DETACH,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    MS_SHARED,
    MS_SLAVE,
    SYS_PIVOT_ROOT,
    check_result,
    libc,
    mount,
    unshare,
    write_id_maps,
)

SANDBOX_UID = 1000


HOST_NOBODY = 65534


class Isolation:
    """Builds the server's private root and each call's namespaces."""

    def __init__(self, workspaces: str, mode: str) -> None:
        self.workspaces = workspaces
        # Keys the folder names of workspaces with namespaces (see workspace_dir).
        self.name_key = os.urandom(16)
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

    def state(self) -> dict:
        """What another server process in our namespaces needs to act as we do (see restore)."""
        return {
            "workspaces": self.workspaces,
            "name_key": self.name_key.hex(),
            "mode": self.mode,
            "reason": self.reason,
            "call_uid": self.call_uid,
            "host_root": self.host_root,
            "workspace_root": self.workspace_root,
        }

    @classmethod
    def restore(cls, state: dict) -> Isolation:
        """The isolation of the server that wrote ``state`` (already entered: nothing is done)."""
        self = cls.__new__(cls)
        self.__dict__.update(state)
        self.name_key = bytes.fromhex(state["name_key"])
        return self

    def workspace_dir(self, name: str) -> str:
        """The server-side folder of workspace ``name``.

        With namespaces each workspace is a mount every call's mountinfo lists; its folder is
        a keyed hash of the name, so no call learns another episode's workspace name there.
        """
        if self.mode != "namespaces":
            return os.path.join(self.workspace_root, name)
        digest = blake2b(name.encode(), key=self.name_key, digest_size=16)
        return os.path.join(self.workspace_root, digest.hexdigest())

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
        # A tmpfs of its own, not a bind of the host folder: a call's mountinfo shows no host path.
        mount("tmpfs", new_root + "/ws", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0711")
        # Workspaces mounted later must reach the spares' (already copied) mount namespaces.
        mount(None, new_root + "/ws", None, MS_SHARED)
        mount(None, new_root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "")
        os.chdir(new_root)
        pivot = SYS_PIVOT_ROOT.get(os.uname().machine)
        if pivot is None:
            raise OSError(errno.ENOSYS, "pivot_root number unknown for this machine")
        check_result(libc.syscall(pivot, b".", b"."), "pivot_root")
        check_result(libc.umount2(b".", MNT_DETACH), "umount old root")
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
        # As a call gets them: a pid namespace for the children of the forking thread, the rest
        # in the program itself.
        unshare(CLONE_NEWPID)
        self._in_child(lambda: (self.enter_call_namespace(), unshare(CLONE_NEWNET)))

    # -- per workspace

    def workspace_net(self, name: str) -> str:
        """Where workspace ``name``'s network namespace is kept (a bind mount beside its folder)."""
        return self.workspace_dir(name) + ".net"

    def make_workspace_net(self, name: str) -> None:
        """Give workspace ``name`` a network namespace its calls share (with namespaces).

        Making a network namespace and tearing it down costs about as much CPU as the rest of
        a call together, so it is made once per workspace, not per call. Calls of one
        workspace are one episode's; they hold no capability in it, so all one can leave the
        next is what any program leaves in its own workspace. Other workspaces have their own.
        """
        path = self.workspace_net(name)
        failed: list[OSError] = []

        def build() -> None:
            # A thread of its own: unshare moves only the calling thread, which then ends.
            try:
                unshare(CLONE_NEWNET)
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                mount(f"/proc/self/task/{threading.get_native_id()}/ns/net", path, None, MS_BIND)
            except OSError as exc:
                failed.append(exc)

        thread = threading.Thread(target=build, name="workspace-net")
        thread.start()
        thread.join()
        if failed:
            self.drop_workspace_net(name)
            raise failed[0]

    def drop_workspace_net(self, name: str) -> None:
        """Release workspace ``name``'s network namespace, if it has one."""
        path = self.workspace_net(name)
        libc.umount2(path.encode(), MNT_DETACH)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

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

    # -- per call (runs in the program, forked from a server thread with a new pid namespace)

    def enter_call_namespace(self) -> None:
        """Give this process (pid 1 of a new pid namespace) fresh mount, ipc and uts ones.

        They belong to the server's user namespace, in which the program is root until its
        request has been set up; then it becomes the call's user (:meth:`become_call_user`)
        and keeps no capability in any of them. The network namespace is its workspace's,
        joined once the request names it (:meth:`enter_workspace_net`).
        """
        unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS)
        # Slave: new workspaces still propagate in from the server; nothing propagates out.
        mount(None, "/", None, MS_REC | MS_SLAVE)

    def enter_workspace_net(self, name: str) -> None:
        """Join workspace ``name``'s network namespace; a fresh one if that cannot be done."""
        try:
            fd = os.open(self.workspace_net(name), os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            unshare(CLONE_NEWNET)
            return
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                unshare(CLONE_NEWNET)
        finally:
            os.close(fd)

    def become_call_user(self) -> None:
        """Drop to the uid calls run as (once the call's mounts are done)."""
        if self.mode == "namespaces" and not self.host_root:
            # The server's user namespace maps only its own uid (as 0): a user namespace of the
            # call's own shows it as SANDBOX_UID, as with a root server.
            outer_uid, outer_gid = os.geteuid(), os.getegid()
            unshare(CLONE_NEWUSER)
            write_id_maps(
                "self",
                f"{SANDBOX_UID} {outer_uid} 1\n",
                f"{SANDBOX_UID} {outer_gid} 1\n",
                deny_setgroups=True,
            )
            return
        if self.call_uid is not None:
            os.setgroups([])
            os.setresgid(self.call_uid, self.call_uid, self.call_uid)
            os.setresuid(self.call_uid, self.call_uid, self.call_uid)


def _kept_flags(path: str) -> int:
    """Mount flags of ``path`` that a remount must repeat (statvfs bits -> mount bits)."""
    flag = os.statvfs(path).f_flag
    kept = flag & (MS_NODEV | MS_NOEXEC)
    for st_bit, ms_bit in ((1024, 1024), (2048, 2048), (4096, 1 << 21)):
        if flag & st_bit:
            kept |= ms_bit
    return kept
