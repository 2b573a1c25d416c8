"""The one CSV writer: formula cells are neutralised, the file opens as UTF-8 with semicolons."""

import pytest

from coalition.exports import csv_response, neutralise


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+31 6 1234", "-1", "@cmd", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_is_quoted(cell):
    assert neutralise(cell) == "'" + cell


def test_ordinary_cells_and_empty_values_pass_unchanged():
    assert neutralise("Jansen, Piet") == "Jansen, Piet"
    assert neutralise(None) == ""
    assert neutralise(42) == "42"


def test_the_response_is_a_semicolon_csv_with_a_bom_that_no_cache_keeps():
    response = csv_response("people.csv", ["Naam", "Telefoon"], [["Anna de Vries", "=1+1"]])
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffNaam;Telefoon\r\n")
    assert "Anna de Vries;'=1+1\r\n" in body
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert response["Cache-Control"] == "private, no-store"
