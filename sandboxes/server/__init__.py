"""The sandbox fork server: one per pool, forks one isolated process per call.

This package is run as a program (``python -s -P server/__main__.py ...``) on the host by the
local backend and inside the container by the Docker backend (which mounts the folder), so it
uses the standard library only, works on Python 3.10+ and never imports agentgym. One module
per concern: ``protocol`` (the wire format), ``syscalls``, ``isolation`` (namespaces and the
private root), ``memory`` (cgroups, seccomp), ``files`` (descriptor-only file operations on
workspaces), ``calls`` (a call's program and its supervising thread), ``server`` (workspaces and spares),
``lean`` (the lean server), ``zygote`` and ``main``.

Start-up: isolate the server itself (a new user and mount namespace whose root holds only the
Python installation, a few device nodes and the workspaces), import the preload modules once,
then serve one client over a unix stream socket. Messages are length-prefixed JSON; file
descriptors travel as ``SCM_RIGHTS``. With ``--zygote`` the script instead imports the preload
modules and forks servers on request, so servers of different clients share those pages.

Calls: the server keeps a few spares pre-forked. A spare is one process, the program: pid 1 of
a fresh pid namespace (its forking thread's), in fresh mount, network, ipc and uts namespaces,
waiting for code; a thread of the server supervises it. The server hands each spare's request
socket and result pipe to the client, which sends the code and two output pipes straight to
the program and reads the thread's report: the server's main loop is not on a run's path. The
program binds its episode's workspace, hides the others, becomes the call's uid, sets rlimits,
drops every capability and runs the code; the thread enforces the deadline (killing the
program kills its pid namespace), reaps it and reports. One process per call means one fork
and one teardown of the interpreter per call. Where namespaces are not available the same
steps run without them: rlimits, a separate uid when the server is root, and the program as
child subreaper of what it starts, so a deadline kills the whole tree. A server with a
preload also starts a lean server (see ``lean``) whose spares serve the calls that import
only the standard library.
"""

from __future__ import annotations

from .files import SHARED_DIRS, remove_tree
from .protocol import SETUP_FAILED, MessageReader, send_message
from .syscalls import children_of, descendants_of

__all__ = [
    "SETUP_FAILED",
    "SHARED_DIRS",
    "MessageReader",
    "children_of",
    "descendants_of",
    "remove_tree",
    "send_message",
]
