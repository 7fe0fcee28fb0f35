"""``report.html``: one self-contained page for one or more bench runs."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

__all__ = ["write_report_html"]


def write_report_html(runs: Sequence[Path], out: Path) -> Path:
    """Write the report of ``runs`` (run folders) to ``out``; returns ``out``."""
    rows = []
    for run in runs:
        summary = json.loads((Path(run) / "summary.json").read_text())
        for r in summary["rows"]:
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(v))}</td>"
                    for v in (run.name, r["env"], r["difficulty"], r["agent"], r["success_rate"])
                )
                + "</tr>"
            )
    out.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>agentgym bench</title></head>"
        f"<body><table>{''.join(rows)}</table></body></html>"
    )
    return out
