"""Names sort the Dutch way everywhere people are listed: surname without tussenvoegsel, first name, then id.

"Bakker", "de Jonge" and "van der Meer" file under B, J and M; accents fold (É with E); "IJ" stays the two letters
i, j as in Van Dale (IJzerman under I, not at Y), and counts as one letter in initials.
"""

import pytest
from django.urls import reverse

from events.exports import registration_csv_rows
from events.models import Registration
from events.tests.factories import EventFactory
from members.exports import profile_csv_rows
from members.models import Profile, User, first_letter, sort_key, surname


@pytest.mark.parametrize(
    ("last_name", "expected"),
    [
        ("van der Meer", "Meer"),
        ("de Jonge", "Jonge"),
        ("Bakker", "Bakker"),
        ("in 't Veld", "Veld"),
        ("Van Damme", "Damme"),
        ("von Bülow", "Bülow"),
        ("d'Ancona", "Ancona"),
        ("El Amrani", "El Amrani"),  # part of the name
        ("de", "de"),  # a surname of its own is never taken away
        ("", ""),
    ],
)
def test_the_surname_leaves_out_the_tussenvoegsel(last_name, expected):
    assert surname(last_name) == expected


def test_sort_keys_fold_accents_case_spaces_and_ligatures():
    assert sort_key("Élodie") == sort_key("elodie") == "elodie"
    assert sort_key("Özdemir-Smit") == "ozdemirsmit"
    assert sort_key("Ĳzerman") == sort_key("IJzerman") == "ijzerman"
    assert sort_key("Søren") == "soren"


@pytest.mark.parametrize(
    ("first_name", "last_name", "initials"),
    [
        ("Mirjam", "van der Meer", "MM"),
        ("Inge", "IJzerman", "IIJ"),
        ("IJsbrand", "de Vries", "IJV"),
        ("Ijeoma", "Okafor", "IO"),  # not the Dutch digraph: a vowel follows
        ("émile", "de Bruijn", "ÉB"),
        ("", "Bakker", "B"),
    ],
)
def test_initials_are_the_first_letters_of_first_name_and_surname(first_name, last_name, initials):
    assert Profile(first_name=first_name, last_name=last_name).initials == initials


def test_first_letter_of_the_ligature_is_ij():
    assert first_letter("Ĳsselmuiden") == "IJ"


# Surnames in Dutch order: A, B, E (accents folded), I (IJ inside I, between "Ibrahim" and "Inge"), J, M, V.
NAMES = [
    ("Jan", "d'Ancona"),
    ("Piet", "Bakker"),
    ("Anna", "van den Berg"),
    ("Émile", "van den Berg"),  # É sorts with E: after Anna
    ("Eva", "van den Berg"),  # Émile and Eva: é = e, then m before v
    ("Sara", "El Amrani"),
    ("Élise", "Evers"),
    ("Kees", "Ibrahim"),
    ("Inge", "IJzerman"),
    ("Bram", "Ĳssel"),  # the ligature, with the IJ names
    ("Noor", "Ingen"),
    ("Lotte", "de Jonge"),
    ("Mirjam", "van der Meer"),
    ("Daan", "Meer"),  # no tussenvoegsel: with the other Meers, by first name
    ("Wouter", "de Vries"),
]
EXPECTED = [
    ("Jan", "d'Ancona"),
    ("Piet", "Bakker"),
    ("Anna", "van den Berg"),
    ("Émile", "van den Berg"),
    ("Eva", "van den Berg"),
    ("Sara", "El Amrani"),
    ("Élise", "Evers"),
    ("Kees", "Ibrahim"),
    ("Bram", "Ĳssel"),
    ("Inge", "IJzerman"),
    ("Noor", "Ingen"),
    ("Lotte", "de Jonge"),
    ("Daan", "Meer"),
    ("Mirjam", "van der Meer"),
    ("Wouter", "de Vries"),
]


def _names(profiles):
    return [(profile.first_name, profile.last_name) for profile in profiles]


@pytest.fixture
def people(db):
    """The names, saved one by one and in bulk (both keep the sort keys), in an order that is none of the above."""
    created = []
    for n, (first, last) in enumerate(reversed(NAMES)):
        user = User.objects.create(email=f"name{n}@example.org", first_name=first, last_name=last)
        profile = Profile(user=user, first_name=first, last_name=last, status=Profile.Status.APPROVED)
        if n % 2:
            profile.save()
        else:
            Profile.objects.bulk_create([profile])
        created.append(profile)
    return created


def test_people_sort_the_dutch_way(people):
    # "Émile" and "Eva" van den Berg: é folds to e, so "emile" < "eva".
    assert _names(Profile.objects.filter(user__email__startswith="name")) == EXPECTED


def test_a_changed_name_sorts_by_its_new_surname(people):
    piet = Profile.objects.get(first_name="Piet")
    piet.last_name = "van Zanten"
    piet.save(update_fields=["last_name"])
    assert _names(Profile.objects.filter(user__email__startswith="name"))[-1] == ("Piet", "van Zanten")
    Profile.objects.filter(pk=piet.pk).update(last_name="Aa")
    assert _names(Profile.objects.filter(user__email__startswith="name"))[0] == ("Piet", "Aa")


def test_the_directory_lists_people_the_dutch_way(people, coordinator_client):
    response = coordinator_client.get(reverse("members:profile_list"), {"page": 1})
    listed = [(p.first_name, p.last_name) for p in response.context["page_obj"].object_list]
    assert [name for name in listed if name in EXPECTED] == EXPECTED


def test_the_members_csv_lists_people_the_dutch_way(people):
    rows = profile_csv_rows(Profile.objects.filter(user__email__startswith="name").order_by("-pk"))
    assert [(row[0], row[1]) for row in rows] == EXPECTED


@pytest.fixture
def registrations(people):
    event = EventFactory()
    for profile in people:
        Registration.objects.create(
            event=event,
            profile=profile,
            name=profile.full_name,
            state=Registration.State.CONFIRMED,
            consent_to_list=True,
        )
    return event


def test_the_check_in_list_and_the_participant_list_sort_the_dutch_way(registrations, coordinator_client):
    expected = [f"{first} {last}" for first, last in EXPECTED]
    check_in = coordinator_client.get(reverse("events:check_in_list", kwargs={"slug": registrations.slug}))
    assert [registration.name for registration in check_in.context["registrations"]] == expected
    participants = coordinator_client.get(reverse("events:participants", kwargs={"slug": registrations.slug}))
    assert [registration.name for registration in participants.context["participants"]] == expected


def test_the_registrations_csv_sorts_the_dutch_way(registrations):
    assert [row[0] for row in registration_csv_rows(registrations)] == [f"{first} {last}" for first, last in EXPECTED]


def test_the_admins_people_picker_sorts_the_dutch_way_and_finds_without_accents(people, coordinator_client):
    url = reverse("admin:autocomplete")
    params = {"app_label": "journal", "model_name": "story", "field_name": "featured_people"}
    found = coordinator_client.get(url, {**params, "term": "berg"}).json()["results"]
    assert [item["text"] for item in found] == ["Anna van den Berg", "Émile van den Berg", "Eva van den Berg"]
    found = coordinator_client.get(url, {**params, "term": "emile"}).json()["results"]
    assert [item["text"] for item in found] == ["Émile van den Berg"]
