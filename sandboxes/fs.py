"""Removing directory trees whatever permissions sandboxed code left on them."""

from __future__ import annotations

import os
import shutil
import stat

__all__ = ["remove_tree"]


def remove_tree(path: str | os.PathLike[str]) -> None:
    """Delete ``path`` recursively, restoring owner permissions where code removed them.

    Only entries inside ``path`` ever have their permissions changed; symbolic links are
    removed, never followed; a missing path is ignored.
    """
    root = os.path.abspath(path)

    def unlock(func, target, exc_info):  # noqa: ANN001 - shutil's onerror signature
        if isinstance(exc_info[1], FileNotFoundError):
            return
        target = os.path.abspath(target)
        try:
            parent = os.path.dirname(target)
            if target != root and parent.startswith(root):
                os.chmod(parent, stat.S_IRWXU)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, stat.S_IRWXU)
                shutil.rmtree(target, onerror=_ignore)
            else:
                func(target)
        except OSError:
            pass

    if os.path.lexists(root):
        shutil.rmtree(root, onerror=unlock)


def _ignore(*_args: object) -> None:
    return None
