"""Start a year's network pulse: copy the pulse template into that year's draft survey (surveys.services)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coalition.rules import DomainError
from members.models import User
from surveys import services


class Command(BaseCommand):
    help = (
        "Copy the network pulse template, with its sections and questions, into the draft survey of a year "
        "(audience: every approved member). Send it afterwards, with the check step, like any survey."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="The pulse's year (default: this year).")
        parser.add_argument("--by", required=True, help="E-mail address of the regional coordinator who starts it.")

    def handle(self, *args, year=None, by=None, **options):
        year = year or timezone.localdate().year
        user = User.objects.filter(email__iexact=by).first()
        if user is None:
            raise CommandError(f"No account with the address {by}.")
        try:
            survey = services.start_pulse(year, by=user)
        except DomainError as error:
            raise CommandError(str(error)) from error
        opens, closes = (f"{timezone.localtime(when):%Y-%m-%d %H:%M}" for when in (survey.opens_at, survey.closes_at))
        self.stdout.write(
            f"Created “{survey.title}” (/admin/surveys/survey/{survey.pk}/change/), a draft open from {opens} to "
            f"{closes}."
        )
