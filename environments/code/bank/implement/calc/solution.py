import re

def calc(expr):
    tokens = re.findall(r"\d+|[-+*()]|\S", expr)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        tok = peek()
        if tok is None:
            raise ValueError("unexpected end")
        pos += 1
        return tok

    def atom():
        tok = take()
        if tok == "-":
            return -atom()
        if tok == "(":
            value = summation()
            if take() != ")":
                raise ValueError("expected )")
            return value
        if tok.isdigit():
            return int(tok)
        raise ValueError(f"unexpected {tok!r}")

    def product():
        value = atom()
        while peek() == "*":
            take()
            value *= atom()
        return value

    def summation():
        value = product()
        while peek() in ("+", "-"):
            if take() == "+":
                value += product()
            else:
                value -= product()
        return value

    result = summation()
    if pos != len(tokens):
        raise ValueError("trailing input")
    return result
