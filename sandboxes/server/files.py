"""File operations on agent-controlled trees, by directory descriptor only.

Nothing here follows a link, waits on a FIFO, or looks a path up again after code could have
swapped part of it.
"""

from __future__ import annotations

import errno
import os
import stat


def kind_of(dir_fd: int, name: str) -> str:
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


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# Shared system folders are never removed or re-permissioned, whatever path we are handed.
SHARED_DIRS = frozenset({"/", "/tmp", "/var/tmp", "/dev/shm"})


DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


O_PATH = getattr(os, "O_PATH", 0o10000000)


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
        parent_fd = os.open(parent, O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        remove_entry(parent_fd, name)
    finally:
        os.close(parent_fd)


def clear_tree(path: str, owner: int | None) -> None:
    """Empty the folder ``path`` the way :func:`remove_tree` deletes one, keeping the folder.

    Its mode goes back to 0700 and, with ``owner``, its owner too: whatever a call did to it.
    """
    parent, name = os.path.split(os.path.abspath(path))
    try:
        parent_fd = os.open(parent, O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        fd = _open_owned_dir(parent_fd, name)
    finally:
        os.close(parent_fd)
    if fd is None:
        return
    try:
        for child in list_names(fd):
            remove_entry(fd, child)
        if owner is not None:
            os.fchown(fd, owner, owner)
        os.fchmod(fd, 0o700)
    finally:
        os.close(fd)


def remove_entry(parent_fd: int, name: str) -> None:
    """Remove ``name`` in ``parent_fd`` and everything below it, iteratively (no recursion)."""
    try:
        device = os.stat(name, dir_fd=parent_fd, follow_symlinks=False).st_dev
    except OSError:
        return
    # Each frame: (the directory's fd, its parent's fd, its name, names still to visit).
    stack: list[tuple[int, int, str, list[str]]] = []
    current = _open_owned_dir(parent_fd, name)
    if current is None:
        unlink_entry(parent_fd, name)
        return
    stack.append((current, parent_fd, name, list_names(current)))
    while stack:
        fd, up_fd, own_name, pending = stack[-1]
        if pending:
            child = pending.pop()
            try:
                info = os.stat(child, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISDIR(info.st_mode):
                unlink_entry(fd, child)
                continue
            if info.st_dev != device:
                continue  # a mount point: not ours to empty
            child_fd = _open_owned_dir(fd, child)
            if child_fd is None:
                unlink_entry(fd, child)
                continue
            stack.append((child_fd, fd, child, list_names(child_fd)))
            continue
        stack.pop()
        os.close(fd)
        try:
            os.rmdir(own_name, dir_fd=up_fd)
        except OSError:
            pass


def list_names(dir_fd: int) -> list[str]:
    """The entries of a directory descriptor (none if it cannot be read)."""
    try:
        with os.scandir(dir_fd) as entries:
            return [entry.name for entry in entries]
    except OSError:
        return []


def unlink_entry(dir_fd: int, name: str) -> None:
    """Remove a file, link or empty folder ``name`` in ``dir_fd``; failures are ignored."""
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
        return os.open(name, DIR_FLAGS, dir_fd=parent_fd)
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
            name, O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=parent_fd
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


def write_file(
    root: str, parts: list[str], data: bytes, owner: int | None, notices: list[str]
) -> None:
    """Write ``data`` to ``root/parts...``, making folders on the way; append notices.

    Every step goes through directory descriptors opened with ``O_NOFOLLOW | O_NONBLOCK``: a
    link is replaced, never written through, and a FIFO, socket or folder where a file (or a
    folder) must go is removed and replaced, with a notice saying so, instead of blocking the
    server or failing the write. New files and folders belong to ``owner`` (if not None).
    """
    dir_fd = os.open(root, DIR_FLAGS)
    try:
        for i, part in enumerate(parts[:-1]):
            next_fd = _enter_dir(dir_fd, part, "/".join(parts[: i + 1]), owner, notices)
            os.close(dir_fd)
            dir_fd = next_fd
        _write_file(dir_fd, parts[-1], "/".join(parts), data, owner, notices)
    finally:
        os.close(dir_fd)


def _enter_dir(dir_fd: int, part: str, shown: str, owner: int | None, notices: list[str]) -> int:
    """Open (making it if need be) the directory ``part``; replace anything else there."""
    for _ in range(3):
        try:
            return os.open(part, DIR_FLAGS, dir_fd=dir_fd)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                raise
            kind = kind_of(dir_fd, part)
            unlink_entry(dir_fd, part)
            notices.append(f"{shown} was {kind}, not a folder; it was replaced")
        try:
            os.mkdir(part, 0o755, dir_fd=dir_fd)
            _own(part, dir_fd, owner)
        except FileExistsError:
            pass
    raise OSError(errno.EAGAIN, f"{shown} kept changing while it was written")


def _write_file(
    dir_fd: int, leaf: str, shown: str, data: bytes, owner: int | None, notices: list[str]
) -> None:
    """Write ``data`` to the regular file ``leaf``, replacing whatever else is there."""
    flags = os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    for _ in range(3):
        try:
            info = os.stat(leaf, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            kind = kind_of(dir_fd, leaf)
            if stat.S_ISDIR(info.st_mode):
                remove_entry(dir_fd, leaf)
            else:
                unlink_entry(dir_fd, leaf)
            notices.append(f"{shown} was {kind}; it was replaced")
            info = None
        elif info is not None and info.st_nlink > 1:
            # A hard link: writing would change the other name's file too.
            unlink_entry(dir_fd, leaf)
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
            write_all(fd, data)
            if owner is not None:
                os.fchown(fd, owner, owner)
            return
        finally:
            os.close(fd)
    raise OSError(errno.EAGAIN, f"{shown} kept changing while it was written")


def read_file(root: str, parts: list[str], limit: int) -> tuple[bytes | None, str]:
    """Read the regular file ``root/parts...``; return (its bytes, "") or (None, why not).

    Why not: ``"missing"``, what is there instead (see :func:`kind_of`), or ``"too large"``
    (more than ``limit`` bytes). Every step goes through a descriptor opened with
    ``O_NOFOLLOW | O_NONBLOCK``: no link is followed (a folder on the way that is a link
    reads as missing) and a FIFO is looked at, never waited on.
    """
    try:
        dir_fd = os.open(root, DIR_FLAGS)
    except FileNotFoundError:
        return None, "missing"
    try:
        for part in parts[:-1]:
            try:
                next_fd = os.open(part, DIR_FLAGS, dir_fd=dir_fd)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                    return None, "missing"
                raise
            os.close(dir_fd)
            dir_fd = next_fd
        leaf = parts[-1]
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
        try:
            fd = os.open(leaf, flags, dir_fd=dir_fd)
        except FileNotFoundError:
            return None, "missing"
        except OSError as exc:
            # A link (ELOOP), a socket (ENXIO), a folder opened for reading is fine (below).
            if exc.errno in (errno.ELOOP, errno.ENXIO):
                return None, kind_of(dir_fd, leaf)
            raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None, kind_of(dir_fd, leaf)
            if info.st_size > limit:
                return None, "too large"
            chunks, size = [], 0
            # Up to one byte past the limit: the file may grow while we read it.
            while size <= limit:
                chunk = os.read(fd, min(limit + 1 - size, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if size > limit:
                return None, "too large"
            return b"".join(chunks), ""
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)


def _own(name: str, dir_fd: int, owner: int | None) -> None:
    if owner is not None:
        os.chown(name, owner, owner, dir_fd=dir_fd, follow_symlinks=False)
