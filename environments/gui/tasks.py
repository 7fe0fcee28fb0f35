"""AgentGUI tasks: the typed task data, the built-in task templates and task files.

:data:`FAMILY` loads tasks through :func:`agentgym.tasks.load_tasks`: ``builtin`` (every
template), ``builtin:<app or template>[,...]`` (``builtin:mail`` is every mail template;
``builtin:calendar-create`` one template), a JSONL file of standard task records, or a folder
of them. Records without a ``difficulty`` are ``easy``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pydantic

from agentgym.environments.gui.catalog import APPS, TEMPLATES
from agentgym.tasks import GeneratedTasks, TaskData, TaskFamily

__all__ = ["FAMILY", "GUITaskData", "GUITasks"]


class GUITaskData(TaskData):
    """The privileged part of an AgentGUI task.

    Attributes:
        app: The app to operate: ``calendar``, ``files``, ``mail``, ``settings``, ``shop``
            or ``todo``.
        world: Seed of the app's generated content (mailboxes, events, products).
        setup: Operations applied to the app before the episode (the same form as ``goal``).
        goal: The operations the user asks for; the episode succeeds when the app's state
            equals the state these produce.
    """

    app: str
    world: int = 0
    setup: tuple[dict[str, Any], ...] = ()
    goal: tuple[dict[str, Any], ...] = ()

    @pydantic.field_validator("app")
    @classmethod
    def _known_app(cls, app: str) -> str:
        if app not in APPS:
            raise ValueError(f"must be one of {sorted(APPS)}, got {app!r}")
        return app


class GUITasks(TaskFamily):
    """The AgentGUI family: built-in templates per app, and files of task records."""

    name = "gui"
    data_model = GUITaskData
    default_difficulty = "easy"

    def builtin_names(self, context: Mapping[str, Any]) -> Sequence[str]:
        """The apps, then the templates."""
        return [*sorted(APPS), *sorted(TEMPLATES)]

    def builtin(
        self, names: Sequence[str], difficulty: str | None, context: Mapping[str, Any]
    ) -> GeneratedTasks:
        """Tasks generated on demand from the named templates (or every template of an app)."""
        chosen = {
            name: template
            for name, template in TEMPLATES.items()
            if name in names or any(name.startswith(f"{n}-") for n in names if n in APPS)
        }
        return GeneratedTasks(chosen, difficulty, GUITaskData)


FAMILY = GUITasks()
