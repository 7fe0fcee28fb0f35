"""What the shared python tool shows the agent: the program's output, with no stray blank lines."""

import gymnasium as gym
import pytest

import agentgym  # noqa: F401


@pytest.fixture(scope="module")
def env():
    env = gym.make("AgentCode-v0")
    yield env
    env.close()


@pytest.mark.parametrize(
    "code, shown",
    [
        ("print(2 + 2)", '<tool_result name="python">\n4\n</tool_result>'),
        ("print('a')\nprint()", '<tool_result name="python">\na\n\n</tool_result>'),
        ("print('x', end='')", '<tool_result name="python">\nx\n</tool_result>'),
        ("pass", '<tool_result name="python">\n[no output]\n</tool_result>'),
    ],
)
def test_observation_is_the_output_as_printed(env, code, shown):
    env.reset(seed=0)
    obs, *_ = env.step(f"<python>{code}</python>")
    assert obs == shown


def test_stderr_and_exit_code_follow_without_blank_lines(env):
    env.reset(seed=0)
    obs, *_ = env.step("<python>print(1)\nraise SystemExit('boom')</python>")
    assert obs == '<tool_result name="python">\n1\n[stderr]\nboom\n[exit code 1]\n</tool_result>'
