"""Word pools the apps draw their generated content from (names, topics, products)."""

from __future__ import annotations

import numpy as np

__all__ = ["FIRST", "LAST", "TOPICS", "people", "MONTHS", "wrap"]

FIRST = (
    "Alice Bruno Chen Dana Elif Farid Grace Hugo Ines Jonas Kira Luis Maya Nadia Omar Priya "
    "Quinn Rosa Sven Tara Umar Vera Wei Xena Yusuf Zoe"
).split()
LAST = (
    "Adams Baker Costa Diaz Evans Fischer Garcia Hansen Ito Jensen Kim Lopez Meyer Novak "
    "Okafor Patel Rossi Silva Tanaka Weber"
).split()
TOPICS = (
    "budget review|team lunch|quarterly report|project kickoff|travel plans|design mockups|"
    "server outage|hiring update|offsite agenda|invoice 4471|contract draft|weekly sync|"
    "launch checklist|customer feedback|security audit|holiday schedule|book club|"
    "parking permits|office move|training session|release notes|marketing plan|"
    "expense claims|board meeting|user survey"
).split("|")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def people(rng: np.random.Generator, n: int) -> list[dict[str, str]]:
    """Return ``n`` distinct people as ``{"name", "email"}`` dicts."""
    idx = rng.choice(len(FIRST) * len(LAST), size=n, replace=False)
    out = []
    for i in idx:
        first, last = FIRST[int(i) % len(FIRST)], LAST[int(i) // len(FIRST)]
        out.append({"name": f"{first} {last}", "email": f"{first}.{last}@example.com".lower()})
    return out


def wrap(text: str, width: int) -> list[str]:
    """Split ``text`` into lines of at most ``width`` characters at spaces."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines
