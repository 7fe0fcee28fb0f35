"""``agentgym serve-policy CHECKPOINT``: a local policy behind an OpenAI-compatible chat API.

Serves the reference tiny policy (a folder written by ``agentgym train``, or its ``policy/``
subfolder) or any Hugging Face causal LM folder on disk, so that ``agentgym bench`` (or any
OpenAI client) evaluates a trained model with no stand-in:

==============================  ==============================================================
``GET /v1/models``              the one model served
``POST /v1/chat/completions``   ``messages``, ``tools``, ``temperature``, ``max_tokens``,
                                ``n``, ``seed``; answers ``choices`` and ``usage``
``GET /health``                 ``{"ok": true}``
==============================  ==============================================================

When the request lists ``tools``, the completion is parsed for tool calls (an OpenAI-style
message, ``{"tool": ..., "arguments": ...}`` JSON, or ``<tool>...</tool>`` XML, the formats
agentgym's envs read) and returned as ``tool_calls``; the message ``content`` keeps the text
exactly as sampled, so the conversation sent back renders to the same tokens. A prompt that
does not fit the model's context is a 400 error, as vLLM answers. Needs the ``[serve]`` and
``[train]`` extras.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["PolicyServer", "add_parser", "load_served_policy", "run"]


class RequestError(ValueError):
    """A bad request; answered with HTTP 400 and an OpenAI-style error body."""


def load_served_policy(checkpoint: str | Path, max_len: int | None = None) -> Any:
    """Load the policy in ``checkpoint``.

    ``checkpoint`` may be a saved agentgym policy (``policy.json``), a training run folder
    (its ``policy/`` or ``checkpoint/policy/``), or a Hugging Face model folder
    (``config.json`` and a tokenizer with a chat template).

    Raises:
        FileNotFoundError: When the folder holds none of these.
    """
    from agentgym.agents.policy import HFPolicy, load_policy

    folder = Path(checkpoint)
    if not folder.is_dir():
        raise FileNotFoundError(f"checkpoint {str(folder)!r} is not a folder")
    for candidate in (folder, folder / "policy", folder / "checkpoint" / "policy"):
        if (candidate / "policy.json").is_file():
            return load_policy(candidate)
    if (folder / "config.json").is_file():
        return HFPolicy.from_pretrained(str(folder), max_len=max_len)
    raise FileNotFoundError(
        f"{str(folder)!r} holds no policy.json (an agentgym policy or training run) "
        "and no config.json (a Hugging Face model folder)"
    )


class PolicyServer:
    """Answer chat completion requests with a :class:`~agentgym.agents.policy.Policy`.

    Args:
        policy: The policy to sample from.
        model_name: The name clients pass as ``model`` (any name is accepted).
        seed: Seeds sampling for requests that give no ``seed``.
    """

    def __init__(self, policy: Any, model_name: str, seed: int = 0):
        import torch

        self.policy = policy
        self.model_name = model_name
        self._generator = torch.Generator().manual_seed(seed)
        self._lock = threading.Lock()

    def complete(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Return the chat completion response for a request body.

        Raises:
            RequestError: For a malformed request or a prompt longer than the context.
        """
        import torch

        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise RequestError("'messages' must be a non-empty list")
        if not all(isinstance(m, dict) for m in messages):
            raise RequestError("each message must be an object")
        temperature = _number(body, "temperature", 1.0, 0.0)
        max_tokens = int(_number(body, "max_tokens", 256, 1))
        n = int(_number(body, "n", 1, 1))
        if n > 16:
            raise RequestError("'n' must be at most 16")
        tools = _tool_stubs(body.get("tools") or [])
        context = self.policy.render_prompt([_renderable(m) for m in messages])
        room = self.policy.max_len - len(context)
        if room < 1:
            raise RequestError(
                f"this model's maximum context length is {self.policy.max_len} tokens; "
                f"the messages take {len(context)}"
            )
        seed = body.get("seed")
        with self._lock:
            generator = (
                torch.Generator().manual_seed(int(seed))
                if isinstance(seed, int)
                else self._generator
            )
            samples = self.policy.sample(
                [context] * n,
                max_new_tokens=min(max_tokens, room),
                temperature=temperature,
                generator=generator,
            )
        choices = []
        for i, s in enumerate(samples):
            message: dict[str, Any] = {"role": "assistant", "content": s.text}
            calls = _tool_calls(s.text, tools) if tools else []
            if calls:
                message["tool_calls"] = calls
            reason = "tool_calls" if calls else ("stop" if s.finished else "length")
            choices.append({"index": i, "message": message, "finish_reason": reason})
        completion = sum(len(s.token_ids) for s in samples)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model_name,
            "choices": choices,
            "usage": {
                "prompt_tokens": len(context),
                "completion_tokens": completion,
                "total_tokens": len(context) + completion,
            },
        }

    def app(self) -> Any:
        """Return the Starlette ASGI app."""
        from starlette.applications import Starlette
        from starlette.concurrency import run_in_threadpool
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def completions(request: Request) -> JSONResponse:
            try:
                body = json.loads(await request.body())
                if not isinstance(body, dict):
                    raise RequestError("the request body must be a JSON object")
                return JSONResponse(await run_in_threadpool(self.complete, body))
            except (ValueError, RequestError) as e:
                error = {"message": str(e), "type": "invalid_request_error"}
                return JSONResponse({"error": error}, status_code=400)

        async def models(request: Request) -> JSONResponse:
            entry = {"id": self.model_name, "object": "model", "owned_by": "agentgym"}
            return JSONResponse({"object": "list", "data": [entry]})

        async def health(request: Request) -> JSONResponse:
            return JSONResponse({"ok": True})

        return Starlette(
            routes=[
                Route("/v1/chat/completions", completions, methods=["POST"]),
                Route("/v1/models", models, methods=["GET"]),
                Route("/health", health, methods=["GET"]),
            ]
        )


