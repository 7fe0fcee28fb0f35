def count_words(text):
    if not text:
        return 0
    return len(text.split(" "))
