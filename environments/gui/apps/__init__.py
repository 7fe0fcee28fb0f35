"""The mock apps and their task templates."""

from __future__ import annotations

from agentgym.environments.gui.apps import files, mail, settings
from agentgym.environments.gui.apps.base import App, Template

__all__ = ["APPS", "TEMPLATES"]

APPS: dict[str, type[App]] = {
    "files": files.FilesApp,
    "mail": mail.MailApp,
    "settings": settings.SettingsApp,
}

TEMPLATES: dict[str, Template] = {
    **files.TEMPLATES,
    **mail.TEMPLATES,
    **settings.TEMPLATES,
}
