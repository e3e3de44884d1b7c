"""Help centre articles: Markdown rendered safely, and publishing."""

from datetime import datetime

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from helpdesk.models import Article, ArticleStatus

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
