"""Run a test suite against a solution in a fresh sandbox workspace and read back the report.

The env never runs tests in the agent's workspace: every grading (visible or hidden) resets a
separate sandbox, writes the tests, their budgets and a fresh random nonce there as a file,
and runs the harness program, which carries the solution's source text and nothing secret;
nothing is read back from the workspace. The harness goes as the call's prelude (see
:class:`agentgym.sandboxes.Prelude`), which the sandbox server keeps compiled, so a run sends
only the solution. The harness forks the solution's first process before it reads (and
removes) that file. The report is taken only from
the stdout line that carries the nonce; no line, no passes. The harness imports nothing from
a folder the solution could write (see
:func:`agentgym.environments.code.harness.seal_imports`).
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib.util
import json
import marshal
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from agentgym.environments.code.harness import RESULT_MARK, SUITE_FILE
from agentgym.sandboxes import Prelude

__all__ = [
    "GradeReport",
    "Grader",
    "TestResult",
    "TestSuite",
    "harness_program",
    "helper_source",
    "suite_names",
]

_HERE = Path(__file__).parent
# Room for the interpreter to start and report after the tests' own time budget.
_STARTUP_MARGIN_S = 5.0


@dataclass(frozen=True)
class TestSuite:
    """Tests for one task.

    Attributes:
        tests: ``(name, source)`` pairs. A source is an expression that must be true (``a ==
            b`` reports both sides when it fails) or statements that must not raise. Tests see
            the solution's ``entry_points`` as functions, plus ``raises(exc, fn, *args)`` and
            ``approx(a, b)``.
        entry_points: Names of the solution's functions the tests call.
        prelude: Code run once before the tests in their namespace (e.g. HumanEval's
            ``check`` definition).
        candidate: An entry point also bound as ``candidate`` (HumanEval convention), or "".
    """

    __test__ = False  # not a pytest test class, despite the name

    tests: tuple[tuple[str, str], ...]
    entry_points: tuple[str, ...]
    prelude: str = ""
    candidate: str = ""


@dataclass(frozen=True)
class TestResult:
    """One test's outcome; ``error`` says why it failed (None when it passed)."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    passed: bool
    error: str | None = None


@dataclass(frozen=True)
class GradeReport:
    """The outcome of running a suite.

    Attributes:
        results: Per-test outcomes, in suite order.
        load_error: Why ``solution.py`` could not be imported (a traceback), or None.
        crashed: The solution failed to load, timed out, or its process died.
        output: The end of what the solution printed while the tests ran.
        grader_error: Why the harness gave no report (e.g. the whole run timed out), or None.
        resources: The harness run's resource use (``wall_ms``, ``cpu_ms``, ...).
    """

    results: tuple[TestResult, ...]
    load_error: str | None = None
    crashed: bool = False
    output: str = ""
    grader_error: str | None = None
    resources: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        """Number of tests that passed."""
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        """Number of tests in the suite."""
        return len(self.results)

    @property
    def fraction(self) -> float:
        """Fraction of tests passed (0.0 for an empty suite)."""
        return self.passed / self.total if self.results else 0.0


def helper_source(name: str) -> str:
    """Return a helper module's source, minus what only makes sense inside the package."""
    lines = (_HERE / name).read_text(encoding="utf-8").splitlines()
    keep = [
        ln
        for ln in lines
        if not ln.endswith("# harness: strip") and ln != "from __future__ import annotations"
    ]
    return "\n".join(keep) + "\n"


@cache
def harness_program() -> tuple[str, str]:
    """Return the sources of the harness program and of the solution process."""
    codec = helper_source("codec.py")
    harness = (
        codec
        + helper_source("checks.py")
        + helper_source("launcher.py")
        + helper_source("harness.py")
    )
    return harness, codec + helper_source("solution_process.py")


@cache
def _program_prefix() -> str:
    """The fixed part of the grading program: the harness and the solution process's code.

    The harness goes as source, which the sandbox server compiles once with the prelude. The
    solution process's code (run as a module of its own) goes as bytecode, which the sandbox's
    Python loads when its bytecode format is ours (cheaper than a compile per run), and as
    source, which any other Python compiles and which a restarted solution process runs.
    """
    harness, process = harness_program()
    blob = base64.b64encode(marshal.dumps(compile(process, "solution_process.py", "exec")))
    return (
        harness + "\n\nimport base64 as _base64, marshal as _marshal\n"
        "from importlib.util import MAGIC_NUMBER as _MAGIC_NUMBER\n\n"
        f"_PROCESS_SOURCE = {process!r}\n"
        f"if _MAGIC_NUMBER == {importlib.util.MAGIC_NUMBER!r}:\n"
        f"    _PROCESS = _marshal.loads(_base64.b64decode({blob.decode('ascii')!r}))\n"
        "else:\n"
        "    _PROCESS = compile(_PROCESS_SOURCE, 'solution_process.py', 'exec')\n"
    )


