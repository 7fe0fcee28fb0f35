def wrap_words(text, width):
    if width < 1:
        raise ValueError("width must be at least 1")
    pieces = []
    for word in text.split():
        pieces.extend(word[i:i + width] for i in range(0, len(word), width))
    lines, line = [], ""
    for p in pieces:
        if not line:
            line = p
        elif len(line) + 1 + len(p) <= width:
            line += " " + p
        else:
            lines.append(line)
            line = p
    if line:
        lines.append(line)
    return lines
