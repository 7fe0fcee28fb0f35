"""Removing directory trees whatever permissions sandboxed code left on them."""

from __future__ import annotations

import os
import tempfile

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
    # Found at call time, not in the server module: a container may have no usable one.
    shared = SHARED_DIRS | {tempfile.gettempdir()}
    if root in shared:
        raise ValueError(f"refusing to remove {root}")
    _remove_tree(root, shared)
