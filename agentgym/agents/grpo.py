"""GRPO: group relative policy optimisation over multi-turn agentgym episodes.

One step:

1. Draw ``tasks_per_step`` task seeds and play ``group_size`` episodes of each (a group) with
   the current policy through the vector env (:func:`agentgym.agents.rollout.collect`).
2. Score every episode by its return and normalise within its group:
   ``A = (R - mean_group) / (std_group + eps)`` (``std_normalize=False`` drops the division,
   as Dr. GRPO does). Groups whose rewards are all equal carry no signal; with
   ``drop_zero_variance_groups`` they are left out of the batch (DAPO's dynamic sampling,
   without resampling).
3. Minimise, over the policy's own tokens only (prompts and env replies are masked), the
   clipped importance-ratio loss against the rollout policy plus a KL penalty to a frozen
   reference (the k3 estimator ``exp(r - l) - (r - l) - 1`` with ``l, r`` the policy and
   reference log-probs):
   ``-min(ρ A, clip(ρ, 1 - ε_low, 1 + ε_high) A) + β KL``, with ``ε_high > ε_low`` for
   DAPO's clip-higher. Tokens are averaged per sequence then over sequences
   (``loss_aggregation="sequence"``, the original GRPO) or over all tokens of the batch
   (``"token"``, as DAPO and Dr. GRPO do, so long answers are not down-weighted).

:func:`train_grpo` adds checkpoints, resume, JSONL metrics, held-out evaluation, a progress
bar and a learning-curve PNG.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

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
    RolloutStats,
    Trajectory,
    collect,
    make_envs,
    summarize,
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
    "GRPOConfig",
    "GRPOTrainer",
    "LossStats",
    "group_advantages",
    "grpo_loss",
    "train_grpo",
]

# Held-out evaluation uses seeds below this; training draws task seeds above it.
TRAIN_SEED_FLOOR = 1_000_000


@dataclass(frozen=True)
class GRPOConfig:
    """Options of a GRPO run (the ``grpo`` config file; every key is optional but ``env``).

    Attributes:
        env: The env id, e.g. ``"AgentMath-v0"``.
        env_kwargs: Passed to ``gym.make_vec`` (``task_source``, ``difficulty``, ...).
        vectorization_mode: ``"sync"`` or ``"async"`` (env steps in worker processes).
        num_envs: Size of the vector env (default: one batch, ``tasks_per_step * group_size``).
        policy: A policy config dict (``agentgym.agents.policy.PolicyConfig``) for a fresh
            policy; ignored when ``init`` is set.
        init: A saved policy folder to start from (e.g. the SFT run's ``policy``), or "".
        steps: Optimisation steps (each one a fresh batch of rollouts).
        tasks_per_step: Tasks (groups) per step.
        group_size: Rollouts per task (G).
        max_new_tokens: Token budget of one assistant turn.
        temperature: Rollout sampling temperature.
        lr: AdamW learning rate.
        weight_decay: AdamW weight decay.
        grad_clip: Max gradient norm (0: none).
        epochs: Passes over each batch (more than one makes the clipping bite).
        minibatches: Optimiser steps per pass.
        clip_eps_low: Lower clip range ε_low.
        clip_eps_high: Upper clip range ε_high (> ε_low: DAPO clip-higher).
        kl_coef: β of the k3 KL penalty to the frozen initial policy (0: no reference kept).
        std_normalize: Divide advantages by the group's std (False: Dr. GRPO).
        loss_aggregation: ``"sequence"`` (GRPO) or ``"token"`` (DAPO / Dr. GRPO).
        drop_zero_variance_groups: Leave out groups whose rewards are all equal.
        eval_every: Evaluate on held-out tasks every this many steps (0: only at the ends).
        eval_episodes: Held-out episodes per evaluation (seeds ``0 .. n-1``, greedy).
        checkpoint_every: Save a checkpoint every this many steps (0: only at the end).
        export_every: Append the step's trajectories to ``trajectories.jsonl`` every this
            many steps (0: never).
        seed: Seed of the task draw and of sampling.
        threads: ``torch.set_num_threads`` (0: leave torch's default).
        max_minutes: Wall-clock budget of the run in minutes (0: none); when it runs out the
            run evaluates, saves and stops early, counting the minutes of earlier sessions.
    """

    env: str
    env_kwargs: Mapping[str, Any] = field(default_factory=dict)
    vectorization_mode: str = "sync"
    num_envs: int = 0
    policy: Mapping[str, Any] = field(default_factory=dict)
    init: str = ""
    steps: int = 100
    tasks_per_step: int = 8
    group_size: int = 8
    max_new_tokens: int = 32
    temperature: float = 1.0
    lr: float = 3e-4
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    epochs: int = 1
    minibatches: int = 1
    clip_eps_low: float = 0.2
    clip_eps_high: float = 0.2
    kl_coef: float = 0.0
    std_normalize: bool = True
    loss_aggregation: str = "sequence"
    drop_zero_variance_groups: bool = False
    eval_every: int = 10
    eval_episodes: int = 64
    checkpoint_every: int = 25
    export_every: int = 0
    seed: int = 0
    threads: int = 0
    max_minutes: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.max_minutes, bool) or not (
            isinstance(self.max_minutes, int | float) and self.max_minutes >= 0
        ):
            raise ValueError(f"grpo.max_minutes must be a number >= 0, got {self.max_minutes!r}")
        positive = (
            "steps",
            "tasks_per_step",
            "group_size",
            "max_new_tokens",
            "epochs",
            "minibatches",
        )
        check_ints("grpo", self, positive, 1)
        check_ints(
            "grpo",
            self,
            ("num_envs", "eval_every", "checkpoint_every", "export_every", "threads"),
            0,
        )
        if self.loss_aggregation not in ("sequence", "token"):
            raise ValueError(
                f"grpo.loss_aggregation must be 'sequence' or 'token', got {self.loss_aggregation!r}"
            )
        if not (0 <= self.clip_eps_low < 1) or self.clip_eps_high < 0:
            raise ValueError("grpo.clip_eps_low must be in [0, 1) and clip_eps_high >= 0")
        if self.kl_coef < 0 or self.lr <= 0 or self.temperature <= 0:
            raise ValueError("grpo.kl_coef must be >= 0, lr > 0 and temperature > 0")
        if self.group_size < 2:
            raise ValueError("grpo.group_size must be >= 2 (advantages are relative to the group)")
        if not self.init and not self.policy:
            raise ValueError("give grpo.init (a saved policy) or grpo.policy (a fresh one)")
        if self.policy:
            policy_config_from_dict(self.policy)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> GRPOConfig:
        """Build a config from a dict, naming unknown keys."""
        return config_from_dict(cls, "grpo", record)

    @property
    def batch_size(self) -> int:
        """Episodes per step: ``tasks_per_step * group_size``."""
        return self.tasks_per_step * self.group_size


def group_advantages(
    rewards: Sequence[float],
    groups: Sequence[int],
    *,
    std_normalize: bool = True,
    eps: float = 1e-6,
) -> np.ndarray:
    """Return group-normalised advantages ``(R - mean_g) / (std_g + eps)``.

    Args:
        rewards: The return of each episode.
        groups: The group of each episode (equal ids share a task).
        std_normalize: Divide by the group's (population) std; False keeps ``R - mean_g``.
        eps: Added to the std.

    Returns:
        A float array like ``rewards``; a group whose rewards are all equal gets zeros.
    """
    r = np.asarray(rewards, dtype=np.float64)
    g = np.asarray(groups)
    adv = np.zeros_like(r)
    for gid in np.unique(g):
        sel = g == gid
        centred = r[sel] - r[sel].mean()
        adv[sel] = centred / (r[sel].std() + eps) if std_normalize else centred
    return adv


@dataclass(frozen=True)
class LossStats:
    """Diagnostics of one loss evaluation (floats, averaged over the policy's tokens).

    Attributes:
        loss: The total loss.
        pg_loss: The clipped policy-gradient part.
        kl: Mean k3 KL to the reference (0 without one).
        clip_frac: Fraction of tokens whose ratio was clipped.
        ratio_mean: Mean importance ratio.
    """

    loss: float
    pg_loss: float
    kl: float
    clip_frac: float
    ratio_mean: float


def grpo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    *,
    ref_logp: torch.Tensor | None = None,
    clip_eps_low: float = 0.2,
    clip_eps_high: float = 0.2,
    kl_coef: float = 0.0,
    aggregation: str = "sequence",
) -> tuple[torch.Tensor, LossStats]:
    """Return the GRPO loss over masked tokens and its diagnostics.

    Args:
        logp: Log-probs of the tokens under the policy being trained (B, T), with gradients.
        old_logp: Log-probs under the rollout policy (B, T).
        advantages: One advantage per sequence (B,).
        mask: 1 on the policy's own tokens (B, T).
        ref_logp: Log-probs under the frozen reference (B, T), or None for no KL term.
        clip_eps_low: ε_low; the ratio is clipped below at ``1 - ε_low``.
        clip_eps_high: ε_high; the ratio is clipped above at ``1 + ε_high``.
        kl_coef: β, the weight of the k3 KL estimate.
        aggregation: ``"sequence"`` (mean per sequence, then over sequences) or ``"token"``
            (mean over all tokens of the batch).

    Returns:
        ``(loss, stats)``.
    """
    mask = mask.to(logp.dtype)
    adv = advantages.to(logp.dtype)[:, None]
    ratio = torch.exp(logp - old_logp)
    clipped = torch.clamp(ratio, 1.0 - clip_eps_low, 1.0 + clip_eps_high)
    pg = -torch.minimum(ratio * adv, clipped * adv)
    per_token = pg
    kl = torch.zeros_like(logp)
    if ref_logp is not None and kl_coef > 0:
        delta = ref_logp - logp
        kl = torch.exp(delta) - delta - 1.0
        per_token = pg + kl_coef * kl
    n_tokens = mask.sum().clamp(min=1.0)
    if aggregation == "token":
        loss = (per_token * mask).sum() / n_tokens
    elif aggregation == "sequence":
        per_seq = (per_token * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        has_tokens = (mask.sum(1) > 0).to(logp.dtype)
        loss = (per_seq * has_tokens).sum() / has_tokens.sum().clamp(min=1.0)
    else:
        raise ValueError(f"aggregation must be 'sequence' or 'token', got {aggregation!r}")
    with torch.no_grad():
        was_clipped = ((ratio * adv) > (clipped * adv)).to(logp.dtype)
        stats = LossStats(
            loss=float(loss.detach()),
            pg_loss=float((pg * mask).sum() / n_tokens),
            kl=float((kl * mask).sum() / n_tokens),
            clip_frac=float((was_clipped * mask).sum() / n_tokens),
            ratio_mean=float((ratio * mask).sum() / n_tokens),
        )
    return loss, stats


class GRPOTrainer:
    """Holds the policy, the reference, the optimiser and the envs of a GRPO run.

    Args:
        config: The run's options.
        policy: Start from this policy instead of ``config.init`` / ``config.policy``.

    Attributes:
        rollout_stats: Where rollout time went over the run so far (env vs. model seconds,
            tokens sampled, episodes), a :class:`~agentgym.agents.rollout.RolloutStats`.

    Example:
        >>> trainer = GRPOTrainer(GRPOConfig(env="AgentMath-v0", policy={"kind": "tiny"}))
        >>> metrics = trainer.step()  # doctest: +SKIP
    """

    def __init__(self, config: GRPOConfig, policy: Policy | None = None):
        self.config = config
        policy = start_policy(config.init, config.policy, config.threads, policy)
        self.policy = policy
        self.ref = policy.frozen_copy() if config.kl_coef > 0 else None
        self.optimizer = torch.optim.AdamW(
            [p for p in policy.parameters() if p.requires_grad],
            lr=config.lr,
            betas=(0.9, 0.99),
            weight_decay=config.weight_decay,
        )
        self.envs = make_envs(
            config.env,
            config.num_envs or config.batch_size,
            config.env_kwargs,
            config.vectorization_mode,
        )
        self.generator = torch.Generator().manual_seed(config.seed)
        self.rollout_stats = RolloutStats()
        self.step_count = 0
        self.train_prompts: set[str] = set()

    def close(self) -> None:
        """Close the envs."""
        self.envs.close()

    def task_seeds(self, step: int) -> list[int]:
        """Return the task seeds of ``step`` (above the held-out range, reproducible)."""
        rng = np.random.default_rng([self.config.seed, step])
        return [int(s) for s in rng.integers(TRAIN_SEED_FLOOR, 2**31, self.config.tasks_per_step)]

    def rollouts(self, step: int) -> list[Trajectory]:
        """Play the groups of ``step`` with the current policy."""
        g = self.config.group_size
        seeds = [s for s in self.task_seeds(step) for _ in range(g)]
        groups = [i // g for i in range(len(seeds))]
        return collect(
            self.envs,
            self.policy,
            seeds,
            groups=groups,
            max_new_tokens=self.config.max_new_tokens,
            temperature=self.config.temperature,
            generator=self.generator,
            stats=self.rollout_stats,
        )

    def update(self, trajectories: Sequence[Trajectory]) -> dict[str, float]:
        """Run the optimiser on a batch of rollouts; return the step's metrics."""
        cfg = self.config
        rewards = [t.reward for t in trajectories]
        groups = [t.group for t in trajectories]
        adv = group_advantages(rewards, groups, std_normalize=cfg.std_normalize)
        group_ids = np.asarray(groups)
        zero_var = [
            gid
            for gid in np.unique(group_ids)
            if np.ptp(np.asarray(rewards)[group_ids == gid]) == 0
        ]
        keep = [
            i
            for i, t in enumerate(trajectories)
            if t.num_policy_tokens > 0
            and not (cfg.drop_zero_variance_groups and t.group in zero_var)
        ]
        metrics: dict[str, float] = {
            "zero_variance_groups": len(zero_var) / max(1, len(np.unique(group_ids))),
            "trained_episodes": len(keep),
        }
        if not keep:
            return metrics
        temperature = cfg.temperature
        order = np.random.default_rng([cfg.seed, self.step_count, 1]).permutation(keep)
        chunks = [c for c in np.array_split(order, min(cfg.minibatches, len(order))) if len(c)]
        sums: dict[str, float] = {}
        n_updates = 0
        # The chunks' tensors and the frozen reference's log-probs do not change between
        # epochs: build them once.
        prepared = []
        for chunk in chunks:
            batch = [trajectories[i] for i in chunk]
            seqs = [t.token_ids for t in batch]
            ref = None
            if self.ref is not None:
                with torch.no_grad():
                    ref = self.ref.score(seqs, temperature=temperature)
            prepared.append(
                (
                    seqs,
                    pad_rows([t.loss_mask for t in batch], torch.float32),
                    pad_rows([t.logprobs for t in batch], torch.float32),
                    torch.tensor(adv[chunk], dtype=torch.float32),
                    ref,
                )
            )
        self.policy.model.train()
        for _ in range(cfg.epochs):
            for seqs, mask, old, adv_t, ref in prepared:
                logp = self.policy.score(seqs, temperature=temperature)
                loss, stats = grpo_loss(
                    logp,
                    old,
                    adv_t,
                    mask,
                    ref_logp=ref,
                    clip_eps_low=cfg.clip_eps_low,
                    clip_eps_high=cfg.clip_eps_high,
                    kl_coef=cfg.kl_coef,
                    aggregation=cfg.loss_aggregation,
                )
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if cfg.grad_clip > 0:
                    norm = torch.nn.utils.clip_grad_norm_(
                        list(self.policy.parameters()), cfg.grad_clip
                    )
                    sums["grad_norm"] = sums.get("grad_norm", 0.0) + float(norm)
                self.optimizer.step()
                for k, v in dataclasses.asdict(stats).items():
                    sums[k] = sums.get(k, 0.0) + v
                n_updates += 1
        metrics.update({k: v / n_updates for k, v in sums.items()})
        metrics["train_tokens"] = float(sum(len(trajectories[i].token_ids) for i in keep))
        return metrics

    def step(self) -> tuple[dict[str, float], list[Trajectory]]:
        """Collect one batch of groups, update the policy, and return metrics and rollouts."""
        t0 = time.perf_counter()
        trajs = self.rollouts(self.step_count)
        t1 = time.perf_counter()
        metrics = self.update(trajs)
        t2 = time.perf_counter()
        for t in trajs:
            self.train_prompts.add(_first_user_message(t))
        summary = summarize(trajs)
        metrics.update(
            reward_mean=summary.mean_return,
            success_rate=summary.success_rate,
            completion_tokens=float(np.mean([t.num_policy_tokens for t in trajs])),
            rollout_seconds=t1 - t0,
            update_seconds=t2 - t1,
        )
        self.step_count += 1
        return metrics, trajs

    def evaluate(self, episodes: int | None = None) -> dict[str, float]:
        """Greedy results on held-out seeds ``0 .. episodes-1``.

        Generated task sources may repeat a problem under another seed, so besides success
        on all held-out episodes this reports the share of held-out prompts that also came
        up in training (``eval_seen_in_training``) and the success on the others
        (``eval_success_unseen``).
        """
        n = episodes if episodes is not None else self.config.eval_episodes
        trajs = collect(
            self.envs,
            self.policy,
            list(range(n)),
            max_new_tokens=self.config.max_new_tokens,
            temperature=0.0,
        )
        result = summarize(trajs)
        out = {
            "eval_success": result.success_rate,
            "eval_score": result.mean_score,
            "eval_return": result.mean_return,
        }
        if self.train_prompts and trajs:
            seen = [_first_user_message(t) in self.train_prompts for t in trajs]
            out["eval_seen_in_training"] = float(np.mean(seen))
            unseen = [t.success for t, s in zip(trajs, seen, strict=True) if not s]
            if unseen:
                out["eval_success_unseen"] = float(np.mean(unseen))
        return out

    # --- checkpoints -------------------------------------------------------------------------

    def save(self, folder: str | Path) -> None:
        """Write the policy and the trainer state (optimiser, step, RNG) into ``folder``."""
        save_checkpoint(
            folder,
            self.policy,
            self.optimizer,
            self.step_count,
            generator=self.generator.get_state(),
            train_prompts=sorted(self.train_prompts),
        )

    def load(self, folder: str | Path) -> bool:
        """Restore a checkpoint written by :meth:`save` (the reference stays the initial policy).

        Returns:
            False (and nothing changes) when ``folder`` holds no checkpoint.
        """
        state = load_checkpoint(folder, self.policy, self.optimizer)
        if state is None:
            return False
        self.generator.set_state(state["generator"])
        self.step_count = int(state["step"])
        self.train_prompts = set(state.get("train_prompts", ()))
        return True


def _first_user_message(t: Trajectory) -> str:
    return next((str(m["content"]) for m in t.messages if m.get("role") == "user"), "")


def train_grpo(
    config: GRPOConfig,
    out_dir: str | Path,
    *,
    resume: bool = False,
    progress: bool = True,
    policy: Policy | None = None,
) -> dict[str, Any]:
    """Run GRPO for ``config.steps`` steps, writing everything under ``out_dir``.

    Writes ``config.json``, ``metrics.jsonl`` (one record per step, with ``eval_*`` keys on
    evaluation steps), ``checkpoint/`` (policy + trainer state), ``policy/`` (the final
    policy), ``curve.png`` and, with ``export_every``, ``trajectories.jsonl``.

    Args:
        config: The run's options.
        out_dir: The run folder.
        resume: Continue from ``out_dir/checkpoint`` if it exists.
        progress: Show a progress bar.
        policy: Start from this policy (tests); default per ``config``.

    Returns:
        A summary: first and last held-out success, steps, minutes and paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2, default=dict))
    trainer = GRPOTrainer(config, policy=policy)
    ckpt = out / "checkpoint"
    resumed_from = None
    if resume and trainer.load(ckpt):
        resumed_from = trainer.step_count
    log = MetricsLog(out / "metrics.jsonl", resume_step=resumed_from)
    prior_minutes = max((r.get("minutes", 0.0) for r in log.records), default=0.0)
    t_start = time.perf_counter()
    first_eval = next((r for r in log.records if "eval_success" in r), None)
    if first_eval is None:
        with waiting("evaluating the initial policy", progress):
            first_eval = {"step": 0, **trainer.evaluate()}
        first_eval["minutes"] = prior_minutes
        first_eval["parameters"] = count_parameters(trainer.policy)
        log.write(first_eval)
    bar, task = progress_bar("grpo", config.steps, trainer.step_count, enabled=progress)
    last_eval = first_eval
    try:
        while trainer.step_count < config.steps:
            metrics, trajs = trainer.step()
            step = trainer.step_count
            record: dict[str, Any] = {"step": step, **metrics}
            if config.export_every and step % config.export_every == 0:
                write_trajectories(trajs, out / "trajectories.jsonl")
            minutes = prior_minutes + (time.perf_counter() - t_start) / 60
            out_of_time = bool(config.max_minutes) and minutes >= config.max_minutes
            is_last = step == config.steps or out_of_time
            if is_last or (config.eval_every and step % config.eval_every == 0):
                record.update(trainer.evaluate())
                last_eval = record
            record["minutes"] = prior_minutes + (time.perf_counter() - t_start) / 60
            log.write(record)
            if is_last or (config.checkpoint_every and step % config.checkpoint_every == 0):
                trainer.save(ckpt)
            bar.update(
                task,
                advance=1,
                info=f"reward {metrics['reward_mean']:.2f}  "
                f"held-out {last_eval.get('eval_success', 0.0):.2f}",
            )
            if out_of_time:
                break
    finally:
        bar.stop()
        trainer.close()
    trainer.policy.save(out / "policy")
    curve = plot_curve(
        log.records,
        out / "curve.png",
        f"GRPO on {config.env}",
        "success_rate",
        "rollout success (training)",
    )
    return {
        "initial_eval_success": first_eval.get("eval_success"),
        "final_eval_success": last_eval.get("eval_success"),
        "steps": trainer.step_count,
        "minutes": log.records[-1].get("minutes", 0.0),
        "curve": str(curve),
        "policy": str(out / "policy"),
    }
