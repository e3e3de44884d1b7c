"""``Idempotency-Key`` on API writes (core/idempotency.py): a retry with the same key and body
answers with the first result and writes nothing; a reused key with another body is refused; ten
identical replies at once make one message and one notification (PostgreSQL)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.idempotency import core_idempotency_purge
from core.models import IdempotentRequest
from inquiries.models import Conversation, Message
from inquiries.services.messaging import conversation_open
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory
from tests.utils import requires_postgres, run_at_once


@pytest.fixture
def thread(db):  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    buyer = BuyerFactory(username="bella", email="bella@example.com")
    member = SellerMemberFactory(username="nora", seller=seller)
    conversation = conversation_open(buyer=buyer, seller=seller, subject="Stock", body="In blue?", now=timezone.now())
    return {"seller": seller, "buyer": buyer, "member": member, "conversation": conversation}


def _url(thread: dict[str, Any]) -> str:
    return f"/api/v1/conversations/{thread['conversation'].pk}/messages/"


def _client(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _seller_replies() -> int:
    return Message.objects.filter(kind="seller").count()


def test_a_retry_with_the_same_key_answers_with_the_first_result_and_writes_nothing(thread):
    client = _client(thread["member"])
    first = client.post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="reply-1")
    notifications = Notification.objects.count()

    again = client.post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="reply-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert _seller_replies() == 1
    assert Notification.objects.count() == notifications


def test_without_a_key_each_write_is_its_own(thread):
    client = _client(thread["member"])
    client.post(_url(thread), {"body": "Yes, in blue."})
    client.post(_url(thread), {"body": "Yes, in blue."})
    assert _seller_replies() == 2


def test_the_same_key_with_another_body_is_a_422_naming_the_header_and_writes_nothing(thread):
    client = _client(thread["member"])
    client.post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="reply-1")

    response = client.post(_url(thread), {"body": "No, only red."}, HTTP_IDEMPOTENCY_KEY="reply-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()
    assert list(Message.objects.filter(kind="seller").values_list("body", flat=True)) == ["Yes, in blue."]


def test_the_same_key_on_another_path_is_a_422(thread):
    client = _client(thread["member"])
    client.post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(f"/api/v1/conversations/{thread['conversation'].pk}/close/", {}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert Conversation.objects.get().status != "closed"


def test_keys_belong_to_their_user(thread):
    _client(thread["member"]).post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="same")
    response = _client(thread["buyer"]).post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201
    assert response.json()["kind"] == "buyer"
    assert Message.objects.filter(body="Yes, in blue.").count() == 2


def test_a_failed_write_is_not_stored_so_the_corrected_retry_runs(thread):
    client = _client(thread["member"])
    failed = client.post(_url(thread), {"body": "   "}, HTTP_IDEMPOTENCY_KEY="reply-1")
    corrected = client.post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="reply-1")
    assert (failed.status_code, corrected.status_code) == (400, 201)
    assert _seller_replies() == 1
    assert IdempotentRequest.objects.get().status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "two words", "tab\tkey"])
def test_a_malformed_key_is_a_400_naming_the_header(thread, key):
    response = _client(thread["member"]).post(_url(thread), {"body": "Yes."}, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key", "code"]
    assert _seller_replies() == 0


def test_bad_credentials_with_a_key_are_still_a_401(thread):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.post(_url(thread), {"body": "Yes."}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 401
    assert IdempotentRequest.objects.count() == 0


def test_a_key_is_kept_for_the_ttl_then_runs_again_and_is_purged(thread, settings):
    client = _client(thread["member"])
    client.post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="reply-1")
    expired = timezone.now() - settings.API_IDEMPOTENCY_TTL - timedelta(seconds=1)
    IdempotentRequest.objects.update(created_at=expired)

    assert core_idempotency_purge(now=timezone.now()) == {"deleted": 1}
    again = client.post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="reply-1")

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert _seller_replies() == 2


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_identical_replies_at_once_make_one_message_and_one_notification(thread):
    buyer_notices = Notification.objects.filter(recipient=thread["buyer"]).count()
    token, _ = Token.objects.get_or_create(user=thread["member"])

    def reply(index: int) -> tuple[int, Any]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = client.post(_url(thread), {"body": "Yes, in blue."}, HTTP_IDEMPOTENCY_KEY="double-click")
        return response.status_code, response.json()

    results = run_at_once(10, reply)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert {status for status, _ in results} == {201}  # type: ignore[misc]
    message = Message.objects.get(kind="seller")
    assert {body["id"] for _, body in results} == {message.pk}  # type: ignore[misc]
    assert Notification.objects.filter(recipient=thread["buyer"]).count() == buyer_notices + 1


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_duplicate_waiting_longer_than_the_limit_is_a_409(thread, settings):
    """The first request holds its key (a transaction left open here); the duplicate gives up
    after API_IDEMPOTENCY_WAIT with a 409 and writes nothing."""
    import threading

    from django.db import connection, transaction

    settings.API_IDEMPOTENCY_WAIT = timedelta(milliseconds=300)
    holding, release = threading.Event(), threading.Event()

    def hold_the_key() -> None:
        try:
            with transaction.atomic():
                IdempotentRequest.objects.create(
                    user=thread["member"],
                    key="slow",
                    fingerprint="-",
                    method="POST",
                    path="/",
                    created_at=timezone.now(),
                )
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_key)
    holder.start()
    try:
        assert holding.wait(10)
        response = _client(thread["member"]).post(_url(thread), {"body": "Yes."}, HTTP_IDEMPOTENCY_KEY="slow")
    finally:
        release.set()
        holder.join(10)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert _seller_replies() == 0
