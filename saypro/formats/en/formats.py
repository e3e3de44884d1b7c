"""English date formats with the time zone's abbreviation on every date-time a page or the console
shows (``FORMAT_MODULE_PATH``): times are the signed-in person's own zone
(``accounts.middleware.UserTimeZoneMiddleware``), so "14:05" alone would not say which."""

DATETIME_FORMAT = "N j, Y, P T"
SHORT_DATETIME_FORMAT = "m/d/Y P T"
