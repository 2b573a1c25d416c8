"""Typed intake questions (issue 16, point 3): asked in order with a field per type, checked per type by the
service as well as the form, edited in the admin as an ordered list, shown per question to coordinators and in the
CSV; and instead of a fixed question for everyone, each registration records the registrant's coalition and its
phase when they registered."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from coalition.tests.form_errors import assert_error_page
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import services
from events.models import IntakeQuestion, Registration
from events.services import EventError
from members.tests.factories import MunicipalityFactory, OrganisationFactory
from network import services as network_services
from network.models import Phase
from network.tests.factories import CoalitionFactory, PartnershipFactory

from .factories import EventFactory, IntakeQuestionFactory, RegistrationFactory, approved_member
from .test_admin import _change_page

pytestmark = pytest.mark.django_db

Kind = IntakeQuestion.Kind
TOPICS = ["Armoede en schulden", "Vroegsignalering", "Kinderopvang"]


def every_type(event):
    """One question of each type, in a deliberately shuffled creation order (position decides)."""
    return {
        "number": IntakeQuestionFactory(event=event, label="How many colleagues come along?", kind=Kind.NUMBER,
                                        position=4, min_value=Decimal(0), max_value=Decimal(10)),
        "text": IntakeQuestionFactory(event=event, label="Your role?", kind=Kind.TEXT, position=0, required=True),
        "long": IntakeQuestionFactory(event=event, label="What would you like to learn?", position=1),
        "one": IntakeQuestionFactory(event=event, label="Which topic would you like to discuss?",
                                     kind=Kind.ONE_CHOICE, choices=TOPICS, position=2, required=True),
        "several": IntakeQuestionFactory(event=event, label="Which sessions?", kind=Kind.SEVERAL_CHOICES,
                                         choices=TOPICS, position=3),
        "yes_no": IntakeQuestionFactory(event=event, label="Vegetarian lunch?", kind=Kind.YES_NO, position=5),
    }  # fmt: skip


def name(question):
    return f"question_{question.pk}"


# --- The registration form ------------------------------------------------------------------------------------


def test_the_form_asks_the_events_questions_in_order_with_a_field_per_type_and_consent_last(member_client):
    event = EventFactory()
    questions = every_type(event)
    form = member_client.get(reverse("events:register", args=[event.slug])).context["form"]
    ordered = [questions[key] for key in ("text", "long", "one", "several", "number", "yes_no")]
    assert list(form.fields) == [*map(name, ordered), "consent_to_list"]
    assert [form.fields[name(q)].required for q in ordered] == [True, False, True, False, False, False]


def test_a_member_registers_with_an_answer_of_each_type(member_client, member):
    event = EventFactory()
    q = every_type(event)
    response = member_client.post(
        reverse("events:register", args=[event.slug]),
        {
            name(q["text"]): " Verloskundige ",
            name(q["long"]): "Samen\nleren",
            name(q["one"]): "Vroegsignalering",
            name(q["several"]): ["Kinderopvang", "Armoede en schulden"],
            name(q["number"]): "2",
            name(q["yes_no"]): "no",
            "consent_to_list": "on",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(profile=member.profile)
    assert registration.answers == {
        str(q["text"].pk): "Verloskundige",
        str(q["long"].pk): "Samen\nleren",
        str(q["one"].pk): "Vroegsignalering",
        str(q["several"].pk): ["Armoede en schulden", "Kinderopvang"],
        str(q["number"].pk): 2,
        str(q["yes_no"].pk): False,
    }


def test_a_number_answered_with_letters_is_refused_at_the_field_and_the_rest_is_kept(member_client):
    event = EventFactory()
    q = every_type(event)
    typed = {
        name(q["text"]): "Jeugdverpleegkundige",
        name(q["long"]): "Hoe we ouders eerder bereiken",
        name(q["one"]): "Kinderopvang",
        name(q["several"]): ["Vroegsignalering"],
        name(q["number"]): "abc",
        name(q["yes_no"]): "yes",
        "consent_to_list": "on",
    }
    with translation.override("en"):
        response = member_client.post(reverse("events:register", args=[event.slug]), typed, HTTP_ACCEPT_LANGUAGE="en")
    assert_error_page(
        response,
        fields=[f"id_{name(q['number'])}"],
        kept={**{key: value for key, value in typed.items() if key != "consent_to_list"}, "consent_to_list": ["on"]},
        title="Error:",
    )
    with translation.override("en"):
        assert response.context["form"].errors == {name(q["number"]): ["Enter a number."]}
    assert "Enter a number." in response.text
    assert not Registration.objects.exists()


def test_a_choice_not_offered_and_a_number_over_the_limit_are_refused_at_their_fields(member_client):
    event = EventFactory()
    q = every_type(event)
    response = member_client.post(
        reverse("events:register", args=[event.slug]),
        {name(q["text"]): "x", name(q["one"]): "Sport", name(q["number"]): "11"},
    )
    assert set(response.context["form"].errors) == {name(q["one"]), name(q["number"])}
    assert not Registration.objects.exists()


def test_an_event_without_questions_asks_only_for_consent(member_client, member):
    event = EventFactory()
    form = member_client.get(reverse("events:register", args=[event.slug])).context["form"]
    assert list(form.fields) == ["consent_to_list"]
    with translation.override("en"):
        assert "coalition (with its phase)" in str(form.fields["consent_to_list"].label)
    member_client.post(reverse("events:register", args=[event.slug]), {"consent_to_list": "on"})
    assert Registration.objects.get(profile=member.profile).answers == {}


# --- The service checks the answers too (admin actions and tasks call it) -------------------------------------


@pytest.mark.parametrize(
    "answers, problem",
    [
        ({"999999": "x"}, "not asked here"),
        ({"number": "abc", "text": "x", "one": "Kinderopvang"}, "How many colleagues"),
        ({"yes_no": "yes", "text": "x", "one": "Kinderopvang"}, "Vegetarian lunch"),
        ({"several": "Kinderopvang", "text": "x", "one": "Kinderopvang"}, "Which sessions"),
        ({"one": "Sport", "text": "x"}, "Which topic"),
        ({"long": "Alleen dit"}, "Your role?"),  # required ones missing
    ],
)
def test_register_refuses_answers_that_do_not_fit_the_events_questions(answers, problem):
    event = EventFactory()
    q = every_type(event)
    keyed = {str(q[key].pk) if key in q else key: value for key, value in answers.items()}
    with translation.override("en"), pytest.raises(EventError, match=problem):
        services.register(event, approved_member(), answers=keyed)
    assert not Registration.objects.exists()


def test_register_stores_the_answers_normalised():
    event = EventFactory()
    q = every_type(event)
    registration = services.register(
        event,
        approved_member(),
        answers={q["text"].pk: " Kraamverzorgende ", str(q["one"].pk): "Armoede en schulden", q["number"].pk: "3.0"},
    )
    assert registration.answers == {str(q["text"].pk): "Kraamverzorgende", str(q["one"].pk): "Armoede en schulden",
                                    str(q["number"].pk): 3}  # fmt: skip


# --- The admin ------------------------------------------------------------------------------------------------


def _inline_rows(data, rows, *, initial=0):
    prefix = "intake_questions"
    for key in [key for key in data if key.startswith(f"{prefix}-")]:
        del data[key]
    data.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
                 f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})  # fmt: skip
    for index, row in enumerate(rows):
        for field, value in row.items():
            data[f"{prefix}-{index}-{field}"] = value
    return data


def test_the_admin_edits_the_questions_as_an_ordered_list_without_json(coordinator_client):
    event = EventFactory()
    url, data = _change_page(coordinator_client, event)
    html = coordinator_client.get(url).content.decode()
    assert 'name="intake_questions-0-kind"' in html and 'name="intake_questions-0-choices"' in html
    assert '<textarea name="intake_questions-0-choices"' in html  # one choice per line, no JSON to type
    rows = [
        {"label": "Which topic would you like to discuss?", "kind": Kind.ONE_CHOICE, "required": "on",
         "choices": "Armoede en schulden\r\nVroegsignalering\r\n\r\n", "position": "2"},
        {"label": "What would you like to learn?", "kind": Kind.LONG_TEXT, "position": "1", "choices": ""},
        {"label": "How many colleagues?", "kind": Kind.NUMBER, "position": "3", "min_value": "0", "max_value": "5"},
    ]  # fmt: skip
    response = coordinator_client.post(url, _inline_rows(data, rows))
    assert response.status_code == 302, response.context and response.context["errors"]
    saved = list(event.intake_questions.values_list("label", "kind", "required", "choices", "max_value"))
    assert saved == [
        ("What would you like to learn?", Kind.LONG_TEXT, False, [], None),
        ("Which topic would you like to discuss?", Kind.ONE_CHOICE, True, ["Armoede en schulden", "Vroegsignalering"],
         None),
        ("How many colleagues?", Kind.NUMBER, False, [], Decimal(5)),
    ]  # fmt: skip
    # The next new question is offered after the last one.
    response = coordinator_client.get(url)
    formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is IntakeQuestion)
    assert formset.forms[-1]["position"].value() == 4


def test_the_admin_refuses_a_choice_question_without_choices_at_its_field(coordinator_client):
    event = EventFactory()
    url, data = _change_page(coordinator_client, event)
    rows = [{"label": "Which topic?", "kind": Kind.SEVERAL_CHOICES, "choices": "Alleen deze", "position": "0"}]
    with translation.override("en"):
        response = coordinator_client.post(url, _inline_rows(data, rows), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is IntakeQuestion)
    with translation.override("nl"):  # the admin speaks the portal's language
        expected = translation.gettext("A choice question needs at least two choices, one per line.")
    assert formset.forms[0].errors["choices"] == [expected]
    assert "Alleen deze" in response.content.decode()  # what was typed is kept
    assert not event.intake_questions.exists()


def test_the_admin_shows_a_registrations_answers_per_question_readably_and_never_as_json(coordinator_client):
    event = EventFactory()
    q = every_type(event)
    registration = RegistrationFactory(
        event=event, answers={str(q["several"].pk): ["Armoede en schulden", "Kinderopvang"], str(q["yes_no"].pk): True}
    )
    response = coordinator_client.get(
        reverse("admin:events_registration_change", args=[registration.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert "answers" not in response.context["adminform"].form.fields
    assert "<dt>Which sessions?</dt><dd>Armoede en schulden, Kinderopvang</dd>" in html
    assert "<dt>Vegetarian lunch?</dt><dd>Yes</dd>" in html
    assert "<dt>Your role?</dt><dd>–</dd>" in html
    assert html.index("Your role?") < html.index("Which sessions?") < html.index("Vegetarian lunch?")


# --- The registrant's coalition and its phase -------------------------------------------------------------------


@pytest.fixture
def places():
    """A member working in Goes (coalition "Oosterschelde"), whose organisation partners with "Borsele"."""
    goes = MunicipalityFactory(name="Goes")
    oosterschelde = CoalitionFactory(name="Oosterschelde", municipalities=[goes], phase=Phase.PLANNING)
    borsele = CoalitionFactory(name="Borsele", phase=Phase.FORMING)
    organisation = OrganisationFactory()
    PartnershipFactory(coalition=borsele, organisation=organisation)
    user = approved_member(organisation=organisation)
    user.profile.municipalities.add(goes)
    return {"user": user, "oosterschelde": oosterschelde, "borsele": borsele}


def test_the_events_own_coalition_is_recorded_when_the_registrant_belongs_to_it(places):
    registration = services.register(EventFactory(coalition=places["borsele"]), places["user"])
    assert (registration.coalition, registration.coalition_phase) == (places["borsele"], Phase.FORMING)


def test_otherwise_the_coalition_of_where_they_work_comes_before_their_organisations(places):
    for event in (EventFactory(), EventFactory(coalition=CoalitionFactory(name="Elders"))):
        registration = services.register(event, places["user"])
        assert (registration.coalition, registration.coalition_phase) == (places["oosterschelde"], Phase.PLANNING)


def test_a_partner_organisations_coalition_counts_without_a_municipality(places):
    places["user"].profile.municipalities.clear()
    registration = services.register(EventFactory(), places["user"])
    assert registration.coalition == places["borsele"]


def test_nobody_of_any_coalition_has_none_recorded():
    registration = services.register(EventFactory(), approved_member())
    assert (registration.coalition, registration.coalition_phase) == (None, "")


def test_a_later_phase_change_leaves_the_registration_as_it_was(places, coordinator):
    registration = services.register(EventFactory(), places["user"])
    network_services.change_phase(places["oosterschelde"], phase=Phase.CARRYING_OUT, by=coordinator)
    places["oosterschelde"].refresh_from_db()
    assert places["oosterschelde"].phase == Phase.CARRYING_OUT
    registration.refresh_from_db()
    assert registration.coalition_phase == Phase.PLANNING


def test_a_walk_in_gets_their_coalition_recorded_too(places, coordinator):
    event = EventFactory(coalition=places["borsele"])
    registration = services.walk_in(event, places["user"].profile, by=coordinator)
    assert (registration.coalition, registration.coalition_phase) == (places["borsele"], Phase.FORMING)


def test_the_participant_list_shows_coalition_and_phase_not_the_answers(client, places):
    event = EventFactory()
    question = IntakeQuestionFactory(event=event, label="Private question")
    services.register(event, places["user"], consent_to_list=True, answers={str(question.pk): "Private answer"})
    client.force_login(places["user"])
    html = client.get(reverse("events:participants", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Oosterschelde" in html and "Planning" in html
    assert "Private answer" not in html and "Private question" not in html


# --- The CSV --------------------------------------------------------------------------------------------------


def test_the_csv_has_coalition_phase_and_a_readable_column_per_question(coordinator_client, places):
    event = EventFactory()
    q = every_type(event)
    services.register(
        event,
        places["user"],
        answers={str(q["text"].pk): "=1+1", str(q["one"].pk): "Kinderopvang",
                 str(q["several"].pk): ["Armoede en schulden", "Vroegsignalering"], str(q["yes_no"].pk): True,
                 str(q["number"].pk): "2.5"},
    )  # fmt: skip
    with translation.override("en"):
        response = coordinator_client.get(
            reverse("events:registrations_csv", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="en"
        )
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert header[10:-1] == [
        "Coalition",
        "Phase of the coalition",
        "Your role?",
        "What would you like to learn?",
        "Which topic would you like to discuss?",
        "Which sessions?",
        "How many colleagues come along?",
        "Vegetarian lunch?",
    ]
    assert row[10:-1] == [
        "Oosterschelde", "Planning", "'=1+1", "", "Kinderopvang", "Armoede en schulden, Vroegsignalering", "2.5", "Yes",
    ]  # fmt: skip


# --- Query counts: one more question or registration costs no query -----------------------------------------


def test_the_registration_form_takes_as_many_queries_for_more_questions(member_client):
    event = EventFactory()
    url = reverse("events:register", args=[event.slug])
    grow = lambda n: IntakeQuestionFactory.create_batch(n, event=event, kind=Kind.ONE_CHOICE, choices=TOPICS)  # noqa: E731
    assert_same_count_as_data_grows(member_client, url, grow)


def test_the_csv_takes_as_many_queries_for_more_registrations_and_questions(coordinator_client):
    event = EventFactory(capacity=None)

    def grow(n):
        questions = IntakeQuestionFactory.create_batch(n, event=event)
        coalition = CoalitionFactory(phase=Phase.EMBEDDING)
        for _ in range(n):
            RegistrationFactory(event=event, coalition=coalition, answers={str(q.pk): "Antwoord" for q in questions})

    assert_same_count_as_data_grows(coordinator_client, reverse("events:registrations_csv", args=[event.slug]), grow)


def test_the_participant_list_takes_as_many_queries_for_more_coalitions_and_questions(member_client, member):
    event = EventFactory(capacity=None)
    RegistrationFactory(event=event, profile=member.profile)

    def grow(n):
        IntakeQuestionFactory.create_batch(n, event=event)
        for _ in range(n):
            RegistrationFactory(event=event, coalition=CoalitionFactory(), coalition_phase=Phase.FORMING)

    assert_same_count_as_data_grows(member_client, reverse("events:participants", args=[event.slug]), grow)


def test_the_events_admin_page_takes_as_many_queries_for_more_questions(coordinator_client):
    event = EventFactory()
    url = reverse("admin:events_event_change", args=[event.pk])
    grow = lambda n: IntakeQuestionFactory.create_batch(n, event=event)  # noqa: E731
    assert_same_count_as_data_grows(coordinator_client, url, grow)
