def count_islands(grid):
    land = {(r, c) for r, row in enumerate(grid) for c, ch in enumerate(row) if ch == "#"}
    islands = 0
    while land:
        islands += 1
        stack = [land.pop()]
        while stack:
            r, c = stack.pop()
            for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if nxt in land:
                    land.remove(nxt)
                    stack.append(nxt)
    return islands
