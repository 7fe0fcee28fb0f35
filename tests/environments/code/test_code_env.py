"""AgentCode-v0 end to end: oracle, rewards, determinism, formats, hostile input and hacks."""

import json
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import agentgym
import agentgym.environments.code as code_pkg
from agentgym.agents.random import RandomAgent
from agentgym.environments.code import CodeEnv
from agentgym.environments.code.tasks import builtin_tasks, load_jsonl_tasks
from agentgym.tasks import TaskFileError
from agentgym.tools.base import ToolCall

SAMPLE = Path(code_pkg.__file__).parent / "sample_tasks.jsonl"
RESOURCE_KEYS = {"wall_ms", "cpu_ms", "max_rss_kb"}
CLAMP_OK = (
    "def clamp(x, lo, hi):\n"
    "    if lo > hi:\n"
    "        raise ValueError('lo > hi')\n"
    "    return min(max(x, lo), hi)\n"
)
CLAMP_HALF = "def clamp(x, lo, hi):\n    return max(x, lo)\n"  # passes 1 of 2 visible tests


def stable(value):
    """Drop measured resource use, which is not replayed."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in RESOURCE_KEYS}
    if isinstance(value, list | tuple):
        return [stable(v) for v in value]
    return value


@pytest.fixture
def env():
    e = CodeEnv(timeout_s=5.0, reward_mode="dense")
    yield e
    e.close()


def call(env, name, **arguments):
    return env.step(env.format_calls([ToolCall(name, arguments)]))


# --- the oracle over every task ------------------------------------------------------------


def _replay_all(source, task_ids):
    """Per task: starter fails every visible test, the reference passes them, the oracle wins."""
    env = CodeEnv(task_source=source, reward_mode="dense", timeout_s=10.0)
    problems = []
    try:
        for task_id in task_ids:
            env.reset(seed=0, options={"task_id": task_id})
            *_, info = call(env, "run_tests")
            if source == "builtin" and info["tool_results"][0]["passed"] != 0:
                problems.append((task_id, "a visible test passes on the starter"))
            *_, info = call(env, "run_tests", code=env.task.data["solution"])
            result = info["tool_results"][0]
            if result["passed"] != result["total"]:
                problems.append((task_id, "reference fails a visible test", result["tests"]))
            obs, reward, term, trunc, info = env.step(env.oracle_action())
            if not (term and info["success"] and info["score"] == 1.0):
                problems.append((task_id, "oracle did not solve it", obs))
    finally:
        env.close()
    return problems


@pytest.mark.slow
def test_oracle_solves_every_builtin_and_sample_task():
    builtin = [t.task_id for t in builtin_tasks()]
    sample = [t.task_id for t in load_jsonl_tasks(SAMPLE)]
    jobs = [("builtin", builtin[0::2]), ("builtin", builtin[1::2]), (str(SAMPLE), sample)]
    with ThreadPoolExecutor(2) as pool:
        problems = [p for ps in pool.map(lambda job: _replay_all(*job), jobs) for p in ps]
    assert not problems
    assert len(builtin) >= 60


def test_random_agent_scores_near_zero():
    env = CodeEnv(max_turns=4, timeout_s=3.0)
    agent = RandomAgent(env, seed=0)
    scores = []
    try:
        for episode in range(8):
            obs, info = env.reset(seed=episode)
            while True:
                obs, reward, term, trunc, info = env.step(agent.act(obs, info))
                if term or trunc:
                    scores.append(info["score"])
                    break
    finally:
        env.close()
    assert len(scores) == 8 and sum(scores) / len(scores) <= 0.1


# --- rewards ---------------------------------------------------------------------------------


def test_sparse_rewards_pay_only_the_outcome():
    env = CodeEnv(timeout_s=5.0)
    try:
        env.reset(seed=0, options={"task_id": "implement/clamp"})
        _, r1, *_, info1 = call(env, "run_tests", code=CLAMP_HALF)
        assert r1 == 0.0 and info1["reward_components"]["progress"] == 0.25
        _, r2, term, _, info2 = call(env, "submit", code=CLAMP_OK)
        assert term and r2 == 1.0 and info2["success"] is True and info2["score"] == 1.0
    finally:
        env.close()


def test_dense_shaping_is_potential_based(env):
    env.reset(seed=0, options={"task_id": "implement/clamp"})
    _, r1, *_, info = call(env, "run_tests", code=CLAMP_HALF)
    assert info["tool_results"][0]["passed"] == 1 and r1 == pytest.approx(0.25)
    _, r2, *_, info = call(env, "run_tests", code=CLAMP_OK)
    assert r2 == pytest.approx(0.25)
    _, r3, term, _, info = call(env, "submit")  # grades the workspace's solution.py
    # Φ drops to 0 at the end, so the shaping telescopes to zero over the episode.
    assert term and info["score"] == 1.0
    assert info["reward_components"]["progress"] == pytest.approx(-0.5)
    assert r1 + r2 + r3 == pytest.approx(1.0)


def test_partial_credit_gives_the_fraction_of_hidden_tests():
    env = CodeEnv(timeout_s=5.0, partial_credit=True)
    try:
        env.reset(seed=0, options={"task_id": "implement/clamp"})
        no_check = "def clamp(x, lo, hi):\n    return min(max(x, lo), hi)\n"
        *_, reward, term, _, info = call(env, "submit", code=no_check)
        result = info["tool_results"][0]
        assert result["passed"] == result["total"] - 1  # only the ValueError test fails
        assert reward == pytest.approx(result["passed"] / result["total"])
        assert info["score"] == reward and info["success"] is False
    finally:
        env.close()
    strict = CodeEnv(timeout_s=5.0)
    try:
        strict.reset(seed=0, options={"task_id": "implement/clamp"})
        _, reward, *_ = call(strict, "submit", code=no_check)
        assert reward == 0.0
    finally:
        strict.close()


def test_crash_and_format_penalties(env):
    env.reset(seed=0, options={"task_id": "bugfix/average"})
    _, reward, *_, info = call(env, "python", code="raise RuntimeError('boom')")
    assert info["reward_components"]["crash"] == -0.05 and reward == pytest.approx(-0.05)
    assert "RuntimeError: boom" in info["tool_results"][0]["output"]
    *_, info = call(env, "run_tests", code="def average(nums)\n")
    assert info["reward_components"]["crash"] == -0.05
    assert "SyntaxError" in info["tool_results"][0]["output"]
    *_, info = call(env, "python", code="print('fine')")
    assert info["reward_components"]["crash"] == 0.0
    _, reward, *_, info = env.step("no tool call here")
    assert info["parse_error"] and info["reward_components"]["format"] == -0.1


def test_run_tests_on_an_edited_file_is_not_a_repeat(env):
    env.reset(seed=0, options={"task_id": "implement/clamp"})
    write = "open('solution.py', 'w').write({!r})"
    call(env, "python", code=write.format(CLAMP_HALF))
    *_, info = call(env, "run_tests")
    assert info["reward_components"]["repeat"] == 0.0
    *_, info = call(env, "run_tests")  # nothing changed: a repeat
    assert info["reward_components"]["repeat"] == -0.05
    call(env, "python", code=write.format(CLAMP_OK))
    *_, info = call(env, "run_tests")  # the file changed: not a repeat
    assert info["reward_components"]["repeat"] == 0.0
    assert info["tool_results"][0]["passed"] == 2
    *_, info = call(env, "run_tests", code=CLAMP_OK)  # the same code, passed in: a repeat
    assert info["reward_components"]["repeat"] == -0.05


def test_a_new_episode_starts_with_only_the_task_files(env):
    env.reset(seed=0, options={"task_id": "implement/clamp"})
    call(env, "python", code="import os; open('notes.txt', 'w').write('x'); os.mkfifo('pipe')")
    env.reset(seed=0, options={"task_id": "bugfix/average"})
    obs, *_ = call(env, "python", code="import os; print(sorted(os.listdir('.')))")
    assert "['solution.py', 'test_visible.py']" in obs, obs
    obs, *_ = call(env, "python", code="print(open('solution.py').read())")
    assert "def average" in obs, obs


def test_code_passed_to_run_tests_and_submit_is_saved_as_solution_py(env):
    # The save runs beside the test run (another request): it is done when the step returns.
    env.reset(seed=0, options={"task_id": "implement/clamp"})
    call(env, "run_tests", code=CLAMP_HALF)
    obs, *_ = call(env, "python", code="print(open('solution.py').read())")
    assert CLAMP_HALF.strip() in obs, obs
    *_, info = call(env, "submit", code=CLAMP_OK)
    assert info["tool_results"][0]["passed"] == info["tool_results"][0]["total"]
    ws = env._workspace_sandbox()
    assert ws.run("print(open('solution.py').read())").stdout.strip() == CLAMP_OK.strip()


def test_failure_messages_do_not_depend_on_the_hash_seed(env):
    env.reset(seed=0, options={"task_id": "implement/clamp"})
    code = "def clamp(x, lo, hi):\n    return {'pear', 'apple', 'kiwi', 'fig', 'plum'}"
    obs, *_ = call(env, "run_tests", code=code)
    assert "got {'apple', 'fig', 'kiwi', 'pear', 'plum'}, expected 3" in obs


def test_no_submit_scores_zero():
    env = CodeEnv(timeout_s=5.0, max_turns=1)
    try:
        env.reset(seed=0, options={"task_id": "implement/clamp"})
        *_, reward, term, trunc, info = call(env, "run_tests", code=CLAMP_OK)
        assert trunc and not term and reward == 0.0 and info["score"] == 0.0
    finally:
        env.close()


# --- determinism and action formats ---------------------------------------------------------


SCRIPT = [
    (
        "python",
        {"code": "import os\nprint(sorted(os.listdir('.')))\nprint(open('solution.py').read())"},
    ),
    ("run_tests", {}),
    # No trailing newline: the xml format trims newlines around a tag's body.
    ("run_tests", {"code": "def average(nums):\n    return sum(nums) / len(nums)"}),
    ("python", {"code": "print(1/0)"}),
    ("submit", {}),
]


def episode(action_format, seed=5):
    env = CodeEnv(action_format=action_format, reward_mode="dense", timeout_s=5.0)
    try:
        out = [stable(env.reset(seed=seed))]
        for name, args in SCRIPT:
            out.append(stable(call(env, name, **args)))
    finally:
        env.close()
    return out


def test_same_seed_and_actions_give_the_same_episode():
    first, second = episode("xml"), episode("xml")
    assert first == second
    assert first[0][1]["task_id"] == second[0][1]["task_id"]


def test_same_episode_in_a_fresh_process():
    code = (
        "import json, sys; sys.path.insert(0, 'tests/environments/code'); "
        "from test_code_env import episode; print(json.dumps(episode('xml')))"
    )
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=root
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    there = json.loads(proc.stdout.strip().splitlines()[-1])
    assert json.loads(json.dumps(episode("xml"))) == there


def test_all_action_formats_give_identical_episodes():
    xml, js, oa = episode("xml"), episode("json"), episode("openai")

    def core(ep):
        # The system prompt describes the action format; everything else must match.
        return [
            [
                step[0],
                *step[1:-1],
                {k: v for k, v in step[-1].items() if k not in ("system_prompt", "messages")},
            ]
            for step in ep
        ]

    assert core(xml) == core(js) == core(oa)


# --- bad input ------------------------------------------------------------------------------


UNKNOWN_TOOL = {
    "xml": "<nuke>x</nuke>",
    "json": '{"tool": "nuke", "arguments": {}}',
    "openai": '{"role": "assistant", "tool_calls": [{"type": "function", '
    '"function": {"name": "nuke", "arguments": "{}"}}]}',
}


@pytest.mark.parametrize("fmt", ["xml", "json", "openai"])
def test_malformed_actions_become_observations(fmt):
    env = CodeEnv(action_format=fmt, max_turns=10, timeout_s=5.0)
    try:
        env.reset(seed=0)
        cases = {
            "": "empty action",
            "x" * 1_000_000: "",
            "\x00\x01\xfe binary \udcff": "",
            "<python>print(1)": "unclosed <python>" if fmt == "xml" else "",
            UNKNOWN_TOOL[fmt]: "unknown tool",
            "{bad json": "invalid JSON" if fmt != "xml" else "",
        }
        for action, expected in cases.items():
            obs, reward, term, trunc, info = env.step(action)
            assert info["parse_error"] and info["parse_error"] in obs
            assert expected in info["parse_error"]
            assert not term and not trunc and info["tool_results"] == []
    finally:
        env.close()


def test_bad_tool_arguments_are_reported(env):
    env.reset(seed=0)
    obs, *_, info = env.step('<python code="x">print(1)</python>')
    assert info["parse_error"] and "both as attribute and body" in obs
    obs, *_, info = env.step('<run_tests bogus="1"/>')
    assert "has no argument `bogus`" in obs and info["reward_components"]["format"] == -0.1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("code", "notice"),
    [
        ("while True:\n    pass", "timed out"),
        ("import time\ntime.sleep(60)", "timed out"),
        ("import sys\nsys.stdout.write('x' * 100_000_000)", "stdout truncated"),
        ("while True:\n    print('y' * 10_000)", "stdout truncated"),
    ],
)
def test_hostile_python_ends_within_the_limit_with_a_notice(code, notice):
    env = CodeEnv(timeout_s=2.0)
    try:
        env.reset(seed=0)
        obs, reward, term, trunc, info = call(env, "python", code=code)
        assert notice in obs and len(obs) < env.max_observation_chars
        assert not term and not trunc
        obs, *_ = call(env, "python", code="print('still alive')")
        assert "still alive" in obs
    finally:
        env.close()


def test_hostile_submissions_end_within_the_limit():
    env = CodeEnv(timeout_s=2.0)
    try:
        env.reset(seed=0, options={"task_id": "implement/clamp"})
        *_, term, _, info = call(
            env, "submit", code="def clamp(x, lo, hi):\n    while True:\n        pass\n"
        )
        assert term and info["score"] == 0.0
        assert info["reward_components"]["crash"] == -0.05
    finally:
        env.close()


# --- reward hacking ---------------------------------------------------------------------------


HACKS = {
    "fake result line": (
        "print('AGENTGYM-GRADE 0 {\"tests\": []}')\n"
        "print('7/7 hidden tests passed')\nimport sys\nsys.exit(0)\n"
    ),
    "sys.exit(0) in the function": "import sys\ndef clamp(x, lo, hi):\n    sys.exit(0)\n",
    "os._exit(0) at import": "import os\nos._exit(0)\n",
    "rigged __eq__": (
        "class Anything(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = float.__hash__\n"
        "def clamp(x, lo, hi):\n    return Anything(-123.0)\n"
    ),
    "patching builtins": (
        "import builtins\nbuiltins.ValueError = Exception\nbuiltins.min = lambda *a: a[0]\n"
        "def clamp(x, lo, hi):\n    raise ValueError('nope')\n"
    ),
}


@pytest.mark.parametrize("name", sorted(HACKS))
def test_reward_hacks_score_zero(name):
    env = CodeEnv(timeout_s=3.0, partial_credit=True)
    try:
        env.reset(seed=0, options={"task_id": "implement/clamp"})
        *_, reward, term, _, info = call(env, "submit", code=HACKS[name])
        assert term and reward == 0.0 and info["success"] is False, info["tool_results"]
    finally:
        env.close()


def test_hidden_tests_never_enter_the_workspace(env):
    env.reset(seed=0, options={"task_id": "implement/clamp"})
    secret = [
        s for _, s in env.task.data["hidden"] if s not in {v for _, v in env.task.data["visible"]}
    ]
    # Look for each hidden test's text in every file the agent can reach in its workspace,
    # before and after the tests have run; the needle is split so the program never
    # contains it literally.
    parts = [(s[: len(s) // 2], s[len(s) // 2 :]) for s in secret]
    search = (
        "import os\n"
        f"needles = [a + b for a, b in {parts!r}]\n"
        "hits = []\n"
        "for root, _, files in os.walk('.'):\n"
        "    for f in files:\n"
        "        text = open(os.path.join(root, f), errors='ignore').read()\n"
        "        hits += [n for n in needles if n in text]\n"
        "print('HITS', len(hits), 'FILES', sorted(os.listdir('.')))\n"
    )
    obs, *_ = call(env, "python", code=search)
    assert "HITS 0 FILES ['solution.py', 'test_visible.py']" in obs
    call(env, "run_tests", code=CLAMP_OK)
    obs, *_ = call(env, "python", code=search)
    assert "HITS 0 " in obs
    assert all(s not in obs for s in secret)


# --- workspace, task options, lifecycle -------------------------------------------------------


def test_submit_without_code_grades_the_workspace_file(env):
    env.reset(seed=0, options={"task_id": "bugfix/gcd"})
    fixed = env.task.data["solution"]
    call(env, "python", code=f"open('solution.py', 'w').write({fixed!r})")
    *_, info = call(env, "run_tests")
    assert info["tool_results"][0]["passed"] == info["tool_results"][0]["total"] == 2
    *_, term, _, info = call(env, "submit")
    assert term and info["success"] is True


def test_the_workspace_file_is_read_by_the_sandbox_server_not_by_a_call(env, monkeypatch):
    env.reset(seed=0, options={"task_id": "bugfix/gcd"})
    fixed = env.task.data["solution"].replace("\n", "\r\n")  # saved on another system
    call(env, "python", code=f"open('solution.py', 'w', newline='').write({fixed!r})")
    sandbox = env.unwrapped._workspace_sandbox()
    runs, reads = [], []
    real_run, real_read = sandbox.run, sandbox.read_file
    monkeypatch.setattr(sandbox, "run", lambda *a, **k: runs.append(a) or real_run(*a, **k))
    monkeypatch.setattr(sandbox, "read_file", lambda *a, **k: reads.append(a) or real_read(*a, **k))
    *_, info = call(env, "run_tests")
    assert info["tool_results"][0]["passed"] == info["tool_results"][0]["total"] == 2
    # One read, and no call in the workspace (the grader runs the tests in its own).
    assert reads == [("solution.py",)] and runs == []


def test_a_workspace_file_that_is_not_utf8_is_an_observation(env):
    env.reset(seed=0, options={"task_id": "bugfix/gcd"})
    call(env, "python", code="open('solution.py', 'wb').write(b'x = 1  # \\xff\\n')")
    obs, *_ = call(env, "run_tests")
    assert "solution.py is not UTF-8 text; pass `code`" in obs


def test_missing_solution_file(env):
    env.reset(seed=0, options={"task_id": "bugfix/gcd"})
    call(env, "python", code="import os\nos.remove('solution.py')")
    obs, *_ = call(env, "run_tests")
    assert "there is no solution.py in the workspace" in obs
    obs, reward, term, _, info = call(env, "submit")
    assert term and info["score"] == 0.0 and "scores 0" in obs


def test_options_task_accepts_a_humaneval_record(env):
    record = {
        "task_id": "mine/double",
        "prompt": 'def double(x):\n    """Twice x.\n\n    >>> double(2)\n    4\n    """\n',
        "canonical_solution": "    return 2 * x\n",
        "test": "def check(candidate):\n    assert candidate(0) == 0\n    assert candidate(-3) == -6\n",
        "entry_point": "double",
    }
    obs, info = env.reset(seed=0, options={"task": record})
    assert info["task_id"] == "mine/double" and "def double(x):" in obs
    *_, info = call(env, "run_tests")
    assert info["tool_results"][0]["passed"] == 0
    *_, term, _, info = env.step(env.oracle_action())
    assert info["success"] is True
    with pytest.raises(ValueError, match="entry_point"):
        env.reset(options={"task": {**record, "entry_point": "triple"}})


def test_jsonl_task_source_through_gym_make():
    env = gym.make("AgentCode-v0", task_source=str(SAMPLE), timeout_s=5.0)
    try:
        obs, info = env.reset(seed=1)
        assert info["task_id"].startswith("sample/")
    finally:
        env.close()
    with pytest.raises(TaskFileError):
        CodeEnv(task_source=str(SAMPLE.with_name("absent.jsonl")))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout_s": 0},
        {"timeout_s": "5"},
        {"memory_mb": 10},
        {"memory_mb": 512.0},
        {"sandbox": "vm"},
        {"partial_credit": 1},
        {"task_source": "humaneval"},
        {"difficulty": "brutal"},
    ],
)
def test_constructor_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        CodeEnv(**kwargs)


def test_close_is_idempotent_and_reset_reopens():
    env = CodeEnv(timeout_s=5.0, render_mode="ansi")
    env.reset(seed=0)
    env.close()
    env.close()
    env.reset(seed=0)
    obs, *_ = call(env, "python", code="print(6 * 7)")
    assert "42" in obs and "42" in env.render()
    env.close()


def test_check_env_and_async_vector_with_real_tool_calls():
    env = CodeEnv(timeout_s=5.0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_env(env, skip_render_check=True)
    finally:
        env.close()
    assert "AgentCode-v0" in [spec.id for spec in agentgym.ENVS]
    envs = gym.make_vec("AgentCode-v0", num_envs=2, vectorization_mode="async", timeout_s=5.0)
    try:
        envs.reset(seed=0)
        obs, reward, term, trunc, info = envs.step(["<python>print(6 * 7)</python>"] * 2)
        assert all("42" in o for o in obs)
        obs, *_ = envs.step(["<run_tests/>"] * 2)
        assert all("visible tests passed" in o for o in obs)
    finally:
        envs.close()
