"""verl 0.9.1: the agentgym agent loop inside verl's real AgentLoopWorker, on CPU.

Runs in its own virtualenv (tests/integrations/venvs/verl.txt), from test_isolated.py. verl's
LLM server needs vLLM or SGLang (GPUs); the only stand-in here is that server: ``ScriptLLM``
answers ``generate(prompt_ids)`` with token ids from the in-test tokenizer. Everything else,
from the config and tokenizer loading to the padded batch with ``rm_scores``, is verl's.
"""

import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tiny_lm

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import verl  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402
from tiny_lm import build_model, build_tokenizer, env_corpus  # noqa: E402
from toy_env import WORDS, GuessEnv  # noqa: E402
from verl.experimental.agent_loop.agent_loop import AgentLoopWorker  # noqa: E402
from verl.protocol import DataProto  # noqa: E402
from verl.workers.rollout.replica import TokenOutput  # noqa: E402

from agentgym.integrations import verl as adapter  # noqa: E402
from agentgym.tools import ToolCall  # noqa: E402

ENV_IDS = ["AgentMath-v0", "AgentSearch-v0", "AgentGUI-v0", "AgentCode-v0"]
WRONG = {
    "Guess-v0": ToolCall("guess", {"word": "nope"}),
    "AgentMath-v0": ToolCall("answer", {"answer": "-987654321"}),
    "AgentSearch-v0": ToolCall("answer", {"text": "no idea"}),
    "AgentGUI-v0": ToolCall("done", {}),
    "AgentCode-v0": ToolCall("submit", {"code": "def nothing():\n    pass\n"}),
}


class SlowGuess(GuessEnv):
    """The toy env, with slow steps, and a step that raises on ``<boom/>``; counts closes."""

    delay_s = 0.5
    # When set, every step waits here until all parties are stepping at once: proof that the
    # steps run concurrently and off the event loop, with no clock involved (a serial or
    # loop-blocking adapter leaves the barrier short of parties until its timeout breaks it).
    barrier: threading.Barrier | None = None
    made = 0
    closed = 0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        type(self).made += 1

    def step(self, action):
        if self.barrier is not None:
            self.barrier.wait()
        time.sleep(self.delay_s)
        if "<boom/>" in action:
            raise RuntimeError("boom")
        return super().step(action)

    def close(self):
        type(self).closed += 1
        super().close()


if "SlowGuess-v0" not in gym.registry:
    gym.register("SlowGuess-v0", entry_point=SlowGuess)


class ScriptLLM:
    """verl's LLM server, played by a script: each task's text -> right or wrong play.

    The conversation so far is decoded from ``prompt_ids``; the assistant turns are replayed
    on a shadow env and the oracle's next action (or the wrong one) is returned as tokens.
    """

    def __init__(self, tokenizer, env_id, right_tasks, script=None):
        self.tok = tokenizer
        self.env = gym.make(env_id) if env_id else None
        self.env_id = env_id
        self.right = right_tasks  # task text -> task id
        self.script = script
        self.calls = 0

    async def generate(self, request_id, *, prompt_ids, sampling_params, **kwargs):
        self.calls += 1
        text = self.tok.decode(prompt_ids)
        if self.script is not None:
            answer = self.script(text)
        else:
            answer = self._play(text)
        return TokenOutput(token_ids=self.tok.encode(answer + "<|im_end|>"))

    def _play(self, text):
        task_id = next((t for content, t in self.right.items() if content in text), None)
        turns = [t.split("<|im_end|>")[0] for t in text.split("<|im_start|>assistant\n")[1:]]
        done_turns = [t for t in turns if t]
        if task_id is None:  # a task to get wrong
            return self.env.unwrapped.format_calls([WRONG[self.env_id]])
        env = self.env.unwrapped
        self.env.reset(options={"task_id": task_id})
        for action in done_turns:
            self.env.step(action)
        return env.oracle_action()

    def close(self):
        if self.env is not None:
            self.env.close()


def make_worker(tokenizer, llm, **rollout):
    folder = tempfile.mkdtemp()
    build_model(tokenizer, lambda texts: []).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    path = Path(verl.__file__).parent / "trainer" / "config" / "_generated_ppo_trainer.yaml"
    config = OmegaConf.load(path)
    config.actor_rollout_ref.model.path = folder
    config.actor_rollout_ref.rollout.name = "vllm"
    config.actor_rollout_ref.rollout.prompt_length = 8192
    config.actor_rollout_ref.rollout.response_length = 16384
    for key, value in rollout.items():
        OmegaConf.update(config.actor_rollout_ref.rollout, key, value)
    return AgentLoopWorker(config, llm_client=llm)


