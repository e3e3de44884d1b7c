"""The console's impact report (``/admin/royalty/statement/impact/``): each affiliate's impact —
the rating, CSAT and response figures of what it promoted — beside its earnings for a month or a
quarter, sortable by any column, and as CSV (``?format=csv``).

Staff who read statements (support, moderators, finance, admins) see it. The figures are
``royalty.selectors.impact`` (generation's own). A bad period is said on the page (400)."""

import csv
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from core.exceptions import InvalidInput
from core.figures import percent_text
from core.periods import month_period, parse_period, shift_period
from royalty.models import AffiliateKind, Statement
from royalty.selectors.impact import DEFAULT_SORT, SORTS, ImpactRow, impact_report, impact_sort_key

COLUMNS = [
    ("name", "Affiliate"),
    ("kind", "Kind"),
    ("sales", "Sales"),
    ("sales_amount", "Sales amount"),
    ("rating", "Rating of what it promoted"),
    ("csat", "CSAT"),
    ("response_rate", "4-hour response rate"),
    ("earnings", "Earnings"),
]
CSV_HEADER = [
    "affiliate_id",
    "affiliate",
    "kind",
    "currency",
    "sales",
    "sales_amount",
    "rating",
    "reviews",
    "csat_pct",
    "csat_responses",
    "response_rate_pct",
    "inquiries",
    "earnings",
    "statement_status",
]


def _csv(rows: list[ImpactRow], label: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="royalty-impact-{label}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.affiliate_id,
                row.name,
                row.kind,
                row.currency,
                row.sales,
                row.sales_amount,
                "" if row.rating is None else row.rating,
                row.reviews,
                "" if row.csat is None else row.csat,
                row.csat_responses,
                "" if row.response_rate is None else row.response_rate,
                row.inquiries,
                "" if row.earnings is None else row.earnings,
                row.status or "",
            ]
        )
    return response


def impact_view(request: HttpRequest, *, admin_context: dict[str, Any]) -> HttpResponse:
    if not request.user.has_perm("royalty.view_statement"):
        raise PermissionDenied
    now = timezone.now()
    last_month = shift_period(month_period(now.year, now.month), -1)
    text = (request.GET.get("period") or "").strip() or last_month.label
    sort = request.GET.get("sort") or DEFAULT_SORT
    error = ""
    try:
        period = parse_period(period=text, date_from=None, date_to=None, now=now)
    except InvalidInput as invalid:
        error, period = str(invalid), None
    if period is not None and request.GET.get("format") == "csv":
        return _csv(impact_report(period=period, now=now, sort=sort), period.label)
    rows = impact_report(period=period, now=now, sort=sort) if period is not None else []
    field, descending = impact_sort_key(sort)
    headers = []
    for key, label in COLUMNS:
        toggled = f"-{key}" if key == field and not descending else key
        if key != field and key in ("sales", "sales_amount", "rating", "csat", "response_rate", "earnings"):
            toggled = f"-{key}"  # a figure column sorts highest first on the first click
        headers.append(
            {
                "label": label,
                "url": "?" + urlencode({"period": text, "sort": toggled}),
                "sorted": "descending" if key == field and descending else "ascending" if key == field else "",
                "numeric": key not in ("name", "kind"),
            }
        )
    kinds = dict(AffiliateKind.choices)
    periods = sorted(set(Statement.objects.order_by().values_list("period", flat=True).distinct()), reverse=True)
    context = {
        **admin_context,
        "title": "Affiliate impact and earnings",
        "period_text": text,
        "period": period,
        "periods": periods[:24] if periods else [last_month.label],
        "error": error,
        "headers": headers,
        "rows": [
            {
                "row": row,
                "kind": kinds.get(row.kind, row.kind),
                "csat": percent_text(row.csat),
                "response_rate": percent_text(row.response_rate) if row.kind == AffiliateKind.SELLER else "n/a",
            }
            for row in rows
        ],
        "csv_url": "?" + urlencode({"period": text, "sort": sort, "format": "csv"}),
        "sorts": sorted(SORTS),
    }
    return TemplateResponse(request, "admin/royalty/statement/impact.html", context, status=400 if error else 200)
