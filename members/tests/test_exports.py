"""The coordinators' CSV exports: visibility honoured, spreadsheet formulas neutralised."""

import csv
import io

import pytest
from django.urls import reverse

from coalition.exports import neutralise
from members.models import Profile, Visibility

from .factories import OrganisationFactory, ProfileFactory


def _rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+31 6 123", "'+31 6 123"), ("-2", "'-2"), ("@cmd", "'@cmd"),
     ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Goes", "Goes"), (None, "")],
)  # fmt: skip
def test_neutralise_formula_cells(value, expected):
    assert neutralise(value) == expected


def test_members_csv_honours_visibility_and_neutralises(coordinator_client):
    shown = ProfileFactory(
        user__last_name='=HYPERLINK("x")', direct_phone="06-10101010", user__email="open@example.org"
    )
    hidden = ProfileFactory(
        user__last_name="Prive",
        direct_phone="06-20202020",
        user__email="prive@example.org",
        phone_visibility=Visibility.COORDINATORS,
        email_visibility=Visibility.COORDINATORS,
    )
    unlisted = ProfileFactory(
        user__last_name="Weg", direct_phone="06-30303030", team_phone="0113-303030", is_listed=False
    )
    response = coordinator_client.post(
        reverse("admin:members_profile_changelist"),
        {"action": "export_csv", "_selected_action": [shown.pk, hidden.pk, unlisted.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    rows = _rows(response)
    assert len(rows) == 4
    assert "06-10101010" in body and "open@example.org" in body
    assert "06-20202020" not in body and "prive@example.org" not in body
    assert "06-30303030" not in body and "0113-303030" not in body
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_organisations_csv_neutralises(coordinator_client):
    organisation = OrganisationFactory(name="@Evil", phone="+31113123456")
    response = coordinator_client.post(
        reverse("admin:members_organisation_changelist"),
        {"action": "export_csv", "_selected_action": [organisation.pk]},
    )
    rows = _rows(response)
    assert rows[1][0] == "'@Evil"
    assert "'+31113123456" in rows[1]


def test_member_cannot_use_admin_export(member_client):
    profile = ProfileFactory()
    response = member_client.post(
        reverse("admin:members_profile_changelist"), {"action": "export_csv", "_selected_action": [profile.pk]}
    )
    assert response.status_code == 302  # sent to the admin login
    assert Profile.objects.count() == 2
