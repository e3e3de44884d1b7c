"""The console's review metrics report (``/admin/reviews/review/metrics/``): issue 5's figures for
the platform or one seller, for a month or a quarter, with the sellers ranked worst first.

The figures are ``reviews.selectors.metrics`` (the API's and the seller dashboard's definitions) and
the periods ``core.periods`` (the API's ``period`` parameter: ``2026-11``, ``2026-Q4``, or
``from``/``to``; default the last full month, which has data all month long, unlike the current
one). Every count links to the console list of exactly those
rows where a list filter can say so. A bad period or seller id is said on the page (400, 404);
nothing is computed then.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from core.durations import duration_text
from core.exceptions import InvalidInput
from core.figures import percent_text
from core.ids import parse_id
from core.periods import (
    Period,
    last_full_month,
    month_period,
    parse_period,
    period_menu,
    period_navigation,
    period_title,
)
from marketplace.models import Seller
from reviews.charts import TREND_MONTHS, review_trend_chart
from reviews.models import ResponseStatus, Review
from reviews.selectors.metrics import (
    BANDS,
    BandMetrics,
    ReviewMetrics,
    review_metrics,
    review_metrics_by_seller,
    review_monthly_series,
)
from reviews.services.access import user_may_see_review_metrics_report

SELLERS_RANKED = 25  # rows of the sellers table; the page says how many sellers there are in all
BAND_LABELS = {
    "negative": f"Negative (1-{settings.REVIEWS_NEGATIVE_MAX_RATING}★)",
    "neutral": "Neutral (3★)",
    "positive": "Positive (4-5★)",
}


class SellerForm(forms.Form):
    """Only renders the seller picker (Django's admin autocomplete over the sellers' search
    fields); the view parses the ``seller`` parameter itself so each mistake has its own message."""

    seller = forms.ModelChoiceField(
        label="Seller",
        queryset=Seller.objects.all(),
        required=False,
        widget=AutocompleteSelect(
            Review._meta.get_field("seller"),
            admin.site,
            attrs={"data-placeholder": "All sellers (platform-wide)", "style": "width: 22em"},
        ),
    )


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    url: str | None = None
    help: str = ""
    tone: str = ""


def _seller_id(text: str) -> int:
    seller_id = parse_id(text)
    if seller_id is None:
        raise InvalidInput("Choose a seller from the list (a seller's id).", code="invalid", field="seller")
    return seller_id


class _Links:
    """Console list URLs for a period and an optional seller; None where the user may not open the list."""

    def __init__(self, request: HttpRequest, *, period: Period, seller: Seller | None) -> None:
        self.user = request.user
        self.period = period
        self.seller = seller

    def changelist(self, model_name: str, *, in_period: bool = False, **params: Any) -> str | None:
        if not (self.user.has_perm(f"reviews.view_{model_name}") or self.user.has_perm(f"reviews.change_{model_name}")):
            return None
        query: dict[str, Any] = {}
        if in_period:
            query["created_at__gte"] = self.period.start.isoformat()
            query["created_at__lt"] = self.period.end.isoformat()
        if self.seller is not None:
            query["seller"] = self.seller.pk
        query.update(params)
        return f"{reverse(f'admin:reviews_{model_name}_changelist')}?{urlencode(query)}"


def _band_filter(band: str) -> dict[str, int]:
    negative_max = settings.REVIEWS_NEGATIVE_MAX_RATING
    if band == "negative":
        return {"rating__lte": negative_max}
    if band == "neutral":
        return {"rating__gt": negative_max, "rating__lte": 3}
    if band == "positive":
        return {"rating__gt": 3}
    return {}


def _band_row(label: str, band: str, figures: BandMetrics, links: _Links) -> dict[str, Any]:
    return {
        "label": label,
        "band": band,
        "reviews": figures.reviews,
        "reviews_url": links.changelist("review", in_period=True, **_band_filter(band)),
        "responded": figures.responded,
        "responded_url": links.changelist("review", in_period=True, responded="yes", **_band_filter(band)),
        "response_rate": percent_text(figures.response_rate_pct),
        "median": duration_text(figures.median_response_seconds),
        "within": figures.answered_within_target,
        "within_pct": percent_text(figures.within_target_pct),
    }


def _open_work(metrics: ReviewMetrics, links: _Links) -> list[Figure]:
    oldest = metrics.oldest_open_case_age_seconds
    return [
        Figure(
            "Open negative reviews",
            str(metrics.open_negative_reviews),
            links.changelist("review", needs_response="negative"),
            "Published, 1-2★, no response yet (now).",
            "warning" if metrics.open_negative_reviews else "",
        ),
        Figure(
            "Of those, escalated",
            str(metrics.escalated_open),
            links.changelist("review", needs_response="negative", escalated="unanswered"),
            "Past the escalation deadline, with senior support (now).",
            "alert" if metrics.escalated_open else "",
        ),
        Figure(
            "Responses awaiting moderation",
            str(metrics.pending_moderation),
            links.changelist("reviewresponse", status__exact=ResponseStatus.PENDING_MODERATION),
            "Flagged by the standards check, held until a moderator decides (now).",
            "warning" if metrics.pending_moderation else "",
        ),
        Figure(
            "Flagged responses",
            str(metrics.flagged_responses),
            links.changelist("reviewresponse", in_period=True, flagged__exact=1),
            "Responses written in the period that the standards check flagged.",
        ),
        Figure(
            "Strikes",
            str(metrics.strikes),
            links.changelist("sellerstrike", in_period=True),
            "Violations upheld by moderators in the period.",
        ),
        Figure(
            "Open review cases",
            str(metrics.open_cases),
            links.changelist("reviewcase", status__exact="open"),
            "Missing reviews, wrong product, incorrect content (now), oldest first.",
            "warning" if metrics.open_cases else "",
        ),
        Figure(
            "Oldest open case",
            duration_text(oldest),
            None,
            "How long the customer who has waited longest has waited (now).",
            "alert" if oldest is not None and oldest > settings.REVIEWS_ESCALATE_AFTER.total_seconds() else "",
        ),
    ]


def _period_link(url: str, seller: Seller | None) -> Callable[[Period], str]:
    def link(target: Period) -> str:
        query: dict[str, Any] = {"period": target.label}
        if seller is not None:
            query["seller"] = seller.pk
        return f"{url}?{urlencode(query)}"

    return link


def review_metrics_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not user_may_see_review_metrics_report(request.user):
        raise PermissionDenied
    now = timezone.now()
    url = reverse("admin:reviews_review_metrics")
    params = request.GET
    errors: list[str] = []
    status = 200
    try:
        period = parse_period(
            period=params.get("period"), date_from=params.get("from"), date_to=params.get("to"), now=now
        )
        if not any((params.get(name) or "").strip() for name in ("period", "from", "to")):
            period = last_full_month(now)
    except InvalidInput as error:
        errors.append(f"Period: {error.message}")
        status = 400
        period = month_period(now.astimezone(UTC).year, now.astimezone(UTC).month)
    seller: Seller | None = None
    seller_text = (params.get("seller") or "").strip()
    if seller_text:
        try:
            seller = Seller.objects.filter(pk=_seller_id(seller_text)).first()
        except InvalidInput as error:
            errors.append(f"Seller: {error.message}")
            status = 400
        else:
            if seller is None:
                errors.append(f"Seller: there is no seller with id {seller_text}.")
                status = status if status != 200 else 404
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "opts": Review._meta,
        "title": "Review metrics",
        "errors": errors,
        "period": period,
        "period_title": period_title(period),
        "period_menu": period_menu(period, now),
        "navigation": period_navigation(period, now=now, link=_period_link(url, seller)),
        "seller": seller,
        "platform_url": f"{url}?{urlencode({'period': period.label})}",
        "now": now,
        "negative_target": duration_text(settings.REVIEWS_NEGATIVE_RESPONSE_TARGET.total_seconds()),
        "other_target": duration_text(settings.REVIEWS_RESPONSE_TARGET.total_seconds()),
    }
    form = SellerForm(initial={"seller": seller})
    context["seller_form"] = form
    context["media"] = model_admin.media + form.media
    if not errors:
        links = _Links(request, period=period, seller=seller)
        metrics = review_metrics(seller_id=seller.pk if seller else None, start=period.start, end=period.end, now=now)
        context["bands"] = [
            *(_band_row(BAND_LABELS[band], band, metrics.by_band[band], links) for band in BANDS),
            _band_row("All reviews", "total", metrics.total, links),
        ]
        context["open_work"] = _open_work(metrics, links)
        series = review_monthly_series(seller_id=seller.pk if seller else None, months=TREND_MONTHS, now=now)
        whose = seller.name if seller else "platform-wide"
        context["trend_chart"] = review_trend_chart(
            series, title=f"Reviews answered within target, {whose}, last {TREND_MONTHS} months"
        )
        if seller is None:
            ranked, sellers_counted = review_metrics_by_seller(
                start=period.start, end=period.end, now=now, limit=SELLERS_RANKED
            )
            context["show_ranking"] = True
            context["sellers_counted"] = sellers_counted
            context["ranked"] = [
                {
                    "seller": row.seller,
                    "url": f"{url}?{urlencode({'period': period.label, 'seller': row.seller.pk})}",
                    "metrics": row.metrics,
                    "response_rate": percent_text(row.metrics.total.response_rate_pct),
                    "within_pct": percent_text(row.metrics.total.within_target_pct),
                    "median": duration_text(row.metrics.total.median_response_seconds),
                    "oldest_case": duration_text(row.metrics.oldest_open_case_age_seconds),
                    "open_negative_url": _Links(request, period=period, seller=row.seller).changelist(
                        "review", needs_response="negative"
                    ),
                }
                for row in ranked
            ]
    return TemplateResponse(request, "admin/reviews/review/metrics.html", context, status=status)
