"""Accounts in the moderators' console: Django's admin autodiscovery imports this package and
``users`` registers the users' page."""

from django.contrib import admin

from accounts.admin import tokens, users  # noqa: F401  (register the admins)
from accounts.forms import AdminLoginForm

# The console's login counts towards the same login limits as the site's and the API's.
admin.site.login_form = AdminLoginForm
