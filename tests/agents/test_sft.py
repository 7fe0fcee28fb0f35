import json

import pytest

from agentgym.agents.policy import PolicyConfig, TinyPolicy
from agentgym.agents.rollout import make_envs, write_trajectories
from agentgym.agents.sft import (
    SFTConfig,
    calculator_demonstrator,
    demonstrations,
    sft_loss,
    train_sft,
)
from agentgym.agents.train_cli import stage_options
from agentgym.cli import main


def sft_config(policy, **kw):
    base = dict(
        env="Lookup-v0",
        num_envs=4,
        policy=policy,
        episodes=16,
        steps=100,
        batch_size=16,
        lr=5e-3,
        eval_every=0,
        eval_episodes=8,
        checkpoint_every=0,
        max_new_tokens=24,
    )
    base.update(kw)
    return SFTConfig(**base)


def test_sft_on_oracle_trajectories_learns_the_task(tiny_policy_config, tmp_path):
    summary = train_sft(sft_config(tiny_policy_config), tmp_path, progress=False)
    assert summary["initial_eval_success"] == 0.0
    assert summary["final_eval_success"] >= 0.75
    records = [json.loads(x) for x in (tmp_path / "metrics.jsonl").open()]
    losses = [r["loss"] for r in records if "loss" in r]
    assert losses[-1] < losses[0] / 3
    for name in ("curve.png", "sft_data.jsonl", "policy/policy.json", "checkpoint/trainer.pt"):
        assert (tmp_path / name).is_file()


def test_sft_resumes_and_trains_from_a_trajectory_file(tiny_policy_config, tmp_path):
    train_sft(sft_config(tiny_policy_config, steps=3), tmp_path / "a", progress=False)
    summary = train_sft(
        sft_config(tiny_policy_config, steps=5), tmp_path / "a", resume=True, progress=False
    )
    assert summary["steps"] == 5
    steps = [json.loads(x)["step"] for x in (tmp_path / "a" / "metrics.jsonl").open()]
    assert steps == [0, 1, 2, 3, 4, 5]
    data = str(tmp_path / "a" / "sft_data.jsonl")
    other = train_sft(
        sft_config(tiny_policy_config, steps=2, data=data), tmp_path / "b", progress=False
    )
    assert other["demonstrations"] == summary["demonstrations"]


def test_sft_loss_is_only_on_assistant_tokens(tiny_policy_config):
    policy = TinyPolicy(PolicyConfig(**tiny_policy_config))
    envs = make_envs("Lookup-v0", 2)
    (traj,) = demonstrations(envs, policy, 1)
    envs.close()
    loss = sft_loss(policy, [traj])
    logp = policy.score([traj.token_ids])[0]
    owned = [lp for lp, m in zip(logp.tolist(), traj.loss_mask, strict=True) if m]
    assert float(loss.detach()) == pytest.approx(-sum(owned) / len(owned), rel=1e-5)


def test_calculator_demonstrator_solves_arithmetic(tiny_policy_config):
    policy = TinyPolicy(PolicyConfig(**{**tiny_policy_config, "max_len": 160}))
    envs = make_envs(
        "AgentMath-v0", 2, {"task_source": "generated:arithmetic", "difficulty": "easy"}
    )
    try:
        trajs = demonstrations(envs, policy, 4, demonstrator="calculator")
    finally:
        envs.close()
    assert len(trajs) == 4  # unsolved episodes would have been dropped
    assert all(t.messages[-3]["content"].startswith("<python>print(") for t in trajs)
    assert calculator_demonstrator([{"role": "user", "content": "Compute $2^{3}$."}]) == (
        "<python>print(2**{3})</python>"
    )


def test_sft_config_errors(tiny_policy_config):
    with pytest.raises(ValueError, match="demonstrator"):
        sft_config(tiny_policy_config, demonstrator="human")
    with pytest.raises(ValueError, match="unknown sft option"):
        SFTConfig.from_dict({"env": "Lookup-v0", "policy": tiny_policy_config, "epochs": 2})
    with pytest.raises(ValueError, match="steps"):
        sft_config(tiny_policy_config, steps=0)


def test_stage_options_merge_shared_keys():
    cfg = {"env": "E", "lr": 1.0, "sft": {"lr": 2.0}, "grpo": {"steps": 3}}
    assert stage_options(cfg, "sft") == {"env": "E", "lr": 2.0}
    assert stage_options(cfg, "grpo") == {"env": "E", "lr": 1.0, "steps": 3}


def test_cli_train_sft_then_grpo(tiny_policy_config, tmp_path, capsys):
    config = {
        "policy": tiny_policy_config,
        "num_envs": 4,
        "eval_episodes": 4,
        "max_new_tokens": 8,
        "sft": {"episodes": 8, "steps": 2, "batch_size": 4},
        "grpo": {"steps": 1, "tasks_per_step": 2, "group_size": 2, "eval_every": 1},
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    out = tmp_path / "run"
    args = [
        "train",
        "sft",
        "--env",
        "Lookup-v0",
        "--config",
        str(path),
        "--out",
        str(out),
        "--no-progress",
    ]
    assert main(args) == 0
    assert "final_eval_success" in capsys.readouterr().out
    args = [
        "train",
        "grpo",
        "--env",
        "Lookup-v0",
        "--config",
        str(path),
        "--out",
        str(tmp_path / "g"),
        "--init",
        str(out / "policy"),
        "--no-progress",
    ]
    assert main(args) == 0
    assert (tmp_path / "g" / "curve.png").is_file()


def test_cli_errors_are_messages(tiny_policy_config, tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text('env = "Lookup-v0"\n[sft]\nsteps = "many"\n')
    assert main(["train", "sft", "--config", str(path)]) == 2
    assert "sft.steps" in capsys.readouterr().err
    path.write_text("not toml [")
    assert main(["train", "grpo", "--config", str(path)]) == 2
    assert "not valid toml" in capsys.readouterr().err
    assert main(["train", "sft", "--config", str(tmp_path / "none.json")]) == 2
    assert "not found" in capsys.readouterr().err
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"env": "Nope-v0", "policy": tiny_policy_config}))
    assert main(["train", "sft", "--config", str(path), "--out", str(tmp_path / "x")]) == 2
    assert "unknown env id" in capsys.readouterr().err


def test_exported_trajectories_are_reusable(tiny_policy_config, tmp_path):
    policy = TinyPolicy(PolicyConfig(**tiny_policy_config))
    envs = make_envs("Lookup-v0", 2)
    trajs = demonstrations(envs, policy, 3)
    envs.close()
    write_trajectories(trajs, tmp_path / "d.jsonl")
    summary = train_sft(
        sft_config(tiny_policy_config, steps=1, data=str(tmp_path / "d.jsonl"), eval_episodes=0),
        tmp_path / "run",
        progress=False,
    )
    assert summary["demonstrations"] == 3
