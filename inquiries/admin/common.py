"""Building blocks shared by the inquiries pages of the console (``inquiries.admin``).

Conversations, messages, inquiries, escalations and their events are written only by the
messaging services and the sweep: the console shows them read-only, for everyone, superusers
included, and changes them through actions and forms that call those services.
"""

from inquiries.models import ConversationStatus

OPEN_CONVERSATION_STATUSES = (ConversationStatus.AWAITING_REPLY, ConversationStatus.ESCALATED)
