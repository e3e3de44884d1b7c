"""The Feedback & CSAT report: one definition read by the console's report page and CSV, the
reports API, the report mails and alerts (``feedback.services.reports``) and the seller dashboard.

CSAT is ``feedback.selectors.csat``'s definition (satisfied = 4 or 5 overall; counted by when the
answer was given, ``SurveyResponse.created_at`` in ``[start, end)`` UTC). Each figure is set
beside the previous period's (the month or quarter before; a range: as long, just before), and
every breakdown reads both periods in the one grouped statement (``COUNT(...) FILTER``), so a
report costs the same number of statements whatever the number of responses.

- ``csat_report``: platform-wide and by category, channel, agent, seller and interaction type.
- ``csat_trend``: CSAT per month for the 12 months ending with the period (one statement).
- ``response_rate``: responses / invitations sent in the period.
- ``issue_frequency``: issues by category: survey answers that were not satisfied or say what went
  wrong, plus feedback log entries (feature requests are counted apart).
- ``recurring_issues``: per category, the keywords of those issues mentioned by more answers and
  entries this period than the previous one (simple words, a stop list), the top N.
- ``feature_requests``: feature-request entries and answers marked so, grouped by their first two
  words that say what is wished for (``feature_key``), ranked by count.
- ``resolution_time``: median and average ``resolution_seconds`` (PostgreSQL's ``percentile_cont``;
  Python's median on SQLite), overall and per interaction type.
- ``action_plan_effects``: for each action plan, the category's CSAT and issues for equal windows
  before and after ``effective_on``: did it help?
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Avg, BooleanField, Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth

from accounts.models import Role
from core.figures import Median, median, median_in_sql, percentage, whole_seconds
from core.periods import Period, month_period, period_kind, shift_period
from feedback.models import (
    ActionPlan,
    ActionStatus,
    Category,
    Channel,
    EntryKind,
    FeedbackEntry,
    InteractionType,
    SurveyInvitation,
    SurveyResponse,
)
from feedback.selectors.csat import DIMENSIONS, CsatFigure
from marketplace.models import Seller

TREND_MONTHS = 12
UNCATEGORISED = ""
DIMENSION_FIELD = {
    "category": "category",
    "channel": "channel",
    "agent": "agent_id",
    "seller": "seller_id",
    "interaction_type": "interaction_type",
}
DIMENSION_TITLES = {
    "category": "Category",
    "channel": "Channel",
    "agent": "Agent",
    "seller": "Seller",
    "interaction_type": "Interaction type",
}
_CHOICE_LABELS: dict[str, dict[Any, str]] = {
    "category": dict(Category.choices),
    "channel": dict(Channel.choices),
    "interaction_type": dict(InteractionType.choices),
}
_STOP_TEXT = """
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each even ever every few for from further get got had hadn't has hasn't have haven't having he
her here hers herself him himself his how i i'm i've if in into is isn't it it's its itself just let
like me more most much my myself no nor not now of off on once one only or other our ours ourselves out
over own please really same she should shouldn't so some still such than that that's the their theirs
them themselves then there there's these they they're this those through to too under until up upon us
very via was wasn't we we're were weren't what when where which while who whom why will with won't
would wouldn't yet you you're your yours yourself yourselves thanks thank ok okay
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD_RE = re.compile(r"[a-z][a-z'-]*[a-z]")
FEATURE_KEY_WORDS = 2  # a feature request is grouped by its first two words that say what is wished for


def previous_period(period: Period) -> Period:
    """The month (quarter) before a month (quarter); a range: as long, ending where it starts."""
    if period_kind(period) == "range":
        length = period.end - period.start
        start = period.start - length
        return Period(label=f"{start:%Y-%m-%d}..{period.start:%Y-%m-%d}", start=start, end=period.start)
    return shift_period(period, -1)


