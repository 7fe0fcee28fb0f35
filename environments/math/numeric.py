"""Bounded evaluation of parsed expressions: exact rationals, then arbitrary-precision numbers.

Both evaluators refuse work that could blow up before doing it (exponents beyond
:data:`MAX_EXPONENT`, results beyond :data:`MAX_BITS` bits, factorials beyond
:data:`MAX_FACTORIAL`), so an answer such as ``9^9^9^9`` or ``1000000!`` costs microseconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import mpmath

from agentgym.environments.math.parser import Node

__all__ = [
    "MAX_BITS",
    "MAX_EXPONENT",
    "MAX_FACTORIAL",
    "NotNumeric",
    "TooLarge",
    "evaluate",
    "exact_value",
    "free_symbols",
    "is_real",
]

MAX_EXPONENT = 100_000
MAX_BITS = 400_000
MAX_FACTORIAL = 1_000
_MAX_TRIG_ARGUMENT = 10**12
_MP = mpmath.mp


class TooLarge(ValueError):
    """Evaluating the expression would need unreasonable time or memory."""


class NotNumeric(ValueError):
    """The expression is not a number (a set, a relation, text, an unknown function)."""


def free_symbols(node: Node) -> set[str]:
    """Return the variable names in ``node``."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if not isinstance(n, tuple) or not n:
            continue
        if n[0] == "sym":
            out.add(n[1])
            continue
        if n[0] in ("num", "const", "text"):
            continue
        for child in n[1:]:
            if isinstance(child, tuple):
                if child and isinstance(child[0], str):
                    stack.append(child)
                else:
                    stack.extend(c for c in child if isinstance(c, tuple))
    return out


def _check_bits(v: Fraction) -> Fraction:
    if v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS:
        raise TooLarge(f"number too large (more than {MAX_BITS} bits)")
    return v


def _rational_root(v: Fraction, n: int) -> Fraction | None:
    """Return the exact ``n``-th root of ``v`` if it is rational, else None."""
    if n <= 0:
        return None
    if v < 0:
        if n % 2 == 0:
            return None
        r = _rational_root(-v, n)
        return -r if r is not None else None
    out = []
    for part in (v.numerator, v.denominator):
        if n > part.bit_length():
            # 2**n already exceeds part: only 0 and 1 can be exact roots (and 10**50-th roots
            # must not be tried by raising candidates to the n-th power).
            if part in (0, 1):
                out.append(part)
                continue
            return None
        r = round(part ** (1.0 / n)) if part.bit_length() < 1000 else _int_root(part, n)
        for cand in (r - 1, r, r + 1):
            if cand >= 0 and cand**n == part:
                out.append(cand)
                break
        else:
            return None
    return Fraction(out[0], out[1])


