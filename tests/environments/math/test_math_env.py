import doctest

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import agentgym  # noqa: F401
from agentgym.environments.math import MathEnv
from agentgym.environments.math import env as env_module
from agentgym.environments.math.generators import GENERATORS
from agentgym.sandboxes import SandboxError
from agentgym.tasks import DIFFICULTIES
from agentgym.tools import ToolCall


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


class _BrokenSandbox:
    def run(self, code, **kwargs):
        raise SandboxError("no Docker engine")

    def reset(self):
        pass

    def close(self):
        pass


def test_a_sandbox_that_cannot_work_raises_instead_of_becoming_an_observation(env):
    # As in AgentCode: training must not go on with a python tool that cannot run.
    env.reset(seed=0)
    env._sandbox = _BrokenSandbox()
    with pytest.raises(SandboxError, match="no Docker engine"):
        env.step("<python>print(1)</python>")


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
    with pytest.raises(ValueError, match="unknown built-in task set"):
        MathEnv(task_source="generated:nope")
    with pytest.raises(ValueError, match="unknown task_source"):
        MathEnv(task_source="something")
    with pytest.raises(ValueError, match="python_timeout_s"):
        MathEnv(python_timeout_s=0)
    with pytest.raises(ValueError, match="sandbox must be one of"):
        MathEnv(sandbox="dockr")  # at construction, not at the first python call


@pytest.mark.parametrize("family", sorted(GENERATORS))
def test_oracle_solves_every_generated_family(family):
    e = MathEnv(task_source=f"generated:{family}")
    for difficulty in DIFFICULTIES:
        for seed in range(25):
            e.reset(options={"task_id": f"{family}/{difficulty}/{seed}"})
            _, reward, terminated, _, info = e.step(e.oracle_action())
            assert terminated and reward == 1.0, (e.task_id, e.task.data["answer"], info["verdict"])
    e.close()


@pytest.mark.parametrize("source", ["gsm8k-sample", "math-sample"])
def test_oracle_solves_the_shipped_samples(source):
    e = MathEnv(task_source=source)
    assert len(e.tasks.ids()) >= 10
    for task_id in e.tasks.ids():
        e.reset(options={"task_id": task_id})
        _, reward, *_ = e.step(e.oracle_action())
        assert reward == 1.0, task_id
    e.close()


def test_random_answers_score_near_zero():
    import numpy as np

    rng = np.random.default_rng(0)
    e = MathEnv()
    total = 0.0
    n = 150
    for seed in range(n):
        e.reset(seed=seed)
        guess = int(rng.integers(-20, 100))
        _, reward, *_ = e.step(f"<answer>{guess}</answer>")
        total += reward
    e.close()
    assert total / n < 0.05


def test_antiderivative_task_accepts_any_constant():
    e = MathEnv(task_source="generated:integrals")
    for seed in range(40):
        e.reset(options={"task_id": f"integrals/hard/{seed}"})
        if e.task.data.get("kind") == "antiderivative":
            break
    gold = e.task.data["answer"].replace("+ C", "+ 17")
    _, reward, *_ = e.step(f"<answer>{gold}</answer>")
    assert reward == 1.0
    e.reset(options={"task_id": e.task_id})
    _, reward, *_ = e.step(f"<answer>{e.task.data['integrand']}</answer>")
    assert reward == 0.0
    e.close()


def test_dense_process_rewards_are_reported_and_capped():
    e = MathEnv(reward_mode="dense", task_source="generated:linear_equations")
    e.reset(options={"task_id": "linear_equations/easy/3"})
    x = e.task.data["bindings"]["x"]
    _, r_true, _, _, info = e.step(f"<step>2*{x} = {2 * int(x)}</step>")
    assert info["reward_components"]["process"] == pytest.approx(0.05)
    assert r_true == pytest.approx(0.05)
    _, r_false, _, _, info = e.step(f"<step>2*{x} = {2 * int(x) + 1}</step>")
    assert info["reward_components"]["process"] == pytest.approx(-0.05)
    assert "false" in info["tool_results"][0]["output"]
    # farming: many distinct true steps earn at most the cap
    total = 0.0
    for k in range(2, 12):
        _, _, _, _, info = e.step(f"<step>{k}*{k} = {k * k}</step>")
        total += info["reward_components"]["process"]
        if info.get("score") is not None:
            break
    assert 0.0 <= total <= 0.15 - 0.05 + 1e-9


def test_process_rewards_in_sparse_mode_are_reported_not_paid():
    e = MathEnv(reward_mode="sparse", task_source="generated:arithmetic")
    e.reset(seed=0)
    _, reward, _, _, info = e.step("<step>3*4 + 2 = 14</step>")
    assert reward == 0.0 and info["reward_components"]["process"] == pytest.approx(0.05)
    e.close()


def test_step_bound_to_the_solution():
    e = MathEnv(reward_mode="dense", task_source="generated:linear_systems")
    e.reset(options={"task_id": "linear_systems/easy/0"})
    b = e.task.data["bindings"]
    _, _, _, _, info = e.step(f"<step>x + y = {int(b['x']) + int(b['y'])}</step>")
    assert info["reward_components"]["process"] == pytest.approx(0.05)
    e.close()


def test_task_options_accept_gsm8k_and_math_records(env):
    obs, _ = env.reset(options={"task": {"question": "What is 2+2?", "answer": "2+2=4\n#### 4"}})
    assert obs == "What is 2+2?"
    _, reward, *_ = env.step("<answer>4</answer>")
    assert reward == 1.0
    env.reset(options={"task": {"problem": "Half?", "solution": "It is $\\boxed{\\frac12}$."}})
    _, reward, *_ = env.step("<answer>0.5</answer>")
    assert reward == 1.0
    with pytest.raises(ValueError, match="options\\['task'\\]"):
        env.reset(options={"task": {"foo": 1}})


