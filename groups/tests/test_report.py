"""The look back and ahead: what it counts per group since a date, who may open it, its PDF, and its queries."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from coalition.rules import refusal_reason
from groups import sections
from groups.models import Action, Group, Membership
from groups.reports import default_since, look_back
from members.tests.factories import ProfileFactory
from network.models import Coalition
from network.tests.factories import CoalitionFactory

from .factories import ActionFactory, GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

DONE, DROPPED, OPEN, IN_PROGRESS = (
    Action.Status.DONE,
    Action.Status.DROPPED,
    Action.Status.OPEN,
    Action.Status.IN_PROGRESS,
)


class FakeMeetings:
    """A meetings source as the events app registers one: {group id: [Meeting]} from `since` on, in one query."""

    def __init__(self):
        self.meetings = {}
        self.calls = []

    def __call__(self, groups, since):
        ids = [group.pk for group in groups]
        self.calls.append((ids, since))
        list(Group.objects.filter(pk__in=ids).values_list("pk", flat=True))  # one query, as a real source makes
        return {
            group_id: [meeting for meeting in meetings if meeting.starts_at.date() >= since]
            for group_id, meetings in self.meetings.items()
            if group_id in ids
        }


@pytest.fixture
def fake_meetings(monkeypatch):
    source = FakeMeetings()
    monkeypatch.setattr(sections, "MEETINGS", [source])
    return source


def _at(day, hour=14):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


TODAY = date(2026, 12, 1)
SINCE = date(2026, 6, 1)


def test_six_months_ago_is_the_same_day_or_the_last_day_of_a_shorter_month():
    assert default_since(date(2026, 12, 1)) == date(2026, 6, 1)
    assert default_since(date(2026, 8, 31)) == date(2026, 2, 28)
    assert default_since(date(2026, 3, 15)) == date(2025, 9, 15)


def test_actions_count_as_done_dropped_open_or_overdue_from_the_date_on(fake_meetings):
    group = GroupFactory(name="Vroegsignalering")
    make = lambda title, status, **kw: ActionFactory(group=group, title=title, status=status, **kw)  # noqa: E731
    make("Kaart verspreid", DONE, closed_on=date(2026, 9, 1))
    make("Lang geleden klaar", DONE, closed_on=date(2026, 5, 31))
    make("Klaar op de dag zelf", DONE, closed_on=SINCE)
    make("Gestopt", DROPPED, closed_on=date(2026, 7, 1))
    make("Lang geleden gestopt", DROPPED, closed_on=date(2026, 1, 1))
    make("Scholing plannen", OPEN, due_on=date(2027, 1, 15))
    make("Zonder datum", IN_PROGRESS)
    make("Vandaag af", OPEN, due_on=TODAY)
    make("Te laat", OPEN, due_on=date(2026, 11, 20))
    make("Ook te laat, al lang open", IN_PROGRESS, due_on=date(2026, 3, 1))

    report = look_back(group.coalition, since=SINCE, today=TODAY)

    (entry,) = report.groups
    assert [a.title for a in entry.done] == ["Klaar op de dag zelf", "Kaart verspreid"]
    assert [a.title for a in entry.dropped] == ["Gestopt"]
    assert [a.title for a in entry.open] == ["Vandaag af", "Scholing plannen", "Zonder datum"]
    assert [a.title for a in entry.overdue] == ["Ook te laat, al lang open", "Te laat"]
    assert (report.done_count, report.open_count, report.overdue_count) == (2, 3, 2)


def test_an_action_closed_without_a_recorded_day_counts_by_its_last_change(fake_meetings):
    group = GroupFactory()
    recent = ActionFactory(group=group, title="Onlangs klaar", status=DONE)
    old = ActionFactory(group=group, title="Lang geleden klaar", status=DONE)
    Action.objects.filter(pk=recent.pk).update(updated_at=_at(date(2026, 10, 1)))
    Action.objects.filter(pk=old.pk).update(updated_at=_at(date(2026, 1, 1)))

    (entry,) = look_back(group.coalition, since=SINCE, today=TODAY).groups

    assert [a.title for a in entry.done] == ["Onlangs klaar"]


def test_the_report_holds_the_coalitions_groups_only_and_those_archived_in_the_period(fake_meetings):
    coalition = CoalitionFactory()
    mine = GroupFactory(coalition=coalition, name="B-werkgroep")
    mdo = GroupFactory(coalition=coalition, name="A-MDO", kind=Group.Kind.CASE_CONSULTATION)
    GroupFactory(coalition=coalition, name="Lang geleden gestopt", archived_at=_at(date(2026, 2, 1)))
    recently = GroupFactory(coalition=coalition, name="Net gestopt", archived_at=_at(date(2026, 10, 1)))
    GroupFactory(name="Van een andere coalitie")
    GroupFactory(coalition=None, name="Regionaal")

    report = look_back(coalition, since=SINCE, today=TODAY)

    # Working groups first, then the case consultations; by name within a kind.
    assert [entry.group for entry in report.groups] == [mine, recently, mdo]
    assert all(entry.is_quiet for entry in report.groups)


def test_each_group_gets_its_meetings_since_the_date_with_their_decisions(fake_meetings):
    group, other = GroupFactory(), GroupFactory()
    fake_meetings.meetings = {
        group.pk: [
            sections.Meeting(starts_at=_at(date(2026, 5, 1)), title="Te vroeg"),
            sections.Meeting(
                starts_at=_at(date(2026, 9, 10)),
                title="Overleg september",
                decisions="- Eén kaart voor iedereen",
                has_notes=True,
                actions_created=["Kaart verspreiden"],
            ),
        ],
        other.pk: [sections.Meeting(starts_at=_at(date(2026, 9, 1)), title="Van een andere coalitie")],
    }

    report = look_back(group.coalition, since=SINCE, today=TODAY)

    (entry,) = report.groups
    assert [m.title for m in entry.meetings] == ["Overleg september"]
    assert entry.meetings[0].decisions == "- Eén kaart voor iedereen"
    assert fake_meetings.calls == [([group.pk], SINCE)]
    assert report.meeting_count == 1 and not entry.is_quiet


def test_the_coordinators_and_the_number_of_members_are_named(fake_meetings):
    group = GroupFactory()
    coordinator = MembershipFactory(group=group, role=Membership.Role.COORDINATOR).profile
    MembershipFactory(group=group)
    MembershipFactory(group=group, state=Membership.State.REQUESTED)

    (entry,) = look_back(group.coalition, since=SINCE, today=TODAY).groups

    assert entry.coordinators == [coordinator]
    assert entry.member_count == 2


def _big_coalition(groups, actions_per_group):
    coalition = CoalitionFactory()
    owners = ProfileFactory.create_batch(3)
    statuses = [DONE, DROPPED, OPEN, IN_PROGRESS]
    for n in range(groups):
        group = GroupFactory(coalition=coalition, name=f"Groep {coalition.pk}-{n}")
        MembershipFactory(group=group, profile=owners[n % 3], role=Membership.Role.COORDINATOR)
        for i in range(actions_per_group):
            status = statuses[i % 4]
            ActionFactory(
                group=group,
                status=status,
                due_on=TODAY + timedelta(days=(i % 7) - 3),
                closed_on=TODAY - timedelta(days=i) if status in (DONE, DROPPED) else None,
                owners=owners[: 1 + i % 3],
            )
    return coalition


def test_the_report_takes_the_same_number_of_queries_for_many_groups_and_actions(fake_meetings, coordinator_client):
    small, large = _big_coalition(1, 1), _big_coalition(30, 8)
    counts = []
    for coalition in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(reverse("groups:report", args=[coalition.slug]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "Groep" in response.content.decode()
    # And the data: groups, coordinators (with profiles), actions, owners, and the one meetings source.
    with CaptureQueriesContext(connection) as queries:
        look_back(large, since=SINCE, today=TODAY)
    assert len(queries) == 5


# --- Who may open it --------------------------------------------------------------------------------------------


@pytest.fixture
def own_coalition(coalition_coordinator):
    return Coalition.objects.get(coordinators__user=coalition_coordinator)


def _get(client, user, name, coalition):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, args=[coalition.slug]))


@pytest.mark.parametrize("name", ["groups:report", "groups:report_pdf"])
def test_anonymous_visitors_are_sent_to_log_in(client, name, own_coalition, fake_meetings):
    response = _get(client, None, name, own_coalition)
    assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.parametrize("name", ["groups:report", "groups:report_pdf"])
def test_members_pending_people_and_group_members_are_refused(
    client, name, own_coalition, member, pending_member, fake_meetings
):
    group = GroupFactory(coalition=own_coalition)
    in_group = MembershipFactory(group=group, role=Membership.Role.COORDINATOR).profile.user
    for user in (member, pending_member, in_group):
        response = _get(client, user, name, own_coalition)
        assert response.status_code == 403, user
        with translation.override(settings.LANGUAGE_CODE):
            assert refusal_reason(user, "groups.view_report") in response.content.decode()


@pytest.mark.parametrize("name", ["groups:report", "groups:report_pdf"])
def test_a_coalition_coordinator_opens_their_own_coalitions_report_only(
    client, name, own_coalition, coalition_coordinator, fake_meetings
):
    other = CoalitionFactory()
    assert _get(client, coalition_coordinator, name, own_coalition).status_code == 200
    assert _get(client, coalition_coordinator, name, other).status_code == 403


@pytest.mark.parametrize("name", ["groups:report", "groups:report_pdf"])
def test_a_regional_coordinator_opens_every_coalitions_report(client, name, coordinator, fake_meetings):
    for coalition in CoalitionFactory.create_batch(2):
        assert _get(client, coordinator, name, coalition).status_code == 200
    assert client.get(reverse(name, args=["no-such-coalition"])).status_code == 404


def test_the_rule_is_asked_with_the_coalition(coalition_coordinator, own_coalition):
    assert coalition_coordinator.has_perm("groups.view_report", own_coalition)
    assert not coalition_coordinator.has_perm("groups.view_report", CoalitionFactory())


# --- The page -----------------------------------------------------------------------------------------------------


def test_the_page_shows_each_group_with_its_actions_and_meetings(coordinator_client, fake_meetings):
    group = GroupFactory(name="Passend en afgestemd aanbod")
    owner = MembershipFactory(group=group).profile
    today = timezone.localdate()
    ActionFactory(group=group, title="Sociale kaart bijgewerkt", status=DONE, closed_on=today, owners=[owner])
    ActionFactory(group=group, title="Folder vertalen", status=OPEN, due_on=today + timedelta(days=5))
    ActionFactory(group=group, title="Wachttijden in kaart", status=OPEN, due_on=today - timedelta(days=3))
    fake_meetings.meetings = {
        group.pk: [
            sections.Meeting(
                starts_at=timezone.now() - timedelta(days=3),
                title="Werkgroepoverleg",
                decisions="**Snelle doorverwijzing** naar schuldhulp <script>alert(1)</script>",
                has_notes=True,
            ),
            sections.Meeting(starts_at=timezone.now() + timedelta(days=9), title="Volgend overleg"),
        ]
    }

    response = coordinator_client.get(reverse("groups:report", args=[group.coalition.slug]))

    page = response.content.decode()
    for text in ("Passend en afgestemd aanbod", "Sociale kaart bijgewerkt", owner.full_name, "Folder vertalen",
                 "Wachttijden in kaart", "Werkgroepoverleg", "<strong>Snelle doorverwijzing</strong>",
                 "Volgend overleg", "css/report.css"):  # fmt: skip
        assert text in page, text
    assert "<script>alert" not in page
    assert response.context["report"].overdue_count == 1
    assert 'class="table table-sm table-cards look-back-actions look-back-overdue"' in page
    # Six months back by default, and the PDF link asks for the same period.
    since = default_since()
    assert response.context["form"]["since"].value() == since
    assert f"pdf/?since={since.isoformat()}" in page


def test_the_date_chosen_narrows_the_look_back(coordinator_client, fake_meetings):
    group = GroupFactory()
    today = timezone.localdate()
    ActionFactory(group=group, title="Een maand terug klaar", status=DONE, closed_on=today - timedelta(days=30))
    url = reverse("groups:report", args=[group.coalition.slug])

    recent = coordinator_client.get(url, {"since": (today - timedelta(days=7)).isoformat()})
    longer = coordinator_client.get(url, {"since": (today - timedelta(days=60)).isoformat()})

    assert "Een maand terug klaar" not in recent.content.decode()
    assert "Een maand terug klaar" in longer.content.decode()


@pytest.mark.parametrize("typed", ["morgen", "2999-01-01"])
def test_a_wrong_date_is_refused_at_the_field_and_the_report_still_shows(coordinator_client, fake_meetings, typed):
    group = GroupFactory(name="Klankbordgroep professionals")

    response = coordinator_client.get(reverse("groups:report", args=[group.coalition.slug]), {"since": typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in page and 'href="#id_since"' in page
    assert "Klankbordgroep professionals" in page
    assert response.context["report"].since == default_since()


# --- The PDF ------------------------------------------------------------------------------------------------------


def test_the_pdf_is_a_real_pdf_with_the_groups_their_actions_and_decisions(coordinator_client, fake_meetings):
    coalition = CoalitionFactory(name="Kansrijke Start Borsele", slug="borsele")
    early = GroupFactory(coalition=coalition, name="Vroegsignalering en tijdige ondersteuning")
    fitting = GroupFactory(coalition=coalition, name="Passend en afgestemd aanbod")
    owner = MembershipFactory(group=early, profile=ProfileFactory(first_name="Fatima", last_name="El Amrani"))
    today = timezone.localdate()
    ActionFactory(group=early, title="Signaleringskaart verspreiden", status=DONE, closed_on=today,
                        owners=[owner.profile])  # fmt: skip
    ActionFactory(group=fitting, title="Wachttijden in kaart", status=OPEN, due_on=today - timedelta(days=2))
    fake_meetings.meetings = {
        early.pk: [
            sections.Meeting(
                starts_at=timezone.now() - timedelta(days=10),
                title="Werkgroepoverleg",
                decisions="- Geen eigen app bouwen\n- Een kaart voor iedereen",
                has_notes=True,
            )
        ]
    }

    response = coordinator_client.get(reverse("groups:report_pdf", args=["borsele"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert f"-borsele-{today:%Y-%m-%d}.pdf" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Kansrijke Start Borsele", "Vroegsignalering en tijdige ondersteuning",
                     "Passend en afgestemd aanbod", "Signaleringskaart verspreiden", "Fatima El Amrani",
                     "Wachttijden in kaart", "Werkgroepoverleg", "Geen eigen app bouwen"):  # fmt: skip
        assert expected in text, expected
    assert "Borsele" in reader.metadata.title


def test_a_coalition_without_groups_gets_a_report_that_says_so(coordinator_client, fake_meetings):
    coalition = CoalitionFactory()

    page = coordinator_client.get(reverse("groups:report", args=[coalition.slug]))
    pdf = coordinator_client.get(reverse("groups:report_pdf", args=[coalition.slug]))

    assert page.context["report"].groups == []
    assert pdf.content.startswith(b"%PDF")
    assert fake_meetings.calls == []  # nothing to ask the meetings' sources about
