"""The help centre: published articles only, searched and by audience, Markdown rendered with raw
HTML escaped; the API needs no login; a new ticket suggests its category's articles first."""

from django.test import Client
from django.urls import reverse

from tests.helpdesk.factories import ArticleFactory

API = "/api/v1/help/articles/"


def test_the_api_lists_published_articles_without_login_filtered(db, api_client) -> None:
    track = ArticleFactory(title="Track an order", body="Open your orders page.", topic="orders")
    ArticleFactory(title="Answer a bad review", audience="seller", topic="reviews", body="Stay calm, apologise.")
    ArticleFactory(title="Secret draft", status="draft", published_at=None)

    def titles(query: str = "") -> list[str]:
        response = api_client.get(f"{API}?{query}")
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert titles() == ["Track an order", "Answer a bad review"]
    assert titles("audience=seller") == ["Answer a bad review"]
    assert titles("category=orders") == ["Track an order"]
    assert titles("q=apologise calm") == ["Answer a bad review"]
    assert titles("q=nothing-like-this") == []
    assert api_client.get(f"{API}?audience=robots").status_code == 400
    detail = api_client.get(f"{API}{track.pk}/").json()
    assert detail["body_html"] == "<p>Open your orders page.</p>\n"
    draft_id = ArticleFactory(status="draft", published_at=None).pk
    assert api_client.get(f"{API}{draft_id}/").status_code == 404


def test_raw_html_and_script_links_in_an_article_are_never_run(db) -> None:
    article = ArticleFactory(body="<script>alert(1)</script>\n\n[click](javascript:alert(1)) **bold**")
    page = Client().get(reverse("help-article", args=[article.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert "<strong>bold</strong>" in page


def test_the_help_page_searches_and_a_new_ticket_suggests_its_categorys_articles(desk) -> None:
    ArticleFactory(title="Get a receipt again", topic="receipts", summary="Resend it yourself.")
    ArticleFactory(title="Track an order", topic="orders")
    listing = Client().get(reverse("help") + "?q=receipt")
    assert listing.status_code == 200
    assert [a.title for a in listing.context["page"].object_list] == ["Get a receipt again"]

    client = Client()
    client.force_login(desk["alice"])
    order_page = client.get(reverse("support-new") + f"?order={desk['order'].pk}")
    assert [a.title for a in order_page.context["suggestions"]] == ["Track an order", "Get a receipt again"]
    # A receipt question (sent without its payment: the form comes back) suggests receipts first.
    receipt_page = client.post(reverse("support-new"), {"category": "receipt", "subject": "x", "body": "y"})
    assert receipt_page.status_code == 400
    assert [a.title for a in receipt_page.context["suggestions"]] == ["Get a receipt again", "Track an order"]
