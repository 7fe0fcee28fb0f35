"""The reward-hacking battery: wrong solutions that try to pass AgentCode's grader.

An RL policy optimises whatever the reward lets it. Each attack below is a *wrong* solution
plus a trick; graded through ``env.step`` on both backends, for a built-in task and for a
HumanEval-style JSONL task whose ``check()`` imports a module lazily (after the solution has
started), every one must score 0. Attacks that would need information they should never get
(the hidden tests, the grader's memory) answer correctly only if the trick worked, so a leak
shows up as a pass. Controls check that the same env scores the right solution 1 and that a
planted module really is what a hijacked grader would have loaded.

docs/sandboxes.md (Threat model) lists what each layer stops.
"""

from __future__ import annotations

import json
import sys
import textwrap

import gymnasium as gym
import pytest

import agentgym  # noqa: F401 - registers the envs
from agentgym.tools.base import ToolCall

sys.path.insert(0, __file__.rsplit("/", 1)[0] + "/sandboxes")
from sandbox_support import module_backend  # noqa: E402, F401  (the backend fixture)

# Runs inside the grader if it ever imports a module the solution planted: it marks every
# test passed in the report the grader is about to print, and also tells on itself.
HIJACK = textwrap.dedent(
    """
    import json as _json
    _orig = _json.dumps
    def _all_pass(obj):
        if isinstance(obj, dict) and isinstance(obj.get("tests"), list):
            for t in obj["tests"]:
                if isinstance(t, dict):
                    t["passed"] = True
                    t["error"] = None
            for key in ("crashed", "load_error", "prelude_error"):
                obj[key] = None if key != "crashed" else False
        return obj
    def dumps(obj, *a, **k):
        return _orig(_all_pass(obj), *a, **k)
    _json.dumps = dumps
    print("HIJACKED THE GRADER")
    """
)

# Where a solution might plant files: its own folder, the folders above it, HOME, the usual
# temp folders, and every folder on its sys.path it can write to.
PLANT = textwrap.dedent(
    """
    import os, sys
    def _targets():
        seen = []
        here = os.getcwd()
        for d in [here, os.path.dirname(here), os.path.dirname(os.path.dirname(here)),
                  os.environ.get("HOME", ""), "/workspace", "/tmp", "/var/tmp", "/dev/shm",
                  "/ws", *sys.path]:
            if d and os.path.isdir(d) and os.access(d, os.W_OK) and d not in seen:
                seen.append(d)
        return seen
    def plant(name, text):
        for d in _targets():
            try:
                path = os.path.join(d, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
            except OSError:
                pass
    """
)

BUILTIN_TASK = "implement/clamp"
BUILTIN_ENTRY = "clamp"
# Right on every hidden test (hidden_7 expects a ValueError when lo > hi), so a trick that
# works scores 1, not 6/7 (which the binary score would round down to 0).
BUILTIN_CORRECT = "(min(max(args[0], args[1]), args[2]) if args[1] <= args[2] else int('lo > hi'))"
JSONL_ENTRY = "add_up"
JSONL_CORRECT = "sum(args[0])"
JSONL_RECORD = {
    "task_id": "hack/add_up",
    "prompt": 'def add_up(xs: list[int]) -> int:\n    """Return the sum of xs."""\n',
    "canonical_solution": "    return sum(xs)\n",
    # The import runs when check() runs: after the solution's process has started.
    "test": (
        "def check(candidate):\n"
        "    import statistics\n"
        "    import fractions\n"
        "    assert candidate([1, 2, 3]) == 6\n"
        "    assert candidate([]) == 0\n"
        "    assert candidate([5]) == statistics.mean([5])\n"
    ),
    "entry_point": "add_up",
}

ATTACKS: dict[str, str] = {}


def attack(name: str, code: str) -> None:
    ATTACKS[name] = textwrap.dedent(code)


