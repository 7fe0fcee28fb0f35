r"""Build ``tests/data/math_equivalence.jsonl``: labeled (prediction, gold) answer pairs.

Run ``python tests/environments/math/build_equivalence_set.py`` to rewrite the file. Every
label is decided here by construction (exact rational arithmetic, permutations, or a
hand-checked pair), never by the verifier under test. Numbers come from a seeded generator,
so the file is reproducible.

Each record: ``{"id", "category", "prediction", "gold", "equivalent"}``, plus
``"convention"`` when the label rests on a grading convention rather than on mathematics
alone (a dropped percent sign, degrees against radians, a mixed number); the benchmark also
reports accuracy without those pairs.
"""

from __future__ import annotations

import json
import random
import re
from fractions import Fraction
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "data" / "math_equivalence.jsonl"
rng = random.Random(20240601)
records: list[dict] = []


_MIXED = re.compile(r"^-?\d+(\s*\\frac\{\d+\}\{\d+\}|\s+\d+/\d+)$")
CONVENTIONS = {
    # label depends on a grading convention, not on mathematics alone
    "percent": lambda p, g: ("%" in p) != ("%" in g),
    "degrees": lambda p, g: (
        ("circ" in p + g or "°" in p + g or "degree" in p + g) and ("pi" in p + g)
    ),
    "mixed_number": lambda p, g: any(_MIXED.match(x) for x in (p, g)),
}


def add(category: str, prediction: str, gold: str, equivalent: bool) -> None:
    record = {
        "id": f"{category}/{sum(r['category'] == category for r in records)}",
        "category": category,
        "prediction": prediction,
        "gold": gold,
        "equivalent": equivalent,
    }
    conventions = [name for name, test in CONVENTIONS.items() if test(prediction, gold)]
    if conventions:
        record["convention"] = ",".join(conventions)
    records.append(record)


def frac(v: Fraction, style: str = "frac") -> str:
    if v.denominator == 1:
        return str(v.numerator)
    sign = "-" if v < 0 else ""
    return f"{sign}\\{style}{{{abs(v.numerator)}}}{{{v.denominator}}}"


def decimal(v: Fraction) -> str | None:
    """The exact decimal expansion of a terminating fraction, else None."""
    den = v.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den != 1:
        return None
    places = 0
    while (v * 10**places).denominator != 1:
        places += 1
    scaled = abs(v) * 10**places
    digits = str(scaled.numerator).rjust(places + 1, "0")
    text = digits[:-places] + "." + digits[-places:] if places else digits
    return ("-" if v < 0 else "") + text


# --- numbers: integers, decimals, thousands separators, scientific notation, percentages ---
for _ in range(8):
    n = rng.randint(1000, 9_999_999)
    add("numbers", f"{n:,}", str(n), True)
    add("numbers", f"{n:,}", str(n + rng.choice([1, 10, 1000])), False)
for _ in range(5):
    m = rng.randint(11, 99)
    e = rng.randint(2, 6)
    value = Fraction(m, 10) * 10**e
    add("numbers", f"{m / 10}e{e}", str(value.numerator), True)
    add("numbers", f"{m / 10} \\times 10^{{{e}}}", str(value.numerator), True)
    add("numbers", f"{m / 10} \\times 10^{{{e}}}", str((value * 10).numerator), False)
for _ in range(5):
    v = Fraction(rng.randint(1, 9999), 100)
    d = decimal(v)
    add("numbers", d + "0", d, True)
    add("numbers", d, decimal(v + Fraction(1, 100)), False)
add("numbers", ".5", "0.5", True)
add("numbers", "-7.00", "-7", True)
add("numbers", "-7", "7", False)
add("numbers", "3 \\times 10^{-2}", "0.03", True)
add("numbers", "3 \\times 10^{-2}", "0.3", False)
add("numbers", "1{,}024", "1024", True)
add("numbers", "10\\,000", "10000", True)
add("numbers", "1,234", "1234.5", False)
for _ in range(6):
    p = rng.choice([5, 12, 15, 25, 40, 62.5, 80])
    add("numbers", f"{p}\\%", f"{p}", True)
    add("numbers", f"{p}\\%", decimal(Fraction(str(p)) / 100), True)
    add("numbers", f"{p}\\%", f"{p * 10}", False)
add("numbers", "0.25", "25", False)
add("numbers", "2.5\\%", "25\\%", False)
add("numbers", "0", "-0", True)
add("numbers", "100", "10^2", True)
add("numbers", "1000001", "1000000", False)

# --- fractions and mixed numbers ---------------------------------------------------------
for _ in range(12):
    den = rng.randint(2, 30)
    num = rng.randint(1, 3 * den)
    v = Fraction(num, den)
    k = rng.randint(2, 5)
    style = rng.choice(["frac", "dfrac", "tfrac"])
    add("fractions", f"\\{style}{{{num * k}}}{{{den * k}}}", frac(v), True)
    add("fractions", f"{v.numerator}/{v.denominator}", frac(v, "dfrac"), True)
    if v.denominator != v.numerator and v != 1:
        add("fractions", frac(1 / v), frac(v), False)
    d = decimal(v)
    if d is not None:
        add("fractions", d, frac(v), True)
