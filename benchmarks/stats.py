"""The statistics of the evaluation harness: Wilson intervals, pass@k and a paired test."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["mcnemar_exact", "pass_at_k", "wilson_interval"]


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Return the Wilson score interval (default 95%) of a success rate.

    Unlike the normal approximation it stays inside [0, 1] and is honest at 0 or n
    successes, which small evaluation runs hit often. ``(0.0, 1.0)`` when ``n`` is 0.
    """
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def pass_at_k(n: int, c: int, k: int) -> float:
    """Return the unbiased pass@k estimate for one task: ``n`` samples, ``c`` of them correct.

    ``1 - C(n - c, k) / C(n, k)`` (Chen et al., 2021); with ``k == n`` it is "any correct".
    """
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples per task, got {n}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def mcnemar_exact(pairs: Sequence[tuple[bool, bool]]) -> dict[str, float | int]:
    """Compare two runs on the same episodes with the exact (binomial) McNemar test.

    Args:
        pairs: ``(success in A, success in B)`` per shared episode (same env, seed, sample).

    Returns:
        ``n`` pairs, ``a_only`` and ``b_only`` (the discordant pairs), ``diff`` (success rate
        of B minus A) and the two-sided ``p_value``.
    """
    a_only = sum(1 for a, b in pairs if a and not b)
    b_only = sum(1 for a, b in pairs if b and not a)
    m = a_only + b_only
    if m == 0:
        p = 1.0
    else:
        tail = sum(math.comb(m, i) for i in range(min(a_only, b_only) + 1)) / 2**m
        p = min(1.0, 2 * tail)
    n = len(pairs)
    return {
        "n": n,
        "a_only": a_only,
        "b_only": b_only,
        "diff": (b_only - a_only) / n if n else 0.0,
        "p_value": p,
    }
