"""SearchEnv end to end: oracle, random floor, rewards, tools, determinism, vectors, files."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from agentgym.environments.search import SearchEnv
from agentgym.environments.search.questions import FAMILIES
from agentgym.environments.search.server import active_servers
from agentgym.tasks import DIFFICULTIES, TaskFileError

ENTRY = "agentgym.environments.search:SearchEnv"
if "AgentSearchTest-v0" not in gym.registry:
    gym.register("AgentSearchTest-v0", entry_point=ENTRY)


@pytest.fixture(scope="module")
def env():
    e = SearchEnv()
    yield e
    e.close()


def play_oracle(env, **reset_kwargs):
    obs, info = env.reset(**reset_kwargs)
    steps = []
    for _ in range(env.max_turns):
        action = env.oracle_action()
        obs, reward, term, trunc, info = env.step(action)
        steps.append((action, obs, reward, info))
        if term or trunc:
            break
    return steps, info


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_oracle_solves_every_generated_task(env, family, difficulty):
    for seed in range(8):
        task_id = f"{family}/{difficulty}/{seed}"
        steps, info = play_oracle(env, options={"task_id": task_id})
        assert info["success"] is True and info["score"] == 1.0, task_id
        names = [s[3]["tool_calls"][0]["name"] for s in steps]
        assert names[0] == "search" and names[-1] == "answer" and "open" in names
        assert all(r["ok"] for s in steps for r in s[3]["tool_results"]), task_id


@pytest.mark.parametrize("fmt", ["json", "openai"])
def test_oracle_in_other_action_formats(fmt):
    e = SearchEnv(action_format=fmt)
    try:
        for seed in range(4):
            _, info = play_oracle(e, seed=seed)
            assert info["success"], (fmt, seed)
    finally:
        e.close()


def test_oracle_in_other_worlds():
    for world_seed, size in ((4, 1000), (9, 3000)):
        e = SearchEnv(world_seed=world_seed, num_pages=size)
        try:
            for seed in range(10):
                _, info = play_oracle(e, seed=seed)
                assert info["success"], (world_seed, size, info["task_id"])
        finally:
            e.close()


def test_random_agent_stays_near_zero():
    from agentgym.agents.random import RandomAgent

    e = SearchEnv(max_turns=8)
    try:
        agent = RandomAgent(e, seed=0)
        wins = 0
        for seed in range(30):
            obs, info = e.reset(seed=seed)
            for _ in range(e.max_turns):
                obs, r, term, trunc, info = e.step(agent.act(obs, info))
                if term or trunc:
                    break
            wins += info["success"]
        assert wins <= 1
    finally:
        e.close()


def test_dense_rewards_pay_supporting_pages_once_and_sum_to_score():
    e = SearchEnv(reward_mode="dense")
    try:
        e.reset(options={"task_id": "hop/medium/1"})
        support = list(e.task.data["supporting_urls"])
        assert len(support) == 2
        total, progress = 0.0, []
        for _ in range(e.max_turns):
            obs, r, term, trunc, info = e.step(e.oracle_action())
            total += r
            progress.append(info["reward_components"]["progress"])
            if term:
                break
        # search, open page 1 (+0.25), open page 2 (+0.25), answer (potential back to 0)
        assert progress == pytest.approx([0.0, 0.25, 0.25, -0.5])
        assert total == pytest.approx(1.0) and info["reward_components"]["outcome"] == 1.0
        e.reset(options={"task_id": "hop/medium/1"})
        e.step(f"<open>{support[0]}</open>")
        *_, info = e.step(f"<open>{support[0]}</open>")
        assert info["reward_components"]["progress"] == 0.0
        assert info["reward_components"]["repeat"] == pytest.approx(-0.05)
    finally:
        e.close()


def test_sparse_mode_pays_only_the_outcome(env):
    env.reset(options={"task_id": "hop/easy/0"})
    rewards = []
    for _ in range(env.max_turns):
        obs, r, term, trunc, info = env.step(env.oracle_action())
        rewards.append(r)
        if term:
            break
    assert rewards[:-1] == [0.0] * (len(rewards) - 1) and rewards[-1] == 1.0


def test_penalties_for_malformed_and_repeated_calls():
    e = SearchEnv(reward_mode="dense")
    try:
        e.reset(seed=0)
        cases = [
            ("<search>  </search>", "format", -0.1),
            ('<search k="99">x</search>', "format", -0.1),
            ("<open>5</open>", "format", -0.1),  # no list yet
            ("<open>People born here</open>", "format", -0.1),
            ("<find> </find>", "format", -0.1),
            ("no tool at all", "format", -0.1),
            ("<search>river trade</search>", "repeat", 0.0),
            ("<search>river trade</search>", "repeat", -0.05),
            ("<open>99</open>", "format", -0.1),  # only 5 results
            # A rejected call costs format only, repeated or not (as for a schema mismatch).
            ("<open>99</open>", "repeat", 0.0),
            ("<search>  </search>", "repeat", 0.0),
        ]
        for action, component, value in cases:
            obs, r, term, trunc, info = e.step(action)
            assert info["reward_components"][component] == pytest.approx(value), action
            assert not term
    finally:
        e.close()


def test_tools_open_find_next_page_and_outside_urls():
    e = SearchEnv(page_chars=300)
    try:
        e.reset(seed=0)
        obs, *_ = e.step("<open>http://www.google.com/</open>")
        assert "not a page of the simulated web" in obs
        obs, *_ = e.step("<next_page/>")
        assert "no page is open" in obs
        name = e.site.corpus.world.names[0]
        obs, r, _, _, info = e.step(f"<search k='3'>{name}</search>")
        assert obs.count("http://web.sim/") == 3 and info["tool_results"][0]["ok"]
        target = next(
            i
            for i, u in enumerate(info["tool_results"][0]["urls"], 1)
            if u.endswith(name.replace(" ", "_"))
        )
        obs, *_, info = e.step(f"<open>{target}</open>")
        assert f"Title: {name}" in obs and "(part 1 of" in obs
        parts = info["tool_results"][0]["parts"]
        for k in range(2, parts + 1):
            obs, r, *_ = e.step("<next_page/>")
            assert f"part {k} of {parts}" in obs or "[end of page]" in obs
        obs, *_ = e.step("<next_page/>")
        assert "last part" in obs
        obs, *_ = e.step(f"<find>{name.split()[0]}</find>")
        assert "match(es)" in obs and "part 1:" in obs
        obs, *_ = e.step("<find>qqqzzz</find>")
        assert "No match" in obs
        obs, *_ = e.step("<open>web.sim/wiki/No_Such_Page</open>")
        assert "not a page" in obs
        obs, *_ = e.step(f"<open>/wiki/{name.replace(' ', '_')}</open>")
        assert f"Title: {name}" in obs
        # link numbers of the open page
        obs, *_ = e.step("<open>1</open>")
        assert obs.startswith('<tool_result name="open">\nTitle: ')
    finally:
        e.close()


def test_next_page_is_not_a_repeat():
    e = SearchEnv(page_chars=200, reward_mode="dense")
    try:
        e.reset(seed=0)
        e.step(f"<open>{e.site.corpus.url(0)}</open>")
        for _ in range(2):
            *_, info = e.step("<next_page/>")
            assert info["reward_components"]["repeat"] == 0.0
    finally:
        e.close()


def test_f1_scoring_gives_partial_credit(env):
    e = SearchEnv(score_fn="f1")
    try:
        e.reset(options={"task": {"question": "Who?", "answers": ["Ravel Quon Amsel"]}})
        *_, info = e.step("<answer>ravel quon</answer>")
        assert info["score"] == pytest.approx(0.8) and info["success"] is False
        e.reset(options={"task": {"question": "Who?", "answers": ["Ravel Quon"]}})
        *_, info = e.step("<answer>The ravel quon!</answer>")
        assert info["score"] == pytest.approx(1.0) and info["success"] is True
    finally:
        e.close()
    env.reset(options={"task": {"question": "Who?", "answers": ["Ravel Quon"]}})
    *_, info = env.step("<answer>ravel</answer>")
    assert info["score"] == 0.0


def test_check_env_passes_without_warnings():
    e = gym.make("AgentSearchTest-v0", render_mode="ansi")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_env(e.unwrapped)
    finally:
        e.close()


def _episode(env, seed):
    obs, info = env.reset(seed=seed)
    out = [obs]
    for action in ["<search>festival</search>", "<open>2</open>", "<find>the</find>"]:
        out.append(env.step(action)[0])
    for _ in range(3):
        out.append(env.step(env.oracle_action())[0])
    return out


def test_same_seed_same_episode_across_processes(env):
    here = _episode(env, 5)
    code = (
        "import json\nfrom agentgym.environments.search import SearchEnv\n"
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('t', {__file__!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "e = SearchEnv(); print(json.dumps(m._episode(e, 5))); e.close()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    there = json.loads(proc.stdout.strip().splitlines()[-1])
    assert here == there
    assert _episode(env, 6) != here


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_vector_envs_run_oracles(mode):
    envs = gym.make_vec("AgentSearchTest-v0", num_envs=3, vectorization_mode=mode)
    try:
        obs, info = envs.reset(seed=[0, 1, 2])
        assert all(o.startswith("Question:") for o in obs)
        seen = [list(obs)]
        done = np.zeros(3, dtype=bool)
        successes = 0
        for _ in range(8):
            actions = list(envs.call("oracle_action"))
            obs, r, term, trunc, info = envs.step(actions)
            seen.append(list(obs))
            successes += int((r[term & ~done] == 1.0).sum())
            done |= term
            if done.all():
                break
        assert successes == 3
        assert seen[1] != seen[0] and seen[2] != seen[1]
    finally:
        envs.close()


def test_close_releases_the_shared_server():
    baseline = set(threading.enumerate())
    before = active_servers()
    a, b = SearchEnv(num_pages=1000, world_seed=77), SearchEnv(num_pages=1000, world_seed=77)
    a.reset(seed=0)
    b.reset(seed=0)
    a.step(a.oracle_action()), a.step(a.oracle_action())
    b.step(b.oracle_action()), b.step(b.oracle_action())
    assert active_servers() == before + 1
    a.close()
    assert active_servers() == before + 1
    b.close()
    b.close()  # idempotent
    assert active_servers() == before
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and set(threading.enumerate()) - baseline:
        time.sleep(0.02)
    assert not set(threading.enumerate()) - baseline


def test_user_corpus_and_questions(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    docs = [
        {
            "url": "https://kb.example/otters",
            "title": "Otters",
            "text": "Otters hold hands.\n\nThey eat urchins.",
        },
        {"url": "https://kb.example/urchins", "title": "Urchins", "text": "Urchins are spiny."},
    ]
    corpus.write_text("\n".join(json.dumps(d) for d in docs))
    questions = tmp_path / "qs.jsonl"
    questions.write_text(
        json.dumps(
            {
                "question": "What do otters eat?",
                "answers": ["urchins", "sea urchins"],
                "supporting_urls": ["https://kb.example/otters"],
            }
        )
        + "\n"
    )
    e = SearchEnv(corpus=corpus, task_source=questions, reward_mode="dense")
    try:
        obs, info = e.reset(seed=0)
        assert "What do otters eat?" in obs and info["task_id"] == "qs/0"
        obs, *_ = e.step("<search>otters eat</search>")
        assert "[1] Otters\n    https://kb.example/otters" in obs
        obs, r, *_, info = e.step("<open>1</open>")
        assert "They eat urchins." in obs and info["reward_components"][
            "progress"
        ] == pytest.approx(0.5)
        obs, *_ = e.step("<open>http://web.sim/wiki/Anything</open>")
        assert "not a page of the simulated web" in obs
        *_, info = e.step("<answer>Urchins.</answer>")
        assert info["success"]
        steps, info = play_oracle(e, seed=0)
        assert info["success"]
    finally:
        e.close()


def test_bad_constructor_arguments(tmp_path):
    with pytest.raises(ValueError, match="num_pages"):
        SearchEnv(num_pages=10)
    with pytest.raises(ValueError, match="world_seed"):
        SearchEnv(world_seed=-3)
    with pytest.raises(ValueError, match="score_fn"):
        SearchEnv(score_fn="bleu")
    with pytest.raises(ValueError, match="page_chars"):
        SearchEnv(page_chars=5)
    with pytest.raises(ValueError, match="questions JSONL"):
        SearchEnv(corpus=tmp_path / "c.jsonl")
    with pytest.raises(ValueError, match="questions JSONL"):
        SearchEnv(corpus=tmp_path / "c.jsonl", task_source="hop")
    with pytest.raises(TaskFileError, match="cannot read"):
        SearchEnv(corpus=tmp_path / "c.jsonl", task_source=tmp_path / "q.jsonl")
    with pytest.raises(TaskFileError, match="cannot read"):
        SearchEnv(task_source=tmp_path / "q.jsonl")
    with pytest.raises(ValueError, match="difficulty"):
        SearchEnv(difficulty="extreme")
    (tmp_path / "bad.jsonl").write_text('{"question": "q", "answers": "a"}\n{"question": 5}\n')
    with pytest.raises(TaskFileError, match="bad.jsonl:2: field 'question'"):
        SearchEnv(task_source=tmp_path / "bad.jsonl")


def test_reset_with_unknown_task_id_or_bad_task(env):
    with pytest.raises(ValueError, match="nope"):
        env.reset(options={"task_id": "nope"})
    with pytest.raises(ValueError, match="answers"):
        env.reset(options={"task": {"question": "q"}})


def test_single_family_task_source():
    e = SearchEnv(task_source="count", difficulty="hard")
    try:
        obs, info = e.reset(seed=3)
        assert info["task_id"].startswith("count/hard/")
    finally:
        e.close()


def test_render_ansi(env):
    e = SearchEnv(render_mode="ansi")
    try:
        e.reset(seed=0)
        e.step(e.oracle_action())
        text = e.render()
        assert "Results for" in text and "turn=1/20" in text
    finally:
        e.close()


def test_repeated_text_with_new_effect_is_not_a_repeat():
    e = SearchEnv(reward_mode="dense")
    try:
        e.reset(seed=0)
        names = e.site.corpus.world.names
        e.step(f"<search>{names[0]}</search>")
        *_, info = e.step("<open>1</open>")
        assert info["reward_components"]["repeat"] == 0.0
        *_, info = e.step("<find>born</find>")
        e.step(f"<search>{names[1]}</search>")
        *_, info = e.step("<open>1</open>")  # same text, a different page
        assert info["reward_components"]["repeat"] == 0.0
        *_, info = e.step("<find>born</find>")  # same text, another page
        assert info["reward_components"]["repeat"] == 0.0
        *_, info = e.step("<find>born</find>")  # same text, same page: a real repeat
        assert info["reward_components"]["repeat"] == pytest.approx(-0.05)
        e.step(f"<search>{names[1]}</search>")
        *_, info = e.step("<open>1</open>")  # reopening the same page: a real repeat
        assert info["reward_components"]["repeat"] == pytest.approx(-0.05)
        url = info["tool_results"][0]["url"]
        *_, info = e.step(f"<open>{url}</open>")  # the same page by its URL: still a repeat
        assert info["reward_components"]["repeat"] == pytest.approx(-0.05)
    finally:
        e.close()


def test_json_integer_link_numbers_and_closed_env():
    e = SearchEnv(action_format="json")
    try:
        e.reset(seed=0)
        e.step(json.dumps({"tool": "search", "arguments": {"query": e.site.corpus.world.names[2]}}))
        obs, *_ = e.step(json.dumps({"tool": "open", "arguments": {"target": 1}}))
        assert "Title: " in obs
    finally:
        e.close()
    obs, *_ = e.step(json.dumps({"tool": "open", "arguments": {"target": e.site.corpus.url(0)}}))
    assert "has been closed" in obs
    assert e._conn.server is None and e._conn.browser._session is None
