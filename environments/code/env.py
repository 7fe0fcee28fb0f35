"""AgentCode-v0: write and debug Python in a sandbox; graded by hidden tests."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import Any, ClassVar

from agentgym.core import AgentEnv
from agentgym.environments.code.grading import Grader, GradeReport, helper_source
from agentgym.environments.code.tasks import FAMILY, is_expression, suite_of
from agentgym.sandboxes import SandboxError, WorkspaceFileError, check_backend
from agentgym.tasks import Task, TaskFamily
from agentgym.tools.base import Tool, ToolCall, ToolOutput
from agentgym.tools.python import python_tool

__all__ = ["CodeEnv", "SOLUTION_FILE", "VISIBLE_TESTS_FILE"]

SOLUTION_FILE = "solution.py"
VISIBLE_TESTS_FILE = "test_visible.py"
_MAX_SOLUTION_CHARS = 200_000


class CodeEnv(AgentEnv):
    r"""Write or repair a Python module until hidden tests pass.

    ## Description

    Each episode is one programming task. In the ``implement`` family the agent writes a
    function from a specification with a few visible examples; in the ``bugfix`` family it
    repairs a small module whose visible tests fail. The agent works in a sandboxed
    workspace holding ``solution.py`` (the starter code) and ``test_visible.py``; hidden
    tests, which never enter that workspace, decide the score. The built-in bank has 66
    tasks (36 implement, 30 bugfix; 22 each easy, medium and hard); ``task_source`` may
    instead name a HumanEval/MBPP-style JSONL file.

    ## Action Space

    :class:`~agentgym.spaces.UnicodeText` (up to 200,000 characters): the assistant's raw
    completion, holding tool calls in the ``action_format`` (``xml``: ``<python>...</python>``,
    ``<run_tests/>``, ``<submit>...</submit>``; ``json``; ``openai``).

    ## Observation Space

    :class:`~agentgym.spaces.UnicodeText` (up to 32,768 characters): at reset the task
    prompt (specification or buggy module, starter code, visible tests); after each step the
    tool results, or an error message for a malformed action.

    ## Rewards

    ``reward_mode="sparse"``: 0 on every step but the last, which pays the score: 1.0 if
    every hidden test passes, else 0.0 (with ``partial_credit=True``, the fraction of hidden
    tests passed). An episode that ends without ``submit`` scores 0.
    ``reward_mode="dense"`` adds the shaping and penalties listed under Reward components.

    ## Starting State

    A task drawn uniformly with ``np_random`` (or ``options["task_id"]``/``options["task"]``);
    a fresh workspace with ``solution.py`` = the starter and ``test_visible.py``.

    ## Episode End

    Terminated when the agent calls ``submit``. Truncated after ``max_turns`` steps
    (default 12) or when ``time_limit_s`` runs out.

    ## Arguments

    | argument | default | meaning |
    |---|---|---|
    | ``timeout_s`` | 10.0 | seconds for one ``python`` call, and for one whole test run |
    | ``memory_mb`` | 512 | memory limit of sandboxed code, in MiB |
    | ``sandbox`` | ``"local"`` | sandbox backend: ``"local"`` or ``"docker"`` |
    | ``partial_credit`` | False | score = fraction of hidden tests passed |
    | ``reward_mode`` | ``"sparse"`` | ``"sparse"`` or ``"dense"`` |
    | ``max_turns`` | 12 | steps before truncation |
    | ``action_format`` | ``"xml"`` | ``"xml"``, ``"json"`` or ``"openai"`` |
    | ``task_source`` | ``"builtin"`` | ``"builtin"`` or the path of a JSONL file |
    | ``difficulty`` | None | ``"easy"``, ``"medium"``, ``"hard"`` or None (all) |
    | ``render_mode`` | None | None or ``"ansi"`` |
    | ``time_limit_s`` | None | wall-clock budget per episode in seconds |

    >>> import gymnasium as gym
    >>> import agentgym
    >>> env = gym.make("AgentCode-v0")
    >>> obs, info = env.reset(seed=0, options={"task_id": "implement/clamp"})
    >>> code = "def clamp(x, lo, hi):\n    return min(max(x, lo), hi)\n"
    >>> obs, reward, terminated, truncated, info = env.step(f"<run_tests>{code}</run_tests>")
    >>> info["tool_results"][0]["passed"], info["tool_results"][0]["total"]
    (2, 2)
    >>> obs, reward, terminated, truncated, info = env.step(f"<submit>{code}</submit>")
    >>> reward, terminated, info["success"]  # a hidden test wants ValueError for lo > hi
    (0.0, True, False)
    >>> env.close()

    ## Tools

    * ``python(code)``: run a Python program in the workspace (working directory; files
      persist for the episode); stdout/stderr are shown, cut at 4,000 characters each with
      a notice; a timeout, out-of-memory kill or exit code is reported.
    * ``run_tests(code=None)``: run the visible tests and report each as PASS/FAIL with the
      reason. With ``code`` (a whole module), that code is written to ``solution.py`` first;
      without it, the workspace's ``solution.py`` is tested.
    * ``submit(code=None)``: grade the final module (``code``, or the workspace's
      ``solution.py``) against the hidden tests and end the episode. Only the number of
      hidden tests passed is shown.

    Tests always run in a separate, freshly reset sandbox that gets the solution's text; the
    solution runs in its own process and the tests see only the plain data it returns, and
    the tests import nothing from a folder the solution could write, so printing a fake
    result, exiting early, returning objects with a rigged ``__eq__`` or planting modules
    does not pass.

    ## Reward components

    * ``outcome``: the score, on the last step (both modes).
    * ``progress``: potential-based shaping ``Φ(s') - Φ(s)`` with ``Φ = 0.5 x`` the fraction
      of visible tests that passed in the latest ``run_tests`` (0 at reset: starters fail
      every visible test; 0 once terminated).
    * ``format``: -0.1 for a malformed action or bad tool arguments.
    * ``repeat``: -0.05 for repeating an identical non-terminal call; ``run_tests`` is a
      repeat when the code it tests (``code`` or ``solution.py``) was already tested.
    * ``crash``: -0.05 when the agent's code crashes: a ``python`` run that fails (exception,
      non-zero exit, timeout, out of memory), or a test run in which the solution does not
      load, times out or kills its process.

    ## Version History

    * v0: Initial version.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "render_fps": 4}
    default_max_turns: ClassVar[int] = 12
    extra_reward_components: ClassVar[tuple[str, ...]] = ("crash",)
    crash_penalty: ClassVar[float] = -0.05
    task_family: ClassVar[TaskFamily] = FAMILY
    shaping_weight: ClassVar[float] = 0.5
    description: ClassVar[str] = (
        "You are solving a Python programming task in a sandboxed workspace. Write or fix "
        "the module solution.py, check it with the visible tests, then submit it; hidden "
        "tests decide your score."
    )

    def __init__(
        self,
        *,
        timeout_s: float = 10.0,
        memory_mb: int = 512,
        sandbox: str = "local",
        partial_credit: bool = False,
        **config: Any,
    ):
        super().__init__(**config)
        if (
            isinstance(timeout_s, bool)
            or not isinstance(timeout_s, int | float)
            or not 0 < timeout_s <= 3600
        ):
            raise ValueError(f"timeout_s must be a number in (0, 3600], got {timeout_s!r}")
        if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 64:
            raise ValueError(f"memory_mb must be an int >= 64, got {memory_mb!r}")
        check_backend(sandbox)
        if not isinstance(partial_credit, bool):
            raise ValueError(f"partial_credit must be a bool, got {partial_credit!r}")
        self.timeout_s = float(timeout_s)
        self.memory_mb = memory_mb
        self.sandbox_backend = sandbox
        self.partial_credit = partial_credit
        self._workspace: Any = None
        self._grading: Any = None
        self._grader = Grader(
            self._grading_sandbox, budget_s=self.timeout_s, per_test_s=max(1.0, timeout_s / 4)
        )
        self._visible_fraction = 0.0
        self._final: GradeReport | None = None

    def close(self) -> None:
        """Close both sandboxes (the workspace and the grader's); the env may be reset again."""
        for name in ("_workspace", "_grading"):
            sandbox = getattr(self, name, None)
            if sandbox is not None:
                setattr(self, name, None)
                sandbox.close()
        super().close()

    # --- hooks -----------------------------------------------------------------------------

    def _make_tools(self) -> Sequence[Tool]:
        python = python_tool(self._workspace_sandbox)
        self._python_fn = python.fn
        code_arg = {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "The whole module; omit it to use the workspace's solution.py.",
                }
            },
            "required": [],
        }
        return [
            dataclasses.replace(python, fn=self._python),
            Tool(
                "run_tests",
                "Run the visible tests against solution.py (or against `code`, which is then "
                "saved as solution.py) and report each test's result.",
                code_arg,
                self._run_tests,
                main_arg="code",
            ),
            Tool(
                "submit",
                "Submit the final module (`code`, or the workspace's solution.py) to be "
                "graded by the hidden tests. Ends the episode.",
                code_arg,
                self._submit,
                main_arg="code",
                terminal=True,
            ),
        ]

    def _prompt_limits(self) -> list[str]:
        return [
            *super()._prompt_limits(),
            f"A python call or a test run may take {self.timeout_s:g} seconds and use "
            f"{self.memory_mb} MiB of memory.",
        ]

    def _begin(self, task: Task) -> str:
        self._visible_fraction = 0.0
        self._final = None
        sandbox = self._workspace_sandbox()
        # Emptied and given the task's files in one request.
        sandbox.reset(
            files={
                SOLUTION_FILE: task.data["starter"],
                VISIBLE_TESTS_FILE: _visible_test_file(task),
            }
        )
        return task.prompt

    def _potential(self) -> float:
        return self.shaping_weight * self._visible_fraction

    def _score(self) -> float:
        if self._final is None or not self._final.total:
            return 0.0
        if self.partial_credit:
            return self._final.fraction
        return float(self._final.passed == self._final.total)

    def _oracle_calls(self) -> Sequence[ToolCall]:
        return [ToolCall("submit", {"code": self.task.data["solution"]})]

    def _oracle_tool_calls(self) -> Sequence[ToolCall]:
        # Save the solution and run the visible tests on it, then submit the workspace's file.
        solution = self.task.data["solution"]
        if ("run_tests", solution.rstrip()) not in self._seen_effects:
            return [ToolCall("run_tests", {"code": solution})]
        return [ToolCall("submit", {})]

    # --- tools -----------------------------------------------------------------------------

    def _python(self, code: str) -> ToolOutput:
        out = self._python_fn(code)
        if not out.ok:
            return dataclasses.replace(out, rewards={"crash": self.crash_penalty})
        return out

    def _run_tests(self, code: str | None = None) -> ToolOutput:
        save = code is not None
        code, error = self._solution_code(code)
        if error is not None:
            return ToolOutput(error, ok=False)
        suite = suite_of(self.task, "visible")
        report, notice = self._grade(code, suite, save)
        self._visible_fraction = report.fraction
        lines = [f"{notice}{report.passed}/{report.total} visible tests passed."]
        if report.grader_error:
            lines.append(f"The test run failed: {report.grader_error}")
        elif report.load_error:
            lines.append(f"solution.py failed to load:\n{report.load_error.rstrip()}")
        sources = dict(suite.tests)
        for r in report.results:
            if r.passed:
                lines.append(f"PASS {r.name}: {sources[r.name]}")
            else:
                lines.append(f"FAIL {r.name}: {sources[r.name]}\n     {r.error}")
        if report.output.strip():
            lines.append(f"Output of your code during the tests:\n{report.output.rstrip()}")
        # Testing code already tested (passed as ``code`` or read from solution.py) is a repeat;
        # trailing whitespace, which an xml body may lose, changes nothing.
        return ToolOutput(
            "\n".join(lines),
            ok=not report.crashed,
            data=_report_data(report),
            repeat_key=("run_tests", code.rstrip()),
            rewards=self._crash_reward(report),
        )

    def _submit(self, code: str | None = None) -> ToolOutput:
        save = code is not None
        code, error = self._solution_code(code)
        if error is not None:
            # Nothing gradable: the episode ends with score 0 (a submission is final).
            self._final = GradeReport(())
            return ToolOutput(error + " The submission scores 0.", ok=False)
        report, notice = self._grade(code, suite_of(self.task, "hidden"), save)
        self._final = report
        text = f"{notice}Submitted. {report.passed}/{report.total} hidden tests passed."
        if report.load_error:
            text += f"\nsolution.py failed to load:\n{report.load_error.rstrip()}"
        elif report.grader_error:
            text += f"\nThe test run failed: {report.grader_error}"
        data = _report_data(report, with_errors=False)
        return ToolOutput(
            text,
            ok=report.passed == report.total,
            data=data,
            rewards=self._crash_reward(report),
        )

    def _crash_reward(self, report: GradeReport) -> dict[str, float]:
        """The ``crash`` penalty of a test run whose solution did not load, hung or died."""
        return {"crash": self.crash_penalty} if report.crashed else {}

    # --- internals -------------------------------------------------------------------------

    def _solution_code(self, code: str | None) -> tuple[str, str | None]:
        """Return (module source, error): ``code``, or solution.py's text if it is None.

        ``code`` is saved as solution.py while it is graded (see :meth:`_grade`).
        """
        sandbox = self._workspace_sandbox()
        if code is not None:
            if len(code) > _MAX_SOLUTION_CHARS:
                return (
                    "",
                    f"error: code is {len(code)} characters (limit {_MAX_SOLUTION_CHARS}).",
                )
            return code, None
        too_long = f"error: {SOLUTION_FILE} is longer than {_MAX_SOLUTION_CHARS} characters."
        try:
            # Up to 4 bytes a character: longer text is surely over the character limit.
            data = sandbox.read_file(SOLUTION_FILE, max_bytes=4 * _MAX_SOLUTION_CHARS)
        except WorkspaceFileError as exc:
            if exc.reason == "missing":
                # The sandbox says so when a restart of its server took the workspace's files.
                told = "".join(f"[sandbox: {n}]\n" for n in exc.notices)
                return (
                    "",
                    f"{told}error: there is no {SOLUTION_FILE} in the workspace; pass `code`.",
                )
            if exc.reason == "too large":
                return "", too_long
            return "", f"error: {SOLUTION_FILE} is not a regular file; pass `code`."
        except SandboxError:
            return "", f"error: could not read {SOLUTION_FILE} from the workspace."
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return "", f"error: {SOLUTION_FILE} is not UTF-8 text; pass `code`."
        # As a text-mode read would have it (and Python reads its sources).
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > _MAX_SOLUTION_CHARS:
            return "", too_long
        return text, None

    def _grade(self, code: str, suite: Any, save: bool) -> tuple[GradeReport, str]:
        """Grade ``code`` and, if ``save``, meanwhile save it as solution.py in the workspace.

        The save is another request to the sandbox server, so it need not wait for the test
        run (it cost a round trip, about 1 ms, on every ``submit`` with ``code``). Returns the
        report and the save's notice for the agent (e.g. a FIFO that was in solution.py's
        place and was replaced), or "".
        """
        if not save:
            return self._grader.grade(code, suite), ""
        sandbox = self._workspace_sandbox()
        saved: dict[str, Any] = {}

        def write() -> None:
            try:
                saved["notices"] = sandbox.write_files({SOLUTION_FILE: code})
            except BaseException as exc:  # noqa: BLE001 - raised in the env's thread below
                saved["error"] = exc

        thread = threading.Thread(target=write, name="agentgym-save-solution", daemon=True)
        thread.start()
        try:
            report = self._grader.grade(code, suite)
        finally:
            thread.join()
        if "error" in saved:
            raise saved["error"]
        return report, "".join(f"Note: {n}.\n" for n in saved["notices"])

    def _make_sandbox(self) -> Any:
        from agentgym.sandboxes import make_sandbox

        return make_sandbox(
            self.sandbox_backend, timeout_s=self.timeout_s, memory_mb=self.memory_mb
        )

    def _workspace_sandbox(self) -> Any:
        if self._workspace is None:
            self._workspace = self._make_sandbox()
        return self._workspace

    def _grading_sandbox(self) -> Any:
        if self._grading is None:
            self._grading = self._make_sandbox()
        return self._grading


def _report_data(report: GradeReport, with_errors: bool = True) -> dict[str, Any]:
    tests = [
        {"name": r.name, "passed": r.passed, **({"error": r.error} if with_errors else {})}
        for r in report.results
    ]
    return {
        "passed": report.passed,
        "total": report.total,
        "crashed": report.crashed,
        "tests": tests,
        **report.resources,
    }


def _visible_test_file(task: Task) -> str:
    """A pytest-style file of the visible tests, for the agent to read or run."""
    names = ", ".join(task.data["entry_points"])
    lines = [
        '"""Visible tests (the run_tests tool runs these; hidden tests decide the score)."""',
        "",
        f"from solution import {names}",
    ]
    # The grader's own helpers, as their source, so the agent's tests behave as the grader's.
    lines += ["", "", *helper_source("checks.py").rstrip("\n").splitlines()]
    prelude = task.data.get("prelude_visible", "")
    if prelude:
        lines += ["", prelude]
    for name, source in task.data["visible"]:
        lines += ["", "", f"def {name}():"]
        if "\n" in source or not is_expression(source):
            lines += ["    " + ln for ln in source.splitlines()]
        else:
            lines.append(f"    assert {source}")
    return "\n".join(lines) + "\n"