def _number(body: Mapping[str, Any], key: str, default: float, low: float) -> float:
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
        raise RequestError(f"'{key}' must be a number >= {low:g}")
    return float(value)


def _renderable(message: Mapping[str, Any]) -> dict[str, Any]:
    """A message whose ``content`` is text (tool calls with no text become their JSON)."""
    out = dict(message)
    if not out.get("content") and out.get("tool_calls"):
        out["content"] = json.dumps({"tool_calls": out["tool_calls"]}, ensure_ascii=False)
    return out


def _tool_stubs(schemas: Sequence[Any]) -> dict[str, Any]:
    """Tools to parse calls against, from OpenAI tool schemas (never called)."""
    from agentgym.tools import Tool

    tools = {}
    for schema in schemas:
        fn = schema.get("function") if isinstance(schema, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise RequestError("each tool needs a function with a name")
        params = fn.get("parameters") or {"type": "object", "properties": {}}
        props = list((params.get("properties") or {}).keys())
        required = list(params.get("required") or [])
        main = (required or props or [None])[0]
        tools[fn["name"]] = Tool(
            fn["name"], str(fn.get("description", "")), params, lambda **_: "", main_arg=main
        )
    return tools


def _tool_calls(text: str, tools: Mapping[str, Any]) -> list[dict[str, Any]]:
    from agentgym.parsing import parse_action

    for fmt in ("openai", "json", "xml"):
        parsed = parse_action(text, fmt, tools)
        if parsed.error is None and parsed.calls:
            tag = uuid.uuid4().hex[:8]
            return [
                {
                    "id": f"call_{tag}_{i}",
                    "type": "function",
                    "function": {
                        "name": c.name,
                        "arguments": json.dumps(dict(c.arguments), ensure_ascii=False),
                    },
                }
                for i, c in enumerate(parsed.calls)
            ]
    return []


# --- command line --------------------------------------------------------------------------


def add_parser(subparsers: Any) -> None:
    """Add the ``serve-policy`` subcommand."""
    p = subparsers.add_parser(
        "serve-policy",
        help="serve a trained policy behind an OpenAI-compatible /v1/chat/completions",
        description="Serve the tiny reference policy (a folder from 'agentgym train') or a "
        "Hugging Face causal LM folder at /v1/chat/completions, with tool calls parsed from "
        "its output, for 'agentgym bench --base-url'.",
    )
    p.add_argument(
        "checkpoint", type=Path, help="policy folder, training run folder or HF model folder"
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default loopback)")
    p.add_argument("--port", type=int, default=8000, help="port (0 picks a free one)")
    p.add_argument(
        "--model-name", default=None, help="model name to report (default: the folder's name)"
    )
    p.add_argument("--max-len", type=int, default=None, help="HF models: context length cap")
    p.add_argument("--seed", type=int, default=0, help="seed for requests that give none")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``agentgym serve-policy``; returns the exit code (2 for a user error)."""
    from rich.console import Console

    console = Console(stderr=True)

    def fail(message: str) -> int:
        console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
        return 2

    if not 0 <= args.port <= 65535:
        return fail(f"--port must be in 0..65535, got {args.port}")
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ModuleNotFoundError as e:
        return fail(f'serve-policy needs {e.name}: pip install -e ".[serve]"')
    try:
        import torch
    except ModuleNotFoundError:
        return fail('serve-policy needs PyTorch: pip install -e ".[train]"')
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        sock = socket.create_server((args.host, args.port))
    except (OSError, OverflowError) as e:
        return fail(
            f"cannot listen on {args.host}:{args.port}: {getattr(e, 'strerror', None) or e}"
        )
    try:
        with console.status(f"loading {args.checkpoint}", spinner="dots"):
            policy = load_served_policy(args.checkpoint, args.max_len)
    except (FileNotFoundError, ValueError, OSError) as e:
        sock.close()
        return fail(str(e))
    name = args.model_name or Path(args.checkpoint).resolve().name
    server = PolicyServer(policy, name, seed=args.seed)
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(server.app(), log_level="warning", lifespan="off")
    # The URL line is the contract for scripts (and tests) that start the server.
    print(f"serving {name} at http://{host}:{port}/v1", file=sys.stderr, flush=True)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return 0
