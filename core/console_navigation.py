"""The moderators' console shaped by role: each staff member sees their own work queues first, and
the raw record lists (Django's list of every model they may view) in one collapsed "Records" group.

Each app declares its console sections in its own ``console_navigation.py`` (found at start-up like
``navigation`` and ``sweeps``: ``core.apps``). Core knows no app; the apps bring their queues,
their links and their rules. A section is:

- ``key``: unique, ``"<app>.<what>"``; ``title``: the heading of its cards on the index page;
- ``group``: the sidebar heading it sits under (``"Support"``, ``"Moderation"``, ``"Finance"``,
  ``"Integration"``: a free string, groups are ordered by their first section's ``order``);
- ``roles``: the ``user.role`` values that see it (superusers see every section); each queue, link
  and chart may narrow that with its own ``roles`` and needs its ``permission`` too, so a section
  never offers a list its reader cannot open;
- ``queues``: live counts (``ConsoleQueue``), each linking to the changelist filtered to exactly the
  rows it counts; ``counts(now)`` returns every count of the section in one query, keyed by
  ``ConsoleQueue.key``, and is called only when a queue of the section is shown;
- ``links``: lists and reports worth a click without a count (``ConsoleLink``);
- ``charts``: trends drawn by ``core.charts`` (``ConsoleChart``: ``build(now)`` returns a ``Chart``).

The index page (``templates/admin/index.html``) renders the sections with their counts and charts;
the sidebar of every console page (``templates/admin/nav_sidebar.html``) renders the same sections as
plain links, without counts, so an ordinary console page makes no extra query.

Adding an app's sections (feedback's survey queues, royalty's statements to approve): write
``<app>/console_navigation.py`` with::

    from core.console_navigation import ConsoleLink, ConsoleQueue, ConsoleSection, register_console_section
    from royalty.selectors.statements import statement_queue_counts

    register_console_section(
        ConsoleSection(
            key="royalty.statements",
            title="Royalty statements",
            group="Finance",
            roles=frozenset({"finance"}),
            order=320,
            counts=lambda now: {"to_approve": statement_queue_counts(now=now).to_approve},
            queues=(
                ConsoleQueue("to_approve", "Statements to approve", "admin:royalty_statement_changelist",
                             permission="royalty.view_statement", query="status__exact=draft", tone="warning"),
            ),
        )
    )

Nothing else changes: the index, the sidebar and the "Records" group pick it up. Orders in use:
support 100-199, moderation 200-299, finance 300-399, integration 400-499.

Why on the stock admin and not django-unfold (issue 14 asked to consider it): unfold restyles every
page with its own templates and needs every ``ModelAdmin`` and inline to subclass its classes (37
admins, 24 inlines, ``core.console``'s bases), while 25 project templates in ``templates/admin/``
and the browser tests select Django's markup (``#result_list``, ``.messagelist``, the action bar,
``.submit-row``); a switch is one big rewrite of all of them at once. This registry knows no markup:
a later switch maps each group to unfold's ``SIDEBAR["navigation"]`` (a section's queues and links
as items, ``counts`` as badges, ``roles``/``permission`` as its permission callback).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse

from core.charts import Chart
from core.console import QueueCard


def _url(url_name: str, query: str) -> str:
    url = reverse(url_name)
    return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class ConsoleQueue:
    """A live count on the index; in the sidebar, a link to the same filtered list."""

    key: str
    label: str
    url_name: str
    permission: str
    query: str = ""
    tone: str = "neutral"  # "neutral", "warning" or "alert" (when the count is not zero)
    roles: frozenset[str] | None = None  # None: the section's

    @property
    def url(self) -> str:
        return _url(self.url_name, self.query)


@dataclass(frozen=True)
class ConsoleLink:
    """A list or report without a count."""

    label: str
    url_name: str
    permission: str | None = None  # None: anyone the section is shown to
    query: str = ""
    roles: frozenset[str] | None = None

    @property
    def url(self) -> str:
        return _url(self.url_name, self.query)


@dataclass(frozen=True)
class ConsoleChart:
    """A trend on the index page; ``chart_id`` must be unique on the page."""

    chart_id: str
    permission: str
    build: Callable[[datetime], Chart | None]
    roles: frozenset[str] | None = None


@dataclass(frozen=True)
class ConsoleSection:
    key: str
    title: str
    group: str
    roles: frozenset[str]
    order: int
    queues: tuple[ConsoleQueue, ...] = ()
    links: tuple[ConsoleLink, ...] = ()
    charts: tuple[ConsoleChart, ...] = ()
    counts: Callable[[datetime], Mapping[str, int]] | None = None


@dataclass(frozen=True)
class ShownSection:
    """A section as one user sees it: only what their role and permissions open."""

    key: str
    title: str
    group: str
    queues: tuple[ConsoleQueue, ...]
    links: tuple[ConsoleLink, ...]
    charts: tuple[ConsoleChart, ...]
    counts: Callable[[datetime], Mapping[str, int]] | None = None

    @property
    def html_id(self) -> str:
        return "sp-section-" + self.key.replace(".", "-").replace("_", "-")

    def cards(self, now: datetime) -> list[QueueCard]:
        """The queues with their live counts (one query for the section, none without queues)."""
        if not self.queues:
            return []
        counts = self.counts(now) if self.counts is not None else {}
        return [QueueCard(queue.label, counts.get(queue.key, 0), queue.url, queue.tone) for queue in self.queues]


@dataclass(frozen=True)
class NavGroup:
    title: str
    sections: list[ShownSection] = field(default_factory=list)

    @property
    def html_id(self) -> str:
        return "sp-nav-" + self.title.lower().replace(" ", "-")


_sections: dict[str, ConsoleSection] = {}


def register_console_section(section: ConsoleSection) -> ConsoleSection:
    if section.key in _sections and _sections[section.key] != section:
        raise ValueError(f"console section {section.key!r} is registered twice")
    _sections[section.key] = section
    return section


def _role_allows(user: Any, roles: frozenset[str] | None, section_roles: frozenset[str]) -> bool:
    if user.is_superuser:
        return True
    return getattr(user, "role", None) in (roles if roles is not None else section_roles)


def _allowed(user: Any, item: ConsoleQueue | ConsoleLink | ConsoleChart, section: ConsoleSection) -> bool:
    if not _role_allows(user, item.roles, section.roles):
        return False
    return item.permission is None or user.has_perm(item.permission)


def console_sections_for(user: Any) -> list[ShownSection]:
    """The sections ``user`` sees, in ``order``, each with only the queues, links and charts their
    role and permissions open; a section with nothing left is left out. No query beyond Django's
    permission cache (which the admin has loaded already for its own list)."""
    if user is None or not user.is_authenticated or not user.is_staff:
        return []
    shown = []
    for section in sorted(_sections.values(), key=lambda section: (section.order, section.key)):
        if not user.is_superuser and getattr(user, "role", None) not in section.roles:
            # A queue or link may name a role of its own only to narrow the section's.
            continue
        queues = tuple(queue for queue in section.queues if _allowed(user, queue, section))
        links = tuple(link for link in section.links if _allowed(user, link, section))
        charts = tuple(chart for chart in section.charts if _allowed(user, chart, section))
        if queues or links or charts:
            shown.append(ShownSection(section.key, section.title, section.group, queues, links, charts, section.counts))
    return shown


def console_groups_for(user: Any) -> list[NavGroup]:
    """The user's sections grouped for the sidebar, groups in the order of their first section."""
    groups: dict[str, NavGroup] = {}
    for section in console_sections_for(user):
        groups.setdefault(section.group, NavGroup(section.group)).sections.append(section)
    return list(groups.values())


def registered_console_sections() -> list[ConsoleSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))
