import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.sweeps import registered_sweeps, sweep_run


class Command(BaseCommand):
    help = "Run every registered periodic sweep once, now (the process clock), and print what each did."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", action="append", default=[], help="run only this sweep (repeatable)")
        parser.add_argument("--list", action="store_true", help="list the registered sweeps and exit")

    def handle(self, *args: object, **options: object) -> None:
        sweeps = registered_sweeps()
        if options["list"]:
            for sweep in sweeps:
                self.stdout.write(f"{sweep.name}\t{sweep.schedule}\t{sweep.description.splitlines()[0]}")
            return
        only = set(options["only"])  # type: ignore[call-overload]
        unknown = only - {sweep.name for sweep in sweeps}
        if unknown:
            raise CommandError(f"unknown sweep(s): {', '.join(sorted(unknown))}")
        now = timezone.now()
        for sweep in sweeps:
            if only and sweep.name not in only:
                continue
            result = sweep_run(sweep.name, now=now)
            self.stdout.write(f"{sweep.name}: {json.dumps(result, default=str)}")
