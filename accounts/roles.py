"""Staff roles are Django groups with permissions; this module is their one definition.

``ROLE_PERMISSIONS`` says what each staff group may do. The data migrations call
``sync_role_groups`` (with the historical ``apps``), so a fresh database gets the groups, and a
later app that adds permissions adds them here and ships a migration calling it again.
"""

from typing import Any

from accounts.models import Role, User

STAFF_ROLES = frozenset({Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.INTEGRATION})
GROUP_NAMES = {
    Role.SUPPORT: "support",
    Role.MODERATOR: "moderator",
    Role.FINANCE: "finance",
    Role.INTEGRATION: "integration",
}

_MARKETPLACE_MODELS = [
    "seller",
    "sellermembership",
    "product",
    "order",
    "orderitem",
    "orderevent",
    "shipment",
    "trackingevent",
    "invoice",
    "invoiceline",
    "payment",
    "refund",
    "paymentevent",
    "receipt",
    "receiptdelivery",
]
_VIEW_MARKETPLACE = [f"marketplace.view_{model}" for model in _MARKETPLACE_MODELS]

# Support works the escalated inquiries: reads the conversations, their messages, the inquiry
# ledger and the history, and works the queue (``change_escalation``: assign, reply, close).
_SUPPORT_INQUIRIES = [
    "inquiries.view_conversation",
    "inquiries.view_message",
    "inquiries.view_inquiry",
    "inquiries.view_conversationevent",
    "inquiries.view_escalation",
    "inquiries.change_escalation",
]
# Moderators also watch the sellers: standings, exclusion flags (marked reviewed), and they
# maintain the platform's starter quick replies.
_MODERATOR_INQUIRIES = [
    *_SUPPORT_INQUIRIES,
    "inquiries.view_sellerstanding",
    "inquiries.view_exclusionflag",
    "inquiries.change_exclusionflag",
    "inquiries.view_replytemplate",
    "inquiries.add_replytemplate",
    "inquiries.change_replytemplate",
    "inquiries.delete_replytemplate",
]

# Support reads reviews, responds to them as staff and works review cases (reassign, restore,
# remove, resolve); moderators also moderate reviews and seller responses (strikes), and manage the
# platform's response templates.
_SUPPORT_REVIEWS = [
    "reviews.view_review",
    "reviews.view_reviewresponse",
    "reviews.add_reviewresponse",
    "reviews.view_reviewevent",
    "reviews.view_recoveryfollowup",
    "reviews.view_reviewcase",
    "reviews.change_reviewcase",
    "reviews.view_reviewcaseevent",
    "reviews.view_responsetemplate",
    "reviews.view_productrating",
    "reviews.view_sellerrating",
]
_MODERATOR_REVIEWS = [
    *_SUPPORT_REVIEWS,
    "reviews.change_review",
    "reviews.change_reviewresponse",
    "reviews.view_sellerstrike",
    "reviews.add_responsetemplate",
    "reviews.change_responsetemplate",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "support": [
        *_VIEW_MARKETPLACE,
        "accounts.view_user",
        "marketplace.resend_receipt",
        "notifications.view_notification",
        *_SUPPORT_INQUIRIES,
        *_SUPPORT_REVIEWS,
    ],
    "moderator": [*_VIEW_MARKETPLACE, "accounts.view_user", *_MODERATOR_INQUIRIES, *_MODERATOR_REVIEWS],
    "finance": [
        *_VIEW_MARKETPLACE,
        "accounts.view_user",
        "marketplace.add_invoice",
        "marketplace.reissue_invoice",
        "marketplace.add_payment",
        "marketplace.change_payment",
        "marketplace.add_refund",
        "marketplace.resend_receipt",
    ],
    # The API client of another system: pushes users, sellers, products, orders, shipments,
    # invoices and payments in; reads everything it pushed.
    "integration": [
        *_VIEW_MARKETPLACE,
        "accounts.view_user",
        "accounts.add_user",
        "marketplace.add_seller",
        "marketplace.add_product",
        "marketplace.change_product",
        "marketplace.add_order",
        "marketplace.change_order",
        "marketplace.add_shipment",
        "marketplace.add_trackingevent",
        "marketplace.add_invoice",
        "marketplace.reissue_invoice",
        "marketplace.add_payment",
        "marketplace.change_payment",
        "marketplace.add_refund",
        "marketplace.resend_receipt",
    ],
}


def sync_role_groups(apps: Any) -> None:
    """Create the staff groups and give each exactly the permissions listed above."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group_name, permission_names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        wanted = []
        for name in permission_names:
            app_label, codename = name.split(".")
            permission = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def is_staff_member(user: User) -> bool:
    """Platform staff (support, moderator, finance, integration) and admins see across tenants."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def user_has_permission(user: User, permission: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(permission))
