"""The support queue: who works escalations, and assigning them. Called identically by the API
(``POST /api/v1/escalations/<id>/assign/``) and the console's "assign to me" action.

Escalations are created by the sweep (``inquiries.services.sweep``) and resolved by the messaging
services (a staff or seller reply, an exclusion, the conversation's close); this module only moves
the assignee.
"""

from datetime import datetime

from django.db import transaction

from accounts.models import Role, User
from core.exceptions import Forbidden, InvalidInput, StateConflict
from inquiries.models import ConversationEvent, Escalation

# Staff roles that work the support queue. Other staff (finance, integration) may read it; a
# user granted ``inquiries.change_escalation`` directly (or through a group) may work it too.
QUEUE_ROLES = frozenset({Role.SUPPORT, Role.MODERATOR, Role.ADMIN})
WORK_PERMISSION = "inquiries.change_escalation"


def user_may_work_escalations(user: User | None) -> bool:
    """Support agents, moderators, admins and holders of ``inquiries.change_escalation``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or user.role in QUEUE_ROLES or user.has_perm(WORK_PERMISSION))


def escalation_assign(*, escalation: Escalation, assignee: User | None, actor: User, now: datetime) -> Escalation:
    """Give an open escalation to a staff member who works the queue (``assignee=None`` takes it
    back to the unassigned pile). Re-assigning to the current assignee changes nothing and writes
    no event, so a double click or a retried request is harmless. Audited as ``ASSIGNED``."""
    if not user_may_work_escalations(actor):
        raise Forbidden("Only support staff can assign escalations.")
    if assignee is not None and not user_may_work_escalations(assignee):
        raise InvalidInput("This user does not work the support queue.", code="not_support_staff", field="assignee")
    with transaction.atomic():
        locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if locked.resolved_at is not None:
            raise StateConflict("This escalation is already resolved.", code="escalation_resolved")
        assignee_id = assignee.pk if assignee is not None else None
        if locked.assignee_id == assignee_id:
            escalation.refresh_from_db()
            return escalation
        previous = locked.assignee_id
        Escalation.objects.filter(pk=locked.pk).update(assignee=assignee, assigned_at=now if assignee else None)
        if assignee is None:
            note = f"unassigned (was user {previous})"
        elif previous is None:
            note = f"assigned to {assignee.username}"
        else:
            note = f"reassigned to {assignee.username} (was user {previous})"
        ConversationEvent.objects.create(
            conversation_id=locked.conversation_id,
            inquiry_id=locked.inquiry_id,
            kind=ConversationEvent.Kind.ASSIGNED,
            actor=actor,
            note=note,
            created_at=now,
        )
    escalation.refresh_from_db()
    return escalation
