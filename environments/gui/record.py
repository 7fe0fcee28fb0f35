"""A wrapper that saves every step's screenshot as PNG and each episode as an animated GIF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

__all__ = ["RecordEpisode"]


class RecordEpisode(gym.Wrapper):
    """Record screenshots of an episode to ``directory``.

    Files: ``episode_0000/step_0000.png`` (the reset screen), ``step_0001.png`` ... one per
    step, and ``episode_0000.gif`` written when the episode ends (terminated, truncated, a new
    ``reset`` or ``close``). Frames come from the env's ``screenshot()`` method when it has one
    (so any ``render_mode`` works for GUI envs), else from ``render()`` with
    ``render_mode="rgb_array"``.

    Args:
        env: The env to record.
        directory: Where to write; created if missing.
        gif_fps: Frames per second of the GIF.

    Example:
        >>> import gymnasium as gym, agentgym, tempfile
        >>> from agentgym.environments.gui import RecordEpisode
        >>> out = tempfile.mkdtemp()
        >>> env = RecordEpisode(gym.make("AgentGUI-v0"), out)
        >>> _ = env.reset(seed=0)
        >>> _ = env.step("<key>Tab</key>")
        >>> env.close()
        >>> sorted(p.name for p in __import__("pathlib").Path(out).iterdir())
        ['episode_0000', 'episode_0000.gif']
    """

    def __init__(self, env: gym.Env, directory: str | Path, gif_fps: float = 2.0):
        super().__init__(env)
        if not hasattr(env.unwrapped, "screenshot") and env.render_mode != "rgb_array":
            raise ValueError(
                "RecordEpisode needs an env with a screenshot() method or render_mode='rgb_array'"
            )
        if not gif_fps > 0:
            raise ValueError(f"gif_fps must be positive, got {gif_fps!r}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.gif_fps = float(gif_fps)
        self.episode = -1
        self._frames: list[np.ndarray] = []
        self._episode_dir: Path | None = None

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Finish any open recording, reset the env and save its first screen."""
        self._finish()
        obs, info = self.env.reset(**kwargs)
        self.episode += 1
        self._episode_dir = self.directory / f"episode_{self.episode:04d}"
        self._episode_dir.mkdir(parents=True, exist_ok=True)
        self._frames = []
        self._capture()
        return obs, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Step the env, save the screen, and write the GIF when the episode ends."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._capture()
        if terminated or truncated:
            self._finish()
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        """Write the GIF of an unfinished episode, then close the env."""
        self._finish()
        super().close()

    def _capture(self) -> None:
        from PIL import Image

        base = self.env.unwrapped
        frame = base.screenshot() if hasattr(base, "screenshot") else self.env.render()
        assert self._episode_dir is not None
        # Fast PNG compression: recording should not dominate the step time.
        Image.fromarray(frame).save(
            self._episode_dir / f"step_{len(self._frames):04d}.png", compress_level=1
        )
        self._frames.append(frame)

    def _finish(self) -> None:
        if not self._frames:
            return
        from PIL import Image

        # Fast octree quantisation: UI frames have few colours, and the default median cut
        # costs ~10x more per frame.
        images = [
            Image.fromarray(f).quantize(colors=255, method=Image.Quantize.FASTOCTREE)
            for f in self._frames
        ]
        images[0].save(
            self.directory / f"episode_{self.episode:04d}.gif",
            save_all=True,
            append_images=images[1:],
            duration=int(1000 / self.gif_fps),
            loop=0,
        )
        self._frames = []
