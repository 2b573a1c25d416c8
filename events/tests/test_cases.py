"""Cases of a case consultation (MDO; issue 18, point 6): a theme and a question put to a coming meeting by its
members under a fixed warning, identifiers refused at the field, listed for those who see inside the group, the
advice recorded by those who manage it, and detached from the submitter after the retention period."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from coalition.rules import NotAllowed
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import services, tasks
from events.models import Case
from groups.models import Group

from .factories_groups import GroupFactory, MeetingFactory, in_group, roles_around

pytestmark = pytest.mark.django_db

INSIDE = {"member", "group_coordinator", "own_coalition_coordinator", "regional_coordinator"}
MANAGERS = {"group_coordinator", "own_coalition_coordinator", "regional_coordinator"}
MEMBERS = {"member", "group_coordinator"}
BSN = "111222333"


@pytest.fixture
def group():
    return GroupFactory(name="MDO Borsele", kind=Group.Kind.CASE_CONSULTATION)


@pytest.fixture
def people(group, coordinator, pending_member):
    return {**roles_around(group), "regional_coordinator": coordinator, "pending": pending_member}


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group, title="MDO juni")


def _login(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])
    return client


def _case(meeting, by, **fields):
    return services.submit_case(
        meeting,
        by=by,
        theme=fields.get("theme", "Geldzorgen rond een geboorte"),
        question=fields.get("question", "Hoe?"),
    )


# --- Submitting ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["member", "group_coordinator", "outsider", "requested", "own_coalition_coordinator", "pending"]
)
def test_only_members_of_the_consultation_put_a_case(meeting, people, role):
    if role in MEMBERS:
        case = _case(meeting, people[role])
        assert case.submitted_by == people[role].profile
    else:
        with pytest.raises(NotAllowed):
            _case(meeting, people[role])
        assert not Case.objects.exists()


def test_a_case_goes_only_to_a_coming_meeting_of_a_case_consultation(group, people):
    start = timezone.now() - timedelta(days=1)
    past = MeetingFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=2))
    working_group = GroupFactory()
    member = people["member"]
    in_group_user = in_group(working_group)
    with pytest.raises(NotAllowed):
        _case(past, member)
    with pytest.raises(NotAllowed):
        _case(MeetingFactory(group=working_group), in_group_user)


@pytest.mark.parametrize("field", ["theme", "question"])
def test_the_service_refuses_identifiers_in_every_field(meeting, people, field):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        _case(meeting, people["member"], **{field: f"Vraag over {BSN}"})
    assert field in refused.value.message_dict
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("pending", 404),
        ("outsider", 404),
        ("other_coalition_coordinator", 404),
        ("own_coalition_coordinator", 403),  # sees inside, but puts no cases: not a member of the consultation
        ("member", 200),
        ("group_coordinator", 200),
    ],
)
def test_the_case_form_is_for_the_members_of_the_consultation(client, meeting, people, role, status):
    _login(client, people, role)
    url = reverse("events:case_new", args=[meeting.slug])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert "case-warning" in response.text
        assert escape(str(response.context["warning"])) in response.text  # the fixed warning above the form
        assert response.text.index("case-warning") < response.text.index('name="question"')


def test_a_case_is_put_through_the_form(client, meeting, people):
    _login(client, people, "member")
    response = client.post(
        reverse("events:case_new", args=[meeting.slug]), {"theme": "Schulden", "question": "Wie belt de schuldhulp?"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("events:case_list", args=[meeting.slug])
    case = Case.objects.get()
    assert (case.theme, case.question, case.submitted_by) == (
        "Schulden",
        "Wie belt de schuldhulp?",
        people["member"].profile,
    )


@pytest.mark.parametrize(
    ("question", "words"),
    [
        (f"Moeder met bsn {BSN} vraagt hulp", "BSN"),
        ("Gezin woont op 4451 AB 12 in Heinkenszand", "postcode"),
        ("Kind geboren op 03-04-2024, wat nu?", "date of birth"),
    ],
)
def test_an_identifier_is_refused_at_the_field_and_in_the_summary_with_the_rest_kept(
    client, meeting, people, question, words
):
    _login(client, people, "member")
    response = client.post(
        reverse("events:case_new", args=[meeting.slug]),
        {"theme": "Schulden en een baby", "question": question},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"question"}
    assert "error-summary" in response.text
    assert 'href="#id_question"' in response.text  # the summary links to the field
    assert 'value="Schulden en een baby"' in response.text  # the rest is kept
    message = str(form.errors["question"][0])
    assert words in message
    assert response.text.count(message[:40]) >= 2  # at the field and in the summary above
    assert not Case.objects.exists()


# --- Listing and advice -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("pending", 404),
        ("outsider", 404),
        ("requested", 404),
        ("other_coalition_coordinator", 404),
        ("member", 200),
        ("group_coordinator", 200),
        ("own_coalition_coordinator", 200),
        ("regional_coordinator", 200),
    ],
)
def test_the_cases_are_listed_for_those_who_see_inside_the_group(client, meeting, people, role, status):
    _case(meeting, people["member"], theme="Geldzorgen rond een geboorte")
    _login(client, people, role)
    response = client.get(reverse("events:case_list", args=[meeting.slug]))
    assert response.status_code == status
    if status == 200:
        assert "Geldzorgen rond een geboorte" in response.text
        assert response.context["can_advise"] == (role in MANAGERS)


def test_a_working_groups_meeting_has_no_case_list(client, people):
    group = GroupFactory()
    meeting = MeetingFactory(group=group)
    client.force_login(in_group(group))
    assert client.get(reverse("events:case_list", args=[meeting.slug])).status_code == 403


@pytest.mark.parametrize("role", sorted(INSIDE | {"outsider", "other_coalition_coordinator"}))
def test_the_advice_is_recorded_by_those_who_manage_the_consultation(client, meeting, people, role):
    case = _case(meeting, people["member"])
    _login(client, people, role)
    response = client.post(reverse("events:case_advice", args=[case.pk]), {"advice": "Schakel de POH-GGZ in."})
    case.refresh_from_db()
    if role in MANAGERS:
        assert response.status_code == 302
        assert case.advice == "Schakel de POH-GGZ in."
    else:
        assert response.status_code == 403
        assert case.advice == ""


def test_the_advice_is_checked_for_identifiers_too(client, meeting, people):
    case = _case(meeting, people["member"])
    _login(client, people, "group_coordinator")
    response = client.post(reverse("events:case_advice", args=[case.pk]), {"advice": f"Bel over {BSN}"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"advice"}
    case.refresh_from_db()
    assert case.advice == ""
    with pytest.raises(ValidationError):
        services.record_advice(case, by=people["group_coordinator"], advice="Postcode 1234 AB 5")


def test_the_meeting_page_links_the_cases_for_those_inside(client, meeting, people):
    _login(client, people, "member")
    page = client.get(meeting.get_absolute_url())
    assert reverse("events:case_list", args=[meeting.slug]) in page.text
    assert reverse("events:case_new", args=[meeting.slug]) in page.text


def test_the_group_page_counts_each_meetings_cases_and_leads_to_them(client, meeting, people):
    Case.objects.create(event=meeting, theme="Geldzorgen", question="Wie belt?", submitted_by=None)
    Case.objects.create(event=meeting, theme="Somberheid", question="Wanneer de huisarts?", submitted_by=None)
    _login(client, people, "member")
    html = client.get(meeting.group.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nl").text
    assert f'href="{reverse("events:case_list", args=[meeting.slug])}"' in html
    assert "2 casussen" in html


def test_the_case_list_takes_the_same_queries_however_many_cases(client, meeting, group, people):
    def grow(count):
        for number in range(count):
            _case(meeting, in_group(group), theme=f"Thema {number}")

    _login(client, people, "group_coordinator")
    assert_same_count_as_data_grows(client, reverse("events:case_list", args=[meeting.slug]), grow)


# --- Retention ---------------------------------------------------------------------------------------------------


def test_cases_are_detached_from_the_submitter_after_the_retention_period_and_twice_is_safe(settings, group, people):
    settings.CASE_RETENTION_MONTHS = 6
    now = timezone.now()
    old_start = now - timedelta(days=200)
    recent_start = now - timedelta(days=100)
    old = MeetingFactory(group=group, starts_at=old_start, ends_at=old_start + timedelta(hours=2))
    recent = MeetingFactory(group=group, starts_at=recent_start, ends_at=recent_start + timedelta(hours=2))
    author = people["member"].profile
    old_case = Case.objects.create(event=old, theme="Oud", question="?", submitted_by=author)
    recent_case = Case.objects.create(event=recent, theme="Recent", question="?", submitted_by=author)
    assert tasks.detach_old_cases() == 1
    old_case.refresh_from_db()
    recent_case.refresh_from_db()
    assert old_case.submitted_by is None and old_case.detached_at is not None
    assert old_case.theme == "Oud"  # the case itself stays for the record
    assert recent_case.submitted_by == author and recent_case.detached_at is None
    first = old_case.detached_at
    assert tasks.detach_old_cases() == 0
    old_case.refresh_from_db()
    assert old_case.detached_at == first


def test_the_retention_period_follows_the_setting(settings, group, people):
    settings.CASE_RETENTION_MONTHS = 2
    start = timezone.now() - timedelta(days=100)
    meeting = MeetingFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=2))
    Case.objects.create(event=meeting, theme="Thema", question="?", submitted_by=people["member"].profile)
    assert services.detach_old_cases() == 1


def test_the_default_retention_is_six_months():
    from django.conf import settings  # noqa: PLC0415

    assert settings.CASE_RETENTION_MONTHS == 6


def test_the_beat_runs_the_retention_task():
    from coalition.celery import app  # noqa: PLC0415

    assert any(entry["task"] == "events.tasks.detach_old_cases" for entry in app.conf.beat_schedule.values())
