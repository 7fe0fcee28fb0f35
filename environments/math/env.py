"""AgentMath-v0: solve math problems with a Python sandbox, graded by a symbolic verifier."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from agentgym.core import AgentEnv
from agentgym.environments.math.answer import find_final_answer
from agentgym.environments.math.steps import StepChecker
from agentgym.environments.math.tasks import FAMILY
from agentgym.environments.math.verify import Verdict, verify_antiderivative, verify_detailed
from agentgym.parsing import ParsedAction
from agentgym.sandboxes import check_backend
from agentgym.tasks import Task, TaskFamily
from agentgym.tools.base import Tool, ToolCall, ToolOutput
from agentgym.tools.python import python_tool

# Memory limit of code run by the python tool, in MiB (stated in the system prompt).
PYTHON_MEMORY_MB = 512

__all__ = ["MathEnv"]


class MathEnv(AgentEnv):
    r"""Solve a math problem; the final answer is checked by a symbolic verifier.

    ## Description

    Each episode poses one problem: from seeded procedural generators (arithmetic, fractions,
    percentages, linear equations and systems, quadratics, polynomials, derivatives,
    integrals, number theory, combinatorics and probability, word problems) or from a JSONL
    file in the GSM8K or MATH format. The agent may compute with a sandboxed ``python`` tool
    (``sympy`` is available there), state intermediate equalities with the ``step`` tool, and
    ends the episode with ``answer``. Answers are compared with
    :func:`~agentgym.environments.math.verify.verify` (numbers, fractions, LaTeX, sets,
    intervals, tuples, matrices, equations, expressions, ...); an antiderivative is accepted
    when its derivative equals the integrand.

    ## Action Space

    A :class:`~agentgym.spaces.UnicodeText` completion in the chosen ``action_format``. A
    completion with no tool call at all but a final answer in the text (``\boxed{...}``,
    ``Answer: ...`` or ``#### n``) counts as an ``answer`` call, so single-turn use works.
    Several different boxed answers in such a completion are graded as wrong.

    ## Observation Space

    A :class:`~agentgym.spaces.UnicodeText` string: the problem after ``reset``, then the tool
    results (``<tool_result name="...">``) or an error message for a malformed action.

    ## Rewards

    ``reward_mode="sparse"``: 1.0 on the last step if the answer verifies, else 0.
    ``reward_mode="dense"`` adds the process reward of the ``step`` tool and the core's
    ``format`` and ``repeat`` penalties.

    ## Reward components

    - ``outcome``: 1.0 for a verified final answer (on the last step).
    - ``process``: per ``step`` call, ``+0.05`` for a true, non-trivial, new equality and
      ``-0.05`` for a false one. An equality holds if it is an identity, or if it is true at
      the task's solution (e.g. ``2x = 6`` while solving for ``x = 3``). Trivial steps (both
      sides identical, no operation), repeats, unparsable steps and steps that cannot be
      checked (not an identity, unknowns without known values) earn 0. The episode total
      is capped to ``[-0.25, +0.15]`` so steps cannot be farmed.
    - ``progress``: 0 (no potential shaping).
    - ``format``: ``-0.1`` for a malformed action or bad tool arguments.
    - ``repeat``: ``-0.05`` for repeating an identical ``python`` or ``step`` call.

    ## Starting State

    A task drawn with ``np_random`` (or ``options["task_id"]`` / ``options["task"]``), an
    empty Python workspace.

    ## Episode End

    Terminated when the agent calls ``answer`` (or gives a final answer in plain text);
    truncated at ``max_turns`` or when ``time_limit_s`` runs out. ``info["success"]`` says
    whether the answer verified; ``info["verdict"]`` gives the verifier's reason.

    ## Tools

    - ``python(code)``: run Python 3 in the episode's sandbox; files persist in the episode.
    - ``step(equation)``: state an intermediate equality such as ``3*4 + 2 = 14``; the reply
      says whether it holds.
    - ``answer(answer)``: submit the final answer (LaTeX or plain text); ends the episode.

    ## Arguments

    | argument | default | meaning |
    |---|---|---|
    | ``reward_mode`` | ``"sparse"`` | ``"sparse"`` or ``"dense"`` |
    | ``max_turns`` | 6 | turns before truncation |
    | ``action_format`` | ``"xml"`` | ``"xml"``, ``"json"`` or ``"openai"`` |
    | ``task_source`` | ``"generated"`` | ``"generated"``, ``"generated:fam1,fam2"``, ``"gsm8k-sample"``, ``"math-sample"``, ``"gsm8k:PATH"``, ``"math:PATH"``, or a JSONL path (format detected) |
    | ``difficulty`` | None | ``"easy"``, ``"medium"``, ``"hard"`` or None for all |
    | ``render_mode`` | None | None or ``"ansi"`` |
    | ``time_limit_s`` | None | wall-clock budget per episode |
    | ``sandbox`` | ``"local"`` | backend of the ``python`` tool: ``"local"`` or ``"docker"`` |
    | ``python_timeout_s`` | 10.0 | time limit of one ``python`` call |

    >>> import gymnasium as gym
    >>> import agentgym
    >>> env = gym.make("AgentMath-v0", task_source="generated:arithmetic", difficulty="easy")
    >>> obs, info = env.reset(seed=0)
    >>> obs
    'Compute $37 \\times 36$.'
    >>> obs, reward, terminated, truncated, info = env.step("<answer>1332</answer>")
    >>> reward, terminated, info["success"]
    (1.0, True, True)
    >>> env.close()

    ## Version History

    - v0: initial version.
    """

    description: ClassVar[str] = (
        "You are solving a math problem. Think step by step; you may run Python (sympy is "
        "available) and state intermediate equalities with the step tool. Submit the final "
        "answer, as a number or a LaTeX expression, with the answer tool."
    )
    default_max_turns: ClassVar[int] = 6
    extra_reward_components: ClassVar[tuple[str, ...]] = ("process",)
    task_family: ClassVar[TaskFamily] = FAMILY

    def __init__(
        self,
        *,
        sandbox: str = "local",
        python_timeout_s: float = 10.0,
        **config: Any,
    ):
        super().__init__(**config)
        check_backend(sandbox)
        if not (isinstance(python_timeout_s, int | float) and python_timeout_s > 0):
            raise ValueError(
                f"python_timeout_s must be a positive number, got {python_timeout_s!r}"
            )
        self.sandbox_backend = sandbox
        self.python_timeout_s = float(python_timeout_s)
        self._sandbox: Any = None
        self._verdict: Verdict | None = None
        self._steps = StepChecker({})

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Run one completion; at episode end ``info["verdict"]`` holds the verifier's reason."""
        obs, reward, terminated, truncated, info = super().step(action)
        if terminated or truncated:
            verdict = self._verdict or Verdict(False, "no answer submitted")
            info["verdict"] = verdict.reason
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        """Close the sandbox, if one was started."""
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
        super().close()

    # --- hooks -----------------------------------------------------------------------------

    def _make_tools(self) -> Sequence[Tool]:
        return [
            # A SandboxError (the sandbox cannot work, e.g. no Docker engine) propagates, as in
            # AgentCode: an episode must not go on with a tool that cannot run.
            python_tool(self._get_sandbox),
            Tool(
                "step",
                "State one intermediate equality (e.g. '3*4 + 2 = 14', '2x = 6'); the reply "
                "says whether it holds.",
                {
                    "type": "object",
                    "properties": {
                        "equation": {"type": "string", "description": "lhs = rhs"},
                    },
                    "required": ["equation"],
                },
                self._step_tool,
                main_arg="equation",
            ),
            Tool(
                "answer",
                "Submit your final answer (a number or LaTeX expression); ends the episode.",
                {
                    "type": "object",
                    "properties": {
                        "answer": {"type": "string", "description": "The final answer."},
                    },
                    "required": ["answer"],
                },
                self._answer_tool,
                main_arg="answer",
                terminal=True,
            ),
        ]

    def _prompt_limits(self) -> list[str]:
        return [
            *super()._prompt_limits(),
            f"A python call may run {self.python_timeout_s:g} seconds and use "
            f"{PYTHON_MEMORY_MB} MiB of memory.",
        ]

    def _begin(self, task: Task) -> str:
        self._verdict = None
        self._steps = StepChecker(task.data.get("bindings", {}))
        if self._sandbox is not None:
            self._sandbox.reset()
        return task.prompt

    def _score(self) -> float:
        return 1.0 if self._verdict is not None and self._verdict.correct else 0.0

    def _oracle_calls(self) -> Sequence[ToolCall]:
        assert self.task is not None
        return [ToolCall("answer", {"answer": str(self.task.data["answer"])})]

    def _oracle_tool_calls(self) -> Sequence[ToolCall]:
        # Compute the answer with the python tool (sympy), then give it: SFT data that
        # shows the tool in use. A gold sympy cannot hold goes straight to the answer.
        assert self.task is not None
        program = _oracle_program(str(self.task.data["answer"]))
        ran = "python" + json.dumps({"code": program}, sort_keys=True) in self._seen_effects
        if program is None or ran:
            return self._oracle_calls()
        return [ToolCall("python", {"code": program})]

    def _fallback_calls(self, parsed: ParsedAction, action: str) -> Sequence[ToolCall]:
        # The json parser cuts what looks like JSON out of the free text ("\boxed{5}" does);
        # the single-turn fallback reads the raw completion instead.
        text = action if self.action_format == "json" else parsed.text
        final = find_final_answer(text)
        if final.text is not None:
            return [ToolCall("answer", {"answer": final.text})]
        if final.n_distinct > 1:
            # Hedging between candidates is graded (and fails), not silently retried.
            return [ToolCall("answer", {"answer": text})]
        return ()

    # --- tools -----------------------------------------------------------------------------

    def _get_sandbox(self) -> Any:
        if self._sandbox is None:
            from agentgym.sandboxes import make_sandbox

            self._sandbox = make_sandbox(
                self.sandbox_backend, timeout_s=self.python_timeout_s, memory_mb=PYTHON_MEMORY_MB
            )
        return self._sandbox

    def _answer_tool(self, answer: str) -> ToolOutput:
        assert self.task is not None
        data = self.task.data
        if "answer" not in data:
            self._verdict = Verdict(False, "the task has no gold answer")
        elif data.get("kind") == "antiderivative":
            self._verdict = verify_antiderivative(answer, data["integrand"], data.get("var", "x"))
        else:
            self._verdict = verify_detailed(answer, str(data["answer"]))
        text = "correct" if self._verdict.correct else "incorrect"
        return ToolOutput(
            f"Answer recorded: {text}.",
            ok=True,
            data={"correct": self._verdict.correct, "reason": self._verdict.reason},
        )

    def _step_tool(self, equation: str) -> ToolOutput:
        result = self._steps.check(equation)
        rewards = {"process": result.reward} if result.reward else {}
        return ToolOutput(result.message, ok=True, data={"holds": result.holds}, rewards=rewards)


def _oracle_program(answer: str) -> str | None:
    """A short sympy program that computes and prints ``answer`` (None if it cannot)."""
    from agentgym.environments.math.numeric import free_symbols
    from agentgym.environments.math.parser import parse_answer
    from agentgym.environments.math.scalars import is_expression
    from agentgym.environments.math.symbolic import to_sympy

    try:
        node = parse_answer(answer)
        if not is_expression(node):
            return None
        expr = to_sympy(node)
    except Exception:  # noqa: BLE001 - any answer sympy cannot hold is simply answered
        return None
    names = sorted(free_symbols(node))
    lines = ["from sympy import *"]
    if names:
        lines.append(f"{', '.join(names)} = symbols({' '.join(names)!r}, real=True)")
    lines.append(f"print(latex(simplify({expr})))")
    return "\n".join(lines)
