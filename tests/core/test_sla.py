"""The SLA clock toolkit (``core.sla``) on a real clock table (the inquiries'): the claim marks each
due clock once and only due ones; pausing takes a clock out of the sweep and resuming moves its
deadline on by the pause; retargeting starts a new deadline that is warned and escalated once
again; a stopped clock is never due, a restarted one is."""

from datetime import UTC, datetime, timedelta

import pytest

from core.sla import ClockClaim, clock_pause, clock_restart, clock_resume, clock_retarget, clock_stop, sweep_in_batches
from inquiries.models import InquiryClock
from tests.inquiries.factories import InquiryFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
CLAIM = ClockClaim(model=InquiryClock, key="inquiry_id")


def _clock(opened: datetime = T0) -> InquiryClock:
    """Warned at 3 h, due at 4 h (the inquiries' settings)."""
    return InquiryClock.objects.get(pk=InquiryFactory(awaiting_since=opened).pk)


def _clocks(clock: InquiryClock):  # type: ignore[no-untyped-def]
    return InquiryClock.objects.filter(pk=clock.pk)


def test_the_claim_marks_only_due_clocks_each_once_in_deadline_order():
    later, first, not_due = _clock(T0 + HOUR), _clock(T0), _clock(T0 + 10 * HOUR)
    now = T0 + 6 * HOUR

    assert CLAIM.due(stage="escalate", now=now, batch_size=10) == [first.pk, later.pk]
    assert CLAIM.due(stage="escalate", now=now, batch_size=10) == []
    assert list(InquiryClock.objects.filter(escalated_at=now).order_by("pk").values_list("pk", flat=True)) == sorted(
        [first.pk, later.pk]
    )
    not_due.refresh_from_db()
    assert not_due.escalated_at is None


def test_the_warning_is_for_clocks_past_warn_at_and_not_yet_due():
    due, warnable = _clock(T0), _clock(T0 + 2 * HOUR)
    now = T0 + 5 * HOUR  # the first is past due (escalated instead), the second in its warning window

    assert CLAIM.due(stage="warn", now=now, batch_size=10) == [warnable.pk]
    assert CLAIM.due(stage="warn", now=now, batch_size=10) == []
    due.refresh_from_db()
    assert due.warned_at is None


def test_a_paused_clock_is_never_due_and_resuming_moves_its_deadline_on_by_the_pause():
    clock = _clock()
    assert clock_pause(_clocks(clock), now=T0 + HOUR) == 1
    assert clock_pause(_clocks(clock), now=T0 + 2 * HOUR) == 0  # already paused: the first time stands

    assert CLAIM.due(stage="escalate", now=T0 + 30 * HOUR, batch_size=10) == []
    assert CLAIM.due(stage="warn", now=T0 + 3 * HOUR, batch_size=10) == []
    clock.refresh_from_db()
    assert clock.remaining(now=T0 + 30 * HOUR) == 3 * HOUR  # what it had when it was paused

    assert clock_resume(_clocks(clock), now=T0 + 11 * HOUR) == 1  # paused for 10 hours
    clock.refresh_from_db()
    assert (clock.warn_at, clock.due_at, clock.paused_at) == (T0 + 13 * HOUR, T0 + 14 * HOUR, None)
    assert CLAIM.due(stage="escalate", now=T0 + 14 * HOUR - timedelta(seconds=1), batch_size=10) == []
    assert CLAIM.due(stage="escalate", now=T0 + 14 * HOUR, batch_size=10) == [clock.pk]


def test_retargeting_starts_a_new_deadline_that_is_warned_and_escalated_once_again():
    clock = _clock()
    assert CLAIM.due(stage="escalate", now=T0 + 4 * HOUR, batch_size=10) == [clock.pk]

    # Handed to a department with its own 24-hour target, warned 2 hours before it.
    clock_retarget(_clocks(clock), now=T0 + 5 * HOUR, target=24 * HOUR, warn_before=2 * HOUR)
    clock.refresh_from_db()
    assert (clock.due_at, clock.warn_at, clock.warned_at, clock.escalated_at) == (
        T0 + 29 * HOUR,
        T0 + 27 * HOUR,
        None,
        None,
    )
    assert CLAIM.due(stage="escalate", now=T0 + 28 * HOUR, batch_size=10) == []
    assert CLAIM.due(stage="warn", now=T0 + 28 * HOUR, batch_size=10) == [clock.pk]
    assert CLAIM.due(stage="escalate", now=T0 + 29 * HOUR, batch_size=10) == [clock.pk]
    assert CLAIM.due(stage="escalate", now=T0 + 40 * HOUR, batch_size=10) == []


def test_a_stopped_clock_is_never_due_and_a_restarted_one_is_on_its_old_deadline():
    clock = _clock()
    assert clock_stop(_clocks(clock), now=T0 + HOUR) == 1
    assert clock_stop(_clocks(clock), now=T0 + 2 * HOUR) == 0
    assert CLAIM.due(stage="escalate", now=T0 + 10 * HOUR, batch_size=10) == []

    assert clock_restart(_clocks(clock)) == 1
    assert CLAIM.due(stage="escalate", now=T0 + 10 * HOUR, batch_size=10) == [clock.pk]


def test_batches_repeat_until_one_comes_back_short_and_each_commits_on_its_own():
    clocks = [_clock(T0 + index * timedelta(minutes=1)) for index in range(5)]
    handled: list[list[int]] = []

    total = sweep_in_batches(
        claim=lambda: CLAIM.due(stage="escalate", now=T0 + 10 * HOUR, batch_size=2),
        handle=handled.append,
        batch_size=2,
    )

    assert total == 5
    assert handled == [[clocks[0].pk, clocks[1].pk], [clocks[2].pk, clocks[3].pk], [clocks[4].pk]]


def test_a_batch_whose_handling_fails_is_rolled_back_claim_included():
    clock = _clock()

    def broken(keys: list[int]) -> None:
        raise RuntimeError("notices table unavailable")

    with pytest.raises(RuntimeError):
        sweep_in_batches(
            claim=lambda: CLAIM.due(stage="escalate", now=T0 + 5 * HOUR, batch_size=10), handle=broken, batch_size=10
        )
    clock.refresh_from_db()
    assert clock.escalated_at is None
    assert CLAIM.due(stage="escalate", now=T0 + 5 * HOUR, batch_size=10) == [clock.pk]
