"""RayVectorEnv and RolloutPool on a real local Ray instance (two CPUs)."""

import json
import sys
import time

import gymnasium as gym
import numpy as np
import pytest

ray = pytest.importorskip("ray")

from agentgym.integrations.ray import RayVectorEnv, RolloutPool  # noqa: E402

# The faulty env below is defined here; Ray's workers get it by value, not by import.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


class Faulty(gym.Wrapper):
    """AgentMath whose step raises on "CRASH", sleeps on "SLEEP <s>"."""

    def step(self, action):
        if action == "CRASH":
            raise RuntimeError("the env broke")
        if action.startswith("SLEEP"):
            time.sleep(float(action.split()[1]))
        return self.env.step(action)


def faulty():
    import agentgym  # noqa: F401

    return Faulty(gym.make("AgentMath-v0"))


def same(a, b):
    return json.dumps(a, sort_keys=True, default=repr) == json.dumps(
        b, sort_keys=True, default=repr
    )


def infos_equal(a, b):
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], dict):
            infos_equal(a[k], b[k])
        else:
            assert same(np.asarray(a[k]).tolist(), np.asarray(b[k]).tolist()), k


@pytest.mark.parametrize("mode", ["NextStep", "SameStep"])
def test_same_results_as_sync_vector_env(mode):
    kwargs = {"max_turns": 2, "reward_mode": "dense"}
    sync = gym.make_vec(
        "AgentMath-v0",
        num_envs=4,
        vectorization_mode="sync",
        vector_kwargs={"autoreset_mode": gym.vector.AutoresetMode(mode)},
        **kwargs,
    )
    remote = RayVectorEnv("AgentMath-v0", 4, envs_per_actor=2, autoreset_mode=mode, **kwargs)
    try:
        assert remote.single_observation_space == sync.single_observation_space
        assert remote.single_action_space == sync.single_action_space
        s_obs, s_info = sync.reset(seed=7)
        r_obs, r_info = remote.reset(seed=7)
        assert s_obs == r_obs
        infos_equal(s_info, r_info)
        for step in range(5):
            # Oracle on even envs, a wrong answer on odd ones: episodes end at different turns.
            oracle = sync.call("oracle_action")
            assert remote.call("oracle_action") == oracle
            actions = [
                o if i % 2 == 0 else "<answer>nope</answer>" if step else "hmm"
                for i, o in enumerate(oracle)
            ]
            s = sync.step(actions)
            r = remote.step(actions)
            assert s[0] == r[0], step
            for k in (1, 2, 3):
                assert np.array_equal(s[k], r[k]), (step, k)
            infos_equal(s[4], r[4])
        assert remote.get_attr("max_turns") == (2, 2, 2, 2)
    finally:
        sync.close()
        remote.close()


def test_vector_api_details():
    envs = RayVectorEnv("AgentMath-v0", 3, envs_per_actor=2)
    try:
        assert len(envs.actors) == 2 and envs.num_envs == 3
        obs, _ = envs.reset(seed=0)
        with pytest.raises(TypeError, match="single str"):
            envs.step("<answer>1</answer>")
        envs.set_attr("max_turns", [5, 6, 7])
        assert envs.get_attr("max_turns") == (5, 6, 7)
        mask = np.array([False, True, False])
        new_obs, infos = envs.reset(seed=[None, 99, None], options={"reset_mask": mask})
        assert new_obs[0] == obs[0] and new_obs[2] == obs[2]
        assert list(infos["_task_id"]) == [False, True, False]
        single = gym.make("AgentMath-v0")
        assert new_obs[1] == single.reset(seed=99)[0]
    finally:
        envs.close()


def test_autoreset_disabled_needs_a_reset_mask():
    envs = RayVectorEnv("AgentMath-v0", 2, autoreset_mode="Disabled", max_turns=1)
    try:
        envs.reset(seed=0)
        _, _, terminated, truncated, _ = envs.step(["hmm", "hmm"])
        assert (terminated | truncated).all()
        with pytest.raises(RuntimeError, match="reset_mask"):
            envs.step(["hmm", "hmm"])
        envs.reset(options={"reset_mask": np.array([True, True])})
        envs.step(["hmm", "hmm"])
    finally:
        envs.close()


def test_rollout_pool_runs_episodes_out_of_step():
    with RolloutPool([faulty] * 4, envs_per_actor=2) as pool:
        pool.reset(seeds=0)
        first = {t.episode: t for t in pool.collect(min_results=4)}
        assert sorted(first) == [0, 1, 2, 3] and all(t.is_reset for t in first.values())
        # Episode 0 sleeps (beside episode 1 on the same actor); 1 and 2 arrive first.
        pool.submit({0: "SLEEP 5", 1: "<answer>x</answer>", 2: "<answer>y</answer>"})
        early = pool.collect(min_results=2)
        assert {t.episode for t in early} == {1, 2} and pool.in_flight == 1
        rest = pool.collect(min_results=pool.in_flight)
        got = {t.episode: t for t in early + rest}
        assert sorted(got) == [0, 1, 2] and not any(t.error for t in got.values())
        assert got[1].terminated and got[1].reward == 0.0


def test_rollout_pool_restarts_crashed_and_hung_episodes():
    with RolloutPool([faulty] * 2, envs_per_actor=1, step_timeout_s=3) as pool:
        pool.reset(seeds=0)
        pool.collect(min_results=2)
        pool.submit({0: "CRASH", 1: "<answer>1</answer>"})
        got = {t.episode: t for t in pool.collect(min_results=2)}
        assert "RuntimeError: the env broke" in got[0].error and got[0].is_reset
        assert got[0].truncated and isinstance(got[0].observation, str)
        assert got[1].error is None
        pool.submit({1: "SLEEP 30"})
        (hung,) = pool.collect(min_results=1, timeout_s=60)
        assert hung.episode == 1 and "no result within 3 s" in hung.error
        pool.submit({0: "<answer>1</answer>", 1: "<answer>1</answer>"})
        assert all(t.error is None for t in pool.collect(min_results=2))
        assert pool.restarts == 2


def test_actor_killed_mid_episode_fails_its_episodes_and_is_replaced():
    with RolloutPool("AgentMath-v0", 4, envs_per_actor=2) as pool:
        pool.reset(seeds=0)
        pool.collect(min_results=4)
        victim = pool.actors[0]
        pool.submit({0: "<python>import time; time.sleep(3)</python>", 2: "<answer>1</answer>"})
        time.sleep(0.5)
        ray.kill(victim)
        got = {t.episode: t for t in pool.collect(min_results=pool.in_flight + 1)}
        got.update({t.episode: t for t in pool.collect(min_results=0, timeout_s=1)})
        assert "actor died" in got[0].error and "restarted" in got[0].error
        assert "actor died" in got[1].error  # idle on the same actor: restarted too
        assert got[2].error is None
        assert pool.actors[0] is not victim
        pool.submit({0: "<answer>1</answer>", 1: "<answer>1</answer>"})
        assert all(t.error is None for t in pool.collect(min_results=2))
