"""Conversations API (``/api/v1/conversations/``): buyer-seller messaging.

Who sees what (``inquiries.selectors.conversations``): a buyer their own conversations, a seller
member their stores', support staff, moderators and admins all (finance and the integration client
none: a private conversation is not their work); any other conversation is a 404. Who may act on one they see
(403 otherwise, decided before the body is read):

- ``POST /conversations/`` — any logged-in user who is not platform staff opens a conversation
  *as the buyer* (every user can buy; a seller member asking their own store is a 400). Staff and
  integration clients may not open one on a buyer's behalf: the message, its notifications and the
  KPI clock would be attributed to a buyer who never wrote it.
- ``POST .../messages/`` — the buyer, the seller's members, and staff who work the support queue
  (support, moderators, admins: ``inquiries.services.escalations.user_may_work_escalations``). A
  staff message answers the buyer as support, resolves the escalation and counts as "answered by
  support" in the seller's figures.
- ``POST .../close/`` — the buyer and queue staff (sellers: 403).
- ``POST .../exclude/`` and ``GET .../suggested-reply/`` — the seller's members only.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors.users import is_staff_member
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import Forbidden, StateConflict
from core.permissions import HasRolePermission
from inquiries.api.filters import ConversationFilter
from inquiries.api.serializers import (
    ConversationDetailOutputSerializer,
    ConversationOpenInputSerializer,
    ConversationOutputSerializer,
    ExcludeInputSerializer,
    MessageOutputSerializer,
    MessagePostInputSerializer,
    SuggestedReplyOutputSerializer,
    does_not_exist,
)
from inquiries.models import Conversation, Message
from inquiries.selectors.conversations import (
    conversation_detail_list,
    conversation_latest_buyer_message,
    conversation_list,
    with_thread,
)
from inquiries.selectors.pages import reply_templates_for_seller
from inquiries.services.escalations import user_may_work_escalations
from inquiries.services.messaging import conversation_close, conversation_open, inquiry_exclude, message_post
from inquiries.services.templates import reply_template_render, reply_template_suggest
from marketplace.selectors.scoping import user_is_seller_member


def user_may_open_conversations(user: User) -> bool:
    return not is_staff_member(user)


def _require_writer(user: User, conversation: Conversation, *, sellers: bool = True) -> None:
    """The buyer, (the seller's members when ``sellers``), or staff who work the queue."""
    if user.pk == conversation.buyer_id:
        return
    if user_is_seller_member(user, conversation.seller_id):
        if sellers:
            return
        raise Forbidden("Only the buyer or support can close a conversation.")
    if not user_may_work_escalations(user):
        raise Forbidden("Only support staff who work the queue can write in a conversation.")


def _field_error(field: str, error: ValidationError | str) -> ValidationError:
    return ValidationError({field: error.detail if isinstance(error, ValidationError) else [error]})


def _require_seller_member(user: User, conversation: Conversation) -> None:
    if not user_is_seller_member(user, conversation.seller_id):
        raise Forbidden("Only the seller's members can do this.")


CONVERSATION_DESCRIPTION = (
    "Conversations the caller may see: a buyer their own, a seller member their stores', support staff, "
    "moderators and admins all (finance and integration clients: none but their own as a buyer)."
)


@extend_schema_view(
    list=extend_schema(
        summary="List conversations (scoped to the caller)",
        description=CONVERSATION_DESCRIPTION + " Items carry no messages: read one for its thread.",
        responses={200: ConversationOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="A conversation with its messages",
        responses={200: ConversationDetailOutputSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        summary="Ask a seller a question (as the buyer)",
        description="Opens the conversation with the caller as its buyer: the buyer's message and the "
        "automatic acknowledgment (`auto_ack`) are both in `messages`, and the seller's response clock "
        "starts. Platform staff cannot open one (403). `product` must be the seller's; `order` one of the "
        "caller's own orders with this seller.",
        request=ConversationOpenInputSerializer,
        responses={201: ConversationDetailOutputSerializer, **error_responses(400, 401, 403)},
    ),
    messages=extend_schema(
        summary="Post a message (buyer, seller member, or support staff)",
        description="A seller or staff message answers the open inquiry; a buyer message may open a new one. "
        "`template` (seller members and staff only) records the quick reply it started from.",
        request=MessagePostInputSerializer,
        responses={201: MessageOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    close=extend_schema(
        summary="Close the conversation (buyer or support staff)",
        request=None,
        responses={200: ConversationDetailOutputSerializer, **error_responses(401, 403, 404, 409)},
    ),
    exclude=extend_schema(
        summary="Mark a buyer message as needing no response (seller members)",
        description="Its open inquiry leaves the seller's response figures; audited, and an unusual "
        "monthly share is flagged to moderators. 409 when the message is not awaiting a response.",
        request=ExcludeInputSerializer,
        responses={200: ConversationDetailOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    suggested_reply=extend_schema(
        summary="The quick reply best matching the latest buyer message (seller members)",
        description="All fields are null when no buyer message or no template matches well enough.",
        responses={200: SuggestedReplyOutputSerializer, **error_responses(401, 403, 404)},
    ),
)
class ConversationViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"create": user_may_open_conversations}
    serializer_class = ConversationOutputSerializer
    filterset_class = ConversationFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["last_message_at", "response_due_at", "awaiting_since", "created_at", "id"]
    ordering = ["-last_message_at", "-id"]

    def get_queryset(self) -> QuerySet[Conversation]:
        if self.action == "retrieve":
            return conversation_detail_list(actor=self.request.user)  # type: ignore[arg-type]
        return conversation_list(actor=self.request.user)  # type: ignore[arg-type]

    def _detail(self, conversation: Conversation, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = conversation_detail_list(actor=self.request.user).get(pk=conversation.pk)  # type: ignore[arg-type]
        return Response(ConversationDetailOutputSerializer(with_thread([fresh])[0]).data, status=status_code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {"now": timezone.now()}
        return self.get_paginated_response(ConversationOutputSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ConversationDetailOutputSerializer(with_thread([self.get_object()])[0]).data)

    @transaction.atomic
    def create(self, request: Request) -> Response:
        serializer = ConversationOpenInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        conversation = conversation_open(
            buyer=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            **serializer.validated_data,
        )
        return self._detail(conversation, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def messages(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        conversation = self.get_object()
        _require_writer(user, conversation)
        serializer = MessagePostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = None
        template_id = serializer.validated_data["template"]
        if template_id is not None:
            if user.pk == conversation.buyer_id:
                raise _field_error("template", "Quick replies are for the seller's answers.")
            template = reply_templates_for_seller(seller_id=conversation.seller_id).filter(pk=template_id).first()
            if template is None:
                raise _field_error("template", does_not_exist(template_id))
        message = message_post(
            conversation=conversation,
            author=user,
            body=serializer.validated_data["body"],
            template=template,
            now=timezone.now(),
        )
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def close(self, request: Request, pk: str | None = None) -> Response:
        conversation = self.get_object()
        _require_writer(request.user, conversation, sellers=False)  # type: ignore[arg-type]
        conversation_close(conversation=conversation, actor=request.user, now=timezone.now())  # type: ignore[arg-type]
        return self._detail(conversation)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def exclude(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        conversation = self.get_object()
        _require_seller_member(user, conversation)
        serializer = ExcludeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message_id = serializer.validated_data["message"]
        if message_id is None:
            message = conversation_latest_buyer_message(conversation=conversation)
            if message is None:
                raise StateConflict("No buyer message is awaiting a response.", code="not_awaiting")
        else:
            found = Message.objects.filter(conversation_id=conversation.pk, pk=message_id).first()
            if found is None:
                raise _field_error("message", does_not_exist(message_id))
            message = found
        inquiry_exclude(message=message, actor=user, reason=serializer.validated_data["reason"], now=timezone.now())
        return self._detail(conversation)

    @action(
        detail=True,
        methods=["get"],
        url_path="suggested-reply",
        url_name="suggested-reply",
        filter_backends=[],
        pagination_class=None,
    )
    def suggested_reply(self, request: Request, pk: str | None = None) -> Response:
        conversation = self.get_object()
        _require_seller_member(request.user, conversation)  # type: ignore[arg-type]
        payload: dict[str, Any] = dict.fromkeys(("message", "template", "title", "text", "score"))
        latest = conversation_latest_buyer_message(conversation=conversation)
        if latest is not None:
            payload["message"] = latest.pk
            template, score = reply_template_suggest(seller_id=conversation.seller_id, text=latest.body)
            if template is not None:
                payload |= {
                    "template": template.pk,
                    "title": template.title,
                    "text": reply_template_render(template=template, conversation=conversation),
                    "score": round(score * 100),
                }
        return Response(SuggestedReplyOutputSerializer(payload).data)


router = IdRouter()
router.register("conversations", ConversationViewSet, basename="conversations")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
