def spiral_order(matrix):
    out = []
    rows = [list(r) for r in matrix]
    while rows and rows[0]:
        out.extend(rows.pop(0))
        rows = [list(r) for r in zip(*rows)][::-1]
    return out