def test_jsonl_loaders_detect_formats_and_report_errors(tmp_path):
    from agentgym.tasks import TaskFileError

    gsm = tmp_path / "g.jsonl"
    gsm.write_text('{"question": "1+1?", "answer": "#### 2"}\n')
    e = MathEnv(task_source=str(gsm))
    e.reset(seed=0)
    _, reward, *_ = e.step("<answer>2</answer>")
    assert reward == 1.0
    e2 = MathEnv(task_source=f"gsm8k:{gsm}")
    assert e2.tasks.ids() == ["g/0"]
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"question": "1+1?", "answer": "two"}\n')
    with pytest.raises(TaskFileError, match="b.jsonl:1: .*####"):
        MathEnv(task_source=f"gsm8k:{bad}")
    broken = tmp_path / "c.jsonl"
    broken.write_text('{"problem": "x", "solution": "\\\\boxed{1}"}\n{not json\n')
    with pytest.raises(TaskFileError, match="c.jsonl:2"):
        MathEnv(task_source=str(broken))
    unknown = tmp_path / "d.jsonl"
    unknown.write_text('{"foo": 1}\n')
    with pytest.raises(TaskFileError, match="cannot tell the task format"):
        MathEnv(task_source=str(unknown))
    with pytest.raises(TaskFileError, match="cannot read"):
        MathEnv(task_source=f"math:{tmp_path / 'missing.jsonl'}")


def test_same_seed_same_trajectory_across_formats():
    rewards = {}
    for fmt in ("xml", "json", "openai"):
        e = MathEnv(action_format=fmt, reward_mode="dense")
        obs, _ = e.reset(seed=123)
        step = e.format_calls([ToolCall("step", {"equation": "2*3 = 6"})])
        answer = e.format_calls([ToolCall("answer", {"answer": "0"})])
        out = [e.step(step)[1], e.step(answer)[1]]
        rewards[fmt] = (obs, out)
        e.close()
    assert len({repr(v) for v in rewards.values()}) == 1


@pytest.mark.parametrize("action", [None, 5, b"\xff\xfe", "<answer>", "{" * 5000, "x" * 300_000])
def test_malformed_actions_never_crash(env, action):
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(action)
    assert isinstance(obs, str)
    assert info["parse_error"] or terminated


def test_vector_env_runs_oracle():
    venv = gym.make_vec("AgentMath-v0", num_envs=2, vectorization_mode="sync")
    obs, infos = venv.reset(seed=[1, 2])
    actions = [venv.envs[i].unwrapped.oracle_action() for i in range(2)]
    _, rewards, terminated, _, _ = venv.step(actions)
    assert list(rewards) == [1.0, 1.0] and all(terminated)
    venv.close()


def test_derivative_task_rejects_the_function_itself():
    e = MathEnv(task_source="generated:derivatives")
    for seed in range(10):
        e.reset(options={"task_id": f"derivatives/medium/{seed}"})
        function = e.task.prompt.split("f(x) = ", 1)[1].rsplit("$", 1)[0]
        _, reward, *_ = e.step(f"<answer>{function}</answer>")
        assert reward == 0.0, e.task_id
    e.close()


def test_math_levels_map_to_difficulty():
    e = MathEnv(task_source="math-sample", difficulty="hard")
    assert e.tasks.ids() and all(e.tasks.get(i).difficulty == "hard" for i in e.tasks.ids())
    e.close()


@pytest.mark.parametrize("fmt", ["json", "openai"])
def test_single_turn_fallback_in_other_formats(fmt):
    e = MathEnv(action_format=fmt, task_source="generated:arithmetic")
    e.reset(seed=2)
    gold = e.task.data["answer"]
    text = f"The result is \\boxed{{{gold}}}."
    if fmt == "openai":
        import json

        text = json.dumps({"role": "assistant", "content": text})
    _, reward, terminated, _, info = e.step(text)
    assert terminated and reward == 1.0, info
    e.close()


def test_native_records_with_antiderivative_and_bindings(tmp_path):
    import json

    path = tmp_path / "native.jsonl"
    records = [
        {
            "prompt": "Integrate 2x.",
            "answer": "x^2 + C",
            "kind": "antiderivative",
            "integrand": "2x",
            "var": "x",
            "difficulty": "easy",
        },
        {"prompt": "Solve 3x = 12.", "answer": "4", "bindings": {"x": "4"}, "task_id": "lin"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    e = MathEnv(task_source=str(path), reward_mode="dense")
    assert e.tasks.ids() == ["native/0", "lin"]
    e.reset(options={"task_id": "native/0"})
    _, reward, *_ = e.step("<answer>x^2 - 7</answer>")
    assert reward == 1.0
    e.reset(options={"task_id": "lin"})
    _, reward, _, _, info = e.step("<step>3x = 12</step>")
    assert info["reward_components"]["process"] == pytest.approx(0.05)
    e.close()


@pytest.mark.parametrize(
    "text", ["9^9^9^9 = 1", "(" * 300 + "1" + ")" * 300 + " = 1", "1000000! = 2", "x" * 2000]
)
def test_hostile_steps_and_answers_are_harmless(text):
    e = MathEnv(reward_mode="dense", task_source="generated:arithmetic")
    e.reset(seed=0)
    _, reward, terminated, _, info = e.step(f"<step>{text}</step>")
    assert not terminated and info["reward_components"]["process"] == 0.0
    _, reward, terminated, _, info = e.step(f"<answer>{text}</answer>")
    assert terminated and info["reward_components"]["outcome"] == 0.0
    e.close()
