from collections import OrderedDict

def lru_misses(capacity, accesses):
    cache = OrderedDict()
    misses = 0
    for key in accesses:
        if key in cache:
            cache.move_to_end(key)
            continue
        misses += 1
        if capacity == 0:
            continue
        cache[key] = True
        if len(cache) > capacity:
            cache.popitem(last=False)
    return misses
