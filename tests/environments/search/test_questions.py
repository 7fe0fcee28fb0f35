"""Generated questions are answerable from the corpus alone; question files are validated."""

from __future__ import annotations

import json
import re
from datetime import datetime

import numpy as np
import pytest

from agentgym.environments.search.browser import html_to_view
from agentgym.environments.search.corpus import JsonlCorpus
from agentgym.environments.search.index import SearchIndex
from agentgym.environments.search.pages import WorldPages
from agentgym.environments.search.questions import (
    FAMILIES,
    QuestionGenerator,
    load_questions,
)
from agentgym.environments.search.scoring import normalize_answer
from agentgym.environments.search.world import generate_world
from agentgym.tasks import DIFFICULTIES, GeneratedTasks, TaskFileError

_SECTIONS = {"created": "Works", "published": "Published works", "organised": "Events organised"}
_COMPARED = {
    "born": ("Born", min),
    "founded": ("Founded", min),
    "released": ("Released", min),
    "took place": ("Date", min),
    "inhabitants": ("Population", max),
}


def _views(pages, urls):
    return [html_to_view(pages.html(pages.resolve_url(u)), u) for u in urls]


def _infobox(view, field):
    for line in view.text.split("\n"):
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {field} on {view.url}")


def _value(text):
    date = re.match(r"^\d{1,2} [A-Z][a-z]+ \d{4}", text)
    if date:
        return datetime.strptime(date.group(), "%d %B %Y")
    return int(re.match(r"^[\d,]+", text).group().replace(",", ""))


def _count_section(view, heading):
    lines = view.text.split("\n")
    start = lines.index(f"## {heading}")
    n = 0
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        n += line.startswith("- ")
    return n


