r"""Normalise an answer's text before it is parsed.

Numbers and relations are rewritten as people write them, and labelled answers are read
against bare values.

Each rule looks at the gold answer's shape, because the same text means different things
against different golds: ``1,22`` is a decimal comma against ``1.22`` and a pair against
``(1, 22)``; ``x = 3`` is the value 3 against ``3`` and an equation against ``x = 3``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["normalise", "split_top", "strip_labels", "top_relation"]

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPER_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUB_RUN = re.compile(r"[₀₁₂₃₄₅₆₇₈₉]+")
_UNICODE = {
    "−": "-",
    "–": "-",
    "×": r"\times ",
    "÷": r"\div ",
    "·": r"\cdot ",
    "√": r"\sqrt",
    "π": r"\pi ",
    "∞": r"\infty ",
    "≤": r"\le ",
    "≥": r"\ge ",
    "≠": r"\ne ",
    "∈": r"\in ",
    "∪": r"\cup ",
    "∩": r"\cap ",
    "°": r"^\circ",
    "，": ",",
}
_SPACING = re.compile(r"(?<!\\)\\[,;: ]|~|\\q?quad|\\enspace\b|\\thinspace\b")
_RELATION_WORDS = [
    (re.compile(r"\\lt\b"), "<"),
    (re.compile(r"\\gt\b"), ">"),
    (re.compile(r"\\leqslant\b|\\leq\b|<="), r"\\le "),
    (re.compile(r"\\geqslant\b|\\geq\b|>="), r"\\ge "),
    (re.compile(r"\\neq\b|!="), r"\\ne "),
]
_EULER = re.compile(r"\\(?:text|mathrm|operatorname|mathit)\s*\{\s*e\s*\}")
_PERCENT_WORD = re.compile(r"(\d)\s*(?:pct|percent|per\s*cent)\b\.?", re.IGNORECASE)
_PY_IMAGINARY = re.compile(r"((?<![A-Za-z\d.])\d+(?:\.\d+)?|\))j\b")
# sympy prints inverse trig functions as asin, acos, atan...
_SYMPY_INVERSE = re.compile(r"(?<![\\A-Za-z])a(sin|cos|tan|sec|csc|cot)(?=\s*\()")
_NESTED = re.compile(r"^(?:Matrix\s*\(\s*)?\[\s*(\[.*\])\s*\]\s*\)?$", re.DOTALL)
_CURRENCY = re.compile(r"\\\$|\$|€|£|¥|\\euro\b|\b(?:USD|EUR|GBP|dollars?|euros?|cents?)\b")
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:,\d{3})+)(?![\d,]|\.\d*,)")
_SPACE_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?: \d{3})+)(?![\d.]| \d)")
_DECIMAL_COMMA = re.compile(r"^(-?\d+),(\d+)$")
# A unit after a number: \text{cm}, a word of two letters or more (not i or e), m^2.
_UNIT_TAIL = re.compile(
    r"^(-?[\d.]+(?:\\%)?)\s*(?:\\(?:text|mathrm|mbox)\s*\{[^{}]{1,20}\}"
    r"|[A-Za-z]{2,12}(?:\^\{?[23]\}?)?(?:\s*/\s*[A-Za-z]{1,6})?|m\^\{?[23]\}?)\.?$"
)
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def split_top(text: str, seps: tuple[str, ...]) -> list[str]:
    """Split ``text`` at the separators that are outside all brackets and braces."""
    parts, depth, start, i, n = [], 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "{}":
            depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            for sep in seps:
                if text.startswith(sep, i):
                    parts.append(text[start:i])
                    i += len(sep)
                    start = i
                    break
            else:
                i += 1
                continue
            continue
        i += 1
    parts.append(text[start:])
    return parts


def top_relation(text: str) -> bool:
    r"""Whether ``text`` has a relation (=, <, \\le, \\in, ...) outside all brackets."""
    return len(split_top(text, ("=", "<", ">", "\\le", "\\ge", "\\ne", "\\in "))) > 1


def _nested_lists_as_matrix(text: str) -> str:
    """``[[1, 2], [3, 4]]`` (or sympy's ``Matrix([[...]])``) as a ``pmatrix``."""
    m = _NESTED.match(text.strip())
    if not m:
        return text
    rows = re.findall(r"\[([^\[\]]*)\]", m.group(1))
    cells = [split_top(r, (",",)) for r in rows]
    if len(cells) < 1 or len({len(c) for c in cells}) != 1:
        return text
    body = r" \\ ".join(" & ".join(c.strip() for c in row) for row in cells)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def _drop_thousands(text: str) -> str:
    return _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)


