SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

def _quote(text):
    out = []
    for ch in text:
        if ch in SAFE:
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.append("%%%02X" % ord(ch))
    return "".join(out)

def _unquote(text):
    data = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%":
            data.append(int(text[i + 1:i + 3], 16))
            i += 3
        else:
            data.extend(text[i].encode())
            i += 1
    return data.decode("utf-8")

def encode(params):
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in params.items())

def decode(query):
    result = {}
    for pair in query.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            result[_unquote(key)] = _unquote(value)
    return result
