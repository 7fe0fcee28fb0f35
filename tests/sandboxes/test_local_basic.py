import pytest

from agentgym.sandboxes import ExecResult, make_sandbox


@pytest.fixture
def sb():
    with make_sandbox("local", timeout_s=5, memory_mb=512) as box:
        yield box


def test_print(sb):
    r = sb.run("print(1)")
    assert isinstance(r, ExecResult)
    assert (r.stdout, r.stderr, r.exit_code, r.timed_out, r.oom_killed) == (
        "1\n",
        "",
        0,
        False,
        False,
    )
    assert r.wall_ms > 0 and r.max_rss_kb > 0


def test_files_persist_within_episode_and_vanish_on_reset(sb):
    sb.run("open('a.txt', 'w').write('hello')")
    assert sb.run("print(open('a.txt').read())").stdout == "hello\n"
    sb.reset()
    r = sb.run("import os; print(os.listdir('.'))")
    assert r.stdout == "[]\n"


def test_files_argument(sb):
    r = sb.run("print(open('d/x.txt').read())", files={"d/x.txt": "data"})
    assert r.stdout == "data\n"


def test_exception_reports_exit_code(sb):
    r = sb.run("raise ValueError('boom')")
    assert r.exit_code == 1 and "ValueError: boom" in r.stderr


def test_timeout(sb):
    r = sb.run("import time; time.sleep(10)", timeout_s=0.5)
    assert r.timed_out and r.exit_code != 0
    assert sb.run("print(2)").stdout == "2\n"


def test_memory(sb):
    r = sb.run("x = bytearray(2 * 1024**3)")
    assert r.oom_killed and not r.timed_out


def test_bad_file_name(sb):
    with pytest.raises(ValueError):
        sb.write_files({"../x": "a"})
    with pytest.raises(ValueError):
        sb.write_files({"/etc/x": "a"})


def test_unknown_backend():
    with pytest.raises(ValueError, match="unknown sandbox backend"):
        make_sandbox("nope")
