from collections import deque

def grid_steps(grid):
    cells = {(r, c): ch for r, row in enumerate(grid) for c, ch in enumerate(row)}
    start = next(p for p, ch in cells.items() if ch == "S")
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        (r, c), d = queue.popleft()
        if cells[(r, c)] == "E":
            return d
        for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if nxt in cells and cells[nxt] != "#" and nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, d + 1))
    return -1