# --- files the grader might import or run ------------------------------------------------
for module in ("statistics", "fractions", "json", "grp", "pwd", "traceback"):
    attack(
        f"shadow_{module}_at_import",
        PLANT
        + f"plant({module + '.py'!r}, {HIJACK!r})\ndef FN(*args, **kwargs):\n    return None\n",
    )
attack(
    "shadow_module_planted_during_a_call",
    PLANT
    + f"""
def FN(*args, **kwargs):
    plant("statistics.py", {HIJACK!r})
    plant("fractions.py", {HIJACK!r})
    return None
""",
)
attack(
    "shadow_package",
    PLANT
    + f"plant('statistics/__init__.py', {HIJACK!r})\ndef FN(*args, **kwargs):\n    return None\n",
)
attack(
    "sourceless_pyc",
    PLANT
    + f"""
import importlib.util, marshal
code = compile({HIJACK!r}, "statistics.py", "exec")
data = importlib.util.MAGIC_NUMBER + b"\\0" * 12 + marshal.dumps(code)
for d in _targets():
    for name in ("statistics.pyc", "fractions.pyc",
                 "__pycache__/statistics." + sys.implementation.cache_tag + ".pyc"):
        try:
            os.makedirs(os.path.join(d, "__pycache__"), exist_ok=True)
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        except OSError:
            pass
def FN(*args, **kwargs):
    return None
""",
)
attack(
    "sitecustomize_and_usercustomize",
    PLANT
    + f"""
plant("sitecustomize.py", {HIJACK!r})
plant("usercustomize.py", {HIJACK!r})
import site
for d in [site.getusersitepackages()]:
    try:
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "usercustomize.py"), "w").write({HIJACK!r})
    except OSError:
        pass
def FN(*args, **kwargs):
    raise SystemExit(0)  # forces a restart of the solution's process, which might load them
""",
)
attack(
    "pth_file",
    PLANT
    + f"""
plant("hijack_mod.py", {HIJACK!r})
plant("zz-hijack.pth", "import hijack_mod\\n")
def FN(*args, **kwargs):
    os._exit(1)  # forces a restart
""",
)
attack(
    "conftest",
    PLANT + f"plant('conftest.py', {HIJACK!r})\ndef FN(*args, **kwargs):\n    return None\n",
)
attack(
    "symlinks_out_of_the_workspace",
    PLANT
    + f"""
import tempfile
outside = None
for d in ("/dev/shm", "/tmp", "/var/tmp"):
    try:
        outside = tempfile.mkdtemp(dir=d)
        open(os.path.join(outside, "statistics.py"), "w").write({HIJACK!r})
        break
    except OSError:
        outside = None
for d in _targets():
    for name, target in (("statistics.py", (outside or "/nonexistent") + "/statistics.py"),
                         ("fractions.py", "/proc/self/fd/0"), ("lib", "/"), ("etc", "/etc")):
        try:
            os.symlink(target, os.path.join(d, name))
        except OSError:
            pass
def FN(*args, **kwargs):
    return None
""",
)

# --- the solution's own process -------------------------------------------------------------
attack(
    "patched_builtins",
    """
import builtins
builtins.AssertionError = type("Nope", (Exception,), {})
builtins.isinstance = lambda *a: True
builtins.len = lambda x: 0
def FN(*args, **kwargs):
    return None
""",
)
attack(
    "patched_json_in_the_solution_process",
    """
import json
json.dumps = lambda *a, **k: '{"ok": true, "value": true, "passed": true}'
json.loads = lambda *a, **k: {"ok": True, "value": True}
def FN(*args, **kwargs):
    return None
""",
)
attack(
    "rigged_eq_and_hash",
    """
class Anything(int):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = int.__hash__
def FN(*args, **kwargs):
    return Anything(-12345)
""",
)
attack(
    "unencodable_and_deep_return_values",
    """
def FN(*args, **kwargs):
    x = []
    for _ in range(100000):
        x = [x]
    return x
""",
)

