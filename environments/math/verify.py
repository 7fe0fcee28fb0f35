"""Answer verification (first version: numbers and exact text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from agentgym.environments.math.answer import boxed_contents

__all__ = ["Verdict", "verify", "verify_detailed"]

MAX_ANSWER_CHARS = 1_000


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification: ``correct`` and a short ``reason``."""

    correct: bool
    reason: str


def _number(s: str) -> Fraction | None:
    s = re.sub(r"\\[,!; ]|\s|\$", "", s)
    s = re.sub(r"^(\d{1,3})((?:,\d{3})+)", lambda m: m.group(1) + m.group(2).replace(",", ""), s)
    m = re.fullmatch(r"\\(?:d|t)?frac\{(-?\d+)\}\{(\d+)\}", s)
    if m and int(m.group(2)):
        return Fraction(int(m.group(1)), int(m.group(2)))
    try:
        return Fraction(s)
    except (ValueError, ZeroDivisionError):
        return None


def verify_detailed(prediction: str, gold: str) -> Verdict:
    """Return whether ``prediction`` is equivalent to ``gold``, and why."""
    if not isinstance(prediction, str) or not isinstance(gold, str):
        return Verdict(False, "prediction and gold must be strings")
    boxes = boxed_contents(prediction)
    if len({b.strip() for b in boxes}) > 1:
        return Verdict(False, "several different boxed answers")
    if boxes:
        prediction = boxes[0]
    prediction = prediction.strip()
    if not prediction:
        return Verdict(False, "empty answer")
    if len(prediction) > MAX_ANSWER_CHARS:
        return Verdict(False, f"answer too long ({len(prediction)} characters)")
    a, b = _number(prediction), _number(gold)
    if a is not None and b is not None:
        return Verdict(a == b, "equal numbers" if a == b else "different numbers")
    same = re.sub(r"\s", "", prediction) == re.sub(r"\s", "", gold)
    return Verdict(same, "same text" if same else "different text")


def verify(prediction: str, gold: str) -> bool:
    """Return whether ``prediction`` is equivalent to ``gold``."""
    return verify_detailed(prediction, gold).correct


def verify_antiderivative(prediction: str, integrand: str, var: str = "x") -> Verdict:
    """Return whether ``prediction`` is an antiderivative of ``integrand`` (not yet precise)."""
    return Verdict(False, "antiderivatives are not checked yet")


def check_equality(lhs: str, rhs: str, bindings: dict[str, str]) -> bool | None:
    """Return whether ``lhs == rhs`` numerically, or None if either side cannot be read."""
    a, b = _number(lhs), _number(rhs)
    if a is None or b is None:
        return None
    return a == b
