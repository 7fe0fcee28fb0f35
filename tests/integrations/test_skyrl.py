"""SkyRL-Gym 0.4.0, the real package: registration, the generator's calls, tasks, metrics."""

import gymnasium as gym
import pytest

skyrl_gym = pytest.importorskip("skyrl_gym")  # pinned in the [skyrl] and [all] extras

from omegaconf import OmegaConf  # noqa: E402
from skyrl_gym.envs.base_text_env import BaseTextEnv  # noqa: E402
from skyrl_gym.metrics import aggregate_for_environment  # noqa: E402

from agentgym.integrations import skyrl as adapter  # noqa: E402

adapter.register_envs(["Guess-v0"])  # the toy env of tests/toy_env.py


def rollout(env_class, extras, completions, prompt=None):
    """SkyRL's generator loop (skyrl_gym_generator.agent_loop), without the LLM.

    ``completions(messages, turn)`` plays the model; returns (rewards, metrics, chat).
    """
    extras = dict(extras)
    extras.setdefault("max_turns", 50)  # the generator always sets it
    env = skyrl_gym.make(env_class, env_config=OmegaConf.create({}), extras=extras)
    assert isinstance(env, BaseTextEnv)
    try:
        chat, _ = env.init(prompt or [{"role": "user", "content": "from the dataset"}])
        rewards, done = [], False
        while not done:
            out = env.step(completions(chat, len(rewards)))
            assert set(out) >= {"observations", "reward", "done", "metadata"}
            rewards.append(out["reward"])
            done = out["done"]
            chat = chat + [{"role": "assistant", "content": "..."}] + out["observations"]
        return rewards, env.get_metrics(), chat
    finally:
        env.close()


def test_every_agentgym_env_is_registered_and_made():
    agentgym_ids = [k for k in gym.registry if k.startswith("Agent")]
    for env_id in agentgym_ids:
        assert adapter.ENV_PREFIX + env_id in skyrl_gym.registry
    env = skyrl_gym.make("agentgym/AgentMath-v0", env_config={}, extras={"seed": 3})
    assert isinstance(env, BaseTextEnv) and env.env_id == "AgentMath-v0"
    env.close()
    assert adapter.register_envs(["Guess-v0"]) == ["agentgym/Guess-v0"]
    assert adapter.register_envs(["Guess-v0"]) == ["agentgym/Guess-v0"]  # idempotent


def test_correct_and_wrong_completions_reward_and_metrics():
    adapter.register_envs(["Guess-v0"])
    words = {"word-0": "apple", "word-1": "river"}
    rewards, metrics, chat = rollout(
        "agentgym/Guess-v0", {"task_id": "word-1"}, lambda m, t: "<guess>river</guess>"
    )
    assert rewards == [1.0] and chat[0]["role"] == "system" and "5 letters" in chat[1]["content"]
    assert metrics["success"] == 1.0 and metrics["score"] == 1.0 and metrics["turns"] == 1
    wrong_rewards, wrong, _ = rollout(
        "agentgym/Guess-v0", {"task_id": "word-0"}, lambda m, t: "<guess>river</guess>"
    )
    assert wrong_rewards == [0.0] and wrong["success"] == 0.0 and wrong["score"] == 0.0
    # Dense rewards, per-step components, multi-turn: two hints then the answer.
    rewards, dense, chat = rollout(
        "agentgym/Guess-v0",
        {"task_id": "word-0", "env_kwargs": {"reward_mode": "dense"}},
        lambda m, t: "<hint/>" if t < 2 else f"<guess>{words['word-0']}</guess>",
    )
    assert len(rewards) == 3 and rewards[0] > 0 and dense["turns"] == 3
    assert chat[3]["role"] == "user" and ">\na\n<" in chat[3]["content"]
    assert (
        dense["reward/outcome"] == 1.0
        and dense["reward/repeat"] < 0
        and dense["return"] == pytest.approx(sum(rewards))
    )
    agg = aggregate_for_environment("agentgym/Guess-v0", [metrics, wrong, dense])
    assert agg["success_rate"] == pytest.approx(2 / 3) and agg["trajectories"] == 3
    assert agg["turns_mean"] == pytest.approx(5 / 3)


def test_max_turns_from_extras_ends_the_trajectory():
    rewards, metrics, _ = rollout(
        "agentgym/Guess-v0", {"task_id": "word-0", "max_turns": 2}, lambda m, t: "<hint/>"
    )
    assert len(rewards) == 2 and metrics["turns"] == 2 and metrics["success"] == 0.0


def test_group_of_one_prompt_shares_one_task():
    prompt = [{"role": "user", "content": "prompt number 7"}]
    tasks = set()
    for _ in range(4):  # a GRPO group: same row, no task_id or seed in extras
        env = skyrl_gym.make("agentgym/AgentMath-v0", env_config={}, extras={"max_turns": 3})
        _, meta = env.init(prompt)
        tasks.add(meta["task_id"])
        env.close()
    assert len(tasks) == 1
    seeded = set()
    for seed in (0, 0, 1):
        env = skyrl_gym.make("agentgym/AgentMath-v0", env_config={}, extras={"seed": seed})
        seeded.add((seed, env.init(prompt)[1]["task_id"]))
        env.close()
    assert len(seeded) == 2


def test_oracle_math_trajectory_through_registered_env():
    env = skyrl_gym.make(
        "agentgym/AgentMath-v0",
        env_config=OmegaConf.create({"env_kwargs": {"reward_mode": "dense"}}),
        extras={"seed": 5, "max_turns": 4},
    )
    chat, meta = env.init([])
    assert env.env_kwargs == {"reward_mode": "dense", "max_turns": 4}
    out = env.step(env.gym_env.unwrapped.oracle_action())
    assert out["done"] and out["reward"] == 1.0 and out["metadata"]["success"] is True
    assert env.get_metrics()["reward/outcome"] == 1.0
    env.close()


def test_failed_step_closes_the_env_instead_of_reusing_it():
    env = skyrl_gym.make("agentgym/Guess-v0", env_config={}, extras={"task_id": "word-0"})
    env.init([])
    pool = env._pool
    idle_before = pool.idle
    broken = env.gym_env

    def boom(action):
        raise RuntimeError("the env broke")

    broken.step = boom
    with pytest.raises(RuntimeError, match="broke"):
        env.step("<hint/>")
    env.close()
    assert broken not in pool._idle
    assert pool.live == 0 and pool.idle == idle_before
