"""AgentSearch: multi-hop research over a simulated web served by a local HTTP server."""

from agentgym.environments.search.env import SearchEnv

__all__ = ["SearchEnv"]
