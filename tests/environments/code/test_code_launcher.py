"""How the harness starts the solution's processes, on both backends.

The harness forks the first solution process before it reads the secret file (tests, nonce),
which it removes before any solution code runs; each restart is a new interpreter. These tests
check what that design promises: a poisoned solution process leaves the next one clean, the
secret file is gone, no solution process (first or restarted) can read the harness's memory,
and no process of a grading run outlives it. The controls show that each probe does find what
it looks for when it is there.
"""

import json
import sys
import time
from pathlib import Path

import pytest

from agentgym.environments.code.grading import Grader, TestSuite
from agentgym.environments.code.harness import SUITE_FILE
from agentgym.sandboxes import make_sandbox
from agentgym.sandboxes.server import descendants_of

sys.path.insert(0, str(Path(__file__).parents[2] / "sandboxes"))
from sandbox_support import module_backend  # noqa: E402, F401  (the backend fixture)

SECRET_TEST = "probe(0) == 'the hidden expectation 7f3a'"


@pytest.fixture(scope="module")
def pool(backend):
    """A private pool, so the processes it holds can be counted."""
    if backend == "local":
        from agentgym.sandboxes.local import LocalPool

        pool = LocalPool(workspace_mb=64)
    else:
        from agentgym.sandboxes.docker_backend import DockerPool

        pool = DockerPool(memory_mb=1536, workspace_mb=128)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def sandbox(pool, backend):
    sb = make_sandbox(backend, pool=pool, timeout_s=10, memory_mb=512)
    yield sb
    sb.close()


@pytest.fixture(scope="module")
def grader(sandbox):
    return Grader(lambda: sandbox, budget_s=6.0, per_test_s=2.0)


def _error(report, i=0) -> str:
    return report.results[i].error or ""


def test_a_poisoned_solution_process_leaves_the_restarted_one_clean(grader):
    code = (
        "import builtins, os, sys\n"
        "SEEN = getattr(builtins, '_poison', None)\n"
        "builtins._poison = 'poisoned'\n"
        "os.fork = lambda: 0\n"
        "main = sys.modules['__main__']\n"
        "for name in [n for n in vars(main) if not n.startswith('__')]:\n"
        "    setattr(main, name, None)\n"
        "def crash():\n"
        "    os._exit(3)\n"
        "def seen():\n"
        "    return [SEEN, getattr(builtins, '_poison', None)]\n"
    )
    suite = TestSuite(
        (("crash", "crash() is None"), ("clean", "seen() == [None, 'poisoned']")),
        ("crash", "seen"),
    )
    report = grader.grade(code, suite)
    # The first process poisoned itself (its __main__ too) and died; the restarted one is a
    # new interpreter, which the first could not touch: it saw no poison at import.
    assert not report.results[0].passed and "exited (code 3)" in _error(report)
    assert report.results[1].passed, report
    assert report.crashed


def test_a_restarted_process_hashes_and_imports_like_the_first(grader):
    code = (
        "import os, sys\n"
        "def probe(x):\n"
        "    return [hash('agentgym'), sys.flags.no_user_site, '' in sys.path, os.getcwd()]\n"
        "def crash(x):\n"
        "    os._exit(3)\n"
    )
    first = "probe(0)"
    suite = TestSuite(
        (("first", f"{first} == 0"), ("crash", "crash(0)"), ("restarted", f"{first} == 0")),
        ("probe", "crash"),
    )
    report = grader.grade(code, suite)
    seen = [_error(report, i).split(", expected")[0] for i in (0, 2)]
    # Same hash seed (set order does not change after a restart), same folder, no user site.
    assert seen[0] == seen[1] and seen[0].startswith("got ["), report
    assert ", 1, False, " in seen[1], seen


