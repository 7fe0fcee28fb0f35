"""The ``agentgym`` command line: list envs, run agents, and the subsystems' commands."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]

# Subcommands owned by subsystems: (name, module exposing add_parser(subparsers) and run(args)).
_PLUGGED = (
    ("sandbox", "agentgym.sandboxes.cli"),
    ("train", "agentgym.agents.train_cli"),
    ("bench", "agentgym.benchmarks.cli"),
    ("serve", "agentgym.serve"),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="agentgym", description="Gymnasium environments for LLM agents."
    )
    sub = parser.add_subparsers(dest="command", required=True)
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
    args = parser.parse_args(argv)
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
    p = sub.add_parser("run", help="run an agent on an env and print a summary")
    p.add_argument("env", help="env id, e.g. AgentCode-v0")
    p.add_argument("--agent", default="oracle", choices=["oracle", "random", "openai"])
    p.add_argument("--episodes", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--reward-mode", default="sparse", choices=["sparse", "dense"])
    p.add_argument("--action-format", default="xml", choices=["xml", "json", "openai"])
    p.add_argument("--max-turns", type=int, default=None)
    p.add_argument("--difficulty", default=None, choices=["easy", "medium", "hard"])
    p.add_argument("--task-source", default=None, help="built-in source name or a JSONL path")
    p.add_argument(
        "--record",
        type=Path,
        default=None,
        help="folder for trajectories.jsonl (and screenshots for GUI envs)",
    )
    p.add_argument("--json", type=Path, default=None, help="write the summary as JSON here")
    p.add_argument("--base-url", default=None, help="openai agent: chat server base URL")
    p.add_argument("--model", default=None, help="openai agent: model name")
    p.add_argument("--api-key", default=None, help="openai agent: bearer token")
    p.set_defaults(func=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    import gymnasium as gym
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
    from rich.table import Table

    from agentgym.agents.factory import make_agent
    from agentgym.runner import run_episodes, summarise

    console = Console(stderr=True)
    if args.episodes < 1:
        console.print("[red]error:[/red] --episodes must be at least 1")
        return 2
    if args.env not in gym.registry:
        known = ", ".join(sorted(k for k in gym.registry if k.startswith("Agent")))
        console.print(f"[red]error:[/red] unknown env {args.env!r}; registered: {known}")
        return 2
    kwargs: dict[str, Any] = {"reward_mode": args.reward_mode, "action_format": args.action_format}
    for key in ("max_turns", "difficulty", "task_source"):
        if getattr(args, key) is not None:
            kwargs[key] = getattr(args, key)
    try:
        env = _make_env(args.env, kwargs, args.record)
    except (ValueError, TypeError, OSError) as e:
        console.print(f"[red]error:[/red] {e}")
        return 2
    results = []
    try:
        agent = make_agent(
            args.agent,
            env,
            seed=args.seed,
            base_url=args.base_url,
            model=args.model,
            api_key=args.api_key,
        )
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            bar = progress.add_task(f"{args.env} / {args.agent}", total=args.episodes)
            for result in run_episodes(env, agent, args.episodes, seed=args.seed):
                results.append(result)
                progress.advance(bar)
    except ValueError as e:
        console.print(f"[red]error:[/red] {e}")
        return 2
    finally:
        env.close()
    summary = summarise(args.env, args.agent, results)
    table = Table(title=f"{args.env} — {args.agent} agent, {summary.episodes} episodes")
    for col in ("success rate", "mean score", "mean turns", "mean return", "mean step latency"):
        table.add_column(col, justify="right")
    table.add_row(
        f"{summary.success_rate:.1%}",
        f"{summary.mean_score:.3f}",
        f"{summary.mean_turns:.2f}",
        f"{summary.mean_return:.3f}",
        f"{summary.mean_step_ms:.2f} ms",
    )
    Console().print(table)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"summary": summary.to_dict(), "episodes": [r.__dict__ for r in results]}
        args.json.write_text(json.dumps(payload, indent=2))
    return 0


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
