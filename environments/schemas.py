"""Write (or check) the JSON Schema of each family's task records into ``docs/schemas/``.

``python -m agentgym.environments.schemas docs/schemas`` rewrites them;
``--check`` exits 1 if any file differs from what the code defines.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agentgym.environments.code.tasks import FAMILY as CODE
from agentgym.environments.gui.tasks import FAMILY as GUI
from agentgym.environments.math.tasks import FAMILY as MATH
from agentgym.environments.search.tasks import FAMILY as SEARCH
from agentgym.tasks import TaskFamily

__all__ = ["FAMILIES", "schema_files"]

FAMILIES: tuple[TaskFamily, ...] = (CODE, MATH, SEARCH, GUI)


def schema_files() -> dict[str, str]:
    """Return ``{file name: JSON text}`` of every family's task-record schema."""
    return {f"{f.name}.json": json.dumps(f.json_schema(), indent=2) + "\n" for f in FAMILIES}


def main(argv: list[str] | None = None) -> int:
    """Write the schema files into the folder given, or check them with ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for name, text in schema_files().items():
        path = args.folder / name
        if args.check:
            if not path.is_file() or path.read_text() != text:
                stale.append(name)
        else:
            args.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print(f"stale schema files in {args.folder}: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