def check_answerable(pages, index, task):
    """Re-derive the answer of ``task`` from the pages an agent would read, and compare."""
    data = task.data
    plan = data["plan"]
    assert plan[0][0] == "search"
    # every branch starts with a search whose top 5 results hold the next page to read
    for (step, arg), nxt in zip(plan, plan[1:], strict=False):
        if step == "search":
            assert nxt[0] == "open"
            assert nxt[1] in [h.url for h in index.search(arg, 5)], (arg, task.task_id)
        elif nxt[0] == "open":  # consecutive opens follow a link of the previous page
            view = _views(pages, [arg])[0]
            assert nxt[1] in [link.url for link in view.links], task.task_id
    views = _views(pages, data["supporting_urls"])
    assert [v.url for v in views] == [a for s, a in plan if s == "open"]
    question = data["question"]
    answers = [normalize_answer(a) for a in data["answers"]]
    if data["kind"] == "count":
        verb = next(v for v in _SECTIONS if v in question)
        assert str(_count_section(views[-1], _SECTIONS[verb])) in data["answers"]
    elif data["kind"] == "compare":
        key = next(k for k in _COMPARED if k in question)
        field, pick = _COMPARED[key]
        finals = [views[len(views) // 2 - 1], views[-1]]
        values = [_value(_infobox(v, field)) for v in finals]
        assert values[0] != values[1]
        winner = finals[values.index(pick(values))]
        assert normalize_answer(winner.title) in answers
    else:
        text = normalize_answer(views[-1].text)
        assert any(a in text for a in answers), task.task_id
        assert not any(a in normalize_answer(question) for a in answers)


@pytest.fixture(scope="module")
def world_index(pages):
    return SearchIndex.build(pages, use_cache=False)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_generated_questions_are_answerable_from_the_corpus(pages, world_index, family, difficulty):
    source = GeneratedTasks(QuestionGenerator(pages).generators())
    for seed in range(25):
        check_answerable(pages, world_index, source.make(family, difficulty, seed))


@pytest.mark.parametrize("seed,size", [(3, 1000), (11, 5000)])
def test_answerable_in_other_worlds(seed, size):
    pages = WorldPages(generate_world(seed, size))
    index = SearchIndex.build(pages, use_cache=False)
    source = GeneratedTasks(QuestionGenerator(pages).generators())
    for task_seed in range(6):
        for family in FAMILIES:
            for difficulty in DIFFICULTIES:
                check_answerable(pages, index, source.make(family, difficulty, task_seed))


def test_difficulty_sets_hops_and_distractor_density(pages):
    gen = QuestionGenerator(pages)
    w = pages.world
    news = np.diff(w.inverse["news"].indptr)
    hops = {d: [] for d in DIFFICULTIES}
    density = {d: [] for d in DIFFICULTIES}
    for d in DIFFICULTIES:
        for seed in range(60):
            _, data = gen.hop(np.random.default_rng(seed), d)
            hops[d].append(data["hops"])
            start = pages.resolve_url(data["supporting_urls"][0])
            density[d].append(news[start] + 3 * (w.twin[start] >= 0))
    assert set(hops["easy"]) == {1} and set(hops["medium"]) == {2}
    assert set(hops["hard"]) == {3, 4}
    assert np.mean(density["easy"]) < np.mean(density["medium"]) < np.mean(density["hard"])


def test_same_seed_same_question(pages):
    a = GeneratedTasks(QuestionGenerator(pages).generators()).make("hop", "hard", 7)
    b = GeneratedTasks(QuestionGenerator(pages).generators()).make("hop", "hard", 7)
    assert a == b


def _write(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture
def corpus(tmp_path):
    rows = [
        {"url": "https://kb.example/a", "title": "A", "text": "Alpha is the first letter."},
        {"url": "https://kb.example/b", "title": "B", "text": "Beta comes second."},
    ]
    return JsonlCorpus(_write(tmp_path / "corpus.jsonl", rows))


def test_question_file_is_loaded(tmp_path, corpus):
    path = _write(
        tmp_path / "qs.jsonl",
        [
            {
                "question": "First letter?",
                "answers": ["Alpha"],
                "supporting_urls": ["https://kb.example/a"],
            },
            "",
            {"question": "Second?", "answers": "Beta", "id": "q2", "difficulty": "hard"},
        ],
    )
    tasks = load_questions(path, corpus)
    assert tasks.ids() == ["qs/0", "q2"]
    assert tasks.get("q2").data["answers"] == ["Beta"] and tasks.get("q2").difficulty == "hard"
    assert load_questions(path, corpus, "hard").ids() == ["q2"]


@pytest.mark.parametrize(
    "row,message",
    [
        ("{not json", "qs.jsonl:2: invalid JSON"),
        ("[1, 2]", "qs.jsonl:2: expected a JSON object"),
        ({"answers": ["x"]}, "qs.jsonl:2: missing field 'question'"),
        ({"question": "", "answers": ["x"]}, "qs.jsonl:2: field 'question'"),
        ({"question": "q"}, "qs.jsonl:2: missing field 'answers'"),
        ({"question": "q", "answers": [1]}, "qs.jsonl:2: field 'answers'"),
        ({"question": "q", "answers": [""]}, "qs.jsonl:2: field 'answers'"),
        (
            {"question": "q", "answers": ["x"], "supporting_urls": ["https://elsewhere.example/"]},
            "qs.jsonl:2: field 'supporting_urls'",
        ),
        (
            {"question": "q", "answers": ["x"], "difficulty": "extreme"},
            "qs.jsonl:2: field 'difficulty'",
        ),
    ],
)
def test_bad_question_files_name_line_and_field(tmp_path, corpus, row, message):
    path = _write(tmp_path / "qs.jsonl", [{"question": "ok?", "answers": ["ok"]}, row])
    with pytest.raises(TaskFileError) as err:
        load_questions(path, corpus)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "row,message",
    [
        ({"title": "t", "text": "x"}, "c.jsonl:2: missing field 'url'"),
        ({"url": "kb/a", "title": "t", "text": "x"}, "c.jsonl:2: field 'url' must be an absolute"),
        (
            {"url": "https://kb.example/a", "title": "t", "text": "x"},
            "c.jsonl:2: field 'url' repeats",
        ),
        ({"url": "https://kb.example/z", "title": 3, "text": "x"}, "c.jsonl:2: field 'title'"),
        ({"url": "https://kb.example/z", "title": "t", "text": " "}, "c.jsonl:2: field 'text'"),
    ],
)
def test_bad_corpus_files_name_line_and_field(tmp_path, row, message):
    first = {"url": "https://kb.example/a", "title": "A", "text": "Alpha."}
    path = _write(tmp_path / "c.jsonl", [first, row])
    with pytest.raises(TaskFileError) as err:
        JsonlCorpus(path)
    assert message in str(err.value)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(TaskFileError, match="cannot read"):
        JsonlCorpus(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(TaskFileError, match="no records"):
        JsonlCorpus(tmp_path / "empty.jsonl")
