"""Seeded procedural generators of math tasks, one function per family.

Each generator is ``fn(rng, difficulty) -> (prompt, data)`` for
:class:`agentgym.tasks.GeneratedTasks`. ``data["answer"]`` is the gold answer (LaTeX or plain
text, checked with :func:`~agentgym.environments.math.verify.verify`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["GENERATORS", "arithmetic"]

Generator = Callable[[np.random.Generator, str], tuple[str, Mapping[str, Any]]]


def _int(rng: np.random.Generator, lo: int, hi: int) -> int:
    """Uniform integer in ``[lo, hi]``."""
    return int(rng.integers(lo, hi + 1))


def _nonzero(rng: np.random.Generator, lo: int, hi: int) -> int:
    while True:
        v = _int(rng, lo, hi)
        if v != 0:
            return v


def _paren(v: int) -> str:
    return f"({v})" if v < 0 else str(v)


def arithmetic(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Evaluate an integer expression (easy: one operation; hard: nesting and powers)."""
    if difficulty == "easy":
        a, b = _int(rng, 2, 99), _int(rng, 2, 99)
        op = ["+", "-", "*"][_int(rng, 0, 2)]
        expr = f"{a} {op} {b}"
    elif difficulty == "medium":
        a, b, c = _int(rng, 2, 50), _int(rng, 2, 30), _int(rng, 2, 12)
        d = c * _int(rng, 1, 12)
        ops = [f"({a} + {b}) * {c}", f"{a} * {b} - {d} / {c}", f"{a} - {b} * {c} + {d}"]
        expr = ops[_int(rng, 0, 2)]
    else:
        a, b, c = _nonzero(rng, -40, 40), _int(rng, 2, 9), _int(rng, 2, 4)
        d, e = _int(rng, 2, 20), _nonzero(rng, -15, 15)
        ops = [
            f"{_paren(a)} * ({b}^{c} - {d}) + {_paren(e)}",
            f"({_paren(a)} - {_paren(e)})^2 - {b} * {d}",
            f"{b}^{c} - {_paren(a)} * ({d} + {_paren(e)})",
        ]
        expr = ops[_int(rng, 0, 2)]
    value = _eval_int(expr)
    return f"Compute ${_latex_ops(expr)}$.", {"answer": str(value), "expression": expr}


def _eval_int(expr: str) -> int:
    """Evaluate one of our own integer expressions exactly (``^`` is power, ``/`` exact)."""
    value = _safe_eval(expr)
    if value.denominator != 1:
        raise ValueError(f"{expr!r} is not an integer")
    return int(value)


def _safe_eval(expr: str) -> Fraction:
    import ast

    def ev(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return Fraction(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.Pow):
                return a ** int(b)
        raise ValueError(f"unsupported expression {expr!r}")

    return ev(ast.parse(expr.replace("^", "**"), mode="eval"))


def _latex_ops(expr: str) -> str:
    return expr.replace("*", r"\times").replace("/", r"\div")


GENERATORS: dict[str, Generator] = {"arithmetic": arithmetic}
