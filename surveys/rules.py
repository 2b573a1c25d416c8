"""Who may build, send, answer and read surveys (django-rules; see coalition/rules.py).

A regional coordinator manages every survey; a coalition coordinator those of their coalitions (a regional survey
stays with the regional coordinators). Answering goes by the personal link from the mail (no account needed) or, for
a survey open on the site, as an approved member. The results are for those the survey names (`Survey.results_for`).
"""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.rules import add_model_perms, explain, is_approved_member, is_coordinator
from network.rules import coordinated_coalition_ids, is_coalition_coordinator

from .models import Participant, Survey


@rules.predicate
def coordinates_coalition_of_survey(user, survey):
    """A coordinator of the coalition the survey belongs to; False for a regional survey and without a survey."""
    return (
        survey is not None
        and survey.coalition_id is not None
        and survey.coalition_id in coordinated_coalition_ids(user)
    )


manages_survey = is_coordinator | coordinates_coalition_of_survey


@rules.predicate
def is_published_survey(user, survey):
    return survey is not None and survey.state == Survey.State.PUBLISHED


@rules.predicate
def is_open_on_site(user, survey):
    """Published with answering on the site switched on (whether it is open now, the service says, with the dates)."""
    return survey is not None and survey.open_on_site and survey.state == Survey.State.PUBLISHED


@rules.predicate
def answered_it(user, survey):
    """The person answered the survey (also an anonymous one: whether they answered is kept, not what)."""
    if survey is None or not getattr(user, "is_authenticated", False):
        return False
    return Participant.objects.filter(survey=survey, profile__user=user, answered_at__isnull=False).exists()


@rules.predicate
def results_for_coalition_coordinators(user, survey):
    """The survey shows its results to the coalition's coordinators (for a regional one: any coalition's)."""
    if survey is None or survey.results_for == Survey.ResultsFor.COORDINATORS:
        return False
    if survey.coalition_id is None:
        return bool(coordinated_coalition_ids(user))
    return survey.coalition_id in coordinated_coalition_ids(user)


@rules.predicate
def results_for_respondents(user, survey):
    return survey is not None and survey.results_for == Survey.ResultsFor.RESPONDENTS


# Members see the list of surveys open to them on the site; a survey's page, for answering, when it is open there.
rules.add_perm("surveys.view_survey_list", is_approved_member)
rules.add_perm("surveys.answer_on_site", is_approved_member & is_open_on_site)
# Building, sending, reminding and following the response rate.
rules.add_perm("surveys.manage_survey", manages_survey)
# Without a survey: whether the person may start one at all (regional or for one of their coalitions).
rules.add_perm("surveys.add_survey_of_own", is_coordinator | is_coalition_coordinator)
rules.add_perm(
    "surveys.view_results",
    manages_survey
    | (is_published_survey & results_for_coalition_coordinators)
    | (is_published_survey & results_for_respondents & answered_it),
)

# The admin: where surveys and their questions are built (regional coordinators).
rules.add_perm("surveys", is_coordinator)
add_model_perms("surveys.survey", view=is_coordinator, add=is_coordinator, change=is_coordinator, delete=is_coordinator)
for _model in ("section", "surveyquestion"):
    add_model_perms(
        f"surveys.{_model}", view=is_coordinator, add=is_coordinator, change=is_coordinator, delete=is_coordinator
    )
# Who answered and what: read only (answers are given through the survey's form, never typed in by someone else).
add_model_perms("surveys.participant", view=is_coordinator)
add_model_perms("surveys.response", view=is_coordinator)

explain("surveys.view_survey_list", _("Surveys are for approved members of the network."))
explain("surveys.answer_on_site", _("This survey is answered through the personal link in its mail."))
explain("surveys.manage_survey", _("This is a coordinator's tool."))
explain("surveys.add_survey_of_own", _("This is a coordinator's tool."))
explain("surveys.view_results", _("The results of this survey are for its coordinators."))
