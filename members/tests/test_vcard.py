"""The vCard download: typed text never becomes a property of its own, long lines are folded, visibility holds."""

import pytest
import vobject
from django.urls import reverse

from members.models import Visibility

from .factories import OrganisationFactory, ProfileFactory

pytestmark = pytest.mark.django_db

BREAKS = ["\r", "\n", "\r\n"]


def vcard_of(client, profile):
    response = client.get(reverse("members:profile_vcard", args=[profile.pk]))
    assert response["Content-Type"].startswith("text/vcard")
    return response.content.decode()


def properties(body):
    """(name, value) of every property, as a vCard reader sees them."""
    card = vobject.readOne(body)
    return {line.name: line.value for line in card.getChildren()}, [line.name for line in card.getChildren()]


@pytest.mark.parametrize("newline", BREAKS, ids=["CR", "LF", "CRLF"])
def test_a_line_break_typed_into_any_field_stays_inside_its_property(member_client, newline):
    profile = ProfileFactory(
        user__first_name=f"Anna{newline}EMAIL:first@evil.example",
        user__last_name=f"Jansen{newline}X-FIRST:1",
        organisation=OrganisationFactory(name=f"GGD{newline}BEGIN:VCARD"),
        job_title=f"Arts{newline}END:VCARD{newline}TEL:0900-1234",
        team_phone=f"0113-1{newline}URL:https://evil.example",
        availability=f"ma–wo{newline}NOTE:injected",
        phone_visibility=Visibility.COORDINATORS,
        email_visibility=Visibility.COORDINATORS,
    )
    body = vcard_of(member_client, profile)
    values, names = properties(body)
    assert sorted(names) == ["FN", "N", "NOTE", "ORG", "TEL", "TITLE", "URL", "VERSION"]
    lines = body.split("\r\n")
    assert lines.count("BEGIN:VCARD") == lines.count("END:VCARD") == 1
    assert "evil.example" not in "".join(values[name] for name in ("URL", "VERSION"))
    # The text comes back whole, the break as a newline inside the value.
    assert values["TITLE"] == "Arts\nEND:VCARD\nTEL:0900-1234"
    assert values["NOTE"] == "ma–wo\nNOTE:injected"
    assert values["ORG"] == ["GGD\nBEGIN:VCARD"]
    assert values["N"].given == "Anna\nEMAIL:first@evil.example"
    for line in lines:
        assert "\r" not in line and "\n" not in line


def test_separators_are_escaped_and_read_back_as_typed(member_client):
    profile = ProfileFactory(
        user__first_name="Anna;X", user__last_name="Jansen, de", job_title="Arts, jeugd; 0-4", availability="a\\b"
    )
    body = vcard_of(member_client, profile)
    assert "TITLE:Arts\\, jeugd\\; 0-4" in body
    values, _ = properties(body)
    assert (values["N"].family, values["N"].given) == ("Jansen, de", "Anna;X")
    assert values["TITLE"] == "Arts, jeugd; 0-4"
    assert values["NOTE"] == "a\\b"


def test_long_lines_are_folded_at_75_octets_and_unfold_to_the_text(member_client):
    availability = "Bereikbaar maandag tot en met donderdag van 8:30–17:00, vrijdag tot 12:00 (Jeugdgezondheidszorg)"
    profile = ProfileFactory(
        user__first_name="Joëlle-Émilie", user__last_name="van den Broek-Çelik" * 3, availability=availability
    )
    body = vcard_of(member_client, profile)
    lines = body.split("\r\n")
    assert max(len(line.encode()) for line in lines) <= 75
    assert any(line.startswith(" ") for line in lines)  # continuation lines
    values, _ = properties(body)
    assert values["NOTE"] == availability
    assert values["FN"] == "Joëlle-Émilie " + "van den Broek-Çelik" * 3


def test_a_member_gets_no_hidden_phone_or_address_and_a_coordinator_gets_both(client, member, coordinator):
    profile = ProfileFactory(
        direct_phone="06-99998888",
        user__email="hidden@example.org",
        phone_visibility=Visibility.COORDINATORS,
        email_visibility=Visibility.COORDINATORS,
    )
    client.force_login(member)
    _, names = properties(vcard_of(client, profile))
    assert "EMAIL" not in names and "TEL" not in names
    client.force_login(coordinator)
    body = vcard_of(client, profile)
    assert "TEL;TYPE=WORK,VOICE,PREF:06-99998888" in body
    assert "EMAIL;TYPE=INTERNET,WORK:hidden@example.org" in body
