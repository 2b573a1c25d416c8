"""Flash messages take the right Dutch article, and the admin's own add/change messages reach a person with it."""

import pytest
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

from coalition.messages import with_dutch_article


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("De verhaal ‘Een goed begin’ is toegevoegd.", "Het verhaal ‘Een goed begin’ is toegevoegd."),
        ("De profiel ‘Mirjam van der Meer’ is gewijzigd.", "Het profiel ‘Mirjam van der Meer’ is gewijzigd."),
        ("De aansluitverzoek ‘Borsele’ is verwijderd.", "Het aansluitverzoek ‘Borsele’ is verwijderd."),
        ("De redactielidmaatschap ‘Anna’ is toegevoegd.", "Het redactielidmaatschap ‘Anna’ is toegevoegd."),
        ("De bijeenkomst ‘Masterclass’ is toegevoegd.", "De bijeenkomst ‘Masterclass’ is toegevoegd."),
        ("De verhalen zijn gepubliceerd.", "De verhalen zijn gepubliceerd."),
        ("Het verhaal is al gepubliceerd.", "Het verhaal is al gepubliceerd."),
    ],
)
def test_a_het_word_gets_het_and_everything_else_is_left_alone(message, expected):
    with translation.override("nl"):
        assert with_dutch_article(message) == expected


def test_english_is_left_alone_and_safe_html_stays_safe():
    with translation.override("en"):
        assert with_dutch_article("De verhaal") == "De verhaal"
    with translation.override("nl"):
        fixed = with_dutch_article(mark_safe('De verhaal ‘<a href="/x/">X</a>’ is toegevoegd.'))
    assert isinstance(fixed, SafeData)
    assert fixed.startswith("Het verhaal")


@pytest.mark.django_db
def test_the_admin_says_het_verhaal_when_a_coordinator_adds_a_theme(client, django_user_model):
    # A theme ("thema") is a het-word and the simplest model a coordinator adds in the admin.
    admin = django_user_model.objects.create_superuser(email="root@example.org", password="x-secret-42")
    client.force_login(admin)
    response = client.post(
        "/admin/members/theme/add/",
        {"name": "Armoede en schulden", "slug": "armoede"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any(t.startswith("Het thema ‘") and "Armoede en schulden</a>’ is" in t for t in texts), texts
