"""``agentgym bench``: evaluate agents (any OpenAI-compatible model) on a suite of envs.

``agentgym bench [--suite smoke|standard|full|FILE] [--agents ...] [--base-url URL --model M]``
writes a run folder (see :mod:`agentgym.benchmarks.harness`); ``agentgym bench compare A B``
compares two run folders episode by episode.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "print_summary", "progress_display", "run"]


def add_parser(subparsers: Any) -> None:
    """Add the ``bench`` subcommand (and ``bench compare``)."""
    from agentgym.benchmarks.options import add_agent_arguments, add_env_kwargs_argument

    p = subparsers.add_parser(
        "bench",
        help="evaluate agents or a served model on a suite -> a run folder with report.html",
        description="Evaluate agents (oracle, random, or any OpenAI-compatible model with "
        "--base-url/--model) on a suite of envs. Writes episodes.jsonl, summary.json, "
        "meta.json and report.html into --out.",
    )
    p.add_argument(
        "--suite",
        default="smoke",
        help="a shipped suite (smoke, standard, full) or a .json/.toml suite file",
    )
    p.add_argument("--envs", default=None, help="comma-separated env ids: only these of the suite")
    p.add_argument(
        "--agents",
        default=None,
        help="comma-separated agents: oracle, random, openai (default: openai with "
        "--base-url, else oracle,random)",
    )
    p.add_argument(
        "--episodes",
        type=int,
        default=None,
        help="seeds per env entry (default: the suite's count per entry)",
    )
    p.add_argument("--seed", type=int, default=0, help="first seed")
    add_env_kwargs_argument(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="run folder (default: runs/bench-SUITE-TIME under the current folder)",
    )
    p.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    p.add_argument(
        "--no-report", action="store_true", help="skip report.html (the JSON files are written)"
    )
    add_agent_arguments(p)
    p.set_defaults(func=run)
    sub = p.add_subparsers(
        dest="bench_command", metavar="{compare}", help="compare two run folders (optional)"
    )
    c = sub.add_parser(
        "compare",
        help="compare two run folders per env (paired test when seeds match)",
        description="Compare run B against run A: per env and difficulty, the success "
        "difference and, over the episodes both played (same env, seed and sample), an "
        "exact McNemar test. Prints a table; writes compare.json and report.html into --out.",
    )
    c.add_argument("run_a", type=Path, help="the baseline run folder")
    c.add_argument("run_b", type=Path, help="the run compared against it")
    c.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        dest="compare_out",
        help="folder for compare.json and report.html (default: RUN_B/compare)",
    )
    c.set_defaults(func=run_compare)


def run(args: argparse.Namespace) -> int:
    """Run ``agentgym bench``; returns the exit code (2 for a user error)."""
    from rich.console import Console

    from agentgym.benchmarks.options import UsageError

    console = Console(stderr=True)
    try:
        plan = _plan(args)
    except UsageError as e:
        console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
        return 2
    return _execute(plan, console)


def _plan(args: argparse.Namespace) -> dict[str, Any]:
    from agentgym.benchmarks.harness import SuiteEntry, load_suite, plan_jobs
    from agentgym.benchmarks.options import (
        UsageError,
        agent_specs,
        check_env_ids,
        check_out_dir,
        did_you_mean,
        parse_env_kwargs,
    )

    try:
        suite = load_suite(args.suite)
    except ValueError as e:
        raise UsageError(str(e)) from None
    entries = list(suite.entries)
    if args.envs:
        wanted = [e for e in args.envs.split(",") if e]
        in_suite = list(dict.fromkeys(e.env_id for e in entries))
        for env_id in wanted:
            if env_id not in in_suite:
                check_env_ids([env_id])
                raise UsageError(
                    f"env {env_id!r} is not in suite {suite.name!r}{did_you_mean(env_id, in_suite)}"
                )
        entries = [e for e in entries if e.env_id in wanted]
    check_env_ids(e.env_id for e in entries)
    if args.episodes is not None and args.episodes < 1:
        raise UsageError(f"--episodes must be at least 1, got {args.episodes}")
    extra = parse_env_kwargs(args.env_kwargs, [e.env_id for e in entries])
    entries = [SuiteEntry(e.env_id, {**e.kwargs, **extra[e.env_id]}, e.episodes) for e in entries]
    names = args.agents or ("openai" if args.base_url else "oracle,random")
    specs = agent_specs([a.strip() for a in names.split(",") if a.strip()], args)
    out = args.out
    if out is None:
        if args.resume:
            raise UsageError("--resume needs --out, the folder of the run to continue")
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        out = Path("runs") / f"bench-{suite.name}-{stamp}"
    check_out_dir(out, args.resume)
    jobs = plan_jobs(entries, specs, episodes=args.episodes, seed=args.seed, samples=args.samples)
    meta = {
        "suite": suite.name,
        "suite_source": args.suite,
        "env_kwargs": [
            {"env": e.env_id, "kwargs": dict(e.kwargs), "episodes": args.episodes or e.episodes}
            for e in entries
        ],
        "agents": [s.record() for s in specs],
        "seed": args.seed,
        "samples": args.samples,
    }
    return {
        "jobs": jobs,
        "out": out,
        "resume": args.resume,
        "concurrency": args.concurrency,
        "meta": meta,
        "report": not args.no_report,
        "title": f"agentgym bench — suite {suite.name}",
    }


def _execute(plan: dict[str, Any], console: Any, make_env: Any = None) -> int:

    from agentgym.benchmarks.harness import run_bench

    jobs = plan["jobs"]
    with progress_display(console, jobs, plan["out"], plan["resume"]) as on_episode:
        summary = run_bench(
            jobs,
            plan["out"],
            concurrency=plan["concurrency"],
            resume=plan["resume"],
            meta=plan["meta"],
            on_episode=on_episode,
            make_env=make_env,
        )
    print_summary(_stdout_console(), summary, plan["title"])
    if plan["report"]:
        from agentgym.benchmarks.report_html import write_report_html

        write_report_html([plan["out"]], plan["out"] / "report.html")
    errors = summary["totals"]["errors"]
    if errors:
        console.print(
            f"[yellow]{_count(errors, 'episode')} errored[/yellow] (see 'error' in "
            "episodes.jsonl); --resume plays them again",
            highlight=False,
        )
    console.print(f"wrote {plan['out']}", highlight=False, soft_wrap=True)
    return 0


class progress_display:  # noqa: N801  (used as a context manager, like rich's)
    """A live bar per env with success so far; silent when stderr is not a terminal."""

    def __init__(self, console: Any, jobs: Any, out: Path, resume: bool):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        from agentgym.benchmarks.harness import load_episodes

        self.progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            "{task.fields[status]}",
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.tasks: dict[str, Any] = {}
        self.wins: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        totals: dict[str, int] = defaultdict(int)
        for job in jobs:
            totals[job.entry.label] += 1
        done = load_episodes(out / "episodes.jsonl") if resume else []
        keys = {j.key for j in jobs}
        for label, total in totals.items():
            self.tasks[label] = self.progress.add_task(label, total=total, status="")
        for rec in done:
            if rec["key"] in keys and not rec.get("errored"):
                self._count(rec)

    def _count(self, rec: dict[str, Any]) -> None:
        w = self.wins[rec["env"]]
        w[2] += 1
        if rec.get("errored"):
            w[1] += 1
        elif rec.get("success"):
            w[0] += 1
        played = w[2] - w[1]
        rate = f"{w[0] / played:.0%} success" if played else "—"
        status = rate + (f", {w[1]} errored" if w[1] else "")
        task = self.tasks.get(rec["env"])
        if task is not None:
            self.progress.update(task, advance=1, status=status)

    def __enter__(self) -> Any:
        self.progress.__enter__()
        return self._count

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)


def _stdout_console() -> Any:
    """A console for tables; wide when piped, so a log keeps whole rows."""
    from rich.console import Console

    console = Console(file=sys.stdout)
    return console if console.is_terminal else Console(file=sys.stdout, width=200)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def print_summary(console: Any, summary: dict[str, Any], title: str) -> None:
    """Print the summary rows as a table (percentages; env names as in summary.json)."""
    from rich.table import Table

    table = Table(title=title)
    for col in (
        "env",
        "difficulty",
        "agent",
        "episodes",
        "success",
        "95% CI",
        "mean score",
        "mean turns",
        "pass@k",
        "errors",
        "tokens",
    ):
        table.add_column(col, justify="left" if col in ("env", "difficulty", "agent") else "right")
    for r in summary["rows"]:
        rate = r["success_rate"]
        lo, hi = r["ci95"]
        passk = ", ".join(f"@{k} {v:.0%}" for k, v in r["pass_at_k"].items())
        table.add_row(
            r["env"],
            r["difficulty"],
            r["agent"],
            str(r["episodes"]),
            "—" if rate is None else f"{rate:.1%}",
            f"{lo:.0%}–{hi:.0%}",
            "—" if r["mean_score"] is None else f"{r['mean_score']:.3f}",
            "—" if r["mean_turns"] is None else f"{r['mean_turns']:.2f}",
            passk or "—",
            str(r["errors"]),
            f"{r['tokens']['total']:,}",
        )
    console.print(table)


def run_compare(args: argparse.Namespace) -> int:
    """Run ``agentgym bench compare``; returns the exit code."""
    from rich.console import Console

    from agentgym.benchmarks.compare import compare_runs, print_comparison
    from agentgym.benchmarks.options import UsageError

    console = Console(stderr=True)
    try:
        result = compare_runs(args.run_a, args.run_b)
    except UsageError as e:
        console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
        return 2
    out = args.compare_out or args.run_b / "compare"
    print_comparison(_stdout_console(), result)
    import json

    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(result, indent=2) + "\n")
    from agentgym.benchmarks.report_html import write_report_html

    write_report_html([args.run_a, args.run_b], out / "report.html")
    console.print(f"wrote {out}", highlight=False, soft_wrap=True)
    return 0
