"""``agentgym sandbox``: build the Docker sandbox image and prune leftover containers.

Also runnable as ``python -m agentgym.sandboxes.cli build-image``.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "main", "run"]

DESCRIPTION = "Build the Docker sandbox image (no registry pull) and prune leftover containers."


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``sandbox`` command to the ``agentgym`` CLI.

    Args:
        subparsers: The object returned by ``ArgumentParser.add_subparsers``.

    Returns:
        The ``sandbox`` parser (its ``func`` default is :func:`run`).
    """
    parser = subparsers.add_parser(
        "sandbox", help="manage the Docker sandbox backend", description=DESCRIPTION
    )
    _fill(parser)
    return parser


def _fill(parser: argparse.ArgumentParser) -> None:
    from agentgym.sandboxes.image import DEFAULT_IMAGE

    actions = parser.add_subparsers(dest="sandbox_command", required=True, metavar="COMMAND")
    build = actions.add_parser(
        "build-image",
        help="build the sandbox image with debootstrap + docker import (no registry pull)",
    )
    build.add_argument(
        "--name", default=DEFAULT_IMAGE, help=f"image name (default {DEFAULT_IMAGE})"
    )
    build.add_argument("--mirror", help="Debian archive URL (default: from the apt sources)")
    build.add_argument("--suite", help="Debian suite (default: from the apt sources)")
    build.add_argument("--force", action="store_true", help="rebuild even if the image exists")
    prune = actions.add_parser(
        "prune", help="remove sandbox containers left behind by processes that exited"
    )
    prune.add_argument(
        "--all", action="store_true", help="remove every sandbox container, even live ones"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``agentgym sandbox ...``; returns the exit status."""
    from agentgym.sandboxes.base import SandboxError

    try:
        if args.sandbox_command == "build-image":
            from agentgym.sandboxes.image import build_image

            name = build_image(args.name, mirror=args.mirror, suite=args.suite, force=args.force)
            print(f"sandbox image ready: {name}")
            return 0
        if args.sandbox_command == "prune":
            from agentgym.sandboxes.image import prune

            removed = prune(everything=args.all)
            print(f"removed {removed} sandbox container(s)")
            return 0
    except SandboxError as exc:
        print(f"agentgym sandbox: {exc}", file=sys.stderr)
        return 1
    print(f"agentgym sandbox: unknown command {args.sandbox_command!r}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m agentgym.sandboxes.cli``."""
    parser = argparse.ArgumentParser(prog="agentgym sandbox", description=DESCRIPTION)
    _fill(parser)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
