"""How each app shows its resources in an event's body: "the resource as the API shows it".

``webhooks`` sits below the apps that record events and imports none of them, so rendering is a
registry filled by discovery, like ``core.timeline``: every installed app may have a
``webhook_resources`` module with

    RESOURCES: dict[str, Callable[[Sequence[int]], dict[int, dict]]]

mapping a ``resource_type`` (``webhooks.models.EVENT_RESOURCE_TYPES``) to a function that takes a
batch of ids and returns each one's representation, built with the app's own API serializer (as a
staff user reads it through the API, never with staff-only internals such as ticket notes) in a
constant number of statements for the batch. An id that no longer exists is simply absent: the
event then carries ``{"id": <id>, "deleted": true}``.
"""

from collections.abc import Callable, Sequence
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

RESOURCES_MODULE = "webhook_resources"

Renderer = Callable[[Sequence[int]], dict[int, dict[str, Any]]]


@cache
def resource_renderers() -> dict[str, Renderer]:
    renderers: dict[str, Renderer] = {}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, RESOURCES_MODULE):
            continue
        module = import_module(f"{config.name}.{RESOURCES_MODULE}")
        for resource_type, renderer in module.RESOURCES.items():
            if resource_type in renderers:
                raise ValueError(f"webhook resource {resource_type!r} is rendered by two apps")
            renderers[resource_type] = renderer
    return renderers


def render_resources(resource_type: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each id's representation (``{"id": id, "deleted": true}`` for one that is gone)."""
    renderer = resource_renderers().get(resource_type)
    rendered = renderer(ids) if renderer is not None else {}
    return {pk: rendered.get(pk) or {"id": pk, "deleted": True} for pk in ids}
