"""Built-in "fix the bug(s)" tasks, written for agentgym.

Each record: ``name``, ``difficulty``, ``description`` (what the module is meant to do),
``buggy`` (the starter module), ``solution`` (the fixed module), ``visible`` (tests the
buggy module fails: the bug report) and ``hidden`` (tests that decide the score).
"""

from __future__ import annotations

__all__ = ["TASKS"]

TASKS: list[dict] = [
    # ----------------------------------------------------------------------------- easy
    {
        "name": "average",
        "difficulty": "easy",
        "description": "average(nums) returns the arithmetic mean of nums, or 0.0 for an "
        "empty list.",
        "buggy": """
def average(nums):
    if not nums:
        return 0.0
    return sum(nums) / (len(nums) - 1)
""",
        "solution": """
def average(nums):
    if not nums:
        return 0.0
    return sum(nums) / len(nums)
""",
        "visible": ["average([2, 4, 6]) == 4.0", "average([5]) == 5.0"],
        "hidden": [
            "average([]) == 0.0",
            "average([5]) == 5.0",
            "average([1, 2]) == 1.5",
            "average([-3, 3]) == 0.0",
            "approx(average([0.1, 0.2, 0.3]), 0.2)",
        ],
    },
    {
        "name": "palindrome",
        "difficulty": "easy",
        "description": "is_palindrome(text) tells whether text reads the same backwards, "
        "considering only letters and digits and ignoring case.",
        "buggy": """
def is_palindrome(text):
    chars = [ch for ch in text if ch.isalnum()]
    return chars == chars[::-1]
""",
        "solution": """
def is_palindrome(text):
    chars = [ch.lower() for ch in text if ch.isalnum()]
    return chars == chars[::-1]
""",
        "visible": [
            "is_palindrome('Racecar') is True",
            "is_palindrome('A man, a plan, a canal: Panama') is True",
        ],
        "hidden": [
            "is_palindrome('') is True",
            "is_palindrome('abca') is False",
            "is_palindrome('No lemon, no melon') is True",
            "is_palindrome('12321') is True",
            "is_palindrome('ab') is False",
        ],
    },
    {
        "name": "factorial",
        "difficulty": "easy",
        "description": "factorial(n) returns n! for n >= 0 and raises ValueError for negative n.",
        "buggy": """
def factorial(n):
    if n < 0:
        raise ValueError("negative")
    result = 1
    for k in range(1, n):
        result *= k
    return result
""",
        "solution": """
def factorial(n):
    if n < 0:
        raise ValueError("negative")
    result = 1
    for k in range(1, n + 1):
        result *= k
    return result
""",
        "visible": ["factorial(5) == 120", "factorial(3) == 6"],
        "hidden": [
            "factorial(0) == 1",
            "factorial(1) == 1",
            "factorial(10) == 3628800",
            "factorial(25) == 15511210043330985984000000",
            "raises(ValueError, factorial, -1)",
        ],
    },
    {
        "name": "word_count",
        "difficulty": "easy",
        "description": "count_words(text) returns the number of whitespace-separated words.",
        "buggy": """
def count_words(text):
    if not text:
        return 0
    return len(text.split(" "))
""",
        "solution": """
def count_words(text):
    return len(text.split())
""",
        "visible": ["count_words('two  spaces') == 2", "count_words('  padded  ') == 1"],
        "hidden": [
            "count_words('') == 0",
            "count_words('one') == 1",
            "count_words('a b c') == 3",
            "count_words('tab\\tand\\nnewline') == 3",
            "count_words('   ') == 0",
        ],
    },
    {
        "name": "first_max_index",
        "difficulty": "easy",
        "description": "max_index(nums) returns the index of the first occurrence of the "
        "largest value, or -1 for an empty list.",
        "buggy": """
def max_index(nums):
    best = -1
    for i, x in enumerate(nums):
        if best == -1 or x >= nums[best]:
            best = i
    return best
""",
        "solution": """
def max_index(nums):
    best = -1
    for i, x in enumerate(nums):
        if best == -1 or x > nums[best]:
            best = i
    return best
""",
        "visible": ["max_index([3, 7, 7, 1]) == 1", "max_index([2, 2, 2]) == 0"],
        "hidden": [
            "max_index([]) == -1",
            "max_index([5]) == 0",
            "max_index([1, 2, 3]) == 2",
            "max_index([9, 1, 9]) == 0",
            "max_index([-5, -2, -2, -9]) == 1",
        ],
    },
    {
        "name": "reverse_words",
        "difficulty": "easy",
        "description": "reverse_words(sentence) returns the words of sentence in reverse "
        "order, joined by single spaces.",
        "buggy": """
def reverse_words(sentence):
    return " ".join(sentence.split())[::-1]
""",
        "solution": """
def reverse_words(sentence):
    return " ".join(reversed(sentence.split()))
""",
        "visible": [
            "reverse_words('hello brave new world') == 'world new brave hello'",
            "reverse_words('ab cd') == 'cd ab'",
        ],
        "hidden": [
            "reverse_words('') == ''",
            "reverse_words('single') == 'single'",
            "reverse_words('  a   b  ') == 'b a'",
            "reverse_words('1 2 3') == '3 2 1'",
        ],
    },
    {
        "name": "temperature",
        "difficulty": "easy",
        "description": "c_to_f(c) converts Celsius to Fahrenheit and f_to_c(f) converts back.",
        "buggy": """
def c_to_f(c):
    return c * 5 / 9 + 32

def f_to_c(f):
    return (f - 32) * 5 / 9
""",
        "solution": """
def c_to_f(c):
    return c * 9 / 5 + 32

def f_to_c(f):
    return (f - 32) * 5 / 9
""",
        "visible": ["c_to_f(100) == 212", "c_to_f(-40) == -40"],
        "hidden": [
            "c_to_f(0) == 32",
            "f_to_c(212) == 100",
            "f_to_c(32) == 0",
            "approx(c_to_f(37), 98.6)",
            "approx(f_to_c(c_to_f(21.5)), 21.5)",
        ],
    },
    {
        "name": "last_items",
        "difficulty": "easy",
        "description": "last_n(items, n) returns the last n items of the list (all of them "
        "if n exceeds the length, none if n is 0); negative n raises ValueError.",
        "buggy": """
def last_n(items, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    return items[-n:]
""",
        "solution": """
def last_n(items, n):
    if n < 0:
        raise ValueError("n must be >= 0")
    return items[len(items) - n:] if n < len(items) else list(items)
""",
        "visible": ["last_n([1, 2, 3], 0) == []", "last_n(['a', 'b'], 0) == []"],
        "hidden": [
            "last_n([1, 2, 3], 2) == [2, 3]",
            "last_n([1, 2, 3], 3) == [1, 2, 3]",
            "last_n([1, 2, 3], 10) == [1, 2, 3]",
            "last_n([4], 0) == []",
            "raises(ValueError, last_n, [1], -1)",
        ],
    },
    {
        "name": "title_case",
        "difficulty": "easy",
        "description": "title_case(text) capitalises the first letter of every word and "
        "lower-cases the rest; words are separated by single spaces, which are kept.",
        "buggy": """
def title_case(text):
    return text[:1].upper() + text[1:].lower()
""",
        "solution": """
def title_case(text):
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))
""",
        "visible": ["title_case('hello world') == 'Hello World'", "title_case('a b') == 'A B'"],
        "hidden": [
            "title_case('') == ''",
            "title_case('PYTHON') == 'Python'",
            "title_case('the lord of the rings') == 'The Lord Of The Rings'",
            "title_case('x') == 'X'",
        ],
    },
    {
        "name": "gcd",
        "difficulty": "easy",
        "description": "gcd(a, b) returns the greatest common divisor of two non-negative "
        "integers (gcd(0, 0) == 0); lcm(a, b) the least common multiple (0 if either is 0).",
        "buggy": """
def gcd(a, b):
    while b:
        a, b = b, a // b
    return a

def lcm(a, b):
    if a == 0 or b == 0:
        return 0
    return a * b // gcd(a, b)
""",
        "solution": """
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a

def lcm(a, b):
    if a == 0 or b == 0:
        return 0
    return a * b // gcd(a, b)
""",
        "visible": ["gcd(12, 18) == 6", "lcm(4, 6) == 12"],
        "hidden": [
            "gcd(0, 0) == 0",
            "gcd(7, 0) == 7",
            "gcd(0, 9) == 9",
            "gcd(17, 5) == 1",
            "gcd(100, 75) == 25",
            "lcm(0, 3) == 0",
            "lcm(21, 6) == 42",
        ],
    },
    # ----------------------------------------------------------------------------- medium
    {
        "name": "stats",
        "difficulty": "medium",
        "description": "A small statistics module: mean, median (the average of the two "
        "middle values for an even count) and mode (the most common value, the smallest "
        "on ties). All raise ValueError for an empty list.",
        "buggy": """
from collections import Counter

def mean(xs):
    if not xs:
        raise ValueError("empty")
    return sum(xs) / len(xs)

def median(xs):
    if not xs:
        raise ValueError("empty")
    s = sorted(xs)
    mid = len(s) // 2
    if len(s) % 2:
        return s[mid]
    return (s[mid] + s[mid + 1]) / 2

def mode(xs):
    if not xs:
        raise ValueError("empty")
    counts = Counter(xs)
    return max(counts, key=lambda x: counts[x])
""",
        "solution": """
from collections import Counter

def mean(xs):
    if not xs:
        raise ValueError("empty")
    return sum(xs) / len(xs)

def median(xs):
    if not xs:
        raise ValueError("empty")
    s = sorted(xs)
    mid = len(s) // 2
    if len(s) % 2:
        return s[mid]
    return (s[mid - 1] + s[mid]) / 2

def mode(xs):
    if not xs:
        raise ValueError("empty")
    counts = Counter(xs)
    return min(counts, key=lambda x: (-counts[x], x))
""",
        "visible": ["median([4, 1, 3, 2]) == 2.5", "mode([3, 1, 3, 1, 2]) == 1"],
        "hidden": [
            "mean([1, 2, 3, 4]) == 2.5",
            "median([5, 1, 3]) == 3",
            "median([1, 2]) == 1.5",
            "median([7]) == 7",
            "mode([4, 4, 2]) == 4",
            "mode([9, 8, 7]) == 7",
            "raises(ValueError, mean, [])",
            "raises(ValueError, median, [])",
            "raises(ValueError, mode, [])",
        ],
    },
    {
        "name": "inventory",
        "difficulty": "medium",
        "description": "Inventory helpers over dicts of item -> quantity. Each returns a new "
        "dict and leaves its argument alone. remove_item drops an item whose quantity "
        "reaches 0 and raises ValueError when removing more than is in stock (or an "
        "unknown item).",
        "buggy": """
def add_item(inventory, name, qty):
    new = dict(inventory)
    new[name] = new.get(name, 0) + qty
    return new

def remove_item(inventory, name, qty):
    new = inventory
    have = new.get(name, 0)
    if qty > have:
        raise ValueError(f"only {have} of {name}")
    new[name] = have - qty
    return new

def total(inventory):
    return sum(inventory.values())
""",
        "solution": """
def add_item(inventory, name, qty):
    new = dict(inventory)
    new[name] = new.get(name, 0) + qty
    return new

def remove_item(inventory, name, qty):
    new = dict(inventory)
    have = new.get(name, 0)
    if qty > have or name not in new:
        raise ValueError(f"only {have} of {name}")
    new[name] = have - qty
    if new[name] == 0:
        del new[name]
    return new

def total(inventory):
    return sum(inventory.values())
""",
        "visible": [
            "remove_item({'apple': 2}, 'apple', 2) == {}",
            "remove_item({'a': 1, 'b': 3}, 'a', 1) == {'b': 3}",
        ],
        "hidden": [
            "add_item({}, 'pear', 3) == {'pear': 3}",
            "add_item({'pear': 1}, 'pear', 3) == {'pear': 4}",
            "remove_item({'a': 5}, 'a', 2) == {'a': 3}",
            "remove_item({'a': 5, 'b': 1}, 'b', 1) == {'a': 5}",
            "raises(ValueError, remove_item, {'a': 1}, 'a', 2)",
            "raises(ValueError, remove_item, {}, 'ghost', 0)",
            "total({'a': 2, 'b': 5}) == 7",
            "total({}) == 0",
        ],
    },
    {
        "name": "binary_search",
        "difficulty": "medium",
        "description": "find(items, target) returns an index of target in the sorted list "
        "items using binary search, or -1 if it is absent.",
        "buggy": """
def find(items, target):
    lo, hi = 0, len(items) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
""",
        "solution": """
def find(items, target):
    lo, hi = 0, len(items) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
""",
        "visible": ["find([1, 3, 5, 7], 7) == 3", "find([4], 4) == 0"],
        "hidden": [
            "find([], 1) == -1",
            "find([1, 3, 5, 7], 1) == 0",
            "find([1, 3, 5, 7], 5) == 2",
            "find([1, 3, 5, 7], 4) == -1",
            "find([1, 3, 5, 7], 8) == -1",
            "find(list(range(0, 1000, 2)), 998) == 499",
        ],
    },
    {
        "name": "calendar",
        "difficulty": "medium",
        "description": "days_in_month(year, month) and day_of_year(year, month, day) for the "
        "Gregorian calendar (leap years: divisible by 4, except centuries not divisible "
        "by 400).",
        "buggy": """
def is_leap(year):
    return year % 4 == 0

def days_in_month(year, month):
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31

def day_of_year(year, month, day):
    return sum(days_in_month(year, m) for m in range(1, month + 1)) + day
""",
        "solution": """
def is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)

def days_in_month(year, month):
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31

def day_of_year(year, month, day):
    return sum(days_in_month(year, m) for m in range(1, month)) + day
""",
        "visible": ["day_of_year(2023, 1, 1) == 1", "days_in_month(1900, 2) == 28"],
        "hidden": [
            "days_in_month(2024, 2) == 29",
            "days_in_month(2000, 2) == 29",
            "days_in_month(2023, 4) == 30",
            "days_in_month(2023, 12) == 31",
            "day_of_year(2023, 3, 1) == 60",
            "day_of_year(2024, 12, 31) == 366",
            "day_of_year(2100, 3, 1) == 60",
        ],
    },
    {
        "name": "csv_line",
        "difficulty": "medium",
        "description": "parse_line(line) splits one CSV line on commas. A field may be "
        "wrapped in double quotes, in which case it may contain commas, and a doubled "
        "quote inside it stands for one quote character; the wrapping quotes are removed.",
        "buggy": """
def parse_line(line):
    fields, field, quoted, i = [], "", False, 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == '"' and i + 1 < len(line) and line[i + 1] == '"':
                field += '"'
                i += 1
            elif ch == '"':
                quoted = False
                field += ch
            else:
                field += ch
        elif ch == '"':
            quoted = True
            field += ch
        elif ch == ",":
            fields.append(field)
            field = ""
        else:
            field += ch
        i += 1
    fields.append(field)
    return fields
""",
        "solution": """
def parse_line(line):
    fields, field, quoted, i = [], "", False, 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == '"' and i + 1 < len(line) and line[i + 1] == '"':
                field += '"'
                i += 1
            elif ch == '"':
                quoted = False
            else:
                field += ch
        elif ch == '"':
            quoted = True
        elif ch == ",":
            fields.append(field)
            field = ""
        else:
            field += ch
        i += 1
    fields.append(field)
    return fields
""",
        "visible": [
            "parse_line('a,\"b,c\",d') == ['a', 'b,c', 'd']",
            'parse_line(\'"say ""hi"""\') == [\'say "hi"\']',
        ],
        "hidden": [
            "parse_line('') == ['']",
            "parse_line('a,b') == ['a', 'b']",
            "parse_line('a,,b') == ['a', '', 'b']",
            "parse_line('\"\"') == ['']",
            "parse_line('x,\"1,2,3\"') == ['x', '1,2,3']",
            "parse_line('trailing,') == ['trailing', '']",
        ],
    },
    {
        "name": "ledger",
        "difficulty": "medium",
        "description": "apply(balance, transactions) applies ('deposit' | 'withdraw', "
        "amount) pairs in order and returns the final balance; a withdrawal larger than "
        "the current balance is skipped. rejected(balance, transactions) returns the "
        "indices of the skipped withdrawals.",
        "buggy": """
def _run(balance, transactions):
    skipped = []
    for i, (kind, amount) in enumerate(transactions):
        if kind == "deposit":
            balance += amount
        elif kind == "withdraw":
            if amount > balance:
                skipped.append(i)
            balance -= amount
    return balance, skipped

def apply(balance, transactions):
    return _run(balance, transactions)[0]

def rejected(balance, transactions):
    return _run(balance, transactions)[1]
""",
        "solution": """
def _run(balance, transactions):
    skipped = []
    for i, (kind, amount) in enumerate(transactions):
        if kind == "deposit":
            balance += amount
        elif kind == "withdraw":
            if amount > balance:
                skipped.append(i)
            else:
                balance -= amount
    return balance, skipped

def apply(balance, transactions):
    return _run(balance, transactions)[0]

def rejected(balance, transactions):
    return _run(balance, transactions)[1]
""",
        "visible": [
            "apply(10, [('withdraw', 50)]) == 10",
            "apply(0, [('withdraw', 5), ('deposit', 5), ('withdraw', 5)]) == 0",
        ],
        "hidden": [
            "apply(0, []) == 0",
            "apply(5, [('deposit', 10), ('withdraw', 3)]) == 12",
            "apply(10, [('withdraw', 10)]) == 0",
            "rejected(10, [('withdraw', 50), ('withdraw', 5), ('withdraw', 6)]) == [0, 2]",
            "rejected(0, [('deposit', 1)]) == []",
            "apply(1, [('withdraw', 2), ('deposit', 1), ('withdraw', 2)]) == 0",
        ],
    },
    {
        "name": "truncate",
        "difficulty": "medium",
        "description": "truncate(text, width) returns text unchanged if it fits in width "
        "characters, otherwise its beginning followed by '...' so that the result is "
        "exactly width characters long. width must be at least 3 (ValueError otherwise).",
        "buggy": """
def truncate(text, width):
    if width < 3:
        raise ValueError("width must be >= 3")
    if len(text) < width:
        return text
    return text[:width] + "..."
""",
        "solution": """
def truncate(text, width):
    if width < 3:
        raise ValueError("width must be >= 3")
    if len(text) <= width:
        return text
    return text[:width - 3] + "..."
""",
        "visible": [
            "truncate('hello world', 8) == 'hello...'",
            "truncate('exact', 5) == 'exact'",
        ],
        "hidden": [
            "truncate('', 3) == ''",
            "truncate('abcd', 3) == '...'",
            "truncate('short', 10) == 'short'",
            "len(truncate('x' * 100, 20)) == 20",
            "raises(ValueError, truncate, 'abc', 2)",
        ],
    },
    {
        "name": "merge_sorted",
        "difficulty": "medium",
        "description": "merge(a, b) merges two sorted lists into one sorted list (stable: "
        "on ties, items of a come first).",
        "buggy": """
def merge(a, b):
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if b[j] < a[i]:
            out.append(b[j])
            j += 1
        else:
            out.append(a[i])
            i += 1
    return out + a[i:]
""",
        "solution": """
def merge(a, b):
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if b[j] < a[i]:
            out.append(b[j])
            j += 1
        else:
            out.append(a[i])
            i += 1
    return out + a[i:] + b[j:]
""",
        "visible": ["merge([1, 2], [3, 4]) == [1, 2, 3, 4]", "merge([], [1]) == [1]"],
        "hidden": [
            "merge([], []) == []",
            "merge([1], []) == [1]",
            "merge([1, 4, 9], [2, 3, 10]) == [1, 2, 3, 4, 9, 10]",
            "merge([5, 6], [1, 2]) == [1, 2, 5, 6]",
            "merge([1, 1], [1]) == [1, 1, 1]",
        ],
    },
    {
        "name": "histogram",
        "difficulty": "medium",
        "description": "histogram(values, bins, lo, hi) counts values into bins equal-width "
        "bins over [lo, hi]; the last bin includes hi; values outside [lo, hi] are "
        "ignored.",
        "buggy": """
def histogram(values, bins, lo, hi):
    counts = [0] * bins
    width = (hi - lo) / bins
    for v in values:
        if lo <= v < hi:
            counts[int((v - lo) / width)] += 1
    return counts
""",
        "solution": """
def histogram(values, bins, lo, hi):
    counts = [0] * bins
    width = (hi - lo) / bins
    for v in values:
        if lo <= v <= hi:
            counts[min(int((v - lo) / width), bins - 1)] += 1
    return counts
""",
        "visible": [
            "histogram([0, 5, 10], 2, 0, 10) == [1, 2]",
            "histogram([1.0], 1, 0, 1) == [1]",
        ],
        "hidden": [
            "histogram([], 3, 0, 3) == [0, 0, 0]",
            "histogram([0, 1, 2], 3, 0, 3) == [1, 1, 1]",
            "histogram([-1, 11], 2, 0, 10) == [0, 0]",
            "histogram([2.5, 7.5, 7.6], 4, 0, 10) == [0, 1, 0, 2]",
            "histogram([3], 3, 0, 3) == [0, 0, 1]",
        ],
    },
    {
        "name": "normalize_path",
        "difficulty": "medium",
        "description": "normalize(path) simplifies a Unix-style path: repeated slashes "
        "collapse, '.' parts are dropped, '..' removes the previous part ('..' at the root "
        "of an absolute path stays at the root; leading '..' of a relative path is kept). "
        "An absolute path keeps its leading '/'; an empty relative result is '.'.",
        "buggy": """
def normalize(path):
    absolute = path.startswith("/")
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    result = "/".join(parts)
    return "/" + result if absolute else result
""",
        "solution": """
def normalize(path):
    absolute = path.startswith("/")
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not absolute:
                parts.append("..")
            continue
        parts.append(part)
    result = "/".join(parts)
    if absolute:
        return "/" + result
    return result or "."
""",
        "visible": ["normalize('../a/b') == '../a/b'", "normalize('a/..') == '.'"],
        "hidden": [
            "normalize('/a//b/./c/') == '/a/b/c'",
            "normalize('/../x') == '/x'",
            "normalize('/') == '/'",
            "normalize('a/b/../../..') == '..'",
            "normalize('../../x/../y') == '../../y'",
            "normalize('') == '.'",
            "normalize('/a/b/..') == '/a'",
        ],
    },
    # ----------------------------------------------------------------------------- hard
    {
        "name": "arith_eval",
        "difficulty": "hard",
        "description": "tokenize(expr) splits an arithmetic expression into integer and "
        "operator tokens (ints as int, operators and parentheses as str, spaces "
        "skipped); evaluate(expr) computes it with + - * // and parentheses, usual "
        "precedence, left-associative.",
        "buggy": """
def tokenize(expr):
    tokens = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isdigit():
            tokens.append(int(ch))
        elif ch == "/" and expr[i:i + 2] == "//":
            tokens.append("//")
            i += 1
        elif ch in "+-*()":
            tokens.append(ch)
        elif not ch.isspace():
            raise ValueError(f"bad character {ch!r}")
        i += 1
    return tokens

def evaluate(expr):
    tokens = tokenize(expr)
    pos = 0

    def atom():
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            value = expression()
            pos += 1
            return value
        return tok

    def term():
        nonlocal pos
        value = atom()
        while pos < len(tokens) and tokens[pos] in ("*", "//"):
            op = tokens[pos]
            pos += 1
            rhs = atom()
            value = value * rhs if op == "*" else value // rhs
        return value

    def expression():
        nonlocal pos
        value = term()
        if pos < len(tokens) and tokens[pos] in ("+", "-"):
            op = tokens[pos]
            pos += 1
            rhs = expression()
            value = value + rhs if op == "+" else value - rhs
        return value

    return expression()
""",
        "solution": """
def tokenize(expr):
    tokens = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isdigit():
            j = i
            while j < len(expr) and expr[j].isdigit():
                j += 1
            tokens.append(int(expr[i:j]))
            i = j
            continue
        elif ch == "/" and expr[i:i + 2] == "//":
            tokens.append("//")
            i += 1
        elif ch in "+-*()":
            tokens.append(ch)
        elif not ch.isspace():
            raise ValueError(f"bad character {ch!r}")
        i += 1
    return tokens

def evaluate(expr):
    tokens = tokenize(expr)
    pos = 0

    def atom():
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            value = expression()
            pos += 1
            return value
        return tok

    def term():
        nonlocal pos
        value = atom()
        while pos < len(tokens) and tokens[pos] in ("*", "//"):
            op = tokens[pos]
            pos += 1
            rhs = atom()
            value = value * rhs if op == "*" else value // rhs
        return value

    def expression():
        nonlocal pos
        value = term()
        while pos < len(tokens) and tokens[pos] in ("+", "-"):
            op = tokens[pos]
            pos += 1
            rhs = term()
            value = value + rhs if op == "+" else value - rhs
        return value

    return expression()
""",
        "visible": ["tokenize('12+3') == [12, '+', 3]", "evaluate('10 - 2 - 3') == 5"],
        "hidden": [
            "tokenize('(1 // 2)') == ['(', 1, '//', 2, ')']",
            "tokenize('') == []",
            "evaluate('2 + 3 * 4') == 14",
            "evaluate('100 // 7 // 2') == 7",
            "evaluate('(1 + 2) * 30') == 90",
            "evaluate('8 - 3 + 2') == 7",
            "evaluate('42') == 42",
            "raises(ValueError, tokenize, '1 & 2')",
        ],
    },
    {
        "name": "lru_trace",
        "difficulty": "hard",
        "description": "trace(capacity, keys) simulates a least-recently-used cache of the "
        "given capacity (>= 1) and returns 'hit' or 'miss' for each access. A hit makes "
        "the key the most recently used; a miss on a full cache evicts the least "
        "recently used key.",
        "buggy": """
def trace(capacity, keys):
    cache = []
    out = []
    for key in keys:
        if key in cache:
            out.append("hit")
            continue
        out.append("miss")
        if len(cache) == capacity:
            cache.pop()
        cache.append(key)
    return out
""",
        "solution": """
def trace(capacity, keys):
    cache = []
    out = []
    for key in keys:
        if key in cache:
            out.append("hit")
            cache.remove(key)
            cache.append(key)
            continue
        out.append("miss")
        if len(cache) == capacity:
            cache.pop(0)
        cache.append(key)
    return out
""",
        "visible": [
            "trace(2, ['a', 'b', 'c', 'a']) == ['miss', 'miss', 'miss', 'miss']",
            "trace(2, ['a', 'b', 'c', 'b']) == ['miss', 'miss', 'miss', 'hit']",
        ],
        "hidden": [
            "trace(1, []) == []",
            "trace(1, ['x', 'x']) == ['miss', 'hit']",
            "trace(2, ['a', 'b', 'a', 'c', 'b']) == ['miss', 'miss', 'hit', 'miss', 'miss']",
            "trace(3, ['a', 'b', 'c', 'a', 'd', 'b']) == "
            "['miss', 'miss', 'miss', 'hit', 'miss', 'miss']",
            "trace(3, ['a', 'b', 'c', 'b', 'a', 'd', 'c'])[-1] == 'miss'",
        ],
    },
    {
        "name": "dijkstra",
        "difficulty": "hard",
        "description": "distances(n, edges, source) returns the shortest distance from "
        "source to each of the nodes 0..n-1 in a directed graph with non-negative edge "
        "weights, edges given as (u, v, w); unreachable nodes get -1.",
        "buggy": """
import heapq

def distances(n, edges, source):
    graph = [[] for _ in range(n)]
    for u, v, w in edges:
        graph[u].append((v, w))
    dist = [None] * n
    dist[source] = 0
    heap = [(0, source)]
    done = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for v, w in graph[u]:
            if v not in done and (dist[v] is None or d + w < dist[v]):
                dist[v] = w
                heapq.heappush(heap, (w, v))
    return dist
""",
        "solution": """
import heapq

def distances(n, edges, source):
    graph = [[] for _ in range(n)]
    for u, v, w in edges:
        graph[u].append((v, w))
    dist = [None] * n
    dist[source] = 0
    heap = [(0, source)]
    done = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for v, w in graph[u]:
            if v not in done and (dist[v] is None or d + w < dist[v]):
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return [-1 if d is None else d for d in dist]
""",
        "visible": [
            "distances(3, [(0, 1, 2), (1, 2, 3)], 0) == [0, 2, 5]",
            "distances(2, [], 0) == [0, -1]",
        ],
        "hidden": [
            "distances(1, [], 0) == [0]",
            "distances(3, [(0, 2, 10), (0, 1, 1), (1, 2, 1)], 0) == [0, 1, 2]",
            "distances(3, [(1, 0, 1)], 0) == [0, -1, -1]",
            "distances(4, [(0, 1, 5), (1, 2, 0), (2, 3, 5), (0, 3, 11)], 0) == [0, 5, 5, 10]",
            "distances(3, [(0, 1, 4), (0, 1, 2), (1, 2, 2)], 2) == [-1, -1, 0]",
        ],
    },
    {
        "name": "union_length",
        "difficulty": "hard",
        "description": "covered(intervals) returns the total length covered by the union of "
        "closed intervals (start, end) with start <= end, given in any order.",
        "buggy": """
def covered(intervals):
    total = 0
    current = None
    for start, end in intervals:
        if current is None:
            current = [start, end]
        elif start <= current[1]:
            current[1] = end
        else:
            total += current[1] - current[0]
            current = [start, end]
    if current is not None:
        total += current[1] - current[0]
    return total
""",
        "solution": """
def covered(intervals):
    total = 0
    current = None
    for start, end in sorted(intervals):
        if current is None:
            current = [start, end]
        elif start <= current[1]:
            current[1] = max(current[1], end)
        else:
            total += current[1] - current[0]
            current = [start, end]
    if current is not None:
        total += current[1] - current[0]
    return total
""",
        "visible": ["covered([(5, 8), (1, 3)]) == 5", "covered([(1, 10), (2, 3)]) == 9"],
        "hidden": [
            "covered([]) == 0",
            "covered([(0, 4)]) == 4",
            "covered([(1, 3), (2, 5)]) == 4",
            "covered([(4, 6), (1, 2), (2, 4)]) == 5",
            "covered([(0, 10), (1, 2), (3, 4), (12, 13)]) == 11",
            "covered([(2, 2), (2, 2)]) == 0",
        ],
    },
    {
        "name": "matrix",
        "difficulty": "hard",
        "description": "Integer matrix helpers on lists of rows: identity(n), matmul(a, b) "
        "(a is m x k, b is k x n; ValueError if the shapes do not fit) and power(m, k), "
        "the k-th power of a square matrix for k >= 0 (power(m, 0) is the identity).",
        "buggy": """
def identity(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]

def matmul(a, b):
    if len(a[0]) != len(b):
        raise ValueError("shape mismatch")
    return [
        [sum(a[i][t] * b[j][t] for t in range(len(b))) for j in range(len(b[0]))]
        for i in range(len(a))
    ]

def power(m, k):
    result = m
    for _ in range(k - 1):
        result = matmul(result, m)
    return result
""",
        "solution": """
def identity(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]

def matmul(a, b):
    if len(a[0]) != len(b):
        raise ValueError("shape mismatch")
    return [
        [sum(a[i][t] * b[t][j] for t in range(len(b))) for j in range(len(b[0]))]
        for i in range(len(a))
    ]

def power(m, k):
    result = identity(len(m))
    base = m
    while k:
        if k & 1:
            result = matmul(result, base)
        base = matmul(base, base)
        k >>= 1
    return result
""",
        "visible": [
            "matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]) == [[19, 22], [43, 50]]",
            "power([[2, 0], [0, 3]], 0) == [[1, 0], [0, 1]]",
        ],
        "hidden": [
            "identity(2) == [[1, 0], [0, 1]]",
            "matmul([[1, 2, 3]], [[1], [2], [3]]) == [[14]]",
            "matmul([[1], [2]], [[3, 4]]) == [[3, 4], [6, 8]]",
            "raises(ValueError, matmul, [[1, 2]], [[1, 2]])",
            "power([[1, 1], [1, 0]], 10) == [[89, 55], [55, 34]]",
            "power([[5]], 1) == [[5]]",
            "power([[1, 1], [1, 0]], 90)[0][1] == 2880067194370816120",
        ],
    },
    {
        "name": "query_string",
        "difficulty": "hard",
        "description": "encode(params) builds a URL query string from a dict of str -> str, "
        "keys sorted, with spaces as '+' and other characters outside A-Z a-z 0-9 and "
        "'-._~' percent-encoded as UTF-8; decode(query) parses one back into a dict "
        "(decode(encode(p)) == p).",
        "buggy": """
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
""",
        "solution": """
SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

def _quote(text):
    out = []
    for ch in text:
        if ch in SAFE:
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.extend("%%%02X" % b for b in ch.encode("utf-8"))
    return "".join(out)

def _unquote(text):
    data = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%":
            data.append(int(text[i + 1:i + 3], 16))
            i += 3
        elif text[i] == "+":
            data.extend(b" ")
            i += 1
        else:
            data.extend(text[i].encode())
            i += 1
    return data.decode("utf-8")

def encode(params):
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(params.items()))

def decode(query):
    result = {}
    for pair in query.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            result[_unquote(key)] = _unquote(value)
    return result
""",
        "visible": [
            "encode({'b': '2', 'a': '1'}) == 'a=1&b=2'",
            "decode('q=hello+world') == {'q': 'hello world'}",
        ],
        "hidden": [
            "encode({}) == ''",
            "encode({'q': 'a b&c'}) == 'q=a+b%26c'",
            "encode({'city': 'Zürich'}) == 'city=Z%C3%BCrich'",
            "decode('city=Z%C3%BCrich') == {'city': 'Zürich'}",
            "decode('') == {}",
            "decode(encode({'x': '1+1=2', 'y': '~ok_'})) == {'x': '1+1=2', 'y': '~ok_'}",
            "decode('flag=') == {'flag': ''}",
        ],
    },
    {
        "name": "roman",
        "difficulty": "hard",
        "description": "to_roman(n) converts 1..3999 to a Roman numeral using subtractive "
        "pairs (IV, IX, XL, XC, CD, CM); from_roman(s) converts back. to_roman raises "
        "ValueError outside 1..3999.",
        "buggy": """
PAIRS = [(1000, "M"), (500, "D"), (100, "C"), (50, "L"), (10, "X"), (5, "V"), (1, "I")]
VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}

def to_roman(n):
    if not 1 <= n <= 3999:
        raise ValueError("out of range")
    out = []
    for value, letters in PAIRS:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)

def from_roman(s):
    total = 0
    for i, ch in enumerate(s):
        total += VALUES[ch]
    return total
""",
        "solution": """
PAIRS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]
VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}

def to_roman(n):
    if not 1 <= n <= 3999:
        raise ValueError("out of range")
    out = []
    for value, letters in PAIRS:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)

def from_roman(s):
    total = 0
    for i, ch in enumerate(s):
        if i + 1 < len(s) and VALUES[s[i + 1]] > VALUES[ch]:
            total -= VALUES[ch]
        else:
            total += VALUES[ch]
    return total
""",
        "visible": ["to_roman(1994) == 'MCMXCIV'", "from_roman('XLII') == 42"],
        "hidden": [
            "to_roman(1) == 'I'",
            "to_roman(4) == 'IV'",
            "to_roman(3999) == 'MMMCMXCIX'",
            "from_roman('MMXXIV') == 2024",
            "from_roman('CDXLIV') == 444",
            "all(from_roman(to_roman(n)) == n for n in (1, 9, 14, 40, 90, 400, 1666, 2948))",
            "raises(ValueError, to_roman, 0)",
            "raises(ValueError, to_roman, 4000)",
        ],
    },
    {
        "name": "justify",
        "difficulty": "hard",
        "description": "wrap(text, width) greedily fills lines of at most width characters "
        "with the words of text (single spaces between words; a word longer than width "
        "gets a line of its own). justify(text, width) wraps, then pads every line but "
        "the last to exactly width by widening the gaps from the left (extra spaces go "
        "to the leftmost gaps); a line with one word is padded on the right.",
        "buggy": """
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
""",
        "solution": """
def wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) <= width:
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
            s += word + " " * (base + (1 if i < extra else 0))
        out.append(s + words[-1])
    return out
""",
        "visible": [
            "wrap('aaa bbb', 6) == ['aaa', 'bbb']",
            "justify('ab c d efghi', 7) == ['ab  c d', 'efghi  ']",
        ],
        "hidden": [
            "wrap('', 5) == []",
            "wrap('abcdefgh xy', 4) == ['abcdefgh', 'xy']",
            "wrap('one two three four', 9) == ['one two', 'three', 'four']",
            "justify('This is an example of text', 16) == ['This    is    an', 'example of text ']",
            "justify('a bb c dd e', 7) == ['a  bb c', 'dd e   ']",
            "justify('word', 6) == ['word  ']",
        ],
    },
    {
        "name": "scheduler",
        "difficulty": "hard",
        "description": "schedule(tasks) orders (name, priority, duration) tasks by priority "
        "(higher first), ties by name, and runs them back to back from time 0; it "
        "returns (name, start, finish) triples. makespan(tasks) is the finish time of "
        "the last task (0 if there are none).",
        "buggy": """
def schedule(tasks):
    order = sorted(tasks, key=lambda t: (t[1], t[0]))
    out, clock = [], 0
    for name, _, duration in order:
        out.append((name, clock, clock + duration))
        clock = duration
    return out

def makespan(tasks):
    plan = schedule(tasks)
    return plan[-1][2] if plan else 0
""",
        "solution": """
def schedule(tasks):
    order = sorted(tasks, key=lambda t: (-t[1], t[0]))
    out, clock = [], 0
    for name, _, duration in order:
        out.append((name, clock, clock + duration))
        clock += duration
    return out

def makespan(tasks):
    plan = schedule(tasks)
    return plan[-1][2] if plan else 0
""",
        "visible": [
            "schedule([('a', 1, 5), ('b', 2, 3)]) == [('b', 0, 3), ('a', 3, 8)]",
            "makespan([('x', 1, 2), ('y', 1, 2), ('z', 1, 2)]) == 6",
        ],
        "hidden": [
            "schedule([]) == []",
            "makespan([]) == 0",
            "schedule([('solo', 0, 4)]) == [('solo', 0, 4)]",
            "[t[0] for t in schedule([('b', 1, 1), ('a', 1, 1), ('c', 3, 1)])] == ['c', 'a', 'b']",
            "makespan([('a', 5, 10), ('b', 1, 1)]) == 11",
            "schedule([('p', 2, 0), ('q', 1, 3)]) == [('p', 0, 0), ('q', 0, 3)]",
        ],
    },
    {
        "name": "flood_fill",
        "difficulty": "hard",
        "description": "fill(grid, row, col, colour) flood-fills the region of equal "
        "characters containing (row, col) with colour, moving only up, down, left and "
        "right; grid is a list of equal-length strings and a new list is returned. "
        "region_size(grid, row, col) is the number of cells in that region.",
        "buggy": """
def _region(grid, row, col):
    target = grid[row][col]
    seen = {(row, col)}
    stack = [(row, col)]
    while stack:
        r, c = stack.pop()
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                nr, nc = r + dr, c + dc
                if 0 <= nr < len(grid) and 0 <= nc < len(grid[0]) and (nr, nc) not in seen:
                    if grid[nr][nc] == target:
                        seen.add((nr, nc))
                        stack.append((nr, nc))
    return seen

def fill(grid, row, col, colour):
    cells = _region(grid, row, col)
    return [
        "".join(colour if (r, c) in cells else ch for c, ch in enumerate(line))
        for r, line in enumerate(grid)
    ]

def region_size(grid, row, col):
    return len(_region(grid, row, col)) - 1
""",
        "solution": """
def _region(grid, row, col):
    target = grid[row][col]
    seen = {(row, col)}
    stack = [(row, col)]
    while stack:
        r, c = stack.pop()
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < len(grid) and 0 <= nc < len(grid[0]) and (nr, nc) not in seen:
                if grid[nr][nc] == target:
                    seen.add((nr, nc))
                    stack.append((nr, nc))
    return seen

def fill(grid, row, col, colour):
    cells = _region(grid, row, col)
    return [
        "".join(colour if (r, c) in cells else ch for c, ch in enumerate(line))
        for r, line in enumerate(grid)
    ]

def region_size(grid, row, col):
    return len(_region(grid, row, col))
""",
        "visible": [
            "fill(['a.', '.a'], 0, 0, 'x') == ['x.', '.a']",
            "region_size(['aa', 'ab'], 0, 0) == 3",
        ],
        "hidden": [
            "fill(['...'], 0, 1, '#') == ['###']",
            "fill(['ab', 'ba'], 1, 1, 'z') == ['ab', 'bz']",
            "fill(['aaa', 'aba', 'aaa'], 1, 1, 'c') == ['aaa', 'aca', 'aaa']",
            "fill(['aaa', 'aba', 'aaa'], 0, 0, 'c') == ['ccc', 'cbc', 'ccc']",
            "region_size(['x'], 0, 0) == 1",
            "region_size(['ab', 'ba'], 0, 0) == 1",
            "region_size(['.' * 30] * 30, 5, 5) == 900",
        ],
    },
]