for whole, num, den in [(2, 1, 2), (3, 3, 4), (1, 2, 3), (5, 1, 8), (4, 2, 5)]:
    v = whole + Fraction(num, den)
    add("fractions", f"{whole}\\frac{{{num}}}{{{den}}}", frac(v), True)
    add("fractions", f"{whole} {num}/{den}", frac(v), True)
    add("fractions", f"{whole}\\frac{{{num}}}{{{den}}}", frac(Fraction(whole * num, den)), False)
add("fractions", "-\\frac{3}{4}", "\\frac{-3}{4}", True)
add("fractions", "-\\frac{3}{4}", "-0.75", True)
add("fractions", "\\frac{3}{4}", "-0.75", False)
add("fractions", "\\frac{1}{3}", "0.3", False)
add("fractions", "\\frac{2}{3}", "0.6", False)
add("fractions", "\\frac12", "\\frac{1}{2}", True)
add("fractions", "\\frac{1}{2}", "\\frac{1}{4}", False)

# --- LaTeX formatting ----------------------------------------------------------------------
latex_eq = [
    ("\\sqrt{8}", "2\\sqrt{2}"),
    ("\\sqrt{12}", "2\\sqrt3"),
    ("\\sqrt{50} - \\sqrt{18}", "2\\sqrt{2}"),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}"),
    ("\\dfrac{3\\sqrt{2}}{4}", "\\frac{3}{4}\\sqrt2"),
    ("\\frac{1}{\\sqrt{3}}", "\\frac{\\sqrt{3}}{3}"),
    ("\\frac{\\pi}{2}", "\\dfrac{\\pi}{2}"),
    ("\\pi/2", "\\frac{\\pi}{2}"),
    ("0.5\\pi", "\\frac{\\pi}{2}"),
    ("2\\,\\pi", "2\\pi"),
    ("2^{10}", "1024"),
    ("3 \\cdot 4", "12"),
    ("3 \\times 4", "12"),
    ("\\left(\\frac{1}{2}\\right)^2", "\\frac14"),
    ("\\left( 2 + 3 \\right) \\cdot 4", "20"),
    ("10\\!000", "10000"),
    ("\\sqrt[3]{27}", "3"),
    ("\\sqrt[3]{16}", "2\\sqrt[3]{2}"),
    ("4^{\\frac{1}{2}}", "2"),
    ("\\displaystyle \\frac{5}{8}", "\\frac{5}{8}"),
    ("{\\frac{7}{2}}", "3.5"),
    ("\\frac{2\\pi}{3}", "\\frac{2}{3}\\pi"),
    ("\\pi r^2", "r^2 \\pi"),
    ("2^{-1}", "\\frac{1}{2}"),
    ("\\sqrt{2}\\cdot\\sqrt{8}", "4"),
    ("\\binom{5}{2}", "10"),
    ("5!", "120"),
    ("\\frac{6!}{4!}", "30"),
    ("\\log_2 8", "3"),
    ("\\ln e^{2}", "2"),
    ("e^{0}", "1"),
    ("\\lfloor 3.7 \\rfloor", "3"),
    ("|-5|", "5"),
]
for p, g in latex_eq:
    add("latex", p, g, True)
latex_neq = [
    ("\\sqrt{8}", "4\\sqrt{2}"),
    ("\\sqrt{12}", "3\\sqrt2"),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{2}}{2}"),
    ("\\pi/2", "\\pi^2"),
    ("\\frac{\\pi}{2}", "\\frac{\\pi}{3}"),
    ("2^{10}", "20"),
    ("3 \\cdot 4", "7"),
    ("\\left(\\frac{1}{2}\\right)^2", "\\frac12"),
    ("\\sqrt[3]{27}", "9"),
    ("4^{\\frac{1}{2}}", "4"),
    ("2\\pi", "\\pi"),
    ("\\binom{5}{2}", "20"),
    ("5!", "5"),
    ("\\log_2 8", "4"),
    ("\\lceil 3.2 \\rceil", "3"),
    ("\\frac{1}{\\sqrt{3}}", "\\sqrt{3}"),
    ("\\pi", "3"),
    ("e", "2.7"),
    ("\\sqrt{2}", "1.4"),
    ("2^{-1}", "-2"),
    ("|-5|", "-5"),
    ("\\sqrt{16}", "\\pm 4"),
]
for p, g in latex_neq:
    add("latex", p, g, False)

# --- units and \text{} ---------------------------------------------------------------------
for unit in ["cm", "meters", "inches", "dollars", "kg", "hours", "square units", "ft"]:
    n = rng.randint(2, 500)
    add("units", f"{n} \\text{{ {unit}}}", str(n), True)
    add("units", f"{n}\\,\\text{{{unit}}}", str(n + 1), False)
add("units", "\\$12.50", "12.5", True)
add("units", "\\$12.50", "1250", False)
add("units", "5\\text{ cm}^2", "5", True)
add("units", "5\\text{ cm}^2", "25", False)
add("units", "3 \\mbox{ m}", "3", True)
add("units", "\\text{12 apples}", "12", True)
add("units", "\\text{12 apples}", "13", False)
add("units", "40 \\text{ mph}", "40", True)
add("units", "18 \\text{ students}", "18", True)
add("units", "18 \\text{ students}", "81", False)
add("units", "7 \\text{ inches}", "\\text{7 in}", True)

