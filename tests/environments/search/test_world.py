"""The generated world and its pages: determinism, consistency, addressing and distractors."""

from __future__ import annotations

import numpy as np
import pytest

from agentgym.environments.search.names import near_duplicate
from agentgym.environments.search.pages import BASE_URL, WorldPages, html_to_plain
from agentgym.environments.search.world import (
    CITY,
    COUNTRY,
    NEWS_OLD_HQ,
    NEWS_OLD_POPULATION,
    ORG,
    PERSON,
    WORK,
    format_date,
    generate_world,
)


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_same_seed_same_world_and_other_seed_differs():
    a, b, c = generate_world(5, 1000), generate_world(5, 1000), generate_world(6, 1000)
    assert a.names == b.names
    for name in a.rel:
        assert np.array_equal(a.rel[name], b.rel[name])
    assert np.array_equal(a.date, b.date) and np.array_equal(a.news["e1"], b.news["e1"])
    assert a.names != c.names
    pa, pb = WorldPages(a), WorldPages(b)
    assert all(pa.html(i) == pb.html(i) for i in range(0, 1000, 37))


@pytest.mark.parametrize("bad", [999, 1_000_001, 2.5, "2000", True])
def test_size_out_of_range_is_rejected(bad):
    with pytest.raises(ValueError, match="num_pages"):
        generate_world(0, bad)


def test_negative_seed_is_rejected():
    with pytest.raises(ValueError, match="seed"):
        generate_world(-1, 1000)


@pytest.mark.parametrize("size", [1000, 2000, 7919])
def test_every_page_renders_and_resolves(size):
    pages = WorldPages(generate_world(1, size))
    assert pages.num_pages == size
    urls = set()
    for pid in range(size):
        url = pages.url(pid)
        urls.add(url)
        assert url.startswith(BASE_URL + "/")
        assert pages.resolve_url(url) == pid
        assert pages.resolve_path(pages.server_path(pid)) == pid
        html = pages.html(pid)
        assert html.startswith("<!DOCTYPE html>") and pages.title(pid) in html
    assert len(urls) == size


def test_names_are_unique_and_invented(pages):
    w = pages.world
    lowered = [n.lower() for n in w.names]
    assert len(set(lowered)) == len(lowered)
    # invented names: none of a handful of real-world words appear
    assert not {"london", "paris", "john", "smith", "google"} & {
        t for n in lowered for t in n.split()
    }


def test_twins_are_near_duplicates_of_the_same_type(pages):
    w = pages.world
    assert len(w.twin_pairs) > 20
    for a, b in w.twin_pairs.tolist():
        assert w.etype[a] == w.etype[b]
        assert w.twin[a] == b and w.twin[b] == a
        assert _edit_distance(w.names[a], w.names[b]) == 1
        # each page points to the other through the disambiguation page
        assert w.names[b] in pages.text(a) and w.names[a] in pages.text(b)


def test_near_duplicate_avoids_taken_names():
    rng = np.random.default_rng(0)
    taken = {"ravel quon"}
    for _ in range(20):
        name = near_duplicate("Ravel Quon", rng, taken)
        assert name is not None and name.lower() not in taken
        assert _edit_distance(name, "Ravel Quon") == 1


def test_relations_are_consistent(pages):
    w = pages.world
    for e in w.ids_of(ORG):
        founder = int(w.rel["founded_by"][e])
        assert w.etype[founder] == PERSON
        assert w.date[e] // 10_000 - w.date[founder] // 10_000 >= 22
        if w.rel["former_hq"][e] >= 0:
            assert w.rel["former_hq"][e] != w.rel["hq"][e]
            assert w.date[e] // 10_000 < w.moved_year[e] <= 2023
    for k in w.ids_of(COUNTRY):
        capital = int(w.rel["capital"][k])
        assert w.etype[capital] == CITY and w.rel["country"][capital] == k
    for e in w.ids_of(WORK):
        assert w.date[e] == w.date[w.rel["premiere"][e]]


def test_entity_page_shows_its_facts_and_links(pages):
    w = pages.world
    person = w.ids_of(PERSON).start
    text = pages.text(person)
    assert format_date(w.date[person]) in text
    assert w.names[w.rel["born_in"][person]] in text
    assert w.names[w.rel["member_of"][person]] in text
    city = w.ids_of(CITY).start
    assert f"{w.number[city]:,}" in pages.text(city)
    html = pages.html(person)
    assert f'href="/wiki/{w.names[w.rel["born_in"][person]].replace(" ", "_")}"' in html
    assert ".example/" in html  # an official website outside the simulated web


def test_outdated_facts_are_dated_and_differ_from_current(pages):
    w = pages.world
    kinds = w.news["kind"]
    old_hq = np.flatnonzero(kinds == NEWS_OLD_HQ)
    old_pop = np.flatnonzero(kinds == NEWS_OLD_POPULATION)
    assert len(old_hq) and len(old_pop)
    for n in old_hq[:20].tolist():
        org, former = int(w.news["e1"][n]), int(w.news["e2"][n])
        assert former == w.rel["former_hq"][org] and former != w.rel["hq"][org]
        assert w.news["date"][n] // 10_000 < w.moved_year[org]
        text = pages.text(w.first_news + n)
        assert w.names[former] in text and format_date(w.news["date"][n]) in text
        assert w.names[int(w.rel["hq"][org])] not in text
    for n in old_pop[:20].tolist():
        city = int(w.news["e1"][n])
        text = pages.text(w.first_news + n)
        assert f"{w.old_number[city]:,}" in text and w.old_number[city] != w.number[city]
        assert f"{w.number[city]:,}" not in text


def test_mentions_do_not_state_the_facts(pages):
    w = pages.world
    kinds = w.news["kind"]
    for n in np.flatnonzero(kinds == 0)[:50].tolist():
        e = int(w.news["e1"][n])
        text = pages.text(w.first_news + n)
        assert w.names[e] in text
        assert format_date(w.date[e]) not in text.split("\n", 3)[-1].replace(
            format_date(w.news["date"][n]), ""
        )


def test_list_pages_list_their_members(pages):
    w = pages.world
    for i in range(len(w.lists["kind"])):
        pid = w.first_list + i
        kind, key = int(w.lists["kind"][i]), int(w.lists["key"][i])
        text = pages.text(pid)
        if kind == 0:
            members = w.inverse["born_in"].get(key)
        elif kind == 1:
            members = w.inverse["country"].get(key)
        else:
            members = w.decade_orgs[w.lists["lo"][i] : w.lists["hi"][i]]
        assert len(members) > 0
        assert all(w.names[m] in text for m in members.tolist())


def test_resolve_rejects_other_hosts_and_unknown_paths(pages):
    assert pages.resolve_url("http://web.sim/wiki/No_Such_Page") is None
    url = pages.url(3)
    assert pages.resolve_url(url.replace("web.sim", "web.sim:8080")) is None
    assert pages.resolve_url(url.replace("web.sim", "example.org")) is None
    assert pages.resolve_url(url + "?q=1") is None
    assert pages.resolve_url(url + "#top") == 3
    assert pages.resolve_url("ftp://web.sim" + pages.path(3)) is None
    assert pages.resolve_path("/news/1999-01-01/0") is None or pages.path(
        pages.world.first_news
    ).startswith("/news/1999-01-01")
    assert pages.resolve_path("/news/x/y") is None


def test_html_to_plain_keeps_inline_text_together():
    assert html_to_plain("<p>a <a href='x'>b</a>, c</p><p>d &amp; e</p>") == "a b, c\nd & e"
