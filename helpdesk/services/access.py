"""Who may do what with tickets (the services' guards; the API and console ask the same)."""

from accounts.models import User
from accounts.selectors.users import user_has_permission

WORK_PERMISSION = "helpdesk.change_ticket"
VIEW_PERMISSION = "helpdesk.view_ticket"


def user_may_work_tickets(user: User) -> bool:
    """Support and the departments' staff (and admins): reply, note, escalate, resolve, follow up."""
    return user_has_permission(user, WORK_PERMISSION)


def user_sees_all_tickets(user: User) -> bool:
    return user_has_permission(user, VIEW_PERMISSION)