# --- degrees ----------------------------------------------------------------------------------
deg_eq = [
    ("30^\\circ", "30"),
    ("45^{\\circ}", "45"),
    ("90°", "90"),
    ("60 \\text{ degrees}", "60"),
    ("120^\\circ", "120^{\\circ}"),
    ("30^\\circ", "\\frac{\\pi}{6}"),
    ("45^\\circ", "\\frac{\\pi}{4}"),
    ("180^\\circ", "\\pi"),
    ("\\frac{\\pi}{3}", "60^\\circ"),
    ("72^\\circ", "72"),
]
deg_neq = [
    ("30^\\circ", "60"),
    ("30^\\circ", "\\frac{\\pi}{3}"),
    ("45^\\circ", "\\frac{\\pi}{2}"),
    ("90°", "180"),
    ("60 \\text{ degrees}", "6"),
    ("120^\\circ", "12"),
    ("\\frac{\\pi}{3}", "30^\\circ"),
    ("36^\\circ", "72^\\circ"),
]
for p, g in deg_eq:
    add("degrees", p, g, True)
for p, g in deg_neq:
    add("degrees", p, g, False)

# --- sets -------------------------------------------------------------------------------------
for _ in range(10):
    k = rng.randint(2, 5)
    items = rng.sample(range(-9, 20), k)
    shuffled = items[:]
    rng.shuffle(shuffled)
    gold = "\\{" + ", ".join(map(str, items)) + "\\}"
    add("sets", "\\{" + ",".join(map(str, shuffled)) + "\\}", gold, True)
    missing = "\\{" + ", ".join(map(str, shuffled[:-1])) + "\\}"
    add("sets", missing, gold, False)
    extra = "\\{" + ", ".join(map(str, [*shuffled, 99])) + "\\}"
    add("sets", extra, gold, False)
add("sets", "\\{-1, \\frac12\\}", "\\{0.5, -1\\}", True)
add("sets", "\\{\\sqrt{4}, 3\\}", "\\{2, 3\\}", True)
add("sets", "\\emptyset", "\\{\\}", True)
add("sets", "\\varnothing", "\\emptyset", True)
add("sets", "\\emptyset", "\\{0\\}", False)
add("sets", "\\{1, 2\\}", "\\{1, 2, 2\\}", True)
add("sets", "(1, 2)", "\\{1, 2\\}", False)
add("sets", "\\{1, 2\\}", "\\{-1, -2\\}", False)

# --- intervals and unions ---------------------------------------------------------------------
for _ in range(8):
    a = rng.randint(-10, 5)
    b = a + rng.randint(1, 10)
    lo, hi = rng.choice(["(", "["]), rng.choice([")", "]"])
    gold = f"{lo}{a}, {b}{hi}"
    add("intervals", f"\\left{lo}{a},{b}\\right{hi}", gold, True)
    flip_lo = "[" if lo == "(" else "("
    add("intervals", f"{flip_lo}{a}, {b}{hi}", gold, False)
    add("intervals", f"{lo}{a}, {b + 1}{hi}", gold, False)
add("intervals", "[0, \\infty)", "[0,\\infty)", True)
add("intervals", "[0, \\infty)", "(0,\\infty)", False)
add("intervals", "(-\\infty, 0) \\cup (1, \\infty)", "(1, \\infty) \\cup (-\\infty, 0)", True)
add("intervals", "(-\\infty, 0) \\cup (1, \\infty)", "(-\\infty, 0] \\cup (1, \\infty)", False)
add("intervals", "(-\\infty, 0) \\cup (1, \\infty)", "(-\\infty, 1)", False)
add("intervals", "(-\\infty,-2]\\cup[2,\\infty)", "(-\\infty, -2] \\cup [2, \\infty)", True)
add("intervals", "(-\\infty, \\infty)", "\\mathbb{R}", True)
add("intervals", "[-1, \\frac{1}{2})", "[-1, 0.5)", True)
add("intervals", "[-1, \\frac{1}{2})", "[-1, 0.5]", False)
add("intervals", "(-\\infty, 5]", "(-\\infty, 5)", False)
add("intervals", "x \\in [2, 5)", "[2, 5)", True)

# --- tuples and points ------------------------------------------------------------------------
for _ in range(8):
    n = rng.choice([2, 2, 3])
    pts = [rng.randint(-9, 9) for _ in range(n)]
    gold = "(" + ", ".join(map(str, pts)) + ")"
    add("tuples", "\\left(" + ",".join(map(str, pts)) + "\\right)", gold, True)
    swapped = pts[::-1]
    if swapped != pts:
        add("tuples", "(" + ", ".join(map(str, swapped)) + ")", gold, False)
    add("tuples", "(" + ", ".join(map(str, pts[:-1])) + ")", gold, False)
add("tuples", "(\\frac12, 3)", "(0.5, 3)", True)
add("tuples", "(x, y) = (1, 2)", "(1, 2)", True)
add("tuples", "x = 1, y = 2", "(1, 2)", True)
add("tuples", "(1, 2, 3)", "(1, 2, 4)", False)
add("tuples", "(\\sqrt{2}, \\pi)", "(\\sqrt2, \\pi)", True)
add("tuples", "(2, -3)", "(2, 3)", False)
add("tuples", "(3, \\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)", True)
add("tuples", "(3, \\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{4} \\right)", False)

