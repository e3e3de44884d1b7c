"""A changelist's filters and action bar as Django's admin templates render them, built in Python
(one string, no template render per filter, field and option): for a console list with a speed
goal (the ticket queue, 20 ms a page), used from its model's ``change_list.html`` and
``actions.html``. Tests hold each equal to Django's HTML (``tests/helpdesk/test_admin.py``)."""

from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

FILTER_TEMPLATE = "admin/filter.html"


def _filter_html(cl: Any, spec: Any) -> SafeString:
    """One filter as Django's ``admin/filter.html`` renders it (its markup, without a template
    render per filter); a filter with a template of its own is rendered by Django."""
    if spec.template != FILTER_TEMPLATE:
        return mark_safe(admin_list_filter(cl, spec))  # noqa: S308 (Django's own rendering)
    selected = ' class="selected"'
    items = "".join(
        f"<li{selected if choice['selected'] else ''}>"
        f'<a href="{escape(iri_to_uri(choice["query_string"]))}">{conditional_escape(choice["display"])}</a></li>'
        for choice in spec.choices(cl)
    )
    title = conditional_escape(spec.title)
    # As ``blocktranslate``: the title escaped, the translation itself trusted.
    summary = gettext(" By %(filter_title)s ") % {"filter_title": title}
    return mark_safe(  # noqa: S308 (every value escaped above)
        f'<details data-filter-title="{title}" open><summary>{summary}</summary><ul>{items}</ul></details>'
    )


@register.simple_tag
def console_filters(cl: Any) -> SafeString:
    """Every filter of a changelist, Django's ``{% admin_list_filter cl spec %}`` markup."""
    return mark_safe("".join(_filter_html(cl, spec) for spec in cl.filter_specs))  # noqa: S308 (built escaped)


@register.simple_tag
def console_action_fields(action_form: Any) -> SafeString:
    """The action bar's fields as Django's ``admin/actions.html`` renders them (a label around the
    action's select, the hidden "select across"), without a widget template per field and option.
    Only for Django's unbound ``ActionForm`` (the changelist's GET); otherwise Django renders it."""
    fields = action_form.fields
    if action_form.is_bound or list(fields) != ["action", "select_across"]:
        return mark_safe(  # noqa: S308 (Django's own rendering)
            "".join(
                f"<label>{conditional_escape(field.label)} {field}</label>" if field.label else str(field)
                for field in action_form
            )
        )
    action = fields["action"]
    options = "".join(
        f'<option value="{escape(value)}"{" selected" if value == "" else ""}>{conditional_escape(label)}</option>'
        for value, label in action.choices
    )
    required = " required" if action.required else ""
    return mark_safe(  # noqa: S308 (every value escaped above)
        f'<label>{conditional_escape(action.label)} <select name="action"{required}>{options}</select></label>'
        '<input type="hidden" name="select_across" value="0" class="select-across">'
    )
