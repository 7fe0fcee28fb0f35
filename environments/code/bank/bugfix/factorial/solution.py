def factorial(n):
    if n < 0:
        raise ValueError("negative")
    result = 1
    for k in range(1, n + 1):
        result *= k
    return result