# --- vectors and matrices ---------------------------------------------------------------------
for _ in range(6):
    a, b, c, d = (rng.randint(-9, 9) for _ in range(4))
    gold = f"\\begin{{pmatrix}} {a} & {b} \\\\ {c} & {d} \\end{{pmatrix}}"
    add("matrices", f"\\begin{{bmatrix}}{a}&{b}\\\\{c}&{d}\\end{{bmatrix}}", gold, True)
    if b != c:
        add(
            "matrices", f"\\begin{{pmatrix}} {a} & {c} \\\\ {b} & {d} \\end{{pmatrix}}", gold, False
        )
    add(
        "matrices", f"\\begin{{pmatrix}} {a} & {b} \\\\ {c} & {d + 1} \\end{{pmatrix}}", gold, False
    )
add("matrices", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "(1, 2)", True)
add(
    "matrices",
    "\\begin{pmatrix} \\frac12 \\\\ -1 \\end{pmatrix}",
    "\\begin{pmatrix} 0.5 \\\\ -1 \\end{pmatrix}",
    True,
)
add(
    "matrices",
    "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}",
    "\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}",
    False,
)
add(
    "matrices",
    "\\begin{pmatrix} 1 & 2 \\end{pmatrix}",
    "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}",
    False,
)
add(
    "matrices",
    "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}",
    "\\begin{pmatrix} 1 \\\\ 1 \\end{pmatrix}",
    False,
)
add("matrices", "\\begin{pmatrix} 3 \\\\ 7 \\end{pmatrix}", "(3, 7)", True)
add("matrices", "\\begin{pmatrix} 3 \\\\ 7 \\end{pmatrix}", "(7, 3)", False)

# --- equations ----------------------------------------------------------------------------------
for _ in range(6):
    v = rng.randint(-20, 20)
    add("equations", f"x = {v}", str(v), True)
    add("equations", str(v), f"x={v}", True)
    add("equations", f"x = {v}", str(v + 2), False)
eq_pairs = [
    ("y = 2x + 1", "y = 1 + 2x", True),
    ("2y = 4x + 2", "y = 2x + 1", True),
    ("x + y = 5", "y = 5 - x", True),
    ("y = -\\frac{1}{2}x + 3", "x + 2y = 6", True),
    ("y = 2x+1", "y = 2x - 1", False),
    ("x + y = 5", "x - y = 5", False),
    ("y = x^2", "y = x^3", False),
    ("1 = 1", "1", False),
    ("0 = 0", "0", False),
    ("x = -3", "x = 3", False),
    ("x^2 + y^2 = 4", "y^2 + x^2 = 4", True),
    ("x^2 + y^2 = 4", "x^2 + y^2 = 2", False),
]
for p, g, label in eq_pairs:
    add("equations", p, g, label)

# --- inequalities ---------------------------------------------------------------------------------
for _ in range(5):
    c = rng.randint(-10, 10)
    add("inequalities", f"x > {c}", f"{c} < x", True)
    add("inequalities", f"x \\ge {c}", f"[{c}, \\infty)", True)
    add("inequalities", f"x > {c}", f"x \\geq {c}", False)
    add("inequalities", f"x < {c}", f"x > {c}", False)
add("inequalities", "-1 < x < 3", "(-1, 3)", True)
add("inequalities", "-1 \\le x < 3", "[-1, 3)", True)
add("inequalities", "-1 < x < 3", "[-1, 3]", False)
add("inequalities", "x \\leq 5", "(-\\infty, 5]", True)
add("inequalities", "x < 5", "(-\\infty, 5]", False)
add("inequalities", "3 > x", "x < 3", True)
add("inequalities", "x \\ne 2", "x \\neq 2", True)

# --- several answers ------------------------------------------------------------------------------
for _ in range(6):
    r = rng.randint(1, 12)
    add("multiple", f"{r}, -{r}", f"\\pm {r}", True)
    add("multiple", f"-{r}, {r}", f"{r}, -{r}", True)
    add("multiple", f"{r}", f"\\pm {r}", False)
    add("multiple", f"{r}, -{r}, 0", f"\\pm {r}", False)
for _ in range(6):
    a, b = rng.sample(range(-15, 15), 2)
    add("multiple", f"{b}, {a}", f"{a}, {b}", True)
    add("multiple", f"x = {a} \\text{{ or }} x = {b}", f"{a}, {b}", True)
    add("multiple", f"{a}, {b + 1}", f"{a}, {b}", False)
add("multiple", "1 \\pm \\sqrt{2}", "1+\\sqrt2, 1-\\sqrt2", True)
add(
    "multiple", "\\frac{-3 \\pm \\sqrt{5}}{2}", "\\frac{-3+\\sqrt5}{2}, \\frac{-3-\\sqrt5}{2}", True
)
add("multiple", "1 \\pm \\sqrt{3}", "1+\\sqrt2, 1-\\sqrt2", False)
add("multiple", "2 \\text{ and } 3", "3, 2", True)

