from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Role(models.TextChoices):
    """What a user is on the platform. Every user can buy; sellers are also members of a store;
    staff roles map onto the Django groups of the same name (``GROUP_NAMES``)."""

    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    SUPPORT = "support", "Support agent"
    MODERATOR = "moderator", "Moderator"
    FINANCE = "finance", "Finance"
    INTEGRATION = "integration", "Integration (API client)"
    ADMIN = "admin", "Administrator"


# Staff roles are Django groups of the same name; every app declares what each group may do in its
# own ``roles.py`` (``accounts.services.roles``).
STAFF_ROLES = frozenset({Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.INTEGRATION})
GROUP_NAMES = {
    Role.SUPPORT: "support",
    Role.MODERATOR: "moderator",
    Role.FINANCE: "finance",
    Role.INTEGRATION: "integration",
}


class SayProUserManager(UserManager["User"]):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """The platform's user. Custom from the first migration so fields can be added later."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.BUYER, db_index=True)
    # An IANA name ("Europe/Berlin"); empty: the platform's ``TIME_ZONE`` (UTC). Pages and the console
    # show times in it (``accounts.middleware.UserTimeZoneMiddleware``); stored times stay UTC.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SayProUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["email"], name="accounts_user_email_idx")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