def test_the_suite_file_is_gone_before_the_solution_runs(grader, sandbox):
    finder = (
        "import glob, os\n"
        f"NAME = {SUITE_FILE!r}\n"
        "def look():\n"
        "    paths = glob.glob('../.*') + glob.glob('../*') + glob.glob('../*/.*')\n"
        "    found = [p for p in paths if os.path.basename(p) == NAME]\n"
        "    text = b''\n"
        "    for p in paths:\n"
        "        try:\n"
        "            text += open(p, 'rb').read()\n"
        "        except OSError:\n"
        "            pass\n"
        "    return [found, b'hidden expectation' in text]\n"
        "AT_IMPORT = look()\n"
        "def probe(x):\n"
        "    return [AT_IMPORT, look()]\n"
    )
    suite = TestSuite((("probe", SECRET_TEST),), ("probe",))
    report = grader.grade(finder, suite)
    assert "got [[[], False], [[], False]]" in _error(report), report
    # Control: the same finder, run where the file is left in place, finds it.
    sandbox.reset()
    sandbox.write_files({SUITE_FILE: json.dumps({"tests": [SECRET_TEST]})})
    r = sandbox.run(
        "import os\nos.mkdir('solution-x')\nos.chdir('solution-x')\n"
        + finder
        + "print(AT_IMPORT)\n"
    )
    assert r.stdout.strip() == f"[['../{SUITE_FILE}'], True]", r


READER = (
    "import os, re\n"
    "def memory_of(pid):\n"
    "    chunks = []\n"
    "    try:\n"
    "        with open(f'/proc/{pid}/maps') as maps, open(f'/proc/{pid}/mem', 'rb', 0) as mem:\n"
    "            for line in maps:\n"
    "                m = re.match(r'([0-9a-f]+)-([0-9a-f]+) r', line)\n"
    "                if m:\n"
    "                    try:\n"
    "                        mem.seek(int(m.group(1), 16))\n"
    "                        chunks.append(mem.read(int(m.group(2), 16) - int(m.group(1), 16)))\n"
    "                    except (OSError, OverflowError, ValueError):\n"
    "                        pass\n"
    "    except OSError as e:\n"
    "        return type(e).__name__\n"
    "    return ('hidden ' + 'expectation').encode() in b''.join(chunks)\n"
)


def test_no_solution_process_can_read_the_harness(grader, sandbox):
    code = READER + (
        "def crash(x):\n"
        "    os._exit(3)\n"
        "def probe(x):\n"
        "    return [os.getpid() != 1, memory_of(os.getppid())]\n"
    )
    suite = TestSuite(
        (("first", SECRET_TEST), ("crash", "crash(0)"), ("restarted", SECRET_TEST)),
        ("probe", "crash"),
    )
    report = grader.grade(code, suite)
    # The first process (forked from the harness) and a restarted one (a new interpreter).
    for i in (0, 2):
        assert "got [True, 'PermissionError']" in _error(report, i), report
    # Control: the reader does find the text in memory it may read (its own, once dumpable).
    sandbox.reset()
    r = sandbox.run(
        READER
        + "import ctypes\nctypes.CDLL(None).prctl(4, 1, 0, 0, 0)\n"
        + "S = 'hidden ' + 'expectation'\nprint(memory_of('self'))\n"
    )
    assert r.stdout.strip() == "True", r


def _processes(pool, backend) -> int:
    if backend == "local":
        return len(descendants_of(pool.server_pid))
    return len(pool._running.container.top()["Processes"])


def _settled(pool, backend, baseline: int) -> int:
    """Wait for the pool to hold no more processes than ``baseline``; return the excess."""
    extra = 0
    for _ in range(100):
        extra = _processes(pool, backend) - baseline
        if extra <= 0:
            return extra
        time.sleep(0.05)
    return extra


def test_no_process_of_a_grading_run_survives_it(grader, sandbox, pool, backend):
    sandbox.run("pass")
    time.sleep(0.5)  # the pool refills its spares
    baseline = _processes(pool, backend)
    # A solution that leaves a daemon, a hanging process and a restart behind.
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(60)\n"
        "    os._exit(0)\n"
        "def crash(x):\n"
        "    os._exit(1)\n"
        "def hang(x):\n"
        "    time.sleep(60)\n"
    )
    suite = TestSuite((("crash", "crash(1) == 1"), ("hang", "hang(1) == 1")), ("crash", "hang"))
    report = grader.grade(code, suite)
    assert report.passed == 0 and "timed out" in _error(report, 1), report
    assert _settled(pool, backend, baseline) <= 0, "processes of the grading run were left behind"