# --- symbolic expressions -------------------------------------------------------------------------
sym_eq = [
    ("(x+1)^2", "x^2+2x+1"),
    ("x^2 - 1", "(x-1)(x+1)"),
    ("\\frac{x^2-1}{x-1}", "x+1"),
    ("\\sin^2 x + \\cos^2 x", "1"),
    ("2\\sin x \\cos x", "\\sin 2x"),
    ("\\frac{1}{2}x^2", "\\frac{x^2}{2}"),
    ("3x + 2x", "5x"),
    ("a(b+c)", "ab + ac"),
    ("\\frac{a}{b} + \\frac{c}{b}", "\\frac{a+c}{b}"),
    ("e^{2\\ln x}", "x^2"),
    ("\\sqrt{x^2}", "|x|"),
    ("x^{\\frac{1}{2}}", "\\sqrt{x}"),
    ("\\frac{d}{1}", "d"),
    ("2(x-3)", "2x - 6"),
    ("-x + y", "y - x"),
    ("\\cos(2x)", "1 - 2\\sin^2 x"),
    ("\\frac{x^3}{3} + C", "C + \\frac{1}{3}x^3"),
    ("6x^2 + 15x - 9", "3(2x-1)(x+3)"),
    ("\\tan x", "\\frac{\\sin x}{\\cos x}"),
    ("n(n+1)/2", "\\frac{n^2+n}{2}"),
]
sym_neq = [
    ("(x+1)^2", "x^2+1"),
    ("x^2 - 1", "(x-1)^2"),
    ("\\sin 2x", "2\\sin x"),
    ("|x|", "x"),
    ("\\sqrt{x^2}", "x"),
    ("3x + 2x", "6x"),
    ("a(b+c)", "ab + c"),
    ("\\frac{a}{b} + \\frac{c}{d}", "\\frac{a+c}{b+d}"),
    ("2(x-3)", "2x - 3"),
    ("x - y", "y - x"),
    ("\\cos(2x)", "2\\cos x"),
    ("x^3", "3x^2"),
    ("\\frac{1}{x}", "x"),
    ("e^{x+1}", "e^x + 1"),
    ("\\ln(x+1)", "\\ln x + 1"),
    ("x^2", "y^2"),
    ("x", "3"),
    ("2x", "x^2"),
]
for p, g in sym_eq:
    add("symbolic", p, g, True)
for p, g in sym_neq:
    add("symbolic", p, g, False)

# --- complex numbers --------------------------------------------------------------------------
for _ in range(6):
    a, b = rng.randint(-9, 9), rng.randint(1, 9)
    sign = "+" if b > 0 else "-"
    add("complex", f"{a} {sign} {abs(b)}i", f"{abs(b)}i + ({a})" if a < 0 else f"{b}i + {a}", True)
    add("complex", f"{a} - {abs(b)}i", f"{a} + {abs(b)}i", False)
complex_pairs = [
    ("(1+i)^2", "2i", True),
    ("\\frac{1}{i}", "-i", True),
    ("i^2", "-1", True),
    ("i^4", "1", True),
    ("(2+i)(2-i)", "5", True),
    ("\\frac{1+i}{1-i}", "i", True),
    ("2i", "2", False),
    ("i^2", "1", False),
    ("(1+i)^2", "2", False),
    ("3 + 4i", "5", False),
]
for p, g, label in complex_pairs:
    add("complex", p, g, label)

# --- yes/no and multiple choice ---------------------------------------------------------------
for word in ["yes", "no"]:
    other = "no" if word == "yes" else "yes"
    add("text", word.capitalize(), word, True)
    add("text", f"\\text{{{word}}}", word.upper(), True)
    add("text", f"\\textbf{{{word.capitalize()}}}", word, True)
    add("text", other, word, False)
    add("text", f"\\text{{{other}}}", word.capitalize(), False)
for letter in "ABCDE":
    wrong = rng.choice([c for c in "ABCDE" if c != letter])
    add("text", f"({letter})", letter, True)
    add("text", f"\\text{{({letter})}}", letter, True)
    add("text", letter, f"\\text{{({letter})}}", True)
    add("text", wrong, letter, False)
    add("text", f"({wrong})", f"\\text{{({letter})}}", False)
add("text", "A, B, C, D, E", "C", False)
add("text", "\\text{(A) or (B)}", "A", False)
add("text", "\\text{even}", "\\text{odd}", False)
add("text", "\\text{Even}", "\\text{even}", True)

# --- hacks and hostile inputs (never equivalent) ----------------------------------------------
hacks = [
    ("\\boxed{2} \\text{ or } \\boxed{3}", "3"),
    ("\\boxed{1}, \\boxed{2}, \\boxed{3}, \\boxed{4}", "2"),
    ("1, 2, 3, 4, 5, 6, 7, 8, 9, 10", "7"),
    ("1 = 1", "5"),
    ("x = x", "5"),
    ("", "5"),
    ("   ", "5"),
    ("9^{9^{9^{9}}}", "1"),
    ("9^9^9^9", "0"),
    ("1000000!", "1"),
    ("(" * 300 + "5" + ")" * 300, "6"),
    ("\\frac{1}{0}", "\\infty"),
    ("0/0", "0"),
    ("\\text{I don't know}", "5"),
    ("x", "5"),
    ("\\infty", "5"),
    ("1" * 3000, "1"),
    ("\\sqrt{-1}", "1"),
]
for p, g in hacks:
    add("hacks", p, g, False)