def change_points(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change in percentage points (None unless both periods have a figure)."""
    if current is None or previous is None:
        return None
    return current - previous


def _both_periods(period: Period, previous: Period, prefix: str = "") -> tuple[Q, Q, Q]:
    """(rows in either period, rows in the period, rows in the previous one) on ``created_at``."""
    current_q = Q(**{f"{prefix}created_at__gte": period.start, f"{prefix}created_at__lt": period.end})
    previous_q = Q(**{f"{prefix}created_at__gte": previous.start, f"{prefix}created_at__lt": previous.end})
    if previous.end == period.start:
        # One range, not an OR of two: PostgreSQL then reads it from the covering index alone.
        either_q = Q(**{f"{prefix}created_at__gte": previous.start, f"{prefix}created_at__lt": period.end})
        return either_q, current_q, previous_q
    return current_q | previous_q, current_q, previous_q


@dataclass(frozen=True)
class CsatRow:
    """One line of a CSAT table: ``key`` (a category value, a seller's id, ...; None platform-wide)."""

    key: Any
    label: str
    current: CsatFigure
    previous: CsatFigure

    @property
    def csat_pct(self) -> Decimal | None:
        return self.current.csat_pct

    @property
    def previous_pct(self) -> Decimal | None:
        return self.previous.csat_pct

    @property
    def change_pts(self) -> Decimal | None:
        return change_points(self.current.csat_pct, self.previous.csat_pct)

    @property
    def meets_target(self) -> bool | None:
        return self.current.meets_target


@dataclass(frozen=True)
class CsatReport:
    period: Period
    previous: Period
    target_pct: Decimal
    overall: CsatRow
    by: dict[str, list[CsatRow]] = field(default_factory=dict)


def _row(key: Any, label: str, figures: dict[str, int]) -> CsatRow:
    return CsatRow(
        key=key,
        label=label,
        current=CsatFigure(responses=figures["count_now"], satisfied=figures["satisfied_now"]),
        previous=CsatFigure(responses=figures["count_before"], satisfied=figures["satisfied_before"]),
    )


def _labels(dimension: str, keys: Iterable[Any]) -> dict[Any, str]:
    keys = [key for key in keys if key is not None]
    if dimension == "seller":
        return dict(Seller.objects.filter(pk__in=keys).values_list("pk", "name")) if keys else {}
    if dimension == "agent":
        users = get_user_model().objects.filter(pk__in=keys).only("pk", "first_name", "last_name", "username")
        return {user.pk: str(user) for user in users} if keys else {}
    labels = _CHOICE_LABELS[dimension]
    return {key: labels.get(key, key) for key in keys}


def _sort_key(row: CsatRow) -> tuple[Any, ...]:
    # Worst first; rows without an answer this period last; then by name for a stable order.
    pct = row.csat_pct
    return (pct is None, pct if pct is not None else Decimal(0), -row.current.responses, row.label)


def _counts_by(
    source: QuerySet[SurveyResponse], period: Period, previous: Period, column: str | None
) -> dict[Any, dict[str, int]]:
    """Answers and satisfied answers in the period and the previous one per value of ``column``
    (None: one group), in one statement: ``GROUP BY column, in the period, satisfied`` with a plain
    ``COUNT(*)`` over one range of ``created_at``. PostgreSQL reads it from the covering index alone
    (``fb_resp_csat_idx``), and grouping on the two flags costs less per row than four filtered
    counts; the four figures are folded together here (at most four rows per value)."""
    either_q, current_q, _ = _both_periods(period, previous)
    in_period = Case(When(current_q, then=Value(True)), default=Value(False), output_field=BooleanField())
    keys = [column] if column else []
    grouped = (
        source.filter(either_q)
        .annotate(in_period=in_period)
        .values(*keys, "in_period", "satisfied")
        .order_by()
        .annotate(answers=Count("*"))
    )
    counts: dict[Any, dict[str, int]] = defaultdict(
        lambda: {"count_now": 0, "satisfied_now": 0, "count_before": 0, "satisfied_before": 0}
    )
    for row in grouped:
        key = row[column] if column else None
        if column and key is None:
            continue
        when = "now" if row["in_period"] else "before"
        counts[key][f"count_{when}"] += row["answers"]
        if row["satisfied"]:
            counts[key][f"satisfied_{when}"] += row["answers"]
    return counts


def csat_breakdown(
    period: Period,
    dimension: str,
    *,
    previous: Period | None = None,
    rows: QuerySet[SurveyResponse] | None = None,
) -> list[CsatRow]:
    """CSAT per value of ``dimension`` in the period and the previous one: one grouped statement
    (plus one for the names of sellers or agents). Values answered in neither period are absent;
    a category left blank is the row ``UNCATEGORISED``."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}")
    previous = previous or previous_period(period)
    source = rows if rows is not None else SurveyResponse.objects.all()
    counts = _counts_by(source, period, previous, DIMENSION_FIELD[dimension])
    labels = _labels(dimension, list(counts))
    result = [
        _row(key, "Not categorised" if key == UNCATEGORISED else labels.get(key, str(key)), figures)
        for key, figures in counts.items()
    ]
    return sorted(result, key=_sort_key)


def csat_overall(
    period: Period, *, previous: Period | None = None, rows: QuerySet[SurveyResponse] | None = None
) -> CsatRow:
    """Platform-wide (or ``rows``-narrowed) CSAT for the period and the previous one: one statement."""
    previous = previous or previous_period(period)
    source = rows if rows is not None else SurveyResponse.objects.all()
    counts = _counts_by(source, period, previous, None)
    return _row(None, "All responses", counts[None])


def csat_report(
    period: Period, *, dimensions: Iterable[str] = DIMENSIONS, rows: QuerySet[SurveyResponse] | None = None
) -> CsatReport:
    """Platform-wide CSAT and every breakdown, each beside the previous period's: one statement for
    the headline, one per dimension, one each for seller and agent names."""
    previous = previous_period(period)
    return CsatReport(
        period=period,
        previous=previous,
        target_pct=settings.FEEDBACK_TARGET_PCT,
        overall=csat_overall(period, previous=previous, rows=rows),
        by={dimension: csat_breakdown(period, dimension, previous=previous, rows=rows) for dimension in dimensions},
    )


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    figure: CsatFigure


def trend_months(period: Period, months: int = TREND_MONTHS) -> list[Period]:
    """The ``months`` calendar months ending with the one the period ends in."""
    last_day = period.end - timedelta(microseconds=1)
    last = month_period(last_day.year, last_day.month)
    return [shift_period(last, -steps) for steps in reversed(range(months))]


def csat_trend(
    period: Period, *, months: int = TREND_MONTHS, rows: QuerySet[SurveyResponse] | None = None
) -> list[TrendPoint]:
    """CSAT per month for the ``months`` months ending with the period's last month: one statement."""
    window = trend_months(period, months)
    source = rows if rows is not None else SurveyResponse.objects.all()
    grouped = (
        source.filter(created_at__gte=window[0].start, created_at__lt=window[-1].end)
        .annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values("month", "satisfied")
        .order_by()
        .annotate(answers=Count("*"))  # COUNT(*): read from the covering index alone
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in grouped:
        label = row["month"].astimezone(UTC).strftime("%Y-%m")
        counts[label][0] += row["answers"]
        if row["satisfied"]:
            counts[label][1] += row["answers"]
    by_month = {label: CsatFigure(responses, satisfied) for label, (responses, satisfied) in counts.items()}
    return [TrendPoint(month, by_month.get(month.label, CsatFigure(0, 0))) for month in window]


@dataclass(frozen=True)
class ResponseRate:
    invitations_sent: int
    responses: int

    @property
    def rate_pct(self) -> Decimal | None:
        return percentage(self.responses, self.invitations_sent)


def response_rate(period: Period, *, responses: int | None = None) -> ResponseRate:
    """Responses given in the period / invitations sent in it (one statement, two when the
    responses are not given by the caller, who usually has them from ``csat_overall``)."""
    sent = SurveyInvitation.objects.filter(sent_at__gte=period.start, sent_at__lt=period.end).count()
    if responses is None:
        responses = SurveyResponse.objects.filter(created_at__gte=period.start, created_at__lt=period.end).count()
    return ResponseRate(invitations_sent=sent, responses=responses)


def issue_response_q() -> Q:
    """A survey answer that reports an issue: not satisfied, or says what went wrong."""
    return Q(satisfied=False) | ~Q(issues="")


def issue_entry_q() -> Q:
    """A feedback log entry that reports an issue: every one but the feature requests."""
    return Q(kind=EntryKind.FEEDBACK)


@dataclass(frozen=True)
class IssueCount:
    category: str
    label: str
    responses: int
    entries: int
    previous_responses: int
    previous_entries: int

    @property
    def total(self) -> int:
        return self.responses + self.entries

    @property
    def previous_total(self) -> int:
        return self.previous_responses + self.previous_entries

    @property
    def change(self) -> int:
        return self.total - self.previous_total

    @property
    def is_rising_sharply(self) -> bool:
        return self.total >= settings.FEEDBACK_RISING_MIN_ISSUES and Decimal(self.total) >= (
            settings.FEEDBACK_RISING_FACTOR * Decimal(self.previous_total)
        )


def category_label(value: str) -> str:
    return dict(Category.choices).get(value, "Not categorised")


def issue_frequency(period: Period, *, previous: Period | None = None) -> list[IssueCount]:
    """Issues per category (the six, then uncategorised) in the period and the previous one: two
    statements (answers, entries), most frequent first."""
    previous = previous or previous_period(period)
    either_q, current_q, previous_q = _both_periods(period, previous)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    answers = (
        SurveyResponse.objects.filter(either_q)
        .filter(issue_response_q())
        .values("category")
        .order_by()
        .annotate(current=Count("id", filter=current_q), previous=Count("id", filter=previous_q))
    )
    for row in answers:
        counts[row["category"]]["responses"] += row["current"]
        counts[row["category"]]["previous_responses"] += row["previous"]
    entries = (
        FeedbackEntry.objects.filter(either_q)
        .filter(issue_entry_q())
        .values("category")
        .order_by()
        .annotate(current=Count("id", filter=current_q), previous=Count("id", filter=previous_q))
    )
    for row in entries:
        counts[row["category"]]["entries"] += row["current"]
        counts[row["category"]]["previous_entries"] += row["previous"]
    order = [value for value, _ in Category.choices] + [UNCATEGORISED]
    rows = [
        IssueCount(
            category=value,
            label=category_label(value),
            responses=counts[value]["responses"],
            entries=counts[value]["entries"],
            previous_responses=counts[value]["previous_responses"],
            previous_entries=counts[value]["previous_entries"],
        )
        for value in order
        if value != UNCATEGORISED or value in counts
    ]
    return sorted(rows, key=lambda row: (-row.total, order.index(row.category)))


def words(text: str) -> set[str]:
    """The distinct keywords of a text: lower-case words of 3+ letters not on the stop list."""
    return {word for word in _WORD_RE.findall(text.lower()) if len(word) >= 3 and word not in STOP_WORDS}


@dataclass(frozen=True)
class RecurringIssue:
    category: str
    label: str
    keyword: str
    count: int
    previous_count: int

    @property
    def rise(self) -> int:
        return self.count - self.previous_count


def _issue_texts(period: Period, previous: Period) -> Iterable[tuple[str, bool, str]]:
    """(category, is in the period, text) of every issue text in either period: two statements."""
    either_q, _, _ = _both_periods(period, previous)
    answers = (
        SurveyResponse.objects.filter(either_q)
        .exclude(issues="")
        .values_list("category", "created_at", "issues")
        .order_by()
    )
    entries = (
        FeedbackEntry.objects.filter(either_q)
        .filter(issue_entry_q())
        .values_list("category", "created_at", "body")
        .order_by()
    )
    for rows in (answers, entries):
        for category, created_at, text in rows.iterator(chunk_size=5000):
            yield category, period.start <= created_at < period.end, text


def recurring_issues(period: Period, *, previous: Period | None = None, top: int | None = None) -> list[RecurringIssue]:
    """The keywords rising most within a category: mentioned (once per answer or entry) by at
    least ``FEEDBACK_RECURRING_MIN_COUNT`` this period and more than the previous period; ranked by
    the rise, then the count. Two statements."""
    previous = previous or previous_period(period)
    top = settings.FEEDBACK_RECURRING_TOP if top is None else top
    current: Counter[tuple[str, str]] = Counter()
    before: Counter[tuple[str, str]] = Counter()
    for category, is_current, text in _issue_texts(period, previous):
        counter = current if is_current else before
        counter.update((category, word) for word in words(text))
    rising = [
        RecurringIssue(
            category=category, label=category_label(category), keyword=word, count=count, previous_count=before[key]
        )
        for key, count in current.items()
        for category, word in [key]
        if count >= settings.FEEDBACK_RECURRING_MIN_COUNT and count > before[key]
    ]
    rising.sort(key=lambda issue: (-issue.rise, -issue.count, issue.category, issue.keyword))
    return rising[:top]


@dataclass(frozen=True)
class FeatureRequest:
    key: str
    count: int
    example: str
    from_entries: int
    from_responses: int


# Words that say "this is a wish", not what is wished for: left out of a feature request's key.
_FEATURE_STOP_TEXT = """
add added adding allow able app could feature features great have idea love make need nice option request
requests see should want wish would
"""
FEATURE_STOP_WORDS = frozenset(_FEATURE_STOP_TEXT.split())


def feature_key(text: str) -> str:
    """The group of a feature request: its first ``FEATURE_KEY_WORDS`` words that are neither stop
    words nor wish words ("Please add a dark mode." and "Feature: dark mode please!" are both
    ``dark mode``)."""
    ordered = [
        word
        for word in _WORD_RE.findall(text.lower())
        if len(word) >= 3 and word not in STOP_WORDS and word not in FEATURE_STOP_WORDS
    ]
    return " ".join(list(dict.fromkeys(ordered))[:FEATURE_KEY_WORDS]) or "(no text)"


def feature_requests(period: Period, *, top: int | None = None) -> list[FeatureRequest]:
    """Feature requests of the period (log entries of that kind, survey answers marked so), grouped
    by ``feature_key`` and ranked by count: two statements (entries, answers)."""
    top = settings.FEEDBACK_RECURRING_TOP if top is None else top
    in_period = Q(created_at__gte=period.start, created_at__lt=period.end)
    groups: dict[str, dict[str, Any]] = {}

    def add(text: str, source: str) -> None:
        key = feature_key(text)
        group = groups.setdefault(key, {"entries": 0, "responses": 0, "example": text.strip()[:200]})
        group[source] += 1

    entries = FeedbackEntry.objects.filter(in_period, kind=EntryKind.FEATURE_REQUEST).order_by("created_at", "id")
    for body in entries.values_list("body", flat=True):
        add(body, "entries")
    answers = SurveyResponse.objects.filter(in_period, is_feature_request=True).order_by("created_at", "id")
    for suggestions, issues in answers.values_list("suggestions", "issues"):
        add(suggestions or issues, "responses")
    ranked = [
        FeatureRequest(
            key=key,
            count=group["entries"] + group["responses"],
            example=group["example"],
            from_entries=group["entries"],
            from_responses=group["responses"],
        )
        for key, group in groups.items()
    ]
    ranked.sort(key=lambda request: (-request.count, request.key))
    return ranked[:top]


@dataclass(frozen=True)
class ResolutionTime:
    key: str | None
    label: str
    responses: int
    median_seconds: int | None
    average_seconds: int | None


def resolution_time(period: Period) -> list[ResolutionTime]:
    """Median and average time from opened to resolved of the answered interactions, overall
    (first row, key None) and per interaction type: one statement on PostgreSQL (two on SQLite)."""
    rows = SurveyResponse.objects.filter(
        created_at__gte=period.start, created_at__lt=period.end, resolution_seconds__isnull=False
    )
    figures: dict[str, Any] = {"answers": Count("id"), "average": Avg("resolution_seconds")}
    if median_in_sql():
        figures["median"] = Median("resolution_seconds")
    grouped: list[dict[str, Any]] = [
        dict(row) for row in rows.values("interaction_type").order_by("interaction_type").annotate(**figures)
    ]
    values: dict[str, list[int]] = defaultdict(list)
    if not median_in_sql():
        for kind, seconds in rows.values_list("interaction_type", "resolution_seconds"):
            values[kind].append(seconds or 0)  # never None: the rows exclude it
    labels = dict(InteractionType.choices)
    result: list[ResolutionTime] = []
    total = sum(row["answers"] for row in grouped)
    weighted = sum(row["average"] * row["answers"] for row in grouped)
    all_values = sorted(seconds for kind in values for seconds in values[kind])
    for row in grouped:
        kind = row["interaction_type"]
        result.append(
            ResolutionTime(
                key=kind,
                label=labels.get(kind, kind),
                responses=row["answers"],
                median_seconds=whole_seconds(row["median"] if median_in_sql() else median(values[kind])),
                average_seconds=whole_seconds(row["average"]),
            )
        )
    overall_median = None
    if total:
        if median_in_sql():
            overall_median = rows.aggregate(median=Median("resolution_seconds"))["median"]
        else:
            overall_median = median(all_values)
    result.insert(
        0,
        ResolutionTime(
            key=None,
            label="All interactions",
            responses=total,
            median_seconds=whole_seconds(overall_median),
            average_seconds=whole_seconds(weighted / total) if total else None,
        ),
    )
    return result


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    csat: CsatFigure
    issues: int


@dataclass(frozen=True)
class ActionPlanEffect:
    """An action plan and its category's figures for equal windows before and after ``effective_on``
    (``after`` None while the plan is not in effect yet)."""

    plan: ActionPlan
    before: Window
    after: Window | None

    @property
    def change_pts(self) -> Decimal | None:
        return None if self.after is None else change_points(self.after.csat.csat_pct, self.before.csat.csat_pct)

    @property
    def helped(self) -> bool | None:
        """CSAT up (or level) and issues down: yes; both the other way: no; else None (mixed or no data)."""
        change = self.change_pts
        if change is None or self.after is None:
            return None
        if change >= 0 and self.after.issues <= self.before.issues:
            return True
        if change < 0 and self.after.issues >= self.before.issues:
            return False
        return None


Bounds = tuple[datetime, datetime]


def action_plan_windows(plan: ActionPlan, *, now: datetime) -> tuple[Bounds, Bounds | None]:
    """(before, after) windows of a plan: after = ``FEEDBACK_ACTION_PLAN_WINDOW`` from
    ``effective_on`` (cut at ``now``), before = as long, just before it; not yet in effect: before
    is a whole window and after None."""
    effective = datetime(plan.effective_on.year, plan.effective_on.month, plan.effective_on.day, tzinfo=UTC)
    length = settings.FEEDBACK_ACTION_PLAN_WINDOW
    after_end = min(effective + length, now)
    if after_end <= effective:
        return (effective - length, effective), None
    return (effective - (after_end - effective), effective), (effective, after_end)


ACTION_PLANS_SHOWN = 20


def action_plans_for(period: Period) -> QuerySet[ActionPlan]:
    """The plans a period's report shows: not dropped, in effect by the period's end and at most a
    year before it, newest first."""
    return (
        ActionPlan.objects.select_related("owner")
        .exclude(status=ActionStatus.DROPPED)
        .filter(
            effective_on__lt=period.end.date(),
            effective_on__gte=(period.start - timedelta(days=366)).date(),
        )
        .order_by("-effective_on", "-id")[:ACTION_PLANS_SHOWN]
    )


def action_plan_effects(plans: Iterable[ActionPlan], *, now: datetime) -> list[ActionPlanEffect]:
    """Before/after figures of every plan in two statements (answers, entries) whatever the number
    of plans: one filtered count per plan and window. A plan with a keyword counts only the issues
    mentioning it; its CSAT is the whole category's."""
    plans = list(plans)
    if not plans:
        return []
    answer_figures: dict[str, Any] = {}
    entry_figures: dict[str, Any] = {}
    windows = {plan.pk: action_plan_windows(plan, now=now) for plan in plans}
    for plan in plans:
        before, after = windows[plan.pk]
        keyword_answer = Q(issues__icontains=plan.keyword) if plan.keyword else Q()
        keyword_entry = Q(body__icontains=plan.keyword) if plan.keyword else Q()
        for name, bounds in (("before", before), ("after", after)):
            if bounds is None:
                continue
            inside = Q(category=plan.category, created_at__gte=bounds[0], created_at__lt=bounds[1])
            answer_figures[f"p{plan.pk}_{name}_responses"] = Count("id", filter=inside)
            answer_figures[f"p{plan.pk}_{name}_satisfied"] = Count("id", filter=inside & Q(satisfied=True))
            answer_figures[f"p{plan.pk}_{name}_issues"] = Count(
                "id", filter=inside & issue_response_q() & keyword_answer
            )
            entry_figures[f"p{plan.pk}_{name}_issues"] = Count("id", filter=inside & issue_entry_q() & keyword_entry)
    answers = SurveyResponse.objects.aggregate(**answer_figures)
    entries = FeedbackEntry.objects.aggregate(**entry_figures)

    def window(plan: ActionPlan, name: str, bounds: Bounds) -> Window:
        prefix = f"p{plan.pk}_{name}"
        return Window(
            start=bounds[0],
            end=bounds[1],
            csat=CsatFigure(answers[f"{prefix}_responses"], answers[f"{prefix}_satisfied"]),
            issues=answers[f"{prefix}_issues"] + entries[f"{prefix}_issues"],
        )

    effects = []
    for plan in plans:
        before, after = windows[plan.pk]
        effects.append(
            ActionPlanEffect(
                plan=plan,
                before=window(plan, "before", before),
                after=None if after is None else window(plan, "after", after),
            )
        )
    return effects


@dataclass(frozen=True)
class FeedbackReport:
    """Everything the console's report page, its CSV and the report mails show."""

    csat: CsatReport
    trend: list[TrendPoint]
    response_rate: ResponseRate
    issues: list[IssueCount]
    recurring: list[RecurringIssue]
    feature_requests: list[FeatureRequest]
    resolution: list[ResolutionTime]
    action_plans: list[ActionPlanEffect]


def feedback_report(period: Period, *, now: datetime) -> FeedbackReport:
    """The whole report for a period: a constant number of statements (see the test)."""
    csat = csat_report(period)
    return FeedbackReport(
        csat=csat,
        trend=csat_trend(period),
        response_rate=response_rate(period, responses=csat.overall.current.responses),
        issues=issue_frequency(period, previous=csat.previous),
        recurring=recurring_issues(period, previous=csat.previous),
        feature_requests=feature_requests(period),
        resolution=resolution_time(period),
        action_plans=action_plan_effects(action_plans_for(period), now=now),
    )


def seller_csat(seller_id: int, *, now: datetime, months: int = TREND_MONTHS) -> tuple[CsatRow, list[TrendPoint]]:
    """A seller's CSAT this month (beside last month's) and its monthly trend: two statements.
    The caller has checked the seller is the user's."""
    today = now.astimezone(UTC)
    this_month = month_period(today.year, today.month)
    rows = SurveyResponse.objects.filter(seller_id=seller_id)
    return csat_overall(this_month, rows=rows), csat_trend(this_month, months=months, rows=rows)


@dataclass(frozen=True)
class VolumePoint:
    period: Period
    responses: int
    issues: int
    entries: int
    feature_requests: int


def feedback_trend(period: Period, *, months: int = TREND_MONTHS) -> list[VolumePoint]:
    """Per month for the ``months`` months ending with the period's last: survey answers, of them
    issues, feedback log entries and feature requests (entries + marked answers). Two statements."""
    window = trend_months(period, months)
    inside = Q(created_at__gte=window[0].start, created_at__lt=window[-1].end)
    month = TruncMonth("created_at", tzinfo=UTC)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    answers = (
        SurveyResponse.objects.filter(inside)
        .annotate(month=month)
        .values("month")
        .order_by()
        .annotate(
            answers=Count("id"),
            issue_answers=Count("id", filter=issue_response_q()),
            feature_answers=Count("id", filter=Q(is_feature_request=True)),
        )
    )
    for row in answers:
        label = row["month"].astimezone(UTC).strftime("%Y-%m")
        counts[label]["responses"] += row["answers"]
        counts[label]["issues"] += row["issue_answers"]
        counts[label]["feature_requests"] += row["feature_answers"]
    entries = (
        FeedbackEntry.objects.filter(inside)
        .annotate(month=month)
        .values("month")
        .order_by()
        .annotate(
            all_entries=Count("id"),
            issue_entries=Count("id", filter=issue_entry_q()),
            feature_entries=Count("id", filter=Q(kind=EntryKind.FEATURE_REQUEST)),
        )
    )
    for entry_row in entries:
        label = entry_row["month"].astimezone(UTC).strftime("%Y-%m")
        counts[label]["entries"] += entry_row["all_entries"]
        counts[label]["issues"] += entry_row["issue_entries"]
        counts[label]["feature_requests"] += entry_row["feature_entries"]
    return [
        VolumePoint(
            period=month_period_,
            responses=counts[month_period_.label]["responses"],
            issues=counts[month_period_.label]["issues"],
            entries=counts[month_period_.label]["entries"],
            feature_requests=counts[month_period_.label]["feature_requests"],
        )
        for month_period_ in window
    ]


REPORT_ROLES = frozenset({Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.ADMIN})


def user_may_see_feedback_reports(user: Any) -> bool:
    """Staff who read the Feedback & CSAT reports: support, moderators, finance and admins (the
    integration client does not; sellers see their own CSAT on their dashboard)."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or getattr(user, "role", None) in REPORT_ROLES)
    )
