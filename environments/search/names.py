"""Invented names built from syllables, so no model can answer from prior knowledge.

Names are drawn in bulk with numpy from a seeded generator and kept unique; a near-duplicate
of a name (one letter changed, doubled or added) makes the distractor twins of the world.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SYLLABLES", "make_words", "near_duplicate"]

_ONSETS = "b c d f g h k l m n p r s t v z br dr tr st th".split()
_VOWELS = "a e i o u a e o ai ei ou".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "m"]
SYLLABLES: tuple[str, ...] = tuple(
    sorted({o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS})
)


def make_words(rng: np.random.Generator, n: int, min_syl: int = 2, max_syl: int = 3) -> list[str]:
    """Return ``n`` capitalised invented words of ``min_syl``..``max_syl`` syllables.

    Words may repeat; callers that need unique names combine words and deduplicate.
    """
    counts = rng.integers(min_syl, max_syl + 1, size=n)
    picks = rng.integers(0, len(SYLLABLES), size=(n, max_syl))
    syl = SYLLABLES
    return [
        "".join(syl[j] for j in row[:c]).capitalize()
        for row, c in zip(picks.tolist(), counts.tolist(), strict=True)
    ]


def near_duplicate(
    name: str, rng: np.random.Generator, taken: set[str], word: int = -1
) -> str | None:
    """Return a name one edit away from ``name`` whose lower case is not in ``taken``.

    The edit doubles, drops or changes one letter of the word at index ``word``, the way a
    real web has "Jon Smyth" next to "John Smith". Returns None if no free variant is found.
    """
    words = name.split(" ")
    last = words[word]
    for _ in range(12):
        pos = int(rng.integers(2, len(last)))
        kind = int(rng.integers(3))
        if kind == 0:
            edited = last[:pos] + last[pos - 1] + last[pos:]
        elif kind == 1 and len(last) > 4:
            edited = last[:pos] + last[pos + 1 :]
        else:
            pool = "aeiouy" if last[pos] in "aeiou" else "nrlst"
            edited = last[:pos] + pool[int(rng.integers(len(pool)))] + last[pos + 1 :]
        candidate = " ".join(edited if i == (word % len(words)) else w for i, w in enumerate(words))
        if candidate != name and candidate.lower() not in taken:
            return candidate
    return None
