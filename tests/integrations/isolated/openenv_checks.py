"""OpenEnv 0.3.0 (openenv-core): agentgym envs served as OpenEnv environments, driven by
OpenEnv's own clients, and by TRL's GRPOTrainer through them.

Runs in its own virtualenv (tests/integrations/venvs/openenv.txt), from test_isolated.py.
"""

import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tiny_lm

import datasets  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402
import trl  # noqa: E402
from openenv.core.generic_client import GenericEnvClient  # noqa: E402
from tiny_lm import OraclePolicy, build_model, build_tokenizer, env_corpus  # noqa: E402

from agentgym.integrations.openenv import (  # noqa: E402
    AgentGymAction,
    AgentGymEnvClient,
    serve,
)
from agentgym.integrations.trl import close_envs, make_prompt_dataset, tool_environment  # noqa: E402

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")


def test_openenv_generic_client_plays_correct_and_wrong_episodes():
    with serve("Guess-v0") as server:
        with GenericEnvClient(base_url=server.url).sync() as client:
            first = client.reset(task_id="word-0")
            assert first.done is False and "5 letters" in first.observation["text"]
            assert {t["function"]["name"] for t in first.observation["tools"]} >= {"guess"}
            hint = client.step({"message": "<hint/>"})
            assert hint.done is False and ">\na\n<" in hint.observation["text"]
            right = client.step({"tool": "guess", "arguments": {"word": "apple"}})
            assert right.done is True and right.reward == 1.0
            assert right.observation["info"]["success"] is True
            client.reset(task_id="word-1")
            wrong = client.step({"message": "<guess>apple</guess>"})
            assert wrong.done is True and wrong.reward == 0.0
            assert wrong.observation["info"]["score"] == 0.0
            again = client.step({"message": "<hint/>"})  # after the end: says so, no error
            assert again.done is True and "ended" in again.observation["text"]
        schema = requests.get(server.url + "/schema", timeout=10).json()
        assert "tool" in schema["action"]["properties"]
        assert requests.get(server.url + "/health", timeout=10).status_code == 200


def test_openenv_typed_client_and_state_on_a_real_env():
    with serve("AgentMath-v0", reward_mode="dense") as server:
        with AgentGymEnvClient(base_url=server.url).sync() as client:
            first = client.reset(seed=4)
            task_id = first.observation.info["task_id"]
            assert first.observation.messages[0]["role"] == "system"
            step = client.step(AgentGymAction(tool="answer", arguments={"answer": "-987654321"}))
            assert step.done and step.reward == 0.0 and step.observation.info["success"] is False
            state = client.state()
            assert state.env_id == "AgentMath-v0" and state.task_id == task_id
            assert state.step_count == 1 and state.done is True


def test_trl_grpo_trains_through_openenv(tmp_path):
    rows = make_prompt_dataset("Guess-v0", 2, seed=0, tools=True)
    for row in rows:
        row["prompt"][-1]["content"] += f"\n(task {row['task_id']})"
    tokenizer = build_tokenizer(env_corpus(["Guess-v0"]))
    policy = OraclePolicy("Guess-v0", rows, ("guess", {"word": "nope"}))
    with serve("Guess-v0") as server:
        env_cls = tool_environment("Guess-v0", base_url=server.url)
        trainer = trl.GRPOTrainer(
            model=build_model(tokenizer, policy),
            args=trl.GRPOConfig(
                output_dir=str(tmp_path),
                per_device_train_batch_size=4,
                num_generations=2,
                max_steps=1,
                max_completion_length=2048,
                use_cpu=True,
                report_to="none",
                save_strategy="no",
            ),
            train_dataset=datasets.Dataset.from_list(rows),
            processing_class=tokenizer,
            environment_factory=env_cls,
        )
        trainer.train()
        rewards = list(trainer._logs["rewards"]["Guess-v0"])
        pool = server.server.config.app.state.agentgym_pool
        assert pool.live == 4  # one live session per rollout instance
        assert close_envs() == 4
    policy.close()
    assert rewards == [1.0, 0.0, 1.0, 0.0]


def test_openenv_leaves_nothing_behind():
    threads_before = {t.ident for t in threading.enumerate()}
    with serve("Guess-v0") as server:
        pool = server.server.config.app.state.agentgym_pool
        for i in range(12):
            with GenericEnvClient(base_url=server.url).sync() as client:
                client.reset(seed=i)
                client.step({"message": "<guess>apple</guess>"})
        with AgentGymEnvClient(base_url=server.url).sync() as client:
            client.reset(seed=0)  # a session that ends mid-episode
    assert pool.live == 0 and pool.idle == 0
    left = [t for t in threading.enumerate() if t.ident not in threads_before and t.is_alive()]
    assert left == [], [t.name for t in left]


def test_the_docs_openenv_example_runs(tmp_path):
    """docs/integrations.md's OpenEnv block (skipped by test_docs.py in the main install)."""
    import subprocess

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from test_docs import ROOT, parse_page

    blocks = [
        b
        for b in parse_page(ROOT / "docs" / "integrations.md")
        if b.lang == "python" and "GenericEnvClient" in b.code
    ]
    assert len(blocks) == 1 and "[openenv] extra" in (blocks[0].skip or "")
    done = subprocess.run(
        [sys.executable, "-c", blocks[0].code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "True" in done.stdout  # the answer ended the episode


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
