def initials(full_name):
    words = full_name.replace("-", " ").split()
    return "".join(w[0].upper() + "." for w in words)
