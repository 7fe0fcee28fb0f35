"""Scalars: numbers, constants and expressions compared exactly, at points, or with sympy."""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import mpmath

from agentgym.environments.math.budget import can_interrupt
from agentgym.environments.math.numeric import (
    NotNumeric,
    TooLarge,
    evaluate,
    exact_value,
    free_symbols,
    is_real,
)
from agentgym.environments.math.parser import Node

_CONST_DPS = 30


_CONST_TOL = mpmath.mpf(10) ** -20


_POINT_TOL = 1e-14


_POINT_DPS = 25


_POINTS = 8


# Without a time budget (off the main thread) only small expressions go to simplify.
_UNGUARDED_SYMPY_NODES = 40


class _Undecided(Exception):
    """Numeric checks could not settle an expression pair."""


def is_expression(node: Node) -> bool:
    """Whether ``node`` is one value (not a list, set, tuple, relation, text or matrix)."""
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


def compare_scalars(p: Node, g: Node) -> tuple[bool, str]:
    """Compare two single values: numbers exactly, constants to 30 digits, else at points."""
    if not is_expression(p) or not is_expression(g):
        return False, "not comparable"
    for tag, reason in (("pct", "percentage"), ("deg", "degrees")):
        if p[0] == tag and g[0] == tag:
            return compare_expressions(p[1], g[1])
        marked, other = (p, g) if p[0] == tag else (g, p) if g[0] == tag else (None, None)
        if marked is not None:
            for variant in (marked, marked[1]):
                ok, why = compare_expressions(variant, other)
                if ok:
                    return True, f"{why} ({reason})"
            return False, f"different values ({reason})"
    return compare_expressions(p, g)


def compare_expressions(p: Node, g: Node) -> tuple[bool, str]:
    """Compare two expressions: exact values, then constants, then pseudo-random points."""
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


def proportional(f: Node, h: Node) -> bool:
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


def substitute(node: Node, values: Mapping[str, Node]) -> Node:
    """Replace the symbols of ``node`` named in ``values``."""
    if node[0] == "sym":
        return values.get(node[1], node)
    if node[0] in ("num", "const"):
        return node
    out: list[Any] = [node[0]]
    for child in node[1:]:
        if isinstance(child, tuple) and child and isinstance(child[0], str):
            out.append(substitute(child, values))
        elif isinstance(child, tuple):
            out.append(tuple(substitute(c, values) for c in child))
        else:
            out.append(child)
    return tuple(out)


def count_nodes(node: Any) -> int:
    """Nodes in a tree, counting those inside function arguments and item tuples."""
    if not isinstance(node, tuple) or not node:
        return 0
    if not isinstance(node[0], str):  # a tuple of nodes, not a node
        return sum(count_nodes(c) for c in node)
    children = node[2:] if node[0] == "rel" else node[1:]  # a relation's operators are text
    return 1 + sum(count_nodes(c) for c in children)


def _compare_with_sympy(p: Node, g: Node) -> tuple[bool, str]:
    if not can_interrupt() and max(count_nodes(p), count_nodes(g)) > _UNGUARDED_SYMPY_NODES:
        return False, "undecided: too large to simplify without a time budget"
    from agentgym.environments.math.symbolic import check_sizes, to_sympy

    check_sizes(p)
    check_sizes(g)
    try:
        diff = to_sympy(p) - to_sympy(g)
    except NotNumeric as e:
        return False, str(e)
    if sympy_zero(diff):
        return True, "equal after simplification"
    return False, "not shown equal"


def sympy_zero(expr: Any) -> bool:
    """Whether sympy simplifies ``expr`` to zero (False when it cannot tell)."""
    import sympy

    if expr == 0:
        return True
    try:
        return sympy.simplify(expr) == 0
    except (TypeError, ValueError, NotImplementedError, RecursionError, AttributeError):
        return False


def sympy_points_equal(a: Any, b: Any) -> bool:
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


def drop_integration_constant(node: Node, var: str) -> Node:
    """``F + C`` without its constant ``C`` (a symbol other than ``var``)."""
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
