def is_anagram(a, b):
    def key(s):
        return sorted(s.replace(" ", "").lower())
    return key(a) == key(b)
