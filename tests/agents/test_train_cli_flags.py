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


def test_long_training_waits_show_a_spinner_on_a_terminal_only(monkeypatch):
    import contextlib

    from rich.console import Console
    from rich.status import Status

    from agentgym.agents.runlog import waiting

    assert isinstance(waiting("collecting", enabled=True), contextlib.nullcontext)  # not a tty
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    assert isinstance(waiting("collecting", enabled=True), Status)
    assert isinstance(waiting("collecting", enabled=False), contextlib.nullcontext)
