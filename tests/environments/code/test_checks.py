"""The agent's visible test file and the grader share one set of test helpers."""

from __future__ import annotations

import gymnasium as gym

import agentgym  # noqa: F401
from agentgym.environments.code import checks
from agentgym.environments.code.env import _visible_test_file
from agentgym.environments.code.grading import harness_program, helper_source

CASES = [
    ((True, 1.0), {}),
    (([1.0, 2.0], (1.0, 2.0 + 1e-12)), {}),
    (("a", "a"), {}),
    ((1.0, 1.1), {"rel": 0.2}),
]


def test_visible_helpers_behave_as_the_graders():
    env = gym.make("AgentCode-v0")
    env.reset(seed=0, options={"task_id": "implement/clamp"})
    source = _visible_test_file(env.unwrapped.task)
    env.close()
    assert helper_source("checks.py") in source + "\n"
    ns: dict = {}
    exec(compile(source.replace("from solution import clamp", ""), "test_visible.py", "exec"), ns)
    for args, kwargs in CASES:
        assert ns["approx"](*args, **kwargs) == checks.approx(*args, **kwargs), args
    assert ns["raises"](ZeroDivisionError, lambda: 1 / 0) and ns["_doctest_eq"]([1, 2], "[1,  2]")


def test_the_grading_program_carries_the_same_helpers():
    harness, _ = harness_program()
    assert helper_source("checks.py") in harness
    assert "def approx(" not in helper_source("harness.py")
