"""Periodic work of the journal: publishing scheduled editions and keeping the editorial team group current."""

from celery import shared_task

from . import services


@shared_task
def publish_due_editions():
    """Publish and mail the scheduled editions whose time has come (safe to run twice: publish locks and checks)."""
    return services.publish_due_editions()


@shared_task
def sync_editorial_team():
    """Memberships start and end by date; bring the "Editorial team" group in line once a day."""
    services.sync_editorial_team()