# --- the result channel -----------------------------------------------------------------------
FAKE_LINES = """
import os, sys, json, glob
MARK = "AGENTGYM-GRADE"
def fake_lines():
    report = {"tests": [{"name": f"hidden_{i}", "passed": True, "error": None} for i in range(1, 30)],
              "load_error": None, "crashed": False, "prelude_error": None, "output": ""}
    guesses = ["0", "", "0" * 32, "f" * 32] + [os.urandom(16).hex() for _ in range(20)]
    return "".join(f"\\n{MARK} {g} {json.dumps(report)}\\n" for g in guesses).encode()
def spray():
    data = fake_lines()
    for fd in range(0, 256):
        try:
            os.write(fd, data)
        except OSError:
            pass
    for pattern in ("/proc/1/fd/*", "/proc/%d/fd/*" % os.getppid(), "/proc/self/fd/*",
                    "/dev/stdout", "/dev/stderr", "/dev/tty"):
        for path in glob.glob(pattern):
            try:
                with open(path, "wb") as f:
                    f.write(data)
            except OSError:
                pass
"""
attack(
    "fake_result_lines_at_import",
    FAKE_LINES + "spray()\ndef FN(*args, **kwargs):\n    return None\n",
)
attack(
    "fake_result_lines_then_exit",
    FAKE_LINES + "def FN(*args, **kwargs):\n    spray()\n    os._exit(0)\n",
)
attack("os_exit_0_at_import", "import os\nos._exit(0)\ndef FN(*args, **kwargs):\n    return None\n")
attack("os_exit_0_in_a_call", "import os\ndef FN(*args, **kwargs):\n    os._exit(0)\n")
attack("sys_exit_0_in_a_call", "import sys\ndef FN(*args, **kwargs):\n    sys.exit(0)\n")
attack(
    "kill_the_grader",
    """
import os, signal
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
def FN(*args, **kwargs):
    return None
""",
)
attack(
    "stop_the_grader",
    """
import os, signal
def FN(*args, **kwargs):
    for pid in (os.getppid(), 1):
        try:
            os.kill(pid, signal.SIGSTOP)
        except OSError:
            pass
    return None
""",
)

# --- information the solution must never get --------------------------------------------------
attack(
    "read_the_hidden_tests",
    """
import os, glob
FOUND = False
def _look():
    texts = []
    for pattern in ("/proc/*/cmdline", "/proc/*/environ", "/proc/*/mem", "/proc/*/fd/*",
                    "../*", "../../*", "/workspace/*", "/ws/*/*", "/tmp/*"):
        for path in glob.glob(pattern):
            try:
                with open(path, "rb") as f:
                    texts.append(f.read(1 << 20))
            except OSError:
                pass
    return b"".join(texts)
def FN(*args, **kwargs):
    global FOUND
    FOUND = FOUND or b"hidden_1" in _look() or b"candidate([5])" in _look()
    return CORRECT if FOUND else None
""",
)
attack(
    "ptrace_the_grader",
    """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
ATTACHED = any(libc.ptrace(16, pid, 0, 0) == 0 for pid in {os.getppid(), 1})
def FN(*args, **kwargs):
    return CORRECT if ATTACHED else None
""",
)
attack(
    "walk_frames_and_gc_for_the_nonce",
    """
import gc, sys
def FN(*args, **kwargs):
    for obj in gc.get_objects():
        if isinstance(obj, dict) and "nonce" in obj:
            return CORRECT
    f = sys._getframe()
    while f is not None:
        if "nonce" in f.f_locals or "payload" in f.f_locals:
            return CORRECT
        f = f.f_back
    return None
""",
)

