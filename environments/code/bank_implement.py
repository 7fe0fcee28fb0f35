"""Built-in "implement a function from a specification" tasks, written for agentgym.

Each record: ``name``, ``difficulty``, ``signature`` (the ``def`` line), ``spec`` (what the
function must do; becomes the starter's docstring), ``solution`` (reference module),
``visible`` and ``hidden`` (test sources, see :class:`~agentgym.environments.code.grading.
TestSuite`). Visible tests are shown to the agent; hidden tests decide the score.
"""

from __future__ import annotations

__all__ = ["TASKS"]

TASKS: list[dict] = [
    # ----------------------------------------------------------------------------- easy
    {
        "name": "clamp",
        "difficulty": "easy",
        "signature": "def clamp(x: float, lo: float, hi: float) -> float:",
        "spec": "Return x limited to the closed interval [lo, hi]. Raise ValueError if lo > hi.",
        "solution": """
def clamp(x, lo, hi):
    if lo > hi:
        raise ValueError("lo must not exceed hi")
    return min(max(x, lo), hi)
""",
        "visible": ["clamp(5, 0, 3) == 3", "clamp(-2, 0, 3) == 0"],
        "hidden": [
            "clamp(2, 0, 3) == 2",
            "clamp(0, 0, 3) == 0",
            "clamp(3, 0, 3) == 3",
            "clamp(1.5, -1.0, 1.0) == 1.0",
            "clamp(-7, -5, -1) == -5",
            "clamp(4, 4, 4) == 4",
            "raises(ValueError, clamp, 1, 3, 0)",
        ],
    },
    {
        "name": "count_vowels",
        "difficulty": "easy",
        "signature": "def count_vowels(text: str) -> int:",
        "spec": "Return how many characters of text are vowels (a, e, i, o, u), "
        "ignoring case. 'y' is not a vowel.",
        "solution": """
def count_vowels(text):
    return sum(1 for ch in text.lower() if ch in "aeiou")
""",
        "visible": ["count_vowels('banana') == 3", "count_vowels('SKY') == 0"],
        "hidden": [
            "count_vowels('') == 0",
            "count_vowels('AEIOU') == 5",
            "count_vowels('Quiet Evening') == 6",
            "count_vowels('rhythm') == 0",
            "count_vowels('a1e2i3') == 3",
            "count_vowels('yay') == 1",
        ],
    },
    {
        "name": "is_leap_year",
        "difficulty": "easy",
        "signature": "def is_leap_year(year: int) -> bool:",
        "spec": "Return True if year is a leap year in the Gregorian calendar: divisible by "
        "4, except centuries, which must be divisible by 400.",
        "solution": """
def is_leap_year(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
""",
        "visible": ["is_leap_year(2024) is True", "is_leap_year(1900) is False"],
        "hidden": [
            "is_leap_year(2000) is True",
            "is_leap_year(2023) is False",
            "is_leap_year(2100) is False",
            "is_leap_year(2400) is True",
            "is_leap_year(4) is True",
            "is_leap_year(1) is False",
        ],
    },
    {
        "name": "digit_sum",
        "difficulty": "easy",
        "signature": "def digit_sum(n: int) -> int:",
        "spec": "Return the sum of the decimal digits of n; the sign is ignored "
        "(digit_sum(-42) == 6).",
        "solution": """
def digit_sum(n):
    return sum(int(d) for d in str(abs(n)))
""",
        "visible": ["digit_sum(1234) == 10", "digit_sum(-42) == 6"],
        "hidden": [
            "digit_sum(0) == 0",
            "digit_sum(9) == 9",
            "digit_sum(1000001) == 2",
            "digit_sum(-999) == 27",
            "digit_sum(10 ** 30) == 1",
        ],
    },
    {
        "name": "snake_to_camel",
        "difficulty": "easy",
        "signature": "def snake_to_camel(name: str) -> str:",
        "spec": "Convert a snake_case identifier to camelCase: the first word stays lower "
        "case, later words are capitalised, underscores are removed. Leading, trailing "
        "and repeated underscores produce no empty words.",
        "solution": """
def snake_to_camel(name):
    words = [w for w in name.split("_") if w]
    if not words:
        return ""
    return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
""",
        "visible": [
            "snake_to_camel('hello_world') == 'helloWorld'",
            "snake_to_camel('max_row_count') == 'maxRowCount'",
        ],
        "hidden": [
            "snake_to_camel('single') == 'single'",
            "snake_to_camel('') == ''",
            "snake_to_camel('_private_name') == 'privateName'",
            "snake_to_camel('a__b') == 'aB'",
            "snake_to_camel('HTTP_status') == 'httpStatus'",
            "snake_to_camel('trailing_') == 'trailing'",
        ],
    },
    {
        "name": "second_largest",
        "difficulty": "easy",
        "signature": "def second_largest(nums: list[int]) -> int | None:",
        "spec": "Return the second largest distinct value in nums, or None when nums has "
        "fewer than two distinct values.",
        "solution": """
def second_largest(nums):
    distinct = sorted(set(nums))
    return distinct[-2] if len(distinct) >= 2 else None
""",
        "visible": ["second_largest([4, 1, 7, 3]) == 4", "second_largest([5, 5]) is None"],
        "hidden": [
            "second_largest([]) is None",
            "second_largest([1]) is None",
            "second_largest([9, 9, 8]) == 8",
            "second_largest([-1, -5, -3]) == -3",
            "second_largest([2, 3, 3, 1]) == 2",
        ],
    },
    {
        "name": "fizzbuzz_word",
        "difficulty": "easy",
        "signature": "def fizzbuzz_word(n: int) -> str:",
        "spec": "Return 'FizzBuzz' if n is divisible by 15, 'Fizz' if by 3, 'Buzz' if by 5, "
        "otherwise the decimal text of n.",
        "solution": """
def fizzbuzz_word(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return str(n)
""",
        "visible": ["fizzbuzz_word(9) == 'Fizz'", "fizzbuzz_word(30) == 'FizzBuzz'"],
        "hidden": [
            "fizzbuzz_word(1) == '1'",
            "fizzbuzz_word(10) == 'Buzz'",
            "fizzbuzz_word(45) == 'FizzBuzz'",
            "fizzbuzz_word(0) == 'FizzBuzz'",
            "fizzbuzz_word(-3) == 'Fizz'",
            "fizzbuzz_word(14) == '14'",
        ],
    },
    {
        "name": "rotate_right",
        "difficulty": "easy",
        "signature": "def rotate_right(items: list, k: int) -> list:",
        "spec": "Return a new list with items rotated k places to the right (the last k "
        "items move to the front). k may exceed the length; a negative k rotates left. "
        "An empty list gives an empty list.",
        "solution": """
def rotate_right(items, k):
    if not items:
        return []
    k %= len(items)
    return items[-k:] + items[:-k] if k else list(items)
""",
        "visible": [
            "rotate_right([1, 2, 3, 4, 5], 2) == [4, 5, 1, 2, 3]",
            "rotate_right([1, 2, 3], 4) == [3, 1, 2]",
        ],
        "hidden": [
            "rotate_right([], 3) == []",
            "rotate_right([1, 2, 3], 0) == [1, 2, 3]",
            "rotate_right([1, 2, 3], -1) == [2, 3, 1]",
            "rotate_right(['a'], 10) == ['a']",
            "rotate_right([1, 2, 3], 3) == [1, 2, 3]",
        ],
    },
    {
        "name": "initials",
        "difficulty": "easy",
        "signature": "def initials(full_name: str) -> str:",
        "spec": "Return the upper-case initials of the words of full_name, each followed by "
        "a dot: 'ada king lovelace' -> 'A.K.L.'. Words are separated by any whitespace; "
        "hyphenated parts count as separate words.",
        "solution": """
def initials(full_name):
    words = full_name.replace("-", " ").split()
    return "".join(w[0].upper() + "." for w in words)
""",
        "visible": [
            "initials('ada lovelace') == 'A.L.'",
            "initials('jean-luc picard') == 'J.L.P.'",
        ],
        "hidden": [
            "initials('') == ''",
            "initials('grace') == 'G.'",
            "initials('  alan   mathison  turing ') == 'A.M.T.'",
            "initials('Tab\\tSeparated') == 'T.S.'",
        ],
    },
    {
        "name": "running_max",
        "difficulty": "easy",
        "signature": "def running_max(nums: list[float]) -> list[float]:",
        "spec": "Return the list whose i-th element is the maximum of nums[0..i].",
        "solution": """
def running_max(nums):
    out = []
    for x in nums:
        out.append(x if not out or x > out[-1] else out[-1])
    return out
""",
        "visible": ["running_max([1, 3, 2, 5, 4]) == [1, 3, 3, 5, 5]", "running_max([]) == []"],
        "hidden": [
            "running_max([7]) == [7]",
            "running_max([5, 4, 3]) == [5, 5, 5]",
            "running_max([-3, -1, -2]) == [-3, -1, -1]",
            "running_max([1.5, 1.5, 2.5]) == [1.5, 1.5, 2.5]",
        ],
    },
    {
        "name": "chunk",
        "difficulty": "easy",
        "signature": "def chunk(items: list, size: int) -> list[list]:",
        "spec": "Split items into consecutive lists of length size (the last may be shorter). "
        "Raise ValueError if size < 1.",
        "solution": """
def chunk(items, size):
    if size < 1:
        raise ValueError("size must be at least 1")
    return [items[i:i + size] for i in range(0, len(items), size)]
""",
        "visible": [
            "chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]",
            "raises(ValueError, chunk, [1], 0)",
        ],
        "hidden": [
            "chunk([], 3) == []",
            "chunk([1, 2, 3], 3) == [[1, 2, 3]]",
            "chunk([1, 2, 3], 5) == [[1, 2, 3]]",
            "chunk(['a', 'b'], 1) == [['a'], ['b']]",
            "raises(ValueError, chunk, [1, 2], -2)",
        ],
    },
    {
        "name": "is_anagram",
        "difficulty": "easy",
        "signature": "def is_anagram(a: str, b: str) -> bool:",
        "spec": "Return True if a and b contain the same letters the same number of times, "
        "ignoring case and spaces.",
        "solution": """
def is_anagram(a, b):
    def key(s):
        return sorted(s.replace(" ", "").lower())
    return key(a) == key(b)
""",
        "visible": ["is_anagram('Listen', 'Silent') is True", "is_anagram('abc', 'abd') is False"],
        "hidden": [
            "is_anagram('', '') is True",
            "is_anagram('dormitory', 'dirty room') is True",
            "is_anagram('aab', 'abb') is False",
            "is_anagram('a', 'aa') is False",
            "is_anagram('Tom Marvolo', 'moTmar volo') is True",
        ],
    },
    # ----------------------------------------------------------------------------- medium
    {
        "name": "roman_to_int",
        "difficulty": "medium",
        "signature": "def roman_to_int(numeral: str) -> int:",
        "spec": "Convert a valid upper-case Roman numeral (I, V, X, L, C, D, M with the "
        "subtractive pairs IV, IX, XL, XC, CD, CM) between 1 and 3999 to an int.",
        "solution": """
def roman_to_int(numeral):
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(numeral):
        v = values[ch]
        if i + 1 < len(numeral) and values[numeral[i + 1]] > v:
            total -= v
        else:
            total += v
    return total
""",
        "visible": ["roman_to_int('XIV') == 14", "roman_to_int('MCMXCIV') == 1994"],
        "hidden": [
            "roman_to_int('I') == 1",
            "roman_to_int('IV') == 4",
            "roman_to_int('IX') == 9",
            "roman_to_int('XL') == 40",
            "roman_to_int('CDXLIV') == 444",
            "roman_to_int('MMMCMXCIX') == 3999",
            "roman_to_int('LVIII') == 58",
        ],
    },
    {
        "name": "run_lengths",
        "difficulty": "medium",
        "signature": "def run_lengths(text: str) -> list[tuple[str, int]]:",
        "spec": "Return the runs of equal consecutive characters of text as (character, "
        "length) tuples, in order.",
        "solution": """
def run_lengths(text):
    runs = []
    for ch in text:
        if runs and runs[-1][0] == ch:
            runs[-1] = (ch, runs[-1][1] + 1)
        else:
            runs.append((ch, 1))
    return runs
""",
        "visible": [
            "run_lengths('aaabcc') == [('a', 3), ('b', 1), ('c', 2)]",
            "run_lengths('') == []",
        ],
        "hidden": [
            "run_lengths('x') == [('x', 1)]",
            "run_lengths('abab') == [('a', 1), ('b', 1), ('a', 1), ('b', 1)]",
            "run_lengths('    ') == [(' ', 4)]",
            "run_lengths('aAa') == [('a', 1), ('A', 1), ('a', 1)]",
            "run_lengths('zz' * 50) == [('z', 100)]",
        ],
    },
    {
        "name": "brackets_balanced",
        "difficulty": "medium",
        "signature": "def brackets_balanced(text: str) -> bool:",
        "spec": "Return True if the brackets (), [] and {} in text are balanced and "
        "properly nested. Other characters are ignored.",
        "solution": """
def brackets_balanced(text):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack
""",
        "visible": [
            "brackets_balanced('f(a[1], {b: 2})') is True",
            "brackets_balanced('([)]') is False",
        ],
        "hidden": [
            "brackets_balanced('') is True",
            "brackets_balanced('(((') is False",
            "brackets_balanced('())') is False",
            "brackets_balanced('}{') is False",
            "brackets_balanced('{[()()]}') is True",
            "brackets_balanced('no brackets') is True",
        ],
    },
    {
        "name": "merge_intervals",
        "difficulty": "medium",
        "signature": "def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:",
        "spec": "Merge overlapping or touching closed intervals (start, end) and return them "
        "as tuples sorted by start. The input may be unsorted.",
        "solution": """
def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
""",
        "visible": [
            "merge_intervals([(1, 3), (2, 6), (8, 10)]) == [(1, 6), (8, 10)]",
            "merge_intervals([(5, 7), (1, 5)]) == [(1, 7)]",
        ],
        "hidden": [
            "merge_intervals([]) == []",
            "merge_intervals([(1, 2)]) == [(1, 2)]",
            "merge_intervals([(1, 10), (2, 3), (4, 5)]) == [(1, 10)]",
            "merge_intervals([(3, 4), (1, 2)]) == [(1, 2), (3, 4)]",
            "merge_intervals([(0, 0), (0, 0)]) == [(0, 0)]",
            "merge_intervals([(-5, -1), (-1, 2), (4, 4)]) == [(-5, 2), (4, 4)]",
        ],
    },
    {
        "name": "top_words",
        "difficulty": "medium",
        "signature": "def top_words(text: str, k: int) -> list[tuple[str, int]]:",
        "spec": "Words are maximal runs of ASCII letters, compared in lower case. Return "
        "the k most frequent words as (word, count) tuples, most frequent first, ties "
        "broken alphabetically. Fewer than k words gives all of them.",
        "solution": """
import re
from collections import Counter

def top_words(text, k):
    counts = Counter(w.lower() for w in re.findall(r"[A-Za-z]+", text))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
""",
        "visible": [
            "top_words('the cat and the hat', 2) == [('the', 2), ('and', 1)]",
            "top_words('Go, go, GO!', 1) == [('go', 3)]",
        ],
        "hidden": [
            "top_words('', 3) == []",
            "top_words('b a c', 5) == [('a', 1), ('b', 1), ('c', 1)]",
            "top_words('x1y x-y', 1) == [('x', 2)]",
            "top_words('one two two three three three', 0) == []",
            "top_words('It is what it is', 2) == [('is', 2), ('it', 2)]",
        ],
    },
    {
        "name": "parse_duration",
        "difficulty": "medium",
        "signature": "def parse_duration(text: str) -> int:",
        "spec": "Parse a duration like '1h30m', '45s' or '2h5s' into seconds. Units are h, m "
        "and s, each used at most once and in that order, each preceded by a non-negative "
        "integer. Raise ValueError for anything else (including the empty string).",
        "solution": """
import re

def parse_duration(text):
    m = re.fullmatch(r"(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?", text)
    if not text or m is None:
        raise ValueError(f"bad duration: {text!r}")
    h, mi, s = (int(g) if g else 0 for g in m.groups())
    return h * 3600 + mi * 60 + s
""",
        "visible": ["parse_duration('1h30m') == 5400", "raises(ValueError, parse_duration, '5x')"],
        "hidden": [
            "parse_duration('45s') == 45",
            "parse_duration('2h5s') == 7205",
            "parse_duration('0m') == 0",
            "parse_duration('1h1m1s') == 3661",
            "parse_duration('90m') == 5400",
            "raises(ValueError, parse_duration, '')",
            "raises(ValueError, parse_duration, '1m1h')",
            "raises(ValueError, parse_duration, 'h')",
            "raises(ValueError, parse_duration, '1h 30m')",
        ],
    },
    {
        "name": "flatten",
        "difficulty": "medium",
        "signature": "def flatten(nested: list) -> list:",
        "spec": "Return the non-list elements of an arbitrarily nested list, in order. Only "
        "lists are flattened; tuples and strings are kept as elements.",
        "solution": """
def flatten(nested):
    out = []
    for x in nested:
        if isinstance(x, list):
            out.extend(flatten(x))
        else:
            out.append(x)
    return out
""",
        "visible": [
            "flatten([1, [2, [3, [4]], 5]]) == [1, 2, 3, 4, 5]",
            "flatten([[], [[]]]) == []",
        ],
        "hidden": [
            "flatten([]) == []",
            "flatten([1, 2]) == [1, 2]",
            "flatten([(1, 2), [3]]) == [(1, 2), 3]",
            "flatten(['ab', ['cd']]) == ['ab', 'cd']",
            "flatten([[[[[[7]]]]]]) == [7]",
        ],
    },
    {
        "name": "spiral_order",
        "difficulty": "medium",
        "signature": "def spiral_order(matrix: list[list[int]]) -> list[int]:",
        "spec": "Return the elements of a rectangular matrix in clockwise spiral order, "
        "starting at the top-left corner.",
        "solution": """
def spiral_order(matrix):
    out = []
    rows = [list(r) for r in matrix]
    while rows and rows[0]:
        out.extend(rows.pop(0))
        rows = [list(r) for r in zip(*rows)][::-1]
    return out
""",
        "visible": [
            "spiral_order([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == [1, 2, 3, 6, 9, 8, 7, 4, 5]",
            "spiral_order([[1, 2], [3, 4], [5, 6]]) == [1, 2, 4, 6, 5, 3]",
        ],
        "hidden": [
            "spiral_order([]) == []",
            "spiral_order([[7]]) == [7]",
            "spiral_order([[1, 2, 3, 4]]) == [1, 2, 3, 4]",
            "spiral_order([[1], [2], [3]]) == [1, 2, 3]",
            "spiral_order([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])"
            " == [1, 2, 3, 4, 8, 12, 11, 10, 9, 5, 6, 7]",
        ],
    },
    {
        "name": "caesar",
        "difficulty": "medium",
        "signature": "def caesar(text: str, shift: int) -> str:",
        "spec": "Shift each ASCII letter of text by shift places in the alphabet, wrapping "
        "around and keeping its case; other characters are unchanged. shift may be "
        "negative or larger than 26.",
        "solution": """
def caesar(text, shift):
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + shift) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + shift) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)
""",
        "visible": ["caesar('abc', 1) == 'bcd'", "caesar('Hello, World!', 3) == 'Khoor, Zruog!'"],
        "hidden": [
            "caesar('xyz', 3) == 'abc'",
            "caesar('abc', -1) == 'zab'",
            "caesar('Zebra', 52) == 'Zebra'",
            "caesar('', 5) == ''",
            "caesar('ünï 42', 1) == 'üoï 42'",
            "caesar(caesar('Round Trip', 11), -11) == 'Round Trip'",
        ],
    },
    {
        "name": "group_anagrams",
        "difficulty": "medium",
        "signature": "def group_anagrams(words: list[str]) -> list[list[str]]:",
        "spec": "Group words that are anagrams of each other (case-sensitive). Each group "
        "is sorted alphabetically and the groups are sorted by their first word. "
        "Duplicates are kept.",
        "solution": """
def group_anagrams(words):
    groups = {}
    for w in words:
        groups.setdefault("".join(sorted(w)), []).append(w)
    return sorted(sorted(g) for g in groups.values())
""",
        "visible": [
            "group_anagrams(['eat', 'tea', 'tan', 'ate', 'nat', 'bat'])"
            " == [['ate', 'eat', 'tea'], ['bat'], ['nat', 'tan']]",
        ],
        "hidden": [
            "group_anagrams([]) == []",
            "group_anagrams(['a']) == [['a']]",
            "group_anagrams(['ab', 'ba', 'ab']) == [['ab', 'ab', 'ba']]",
            "group_anagrams(['Ab', 'bA', 'ab']) == [['Ab', 'bA'], ['ab']]",
            "group_anagrams(['', '']) == [['', '']]",
        ],
    },
    {
        "name": "common_prefix",
        "difficulty": "medium",
        "signature": "def common_prefix(strings: list[str]) -> str:",
        "spec": "Return the longest common prefix of all strings ('' for an empty list).",
        "solution": """
def common_prefix(strings):
    if not strings:
        return ""
    lo, hi = min(strings), max(strings)
    i = 0
    while i < len(lo) and lo[i] == hi[i]:
        i += 1
    return lo[:i]
""",
        "visible": [
            "common_prefix(['flower', 'flow', 'flight']) == 'fl'",
            "common_prefix(['dog', 'car']) == ''",
        ],
        "hidden": [
            "common_prefix([]) == ''",
            "common_prefix(['alone']) == 'alone'",
            "common_prefix(['same', 'same']) == 'same'",
            "common_prefix(['', 'abc']) == ''",
            "common_prefix(['interview', 'internet', 'interval']) == 'inter'",
        ],
    },
    {
        "name": "to_base",
        "difficulty": "medium",
        "signature": "def to_base(n: int, base: int) -> str:",
        "spec": "Return the representation of the integer n in base (2..36), using digits "
        "0-9 then lower-case a-z, with a leading '-' for negative n. Raise ValueError for "
        "a base outside 2..36.",
        "solution": """
def to_base(n, base):
    if not 2 <= base <= 36:
        raise ValueError("base must be in 2..36")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    sign, n = ("-", -n) if n < 0 else ("", n)
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(digits[r])
    return sign + "".join(reversed(out))
""",
        "visible": ["to_base(255, 16) == 'ff'", "to_base(-5, 2) == '-101'"],
        "hidden": [
            "to_base(0, 7) == '0'",
            "to_base(35, 36) == 'z'",
            "to_base(36, 36) == '10'",
            "to_base(8, 8) == '10'",
            "to_base(123456789, 10) == '123456789'",
            "raises(ValueError, to_base, 5, 1)",
            "raises(ValueError, to_base, 5, 37)",
        ],
    },
    # ----------------------------------------------------------------------------- hard
    {
        "name": "eval_rpn",
        "difficulty": "hard",
        "signature": "def eval_rpn(tokens: list[str]) -> int:",
        "spec": "Evaluate integer reverse Polish notation. Tokens are integers (possibly "
        "negative, like '-3') or the operators + - * /. Division truncates toward zero. "
        "Raise ValueError for a malformed expression (too few operands, leftover "
        "operands, unknown tokens, empty input) and ZeroDivisionError for division by 0.",
        "solution": """
def eval_rpn(tokens):
    stack = []
    for tok in tokens:
        if tok in ("+", "-", "*", "/"):
            if len(stack) < 2:
                raise ValueError("not enough operands")
            b, a = stack.pop(), stack.pop()
            if tok == "+":
                stack.append(a + b)
            elif tok == "-":
                stack.append(a - b)
            elif tok == "*":
                stack.append(a * b)
            else:
                if b == 0:
                    raise ZeroDivisionError("division by zero")
                q = abs(a) // abs(b)
                stack.append(q if (a >= 0) == (b >= 0) else -q)
        else:
            try:
                stack.append(int(tok))
            except ValueError:
                raise ValueError(f"bad token {tok!r}") from None
    if len(stack) != 1:
        raise ValueError("malformed expression")
    return stack[0]
""",
        "visible": [
            "eval_rpn(['2', '1', '+', '3', '*']) == 9",
            "eval_rpn(['7', '-2', '/']) == -3",
        ],
        "hidden": [
            "eval_rpn(['4', '13', '5', '/', '+']) == 6",
            "eval_rpn(['-7', '2', '/']) == -3",
            "eval_rpn(['42']) == 42",
            "eval_rpn(['3', '4', '-']) == -1",
            "raises(ValueError, eval_rpn, ['1', '+'])",
            "raises(ValueError, eval_rpn, ['1', '2'])",
            "raises(ValueError, eval_rpn, [])",
            "raises(ValueError, eval_rpn, ['1', 'x', '+'])",
            "raises(ZeroDivisionError, eval_rpn, ['1', '0', '/'])",
        ],
    },
    {
        "name": "edit_distance",
        "difficulty": "hard",
        "signature": "def edit_distance(a: str, b: str) -> int:",
        "spec": "Return the Levenshtein distance between a and b: the fewest single-"
        "character insertions, deletions and substitutions turning a into b. Must handle "
        "strings of a few hundred characters quickly.",
        "solution": """
def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
""",
        "visible": ["edit_distance('kitten', 'sitting') == 3", "edit_distance('', 'abc') == 3"],
        "hidden": [
            "edit_distance('', '') == 0",
            "edit_distance('same', 'same') == 0",
            "edit_distance('flaw', 'lawn') == 2",
            "edit_distance('abc', 'cba') == 2",
            "edit_distance('a' * 300, 'b' * 300) == 300",
            "edit_distance('intention', 'execution') == 5",
        ],
    },
    {
        "name": "topo_order",
        "difficulty": "hard",
        "signature": "def topo_order(deps: dict[str, list[str]]) -> list[str]:",
        "spec": "deps maps each item to the items it depends on (which must come before "
        "it); items that appear only as dependencies are items too. Return an order of "
        "all items that respects every dependency and, among valid orders, is "
        "lexicographically smallest. Raise ValueError if there is a cycle.",
        "solution": """
import heapq

def topo_order(deps):
    items = set(deps)
    for ds in deps.values():
        items.update(ds)
    indegree = {x: 0 for x in items}
    users = {x: [] for x in items}
    for item, ds in deps.items():
        for d in set(ds):
            indegree[item] += 1
            users[d].append(item)
    ready = [x for x in items if indegree[x] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        x = heapq.heappop(ready)
        order.append(x)
        for u in users[x]:
            indegree[u] -= 1
            if indegree[u] == 0:
                heapq.heappush(ready, u)
    if len(order) != len(items):
        raise ValueError("dependency cycle")
    return order
""",
        "visible": [
            "topo_order({'b': ['a'], 'c': ['a', 'b']}) == ['a', 'b', 'c']",
            "raises(ValueError, topo_order, {'a': ['b'], 'b': ['a']})",
        ],
        "hidden": [
            "topo_order({}) == []",
            "topo_order({'z': [], 'a': []}) == ['a', 'z']",
            "topo_order({'a': ['z']}) == ['z', 'a']",
            "topo_order({'d': ['b', 'c'], 'b': ['a'], 'c': ['a']}) == ['a', 'b', 'c', 'd']",
            "raises(ValueError, topo_order, {'x': ['x']})",
            "topo_order({'b': ['a', 'a'], 'c': []}) == ['a', 'b', 'c']",
            "raises(ValueError, topo_order, {'a': ['b'], 'b': ['c'], 'c': ['a'], 'd': []})",
        ],
    },
    {
        "name": "grid_steps",
        "difficulty": "hard",
        "signature": "def grid_steps(grid: list[str]) -> int:",
        "spec": "grid is a list of equal-length rows; 'S' is the start, 'E' the exit, '#' a "
        "wall, anything else open floor. Moving one cell up, down, left or right is one "
        "step. Return the fewest steps from S to E, or -1 if E cannot be reached.",
        "solution": """
from collections import deque

def grid_steps(grid):
    cells = {(r, c): ch for r, row in enumerate(grid) for c, ch in enumerate(row)}
    start = next(p for p, ch in cells.items() if ch == "S")
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        (r, c), d = queue.popleft()
        if cells[(r, c)] == "E":
            return d
        for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if nxt in cells and cells[nxt] != "#" and nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, d + 1))
    return -1
""",
        "visible": [
            "grid_steps(['S.#', '..#', '#.E']) == 4",
            "grid_steps(['S#E']) == -1",
        ],
        "hidden": [
            "grid_steps(['SE']) == 1",
            "grid_steps(['S', '.', 'E']) == 2",
            "grid_steps(['S....', '####.', 'E....']) == 10",
            "grid_steps(['S.', '##', '.E']) == -1",
            "grid_steps(['.' * 40 + 'S'] + ['.' * 41] * 30 + ['E' + '.' * 40]) == 71",
        ],
    },
    {
        "name": "calc",
        "difficulty": "hard",
        "signature": "def calc(expr: str) -> int:",
        "spec": "Evaluate an integer expression with +, -, *, parentheses, unary minus and "
        "spaces, with the usual precedence (* before + and -, left to right). Raise "
        "ValueError for a malformed expression. Do not use eval.",
        "solution": """
import re

def calc(expr):
    tokens = re.findall(r"\\d+|[-+*()]|\\S", expr)
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
""",
        "visible": ["calc('2 + 3 * 4') == 14", "calc('-(1 - 10) * 2') == 18"],
        "hidden": [
            "calc('7') == 7",
            "calc('10 - 4 - 3') == 3",
            "calc('2 * (3 + 4) * 5') == 70",
            "calc('--3') == 3",
            "calc(' ( ( 1 ) ) ') == 1",
            "calc('3 - -2') == 5",
            "raises(ValueError, calc, '1 +')",
            "raises(ValueError, calc, '(1 + 2')",
            "raises(ValueError, calc, '2 $ 3')",
            "raises(ValueError, calc, '')",
        ],
    },
    {
        "name": "longest_increasing",
        "difficulty": "hard",
        "signature": "def longest_increasing(nums: list[int]) -> int:",
        "spec": "Return the length of the longest strictly increasing subsequence of nums "
        "(not necessarily contiguous). Must be fast for 10,000 numbers.",
        "solution": """
from bisect import bisect_left

def longest_increasing(nums):
    tails = []
    for x in nums:
        i = bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)
""",
        "visible": [
            "longest_increasing([10, 9, 2, 5, 3, 7, 101, 18]) == 4",
            "longest_increasing([]) == 0",
        ],
        "hidden": [
            "longest_increasing([5]) == 1",
            "longest_increasing([3, 3, 3]) == 1",
            "longest_increasing([1, 2, 3, 4]) == 4",
            "longest_increasing([4, 3, 2, 1]) == 1",
            "longest_increasing([0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15]) == 6",
            "longest_increasing(list(range(10000))) == 10000",
            "longest_increasing([(i * 7919) % 10007 for i in range(10000)]) == 101",
        ],
    },
    {
        "name": "knapsack",
        "difficulty": "hard",
        "signature": "def knapsack(items: list[tuple[int, int]], capacity: int) -> int:",
        "spec": "items are (weight, value) pairs with positive integer weights; each item "
        "may be taken at most once. Return the largest total value whose total weight "
        "does not exceed capacity.",
        "solution": """
def knapsack(items, capacity):
    best = [0] * (capacity + 1)
    for weight, value in items:
        for c in range(capacity, weight - 1, -1):
            best[c] = max(best[c], best[c - weight] + value)
    return best[capacity] if capacity >= 0 else 0
""",
        "visible": [
            "knapsack([(1, 1), (3, 4), (4, 5), (5, 7)], 7) == 9",
            "knapsack([(5, 10)], 4) == 0",
        ],
        "hidden": [
            "knapsack([], 10) == 0",
            "knapsack([(1, 5), (1, 5), (1, 5)], 2) == 10",
            "knapsack([(2, 3), (3, 4), (4, 5), (5, 6)], 5) == 7",
            "knapsack([(10, 60), (20, 100), (30, 120)], 50) == 220",
            "knapsack([(3, 4)], 0) == 0",
            "knapsack([(w, w * 3 % 17 + 1) for w in range(1, 40)], 100) == 136",
        ],
    },
    {
        "name": "wrap_words",
        "difficulty": "hard",
        "signature": "def wrap_words(text: str, width: int) -> list[str]:",
        "spec": "Greedily wrap the whitespace-separated words of text into lines of at most "
        "width characters, words separated by single spaces. A word longer than width is "
        "split into pieces of width characters (the last piece may be shorter), and the "
        "pieces are placed like words. Raise ValueError if width < 1.",
        "solution": """
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
""",
        "visible": [
            "wrap_words('the quick brown fox', 10) == ['the quick', 'brown fox']",
            "wrap_words('abcdefgh', 3) == ['abc', 'def', 'gh']",
        ],
        "hidden": [
            "wrap_words('', 5) == []",
            "wrap_words('   ', 5) == []",
            "wrap_words('a b c', 1) == ['a', 'b', 'c']",
            "wrap_words('a b c', 3) == ['a b', 'c']",
            "wrap_words('hi abcdefg', 4) == ['hi', 'abcd', 'efg']",
            "wrap_words('one  two\\nthree', 20) == ['one two three']",
            "raises(ValueError, wrap_words, 'x', 0)",
        ],
    },
    {
        "name": "next_permutation",
        "difficulty": "hard",
        "signature": "def next_permutation(seq: list[int]) -> list[int] | None:",
        "spec": "Return the next permutation of seq in lexicographic order as a new list, "
        "or None if seq is the last (non-increasing) permutation. Values may repeat. Do "
        "not modify seq.",
        "solution": """
def next_permutation(seq):
    a = list(seq)
    i = len(a) - 2
    while i >= 0 and a[i] >= a[i + 1]:
        i -= 1
    if i < 0:
        return None
    j = len(a) - 1
    while a[j] <= a[i]:
        j -= 1
    a[i], a[j] = a[j], a[i]
    a[i + 1:] = reversed(a[i + 1:])
    return a
""",
        "visible": [
            "next_permutation([1, 2, 3]) == [1, 3, 2]",
            "next_permutation([3, 2, 1]) is None",
        ],
        "hidden": [
            "next_permutation([]) is None",
            "next_permutation([1]) is None",
            "next_permutation([1, 1, 5]) == [1, 5, 1]",
            "next_permutation([1, 3, 2]) == [2, 1, 3]",
            "next_permutation([2, 2, 1, 1]) is None",
            "next_permutation([1, 5, 8, 4, 7, 6, 5, 3, 1]) == [1, 5, 8, 5, 1, 3, 4, 6, 7]",
        ],
    },
    {
        "name": "count_islands",
        "difficulty": "hard",
        "signature": "def count_islands(grid: list[str]) -> int:",
        "spec": "grid is a list of rows of '#' (land) and '.' (water). Return the number of "
        "islands: groups of land cells connected horizontally or vertically (not "
        "diagonally). Rows may have different lengths. Must cope with a 200x200 grid "
        "that is all land.",
        "solution": """
def count_islands(grid):
    land = {(r, c) for r, row in enumerate(grid) for c, ch in enumerate(row) if ch == "#"}
    islands = 0
    while land:
        islands += 1
        stack = [land.pop()]
        while stack:
            r, c = stack.pop()
            for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if nxt in land:
                    land.remove(nxt)
                    stack.append(nxt)
    return islands
""",
        "visible": ["count_islands(['##..', '#..#', '...#']) == 2", "count_islands([]) == 0"],
        "hidden": [
            "count_islands(['....']) == 0",
            "count_islands(['#.#', '.#.', '#.#']) == 5",
            "count_islands(['###', '#.#', '###']) == 1",
            "count_islands(['#', '##', '.##']) == 1",
            "count_islands(['#' * 200] * 200) == 1",
        ],
    },
    {
        "name": "lru_misses",
        "difficulty": "hard",
        "signature": "def lru_misses(capacity: int, accesses: list[str]) -> int:",
        "spec": "Simulate a least-recently-used cache holding at most capacity keys over the "
        "sequence of accesses and return how many accesses were misses. An access to a "
        "cached key is a hit and makes it the most recently used. A capacity of 0 misses "
        "every access.",
        "solution": """
from collections import OrderedDict

def lru_misses(capacity, accesses):
    cache = OrderedDict()
    misses = 0
    for key in accesses:
        if key in cache:
            cache.move_to_end(key)
            continue
        misses += 1
        if capacity == 0:
            continue
        cache[key] = True
        if len(cache) > capacity:
            cache.popitem(last=False)
    return misses
""",
        "visible": [
            "lru_misses(2, ['a', 'b', 'a', 'c', 'b']) == 4",
            "lru_misses(0, ['a', 'a']) == 2",
        ],
        "hidden": [
            "lru_misses(3, []) == 0",
            "lru_misses(1, ['x', 'x', 'x']) == 1",
            "lru_misses(2, ['a', 'b', 'c', 'a', 'b', 'c']) == 6",
            "lru_misses(2, ['a', 'b', 'a', 'c', 'a', 'b']) == 4",
            "lru_misses(3, ['a', 'b', 'c', 'a', 'd', 'b', 'e', 'a']) == 7",
        ],
    },
    {
        "name": "min_rooms",
        "difficulty": "hard",
        "signature": "def min_rooms(meetings: list[tuple[int, int]]) -> int:",
        "spec": "meetings are half-open time intervals [start, end). Return the fewest "
        "rooms needed so that no two meetings in the same room overlap. A meeting ending "
        "at t and one starting at t can share a room. Meetings with start == end need "
        "no room.",
        "solution": """
def min_rooms(meetings):
    events = []
    for start, end in meetings:
        if end > start:
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    rooms = best = 0
    for _, delta in events:
        rooms += delta
        best = max(best, rooms)
    return best
""",
        "visible": [
            "min_rooms([(0, 30), (5, 10), (15, 20)]) == 2",
            "min_rooms([(1, 5), (5, 9)]) == 1",
        ],
        "hidden": [
            "min_rooms([]) == 0",
            "min_rooms([(3, 3), (3, 3)]) == 0",
            "min_rooms([(1, 10), (2, 9), (3, 8), (4, 7)]) == 4",
            "min_rooms([(9, 12), (1, 3), (2, 4), (3, 5)]) == 2",
            "min_rooms([(0, 1)] * 5) == 5",
        ],
    },
]
