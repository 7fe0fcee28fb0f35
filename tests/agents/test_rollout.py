import json

import gymnasium as gym
import pytest
import torch

from agentgym.agents.policy import PolicyConfig, TinyPolicy
from agentgym.agents.rollout import (
    collect,
    evaluate,
    make_envs,
    read_trajectories,
    summarize,
    write_trajectories,
)


@pytest.fixture
def policy():
    return TinyPolicy(PolicyConfig(d_model=32, n_layers=1, n_heads=2, max_len=1024))


def hint_then_guess(messages):
    """Ask two hints, then guess the letters revealed so far padded with the last reply."""
    turns = sum(m["role"] == "assistant" for m in messages)
    return "<hint/>" if turns < 2 else "<guess>nope</guess>"


def test_oracle_rollouts_mask_exactly_the_completions(policy):
    envs = make_envs("Guess-v0", 3)
    trajs = collect(envs, policy, [0, 1, 2, 3, 4], actor="oracle")
    envs.close()
    assert len(trajs) == 5
    for t in trajs:
        assert t.success and t.terminated and not t.truncated and t.score == 1.0
        assert t.turn_rewards == [1.0] and t.reward == 1.0
        owned = [tok for tok, m in zip(t.token_ids, t.loss_mask, strict=True) if m]
        assert owned == policy.encode_completion(t.messages[-1]["content"])
        assert t.messages[-1]["content"].startswith("<guess>")
        assert len(t.token_ids) == len(t.loss_mask) == len(t.logprobs)
        # the unmasked head is the rendered prompt
        assert t.token_ids[: len(t.token_ids) - len(owned)] == policy.render_prompt(t.messages[:-1])


def test_multi_turn_rollouts_record_each_turn(policy):
    envs = make_envs("Guess-v0", 2, {"reward_mode": "dense"})
    (t,) = collect(envs, policy, [7], actor=hint_then_guess)
    envs.close()
    assert [m["role"] for m in t.messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
        "assistant",
    ]
    assert len(t.turn_rewards) == 3
    assert t.turn_rewards[0] > 0  # a hint reveals a letter: potential-based progress
    assert t.terminated and not t.success
    # three masked spans, one per assistant turn, separated by the env's replies
    spans = sum(1 for i, m in enumerate(t.loss_mask) if m and (i == 0 or not t.loss_mask[i - 1]))
    assert spans == 3
    assert t.num_policy_tokens == sum(
        len(policy.encode_completion(m["content"])) for m in t.messages if m["role"] == "assistant"
    )


def test_policy_rollouts_groups_and_logprobs(policy):
    envs = make_envs("Guess-v0", 4)
    gen = torch.Generator().manual_seed(0)
    trajs = collect(envs, policy, [5, 5, 9, 9], max_new_tokens=6, generator=gen)
    envs.close()
    assert [t.group for t in trajs] == [0, 0, 1, 1]
    assert trajs[0].task_id == trajs[1].task_id
    for t in trajs:
        assert all(lp < 0 for lp, m in zip(t.logprobs, t.loss_mask, strict=True) if m)
        assert all(lp == 0 for lp, m in zip(t.logprobs, t.loss_mask, strict=True) if not m)
        # random bytes never parse: every turn is a malformed action until the turn limit
        assert t.truncated and not t.success


def test_conversation_outgrowing_the_context_is_cut():
    small = TinyPolicy(PolicyConfig(d_model=16, n_layers=1, n_heads=2, max_len=590))
    envs = make_envs("Guess-v0", 1)
    (t,) = collect(envs, small, [0], actor=hint_then_guess)
    envs.close()
    assert t.cut_by_length and t.truncated and not t.terminated and t.score == 0.0
    assert len(t.token_ids) <= small.max_len


def test_async_vector_env_rollouts(policy):
    envs = make_envs("Guess-v0", 2, vectorization_mode="async")
    try:
        trajs = collect(envs, policy, [1, 2, 3], actor="oracle")
    finally:
        envs.close()
    assert [t.success for t in trajs] == [True, True, True]


def test_evaluate_and_summarize(policy):
    envs = make_envs("Guess-v0", 2)
    result = evaluate(envs, policy, [0, 1], max_new_tokens=4)
    oracle = summarize(collect(envs, policy, [0, 1], actor="oracle"))
    envs.close()
    assert result.episodes == 2 and result.success_rate == 0.0
    assert oracle.success_rate == 1.0 and oracle.mean_return == 1.0
    assert summarize([]).episodes == 0


def test_jsonl_round_trip_and_errors(policy, tmp_path):
    envs = make_envs("Guess-v0", 2)
    trajs = collect(envs, policy, [0, 1], actor=hint_then_guess)
    envs.close()
    path = tmp_path / "t.jsonl"
    assert write_trajectories(trajs, path) == 2
    record = json.loads(path.read_text().splitlines()[0])
    for key in ("messages", "token_ids", "loss_mask", "logprobs", "turn_rewards", "reward"):
        assert key in record
    assert read_trajectories(path) == trajs
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task_id": "x"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:1: missing field"):
        read_trajectories(bad)
    bad.write_text("{oops\n")
    with pytest.raises(ValueError, match="invalid JSON"):
        read_trajectories(bad)
    record["loss_mask"] = record["loss_mask"][:-1]
    bad.write_text(json.dumps(record) + "\n")
    with pytest.raises(ValueError, match="differ in length"):
        read_trajectories(bad)


def test_make_envs_errors():
    with pytest.raises(gym.error.Error, match="unknown env id"):
        make_envs("Nope-v0", 2)
    with pytest.raises(ValueError, match="num_envs"):
        make_envs("Guess-v0", 0)
    with pytest.raises(ValueError, match="vectorization_mode"):
        make_envs("Guess-v0", 1, vectorization_mode="threads")


def test_bad_actor(policy):
    envs = make_envs("Guess-v0", 1)
    with pytest.raises(ValueError, match="actor"):
        collect(envs, policy, [0], actor="human")
    envs.close()


def test_non_agentgym_env_is_a_clear_error(policy):
    envs = gym.make_vec("CartPole-v1", num_envs=1, vectorization_mode="sync")
    with pytest.raises(ValueError, match="agentgym envs"):
        collect(envs, policy, [0])
    envs.close()
