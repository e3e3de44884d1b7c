from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_starter_templates(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Like Django's permissions: after every migrate, the platform's starter quick replies exist."""
    from inquiries.services.templates import starter_templates_install

    starter_templates_install(using=using)


class InquiriesConfig(AppConfig):
    name = "inquiries"
    verbose_name = "Buyer-seller messaging"

    def ready(self) -> None:
        post_migrate.connect(_install_starter_templates, sender=self, dispatch_uid="inquiries-starter-templates")
