import doctest

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import agentgym  # noqa: F401
from agentgym.environments.math import MathEnv
from agentgym.environments.math import env as env_module
from agentgym.environments.math.generators import GENERATORS
from agentgym.tasks import DIFFICULTIES


@pytest.fixture
def env():
    e = MathEnv(task_source="generated:arithmetic")
    yield e
    e.close()


def test_docstring_example_runs():
    result = doctest.testmod(env_module, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_registered_and_check_env():
    e = gym.make("AgentMath-v0")
    check_env(e.unwrapped, skip_render_check=True)
    e.close()


@pytest.mark.parametrize("fmt", ["xml", "json", "openai"])
def test_oracle_solves_in_every_format(fmt):
    e = MathEnv(action_format=fmt)
    for seed in range(5):
        e.reset(seed=seed)
        _, reward, terminated, _, info = e.step(e.unwrapped.oracle_action())
        assert terminated and reward == 1.0 and info["success"], info
    e.close()


def test_wrong_answer_scores_zero(env):
    env.reset(seed=3)
    gold = int(env.task.data["answer"])
    _, reward, terminated, _, info = env.step(f"<answer>{gold + 1}</answer>")
    assert terminated and reward == 0.0 and info["success"] is False
    assert info["verdict"]


def test_single_turn_boxed_answer_is_accepted(env):
    env.reset(seed=4)
    gold = env.task.data["answer"]
    _, reward, terminated, _, info = env.step(f"Let me compute. The result is $\\boxed{{{gold}}}$.")
    assert terminated and reward == 1.0
    assert info["tool_calls"][0]["name"] == "answer"


@pytest.mark.parametrize("tail", ["Answer: {g}", "#### {g}"])
def test_single_turn_answer_lines(env, tail):
    env.reset(seed=5)
    gold = env.task.data["answer"]
    _, reward, terminated, _, _ = env.step("Working...\n" + tail.format(g=gold))
    assert terminated and reward == 1.0


def test_several_boxed_answers_fail(env):
    env.reset(seed=6)
    gold = int(env.task.data["answer"])
    text = f"maybe \\boxed{{{gold - 1}}} or \\boxed{{{gold}}} or \\boxed{{{gold + 1}}}"
    _, reward, terminated, _, info = env.step(text)
    assert terminated and reward == 0.0 and not info["success"]


def test_malformed_action_is_an_observation(env):
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step("I do not know")
    assert not terminated and info["parse_error"]
    assert "no tool call" in obs
    obs, *_, info = env.step("<answer>unclosed")
    assert info["parse_error"] and "unclosed" in obs


def test_python_tool_runs_with_sympy(env):
    env.reset(seed=0)
    obs, reward, terminated, _, info = env.step(
        "<python>import sympy\nprint(sympy.factor(sympy.Symbol('x')**2 - 1))</python>"
    )
    assert not terminated
    assert "(x - 1)*(x + 1)" in obs
    assert info["tool_results"][0]["exit_code"] == 0


def test_workspace_does_not_leak_between_episodes(env):
    env.reset(seed=0)
    env.step("<python>open('note.txt', 'w').write('secret')</python>")
    env.reset(seed=1)
    obs, *_ = env.step("<python>import os\nprint(sorted(os.listdir('.')))</python>")
    assert "note.txt" not in obs


def test_truncation_at_max_turns():
    e = MathEnv(max_turns=2, task_source="generated:arithmetic")
    e.reset(seed=0)
    _, _, terminated, truncated, _ = e.step("<step>1+1=2</step>")
    assert not terminated and not truncated
    _, reward, terminated, truncated, info = e.step("<step>2+2=4</step>")
    assert truncated and not terminated and reward == 0.0
    assert info["verdict"] == "no answer submitted"
    e.close()


@pytest.mark.parametrize("family", sorted(GENERATORS))
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_generated_tasks_are_deterministic(family, difficulty):
    e = MathEnv(task_source=f"generated:{family}", difficulty=difficulty)
    a, _ = e.reset(seed=11)
    b, _ = e.reset(seed=11)
    assert a == b
    e.close()


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="unknown task family"):
        MathEnv(task_source="generated:nope")
    with pytest.raises(ValueError, match="unknown task_source"):
        MathEnv(task_source="something")
    with pytest.raises(ValueError, match="python_timeout_s"):
        MathEnv(python_timeout_s=0)
