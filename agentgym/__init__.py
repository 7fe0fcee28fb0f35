"""agentgym: Gymnasium environments for training and evaluating LLM agents.

Importing the package registers the envs (``AgentCode-v0``, ...) with gymnasium.
"""

from agentgym.core import REWARD_MODES, AgentEnv
from agentgym.registration import ENVS, register_envs
from agentgym.spaces import UnicodeText
from agentgym.tasks import Task, TaskFileError, TaskSource
from agentgym.tools import Tool, ToolCall, ToolOutput

__version__ = "0.1.0"
__all__ = [
    "ENVS",
    "REWARD_MODES",
    "AgentEnv",
    "Task",
    "TaskFileError",
    "TaskSource",
    "Tool",
    "ToolCall",
    "ToolOutput",
    "UnicodeText",
    "register_envs",
]

register_envs()
