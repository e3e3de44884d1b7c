from datetime import datetime

from django.db import IntegrityError, transaction

from marketplace.models import NumberSequence


def number_next(*, prefix: str, now: datetime) -> str:
    """The next human number for ``prefix`` in ``now``'s year, e.g. ``SP-2026-000123``.

    Must run inside the caller's transaction: the counter row stays locked until it commits, so
    numbers are unique and, within a year, increasing."""
    year = now.year
    sequence = NumberSequence.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if sequence is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(prefix=prefix, year=year, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs below
        sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{prefix}-{year}-{sequence.last_value:06d}"
