"""Answer scoring: normalised exact match and token F1 (the SQuAD conventions)."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

__all__ = ["SCORE_FNS", "exact_match", "normalize_answer", "score_answer", "token_f1"]

SCORE_FNS: tuple[str, ...] = ("em", "f1")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower-case, drop punctuation and articles, and collapse whitespace."""
    text = text.lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """Return 1.0 if the normalised prediction equals any normalised gold answer, else 0.0."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in golds))


def token_f1(prediction: str, golds: Sequence[str]) -> float:
    """Return the best token-level F1 of the prediction against the gold answers."""
    pred = normalize_answer(prediction).split()
    best = 0.0
    for gold in golds:
        ref = normalize_answer(gold).split()
        if not pred or not ref:
            best = max(best, float(pred == ref))
            continue
        common = sum((Counter(pred) & Counter(ref)).values())
        if common:
            p, r = common / len(pred), common / len(ref)
            best = max(best, 2 * p * r / (p + r))
    return best


def score_answer(prediction: str, golds: Sequence[str], score_fn: str = "em") -> float:
    """Score ``prediction`` with ``score_fn`` (``"em"`` or ``"f1"``); result in [0, 1]."""
    if score_fn == "em":
        return exact_match(prediction, golds)
    if score_fn == "f1":
        return token_f1(prediction, golds)
    raise ValueError(f"score_fn must be one of {SCORE_FNS}, got {score_fn!r}")
