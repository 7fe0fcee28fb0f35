"""Seeded procedural generators of math tasks, one function per family.

Each generator is ``fn(rng, difficulty) -> (prompt, data)`` for
:class:`agentgym.tasks.GeneratedTasks`; all randomness comes from ``rng``. ``data`` holds:

* ``answer``: the gold answer (LaTeX or plain text, checked with
  :func:`~agentgym.environments.math.verify.verify`);
* ``kind``: ``"antiderivative"`` for indefinite integrals, graded by differentiation against
  ``integrand`` in ``var`` (absent otherwise);
* ``bindings``: values of the unknowns (``{"x": "3"}``) for checking ``step`` equalities
  that hold only at the solution (equations and systems).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = [
    "GENERATORS",
    "arithmetic",
    "combinatorics",
    "derivatives",
    "fractions",
    "integrals",
    "linear_equations",
    "linear_systems",
    "number_theory",
    "percentages",
    "polynomials",
    "quadratics",
    "word_problems",
]

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


def _choice(rng: np.random.Generator, items: list[Any]) -> Any:
    return items[_int(rng, 0, len(items) - 1)]


def _frac_latex(v: Fraction) -> str:
    if v.denominator == 1:
        return str(v.numerator)
    sign = "-" if v < 0 else ""
    return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"


def _decimal(v: Fraction) -> str:
    """A terminating fraction as a decimal (money), anything else as a LaTeX fraction."""
    den = v.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den != 1:
        return _frac_latex(v)
    text = f"{float(v):.10f}".rstrip("0").rstrip(".")
    return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _frac_text(v: Fraction) -> str:
    return f"\\frac{{{v.numerator}}}{{{v.denominator}}}" if v.denominator != 1 else str(v)


def fractions(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Add, subtract, multiply or divide fractions; the answer is a reduced fraction."""
    top = {"easy": 9, "medium": 15, "hard": 24}[difficulty]

    def frac() -> Fraction:
        den = _int(rng, 2, top)
        return Fraction(
            _int(rng, 1, den - 1) if difficulty == "easy" else _int(rng, 1, 2 * den), den
        )

    a, b = frac(), frac()
    if difficulty == "easy":
        ops = ["+", "-"]
    else:
        ops = ["+", "-", r"\times", r"\div"]
    op = _choice(rng, ops)
    value = {"+": a + b, "-": a - b, r"\times": a * b, r"\div": a / b}[op]
    expr = f"{_frac_text(a)} {op} {_frac_text(b)}"
    if difficulty == "hard":
        c = frac()
        op2 = _choice(rng, ["+", "-"])
        value = value + c if op2 == "+" else value - c
        expr = f"\\left({expr}\\right) {op2} {_frac_text(c)}"
    prompt = f"Compute ${expr}$. Give the answer as a fraction in lowest terms."
    return prompt, {"answer": _frac_latex(value)}


