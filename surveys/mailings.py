"""The survey mails as kinds of the check step (coalition.checkstep): the invitation and its one reminder.

A coordinator chooses an audience on the survey's send page (network.forms.SegmentForm); the check page shows the
count, who is left out and why (already invited, unsubscribed, bounced), the mail of the first recipient and a test
to yourself. At confirm, `send()` calls the services, which make the participants (each with the random token of
their personal link) and queue one mail per person. Until then nobody has a link of their own: the preview and the
test lead to the survey's own page. Imported from SurveysConfig.ready(), which registers the kinds and the topic.
"""

from functools import cached_property
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition import checkstep
from coalition.mail import Recipient, absolute_url
from coalition.models import Mailing
from network.audiences import Person, Segment, people_of

from . import services
from .models import Survey

checkstep.add_topic(
    services.TOPIC,
    gettext_lazy("Surveys"),
    gettext_lazy("Questions from the network and your coalition: needs inventories, feedback, the yearly pulse."),
)

# Why someone chosen does not get the invitation (beside the check step's own reasons). Its own key: the labels are
# one registry for every kind, and the events' "already_invited" names an event.
ALREADY_INVITED = "already_in_survey"
checkstep.LeftOut.LABELS.setdefault(ALREADY_INVITED, gettext_lazy("already invited to this survey"))


class SurveyMail(checkstep.MassMail):
    """What both survey mails share: `params["survey"]` is the survey's id; its coordinators' rule."""

    mailing_kind = Mailing.Kind.SURVEY
    topic = services.TOPIC
    permission = "surveys.manage_survey"

    @cached_property
    def survey(self) -> Survey:
        survey = Survey.objects.select_related("coalition").filter(pk=self.params.get("survey")).first()
        if survey is None:
            raise checkstep.CheckError(_("This survey no longer exists."))
        return survey

    def target(self):
        return self.survey

    def context(self) -> dict[str, Any]:
        return services.survey_mail_context(self.survey)

    def done_url(self, mailing: Mailing) -> str:
        return reverse("surveys:manage", kwargs={"slug": self.survey.slug})

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        """The answer link leads to the survey's own page: a click in a test answers for nobody."""
        tested = super().for_tester(recipient, tester)
        return Recipient(
            email=tested.email,
            name=tested.name,
            context={**tested.context, "answer_url": absolute_url(self.survey.get_absolute_url())},
            attachments=tested.attachments,
        )


def _screen_errors(callable_, *args, **kwargs):
    """A service's refusal (a draft, closed) as the check step's own."""
    try:
        return callable_(*args, **kwargs)
    except services.SurveyError as refusal:
        raise checkstep.CheckError(str(refusal)) from None


@checkstep.register
class InvitationMail(SurveyMail):
    """The survey to a segment of the network (network.audiences), without those already in it."""

    key = "surveys.invitation"
    label = gettext_lazy("Survey invitation")
    template = "surveys/invitation"

    @cached_property
    def segment(self) -> Segment:
        return Segment.from_params(self.params.get("segment", {}))

    def audience(self) -> checkstep.Audience:
        _screen_errors(services.ensure_sendable, self.survey)
        people, left_out = people_of(self.segment)
        to_invite, already = services.split_invited(self.survey, people)
        if already:
            left_out[ALREADY_INVITED] += already
        self.people: dict[str, Person] = {person.email.lower(): person for person in to_invite}
        survey_url = absolute_url(self.survey.get_absolute_url())
        unsubscribe = services.unsubscribe_link_maker()
        candidates = [
            Recipient(
                email=person.email,
                name=person.name,
                # The personal link is made at confirm, with the participant; until then the survey's page.
                context={
                    "answer_url": survey_url,
                    "unsubscribe_url": person.unsubscribe_url or unsubscribe(person.email),
                },
            )
            for person in to_invite
        ]
        return checkstep.screen(candidates, topic=self.topic, left_out=left_out)

    def description(self) -> str:
        return services.invitation_description(self.survey)

    def change_url(self) -> str:
        return reverse("surveys:send", kwargs={"slug": self.survey.slug}) + checkstep.AGAIN

    def done_message(self, count: int) -> str:
        return _("The survey is on its way to %(count)d people.") % {"count": count}

    def send(self, audience, *, by, check):
        return _screen_errors(
            services.send_invitations,
            self.survey,
            invitees=[self.people[recipient.email.lower()] for recipient in audience.recipients],
            skipped=audience.suppressed,
            segment=self.segment,
            by=by,
            check=check,
        )


@checkstep.register
class ReminderMail(SurveyMail):
    """One reminder to those invited who have not answered and were never reminded."""

    key = "surveys.reminder"
    label = gettext_lazy("Survey reminder")
    template = "surveys/reminder"

    def audience(self) -> checkstep.Audience:
        _screen_errors(services.ensure_sendable, self.survey)
        return checkstep.screen(services.participants_to_remind(self.survey), topic=self.topic)

    def description(self) -> str:
        return services.reminder_description(self.survey)

    def change_url(self) -> str:
        return reverse("surveys:manage", kwargs={"slug": self.survey.slug})

    def done_message(self, count: int) -> str:
        return _("%(count)d reminders are on their way.") % {"count": count}

    def send(self, audience, *, by, check):
        return _screen_errors(
            services.remind,
            self.survey,
            recipients=[*audience.recipients, *audience.suppressed],
            by=by,
            check=check,
        )
