"""Multi-turn, vectorised rollouts of a policy (or the oracle) through agentgym envs.

Each episode becomes a :class:`Trajectory`: the chat messages, one token sequence for the whole
conversation, a loss mask that is 1 only on tokens the policy produced, the rollout log-probs
and the reward of every turn. Trajectories export to JSONL for other trainers
(:func:`write_trajectories`, documented in ``docs/training.md``).

Rollouts drive a gymnasium vector env (``gym.make_vec``): all live episodes of a batch are
sampled in one batched model call per turn, then stepped together. Seeds pick tasks, so a
group of G rollouts of one task is G equal seeds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from agentgym.agents.policy import Policy, torch

__all__ = [
    "EvalResult",
    "RolloutStats",
    "Trajectory",
    "collect",
    "evaluate",
    "make_envs",
    "read_trajectories",
    "summarize",
    "write_trajectories",
]

ORACLE = "oracle"
ORACLE_TOOLS = "oracle-tools"  # oracle_action(style="tools"): uses the tools before answering
Message = Mapping[str, Any]


@dataclass(frozen=True)
class Trajectory:
    """One episode as a trainer sees it.

    Attributes:
        task_id: The env's task id.
        seed: The reset seed (equal seeds replay the same task).
        group: Index of the group of rollouts this one belongs to (same task).
        messages: The chat so far: system, user, then assistant / env-reply pairs.
        token_ids: The whole conversation as one token sequence.
        loss_mask: 1 on tokens the policy sampled (its own turns), 0 on prompts and replies.
        logprobs: Rollout log-probability of each masked token (0 elsewhere).
        turn_rewards: The env reward of each turn.
        score: The episode score in [0, 1] (0 when cut before the env ended it).
        success: Whether the env counted the episode as solved.
        terminated: The env ended the episode (answer or submit).
        truncated: The episode hit the turn limit, the time limit, or the policy's
            ``max_len`` (then ``cut_by_length`` is True).
        cut_by_length: The conversation outgrew the policy's context.
    """

    task_id: str
    seed: int
    group: int
    messages: list[dict[str, Any]]
    token_ids: list[int]
    loss_mask: list[int]
    logprobs: list[float]
    turn_rewards: list[float]
    score: float
    success: bool
    terminated: bool
    truncated: bool
    cut_by_length: bool = False

    @property
    def reward(self) -> float:
        """The return: the sum of the turn rewards."""
        return float(sum(self.turn_rewards))

    @property
    def num_policy_tokens(self) -> int:
        """Number of tokens the policy produced."""
        return int(sum(self.loss_mask))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON record (``reward`` included)."""
        record = asdict(self)
        record["reward"] = self.reward
        return record


@dataclass
class RolloutStats:
    """Where rollout time went, summed over calls of :func:`collect`.

    Attributes:
        env_seconds: Time in ``reset``/``step`` of the vector env.
        model_seconds: Time sampling from the policy (or asking the oracle).
        policy_tokens: Tokens sampled by the policy.
        episodes: Finished trajectories.
    """

    env_seconds: float = 0.0
    model_seconds: float = 0.0
    policy_tokens: int = 0
    episodes: int = 0


def make_envs(
    env_id: str,
    num_envs: int,
    env_kwargs: Mapping[str, Any] | None = None,
    vectorization_mode: str = "sync",
) -> gym.vector.VectorEnv:
    """Return ``gym.make_vec(env_id, num_envs, ...)`` after checking the arguments.

    Raises:
        gymnasium.error.Error: If ``env_id`` is not registered (the message lists the ids).
        ValueError: If ``num_envs`` or ``vectorization_mode`` is invalid.
    """
    if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
        raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
    if vectorization_mode not in ("sync", "async"):
        raise ValueError(
            f"vectorization_mode must be 'sync' or 'async', got {vectorization_mode!r}"
        )
    if env_id not in gym.registry:
        known = sorted(k for k in gym.registry if k.startswith("Agent"))
        raise gym.error.Error(f"unknown env id {env_id!r}; registered agentgym envs: {known}")
    return gym.make_vec(
        env_id, num_envs=num_envs, vectorization_mode=vectorization_mode, **dict(env_kwargs or {})
    )


@dataclass
class _Episode:
    seed: int
    group: int
    messages: list[dict[str, Any]]
    token_ids: list[int]
    loss_mask: list[int]
    logprobs: list[float]
    task_id: str = ""
    turn_rewards: list[float] = field(default_factory=list)

    def finish(
        self,
        *,
        score: float,
        success: bool,
        terminated: bool,
        truncated: bool,
        cut_by_length: bool = False,
    ) -> Trajectory:
        return Trajectory(
            task_id=self.task_id,
            seed=self.seed,
            group=self.group,
            messages=self.messages,
            token_ids=self.token_ids,
            loss_mask=self.loss_mask,
            logprobs=self.logprobs,
            turn_rewards=self.turn_rewards,
            score=score,
            success=success,
            terminated=terminated,
            truncated=truncated,
            cut_by_length=cut_by_length,
        )

    def cut(self) -> Trajectory:
        """End the episode unscored because it no longer fits the policy's context."""
        return self.finish(
            score=0.0, success=False, terminated=False, truncated=True, cut_by_length=True
        )


