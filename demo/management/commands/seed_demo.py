"""``manage.py seed_demo``: load the demo marketplace and a login for every role (see ``demo.marketplace``),
then replay six months of conversations (``demo.inquiries``) and reviews (``demo.reviews``) through the
services, the help desk's tickets (``demo.helpdesk``) and six months of surveys and feedback (``demo.feedback``),
in one transaction. With the logins it prints the links of the demo buyer's open surveys.

Idempotent: when the demo data is already there (the ``admin`` user or a demo store exists), it says so and
changes nothing. ``--once`` is the same check, quieter, for ``make run``: one line, and the logins table
only with ``--logins`` (``make run`` prints it once, when the site is up). ``--print-logins`` only prints.
"""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from demo.feedback import build_demo_feedback, demo_open_surveys
from demo.helpdesk import build_demo_tickets
from demo.inquiries import build_demo_conversations
from demo.marketplace.builder import DemoBuilder, demo_data_exists
from demo.marketplace.data import DEFAULT_ORDERS, DEFAULT_PASSWORD, LOGINS, RANDOM_SEED
from demo.reviews import build_demo_reviews
from demo.royalty import PARTNER_USERNAME, build_demo_royalty
from demo.webhooks import DEMO_RECEIVER_URL, build_demo_webhooks


class Command(BaseCommand):
    help = "Load demo marketplace data, conversations, reviews and a login for every role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Do nothing (quietly) if the demo data exists.")
        parser.add_argument(
            "--print-logins", action="store_true", help="Only print the demo usernames, roles and password."
        )
        parser.add_argument(
            "--logins", action="store_true", help="With --once: print the logins table after the status line."
        )
        parser.add_argument(
            "--orders", type=int, default=DEFAULT_ORDERS, help=f"How many orders (default {DEFAULT_ORDERS})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("SEED_DEMO_PASSWORD") or DEFAULT_PASSWORD
        if options["print_logins"]:
            self._print_logins(password)
            return
        if demo_data_exists():
            if options["once"]:
                self.stdout.write("Demo data already loaded.")
                if options["logins"]:
                    self._print_logins(password)
                    self._print_surveys()
            else:
                self.stdout.write(
                    "Demo data already exists (the 'admin' user or a demo store is present): nothing changed."
                )
            return
        now = timezone.now()
        with transaction.atomic():
            counts = DemoBuilder(
                password=password, order_count=max(options["orders"], 1), now=now, seed=RANDOM_SEED
            ).build()
            # The conversations replay through the inquiry services, on top of the marketplace records.
            counts |= build_demo_conversations(now=now, seed=RANDOM_SEED)
            # Reviews of the delivered orders, the stores' responses, follow-ups and review cases.
            counts |= build_demo_reviews(now=now, seed=RANDOM_SEED)
            # Help desk tickets in every state, with their logs, and the staff's reply macros.
            counts |= build_demo_tickets(now=now)
            # Six months of surveys (the replays' invitations sent and answered, the help desk's archive),
            # the feedback log, keyword rules, category owners and action plans.
            counts |= build_demo_feedback(now=now, seed=RANDOM_SEED)
            # Royalty: affiliates, attributed sales and two closed months of statements (one paid).
            counts |= build_demo_royalty(now=now)
            # Last: the history above is not sent; the demo endpoint receives what happens from now on.
            counts |= build_demo_webhooks(now=now)
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
        if not options["once"] or options["logins"]:
            self._print_logins(password)
            self._print_surveys()

    def _print_logins(self, password: str) -> None:
        width = max(len(login.username) for login in LOGINS) + 2
        role_width = max(len(login.role.label) for login in LOGINS) + 2
        lines = [f"    {'username':<{width}}{'role':<{role_width}}starts on"]
        lines.append(f"    {'-' * (width - 2):<{width}}{'-' * (role_width - 2):<{role_width}}{'-' * 9}")
        lines += [f"    {login.username:<{width}}{login.role.label:<{role_width}}{login.lands_on}" for login in LOGINS]
        # The royalty partner's own sign-in (demo.royalty makes it): its statements and preview.
        lines.append(f"    {PARTNER_USERNAME:<{width}}{'Affiliate (partner)':<{role_width}}/royalty/")
        lines.append(f"    password for all: {password}")
        lines.append(
            f"    webhooks: every event goes to {DEMO_RECEIVER_URL}; to watch them arrive, run"
            " .venv/bin/python scripts/webhook_receiver.py"
        )
        self.stdout.write("\n".join(lines))

    def _print_surveys(self) -> None:
        """The demo buyer's open survey links: the survey page needs no login."""
        surveys = demo_open_surveys(now=timezone.now())
        if not surveys:
            return
        lines = ["    surveys to try (no login needed, as buyer):"]
        lines += [f"      /surveys/{invitation.token}/  {invitation.about_label}" for invitation in surveys]
        self.stdout.write("\n".join(lines))
