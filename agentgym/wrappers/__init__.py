"""Wrappers for agentgym envs: chat messages, trajectory recording, vector action checks."""

from agentgym.wrappers.chat import ChatWrapper
from agentgym.wrappers.trajectory import TrajectoryRecorder
from agentgym.wrappers.vector import TextActions, check_text_actions

__all__ = ["ChatWrapper", "TextActions", "TrajectoryRecorder", "check_text_actions"]
