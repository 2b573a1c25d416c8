"""Read the bounce mailbox (IMAP) or bounce messages saved as files, and suppress the addresses they report."""

import imaplib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coalition import bounces


class Command(BaseCommand):
    help = (
        "Process delivery status notifications: the unseen messages of the bounce mailbox (BOUNCE_IMAP_HOST and "
        "the other BOUNCE_IMAP_ settings), or the message files given. Permanent failures go on the suppression list."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="Bounce messages (.eml) to process instead of IMAP.")

    def handle(self, *args, files=(), **options):
        if files:
            self._process_files(files)
            return
        if not settings.BOUNCE_IMAP_HOST:
            raise CommandError("No bounce mailbox: set BOUNCE_IMAP_HOST (and BOUNCE_IMAP_USER, BOUNCE_IMAP_PASSWORD).")
        try:
            result = bounces.fetch_bounces()
        except (imaplib.IMAP4.error, OSError) as exc:
            raise CommandError(f"The bounce mailbox {settings.BOUNCE_IMAP_HOST} could not be read: {exc}") from exc
        self.stdout.write(
            f"{result.read} messages read, {result.suppressed} addresses suppressed"
            + (f", {result.failed} left unseen to try again." if result.failed else ".")
        )

    def _process_files(self, files):
        suppressed = 0
        for file in files:
            try:
                content = file.read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc}") from exc
            for suppression in bounces.process_dsn(content):
                self.stdout.write(f"{suppression.address}: {suppression.reason}")
                suppressed += 1
        self.stdout.write(f"{len(files)} messages read, {suppressed} addresses suppressed.")
