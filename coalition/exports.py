"""The one CSV writer of the portal: semicolons, UTF-8 with a BOM, and no cell a spreadsheet would run.

The apps build the rows (with their privacy rules) in `<app>/exports.py`; this module only writes them.
"""

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

# A cell a spreadsheet would read as a formula (or that hides one behind a tab or CR).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """Make a CSV cell inert in spreadsheets: a leading formula character is quoted with '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A download of `header` and `rows`, every cell neutralised; spreadsheets read it as UTF-8 thanks to the BOM."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return response
