"""Every main page, filled with the demo data, checked by axe and photographed, for each role."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from events.models import Event, Registration
from journal.models import Edition, Tip
from members.models import Organisation, Profile
from network.models import Coalition

DEMO_PASSWORD = "kansrijke-start-demo"


@pytest.fixture
def demo(portal):
    """The demo data (seed_demo takes a few seconds) and one login per role."""
    call_command("seed_demo", stdout=io.StringIO())
    editor = get_user_model().objects.filter(groups__name="Editorial team").order_by("pk").first()
    editor.set_password(DEMO_PASSWORD)
    editor.save()
    return {"coordinator": "coordinator@example.org", "member": "member@example.org", "editor": editor.email}


def public_pages():
    edition = Edition.objects.published().order_by("-published_at").first()
    pages = [("home", "/"), ("journal", "/journal/"), ("edition", edition.get_absolute_url())]
    kinds = set()
    for story in edition.stories.filter(state="published").order_by("order"):
        if story.kind not in kinds:  # one story of every kind: article, film, panel, magazine...
            kinds.add(story.kind)
            pages.append((f"story-{story.kind}", story.get_absolute_url()))
    event = Event.objects.filter(state="published").order_by("starts_at").first()
    return [
        *pages,
        ("events", "/events/"),
        ("event", event.get_absolute_url()),
        ("events-past", "/events/past/"),
        ("organisations", "/organisations/"),
        ("organisation", Organisation.objects.order_by("name").first().get_absolute_url()),
        ("offerings", "/offerings/"),
        ("coalitions", "/coalitions/"),
        ("coalition-demo", "/coalitions/borsele/"),
        ("coalition-join", "/coalitions/borsele/join/"),
        ("journal-subscribe-form", "/journal/subscribe/"),
        ("tip-form-visitor", "/journal/tips/new/"),
        ("privacy", "/privacy/"),
        ("accessibility", "/accessibility/"),
        ("login", "/accounts/login/"),
        ("login-from-directory", "/accounts/login/?next=/members/"),
        ("signup", "/accounts/signup/"),
    ]


# Members read the portal in Dutch; the English pages are the source strings and the other choice.
LANGUAGES = pytest.mark.parametrize(("locale", "suffix"), [("en-GB", ""), ("nl-NL", "-nl")], ids=["en", "nl"])


@LANGUAGES
def test_every_public_page_passes_axe_for_a_visitor(portal, demo, locale, suffix):
    page = portal.visitor(locale=locale)
    portal.tour(page, public_pages(), suffix=suffix)


@LANGUAGES
def test_every_member_page_passes_axe(portal, demo, locale, suffix):
    page = portal.visitor(locale=locale)
    portal.log_in(page, demo["member"], DEMO_PASSWORD)
    colleague = Profile.objects.approved().exclude(user__email=demo["member"]).order_by("pk").first()
    registration = Registration.objects.filter(profile__user__email=demo["member"]).select_related("event").first()
    pages = [
        ("home-member", "/"),
        ("directory-demo", "/members/"),
        ("directory-page-2", "/members/?page=2"),
        ("profile-demo", colleague.get_absolute_url()),
        ("me", "/members/me/"),
        ("my-registrations-demo", "/events/mine/"),
        ("journal-subscription", "/journal/subscription/"),
        ("tip-form-member", "/journal/tips/new/"),
        ("me-preview", "/members/me/preview/"),
        ("my-data", "/members/me/data/"),
        ("account-email", "/accounts/email/"),
        ("account-password", "/accounts/password/change/"),
        ("account-2fa", "/accounts/2fa/"),
    ]
    if registration is not None:
        pages.append(("event-as-participant", registration.event.get_absolute_url()))
    portal.tour(page, pages, suffix=suffix)


def test_every_editorial_page_passes_axe(portal, demo):
    page = portal.visitor()
    portal.log_in(page, demo["editor"], DEMO_PASSWORD)
    tip = Tip.objects.order_by("pk").first()
    portal.tour(
        page,
        [
            ("tip-list-demo", "/journal/tips/"),
            ("tip-detail-demo", f"/journal/tips/{tip.pk}/"),
            ("desk", "/journal/desk/"),
        ],
    )


def test_every_coordinator_page_passes_axe(portal, demo):
    page = portal.visitor()
    portal.log_in(page, demo["coordinator"], DEMO_PASSWORD)
    event = Event.objects.filter(state="published").order_by("starts_at").first()
    base = event.get_absolute_url()
    borsele = Coalition.objects.get(slug="borsele")
    portal.tour(
        page,
        [
            ("pending", "/members/pending/"),
            ("event-coordinator", base),
            ("event-participants", f"{base}participants/"),
            ("event-invite", f"{base}invite/"),
            ("event-invitations", f"{base}invitations/"),
            ("event-check-in", f"{base}check-in/"),
            ("event-results", f"{base}results/"),
            ("event-mailings", f"{base}mailings/"),
            ("admin", "/admin/"),
            ("admin-profiles-demo", "/admin/members/profile/"),
            ("admin-editions-demo", "/admin/journal/edition/"),
            ("admin-events", "/admin/events/event/"),
            ("admin-mailings", "/admin/coalition/mailing/"),
            ("regional-overview-demo", "/coalitions/overview/"),
            ("coalition-as-coordinator", "/coalitions/borsele/"),
            ("join-requests-demo", "/coalitions/walcheren/requests/"),
            ("change-phase-demo", "/coalitions/borsele/phase/"),
            ("admin-coalitions-demo", "/admin/network/coalition/"),
            ("admin-coalition-demo", f"/admin/network/coalition/{borsele.pk}/change/"),
            ("admin-declarations-demo", "/admin/network/declaration/"),
            ("admin-join-requests-demo", "/admin/network/joinrequest/"),
            ("mfa", "/accounts/2fa/"),
        ],
    )