def _outside_brackets(text: str, fn: Any) -> str:
    """Apply ``fn`` to the parts of ``text`` outside parentheses and square brackets."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([":
            if depth == 0:
                out.append(fn(text[start:i]))
                start = i
            depth += 1
        elif c in ")]" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(text[start : i + 1])
                start = i + 1
    out.append(fn(text[start:]) if depth == 0 else text[start:])
    return "".join(out)


def _semicolons_in_brackets(text: str) -> str:
    """``(0;-2;6)`` is the tuple ``(0,-2,6)``: semicolons inside brackets separate entries."""
    if ";" not in text:
        return text
    out, depth = [], 0
    for c in text:
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        out.append("," if c == ";" and depth > 0 else c)
    return "".join(out)


def _superscript(m: re.Match[str]) -> str:
    return "^{" + m.group(0).translate(_SUPERSCRIPTS) + "}"


def _subscript(m: re.Match[str]) -> str:
    return "_{" + m.group(0).translate(_SUBSCRIPTS) + "}"


def normalise(text: str, gold: str | None = None) -> str:
    """Rewrite ``text`` into the notation the parser reads, judged against ``gold``'s shape.

    ``gold=None`` normalises the gold itself (only the rules that need no other side).
    """
    text = _SUPER_RUN.sub(_superscript, text)
    text = _SUB_RUN.sub(_subscript, text)
    for k, v in _UNICODE.items():
        if k in text:
            text = text.replace(k, v)
    # "16,\!386" is one number (TeX's negative space glues the groups), "32, 349" is two.
    text = re.sub(r",\\!\s*", ",", text).replace("\\!", "").replace("{,}", ",")
    if "\\begin" not in text:
        # Doubly escaped LaTeX (``\\frac`` in a JSON-escaped answer) is ordinary LaTeX.
        text = re.sub(r"\\\\(?=[A-Za-z{}()\[\]])", r"\\", text)
    text = re.sub(r"\s*\\text\s*\{\s*(?:and|or)\s*\}\s*", ", ", text)
    text = _semicolons_in_brackets(text)
    text = _SPACING.sub(" ", text)
    for pattern, repl in _RELATION_WORDS:
        text = pattern.sub(repl, text)
    text = _EULER.sub("e", text)
    text = _PERCENT_WORD.sub(r"\1\\%", text)
    text = _PY_IMAGINARY.sub(r"\1i", text)
    text = _SYMPY_INVERSE.sub(r"\\arc\1", text)
    text = re.sub(r"_([A-Za-z0-9])", r"_{\1}", text)  # x_1 is x_{1}
    text = _nested_lists_as_matrix(text)
    text = re.sub(r"\s+", " ", text).strip()
    if gold is None:
        return text
    gold_list = len(split_top(gold, (",", ";"))) > 1
    if re.search(r"\d", text) and not re.search(r"\\?\$\s*[A-Za-z\\]", text):
        text = _CURRENCY.sub("", text).strip()
    if not gold_list:
        text = _outside_brackets(text, _drop_thousands)
        if " " not in gold:
            text = _SPACE_THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), text)
        text = _DECIMAL_COMMA.sub(r"\1.\2", text.strip())
    if (
        re.search(r"(?<![A-Za-z\\])E(?![A-Za-z])", text)
        and re.search(r"(?<![A-Za-z\\])e(?![A-Za-z])", gold)
        and "E" not in gold
    ):
        text = re.sub(r"(?<![A-Za-z\\])E(?![A-Za-z])", "e", text)
    gold_plain = re.sub(r"\\%|%", "", gold).strip()
    if _NUMBER.match(gold_plain):
        m = _UNIT_TAIL.match(text)
        if m:
            text = m.group(1)
    return text.strip()


# A name for a quantity: x, x_1, AB, |AB|, f(0), \frac{NO}{BO}, S_{MBCN}:S, \angle A.
_NAME = (
    r"(?:\|[A-Za-z]{1,4}\||\\angle\s?[A-Za-z]{1,3}|\\frac\{[A-Za-z]{1,4}\}\{[A-Za-z]{1,4}\}"
    r"|[A-Za-z]{1,4}(?:_\{?[A-Za-z0-9]{1,5}\}?)?(?:\([A-Za-z0-9]{1,3}\))?)"
)
_LABEL = re.compile(rf"^\s*{_NAME}(?:\s*:\s*{_NAME})*\s*$")
_BETWEEN = re.compile(rf"^([^<>=]+?)\s*(<|\\le)\s*{_NAME}\s*(<|\\le)\s*([^<>=]+)$")
_ITEM_SEPS = (",", ";", "\\text{ and }", "\\text{and}", " and ")


def _is_label(text: str) -> bool:
    return bool(_LABEL.match(text))


def _value_of(item: str) -> str | None:
    """The value of ``NAME = value`` (or of a chain ``a = b = value``), else None."""
    sides = split_top(item, ("=",))
    if len(sides) < 2 or not sides[-1].strip():
        return None
    if len({re.sub(r"\s+", "", side) for side in sides}) == 1:
        return None  # "5 = 5" restates a value; it computes nothing
    if _is_label(sides[0]) or len(sides) > 2 or not re.search(r"[A-Za-z]", sides[0]):
        return sides[-1].strip()
    return None


def strip_labels(answer: str, other: str) -> str:
    r"""Drop labels and ``=``-chains from ``answer`` where ``other`` is bare.

    ``|AB| = 1`` against ``1`` reads ``1``; ``AB=4, CD=5`` against ``4, 5`` reads ``4, 5``;
    ``p=5,q=2; p=7,q=2`` against ``(5,2),(7,2)`` reads ``(5, 2), (7, 2)``; ``5 \\times 6 = 30``
    against ``30`` reads ``30``. Nothing changes when ``other`` is itself a relation.
    """
    if top_relation(other):
        return answer
    m = _BETWEEN.match(answer)
    if m:
        # 0 < f(x) < 1 is the interval (0, 1).
        left = "[" if m.group(2) == "\\le" else "("
        right = "]" if m.group(3) == "\\le" else ")"
        return f"{left}{m.group(1).strip()}, {m.group(4).strip()}{right}"
    groups = split_top(answer, (";",))
    if len(groups) > 1 and all(len(split_top(g, (",",))) > 1 for g in groups):
        values = [[_value_of(i) for i in split_top(g, (",",))] for g in groups]
        if all(v is not None for vs in values for v in vs):
            return ", ".join("(" + ", ".join(vs) + ")" for vs in values)  # type: ignore[arg-type]
    items = split_top(answer, _ITEM_SEPS)
    values = [_value_of(i) for i in items]
    if any(v is not None for v in values):
        return ", ".join(
            v if v is not None else i.strip() for v, i in zip(values, items, strict=True)
        )
    return answer
