"""A customer's timeline in the console: one list, newest first, of everything the workflow apps
hold about one user (orders, payments and refunds, conversations, reviews and review cases,
tickets and their log, later survey answers).

The apps are siblings that never import one another and ``core`` imports none of them, so the
timeline is a registry like the sweeps' (``core.sweeps``) and the roles' (``accounts.services.
roles``): every installed app may have a ``timeline`` module with

- ``customer_entries(user_id, *, limit, before) -> list[TimelineEntry]``: its ``limit`` newest
  entries older than ``before`` (None: the newest), newest first, in one or two statements each
  with a ``LIMIT`` (read through an index on the customer and the time), so a page costs the
  same statements however long the customer's history is;
- optionally ``customer_sections(user_id) -> list[TimelineSection]``: figures shown above the
  timeline (the help desk's recurring problems).

``customer_timeline`` asks every provider for ``limit`` entries and merges them by time: the
newest ``limit`` of all of them are the page, and the oldest shown is where the next ("older")
page starts (``before``, strict). Entries of one instant are never split over two pages.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import module_has_submodule

TIMELINE_MODULE = "timeline"


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to the customer: when, what kind of record (``kind``, e.g.
    ``order``, ``ticket``), a title and a one-line summary, the console page of the record
    (``url``, "" when it has none), the app that gave it and the record's status then or now."""

    at: datetime
    kind: str
    title: str
    summary: str = ""
    url: str = ""
    app: str = ""
    status: str = ""


@dataclass(frozen=True)
class TimelineFigure:
    """A count (``url``: the list it counts) and the records it counts (``links``: text and URL)."""

    label: str
    count: int
    url: str = ""
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TimelineSection:
    """Figures an app shows above the timeline (e.g. recurring problems), each a count with the
    list it counts."""

    title: str
    app: str
    figures: list[TimelineFigure] = field(default_factory=list)
    empty_text: str = ""


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    # Where the next, older page starts (None: this is the oldest page).
    older_before: datetime | None


EntriesProvider = Callable[..., list[TimelineEntry]]
SectionsProvider = Callable[[int], list[TimelineSection]]


def _timeline_modules() -> list[Any]:
    modules = []
    for app_config in apps.get_app_configs():
        # ``core`` is an installed app too, and this module its ``timeline``: not a provider.
        if app_config.name != "core" and module_has_submodule(app_config.module, TIMELINE_MODULE):
            modules.append(import_module(f"{app_config.name}.{TIMELINE_MODULE}"))
    return modules


def timeline_providers() -> list[EntriesProvider]:
    """Every installed app's ``timeline.customer_entries`` (INSTALLED_APPS order)."""
    return [module.customer_entries for module in _timeline_modules() if hasattr(module, "customer_entries")]


def customer_timeline(user_id: int, *, limit: int, before: datetime | None = None) -> TimelinePage:
    """The customer's ``limit`` newest entries older than ``before``, over every app, newest first."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    gathered: list[TimelineEntry] = []
    for provider in timeline_providers():
        gathered.extend(provider(user_id, limit=limit + 1, before=before))
    gathered.sort(key=lambda entry: entry.at, reverse=True)
    if len(gathered) <= limit:
        return TimelinePage(entries=gathered, older_before=None)
    page = gathered[:limit]
    # The cursor is strict (older than ``before``): entries of the same instant as the first one
    # left out move to the next page with it, unless the whole page is that instant.
    boundary = gathered[limit].at
    kept = [entry for entry in page if entry.at != boundary]
    if kept:
        page = kept
    return TimelinePage(entries=page, older_before=page[-1].at)


def customer_sections(user_id: int) -> list[TimelineSection]:
    sections: list[TimelineSection] = []
    for module in _timeline_modules():
        provider: SectionsProvider | None = getattr(module, "customer_sections", None)
        if provider is not None:
            sections.extend(provider(user_id))
    return sections


def console_url(model: type[Model], pk: object) -> str:
    """The console page of a record, or "" when its model has none (not registered in the admin)."""
    meta = model._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk])
    except NoReverseMatch:
        return ""
