r"""Parse an answer written in LaTeX or plain text into a small expression tree.

Why our own parser rather than sympy's ``parse_latex`` or ``parse_expr``: answers are short,
so a hand-written tokenizer and recursive-descent parser is ~50x faster than building sympy
objects; it never calls ``eval`` (``parse_expr`` does, which is unsafe on model output); it
understands answer conventions sympy's parsers do not (mixed numbers ``2\frac{1}{2}``,
thousands separators, ``\pm``, units and ``\text{}``, degrees, percentages, intervals versus
points, matrices, relation chains); and it bounds the work (input length, nesting depth and
node count) before anything is evaluated. sympy is still used downstream for the algebra.

The tree is made of tuples whose first item is a tag:

=================================  =========================================================
``("num", Fraction, text)``        a literal number and how it was written
``("sym", name)``                  a variable (``x``, ``x_1``, ``\alpha``)
``("const", name)``                ``pi``, ``E``, ``I`` or ``oo``
``("neg", a)``                     ``-a``
``("add"|"sub"|"mul"|"div"|"pow", a, b)``
``("pm", a, b)``                   ``a \pm b`` (``a`` is None for a leading ``\pm``)
``("fn", name, args)``             ``sqrt``, ``root``, ``sin``.., ``ln``, ``log``, ``abs``, ..
``("apply", name, arg)``           ``f(x)``: an unknown function applied (``f``, ``g``, ``h``)
``("fact", a)``, ``("pct", a)``, ``("deg", a)``   ``a!``, ``a\%``, ``a^\circ``
``("tuple", items, open, close)``  a bracketed sequence (point, vector or interval)
``("set", items)``, ``("list", items)``, ``("union", parts)``, ``("matrix", rows)``
``("rel", ops, exprs)``            ``a = b``, ``a < b \le c``, ``x \in S``
``("text", words)``, ``("empty",)``, ``("reals",)``
=================================  =========================================================
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from agentgym.environments.math.lexicon import (
    MAX_DEPTH,
    MAX_INPUT_CHARS,
    MAX_NODES,
    Node,
    ParseError,
)
from agentgym.environments.math.tokenizer import (
    read_group,
    tokenize,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_INPUT_CHARS",
    "MAX_NODES",
    "Node",
    "ParseError",
    "parse_answer",
    "read_group",
    "tokenize",
]

# --- parser --------------------------------------------------------------------------------

_FUNCTION_NAMES = frozenset("fgh")
_FILLER_WORDS = frozenset(
    """the answer is final so thus therefore hence result we get have it equals which
    approximately about solution total value""".split()
)
_PRIMARY_START = {"NUM", "SYM", "CONST", "FUNC", "FRAC", "SQRT", "BINOM", "OPEN", "LBRACE", "BEGIN"}
_CLOSERS = {"(": (")", "]"), "[": ("]", ")"), "{": ("}",), "floor": ("floor",), "ceil": ("ceil",)}


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]):
        self.toks = tokens
        self.pos = 0
        self.depth = 0
        self.nodes = 0
        self.abs_depth = 0

    # helpers
    def peek(self, k: int = 0) -> tuple[str, Any]:
        j = self.pos + k
        return self.toks[j] if j < len(self.toks) else ("EOF", None)

    def take(self) -> tuple[str, Any]:
        tok = self.peek()
        self.pos += 1
        return tok

    def expect(self, kind: str, value: Any = None) -> None:
        tok = self.take()
        if tok[0] != kind or (value is not None and tok[1] != value):
            raise ParseError(f"expected {value or kind}, found {tok[1] or tok[0]}")

    def node(self, *items: Any) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ParseError(f"answer too complex (more than {MAX_NODES} nodes)")
        return tuple(items)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"answer nested too deeply (more than {MAX_DEPTH} levels)")

    def leave(self) -> None:
        self.depth -= 1

    # grammar
    def answer(self) -> Node:
        start = self.pos
        while self.peek()[0] in ("WORD", "UNIT") and set(self.peek()[1].split()) <= _FILLER_WORDS:
            self.take()
        if self.peek()[0] in ("EOF", "WORD"):
            self.pos = start
        items = self.items(top=True)
        if self.peek()[0] != "EOF":
            tok = self.peek()
            raise ParseError(f"unexpected {tok[1] or tok[0]}")
        if len(items) == 1:
            return items[0]
        return self.node("list", tuple(items))

    def items(self, top: bool = False) -> list[Node]:
        out: list[Node] = []
        while True:
            while self.peek()[0] in ("SEP", "COMMA") and (top or self.peek()[0] == "COMMA"):
                self.take()
                if not top:
                    break
            if self.peek()[0] in ("EOF", "CLOSE", "RBRACE", "END", "AMP", "ROWSEP"):
                break
            out.append(self.relation())
            # Words after a quantity are units or filler ("12 bananas", "5 per box").
            while self.peek()[0] in ("UNIT", "WORD"):
                self.take()
            if self.peek()[0] == "COMMA" or (top and self.peek()[0] == "SEP"):
                self.take()
                continue
            break
        return out

    def relation(self) -> Node:
        first = self.union()
        ops, exprs = [], [first]
        while self.peek()[0] == "REL":
            ops.append(self.take()[1])
            exprs.append(self.union())
        if not ops:
            return first
        return self.node("rel", tuple(ops), tuple(exprs))

    def union(self) -> Node:
        first = self.expr()
        if self.peek()[0] != "CUP":
            return first
        parts = [first]
        while self.peek()[0] == "CUP":
            self.take()
            parts.append(self.expr())
        return self.node("union", tuple(parts))

    def expr(self) -> Node:
        self.enter()
        if self.peek()[0] in ("PM", "MP"):
            self.take()
            left: Node | None = self.node("pm", None, self.term())
        else:
            left = self.term()
        while True:
            kind, value = self.peek()
            if kind == "OP" and value in ("+", "-"):
                self.take()
                left = self.node("add" if value == "+" else "sub", left, self.term())
            elif kind in ("PM", "MP"):
                self.take()
                left = self.node("pm", left, self.term())
            else:
                break
        self.leave()
        assert left is not None
        return left

    def term(self) -> Node:
        left = self.unary()
        while True:
            kind, value = self.peek()
            if kind == "OP" and value in ("*", "/"):
                self.take()
                left = self.node("mul" if value == "*" else "div", left, self.unary())
            elif kind == "OP" and value == "choose":
                self.take()
                left = self.node("fn", "binom", (left, self.unary()))
            elif self.starts_primary():
                if left[0] == "sym" and left[1] in _FUNCTION_NAMES and self.peek() == ("OPEN", "("):
                    # f(x): a function applied to its argument, not a product.
                    left = self.node("apply", left[1], self.primary())
                    continue
                left = self.implicit(left, self.power())
            else:
                return left

    def implicit(self, left: Node, right: Node) -> Node:
        # 2\frac{1}{2} is the mixed number 5/2 (positive integer, proper fraction of integers).
        if (
            left[0] == "num"
            and right[0] == "div"
            and len(right) == 4
            and right[1][0] == "num"
            and right[2][0] == "num"
            and left[1].denominator == 1
            and "." not in left[2]
            and right[1][1].denominator == 1
            and right[2][1].denominator == 1
            and 0 < right[1][1] < right[2][1]
        ):
            return self.node("add", left, right)
        return self.node("mul", left, right)

    def starts_primary(self) -> bool:
        kind, value = self.peek()
        if kind == "BAR":
            return self.abs_depth == 0
        if kind == "OPEN" and value in ("floor", "ceil"):
            return True
        return kind in _PRIMARY_START

    def unary(self) -> Node:
        kind, value = self.peek()
        if kind == "OP" and value in ("-", "+"):
            self.take()
            self.enter()
            operand = self.unary()
            self.leave()
            return self.node("neg", operand) if value == "-" else operand
        if kind in ("PM", "MP"):
            self.take()
            return self.node("pm", None, self.unary())
        return self.power()

    def power(self) -> Node:
        base = self.postfix(self.primary())
        if self.peek() == ("OP", "^"):
            self.take()
            if self.peek()[0] == "DEG":
                self.take()
                self.skip_temperature_unit()
                return self.postfix(self.node("deg", base))
            self.enter()
            if self.peek()[0] == "LBRACE":
                exponent = self.group()
                if exponent[0] == "deg" and exponent[1] is None:
                    self.skip_temperature_unit()
                    return self.postfix(self.node("deg", base))
            else:
                exponent = self.unary_power()
            self.leave()
            return self.postfix(self.node("pow", base, exponent))
        return base

    def skip_temperature_unit(self) -> None:
        r"""Drop the C or F of ``25^\circ C`` (a unit, not a variable)."""
        kind, value = self.peek()
        if (kind == "SYM" and value in ("C", "F")) or (kind == "UNIT" and value in ("c", "f")):
            if self.peek(1)[0] in ("EOF", "COMMA", "SEP", "CLOSE", "RBRACE"):
                self.take()

    def unary_power(self) -> Node:
        kind, value = self.peek()
        if kind == "OP" and value == "-":
            self.take()
            return self.node("neg", self.unary_power())
        return self.power()

    def postfix(self, node: Node) -> Node:
        while True:
            kind, value = self.peek()
            if kind == "OP" and value == "!":
                self.take()
                node = self.node("fact", node)
            elif kind == "PCT":
                self.take()
                node = self.node("pct", node)
            elif kind == "DEG":
                self.take()
                node = self.node("deg", node)
                self.skip_temperature_unit()
            elif kind == "OP" and value == "_" and node[0] == "sym":
                self.take()
                sub = self.take()
                if sub[0] == "LBRACE":
                    parts = []
                    while self.peek()[0] not in ("RBRACE", "EOF"):
                        parts.append(str(self.take()[1]))
                    self.expect("RBRACE")
                    label = "".join(p if not isinstance(p, tuple) else str(p) for p in parts)
                else:
                    label = sub[1][1] if sub[0] == "NUM" else str(sub[1])
                node = self.node("sym", f"{node[1]}_{label}")
            else:
                return node

    def group(self) -> Node:
        """A ``{...}`` LaTeX group, or a single primary when there are no braces."""
        if self.peek()[0] == "LBRACE":
            self.take()
            if self.peek()[0] == "DEG":
                self.take()
                self.expect("RBRACE")
                return ("deg", None)
            self.enter()
            items = self.items()
            self.leave()
            self.expect("RBRACE")
            if len(items) != 1:
                return self.node("set", tuple(items)) if items else ("empty",)
            return items[0]
        return self.postfix(self.primary())

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "NUM":
            return self.node("num", value[0], value[1])
        if kind == "SYM":
            return self.node("sym", value)
        if kind == "CONST":
            return self.node("const", value)
        if kind == "EMPTY":
            return self.node("empty")
        if kind == "REALS":
            return self.node("reals")
        if kind == "WORD":
            words = [value]
            while self.peek()[0] in ("WORD", "UNIT"):
                words.append(self.take()[1])
            return self.node("text", " ".join(words))
        if kind == "FRAC":
            self.enter()
            num = self.group()
            den = self.group()
            self.leave()
            # The 4th item marks a LaTeX fraction (2\frac{1}{2} reads as a mixed number).
            return self.node("div", num, den, "frac")
        if kind == "BINOM":
            n = self.group()
            k = self.group()
            return self.node("fn", "binom", (n, k))
        if kind == "SQRT":
            index = None
            if self.peek()[0] == "ROOTIDX":
                index = parse_expression_text(self.take()[1])
            if self.peek()[0] == "OPEN" and self.peek()[1] == "(":
                arg = self.primary()
            else:
                arg = self.group()
            if index is None:
                return self.node("fn", "sqrt", (arg,))
            return self.node("fn", "root", (arg, index))
        if kind == "FUNC":
            return self.function(value)
        if kind == "LBRACE":
            self.pos -= 1
            inner = self.group()
            return inner
        if kind == "BAR":
            self.abs_depth += 1
            self.enter()
            inner = self.expr()
            self.leave()
            self.abs_depth -= 1
            self.expect("BAR")
            return self.node("fn", "abs", (inner,))
        if kind == "OPEN":
            return self.bracketed(value)
        if kind == "BEGIN":
            return self.matrix()
        if kind == "EOF":
            raise ParseError("incomplete expression")
        raise ParseError(f"unexpected {value if value is not None else kind}")

    def function(self, name: str) -> Node:
        exponent = None
        base = None
        for _ in range(2):
            if self.peek() == ("OP", "^") and exponent is None:
                self.take()
                exponent = self.group()
            elif self.peek() == ("OP", "_") and base is None and name == "log":
                self.take()
                base = self.group()
        if self.peek()[0] == "OPEN" and self.peek()[1] == "(":
            arg = self.primary()
        elif self.peek()[0] == "LBRACE":
            arg = self.group()
        else:
            # \sin 2x: the argument runs to the next + or -.
            self.enter()
            arg = self.power()
            while self.starts_primary() and self.peek()[0] != "FUNC":
                arg = self.node("mul", arg, self.power())
            self.leave()
        if arg[0] == "tuple":
            raise ParseError(f"{name} takes one argument")
        out = self.node("fn", name, (arg,) if base is None else (arg, base))
        if exponent is not None:
            if exponent[0] == "neg" and exponent[1] == ("num", Fraction(1), "1"):
                if name not in ("sin", "cos", "tan"):
                    raise ParseError(f"inverse function notation {name}^{{-1}} is not supported")
                # \cos^{-1} x is arccos x, not 1 / cos x.
                return self.node("fn", "arc" + name, (arg,))
            out = self.node("pow", out, exponent)
        return out

    def bracketed(self, opener: str) -> Node:
        if opener == "{" and self.peek()[0] == "SYM" and self.peek(1)[0] in ("BAR", "COLON"):
            # Set-builder notation {x | x > 2}: the set is the condition's solution set.
            self.take()
            self.take()
            self.enter()
            condition = self.relation()
            self.leave()
            self.expect("CLOSE", "}")
            return condition
        self.enter()
        items = self.items()
        self.leave()
        kind, closer = self.take()
        if kind != "CLOSE" or closer not in _CLOSERS[opener]:
            raise ParseError(f"unbalanced brackets: {opener} closed by {closer or kind}")
        if opener in ("floor", "ceil"):
            if len(items) != 1:
                raise ParseError(f"\\l{opener} needs one expression")
            return self.node("fn", opener, (items[0],))
        if opener == "{":
            return self.node("set", tuple(items)) if items else self.node("empty")
        if not items:
            raise ParseError("empty brackets")
        if len(items) == 1 and closer == {"(": ")", "[": "]"}[opener]:
            return items[0]
        return self.node("tuple", tuple(items), opener, closer)

    def matrix(self) -> Node:
        rows: list[tuple[Node, ...]] = []
        row: list[Node] = []
        while True:
            kind, _ = self.peek()
            if kind == "END":
                self.take()
                break
            if kind == "EOF":
                raise ParseError("unclosed matrix environment")
            if kind == "AMP":
                self.take()
                continue
            if kind == "ROWSEP":
                self.take()
                if row:
                    rows.append(tuple(row))
                row = []
                continue
            self.enter()
            row.append(self.relation())
            self.leave()
        if row:
            rows.append(tuple(row))
        if not rows or len({len(r) for r in rows}) != 1:
            raise ParseError("matrix rows have different lengths")
        return self.node("matrix", tuple(rows))


def parse_expression_text(text: str) -> Node:
    r"""Parse a single expression (used for ``\sqrt[n]`` indices)."""
    node = parse_answer(text)
    if node[0] in ("list", "rel", "set", "tuple"):
        raise ParseError("expected one expression")
    return node


_REPEATING = re.compile(r"(\d*)\.(\d*)\\overline\s*\{(\d{1,50})\}")


def _repeating_fraction(m: re.Match[str]) -> str:
    r"""``0.1\overline{6}`` -> ``{\frac{1}{6}}``: a repeating decimal as an exact fraction."""
    whole, fixed, period = m.group(1) or "0", m.group(2), m.group(3)
    value = Fraction(int(whole)) + Fraction(int(fixed or "0"), 10 ** len(fixed))
    value += Fraction(int(period), 10 ** len(fixed) * (10 ** len(period) - 1))
    return f"{{\\frac{{{value.numerator}}}{{{value.denominator}}}}}"


_MIXED_PLAIN = re.compile(r"^\s*(-?)(\d+)\s+(\d+)\s*/\s*(\d+)\s*$")
_THIN_THOUSANDS = re.compile(r"(?<=\d)(?:\\,|\{,\}|\\ |\\!)(?=\d{3}(?!\d))")


def parse_answer(text: str) -> Node:
    """Parse answer text (LaTeX or plain) into a tree.

    Raises:
        ParseError: If the text is empty, too long, too deep, too large or unreadable.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(f"answer too long ({len(text)} characters; limit {MAX_INPUT_CHARS})")
    text = text.strip()
    if not text:
        raise ParseError("empty answer")
    text = _THIN_THOUSANDS.sub("", text)
    text = _REPEATING.sub(_repeating_fraction, text)
    m = _MIXED_PLAIN.match(text)
    if m and 0 < int(m.group(3)) < int(m.group(4)):
        value = int(m.group(2)) + Fraction(int(m.group(3)), int(m.group(4)))
        value = -value if m.group(1) else value
        return ("num", value, text)
    tokens = tokenize(text)
    if not tokens:
        raise ParseError("empty answer")
    return _Parser(tokens).answer()
