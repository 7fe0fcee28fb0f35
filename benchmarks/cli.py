"""``agentgym bench``: run a suite of envs with agents and write JSON and an HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> None:
    """Add the ``bench`` subcommand."""
    p = subparsers.add_parser("bench", help="run a benchmark suite -> results.json + report.html")
    p.add_argument("--suite", default="smoke", help="smoke | standard")
    p.add_argument(
        "--envs", default=None, help="comma-separated env ids (instead of all in the suite)"
    )
    p.add_argument("--agents", default="oracle,random", help="comma-separated agent names")
    p.add_argument("--episodes", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("bench-report"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the suite and write the report; returns the exit code."""
    from rich.console import Console
    from rich.progress import Progress

    from agentgym.benchmarks.harness import SUITES, run_suite, write_outputs

    console = Console(stderr=True)
    if args.suite not in SUITES:
        console.print(f"[red]error:[/red] unknown suite {args.suite!r}; choose {', '.join(SUITES)}")
        return 2
    if args.episodes < 1:
        console.print("[red]error:[/red] --episodes must be at least 1")
        return 2
    entries = SUITES[args.suite]()
    if args.envs:
        wanted = args.envs.split(",")
        unknown = sorted(set(wanted) - {e.env_id for e in entries})
        if unknown:
            console.print(f"[red]error:[/red] not in suite {args.suite!r}: {', '.join(unknown)}")
            return 2
        entries = [e for e in entries if e.env_id in wanted]
    agents = [a for a in args.agents.split(",") if a]
    total = len(entries) * len(agents) * args.episodes
    with Progress(console=console) as progress:
        bar = progress.add_task("bench", total=total)
        rows = run_suite(
            entries,
            agents,
            args.episodes,
            args.seed,
            progress=lambda label: progress.update(bar, advance=1, description=label),
        )
    json_path, html_path = write_outputs(rows, args.out)
    from agentgym.benchmarks.report import write_report

    write_report("bench", f"agentgym bench — suite {args.suite}", rows, out=args.out / "table.json")
    console.print(f"wrote {json_path} and {html_path}")
    return 0
