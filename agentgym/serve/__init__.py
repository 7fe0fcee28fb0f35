"""Serve agentgym envs over HTTP (``agentgym serve``) and use them remotely (:class:`RemoteEnv`).

For trainers whose rollout workers live elsewhere (another process, container or host), a
small JSON API (see docs/integrations.md for the full reference):

=================================================  =========================================
``GET /envs``                                      registered env ids
``GET /stats``                                     live, expired and maximum sessions
``POST /sessions`` ``{env_id, kwargs}``            create an env; ``session``, spaces, clamps
``POST /sessions/ID/reset`` ``{seed, options}``    ``{observation, info}``
``POST /sessions/ID/step`` ``{action}``            ``{observation, reward, terminated, ...}``
``POST /sessions/ID/oracle``                       ``{action}`` (only with ``--allow-oracle``)
``DELETE /sessions/ID``                            close the env (after a step in flight)
=================================================  =========================================

Every answer, errors included, is a JSON object; errors are ``{"error": message}``.

The package splits the wire format (:mod:`.codec`), the sessions and what clients may ask of
them (:mod:`.sessions`), the HTTP server (:mod:`.app`, needs the ``[serve]`` extra) and the
client (:mod:`.client`, needs only ``requests``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agentgym.serve.client import RemoteEnv, RemoteEnvError
from agentgym.serve.codec import build_space, decode, describe_space, encode
from agentgym.serve.sessions import ServerLimits

__all__ = [
    "EnvServer",
    "RemoteEnv",
    "RemoteEnvError",
    "ServerLimits",
    "add_parser",
    "build_space",
    "decode",
    "describe_space",
    "encode",
    "run",
]


def __getattr__(name: str) -> Any:
    # The server needs the [serve] extra; the client and the CLI parser do not.
    if name == "EnvServer":
        from agentgym.serve.app import EnvServer

        return EnvServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def add_parser(subparsers: Any) -> None:
    """Add the ``serve`` subcommand."""
    defaults = ServerLimits()
    p = subparsers.add_parser("serve", help="serve envs over HTTP (JSON API)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default loopback)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on")
    p.add_argument("--max-sessions", type=int, default=64, help="envs open at once, across clients")
    p.add_argument(
        "--token",
        default=None,
        help="bearer token clients must send (default: $AGENTGYM_SERVE_TOKEN, else none)",
    )
    p.add_argument("--allow-oracle", action="store_true", help="serve /oracle (privileged)")
    p.add_argument(
        "--task-dir", default=None, help="folder whose files clients may use as task_source"
    )
    p.add_argument(
        "--idle-ttl", type=float, default=600.0, help="close sessions idle this many seconds"
    )
    p.add_argument(
        "--max-timeout-s",
        type=float,
        default=defaults.timeout_s,
        help="largest sandbox time limit a client may ask for (seconds)",
    )
    p.add_argument(
        "--max-memory-mb",
        type=int,
        default=defaults.memory_mb,
        help="largest sandbox memory limit a client may ask for",
    )
    p.add_argument(
        "--max-turns",
        type=int,
        default=defaults.max_turns,
        help="largest max_turns a client may ask for",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    import dataclasses
    import logging

    if not 0 <= args.port <= 65535:
        print(f"error: --port must be in 0..65535, got {args.port}", file=sys.stderr)
        return 2
    try:
        from agentgym.serve.app import EnvServer, _uvicorn

        _uvicorn()
    except ModuleNotFoundError as e:  # the [serve] extra is missing; its message says so
        print(f"error: {e}", file=sys.stderr)
        return 2

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    limits = dataclasses.replace(
        ServerLimits(),
        timeout_s=args.max_timeout_s,
        memory_mb=args.max_memory_mb,
        max_turns=args.max_turns,
    )
    try:
        server = EnvServer(
            args.host,
            args.port,
            args.max_sessions,
            token=args.token,
            allow_oracle=args.allow_oracle,
            task_dir=args.task_dir,
            idle_ttl_s=args.idle_ttl,
            limits=limits,
        )
    except (ValueError, OSError) as e:  # a bad flag, or the port is taken
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"agentgym env server on {server.url}", flush=True)
    server.serve_forever()
    return 0
