"""Episodes end cleanly: after many episodes through each adapter (SkyRL-Gym, TRL multi-turn,
TRL single-turn) and its shutdown, no env is left open, and no sandbox process, thread or
temporary folder is left behind. verl and OpenEnv have the same checks in their own
virtualenvs (isolated/verl_checks.py, isolated/openenv_checks.py)."""

import os
import tempfile
import threading
import weakref

import psutil
import pytest

from agentgym.core import AgentEnv
from agentgym.integrations import skyrl, trl
from agentgym.sandboxes import close_shared_pools

EPISODES = 40  # the 1,000, scaled down for CI; the code path is the same per episode
SANDBOXED = 4  # episodes that run code in a sandbox (AgentMath's python tool)


@pytest.fixture
def spy(monkeypatch, tmp_path):
    """Every AgentEnv made during the test, whether it was closed; a private temp folder."""
    made: list[weakref.ref] = []
    closed: set[int] = set()
    init, close = AgentEnv.__init__, AgentEnv.close

    def tracked_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    def tracked_close(self):
        closed.add(id(self))
        close(self)

    monkeypatch.setattr(AgentEnv, "__init__", tracked_init)
    monkeypatch.setattr(AgentEnv, "close", tracked_close)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))
    me = psutil.Process()
    children = {p.pid for p in me.children(recursive=True)}
    threads = {t.ident for t in threading.enumerate()}

    def leftovers():
        open_envs = [r() for r in made if r() is not None and id(r()) not in closed]
        new_children = [
            p for p in me.children(recursive=True) if p.pid not in children and p.is_running()
        ]
        new_threads = [
            t.name for t in threading.enumerate() if t.ident not in threads and t.is_alive()
        ]
        return open_envs, new_children, new_threads, sorted(p.name for p in scratch.iterdir())

    return {"made": made, "closed": closed, "leftovers": leftovers}


def check_clean(spy):
    # The envs' sandboxes come from the process-wide warm pool of the sandbox layer, which
    # outlives envs by design (closed at exit); close it as the process's exit would.
    close_shared_pools()
    open_envs, children, threads, temp = spy["leftovers"]()
    assert spy["made"], "no env was made"
    assert open_envs == [], f"{len(open_envs)} envs left open"
    psutil.wait_procs(children, timeout=10)
    assert [p for p in children if p.is_running()] == []
    assert threads == []
    # The sandbox layer's per-user runtime folder (sandboxes/zygote.py) is one folder for all
    # processes and episodes, by design; anything else would be a leak.
    assert [t for t in temp if t != f"agentgym-{os.geteuid()}"] == []


def test_skyrl_adapter_leaves_nothing_behind(spy):
    skyrl.register_envs(["Guess-v0"])
    import skyrl_gym

    for i in range(EPISODES):
        env = skyrl_gym.make("agentgym/Guess-v0", env_config={}, extras={"seed": i})
        env.init([])
        if i % 3 == 0:
            env.step("<hint/>")  # some trajectories stop before the episode ends
        else:
            env.step("<guess>apple</guess>")
        env.get_metrics()
        env.close()
    for i in range(SANDBOXED):
        env = skyrl_gym.make("agentgym/AgentMath-v0", env_config={}, extras={"seed": i})
        env.init([])
        env.step("<python>print(6 * 7)</python>")
        env.close()
    skyrl.shutdown()
    check_clean(spy)


def test_trl_tool_environment_leaves_nothing_behind(spy):
    for env_id, episodes in (("Guess-v0", EPISODES), ("AgentMath-v0", SANDBOXED)):
        cls = trl.tool_environment(env_id)
        instances = [cls() for _ in range(4)]  # TRL keeps one instance per concurrent rollout
        for i in range(episodes):
            env = instances[i % 4]
            env.reset(seed=i)
            if env_id == "Guess-v0":
                env.guess(word="apple")
            else:
                env.python(code="print(6 * 7)")
            env.get_reward()
        trl.close_envs()
    check_clean(spy)


def test_trl_env_reward_leaves_nothing_behind(spy):
    rows = trl.make_prompt_dataset("Guess-v0", EPISODES, seed=0)
    reward = trl.EnvReward("Guess-v0")
    reward(
        [r["prompt"] for r in rows],
        ["<guess>apple</guess>"] * len(rows),
        task_id=[r["task_id"] for r in rows],
    )
    reward.close()
    check_clean(spy)
