"""Every URL of the portal, asked by every role: allowed or refused exactly as the rules say.

The table below names each URL once. A new view that is not in it fails `test_every_url_is_in_the_table`,
so nobody can add a page without saying who may open it. Refused means: anonymous visitors are sent to
log in, everyone else gets the 403 page with its reason. Token URLs are keyed by their token only: a
wrong token gets the same answer for everyone, never a login or a 403.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from announcements.models import Announcement
from coalition import checkstep
from coalition.models import Delivery, Mailing
from coalition.tests.checkstep_kind import Notice, notice_kind, notice_params  # noqa: F401 — notice_kind is a fixture
from events import certificates
from events import services as event_services
from events.models import Case, Event, Material, Registration, Series
from events.tests.factories import EventFactory, RegistrationFactory
from groups.models import Group, Membership
from groups.tests.factories import ActionFactory, DocumentFactory, GroupFactory, MembershipFactory
from journal import services as journal_services
from journal.models import State
from journal.tests.factories import EditionFactory, StoryFactory, TipFactory
from members.models import Profile
from members.tests.factories import OfferingFactory, OrganisationFactory, ProfileFactory
from network.tests.factories import CoalitionFactory, DeclarationFactory, JoinRequestFactory
from signals.tests.factories import SignalCardFactory
from surveys.models import Survey
from surveys.tests.factories import ResponseFactory, SurveyFactory

# coalition_coordinator coordinates world["coalition"] (not world["other_coalition"]); coordinator is regional.
ROLES = ["anonymous", "pending", "declined", "member", "editor", "coalition_coordinator", "coordinator"]
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
APPROVED = {"member", "editor", "coalition_coordinator", "coordinator"}
EDITORS = {"editor", "coordinator"}
COORDINATORS = {"coordinator"}
COALITION_MANAGERS = {"coalition_coordinator", "coordinator"}
TOKEN = "token"  # reachable by its token only
# Inside world["own_group"] (the member is in it) and world["mdo"] (the member coordinates it): its members and those
# who manage the coalition's groups.
GROUP_INSIDE = {"member", "coalition_coordinator", "coordinator"}

pytestmark = pytest.mark.usefixtures("notice_kind")  # the check page renders a registered kind


@dataclass
class Access:
    allowed: set | str
    kwargs: callable = field(default=lambda world: {})
    method: str = "get"
    data: dict = field(default_factory=dict)


# Every named URL of the portal's own apps. Admin, allauth and the language switch have their own tests.
TABLE = {
    "home": Access(EVERYONE),
    "healthz": Access(EVERYONE),
    "mail_bounces": Access(TOKEN),  # the bounce webhook: a bearer token, no role (404 without BOUNCE_WEBHOOK_TOKEN)
    "mail_check": Access(COORDINATORS, lambda w: {"pk": w["live_check"].pk}),
    "mail_check_frame": Access(COORDINATORS, lambda w: {"pk": w["live_check"].pk}),
    "mail_unsubscribe": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "mail_preferences": Access(LOGGED_IN),
    "mail_preferences_link": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "privacy": Access(EVERYONE),
    "accessibility": Access(EVERYONE),
    "profile_photo": Access(APPROVED, lambda w: {"name": w["colleague"].photo.name.removeprefix("photos/")}),
    "public_media": Access(EVERYONE, lambda w: {"name": w["organisation"].logo.name}),
    # members
    "members:profile_list": Access(APPROVED),
    "members:me": Access(LOGGED_IN),
    "members:me_export": Access(LOGGED_IN),
    "members:me_preview": Access(LOGGED_IN),
    "members:me_data": Access(LOGGED_IN),
    "members:me_delete": Access(LOGGED_IN),
    "members:pending": Access(COALITION_MANAGERS),
    "members:confirm_details": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "members:profile_detail": Access(APPROVED, lambda w: {"pk": w["colleague"].pk}),
    "members:profile_vcard": Access(APPROVED, lambda w: {"pk": w["colleague"].pk}),
    "members:approve": Access(COORDINATORS, lambda w: {"pk": w["newcomer"].pk}, method="post"),
    "members:decline": Access(
        COORDINATORS, lambda w: {"pk": w["newcomer"].pk}, method="post", data={"reason": "Onbekend"}
    ),
    "members:organisation_list": Access(EVERYONE),
    "members:organisation_detail": Access(EVERYONE, lambda w: {"slug": w["organisation"].slug}),
    "members:organisation_edit": Access(COORDINATORS, lambda w: {"slug": w["organisation"].slug}),
    "members:offering_create": Access(COORDINATORS, lambda w: {"slug": w["organisation"].slug}),
    "members:offering_edit": Access(COORDINATORS, lambda w: {"slug": w["organisation"].slug, "pk": w["offering"].pk}),
    "members:offering_list": Access(EVERYONE),
    "members:offering_print": Access(EVERYONE),
    # The signal route: for approved members (its service worker is a script anyone may load).
    "signals:signal_list": Access(APPROVED),
    "signals:service_worker": Access(EVERYONE),
    "signals:signal_detail": Access(APPROVED, lambda w: {"slug": w["signal_card"].signal.slug}),
    "signals:card": Access(
        APPROVED, lambda w: {"slug": w["signal_card"].signal.slug, "municipality": w["signal_card"].municipality.slug}
    ),
    "signals:print": Access(APPROVED, lambda w: {"municipality": w["signal_card"].municipality.slug}),
    "members:offering_confirm": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    # journal
    "journal:edition_list": Access(EVERYONE),
    "journal:feed": Access(EVERYONE),
    "journal:desk": Access(EDITORS),
    "journal:revoke_preview": Access(EDITORS, lambda w: {"pk": w["preview_link"].pk}, method="post"),
    "journal:tip_list": Access(EDITORS),
    "journal:tip_create": Access(EVERYONE),
    "journal:tip_mail": Access(EDITORS, method="post", data={"wanted": "0"}),
    "journal:tip_thanks": Access(EVERYONE),
    "journal:tip_detail": Access(EDITORS, lambda w: {"pk": w["tip"].pk}),
    "journal:subscribe": Access(EVERYONE),
    "journal:subscribe_done": Access(EVERYONE),
    "journal:confirm": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "journal:unsubscribe": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "journal:subscription": Access(LOGGED_IN),
    "journal:preview": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "journal:preview_attachment": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "journal:preview_story": Access(TOKEN, lambda w: {"token": "not-a-token", "slug": w["story"].slug}),
    "journal:preview_story_attachment": Access(TOKEN, lambda w: {"token": "not-a-token", "slug": w["story"].slug}),
    "journal:edition_detail": Access(EVERYONE, lambda w: {"slug": w["edition"].slug}),
    "journal:story_detail": Access(EVERYONE, lambda w: {"edition_slug": w["edition"].slug, "slug": w["story"].slug}),
    "journal:story_attachment": Access(
        EVERYONE, lambda w: {"edition_slug": w["edition"].slug, "slug": w["story"].slug}
    ),
    # events
    "events:event_list": Access(EVERYONE),
    "events:past_events": Access(EVERYONE),
    "events:my_registrations": Access(APPROVED),
    "events:renew_calendar_feed": Access(APPROVED, method="post"),
    "events:calendar_feed": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "events:cancel_registration": Access(
        {"member", "coordinator"}, lambda w: {"pk": w["own_registration"].pk}, method="post"
    ),
    "events:invitation_answer": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "events:opt_out": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "events:material_download": Access({"member", "coordinator"}, lambda w: {"pk": w["material"].pk}),
    "events:event_detail": Access(EVERYONE, lambda w: {"slug": w["event"].slug}),
    "events:register": Access(APPROVED, lambda w: {"slug": w["open_event"].slug}, method="post"),
    "events:event_ics": Access(EVERYONE, lambda w: {"slug": w["event"].slug}),
    "events:participants": Access({"member", "coordinator"}, lambda w: {"slug": w["event"].slug}),
    "events:feedback": Access({"member"}, lambda w: {"slug": w["past_event"].slug}),
    "events:invite": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:invitations": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:check_in_list": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:registrations_csv": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:results": Access(COORDINATORS, lambda w: {"slug": w["past_event"].slug}),
    "events:send_materials": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:cancel_event": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:mailings": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:message": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:feed": Access(EVERYONE),
    "events:series_detail": Access(EVERYONE, lambda w: {"slug": w["series"].slug}),
    "events:series_feed": Access(EVERYONE, lambda w: {"slug": w["series"].slug}),
    "events:send_certificates": Access(COORDINATORS, lambda w: {"slug": w["past_event"].slug}),
    "events:certificate_download": Access({"member", "coordinator"}, lambda w: {"pk": w["attended_registration"].pk}),
    "events:certificate_signed": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "events:certificate_verify_form": Access(EVERYONE),
    "events:certificate_verify": Access(
        EVERYONE, lambda w: {"code": certificates.grouped(w["attended_registration"].certificate_code)}
    ),
    # Visitors (and pending or declined accounts) get the guest form; approved members are sent on to events:register.
    "events:guest_register": Access(EVERYONE, lambda w: {"slug": w["guest_event"].slug}),
    "events:guest_confirm": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "events:guest_cancel": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "events:guest_registration": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "events:guest_material": Access(TOKEN, lambda w: {"token": "not-a-token", "pk": w["material"].pk}),
    "events:guest_feedback": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "events:sessions": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:ask_needs": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:overview": Access(COORDINATORS, lambda w: {"slug": w["event"].slug}),
    "events:choose_session": Access(
        {"member", "coordinator"}, lambda w: {"pk": w["own_registration"].pk}, method="post"
    ),
    # surveys
    "surveys:survey_list": Access(APPROVED),
    "surveys:survey_detail": Access(APPROVED, lambda w: {"slug": w["survey_on_site"].slug}),
    "surveys:survey_thanks": Access(APPROVED, lambda w: {"slug": w["survey_on_site"].slug}),
    "surveys:answer_by_link": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "surveys:answer_thanks": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "surveys:manage_list": Access(COALITION_MANAGERS),
    "surveys:manage": Access(COALITION_MANAGERS, lambda w: {"slug": w["coalition_survey"].slug}),
    "surveys:send": Access(COALITION_MANAGERS, lambda w: {"slug": w["coalition_survey"].slug}),
    "surveys:results": Access(COALITION_MANAGERS, lambda w: {"slug": w["coalition_survey"].slug}),
    "surveys:results_csv": Access(COALITION_MANAGERS, lambda w: {"slug": w["coalition_survey"].slug}),
    # announcements
    "announcements:announcement_list": Access(APPROVED),
    "announcements:announcement_new": Access(COALITION_MANAGERS),
    "announcements:announcement_detail": Access(
        {"member", "coalition_coordinator", "coordinator"}, lambda w: {"pk": w["announcement"].pk}
    ),
    "announcements:announcement_edit": Access(COALITION_MANAGERS, lambda w: {"pk": w["draft_announcement"].pk}),
    "announcements:attachment": Access(
        {"member", "coalition_coordinator", "coordinator"}, lambda w: {"pk": w["announcement"].pk}
    ),
    "announcements:attachment_link": Access(TOKEN, lambda w: {"pk": w["announcement"].pk, "token": "not-a-token"}),
    # network
    "network:coalition_list": Access(EVERYONE),
    "network:coalition_detail": Access(EVERYONE, lambda w: {"slug": w["coalition"].slug}),
    "network:join": Access(EVERYONE, lambda w: {"slug": w["coalition"].slug}),
    "network:declaration_pdf": Access(APPROVED, lambda w: {"slug": w["coalition"].slug, "pk": w["declaration"].pk}),
    "network:change_phase": Access(COALITION_MANAGERS, lambda w: {"slug": w["coalition"].slug}),
    "network:join_request_list": Access(COALITION_MANAGERS, lambda w: {"slug": w["coalition"].slug}),
    "network:join_request_detail": Access(
        COALITION_MANAGERS, lambda w: {"slug": w["coalition"].slug, "pk": w["join_request"].pk}
    ),
    "network:regional_overview": Access(COORDINATORS),
    "network:regional_overview_csv": Access(COORDINATORS),
    # Groups: every approved member sees that a group exists; inside is for its members and the coordinators.
    "groups:group_list": Access(APPROVED),
    "groups:group_detail": Access(APPROVED, lambda w: {"slug": w["group"].slug}),
    "groups:join": Access(APPROVED, lambda w: {"slug": w["group"].slug}),
    "groups:answer_invitation": Access(
        {"member"}, lambda w: {"slug": w["invited_group"].slug}, method="post", data={"action": "decline"}
    ),
    "groups:leave": Access({"member"}, lambda w: {"slug": w["own_group"].slug}),
    "groups:choose_notifications": Access(
        {"member"}, lambda w: {"slug": w["own_group"].slug}, method="post", data={"notifications": "digest"}
    ),
    "groups:manage_members": Access(COALITION_MANAGERS, lambda w: {"slug": w["group"].slug}),
    "groups:stop_notifications": Access(TOKEN, lambda w: {"token": "not-a-token"}),
    "groups:action_list": Access(GROUP_INSIDE, lambda w: {"slug": w["own_group"].slug}),
    "groups:action_create": Access(GROUP_INSIDE, lambda w: {"slug": w["own_group"].slug}),
    "groups:action_detail": Access(GROUP_INSIDE, lambda w: {"slug": w["own_group"].slug, "pk": w["group_action"].pk}),
    "groups:action_status": Access(
        GROUP_INSIDE,
        lambda w: {"slug": w["own_group"].slug, "pk": w["group_action"].pk},
        method="post",
        data={"status": "in_progress"},
    ),
    "groups:document_list": Access(GROUP_INSIDE, lambda w: {"slug": w["own_group"].slug}),
    "groups:document_upload": Access(GROUP_INSIDE, lambda w: {"slug": w["own_group"].slug}),
    "groups:document_download": Access(
        GROUP_INSIDE, lambda w: {"slug": w["own_group"].slug, "pk": w["group_document"].pk}
    ),
    "groups:document_delete": Access(
        COALITION_MANAGERS, lambda w: {"slug": w["own_group"].slug, "pk": w["group_document"].pk}
    ),
    "groups:report": Access(COALITION_MANAGERS, lambda w: {"slug": w["coalition"].slug}),
    "groups:report_pdf": Access(COALITION_MANAGERS, lambda w: {"slug": w["coalition"].slug}),
    # A group's meetings, their notes and the cases of a case consultation (the member coordinates world["mdo"]).
    "events:plan_group_meeting": Access(GROUP_INSIDE, lambda w: {"slug": w["mdo"].slug}),
    "events:meeting_notes": Access(GROUP_INSIDE, lambda w: {"slug": w["group_meeting"].slug}),
    "events:send_meeting_notes": Access(GROUP_INSIDE, lambda w: {"slug": w["group_meeting"].slug}, method="post"),
    "events:case_list": Access(GROUP_INSIDE, lambda w: {"slug": w["group_meeting"].slug}),
    "events:case_new": Access({"member"}, lambda w: {"slug": w["group_meeting"].slug}),
    "events:case_advice": Access(GROUP_INSIDE, lambda w: {"pk": w["case"].pk}),
    # cockpit
    "cockpit:todo": Access(COALITION_MANAGERS),
    "cockpit:retry_mailing": Access(COORDINATORS, lambda w: {"pk": w["mailing"].pk}, method="post"),
    "cockpit:impact": Access(COALITION_MANAGERS),
    "cockpit:impact_csv": Access(COALITION_MANAGERS),
    "cockpit:impact_pdf": Access(COALITION_MANAGERS),
}

# A coalition coordinator approves the people who work in their coalition (members:approve above is someone
# working elsewhere).
OWN_COALITION = {
    "members:approve": Access(COALITION_MANAGERS, lambda w: {"pk": w["newcomer_nearby"].pk}, method="post"),
    "members:decline": Access(
        COALITION_MANAGERS, lambda w: {"pk": w["newcomer_nearby"].pk}, method="post", data={"reason": "Onbekend"}
    ),
}

# A coalition coordinator's rights end at their own coalition: the same pages of another coalition.
ANOTHER_COALITION = {
    "groups:manage_members": Access(COORDINATORS, lambda w: {"slug": w["other_group"].slug}),
    "groups:action_list": Access(COORDINATORS, lambda w: {"slug": w["other_group"].slug}),
    "groups:action_detail": Access(
        COORDINATORS, lambda w: {"slug": w["other_group"].slug, "pk": w["other_group_action"].pk}
    ),
    "groups:document_download": Access(
        COORDINATORS, lambda w: {"slug": w["other_group"].slug, "pk": w["other_group_document"].pk}
    ),
    "groups:document_delete": Access(
        COORDINATORS, lambda w: {"slug": w["other_group"].slug, "pk": w["other_group_document"].pk}
    ),
    "groups:report": Access(COORDINATORS, lambda w: {"slug": w["other_coalition"].slug}),
    "announcements:announcement_edit": Access(COORDINATORS, lambda w: {"pk": w["other_draft_announcement"].pk}),
    "announcements:announcement_detail": Access(COORDINATORS, lambda w: {"pk": w["other_announcement"].pk}),
    "surveys:manage": Access(COORDINATORS, lambda w: {"slug": w["other_survey"].slug}),
    "surveys:send": Access(COORDINATORS, lambda w: {"slug": w["other_survey"].slug}),
    "surveys:results": Access(COORDINATORS, lambda w: {"slug": w["other_survey"].slug}),
    "surveys:results_csv": Access(COORDINATORS, lambda w: {"slug": w["other_survey"].slug}),
    "network:change_phase": Access(COORDINATORS, lambda w: {"slug": w["other_coalition"].slug}),
    "network:join_request_list": Access(COORDINATORS, lambda w: {"slug": w["other_coalition"].slug}),
    "network:join_request_detail": Access(
        COORDINATORS, lambda w: {"slug": w["other_coalition"].slug, "pk": w["other_join_request"].pk}
    ),
}

# Included URL sets that are not the portal's own views.
NOT_OURS = ("admin", "account_", "mfa_", "set_language", "django.contrib")


def _names(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def test_every_url_is_in_the_table():
    ours = {name for name in _names(get_resolver()) if not name.startswith(NOT_OURS)}
    assert ours - TABLE.keys() == set(), "a URL without an entry in the permission table"
    assert TABLE.keys() - ours == set(), "an entry for a URL that no longer exists"


@pytest.fixture
def personas(pending_member, declined_member, member, editor, coalition_coordinator, coordinator):
    return {
        "anonymous": None,
        "pending": pending_member,
        "declined": declined_member,
        "member": member,
        "editor": editor,
        "coalition_coordinator": coalition_coordinator,
        "coordinator": coordinator,
    }


def _survey_with_answers(coalition):
    """A published named survey of `coalition` whose results are for its coordinators, with five answers."""
    survey = SurveyFactory(coalition=coalition, results_for=Survey.ResultsFor.COORDINATORS)
    ResponseFactory.create_batch(5, survey=survey)
    return survey


@pytest.fixture
def world(personas):
    member = personas["member"]
    now = timezone.now()
    organisation = OrganisationFactory()
    organisation.logo.save("logo.png", ContentFile(_png()), save=True)
    colleague = ProfileFactory(status=Profile.Status.APPROVED, is_listed=True)
    colleague.photo.save("colleague.png", ContentFile(_png()), save=True)
    edition = EditionFactory(published=True)
    story = StoryFactory(edition=edition, state=State.PUBLISHED, published_at=edition.published_at)
    story.attachment.save("magazine.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    event = EventFactory()
    past_event = EventFactory(starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3, hours=-2))
    RegistrationFactory(event=event, profile=member.profile)
    RegistrationFactory(event=past_event, profile=member.profile, checked_in=True)
    material = Material(event=event, title="Slides")
    material.file.save("slides.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    coalition = personas["coalition_coordinator"].coalition_roles.get().coalition
    other_coalition = CoalitionFactory()
    declaration = DeclarationFactory(coalition=coalition)
    declaration.pdf.save("verklaring.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    ProfileFactory(municipalities=list(coalition.municipalities.all()))
    live_check = checkstep.open_check(Notice.key, notice_params(coalition), by=personas["coordinator"])
    announcement = Announcement.objects.create(coalition=coalition, subject="Mededeling", body="Tekst")
    announcement.attachment.save("bijlage.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    mailing = Mailing.objects.create(kind=Mailing.Kind.ANNOUNCEMENT, state=Mailing.State.SENT)
    Delivery.objects.create(mailing=mailing, address=member.email, state=Delivery.State.SENT)
    Announcement.objects.filter(pk=announcement.pk).update(mailing=mailing, sent_at=now)
    other_announcement = Announcement.objects.create(coalition=other_coalition, subject="Elders", body="Tekst")
    other_mailing = Mailing.objects.create(kind=Mailing.Kind.ANNOUNCEMENT, state=Mailing.State.SENT)
    Announcement.objects.filter(pk=other_announcement.pk).update(mailing=other_mailing, sent_at=now)
    own_group, other_group = GroupFactory(coalition=coalition), GroupFactory(coalition=other_coalition)
    MembershipFactory(group=own_group, profile=member.profile)
    invited_group = GroupFactory(coalition=coalition)
    MembershipFactory(group=invited_group, profile=member.profile, state=Membership.State.INVITED)
    mdo = GroupFactory(coalition=coalition, kind=Group.Kind.CASE_CONSULTATION)
    MembershipFactory(group=mdo, profile=member.profile, role=Membership.Role.COORDINATOR)
    group_meeting = EventFactory(group=mdo, group_only=False, kind=Event.Kind.GROUP_MEETING, coalition=coalition)
    return {
        "group": GroupFactory(coalition=coalition),
        "signal_card": SignalCardFactory(municipality=coalition.municipalities.first()),
        "own_group": own_group,
        "invited_group": invited_group,
        "other_group": other_group,
        "group_action": ActionFactory(group=own_group, owners=[member.profile]),
        "group_document": DocumentFactory(group=own_group),
        "other_group_action": ActionFactory(group=other_group),
        "other_group_document": DocumentFactory(group=other_group),
        "mdo": mdo,
        "group_meeting": group_meeting,
        "case": Case.objects.create(
            event=group_meeting, theme="Geldzorgen", question="Hoe?", submitted_by=member.profile
        ),
        "series": Series.objects.create(slug="partnerbijeenkomst", title="Partnerbijeenkomst"),
        "live_check": live_check,
        "announcement": announcement,
        "mailing": mailing,
        "other_announcement": other_announcement,
        "draft_announcement": Announcement.objects.create(coalition=coalition, subject="Concept", body="Tekst"),
        "other_draft_announcement": Announcement.objects.create(coalition=other_coalition, subject="Ander", body="T"),
        "organisation": organisation,
        "offering": OfferingFactory(organisation=organisation),
        "colleague": colleague,
        "newcomer": ProfileFactory(status=Profile.Status.PENDING),
        "edition": edition,
        "story": story,
        "tip": TipFactory(),
        "preview_link": journal_services.create_preview_link(edition, by=personas["coordinator"]),
        "event": event,
        "open_event": EventFactory(),
        "past_event": past_event,
        "attended_registration": event_services.issue_certificate(
            Registration.objects.get(event=past_event, profile=member.profile)
        ),
        "own_registration": Registration.objects.get(event=event, profile=member.profile),
        "material": material,
        "coalition": coalition,
        "other_coalition": other_coalition,
        "declaration": declaration,
        "join_request": JoinRequestFactory(coalition=coalition),
        "other_join_request": JoinRequestFactory(coalition=other_coalition),
        "guest_event": EventFactory(open_to_guests=True),
        "survey_on_site": SurveyFactory(open_on_site=True),
        "coalition_survey": _survey_with_answers(coalition),
        "other_survey": _survey_with_answers(other_coalition),
        "newcomer_nearby": ProfileFactory(
            status=Profile.Status.PENDING, municipalities=list(coalition.municipalities.all())
        ),
    }


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def _was_refused(response, role):
    if role == "anonymous":
        return response.status_code == 302 and reverse("account_login") in response["Location"]
    return response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_role_is_allowed_or_refused_as_the_rules_say(client, personas, world, name, role):
    _ask(client, personas, world, name, TABLE[name], role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(OWN_COALITION))
def test_a_coalition_coordinator_approves_people_of_their_coalition(client, personas, world, name, role):
    _ask(client, personas, world, name, OWN_COALITION[name], role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ANOTHER_COALITION))
def test_a_coalition_coordinator_is_refused_another_coalition(client, personas, world, name, role):
    _ask(client, personas, world, name, ANOTHER_COALITION[name], role)


def _ask(client, personas, world, name, access, role):
    if personas[role] is not None:
        client.force_login(personas[role])
    url = reverse(name, kwargs=access.kwargs(world))
    response = getattr(client, access.method)(url, access.data)
    if access.allowed == TOKEN:
        assert not _was_refused(response, role) and response.status_code != 403, f"{name}: the token is the key"
        assert response.status_code in (200, 400, 404, 410), f"{name}: a wrong token as {role}: {response.status_code}"
    elif role in access.allowed:
        assert not _was_refused(response, role), f"{name} refused {role} ({response.status_code})"
        assert response.status_code < 400, f"{name} as {role}: {response.status_code}"
    else:
        assert _was_refused(response, role), f"{name} let {role} in ({response.status_code})"
    if response.status_code == 403:
        assert "No access" in response.text or "Geen toegang" in response.text
