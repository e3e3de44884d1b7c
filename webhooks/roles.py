"""What each staff group may do with webhooks (``accounts.services.roles``).

Registering an endpoint sends records out of the platform, so it is an administrator's act (the
superuser holds every permission) and the integration client's for its own endpoints, limited to the
event types its role may read (``WEBHOOKS_INTEGRATION_EVENT_TYPES``). Support, moderators and
finance have no part in it."""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "integration": [
        "webhooks.view_endpoint",
        "webhooks.add_endpoint",
        "webhooks.change_endpoint",
        "webhooks.delete_endpoint",
        "webhooks.view_delivery",
    ],
}
