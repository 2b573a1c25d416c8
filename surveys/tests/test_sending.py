"""Sending a survey through the check step: each person once with their own link, more people later, one reminder
to those who did not answer, a coalition coordinator only to their own coalitions, the response rate as it comes in.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from coalition import checkstep
from coalition.mail import render_delivery
from coalition.models import Delivery, MailCheck, Mailing, OptOut
from coalition.rules import NotAllowed
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events.tests.factories import EventFactory, RegistrationFactory
from members.tests.factories import OrganisationFactory, ProfileFactory
from network.audiences import Segment
from network.models import Circle
from network.tests.factories import CoalitionFactory, PartnershipFactory, coalition_coordinator_of
from surveys import services
from surveys.mailings import ALREADY_INVITED, InvitationMail, ReminderMail
from surveys.models import Participant, Survey
from surveys.views import SURVEYS_PER_PAGE

from .factories_sending import ParticipantFactory, ResponseFactory, SurveyFactory, survey_with_questions

pytestmark = pytest.mark.django_db


@dataclass
class Network:
    own: object  # the coalition of the `coalition_coordinator` fixture
    other: object
    outer: list  # profiles of the own coalition's outer-circle partner
    inner: list  # profiles of its inner-circle partner
    elsewhere: list  # profiles of the other coalition's partner


def _partner_people(coalition, circle, count, prefix):
    organisation = OrganisationFactory()
    PartnershipFactory(coalition=coalition, organisation=organisation, circle=circle)
    people = [ProfileFactory(organisation=organisation, user__email=f"{prefix}{i}@example.org") for i in range(count)]
    group, _created = Group.objects.get_or_create(name="Member")
    for profile in people:
        profile.user.groups.add(group)
    return people


@pytest.fixture
def network(coalition_coordinator):
    own = coalition_coordinator.coalition_roles.get().coalition
    other = CoalitionFactory(name="Coalitie Ander", slug="coalitie-ander")
    return Network(
        own=own,
        other=other,
        outer=_partner_people(own, Circle.OUTER, 3, "outer"),
        inner=_partner_people(own, Circle.INNER, 2, "inner"),
        elsewhere=_partner_people(other, Circle.OUTER, 2, "elsewhere"),
    )


@pytest.fixture
def survey(network):
    return survey_with_questions(coalition=network.own)


def outer_circle(coalition):
    return Segment(coalitions=(coalition.pk,), circle=Circle.OUTER)


def whole(coalition):
    return Segment(coalitions=(coalition.pk,))


def open_invitation(survey, segment, by):
    return checkstep.open_check(InvitationMail.key, {"survey": survey.pk, "segment": segment.to_params()}, by=by)


def confirm(check, by):
    return checkstep.confirm_check(check, by=by, fingerprint=check.fingerprint)


def send(survey, segment, by):
    """Through the check step, as the pages do: open, then confirm what was counted."""
    mailing = confirm(open_invitation(survey, segment, by), by)
    survey.refresh_from_db()
    return mailing


def remind(survey, by):
    check = checkstep.open_check(ReminderMail.key, {"survey": survey.pk}, by=by)
    mailing = confirm(check, by)
    survey.refresh_from_db()
    return mailing


def _client(user):
    client = Client()
    client.force_login(user)
    return client


# --- The check step -------------------------------------------------------------------------------------------------


def test_the_check_counts_the_audience_without_those_already_invited(network, survey, coordinator):
    ParticipantFactory(survey=survey, email=network.outer[0].user.email, profile=network.outer[0])

    check = open_invitation(survey, whole(network.own), coordinator)

    assert check.recipient_count == 4
    assert check.left_out == {ALREADY_INVITED: 1}
    _mass, audience, shown = checkstep.preview(check, by=coordinator)
    assert network.outer[0].user.email not in {recipient.email for recipient in audience.recipients}
    with translation.override("en"):
        assert "already invited to this survey" in checkstep.left_out_text(check.left_out)
    # Nobody has a link of their own before the confirm: the preview leads to the survey's page.
    assert shown.recipient.context["answer_url"].endswith(survey.get_absolute_url())
    assert survey.title in shown.subject
    assert Participant.objects.filter(survey=survey).count() == 1


def test_the_confirm_makes_one_participant_and_one_mail_with_their_own_link_per_person(network, survey, coordinator):
    mailing = send(survey, outer_circle(network.own), coordinator)

    participants = Participant.objects.filter(survey=survey)
    assert {p.email for p in participants} == {profile.user.email for profile in network.outer}
    assert {p.profile_id for p in participants} == {profile.pk for profile in network.outer}
    assert all(p.invited_at for p in participants)
    assert len({p.token for p in participants}) == 3
    assert mailing.kind == Mailing.Kind.SURVEY
    deliveries = {delivery.address: delivery for delivery in mailing.deliveries.all()}
    assert set(deliveries) == {p.email for p in participants}
    for participant in participants:
        delivery = deliveries[participant.email]
        link = delivery.context["answer_url"]
        assert link.startswith("http")
        assert link.endswith(reverse("surveys:answer_by_link", kwargs={"token": participant.token}))
        token = delivery.context["unsubscribe_url"].rstrip("/").rsplit("/", 1)[1]
        assert checkstep.read_unsubscribe_token(token) == (participant.email, services.TOPIC)
        with translation.override("en"):
            message = render_delivery(delivery)
        html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
        assert link in message.body
        assert f'href="{link}"' in html
        # In the portal's language, whatever is active: a short and a long text take 90 seconds.
        assert "Het duurt ongeveer 2 minuten." in message.body
        assert "Je kunt antwoorden tot" in message.body
        assert "List-Unsubscribe" in message.extra_headers
    assert survey.sent_at is not None
    assert survey.segment == outer_circle(network.own).to_params()


def test_the_mail_carries_no_tracking(network, survey, coordinator, settings):
    mailing = send(survey, outer_circle(network.own), coordinator)
    message = render_delivery(mailing.deliveries.first())
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    assert "<img" not in html
    links = re.findall(r'href="([^"]+)"', html)
    assert links
    # Every link leads straight to the portal's page: no redirect through a counter.
    assert all(link.startswith(settings.SITE_URL) for link in links)


def test_the_test_to_yourself_carries_a_link_that_answers_for_nobody(network, survey, coordinator):
    check = open_invitation(survey, outer_circle(network.own), coordinator)

    test_mailing = checkstep.send_test(check, by=coordinator)

    delivery = test_mailing.deliveries.get()
    assert delivery.address == coordinator.email
    assert delivery.context["answer_url"].endswith(survey.get_absolute_url())
    assert "/answer/" not in delivery.context["answer_url"]
    assert not Participant.objects.filter(survey=survey).exists()
    assert test_mailing.kind == Mailing.Kind.TRANSACTIONAL


def test_the_test_of_a_reminder_carries_no_participants_link(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    check = checkstep.open_check(ReminderMail.key, {"survey": survey.pk}, by=coordinator)
    tokens = set(Participant.objects.values_list("token", flat=True))

    delivery = checkstep.send_test(check, by=coordinator).deliveries.get()

    assert not any(token in delivery.context["answer_url"] for token in tokens)
    assert delivery.context["answer_url"].endswith(survey.get_absolute_url())
    assert not Participant.objects.filter(reminded_at__isnull=False).exists()


def test_confirming_twice_sends_once(network, survey, coordinator):
    check = open_invitation(survey, outer_circle(network.own), coordinator)
    confirm(check, coordinator)

    with pytest.raises(checkstep.AlreadySent):
        confirm(check, coordinator)

    assert Mailing.objects.filter(kind=Mailing.Kind.SURVEY).count() == 1
    assert Delivery.objects.count() == 3
    assert Participant.objects.count() == 3


def test_when_the_audience_changed_since_the_check_nothing_is_sent(network, survey, coordinator):
    check = open_invitation(survey, outer_circle(network.own), coordinator)
    _partner_people(network.own, Circle.OUTER, 1, "newcomer")

    with pytest.raises(checkstep.AudienceChanged):
        confirm(check, coordinator)

    assert not Participant.objects.exists()
    assert not Mailing.objects.filter(kind=Mailing.Kind.SURVEY).exists()
    check.refresh_from_db()
    assert check.recipient_count == 4


def test_a_draft_or_closed_survey_is_not_sent(network, coordinator):
    draft = survey_with_questions(state=Survey.State.DRAFT)
    with pytest.raises(checkstep.CheckError):
        open_invitation(draft, outer_circle(network.own), coordinator)
    closed = survey_with_questions(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(checkstep.CheckError):
        open_invitation(closed, outer_circle(network.own), coordinator)
    without_questions = SurveyFactory()
    with pytest.raises(checkstep.CheckError):
        open_invitation(without_questions, outer_circle(network.own), coordinator)


def test_those_unsubscribed_from_surveys_are_left_out(network, survey, coordinator):
    OptOut.objects.create(address=network.outer[0].user.email, topic=services.TOPIC)

    check = open_invitation(survey, outer_circle(network.own), coordinator)

    assert check.recipient_count == 2
    assert check.left_out == {checkstep.LeftOut.UNSUBSCRIBED: 1}
    assert services.TOPIC in checkstep.TOPICS


# --- Participants once, sending to more people ----------------------------------------------------------------------


def test_sending_the_same_audience_again_finds_nobody_new(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)

    with pytest.raises(checkstep.CheckError) as refusal:
        open_invitation(survey, outer_circle(network.own), coordinator)

    assert "al uitgenodigd voor deze vragenlijst" in str(refusal.value)  # the check step speaks Dutch here
    assert Participant.objects.count() == 3


def test_a_survey_is_sent_again_to_more_people_leaving_the_invited_out(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    first = dict(Participant.objects.values_list("email", "token"))
    sent_at = survey.sent_at

    check = open_invitation(survey, whole(network.own), coordinator)
    assert check.recipient_count == 2
    assert check.left_out == {ALREADY_INVITED: 3}
    mailing = confirm(check, coordinator)
    survey.refresh_from_db()

    assert set(mailing.deliveries.values_list("address", flat=True)) == {p.user.email for p in network.inner}
    assert Participant.objects.count() == 5
    assert {
        email: token for email, token in Participant.objects.values_list("email", "token") if email in first
    } == first
    assert survey.sent_at == sent_at
    assert survey.segment == whole(network.own).to_params()


def test_a_member_who_answered_on_the_site_is_not_invited(network, coordinator):
    survey = survey_with_questions(open_on_site=True)
    profile = network.outer[0]
    Participant.objects.create(survey=survey, profile=profile, email="", answered_at=timezone.now())

    check = open_invitation(survey, outer_circle(network.own), coordinator)

    assert check.recipient_count == 2
    assert check.left_out == {ALREADY_INVITED: 1}


def test_a_participant_row_without_invitation_is_invited_with_its_own_token(network, survey, coordinator):
    profile = network.outer[0]
    waiting = Participant.objects.create(survey=survey, profile=profile, email=profile.user.email)

    mailing = send(survey, outer_circle(network.own), coordinator)

    waiting.refresh_from_db()
    assert waiting.invited_at is not None
    assert Participant.objects.count() == 3
    delivery = mailing.deliveries.get(address=profile.user.email)
    assert delivery.context["answer_url"].endswith(f"/answer/{waiting.token}/")


def test_the_participants_of_an_event_are_an_audience(survey, coordinator):
    event = EventFactory(starts_at=timezone.now() - timedelta(days=5), ends_at=timezone.now() - timedelta(days=5))
    came = [RegistrationFactory(event=event, profile__user__email=f"came{i}@example.org") for i in range(2)]
    for registration in came:
        registration.profile.user.groups.add(Group.objects.get_or_create(name="Member")[0])
    form_fields = (
        _client(coordinator).get(reverse("surveys:send", kwargs={"slug": survey.slug})).context["segment_form"].fields
    )
    assert "source_events" in form_fields

    response = _client(coordinator).post(
        reverse("surveys:send", kwargs={"slug": survey.slug}), {"segment-source_events": [event.pk]}
    )

    check = MailCheck.objects.get(kind=InvitationMail.key)
    assert response.status_code == 302, response.context["segment_form"].errors
    assert check.recipient_count == 2
    confirm(check, coordinator)
    assert set(Participant.objects.values_list("profile_id", flat=True)) == {r.profile_id for r in came}


# --- The reminder ---------------------------------------------------------------------------------------------------


def test_the_reminder_goes_once_to_those_invited_who_did_not_answer(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    answered, *silent = Participant.objects.order_by("pk")
    Participant.objects.filter(pk=answered.pk).update(answered_at=timezone.now())

    mailing = remind(survey, coordinator)

    assert set(mailing.deliveries.values_list("address", flat=True)) == {p.email for p in silent}
    for participant in silent:
        delivery = mailing.deliveries.get(address=participant.email)
        assert delivery.context["answer_url"].endswith(f"/answer/{participant.token}/")
    assert set(Participant.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True)) == {
        p.pk for p in silent
    }
    assert survey.reminded_at is not None
    assert mailing.template == "surveys/reminder"

    with pytest.raises(checkstep.CheckError):
        checkstep.open_check(ReminderMail.key, {"survey": survey.pk}, by=coordinator)
    assert Mailing.objects.filter(kind=Mailing.Kind.SURVEY).count() == 2
    client = _client(coordinator)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("surveys:manage", kwargs={"slug": survey.slug})).content.decode()
    assert "A reminder went to 2 people on" in page
    assert "Remind " not in page  # no button: nobody is left to remind


def test_a_reminder_confirmed_after_someone_answered_leaves_them_out(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    check = checkstep.open_check(ReminderMail.key, {"survey": survey.pk}, by=coordinator)
    late = Participant.objects.order_by("pk").first()
    Participant.objects.filter(pk=late.pk).update(answered_at=timezone.now())

    with pytest.raises(checkstep.AudienceChanged):
        confirm(check, coordinator)
    check.refresh_from_db()
    mailing = confirm(check, coordinator)

    assert late.email not in set(mailing.deliveries.values_list("address", flat=True))
    assert mailing.deliveries.count() == 2


def test_the_reminder_service_reminds_nobody_twice(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    check = checkstep.open_check(ReminderMail.key, {"survey": survey.pk}, by=coordinator)
    recipients = services.participants_to_remind(survey)
    services.remind(survey, recipients=recipients, by=coordinator, check=check)

    second = MailCheck.objects.create(kind=ReminderMail.key, params={"survey": survey.pk}, created_by=coordinator)
    with pytest.raises(services.SurveyError):
        services.remind(survey, recipients=recipients, by=coordinator, check=second)
    assert Delivery.objects.filter(mailing__template="surveys/reminder").count() == 3


def test_people_invited_after_the_reminder_can_be_reminded_once_too(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    remind(survey, coordinator)
    send(survey, whole(network.own), coordinator)

    mailing = remind(survey, coordinator)

    assert set(mailing.deliveries.values_list("address", flat=True)) == {p.user.email for p in network.inner}


def test_the_manage_page_opens_the_reminders_check(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    client = _client(coordinator)

    response = client.post(reverse("surveys:manage", kwargs={"slug": survey.slug}))

    check = MailCheck.objects.get(kind=ReminderMail.key)
    assert response["Location"] == check.get_absolute_url()
    assert check.recipient_count == 3


# --- A coalition coordinator: their own coalitions only ------------------------------------------------------------


def test_the_send_page_offers_a_coalition_coordinator_only_their_coalitions(network, survey, coalition_coordinator):
    page = _client(coalition_coordinator).get(reverse("surveys:send", kwargs={"slug": survey.slug}))

    form = page.context["segment_form"]
    assert list(form.fields["coalitions"].queryset) == [network.own]
    assert "all_members" not in form.fields
    assert not any(name.startswith("source_") for name in form.fields)


def test_a_coalition_coordinator_cannot_choose_another_coalition(network, survey, coalition_coordinator):
    response = _client(coalition_coordinator).post(
        reverse("surveys:send", kwargs={"slug": survey.slug}), {"segment-coalitions": [network.other.pk]}
    )

    assert response.status_code == 200
    assert response.context["segment_form"].errors["coalitions"]
    assert not MailCheck.objects.exists()


def test_a_coalition_coordinator_sends_to_their_own_coalition(network, survey, coalition_coordinator):
    response = _client(coalition_coordinator).post(
        reverse("surveys:send", kwargs={"slug": survey.slug}),
        {"segment-coalitions": [network.own.pk], "segment-circle": Circle.OUTER},
    )

    check = MailCheck.objects.get()
    assert response["Location"] == check.get_absolute_url()
    confirm(check, coalition_coordinator)
    assert Participant.objects.count() == 3


@pytest.mark.parametrize(
    "segment",
    [
        lambda n: whole(n.other),
        lambda n: Segment(coalitions=(n.own.pk, n.other.pk)),
        lambda n: Segment(all_members=True),
        lambda n: Segment(coalitions=(n.own.pk,), sources={"events": [1]}),
        lambda n: Segment(disciplines=("midwife",)),
    ],
    ids=["other coalition", "own and other", "all members", "added group", "no coalition"],
)
def test_the_service_refuses_a_coalition_coordinator_anyone_outside_their_coalitions(
    network, survey, coalition_coordinator, segment
):
    with pytest.raises(NotAllowed):
        services.ensure_segment_allowed(segment(network), by=coalition_coordinator)
    check = MailCheck.objects.create(
        kind=InvitationMail.key, params={"survey": survey.pk}, created_by=coalition_coordinator
    )
    people = [services.Person(email=p.user.email, profile_id=p.pk) for p in network.elsewhere]
    with pytest.raises(NotAllowed):
        services.send_invitations(
            survey, invitees=people, segment=segment(network), by=coalition_coordinator, check=check
        )
    assert not Participant.objects.exists()


def test_the_service_lets_a_regional_coordinator_send_to_anyone(network, coordinator):
    services.ensure_segment_allowed(Segment(all_members=True), by=coordinator)
    services.ensure_segment_allowed(whole(network.other), by=coordinator)


def test_a_coordinator_of_another_coalition_cannot_send_or_follow_this_survey(network, survey):
    outsider = coalition_coordinator_of(network.other, user__email="outsider@example.org")
    client = _client(outsider)
    for name in ("surveys:manage", "surveys:send"):
        assert client.get(reverse(name, kwargs={"slug": survey.slug})).status_code == 403
    assert client.post(reverse("surveys:manage", kwargs={"slug": survey.slug})).status_code == 403
    with pytest.raises(NotAllowed):
        open_invitation(survey, whole(network.other), outsider)


def test_a_regional_survey_stays_with_the_regional_coordinators(network, coalition_coordinator):
    regional = survey_with_questions()
    client = _client(coalition_coordinator)
    assert client.get(reverse("surveys:send", kwargs={"slug": regional.slug})).status_code == 403
    page = client.get(reverse("surveys:manage_list"))
    assert regional not in page.context["surveys"]


@pytest.mark.parametrize("persona", ["anonymous", "member", "pending_member", "declined_member", "editor"])
def test_the_coordinators_pages_refuse_everyone_else(request, survey, persona):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("surveys:manage_list"),
        reverse("surveys:manage", kwargs={"slug": survey.slug}),
        reverse("surveys:send", kwargs={"slug": survey.slug}),
    ):
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 403


# --- The response rate ----------------------------------------------------------------------------------------------


def test_the_response_rate_counts_those_invited_who_answered(coordinator):
    survey = survey_with_questions(is_anonymous=True, open_on_site=True)
    ParticipantFactory.create_batch(5, survey=survey)
    ParticipantFactory.create_batch(2, survey=survey, answered_at=timezone.now())
    ParticipantFactory(survey=survey, answered_at=timezone.now(), reminded_at=timezone.now())
    # On the site, without an invitation: a form received, not part of the rate.
    ParticipantFactory(survey=survey, invited_at=None, answered_at=timezone.now())
    ResponseFactory.create_batch(4, survey=survey)

    numbers = services.response_numbers(survey)

    assert (numbers.invited, numbers.answered, numbers.responses, numbers.remindable) == (8, 3, 4, 5)
    assert numbers.rate == 37
    annotated = services.with_response_numbers(Survey.objects.filter(pk=survey.pk)).get()
    assert (annotated.invited_count, annotated.answered_count, annotated.response_count) == (8, 3, 4)
    assert services.response_rate(0, 0) is None
    assert services.response_rate(99, 100) == 99


def test_many_surveys_are_counted_each_on_its_own_rows_not_through_a_grouped_join():
    """A join of the participants grouped every survey by its participants' rows, and PostgreSQL ran the responses'
    count once per participant: "Surveys I manage" took 22 s at 557 surveys. Each number is a subquery now."""
    surveys = [survey_with_questions() for _ in range(3)]
    for number, survey in enumerate(surveys):
        ParticipantFactory.create_batch(number + 1, survey=survey)
        ResponseFactory.create_batch(number, survey=survey)
    annotated = services.with_response_numbers(Survey.objects.filter(pk__in=[s.pk for s in surveys])).order_by("pk")
    assert annotated.query.group_by is None
    assert [(s.invited_count, s.response_count) for s in annotated] == [(1, 0), (2, 1), (3, 2)]


def test_the_manage_page_shows_the_numbers_as_they_come_in(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    client = _client(coordinator)
    url = reverse("surveys:manage", kwargs={"slug": survey.slug})
    assert 'data-rate="0"' in client.get(url).content.decode()

    Participant.objects.filter(pk=Participant.objects.order_by("pk").first().pk).update(answered_at=timezone.now())

    with translation.override("en"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-invited="3"' in page
    assert 'data-answered="1"' in page
    assert 'data-rate="33"' in page
    assert "Coalitie Eigen" in page


def test_the_manage_list_shows_each_surveys_rate(network, survey, coordinator):
    ParticipantFactory.create_batch(3, survey=survey)
    ParticipantFactory(survey=survey, answered_at=timezone.now())

    page = _client(coordinator).get(reverse("surveys:manage_list"))

    shown = {item.pk: item for item in page.context["surveys"]}
    assert shown[survey.pk].response_rate == 25


def test_the_manage_list_pages_newest_first(network, coordinator):
    for _ in range(SURVEYS_PER_PAGE + 1):
        survey_with_questions(coalition=network.own)
    client = _client(coordinator)

    first = client.get(reverse("surveys:manage_list"))
    second = client.get(reverse("surveys:manage_list"), {"page": 2})

    shown = [*first.context["surveys"], *second.context["surveys"]]
    assert len(first.context["surveys"]) == SURVEYS_PER_PAGE
    assert [survey.pk for survey in shown] == list(
        Survey.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    assert 'href="?page=2"' in first.text and 'href="?page=1"' in second.text


# --- Query counts ---------------------------------------------------------------------------------------------------


def _participants(survey):
    def grow(n):
        now = timezone.now()
        Participant.objects.bulk_create(
            Participant(
                survey=survey,
                email=f"p{survey.participants.count()}-{i}-{now.timestamp()}@example.org",
                invited_at=now,
                answered_at=now if i % 3 == 0 else None,
            )
            for i in range(n)
        )
        ResponseFactory.create_batch(max(1, n // 50), survey=survey)

    return grow


def test_the_manage_page_takes_as_many_queries_for_1000_participants(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    client = _client(coordinator)

    assert_same_count_as_data_grows(
        client, reverse("surveys:manage", kwargs={"slug": survey.slug}), _participants(survey), size=200, shown=False
    )
    assert Participant.objects.filter(survey=survey).count() > 1000


def test_the_manage_list_takes_as_many_queries_for_many_surveys(network, coordinator):
    def grow(n):
        for _ in range(n):
            survey = survey_with_questions(coalition=network.own)
            ParticipantFactory.create_batch(3, survey=survey)

    assert_same_count_as_data_grows(_client(coordinator), reverse("surveys:manage_list"), grow)


def test_the_send_page_takes_as_many_queries_for_many_participants(network, survey, coordinator):
    assert_same_count_as_data_grows(
        _client(coordinator),
        reverse("surveys:send", kwargs={"slug": survey.slug}),
        _participants(survey),
        size=50,
        shown=False,
    )


def test_every_sending_is_counted_in_its_left_out_reasons(network, survey, coordinator):
    send(survey, outer_circle(network.own), coordinator)
    _partner_people(network.own, Circle.INNER, 1, "more")
    check = open_invitation(survey, whole(network.own), coordinator)
    assert Counter(check.left_out) == Counter({ALREADY_INVITED: 3})
    assert check.recipient_count == 3


def test_change_on_the_check_page_brings_back_the_audience_chosen(network, survey, coordinator):
    check = open_invitation(survey, outer_circle(network.own), coordinator)
    mass = checkstep.kind_of(check)
    assert mass.change_url().endswith("?again=1")

    page = _client(coordinator).get(mass.change_url())

    form = page.context["segment_form"]
    assert [int(pk) for pk in form["coalitions"].value()] == [network.own.pk]
    assert form["circle"].value() == Circle.OUTER


def test_a_draft_says_why_it_cannot_be_sent_and_keeps_the_choice(network, coordinator):
    draft = survey_with_questions(state=Survey.State.DRAFT)
    client = _client(coordinator)

    response = client.post(
        reverse("surveys:send", kwargs={"slug": draft.slug}),
        {"segment-coalitions": [network.own.pk], "segment-circle": Circle.OUTER},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    with translation.override("en"):
        assert "Publish the survey before sending it." in str(response.context["segment_form"].non_field_errors())
    assert response.context["segment_form"]["circle"].value() == Circle.OUTER
    assert not MailCheck.objects.exists()


def test_each_person_receives_their_own_link_over_smtp_once(
    network, coordinator, smtp_server, django_capture_on_commit_callbacks
):
    survey = survey_with_questions(coalition=network.own, title="Peiling & <praktijk>")
    with django_capture_on_commit_callbacks(execute=True):
        send(survey, outer_circle(network.own), coordinator)

    tokens = dict(Participant.objects.values_list("email", "token"))
    assert sorted(smtp_server.recipients()) == sorted(tokens)
    for message in smtp_server.messages:
        (address,) = message.envelope_recipients
        text = message.get_body(("plain",)).get_content()
        assert f"/surveys/answer/{tokens[address]}/" in text
        assert all(token not in text for other, token in tokens.items() if other != address)
        assert "Peiling & <praktijk>" in message["Subject"]
        assert message["List-Unsubscribe"]
