"""The support queue API: staff read it (filters, constant query counts), queue staff assign."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from accounts.models import Role
from inquiries.models import ConversationEvent, Escalation
from inquiries.services.messaging import conversation_open, message_post
from inquiries.services.sweep import inquiries_sweep
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SWEPT = T0 + timedelta(hours=5)
LIST = "/api/v1/escalations/"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture(autouse=True)
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(SWEPT + timedelta(minutes=10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    return {
        "seller": seller,
        "member": SellerMemberFactory(seller=seller),
        "buyer": BuyerFactory(),
        "support": UserFactory(username="sam", role=Role.SUPPORT),
        "other_agent": UserFactory(username="olga", role=Role.SUPPORT),
        "moderator": UserFactory(username="mo", role=Role.MODERATOR),
        "finance": UserFactory(username="fin", role=Role.FINANCE),
        "integration": UserFactory(username="int", role=Role.INTEGRATION),
        "admin": AdminFactory(username="root"),
    }


def _escalate(world: dict[str, Any], count: int = 1) -> list[Escalation]:
    """``count`` conversations opened at T0 and escalated by the sweep at T0+5h."""
    for index in range(count):
        conversation_open(
            buyer=world["buyer"], seller=world["seller"], subject=f"Parcel {index}", body="Where is it?", now=T0
        )
    inquiries_sweep(now=SWEPT)
    return list(Escalation.objects.order_by("id"))


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_staff_read_the_queue_as_documented(world, client_for):
    (escalation,) = _escalate(world)

    response = client_for(world["support"]).get(LIST)

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": escalation.pk,
            "conversation": escalation.conversation_id,
            "inquiry": escalation.inquiry_id,
            "seller": world["seller"].pk,
            "subject": "Parcel 0",
            "conversation_status": "escalated",
            "escalated_at": _iso(SWEPT),
            "assignee": None,
            "assigned_at": None,
            "resolved_at": None,
            "resolved_by": None,
            "resolution": "",
            "created_at": _iso(SWEPT),
        }
    ]
    assert client_for(world["moderator"]).get(detail(escalation.pk)).json()["id"] == escalation.pk


@pytest.mark.parametrize("who", ["buyer", "member", "finance", "integration"])
def test_everyone_else_is_refused_whatever_the_id(world, client_for, who):
    (escalation,) = _escalate(world)
    client = client_for(world[who])

    assert client.get(LIST).status_code == 403
    assert client.get(detail(escalation.pk)).status_code == 403
    assert client.get(detail(999_999)).status_code == 403
    assert client.post(f"{detail(escalation.pk)}assign/").status_code == 403
    assert Escalation.objects.get().assignee is None


def test_anonymous_gets_401(world, api_client):
    assert api_client.get(LIST).status_code == 401


def test_unknown_escalation_is_a_404_for_staff(world, client_for):
    assert client_for(world["support"]).get(detail(999_999)).status_code == 404
    assert client_for(world["support"]).post(f"{detail(999_999)}assign/").status_code == 404


def test_filters_assignee_unassigned_and_resolved(world, client_for):
    first, second, third = _escalate(world, 3)
    client = client_for(world["support"])
    client.post(f"{detail(first.pk)}assign/")
    message_post(conversation=third.conversation, author=world["member"], body="Sorry, shipped today.", now=SWEPT)

    assert _ids(client.get(LIST, {"assignee": world["support"].pk})) == [first.pk]
    assert _ids(client.get(LIST, {"unassigned": "true"})) == [second.pk, third.pk]
    assert _ids(client.get(LIST, {"unassigned": "false"})) == [first.pk]
    assert _ids(client.get(LIST, {"resolved": "false"})) == [first.pk, second.pk]
    assert _ids(client.get(LIST, {"resolved": "true"})) == [third.pk]
    assert _ids(client.get(LIST, {"ordering": "-escalated_at"})) == [third.pk, second.pk, first.pk]
    resolved = client.get(detail(third.pk)).json()
    assert (resolved["resolution"], resolved["resolved_by"], resolved["conversation_status"]) == (
        "seller_replied",
        world["member"].pk,
        "answered",
    )


@pytest.mark.parametrize("params", [{"assignee": "x"}, {"unassigned": "maybe"}, {"resolved": "2"}])
def test_bad_filter_values_are_400s(world, client_for, params):
    response = client_for(world["support"]).get(LIST, params)

    assert response.status_code == 400
    assert next(iter(params)) in response.json()


def test_the_queue_costs_the_same_queries_for_2_and_20_escalations(world, client_for, django_assert_num_queries):
    client = client_for(world["support"])
    _escalate(world, 2)
    with django_assert_num_queries(3):  # token + count + page (with the conversation joined)
        assert len(client.get(LIST, {"page_size": 50}).json()["results"]) == 2
    assert len(_escalate(world, 18)) == 20
    with django_assert_num_queries(3):
        assert len(client.get(LIST, {"page_size": 50}).json()["results"]) == 20


# --- POST /escalations/<id>/assign/ ------------------------------------------------------------


def test_an_agent_takes_an_escalation_by_default(world, client_for):
    (escalation,) = _escalate(world)

    response = client_for(world["support"]).post(f"{detail(escalation.pk)}assign/")

    assert response.status_code == 200
    body = response.json()
    assert (body["assignee"], body["assigned_at"]) == (world["support"].pk, _iso(SWEPT + timedelta(minutes=10)))
    event = ConversationEvent.objects.get(kind="assigned")
    assert (event.actor, event.note) == (world["support"], "assigned to sam")


def test_a_moderator_assigns_to_an_agent_then_unassigns(world, client_for):
    (escalation,) = _escalate(world)
    client = client_for(world["moderator"])

    assigned = client.post(f"{detail(escalation.pk)}assign/", {"assignee": world["other_agent"].pk})
    assert assigned.json()["assignee"] == world["other_agent"].pk

    unassigned = client.post(f"{detail(escalation.pk)}assign/", {"assignee": None})
    assert (unassigned.json()["assignee"], unassigned.json()["assigned_at"]) == (None, None)
    assert ConversationEvent.objects.filter(kind="assigned").count() == 2


@pytest.mark.parametrize(
    ("assignee", "code"),
    [("finance", "not_support_staff"), ("buyer", "not_support_staff"), (999_999, None), ("x", None), (1.5, None)],
)
def test_assigning_to_someone_outside_the_queue_is_a_400(world, client_for, assignee, code):
    (escalation,) = _escalate(world)
    value = world[assignee].pk if assignee in world else assignee

    response = client_for(world["admin"]).post(f"{detail(escalation.pk)}assign/", {"assignee": value})

    assert response.status_code == 400
    assert "assignee" in response.json()
    if code:
        assert response.json()["code"] == code
    assert Escalation.objects.get().assignee is None
    assert not ConversationEvent.objects.filter(kind="assigned").exists()


@pytest.mark.parametrize("who", ["finance", "integration"])
def test_finance_and_integration_cannot_assign(world, client_for, who):
    (escalation,) = _escalate(world)

    response = client_for(world[who]).post(f"{detail(escalation.pk)}assign/", {"assignee": world["support"].pk})

    assert response.status_code == 403
    assert Escalation.objects.get().assignee is None


def test_a_resolved_escalation_cannot_be_assigned(world, client_for):
    (escalation,) = _escalate(world)
    message_post(conversation=escalation.conversation, author=world["support"], body="Support here.", now=SWEPT)

    response = client_for(world["support"]).post(f"{detail(escalation.pk)}assign/")

    assert response.status_code == 409
    assert response.json()["code"] == "escalation_resolved"
    assert Escalation.objects.get().assignee is None
