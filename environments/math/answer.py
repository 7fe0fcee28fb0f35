r"""The final answer of a completion: the public helpers over :mod:`.extract`.

:func:`extract_answer` reads a completion the way :func:`~agentgym.environments.math.verify`
does (boxes, closing phrases, the last formula, the last sentence's value).
:func:`find_final_answer` keeps to the explicit forms (``<answer>``, ``\boxed{}``, an
"answer is" phrase, ``#### n``): AgentMath's single-turn mode uses it to tell an answer from
a message that merely mentions a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentgym.environments.math.extract import (
    MAX_TEXT_CHARS,
    boxed_spans,
    extract_candidates,
    extract_final,
)

__all__ = [
    "ANSWER_FORMS",
    "FinalAnswer",
    "boxed_contents",
    "extract_answer",
    "find_final_answer",
]

# The forms that say "this is my answer" (what single-turn mode accepts as one).
ANSWER_FORMS = ("answer_tag", "boxed", "phrase", "hashes")


@dataclass(frozen=True)
class FinalAnswer:
    """An extracted answer.

    Attributes:
        text: The answer text, or None when the completion states none.
        form: ``"answer_tag"``, ``"boxed"``, ``"phrase"``, ``"hashes"`` or ``"none"``.
        reason: Why no answer was found (None when ``text`` is set).
        n_distinct: How many distinct parts the answer has (several boxes: several parts,
            joined by commas in ``text``, so hedging is graded as a list and fails against
            a single gold).
    """

    text: str | None
    form: str
    reason: str | None = None
    n_distinct: int = 0


def boxed_contents(text: str) -> list[str]:
    r"""Return the contents of every ``\boxed{}`` / ``\fbox{}`` in ``text``, in order.

    An unclosed box is ignored. ``\boxed 5`` (no braces) yields ``"5"``. Linear in the text.
    """
    if not isinstance(text, str):
        return []
    return [content for _, _, content in boxed_spans(text[-MAX_TEXT_CHARS:])]


def find_final_answer(text: str) -> FinalAnswer:
    """Find the answer a completion states explicitly (see the module docstring)."""
    if not isinstance(text, str):
        return FinalAnswer(None, "none", f"expected text, got {type(text).__name__}")
    for found in extract_candidates(text):
        if found.form in ANSWER_FORMS and found.text:
            return FinalAnswer(found.text, found.form, None, found.parts)
    return FinalAnswer(None, "none", "no final answer found (use \\boxed{...} or 'Answer: ...')")


def extract_answer(text: str) -> str | None:
    r"""Return the final answer in ``text`` as the verifier reads it, or None.

    >>> extract_answer(r"so the total is $\boxed{\frac{1}{2}}$.")
    '\\frac{1}{2}'
    >>> extract_answer("Natalia sold 72 clips.\n#### 72")
    '72'
    >>> extract_answer("<think>2 or 3?</think>The final answer is $3$. I hope it is correct.")
    '3'
    """
    return extract_final(text).text
