def title_case(text):
    return text[:1].upper() + text[1:].lower()
