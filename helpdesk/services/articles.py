"""Help centre articles: Markdown rendered safely, and publishing."""

from datetime import datetime

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from accounts.models import User
from helpdesk.models import TOPIC_CATEGORY, Article, ArticleRead, ArticleStatus

# CommonMark with raw HTML off: any HTML in an article is escaped (shown as text), and the
# parser's link validation drops javascript:, vbscript:, file: and data: links.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def markdown_render(text: str) -> SafeString:
    return mark_safe(_MARKDOWN.render(text or ""))  # noqa: S308 (raw HTML is escaped by the parser)


def article_save(*, article: Article, now: datetime) -> Article:
    """Save a staff member's article; the first publication stamps ``published_at``."""
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now
    article.full_clean()
    article.save()
    return article


def article_read_record(*, article: Article, user: User, now: datetime) -> None:
    """Note that ``user`` read ``article`` today (UTC): one ``INSERT ... ON CONFLICT DO NOTHING``,
    so a page view costs one statement and a second view the same day changes nothing."""
    ArticleRead.objects.bulk_create(
        [
            ArticleRead(
                user=user,
                article=article,
                category=TOPIC_CATEGORY.get(article.topic, ""),
                day=now.date(),
                read_at=now,
            )
        ],
        ignore_conflicts=True,
    )
