"""What each staff group may do with help desk tickets (``accounts.services.roles``).

Support works tickets (reply, note, escalate, resolve, follow-up) and keeps the macros; the
departments a ticket is escalated to are staff groups of their own (``Department``: finance,
billing, logistics, technical) that work the tickets escalated to them; moderators read."""

_READ = [
    "helpdesk.view_ticket",
    "helpdesk.view_interaction",
    "helpdesk.view_followup",
    "helpdesk.view_macro",
    "helpdesk.view_article",
]
_WORK = [*_READ, "helpdesk.change_ticket", "helpdesk.add_interaction", "helpdesk.add_followup"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "support": [
        *_WORK,
        "helpdesk.add_macro",
        "helpdesk.change_macro",
        "helpdesk.add_article",
        "helpdesk.change_article",
    ],
    "moderator": _READ,
    "finance": _WORK,
    "billing": _WORK,
    "logistics": _WORK,
    "technical": _WORK,
}
