"""Tickets API (``/api/v1/tickets/``).

A customer opens tickets about their own orders, invoices and payments, sees their own (with the
log entries that are not internal) and replies; staff with ``helpdesk.view_ticket`` see every
ticket and its whole log, and those who work tickets (``helpdesk.change_ticket``: support, the
departments, admins) write notes and call notes, escalate, resolve, schedule follow-ups and
assign. A ticket the caller may not see is 404; an action their role may not take on one they
see is 403; an action the ticket's state forbids is 409.

The actions on the real records (``order-status``, ``reissue-invoice``, ``verify-receipt``,
``resend-receipt``, ``reissue-receipt``, ``refund``, ``send-refund``) call the services the
console's buttons call (``helpdesk.services.records``): the marketplace service checks its own
permission (reissuing an invoice and sending a refund are finance's: 403), a ticket that names no
such record or is resolved is 409. A doubled submit acts once: the ``Idempotency-Key`` replays the
first answer, and without it the second refund finds no difference left (409).
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors.users import is_staff_member
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import Forbidden, InvalidInput
from core.permissions import HasRolePermission
from helpdesk.api.filters import TicketFilter
from helpdesk.api.serializers import (
    AssignInputSerializer,
    EscalateInputSerializer,
    InteractionInputSerializer,
    InteractionOutputSerializer,
    RefundInputSerializer,
    RefundSendInputSerializer,
    ResolveInputSerializer,
    TicketCreateInputSerializer,
    TicketDetailOutputSerializer,
    TicketFollowUpInputSerializer,
    TicketInvoiceReissueInputSerializer,
    TicketOutputSerializer,
    TicketReceiptReissueInputSerializer,
    TicketReceiptResendInputSerializer,
    viewer_context,
)
from helpdesk.models import Ticket
from helpdesk.selectors.tickets import ticket_list, ticket_list_with_log
from helpdesk.services.access import user_may_work_tickets
from helpdesk.services.macros import macro_render
from helpdesk.services.records import (
    ticket_invoice_reissue,
    ticket_order_status_answer,
    ticket_receipt_reissue,
    ticket_receipt_resend,
    ticket_receipt_verify,
    ticket_refund,
    ticket_refund_send,
)
from helpdesk.services.tickets import (
    ticket_assign,
    ticket_escalate,
    ticket_follow_up,
    ticket_interaction_add,
    ticket_open,
    ticket_resolve,
)


def user_may_open_tickets(user: User) -> bool:
    """Customers open their own tickets; staff log calls and chats on the ticket, in the console."""
    return not is_staff_member(user)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


STAFF_ACTION_RESPONSES: dict[int, Any] = {
    200: TicketDetailOutputSerializer,
    **error_responses(400, 401, 403, 404, 409),
}


@extend_schema_view(
    list=extend_schema(
        summary="List tickets (a customer's own; staff all)",
        responses={200: TicketOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="A ticket with the log entries the caller may see",
        responses={200: TicketDetailOutputSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        summary="Ask about an order, invoice, receipt or payment (as the customer)",
        description="`order_status` needs `order`, `invoice` needs `invoice`, `receipt` and `payment` need "
        "`payment` (each one of the caller's). Payment problems are answered within 24 h, others within 48 h.",
        request=TicketCreateInputSerializer,
        responses={201: TicketDetailOutputSerializer, **error_responses(400, 401, 403)},
    ),
    interactions=extend_schema(
        summary="Add to the log: a message (customer or staff), a call note or an internal note (staff)",
        description="A customer's message reopens a resolved ticket within the reopen window (later: 409).",
        request=InteractionInputSerializer,
        responses={201: InteractionOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    escalate=extend_schema(
        summary="Escalate to a department with a reason (its own target runs from now)",
        request=EscalateInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    resolve=extend_schema(
        summary="Resolve with a resolution text (the customer is told)",
        request=ResolveInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    follow_up=extend_schema(
        summary="Schedule a follow-up reminder (its owner is notified when it is due)",
        request=TicketFollowUpInputSerializer,
        responses={201: STAFF_ACTION_RESPONSES[200], **error_responses(400, 401, 403, 404, 409)},
    ),
    assign=extend_schema(
        summary="Assign the ticket (default: to the caller)",
        request=AssignInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    order_status=extend_schema(
        summary="Send the order's status, built from the order and its tracking, as the reply",
        description="409 `no_order` when the ticket names no order; 409 when it is resolved or closed.",
        request=None,
        responses=STAFF_ACTION_RESPONSES,
    ),
    reissue_invoice=extend_schema(
        summary="Reissue the ticket's invoice as a corrected version (finance)",
        description="The new version supersedes the current one (kept) and is sent to the customer with the "
        "reason; amounts left out keep the current version's. 403 without `marketplace.reissue_invoice`; 409 "
        "`no_invoice` when the ticket names no invoice.",
        request=TicketInvoiceReissueInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    verify_receipt=extend_schema(
        summary="Check the payment's receipt (taken, the captured amount, the address): logged for staff",
        description="409 `no_payment` / `no_receipt` when there is nothing to check.",
        request=None,
        responses=STAFF_ACTION_RESPONSES,
    ),
    resend_receipt=extend_schema(
        summary="Send the payment's receipt again (default: to the customer's address)",
        request=TicketReceiptResendInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    reissue_receipt=extend_schema(
        summary="Reissue an incorrect receipt (a new number, the captured amount) and send it",
        request=TicketReceiptReissueInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    refund=extend_schema(
        summary="Refund exactly the difference of an overcharge or duplicate charge",
        description="Finance refunds up to the approval threshold at once; above it, or from support, the "
        "refund is granted and waits for finance (`send-refund`, by someone else). A second request finds no "
        "difference left: 409.",
        request=RefundInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    send_refund=extend_schema(
        summary="Send a refund granted on the ticket's payment (finance; not whoever granted it)",
        description="403 `four_eyes` for whoever granted it; 409 `no_grant` when none is waiting, "
        "`grant_required` when several are.",
        request=RefundSendInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
)
class TicketViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"create": user_may_open_tickets}
    serializer_class = TicketOutputSerializer
    filterset_class = TicketFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "updated_at", "id"]

    def get_queryset(self) -> QuerySet[Ticket]:
        if self.action == "list":
            return ticket_list(actor=_user(self.request))
        return ticket_list_with_log(actor=_user(self.request))

    def _context(self) -> dict[str, Any]:
        return viewer_context(_user(self.request), now=timezone.now())

    def _out(self, ticket: Ticket, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = ticket_list_with_log(actor=_user(self.request)).get(pk=ticket.pk)
        return Response(TicketDetailOutputSerializer(fresh, context=self._context()).data, status=status_code)

    def _worked(self) -> Ticket:
        ticket = self.get_object()
        if not user_may_work_tickets(_user(self.request)):
            raise Forbidden("Only support and department staff work tickets.", code="permission_denied")
        return ticket

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TicketOutputSerializer(page, many=True, context=self._context()).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(TicketDetailOutputSerializer(self.get_object(), context=self._context()).data)

    @transaction.atomic
    def create(self, request: Request) -> Response:
        serializer = TicketCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        ticket = ticket_open(customer=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(ticket, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def interactions(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        user = _user(request)
        if ticket.customer_id != user.pk and not user_may_work_tickets(user):
            raise Forbidden("Only the customer and support or department staff write on a ticket.")
        serializer = InteractionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        macro = data.pop("macro")
        if macro is not None:
            if not user_may_work_tickets(_user(request)):
                raise Forbidden("Only staff send macros.", code="permission_denied")
            if not data["body"]:
                data["body"] = macro_render(macro=macro, ticket=ticket)
        elif not data["body"]:
            raise InvalidInput("This field may not be blank.", code="blank", field="body")
        entry = ticket_interaction_add(ticket=ticket, actor=_user(request), now=timezone.now(), **data)
        return Response(
            InteractionOutputSerializer(entry, context=self._context()).data, status=status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        ticket = self._worked()
        serializer = EscalateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_escalate(ticket=ticket, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(ticket)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        ticket = self._worked()
        serializer = ResolveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_resolve(ticket=ticket, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(ticket)

    @action(
        detail=True,
        methods=["post"],
        url_path="follow-up",
        url_name="follow-up",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def follow_up(self, request: Request, pk: str | None = None) -> Response:
        ticket = self._worked()
        serializer = TicketFollowUpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_follow_up(ticket=ticket, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(ticket, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def assign(self, request: Request, pk: str | None = None) -> Response:
        ticket = self._worked()
        serializer = AssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_assign(ticket=ticket, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(ticket)

    # --- Actions on the real records: the console's buttons, the same services ------------------

    def _record_action(self, request: Request, serializer_class: type | None, run: Any) -> Response:
        ticket = self._worked()
        data: dict[str, Any] = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        run(ticket=ticket, actor=_user(request), now=timezone.now(), **data)
        return self._out(ticket)

    @action(
        detail=True,
        methods=["post"],
        url_path="order-status",
        url_name="order-status",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def order_status(self, request: Request, pk: str | None = None) -> Response:
        return self._record_action(request, None, ticket_order_status_answer)

    @action(
        detail=True,
        methods=["post"],
        url_path="reissue-invoice",
        url_name="reissue-invoice",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def reissue_invoice(self, request: Request, pk: str | None = None) -> Response:
        return self._record_action(request, TicketInvoiceReissueInputSerializer, ticket_invoice_reissue)

    @action(
        detail=True,
        methods=["post"],
        url_path="verify-receipt",
        url_name="verify-receipt",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def verify_receipt(self, request: Request, pk: str | None = None) -> Response:
        return self._record_action(request, None, ticket_receipt_verify)

    @action(
        detail=True,
        methods=["post"],
        url_path="resend-receipt",
        url_name="resend-receipt",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def resend_receipt(self, request: Request, pk: str | None = None) -> Response:
        return self._record_action(request, TicketReceiptResendInputSerializer, ticket_receipt_resend)

    @action(
        detail=True,
        methods=["post"],
        url_path="reissue-receipt",
        url_name="reissue-receipt",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def reissue_receipt(self, request: Request, pk: str | None = None) -> Response:
        return self._record_action(request, TicketReceiptReissueInputSerializer, ticket_receipt_reissue)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def refund(self, request: Request, pk: str | None = None) -> Response:
        return self._record_action(request, RefundInputSerializer, ticket_refund)

    @action(
        detail=True,
        methods=["post"],
        url_path="send-refund",
        url_name="send-refund",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def send_refund(self, request: Request, pk: str | None = None) -> Response:
        return self._record_action(request, RefundSendInputSerializer, ticket_refund_send)


router = IdRouter()
router.register("tickets", TicketViewSet, basename="tickets")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