# --- realistic pairs from worked solutions (some are hard for any parser) -------------------
realistic = [
    ("latex", "\\frac{\\sqrt{6}-\\sqrt{2}}{4}", "\\sin 15^\\circ", True),
    ("fractions", "0.\\overline{3}", "\\frac13", True),
    ("fractions", "0.\\overline{6}", "\\frac13", False),
    ("numbers", "\\frac{1}{2}", "50\\%", True),
    ("intervals", "x \\in (-\\infty, 2)", "x < 2", True),
    ("intervals", "\\{x \\mid x > 2\\}", "(2, \\infty)", True),
    ("latex", "3\\sqrt{2}/2", "\\frac{3}{\\sqrt{2}}", True),
    ("latex", "\\cos^{-1}(0)", "\\frac{\\pi}{2}", True),
    ("latex", "\\arctan 1", "\\frac{\\pi}{4}", True),
    ("latex", "\\arctan 1", "\\frac{\\pi}{3}", False),
    ("fractions", "5/10", "\\frac12", True),
    ("numbers", "1e-3", "0.001", True),
    ("numbers", "0.1 + 0.2", "0.3", True),
    ("numbers", "5.", "5", True),
    ("numbers", "$5$", "5", True),
    ("numbers", "-\\infty", "\\infty", False),
    ("numbers", "\\infty", "\\infty", True),
    ("symbolic", "\\frac{a+b}{2}", "\\frac{b+a}{2}", True),
    ("tuples", "x=1 \\text{ and } y=2", "(1,2)", True),
    ("equations", "f(x) = 2x", "2x", True),
    ("units", "\\text{The answer is } 5", "5", True),
    ("latex", "\\sqrt{2}/2", "\\frac{\\sqrt2}{2}", True),
    ("sets", "\\left\\{ 1, 2 \\right\\}", "\\{1,2\\}", True),
    ("sets", "1, 2, 3", "\\{1,2,3\\}", True),
    ("fractions", "\\frac{9}{4}", "2.25", True),
    ("equations", "y=\\frac{1}{2}x", "y = 0.5x", True),
    ("equations", "2x+3y=6", "y=-\\frac23x+2", True),
    ("equations", "2x+3y=6", "y=-\\frac32x+2", False),
    ("equations", "x^2 + 2x + 1 = 0", "(x+1)^2 = 0", True),
    ("complex", "-\\frac{\\sqrt{3}}{2} i + \\frac12", "\\frac{1 - i\\sqrt3}{2}", True),
    ("complex", "e^{i\\pi/3}", "\\frac{1}{2} + \\frac{\\sqrt3}{2}i", True),
    ("complex", "e^{i\\pi/3}", "\\frac{\\sqrt3}{2} + \\frac{1}{2}i", False),
    ("symbolic", "\\frac{1}{x+1} - \\frac{1}{x}", "-\\frac{1}{x(x+1)}", True),
    ("symbolic", "\\frac{1}{x+1} - \\frac{1}{x}", "\\frac{1}{x(x+1)}", False),
    ("symbolic", "(a+b)^3", "a^3 + 3a^2b + 3ab^2 + b^3", True),
    ("symbolic", "(a+b)^3", "a^3 + b^3", False),
    ("multiple", "x=3, x=-1", "-1, 3", True),
    ("degrees", "\\sin 30^\\circ", "\\frac12", True),
    (
        "matrices",
        "\\begin{pmatrix} 2 & 0 \\\\ 0 & 2 \\end{pmatrix}",
        "2\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}",
        True,
    ),
    ("text", "\\text{Yes, it is}", "\\text{yes}", True),
]
for category, p, g, label in realistic:
    add(category, p, g, label)

more = [
    ("fractions", "\\frac{7}{2}", "3\\frac{1}{2}", True),
    ("units", "\\$1,234.56", "1234.56", True),
    ("numbers", "1,234.56", "1234.56", True),
    ("numbers", "\\frac{1}{4}\\%", "0.25\\%", True),
    ("units", "20 \\text{ m/s}", "20", True),
    ("equations", "x = \\frac{1}{2}", "0.5", True),
    ("latex", "\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", True),
    ("latex", "\\sqrt{\\frac{1}{2}}", "\\frac{\\sqrt2}{2}", True),
    ("latex", "2^{1/2}", "\\sqrt{2}", True),
    ("numbers", "10^{-3}", "0.001", True),
    ("numbers", "\\frac{3}{5}", "60\\%", True),
    ("latex", "6\\sqrt{3}", "\\sqrt{108}", True),
    ("latex", "\\sqrt{3}+1", "1+\\sqrt{3}", True),
    ("fractions", "\\frac{-1}{2}", "-0.5", True),
    ("multiple", "\\left\\{ -2, 2 \\right\\}", "\\pm 2", True),
    ("intervals", "(0,1)", "(0,1]", False),
    ("equations", "x=-1", "-1", True),
    ("equations", "k = 5", "5", True),
    ("symbolic", "\\frac{4}{3}\\pi r^3", "\\frac{4\\pi r^3}{3}", True),
    ("latex", "2\\ln 2", "\\ln 4", True),
    ("latex", "\\log_{3} 81", "4", True),
    ("latex", "\\tan\\frac{\\pi}{4}", "1", True),
    ("latex", "\\cos \\pi", "-1", True),
    ("latex", "\\frac{\\pi}{4}", "45", False),
    ("complex", "2+2i", "2(1+i)", True),
    ("complex", "|3+4i|", "5", True),
    ("matrices", "\\begin{pmatrix} 1 \\\\ -2 \\\\ 3 \\end{pmatrix}", "(1,-2,3)", True),
    ("matrices", "\\begin{pmatrix} 1 \\\\ -2 \\\\ 3 \\end{pmatrix}", "(1,2,3)", False),
    ("equations", "y = -x + 4", "x + y = 4", True),
    ("equations", "y = 3", "3", True),
    ("sets", "x \\in \\{1, 2\\}", "\\{1,2\\}", True),
    ("inequalities", "[-2, 2]", "-2 \\le x \\le 2", True),
    ("inequalities", "x < -1 \\text{ or } x > 1", "(-\\infty,-1)\\cup(1,\\infty)", True),
    ("inequalities", "x < -1 \\text{ or } x > 1", "(-\\infty,-1]\\cup(1,\\infty)", False),
    ("fractions", "\\frac{1}{6}", "0.1\\overline{6}", True),
    ("numbers", "12", "12.0", True),
    ("numbers", "-3", "- 3", True),
    ("numbers", "3.01", "3", False),
    ("numbers", "1e6", "1,000,000", True),
    ("text", "\\text{A}", "(A)", True),
    ("text", "\\textbf{(D)}", "D", True),
    ("degrees", "\\dfrac{5\\pi}{6}", "150^\\circ", True),
    ("symbolic", "a^2 - b^2", "(a-b)(a+b)", True),
    ("symbolic", "\\frac{x+1}{x^2-1}", "\\frac{1}{x-1}", True),
    ("symbolic", "\\frac{1}{2}(x+1)", "\\frac{x}{2}+\\frac12", True),
    ("symbolic", "x^2 + x", "x(x+1)", True),
    ("symbolic", "x^2 + x", "x(x-1)", False),
    ("symbolic", "\\sqrt{x}\\sqrt{x}", "x", True),
    ("symbolic", "e^{x}e^{x}", "e^{2x}", True),
    ("symbolic", "\\frac{\\sin x}{\\cos x}", "\\cot x", False),
    ("symbolic", "\\frac{n(n-1)}{2}", "\\binom{n}{2}", True),
    ("symbolic", "2^{n+1}", "2\\cdot 2^n", True),
    ("symbolic", "2^{n+1}", "2^n + 1", False),
    ("numbers", "7", "\\boxed{7}", True),
    ("tuples", "(1,2),(3,4)", "(3,4),(1,2)", True),
    ("tuples", "\\{(1,2), (3,4)\\}", "(1,2), (3,4)", True),
    ("tuples", "(1,2),(3,4)", "(1,2),(4,3)", False),
]
for category, p, g, label in more:
    add(category, p, g, label)

