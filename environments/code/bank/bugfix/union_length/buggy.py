def covered(intervals):
    total = 0
    current = None
    for start, end in intervals:
        if current is None:
            current = [start, end]
        elif start <= current[1]:
            current[1] = end
        else:
            total += current[1] - current[0]
            current = [start, end]
    if current is not None:
        total += current[1] - current[0]
    return total
