"""AgentGUI: mock desktop apps driven through an accessibility tree and screenshots."""

from __future__ import annotations

from agentgym.environments.gui.env import OBS_MODES, GUIEnv
from agentgym.environments.gui.record import RecordEpisode

__all__ = ["GUIEnv", "OBS_MODES", "RecordEpisode"]
