import json

import numpy as np
import pytest
import torch

from agentgym.agents.grpo import GRPOConfig, GRPOTrainer, group_advantages, grpo_loss, train_grpo
from agentgym.agents.policy import PolicyConfig, TinyPolicy


def test_group_advantages():
    adv = group_advantages([1.0, 0.0, 0.5, 0.5, 2.0, 0.0], [0, 0, 1, 1, 2, 2])
    assert adv[:2] == pytest.approx([1.0, -1.0], abs=1e-4)
    assert adv[2:4].tolist() == [0.0, 0.0]  # a group with equal rewards carries no signal
    assert adv[4:] == pytest.approx([1.0, -1.0], abs=1e-4)
    raw = group_advantages([1.0, 0.0, 2.0, 0.0], [0, 0, 1, 1], std_normalize=False)
    assert raw.tolist() == [0.5, -0.5, 1.0, -1.0]


def _grad(logp, **kw):
    logp = logp.clone().requires_grad_(True)
    loss, stats = grpo_loss(logp, **kw)
    loss.backward()
    return logp.grad, stats


def test_loss_at_ratio_one_is_the_policy_gradient_on_masked_tokens():
    logp = torch.tensor([[-1.0, -2.0, -0.5], [-1.0, -1.0, -1.0]])
    mask = torch.tensor([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    adv = torch.tensor([2.0, -1.0])
    grad, stats = _grad(logp, old_logp=logp, advantages=adv, mask=mask)
    # sequence aggregation: each sequence's tokens share 1/n_tokens, then mean over sequences
    expected = torch.tensor([[0.0, -2.0 / 2 / 2, -2.0 / 2 / 2], [0.0, 0.0, 1.0 / 1 / 2]])
    assert torch.allclose(grad, expected)
    assert stats.ratio_mean == pytest.approx(1.0) and stats.clip_frac == 0.0
    grad_tok, _ = _grad(logp, old_logp=logp, advantages=adv, mask=mask, aggregation="token")
    assert torch.allclose(grad_tok, torch.tensor([[0.0, -2 / 3, -2 / 3], [0.0, 0.0, 1 / 3]]))


def test_clipping_and_clip_higher():
    old = torch.zeros(1, 2)
    mask = torch.ones(1, 2)
    up = torch.log(torch.tensor([[1.25, 1.1]]))  # ratios 1.25 and 1.1
    grad, stats = _grad(up, old_logp=old, advantages=torch.tensor([1.0]), mask=mask)
    assert grad[0, 0] == 0.0 and grad[0, 1] < 0  # ratio above 1 + 0.2 with A > 0: no push
    assert stats.clip_frac == pytest.approx(0.5)
    grad, _ = _grad(up, old_logp=old, advantages=torch.tensor([1.0]), mask=mask, clip_eps_high=0.28)
    assert grad[0, 0] < 0  # DAPO clip-higher lets the low-probability token keep rising
    down = torch.log(torch.tensor([[0.7, 0.9]]))
    grad, _ = _grad(down, old_logp=old, advantages=torch.tensor([-1.0]), mask=mask)
    assert grad[0, 0] == 0.0 and grad[0, 1] > 0


def test_k3_kl_is_zero_at_the_reference_and_positive_elsewhere():
    logp = torch.tensor([[-1.0, -2.0]])
    mask = torch.ones(1, 2)
    zero_adv = torch.tensor([0.0])
    _, same = _grad(logp, old_logp=logp, advantages=zero_adv, mask=mask, ref_logp=logp, kl_coef=0.1)
    assert same.kl == pytest.approx(0.0) and same.loss == pytest.approx(0.0)
    ref = torch.tensor([[-1.5, -1.0]])
    grad, diff = _grad(
        logp, old_logp=logp, advantages=zero_adv, mask=mask, ref_logp=ref, kl_coef=0.1
    )
    d = ref - logp
    assert diff.kl == pytest.approx(float((torch.exp(d) - d - 1).mean()), rel=1e-5)
    # the KL gradient pulls each log-prob towards the reference's
    assert grad[0, 0] > 0 and grad[0, 1] < 0


def config(tmp_policy, **kw):
    base = dict(
        env="Digits-v0",
        policy=tmp_policy,
        steps=6,
        tasks_per_step=4,
        group_size=8,
        max_new_tokens=6,
        lr=1e-2,
        eval_every=0,
        eval_episodes=4,
        checkpoint_every=0,
        seed=0,
    )
    base.update(kw)
    return GRPOConfig(**base)


def test_a_few_grpo_steps_raise_the_mean_reward(tiny_policy_config):
    trainer = GRPOTrainer(config(tiny_policy_config, steps=20, kl_coef=0.01))
    rewards = []
    for _ in range(20):
        metrics, trajs = trainer.step()
        rewards.append(metrics["reward_mean"])
        assert len(trajs) == 32
    trainer.close()
    stats = trainer.rollout_stats  # summed over the run
    assert stats.episodes == 20 * 32 and stats.policy_tokens >= stats.episodes
    assert stats.env_seconds > 0 and stats.model_seconds > 0
    # a random byte is a digit ~4% of the time; GRPO pushes the policy towards digits
    assert np.mean(rewards[:2]) < 0.15
    assert np.mean(rewards[-3:]) > np.mean(rewards[:2]) + 0.2
    assert metrics["kl"] > 0


def test_zero_variance_groups_are_dropped(tiny_policy_config):
    trainer = GRPOTrainer(config(tiny_policy_config, drop_zero_variance_groups=True))
    metrics, trajs = trainer.step()
    trainer.close()
    rewards = np.array([t.reward for t in trajs]).reshape(4, 8)
    live = int((np.ptp(rewards, axis=1) > 0).sum())
    assert metrics["trained_episodes"] == live * 8
    assert metrics["zero_variance_groups"] == pytest.approx((4 - live) / 4)


def test_train_grpo_writes_a_run_and_resumes(tiny_policy_config, tmp_path):
    cfg = config(tiny_policy_config, steps=2, eval_every=1, export_every=1)
    summary = train_grpo(cfg, tmp_path, progress=False)
    assert summary["steps"] == 2
    for name in ("metrics.jsonl", "curve.png", "config.json", "trajectories.jsonl"):
        assert (tmp_path / name).is_file()
    assert (tmp_path / "checkpoint" / "trainer.pt").is_file()
    more = config(tiny_policy_config, steps=3, eval_every=1)
    summary = train_grpo(more, tmp_path, resume=True, progress=False)
    assert summary["steps"] == 3
    steps = [json.loads(line)["step"] for line in (tmp_path / "metrics.jsonl").open()]
    assert steps == [0, 1, 2, 3]
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").open()]
    assert all("eval_success" in r for r in records)
    # Digits-v0 has four tasks: after a step, every held-out prompt was seen in training
    assert records[-1]["eval_seen_in_training"] == 1.0
    assert "eval_success_unseen" not in records[-1]
    assert len((tmp_path / "trajectories.jsonl").read_text().splitlines()) == 2 * 32


def test_resume_replays_the_same_run(tiny_policy_config, tmp_path):
    straight = train_grpo(config(tiny_policy_config, steps=2), tmp_path / "a", progress=False)
    train_grpo(config(tiny_policy_config, steps=1), tmp_path / "b", progress=False)
    resumed = train_grpo(
        config(tiny_policy_config, steps=2), tmp_path / "b", resume=True, progress=False
    )
    assert straight["steps"] == resumed["steps"] == 2
    a = [json.loads(x) for x in (tmp_path / "a" / "metrics.jsonl").open()]
    b = [json.loads(x) for x in (tmp_path / "b" / "metrics.jsonl").open()]
    assert a[-1]["reward_mean"] == pytest.approx(b[-1]["reward_mean"])


def test_hf_policy_grpo_step(tmp_path):
    from test_policy import tiny_hf_policy

    policy = tiny_hf_policy()
    before = [p.detach().clone() for p in policy.parameters()]
    cfg = GRPOConfig(
        env="Digits-v0",
        init="unused",
        steps=1,
        tasks_per_step=2,
        group_size=4,
        max_new_tokens=4,
        kl_coef=0.05,
        eval_episodes=2,
    )
    trainer = GRPOTrainer(cfg, policy=policy)
    metrics, _ = trainer.step()
    trainer.close()
    assert np.isfinite(metrics.get("loss", 0.0))
    changed = any(not torch.equal(a, b) for a, b in zip(before, policy.parameters(), strict=True))
    assert changed == (metrics["trained_episodes"] > 0 and metrics["zero_variance_groups"] < 1)


def test_config_errors(tiny_policy_config):
    with pytest.raises(ValueError, match="unknown grpo option"):
        GRPOConfig.from_dict({"env": "Digits-v0", "policy": tiny_policy_config, "beta": 1})
    with pytest.raises(ValueError, match="needs 'env'"):
        GRPOConfig.from_dict({"policy": tiny_policy_config})
    with pytest.raises(ValueError, match="group_size"):
        config(tiny_policy_config, group_size=1)
    with pytest.raises(ValueError, match="loss_aggregation"):
        config(tiny_policy_config, loss_aggregation="batch")
    with pytest.raises(ValueError, match="init"):
        GRPOConfig(env="Digits-v0")
    with pytest.raises(ValueError, match="divisible"):
        config({"kind": "tiny", "d_model": 30, "n_heads": 4})


def test_tiny_policy_is_deterministic_per_seed():
    a = TinyPolicy(PolicyConfig(d_model=16, n_layers=1, n_heads=2, seed=3))
    b = TinyPolicy(PolicyConfig(d_model=16, n_layers=1, n_heads=2, seed=3))
    for x, y in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(x, y)


def test_time_budget_stops_the_run_early(tiny_policy_config, tmp_path):
    summary = train_grpo(
        config(tiny_policy_config, steps=50, max_minutes=1e-9), tmp_path, progress=False
    )
    assert summary["steps"] == 1
    last = [json.loads(x) for x in (tmp_path / "metrics.jsonl").open()][-1]
    assert "eval_success" in last and (tmp_path / "checkpoint" / "trainer.pt").is_file()
    with pytest.raises(ValueError, match="max_minutes"):
        config(tiny_policy_config, max_minutes=-1)
