"""The shared ``python`` tool: run code in the episode's sandbox workspace.

Any env gains it by composition: ``python_tool(lambda: self.sandbox)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentgym.tools.base import Tool, ToolOutput

__all__ = ["DEFAULT_OUTPUT_LIMIT", "format_exec_result", "python_tool"]

DEFAULT_OUTPUT_LIMIT = 4_000


def format_exec_result(result: Any, limit: int = DEFAULT_OUTPUT_LIMIT) -> str:
    """Render a sandbox ``ExecResult`` as the text an agent reads.

    stdout then stderr, each cut to ``limit`` characters with a notice, followed by notices for
    a timeout, an out-of-memory kill or a non-zero exit code. A stream's final newline is
    dropped, since the parts are joined by newlines (``print(4)`` reads ``4``, not ``4`` and a
    blank line).
    """
    parts = []
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        if not text:
            continue
        text = text.removesuffix("\n")
        if len(text) > limit:
            text = (
                text[:limit] + f"\n[... {name} truncated: {len(text) - limit} more characters ...]"
            )
        parts.append(text if name == "stdout" else f"[stderr]\n{text}")
    if result.output_truncated:
        parts.append("[output exceeded the sandbox capture limit and was cut]")
    if result.timed_out:
        parts.append("[timed out: the program was killed at the time limit]")
    elif result.oom_killed:
        parts.append("[killed: the program ran out of memory]")
    elif result.exit_code != 0:
        parts.append(f"[exit code {result.exit_code}]")
    return "\n".join(parts) if parts else "[no output]"


def python_tool(
    sandbox: Callable[[], Any],
    *,
    output_limit: int = DEFAULT_OUTPUT_LIMIT,
    description: str = (
        "Run Python 3 code in your workspace and see its stdout and stderr. Files you write "
        "persist for the rest of the episode."
    ),
) -> Tool:
    """Build the ``python`` tool over the sandbox returned by ``sandbox()``.

    Args:
        sandbox: Returns the episode's sandbox (called on each use, so envs may create it
            lazily or replace it between episodes).
        output_limit: Characters of stdout and of stderr shown to the agent.
        description: The tool description the agent reads.

    Returns:
        A :class:`Tool` whose output data carries the run's resource use.
    """

    def run(code: str) -> ToolOutput:
        result = sandbox().run(code)
        return ToolOutput(format_exec_result(result, output_limit), result.ok, result.resources())

    return Tool(
        name="python",
        description=description,
        parameters={
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Python 3 source to run.",
                    "examples": ["print(2 + 2)"],
                }
            },
            "required": ["code"],
        },
        fn=run,
        main_arg="code",
    )
