"""Removing directory trees whatever permissions sandboxed code left on them."""

from __future__ import annotations

import os
import shutil
import stat

__all__ = ["remove_tree"]


def remove_tree(path: str | os.PathLike[str]) -> None:
    """Delete ``path`` recursively, restoring owner permissions where code removed them.

    Symbolic links are removed, never followed. Missing paths are ignored.
    """

    def unlock(func, target, _exc_info):  # noqa: ANN001 - shutil's onerror signature
        try:
            parent = os.path.dirname(target)
            os.chmod(parent, stat.S_IRWXU)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, stat.S_IRWXU)
                shutil.rmtree(target, onerror=_ignore)
            else:
                func(target)
        except OSError:
            pass

    if os.path.lexists(path):
        shutil.rmtree(path, onerror=unlock)


def _ignore(*_args: object) -> None:
    return None
