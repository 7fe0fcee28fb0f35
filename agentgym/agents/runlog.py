"""What a training run leaves on disk: config files in, JSONL metrics and a curve PNG out.

Shared by the SFT and GRPO trainers so both runs look alike: ``metrics.jsonl`` (one JSON
object per logged step), ``curve.png`` (train reward and held-out success against the step),
and a ``rich`` progress bar.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "MetricsLog",
    "check_ints",
    "config_from_dict",
    "load_config_file",
    "plot_curve",
    "progress_bar",
    "waiting",
]

T = TypeVar("T")


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a JSON (``.json``) or TOML (``.toml``) config file into a dict.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If the file is not valid JSON/TOML or not a table/object at the top.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    text = path.read_text(encoding="utf-8")
    import tomllib

    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        raise ValueError(
            f"{path.name}: not valid {path.suffix.lstrip('.') or 'JSON'}: {e}"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: the top level must be an object/table")
    return data


def check_ints(section: str, config: Any, names: Sequence[str], minimum: int) -> None:
    """Check that each named field of ``config`` is an int (not a bool) >= ``minimum``.

    Raises:
        ValueError: Naming ``section.field``, e.g. "sft.steps must be a positive int, got 0".
    """
    want = "a positive int" if minimum == 1 else f"an int >= {minimum}"
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{section}.{name} must be {want}, got {value!r}")


def config_from_dict(cls: type[T], section: str, record: Mapping[str, Any]) -> T:
    """Build the trainer config dataclass ``cls`` from a dict, naming unknown keys.

    Raises:
        ValueError: For unknown keys or a missing ``env`` (for configs that have one).
    """
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(record) - known
    if unknown:
        raise ValueError(f"unknown {section} option(s) {sorted(unknown)}; known: {sorted(known)}")
    if "env" in known and "env" not in record:
        raise ValueError("the config needs 'env' (an env id such as 'AgentMath-v0')")
    return cls(**dict(record))


class MetricsLog:
    """Append-only JSONL metrics; on resume, records after the checkpoint step are dropped.

    Args:
        path: The ``metrics.jsonl`` file.
        resume_step: Keep only records with ``step <= resume_step`` (None: start afresh).
    """

    def __init__(self, path: str | Path, resume_step: int | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kept: list[dict[str, Any]] = []
        if resume_step is not None and self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    if record.get("step", 0) <= resume_step:
                        kept.append(record)
        self.records = kept
        self.path.write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")

    def write(self, record: Mapping[str, Any]) -> None:
        """Append one record and flush it to disk."""
        record = dict(record)
        self.records.append(record)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def plot_curve(
    records: list[Mapping[str, Any]],
    path: str | Path,
    title: str,
    train_key: str,
    train_label: str | None = None,
) -> Path:
    """Draw ``train_key`` and held-out success (``eval_success``) against the step.

    Args:
        records: Metric records with ``step`` and optionally ``train_key``/``eval_success``.
        path: Where to write the PNG.
        title: Figure title.
        train_key: The per-step training metric to draw (e.g. ``"reward_mean"``).
        train_label: Its legend label (default: ``train_key``).

    Returns:
        The PNG path.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            'learning curves need matplotlib; install the extra: pip install -e ".[train]"'
        ) from e
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    train = [(r["step"], r[train_key]) for r in records if train_key in r]
    evals = [(r["step"], r["eval_success"]) for r in records if "eval_success" in r]
    if train:
        ax.plot(*zip(*train, strict=True), label=train_label or train_key, alpha=0.6)
    if evals:
        ax.plot(*zip(*evals, strict=True), "o-", label="held-out success")
    minutes = [r["minutes"] for r in records if "minutes" in r]
    if minutes:
        ax.set_xlabel(f"step  (total {minutes[-1]:.1f} min)")
    else:
        ax.set_xlabel("step")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def progress_bar(description: str, total: int, completed: int = 0, enabled: bool = True) -> Any:
    """Return a started ``rich`` progress bar and its task id, as ``(progress, task)``.

    The bar shows the step, elapsed and remaining time, and the latest metrics (updated with
    ``progress.update(task, advance=1, info=...)``).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
        disable=not enabled,
    )
    task = progress.add_task(description, total=total, completed=completed, info="")
    progress.start()
    return progress, task


def waiting(message: str, enabled: bool = True) -> Any:
    """Return a context manager showing a spinner with ``message`` while a long step runs.

    Silent when ``enabled`` is False or stderr is not a terminal (logs stay clean).
    """
    import contextlib

    from rich.console import Console

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        return contextlib.nullcontext()
    return console.status(message, spinner="dots")
