import json

from agentgym.cli import main


def test_train_env_kwargs_reach_the_env(tmp_path, capsys, tiny_policy_config):
    config = tmp_path / "c.json"
    config.write_text(
        json.dumps(
            {
                "policy": tiny_policy_config,
                "num_envs": 2,
                "episodes": 2,
                "steps": 1,
                "batch_size": 2,
                "eval_episodes": 0,
            }
        )
    )
    base = [
        "train",
        "sft",
        "--env",
        "Lookup-v0",
        "--config",
        str(config),
        "--no-progress",
        "--out",
        str(tmp_path / "run"),
    ]
    assert main([*base, "--env-kwargs", "{nope"]) == 2
    assert "--env-kwargs is not valid JSON" in capsys.readouterr().err
    assert main([*base, "--env-kwargs", '{"no_such_kwarg": 1}']) == 2
    assert "no_such_kwarg" in capsys.readouterr().err
