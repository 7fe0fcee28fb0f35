"""The answer language's vocabulary: limits, the tree's node type, commands, words, units.

Shared by :mod:`.tokenizer` and :mod:`.parser`.
"""

from __future__ import annotations

import re
from typing import Any

MAX_INPUT_CHARS = 2_000
MAX_DEPTH = 60
MAX_NODES = 1_500
MAX_NUMBER_DIGITS = 400

Node = tuple[Any, ...]


class ParseError(ValueError):
    """The text is not an answer we can read (the message says why)."""


# --- tokenizer -----------------------------------------------------------------------------

_SKIP_COMMANDS = frozenset(
    """Big Bigg Bigl Bigr bf big bigg biggl biggr bigl bigr bm boldsymbol displaystyle
    ensuremath hspace it left limits mathop nolimits qquad quad right rm textstyle""".split()
)
_TEXT_COMMANDS = {"text", "textbf", "textit", "textrm", "mbox", "hbox", "textnormal", "texttt"}
_INLINE_COMMANDS = frozenset(
    """bar hat mathbf mathit mathnormal mathrm mathsf operatorname overline vec""".split()
)
_FUNCTIONS = frozenset(
    """arccos arcsin arctan cos cosh cot csc exp lg ln log sec sin sinh tan tanh""".split()
)
_GREEK = frozenset(
    """Delta Gamma Lambda Omega Phi Psi Sigma Theta Xi alpha beta chi delta epsilon eta gamma
    iota kappa lambda mu nu omega phi psi rho sigma tau theta upsilon varepsilon varphi
    vartheta xi zeta""".split()
)
_RELATIONS = {
    "=": "=",
    "<": "<",
    ">": ">",
    "le": "<=",
    "leq": "<=",
    "leqslant": "<=",
    "ge": ">=",
    "geq": ">=",
    "geqslant": ">=",
    "lt": "<",
    "gt": ">",
    "ne": "!=",
    "neq": "!=",
    "in": "in",
    "approx": "=",
    "equiv": "=",
}
# Unicode symbols and the token each one stands for.
_UNICODE: dict[str, tuple[str, Any]] = {
    "×": ("OP", "*"),
    "·": ("OP", "*"),
    "⋅": ("OP", "*"),
    "÷": ("OP", "/"),
    "−": ("OP", "-"),
    "–": ("OP", "-"),
    "≤": ("REL", "<="),
    "≥": ("REL", ">="),
    "≠": ("REL", "!="),
    "∈": ("REL", "in"),
    "±": ("PM", None),
    "∓": ("MP", None),
    "π": ("CONST", "pi"),
    "∞": ("CONST", "oo"),
    "√": ("SQRT", None),
    "∪": ("CUP", None),
    "°": ("DEG", None),
    "∅": ("EMPTY", None),
}
# Words that are units or filler: dropped after a quantity ("5 cm", "12 dollars").
UNIT_WORDS = frozenset(
    """cm mm km m meter meters metre metres centimeter centimeters kilometer kilometers
    millimeter millimeters in inch inches ft foot feet yd yard yards mi mile miles mph kph kmh
    kg g gram grams kilogram kilograms mg lb lbs pound pounds oz ounce ounces ton tons l liter
    liters litre litres ml gallon gallons quart quarts cup cups pint pints s sec secs second
    seconds min mins minute minutes h hr hrs hour hours day days week weeks month months year
    years yr yrs dollar dollars cent cents usd euro euros unit units sq square cubic degree
    degrees deg rad radian radians percent people person students apples items times ways
    points marbles cookies boxes books pages balls children kids miles_per_hour per each
    total""".split()
)
_PLAIN_WORDS = {
    "sqrt": ("SQRT", None),
    "pi": ("CONST", "pi"),
    "inf": ("CONST", "oo"),
    "infty": ("CONST", "oo"),
    "infinity": ("CONST", "oo"),
    "oo": ("CONST", "oo"),
    "and": ("SEP", "and"),
    "or": ("SEP", "or"),
    "abs": ("FUNC", "abs"),
    "floor": ("FUNC", "floor"),
    "ceil": ("FUNC", "ceil"),
}
_NUMBER = re.compile(
    r"(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:\.\d*)?(?:[eE][-+]?\d+(?![\d.]))?|\.\d+"
)
_SCI = re.compile(r"[eE][-+]?\d+$")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_WORD = re.compile(r"[A-Za-z]+")
# Short English words that would otherwise read as products of variables ("is" = i*s).
_ENGLISH = frozenset("is the so we get it be to of an at as by if are was has its".split())
