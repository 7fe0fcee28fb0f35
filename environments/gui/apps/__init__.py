"""The mock apps and their task templates."""

from __future__ import annotations

from agentgym.environments.gui.apps import mail, settings
from agentgym.environments.gui.apps.base import App, Template

__all__ = ["APPS", "TEMPLATES"]

APPS: dict[str, type[App]] = {
    "mail": mail.MailApp,
    "settings": settings.SettingsApp,
}

TEMPLATES: dict[str, Template] = {
    **mail.TEMPLATES,
    **settings.TEMPLATES,
}
