"""The base class of every agentgym env: turn bookkeeping, tool dispatch, rewards and info.

Subclasses fill a few hooks (tools, tasks, episode start, score, oracle) and hold only their
rules; everything in the env contract of the design lives here, so every env gets it alike.
"""

from __future__ import annotations

import json
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym

from agentgym.parsing import (
    ACTION_FORMATS,
    ParsedAction,
    format_action,
    message_json,
    parse_action,
)
from agentgym.prompts import describe_tools, format_instructions
from agentgym.spaces import UnicodeText
from agentgym.tasks import Task, TaskFamily, TaskSource, check_difficulty, load_tasks
from agentgym.tools.base import Tool, ToolArgumentError, ToolCall, ToolOutput, validate_arguments

__all__ = ["AgentEnv", "EnvConfig", "REWARD_MODES"]

REWARD_MODES: tuple[str, ...] = ("sparse", "dense")
_TRUNCATION_NOTICE = "\n[... observation truncated: {n} more characters ...]"


@dataclass(frozen=True)
class EnvConfig:
    """The arguments every agentgym env takes, checked once when the env is made.

    Attributes:
        reward_mode: ``"sparse"`` or ``"dense"``.
        max_turns: Steps before truncation (None: the env's ``default_max_turns``).
        action_format: ``"xml"``, ``"json"`` or ``"openai"``.
        task_source: Where tasks come from (see :func:`agentgym.tasks.load_tasks`), or None
            for the env's default.
        difficulty: ``"easy"``, ``"medium"``, ``"hard"`` or None (all).
        render_mode: None, or one of the env's ``metadata["render_modes"]``.
        time_limit_s: Wall-clock budget per episode in seconds (truncates), or None.
    """

    reward_mode: str = "sparse"
    max_turns: int | None = None
    action_format: str = "xml"
    task_source: str | Path | None = None
    difficulty: str | None = None
    render_mode: str | None = None
    time_limit_s: float | None = None

    def __post_init__(self) -> None:
        if self.reward_mode not in REWARD_MODES:
            raise ValueError(f"reward_mode must be one of {REWARD_MODES}, got {self.reward_mode!r}")
        turns = self.max_turns
        if turns is not None and (
            isinstance(turns, bool) or not isinstance(turns, int) or turns < 1
        ):
            raise ValueError(f"max_turns must be a positive int, got {turns!r}")
        if self.action_format not in ACTION_FORMATS:
            raise ValueError(
                f"action_format must be one of {ACTION_FORMATS}, got {self.action_format!r}"
            )
        check_difficulty(self.difficulty)
        limit = self.time_limit_s
        if limit is not None and not (
            isinstance(limit, int | float) and not isinstance(limit, bool) and limit > 0
        ):
            raise ValueError(f"time_limit_s must be a positive number or None, got {limit!r}")