def _oracle_actions(
    envs: gym.vector.VectorEnv, rows: Sequence[int], style: str = "direct"
) -> list[str]:
    if hasattr(envs, "envs"):  # sync: ask only the live episodes
        return [envs.envs[i].unwrapped.oracle_action(style=style) for i in rows]
    everyone = envs.call("oracle_action", style=style)
    return [everyone[i] for i in rows]


def collect(
    envs: gym.vector.VectorEnv,
    policy: Policy,
    seeds: Sequence[int],
    *,
    groups: Sequence[int] | None = None,
    actor: str | Callable[[Sequence[Message]], str] = "policy",
    max_new_tokens: int = 64,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
    stats: RolloutStats | None = None,
    use_cache: bool = True,
) -> list[Trajectory]:
    """Play one episode per seed and return the trajectories, in seed order.

    Seeds are played ``envs.num_envs`` at a time. Each turn, every live episode's context is
    sampled in one batched call, then the vector env steps all of them (finished slots get an
    empty action, which the env's autoreset ignores or answers with a harmless parse error).

    Args:
        envs: A vector env of agentgym envs (``make_envs``).
        policy: Tokenizes the conversation and, for ``actor="policy"``, samples the actions.
        seeds: Reset seeds, one per episode (repeat a seed G times for a group).
        groups: Group index of each episode (default: the position of its seed's first use).
        actor: ``"policy"``, ``"oracle"`` (``oracle_action()``; the tokens of its text are
            masked in as if sampled, for SFT), ``"oracle-tools"`` (``oracle_action(style=
            "tools")``: the oracle uses the tools as an agent would before answering), or a scripted agent: a callable mapping an
            episode's messages so far to its next completion (also masked in, for SFT).
        max_new_tokens: Token budget of one assistant turn.
        temperature: Sampling temperature (0: greedy).
        generator: Torch generator for sampling.
        stats: Accumulates time and token counts when given.
        use_cache: Passed to :meth:`Policy.sample`.

    Returns:
        One :class:`Trajectory` per seed.
    """
    seeds = [int(s) for s in seeds]
    if groups is None:
        first: dict[int, int] = {}
        groups = [first.setdefault(s, len(first)) for s in seeds]
    if len(groups) != len(seeds):
        raise ValueError(f"{len(groups)} group ids for {len(seeds)} seeds")
    stats = stats if stats is not None else RolloutStats()
    n_envs = envs.num_envs
    out: list[Trajectory] = []
    for start in range(0, len(seeds), n_envs):
        chunk = seeds[start : start + n_envs]
        out += _collect_chunk(
            envs,
            policy,
            chunk,
            list(groups[start : start + n_envs]),
            actor=actor,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            generator=generator,
            stats=stats,
            use_cache=use_cache,
        )
    return out


