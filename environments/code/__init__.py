"""AgentCode-v0: write and debug Python in a sandbox, graded by hidden tests.

The env is :class:`CodeEnv`; tasks come from the built-in bank (implement-from-spec and
bug-fixing, three difficulty levels) or from a HumanEval/MBPP-style JSONL file.
"""

from agentgym.environments.code.env import CodeEnv

__all__ = ["CodeEnv"]
