"""Staff reply macros: a category's templates with the sellers' placeholders (``core.text``)."""

from core.exceptions import InvalidInput
from core.text import PLACEHOLDERS
from helpdesk.models import Macro, Ticket
from marketplace.models import OrderItem


def macro_values(ticket: Ticket) -> dict[str, str]:
    """The placeholders' values for ``ticket``: the customer, and its order's number, store and
    first product when it is about an order."""
    customer = ticket.customer
    values = {"customer_name": customer.first_name or customer.get_full_name() or customer.username}
    order = ticket.order
    if order is not None:
        values["order_number"] = order.number
        values["seller_name"] = order.seller.name
        item = OrderItem.objects.filter(order=order).order_by("id").first()
        if item is not None:
            values["product"] = item.product_name
    return values


def macro_render(*, macro: Macro, ticket: Ticket) -> str:
    """The macro's body for ``ticket``; a macro of another category is refused."""
    if not macro.is_active:
        raise InvalidInput("This macro is retired.", code="inactive", field="macro")
    if macro.category and macro.category != ticket.category:
        raise InvalidInput("This macro is for another category.", code="wrong_category", field="macro")
    return PLACEHOLDERS.render(macro.body, macro_values(ticket))
