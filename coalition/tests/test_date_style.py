"""One date style (DESIGN.md §4): "zondag 6 december 2026, 14:00", short "6 dec. 2026", named wherever a date shows."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
NAMED = {"DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "TIME_FORMAT",
         "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"}  # fmt: skip


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("nl", "zondag 6 december 2026, 14:00", "6 dec. 2026"),
        ("en", "Sunday 6 December 2026, 14:00", "6 Dec. 2026"),
    ],
)
def test_the_two_styles_in_each_language(language, long, short):
    moment = dt.datetime(2026, 12, 6, 14, 0)
    template = Template('{{ moment|date:"DATETIME_FORMAT" }}|{{ moment|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"moment": moment})) == f"{long}|{short}"


def test_may_has_no_dot_and_march_is_mrt():
    template = Template('{{ may|date:"SHORT_DATE_FORMAT" }} {{ march|date:"SHORT_DATE_FORMAT" }}')
    with translation.override("nl"):
        text = template.render(Context({"may": dt.date(2026, 5, 1), "march": dt.date(2026, 3, 2)}))
    assert text == "1 mei 2026 2 mrt. 2026"


def test_templates_name_their_date_format_instead_of_spelling_one():
    spelled = []
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix in {".html", ".txt"}:
            for fmt in re.findall(r'\|date:"([^"]+)"', path.read_text(encoding="utf-8")):
                if fmt not in NAMED:
                    spelled.append(f"{path.relative_to(ROOT)}: {fmt}")
    assert not spelled, spelled
