"""sympy for the algebra our numeric checks cannot settle: exact simplification and calculus.

Trees are converted only after :func:`check_sizes` has refused oversized exponents and
factorials, so sympy never starts on ``9^9^9^9``; callers run it under a time budget.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy

from agentgym.environments.math.numeric import (
    MAX_EXPONENT,
    MAX_FACTORIAL,
    NotNumeric,
    TooLarge,
    evaluate,
    free_symbols,
)
from agentgym.environments.math.parser import Node

__all__ = ["check_sizes", "to_sympy"]

_FUNCS: dict[str, Any] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "cot": sympy.cot,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "exp": sympy.exp,
    "ln": sympy.log,
    "abs": sympy.Abs,
    "floor": sympy.floor,
    "ceil": sympy.ceiling,
    "sqrt": sympy.sqrt,
}


def check_sizes(node: Node) -> None:
    """Refuse trees whose constant exponents or factorials are too large for exact algebra.

    Raises:
        TooLarge: Naming the offending part.
    """
    tag = node[0]
    if tag in ("num", "sym", "const", "text", "empty", "reals"):
        return
    for child in node[1:]:
        if isinstance(child, tuple) and child and isinstance(child[0], str):
            check_sizes(child)
        elif isinstance(child, tuple):
            for c in child:
                if isinstance(c, tuple) and c and isinstance(c[0], str):
                    check_sizes(c)
    if tag == "pow" and not free_symbols(node[2]):
        try:
            value = evaluate(node[2], {}, dps=15)
        except (NotNumeric, ZeroDivisionError, ValueError):
            return
        if abs(value) > MAX_EXPONENT:
            raise TooLarge("exponent too large")
    if tag == "fact" and not free_symbols(node[1]):
        try:
            value = evaluate(node[1], {}, dps=15)
        except (NotNumeric, ZeroDivisionError, ValueError):
            return
        if abs(value) > MAX_FACTORIAL:
            raise TooLarge("factorial too large")


@lru_cache(maxsize=256)
def _symbol(name: str) -> sympy.Symbol:
    # Answers are about real unknowns; this lets sympy differentiate |x| and simplify sqrt(x^2).
    return sympy.Symbol(name, real=True)


def to_sympy(node: Node) -> sympy.Expr:
    """Convert an expression tree to sympy (call :func:`check_sizes` first).

    Raises:
        NotNumeric: For sets, relations, text and other non-expressions.
    """
    tag = node[0]
    if tag == "num":
        return sympy.Rational(node[1].numerator, node[1].denominator)
    if tag == "sym":
        return _symbol(node[1])
    if tag == "const":
        return {"pi": sympy.pi, "E": sympy.E, "I": sympy.I, "oo": sympy.oo}[node[1]]
    if tag == "neg":
        return -to_sympy(node[1])
    if tag in ("add", "sub", "mul", "div", "pow"):
        a, b = to_sympy(node[1]), to_sympy(node[2])
        if tag == "add":
            return a + b
        if tag == "sub":
            return a - b
        if tag == "mul":
            return a * b
        if tag == "div":
            return a / b
        return a**b
    if tag == "fact":
        return sympy.factorial(to_sympy(node[1]))
    if tag == "pct":
        return to_sympy(node[1]) / 100
    if tag == "deg":
        return to_sympy(node[1]) * sympy.pi / 180
    if tag == "fn":
        name, args = node[1], [to_sympy(a) for a in node[2]]
        if name == "root":
            return sympy.root(args[0], args[1])
        if name == "log":
            return sympy.log(args[0], args[1]) if len(args) == 2 else sympy.log(args[0])
        if name == "binom":
            return sympy.binomial(args[0], args[1])
        if name in _FUNCS:
            return _FUNCS[name](args[0])
    raise NotNumeric(f"not an expression: {tag}")
