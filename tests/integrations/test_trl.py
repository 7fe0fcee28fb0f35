"""TRL 1.16, the real GRPOTrainer on CPU: EnvReward (single-turn) and tool_environment
(multi-turn, TRL's ``environment_factory``), for every env id."""

import inspect
import os

import pytest

trl = pytest.importorskip("trl")  # pinned in the [trl] and [all] extras

import datasets  # noqa: E402
from tiny_lm import OraclePolicy, build_model, build_tokenizer, env_corpus  # noqa: E402
from toy_env import WORDS  # noqa: E402
from transformers.utils import get_json_schema  # noqa: E402

from agentgym.integrations.trl import (  # noqa: E402
    EnvReward,
    close_envs,
    make_prompt_dataset,
    tool_environment,
)

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

ENV_IDS = ["Guess-v0", "AgentMath-v0", "AgentSearch-v0", "AgentGUI-v0", "AgentCode-v0"]

# A call that ends each env's episode unsolved.
WRONG = {
    "Guess-v0": ("guess", {"word": "nope"}),
    "AgentMath-v0": ("answer", {"answer": "-987654321"}),
    "AgentSearch-v0": ("answer", {"text": "no idea"}),
    "AgentGUI-v0": ("done", {}),
    "AgentCode-v0": ("submit", {"code": "def nothing():\n    pass\n"}),
}


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer(env_corpus(ENV_IDS))


def grpo_config(tmp_path, **kw):
    return trl.GRPOConfig(
        output_dir=str(tmp_path),
        per_device_train_batch_size=4,
        num_generations=2,
        max_steps=1,
        max_completion_length=16384,
        learning_rate=1e-3,
        use_cpu=True,
        report_to="none",
        logging_steps=1,
        save_strategy="no",
        seed=0,
        **kw,
    )


def test_generated_class_has_typed_documented_tool_methods():
    cls = tool_environment("AgentGUI-v0")
    methods = {
        n: f
        for n, f in inspect.getmembers(cls, predicate=inspect.isfunction)
        if not n.startswith("_")
    }
    assert set(methods) == {
        "reset", "get_reward", "click", "click_xy", "type", "select", "scroll", "key", "done",
    }  # fmt: skip
    schema = get_json_schema(methods["scroll"])["function"]
    assert schema["parameters"]["properties"]["direction"]["enum"] == ["up", "down"]
    assert schema["parameters"]["properties"]["id"]["type"] == "integer"
    assert schema["parameters"]["required"] == ["id", "direction"]
    code = tool_environment("AgentCode-v0")
    schema = get_json_schema(code.submit)["function"]
    assert not schema["parameters"].get("required")
    assert "module" in schema["parameters"]["properties"]["code"]["description"]
    env = code()
    row = make_prompt_dataset("AgentCode-v0", 1, tools=True)[0]
    assert env.reset(**row) is None  # the row's prompt already has the task
    assert "solution" in env.reset(task_id=row["task_id"])  # no prompt: the task is returned
    assert close_envs() >= 1 and env._backend is None


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_grpo_trains_multi_turn_through_tool_environment(env_id, tokenizer, tmp_path):
    rows = make_prompt_dataset(env_id, 2, seed=0, tools=True)
    for row in rows:  # so that the scripted policy tells the tasks apart by their prompt
        row["prompt"][-1]["content"] += f"\n(task {row['task_id']})"
    policy = OraclePolicy(env_id, rows, WRONG[env_id])
    env_cls = tool_environment(env_id)
    trainer = trl.GRPOTrainer(
        model=build_model(tokenizer, policy),
        args=grpo_config(tmp_path),
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
        environment_factory=env_cls,
    )
    try:
        result = trainer.train()
        rewards = list(trainer._logs["rewards"][env_id])
        completions = list(trainer._logs["completion"])
    finally:
        policy.close()
        for instance in trainer._environment_pool[None]:
            instance._close()
    assert result.global_step == 1
    # Two prompts x two generations: the oracle's rollouts score 1, the wrong ones 0.
    assert rewards == [1.0, 0.0, 1.0, 0.0]
    tool_turns = [sum(m["role"] == "tool" for m in c) for c in completions]
    assert all(n >= 1 for n in tool_turns)  # every rollout called a tool and read its result
    assert policy.calls_seen >= 2


def test_grpo_single_turn_env_reward_gets_env_scores(tokenizer, tmp_path):
    rows = make_prompt_dataset("Guess-v0", 2, seed=0)
    for row in rows:
        row["prompt"][-1]["content"] += f"\n(task {row['task_id']})"
    words = {f"word-{i}": w for i, w in enumerate(WORDS)}

    def policy(texts):
        out = []
        for i, text in enumerate(texts):
            tid = next(r["task_id"] for r in rows if r["prompt"][-1]["content"] in text)
            out.append(f"<guess>{words[tid] if i % 2 == 0 else 'nope'}</guess>")
        return out

    reward = EnvReward("Guess-v0")
    trainer = trl.GRPOTrainer(
        model=build_model(tokenizer, policy),
        reward_funcs=[reward],
        args=grpo_config(tmp_path),
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
    )
    trainer.train()
    assert list(trainer._logs["rewards"]["Guess-v0"]) == [1.0, 0.0, 1.0, 0.0]
    reward.pool.shutdown()
