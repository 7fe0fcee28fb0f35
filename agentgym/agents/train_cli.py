"""``agentgym train sft|grpo --env ID --config FILE``: the trainers from the command line.

A config file (JSON or TOML) holds shared keys at the top level (``env``, ``env_kwargs``,
``policy``, ...) and per-stage tables ``sft`` and ``grpo`` whose keys override them, so one
file describes a whole SFT-then-GRPO recipe. PyTorch is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run", "stage_options"]

STAGES: tuple[str, ...] = ("sft", "grpo")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "train",
        help="train a policy with SFT on oracle trajectories or with GRPO",
        description="Train a policy on an env. Writes metrics.jsonl, checkpoints, the final "
        "policy and curve.png into --out.",
    )
    p.add_argument("stage", choices=STAGES, help="sft (oracle warm start) or grpo")
    p.add_argument("--config", required=True, type=Path, help="a JSON or TOML config file")
    p.add_argument("--env", default=None, help="env id (overrides the config's 'env')")
    p.add_argument(
        "--env-kwargs",
        default=None,
        metavar="JSON",
        help="env constructor kwargs, merged over the config's 'env_kwargs'",
    )
    p.add_argument("--out", type=Path, default=None, help="run folder (default runs/STAGE-ENV)")
    p.add_argument("--init", default=None, help="start from this saved policy folder")
    p.add_argument("--steps", type=int, default=None, help="override the number of steps")
    p.add_argument("--seed", type=int, default=None, help="override the seed")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)
    return p


def stage_options(config: dict[str, Any], stage: str) -> dict[str, Any]:
    """Return the options of ``stage``: top-level keys overridden by the ``stage`` table."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    merged = {k: v for k, v in config.items() if k not in STAGES}
    section = config.get(stage, {})
    if not isinstance(section, dict):
        raise ValueError(f"config key {stage!r} must be a table/object")
    merged.update(section)
    return merged


def run(args: argparse.Namespace) -> int:
    """Run ``agentgym train``; returns the exit code (2 for a bad config or env)."""
    from rich.console import Console

    console = Console(stderr=True)
    try:
        from agentgym.agents.runlog import load_config_file

        options = stage_options(load_config_file(args.config), args.stage)
        for key in ("env", "init", "steps", "seed"):
            value = getattr(args, key)
            if value is not None:
                options[key] = value
        if args.env_kwargs is not None:
            options["env_kwargs"] = {
                **options.get("env_kwargs", {}),
                **_json_object(args.env_kwargs),
            }
        if args.stage == "sft":
            from agentgym.agents.sft import SFTConfig, train_sft

            config: Any = SFTConfig.from_dict(options)
            trainer = train_sft
        else:
            from agentgym.agents.grpo import GRPOConfig, train_grpo

            config = GRPOConfig.from_dict(options)
            trainer = train_grpo
        out = args.out or Path("runs") / f"{args.stage}-{config.env}"
        summary = trainer(config, out, resume=args.resume, progress=not args.no_progress)
    except (ImportError, ValueError, FileNotFoundError, KeyError, TypeError) as e:
        console.print(f"[red]error:[/red] {e}")
        return 2
    except Exception as e:  # gymnasium's unknown-id error and the like
        if type(e).__module__.startswith("gymnasium"):
            console.print(f"[red]error:[/red] {e}")
            return 2
        raise
    _print_summary(args.stage, summary)
    return 0


def _json_object(text: str) -> dict[str, Any]:
    import json

    try:
        value = json.loads(text)
    except ValueError as e:
        raise ValueError(f"--env-kwargs is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise ValueError("--env-kwargs must be a JSON object")
    return value


def _print_summary(stage: str, summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"train {stage}")
    table.add_column("metric")
    table.add_column("value")
    for key, value in summary.items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    Console(file=sys.stdout).print(table)