class _BuildAfterInit(type):
    """Runs an env's ``_build`` once its whole ``__init__`` chain has returned.

    Subclasses call ``super().__init__(**config)`` first and then set their own state; the
    virtual hooks (tools, task source) only run after that, so no hook ever sees a
    half-made env.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        env = super().__call__(*args, **kwargs)
        env._build()
        return env


class AgentEnv(gym.Env[str, str], metaclass=_BuildAfterInit):
    """A multi-turn text env in which the action is an assistant completion with tool calls.

    Subclasses implement :meth:`_make_tools`, :meth:`_make_task_source`, :meth:`_begin`,
    :meth:`_score` and :meth:`_oracle_calls`, and may override :meth:`_potential` (dense,
    potential-based shaping), :meth:`_fallback_calls` (completions without a tool call) and
    :meth:`_task_from_dict`; :meth:`_observation` turns a step's tool outputs into the
    observation text, and envs whose observations are not plain text (GUI screenshots)
    override :meth:`_present`, which turns that text (and the reset prompt) into what the
    agent sees.

    Construction has two phases. A subclass's ``__init__`` calls ``super().__init__(**config)``
    first (the common arguments, checked once as an :class:`EnvConfig`), then sets its own
    state; once the whole ``__init__`` chain has returned, the base builds the task source and
    the tools from the hooks. No hook runs on a half-made env.

    Tool functions return their dense reward in ``ToolOutput.rewards`` (the core adds it to
    the step's components), and may raise :class:`~agentgym.tools.ToolArgumentError` for
    arguments the schema cannot express (a ``format`` penalty).

    Reward components always reported: ``outcome`` (the episode score, on the last step),
    ``progress`` (potential-based shaping ``Φ(s') - Φ(s)``, with ``Φ = 0`` once terminated so
    shaping never changes the optimal policy), ``format`` (penalty for a malformed action or
    bad arguments) and ``repeat`` (penalty for repeating a call: the same name and arguments,
    or the same ``ToolOutput.repeat_key`` when the tool names what it acted on). Subclasses add
    their own names in ``extra_reward_components``. ``reward_mode="sparse"`` pays only
    ``outcome``; ``"dense"`` pays the sum of all components.

    Args:
        reward_mode: ``"sparse"`` or ``"dense"``.
        max_turns: Steps before truncation (default: the env's ``default_max_turns``).
        action_format: ``"xml"``, ``"json"`` or ``"openai"``.
        task_source: A built-in source name, a JSONL path, or None for the default.
        difficulty: ``"easy"``, ``"medium"``, ``"hard"`` or None (all).
        render_mode: None or ``"ansi"``.
        time_limit_s: Wall-clock budget per episode in seconds (truncates), or None.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "render_fps": 4}
    default_max_turns: ClassVar[int] = 10
    max_observation_chars: ClassVar[int] = 32_768
    max_action_chars: ClassVar[int] = 200_000
    format_penalty: ClassVar[float] = -0.1
    repeat_penalty: ClassVar[float] = -0.05
    extra_reward_components: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""
    # The env's task family: its typed data, built-in sets and file records (load_tasks).
    task_family: ClassVar[TaskFamily | None] = None

    def __init__(
        self,
        *,
        reward_mode: str = "sparse",
        max_turns: int | None = None,
        action_format: str = "xml",
        task_source: str | Path | None = None,
        difficulty: str | None = None,
        render_mode: str | None = None,
        time_limit_s: float | None = None,
    ):
        super().__init__()
        config = EnvConfig(
            reward_mode=reward_mode,
            max_turns=max_turns,
            action_format=action_format,
            task_source=task_source,
            difficulty=difficulty,
            render_mode=render_mode,
            time_limit_s=time_limit_s,
        )
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, "
                f"got {render_mode!r}"
            )
        self.config = config
        self.reward_mode = config.reward_mode
        self.max_turns = config.max_turns or self.default_max_turns
        self.action_format = config.action_format
        self.difficulty = config.difficulty
        self.render_mode = config.render_mode
        self.time_limit_s = config.time_limit_s
        self.observation_space = UnicodeText(self.max_observation_chars)
        self.action_space = UnicodeText(self.max_action_chars)
        self.reward_component_names = (
            "outcome",
            "progress",
            "format",
            "repeat",
            *self.extra_reward_components,
        )
        # Filled by _build() once the subclass's __init__ has returned.
        self.tasks: TaskSource
        self.tools: dict[str, Tool] = {}
        self.tool_schemas: list[dict[str, Any]] = []
        self._built = False
        # Episode state.
        self.task: Task | None = None
        self._turn = 0
        self._terminal_called = False  # a terminal tool ran: the episode terminates this step
        self._episode_over = False  # terminated or truncated: step() needs a reset first
        self._potential_value = 0.0  # Φ of the current state, for potential-based shaping
        self._step_rewards: dict[str, float] = {}  # this step's reward components
        self._seen_effects: set[Hashable] = set()  # repeat keys of this episode's calls
        self._episode_started = 0.0  # time.monotonic() at reset
        self._last_action = ""
        self._last_obs = ""

    def _build(self) -> None:
        """Make the task source and the tools from the hooks (runs after ``__init__``)."""
        if self._built:
            return
        self.tasks = self._make_task_source(self.config.task_source, self.config.difficulty)
        for tool in self._make_tools():
            if tool.name in self.tools:
                raise ValueError(f"duplicate tool name {tool.name!r}")
            self.tools[tool.name] = tool
        self.tool_schemas = [t.openai_schema() for t in self.tools.values()]
        self._built = True

    # --- gymnasium API ---------------------------------------------------------------------

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Parse ``action`` into tool calls, run them, and return the next transition.

        In the ``openai`` format ``action`` may also be the assistant message as the OpenAI
        SDK gives it: a dict, or an object with ``content`` and ``tool_calls``.

        A malformed action is not an exception: the observation explains the problem,
        ``info["parse_error"]`` holds it, a ``format`` penalty is recorded and the turn counts.
        """
        if self.task is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        if self._episode_over:
            raise gym.error.ResetNeeded("the episode has ended; call reset() before step()")
        self._turn += 1
        self._step_rewards = dict.fromkeys(self.reward_component_names, 0.0)
        call_prefix = f"call_{self._turn}"  # call ids are call_<turn>_<index>
        if self.action_format == "openai":
            action = message_json(action)  # a message dict or SDK object, as its JSON
        if isinstance(action, str) and len(action) > self.max_action_chars:
            parsed = ParsedAction(
                (), f"action too long: {len(action)} characters (limit {self.max_action_chars})", ""
            )
        else:
            parsed = parse_action(action, self.action_format, self.tools, call_prefix=call_prefix)
        calls: Sequence[ToolCall] = parsed.calls
        if parsed.error is not None:
            fallback = self._fallback_calls(parsed, action if isinstance(action, str) else "")
            if fallback:
                calls = [
                    ToolCall(c.name, c.arguments, f"{call_prefix}_{i}")
                    for i, c in enumerate(fallback)
                ]
                parsed = ParsedAction(tuple(calls), None, parsed.text)
        outputs: list[ToolOutput] = []
        if parsed.error is not None:
            self._step_rewards["format"] += self.format_penalty
        else:
            ran: list[ToolCall] = []
            for call in calls:
                if self._terminal_called:
                    ran.append(call)
                    outputs.append(ToolOutput("not run: the episode already ended", ok=False))
                    continue
                call, out = self._run_call(call)
                ran.append(call)
                outputs.append(out)
            calls = ran
        terminated = bool(self._terminal_called)
        truncated = not terminated and (
            self._turn >= self.max_turns
            or (
                self.time_limit_s is not None
                and time.monotonic() - self._episode_started > self.time_limit_s
            )
        )
        phi = 0.0 if terminated else float(self._potential())
        self._step_rewards["progress"] += phi - self._potential_value
        self._potential_value = phi
        info = self._base_info(parsed.error)
        if terminated or truncated:
            self._episode_over = True
            score = float(self._score())
            self._step_rewards["outcome"] = score
            info["score"] = score
            info["success"] = bool(self._success(score))
        if self.reward_mode == "sparse":
            reward = self._step_rewards["outcome"]
        else:
            reward = sum(self._step_rewards.values())
        info["tool_calls"] = [c.to_dict() for c in calls]
        info["tool_results"] = [
            {"name": c.name, "ok": o.ok, "output": o.text, **o.data}
            for c, o in zip(calls, outputs, strict=True)
        ]
        info["reward_components"] = dict(self._step_rewards)
        obs = self._observation(parsed.error, calls, outputs, truncated)
        self._last_action = action if isinstance(action, str) else repr(action)
        self._last_obs = obs
        return self._present(obs), float(reward), terminated, bool(truncated), info

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Start an episode.

        Args:
            seed: Seeds ``np_random``; the same seed draws the same task.
            options: May hold ``task_id`` (a task of the source) or ``task`` (a whole task
                dict in the env's format); nothing else.

        Returns:
            The task prompt and an info dict that also carries ``system_prompt`` and
            ``messages``.

        Raises:
            ValueError: For options that name no task (an unknown ``task_id``, a ``task`` that
                does not describe one, an unknown key); an episode in progress is left as it was.
        """
        super().reset(seed=seed)
        if options is not None and not isinstance(options, Mapping):
            raise ValueError(f"options must be a dict or None, got {type(options).__name__}")
        options = dict(options or {})
        unknown = set(options) - {"task_id", "task"}
        if unknown:
            raise ValueError(f"unknown reset option(s) {sorted(unknown)}; allowed: task_id, task")
        if "task" in options and "task_id" in options:
            raise ValueError("give either options['task'] or options['task_id'], not both")
        if "task" in options:
            task = options["task"]
            if not isinstance(task, Task):
                if not isinstance(task, Mapping):
                    raise ValueError(f"options['task'] must be a dict, got {type(task).__name__}")
                task = self._task_from_dict(dict(task))
        elif "task_id" in options:
            task_id = options["task_id"]
            if not isinstance(task_id, str):
                raise ValueError(f"options['task_id'] must be a str, got {type(task_id).__name__}")
            try:
                task = self.tasks.get(task_id)
            except KeyError as e:
                raise ValueError(e.args[0] if e.args else f"unknown task_id {task_id!r}") from None
        else:
            task = self.tasks.sample(self.np_random)
        self.task = task
        self._turn = 0
        self._terminal_called = False
        self._episode_over = False
        self._seen_effects = set()
        self._episode_started = time.monotonic()
        self._step_rewards = dict.fromkeys(self.reward_component_names, 0.0)
        prompt = self._clip(self._begin(task))
        self._potential_value = float(self._potential())
        info = self._base_info(None)
        info["system_prompt"] = system = self.system_prompt
        info["messages"] = [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt},
        ]
        self._last_action = ""
        self._last_obs = prompt
        return self._present(prompt), info

    def render(self) -> str | None:
        """Return the last action and observation as text (``render_mode="ansi"``)."""
        if self.render_mode != "ansi":
            return None
        head = f"[{self.spec.id if self.spec else type(self).__name__}] task={self.task_id} "
        head += f"turn={self._turn}/{self.max_turns}\n"
        action = f">>> {self._last_action}\n" if self._last_action else ""
        return head + action + self._last_obs + "\n"

    def close(self) -> None:
        """Release the env's resources; subclasses extend this."""

    # --- public helpers --------------------------------------------------------------------

    @property
    def task_id(self) -> str | None:
        """The current task's id, or None before the first reset."""
        return self.task.task_id if self.task is not None else None

    @property
    def turn(self) -> int:
        """Steps taken in the current episode."""
        return self._turn

    @property
    def system_prompt(self) -> str:
        """The system message: the env, its tools' arguments, how to call them, the limits."""
        return (
            f"{self.description}\n\nTools:\n{describe_tools(self.tools)}\n\n"
            f"{format_instructions(self.tools, self.action_format)}\n\n"
            f"Limits: {' '.join(self._prompt_limits())}"
        )

    def oracle_action(self, style: str = "direct") -> str:
        """Return the next completion of a perfect agent, in this env's ``action_format``.

        Args:
            style: ``"direct"`` answers as soon as it can; ``"tools"`` first uses the tools
                as an agent would (AgentCode runs the visible tests before submitting).
        """
        if self.task is None:
            raise gym.error.ResetNeeded("call reset() before oracle_action()")
        if style not in ("direct", "tools"):
            raise ValueError(f"style must be 'direct' or 'tools', got {style!r}")
        calls = self._oracle_tool_calls() if style == "tools" else self._oracle_calls()
        return format_action(calls, self.action_format, self.tools)

    def format_calls(self, calls: Sequence[ToolCall]) -> str:
        """Render ``calls`` as a completion in this env's ``action_format``."""
        return format_action(calls, self.action_format, self.tools)

    # --- hooks -----------------------------------------------------------------------------

    def _make_tools(self) -> Sequence[Tool]:
        """Return the env's tools."""
        raise NotImplementedError

    def _make_task_source(
        self, task_source: str | Path | None, difficulty: str | None
    ) -> TaskSource:
        """Return the task source named by ``task_source`` (None = the default).

        The default loads it with :func:`agentgym.tasks.load_tasks` from :attr:`task_family`.
        """
        if self.task_family is None:
            raise NotImplementedError("set task_family or override _make_task_source")
        return load_tasks(task_source, self.task_family, difficulty, **self._task_context())

    def _task_context(self) -> dict[str, Any]:
        """What the task family needs besides the source (the search env's world)."""
        return {}

    def _begin(self, task: Task) -> str:
        """Set up the episode for ``task`` and return the first user message."""
        raise NotImplementedError

    def _score(self) -> float:
        """Return the episode score in [0, 1]; called once when the episode ends."""
        raise NotImplementedError

    def _oracle_calls(self) -> Sequence[ToolCall]:
        """Return the tool calls a perfect agent makes next (privileged task data)."""
        raise NotImplementedError

    def _success(self, score: float) -> bool:
        """Return whether ``score`` counts as solving the task."""
        return score >= 1.0 - 1e-9

    def _potential(self) -> float:
        """Return the potential Φ of the current state for dense shaping (default 0)."""
        return 0.0

    def _fallback_calls(self, parsed: ParsedAction, action: str) -> Sequence[ToolCall]:
        """Return calls to run for a completion that did not parse (default: none).

        ``action`` is the raw completion (``parsed.text`` is what the parser kept of it).
        """
        return ()

    def _task_from_dict(self, record: dict[str, Any]) -> Task:
        """Build a task from ``options["task"]``: a record of the family's task files.

        Without a :attr:`task_family`, the record holds Task's own fields.
        """
        if self.task_family is not None:
            context = {**self._task_context(), "default_id": "task", "file_stem": "task"}
            return self.task_family.task_from_record(record, "options['task']", context)
        try:
            return Task(**record)
        except TypeError as e:
            raise ValueError(f"options['task'] does not describe a task: {e}") from None

    # --- internals -------------------------------------------------------------------------

    def _run_call(self, call: ToolCall) -> tuple[ToolCall, ToolOutput]:
        """Validate and run one call; returns the call with coerced arguments and its output."""
        tool = self.tools[call.name]
        try:
            kwargs = validate_arguments(tool, call.arguments)
            call = ToolCall(call.name, kwargs, call.id)
            # A tool may also reject arguments the schema cannot express (a bad link number).
            out = tool.fn(**kwargs)
        except ToolArgumentError as e:
            self._step_rewards["format"] += self.format_penalty
            return call, ToolOutput(f"error: {e}", ok=False)
        if not isinstance(out, ToolOutput):
            out = ToolOutput(str(out))
        for component, value in out.rewards.items():
            if component not in self._step_rewards or component in ("outcome", "progress"):
                raise KeyError(
                    f"tool {call.name!r} returned reward component {component!r}; declare it "
                    "in extra_reward_components (outcome and progress belong to the core)"
                )
            self._step_rewards[component] += float(value)
        if not (tool.terminal or tool.repeatable):
            # The tool may name what it acted on; by default the call's text is its effect.
            key = out.repeat_key
            if key is None:
                key = call.name + json.dumps(kwargs, sort_keys=True, default=str)
            if key in self._seen_effects:
                self._step_rewards["repeat"] += self.repeat_penalty
            self._seen_effects.add(key)
        if tool.terminal:
            self._terminal_called = True
        return call, out

    def _base_info(self, parse_error: str | None) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "turn": self._turn,
            "tools": self.tool_schemas,
            "tool_calls": [],
            "tool_results": [],
            "reward_components": dict(self._step_rewards),
            "parse_error": parse_error,
        }

    def _present(self, text: str) -> Any:
        """Return what the agent observes given the observation ``text`` (default: the text)."""
        return text

    def _observation(
        self,
        error: str | None,
        calls: Sequence[ToolCall],
        outputs: Sequence[ToolOutput],
        truncated: bool,
    ) -> str:
        """Return the step's observation: the parse error, or each call's output in a block."""
        if error is not None:
            text = f"Error: {error}"
        else:
            text = "\n".join(
                f'<tool_result name="{c.name}">\n{o.text}\n</tool_result>'
                for c, o in zip(calls, outputs, strict=True)
            )
        if truncated:
            text += f"\n[turn limit reached: {self._turn}/{self.max_turns}]"
        return self._clip(text)

    def _clip(self, text: str) -> str:
        limit = self.max_observation_chars
        if len(text) <= limit:
            return text
        notice = _TRUNCATION_NOTICE.format(n=len(text) - limit)
        keep = limit - len(notice) - 20
        return text[:keep] + _TRUNCATION_NOTICE.format(n=len(text) - keep)

    def _oracle_tool_calls(self) -> Sequence[ToolCall]:
        """The oracle's next calls in the ``"tools"`` style; by default the direct ones."""
        return self._oracle_calls()

    def _prompt_limits(self) -> list[str]:
        """Sentences on the episode's limits for the system prompt.

        Envs that run code extend it with their sandbox's time and memory limits.
        """
        turns = "turn" if self.max_turns == 1 else "turns"
        limits = [f"You have {self.max_turns} {turns}; each message you send is one turn."]
        if self.time_limit_s is not None:
            limits.append(f"The episode also ends after {self.time_limit_s:g} seconds.")
        return limits