def batch(rows):
    """A verl batch: rows of ``extra_info["agentgym"]`` specs, as RLHFDataset gives them."""
    n = len(rows)
    return DataProto.from_dict(
        non_tensors={
            "raw_prompt": np.array([[{"role": "user", "content": ""}]] * n, dtype=object),
            "agent_name": np.array(["agentgym"] * n, dtype=object),
            "extra_info": np.array([{"agentgym": r} for r in rows], dtype=object),
            "index": np.arange(n),
        }
    )


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer(env_corpus(["Guess-v0", *ENV_IDS]))


@pytest.fixture(autouse=True)
def fresh_pools():
    yield
    adapter.shutdown()


def test_worker_scores_right_and_wrong_multi_turn_episodes(tokenizer):
    def script(text):  # word-0: a hint, then the answer; word-1: a wrong guess
        if "(task word-1)" in text:
            return "<guess>nope</guess>"
        return "<hint/>" if text.count("<|im_start|>assistant\n") == 1 else "<guess>apple</guess>"

    def prompt(task_id):
        return f"(task {task_id})"

    llm = ScriptLLM(tokenizer, None, {}, script=lambda text: script(text))
    worker = make_worker(tokenizer, llm)
    rows = [
        {"env_id": "Guess-v0", "task_id": t, "env_kwargs": {"reward_mode": "dense"}}
        for t in ("word-0", "word-1")
    ]
    # The task ids are not in the env's prompt; mark them through the task text instead.
    original = GuessEnv._begin
    GuessEnv._begin = lambda self, task: original(self, task) + " " + prompt(task.task_id)
    try:
        out = asyncio.run(worker.generate_sequences(batch(rows)))
    finally:
        GuessEnv._begin = original
    scores = out.batch["rm_scores"].sum(-1).tolist()
    assert scores == [1.0, 0.0]  # the episode's score, not the dense return
    meta = list(out.non_tensor_batch["agentgym"])
    assert [m["turns"] for m in meta] == [2, 1] and meta[0]["success"] is True
    assert list(out.non_tensor_batch["__num_turns__"]) == [5, 3]
    assert len(out.non_tensor_batch["turn_scores"][0]) == 2
    # Multi-turn: model tokens are trained (mask 1), the env's reply is not (mask 0).
    mask = out.batch["response_mask"][0].tolist()
    first_one, last_one = mask.index(1), len(mask) - 1 - mask[::-1].index(1)
    assert 0 in mask[first_one:last_one], "the observation tokens must be masked out"
    reply = tokenizer.decode(out.batch["responses"][0].tolist())
    assert "<hint/>" in reply and ">\na\n<" in reply and "<guess>apple</guess>" in reply
    assert llm.calls == 3


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_every_env_trains_through_the_worker(env_id, tokenizer):
    probe = gym.make(env_id)
    texts = {}
    for seed in (0, 1):
        obs, info = probe.reset(seed=seed)
        texts[seed] = (str(obs), info["task_id"])
    probe.close()
    llm = ScriptLLM(tokenizer, env_id, {texts[0][0]: texts[0][1]})
    worker = make_worker(tokenizer, llm)
    rows = [{"env_id": env_id, "task_id": texts[s][1]} for s in (0, 1)]
    try:
        out = asyncio.run(worker.generate_sequences(batch(rows)))
    finally:
        llm.close()
    assert out.batch["rm_scores"].sum(-1).tolist() == [1.0, 0.0]
    meta = list(out.non_tensor_batch["agentgym"])
    assert meta[0]["success"] is True and meta[1]["success"] is False
    assert all(m["error"] is None for m in meta)


def test_steps_run_off_the_event_loop(tokenizer, monkeypatch):
    llm = ScriptLLM(tokenizer, None, {}, script=lambda text: "<hint/>")
    worker = make_worker(tokenizer, llm, **{"multi_turn.max_assistant_turns": 1})
    barrier = threading.Barrier(6, timeout=60)
    monkeypatch.setattr(SlowGuess, "barrier", barrier)
    monkeypatch.setattr(SlowGuess, "delay_s", 0.0)
    out = asyncio.run(worker.generate_sequences(batch([{"env_id": "SlowGuess-v0"}] * 6)))
    assert len(out) == 6
    # All six steps were in flight at the same time, while the event loop kept serving the
    # other trajectories (had a step blocked the loop, the rest could never have started).
    assert not barrier.broken


