import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from accounts.models import GROUP_NAMES, Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.BUYER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def staff_group(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        group_name = GROUP_NAMES.get(self.role)
        if group_name:
            self.groups.add(Group.objects.get(name=group_name))
            self.is_staff = True
        self.save()


class BuyerFactory(UserFactory):
    role = Role.BUYER


class StaffFactory(UserFactory):
    role = Role.SUPPORT


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True
