"""Carry today's per-organisation circle and declaration date over into partnerships of local coalitions.

Until now the portal knew one coalition: an organisation's circle and the date it signed the declaration of
intent were one value each (members.Organisation.circle, .declaration_signed_on). A partnership belongs to a
local coalition, and an organisation with several municipalities lands in each of their coalitions. No
coalition exists before this app does, so this migration:

1. gives every municipality that an organisation names, and that is in no coalition yet, a coalition of its
   own ("Kansrijke Start <municipality>"), in the phase 'exploring' with a note asking to check it.
   Coordinators who work in a coalition of two or more municipalities move a municipality to it in the admin
   (and delete the coalition left empty) — the partners of the combined coalition are then added there;
2. makes each organisation a partner of the coalition of each of its municipalities (an organisation without
   municipalities serves the whole region: a partner of every coalition), in its circle, since the date it
   signed (or today), with that circle as the first step of its circle history;
3. gives each coalition whose partners signed a version 1 of the declaration of intent, dated on the first
   signature, with each signature on the organisation's date. Who signed was never recorded: name and
   function stay empty and the page shows the organisation and the date.

Nothing is deleted: the old fields stay until every page reads partnerships, and running it again adds
nothing twice. The reverse does nothing (unapplying 0001 removes the tables).
"""

from django.db import migrations
from django.utils import timezone
from django.utils.text import slugify

NOTE = (
    "Aangemaakt bij de overgang naar lokale coalities, op basis van de gemeenten van de partners. "
    "Controleer de fase, de gemeenten en de trekkers."
)
DECLARATION_TEXT = (
    "Overgenomen uit de eerdere registratie per organisatie: alleen de datum van ondertekening was bekend. "
    "Voeg de tekst of de pdf van de verklaring toe."
)


def _unique_slug(Coalition, name):
    base = slugify(name)[:90] or "coalitie"
    slug, number = base, 2
    while Coalition.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def carry_over(apps, schema_editor):
    Organisation = apps.get_model("members", "Organisation")
    Coalition = apps.get_model("network", "Coalition")
    CoalitionMunicipality = apps.get_model("network", "CoalitionMunicipality")
    PhaseChange = apps.get_model("network", "PhaseChange")
    Partnership = apps.get_model("network", "Partnership")
    CircleChange = apps.get_model("network", "CircleChange")
    Declaration = apps.get_model("network", "Declaration")
    Signature = apps.get_model("network", "Signature")
    today = timezone.localdate()

    organisations = list(Organisation.objects.prefetch_related("municipalities").order_by("pk"))
    named = {m.pk: m for organisation in organisations for m in organisation.municipalities.all()}
    placed = dict(CoalitionMunicipality.objects.values_list("municipality_id", "coalition_id"))
    for municipality in sorted(named.values(), key=lambda m: m.name):
        if municipality.pk in placed:
            continue
        name = f"Kansrijke Start {municipality.name}"
        coalition = Coalition.objects.filter(name=name).first()
        if coalition is None:
            coalition = Coalition.objects.create(
                name=name, slug=_unique_slug(Coalition, municipality.name), phase="exploring", phase_since=today
            )
            PhaseChange.objects.create(coalition=coalition, phase="exploring", changed_on=today, note=NOTE)
        CoalitionMunicipality.objects.create(coalition=coalition, municipality=municipality)
        placed[municipality.pk] = coalition.pk

    every_coalition = list(Coalition.objects.values_list("pk", flat=True))
    signed = {}  # coalition id -> [(partnership, date)]
    for organisation in organisations:
        municipalities = [m.pk for m in organisation.municipalities.all()]
        coalition_ids = {placed[pk] for pk in municipalities if pk in placed} if municipalities else every_coalition
        for coalition_id in sorted(coalition_ids):
            since = organisation.declaration_signed_on or today
            partnership, created = Partnership.objects.get_or_create(
                coalition_id=coalition_id,
                organisation=organisation,
                defaults={"circle": organisation.circle, "since": since},
            )
            if created:
                CircleChange.objects.create(partnership=partnership, circle=organisation.circle, changed_on=since)
            if organisation.declaration_signed_on:
                signed.setdefault(coalition_id, []).append((partnership, organisation.declaration_signed_on))

    for coalition_id, signatures in signed.items():
        declaration, _created = Declaration.objects.get_or_create(
            coalition_id=coalition_id,
            version=1,
            defaults={
                "title": "Intentieverklaring Kansrijke Start",
                "text": DECLARATION_TEXT,
                "dated_on": min(date for _partnership, date in signatures),
            },
        )
        for partnership, date in signatures:
            Signature.objects.get_or_create(
                declaration=declaration, partnership=partnership, defaults={"signed_on": date}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("members", "0003_search_indexes"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
