def trace(capacity, keys):
    cache = []
    out = []
    for key in keys:
        if key in cache:
            out.append("hit")
            cache.remove(key)
            cache.append(key)
            continue
        out.append("miss")
        if len(cache) == capacity:
            cache.pop(0)
        cache.append(key)
    return out
