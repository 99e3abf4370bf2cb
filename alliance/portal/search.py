"""One search over what the portal publishes: member organizations, projects, catalog entries, events and committees.

Each kind of result starts from its app's own visibility selector (``organizations_visible_to``,
``projects_visible_to``, ``catalog_list``, ``events_visible_to``, ``committee_list``), so search never shows what the
person may not see elsewhere, and keeps only what is listed: a draft, proposed or rejected project, a draft event, an
applicant organization or a submitted catalog entry is reached through its own pages, never found by search, whoever
searches.

On PostgreSQL every kind is matched with full-text search (``websearch_to_tsquery`` against a document built from
the title and the text, English stemming) or, for typos, trigram word similarity on the title (``pg_trgm``,
``word_similarity`` above 0.6); rank = ``ts_rank`` + that similarity. Both are served by GIN indexes
(``alliance/portal/migrations/0001_search_indexes.py``, whose expressions are ``Document``'s, character for
character). On SQLite (the embedded default) every word must appear in the title or the text, case-insensitively,
and the rank counts the words found in the title; there is no typo tolerance there.

One query per kind (five, or one with ``kind``), whatever the number of rows.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, ExpressionWrapper, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import Truncator

from alliance.governance.models import Committee
from alliance.governance.selectors import committee_list
from events.models import Event
from events.selectors import events_visible_to
from members.models import Organization
from members.selectors import organizations_visible_to
from projects.catalog.selectors import catalog_list
from projects.models import CatalogEntry, Project
from projects.selectors import projects_visible_to

RESULTS_PER_KIND = 20
QUERY_MAX_LENGTH = 200
SEARCH_CONFIG = "english"


class Document(Func):
    """``to_tsvector('english', coalesce(a, '') || ' ' || coalesce(b, '') ...)``: the text full-text search reads.

    The search indexes are built on exactly this expression, so PostgreSQL uses them.
    """

    template = f"to_tsvector('{SEARCH_CONFIG}'::regconfig, coalesce(%(expressions)s, ''))"
    arg_joiner = ", '') || ' ' || coalesce("
    output_field = SearchVectorField()


@dataclass(frozen=True)
class SearchKind:
    """One kind of result: its name, label, title field, text fields, and its visible, listed rows."""

    name: str
    label: str
    title: str
    texts: tuple[str, ...]
    summary: str

    def rows(self, person: Any) -> QuerySet:
        if self.name == "organization":
            return organizations_visible_to(person).filter(status=Organization.Status.ACTIVE)
        if self.name == "project":
            return projects_visible_to(person).filter(state__in=Project.LISTED_STATES)
        if self.name == "catalog":
            visible = catalog_list(person=person).exclude(status=CatalogEntry.Status.SUBMITTED).values("pk")
            return CatalogEntry.objects.filter(pk__in=visible)
        if self.name == "event":
            return events_visible_to(person).filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        return Committee.objects.filter(pk__in=committee_list().values("pk"))

    def url(self, row: dict[str, Any]) -> str:
        if self.name == "organization":
            return reverse("members:organization_detail", kwargs={"slug": row["slug"]})
        if self.name == "project":
            return reverse("projects:project_detail", kwargs={"slug": row["slug"]})
        if self.name == "catalog":
            return reverse("projects:catalog_detail", kwargs={"pk": row["pk"]})
        if self.name == "event":
            return reverse("events:event_detail", kwargs={"slug": row["slug"]})
        return reverse("governance:committee_detail", kwargs={"slug": row["slug"]})


KINDS = (
    SearchKind("organization", "Member", "name", ("description",), "description"),
    SearchKind("project", "Project", "title", ("summary", "description"), "summary"),
    SearchKind("catalog", "Catalog entry", "name", ("description",), "description"),
    SearchKind("event", "Event", "title", ("description",), "description"),
    SearchKind("committee", "Committee", "name", ("description",), "description"),
)
KIND_NAMES = tuple(kind.name for kind in KINDS)
KIND_CHOICES = tuple((kind.name, kind.label) for kind in KINDS)


@dataclass(frozen=True)
class SearchHit:
    """A result: its kind, title, a line of its text, its page, and how well it matched (higher first)."""

    kind: str
    kind_label: str
    title: str
    summary: str
    url: str
    rank: float


def search(*, person: Any, query: str, kind: str = "", limit: int = RESULTS_PER_KIND) -> list[SearchHit]:
    """What the person may see that matches ``query``, best first: up to ``limit`` of each kind (or of ``kind``
    only); nothing for a query without words."""
    query = " ".join(query.split())[:QUERY_MAX_LENGTH]
    if not query:
        return []
    hits: list[SearchHit] = []
    for search_kind in KINDS:
        if kind and search_kind.name != kind:
            continue
        rows = _matching(search_kind.rows(person), search_kind, query)
        fields = ["pk", search_kind.title, search_kind.summary, "rank"]
        if search_kind.name != "catalog":
            fields.append("slug")
        for row in rows.order_by("-rank", search_kind.title, "pk").values(*fields)[:limit]:
            hits.append(
                SearchHit(
                    kind=search_kind.name,
                    kind_label=search_kind.label,
                    title=row[search_kind.title],
                    summary=Truncator(" ".join((row[search_kind.summary] or "").split())).chars(200),
                    url=search_kind.url(row),
                    rank=round(float(row["rank"]), 6),
                )
            )
    return sorted(hits, key=lambda hit: (-hit.rank, hit.title.lower(), hit.kind))


def _matching(rows: QuerySet, kind: SearchKind, query: str) -> QuerySet:
    if connection.vendor == "postgresql":
        return _matching_full_text(rows, kind, query)
    return _matching_words(rows, kind, query)


def _matching_full_text(rows: QuerySet, kind: SearchKind, query: str) -> QuerySet:
    """PostgreSQL: full text (stemmed words, websearch syntax) or a title close to the query despite a typo."""
    terms = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    rows = rows.annotate(document=Document(kind.title, *kind.texts))
    return rows.filter(Q(document=terms) | Q(**{f"{kind.title}__trigram_word_similar": query})).annotate(
        rank=SearchRank(F("document"), terms) + Coalesce(TrigramWordSimilarity(query, kind.title), 0.0)
    )


def _matching_words(rows: QuerySet, kind: SearchKind, query: str) -> QuerySet:
    """SQLite: every word in the title or the text; the whole query in the title counts most, then each word in it."""
    words = query.split()[:10]
    for word in words:
        found = Q(**{f"{kind.title}__icontains": word})
        for text in kind.texts:
            found |= Q(**{f"{text}__icontains": word})
        rows = rows.filter(found)
    rank: Any = Case(When(**{f"{kind.title}__icontains": query}, then=Value(2.0)), default=Value(0.0))
    for word in words:
        rank = rank + Case(When(**{f"{kind.title}__icontains": word}, then=Value(1.0)), default=Value(0.0))
    return rows.annotate(rank=ExpressionWrapper(rank, output_field=FloatField()))
