"""Durations in words, the same everywhere (pages, console, notifications, emails).

Two registers of the one wording, on purpose:

- ``duration_text``: the compact clock of countdowns and tables (``2 h 05 min``, ``12 min``,
  ``< 1 min``, ``3 days``). ``static/js/inquiries.js`` words the live countdowns the same way, so a
  page that ticks in the browser never jumps between wordings.
- ``duration_words``: a target or a typical time inside a sentence (``within 4 hours``, ``usually
  replies within 2.5 hours``, ``12 minutes``), where ``4 h 00 min`` would read as a clock.
"""


def duration_text(seconds: float | None) -> str:
    """``2 h 05 min``, ``12 min``, ``< 1 min``; two days and more in whole days; ``—`` for no
    figure. The sign is ignored (the caller says "left" or "overdue by")."""
    if seconds is None:
        return "—"
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min" if minutes else "< 1 min"


def duration_words(seconds: float) -> str:
    """``12 minutes`` (at least ``1 minute``), ``4 hours``, ``2.5 hours``: hours to one decimal."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60, 1)
    return f"{hours:g} hour{'s' if hours != 1 else ''}"
