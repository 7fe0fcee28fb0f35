def identity(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]

def matmul(a, b):
    if len(a[0]) != len(b):
        raise ValueError("shape mismatch")
    return [
        [sum(a[i][t] * b[j][t] for t in range(len(b))) for j in range(len(b[0]))]
        for i in range(len(a))
    ]

def power(m, k):
    result = m
    for _ in range(k - 1):
        result = matmul(result, m)
    return result
