"""Removing directory trees whatever permissions sandboxed code left on them."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile

__all__ = ["remove_tree"]


def remove_tree(path: str | os.PathLike[str]) -> None:
    """Delete ``path`` recursively, restoring owner permissions where code removed them.

    Only entries inside ``path`` ever have their permissions changed; symbolic links are
    removed, never followed; a missing path is ignored.
    """
    root = os.path.abspath(path)
    if root in _NEVER_REMOVE:
        raise ValueError(f"refusing to remove {root}")

    def unlock(func, target, exc_info):  # noqa: ANN001 - shutil's onerror signature
        if isinstance(exc_info[1], FileNotFoundError):
            return
        target = os.path.abspath(target)
        try:
            parent = os.path.dirname(target)
            if target != root and _inside(parent, root):
                _chmod_owner_only(parent)
            if os.path.isdir(target) and not os.path.islink(target):
                _chmod_owner_only(target)
                shutil.rmtree(target, onerror=_ignore)
            else:
                func(target)
        except OSError:
            pass

    if os.path.lexists(root):
        shutil.rmtree(root, onerror=unlock)


# Shared system folders: never removed, never re-permissioned, whatever path we are handed.
_NEVER_REMOVE = frozenset({"/", "/tmp", "/var/tmp", "/dev/shm", tempfile.gettempdir()})


def _inside(path: str, root: str) -> bool:
    """Return whether ``path`` is ``root`` or below it (by path components, not prefix)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _chmod_owner_only(path: str) -> None:
    """Give the owner full rights on ``path``, unless it is a shared (sticky) folder."""
    if path in _NEVER_REMOVE or os.lstat(path).st_mode & stat.S_ISVTX:
        return
    os.chmod(path, stat.S_IRWXU)


def _ignore(*_args: object) -> None:
    return None
