"""Turn an answer's text (LaTeX or plain) into tokens for :mod:`.parser`.

:func:`tokenize` scans the text once and hands each token class to its own reader: numbers,
words, Unicode symbols, punctuation (:data:`_PUNCTUATION`) and LaTeX commands. A command reads
as a fixed tuple of tokens or through a reader of its arguments, as :data:`_COMMANDS` says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

from agentgym.environments.math.lexicon import (
    _COMMAND,
    _ENGLISH,
    _FUNCTIONS,
    _GREEK,
    _INLINE_COMMANDS,
    _NUMBER,
    _PLAIN_WORDS,
    _RELATIONS,
    _SCI,
    _SKIP_COMMANDS,
    _TEXT_COMMANDS,
    _UNICODE,
    _WORD,
    MAX_NUMBER_DIGITS,
    UNIT_WORDS,
    ParseError,
)


def _number_token(text: str) -> tuple[str, Any]:
    clean = text.replace(",", "")
    if len(clean) > MAX_NUMBER_DIGITS:
        raise ParseError(f"number too long ({len(clean)} digits)")
    mantissa, exponent = clean, 0
    sci = _SCI.search(clean)
    if sci:
        mantissa, exponent = clean[: sci.start()], int(sci.group(0)[1:])
        if abs(exponent) > 1000:
            raise ParseError("number too large: exponent beyond 1000")
    value = Fraction(mantissa if not mantissa.endswith(".") else mantissa[:-1] or "0")
    if exponent:
        value *= Fraction(10) ** exponent
    return ("NUM", (value, clean))


def read_group(text: str, i: int) -> tuple[str, int]:
    """Return the content of the ``{...}`` group starting at ``text[i]`` and the index after."""
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
        j += 1
    raise ParseError("unbalanced braces")


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n\r~":
        i += 1
    return i


Token = tuple[str, Any]
"""A token ``(kind, value)``, e.g. ``("NUM", (Fraction(1, 2), "0.5"))`` or ``("OP", "*")``."""

_BLANKS = " \t\n\r~$"


class _Scanner:
    """Where one :func:`tokenize` call stands: the text, the position and the tokens so far."""

    __slots__ = ("text", "i", "n", "tokens", "digit_args")

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.n = len(text)
        self.tokens: list[Token] = []
        # \frac12 and \sqrt2: the next bare digits are single-digit arguments.
        self.digit_args = 0

    def skip_spaces(self) -> None:
        self.i = _skip_spaces(self.text, self.i)

    def at(self, char: str) -> bool:
        """Whether the next character is ``char``."""
        return self.i < self.n and self.text[self.i] == char

    def group(self) -> str:
        """Read the ``{...}`` group at the position and return its content."""
        body, self.i = read_group(self.text, self.i)
        return body


def tokenize(text: str) -> list[Token]:
    """Split answer text into tokens ``(kind, value)``.

    Raises:
        ParseError: On characters or commands we do not read.
    """
    s = _Scanner(text)
    while s.i < s.n:
        c = text[s.i]
        if c in _BLANKS:
            s.i += 1
        elif c == "\\":
            _command(s)
        elif c.isdigit() or (c == "." and s.i + 1 < s.n and text[s.i + 1].isdigit()):
            _number(s, c)
        else:
            s.digit_args = 0
            if c.isalpha() and c.isascii():
                m = _WORD.match(text, s.i)
                assert m is not None
                s.i = m.end()
                _word_tokens(m.group(0), s.tokens)
            elif c in _UNICODE:
                s.tokens.append(_UNICODE[c])
                s.i += 1
            else:
                _punctuation(s, c)
    return s.tokens


def _number(s: _Scanner, c: str) -> None:
    if s.digit_args and c.isdigit():
        s.tokens.append(("NUM", (Fraction(int(c)), c)))
        s.digit_args -= 1
        s.i += 1
        return
    m = _NUMBER.match(s.text, s.i)
    assert m is not None
    # "1,234" is a thousands separator only if the comma-separated groups are exact.
    s.tokens.append(_number_token(m.group(0)))
    s.i = m.end()


_PUNCTUATION: dict[str, Token] = {
    **{c: ("OP", c) for c in "+-*/^_!"},
    **{c: ("REL", c) for c in "<>="},
    **{c: ("OPEN", c) for c in "(["},
    **{c: ("CLOSE", c) for c in ")]"},
    ",": ("COMMA", None),
    ";": ("SEP", ";"),
    "{": ("LBRACE", None),
    "}": ("RBRACE", None),
    "|": ("BAR", None),
    "%": ("PCT", None),
    "&": ("AMP", None),
    ":": ("COLON", None),
}
_PUNCTUATION_PAIRS: dict[str, Token] = {
    "**": ("OP", "^"),
    "<=": ("REL", "<="),
    ">=": ("REL", ">="),
    "==": ("REL", "="),
}


def _punctuation(s: _Scanner, c: str) -> None:
    if c in "*<>=":
        pair = _PUNCTUATION_PAIRS.get(s.text[s.i : s.i + 2])
        if pair is not None:
            s.tokens.append(pair)
            s.i += 2
            return
    token = _PUNCTUATION.get(c)
    if token is None:
        if c == "'":
            raise ParseError("primes are not supported")
        raise ParseError(f"unexpected character {c!r}")
    s.tokens.append(token)
    s.i += 1


# --- commands ---------------------------------------------------------------------------------

CommandReader = Callable[[_Scanner, str], None]


def _command(s: _Scanner) -> None:
    m = _COMMAND.match(s.text, s.i)
    if m is None:
        raise ParseError("dangling backslash")
    name = m.group(1)
    s.i = m.end()
    action = _COMMANDS.get(name)
    if action is None:
        raise ParseError(f"unsupported command \\{name}")
    if isinstance(action, tuple):
        s.tokens.extend(action)
    else:
        action(s, name)


_SIZERS = frozenset("left right bigl bigr Bigl Bigr big Big biggl biggr bigg Bigg".split())
_OPERATOR_NAMES = _FUNCTIONS | {"abs", "floor", "ceil"}
_MATRIX_ENVIRONMENTS = frozenset("pmatrix bmatrix matrix vmatrix Bmatrix array smallmatrix".split())


def _row_break(s: _Scanner, name: str) -> None:
    s.tokens.append(("ROWSEP", None) if _in_matrix(s.tokens) else ("SEP", ";"))


def _skipped(s: _Scanner, name: str) -> None:
    r"""Layout commands read as nothing, with their argument (``\left.``, ``\hspace{1em}``)."""
    if name in _SIZERS:
        s.skip_spaces()
        if s.at("."):
            s.i += 1
    if name == "hspace":
        s.skip_spaces()
        if s.at("{"):
            s.group()


def _fraction(s: _Scanner, name: str) -> None:
    s.tokens.append(("FRAC", None))
    s.digit_args = 2


def _binomial(s: _Scanner, name: str) -> None:
    s.tokens.append(("BINOM", None))
    s.digit_args = 2


def _choose(s: _Scanner, name: str) -> None:
    s.tokens.append(("OP", "choose"))
    s.digit_args = 0


def _sqrt(s: _Scanner, name: str) -> None:
    s.tokens.append(("SQRT", None))
    s.skip_spaces()
    if s.at("["):
        close = s.text.find("]", s.i)
        if close < 0:
            raise ParseError("unclosed \\sqrt[")
        s.tokens.append(("ROOTIDX", s.text[s.i + 1 : close]))  # parsed by the parser
        s.i = close + 1
    s.digit_args = 1


def _blackboard(s: _Scanner, name: str) -> None:
    s.skip_spaces()
    if s.at("{"):
        body = s.group()
    else:
        body, s.i = s.text[s.i : s.i + 1], s.i + 1
    if body.strip() != "R":
        raise ParseError(f"unsupported set \\mathbb{{{body.strip()}}}")
    s.tokens.append(("REALS", None))


def _function(s: _Scanner, name: str) -> None:
    s.tokens.append(("FUNC", "ln" if name == "lg" else name))


def _greek(s: _Scanner, name: str) -> None:
    s.tokens.append(("SYM", name))


def _text(s: _Scanner, name: str) -> None:
    s.skip_spaces()
    if not s.at("{"):
        raise ParseError(f"\\{name} needs a {{...}} argument")
    body = s.group()
    s.i = _text_tokens(body, s.tokens, s.text, s.i)


def _inline(s: _Scanner, name: str) -> None:
    r"""Styling commands (``\mathrm{x}``) read as their braced argument."""
    s.skip_spaces()
    if not s.at("{"):
        return
    body = s.group()
    if name == "operatorname" and body.strip() in _OPERATOR_NAMES:
        s.tokens.append(("FUNC", body.strip()))
        return
    s.tokens.append(("LBRACE", None))
    s.tokens.extend(tokenize(body))
    s.tokens.append(("RBRACE", None))


def _begin(s: _Scanner, name: str) -> None:
    s.skip_spaces()
    env = s.group()
    if env.strip("*") not in _MATRIX_ENVIRONMENTS:
        raise ParseError(f"unsupported environment {env}")
    if env == "array":
        s.skip_spaces()
        if s.at("{"):
            s.group()
    s.tokens.append(("BEGIN", None))


def _end(s: _Scanner, name: str) -> None:
    s.skip_spaces()
    s.group()
    s.tokens.append(("END", None))


def _prime(s: _Scanner, name: str) -> None:
    raise ParseError("primes are not supported")


def _command_table(
    rules: Sequence[tuple[Iterable[str], tuple[Token, ...] | CommandReader]],
) -> dict[str, tuple[Token, ...] | CommandReader]:
    """Map each command name to the tokens it stands for or to its reader; first rule wins."""
    table: dict[str, tuple[Token, ...] | CommandReader] = {}
    for names, action in rules:
        for name in names:
            table.setdefault(name, action)
    return table


_COMMANDS = _command_table(
    [
        ((",", "!", ";", ":", " ", "$"), ()),
        (("\\",), _row_break),
        (_SKIP_COMMANDS, _skipped),
        (("{", "lbrace"), (("OPEN", "{"),)),
        (("}", "rbrace"), (("CLOSE", "}"),)),
        (("langle",), (("OPEN", "("),)),
        (("rangle",), (("CLOSE", ")"),)),
        (("%",), (("PCT", None),)),
        (("frac", "dfrac", "tfrac", "cfrac"), _fraction),
        (("binom", "dbinom", "tbinom"), _binomial),
        (("choose",), _choose),
        (("sqrt",), _sqrt),
        (("cdot", "times", "ast", "cdotp"), (("OP", "*"),)),
        (("div",), (("OP", "/"),)),
        (("pm",), (("PM", None),)),
        (("mp",), (("MP", None),)),
        *(((name,), (("REL", rel),)) for name, rel in _RELATIONS.items()),
        (("cup",), (("CUP", None),)),
        (("pi",), (("CONST", "pi"),)),
        (("infty", "infin"), (("CONST", "oo"),)),
        (("emptyset", "varnothing"), (("EMPTY", None),)),
        (("circ", "degree"), (("DEG", None),)),
        (("lfloor",), (("OPEN", "floor"),)),
        (("rfloor",), (("CLOSE", "floor"),)),
        (("lceil",), (("OPEN", "ceil"),)),
        (("rceil",), (("CLOSE", "ceil"),)),
        (("vert", "lvert", "rvert", "mid"), (("BAR", None),)),
        (("mathbb",), _blackboard),
        (_FUNCTIONS, _function),
        (_GREEK, _greek),
        (_TEXT_COMMANDS, _text),
        (_INLINE_COMMANDS, _inline),
        (("begin",), _begin),
        (("end",), _end),
        (("prime",), _prime),
    ]
)
"""What each LaTeX command reads as: a fixed tuple of tokens, or a reader of its arguments."""


def _in_matrix(tokens: list[tuple[str, Any]]) -> bool:
    depth = 0
    for kind, _ in tokens:
        if kind == "BEGIN":
            depth += 1
        elif kind == "END":
            depth -= 1
    return depth > 0


def _text_tokens(body: str, tokens: list[tuple[str, Any]], text: str, i: int) -> int:
    r"""Turn ``\text{body}`` into tokens; units are dropped together with a following ``^2``."""
    words = body.strip()
    low = words.lower().strip(" .")
    if not low:
        return i
    if low in ("or", "and", ",", "or,", "and,"):
        tokens.append(("SEP", low.strip(",")))
        return i
    letters = re.fullmatch(r"\(?([A-Ea-e])\)?", words)
    if letters:
        tokens.append(("WORD", letters.group(1).upper()))
        return i
    several = re.fullmatch(r"\(?[A-E]\)?(?:\s*(?:,|and)\s*\(?[A-E]\)?)+", words)
    if several:
        # \text{A, C}: several choice letters
        for k, letter in enumerate(re.findall(r"[A-E]", words)):
            if k:
                tokens.append(("COMMA", None))
            tokens.append(("WORD", letter))
        return i
    if re.search(r"\d", words):
        # "\text{12 apples}": the quantity is maths, the words are units or filler.
        tokens.extend(tokenize(words))
        return i
    parts = re.findall(r"[A-Za-z]+", low)
    if parts and all(p in UNIT_WORDS for p in parts):
        # A unit: also swallow its exponent (cm^2) so it does not apply to the number.
        m = re.match(r"\s*\^\s*(\{\s*\d\s*\}|\d)", text[i:])
        if m:
            i += m.end()
        tokens.append(("UNIT", low))
        return i
    tokens.append(("WORD", low))
    return i


def _word_tokens(word: str, tokens: list[tuple[str, Any]]) -> None:
    low = word.lower()
    if word in _PLAIN_WORDS:
        tokens.append(_PLAIN_WORDS[word])
    elif low in _FUNCTIONS:
        tokens.append(("FUNC", "ln" if low == "lg" else low))
    elif word in _GREEK:
        tokens.append(("SYM", word))
    elif len(word) == 1:
        if word == "e":
            tokens.append(("CONST", "E"))
        elif word == "i":
            tokens.append(("CONST", "I"))
        else:
            tokens.append(("SYM", word))
    elif low in ("yes", "no", "true", "false", "none", "undefined", "even", "odd", "neither"):
        tokens.append(("WORD", low))
    elif low in UNIT_WORDS and len(word) >= 2:
        tokens.append(("UNIT", low))
    elif low in _ENGLISH:
        tokens.append(("WORD", low))
    elif len(word) <= 3 and word.islower():
        # xy, abc: a product of single-letter variables.
        for ch in word:
            _word_tokens(ch, tokens)
    else:
        tokens.append(("WORD", low))
