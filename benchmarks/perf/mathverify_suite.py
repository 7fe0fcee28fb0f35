"""math-verify's own published test pairs, read from its source distribution at run time.

The pairs are not copied into this repository: ``load_suite`` downloads the sdist of
``math-verify==0.9.0`` with pip into a cache folder (once), and reads the
``@pytest.mark.parametrize`` tables of its tests with ``ast``. Each pair keeps the settings
its test uses, so pairs labelled under non-default settings (only LaTeX or only expression
extraction, a float precision other than 6, ``strict=False``, set/relation comparison) can be
reported apart from the default-settings ones.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SuitePair", "load_suite", "VERSION"]

VERSION = "0.9.0"
_FILES = (
    "test_all.py",
    "test_numina_cases.py",
    "test_open_thoughts.py",
    "test_boxed.py",
    "test_yujianll.py",
    "test_strict.py",
)
_DEFAULT_MATCH = ("latex", "expr")


@dataclass(frozen=True)
class SuitePair:
    """One labelled pair of math-verify's tests."""

    gold: str
    pred: str
    equal: bool
    where: str  # test file and function
    match_types: tuple[str, ...] = _DEFAULT_MATCH
    precision: int = 6
    strict: bool = True
    set_relation: bool = False

    @property
    def default_settings(self) -> bool:
        """Whether the label was given under math-verify's default settings."""
        return (
            self.match_types == _DEFAULT_MATCH
            and self.precision == 6
            and self.strict
            and not self.set_relation
        )


def default_cache() -> Path:
    """Where the sdist is kept: ``$XDG_CACHE_HOME/agentgym`` (or ``~/.cache/agentgym``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agentgym" / f"math-verify-{VERSION}"


def _sdist(cache: Path) -> Path:
    found = sorted(cache.glob(f"math_verify-{VERSION}.tar.gz"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         f"math-verify=={VERSION}", "-d", str(cache)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return next(cache.glob(f"math_verify-{VERSION}.tar.gz"))


def _literal(node: ast.AST) -> Any:
    return ast.literal_eval(node)


def _call_settings(fn: ast.FunctionDef) -> dict[str, Any]:
    """The keyword settings of the comparison the test body makes (literal ones)."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "compare_strings":
            out: dict[str, Any] = {}
            for kw in node.keywords:
                try:
                    out[kw.arg] = _literal(kw.value)
                except ValueError:
                    out[kw.arg] = ast.unparse(kw.value)  # a parameter name
            return out
    return {}


def _pairs_of(path: Path) -> list[SuitePair]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pairs: list[SuitePair] = []
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        settings = _call_settings(fn)
        for deco in fn.decorator_list:
            if not (isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith("parametrize")):
                continue
            names = [n.strip() for n in _literal(deco.args[0]).split(",")]
            if "gold" not in names or "pred" not in names:
                continue
            label = "expected" if "expected" in names else "result"
            for row in deco.args[1].elts:
                try:
                    values = dict(zip(names, _literal(row), strict=True))
                except (ValueError, TypeError):
                    continue  # a row built from code, not literals
                kw = {k: values.get(v, v) if isinstance(v, str) else v for k, v in settings.items()}
                pairs.append(
                    SuitePair(
                        gold=str(values["gold"]),
                        pred=str(values["pred"]),
                        equal=bool(values[label]),
                        where=f"{path.name}::{fn.name}",
                        match_types=tuple(kw.get("match_types", _DEFAULT_MATCH)),
                        precision=int(values.get("precision", kw.get("precision", 6))),
                        strict=bool(values.get("strict", kw.get("strict", True))),
                        set_relation=bool(
                            values.get(
                                "allow_set_relation_comp", kw.get("allow_set_relation_comp", False)
                            )
                        ),
                    )
                )
    return pairs


def load_suite(cache: Path | None = None) -> list[SuitePair]:
    """Return math-verify's labelled pairs (downloading its sdist into ``cache`` once)."""
    cache = cache or default_cache()
    sdist = _sdist(cache)
    pairs: list[SuitePair] = []
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if name.parent.name == "tests" and name.name in _FILES:
                fh = tar.extractfile(member)
                assert fh is not None
                tmp = cache / name.name
                tmp.write_bytes(fh.read())
                pairs += _pairs_of(tmp)
    return pairs
