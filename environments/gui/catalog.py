"""The mock apps and their task templates."""

from __future__ import annotations

from agentgym.environments.gui import calendar, files, mail, settings, shop, todo
from agentgym.environments.gui.app import App, Template

__all__ = ["APPS", "TEMPLATES"]

APPS: dict[str, type[App]] = {
    "calendar": calendar.CalendarApp,
    "files": files.FilesApp,
    "mail": mail.MailApp,
    "settings": settings.SettingsApp,
    "shop": shop.ShopApp,
    "todo": todo.TodoApp,
}

TEMPLATES: dict[str, Template] = {
    **calendar.TEMPLATES,
    **files.TEMPLATES,
    **mail.TEMPLATES,
    **settings.TEMPLATES,
    **shop.TEMPLATES,
    **todo.TEMPLATES,
}
