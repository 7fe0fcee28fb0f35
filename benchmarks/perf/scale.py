"""Rollout throughput on Ray: episodes/s with 1, 2 and 4 actors vs Gymnasium's vector envs.

Each case runs the same number of envs (``--envs``, default 4) driven by the oracle, with
same-step autoreset, for ``--seconds`` after a warm-up, and counts finished episodes. The
baselines, measured in the same run, are ``SyncVectorEnv`` and ``AsyncVectorEnv`` with the
same envs; :class:`RayVectorEnv` runs them as 1, 2 or 4 actors. The per-step overhead Ray adds
is a step of one env through one actor minus the same step in-process (a malformed action,
which the env answers without a sandbox). Memory: each actor process's RSS, per env it hosts
(sandbox servers are processes of their own, measured by ``sandbox.py``). Target, on 2 cores: 2 actors >= 1.6x 1 actor for
AgentCode-v0.

Run: ``python -m agentgym.benchmarks.perf.scale [--seconds S] [--envs N]``
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
from gymnasium.vector import AutoresetMode

from agentgym.benchmarks.report import write_report

TARGET_2_ACTORS = 1.6
ENV_IDS = ("AgentMath-v0", "AgentCode-v0")


def episodes_per_s(envs: Any, seconds: float) -> float:
    """Drive ``envs`` with oracle actions; return finished episodes per second."""
    envs.reset(seed=0)
    for _ in range(3):  # warm-up: sandbox pools started, first tasks built
        envs.step(list(envs.call("oracle_action")))
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        _, _, terminated, truncated, _ = envs.step(list(envs.call("oracle_action")))
        done += int((terminated | truncated).sum())
    return done / (time.perf_counter() - t0)


def _actor_rss_mib(actor: Any) -> float:
    """Return the RSS of the calling actor's process in MiB (run inside the actor)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def step_seconds(envs: Any, steps: int) -> float:
    """Return the best-of-three mean seconds per step of a malformed action."""
    envs.reset(seed=0)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            envs.step(["no tool call here"] * envs.num_envs)
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write ``results/scale.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--envs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=300, help="steps for the overhead case")
    args = parser.parse_args(argv)
    import ray

    import agentgym  # noqa: F401
    from agentgym.integrations.ray import RayVectorEnv

    # Logical CPUs: 4 actors may share 2 cores; the benchmark measures that sharing.
    ray.init(
        address="local",
        num_cpus=max(4, os.cpu_count() or 1),
        include_dashboard=False,
        log_to_driver=False,
    )
    rows: list[dict[str, Any]] = []
    same_step = {"autoreset_mode": AutoresetMode.SAME_STEP}
    try:
        for env_id in ENV_IDS:
            kwargs = {"max_turns": 4}
            results: dict[str, float] = {}
            memory: dict[str, float] = {}
            for mode in ("sync", "async"):
                envs = gym.make_vec(
                    env_id, args.envs, vectorization_mode=mode, vector_kwargs=same_step, **kwargs
                )
                try:
                    results[mode] = episodes_per_s(envs, args.seconds)
                finally:
                    envs.close()
            for actors in (1, 2, 4):
                envs = RayVectorEnv(
                    env_id,
                    args.envs,
                    envs_per_actor=max(1, args.envs // actors),
                    autoreset_mode=AutoresetMode.SAME_STEP,
                    **kwargs,
                )
                try:
                    results[f"ray x{actors}"] = episodes_per_s(envs, args.seconds)
                    memory[f"ray x{actors}"] = (
                        sum(ray.get([a.__ray_call__.remote(_actor_rss_mib) for a in envs.actors]))
                        / args.envs
                    )
                finally:
                    envs.close()
            one = results["ray x1"]
            for case, eps in results.items():
                row: dict[str, Any] = {
                    "env": env_id,
                    "case": case,
                    "episodes_per_s": eps,
                    "ratio_vs_sync": eps / results["sync"],
                    "ratio_vs_1_actor": eps / one,
                }
                if case in memory:
                    row["actor_rss_mib_per_env"] = memory[case]
                if env_id == "AgentCode-v0" and case == "ray x2":
                    row["meets_1.6x_target"] = eps / one >= TARGET_2_ACTORS
                rows.append(row)
        local = gym.make_vec("AgentMath-v0", 1, vectorization_mode="sync", max_turns=10**6)
        remote = RayVectorEnv("AgentMath-v0", 1, max_turns=10**6)
        try:
            base, over = step_seconds(local, args.steps), step_seconds(remote, args.steps)
        finally:
            local.close()
            remote.close()
        rows.append(
            {
                "env": "AgentMath-v0",
                "case": "per-step overhead: 1 env via 1 actor vs in-process",
                "us_per_step_local": base * 1e6,
                "us_per_step_ray": over * 1e6,
                "ray_overhead_us": (over - base) * 1e6,
            }
        )
    finally:
        ray.shutdown()
    path = write_report(
        "scale",
        "Rollouts on Ray: episodes/s vs Sync/AsyncVectorEnv",
        rows,
        meta={
            "envs": args.envs,
            "seconds": args.seconds,
            "cpus": os.cpu_count(),
            "target_2_actors_vs_1": TARGET_2_ACTORS,
        },
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
