"""Removing directory trees whatever permissions sandboxed code left on them."""

from __future__ import annotations

import os

from agentgym.sandboxes.server import SHARED_DIRS
from agentgym.sandboxes.server import remove_tree as _remove_tree

__all__ = ["remove_tree"]


def remove_tree(path: str | os.PathLike[str]) -> None:
    """Delete ``path`` recursively, restoring owner permissions where code removed them.

    Only entries inside ``path`` ever have their permissions changed; symbolic links are
    removed, never followed; a missing path is ignored.

    Raises:
        ValueError: For a shared system folder (``/``, the temp folder, ...).
    """
    root = os.path.abspath(path)
    if root in SHARED_DIRS:
        raise ValueError(f"refusing to remove {root}")
    _remove_tree(root)
