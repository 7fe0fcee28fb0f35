from collections import Counter

def mean(xs):
    if not xs:
        raise ValueError("empty")
    return sum(xs) / len(xs)

def median(xs):
    if not xs:
        raise ValueError("empty")
    s = sorted(xs)
    mid = len(s) // 2
    if len(s) % 2:
        return s[mid]
    return (s[mid - 1] + s[mid]) / 2

def mode(xs):
    if not xs:
        raise ValueError("empty")
    counts = Counter(xs)
    return min(counts, key=lambda x: (-counts[x], x))
