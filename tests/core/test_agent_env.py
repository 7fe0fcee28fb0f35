import json
import subprocess
import sys
import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from toy_env import WORDS, GuessEnv

from agentgym import ToolCall

BASE_INFO_KEYS = {
    "task_id",
    "turn",
    "tools",
    "tool_calls",
    "tool_results",
    "reward_components",
    "parse_error",
}


def test_check_env_passes_without_warnings():
    env = gym.make("Guess-v0", render_mode="ansi")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped, skip_render_check=False)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"reward_mode": "shaped"}, "reward_mode"),
        ({"max_turns": 0}, "max_turns"),
        ({"max_turns": True}, "max_turns"),
        ({"max_turns": "3"}, "max_turns"),
        ({"action_format": "yaml"}, "action_format"),
        ({"difficulty": "extreme"}, "difficulty"),
        ({"render_mode": "human"}, "render_mode"),
        ({"time_limit_s": -1}, "time_limit_s"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        GuessEnv(**kwargs)


def test_reset_info_and_options():
    env = GuessEnv()
    obs, info = env.reset(seed=0)
    assert BASE_INFO_KEYS <= set(info)
    assert info["turn"] == 0 and info["parse_error"] is None
    assert [m["role"] for m in info["messages"]] == ["system", "user"]
    assert info["messages"][1]["content"] == obs
    assert "guess" in info["system_prompt"] and [t["function"]["name"] for t in info["tools"]] == [
        "hint",
        "guess",
        "echo",
    ]
    _, info = env.reset(options={"task_id": "word-3"})
    assert info["task_id"] == "word-3"
    _, info = env.reset(
        options={"task": {"task_id": "custom", "prompt": "Guess.", "data": {"word": "zebra"}}}
    )
    assert env.step("<guess>zebra</guess>")[1] == 1.0
    with pytest.raises(ValueError, match="unknown task_id"):
        env.reset(options={"task_id": "nope"})
    with pytest.raises(ValueError, match="unknown reset option"):
        env.reset(options={"level": 3})
    with pytest.raises(ValueError, match="does not describe a task"):
        env.reset(options={"task": {"prompt": "missing id"}})
    with pytest.raises(ValueError, match="must be a dict"):
        env.reset(options={"task": 42})


def test_step_before_reset_and_after_end():
    env = GuessEnv()
    with pytest.raises(gym.error.ResetNeeded):
        env.step("<hint/>")
    env.reset(seed=0)
    env.step(env.oracle_action())
    with pytest.raises(gym.error.ResetNeeded, match="episode has ended"):
        env.step("<hint/>")


@pytest.mark.parametrize("fmt", ["xml", "json", "openai"])
@pytest.mark.parametrize(
    "action",
    [
        "",
        "x" * 1_000_000,
        "\x00\x01\xfe binary \udcff",
        "<guess>unclosed",
        "<nuke>all</nuke>",
        "{bad json",
        12345,
    ],
)
def test_malformed_actions_are_observations(fmt, action):
    env = GuessEnv(action_format=fmt, reward_mode="dense")
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(action)
    assert obs.startswith("Error: ") and info["parse_error"] and info["parse_error"] in obs
    assert info["turn"] == 1 and not terminated and not truncated
    assert reward == pytest.approx(GuessEnv.format_penalty)
    assert env.observation_space.contains(obs)


def test_bad_arguments_are_observations_with_format_penalty():
    env = GuessEnv(reward_mode="dense")
    env.reset(seed=0)
    obs, reward, *_, info = env.step('<echo n="lots">hi</echo>')
    assert info["parse_error"] is None and "must be integer" in obs
    assert info["tool_results"][0]["ok"] is False
    assert info["reward_components"]["format"] == GuessEnv.format_penalty


def test_sparse_pays_only_the_outcome_on_the_last_step():
    env = GuessEnv(reward_mode="sparse")
    env.reset(seed=0)
    rewards = [env.step("<hint/>")[1] for _ in range(2)]
    obs, r, terminated, truncated, info = env.step(env.oracle_action())
    assert rewards == [0.0, 0.0] and r == 1.0 and terminated and not truncated
    assert info["success"] is True and info["score"] == 1.0
    assert info["reward_components"]["outcome"] == 1.0


def test_dense_shaping_is_potential_based():
    """Shaping telescopes to -Φ(s0) = 0, so dense returns differ from sparse only by penalties."""
    for actions in (
        ["<hint/>", "<hint/>", "<guess>apple</guess>"],
        ["<hint/>"] * 3 + ["<guess>nope</guess>"],
    ):
        env = GuessEnv(reward_mode="dense", max_turns=10)
        env.reset(seed=1)
        total, comps = 0.0, {}
        for a in actions:
            _, r, terminated, truncated, info = env.step(a)
            total += r
            for k, v in info["reward_components"].items():
                comps[k] = comps.get(k, 0.0) + v
        assert terminated
        assert comps["progress"] == pytest.approx(0.0)
        assert total == pytest.approx(info["score"] + comps["repeat"] + comps["format"])
        assert sum(info["reward_components"].values()) == pytest.approx(r)


def test_truncation_at_max_turns_and_time_limit():
    env = GuessEnv(max_turns=2)
    env.reset(seed=0)
    assert env.step("<hint/>")[3] is False
    obs, r, terminated, truncated, info = env.step("<hint/>")
    assert truncated is True and terminated is False and info["success"] is False
    assert "turn limit reached: 2/2" in obs
    env = GuessEnv(max_turns=100, time_limit_s=1e-9)
    env.reset(seed=0)
    assert env.step("<hint/>")[3] is True


def test_calls_after_a_terminal_call_are_not_run():
    env = GuessEnv()
    env.reset(options={"task_id": "word-0"})
    obs, r, terminated, _, info = env.step("<guess>apple</guess><echo>x</echo>")
    assert terminated and r == 1.0
    assert [t["ok"] for t in info["tool_results"]] == [True, False]
    assert "episode already ended" in obs


def episode(fmt, seed=3):
    env = GuessEnv(action_format=fmt, reward_mode="dense")
    obs, info = env.reset(seed=seed)
    trace = [obs]
    actions = [
        lambda: env.format_calls([ToolCall("hint", {})]),
        lambda: env.format_calls([ToolCall("echo", {"text": "ab", "n": 2})]),
        env.oracle_action,
    ]
    for next_action in actions:
        obs, r, t, tr, info = env.step(next_action())
        trace.append(
            (
                obs,
                r,
                t,
                tr,
                json.dumps({k: v for k, v in info.items() if k != "tools"}, sort_keys=True),
            )
        )
    return trace


def test_same_episode_in_every_action_format():
    assert episode("xml") == episode("json") == episode("openai")


def test_same_seed_same_episode_across_processes():
    code = (
        "import sys, json; sys.path.insert(0, 'tests'); "
        "from core.test_agent_env import episode; print(json.dumps(episode('xml', seed=11)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == json.loads(json.dumps(episode("xml", seed=11)))


def test_different_seeds_draw_different_tasks():
    env = GuessEnv()
    ids = {env.reset(seed=s)[1]["task_id"] for s in range(30)}
    assert len(ids) == len(WORDS)


def test_render_ansi():
    env = gym.make("Guess-v0", render_mode="ansi")
    env.reset(seed=0)
    env.step("<hint/>")
    text = env.render()
    assert "turn=1/" in text and ">>> <hint/>" in text and "tool_result" in text
    assert GuessEnv().render() is None


def test_long_observations_are_clipped_with_a_notice():
    env = GuessEnv()
    env.reset(seed=0)
    obs = env.step('<echo n="50000">abc</echo>')[0]
    assert len(obs) <= env.max_observation_chars and "observation truncated" in obs


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_vector_envs_autoreset_and_fresh_observations(mode):
    envs = gym.make_vec("Guess-v0", num_envs=4, vectorization_mode=mode, max_turns=2)
    try:
        obs, info = envs.reset(seed=0)
        assert len(obs) == 4 and all(o.startswith("Guess the word") for o in obs)
        obs1, r, term, trunc, info = envs.step(["<hint/>"] * 4)
        assert all(o.startswith('<tool_result name="hint">') for o in obs1)
        obs2, r, term, trunc, info = envs.step(["<hint/>"] * 4)
        assert obs2 != obs1 and trunc.all()
        obs3, *_ = envs.step(["<hint/>"] * 4)  # autoreset step
        assert all(o.startswith("Guess the word") for o in obs3)
        obs4, *_ = envs.step(["<guess>x</guess>"] * 4)
        assert all("wrong" in o for o in obs4)
    finally:
        envs.close()


def _env_whose_echo_rejects_its_arguments() -> GuessEnv:
    import dataclasses

    from agentgym.tools import ToolArgumentError

    env = GuessEnv(reward_mode="dense")
    env.reset(seed=0)

    def picky(text, n=1):
        raise ToolArgumentError("link 9 does not exist")

    env.tools["echo"] = dataclasses.replace(env.tools["echo"], fn=picky)
    return env


def test_tool_raising_argument_error_is_a_format_penalty():
    env = _env_whose_echo_rejects_its_arguments()
    obs, r, *_, info = env.step("<echo>x</echo>")
    assert (
        "link 9 does not exist" in obs
        and info["reward_components"]["format"] == GuessEnv.format_penalty
    )
    assert info["tool_results"][0]["ok"] is False


def test_repeatable_tools_are_not_penalised():
    import dataclasses

    env = GuessEnv(reward_mode="dense")
    env.reset(seed=0)
    env.tools["hint"] = dataclasses.replace(env.tools["hint"], repeatable=True)
    env.step("<hint/>")
    *_, info = env.step("<hint/>")
    assert info["reward_components"]["repeat"] == 0.0


def test_a_tool_names_what_makes_a_call_a_repeat():
    import dataclasses

    from agentgym.tools import ToolOutput

    env = GuessEnv(reward_mode="dense")
    env.reset(seed=0)
    # The key is what the call acted on: here the text, case aside.
    env.tools["echo"] = dataclasses.replace(
        env.tools["echo"],
        fn=lambda text, n=1: ToolOutput(text * n, repeat_key=("echo", text.lower())),
    )
    *_, info = env.step("<echo>abc</echo>")
    assert info["reward_components"]["repeat"] == 0.0
    *_, info = env.step("<echo>ABC</echo>")
    assert info["reward_components"]["repeat"] == GuessEnv.repeat_penalty  # other text, same key
    *_, info = env.step("<echo>abd</echo>")
    assert info["reward_components"]["repeat"] == 0.0


def test_rejected_arguments_cost_format_but_are_not_repeats():
    env = _env_whose_echo_rejects_its_arguments()
    env.step("<echo>x</echo>")
    *_, info = env.step("<echo>x</echo>")
    assert info["reward_components"]["format"] == GuessEnv.format_penalty
    assert info["reward_components"]["repeat"] == 0.0
