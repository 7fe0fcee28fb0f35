"""The grading harness and codec: results cannot be faked by the solution."""

import ast
import json
import math

import pytest

from agentgym.environments.code.codec import CodecError, decode, encode
from agentgym.environments.code.grading import (
    Grader,
    TestSuite,
    harness_prelude,
    harness_program,
)
from agentgym.sandboxes import make_sandbox
from agentgym.sandboxes.pool.calls import stdlib_modules

ADD_SUITE = TestSuite(
    tests=(
        ("t1", "add(1, 2) == 3"),
        ("t2", "add('a', 'b') == 'ab'"),
        ("t3", "raises(TypeError, add, 1, 'a')"),
    ),
    entry_points=("add",),
)
GOOD = "def add(a, b):\n    return a + b\n"


@pytest.fixture(scope="module")
def grader():
    sandbox = make_sandbox("local", timeout_s=10, memory_mb=512)
    yield Grader(lambda: sandbox, budget_s=6.0, per_test_s=2.0)
    sandbox.close()


# --- codec -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -7,
        "WIDE_INT",
        1.5,
        float("inf"),
        "héllo\udcff",
        b"\x00\xff",
        1 + 2j,
        [1, [2, (3, 4)]],
        (),
        {1, 2},
        frozenset({"a"}),
        {(1, 2): [None], "k": {"n": 1.0}},
    ],
)
def test_codec_round_trips_plain_data_with_exact_types(value):
    if value == "WIDE_INT":
        value = -(7**9000)  # built here: pytest cannot print a parameter this wide
    back = decode(encode(value))
    assert back == value and type(back) is type(value)


def test_codec_keeps_nan():
    assert math.isnan(decode(encode(float("nan"))))


def test_codec_rejects_objects_and_malformed_data():
    class Rigged:
        def __eq__(self, other):
            return True

    with pytest.raises(CodecError, match="Rigged"):
        encode(Rigged())
    with pytest.raises(CodecError, match="deeper"):
        nested = []
        for _ in range(300):
            nested = [nested]
        encode(nested)
    for bad in [{"X": 1}, {"L": 5}, {"D": [[{"L": []}, 1]]}, [1], {"N": "1e5"}, {"L": [], "T": []}]:
        with pytest.raises(CodecError):
            decode(bad)


def test_harness_program_is_self_contained():
    harness, solution_process = harness_program()
    for source in (harness, solution_process):
        compile(source, "<harness>", "exec")
        assert "from agentgym" not in source


@pytest.mark.parametrize("same_python", [True, False])
def test_the_prelude_gives_the_solution_process_code_on_any_python(monkeypatch, same_python):
    # A sandbox whose Python has another bytecode format compiles the source instead.
    import importlib.util

    if not same_python:
        monkeypatch.setattr(importlib.util, "MAGIC_NUMBER", b"\0\0\r\n")
    namespace: dict = {"__name__": "__main__"}
    exec(compile(harness_prelude().source, "<prelude>", "exec"), namespace)
    assert namespace["_PROCESS_SOURCE"] == harness_program()[1]
    module: dict = {}
    exec(namespace["_PROCESS"], module)
    assert callable(module["start"]) and callable(module["main"]) and callable(namespace["main"])


# --- grading -----------------------------------------------------------------------------


def test_a_grading_run_sends_the_harness_as_a_prelude_and_the_solution_alone(grader):
    """The harness is compiled once per sandbox server; each run carries only the solution."""
    sandbox = grader._sandbox()
    sent = []
    real = sandbox.run

    def spy(code, *args, **kwargs):
        sent.append((code, kwargs.get("prelude")))
        return real(code, *args, **kwargs)

    sandbox.run = spy
    try:
        assert grader.grade(GOOD, ADD_SUITE).passed == 3
    finally:
        del sandbox.run
    ((program, prelude),) = sent
    assert prelude == harness_prelude() and "def main(" in prelude.source
    call = ast.parse(program).body[0].value
    assert call.func.id == "main" and json.loads(ast.literal_eval(call.args[0])) == GOOD
    # Its declared imports are what the harness and the solution process import.
    assert {"ast", "json", "selectors", "site"} <= set(prelude.imports)
    assert "numpy" not in prelude.imports
    # So a solution that imports only standard modules is graded on a lean spare.
    assert stdlib_modules(prelude.imports, ("numpy", "sympy"))


def test_correct_and_wrong_solutions(grader):
    good = grader.grade(GOOD, ADD_SUITE)
    assert (good.passed, good.total, good.crashed) == (3, 3, False)
    wrong = grader.grade("def add(a, b):\n    return a - b\n", ADD_SUITE)
    assert [r.passed for r in wrong.results] == [False, False, True]
    assert wrong.results[0].error == "got -1, expected 3"
    assert not wrong.crashed


def test_fake_result_line_and_exit_at_import_do_not_pass(grader):
    code = (
        'print(\'AGENTGYM-GRADE 0 {"tests": [{"name": "t1", "passed": true}]}\')\n'
        "import sys\nsys.exit(0)\n"
    )
    report = grader.grade(code, ADD_SUITE)
    assert report.passed == 0 and report.crashed
    assert "SystemExit" in report.load_error


def test_sys_exit_in_a_call_is_a_failed_call(grader):
    report = grader.grade("import sys\ndef add(a, b):\n    sys.exit(0)\n", ADD_SUITE)
    assert report.passed == 0
    assert all("SystemExit" in r.error for r in report.results)


