"""Tools agents call, and the protocol they share."""

from agentgym.tools.base import Tool, ToolArgumentError, ToolCall, ToolOutput, validate_arguments

__all__ = ["Tool", "ToolArgumentError", "ToolCall", "ToolOutput", "validate_arguments"]
