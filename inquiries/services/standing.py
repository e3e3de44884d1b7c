"""Seller standing: at the end of each quarter (beat) and on demand, every seller's response KPI
for the quarter decides a level, kept as a ``SellerStanding`` row with the figures it was made on.

- no counted inquiries → ``not_rated``;
- within-target % ≥ ``INQUIRIES_STANDING_BADGE_PCT`` → ``responsive`` (the "Responsive seller" badge);
- below ``INQUIRIES_STANDING_PENALTY_PCT`` in this quarter and the
  ``INQUIRIES_STANDING_PENALTY_QUARTERS - 1`` quarters before it → ``penalty`` (reduced visibility);
- otherwise below the badge → ``warning``, with concrete tips built from the figures.

A previous quarter's figure comes from its standing row when it was decided (the figures a
decision was made on are the record), else from the KPI selectors. One row per seller and quarter
(unique constraint): deciding again returns the row already there, so the sweep is idempotent.
Staff may override a level with a reason; the decided level and figures stay on the row.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Role, User
from accounts.selectors.users import user_has_permission
from core.durations import duration_words
from core.exceptions import Forbidden, InvalidInput
from core.periods import Period, parse_quarter, previous_quarter, quarter_of
from core.text import clean_text
from inquiries.models import Inquiry, SellerStanding, StandingLevel
from inquiries.notices import Kind
from inquiries.selectors.kpis import (
    BUSINESS_HOURS,
    NO_MISSES,
    CalendarFigures,
    MissedBreakdown,
    ResponseMetrics,
    calendar_figures,
    empty_metrics,
    missed_breakdown_by_seller,
    response_metrics_by_seller,
)
from marketplace.models import Seller
from marketplace.selectors.scoping import seller_members_by_seller
from notifications.services.bulk import Draft, notify_many

STANDING_LINK = "/seller/"


@dataclass(frozen=True)
class StandingAssessment:
    """What the figures of one seller and quarter earn (nothing written)."""

    period: str
    level: str
    metrics: ResponseMetrics
    tips: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProjectedStanding:
    """The standing a seller would get if the current quarter ended at ``as_of``."""

    period: str
    start: datetime
    end: datetime
    as_of: datetime
    level: str
    metrics: ResponseMetrics
    tips: list[str]


def _below_penalty(pct: Decimal | None) -> bool:
    return pct is not None and pct < Decimal(settings.INQUIRIES_STANDING_PENALTY_PCT)


def standing_level(*, metrics: ResponseMetrics, earlier_pcts: list[Decimal | None]) -> str:
    """The level for a quarter's figures; ``earlier_pcts`` are the within-target % of the quarters
    before it, most recent first (only the first ``PENALTY_QUARTERS - 1`` matter)."""
    pct = metrics.within_target_pct
    if pct is None:
        return StandingLevel.NOT_RATED
    if pct >= Decimal(settings.INQUIRIES_STANDING_BADGE_PCT):
        return StandingLevel.RESPONSIVE
    needed = settings.INQUIRIES_STANDING_PENALTY_QUARTERS - 1
    earlier = earlier_pcts[:needed]
    if _below_penalty(pct) and len(earlier) == needed and all(_below_penalty(value) for value in earlier):
        return StandingLevel.PENALTY
    return StandingLevel.WARNING


def standing_tips(*, level: str, metrics: ResponseMetrics, missed: MissedBreakdown) -> list[str]:
    """Concrete advice from the figures for a seller below the badge."""
    if level not in (StandingLevel.WARNING, StandingLevel.PENALTY):
        return []
    target_hours = duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    badge_pct = Decimal(settings.INQUIRIES_STANDING_BADGE_PCT)
    tips = [
        f"{metrics.answered_within_target} of your {metrics.inquiries} inquiries were answered within "
        f"{target_hours} ({metrics.within_target_pct} %); the target is {badge_pct} %."
    ]
    # The smallest number of extra on-time answers that would have reached the badge.
    needed = 0
    while (metrics.answered_within_target + needed) * 100 < badge_pct * metrics.inquiries:
        needed += 1
    if needed:
        tips.append(f"{needed} more answer{'s' if needed != 1 else ''} on time would have earned the badge.")
    median = metrics.median_first_response_seconds
    if median is not None and median > settings.INQUIRIES_RESPONSE_TARGET.total_seconds():
        tips.append(
            f"Your median first response took {duration_words(median)}: answer the oldest questions "
            f"first, and aim for well under {target_hours}."
        )
    if missed.missed_after_hours:
        opening, closing = BUSINESS_HOURS
        share = round(100 * missed.missed_after_hours / missed.missed) if missed.missed else 0
        tips.append(
            f"{missed.missed_after_hours} of your {missed.missed} late or missed inquiries ({share} %) arrived "
            f"outside {opening:02d}:00-{closing:02d}:00 UTC or at the weekend: share the inbox with another "
            "member, or check it once in the evening."
        )
    if metrics.escalated:
        tips.append(
            f"{metrics.escalated} inquir{'ies were' if metrics.escalated != 1 else 'y was'} escalated to support: "
            f"each is a buyer who waited more than {target_hours}."
        )
    unanswered = metrics.inquiries - metrics.answered
    if unanswered:
        tips.append(
            f"{unanswered} inquir{'ies' if unanswered != 1 else 'y'} got no answer at all: "
            "if a message needs no reply (a thank-you), mark it so instead of leaving it open."
        )
    tips.append("Use quick replies for the common questions (availability, shipping, returns).")
    tips.append("Turn on notifications so every new question reaches you by email at once.")
    return tips


def _earlier_pcts(*, seller_ids: list[int], quarter: Period, now: datetime) -> dict[int, list[Decimal | None]]:
    """Per seller, the within-target % of the quarters before ``quarter``, most recent first: the
    decided rows' figures, else the KPI selectors' (one query per earlier quarter, not per seller)."""
    result: dict[int, list[Decimal | None]] = {seller_id: [] for seller_id in seller_ids}
    for earlier in _earlier_quarters(quarter):
        decided = dict(
            SellerStanding.objects.filter(period=earlier.label, seller_id__in=seller_ids).values_list(
                "seller_id", "within_target_pct"
            )
        )
        missing = [seller_id for seller_id in seller_ids if seller_id not in decided]
        computed = (
            response_metrics_by_seller(seller_ids=missing, start=earlier.start, end=earlier.end, now=now)
            if missing
            else {}
        )
        for seller_id in seller_ids:
            if seller_id in decided:
                result[seller_id].append(decided[seller_id])
            else:
                result[seller_id].append(computed.get(seller_id, empty_metrics()).within_target_pct)
    return result


def _assess_many(*, seller_ids: list[int], quarter: Period, now: datetime) -> dict[int, StandingAssessment]:
    metrics = response_metrics_by_seller(seller_ids=seller_ids, start=quarter.start, end=quarter.end, now=now)
    missed = missed_breakdown_by_seller(seller_ids=seller_ids, start=quarter.start, end=quarter.end, now=now)
    earlier = _earlier_pcts(seller_ids=seller_ids, quarter=quarter, now=now)
    assessments = {}
    for seller_id in seller_ids:
        figures = metrics.get(seller_id, empty_metrics())
        level = standing_level(metrics=figures, earlier_pcts=earlier[seller_id])
        assessments[seller_id] = StandingAssessment(
            period=quarter.label,
            level=level,
            metrics=figures,
            tips=standing_tips(level=level, metrics=figures, missed=missed.get(seller_id, NO_MISSES)),
        )
    return assessments


def _row(*, seller_id: int, assessment: StandingAssessment, now: datetime) -> SellerStanding:
    return SellerStanding(
        seller_id=seller_id,
        period=assessment.period,
        level=assessment.level,
        inquiries=assessment.metrics.inquiries,
        answered_within_target=assessment.metrics.answered_within_target,
        within_target_pct=assessment.metrics.within_target_pct,
        tips="\n".join(assessment.tips),
        decided_at=now,
    )


def _drafts(standings: list[SellerStanding], *, names: dict[int, str]) -> list[Draft]:
    members = seller_members_by_seller([standing.seller_id for standing in standings])
    drafts = []
    for standing in standings:
        if standing.level == StandingLevel.NOT_RATED:
            continue  # nothing to tell a seller without inquiries
        label = StandingLevel(standing.level).label
        pct = "no figure" if standing.within_target_pct is None else f"{standing.within_target_pct} % within target"
        title = f"{names.get(standing.seller_id, 'Your store')}: {label} for {standing.period} ({pct})"
        for member in members.get(standing.seller_id, []):
            drafts.append(
                Draft(recipient=member, kind=Kind.SELLER_STANDING, title=title, body=standing.tips, link=STANDING_LINK)
            )
    return drafts


def _check_quarter_over(quarter: Period, *, now: datetime) -> None:
    if quarter.end > now:
        raise InvalidInput(
            f"{quarter.label} is not over yet: see the projected standing instead.",
            code="quarter_not_over",
            field="quarter",
        )


def standing_decide(*, seller: Seller, quarter: str, now: datetime) -> SellerStanding:
    """Decide one seller's standing for a finished quarter (``2026-Q3``); the row already there if
    it was decided before (idempotent, backed by the unique constraint). Members are notified once."""
    period = parse_quarter(quarter, field="quarter")
    _check_quarter_over(period, now=now)
    existing = SellerStanding.objects.filter(seller=seller, period=period.label).first()
    if existing is not None:
        return existing
    assessment = _assess_many(seller_ids=[seller.pk], quarter=period, now=now)[seller.pk]
    standing = _row(seller_id=seller.pk, assessment=assessment, now=now)
    try:
        with transaction.atomic():
            standing.save()
            notify_many(drafts=_drafts([standing], names={seller.pk: seller.name}))
    except IntegrityError:
        # Decided at the same moment by another process: theirs is the decision.
        return SellerStanding.objects.get(seller=seller, period=period.label)
    return standing


def standings_decide_quarter(*, quarter: str, now: datetime, batch_size: int = 1000) -> dict[str, int]:
    """Decide every seller's standing for a finished quarter, in batches of sellers: per batch a
    handful of grouped queries (KPIs, missed breakdown, earlier quarters), one INSERT and one
    notification INSERT. Sellers already decided are skipped, so running it again changes nothing.
    Active sellers without counted inquiries get ``not_rated`` (not notified)."""
    period = parse_quarter(quarter, field="quarter")
    _check_quarter_over(period, now=now)
    summary = {"decided": 0, "already_decided": 0, "notified": 0}
    opened_in_quarter = Inquiry.objects.filter(awaiting_since__gte=period.start, awaiting_since__lt=period.end)
    candidates = (
        Seller.objects.filter(Q(is_active=True) | Q(pk__in=opened_in_quarter.values("seller_id")))
        .exclude(pk__in=SellerStanding.objects.filter(period=period.label).values("seller_id"))
        .order_by("id")
        .values_list("id", "name")
    )
    summary["already_decided"] = SellerStanding.objects.filter(period=period.label).count()
    last_id = 0
    while True:
        batch = list(candidates.filter(id__gt=last_id)[:batch_size])
        if not batch:
            break
        last_id = batch[-1][0]
        names = dict(batch)
        assessments = _assess_many(seller_ids=list(names), quarter=period, now=now)
        with transaction.atomic():
            rows = [_row(seller_id=seller_id, assessment=assessments[seller_id], now=now) for seller_id in names]
            # ignore_conflicts: a seller decided meanwhile (on demand, or a second sweep) keeps its row.
            SellerStanding.objects.bulk_create(rows, ignore_conflicts=True)
            created = list(SellerStanding.objects.filter(period=period.label, seller_id__in=names, decided_at=now))
            summary["decided"] += len(created)
            summary["notified"] += notify_many(drafts=_drafts(created, names=names))
    return summary


def projection_quarters() -> int:
    """How many quarters a projection reads: the current one and those the penalty looks back on."""
    return max(settings.INQUIRIES_STANDING_PENALTY_QUARTERS, 1)


def _earlier_quarters(quarter: Period) -> list[Period]:
    """The quarters before ``quarter`` whose figures the penalty looks at, most recent first."""
    earlier = []
    for _ in range(settings.INQUIRIES_STANDING_PENALTY_QUARTERS - 1):
        quarter = previous_quarter(quarter)
        earlier.append(quarter)
    return earlier


def _assess_from_figures(
    *, seller_id: int, quarter: Period, figures: CalendarFigures, decided: Mapping[str, Decimal | None] | None
) -> StandingAssessment:
    """``_assess_many`` for one seller whose quarters' figures are already read: the earlier
    quarters' decided rows in one query unless ``decided`` (by period label) is given."""
    current = figures.figures(start=quarter.start, end=quarter.end)
    earlier = _earlier_quarters(quarter)
    if decided is None:
        decided = (
            dict(
                SellerStanding.objects.filter(
                    seller_id=seller_id, period__in=[period.label for period in earlier]
                ).values_list("period", "within_target_pct")
            )
            if earlier
            else {}
        )
    earlier_pcts = [
        decided[period.label]
        if period.label in decided
        else figures.metrics(start=period.start, end=period.end).within_target_pct
        for period in earlier
    ]
    level = standing_level(metrics=current.metrics, earlier_pcts=earlier_pcts)
    return StandingAssessment(
        period=quarter.label,
        level=level,
        metrics=current.metrics,
        tips=standing_tips(level=level, metrics=current.metrics, missed=current.missed),
    )


