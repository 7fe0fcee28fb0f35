"""Command-line entry of the server and the zygote (``python -s -P server/__main__.py ...``)."""

from __future__ import annotations

import argparse
import secrets
import signal
import socket
import time

from .isolation import Isolation
from .lean import read_sources, start_lean
from .memory import MemoryCgroups
from .protocol import send_message
from .server import Server, preload, start_janitor
from .syscalls import PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, prctl
from .zygote import run_zygote


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, isolate, preload and serve (or, with ``--zygote``, fork servers)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--fd", type=int, help="an inherited connected socket")
    where.add_argument("--connect", help="path of a unix socket to connect to")
    where.add_argument("--zygote", help="serve fork requests on this unix socket path")
    parser.add_argument("--workspaces", help="directory holding the workspaces (servers only)")
    parser.add_argument("--isolate", choices=("auto", "namespaces", "none"), default="auto")
    parser.add_argument("--preload", default="numpy,sympy")
    parser.add_argument("--spares", type=int, default=2, help="calls kept pre-forked")
    parser.add_argument(
        "--lean-spares",
        type=int,
        default=-1,
        help="spares of the lean server, for calls that import only standard modules "
        "(-1: as many as --spares; 0: no lean server)",
    )
    parser.add_argument(
        "--remove-on-exit", help="a directory to delete once the server has exited, however it ends"
    )
    parser.add_argument(
        "--workspace-mb", type=int, default=0, help="size of each workspace tmpfs (0: none)"
    )
    parser.add_argument(
        "--memory-accounting",
        choices=("cgroup", "container", "refuse"),
        default="cgroup",
        help="count each call's memory in a cgroup of its own (else refuse memfd_create and "
        "shmget), rely on the container's cgroup, or only refuse",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    if args.zygote:
        return run_zygote(args.zygote, [m for m in args.preload.split(",") if m])
    if not args.workspaces:
        parser.error("--workspaces is required")
    if args.fd is not None:
        sock = socket.socket(fileno=args.fd)
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(300):
            try:
                sock.connect(args.connect)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.05)
        else:
            return 2
    modules = [m for m in args.preload.split(",") if m]
    # Read now: once the server is isolated its own folder is out of sight.
    lean_spares = args.spares if args.lean_spares < 0 else args.lean_spares
    sources = read_sources() if modules and lean_spares > 0 else None
    janitor = start_janitor(args.remove_on_exit) if args.remove_on_exit else 0
    memory, memory_note = None, "container"
    if args.memory_accounting == "refuse":
        memory_note = (
            "none: no memory cgroup by configuration; calls may not use memfd_create or shmget"
        )
    elif args.memory_accounting == "cgroup":
        # Before the isolation hides /sys: from then on the cgroup is reached by descriptor.
        memory, why = MemoryCgroups.create()
        memory_note = (
            f"cgroup v{memory.version}"
            if memory is not None
            else f"none: {why}; calls may not use memfd_create or shmget instead"
        )
    try:
        isolation = Isolation(args.workspaces, args.isolate)
    except OSError as exc:
        send_message(sock, {"op": "hello", "error": f"isolation failed: {exc}"})
        return 2
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    lean = None
    if sources is not None:
        # Calls that import only the standard library go to a lean server's spares.
        lean = start_lean(
            sources,
            {
                "isolation": isolation.state(),
                "spares": lean_spares,
                "memory": memory.state() if memory is not None else None,
                "memory_note": memory_note,
            },
            [memory.parent_fd, memory.fd] if memory is not None else [],
        )
    preload(modules)
    secrets.token_bytes(1)
    # Calls that share our uid (in a container) must not be able to ptrace or read us.
    prctl(PR_SET_DUMPABLE, 0)
    Server(
        sock,
        isolation,
        spares=max(0, args.spares),
        workspace_mb=args.workspace_mb,
        janitor_pid=janitor,
        memory=memory,
        memory_note=memory_note,
        lean_server=lean,
    ).serve()
    return 0
