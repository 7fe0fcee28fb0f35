"""GRPO throughput of the tiny policy: rollout and train tokens/s, env vs model time.

Rollouts run through the real ``AgentMath-v0`` (easy arithmetic) vector env with the tiny
byte-level policy of the reference run (random weights: throughput does not depend on them).
Each case is compared with the baseline a user would otherwise write, measured in the same run:

* rollouts: batched sampling with a KV cache (ours) vs the same batch re-running the whole
  sequence for every new token (no cache), and vs one episode at a time (no batching);
* training: one padded forward/backward over the batch (ours) vs a loop over sequences;
* where rollout time goes: env ``reset``/``step`` vs the model, for random completions (parse
  errors, the cheapest env steps) and for scripted ``python`` tool calls (sandboxed runs).

Run ``python -m agentgym.benchmarks.perf.grpo`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from agentgym.benchmarks.report import add_out_argument, write_report

ENV_ID = "AgentMath-v0"
ENV_KWARGS = {"task_source": "generated:arithmetic", "difficulty": "easy", "max_turns": 3}
POLICY = {
    "kind": "tiny",
    "d_model": 128,
    "n_layers": 3,
    "n_heads": 4,
    "max_len": 160,
    "system_prompt": False,
}


def _rollouts(policy: Any, num_envs: int, episodes: int, use_cache: bool, seed: int) -> dict:
    from agentgym.agents.policy import torch
    from agentgym.agents.rollout import RolloutStats, collect, make_envs

    envs = make_envs(ENV_ID, num_envs, ENV_KWARGS)
    stats = RolloutStats()
    gen = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    trajs = collect(
        envs,
        policy,
        list(range(episodes)),
        max_new_tokens=32,
        generator=gen,
        stats=stats,
        use_cache=use_cache,
    )
    wall = time.perf_counter() - t0
    envs.close()
    return {
        "trajectories": trajs,
        "wall_s": wall,
        "tokens": stats.policy_tokens,
        "tokens_per_s": stats.policy_tokens / wall,
        "env_share": stats.env_seconds / wall,
        "model_share": stats.model_seconds / wall,
    }


def _scripted_env_share(policy: Any, episodes: int) -> dict:
    from agentgym.agents.rollout import RolloutStats, collect, make_envs
    from agentgym.agents.sft import calculator_demonstrator

    envs = make_envs(ENV_ID, min(episodes, 16), ENV_KWARGS)
    stats = RolloutStats()
    t0 = time.perf_counter()
    trajs = collect(envs, policy, list(range(episodes)), actor=calculator_demonstrator, stats=stats)
    wall = time.perf_counter() - t0
    envs.close()
    steps = sum(len(t.turn_rewards) for t in trajs)
    return {
        "wall_s": wall,
        "env_share": stats.env_seconds / wall,
        "env_ms_per_step": 1000 * stats.env_seconds / steps,
    }


def _train_tokens_per_s(policy: Any, trajs: list, repeats: int, batched: bool) -> float:
    from agentgym.agents.grpo import grpo_loss
    from agentgym.agents.policy import torch

    opt = torch.optim.AdamW(list(policy.parameters()), lr=1e-5)
    tokens = sum(len(t.token_ids) for t in trajs)
    adv = torch.linspace(-1, 1, len(trajs))

    def loss_of(batch: list, a: torch.Tensor) -> torch.Tensor:
        width = max(len(t.token_ids) for t in batch)
        mask = torch.zeros(len(batch), width)
        old = torch.zeros(len(batch), width)
        for i, t in enumerate(batch):
            mask[i, : len(t.loss_mask)] = torch.tensor(t.loss_mask, dtype=torch.float32)
            old[i, : len(t.logprobs)] = torch.tensor(t.logprobs, dtype=torch.float32)
        logp = policy.score([t.token_ids for t in batch])
        return grpo_loss(logp, old, a, mask, aggregation="token")[0]

    t0 = time.perf_counter()
    for _ in range(repeats):
        opt.zero_grad()
        if batched:
            loss_of(trajs, adv).backward()
        else:
            for i, t in enumerate(trajs):
                (loss_of([t], adv[i : i + 1]) / len(trajs)).backward()
        opt.step()
    return tokens * repeats / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write ``<--out>/grpo.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer episodes (smoke run)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    add_out_argument(parser)
    args = parser.parse_args(argv)

    from agentgym.agents.policy import make_policy, torch

    torch.set_num_threads(args.threads)
    batch = 16 if args.quick else 64
    policy = make_policy(POLICY)
    ours = _rollouts(policy, batch, batch, use_cache=True, seed=0)
    naive = _rollouts(policy, batch, batch, use_cache=False, seed=0)
    single = _rollouts(policy, 1, batch // 4, use_cache=True, seed=0)
    scripted = _scripted_env_share(policy, batch // 2)
    repeats = 1 if args.quick else 3
    trajs = ours["trajectories"]
    train_batched = _train_tokens_per_s(policy, trajs, repeats, batched=True)
    train_loop = _train_tokens_per_s(policy, trajs, repeats, batched=False)
    rows = [
        {
            "case": "rollout base: no KV cache",
            "tokens_per_s": naive["tokens_per_s"],
            "env_share": naive["env_share"],
            "model_share": naive["model_share"],
            "ratio_vs_baseline": 1.0,
        },
        {
            "case": "rollout base: unbatched",
            "tokens_per_s": single["tokens_per_s"],
            "env_share": single["env_share"],
            "model_share": single["model_share"],
            "ratio_vs_baseline": 1.0,
        },
        {
            "case": f"rollout ours: {batch} envs + cache",
            "tokens_per_s": ours["tokens_per_s"],
            "env_share": ours["env_share"],
            "model_share": ours["model_share"],
            "ratio_vs_no_cache": ours["tokens_per_s"] / naive["tokens_per_s"],
            "ratio_vs_unbatched": ours["tokens_per_s"] / single["tokens_per_s"],
        },
        {
            "case": "train base: per-sequence loop",
            "tokens_per_s": train_loop,
            "ratio_vs_baseline": 1.0,
        },
        {
            "case": f"train ours: batch of {len(trajs)}",
            "tokens_per_s": train_batched,
            "ratio_vs_loop": train_batched / train_loop,
        },
        {
            "case": "python tool calls (scripted)",
            "env_share": scripted["env_share"],
            "env_ms_per_step": scripted["env_ms_per_step"],
        },
    ]
    meta = {
        "env": ENV_ID,
        "env_kwargs": ENV_KWARGS,
        "policy": POLICY,
        "batch": batch,
        "max_new_tokens": 32,
        "torch_threads": args.threads,
        "quick": args.quick,
    }
    path = write_report("grpo", "GRPO throughput (tiny policy)", rows, meta=meta, out_dir=args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
