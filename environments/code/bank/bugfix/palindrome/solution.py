def is_palindrome(text):
    chars = [ch.lower() for ch in text if ch.isalnum()]
    return chars == chars[::-1]
