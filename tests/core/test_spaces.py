import copy

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector.utils import (
    create_shared_memory,
    read_from_shared_memory,
    write_to_shared_memory,
)
from hypothesis import given
from hypothesis import strategies as st

from agentgym.spaces import UnicodeText


def test_contains_any_unicode_within_bounds():
    space = UnicodeText(10)
    assert space.contains("")
    assert space.contains("é✓😀\x00\n")
    assert not space.contains("x" * 11)
    assert not space.contains(b"bytes")
    assert not space.contains(3)
    assert UnicodeText(5, min_length=2).contains("ab")
    assert not UnicodeText(5, min_length=2).contains("a")


def test_samples_belong_and_equality():
    space = UnicodeText(20, seed=0)
    for _ in range(20):
        assert space.contains(space.sample())
    assert space == UnicodeText(20)
    assert space != UnicodeText(21)
    assert space != gym.spaces.Text(20)
    assert not space.is_np_flattenable


@pytest.mark.parametrize("bad", [0, -1, 2.5, "10"])
def test_bad_max_length(bad):
    with pytest.raises(ValueError, match="max_length"):
        UnicodeText(bad)


@given(st.lists(st.text(max_size=50), min_size=3, max_size=3))
def test_shared_memory_roundtrip(values):
    space = UnicodeText(50)
    mem = create_shared_memory(space, n=3)
    view = read_from_shared_memory(space, mem, n=3)
    for i, v in enumerate(values):
        write_to_shared_memory(space, i, v, mem)
    # The view is live (the async vector env reads it once) and deep-copies to a tuple.
    assert tuple(view) == tuple(values)
    snapshot = copy.deepcopy(view)
    assert isinstance(snapshot, tuple) and snapshot == tuple(values)
    write_to_shared_memory(space, 0, "changed", mem)
    assert view[0] == "changed" and snapshot[0] == values[0]


def test_shared_memory_rejects_oversize_and_lone_surrogates_survive():
    space = UnicodeText(4)
    mem = create_shared_memory(space, n=1)
    with pytest.raises(ValueError, match="exceeds max_length"):
        write_to_shared_memory(space, 0, "12345", mem)
    write_to_shared_memory(space, 0, "a\udcff", mem)
    assert read_from_shared_memory(space, mem, n=1)[0] == "a\udcff"
    assert np.frombuffer(mem.get_obj(), dtype=np.int32)[0] == 2
