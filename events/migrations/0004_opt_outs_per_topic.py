"""The events' own opt-outs become the portal's per-topic opt-outs (coalition.OptOut): an address that asked for no
more event mail is unsubscribed from both event topics ("invitations" and "events"), then the old table goes.
A message to participants gets its purpose ("message")."""

from django.db import migrations, models

# The topics of coalition.checkstep that events registers (events/mailings.py); fixed here as they were.
TOPICS = ("invitations", "events")


def copy_opt_outs(apps, schema_editor):
    OldOptOut = apps.get_model("events", "OptOut")
    NewOptOut = apps.get_model("coalition", "OptOut")
    rows = []
    for email, created_at in OldOptOut.objects.values_list("email", "created_at").iterator():
        for topic in TOPICS:
            rows.append(NewOptOut(address=email.strip().lower(), topic=topic, created_at=created_at))
    NewOptOut.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def copy_back(apps, schema_editor):
    OldOptOut = apps.get_model("events", "OptOut")
    NewOptOut = apps.get_model("coalition", "OptOut")
    addresses = set(NewOptOut.objects.filter(topic__in=TOPICS).values_list("address", flat=True))
    OldOptOut.objects.bulk_create([OldOptOut(email=address) for address in sorted(addresses)], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("coalition", "0009_check_step_suppression_opt_out"),
        ("events", "0003_constraint_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventmailing",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("confirmation", "Registration confirmed"),
                    ("waiting", "Waiting list"),
                    ("promoted", "Moved up from the waiting list"),
                    ("registration_cancelled", "Registration cancelled"),
                    ("update", "Changed time or place"),
                    ("event_cancelled", "Event cancelled"),
                    ("invitation", "Invitation"),
                    ("invitation_reminder", "Invitation reminder"),
                    ("reminder", "Reminder before the event"),
                    ("materials", "Materials and feedback request"),
                    ("message", "Message to participants"),
                ],
                max_length=24,
                verbose_name="purpose",
            ),
        ),
        migrations.RunPython(copy_opt_outs, copy_back),
        migrations.DeleteModel(name="OptOut"),
    ]