def test_os_exit_kills_only_the_solution_process(grader):
    code = "import os\ndef add(a, b):\n    if (a, b) == (1, 2):\n        os._exit(0)\n    return a + b\n"
    report = grader.grade(code, ADD_SUITE)
    # The first test's process died; the next tests got a fresh one and passed.
    assert [r.passed for r in report.results] == [False, True, True]
    assert "exited" in report.results[0].error and report.crashed


def test_rigged_eq_and_builtin_patching_do_not_pass(grader):
    code = (
        "import builtins\n"
        "builtins.AssertionError = type('Nope', (Exception,), {})\n"
        "class Anything(str):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __hash__ = str.__hash__\n"
        "def add(a, b):\n"
        "    return Anything('nope')\n"
    )
    report = grader.grade(code, ADD_SUITE)
    # The str subclass travels as a plain str, whose == is the real one.
    assert [r.passed for r in report.results] == [False, False, False]


def test_killing_the_grader_gives_no_passes(grader):
    # Whether or not the kill lands (the grader may be a pid-namespace init, immune to it),
    # a wrong solution must not pass.
    code = (
        "import os, signal\n"
        "try:\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n"
        "except OSError:\n"
        "    pass\n"
        "def add(a, b):\n"
        "    return a - b\n"
    )
    report = grader.grade(code, TestSuite(ADD_SUITE.tests[:2], ("add",)))
    assert report.passed == 0


def test_solution_cannot_see_the_tests(grader):
    # The solution searches every file it can reach from its working directory and the
    # parent's command line for a hidden test's text, and returns what it found.
    code = (
        "import os\n"
        "MARK = 'SECRET' + '_MARKER'\n"
        "def add(a, b):\n"
        "    found = []\n"
        "    for root, _, files in os.walk('..'):\n"
        "        for f in files:\n"
        "            try:\n"
        "                if MARK in open(os.path.join(root, f), errors='ignore').read():\n"
        "                    found.append(f)\n"
        "            except OSError:\n"
        "                pass\n"
        "    try:\n"
        "        cmd = open(f'/proc/{os.getppid()}/cmdline', errors='ignore').read()\n"
        "    except OSError:\n"
        "        cmd = ''\n"
        "    if MARK in cmd:\n"
        "        found.append('cmdline')\n"
        "    return found\n"
    )
    suite = TestSuite((("t", "add(0, 0) == [] and 'SECRET_MARKER' != ''"),), ("add",))
    report = grader.grade(code, suite)
    assert report.passed == 1, report.results


def test_hangs_are_cut_at_the_per_test_limit(grader):
    code = "def add(a, b):\n    while (a, b) == (1, 2):\n        pass\n    return a + b\n"
    report = grader.grade(code, ADD_SUITE)
    assert [r.passed for r in report.results] == [False, True, True]
    assert "timed out" in report.results[0].error and report.crashed


def test_import_time_hang_fails_every_test(grader):
    report = grader.grade("import time\ntime.sleep(60)\n", ADD_SUITE)
    assert report.passed == 0 and report.crashed and "timed out" in report.load_error


def test_unencodable_return_value_is_a_failure_with_a_reason(grader):
    report = grader.grade("def add(a, b):\n    return iter([a, b])\n", ADD_SUITE)
    assert report.passed == 0
    assert "cannot pass a value of type list_iterator" in report.results[0].error


def test_printing_goes_to_output_not_results(grader):
    report = grader.grade(
        "def add(a, b):\n    print('hello from add')\n    return a + b\n", ADD_SUITE
    )
    assert report.passed == 3 and "hello from add" in report.output


def test_humaneval_check_style(grader):
    suite = TestSuite(
        tests=(("hidden_1", "check(inc)"),),
        entry_points=("inc",),
        prelude="def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(-1) == 0\n",
        candidate="inc",
    )
    assert grader.grade("def inc(x):\n    return x + 1\n", suite).passed == 1
    assert grader.grade("def inc(x):\n    return 2\n", suite).passed == 0


# --- the env's own files, replaced by the agent's code ------------------------------------


@pytest.mark.parametrize("backend", ["local", pytest.param("docker", marks=pytest.mark.docker)])
def test_special_files_in_place_of_solution_py_are_observations_not_errors(backend):
    import gymnasium as gym

    import agentgym  # noqa: F401

    if backend == "docker":
        import sys

        sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/sandboxes")
        from sandbox_support import require_docker

        require_docker()
    env = gym.make("AgentCode-v0", sandbox=backend, timeout_s=4)
    code = "def clamp(x, lo, hi):\n    return min(max(x, lo), hi)\n"
    try:
        for setup, said in (
            ("import os; os.remove('solution.py'); os.mkfifo('solution.py')", "a FIFO"),
            ("import os; os.remove('solution.py'); os.mkdir('solution.py')", "a folder"),
        ):
            env.reset(seed=0, options={"task_id": "implement/clamp"})
            env.step(f"<python>{setup}</python>")
            # Read from the workspace: a clear error, no hang and no exception.
            obs, *_ = env.step("<run_tests/>")
            assert "solution.py is not a regular file" in obs
            obs, *_, info = env.step(f"<run_tests>{code}</run_tests>")
            assert f"solution.py was {said}; it was replaced" in obs
            assert info["tool_results"][0]["passed"] == 2
    finally:
        env.close()
