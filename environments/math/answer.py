r"""Find the final answer in a model's completion.

Recognised forms, latest wins within a form and forms are tried in this order: the
argument of the ``answer`` tool written as ``<answer>...</answer>``, the content of
``\boxed{...}`` / ``\fbox{...}`` (braces matched, ``\boxed 5`` too), a line
``Answer: ...`` (also ``Final answer: ...``), and a GSM8K-style line ``#### n``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentgym.environments.math.parser import ParseError, read_group

__all__ = [
    "ANSWER_TAG",
    "FinalAnswer",
    "boxed_contents",
    "extract_answer",
    "find_final_answer",
]

_BOX = re.compile(r"\\(?:boxed|fbox)\s*")
ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_ANSWER_LINE = re.compile(
    r"(?im)^[ \t*_#>]*(?:the\s+)?(?:final\s+)?answer\s*(?:is)?\s*[:：]\s*(.+)$"
)
_HASHES = re.compile(r"(?m)^[ \t]*####[ \t]*(.+)$")
# Far longer than any answer; keeps regex work on hostile completions bounded.
MAX_COMPLETION_CHARS = 200_000


@dataclass(frozen=True)
class FinalAnswer:
    """An extracted answer.

    Attributes:
        text: The answer text (box content, or the rest of the ``Answer:``/``####`` line), or
            None when there is none or it is ambiguous.
        form: ``"answer_tag"``, ``"boxed"``, ``"answer_line"``, ``"hashes"`` or ``"none"``.
        reason: Why no answer was accepted (None when ``text`` is set).
        n_distinct: Number of distinct candidates of the winning form.
    """

    text: str | None
    form: str
    reason: str | None = None
    n_distinct: int = 0


def boxed_contents(text: str) -> list[str]:
    r"""Return the contents of every ``\boxed{}`` / ``\fbox{}`` in ``text``, in order.

    An unclosed box is ignored. ``\boxed 5`` (no braces) yields ``"5"``.
    """
    out = []
    for m in _BOX.finditer(text):
        i = m.end()
        if i < len(text) and text[i] == "{":
            try:
                out.append(read_group(text, i)[0])
            except ParseError:
                pass  # an unclosed box
        else:
            tail = re.match(r"[-\w\\][^\s$]*", text[i:])
            if tail:
                out.append(tail.group(0))
    return out


def _clean_line(s: str) -> str:
    s = s.strip().strip("*").strip()
    if s.startswith("$") and s.endswith("$") and len(s) > 1:
        s = s.strip("$").strip()
    return s.rstrip(".").strip()


def find_final_answer(text: str) -> FinalAnswer:
    """Find the final answer of a completion, refusing ambiguous ones.

    Several different boxed answers (or ``Answer:`` lines, or ``####`` lines) make the answer
    ambiguous: the result then has ``text=None`` and says why, so listing candidates never
    counts as answering.

    Args:
        text: The completion.

    Returns:
        A :class:`FinalAnswer`.
    """
    if not isinstance(text, str):
        return FinalAnswer(None, "none", f"expected text, got {type(text).__name__}")
    if len(text) > MAX_COMPLETION_CHARS:
        return FinalAnswer(None, "none", f"completion too long ({len(text)} characters)")
    for form, found in (
        ("answer_tag", lambda: [m.group(1) for m in ANSWER_TAG.finditer(text)]),
        ("boxed", lambda: boxed_contents(text)),
        ("answer_line", lambda: [m.group(1) for m in _ANSWER_LINE.finditer(text)]),
        ("hashes", lambda: [m.group(1) for m in _HASHES.finditer(text)]),
    ):
        items = [
            _clean_line(s) if form not in ("boxed", "answer_tag") else s.strip() for s in found()
        ]
        if not items:
            continue
        distinct = list(dict.fromkeys(re.sub(r"\s+", "", s) for s in items))
        if len(distinct) > 1:
            return FinalAnswer(
                None, form, f"{len(distinct)} different {form} answers", len(distinct)
            )
        return FinalAnswer(items[-1], form, None, 1)
    return FinalAnswer(None, "none", "no final answer found (use \\boxed{...} or 'Answer: ...')")


def extract_answer(text: str) -> str | None:
    r"""Return the last final answer in ``text``, or None.

    Forms, tried in order: ``<answer>...</answer>`` (the ``answer`` tool's argument),
    ``\boxed{...}``/``\fbox{...}``, an ``Answer: ...`` line, a ``#### n`` line. Unlike :func:`find_final_answer` this does not refuse several different
    candidates; :func:`verify` does.

    >>> extract_answer(r"so the total is $\boxed{\frac{1}{2}}$.")
    '\\frac{1}{2}'
    >>> extract_answer("Natalia sold 72 clips.\n#### 72")
    '72'
    """
    if not isinstance(text, str) or len(text) > MAX_COMPLETION_CHARS:
        return None
    tags = ANSWER_TAG.findall(text)
    if tags:
        return tags[-1].strip()
    boxes = boxed_contents(text)
    if boxes:
        return boxes[-1].strip()
    lines = _ANSWER_LINE.findall(text)
    if lines:
        return _clean_line(lines[-1])
    hashes = _HASHES.findall(text)
    if hashes:
        return _clean_line(hashes[-1])
    return None
