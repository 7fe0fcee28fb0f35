def trace(capacity, keys):
    cache = []
    out = []
    for key in keys:
        if key in cache:
            out.append("hit")
            continue
        out.append("miss")
        if len(cache) == capacity:
            cache.pop()
        cache.append(key)
    return out
