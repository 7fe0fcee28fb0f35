"""TrajectoryRecorder: append every finished episode to a JSONL file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym

__all__ = ["TrajectoryRecorder"]


class TrajectoryRecorder(gym.Wrapper[str, str, str, str]):
    """Write each episode as one JSON line when it ends (terminated or truncated).

    A record holds ``env_id``, ``task_id``, ``seed``, ``system_prompt``, ``prompt``, and per step
    the ``action``, ``observation``, ``reward``, ``reward_components``, ``tool_calls`` and
    ``parse_error``, then ``return``, ``score``, ``success``, ``terminated`` and ``truncated``.
    Privileged task data is never written.

    Args:
        env: An agentgym env (or a wrapper of one).
        path: The JSONL file; appended to, parent folders created.
    """

    def __init__(self, env: gym.Env, path: str | Path):
        super().__init__(env)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")
        self._record: dict[str, Any] | None = None
        self.episodes_written = 0

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Step the env and record the step; write the episode when it ends."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        if self._record is not None:
            self._record["steps"].append(
                {
                    "action": action if isinstance(action, str) else repr(action),
                    "observation": obs,
                    "reward": float(reward),
                    "reward_components": info.get("reward_components", {}),
                    "tool_calls": info.get("tool_calls", []),
                    "parse_error": info.get("parse_error"),
                }
            )
            if terminated or truncated:
                rec = self._record
                rec["return"] = sum(s["reward"] for s in rec["steps"])
                rec["score"] = info.get("score")
                rec["success"] = info.get("success")
                rec["terminated"] = bool(terminated)
                rec["truncated"] = bool(truncated)
                self._file.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
                self._file.flush()
                self.episodes_written += 1
                self._record = None
        return obs, reward, terminated, truncated, info

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Reset the env and start a new record."""
        obs, info = self.env.reset(seed=seed, options=options)
        spec = self.env.spec
        self._record = {
            "env_id": spec.id if spec is not None else type(self.env.unwrapped).__name__,
            "task_id": info.get("task_id"),
            "seed": seed,
            "system_prompt": info.get("system_prompt"),
            "prompt": obs,
            "steps": [],
        }
        return obs, info

    def close(self) -> None:
        """Close the file and the env."""
        if not self._file.closed:
            self._file.close()
        super().close()
