"""Fill the database with realistic Dutch demo data; running it twice leaves the same data."""

from django.core.management.base import BaseCommand
from django.db import transaction

from announcements import demo as announcements_demo
from cockpit import demo as cockpit_demo
from events import demo as events_demo
from events import group_meetings_demo
from groups import demo as groups_demo
from journal import demo as journal_demo
from members import demo as members_demo
from network import demo as network_demo
from signals import demo as signals_demo
from surveys import demo as surveys_demo


class Command(BaseCommand):
    help = (
        "Load demo data: members, organisations, offerings, coalitions, groups, surveys, journal editions and events, "
        "with two years of history (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=0, help="Also build this many extra members (benchmarks).")
        parser.add_argument("--organisations", type=int, default=0, help="Also build this many extra organisations.")
        parser.add_argument(
            "--events", type=int, default=0, help="Also build this many past events with check-ins (benchmarks)."
        )
        parser.add_argument(
            "--registrations", type=int, default=0, help="Spread this many registrations over those events."
        )

    def handle(self, *args, members=0, organisations=0, events=0, registrations=0, **options):
        with transaction.atomic():
            logins = members_demo.seed(extra_members=members, extra_organisations=organisations, stdout=self.stdout)
            logins += network_demo.seed(stdout=self.stdout)
            signals_demo.seed(stdout=self.stdout)
            groups_demo.seed(stdout=self.stdout)
            surveys_demo.seed(stdout=self.stdout)
            journal_demo.seed(stdout=self.stdout)
            # The members who joined over the last two years, before the events demo draws its participants.
            cockpit_demo.seed_people(stdout=self.stdout)
            events_demo.seed(stdout=self.stdout)
            group_meetings_demo.seed(stdout=self.stdout)
            announcements_demo.seed(stdout=self.stdout)
            # Last: two years of history on top of everything above, for the cockpit's impact figures.
            cockpit_demo.seed(stdout=self.stdout)
            cockpit_demo.seed_bench(events=events, registrations=registrations, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with:"))
        for role, email, password in logins:
            self.stdout.write(f"  {role:<22} {email}  /  {password}")
