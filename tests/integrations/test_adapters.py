import asyncio

import pytest
from toy_env import WORDS

from agentgym.integrations.episodes import EpisodePool
from agentgym.integrations.skyrl import SkyRLTextEnv
from agentgym.integrations.trl import EnvReward, make_prompt_dataset
from agentgym.integrations.verl import AgentGymInteraction


def test_trl_dataset_and_reward():
    rows = make_prompt_dataset("Guess-v0", 4, seed=0)
    assert [r["seed"] for r in rows] == [0, 1, 2, 3]
    assert rows[0]["prompt"][0]["role"] == "system" and rows[0]["task_id"].startswith("word-")
    reward = EnvReward("Guess-v0")
    answers = {f"word-{i}": w for i, w in enumerate(WORDS)}
    good = [f"<guess>{answers[r['task_id']]}</guess>" for r in rows]
    bad = [
        "<guess>nope</guess>",
        "no call",
        [{"role": "assistant", "content": f"<guess>{answers[rows[2]['task_id']]}</guess>"}],
        "",
    ]
    task_ids = [r["task_id"] for r in rows]
    assert reward([r["prompt"] for r in rows], good, task_id=task_ids) == [1.0] * 4
    assert reward([r["prompt"] for r in rows], bad, task_id=task_ids) == [0.0, 0.0, 1.0, 0.0]
    assert len(reward.pool._idle) == 1  # one env reused for every grading


def test_verl_interaction_episode():
    inter = AgentGymInteraction({"env_id": "Guess-v0", "env_kwargs": {"reward_mode": "dense"}})

    async def run():
        iid = await inter.start_interaction(task_id="word-0")
        done, obs, reward, meta = await inter.generate_response(
            iid, [{"role": "assistant", "content": "<hint/>"}]
        )
        assert not done and "a" in obs and reward > 0 and meta["turn"] == 1
        done, obs, reward, meta = await inter.generate_response(
            iid,
            [
                {"role": "assistant", "content": "<hint/>"},
                {"role": "user", "content": obs},
                {"role": "assistant", "content": "<guess>apple</guess>"},
            ],
        )
        assert done and meta["success"] is True
        assert await inter.calculate_score(iid) == 1.0
        await inter.finalize_interaction(iid)
        with pytest.raises(KeyError):
            await inter.calculate_score(iid)

    asyncio.run(run())
    with pytest.raises(ValueError, match="env_id"):
        AgentGymInteraction({})


def test_skyrl_env():
    env = SkyRLTextEnv({}, {"env_id": "Guess-v0", "task_id": "word-1"})
    prompt, meta = env.init([{"role": "user", "content": "ignored"}])
    assert [m["role"] for m in prompt] == ["system", "user"] and meta["task_id"] == "word-1"
    out = env.step("<hint/>")
    assert out["done"] is False and out["observations"][0]["role"] == "user"
    out = env.step("<guess>river</guess>")
    assert out["done"] is True and out["reward"] == 1.0 and out["metadata"]["success"] is True
    env.close()


def test_episode_pool_errors():
    with pytest.raises(ValueError, match="unknown env id"):
        EpisodePool("Nope-v0")
    pool = EpisodePool("Guess-v0")
    with pytest.raises(KeyError, match="no live episode"):
        pool.step("x", "<hint/>")
    pool.start("a", task_id="word-0")
    pool.step("a", "<guess>apple</guess>")
    with pytest.raises(RuntimeError, match="has ended"):
        pool.step("a", "<hint/>")
    pool.shutdown()
