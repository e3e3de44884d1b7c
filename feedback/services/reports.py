"""Writes of the reports side: action plans (kept by staff in the console) and the report sweep
(alerts to category owners, the monthly and quarterly report mails)."""

from datetime import datetime
from typing import Any

from django.db import transaction

from core.exceptions import InvalidInput
from feedback.models import ActionPlan, ActionStatus, Category

ACTION_PLAN_FIELDS = ("category", "keyword", "title", "what_changes", "owner", "due_on", "effective_on", "status")


def _check_plan(*, category: str, title: str, what_changes: str, status: str) -> None:
    if category not in Category.values:
        raise InvalidInput("Choose one of the six categories.", code="invalid", field="category")
    if not title.strip():
        raise InvalidInput("Say what the action is.", code="required", field="title")
    if not what_changes.strip():
        raise InvalidInput("Say what changes.", code="required", field="what_changes")
    if status not in ActionStatus.values:
        raise InvalidInput("Unknown status.", code="invalid", field="status")


@transaction.atomic
def action_plan_create(*, actor: Any, now: datetime, **fields: Any) -> ActionPlan:
    """Record an action against a category (optionally one recurring issue, ``keyword``)."""
    data = {name: fields[name] for name in ACTION_PLAN_FIELDS if name in fields}
    data.setdefault("keyword", "")
    data.setdefault("status", ActionStatus.PLANNED)
    data["keyword"] = data["keyword"].strip().lower()
    _check_plan(
        category=data["category"],
        title=data["title"],
        what_changes=data["what_changes"],
        status=data["status"],
    )
    return ActionPlan.objects.create(**data, created_by=actor, created_at=now, updated_at=now)


@transaction.atomic
def action_plan_update(*, plan: ActionPlan, actor: Any, now: datetime, **fields: Any) -> ActionPlan:
    """Change an action plan (its status as work goes on, the day it took effect, ...)."""
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    for name in ACTION_PLAN_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.keyword = locked.keyword.strip().lower()
    _check_plan(
        category=locked.category,
        title=locked.title,
        what_changes=locked.what_changes,
        status=locked.status,
    )
    locked.updated_at = now
    locked.save()
    return locked
