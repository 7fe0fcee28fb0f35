"""The ``agentgym`` command line: list envs, run agents, and the subsystems' commands."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["build_parser", "main"]

# Subcommands owned by subsystems: (name, module exposing add_parser(subparsers) and run(args)).
_PLUGGED = (
    ("sandbox", "agentgym.sandboxes.cli"),
    ("train", "agentgym.agents.train_cli"),
    ("bench", "agentgym.benchmarks.cli"),
    ("serve", "agentgym.serve"),
    ("serve-policy", "agentgym.serve.policy_server"),
)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each flag's default, unless its help already says what the default is."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text:
            return text
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """Argparse with one-line errors (exit 2) and every default shown in ``--help``."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see PROG --help)`` on one line and exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the ``agentgym`` parser with every installed subcommand."""
    from agentgym import __version__

    parser = _Parser(prog="agentgym", description="Gymnasium environments for LLM agents.")
    parser.add_argument("--version", action="version", version=f"agentgym {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    p_list = sub.add_parser("list", help="list the registered envs")
    p_list.set_defaults(func=_cmd_list)
    _add_run_parser(sub)
    for _, module in _PLUGGED:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name is not None and module.startswith(e.name):
                continue  # the subsystem is not part of this install
            raise
        mod.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 for a user error, 130 on Ctrl-C)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