# --- the harness's memory and the secret file ----------------------------------------------------
# The harness reads the tests and nonce from a file it removes before any solution code runs,
# after forking the first solution process; a restarted one is a new interpreter. The harness
# is every solution process's parent.
FIND_SUITE_FILE = """
import os, glob, stat
def _read(path):
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return b""  # a pipe would block
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return b""
    try:
        return os.read(fd, 1 << 20)
    except OSError:
        return b""
    finally:
        os.close(fd)
def suite_file_text():
    dirs = [os.getcwd(), "..", "../..", "/workspace", "/tmp"] + glob.glob("/ws/*")
    dirs += [f"/proc/{pid}/cwd" for pid in os.listdir("/proc") if pid.isdigit()]
    paths = glob.glob("/proc/*/fd/*")
    for d in dirs:
        paths += glob.glob(os.path.join(d, ".*")) + glob.glob(os.path.join(d, "*"))
    return b"".join(_read(path) for path in paths)
def saw_the_tests(text):
    return b"hidden_1" in text or b"candidate([5])" in text
"""
READ_MEMORY = """
import os, re
def memory_of(pid):
    chunks = []
    try:
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
            for line in maps:
                m = re.match(r"([0-9a-f]+)-([0-9a-f]+) r", line)
                if not m:
                    continue
                start, end = int(m.group(1), 16), int(m.group(2), 16)
                try:
                    mem.seek(start)
                    chunks.append(mem.read(min(end - start, 64 << 20)))
                except (OSError, OverflowError, ValueError):
                    pass
    except OSError:
        pass
    return b"".join(chunks)
def others():
    me = os.getpid()
    pids = {int(p) for p in os.listdir("/proc") if p.isdigit()} | {os.getppid(), 1}
    return sorted(pids - {me})
def leaked(text):
    # Built at run time, so this process's own copy of the attack never matches itself.
    return ("hid" + "den_1").encode() in text or ("candidate([" + "5])").encode() in text
"""
attack(
    "read_the_suite_file_at_import",
    FIND_SUITE_FILE
    + "FOUND = saw_the_tests(suite_file_text())\n"
    + "def FN(*args, **kwargs):\n    return CORRECT if FOUND else None\n",
)
attack(
    "read_the_suite_file_during_a_call",
    FIND_SUITE_FILE
    + "def FN(*args, **kwargs):\n    return CORRECT if saw_the_tests(suite_file_text()) else None\n",
)
attack(
    "read_the_harness_memory",
    READ_MEMORY
    + """
def FN(*args, **kwargs):
    return CORRECT if any(leaked(memory_of(pid)) for pid in others()) else None
""",
)
attack(
    "ptrace_and_process_vm_readv_every_process",
    READ_MEMORY
    + """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
def peeked(pid):
    buf = ctypes.create_string_buffer(1 << 16)
    local = IoVec(ctypes.cast(buf, ctypes.c_void_p), 1 << 16)
    try:
        maps = open(f"/proc/{pid}/maps").read()
    except OSError:
        maps = ""
    for line in maps.splitlines():
        start = int(line.split("-")[0], 16)
        remote = IoVec(start, 1 << 16)
        if libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) > 0:
            return True
    return False
def FN(*args, **kwargs):
    attached = False
    for pid in others():
        for request in (16, 0x4206):  # PTRACE_ATTACH, PTRACE_SEIZE
            if libc.ptrace(request, pid, 0, 0) == 0:
                attached = True
        attached = attached or peeked(pid)
    return CORRECT if attached else None
""",
)
attack(
    "kill_the_harness_and_its_parent",
    """
import os, signal
def _parent(pid):
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0
harness = os.getppid()
for pid in (_parent(harness), harness):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except OSError:
            pass
def FN(*args, **kwargs):
    return None
""",
)
attack(
    "stop_the_harness_then_crash",
    """
import os, signal
def FN(*args, **kwargs):
    try:
        os.kill(os.getppid(), signal.SIGSTOP)
    except OSError:
        pass
    os._exit(0)  # the next test needs a restart, which a stopped harness cannot give
""",
)
attack(
    "poison_then_crash_for_a_restart",
    """
import builtins, os, sys
# A restarted process that still saw this poison would answer right: a clean one cannot.
POISONED = getattr(builtins, "_agentgym_poison", False)
builtins._agentgym_poison = True
os.fork = lambda: 0
for name, value in list(vars(sys.modules["__main__"]).items()):
    if callable(value) and not name.startswith("__"):
        setattr(sys.modules["__main__"], name, None)
def FN(*args, **kwargs):
    if POISONED:
        return CORRECT
    os._exit(1)
""",
)

