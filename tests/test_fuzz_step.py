"""Property-based fuzzing of the env boundary: no agent output makes ``env.step`` raise.

For every registered env and every action format, Hypothesis generates completions (random
text with lone surrogates and NULs, near-valid tool calls in every format with random JSON
arguments, integers too wide for ``int()``, deep nesting, strings up to the action limit);
each step must return a valid transition, and afterwards the env still completes an oracle
episode. ``reset`` with bad options raises a clear ``ValueError`` and the env works after a
good reset.

The budget is fixed (examples per env and format, derandomised) so CI stays fast; set
``AGENTGYM_FUZZ_EXAMPLES`` for a larger run.
"""

from __future__ import annotations

import json
import os

import gymnasium as gym
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import agentgym
from agentgym.parsing import ACTION_FORMATS

ENV_IDS = [spec.id for spec in agentgym.ENVS]
EXAMPLES = int(os.environ.get("AGENTGYM_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ACTION_LIMIT = 200_000
INFO_KEYS = {"task_id", "turn", "tools", "tool_calls", "tool_results", "reward_components"}

# Any code point, lone surrogates and NUL included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=200)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | ANY_TEXT
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=20,
)


def _huge_int(digits: int) -> str:
    return "9" * digits


def _nested(depth: int, opener: str, closer: str, core: str = "1") -> str:
    return opener * depth + core + closer * depth


@st.composite
def actions(draw, tool_names: tuple[str, ...], action_format: str) -> str:
    """A completion that is garbage, almost a tool call, or a tool call with hostile values."""
    name = draw(st.sampled_from(tool_names) | ANY_TEXT)
    args = draw(
        st.dictionaries(
            st.sampled_from(["code", "query", "answer", "x", ""]) | ANY_TEXT,
            JSON_VALUES,
            max_size=3,
        )
    )
    hostile = draw(
        st.sampled_from(
            [
                _huge_int(5000),
                "-" + _huge_int(100_000),
                _nested(5000, "[", "]"),
                _nested(3000, '{"a":', "}"),
                "1e999999",
                "NaN",
            ]
        )
    )
    kind = draw(st.sampled_from(["text", "call", "hostile", "huge", "prefix"]))
    if kind == "text":
        return draw(ANY_TEXT)
    if kind == "huge":
        size = draw(st.sampled_from([ACTION_LIMIT - 20, ACTION_LIMIT, ACTION_LIMIT + 1]))
        body = draw(st.sampled_from(["x", "\x00", "\udcff", "é"])) * size
        return f"<{name}>{body}</{name}>"[: size + 20] if draw(st.booleans()) else body
    if action_format == "xml":
        attrs = "".join(f' {k}="{v}"' for k, v in args.items() if isinstance(v, str))
        body = hostile if kind == "hostile" else draw(ANY_TEXT)
        closing = "" if kind == "prefix" else f"</{name}>"
        return f"<{name}{attrs}>{body}{closing}"
    if kind == "hostile":
        arguments = '{"code": ' + hostile + ', "answer": ' + hostile + "}"
    else:
        arguments = json.dumps(args, ensure_ascii=draw(st.booleans()))
    if action_format == "json":
        text = '{"tool": ' + json.dumps(name) + ', "arguments": ' + arguments + "}"
    else:
        inner = arguments if draw(st.booleans()) else json.dumps(arguments)
        text = (
            '{"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": '
            '"function", "function": {"name": '
            + json.dumps(name)
            + ', "arguments": '
            + inner
            + "}}]}"
        )
    if kind == "prefix":
        return text[: draw(st.integers(0, len(text)))]
    return f"```json\n{text}\n```" if draw(st.booleans()) else text


def _check_transition(env, result) -> None:
    obs, reward, terminated, truncated, info = result
    assert env.observation_space.contains(obs)
    assert isinstance(reward, float)
    assert type(terminated) is bool and type(truncated) is bool
    assert INFO_KEYS <= set(info)
    if terminated or truncated:
        assert 0.0 <= info["score"] <= 1.0 and type(info["success"]) is bool


def _oracle_episode(env) -> None:
    env.reset(seed=1)
    for _ in range(env.unwrapped.max_turns):
        obs, reward, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
        if terminated or truncated:
            break
    assert terminated and info["success"], info


@pytest.fixture(scope="module", params=[(i, f) for i in ENV_IDS for f in ACTION_FORMATS], ids=str)
def env(request):
    env_id, action_format = request.param
    made = gym.make(env_id, action_format=action_format)
    made.reset(seed=0)
    yield made
    made.close()


def test_generated_actions_never_escape_step(env):
    tools = tuple(env.unwrapped.tools)
    ended = {"now": False}

    @FUZZ
    @given(action=actions(tools, env.unwrapped.action_format))
    def step_once(action):
        if ended["now"]:
            env.reset(seed=0)
        result = env.step(action)
        _check_transition(env, result)
        ended["now"] = result[2] or result[3]

    step_once()
    _oracle_episode(env)


BAD_OPTIONS = [
    {"task_id": "no/such/task"},
    {"task_id": ["not", "hashable"]},
    {"task_id": None},
    {"task": 5},
    {"task": {"unknown_field": 1}},
    {"bogus": 1},
    {"task_id": "x", "task": {}},
    ["task_id"],
]


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_bad_reset_options_raise_value_error_and_the_env_recovers(env_id):
    # Made with gym.make, so Gymnasium's checker wrapper sees the failed first reset too.
    env = gym.make(env_id)
    try:
        for options in BAD_OPTIONS:
            with pytest.raises(ValueError):
                env.reset(seed=0, options=options)
        env.reset(seed=0)
        _check_transition(env, env.step("no tool call here"))
        _oracle_episode(env)
    finally:
        env.close()