def test_envs_are_released_on_every_path(tokenizer, monkeypatch):
    pool_key = ("SlowGuess-v0", {})
    made, closed = SlowGuess.made, SlowGuess.closed

    def pool():
        return adapter._pool(*pool_key)

    # Normal end: the env goes back to the pool, for the next trajectory.
    llm = ScriptLLM(tokenizer, None, {}, script=lambda text: "<guess>apple</guess>")
    asyncio.run(make_worker(tokenizer, llm).generate_sequences(batch([{"env_id": "SlowGuess-v0"}])))
    assert pool().live == 0 and pool().idle == 1
    # The env raises: the trajectory ends with the error, the env is closed, not reused.
    llm = ScriptLLM(tokenizer, None, {}, script=lambda text: "<boom/>")
    out = asyncio.run(
        make_worker(tokenizer, llm).generate_sequences(batch([{"env_id": "SlowGuess-v0"}]))
    )
    assert "boom" in out.non_tensor_batch["agentgym"][0]["error"]
    assert out.batch["rm_scores"].sum().item() == 0.0
    assert pool().live == 0 and pool().idle == 0 and SlowGuess.closed == closed + 1
    # A step slower than the timeout: the trajectory ends, the env closes once the step returns.
    monkeypatch.setenv("AGENTGYM_VERL_STEP_TIMEOUT_S", "0.1")
    llm = ScriptLLM(tokenizer, None, {}, script=lambda text: "<hint/>")
    out = asyncio.run(
        make_worker(tokenizer, llm).generate_sequences(batch([{"env_id": "SlowGuess-v0"}]))
    )
    assert "longer than 0.1 s" in out.non_tensor_batch["agentgym"][0]["error"]
    time.sleep(SlowGuess.delay_s + 0.3)
    assert pool().live == 0 and SlowGuess.closed == closed + 2
    monkeypatch.delenv("AGENTGYM_VERL_STEP_TIMEOUT_S")
    # Cancelled mid-step (a rollout aborted by the trainer): released after the step returns.
    llm = ScriptLLM(tokenizer, None, {}, script=lambda text: "<hint/>")
    worker = make_worker(tokenizer, llm)

    async def cancel_mid_step():
        task = asyncio.create_task(worker.generate_sequences(batch([{"env_id": "SlowGuess-v0"}])))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_mid_step())
    time.sleep(SlowGuess.delay_s + 0.3)
    assert pool().live == 0 and SlowGuess.closed == closed + 3
    adapter.shutdown()
    assert SlowGuess.made - made == SlowGuess.closed - closed  # every env made was closed


def test_many_episodes_leave_nothing_behind(tokenizer):
    threads = {t.ident for t in threading.enumerate()}
    SlowGuess.delay_s = 0.0
    made, closed = SlowGuess.made, SlowGuess.closed
    llm = ScriptLLM(tokenizer, None, {}, script=lambda text: "<guess>apple</guess>")
    worker = make_worker(tokenizer, llm)
    for _ in range(5):
        asyncio.run(worker.generate_sequences(batch([{"env_id": "SlowGuess-v0"}] * 8)))
    assert SlowGuess.made - made <= 8  # envs were reused across trajectories
    adapter.shutdown()
    assert SlowGuess.made - made == SlowGuess.closed - closed
    left = [t.name for t in threading.enumerate() if t.ident not in threads and t.is_alive()]
    assert not [n for n in left if n.startswith("agentgym")], left


def test_interaction_for_older_verl_runs_off_the_loop(monkeypatch):
    inter = adapter.AgentGymInteraction({"env_id": "SlowGuess-v0"})

    async def one(i):
        iid = await inter.start_interaction(task_id="word-0")
        done, _, reward, meta = await inter.generate_response(
            iid, [{"role": "assistant", "content": f"<guess>{WORDS[0]}</guess>"}]
        )
        score = await inter.calculate_score(iid)
        await inter.finalize_interaction(iid)
        return done, reward, score

    async def run():
        return await asyncio.gather(*(one(i) for i in range(6)))

    barrier = threading.Barrier(6, timeout=60)
    monkeypatch.setattr(SlowGuess, "barrier", barrier)
    monkeypatch.setattr(SlowGuess, "delay_s", 0.0)
    results = asyncio.run(run())
    assert results == [(True, 1.0, 1.0)] * 6
    assert not barrier.broken  # the six steps ran at once, off the event loop
    assert inter.pool.live == 0
    inter.close()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
