"""Webhooks in the console: endpoints (register, change, pause, ping, replay what failed in a range)
and their deliveries (every attempt, the body sent, replay). An administrator sees every endpoint,
the integration client its own; every change goes through the services the API calls."""

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User
from core.console import (
    ActionPage,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    admin_link,
    badge,
    bulk_service_action,
    service_form_view,
)
from core.exceptions import DomainError
from webhooks.models import SUBSCRIBABLE_EVENT_TYPES, Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, EventType
from webhooks.selectors.endpoints import user_manages_webhooks, user_sees_all_endpoints
from webhooks.services.addresses import endpoint_url_check
from webhooks.services.deliveries import deliveries_replay_failed, delivery_replay, endpoint_ping
from webhooks.services.endpoints import SECRET_MIN_LENGTH, endpoint_create, endpoint_update, event_types_allowed

STATUS_TONES = {
    DeliveryStatus.PENDING: "assigned",
    DeliveryStatus.SENDING: "assigned",
    DeliveryStatus.SUCCEEDED: "resolved",
    DeliveryStatus.RETRYING: "due-soon",
    DeliveryStatus.FAILED: "overdue",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class EndpointForm(forms.ModelForm):
    # Checked by ``endpoint_url_check`` (https and public addresses in production), not Django's URL rules.
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="Where the events are POSTed.",
        widget=forms.TextInput(attrs={"class": "vURLField", "size": 80}),
    )
    events = forms.MultipleChoiceField(
        choices=[(value, f"{EventType(value).label} ({value})") for value in SUBSCRIBABLE_EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="The events this endpoint receives.",
    )
    secret = forms.CharField(
        required=False,
        strip=False,
        help_text=f"Leave empty to generate one (new endpoints) or keep the current one. At least {SECRET_MIN_LENGTH} "
        "characters when you set it.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "secret", "is_active"]
        widgets = {"description": forms.TextInput(attrs={"size": 80})}

    def __init__(self, *args: Any, owner: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.initial["secret"] = ""
        if owner is not None:
            allowed = set(event_types_allowed(owner))
            events: Any = self.fields["events"]
            events.choices = [choice for choice in events.choices if choice[0] in allowed]

    def clean_url(self) -> str:
        url = (self.cleaned_data.get("url") or "").strip()
        try:
            endpoint_url_check(url)
        except DomainError as error:
            raise ValidationError(error.message, code=error.code) from None
        return url


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdmin):
    list_display = ("url", "owner", "event_count", "state", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description", "owner__username")
    list_select_related = ("owner",)
    form = EndpointForm
    readonly_fields = ("owner", "secret_shown", "paused_at", "pause_reason", "created_at", "updated_at")
    action_pages = (
        ActionPage("ping", "ping_view", "has_manage_permission", "can_ping"),
        ActionPage("replay-failed", "replay_failed_view", "has_manage_permission", "can_replay_failed"),
    )
    change_form_template = "admin/webhooks/endpoint/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Endpoint]:
        endpoints = super().get_queryset(request)
        return endpoints if user_sees_all_endpoints(_user(request)) else endpoints.filter(owner=_user(request))

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return user_manages_webhooks(_user(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_manage_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_manage_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_manage_permission(request) and request.user.has_perm("webhooks.delete_endpoint")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        owner = obj.owner if obj is not None else _user(request)

        class OwnedEndpointForm(form_class):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, owner=owner, **inner)

        return OwnedEndpointForm

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["url", "description", "events", "secret", "is_active"]
        return fields if obj is None else [*fields, "owner", "secret_shown", "paused_at", "pause_reason", "created_at"]

    @admin.display(description="Events")
    def event_count(self, obj: Endpoint) -> str:
        return ", ".join(obj.events[:3]) + (f" and {len(obj.events) - 3} more" if len(obj.events) > 3 else "")

    @admin.display(description="State")
    def state(self, obj: Endpoint) -> SafeString:
        if obj.is_active:
            return badge("Active", "resolved")
        return badge("Paused by delivery failures" if obj.paused_at else "Off", "overdue" if obj.paused_at else "kind")

    @admin.display(description="Signing secret")
    def secret_shown(self, obj: Endpoint) -> SafeString:
        return format_html(
            "<details><summary>Show (the receiver checks <code>X-SayPro-Signature</code> with it)</summary>"
            "<code>{}</code></details>",
            obj.secret,
        )

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                changes: dict[str, Any] = {
                    name: data[name] for name in ("url", "description", "is_active") if name in form.changed_data
                }
                if "events" in form.changed_data:
                    changes["events"] = list(data["events"])
                if data.get("secret"):
                    changes["secret"] = data["secret"]
                saved = endpoint_update(
                    endpoint=Endpoint.objects.get(pk=obj.pk), actor=_user(request), changes=changes, now=timezone.now()
                )
            else:
                saved = endpoint_create(
                    actor=_user(request),
                    url=data["url"],
                    events=list(data["events"]),
                    secret=data.get("secret") or None,
                    is_active=data["is_active"],
                    description=data.get("description", ""),
                    now=timezone.now(),
                )
        except DomainError as error:
            # Checked again inside the service (the form cleaned the same rules): a race, shown plainly.
            raise ValidationError(error.message) from None
        obj.pk, obj.secret = saved.pk, saved.secret

    def ping_view(self, request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=endpoint,
            form=forms.Form(request.POST if request.method == "POST" else None),
            title=f"Ping {endpoint.url}",
            intro="Sends a signed webhook.ping event to this endpoint alone; the delivery and its answer "
            "appear under Deliveries.",
            submit_label="Send ping",
            run=lambda call: endpoint_ping(endpoint=endpoint, actor=call.actor, now=call.now),
            success_message=lambda delivery: f"Ping queued as delivery {delivery.pk}.",
        )

    def replay_failed_view(self, request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=endpoint,
            form=ReplayRangeForm(request.POST if request.method == "POST" else None),
            title=f"Replay failed deliveries to {endpoint.url}",
            intro="Every delivery to this endpoint that failed for good, created in the range, is sent again "
            "with its original event id. Deliveries already replayed are not sent twice.",
            submit_label="Replay",
            run=lambda call: deliveries_replay_failed(
                endpoint=endpoint, since=call.data["since"], until=call.data["until"], actor=call.actor, now=call.now
            ),
            success_message=lambda count: f"{count} failed deliveries queued again.",
        )


class ReplayRangeForm(forms.Form):
    since = forms.DateTimeField(help_text="From (your time zone), e.g. 2026-12-01 00:00")
    until = forms.DateTimeField(help_text="To, not included")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            self.add_error("until", "The end of the range must come after its start.")
        return data


class DeliveryAttemptInline(ReadOnlyTabularInline):
    model = DeliveryAttempt
    fields = ("number", "started_at", "duration_ms", "status_code", "response_excerpt", "error")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "endpoint_link",
        "event_type",
        "event_id",
        "status_badge",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "event__type")
    search_fields = ("=id", "=event__id", "endpoint__url")
    list_select_related = ("endpoint", "event")
    inlines = (DeliveryAttemptInline,)
    fields = (
        "endpoint_link",
        "event_type",
        "event_id",
        "status_badge",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "delivered_at",
        "replay_of",
        "requested_by",
        "created_at",
        "body",
    )
    readonly_fields = fields
    actions = ("replay_selected",)
    action_pages = (ActionPage("replay", "replay_view", "has_replay_permission", "can_replay"),)
    change_form_template = "admin/webhooks/delivery/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        deliveries = super().get_queryset(request).defer("event__payload")
        if user_sees_all_endpoints(_user(request)):
            return deliveries
        return deliveries.filter(endpoint__owner=_user(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # The list's rows (the caller's own), with the body this page shows.
        queryset = self.get_queryset(request).defer(None).select_related("endpoint", "event")
        return queryset.filter(pk=object_id).first() if object_id.isdigit() else None

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # The endpoint page links to its deliveries (the list is already limited to the caller's).
        return lookup == "endpoint__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return user_manages_webhooks(_user(request))

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not self.has_replay_permission(request):
            actions.pop("replay_selected", None)
        return actions

    @admin.display(description="Endpoint")
    def endpoint_link(self, obj: Delivery) -> str:
        return admin_link(obj.endpoint, obj.endpoint.url)

    @admin.display(description="Event", ordering="event__type")
    def event_type(self, obj: Delivery) -> str:
        return obj.event.type

    @admin.display(description="Event id", ordering="event_id")
    def event_id(self, obj: Delivery) -> int:
        return obj.event_id

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Delivery) -> SafeString:
        return badge(obj.get_status_display(), STATUS_TONES.get(DeliveryStatus(obj.status), "kind"))

    @admin.display(description="Body sent")
    def body(self, obj: Delivery) -> SafeString:
        event = obj.event
        if event.payload is None:
            return format_html("<p class='help'>Not rendered yet: the event is waiting for its fan-out.</p>")
        document = {
            "id": event.id,
            "type": event.type,
            "created_at": event.created_at.isoformat(),
            "data": event.payload,
        }
        return format_html("<pre class='webhook-body'>{}</pre>", json.dumps(document, indent=2, sort_keys=True))

    @admin.action(description="Replay the selected deliveries (same event ids)")
    def replay_selected(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> HttpResponse | None:
        return bulk_service_action(
            self,
            request,
            queryset.select_related("endpoint", "event"),
            run=lambda delivery, call: delivery_replay(delivery=delivery, actor=call.actor, now=call.now),
            verb="Queued again",
            label=lambda delivery: f"delivery {delivery.pk} ({delivery.event.type})",
        )

    def replay_view(self, request: HttpRequest, delivery: Delivery) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=delivery,
            form=forms.Form(request.POST if request.method == "POST" else None),
            title=f"Replay delivery {delivery.pk}",
            intro=f"Sends event {delivery.event_id} ({delivery.event.type}) to {delivery.endpoint.url} again as a new "
            "delivery, with the same event id and body.",
            submit_label="Replay",
            run=lambda call: delivery_replay(delivery=delivery, actor=call.actor, now=call.now),
            success_message=lambda replay: f"Queued again as delivery {replay.pk}.",
            open_result=True,
        )
