"""Offerings that stay current (issue 19): several life phases, public phone/e-mail/address, a contact person,
the confirmation cycle, a review note and a search document; existing rows keep their phase and their last edit
counts as their last confirmation."""

import unicodedata

import django.contrib.postgres.search
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import members.models


def fold(text):
    # members.models.fold as it is today: a migration keeps its own copy so that it means the same later.
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def carry_over(apps, schema_editor):
    """Each offering's one phase becomes its list; its last edit is its last confirmation (the honest date: a row
    untouched for nine months shows as possibly outdated at once); its search document is filled (title, text,
    organisation, places and themes: the phase labels follow at its next save)."""
    Offering = apps.get_model("members", "Offering")
    offerings = list(Offering.objects.select_related("organisation").prefetch_related("themes", "municipalities"))
    for offering in offerings:
        offering.life_phases = [offering.life_phase] if offering.life_phase else []
        offering.confirmed_at = offering.updated_at
        parts = [offering.title, offering.description, offering.target_group, offering.organisation.name]
        parts += sorted(t.name for t in offering.themes.all()) + sorted(m.name for m in offering.municipalities.all())
        offering.search_text = fold(" ".join(p for p in parts if p))
    Offering.objects.bulk_update(offerings, ["life_phases", "confirmed_at", "search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_search_matches_in_parallel"),
    ]

    operations = [
        migrations.AddField(
            model_name="offering",
            name="life_phases",
            field=members.models.LifePhasesField(
                help_text="Every phase of the route this offering is for: it is listed in each.",
                verbose_name="life phases",
            ),
        ),
        migrations.AddField(
            model_name="offering",
            name="confirmed_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="last confirmed"),
        ),
        migrations.AddField(
            model_name="offering",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="offering",
            name="life_phase",
        ),
        migrations.AddField(
            model_name="offering",
            name="address",
            field=models.TextField(blank=True, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="offering",
            name="confirmation_requested_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="confirmation last requested"
            ),
        ),
        migrations.AddField(
            model_name="offering",
            name="contact_person",
            field=models.ForeignKey(
                blank=True,
                help_text="One of the organisation's contacts; members see their details as that person allows.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="offerings_as_contact",
                to="members.profile",
                verbose_name="contact person",
            ),
        ),
        migrations.AddField(
            model_name="offering",
            name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="public e-mail"),
        ),
        migrations.AddField(
            model_name="offering",
            name="needs_review",
            field=models.TextField(blank=True, verbose_name="to check"),
        ),
        migrations.AddField(
            model_name="offering",
            name="phone",
            field=models.CharField(
                blank=True, max_length=40, validators=[members.models.validate_dutch_phone], verbose_name="public phone"
            ),
        ),
        migrations.AddField(
            model_name="offering",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=members.models.SearchDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
    ]
