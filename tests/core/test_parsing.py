import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgym.parsing import format_action, parse_action
from agentgym.tools import Tool, ToolArgumentError, ToolCall, validate_arguments

OBJ = {"type": "object"}
TOOLS = {
    "python": Tool(
        "python",
        "run",
        {**OBJ, "properties": {"code": {"type": "string"}}, "required": ["code"]},
        print,
        main_arg="code",
    ),
    "search": Tool(
        "search",
        "search",
        {
            **OBJ,
            "properties": {"query": {"type": "string"}, "k": {"type": "integer"}},
            "required": ["query"],
        },
        print,
        main_arg="query",
    ),
    "done": Tool("done", "finish", {**OBJ, "properties": {}}, print, terminal=True),
}


def calls(action, fmt="xml"):
    parsed = parse_action(action, fmt, TOOLS)
    assert parsed.error is None, parsed.error
    return [(c.name, dict(c.arguments)) for c in parsed.calls]


def test_xml_body_attributes_and_self_closing():
    assert calls("I'll compute.\n<python>\nprint(1 < 2)\n</python>") == [
        ("python", {"code": "print(1 < 2)"})
    ]
    assert calls('<search k="3">red dwarf</search><done/>') == [
        ("search", {"query": "red dwarf", "k": "3"}),
        ("done", {}),
    ]
    parsed = parse_action("before <done/> after", "xml", TOOLS)
    assert parsed.text == "before  after"


@pytest.mark.parametrize(
    "action, fragment",
    [
        ("", "empty action"),
        ("   \n", "empty action"),
        ("just text", "no tool call found"),
        ("<python>print(1)", "unclosed <python>"),
        ("<rm>-rf</rm>", "unknown tool <rm>"),
        ("<done>body</done>", "takes no body"),
        ('<search query="a">b</search>', "both as attribute and body"),
        ("\x00\xff\ud800 binary", "no tool call found"),
    ],
)
def test_xml_errors(action, fragment):
    parsed = parse_action(action, "xml", TOOLS)
    assert parsed.calls == () and fragment in parsed.error


def test_json_forms():
    assert calls('{"tool": "search", "arguments": {"query": "q", "k": 2}}', "json") == [
        ("search", {"query": "q", "k": 2})
    ]
    fenced = 'Let me search.\n```json\n[{"tool": "done"}]\n```'
    assert calls(fenced, "json") == [("done", {})]


@pytest.mark.parametrize(
    "action, fragment",
    [
        ("{not json", "invalid JSON"),
        ("no braces at all", "no JSON object"),
        ('{"name": "x"}', '"tool" key'),
        ('{"tool": "rm", "arguments": {}}', "unknown tool `rm`"),
        ('{"tool": "search", "arguments": [1]}', "must be an object"),
        ("[]", "empty list"),
        ("[" * 100000 + "]" * 100000, "invalid JSON"),
    ],
)
def test_json_errors(action, fragment):
    parsed = parse_action(action, "json", TOOLS)
    assert parsed.calls == () and fragment in parsed.error


def test_openai_message():
    msg = {
        "role": "assistant",
        "content": "thinking",
        "tool_calls": [
            {
                "id": "abc",
                "type": "function",
                "function": {"name": "search", "arguments": '{"query": "q"}'},
            }
        ],
    }
    parsed = parse_action(json.dumps(msg), "openai", TOOLS, call_prefix="call_7")
    assert [(c.name, dict(c.arguments), c.id) for c in parsed.calls] == [
        ("search", {"query": "q"}, "call_7_0")
    ]
    assert parsed.text == "thinking"
    bad = {
        "role": "assistant",
        "tool_calls": [{"function": {"name": "search", "arguments": "{oops"}}],
    }
    assert (
        "invalid JSON in function.arguments" in parse_action(json.dumps(bad), "openai", TOOLS).error
    )
    assert (
        "no tool_calls"
        in parse_action('{"role": "assistant", "content": "hi"}', "openai", TOOLS).error
    )


def test_non_str_actions():
    assert "must be a str" in parse_action(None, "xml", TOOLS).error
    assert parse_action(b"<done/>", "xml", TOOLS).calls[0].name == "done"


def test_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError, match="action_format"):
        parse_action("<done/>", "yaml", TOOLS)


call_strategy = st.one_of(
    st.builds(
        lambda c: ToolCall("python", {"code": c}),
        st.text(min_size=1).filter(lambda s: "</python" not in s and s.strip("\n") == s),
    ),
    st.builds(
        lambda q, k: ToolCall("search", {"query": q, "k": k}),
        st.text(alphabet="abc xyz", min_size=1).map(str.strip).filter(bool),
        st.integers(1, 9),
    ),
    st.just(ToolCall("done", {})),
)


@given(st.lists(call_strategy, min_size=1, max_size=3), st.sampled_from(["xml", "json", "openai"]))
@settings(max_examples=200, deadline=None)
def test_format_then_parse_roundtrips_in_every_format(call_list, fmt):
    text = format_action(call_list, fmt, TOOLS)
    parsed = parse_action(text, fmt, TOOLS)
    assert parsed.error is None, (text, parsed.error)
    got = [(c.name, validate_arguments(TOOLS[c.name], c.arguments)) for c in parsed.calls]
    assert got == [(c.name, dict(c.arguments)) for c in call_list]


@given(st.text(max_size=300), st.sampled_from(["xml", "json", "openai"]))
@settings(max_examples=300, deadline=None)
def test_parser_never_raises(text, fmt):
    parsed = parse_action(text, fmt, TOOLS)
    assert (parsed.error is None) != (parsed.calls == ())


def test_validate_arguments():
    search = TOOLS["search"]
    assert validate_arguments(search, {"query": "q", "k": "4"}) == {"query": "q", "k": 4}
    with pytest.raises(ToolArgumentError, match="missing required argument `query`"):
        validate_arguments(search, {"k": 1})
    with pytest.raises(ToolArgumentError, match="has no argument `x`"):
        validate_arguments(search, {"query": "q", "x": 1})
    with pytest.raises(ToolArgumentError, match="must be integer"):
        validate_arguments(search, {"query": "q", "k": "four"})
    with pytest.raises(ToolArgumentError, match="must be integer"):
        validate_arguments(search, {"query": "q", "k": True})
    with pytest.raises(ToolArgumentError, match="must be string"):
        validate_arguments(search, {"query": 3})
