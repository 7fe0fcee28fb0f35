"""Every fenced ``python`` and ``bash`` block in README.md and docs/ runs, so a doc that drifts fails.

The convention a page follows (also in docs/README.md): an HTML comment on the line right above
a fence says how to run it, e.g. ``<!-- docs-test: slow timeout=900 -->``. Words:

- ``skip: <reason>``: not run anywhere; the reason is required and shown.
- ``continues``: runs after the page's previous python block, in the same process.
- ``slow``, ``docker``: pytest marks (``docker`` blocks skip like the Docker tests).
- ``timeout=<seconds>``: the budget (default 120 s).

Each block runs in a fresh temporary folder (with a ``configs`` link to the repository's), in
its own interpreter or ``bash -euo pipefail``, and is killed at its timeout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
DEFAULT_TIMEOUT_S = 120.0
_FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")
_DIRECTIVE = re.compile(r"^<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
_RUNNABLE = {"python": "python", "py": "python", "bash": "bash", "sh": "bash", "shell": "bash"}


@dataclass
class Block:
    """One fenced block of a page and how its directive says to run it."""

    page: Path
    line: int
    lang: str
    code: str
    skip: str | None = None
    continues: bool = False
    marks: list[str] = field(default_factory=list)
    timeout_s: float = DEFAULT_TIMEOUT_S
    before: list[Block] = field(default_factory=list)

    @property
    def id(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page}:{self.line}"


def _apply_directive(block: Block, text: str) -> None:
    if text.startswith("skip"):
        reason = text.partition(":")[2].strip()
        if not reason:
            raise ValueError(f"{block.id}: 'skip' needs a reason ('skip: why')")
        block.skip = reason
        return
    for word in text.split():
        if word == "continues":
            block.continues = True
        elif word in ("slow", "docker"):
            block.marks.append(word)
        elif word.startswith("timeout="):
            block.timeout_s = float(word.partition("=")[2])
        else:
            raise ValueError(f"{block.id}: unknown docs-test word {word!r}")


def parse_page(page: Path) -> list[Block]:
    """The runnable blocks of one Markdown page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    previous_python: Block | None = None
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if not opened:
            i += 1
            continue
        fence, lang = opened.group(1), opened.group(2).lower()
        end = i + 1
        while end < len(lines) and not lines[end].startswith(fence):
            end += 1
        if lang in _RUNNABLE:
            block = Block(page, i + 1, _RUNNABLE[lang], "\n".join(lines[i + 1 : end]) + "\n")
            above = _DIRECTIVE.match(lines[i - 1]) if i else None
            if above:
                _apply_directive(block, above.group(1))
            if block.continues:
                if previous_python is None:
                    raise ValueError(f"{block.id}: 'continues' but no python block comes before")
                block.before = [*previous_python.before, previous_python]
            if block.lang == "python" and block.skip is None:
                previous_python = block
            blocks.append(block)
        i = end + 1
    return blocks


def _params() -> list:
    params = []
    for page in PAGES:
        for block in parse_page(page):
            marks = [getattr(pytest.mark, m) for m in block.marks]
            if block.skip:
                marks.append(pytest.mark.skip(reason=f"docs-test skip: {block.skip}"))
            params.append(pytest.param(block, id=block.id, marks=marks))
    return params


@pytest.mark.parametrize("block", _params())
def test_doc_block_runs(block: Block, tmp_path: Path) -> None:
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    if block.lang == "python":
        # One process runs the chain, so a block that continues sees the names defined before.
        chain = [*block.before, block]
        program = "".join(
            f"# --- {b.id}\n{b.code}" if b is block else f"# --- {b.id}\n{b.code}\n" for b in chain
        )
        cmd = [sys.executable, "-c", program]
    else:
        cmd = ["bash", "-euo", "pipefail", "-c", block.code]
    env = dict(os.environ)
    # The console script of this interpreter's environment comes first on PATH.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("MPLBACKEND", "Agg")
    try:
        done = subprocess.run(
            cmd,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=block.timeout_s,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{block.id} did not finish in {block.timeout_s:g} s:\n{exc.stdout or ''}")
    assert done.returncode == 0, (
        f"{block.id} exited {done.returncode}\n--- stdout\n{done.stdout[-3000:]}"
        f"\n--- stderr\n{done.stderr[-3000:]}"
    )


def test_directives_are_parsed(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nx = 1\n```\n\n<!-- docs-test: continues slow timeout=5 -->\n```python\n"
        "print(x)\n```\n\n<!-- docs-test: skip: needs a GPU -->\n```bash\nnvidia-smi\n```\n"
        "```json\n{}\n```\n",
        encoding="utf-8",
    )
    first, second, third = parse_page(page)
    assert (first.lang, first.code, first.before) == ("python", "x = 1\n", [])
    assert second.before == [first] and second.marks == ["slow"] and second.timeout_s == 5
    assert third.lang == "bash" and third.skip == "needs a GPU"
    page.write_text("<!-- docs-test: skip -->\n```bash\ntrue\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a reason"):
        parse_page(page)
    page.write_text("<!-- docs-test: fast -->\n```bash\ntrue\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown docs-test word"):
        parse_page(page)
