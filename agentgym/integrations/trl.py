"""TRL: a prompt dataset and a reward function for ``GRPOTrainer``.

``GRPOTrainer`` samples one completion per prompt and scores it with ``reward_funcs``, each
called as ``fn(prompts, completions, **dataset_columns) -> list[float]``. These helpers make an
agentgym env a single-turn task source for it: the dataset carries the env's chat prompt and
the ``task_id``; the reward replays that task and steps the env once with the completion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentgym.integrations.episodes import EpisodePool

__all__ = ["EnvReward", "make_prompt_dataset"]


def make_prompt_dataset(
    env_id: str, num_prompts: int, *, seed: int = 0, **env_kwargs: Any
) -> list[dict[str, Any]]:
    """Return ``num_prompts`` rows ``{"prompt": messages, "task_id": ..., "seed": ...}``.

    Pass the list to ``datasets.Dataset.from_list`` for TRL. Row ``i`` uses seed ``seed + i``.
    """
    pool = EpisodePool(env_id, **env_kwargs)
    rows = []
    try:
        for i in range(num_prompts):
            ep = pool.start("row", seed=seed + i)
            rows.append(
                {"prompt": ep.info["messages"], "task_id": ep.info["task_id"], "seed": seed + i}
            )
    finally:
        pool.shutdown()
    return rows


class EnvReward:
    """A TRL reward function: the env's reward for a completion on the row's task.

    Args:
        env_id: The registered env id.
        **env_kwargs: Passed to ``gym.make`` (e.g. ``reward_mode``, ``action_format``).

    Example:
        >>> from agentgym.integrations.trl import EnvReward
        >>> reward = EnvReward("AgentMath-v0")
        >>> reward.__name__
        'AgentMath-v0'
    """

    def __init__(self, env_id: str, **env_kwargs: Any):
        self.pool = EpisodePool(env_id, **env_kwargs)
        self.__name__ = env_id  # TRL logs each reward function under its __name__

    def __call__(
        self,
        prompts: Sequence[Any],
        completions: Sequence[Any],
        *,
        task_id: Sequence[str],
        **_: Any,
    ) -> list[float]:
        """Score each completion on its row's task; returns one float per completion."""
        scores = []
        for completion, tid in zip(completions, task_id, strict=True):
            self.pool.start("grade", task_id=tid)
            _, reward, done, info = self.pool.step("grade", _completion_text(completion))
            # A single-turn grader: an unfinished episode scores its shaped reward so far.
            scores.append(float(info["score"]) if done and "score" in info else reward)
            self.pool.close("grade")
        return scores


def _completion_text(completion: Any) -> str:
    """TRL passes a str (standard format) or a list of messages (conversational format)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content") or "")
    return str(completion)
