"""The portal's two date styles in Dutch (DESIGN.md §4): "zondag 6 december 2026, 14:00" and, short, "6 dec. 2026".

Templates name them (`|date:"DATETIME_FORMAT"`, `|date:"SHORT_DATE_FORMAT"`) instead of spelling a format, so the
whole portal keeps one style. Input formats stay Django's Dutch ones.
"""

DATE_FORMAT = "l j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
