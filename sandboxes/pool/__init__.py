"""A warm sandbox pool: the client side of one fork server, shared by many sandboxes.

Split by concern: :mod:`.limits` (per-call limits), :mod:`.link` (the connection to the
server, its requests and the workspaces), :mod:`.calls` (runs on pre-forked spares),
:mod:`.pipes` (a call's descriptors and output) and :mod:`.sandbox` (one episode's sandbox).
"""

from agentgym.sandboxes.pool.calls import SandboxPool
from agentgym.sandboxes.pool.limits import OUTPUT_LIMIT_BYTES, CallLimits
from agentgym.sandboxes.pool.link import WORKSPACE_LOST
from agentgym.sandboxes.pool.sandbox import PoolSandbox

__all__ = ["OUTPUT_LIMIT_BYTES", "WORKSPACE_LOST", "CallLimits", "PoolSandbox", "SandboxPool"]