def _imports(sources: Sequence[str]) -> tuple[str, ...]:
    """The modules ``sources`` import (at module level or inside functions), sorted."""
    found: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
    return tuple(sorted(found))


@cache
def harness_prelude() -> Prelude:
    """The fixed part of every grading program, kept compiled by the sandbox server.

    Its name carries a digest of the source, so servers shared by different versions of the
    harness keep each apart. Its imports are the harness's and the solution process's, which
    the server imports once.
    """
    source = _program_prefix()
    digest = hashlib.blake2b(source.encode(), digest_size=8).hexdigest()
    return Prelude(f"agentgym-grading-{digest}", source, _imports(harness_program()))


class Grader:
    """Grades code against suites in a sandbox that is reset before every run.

    Args:
        sandbox: Returns the grading sandbox (created lazily by the env).
        budget_s: Wall-clock seconds for one whole test run.
        per_test_s: Wall-clock seconds for one test (including a restart of the solution).
    """

    def __init__(self, sandbox: Callable[[], Any], budget_s: float, per_test_s: float):
        self._sandbox = sandbox
        self.budget_s = float(budget_s)
        self.per_test_s = float(per_test_s)
        # Milliseconds spent in the last grade's phases (write, run tests, collect), for the
        # benchmark; never part of an observation or a reward.
        self.last_phases_ms: dict[str, float] = {}

    def grade(self, code: str, suite: TestSuite) -> GradeReport:
        """Run ``suite`` against ``code`` (a whole module) in a fresh workspace."""
        t0 = time.perf_counter()
        # A secret per run, not a seeded draw: it never reaches observations, and it must be
        # unpredictable to the solution, which could otherwise replay the env's seed.
        nonce = secrets.token_hex(16)
        # The secret part goes in a file, which the harness reads (and removes) only after it
        # has forked the template that starts the solution's processes; the program itself
        # holds nothing the solution may not see.
        secret = {
            "nonce": nonce,
            "tests": [{"name": n, "source": s} for n, s in suite.tests],
            "entry_points": list(suite.entry_points),
            "prelude": suite.prelude,
            "candidate": suite.candidate,
            "budget_s": self.budget_s,
            "per_test_s": self.per_test_s,
        }
        program = f"main({json.dumps(code)!r}, _PROCESS, _PROCESS_SOURCE)\n"
        sandbox = self._sandbox()
        sandbox.reset(files={SUITE_FILE: json.dumps(secret)})
        t1 = time.perf_counter()
        result = sandbox.run(
            program, timeout_s=self.budget_s + _STARTUP_MARGIN_S, prelude=harness_prelude()
        )
        t2 = time.perf_counter()
        resources = result.resources()
        report = _find_report(result.stdout, nonce)
        self.last_phases_ms = {
            "write_ms": (t1 - t0) * 1000.0,
            "run_tests_ms": (t2 - t1) * 1000.0,
            "collect_ms": (time.perf_counter() - t2) * 1000.0,
        }
        if report is None:
            why = "the test run ended without a report"
            if result.timed_out:
                why = "the test run timed out"
            elif result.oom_killed:
                why = "the test run ran out of memory"
            tail = result.stderr.strip()[-500:]
            return GradeReport(
                tuple(TestResult(n, False, why) for n, _ in suite.tests),
                crashed=True,
                grader_error=why + (f": {tail}" if tail else ""),
                resources=resources,
            )
        results = tuple(
            TestResult(str(r["name"]), bool(r["passed"]), r.get("error")) for r in report["tests"]
        )
        error = report.get("load_error") or report.get("prelude_error")
        return GradeReport(
            results,
            load_error=error,
            crashed=bool(report.get("crashed")),
            output=str(report.get("output", "")),
            resources=resources,
        )


def _find_report(stdout: str, nonce: str) -> dict | None:
    prefix = f"{RESULT_MARK} {nonce} "
    for line in reversed(stdout.splitlines()):
        if line.startswith(prefix):
            try:
                report = json.loads(line[len(prefix) :])
            except ValueError:
                return None
            return report if isinstance(report, dict) else None
    return None


def suite_names(prefix: str, sources: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Name tests ``prefix_1``, ``prefix_2``, ... in order."""
    return tuple((f"{prefix}_{i}", s) for i, s in enumerate(sources, start=1))
