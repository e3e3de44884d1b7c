"""The OpenAPI schema's shape for /api/docs/: operations grouped by area, each with a summary.

drf-spectacular's default tag is the first path segment, which is "v1" for every route here. The tag
is the area instead: the ``verbose_name`` of the app the view belongs to ("Marketplace records",
"Buyer-seller messaging"...), found from the view's module, so core names no app. An operation without
an explicit ``extend_schema(summary=...)`` gets the first clause of its description ("Record a carrier
scan"), or else one from its action and resource ("List invoices", "Seller response metrics").
"""

import re

from django.apps import apps
from drf_spectacular.openapi import AutoSchema

SUMMARY_MAX_LENGTH = 90
_VERBS = {
    "list": "List {plural}",
    "retrieve": "Get one {singular}",
    "create": "Create {article} {singular}",
    "update": "Replace {article} {singular}",
    "partial_update": "Update {article} {singular}",
    "destroy": "Delete {article} {singular}",
}


def _words(name: str) -> str:
    """``ReviewResponseViewSet`` → ``review response``; ``send_receipt`` → ``send receipt``."""
    name = re.sub(r"(ViewSet|Api|APIView|View)$", "", name)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").strip().lower()


def _plural(noun: str) -> str:
    if noun.endswith("y") and not noun.endswith(("ay", "ey", "oy")):
        return noun[:-1] + "ies"
    return noun if noun.endswith("s") else noun + "s"


class AreaAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        config = apps.get_containing_app_config(type(self.view).__module__)
        return [str(config.verbose_name)] if config is not None else super().get_tags()

    def get_summary(self) -> str | None:
        explicit = super().get_summary()
        if explicit:
            return explicit
        clause = re.split(r"[.;:(]", self.get_description() or "", maxsplit=1)[0].strip()
        if clause and len(clause) <= SUMMARY_MAX_LENGTH:
            return clause
        action = getattr(self.view, "action", None)
        resource = _words(type(self.view).__name__)
        if action is None:  # a plain APIView: its name says what it is
            return resource[:1].upper() + resource[1:]
        template = _VERBS.get(action)
        if template is None:  # a custom action: "reissue" on invoices → "Reissue invoice"
            summary = f"{_words(action)} {resource}"
        else:
            article = "an" if resource[:1] in "aeio" else "a"
            summary = template.format(plural=_plural(resource), singular=resource, article=article)
        return summary[:1].upper() + summary[1:]
