def wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) <= width:
            line += " " + word
        elif line:
            lines.append(line)
            line = word
        else:
            line = word
    if line:
        lines.append(line)
    return lines

def justify(text, width):
    lines = wrap(text, width)
    out = []
    for n, line in enumerate(lines):
        words = line.split()
        if n == len(lines) - 1 or len(words) == 1:
            out.append(line.ljust(width))
            continue
        gaps = len(words) - 1
        spaces = width - sum(len(w) for w in words)
        base, extra = divmod(spaces, gaps)
        s = ""
        for i, word in enumerate(words[:-1]):
            s += word + " " * (base + (1 if i >= gaps - extra else 0))
        out.append(s + words[-1])
    return out
