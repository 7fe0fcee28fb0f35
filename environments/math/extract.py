r"""Find the final answer in a model's completion, the way a human grader reads it.

Tried in this order on the text after the last ``</think>`` (the whole text if nothing
follows it), the latest match of a form winning:

1. ``<answer>...</answer>`` (the ``answer`` tool's argument);
2. the last run of ``\boxed{}``/``\fbox{}``: boxes separated only by commas, "and", ``\quad``
   or short ``\text{...}`` are one answer with several parts (``1, 2``);
3. a phrase: "the final answer is ...", "the answer is ...", "Answer: ...", ``#### n``;
4. the last ``$...$``, ``$$...$$``, ``\(...\)`` or ``\[...\]``;
5. the last sentence's last number or expression (``... the probability is 2/3.``).

Every step is linear in the length of the text: braces are matched in one pass and
delimiters are found from the end, so a hostile completion (thousands of unclosed
``\boxed{``) costs no more than reading it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Extracted", "boxed_spans", "extract_candidates", "extract_final", "match_braces"]

# Far longer than any completion a model sends in one turn; keeps the work bounded.
MAX_TEXT_CHARS = 1_000_000
MAX_ANSWER_CHARS = 1_000

_BOX = re.compile(r"\\(?:boxed|fbox)\b\s*")
_THINK_END = "</think>"
# Between two boxes of one answer: separators and short words only.
_CONNECTOR = re.compile(
    r"^(?:[\s,;.$&]|\\[,;:! ]|\\quad|\\qquad|\\\(|\\\)|\\\[|\\\]|\\text\s*\{[^{}]{0,40}\}"
    r"|\band\b|\bor\b|[A-Za-z](?:_\{?\w{1,3}\}?)?\s*=){0,40}$",
    re.IGNORECASE,
)
_PHRASE = re.compile(
    r"(?:final\s+answer\s*(?:is|:|=)|(?:the|so|thus|hence)\s+(?:final\s+)?answer\s*(?:is|:|=)"
    r"|^\W*answer\s*[:：])[ \t]*",
    re.IGNORECASE | re.MULTILINE,
)
_HASHES = re.compile(r"(?m)^[ \t]*####[ \t]*(\S[^\n]*)$")
# The same separators one at a time; up to two short words may remain between the boxes of
# one answer ("\\boxed{1} papers and \\boxed{2} bins").
_CONNECTOR_TOKEN = re.compile(
    r"[,;.$&]|\\[,;:! ]|\\quad|\\qquad|\\\(|\\\)|\\\[|\\\]|\\text\s*\{[^{}]{0,40}\}"
    r"|\band\b|\bor\b",
    re.IGNORECASE,
)
_SPECIAL_TOKEN = re.compile(r"<\|[^|>\n]{1,40}\|>")
_BOILERPLATE = re.compile(r"\s*I\s+hope\s+it\s+is\s+correct\.?\s*$", re.IGNORECASE)
# A number or a short expression of numbers, the last one in a sentence.
# A number or a short expression of numbers standing on its own (not inside a word).
_LAST_VALUE = re.compile(
    r"(?<![\w.])(?:-?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s*/\s*\d+)?(?:\s*(?:\\?%|percent\b))?"
    r"|\\frac\{[^{}]{1,40}\}\{[^{}]{1,40}\}|\\sqrt\{[^{}]{1,40}\})(?![\w])"
)


@dataclass(frozen=True)
class Extracted:
    """The answer found in a completion.

    Attributes:
        text: The answer text, or None when none was found.
        form: ``"answer_tag"``, ``"boxed"``, ``"phrase"``, ``"hashes"``, ``"math"``,
            ``"sentence"``, ``"whole"`` or ``"none"``.
        parts: How many distinct parts the answer has (several boxes make several parts).
    """

    text: str | None
    form: str
    parts: int = 1


def match_braces(text: str) -> dict[int, int]:
    r"""Return ``{index of "{": index of its "}"}`` for every balanced pair, in one pass.

    Escaped braces (``\{``) are skipped, as TeX does.
    """
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            stack.append(i)
        elif c == "}" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def boxed_spans(text: str, braces: dict[int, int] | None = None) -> list[tuple[int, int, str]]:
    r"""Return ``(start, end, content)`` of every ``\boxed{}``/``\fbox{}``; unclosed ones are skipped.

    ``\boxed 5`` (no braces) yields ``"5"``.
    """
    if braces is None:
        braces = match_braces(text)
    out = []
    for m in _BOX.finditer(text):
        i = m.end()
        if i < len(text) and text[i] == "{":
            j = braces.get(i)
            if j is not None:
                out.append((m.start(), j + 1, text[i + 1 : j]))
        else:
            tail = re.match(r"[-\w\\][^\s$]{0,100}", text[i : i + 101])
            if tail:
                out.append((m.start(), i + tail.end(), tail.group(0)))
    return out


def _strip_wrappers(s: str) -> str:
    s = s.strip()
    for _ in range(3):
        before = s
        s = s.strip().strip("*").strip()
        for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
            if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
                s = s[len(left) : len(s) - len(right)].strip()
        if s == before:
            break
    return s


def _distinct(parts: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for p in parts:
        seen.setdefault(re.sub(r"\s+", "", p), p.strip())
    return list(seen.values())


def _last_box_run(text: str, spans: list[tuple[int, int, str]]) -> list[str]:
    """The contents of the last box and of the boxes joined to it by connectors only."""
    run = [spans[-1]]
    for prev in reversed(spans[:-1]):
        if prev[1] > run[0][0]:
            continue  # a box inside the next one
        gap = text[prev[1] : run[0][0]]
        if len(gap) > 80 or not _joins(gap):
            break
        run.insert(0, prev)
    return [s[2] for s in run]


def _joins(gap: str) -> bool:
    """Whether the text between two boxes makes them parts of one answer."""
    if _CONNECTOR.match(gap):
        return True
    rest = _CONNECTOR_TOKEN.sub(" ", gap)
    return bool(re.fullmatch(r"\s*(?:[A-Za-z]{1,8}\s*){0,2}", rest))


def _answer_tags(text: str) -> list[str]:
    """The contents of every closed ``<answer>...</answer>``, in one pass."""
    out, i = [], 0
    while True:
        start = text.find("<answer>", i)
        if start < 0:
            return out
        end = text.find("</answer>", start)
        if end < 0:
            return out
        nested = text.rfind("<answer>", start, end)  # the innermost opener before the closer
        out.append(text[nested + len("<answer>") : end])
        i = end + len("</answer>")


def _after_phrase(text: str) -> str | None:
    last = None
    for last in _PHRASE.finditer(text):  # noqa: B007 - the last match is wanted
        pass
    if last is None:
        return None
    rest = text[last.end() : last.end() + 2 * MAX_ANSWER_CHARS]
    rest = rest.split("\n\n", 1)[0]
    rest = _BOILERPLATE.sub("", _SPECIAL_TOKEN.split(rest, 1)[0])
    # The sentence ends at ". " before a capital letter or at the line's end.
    m = re.search(r"\.(?:\s+(?=[A-Z<])|\s*$)", rest)
    if m and not _in_math(rest, m.start()):
        rest = rest[: m.start()]
    rest = rest.split("\n", 1)[0] if "$$" not in rest and "\\[" not in rest else rest
    rest = rest.strip().rstrip(".").strip()
    return rest or None


def _in_math(text: str, i: int) -> bool:
    return text.count("$", 0, i) % 2 == 1


def _last_math(text: str) -> str | None:
    found = _last_math_at(text)
    return found[1] if found else None


def _last_math_at(text: str) -> tuple[int, str] | None:
    r"""The content of the last ``$...$``, ``$$...$$``, ``\(...\)`` or ``\[...\]``."""
    best: tuple[int, str] | None = None
    for left, right in (("\\(", "\\)"), ("\\[", "\\]")):
        end = text.rfind(right)
        if end > 0:
            start = text.rfind(left, 0, end)
            if start >= 0 and (best is None or end > best[0]):
                best = (end, text[start + len(left) : end])
    end = text.rfind("$")
    if end > 0:
        double = text[end - 1] == "$"
        if double:
            start = text.rfind("$$", 0, end - 1)
            if start >= 0 and (best is None or end > best[0]):
                best = (end, text[start + 2 : end - 1])
        else:
            start = text.rfind("$", 0, end)
            if start >= 0 and (best is None or end > best[0]):
                best = (end, text[start + 1 : end])
    if best is None or not best[1].strip():
        return None
    return best[0], best[1].strip()


def _last_sentence_value(text: str) -> str | None:
    found = _last_sentence_value_at(text)
    return found[1] if found else None


def _last_sentence_value_at(text: str) -> tuple[int, str] | None:
    """The last number (or small formula) of the last three sentences, and where it ends."""
    text = _BOILERPLATE.sub("", _SPECIAL_TOKEN.split(text, 1)[0]).rstrip()
    offset = max(0, len(text) - 2 * MAX_ANSWER_CHARS)
    tail = text[offset:]
    found = None
    for found in _LAST_VALUE.finditer(tail):  # noqa: B007 - the last one is wanted
        pass
    if found is None:
        return None
    # Only a value in the closing sentences is the answer; one further back is working.
    after = tail[found.end() :]
    if len(after) > 300 or len(re.findall(r"[.!?](?:\s|$)", after)) > 2:
        return None
    return offset + found.end(), found.group(0).strip()


def extract_candidates(text: str) -> list[Extracted]:
    """Return the answers a completion may hold, best first (see the module docstring).

    The first is the answer; the later ones are what a grader would read if the first is
    not mathematics (``Soucis : 2,74 $ a..`` holds the number ``2,74``).
    """
    if not isinstance(text, str):
        return []
    text = text[-MAX_TEXT_CHARS:]
    cut = text.rfind(_THINK_END)
    if cut >= 0 and text[cut + len(_THINK_END) :].strip():
        text = text[cut + len(_THINK_END) :]
    # A chat template's end-of-turn token ends the answer; what follows is another turn.
    token = _SPECIAL_TOKEN.search(text)
    if token is not None and text[: token.start()].strip():
        text = text[: token.start()]
    found: list[Extracted] = []
    tags = _answer_tags(text)
    if tags:
        # Several different answers are one answer with several parts, as boxes are.
        parts = _distinct(tags)
        return [Extracted(", ".join(parts), "answer_tag", len(parts))]
    spans = boxed_spans(text)
    if spans:
        parts = _distinct(_last_box_run(text, spans))
        boxed = Extracted(", ".join(parts), "boxed", len(parts))
        # "... = \boxed{255}. So she has $10,455. The final answer is $10,455$.": a closing
        # phrase after the last box is the answer.
        if not _PHRASE.search(text, spans[-1][1]):
            return [boxed]
        phrase = _after_phrase(text)
        return [Extracted(_strip_wrappers(phrase), "phrase"), boxed] if phrase else [boxed]
    phrase = _after_phrase(text)
    if phrase is not None:
        phrase = _strip_wrappers(phrase)
        if _is_prose(phrase):
            # "The final answer is: the largest $n$ is 34": what follows the last "is".
            verb = None
            for verb in _VERB.finditer(phrase):  # noqa: B007 - the last one is wanted
                pass
            if verb is not None:
                found.append(Extracted(_strip_wrappers(phrase[verb.end() :]), "phrase"))
            inner = _last_math(phrase)
            if inner is not None:
                found.append(Extracted(inner, "phrase"))
            value = _last_sentence_value(phrase)
            if value is not None:
                found.append(Extracted(value, "phrase"))
        found.append(Extracted(phrase, "phrase"))
    hashes = None
    for hashes in _HASHES.finditer(text):  # noqa: B007 - the last one is wanted
        pass
    if hashes is not None:
        found.append(Extracted(_strip_wrappers(hashes.group(1)).rstrip("."), "hashes"))
    stripped = text.strip()
    prose = _is_prose(stripped[-2 * MAX_ANSWER_CHARS :])
    if "\n" not in stripped and not prose and not _BOX.search(stripped):
        found.append(Extracted(_strip_wrappers(stripped).rstrip(".").strip(), "whole"))
    # The later of the last formula and the last sentence's value is read first.
    late = []
    math = _last_math_at(text)
    if math is not None:
        late.append((math[0], Extracted(math[1], "math")))
    value = _last_sentence_value_at(text) if prose or found else None
    if value is not None:
        late.append((value[0], Extracted(value[1], "sentence")))
    found += [e for _, e in sorted(late, key=lambda x: -x[0])]
    out: list[Extracted] = []
    for e in found:
        if e.text and all(e.text != o.text for o in out):
            out.append(e)
    return out


def extract_final(text: str) -> Extracted:
    """Return the final answer of a completion (see the module docstring for the order)."""
    found = extract_candidates(text)
    return found[0] if found else Extracted(None, "none", 0)


_VERB = re.compile(r"\b(?:is|are|was|were|equals|be)\s+(?:approximately\s+|about\s+)?", re.I)


def _is_prose(s: str) -> bool:
    """Whether ``s`` reads as a sentence (three words outside its formulas), not a formula."""
    s = re.sub(r"\$[^$]*\$", " ", s)
    s = re.sub(r"\\[A-Za-z]+(\s*\{[^{}]*\})?", " ", s)
    return len(re.findall(r"\b[A-Za-z]{2,}\b", s)) >= 3
