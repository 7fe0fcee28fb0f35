r"""Decide whether a predicted answer is equivalent to the gold answer, quickly and safely.

How a pair is decided (see ``docs/envs/math.md`` for the full list of conventions):

1. The prediction's ``\boxed{}`` content is used; several different boxes never verify.
   Empty answers and answers over :data:`MAX_ANSWER_CHARS` characters never verify.
2. Both sides are parsed by :mod:`~agentgym.environments.math.parser` into trees.
3. Structures are matched: sets and unordered answer lists (``2, -2`` = ``\pm 2``) as sets,
   tuples/points/vectors in order, intervals with their open/closed ends, unions part by
   part, matrices by shape and entries; ``x = 3`` against ``3``; inequalities in one
   variable as intervals; text (yes/no, multiple-choice letters) as normalised words.
4. Numbers and expressions: exact rational arithmetic first; then constants are compared
   to 30 significant digits; expressions with variables at several pseudo-random points
   (derived from a hash of both answers, so an answer cannot be tuned to the points);
   sympy's ``simplify`` settles what the points cannot, under a time budget.

Percentages compare with or without the percent sign (``50\%`` = ``50`` = ``0.5``), degrees
with or without the mark or as radians (``30^\circ`` = ``30`` = ``\frac{\pi}{6}``). A
decimal with at least two places matches an exact value that rounds to it (``0.33`` =
``\frac13``). Every call is bounded in time and memory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from agentgym.environments.math.answer import boxed_contents
from agentgym.environments.math.budget import BudgetExceeded, time_budget
from agentgym.environments.math.extract import extract_candidates, extract_final
from agentgym.environments.math.normalise import normalise, strip_labels
from agentgym.environments.math.numeric import (
    NotNumeric,
    TooLarge,
    free_symbols,
)
from agentgym.environments.math.parser import Node, ParseError, parse_answer
from agentgym.environments.math.scalars import (
    compare_expressions,
    drop_integration_constant,
    is_expression,
    substitute,
    sympy_points_equal,
    sympy_zero,
)
from agentgym.environments.math.structures import (
    answer_part,
    compare,
)

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "MAX_ANSWER_CHARS",
    "Verdict",
    "check_equality",
    "clear_caches",
    "verify",
    "verify_antiderivative",
    "verify_detailed",
]

MAX_ANSWER_CHARS = 1_000
DEFAULT_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification.

    Attributes:
        correct: Whether the prediction is equivalent to the gold answer.
        reason: A short explanation (``"equal numbers"``, ``"different set sizes"``, ...).
    """

    correct: bool
    reason: str


# --- public API ----------------------------------------------------------------------------


def verify(prediction: str, gold: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> bool:
    r"""Return whether ``prediction`` is mathematically equivalent to ``gold``.

    Args:
        prediction: The model's answer (LaTeX or plain text); if it holds ``\boxed{}``, the
            boxed content is used.
        gold: The reference answer.
        timeout_s: Wall-clock budget in seconds (enforced in the main thread).

    >>> verify(r"\boxed{\dfrac{1}{2}}", "0.5")
    True
    >>> verify("2, -2", r"\pm 2"), verify(r"[1, 2)", "(1, 2)")
    (True, False)
    """
    return verify_detailed(prediction, gold, timeout_s=timeout_s).correct


def verify_detailed(prediction: str, gold: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Verdict:
    """Like :func:`verify`, but return a :class:`Verdict` that says why.

    The final answer is found in ``prediction`` the way a grader reads a completion (see
    :mod:`agentgym.environments.math.extract`), and in ``gold`` the same way. Never raises,
    whatever the strings, and never runs much longer than ``timeout_s``, in any thread.
    """
    if not isinstance(prediction, str) or not isinstance(gold, str):
        return Verdict(False, "prediction and gold must be strings")
    try:
        with time_budget(timeout_s):
            return _verify(prediction, gold, timeout_s)
    except BudgetExceeded as e:
        return Verdict(False, str(e))
    except TooLarge as e:
        return Verdict(False, f"refused: {e}")
    except RecursionError:
        return Verdict(False, "refused: answer nested too deeply")
    except Exception as e:  # noqa: BLE001 - a verifier bug must cost a reward, never a crash
        return Verdict(False, f"internal error: {type(e).__name__}: {str(e)[:100]}")


def _squash(text: str) -> str:
    return re.sub(r"\s+|\\left|\\right|\\displaystyle", "", text)


_NAN = re.compile(r"^\s*[-+]?\\?(?:nan|NaN|NAN)\s*$")


def _verify(prediction: str, gold: str, timeout_s: float) -> Verdict:
    verdict = _read_and_compare(prediction, gold)
    if not verdict.correct and prediction.strip() and _squash(prediction) == _squash(gold):
        # The same string is the same answer, however large; except NaN, which equals nothing.
        if not _NAN.match(extract_final(gold).text or gold):
            return Verdict(True, "same text")
    return verdict


def _read_and_compare(prediction: str, gold: str) -> Verdict:
    readings = [e for e in extract_candidates(gold) if e.text and e.form != "sentence"]
    golds = [_strip(normalise(e.text or "")) for e in readings]
    golds = [g for g in golds if g]
    if not golds:
        return Verdict(False, "empty gold answer")
    # The gold is the first reading that parses (a gold in prose holds its box).
    g_text = next((g for g in golds if _parse(g)[0] is not None), golds[0])
    found = extract_candidates(prediction)
    if not found:
        return Verdict(False, "no final answer found (use \\boxed{...} or 'Answer: ...')")
    if _parse(g_text)[0] is None:
        found = found[:1]  # a text gold is compared with the answer itself, not fished for
    first: Verdict | None = None
    for candidate in found[:4]:
        raw = candidate.text or ""
        if len(raw) > 4 * MAX_ANSWER_CHARS:
            # Too long to read as mathematics; still equal if it is the gold, character for
            # character (whitespace aside).
            same = _squash(raw) in (_squash(g_text), _squash(gold))
            return Verdict(
                same, "same text" if same else f"answer too long ({len(raw)} characters)"
            )
        p_text = _strip(normalise(raw, g_text))
        verdict = _judge(p_text, g_text)
        if verdict is not None:
            return verdict
        error = _parse(p_text)[1] if p_text else "empty answer"
        first = first or Verdict(False, f"cannot read the answer: {error}")
        if candidate.form in ("answer_tag", "boxed", "hashes") or "nested" in str(error):
            break  # an explicit answer that cannot be read is not fished around
    return first or Verdict(False, "empty answer")


def _judge(p_text: str, g_text: str) -> Verdict | None:
    """Compare one reading of the prediction with the gold; None if it cannot be read."""
    if not p_text:
        return None
    p_text, g_text = strip_labels(p_text, g_text), strip_labels(g_text, p_text)
    if _NAN.match(p_text) or _NAN.match(g_text):
        return Verdict(False, "NaN equals nothing")
    verdict = _judge_parsed(p_text, g_text)
    if (verdict is None or not verdict.correct) and _squash(p_text) == _squash(g_text):
        return Verdict(True, "same text")  # even when too large or too strange to evaluate
    return verdict


# A letter directly followed by a digit (4c0, e3, 1a2b): a digit string in another base or a
# name, not algebra; such answers are compared as text.
_DIGIT_STRING = re.compile(r"^(?=[0-9A-Za-z]*[A-Za-z]\d)[0-9A-Za-z]+$")


def _judge_parsed(p_text: str, g_text: str) -> Verdict | None:
    if _DIGIT_STRING.match(p_text) or _DIGIT_STRING.match(g_text):
        same = p_text.lower() == g_text.lower()
        return Verdict(same, "same text" if same else "different digit strings")
    if len(p_text) > MAX_ANSWER_CHARS:
        return Verdict(False, f"answer too long ({len(p_text)} characters)")
    g, gold_error = _parse(g_text)
    if g is None:
        same = _plain_text(p_text) == _plain_text(g_text) or (
            _parse(p_text)[0] is None
            and _plain_text(_sorted_factors(p_text)) == _plain_text(_sorted_factors(g_text))
        )
        return Verdict(
            same, "same text" if same else f"different text (gold unreadable: {gold_error})"
        )
    p, _ = _parse(p_text)
    if p is None:
        return None
    try:
        ok, reason = compare(p, g)
    except TooLarge as e:
        return Verdict(False, f"refused: {e}")
    except (ArithmeticError, ValueError, TypeError, NotNumeric, MemoryError) as e:
        # A failure we did not foresee is still an answer we cannot accept, never a crash.
        return Verdict(False, f"internal error: {type(e).__name__}: {str(e)[:100]}")
    return Verdict(ok, reason)


def verify_antiderivative(
    prediction: str, integrand: str, var: str = "x", *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> Verdict:
    r"""Return whether ``prediction`` is an antiderivative of ``integrand`` in ``var``.

    A trailing constant of integration (``+ C``) is allowed. The derivative is taken with
    sympy and compared to the integrand like any expression pair.

    >>> verify_antiderivative(r"\frac{x^3}{3} + 2x + C", "x^2 + 2").correct
    True
    """
    boxes = boxed_contents(prediction) if isinstance(prediction, str) else []
    if boxes:
        if len({re.sub(r"\s+", "", b) for b in boxes}) > 1:
            return Verdict(False, f"{len(boxes)} different boxed answers")
        prediction = boxes[-1]
    if not isinstance(prediction, str) or not _strip(prediction):
        return Verdict(False, "empty answer")
    if len(prediction) > MAX_ANSWER_CHARS:
        return Verdict(False, f"answer too long ({len(prediction)} characters)")
    p, error = _parse(_strip(prediction))
    if p is None:
        return Verdict(False, f"cannot read the answer: {error}")
    g, gold_error = _parse(integrand)
    if g is None:
        return Verdict(False, f"cannot read the integrand: {gold_error}")
    p = answer_part(p)
    p = drop_integration_constant(p, var)
    if p[0] in ("list", "set", "tuple", "rel", "text", "union", "matrix"):
        return Verdict(False, "an antiderivative must be one expression")
    from agentgym.environments.math.symbolic import check_sizes, to_sympy

    try:
        with time_budget(timeout_s):
            check_sizes(p)
            derivative = to_sympy(p).diff(to_sympy(("sym", var)))
            target = to_sympy(g)
            if sympy_zero(derivative - target):
                return Verdict(True, "its derivative equals the integrand")
            ok = sympy_points_equal(derivative, target)
    except BudgetExceeded as e:
        return Verdict(False, str(e))
    except (TooLarge, NotNumeric) as e:
        return Verdict(False, f"refused: {e}")
    if ok:
        return Verdict(True, "its derivative equals the integrand (numerically)")
    return Verdict(False, "its derivative differs from the integrand")


def check_equality(lhs: str, rhs: str, bindings: Mapping[str, str]) -> bool | None:
    """Return whether ``lhs = rhs`` holds, or None if it cannot be checked.

    It holds if it is an identity, or if it is true once the task's unknowns are replaced by
    their values in ``bindings`` (``{"x": "3"}``). An equality that is not an identity and
    has unknowns without values (restating ``x^2 - 5x + 6 = 0`` in a task with no
    bindings) cannot be checked: the result is None, never False.
    """
    a, _ = _parse(_strip(lhs))
    b, _ = _parse(_strip(rhs))
    if a is None or b is None or not is_expression(a) or not is_expression(b):
        return None
    try:
        with time_budget(DEFAULT_TIMEOUT_S):
            ok, _ = compare_expressions(a, b)
            if ok:
                return True
            unknown = free_symbols(a) | free_symbols(b)
            if not unknown:
                return False
            if not unknown <= set(bindings):
                return None
            values = {}
            for name in unknown:
                node, _ = _parse(str(bindings[name]))
                if node is None or not is_expression(node):
                    return None
                values[name] = node
            return compare_expressions(substitute(a, values), substitute(b, values))[0]
    except (BudgetExceeded, TooLarge, RecursionError):
        return None


# --- parsing helpers -----------------------------------------------------------------------

_WRAPPERS = re.compile(r"^(?:\$+|\\\(|\\\[)\s*(.*?)\s*(?:\$+|\\\)|\\\])$", re.DOTALL)
_LEAD = re.compile(
    r"^(?:(?:the\s+)?(?:final\s+)?(?:answer|solution|result)s?\s*(?:is|:)\s*)?"
    r"(?:\\approx|≈|\\sim)?\s*",
    re.IGNORECASE,
)


def _strip(text: str) -> str:
    text = text.strip().rstrip(" .")
    for _ in range(2):
        m = _WRAPPERS.match(text)
        if m:
            text = m.group(1)
    text = _LEAD.sub("", text)
    text = text.rstrip(" .")
    return text.strip()


# A run of juxtaposed symbol factors (F_k F_{n-k-1}), whose order does not matter.
_FACTOR = r"[A-Za-z](?:_\{[^{}]*\}|_\w)?(?:\^\{[^{}]*\}|\^\w)?"
_FACTOR_RUN = re.compile(rf"{_FACTOR}(?:\s*{_FACTOR})+")


def _sorted_factors(text: str) -> str:
    r"""Products of symbols in a canonical order, for formulas the parser cannot read.

    ``\sum_{k} F_k F_{n-k-1}`` and ``\sum_{k} F_{n-k-1} F_k`` are the same sum.
    """
    return _FACTOR_RUN.sub(
        lambda m: " ".join(sorted(re.findall(_FACTOR, m.group(0)))), text.replace("\\cdot", " ")
    )


def _plain_text(text: str) -> str:
    text = re.sub(r"\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}", r"\1", text)
    return re.sub(r"[\s{}$\\.]", "", text).lower()


def clear_caches() -> None:
    """Forget parsed answers (benchmarks time cold calls)."""
    _parse.cache_clear()


@lru_cache(maxsize=8192)
def _parse(text: str) -> tuple[Node | None, str | None]:
    try:
        return parse_answer(text), None
    except ParseError as e:
        return None, str(e)
    except RecursionError:
        return None, "answer nested too deeply"
    except (ValueError, ArithmeticError) as e:
        return None, f"unreadable number: {str(e)[:80]}"


# --- structure -----------------------------------------------------------------------------


# --- relations -----------------------------------------------------------------------------


# --- numbers and expressions ---------------------------------------------------------------


# --- sympy fallback ------------------------------------------------------------------------
