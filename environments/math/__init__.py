"""AgentMath: math problems with a Python sandbox, and a symbolic answer verifier.

>>> from agentgym.environments.math import verify
>>> verify("0.5", "1/2")
True
"""

from agentgym.environments.math.answer import extract_answer
from agentgym.environments.math.env import MathEnv
from agentgym.environments.math.verify import Verdict, verify, verify_detailed

__all__ = ["MathEnv", "Verdict", "extract_answer", "verify", "verify_detailed"]
