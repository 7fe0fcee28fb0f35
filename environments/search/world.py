"""A seeded, self-consistent fictional world: typed entities, attributes and relations.

Everything is drawn in bulk with numpy from generators derived from the world seed, so a
world of a million pages is a few arrays in memory, and the same seed gives the same world in
every process. Pages are not stored: :mod:`~agentgym.environments.search.pages` renders them
from these arrays on demand.

Entity ids are global and grouped by type (persons first, then organisations, cities,
countries, works, events). Page ids put entity pages first, then disambiguation pages (one per
pair of near-duplicate names), list pages, then dated news articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from agentgym.environments.search.names import make_words, near_duplicate

__all__ = [
    "CITY",
    "COUNTRY",
    "EVENT",
    "EVENT_KINDS",
    "INDUSTRIES",
    "MAX_PAGES",
    "MIN_PAGES",
    "NEWS_MENTION",
    "NEWS_OLD_HQ",
    "NEWS_OLD_POPULATION",
    "OCCUPATIONS",
    "ORG",
    "PERSON",
    "TYPE_NAMES",
    "WORK",
    "WORK_KINDS",
    "Inverse",
    "World",
    "format_date",
    "generate_world",
]

PERSON, ORG, CITY, COUNTRY, WORK, EVENT = range(6)
TYPE_NAMES: tuple[str, ...] = ("person", "organisation", "city", "country", "work", "event")
OCCUPATIONS: tuple[str, ...] = (
    "painter", "architect", "chemist", "novelist", "composer", "engineer", "botanist",
    "cartographer", "economist", "sculptor", "astronomer", "historian", "violinist",
    "physician", "linguist", "photographer",
)  # fmt: skip
INDUSTRIES: tuple[str, ...] = (
    "shipping", "textiles", "publishing", "mining", "software", "agriculture", "brewing",
    "aviation", "banking", "glassmaking", "pharmaceuticals", "film production",
)  # fmt: skip
WORK_KINDS: tuple[str, ...] = ("novel", "film", "album", "opera", "play", "documentary")
EVENT_KINDS: tuple[str, ...] = ("Festival", "Summit", "Games", "Congress", "Fair", "Expo")
_ORG_SUFFIXES = (
    "Holdings", "Group", "Institute", "Works", "Collective", "Foundation", "Labs", "Company",
    "Trust", "Society", "Guild", "Press",
)  # fmt: skip
# English names, not the locale's (calendar.month_name): page text must not vary by machine.
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
NEWS_MENTION, NEWS_OLD_HQ, NEWS_OLD_POPULATION = range(3)
MIN_PAGES = 1_000
MAX_PAGES = 1_000_000
_LIST_CHUNK = 200
CENSUS_YEAR = 2020


def format_date(yyyymmdd: int) -> str:
    """Return ``19870314`` as ``"14 March 1987"``."""
    y, md = divmod(int(yyyymmdd), 10_000)
    m, d = divmod(md, 100)
    return f"{d} {MONTHS[m - 1]} {y}"


@dataclass(frozen=True)
class Inverse:
    """A one-to-many view of a relation (compressed rows): ``items[indptr[e]:indptr[e+1]]``."""

    indptr: np.ndarray
    items: np.ndarray

    def get(self, entity: int) -> np.ndarray:
        """Return the ids related to ``entity``, in ascending order."""
        return self.items[self.indptr[entity] : self.indptr[entity + 1]]

    def count(self, entity: int) -> int:
        """Return how many ids relate to ``entity``."""
        return int(self.indptr[entity + 1] - self.indptr[entity])


def _inverse(sources: np.ndarray, targets: np.ndarray, n: int) -> Inverse:
    keep = targets >= 0
    sources, targets = sources[keep], targets[keep]
    order = np.lexsort((sources, targets))
    counts = np.bincount(targets, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Inverse(indptr, sources[order].astype(np.int32))


@dataclass(frozen=True)
class World:
    """A generated world. Arrays are indexed by global entity id unless noted.

    Attributes:
        seed: The world seed.
        num_pages: Total pages of the web (entity, disambiguation, list and news pages).
        names: Entity names (unique, case-insensitively).
        etype: Entity type codes (``PERSON`` ... ``EVENT``).
        starts: ``starts[t]:starts[t+1]`` is the id range of type ``t``.
        rel: Functional relations name -> target id array (-1 where not applicable).
        date: ``yyyymmdd`` of birth, founding, independence, release or the event.
        number: Population, employees or attendance (0 where not applicable).
        kind: Occupation, industry, work kind or event kind index (-1 otherwise).
        twin: The near-duplicate entity of each entity, or -1.
        moved_year: Year an organisation moved to its current headquarters (0 if never).
        old_number: An outdated population figure of a city (census ``old_year``).
        old_year: The year of ``old_number``.
        news: Per news article: kind, first and second entity (-1), date, template.
        lists: Per list page: kind (0 people born in a city, 1 cities in a country,
            2 organisations founded in a decade), key (city, country or decade), part, and the
            slice of ``decade_orgs`` for kind 2.
        decade_orgs: Organisation ids sorted by founding date.
        twin_pairs: ``(n, 2)`` array of (original, near-duplicate) entity ids.
    """

    seed: int
    num_pages: int
    names: list[str]
    etype: np.ndarray
    starts: np.ndarray
    rel: dict[str, np.ndarray]
    date: np.ndarray
    number: np.ndarray
    kind: np.ndarray
    twin: np.ndarray
    moved_year: np.ndarray
    old_number: np.ndarray
    old_year: np.ndarray
    news: dict[str, np.ndarray]
    lists: dict[str, np.ndarray]
    decade_orgs: np.ndarray
    twin_pairs: np.ndarray

    @property
    def num_entities(self) -> int:
        """Number of entities (one page each)."""
        return len(self.names)

    @property
    def first_disambiguation(self) -> int:
        """Page id of the first disambiguation page."""
        return self.num_entities

    @property
    def first_list(self) -> int:
        """Page id of the first list page."""
        return self.num_entities + len(self.twin_pairs)

    @property
    def first_news(self) -> int:
        """Page id of the first news article."""
        return self.first_list + len(self.lists["kind"])

    def ids_of(self, etype: int) -> range:
        """Return the id range of entities of type ``etype``."""
        return range(int(self.starts[etype]), int(self.starts[etype + 1]))

    @cached_property
    def inverse(self) -> dict[str, Inverse]:
        """One-to-many views of the relations and of news mentions, by name."""
        n = self.num_entities
        ids = np.arange(n, dtype=np.int32)
        out = {name: _inverse(ids, arr, n) for name, arr in self.rel.items()}
        news_ids = np.arange(len(self.news["kind"]), dtype=np.int32)
        both = np.concatenate([self.news["e1"], self.news["e2"]])
        out["news"] = _inverse(np.concatenate([news_ids, news_ids]), both, n)
        return out


def _skewed(rng: np.random.Generator, n_targets: int, size: int) -> np.ndarray:
    """Draw ``size`` indices in ``[0, n_targets)`` with a Zipf-like popularity skew."""
    weights = 1.0 / (np.arange(n_targets) + 8.0) ** 0.9
    weights /= weights.sum()
    popular = rng.permutation(n_targets)
    return popular[rng.choice(n_targets, size=size, p=weights)]


def _dates(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    months = rng.integers(1, 13, size=len(years))
    days = rng.integers(1, 29, size=len(years))
    return (years * 10_000 + months * 100 + days).astype(np.int32)


def _type_counts(num_entities: int) -> list[int]:
    countries = max(4, num_entities // 80)
    cities = max(12, num_entities // 10)
    orgs = max(12, num_entities * 15 // 100)
    works = max(12, num_entities * 17 // 100)
    events = max(8, num_entities * 8 // 100)
    persons = num_entities - countries - cities - orgs - works - events
    return [persons, orgs, cities, countries, works, events]


def _names(rng: np.random.Generator, counts: list[int]) -> list[str]:
    persons, orgs, cities, countries, works, events = counts
    out: list[str] = []
    given, family = make_words(rng, persons, 2, 2), make_words(rng, persons, 2, 3)
    out += [f"{g} {f}" for g, f in zip(given, family, strict=True)]
    suffix = rng.integers(len(_ORG_SUFFIXES), size=orgs).tolist()
    out += [f"{w} {_ORG_SUFFIXES[s]}" for w, s in zip(make_words(rng, orgs), suffix, strict=True)]
    out += make_words(rng, cities)
    out += make_words(rng, countries)
    a, b = make_words(rng, works), make_words(rng, works)
    form = rng.integers(3, size=works).tolist()
    out += [
        (f"The {x}", f"{x} of {y}", f"{x} and the {y}")[f]
        for x, y, f in zip(a, b, form, strict=True)
    ]
    return out + make_words(rng, events)  # event kinds are appended once kinds are drawn


def _dedupe(names: list[str], rng: np.random.Generator) -> None:
    """Make names unique (case-insensitively) in place by redrawing the first word."""
    seen: set[str] = set()
    for i, name in enumerate(names):
        while name.lower() in seen:
            head, sep, tail = name.partition(" ")
            name = make_words(rng, 1)[0] + sep + tail
        seen.add(name.lower())
        names[i] = name


def generate_world(seed: int, num_pages: int) -> World:
    """Generate the world of ``num_pages`` pages from ``seed`` (deterministic).

    Args:
        seed: Any non-negative int.
        num_pages: ``MIN_PAGES``..``MAX_PAGES``.

    Raises:
        ValueError: If an argument is out of range.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"world seed must be a non-negative int, got {seed!r}")
    if isinstance(num_pages, bool) or not isinstance(num_pages, int):
        raise ValueError(f"num_pages must be an int, got {num_pages!r}")
    if not MIN_PAGES <= num_pages <= MAX_PAGES:
        raise ValueError(f"num_pages must be in [{MIN_PAGES}, {MAX_PAGES}], got {num_pages}")
    rng = np.random.default_rng([seed, 7_919])
    n_ent = num_pages * 55 // 100
    counts = _type_counts(n_ent)
    starts = np.zeros(7, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    persons, orgs, cities, countries, works, events = (
        range(int(starts[t]), int(starts[t + 1])) for t in range(6)
    )
    etype = np.repeat(np.arange(6, dtype=np.int8), counts)

    date = np.zeros(n_ent, dtype=np.int32)
    number = np.zeros(n_ent, dtype=np.int64)
    kind = np.full(n_ent, -1, dtype=np.int16)
    rel = {
        name: np.full(n_ent, -1, dtype=np.int32)
        for name in (
            "born_in", "member_of", "founded_by", "hq", "former_hq", "country", "capital",
            "creator", "publisher", "premiere", "location", "organiser",
        )
    }  # fmt: skip
    moved_year = np.zeros(n_ent, dtype=np.int32)
    old_number = np.zeros(n_ent, dtype=np.int64)
    old_year = np.zeros(n_ent, dtype=np.int32)

    # persons
    p = np.arange(persons.start, persons.stop)
    birth_year = rng.integers(1900, 1996, size=len(p))
    date[p] = _dates(rng, birth_year)
    kind[p] = rng.integers(len(OCCUPATIONS), size=len(p))
    rel["born_in"][p] = cities.start + _skewed(rng, len(cities), len(p))
    rel["member_of"][p] = orgs.start + _skewed(rng, len(orgs), len(p))

    # countries and cities: every country gets at least one city, its capital
    c = np.arange(cities.start, cities.stop)
    country = countries.start + _skewed(rng, len(countries), len(c))
    country[: len(countries)] = np.arange(countries.start, countries.stop)
    rel["country"][c] = country
    rel["capital"][np.arange(countries.start, countries.stop)] = c[: len(countries)]
    pop = np.exp(rng.normal(11.0, 1.3, size=len(c))).clip(2_000, 9_000_000)
    number[c] = (pop // 10 * 10).astype(np.int64)
    old_year[c] = rng.integers(1975, 2011, size=len(c))
    old_number[c] = (number[c] * rng.uniform(0.55, 0.95, size=len(c))) // 10 * 10
    k = np.arange(countries.start, countries.stop)
    date[k] = _dates(rng, rng.integers(1800, 1991, size=len(k)))
    totals = np.bincount(country - countries.start, weights=number[c], minlength=len(countries))
    number[k] = (totals * rng.uniform(1.5, 3.0, size=len(k)) // 1000 * 1000).astype(np.int64)

    # organisations: founded by an adult, some moved their headquarters
    o = np.arange(orgs.start, orgs.stop)
    founders = persons.start + rng.integers(len(persons), size=len(o))
    rel["founded_by"][o] = founders
    founded = np.minimum(
        birth_year[founders - persons.start] + rng.integers(22, 61, size=len(o)), 2023
    )
    date[o] = _dates(rng, founded)
    kind[o] = rng.integers(len(INDUSTRIES), size=len(o))
    number[o] = np.exp(rng.normal(5.5, 1.6, size=len(o))).clip(5, 250_000).astype(np.int64)
    hq = cities.start + _skewed(rng, len(cities), len(o))
    rel["hq"][o] = hq
    moved = (rng.random(len(o)) < 0.3) & (founded < 2021)
    former = cities.start + rng.integers(len(cities), size=len(o))
    former = np.where(
        former == hq, cities.start + (former - cities.start + 1) % len(cities), former
    )
    rel["former_hq"][o] = np.where(moved, former, -1)
    span = np.maximum(2023 - founded, 1)
    moved_year[o] = np.where(moved, founded + 1 + rng.integers(0, 10_000, size=len(o)) % span, 0)

    # events
    v = np.arange(events.start, events.stop)
    event_year = rng.integers(1950, 2025, size=len(v))
    date[v] = _dates(rng, event_year)
    kind[v] = rng.integers(len(EVENT_KINDS), size=len(v))
    number[v] = np.exp(rng.normal(8.0, 1.2, size=len(v))).clip(50, 900_000).astype(np.int64)
    rel["location"][v] = cities.start + _skewed(rng, len(cities), len(v))
    rel["organiser"][v] = orgs.start + _skewed(rng, len(orgs), len(v))

    # works premiere at an event, by a creator old enough at the time
    w = np.arange(works.start, works.stop)
    premiere = events.start + rng.integers(len(events), size=len(w))
    rel["premiere"][w] = premiere
    date[w] = date[premiere]
    kind[w] = rng.integers(len(WORK_KINDS), size=len(w))
    pool = persons.start + rng.permutation(len(persons))[: max(4, len(persons) * 3 // 10)]
    pool = pool[np.argsort(date[pool], kind="stable")]
    creator = pool[_skewed(rng, len(pool), len(w))]
    too_young = date[creator] // 10_000 > date[w] // 10_000 - 16
    creator[too_young] = pool[rng.integers(0, max(1, len(pool) // 8), size=int(too_young.sum()))]
    rel["creator"][w] = creator
    rel["publisher"][w] = orgs.start + _skewed(rng, len(orgs), len(w))

    names = _names(rng, counts)
    for i in v:
        names[i] = f"{names[i]} {EVENT_KINDS[kind[i]]}"
    _dedupe(names, rng)

    # near-duplicate twins: pairs of real entities of one type with almost the same name
    n_pairs = n_ent // 20
    taken = {n.lower() for n in names}
    twin = np.full(n_ent, -1, dtype=np.int32)
    pairs: list[tuple[int, int]] = []
    for etype_id, word, share in (
        (PERSON, -1, 0.5),
        (ORG, 0, 0.2),
        (CITY, 0, 0.1),
        (WORK, -1, 0.2),
    ):
        ids = range(int(starts[etype_id]), int(starts[etype_id + 1]))
        m = min(int(n_pairs * share), len(ids) // 4)
        chosen = ids.start + rng.choice(len(ids), size=2 * m, replace=False)
        for a, b in zip(chosen[:m].tolist(), chosen[m:].tolist(), strict=True):
            new = near_duplicate(names[a], rng, taken, word)
            if new is None:
                continue
            taken.discard(names[b].lower())
            taken.add(new.lower())
            names[b] = new
            twin[a], twin[b] = b, a
            pairs.append((a, b))
    twin_pairs = np.array(pairs, dtype=np.int32).reshape(-1, 2)

    # list pages
    list_kind: list[int] = []
    list_key: list[int] = []
    list_part: list[int] = []
    list_lo: list[int] = []
    list_hi: list[int] = []
    born_counts = np.bincount(rel["born_in"][p] - cities.start, minlength=len(cities))
    for city in np.flatnonzero(born_counts):
        list_kind.append(0)
        list_key.append(cities.start + int(city))
        list_part.append(0)
        list_lo.append(0)
        list_hi.append(0)
    for country_id in countries:
        list_kind.append(1)
        list_key.append(country_id)
        list_part.append(0)
        list_lo.append(0)
        list_hi.append(0)
    decade_orgs = o[np.argsort(date[o], kind="stable")].astype(np.int32)
    decades = date[decade_orgs] // 100_000 * 10
    for dec in np.unique(decades).tolist():
        lo, hi = np.searchsorted(decades, [dec, dec + 1])
        for part, start in enumerate(range(int(lo), int(hi), _LIST_CHUNK)):
            list_kind.append(2)
            list_key.append(dec)
            list_part.append(part)
            list_lo.append(start)
            list_hi.append(min(start + _LIST_CHUNK, int(hi)))
    lists = {
        "kind": np.array(list_kind, dtype=np.int8),
        "key": np.array(list_key, dtype=np.int32),
        "part": np.array(list_part, dtype=np.int32),
        "lo": np.array(list_lo, dtype=np.int32),
        "hi": np.array(list_hi, dtype=np.int32),
    }

    # news: outdated headquarters, outdated census figures, then plain mentions
    n_news = num_pages - n_ent - len(twin_pairs) - len(list_kind)
    if n_news < 0:
        raise ValueError(f"num_pages={num_pages} is too small for its world")
    movers = o[moved & (moved_year[o] > founded)]
    movers = movers[: n_news // 4]
    old_hq_year = founded[movers - orgs.start] + rng.integers(0, 10_000, size=len(movers)) % (
        moved_year[movers] - founded[movers - orgs.start]
    )
    cities_old = c[: max(0, min(len(c), n_news // 4))]
    n_mention = n_news - len(movers) - len(cities_old)
    e1 = _skewed(rng, n_ent, n_mention).astype(np.int32)
    e2 = _skewed(rng, n_ent, n_mention).astype(np.int32)
    e2 = np.where((e2 == e1) | (rng.random(n_mention) < 0.4), -1, e2)
    news = {
        "kind": np.concatenate(
            [
                np.full(len(movers), NEWS_OLD_HQ),
                np.full(len(cities_old), NEWS_OLD_POPULATION),
                np.full(n_mention, NEWS_MENTION),
            ]
        ).astype(np.int8),
        "e1": np.concatenate([movers, cities_old, e1]).astype(np.int32),
        "e2": np.concatenate([rel["former_hq"][movers], np.full(len(cities_old), -1), e2]).astype(
            np.int32
        ),
        "date": np.concatenate(
            [
                _dates(rng, old_hq_year),
                _dates(rng, old_year[cities_old]),
                _dates(rng, rng.integers(2000, 2025, size=n_mention)),
            ]
        ),
        "template": rng.integers(0, 1 << 30, size=n_news).astype(np.int32),
    }
    return World(
        seed=seed,
        num_pages=num_pages,
        names=names,
        etype=etype,
        starts=starts,
        rel=rel,
        date=date,
        number=number,
        kind=kind,
        twin=twin,
        moved_year=moved_year,
        old_number=old_number,
        old_year=old_year,
        news=news,
        lists=lists,
        decade_orgs=decade_orgs,
        twin_pairs=twin_pairs,
    )