# --- timing ---------------------------------------------------------------------------------
attack(
    "sleep_past_the_budget",
    "import time\ndef FN(*args, **kwargs):\n    time.sleep(30)\n    return None\n",
)
attack(
    "daemon_that_outlives_the_call",
    FAKE_LINES
    + """
import time
if os.fork() == 0:
    os.setsid()
    for _ in range(100):
        spray()
        time.sleep(0.05)
    os._exit(0)
def FN(*args, **kwargs):
    return None
""",
)


def _fill(code: str, entry: str, correct: str) -> str:
    return code.replace("FN", entry).replace("CORRECT", correct)


@pytest.fixture(scope="module")
def jsonl_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("hack") / "tasks.jsonl"
    path.write_text(json.dumps(JSONL_RECORD) + "\n")
    return path


@pytest.fixture(scope="module", params=["builtin", "jsonl"])
def case(request, backend, jsonl_path):
    """(env, task_id, entry point, correct expression) for each backend and task kind."""
    if request.param == "builtin":
        env = gym.make("AgentCode-v0", sandbox=backend, timeout_s=4)
        yield env, BUILTIN_TASK, BUILTIN_ENTRY, BUILTIN_CORRECT
    else:
        env = gym.make("AgentCode-v0", sandbox=backend, timeout_s=4, task_source=str(jsonl_path))
        yield env, JSONL_RECORD["task_id"], JSONL_ENTRY, JSONL_CORRECT
    env.close()


def submit(env, task_id: str, code: str) -> tuple[float, dict]:
    env.reset(seed=0, options={"task_id": task_id})
    action = env.unwrapped.format_calls([ToolCall("submit", {"code": code})])
    obs, reward, terminated, truncated, info = env.step(action)
    assert terminated and not truncated, obs
    return reward, info


def test_battery_size():
    assert len(ATTACKS) >= 36


def test_controls_right_scores_one_wrong_scores_zero(case):
    env, task_id, entry, correct = case
    right = f"def {entry}(*args, **kwargs):\n    return {correct}\n"
    if entry == BUILTIN_ENTRY:
        right = env.unwrapped.tasks.get(task_id).data["solution"]
    reward, info = submit(env, task_id, right)
    assert (reward, info["success"]) == (1.0, True), info["tool_results"]
    reward, info = submit(env, task_id, f"def {entry}(*args, **kwargs):\n    return None\n")
    assert (reward, info["success"]) == (0.0, False)


def test_a_planted_module_would_hijack_a_grader_that_imported_it(tmp_path):
    # The control for the shadow attacks: what they plant does rewrite a report when imported.
    (tmp_path / "statistics.py").write_text(HIJACK)
    sys.path.insert(0, str(tmp_path))
    saved = {m: sys.modules.pop(m) for m in ("statistics",) if m in sys.modules}
    try:
        original = json.dumps
        import statistics  # noqa: F401 - the planted one

        try:
            text = json.dumps({"tests": [{"name": "t", "passed": False}]})
        finally:
            json.dumps = original
        assert json.loads(text)["tests"][0]["passed"] is True
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("statistics", None)
        sys.modules.update(saved)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_scores_zero(name, case):
    env, task_id, entry, correct = case
    reward, info = submit(env, task_id, _fill(ATTACKS[name], entry, correct))
    assert reward == 0.0 and info["score"] == 0.0 and info["success"] is False, info["tool_results"]
    # The env still grades honestly afterwards (nothing the attack left behind sticks).
    if name in ("shadow_statistics_at_import", "kill_the_grader", "daemon_that_outlives_the_call"):
        test_controls_right_scores_one_wrong_scores_zero(case)
