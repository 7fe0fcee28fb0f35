def _run(balance, transactions):
    skipped = []
    for i, (kind, amount) in enumerate(transactions):
        if kind == "deposit":
            balance += amount
        elif kind == "withdraw":
            if amount > balance:
                skipped.append(i)
            balance -= amount
    return balance, skipped

def apply(balance, transactions):
    return _run(balance, transactions)[0]

def rejected(balance, transactions):
    return _run(balance, transactions)[1]
