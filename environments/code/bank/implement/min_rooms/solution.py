def min_rooms(meetings):
    events = []
    for start, end in meetings:
        if end > start:
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    rooms = best = 0
    for _, delta in events:
        rooms += delta
        best = max(best, rooms)
    return best