def _int_root(x: int, n: int) -> int:
    lo, hi = 0, 1 << (x.bit_length() // n + 1)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid**n <= x:
            lo = mid
        else:
            hi = mid - 1
    return lo


def exact_value(node: Node) -> Fraction | None:
    """Return the exact rational value of ``node``, or None if it is not a rational constant.

    Raises:
        TooLarge: If the value would be unreasonably large (``9^9^9``, ``10000!``).
        ZeroDivisionError: On division by zero.
    """
    tag = node[0]
    if tag == "num":
        return node[1]
    if tag == "neg":
        v = exact_value(node[1])
        return None if v is None else -v
    if tag in ("add", "sub", "mul", "div"):
        a = exact_value(node[1])
        if a is None:
            # Still evaluate the other side so that hostile parts are refused either way.
            exact_value(node[2])
            return None
        b = exact_value(node[2])
        if b is None:
            return None
        if tag == "add":
            return _check_bits(a + b)
        if tag == "sub":
            return _check_bits(a - b)
        if tag == "mul":
            return _check_bits(a * b)
        return _check_bits(a / b)
    if tag == "pow":
        base = exact_value(node[1])
        exp = exact_value(node[2])
        if exp is None:
            return None
        if abs(exp) > MAX_EXPONENT and (base is None or abs(base) not in (0, 1)):
            raise TooLarge(f"exponent too large ({_short(exp)})")
        if base is None:
            return None
        if base in (0, 1):
            if base == 0 and exp < 0:
                raise ZeroDivisionError("0 to a negative power")
            return base if exp != 0 else Fraction(1)
        if base == -1 and exp.denominator == 1:
            return Fraction(1 if exp.numerator % 2 == 0 else -1)
        bits = max(base.numerator.bit_length(), base.denominator.bit_length())
        if bits * abs(exp) > MAX_BITS:
            raise TooLarge(f"power too large ({_short(base)}^{_short(exp)})")
        if exp.denominator == 1:
            return base**exp.numerator
        root = _rational_root(base, exp.denominator)
        return None if root is None else root**exp.numerator
    if tag == "fact":
        v = exact_value(node[1])
        if v is None:
            return None
        if v.denominator != 1 or v < 0:
            raise NotNumeric("factorial of a non-natural number")
        if v > MAX_FACTORIAL:
            raise TooLarge(f"factorial too large ({_short(v)}!)")
        return Fraction(math.factorial(int(v)))
    if tag == "pct":
        v = exact_value(node[1])
        return None if v is None else v / 100
    if tag == "fn":
        name, args = node[1], node[2]
        vals = [exact_value(a) for a in args]
        if any(v is None for v in vals):
            return None
        if name == "sqrt":
            return _rational_root(vals[0], 2) if vals[0] >= 0 else None
        if name == "root":
            n = vals[1]
            return _rational_root(vals[0], int(n)) if n.denominator == 1 else None
        if name == "abs":
            return abs(vals[0])
        if name == "floor":
            return Fraction(math.floor(vals[0]))
        if name == "ceil":
            return Fraction(math.ceil(vals[0]))
        if name == "binom":
            n, k = vals
            if n.denominator != 1 or k.denominator != 1:
                return None
            if n > MAX_FACTORIAL * 10:
                raise TooLarge("binomial coefficient too large")
            return Fraction(math.comb(int(n), int(k))) if 0 <= k <= n else Fraction(0)
        return None
    if tag in ("sym", "const", "deg", "pm"):
        return None
    raise NotNumeric(f"not a number: {tag}")


def _short(v: Fraction) -> str:
    if max(v.numerator.bit_length(), v.denominator.bit_length()) > 200:
        return f"a {len(str(v.numerator.bit_length()))}+ digit number"
    text = str(v)
    return text if len(text) <= 20 else text[:8] + "..."


def evaluate(node: Node, env: Mapping[str, Any], dps: int = 30) -> Any:
    """Evaluate ``node`` as a (complex) mpmath number with variables bound by ``env``.

    Args:
        node: A parsed expression.
        env: Variable name -> mpmath number.
        dps: Decimal digits of working precision.

    Raises:
        TooLarge: On exponents beyond :data:`MAX_EXPONENT` or factorials beyond
            :data:`MAX_FACTORIAL`.
        NotNumeric: If ``node`` is not an expression, or a variable is unbound.
        ZeroDivisionError: On division by zero.
    """
    with mpmath.workdps(dps):
        return _ev(node, env)


def _ev(node: Node, env: Mapping[str, Any]) -> Any:
    tag = node[0]
    if tag == "num":
        v = node[1]
        return _MP.mpf(v.numerator) / v.denominator if v.denominator != 1 else _MP.mpf(v.numerator)
    if tag == "sym":
        if node[1] not in env:
            raise NotNumeric(f"unbound variable {node[1]}")
        return env[node[1]]
    if tag == "const":
        name = node[1]
        if name == "pi":
            return +_MP.pi
        if name == "E":
            return _MP.e + 0
        if name == "I":
            return _MP.mpc(0, 1)
        return _MP.inf
    if tag == "neg":
        return -_ev(node[1], env)
    if tag == "add":
        return _ev(node[1], env) + _ev(node[2], env)
    if tag == "sub":
        return _ev(node[1], env) - _ev(node[2], env)
    if tag == "mul":
        return _ev(node[1], env) * _ev(node[2], env)
    if tag == "div":
        den = _ev(node[2], env)
        if den == 0:
            raise ZeroDivisionError("division by zero")
        return _ev(node[1], env) / den
    if tag == "pow":
        base, exp = _ev(node[1], env), _ev(node[2], env)
        if abs(exp) > MAX_EXPONENT and abs(base) not in (0, 1):
            raise TooLarge("exponent too large")
        if base == 0 and _MP.re(exp) < 0:
            raise ZeroDivisionError("0 to a negative power")
        return _real_power(base, exp)
    if tag == "fact":
        v = _ev(node[1], env)
        if abs(v) > MAX_FACTORIAL:
            raise TooLarge("factorial too large")
        return _MP.gamma(v + 1)
    if tag == "pct":
        return _ev(node[1], env) / 100
    if tag == "deg":
        return _ev(node[1], env) * _MP.pi / 180
    if tag == "fn":
        return _function(node[1], [_ev(a, env) for a in node[2]])
    raise NotNumeric(f"not a number: {tag}")


def _real_power(base: Any, exp: Any) -> Any:
    # (-8)^(1/3) is -2 in school maths; take the real odd root where one exists.
    if is_real(base) and is_real(exp) and _MP.re(base) < 0:
        e = _MP.re(exp)
        frac = Fraction(float(e)).limit_denominator(64)
        if abs(e - _MP.mpf(frac.numerator) / frac.denominator) < _MP.mpf(10) ** (-20):
            if frac.denominator % 2 == 1:
                mag = _MP.power(-_MP.re(base), e)
                return mag if frac.numerator % 2 == 0 else -mag
    return _MP.power(base, exp)


def is_real(v: Any) -> bool:
    """Return whether the value ``v`` has no imaginary part."""
    return not isinstance(v, mpmath.mpc) or v.imag == 0


def _function(name: str, args: list[Any]) -> Any:
    x = args[0]
    if name in ("exp",) and abs(_MP.re(x)) > MAX_EXPONENT:
        raise TooLarge("exponent too large")
    if name == "sqrt":
        return _MP.sqrt(x)
    if name == "root":
        n = args[1]
        return _real_power(x, 1 / n)
    if name == "abs":
        return abs(x)
    if name == "ln":
        if x == 0:
            raise ZeroDivisionError("log of zero")
        return _MP.log(x)
    if name == "log":
        if x == 0:
            raise ZeroDivisionError("log of zero")
        if len(args) == 2:
            return _MP.log(x) / _MP.log(args[1])
        return _MP.log(x)
    if name in ("floor", "ceil"):
        if not is_real(x):
            raise NotNumeric(f"{name} of a complex number")
        return _MP.floor(_MP.re(x)) if name == "floor" else _MP.ceil(_MP.re(x))
    if name == "binom":
        if max(abs(args[0]), abs(args[1])) > MAX_FACTORIAL * 10:
            raise TooLarge("binomial coefficient too large")
        return _MP.binomial(args[0], args[1])
    simple = {
        "sin": _MP.sin,
        "cos": _MP.cos,
        "tan": _MP.tan,
        "cot": _MP.cot,
        "sec": _MP.sec,
        "csc": _MP.csc,
        "arcsin": _MP.asin,
        "arccos": _MP.acos,
        "arctan": _MP.atan,
        "sinh": _MP.sinh,
        "cosh": _MP.cosh,
        "tanh": _MP.tanh,
        "exp": _MP.exp,
    }
    if name in simple:
        if name in ("sinh", "cosh", "tanh") and abs(_MP.re(x)) > MAX_EXPONENT:
            raise TooLarge("argument too large")
        if name in ("sin", "cos", "tan", "cot", "sec", "csc") and (
            abs(_MP.im(x)) > MAX_EXPONENT or abs(_MP.re(x)) > _MAX_TRIG_ARGUMENT
        ):
            # Reducing a huge argument modulo 2 pi needs as many bits as the argument has.
            raise TooLarge("argument too large")
        return simple[name](x)
    raise NotNumeric(f"unknown function {name}")