# A batch written without running the verifier on it (its first-run accuracy is reported
# in docs/envs/math.md).
blind = [
    ("latex", "\\frac{5}{\\sqrt{2}}", "\\frac{5\\sqrt{2}}{2}", True),
    ("latex", "\\sqrt{2}+\\sqrt{3}", "\\sqrt{5+2\\sqrt{6}}", True),
    ("latex", "\\frac{1}{2+\\sqrt{3}}", "2-\\sqrt{3}", True),
    ("latex", "4\\sqrt{2}", "\\sqrt{32}", True),
    ("latex", "4\\sqrt{2}", "\\sqrt{16}", False),
    ("numbers", "3^{4}", "81", True),
    ("numbers", "(-2)^3", "-8", True),
    ("numbers", "-2^2", "4", False),
    ("numbers", "-2^2", "-4", True),
    ("latex", "\\frac{22}{7}", "\\pi", False),
    ("fractions", "1.5", "\\frac{3}{2}", True),
    ("numbers", "150\\%", "1.5", True),
    ("numbers", "0.05", "5\\%", True),
    ("numbers", "1/4", "25\\%", True),
    ("units", "\\$5.00", "5", True),
    ("symbolic", "x^2-5x+6", "(x-2)(x-3)", True),
    ("symbolic", "x^2-5x+6", "(x+2)(x+3)", False),
    ("symbolic", "\\frac{2x}{x^2-1}", "\\frac{1}{x-1}+\\frac{1}{x+1}", True),
    ("symbolic", "\\sin(\\pi - x)", "\\sin x", True),
    ("symbolic", "\\cos(x + \\pi)", "-\\cos x", True),
    ("symbolic", "\\sec^2 x - \\tan^2 x", "1", True),
    ("tuples", "(2, -1, 3)", "\\langle 2, -1, 3 \\rangle", True),
    ("tuples", "(0, 0)", "(0,0)", True),
    ("intervals", "\\left[-\\frac{1}{2}, 3\\right]", "[-0.5, 3]", True),
    ("intervals", "[-0.5, 3]", "(-0.5, 3]", False),
    ("inequalities", "(-\\infty, -3] \\cup [3, \\infty)", "|x| \\ge 3", True),
    ("multiple", "\\{-3, 3\\}", "\\pm 3", True),
    ("multiple", "x = \\pm 3", "3, -3", True),
    ("multiple", "x = 3, -3", "\\pm 3", True),
    ("degrees", "\\frac{\\pi}{2}", "90^\\circ", True),
    ("degrees", "2\\pi", "360^\\circ", True),
    ("text", "\\text{B}", "B", True),
    ("text", "(E)", "E", True),
    ("text", "\\text{No}", "no", True),
    (
        "matrices",
        "\\begin{pmatrix} -1 & 2 \\\\ 0 & 1 \\end{pmatrix}",
        "\\begin{bmatrix} -1 & 2 \\\\ 0 & 1 \\end{bmatrix}",
        True,
    ),
    (
        "matrices",
        "\\begin{pmatrix} 1/2 \\\\ 1/3 \\end{pmatrix}",
        "\\begin{pmatrix} \\frac12 \\\\ \\frac13 \\end{pmatrix}",
        True,
    ),
    ("equations", "y = -2x + 5", "2x + y - 5 = 0", True),
    ("equations", "y = -2x + 5", "2x - y + 5 = 0", False),
    ("equations", "x^2 + y^2 = 25", "y^2 = 25 - x^2", True),
    ("complex", "3 + 2i", "(3, 2)", False),
    ("complex", "\\frac{3-4i}{5}", "\\frac{1}{3+4i}", False),
    ("complex", "\\frac{3-4i}{25}", "\\frac{1}{3+4i}", True),
    ("complex", "i\\sqrt{2}", "\\sqrt{-2}", True),
    ("latex", "10!", "3628800", True),
    ("latex", "\\binom{10}{3}", "120", True),
    ("latex", "\\dbinom{6}{2}", "15", True),
    ("numbers", "2^{10} - 1", "1023", True),
    ("numbers", "1023", "1024", False),
    ("multiple", "5 \\text{ and } 7", "7, 5", True),
    ("multiple", "5 \\text{ or } 7", "5", False),
    ("multiple", "\\frac{1}{2}, \\frac{1}{3}", "\\frac13, \\frac12", True),
    ("tuples", "(1, 2) \\text{ and } (3, 4)", "(3,4), (1,2)", True),
    ("units", "3\\text{ units}^2", "3", True),
    ("units", "12\\text{ sq ft}", "12", True),
    ("numbers", "2.50", "2.5", True),
    ("numbers", "0.1", "0.10", True),
    ("numbers", "6.02 \\times 10^{23}", "6.02e23", True),
    ("numbers", "6.02 \\times 10^{23}", "6.02 \\times 10^{22}", False),
    ("symbolic", "\\frac{a}{b}", "a/b", True),
    ("symbolic", "\\frac{a}{b}", "b/a", False),
    ("symbolic", "a^{-1}", "\\frac{1}{a}", True),
    ("symbolic", "x^{2/3}", "\\sqrt[3]{x^2}", True),
    ("latex", "\\sqrt[3]{-8}", "-2", True),
    ("latex", "\\left| -3 \\right|", "3", True),
    ("latex", "\\lceil 2.1 \\rceil", "3", True),
    ("numbers", "2 \\times 3 + 1", "7", True),
]
for category, p, g, label in blind:
    add(category, p, g, label)

