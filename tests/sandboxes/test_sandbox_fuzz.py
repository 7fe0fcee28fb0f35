"""Hypothesis fuzzing of the sandbox server's requests and of the grader's codec.

Malformed requests must be answered with an error (or ignored) and change nothing: the same
server keeps serving calls. The codec that rebuilds a solution's return values must accept
what it made and refuse anything else with ``CodecError`` only. Fixed, derandomised budget;
``AGENTGYM_FUZZ_EXAMPLES`` raises it.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentgym.environments.code.codec import CodecError, decode, encode
from agentgym.sandboxes import make_sandbox
from agentgym.sandboxes.local import LocalPool
from agentgym.sandboxes.server import send_message

EXAMPLES = int(os.environ.get("AGENTGYM_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
# Requests a client could send: the real operations with hostile fields, and anything else.
REQUESTS = st.one_of(
    st.fixed_dictionaries(
        {"op": st.sampled_from(["mkws", "write", "drop", "ping", "kill"]) | TEXT},
        optional={
            "id": JSON,
            "ws": st.sampled_from(["0" * 32, "../" * 3, ""]) | JSON,
            "files": st.dictionaries(
                st.sampled_from(["a", "d/b", "/abs", "..", "x\x00y", ""]) | TEXT,
                st.sampled_from(["", "aGk=", "!!"]) | JSON,
                max_size=3,
            )
            | JSON,
            "pid": JSON,
            "nfds": st.integers(-3, 3) | JSON,
        },
    ),
    JSON,
)


@pytest.fixture(scope="module")
def fuzz_pool():
    pool = LocalPool(preload=(), spares=1)
    pool.start()
    yield pool
    pool.close()


def test_malformed_requests_change_nothing(fuzz_pool):
    sandbox = make_sandbox("local", pool=fuzz_pool)
    sandbox.write_files({"keep.txt": "kept"})
    server = fuzz_pool.server_pid

    @FUZZ
    @given(request=REQUESTS)
    def send(request):
        with fuzz_pool._send_lock:
            send_message(fuzz_pool._sock, request)
        # The server answers the next request (a ping) in order: it is alive and unstuck.
        fuzz_pool._request({"op": "ping"}, timeout_s=30)

    send()
    assert fuzz_pool.server_pid == server
    assert sandbox.run("print(open('keep.txt').read())").stdout == "kept\n"
    sandbox.close()


@FUZZ
@given(data=JSON)
def test_codec_refuses_anything_it_did_not_make_with_codec_error(data):
    try:
        value = decode(data)
    except CodecError:
        return
    assert decode(encode(value)) == value or value != value  # NaN inside


@FUZZ
@given(value=JSON)
def test_codec_round_trips_plain_data(value):
    assert decode(encode(value)) == value
