"""Shared output of the benchmarks: a rich table on stdout and JSON in an ``--out`` folder."""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["RESULTS_DIR", "add_out_argument", "percentile_ms", "write_report"]

# Relative, so results land under the folder the script runs from, never in the installed package.
RESULTS_DIR = Path("benchmarks") / "results"


def add_out_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--out DIR``, the folder a benchmark writes its ``<name>.json`` into."""
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS_DIR,
        metavar="DIR",
        help=f"folder for the JSON results (default: ./{RESULTS_DIR.as_posix()})",
    )


def percentile_ms(samples_s: Sequence[float], q: float) -> float:
    """Return the ``q``-th percentile (0-100) of durations in seconds, in milliseconds."""
    ordered = sorted(samples_s)
    if not ordered:
        return float("nan")
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return 1000.0 * ordered[idx]


def write_report(
    name: str,
    title: str,
    rows: Sequence[dict[str, Any]],
    *,
    meta: dict[str, Any] | None = None,
    out: Path | None = None,
    out_dir: Path | None = None,
) -> Path:
    """Print ``rows`` as a table and write them with ``meta`` as JSON.

    Args:
        name: The benchmark's name; the file is ``<name>.json``.
        title: The table's title.
        rows: One dict per case.
        meta: Settings and targets stored next to the rows.
        out: The JSON file's path; overrides ``out_dir``.
        out_dir: The folder for ``<name>.json`` (default ``./benchmarks/results``).

    Returns:
        The path of the JSON file.
    """
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    for col in columns:
        table.add_column(col, justify="left" if col in ("case", "name", "system") else "right")
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    for line in cells:
        table.add_row(*line)
    console = Console()
    if not console.is_terminal:
        # Logs and files have no width to fit: print whole cells instead of folding them.
        widths = [max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]
        console = Console(width=max(console.width, sum(widths) + 3 * len(widths) + 1))
    console.print(table)
    path = out or (out_dir or RESULTS_DIR) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "machine": {"processor": platform.machine(), "system": platform.system()},
        "meta": meta or {},
        "rows": list(rows),
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
