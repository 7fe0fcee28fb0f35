"""The lean server: spares forked from an interpreter that has imported nothing extra.

A call's cost is dominated by its interpreter's page tables: forking them, copying what the
call writes, and tearing them down when it exits (about 3 ms for one with numpy and sympy
loaded, 0.5 ms for a bare one, on a small VM). Most calls (``print``, arithmetic, the grading
harness) import only the standard library, so the server starts a second, lean server inside
its own namespaces (same private root, workspaces and cgroup) and the client sends such calls
to its spares. Code that imports anything else goes to the server's own, preloaded spares.

The lean server is this package run by a fresh interpreter (``exec``, so nothing of the
server's memory is in it). After ``pivot_root`` the package's folder is not visible, so its
sources travel with the start-up state on the new process's stdin. It is a
:class:`~.server.Server` whose client is the server: the server relays its spares to the
client, and the client's ``used``, ``need`` and ``kill`` for lean spares back to it.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

PACKAGE = "agentgym_sandbox_server"

# Loads the package from the sources on stdin, then runs ``lean.serve_lean``.
_BOOT = """
import importlib.abc, importlib.util, json, os, sys
state = json.loads(sys.stdin.buffer.read())
sources = state.pop("sources")
class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        short = name[len(PACKAGE) + 1:] if name.startswith(PACKAGE + ".") else None
        if name == PACKAGE or short in sources:
            return importlib.util.spec_from_loader(name, self, is_package=name == PACKAGE)
        return None
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        short = "__init__" if module.__name__ == PACKAGE else module.__name__[len(PACKAGE) + 1:]
        path = "<sandbox server>/" + short + ".py"
        exec(compile(sources[short], path, "exec"), module.__dict__)
sys.meta_path.insert(0, Finder())
null = os.open(os.devnull, os.O_RDWR)
os.dup2(null, 0)
os.close(null)
sys.exit(importlib.import_module(PACKAGE + ".lean").serve_lean(state))
"""


def read_sources() -> dict[str, str]:
    """The package's module sources (read before the server's root hides the folder)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sources = {}
    for name in sorted(os.listdir(here)):
        if name.endswith(".py") and name != "__main__.py":
            with open(os.path.join(here, name), encoding="utf-8") as fh:
                sources[name[:-3]] = fh.read()
    return sources


def start_lean(
    sources: dict[str, str], state: dict, keep_fds: list[int]
) -> tuple[socket.socket, subprocess.Popen] | None:
    """Start the lean server; return our end of its socket and its process (None: failed).

    ``state`` is what :func:`serve_lean` needs besides its socket (isolation, limits, the
    descriptor numbers of ``keep_fds``, which it inherits).
    """
    # Imported here, not by the lean server (which runs this module): it never starts a
    # process, and what it imports is in every spare it forks.
    import subprocess

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    payload = dict(state, sources=sources, fd=theirs.fileno())
    try:
        proc = subprocess.Popen(
            [sys.executable, "-s", "-P", "-c", f"PACKAGE = {PACKAGE!r}\n{_BOOT}"],
            stdin=subprocess.PIPE,
            pass_fds=[theirs.fileno(), *keep_fds],
        )
        proc.stdin.write(json.dumps(payload).encode())
        proc.stdin.close()
    except OSError as exc:
        print(f"lean server not started: {exc}", file=sys.stderr)
        ours.close()
        return None
    finally:
        theirs.close()
    return ours, proc


def serve_lean(state: dict) -> int:
    """Be the lean server (in the fresh interpreter)."""
    import signal

    from .isolation import Isolation
    from .memory import MemoryCgroups
    from .server import Server
    from .syscalls import (
        PR_SET_CHILD_SUBREAPER,
        PR_SET_DUMPABLE,
        PR_SET_PDEATHSIG,
        prctl,
    )

    # Dies with the server; what its calls leave is reparented to it, not to the server.
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_DUMPABLE, 0)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    memory = None
    if state.get("memory"):
        memory = MemoryCgroups.inherited(**state["memory"])
    Server(
        socket.socket(fileno=state["fd"]),
        Isolation.restore(state["isolation"]),
        spares=state["spares"],
        memory=memory,
        memory_note=state["memory_note"],
        lean=True,
    ).serve()
    return 0