def standing_project(
    *,
    seller: Seller,
    now: datetime,
    figures: CalendarFigures | None = None,
    decided: Mapping[str, Decimal | None] | None = None,
) -> ProjectedStanding:
    """What the seller would get if the current quarter ended at ``now`` (no row written): two
    queries, the figures and the earlier quarters' decisions. The seller dashboard, which reads
    both for itself anyway, passes them: ``figures`` (``calendar_figures`` of the seller at
    ``now`` with at least ``projection_quarters()`` quarters) and ``decided`` (the within-target %
    of the seller's decided quarters by label, ``seller_standing_decisions``)."""
    period = quarter_of(now)
    if figures is None:
        figures = calendar_figures(seller_id=seller.pk, months=0, quarters=projection_quarters(), now=now)
    assessment = _assess_from_figures(seller_id=seller.pk, quarter=period, figures=figures, decided=decided)
    return ProjectedStanding(
        period=period.label,
        start=period.start,
        end=period.end,
        as_of=now,
        level=assessment.level,
        metrics=assessment.metrics,
        tips=assessment.tips,
    )


def user_may_override_standing(user: User) -> bool:
    """Moderators and admins (or anyone given ``inquiries.change_sellerstanding``)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(
        user.is_superuser or user.role == Role.MODERATOR or user_has_permission(user, "inquiries.change_sellerstanding")
    )


def standing_override(
    *, standing: SellerStanding, level: str, reason: str, actor: User, now: datetime
) -> SellerStanding:
    """Staff set a different level with a reason; the decided level and its figures stay on the
    row beside the override. The seller's members are told."""
    if not user_may_override_standing(actor):
        raise Forbidden("Only moderators and admins can override a standing.")
    if level not in StandingLevel.values:
        raise InvalidInput(f"Choose one of: {', '.join(StandingLevel.values)}.", code="invalid_choice", field="level")
    reason = clean_text(reason, field="reason", max_length=2000, blank_message="Say why the standing is overridden.")
    with transaction.atomic():
        locked = SellerStanding.objects.select_for_update().select_related("seller").get(pk=standing.pk)
        locked.overridden_level = level
        locked.override_reason = reason
        locked.overridden_by = actor
        locked.overridden_at = now
        locked.save(update_fields=["overridden_level", "override_reason", "overridden_by", "overridden_at"])
        members = seller_members_by_seller([locked.seller_id]).get(locked.seller_id, [])
        title = f"{locked.seller.name}: your standing for {locked.period} is now {StandingLevel(level).label}"
        notify_many(
            drafts=[
                Draft(
                    recipient=member,
                    kind=Kind.SELLER_STANDING,
                    title=title,
                    body=f"Reviewed by our team: {reason}",
                    link=STANDING_LINK,
                )
                for member in members
            ]
        )
    standing.refresh_from_db()
    return standing


def exclusion_flags_mark_reviewed(*, flag_ids: list[int], actor: User, now: datetime) -> int:
    """Moderators mark exclusion flags reviewed; a flag already reviewed keeps its first review."""
    from inquiries.models import ExclusionFlag

    return ExclusionFlag.objects.filter(pk__in=flag_ids, reviewed_at__isnull=True).update(
        reviewed_at=now, reviewed_by=actor
    )