def percentages(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Percent of a number, what percent one number is of another, or percent change."""
    if difficulty == "easy":
        p = _choice(rng, [5, 10, 20, 25, 40, 50, 75])
        n = _int(rng, 1, 20) * 20
        return f"What is ${p}\\%$ of ${n}$?", {"answer": _frac_latex(Fraction(p * n, 100))}
    if difficulty == "medium":
        whole = _int(rng, 2, 40) * 5
        part_pct = _choice(rng, [10, 15, 20, 30, 35, 45, 60, 80])
        part = Fraction(whole * part_pct, 100)
        prompt = f"What percent of ${whole}$ is ${_frac_latex(part)}$?"
        return prompt, {"answer": f"{part_pct}\\%"}
    price = _int(rng, 4, 60) * 10
    up, down = _choice(rng, [10, 20, 25, 50]), _choice(rng, [10, 20, 25, 40])
    final = Fraction(price) * (100 + up) / 100 * (100 - down) / 100
    prompt = (
        f"A price of ${price}$ dollars is raised by ${up}\\%$ and the new price is then "
        f"lowered by ${down}\\%$. What is the final price in dollars?"
    )
    return prompt, {"answer": _decimal(final)}


def linear_equations(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Solve one linear equation in ``x`` (integer or fractional solution)."""
    x = Fraction(_nonzero(rng, -12, 12))
    if difficulty == "easy":
        a, b = _nonzero(rng, 2, 9), _int(rng, -20, 20)
        c = a * x + b
        eq = f"{a}x {'+' if b >= 0 else '-'} {abs(b)} = {c}"
    elif difficulty == "medium":
        a, b, c = _int(rng, 2, 7), _nonzero(rng, -9, 9), _int(rng, 1, 9)
        if c == a:
            c += 1
        # a(x + b) = c x + d
        d = a * (x + b) - c * x
        eq = f"{a}(x {'+' if b > 0 else '-'} {abs(b)}) = {c}x {'+' if d >= 0 else '-'} {abs(d)}"
    else:
        x = Fraction(_nonzero(rng, -15, 15), _int(rng, 2, 5))
        p = _int(rng, 2, 6)
        a, b = _nonzero(rng, -6, 6), _int(rng, -9, 9)
        # (a x + b) / p = rhs, with a fractional solution x
        rhs = (a * x + b) / p
        eq = f"\\frac{{{a}x {'+' if b >= 0 else '-'} {abs(b)}}}{{{p}}} = {_frac_latex(rhs)}"
    prompt = f"Solve for $x$: ${eq}$."
    return prompt, {"answer": _frac_latex(x), "bindings": {"x": str(x)}}


def linear_systems(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Solve a system of linear equations; the answer is an ordered tuple."""
    n = 3 if difficulty == "hard" else 2
    names = ["x", "y", "z"][:n]
    lim = 6 if difficulty == "easy" else 12
    sol = [_nonzero(rng, -lim, lim) for _ in range(n)]
    while True:
        coeffs = [[_int(rng, -5, 5) for _ in range(n)] for _ in range(n)]
        det = _det(coeffs)
        if det != 0:
            break
    lines = []
    for row in coeffs:
        lhs = _linear_combination(row, names)
        rhs = sum(c * v for c, v in zip(row, sol, strict=True))
        lines.append(f"{lhs} = {rhs}")
    system = " \\\\ ".join(lines)
    tuple_names = ", ".join(names)
    prompt = (
        f"Solve the system $\\begin{{cases}} {system} \\end{{cases}}$ and give the answer as "
        f"the ordered tuple $({tuple_names})$."
    )
    answer = "(" + ", ".join(str(v) for v in sol) + ")"
    return prompt, {"answer": answer, "bindings": dict(zip(names, map(str, sol), strict=True))}


def _det(m: list[list[int]]) -> int:
    if len(m) == 2:
        return m[0][0] * m[1][1] - m[0][1] * m[1][0]
    return sum(
        (-1) ** j * m[0][j] * _det([row[:j] + row[j + 1 :] for row in m[1:]]) for j in range(3)
    )


def _linear_combination(coeffs: list[int], names: list[str]) -> str:
    parts = []
    for c, name in zip(coeffs, names, strict=True):
        if c == 0:
            continue
        mag = "" if abs(c) == 1 else str(abs(c))
        sign = "-" if c < 0 else "+"
        parts.append((sign, f"{mag}{name}"))
    if not parts:
        return "0"
    text = ("-" if parts[0][0] == "-" else "") + parts[0][1]
    for sign, term in parts[1:]:
        text += f" {sign} {term}"
    return text


def _poly_latex(coeffs: list[int], var: str = "x") -> str:
    """Coefficients from the highest degree down, as LaTeX."""
    degree = len(coeffs) - 1
    terms = []
    for i, c in enumerate(coeffs):
        if c == 0:
            continue
        k = degree - i
        mag = abs(c)
        body = f"{var}^{{{k}}}" if k > 1 else var if k == 1 else ""
        coef = "" if mag == 1 and body else str(mag)
        terms.append(("-" if c < 0 else "+", f"{coef}{body}"))
    if not terms:
        return "0"
    text = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    for sign, term in terms[1:]:
        text += f" {sign} {term}"
    return text


def quadratics(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Find all real roots of a quadratic (integer, rational or irrational roots)."""
    if difficulty in ("easy", "medium"):
        r1, r2 = _int(rng, -10, 10), _int(rng, -10, 10)
        while r2 == r1:
            r2 = _int(rng, -10, 10)
        a = 1 if difficulty == "easy" else _int(rng, 2, 4)
        if difficulty == "medium":
            # a(x - r1)(x - r2/a): one rational root keeps the coefficients integral.
            roots = [Fraction(r1), Fraction(r2, a)]
            coeffs = [a, -(a * r1 + r2), r1 * r2]
        else:
            roots = [Fraction(r1), Fraction(r2)]
            coeffs = [1, -(r1 + r2), r1 * r2]
        answer = ", ".join(_frac_latex(r) for r in roots)
    else:
        while True:
            b, c = _int(rng, -10, 10), _int(rng, -12, 6)
            disc = b * b - 4 * c
            if disc > 0 and math.isqrt(disc) ** 2 != disc:
                break
        coeffs = [1, b, c]
        # roots (-b ± sqrt(disc)) / 2
        answer = f"\\frac{{{-b} \\pm \\sqrt{{{disc}}}}}{{2}}"
    prompt = (
        f"Find all real solutions of ${_poly_latex(coeffs)} = 0$. List them separated by commas."
    )
    return prompt, {"answer": answer}


def polynomials(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Expand a product, evaluate a polynomial, or find a remainder."""
    import sympy

    x = sympy.Symbol("x")
    if difficulty == "easy":
        a, b, c, d = (_nonzero(rng, -6, 6) for _ in range(4))
        expr = (a * x + b) * (c * x + d)
        prompt = f"Expand $({_poly_latex([a, b])})({_poly_latex([c, d])})$."
        return prompt, {"answer": sympy.latex(sympy.expand(expr))}
    coeffs = [_nonzero(rng, -5, 5)] + [_int(rng, -9, 9) for _ in range(3)]
    poly = sum(c * x ** (3 - i) for i, c in enumerate(coeffs))
    k = _nonzero(rng, -4, 4)
    if difficulty == "medium":
        prompt = f"Let $p(x) = {_poly_latex(coeffs)}$. Compute $p({k})$."
        return prompt, {"answer": str(int(poly.subs(x, k)))}
    other = [1, _int(rng, -5, 5), _nonzero(rng, -5, 5)]
    product = sympy.expand(poly * sum(c * x ** (2 - i) for i, c in enumerate(other)))
    prompt = (
        f"Expand and simplify $\\left({_poly_latex(coeffs)}\\right)"
        f"\\left({_poly_latex(other)}\\right)$."
    )
    return prompt, {"answer": sympy.latex(product)}


def _calculus_function(rng: np.random.Generator, difficulty: str) -> Any:
    import sympy

    x = sympy.Symbol("x")
    a, b = _nonzero(rng, -5, 5), _int(rng, 2, 4)
    n = _int(rng, 2, 5)
    easy = [a * x**n + b * x, a * x**n - b * x**2 + 1, b * sympy.sqrt(x) + a * x]
    medium = [
        a * sympy.sin(b * x),
        sympy.exp(b * x) + a * x**2,
        a * sympy.cos(x) + b * sympy.log(x),
        (x**2 + a) ** 3,
    ]
    hard = [
        x**2 * sympy.exp(b * x),
        x * sympy.sin(b * x),
        a * x * sympy.log(x),
        sympy.exp(x) * sympy.cos(x),
    ]
    return x, _choice(rng, {"easy": easy, "medium": medium, "hard": hard}[difficulty])


def derivatives(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Differentiate a function; any equivalent form of the derivative is accepted."""
    import sympy

    x, f = _calculus_function(rng, difficulty)
    derivative = sympy.diff(f, x)
    prompt = f"Find the derivative with respect to $x$ of $f(x) = {sympy.latex(f)}$."
    return prompt, {"answer": sympy.latex(derivative)}


def integrals(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """An antiderivative (checked by differentiating it) or a definite integral."""
    import sympy

    x, f = _calculus_function(rng, difficulty)
    if difficulty != "hard" and _int(rng, 0, 1) == 0:
        lo, hi = _int(rng, 0, 2), _int(rng, 3, 4)
        g = sympy.expand(_nonzero(rng, -4, 4) * x ** _int(rng, 1, 3) + _int(rng, -5, 5))
        value = sympy.integrate(g, (x, lo, hi))
        prompt = f"Compute $\\int_{{{lo}}}^{{{hi}}} \\left({sympy.latex(g)}\\right) \\, dx$."
        return prompt, {"answer": sympy.latex(value)}
    antiderivative = sympy.integrate(f, x)
    prompt = (
        f"Find an antiderivative of $f(x) = {sympy.latex(f)}$, i.e. $\\int f(x)\\,dx$ "
        "(any constant of integration is accepted)."
    )
    data = {
        "answer": sympy.latex(antiderivative) + " + C",
        "kind": "antiderivative",
        "integrand": sympy.latex(f),
        "var": "x",
    }
    return prompt, data


def number_theory(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """gcd/lcm, modular powers, divisor counts and sums."""
    if difficulty == "easy":
        g = _int(rng, 2, 12)
        a, b = g * _int(rng, 2, 15), g * _int(rng, 2, 15)
        if _int(rng, 0, 1):
            return f"What is the greatest common divisor of ${a}$ and ${b}$?", {
                "answer": str(math.gcd(a, b))
            }
        return f"What is the least common multiple of ${a}$ and ${b}$?", {
            "answer": str(a * b // math.gcd(a, b))
        }
    if difficulty == "medium":
        base, exp, mod = _int(rng, 2, 19), _int(rng, 10, 99), _int(rng, 5, 23)
        prompt = f"What is the remainder when ${base}^{{{exp}}}$ is divided by ${mod}$?"
        return prompt, {"answer": str(pow(base, exp, mod))}
    n, count, total = 1, 1, 1
    for p in _choice(rng, [[2, 3], [2, 5], [2, 3, 5], [2, 7], [3, 5], [2, 3, 7]]):
        k = _int(rng, 1, 4)
        n *= p**k
        count *= k + 1
        total *= (p ** (k + 1) - 1) // (p - 1)
    if _int(rng, 0, 1):
        return f"How many positive divisors does ${n}$ have?", {"answer": str(count)}
    return f"What is the sum of the positive divisors of ${n}$?", {"answer": str(total)}


def combinatorics(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Counting (choices, arrangements) and probability (dice, drawing balls)."""
    if difficulty == "easy":
        n = _int(rng, 5, 12)
        k = _int(rng, 2, min(5, n - 1))
        if _int(rng, 0, 1):
            prompt = f"In how many ways can a committee of ${k}$ be chosen from ${n}$ people?"
            return prompt, {"answer": str(math.comb(n, k))}
        prompt = (
            f"In how many ways can ${k}$ different prizes be given to ${k}$ of ${n}$ people "
            "(one prize each)?"
        )
        return prompt, {"answer": str(math.perm(n, k))}
    if difficulty == "medium":
        word = _choice(
            rng, ["BANANA", "LETTER", "COFFEE", "PEPPER", "STREET", "BALLOON", "SUCCESS"]
        )
        count = math.factorial(len(word))
        for ch in set(word):
            count //= math.factorial(word.count(ch))
        return f"How many distinct arrangements of the letters of {word} are there?", {
            "answer": str(count)
        }
    if _int(rng, 0, 1):
        total = _int(rng, 4, 10)
        favourable = sum(1 for a in range(1, 7) for b in range(1, 7) if a + b == total)
        prompt = (
            f"Two fair six-sided dice are rolled. What is the probability that the sum is "
            f"${total}$? Give the answer as a common fraction."
        )
        return prompt, {"answer": _frac_latex(Fraction(favourable, 36))}
    red, blue = _int(rng, 2, 7), _int(rng, 2, 7)
    prob = Fraction(math.comb(red, 2), math.comb(red + blue, 2))
    prompt = (
        f"A bag holds ${red}$ red and ${blue}$ blue marbles. Two are drawn without "
        "replacement. What is the probability that both are red? Give the answer as a "
        "common fraction."
    )
    return prompt, {"answer": _frac_latex(prob)}


def word_problems(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Short GSM8K-style stories with a numeric answer."""
    name = _choice(rng, ["Ada", "Ben", "Chen", "Dana", "Eli", "Fatima", "Goro", "Hana"])
    if difficulty == "easy":
        n, price, paid = _int(rng, 2, 9), _int(rng, 2, 12), 0
        paid = (n * price // 10 + 1) * 10
        prompt = (
            f"{name} buys {_plural(n, 'notebook')} at ${price}$ dollars each and pays with "
            f"${paid}$ dollars. How much change, in dollars, does {name} get?"
        )
        return prompt, {"answer": str(paid - n * price)}
    if difficulty == "medium":
        speed1, t1 = _int(rng, 30, 70), _int(rng, 1, 4)
        speed2, t2 = _int(rng, 30, 70), _int(rng, 1, 4)
        prompt = (
            f"{name} drives for {_plural(t1, 'hour')} at ${speed1}$ km/h and then for "
            f"{_plural(t2, 'hour')} at "
            f"${speed2}$ km/h. How many kilometres does {name} drive in total?"
        )
        return prompt, {"answer": str(speed1 * t1 + speed2 * t2)}
    a, b = _int(rng, 2, 8), _int(rng, 3, 12)
    while b == a:
        b += 1
    hours = Fraction(a * b, a + b)
    prompt = (
        f"{name} can paint a fence alone in {a} hours; a friend can paint it alone in {b} "
        "hours. Working together, how many hours do they need? Give an exact answer."
    )
    return prompt, {"answer": _frac_latex(hours)}


GENERATORS: dict[str, Generator] = {
    "arithmetic": arithmetic,
    "combinatorics": combinatorics,
    "derivatives": derivatives,
    "fractions": fractions,
    "integrals": integrals,
    "linear_equations": linear_equations,
    "linear_systems": linear_systems,
    "number_theory": number_theory,
    "percentages": percentages,
    "polynomials": polynomials,
    "quadratics": quadratics,
    "word_problems": word_problems,
}
