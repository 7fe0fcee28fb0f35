"""The image build streams debootstrap's progress, one line per stage, and reports failures."""

import sys

import pytest

from agentgym.sandboxes import SandboxError
from agentgym.sandboxes.image import _run_debootstrap

OUTPUT = [
    "I: Retrieving InRelease",
    "I: Checking Release signature",
    "I: Retrieving libc6 2.36-9",
    "I: Retrieving python3 3.11.2-1",
    "W: Cannot check Release signature",
    "I: Extracting libc6...",
    "I: Extracting python3...",
    "I: Base system installed successfully.",
]


def _printer(lines, code=0):
    program = f"import sys\nfor line in {lines!r}:\n    print(line, flush=True)\nsys.exit({code})"
    return [sys.executable, "-c", program]


def test_one_line_per_stage():
    seen = []
    _run_debootstrap(_printer(OUTPUT), seen.append)
    assert [line.removeprefix("  debootstrap: ") for line in seen] == [
        "I: Retrieving InRelease",
        "I: Checking Release signature",
        "I: Retrieving libc6 2.36-9",
        "W: Cannot check Release signature",
        "I: Extracting libc6...",
        "I: Base system installed successfully.",
    ]


def test_failure_carries_the_output_tail():
    with pytest.raises(SandboxError, match=r"debootstrap failed \(3\):\n(.|\n)*E: no mirror"):
        _run_debootstrap(_printer(["I: Retrieving InRelease", "E: no mirror"], 3), lambda _: None)
