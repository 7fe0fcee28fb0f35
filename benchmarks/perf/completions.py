r"""A labelled set of model-style completions, built from templates with a fixed seed.

Each item is a whole completion (chain of thought, ``<think>`` blocks, several boxes, prose
endings, ``#### n``) with a gold answer in GSM8K, MATH or competition style, the label
(equivalent or not) and the answer text a grader should read from it, so a benchmark can
report extraction accuracy apart from equivalence accuracy.

``python -m agentgym.benchmarks.perf.completions`` prints the set's size by kind.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Completion", "completion_set"]

# (gold, an equivalent way to write it, a wrong answer, style)
GOLDS: tuple[tuple[str, str, str, str], ...] = (
    ("18", "18", "16", "gsm8k"),
    ("1200", "1,200", "1,020", "gsm8k"),
    ("45", "45", "54", "gsm8k"),
    ("7", "7.0", "8", "gsm8k"),
    ("250", "$250", "$205", "gsm8k"),
    ("3.5", "3.50", "3.05", "gsm8k"),
    ("64", "64 cm", "46 cm", "gsm8k"),
    ("12", "12", "21", "gsm8k"),
    ("100", "100", "1000", "gsm8k"),
    ("16386.20", "16,\\!386.20", "16,\\!368.20", "gsm8k"),
    ("0.25", "\\frac{1}{4}", "\\frac{1}{5}", "gsm8k"),
    ("5", "5", "-5", "gsm8k"),
    ("\\frac{3}{4}", "0.75", "\\frac{4}{3}", "math"),
    ("2\\sqrt{3}", "\\sqrt{12}", "3\\sqrt{2}", "math"),
    ("\\frac{\\pi}{3}", "\\dfrac{\\pi}{3}", "\\frac{\\pi}{6}", "math"),
    ("x^2 + 2x + 1", "(x+1)^2", "(x-1)^2", "math"),
    ("[1, 5)", "[1,5)", "(1, 5]", "math"),
    ("(2, -3)", "(2,-3)", "(-3, 2)", "math"),
    ("\\frac{1}{2}", "0.5", "\\frac{1}{3}", "math"),
    ("-\\frac{7}{2}", "-3.5", "\\frac{7}{2}", "math"),
    ("8\\pi", "8 \\pi", "4\\pi", "math"),
    ("30^\\circ", "30^{\\circ}", "60^\\circ", "math"),
    ("\\sqrt{2}", "2^{1/2}", "2", "math"),
    ("\\frac{5\\sqrt{42}}{27}", "\\frac{5}{27}\\sqrt{42}", "\\frac{5\\sqrt{42}}{72}", "math"),
    ("3 + 4i", "4i + 3", "3 - 4i", "math"),
    ("(-\\infty, 2]", "(-\\infty,2]", "(-\\infty, 2)", "math"),
    ("x = 4", "4", "5", "math"),
    ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
     "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}",
     "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}", "math"),
    ("12", "12", "13", "math"),
    ("\\frac{9}{4}", "2\\frac{1}{4}", "\\frac{4}{9}", "math"),
    ("1, -2", "-2, 1", "1, 2", "competition"),
    ("\\{1, 2, 3\\}", "\\{3, 1, 2\\}", "\\{1, 2\\}", "competition"),
    ("(1, 2), (2, 1)", "(2, 1), (1, 2)", "(1, 3)", "competition"),
    ("34", "34", "43", "competition"),
    ("2016", "2016", "2015", "competition"),
    ("\\frac{1}{6}", "\\frac{2}{12}", "\\frac{1}{8}", "competition"),
    ("7:32", "7:32", "32:7", "competition"),
    ("\\frac{\\sqrt{6}}{6}", "\\frac{1}{\\sqrt{6}}", "\\frac{\\sqrt{6}}{3}", "competition"),
    ("n = 2", "2", "3", "competition"),
    ("504", "504", "540", "competition"),
)  # fmt: skip

_COT = (
    "Let's work through the problem carefully. First we write down what is given and what "
    "is asked. Then we set up the relation between the quantities and simplify. "
)


@dataclass(frozen=True)
class Completion:
    """One labelled completion."""

    completion: str
    gold: str
    equivalent: bool
    answer: str  # what a grader reads as the final answer
    kind: str  # template name
    style: str  # gsm8k, math or competition


def _templates(gold: str, good: str, bad: str) -> list[tuple[str, str, bool, str]]:
    """(kind, completion, equivalent, the answer it states)."""
    cot = _COT * 3
    return [
        ("boxed", f"{cot}Therefore the answer is $\\boxed{{{good}}}$.", True, good),
        (
            "think_then_box",
            f"<think>{cot}Maybe it is \\boxed{{{bad}}}? No, recheck.</think>\n"
            f"{cot}So the result is \\boxed{{{good}}}.",
            True,
            good,
        ),
        (
            "final_answer_phrase",
            f"{cot}Final Answer: The final answer is ${good}$. I hope it is correct.",
            True,
            good,
        ),
        ("answer_line", f"{cot}\nAnswer: {good}", True, good),
        ("prose_math", f"{cot}Putting it together, we get $${good}$$", True, good),
        ("boxed_wrong", f"{cot}Therefore the answer is $\\boxed{{{bad}}}$.", False, bad),
        (
            "hedge",
            f"{cot}It is either \\boxed{{{good}}} or \\boxed{{{bad}}}.",
            False,
            f"{good}, {bad}",
        ),
        (
            "corrected_wrong",
            f"{cot}We first get \\boxed{{{good}}}. {cot}On reflection the answer is "
            f"\\boxed{{{bad}}}.",
            False,
            bad,
        ),
        ("phrase_wrong", f"{cot}So the final answer is {bad}.", False, bad),
    ]


def completion_set(seed: int = 0) -> list[Completion]:
    """Return the labelled completions (deterministic for a seed)."""
    rng = random.Random(seed)
    items = []
    for gold, good, bad, style in GOLDS:
        for kind, text, equivalent, answer in _templates(gold, good, bad):
            if style == "gsm8k" and kind == "answer_line":
                text = text.replace("\nAnswer: ", "\n#### ")
                kind = "hashes"
            if rng.random() < 0.3:
                text += " <|im_end|>"
            items.append(Completion(text, gold, equivalent, answer, kind, style))
    return items


def main() -> None:
    """Print the set's size by kind and style."""
    from collections import Counter

    items = completion_set()
    print(len(items), "completions")
    print(Counter(i.kind for i in items))
    print(Counter(i.style for i in items))


if __name__ == "__main__":
    main()
