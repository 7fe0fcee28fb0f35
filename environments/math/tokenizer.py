"""Turn an answer's text (LaTeX or plain) into tokens for :mod:`.parser`."""

from __future__ import annotations

import re
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


def tokenize(text: str) -> list[tuple[str, Any]]:
    """Split answer text into tokens ``(kind, value)``.

    Raises:
        ParseError: On characters or commands we do not read.
    """
    tokens: list[tuple[str, Any]] = []
    i, n = 0, len(text)
    digit_args = 0  # \frac12 and \sqrt2: the next bare digits are single-digit arguments
    while i < n:
        c = text[i]
        if c in " \t\n\r~$":
            i += 1
            continue
        if c == "\\":
            m = _COMMAND.match(text, i)
            if m is None:
                raise ParseError("dangling backslash")
            name = m.group(1)
            i = m.end()
            if name in (",", "!", ";", ":", " "):
                continue
            if name == "\\":
                tokens.append(("ROWSEP", None) if _in_matrix(tokens) else ("SEP", ";"))
                continue
            if name in _SKIP_COMMANDS:
                if name in (
                    "left",
                    "right",
                    "bigl",
                    "bigr",
                    "Bigl",
                    "Bigr",
                    "big",
                    "Big",
                    "biggl",
                    "biggr",
                    "bigg",
                    "Bigg",
                ):
                    i = _skip_spaces(text, i)
                    if i < n and text[i] == ".":
                        i += 1
                if name == "hspace":
                    i = _skip_spaces(text, i)
                    if i < n and text[i] == "{":
                        _, i = read_group(text, i)
                continue
            if name in ("{", "lbrace"):
                tokens.append(("OPEN", "{"))
            elif name in ("}", "rbrace"):
                tokens.append(("CLOSE", "}"))
            elif name in ("langle",):
                tokens.append(("OPEN", "("))
            elif name in ("rangle",):
                tokens.append(("CLOSE", ")"))
            elif name == "%":
                tokens.append(("PCT", None))
            elif name == "$":
                continue
            elif name in ("frac", "dfrac", "tfrac", "cfrac"):
                tokens.append(("FRAC", None))
                digit_args = 2
            elif name in ("binom", "dbinom", "tbinom", "choose"):
                tokens.append(("BINOM", None) if name != "choose" else ("OP", "choose"))
                digit_args = 2 if name != "choose" else 0
            elif name == "sqrt":
                tokens.append(("SQRT", None))
                i = _skip_spaces(text, i)
                if i < n and text[i] == "[":
                    close = text.find("]", i)
                    if close < 0:
                        raise ParseError("unclosed \\sqrt[")
                    tokens.append(("ROOTIDX", text[i + 1 : close]))  # parsed by the parser
                    i = close + 1
                digit_args = 1
            elif name in ("cdot", "times", "ast", "cdotp"):
                tokens.append(("OP", "*"))
            elif name == "div":
                tokens.append(("OP", "/"))
            elif name in ("pm", "mp"):
                tokens.append((name.upper(), None))
            elif name in _RELATIONS:
                tokens.append(("REL", _RELATIONS[name]))
            elif name in ("cup",):
                tokens.append(("CUP", None))
            elif name in ("pi",):
                tokens.append(("CONST", "pi"))
            elif name in ("infty", "infin"):
                tokens.append(("CONST", "oo"))
            elif name in ("emptyset", "varnothing"):
                tokens.append(("EMPTY", None))
            elif name in ("circ", "degree"):
                tokens.append(("DEG", None))
            elif name in ("lfloor", "rfloor", "lceil", "rceil"):
                tokens.append(("OPEN" if name[0] == "l" else "CLOSE", name[1:]))
            elif name in ("vert", "lvert", "rvert", "mid"):
                tokens.append(("BAR", None))
            elif name in ("mathbb",):
                i = _skip_spaces(text, i)
                body, i = (
                    read_group(text, i) if i < n and text[i] == "{" else (text[i : i + 1], i + 1)
                )
                if body.strip() != "R":
                    raise ParseError(f"unsupported set \\mathbb{{{body.strip()}}}")
                tokens.append(("REALS", None))
            elif name in _FUNCTIONS:
                tokens.append(("FUNC", "ln" if name == "lg" else name))
            elif name in _GREEK:
                tokens.append(("SYM", name))
            elif name in _TEXT_COMMANDS:
                i = _skip_spaces(text, i)
                if i >= n or text[i] != "{":
                    raise ParseError(f"\\{name} needs a {{...}} argument")
                body, i = read_group(text, i)
                i = _text_tokens(body, tokens, text, i)
            elif name in _INLINE_COMMANDS:
                i = _skip_spaces(text, i)
                if i < n and text[i] == "{":
                    body, i = read_group(text, i)
                    if name == "operatorname" and body.strip() in _FUNCTIONS | {
                        "abs",
                        "floor",
                        "ceil",
                    }:
                        tokens.append(("FUNC", body.strip()))
                    else:
                        tokens.append(("LBRACE", None))
                        tokens.extend(tokenize(body))
                        tokens.append(("RBRACE", None))
            elif name == "begin":
                i = _skip_spaces(text, i)
                env, i = read_group(text, i)
                if env.strip("*") not in (
                    "pmatrix",
                    "bmatrix",
                    "matrix",
                    "vmatrix",
                    "Bmatrix",
                    "array",
                    "smallmatrix",
                ):
                    raise ParseError(f"unsupported environment {env}")
                if env == "array":
                    i = _skip_spaces(text, i)
                    if i < n and text[i] == "{":
                        _, i = read_group(text, i)
                tokens.append(("BEGIN", None))
            elif name == "end":
                i = _skip_spaces(text, i)
                _, i = read_group(text, i)
                tokens.append(("END", None))
            elif name == "prime":
                raise ParseError("primes are not supported")
            else:
                raise ParseError(f"unsupported command \\{name}")
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            if digit_args and c.isdigit():
                tokens.append(("NUM", (Fraction(int(c)), c)))
                digit_args -= 1
                i += 1
                continue
            m = _NUMBER.match(text, i)
            assert m is not None
            literal = m.group(0)
            # "1,234" is a thousands separator only if the comma-separated groups are exact.
            tokens.append(_number_token(literal))
            i = m.end()
            continue
        digit_args = 0
        if c.isalpha() and c.isascii():
            m = _WORD.match(text, i)
            assert m is not None
            word = m.group(0)
            i = m.end()
            _word_tokens(word, tokens)
            continue
        if c in _UNICODE:
            tokens.append(_UNICODE[c])
            i += 1
            continue
        i += 1
        if c == "*" and i < n and text[i] == "*":
            tokens.append(("OP", "^"))
            i += 1
        elif c in "+-*/^_!":
            tokens.append(("OP", c))
        elif c == ",":
            tokens.append(("COMMA", None))
        elif c == ";":
            tokens.append(("SEP", ";"))
        elif c in "<>=":
            if i < n and text[i] == "=" and c in "<>":
                tokens.append(("REL", c + "="))
                i += 1
            elif c == "=" and i < n and text[i] == "=":
                tokens.append(("REL", "="))
                i += 1
            else:
                tokens.append(("REL", c))
        elif c in "([":
            tokens.append(("OPEN", c))
        elif c in ")]":
            tokens.append(("CLOSE", c))
        elif c == "{":
            tokens.append(("LBRACE", None))
        elif c == "}":
            tokens.append(("RBRACE", None))
        elif c == "|":
            tokens.append(("BAR", None))
        elif c == "%":
            tokens.append(("PCT", None))
        elif c == "&":
            tokens.append(("AMP", None))
        elif c == "'":
            raise ParseError("primes are not supported")
        elif c == ":":
            tokens.append(("COLON", None))
        else:
            raise ParseError(f"unexpected character {c!r}")
    return tokens


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
