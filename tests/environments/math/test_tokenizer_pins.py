r"""Pin the tokenizer's output, so a rewrite of it provably reads every answer the same way.

The pins were recorded with the tokenizer as it was before it was split into one reader per
token class: a digest of the tokens (or the error) of every answer in the labelled
equivalence set and the sample problems, and the tokens of edge cases written out in full.

Re-record only for an intended change of reading, and say why in the commit:
``python tests/environments/math/test_tokenizer_pins.py --record``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import pytest

from agentgym.environments.math.lexicon import ParseError
from agentgym.environments.math.tokenizer import tokenize

ROOT = Path(__file__).resolve().parents[3]
PINS = Path(__file__).with_name("tokenizer_pins.json")
EDGE_CASES = [
    r"\sqrt[3]{8}",
    r"\sqrt[3{8}",
    r"\sqrt 2x",
    r"\frac12",
    r"\frac1{2}",
    r"\dbinom{5}{2}",
    r"\binom52",
    r"n \choose 2",
    r"\left.x\right|",
    r"\Bigl( x \Bigr)",
    r"\hspace{1cm}3",
    r"\mathbb R",
    r"\mathbb{Q}",
    r"\mathbb",
    r"\text{A, C}",
    r"\text{(B)}",
    r"\text{or}",
    r"\text{}",
    r"\text{5 cm}^2",
    r"3\text{ cm}^{2}",
    r"\textbf x",
    r"\operatorname{abs}(x)",
    r"\operatorname{foo}",
    r"\mathrm{d}x",
    r"\begin{array}{cc}1&2\\3&4\end{array}",
    r"\begin{pmatrix}1\\2\end{pmatrix}",
    r"\begin{tabular}x",
    r"1 \\ 2",
    r"x'",
    r"f^\prime",
    r"\foo",
    "\\",
    "a**b",
    "a<=b",
    "a>=b",
    "a==b",
    "a=<b",
    r"a \le b \neq c",
    "#",
    "1.2e5",
    "1e2000",
    "9" * 400,
    r"\$5",
    r"1\,000",
    r"\lfloor x\rfloor + \lceil y \rceil",
    r"\lvert x \rvert",
    r"\{1,2\}",
    r"\langle 1,2\rangle",
    "× ÷ −",
    "xyz abcd is e i",
    ".5",
    "5.",
    "1,234,567",
    "x:y; z",
    "50%",
    r"5\%",
    r"\pm 2 \mp 3",
    r"\infty \cup \emptyset",
    r"90^\circ",
    r"\alpha + \Omega",
    r"\sin x + \lg y",
    "[0, 1)",
    "yes",
]


def _read(text: str) -> str:
    try:
        return repr(tokenize(text))
    except ParseError as e:
        return f"ParseError: {e}"


def corpus() -> dict[str, list[str]]:
    """The answers to pin, by source."""
    labelled = set()
    for line in (ROOT / "tests" / "data" / "math_equivalence.jsonl").read_text().splitlines():
        pair = json.loads(line)
        labelled.update((pair["prediction"], pair["gold"]))
    samples = set()
    for path in sorted((ROOT / "environments" / "math" / "data").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            for value in json.loads(line).values():
                if isinstance(value, str):
                    samples.update(re.findall(r"\$([^$]*)\$", value))
    return {"labelled": sorted(labelled), "samples": sorted(samples)}


def digest(texts: list[str]) -> str:
    """Hash of the tokens (or the error) of every text."""
    h = hashlib.sha256()
    for text in texts:
        h.update(json.dumps([text, _read(text)]).encode())
    return h.hexdigest()[:16]


def record() -> dict[str, object]:
    """Digests of the corpora and the edge cases' tokens in full."""
    sources = corpus()
    return {
        "digests": {name: [len(texts), digest(texts)] for name, texts in sources.items()},
        "edge_cases": {text: _read(text) for text in EDGE_CASES},
    }


@pytest.fixture(scope="module")
def pins() -> dict:
    return json.loads(PINS.read_text())


@pytest.mark.parametrize("source", ["labelled", "samples"])
def test_corpus_reads_as_recorded(source, pins):
    texts = corpus()[source]
    assert [len(texts), digest(texts)] == pins["digests"][source]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_case_reads_as_recorded(text, pins):
    assert _read(text) == pins["edge_cases"][text]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", action="store_true", help="rewrite the pins file")
    if parser.parse_args().record:
        PINS.write_text(json.dumps(record(), indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {PINS.name}")
    sys.exit(0)
