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

import itertools
import math
import random
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath

from agentgym.environments.math.answer import boxed_contents
from agentgym.environments.math.budget import BudgetExceeded, can_interrupt, time_budget
from agentgym.environments.math.extract import extract_candidates, extract_final
from agentgym.environments.math.normalise import normalise, strip_labels
from agentgym.environments.math.numeric import (
    NotNumeric,
    TooLarge,
    evaluate,
    exact_value,
    free_symbols,
    is_real,
)
from agentgym.environments.math.parser import Node, ParseError, parse_answer

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
MAX_ITEMS = 32
_CONST_DPS = 30
_CONST_TOL = mpmath.mpf(10) ** -20
_POINT_TOL = 1e-14
_POINT_DPS = 25
_POINTS = 8


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification.

    Attributes:
        correct: Whether the prediction is equivalent to the gold answer.
        reason: A short explanation (``"equal numbers"``, ``"different set sizes"``, ...).
    """

    correct: bool
    reason: str


class _Undecided(Exception):
    """Numeric checks could not settle an expression pair."""


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
        ok, reason = _compare(p, g)
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
    p = _answer_part(p)
    p = _drop_integration_constant(p, var)
    if p[0] in ("list", "set", "tuple", "rel", "text", "union", "matrix"):
        return Verdict(False, "an antiderivative must be one expression")
    from agentgym.environments.math.symbolic import check_sizes, to_sympy

    try:
        with time_budget(timeout_s):
            check_sizes(p)
            derivative = to_sympy(p).diff(to_sympy(("sym", var)))
            target = to_sympy(g)
            if _sympy_zero(derivative - target):
                return Verdict(True, "its derivative equals the integrand")
            ok = _sympy_points_equal(derivative, target)
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
    if a is None or b is None or not _is_expression(a) or not _is_expression(b):
        return None
    try:
        with time_budget(DEFAULT_TIMEOUT_S):
            ok, _ = _compare_expressions(a, b)
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
                if node is None or not _is_expression(node):
                    return None
                values[name] = node
            return _compare_expressions(_substitute(a, values), _substitute(b, values))[0]
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


def _is_expression(node: Node) -> bool:
    return node[0] not in (
        "list",
        "set",
        "tuple",
        "rel",
        "text",
        "union",
        "matrix",
        "empty",
        "reals",
    )


# --- structure -----------------------------------------------------------------------------

_SET_LIKE = ("set", "list")


def _compare(p: Node, g: Node) -> tuple[bool, str]:
    if _is_equation(p) and _is_equation(g):
        if p[2][0] == g[2][0] and _is_unknown(g[2][0]):
            return _compare(p[2][1], g[2][1])
        return _compare_equations(p, g)
    p, g = _answer_part(p), _answer_part(g)
    p, g = _as_matrix(p), _as_matrix(g)
    if _has_pm(g):
        g = ("list", tuple(_expand_pm(g)))
    if _has_pm(p):
        p = ("list", tuple(_expand_pm(p)))
    p = _normalise_list(p)
    g = _normalise_list(g)
    gk, pk = g[0], p[0]

    if gk == "text" or _is_choice(g):
        return _compare_text(p, g)
    if pk == "text":
        return False, "text answer where a mathematical one is expected"
    if gk == "rel" or pk == "rel":
        return _compare_relations(p, g)
    if gk in ("empty", "reals") or pk in ("empty", "reals"):
        return _compare_special_sets(p, g)
    if gk == "union" or pk == "union":
        return _compare_unions(p, g)
    if gk in _SET_LIKE:
        if pk == "tuple" and gk == "set":
            return False, "a tuple where a set is expected"
        if pk not in ("set", "list", "tuple"):
            return False, f"a single value where {len(g[1])} values are expected"
        return _compare_unordered(p[1], g[1])
    if gk == "tuple":
        return _compare_tuple(p, g)
    if gk == "matrix":
        return _compare_matrix(p, g)
    if pk in ("set", "list", "tuple", "matrix"):
        return False, "several values where one is expected"
    return _compare_scalars(p, g)


def _answer_part(node: Node) -> Node:
    r"""``x = 3`` -> ``3``; ``(x, y) = (1, 2)`` -> ``(1, 2)``; ``x \in S`` -> ``S``."""
    if node[0] == "rel" and len(node[1]) == 1:
        op, (lhs, rhs) = node[1][0], node[2]
        if op in ("=", "in") and _is_unknown(lhs):
            # f(x) = 2x defines f; x = 2x - 3 is an equation, not an answer.
            if lhs[0] == "apply" or not free_symbols(rhs) & free_symbols(lhs):
                return rhs
    return node


def _as_matrix(node: Node) -> Node:
    r"""``2 \begin{pmatrix}...\end{pmatrix}``: a scalar times a matrix, multiplied out."""
    if node[0] != "mul":
        return node
    a, b = node[1], node[2]
    if b[0] == "matrix" and _is_expression(a):
        return ("matrix", tuple(tuple(("mul", a, e) for e in row) for row in b[1]))
    if a[0] == "matrix" and _is_expression(b):
        return ("matrix", tuple(tuple(("mul", e, b) for e in row) for row in a[1]))
    return node


def _is_equation(node: Node) -> bool:
    return node[0] == "rel" and node[1] == ("=",)


def _is_unknown(node: Node) -> bool:
    if node[0] == "sym":
        return True
    if node[0] == "apply":
        return node[2][0] == "sym" or (
            node[2][0] == "tuple" and all(i[0] == "sym" for i in node[2][1])
        )
    return node[0] == "tuple" and all(i[0] == "sym" for i in node[1])


def _normalise_list(node: Node) -> Node:
    """Turn a list of ``var = value`` items into a point or an unordered list of values.

    Distinct variables give a point ordered by variable name; one variable repeated (as in
    ``x = 2 or x = -2``) gives an unordered list.
    """
    if node[0] not in ("list", "set") or not node[1]:
        return node
    items = node[1]
    if node[0] == "list" and all(i[0] == "rel" for i in items):
        # x < -1 or x > 1: a union of intervals in one variable.
        intervals = [_relation_as_interval(i) for i in items]
        names = {frozenset(free_symbols(i)) for i in items}
        if all(intervals) and len(names) == 1 and len(next(iter(names))) == 1:
            return ("union", tuple(intervals))
    if all(i[0] == "rel" and i[1] == ("=",) and i[2][0][0] == "sym" for i in items):
        names = [i[2][0][1] for i in items]
        if len(set(names)) == len(names) and len(names) > 1:
            ordered = sorted(items, key=lambda i: i[2][0][1])
            return ("tuple", tuple(i[2][1] for i in ordered), "(", ")")
        if len(set(names)) == 1:
            return (node[0], tuple(i[2][1] for i in items))
    return node


def _has_pm(node: Node) -> bool:
    if not isinstance(node, tuple) or not node or not isinstance(node[0], str):
        return False
    if node[0] == "pm":
        return True
    if node[0] in ("num", "sym", "const", "text", "list", "set", "tuple", "matrix"):
        return False
    for child in node[1:]:
        if isinstance(child, tuple) and child and isinstance(child[0], tuple):
            if any(_has_pm(c) for c in child):
                return True
        elif _has_pm(child):
            return True
    return False


def _expand_pm(node: Node) -> list[Node]:
    r"""Return the alternatives of an expression with ``\pm`` (both signs, each occurrence)."""
    if node[0] == "pm":
        lefts = [None] if node[1] is None else _expand_pm(node[1])
        out = []
        for right in _expand_pm(node[2]):
            for left in lefts:
                if left is None:
                    out += [right, ("neg", right)]
                else:
                    out += [("add", left, right), ("sub", left, right)]
        return out[:MAX_ITEMS]
    if node[0] in ("num", "sym", "const") or not _has_pm(node):
        return [node]
    variants: list[list[Any]] = [[node[0]]]
    for child in node[1:]:
        if isinstance(child, tuple) and child and isinstance(child[0], str):
            options = _expand_pm(child)
        elif isinstance(child, tuple):
            # function arguments: every combination of their alternatives
            choices = [_expand_pm(c) for c in child]
            options = [
                tuple(combo) for combo in itertools.islice(itertools.product(*choices), MAX_ITEMS)
            ]
        else:
            options = [child]
        variants = [v + [o] for v in variants for o in options][:MAX_ITEMS]
    return [tuple(v) for v in variants]


def _is_choice(node: Node) -> bool:
    return node[0] == "sym" and len(node[1]) == 1 and node[1] in "ABCDE"


def _compare_text(p: Node, g: Node) -> tuple[bool, str]:
    gold = g[1]
    pred = None
    if p[0] == "text" or _is_choice(p):
        pred = p[1]
    elif p[0] == "tuple" and len(p[1]) == 1:
        pred = p[1][0][1] if _is_choice(p[1][0]) else None
    if pred is None:
        return False, "expected a text answer"
    a, b = _norm_words(pred), _norm_words(gold)
    if len(b) == 1 and b.isalpha():
        a, b = a.upper(), b.upper()
    return (a == b, "same text" if a == b else "different text")


def _norm_words(text: str) -> str:
    synonyms = {"true": "yes", "false": "no"}
    text = text.strip().strip("().").lower()
    first = re.match(r"(yes|no|true|false)\b", text)
    if first:
        text = first.group(1)
    return synonyms.get(text, text)


def _compare_special_sets(p: Node, g: Node) -> tuple[bool, str]:
    def kind(n: Node) -> str | None:
        if n[0] in ("empty", "reals"):
            return n[0]
        if n[0] == "set" and not n[1]:
            return "empty"
        if n[0] == "tuple" and len(n[1]) == 2 and n[2] == "(" and n[3] == ")":
            lo, hi = n[1]
            if _is_inf(lo, -1) and _is_inf(hi, +1):
                return "reals"
        return None

    a, b = kind(p), kind(g)
    return (a is not None and a == b, "same set" if a is not None and a == b else "different sets")


def _is_inf(node: Node, sign: int) -> bool:
    if sign > 0:
        return node == ("const", "oo")
    return node[0] == "neg" and node[1] == ("const", "oo")


def _compare_unordered(ps: Sequence[Node], gs: Sequence[Node]) -> tuple[bool, str]:
    if len(ps) > MAX_ITEMS or len(gs) > MAX_ITEMS:
        return False, "too many values"
    matched_g = [False] * len(gs)
    for p in ps:
        hit = False
        for j, g in enumerate(gs):
            if _compare(p, g)[0]:
                matched_g[j] = True
                hit = True
        if not hit:
            return False, "a value that is not in the gold answer"
    if not all(matched_g):
        return False, "a gold value is missing"
    return True, "same values"


def _compare_tuple(p: Node, g: Node) -> tuple[bool, str]:
    g_items, g_open, g_close = g[1], g[2], g[3]
    interval = len(g_items) == 2 and (g_open, g_close) != ("(", ")")
    if p[0] == "rel":
        p = _relation_as_interval(p) or p
    if p[0] == "matrix":
        flat = _vector_entries(p)
        if flat is None:
            return False, "a matrix where a tuple is expected"
        if interval:
            return False, "a vector where an interval is expected"
        return _compare_ordered(flat, g_items)
    if p[0] == "list":
        if interval:
            return False, "a list where an interval is expected"
        return _compare_ordered(p[1], g_items)
    if p[0] == "set" and len(p[1]) == len(g_items) > 1:
        # {1, 3} against (1, 3): the tuple written with braces (its order still counts).
        if interval:
            return False, "a set where an interval is expected"
        return _compare_ordered(p[1], g_items)
    if p[0] != "tuple":
        return False, f"one value where a tuple of {len(g_items)} is expected"
    p_items, p_open, p_close = p[1], p[2], p[3]
    p_interval = len(p_items) == 2 and (p_open, p_close) != ("(", ")")
    if interval or p_interval:
        if (p_open, p_close) != (g_open, g_close):
            return False, "different interval ends (open/closed)"
    elif p_open != g_open and len(p_items) == 2:
        return False, "different brackets"
    return _compare_ordered(p_items, g_items)


def _compare_ordered(ps: Sequence[Node], gs: Sequence[Node]) -> tuple[bool, str]:
    if len(ps) != len(gs):
        return False, f"{len(ps)} entries where {len(gs)} are expected"
    for i, (a, b) in enumerate(zip(ps, gs, strict=True)):
        ok, reason = _compare(a, b)
        if not ok:
            return False, f"entry {i + 1}: {reason}"
    return True, "same entries"


def _vector_entries(m: Node) -> tuple[Node, ...] | None:
    rows = m[1]
    if len(rows) == 1:
        return rows[0]
    if all(len(r) == 1 for r in rows):
        return tuple(r[0] for r in rows)
    return None


def _compare_matrix(p: Node, g: Node) -> tuple[bool, str]:
    if p[0] == "tuple":
        flat = _vector_entries(g)
        if flat is None or (len(p[1]) == 2 and (p[2], p[3]) != ("(", ")")):
            return False, "a tuple where a matrix is expected"
        return _compare_ordered(p[1], flat)
    if p[0] != "matrix":
        return False, "expected a matrix"
    if len(p[1]) != len(g[1]) or len(p[1][0]) != len(g[1][0]):
        return False, "different matrix shapes"
    for pr, gr in zip(p[1], g[1], strict=True):
        ok, reason = _compare_ordered(pr, gr)
        if not ok:
            return False, reason
    return True, "same matrix"


def _compare_unions(p: Node, g: Node) -> tuple[bool, str]:
    if p[0] == "rel":
        p = _relation_as_interval(p) or p
    ps = p[1] if p[0] == "union" else (p,)
    gs = g[1] if g[0] == "union" else (g,)
    if len(ps) != len(gs):
        return False, "different number of pieces in the union"
    for part in (*ps, *gs):
        if part[0] not in ("tuple", "set", "empty", "reals"):
            return False, "a union of non-sets"
    used = [False] * len(gs)
    for a in ps:
        for j, b in enumerate(gs):
            if not used[j] and a[0] == b[0] and _compare(a, b)[0]:
                used[j] = True
                break
        else:
            return False, "a piece of the union differs"
    return True, "same union"


# --- relations -----------------------------------------------------------------------------

_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


def _relation_as_interval(rel: Node) -> Node | None:
    r"""``x > 2`` -> ``(2, oo)``; ``1 \le x < 3`` -> ``[1, 3)``; None if not of that form."""
    ops, exprs = rel[1], rel[2]
    oo = ("const", "oo")
    if len(ops) == 1 and ops[0] in ("<", ">", "<=", ">="):
        (a, b), op = exprs, ops[0]
        if a[0] != "sym":
            if b[0] != "sym":
                return None
            a, b, op = b, a, _FLIP[op]
        if free_symbols(b):
            return None
        if op in ("<", "<="):
            return ("tuple", (("neg", oo), b), "(", ")" if op == "<" else "]")
        return ("tuple", (b, oo), "(" if op == ">" else "[", ")")
    if (
        len(ops) == 2
        and exprs[1][0] == "sym"
        and not free_symbols(exprs[0]) | free_symbols(exprs[2])
    ):
        if all(o in ("<", "<=") for o in ops):
            lo, hi = exprs[0], exprs[2]
            return ("tuple", (lo, hi), "(" if ops[0] == "<" else "[", ")" if ops[1] == "<" else "]")
        if all(o in (">", ">=") for o in ops):
            lo, hi = exprs[2], exprs[0]
            return ("tuple", (lo, hi), "(" if ops[1] == ">" else "[", ")" if ops[0] == ">" else "]")
    return None


def _compare_relations(p: Node, g: Node) -> tuple[bool, str]:
    if g[0] == "rel" and p[0] == "rel":
        gi, pi = _relation_as_interval(g), _relation_as_interval(p)
        if gi is not None and pi is not None:
            same_var = free_symbols(g) - free_symbols(gi) == free_symbols(p) - free_symbols(pi)
            if not same_var:
                return False, "inequalities in different variables"
            return _compare_tuple(pi, gi)
        if g[1] == ("=",) and p[1] == ("=",):
            return _compare_equations(p, g)
        ok, reason = _compare_relation_chains(p, g)
        if ok or not (_is_inequality(p) and _is_inequality(g)):
            return ok, reason
        return _compare_solution_sets(p, g)
    if g[0] == "rel":
        gi = _relation_as_interval(g)
        if gi is not None and p[0] in ("tuple", "union"):
            return _compare(p, gi)
        if gi is None and _is_inequality(g) and p[0] in ("tuple", "union"):
            return _compare_solution_sets(p, g)
        return False, "a value where a relation is expected"
    pi = _relation_as_interval(p)
    if pi is not None and g[0] in ("tuple", "union"):
        return _compare(pi, g)
    if pi is None and _is_inequality(p) and g[0] in ("tuple", "union"):
        return _compare_solution_sets(p, g)
    if p[1] == ("=",) and not free_symbols(p):
        return False, "an equation without unknowns is not an answer"
    return False, "a relation where a value is expected"


def _is_inequality(node: Node) -> bool:
    return (
        node[0] == "rel"
        and all(op in ("<", ">", "<=", ">=") for op in node[1])
        and len(free_symbols(node)) == 1
    )


def _compare_solution_sets(p: Node, g: Node) -> tuple[bool, str]:
    r"""Compare inequalities such as ``|x| \ge 3`` with intervals, solving them with sympy."""
    if not can_interrupt():
        return False, "undecided: solving inequalities needs a time budget (main thread)"
    import sympy

    from agentgym.environments.math.symbolic import check_sizes

    try:
        check_sizes(p)
        check_sizes(g)
        a, b = _solution_set(p), _solution_set(g)
        if a is None or b is None:
            return False, "cannot compare these sets"
        same = a == b or a.symmetric_difference(b) == sympy.S.EmptySet
    except (NotImplementedError, TypeError, ValueError, AttributeError, NotNumeric):
        return False, "cannot solve the inequality"
    return bool(same), "same solution set" if same else "different solution sets"


def _solution_set(node: Node) -> Any:
    import sympy

    from agentgym.environments.math.symbolic import to_sympy

    if node[0] == "rel":
        (name,) = free_symbols(node)
        var = to_sympy(("sym", name))
        exprs = [to_sympy(e) for e in node[2]]
        ops = {"<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}
        result = sympy.S.Reals
        for op, lhs, rhs in zip(node[1], exprs, exprs[1:], strict=False):
            solved = sympy.solve_univariate_inequality(ops[op](lhs, rhs), var, relational=False)
            result = sympy.Intersection(result, solved)
        return result
    if node[0] == "union":
        parts = [_solution_set(part) for part in node[1]]
        return None if any(p is None for p in parts) else sympy.Union(*parts)
    if node[0] == "tuple" and len(node[1]) == 2:
        lo, hi = (to_sympy(e) for e in node[1])
        return sympy.Interval(lo, hi, node[2] == "(", node[3] == ")")
    if node[0] == "reals":
        return sympy.S.Reals
    if node[0] == "empty":
        return sympy.S.EmptySet
    return None


def _compare_equations(p: Node, g: Node) -> tuple[bool, str]:
    """Same solution set for equations like ``2y = 4x + 2`` vs ``y = 2x + 1``."""
    (pl, pr), (gl, gr) = p[2], g[2]
    if not free_symbols(p) or not free_symbols(g):
        return False, "an equation without unknowns is not an answer"
    if _compare_expressions(pl, gl)[0] and _compare_expressions(pr, gr)[0]:
        return True, "same equation"
    if _compare_expressions(pl, gr)[0] and _compare_expressions(pr, gl)[0]:
        return True, "same equation (sides swapped)"
    f, h = ("sub", pl, pr), ("sub", gl, gr)
    ok = _proportional(f, h)
    return ok, "equivalent equations" if ok else "different equations"


def _compare_relation_chains(p: Node, g: Node) -> tuple[bool, str]:
    ops_p, ex_p = p[1], p[2]
    ops_g, ex_g = g[1], g[2]
    if len(ops_p) != len(ops_g):
        return False, "different relations"
    if ops_p != ops_g:
        ops_p = tuple(_FLIP[o] for o in reversed(ops_p))
        ex_p = tuple(reversed(ex_p))
        if ops_p != ops_g:
            return False, "different relation signs"
    for a, b in zip(ex_p, ex_g, strict=True):
        if not _compare(a, b)[0]:
            return False, "different sides"
    return True, "same relation"


# --- numbers and expressions ---------------------------------------------------------------


def _compare_scalars(p: Node, g: Node) -> tuple[bool, str]:
    if not _is_expression(p) or not _is_expression(g):
        return False, "not comparable"
    for tag, reason in (("pct", "percentage"), ("deg", "degrees")):
        if p[0] == tag and g[0] == tag:
            return _compare_expressions(p[1], g[1])
        marked, other = (p, g) if p[0] == tag else (g, p) if g[0] == tag else (None, None)
        if marked is not None:
            for variant in (marked, marked[1]):
                ok, why = _compare_expressions(variant, other)
                if ok:
                    return True, f"{why} ({reason})"
            return False, f"different values ({reason})"
    return _compare_expressions(p, g)


def _compare_expressions(p: Node, g: Node) -> tuple[bool, str]:
    try:
        a, b = exact_value(p), exact_value(g)
    except ZeroDivisionError:
        return False, "undefined value (division by zero)"
    except NotNumeric as e:
        return False, str(e)
    if a is not None and b is not None:
        if a == b:
            return True, "equal numbers"
        if _rounds_to(p, b) or _rounds_to(g, a):
            return True, "equal after rounding"
        return False, "different numbers"
    names = sorted(free_symbols(p) | free_symbols(g))
    if not names:
        return _compare_constants(p, g)
    try:
        return _compare_at_points(p, g, names)
    except _Undecided:
        return _compare_with_sympy(p, g)


def _decimal_places(node: Node) -> int | None:
    if node[0] == "neg":
        return _decimal_places(node[1])
    if node[0] != "num":
        return None
    text = node[2]
    if "." not in text or "e" in text.lower():
        return None
    return len(text.split(".", 1)[1])


def _rounds_to(decimal_node: Node, exact: Any) -> bool:
    """Whether a decimal literal is ``exact`` rounded to its places.

    The decimal needs at least two places and two significant digits, so ``0.00`` or
    ``0.01`` never stand for a small exact value.
    """
    places = _decimal_places(decimal_node)
    if places is None or places < 2:
        return False
    value = exact_value(decimal_node) if decimal_node[0] in ("num", "neg") else None
    if value is None:
        return False
    scale = 10**places
    if abs(value) * scale < 10:
        return False
    if isinstance(exact, Fraction):
        target = exact * scale
        rounded = math.floor(target + Fraction(1, 2))
        down = math.ceil(target - Fraction(1, 2))
        return value * scale in (rounded, down) and exact != 0
    target = exact * scale
    lo, hi = mpmath.floor(target + 0.5), mpmath.ceil(target - 0.5)
    mine = mpmath.mpf(value.numerator * scale) / value.denominator
    return any(abs(mine - v) < 1e-9 for v in (lo, hi)) and exact != 0


def _compare_constants(p: Node, g: Node) -> tuple[bool, str]:
    try:
        a = evaluate(p, {}, _CONST_DPS)
        b = evaluate(g, {}, _CONST_DPS)
    except ZeroDivisionError:
        return False, "undefined value (division by zero)"
    except (NotNumeric, ValueError) as e:
        return False, f"cannot evaluate: {e}"
    if _nan(a) or _nan(b):
        return False, "undefined value"
    if _inf(a) or _inf(b):
        ok = _inf(a) and _inf(b) and a == b
        return ok, "equal infinities" if ok else "different values"
    with mpmath.workdps(_CONST_DPS):
        scale = max(mpmath.mpf(1), abs(a), abs(b))
        if abs(a - b) <= _CONST_TOL * scale:
            return True, "equal values"
        if is_real(b) and _rounds_to(p, mpmath.re(b)):
            return True, "equal after rounding"
        if is_real(a) and _rounds_to(g, mpmath.re(a)):
            return True, "equal after rounding"
    return False, "different values"


def _nan(v: Any) -> bool:
    return bool(mpmath.isnan(v))


def _inf(v: Any) -> bool:
    return bool(mpmath.isinf(v))


def _points(p: Node, g: Node, names: Sequence[str]) -> list[dict[str, Any]]:
    # Points depend on both answers, so an answer cannot be tuned to vanish on them.
    seed = zlib.crc32(repr((p, g)).encode())
    rng = random.Random(seed)
    points = []
    for k in range(_POINTS):
        env = {}
        for name in names:
            magnitude = rng.uniform(0.3, 2.7)
            sign = -1 if k % 2 and rng.random() < 0.7 else 1
            env[name] = mpmath.mpf(sign * magnitude)
        points.append(env)
    return points


def _compare_at_points(p: Node, g: Node, names: Sequence[str]) -> tuple[bool, str]:
    valid = 0
    for env in _points(p, g, names):
        try:
            a = evaluate(p, env, _POINT_DPS)
            b = evaluate(g, env, _POINT_DPS)
        except (ZeroDivisionError, ValueError, NotNumeric) as e:
            if isinstance(e, TooLarge):
                raise
            continue
        if _nan(a) or _nan(b) or _inf(a) or _inf(b):
            continue
        real_a, real_b = is_real(a), is_real(b)
        if real_a != real_b and not (abs(mpmath.im(a)) < 1e-18 and abs(mpmath.im(b)) < 1e-18):
            return False, "different expressions (one is not real where the other is)"
        scale = max(1.0, float(abs(a)), float(abs(b)))
        if abs(a - b) > _POINT_TOL * scale:
            return False, "different expressions"
        valid += 1
    if valid < 3:
        raise _Undecided
    return True, "equal expressions"


def _proportional(f: Node, h: Node) -> bool:
    """Whether ``f = c * h`` for a constant ``c != 0`` (checked at points)."""
    names = sorted(free_symbols(f) | free_symbols(h))
    ratio = None
    valid = 0
    for env in _points(f, h, names):
        try:
            a, b = evaluate(f, env, _POINT_DPS), evaluate(h, env, _POINT_DPS)
        except (ZeroDivisionError, NotNumeric, ValueError) as e:
            if isinstance(e, TooLarge):
                raise
            continue
        if abs(b) < 1e-18 or abs(a) < 1e-18:
            if abs(a) < 1e-18 and abs(b) < 1e-18:
                continue
            return False
        r = a / b
        if ratio is None:
            ratio = r
        elif abs(r - ratio) > _POINT_TOL * max(1.0, float(abs(ratio))):
            return False
        valid += 1
    return valid >= 3


def _substitute(node: Node, values: Mapping[str, Node]) -> Node:
    if node[0] == "sym":
        return values.get(node[1], node)
    if node[0] in ("num", "const"):
        return node
    out: list[Any] = [node[0]]
    for child in node[1:]:
        if isinstance(child, tuple) and child and isinstance(child[0], str):
            out.append(_substitute(child, values))
        elif isinstance(child, tuple):
            out.append(tuple(_substitute(c, values) for c in child))
        else:
            out.append(child)
    return tuple(out)


# --- sympy fallback ------------------------------------------------------------------------

# Without a time budget (off the main thread) only small expressions go to simplify.
_UNGUARDED_SYMPY_NODES = 40


def _count_nodes(node: Any) -> int:
    """Nodes in a tree, counting those inside function arguments and item tuples."""
    if not isinstance(node, tuple) or not node:
        return 0
    if not isinstance(node[0], str):  # a tuple of nodes, not a node
        return sum(_count_nodes(c) for c in node)
    children = node[2:] if node[0] == "rel" else node[1:]  # a relation's operators are text
    return 1 + sum(_count_nodes(c) for c in children)


def _compare_with_sympy(p: Node, g: Node) -> tuple[bool, str]:
    if not can_interrupt() and max(_count_nodes(p), _count_nodes(g)) > _UNGUARDED_SYMPY_NODES:
        return False, "undecided: too large to simplify without a time budget"
    from agentgym.environments.math.symbolic import check_sizes, to_sympy

    check_sizes(p)
    check_sizes(g)
    try:
        diff = to_sympy(p) - to_sympy(g)
    except NotNumeric as e:
        return False, str(e)
    if _sympy_zero(diff):
        return True, "equal after simplification"
    return False, "not shown equal"


def _sympy_zero(expr: Any) -> bool:
    import sympy

    if expr == 0:
        return True
    try:
        return sympy.simplify(expr) == 0
    except (TypeError, ValueError, NotImplementedError, RecursionError, AttributeError):
        return False


def _sympy_points_equal(a: Any, b: Any) -> bool:
    """Compare two sympy expressions at real points (used for derivatives)."""
    import sympy

    names = sorted((a.free_symbols | b.free_symbols), key=str)
    rng = random.Random(zlib.crc32(f"{a}|{b}".encode()))
    valid = 0
    for _ in range(_POINTS):
        subs = {s: sympy.Float(rng.uniform(0.3, 2.7), 30) for s in names}
        try:
            va = complex(a.evalf(30, subs=subs))
            vb = complex(b.evalf(30, subs=subs))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if any(map(math.isnan, (va.real, vb.real, va.imag, vb.imag))):
            continue
        if abs(va - vb) > _POINT_TOL * max(1.0, abs(va), abs(vb)):
            return False
        valid += 1
    return valid >= 3


def _drop_integration_constant(node: Node, var: str) -> Node:
    if (
        node[0] in ("add", "sub")
        and node[2][0] == "sym"
        and node[2][1] in ("C", "c", "K", "C_1")
        and node[2][1] != var
    ):
        return node[1]
    if (
        node[0] == "add"
        and node[1][0] == "sym"
        and node[1][1] in ("C", "c", "K")
        and node[1][1] != var
    ):
        return node[2]
    return node
