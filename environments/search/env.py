"""AgentSearch-v0: answer multi-hop questions by researching a simulated web over HTTP."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from agentgym.core import AgentEnv
from agentgym.environments.search.browser import Browser, FetchError, PageView
from agentgym.environments.search.pages import BASE_URL, SITE_HOST
from agentgym.environments.search.scoring import SCORE_FNS, normalize_answer, score_answer
from agentgym.environments.search.server import WebServer, acquire_server, release_server
from agentgym.environments.search.site import Site, load_site
from agentgym.environments.search.tasks import FAMILY
from agentgym.environments.search.world import MAX_PAGES, MIN_PAGES
from agentgym.tasks import Task, TaskFamily
from agentgym.tools.base import Tool, ToolArgumentError, ToolCall, ToolOutput
from agentgym.tools.search import SearchHit, search_tool

__all__ = ["SearchEnv"]

_FIND_LIMIT = 10
_FIND_CONTEXT = 80
_SUPPORT_WEIGHT = 0.5


class _Connection:
    """The env's share of the process's web server and its HTTP session (closed once)."""

    def __init__(self, site: Site, part_chars: int):
        self.site = site
        self.server: WebServer | None = None
        self.browser = Browser(site.corpus, self.origin, part_chars=part_chars)
        self.closed = False

    def origin(self) -> str:
        if self.closed:
            raise FetchError("the env has been closed, so no page can be fetched")
        if self.server is None:
            self.server = acquire_server(self.site.corpus)
        return self.server.origin

    def close(self) -> None:
        self.closed = True
        self.browser.close()
        if self.server is not None:
            server, self.server = self.server, None
            release_server(server)


class SearchEnv(AgentEnv):
    """Answer a question by searching and browsing a simulated web served over real HTTP.

    ## Description

    A seeded generator builds a fictional, self-consistent world of people, organisations,
    cities, countries, works and events with invented names (so no model can answer from
    memory) and renders it as a web of HTML pages: entity pages with an infobox, prose and
    links; list pages; dated news; and distractors (near-duplicate names, pages that mention
    an entity without the asked fact, outdated facts marked by their date). The pages are
    served by a local HTTP server on ``127.0.0.1`` (shared by the envs of a process) under
    the stable URLs ``http://web.sim/...``; BM25 search ranks them. Questions follow the
    relation graph: 1 to 4 hops, comparisons, counts and dates, each answerable from the web
    alone. A user may bring a corpus (JSONL of ``url``, ``title``, ``text``) and questions
    (JSONL of ``question``, ``answers``, optional ``supporting_urls``).

    ## Action Space

    ``UnicodeText(200_000)``: the assistant's completion, with tool calls in the
    ``action_format`` (``xml``: ``<search k="5">query</search>``, ``<open>3</open>``,
    ``<find>text</find>``, ``<next_page/>``, ``<answer>text</answer>``).

    ## Observation Space

    ``UnicodeText(32_768)``: the question at reset, then the tool results: numbered search
    results (title, URL, snippet), or the open page as text with numbered links ``[n]``,
    one part of at most ``page_chars`` characters at a time.

    ## Tools

    | tool | arguments | effect |
    |---|---|---|
    | ``search`` | ``query``, ``k`` (1..20, default 5) | top-k BM25 results; numbers open them |
    | ``open`` | ``target``: URL or number | fetch a page; numbers refer to the latest list |
    | ``find`` | ``text`` | occurrences in the open page, with the part they are on |
    | ``next_page`` | none | the next part of a long page |
    | ``answer`` | ``text`` | submit the answer; ends the episode |

    A number given to ``open`` refers to the most recent numbered list: the results of the
    last search, or the links of the page opened since. URLs outside the simulated web are
    refused with a message and never fetched.

    ## Rewards

    ``sparse``: the episode score on the last step: normalised exact match of the answer
    against the gold answers and aliases (``score_fn="f1"``: best token F1). ``dense`` adds
    the components below to every step.

    ## Reward components

    * ``outcome``: the episode score, on the last step.
    * ``progress``: potential-based shaping with ``Φ = 0.5 × (supporting pages opened /
      supporting pages)``; pays when a supporting page is first opened and returns to 0 at
      the end, so it does not change the optimal policy.
    * ``format``: -0.1 for a malformed action or bad arguments (an empty query, ``k`` out of
      range, a link number that does not exist); such a call is never also a ``repeat``.
    * ``repeat``: -0.05 for a call that does nothing new: the same search, reopening a page
      (by URL or by a number in any list), ``find`` of the same text on the same page,
      ``next_page`` to a part already shown. ``open 2`` of a new list and ``find`` on
      another page are not repeats.

    ## Starting State

    A question drawn with ``np_random`` from the task source (generated families
    ``compare``, ``count``, ``date``, ``hop``, ids ``family/difficulty/seed``), no page open.

    ## Episode End

    Terminated by ``answer``; truncated after ``max_turns`` steps (default 20) or when
    ``time_limit_s`` runs out. ``info["success"]`` is True for a score of 1.

    ## Arguments

    | argument | default | meaning |
    |---|---|---|
    | ``num_pages`` | 2000 | size of the generated web, 1,000..1,000,000 pages |
    | ``world_seed`` | 0 | seed of the generated world |
    | ``corpus`` | None | a JSONL corpus to use instead of a generated world |
    | ``task_source`` | None | ``"generated"``, one family (``"hop"``), or a questions JSONL |
    | ``difficulty`` | None | ``"easy"`` (1 hop, few distractors), ``"medium"``, ``"hard"`` |
    | ``score_fn`` | ``"em"`` | ``"em"`` or ``"f1"`` |
    | ``page_chars`` | 3000 | characters per part of an open page |
    | ``cache_dir`` | None | index cache (default ``$AGENTGYM_CACHE_DIR`` or user cache) |
    | ``index_cache`` | True | False builds the index in memory only |
    | ``reward_mode``, ``max_turns``, ``action_format``, ``render_mode``, ``time_limit_s`` | | as for every agentgym env |

    >>> import gymnasium as gym
    >>> import agentgym
    >>> env = gym.make("AgentSearch-v0", difficulty="easy", index_cache=False)
    >>> obs, info = env.reset(seed=0)
    >>> obs.startswith("Question:")
    True
    >>> obs, reward, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
    >>> "Results for" in obs
    True
    >>> env.close()

    ## Version History

    * v0: Initial version.
    """

    default_max_turns: ClassVar[int] = 20
    task_family: ClassVar[TaskFamily] = FAMILY
    description: ClassVar[str] = (
        "You answer questions by researching a simulated web (pages under http://web.sim/). "
        "Search it, open pages and follow their numbered links, then give a short answer "
        "(a name, date or number) with the answer tool."
    )

    def __init__(
        self,
        *,
        num_pages: int = 2_000,
        world_seed: int = 0,
        corpus: str | Path | None = None,
        score_fn: str = "em",
        page_chars: int = 3_000,
        cache_dir: str | Path | None = None,
        index_cache: bool = True,
        **config: Any,
    ):
        super().__init__(**config)
        task_source = self.config.task_source
        if score_fn not in SCORE_FNS:
            raise ValueError(f"score_fn must be one of {SCORE_FNS}, got {score_fn!r}")
        if isinstance(page_chars, bool) or not isinstance(page_chars, int) or page_chars < 200:
            raise ValueError(f"page_chars must be an int >= 200, got {page_chars!r}")
        if corpus is None:
            if isinstance(num_pages, bool) or not isinstance(num_pages, int):
                raise ValueError(f"num_pages must be an int, got {num_pages!r}")
            if not MIN_PAGES <= num_pages <= MAX_PAGES:
                raise ValueError(
                    f"num_pages must be in [{MIN_PAGES}, {MAX_PAGES}], got {num_pages}"
                )
            if isinstance(world_seed, bool) or not isinstance(world_seed, int) or world_seed < 0:
                raise ValueError(f"world_seed must be a non-negative int, got {world_seed!r}")
        elif not isinstance(corpus, str | Path):
            raise ValueError(f"corpus must be a path to a JSONL file, got {corpus!r}")
        if corpus is not None and (
            task_source is None
            or (isinstance(task_source, str) and FAMILY.aliases(task_source) is not None)
            or (isinstance(task_source, str) and task_source.partition(":")[0] == "builtin")
        ):
            raise ValueError(
                "questions can only be generated for a generated world; with corpus=... give "
                "task_source=<path to a questions JSONL file>"
            )
        self.num_pages = num_pages
        self.world_seed = world_seed
        self.score_fn = score_fn
        self.page_chars = page_chars
        self.site = load_site(
            num_pages=num_pages,
            world_seed=world_seed,
            corpus_path=corpus,
            cache_dir=cache_dir,
            use_cache=index_cache,
        )
        self._conn = _Connection(self.site, page_chars)
        self._finalizer = weakref.finalize(self, self._conn.close)
        self._page: PageView | None = None
        self._part = 0
        self._links: list[str] = []
        self._visited: set[int] = set()
        self._searched: set[str] = set()
        self._answer: str | None = None
        self._supporting: list[int] = []

    def close(self) -> None:
        """Close the HTTP session and release the shared server (the last env stops it)."""
        self._finalizer()

    # --- hooks -----------------------------------------------------------------------------

    def _make_tools(self) -> Sequence[Tool]:
        no_args = {"type": "object", "properties": {}, "required": []}
        return [
            search_tool(
                lambda: self.site.index,
                on_results=self._on_results,
            ),
            Tool(
                "open",
                "Open a page by URL, or by its number in the latest search results or page "
                "links, and read its first part.",
                {
                    "type": "object",
                    "properties": {
                        "target": {
                            "type": ["string", "integer"],
                            "description": "A URL such as http://web.sim/wiki/Name, or a number.",
                        }
                    },
                    "required": ["target"],
                },
                self._open,
                main_arg="target",
            ),
            Tool(
                "find",
                "Find a text in the open page (case-insensitive) and show where it occurs.",
                {
                    "type": "object",
                    "properties": {"text": {"type": "string", "description": "Text to find."}},
                    "required": ["text"],
                },
                self._find,
                main_arg="text",
            ),
            Tool("next_page", "Show the next part of the open page.", no_args, self._next_page),
            Tool(
                "answer",
                "Give your final answer (a short phrase); ends the episode.",
                {
                    "type": "object",
                    "properties": {"text": {"type": "string", "description": "The answer."}},
                    "required": ["text"],
                },
                self._submit,
                main_arg="text",
                terminal=True,
            ),
        ]

    def _task_context(self) -> dict[str, Any]:
        return {"site": self.site}

    def _begin(self, task: Task) -> str:
        self._page = None
        self._part = 0
        self._links = []
        self._visited = set()
        self._searched = set()
        self._answer = None
        corpus = self.site.corpus
        self._supporting = [
            pid
            for pid in (corpus.resolve_url(u) for u in task.data.get("supporting_urls", ()))
            if pid is not None
        ]
        return (
            f"{task.prompt}\nResearch it on the web (http://{SITE_HOST}/) with the tools, then "
            "give a short answer with the answer tool."
        )

    def _score(self) -> float:
        if self._answer is None or self.task is None:
            return 0.0
        return score_answer(self._answer, list(self.task.data["answers"]), self.score_fn)

    def _potential(self) -> float:
        if not self._supporting:
            return 0.0
        supporting = set(self._supporting)
        return _SUPPORT_WEIGHT * len(supporting & self._visited) / len(supporting)

    def _oracle_calls(self) -> Sequence[ToolCall]:
        assert self.task is not None
        corpus = self.site.corpus
        for step, arg in self.task.data.get("plan", ()):
            if step == "search" and normalize_answer(arg) not in self._searched:
                return [ToolCall("search", {"query": arg})]
            if step == "open" and corpus.resolve_url(arg) not in self._visited:
                return [ToolCall("open", {"target": arg})]
        return [ToolCall("answer", {"text": self.task.data["answers"][0]})]

    # --- tools -----------------------------------------------------------------------------

    def _on_results(self, query: str, hits: Sequence[SearchHit]) -> None:
        self._searched.add(normalize_answer(query))
        self._links = [h.url for h in hits]

    def _open(self, target: str | int) -> ToolOutput:
        text = str(target).strip().strip("[]").strip()
        if not text:
            raise ToolArgumentError("`open` needs a URL or a link number")
        if text.isascii() and text.isdigit():
            # No list is 10 digits long (and int() refuses numbers of over 4,300 digits).
            n = int(text) if len(text) <= 9 else 10**9
            if not self._links:
                raise ToolArgumentError(
                    f"there is no numbered list to pick link {n} from: search or open a page first"
                )
            if not 1 <= n <= len(self._links):
                raise ToolArgumentError(
                    f"link number {n} does not exist; the current list has 1..{len(self._links)}"
                )
            url = self._links[n - 1]
        elif text.startswith("/"):
            url = BASE_URL + text
        elif len(text.split()) > 1:
            raise ToolArgumentError(
                f"{text[:80]!r} is not a URL or a link number; give a URL such as "
                f"{BASE_URL}/wiki/Name or a number from the latest list"
            )
        elif "://" not in text:
            url = "http://" + text
        else:
            url = text
        try:
            view = self._conn.browser.open(url)
        except FetchError as e:
            return ToolOutput(f"error: {e}", ok=False)
        pid = self.site.corpus.resolve_url(view.url)
        if pid is not None:
            self._visited.add(pid)
        self._page, self._part = view, 0
        self._links = [link.url for link in view.links]
        # Reopening a page is a repeat however it is named (URL or a number in any list).
        return ToolOutput(
            self._show_part(),
            True,
            {"url": view.url, "parts": len(view.parts)},
            repeat_key=("open", view.url if pid is None else pid),
        )

    def _show_part(self) -> str:
        page = self._page
        assert page is not None
        n = len(page.parts)
        head = f"Title: {page.title}\nURL: {page.url}\n"
        if n == 1:
            return head + "\n" + page.parts[0]
        tail = (
            "\n[end of page]"
            if self._part == n - 1
            else f"\n[part {self._part + 1} of {n}: call next_page for more]"
        )
        return f"{head}(part {self._part + 1} of {n})\n\n{page.parts[self._part]}{tail}"

    def _next_page(self) -> ToolOutput:
        if self._page is None:
            return ToolOutput("error: no page is open; open one first", ok=False)
        if self._part + 1 >= len(self._page.parts):
            return ToolOutput(
                f"error: this is the last part ({len(self._page.parts)} of "
                f"{len(self._page.parts)}) of {self._page.url}",
                ok=False,
            )
        self._part += 1
        return ToolOutput(
            self._show_part(),
            True,
            {"url": self._page.url, "part": self._part},
            repeat_key=("next_page", self._page.url, self._part),
        )

    def _find(self, text: str) -> ToolOutput:
        needle = text.strip().lower()
        if not needle:
            raise ToolArgumentError("`find` needs a non-empty text")
        if self._page is None:
            return ToolOutput("error: no page is open; open one first", ok=False)
        hits: list[str] = []
        total = 0
        for part_no, part in enumerate(self._page.parts, start=1):
            low = part.lower()
            start = low.find(needle)
            while start >= 0:
                total += 1
                if len(hits) < _FIND_LIMIT:
                    lo, hi = max(0, start - _FIND_CONTEXT), start + len(needle) + _FIND_CONTEXT
                    context = " ".join(part[lo:hi].split())
                    hits.append(f"- part {part_no}: ...{context}...")
                start = low.find(needle, start + 1)
        # The same text on another page is a new search, not a repeat.
        key = ("find", self._page.url, needle)
        if not hits:
            return ToolOutput(f"No match for {text.strip()!r} on {self._page.url}.", repeat_key=key)
        head = f"{total} match(es) for {text.strip()!r} on {self._page.url}"
        more = f"\n(showing the first {_FIND_LIMIT})" if total > _FIND_LIMIT else ""
        return ToolOutput(head + ":\n" + "\n".join(hits) + more, repeat_key=key)

    def _submit(self, text: str) -> str:
        self._answer = text
        return f"Answer submitted: {text.strip()}"