def _cmd_list(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from agentgym.registration import ENVS

    table = Table(title="agentgym envs")
    table.add_column("id", style="bold")
    table.add_column("description")
    for spec in ENVS:
        table.add_row(spec.id, spec.summary)
    Console().print(table)
    return 0


def _add_run_parser(sub: Any) -> None:
    from agentgym.benchmarks.options import add_agent_arguments, add_env_kwargs_argument

    p = sub.add_parser(
        "run",
        help="run an agent on an env and print a summary",
        description="Play episodes of one env with one agent (oracle, random, or any "
        "OpenAI-compatible model) and print a summary; --out keeps every episode.",
    )
    p.add_argument("env", help="env id, e.g. AgentCode-v0")
    p.add_argument("--agent", default="oracle", help="oracle, random or openai")
    p.add_argument("--episodes", type=int, default=10, help="episodes (seeds) to play")
    p.add_argument("--seed", type=int, default=0, help="first seed; episode i uses seed + i")
    p.add_argument(
        "--reward-mode",
        default=None,
        choices=["sparse", "dense"],
        help="reward mode (default: the env's, sparse)",
    )
    p.add_argument(
        "--action-format",
        default=None,
        choices=["xml", "json", "openai"],
        help="how actions are written (default: the env's, xml)",
    )
    p.add_argument("--max-turns", type=int, default=None, help="turn budget (default: the env's)")
    p.add_argument(
        "--difficulty", default=None, choices=["easy", "medium", "hard"], help="task difficulty"
    )
    p.add_argument("--task-source", default=None, help="built-in source name or a JSONL path")
    add_env_kwargs_argument(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="run folder: episodes.jsonl, summary.json, meta.json, report.html",
    )
    p.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    p.add_argument(
        "--record",
        type=Path,
        default=None,
        help="folder for trajectories.jsonl (and screenshots for GUI envs)",
    )
    p.add_argument("--json", type=Path, default=None, help="write the summary as JSON here")
    add_agent_arguments(p)
    p.set_defaults(func=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    import tempfile

    from rich.console import Console
    from rich.table import Table

    from agentgym.benchmarks.cli import progress_display
    from agentgym.benchmarks.harness import SuiteEntry, load_episodes, plan_jobs, run_bench
    from agentgym.benchmarks.options import (
        UsageError,
        agent_specs,
        check_env_ids,
        check_out_dir,
        parse_env_kwargs,
    )

    console = Console(stderr=True)
    try:
        if args.episodes < 1:
            raise UsageError(f"--episodes must be at least 1, got {args.episodes}")
        if args.seed < 0:
            raise UsageError(f"--seed must be >= 0, got {args.seed}")
        check_env_ids([args.env])
        kwargs: dict[str, Any] = {}
        for key in ("reward_mode", "action_format", "max_turns", "difficulty", "task_source"):
            if getattr(args, key) is not None:
                kwargs[key] = getattr(args, key)
        kwargs.update(parse_env_kwargs(args.env_kwargs, [args.env])[args.env])
        specs = agent_specs([args.agent], args)
        if args.record is not None and args.concurrency > 1:
            raise UsageError("--record writes one file in order; use --concurrency 1 with it")
        if args.out is not None:
            check_out_dir(args.out, args.resume)
        elif args.resume:
            raise UsageError("--resume needs --out, the folder of the run to continue")
        for path in (args.json, args.record):
            if path is not None:
                _check_writable(path)
        entry = SuiteEntry(args.env, kwargs)
        # Build one env first, so bad kwargs are a message here and not an errored run.
        _make_env(args.env, kwargs, None).close()
    except UsageError as e:
        console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
        return 2
    except (ValueError, TypeError, OSError) as e:
        console.print(f"[red]error:[/red] {args.env}: {e}", highlight=False, soft_wrap=True)
        return 2
    jobs = plan_jobs([entry], specs, episodes=args.episodes, seed=args.seed, samples=args.samples)
    scratch = None
    out = args.out
    if out is None:
        scratch = tempfile.TemporaryDirectory(prefix="agentgym-run-")
        out = Path(scratch.name)
    try:
        with progress_display(console, jobs, out, args.resume) as on_episode:
            run_bench(
                jobs,
                out,
                make_env=lambda e: _make_env(e.env_id, dict(e.kwargs), args.record),
                concurrency=args.concurrency,
                resume=args.resume,
                meta={
                    "env_kwargs": [{"env": args.env, "kwargs": kwargs, "episodes": args.episodes}],
                    "agents": [s.record() for s in specs],
                },
                on_episode=on_episode,
            )
        records = load_episodes(out / "episodes.jsonl")
        if args.out is not None:
            from agentgym.benchmarks.report_html import write_report_html

            write_report_html([out], out / "report.html")
    finally:
        if scratch is not None:
            scratch.cleanup()
    summary = _run_summary(args.env, specs[0].label, records)
    n = summary["episodes"]
    title = f"{args.env} — {specs[0].label} agent, {n} episode{'' if n == 1 else 's'}"
    table = Table(title=title)
    for col in ("success rate", "mean score", "mean turns", "mean return", "mean step latency"):
        table.add_column(col, justify="right")
    if summary["errors"]:
        table.add_column("errored", justify="right")
    row = [
        f"{summary['success_rate']:.1%}",
        f"{summary['mean_score']:.3f}",
        f"{summary['mean_turns']:.2f}",
        f"{summary['mean_return']:.3f}",
        f"{summary['mean_step_ms']:.2f} ms",
    ]
    if summary["errors"]:
        row.append(str(summary["errors"]))
    table.add_row(*row)
    Console().print(table)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"summary": summary, "episodes": records}
        args.json.write_text(json.dumps(payload, indent=2))
    if args.out is not None:
        console.print(f"wrote {args.out}", highlight=False, soft_wrap=True)
    return 0


def _run_summary(env_id: str, agent: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``run`` summary: rates over the episodes that did not error."""
    ok = [r for r in records if not r.get("errored")]
    n = max(len(ok), 1)
    steps = [s for r in ok for s in r["steps"]]
    return {
        "env_id": env_id,
        "agent": agent,
        "episodes": len(records),
        "errors": len(records) - len(ok),
        "success_rate": sum(bool(r["success"]) for r in ok) / n,
        "mean_score": sum(float(r["score"]) for r in ok) / n,
        "mean_turns": sum(int(r["turns"]) for r in ok) / n,
        "mean_return": sum(float(r["return"]) for r in ok) / n,
        "mean_step_ms": sum(float(s["env_ms"]) for s in steps) / max(len(steps), 1),
    }


def _check_writable(path: Path) -> None:
    from agentgym.benchmarks.options import UsageError

    target = path if path.suffix == "" else path.parent
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot write to {str(path)!r}: {e.strerror or e}") from None
    if path.is_dir() and path.suffix:
        raise UsageError(f"{str(path)!r} is a folder, not a file")


def _make_env(env_id: str, kwargs: dict[str, Any], record: Path | None) -> Any:
    import gymnasium as gym
    from gymnasium.envs.registration import load_env_creator

    from agentgym.wrappers import TrajectoryRecorder

    if record is None:
        return gym.make(env_id, **kwargs)
    env_class = load_env_creator(gym.spec(env_id).entry_point)
    if "rgb_array" in getattr(env_class, "metadata", {}).get("render_modes", []):
        # Screen-based envs also get per-step PNGs and an animated GIF per episode.
        from agentgym.environments.gui import RecordEpisode

        env = RecordEpisode(gym.make(env_id, render_mode="rgb_array", **kwargs), record)
    else:
        env = gym.make(env_id, **kwargs)
    return TrajectoryRecorder(env, record / "trajectories.jsonl")


if __name__ == "__main__":
    sys.exit(main())
