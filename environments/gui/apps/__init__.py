"""The mock apps and their task templates."""

from __future__ import annotations

from agentgym.environments.gui.apps import mail
from agentgym.environments.gui.apps.base import App, Template

__all__ = ["APPS", "TEMPLATES"]

APPS: dict[str, type[App]] = {
    "mail": mail.MailApp,
}

TEMPLATES: dict[str, Template] = {
    **mail.TEMPLATES,
}