def _collect_chunk(
    envs: gym.vector.VectorEnv,
    policy: Policy,
    seeds: list[int],
    groups: list[int],
    *,
    actor: str | Callable[[Sequence[Message]], str],
    max_new_tokens: int,
    temperature: float,
    generator: torch.Generator | None,
    stats: RolloutStats,
    use_cache: bool,
) -> list[Trajectory]:
    n_envs = envs.num_envs
    # pad the seed list to the vector size; the extra slots are played but discarded.
    padded = seeds + [seeds[-1]] * (n_envs - len(seeds))
    t0 = time.perf_counter()
    _, info = envs.reset(seed=padded)
    stats.env_seconds += time.perf_counter() - t0
    if "messages" not in info or "task_id" not in info:
        raise ValueError(
            "the env's reset info has no 'messages'/'task_id': rollouts need agentgym envs"
        )
    episodes: list[_Episode] = []
    for i in range(len(seeds)):
        messages = [dict(m) for m in info["messages"][i]]
        ids = policy.render_prompt(messages)
        episodes.append(
            _Episode(
                seed=seeds[i],
                group=groups[i],
                messages=messages,
                token_ids=list(ids),
                loss_mask=[0] * len(ids),
                logprobs=[0.0] * len(ids),
                task_id=str(info["task_id"][i]),
            )
        )
    results: dict[int, Trajectory] = {}
    for row in range(len(seeds)):
        if len(episodes[row].token_ids) >= policy.max_len:
            results[row] = episodes[row].cut()
    live = [r for r in range(len(seeds)) if r not in results]
    while live:
        t0 = time.perf_counter()
        if actor == "policy":
            samples = policy.sample(
                [episodes[r].token_ids for r in live],
                max_new_tokens=max_new_tokens,
                temperature=temperature,
                generator=generator,
                use_cache=use_cache,
            )
            texts = [s.text for s in samples]
            new_ids = [list(s.token_ids) for s in samples]
            new_lps = [list(s.logprobs) for s in samples]
            stats.policy_tokens += sum(len(t) for t in new_ids)
        else:
            if actor == ORACLE:
                texts = _oracle_actions(envs, live)
            elif actor == ORACLE_TOOLS:
                texts = _oracle_actions(envs, live, style="tools")
            elif callable(actor):
                texts = [str(actor(episodes[r].messages)) for r in live]
            else:
                raise ValueError(
                    f"actor must be 'policy', 'oracle', 'oracle-tools' or a callable, got {actor!r}"
                )
            new_ids = [policy.encode_completion(t) for t in texts]
            new_lps = [[0.0] * len(t) for t in new_ids]
        stats.model_seconds += time.perf_counter() - t0
        actions = [""] * n_envs
        for r, text in zip(live, texts, strict=True):
            actions[r] = text
        t0 = time.perf_counter()
        obs, rewards, terminated, truncated, info = envs.step(actions)
        stats.env_seconds += time.perf_counter() - t0
        still_live = []
        for r, text, ids, lps in zip(live, texts, new_ids, new_lps, strict=True):
            ep = episodes[r]
            if len(ep.token_ids) + len(ids) > policy.max_len:
                # a scripted completion longer than the context left: the policy could not
                # have produced it, so the episode ends here, unscored
                results[r] = ep.cut()
                continue
            ep.messages.append({"role": "assistant", "content": text})
            ep.token_ids += ids
            ep.loss_mask += [1] * len(ids)
            ep.logprobs += lps
            ep.turn_rewards.append(float(rewards[r]))
            if terminated[r] or truncated[r]:
                ended = info.get("_success", np.zeros(n_envs, bool))[r]
                results[r] = ep.finish(
                    score=float(info["score"][r]) if ended else 0.0,
                    success=bool(info["success"][r]) if ended else False,
                    terminated=bool(terminated[r]),
                    truncated=bool(truncated[r]),
                )
                continue
            reply = {"role": "user", "content": str(obs[r])}
            follow = policy.render_followup(ep.messages, [reply])
            ep.messages.append(reply)
            if len(ep.token_ids) + len(follow) + 1 >= policy.max_len:
                results[r] = ep.cut()
                continue
            ep.token_ids += follow
            ep.loss_mask += [0] * len(follow)
            ep.logprobs += [0.0] * len(follow)
            still_live.append(r)
        live = still_live
    stats.episodes += len(results)
    return [results[r] for r in range(len(seeds))]


@dataclass(frozen=True)
class EvalResult:
    """Held-out evaluation of a policy.

    Attributes:
        success_rate: Fraction of episodes the env counted as solved.
        mean_score: Mean episode score.
        mean_return: Mean sum of rewards.
        episodes: Number of episodes.
    """

    success_rate: float
    mean_score: float
    mean_return: float
    episodes: int


def summarize(trajectories: Iterable[Trajectory]) -> EvalResult:
    """Return success rate, mean score and mean return of ``trajectories``."""
    trajs = list(trajectories)
    if not trajs:
        return EvalResult(0.0, 0.0, 0.0, 0)
    return EvalResult(
        success_rate=float(np.mean([t.success for t in trajs])),
        mean_score=float(np.mean([t.score for t in trajs])),
        mean_return=float(np.mean([t.reward for t in trajs])),
        episodes=len(trajs),
    )


def evaluate(
    envs: gym.vector.VectorEnv,
    policy: Policy,
    seeds: Sequence[int],
    *,
    max_new_tokens: int = 64,
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
) -> EvalResult:
    """Play one episode per seed (greedy by default) and summarise them."""
    return summarize(
        collect(
            envs,
            policy,
            seeds,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            generator=generator,
        )
    )


def write_trajectories(trajectories: Iterable[Trajectory], path: str | Path) -> int:
    """Append trajectories to a JSONL file, one record per line; return how many were written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("a", encoding="utf-8") as f:
        for t in trajectories:
            f.write(json.dumps(t.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n


_FIELDS = {f: None for f in Trajectory.__dataclass_fields__}


def read_trajectories(path: str | Path) -> list[Trajectory]:
    """Read a JSONL file written by :func:`write_trajectories`.

    Raises:
        ValueError: Naming the line of a malformed record (bad JSON, missing field, or
            token ids, loss mask and log-probs of different lengths).
    """
    path = Path(path)
    out = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{where}: invalid JSON ({e.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{where}: expected a JSON object")
            record.pop("reward", None)
            missing = [k for k in _FIELDS if k not in record and k != "cut_by_length"]
            if missing:
                raise ValueError(f"{where}: missing field(s) {missing}")
            extra = set(record) - set(_FIELDS)
            if extra:
                raise ValueError(f"{where}: unknown field(s) {sorted(extra)}")
            lengths = {len(record[k]) for k in ("token_ids", "loss_mask", "logprobs")}
            if len(lengths) != 1:
                raise ValueError(f"{where}: token_ids, loss_mask and logprobs differ in length")
            out.append(Trajectory(**record))
    return out
