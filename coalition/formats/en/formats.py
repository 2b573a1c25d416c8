"""The portal's two date styles in English, shaped as the Dutch: "Sunday 6 December 2026, 14:00", "6 Dec. 2026"."""

from coalition.formats.nl.formats import (  # noqa: F401 - Django reads these names from this module
    DATE_FORMAT,
    DATETIME_FORMAT,
    MONTH_DAY_FORMAT,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)
