def _region(grid, row, col):
    target = grid[row][col]
    seen = {(row, col)}
    stack = [(row, col)]
    while stack:
        r, c = stack.pop()
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                nr, nc = r + dr, c + dc
                if 0 <= nr < len(grid) and 0 <= nc < len(grid[0]) and (nr, nc) not in seen:
                    if grid[nr][nc] == target:
                        seen.add((nr, nc))
                        stack.append((nr, nc))
    return seen

def fill(grid, row, col, colour):
    cells = _region(grid, row, col)
    return [
        "".join(colour if (r, c) in cells else ch for c, ch in enumerate(line))
        for r, line in enumerate(grid)
    ]

def region_size(grid, row, col):
    return len(_region(grid, row, col)) - 1
