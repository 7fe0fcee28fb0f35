def last_n(items, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    return items[-n:]
