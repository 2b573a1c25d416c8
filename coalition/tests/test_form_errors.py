"""No constraint name reaches a person, the title says "Fout:" for any invalid form, the server validates first."""

import re
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.db.models import BaseConstraint, CheckConstraint, UniqueConstraint
from django.forms import modelform_factory
from django.template import Context, Template
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from coalition.models import ConstraintErrorsAtFields
from events.models import Event, Registration
from events.tests.factories import RegistrationFactory
from journal.forms import SubscribeForm
from journal.models import EditorialMembership
from members.tests.factories import OrganisationFactory, UserFactory
from network.models import JoinRequest
from network.tests.factories import CoalitionFactory, JoinRequestFactory

from .test_settings import BASE_DIR

PORTAL_APPS = {"coalition", "members", "network", "journal", "events"}
TEMPLATES = BASE_DIR / "templates"


# --- Database constraints speak the person's language, at a field -------------------------------------------------


def _constraints():
    for model in apps.get_models():
        if model._meta.app_label in PORTAL_APPS:
            for constraint in model._meta.constraints:
                if isinstance(constraint, (CheckConstraint, UniqueConstraint)):
                    yield model, constraint


def test_every_constraint_of_the_portal_has_a_message_of_its_own_shown_at_a_field():
    problems = []
    found = list(_constraints())
    assert len(found) >= 14, "the walk found too few constraints to trust it"
    for model, constraint in found:
        where = f"{model._meta.label}.{constraint.name}"
        if constraint.violation_error_message == BaseConstraint.default_violation_error_message:
            problems.append(f"{where}: no violation_error_message (Django's names the constraint)")
        elif "%(name)" in str(constraint.violation_error_message):
            problems.append(f"{where}: its message puts the constraint's name in")
        if not issubclass(model, ConstraintErrorsAtFields):
            problems.append(f"{where}: the model lacks coalition.models.ConstraintErrorsAtFields")
            continue
        field = model.constraint_error_fields.get(constraint.violation_error_code)
        if field not in {f.name for f in model._meta.get_fields()}:
            problems.append(f"{where}: violation_error_code {constraint.violation_error_code!r} names no field")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_an_event_that_ends_before_it_starts_is_told_so_at_the_end_not_by_the_constraints_name():
    form_class = modelform_factory(Event, fields=["starts_at", "ends_at"])
    with translation.override("en"):
        form = form_class(data={"starts_at": "2026-12-06 14:00", "ends_at": "2026-12-06 13:00"})
        assert form.errors == {"ends_at": ["The end is before the start."]}
    assert "event_ends_after_start" not in str(form.errors)


@pytest.mark.django_db
def test_full_clean_outside_a_form_puts_the_constraints_message_at_its_field_too():
    starts = datetime(2026, 12, 6, 14, 0).astimezone()
    event = Event(title="Werkbezoek", slug="werkbezoek", starts_at=starts, ends_at=starts - timedelta(hours=1))
    with translation.override("en"), pytest.raises(Exception) as refused:
        event.validate_constraints()
    assert refused.value.message_dict == {"ends_at": ["The end is before the start."]}


@pytest.mark.django_db
def test_a_second_registration_of_a_member_is_refused_at_the_member_field():
    registration = RegistrationFactory()
    form_class = modelform_factory(Registration, fields=["event", "profile"])
    with translation.override("en"):
        form = form_class(data={"event": registration.event_id, "profile": registration.profile_id})
        assert form.errors == {"profile": ["This person is already registered for this event."]}


@pytest.mark.django_db
def test_a_second_open_joining_request_is_refused_at_the_organisation_field():
    earlier = JoinRequestFactory(organisation=OrganisationFactory(), coalition=CoalitionFactory())
    form_class = modelform_factory(JoinRequest, fields=["coalition", "organisation", "name", "email", "state"])
    data = {
        "coalition": earlier.coalition_id,
        "organisation": earlier.organisation_id,
        "name": "Fatima",
        "email": "fatima@example.org",
        "state": "open",
    }
    with translation.override("en"):
        form = form_class(data=data)
        assert form.errors == {
            "organisation": ["This organisation has already asked to join; the trekkers will answer soon."]
        }


@pytest.mark.django_db
def test_a_check_constraint_whose_field_the_form_lacks_is_not_checked_so_nothing_lands_elsewhere():
    form_class = modelform_factory(EditorialMembership, fields=["user", "start_date"])
    form = form_class(data={"user": UserFactory().pk, "start_date": "2026-12-06"})
    assert form.is_valid(), form.errors


# --- The title's "Error:" ------------------------------------------------------------------------------------------


def _title_prefix(**context):
    return Template("{% load form_errors %}{% title_error_prefix %}").render(Context(context))


def test_the_title_starts_with_error_for_any_invalid_form_in_the_context_whatever_its_name():
    invalid = SubscribeForm(data={"email": "not an address"})
    with translation.override("nl"):
        assert _title_prefix(filters=invalid) == "Fout: "
    with translation.override("en"):
        assert _title_prefix(form=invalid) == "Error: "


def test_the_title_has_no_error_for_an_unbound_form_or_none():
    assert _title_prefix(form=SubscribeForm()) == ""
    assert _title_prefix(name="Vera") == ""


def test_looking_for_invalid_forms_leaves_the_lazy_values_of_the_context_unevaluated():
    def never():
        raise AssertionError("the title evaluated a lazy context value (a query on every page)")

    assert _title_prefix(user=SimpleLazyObject(never), is_coordinator=SimpleLazyObject(never)) == ""


# --- The browser does not validate before the server ------------------------------------------------------------

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
FIELD = re.compile(r"crispy|element fields|<textarea|<select|<input(?![^>]*type=\"(?:hidden|submit)\")")


def test_every_form_of_the_portal_with_fields_to_fill_in_has_novalidate():
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES)
        if relative.parts[0] in {"admin", "emails"}:
            continue  # the admin is Django's (and its own helper's); mails have no forms
        for attributes, body in FORM.findall(path.read_text()):
            if FIELD.search(body) and "novalidate" not in attributes and 'method="get"' not in attributes:
                missing.append(f"{relative}: <form{attributes}>")
    assert not missing, "forms the browser would validate first:\n" + "\n".join(missing)
