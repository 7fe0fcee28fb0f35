"""Structures: sets, lists, tuples, intervals, matrices, relations, compared part by part.

Entries are compared with :func:`compare` again, down to the scalars of :mod:`.scalars`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from agentgym.environments.math.budget import can_interrupt
from agentgym.environments.math.numeric import (
    NotNumeric,
    free_symbols,
)
from agentgym.environments.math.parser import Node
from agentgym.environments.math.scalars import (
    compare_expressions,
    compare_scalars,
    is_expression,
    proportional,
)

MAX_ITEMS = 32


_SET_LIKE = ("set", "list")


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


def compare(p: Node, g: Node) -> tuple[bool, str]:
    """Compare a parsed prediction with a parsed gold; return (equivalent, reason)."""
    if _is_equation(p) and _is_equation(g):
        if p[2][0] == g[2][0] and _is_unknown(g[2][0]):
            return compare(p[2][1], g[2][1])
        return _compare_equations(p, g)
    p, g = answer_part(p), answer_part(g)
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
    return compare_scalars(p, g)


def answer_part(node: Node) -> Node:
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
    if b[0] == "matrix" and is_expression(a):
        return ("matrix", tuple(tuple(("mul", a, e) for e in row) for row in b[1]))
    if a[0] == "matrix" and is_expression(b):
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
            if compare(p, g)[0]:
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
        ok, reason = compare(a, b)
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
            if not used[j] and a[0] == b[0] and compare(a, b)[0]:
                used[j] = True
                break
        else:
            return False, "a piece of the union differs"
    return True, "same union"


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
            return compare(p, gi)
        if gi is None and _is_inequality(g) and p[0] in ("tuple", "union"):
            return _compare_solution_sets(p, g)
        return False, "a value where a relation is expected"
    pi = _relation_as_interval(p)
    if pi is not None and g[0] in ("tuple", "union"):
        return compare(pi, g)
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
    if compare_expressions(pl, gl)[0] and compare_expressions(pr, gr)[0]:
        return True, "same equation"
    if compare_expressions(pl, gr)[0] and compare_expressions(pr, gl)[0]:
        return True, "same equation (sides swapped)"
    f, h = ("sub", pl, pr), ("sub", gl, gr)
    ok = proportional(f, h)
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
        if not compare(a, b)[0]:
            return False, "different sides"
    return True, "same relation"
