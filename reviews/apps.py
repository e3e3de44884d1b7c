from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_starter_templates(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Like Django's permissions: after every migrate, the platform's starter response templates exist."""
    from reviews.services.templates import starter_templates_install

    starter_templates_install(using=using)


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews and ratings"

    def ready(self) -> None:
        post_migrate.connect(_install_starter_templates, sender=self, dispatch_uid="reviews-starter-templates")
