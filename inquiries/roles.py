"""What each staff group may do with buyer-seller messaging (``accounts.services.roles``)."""

# Support works the escalated inquiries: reads the conversations, their messages, the inquiry
# ledger and the history, and works the queue (``change_escalation``: assign, reply, close).
_SUPPORT = [
    "inquiries.view_conversation",
    "inquiries.view_message",
    "inquiries.view_inquiry",
    "inquiries.view_conversationevent",
    "inquiries.view_escalation",
    "inquiries.change_escalation",
]
# Moderators also watch the sellers: standings, exclusion flags (marked reviewed), and they
# maintain the platform's starter quick replies.
_MODERATOR = [
    *_SUPPORT,
    "inquiries.view_sellerstanding",
    "inquiries.view_exclusionflag",
    "inquiries.change_exclusionflag",
    "inquiries.view_replytemplate",
    "inquiries.add_replytemplate",
    "inquiries.change_replytemplate",
    "inquiries.delete_replytemplate",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {"support": _SUPPORT, "moderator": _MODERATOR}