# A second blind batch, mostly of near misses.
blind2 = [
    ("inequalities", "x^2 < 4", "(-2, 2)", True),
    ("inequalities", "x^2 < 4", "[-2, 2]", False),
    ("inequalities", "x^2 > 4", "(-2, 2)", False),
    ("inequalities", "|x - 1| < 2", "(-1, 3)", True),
    ("inequalities", "|x - 1| < 2", "(-1, 3]", False),
    ("inequalities", "x \\ge 0", "x > 0", False),
    ("sets", "\\{0, 1\\}", "\\{0, 1, 2\\}", False),
    ("sets", "\\{\\frac12\\}", "\\{0.5\\}", True),
    ("sets", "\\{1, 2\\}", "\\{1\\}", False),
    ("symbolic", "x^2 + 2x", "x(x + 2)", True),
    ("symbolic", "x^2 + 2x", "x^2 + 2", False),
    ("symbolic", "\\frac{x}{2}", "2x", False),
    ("symbolic", "\\sqrt{x+1}", "\\sqrt{x}+1", False),
    ("symbolic", "(x-1)^3", "x^3 - 1", False),
    ("symbolic", "\\sin x \\cos x", "\\frac{1}{2}\\sin 2x", True),
    ("complex", "1 + i", "1 - i", False),
    ("complex", "i", "-i", False),
    ("complex", "\\sqrt{-4}", "2i", True),
    ("complex", "\\sqrt{-4}", "-2i", False),
    ("text", "\\text{yes}", "\\text{no}", False),
    ("text", "C", "\\text{(D)}", False),
    ("text", "\\text{odd}", "\\text{even}", False),
    ("numbers", "0.5", "5", False),
    ("numbers", "1,001", "1001", True),
    ("numbers", "1,001", "1.001", False),
    ("numbers", "-0.5", "0.5", False),
    ("fractions", "\\frac{3}{8}", "\\frac{8}{3}", False),
    ("fractions", "\\frac{3}{8}", "0.375", True),
    ("fractions", "1\\frac{1}{4}", "\\frac{1}{4}", False),
    ("tuples", "(1, -1)", "(-1, 1)", False),
    ("tuples", "(\\frac{1}{2}, \\frac{\\sqrt{3}}{2})", "(0.5, \\frac{\\sqrt3}{2})", True),
    (
        "matrices",
        "\\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}",
        "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}",
        False,
    ),
    ("equations", "y = x", "y = -x", False),
    ("equations", "x = 4", "x = 2", False),
    ("degrees", "90^\\circ", "\\frac{\\pi}{4}", False),
    ("units", "5 \\text{ km}", "500", False),
    ("intervals", "(-\\infty, 2]", "[2, \\infty)", False),
    ("multiple", "1, 2, 3", "1, 2", False),
    ("multiple", "-1, 1", "\\pm 1", True),
]
for category, p, g, label in blind2:
    add(category, p, g, label)


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_eq = sum(r["equivalent"] for r in records)
    print(f"wrote {len(records)} pairs ({n_eq} equivalent) to {OUT}")


if __name__ == "__main__":
    main()
