"""Supervised fine-tuning (SFT) on oracle trajectories: the warm start before GRPO.

The oracle (``env.unwrapped.oracle_action()``) plays episodes through the same rollout code
as the policy, so its completions are tokenized exactly as the policy's own turns would be;
cross-entropy is taken on the assistant tokens only (the loss mask). Any trajectory JSONL in
the export format (``docs/training.md``) can be used instead, via ``data``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agentgym.agents.grpo import TRAIN_SEED_FLOOR
from agentgym.agents.policy import (
    Policy,
    count_parameters,
    load_checkpoint,
    pad_rows,
    policy_config_from_dict,
    save_checkpoint,
    start_policy,
    torch,
)
from agentgym.agents.rollout import (
    Trajectory,
    collect,
    evaluate,
    make_envs,
    read_trajectories,
    write_trajectories,
)
from agentgym.agents.runlog import (
    MetricsLog,
    check_ints,
    config_from_dict,
    plot_curve,
    progress_bar,
    waiting,
)

__all__ = [
    "DEMONSTRATORS",
    "SFTConfig",
    "calculator_demonstrator",
    "demonstrations",
    "sft_loss",
    "train_sft",
]

_MATH = re.compile(r"\$([^$]+)\$")
_LATEX_OPS = (("\\times", "*"), ("\\cdot", "*"), ("\\div", "/"), ("^", "**"))
_TOOL_OUTPUT = re.compile(r'<tool_result name="python">\s*(.*?)\s*</tool_result>', re.DOTALL)


def calculator_demonstrator(messages: Sequence[Mapping[str, Any]]) -> str:
    """A scripted tool user for "Compute $EXPR$." prompts, in the XML action format.

    Turn 1 runs ``print(EXPR)`` (LaTeX operators turned into Python) with the ``python``
    tool; turn 2 answers with the printed value. It reads only what the agent sees, so a
    policy can learn to imitate it, unlike an oracle that answers from hidden task data.
    """
    replies = [m for m in messages if m.get("role") == "user"]
    if len(replies) >= 2:
        found = _TOOL_OUTPUT.search(str(replies[-1].get("content", "")))
        return f"<answer>{found.group(1) if found else ''}</answer>"
    found = _MATH.search(str(replies[0].get("content", ""))) if replies else None
    expr = found.group(1) if found else ""
    for latex, python in _LATEX_OPS:
        expr = expr.replace(latex, python)
    return f"<python>print({expr.strip()})</python>"


# Demonstrators an SFT config may name. "oracle" is the env's privileged oracle in its tools
# style (it runs the visible tests, computes with python, then answers), so the demonstrations
# teach tool use; "oracle-direct" answers at once.
DEMONSTRATORS: dict[str, Any] = {
    "oracle": "oracle-tools",
    "oracle-direct": "oracle",
    "calculator": calculator_demonstrator,
}


@dataclass(frozen=True)
class SFTConfig:
    """Options of an SFT run (the ``sft`` config file).

    Attributes:
        env: The env id.
        env_kwargs: Passed to ``gym.make_vec``.
        num_envs: Vector env size for collecting demonstrations and evaluating.
        policy: A policy config dict for a fresh policy (ignored when ``init`` is set).
        init: A saved policy folder to continue from, or "".
        data: A trajectory JSONL to train on instead of fresh demonstrations, or "".
        demonstrator: Who plays the demonstrations: ``"oracle"`` (the env's
            ``oracle_action(style="tools")``: it uses the tools before answering),
            ``"oracle-direct"`` (``oracle_action()``, which answers at once) or
            ``"calculator"`` (:func:`calculator_demonstrator`).
        episodes: Oracle episodes to collect (training seeds, disjoint from held-out seeds).
        steps: Optimiser steps.
        batch_size: Trajectories per step.
        lr: AdamW learning rate.
        weight_decay: AdamW weight decay.
        grad_clip: Max gradient norm (0: none).
        max_new_tokens: Token budget of one turn when evaluating.
        eval_every: Evaluate every this many steps (0: only at the ends).
        eval_episodes: Held-out episodes per evaluation (seeds ``0 .. n-1``, greedy).
        checkpoint_every: Save a checkpoint every this many steps (0: only at the end).
        seed: Seed of the batch order.
        threads: ``torch.set_num_threads`` (0: leave torch's default).
    """

    env: str
    env_kwargs: Mapping[str, Any] = field(default_factory=dict)
    num_envs: int = 32
    policy: Mapping[str, Any] = field(default_factory=dict)
    init: str = ""
    data: str = ""
    demonstrator: str = "oracle"
    episodes: int = 2000
    steps: int = 200
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    max_new_tokens: int = 32
    eval_every: int = 50
    eval_episodes: int = 64
    checkpoint_every: int = 100
    seed: int = 0
    threads: int = 0

    def __post_init__(self) -> None:
        check_ints(
            "sft", self, ("num_envs", "episodes", "steps", "batch_size", "max_new_tokens"), 1
        )
        check_ints("sft", self, ("eval_every", "eval_episodes", "checkpoint_every", "threads"), 0)
        if self.lr <= 0:
            raise ValueError(f"sft.lr must be > 0, got {self.lr!r}")
        if not self.init and not self.policy:
            raise ValueError("give sft.init (a saved policy) or sft.policy (a fresh one)")
        if self.policy:
            policy_config_from_dict(self.policy)
        if self.demonstrator not in DEMONSTRATORS:
            raise ValueError(
                f"unknown sft.demonstrator {self.demonstrator!r}; "
                f"available: {sorted(DEMONSTRATORS)}"
            )

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> SFTConfig:
        """Build a config from a dict, naming unknown keys."""
        return config_from_dict(cls, "sft", record)


def demonstrations(
    envs: Any, policy: Policy, episodes: int, seed: int = 0, demonstrator: str = "oracle"
) -> list[Trajectory]:
    """Play ``episodes`` demonstrations on training seeds, tokenized for ``policy``.

    Episodes the demonstrator does not solve (or that outgrow the policy's context) are
    dropped.

    Raises:
        ValueError: If ``demonstrator`` is not in :data:`DEMONSTRATORS`.
    """
    if demonstrator not in DEMONSTRATORS:
        raise ValueError(
            f"unknown demonstrator {demonstrator!r}; available: {sorted(DEMONSTRATORS)}"
        )
    rng = np.random.default_rng([seed, 7])
    seeds = [int(s) for s in rng.integers(TRAIN_SEED_FLOOR, 2**31, episodes)]
    trajs = collect(envs, policy, seeds, actor=DEMONSTRATORS[demonstrator])
    return [t for t in trajs if t.success and not t.cut_by_length]


def sft_loss(policy: Policy, batch: Sequence[Trajectory]) -> torch.Tensor:
    """Return the mean negative log-likelihood of the masked (assistant) tokens of ``batch``."""
    logp = policy.score([t.token_ids for t in batch])
    # A trajectory's loss mask has one entry per token, so it pads to logp's width.
    mask = pad_rows([t.loss_mask for t in batch], logp.dtype)
    return -(logp * mask).sum() / mask.sum().clamp(min=1.0)


def train_sft(
    config: SFTConfig,
    out_dir: str | Path,
    *,
    resume: bool = False,
    progress: bool = True,
    policy: Policy | None = None,
) -> dict[str, Any]:
    """Train on oracle (or given) trajectories; write metrics, checkpoints, policy and curve.

    Writes ``config.json``, ``sft_data.jsonl`` (the demonstrations, in the export format),
    ``metrics.jsonl``, ``checkpoint/``, ``policy/`` and ``curve.png`` under ``out_dir``.

    Returns:
        A summary: first and last held-out success, steps, minutes and paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2, default=dict))
    policy = start_policy(config.init, config.policy, config.threads, policy)
    envs = make_envs(config.env, config.num_envs, config.env_kwargs, "sync")
    optimizer = torch.optim.AdamW(
        list(policy.parameters()), lr=config.lr, weight_decay=config.weight_decay
    )
    ckpt = out / "checkpoint"
    state = load_checkpoint(ckpt, policy, optimizer) if resume else None
    step = int(state["step"]) if state else 0
    log = MetricsLog(out / "metrics.jsonl", resume_step=step if step else None)
    data_path = out / "sft_data.jsonl"
    try:
        if config.data:
            data = read_trajectories(config.data)
        elif step and data_path.is_file():
            data = read_trajectories(data_path)
        else:
            with waiting(f"collecting {config.episodes} demonstration episodes", progress):
                data = demonstrations(
                    envs, policy, config.episodes, config.seed, config.demonstrator
                )
            data_path.unlink(missing_ok=True)
            write_trajectories(data, data_path)
        if not data:
            raise ValueError("no training trajectories (the oracle solved no episode?)")
        data = [t for t in data if len(t.token_ids) <= policy.max_len]
        prior_minutes = max((r.get("minutes", 0.0) for r in log.records), default=0.0)
        t_start = time.perf_counter()

        def held_out() -> dict[str, float]:
            r = evaluate(
                envs,
                policy,
                list(range(config.eval_episodes)),
                max_new_tokens=config.max_new_tokens,
            )
            return {"eval_success": r.success_rate, "eval_score": r.mean_score}

        first_eval = next((r for r in log.records if "eval_success" in r), None)
        if first_eval is None and config.eval_episodes:
            with waiting(
                f"evaluating the initial policy ({config.eval_episodes} episodes)", progress
            ):
                first_eval = {"step": 0, **held_out(), "minutes": prior_minutes}
            first_eval["parameters"] = count_parameters(policy)
            first_eval["demonstrations"] = len(data)
            log.write(first_eval)
        last_eval = first_eval or {}
        bar, task = progress_bar("sft", config.steps, step, enabled=progress)
        try:
            while step < config.steps:
                rng = np.random.default_rng([config.seed, step])
                batch = [data[i] for i in rng.integers(0, len(data), config.batch_size)]
                policy.model.train()
                loss = sft_loss(policy, batch)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if config.grad_clip > 0:
                    torch.nn.utils.clip_grad_norm_(list(policy.parameters()), config.grad_clip)
                optimizer.step()
                step += 1
                record: dict[str, Any] = {"step": step, "loss": float(loss.detach())}
                is_last = step == config.steps
                if config.eval_episodes and (
                    is_last or (config.eval_every and step % config.eval_every == 0)
                ):
                    record.update(held_out())
                    last_eval = record
                record["minutes"] = prior_minutes + (time.perf_counter() - t_start) / 60
                log.write(record)
                if is_last or (config.checkpoint_every and step % config.checkpoint_every == 0):
                    save_checkpoint(ckpt, policy, optimizer, step)
                bar.update(
                    task,
                    advance=1,
                    info=f"loss {record['loss']:.3f}  "
                    f"held-out {last_eval.get('eval_success', 0.0):.2f}",
                )
        finally:
            bar.stop()
    finally:
        envs.close()
    policy.save(out / "policy")
    curve = plot_curve(
        log.records, out / "curve.png", f"SFT on {config.env}", "loss", "training loss (NLL)"
    )
    return {
        "initial_eval_success": (first_eval or {}).get("eval_success"),
        "final_eval_success": last_eval.get("eval_success"),
        "steps": step,
        "demonstrations": len(data),
        "minutes": log.records[-1].get("minutes", 0.0) if log.records else 0.0,
        "curve": str(curve),
        "policy": str(out / "policy"),
    }
