def tokenize(expr):
    tokens = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isdigit():
            tokens.append(int(ch))
        elif ch == "/" and expr[i:i + 2] == "//":
            tokens.append("//")
            i += 1
        elif ch in "+-*()":
            tokens.append(ch)
        elif not ch.isspace():
            raise ValueError(f"bad character {ch!r}")
        i += 1
    return tokens

def evaluate(expr):
    tokens = tokenize(expr)
    pos = 0

    def atom():
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            value = expression()
            pos += 1
            return value
        return tok

    def term():
        nonlocal pos
        value = atom()
        while pos < len(tokens) and tokens[pos] in ("*", "//"):
            op = tokens[pos]
            pos += 1
            rhs = atom()
            value = value * rhs if op == "*" else value // rhs
        return value

    def expression():
        nonlocal pos
        value = term()
        if pos < len(tokens) and tokens[pos] in ("+", "-"):
            op = tokens[pos]
            pos += 1
            rhs = expression()
            value = value + rhs if op == "+" else value - rhs
        return value

    return expression()
