"""Process rewards: checking the intermediate equalities an agent states with ``step``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from agentgym.environments.math.verify import check_equality

__all__ = ["StepChecker", "StepResult"]

STEP_REWARD = 0.05
STEP_PENALTY = -0.05
MAX_TOTAL_REWARD = 0.15
MAX_TOTAL_PENALTY = -0.25
MAX_STEP_CHARS = 500
_OPERATION = re.compile(r"[-+*/^()]|\\(?:frac|sqrt|cdot|times|div)|\d\s*[a-zA-Z]")


@dataclass(frozen=True)
class StepResult:
    """The check of one step.

    Attributes:
        holds: True/False when the equality was checked, None when it was not (unparsable,
            trivial or repeated).
        reward: The process reward paid for it (after the episode caps).
        message: What the agent is told.
    """

    holds: bool | None
    reward: float
    message: str


class StepChecker:
    """Checks the steps of one episode and pays bounded process rewards.

    Args:
        bindings: Values of the task's unknowns (``{"x": "3"}``); an equality that is not an
            identity still holds if it is true with these values substituted.
    """

    def __init__(self, bindings: Mapping[str, str]):
        self.bindings = dict(bindings)
        self.seen: set[str] = set()
        self.total = 0.0
        self.penalty = 0.0

    def check(self, equation: str) -> StepResult:
        """Check ``equation`` (``lhs = rhs``) and return the result and its reward."""
        text = equation.strip().strip("$").strip()
        if len(text) > MAX_STEP_CHARS:
            return StepResult(None, 0.0, f"step too long (limit {MAX_STEP_CHARS} characters)")
        sides = [s.strip() for s in re.split(r"(?<![<>!=])=(?!=)", text)]
        if len(sides) < 2 or not all(sides):
            return StepResult(None, 0.0, "a step must be an equality 'lhs = rhs'")
        key = re.sub(r"\s+", "", text)
        if key in self.seen:
            return StepResult(None, 0.0, "repeated step: no reward")
        self.seen.add(key)
        compact = [re.sub(r"\s+", "", s) for s in sides]
        if len(set(compact)) == 1 or not any(_OPERATION.search(s) for s in sides):
            return StepResult(None, 0.0, "trivial step: no reward")
        holds: bool | None = True
        for lhs, rhs in zip(sides, sides[1:], strict=False):
            result = check_equality(lhs, rhs, self.bindings)
            if result is None:
                return StepResult(
                    None,
                    0.0,
                    f"could not check {lhs!r} = {rhs!r} (unreadable, or not an identity and "
                    "its unknowns have no known values): no reward",
                )
            holds = holds and result
        if holds:
            reward = round(max(0.0, min(STEP_REWARD, MAX_TOTAL_REWARD - self.total)), 10)
            self.total += reward
            note = "" if reward else " (process reward cap reached)"
            return StepResult(True, reward, "the step holds" + note)
        reward = round(min(0.0, max(STEP_PENALTY, MAX_TOTAL_PENALTY - self.penalty)), 10)
        self.penalty += reward
        return StepResult(False, reward, "the step is false")
