from django.apps import AppConfig


class RoyaltyConfig(AppConfig):
    name = "royalty"
    verbose_name = "Royalty"
